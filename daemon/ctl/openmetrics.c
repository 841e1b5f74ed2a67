// SPDX-License-Identifier: GPL-2.0-only
/* openmetrics.c - the metrics endpoint's request parser and formatter,
 * see openmetrics.h */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl/openmetrics.h"

/* ---- the request ---------------------------------------------------- */

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* A request target, a header value: visible ASCII, and in values SP/HTAB
 * and octets above 0x7f (obs-text). */
static bool is_vchar(unsigned char c, bool blank_ok)
{
	return (c > 0x20 && c != 0x7f) || (blank_ok && (c == ' ' || c == '\t'));
}

/* The end of the head: the offset just past its empty line, or 0. */
static size_t head_end(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* One line [@s, @e) without its line end. */
static void line_bounds(const char *buf, size_t from, size_t end,
			size_t *ret_e, size_t *ret_next)
{
	size_t e = from;

	while (e < end && buf[e] != '\n')
		e++;
	*ret_next = e < end ? e + 1 : end;
	if (e > from && buf[e - 1] == '\r')
		e--;
	*ret_e = e;
}

static bool span_is(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && !memcmp(s, word, n);
}

/* The request line; 0 or the error status. */
static int parse_request_line(const char *s, size_t n,
			      struct metrics_request *ret)
{
	size_t i = 0, m, t, tn;
	bool get, head;

	while (i < n && is_tchar(s[i]))
		i++;
	m = i;
	if (!m || i >= n || s[i] != ' ')
		return 400;
	t = ++i;
	while (i < n && is_vchar(s[i], false))
		i++;
	tn = i - t;
	if (!tn || i >= n || s[i] != ' ')
		return 400;
	i++;
	if (n - i != 8 || memcmp(s + i, "HTTP/", 5) ||
	    s[i + 5] < '0' || s[i + 5] > '9' || s[i + 6] != '.' ||
	    s[i + 7] < '0' || s[i + 7] > '9')
		return 400;
	if (s[i + 5] != '1')
		return 505;
	get = span_is(s, m, "GET");
	head = span_is(s, m, "HEAD");
	if (!get && !head)
		return 405;
	ret->head = head;
	/* /metrics, with or without a query */
	if (tn < 8 || memcmp(s + t, "/metrics", 8) ||
	    (tn > 8 && s[t + 8] != '?'))
		return 404;
	return 0;
}

/* One header line; 0 or 400. */
static int parse_header(const char *s, size_t n, struct metrics_request *ret)
{
	static const char om[] = "application/openmetrics-text";
	size_t i = 0, v;

	while (i < n && is_tchar(s[i]))
		i++;
	if (!i || i >= n || s[i] != ':')
		return 400;	/* no name, a space before ':', obs-fold */
	for (v = i + 1; v < n; v++)
		if (!is_vchar((unsigned char)s[v], true))
			return 400;
	if (i == 6 && !strncasecmp(s, "Accept", 6)) {
		for (v = i + 1; v + sizeof(om) - 1 <= n; v++)
			if (!strncasecmp(s + v, om, sizeof(om) - 1))
				ret->openmetrics = true;
	}
	return 0;
}

size_t metrics_parse_request(const char *buf, size_t len,
			     struct metrics_request *ret)
{
	size_t end, e, next, pos;
	int st;

	*ret = (struct metrics_request){ .status = 200 };
	end = head_end(buf, len);
	if (!end) {
		/* a request line already broken needs no more bytes */
		if (len && !is_tchar(buf[0]) && buf[0] != '\r' &&
		    buf[0] != '\n') {
			ret->status = 400;
			return len;
		}
		if (len >= METRICS_REQUEST_MAX) {
			ret->status = 431;
			return len;
		}
		return 0;
	}
	if (end > METRICS_REQUEST_MAX) {
		ret->status = 431;
		return len;
	}
	line_bounds(buf, 0, end, &e, &next);
	st = parse_request_line(buf, e, ret);
	/* the headers, even after a 404/405: a malformed one is a 400 */
	for (pos = next; pos < end;) {
		size_t s = pos;

		line_bounds(buf, s, end, &e, &next);
		pos = next;
		if (e == s)
			break;	/* the empty line */
		if (parse_header(buf + s, e - s, ret)) {
			st = 400;
			break;
		}
	}
	if (st)
		ret->status = st;
	return end;
}

const char *metrics_status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* ---- the exposition ------------------------------------------------- */

static const char *const direction_names[_CALL_DIR_MAX] = {
	[CALL_DIR_INCOMING] = "incoming",
	[CALL_DIR_OUTGOING] = "outgoing",
};

static const char *const result_names[_CALL_RESULT_MAX] = {
	[CALL_RESULT_ANSWERED] = "answered",
	[CALL_RESULT_BUSY] = "busy",
	[CALL_RESULT_NO_ANSWER] = "no_answer",
	[CALL_RESULT_CANCELLED] = "cancelled",
	[CALL_RESULT_REJECTED] = "rejected",
	[CALL_RESULT_FAILED] = "failed",
};

/* HELP and TYPE of family @name; a counter's family is named without
 * "_total" in OpenMetrics, with it in the text format. */
static void family(FILE *f, bool om, const char *name, const char *type,
		   const char *help)
{
	bool counter = !strcmp(type, "counter");

	fprintf(f, "# HELP %s%s %s\n# TYPE %s%s %s\n",
		name, counter && !om ? "_total" : "", help,
		name, counter && !om ? "_total" : "", type);
}

/* A sample value: integers as such, others with enough digits. */
static void value(FILE *f, double v)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15)
		fprintf(f, " %lld\n", (long long)v);
	else
		fprintf(f, " %.10g\n", v);
}

static void hist(FILE *f, const char *name, int port, const struct call_hist *h,
		 const double *bounds, size_t n_bounds, double scale)
{
	uint64_t cum = 0;
	size_t i;

	for (i = 0; i < n_bounds; i++) {
		cum += h->n[i];
		fprintf(f, "%s_bucket{port=\"%d\",le=\"%.6g\"} %llu\n", name,
			port, bounds[i] * scale, (unsigned long long)cum);
	}
	cum += h->n[n_bounds];
	fprintf(f, "%s_bucket{port=\"%d\",le=\"+Inf\"} %llu\n", name, port,
		(unsigned long long)cum);
	fprintf(f, "%s_count{port=\"%d\"} %llu\n", name, port,
		(unsigned long long)h->count);
	fprintf(f, "%s_sum{port=\"%d\"}", name, port);
	value(f, h->sum * scale);
}

#define EACH(i) for (i = 0; i < n; i++)

char *metrics_format(const struct line_metrics *ports, size_t n,
		     const char *const *reg_states, size_t n_reg_states,
		     bool om, size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0, i, d, r;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;

	family(f, om, "fxs_port_attached", "gauge",
	       "1 while the port's device /dev/fxsN is open.");
	EACH(i)
		fprintf(f, "fxs_port_attached{port=\"%d\"} %d\n",
			ports[i].index, ports[i].attached);

	family(f, om, "fxs_registration_state", "gauge",
	       "The port's SIP registration: 1 for its state, 0 for the others.");
	EACH(i)
		for (r = 0; r < n_reg_states; r++)
			fprintf(f, "fxs_registration_state{port=\"%d\",state=\"%s\"} %d\n",
				ports[i].index, reg_states[r],
				ports[i].reg == (int)r);

	family(f, om, "fxs_calls", "counter",
	       "Calls by direction and how their set-up ended, counted when it is known.");
	EACH(i)
		for (d = 0; d < _CALL_DIR_MAX; d++)
			for (r = 0; r < _CALL_RESULT_MAX; r++)
				fprintf(f, "fxs_calls_total{port=\"%d\",direction=\"%s\",result=\"%s\"} %llu\n",
					ports[i].index, direction_names[d],
					result_names[r],
					(unsigned long long)ports[i].c->calls[d][r]);

	family(f, om, "fxs_active_calls", "gauge",
	       "Calls up on the port (the one talking, the one waiting or held).");
	EACH(i)
		fprintf(f, "fxs_active_calls{port=\"%d\"} %u\n",
			ports[i].index, ports[i].active_calls);

	family(f, om, "fxs_rtp_packets_sent", "counter",
	       "RTP packets sent, finished calls and the running one.");
	EACH(i)
		fprintf(f, "fxs_rtp_packets_sent_total{port=\"%d\"} %llu\n",
			ports[i].index,
			(unsigned long long)(ports[i].c->rtp_sent +
					     ports[i].live_sent));
	family(f, om, "fxs_rtp_packets_received", "counter",
	       "RTP packets received and accepted, finished calls and the running one.");
	EACH(i)
		fprintf(f, "fxs_rtp_packets_received_total{port=\"%d\"} %llu\n",
			ports[i].index,
			(unsigned long long)(ports[i].c->rtp_received +
					     ports[i].live_received));
	family(f, om, "fxs_rtp_packets_lost", "counter",
	       "RTP packets lost (RFC 3550: expected minus received), finished calls and the running one.");
	EACH(i)
		fprintf(f, "fxs_rtp_packets_lost_total{port=\"%d\"} %llu\n",
			ports[i].index,
			(unsigned long long)(ports[i].c->rtp_lost +
					     ports[i].live_lost));

	family(f, om, "fxs_rtp_jitter_seconds", "gauge",
	       "Interarrival jitter of the running call's RTP (RFC 3550 6.4.1).");
	EACH(i)
		if (ports[i].in_call) {
			fprintf(f, "fxs_rtp_jitter_seconds{port=\"%d\"}",
				ports[i].index);
			value(f, ports[i].jitter_ms / 1000.0);
		}

	family(f, om, "fxs_call_mos", "histogram",
	       "MOS estimate (ITU-T G.107 E-model) of answered calls, at their end.");
	EACH(i)
		hist(f, "fxs_call_mos", ports[i].index, &ports[i].c->mos,
		     call_mos_bounds, sizeof(call_mos_bounds) / sizeof(double), 1);
	family(f, om, "fxs_call_erle_decibels", "histogram",
	       "Echo return loss enhancement of the line echo canceller over answered calls with far-end speech.");
	EACH(i)
		hist(f, "fxs_call_erle_decibels", ports[i].index,
		     &ports[i].c->erle, call_erle_bounds,
		     sizeof(call_erle_bounds) / sizeof(double), 1);
	family(f, om, "fxs_call_jitter_seconds", "histogram",
	       "RTP interarrival jitter of answered calls, at their end.");
	EACH(i)
		hist(f, "fxs_call_jitter_seconds", ports[i].index,
		     &ports[i].c->jitter, call_jitter_bounds,
		     sizeof(call_jitter_bounds) / sizeof(double), 0.001);

	family(f, om, "fxs_hook_events", "counter",
	       "Hook switch events the driver reported since the port appeared.");
	EACH(i)
		if (ports[i].driver) {
			const char *ev[] = { "offhook", "onhook", "flash",
					     "pulse_digit" };
			uint64_t v[] = { ports[i].offhooks, ports[i].onhooks,
					 ports[i].flashes, ports[i].pulse_digits };

			for (d = 0; d < 4; d++)
				fprintf(f, "fxs_hook_events_total{port=\"%d\",event=\"%s\"} %llu\n",
					ports[i].index, ev[d],
					(unsigned long long)v[d]);
		}
	family(f, om, "fxs_driver_underruns", "counter",
	       "Audio frames the driver played to the phone with missing audio, since the port appeared.");
	EACH(i)
		if (ports[i].driver)
			fprintf(f, "fxs_driver_underruns_total{port=\"%d\"} %llu\n",
				ports[i].index,
				(unsigned long long)ports[i].underruns);
	family(f, om, "fxs_driver_overruns", "counter",
	       "Audio frames from the phone the driver dropped because nobody read them, since the port appeared.");
	EACH(i)
		if (ports[i].driver)
			fprintf(f, "fxs_driver_overruns_total{port=\"%d\"} %llu\n",
				ports[i].index,
				(unsigned long long)ports[i].overruns);
	if (om)
		fputs("# EOF\n", f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	*ret_len = len;
	return text;
}
