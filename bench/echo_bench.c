// SPDX-License-Identifier: GPL-2.0-only
/*
 * echo_bench - the echo canceller (daemon/dsp/echo.c) alone, on G.168-style
 * signals: a CSS-like far-end signal at -10 dBm0 through 8 hybrid models
 * of 8-16 ms dispersion after 5 ms of bulk delay, at ERL 6 dB and 3 dB.
 *
 * Prints, per hybrid: ERLE at 1 s, 3 s and 10 s (linear canceller, over
 * the preceding 500 ms), the time to reach 20 dB, the residual echo level
 * with residual suppression on, and ERLE during double talk (near-end
 * speech-like signal at -15 dBm0 from 10 s to 14 s, linear canceller,
 * measured on the echo part of the output); and the CPU time per
 * channel-second.
 *
 * Then, with the residual suppressor on (what fxsd runs), the targets of
 * issue 13: the echo suppression over 2.5-3 s (echo in / echo out, far
 * end only), and during double talk (10-14 s, measured over 11-14 s) with
 * a near end uncorrelated with the far end (the same CSS shape 137 ms
 * later, another noise seed: the CSS of the double-talk column above
 * repeats the far end's voiced bursts in phase, which the filter rightly
 * takes for echo) the near end's signal-to-distortion ratio (near / (out
 * - near), distortion = residual echo + what was done to the near end),
 * its level change, and the delay the suppressor adds (the lag of out
 * behind the near end, by cross-correlation).  Usage: echo_bench [TAIL_MS]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dsp/echo.h"
#include "echo_sim.h"

#define SECONDS		14
#define N		(SIM_RATE * SECONDS)
#define DT_START	(SIM_RATE * 10)

static double far[N], echo[N], near[N], near2[N], near2n[N];
static int16_t out_lin[N], out_sup[N], out_near_only[N];

static double seg_erle(size_t end, const int16_t *out)
{
	size_t i, start = end - SIM_RATE / 2;
	double pe = 0, po = 0;

	for (i = start; i < end; i++) {
		pe += echo[i] * echo[i];
		po += (double)out[i] * out[i];
	}
	return 10 * log10(pe / (po + 1e-9));
}

/* Run the canceller over mic = echo (+ @nr), ref = far. */
static bool gap;	/* skip 150 ms of frames at 6 s, as a stopped fxsd */
#define GAP_AT		(SIM_RATE * 6)
#define GAP_LEN		(SIM_RATE * 3 / 20)

static double run_with(unsigned tail, bool sup, const double *nr,
		       int16_t *out)
{
	struct echo_canceller *ec;
	int16_t mic[ECHO_FRAME], ref[ECHO_FRAME];
	struct timespec a, b;
	size_t f, i;

	if (echo_canceller_new(tail, sup, &ec) < 0)
		exit(1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (f = 0; f + ECHO_FRAME <= N; f += ECHO_FRAME) {
		if (gap && f >= GAP_AT && f < GAP_AT + GAP_LEN) {
			memset(out + f, 0, ECHO_FRAME * sizeof(*out));
			continue;
		}
		for (i = 0; i < ECHO_FRAME; i++) {
			double m = echo[f + i];

			if (nr)
				m += nr[f + i];
			mic[i] = sim_s16(m);
			ref[i] = sim_s16(far[f + i]);
		}
		echo_canceller_process(ec, mic, ref, out + f);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	echo_canceller_free(ec);
	return ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) /
	       SECONDS;
}

static double run(unsigned tail, bool sup, bool with_near, int16_t *out)
{
	return run_with(tail, sup, with_near ? near : NULL, out);
}

/* The lag (0..@max samples) at which @out[i + lag] best matches @x[i]
 * over [@a, @b). */
static size_t best_lag(const double *x, const int16_t *out, size_t a,
		       size_t b, size_t max)
{
	double best = -1e300;
	size_t lag, at = 0, i;

	for (lag = 0; lag <= max; lag++) {
		double c = 0;

		for (i = a; i < b; i++)
			c += x[i] * out[i + lag];
		if (c > best) {
			best = c;
			at = lag;
		}
	}
	return at;
}

/* SDR (dB) of @out[i + @lag] against @x[i] over [@a, @b) */
static double sdr_db(const double *x, const int16_t *out, size_t lag,
		     size_t a, size_t b)
{
	double pn = 0, pd = 0;
	size_t i;

	for (i = a; i < b; i++) {
		double d = out[i + lag] - x[i];

		pn += x[i] * x[i];
		pd += d * d;
	}
	return 10 * log10(pn / (pd + 1e-9));
}

/*
 * Near-end SDR (dB), the same against the near end through speexdsp's
 * DC notch, level change (dB) and lag (ms) over [@a, @b).
 */
static void near_quality(const int16_t *out, size_t a, size_t b,
			 double *sdr, double *sdr_n, double *gain,
			 double *lag_ms)
{
	size_t lag = best_lag(near2, out, a, b, 400), i;
	double pn = 0, po = 0;

	for (i = a; i < b; i++) {
		pn += near2[i] * near2[i];
		po += (double)out[i + lag] * out[i + lag];
	}
	*sdr = sdr_db(near2, out, lag, a, b);
	*sdr_n = sdr_db(near2n, out, lag, a, b);
	*gain = 10 * log10((po + 1e-9) / pn);
	*lag_ms = lag * 1000.0 / SIM_RATE;
}

/* Echo in / echo out over [@a, @b) of a far-end-only run. */
static double suppression(const int16_t *out, size_t a, size_t b)
{
	double pe = 0, po = 0;
	size_t i;

	for (i = a; i < b; i++) {
		pe += echo[i] * echo[i];
		po += (double)out[i] * out[i];
	}
	return po > 0 ? 10 * log10(pe / po) : 200;
}

int main(int argc, char **argv)
{
	unsigned tail = argc > 1 ? (unsigned)atoi(argv[1]) : 64;
	static double h[SIM_MAX_TAPS * 2];
	double erls[] = { 6, 3 };
	double cpu = 0;
	int runs = 0;
	unsigned e;
	int k;

	printf("# echo canceller benchmark: speexdsp MDF, tail %u ms, CSS-like far end at -10 dBm0\n",
	       tail);
	printf("# hybrids: 5 ms bulk delay + 8..16 ms dispersion; near end for double talk at -15 dBm0 from 10 s\n");
	printf("%-6s %-4s %-6s %8s %8s %8s %9s %11s %9s\n", "hybrid", "ERL",
	       "disp", "ERLE@1s", "ERLE@3s", "ERLE@10s", "t(20dB)", "residual",
	       "ERLE(DT)");
	sim_css(far, N, -10, 1);
	sim_css(near, N, -15, 99);
	for (size_t i = 0; i < DT_START; i++)
		near[i] = 0;
	for (e = 0; e < 2; e++) {
		for (k = 0; k < 8; k++) {
			double disp = 8 + k;	/* 8..15 ms */
			size_t nh = sim_hybrid(h, k, disp, 40, erls[e]);
			double t20 = -1, res, pe = 0, po = 0;
			size_t t, i;

			sim_convolve(far, h, nh, echo, N);
			cpu += run(tail, false, false, out_lin);
			runs++;
			for (t = SIM_RATE / 2; t <= DT_START; t += SIM_RATE / 10)
				if (seg_erle(t, out_lin) >= 20) {
					t20 = (double)t / SIM_RATE;
					break;
				}
			run(tail, true, false, out_sup);
			{
				double r[SIM_RATE];

				for (i = 0; i < SIM_RATE; i++)
					r[i] = out_sup[DT_START - SIM_RATE + i];
				res = sim_level_dbm0(r, SIM_RATE);
			}
			/* double talk: residual echo = output - near end
			 * through the same linear canceller */
			run(tail, false, true, out_lin);
			for (i = DT_START + SIM_RATE; i < N; i++) {
				double r = out_lin[i] - near[i];

				pe += echo[i] * echo[i];
				po += r * r;
			}
			run(tail, false, false, out_near_only);
			sim_convolve(far, h, nh, echo, N);
			printf("%-6d %-4.0f %-6.0f %8.1f %8.1f %8.1f %8.2fs %8.1f dBm0 %8.1f\n",
			       k, erls[e], disp, seg_erle(SIM_RATE, out_near_only),
			       seg_erle(3 * SIM_RATE, out_near_only),
			       seg_erle(DT_START, out_near_only), t20, res,
			       10 * log10(pe / (po + 1e-9)));
		}
	}
	printf("# CPU: %.2f ms per channel-second (echo canceller alone, this machine)\n",
	       cpu / runs);

	/* the issue-13 targets, suppressor on */
	{
		static double tmp[N + SIM_RATE];
		size_t i;

		sim_css(tmp, N + SIM_RATE, -15, 4242);
		for (i = 0; i < N; i++)
			near2[i] = i < DT_START ? 0 : tmp[i + SIM_RATE * 137 / 1000];
		sim_speex_dc_notch(near2, near2n, N);
	}
	printf("\n# with the residual suppressor; double talk: uncorrelated near end at -15 dBm0 from 10 s\n");
	printf("%-6s %-4s %-6s %10s %10s %10s %10s %9s %9s %9s %9s %9s\n",
	       "hybrid", "ERL", "disp", "supp@3s", "supp2-6s", "supp@10s",
	       "supp-gap", "SDR(DT)", "SDR(-DC)", "gain(DT)", "lag(DT)",
	       "SDR(lin)");
	for (e = 0; e < 2; e++) {
		for (k = 0; k < 8; k++) {
			double disp = 8 + k, sdr, sdr_n, gain, lag, s3, s10;
			double s26, sgap;
			double lsdr, lsdr_n, lgain, llag;
			size_t nh = sim_hybrid(h, k, disp, 40, erls[e]);

			sim_convolve(far, h, nh, echo, N);
			run_with(tail, true, NULL, out_sup);
			s3 = suppression(out_sup, SIM_RATE * 5 / 2, 3 * SIM_RATE);
			s10 = suppression(out_sup, DT_START - SIM_RATE, DT_START);
			s26 = suppression(out_sup, 2 * SIM_RATE, 6 * SIM_RATE);
			gap = true;
			run_with(tail, true, NULL, out_sup);
			gap = false;
			sgap = suppression(out_sup, GAP_AT + GAP_LEN,
					   GAP_AT + GAP_LEN + 3 * SIM_RATE);
			run_with(tail, true, near2, out_sup);
			near_quality(out_sup, DT_START + SIM_RATE, N - 400,
				     &sdr, &sdr_n, &gain, &lag);
			run_with(tail, false, near2, out_lin);
			near_quality(out_lin, DT_START + SIM_RATE, N - 400,
				     &lsdr, &lsdr_n, &lgain, &llag);
			printf("%-6d %-4.0f %-6.0f %7.1f dB %7.1f dB %7.1f dB %7.1f dB %6.1f dB %6.1f dB %6.2f dB %6.1f ms %6.1f dB\n",
			       k, erls[e], disp, s3, s26, s10, sgap, sdr, sdr_n,
			       gain, lag, lsdr_n);
		}
	}
	return 0;
}
