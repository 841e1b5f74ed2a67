// SPDX-License-Identifier: GPL-2.0
/*
 * pcm.c - the audio descriptor: pacing, frame sizes, argument checks,
 * blocking rules, and bit-exact audio both ways through the handset.
 */
#include "harness.h"

#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>

#define RATE		8000
#define PATTERN_LEN	4000	/* 0.5 s */

static size_t frame_bytes(uint32_t period_ms)
{
	return period_ms * (RATE / 1000) * sizeof(int16_t);
}

/* ------------------------------------------------------------- pacing */

struct rate_job {
	struct port *p;
	uint32_t period_ms;
	int seconds;
};

#define MAX_READS	4096

/*
 * Blocking reads for job->seconds; every read is whole frames and nothing
 * overruns.  The rate is the samples delivered after the first read
 * returned over the time from that return to the last one, 8000/s
 * +-0.1 %.  So that the wake-up latency of the two end points (a few ms
 * in a slow VM, 0.05 % of 10 s) does not decide the result, the rate is
 * the least-squares slope of cumulative samples over the time of every
 * read; the end-point rate is printed too.
 */
static void rate_run(void *arg)
{
	struct rate_job *job = arg;
	struct port *p = job->p;
	size_t frame = frame_bytes(job->period_ms), bufsize = RATE * 2;
	double st = 0, ss = 0, stt = 0, sts = 0, rate, ends;
	int64_t t0, t1, samples = 0;
	struct fxs_counters c0, c1;
	int64_t *tv, *sv;
	int16_t *buf;
	int i, nr = 0;
	ssize_t n;
	int fd;

	buf = malloc(bufsize);
	tv = calloc(MAX_READS, sizeof(*tv));
	sv = calloc(MAX_READS, sizeof(*sv));
	CHECK(buf && tv && sv);
	fd = pcm_open(p, job->period_ms, O_CLOEXEC);
	get_counters(p, &c0);
	n = read(fd, buf, bufsize);
	t0 = now_ns();
	CHECKF(n > 0 && (size_t)n % frame == 0,
	       "first read returned %zd (%s), expected a multiple of %zu", n,
	       n < 0 ? errname(errno) : "bytes", frame);
	do {
		n = read(fd, buf, bufsize);
		t1 = now_ns();
		CHECKF(n > 0 && (size_t)n % frame == 0,
		       "read returned %zd (%s), expected a multiple of %zu", n,
		       n < 0 ? errname(errno) : "bytes", frame);
		samples += n / 2;
		if (nr < MAX_READS) {
			tv[nr] = t1 - t0;
			sv[nr] = samples;
			nr++;
		}
	} while (t1 - t0 < MS(job->seconds * 1000));
	get_counters(p, &c1);

	for (i = 0; i < nr; i++) {
		double t = tv[i] / 1e9, s = (double)sv[i];

		st += t;
		ss += s;
		stt += t * t;
		sts += t * s;
	}
	rate = (nr * sts - st * ss) / (nr * stt - st * st);
	ends = samples / ((t1 - t0) / 1e9);
	free(buf);
	free(tv);
	free(sv);
	tinfo("fxs%d, %u ms frames: %lld samples in %.3f s: %.2f samples/s (fit over %d reads), %.2f (end points)",
	      p->index, job->period_ms, (long long)samples, (t1 - t0) / 1e9,
	      rate, nr, ends);
	CHECKF(nr >= 10, "only %d reads in %d s", nr, job->seconds);
	CHECKF(fabs(rate - RATE) <= RATE * 0.001,
	       "%u ms frames: %.2f samples/s, expected 8000 +- 0.1 %%",
	       job->period_ms, rate);
	CHECK_EQ(c1.pcm_overruns, c0.pcm_overruns);
	CHECK_GT(c1.pcm_frames, c0.pcm_frames);
}

/* 10 s on fxs0 with 20 ms frames and, at the same time, fxs1 with 10 ms */
static void pcm_rate(void)
{
	struct rate_job j20 = { .p = port_setup(0), .period_ms = 20, .seconds = 10 };
	struct rate_job j10 = { .p = port_setup(1), .period_ms = 10, .seconds = 10 };
	struct fxs_thread t[2];

	fxs_thread_start(&t[0], "fxs0 20 ms", rate_run, &j20);
	fxs_thread_start(&t[1], "fxs1 10 ms", rate_run, &j10);
	fxs_threads_join(t, 2);
}

/* ------------------------------------------------------ frames and args */

static void pcm_period_10_frames(void)
{
	struct port *p = port_setup(0);
	int16_t buf[800];
	ssize_t n;
	int fd, i;

	fd = pcm_open(p, 10, O_CLOEXEC);
	for (i = 0; i < 10; i++) {
		n = read(fd, buf, sizeof(buf));
		CHECKF(n > 0 && n % 160 == 0,
		       "read returned %zd (%s), expected a multiple of 160", n,
		       n < 0 ? errname(errno) : "bytes");
	}
	CHECK_EQ(read(fd, buf, 160), 160);
	CHECK_ERR(read(fd, buf, 159), EINVAL);
}

static void pcm_bad_period(void)
{
	static const uint32_t bad[] = { 0, 1, 5, 15, 19, 21, 30, 40, 1000,
					0xffffffffu };
	struct port *p = port_setup(0);
	struct fxs_hs_state st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = pcm_try_open(p, bad[i], 0);

		CHECKF(r == -EINVAL, "PCM_OPEN with period %u ms: expected EINVAL, got %s",
		       bad[i], r >= 0 ? "success" : errname(-r));
	}
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);
	pcm_open(p, 20, O_CLOEXEC);
}

static void pcm_open_twice_ebusy(void)
{
	struct port *p = port_setup(0);
	int fd, r;

	fd = pcm_open(p, 20, O_CLOEXEC);
	r = pcm_try_open(p, 20, 0);
	CHECKF(r == -EBUSY, "second PCM_OPEN: expected EBUSY, got %s",
	       r >= 0 ? "success" : errname(-r));
	r = pcm_try_open(p, 10, 0);
	CHECKF(r == -EBUSY, "second PCM_OPEN (10 ms): expected EBUSY, got %s",
	       r >= 0 ? "success" : errname(-r));
	pcm_close(p, fd);
	pcm_open(p, 10, O_CLOEXEC);
}

/* closing the audio descriptor stops the stream */
static void pcm_close_stops_stream(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_state st;
	int fd;

	fd = pcm_open(p, 20, O_CLOEXEC);
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 1);
	pcm_close(p, fd);
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);
}

static void pcm_read_short_buffer(void)
{
	struct port *p = port_setup(0);
	int16_t buf[160];
	int fd;

	fd = pcm_open(p, 20, O_CLOEXEC);
	CHECK_ERR(read(fd, buf, 100), EINVAL);
	CHECK_ERR(read(fd, buf, 319), EINVAL);
	CHECK_EQ(read(fd, buf, 320), 320);
}

static void pcm_read_nonblock_eagain(void)
{
	struct port *p = port_setup(0);
	struct pollfd pfd = { .events = POLLIN };
	int16_t buf[1600];
	ssize_t n = 0;
	int fd, i;

	fd = pcm_open(p, 20, O_NONBLOCK | O_CLOEXEC);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	for (i = 0; i < 1000; i++) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			break;
		CHECKF(n > 0 && n % 320 == 0, "read returned %zd", n);
	}
	CHECKF(n < 0 && errno == EAGAIN,
	       "draining a nonblocking stream ended with %zd (%s), expected EAGAIN",
	       n, n < 0 ? errname(errno) : "data");
	/* the next frame comes within a period or two */
	pfd.fd = fd;
	CHECK_EQ(poll(&pfd, 1, 500), 1);
	CHECK(pfd.revents & POLLIN);
	n = read(fd, buf, sizeof(buf));
	CHECKF(n > 0 && n % 320 == 0, "read after POLLIN returned %zd (%s)",
	       n, n < 0 ? errname(errno) : "bytes");
}

/* O_CLOEXEC / O_NONBLOCK land on the new descriptor, which is read-write */
static void pcm_open_fd_flags(void)
{
	struct port *p = port_setup(0);
	int fd, fl;

	fd = pcm_open(p, 20, O_CLOEXEC);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	fl = fcntl(fd, F_GETFL);
	CHECKF((fl & O_ACCMODE) == O_RDWR, "audio fd access mode %#x, expected O_RDWR",
	       fl & O_ACCMODE);
	CHECK(!(fl & O_NONBLOCK));
	pcm_close(p, fd);

	fd = pcm_open(p, 20, 0);
	CHECK(!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
	pcm_close(p, fd);

	fd = pcm_open(p, 20, O_NONBLOCK);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK(!(fcntl(fd, F_GETFD) & FD_CLOEXEC));
}

static void pcm_write_odd_length(void)
{
	struct port *p = port_setup(0);
	int16_t buf[4] = { 0 };
	int fd;

	fd = pcm_open(p, 20, O_CLOEXEC);
	CHECK_ERR(write(fd, buf, 1), EINVAL);
	CHECK_ERR(write(fd, buf, 3), EINVAL);
	CHECK_EQ(write(fd, buf, 2), 2);
}

/* a nonblocking writer meets a full queue (-EAGAIN or a short write) */
static void pcm_write_nonblock_fills(void)
{
	struct port *p = port_setup(0);
	struct pollfd pfd = { .events = POLLOUT };
	static int16_t buf[800];
	size_t total = 0;
	bool full = false;
	int fd, i;

	fd = pcm_open(p, 20, O_NONBLOCK | O_CLOEXEC);
	for (i = 0; i < 100 && !full; i++) {	/* up to 10 s of audio */
		ssize_t n = write(fd, buf, sizeof(buf));

		if (n < 0) {
			CHECKF(errno == EAGAIN, "write: %s, expected EAGAIN when full",
			       errname(errno));
			full = true;
		} else {
			CHECKF(n % 2 == 0, "write returned odd %zd", n);
			total += (size_t)n;
			full = (size_t)n < sizeof(buf);
		}
	}
	CHECKF(full, "wrote %zu bytes (%.1f s of audio) without the queue filling",
	       total, total / 2.0 / RATE);
	/* the line plays the queue: room comes back */
	pfd.fd = fd;
	CHECK_EQ(poll(&pfd, 1, 2000), 1);
	CHECK(pfd.revents & POLLOUT);
}

/*
 * FXS_IOC_PCM_DELAY tells what the queues hold: a second of audio written
 * at once is a second (less what played meanwhile) of delay, and it goes
 * down as the line plays it; an unknown ioctl on the audio fd is ENOTTY,
 * a bad pointer EFAULT.
 */
static void pcm_delay(void)
{
	struct port *p = port_setup(0);
	static int16_t buf[RATE];
	struct fxs_pcm_delay d, d2;
	int fd;

	fd = pcm_open(p, 20, O_NONBLOCK | O_CLOEXEC);
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d);
	CHECKF(d.play == 0, "play delay %u before any write", d.play);
	CHECK_EQ(write(fd, buf, 4000 * 2), 4000 * 2);
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d);
	CHECKF(d.play > 3000 && d.play <= 4000,
	       "play delay %u samples right after writing 4000", d.play);
	usleep(200000);
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d2);
	CHECKF(d2.play < d.play - 800 && d2.play > d.play - 2400,
	       "play delay went from %u to %u in 200 ms", d.play, d2.play);
	CHECKF(d2.capture >= 160, "capture delay %u after 200 ms unread", d2.capture);
	CHECK_ERR(ioctl(fd, FXS_IOC_PCM_DELAY, NULL), EFAULT);
	CHECK_ERR(ioctl(fd, FXS_IOC_GET_COUNTERS, &d), ENOTTY);
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_PCM_DELAY, &d), ENOTTY);
}

/*
 * FXS_IOC_PCM_DROP: a second of loud audio queued, then dropped: the queue
 * is empty at once, the line's next frames are silence (the reference
 * records say what the line sent), audio written afterwards plays again;
 * a second drop of an empty queue is harmless, and the control fd has no
 * such ioctl.
 */
static void pcm_drop(void)
{
	struct port *p = port_setup(0);
	static int16_t loud[RATE], rec[64 * 2 * 160];
	struct fxs_pcm_delay d;
	size_t i, silent = 0, after = 0;
	ssize_t n;
	int fd, tries;

	for (i = 0; i < RATE; i++)
		loud[i] = i % 2 ? 8000 : -8000;
	fd = pcm_try_open_mode(p, 20, O_NONBLOCK | O_CLOEXEC,
			       FXS_PCM_MODE_REFERENCE);
	CHECKF(fd >= 0, "PCM_OPEN: %s", errname(-fd));
	CHECK_EQ(write(fd, loud, sizeof(loud) / 2), (ssize_t)sizeof(loud) / 2);
	sleep_ms(100);
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d);
	CHECKF(d.play > 2000, "play delay %u before the drop", d.play);
	IOCTL(fd, FXS_IOC_PCM_DROP, NULL);
	IOCTL(fd, FXS_IOC_PCM_DELAY, &d);
	CHECKF(d.play == 0, "play delay %u right after the drop", d.play);
	/* what was captured until now: read and forget */
	while (read(fd, rec, sizeof(rec)) > 0)
		;
	sleep_ms(200);
	/* the line sent silence since: at most the frame being played
	 * when the queue was dropped was loud */
	for (tries = 0; tries < 2; tries++) {
		n = read(fd, rec, sizeof(rec));
		if (n <= 0)
			continue;
		for (i = 0; i < (size_t)n / 4 / 160; i++) {
			size_t k, loud_here = 0;

			for (k = 0; k < 160; k++)
				loud_here += rec[i * 320 + 160 + k] != 0;
			if (!loud_here)
				silent++;
		}
		break;
	}
	CHECKF(silent >= 8, "only %zu silent frames sent in the 200 ms after the drop",
	       silent);
	IOCTL(fd, FXS_IOC_PCM_DROP, NULL);
	/* audio written after a drop plays */
	CHECK_EQ(write(fd, loud, 800 * 2), 800 * 2);
	for (tries = 0; tries < 20 && after < 800; tries++) {
		sleep_ms(50);
		while ((n = read(fd, rec, sizeof(rec))) > 0)
			for (i = 0; i < (size_t)n / 4 / 160; i++) {
				size_t k;

				for (k = 0; k < 160; k++)
					after += rec[i * 320 + 160 + k] != 0;
			}
	}
	CHECKF(after == 800, "%zu loud samples sent after the drop, of 800 written",
	       after);
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_PCM_DROP), ENOTTY);
}

/* ------------------------------------------------------ audio contents */

struct writer_job {
	int fd;
	const void *buf;
	size_t len;
};

static void writer_run(void *arg)
{
	struct writer_job *w = arg;

	write_all(w->fd, w->buf, w->len, 5000);
}

static long find_nonzero(const int16_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return (long)i;
	return -1;
}

/*
 * Read samples from a nonblocking fd (earpiece or capture) into buf until
 * the pattern (len samples after the first non-zero one) is complete, max
 * samples are there, or timeout_ms passed.  Returns the number read.
 */
static size_t collect(int fd, int16_t *buf, size_t max, size_t len,
		      int timeout_ms)
{
	int64_t deadline = now_ns() + MS(timeout_ms);
	size_t n = 0;

	while (n + 320 <= max && now_ns() < deadline) {
		ssize_t r = read(fd, buf + n, (max - n) * sizeof(*buf));
		long first;

		if (r < 0) {
			CHECKF(errno == EAGAIN || errno == EINTR,
			       "reading samples: %s", errname(errno));
			sleep_ms(2);
			continue;
		}
		CHECKF(r % 2 == 0, "read returned an odd %zd bytes", r);
		n += (size_t)r / 2;
		first = find_nonzero(buf, n);
		if (len && first >= 0 && (size_t)first + len <= n)
			break;
	}
	return n;
}

static void check_pattern(const char *where, const int16_t *got, size_t n,
			  const int16_t *want, size_t len)
{
	long first = find_nonzero(got, n);
	size_t i;

	CHECKF(first >= 0, "%s: only silence in %zu samples", where, n);
	CHECKF((size_t)first + len <= n,
	       "%s: the pattern starts at sample %ld but only %zu samples came",
	       where, first, n);
	for (i = 0; i < len; i++)
		CHECKF(got[first + i] == want[i],
		       "%s: pattern sample %zu (at %zu) is %d, expected %d",
		       where, i, first + i, got[first + i], want[i]);
}

static int16_t *make_pattern(uint32_t seed)
{
	int16_t *pat = malloc(PATTERN_LEN * sizeof(*pat));

	CHECK(pat);
	pattern_fill(pat, PATTERN_LEN, seed);
	pat[1] = 32767;		/* the extremes pass unchanged too */
	pat[2] = -32768;
	return pat;
}

/* write the pattern to the audio fd; it must appear at the earpiece */
static void earpiece_roundtrip(struct port *p)
{
	size_t max = 3 * RATE, n;
	struct fxs_thread wt;
	struct writer_job w;
	int16_t *pat, *got;
	int hs = port_hs_nb(p);

	pat = make_pattern(0x5eed1);
	got = calloc(max, sizeof(*got));
	CHECK(got);
	w.fd = pcm_open(p, 20, O_CLOEXEC);
	hs_flush(p);
	w.buf = pat;
	w.len = PATTERN_LEN * sizeof(*pat);
	fxs_thread_start(&wt, "pcm writer", writer_run, &w);
	n = collect(hs, got, max, PATTERN_LEN, 3000);
	fxs_thread_join(&wt);
	check_pattern("earpiece", got, n, pat, PATTERN_LEN);
	free(got);
	free(pat);
}

static void pcm_earpiece_pattern(void)
{
	struct port *p = port_setup(0);

	hs_lift(p, NULL, NULL);
	hs_echo_off(p);
	earpiece_roundtrip(p);
}

/* on-hook transmission: audio reaches the phone while it is on-hook */
static void pcm_earpiece_oht(void)
{
	struct port *p = port_setup(0);

	set_linefeed(p, FXS_LINEFEED_OHT);
	earpiece_roundtrip(p);
}

/* on-hook without OHT: the earpiece gets silence, one sample per clock */
static void pcm_earpiece_silent_onhook(void)
{
	struct port *p = port_setup(0);
	size_t max = 3 * RATE, n;
	struct fxs_thread wt;
	struct writer_job w;
	int16_t *pat, *got;
	long first;
	int hs = port_hs_nb(p);

	pat = make_pattern(0x5eed2);
	got = calloc(max, sizeof(*got));
	CHECK(got);
	w.fd = pcm_open(p, 20, O_CLOEXEC);
	hs_flush(p);
	w.buf = pat;
	w.len = PATTERN_LEN * sizeof(*pat);
	fxs_thread_start(&wt, "pcm writer", writer_run, &w);
	n = collect(hs, got, 6000 + 320, 0, 3000);
	fxs_thread_join(&wt);
	CHECKF(n >= 6000, "the earpiece gave %zu samples in 3 s of streaming", n);
	first = find_nonzero(got, n);
	CHECKF(first < 0,
	       "earpiece sample %ld is %d: audio reached the on-hook phone without OHT",
	       first, first >= 0 ? got[first] : 0);
	free(got);
	free(pat);
}

/* the pattern written to the mouthpiece comes out of the audio fd */
static void pcm_mouthpiece_pattern(void)
{
	struct port *p = port_setup(0);
	size_t max = 3 * RATE, n;
	struct fxs_thread wt;
	struct writer_job w;
	int16_t *pat, *got;
	int pcm;

	hs_lift(p, NULL, NULL);
	hs_echo_off(p);
	pat = make_pattern(0x5eed3);
	got = calloc(max, sizeof(*got));
	CHECK(got);
	pcm = pcm_open(p, 20, O_NONBLOCK | O_CLOEXEC);
	hs_flush(p);
	w.fd = p->hs;
	w.buf = pat;
	w.len = PATTERN_LEN * sizeof(*pat);
	fxs_thread_start(&wt, "mouthpiece writer", writer_run, &w);
	n = collect(pcm, got, max, PATTERN_LEN, 3000);
	fxs_thread_join(&wt);
	check_pattern("capture", got, n, pat, PATTERN_LEN);
	free(got);
	free(pat);
}

struct pcm_io {
	int fd;
	bool write;
	void *buf;
	size_t len;
	ssize_t ret;
	int err;
};

static void pcm_io_run(void *arg)
{
	struct pcm_io *io = arg;

	errno = 0;
	io->ret = io->write ? write(io->fd, io->buf, io->len) :
			      read(io->fd, io->buf, io->len);
	io->err = errno;
}

/*
 * A reader (writer) of the audio fd stalls copying a frame to (from) a
 * userfaultfd page nobody serves yet.  A second reader (writer) with
 * O_NONBLOCK must not wait for it: it gets -EAGAIN at once.
 */
static void pcm_nonblock_during_stalled_copy(void)
{
	struct port *p = port_setup(0);
	static int16_t frame[160];
	int fd = pcm_open(p, 20, O_CLOEXEC), pass;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	for (pass = 0; pass < 2; pass++) {
		struct pcm_io first = { .fd = fd, .write = pass, .len = 320 };
		struct pcm_io second = { .fd = fd, .write = pass, .buf = frame,
					 .len = 320 };
		struct fxs_thread t1, t2;
		bool faulted, answered = false;
		struct stall st;
		int r = stall_setup(&st);

		if (r)
			SKIP("userfaultfd: %s", errname(-r));
		CHECK_OK(fcntl(fd, F_SETFL, 0));
		first.buf = st.page;
		fxs_thread_start(&t1, "stalled", pcm_io_run, &first);
		faulted = stall_wait_fault(&st, 2000);
		if (faulted) {
			CHECK_OK(fcntl(fd, F_SETFL, O_NONBLOCK));
			fxs_thread_start(&t2, "O_NONBLOCK", pcm_io_run, &second);
			answered = fxs_thread_join_timeout(&t2, 1000);
		}
		stall_release(&st, frame, sizeof(frame));
		fxs_thread_join(&t1);
		if (faulted && !answered)
			fxs_thread_join(&t2);
		stall_free(&st);
		CHECKF(faulted, "the %s did not touch its buffer",
		       pass ? "write" : "read");
		CHECKF(answered,
		       "an O_NONBLOCK %s waited for another thread's stalled one",
		       pass ? "write" : "read");
		CHECKF(first.ret == 320, "the stalled %s returned %zd (%s)",
		       pass ? "write" : "read", first.ret, errname(first.err));
		CHECKF(second.ret == -1 && second.err == EAGAIN,
		       "the O_NONBLOCK %s returned %zd (%s), expected EAGAIN",
		       pass ? "write" : "read", second.ret, errname(second.err));
	}
}

static const struct fxs_case cases[] = {
	CASE(pcm_nonblock_during_stalled_copy),
	CASE_T(pcm_rate, 40),
	CASE(pcm_period_10_frames),
	CASE(pcm_bad_period),
	CASE(pcm_open_twice_ebusy),
	CASE(pcm_close_stops_stream),
	CASE(pcm_read_short_buffer),
	CASE(pcm_read_nonblock_eagain),
	CASE(pcm_open_fd_flags),
	CASE(pcm_write_odd_length),
	CASE(pcm_write_nonblock_fills),
	CASE(pcm_delay),
	CASE(pcm_drop),
	CASE(pcm_earpiece_pattern),
	CASE(pcm_earpiece_oht),
	CASE(pcm_earpiece_silent_onhook),
	CASE(pcm_mouthpiece_pattern),
};
DEFINE_SUITE(pcm_suite, cases);
