// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_metrics.c - libFuzzer target: the metrics endpoint's HTTP request
 * parser (daemon/ctl/openmetrics.c), fed as ctl/metrics.c feeds it: the
 * bytes received so far, at most METRICS_REQUEST_MAX, growing in the
 * pieces the input's first byte chooses.
 *
 * Checked besides memory safety: the parser reads no more than it is
 * given; a result is 0 (more needed) or a length within the bytes given;
 * once it has answered, more bytes after them do not change the answer;
 * the status is one of those the endpoint sends; HEAD and OpenMetrics
 * are only ever set on a 200-worthy method; the same bytes parse the same
 * way twice.
 */
#include "ctl/openmetrics.h"

#include "fuzz.h"

static bool known_status(int s)
{
	return s == 200 || s == 400 || s == 404 || s == 405 || s == 431 ||
	       s == 505;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct metrics_request rq, again, first = { 0 };
	size_t step, len = 0, got = 0, r;
	char *buf;

	if (!size)
		return 0;
	step = 1 + data[0] % 64;
	data++;
	size--;
	if (size > METRICS_REQUEST_MAX)
		size = METRICS_REQUEST_MAX;
	/* exactly the bytes received: ASan sees any read past them */
	while (len < size) {
		len = len + step < size ? len + step : size;
		buf = malloc(len);
		fuzz_assert(buf);
		memcpy(buf, data, len);
		r = metrics_parse_request(buf, len, &rq);
		fuzz_assert(r <= len);
		if (r) {
			fuzz_assert(known_status(rq.status));
			fuzz_assert(metrics_status_text(rq.status)[0]);
			fuzz_assert(metrics_parse_request(buf, len, &again) == r &&
				    again.status == rq.status &&
				    again.head == rq.head &&
				    again.openmetrics == rq.openmetrics);
			if (!got) {
				got = r;
				first = rq;
			} else if (first.status != 431 && first.status != 400) {
				/* a complete head is complete for good */
				fuzz_assert(r == got && rq.status == first.status);
			}
		} else {
			fuzz_assert(!got);
			fuzz_assert(len < METRICS_REQUEST_MAX);
		}
		free(buf);
	}
	return 0;
}
