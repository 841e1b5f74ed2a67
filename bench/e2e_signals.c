// SPDX-License-Identifier: GPL-2.0-only
/*
 * e2e_signals - the signals of the end-to-end echo benchmark (bench/e2e.sh):
 *
 *   e2e_signals DIR
 *
 * writes DIR/css.raw, 12 s of the CSS-like far-end source at -10 dBm0 (raw
 * s16, 8 kHz), and DIR/hybrid-K.taps (K = 0..7), the dispersive part of
 * hybrid echo path K of bench/echo_sim.h (8 + K ms; the bulk delay and the
 * ERL are set on the loopback board separately) as Q15 numbers for
 * `handset N echo on ERL DELAY TAPS` (the board scales them to unit energy).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "echo_sim.h"

int main(int argc, char **argv)
{
	static double x[SIM_RATE * 12], h[SIM_MAX_TAPS];
	char path[4096];
	size_t i, n;
	int k;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: e2e_signals DIR\n");
		return 2;
	}
	sim_css(x, SIM_RATE * 12, -10, 42);
	snprintf(path, sizeof(path), "%s/css.raw", argv[1]);
	f = fopen(path, "wb");
	if (!f)
		return 1;
	for (i = 0; i < SIM_RATE * 12; i++) {
		int16_t s = sim_s16(x[i]);

		fwrite(&s, sizeof(s), 1, f);
	}
	fclose(f);
	for (k = 0; k < 8; k++) {
		double peak = 0;

		n = sim_hybrid(h, k, 8 + k, 0, 0);
		for (i = 0; i < n; i++)
			peak = fmax(peak, fabs(h[i]));
		snprintf(path, sizeof(path), "%s/hybrid-%d.taps", argv[1], k);
		f = fopen(path, "w");
		if (!f)
			return 1;
		for (i = 0; i < n && i < 128; i++)
			fprintf(f, "%ld\n", lrint(h[i] / peak * 32000));
		fclose(f);
	}
	return 0;
}
