// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_config.c - unit tests for daemon/config.c.
 *
 * Files under tests/daemon/config/ are found relative to the current
 * directory: run from the project root.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

#define _cleanup_config_ __attribute__((cleanup(config_freep)))
#define CFG_DIR "tests/daemon/config/"
#define P "/etc/fxsd/fxsd.conf"

static void freep(void *p)
{
	free(*(void **)p);
}

#define _cleanup_free_ __attribute__((cleanup(freep)))

/* ---- helpers ---------------------------------------------------------- */

/* Parse @text that must be good; on failure the case fails with the error. */
#define PARSE_OK(var, text)						\
	do {								\
		char err_[512];						\
		int r_ = config_parse_string((text), P, &(var), err_,	\
					     sizeof(err_));		\
		CHECK(r_ == 0, "parse failed (%d): %s", r_, err_);	\
		CHECK(var, "no config returned");			\
	} while (0)

/* Parse @text that must fail with -EINVAL and exactly @want. */
static void check_error(const char *text, const char *want)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_parse_string(text, P, &c, err, sizeof(err));
	CHECK(r == -EINVAL, "got %d (%s), want -EINVAL (%s)", r,
	      r ? err : "no error", want);
	CHECK(c == NULL, "config returned on error");
	CHECK_STR(err, want);
}

/* One case per bad input, so each failure shows up under its own name. */
#define ERR_CASE(name, text, want)					\
	UNIT_TEST(error_##name)						\
	{								\
		check_error((text), (want));				\
	}

/* A [port 0] with the required keys, for tests of one other key. */
#define PORT0 "[port 0]\nuser = 100\ndomain = pbx.example.org\n"

/* Dump @c into a heap string (NULL on failure). */
static char *dump_to_string(const struct fxsd_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return NULL;
	r = config_dump(c, f);
	fclose(f);
	if (r < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Every value field of two configs (not the header line numbers). */
static void check_same_config(const struct fxsd_config *a,
			      const struct fxsd_config *b)
{
	const struct fxsd_global_config *ga = &a->global, *gb = &b->global;
	size_t i;

	CHECK_INT(ga->sip_port, gb->sip_port);
	CHECK_INT(ga->transport, gb->transport);
	CHECK_INT(ga->rtp_port_min, gb->rtp_port_min);
	CHECK_INT(ga->rtp_port_max, gb->rtp_port_max);
	CHECK_STR(ga->nat_address, gb->nat_address);
	CHECK_INT(ga->nat_family, gb->nat_family);
	CHECK_INT(ga->tone_country, gb->tone_country);
	CHECK_INT(ga->log_level, gb->log_level);
	CHECK_INT(ga->max_dialogs, gb->max_dialogs);
	CHECK_INT(ga->max_transactions, gb->max_transactions);
	CHECK_INT(ga->max_message_size, gb->max_message_size);
	CHECK_INT(a->n_ports, b->n_ports);
	for (i = 0; i < a->n_ports; i++) {
		const struct fxsd_port_config *x = &a->ports[i],
					      *y = &b->ports[i];

		CHECK_INT(x->index, y->index);
		CHECK_STR(x->user, y->user);
		CHECK_STR(x->auth_user, y->auth_user);
		CHECK_STR(x->password, y->password);
		CHECK_STR(x->display_name, y->display_name);
		CHECK_STR(x->domain, y->domain);
		CHECK_STR(x->registrar, y->registrar);
		CHECK_STR(x->outbound_proxy, y->outbound_proxy);
		CHECK_INT(x->expires, y->expires);
		CHECK_INT(x->register_enabled, y->register_enabled);
		CHECK_STR(x->digit_map, y->digit_map);
		CHECK_INT(x->interdigit_long_ms, y->interdigit_long_ms);
		CHECK_INT(x->interdigit_short_ms, y->interdigit_short_ms);
		CHECK_INT(x->early_media_ringback, y->early_media_ringback);
		CHECK_INT(x->call_waiting, y->call_waiting);
		CHECK_INT(x->callerid_waiting, y->callerid_waiting);
		CHECK_INT(x->three_way, y->three_way);
		CHECK_INT(x->transfer_on_hangup, y->transfer_on_hangup);
		CHECK_INT(x->conference_hangup_transfer,
			  y->conference_hangup_transfer);
		CHECK_INT(x->allow_unknown_callers, y->allow_unknown_callers);
		CHECK_INT(x->contact_token, y->contact_token);
		CHECK_INT(x->ring_holdoff_ms, y->ring_holdoff_ms);
		CHECK_INT(x->tone_country, y->tone_country);
		CHECK_INT(x->disconnect_open_loop_ms,
			  y->disconnect_open_loop_ms);
		CHECK_INT(x->echo_tail_ms, y->echo_tail_ms);
		CHECK_INT(x->play_cushion_frames, y->play_cushion_frames);
		CHECK_INT(x->dtmf_mode, y->dtmf_mode);
		CHECK_INT(x->mwi_subscribe, y->mwi_subscribe);
		CHECK_STR(x->mwi_server, y->mwi_server);
		CHECK_INT(x->mwi_expires, y->mwi_expires);
		CHECK_INT(x->rtcp_xr, y->rtcp_xr);
		CHECK_STR(x->vq_collector, y->vq_collector);
		CHECK_INT(x->session_expires, y->session_expires);
		CHECK_INT(x->min_se, y->min_se);
		CHECK_INT(x->n_ring_cadence_pairs, y->n_ring_cadence_pairs);
		CHECK(memcmp(x->ring_cadence_ms, y->ring_cadence_ms,
			     sizeof(x->ring_cadence_ms)) == 0,
		      "port %d ring_cadence_ms differ", x->index);
		CHECK_INT(x->dnd, y->dnd);
		CHECK_INT(x->anonymous_reject, y->anonymous_reject);
		CHECK_STR(x->forward_all, y->forward_all);
		CHECK_STR(x->forward_busy, y->forward_busy);
		CHECK_STR(x->forward_no_answer, y->forward_no_answer);
		CHECK_INT(x->forward_no_answer_secs, y->forward_no_answer_secs);
		CHECK_STR(x->voice_menu, y->voice_menu);
		CHECK_INT(x->unavailable_announcement, y->unavailable_announcement);
		CHECK_INT(x->n_ring_alerts, y->n_ring_alerts);
		CHECK(memcmp(x->ring_alerts, y->ring_alerts,
			     sizeof(x->ring_alerts)) == 0,
		      "port %d ring_alerts differ", x->index);
	}
}

/* Dump @c, re-parse the dump, compare; also check the dump is a fixpoint. */
static void check_round_trip(const struct fxsd_config *c)
{
	_cleanup_config_ struct fxsd_config *c2 = NULL;
	_cleanup_free_ char *d1 = NULL, *d2 = NULL;
	char err[512];
	int r;

	d1 = dump_to_string(c);
	CHECK(d1, "config_dump failed");
	r = config_parse_string(d1, "dump", &c2, err, sizeof(err));
	CHECK(r == 0, "re-parse failed (%d): %s\n%s", r, err, d1);
	check_same_config(c, c2);
	if (unit_failed())
		return;
	d2 = dump_to_string(c2);
	CHECK(d2, "second config_dump failed");
	CHECK_STR(d2, d1);
}

/* ---- good files ------------------------------------------------------- */

UNIT_TEST(good_file_global)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_global_config *g;
	char err[512] = "";
	int r;

	r = config_load(CFG_DIR "good.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	CHECK_STR(err, "");
	CHECK_STR(c->path, CFG_DIR "good.conf");
	g = &c->global;
	CHECK_INT(g->line, 4);
	CHECK_INT(g->sip_port, 5062);
	CHECK_INT(g->transport, CONFIG_TRANSPORT_TCP);
	CHECK_INT(g->rtp_port_min, 16384);
	CHECK_INT(g->rtp_port_max, 16482);
	CHECK_STR(g->nat_address, "203.0.113.7");
	CHECK_INT(g->nat_family, AF_INET);
	CHECK_INT(g->tone_country, CONFIG_TONE_DE);
	CHECK_INT(g->log_level, LOG_DEBUG);
	CHECK_INT(g->max_dialogs, 4);
	CHECK_INT(g->max_transactions, 128);
	CHECK_INT(g->max_message_size, 4096);
}

UNIT_TEST(good_file_port0_all_keys)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;
	char err[512];
	int r;

	r = config_load(CFG_DIR "good.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	p = config_port(c, 0);
	CHECK(p, "no port 0");
	CHECK_INT(p->index, 0);
	CHECK_INT(p->line, 23);
	CHECK_STR(p->user, "2001");
	CHECK_STR(p->auth_user, "auth-2001@example.net");
	CHECK_STR(p->password, "p#ss; w\"ord\\ ");
	CHECK_STR(p->display_name, "Front Door");
	CHECK_STR(p->domain, "sip.example.net:5080");
	CHECK_STR(p->registrar, "registrar.example.net");
	CHECK_STR(p->outbound_proxy, "192.0.2.1:5065");
	CHECK_INT(p->expires, 600);
	CHECK_INT(p->register_enabled, false);
	CHECK_STR(p->digit_map, "{ 0 | 00 | [1-8]xx | 9xxxxxxx | *x# }");
	CHECK_INT(p->interdigit_long_ms, 8000);
	CHECK_INT(p->interdigit_short_ms, 2500);
	CHECK_INT(p->early_media_ringback, true);
	CHECK_INT(p->call_waiting, false);
	CHECK_INT(p->callerid_waiting, false);
	CHECK_INT(p->allow_unknown_callers, true);
	CHECK_INT(p->tone_country, CONFIG_TONE_UK);
	CHECK_INT(p->disconnect_open_loop_ms, 0);
	CHECK_INT(p->echo_tail_ms, 128);
	CHECK_INT(p->n_ring_cadence_pairs, 1);
	CHECK_INT(p->ring_cadence_ms[0], 2000);
	CHECK_INT(p->ring_cadence_ms[1], 4000);
	CHECK_INT(p->ring_cadence_ms[2], 0);
}

UNIT_TEST(good_file_port1_ipv6_cadence)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;
	char err[512];
	int r;

	r = config_load(CFG_DIR "good.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	p = config_port(c, 1);
	CHECK(p, "no port 1");
	CHECK_INT(p->line, 17);
	CHECK_STR(p->user, "2002");
	CHECK_STR(p->auth_user, "2002");
	CHECK_STR(p->domain, "[2001:db8::10]:5070");
	CHECK_STR(p->registrar, "[2001:db8::10]:5070");
	CHECK_INT(p->tone_country, CONFIG_TONE_FR);
	CHECK_INT(p->n_ring_cadence_pairs, 2);
	CHECK_INT(p->ring_cadence_ms[0], 400);
	CHECK_INT(p->ring_cadence_ms[1], 200);
	CHECK_INT(p->ring_cadence_ms[2], 400);
	CHECK_INT(p->ring_cadence_ms[3], 2000);
}

UNIT_TEST(good_file_port7_inherits)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;
	char err[512];
	int r;

	r = config_load(CFG_DIR "good.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	p = config_port(c, 7);
	CHECK(p, "no port 7");
	CHECK_INT(p->line, 46);
	/* tone_country comes from [global], whatever the order. */
	CHECK_INT(p->tone_country, CONFIG_TONE_DE);
	CHECK_STR(p->auth_user, "2008");
	CHECK_STR(p->registrar, "pbx.example.org");
	CHECK_INT(p->expires, 3600);
}

UNIT_TEST(good_file_ports_sorted)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_load(CFG_DIR "good.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	CHECK_INT(c->n_ports, 3);
	CHECK_INT(c->ports[0].index, 0);
	CHECK_INT(c->ports[1].index, 1);
	CHECK_INT(c->ports[2].index, 7);
	CHECK(config_port(c, 2) == NULL, "port 2 should not exist");
	CHECK(config_port(c, -1) == NULL, "port -1 should not exist");
	CHECK(config_port(NULL, 0) == NULL, "config_port(NULL)");
}

UNIT_TEST(good_file_round_trip)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_load(CFG_DIR "good.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	check_round_trip(c);
}

UNIT_TEST(dump_format)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	_cleanup_free_ char *d = NULL;

	PARSE_OK(c, PORT0 "password = \"a\\\"b\"\nring_cadence = 1000 , 0\n");
	d = dump_to_string(c);
	CHECK(d, "dump failed");
	CHECK(strstr(d, "\n[global]\nsip_port = 5060\ntransport = auto\n"),
	      "global section not as expected:\n%s", d);
	CHECK(strstr(d, "\nlog_level = info\n"), "log_level:\n%s", d);
	CHECK(strstr(d, "\n[port 0]\nuser = \"100\"\n"), "port:\n%s", d);
	CHECK(strstr(d, "\npassword = \"a\\\"b\"\n"), "password:\n%s", d);
	CHECK(strstr(d, "\nregister = yes\n"), "register:\n%s", d);
	CHECK(strstr(d, "\nring_cadence = 1000,0\n"), "cadence:\n%s", d);
	CHECK(strstr(d, "\ndtmf_mode = rfc4733\n"), "dtmf_mode:\n%s", d);
	/* Unset optional strings are left out. */
	CHECK(!strstr(d, "nat_address"), "nat_address dumped:\n%s", d);
	CHECK(!strstr(d, "outbound_proxy"), "outbound_proxy dumped:\n%s", d);
	CHECK(!strstr(d, "display_name"), "display_name dumped:\n%s", d);
}

UNIT_TEST(dump_round_trip_tricky_strings)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, "[global]\nnat_address = 2001:db8::1\n"
		    "[port 3]\nuser = a%41-_.!~*'()&=+$,;?/\n"
		    "domain = h\n"
		    "password = \" lead;#\\\\\\\"trail \"\n"
		    "display_name = O'Brien \"the\" Phone\n"
		    "auth_user = \"\\\\\"\n"
		    "digit_map = x.T#\n");
	CHECK_STR(c->ports[0].user, "a%41-_.!~*'()&=+$,;?/");
	CHECK_STR(c->ports[0].password, " lead;#\\\"trail ");
	CHECK_STR(c->ports[0].display_name, "O'Brien \"the\" Phone");
	CHECK_STR(c->ports[0].auth_user, "\\");
	CHECK_STR(c->ports[0].digit_map, "x.T#");
	check_round_trip(c);
}

UNIT_TEST(dump_round_trip_defaults)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, "");
	check_round_trip(c);
}

UNIT_TEST(dump_null)
{
	CHECK_INT(config_dump(NULL, stdout), -EINVAL);
}

/* ---- defaults --------------------------------------------------------- */

UNIT_TEST(defaults_global)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_global_config *g;

	PARSE_OK(c, "# nothing but a comment\n\n");
	g = &c->global;
	CHECK_INT(c->n_ports, 0);
	CHECK_STR(c->path, P);
	CHECK_INT(g->line, 0);
	CHECK_INT(g->sip_port, 5060);
	CHECK_INT(g->transport, CONFIG_TRANSPORT_AUTO);
	CHECK_STR(g->dns_server, "");
	CHECK_INT(g->failover_timeout_ms, 0);
	CHECK_INT(g->failover_probe_secs, 60);
	CHECK_INT(g->rtp_port_min, 10000);
	CHECK_INT(g->rtp_port_max, 20000);
	CHECK_STR(g->nat_address, "");
	CHECK_INT(g->nat_family, AF_UNSPEC);
	CHECK_INT(g->tone_country, CONFIG_TONE_US);
	CHECK_INT(g->log_level, LOG_INFO);
	CHECK_INT(g->max_dialogs, 8);
	CHECK_INT(g->max_transactions, 64);
	CHECK_INT(g->max_message_size, 65535);
}

UNIT_TEST(defaults_port)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;
	char err[512];
	int r;

	r = config_load(CFG_DIR "minimal.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	CHECK_INT(c->n_ports, 1);
	p = config_port(c, 0);
	CHECK(p, "no port 0");
	CHECK_INT(p->line, 1);
	CHECK_STR(p->user, "100");
	CHECK_STR(p->auth_user, "100");
	CHECK_STR(p->password, "");
	CHECK_STR(p->display_name, "");
	CHECK_STR(p->domain, "pbx.example.org");
	CHECK_STR(p->registrar, "pbx.example.org");
	CHECK_STR(p->outbound_proxy, "");
	CHECK_INT(p->expires, 3600);
	CHECK_INT(p->register_enabled, true);
	CHECK_STR(p->digit_map,
		  "{ [2-9]xxxxxx | 1[2-9]xxxxxxxxx | 911 | *xx | x.T }");
	CHECK_STR(p->digit_map, CONFIG_DEFAULT_DIGIT_MAP);
	CHECK_INT(p->interdigit_long_ms, 10000);
	CHECK_INT(p->interdigit_short_ms, 4000);
	CHECK_INT(p->early_media_ringback, false);
	CHECK_INT(p->call_waiting, true);
	CHECK_INT(p->callerid_waiting, true);
	CHECK_INT(p->three_way, true);
	CHECK_INT(p->transfer_on_hangup, true);
	CHECK_INT(p->conference_hangup_transfer, false);
	CHECK_INT(p->allow_unknown_callers, false);
	CHECK_INT(p->contact_token, true);
	CHECK_INT(p->ring_holdoff_ms, 300);
	CHECK_INT(p->tone_country, CONFIG_TONE_US);
	CHECK_INT(p->disconnect_open_loop_ms, 800);
	CHECK_INT(p->echo_tail_ms, 32);
	CHECK_INT(p->play_cushion_frames, 2);
	CHECK_INT(p->dtmf_mode, CONFIG_DTMF_RFC4733);
	CHECK_INT(p->n_ring_cadence_pairs, 0);
}

UNIT_TEST(defaults_resolved_after_whole_file)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;

	/* domain after registrar, [global] after the port. */
	PARSE_OK(c, "[port 2]\nregistrar = reg.example\nuser = u\n"
		    "domain = d.example\n[global]\ntone_country = CN\n");
	p = config_port(c, 2);
	CHECK(p, "no port 2");
	CHECK_STR(p->registrar, "reg.example");
	CHECK_STR(p->auth_user, "u");
	CHECK_INT(p->tone_country, CONFIG_TONE_CN);
	CHECK_INT(c->global.line, 5);
}

UNIT_TEST(all_256_ports)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	CHECK(f, "open_memstream");
	for (i = 255; i >= 0; i--)
		fprintf(f, "[port %d]\nuser = u%d\ndomain = d%d.example\n", i,
			i, i);
	fclose(f);
	PARSE_OK(c, text);
	CHECK_INT(c->n_ports, 256);
	for (i = 0; i < 256; i++) {
		char want[16];

		snprintf(want, sizeof(want), "u%d", i);
		CHECK_INT(c->ports[i].index, i);
		CHECK_STR(config_port(c, i)->user, want);
	}
}

/* ---- quoting, comments, syntax that is accepted ----------------------- */

UNIT_TEST(quoting_and_inline_comments)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;

	PARSE_OK(c, "; leading comment\n"
		    "   # indented comment\n"
		    "[port 0] # comment after a header\n"
		    "user = 100   ; trailing comment\n"
		    "domain\t=\tpbx.example.org\t\n"
		    "password = \"  a # b ; c  \"  # comment after quotes\n"
		    "display_name = Alice  Smith   # only the comment goes\n"
		    "digit_map = x\"y\"\n");
	p = config_port(c, 0);
	CHECK_STR(p->user, "100");
	CHECK_STR(p->domain, "pbx.example.org");
	CHECK_STR(p->password, "  a # b ; c  ");
	CHECK_STR(p->display_name, "Alice  Smith");
	/* A quote not at the start of the value is an ordinary character. */
	CHECK_STR(p->digit_map, "x\"y\"");
}

UNIT_TEST(hash_without_blank_is_a_value)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;

	PARSE_OK(c, PORT0 "password = a#b;c\ndigit_map = *xx# #comment\n");
	p = config_port(c, 0);
	CHECK_STR(p->password, "a#b;c");
	CHECK_STR(p->digit_map, "*xx#");
}

UNIT_TEST(empty_optional_values)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;

	PARSE_OK(c, "[global]\nnat_address =\n" PORT0
		    "password = \"\"\ndisplay_name = # empty\n"
		    "outbound_proxy =\nring_cadence = ;\n");
	p = config_port(c, 0);
	CHECK_STR(c->global.nat_address, "");
	CHECK_INT(c->global.nat_family, AF_UNSPEC);
	CHECK_STR(p->password, "");
	CHECK_STR(p->display_name, "");
	CHECK_STR(p->outbound_proxy, "");
	CHECK_INT(p->n_ring_cadence_pairs, 0);
}

UNIT_TEST(crlf_file)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_load(CFG_DIR "crlf.conf", &c, err, sizeof(err));
	CHECK(r == 0, "load failed (%d): %s", r, err);
	CHECK_STR(c->ports[0].domain, "pbx.example.org");
	CHECK_STR(c->ports[0].password, "secret");
}

UNIT_TEST(no_final_newline)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, "[port 0]\nuser = 100\ndomain = last.example");
	CHECK_STR(c->ports[0].domain, "last.example");
}

UNIT_TEST(booleans)
{
	static const struct {
		const char *text;
		bool want;
	} t[] = {
		{ "yes", true }, { "no", false }, { "true", true },
		{ "false", false }, { "on", true }, { "off", false },
		{ "1", true }, { "0", false }, { "YES", true },
		{ "Off", false },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		_cleanup_config_ struct fxsd_config *c = NULL;
		char text[256];

		snprintf(text, sizeof(text),
			 PORT0 "register = %s\nearly_media_ringback = %s\n"
			       "allow_unknown_callers = %s\n",
			 t[i].text, t[i].text, t[i].text);
		PARSE_OK(c, text);
		CHECK(c->ports[0].register_enabled == t[i].want,
		      "register = %s", t[i].text);
		CHECK(c->ports[0].early_media_ringback == t[i].want,
		      "early_media_ringback = %s", t[i].text);
		CHECK(c->ports[0].allow_unknown_callers == t[i].want,
		      "allow_unknown_callers = %s", t[i].text);
	}
}

UNIT_TEST(enums_case_insensitive)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, "[global]\ntransport = UDP\ntone_country = cn\n"
		    "log_level = Warning\n");
	CHECK_INT(c->global.transport, CONFIG_TRANSPORT_UDP);
	CHECK_INT(c->global.tone_country, CONFIG_TONE_CN);
	CHECK_INT(c->global.log_level, LOG_WARNING);
}

UNIT_TEST(dtmf_modes)
{
	static const struct {
		const char *text;
		enum config_dtmf_mode want;
	} t[] = {
		{ "rfc4733", CONFIG_DTMF_RFC4733 }, { "info", CONFIG_DTMF_INFO },
		{ "inband", CONFIG_DTMF_INBAND }, { "INFO", CONFIG_DTMF_INFO },
		{ "RFC4733", CONFIG_DTMF_RFC4733 }, { "InBand", CONFIG_DTMF_INBAND },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		_cleanup_config_ struct fxsd_config *c = NULL;
		_cleanup_free_ char *d = NULL;
		char text[128], want[64];

		snprintf(text, sizeof(text), PORT0 "dtmf_mode = %s  # mode\n",
			 t[i].text);
		PARSE_OK(c, text);
		CHECK(c->ports[0].dtmf_mode == t[i].want, "dtmf_mode = %s",
		      t[i].text);
		/* Dumped in lower case, and it parses back the same. */
		d = dump_to_string(c);
		CHECK(d, "dump failed");
		snprintf(want, sizeof(want), "\ndtmf_mode = %s\n",
			 config_dtmf_mode_to_string(t[i].want));
		CHECK(strstr(d, want), "want '%s' in:\n%s", want + 1, d);
		check_round_trip(c);
		if (unit_failed())
			return;
	}
}

/* srtp: off by default, the three values (any case), dumped and parsed
 * back. */
UNIT_TEST(srtp_modes)
{
	static const struct {
		const char *text;
		enum config_srtp want;
	} t[] = {
		{ "off", CONFIG_SRTP_OFF }, { "optional", CONFIG_SRTP_OPTIONAL },
		{ "required", CONFIG_SRTP_REQUIRED },
		{ "Required", CONFIG_SRTP_REQUIRED },
	};
	_cleanup_config_ struct fxsd_config *d = NULL;

	PARSE_OK(d, PORT0);
	CHECK_INT(d->ports[0].srtp, CONFIG_SRTP_OFF);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		_cleanup_config_ struct fxsd_config *c = NULL;
		_cleanup_free_ char *dump = NULL;
		char text[128], want[64];

		snprintf(text, sizeof(text), PORT0 "srtp = %s\n", t[i].text);
		PARSE_OK(c, text);
		CHECK_INT(c->ports[0].srtp, t[i].want);
		dump = dump_to_string(c);
		CHECK(dump, "dump failed");
		snprintf(want, sizeof(want), "\nsrtp = %s\n",
			 config_srtp_to_string(t[i].want));
		CHECK(strstr(dump, want), "want '%s' in:\n%s", want + 1, dump);
		check_round_trip(c);
		if (unit_failed())
			return;
	}
}

/* fax: t38 by default (what HT802/SPA112 do), the two values (any case),
 * dumped and parsed back. */
UNIT_TEST(fax_modes)
{
	static const struct {
		const char *text;
		enum config_fax want;
	} t[] = {
		{ "t38", CONFIG_FAX_T38 }, { "passthrough", CONFIG_FAX_PASSTHROUGH },
		{ "PassThrough", CONFIG_FAX_PASSTHROUGH }, { "T38", CONFIG_FAX_T38 },
	};
	_cleanup_config_ struct fxsd_config *d = NULL;
	_cleanup_free_ char *ddump = NULL;

	PARSE_OK(d, PORT0);
	CHECK_INT(d->ports[0].fax, CONFIG_FAX_T38);
	ddump = dump_to_string(d);
	CHECK(ddump && strstr(ddump, "\nfax = t38\n"), "default not dumped");
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		_cleanup_config_ struct fxsd_config *c = NULL;
		_cleanup_free_ char *dump = NULL;
		char text[128], want[64];

		snprintf(text, sizeof(text), PORT0 "fax = %s\n", t[i].text);
		PARSE_OK(c, text);
		CHECK_INT(c->ports[0].fax, t[i].want);
		dump = dump_to_string(c);
		CHECK(dump, "dump failed");
		snprintf(want, sizeof(want), "\nfax = %s\n",
			 config_fax_to_string(t[i].want));
		CHECK(strstr(dump, want), "want '%s' in:\n%s", want + 1, dump);
		check_round_trip(c);
		if (unit_failed())
			return;
	}
	CHECK(!config_fax_to_string(_CONFIG_FAX_MAX), "out of range named");
}

/* NAT: auto, crlf, interval 0 (the transport's), symmetric RTP, no STUN
 * by default; a port takes [global]'s stun_server unless it names its
 * own (wherever the keys stand); all set, dumped and parsed back. */
UNIT_TEST(nat_keys)
{
	_cleanup_config_ struct fxsd_config *d = NULL, *c = NULL;
	_cleanup_free_ char *dump = NULL;

	PARSE_OK(d, PORT0);
	CHECK_INT(d->global.nat, CONFIG_NAT_AUTO);
	CHECK_INT(d->global.keepalive, CONFIG_KEEPALIVE_CRLF);
	CHECK_INT(d->global.keepalive_interval, 0);
	CHECK(d->global.symmetric_rtp, "symmetric_rtp defaults to yes");
	CHECK_STR(d->global.stun_server, "");
	CHECK_STR(d->ports[0].stun_server, "");
	PARSE_OK(c, "[port 1]\nuser = 1\ndomain = a.example\n"
		    "stun_server = stun.a.example:3479\n"
		    PORT0 "\n[global]\nnat = off\nkeepalive = Options\n"
		    "keepalive_interval = 15\nsymmetric_rtp = no\n"
		    "stun_server = [2001:db8::1]\n");
	CHECK_INT(c->global.nat, CONFIG_NAT_OFF);
	CHECK_INT(c->global.keepalive, CONFIG_KEEPALIVE_OPTIONS);
	CHECK_INT(c->global.keepalive_interval, 15);
	CHECK(!c->global.symmetric_rtp, "symmetric_rtp = no");
	CHECK_STR(c->ports[0].stun_server, "[2001:db8::1]");
	CHECK_STR(c->ports[1].stun_server, "stun.a.example:3479");
	dump = dump_to_string(c);
	CHECK(dump && strstr(dump, "\nnat = off\n") &&
	      strstr(dump, "\nkeepalive = options\n") &&
	      strstr(dump, "\nsymmetric_rtp = no\n"), "dump:\n%s", dump);
	check_round_trip(c);
}

ERR_CASE(nat_value, "[global]\nnat = static\n",
	 P ":2: invalid nat 'static' (auto|off)")
ERR_CASE(keepalive_value, "[global]\n\nkeepalive = stun\n",
	 P ":3: invalid keepalive 'stun' (crlf|options|off)")
ERR_CASE(keepalive_interval_range, "[global]\nkeepalive_interval = 3601\n",
	 P ":2: invalid keepalive_interval '3601' (0-3600)")
ERR_CASE(stun_server_host, PORT0 "stun_server = a b\n",
	 P ":4: invalid stun_server 'a b' (host[:port], IPv6 as [address][:port])")

/* codecs: pcmu, pcma by default; a list in any case and spacing, dumped
 * and parsed back. */
UNIT_TEST(codecs_list)
{
	_cleanup_config_ struct fxsd_config *d = NULL, *c = NULL;
	_cleanup_free_ char *dump = NULL;

	PARSE_OK(d, PORT0);
	CHECK_INT(d->ports[0].n_codecs, 2);
	CHECK_INT(d->ports[0].codecs[0], CONFIG_CODEC_PCMU);
	CHECK_INT(d->ports[0].codecs[1], CONFIG_CODEC_PCMA);
	PARSE_OK(c, PORT0 "codecs = OPUS,g722 , g729,pcma, pcmu\n");
	CHECK_INT(c->ports[0].n_codecs, 5);
	CHECK_INT(c->ports[0].codecs[0], CONFIG_CODEC_OPUS);
	CHECK_INT(c->ports[0].codecs[1], CONFIG_CODEC_G722);
	CHECK_INT(c->ports[0].codecs[2], CONFIG_CODEC_G729);
	CHECK_INT(c->ports[0].codecs[4], CONFIG_CODEC_PCMU);
	dump = dump_to_string(c);
	CHECK(dump && strstr(dump, "\ncodecs = opus, g722, g729, pcma, pcmu\n"),
	      "dump:\n%s", dump);
	check_round_trip(c);
}

/* Message waiting: off by default, the server defaults to the registrar
 * (wherever the keys stand), expiry 3600; all three set and round-tripped. */
UNIT_TEST(mwi_keys)
{
	_cleanup_config_ struct fxsd_config *a = NULL, *b = NULL, *c = NULL;
	const struct fxsd_port_config *p;

	PARSE_OK(a, PORT0);
	p = &a->ports[0];
	CHECK_INT(p->mwi_subscribe, false);
	CHECK_STR(p->mwi_server, "pbx.example.org");
	CHECK_INT(p->mwi_expires, 3600);
	PARSE_OK(b, "[port 0]\nmwi_subscribe = yes\nuser = 100\n"
		 "domain = pbx.example.org\nregistrar = reg.example.org:5070\n");
	p = &b->ports[0];
	CHECK_INT(p->mwi_subscribe, true);
	CHECK_STR(p->mwi_server, "reg.example.org:5070");
	PARSE_OK(c, PORT0 "mwi_subscribe = on\nmwi_server = [2001:db8::5]:5080\n"
		 "mwi_expires = 86400\n");
	p = &c->ports[0];
	CHECK_INT(p->mwi_subscribe, true);
	CHECK_STR(p->mwi_server, "[2001:db8::5]:5080");
	CHECK_INT(p->mwi_expires, 86400);
	check_round_trip(c);
}

/* Voice quality: RTCP XR off and no collector by default; both set and
 * round-tripped (a collector with and without a user part, IPv6). */
UNIT_TEST(voice_quality_keys)
{
	_cleanup_config_ struct fxsd_config *a = NULL, *b = NULL, *c = NULL;

	PARSE_OK(a, PORT0);
	CHECK_INT(a->ports[0].rtcp_xr, false);
	CHECK_STR(a->ports[0].vq_collector, "");
	PARSE_OK(b, PORT0 "rtcp_xr = yes\n"
		 "vq_collector = sip:collector@vq.example.net:5060\n");
	CHECK_INT(b->ports[0].rtcp_xr, true);
	CHECK_STR(b->ports[0].vq_collector, "sip:collector@vq.example.net:5060");
	check_round_trip(b);
	PARSE_OK(c, PORT0 "vq_collector = sip:[2001:db8::7]\n");
	CHECK_STR(c->ports[0].vq_collector, "sip:[2001:db8::7]");
	check_round_trip(c);
}

ERR_CASE(vq_collector_not_sip, PORT0 "vq_collector = http://vq.example.net/\n",
	 P ":4: invalid vq_collector 'http://vq.example.net/' (sip:[user@]host[:port])")
ERR_CASE(vq_collector_no_host, PORT0 "vq_collector = sip:collector@\n",
	 P ":4: invalid vq_collector 'sip:collector@' (sip:[user@]host[:port])")
ERR_CASE(vq_collector_bad_port, PORT0 "vq_collector = sip:vq.example.net:0\n",
	 P ":4: invalid vq_collector 'sip:vq.example.net:0' (sip:[user@]host[:port])")

/* Session timers (RFC 4028): 1800 s asked for, 90 s accepted by default;
 * both set and round-tripped. */
UNIT_TEST(session_timer_keys)
{
	_cleanup_config_ struct fxsd_config *a = NULL, *b = NULL;
	const struct fxsd_port_config *p;

	PARSE_OK(a, PORT0);
	p = &a->ports[0];
	CHECK_INT(p->session_expires, 1800);
	CHECK_INT(p->min_se, 90);
	PARSE_OK(b, PORT0 "session_expires = 600\nmin_se = 300\n");
	p = &b->ports[0];
	CHECK_INT(p->session_expires, 600);
	CHECK_INT(p->min_se, 300);
	check_round_trip(b);
}

/* Two ports that differ in dtmf_mode only; reload (main.c) compares port
 * sections bytewise, header line aside, so the mode must show there. */
UNIT_TEST(dtmf_mode_change_is_a_port_change)
{
	_cleanup_config_ struct fxsd_config *a = NULL, *b = NULL, *a2 = NULL;
	struct fxsd_port_config x, y, z;

	PARSE_OK(a, PORT0);
	PARSE_OK(b, "\n" PORT0 "dtmf_mode = info\n");
	PARSE_OK(a2, "\n\n" PORT0 "dtmf_mode = rfc4733\n");
	x = a->ports[0];
	y = b->ports[0];
	z = a2->ports[0];
	x.line = y.line = z.line = 0;
	CHECK(memcmp(&x, &y, sizeof(x)) != 0,
	      "a changed dtmf_mode compares equal");
	CHECK(memcmp(&x, &z, sizeof(x)) == 0,
	      "the default spelled out compares different");
}

UNIT_TEST(all_log_levels)
{
	static const struct {
		const char *s;
		int level;
	} t[] = {
		{ "debug", LOG_DEBUG }, { "info", LOG_INFO },
		{ "notice", LOG_NOTICE }, { "warning", LOG_WARNING },
		{ "err", LOG_ERR },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		_cleanup_config_ struct fxsd_config *c = NULL;
		char text[64];

		snprintf(text, sizeof(text), "[global]\nlog_level = %s\n",
			 t[i].s);
		PARSE_OK(c, text);
		CHECK_INT(c->global.log_level, t[i].level);
		CHECK_STR(config_log_level_to_string(t[i].level), t[i].s);
	}
}

UNIT_TEST(string_tables)
{
	CHECK_STR(config_transport_to_string(CONFIG_TRANSPORT_TCP), "tcp");
	CHECK_INT(config_transport_from_string("tcp"), CONFIG_TRANSPORT_TCP);
	CHECK_INT(config_transport_from_string("sctp"), -EINVAL);
	CHECK_INT(config_transport_from_string(NULL), -EINVAL);
	CHECK(config_transport_to_string(_CONFIG_TRANSPORT_MAX) == NULL,
	      "transport _MAX");
	CHECK_STR(config_tone_country_to_string(CONFIG_TONE_UK), "UK");
	CHECK_INT(config_tone_country_from_string("FR"), CONFIG_TONE_FR);
	CHECK(config_tone_country_to_string(_CONFIG_TONE_MAX) == NULL,
	      "tone _MAX");
	CHECK_STR(config_dtmf_mode_to_string(CONFIG_DTMF_INFO), "info");
	CHECK_INT(config_dtmf_mode_from_string("inband"), CONFIG_DTMF_INBAND);
	CHECK_INT(config_dtmf_mode_from_string("rfc2833"), -EINVAL);
	CHECK_INT(config_dtmf_mode_from_string(NULL), -EINVAL);
	CHECK(config_dtmf_mode_to_string(_CONFIG_DTMF_MAX) == NULL,
	      "dtmf_mode _MAX");
	CHECK(config_dtmf_mode_to_string(-1) == NULL, "dtmf_mode -1");
	CHECK_INT(config_log_level_from_string("crit"), -EINVAL);
	CHECK(config_log_level_to_string(LOG_CRIT) == NULL, "LOG_CRIT");
	CHECK(config_log_level_to_string(-1) == NULL, "-1");
}

UNIT_TEST(boundaries_accepted)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	const struct fxsd_port_config *p;

	PARSE_OK(c, "[global]\nsip_port = 65535\nrtp_port_min = 1024\n"
		    "rtp_port_max = 65534\nmax_dialogs = 64\n"
		    "max_transactions = 4096\nmax_message_size = 1024\n"
		    "[port 255]\nuser = u\ndomain = d\nexpires = 86400\n"
		    "disconnect_open_loop_ms = 2000\necho_tail_ms = 16\n"
		    "play_cushion_frames = 0\n"
		    "interdigit_long_ms = 100\ninterdigit_short_ms = 100\n"
		    "ring_cadence = 10,0,10000,10000,20,30,40,50,60,70,80,90,100,110,120,130\n"
		    "[port 254]\nuser = u\ndomain = d\nexpires = 60\n"
		    "echo_tail_ms = 256\nplay_cushion_frames = 8\n");
	CHECK_INT(c->global.sip_port, 65535);
	CHECK_INT(c->global.rtp_port_min, 1024);
	CHECK_INT(c->global.rtp_port_max, 65534);
	p = config_port(c, 255);
	CHECK_INT(p->expires, 86400);
	CHECK_INT(p->disconnect_open_loop_ms, 2000);
	CHECK_INT(p->echo_tail_ms, 16);
	CHECK_INT(p->play_cushion_frames, 0);
	CHECK_INT(p->n_ring_cadence_pairs, 8);
	CHECK_INT(p->ring_cadence_ms[15], 130);
	p = config_port(c, 254);
	CHECK_INT(p->expires, 60);
	CHECK_INT(p->echo_tail_ms, 256);
	CHECK_INT(p->play_cushion_frames, 8);
}

UNIT_TEST(hosts_accepted)
{
	static const char *const hosts[] = {
		"example.com", "example.com:5060", "a-b.c-d.example",
		"192.0.2.1", "192.0.2.1:1", "[::1]", "[2001:db8::1]:65535",
		"localhost", "xn--bcher-kva.example",
	};
	size_t i;

	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		_cleanup_config_ struct fxsd_config *c = NULL;
		char text[256];

		snprintf(text, sizeof(text),
			 "[port 0]\nuser = u\ndomain = %s\nregistrar = %s\n"
			 "outbound_proxy = %s\n",
			 hosts[i], hosts[i], hosts[i]);
		PARSE_OK(c, text);
		CHECK_STR(c->ports[0].domain, hosts[i]);
		CHECK_STR(c->ports[0].outbound_proxy, hosts[i]);
	}
}

UNIT_TEST(nat_address_ipv6)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, "[global]\nnat_address = 2001:db8::7\n");
	CHECK_STR(c->global.nat_address, "2001:db8::7");
	CHECK_INT(c->global.nat_family, AF_INET6);
}

UNIT_TEST(max_length_values)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	char text[1024];
	char user[CONFIG_USER_MAX + 1];

	memset(user, 'u', CONFIG_USER_MAX);
	user[CONFIG_USER_MAX] = '\0';
	snprintf(text, sizeof(text), "[port 0]\nuser = %s\ndomain = d\n",
		 user);
	PARSE_OK(c, text);
	CHECK_STR(c->ports[0].user, user);
	CHECK_STR(c->ports[0].auth_user, user);
}

UNIT_TEST(line_of_4096_is_fine)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	_cleanup_free_ char *text = malloc(3 * CONFIG_LINE_MAX);

	CHECK(text, "malloc");
	/* A comment line of exactly 4096 characters, then one with CRLF. */
	strcpy(text, "#");
	memset(text + 1, 'x', CONFIG_LINE_MAX - 1);
	strcpy(text + CONFIG_LINE_MAX, "\n;");
	memset(text + CONFIG_LINE_MAX + 2, 'y', CONFIG_LINE_MAX - 1);
	strcpy(text + 2 * CONFIG_LINE_MAX + 1, "\r\n" PORT0);
	PARSE_OK(c, text);
	CHECK_INT(c->ports[0].line, 3);
}

/* ---- errors: every message with its line ------------------------------ */

ERR_CASE(dns_server_name,
	 "[global]\ndns_server = ns.example.net\n",
	 P ":2: invalid dns_server 'ns.example.net' (address[:port], IPv6 as [address]:port, separated by commas)")
ERR_CASE(dns_server_trailing_comma,
	 "[global]\ndns_server = 127.0.0.1:5353,\n",
	 P ":2: invalid dns_server '127.0.0.1:5353,' (address[:port], IPv6 as [address]:port, separated by commas)")

UNIT_TEST(dns_and_failover_keys)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, "[global]\ndns_server = 127.0.0.1:5353,[::1]:53,10.0.0.1,::1\n"
		    "failover_timeout_ms = 2000\nfailover_probe_secs = 30\n"
		    "transport = udp\nbind_address = ::\n");
	CHECK_STR(c->global.bind_address, "::");
	CHECK_INT(c->global.nat_family, AF_UNSPEC);
	CHECK_STR(c->global.dns_server, "127.0.0.1:5353,[::1]:53,10.0.0.1,::1");
	CHECK_INT(c->global.failover_timeout_ms, 2000);
	CHECK_INT(c->global.failover_probe_secs, 30);
	CHECK_INT(c->global.transport, CONFIG_TRANSPORT_UDP);
}

ERR_CASE(unknown_key_port,
	 "[port 0]\nuser = 1\npasword = x\n",
	 P ":3: unknown key 'pasword' in [port 0]")
ERR_CASE(unknown_key_global,
	 "\n[global]\nsip_prot = 5060\n",
	 P ":3: unknown key 'sip_prot' in [global]")
ERR_CASE(port_key_in_global,
	 "[global]\nuser = 1\n",
	 P ":2: unknown key 'user' in [global]")
ERR_CASE(keys_are_case_sensitive,
	 "[port 12]\nUser = 1\n",
	 P ":2: unknown key 'User' in [port 12]")
ERR_CASE(sip_port_too_big,
	 "# c\n[global]\nsip_port = 70000\n",
	 P ":3: invalid sip_port '70000' (1-65535)")
ERR_CASE(sip_port_zero,
	 "[global]\nsip_port = 0\n",
	 P ":2: invalid sip_port '0' (1-65535)")
ERR_CASE(sip_port_junk,
	 "[global]\nsip_port = 50x60\n",
	 P ":2: invalid sip_port '50x60' (1-65535)")
ERR_CASE(sip_port_sign,
	 "[global]\nsip_port = +5060\n",
	 P ":2: invalid sip_port '+5060' (1-65535)")
ERR_CASE(sip_port_negative,
	 "[global]\nsip_port = -1\n",
	 P ":2: invalid sip_port '-1' (1-65535)")
ERR_CASE(sip_port_empty,
	 "[global]\nsip_port =\n",
	 P ":2: invalid sip_port '' (1-65535)")
ERR_CASE(sip_port_overflow,
	 "[global]\nsip_port = 99999999999999999999\n",
	 P ":2: invalid sip_port '99999999999999999999' (1-65535)")
ERR_CASE(key_outside_section,
	 "# header\n\n\n\n\n\n\nuser = 100\n",
	 P ":8: key outside of a section")
ERR_CASE(duplicate_port_section,
	 "[port 1]\nuser = 1\ndomain = d\n\n[port 1]\n",
	 P ":5: duplicate section [port 1]")
ERR_CASE(duplicate_port_section_leading_zero,
	 "[port 1]\nuser = 1\ndomain = d\n[port 01]\n",
	 P ":4: duplicate section [port 1]")
ERR_CASE(duplicate_global_section,
	 "[global]\n[global]\n",
	 P ":2: duplicate section [global]")
ERR_CASE(duplicate_key,
	 "[port 0]\ndomain = d\n\n\nuser = 1\nuser = 2\n",
	 P ":6: duplicate key 'user'")
ERR_CASE(duplicate_key_global,
	 "[global]\nsip_port = 5060\nsip_port = 5060\n",
	 P ":3: duplicate key 'sip_port'")
ERR_CASE(missing_equals,
	 "[port 0]\nuser 100\n",
	 P ":2: missing '='")
ERR_CASE(missing_equals_outside_section,
	 "hello\n",
	 P ":1: missing '='")
ERR_CASE(missing_key,
	 "[port 0]\n = 100\n",
	 P ":2: missing key before '='")
ERR_CASE(port_without_user,
	 PORT0 "\n[port 1]\ndomain = d\npassword = x\n",
	 P ":5: [port 1] has no 'user'")
ERR_CASE(port_without_domain_at_eof,
	 "[port 3]\nuser = 1\n",
	 P ":1: [port 3] has no 'domain'")
ERR_CASE(missing_user_reported_before_later_error,
	 "[port 1]\ndomain = d\n[port 2]\nbogus\n",
	 P ":1: [port 1] has no 'user'")
ERR_CASE(missing_user_before_bad_header,
	 "[port 1]\ndomain = d\n[port\n",
	 P ":1: [port 1] has no 'user'")
ERR_CASE(unknown_section,
	 "[sip]\n",
	 P ":1: unknown section [sip]")
ERR_CASE(unknown_section_port_prefix,
	 "[portx]\n",
	 P ":1: unknown section [portx]")
ERR_CASE(section_names_case_sensitive,
	 "[Global]\n",
	 P ":1: unknown section [Global]")
ERR_CASE(port_index_too_big,
	 "[port 256]\n",
	 P ":1: invalid port index '256' (0-255)")
ERR_CASE(port_index_not_a_number,
	 "[port one]\n",
	 P ":1: invalid port index 'one' (0-255)")
ERR_CASE(port_index_negative,
	 "[port -1]\n",
	 P ":1: invalid port index '-1' (0-255)")
ERR_CASE(port_index_missing,
	 "[port]\n",
	 P ":1: missing port index in [port]")
ERR_CASE(header_missing_bracket,
	 "[global\n",
	 P ":1: missing ']' in section header")
ERR_CASE(header_trailing_text,
	 "[global] sip_port = 1\n",
	 P ":1: unexpected text after ']'")
ERR_CASE(transport_invalid,
	 "[global]\ntransport = sctp\n",
	 P ":2: invalid transport 'sctp' (udp|tcp|tls|auto)")
ERR_CASE(tls_keys_without_tls,
	 "[global]\ntransport = tcp\n" PORT0 "tls_ca_file = /etc/ca.pem\n",
	 P ":3: [port 0] tls_* keys need transport = tls")
ERR_CASE(tls_cert_without_key,
	 PORT0 "transport = tls\ntls_cert = /etc/c.pem\n",
	 P ":1: [port 0] tls_cert and tls_key go together")
ERR_CASE(tls_path_relative,
	 PORT0 "transport = tls\ntls_ca_file = ca.pem\n",
	 P ":5: invalid tls_ca_file 'ca.pem' (an absolute file name)")
ERR_CASE(tls_pin_short,
	 PORT0 "transport = tls\ntls_pin = abcd\n",
	 P ":5: invalid tls_pin 'abcd' (SHA-256 of the certificate: 64 hex digits, bytes may be separated by ':')")
ERR_CASE(tls_pin_bad_colon,
	 PORT0 "transport = tls\ntls_pin = a:bcd\n",
	 P ":5: invalid tls_pin 'a:bcd' (SHA-256 of the certificate: 64 hex digits, bytes may be separated by ':')")

/* transport per port: tls with its keys; the others keep [global]'s */
UNIT_TEST(config_tls_port)
{
	struct fxsd_config *c = NULL, *d = NULL;
	char *dump = NULL;
	size_t n = 0;
	FILE *f;

	PARSE_OK(c, "[global]\ntransport = tcp\n"
		 "[port 1]\nuser = 1\ndomain = d\ntransport = tls\n"
		 "tls_ca_file = /etc/fxsd/ca.pem\n"
		 "tls_pin = AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:"
		 "ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89\n"
		 "tls_cert = /etc/fxsd/me.pem\ntls_key = /etc/fxsd/me.key\n"
		 "[port 2]\nuser = 2\ndomain = d\n");
	CHECK_INT(c->ports[0].transport, CONFIG_TRANSPORT_TLS);
	CHECK_STR(c->ports[0].tls_ca_file, "/etc/fxsd/ca.pem");
	CHECK_STR(c->ports[0].tls_pin, "abcdef0123456789abcdef0123456789"
		  "abcdef0123456789abcdef0123456789");
	CHECK_STR(c->ports[0].tls_cert, "/etc/fxsd/me.pem");
	CHECK_STR(c->ports[0].tls_key, "/etc/fxsd/me.key");
	CHECK_INT(c->ports[1].transport, CONFIG_TRANSPORT_TCP);
	CHECK_STR(c->ports[1].tls_pin, "");
	CHECK_STR(config_transport_to_string(CONFIG_TRANSPORT_TLS), "tls");
	/* the dump reads back the same */
	f = open_memstream(&dump, &n);
	CHECK(f, "open_memstream");
	CHECK_INT(config_dump(c, f), 0);
	fclose(f);
	PARSE_OK(d, dump);
	CHECK_INT(d->ports[0].transport, CONFIG_TRANSPORT_TLS);
	CHECK_STR(d->ports[0].tls_pin, c->ports[0].tls_pin);
	CHECK_STR(d->ports[0].tls_key, "/etc/fxsd/me.key");
	free(dump);
	config_free(c);
	config_free(d);
}
ERR_CASE(rtp_port_odd,
	 "[global]\nrtp_port_min = 10001\n",
	 P ":2: invalid rtp_port_min '10001' (even, 1024-65534)")
ERR_CASE(rtp_port_too_low,
	 "[global]\nrtp_port_min = 1022\n",
	 P ":2: invalid rtp_port_min '1022' (even, 1024-65534)")
ERR_CASE(rtp_port_too_high,
	 "[global]\nrtp_port_max = 65536\n",
	 P ":2: invalid rtp_port_max '65536' (even, 1024-65534)")
ERR_CASE(rtp_min_not_below_max,
	 "\n[global]\nrtp_port_min = 20000\nrtp_port_max = 20000\n",
	 P ":2: [global] rtp_port_min (20000) must be less than rtp_port_max (20000)")
ERR_CASE(rtp_min_above_default_max,
	 "[global]\nrtp_port_min = 30000\n" PORT0,
	 P ":1: [global] rtp_port_min (30000) must be less than rtp_port_max (20000)")
ERR_CASE(nat_address_invalid,
	 "[global]\nnat_address = 1.2.3\n",
	 P ":2: invalid nat_address '1.2.3' (IPv4 or IPv6 address)")
ERR_CASE(nat_address_hostname,
	 "[global]\nnat_address = nat.example.com\n",
	 P ":2: invalid nat_address 'nat.example.com' (IPv4 or IPv6 address)")
ERR_CASE(nat_address_bracketed,
	 "[global]\nnat_address = [::1]\n",
	 P ":2: invalid nat_address '[::1]' (IPv4 or IPv6 address)")
ERR_CASE(tone_country_invalid,
	 "[global]\ntone_country = JP\n",
	 P ":2: invalid tone_country 'JP' (US|UK|DE|FR|CN)")
ERR_CASE(tone_country_invalid_port,
	 PORT0 "tone_country = XX\n",
	 P ":4: invalid tone_country 'XX' (US|UK|DE|FR|CN)")
ERR_CASE(log_level_invalid,
	 "[global]\nlog_level = verbose\n",
	 P ":2: invalid log_level 'verbose' (debug|info|notice|warning|err)")
ERR_CASE(max_dialogs_zero,
	 "[global]\nmax_dialogs = 0\n",
	 P ":2: invalid max_dialogs '0' (1-64)")
ERR_CASE(max_dialogs_too_many,
	 "[global]\nmax_dialogs = 65\n",
	 P ":2: invalid max_dialogs '65' (1-64)")
ERR_CASE(max_transactions_too_many,
	 "[global]\nmax_transactions = 4097\n",
	 P ":2: invalid max_transactions '4097' (1-4096)")
ERR_CASE(max_message_size_too_small,
	 "[global]\nmax_message_size = 1023\n",
	 P ":2: invalid max_message_size '1023' (1024-65535)")
ERR_CASE(expires_too_short,
	 PORT0 "expires = 59\n",
	 P ":4: invalid expires '59' (60-86400)")
ERR_CASE(expires_too_long,
	 PORT0 "expires = 86401\n",
	 P ":4: invalid expires '86401' (60-86400)")
ERR_CASE(register_not_bool,
	 PORT0 "register = maybe\n",
	 P ":4: invalid register 'maybe' (yes/no, true/false, on/off, 1/0)")
ERR_CASE(early_media_not_bool,
	 PORT0 "early_media_ringback = 2\n",
	 P ":4: invalid early_media_ringback '2' (yes/no, true/false, on/off, 1/0)")
ERR_CASE(contact_token_not_bool,
	 PORT0 "contact_token = maybe\n",
	 P ":4: invalid contact_token 'maybe' (yes/no, true/false, on/off, 1/0)")
ERR_CASE(ring_holdoff_ms_too_long,
	 PORT0 "ring_holdoff_ms = 2001\n",
	 P ":4: invalid ring_holdoff_ms '2001' (0-2000)")
ERR_CASE(allow_unknown_callers_not_bool,
	 PORT0 "allow_unknown_callers = y\n",
	 P ":4: invalid allow_unknown_callers 'y' (yes/no, true/false, on/off, 1/0)")
ERR_CASE(interdigit_too_small,
	 PORT0 "interdigit_long_ms = 99\n",
	 P ":4: invalid interdigit_long_ms '99' (100-60000)")
ERR_CASE(interdigit_short_above_long,
	 "\n" PORT0 "interdigit_long_ms = 3000\n",
	 P ":2: [port 0] interdigit_short_ms (4000) must not exceed interdigit_long_ms (3000)")
ERR_CASE(disconnect_open_loop_too_long,
	 PORT0 "disconnect_open_loop_ms = 2001\n",
	 P ":4: invalid disconnect_open_loop_ms '2001' (0-2000)")
ERR_CASE(srtp_invalid,
	 PORT0 "srtp = yes\n",
	 P ":4: invalid srtp 'yes' (off|optional|required)")
ERR_CASE(fax_invalid,
	 PORT0 "fax = t.38\n",
	 P ":4: invalid fax 't.38' (t38|passthrough)")
ERR_CASE(fax_empty,
	 PORT0 "fax =\n",
	 P ":4: invalid fax '' (t38|passthrough)")
ERR_CASE(codecs_unknown,
	 PORT0 "codecs = pcmu, ilbc\n",
	 P ":4: invalid codecs 'pcmu, ilbc': unknown codec 'ilbc' (pcmu, pcma, opus, g722, g729)")
ERR_CASE(codecs_twice,
	 PORT0 "codecs = opus, pcmu, OPUS\n",
	 P ":4: invalid codecs 'opus, pcmu, OPUS': OPUS twice")
ERR_CASE(codecs_empty_entry,
	 PORT0 "codecs = opus,,pcmu\n",
	 P ":4: invalid codecs 'opus,,pcmu' (a list of pcmu, pcma, opus, g722, g729)")
ERR_CASE(dtmf_mode_invalid,
	 PORT0 "dtmf_mode = rfc2833\n",
	 P ":4: invalid dtmf_mode 'rfc2833' (rfc4733|info|inband)")
ERR_CASE(dtmf_mode_empty,
	 PORT0 "dtmf_mode =\n",
	 P ":4: invalid dtmf_mode '' (rfc4733|info|inband)")
ERR_CASE(dtmf_mode_two_values,
	 PORT0 "dtmf_mode = info inband\n",
	 P ":4: invalid dtmf_mode 'info inband' (rfc4733|info|inband)")
ERR_CASE(dtmf_mode_twice,
	 PORT0 "dtmf_mode = info\ndtmf_mode = inband\n",
	 P ":5: duplicate key 'dtmf_mode'")
ERR_CASE(dtmf_mode_in_global,
	 "[global]\ndtmf_mode = info\n",
	 P ":2: unknown key 'dtmf_mode' in [global]")
ERR_CASE(echo_tail_too_short,
	 PORT0 "echo_tail_ms = 15\n",
	 P ":4: invalid echo_tail_ms '15' (16-256)")
ERR_CASE(echo_tail_too_long,
	 PORT0 "echo_tail_ms = 257\n",
	 P ":4: invalid echo_tail_ms '257' (16-256)")
ERR_CASE(play_cushion_too_long,
	 PORT0 "play_cushion_frames = 9\n",
	 P ":4: invalid play_cushion_frames '9' (0-8)")
#define CADENCE_HINT "(on,off ms pairs, at most 8; on 10-10000, off 0-10000)"
ERR_CASE(ring_cadence_odd,
	 PORT0 "ring_cadence = 2000\n",
	 P ":4: invalid ring_cadence '2000' " CADENCE_HINT)
ERR_CASE(ring_cadence_too_many_pairs,
	 PORT0 "ring_cadence = 1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1\n",
	 P ":4: invalid ring_cadence '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1' "
	   CADENCE_HINT)
ERR_CASE(ring_cadence_on_too_short,
	 PORT0 "ring_cadence = 9,100\n",
	 P ":4: invalid ring_cadence '9,100' " CADENCE_HINT)
ERR_CASE(ring_cadence_off_too_long,
	 PORT0 "ring_cadence = 2000,10001\n",
	 P ":4: invalid ring_cadence '2000,10001' " CADENCE_HINT)
ERR_CASE(ring_cadence_empty_element,
	 PORT0 "ring_cadence = 2000,,4000\n",
	 P ":4: invalid ring_cadence '2000,,4000' " CADENCE_HINT)
ERR_CASE(ring_cadence_wrong_separator,
	 PORT0 "ring_cadence = 2000/4000\n",
	 P ":4: invalid ring_cadence '2000/4000' " CADENCE_HINT)
#define HOST_HINT "(host[:port], IPv6 as [address][:port])"
ERR_CASE(domain_with_space,
	 "[port 0]\nuser = 1\ndomain = \"sip example\"\n",
	 P ":3: invalid domain 'sip example' " HOST_HINT)
ERR_CASE(domain_port_zero,
	 "[port 0]\nuser = 1\ndomain = h:0\n",
	 P ":3: invalid domain 'h:0' " HOST_HINT)
ERR_CASE(domain_port_too_big,
	 "[port 0]\nuser = 1\ndomain = h:70000\n",
	 P ":3: invalid domain 'h:70000' " HOST_HINT)
ERR_CASE(domain_port_empty,
	 "[port 0]\nuser = 1\ndomain = h:\n",
	 P ":3: invalid domain 'h:' " HOST_HINT)
ERR_CASE(domain_ipv6_without_brackets,
	 "[port 0]\nuser = 1\ndomain = 2001:db8::1\n",
	 P ":3: invalid domain '2001:db8::1' " HOST_HINT)
ERR_CASE(domain_bad_ipv6,
	 "[port 0]\nuser = 1\ndomain = [::g]\n",
	 P ":3: invalid domain '[::g]' " HOST_HINT)
ERR_CASE(domain_unclosed_bracket,
	 "[port 0]\nuser = 1\ndomain = [::1:5060\n",
	 P ":3: invalid domain '[::1:5060' " HOST_HINT)
ERR_CASE(domain_label_dash,
	 "[port 0]\nuser = 1\ndomain = -bad.example\n",
	 P ":3: invalid domain '-bad.example' " HOST_HINT)
ERR_CASE(domain_empty_label,
	 "[port 0]\nuser = 1\ndomain = a..example\n",
	 P ":3: invalid domain 'a..example' " HOST_HINT)
ERR_CASE(domain_bad_ipv4,
	 "[port 0]\nuser = 1\ndomain = 999.1.1.1\n",
	 P ":3: invalid domain '999.1.1.1' " HOST_HINT)
ERR_CASE(domain_sip_uri,
	 "[port 0]\nuser = 1\ndomain = sip:pbx.example\n",
	 P ":3: invalid domain 'sip:pbx.example' " HOST_HINT)
ERR_CASE(domain_empty,
	 "[port 0]\nuser = 1\ndomain =\n",
	 P ":3: empty value for 'domain'")
ERR_CASE(registrar_invalid,
	 PORT0 "registrar = reg_istrar\n",
	 P ":4: invalid registrar 'reg_istrar' " HOST_HINT)
ERR_CASE(outbound_proxy_invalid,
	 PORT0 "outbound_proxy = proxy:abc\n",
	 P ":4: invalid outbound_proxy 'proxy:abc' " HOST_HINT)
ERR_CASE(mwi_subscribe_not_bool,
	 PORT0 "mwi_subscribe = sometimes\n",
	 P ":4: invalid mwi_subscribe 'sometimes' (yes/no, true/false, on/off, 1/0)")
ERR_CASE(mwi_server_invalid,
	 PORT0 "mwi_server = sip:vm.example\n",
	 P ":4: invalid mwi_server 'sip:vm.example' " HOST_HINT)
ERR_CASE(mwi_server_empty,
	 PORT0 "mwi_server =\n",
	 P ":4: empty value for 'mwi_server'")
ERR_CASE(session_expires_too_short,
	 PORT0 "session_expires = 89\n",
	 P ":4: invalid session_expires '89' (90-86400)")
ERR_CASE(min_se_too_long,
	 PORT0 "min_se = 86401\n",
	 P ":4: invalid min_se '86401' (90-86400)")
ERR_CASE(mwi_expires_too_short,
	 PORT0 "mwi_expires = 59\n",
	 P ":4: invalid mwi_expires '59' (60-86400)")
ERR_CASE(mwi_expires_too_long,
	 PORT0 "mwi_expires = 86401\n",
	 P ":4: invalid mwi_expires '86401' (60-86400)")
#define USER_HINT "(letters, digits, escapes and -_.!~*'()&=+$,;?/)"
ERR_CASE(user_with_space,
	 "[port 0]\nuser = \"a b\"\n",
	 P ":2: invalid user 'a b' " USER_HINT)
ERR_CASE(user_with_at,
	 "[port 0]\nuser = a@b\n",
	 P ":2: invalid user 'a@b' " USER_HINT)
ERR_CASE(user_bad_escape,
	 "[port 0]\nuser = a%4\n",
	 P ":2: invalid user 'a%4' " USER_HINT)
ERR_CASE(user_empty,
	 "[port 0]\nuser = \"\"\n",
	 P ":2: empty value for 'user'")
ERR_CASE(auth_user_empty,
	 PORT0 "auth_user =\n",
	 P ":4: empty value for 'auth_user'")
ERR_CASE(digit_map_empty,
	 PORT0 "digit_map = # none\n",
	 P ":4: empty value for 'digit_map'")
ERR_CASE(unterminated_quote,
	 PORT0 "password = \"abc\n",
	 P ":4: unterminated quoted value")
ERR_CASE(bad_escape,
	 PORT0 "password = \"a\\nb\"\n",
	 P ":4: invalid escape in quoted value (only \\\" and \\\\)")
ERR_CASE(text_after_quote,
	 PORT0 "password = \"abc\" def\n",
	 P ":4: unexpected text after closing quote")
ERR_CASE(control_character,
	 PORT0 "password = \"a\001b\"\n",
	 P ":4: control character in value of 'password'")
ERR_CASE(tab_in_quotes,
	 PORT0 "display_name = \"a\tb\"\n",
	 P ":4: control character in value of 'display_name'")

/* Errors built at run time: too-long values and lines. */

UNIT_TEST(error_value_too_long)
{
	char text[1024], user[CONFIG_USER_MAX + 2], want[256];

	memset(user, 'u', CONFIG_USER_MAX + 1);
	user[CONFIG_USER_MAX + 1] = '\0';
	snprintf(text, sizeof(text), "[port 0]\nuser = %s\n", user);
	check_error(text, P ":2: value of 'user' too long (max 127 characters)");
	snprintf(text, sizeof(text), PORT0 "password = \"%s\"\n", user);
	check_error(text,
		    P ":4: value of 'password' too long (max 127 characters)");
	snprintf(want, sizeof(want),
		 P ":4: value of 'display_name' too long (max %d characters)",
		 CONFIG_DISPLAY_NAME_MAX);
	snprintf(text, sizeof(text), PORT0 "display_name = %s\n", user);
	check_error(text, want);
}

UNIT_TEST(error_host_too_long)
{
	char text[1024], host[CONFIG_HOST_MAX + 2];

	memset(host, 'h', CONFIG_HOST_MAX + 1);
	host[CONFIG_HOST_MAX + 1] = '\0';
	snprintf(text, sizeof(text), PORT0 "outbound_proxy = %s\n", host);
	check_error(text,
		    P ":4: value of 'outbound_proxy' too long (max 255 characters)");
}

UNIT_TEST(error_line_too_long)
{
	_cleanup_free_ char *text = malloc(2 * CONFIG_LINE_MAX);
	size_t off;

	CHECK(text, "malloc");
	strcpy(text, "[global]\n\n#");
	off = strlen(text);
	memset(text + off, 'x', CONFIG_LINE_MAX);	/* 4097 with the '#' */
	strcpy(text + off + CONFIG_LINE_MAX, "\n");
	check_error(text, P ":3: line too long (max 4096 characters)");
}

/* ---- error reporting details ------------------------------------------ */

UNIT_TEST(error_leaves_result_alone)
{
	struct fxsd_config *c = NULL;
	char err[256];
	int r;

	r = config_parse_string("[nope]\n", NULL, &c, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK(c == NULL, "config returned on error");
	CHECK_STR(err, "<string>:1: unknown section [nope]");
}

UNIT_TEST(error_null_buffer)
{
	struct fxsd_config *c = NULL;
	int r;

	r = config_parse_string("[nope]\n", P, &c, NULL, 0);
	CHECK_INT(r, -EINVAL);
	CHECK(c == NULL, "config returned on error");
	CHECK_INT(config_parse_string(NULL, P, &c, NULL, 0), -EINVAL);
	CHECK_INT(config_load(NULL, &c, NULL, 0), -EINVAL);
}

UNIT_TEST(error_truncated)
{
	struct fxsd_config *c = NULL;
	char err[12];
	int r;

	memset(err, 'z', sizeof(err));
	r = config_parse_string("[nope]\n", P, &c, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK_STR(err, "/etc/fxsd/f");
}

UNIT_TEST(free_null)
{
	CHECK(config_free(NULL) == NULL, "config_free(NULL)");
}

/* ---- files ------------------------------------------------------------ */

UNIT_TEST(load_missing_file)
{
	struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_load(CFG_DIR "does-not-exist.conf", &c, err, sizeof(err));
	CHECK_INT(r, -ENOENT);
	CHECK(c == NULL, "config returned on error");
	CHECK_STR(err, CFG_DIR
		  "does-not-exist.conf: cannot open: No such file or directory");
}

UNIT_TEST(load_directory)
{
	struct fxsd_config *c = NULL;
	char err[512];
	int r;

	/* fopen() succeeds on a directory; reading it fails with EISDIR. */
	r = config_load(CFG_DIR, &c, err, sizeof(err));
	CHECK(r == -EISDIR, "got %d: %s", r, err);
	CHECK(c == NULL, "config returned on error");
	CHECK_STR(err, CFG_DIR ": read error: Is a directory");
}

UNIT_TEST(load_bad_unknown_key)
{
	struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_load(CFG_DIR "bad-unknown-key.conf", &c, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK_STR(err, CFG_DIR
		  "bad-unknown-key.conf:8: unknown key 'pasword' in [port 0]");
}

UNIT_TEST(load_bad_missing_user)
{
	struct fxsd_config *c = NULL;
	char err[512];
	int r;

	r = config_load(CFG_DIR "bad-missing-user.conf", &c, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK_STR(err, CFG_DIR "bad-missing-user.conf:5: [port 1] has no 'user'");
}

/* Write @size bytes of @data to a new temporary file; its path in @path. */
static int write_temp(char *path, const void *data, size_t size)
{
	int fd = mkstemp(path);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, data, size);
	close(fd);
	return n == (ssize_t)size ? 0 : -EIO;
}

UNIT_TEST(load_nul_byte)
{
	static const char data[] = "[port 0]\nuser = 1\0 00\ndomain = d\n";
	struct fxsd_config *c = NULL;
	char path[] = "/tmp/fxsd-conf-XXXXXX", err[512], want[512];
	int r;

	CHECK(write_temp(path, data, sizeof(data) - 1) == 0, "temp file");
	r = config_load(path, &c, err, sizeof(err));
	unlink(path);
	CHECK_INT(r, -EINVAL);
	snprintf(want, sizeof(want), "%s:2: NUL byte in line", path);
	CHECK_STR(err, want);
}

UNIT_TEST(load_too_large)
{
	_cleanup_free_ char *data = malloc(CONFIG_FILE_MAX + 1);
	struct fxsd_config *c = NULL;
	char path[] = "/tmp/fxsd-conf-XXXXXX", err[512], want[512];
	size_t i;
	int r;

	CHECK(data, "malloc");
	/* Short comment lines, so only the size is wrong. */
	for (i = 0; i < CONFIG_FILE_MAX + 1; i++)
		data[i] = i % 64 == 63 ? '\n' : '#';
	CHECK(write_temp(path, data, CONFIG_FILE_MAX + 1) == 0, "temp file");
	r = config_load(path, &c, err, sizeof(err));
	unlink(path);
	CHECK_INT(r, -EFBIG);
	snprintf(want, sizeof(want), "%s: file too large (max %d bytes)", path,
		 CONFIG_FILE_MAX);
	CHECK_STR(err, want);
}

UNIT_TEST(load_exactly_max_size)
{
	_cleanup_free_ char *data = malloc(CONFIG_FILE_MAX);
	_cleanup_config_ struct fxsd_config *c = NULL;
	char path[] = "/tmp/fxsd-conf-XXXXXX", err[512];
	size_t i;
	int r;

	CHECK(data, "malloc");
	for (i = 0; i < CONFIG_FILE_MAX; i++)
		data[i] = i % 64 == 63 ? '\n' : '#';
	CHECK(write_temp(path, data, CONFIG_FILE_MAX) == 0, "temp file");
	r = config_load(path, &c, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "load failed (%d): %s", r, err);
	CHECK_INT(c->n_ports, 0);
}

UNIT_TEST(load_empty_file)
{
	_cleanup_config_ struct fxsd_config *c = NULL;
	char path[] = "/tmp/fxsd-conf-XXXXXX", err[512];
	int r;

	CHECK(write_temp(path, "", 0) == 0, "temp file");
	r = config_load(path, &c, err, sizeof(err));
	unlink(path);
	CHECK(r == 0, "load failed (%d): %s", r, err);
	CHECK_INT(c->global.sip_port, 5060);
}

/* ---- the services that decide what an incoming call does ------------- */

/* Off by default, the no-answer delay 20 s, the five Bellcore rings. */
UNIT_TEST(services_defaults)
{
	_cleanup_config_ struct fxsd_config *a = NULL;
	const struct fxsd_port_config *p;
	const struct config_ring_alert *r;

	PARSE_OK(a, PORT0);
	p = &a->ports[0];
	CHECK_INT(p->dnd, false);
	CHECK_INT(p->anonymous_reject, false);
	CHECK_STR(p->forward_all, "");
	CHECK_STR(p->forward_busy, "");
	CHECK_STR(p->forward_no_answer, "");
	CHECK_INT(p->forward_no_answer_secs, 20);
	CHECK_INT(p->n_ring_alerts, 5);
	r = config_ring_alert_find(p, "bellcore-DR3");
	CHECK(r && !strcmp(r->token, "Bellcore-dr3") && r->n_pairs == 3 &&
	      r->cadence_ms[0] == 400 && r->cadence_ms[4] == 800 &&
	      r->cadence_ms[5] == 4000, "Bellcore-dr3's default");
	r = config_ring_alert_find(p, "Bellcore-dr2");
	CHECK(r && r->n_pairs == 2 && r->cadence_ms[0] == 800 &&
	      r->cadence_ms[1] == 400 && r->cadence_ms[2] == 800 &&
	      r->cadence_ms[3] == 4000, "Bellcore-dr2's default");
	r = config_ring_alert_find(p, "Bellcore-dr4");
	CHECK(r && r->n_pairs == 3 && r->cadence_ms[2] == 1000, "dr4");
	CHECK(config_ring_alert_find(p, "Bellcore-dr6") == NULL, "unknown token");
	CHECK(config_ring_alert_find(p, "") == NULL, "no token");
	CHECK(config_ring_alert_find(p, NULL) == NULL, "NULL tokens");
	/* the first token that matches, in the Alert-Info's order */
	r = config_ring_alert_find(p, "urn:alert:source:external  x Bellcore-dr5 Bellcore-dr1");
	CHECK(r && !strcmp(r->token, "Bellcore-dr5"), "first match");
	check_round_trip(a);
}

UNIT_TEST(services_keys)
{
	_cleanup_config_ struct fxsd_config *a = NULL;
	const struct fxsd_port_config *p;
	const struct config_ring_alert *r;

	PARSE_OK(a, PORT0 "dnd = yes\nanonymous_reject = on\n"
		 "forward_all = 2001\nforward_busy = sip:vm@voicemail.example.org:5070\n"
		 "forward_no_answer = tel:+15551234567\nforward_no_answer_secs = 600\n"
		 "ring_alert = Bellcore-dr2 1000,1000   # the user's own\n"
		 "ring_alert = urn:alert:source:external 400,200,400,2000\n"
		 "ring_alert = alert-internal 300, 300\n");
	p = &a->ports[0];
	CHECK_INT(p->dnd, true);
	CHECK_INT(p->anonymous_reject, true);
	CHECK_STR(p->forward_all, "2001");
	CHECK_STR(p->forward_busy, "sip:vm@voicemail.example.org:5070");
	CHECK_STR(p->forward_no_answer, "tel:+15551234567");
	CHECK_INT(p->forward_no_answer_secs, 600);
	/* the three given, then the four defaults not overridden */
	CHECK_INT(p->n_ring_alerts, 7);
	CHECK_STR(p->ring_alerts[0].token, "Bellcore-dr2");
	CHECK_STR(p->ring_alerts[3].token, "Bellcore-dr1");
	r = config_ring_alert_find(p, "Bellcore-dr2");
	CHECK(r && r->n_pairs == 1 && r->cadence_ms[0] == 1000, "dr2 overridden");
	r = config_ring_alert_find(p, "URN:alert:source:EXTERNAL");
	CHECK(r && r->n_pairs == 2 && r->cadence_ms[3] == 2000, "a URN token");
	check_round_trip(a);
}

UNIT_TEST(services_forward_targets)
{
	static const char *const good[] = {
		"2001", "*98", "+15551234567", "sip:vm@example.org",
		"sips:a@[2001:db8::1]:5061;transport=tls", "tel:+1-555-0100",
	};
	static const char *const bad[] = {
		"", "20 01", "sip:", "sip:a b@c", "sip:<a@b>", "sip:a@b?X=y",
		"http://x/y", "\"2001\"", "a@b",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(config_forward_valid(good[i]), "'%s' refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!config_forward_valid(bad[i]), "'%s' taken", bad[i]);
	CHECK(!config_forward_valid(NULL), "NULL taken");
}

/* A changed service is a changed port (reload compares bytewise). */
UNIT_TEST(services_change_is_a_port_change)
{
	_cleanup_config_ struct fxsd_config *a = NULL, *b = NULL, *c = NULL;
	struct fxsd_port_config x, y, z;

	PARSE_OK(a, PORT0);
	PARSE_OK(b, PORT0 "ring_alert = Bellcore-dr5 500,5000\n");
	PARSE_OK(c, PORT0 "ring_alert = Bellcore-dr5 500,5500\nforward_no_answer_secs = 20\n");
	x = a->ports[0];
	y = b->ports[0];
	z = c->ports[0];
	CHECK(memcmp(&x, &y, sizeof(x)) != 0, "a changed ring_alert compares equal");
	/* the defaults spelled out: the same rings, in another order */
	CHECK(memcmp(&x, &z, sizeof(x)) != 0 || x.n_ring_alerts == z.n_ring_alerts,
	      "n_ring_alerts");
}

ERR_CASE(dnd_bad, PORT0 "dnd = maybe\n",
	 P ":4: invalid dnd 'maybe' (yes/no, true/false, on/off, 1/0)")
ERR_CASE(forward_bad, PORT0 "\nforward_busy = sip:a b@c\n",
	 P ":5: invalid forward_busy 'sip:a b@c' (a number, or a sip:, sips: or tel: URI)")
ERR_CASE(forward_twice, PORT0 "forward_all = 1\nforward_all = 2\n",
	 P ":5: duplicate key 'forward_all'")
ERR_CASE(forward_secs_zero, PORT0 "forward_no_answer_secs = 0\n",
	 P ":4: invalid forward_no_answer_secs '0' (1-600)")
ERR_CASE(ring_alert_no_cadence, PORT0 "ring_alert = Bellcore-dr2\n",
	 P ":4: invalid ring_alert cadence '' (on,off ms pairs, at most 8; on 10-10000, off 0-10000)")
ERR_CASE(ring_alert_bad_cadence, PORT0 "ring_alert = x 800,400,800\n",
	 P ":4: invalid ring_alert cadence ' 800,400,800' (on,off ms pairs, at most 8; on 10-10000, off 0-10000)")
ERR_CASE(ring_alert_bad_token, PORT0 "ring_alert = a<b 800,400\n",
	 P ":4: invalid ring_alert token 'a<b' (letters, digits and -._~!*'+%:)")
ERR_CASE(ring_alert_twice, PORT0 "ring_alert = X 800,400\nring_alert = x 100,100\n",
	 P ":5: duplicate ring_alert token 'x'")
ERR_CASE(ring_alert_short_burst, PORT0
	 "ring_alert = t1 1,1\n",
	 P ":4: invalid ring_alert cadence ' 1,1' (on,off ms pairs, at most 8; on 10-10000, off 0-10000)")
ERR_CASE(ring_alert_over_sixteen, PORT0
	 "ring_alert = t1 10,1\nring_alert = t2 10,1\nring_alert = t3 10,1\n"
	 "ring_alert = t4 10,1\nring_alert = t5 10,1\nring_alert = t6 10,1\n"
	 "ring_alert = t7 10,1\nring_alert = t8 10,1\nring_alert = t9 10,1\n"
	 "ring_alert = t10 10,1\nring_alert = t11 10,1\nring_alert = t12 10,1\n",
	 P ":1: [port 0] has too many ring_alert tokens (at most 16, the 5 Bellcore defaults included)")

/* ---- the voice menu (line/menu.h) ------------------------------------ */

UNIT_TEST(voice_menu_keys)
{
	_cleanup_config_ struct fxsd_config *c = NULL;

	PARSE_OK(c, PORT0);
	CHECK_STR(c->ports[0].voice_menu, "***");
	CHECK(c->ports[0].unavailable_announcement, "default on");
	CHECK_STR(c->global.prompt_dir, "/usr/share/fxs/prompts");
	check_round_trip(c);
	config_free(c);
	c = NULL;
	/* empty: the menu is off, and stays off through a dump */
	PARSE_OK(c, "[global]\nprompt_dir = /opt/prompts\n" PORT0
		 "voice_menu =\nunavailable_announcement = no\n");
	CHECK_STR(c->ports[0].voice_menu, "");
	CHECK(!c->ports[0].unavailable_announcement, "off");
	CHECK_STR(c->global.prompt_dir, "/opt/prompts");
	check_round_trip(c);
	config_free(c);
	c = NULL;
	PARSE_OK(c, PORT0 "voice_menu = *0*\n");
	CHECK_STR(c->ports[0].voice_menu, "*0*");
	check_round_trip(c);
}

ERR_CASE(voice_menu_bad_char, PORT0 "voice_menu = *#1\n",
	 P ":4: invalid voice_menu '*#1' (digits and *, at most 8)")
ERR_CASE(voice_menu_too_long, PORT0 "voice_menu = 123456789\n",
	 P ":4: value of 'voice_menu' too long (max 8 characters)")
ERR_CASE(prompt_dir_relative, "[global]\nprompt_dir = prompts\n",
	 P ":2: invalid prompt_dir 'prompts' (an absolute file name)")
