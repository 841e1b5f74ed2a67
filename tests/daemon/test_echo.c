// SPDX-License-Identifier: GPL-2.0-only
/* test_echo.c - the echo canceller on simulated hybrids (bench/echo_sim.h) */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "../../bench/echo_sim.h"
#include "dsp/echo.h"
#include "unit.h"

#define SECS	4
#define LEN	(SIM_RATE * SECS)

static double far_sig[LEN], echo_sig[LEN];
static int16_t out_sig[LEN];

/* ERLE in dB over the 500 ms before @end */
static double erle_before(size_t end)
{
	double pe = 0, po = 0;
	size_t i;

	for (i = end - SIM_RATE / 2; i < end; i++) {
		pe += echo_sig[i] * echo_sig[i];
		po += (double)out_sig[i] * out_sig[i];
	}
	return 10 * log10(pe / (po + 1e-9));
}

static void run_canceller(struct echo_canceller *ec)
{
	int16_t mic[ECHO_FRAME], ref[ECHO_FRAME];
	size_t f, i;

	for (f = 0; f + ECHO_FRAME <= LEN; f += ECHO_FRAME) {
		for (i = 0; i < ECHO_FRAME; i++) {
			mic[i] = sim_s16(echo_sig[f + i]);
			ref[i] = sim_s16(far_sig[f + i]);
		}
		echo_canceller_process(ec, mic, ref, out_sig + f);
	}
}

UNIT_TEST(echo_converges_erl6)
{
	static double h[SIM_MAX_TAPS * 2];
	struct echo_canceller *ec;
	size_t nh;
	double e1, e3;

	sim_css(far_sig, LEN, -10, 7);
	nh = sim_hybrid(h, 3, 12, 40, 6);
	sim_convolve(far_sig, h, nh, echo_sig, LEN);
	CHECK(echo_canceller_new(64, false, &ec) == 0, "new failed");
	run_canceller(ec);
	e1 = erle_before(SIM_RATE);
	e3 = erle_before(3 * SIM_RATE);
	CHECK(!echo_canceller_bypassed(ec), "bypassed");
	CHECK(e3 >= 30, "ERLE after 3 s %.1f dB, want >= 30", e3);
	CHECK(e3 > e1, "no improvement from 1 s (%.1f) to 3 s (%.1f)", e1, e3);
	CHECK(echo_canceller_erle_db(ec) >= 25, "its own ERLE estimate %.1f dB",
	      echo_canceller_erle_db(ec));
	echo_canceller_free(ec);
}

/*
 * The residual suppressor works on the frame the filter gives, no delay:
 * far end alone, the echo is 40 dB down or more after 2.5 s; then a near
 * end (uncorrelated with the far end) talks over it and comes out as it
 * went in, lined up to the sample, but for speexdsp's own DC notch.
 */
UNIT_TEST(echo_suppressor_no_delay_double_talk)
{
	static double h[SIM_MAX_TAPS * 2], near_sig[LEN], near_n[LEN],
		tmp[LEN + SIM_RATE];
	size_t dt = 3 * SIM_RATE, nh, i, lag;
	struct echo_canceller *ec;
	double pe = 0, po = 0, best = -1, supp, sdr[2];
	int16_t mic[ECHO_FRAME], ref[ECHO_FRAME];
	size_t f;

	sim_css(far_sig, LEN, -10, 21);
	nh = sim_hybrid(h, 4, 12, 40, 6);
	sim_convolve(far_sig, h, nh, echo_sig, LEN);
	sim_css(tmp, LEN + SIM_RATE, -15, 4242);
	for (i = 0; i < LEN; i++)
		near_sig[i] = i < dt ? 0 : tmp[i + SIM_RATE * 137 / 1000];
	sim_speex_dc_notch(near_sig, near_n, LEN);
	CHECK(echo_canceller_new(32, true, &ec) == 0, "new failed");
	for (f = 0; f + ECHO_FRAME <= LEN; f += ECHO_FRAME) {
		for (i = 0; i < ECHO_FRAME; i++) {
			mic[i] = sim_s16(echo_sig[f + i] + near_sig[f + i]);
			ref[i] = sim_s16(far_sig[f + i]);
		}
		echo_canceller_process(ec, mic, ref, out_sig + f);
	}
	for (i = dt - SIM_RATE / 2; i < dt; i++) {
		pe += echo_sig[i] * echo_sig[i];
		po += (double)out_sig[i] * out_sig[i];
	}
	supp = po > 0 ? 10 * log10(pe / po) : 200;
	CHECK(supp >= 40, "echo suppressed by %.1f dB over 2.5-3 s", supp);
	/* SDR at lag 0 and one frame later (the old suppressor's delay) */
	for (lag = 0; lag <= ECHO_FRAME; lag += ECHO_FRAME) {
		double pn = 0, pd = 0;

		for (i = dt + SIM_RATE / 4; i + ECHO_FRAME < LEN; i++) {
			double d = out_sig[i + lag] - near_n[i];

			pn += near_n[i] * near_n[i];
			pd += d * d;
		}
		sdr[lag / ECHO_FRAME] = 10 * log10(pn / (pd + 1e-9));
		if (sdr[lag / ECHO_FRAME] > best)
			best = sdr[lag / ECHO_FRAME];
	}
	CHECK(sdr[0] >= 25, "near end in double talk: SDR %.1f dB (%.1f dB a frame later)",
	      sdr[0], sdr[1]);
	CHECK(sdr[0] == best, "the near end comes out a frame late");
	echo_canceller_free(ec);
}

/* A data call: the Line turns the suppressor, then the canceller, off;
 * a 2100 Hz tone by itself changes nothing (dsp/modem.c tells, the Line
 * decides); the reset of the next call restores both. */
UNIT_TEST(echo_data_call_controls)
{
	struct echo_canceller *ec;
	int16_t ref[ECHO_FRAME] = { 0 }, mic[ECHO_FRAME], out[ECHO_FRAME];
	double ph = 0;
	int f, i;

	CHECK(echo_canceller_new(64, true, &ec) == 0, "new failed");
	CHECK(echo_canceller_suppressing(ec), "no suppressor");
	for (f = 0; f < 50; f++) {	/* 1 s of 2100 Hz from the phone */
		for (i = 0; i < ECHO_FRAME; i++) {
			mic[i] = (int16_t)(8000 * sin(ph));
			ph += 2 * M_PI * 2100 / SIM_RATE;
		}
		echo_canceller_process(ec, mic, ref, out);
	}
	CHECK(!echo_canceller_bypassed(ec), "bypassed by a tone alone");
	echo_canceller_set_suppress(ec, false);
	CHECK(!echo_canceller_suppressing(ec), "suppressor still on");
	echo_canceller_set_bypass(ec, true);
	echo_canceller_process(ec, mic, ref, out);
	CHECK(echo_canceller_bypassed(ec), "not bypassed");
	CHECK(!memcmp(out, mic, sizeof(out)), "bypassed audio was changed");
	echo_canceller_reset(ec);
	CHECK(!echo_canceller_bypassed(ec), "still bypassed after the reset");
	CHECK(echo_canceller_suppressing(ec), "suppressor off after the reset");
	echo_canceller_free(ec);
}

UNIT_TEST(echo_bad_tail)
{
	struct echo_canceller *ec;

	CHECK_INT(echo_canceller_new(8, false, &ec), -EINVAL);
	CHECK_INT(echo_canceller_new(512, false, &ec), -EINVAL);
}

/* The filter's peak tap tells where the echo sits behind the reference. */
static void health_delay(size_t delay, double disp_ms)
{
	static double h[SIM_MAX_TAPS * 2];
	struct echo_canceller *ec;
	struct echo_health hl;
	size_t nh;

	sim_css(far_sig, LEN, -10, 11);
	nh = sim_hybrid(h, 1, disp_ms, delay, 6);
	sim_convolve(far_sig, h, nh, echo_sig, LEN);
	CHECK(echo_canceller_new(64, true, &ec) == 0, "new failed");
	echo_canceller_health(ec, &hl);
	CHECK(hl.delay_ms < 0, "a delay (%.1f ms) before any audio", hl.delay_ms);
	run_canceller(ec);
	echo_canceller_health(ec, &hl);
	CHECK(hl.far_frames > 100, "%lu far-end frames measured", hl.far_frames);
	CHECK(fabs(hl.delay_ms - delay / 8.0) <= 1.0,
	      "echo delay %.2f ms, the hybrid's is %.2f ms", hl.delay_ms,
	      delay / 8.0);
	CHECK(!hl.diverged && !hl.divergences, "diverged (%u times)",
	      hl.divergences);
	CHECK(hl.linear_erle_db >= 20, "linear ERLE %.1f dB", hl.linear_erle_db);
	CHECK(hl.erle_recent_db >= 20, "ERLE %.1f dB over the last second",
	      hl.erle_recent_db);
	/* a new call starts afresh */
	echo_canceller_reset(ec);
	echo_canceller_health(ec, &hl);
	CHECK(hl.far_frames == 0 && hl.delay_ms < 0 && hl.erle_db == 0,
	      "after reset: %lu frames, delay %.1f ms, ERLE %.1f dB",
	      hl.far_frames, hl.delay_ms, hl.erle_db);
	echo_canceller_free(ec);
}

UNIT_TEST(echo_health_delay_5ms)
{
	health_delay(40, 10);
}

UNIT_TEST(echo_health_delay_40ms)
{
	health_delay(320, 12);
}

/*
 * The echo path turns over (the hybrid's sign flips) once the filter has
 * converged: its model now doubles the echo, the output is louder than the
 * input, and the canceller says so.
 */
UNIT_TEST(echo_health_diverged)
{
	static double h[SIM_MAX_TAPS * 2];
	struct echo_canceller *ec;
	struct echo_health hl;
	bool seen = false;
	int16_t mic[ECHO_FRAME], ref[ECHO_FRAME];
	size_t nh, f, i;

	sim_css(far_sig, LEN, -10, 13);
	nh = sim_hybrid(h, 2, 10, 40, 6);
	sim_convolve(far_sig, h, nh, echo_sig, LEN);
	CHECK(echo_canceller_new(64, false, &ec) == 0, "new failed");
	for (f = 0; f + ECHO_FRAME <= LEN; f += ECHO_FRAME) {
		double sign = f < LEN / 2 ? 1 : -1;

		for (i = 0; i < ECHO_FRAME; i++) {
			mic[i] = sim_s16(sign * echo_sig[f + i]);
			ref[i] = sim_s16(far_sig[f + i]);
		}
		echo_canceller_process(ec, mic, ref, out_sig + f);
		echo_canceller_health(ec, &hl);
		if (f + ECHO_FRAME < LEN / 2)
			CHECK(!hl.diverged, "diverged at %.2f s on a steady path",
			      (double)f / SIM_RATE);
		else
			seen |= hl.diverged;
	}
	CHECK(seen, "no divergence reported after the echo path turned over (linear ERLE %.1f dB)",
	      hl.linear_erle_db);
	CHECK(hl.divergences >= 1, "%u divergences counted", hl.divergences);
	echo_canceller_free(ec);
}

/*
 * Both ends talk from the call's first frame at the same level, the far
 * end being the near end's own voice back 80 ms later (sipp's RTP echo,
 * the calls suite's first check): the suppressor has learnt no coupling
 * yet and must not take the near end for echo.  It gated every other
 * frame (the echo of its own gating), correlation 0.6.
 */
UNIT_TEST(echo_suppressor_double_talk_from_the_start)
{
	enum { LAG = 80 * SIM_RATE / 1000, N = 3 * SIM_RATE };
	static int16_t near[N], out[N];
	struct echo_canceller *ec;
	int16_t mic[ECHO_FRAME], ref[ECHO_FRAME];
	unsigned seed = 12345, gated = 0;
	double c = 0, pn = 0, po = 0;
	size_t f, i;

	for (i = 0; i < N; i++) {
		seed = seed * 1103515245u + 12345u;
		near[i] = (int16_t)((int)((seed >> 16) & 0x3fff) - 0x2000);
	}
	CHECK(echo_canceller_new(128, true, &ec) == 0, "new failed");
	for (f = 0; f + ECHO_FRAME <= N; f += ECHO_FRAME) {
		double a = 0, b = 0;

		for (i = 0; i < ECHO_FRAME; i++) {
			size_t t = f + i;

			ref[i] = t >= LAG ? out[t - LAG] : 0;
			/* the line's echo of what it plays: 6 dB down, 5 ms */
			mic[i] = sim_s16(near[t] +
					 (t >= LAG + 40 ? 0.5 * out[t - LAG - 40] : 0));
		}
		echo_canceller_process(ec, mic, ref, out + f);
		for (i = 0; i < ECHO_FRAME; i++) {
			a += (double)near[f + i] * near[f + i];
			b += (double)out[f + i] * out[f + i];
		}
		gated += b < a / 100;
	}
	for (i = 0; i < N; i++) {
		c += (double)near[i] * out[i];
		pn += (double)near[i] * near[i];
		po += (double)out[i] * out[i];
	}
	c /= sqrt(pn * po);
	CHECK(gated == 0, "%u of %u frames of the near end suppressed", gated,
	      (unsigned)(N / ECHO_FRAME));
	CHECK(c >= 0.8, "the near end comes out with correlation %.2f", c);
	echo_canceller_free(ec);
}
