// SPDX-License-Identifier: GPL-2.0-only
/*
 * dtmf.c - in-band DTMF detection and generation.  See dtmf.h.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "dsp/dtmf.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Frame decision thresholds (see dtmf.h). */
#define MIN_TONE_DBM0		-40.0	/* each tone */
#define TWIST_MAX_DB		6.0	/* high above low (reverse twist) */
#define TWIST_MIN_DB		-10.0	/* high below low (normal twist) */
#define PURITY_MIN		0.90	/* tones / frame power */
#define FREQ_TOL		0.025	/* relative frequency deviation */
#define STEADY_DB		3.0	/* tone level change between frames */
#define STEADY_FREQ		0.012	/* relative frequency change */

const char dtmf_digits[17] = "123A456B789C*0#D";

static const unsigned dtmf_freq[8] = {
	697, 770, 852, 941,		/* low group: rows */
	1209, 1336, 1477, 1633,		/* high group: columns */
};

int dtmf_digit_freqs(char digit, unsigned *ret_low, unsigned *ret_high)
{
	const char *p;

	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	if (digit == '\0' || !(p = strchr(dtmf_digits, digit)))
		return -EINVAL;
	if (ret_low)
		*ret_low = dtmf_freq[(p - dtmf_digits) / 4];
	if (ret_high)
		*ret_high = dtmf_freq[4 + (p - dtmf_digits) % 4];
	return 0;
}

/* Sine power (mean square) of a tone at @dbm0. */
static double dbm0_power(double dbm0)
{
	return DTMF_0DBM0_PEAK * DTMF_0DBM0_PEAK / 2.0 * pow(10.0, dbm0 / 10.0);
}

void dtmf_detector_init(struct dtmf_detector *d, dtmf_event_fn fn, void *userdata)
{
	memset(d, 0, sizeof(*d));
	d->fn = fn;
	d->userdata = userdata;
	for (unsigned n = 0; n < DTMF_FRAME; n++) {
		/* periodic Hann: w = sin^2(pi (n + 0.5) / N) */
		double s = sin(M_PI * (n + 0.5) / DTMF_FRAME);

		d->win[n] = (float)(s * s);
		d->win_sum += d->win[n];
		d->win_sq_sum += d->win[n] * d->win[n];
	}
	for (unsigned k = 0; k < 8; k++) {
		double w = 2.0 * M_PI * dtmf_freq[k] / DTMF_RATE;

		for (unsigned n = 0; n < DTMF_FRAME; n++) {
			d->win_cos[k][n] = (float)(d->win[n] * cos(w * n));
			d->win_sin[k][n] = (float)(d->win[n] * sin(w * n));
		}
		d->rot_cos[k] = (float)cos(w * DTMF_HOP);
		d->rot_sin[k] = (float)sin(w * DTMF_HOP);
	}
}

char dtmf_detector_digit(const struct dtmf_detector *d)
{
	return d->digit;
}

/*
 * Frequency deviation of tone @k, in Hz, from the phase advance of its
 * DFT since the previous frame: z = X_now * conj(X_prev) * exp(-j w0 hop).
 */
static double tone_dev(const struct dtmf_detector *d, const float *re,
		       const float *im, unsigned k)
{
	double zr = (double)re[k] * d->prev_re[k] + (double)im[k] * d->prev_im[k];
	double zi = (double)im[k] * d->prev_re[k] - (double)re[k] * d->prev_im[k];
	double ar = zr * d->rot_cos[k] + zi * d->rot_sin[k];
	double ai = zi * d->rot_cos[k] - zr * d->rot_sin[k];

	return atan2(ai, ar) / (2.0 * M_PI * DTMF_HOP) * DTMF_RATE;
}

/* Analyse the frame in d->buf: the digit it carries, or 0. */
static char dtmf_frame(struct dtmf_detector *d)
{
	float re[8], im[8], pw[8], x[DTMF_FRAME];
	double frame = 0.0, norm, twist, min_tone, dev[2];
	unsigned lo = 0, hi = 4;
	char digit = 0, prev_digit = d->prev_digit;

	for (unsigned n = 0; n < DTMF_FRAME; n++) {
		x[n] = d->buf[n];
		frame += (double)(d->win[n] * x[n]) * (d->win[n] * x[n]);
	}
	/* sine power equivalents */
	frame /= d->win_sq_sum;
	norm = 2.0 / ((double)d->win_sum * d->win_sum);
	for (unsigned k = 0; k < 8; k++) {
		float r = 0.0f, i = 0.0f;

		for (unsigned n = 0; n < DTMF_FRAME; n++) {
			r += d->win_cos[k][n] * x[n];
			i -= d->win_sin[k][n] * x[n];
		}
		re[k] = r;
		im[k] = i;
		pw[k] = (float)(norm * ((double)r * r + (double)i * i));
	}
	for (unsigned k = 1; k < 4; k++)
		if (pw[k] > pw[lo])
			lo = k;
	for (unsigned k = 5; k < 8; k++)
		if (pw[k] > pw[hi])
			hi = k;

	min_tone = dbm0_power(MIN_TONE_DBM0);
	twist = pw[lo] > 0.0f && pw[hi] > 0.0f ?
		10.0 * log10((double)pw[hi] / pw[lo]) : 0.0;
	if (d->prev_valid && pw[lo] >= min_tone && pw[hi] >= min_tone &&
	    twist <= TWIST_MAX_DB && twist >= TWIST_MIN_DB &&
	    pw[lo] + pw[hi] >= PURITY_MIN * frame) {
		dev[0] = tone_dev(d, re, im, lo);
		dev[1] = tone_dev(d, re, im, hi);
		if (fabs(dev[0]) <= FREQ_TOL * dtmf_freq[lo] &&
		    fabs(dev[1]) <= FREQ_TOL * dtmf_freq[hi])
			digit = dtmf_digits[lo * 4 + (hi - 4)];
	}

	/*
	 * A digit's tones are steady; speech that passed the checks above
	 * glides in pitch and swells and fades.  Frame after frame of the
	 * same digit, each tone's level and frequency must hold.
	 */
	if (digit && digit == prev_digit) {
		for (unsigned j = 0; j < 2; j++) {
			unsigned k = j ? hi : lo;
			double ratio = (double)pw[k] / d->prev_pw[j];

			if (fabs(10.0 * log10(ratio)) > STEADY_DB ||
			    fabs(dev[j] - d->prev_dev[j]) > STEADY_FREQ * dtmf_freq[k])
				digit = 0;
		}
	}

	memcpy(d->prev_re, re, sizeof(re));
	memcpy(d->prev_im, im, sizeof(im));
	d->prev_valid = true;
	d->prev_digit = digit;
	if (digit) {
		d->prev_pw[0] = pw[lo];
		d->prev_pw[1] = pw[hi];
		d->prev_dev[0] = dev[0];
		d->prev_dev[1] = dev[1];
	}
	return digit;
}

/*
 * Tone edges from a run of frames: a frame passes once the tone fills
 * nearly all of it, so the tone's edges lie just inside the run's outer
 * frame edges.  EDGE, the distance in samples, was calibrated on tones of
 * 40-200 ms: the start and the duration come out within +-6 ms.
 */
#define EDGE	10

static void emit(struct dtmf_detector *d, bool end, uint32_t duration,
		 char *ret, size_t max, int *count)
{
	struct dtmf_event ev = {
		.digit = d->digit,
		.end = end,
		.start = d->digit_first + EDGE,
		.duration = duration,
	};

	if (end && (size_t)*count < max)
		ret[*count] = d->digit;
	if (end)
		(*count)++;
	if (d->fn)
		d->fn(d->userdata, &ev);
}

static void dtmf_step(struct dtmf_detector *d, char f, char *ret, size_t max,
		      int *count)
{
	uint64_t first = d->pos - DTMF_FRAME;	/* this frame's first sample */

	if (f && f == d->cand) {
		d->cand_frames++;
	} else {
		d->cand = f;
		d->cand_frames = 1;
		d->cand_first = first;
	}

	if (d->digit) {
		if (f == d->digit) {
			d->miss = 0;
			d->digit_last = d->pos;
			return;
		}
		if (++d->miss < DTMF_OFF_FRAMES)
			return;
		uint64_t len = d->digit_last - d->digit_first;

		len = len > 2 * EDGE ? len - 2 * EDGE : 0;
		emit(d, true, (uint32_t)len, ret, max, count);
		d->digit = 0;
	}
	if (d->cand && d->cand_frames >= DTMF_ON_FRAMES) {
		d->digit = d->cand;
		d->digit_first = d->cand_first;
		d->digit_last = d->pos;
		d->miss = 0;
		emit(d, false, 0, ret, max, count);
	}
}

int dtmf_detect(struct dtmf_detector *d, const int16_t *pcm, size_t n,
		char *ret_digits, size_t max)
{
	int count = 0;

	while (n) {
		size_t take = DTMF_FRAME - d->fill;

		if (take > n)
			take = n;
		memcpy(d->buf + d->fill, pcm, take * sizeof(*pcm));
		d->fill += (unsigned)take;
		d->pos += take;
		pcm += take;
		n -= take;
		if (d->fill < DTMF_FRAME)
			break;
		dtmf_step(d, dtmf_frame(d), ret_digits, max, &count);
		memmove(d->buf, d->buf + DTMF_HOP,
			(DTMF_FRAME - DTMF_HOP) * sizeof(*d->buf));
		d->fill = DTMF_FRAME - DTMF_HOP;
	}
	return count < 0 ? 0 : ((size_t)count > max ? (int)max : count);
}

int dtmf_gen_start(struct dtmf_gen *g, char digit, double level_dbm0,
		   double twist_db, uint32_t duration)
{
	unsigned f[2];
	double total, hi_share;

	if (dtmf_digit_freqs(digit, &f[0], &f[1]) < 0 || !(level_dbm0 <= 3.5) ||
	    !(level_dbm0 >= -63.0) || !(fabs(twist_db) <= 20.0)) {
		dtmf_gen_stop(g);
		return -EINVAL;
	}
	total = dbm0_power(level_dbm0);
	hi_share = 1.0 / (1.0 + pow(10.0, -twist_db / 10.0));
	g->amp[0] = (float)sqrt(2.0 * total * (1.0 - hi_share));
	g->amp[1] = (float)sqrt(2.0 * total * hi_share);
	for (unsigned i = 0; i < 2; i++)
		g->step[i] = (uint32_t)llround(f[i] * 4294967296.0 / DTMF_RATE);
	g->left = duration;
	g->forever = duration == 0;
	g->active = true;
	return 0;
}

void dtmf_gen_stop(struct dtmf_gen *g)
{
	g->active = false;
	g->forever = false;
	g->left = 0;
}

bool dtmf_gen_active(const struct dtmf_gen *g)
{
	return g->active;
}

size_t dtmf_gen_fill(struct dtmf_gen *g, int16_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n && g->active; i++) {
		double v = 0.0;

		for (unsigned j = 0; j < 2; j++) {
			v += g->amp[j] * sin(g->phase[j] * (2.0 * M_PI / 4294967296.0));
			g->phase[j] += g->step[j];
		}
		v = lrint(v);
		out[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		if (!g->forever && --g->left == 0)
			g->active = false;
	}
	if (i < n)
		memset(out + i, 0, (n - i) * sizeof(*out));
	return i;
}
