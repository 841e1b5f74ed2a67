// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mixer.c - unit tests of mixer.c: who hears whom (by correlation
 * with independent noises), transparency at speech levels, saturation and
 * the limiter at full scale (no wrap-around, distortion measured against
 * the ideal sum of two sines), NULL parties, in-place mixing and bounds.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "media/mixer.h"
#include "unit.h"

#define FRAME	160
#define PI	3.14159265358979323846

/* xorshift32: a reproducible noise, uniform in [-amp, amp]. */
static int16_t noise(uint32_t *st, int amp)
{
	uint32_t x = *st;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*st = x;
	return (int16_t)((int64_t)(x % (2u * amp + 1)) - amp);
}

/* Normalised cross-correlation at lag 0 of @x and @y. */
static double ncc(const int16_t *x, const int16_t *y, size_t n)
{
	double xy = 0, xx = 0, yy = 0;

	for (size_t i = 0; i < n; i++) {
		xy += (double)x[i] * y[i];
		xx += (double)x[i] * x[i];
		yy += (double)y[i] * y[i];
	}
	return xx > 0 && yy > 0 ? xy / sqrt(xx * yy) : 0;
}

#define SECONDS_1	(50 * FRAME)

struct parties {
	int16_t in[MIXER_PARTIES][SECONDS_1];
	int16_t out[MIXER_PARTIES][SECONDS_1];
};

/* Mix all of @p frame by frame; @m NULL for plain sums. */
static void mix_all(struct mixer_state *m, struct parties *p, size_t n)
{
	for (size_t i = 0; i < n; i += FRAME)
		mixer3(m, p->in[MIXER_PHONE] + i, p->in[MIXER_A] + i,
		       p->in[MIXER_B] + i, FRAME, p->out[MIXER_PHONE] + i,
		       p->out[MIXER_A] + i, p->out[MIXER_B] + i);
}

static void fill_noise(struct parties *p, int amp)
{
	uint32_t seed[MIXER_PARTIES] = { 0x1234567u, 0x89abcdefu, 0x2468aceu };

	for (int k = 0; k < MIXER_PARTIES; k++)
		for (size_t i = 0; i < SECONDS_1; i++)
			p->in[k][i] = noise(&seed[k], amp);
}

static const char *const party[] = { "phone", "a", "b" };

/*
 * Each output correlates with the two other inputs (about 1/sqrt(2) for
 * equal levels) and not with its own party's input.  Returns 0 or
 * records the failure.
 */
static int check_who_hears_whom(const struct parties *p)
{
	for (int k = 0; k < MIXER_PARTIES; k++)
		for (int j = 0; j < MIXER_PARTIES; j++) {
			double r = ncc(p->out[k], p->in[j], SECONDS_1);

			if (j == k && fabs(r) > 0.03) {
				unit_fail(__FILE__, __LINE__,
					  "to_%s correlates with %s: %.3f",
					  party[k], party[j], r);
				return -1;
			}
			if (j != k && r < 0.65) {
				unit_fail(__FILE__, __LINE__,
					  "to_%s hardly holds %s: %.3f",
					  party[k], party[j], r);
				return -1;
			}
		}
	return 0;
}

UNIT_TEST(mixer_each_hears_the_other_two)
{
	static struct parties p;
	struct mixer_state m;

	/* Speech-like levels: the sums never clip, the mix is exact. */
	fill_noise(&p, 8000);
	mixer_init(&m);
	mix_all(&m, &p, SECONDS_1);
	if (check_who_hears_whom(&p))
		return;
	for (size_t i = 0; i < SECONDS_1; i++) {
		CHECK_INT(p.out[MIXER_PHONE][i], p.in[MIXER_A][i] + p.in[MIXER_B][i]);
		CHECK_INT(p.out[MIXER_A][i], p.in[MIXER_PHONE][i] + p.in[MIXER_B][i]);
		CHECK_INT(p.out[MIXER_B][i], p.in[MIXER_PHONE][i] + p.in[MIXER_A][i]);
	}
	for (int k = 0; k < MIXER_PARTIES; k++)
		CHECK_INT(m.out[k].gain, MIXER_UNITY);

	/* Loud: the limiters work, and still nobody hears himself. */
	fill_noise(&p, 30000);
	mixer_init(&m);
	mix_all(&m, &p, SECONDS_1);
	if (check_who_hears_whom(&p))
		return;
	for (int k = 0; k < MIXER_PARTIES; k++)
		CHECK(m.out[k].gain < MIXER_UNITY * 3 / 4, "to_%s gain %d",
		      party[k], m.out[k].gain);

	/* Plain sums, saturated. */
	fill_noise(&p, 30000);
	mix_all(NULL, &p, SECONDS_1);
	if (check_who_hears_whom(&p))
		return;
}

static int16_t sat(int32_t v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

UNIT_TEST(mixer_saturates_at_the_extremes)
{
	static const int16_t v[] = { 32767, -32768, 32766, -32767, 16384,
				     -16384, 1, -1, 0, 20000, -20000 };
	const size_t nv = sizeof(v) / sizeof(v[0]);
	int16_t p[1331], a[1331], b[1331], op[1331], oa[1331], ob[1331];
	size_t n = 0;

	/* Every combination of the values, plain sums. */
	for (size_t i = 0; i < nv; i++)
		for (size_t j = 0; j < nv; j++)
			for (size_t k = 0; k < nv; k++, n++) {
				p[n] = v[i];
				a[n] = v[j];
				b[n] = v[k];
			}
	mixer3(NULL, p, a, b, n, op, oa, ob);
	for (size_t i = 0; i < n; i++) {
		CHECK_INT(op[i], sat(a[i] + b[i]));
		CHECK_INT(oa[i], sat(p[i] + b[i]));
		CHECK_INT(ob[i], sat(p[i] + a[i]));
	}
	CHECK_INT(op[0], 32767);		/* 32767 + 32767 */
	CHECK_INT(op[12], -32768);		/* -32768 + -32768 */
	CHECK_INT(op[1], -1);			/* 32767 + -32768 */
}

/*
 * With the limiter: every output sample has the sign of the true sum and
 * no more than its magnitude (attenuation, never wrap-around), and the
 * gain is back to unity (bit-exact sums) some time after the loud part.
 */
UNIT_TEST(mixer_limiter_never_wraps)
{
	static const int16_t v[] = { 32767, -32768, 32767, 32767, -32768, 0,
				     -32768, 32767, 12345, -32768, 32767 };
	static int16_t in[MIXER_PARTIES][SECONDS_1], out[MIXER_PARTIES][SECONDS_1];
	struct mixer_state m;
	uint32_t seed = 42;
	int32_t gain_at_40ms = 0;

	/* 100 ms of extremes (runs of one value), then quiet noise. */
	for (size_t i = 0; i < SECONDS_1; i++)
		for (int k = 0; k < MIXER_PARTIES; k++)
			in[k][i] = i < 800 ? v[(i / (7 + 3 * k)) % 11] :
				noise(&seed, 3000);
	mixer_init(&m);
	for (size_t i = 0; i < SECONDS_1; i += FRAME) {
		mixer3(&m, in[0] + i, in[1] + i, in[2] + i, FRAME, out[0] + i,
		       out[1] + i, out[2] + i);
		if (i + FRAME == 800 + 320)
			gain_at_40ms = m.out[MIXER_PHONE].gain;
	}
	for (size_t i = 0; i < SECONDS_1; i++)
		for (int k = 0; k < MIXER_PARTIES; k++) {
			int32_t s = in[0][i] + in[1][i] + in[2][i] - in[k][i];
			int32_t o = out[k][i];

			CHECK((int64_t)o * s >= 0 && labs(o) <= labs(s),
			      "to_%s[%zu] = %d for a sum of %d", party[k], i, o, s);
		}
	/* Held 40 ms after the last loud block... */
	CHECK(gain_at_40ms < MIXER_UNITY * 3 / 4, "gain 40 ms after: %d",
	      gain_at_40ms);
	/* ...and transparent again after the release (well within 0.5 s). */
	for (size_t i = 800 + 4000; i < SECONDS_1; i++)
		CHECK_INT(out[MIXER_PHONE][i], in[MIXER_A][i] + in[MIXER_B][i]);
	for (int k = 0; k < MIXER_PARTIES; k++)
		CHECK_INT(m.out[k].gain, MIXER_UNITY);
}

/*
 * Fit a sum of sines and cosines at @f1 and @f2 Hz to @y (least squares),
 * window by window (@win samples each, with its own amplitudes and
 * phases, so that a gain that moves slowly is no distortion); add the
 * energy of the fits to *@sig and that of what they leave to *@rest.
 */
static void fit_sines(const int16_t *y, size_t n, size_t win, double f1,
		      double f2, double *sig, double *rest)
{
	for (size_t w = 0; w + win <= n; w += win) {
		double ata[4][5] = { { 0 } }, c[4];

		for (size_t i = w; i < w + win; i++) {
			double bi[4] = { sin(2 * PI * f1 * i / MIXER_RATE),
					 cos(2 * PI * f1 * i / MIXER_RATE),
					 sin(2 * PI * f2 * i / MIXER_RATE),
					 cos(2 * PI * f2 * i / MIXER_RATE) };

			for (int r = 0; r < 4; r++) {
				for (int k = 0; k < 4; k++)
					ata[r][k] += bi[r] * bi[k];
				ata[r][4] += bi[r] * y[i];
			}
		}
		/* Gauss-Jordan on the normal equations (well conditioned). */
		for (int r = 0; r < 4; r++)
			for (int q = 0; q < 4; q++) {
				double f = ata[q][r] / ata[r][r];

				if (q == r)
					continue;
				for (int k = 0; k < 5; k++)
					ata[q][k] -= f * ata[r][k];
			}
		for (int r = 0; r < 4; r++)
			c[r] = ata[r][4] / ata[r][r];
		for (size_t i = w; i < w + win; i++) {
			double fit = c[0] * sin(2 * PI * f1 * i / MIXER_RATE) +
				     c[1] * cos(2 * PI * f1 * i / MIXER_RATE) +
				     c[2] * sin(2 * PI * f2 * i / MIXER_RATE) +
				     c[3] * cos(2 * PI * f2 * i / MIXER_RATE);

			*sig += fit * fit;
			*rest += (y[i] - fit) * (y[i] - fit);
		}
	}
}

/* Signal to noise and distortion of @y in dB, see fit_sines(). */
static double sndr_db(const int16_t *y, size_t n, size_t win, double f1,
		      double f2)
{
	double sig = 0, rest = 0;

	fit_sines(y, n, win, f1, f2, &sig, &rest);
	return 10 * log10(sig / rest);
}

#define F_A	440.0
#define F_B	1020.0

/*
 * Check that to_phone has the sign of a + b and no more magnitude, and
 * (limited) that it is not clipped (of two sines, no two samples in a
 * row at full scale) and that its gain moves by ramps, not steps, but at
 * a frame's start (the gain to_phone / (a + b), where the sum is large
 * enough to tell, changes by at most 1/16 from one sample to the next).
 */
static int check_attenuates(const struct parties *p, size_t n, int limited)
{
	for (size_t i = 0; i < n; i++) {
		int32_t s = p->in[MIXER_A][i] + p->in[MIXER_B][i];
		int32_t o = p->out[MIXER_PHONE][i];

		if ((int64_t)o * s < 0 || labs(o) > labs(s)) {
			unit_fail(__FILE__, __LINE__,
				  "to_phone[%zu] = %d for a sum of %d", i, o, s);
			return -1;
		}
		if (limited && i && labs(o) >= 32767 &&
		    labs(p->out[MIXER_PHONE][i - 1]) >= 32767) {
			unit_fail(__FILE__, __LINE__,
				  "to_phone[%zu..%zu] clipped: %d %d", i - 1, i,
				  p->out[MIXER_PHONE][i - 1], o);
			return -1;
		}
		if (limited && i % FRAME && labs(s) > 8192 &&
		    labs(p->in[MIXER_A][i - 1] + p->in[MIXER_B][i - 1]) > 8192) {
			double g = (double)o / s, g1 = (double)p->out[MIXER_PHONE][i - 1] /
				(p->in[MIXER_A][i - 1] + p->in[MIXER_B][i - 1]);

			if (fabs(g - g1) > 1.0 / 16) {
				unit_fail(__FILE__, __LINE__,
					  "to_phone[%zu]: gain %.3f after %.3f",
					  i, g, g1);
				return -1;
			}
		}
	}
	return 0;
}

/*
 * Two full-scale sines (A at 440 Hz, B at 1020 Hz; the phone quiet):
 * their sum reaches twice full scale.  Saturation clips every beat's
 * peaks; the limiter keeps the waveform.  Measured over the second half
 * second (the limiter settled) and over the first 100 ms (the onset: the
 * step at the first frame, the gain creeping down to the highest peak),
 * in windows of 10 ms.
 */
UNIT_TEST(mixer_full_scale_sines)
{
	static struct parties p;
	const size_t half = SECONDS_1 / 2;
	struct mixer_state m;
	double lim, onset, satd, qa;

	for (size_t i = 0; i < SECONDS_1; i++) {
		p.in[MIXER_PHONE][i] = 0;
		p.in[MIXER_A][i] = (int16_t)lrint(32767 * sin(2 * PI * F_A * i / MIXER_RATE));
		p.in[MIXER_B][i] = (int16_t)lrint(32767 * sin(2 * PI * F_B * i / MIXER_RATE));
	}
	mixer_init(&m);
	mix_all(&m, &p, SECONDS_1);
	if (check_attenuates(&p, SECONDS_1, 1))
		return;
	for (size_t i = 0; i < SECONDS_1; i++) {
		/* A and B hear the other sine alone, unchanged. */
		CHECK_INT(p.out[MIXER_A][i], p.in[MIXER_B][i]);
		CHECK_INT(p.out[MIXER_B][i], p.in[MIXER_A][i]);
	}
	lim = sndr_db(p.out[MIXER_PHONE] + half, half, half, F_A, F_B);
	onset = sndr_db(p.out[MIXER_PHONE], 800, 80, F_A, F_B);
	qa = sndr_db(p.in[MIXER_A] + half, half, half, F_A, F_B);
	mix_all(NULL, &p, SECONDS_1);
	if (check_attenuates(&p, SECONDS_1, 0))
		return;
	satd = sndr_db(p.out[MIXER_PHONE] + half, half, half, F_A, F_B);
	printf("# mixer: %.0f+%.0f Hz at full scale: SNDR %.1f dB limited "
	       "(gain %.3f; first 100 ms %.1f dB), %.1f dB saturated, "
	       "%.1f dB one sine alone\n", F_A, F_B, lim,
	       m.out[MIXER_PHONE].gain / (double)MIXER_UNITY, onset, satd, qa);
	CHECK(lim >= 60, "limited: SNDR %.1f dB", lim);
	CHECK(onset >= 30, "limited, onset: SNDR %.1f dB", onset);
	CHECK(lim >= satd + 30, "limited %.1f dB, saturated %.1f dB", lim, satd);
}

/*
 * B at full scale all along, A at full scale 200 ms out of 400 (on at
 * 10 + 400k ms or 410 + 400k ms: mid-frame or at a frame's start, off
 * 200 ms later): the limiter attacks at each onset and releases in each
 * pause.  SNDR in windows of 10 ms over 2 s, against saturation.
 */
UNIT_TEST(mixer_limiter_bursts)
{
	static struct parties p[2];
	static const size_t on_at[] = { 1680, 1600 };	/* samples mod 3200 */
	const size_t n = SECONDS_1;

	for (int v = 0; v < 2; v++) {
		double sig[2] = { 0 }, rest[2] = { 0 }, lim, satd;
		struct mixer_state m;

		mixer_init(&m);
		for (int round = 0; round < 2; round++) {	/* 2 s */
			for (size_t i = 0; i < n; i++) {
				size_t t = round * n + i;
				size_t ph = (t + 3200 - on_at[v]) % 3200;

				p[v].in[MIXER_PHONE][i] = 0;
				p[v].in[MIXER_A][i] = ph < 1600 ? (int16_t)lrint(32767 *
					sin(2 * PI * F_A * t / MIXER_RATE)) : 0;
				p[v].in[MIXER_B][i] = (int16_t)lrint(32767 *
					sin(2 * PI * F_B * t / MIXER_RATE));
			}
			p[1 - v] = p[v];
			mix_all(&m, &p[v], n);
			if (check_attenuates(&p[v], n, 1))
				return;
			/* Windows in absolute time: the phase of the fits. */
			fit_sines(p[v].out[MIXER_PHONE], n, 80, F_A, F_B,
				  &sig[0], &rest[0]);
			mix_all(NULL, &p[1 - v], n);
			fit_sines(p[1 - v].out[MIXER_PHONE], n, 80, F_A, F_B,
				  &sig[1], &rest[1]);
		}
		lim = 10 * log10(sig[0] / rest[0]);
		satd = 10 * log10(sig[1] / rest[1]);
		printf("# mixer: bursts at %s: SNDR %.1f dB limited, %.1f dB "
		       "saturated\n", v ? "frame starts" : "mid-frame", lim, satd);
		CHECK(lim >= 30, "bursts %d: limited SNDR %.1f dB", v, lim);
		CHECK(lim >= satd + 15, "bursts %d: limited %.1f dB, saturated "
		      "%.1f dB", v, lim, satd);
	}
}

/* NULL parties are silent, NULL outputs untouched. */
UNIT_TEST(mixer_null_parties)
{
	int16_t p[FRAME], a[FRAME], op[FRAME], oa[FRAME], ob[FRAME];
	struct mixer_state m;
	uint32_t seed = 7;

	for (size_t i = 0; i < FRAME; i++) {
		p[i] = noise(&seed, 32767);
		a[i] = noise(&seed, 32767);
	}
	/* B not in the conference: A and the phone hear each other alone. */
	mixer_init(&m);
	mixer3(&m, p, a, NULL, FRAME, op, oa, ob);
	for (size_t i = 0; i < FRAME; i++) {
		CHECK_INT(op[i], a[i]);
		CHECK_INT(oa[i], p[i]);
	}
	CHECK_INT(m.out[MIXER_PHONE].gain, MIXER_UNITY);
	CHECK_INT(m.out[MIXER_A].gain, MIXER_UNITY);
	mixer3(NULL, p, a, NULL, FRAME, op, oa, ob);
	for (size_t i = 0; i < FRAME; i++) {
		CHECK_INT(op[i], a[i]);
		CHECK_INT(oa[i], p[i]);
		CHECK_INT(ob[i], sat(p[i] + a[i]));
	}
	/* A alone (the limiters afresh: to_b was loud). */
	mixer_init(&m);
	mixer3(&m, NULL, a, NULL, FRAME, op, oa, ob);
	for (size_t i = 0; i < FRAME; i++) {
		CHECK_INT(op[i], a[i]);
		CHECK_INT(oa[i], 0);
		CHECK_INT(ob[i], a[i]);
	}
	/* Nobody. */
	mixer3(&m, NULL, NULL, NULL, FRAME, op, oa, ob);
	for (size_t i = 0; i < FRAME; i++)
		CHECK(op[i] == 0 && oa[i] == 0 && ob[i] == 0, "sample %zu", i);
	/* Only the phone's output. */
	for (size_t i = 0; i < FRAME; i++)
		oa[i] = ob[i] = 0x5a5a;
	mixer3(&m, p, a, p, FRAME, op, NULL, NULL);
	mixer3(NULL, p, a, p, FRAME, op, NULL, NULL);
	for (size_t i = 0; i < FRAME; i++)
		CHECK(oa[i] == 0x5a5a && ob[i] == 0x5a5a, "sample %zu written", i);
}

/* Outputs in the inputs' buffers give what separate buffers give. */
UNIT_TEST(mixer_in_place)
{
	static struct parties p;
	static int16_t io[MIXER_PARTIES][SECONDS_1];
	struct mixer_state m1, m2;

	fill_noise(&p, 30000);
	for (int k = 0; k < MIXER_PARTIES; k++)
		memcpy(io[k], p.in[k], sizeof(io[k]));
	mixer_init(&m1);
	mixer_init(&m2);
	mix_all(&m1, &p, SECONDS_1);
	for (size_t i = 0; i < SECONDS_1; i += FRAME)
		mixer3(&m2, io[0] + i, io[1] + i, io[2] + i, FRAME, io[0] + i,
		       io[1] + i, io[2] + i);
	for (int k = 0; k < MIXER_PARTIES; k++)
		CHECK(memcmp(io[k], p.out[k], sizeof(io[k])) == 0, "to_%s differs",
		      party[k]);
}

/*
 * Heap buffers of exactly @n samples (ASan reports any access past
 * them), for lengths around the block size and the frame; plus guard
 * samples around stack buffers checked by hand.
 */
UNIT_TEST(mixer_stays_in_bounds)
{
	static const size_t lens[] = { 0, 1, 2, 15, 16, 17, 31, 33, 80, 159,
				       160, 161, 240, 320 };
	enum { GUARD = 8 };
	struct mixer_state m;
	uint32_t seed = 99;

	mixer_init(&m);
	for (size_t l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		size_t n = lens[l];
		int16_t *buf[2 * MIXER_PARTIES];
		int16_t g[MIXER_PARTIES][GUARD + 320 + GUARD];

		for (int k = 0; k < 2 * MIXER_PARTIES; k++) {
			buf[k] = malloc(n ? n * sizeof(int16_t) : 1);
			CHECK(buf[k], "malloc");
		}
		for (int k = 0; k < MIXER_PARTIES; k++)
			for (size_t i = 0; i < n; i++)
				buf[k][i] = noise(&seed, 32767);
		mixer3(&m, buf[0], buf[1], buf[2], n, buf[3], buf[4], buf[5]);
		mixer3(NULL, buf[0], buf[1], buf[2], n, buf[3], buf[4], buf[5]);
		mixer3(&m, buf[0], buf[1], buf[2], n, buf[0], buf[1], buf[2]);

		for (int k = 0; k < MIXER_PARTIES; k++)
			for (size_t i = 0; i < GUARD + 320 + GUARD; i++)
				g[k][i] = 0x7eed;
		mixer3(&m, buf[3], buf[4], buf[5], n, g[0] + GUARD,
		       g[1] + GUARD, g[2] + GUARD);
		for (int k = 0; k < 2 * MIXER_PARTIES; k++)
			free(buf[k]);
		for (int k = 0; k < MIXER_PARTIES; k++)
			for (size_t i = 0; i < GUARD; i++)
				CHECK(g[k][i] == 0x7eed &&
				      g[k][GUARD + n + i] == 0x7eed,
				      "n %zu: output %d written out of bounds", n, k);
	}
}
