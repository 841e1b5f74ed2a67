/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * metrics.h - the metrics endpoint: HTTP/1.1 GET /metrics on a TCP socket
 * that systemd passes (fxsd-metrics.socket, FileDescriptorName=metrics)
 * or that [metrics] listen = names, served on the loop without blocking.
 * One request per connection; at most METRICS_CONN_MAX connections at a
 * time, each closed METRICS_TIMEOUT_USEC after it was accepted whatever
 * it did.  The text is ctl/openmetrics.c's.
 */
#ifndef FXSD_METRICS_H
#define FXSD_METRICS_H

#include <stddef.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "line/line.h"

#define METRICS_CONN_MAX	8
#define METRICS_TIMEOUT_USEC	(5 * 1000000ULL)
/* The name the socket unit gives its descriptor (FileDescriptorName=). */
#define METRICS_FD_NAME		"metrics"

struct metrics_ops {
	size_t (*n_lines)(void *ud);
	struct line *(*line_at)(void *ud, size_t i);
};

struct metrics_server;

/*
 * Serve the socket systemd passed, else listen where @cfg says; *@ret is
 * NULL (and 0 returned) when neither is there: the endpoint is off.
 * Errors (-errno) are logged, naming the configuration's file and line.
 */
int metrics_new(sd_event *event, const struct fxsd_config *cfg,
		const struct metrics_ops *ops, void *ud,
		struct metrics_server **ret);
/* A reload: a changed [metrics] listen is bound anew (not a socket
 * systemd passed); the old socket is kept if the new one cannot be had
 * (logged), unless it is on the same port (it is closed first). */
int metrics_reconfigure(struct metrics_server **m, sd_event *event,
			const struct fxsd_config *cfg,
			const struct metrics_ops *ops, void *ud);
struct metrics_server *metrics_free(struct metrics_server *m);

#endif /* FXSD_METRICS_H */
