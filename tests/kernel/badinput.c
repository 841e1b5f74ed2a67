// SPDX-License-Identifier: GPL-2.0
/*
 * badinput.c - argument checking of /dev/fxsN: unknown ioctls, invalid
 * cadences, timings, line feeds, audio flags, padding, bad pointers, read
 * sizes, and what a failed PCM_OPEN must leave behind (nothing).
 */
#include "harness.h"

#include <poll.h>
#include <sys/mman.h>

#define KERNEL_ADDR	0xffffffff81000000UL

static size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

/* a mapped page followed by an unmapped one; returns the mapped page */
static char *page_before_hole(void)
{
	size_t pg = page_size();
	char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECKF(m != MAP_FAILED, "mmap: %s", errname(errno));
	CHECK_OK(munmap(m + pg, pg));
	return m;
}

static void bad_ioctl_unknown(void)
{
	static const struct { unsigned long cmd; const char *name; } cmds[] = {
		{ _IO(0xF5, 0x7f), "_IO(0xF5, 0x7f)" },
		{ _IO('x', 1), "_IO('x', 1)" },
		{ _IO(0xF5, 0x00), "_IO(0xF5, 0x00) (GET_INFO's number, no size)" },
		{ _IOR(0xF5, 0x00, __u32), "_IOR(0xF5, 0x00, __u32) (GET_INFO, wrong size)" },
		{ _IOW(0xF5, 0x05, int), "_IOW(0xF5, 0x05, int) (RING_STOP with a size)" },
		{ _IOWR(0xF5, 0x0a, struct fxs_counters), "_IOWR(0xF5, 0x0a, ...)" },
		{ _IOR(0xF5, 0xff, struct fxs_port_info), "_IOR(0xF5, 0xff, ...)" },
		{ FXS_HS_IOC_HOOK, "FXS_HS_IOC_HOOK on /dev/fxs0" },
		{ FXS_HS_IOC_GET_STATE, "FXS_HS_IOC_GET_STATE on /dev/fxs0" },
	};
	struct port *p = port_setup(0);
	static char buf[4096];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		long r;

		memset(buf, 0, sizeof(buf));
		errno = 0;
		r = ioctl(p->ctl, cmds[i].cmd, buf);
		CHECKF(r == -1 && errno == ENOTTY,
		       "ioctl %s: expected ENOTTY, got %s", cmds[i].name,
		       r == -1 ? errname(errno) : "success");
	}
	/* and the handset node does not take the core's commands */
	errno = 0;
	CHECKF(ioctl(p->hs, FXS_IOC_GET_INFO, buf) == -1 && errno == ENOTTY,
	       "FXS_IOC_GET_INFO on /dev/fxs_hs0: expected ENOTTY, got %s",
	       errno ? errname(errno) : "success");
}

static void bad_ring_cadence(void)
{
	struct port *p = port_setup(0);
	struct fxs_ring_cadence base = { .pairs = 1 }, c;
	struct fxs_hook_state h;
	int i;

	base.on_off_ms[0] = 1000;
	base.on_off_ms[1] = 1000;
	for (i = 0; i < 14; i++) {
		const char *what;

		c = base;
		switch (i) {
		case 0: c.pairs = 0; what = "pairs 0"; break;
		case 1: c.pairs = 9; what = "pairs 9"; break;
		case 2: c.pairs = 0xffffffffu; what = "pairs 0xffffffff"; break;
		case 3: c.on_off_ms[0] = 5; what = "on 5 ms"; break;
		case 4: c.on_off_ms[0] = 9; what = "on 9 ms"; break;
		case 5: c.on_off_ms[0] = 0; what = "on 0 ms"; break;
		case 6: c.on_off_ms[0] = 10001; what = "on 10001 ms"; break;
		case 7: c.on_off_ms[1] = 10001; what = "off 10001 ms"; break;
		case 8: c.flags = 1; what = "flags 1"; break;
		case 9: c.flags = 0x80000000u; what = "flags 0x80000000"; break;
		case 10: c.padding[0] = 1; what = "padding[0] 1"; break;
		case 11: c.padding[3] = 1; what = "padding[3] 1"; break;
		case 12:
			c.pairs = 2;	/* second pair's on time 0 */
			what = "pairs 2, second on 0 ms";
			break;
		default:
			c.pairs = 2;
			c.on_off_ms[2] = 500;
			c.on_off_ms[3] = 0xffffffffu;
			what = "pairs 2, second off 0xffffffff";
			break;
		}
		errno = 0;
		CHECKF(ioctl(p->ctl, FXS_IOC_RING_START, &c) == -1 && errno == EINVAL,
		       "RING_START with %s: expected EINVAL, got %s", what,
		       errno ? errname(errno) : "success");
	}
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	expect_no_obs(p, FXS_HS_OBS_RING_ON, 50);

	/* the limits themselves are fine */
	c = base;
	c.on_off_ms[0] = 10;
	c.on_off_ms[1] = 0;
	IOCTL(p->ctl, FXS_IOC_RING_START, &c);
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	c.pairs = FXS_RING_MAX_PAIRS;
	for (i = 0; i < 2 * FXS_RING_MAX_PAIRS; i++)
		c.on_off_ms[i] = 10000;
	IOCTL(p->ctl, FXS_IOC_RING_START, &c);
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
}

static void bad_timing(void)
{
	struct port *p = port_setup(0);
	struct fxs_hook_timing t, got;
	int i;

	for (i = 0; i < 14; i++) {
		const char *what;

		t = fxs_default_timing;
		switch (i) {
		case 0: memset(&t, 0, sizeof(t)); what = "all zero"; break;
		case 1: t.debounce_ms = 0; what = "debounce 0"; break;
		case 2: t.debounce_ms = 10001; what = "debounce 10001"; break;
		case 3:
			t.flash_min_ms = t.pulse_break_max_ms;
			what = "flash_min == pulse_break_max";
			break;
		case 4:
			t.flash_min_ms = 70;
			what = "flash_min < pulse_break_max";
			break;
		case 5:
			t.pulse_break_min_ms = 90;
			what = "pulse_break_min > pulse_break_max";
			break;
		case 6:
			t.pulse_make_min_ms = 90;
			what = "pulse_make_min > pulse_make_max";
			break;
		case 7:
			t.flash_min_ms = 1100;
			what = "flash_min > flash_max";
			break;
		case 8: t.flash_max_ms = 10001; what = "flash_max 10001"; break;
		case 9: t.interdigit_ms = 0; what = "interdigit 0"; break;
		case 10: t.padding[0] = 1; what = "padding[0] 1"; break;
		case 11: t.padding[7] = 1; what = "padding[7] 1"; break;
		case 12: t.pulse_break_min_ms = 0; what = "pulse_break_min 0"; break;
		default:
			t.interdigit_ms = 0xffffffffu;
			what = "interdigit 0xffffffff";
			break;
		}
		errno = 0;
		CHECKF(ioctl(p->ctl, FXS_IOC_SET_TIMING, &t) == -1 && errno == EINVAL,
		       "SET_TIMING with %s: expected EINVAL, got %s", what,
		       errno ? errname(errno) : "success");
	}
	get_timing(p, &got);
	CHECKF(!memcmp(&got, &fxs_default_timing, sizeof(got)),
	       "rejected SET_TIMING calls changed the timing");

	/* flash_min just above pulse_break_max is fine */
	t = fxs_default_timing;
	t.flash_min_ms = t.pulse_break_max_ms + 1;
	set_timing(p, &t);
}

static void bad_linefeed_and_pcm_padding(void)
{
	struct port *p = port_setup(0);
	struct fxs_linefeed_req lf = { .mode = FXS_LINEFEED_REVERSE };
	struct fxs_pcm_open po = { .period_ms = 20 };
	struct fxs_hs_state st;

	lf.padding[0] = 1;
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_SET_LINEFEED, &lf), EINVAL);
	lf.padding[0] = 0;
	lf.padding[2] = 0x80000000u;
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_SET_LINEFEED, &lf), EINVAL);
	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_FORWARD);

	po.padding[0] = 1;
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_PCM_OPEN, &po), EINVAL);
	po.padding[0] = 0;
	po.padding[3] = 1;
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_PCM_OPEN, &po), EINVAL);
	po.padding[3] = 0;
	/* a mode bit this kernel does not know */
	po.mode = FXS_PCM_MODE_REFERENCE << 1;
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_PCM_OPEN, &po), EINVAL);
	po.mode = 0x80000000u;
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_PCM_OPEN, &po), EINVAL);
	po.mode = 0;
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);

	/* fd is an output: whatever it holds on input is ignored */
	po.fd = 12345;
	IOCTL(p->ctl, FXS_IOC_PCM_OPEN, &po);
	CHECK_NE(po.fd, 12345);
	CHECK_OK(close(po.fd));
}

static void bad_pcm_flags(void)
{
	static const struct { uint32_t flags; const char *name; } bad[] = {
		{ O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK | O_APPEND, "O_NONBLOCK|O_APPEND" },
		{ O_CREAT, "O_CREAT" }, { O_DIRECT, "O_DIRECT" }, { O_SYNC, "O_SYNC" },
		{ O_CLOEXEC | O_TRUNC, "O_CLOEXEC|O_TRUNC" },
		{ 0xffffffffu, "0xffffffff" },
	};
	struct port *p = port_setup(0);
	struct fxs_hs_state st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int r = pcm_try_open(p, 20, bad[i].flags);

		CHECKF(r == -EINVAL, "PCM_OPEN with flags %s: expected EINVAL, got %s",
		       bad[i].name, r >= 0 ? "success" : errname(-r));
	}
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);
	pcm_open(p, 20, O_NONBLOCK | O_CLOEXEC);
}

/* pointers the kernel cannot use: -EFAULT, and nothing happens */
static void bad_pointer(void)
{
	static const struct { unsigned long cmd; const char *name; } cmds[] = {
		{ FXS_IOC_GET_INFO, "GET_INFO" },
		{ FXS_IOC_GET_HOOK, "GET_HOOK" },
		{ FXS_IOC_SET_LINEFEED, "SET_LINEFEED" },
		{ FXS_IOC_GET_LINEFEED, "GET_LINEFEED" },
		{ FXS_IOC_RING_START, "RING_START" },
		{ FXS_IOC_GET_TIMING, "GET_TIMING" },
		{ FXS_IOC_SET_TIMING, "SET_TIMING" },
		{ FXS_IOC_PCM_OPEN, "PCM_OPEN" },
		{ FXS_IOC_GET_COUNTERS, "GET_COUNTERS" },
	};
	struct port *p = port_setup(0);
	size_t pg = page_size(), i, j;
	char *page = page_before_hole();
	struct fxs_hook_state h;
	struct fxs_hs_state st;
	int fds = count_open_fds();

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		/* valid-looking start that runs into the hole */
		struct fxs_ring_cadence rc = { .pairs = 1 };
		const unsigned long addrs[] = {
			0, 1, (unsigned long)(page + pg),
			(unsigned long)(page + pg - 8), KERNEL_ADDR,
		};

		memcpy(page + pg - 8, &rc, 8);
		for (j = 0; j < ARRAY_SIZE(addrs); j++) {
			long r;

			errno = 0;
			r = sys_ioctl(p->ctl, cmds[i].cmd, addrs[j]);
			CHECKF(r == -1 && errno == EFAULT,
			       "%s with argument %#lx: expected EFAULT, got %s",
			       cmds[i].name, addrs[j],
			       r == -1 ? errname(errno) : "success");
		}
	}
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);
	CHECK_EQ(count_open_fds(), fds);
	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_FORWARD);
	munmap(page, pg);
}

/*
 * PCM_OPEN whose result cannot be written back (read-only argument): it
 * fails with -EFAULT and leaves no descriptor and no stream behind.
 */
static void bad_pcm_open_readonly_arg(void)
{
	struct port *p = port_setup(0);
	struct fxs_pcm_open po = { .period_ms = 20 };
	size_t pg = page_size();
	struct fxs_hs_state st;
	char *page;
	int fds;

	page = mmap(NULL, pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECKF(page != MAP_FAILED, "mmap: %s", errname(errno));
	memcpy(page, &po, sizeof(po));
	CHECK_OK(mprotect(page, pg, PROT_READ));
	fds = count_open_fds();
	CHECK_ERR(sys_ioctl(p->ctl, FXS_IOC_PCM_OPEN, (unsigned long)page), EFAULT);
	CHECKF(count_open_fds() == fds,
	       "a failed PCM_OPEN left %d descriptor(s) installed",
	       count_open_fds() - fds);
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);
	munmap(page, pg);
	pcm_open(p, 20, O_CLOEXEC);
}

/* a buffer smaller than one event: -EINVAL, and the event stays queued */
static void bad_read_size(void)
{
	struct port *p = port_setup(0);
	struct pollfd pfd = { .fd = p->ctl, .events = POLLIN };
	struct fxs_event ev[2];

	hs_hook(p, 1, 0, 0, NULL);
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK_ERR(read(p->ctl, ev, 4), EINVAL);
	CHECK_ERR(read(p->ctl, ev, sizeof(ev[0]) - 1), EINVAL);
	CHECK_EQ(read(p->ctl, ev, sizeof(ev[0])), (long)sizeof(ev[0]));
	CHECK_EQ(ev[0].type, FXS_EVENT_OFFHOOK);
}

/* read() returns whole records only, as many as fit */
static void read_whole_records(void)
{
	static const uint32_t fast[] = { 20, 20 };
	struct port *p = port_setup(0);
	struct fxs_event ev[4];
	const long one = sizeof(ev[0]);

	ring_start(p, 1, fast);
	sleep_ms(300);
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	CHECK_EQ(read(p->ctl, ev, one + one / 2), one);
	CHECK_EQ(read(p->ctl, ev, 3 * one), 3 * one);
	CHECK_EQ(read(p->ctl, ev, 4 * one - 1), 3 * one);
}

static void read_nonblock_eagain(void)
{
	struct port *p = port_setup(0);
	struct pollfd pfd = { .fd = p->ctl, .events = POLLIN };
	struct fxs_event ev;
	int fl = fcntl(p->ctl, F_GETFL);

	CHECK_OK(fcntl(p->ctl, F_SETFL, fl | O_NONBLOCK));
	CHECK_ERR(read(p->ctl, &ev, sizeof(ev)), EAGAIN);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
	CHECK_OK(fcntl(p->ctl, F_SETFL, fl));
}

/* the control descriptor takes no write() */
static void bad_write_ctl(void)
{
	struct port *p = port_setup(0);
	struct fxs_event ev = { .type = FXS_EVENT_OFFHOOK };
	ssize_t n;

	n = write(p->ctl, &ev, sizeof(ev));
	CHECKF(n < 0, "write() of %zu bytes to /dev/fxs0 returned %zd",
	       sizeof(ev), n);
	expect_no_event(p, 50);
}

/*
 * A descriptor opened read-only may read events and query, nothing more:
 * every ioctl that changes the port fails with -EBADF and changes nothing
 * (no ring, no feed change, no stream, no timing change).
 */
static void readonly_descriptor(void)
{
	struct port *p = port_setup(0);
	struct fxs_ring_cadence c = { .pairs = 1, .on_off_ms = { 1000, 1000 } };
	struct fxs_linefeed_req lf = { .mode = FXS_LINEFEED_REVERSE };
	struct fxs_pcm_open po = { .period_ms = 20 };
	struct fxs_hook_timing t = fxs_default_timing, got;
	struct fxs_port_info info;
	struct fxs_hook_state h;
	struct fxs_counters cnt;
	struct fxs_hs_state st;
	struct fxs_event ev;
	int ro, fds;

	port_close_ctl(p);
	ro = CHECK_OK(open("/dev/fxs0", O_RDONLY | O_CLOEXEC));
	/* the queries work */
	CHECK_OK(ioctl(ro, FXS_IOC_GET_INFO, &info));
	CHECK_OK(ioctl(ro, FXS_IOC_GET_HOOK, &h));
	CHECK_OK(ioctl(ro, FXS_IOC_GET_LINEFEED, &lf));
	CHECK_EQ(lf.mode, FXS_LINEFEED_FORWARD);
	CHECK_OK(ioctl(ro, FXS_IOC_GET_TIMING, &got));
	CHECK_OK(ioctl(ro, FXS_IOC_GET_COUNTERS, &cnt));

	/* what changes the port does not */
	fds = count_open_fds();
	CHECK_ERR(ioctl(ro, FXS_IOC_RING_START, &c), EBADF);
	CHECK_ERR(ioctl(ro, FXS_IOC_RING_STOP), EBADF);
	lf.mode = FXS_LINEFEED_REVERSE;
	CHECK_ERR(ioctl(ro, FXS_IOC_SET_LINEFEED, &lf), EBADF);
	t.debounce_ms = 15;
	CHECK_ERR(ioctl(ro, FXS_IOC_SET_TIMING, &t), EBADF);
	CHECK_ERR(ioctl(ro, FXS_IOC_PCM_OPEN, &po), EBADF);
	CHECK_EQ(count_open_fds(), fds);
	CHECK_ERR(ioctl(ro, _IO(FXS_IOC_MAGIC, 0x7f)), EBADF);
	CHECK_ERR(ioctl(ro, _IO('x', 0x7f)), ENOTTY);
	CHECK_ERR(write(ro, &ev, sizeof(ev)), EBADF);
	hs_state(p, &st);
	CHECK_EQ(st.ringing, 0);
	CHECK_EQ(st.pcm_running, 0);
	CHECK_EQ(st.linefeed, FXS_LINEFEED_FORWARD);
	CHECK_OK(ioctl(ro, FXS_IOC_GET_TIMING, &got));
	CHECK(!memcmp(&got, &fxs_default_timing, sizeof(got)));
	expect_no_obs(p, FXS_HS_OBS_RING_ON, 100);

	/* the handset node follows the same rule */
	{
		struct fxs_hs_hook hk = { .offhook = 1 };
		struct fxs_hs_edge e = { .offhook = 1 };
		int hs = CHECK_OK(open("/dev/fxs_hs0", O_RDONLY | O_CLOEXEC));

		CHECK_ERR(ioctl(hs, FXS_HS_IOC_HOOK, &hk), EBADF);
		CHECK_ERR(ioctl(hs, FXS_HS_IOC_EDGE, &e), EBADF);
		CHECK_ERR(ioctl(hs, FXS_HS_IOC_FLUSH), EBADF);
		CHECK_OK(ioctl(hs, FXS_HS_IOC_GET_STATE, &st));
		CHECK_EQ(st.offhook, 0);
		close(hs);
	}

	/* events can be read: the lift is reported on the read-only fd */
	p->ctl = ro;
	hs_lift(p, NULL, NULL);
	port_close_ctl(p);
	port_reopen_ctl(p);
}

struct stalled_ioctl {
	int fd;
	unsigned long cmd;
	void *arg;
	long ret;
	int err;
};

static void stalled_ioctl_run(void *arg)
{
	struct stalled_ioctl *si = arg;

	errno = 0;
	si->ret = sys_ioctl(si->fd, si->cmd, (unsigned long)si->arg);
	si->err = errno;
}

static void get_hook_run(void *arg)
{
	struct stalled_ioctl *si = arg;
	struct fxs_hook_state h;

	si->ret = ioctl(si->fd, FXS_IOC_GET_HOOK, &h);
	si->err = errno;
}

/*
 * One thread's ioctl stalls copying its argument (in for RING_START, out
 * for GET_COUNTERS: the page is a userfaultfd page nobody serves yet);
 * another thread's ioctl on the same port must not wait for it.
 */
static void ioctl_stalled_copy(void)
{
	static const struct fxs_ring_cadence cad = {
		.pairs = 1, .on_off_ms = { 1000, 1000 },
	};
	static const unsigned long cmds[] = {
		FXS_IOC_RING_START, FXS_IOC_GET_COUNTERS,
	};
	struct port *p = port_setup(0);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		struct stalled_ioctl si = { .fd = p->ctl, .cmd = cmds[i] };
		struct stalled_ioctl q = { .fd = p->ctl };
		struct fxs_thread ts, tq;
		struct stall st;
		bool faulted, answered = false;
		int r = stall_setup(&st);

		if (r)
			SKIP("userfaultfd: %s", errname(-r));
		si.arg = st.page;
		fxs_thread_start(&ts, "stalled ioctl", stalled_ioctl_run, &si);
		faulted = stall_wait_fault(&st, 2000);
		if (faulted) {
			fxs_thread_start(&tq, "GET_HOOK", get_hook_run, &q);
			answered = fxs_thread_join_timeout(&tq, 1000);
		}
		stall_release(&st, &cad, sizeof(cad));
		fxs_thread_join(&ts);
		if (faulted && !answered)
			fxs_thread_join(&tq);
		stall_free(&st);
		CHECKF(faulted, "the ioctl did not touch its argument's page");
		CHECKF(answered,
		       "GET_HOOK waited for another thread's stalled copy (%s)",
		       i ? "GET_COUNTERS out" : "RING_START in");
		CHECKF(si.ret == 0, "the stalled ioctl: %s", errname(si.err));
		CHECKF(q.ret == 0, "GET_HOOK: %s", errname(q.err));
	}
}

static const struct fxs_case cases[] = {
	CASE(ioctl_stalled_copy),
	CASE(readonly_descriptor),
	CASE(bad_ioctl_unknown),
	CASE(bad_ring_cadence),
	CASE(bad_timing),
	CASE(bad_linefeed_and_pcm_padding),
	CASE(bad_pcm_flags),
	CASE(bad_pointer),
	CASE(bad_pcm_open_readonly_arg),
	CASE(bad_read_size),
	CASE(read_whole_records),
	CASE(read_nonblock_eagain),
	CASE(bad_write_ctl),
};
DEFINE_SUITE(badinput_suite, cases);
