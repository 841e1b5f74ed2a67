// SPDX-License-Identifier: GPL-2.0-only
/*
 * analyze - measure recorded phone audio (raw signed 16-bit, 8 kHz, mono)
 * for the media tests.  Independent of the daemon's code: the expected
 * values come from the command line (the test's own table of standards).
 *
 *   analyze tone FILE --freqs F1[,F2...] (--continuous | --cadence MS,MS...
 *                | --once MS,MS...)
 *	Split the recording into tone-on and silent segments (20 ms energy
 *	window; one beat period when two of the frequencies lie closer than
 *	33 Hz), measure the tone's frequencies on the longest on-segment
 *	(Hann-windowed spectrum, peaks refined to 0.05 Hz) and check them to
 *	+/- 0.5 %, and the cadence to +/- 10 ms:
 *	  --continuous  once the tone starts it never stops;
 *	  --cadence     the complete segments (all but the first and the
 *	                last) repeat the on/off cycle given, starting with on,
 *	                for at least one whole cycle;
 *	  --once        the complete segments are exactly those given (on,
 *	                off, on, ...), for tones that play once or end steady;
 *	  --first MS    the first sound (after silence) lasts MS; the
 *	                frequencies are measured on it, not the longest.
 *   analyze segments --cadence MS,MS... on|off MS [on|off MS ...]
 *	The same cadence check on durations measured elsewhere (the ringer).
 *   analyze level FILE [FROM_MS TO_MS]
 *	Print the mean power (dBFS, a full-scale sine is -3) and the energy
 *	(dB) of the recording or a part of it.
 *   analyze erle SENT RECEIVED ERL_DB
 *	Echo return loss enhancement over time: SENT is what the far end
 *	played, RECEIVED what it recorded while the near end was silent (the
 *	echo after the canceller), the echo path's loss ERL_DB.  ERLE over
 *	500 ms windows every 50 ms: the power of SENT minus ERL minus that of
 *	RECEIVED; prints it every 500 ms, then "erle@1s X erle@3s Y erle@10s
 *	Z t20 T" (each at the window ending then; T: the end of the first
 *	window from which every window is at least 20 dB, -1 if none).
 *   analyze prompts FILE DIR NAME...
 *	The voice menu's prompts DIR/NAME.sln (raw like FILE) are heard in
 *	FILE in this order: each is looked for after the end of the one
 *	before, at the first lag where a 50 ms window of its voiced start
 *	correlates (normalised cross-correlation >= 0.8), refined within
 *	10 ms; there the whole prompt must correlate >= 0.8, or, for a
 *	prompt a late frame of the emulator split, each half at its own
 *	best lag within 100 ms.  Prints where each was found.
 *
 * Exit 0 when the checks hold, 1 when not, 2 on bad use.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ncc.h"

#define RATE		8000
#define WIN		160	/* energy window: 20 ms, longer than the beat of 440+480 Hz */

/*
 * The energy window in use: WIN, or one beat period of the two closest
 * expected frequencies when that is over 30 ms (400+425 Hz, the German
 * special dial tone, beats to silence every 40 ms) - set by cmd_tone().
 */
static size_t win = WIN;
#define MAX_SEG		512
#define MAX_F		8
#define FREQ_TOL	0.005	/* +/- 0.5 % */
#define CAD_TOL_MS	10.0

struct seg {
	int on;
	size_t start, len;	/* samples */
};

static int16_t *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	int16_t *buf = NULL;
	size_t cap = 0, got = 0, r;

	if (!f) {
		fprintf(stderr, "analyze: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	do {
		if (got == cap) {
			int16_t *nb;

			cap = cap ? 2 * cap : RATE * 8;
			nb = realloc(buf, cap * sizeof(*buf));
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + got, sizeof(*buf), cap - got, f);
		got += r;
	} while (r);
	fclose(f);
	*n = got;
	return buf;
}

static int parse_list(const char *s, double *out, int max)
{
	int n = 0;
	char *end;

	while (*s && n < max) {
		out[n++] = strtod(s, &end);
		if (end == s)
			return -1;
		s = *end == ',' ? end + 1 : end;
	}
	return *s ? -1 : n;
}

/*
 * Split at the edges of the tone.  A 20 ms window's energy above -45 dBFS
 * marks the sounds; within each, the window counts as "on" above half the
 * sound's own mean, so an edge is found where the window is half full, at
 * its middle, whatever the sound's level (a louder alert next to a softer
 * spill is measured as exactly as either).
 */
static int segment(const int16_t *x, size_t n, struct seg *segs)
{
	double floor_e = win * pow(10, -45 / 10.0) * 32768.0 * 32768.0;
	double *e = calloc(n + 1, sizeof(*e)), acc = 0;
	int ns = 0, on = -1;
	size_t i, j;

	if (!e)
		return -1;
	for (i = 0; i < n; i++) {	/* e[i]: the window ending at i */
		acc += (double)x[i] * x[i];
		if (i >= win)
			acc -= (double)x[i - win] * x[i - win];
		e[i] = i + 1 >= win ? acc : 0;
	}
	for (i = win - 1; i < n; i = j) {
		double sum = 0, thr = floor_e;
		size_t k;

		/* a sound: windows above the floor from i to j */
		for (j = i; j < n && (e[j] > floor_e) == (e[i] > floor_e); j++)
			sum += e[j];
		if (e[i] > floor_e)
			thr = sum / (j - i) / 2;
		for (k = i; k < j; k++) {
			int now = e[i] > floor_e && e[k] > thr;

			if (now != on) {
				size_t at = k + 1 - win / 2;

				if (ns == MAX_SEG) {
					free(e);
					return -1;
				}
				if (ns)
					segs[ns - 1].len = at - segs[ns - 1].start;
				segs[ns].on = now;
				segs[ns].start = ns ? at : 0;
				ns++;
				on = now;
			}
		}
	}
	if (ns)
		segs[ns - 1].len = n - segs[ns - 1].start;
	free(e);
	return ns;
}

/* |DTFT|^2 of the (already windowed) x at f Hz, by Goertzel. */
static double power_at(const double *x, size_t n, double f)
{
	double c = 2 * cos(2 * M_PI * f / RATE), s1 = 0, s2 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - c * s1 * s2;
}

/* The spectral peaks within 20 dB of the strongest, 200-3600 Hz. */
static int find_peaks(const int16_t *in, size_t n, double *peaks, int max)
{
	double step = 2.0, *p, *x;
	int k, nk = (int)((3600 - 200) / step) + 1, np = 0;
	double best = 0;
	size_t i;

	p = calloc(nk, sizeof(*p));
	x = calloc(n, sizeof(*x));
	if (!p || !x) {
		free(p);
		free(x);
		return -1;
	}
	for (i = 0; i < n; i++)	/* Hann window */
		x[i] = in[i] * (0.5 - 0.5 * cos(2 * M_PI * i / (n - 1)));
	for (k = 0; k < nk; k++) {
		p[k] = power_at(x, n, 200 + k * step);
		if (p[k] > best)
			best = p[k];
	}
	for (k = 1; k + 1 < nk && np < max; k++) {
		double lo, hi, f;

		if (p[k] < best * pow(10, -20 / 10.0) || p[k] < p[k - 1] ||
		    p[k] < p[k + 1])
			continue;
		/* golden-section search for the top between the neighbours */
		lo = 200 + (k - 1) * step;
		hi = 200 + (k + 1) * step;
		while (hi - lo > 0.05) {
			double a = hi - (hi - lo) * 0.618, b = lo + (hi - lo) * 0.618;

			if (power_at(x, n, a) > power_at(x, n, b))
				hi = b;
			else
				lo = a;
		}
		f = (lo + hi) / 2;
		if (!np || f - peaks[np - 1] > 10)
			peaks[np++] = f;
	}
	free(p);
	free(x);
	return np;
}

static double ms(size_t samples)
{
	return samples * 1000.0 / RATE;
}

/* Complete segments (on, ms) against a repeating cycle starting with on. */
static int match_cycle(const int *on, const double *len, int n,
		       const double *cyc, int nc)
{
	int off, i;

	if (n < nc) {
		printf("analyze: %d complete segments, a whole cycle has %d\n", n, nc);
		return 1;
	}
	for (off = 0; off < nc; off++) {
		for (i = 0; i < n; i++) {
			int k = (off + i) % nc;

			if (on[i] != !(k & 1) || fabs(len[i] - cyc[k]) > CAD_TOL_MS)
				break;
		}
		if (i == n) {
			printf("analyze: cadence matches the cycle within %.0f ms\n",
			       CAD_TOL_MS);
			return 0;
		}
	}
	printf("analyze: cadence does not match the cycle\n");
	return 1;
}

static int match_once(const int *on, const double *len, int n,
		      const double *seq, int nq)
{
	int i;

	if (n != nq) {
		printf("analyze: %d complete segments, expected %d\n", n, nq);
		return 1;
	}
	for (i = 0; i < n; i++)
		if (on[i] != !(i & 1) || fabs(len[i] - seq[i]) > CAD_TOL_MS) {
			printf("analyze: segment %d is %s %.1f ms, expected %s %.0f ms\n",
			       i, on[i] ? "on" : "off", len[i],
			       i & 1 ? "off" : "on", seq[i]);
			return 1;
		}
	printf("analyze: the sequence matches within %.0f ms\n", CAD_TOL_MS);
	return 0;
}

static int cmd_tone(int argc, char **argv)
{
	double want[MAX_F], got[MAX_F], cad[64], seglen[MAX_SEG];
	int segon[MAX_SEG];
	int nw = 0, nc = 0, mode = 0, ns, np, i, k, bad = 0, longest = -1;
	struct seg segs[MAX_SEG];
	int16_t *x;
	size_t n;

	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--freqs") && i + 1 < argc)
			nw = parse_list(argv[++i], want, MAX_F);
		else if (!strcmp(argv[i], "--continuous"))
			mode = 's';	/* steady */
		else if (!strcmp(argv[i], "--cadence") && i + 1 < argc) {
			mode = 'r';	/* repeating */
			nc = parse_list(argv[++i], cad, 64);
		} else if (!strcmp(argv[i], "--once") && i + 1 < argc) {
			mode = 'o';
			nc = parse_list(argv[++i], cad, 64);
		} else if (!strcmp(argv[i], "--first") && i + 1 < argc) {
			mode = 'f';
			nc = parse_list(argv[++i], cad, 1);
		} else {
			return 2;
		}
	}
	if (nw <= 0 || !mode || nc < 0)
		return 2;
	for (i = 0; i < nw; i++)
		for (k = i + 1; k < nw; k++) {
			double df = fabs(want[i] - want[k]);

			if (df > 0 && RATE / df > 240 && RATE / df > win)
				win = (size_t)lround(RATE / df);
		}
	x = load(argv[2], &n);
	if (!x)
		return 2;
	ns = segment(x, n, segs);
	printf("analyze: %.0f ms:", ms(n));
	for (i = 0; i < ns && i < 40; i++)
		printf(" %s %.1f", segs[i].on ? "on" : "off", ms(segs[i].len));
	printf("%s\n", ns > 40 ? " ..." : "");
	for (i = 0; i < ns; i++)
		if (segs[i].on && (longest < 0 || segs[i].len > segs[longest].len))
			longest = i;
	if (mode == 'f') {
		longest = ns > 1 && segs[1].on ? 1 : -1;
		if (longest > 0 && fabs(ms(segs[1].len) - cad[0]) > CAD_TOL_MS) {
			printf("analyze: the first sound lasts %.1f ms, expected %.0f\n",
			       ms(segs[1].len), cad[0]);
			bad = 1;
		}
	}
	if (longest < 0) {
		printf("analyze: no tone\n");
		free(x);
		return 1;
	}
	/* the spectrum away from the edges */
	{
		size_t len = segs[longest].len > 3 * win ?
			     segs[longest].len - 2 * win : segs[longest].len;

		np = find_peaks(x + segs[longest].start + win,
				len > RATE / 2 ? RATE / 2 : len, got, MAX_F);
	}
	printf("analyze: frequencies (Hz):");
	for (k = 0; k < np; k++)
		printf(" %.2f", got[k]);
	printf("\n");
	if (np != nw) {
		printf("analyze: %d frequencies, expected %d\n", np, nw);
		bad = 1;
	}
	for (k = 0; k < np && k < nw; k++)
		if (fabs(got[k] - want[k]) > want[k] * FREQ_TOL) {
			printf("analyze: %.2f Hz is off %.0f Hz by more than 0.5 %%\n",
			       got[k], want[k]);
			bad = 1;
		}
	if (mode == 's') {
		/* silence, then the tone to the end (or the tone throughout) */
		if (ns > 2 || !segs[ns - 1].on) {
			printf("analyze: the tone is interrupted\n");
			bad = 1;
		}
	} else if (mode != 'f') {
		for (i = 1, k = 0; i + 1 < ns; i++, k++) {
			segon[k] = segs[i].on;
			seglen[k] = ms(segs[i].len);
		}
		bad |= mode == 'o' ? match_once(segon, seglen, k, cad, nc) :
				     match_cycle(segon, seglen, k, cad, nc);
	}
	free(x);
	return bad;
}

static int cmd_segments(int argc, char **argv)
{
	double cad[64], len[MAX_SEG];
	int on[MAX_SEG], nc, n = 0, i;

	if (argc < 5 || strcmp(argv[2], "--cadence"))
		return 2;
	nc = parse_list(argv[3], cad, 64);
	if (nc <= 0)
		return 2;
	for (i = 4; i + 1 < argc && n < MAX_SEG; i += 2, n++) {
		on[n] = !strcmp(argv[i], "on");
		len[n] = atof(argv[i + 1]);
	}
	return match_cycle(on, len, n, cad, nc);
}

static int cmd_level(int argc, char **argv)
{
	size_t n, a = 0, b, i;
	double e = 0;
	int16_t *x;

	if (argc != 3 && argc != 5)
		return 2;
	x = load(argv[2], &n);
	if (!x)
		return 2;
	b = n;
	if (argc == 5) {
		long from = atol(argv[3]), to = atol(argv[4]);

		a = from > 0 ? (size_t)from * RATE / 1000 : 0;
		b = to > 0 ? (size_t)to * RATE / 1000 : 0;
		if (b > n)
			b = n;
	}
	for (i = a; i < b; i++)
		e += (double)x[i] * x[i];
	if (b <= a) {
		printf("power -inf energy -inf\n");
	} else {
		double fs = 32768.0 * 32768.0;

		printf("power %.2f energy %.2f\n",
		       10 * log10(e / (b - a) / fs + 1e-12),
		       10 * log10(e / fs + 1e-12));
	}
	free(x);
	return 0;
}

static double window_db(const int16_t *x, size_t n, size_t a, size_t b)
{
	double e = 0;
	size_t i;

	for (i = a; i < b && i < n; i++)
		e += (double)x[i] * x[i];
	return 10 * log10(e / (b - a) / (32768.0 * 32768.0) + 1e-13);
}

static int cmd_erle(int argc, char **argv)
{
	size_t ns, nr, w = RATE / 2, hop = RATE / 20, k, nw, n;
	int16_t *s, *r;
	double erl, *erle, t20 = -1;

	if (argc != 5)
		return 2;
	erl = atof(argv[4]);
	s = load(argv[2], &ns);
	r = load(argv[3], &nr);
	if (!s || !r)
		return 2;
	/* the echo's round trip: the lag (up to 300 ms) at which the first
	 * second received, still full of echo, best matches what was sent */
	{
		size_t lag, best_lag = 0, i;
		double best = 0;

		for (lag = 0; lag < RATE * 3 / 10 && lag + RATE < nr; lag++) {
			double c = 0;

			for (i = 0; i < RATE && i < ns; i++)
				c += (double)s[i] * r[i + lag];
			if (fabs(c) > best) {
				best = fabs(c);
				best_lag = lag;
			}
		}
		printf("echo round trip %.1f ms\n", best_lag * 1000.0 / RATE);
		r += best_lag;
		nr -= best_lag;
	}
	n = ns < nr ? ns : nr;
	nw = n >= w ? (n - w) / hop + 1 : 0;
	erle = calloc(nw + 1, sizeof(*erle));
	if (!erle)
		return 2;
	/* 500 ms windows every 50 ms; printed every 500 ms */
	for (k = 0; k < nw; k++) {
		erle[k] = window_db(s, ns, k * hop, k * hop + w) - erl -
			  window_db(r, nr, k * hop, k * hop + w);
		if (k % 10 == 0)
			printf("%5.2f s %6.1f dB\n", (k * hop + w) / (double)RATE,
			       erle[k]);
	}
	for (k = nw; k-- > 0;) {
		if (erle[k] < 20)
			break;
		t20 = (k * hop + w) / (double)RATE;
	}
#define AT(sec) ((size_t)((sec) * RATE - w) / hop)
	printf("erle@1s %.1f erle@3s %.1f erle@10s %.1f t20 %.2f\n",
	       AT(1) < nw ? erle[AT(1)] : -1, AT(3) < nw ? erle[AT(3)] : -1,
	       AT(10) < nw ? erle[AT(10)] : -1, t20);
#undef AT
	free(erle);
	free(s);
	return 0;	/* r is freed at exit: it was moved by the lag */
}

/* The best ncc of @p (@m samples) in @r (@n) at lags @lo..@hi. */
static double best_ncc(const int16_t *r, size_t n, const int16_t *p, size_t m,
		       long lo, long hi)
{
	double best = 0;
	long lag;

	for (lag = lo < 0 ? 0 : lo; lag <= hi && (size_t)lag + m <= n; lag++) {
		double c = ncc(p, r + lag, m);

		if (c > best)
			best = c;
	}
	return best;
}

static int cmd_prompts(int argc, char **argv)
{
	size_t n, from = 0;
	int16_t *r;
	int i;

	if (argc < 5)
		return 2;
	r = load(argv[2], &n);
	if (!r)
		return 1;
	for (i = 4; i < argc; i++) {
		char path[512];
		size_t m, s0 = 0, w = 400, lag, best = 0;
		int16_t *p;
		double score = 0;
		long at = -1;

		snprintf(path, sizeof(path), "%s/%s.sln", argv[3], argv[i]);
		p = load(path, &m);
		if (!p)
			return 1;
		while (s0 < m && abs(p[s0]) < 500)
			s0++;
		if (s0 + w > m)
			w = m - s0;
		for (lag = from; w && lag + m <= n; lag++) {
			double c = ncc(p + s0, r + lag + s0, w), cb = c;
			size_t k;

			if (c < 0.8)
				continue;
			best = lag;
			for (k = lag + 1; k < lag + 80 && k + m <= n; k++) {
				double ck = ncc(p + s0, r + k + s0, w);

				if (ck > cb) {
					cb = ck;
					best = k;
				}
			}
			score = ncc(p, r + best, m);
			if (score < 0.8) {
				/* split by a late frame: each half alone */
				double a = best_ncc(r, n, p, m / 2,
						    (long)best - 800, (long)best + 800);
				double b = best_ncc(r, n, p + m / 2, m - m / 2,
						    (long)(best + m / 2) - 800,
						    (long)(best + m / 2) + 800);

				score = a < b ? a : b;
			}
			if (score >= 0.8) {
				at = (long)best;
				break;
			}
		}
		free(p);
		if (at < 0) {
			printf("prompt %s: not found after %.2f s\n", argv[i],
			       from / (double)RATE);
			return 1;
		}
		printf("prompt %-16s at %6.2f s, correlation %.3f\n", argv[i],
		       at / (double)RATE, score);
		from = (size_t)at + m;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int r = 2;

	if (argc >= 3 && !strcmp(argv[1], "tone"))
		r = cmd_tone(argc, argv);
	else if (argc >= 3 && !strcmp(argv[1], "segments"))
		r = cmd_segments(argc, argv);
	else if (argc >= 3 && !strcmp(argv[1], "level"))
		r = cmd_level(argc, argv);
	else if (argc >= 3 && !strcmp(argv[1], "erle"))
		r = cmd_erle(argc, argv);
	else if (argc >= 3 && !strcmp(argv[1], "prompts"))
		r = cmd_prompts(argc, argv);
	if (r == 2)
		fprintf(stderr, "usage: analyze tone FILE --freqs F,... --continuous|--cadence MS,...|--once MS,...\n"
				"       analyze segments --cadence MS,... on|off MS ...\n"
				"       analyze level FILE [FROM_MS TO_MS]\n"
				"       analyze erle SENT RECEIVED ERL_DB\n"
				"       analyze prompts FILE DIR NAME...\n");
	return r;
}
