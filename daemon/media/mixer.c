// SPDX-License-Identifier: GPL-2.0-only
/*
 * mixer.c - the 3-way conference mixer, with a peak limiter per output.
 * See mixer.h.
 */
#include "media/mixer.h"

#define FULL_SCALE	32767
#define HOLD_BLOCKS	(MIXER_HOLD_MS * MIXER_RATE / 1000 / MIXER_BLOCK)
#define RELEASE_BLOCKS	(MIXER_RELEASE_MS * MIXER_RATE / 1000 / MIXER_BLOCK)

void mixer_init(struct mixer_state *m)
{
	for (int k = 0; k < MIXER_PARTIES; k++) {
		m->out[k].gain = MIXER_UNITY;
		m->out[k].hold = 0;
	}
}

static inline int32_t at(const int16_t *x, size_t i)
{
	return x ? x[i] : 0;
}

static inline int16_t saturate(int32_t v)
{
	if (v > 32767)
		return 32767;
	if (v < -32768)
		return -32768;
	return (int16_t)v;
}

/* The three sums of sample @i: what the phone, A and B hear. */
static inline void sums(const int16_t *const in[MIXER_PARTIES], size_t i,
			int32_t s[MIXER_PARTIES])
{
	int32_t p = at(in[MIXER_PHONE], i), a = at(in[MIXER_A], i);
	int32_t b = at(in[MIXER_B], i);

	s[MIXER_PHONE] = a + b;
	s[MIXER_A] = p + b;
	s[MIXER_B] = p + a;
}

/*
 * The highest gain (Q15) at which each sum of samples @start..@start+@len
 * stays within full scale: |sum| * gain <= FULL_SCALE * MIXER_UNITY.
 */
static void block_need(const int16_t *const in[MIXER_PARTIES], size_t start,
		       size_t len, int32_t need[MIXER_PARTIES])
{
	int32_t peak[MIXER_PARTIES] = { 0 }, s[MIXER_PARTIES];

	for (size_t i = start; i < start + len; i++) {
		sums(in, i, s);
		for (int k = 0; k < MIXER_PARTIES; k++) {
			int32_t v = s[k] < 0 ? -s[k] : s[k];

			if (v > peak[k])
				peak[k] = v;
		}
	}
	for (int k = 0; k < MIXER_PARTIES; k++)
		need[k] = peak[k] <= FULL_SCALE ? MIXER_UNITY :
			(int32_t)((int64_t)FULL_SCALE * MIXER_UNITY / peak[k]);
}

/*
 * One block of limiter @l: the block needs at most @need, the next one
 * @next.  Sets *@ret_start and returns the gain at the block's end, both
 * <= @need; the gain in between is linear, so <= @need too.
 */
static int32_t limiter_block(struct mixer_limiter *l, int32_t need,
			     int32_t next, int32_t *ret_start)
{
	int32_t g = l->gain, lim = need < next ? need : next, end;

	if (g > need) {
		/* An onset at a frame's start: the one step down. */
		g = need;
		l->hold = HOLD_BLOCKS;
	}
	if (lim < MIXER_UNITY && lim <= g) {
		end = lim;
		l->hold = HOLD_BLOCKS;
	} else if (l->hold) {
		l->hold--;
		end = g;
	} else {
		int32_t up = (MIXER_UNITY - g) / RELEASE_BLOCKS;

		/* The tail in steps of 1/2048 (0.004 dB), not of 1/32768. */
		end = g + (up > MIXER_UNITY / 2048 ? up : MIXER_UNITY / 2048);
		if (end > lim)
			end = lim;
	}
	*ret_start = g;
	l->gain = end;
	return end;
}

/* @s * @g / MIXER_UNITY, rounded half away from zero, saturated. */
static inline int16_t scale(int32_t s, int32_t g)
{
	int64_t v = (int64_t)s * g;

	v = v >= 0 ? (v + MIXER_UNITY / 2) / MIXER_UNITY :
		-((-v + MIXER_UNITY / 2) / MIXER_UNITY);
	return saturate((int32_t)v);
}

void mixer3(struct mixer_state *m, const int16_t *phone, const int16_t *far_a,
	    const int16_t *far_b, size_t n, int16_t *to_phone, int16_t *to_a,
	    int16_t *to_b)
{
	const int16_t *const in[MIXER_PARTIES] = { phone, far_a, far_b };
	int16_t *const out[MIXER_PARTIES] = { to_phone, to_a, to_b };
	int32_t need[MIXER_PARTIES], next[MIXER_PARTIES], s[MIXER_PARTIES];
	int32_t g0[MIXER_PARTIES] = { 0 }, g1[MIXER_PARTIES] = { 0 };
	size_t start, len;

	if (!m) {
		for (size_t i = 0; i < n; i++) {
			sums(in, i, s);
			for (int k = 0; k < MIXER_PARTIES; k++)
				if (out[k])
					out[k][i] = saturate(s[k]);
		}
		return;
	}

	if (n)
		block_need(in, 0, n < MIXER_BLOCK ? n : MIXER_BLOCK, need);
	for (start = 0; start < n; start += len) {
		size_t after;

		len = n - start < MIXER_BLOCK ? n - start : MIXER_BLOCK;
		after = start + len;
		/*
		 * The next block is read before this one is written, so
		 * that an output may be an input's buffer.
		 */
		if (after < n)
			block_need(in, after, n - after < MIXER_BLOCK ?
				   n - after : MIXER_BLOCK, next);
		else
			for (int k = 0; k < MIXER_PARTIES; k++)
				next[k] = need[k];
		for (int k = 0; k < MIXER_PARTIES; k++)
			if (out[k])
				g1[k] = limiter_block(&m->out[k], need[k],
						      next[k], &g0[k]);
		for (size_t j = 0; j < len; j++) {
			sums(in, start + j, s);
			for (int k = 0; k < MIXER_PARTIES; k++) {
				int32_t g;

				if (!out[k])
					continue;
				g = g0[k] + (g1[k] - g0[k]) *
					(int32_t)(j + 1) / (int32_t)len;
				out[k][start + j] = g == MIXER_UNITY ?
					saturate(s[k]) : scale(s[k], g);
			}
		}
		for (int k = 0; k < MIXER_PARTIES; k++)
			need[k] = next[k];
	}
}
