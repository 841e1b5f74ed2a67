// SPDX-License-Identifier: GPL-2.0
/*
 * ring.c - ring cadences measured at the handset, ring-trip, RING_STOP,
 * -EBUSY when off-hook, replacing a running cadence.
 */
#include "harness.h"

#include <stdlib.h>

static const uint32_t us_cadence[] = { 2000, 4000 };
static const uint32_t uk_cadence[] = { 400, 200, 400, 2000 };

struct cadence_job {
	struct port *p;
	const uint32_t *on_off;
	unsigned int pairs;
	unsigned int cycles;
};

#define MAX_TRANSITIONS	64

/*
 * Ring for job->cycles full cycles and check, from the handset's
 * RING_ON/RING_OFF observations, that every on and off period lasts its
 * nominal time +-5 ms; the RING_ON/RING_OFF events must carry the same
 * timestamps (+-2 ms), RING_OFF with value 0.
 */
static void cadence_run(void *arg)
{
	struct cadence_job *job = arg;
	struct port *p = job->p;
	unsigned int n = 2 * job->pairs * job->cycles + 1;
	struct fxs_hs_obs obs[MAX_TRANSITIONS];
	struct fxs_event evs[MAX_TRANSITIONS + 8];
	uint32_t longest = 0;
	unsigned int i, k = 0;
	int ne, e;

	CHECK_LE(n, MAX_TRANSITIONS);
	for (i = 0; i < 2 * job->pairs; i++)
		if (job->on_off[i] > longest)
			longest = job->on_off[i];

	ring_start(p, job->pairs, job->on_off);
	while (k < n) {
		struct fxs_hs_obs o;

		CHECKF(read_obs(p, &o, (int)longest + 1000),
		       "no observation for %u ms after %u transitions",
		       longest + 1000, k);
		if (o.type == FXS_HS_OBS_RING_ON || o.type == FXS_HS_OBS_RING_OFF)
			obs[k++] = o;
	}
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);

	for (i = 0; i < n; i++) {
		uint32_t want = i % 2 ? FXS_HS_OBS_RING_OFF : FXS_HS_OBS_RING_ON;

		CHECKF(obs[i].type == want, "transition %u is %s, expected %s",
		       i, obs_name(obs[i].type), obs_name(want));
	}
	for (i = 0; i + 1 < n; i++) {
		int64_t len = (int64_t)(obs[i + 1].timestamp_ns -
					obs[i].timestamp_ns);
		uint32_t nominal = job->on_off[i % (2 * job->pairs)];

		CHECKF(llabs(len - MS(nominal)) <= MS(5 + edge_slack_ms()),
		       "%s period %u (cycle %u) lasted %.3f ms, expected %u +- %d ms",
		       i % 2 ? "off" : "on", i,
		       i / (2 * job->pairs) + 1, len / 1e6, nominal,
		       5 + edge_slack_ms());
	}

	ne = drain_events(p, evs, (int)ARRAY_SIZE(evs));
	for (e = 0, i = 0; e < ne && i < n; e++) {
		uint32_t want = obs[i].type == FXS_HS_OBS_RING_ON ?
				FXS_EVENT_RING_ON : FXS_EVENT_RING_OFF;

		if (evs[e].type != FXS_EVENT_RING_ON &&
		    evs[e].type != FXS_EVENT_RING_OFF)
			continue;
		CHECKF(evs[e].type == want, "ring event %u is %s, expected %s",
		       i, ev_name(evs[e].type), ev_name(want));
		CHECKF(llabs((int64_t)(evs[e].timestamp_ns - obs[i].timestamp_ns)) <= MS(2),
		       "%s event %u stamped %+.3f ms from the handset's observation",
		       ev_name(want), i,
		       (int64_t)(evs[e].timestamp_ns - obs[i].timestamp_ns) / 1e6);
		if (want == FXS_EVENT_RING_OFF)
			CHECKF(evs[e].value == 0,
			       "RING_OFF at the end of burst %u has value %u, expected 0",
			       i / 2 + 1, evs[e].value);
		i++;
	}
	CHECKF(i == n, "%u ring events for %u observed transitions",
	       i, n);
}

/* US 2000/4000 on port 0 and UK 400/200/400/2000 on port 1, 3 cycles each */
static void ring_cadence_us_uk(void)
{
	struct cadence_job us = {
		.p = port_setup(0), .on_off = us_cadence,
		.pairs = 1, .cycles = 3,
	};
	struct cadence_job uk = {
		.p = port_setup(1), .on_off = uk_cadence,
		.pairs = 2, .cycles = 3,
	};
	struct fxs_thread t[2];

	fxs_thread_start(&t[0], "fxs0 US", cadence_run, &us);
	fxs_thread_start(&t[1], "fxs1 UK", cadence_run, &uk);
	fxs_threads_join(t, 2);
}

/*
 * Ring-trip: lifting during a burst stops the ring voltage at once (within
 * the 40 ms debounce of the lift's first edge), then OFFHOOK and RING_OFF
 * with value 1 are reported, ring_trips counts it and the cadence does
 * not come back.
 */
static void ring_trip(void)
{
	static const uint32_t cadence[] = { 1000, 500 };
	struct port *p = port_setup(0);
	struct fxs_hs_obs on, off;
	struct fxs_counters c0, c1;
	struct fxs_hook_state h;
	struct fxs_event ev, ring_off = { 0 }, hook = { 0 };
	struct fxs_hs_hook lift;
	int64_t deadline;

	get_counters(p, &c0);
	ring_start(p, 1, cadence);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, &on);
	hs_hook(p, 1, 0, 0, &lift);
	CHECKF(lift.start_ns < on.timestamp_ns + MS(900),
	       "the lift came %.1f ms into a 1000 ms burst (too late to test)",
	       (int64_t)(lift.start_ns - on.timestamp_ns) / 1e6);

	wait_obs(p, FXS_HS_OBS_RING_OFF, 1000, &off);
	CHECK_RANGE(off.timestamp_ns, lift.start_ns - MS(1),
		    lift.start_ns + MS(40) + MS(2));

	expect_event(p, FXS_EVENT_RING_ON, 500, NULL);
	deadline = now_ns() + MS(1000);
	while ((!ring_off.type || !hook.type) &&
	       read_event(p, &ev, ms_until(deadline))) {
		if (ev.type == FXS_EVENT_RING_OFF)
			ring_off = ev;
		else if (ev.type == FXS_EVENT_OFFHOOK)
			hook = ev;
		else
			FAIL("unexpected %s (value %u) during the ring-trip",
			     ev_name(ev.type), ev.value);
	}
	CHECKF(ring_off.type, "no RING_OFF event after the ring-trip");
	CHECKF(hook.type, "no OFFHOOK event after the ring-trip");
	CHECK_EQ(ring_off.value, 1);
	CHECK_NEAR_NS(ring_off.timestamp_ns, off.timestamp_ns, 2 + edge_slack_ms());
	CHECK_NEAR_NS(hook.timestamp_ns, lift.end_ns, 2 + edge_slack_ms());
	/* the trip is the lift's edge as the board reported it */
	CHECK_RANGE(ring_off.timestamp_ns, lift.start_ns,
		    lift.start_ns + MS(edge_slack_ms()));
	CHECK_RANGE(off.timestamp_ns, lift.start_ns,
		    lift.start_ns + MS(edge_slack_ms()));

	get_counters(p, &c1);
	CHECK_EQ(c1.ring_trips - c0.ring_trips, 1);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	CHECK_EQ(h.offhook, 1);
	/* the next burst would have started 1500 ms after the first */
	expect_no_obs(p, FXS_HS_OBS_RING_ON,
		      ms_until((int64_t)on.timestamp_ns + MS(1700)));
}

/*
 * Ring-trip in the silent part of the cadence: the ring ends with RING_OFF
 * value 1 all the same, stamped with the lift's edge; the voltage, already
 * off, is not switched again; the cadence does not come back.
 */
static void ring_trip_silent(void)
{
	static const uint32_t cadence[] = { 50, 1000 };
	struct port *p = port_setup(0);
	struct fxs_event on, end, ev, ring_off = { 0 }, hook = { 0 };
	struct fxs_counters c0, c1;
	struct fxs_hook_state h;
	struct fxs_hs_hook lift;
	struct fxs_hs_obs o;
	int64_t deadline;

	get_counters(p, &c0);
	ring_start(p, 1, cadence);
	expect_event(p, FXS_EVENT_RING_ON, 500, &on);
	expect_event(p, FXS_EVENT_RING_OFF, 500, &end);
	CHECK_EQ(end.value, 0);
	wait_obs(p, FXS_HS_OBS_RING_OFF, 500, NULL);
	hs_hook(p, 1, 0, 0, &lift);
	CHECKF(lift.start_ns < on.timestamp_ns + MS(900),
	       "the lift came %.1f ms into the cycle (too late to test)",
	       (int64_t)(lift.start_ns - on.timestamp_ns) / 1e6);

	deadline = now_ns() + MS(1000);
	while ((!ring_off.type || !hook.type) &&
	       read_event(p, &ev, ms_until(deadline))) {
		if (ev.type == FXS_EVENT_RING_OFF)
			ring_off = ev;
		else if (ev.type == FXS_EVENT_OFFHOOK)
			hook = ev;
		else
			FAIL("unexpected %s (value %u) after a ring-trip in silence",
			     ev_name(ev.type), ev.value);
	}
	CHECKF(ring_off.type, "no RING_OFF event after a ring-trip in the silent part");
	CHECK_EQ(ring_off.value, 1);
	CHECK_RANGE(ring_off.timestamp_ns, lift.start_ns,
		    lift.start_ns + MS(edge_slack_ms()));
	CHECKF(hook.type, "no OFFHOOK event after the ring-trip");
	CHECK_RANGE(hook.timestamp_ns, lift.end_ns,
		    lift.end_ns + MS(edge_slack_ms()));
	CHECK_LT(ring_off.seq, hook.seq);

	get_counters(p, &c1);
	CHECK_EQ(c1.ring_trips - c0.ring_trips, 1);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	CHECK_EQ(port_attr_ll(0, "ringing"), 0);
	/* the next burst would have started 1050 ms after the first */
	while (read_obs(p, &o, ms_until((int64_t)on.timestamp_ns + MS(1250))))
		CHECKF(o.type != FXS_HS_OBS_RING_ON && o.type != FXS_HS_OBS_RING_OFF,
		       "ring %s at %+.1f ms after the trip in silence",
		       obs_name(o.type),
		       (int64_t)(o.timestamp_ns - lift.start_ns) / 1e6);
}

/*
 * RING_STOP in the silent part: RING_OFF value 2 ends the cadence (every
 * ring ends with one RING_OFF carrying its reason).
 */
static void ring_stop_silent(void)
{
	static const uint32_t cadence[] = { 50, 1000 };
	struct port *p = port_setup(0);
	struct fxs_event on, ev;
	int64_t t0, t1;

	ring_start(p, 1, cadence);
	expect_event(p, FXS_EVENT_RING_ON, 500, &on);
	expect_event(p, FXS_EVENT_RING_OFF, 500, &ev);
	CHECK_EQ(ev.value, 0);
	wait_obs(p, FXS_HS_OBS_RING_OFF, 500, NULL);
	t0 = now_ns();
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	t1 = now_ns();
	expect_event(p, FXS_EVENT_RING_OFF, 500, &ev);
	CHECK_EQ(ev.value, 2);
	CHECK_RANGE(ev.timestamp_ns, t0, t1);
	/* the voltage was off already: the ringer sees nothing more */
	expect_no_obs(p, 0, ms_until((int64_t)on.timestamp_ns + MS(1250)));
	expect_no_event(p, 0);
}

/* ringing an off-hook phone: -EBUSY, nothing rings */
static void ring_start_offhook_ebusy(void)
{
	struct port *p = port_setup(0);
	struct fxs_ring_cadence c = { .pairs = 1 };
	struct fxs_hook_state h;

	c.on_off_ms[0] = 1000;
	c.on_off_ms[1] = 1000;
	hs_lift(p, NULL, NULL);
	CHECK_ERR(ioctl(p->ctl, FXS_IOC_RING_START, &c), EBUSY);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	expect_no_obs(p, FXS_HS_OBS_RING_ON, 100);
}

/*
 * RING_STOP during a burst: the voltage goes off at once, RING_OFF value 2,
 * sysfs ringing and GET_HOOK follow, and no further burst comes.
 */
static void ring_stop(void)
{
	static const uint32_t cadence[] = { 1000, 200 };
	struct port *p = port_setup(0);
	struct fxs_hs_obs on, off;
	struct fxs_hook_state h;
	struct fxs_hs_state st;
	struct fxs_event ev;
	int64_t t0, t1;

	ring_start(p, 1, cadence);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, &on);
	expect_event(p, FXS_EVENT_RING_ON, 500, NULL);
	CHECK_EQ(port_attr_ll(0, "ringing"), 1);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 1);
	hs_state(p, &st);
	CHECK_EQ(st.ringing, 1);

	t0 = now_ns();
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	t1 = now_ns();
	CHECKF(t0 < (int64_t)on.timestamp_ns + MS(900),
	       "RING_STOP came too late in the burst to test");
	wait_obs(p, FXS_HS_OBS_RING_OFF, 500, &off);
	CHECK_RANGE(off.timestamp_ns, t0, t1 + MS(5));
	expect_event(p, FXS_EVENT_RING_OFF, 500, &ev);
	CHECK_EQ(ev.value, 2);

	CHECK_EQ(port_attr_ll(0, "ringing"), 0);
	get_hook(p, &h);
	CHECK_EQ(h.ringing, 0);
	hs_state(p, &st);
	CHECK_EQ(st.ringing, 0);
	/* the next burst would have started 1200 ms after the first */
	expect_no_obs(p, FXS_HS_OBS_RING_ON,
		      ms_until((int64_t)on.timestamp_ns + MS(1400)));
	/* stopping when nothing rings is fine */
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
}

/* a new RING_START replaces the running cadence */
static void ring_start_replaces(void)
{
	static const uint32_t slow[] = { 2000, 4000 };
	static const uint32_t fast[] = { 100, 100 };
	struct port *p = port_setup(0);
	struct fxs_hs_obs o, prev;
	int64_t restart;
	int i;

	ring_start(p, 1, slow);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, NULL);
	ring_start(p, 1, fast);
	restart = now_ns();
	/*
	 * The slow cadence would show nothing for 2 s.  How the switch-over
	 * itself looks is not specified: start measuring 150 ms after it.
	 */
	do {
		CHECKF(read_obs(p, &prev, 500),
		       "no ring transition within 500 ms of the new cadence");
	} while ((int64_t)prev.timestamp_ns < restart + MS(150) ||
		 (prev.type != FXS_HS_OBS_RING_ON &&
		  prev.type != FXS_HS_OBS_RING_OFF));
	for (i = 0; i < 4; i++) {
		uint32_t want = prev.type == FXS_HS_OBS_RING_ON ?
				FXS_HS_OBS_RING_OFF : FXS_HS_OBS_RING_ON;
		int64_t len;

		CHECKF(read_obs(p, &o, 500), "no ring transition within 500 ms");
		CHECKF(o.type == want, "transition %d is %s, expected %s", i,
		       obs_name(o.type), obs_name(want));
		len = (int64_t)(o.timestamp_ns - prev.timestamp_ns);
		CHECKF(llabs(len - MS(100)) <= MS(5 + edge_slack_ms()),
		       "period %d of the new cadence lasted %.3f ms, expected 100 +- %d",
		       i, len / 1e6, 5 + edge_slack_ms());
		prev = o;
	}
}

/*
 * The ring frequency as the handset sees it (the RING_ON observation's
 * value, mHz): the simulated Si3215 rings at what its oscillator was
 * programmed for (the simulator's silabs,ring-frequency-hz, 20 Hz), to
 * the coefficient's resolution; the loopback board does not model it (0).
 * The burst on the handset's side lasts its nominal time (+-20 ms: a
 * chip switches when the port's worker writes it).
 */
static void ring_frequency(void)
{
	static const uint32_t cadence[] = { 300, 300 };
	struct port *p = port_setup(0);
	struct fxs_hs_obs on, off;
	char board[32];
	int64_t len;

	port_attr(0, "board", board, sizeof(board));
	CHECKF(!strcmp(board, board_name()), "fxs0 is board %s, expected %s",
	       board, board_name());
	ring_start(p, 1, cadence);
	wait_obs(p, FXS_HS_OBS_RING_ON, 1000, &on);
	wait_obs(p, FXS_HS_OBS_RING_OFF, 1000, &off);
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	if (!strcmp(board, "si3215"))
		CHECKF(on.value >= 19900 && on.value <= 20100,
		       "RING_ON at %u mHz, expected 20000 +- 100", on.value);
	else
		CHECKF(on.value == 0, "RING_ON value %u on board %s, expected 0",
		       on.value, board);
	len = (int64_t)(off.timestamp_ns - on.timestamp_ns);
	CHECKF(llabs(len - MS(300)) <= MS(20),
	       "the burst lasted %.3f ms on the line, expected 300 +- 20",
	       len / 1e6);
}

static const struct fxs_case cases[] = {
	CASE_T(ring_cadence_us_uk, 45),
	CASE(ring_frequency),
	CASE(ring_trip),
	CASE(ring_trip_silent),
	CASE(ring_stop_silent),
	CASE(ring_start_offhook_ebusy),
	CASE(ring_stop),
	CASE(ring_start_replaces),
};
DEFINE_SUITE(ring_suite, cases);
