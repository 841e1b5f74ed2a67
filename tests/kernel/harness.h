/* SPDX-License-Identifier: GPL-2.0 */
/*
 * harness.h - framework and device helpers of the fxs kernel test suite
 *
 * Every case is a void function registered in a suite table (one table per
 * area file, all listed in harness.c).  The runner forks one process per
 * case, so a crash or a hang (per-case timeout) is reported against that
 * case only.  CHECK-style macros record "file:line: what was expected, what
 * was seen" and end the case with a longjmp; the fixture's teardown then
 * runs anyway and puts the ports back into the known state:
 *
 *   handset on-hook with no classification pending, no ring, line feed
 *   FORWARD, default hook timing, the echo model as found at start-up,
 *   handset queues flushed, event queue drained, no audio stream.
 */
#ifndef FXS_TEST_HARNESS_H
#define FXS_TEST_HARNESS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <unistd.h>

#include <linux/fxs.h>
#include <linux/fxs_loop.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NS_PER_MS	1000000LL
#define MS(x)		((int64_t)(x) * NS_PER_MS)

/* ------------------------------------------------------------ framework */

struct fxs_case {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s;		/* the runner kills the case after this */
};

struct fxs_suite {
	const struct fxs_case *cases;
	size_t ncases;
};

#define CASE_TIMEOUT_S		20
#define CASE(fn)		{ #fn, fn, CASE_TIMEOUT_S }
#define CASE_T(fn, secs)	{ #fn, fn, secs }
#define DEFINE_SUITE(var, table) \
	const struct fxs_suite var = { table, ARRAY_SIZE(table) }

extern const struct fxs_suite info_suite, events_suite, hook_suite,
	pulse_suite, ring_suite, linefeed_suite, pcm_suite, echo_suite,
	reference_suite, close_suite, badinput_suite, fuzz_suite, unplug_suite;

__attribute__((noreturn, format(printf, 3, 4)))
void fxs_fail(const char *file, int line, const char *fmt, ...);
__attribute__((noreturn, format(printf, 1, 2)))
void fxs_skip(const char *fmt, ...);
/* A "# ..." diagnostic line in the output. */
__attribute__((format(printf, 1, 2)))
void tinfo(const char *fmt, ...);

const char *errname(int err);

#define FAIL(...)	fxs_fail(__FILE__, __LINE__, __VA_ARGS__)
#define SKIP(...)	fxs_skip(__VA_ARGS__)

#define CHECK(cond) \
	do { if (!(cond)) FAIL("check failed: %s", #cond); } while (0)
#define CHECKF(cond, ...) \
	do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)

/* (the operands are stringized here, before macros in them expand) */
#define CHECK_EQ(a, b)	CHECK_CMP_(a, ==, b, #a, #b)
#define CHECK_NE(a, b)	CHECK_CMP_(a, !=, b, #a, #b)
#define CHECK_GE(a, b)	CHECK_CMP_(a, >=, b, #a, #b)
#define CHECK_LE(a, b)	CHECK_CMP_(a, <=, b, #a, #b)
#define CHECK_GT(a, b)	CHECK_CMP_(a, >, b, #a, #b)
#define CHECK_LT(a, b)	CHECK_CMP_(a, <, b, #a, #b)
#define CHECK_CMP_(a, op, b, sa, sb) do { \
	long long a_ = (long long)(a), b_ = (long long)(b); \
	if (!(a_ op b_)) \
		FAIL("expected %s %s %s, got %lld vs %lld", \
		     sa, #op, sb, a_, b_); \
} while (0)

#define CHECK_RANGE(v, lo, hi) do { \
	long long v_ = (long long)(v), lo_ = (long long)(lo), \
		  hi_ = (long long)(hi); \
	if (v_ < lo_ || v_ > hi_) \
		FAIL("expected %s in [%lld, %lld], got %lld", \
		     #v, lo_, hi_, v_); \
} while (0)

/* |a - b| <= tol_ms, both in CLOCK_MONOTONIC ns */
#define CHECK_NEAR_NS(a, b, tol_ms) do { \
	int64_t d_ = (int64_t)(a) - (int64_t)(b); \
	if (d_ > MS(tol_ms) || d_ < -MS(tol_ms)) \
		FAIL("expected %s within %d ms of %s, got %+.3f ms", \
		     #a, (int)(tol_ms), #b, d_ / 1e6); \
} while (0)

/* a system call that must succeed (return >= 0) */
#define CHECK_OK(expr) ({ \
	long r_ = (long)(expr); \
	if (r_ < 0) \
		FAIL("%s failed: %s (%s)", #expr, errname(errno), \
		     strerror(errno)); \
	r_; \
})

/* a system call that must fail with -1 / errno == err */
#define CHECK_ERR(expr, err) do { \
	errno = 0; \
	long r_ = (long)(expr); \
	int e_ = errno; \
	if (r_ != -1) \
		FAIL("expected %s to fail with %s, it returned %ld", \
		     #expr, errname(err), r_); \
	if (e_ != (err)) \
		FAIL("expected %s to fail with %s, got %s", \
		     #expr, errname(err), errname(e_)); \
} while (0)

/* ioctl that must succeed */
#define IOCTL(fd, cmd, arg) xioctl(__FILE__, __LINE__, fd, cmd, #cmd, arg)
int xioctl(const char *file, int line, int fd, unsigned long cmd,
	   const char *name, void *arg);
/* raw ioctl(2), bypassing the sanitizers' decoding of the argument */
long sys_ioctl(int fd, unsigned long cmd, unsigned long arg);

/*
 * Threads: a failing CHECK inside fn ends the thread; fxs_thread_join()
 * then fails the case with the thread's message.
 */
struct fxs_thread {
	pthread_t tid;
	const char *name;
	void (*fn)(void *arg);
	void *arg;
	int status;			/* 0 ok, 1 failed, 2 skipped */
	char msg[1024];
};
void fxs_thread_start(struct fxs_thread *t, const char *name,
		      void (*fn)(void *), void *arg);
void fxs_thread_join(struct fxs_thread *t);
/* join all, then report every one that failed */
void fxs_threads_join(struct fxs_thread *ts, int n);
/* false: the thread is still running after timeout_ms */
bool fxs_thread_join_timeout(struct fxs_thread *t, int timeout_ms);

/* ---------------------------------------------------------------- clock */

int64_t now_ns(void);
void sleep_ms(int ms);
/* FXS_TIME_SCALE (>= 1, default 1): how much slower than the stock kernel
 * the kernel under test may react (the debug kernel's lane sets it) */
double time_scale(void);
/*
 * How much later than the handset's planned edge a board may stamp a hook
 * edge or switch the ring (FXS_EDGE_SLACK_MS, default 0: the loopback
 * board reports the planned times; a chip stamps its interrupt and
 * switches when the port's worker writes it)
 */
int edge_slack_ms(void);
/* a hook edge's or ring switch's stamp against the handset's: 2 ms + slack */
#define EDGE_TOL_MS	(2 + edge_slack_ms())
/* the board the fxs_test pass runs on (FXS_BOARD, default "fxs_loop") */
const char *board_name(void);
void sleep_until_ns(int64_t t);
/* milliseconds from now until t, at least 0 */
int ms_until(int64_t t);

/* -------------------------------------------------------------- fixture */

#define FXS_MAX_PCM	4

struct port {
	int index;			/* N of /dev/fxsN */
	int ctl;			/* /dev/fxsN, -1 when closed */
	int hs;				/* /dev/fxs_hsN, -1 when not opened */
	int hs_nb;			/* second handset fd, O_NONBLOCK */
	int pcm[FXS_MAX_PCM];		/* audio fds opened by the case */
	bool in_use;
	int64_t last_rx_ns;		/* when the last event was read */
	/* observations taken out of the handset but not consumed yet */
	struct fxs_hs_obs obs[256];
	unsigned int obs_head, obs_count;
	uint64_t obs_lost;		/* reported lost by the handset */
};

extern const struct fxs_hook_timing fxs_default_timing;

/* Open /dev/fxsN and /dev/fxs_hsN and bring the port to the known state. */
struct port *port_setup(int index);
/* Open /dev/fxsN only; no handset (e.g. so that fxs_loop can be unloaded). */
struct port *port_setup_ctl_only(int index);
/* Bring an open port to the known state (what setup and teardown do). */
void port_quiesce(struct port *p);
void port_close_ctl(struct port *p);
/* reopen /dev/fxsN, retrying -EBUSY for up to 1 s */
void port_reopen_ctl(struct port *p);
/* close everything of this port; teardown leaves it alone (it is gone) */
void port_forget(struct port *p);
int port_hs_nb(struct port *p);

/* Teardown of the current case: kill tracked children, quiesce, close. */
void fixture_teardown(void);
/* After a crashed or killed case: quiesce ports 0 and 1 from scratch. */
void fixture_recover(void);
/* Remember each handset's echo settings (runs once, before any case). */
void fixture_save_echo_defaults(void);

/* child processes the case started; teardown SIGKILLs and reaps them */
void track_child(pid_t pid);
void untrack_child(pid_t pid);

/* --------------------------------------------------------------- events */

const char *ev_name(uint32_t type);
/* 1: got one, 0: none within timeout_ms; a read error fails the case */
int read_event(struct port *p, struct fxs_event *ev, int timeout_ms);
/* the next event must be of this type and arrive within timeout_ms */
#define expect_event(p, type, timeout_ms, out) \
	expect_event_at(__FILE__, __LINE__, p, type, timeout_ms, out)
/* wait for an event of this type, skipping others */
#define wait_event(p, type, timeout_ms, out) \
	wait_event_at(__FILE__, __LINE__, p, type, timeout_ms, out)
/* no event at all may arrive within ms */
#define expect_no_event(p, ms) \
	expect_no_event_at(__FILE__, __LINE__, p, ms)
void expect_event_at(const char *file, int line, struct port *p,
		     uint32_t type, int timeout_ms, struct fxs_event *out);
void wait_event_at(const char *file, int line, struct port *p,
		   uint32_t type, int timeout_ms, struct fxs_event *out);
void expect_no_event_at(const char *file, int line, struct port *p, int ms);
/* read what is queued without blocking; returns the number read */
int drain_events(struct port *p, struct fxs_event *evs, int max);

/* --------------------------------------------------------- observations */

const char *obs_name(uint32_t type);
/* 1: got one, 0: none within timeout_ms (polls FXS_HS_IOC_GET_OBS) */
int read_obs(struct port *p, struct fxs_hs_obs *o, int timeout_ms);
/* wait for an observation of this type, skipping others */
#define wait_obs(p, type, timeout_ms, out) \
	wait_obs_at(__FILE__, __LINE__, p, type, timeout_ms, out)
/* no observation of this type (0: of any type) within ms */
#define expect_no_obs(p, type, ms) \
	expect_no_obs_at(__FILE__, __LINE__, p, type, ms)
void wait_obs_at(const char *file, int line, struct port *p, uint32_t type,
		 int timeout_ms, struct fxs_hs_obs *out);
void expect_no_obs_at(const char *file, int line, struct port *p,
		      uint32_t type, int ms);

/* -------------------------------------------------------------- handset */

void hs_hook(struct port *p, int offhook, unsigned int bounce_count,
	     unsigned int bounce_us, struct fxs_hs_hook *out);
/* lift (no bounce) and wait for the OFFHOOK event */
#define hs_lift(p, hook_out, ev_out) \
	hs_lift_at(__FILE__, __LINE__, p, hook_out, ev_out)
void hs_lift_at(const char *file, int line, struct port *p,
		struct fxs_hs_hook *hook_out, struct fxs_event *ev_out);
void hs_flash(struct port *p, unsigned int break_ms,
	      struct fxs_hs_flash *out);
void hs_dial(struct port *p, unsigned int digit, unsigned int break_ms,
	     unsigned int make_ms, unsigned int bounce_count,
	     unsigned int bounce_us, struct fxs_hs_dial *out);
void hs_wait(struct port *p);
void hs_state(struct port *p, struct fxs_hs_state *st);
/*
 * The most an open handset's hook edge came after its planned time in
 * this case (FXS_HS_IOC_GET_STATE late_ns), in ns; 0 with none open.  No
 * longjmp: the runner calls it after a case failed.
 */
int64_t stimulus_late_ns(void);
/*
 * A failed case whose handset edges came later than this ran on a stalled
 * machine (qemu under TCG on a loaded host): its stimulus was not what it
 * planned, so the runner runs it again, twice at most.
 */
#define STIMULUS_LATE_MS	10
void hs_echo_off(struct port *p);
/* FXS_HS_IOC_FLUSH: drops queued audio (both ways) and observations */
void hs_flush(struct port *p);

/* ---------------------------------------------------------- port ioctls */

void get_counters(struct port *p, struct fxs_counters *c);
void get_hook(struct port *p, struct fxs_hook_state *h);
void get_timing(struct port *p, struct fxs_hook_timing *t);
void set_timing(struct port *p, const struct fxs_hook_timing *t);
void set_linefeed(struct port *p, uint32_t mode);
uint32_t get_linefeed(struct port *p);
void ring_start(struct port *p, unsigned int pairs, const uint32_t *on_off);

/* ----------------------------------------------------------------- audio */

/* PCM_OPEN that must succeed; the fd is closed by teardown if still open */
int pcm_open(struct port *p, uint32_t period_ms, uint32_t flags);
/* PCM_OPEN; returns the fd or -errno */
int pcm_try_open(struct port *p, uint32_t period_ms, uint32_t flags);
/* the same with fxs_pcm_open.mode (FXS_PCM_MODE_*) */
int pcm_try_open_mode(struct port *p, uint32_t period_ms, uint32_t flags,
		      uint32_t mode);
void pcm_close(struct port *p, int fd);
/* write all of buf, retrying short writes and -EAGAIN until deadline */
void write_all(int fd, const void *buf, size_t len, int timeout_ms);
/* deterministic noise, never 0 (so it can be found after silence) */
void pattern_fill(int16_t *buf, size_t n, uint32_t seed);
uint32_t prng_next(uint32_t *state);

/* ----------------------------------------------------------- user memory */

/*
 * A page of user memory whose first touch (by the kernel too) stalls until
 * stall_release() fills it: a copy_from_user/copy_to_user that hangs.
 */
struct stall {
	int uffd;
	char *page;
	size_t size;
};
/* 0, or -errno when userfaultfd is not available */
int stall_setup(struct stall *s);
/* wait until something touched the page; false after timeout_ms */
bool stall_wait_fault(struct stall *s, int timeout_ms);
/* let the touch go on, the page holding len bytes of data (then zeros) */
void stall_release(struct stall *s, const void *data, size_t len);
void stall_free(struct stall *s);

/* ----------------------------------------------------------------- sysfs */

/* read a file; returns its length or -errno; strips a trailing newline */
int read_text(const char *path, char *buf, size_t size);
/* write a string to a file; returns 0 or -errno */
int write_text(const char *path, const char *text);
/* read /sys/class/fxs/fxsN/<attr>; fails the case if unreadable */
void port_attr(int index, const char *attr, char *buf, size_t size);
long long port_attr_ll(int index, const char *attr);
/* lowercase, '-' and '_' removed: "Off-Hook" -> "offhook" */
void normalize_word(char *s);
int count_open_fds(void);
bool all_zero(const void *buf, size_t len);

#endif /* FXS_TEST_HARNESS_H */
