// SPDX-License-Identifier: GPL-2.0-only
/* echo.c - see echo.h */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_echo.h>

#include "dsp/echo.h"

#define RATE		8000
#define ERLE_WINDOW	50	/* frames: 1 s */
#define DIVERGE_DB	3.0	/* linear output this much above its input */
#define DIVERGE_WINDOW	10	/* frames (200 ms) it is judged over */
#define CONVERGED_DB	6.0	/* linear ERLE from which the delay is read */

/*
 * The residual suppressor (NLP), on the frame the linear filter just gave
 * (no look-ahead, no added delay).  It follows the coupling from the far
 * end to the linear filter's output (residual echo / reference power,
 * in dB) over frames with the far end active and the near end quiet, and
 * takes a frame for near-end speech when the output is NLP_NEAR_DB above
 * what that coupling predicts and a fair share of the input (the filter
 * took little from it).  Until the linear filter has converged (its ERLE
 * over the last DIVERGE_WINDOW far-end frames below CONVERGED_DB), the
 * coupling is not known yet, and a frame whose input is within
 * NLP_GEIGEL_DB of the far end's loudest recent frame is near-end speech
 * too (Geigel's test: louder than the echo of a line with G.168's 6 dB of
 * return loss can be); else talk at the far end's level from the start
 * of a call would be taken for echo, and the coupling learnt from it,
 * for as long as both talk.  Far end only: the frame is attenuated by
 * NLP_ATTEN_DB; near end (or double talk), or far end silent: it passes
 * unchanged, for NLP_HANG frames more after the near end stopped.
 */
#define NLP_REF_FRAMES	4	/* reference frames the echo can come from */
#define NLP_FAR_POWER	1e4	/* far end active: about -44 dBm0 */
#define NLP_FLOOR_POWER	40.0	/* below this the output is quiet anyway */
#define NLP_NEAR_DB	6.0	/* talk: this far above the coupling... */
#define NLP_NEAR_SHARE	0.05	/* and the output within 13 dB of the input
				 * but below it: early in the call, a residual
				 * of the converging filter is not talk; nor
				 * is an output louder than its input */
#define NLP_GEIGEL_DB	6.0	/* the least return loss of the line */
#define NLP_ATTEN_DB	40.0
#define NLP_HANG	3	/* frames (60 ms) */
#define NLP_DOWN	0.3	/* coupling: towards a lower value (per frame) */
#define NLP_UP		0.05	/* towards a higher one */
#define NLP_CREEP_DB	0.05	/* per double-talk frame, so a changed echo
				 * path is learnt even if taken for talk */

struct echo_canceller {
	SpeexEchoState *echo;
	bool suppress;			/* the residual suppressor wanted */
	/* residual suppressor: reference power of the last frames, the
	 * coupling estimate (dB), near-end hangover, the gain applied at
	 * the end of the last frame */
	double ref_pow[NLP_REF_FRAMES];
	unsigned ref_pos;
	double coupling_db;
	unsigned hang;
	double gain;
	/* ERLE: input and output power of far-end-only frames */
	double win_in[ERLE_WINDOW], win_out[ERLE_WINDOW];
	unsigned int win_pos, win_len;
	double total_in, total_out;
	double total_ref;		/* ... and of their reference (ERL) */
	/* the same for the linear filter's output, and its health */
	double win_lin[ERLE_WINDOW];
	unsigned long far_frames;
	double delay_ms;
	bool diverged;
	unsigned divergences;
	unsigned taps;
	spx_int32_t *ir;
	/* a data call (the Line decides, dsp/modem.c tells) */
	bool bypass;			/* the canceller off */
	bool no_suppress;		/* the residual suppressor off */
};

static double power(const int16_t *x, size_t n)
{
	double p = 0;
	size_t i;

	for (i = 0; i < n; i++)
		p += (double)x[i] * x[i];
	return p / n;
}

static int16_t clip16(double v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)lrint(v);
}

static void nlp_reset(struct echo_canceller *ec)
{
	memset(ec->ref_pow, 0, sizeof(ec->ref_pow));
	ec->ref_pos = 0;
	ec->coupling_db = 0;	/* before the filter converges: the echo may be
				 * as loud as the far end */
	ec->hang = 0;
	ec->gain = 1;
}

int echo_canceller_new(unsigned tail_ms, bool suppress,
		       struct echo_canceller **ret)
{
	struct echo_canceller *ec;
	int rate = RATE, taps = 0;

	if (tail_ms < 16 || tail_ms > 256)
		return -EINVAL;
	ec = calloc(1, sizeof(*ec));
	if (!ec)
		return -ENOMEM;
	ec->echo = speex_echo_state_init(ECHO_FRAME, tail_ms * RATE / 1000);
	if (!ec->echo)
		goto fail;
	speex_echo_ctl(ec->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	speex_echo_ctl(ec->echo, SPEEX_ECHO_GET_IMPULSE_RESPONSE_SIZE, &taps);
	ec->taps = taps > 0 ? (unsigned)taps : 0;
	ec->ir = calloc(ec->taps ? ec->taps : 1, sizeof(*ec->ir));
	if (!ec->ir)
		goto fail;
	ec->suppress = suppress;
	nlp_reset(ec);
	ec->delay_ms = -1;
	*ret = ec;
	return 0;
fail:
	echo_canceller_free(ec);
	return -ENOMEM;
}

void echo_canceller_reset(struct echo_canceller *ec)
{
	speex_echo_state_reset(ec->echo);
	nlp_reset(ec);
	ec->win_pos = ec->win_len = 0;
	ec->total_in = ec->total_out = ec->total_ref = 0;
	ec->far_frames = 0;
	ec->delay_ms = -1;
	ec->diverged = false;
	ec->divergences = 0;
	ec->bypass = ec->no_suppress = false;
}

struct echo_canceller *echo_canceller_free(struct echo_canceller *ec)
{
	if (!ec)
		return NULL;
	if (ec->echo)
		speex_echo_state_destroy(ec->echo);
	free(ec->ir);
	free(ec);
	return NULL;
}

static double window_db(const double *in, const double *out, unsigned n)
{
	double a = 0, b = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		a += in[i];
		b += out[i];
	}
	return n && b > 0 ? 10 * log10(a / b) : 0;
}

/* Where the filter's energy peaks: the echo's delay behind the reference. */
static void estimate_delay(struct echo_canceller *ec)
{
	double best = 0;
	unsigned i, at = 0;

	if (!ec->taps)
		return;
	speex_echo_ctl(ec->echo, SPEEX_ECHO_GET_IMPULSE_RESPONSE, ec->ir);
	for (i = 0; i < ec->taps; i++) {
		double v = fabs((double)ec->ir[i]);

		if (v > best) {
			best = v;
			at = i;
		}
	}
	if (best > 0)
		ec->delay_ms = at * 1000.0 / RATE;
}

/* The linear filter's ERLE over the last @n far-end frames. */
static double recent_linear_db(const struct echo_canceller *ec, unsigned n)
{
	double in = 0, out = 0;
	unsigned i, k;

	for (i = 0; i < n && i < ec->win_len; i++) {
		k = (ec->win_pos + ERLE_WINDOW - 1 - i) % ERLE_WINDOW;
		in += ec->win_in[k];
		out += ec->win_lin[k];
	}
	return out > 0 ? 10 * log10(in / out) : 0;
}

/* A far-end frame measured: divergence, and now and then the delay. */
static void update_health(struct echo_canceller *ec)
{
	double lin;

	if (ec->win_len >= DIVERGE_WINDOW) {
		lin = recent_linear_db(ec, DIVERGE_WINDOW);
		if (lin <= -DIVERGE_DB && !ec->diverged) {
			ec->diverged = true;
			ec->divergences++;
		} else if (lin > 0) {
			ec->diverged = false;
		}
	}
	lin = window_db(ec->win_in, ec->win_lin, ec->win_len);
	if (ec->far_frames % ERLE_WINDOW == 0) {
		if (lin >= CONVERGED_DB)
			estimate_delay(ec);
		else
			ec->delay_ms = -1;
	}
}

/*
 * The residual suppressor on @x (the linear filter's output, power @plin;
 * the input's power @pin, the reference frame's @pref): decide on this
 * frame and apply the gain to it (no look-ahead, no delay).
 */
static void nlp_run(struct echo_canceller *ec, int16_t *x, double pin,
		    double plin, double pref)
{
	double pfar = 0, target = 1, c, g0;
	bool far, near;
	unsigned i;

	ec->ref_pow[ec->ref_pos] = pref;
	ec->ref_pos = (ec->ref_pos + 1) % NLP_REF_FRAMES;
	for (i = 0; i < NLP_REF_FRAMES; i++)
		if (ec->ref_pow[i] > pfar)
			pfar = ec->ref_pow[i];
	far = pfar > NLP_FAR_POWER;
	c = plin > 0 && pfar > 0 ? 10 * log10(plin / pfar) : -200;
	near = plin > NLP_FLOOR_POWER && c > ec->coupling_db + NLP_NEAR_DB &&
	       plin > pin * NLP_NEAR_SHARE && plin < pin;
	if (!near && far && pin > pfar * pow(10, -NLP_GEIGEL_DB / 10) &&
	    !(ec->win_len >= DIVERGE_WINDOW &&
	      recent_linear_db(ec, DIVERGE_WINDOW) >= CONVERGED_DB))
		near = true;
	if (far) {
		if (near)
			ec->coupling_db += NLP_CREEP_DB;
		else if (c < ec->coupling_db)
			ec->coupling_db += NLP_DOWN * (c - ec->coupling_db);
		else
			ec->coupling_db += NLP_UP * (c - ec->coupling_db);
	}
	if (near)
		ec->hang = NLP_HANG;
	else if (ec->hang)
		ec->hang--;
	if (far && !ec->hang)
		target = pow(10, -NLP_ATTEN_DB / 20);
	/* up at once (the near end may start right at the frame's start),
	 * down over the frame */
	g0 = target > ec->gain ? target : ec->gain;
	for (i = 0; i < ECHO_FRAME; i++) {
		double g = g0 + (target - g0) * (i + 1) / ECHO_FRAME;

		x[i] = clip16(x[i] * g);
	}
	ec->gain = target;
}

void echo_canceller_process(struct echo_canceller *ec, const int16_t *mic,
			    const int16_t *ref, int16_t *out)
{
	int16_t tmp[ECHO_FRAME];
	double pin = power(mic, ECHO_FRAME), pref = power(ref, ECHO_FRAME);
	double pout, plin;

	if (ec->bypass) {
		if (out != mic)
			memcpy(out, mic, sizeof(tmp));
		return;
	}
	speex_echo_cancellation(ec->echo, mic, ref, tmp);
	plin = power(tmp, ECHO_FRAME) + 1e-3;
	if (ec->suppress && !ec->no_suppress)
		nlp_run(ec, tmp, pin, plin, pref);
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
		ec->win_lin[ec->win_pos] = plin;
		ec->win_pos = (ec->win_pos + 1) % ERLE_WINDOW;
		ec->total_in += pin;
		ec->total_out += pout;
		ec->total_ref += pref;
		ec->far_frames++;
		update_health(ec);
	}
}

bool echo_canceller_bypassed(const struct echo_canceller *ec)
{
	return ec->bypass;
}

void echo_canceller_set_bypass(struct echo_canceller *ec, bool on)
{
	ec->bypass = on;
}

void echo_canceller_set_suppress(struct echo_canceller *ec, bool on)
{
	ec->no_suppress = !on;
}

bool echo_canceller_suppressing(const struct echo_canceller *ec)
{
	return ec->suppress && !ec->no_suppress;
}

double echo_canceller_erle_db(const struct echo_canceller *ec)
{
	return window_db(ec->win_in, ec->win_out, ec->win_len);
}

double echo_canceller_erle_total_db(const struct echo_canceller *ec)
{
	return ec->total_out > 0 ? 10 * log10(ec->total_in / ec->total_out) : 0;
}

void echo_canceller_health(const struct echo_canceller *ec,
			   struct echo_health *ret)
{
	*ret = (struct echo_health){
		.erle_db = echo_canceller_erle_total_db(ec),
		.erle_recent_db = echo_canceller_erle_db(ec),
		.linear_erle_db = window_db(ec->win_in, ec->win_lin, ec->win_len),
		.delay_ms = ec->delay_ms,
		.diverged = ec->diverged,
		.divergences = ec->divergences,
		.far_frames = ec->far_frames,
		.erl_db = ec->total_in > 0 ?
			  10 * log10(ec->total_ref / ec->total_in) : 0,
	};
}
