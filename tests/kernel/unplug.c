// SPDX-License-Identifier: GPL-2.0
/*
 * unplug.c - a port removed while its descriptors are open (remove_port),
 * and the whole board unloaded (rmmod fxs_loop) with a descriptor open.
 *
 * After the removal the queued events, ending with PORT_REMOVED, can be
 * read; then read and ioctl fail with -ENODEV and poll() reports
 * POLLHUP | POLLERR.  A reader blocked on the audio fd, or on the control
 * fd, is woken.  Then the port comes back (add_port, or insmod) and works.
 *
 * These run last: they renumber ports.  The rmmod case reloads
 * $FXS_LOOP_KO (default driver/fxs_loop.ko, relative to the project
 * directory) with ports=2, so ports 0 and 1 exist again afterwards.
 */
#include "harness.h"

#include <dirent.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>

#define BOARD_DIR	"/sys/devices/platform/fxs_loop"
#define MAX_LISTED	32

/* indexes of the ports in /sys/class/fxs; returns how many */
static int list_ports(int *idx, int max)
{
	DIR *d = opendir("/sys/class/fxs");
	struct dirent *e;
	int n = 0, v;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "fxs%d", &v) == 1 && n < max)
			idx[n++] = v;
	closedir(d);
	return n;
}

static bool port_listed(int index)
{
	int idx[MAX_LISTED], n = list_ports(idx, MAX_LISTED), i;

	for (i = 0; i < n; i++)
		if (idx[i] == index)
			return true;
	return false;
}

static bool wait_path(const char *path, bool present, int timeout_ms)
{
	int64_t deadline = now_ns() + MS(timeout_ms);

	while ((access(path, F_OK) == 0) != present) {
		if (now_ns() > deadline)
			return false;
		sleep_ms(10);
	}
	return true;
}

/* read events (blocking) until PORT_REMOVED; returns how many were read */
static int read_until_removed(int fd)
{
	int64_t deadline = now_ns() + MS(3000);
	struct fxs_event ev = { 0 };
	int n = 0;

	while (ev.type != FXS_EVENT_PORT_REMOVED) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t r;

		CHECKF(poll(&pfd, 1, ms_until(deadline)) == 1,
		       "no PORT_REMOVED event within 3 s of the removal (%d events read)",
		       n);
		r = read(fd, &ev, sizeof(ev));
		CHECKF(r == (ssize_t)sizeof(ev),
		       "read returned %zd (%s) before PORT_REMOVED was read", r,
		       r < 0 ? errname(errno) : "bytes");
		n++;
	}
	return n;
}

/* the control fd after PORT_REMOVED was read */
static void check_dead_ctl(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	struct fxs_pcm_open po = { .period_ms = 20 };
	struct fxs_port_info info;
	struct fxs_event ev;

	CHECK_ERR(read(fd, &ev, sizeof(ev)), ENODEV);
	CHECK_ERR(ioctl(fd, FXS_IOC_GET_INFO, &info), ENODEV);
	CHECK_ERR(ioctl(fd, FXS_IOC_RING_STOP), ENODEV);
	CHECK_ERR(ioctl(fd, FXS_IOC_PCM_OPEN, &po), ENODEV);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECKF((pfd.revents & (POLLHUP | POLLERR)) == (POLLHUP | POLLERR),
	       "poll on the removed port: revents %#x, expected POLLHUP|POLLERR",
	       pfd.revents);
}

/* the audio fd after the removal: leftover frames at most, then -ENODEV */
static void check_dead_pcm(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	static int16_t buf[8000];
	ssize_t r = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
	}
	CHECKF(r < 0 && errno == ENODEV,
	       "reading the removed port's audio fd: %zd (%s), expected ENODEV",
	       r, r < 0 ? errname(errno) : "data");
	CHECK_ERR(write(fd, buf, 320), ENODEV);
	CHECK_EQ(poll(&pfd, 1, 0), 1);
	CHECKF((pfd.revents & (POLLHUP | POLLERR)) == (POLLHUP | POLLERR),
	       "poll on the removed port's audio fd: revents %#x, expected POLLHUP|POLLERR",
	       pfd.revents);
}

struct reader {
	int fd;
	bool events;		/* control fd: read until PORT_REMOVED */
	int err;		/* audio fd: errno of the read that failed */
};

static void reader_run(void *arg)
{
	struct reader *rd = arg;
	static int16_t buf[1600];
	int i;

	if (rd->events) {
		read_until_removed(rd->fd);
		return;
	}
	for (i = 0; i < 100000; i++) {
		ssize_t r = read(rd->fd, buf, sizeof(buf));

		if (r < 0) {
			rd->err = errno;
			return;
		}
		CHECKF(r > 0, "audio read returned 0");
	}
	FAIL("the audio fd kept delivering frames after the removal");
}

/*
 * add_port 1 (after fxs@removed was removed): wait for the new port and its
 * nodes; returns its index
 */
static int add_one_port(int removed)
{
	int before[MAX_LISTED], nbefore, after[MAX_LISTED], nafter;
	int64_t deadline;
	int i, j, added = -1, r;
	char path[64];

	nbefore = list_ports(before, MAX_LISTED);
	r = write_text(BOARD_DIR "/add_port", "1");
	CHECKF(r == 0, "writing 1 to " BOARD_DIR "/add_port: %s", errname(-r));
	deadline = now_ns() + MS(3000);
	while (added < 0) {
		CHECKF(now_ns() < deadline, "no new port in /sys/class/fxs within 3 s of add_port");
		nafter = list_ports(after, MAX_LISTED);
		for (i = 0; i < nafter && added < 0; i++) {
			bool old = false;

			for (j = 0; j < nbefore; j++)
				old |= after[i] == before[j];
			if (!old)
				added = after[i];
		}
		if (added < 0)
			sleep_ms(10);
	}
	if (added != removed)
		tinfo("the re-added port is fxs%d (fxs%d was removed)", added,
		      removed);
	snprintf(path, sizeof(path), "/dev/fxs%d", added);
	CHECKF(wait_path(path, true, 3000), "%s did not appear", path);
	snprintf(path, sizeof(path), "/dev/fxs_hs%d", added);
	CHECKF(wait_path(path, true, 3000), "%s did not appear", path);
	return added;
}

/* a newly appeared port works: open, GET_INFO, a lift is reported */
static void check_port_works(int index)
{
	struct port *q = port_setup(index);
	struct fxs_port_info info;

	memset(&info, 0, sizeof(info));
	IOCTL(q->ctl, FXS_IOC_GET_INFO, &info);
	CHECK_EQ(info.index, index);
	CHECKF(!strcmp(info.board, "fxs_loop"), "board \"%s\"", info.board);
	hs_lift(q, NULL, NULL);
}

static void unplug_remove_port(void)
{
	struct port *p = port_setup(1);
	struct fxs_port_info info;
	struct fxs_hs_state st;
	struct fxs_thread rt;
	struct reader rd = { .events = false };
	char text[16], path[64];
	int added, r;

	memset(&info, 0, sizeof(info));
	IOCTL(p->ctl, FXS_IOC_GET_INFO, &info);
	rd.fd = pcm_open(p, 20, O_CLOEXEC);
	fxs_thread_start(&rt, "audio reader", reader_run, &rd);
	sleep_ms(50);

	snprintf(text, sizeof(text), "%u", info.index);
	r = write_text(BOARD_DIR "/remove_port", text);
	CHECKF(r == 0, "writing %s to " BOARD_DIR "/remove_port: %s", text,
	       errname(-r));
	read_until_removed(p->ctl);
	check_dead_ctl(p->ctl);
	CHECKF(fxs_thread_join_timeout(&rt, 3000),
	       "a reader blocked on the audio fd was not woken by the removal");
	CHECKF(rd.err == ENODEV, "the blocked audio read failed with %s, expected ENODEV",
	       errname(rd.err));
	check_dead_pcm(rd.fd);
	/* the handset of a removed port: any result but a crash */
	memset(&st, 0, sizeof(st));
	ioctl(p->hs, FXS_HS_IOC_GET_STATE, &st);
	port_forget(p);

	snprintf(path, sizeof(path), "/sys/class/fxs/fxs%u", info.index);
	CHECKF(wait_path(path, false, 2000), "%s still there 2 s after the removal",
	       path);
	snprintf(path, sizeof(path), "/dev/fxs%u", info.index);
	CHECKF(wait_path(path, false, 2000), "%s still there 2 s after the removal",
	       path);

	added = add_one_port(info.index);
	check_port_works(added);
}

static void unplug_rmmod_board(void)
{
	/* no handset fds: they pin the fxs_loop module */
	struct port *p = port_setup_ctl_only(0);
	const char *ko = getenv("FXS_LOOP_KO");
	struct reader rd = { .events = true };
	struct fxs_thread rt;
	char refcnt[32] = "?";
	int pcm, fd, i;
	long r;

	if (!ko || !*ko)
		ko = "driver/fxs_loop.ko";
	CHECKF(access(ko, R_OK) == 0, "%s: %s (set FXS_LOOP_KO)", ko,
	       strerror(errno));
	pcm = pcm_open(p, 20, O_CLOEXEC);
	rd.fd = p->ctl;
	fxs_thread_start(&rt, "event reader", reader_run, &rd);
	sleep_ms(50);

	r = syscall(SYS_delete_module, "fxs_loop", O_NONBLOCK);
	if (r) {
		int err = errno;

		read_text("/sys/module/fxs_loop/refcnt", refcnt, sizeof(refcnt));
		FAIL("rmmod fxs_loop: %s (refcnt %s)", errname(err), refcnt);
	}
	CHECKF(fxs_thread_join_timeout(&rt, 3000),
	       "a reader blocked on the control fd was not woken by the unload");
	check_dead_ctl(p->ctl);
	check_dead_pcm(pcm);
	port_forget(p);
	for (i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/class/fxs/fxs%d", i);
		CHECKF(wait_path(path, false, 2000), "%s still there after rmmod",
		       path);
	}

	fd = CHECK_OK(open(ko, O_RDONLY | O_CLOEXEC));
	r = syscall(SYS_finit_module, fd, "ports=2", 0);
	close(fd);
	CHECKF(r == 0, "insmod %s ports=2: %s", ko, errname(errno));
	for (i = 0; i < 2; i++) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/fxs%d", i);
		CHECKF(wait_path(path, true, 3000), "%s did not come back", path);
		snprintf(path, sizeof(path), "/dev/fxs_hs%d", i);
		CHECKF(wait_path(path, true, 3000), "%s did not come back", path);
		CHECK(port_listed(i));
		check_port_works(i);
	}
}

/*
 * The reader did not keep up: the queue is full of ring events when the
 * port is removed.  PORT_REMOVED still arrives, as the last event, after an
 * OVERFLOW that accounts for every lost sequence number.
 */
static void unplug_removed_after_flood(void)
{
	static const uint32_t cad[] = { 1000, 1000 };
	struct port *p = port_setup(1);
	struct fxs_event evs[256];
	struct fxs_port_info info;
	uint32_t lost = 0;
	char text[16];
	int i, n = 0, added, r;
	int64_t deadline;

	memset(&info, 0, sizeof(info));
	IOCTL(p->ctl, FXS_IOC_GET_INFO, &info);
	/* each start after the first stops the ring: RING_OFF + RING_ON */
	for (i = 0; i < 40; i++)
		ring_start(p, 1, cad);

	snprintf(text, sizeof(text), "%u", info.index);
	r = write_text(BOARD_DIR "/remove_port", text);
	CHECKF(r == 0, "writing %s to " BOARD_DIR "/remove_port: %s", text,
	       errname(-r));
	/* read what there is (bounded), put a port back, then judge */
	deadline = now_ns() + MS(2000);
	while (n < (int)ARRAY_SIZE(evs) && now_ns() < deadline) {
		ssize_t got = read(p->ctl, &evs[n], sizeof(evs[0]));

		if (got < 0 && errno == EAGAIN)
			continue;
		if (got != (ssize_t)sizeof(evs[0]))
			break;
		n++;
	}
	port_forget(p);
	added = add_one_port(info.index);

	CHECKF(n >= 2, "%d events read after the removal", n);
	for (i = 0; i < n; i++) {
		if (evs[i].type == FXS_EVENT_OVERFLOW)
			lost += evs[i].value;
		CHECKF(evs[i].type != FXS_EVENT_PORT_REMOVED || i == n - 1,
		       "event %d of %d is PORT_REMOVED, then %s", i, n,
		       ev_name(evs[i + 1].type));
		if (i)
			CHECKF(evs[i].seq == evs[i - 1].seq + 1 +
			       (evs[i].type == FXS_EVENT_OVERFLOW ? evs[i].value : 0),
			       "event %d: seq %u after %u (%s value %u)", i,
			       evs[i].seq, evs[i - 1].seq, ev_name(evs[i].type),
			       evs[i].value);
	}
	CHECKF(evs[n - 1].type == FXS_EVENT_PORT_REMOVED,
	       "the last of %d events read is %s, not PORT_REMOVED", n,
	       ev_name(evs[n - 1].type));
	CHECKF(evs[n - 2].type == FXS_EVENT_OVERFLOW,
	       "the event before PORT_REMOVED is %s, expected the OVERFLOW for the flood",
	       ev_name(evs[n - 2].type));
	/* 1 RING_ON + 39 (RING_OFF + RING_ON) + the removal's RING_OFF */
	CHECK_EQ(n - 2 + lost, 80);
	check_port_works(added);
}

/* remove every port that is not in keep[0..nkeep) */
static void remove_ports_but(const int *keep, int nkeep)
{
	int idx[MAX_LISTED], n = list_ports(idx, MAX_LISTED), i, j;
	char text[16];

	for (i = 0; i < n; i++) {
		bool kept = false;

		for (j = 0; j < nkeep; j++)
			kept |= idx[i] == keep[j];
		if (kept)
			continue;
		snprintf(text, sizeof(text), "%d", idx[i]);
		write_text(BOARD_DIR "/remove_port", text);
	}
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* the ports listed now, sorted, as text */
static void ports_text(char *buf, size_t size)
{
	int idx[MAX_LISTED], n = list_ports(idx, MAX_LISTED), i;
	size_t len = 0;

	qsort(idx, n, sizeof(idx[0]), cmp_int);
	buf[0] = 0;
	for (i = 0; i < n && len < size; i++)
		len += snprintf(buf + len, size - len, "%s%d", i ? " " : "",
				idx[i]);
}

static int count_words(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s != ' ' && (s[1] == ' ' || !s[1]);
	return n;
}

/*
 * add_port takes a count of 1..16 minus the ports there are; anything else
 * fails and adds nothing: a count that wraps an unsigned sum, negative and
 * out-of-range numbers, garbage.  The exact fill works.
 */
static void unplug_add_port_bounds(void)
{
	static const struct {
		const char *text;
		int err;
	} bad[] = {
		{ "4294967295", ENOSPC },	/* 2 + n wraps to 1 */
		{ "4294967294", ENOSPC },
		{ "2147483648", ENOSPC },
		{ "4294967296", ERANGE },
		{ "18446744073709551615", ERANGE },
		{ "99999999999999999999999", ERANGE },
		{ "-1", EINVAL },
		{ "-4294967295", EINVAL },
		{ "0", EINVAL },
		{ "15", ENOSPC },		/* one too many */
		{ "0x7fffffff", ENOSPC },
		{ "1x", EINVAL },
	};
	int keep[MAX_LISTED], nkeep = list_ports(keep, MAX_LISTED);
	char before[256], after[256], fill[16];
	size_t i;
	int r;

	CHECKF(nkeep == 2, "%d ports at the start, expected 2", nkeep);
	ports_text(before, sizeof(before));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		r = write_text(BOARD_DIR "/add_port", bad[i].text);
		ports_text(after, sizeof(after));
		if (strcmp(before, after))
			remove_ports_but(keep, nkeep);
		CHECKF(r == -bad[i].err,
		       "add_port \"%s\": %s, expected %s", bad[i].text,
		       r ? errname(-r) : "success", errname(bad[i].err));
		CHECKF(!strcmp(before, after),
		       "add_port \"%s\" failed but the ports went from \"%s\" to \"%s\"",
		       bad[i].text, before, after);
	}
	snprintf(fill, sizeof(fill), "%d", 16 - nkeep);
	r = write_text(BOARD_DIR "/add_port", fill);
	ports_text(after, sizeof(after));
	remove_ports_but(keep, nkeep);
	CHECKF(r == 0, "add_port %s with %d ports: %s", fill, nkeep,
	       errname(-r));
	CHECKF(count_words(after) == 16, "after add_port %s: \"%s\"", fill,
	       after);
	ports_text(after, sizeof(after));
	CHECKF(!strcmp(before, after), "ports \"%s\" after removing the added ones, expected \"%s\"",
	       after, before);
}

struct stalled_ring {
	int fd;
	void *arg;
	long ret;
	int err;
};

static void stalled_ring_run(void *arg)
{
	struct stalled_ring *sr = arg;

	errno = 0;
	sr->ret = sys_ioctl(sr->fd, FXS_IOC_RING_START, (unsigned long)sr->arg);
	sr->err = errno;
}

static void remove_run(void *arg)
{
	int *r = arg;
	char text[16];

	snprintf(text, sizeof(text), "%d", r[0]);
	r[1] = write_text(BOARD_DIR "/remove_port", text);
}

/*
 * The owner's RING_START stalls copying its argument in (a userfaultfd
 * page nobody serves yet): remove_port must not wait for it; the stalled
 * ioctl then ends with -ENODEV.
 */
static void unplug_remove_during_stalled_copy(void)
{
	static const struct fxs_ring_cadence cad = {
		.pairs = 1, .on_off_ms = { 1000, 1000 },
	};
	struct port *p = port_setup(1);
	struct stalled_ring sr = { .fd = p->ctl };
	struct fxs_port_info info;
	struct fxs_thread ts, trm;
	bool faulted, removed = false;
	int rm[2] = { -1, -1 };
	struct stall st;
	int r, added;

	memset(&info, 0, sizeof(info));
	IOCTL(p->ctl, FXS_IOC_GET_INFO, &info);
	r = stall_setup(&st);
	if (r)
		SKIP("userfaultfd: %s", errname(-r));
	sr.arg = st.page;
	rm[0] = info.index;
	fxs_thread_start(&ts, "stalled RING_START", stalled_ring_run, &sr);
	faulted = stall_wait_fault(&st, 2000);
	if (faulted) {
		fxs_thread_start(&trm, "remove_port", remove_run, rm);
		removed = fxs_thread_join_timeout(&trm, 2000);
	}
	stall_release(&st, &cad, sizeof(cad));
	fxs_thread_join(&ts);
	if (faulted && !removed)
		fxs_thread_join(&trm);
	stall_free(&st);
	port_forget(p);
	added = add_one_port(info.index);
	CHECKF(faulted, "RING_START did not touch its argument's page");
	CHECKF(removed, "remove_port waited for a stalled RING_START copy");
	CHECKF(rm[1] == 0, "remove_port: %s", errname(-rm[1]));
	CHECKF(sr.ret == -1 && sr.err == ENODEV,
	       "the stalled RING_START returned %ld (%s) after the removal, expected ENODEV",
	       sr.ret, errname(sr.err));
	check_port_works(added);
}

static const struct fxs_case cases[] = {
	CASE(unplug_remove_during_stalled_copy),
	CASE_T(unplug_add_port_bounds, 60),
	CASE(unplug_removed_after_flood),
	CASE(unplug_remove_port),
	CASE(unplug_rmmod_board),
};
DEFINE_SUITE(unplug_suite, cases);
