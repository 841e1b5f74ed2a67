// SPDX-License-Identifier: GPL-2.0-only
/* modem.c - see modem.h */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include <spandsp.h>

#include "dsp/modem.h"

#define RATE	8000
#define FREQ_CHUNKS	16	/* the frequency estimate: 16 chunks of 160 */
#define ANS_FREQ	2100.0
#define BELL_FREQ	2225.0
/* V.25: 2100 +-15 Hz; Bell: 2225 +-15 Hz (+3 Hz for the estimate) */
#define FREQ_TOL	18.0

enum {
	DET_ANS,	/* 2100 Hz, AM and phase reversals told apart */
	DET_CNG,
	DET_PREAMBLE,	/* V.21 flags (or ANS, reported by DET_ANS) */
	DET_BELL,
	_DET_MAX,
};

static const int det_mode[_DET_MAX] = {
	[DET_ANS] = MODEM_CONNECT_TONES_ANSAM_PR,
	[DET_CNG] = MODEM_CONNECT_TONES_FAX_CNG,
	[DET_PREAMBLE] = MODEM_CONNECT_TONES_FAX_CED_OR_PREAMBLE,
	[DET_BELL] = MODEM_CONNECT_TONES_BELL_ANS,
};

struct modem_detector;

struct det {
	struct modem_detector *d;
	modem_connect_tones_rx_state_t *rx;
};

struct modem_detector {
	struct det det[_DET_MAX];
	uint64_t clock;			/* samples fed since the reset */
	uint64_t cng_start;		/* when 1100 Hz was reported */
	bool cng_on;
	/* lag-0 and lag-1 autocorrelation of the last chunks: for one
	 * tone r1/r0 = cos(2 pi f / RATE), whatever its amplitude (AM) */
	double r0[FREQ_CHUNKS], r1[FREQ_CHUNKS];
	unsigned chunk;
	int16_t last;
	enum modem_tone seen;		/* in the current call */
	enum modem_tone now;		/* in the current process() */
};

static const char *const tone_names[_MODEM_TONE_MAX] = {
	[MODEM_TONE_NONE] = "none",
	[MODEM_TONE_CNG] = "CNG",
	[MODEM_TONE_V21] = "V.21 preamble",
	[MODEM_TONE_BELL_ANS] = "Bell ANS",
	[MODEM_TONE_ANS] = "ANS",
	[MODEM_TONE_ANSAM] = "ANSam",
	[MODEM_TONE_ANS_PR] = "/ANS",
	[MODEM_TONE_ANSAM_PR] = "/ANSam",
};

const char *modem_tone_to_string(enum modem_tone t)
{
	return (unsigned)t < _MODEM_TONE_MAX ? tone_names[t] : "?";
}

bool modem_tone_disables_ec(enum modem_tone t)
{
	return t == MODEM_TONE_ANS_PR || t == MODEM_TONE_ANSAM_PR;
}

/* The dominant frequency of the last FREQ_CHUNKS chunks, Hz. */
static double dominant_freq(const struct modem_detector *d)
{
	double r0 = 0, r1 = 0;

	for (int i = 0; i < FREQ_CHUNKS; i++) {
		r0 += d->r0[i];
		r1 += d->r1[i];
	}
	if (r0 <= 0)
		return 0;
	return acos(fmax(-1.0, fmin(1.0, r1 / r0))) * RATE / (2 * M_PI);
}

/* spandsp's tone detectors are wider than the standards: the frequency
 * is checked here. */
static bool freq_near(const struct modem_detector *d, double want)
{
	return fabs(dominant_freq(d) - want) <= FREQ_TOL;
}

static void note(struct modem_detector *d, enum modem_tone t)
{
	if (t >= MODEM_TONE_ANS && !freq_near(d, ANS_FREQ))
		return;
	if (t == MODEM_TONE_BELL_ANS && !freq_near(d, BELL_FREQ))
		return;
	if (t > d->now)
		d->now = t;
}

/* spandsp's report: a tone began (or, MODEM_CONNECT_TONES_NONE, ended). */
static void tone_report(void *user, int tone, int level, int delay)
{
	struct det *e = user;
	struct modem_detector *d = e->d;

	(void)level;
	(void)delay;
	switch (tone) {
	case MODEM_CONNECT_TONES_FAX_CNG:
		d->cng_on = true;
		d->cng_start = d->clock;
		break;
	case MODEM_CONNECT_TONES_NONE:
		/* spandsp reports 1100 Hz some 400 ms into it: a burst
		 * ends within MODEM_CNG_MAX_MS - 400 ms of that */
		if (e == &d->det[DET_CNG] && d->cng_on &&
		    d->clock - d->cng_start <=
		    (uint64_t)(MODEM_CNG_MAX_MS - 400) * RATE / 1000)
			note(d, MODEM_TONE_CNG);
		if (e == &d->det[DET_CNG])
			d->cng_on = false;
		break;
	case MODEM_CONNECT_TONES_ANS:
		note(d, MODEM_TONE_ANS);
		break;
	case MODEM_CONNECT_TONES_ANS_PR:
		note(d, MODEM_TONE_ANS_PR);
		break;
	case MODEM_CONNECT_TONES_ANSAM:
		note(d, MODEM_TONE_ANSAM);
		break;
	case MODEM_CONNECT_TONES_ANSAM_PR:
		note(d, MODEM_TONE_ANSAM_PR);
		break;
	case MODEM_CONNECT_TONES_FAX_PREAMBLE:
		note(d, MODEM_TONE_V21);
		break;
	case MODEM_CONNECT_TONES_BELL_ANS:
		note(d, MODEM_TONE_BELL_ANS);
		break;
	default:
		break;
	}
}

static int det_init(struct modem_detector *d, int i)
{
	d->det[i].d = d;
	d->det[i].rx = modem_connect_tones_rx_init(NULL, det_mode[i],
						   tone_report, &d->det[i]);
	return d->det[i].rx ? 0 : -ENOMEM;
}

int modem_detector_new(struct modem_detector **ret)
{
	struct modem_detector *d = calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	for (int i = 0; i < _DET_MAX; i++)
		if (det_init(d, i) < 0) {
			modem_detector_free(d);
			return -ENOMEM;
		}
	*ret = d;
	return 0;
}

struct modem_detector *modem_detector_free(struct modem_detector *d)
{
	if (!d)
		return NULL;
	for (int i = 0; i < _DET_MAX; i++)
		if (d->det[i].rx)
			modem_connect_tones_rx_free(d->det[i].rx);
	free(d);
	return NULL;
}

void modem_detector_reset(struct modem_detector *d)
{
	/* spandsp re-initialises a state in place */
	for (int i = 0; i < _DET_MAX; i++)
		modem_connect_tones_rx_init(d->det[i].rx, det_mode[i],
					    tone_report, &d->det[i]);
	d->clock = d->cng_start = 0;
	d->cng_on = false;
	d->seen = d->now = MODEM_TONE_NONE;
	for (int i = 0; i < FREQ_CHUNKS; i++)
		d->r0[i] = d->r1[i] = 0;
	d->chunk = 0;
	d->last = 0;
}

enum modem_tone modem_detector_process(struct modem_detector *d,
				       const int16_t *x, size_t n)
{
	enum modem_tone t = MODEM_TONE_NONE;

	while (n > 0) {
		int c = n > 160 ? 160 : (int)n;
		double r0 = 0, r1 = 0;

		for (int i = 0; i < c; i++) {
			r0 += (double)x[i] * x[i];
			r1 += (double)x[i] * (i ? x[i - 1] : d->last);
		}
		d->last = x[c - 1];
		d->r0[d->chunk] = r0;
		d->r1[d->chunk] = r1;
		d->chunk = (d->chunk + 1) % FREQ_CHUNKS;
		d->now = MODEM_TONE_NONE;
		for (int i = 0; i < _DET_MAX; i++)
			modem_connect_tones_rx(d->det[i].rx, x, c);
		d->clock += (uint64_t)c;
		if (d->now > d->seen) {
			d->seen = d->now;
			t = d->now;
		}
		x += c;
		n -= (size_t)c;
	}
	return t;
}

enum modem_tone modem_detector_tone(const struct modem_detector *d)
{
	return d->seen;
}
