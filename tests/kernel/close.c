// SPDX-License-Identifier: GPL-2.0
/*
 * close.c - the owner's last close (a normal close or SIGKILL) stops the
 * ring and the stream and returns the line feed to FORWARD.
 */
#include "harness.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

static const uint32_t us_cadence[] = { 2000, 4000 };

/* a plain close() during a burst switches the ring voltage off */
static void close_stops_ring(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_obs on, off;
	struct fxs_hook_state h;
	int64_t t0, t1;

	ring_start(p, 1, us_cadence);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, &on);
	t0 = now_ns();
	port_close_ctl(p);
	t1 = now_ns();
	wait_obs(p, FXS_HS_OBS_RING_OFF, 500, &off);
	CHECK_RANGE(off.timestamp_ns, t0, t1 + MS(5));
	port_reopen_ctl(p);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
}

enum owner_action {
	OWNER_RING,		/* start the US cadence */
	OWNER_REVERSE_PCM,	/* reverse the line and open a stream */
};

/*
 * Fork a process that opens /dev/fxsN, does what it is told, reports 'R'
 * (or 'E' and the errno) on a pipe and sleeps until killed.  The caller
 * must not hold the port's descriptors (they would be inherited).
 */
static pid_t spawn_owner(int index, enum owner_action act)
{
	struct pollfd pfd = { .events = POLLIN };
	unsigned char reply[2] = { 0, 0 };
	int pipefd[2];
	ssize_t n;
	pid_t pid;

	CHECK_OK(pipe2(pipefd, O_CLOEXEC));
	fflush(stdout);
	pid = CHECK_OK(fork());
	if (pid == 0) {
		struct fxs_ring_cadence rc = { .pairs = 1 };
		struct fxs_linefeed_req lf = { .mode = FXS_LINEFEED_REVERSE };
		struct fxs_pcm_open po = { .period_ms = 20 };
		unsigned char msg[2] = { 'R', 0 };
		char path[64];
		int fd, err = 0;

		close(pipefd[0]);
		snprintf(path, sizeof(path), "/dev/fxs%d", index);
		rc.on_off_ms[0] = us_cadence[0];
		rc.on_off_ms[1] = us_cadence[1];
		fd = open(path, O_RDWR);
		if (fd < 0)
			err = errno;
		else if (act == OWNER_RING && ioctl(fd, FXS_IOC_RING_START, &rc))
			err = errno;
		else if (act == OWNER_REVERSE_PCM &&
			 (ioctl(fd, FXS_IOC_SET_LINEFEED, &lf) ||
			  ioctl(fd, FXS_IOC_PCM_OPEN, &po)))
			err = errno;
		if (err) {
			msg[0] = 'E';
			msg[1] = (unsigned char)err;
		}
		if (write(pipefd[1], msg, 2) != 2 || err)
			_exit(1);
		for (;;)
			pause();
	}
	track_child(pid);
	close(pipefd[1]);
	pfd.fd = pipefd[0];
	CHECKF(poll(&pfd, 1, 3000) == 1, "the owner process did not report within 3 s");
	n = read(pipefd[0], reply, 2);
	close(pipefd[0]);
	CHECKF(n == 2 && reply[0] == 'R', "the owner process failed: %s",
	       n == 2 ? errname(reply[1]) : "no reply");
	return pid;
}

static void reap(pid_t pid)
{
	int st;

	CHECK_EQ(waitpid(pid, &st, 0), pid);
	untrack_child(pid);
	CHECKF(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	       "owner process ended with status %#x, expected SIGKILL", st);
}

/* SIGKILL of the ringing owner: RING_OFF within 20 ms of the kill (times
 * FXS_TIME_SCALE: a KASAN + lockdep kernel tears a process down slower) */
static void close_kill_stops_ring(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_obs off;
	struct fxs_hook_state h;
	int64_t t_kill;
	pid_t pid;

	port_close_ctl(p);
	pid = spawn_owner(0, OWNER_RING);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, NULL);
	t_kill = now_ns();
	CHECK_OK(kill(pid, SIGKILL));
	wait_obs(p, FXS_HS_OBS_RING_OFF, 1000, &off);
	reap(pid);
	CHECKF((int64_t)off.timestamp_ns >= t_kill &&
	       (int64_t)off.timestamp_ns - t_kill <= MS(20) * time_scale(),
	       "ring voltage went off %+.3f ms after the SIGKILL, expected 0..%.0f ms",
	       ((int64_t)off.timestamp_ns - t_kill) / 1e6, 20 * time_scale());
	port_reopen_ctl(p);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	CHECK_EQ(port_attr_ll(0, "ringing"), 0);
}

/* SIGKILL of an owner that reversed the line and streamed audio */
static void close_kill_restores_line(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_state st;
	struct fxs_hs_obs o;
	int64_t deadline;
	pid_t pid;

	port_close_ctl(p);
	pid = spawn_owner(0, OWNER_REVERSE_PCM);
	wait_obs(p, FXS_HS_OBS_LINEFEED, 1000, &o);
	CHECK_EQ(o.value, FXS_LINEFEED_REVERSE);
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 1);
	CHECK_EQ(st.linefeed, FXS_LINEFEED_REVERSE);

	CHECK_OK(kill(pid, SIGKILL));
	reap(pid);
	wait_obs(p, FXS_HS_OBS_LINEFEED, 1000, &o);
	CHECK_EQ(o.value, FXS_LINEFEED_FORWARD);
	deadline = now_ns() + MS(500);
	for (;;) {
		hs_state(p, &st);
		if (!st.pcm_running || now_ns() > deadline)
			break;
		sleep_ms(5);
	}
	CHECK_EQ(st.pcm_running, 0);
	CHECK_EQ(st.linefeed, FXS_LINEFEED_FORWARD);

	port_reopen_ctl(p);
	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_FORWARD);
}

/*
 * Hook timing belongs to the owner: the next owner starts with the
 * defaults, whatever the last one set (and the audio descriptor, the last
 * to close here, counts as the owner's).
 */
static void close_resets_timing(void)
{
	struct port *p = port_setup(0);
	struct fxs_hook_timing t = fxs_default_timing, got;
	int pcm;

	t.debounce_ms = 15;
	t.interdigit_ms = 700;
	t.flash_max_ms = 2000;
	set_timing(p, &t);
	get_timing(p, &got);
	CHECK(!memcmp(&got, &t, sizeof(t)));
	pcm = pcm_open(p, 20, O_CLOEXEC);
	port_close_ctl(p);
	/* still owned through the audio descriptor: nothing changes yet */
	CHECK_ERR(open("/dev/fxs0", O_RDONLY | O_CLOEXEC), EBUSY);
	pcm_close(p, pcm);
	port_reopen_ctl(p);
	get_timing(p, &got);
	CHECKF(!memcmp(&got, &fxs_default_timing, sizeof(got)),
	       "the new owner got debounce %u interdigit %u flash_max %u ms, expected the defaults",
	       got.debounce_ms, got.interdigit_ms, got.flash_max_ms);
}

static const struct fxs_case cases[] = {
	CASE(close_resets_timing),
	CASE(close_stops_ring),
	CASE(close_kill_stops_ring),
	CASE(close_kill_restores_line),
};
DEFINE_SUITE(close_suite, cases);
