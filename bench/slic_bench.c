// SPDX-License-Identifier: GPL-2.0
/*
 * slic_bench - a SLIC board driver's timing, measured from the simulated
 * handset on its line (bench/slic.sh runs it in the VM on the Si3215
 * driver over the simulated chip).
 *
 *   slic_bench [PORT [SIM_SYSFS_DIR]]
 *
 * hook: 20 lifts and hang-ups at known times (the handset's planned
 *	edges); for each, the event's timestamp against the edge (stamp
 *	error) and when read() returned it against when the classifier
 *	could decide (edge + debounce for OFFHOOK, edge + flash_max for
 *	ONHOOK): the delivery latency
 * cadence: 6 bursts of 1000/1000 ms; each on and off period as the
 *	handset saw it against its nominal length, and each switch on the
 *	line against the core's RING_ON/RING_OFF event (when it was due)
 * spi: SPI messages per second over 3 s each on hook idle, off hook
 *	idle, ringing and in a call (off hook with 20 ms audio frames read
 *	and written back, as fxsd does), and the share of a 4 MHz bus they
 *	take (16 bits each: a control byte and a data byte)
 */
#include <errno.h>
#include <fcntl.h>
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

#define MS(x)		((int64_t)(x) * 1000000LL)
#define FLASH_MAX_MS	150
#define SPI_HZ		4000000.0

static int ctl, hs;
static const char *sim_dir;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "slic_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* the next event of @type within @ms; its read time in *@at */
static int wait_event(uint32_t type, int ms, struct fxs_event *ev, int64_t *at)
{
	int64_t end = now_ns() + MS(ms);

	for (;;) {
		struct pollfd pfd = { .fd = ctl, .events = POLLIN };
		int left = (int)((end - now_ns()) / 1000000);

		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return -1;
		if (read(ctl, ev, sizeof(*ev)) != sizeof(*ev))
			continue;
		*at = now_ns();
		if (ev->type == type)
			return 0;
	}
}

/* the next RING_ON/RING_OFF observation within @ms */
static int wait_ring_obs(int ms, struct fxs_hs_obs *o)
{
	static struct fxs_hs_obs_batch b;
	static unsigned int pos;
	int64_t end = now_ns() + MS(ms);

	for (;;) {
		while (pos < b.count) {
			*o = b.obs[pos++];
			if (o->type == FXS_HS_OBS_RING_ON ||
			    o->type == FXS_HS_OBS_RING_OFF)
				return 0;
		}
		if (now_ns() > end)
			return -1;
		pos = 0;
		if (ioctl(hs, FXS_HS_IOC_GET_OBS, &b))
			die("FXS_HS_IOC_GET_OBS");
		if (!b.count)
			usleep(2000);
	}
}

static void stats(const char *what, const double *v, int n)
{
	double sum = 0, max = 0, min = 1e18;
	int i;

	for (i = 0; i < n; i++) {
		sum += v[i];
		if (v[i] > max)
			max = v[i];
		if (v[i] < min)
			min = v[i];
	}
	printf("%-34s n=%-3d mean %8.3f  min %8.3f  max %8.3f ms\n", what, n,
	       n ? sum / n : 0, n ? min : 0, n ? max : 0);
}

static void hook_bench(void)
{
	struct fxs_hook_timing t;
	double on_stamp[20], on_lat[20], off_stamp[20], off_lat[20];
	int i, n = 0;

	if (ioctl(ctl, FXS_IOC_GET_TIMING, &t))
		die("FXS_IOC_GET_TIMING");
	t.flash_max_ms = FLASH_MAX_MS;
	if (ioctl(ctl, FXS_IOC_SET_TIMING, &t))
		die("FXS_IOC_SET_TIMING");
	for (i = 0; i < 20; i++) {
		struct fxs_hs_hook h = { .offhook = 1 };
		struct fxs_event ev;
		int64_t at;

		if (ioctl(hs, FXS_HS_IOC_HOOK, &h))
			die("FXS_HS_IOC_HOOK");
		if (wait_event(FXS_EVENT_OFFHOOK, 2000, &ev, &at))
			break;
		on_stamp[n] = ((int64_t)ev.timestamp_ns - (int64_t)h.start_ns) / 1e6;
		on_lat[n] = (at - (int64_t)h.start_ns - MS(t.debounce_ms)) / 1e6;
		h.offhook = 0;
		if (ioctl(hs, FXS_HS_IOC_HOOK, &h))
			die("FXS_HS_IOC_HOOK");
		if (wait_event(FXS_EVENT_ONHOOK, 2000, &ev, &at))
			break;
		off_stamp[n] = ((int64_t)ev.timestamp_ns - (int64_t)h.start_ns) / 1e6;
		off_lat[n] = (at - (int64_t)h.start_ns - MS(FLASH_MAX_MS)) / 1e6;
		n++;
		usleep(50000);
	}
	stats("hook: OFFHOOK stamp - edge", on_stamp, n);
	stats("hook: OFFHOOK read - decidable", on_lat, n);
	stats("hook: ONHOOK stamp - edge", off_stamp, n);
	stats("hook: ONHOOK read - decidable", off_lat, n);
	if (n < 20)
		printf("hook: only %d of 20 cycles completed\n", n);
}

static unsigned long long spi_count(void)
{
	char path[256], buf[32];
	unsigned long long v = 0;
	int fd;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/spi_transfers", sim_dir);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r > 0) {
		buf[r] = 0;
		v = strtoull(buf, NULL, 10);
	}
	return v;
}

/* SPI messages a second since @c0 messages at @t0, and their share of
 * the bus; @note (may be "") after it */
static void spi_report(const char *what, unsigned long long c0, int64_t t0,
		       const char *note)
{
	double rate = (double)(spi_count() - c0) / ((now_ns() - t0) / 1e9);

	printf("spi: %-28s %8.1f messages/s  %6.3f %% of a 4 MHz bus%s\n", what,
	       rate, 100.0 * rate * 16 / SPI_HZ, note);
}

static void spi_rate(const char *what)
{
	unsigned long long c0 = spi_count();
	int64_t t0 = now_ns();

	sleep(3);
	spi_report(what, c0, t0, "");
}

/*
 * SPI in a call: off hook, the port's audio open (20 ms frames) and every
 * captured frame written back for 3 s, as a daemon in a call does.  The
 * audio itself travels on the PCM bus, not SPI.
 */
static void spi_rate_call(void)
{
	struct fxs_pcm_open o = { .period_ms = 20 };
	unsigned long long c0;
	int64_t t0, end;
	int16_t frame[160];
	int frames = 0;
	char note[32];

	if (ioctl(ctl, FXS_IOC_PCM_OPEN, &o) < 0)
		die("FXS_IOC_PCM_OPEN");
	c0 = spi_count();
	t0 = now_ns();
	end = t0 + MS(3000);
	while (now_ns() < end) {
		struct pollfd pfd = { .fd = o.fd, .events = POLLIN };

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		if (read(o.fd, frame, sizeof(frame)) != sizeof(frame))
			continue;
		frames++;
		if (write(o.fd, frame, sizeof(frame)) != sizeof(frame))
			die("write to the audio fd");
	}
	snprintf(note, sizeof(note), " (%d frames)", frames);
	spi_report("in a call (audio running)", c0, t0, note);
	close(o.fd);
}

static void cadence_bench(void)
{
	struct fxs_ring_cadence c = { .pairs = 1, .on_off_ms = { 1000, 1000 } };
	double err[12] = { 0 }, sw[13] = { 0 };
	struct fxs_hs_obs o[13];
	struct fxs_event ev;
	int i, n = 0, ne = 0;
	int64_t at;

	if (ioctl(ctl, FXS_IOC_RING_START, &c))
		die("FXS_IOC_RING_START");
	for (i = 0; i < 13 && !wait_ring_obs(3000, &o[i]); i++)
		;
	n = i;
	if (sim_dir)
		spi_rate("ringing");
	if (ioctl(ctl, FXS_IOC_RING_STOP, NULL))
		die("FXS_IOC_RING_STOP");
	for (i = 0; i + 1 < n; i++)
		err[i] = ((int64_t)(o[i + 1].timestamp_ns - o[i].timestamp_ns) -
			  MS(1000)) / 1e6;
	stats("cadence: period - nominal", err, n > 0 ? n - 1 : 0);
	/* the core's events carry when each switch was due */
	for (i = 0; i < n; i++) {
		uint32_t want = o[i].type == FXS_HS_OBS_RING_ON ?
				FXS_EVENT_RING_ON : FXS_EVENT_RING_OFF;

		if (wait_event(want, 100, &ev, &at))
			break;
		sw[ne++] = ((int64_t)o[i].timestamp_ns -
			    (int64_t)ev.timestamp_ns) / 1e6;
	}
	stats("cadence: switch on line - due", sw, ne);
	if (o[0].type == FXS_HS_OBS_RING_ON)
		printf("cadence: ring frequency on the line %.3f Hz\n",
		       o[0].value / 1000.0);
}

int main(int argc, char **argv)
{
	const char *port = argc > 1 ? argv[1] : "0";
	char path[64];
	struct fxs_hs_hook h = { .offhook = 1 };

	sim_dir = argc > 2 ? argv[2] : NULL;
	snprintf(path, sizeof(path), "/dev/fxs%s", port);
	ctl = open(path, O_RDWR | O_NONBLOCK);
	if (ctl < 0)
		die(path);
	snprintf(path, sizeof(path), "/dev/fxs_hs%s", port);
	hs = open(path, O_RDWR);
	if (hs < 0)
		die(path);
	ioctl(hs, FXS_HS_IOC_FLUSH);

	if (sim_dir)
		spi_rate("idle, on hook");
	hook_bench();
	cadence_bench();
	if (sim_dir) {
		if (ioctl(hs, FXS_HS_IOC_HOOK, &h) || ioctl(hs, FXS_HS_IOC_WAIT))
			die("FXS_HS_IOC_HOOK");
		spi_rate("idle, off hook");
		spi_rate_call();
		h.offhook = 0;
		if (ioctl(hs, FXS_HS_IOC_HOOK, &h) || ioctl(hs, FXS_HS_IOC_WAIT))
			die("FXS_HS_IOC_HOOK");
	}
	return 0;
}
