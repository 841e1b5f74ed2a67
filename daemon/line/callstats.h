/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * callstats.h - what a Line counts of its calls for the metrics endpoint
 * (ctl/metrics.c): outcomes by direction, RTP totals, and histograms of
 * finished calls' MOS, ERLE and jitter.  Plain data and one inline helper:
 * the Line fills it, the formatter (ctl/openmetrics.c) prints it.
 */
#ifndef FXSD_CALLSTATS_H
#define FXSD_CALLSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum call_direction {
	CALL_DIR_INCOMING,
	CALL_DIR_OUTGOING,
	_CALL_DIR_MAX,
};

/*
 * How a call's set-up ended, counted once per call when it is known:
 * answered (it went up), busy (486/600 from the far end), no_answer (our
 * no-answer timer), cancelled (the caller gave up before an answer: the
 * phone hung up, or a CANCEL came), rejected (an incoming INVITE refused
 * without ringing: the port busy, an offer we cannot answer), failed
 * (anything else: an error response, a timeout, an invalid number).
 */
enum call_result {
	CALL_RESULT_ANSWERED,
	CALL_RESULT_BUSY,
	CALL_RESULT_NO_ANSWER,
	CALL_RESULT_CANCELLED,
	CALL_RESULT_REJECTED,
	CALL_RESULT_FAILED,
	_CALL_RESULT_MAX,
};

#define CALL_HIST_MAX	16	/* the most bucket bounds a histogram has */

/* The upper bounds of the buckets (the +Inf bucket comes on top). */
/* a clean G.711 call is 4.41 (R 93.2): in (4.36, 4.42] */
static const double call_mos_bounds[] = {
	1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 3.8, 4.0, 4.2, 4.3, 4.36, 4.42, 4.5,
};
static const double call_erle_bounds[] = {
	0, 3, 6, 10, 15, 20, 25, 30, 40, 50,
};
static const double call_jitter_bounds[] = {	/* ms */
	0.5, 1, 2, 5, 10, 20, 30, 50, 100, 200,
};

/**
 * struct call_hist - a histogram of finished calls
 * @n: observations per bucket, not cumulative: @n[i] those <= bound i
 *	and above bound i - 1, @n[number of bounds] those above the last
 * @count: observations
 * @sum: their sum
 */
struct call_hist {
	uint64_t n[CALL_HIST_MAX + 1];
	uint64_t count;
	double sum;
};

static inline void call_hist_observe(struct call_hist *h,
				     const double *bounds, size_t n_bounds,
				     double v)
{
	size_t i = 0;

	if (v != v)	/* NaN: no observation */
		return;
	while (i < n_bounds && v > bounds[i])
		i++;
	h->n[i]++;
	h->count++;
	h->sum += v;
}

/**
 * struct line_counters - a port's totals since its Line was made
 * @calls: calls by direction and result
 * @rtp_sent, @rtp_received, @rtp_lost: RTP packets of finished calls (the
 *	losses RFC 3550 counts, negative ones, from duplicates, as 0)
 * @mos, @erle, @jitter: finished calls that were answered: the MOS
 *	estimate, the echo canceller's ERLE (dB, calls with far-end speech
 *	only) and the interarrival jitter (ms) at the end of the call
 */
struct line_counters {
	uint64_t calls[_CALL_DIR_MAX][_CALL_RESULT_MAX];
	uint64_t rtp_sent, rtp_received, rtp_lost;
	struct call_hist mos, erle, jitter;
};

/**
 * struct line_metrics - one port as the metrics endpoint shows it
 * @index: the port number (label port="N")
 * @attached: /dev/fxsN is open
 * @reg: the registration state (enum sip_reg_state)
 * @active_calls: calls up (the front one, the one waiting or held)
 * @in_call: an RTP session runs: @live_* and @jitter_ms are its own
 * @live_sent, @live_received, @live_lost: the running call's RTP packets
 * @jitter_ms: the running call's interarrival jitter
 * @c: the totals of finished calls
 * @driver: the driver's counters below are known (attached)
 * @offhooks, @onhooks, @flashes, @pulse_digits: hook events
 * @underruns, @overruns: audio frames played short, captured frames lost
 */
struct line_metrics {
	int index;
	bool attached;
	int reg;
	unsigned active_calls;
	bool in_call;
	uint64_t live_sent, live_received, live_lost;
	double jitter_ms;
	const struct line_counters *c;
	bool driver;
	uint64_t offhooks, onhooks, flashes, pulse_digits;
	uint64_t underruns, overruns;
};

#endif /* FXSD_CALLSTATS_H */
