/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * port.h - the FXS port device (/dev/fxsN) as fxsd uses it.  port.c is the
 * only code of fxsd that includes the kernel's ABI (<linux/fxs.h>): the
 * rest of the daemon opens, rings, feeds and reads a port through these
 * functions, on the descriptors they return.
 *
 * Every function returns 0 (or a count) on success and a negative errno
 * on failure; errno is left as the failed call set it.
 */
#ifndef FXSD_PORT_H
#define FXSD_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The most on/off pairs a ring cadence may hold (FXS_RING_MAX_PAIRS). */
#define PORT_RING_PAIRS_MAX	8

/* The line feed (FXS_LINEFEED_*). */
enum port_feed {
	PORT_FEED_OPEN,			/* open loop: disconnect supervision */
	PORT_FEED_FORWARD,		/* idle / active, normal polarity */
	PORT_FEED_OHT,			/* on-hook transmission */
	PORT_FEED_OHT_REVERSE,		/* ... with the polarity reversed */
	_PORT_FEED_MAX,
};

/* What the port reports (FXS_EVENT_*); the others are PORT_EVENT_OTHER. */
enum port_event_type {
	PORT_EVENT_OTHER,
	PORT_EVENT_OFFHOOK,
	PORT_EVENT_ONHOOK,
	PORT_EVENT_FLASH,
	PORT_EVENT_DIGIT,		/* @value: the pulse-dialled digit 0..9 */
	PORT_EVENT_RING_OFF,		/* @value: 0 at the end of the first burst */
	PORT_EVENT_OVERFLOW,		/* @value: the events lost */
	PORT_EVENT_REMOVED,		/* the board removed the port */
	PORT_EVENT_POWER_ALARM,		/* the board opened the line to protect
					 * itself; @value: its cause bits */
};

struct port_event {
	enum port_event_type type;
	uint32_t value;
};

/* Open @devnode, non-blocking; returns the descriptor. */
int port_open(const char *devnode);
/* Start the audio stream of 20 ms frames (@period_ms); with @reference
 * each read returns the captured frame followed by the frame sent to the
 * phone at the same instants (FXS_PCM_MODE_REFERENCE), which a driver
 * without it refuses with -EINVAL.  The stream's descriptor (non-blocking)
 * in @ret_pcm_fd. */
int port_pcm_open(int fd, unsigned period_ms, bool reference, int *ret_pcm_fd);
/* Samples written to the audio descriptor @pcm_fd and not yet played. */
int port_pcm_delay(int pcm_fd, unsigned *ret_play);
/* Drop what was written to @pcm_fd and not yet played (FXS_IOC_PCM_DROP;
 * an older driver has not got it). */
int port_pcm_drop(int pcm_fd);
int port_get_hook(int fd, bool *ret_offhook);
int port_set_feed(int fd, enum port_feed feed);
/* Ring with the cadence @on_off_ms (on, off, ... ms), @pairs pairs. */
int port_ring_start(int fd, const uint32_t *on_off_ms, unsigned pairs);
int port_ring_stop(int fd);
/* Read up to @n queued events into @evs; returns how many were read. */
ssize_t port_read_events(int fd, struct port_event *evs, size_t n);

/* The driver's totals since the port appeared (FXS_IOC_GET_COUNTERS). */
struct port_counters {
	uint64_t offhooks, onhooks, flashes, digits;	/* hook events */
	uint64_t pcm_underruns;	/* frames played with missing audio */
	uint64_t pcm_overruns;	/* captured frames dropped */
};

int port_get_counters(int fd, struct port_counters *ret);

#endif /* FXSD_PORT_H */
