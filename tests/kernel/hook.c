// SPDX-License-Identifier: GPL-2.0
/*
 * hook.c - the hook-switch classifier: debounce, flash windows, hang-up,
 * and the tunable timing (FXS_IOC_GET_TIMING / FXS_IOC_SET_TIMING).
 *
 * Defaults (fxs.h): debounce 40, pulse break 30..80, make 30..80,
 * interdigit 300, flash 100..1000 ms.
 */
#include "harness.h"

/*
 * A lift shorter than the debounce is ignored.  The lift lasts from the
 * lift's end_ns to the replace's start_ns; if scheduling stretched it past
 * 35 ms the attempt does not count and is repeated.
 */
static void debounce_short_lift(void)
{
	struct port *p = port_setup(0);
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		struct fxs_hs_hook up, down;
		int64_t lifted;

		hs_hook(p, 1, 0, 0, &up);
		sleep_until_ns((int64_t)up.end_ns + MS(20));
		hs_hook(p, 0, 0, 0, &down);
		lifted = (int64_t)down.start_ns - (int64_t)up.end_ns;
		if (lifted < MS(35)) {
			expect_no_event(p, 500);
			return;
		}
		tinfo("the lift lasted %.1f ms (scheduling delay), retrying",
		      lifted / 1e6);
		port_quiesce(p);
	}
	SKIP("could not make a lift shorter than 35 ms in 3 attempts");
}

/* a 10 ms break while off-hook is contact bounce: no event, counted */
static void debounce_short_break(void)
{
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	struct fxs_hook_state h;
	struct fxs_hs_flash f;

	hs_lift(p, NULL, NULL);
	get_counters(p, &c0);
	hs_flash(p, 10, &f);
	expect_no_event(p, ms_until(f.end_ns) + 500);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 1);
	get_counters(p, &c1);
	CHECK_GE(c1.bounces, c0.bounces + 1);
}

/*
 * A lift with contact bounce gives exactly one OFFHOOK.  Its timestamp is
 * the edge that began the stable off-hook period, i.e. the last bounce
 * edge: the handset's end_ns (not start_ns).
 */
static void debounce_bounced_lift(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_hook lift;
	struct fxs_event ev;

	hs_hook(p, 1, 3, 2000, &lift);
	CHECK_GT(lift.end_ns, lift.start_ns);
	expect_event(p, FXS_EVENT_OFFHOOK, ms_until(lift.end_ns) + 1000, &ev);
	CHECK_NEAR_NS(ev.timestamp_ns, lift.end_ns, EDGE_TOL_MS);
	CHECK_GE(p->last_rx_ns, lift.end_ns + MS(40) - MS(1));
	expect_no_event(p, 300);
}

/* off-hook, break for break_ms: the next event must be a FLASH of that length */
static void flash_is_flash(unsigned int break_ms)
{
	struct port *p = port_setup(0);
	struct fxs_hook_state h;
	struct fxs_hs_flash f;
	struct fxs_event ev;

	hs_lift(p, NULL, NULL);
	hs_flash(p, break_ms, &f);
	expect_event(p, FXS_EVENT_FLASH, ms_until(f.end_ns) + 1000, &ev);
	CHECK_RANGE(ev.value, break_ms - 1 - edge_slack_ms(),
		    break_ms + 1 + edge_slack_ms());
	CHECK_NEAR_NS(ev.timestamp_ns, f.start_ns, EDGE_TOL_MS);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 1);
}

static void flash_100ms(void)
{
	flash_is_flash(100);
}

static void flash_990ms(void)
{
	flash_is_flash(990);
}

/* 95 ms: too long for a pulse, too short for a flash: ignored, counted */
static void flash_95ms_ignored(void)
{
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	struct fxs_hs_flash f;

	hs_lift(p, NULL, NULL);
	get_counters(p, &c0);
	hs_flash(p, 95, &f);
	expect_no_event(p, ms_until(f.end_ns) + 500);
	get_counters(p, &c1);
	CHECK_GE(c1.bounces, c0.bounces + 1);
	CHECK_EQ(c1.flashes, c0.flashes);
	CHECK_EQ(c1.digits, c0.digits);
}

/*
 * 1010 ms: longer than the flash window, a hang-up (ONHOOK stamped with the
 * break's start); closing the loop again is a new lift (OFFHOOK).
 */
static void flash_1010ms_is_hangup(void)
{
	struct port *p = port_setup(0);
	struct fxs_event on, off;
	struct fxs_hs_flash f;

	hs_lift(p, NULL, NULL);
	hs_flash(p, 1010, &f);
	expect_event(p, FXS_EVENT_ONHOOK, ms_until(f.start_ns) + 2000, &on);
	CHECK_NEAR_NS(on.timestamp_ns, f.start_ns, EDGE_TOL_MS);
	CHECK_GE(p->last_rx_ns, f.start_ns + MS(1000) - MS(1));
	expect_event(p, FXS_EVENT_OFFHOOK, ms_until(f.end_ns) + 1000, &off);
	CHECK_NEAR_NS(off.timestamp_ns, f.end_ns, EDGE_TOL_MS);
}

/* after a hang-up (handset replaced), lifting again gives OFFHOOK */
static void hangup_then_lift(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_hook down, up;
	struct fxs_event ev;

	hs_lift(p, NULL, NULL);
	hs_hook(p, 0, 0, 0, &down);
	expect_event(p, FXS_EVENT_ONHOOK, ms_until(down.start_ns) + 2000, NULL);
	hs_hook(p, 1, 0, 0, &up);
	expect_event(p, FXS_EVENT_OFFHOOK, ms_until(up.end_ns) + 1000, &ev);
	CHECK_NEAR_NS(ev.timestamp_ns, up.end_ns, EDGE_TOL_MS);
}

static void check_timing_eq(const struct fxs_hook_timing *got,
			    const struct fxs_hook_timing *want)
{
	CHECK_EQ(got->debounce_ms, want->debounce_ms);
	CHECK_EQ(got->pulse_break_min_ms, want->pulse_break_min_ms);
	CHECK_EQ(got->pulse_break_max_ms, want->pulse_break_max_ms);
	CHECK_EQ(got->pulse_make_min_ms, want->pulse_make_min_ms);
	CHECK_EQ(got->pulse_make_max_ms, want->pulse_make_max_ms);
	CHECK_EQ(got->interdigit_ms, want->interdigit_ms);
	CHECK_EQ(got->flash_min_ms, want->flash_min_ms);
	CHECK_EQ(got->flash_max_ms, want->flash_max_ms);
	CHECKF(all_zero(got->padding, sizeof(got->padding)),
	       "GET_TIMING padding is not zero");
}

/* GET_TIMING starts at the documented defaults; SET/GET round-trip */
static void timing_roundtrip(void)
{
	static const struct fxs_hook_timing custom = {
		.debounce_ms = 50,
		.pulse_break_min_ms = 25,
		.pulse_break_max_ms = 70,
		.pulse_make_min_ms = 25,
		.pulse_make_max_ms = 90,
		.interdigit_ms = 400,
		.flash_min_ms = 120,
		.flash_max_ms = 800,
	};
	struct port *p = port_setup(0);
	struct port *p1 = port_setup(1);
	struct fxs_hook_timing t;

	get_timing(p, &t);
	check_timing_eq(&t, &fxs_default_timing);
	set_timing(p, &custom);
	get_timing(p, &t);
	check_timing_eq(&t, &custom);
	/* per port */
	get_timing(p1, &t);
	check_timing_eq(&t, &fxs_default_timing);
	set_timing(p, &fxs_default_timing);
	get_timing(p, &t);
	check_timing_eq(&t, &fxs_default_timing);
}

/* with flash_max 500, a 400 ms break is a flash and 600 ms a hang-up */
static void timing_flash_max_500(void)
{
	struct port *p = port_setup(0);
	struct fxs_hook_timing t = fxs_default_timing;
	struct fxs_hs_flash f;
	struct fxs_event ev;

	t.flash_max_ms = 500;
	set_timing(p, &t);
	hs_lift(p, NULL, NULL);

	hs_flash(p, 400, &f);
	expect_event(p, FXS_EVENT_FLASH, ms_until(f.end_ns) + 1000, &ev);
	CHECK_RANGE(ev.value, 399 - edge_slack_ms(), 401 + edge_slack_ms());
	hs_wait(p);

	hs_flash(p, 600, &f);
	expect_event(p, FXS_EVENT_ONHOOK, ms_until(f.start_ns) + 1500, &ev);
	CHECK_NEAR_NS(ev.timestamp_ns, f.start_ns, EDGE_TOL_MS);
	CHECK_GE(p->last_rx_ns, f.start_ns + MS(500) - MS(1));
	CHECK_LT(p->last_rx_ns, f.end_ns + MS(500));
	expect_event(p, FXS_EVENT_OFFHOOK, ms_until(f.end_ns) + 1000, NULL);
	/* teardown restores the defaults */
}

static uint64_t hs_edge(struct port *p, int offhook, uint64_t ago_ns)
{
	struct fxs_hs_edge e = { .offhook = offhook, .ago_ns = ago_ns };

	IOCTL(p->hs, FXS_HS_IOC_EDGE, &e);
	return e.ts_ns;
}

/*
 * The board reports a make stamped 10 ms before the break it reported just
 * before (out of order).  The break then lasted "no time": a bounce, not a
 * hang-up (an unsigned break length that wrapped looked like a hang-up the
 * timer missed: ONHOOK, then OFFHOOK again).
 */
static void hook_edge_out_of_order(void)
{
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	struct fxs_hook_state h;
	struct fxs_event lift;
	uint64_t brk, make;

	hs_lift(p, NULL, &lift);
	get_counters(p, &c0);
	brk = hs_edge(p, 0, 0);
	make = hs_edge(p, 1, MS(10));
	CHECK_LT(make, brk);
	/* past the flash window: a hang-up would have been reported */
	expect_no_event(p, 1300);
	get_counters(p, &c1);
	CHECK_EQ(c1.onhooks, c0.onhooks);
	CHECK_EQ(c1.bounces, c0.bounces + 1);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 1);
	CHECK_EQ(h.since_ns, lift.timestamp_ns);
}

static const struct fxs_case cases[] = {
	CASE(hook_edge_out_of_order),
	CASE(debounce_short_lift),
	CASE(debounce_short_break),
	CASE(debounce_bounced_lift),
	CASE(flash_100ms),
	CASE(flash_95ms_ignored),
	CASE(flash_990ms),
	CASE(flash_1010ms_is_hangup),
	CASE(hangup_then_lift),
	CASE(timing_roundtrip),
	CASE(timing_flash_max_500),
};
DEFINE_SUITE(hook_suite, cases);
