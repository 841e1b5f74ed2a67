// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_metrics.c - the metrics endpoint's request parser (every status it
 * answers, partial and oversized heads) and formatter (families, labels,
 * cumulative buckets, both formats), and the [metrics] section.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl/openmetrics.h"
#include "unit.h"

static int status_of(const char *req, struct metrics_request *rq)
{
	size_t n = strlen(req), r = metrics_parse_request(req, n, rq);

	return r ? rq->status : 0;
}

UNIT_TEST(metrics_request_ok)
{
	struct metrics_request rq;
	const char *get = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9108\r\n"
			  "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n";

	CHECK_INT(metrics_parse_request(get, strlen(get), &rq), strlen(get));
	CHECK_INT(rq.status, 200);
	CHECK(!rq.head && !rq.openmetrics, "plain GET");
	CHECK_INT(status_of("GET /metrics HTTP/1.0\n\n", &rq), 200);
	CHECK_INT(status_of("GET /metrics?x=1 HTTP/1.1\r\n\r\n", &rq), 200);
	CHECK_INT(status_of("HEAD /metrics HTTP/1.1\r\n\r\n", &rq), 200);
	CHECK(rq.head, "HEAD");
	/* what Prometheus 2.42 sends */
	CHECK_INT(status_of("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9108\r\n"
			    "Accept: application/openmetrics-text;version=1.0.0,"
			    "application/openmetrics-text;version=0.0.1;q=0.75,"
			    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1\r\n"
			    "X-Prometheus-Scrape-Timeout-Seconds: 1\r\n\r\n", &rq), 200);
	CHECK(rq.openmetrics, "OpenMetrics asked");
	/* a body after the head is not part of it */
	const char *body = "GET /metrics HTTP/1.1\r\n\r\nxyz";
	CHECK_INT(metrics_parse_request(body, strlen(body), &rq), strlen(body) - 3);
}

UNIT_TEST(metrics_request_errors)
{
	struct metrics_request rq;
	char *big;

	CHECK_INT(status_of("GET /other HTTP/1.1\r\n\r\n", &rq), 404);
	CHECK_INT(status_of("GET /metricsx HTTP/1.1\r\n\r\n", &rq), 404);
	CHECK_INT(status_of("GET / HTTP/1.1\r\n\r\n", &rq), 404);
	CHECK_INT(status_of("POST /metrics HTTP/1.1\r\n\r\n", &rq), 405);
	CHECK_INT(status_of("DELETE /metrics HTTP/1.1\r\n\r\n", &rq), 405);
	CHECK_INT(status_of("GET /metrics HTTP/2.0\r\n\r\n", &rq), 505);
	CHECK_INT(status_of("GET /metrics\r\n\r\n", &rq), 400);
	CHECK_INT(status_of("GET  /metrics HTTP/1.1\r\n\r\n", &rq), 400);
	CHECK_INT(status_of("GET /metrics HTTP/1.1 \r\n\r\n", &rq), 400);
	CHECK_INT(status_of("GET /metrics HTTP/1.1\r\nNo-colon\r\n\r\n", &rq), 400);
	CHECK_INT(status_of("GET /metrics HTTP/1.1\r\nName : v\r\n\r\n", &rq), 400);
	CHECK_INT(status_of("GET /metrics HTTP/1.1\r\nA: b\r\n folded\r\n\r\n", &rq), 400);
	CHECK_INT(status_of("GET /metrics HTTP/1.1\r\nA: b\x01\r\n\r\n", &rq), 400);
	CHECK_INT(status_of("\r\n\r\n", &rq), 400);
	/* a malformed header after a bad path: the header decides */
	CHECK_INT(status_of("GET /x HTTP/1.1\r\n:\r\n\r\n", &rq), 400);
	/* judged before the end: junk at the start */
	CHECK_INT(metrics_parse_request("\x16\x03\x01", 3, &rq), 3);
	CHECK_INT(rq.status, 400);
	/* incomplete: more may come */
	CHECK_INT(metrics_parse_request("GET /metrics HTTP/1.1\r\n", 23, &rq), 0);
	CHECK_INT(metrics_parse_request("", 0, &rq), 0);
	/* the cap */
	big = malloc(METRICS_REQUEST_MAX + 8);
	CHECK(big, "malloc");
	memset(big, 'a', METRICS_REQUEST_MAX + 8);
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	CHECK_INT(metrics_parse_request(big, METRICS_REQUEST_MAX - 1, &rq), 0);
	CHECK_INT(metrics_parse_request(big, METRICS_REQUEST_MAX, &rq),
		  METRICS_REQUEST_MAX);
	CHECK_INT(rq.status, 431);
	memcpy(big + METRICS_REQUEST_MAX + 4, "\r\n\r\n", 4);
	CHECK_INT(metrics_parse_request(big, METRICS_REQUEST_MAX + 8, &rq),
		  METRICS_REQUEST_MAX + 8);
	CHECK_INT(rq.status, 431);
	free(big);
	CHECK_STR(metrics_status_text(405), "Method Not Allowed");
}

static const char *const regs[] = { "none", "registering", "registered",
				     "failed", "unregistered" };

/* The line of @text that starts with @prefix, copied to @buf. */
static const char *line_of(const char *text, const char *prefix, char *buf,
			   size_t n)
{
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (!strncmp(p, prefix, strlen(prefix)) && len < n) {
			memcpy(buf, p, len);
			buf[len] = '\0';
			return buf;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

#define CHECK_LINE(text, want)						\
	do {								\
		char b_[256];						\
		const char *w_ = (want);				\
		const char *sp_ = strrchr(w_, ' ');			\
		char pre_[256];						\
									\
		snprintf(pre_, sizeof(pre_), "%.*s", (int)(sp_ - w_ + 1), w_); \
		CHECK(line_of((text), pre_, b_, sizeof(b_)),		\
		      "no line '%s...'", pre_);				\
		CHECK_STR(b_, w_);					\
	} while (0)

UNIT_TEST(metrics_format_text)
{
	struct line_counters c = { 0 };
	struct line_metrics p[2] = {
		{ .index = 0, .attached = true, .reg = 2, .active_calls = 1,
		  .in_call = true, .live_sent = 50, .live_received = 49,
		  .live_lost = 1, .jitter_ms = 2.5, .c = &c, .driver = true,
		  .offhooks = 3, .onhooks = 2, .flashes = 1, .underruns = 7,
		  .overruns = 8 },
		{ .index = 3, .reg = 0, .c = &c },
	};
	size_t len;
	char *t;

	c.calls[CALL_DIR_OUTGOING][CALL_RESULT_ANSWERED] = 4;
	c.calls[CALL_DIR_INCOMING][CALL_RESULT_REJECTED] = 1;
	c.rtp_sent = 1000;
	call_hist_observe(&c.mos, call_mos_bounds, 13, 4.41);
	call_hist_observe(&c.mos, call_mos_bounds, 13, 3.9);
	call_hist_observe(&c.mos, call_mos_bounds, 13, 0.5);
	call_hist_observe(&c.jitter, call_jitter_bounds, 10, 250);
	t = metrics_format(p, 2, regs, 5, false, &len);
	CHECK(t, "metrics_format");
	CHECK_INT(strlen(t), len);
	CHECK(!strstr(t, "# EOF"), "no EOF in the text format");
	CHECK(strstr(t, "# TYPE fxs_calls_total counter\n"), "counter TYPE");
	CHECK(strstr(t, "# HELP fxs_calls_total "), "counter HELP");
	CHECK(strstr(t, "# TYPE fxs_call_mos histogram\n"), "histogram TYPE");
	CHECK_LINE(t, "fxs_port_attached{port=\"0\"} 1");
	CHECK_LINE(t, "fxs_port_attached{port=\"3\"} 0");
	CHECK_LINE(t, "fxs_registration_state{port=\"0\",state=\"registered\"} 1");
	CHECK_LINE(t, "fxs_registration_state{port=\"0\",state=\"none\"} 0");
	CHECK_LINE(t, "fxs_registration_state{port=\"3\",state=\"none\"} 1");
	CHECK_LINE(t, "fxs_calls_total{port=\"0\",direction=\"outgoing\",result=\"answered\"} 4");
	CHECK_LINE(t, "fxs_calls_total{port=\"0\",direction=\"incoming\",result=\"rejected\"} 1");
	CHECK_LINE(t, "fxs_calls_total{port=\"3\",direction=\"incoming\",result=\"no_answer\"} 0");
	CHECK_LINE(t, "fxs_active_calls{port=\"0\"} 1");
	CHECK_LINE(t, "fxs_rtp_packets_sent_total{port=\"0\"} 1050");
	CHECK_LINE(t, "fxs_rtp_packets_received_total{port=\"0\"} 49");
	CHECK_LINE(t, "fxs_rtp_packets_lost_total{port=\"0\"} 1");
	CHECK_LINE(t, "fxs_rtp_jitter_seconds{port=\"0\"} 0.0025");
	CHECK(!strstr(t, "fxs_rtp_jitter_seconds{port=\"3\"}"), "no jitter without a call");
	/* cumulative buckets */
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"1\"} 1");
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"3.8\"} 1");
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"4\"} 2");
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"4.36\"} 2");
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"4.42\"} 3");
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"4.5\"} 3");
	CHECK_LINE(t, "fxs_call_mos_bucket{port=\"0\",le=\"+Inf\"} 3");
	CHECK_LINE(t, "fxs_call_mos_count{port=\"0\"} 3");
	CHECK_LINE(t, "fxs_call_mos_sum{port=\"0\"} 8.81");
	CHECK_LINE(t, "fxs_call_jitter_seconds_bucket{port=\"0\",le=\"0.2\"} 0");
	CHECK_LINE(t, "fxs_call_jitter_seconds_bucket{port=\"0\",le=\"+Inf\"} 1");
	CHECK_LINE(t, "fxs_call_jitter_seconds_sum{port=\"0\"} 0.25");
	CHECK_LINE(t, "fxs_call_erle_decibels_count{port=\"3\"} 0");
	CHECK_LINE(t, "fxs_hook_events_total{port=\"0\",event=\"offhook\"} 3");
	CHECK_LINE(t, "fxs_hook_events_total{port=\"0\",event=\"flash\"} 1");
	CHECK(!strstr(t, "fxs_hook_events_total{port=\"3\""), "no driver counters detached");
	CHECK_LINE(t, "fxs_driver_underruns_total{port=\"0\"} 7");
	CHECK_LINE(t, "fxs_driver_overruns_total{port=\"0\"} 8");
	CHECK(t[len - 1] == '\n', "ends with a line break");
	free(t);

	/* OpenMetrics: counter families without _total, # EOF at the end */
	t = metrics_format(p, 2, regs, 5, true, &len);
	CHECK(t, "metrics_format openmetrics");
	CHECK(strstr(t, "# TYPE fxs_calls counter\n"), "OpenMetrics counter TYPE");
	CHECK(!strstr(t, "# TYPE fxs_calls_total"), "no _total in the family");
	CHECK_LINE(t, "fxs_calls_total{port=\"0\",direction=\"outgoing\",result=\"answered\"} 4");
	CHECK(len > 6 && !strcmp(t + len - 6, "# EOF\n"), "ends with # EOF");
	free(t);

	/* no ports: the families alone */
	t = metrics_format(NULL, 0, regs, 5, false, &len);
	CHECK(t && strstr(t, "# TYPE fxs_active_calls gauge\n"), "empty exposition");
	free(t);
}

UNIT_TEST(metrics_hist_observe)
{
	struct call_hist h = { 0 };

	call_hist_observe(&h, call_erle_bounds, 10, -3);	/* <= 0 */
	call_hist_observe(&h, call_erle_bounds, 10, 0);
	call_hist_observe(&h, call_erle_bounds, 10, 30);	/* <= 30 */
	call_hist_observe(&h, call_erle_bounds, 10, 30.01);
	call_hist_observe(&h, call_erle_bounds, 10, 1e9);	/* +Inf */
	call_hist_observe(&h, call_erle_bounds, 10, 0.0 / 0.0);	/* none */
	CHECK_INT(h.count, 5);
	CHECK_INT(h.n[0], 2);
	CHECK_INT(h.n[7], 1);
	CHECK_INT(h.n[8], 1);
	CHECK_INT(h.n[10], 1);
}

UNIT_TEST(metrics_config_section)
{
	struct fxsd_config *c = NULL;
	struct sockaddr_storage ss;
	socklen_t sl;
	char err[256];
	int r;

	r = config_parse_string("[global]\n[metrics]\nlisten = 127.0.0.1:9108\n",
				"t.conf", &c, err, sizeof(err));
	CHECK(r == 0, "parse: %s", err);
	CHECK_STR(c->metrics.listen, "127.0.0.1:9108");
	CHECK_INT(c->metrics.line, 2);
	config_free(c);
	r = config_parse_string("[port 0]\nuser = 1\ndomain = x\n", "t.conf", &c,
				err, sizeof(err));
	CHECK(r == 0, "parse: %s", err);
	CHECK_STR(c->metrics.listen, "");	/* off by default */
	config_free(c);
	r = config_parse_string("[metrics]\nlisten = [::1]:9108\n", "t.conf", &c,
				err, sizeof(err));
	CHECK(r == 0, "parse v6: %s", err);
	config_free(c);

	r = config_parse_string("[global]\n\n[metrics]\nlisten = localhost:9108\n",
				"t.conf", &c, err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK_STR(err, "t.conf:4: invalid listen 'localhost:9108' (address:port, IPv6 as [address]:port)");
	r = config_parse_string("[metrics]\nlisten = 127.0.0.1\n", "t.conf", &c,
				err, sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK(!strncmp(err, "t.conf:2: invalid listen", 24), "%s", err);
	r = config_parse_string("[metrics]\nport = 1\n", "t.conf", &c, err,
				sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK_STR(err, "t.conf:2: unknown key 'port' in [metrics]");
	r = config_parse_string("[metrics]\n[metrics]\n", "t.conf", &c, err,
				sizeof(err));
	CHECK_INT(r, -EINVAL);
	CHECK_STR(err, "t.conf:2: duplicate section [metrics]");

	CHECK_INT(config_listen_parse("127.0.0.1:9108", &ss, &sl), 0);
	CHECK_INT(ss.ss_family, AF_INET);
	CHECK_INT(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9108);
	CHECK_INT(config_listen_parse("[::1]:1", &ss, &sl), 0);
	CHECK_INT(ss.ss_family, AF_INET6);
	CHECK_INT(config_listen_parse("::1:9108", &ss, &sl), -EINVAL);
	CHECK_INT(config_listen_parse("127.0.0.1:0", &ss, &sl), -EINVAL);
	CHECK_INT(config_listen_parse("127.0.0.1:65536", &ss, &sl), -EINVAL);
	CHECK_INT(config_listen_parse("127.0.0.1:+80", &ss, &sl), -EINVAL);
	CHECK_INT(config_listen_parse("[]:80", &ss, &sl), -EINVAL);
	CHECK_INT(config_listen_parse(":80", &ss, &sl), -EINVAL);
}
