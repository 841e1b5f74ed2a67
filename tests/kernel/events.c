// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - the event queue of /dev/fxsN: what the handset does shows up
 * with the right type, value, timestamp and sequence number.
 *
 * Timestamps are compared with the start_ns/end_ns the handset ioctls
 * return, within 2 ms.
 */
#include "harness.h"

#include <poll.h>

static void check_padding(const struct fxs_event *ev)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ev->padding); i++)
		CHECKF(ev->padding[i] == 0, "%s event: padding[%zu] = %#x",
		       ev_name(ev->type), i, ev->padding[i]);
}

/* OFFHOOK after the debounce, stamped with the lift */
static void event_offhook(void)
{
	struct port *p = port_setup(0);
	const struct fxs_hook_timing *t = &fxs_default_timing;
	struct fxs_hs_hook lift;
	struct fxs_event ev;

	hs_hook(p, 1, 0, 0, &lift);
	expect_event(p, FXS_EVENT_OFFHOOK, ms_until(lift.end_ns) + 1000, &ev);
	CHECK_NEAR_NS(ev.timestamp_ns, lift.end_ns, EDGE_TOL_MS);
	/* it cannot be known before the contact was stable long enough */
	CHECK_GE(p->last_rx_ns, lift.end_ns + MS(t->debounce_ms) - MS(1));
	check_padding(&ev);
	expect_no_event(p, 100);
}

/* ONHOOK once the break outlasts the flash window, stamped with its start */
static void event_onhook(void)
{
	struct port *p = port_setup(0);
	const struct fxs_hook_timing *t = &fxs_default_timing;
	struct fxs_hook_state h;
	struct fxs_hs_hook down;
	struct fxs_event ev;

	hs_lift(p, NULL, NULL);
	hs_hook(p, 0, 0, 0, &down);
	expect_event(p, FXS_EVENT_ONHOOK,
		     ms_until(down.start_ns) + (int)t->flash_max_ms + 1000, &ev);
	CHECK_NEAR_NS(ev.timestamp_ns, down.start_ns, EDGE_TOL_MS);
	CHECK_GE(p->last_rx_ns, down.start_ns + MS(t->flash_max_ms) - MS(1));
	check_padding(&ev);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 0);
}

/* a 300 ms break while off-hook is a FLASH of 300 ms */
static void event_flash(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_flash f;
	struct fxs_event ev;

	hs_lift(p, NULL, NULL);
	hs_flash(p, 300, &f);
	expect_event(p, FXS_EVENT_FLASH, ms_until(f.end_ns) + 1000, &ev);
	CHECK_RANGE(ev.value, 299 - edge_slack_ms(), 301 + edge_slack_ms());
	CHECK_NEAR_NS(ev.timestamp_ns, f.start_ns, EDGE_TOL_MS);
	CHECK_GE(p->last_rx_ns, f.end_ns);
	/* a flash is neither a hang-up nor a new lift */
	expect_no_event(p, 200);
}

/* RING_ON at the burst's start, RING_OFF (value 0) at its end */
static void event_ring_on_off(void)
{
	static const uint32_t cadence[] = { 150, 400 };
	struct port *p = port_setup(0);
	struct fxs_event on, off;
	struct fxs_hs_obs o_on, o_off;
	struct fxs_counters c0, c1;
	int64_t t0, t1;

	get_counters(p, &c0);
	t0 = now_ns();
	ring_start(p, 1, cadence);
	t1 = now_ns();
	expect_event(p, FXS_EVENT_RING_ON, 500, &on);
	wait_obs(p, FXS_HS_OBS_RING_ON, 500, &o_on);
	CHECK_NEAR_NS(on.timestamp_ns, o_on.timestamp_ns, EDGE_TOL_MS);
	/* the first burst starts right away */
	CHECK_RANGE(o_on.timestamp_ns, t0, t1 + MS(50));

	expect_event(p, FXS_EVENT_RING_OFF, 500, &off);
	CHECK_EQ(off.value, 0);
	wait_obs(p, FXS_HS_OBS_RING_OFF, 500, &o_off);
	CHECK_NEAR_NS(off.timestamp_ns, o_off.timestamp_ns, EDGE_TOL_MS);
	CHECK_NEAR_NS(off.timestamp_ns, on.timestamp_ns + MS(150), 5);
	CHECK_EQ(off.seq, on.seq + 1);

	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	get_counters(p, &c1);
	CHECK_GE(c1.ring_bursts, c0.ring_bursts + 1);
}

/* sequence numbers grow by one per event */
static void event_seq_consecutive(void)
{
	struct port *p = port_setup(0);
	struct fxs_event ev[4];
	struct fxs_hs_flash f;
	struct fxs_hs_dial d;
	int i;

	hs_lift(p, NULL, &ev[0]);
	hs_flash(p, 150, &f);
	expect_event(p, FXS_EVENT_FLASH, ms_until(f.end_ns) + 1000, &ev[1]);
	hs_wait(p);
	hs_flash(p, 200, &f);
	expect_event(p, FXS_EVENT_FLASH, ms_until(f.end_ns) + 1000, &ev[2]);
	hs_wait(p);
	hs_dial(p, 1, 60, 40, 0, 0, &d);
	expect_event(p, FXS_EVENT_DIGIT, ms_until(d.end_ns) + 1300, &ev[3]);
	for (i = 1; i < 4; i++) {
		CHECKF(ev[i].seq == ev[i - 1].seq + 1,
		       "event %d (%s) has seq %u after seq %u", i,
		       ev_name(ev[i].type), ev[i].seq, ev[i - 1].seq);
		CHECK_GT(ev[i].timestamp_ns, ev[i - 1].timestamp_ns);
	}
}

/*
 * More than 64 events without reading: an OVERFLOW event whose value is
 * the number of lost events, and the sequence numbers skip exactly those.
 * A 10 ms on / 10 ms off cadence makes 100 ring events a second; it runs
 * until GET_COUNTERS shows lost events (about 0.7 s with a 64-deep queue).
 *
 * Assumed: the OVERFLOW event has a sequence number of its own, after the
 * lost ones (seq = last delivered + lost + 1).  If it is only queued once
 * there is room again, one more event (a lift) makes it appear.
 */
static void event_overflow(void)
{
	static const uint32_t fast[] = { 10, 10 };
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	struct fxs_event evs[300];
	int64_t deadline;
	uint32_t lost = 0;
	int n, i, ovf = -1;

	get_counters(p, &c0);
	ring_start(p, 1, fast);
	deadline = now_ns() + MS(5000);
	do {
		sleep_ms(100);
		get_counters(p, &c1);
	} while (c1.events_lost == c0.events_lost && now_ns() < deadline);
	sleep_ms(100);
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	CHECKF(c1.events_lost > c0.events_lost,
	       "no event lost after 5 s of 10/10 ms ringing without reading");
	sleep_ms(20);

	n = drain_events(p, evs, 250);
	CHECKF(n > 0 && n <= 250, "read %d events after the ringing", n);
	for (i = 0; i < n; i++)
		if (evs[i].type == FXS_EVENT_OVERFLOW)
			ovf = i;
	if (ovf < 0) {
		hs_hook(p, 1, 0, 0, NULL);
		while (n < 290 && ovf < 0 && read_event(p, &evs[n], 1000)) {
			if (evs[n].type == FXS_EVENT_OVERFLOW)
				ovf = n;
			n++;
		}
	}
	CHECKF(ovf >= 0, "no OVERFLOW event among %d events read", n);
	CHECKF(ovf >= 1, "OVERFLOW is the first event read; nothing to compare");

	for (i = 1; i < n; i++) {
		uint32_t gap = evs[i].seq - evs[i - 1].seq - 1;

		if (evs[i].type == FXS_EVENT_OVERFLOW) {
			CHECKF(evs[i].value > 0, "OVERFLOW with value 0");
			CHECKF(gap == evs[i].value,
			       "OVERFLOW value %u but seq jumps from %u to %u (%u missing)",
			       evs[i].value, evs[i - 1].seq, evs[i].seq, gap);
			lost += evs[i].value;
		} else {
			CHECKF(gap == 0,
			       "event %d (%s) seq %u follows seq %u without an OVERFLOW",
			       i, ev_name(evs[i].type), evs[i].seq,
			       evs[i - 1].seq);
		}
	}
	get_counters(p, &c1);
	CHECK_EQ(c1.events_lost - c0.events_lost, lost);
}

/*
 * A stream nobody wrote to yet plays silence without an underrun; once
 * written to and run dry: an UNDERRUN event, once per run.
 */
static void event_pcm_underrun(void)
{
	struct port *p = port_setup(0);
	static int16_t frames[3 * 160];
	struct fxs_event u1, u2, ev;
	struct fxs_counters c0, c;
	int64_t end;
	int pcm;

	get_counters(p, &c0);
	pcm = pcm_open(p, 20, O_CLOEXEC);
	end = now_ns() + MS(300);
	while (read_event(p, &ev, ms_until(end)))
		CHECKF(ev.type != FXS_EVENT_PCM_UNDERRUN,
		       "PCM_UNDERRUN (value %u) before the stream's first write",
		       ev.value);
	get_counters(p, &c);
	CHECK_EQ(c.pcm_underruns, c0.pcm_underruns);
	CHECK_GT(c.pcm_frames, c0.pcm_frames);

	write_all(pcm, frames, sizeof(frames), 1000);
	wait_event(p, FXS_EVENT_PCM_UNDERRUN, 1000, &u1);
	CHECK_GT(u1.value, 0);
	get_counters(p, &c);
	CHECK_GT(c.pcm_underruns, c0.pcm_underruns);

	/* still starved: no second UNDERRUN event for this run */
	end = now_ns() + MS(300);
	while (read_event(p, &ev, ms_until(end)))
		CHECKF(ev.type != FXS_EVENT_PCM_UNDERRUN,
		       "second PCM_UNDERRUN (value %u) during one run of underruns",
		       ev.value);

	/* 60 ms of audio end the run; when it runs dry a new one is reported */
	write_all(pcm, frames, sizeof(frames), 1000);
	wait_event(p, FXS_EVENT_PCM_UNDERRUN, 1000, &u2);
	CHECK_GT(u2.value, u1.value);
}

/* PCM stream nobody reads: an OVERRUN event, once per run */
static void event_pcm_overrun(void)
{
	struct port *p = port_setup(0);
	struct fxs_event o1, ev;
	struct fxs_counters c;
	int64_t end;

	pcm_open(p, 20, O_CLOEXEC);
	wait_event(p, FXS_EVENT_PCM_OVERRUN, 5000, &o1);
	CHECK_GT(o1.value, 0);
	get_counters(p, &c);
	CHECK_GT(c.pcm_overruns, 0);

	end = now_ns() + MS(300);
	while (read_event(p, &ev, ms_until(end)))
		CHECKF(ev.type != FXS_EVENT_PCM_OVERRUN,
		       "second PCM_OVERRUN (value %u) during one run of overruns",
		       ev.value);
}

/* poll() reports POLLIN exactly when an event waits */
static void event_poll(void)
{
	struct port *p = port_setup(0);
	struct pollfd pfd = { .fd = p->ctl, .events = POLLIN };
	struct fxs_event ev;

	CHECK_EQ(poll(&pfd, 1, 0), 0);
	hs_hook(p, 1, 0, 0, NULL);
	CHECK_EQ(poll(&pfd, 1, 1000), 1);
	CHECK(pfd.revents & POLLIN);
	CHECK_EQ(read(p->ctl, &ev, sizeof(ev)), (long)sizeof(ev));
	CHECK_EQ(ev.type, FXS_EVENT_OFFHOOK);
	CHECK_EQ(poll(&pfd, 1, 0), 0);
}

/* the classifier's counters count what the events report */
static void counters_hook_classifier(void)
{
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	struct fxs_hs_flash f;
	struct fxs_hs_dial d;

	get_counters(p, &c0);
	hs_lift(p, NULL, NULL);
	hs_flash(p, 200, &f);
	expect_event(p, FXS_EVENT_FLASH, ms_until(f.end_ns) + 1000, NULL);
	hs_wait(p);
	hs_dial(p, 3, 60, 40, 0, 0, &d);
	expect_event(p, FXS_EVENT_DIGIT, ms_until(d.end_ns) + 1300, NULL);
	hs_wait(p);
	hs_flash(p, 1010, &f);
	expect_event(p, FXS_EVENT_ONHOOK, ms_until(f.start_ns) + 2000, NULL);
	expect_event(p, FXS_EVENT_OFFHOOK, ms_until(f.end_ns) + 1000, NULL);
	get_counters(p, &c1);

	CHECK_EQ(c1.offhooks - c0.offhooks, 2);
	CHECK_EQ(c1.flashes - c0.flashes, 1);
	CHECK_EQ(c1.digits - c0.digits, 1);
	CHECK_EQ(c1.onhooks - c0.onhooks, 1);
	CHECK_EQ(c1.events - c0.events, 5);
	CHECK_EQ(c1.events_lost, c0.events_lost);
}

#define SIM_FAULT	"/sys/devices/platform/fxs_si3215_sim/fault"

/*
 * A power alarm on the simulated Si3215 (its fault "power-alarm": Q1
 * overheats) while the phone rings: the ring ends (RING_OFF value 2),
 * POWER_ALARM reports the chip's cause bit (0x04), the handset sees the
 * ring stop and the line open, the port's line feed reads open; a feed
 * set again brings the line back.  The loopback board has no alarms.
 */
static void event_power_alarm(void)
{
	static const uint32_t cadence[] = { 2000, 4000 };
	struct port *p;
	struct fxs_event ev, ring_off = { 0 }, alarm = { 0 };
	struct fxs_hs_state st;
	struct fxs_hs_obs o;
	int64_t deadline, t0;
	bool open_seen = false;

	if (access(SIM_FAULT, W_OK))
		SKIP("no simulated Si3215 (%s)", SIM_FAULT);
	p = port_setup(0);
	ring_start(p, 1, cadence);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, NULL);
	expect_event(p, FXS_EVENT_RING_ON, 500, NULL);
	t0 = now_ns();
	CHECK_EQ(write_text(SIM_FAULT, "power-alarm"), 0);

	deadline = now_ns() + MS(1000);
	while ((!ring_off.type || !alarm.type) &&
	       read_event(p, &ev, ms_until(deadline))) {
		if (ev.type == FXS_EVENT_RING_OFF)
			ring_off = ev;
		else if (ev.type == FXS_EVENT_POWER_ALARM)
			alarm = ev;
		else
			FAIL("unexpected %s (value %u) after the power alarm",
			     ev_name(ev.type), ev.value);
	}
	write_text(SIM_FAULT, "none");
	CHECKF(alarm.type, "no POWER_ALARM event within 1 s");
	CHECKF(ring_off.type, "no RING_OFF event after the power alarm");
	CHECK_EQ(alarm.value, 0x04);
	CHECK_EQ(ring_off.value, 2);
	CHECK_LT(ring_off.seq, alarm.seq);
	CHECK_RANGE(alarm.timestamp_ns, t0, now_ns());
	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_OPEN);

	deadline = now_ns() + MS(1000);
	while (!open_seen && read_obs(p, &o, ms_until(deadline))) {
		if (o.type == FXS_HS_OBS_LINEFEED)
			open_seen = o.value == FXS_LINEFEED_OPEN;
	}
	CHECKF(open_seen, "the handset did not see the line open");
	hs_state(p, &st);
	CHECK_EQ(st.ringing, 0);

	set_linefeed(p, FXS_LINEFEED_FORWARD);
	wait_obs(p, FXS_HS_OBS_LINEFEED, 500, &o);
	CHECK_EQ(o.value, FXS_LINEFEED_FORWARD);
	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_FORWARD);
	/* the cadence does not come back */
	expect_no_obs(p, FXS_HS_OBS_RING_ON, 300);
}

static const struct fxs_case cases[] = {
	CASE(event_offhook),
	CASE(event_onhook),
	CASE(event_flash),
	CASE(event_ring_on_off),
	CASE(event_seq_consecutive),
	CASE(event_overflow),
	CASE(event_pcm_underrun),
	CASE(event_pcm_overrun),
	CASE(event_poll),
	CASE(counters_hook_classifier),
	CASE(event_power_alarm),
};
DEFINE_SUITE(events_suite, cases);
