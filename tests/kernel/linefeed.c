// SPDX-License-Identifier: GPL-2.0
/*
 * linefeed.c - SET/GET_LINEFEED as seen by the handset: line feed and
 * polarity observations, sysfs, invalid modes, open loop.
 */
#include "harness.h"

/*
 * After SET_LINEFEED: the handset sees LINEFEED <mode> and, when the
 * polarity changes, POLARITY <polarity> (either order); polarity -1: no
 * POLARITY observation may come.
 */
static void expect_feed(struct port *p, uint32_t mode, int polarity)
{
	bool got_feed = false, got_pol = polarity < 0;
	int64_t deadline = now_ns() + MS(500);
	struct fxs_hs_obs o;

	while ((!got_feed || !got_pol) && read_obs(p, &o, ms_until(deadline))) {
		if (o.type == FXS_HS_OBS_LINEFEED) {
			CHECKF(o.value == mode,
			       "LINEFEED observation %u, expected %u", o.value,
			       mode);
			got_feed = true;
		} else if (o.type == FXS_HS_OBS_POLARITY) {
			CHECKF(polarity >= 0,
			       "unexpected POLARITY %u observation for line feed %u",
			       o.value, mode);
			CHECKF((int)o.value == polarity,
			       "POLARITY observation %u, expected %d", o.value,
			       polarity);
			got_pol = true;
		}
	}
	CHECKF(got_feed, "no LINEFEED %u observation within 500 ms", mode);
	CHECKF(got_pol, "no POLARITY %d observation within 500 ms", polarity);
	if (polarity < 0)
		expect_no_obs(p, FXS_HS_OBS_POLARITY, 50);
	CHECK_EQ(get_linefeed(p), mode);
}

static void linefeed_reverse(void)
{
	struct port *p = port_setup(0);
	struct fxs_hs_state st;

	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_FORWARD);
	set_linefeed(p, FXS_LINEFEED_REVERSE);
	expect_feed(p, FXS_LINEFEED_REVERSE, 1);
	hs_state(p, &st);
	CHECK_EQ(st.linefeed, FXS_LINEFEED_REVERSE);

	set_linefeed(p, FXS_LINEFEED_FORWARD);
	expect_feed(p, FXS_LINEFEED_FORWARD, 0);
	hs_state(p, &st);
	CHECK_EQ(st.linefeed, FXS_LINEFEED_FORWARD);
}

static void linefeed_oht(void)
{
	struct port *p = port_setup(0);

	set_linefeed(p, FXS_LINEFEED_OHT);
	expect_feed(p, FXS_LINEFEED_OHT, -1);
	set_linefeed(p, FXS_LINEFEED_OHT_REVERSE);
	expect_feed(p, FXS_LINEFEED_OHT_REVERSE, 1);
	set_linefeed(p, FXS_LINEFEED_FORWARD);
	expect_feed(p, FXS_LINEFEED_FORWARD, 0);
}

/* open loop: no battery, so a lift cannot be sensed */
static void linefeed_open_no_hook(void)
{
	struct port *p = port_setup(0);
	struct fxs_hook_state h;

	set_linefeed(p, FXS_LINEFEED_OPEN);
	expect_feed(p, FXS_LINEFEED_OPEN, -1);
	hs_hook(p, 1, 0, 0, NULL);
	expect_no_event(p, 300);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 0);
	/* teardown returns the feed to FORWARD and hangs up */
}

/*
 * Open loop while off hook, as a disconnect signal: without battery the
 * line cannot tell the hook switch, so the open interval is neither a hook
 * flash nor a hang-up; with the feed back the hook is what it is then.
 */
static struct port *lift_then_open(struct fxs_hook_timing *t)
{
	struct port *p = port_setup(0);

	get_timing(p, t);
	hs_lift(p, NULL, NULL);
	set_linefeed(p, FXS_LINEFEED_OPEN);
	expect_feed(p, FXS_LINEFEED_OPEN, -1);
	return p;
}

static void linefeed_open_offhook_no_flash(void)
{
	struct fxs_hook_timing t;
	struct port *p = lift_then_open(&t);
	struct fxs_hook_state h;

	sleep_ms(t.flash_min_ms + 100);
	set_linefeed(p, FXS_LINEFEED_FORWARD);
	wait_obs(p, FXS_HS_OBS_LINEFEED, 500, NULL);
	expect_no_event(p, t.flash_max_ms + 300);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 1);
}

/* ... and a hang-up during the open interval is seen once the feed is back */
static void linefeed_open_hangup_seen_after(void)
{
	struct fxs_hook_timing t;
	struct port *p = lift_then_open(&t);
	struct fxs_hook_state h;

	hs_hook(p, 0, 0, 0, NULL);
	hs_wait(p);
	expect_no_event(p, 200);
	set_linefeed(p, FXS_LINEFEED_FORWARD);
	expect_event(p, FXS_EVENT_ONHOOK, t.flash_max_ms + 1000, NULL);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 0);
}

static void linefeed_invalid(void)
{
	static const uint32_t bad[] = { 5, 6, 100, 0x80000000u, 0xffffffffu };
	struct port *p = port_setup(0);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct fxs_linefeed_req r = { .mode = bad[i] };

		CHECK_ERR(ioctl(p->ctl, FXS_IOC_SET_LINEFEED, &r), EINVAL);
	}
	CHECK_EQ(get_linefeed(p), FXS_LINEFEED_FORWARD);
	expect_no_obs(p, 0, 50);
}

static const struct fxs_case cases[] = {
	CASE(linefeed_reverse),
	CASE(linefeed_oht),
	CASE(linefeed_open_no_hook),
	CASE(linefeed_open_offhook_no_flash),
	CASE(linefeed_open_hangup_seen_after),
	CASE(linefeed_invalid),
};
DEFINE_SUITE(linefeed_suite, cases);
