// SPDX-License-Identifier: GPL-2.0-only
/*
 * jitter_bench.c - the playout buffer (daemon/media/jitter.c) under simulated
 * network jitter: 20 ms packets sent on time, each delayed by a fixed
 * 10 ms plus an exponential random delay of the given mean (so they also
 * reorder); the playout clock ticks every 20 ms.  No sockets: arrival
 * times are simulated at 0.1 ms resolution.  Prints, per mean jitter:
 * late loss (packets arriving after their playout time), concealed frames,
 * the buffer's own delay estimate (struct jitter_stats delay_mean: ticks
 * from arrival to playout, without the phase within a tick), and the
 * measured added delay (playout time of a packet minus its arrival,
 * averaged over the packets played whole; includes the wait for the next
 * tick, 10 ms on average).
 *
 *	cc -O2 -Idaemon -o jitter_bench bench/jitter_bench.c daemon/media/jitter.c \
 *		-lspeexdsp -lm
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "media/jitter.h"

#define FRAME		160
#define PACKETS		30000	/* 10 minutes */
#define BASE_MS		10.0

struct pkt {
	double arrive;
	int k;
};

static int by_arrival(const void *a, const void *b)
{
	const struct pkt *x = a, *y = b;

	return (x->arrive > y->arrive) - (x->arrive < y->arrive);
}

static double expo(double mean, unsigned *seed)
{
	double u = (rand_r(seed) + 1.0) / (RAND_MAX + 2.0);

	return -mean * log(u);
}

static void run(double mean, unsigned seed)
{
	static struct pkt p[PACKETS];
	static double arrival_of[PACKETS];
	struct jitter *j = jitter_new();
	struct jitter_stats st;
	int16_t x[FRAME], out[FRAME];
	size_t next = 0;
	double added = 0, phase = 7.3;	/* playout clock offset, ms */
	long n_added = 0, reordered = 0, max_k = -1;

	if (!j) {
		fprintf(stderr, "jitter_new failed\n");
		exit(1);
	}
	for (int k = 0; k < PACKETS; k++) {
		p[k].k = k;
		p[k].arrive = 20.0 * k + BASE_MS + expo(mean, &seed);
		arrival_of[k] = p[k].arrive;
	}
	qsort(p, PACKETS, sizeof(*p), by_arrival);

	for (long t = 0; next < PACKETS || t * 20.0 < p[PACKETS - 1].arrive + 500; t++) {
		double now = t * 20.0 + phase;
		int r;

		while (next < PACKETS && p[next].arrive <= now) {
			int k = p[next].k;

			/* the samples carry the packet number */
			for (int i = 0; i < FRAME; i++)
				x[i] = (int16_t)(1000 + k % 30000);
			if (k < max_k)
				reordered++;
			else
				max_k = k;
			jitter_put(j, 1, (uint16_t)k, (uint32_t)k * FRAME, x,
				   FRAME);
			next++;
		}
		r = jitter_get(j, out, FRAME);
		if (r == JITTER_AUDIO && out[FRAME - 1] == out[0]) {
			int k = out[0] - 1000;

			/* played from now on; arrival of that packet */
			if (k >= 0 && k < PACKETS && k % 30000 == k) {
				added += now - arrival_of[k];
				n_added++;
			}
		}
		if (t > 4L * PACKETS)
			break;
	}
	jitter_get_stats(j, &st);
	printf("| %5.1f ms | %6ld | %6.2f %% | %6.2f %% | %7.1f ms | %7.1f ms |\n",
	       mean, reordered,
	       100.0 * (double)st.late / PACKETS,
	       100.0 * (double)st.frames_concealed / (double)st.frames,
	       st.delay_mean * 1000.0 / 8000.0,
	       n_added ? added / (double)n_added : 0.0);
	jitter_free(j);
}

int main(void)
{
	printf("%d packets of 20 ms; network delay %.0f ms + exponential "
	       "jitter\n\n", PACKETS, BASE_MS);
	printf("| jitter mean | reordered | late loss | concealed | "
	       "buffer delay | added delay |\n");
	printf("|---|---|---|---|---|---|\n");
	run(5.0, 1);
	run(20.0, 2);
	return 0;
}
