// SPDX-License-Identifier: GPL-2.0
/*
 * pulse.c - rotary-dial (pulse) digits: every digit at 10 pulses/s, the
 * break-length limits, and contact bounce on the dial's edges.
 *
 * A digit is reported interdigit_ms (300) after its last break ended;
 * assumed measured from that break's end (the handset's end_ns).
 */
#include "harness.h"

#define INTERDIGIT_MS	300

/* off-hook, dial, expect exactly that DIGIT as the next event */
static void dial_expect(unsigned int digit, unsigned int break_ms,
			unsigned int make_ms, unsigned int bounce_count,
			unsigned int bounce_us)
{
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	int64_t settle = (int64_t)2 * bounce_count * bounce_us * 1000;
	struct fxs_hs_dial d;
	struct fxs_event ev;

	hs_lift(p, NULL, NULL);
	get_counters(p, &c0);
	hs_dial(p, digit, break_ms, make_ms, bounce_count, bounce_us, &d);
	expect_event(p, FXS_EVENT_DIGIT,
		     ms_until(d.end_ns) + INTERDIGIT_MS + 1000, &ev);
	CHECK_EQ(ev.value, digit);
	/*
	 * With bounce, an edge is a burst of edges: the first one or the one
	 * the contact settled on may count (settle after the first).
	 */
	CHECK_RANGE(ev.timestamp_ns, d.start_ns - MS(EDGE_TOL_MS),
		    d.start_ns + settle + MS(EDGE_TOL_MS));
	/* reported interdigit after the last break's end (end_ns = settled) */
	CHECK_GE(p->last_rx_ns, d.end_ns - settle + MS(INTERDIGIT_MS) - MS(2));
	get_counters(p, &c1);
	CHECK_EQ(c1.digits - c0.digits, 1);
}

#define DIGIT_CASE(d) \
	static void pulse_digit_##d(void) { dial_expect(d, 60, 40, 0, 0); }
DIGIT_CASE(1)
DIGIT_CASE(2)
DIGIT_CASE(3)
DIGIT_CASE(4)
DIGIT_CASE(5)
DIGIT_CASE(6)
DIGIT_CASE(7)
DIGIT_CASE(8)
DIGIT_CASE(9)
DIGIT_CASE(0)

/* the pulse-break window's ends, 30 and 80 ms, are inside it */
static void pulse_break_30ms(void)
{
	dial_expect(3, 30, 40, 0, 0);
}

static void pulse_break_80ms(void)
{
	dial_expect(3, 80, 40, 0, 0);
}

/* contact bounce on every dial edge (2 bounces of 1 ms) changes nothing */
static void pulse_bounce_edges(void)
{
	dial_expect(5, 60, 40, 2, 1000);
}

/* breaks outside the pulse window give no digit (and count as bounces) */
static void dial_ignored(unsigned int break_ms)
{
	struct port *p = port_setup(0);
	struct fxs_counters c0, c1;
	struct fxs_hook_state h;
	struct fxs_hs_dial d;

	hs_lift(p, NULL, NULL);
	get_counters(p, &c0);
	hs_dial(p, 3, break_ms, 40, 0, 0, &d);
	expect_no_event(p, ms_until(d.end_ns) + INTERDIGIT_MS + 300);
	get_counters(p, &c1);
	CHECK_EQ(c1.digits, c0.digits);
	CHECK_GE(c1.bounces, c0.bounces + 1);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 1);
}

static void pulse_break_25ms_ignored(void)
{
	dial_ignored(25);
}

static void pulse_break_85ms_ignored(void)
{
	dial_ignored(85);
}

/* two digits in a row, each reported on its own, in order */
static void pulse_two_digits(void)
{
	struct port *p = port_setup(0);
	struct fxs_event e1, e2;
	struct fxs_hs_dial d;

	hs_lift(p, NULL, NULL);
	hs_dial(p, 4, 60, 40, 0, 0, &d);
	expect_event(p, FXS_EVENT_DIGIT,
		     ms_until(d.end_ns) + INTERDIGIT_MS + 1000, &e1);
	CHECK_EQ(e1.value, 4);
	hs_wait(p);
	hs_dial(p, 2, 60, 40, 0, 0, &d);
	expect_event(p, FXS_EVENT_DIGIT,
		     ms_until(d.end_ns) + INTERDIGIT_MS + 1000, &e2);
	CHECK_EQ(e2.value, 2);
	CHECK_EQ(e2.seq, e1.seq + 1);
	CHECK_NEAR_NS(e2.timestamp_ns, d.start_ns, EDGE_TOL_MS);
}

static const struct fxs_case cases[] = {
	CASE(pulse_digit_1),
	CASE(pulse_digit_2),
	CASE(pulse_digit_3),
	CASE(pulse_digit_4),
	CASE(pulse_digit_5),
	CASE(pulse_digit_6),
	CASE(pulse_digit_7),
	CASE(pulse_digit_8),
	CASE(pulse_digit_9),
	CASE(pulse_digit_0),
	CASE(pulse_break_30ms),
	CASE(pulse_break_80ms),
	CASE(pulse_break_25ms_ignored),
	CASE(pulse_break_85ms_ignored),
	CASE(pulse_bounce_edges),
	CASE(pulse_two_digits),
};
DEFINE_SUITE(pulse_suite, cases);
