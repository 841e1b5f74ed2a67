/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fake_port.h - daemon/port/ without a kernel, for the line test
 * (tests/daemon/line_test.c).  fake_port.c implements port.h's functions
 * (it is linked in place of daemon/port/port.c) on socket pairs: the line
 * reads its events and 20 ms capture frames from them and writes the
 * phone's audio into them, as from /dev/fxsN.  The test is the phone and
 * the driver's clock: it changes the hook, flashes, pulse-dials, and each
 * fake_port_tick() plays one frame of what the line wrote (the driver's
 * play queue, at most 512 ms, modelled here) and hands the line one
 * captured frame with that played frame as its echo reference.
 */
#ifndef FXS_FAKE_PORT_H
#define FXS_FAKE_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include "port/port.h"

#define FAKE_FRAME	160		/* 20 ms at 8 kHz */
#define FAKE_QUEUE_MAX	4096		/* the driver's play queue: 512 ms */

struct fake_port {
	bool open;		/* port_open() was called, not closed since */
	bool pcm_open;
	int fd, pcm_fd;		/* the line's ends */
	int ev_peer, pcm_peer;	/* ours */
	bool offhook;
	enum port_feed feed;
	unsigned feed_changes;	/* port_set_feed() calls */
	bool ringing;
	unsigned ring_starts;	/* port_ring_start() calls */
	uint32_t cadence[2 * PORT_RING_PAIRS_MAX];
	unsigned pairs;
	int16_t queue[FAKE_QUEUE_MAX + 4 * FAKE_FRAME];
	unsigned queued;	/* samples in queue[] */
	unsigned drops;		/* port_pcm_drop() calls */
	struct port_counters counters;	/* the hook events made */
};

/* The one port (the line test runs one line). */
extern struct fake_port fake_port;

/* Forget everything (before a line is attached). */
void fake_port_reset(void);
/* The phone: lift or hang up the handset (an event, and the hook state
 * port_get_hook() reports), flash, pulse-dial digit 0..9. */
int fake_port_hook(bool offhook);
int fake_port_flash(void);
int fake_port_pulse(unsigned digit);
/* The hook moves, and its event is lost: the driver reports only that
 * @lost events were (FXS_EVENT_OVERFLOW). */
int fake_port_hook_lost(bool offhook, unsigned lost);
/* One 20 ms period: the frame the phone played (the head of the play
 * queue, silence when it ran dry) into @played, and @captured (the
 * phone's microphone; NULL: silence) handed to the line. */
void fake_port_tick(const int16_t *captured, int16_t *played);

#endif /* FXS_FAKE_PORT_H */
