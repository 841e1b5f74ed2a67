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
 * channel-second.  Usage: echo_bench [TAIL_MS]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dsp/echo.h"
#include "echo_sim.h"

#define SECONDS		14
#define N		(SIM_RATE * SECONDS)
#define DT_START	(SIM_RATE * 10)

static double far[N], echo[N], near[N];
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

/* Run the canceller over mic = echo (+ near), ref = far. */
static double run(unsigned tail, bool sup, bool with_near, int16_t *out)
{
	struct echo_canceller *ec;
	int16_t mic[ECHO_FRAME], ref[ECHO_FRAME];
	struct timespec a, b;
	size_t f, i;

	if (echo_canceller_new(tail, sup, &ec) < 0)
		exit(1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (f = 0; f + ECHO_FRAME <= N; f += ECHO_FRAME) {
		for (i = 0; i < ECHO_FRAME; i++) {
			double m = echo[f + i];

			if (with_near)
				m += near[f + i];
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
	return 0;
}
