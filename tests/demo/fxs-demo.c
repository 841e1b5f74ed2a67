// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs-demo: a walk through the loopback board, run by `make demo`.
 *
 * A handset on /dev/fxs_hs0 is lifted, dials 5 on its rotary dial and
 * hangs up; then the port rings it with the US cadence and the handset is
 * lifted during the second burst (ring-trip); a 1 kHz tone written to the
 * port's audio stream is heard at the earpiece.  Every step prints what
 * the port reported and when.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fxs.h>
#include <linux/fxs_loop.h>

static int port_fd, hs_fd;
static uint64_t t0;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static double ms(uint64_t ns)
{
	return (double)(ns - t0) / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "fxs-demo: %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *event_name(uint32_t type)
{
	static const char *const names[] = {
		[FXS_EVENT_OFFHOOK] = "off-hook", [FXS_EVENT_ONHOOK] = "on-hook",
		[FXS_EVENT_FLASH] = "flash", [FXS_EVENT_DIGIT] = "digit",
		[FXS_EVENT_RING_ON] = "ring on", [FXS_EVENT_RING_OFF] = "ring off",
		[FXS_EVENT_OVERFLOW] = "overflow",
		[FXS_EVENT_PCM_UNDERRUN] = "pcm underrun",
		[FXS_EVENT_PCM_OVERRUN] = "pcm overrun",
		[FXS_EVENT_PORT_REMOVED] = "port removed",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "?";
}

/* Print events until one of @type arrives or @timeout_ms passes. */
static int wait_event(uint32_t type, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * 1000000;
	struct fxs_event ev;

	while (now_ns() < end) {
		struct pollfd p = { .fd = port_fd, .events = POLLIN };

		if (poll(&p, 1, (int)((end - now_ns()) / 1000000) + 1) <= 0)
			continue;
		if (read(port_fd, &ev, sizeof(ev)) != sizeof(ev))
			die("read event");
		printf("  %9.1f ms  /dev/fxs0 event #%u %-12s value %u (event time %.1f ms)\n",
		       ms(now_ns()), ev.seq, event_name(ev.type), ev.value,
		       ms(ev.timestamp_ns));
		if (ev.type == type)
			return 0;
	}
	printf("  timed out waiting for %s\n", event_name(type));
	return -1;
}

static void print_obs(void)
{
	struct fxs_hs_obs_batch b;
	uint32_t i;

	if (ioctl(hs_fd, FXS_HS_IOC_GET_OBS, &b))
		die("FXS_HS_IOC_GET_OBS");
	for (i = 0; i < b.count; i++)
		printf("  %9.1f ms  handset saw %s\n", ms(b.obs[i].timestamp_ns),
		       b.obs[i].type == FXS_HS_OBS_RING_ON ? "ring voltage ON" :
		       b.obs[i].type == FXS_HS_OBS_RING_OFF ? "ring voltage off" :
		       b.obs[i].type == FXS_HS_OBS_LINEFEED ? "line feed change" :
		       "polarity change");
}

static void hook(int offhook)
{
	struct fxs_hs_hook h = { .offhook = offhook };

	if (ioctl(hs_fd, FXS_HS_IOC_HOOK, &h))
		die("FXS_HS_IOC_HOOK");
	printf("  %9.1f ms  handset %s\n", ms(h.start_ns), offhook ? "lifted" : "replaced");
}

int main(void)
{
	struct fxs_ring_cadence us = { .pairs = 1, .on_off_ms = { 2000, 4000 } };
	struct fxs_hs_dial dial = { .digit = 5, .break_ms = 60, .make_ms = 40 };
	struct fxs_pcm_open pcm = { .period_ms = 20 };
	struct fxs_hs_echo echo = { 0 };
	struct fxs_port_info info;
	int16_t tone[8000], ear[8000];
	double energy = 0;
	int failures = 0, i, got = 0;

	port_fd = open("/dev/fxs0", O_RDWR);
	hs_fd = open("/dev/fxs_hs0", O_RDWR);
	if (port_fd < 0 || hs_fd < 0)
		die("open /dev/fxs0 or /dev/fxs_hs0 (are fxs and fxs_loop loaded?)");
	if (ioctl(port_fd, FXS_IOC_GET_INFO, &info))
		die("FXS_IOC_GET_INFO");
	t0 = now_ns();
	printf("fxs%u on board %s, %u Hz audio\n\n", info.index, info.board, info.rate);

	printf("1. Lift the handset, dial 5, hang up\n");
	hook(1);
	failures += wait_event(FXS_EVENT_OFFHOOK, 1000) < 0;
	usleep(300000);
	if (ioctl(hs_fd, FXS_HS_IOC_DIAL, &dial))
		die("FXS_HS_IOC_DIAL");
	printf("  %9.1f ms  handset dials 5 (60 ms breaks, 40 ms makes)\n", ms(dial.start_ns));
	failures += wait_event(FXS_EVENT_DIGIT, 2000) < 0;
	hook(0);
	failures += wait_event(FXS_EVENT_ONHOOK, 2000) < 0;

	printf("\n2. Ring the phone with the US cadence (2 s on, 4 s off); lift it in the second burst\n");
	ioctl(hs_fd, FXS_HS_IOC_FLUSH);
	if (ioctl(port_fd, FXS_IOC_RING_START, &us))
		die("FXS_IOC_RING_START");
	failures += wait_event(FXS_EVENT_RING_ON, 1000) < 0;
	failures += wait_event(FXS_EVENT_RING_OFF, 3000) < 0;
	failures += wait_event(FXS_EVENT_RING_ON, 5000) < 0;
	usleep(500000);
	hook(1);
	failures += wait_event(FXS_EVENT_OFFHOOK, 1000) < 0;
	print_obs();

	printf("\n3. Play 1 s of a 1 kHz tone to the earpiece\n");
	ioctl(hs_fd, FXS_HS_IOC_SET_ECHO, &echo);
	for (i = 0; i < 8000; i++)
		tone[i] = (int16_t)(8000 * sin(2 * M_PI * 1000 * i / 8000.0));
	if (ioctl(port_fd, FXS_IOC_PCM_OPEN, &pcm))
		die("FXS_IOC_PCM_OPEN");
	ioctl(hs_fd, FXS_HS_IOC_FLUSH);
	if (write(pcm.fd, tone, sizeof(tone)) <= 0)
		die("write audio");
	while (got < 8000) {
		ssize_t n = read(hs_fd, ear + got, sizeof(ear) - got * sizeof(ear[0]));

		if (n <= 0)
			die("read earpiece");
		got += n / 2;
	}
	for (i = 0; i < 8000 && !ear[i]; i++)
		;	/* the stream's first frames come before the tone */
	got = 8000 - i;
	for (; i < 8000; i++)
		energy += (double)ear[i] * ear[i];
	printf("  earpiece level %.1f dBFS over %d samples (tone written at %.1f dBFS)\n",
	       10 * log10(energy / (got ? got : 1) / (32768.0 * 32768.0) + 1e-12), got,
	       20 * log10(8000 / 32768.0 / sqrt(2)));
	close(pcm.fd);
	hook(0);

	printf("\n%s\n", failures ? "demo FAILED" : "demo finished: every step was reported");
	return failures ? 1 : 0;
}
