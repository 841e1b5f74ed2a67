// SPDX-License-Identifier: GPL-2.0
/*
 * info.c - port info, exclusive open, GET_HOOK, sysfs attributes
 */
#include "harness.h"

#include <stdio.h>

static void check_info(int index)
{
	struct port *p = port_setup(index);
	struct fxs_port_info info;
	size_t i;

	memset(&info, 0xa5, sizeof(info));
	IOCTL(p->ctl, FXS_IOC_GET_INFO, &info);
	CHECKF(memchr(info.board, '\0', sizeof(info.board)),
	       "board name is not NUL-terminated");
	CHECKF(!strcmp(info.board, board_name()),
	       "expected board \"%s\", got \"%s\"", board_name(), info.board);
	CHECK_EQ(info.index, index);
	CHECKF((info.caps & (FXS_CAP_PCM | FXS_CAP_RING)) ==
	       (FXS_CAP_PCM | FXS_CAP_RING),
	       "expected caps to include PCM|RING (%#x), got %#x",
	       FXS_CAP_PCM | FXS_CAP_RING, info.caps);
	CHECK_EQ(info.rate, 8000);
	CHECKF((info.periods & ((1U << 10) | (1U << 20))) ==
	       ((1U << 10) | (1U << 20)),
	       "expected periods to have bits 10 and 20, got %#x",
	       info.periods);
	for (i = 0; i < ARRAY_SIZE(info.padding); i++)
		CHECKF(info.padding[i] == 0, "info.padding[%zu] = %#x, expected 0",
		       i, info.padding[i]);
}

static void info_port0(void)
{
	check_info(0);
}

static void info_port1(void)
{
	check_info(1);
}

/* A second open of the port fails with -EBUSY until the owner closes. */
static void open_exclusive(void)
{
	struct port *p = port_setup(0);

	CHECK_ERR(open("/dev/fxs0", O_RDWR | O_CLOEXEC), EBUSY);
	CHECK_ERR(open("/dev/fxs0", O_RDONLY | O_CLOEXEC), EBUSY);
	port_close_ctl(p);
	p->ctl = CHECK_OK(open("/dev/fxs0", O_RDWR | O_CLOEXEC));
	CHECK_ERR(open("/dev/fxs0", O_RDWR | O_CLOEXEC), EBUSY);
}

/* The audio descriptor alone keeps the port owned. */
static void open_exclusive_pcm_holds_port(void)
{
	struct port *p = port_setup(0);
	int pcm = pcm_open(p, 20, O_CLOEXEC);

	port_close_ctl(p);
	CHECK_ERR(open("/dev/fxs0", O_RDWR | O_CLOEXEC), EBUSY);
	pcm_close(p, pcm);
	p->ctl = CHECK_OK(open("/dev/fxs0", O_RDWR | O_CLOEXEC));
}

/* The handset node is not exclusive (the fixture already holds one). */
static void handset_open_shared(void)
{
	struct fxs_hs_state st;
	int fd;

	port_setup(0);
	fd = CHECK_OK(open("/dev/fxs_hs0", O_RDWR | O_CLOEXEC));
	memset(&st, 0, sizeof(st));
	CHECK_OK(ioctl(fd, FXS_HS_IOC_GET_STATE, &st));
	close(fd);
	CHECK_EQ(st.offhook, 0);
}

/* GET_HOOK follows the debounced hook state; since_ns is the edge. */
static void hook_get_state(void)
{
	struct port *p = port_setup(0);
	struct fxs_hook_state h;
	struct fxs_hs_hook lift;
	size_t i;

	get_hook(p, &h);
	CHECK_EQ(h.offhook, 0);
	CHECK_EQ(h.ringing, 0);

	hs_lift(p, &lift, NULL);
	get_hook(p, &h);
	CHECK_EQ(h.offhook, 1);
	CHECK_EQ(h.ringing, 0);
	CHECK_NEAR_NS(h.since_ns, lift.end_ns, 2 + edge_slack_ms());
	for (i = 0; i < ARRAY_SIZE(h.padding); i++)
		CHECK_EQ(h.padding[i], 0);
}

static void check_word(int index, const char *attr, const char *want)
{
	char buf[128], norm[128];

	port_attr(index, attr, buf, sizeof(buf));
	snprintf(norm, sizeof(norm), "%s", buf);
	normalize_word(norm);
	CHECKF(strstr(norm, want),
	       "/sys/class/fxs/fxs%d/%s: expected \"%s\", got \"%s\"",
	       index, attr, want, buf);
}

/* board, hook, linefeed and ringing reflect the port's state */
static void sysfs_state_files(void)
{
	struct port *p = port_setup(0);
	char buf[128], norm[128];

	port_attr(0, "board", buf, sizeof(buf));
	CHECKF(!strcmp(buf, board_name()), "board: expected \"%s\", got \"%s\"",
	       board_name(), buf);
	port_attr(0, "hook", buf, sizeof(buf));
	snprintf(norm, sizeof(norm), "%s", buf);
	normalize_word(norm);
	CHECKF(strstr(norm, "onhook") && !strstr(norm, "offhook"),
	       "hook: expected \"onhook\", got \"%s\"", buf);
	check_word(0, "linefeed", "forward");
	CHECK_EQ(port_attr_ll(0, "ringing"), 0);

	hs_lift(p, NULL, NULL);
	check_word(0, "hook", "offhook");

	set_linefeed(p, FXS_LINEFEED_REVERSE);
	check_word(0, "linefeed", "reverse");
	set_linefeed(p, FXS_LINEFEED_FORWARD);
	check_word(0, "linefeed", "forward");
}

/* counters/offhooks counts lifts, like FXS_IOC_GET_COUNTERS */
static void sysfs_counters(void)
{
	struct port *p = port_setup(0);
	struct fxs_counters c;
	long long before, after;

	before = port_attr_ll(0, "counters/offhooks");
	(void)port_attr_ll(0, "counters/digits");
	hs_lift(p, NULL, NULL);
	after = port_attr_ll(0, "counters/offhooks");
	CHECK_EQ(after, before + 1);
	get_counters(p, &c);
	CHECK_EQ(c.offhooks, after);
}

static const struct fxs_case cases[] = {
	CASE(info_port0),
	CASE(info_port1),
	CASE(open_exclusive),
	CASE(open_exclusive_pcm_holds_port),
	CASE(handset_open_shared),
	CASE(hook_get_state),
	CASE(sysfs_state_files),
	CASE(sysfs_counters),
};
DEFINE_SUITE(info_suite, cases);
