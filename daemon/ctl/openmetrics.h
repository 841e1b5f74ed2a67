/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * openmetrics.h - the metrics endpoint's pure half: the HTTP request
 * parser (network input, fuzzed: tests/fuzz/fuzz_metrics.c) and the text
 * formatter (Prometheus text format 0.0.4, or OpenMetrics 1.0 when the
 * scraper asks for it).  No I/O, no logging; ctl/metrics.c is the socket
 * side.
 */
#ifndef FXSD_OPENMETRICS_H
#define FXSD_OPENMETRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "line/callstats.h"

/* The largest request head accepted (request line and headers). */
#define METRICS_REQUEST_MAX	4096

#define METRICS_CONTENT_TYPE_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONTENT_TYPE_OPENMETRICS \
	"application/openmetrics-text; version=1.0.0; charset=utf-8"

/**
 * struct metrics_request - what a request asks
 * @status: 200 (GET or HEAD of /metrics), 400 (malformed), 404 (another
 *	path), 405 (another method), 431 (head over METRICS_REQUEST_MAX),
 *	505 (not HTTP/1.x)
 * @head: the method is HEAD (no body in the answer)
 * @openmetrics: the Accept header names application/openmetrics-text
 */
struct metrics_request {
	int status;
	bool head;
	bool openmetrics;
};

/*
 * Parse the request head in @buf (@len bytes received so far).  Returns
 * 0 while the head is incomplete (more may come), or the head's length
 * (through its empty line) with *@ret filled; a request that can be
 * judged before its end (too long, a bad request line or header) is
 * answered at once: the return is then @len and ret->status the error.
 * Bare LF line ends are accepted.
 */
size_t metrics_parse_request(const char *buf, size_t len,
			     struct metrics_request *ret);

/* The reason phrase of @status ("OK", "Not Found", ...). */
const char *metrics_status_text(int status);


/*
 * The exposition of @n ports: every family with HELP and TYPE, in the
 * OpenMetrics format (ends with "# EOF") when @openmetrics, else the
 * Prometheus text format.  @reg_states names the registration states
 * (@n_reg_states of them, for the stateset gauge).  Returns a malloc'd
 * NUL-terminated text and its length in *@ret_len, or NULL (no memory).
 */
char *metrics_format(const struct line_metrics *ports, size_t n,
		     const char *const *reg_states, size_t n_reg_states,
		     bool openmetrics, size_t *ret_len);

#endif /* FXSD_OPENMETRICS_H */
