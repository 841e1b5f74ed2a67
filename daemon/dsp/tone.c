// SPDX-License-Identifier: GPL-2.0-only
/*
 * tone.c - call-progress tones and ring cadences per country.  See tone.h.
 */
#include <math.h>
#include <string.h>
#include <strings.h>

#include "dsp/tone.h"

#define ELEMENTSOF(a)	(sizeof(a) / sizeof((a)[0]))
#define MS_SAMPLES(ms)	((uint32_t)(ms) * (TONE_RATE / 1000))

static const char *const tone_country_table[_TONE_COUNTRY_MAX] = {
	[TONE_COUNTRY_US] = "US",
	[TONE_COUNTRY_UK] = "UK",
	[TONE_COUNTRY_DE] = "DE",
	[TONE_COUNTRY_FR] = "FR",
	[TONE_COUNTRY_CN] = "CN",
};

static const char *const tone_id_table[_TONE_ID_MAX] = {
	[TONE_DIAL] = "dial",
	[TONE_RINGBACK] = "ringback",
	[TONE_BUSY] = "busy",
	[TONE_REORDER] = "reorder",
	[TONE_CALL_WAITING] = "call-waiting",
	[TONE_STUTTER] = "stutter",
	[TONE_HOWLER] = "howler",
};

const char *tone_country_to_string(enum tone_country c)
{
	if (c < 0 || c >= _TONE_COUNTRY_MAX)
		return NULL;
	return tone_country_table[c];
}

enum tone_country tone_country_from_string(const char *s)
{
	if (s)
		for (unsigned i = 0; i < _TONE_COUNTRY_MAX; i++)
			if (strcasecmp(s, tone_country_table[i]) == 0)
				return (enum tone_country)i;
	return _TONE_COUNTRY_INVALID;
}

const char *tone_id_to_string(enum tone_id t)
{
	if (t < 0 || t >= _TONE_ID_MAX)
		return NULL;
	return tone_id_table[t];
}

enum tone_id tone_id_from_string(const char *s)
{
	if (s)
		for (unsigned i = 0; i < _TONE_ID_MAX; i++)
			if (strcasecmp(s, tone_id_table[i]) == 0)
				return (enum tone_id)i;
	return _TONE_ID_INVALID;
}

/* Plan builders: frequencies, then the cadence. */
#define F(...)		.freq = { __VA_ARGS__ }
#define CONTINUOUS	.seg_ms = { 0 }, .n_seg = 1, .loop = 0
#define REPEAT(n, ...)	.seg_ms = { __VA_ARGS__ }, .n_seg = (n), .loop = 0
/* Ten 100/100 ms interruptions, then steady. */
#define STUTTER								\
	.seg_ms = { 100, 100, 100, 100, 100, 100, 100, 100, 100, 100,	\
		    100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 0 }, \
	.n_seg = 21, .loop = 20
#define HOWLER		{ F(1400, 2060, 2450, 2600), REPEAT(2, 100, 100) }
/* Sources of the call-waiting and stutter plans: tone.h. */

static const struct tone_plan plans[_TONE_COUNTRY_MAX][_TONE_ID_MAX] = {
	[TONE_COUNTRY_US] = {
		[TONE_DIAL]		= { F(350, 440), CONTINUOUS },
		[TONE_RINGBACK]		= { F(440, 480), REPEAT(2, 2000, 4000) },
		[TONE_BUSY]		= { F(480, 620), REPEAT(2, 500, 500) },
		[TONE_REORDER]		= { F(480, 620), REPEAT(2, 250, 250) },
		[TONE_CALL_WAITING]	= { F(440), REPEAT(2, 300, 10000) },
		[TONE_STUTTER]		= { F(350, 440), STUTTER },
		[TONE_HOWLER]		= HOWLER,
	},
	[TONE_COUNTRY_UK] = {
		[TONE_DIAL]		= { F(350, 440), CONTINUOUS },
		[TONE_RINGBACK]		= { F(400, 450),
					    REPEAT(4, 400, 200, 400, 2000) },
		[TONE_BUSY]		= { F(400), REPEAT(2, 375, 375) },
		[TONE_REORDER]		= { F(400),
					    REPEAT(4, 400, 350, 225, 525) },
		[TONE_CALL_WAITING]	= { F(400), REPEAT(2, 100, 4000) },
		/* 350 Hz interrupted, 440 Hz steady */
		[TONE_STUTTER]		= { F(350, 440), REPEAT(2, 750, 750),
					    .off_mask = 1u << 1 },
		[TONE_HOWLER]		= HOWLER,
	},
	[TONE_COUNTRY_DE] = {
		[TONE_DIAL]		= { F(425), CONTINUOUS },
		[TONE_RINGBACK]		= { F(425), REPEAT(2, 1000, 4000) },
		[TONE_BUSY]		= { F(425), REPEAT(2, 480, 480) },
		[TONE_REORDER]		= { F(425), REPEAT(2, 240, 240) },
		[TONE_CALL_WAITING]	= { F(425),
					    REPEAT(4, 200, 200, 200, 5000) },
		[TONE_STUTTER]		= { F(400, 425), CONTINUOUS },
		[TONE_HOWLER]		= HOWLER,
	},
	[TONE_COUNTRY_FR] = {
		[TONE_DIAL]		= { F(440), CONTINUOUS },
		[TONE_RINGBACK]		= { F(440), REPEAT(2, 1500, 3500) },
		[TONE_BUSY]		= { F(440), REPEAT(2, 500, 500) },
		[TONE_REORDER]		= { F(440), REPEAT(2, 500, 500) },
		[TONE_CALL_WAITING]	= { F(440), REPEAT(2, 300, 10000) },
		[TONE_STUTTER]		= { F(440), STUTTER },
		[TONE_HOWLER]		= HOWLER,
	},
	[TONE_COUNTRY_CN] = {
		[TONE_DIAL]		= { F(450), CONTINUOUS },
		[TONE_RINGBACK]		= { F(450), REPEAT(2, 1000, 4000) },
		[TONE_BUSY]		= { F(450), REPEAT(2, 350, 350) },
		[TONE_REORDER]		= { F(450), REPEAT(2, 700, 700) },
		[TONE_CALL_WAITING]	= { F(450), REPEAT(2, 400, 4000) },
		[TONE_STUTTER]		= { F(450), STUTTER },
		[TONE_HOWLER]		= HOWLER,
	},
};

/* Ring cadences for the driver: on/off pairs in ms, 0-terminated. */
static const uint16_t ring_cadences[_TONE_COUNTRY_MAX][TONE_CADENCE_MAX] = {
	[TONE_COUNTRY_US] = { 2000, 4000 },
	[TONE_COUNTRY_UK] = { 400, 200, 400, 2000 },
	[TONE_COUNTRY_DE] = { 1000, 4000 },
	[TONE_COUNTRY_FR] = { 1500, 3500 },
	[TONE_COUNTRY_CN] = { 1000, 4000 },
};

const struct tone_plan *tone_plan(enum tone_country c, enum tone_id t)
{
	if (c < 0 || c >= _TONE_COUNTRY_MAX || t < 0 || t >= _TONE_ID_MAX)
		return NULL;
	return &plans[c][t];
}

int tone_first_group_ms(enum tone_country c, enum tone_id t)
{
	const struct tone_plan *p = tone_plan(c, t);
	unsigned ms = 0, end = 0;

	if (!p)
		return -EINVAL;
	for (unsigned i = 0; i < p->n_seg; i++) {
		if (p->seg_ms[i] == 0)		/* forever: no end */
			return i ? (int)end : 0;
		if (i % 2 == 1 && p->seg_ms[i] >= TONE_GROUP_GAP_MS)
			break;
		ms += p->seg_ms[i];
		if (i % 2 == 0)
			end = ms;
	}
	return (int)end;
}

int tone_ring_cadence(enum tone_country c, uint32_t on_off_ms[TONE_CADENCE_MAX],
		      unsigned *ret_pairs)
{
	unsigned n = 0;

	if (c < 0 || c >= _TONE_COUNTRY_MAX || !on_off_ms || !ret_pairs)
		return -EINVAL;
	while (n < TONE_CADENCE_MAX && ring_cadences[c][n]) {
		on_off_ms[n] = ring_cadences[c][n];
		n++;
	}
	*ret_pairs = n / 2;
	return 0;
}

static void tonegen_enter(struct tonegen *g, unsigned seg)
{
	g->seg = seg;
	g->left = MS_SAMPLES(g->plan->seg_ms[seg]);
}

int tonegen_start(struct tonegen *g, enum tone_country c, enum tone_id t)
{
	const struct tone_plan *p = tone_plan(c, t);

	memset(g, 0, sizeof(*g));
	if (!p)
		return -EINVAL;
	g->plan = p;
	for (unsigned i = 0; i < TONE_FREQS_MAX; i++)
		/* f / rate of a 2^32 turn; truncating errs < 2 uHz */
		g->step[i] = (uint32_t)(((uint64_t)p->freq[i] << 32) /
					TONE_RATE);
	tonegen_enter(g, 0);
	return 0;
}

void tonegen_stop(struct tonegen *g)
{
	memset(g, 0, sizeof(*g));
}

bool tonegen_active(const struct tonegen *g)
{
	return g->plan != NULL;
}

/* The components in @mask, added to @out (or written when !@add). */
static void synth(struct tonegen *g, unsigned mask, int16_t *out, size_t n,
		  bool add)
{
	const double turn = 2.0 * M_PI / 4294967296.0;

	for (size_t i = 0; i < n; i++) {
		double v = 0.0;
		long s;

		for (unsigned k = 0; k < TONE_FREQS_MAX && g->step[k]; k++) {
			if (!(mask & (1u << k)))
				continue;
			v += sin(turn * g->phase[k]);
			g->phase[k] += g->step[k];
		}
		s = lrint(v * TONE_AMPLITUDE) + (add ? out[i] : 0);
		out[i] = (int16_t)(s > INT16_MAX ? INT16_MAX :
				   s < INT16_MIN ? INT16_MIN : s);
	}
}

static void tonegen_run(struct tonegen *g, int16_t *out, size_t n, bool add)
{
	while (n > 0) {
		const struct tone_plan *p = g->plan;
		size_t chunk = n;

		if (!p) {
			if (!add)
				memset(out, 0, n * sizeof(*out));
			return;
		}
		if (g->left && g->left < chunk)
			chunk = g->left;
		synth(g, g->seg % 2 == 0 ? 0xfu : p->off_mask, out, chunk, add);
		out += chunk;
		n -= chunk;
		if (!g->left)
			continue;	/* forever */
		g->left -= chunk;
		if (g->left)
			continue;
		if (g->seg + 1 < p->n_seg)
			tonegen_enter(g, g->seg + 1);
		else if (p->loop >= 0)
			tonegen_enter(g, p->loop);
		else
			tonegen_stop(g);
	}
}

void tonegen_fill(struct tonegen *g, int16_t *out, size_t n)
{
	tonegen_run(g, out, n, false);
}

void tonegen_mix(struct tonegen *g, int16_t *io, size_t n)
{
	tonegen_run(g, io, n, true);
}
