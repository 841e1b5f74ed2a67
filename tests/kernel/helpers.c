// SPDX-License-Identifier: GPL-2.0
/*
 * helpers.c - device helpers of the fxs kernel test suite: the per-case
 * fixture, event and observation reading, handset actions, audio, sysfs.
 */
#include "harness.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/userfaultfd.h>

const struct fxs_hook_timing fxs_default_timing = {
	.debounce_ms = 40,
	.pulse_break_min_ms = 30,
	.pulse_break_max_ms = 80,
	.pulse_make_min_ms = 30,
	.pulse_make_max_ms = 80,
	.interdigit_ms = 300,
	.flash_min_ms = 100,
	.flash_max_ms = 1000,
};

/* flash window used to make a teardown hang-up quick (flash_min is 100) */
#define QUICK_FLASH_MAX_MS	150

#define MAX_PORTS	8
#define MAX_CHILDREN	8

static struct port ports[MAX_PORTS];
static pid_t children[MAX_CHILDREN];
static int nchildren;

/* the echo model of each handset as found before the first case */
static struct fxs_hs_echo saved_echo[MAX_PORTS];
static bool saved_echo_valid[MAX_PORTS];

/* -------------------------------------------------------------- fixture */

static struct port *port_slot(int index)
{
	struct port *p;
	size_t i, j;

	for (i = 0; i < MAX_PORTS; i++)
		if (ports[i].in_use && ports[i].index == index)
			return &ports[i];
	for (i = 0; i < MAX_PORTS; i++) {
		p = &ports[i];
		if (p->in_use)
			continue;
		memset(p, 0, sizeof(*p));
		p->index = index;
		p->ctl = p->hs = p->hs_nb = -1;
		for (j = 0; j < FXS_MAX_PCM; j++)
			p->pcm[j] = -1;
		p->in_use = true;
		return p;
	}
	FAIL("more than %d ports in one case", MAX_PORTS);
}

/* open /dev/fxsN, retrying -EBUSY (a killed owner may still be exiting) */
static int try_open_ctl(struct port *p)
{
	int64_t deadline = now_ns() + MS(1000);
	char path[64];

	if (p->ctl >= 0)
		return 0;
	snprintf(path, sizeof(path), "/dev/fxs%d", p->index);
	for (;;) {
		p->ctl = open(path, O_RDWR | O_CLOEXEC);
		if (p->ctl >= 0)
			return 0;
		if (errno != EBUSY || now_ns() > deadline)
			return -errno;
		sleep_ms(5);
	}
}

void port_reopen_ctl(struct port *p)
{
	int r = try_open_ctl(p);

	if (r)
		FAIL("open /dev/fxs%d: %s (%s)", p->index, errname(-r),
		     strerror(-r));
}

static int try_open_hs(struct port *p)
{
	char path[64];

	if (p->hs >= 0)
		return 0;
	snprintf(path, sizeof(path), "/dev/fxs_hs%d", p->index);
	p->hs = open(path, O_RDWR | O_CLOEXEC);
	return p->hs < 0 ? -errno : 0;
}

/* open what the case needs; on failure the port is not torn down */
static struct port *port_open(int index, bool handset)
{
	struct port *p = port_slot(index);
	const char *what = "fxs";
	int r;

	r = try_open_ctl(p);
	if (!r && handset) {
		what = "fxs_hs";
		r = try_open_hs(p);
	}
	if (r) {
		port_forget(p);
		FAIL("open /dev/%s%d: %s (%s)", what, index, errname(-r),
		     strerror(-r));
	}
	return p;
}

int port_hs_nb(struct port *p)
{
	char path[64];

	if (p->hs_nb >= 0)
		return p->hs_nb;
	snprintf(path, sizeof(path), "/dev/fxs_hs%d", p->index);
	p->hs_nb = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (p->hs_nb < 0)
		FAIL("open %s: %s", path, errname(errno));
	return p->hs_nb;
}

struct port *port_setup(int index)
{
	struct port *p = port_open(index, true);

	port_quiesce(p);
	return p;
}

struct port *port_setup_ctl_only(int index)
{
	struct port *p = port_open(index, false);

	port_quiesce(p);
	return p;
}

void port_close_ctl(struct port *p)
{
	if (p->ctl >= 0)
		close(p->ctl);
	p->ctl = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void port_forget(struct port *p)
{
	size_t i;

	for (i = 0; i < FXS_MAX_PCM; i++)
		close_fd(&p->pcm[i]);
	close_fd(&p->ctl);
	close_fd(&p->hs);
	close_fd(&p->hs_nb);
	p->in_use = false;
}

static bool echo_equal(const struct fxs_hs_echo *a,
		       const struct fxs_hs_echo *b)
{
	uint32_t n = a->ntaps < FXS_HS_MAX_TAPS ? a->ntaps : FXS_HS_MAX_TAPS;

	return a->enable == b->enable && a->delay_us == b->delay_us &&
	       a->erl_cdb == b->erl_cdb && a->ntaps == b->ntaps &&
	       !memcmp(a->taps, b->taps, n * sizeof(a->taps[0]));
}

static void restore_echo(struct port *p)
{
	struct fxs_hs_echo cur;

	if (p->index < 0 || p->index >= MAX_PORTS ||
	    !saved_echo_valid[p->index])
		return;
	memset(&cur, 0, sizeof(cur));
	IOCTL(p->hs, FXS_HS_IOC_GET_ECHO, &cur);
	if (!echo_equal(&cur, &saved_echo[p->index]))
		IOCTL(p->hs, FXS_HS_IOC_SET_ECHO, &saved_echo[p->index]);
}

/*
 * Put the handset on its cradle and let the classifier finish.  When the
 * debounced state is off-hook the hang-up is only reported after the flash
 * window, so the window is shortened first (and restored by the caller).
 */
static void hang_up(struct port *p)
{
	struct fxs_hook_timing t, quick = fxs_default_timing;
	struct fxs_hs_hook h = { .offhook = 0 };
	struct fxs_hook_state hk;
	struct fxs_hs_state st;

	get_timing(p, &t);
	hs_state(p, &st);
	get_hook(p, &hk);
	if (hk.offhook) {
		quick.flash_max_ms = QUICK_FLASH_MAX_MS;
		if (ioctl(p->ctl, FXS_IOC_SET_TIMING, &quick) == 0)
			t = quick;
		IOCTL(p->hs, FXS_HS_IOC_HOOK, &h);
		wait_event(p, FXS_EVENT_ONHOOK,
			   (int)t.flash_max_ms + 2000, NULL);
	} else {
		/* also cancels a hook action that is still running */
		IOCTL(p->hs, FXS_HS_IOC_HOOK, &h);
		if (st.offhook)	/* a lift was not debounced yet */
			sleep_ms((int)t.debounce_ms + 20);
	}
}

void port_quiesce(struct port *p)
{
	struct fxs_hook_timing t;
	size_t i;

	for (i = 0; i < FXS_MAX_PCM; i++)
		close_fd(&p->pcm[i]);
	port_reopen_ctl(p);
	ioctl(p->ctl, FXS_IOC_RING_STOP);
	if (get_linefeed(p) != FXS_LINEFEED_FORWARD)
		set_linefeed(p, FXS_LINEFEED_FORWARD);
	if (p->hs >= 0)
		hang_up(p);
	get_timing(p, &t);
	if (memcmp(&t, &fxs_default_timing, sizeof(t)))
		set_timing(p, &fxs_default_timing);
	if (p->hs >= 0) {
		restore_echo(p);
		hs_flush(p);
	}
	drain_events(p, NULL, 0);
}

void track_child(pid_t pid)
{
	if (nchildren < MAX_CHILDREN)
		children[nchildren++] = pid;
}

void untrack_child(pid_t pid)
{
	int i;

	for (i = 0; i < nchildren; i++) {
		if (children[i] == pid) {
			children[i] = children[--nchildren];
			return;
		}
	}
}

void fixture_teardown(void)
{
	size_t i;

	while (nchildren > 0) {
		pid_t pid = children[--nchildren];

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	for (i = 0; i < MAX_PORTS; i++) {
		struct port *p = &ports[i];

		if (!p->in_use)
			continue;
		port_quiesce(p);
		port_forget(p);
	}
}

void fixture_recover(void)
{
	int index;

	for (index = 0; index < 2; index++) {
		char path[64];

		snprintf(path, sizeof(path), "/dev/fxs%d", index);
		if (access(path, F_OK))
			continue;
		port_forget(port_setup(index));
	}
}

void fixture_save_echo_defaults(void)
{
	int i;

	for (i = 0; i < MAX_PORTS; i++) {
		char path[64];
		int fd;

		snprintf(path, sizeof(path), "/dev/fxs_hs%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&saved_echo[i], 0, sizeof(saved_echo[i]));
		saved_echo_valid[i] =
			ioctl(fd, FXS_HS_IOC_GET_ECHO, &saved_echo[i]) == 0;
		close(fd);
	}
}

/* --------------------------------------------------------------- events */

const char *ev_name(uint32_t type)
{
	static const char *const names[] = {
		[FXS_EVENT_OFFHOOK] = "OFFHOOK",
		[FXS_EVENT_ONHOOK] = "ONHOOK",
		[FXS_EVENT_FLASH] = "FLASH",
		[FXS_EVENT_DIGIT] = "DIGIT",
		[FXS_EVENT_RING_ON] = "RING_ON",
		[FXS_EVENT_RING_OFF] = "RING_OFF",
		[FXS_EVENT_OVERFLOW] = "OVERFLOW",
		[FXS_EVENT_PCM_UNDERRUN] = "PCM_UNDERRUN",
		[FXS_EVENT_PCM_OVERRUN] = "PCM_OVERRUN",
		[FXS_EVENT_PORT_REMOVED] = "PORT_REMOVED",
		[FXS_EVENT_POWER_ALARM] = "POWER_ALARM",
	};
	static __thread char other[32];

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	snprintf(other, sizeof(other), "type %u", type);
	return other;
}

int read_event(struct port *p, struct fxs_event *ev, int timeout_ms)
{
	int64_t deadline = now_ns() + MS(timeout_ms);
	struct pollfd pfd = { .fd = p->ctl, .events = POLLIN };

	for (;;) {
		ssize_t n;
		int r;

		r = poll(&pfd, 1, ms_until(deadline));
		if (r < 0 && errno == EINTR)
			continue;
		CHECKF(r >= 0, "poll(/dev/fxs%d): %s", p->index,
		       errname(errno));
		if (r == 0)
			return 0;
		CHECKF(pfd.revents & POLLIN,
		       "poll(/dev/fxs%d) reported revents %#x, expected POLLIN",
		       p->index, pfd.revents);
		n = read(p->ctl, ev, sizeof(*ev));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		CHECKF(n == (ssize_t)sizeof(*ev),
		       "read(/dev/fxs%d) returned %zd (%s), expected one %zu-byte event",
		       p->index, n, n < 0 ? errname(errno) : "short",
		       sizeof(*ev));
		p->last_rx_ns = now_ns();
		return 1;
	}
}

void expect_event_at(const char *file, int line, struct port *p,
		     uint32_t type, int timeout_ms, struct fxs_event *out)
{
	struct fxs_event ev;

	if (!read_event(p, &ev, timeout_ms))
		fxs_fail(file, line, "expected %s within %d ms, got nothing",
			 ev_name(type), timeout_ms);
	if (ev.type != type)
		fxs_fail(file, line,
			 "expected %s within %d ms, got %s (value %u, seq %u)",
			 ev_name(type), timeout_ms, ev_name(ev.type), ev.value,
			 ev.seq);
	if (out)
		*out = ev;
}

void wait_event_at(const char *file, int line, struct port *p,
		   uint32_t type, int timeout_ms, struct fxs_event *out)
{
	int64_t deadline = now_ns() + MS(timeout_ms);
	char seen[256] = "";
	struct fxs_event ev;
	int skipped = 0;

	while (read_event(p, &ev, ms_until(deadline))) {
		size_t n = strlen(seen);

		if (ev.type == type) {
			if (out)
				*out = ev;
			return;
		}
		if (skipped++ < 10)
			snprintf(seen + n, sizeof(seen) - n, " %s(%u)",
				 ev_name(ev.type), ev.value);
	}
	fxs_fail(file, line, "expected %s within %d ms, got %s%s",
		 ev_name(type), timeout_ms, skipped ? "only" : "nothing",
		 seen);
}

void expect_no_event_at(const char *file, int line, struct port *p, int ms)
{
	int64_t start = now_ns();
	struct fxs_event ev;

	if (read_event(p, &ev, ms))
		fxs_fail(file, line,
			 "expected no event for %d ms, got %s (value %u) after %.1f ms",
			 ms, ev_name(ev.type), ev.value,
			 (p->last_rx_ns - start) / 1e6);
}

int drain_events(struct port *p, struct fxs_event *evs, int max)
{
	struct fxs_event ev;
	int n = 0;

	while (read_event(p, &ev, 0)) {
		if (evs && n < max)
			evs[n] = ev;
		n++;
	}
	return n;
}

/* --------------------------------------------------------- observations */

const char *obs_name(uint32_t type)
{
	static const char *const names[] = {
		[FXS_HS_OBS_RING_ON] = "RING_ON",
		[FXS_HS_OBS_RING_OFF] = "RING_OFF",
		[FXS_HS_OBS_LINEFEED] = "LINEFEED",
		[FXS_HS_OBS_POLARITY] = "POLARITY",
	};
	static __thread char other[32];

	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	snprintf(other, sizeof(other), "obs type %u", type);
	return other;
}

static void obs_fetch(struct port *p)
{
	const unsigned int cap = ARRAY_SIZE(p->obs);
	struct fxs_hs_obs_batch b;
	uint32_t i;

	memset(&b, 0, sizeof(b));
	IOCTL(p->hs, FXS_HS_IOC_GET_OBS, &b);
	CHECKF(b.count <= FXS_HS_OBS_BATCH,
	       "GET_OBS returned count %u > %d", b.count, FXS_HS_OBS_BATCH);
	p->obs_lost += b.lost;
	for (i = 0; i < b.count && p->obs_count < cap; i++) {
		p->obs[(p->obs_head + p->obs_count) % cap] = b.obs[i];
		p->obs_count++;
	}
}

int read_obs(struct port *p, struct fxs_hs_obs *o, int timeout_ms)
{
	int64_t deadline = now_ns() + MS(timeout_ms);

	for (;;) {
		if (!p->obs_count)
			obs_fetch(p);
		if (p->obs_count) {
			*o = p->obs[p->obs_head];
			p->obs_head = (p->obs_head + 1) % ARRAY_SIZE(p->obs);
			p->obs_count--;
			return 1;
		}
		if (now_ns() >= deadline)
			return 0;
		sleep_ms(2);
	}
}

void wait_obs_at(const char *file, int line, struct port *p, uint32_t type,
		 int timeout_ms, struct fxs_hs_obs *out)
{
	int64_t deadline = now_ns() + MS(timeout_ms);
	char seen[256] = "";
	struct fxs_hs_obs o;
	int skipped = 0;

	while (read_obs(p, &o, ms_until(deadline))) {
		size_t n = strlen(seen);

		if (o.type == type) {
			if (out)
				*out = o;
			return;
		}
		if (skipped++ < 10)
			snprintf(seen + n, sizeof(seen) - n, " %s(%u)",
				 obs_name(o.type), o.value);
	}
	fxs_fail(file, line,
		 "expected handset observation %s within %d ms, got %s%s (%llu lost to a full queue)",
		 obs_name(type), timeout_ms, skipped ? "only" : "nothing",
		 seen, (unsigned long long)p->obs_lost);
}

void expect_no_obs_at(const char *file, int line, struct port *p,
		      uint32_t type, int ms)
{
	int64_t deadline = now_ns() + MS(ms);
	struct fxs_hs_obs o;

	while (read_obs(p, &o, ms_until(deadline)))
		if (!type || o.type == type)
			fxs_fail(file, line,
				 "expected no %s observation for %d ms, got %s (value %u)",
				 type ? obs_name(type) : "handset", ms,
				 obs_name(o.type), o.value);
}

/* -------------------------------------------------------------- handset */

void hs_hook(struct port *p, int offhook, unsigned int bounce_count,
	     unsigned int bounce_us, struct fxs_hs_hook *out)
{
	struct fxs_hs_hook h = {
		.offhook = (uint32_t)offhook,
		.bounce_count = bounce_count,
		.bounce_us = bounce_count ? bounce_us : 0,
	};

	IOCTL(p->hs, FXS_HS_IOC_HOOK, &h);
	if (out)
		*out = h;
}

void hs_lift_at(const char *file, int line, struct port *p,
		struct fxs_hs_hook *hook_out, struct fxs_event *ev_out)
{
	struct fxs_hs_hook h;

	hs_hook(p, 1, 0, 0, &h);
	expect_event_at(file, line, p, FXS_EVENT_OFFHOOK,
			ms_until((int64_t)h.end_ns) + 1000, ev_out);
	if (hook_out)
		*hook_out = h;
}

void hs_flash(struct port *p, unsigned int break_ms, struct fxs_hs_flash *out)
{
	struct fxs_hs_flash f = { .break_ms = break_ms };

	IOCTL(p->hs, FXS_HS_IOC_FLASH, &f);
	if (out)
		*out = f;
}

void hs_dial(struct port *p, unsigned int digit, unsigned int break_ms,
	     unsigned int make_ms, unsigned int bounce_count,
	     unsigned int bounce_us, struct fxs_hs_dial *out)
{
	struct fxs_hs_dial d = {
		.digit = digit,
		.break_ms = break_ms,
		.make_ms = make_ms,
		.bounce_count = bounce_count,
		.bounce_us = bounce_count ? bounce_us : 0,
	};

	IOCTL(p->hs, FXS_HS_IOC_DIAL, &d);
	if (out)
		*out = d;
}

void hs_wait(struct port *p)
{
	IOCTL(p->hs, FXS_HS_IOC_WAIT, NULL);
}

void hs_state(struct port *p, struct fxs_hs_state *st)
{
	memset(st, 0, sizeof(*st));
	IOCTL(p->hs, FXS_HS_IOC_GET_STATE, st);
}

int64_t stimulus_late_ns(void)
{
	int64_t late = 0;
	size_t i;

	for (i = 0; i < MAX_PORTS; i++) {
		struct fxs_hs_state st;

		memset(&st, 0, sizeof(st));
		if (!ports[i].in_use || ports[i].hs < 0 ||
		    ioctl(ports[i].hs, FXS_HS_IOC_GET_STATE, &st))
			continue;
		if ((int64_t)st.late_ns > late)
			late = (int64_t)st.late_ns;
	}
	return late;
}

void hs_echo_off(struct port *p)
{
	struct fxs_hs_echo e;

	memset(&e, 0, sizeof(e));
	IOCTL(p->hs, FXS_HS_IOC_GET_ECHO, &e);
	e.enable = 0;
	memset(e.padding, 0, sizeof(e.padding));
	IOCTL(p->hs, FXS_HS_IOC_SET_ECHO, &e);
}

void hs_flush(struct port *p)
{
	IOCTL(p->hs, FXS_HS_IOC_FLUSH, NULL);
	p->obs_head = p->obs_count = 0;
}

/* ---------------------------------------------------------- port ioctls */

void get_counters(struct port *p, struct fxs_counters *c)
{
	memset(c, 0, sizeof(*c));
	IOCTL(p->ctl, FXS_IOC_GET_COUNTERS, c);
}

void get_hook(struct port *p, struct fxs_hook_state *h)
{
	memset(h, 0, sizeof(*h));
	IOCTL(p->ctl, FXS_IOC_GET_HOOK, h);
}

void get_timing(struct port *p, struct fxs_hook_timing *t)
{
	memset(t, 0, sizeof(*t));
	IOCTL(p->ctl, FXS_IOC_GET_TIMING, t);
}

void set_timing(struct port *p, const struct fxs_hook_timing *t)
{
	struct fxs_hook_timing copy = *t;

	IOCTL(p->ctl, FXS_IOC_SET_TIMING, &copy);
}

void set_linefeed(struct port *p, uint32_t mode)
{
	struct fxs_linefeed_req r = { .mode = mode };

	IOCTL(p->ctl, FXS_IOC_SET_LINEFEED, &r);
}

uint32_t get_linefeed(struct port *p)
{
	struct fxs_linefeed_req r;

	memset(&r, 0, sizeof(r));
	IOCTL(p->ctl, FXS_IOC_GET_LINEFEED, &r);
	return r.mode;
}

void ring_start(struct port *p, unsigned int pairs, const uint32_t *on_off)
{
	struct fxs_ring_cadence c;

	memset(&c, 0, sizeof(c));
	c.pairs = pairs;
	memcpy(c.on_off_ms, on_off, 2 * pairs * sizeof(c.on_off_ms[0]));
	IOCTL(p->ctl, FXS_IOC_RING_START, &c);
}

/* ----------------------------------------------------------------- audio */

int pcm_try_open(struct port *p, uint32_t period_ms, uint32_t flags)
{
	return pcm_try_open_mode(p, period_ms, flags, 0);
}

int pcm_try_open_mode(struct port *p, uint32_t period_ms, uint32_t flags,
		      uint32_t mode)
{
	struct fxs_pcm_open o = { .period_ms = period_ms, .flags = flags,
				  .mode = mode };
	size_t i;

	if (ioctl(p->ctl, FXS_IOC_PCM_OPEN, &o) < 0)
		return -errno;
	CHECKF(o.fd >= 0, "PCM_OPEN succeeded but returned fd %d", o.fd);
	for (i = 0; i < FXS_MAX_PCM; i++) {
		if (p->pcm[i] < 0) {
			p->pcm[i] = o.fd;
			return o.fd;
		}
	}
	close(o.fd);
	FAIL("more than %d audio fds in one case", FXS_MAX_PCM);
}

int pcm_open(struct port *p, uint32_t period_ms, uint32_t flags)
{
	int fd = pcm_try_open(p, period_ms, flags);

	if (fd < 0)
		FAIL("PCM_OPEN(period %u ms, flags %#x) on /dev/fxs%d failed: %s",
		     period_ms, flags, p->index, errname(-fd));
	return fd;
}

void pcm_close(struct port *p, int fd)
{
	size_t i;

	for (i = 0; i < FXS_MAX_PCM; i++)
		if (p->pcm[i] == fd)
			p->pcm[i] = -1;
	close(fd);
}

void write_all(int fd, const void *buf, size_t len, int timeout_ms)
{
	int64_t deadline = now_ns() + MS(timeout_ms);
	const char *b = buf;
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, b + done, len - done);

		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		CHECKF(n < 0 && (errno == EAGAIN || errno == EINTR),
		       "write of %zu bytes returned %zd (%s) after %zu bytes",
		       len - done, n, n < 0 ? errname(errno) : "nothing",
		       done);
		CHECKF(now_ns() < deadline,
		       "only %zu of %zu bytes written within %d ms", done,
		       len, timeout_ms);
		sleep_ms(2);
	}
}

uint32_t prng_next(uint32_t *state)
{
	uint32_t x = *state ? *state : 0x9e3779b9u;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

void pattern_fill(int16_t *buf, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int16_t v = (int16_t)(prng_next(&seed) >> 16);

		buf[i] = v ? v : 1;
	}
}

/* ----------------------------------------------------------------- sysfs */

int read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	if (n < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

void port_attr(int index, const char *attr, char *buf, size_t size)
{
	char path[128];
	int r;

	snprintf(path, sizeof(path), "/sys/class/fxs/fxs%d/%s", index, attr);
	r = read_text(path, buf, size);
	if (r < 0)
		FAIL("cannot read %s: %s", path, errname(-r));
}

long long port_attr_ll(int index, const char *attr)
{
	char buf[64], *end;
	long long v;

	port_attr(index, attr, buf, sizeof(buf));
	errno = 0;
	v = strtoll(buf, &end, 0);
	CHECKF(!errno && end != buf && *end == '\0',
	       "/sys/class/fxs/fxs%d/%s: expected a number, got \"%s\"",
	       index, attr, buf);
	return v;
}

void normalize_word(char *s)
{
	char *d = s;

	for (; *s; s++)
		if (*s != '-' && *s != '_')
			*d++ = (char)tolower((unsigned char)*s);
	*d = '\0';
}

int count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	CHECKF(d, "opendir /proc/self/fd: %s", errname(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own fd */
}

bool all_zero(const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

/* ----------------------------------------------------------- user memory */

int stall_setup(struct stall *s)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	memset(s, 0, sizeof(*s));
	s->size = (size_t)sysconf(_SC_PAGESIZE);
	s->uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0)
		return -errno;
	if (ioctl(s->uffd, UFFDIO_API, &api))
		goto fail;
	s->page = mmap(NULL, s->size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->page == MAP_FAILED) {
		s->page = NULL;
		goto fail;
	}
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (unsigned long)s->page;
	reg.range.len = s->size;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		goto fail;
	return 0;
fail:
	{
		int err = errno;

		stall_free(s);
		return -err;
	}
}

bool stall_wait_fault(struct stall *s, int timeout_ms)
{
	struct pollfd pfd = { .fd = s->uffd, .events = POLLIN };

	return poll(&pfd, 1, timeout_ms) == 1;
}

void stall_release(struct stall *s, const void *data, size_t len)
{
	struct uffdio_copy cp;
	char *buf = calloc(1, s->size);

	if (!buf)
		FAIL("out of memory");
	memcpy(buf, data, len < s->size ? len : s->size);
	memset(&cp, 0, sizeof(cp));
	cp.dst = (unsigned long)s->page;
	cp.src = (unsigned long)buf;
	cp.len = s->size;
	if (ioctl(s->uffd, UFFDIO_COPY, &cp) && errno != EEXIST) {
		int err = errno;

		free(buf);
		FAIL("UFFDIO_COPY: %s", errname(err));
	}
	free(buf);
}

void stall_free(struct stall *s)
{
	if (s->page)
		munmap(s->page, s->size);
	if (s->uffd > 0)
		close(s->uffd);
	s->page = NULL;
	s->uffd = -1;
}
