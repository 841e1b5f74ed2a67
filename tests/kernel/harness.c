// SPDX-License-Identifier: GPL-2.0
/*
 * harness.c - the runner of the fxs kernel test suite
 *
 *   fxs_test [-l] [-k SUBSTRING]... [CASE...]
 *
 * Runs every case (or the named ones, or those whose name contains one of
 * the -k substrings) in order, each in a process of its own with a timeout,
 * and prints kselftest/TAP-like lines:
 *
 *   ok 3 event_offhook
 *   not ok 4 event_onhook: events.c:57: expected ONHOOK within 1500 ms, ...
 *   ok 5 unplug_rmmod_board # SKIP reason
 *   ...
 *   40 passed, 1 failed, 2 skipped
 *
 * Exit status 0 iff no case failed.
 */
#include "harness.h"

#include <getopt.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The registration table: suites run in this order. */
static const struct fxs_suite *const suites[] = {
	&info_suite,
	&events_suite,
	&hook_suite,
	&pulse_suite,
	&ring_suite,
	&linefeed_suite,
	&pcm_suite,
	&echo_suite,
	&reference_suite,
	&close_suite,
	&badinput_suite,
	&fuzz_suite,
	&unplug_suite,		/* last: removes, re-adds and reloads ports */
};

/* exit codes of a case process (1 is what the sanitizers use) */
enum { ST_PASS = 0, ST_FAIL = 10, ST_SKIP = 11, ST_LATE = 12 };
#define CASE_RUNS	3	/* a case whose stimulus came late: runs at most */

struct ctx {
	jmp_buf jb;
	int status;
	char msg[1024];
};

/* where fxs_fail()/fxs_skip() of the calling thread land */
static __thread struct ctx *cur;
/* the case's body and its teardown, in the case's process */
static struct ctx case_ctx, teardown_ctx;

/* ------------------------------------------------------------ failures */

static void __attribute__((noreturn))
ctx_end(int status, const char *prefix, const char *fmt,
		    va_list ap)
{
	size_t n;

	if (!cur) {
		fprintf(stderr, "%s", prefix);
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, " (outside of a test case)\n");
		abort();
	}
	snprintf(cur->msg, sizeof(cur->msg), "%s", prefix);
	n = strlen(cur->msg);
	vsnprintf(cur->msg + n, sizeof(cur->msg) - n, fmt, ap);
	cur->status = status;
	longjmp(cur->jb, 1);
}

void fxs_fail(const char *file, int line, const char *fmt, ...)
{
	const char *base = strrchr(file, '/');
	char prefix[128];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s:%d: ", base ? base + 1 : file,
		 line);
	va_start(ap, fmt);
	ctx_end(ST_FAIL, prefix, fmt, ap);
}

void fxs_skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_end(ST_SKIP, "", fmt, ap);
}

/* fail without a file:line prefix (the message carries its own) */
static void __attribute__((noreturn, format(printf, 1, 2)))
fail_plain(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctx_end(ST_FAIL, "", fmt, ap);
}

void tinfo(const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("# %s\n", line);
	fflush(stdout);
}

const char *errname(int err)
{
	static const struct { int err; const char *name; } names[] = {
		{ 0, "no error" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ EINTR, "EINTR" }, { EIO, "EIO" }, { ENXIO, "ENXIO" },
		{ E2BIG, "E2BIG" }, { EBADF, "EBADF" }, { EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" },
		{ EFAULT, "EFAULT" }, { EBUSY, "EBUSY" }, { EEXIST, "EEXIST" },
		{ ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ ENOSPC, "ENOSPC" }, { ESPIPE, "ESPIPE" }, { EPIPE, "EPIPE" },
		{ ERANGE, "ERANGE" }, { ENOSYS, "ENOSYS" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ EALREADY, "EALREADY" }, { EINPROGRESS, "EINPROGRESS" },
		{ ENOEXEC, "ENOEXEC" }, { ESHUTDOWN, "ESHUTDOWN" },
		{ EOVERFLOW, "EOVERFLOW" }, { EMSGSIZE, "EMSGSIZE" },
	};
	static __thread char other[32];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].err == err)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", err);
	return other;
}

int xioctl(const char *file, int line, int fd, unsigned long cmd,
	   const char *name, void *arg)
{
	int r = ioctl(fd, cmd, arg);

	if (r < 0)
		fxs_fail(file, line, "ioctl %s failed: %s (%s)", name,
			 errname(errno), strerror(errno));
	return r;
}

long sys_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	return syscall(SYS_ioctl, fd, cmd, arg);
}

/* -------------------------------------------------------------- threads */

static void *thread_main(void *arg)
{
	static __thread struct ctx tctx;
	struct fxs_thread *t = arg;

	tctx.status = ST_PASS;
	tctx.msg[0] = '\0';
	cur = &tctx;
	if (setjmp(tctx.jb) == 0)
		t->fn(t->arg);
	cur = NULL;
	t->status = tctx.status == ST_PASS ? 0 :
		    tctx.status == ST_SKIP ? 2 : 1;
	snprintf(t->msg, sizeof(t->msg), "%s", tctx.msg);
	return NULL;
}

void fxs_thread_start(struct fxs_thread *t, const char *name,
		      void (*fn)(void *), void *arg)
{
	int err;

	t->name = name;
	t->fn = fn;
	t->arg = arg;
	t->status = 0;
	t->msg[0] = '\0';
	err = pthread_create(&t->tid, NULL, thread_main, t);
	if (err)
		FAIL("pthread_create(%s): %s", name, strerror(err));
}

/* append s to the string in dst[size], truncating */
static void append(char *dst, size_t size, const char *s)
{
	size_t n = strlen(dst), m = strlen(s);

	if (m > size - 1 - n)
		m = size - 1 - n;
	memcpy(dst + n, s, m);
	dst[n + m] = '\0';
}

/* fail (or skip) the case with the messages of the threads that did */
static void threads_report(struct fxs_thread *ts, int n)
{
	char msg[sizeof(case_ctx.msg)] = "";
	int i, failed = 0;

	for (i = 0; i < n; i++) {
		if (ts[i].status != 1)
			continue;
		if (failed++)
			append(msg, sizeof(msg), "; ");
		append(msg, sizeof(msg), "[");
		append(msg, sizeof(msg), ts[i].name);
		append(msg, sizeof(msg), "] ");
		append(msg, sizeof(msg), ts[i].msg);
	}
	if (failed)
		fail_plain("%s", msg);
	for (i = 0; i < n; i++)
		if (ts[i].status == 2)
			SKIP("[%s] %s", ts[i].name, ts[i].msg);
}

void fxs_threads_join(struct fxs_thread *ts, int n)
{
	int i;

	for (i = 0; i < n; i++)
		pthread_join(ts[i].tid, NULL);
	threads_report(ts, n);
}

void fxs_thread_join(struct fxs_thread *t)
{
	fxs_threads_join(t, 1);
}

bool fxs_thread_join_timeout(struct fxs_thread *t, int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(t->tid, NULL, &ts))
		return false;
	threads_report(t, 1);
	return true;
}

/* ---------------------------------------------------------------- clock */

int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void sleep_until_ns(int64_t t)
{
	struct timespec ts = {
		.tv_sec = t / 1000000000LL,
		.tv_nsec = t % 1000000000LL,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

double time_scale(void)
{
	const char *s = getenv("FXS_TIME_SCALE");
	double v = s ? atof(s) : 1;

	return v >= 1 ? v : 1;
}

int edge_slack_ms(void)
{
	const char *s = getenv("FXS_EDGE_SLACK_MS");
	int v = s ? atoi(s) : 0;

	return v > 0 ? v : 0;
}

const char *board_name(void)
{
	const char *s = getenv("FXS_BOARD");

	return s && *s ? s : "fxs_loop";
}

void sleep_ms(int ms)
{
	sleep_until_ns(now_ns() + MS(ms));
}

int ms_until(int64_t t)
{
	int64_t d = t - now_ns();

	return d <= 0 ? 0 : (int)((d + NS_PER_MS - 1) / NS_PER_MS);
}

/* --------------------------------------------------------------- runner */

/* Runs in the case's own process; never returns. */
static void __attribute__((noreturn))
case_process(const struct fxs_case *c, int msgfd)
{
	char msg[sizeof(case_ctx.msg) + sizeof(teardown_ctx.msg) + 96];
	volatile int64_t late = 0;
	int status;
	ssize_t w;

	case_ctx.status = ST_PASS;
	cur = &case_ctx;
	if (setjmp(case_ctx.jb) == 0)
		c->fn();
	cur = NULL;
	/* before the teardown's flush clears it */
	if (case_ctx.status == ST_FAIL)
		late = stimulus_late_ns();

	teardown_ctx.status = ST_PASS;
	cur = &teardown_ctx;
	if (setjmp(teardown_ctx.jb) == 0)
		fixture_teardown();
	cur = NULL;

	status = case_ctx.status;
	snprintf(msg, sizeof(msg), "%s",
		 status == ST_PASS ? "" : case_ctx.msg);
	if (teardown_ctx.status != ST_PASS) {
		if (status == ST_PASS)
			snprintf(msg, sizeof(msg), "teardown: %s",
				 teardown_ctx.msg);
		else
			snprintf(msg, sizeof(msg), "%s (teardown: %s)",
				 case_ctx.msg, teardown_ctx.msg);
		status = ST_FAIL;
	} else if (status == ST_FAIL && late > MS(STIMULUS_LATE_MS)) {
		snprintf(msg, sizeof(msg),
			 "the handset's edges came up to %lld ms late (the machine stalled): %s",
			 (long long)(late / NS_PER_MS), case_ctx.msg);
		status = ST_LATE;
	}
	w = write(msgfd, msg, strlen(msg));
	(void)w;
	fflush(stdout);
	fflush(stderr);
	_exit(status);
}

/* Waits for pid; SIGKILLs its process group at the deadline. */
static int wait_case(pid_t pid, int64_t deadline, bool *timed_out)
{
	sigset_t chld;
	int st = 0;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	*timed_out = false;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		int64_t left = deadline - now_ns();
		struct timespec ts;

		if (r == pid)
			return st;
		if (left <= 0) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return st;
		}
		if (left > MS(100))
			left = MS(100);
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left;
		sigtimedwait(&chld, NULL, &ts);
	}
}

/* After a crash or a timeout: bring ports 0 and 1 back, in a process. */
static void recover(void)
{
	bool timed_out;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		setpgid(0, 0);
		teardown_ctx.status = ST_PASS;
		cur = &teardown_ctx;
		if (setjmp(teardown_ctx.jb) == 0)
			fixture_recover();
		else
			tinfo("recovery failed: %s", teardown_ctx.msg);
		fflush(stdout);
		_exit(0);
	}
	setpgid(pid, pid);
	wait_case(pid, now_ns() + MS(15000), &timed_out);
	if (timed_out)
		tinfo("recovery timed out");
}

/*
 * Runs one case; returns ST_PASS, ST_FAIL or ST_SKIP and prints its line,
 * or with @last false, ST_LATE and a comment line when it failed with its
 * stimulus late.
 */
static int run_case_once(const struct fxs_case *c, int num, bool last)
{
	char msg[2200];
	bool timed_out;
	int pfd[2], st, status;
	ssize_t n;
	pid_t pid;
	char *s;

	fflush(stdout);
	fflush(stderr);
	if (pipe2(pfd, O_CLOEXEC)) {
		printf("not ok %d %s: pipe: %s\n", num, c->name,
		       strerror(errno));
		return ST_FAIL;
	}
	pid = fork();
	if (pid < 0) {
		printf("not ok %d %s: fork: %s\n", num, c->name,
		       strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return ST_FAIL;
	}
	if (pid == 0) {
		sigset_t chld;

		setpgid(0, 0);
		sigemptyset(&chld);
		sigaddset(&chld, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &chld, NULL);
		close(pfd[0]);
		case_process(c, pfd[1]);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	st = wait_case(pid, now_ns() + MS(c->timeout_s * 1000LL), &timed_out);

	/* a grandchild may still hold the pipe: read what is there */
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	n = read(pfd[0], msg, sizeof(msg) - 1);
	close(pfd[0]);
	msg[n > 0 ? n : 0] = '\0';
	for (s = msg; *s; s++)
		if (*s == '\n')
			*s = ' ';

	if (timed_out) {
		printf("not ok %d %s: timed out after %u s (killed)\n", num,
		       c->name, c->timeout_s);
		status = ST_FAIL;
	} else if (WIFSIGNALED(st)) {
		printf("not ok %d %s: crashed with signal %d (%s)\n", num,
		       c->name, WTERMSIG(st), strsignal(WTERMSIG(st)));
		status = ST_FAIL;
	} else if (WEXITSTATUS(st) == ST_PASS) {
		printf("ok %d %s\n", num, c->name);
		status = ST_PASS;
	} else if (WEXITSTATUS(st) == ST_SKIP) {
		printf("ok %d %s # SKIP %s\n", num, c->name, msg);
		status = ST_SKIP;
	} else if (WEXITSTATUS(st) == ST_LATE && !last) {
		printf("# %s: %s; running it again\n", c->name, msg);
		status = ST_LATE;
	} else if (WEXITSTATUS(st) == ST_FAIL || WEXITSTATUS(st) == ST_LATE) {
		printf("not ok %d %s: %s\n", num, c->name, msg);
		status = ST_FAIL;
	} else {
		printf("not ok %d %s: exited with status %d%s%s\n", num,
		       c->name, WEXITSTATUS(st), *msg ? ": " : "",
		       *msg ? msg : " (sanitizer report on stderr?)");
		status = ST_FAIL;
	}
	fflush(stdout);
	if (timed_out || WIFSIGNALED(st) ||
	    (WEXITSTATUS(st) != ST_PASS && WEXITSTATUS(st) != ST_FAIL &&
	     WEXITSTATUS(st) != ST_SKIP && WEXITSTATUS(st) != ST_LATE))
		recover();
	return status;
}

static int run_case(const struct fxs_case *c, int num)
{
	int i, status = ST_LATE;

	for (i = 1; i <= CASE_RUNS && status == ST_LATE; i++)
		status = run_case_once(c, num, i == CASE_RUNS);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fxs_test [-l] [-k SUBSTRING]... [-x SUBSTRING]... [CASE...]\n"
		"  -l            list the cases and exit\n"
		"  -k SUBSTRING  run the cases whose name contains SUBSTRING\n"
		"                (repeatable; with CASE names: the union)\n"
		"  -x SUBSTRING  leave out the cases whose name contains SUBSTRING\n"
		"                (repeatable; applies after the selection)\n"
		"environment: FXS_LOOP_KO (default driver/fxs_loop.ko),\n"
		"  FXS_FUZZ_SEED, FXS_FUZZ_ITERS\n");
}

int main(int argc, char **argv)
{
	const struct fxs_case **sel;
	const char **keys, **excl;
	size_t nkeys = 0, nexcl = 0, nsel = 0, total = 0, i, j;
	int passed = 0, failed = 0, skipped = 0, opt, a;
	bool list = false;
	sigset_t chld;

	for (i = 0; i < ARRAY_SIZE(suites); i++)
		total += suites[i]->ncases;
	keys = calloc((size_t)argc + 1, sizeof(*keys));
	excl = calloc((size_t)argc + 1, sizeof(*excl));
	sel = calloc(total + 1, sizeof(*sel));
	if (!keys || !excl || !sel)
		return 2;

	while ((opt = getopt(argc, argv, "hlk:x:")) != -1) {
		switch (opt) {
		case 'l':
			list = true;
			break;
		case 'k':
			keys[nkeys++] = optarg;
			break;
		case 'x':
			excl[nexcl++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	for (a = optind; a < argc; a++) {
		bool found = false;

		for (i = 0; i < ARRAY_SIZE(suites) && !found; i++)
			for (j = 0; j < suites[i]->ncases; j++)
				if (!strcmp(suites[i]->cases[j].name, argv[a]))
					found = true;
		if (!found) {
			fprintf(stderr, "fxs_test: no case named %s (-l lists them)\n",
				argv[a]);
			return 2;
		}
	}

	for (i = 0; i < ARRAY_SIZE(suites); i++) {
		for (j = 0; j < suites[i]->ncases; j++) {
			const struct fxs_case *c = &suites[i]->cases[j];
			bool take = optind == argc && nkeys == 0;
			size_t k;

			for (a = optind; a < argc; a++)
				take |= !strcmp(c->name, argv[a]);
			for (k = 0; k < nkeys; k++)
				take |= strstr(c->name, keys[k]) != NULL;
			for (k = 0; k < nexcl; k++)
				take &= strstr(c->name, excl[k]) == NULL;
			if (take)
				sel[nsel++] = c;
		}
	}

	if (list) {
		for (i = 0; i < nsel; i++)
			printf("%s\n", sel[i]->name);
		return 0;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", nsel);
	fixture_save_echo_defaults();

	/* SIGCHLD stays blocked so that wait_case() can sigtimedwait() */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	for (i = 0; i < nsel; i++) {
		switch (run_case(sel[i], (int)i + 1)) {
		case ST_PASS:
			passed++;
			break;
		case ST_SKIP:
			skipped++;
			break;
		default:
			failed++;
			break;
		}
	}

	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed,
		       skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	free(keys);
	free(excl);
	free(sel);
	return failed ? 1 : 0;
}
