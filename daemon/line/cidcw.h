/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * cidcw.h - the sequencer of caller ID on call waiting (off-hook "Type
 * II" caller ID) on one line: what the earpiece gets, sample by sample,
 * from the call-waiting alert to the end of the FSK spill, and what the
 * phone's DTMF acknowledgement does to it.
 *
 * The signals and their standards are dsp/callerid.h's
 * (callerid_offhook_plan()); this is the part of that plan that waits on
 * the phone.  Pure: no I/O, logging, timers or allocation; the line owns
 * the buffers (the CAS and the spill, rendered once) and the call-waiting
 * tone generator, and feeds the sequencer every frame it plays and every
 * digit its DTMF detector reports.
 *
 *   phase      the earpiece gets              ends
 *   sas        the call-waiting tone's frames after sas samples (its first
 *                                             burst group)
 *   cas        callerid_cas()                 after CALLERID_CAS_SAMPLES
 *   wait-ack   silence                        an ACK digit begins: ack;
 *                                             another digit, or nothing
 *                                             for the window: idle (no
 *                                             spill: no Type II phone)
 *   ack        silence                        the digit ends: gap; still
 *                                             sounding after
 *                                             CIDCW_ACK_MAX_MS: idle
 *   gap        silence                        CALLERID_ACK_TO_FSK_MS
 *   fsk        the spill                      its end: idle
 *
 * The ACK: 'D' (GR-30's Type II CPE, TR-NWT-000575; ETSI EN 300 659-2's
 * TE-ACK), and for Bell also 'A' (the ADSI phones' acknowledgement), per
 * callerid_ack_valid().  Bellcore's CPE must start it within 100 ms of the
 * end of the CAS and the office waits CALLERID_CAS_TO_ACK_MS (160 ms);
 * the line hears it later than the phone sent it: the CAS waits in the
 * driver's play queue (the cushion and the queue, up to about 100 ms
 * under load), the detector reports a digit about 30 ms after it began and
 * the capture comes a frame late.  So the window is
 * CALLERID_CAS_TO_ACK_MS + CIDCW_LATENCY_MS, counted in samples played.
 * The same latency lengthens the ACK-to-FSK gap the phone sees (100 ms
 * after the detector's end, which comes about 30 ms after the tone's):
 * about 200-250 ms, inside GR-30's and EN 300 659-2's 50-500 ms.
 *
 * While the sequence runs (any phase but idle) the far party is muted in
 * both directions: the line plays only what cidcw_fill() writes and sends
 * silence to the far end; digits the sequence takes (cidcw_digit()) are
 * not passed on.
 */
#ifndef FXSD_CIDCW_H
#define FXSD_CIDCW_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "dsp/callerid.h"

#define CIDCW_LATENCY_MS	160	/* play queue + detector + capture */
#define CIDCW_ACK_WINDOW_MS	(CALLERID_CAS_TO_ACK_MS + CIDCW_LATENCY_MS)
#define CIDCW_ACK_MAX_MS	500	/* an ACK is 55-65 ms; a key held */

enum cidcw_phase {
	CIDCW_IDLE,
	CIDCW_SAS,
	CIDCW_CAS,
	CIDCW_WAIT_ACK,
	CIDCW_ACK,
	CIDCW_GAP,
	CIDCW_FSK,
	_CIDCW_PHASE_MAX,
	_CIDCW_PHASE_INVALID = -EINVAL,
};

/* How the last sequence ended (for the log and the tests). */
enum cidcw_result {
	CIDCW_RESULT_NONE,	/* none ended since the last look */
	CIDCW_RESULT_SENT,	/* the spill was played in full */
	CIDCW_RESULT_NO_ACK,	/* no digit in the window */
	CIDCW_RESULT_BAD_ACK,	/* a digit that is no ACK under the standard */
	CIDCW_RESULT_LONG_ACK,	/* the digit did not end in time */
	CIDCW_RESULT_STOPPED,	/* cidcw_stop() (the call was taken, ...) */
	_CIDCW_RESULT_MAX,
	_CIDCW_RESULT_INVALID = -EINVAL,
};

/**
 * struct cidcw - one line's sequence; zero is idle
 * @phase: where it is
 * @pos: samples played in @phase
 * @sas: samples of the SAS phase
 * @fsk: samples of the spill
 * @std: the standard (which ACK digits count)
 * @ack: the digit taken as the ACK, 0 before
 * @result: how the last sequence ended, until cidcw_result() takes it
 */
struct cidcw {
	enum cidcw_phase phase;
	uint32_t pos;
	uint32_t sas, fsk;
	enum callerid_std std;
	char ack;
	enum cidcw_result result;
};

const char *cidcw_phase_to_string(enum cidcw_phase p);
const char *cidcw_result_to_string(enum cidcw_result r);

/*
 * Start a sequence: @sas_samples (> 0) of the call-waiting tone, the CAS,
 * the wait for the ACK, then @fsk_samples (> 0) of spill.  -EINVAL for a
 * bad argument (the sequence is left as it was).
 */
int cidcw_start(struct cidcw *s, enum callerid_std std, uint32_t sas_samples,
		uint32_t fsk_samples);

/* Stop it now (result CIDCW_RESULT_STOPPED if it ran). */
void cidcw_stop(struct cidcw *s);

/* True while the far party is muted: any phase but idle. */
bool cidcw_active(const struct cidcw *s);

/*
 * The next @n samples to the earpiece: writes @out[0..@n) and returns true
 * when the sequence was running at the frame's start (samples after its
 * end within the frame are 0); returns false and leaves @out alone when
 * idle.  @tone: the call-waiting tone's @n samples for this frame (the
 * caller runs its generator every frame, so that its cadence goes on
 * after the sequence); @cas: CALLERID_CAS_SAMPLES samples; @fsk: the
 * spill's @fsk_samples.
 */
bool cidcw_fill(struct cidcw *s, int16_t *out, uint32_t n, const int16_t *tone,
		const int16_t *cas, const int16_t *fsk);

/*
 * A digit from the phone began (@end false) or ended.  Returns true when
 * the sequence takes it: it must not reach the far end.  The start of a
 * valid ACK during the CAS or the window moves to ack, its end to gap;
 * another digit in the window ends the sequence (CIDCW_RESULT_BAD_ACK);
 * any digit while the far party is muted is taken.
 */
bool cidcw_digit(struct cidcw *s, char digit, bool end);

/* How the last sequence ended; resets it to CIDCW_RESULT_NONE. */
enum cidcw_result cidcw_result(struct cidcw *s);

#endif /* FXSD_CIDCW_H */
