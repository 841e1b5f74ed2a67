/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * jitter.h - adaptive playout (jitter) buffer for 8 kHz G.711 audio, on
 * speexdsp's JitterBuffer, with packet-loss concealment.
 *
 * The receiver puts each packet's decoded samples as they arrive
 * (jitter_put, with the RTP SSRC, sequence number and timestamp; the span
 * is the number of samples); the playout clock takes one frame per tick
 * (jitter_get, typically 160 samples every 20 ms, whatever the packets'
 * ptime).  speexdsp orders the packets by timestamp and adapts the delay
 * to the late packets it sees (steps of JITTER_DELAY_STEP samples).  On
 * top of it this module:
 *
 * - drops duplicates (a window of the last 64 sequence numbers) and counts
 *   packets that arrive after their playout time ("late loss");
 * - keeps a stall out of speexdsp's delay history: when packets arrive
 *   after JITTER_STALL_GAP without any, the late ones among them (held by
 *   the stall) are counted late but not given to speexdsp, whose delay
 *   would otherwise stay up by the stall's length for its whole history
 *   (about 20 s); other late packets still go in, so a lasting change of
 *   the network delay (no burst) is followed as before;
 * - moves the delay speexdsp chooses (drops or inserts audio) only after
 *   a quiet frame (RMS below JITTER_QUIET_RMS: a pause, comfort noise),
 *   or after JITTER_LOUD_MAX ticks without one (a tone, music), so the
 *   splices fall in pauses; a packet missing at its time still makes the
 *   buffer grow at once (speexdsp's forced insertion: it is a
 *   concealment anyway);
 * - starts over (reset) when the SSRC changes;
 * - rebases the timestamps when they jump against the sequence numbers
 *   (more than JITTER_JUMP_BACK samples backwards or JITTER_JUMP_FWD
 *   forwards, or a sequence jump of more than 3000): the new packets then
 *   continue the timeline where the old ones ended (or at the playout
 *   point if that is later), without a pause or a reset;
 * - conceals lost audio in the spirit of ITU-T G.711 Appendix I: the last
 *   pitch period (40-120 samples, found by normalised autocorrelation of
 *   the last 20 ms) is repeated, over 2 and then 3 periods after 10 and
 *   20 ms; attenuated by 20 % per 10 ms after the first 10 ms, silent from
 *   60 ms on; when audio resumes the synthetic signal and the real one are
 *   cross-faded over a quarter period plus 4 ms per 10 ms erased (at most
 *   10 ms).  The same cross-fade smooths the splices where the buffer
 *   shrinks (skips audio) or grows (inserts synthetic audio).
 *
 * Pure code but for speexdsp's allocations: no I/O, no clock; single
 * threaded.
 */
#ifndef FXSD_JITTER_H
#define FXSD_JITTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JITTER_RATE		8000
#define JITTER_SPAN_MAX		960	/* samples: 120 ms, the longest packet */
#define JITTER_FRAME_MAX	960	/* samples per jitter_get() */
#define JITTER_DELAY_STEP	40	/* samples (5 ms) */
#define JITTER_JUMP_BACK	320	/* samples */
#define JITTER_JUMP_FWD		8000	/* samples */
#define JITTER_DUP_WINDOW	64	/* sequence numbers */
#define JITTER_STALL_GAP	800	/* samples (100 ms) without arrivals */
#define JITTER_FIXED_MIN	480	/* samples (60 ms): the fixed mode's
					 * least delay behind the newest audio */
#define JITTER_QUIET_RMS	100	/* a frame below this RMS (about
					 * -44 dBm0) is quiet */
#define JITTER_LOUD_MAX		250	/* ticks (5 s at 20 ms) without a
					 * quiet frame: adjust anyway */

struct jitter;

/* What jitter_get() produced. */
enum jitter_status {
	JITTER_IDLE = 0,	/* no audio yet (or since a reset): silence */
	JITTER_AUDIO = 1,	/* received audio only */
	JITTER_CONCEALED = 2,	/* some or all of it synthetic (loss, late
				 * packet, buffer growing) */
};

/* What jitter_put() did with a packet. */
enum jitter_put_result {
	JITTER_PUT_OK = 0,
	JITTER_PUT_LATE = 1,	/* after its playout time: counted, not played */
	JITTER_PUT_DUPLICATE = 2,	/* seen already: dropped */
};

/**
 * struct jitter_stats - counters since jitter_new() (jitter_reset() keeps
 *	them)
 * @packets: packets put (all of them)
 * @duplicates: dropped as duplicates
 * @late: arrived after their playout time (late loss)
 * @frames: jitter_get() calls
 * @frames_audio: ... that returned JITTER_AUDIO
 * @frames_concealed: ... that concealed a loss (a missing or late packet)
 * @samples_concealed: synthetic samples for losses
 * @samples_inserted: synthetic samples for growing the buffer
 * @samples_dropped: received samples skipped to shrink the buffer
 * @resets: starts over (SSRC change, long outage)
 * @ts_jumps: timestamp jumps rebased
 * @stall_late: late packets that ended a stall (in @late; not taught to
 *	speexdsp)
 * @delay: buffering delay of the last packet played, samples: from the
 *	tick before it arrived to the one that started playing it (the
 *	phase of the arrival within a tick is not known: up to one frame
 *	more)
 * @delay_avg: its moving average (1/16 per packet played), samples
 * @delay_mean: its mean over every packet played, samples
 */
struct jitter_stats {
	uint64_t packets;
	uint64_t duplicates;
	uint64_t late;
	uint64_t frames;
	uint64_t frames_audio;
	uint64_t frames_concealed;
	uint64_t samples_concealed;
	uint64_t samples_inserted;
	uint64_t samples_dropped;
	uint64_t resets;
	uint64_t ts_jumps;
	uint64_t stall_late;
	uint32_t delay;
	double delay_avg;
	double delay_mean;
};

/* A new, empty buffer; NULL when out of memory. */
struct jitter *jitter_new(void);
/* NULL-safe; returns NULL. */
struct jitter *jitter_free(struct jitter *j);
/* Drop every buffered packet and start over with the next one (the
 * concealment's history is kept, so the next audio is joined smoothly). */
void jitter_reset(struct jitter *j);

/*
 * Put the @n decoded samples (1..JITTER_SPAN_MAX) of the packet @seq with
 * RTP timestamp @ts from @ssrc.  Returns an enum jitter_put_result, or
 * -EINVAL.
 */
int jitter_put(struct jitter *j, uint32_t ssrc, uint16_t seq, uint32_t ts,
	       const int16_t *pcm, size_t n);

/*
 * One playout tick: fill @pcm with the next @n samples (1..
 * JITTER_FRAME_MAX).  Returns an enum jitter_status, or -EINVAL (nothing
 * written).
 */
int jitter_get(struct jitter *j, int16_t *pcm, size_t n);

void jitter_get_stats(const struct jitter *j, struct jitter_stats *ret);

/*
 * A data call (fax, modem; ITU-T V.152's voiceband data): @on holds the
 * playout delay where it is (at least JITTER_FIXED_MIN behind the newest
 * audio received) and stops the concealment: a lost or late packet
 * plays as silence, nothing is skipped or inserted.  Off (the call
 * ended) starts the adaptive buffer over.
 */
void jitter_set_fixed(struct jitter *j, bool on);
bool jitter_fixed(const struct jitter *j);

#endif /* FXSD_JITTER_H */
