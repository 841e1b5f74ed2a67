// SPDX-License-Identifier: GPL-2.0-only
/*
 * port.c - the FXS port device through the kernel's ABI (<linux/fxs.h>):
 * the ioctls and the event records.  See port.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/fxs.h>

#include "port/port.h"

_Static_assert(PORT_RING_PAIRS_MAX == FXS_RING_MAX_PAIRS,
	       "PORT_RING_PAIRS_MAX is the kernel's FXS_RING_MAX_PAIRS");

static const uint32_t feed_modes[_PORT_FEED_MAX] = {
	[PORT_FEED_OPEN] = FXS_LINEFEED_OPEN,
	[PORT_FEED_FORWARD] = FXS_LINEFEED_FORWARD,
	[PORT_FEED_OHT] = FXS_LINEFEED_OHT,
	[PORT_FEED_OHT_REVERSE] = FXS_LINEFEED_OHT_REVERSE,
};

int port_open(const char *devnode)
{
	int fd = open(devnode, O_RDWR | O_NONBLOCK | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int port_pcm_open(int fd, unsigned period_ms, bool reference, int *ret_pcm_fd)
{
	struct fxs_pcm_open pcm = { .period_ms = period_ms,
				    .flags = O_NONBLOCK | O_CLOEXEC,
				    .mode = reference ? FXS_PCM_MODE_REFERENCE : 0 };

	if (ioctl(fd, FXS_IOC_PCM_OPEN, &pcm) < 0)
		return -errno;
	*ret_pcm_fd = pcm.fd;
	return 0;
}

int port_pcm_delay(int pcm_fd, unsigned *ret_play)
{
	struct fxs_pcm_delay d;

	if (ioctl(pcm_fd, FXS_IOC_PCM_DELAY, &d) < 0)
		return -errno;
	*ret_play = d.play;
	return 0;
}

int port_pcm_drop(int pcm_fd)
{
	if (ioctl(pcm_fd, FXS_IOC_PCM_DROP) < 0)
		return -errno;
	return 0;
}

int port_get_hook(int fd, bool *ret_offhook)
{
	struct fxs_hook_state hook;

	if (ioctl(fd, FXS_IOC_GET_HOOK, &hook) < 0)
		return -errno;
	*ret_offhook = hook.offhook;
	return 0;
}

int port_set_feed(int fd, enum port_feed feed)
{
	struct fxs_linefeed_req req = { 0 };

	if (feed < 0 || feed >= _PORT_FEED_MAX)
		return -EINVAL;
	req.mode = feed_modes[feed];
	if (ioctl(fd, FXS_IOC_SET_LINEFEED, &req) < 0)
		return -errno;
	return 0;
}

int port_ring_start(int fd, const uint32_t *on_off_ms, unsigned pairs)
{
	struct fxs_ring_cadence c = { 0 };
	unsigned i;

	if (pairs > FXS_RING_MAX_PAIRS)
		return -EINVAL;
	c.pairs = pairs;
	for (i = 0; i < 2 * pairs; i++)
		c.on_off_ms[i] = on_off_ms[i];
	if (ioctl(fd, FXS_IOC_RING_START, &c) < 0)
		return -errno;
	return 0;
}

int port_ring_stop(int fd)
{
	if (ioctl(fd, FXS_IOC_RING_STOP) < 0)
		return -errno;
	return 0;
}

static enum port_event_type event_type(uint32_t type)
{
	switch (type) {
	case FXS_EVENT_OFFHOOK:
		return PORT_EVENT_OFFHOOK;
	case FXS_EVENT_ONHOOK:
		return PORT_EVENT_ONHOOK;
	case FXS_EVENT_FLASH:
		return PORT_EVENT_FLASH;
	case FXS_EVENT_DIGIT:
		return PORT_EVENT_DIGIT;
	case FXS_EVENT_RING_OFF:
		return PORT_EVENT_RING_OFF;
	case FXS_EVENT_OVERFLOW:
		return PORT_EVENT_OVERFLOW;
	case FXS_EVENT_PORT_REMOVED:
		return PORT_EVENT_REMOVED;
	case FXS_EVENT_POWER_ALARM:
		return PORT_EVENT_POWER_ALARM;
	default:
		return PORT_EVENT_OTHER;
	}
}

ssize_t port_read_events(int fd, struct port_event *evs, size_t n)
{
	struct fxs_event raw[16];
	ssize_t r;
	size_t i;

	if (n > sizeof(raw) / sizeof(raw[0]))
		n = sizeof(raw) / sizeof(raw[0]);
	r = read(fd, raw, n * sizeof(raw[0]));
	if (r < 0)
		return -errno;
	n = (size_t)r / sizeof(raw[0]);
	for (i = 0; i < n; i++)
		evs[i] = (struct port_event){ .type = event_type(raw[i].type),
					      .value = raw[i].value };
	return (ssize_t)n;
}

int port_get_counters(int fd, struct port_counters *ret)
{
	struct fxs_counters c;

	if (ioctl(fd, FXS_IOC_GET_COUNTERS, &c) < 0)
		return -errno;
	*ret = (struct port_counters){
		.offhooks = c.offhooks,
		.onhooks = c.onhooks,
		.flashes = c.flashes,
		.digits = c.digits,
		.pcm_underruns = c.pcm_underruns,
		.pcm_overruns = c.pcm_overruns,
	};
	return 0;
}
