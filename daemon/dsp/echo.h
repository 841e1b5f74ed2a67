/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * echo.h - line echo cancellation for one FXS port: speexdsp's adaptive
 * canceller (MDF) and a residual echo suppressor (NLP) of our own, on
 * 20 ms frames at 8 kHz.  The suppressor works on the frame the filter
 * just gave (no look-ahead: nothing is added to the delay): it learns how
 * much of the far end's power is left after the filter, takes a frame
 * with clearly more than that for near-end speech (double talk: passed
 * as it is) and attenuates the other far-end frames by 40 dB.  A data
 * call turns parts of it off (the Line decides, on what dsp/modem.c
 * recognises): the suppressor (its gain changes a modem cannot use) for
 * any fax or modem, the
 * whole canceller for the phase-reversed answer tone (ITU-T G.165/G.168).
 *
 * Per frame the Line hands in what the phone's microphone path gave
 * (near-end speech plus the hybrid's echo) and what was played to the
 * phone at the same time (the reference); it gets back the near end with
 * the echo removed.  ERLE is estimated from the powers of the input and
 * output while the far end talks and the near end is quiet.
 */
#ifndef FXSD_ECHO_H
#define FXSD_ECHO_H

#include <stdbool.h>
#include <stdint.h>

#define ECHO_FRAME	160	/* samples per frame: 20 ms at 8 kHz */

struct echo_canceller;

/*
 * @tail_ms: echo tail covered (bulk delay + dispersion), 16..256;
 * @suppress: run the residual echo suppressor.
 */
int echo_canceller_new(unsigned tail_ms, bool suppress,
		       struct echo_canceller **ret);
struct echo_canceller *echo_canceller_free(struct echo_canceller *ec);

/* One frame: @mic from the phone, @ref played to it; @out may be @mic. */
void echo_canceller_process(struct echo_canceller *ec, const int16_t *mic,
			    const int16_t *ref, int16_t *out);

/* The canceller off: the audio passes unchanged (until the reset). */
void echo_canceller_set_bypass(struct echo_canceller *ec, bool on);
bool echo_canceller_bypassed(const struct echo_canceller *ec);
/* The residual suppressor off, the linear filter on. */
void echo_canceller_set_suppress(struct echo_canceller *ec, bool on);
bool echo_canceller_suppressing(const struct echo_canceller *ec);

/*
 * Echo return loss enhancement in dB over the last second of far-end-only
 * frames (0 when there were none), and over the whole call.
 */
double echo_canceller_erle_db(const struct echo_canceller *ec);
double echo_canceller_erle_total_db(const struct echo_canceller *ec);

/*
 * Start afresh for a new call: the adaptive filter, the suppressor, the
 * figures below; the bypass off and the suppressor on again.
 */
void echo_canceller_reset(struct echo_canceller *ec);

/**
 * struct echo_health - how the canceller is doing in this call
 * @erle_db: ERLE over the call (as echo_canceller_erle_total_db())
 * @erle_recent_db: ERLE over the last second of far-end frames
 * @linear_erle_db: the same for the adaptive filter alone (before the
 *	residual suppressor), the last second
 * @delay_ms: where the echo sits behind the reference: the filter's
 *	largest tap, in ms; -1 until the filter has converged (linear ERLE
 *	6 dB or more over a second)
 * @diverged: the filter's output has been louder than its input (by 3 dB
 *	or more, over the last 200 ms of far-end frames): it adds echo; it
 *	stays set until the output is below the input again
 * @divergences: how often that began in this call
 * @far_frames: far-end frames measured
 * @erl_db: echo return loss over the call: the reference's power over
 *	the input's in those frames (the hybrid's loss; ERL + ERLE is the
 *	RERL of RFC 3611 4.7.4)
 */
struct echo_health {
	double erle_db;
	double erle_recent_db;
	double linear_erle_db;
	double delay_ms;
	bool diverged;
	unsigned divergences;
	unsigned long far_frames;
	double erl_db;
};

void echo_canceller_health(const struct echo_canceller *ec,
			   struct echo_health *ret);

#endif /* FXSD_ECHO_H */
