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
 * Then a network stall: packets sent during S ms (100, 200, 300) at 10 s
 * all arrive together when it ends, with 2-20 ms of exponential jitter
 * around it; the added delay of the packets played, averaged over windows
 * before and after the stall, for fxsd's buffer and for speexdsp's
 * JitterBuffer used raw (step 20 ms, jitter_buffer_tick, no concealment),
 * with the packets each failed to play (lost: late or dropped; a packet
 * counts as played when the second half of a frame is its audio).  This
 * source has talkspurts and pauses (ITU-T P.59 means, the pauses quiet,
 * so fxsd moves its delay in them); lost and delay count the talkspurts'
 * packets.  The first table's source talks all the time.
 *
 * On the same arrivals, the bound of fixed playout lags (lag_bound) and a
 * simulated policy that follows the arrivals, time-scaling always or
 * only in the pauses between talkspurts (follow_policy): what a
 * time-scaled playout could reach, not fxsd's buffer.
 *
 *	cc -O2 -Idaemon -o jitter_bench bench/jitter_bench.c daemon/media/jitter.c \
 *		-lspeexdsp -lm
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>

#include <speex/speex_jitter.h>

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

#define STALL_PACKETS	2500	/* 50 s */
#define STALL_AT_MS	10000.0

/* Windows of playout time, ms from the start; the stall begins at 10 s. */
static const double win[][2] = {
	{ 5000, 10000 }, { 10000, 11000 }, { 11000, 15000 }, { 15000, 20000 },
	{ 20000, 30000 }, { 30000, 40000 },
};
#define NWIN	(sizeof(win) / sizeof(win[0]))

static int by_value(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (*x > *y) - (*x < *y);
}

/*
 * @n packets (at most PACKETS), a stall of @stall ms at 10 s (0: none).
 * Without @table: the windows of the stall table; with it, one row of
 * the comparison table: lost, mean and 95th percentile of the added
 * delay of all packets played.
 */
static void run_stall_n(bool raw, double mean, double stall, unsigned seed,
			int n, bool table)
{
	static struct pkt p[PACKETS];
	static double arrival_of[PACKETS], delays[PACKETS];
	static bool played[PACKETS], talk[PACKETS];
	unsigned tseed = 11;
	long nt = 0;
	int n_delays = 0;
	struct jitter *j = raw ? NULL : jitter_new();
	JitterBuffer *jb = raw ? jitter_buffer_init(FRAME) : NULL;
	int16_t x[FRAME], out[FRAME];
	double sum[NWIN] = { 0 }, phase = 7.3;
	long cnt[NWIN] = { 0 }, lost = 0;
	size_t next = 0;

	if ((!raw && !j) || (raw && !jb)) {
		fprintf(stderr, "jitter buffer init failed\n");
		exit(1);
	}
	memset(played, 0, sizeof(played));
	/* talkspurts and pauses (ITU-T P.59 means: 1.004 s, 1.587 s); the
	 * pauses carry a -50 dBm0 level, the talk the packet's number */
	for (int k = 0; k < n;) {
		int len = 1 + (int)expo(1004.0 / 20.0, &tseed);
		int gap = 1 + (int)expo(1587.0 / 20.0, &tseed);

		for (int i = 0; i < len && k < n; i++)
			talk[k++] = true;
		for (int i = 0; i < gap && k < n; i++)
			talk[k++] = false;
	}
	for (int k = 0; k < n; k++) {
		double send = 20.0 * k, a = send + BASE_MS + expo(mean, &seed);

		if (stall > 0 && send >= STALL_AT_MS && send < STALL_AT_MS + stall &&
		    a < STALL_AT_MS + stall + BASE_MS)
			a = STALL_AT_MS + stall + BASE_MS;
		p[k].k = k;
		p[k].arrive = a;
		arrival_of[k] = a;
	}
	qsort(p, (size_t)n, sizeof(*p), by_arrival);

	for (long t = 0; t * 20.0 < 20.0 * n; t++) {
		double now = t * 20.0 + phase;
		bool ok;

		while (next < (size_t)n && p[next].arrive <= now) {
			int k = p[next].k;

			for (int i = 0; i < FRAME; i++)
				x[i] = talk[k] ? (int16_t)(1000 + k) :
					(int16_t)(i % 2 ? 40 : -40);
			if (raw) {
				JitterBufferPacket pk = {
					.data = (char *)x, .len = sizeof(x),
					.timestamp = (spx_uint32_t)k * FRAME,
					.span = FRAME, .sequence = (spx_uint16_t)k,
				};

				jitter_buffer_put(jb, &pk);
			} else {
				jitter_put(j, 1, (uint16_t)k, (uint32_t)k * FRAME, x, FRAME);
			}
			next++;
		}
		if (raw) {
			char buf[sizeof(out)];
			JitterBufferPacket pk = { .data = buf, .len = sizeof(buf) };
			spx_int32_t off = 0;

			ok = jitter_buffer_get(jb, &pk, FRAME, &off) == JITTER_BUFFER_OK &&
			     pk.len == sizeof(out);
			if (ok)
				memcpy(out, buf, sizeof(out));
			jitter_buffer_tick(jb);
		} else {
			ok = jitter_get(j, out, FRAME) == JITTER_AUDIO;
		}
		/* a splice's cross-fade may change the first 10 ms */
		if (ok && out[FRAME / 2] == out[FRAME - 1]) {
			int k = out[FRAME - 1] - 1000;

			if (k < 0 || k >= n || played[k])
				continue;
			played[k] = true;
			if (now >= 5000)
				delays[n_delays++] = now - arrival_of[k];
			for (size_t w = 0; w < NWIN; w++)
				if (now >= win[w][0] && now < win[w][1]) {
					sum[w] += now - arrival_of[k];
					cnt[w]++;
				}
		}
	}
	for (int k = 100; k < n - 100; k++)
		if (talk[k]) {
			lost += !played[k];
			nt++;
		}
	if (table) {
		double sum_all = 0;

		qsort(delays, (size_t)n_delays, sizeof(*delays), by_value);
		for (int i = 0; i < n_delays; i++)
			sum_all += delays[i];
		printf("| %-8s | %5.1f ms | %5.2f %% | %6.1f ms | %6.1f ms |\n",
		       raw ? "speexdsp" : "fxsd", mean,
		       100.0 * (double)lost / nt,
		       n_delays ? sum_all / n_delays : -1.0,
		       n_delays ? delays[n_delays * 95 / 100] : -1.0);
		jitter_free(j);
		if (jb)
			jitter_buffer_destroy(jb);
		return;
	}
	printf("| %-8s | %4.0f ms | %3.0f ms | %5.2f %% |", raw ? "speexdsp" : "fxsd",
	       mean, stall, 100.0 * (double)lost / nt);
	for (size_t w = 0; w < NWIN; w++)
		printf(" %5.0f |", cnt[w] ? sum[w] / (double)cnt[w] : -1.0);
	printf("\n");
	jitter_free(j);
	if (jb)
		jitter_buffer_destroy(jb);
}

/*
 * The bound for a buffer that plays packet k at the tick L ticks after the
 * one it was sent at, with L not depending on the arrivals (a fixed lag,
 * or any mix of fixed lags over time): the same arrivals as run_stall_n()
 * (no stall, seed @seed), lost = arrived after its tick, added delay =
 * tick - arrival over the packets played after 5 s.  Prints each lag and
 * the least mean delay at @target_loss % of a mix of two lags (the line
 * between their points).  A buffer whose lag follows the arrivals (it
 * waits for a late packet, shrinks when packets are early) is not bound
 * by it.
 */
static void lag_bound(double mean, unsigned seed, int n, double target_loss)
{
	static double arrival_of[PACKETS];
	double loss[8], delay[8], best = -1.0, phase = 7.3;

	for (int k = 0; k < n; k++)
		arrival_of[k] = 20.0 * k + BASE_MS + expo(mean, &seed);
	printf("| %5.1f ms |", mean);
	for (int l = 1; l < 8; l++) {
		double sum = 0.0;
		long lost = 0, cnt = 0;

		for (int k = 100; k < n - 100; k++) {
			double tick = 20.0 * (k + l) + phase;

			if (arrival_of[k] > tick)
				lost++;
			else if (tick >= 5000) {
				sum += tick - arrival_of[k];
				cnt++;
			}
		}
		loss[l] = 100.0 * (double)lost / (n - 200);
		delay[l] = cnt ? sum / (double)cnt : 0.0;
		if (l <= 4)
			printf(" %5.2f %% / %5.1f ms |", loss[l], delay[l]);
	}
	for (int a = 1; a < 8; a++)
		for (int b = a; b < 8; b++) {
			double d;

			if (loss[a] < target_loss || loss[b] > target_loss)
				continue;
			if (loss[a] == loss[b])
				d = delay[a];
			else
				d = delay[a] + (delay[b] - delay[a]) *
				    (loss[a] - target_loss) / (loss[a] - loss[b]);
			if (best < 0 || d < best)
				best = d;
		}
	for (int a = 1; a < 8; a++)
		if (loss[a] <= target_loss && (best < 0 || delay[a] < best))
			best = delay[a];
	printf(" %5.1f ms |\n", best);
}

/*
 * A playout policy that follows the arrivals, simulated on the same
 * arrivals as run_stall_n() (no stall, seed @seed); not fxsd's buffer.
 * Each tick plays the next 20 ms of the timeline if the packets it needs
 * have arrived; if not, it waits (plays 20 ms of concealment and does
 * not advance) at most @maxwait ticks in a row, then plays what it has.
 * After a frame, when the audio received without a gap reaches @ahead ms
 * past the next frame's start, the timeline skips 5 ms (the buffer
 * shrinks).  Lost: a packet of which less than half was played; added
 * delay: playout time of its first sample played - arrival, over the
 * packets played after 5 s.  Also counts the waits (frames of
 * concealment: audible unless in a pause) and the 5 ms skips.
 */
static void follow_policy(double mean, unsigned seed, int n, double ahead,
			  int maxwait, bool pauses_only)
{
	static bool talk[PACKETS];
	unsigned tseed = 11;
	long n_talk = 0;
	static double arrival_of[PACKETS], first[PACKETS], delays[PACKETS];
	static double got[PACKETS];
	double s = -1.0, phase = 7.3, sum = 0.0;
	long lost = 0, waits_total = 0, skips = 0;
	int waits = 0, n_delays = 0, ce = 0;

	for (int k = 0; k < n; k++) {
		arrival_of[k] = 20.0 * k + BASE_MS + expo(mean, &seed);
		first[k] = -1.0;
		got[k] = 0.0;
	}
	/* talkspurts and pauses (ITU-T P.59: 1.004 s and 1.587 s means) */
	for (int k = 0; k < n;) {
		int len = 1 + (int)expo(1004.0 / 20.0, &tseed);
		int gap = 1 + (int)expo(1587.0 / 20.0, &tseed);

		for (int i = 0; i < len && k < n; i++)
			talk[k++] = true;
		for (int i = 0; i < gap && k < n; i++)
			talk[k++] = !pauses_only;
	}
	for (long m = 0; s < 20.0 * n - 40.0; m++) {
		double now = 20.0 * m + phase;
		int k1, k2;
		bool missing, quiet;

		while (ce < n && arrival_of[ce] <= now)
			ce++;
		if (s < 0) {
			if (arrival_of[0] <= now)
				s = 0.0;
			continue;
		}
		k1 = (int)(s / 20.0);
		k2 = (int)((s + 19.999) / 20.0);
		if (k2 >= n)
			k2 = n - 1;
		missing = arrival_of[k1] > now || arrival_of[k2] > now;
		/* with @pauses_only, the time scale changes only in a pause */
		quiet = !pauses_only || (!talk[k1] && !talk[k2]);
		if (missing && waits < maxwait && quiet) {
			waits++;
			waits_total++;
			continue;
		}
		waits = 0;
		for (int k = k1; k <= k2; k++) {
			double lo = s > 20.0 * k ? s : 20.0 * k;
			double hi = s + 20.0 < 20.0 * k + 20.0 ? s + 20.0 :
				    20.0 * k + 20.0;

			if (hi <= lo || arrival_of[k] > now)
				continue;
			got[k] += hi - lo;
			if (first[k] < 0)
				first[k] = now + (lo - s);
		}
		s += 20.0;
		k1 = (int)(s / 20.0) < n ? (int)(s / 20.0) : n - 1;
		if (20.0 * ce - s >= ahead &&
		    (!pauses_only || !talk[k1])) {
			s += 5.0;
			skips++;
		}
	}
	for (int k = 100; k < n - 100; k++) {
		if (!talk[k])
			continue;
		n_talk++;
		if (got[k] < 10.0)
			lost++;
		else if (first[k] >= 5000)
			delays[n_delays++] = first[k] - arrival_of[k];
	}
	qsort(delays, (size_t)n_delays, sizeof(*delays), by_value);
	for (int i = 0; i < n_delays; i++)
		sum += delays[i];
	printf("| %-10s | %5.1f ms | %3.0f ms | %d | %5.2f %% | %6.1f ms | "
	       "%6.1f ms | %5.2f %% | %5.2f %% |\n",
	       pauses_only ? "pauses" : "always", mean, ahead, maxwait,
	       100.0 * (double)lost / (double)n_talk,
	       n_delays ? sum / n_delays : -1.0,
	       n_delays ? delays[n_delays * 95 / 100] : -1.0,
	       100.0 * (double)waits_total / n, 100.0 * (double)skips / n);
}

static void run_stall(bool raw, double mean, double stall, unsigned seed)
{
	run_stall_n(raw, mean, stall, seed, STALL_PACKETS, false);
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

	printf("\nfxsd against speexdsp used raw, %d packets, no stall: lost "
	       "(late or dropped), added delay (arrival to playout) of the "
	       "packets played after 5 s, mean and 95th percentile\n\n",
	       PACKETS);
	printf("| buffer | jitter mean | lost | added delay | p95 |\n");
	printf("|---|---|---|---|---|\n");
	for (int m = 0; m < 4; m++) {
		static const double jit[] = { 2.0, 5.0, 10.0, 20.0 };

		run_stall_n(false, jit[m], 0, 5, PACKETS, true);
		run_stall_n(true, jit[m], 0, 5, PACKETS, true);
	}
	printf("\nFixed lags on the same arrivals (no stall): lost / mean added "
	       "delay of a buffer that plays each packet L ticks after the tick "
	       "it was sent at, and the least mean delay at 1 %% lost of any "
	       "mix of fixed lags\n\n");
	printf("| jitter mean | L = 1 | L = 2 | L = 3 | L = 4 | mix at 1 %% |\n");
	printf("|---|---|---|---|---|---|\n");
	for (int m = 0; m < 4; m++) {
		static const double jit[] = { 2.0, 5.0, 10.0, 20.0 };

		lag_bound(jit[m], 5, PACKETS, 1.0);
	}
	printf("\nA policy that follows the arrivals (simulated, not fxsd's "
	       "buffer): waits for a late packet (at most W ticks), skips 5 ms "
	       "when the audio received reaches A ms into the next frame; "
	       "waits and skips per packet; always, or only in the pauses "
	       "between talkspurts (then lost and delay count the talkspurts' "
	       "packets)\n\n");
	printf("| time scale | jitter mean | A | W | lost | added delay | p95 | "
	       "waits | skips |\n");
	printf("|---|---|---|---|---|---|---|---|---|\n");
	for (int m = 0; m < 4; m++) {
		static const double jit[] = { 2.0, 5.0, 10.0, 20.0 };
		static const double ah[] = { 5.0, 20.0, 40.0 };

		for (int i = 0; i < 3; i++)
			follow_policy(jit[m], 5, PACKETS, ah[i], 2, false);
		for (int i = 0; i < 3; i++)
			follow_policy(jit[m], 5, PACKETS, ah[i], 2, true);
	}
	printf("\nStall at 10 s; added delay (ms) of the packets played in each "
	       "window of playout time\n\n");
	printf("| buffer | jitter mean | stall | lost | 5-10 s | 10-11 s | "
	       "11-15 s | 15-20 s | 20-30 s | 30-40 s |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|\n");
	for (int m = 0; m < 4; m++) {
		static const double jit[] = { 2.0, 5.0, 10.0, 20.0 };

		for (double st = 100.0; st <= 300.0; st += 100.0) {
			run_stall(false, jit[m], st, 3);
			run_stall(true, jit[m], st, 3);
		}
	}
	return 0;
}
