/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mixer.h - the 3-way conference mixer: the phone and two far ends each
 * hear the other two, never themselves.
 *
 * One call of mixer3() mixes one frame (160 samples, 20 ms at 8 kHz, for
 * the line's playout tick; any length works) of 16-bit linear PCM:
 *
 *	to_phone = far_a + far_b
 *	to_a     = phone + far_b
 *	to_b     = phone + far_a
 *
 * A NULL input is a silent party (not in the conference: held, or its
 * call gone); packet loss is not the mixer's business, the jitter buffer
 * conceals it before.  A NULL output is not computed.  An output may be
 * the very buffer of an input (mixing in place: each sample is read in
 * all three inputs before it is written); other overlaps are not allowed.
 *
 * Level.  The sums are plain (unity gain: a party heard alone comes out
 * bit-exact, and two talkers at speech levels are simply added, as
 * Asterisk's ConfBridge and DAHDI's conferences do).  Only when a sum
 * would leave the 16-bit range does a peak limiter step in, one per
 * output, instead of clipping: the frame is cut into blocks of
 * MIXER_BLOCK samples; each block's gain is chosen from its own peak and
 * the next block's (within the frame), so that no sample exceeds full
 * scale, and the gain moves linearly from sample to sample inside a
 * block (no steps, no clipping).  Only an onset at the very start of a
 * frame, louder than the gain left by the previous frame allows, lowers
 * the gain in one step.  After the last block that needed it the gain
 * holds for MIXER_HOLD_MS, then returns to unity exponentially with a
 * time constant of MIXER_RELEASE_MS (back at unity about 0.35 s after a
 * full-scale burst).  Two full-scale sines summed come out at about half
 * gain, SNDR 93 dB once settled, where saturation clips the peaks of
 * every beat (12 dB); a full-scale tone switched on and off over another,
 * 33-43 dB against 15 dB (tests/daemon/test_mixer.c measures them).
 * Without a state (@m NULL) the
 * sums saturate at -32768 / 32767 instead: never a wrap-around either
 * way.
 *
 * Pure code: no I/O, no allocation, no logging; the state is the
 * caller's (one struct mixer_state per conference, mixer_init() when it
 * starts).
 */
#ifndef FXSD_MIXER_H
#define FXSD_MIXER_H

#include <stddef.h>
#include <stdint.h>

#define MIXER_RATE		8000	/* samples per second */
#define MIXER_BLOCK		16	/* samples per gain step: 2 ms */
#define MIXER_HOLD_MS		50
#define MIXER_RELEASE_MS	64
#define MIXER_UNITY		32768	/* gain 1.0 in Q15 */

/* The parties, also the index of each output's limiter. */
enum mixer_party {
	MIXER_PHONE,
	MIXER_A,
	MIXER_B,
	MIXER_PARTIES,
};

/* The limiter of one output. */
struct mixer_limiter {
	int32_t gain;		/* Q15, 1 .. MIXER_UNITY: at the end of the last frame */
	uint32_t hold;		/* blocks left before the gain may rise */
};

struct mixer_state {
	struct mixer_limiter out[MIXER_PARTIES];	/* by enum mixer_party */
};

/* Start a conference: every gain at unity. */
void mixer_init(struct mixer_state *m);

/*
 * Mix one frame of @n samples (see above).  @m is the conference's state
 * (the limiter), or NULL for plain sums saturated to 16 bits.  Any input
 * may be NULL (silence), any output NULL (not computed).
 */
void mixer3(struct mixer_state *m, const int16_t *phone, const int16_t *far_a,
	    const int16_t *far_b, size_t n, int16_t *to_phone, int16_t *to_a,
	    int16_t *to_b);

#endif /* FXSD_MIXER_H */
