// SPDX-License-Identifier: GPL-2.0-only
/*
 * fake_port.c - port.h without a kernel: see fake_port.h.  Linked in
 * place of daemon/port/port.c into the line test; the line's descriptors
 * are the ends of two SOCK_SEQPACKET socket pairs (events, audio), so
 * that sd-event watches them as it watches /dev/fxsN.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_port.h"

struct fake_port fake_port = { .fd = -1, .pcm_fd = -1, .ev_peer = -1,
			       .pcm_peer = -1 };

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void fake_port_reset(void)
{
	close_fd(&fake_port.ev_peer);
	close_fd(&fake_port.pcm_peer);
	memset(&fake_port, 0, sizeof(fake_port));
	fake_port.fd = fake_port.pcm_fd = -1;
	fake_port.feed = PORT_FEED_FORWARD;	/* the driver's at open */
	fake_port.ev_peer = fake_port.pcm_peer = -1;
}

static int pair(int *ours, int *theirs)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0, sv) < 0)
		return -errno;
	*theirs = sv[0];
	*ours = sv[1];
	return 0;
}

static int event(enum port_event_type type, uint32_t value)
{
	struct port_event ev = { .type = type, .value = value };

	if (fake_port.ev_peer < 0)
		return -ENODEV;
	return write(fake_port.ev_peer, &ev, sizeof(ev)) == sizeof(ev) ? 0 : -EIO;
}

int fake_port_hook(bool offhook)
{
	fake_port.offhook = offhook;
	if (offhook)
		fake_port.counters.offhooks++;
	else
		fake_port.counters.onhooks++;
	return event(offhook ? PORT_EVENT_OFFHOOK : PORT_EVENT_ONHOOK, 0);
}

int fake_port_hook_lost(bool offhook, unsigned lost)
{
	fake_port.offhook = offhook;
	return event(PORT_EVENT_OVERFLOW, lost);
}

int fake_port_flash(void)
{
	fake_port.counters.flashes++;
	return event(PORT_EVENT_FLASH, 0);
}

int fake_port_pulse(unsigned digit)
{
	fake_port.counters.digits++;
	return event(PORT_EVENT_DIGIT, digit % 10);
}

/* What the line wrote since the last look goes to the play queue; what
 * does not fit is lost, as in the driver. */
static void fill_queue(void)
{
	int16_t buf[8 * FAKE_FRAME];
	ssize_t n;

	if (fake_port.pcm_peer < 0)
		return;
	while ((n = read(fake_port.pcm_peer, buf, sizeof(buf))) > 0) {
		size_t samples = (size_t)n / sizeof(int16_t);
		size_t room = FAKE_QUEUE_MAX - fake_port.queued;

		if (samples > room)
			samples = room;
		memcpy(fake_port.queue + fake_port.queued, buf,
		       samples * sizeof(int16_t));
		fake_port.queued += samples;
	}
}

void fake_port_tick(const int16_t *captured, int16_t *played)
{
	static const int16_t silence[FAKE_FRAME];
	int16_t rec[2 * FAKE_FRAME];
	unsigned n;

	fill_queue();
	n = fake_port.queued < FAKE_FRAME ? fake_port.queued : FAKE_FRAME;
	memset(played, 0, FAKE_FRAME * sizeof(int16_t));
	memcpy(played, fake_port.queue, n * sizeof(int16_t));
	memmove(fake_port.queue, fake_port.queue + n,
		(fake_port.queued - n) * sizeof(int16_t));
	fake_port.queued -= n;
	if (fake_port.pcm_peer < 0)
		return;
	memcpy(rec, captured ? captured : silence, sizeof(silence));
	memcpy(rec + FAKE_FRAME, played, FAKE_FRAME * sizeof(int16_t));
	if (write(fake_port.pcm_peer, rec, sizeof(rec)) < 0) {
		/* the line is behind: the driver drops the frame too */
	}
}

/* ---- port.h ---- */

int port_open(const char *devnode)
{
	int r;

	(void)devnode;
	if (fake_port.open)
		return -EBUSY;
	close_fd(&fake_port.ev_peer);
	r = pair(&fake_port.ev_peer, &fake_port.fd);
	if (r < 0)
		return r;
	fake_port.open = true;
	return fake_port.fd;
}

int port_pcm_open(int fd, unsigned period_ms, bool reference, int *ret_pcm_fd)
{
	int r;

	if (fd != fake_port.fd || period_ms != 20 || !reference)
		return -EINVAL;
	close_fd(&fake_port.pcm_peer);
	r = pair(&fake_port.pcm_peer, &fake_port.pcm_fd);
	if (r < 0)
		return r;
	fake_port.pcm_open = true;
	fake_port.queued = 0;
	*ret_pcm_fd = fake_port.pcm_fd;
	return 0;
}

int port_pcm_delay(int pcm_fd, unsigned *ret_play)
{
	if (pcm_fd != fake_port.pcm_fd)
		return -EBADF;
	fill_queue();
	*ret_play = fake_port.queued;
	return 0;
}

int port_pcm_drop(int pcm_fd)
{
	if (pcm_fd != fake_port.pcm_fd)
		return -EBADF;
	fill_queue();
	fake_port.queued = 0;
	fake_port.drops++;
	return 0;
}

int port_get_hook(int fd, bool *ret_offhook)
{
	if (fd != fake_port.fd)
		return -EBADF;
	*ret_offhook = fake_port.offhook;
	return 0;
}

int port_get_counters(int fd, struct port_counters *ret)
{
	if (fd != fake_port.fd)
		return -EBADF;
	*ret = fake_port.counters;
	return 0;
}

int port_set_feed(int fd, enum port_feed feed)
{
	if (fd != fake_port.fd)
		return -EBADF;
	if (feed < 0 || feed >= _PORT_FEED_MAX)
		return -EINVAL;
	fake_port.feed = feed;
	fake_port.feed_changes++;
	return 0;
}

int port_ring_start(int fd, const uint32_t *on_off_ms, unsigned pairs)
{
	if (fd != fake_port.fd)
		return -EBADF;
	if (pairs > PORT_RING_PAIRS_MAX || !pairs)
		return -EINVAL;
	memcpy(fake_port.cadence, on_off_ms, 2 * pairs * sizeof(uint32_t));
	fake_port.pairs = pairs;
	fake_port.ringing = true;
	fake_port.ring_starts++;
	return 0;
}

int port_ring_stop(int fd)
{
	if (fd != fake_port.fd)
		return -EBADF;
	fake_port.ringing = false;
	return 0;
}

ssize_t port_read_events(int fd, struct port_event *evs, size_t n)
{
	size_t i;

	if (fd != fake_port.fd)
		return -EBADF;
	for (i = 0; i < n; i++) {
		ssize_t r = read(fd, &evs[i], sizeof(evs[i]));

		if (r != sizeof(evs[i])) {
			if (i == 0)
				return r == 0 ? -ENODEV : -errno;
			break;
		}
	}
	return (ssize_t)i;
}
