// SPDX-License-Identifier: GPL-2.0
/*
 * echo.c - the loopback board's hybrid echo model, measured through the
 * core's audio stream.
 *
 * Method: the earpiece samples (read from the handset node) are correlated
 * with the capture (read from the audio fd).  Both streams are produced one
 * sample per tick of the same board clock from FXS_IOC_PCM_OPEN on, so
 * after FXS_HS_IOC_FLUSH (done before PCM_OPEN, while no stream runs)
 * earpiece sample i and capture sample i belong to the same tick, and the
 * lag of the correlation peak is the echo delay itself.  This is cleaner
 * than correlating what was written with the capture, whose offset would
 * also contain the unknown playback queueing delay.  The alignment holds
 * only if no earpiece sample and no capture frame was dropped, which is
 * checked with ear_dropped and pcm_overruns.
 */
#include "harness.h"

#include <math.h>
#include <stdlib.h>

#define RATE		8000
#define NOISE_LEN	4000		/* 0.5 s burst */
#define CAPTURE_LEN	(RATE * 3 / 2)	/* 1.5 s, a whole number of frames */
#define EAR_MAX		(CAPTURE_LEN + RATE)
#define LAG_MIN		(-200)
#define LAG_MAX		400

struct noise_job {
	int fd;
	int16_t *buf;
};

static void noise_writer(void *arg)
{
	struct noise_job *j = arg;

	write_all(j->fd, j->buf, NOISE_LEN * sizeof(int16_t), 5000);
}

/* nonblocking read of everything the earpiece has; returns the new count */
static size_t drain_earpiece(int fd, int16_t *ear, size_t n)
{
	while (n < EAR_MAX) {
		ssize_t r = read(fd, ear + n, (EAR_MAX - n) * sizeof(*ear));

		if (r < 0) {
			CHECKF(errno == EAGAIN || errno == EINTR,
			       "earpiece read: %s", errname(errno));
			break;
		}
		CHECKF(r % 2 == 0, "earpiece read returned odd %zd bytes", r);
		if (!r)
			break;
		n += (size_t)r / 2;
	}
	return n;
}

/*
 * Play a noise burst with the given echo settings; capture 1.5 s with the
 * earpiece alongside.  Returns the number of aligned samples.
 */
static size_t play_and_capture(struct port *p, const struct fxs_hs_echo *echo,
			       int16_t *ear, int16_t *cap)
{
	struct fxs_hs_state st0, st1;
	struct fxs_counters c0, c1;
	struct fxs_hs_echo set = *echo, got;
	struct fxs_thread wt;
	struct noise_job job;
	uint32_t seed = 0xec40;
	size_t ncap = 0, near = 0, i;
	int hs = port_hs_nb(p);

	IOCTL(p->hs, FXS_HS_IOC_SET_ECHO, &set);
	memset(&got, 0, sizeof(got));
	IOCTL(p->hs, FXS_HS_IOC_GET_ECHO, &got);
	CHECK_EQ(got.enable, echo->enable);
	CHECK_EQ(got.delay_us, echo->delay_us);
	CHECK_EQ(got.erl_cdb, echo->erl_cdb);
	CHECK_EQ(got.ntaps, echo->ntaps);

	job.buf = malloc(NOISE_LEN * sizeof(int16_t));
	CHECK(job.buf);
	for (i = 0; i < NOISE_LEN; i++)	/* uniform, +-8000 */
		job.buf[i] = (int16_t)((int32_t)(prng_next(&seed) % 16001) - 8000);

	hs_flush(p);
	hs_state(p, &st0);
	get_counters(p, &c0);
	job.fd = pcm_open(p, 20, O_CLOEXEC);
	fxs_thread_start(&wt, "noise writer", noise_writer, &job);
	while (ncap < CAPTURE_LEN) {
		ssize_t r = read(job.fd, cap + ncap,
				 (CAPTURE_LEN - ncap) * sizeof(*cap));

		CHECKF(r > 0 && r % 320 == 0, "capture read returned %zd (%s)",
		       r, r < 0 ? errname(errno) : "bytes");
		ncap += (size_t)r / 2;
		near = drain_earpiece(hs, ear, near);
	}
	fxs_thread_join(&wt);
	sleep_ms(30);
	near = drain_earpiece(hs, ear, near);
	hs_state(p, &st1);
	get_counters(p, &c1);
	free(job.buf);

	CHECKF(st1.ear_dropped == st0.ear_dropped,
	       "%llu earpiece samples were dropped: the streams are not aligned",
	       (unsigned long long)(st1.ear_dropped - st0.ear_dropped));
	CHECKF(c1.pcm_overruns == c0.pcm_overruns,
	       "%llu capture frames overran: the streams are not aligned",
	       (unsigned long long)(c1.pcm_overruns - c0.pcm_overruns));
	CHECKF(near >= ncap, "only %zu earpiece samples for %zu captured",
	       near, ncap);
	return ncap;
}

static void echo_measure(uint32_t erl_cdb, double want_db)
{
	struct port *p = port_setup(0);
	struct fxs_hs_echo e = {
		.enable = 1, .delay_us = 5000, .erl_cdb = erl_cdb, .ntaps = 1,
	};
	double best = -1e300, energy_at_best = 0, gain, db, res = 0, echo = 0;
	int16_t *ear, *cap;
	int lag, best_lag = 0;
	size_t n, i;

	e.taps[0] = 32767;
	hs_lift(p, NULL, NULL);
	ear = calloc(EAR_MAX, sizeof(*ear));
	cap = calloc(CAPTURE_LEN, sizeof(*cap));
	CHECK(ear && cap);
	n = play_and_capture(p, &e, ear, cap);

	for (lag = LAG_MIN; lag <= LAG_MAX; lag++) {
		double r = 0, en = 0;

		for (i = lag < 0 ? (size_t)-lag : 0; i < n && (long)i + lag < (long)n; i++) {
			r += (double)ear[i] * cap[i + lag];
			en += (double)ear[i] * ear[i];
		}
		if (r > best) {
			best = r;
			best_lag = lag;
			energy_at_best = en;
		}
	}
	CHECKF(energy_at_best > 0, "the earpiece stayed silent");
	gain = best / energy_at_best;
	CHECKF(gain > 0, "no positive correlation between earpiece and capture");
	db = 20 * log10(gain);
	for (i = best_lag < 0 ? (size_t)-best_lag : 0;
	     i < n && (long)i + best_lag < (long)n; i++) {
		double c = cap[i + best_lag], d = c - gain * ear[i];

		res += d * d;
		echo += c * c;
	}
	tinfo("ERL %.2f dB: echo lag %d samples, level %.2f dB, residual %.1f dB",
	      erl_cdb / 100.0, best_lag, db, 10 * log10(res / echo + 1e-30));
	CHECKF(best_lag >= 39 && best_lag <= 41,
	       "echo lag %d samples, expected 40 +- 1 (5000 us)", best_lag);
	CHECKF(fabs(db - want_db) <= 0.5, "echo level %.2f dB, expected %.1f +- 0.5",
	       db, want_db);
	/* a single tap: the echo is a delayed, scaled copy of the earpiece */
	CHECKF(res < echo * 0.01,
	       "residual after removing the scaled echo is %.1f dB of the echo, expected < -20 dB",
	       10 * log10(res / echo));
	free(ear);
	free(cap);
	/* teardown restores the echo settings found at start-up */
}

static void echo_erl_6db(void)
{
	echo_measure(600, -6.0);
}

static void echo_erl_12db(void)
{
	echo_measure(1200, -12.0);
}

/* echo disabled: the capture stays silent while the earpiece plays */
static void echo_disabled_silent(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_echo e = { .enable = 0, .delay_us = 5000, .erl_cdb = 600,
				 .ntaps = 1 };
	int16_t *ear, *cap;
	size_t n, i, loud = 0;

	e.taps[0] = 32767;
	hs_lift(p, NULL, NULL);
	ear = calloc(EAR_MAX, sizeof(*ear));
	cap = calloc(CAPTURE_LEN, sizeof(*cap));
	CHECK(ear && cap);
	n = play_and_capture(p, &e, ear, cap);
	for (i = 0; i < n; i++)
		loud += ear[i] != 0;
	CHECKF(loud > NOISE_LEN / 2, "the earpiece played only %zu non-zero samples",
	       loud);
	for (i = 0; i < n; i++)
		CHECKF(cap[i] == 0, "capture sample %zu is %d with echo disabled",
		       i, cap[i]);
	free(ear);
	free(cap);
}

static const struct fxs_case cases[] = {
	CASE(echo_erl_6db),
	CASE(echo_erl_12db),
	CASE(echo_disabled_silent),
};
DEFINE_SUITE(echo_suite, cases);
