// SPDX-License-Identifier: GPL-2.0-only
/* echo.c - see echo.h */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

#include "echo.h"

#define RATE		8000
#define ERLE_WINDOW	50	/* frames: 1 s */
#define ANS_FREQ	2100.0
#define ANS_ON_FRAMES	10	/* 200 ms of answer tone engages the bypass */
#define ANS_OFF_FRAMES	25	/* 500 ms without it releases it */

struct echo_canceller {
	SpeexEchoState *echo;
	SpeexPreprocessState *pre;
	/* ERLE: input and output power of far-end-only frames */
	double win_in[ERLE_WINDOW], win_out[ERLE_WINDOW];
	unsigned int win_pos, win_len;
	double total_in, total_out;
	/* answer tone detector */
	unsigned int ans_run, quiet_run;
	bool bypass;
};

static double power(const int16_t *x, size_t n)
{
	double p = 0;
	size_t i;

	for (i = 0; i < n; i++)
		p += (double)x[i] * x[i];
	return p / n;
}

/* Share of the frame's power at @f (Goertzel), 0..1. */
static double tone_share(const int16_t *x, size_t n, double f)
{
	double c = 2 * cos(2 * M_PI * f / RATE), s1 = 0, s2 = 0, tot = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
		tot += (double)x[i] * x[i];
	}
	if (tot < n * 1000.0)
		return 0;
	return (s1 * s1 + s2 * s2 - c * s1 * s2) / (tot * n / 2);
}

int echo_canceller_new(unsigned tail_ms, bool suppress,
		       struct echo_canceller **ret)
{
	struct echo_canceller *ec;
	int rate = RATE, on = 1;

	if (tail_ms < 16 || tail_ms > 256)
		return -EINVAL;
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		return -ENOMEM;
	ec->echo = speex_echo_state_init(ECHO_FRAME, tail_ms * RATE / 1000);
	if (!ec->echo)
		goto fail;
	speex_echo_ctl(ec->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	if (suppress) {
		int sup = -60, sup_active = -30;

		ec->pre = speex_preprocess_state_init(ECHO_FRAME, RATE);
		if (!ec->pre)
			goto fail;
		speex_preprocess_ctl(ec->pre, SPEEX_PREPROCESS_SET_ECHO_STATE,
				     ec->echo);
		speex_preprocess_ctl(ec->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
		speex_preprocess_ctl(ec->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS,
				     &sup);
		speex_preprocess_ctl(ec->pre,
				     SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE,
				     &sup_active);
	}
	*ret = ec;
	return 0;
fail:
	echo_canceller_free(ec);
	return -ENOMEM;
}

struct echo_canceller *echo_canceller_free(struct echo_canceller *ec)
{
	if (!ec)
		return NULL;
	if (ec->pre)
		speex_preprocess_state_destroy(ec->pre);
	if (ec->echo)
		speex_echo_state_destroy(ec->echo);
	free(ec);
	return NULL;
}

static void answer_tone(struct echo_canceller *ec, const int16_t *mic,
			const int16_t *ref)
{
	bool tone = tone_share(mic, ECHO_FRAME, ANS_FREQ) > 0.7 ||
		    tone_share(ref, ECHO_FRAME, ANS_FREQ) > 0.7;

	if (tone) {
		ec->quiet_run = 0;
		if (++ec->ans_run >= ANS_ON_FRAMES)
			ec->bypass = true;
	} else {
		ec->ans_run = 0;
		if (++ec->quiet_run >= ANS_OFF_FRAMES)
			ec->bypass = false;
	}
}

void echo_canceller_process(struct echo_canceller *ec, const int16_t *mic,
			    const int16_t *ref, int16_t *out)
{
	int16_t tmp[ECHO_FRAME];
	double pin = power(mic, ECHO_FRAME), pref = power(ref, ECHO_FRAME);
	double pout;

	answer_tone(ec, mic, ref);
	if (ec->bypass) {
		if (out != mic)
			memcpy(out, mic, sizeof(tmp));
		return;
	}
	speex_echo_cancellation(ec->echo, mic, ref, tmp);
	if (ec->pre)
		speex_preprocess_run(ec->pre, tmp);
	memcpy(out, tmp, sizeof(tmp));

	/* Far end active (reference well above silence), so the input is
	 * mostly echo: count the frame for ERLE.  Double talk makes the
	 * figure pessimistic, which is the safe side. */
	if (pref > 1e4 && pin > 1.0) {
		pout = power(out, ECHO_FRAME) + 1e-3;
		if (ec->win_len < ERLE_WINDOW)
			ec->win_len++;
		ec->win_in[ec->win_pos] = pin;
		ec->win_out[ec->win_pos] = pout;
		ec->win_pos = (ec->win_pos + 1) % ERLE_WINDOW;
		ec->total_in += pin;
		ec->total_out += pout;
	}
}

bool echo_canceller_bypassed(const struct echo_canceller *ec)
{
	return ec->bypass;
}

double echo_canceller_erle_db(const struct echo_canceller *ec)
{
	double in = 0, out = 0;
	unsigned int i;

	for (i = 0; i < ec->win_len; i++) {
		in += ec->win_in[i];
		out += ec->win_out[i];
	}
	return ec->win_len && out > 0 ? 10 * log10(in / out) : 0;
}

double echo_canceller_erle_total_db(const struct echo_canceller *ec)
{
	return ec->total_out > 0 ? 10 * log10(ec->total_in / ec->total_out) : 0;
}
