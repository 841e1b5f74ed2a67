// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_jitter.c - the playout buffer driven by a scripted sender: before
 * each 20 ms tick the packets "arriving" in that interval are put, then
 * one frame is taken and compared with what was sent.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "media/jitter.h"
#include "unit.h"

static void jitter_freep(struct jitter **j)
{
	jitter_free(*j);
}

#define _cleanup_jitter_ __attribute__((cleanup(jitter_freep)))

#define F	160		/* samples per frame and per tick */
#define JOIN	80		/* longest cross-fade after a gap */
#define NF	64		/* frames in a script */

/* A 200 Hz tone (period 40 samples), slowly amplitude-modulated so that
 * no two frames are alike. */
static int16_t sig(unsigned stream, long t)
{
	double f = stream ? 250.0 : 200.0;
	double a = 6000.0 + 3000.0 * sin(2 * M_PI * 1.3 * t / 8000.0);

	return (int16_t)lrint(a * sin(2 * M_PI * f * t / 8000.0));
}

static void frame_of(unsigned stream, long k, size_t n, int16_t *x)
{
	for (size_t i = 0; i < n; i++)
		x[i] = sig(stream, k * (long)n + (long)i);
}

static int put_frame(struct jitter *j, uint32_t ssrc, unsigned stream,
		     uint16_t seq0, uint32_t ts0, long k, size_t n)
{
	int16_t x[JITTER_SPAN_MAX];

	frame_of(stream, k, n, x);
	return jitter_put(j, ssrc, (uint16_t)(seq0 + k),
			  ts0 + (uint32_t)(k * (long)n), x, n);
}

static double energy(const int16_t *x, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	return e / (double)n;
}

/* The first sample from @from on where @got and sent frame @k differ;
 * -1 when they agree. */
static int differs(const int16_t *got, unsigned stream, long k, size_t from)
{
	int16_t want[F];

	frame_of(stream, k, F, want);
	for (size_t i = from; i < F; i++)
		if (got[i] != want[i])
			return (int)i;
	return -1;
}

/* No clicks: neighbouring samples never jump much more than the tone's
 * own slope (2 pi 250 / 8000 * 9000 = 1767). */
static int largest_step(const int16_t *x, size_t n, int16_t *prev)
{
	int worst = 0;

	for (size_t i = 0; i < n; i++) {
		int d = abs(x[i] - *prev);

		if (d > worst)
			worst = d;
		*prev = x[i];
	}
	return worst;
}

UNIT_TEST(jitter_reorder_duplicate_loss)
{
	/* arrivals[t]: the frames put before tick t (-1 ends a list) */
	static const int arrivals[][4] = {
		{ 0, 1, -1 },		/* 0 */
		{ 3, 2, -1 },		/* 1: reordered */
		{ 2, -1 },		/* 2: duplicate of 2 */
		{ 5, -1 },		/* 3: 4 is lost ... */
		{ 6, -1 },		/* 4: ... concealed here */
		{ 7, -1 },		/* 5 */
		{ 7, 8, -1 },		/* 6: duplicate of 7 */
	};
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F], lost[F], prev = 0;
	struct jitter_stats st;
	int r, d;

	CHECK(j, "jitter_new");
	for (int t = 0; t < 40; t++) {
		if (t < 7) {
			for (int i = 0; arrivals[t][i] >= 0; i++) {
				int k = arrivals[t][i];

				r = put_frame(j, 42, 0, 1000, 5000, k, F);
				if ((t == 2 && k == 2) || (t == 6 && k == 7))
					CHECK_INT(r, JITTER_PUT_DUPLICATE);
				else
					CHECK_INT(r, JITTER_PUT_OK);
			}
		} else if (t + 2 < 20 || t + 2 >= 30) {
			/* 20-29 lost: a 200 ms gap, played at ticks 20-29 */
			CHECK_INT(put_frame(j, 42, 0, 1000, 5000, t + 2, F),
				  JITTER_PUT_OK);
		}
		r = jitter_get(j, out, F);
		CHECK(largest_step(out, F, &prev) < 2500, "click at tick %d", t);
		if (t == 4) {
			/* the lost frame: a continuation of the tone, not
			 * silence, close to what was sent */
			double c = 0, e1, e2;

			CHECK_INT(r, JITTER_CONCEALED);
			frame_of(0, 4, F, lost);
			e1 = energy(out, F);
			e2 = energy(lost, F);
			for (int i = 0; i < F; i++)
				c += (double)out[i] * lost[i];
			c /= F * sqrt(e1 * e2);
			CHECK(e1 > 0.5 * e2, "concealment too weak: %.0f / %.0f",
			      e1, e2);
			CHECK(c > 0.9, "concealment unlike the signal: %.3f", c);
			continue;
		}
		if (t >= 20 && t < 30) {
			static double e_prev;
			double e = energy(out, F);

			CHECK_INT(r, JITTER_CONCEALED);
			/* 0-20 ms full then -20 %/10 ms, silent after 60 ms */
			if (t == 20)
				CHECK(e > 1e6, "first lost frame silent: %.0f", e);
			else if (t < 23)
				CHECK(e < 0.7 * e_prev, "no fade at %d: %.0f %.0f",
				      t, e, e_prev);
			else
				CHECK(e == 0, "not silent after 60 ms: %.0f", e);
			e_prev = e;
			continue;
		}
		CHECK(r == JITTER_AUDIO, "tick %d: %d", t, r);
		/* every other frame as sent, in order, after the join */
		d = differs(out, 0, t, t == 5 || t == 30 ? JOIN : 0);
		CHECK(d < 0, "tick %d differs at sample %d", t, d);
	}
	jitter_get_stats(j, &st);
	CHECK_INT(st.duplicates, 2);
	CHECK_INT(st.late, 0);
	CHECK_INT(st.frames, 40);
	CHECK_INT(st.frames_concealed, 11);
	CHECK_INT(st.frames_audio, 29);
	CHECK_INT(st.samples_concealed, 11 * F);
	CHECK_INT(st.resets, 0);
}

/* Where in stream 0 does @out sit (its samples from @from on), searching
 * starts in [@lo, @hi]; -1 when nowhere. */
static long locate(const int16_t *out, size_t from, long lo, long hi)
{
	for (long t = lo; t <= hi; t++) {
		size_t i;

		for (i = from; i < F; i++)
			if (out[i] != sig(0, t + (long)i))
				break;
		if (i == F)
			return t;
	}
	return -1;
}

static int quiet_frame(struct jitter *j, uint32_t ssrc, uint16_t seq0,
		       uint32_t ts0, long k);

UNIT_TEST(jitter_late_packet)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F];
	struct jitter_stats st;
	long pos = 0, p;
	int r;

	CHECK(j, "jitter_new");
	for (int t = 0; t < 30; t++) {
		/* just in time, but frame 4 comes one tick late */
		if (t != 4)
			CHECK_INT(put_frame(j, 3, 0, 0, 0, t, F), JITTER_PUT_OK);
		if (t == 5)
			CHECK_INT(put_frame(j, 3, 0, 0, 0, 4, F),
				  JITTER_PUT_LATE);
		r = jitter_get(j, out, F);
		if (t == 4) {
			CHECK_INT(r, JITTER_CONCEALED);
			pos += F;
			continue;
		}
		if (r != JITTER_AUDIO)
			continue;	/* the buffer grows after the late one */
		/* never frame 4, always further on in the stream */
		p = locate(out, JOIN, pos, pos + 4 * F);
		CHECK(p >= pos, "tick %d: not found after %ld", t, pos);
		CHECK(p != 4 * F, "tick %d: the late frame played", t);
		pos = p + F;
	}
	jitter_get_stats(j, &st);
	CHECK_INT(st.late, 1);
	CHECK_INT(st.frames_concealed, 1);
	/* in talk the buffer does not grow: it waits for a quiet frame */
	CHECK_INT(st.samples_inserted, 0);
	for (int t = 30; t < 50; t++) {
		bool quiet_before = t > 30;
		uint64_t before = st.samples_inserted;

		CHECK_INT(quiet_frame(j, 3, 0, 0, t), JITTER_PUT_OK);
		CHECK(jitter_get(j, out, F) >= 0, "get");
		jitter_get_stats(j, &st);
		if (st.samples_inserted > before)
			CHECK(quiet_before, "tick %d: grew after talk", t);
	}
	CHECK(st.samples_inserted > 0, "the buffer did not grow in the pause");
	CHECK(st.delay > 0, "no delay after growing");
}

/* A pause: frame @k of a -50 dBm0 tone (RMS 40). */
static int quiet_frame(struct jitter *j, uint32_t ssrc, uint16_t seq0,
		       uint32_t ts0, long k)
{
	int16_t x[F];

	for (size_t i = 0; i < F; i++)
		x[i] = (int16_t)lrint(56.0 * sin(2 * M_PI * 300.0 *
						 (double)(k * F + (long)i) / 8000.0));
	return jitter_put(j, ssrc, (uint16_t)(seq0 + k),
			  ts0 + (uint32_t)(k * F), x, F);
}

/*
 * 10 frames held at the start (200 ms too many): in talk nothing is
 * dropped (for less than JITTER_LOUD_MAX ticks); in the pause that
 * follows the buffer shrinks, only after quiet frames, within 60 frames.
 */
UNIT_TEST(jitter_shrink_in_pause)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F];
	struct jitter_stats st;
	uint64_t dropped = 0;
	bool quiet_before = false;
	long t, shrunk_at = -1;

	CHECK(j, "jitter_new");
	for (t = 0; t < 10; t++)
		CHECK_INT(put_frame(j, 5, 0, 0, 0, t, F), JITTER_PUT_OK);
	for (t = 10; t < 110; t++) {
		CHECK_INT(put_frame(j, 5, 0, 0, 0, t, F), JITTER_PUT_OK);
		CHECK(jitter_get(j, out, F) >= 0, "get");
	}
	jitter_get_stats(j, &st);
	CHECK_INT(st.samples_dropped, 0);
	CHECK(st.delay >= 9 * F, "delay %u, not the backlog", st.delay);
	for (; t < 200; t++) {
		CHECK_INT(quiet_frame(j, 5, 0, 0, t), JITTER_PUT_OK);
		CHECK(jitter_get(j, out, F) >= 0, "get");
		jitter_get_stats(j, &st);
		if (st.samples_dropped > dropped) {
			CHECK(quiet_before, "tick %ld: dropped after talk", t);
			dropped = st.samples_dropped;
			if (shrunk_at < 0)
				shrunk_at = t;
		}
		quiet_before = energy(out, F) < 100.0 * 100.0;
	}
	CHECK(shrunk_at >= 110 && shrunk_at < 170,
	      "no shrink within 60 quiet frames (%ld)", shrunk_at);
	CHECK(st.delay < 4 * F, "delay %u after the pause", st.delay);
}

UNIT_TEST(jitter_ssrc_change_resets)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F];
	struct jitter_stats st;
	int d;

	CHECK(j, "jitter_new");
	CHECK_INT(put_frame(j, 1, 0, 0, 0, 0, F), JITTER_PUT_OK);
	for (int t = 0; t < 5; t++) {
		CHECK_INT(put_frame(j, 1, 0, 0, 0, t + 1, F), JITTER_PUT_OK);
		CHECK_INT(jitter_get(j, out, F), JITTER_AUDIO);
		CHECK(differs(out, 0, t, 0) < 0, "stream 1 frame %d", t);
	}
	/* Frame 5 of the old stream waits; a new SSRC with its own numbers
	 * throws it away and plays at once. */
	CHECK_INT(put_frame(j, 2, 1, 40000, 0x80000000u, 0, F), JITTER_PUT_OK);
	CHECK_INT(put_frame(j, 2, 1, 40000, 0x80000000u, 1, F), JITTER_PUT_OK);
	CHECK_INT(jitter_get(j, out, F), JITTER_AUDIO);
	d = differs(out, 1, 0, JOIN);
	CHECK(d < 0, "new stream frame 0 differs at %d", d);
	for (int t = 1; t < 10; t++) {
		CHECK_INT(put_frame(j, 2, 1, 40000, 0x80000000u, t + 1, F),
			  JITTER_PUT_OK);
		CHECK_INT(jitter_get(j, out, F), JITTER_AUDIO);
		CHECK(differs(out, 1, t, 0) < 0, "new stream frame %d", t);
	}
	jitter_get_stats(j, &st);
	CHECK_INT(st.resets, 1);
	CHECK_INT(st.frames_concealed, 0);
	/* jitter_reset() does the same. */
	jitter_reset(j);
	CHECK_INT(put_frame(j, 2, 1, 40000, 0x80000000u, 11, F), JITTER_PUT_OK);
	CHECK_INT(jitter_get(j, out, F), JITTER_AUDIO);
	CHECK(differs(out, 1, 11, JOIN) < 0, "after reset");
	jitter_get_stats(j, &st);
	CHECK_INT(st.resets, 2);
}

UNIT_TEST(jitter_timestamp_jump)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F], x[F];
	struct jitter_stats st;
	uint32_t ts = 1234;

	CHECK(j, "jitter_new");
	/* The sender's timestamps leap forward 100 s at frame 10 and back
	 * 30 s at frame 20, the sequence numbers run on; one frame ahead. */
	for (int k = 0; k <= 30; k++) {
		if (k == 10)
			ts += 800000;
		if (k == 20)
			ts -= 240000;
		frame_of(0, k, F, x);
		CHECK_INT(jitter_put(j, 7, (uint16_t)(65530 + k), ts, x, F),
			  JITTER_PUT_OK);
		ts += F;
		if (k == 0)
			continue;
		CHECK_INT(jitter_get(j, out, F), JITTER_AUDIO);
		CHECK(differs(out, 0, k - 1, 0) < 0, "frame %d", k - 1);
	}
	jitter_get_stats(j, &st);
	CHECK_INT(st.ts_jumps, 2);
	CHECK_INT(st.frames_concealed, 0);
	CHECK_INT(st.late, 0);
	CHECK_INT(st.resets, 0);
}

/* Packets of @ptime samples, ticks of 160: the same audio comes out. */
static void ptime_case(size_t ptime)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F], want[F * NF], x[JITTER_SPAN_MAX];
	size_t sent = 0, played = 0;
	long k = 0;

	CHECK(j, "jitter_new");
	for (size_t i = 0; i < F * NF; i++)
		want[i] = sig(0, (long)i);
	for (int t = 0; t < NF - 4; t++) {
		/* just in time */
		while (sent < played + F) {
			for (size_t i = 0; i < ptime; i++)
				x[i] = sig(0, (long)(sent + i));
			CHECK_INT(jitter_put(j, 9, (uint16_t)k,
					     (uint32_t)sent, x, ptime),
				  JITTER_PUT_OK);
			sent += ptime;
			k++;
		}
		CHECK_INT(jitter_get(j, out, F), JITTER_AUDIO);
		for (size_t i = 0; i < F; i++)
			CHECK(out[i] == want[played + i],
			      "ptime %zu: sample %zu", ptime, played + i);
		played += F;
	}
}

UNIT_TEST(jitter_ptime_10_20_30)
{
	ptime_case(80);
	ptime_case(160);
	ptime_case(240);
}

UNIT_TEST(jitter_idle_and_args)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F], x[F] = { 0 };

	CHECK(j, "jitter_new");
	out[0] = 1;
	CHECK_INT(jitter_get(j, out, F), JITTER_IDLE);
	CHECK(energy(out, F) == 0, "idle is silence");
	CHECK_INT(jitter_get(j, out, 0), -EINVAL);
	CHECK_INT(jitter_get(j, out, JITTER_FRAME_MAX + 1), -EINVAL);
	CHECK_INT(jitter_get(NULL, out, F), -EINVAL);
	CHECK_INT(jitter_put(j, 1, 1, 1, x, 0), -EINVAL);
	CHECK_INT(jitter_put(j, 1, 1, 1, x, JITTER_SPAN_MAX + 1), -EINVAL);
	CHECK_INT(jitter_put(j, 1, 1, 1, NULL, 160), -EINVAL);
	CHECK(jitter_free(NULL) == NULL, "free NULL");
}

/* Random jitter: whatever is played is in order (never a frame twice, never
 * an older one after a newer one) and late + concealed add up. */
UNIT_TEST(jitter_random_arrivals)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	int16_t out[F];
	struct jitter_stats st;
	double arrive[500];
	long last = -1;
	int next = 0;

	CHECK(j, "jitter_new");
	srand(77);
	for (int k = 0; k < 500; k++)
		arrive[k] = 20.0 * k - 30.0 * log(1.0 - rand() / (RAND_MAX + 1.0));
	for (int t = 0; t < 520; t++) {
		double now = 20.0 * t;

		/* the ones due by now, in arrival order */
		for (;;) {
			int best = -1;

			for (int k = next; k < 500 && k < next + 40; k++)
				if (arrive[k] >= 0 && arrive[k] <= now &&
				    (best < 0 || arrive[k] < arrive[best]))
					best = k;
			if (best < 0)
				break;
			put_frame(j, 5, 0, 100, 100, best, F);
			arrive[best] = -1;
			while (next < 500 && arrive[next] < 0)
				next++;
		}
		if (jitter_get(j, out, F) == JITTER_AUDIO) {
			long k = -1;

			/* which frame is it (exactly, or after a join) */
			for (long c = last + 1; c < 500 && k < 0; c++)
				if (differs(out, 0, c, JOIN) < 0)
					k = c;
			CHECK(k > last, "tick %d: frame out of order (last %ld)",
			      t, last);
			last = k;
		}
	}
	jitter_get_stats(j, &st);
	CHECK_INT(st.packets, 500);
	CHECK(st.late < 50, "late %llu", (unsigned long long)st.late);
	CHECK(st.delay_avg > 0, "no buffering under jitter");
	CHECK(last > 480, "stopped at %ld", last);
}

/*
 * Arrivals for the stall tests: packet k sent at 20 k ms, 10 ms of
 * network delay plus exponential jitter of mean 5 ms; from @at_ms on,
 * either a stall of @stall_ms (the packets sent in it all arrive when it
 * ends) or, with @step, a lasting extra delay of @stall_ms.  Runs 1000
 * ticks; returns the buffer's mean delay (ms, struct jitter_stats
 * delay_avg) over ticks [@from, @to) and the late packets put from tick
 * @late_from on.
 */
static double stall_run(struct jitter *j, double at_ms, double stall_ms, bool step,
			int from, int to, int late_from, unsigned *ret_late)
{
	static double arrive[1000];
	struct jitter_stats st;
	int16_t out[F];
	double sum = 0;
	int next = 0;

	srand(91);
	*ret_late = 0;
	for (int k = 0; k < 1000; k++) {
		double send = 20.0 * k;

		arrive[k] = send + 10.0 - 5.0 * log(1.0 - rand() / (RAND_MAX + 1.0));
		if (step && send >= at_ms)
			arrive[k] += stall_ms;
		else if (!step && send >= at_ms && send < at_ms + stall_ms &&
			 arrive[k] < at_ms + stall_ms + 10.0)
			arrive[k] = at_ms + stall_ms + 10.0;
	}
	for (int t = 0; t < 1000; t++) {
		double now = 20.0 * t + 7.0;

		for (;;) {
			int best = -1;

			for (int k = next; k < 1000 && k < next + 40; k++)
				if (arrive[k] >= 0 && arrive[k] <= now &&
				    (best < 0 || arrive[k] < arrive[best]))
					best = k;
			if (best < 0)
				break;
			if (put_frame(j, 9, 0, 0, 0, best, F) == JITTER_PUT_LATE &&
			    t >= late_from)
				(*ret_late)++;
			arrive[best] = -1;
			while (next < 1000 && arrive[next] < 0)
				next++;
		}
		jitter_get(j, out, F);
		jitter_get_stats(j, &st);
		if (t >= from && t < to)
			sum += st.delay_avg / 8.0;
	}
	return sum / (to - from);
}

/* A one-off stall of 300 ms: the packets it held are lost, but the delay
 * does not stay up for speexdsp's whole history (~20 s) afterwards. */
UNIT_TEST(jitter_stall_not_learned)
{
	_cleanup_jitter_ struct jitter *a = jitter_new();
	_cleanup_jitter_ struct jitter *b = jitter_new();
	struct jitter_stats st;
	double before, after;
	unsigned late;

	CHECK(a && b, "jitter_new");
	before = stall_run(a, 1e9, 0, false, 300, 900, 0, &late);
	after = stall_run(b, 5000.0, 300.0, false, 300, 900, 0, &late);
	CHECK(after <= before + 5.0,
	      "mean delay 6-18 s: %.1f ms after the stall, %.1f ms without", after,
	      before);
	jitter_get_stats(b, &st);
	CHECK(st.stall_late >= 10, "%llu late packets ended the stall",
	      (unsigned long long)st.stall_late);
	CHECK(st.late >= st.stall_late, "late %llu < stall_late %llu",
	      (unsigned long long)st.late, (unsigned long long)st.stall_late);
}

/* A lasting step of the network delay (150 ms) is not a stall: the
 * playout point follows it and the packets stop coming late (afterwards
 * the buffer's own delay, arrival to playout, is what it was). */
UNIT_TEST(jitter_delay_step_learned)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	struct jitter_stats st;
	double after;
	unsigned late;

	CHECK(j, "jitter_new");
	after = stall_run(j, 5000.0, 150.0, true, 700, 1000, 500, &late);
	jitter_get_stats(j, &st);
	CHECK(late < 10, "%u late packets from 10 s on (delay %.1f ms)", late,
	      after);
	CHECK(st.frames_audio > 900, "%llu frames of audio in 1000",
	      (unsigned long long)st.frames_audio);
}

/*
 * The fixed mode (a data call): after the switch the output is the sent
 * signal at one constant delay (at least JITTER_FIXED_MIN), whatever the
 * jitter; a lost packet is silence, not concealed; back to adaptive, the
 * buffer plays again.
 */
UNIT_TEST(jitter_fixed_mode)
{
	_cleanup_jitter_ struct jitter *j = jitter_new();
	enum { TICKS = 300, SWITCH = 50 };
	static int16_t out[TICKS * F];
	unsigned lost = 0, zeros = 0, late_pkts = 0;
	long due[TICKS + 8];
	long d = -1, k = 0;
	struct jitter_stats st;

	CHECK(j, "jitter_new");
	/* packet k is sent at tick k; from SWITCH on it arrives 0-2 ticks
	 * late (40 ms of jitter), every 37th is lost */
	srand(5);
	for (long i = 0; i < TICKS + 8; i++)
		due[i] = i < SWITCH ? i : i + rand() % 3;
	for (long t = 0; t < TICKS; t++) {
		for (long i = 0; i < TICKS; i++)
			if (due[i] == t) {
				if (i >= SWITCH && i % 37 == 0) {
					lost++;
					continue;
				}
				if (put_frame(j, 42, 0, 100, 1000, i, F) == JITTER_PUT_LATE)
					late_pkts++;
			}
		if (t == SWITCH) {
			jitter_set_fixed(j, true);
			CHECK(jitter_fixed(j), "not fixed");
		}
		CHECK(jitter_get(j, out + t * F, F) >= 0, "get");
	}
	CHECK_INT(late_pkts, 0);
	/* the delay, from the first frame after the switch that is sound */
	for (k = (SWITCH + 10) * F; k < TICKS * F && d < 0; k++) {
		for (long s = 0; s < k - 1 && d < 0; s++) {
			if (sig(0, s) != out[k] || sig(0, s + 1) != out[k + 1] ||
			    sig(0, s + 2) != out[k + 2])
				continue;
			d = k - s;
		}
	}
	CHECK(d >= JITTER_FIXED_MIN, "delay %ld samples, want >= %d", d,
	      JITTER_FIXED_MIN);
	for (long o = (SWITCH + 10) * F; o < (TICKS - 4) * F; o++) {
		long s = o - d;

		if (out[o] == sig(0, s))
			continue;
		CHECK(out[o] == 0, "sample %ld: %d, want %d (delay %ld) or 0",
		      o, out[o], sig(0, s), d);
		CHECK((s / F) % 37 == 0, "sample %ld silent, packet %ld was not lost",
		      o, s / F);
		zeros++;
	}
	CHECK(zeros >= (lost - 2) * F * 9 / 10, "%u silent samples for %u lost packets",
	      zeros, lost);
	jitter_get_stats(j, &st);
	CHECK(st.frames_concealed >= lost - 2, "%llu frames with a loss, %u lost",
	      (unsigned long long)st.frames_concealed, lost);
	/* adaptive again: plays the stream once more */
	jitter_set_fixed(j, false);
	CHECK(!jitter_fixed(j), "still fixed");
	for (long t = TICKS; t < TICKS + 20; t++) {
		int16_t x[F];

		put_frame(j, 42, 0, 100, 1000, t, F);
		jitter_get(j, x, F);
		if (t == TICKS + 19)
			CHECK(energy(x, F) > 1e6, "silent after leaving the fixed mode");
	}
}
