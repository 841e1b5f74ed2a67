// SPDX-License-Identifier: GPL-2.0-only
/*
 * codec_bench.c - CPU per channel of each codec of media/codec.c: encode
 * and decode of 20 ms frames (160 samples at 8 kHz) of a voice-like
 * signal (two tones swelling, and noise), as fxsd does them once per
 * frame and direction of a call.  Prints microseconds per frame and the
 * share of one core a full-duplex channel takes.
 *
 *	bench/codec_bench [seconds of audio per codec, default 30]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "media/codec.h"

#define RATE	8000
#define FRAME	160

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

int main(int argc, char **argv)
{
	unsigned secs = argc > 1 ? (unsigned)atoi(argv[1]) : 30;
	size_t n = (size_t)secs * RATE, frames = n / FRAME;
	int16_t *x = malloc(n * sizeof(*x)), out[FRAME];
	uint8_t pkt[CODEC_PAYLOAD_MAX];

	if (!x || secs == 0)
		return 1;
	srand(1);
	for (size_t i = 0; i < n; i++) {
		double t = (double)i / RATE;
		double a = 0.5 + 0.5 * sin(2 * M_PI * 0.7 * t);

		x[i] = (int16_t)(a * (6000 * sin(2 * M_PI * 210 * t) +
				      3000 * sin(2 * M_PI * 1400 * t)) +
				 (rand() % 401) - 200);
	}
	printf("%-6s %12s %12s %12s %10s\n", "codec", "encode us", "decode us",
	       "both us", "% core");
	for (int c = 0; c < _CODEC_MAX; c++) {
		struct codec *s;
		double enc = 0, dec = 0, t0;
		size_t bytes = 0;

		if (codec_new(c, NULL, &s) < 0)
			return 1;
		for (size_t f = 0; f < frames; f++) {
			int k;

			t0 = now_us();
			k = codec_encode(s, x + f * FRAME, FRAME, pkt, sizeof(pkt));
			enc += now_us() - t0;
			if (k < 0)
				return 1;
			bytes += k;
			if (k == 0)
				continue;
			t0 = now_us();
			if (codec_decode(s, pkt, k, out, FRAME) < 0)
				return 1;
			dec += now_us() - t0;
		}
		codec_free(s);
		printf("%-6s %12.2f %12.2f %12.2f %9.3f%%   (%zu bit/s)\n",
		       codec_to_string(c), enc / frames, dec / frames,
		       (enc + dec) / frames, 100.0 * (enc + dec) / frames / 20000.0,
		       bytes * 8 / secs);
	}
	free(x);
	return 0;
}
