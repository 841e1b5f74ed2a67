// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tone.c - unit tests of tone.c: every tone of every country is
 * generated for 12 s in odd-sized pieces and measured: the on/off cadence
 * from a 1 ms peak detector, each component's frequency by a fine Goertzel
 * scan, its level, and that nothing else is in the signal.
 */
#include <math.h>
#include <stdlib.h>

#include "dsp/tone.h"
#include "unit.h"

#define RATE		8000
#define SECONDS		12
#define NSAMPLES	(SECONDS * RATE)
#define BLOCK		8		/* 1 ms */
#define NBLOCKS		(NSAMPLES / BLOCK)
#define CHUNK		37
#define FREQ_SAMPLES	16000		/* up to 2 s of sound for the scan */

/* ALT: the first component follows the cadence, the others sound
 * throughout (checked by check_alt()). */
enum mode { CONT, REPEAT, ONCE, STUTTER, ALT };

/* The plans as the brief states them, written out independently. */
struct expect {
	enum tone_country c;
	enum tone_id t;
	double f[4];
	enum mode mode;
	unsigned ms[8];			/* on, off, ...; 0 ends */
};

#define ROH { 1400, 2060, 2450, 2600 }

static const struct expect expects[] = {
	{ TONE_COUNTRY_US, TONE_DIAL, { 350, 440 }, CONT, { 0 } },
	{ TONE_COUNTRY_US, TONE_RINGBACK, { 440, 480 }, REPEAT, { 2000, 4000 } },
	{ TONE_COUNTRY_US, TONE_BUSY, { 480, 620 }, REPEAT, { 500, 500 } },
	{ TONE_COUNTRY_US, TONE_REORDER, { 480, 620 }, REPEAT, { 250, 250 } },
	{ TONE_COUNTRY_US, TONE_CALL_WAITING, { 440 }, REPEAT, { 300, 10000 } },
	{ TONE_COUNTRY_US, TONE_STUTTER, { 350, 440 }, STUTTER, { 0 } },
	{ TONE_COUNTRY_US, TONE_HOWLER, ROH, REPEAT, { 100, 100 } },

	{ TONE_COUNTRY_UK, TONE_DIAL, { 350, 440 }, CONT, { 0 } },
	{ TONE_COUNTRY_UK, TONE_RINGBACK, { 400, 450 }, REPEAT,
	  { 400, 200, 400, 2000 } },
	{ TONE_COUNTRY_UK, TONE_BUSY, { 400 }, REPEAT, { 375, 375 } },
	{ TONE_COUNTRY_UK, TONE_REORDER, { 400 }, REPEAT,
	  { 400, 350, 225, 525 } },
	{ TONE_COUNTRY_UK, TONE_CALL_WAITING, { 400 }, REPEAT, { 100, 4000 } },
	{ TONE_COUNTRY_UK, TONE_STUTTER, { 350, 440 }, ALT, { 750, 750 } },
	{ TONE_COUNTRY_UK, TONE_HOWLER, ROH, REPEAT, { 100, 100 } },

	{ TONE_COUNTRY_DE, TONE_DIAL, { 425 }, CONT, { 0 } },
	{ TONE_COUNTRY_DE, TONE_RINGBACK, { 425 }, REPEAT, { 1000, 4000 } },
	{ TONE_COUNTRY_DE, TONE_BUSY, { 425 }, REPEAT, { 480, 480 } },
	{ TONE_COUNTRY_DE, TONE_REORDER, { 425 }, REPEAT, { 240, 240 } },
	{ TONE_COUNTRY_DE, TONE_CALL_WAITING, { 425 }, REPEAT,
	  { 200, 200, 200, 5000 } },
	{ TONE_COUNTRY_DE, TONE_STUTTER, { 400, 425 }, CONT, { 0 } },
	{ TONE_COUNTRY_DE, TONE_HOWLER, ROH, REPEAT, { 100, 100 } },

	{ TONE_COUNTRY_FR, TONE_DIAL, { 440 }, CONT, { 0 } },
	{ TONE_COUNTRY_FR, TONE_RINGBACK, { 440 }, REPEAT, { 1500, 3500 } },
	{ TONE_COUNTRY_FR, TONE_BUSY, { 440 }, REPEAT, { 500, 500 } },
	{ TONE_COUNTRY_FR, TONE_REORDER, { 440 }, REPEAT, { 500, 500 } },
	{ TONE_COUNTRY_FR, TONE_CALL_WAITING, { 440 }, REPEAT, { 300, 10000 } },
	{ TONE_COUNTRY_FR, TONE_STUTTER, { 440 }, STUTTER, { 0 } },
	{ TONE_COUNTRY_FR, TONE_HOWLER, ROH, REPEAT, { 100, 100 } },

	{ TONE_COUNTRY_CN, TONE_DIAL, { 450 }, CONT, { 0 } },
	{ TONE_COUNTRY_CN, TONE_RINGBACK, { 450 }, REPEAT, { 1000, 4000 } },
	{ TONE_COUNTRY_CN, TONE_BUSY, { 450 }, REPEAT, { 350, 350 } },
	{ TONE_COUNTRY_CN, TONE_REORDER, { 450 }, REPEAT, { 700, 700 } },
	{ TONE_COUNTRY_CN, TONE_CALL_WAITING, { 450 }, REPEAT, { 400, 4000 } },
	{ TONE_COUNTRY_CN, TONE_STUTTER, { 450 }, STUTTER, { 0 } },
	{ TONE_COUNTRY_CN, TONE_HOWLER, ROH, REPEAT, { 100, 100 } },
};

/* The expected on/off state of each ms of the 12 s. */
static void expected_timeline(const struct expect *e, unsigned char *on)
{
	unsigned n = 0, t = 0, i = 0;

	while (n < 8 && e->ms[n])
		n++;
	switch (e->mode) {
	case CONT:
		memset(on, 1, NBLOCKS);
		return;
	case STUTTER:
		for (t = 0; t < NBLOCKS; t++)
			on[t] = t >= 2000 || (t / 100) % 2 == 0;
		return;
	case ALT:
	case ONCE:
	case REPEAT:
		memset(on, 0, NBLOCKS);
		while (t < NBLOCKS) {
			for (unsigned k = 0; k < e->ms[i] && t < NBLOCKS; k++)
				on[t++] = i % 2 == 0;
			if (++i == n) {
				if (e->mode == ONCE)
					return;
				i = 0;
			}
		}
		return;
	}
}

struct run {
	int on;
	unsigned ms;
};

static unsigned runs_of(const unsigned char *on, struct run *r)
{
	unsigned n = 0;

	for (unsigned t = 0; t < NBLOCKS; t++) {
		if (n && r[n - 1].on == on[t]) {
			r[n - 1].ms++;
		} else {
			r[n].on = on[t];
			r[n].ms = 1;
			n++;
		}
	}
	return n;
}

/* |X(f)| / (N/2): the amplitude of the component at @f. */
static double goertzel_amp(const int16_t *x, size_t n, double f)
{
	double w = 2.0 * M_PI * f / RATE, coef = 2.0 * cos(w);
	double s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s0 = x[i] + coef * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return sqrt(s1 * s1 + s2 * s2 - coef * s1 * s2) * 2.0 / n;
}

static int16_t samples[NSAMPLES];
static int16_t sound[FREQ_SAMPLES];
static unsigned char want_on[NBLOCKS], got_on[NBLOCKS];
static struct run want_runs[NBLOCKS], got_runs[NBLOCKS];

/*
 * ALT plans (UK stutter): in each 100 ms block that lies inside one
 * segment (350 and 440 Hz make whole cycles in 100 ms: no leakage between
 * them), the first component is at -13 dBm0 in the on segments and absent
 * in the off ones, the others are at -13 dBm0 throughout.
 */
static void check_alt(const struct expect *e, const unsigned char *on)
{
	const char *cs = tone_country_to_string(e->c);
	unsigned checked = 0;

	for (unsigned b = 0; b + 100 <= NBLOCKS; b += 100) {
		const int16_t *x = samples + b * BLOCK;
		double a;

		if (on[b] != on[b + 99])
			continue;
		checked++;
		a = goertzel_amp(x, 800, e->f[0]);
		CHECK(on[b] ? fabs(a - 5070) < 5070 * 0.02 : a < 5070 * 0.001,
		      "%s alt: %.0f Hz at %.0f in block %u ms (%s)", cs, e->f[0],
		      a, b, on[b] ? "on" : "off");
		for (unsigned k = 1; k < 4 && e->f[k]; k++) {
			a = goertzel_amp(x, 800, e->f[k]);
			CHECK(fabs(a - 5070) < 5070 * 0.02,
			      "%s alt: %.0f Hz at %.0f in block %u ms", cs,
			      e->f[k], a, b);
		}
	}
	CHECK(checked >= 80, "%s alt: %u blocks checked", cs, checked);
}

static void check_tone(const struct expect *e)
{
	const char *cs = tone_country_to_string(e->c);
	const char *ts = tone_id_to_string(e->t);
	struct tonegen g = { 0 };
	unsigned nw, ng, nsound = 0, nf = 0;
	double power = 0, comp = 0;
	int peak = 0;

	CHECK_INT(tonegen_start(&g, e->c, e->t), 0);
	CHECK(tonegen_active(&g), "%s %s: not active", cs, ts);
	for (size_t i = 0; i < NSAMPLES; i += CHUNK)
		tonegen_fill(&g, samples + i,
			     NSAMPLES - i < CHUNK ? NSAMPLES - i : CHUNK);
	CHECK(tonegen_active(&g) == (e->mode != ONCE),
	      "%s %s: active %d after 12 s", cs, ts, tonegen_active(&g));
	if (e->mode == ALT) {
		expected_timeline(e, want_on);
		check_alt(e, want_on);
		return;
	}

	/* Cadence: a 1 ms block is "on" if its peak is above -50 dB. */
	for (unsigned b = 0; b < NBLOCKS; b++) {
		int m = 0;

		for (unsigned k = 0; k < BLOCK; k++) {
			int v = abs(samples[b * BLOCK + k]);

			m = v > m ? v : m;
		}
		got_on[b] = m > 100;
		peak = m > peak ? m : peak;
		/* Off means digital silence. */
		if (!got_on[b])
			CHECK(m == 0, "%s %s: noise %d in an off block at %u ms",
			      cs, ts, m, b);
		for (unsigned k = 0; got_on[b] && k < BLOCK; k++)
			if (nsound < FREQ_SAMPLES)
				sound[nsound++] = samples[b * BLOCK + k];
	}
	expected_timeline(e, want_on);
	nw = runs_of(want_on, want_runs);
	ng = runs_of(got_on, got_runs);
	CHECK(nw == ng, "%s %s: %u on/off segments, want %u", cs, ts, ng, nw);
	for (unsigned i = 0; i < nw; i++) {
		CHECK(got_runs[i].on == want_runs[i].on &&
		      abs((int)got_runs[i].ms - (int)want_runs[i].ms) <= 10,
		      "%s %s: segment %u: %s %u ms, want %s %u ms", cs, ts, i,
		      got_runs[i].on ? "on" : "off", got_runs[i].ms,
		      want_runs[i].on ? "on" : "off", want_runs[i].ms);
	}

	/* No clipping, and the level of four components fits. */
	CHECK(peak < 32000, "%s %s: peak %d", cs, ts, peak);

	/* Frequencies: the spectral peak near each component lies within
	 * +-0.5 % of it (scan in 0.1 % steps over +-1 %). */
	CHECK(nsound >= 800, "%s %s: only %u samples of sound", cs, ts, nsound);
	for (unsigned i = 0; i < nsound; i++)
		power += (double)sound[i] * sound[i];
	power /= nsound;
	for (nf = 0; nf < 4 && e->f[nf]; nf++) {
		double f = e->f[nf], best = 0, best_f = 0, a;
		/* 4.5 DFT bins away (sidelobes < 0.07), at least 2 % */
		double df = fmax(f * 0.02, 4.5 * RATE / nsound);

		for (int k = -10; k <= 10; k++) {
			double fk = f * (1.0 + k * 0.001);

			a = goertzel_amp(sound, nsound, fk);
			if (a > best) {
				best = a;
				best_f = fk;
			}
		}
		CHECK(fabs(best_f - f) <= f * 0.005,
		      "%s %s: component %.0f Hz peaks at %.2f Hz", cs, ts, f,
		      best_f);
		a = goertzel_amp(sound, nsound, f);
		/* -13 dBm0 = 5070 peak; allow +-1 dB */
		CHECK(a > 5070 * 0.89 && a < 5070 * 1.12,
		      "%s %s: %.0f Hz at amplitude %.0f", cs, ts, f, a);
		CHECK(goertzel_amp(sound, nsound, f + df) < a * 0.1 &&
		      goertzel_amp(sound, nsound, f - df) < a * 0.1,
		      "%s %s: %.0f Hz: no peak", cs, ts, f);
		comp += a * a / 2;
	}
	/* The named components carry (nearly) all the power. */
	CHECK(comp > power * 0.97 && comp < power * 1.03,
	      "%s %s: components %.0f of power %.0f", cs, ts, comp, power);
}

UNIT_TEST(tone_every_country_and_tone)
{
	unsigned seen[_TONE_COUNTRY_MAX][_TONE_ID_MAX] = { { 0 } };

	for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		seen[expects[i].c][expects[i].t]++;
		check_tone(&expects[i]);
		if (unit_failed())
			return;
	}
	for (int c = 0; c < _TONE_COUNTRY_MAX; c++)
		for (int t = 0; t < _TONE_ID_MAX; t++)
			CHECK(seen[c][t] == 1, "country %d tone %d not tested",
			      c, t);
}

UNIT_TEST(tone_stop_and_restart)
{
	struct tonegen g = { 0 };
	int16_t buf[333], ref[333];

	/* A zero-filled generator is stopped and silent. */
	CHECK(!tonegen_active(&g), "zeroed tonegen active");
	memset(buf, 0x55, sizeof(buf));
	tonegen_fill(&g, buf, 333);
	for (int i = 0; i < 333; i++)
		CHECK_INT(buf[i], 0);

	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, TONE_DIAL), 0);
	tonegen_fill(&g, ref, 333);
	tonegen_fill(&g, buf, 100);
	tonegen_stop(&g);
	CHECK(!tonegen_active(&g), "active after stop");
	memset(buf, 0x55, sizeof(buf));
	tonegen_fill(&g, buf, 333);
	for (int i = 0; i < 333; i++)
		CHECK_INT(buf[i], 0);

	/* Starting again starts from the beginning. */
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, TONE_DIAL), 0);
	tonegen_fill(&g, buf, 333);
	CHECK(memcmp(buf, ref, sizeof(buf)) == 0, "restart differs");
	/* Replacing a running tone restarts the cadence. */
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, TONE_BUSY), 0);
	tonegen_fill(&g, buf, 333);
	CHECK(buf[100] != 0, "busy not sounding at its start");

	/* Piece sizes do not matter: 1-sample calls equal one big call. */
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_UK, TONE_RINGBACK), 0);
	tonegen_fill(&g, samples, 30000);
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_UK, TONE_RINGBACK), 0);
	for (int i = 0; i < 30000; i++) {
		int16_t s;

		tonegen_fill(&g, &s, 1);
		CHECK(s == samples[i], "sample %d: %d vs %d", i, s, samples[i]);
	}
	tonegen_fill(&g, buf, 0);

	CHECK_INT(tonegen_start(&g, _TONE_COUNTRY_MAX, TONE_DIAL), -EINVAL);
	CHECK(!tonegen_active(&g), "active after a failed start");
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, _TONE_ID_MAX), -EINVAL);
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, -1), -EINVAL);
}

UNIT_TEST(tone_strings)
{
	CHECK_STR(tone_country_to_string(TONE_COUNTRY_US), "US");
	CHECK_STR(tone_country_to_string(TONE_COUNTRY_CN), "CN");
	CHECK(!tone_country_to_string(_TONE_COUNTRY_MAX), "MAX has a name");
	CHECK(!tone_country_to_string(-1), "-1 has a name");
	for (int c = 0; c < _TONE_COUNTRY_MAX; c++)
		CHECK_INT(tone_country_from_string(tone_country_to_string(c)), c);
	CHECK_INT(tone_country_from_string("uk"), TONE_COUNTRY_UK);
	CHECK_INT(tone_country_from_string("XX"), -EINVAL);
	CHECK_INT(tone_country_from_string(""), -EINVAL);
	CHECK_INT(tone_country_from_string(NULL), -EINVAL);
	for (int t = 0; t < _TONE_ID_MAX; t++) {
		CHECK(tone_id_to_string(t), "tone %d has no name", t);
		CHECK_INT(tone_id_from_string(tone_id_to_string(t)), t);
	}
	CHECK_STR(tone_id_to_string(TONE_CALL_WAITING), "call-waiting");
	CHECK(!tone_id_to_string(_TONE_ID_MAX), "MAX has a name");
	CHECK_INT(tone_id_from_string("ring"), -EINVAL);
	CHECK(tone_plan(TONE_COUNTRY_DE, TONE_BUSY) != NULL, "no DE busy plan");
	CHECK(tone_plan(TONE_COUNTRY_DE, _TONE_ID_MAX) == NULL, "plan for MAX");
}

UNIT_TEST(tone_ring_cadences)
{
	static const struct {
		enum tone_country c;
		unsigned pairs;
		uint32_t ms[4];
	} want[] = {
		{ TONE_COUNTRY_US, 1, { 2000, 4000 } },
		{ TONE_COUNTRY_UK, 2, { 400, 200, 400, 2000 } },
		{ TONE_COUNTRY_DE, 1, { 1000, 4000 } },
		{ TONE_COUNTRY_FR, 1, { 1500, 3500 } },
		{ TONE_COUNTRY_CN, 1, { 1000, 4000 } },
	};
	uint32_t cad[TONE_CADENCE_MAX];
	unsigned pairs;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		memset(cad, 0xff, sizeof(cad));
		pairs = 99;
		CHECK_INT(tone_ring_cadence(want[i].c, cad, &pairs), 0);
		CHECK_INT(pairs, want[i].pairs);
		for (unsigned k = 0; k < 2 * pairs; k++)
			CHECK_INT(cad[k], want[i].ms[k]);
	}
	CHECK_INT(tone_ring_cadence(_TONE_COUNTRY_MAX, cad, &pairs), -EINVAL);
	CHECK_INT(tone_ring_cadence(TONE_COUNTRY_US, cad, NULL), -EINVAL);
}

/*
 * tonegen_mix() adds exactly what tonegen_fill() writes, piece sizes do
 * not matter, the sum saturates, and a stopped generator leaves the voice
 * alone.  The voice is a 1 kHz sine; the tone the UK call-waiting burst.
 */
UNIT_TEST(tone_mix_over_voice)
{
	static int16_t voice[16000], mixed[16000], alone[16000];
	struct tonegen g = { 0 };
	size_t i;

	for (i = 0; i < 16000; i++)
		voice[i] = (int16_t)lrint(8000 * sin(2 * M_PI * 1000 * i / RATE));
	memcpy(mixed, voice, sizeof(voice));
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_UK, TONE_CALL_WAITING), 0);
	for (i = 0; i < 16000; i += CHUNK)
		tonegen_mix(&g, mixed + i, 16000 - i < CHUNK ? 16000 - i : CHUNK);
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_UK, TONE_CALL_WAITING), 0);
	tonegen_fill(&g, alone, 16000);
	for (i = 0; i < 16000; i++)
		CHECK(mixed[i] == voice[i] + alone[i], "sample %zu: %d != %d + %d",
		      i, mixed[i], voice[i], alone[i]);
	/* The burst (first 100 ms) is there, and gone in the pause. */
	CHECK(goertzel_amp(mixed, 800, 400) > 5070 * 0.98, "no 400 Hz burst");
	CHECK(goertzel_amp(mixed + 800, 800, 1000) > 8000 * 0.98 &&
	      goertzel_amp(mixed + 800, 800, 400) < 5070 * 0.001,
	      "pause: voice changed or tone left");

	/* Saturation: a voice at full scale clips, never wraps. */
	for (i = 0; i < 800; i++)
		mixed[i] = (int16_t)(i % 2 ? 32767 : -32768);
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, TONE_CALL_WAITING), 0);
	tonegen_fill(&g, alone, 800);
	CHECK_INT(tonegen_start(&g, TONE_COUNTRY_US, TONE_CALL_WAITING), 0);
	tonegen_mix(&g, mixed, 800);
	for (i = 0; i < 800; i++) {
		long want = (i % 2 ? 32767L : -32768L) + alone[i];

		want = want > 32767 ? 32767 : want < -32768 ? -32768 : want;
		CHECK(mixed[i] == want, "sample %zu: %d, want %ld", i, mixed[i],
		      want);
	}

	/* Stopped: unchanged. */
	tonegen_stop(&g);
	memcpy(mixed, voice, sizeof(voice));
	tonegen_mix(&g, mixed, 16000);
	CHECK(memcmp(mixed, voice, sizeof(voice)) == 0, "stopped mix changed voice");
}

/* The SAS of caller ID on call waiting: the call-waiting tone's first
 * burst group, measured on the generator's output (the first silence of
 * at least 1 s ends it). */
UNIT_TEST(tone_first_group)
{
	static const struct {
		enum tone_country c;
		int ms;
	} want[] = {
		{ TONE_COUNTRY_US, 300 }, { TONE_COUNTRY_UK, 100 },
		{ TONE_COUNTRY_DE, 600 }, { TONE_COUNTRY_FR, 300 },
		{ TONE_COUNTRY_CN, 400 },
	};
	struct tonegen g = { 0 };

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		int last = -1, quiet = 0;

		CHECK_INT(tone_first_group_ms(want[i].c, TONE_CALL_WAITING),
			  want[i].ms);
		CHECK_INT(tonegen_start(&g, want[i].c, TONE_CALL_WAITING), 0);
		tonegen_fill(&g, samples, 3 * RATE);
		for (int ms = 0; ms < 3000 && quiet < 1000; ms++) {
			int m = 0;

			for (int k = 0; k < BLOCK; k++)
				m = abs(samples[ms * BLOCK + k]) > m ?
				    abs(samples[ms * BLOCK + k]) : m;
			if (m > 100) {
				last = ms;
				quiet = 0;
			} else {
				quiet++;
			}
		}
		CHECK(abs(last + 1 - want[i].ms) <= 1, "%s: sound until %d ms",
		      tone_country_to_string(want[i].c), last + 1);
	}
	CHECK_INT(tone_first_group_ms(TONE_COUNTRY_US, TONE_DIAL), 0);
	CHECK_INT(tone_first_group_ms(TONE_COUNTRY_US, TONE_BUSY), 500);
	CHECK_INT(tone_first_group_ms(_TONE_COUNTRY_MAX, TONE_DIAL), -EINVAL);
	CHECK_INT(tone_first_group_ms(TONE_COUNTRY_US, _TONE_ID_MAX), -EINVAL);
}
