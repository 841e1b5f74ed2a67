// SPDX-License-Identifier: GPL-2.0-only
/*
 * talkoff.c - run fxsd's in-band DTMF detector (daemon/dsp/dtmf.c) over
 * speech and count the digits it reports: every one is a false digit
 * ("talk-off").  With --spandsp, spandsp's DTMF receiver runs over the
 * same samples as an independent reference.
 *
 *   talkoff [--level DBM0] [--law ulaw|alaw|linear] [--spandsp] FILE...
 *
 * Each FILE is raw signed 16-bit little-endian mono audio at 8 kHz.  It is
 * first brought to an active speech level of DBM0 (default -10): the mean
 * power of its active 20 ms frames (those within 30 dB of the loudest
 * tenth) is scaled to that of a sine of DBM0 (0 dBm0 = a sine of peak
 * 22786, as in dtmf.h), then passed through G.711 (default mu-law) as a
 * phone line would carry it.  One line per file:
 *
 *   FILE seconds=S level=L fxsd=N "DIGITS" [spandsp=M "DIGITS"]
 *
 * and a last line "total seconds=S fxsd=N [spandsp=M]".  Exit status 0
 * when fxsd reported no digit, 1 when it did, 2 on errors.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "dsp/dtmf.h"
#include "media/g711.h"

#define RATE		8000
#define FRAME		160		/* 20 ms, for the level */
#define MAX_DIGITS	64

static int16_t *read_raw(const char *path, size_t *ret_n)
{
	FILE *f = fopen(path, "rb");
	int16_t *pcm = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (pcm = malloc((size_t)len)))
		*ret_n = fread(pcm, sizeof(*pcm), (size_t)len / 2, f);
	fclose(f);
	return pcm;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? 1 : x > y ? -1 : 0;	/* descending */
}

/* Active speech level of @pcm as a mean power (see the top). */
static double active_power(const int16_t *pcm, size_t n)
{
	size_t frames = n / FRAME, top, active = 0;
	double *p = calloc(frames ? frames : 1, sizeof(*p));
	double ref = 0.0, sum = 0.0;

	if (!p || !frames) {
		free(p);
		return 0.0;
	}
	for (size_t f = 0; f < frames; f++) {
		for (size_t i = 0; i < FRAME; i++)
			p[f] += (double)pcm[f * FRAME + i] * pcm[f * FRAME + i];
		p[f] /= FRAME;
	}
	double *s = malloc(frames * sizeof(*s));

	if (!s) {
		free(p);
		return 0.0;
	}
	memcpy(s, p, frames * sizeof(*s));
	qsort(s, frames, sizeof(*s), cmp_double);
	top = frames / 10 ? frames / 10 : 1;
	for (size_t f = 0; f < top; f++)
		ref += s[f];
	ref /= (double)top;
	for (size_t f = 0; f < frames; f++)
		if (p[f] >= ref * 1e-3) {
			sum += p[f];
			active++;
		}
	free(s);
	free(p);
	return active ? sum / (double)active : 0.0;
}

/* talkoff_spandsp.c: spandsp's receiver over @pcm; the digit count, the
 * first @max - 1 of them in @ret (NUL-terminated); -1 on failure. */
int spandsp_dtmf(const int16_t *pcm, size_t n, char *ret, size_t max);

int main(int argc, char **argv)
{
	double level = -10.0, total_s = 0.0;
	int law = G711_ULAW, spandsp = 0, i;
	unsigned total = 0, total_span = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--level") == 0 && i + 1 < argc) {
			level = atof(argv[++i]);
		} else if (strcmp(argv[i], "--law") == 0 && i + 1 < argc) {
			i++;
			law = strcmp(argv[i], "alaw") == 0 ? G711_ALAW :
			      strcmp(argv[i], "linear") == 0 ? -1 : G711_ULAW;
		} else if (strcmp(argv[i], "--spandsp") == 0) {
			spandsp = 1;
		} else {
			fprintf(stderr, "usage: talkoff [--level DBM0] [--law ulaw|alaw|linear] "
				"[--spandsp] FILE...\n");
			return 2;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "talkoff: no input files\n");
		return 2;
	}
	for (; i < argc; i++) {
		static struct dtmf_detector d;
		char digits[MAX_DIGITS + 1];
		size_t n = 0, k = 0;
		int16_t *pcm = read_raw(argv[i], &n);
		double p, gain, target;

		if (!pcm || n < RATE) {
			fprintf(stderr, "talkoff: %s: %s\n", argv[i],
				pcm ? "shorter than 1 s" : strerror(errno));
			free(pcm);
			return 2;
		}
		p = active_power(pcm, n);
		target = DTMF_0DBM0_PEAK * DTMF_0DBM0_PEAK / 2.0 * pow(10.0, level / 10.0);
		gain = p > 0.0 ? sqrt(target / p) : 1.0;
		for (size_t j = 0; j < n; j++) {
			double v = lrint(pcm[j] * gain);
			int16_t s = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
			uint8_t c;

			if (law >= 0) {
				g711_encode(law, &s, &c, 1);
				g711_decode(law, &c, &s, 1);
			}
			pcm[j] = s;
		}

		/* fxsd, in 10 ms frames as fxsd's line feeds it */
		dtmf_detector_init(&d, NULL, NULL);
		for (size_t j = 0; j < n; j += 80) {
			size_t c = n - j < 80 ? n - j : 80;
			char got[4];
			int r = dtmf_detect(&d, pcm + j, c, got, sizeof(got));

			for (int m = 0; m < r; m++)
				if (k < MAX_DIGITS)
					digits[k++] = got[m];
		}
		{
			static const int16_t zero[1600];
			char got[4];
			int r = dtmf_detect(&d, zero, 1600, got, sizeof(got));

			for (int m = 0; m < r; m++)
				if (k < MAX_DIGITS)
					digits[k++] = got[m];
		}
		digits[k] = '\0';
		total += (unsigned)k;
		total_s += (double)n / RATE;
		printf("%s seconds=%.1f level=%.1f fxsd=%zu \"%s\"", argv[i],
		       (double)n / RATE, level, k, digits);

		if (spandsp) {
			char sd[MAX_DIGITS + 1];
			int r = spandsp_dtmf(pcm, n, sd, sizeof(sd));

			if (r < 0) {
				fprintf(stderr, "talkoff: spandsp failed\n");
				return 2;
			}
			total_span += (unsigned)r;
			printf(" spandsp=%d \"%s\"", r, sd);
		}
		printf("\n");
		free(pcm);
	}
	printf("total seconds=%.1f fxsd=%u", total_s, total);
	if (spandsp)
		printf(" spandsp=%u", total_span);
	printf("\n");
	return total ? 1 : 0;
}
