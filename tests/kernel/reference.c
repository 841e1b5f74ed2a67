// SPDX-License-Identifier: GPL-2.0
/*
 * reference.c - FXS_PCM_MODE_REFERENCE: each captured frame comes with
 * what the line sent over the same instants.
 *
 * Method: one thread writes a known stream (noise that is never 0) and
 * reads records, keeping about three frames queued (FXS_IOC_PCM_DELAY), and
 * stalls 100 ms twice mid-stream so that the play queue runs dry.  Then:
 *   - the reference halves, with the silence of the underruns taken out,
 *     are exactly the written stream from its start: nothing lost,
 *     doubled or reordered, and the silence is where the line played
 *     silence (whole frames, at least one run per stall, no more frames
 *     than the driver counted as underruns);
 *   - whenever the reader has taken every record and the queues stand
 *     still, the written samples not yet in the reference are exactly
 *     what FXS_IOC_PCM_DELAY says is queued to play: the reference is
 *     shifted by the driver's real queue position, not by a guess;
 *   - with the loopback board's hybrid model on (a single tap), the
 *     capture is the reference delayed by the configured hybrid delay, to
 *     the sample, and scaled by the ERL, across the underruns too.
 */
#include "harness.h"

#include <math.h>
#include <poll.h>
#include <stdlib.h>

#define RATE		8000
#define FRAME		160		/* 20 ms */
#define RUN_MS		3000
#define STALL_MS	100
#define CUSHION		(3 * FRAME)
#define MAX_SAMPLES	(RATE * 5)	/* more than RUN_MS with margin */
#define LAG_MIN		(-200)
#define LAG_MAX		400

struct ref_run {
	int16_t *w;		/* the stream to write */
	size_t nw;		/* written so far */
	int16_t *cap, *ref;	/* the two halves of every record read */
	size_t n;		/* samples in cap and ref */
	unsigned int checks;	/* queue-position checks that held */
	unsigned int stalls;
	struct fxs_counters c0, c1;
};

static size_t count_nonzero(const int16_t *b, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		k += b[i] != 0;
	return k;
}

/* read every whole record there is; returns how many */
static unsigned int read_records(int fd, struct ref_run *r)
{
	int16_t rec[8 * 2 * FRAME];
	unsigned int got = 0;

	for (;;) {
		ssize_t len = read(fd, rec, sizeof(rec));
		size_t k, recs;

		if (len < 0) {
			CHECKF(errno == EAGAIN || errno == EINTR,
			       "reading records: %s", errname(errno));
			return got;
		}
		CHECKF(len > 0 && len % (4 * FRAME) == 0,
		       "read returned %zd bytes, not whole records of %d",
		       len, 4 * FRAME);
		recs = (size_t)len / (4 * FRAME);
		CHECKF(r->n + recs * FRAME <= MAX_SAMPLES, "too many records");
		for (k = 0; k < recs; k++) {
			memcpy(r->cap + r->n, rec + k * 2 * FRAME,
			       FRAME * sizeof(int16_t));
			memcpy(r->ref + r->n, rec + k * 2 * FRAME + FRAME,
			       FRAME * sizeof(int16_t));
			r->n += FRAME;
		}
		got += recs;
	}
}

/*
 * With every record read and nothing moving (the same delays twice, no
 * record in between): the board has sent written - play samples of the
 * stream, and the reference must hold exactly those.
 */
static void check_queue_position(int fd, struct ref_run *r)
{
	struct fxs_pcm_delay d1, d2;
	size_t sent;

	IOCTL(fd, FXS_IOC_PCM_DELAY, &d1);
	if (d1.capture || read_records(fd, r))
		return;
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d2);
	if (d2.capture || d2.play != d1.play)
		return;		/* a tick ran meanwhile: try later */
	sent = count_nonzero(r->ref, r->n);
	CHECKF(sent + d1.play == r->nw,
	       "the reference holds %zu written samples and %u are queued, but %zu were written",
	       sent, d1.play, r->nw);
	r->checks++;
}

static void top_up(int fd, struct ref_run *r)
{
	struct fxs_pcm_delay d;
	ssize_t len;

	IOCTL(fd, FXS_IOC_PCM_DELAY, &d);
	while (d.play < CUSHION && r->nw + FRAME <= MAX_SAMPLES) {
		len = write(fd, r->w + r->nw, FRAME * sizeof(int16_t));
		CHECKF(len == FRAME * sizeof(int16_t), "write returned %zd (%s)",
		       len, len < 0 ? errname(errno) : "bytes");
		r->nw += FRAME;
		d.play += FRAME;
	}
}

static void stream(struct port *p, struct ref_run *r)
{
	int64_t start, end, next_stall;
	struct pollfd pfd;
	int fd;

	r->w = malloc(MAX_SAMPLES * sizeof(int16_t));
	r->cap = calloc(MAX_SAMPLES, sizeof(int16_t));
	r->ref = calloc(MAX_SAMPLES, sizeof(int16_t));
	CHECK(r->w && r->cap && r->ref);
	pattern_fill(r->w, MAX_SAMPLES, 0x4ef0);

	get_counters(p, &r->c0);
	fd = pcm_try_open_mode(p, 20, O_NONBLOCK | O_CLOEXEC,
			       FXS_PCM_MODE_REFERENCE);
	CHECKF(fd >= 0, "PCM_OPEN with FXS_PCM_MODE_REFERENCE: %s",
	       errname(-fd));
	start = now_ns();
	end = start + MS(RUN_MS);
	next_stall = start + MS(1000);
	top_up(fd, r);
	while (now_ns() < end) {
		pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
		CHECK_OK(poll(&pfd, 1, 100));
		read_records(fd, r);
		top_up(fd, r);
		check_queue_position(fd, r);
		if (now_ns() >= next_stall && r->stalls < 2) {
			/* the reader and the writer are late: the line underruns */
			sleep_ms(STALL_MS);
			r->stalls++;
			next_stall += MS(1000);
		}
	}
	read_records(fd, r);
	get_counters(p, &r->c1);
	pcm_close(p, fd);
	tinfo("%zu samples in records, %zu written, %u position checks",
	      r->n, r->nw, r->checks);
}

/* the reference is the written stream with the underruns' silence in it */
static void check_reference(struct ref_run *r)
{
	size_t i, k = 0, first = r->n, gaps = 0, gap_frames = 0, run = 0;
	uint64_t underruns = r->c1.pcm_underruns - r->c0.pcm_underruns;

	for (i = 0; i < r->n; i++) {
		if (!r->ref[i]) {
			if (first < r->n)
				run++;
			continue;
		}
		if (first == r->n)
			first = i;
		if (run) {
			CHECKF(run % FRAME == 0,
			       "a silence of %zu samples in the reference at %zu: not whole frames",
			       run, i);
			gaps++;
			gap_frames += run / FRAME;
			run = 0;
		}
		CHECKF(k < r->nw, "reference sample %zu: more audio than was written", i);
		CHECKF(r->ref[i] == r->w[k],
		       "reference sample %zu is %d, the written stream's sample %zu is %d",
		       i, r->ref[i], k, r->w[k]);
		k++;
	}
	CHECKF(first < r->n, "the reference held no written audio");
	CHECKF(first % FRAME == 0, "the written audio starts at %zu, mid-frame",
	       first);
	tinfo("written audio from sample %zu; %zu underrun gaps, %zu frames of silence; driver counted %llu underruns",
	      first, gaps, gap_frames, (unsigned long long)underruns);
	CHECKF(gaps >= 2, "%zu underrun gaps in the reference for 2 stalls of %d ms",
	       gaps, STALL_MS);
	CHECKF(gap_frames <= underruns,
	       "%zu frames of silence in the reference, the driver counted %llu underruns",
	       gap_frames, (unsigned long long)underruns);
	CHECKF(r->checks >= 10, "only %u queue-position checks ran", r->checks);
	CHECK_EQ(r->c1.pcm_overruns, r->c0.pcm_overruns);
}

/* The capture is the reference @delay samples later, times the ERL. */
static void check_echo(struct ref_run *r, int delay, double want_db)
{
	double best = -1e300, en_best = 0, gain, res = 0, echo = 0;
	int lag, best_lag = 0;
	size_t i, n = r->n;

	for (lag = LAG_MIN; lag <= LAG_MAX; lag++) {
		double c = 0, en = 0;

		for (i = lag < 0 ? (size_t)-lag : 0; i + lag < n; i++) {
			c += (double)r->ref[i] * r->cap[i + lag];
			en += (double)r->ref[i] * r->ref[i];
		}
		if (c > best) {
			best = c;
			best_lag = lag;
			en_best = en;
		}
	}
	CHECKF(en_best > 0, "the reference was silent");
	gain = best / en_best;
	for (i = 0; i < n; i++) {
		double e = i >= (size_t)delay ? gain * r->ref[i - delay] : 0;
		double d = r->cap[i] - e;

		res += d * d;
		echo += (double)r->cap[i] * r->cap[i];
	}
	tinfo("echo at %d samples behind the reference (hybrid %d), %.2f dB, residual %.1f dB",
	      best_lag, delay, 20 * log10(gain), 10 * log10(res / echo + 1e-30));
	CHECKF(best_lag == delay,
	       "the echo is %d samples behind the reference, the hybrid delay is %d",
	       best_lag, delay);
	CHECKF(fabs(20 * log10(gain) - want_db) <= 0.5,
	       "echo level %.2f dB, expected %.1f", 20 * log10(gain), want_db);
	CHECKF(res < echo * 1e-3,
	       "the capture is not the delayed reference: residual %.1f dB",
	       10 * log10(res / echo));
}

static void ref_free(struct ref_run *r)
{
	free(r->w);
	free(r->cap);
	free(r->ref);
}

/* echo off: the reference is what was written, across two underruns */
static void ref_written_across_underruns(void)
{
	struct port *p = port_setup(0);
	struct ref_run r = { 0 };

	hs_lift(p, NULL, NULL);
	hs_echo_off(p);
	stream(p, &r);
	check_reference(&r);
	CHECKF(count_nonzero(r.cap, r.n) == 0,
	       "echo off and a silent mouthpiece, yet the capture has audio");
	ref_free(&r);
}

static void ref_echo_at_hybrid_delay(uint32_t delay_us, int delay)
{
	struct port *p = port_setup(0);
	struct fxs_hs_echo e = {
		.enable = 1, .delay_us = delay_us, .erl_cdb = 600, .ntaps = 1,
	};
	struct ref_run r = { 0 };

	e.taps[0] = 32767;
	hs_lift(p, NULL, NULL);
	IOCTL(p->hs, FXS_HS_IOC_SET_ECHO, &e);
	stream(p, &r);
	check_reference(&r);
	check_echo(&r, delay, -6.0);
	ref_free(&r);
	/* teardown restores the echo settings found at start-up */
}

static void ref_echo_5ms(void)
{
	ref_echo_at_hybrid_delay(5000, 40);
}

static void ref_echo_2375us(void)
{
	ref_echo_at_hybrid_delay(2375, 19);
}

/* records are whole: a buffer for a frame but not its reference is EINVAL */
static void ref_record_size(void)
{
	struct port *p = port_setup(0);
	int16_t rec[4 * FRAME];
	struct pollfd pfd;
	struct fxs_pcm_delay d;
	int fd;

	fd = pcm_try_open_mode(p, 10, O_CLOEXEC, FXS_PCM_MODE_REFERENCE);
	CHECKF(fd >= 0, "PCM_OPEN with FXS_PCM_MODE_REFERENCE: %s",
	       errname(-fd));
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK_ERR(read(fd, rec, 2 * 80 * sizeof(int16_t) - 2), EINVAL);
	CHECK_EQ(read(fd, rec, 2 * 80 * sizeof(int16_t) + 2),
		 2 * 80 * sizeof(int16_t));
	sleep_ms(100);
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d);
	CHECKF(d.capture % 80 == 0 && d.capture >= 160,
	       "capture delay %u samples after 100 ms unread (10 ms frames)",
	       d.capture);
}

static const struct fxs_case cases[] = {
	CASE(ref_written_across_underruns),
	CASE(ref_echo_5ms),
	CASE(ref_echo_2375us),
	CASE(ref_record_size),
};

DEFINE_SUITE(reference_suite, cases);
