// SPDX-License-Identifier: GPL-2.0-only
/* log.c - journal or stderr, see log.h */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#include "log.h"

static int max_prio = LOG_INFO;
static int to_journal = -1;

void log_setup(int max_priority)
{
	max_prio = max_priority;
}

int log_get_max_priority(void)
{
	return max_prio;
}

/* systemd sets JOURNAL_STREAM when stderr goes to the journal. */
static bool use_journal(void)
{
	if (to_journal < 0)
		to_journal = getenv("JOURNAL_STREAM") != NULL;
	return to_journal;
}

void log_portv(int priority, int port, const char *call_id, const char *state,
	       const char *fmt, va_list ap)
{
	char msg[1024], pbuf[32];

	if (priority > max_prio)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (use_journal()) {
		snprintf(pbuf, sizeof(pbuf), "PORT=%d", port);
		sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority,
				port >= 0 ? pbuf : "PORT=",
				"CALL_ID=%s", call_id ? call_id : "",
				"STATE=%s", state ? state : "", NULL);
		return;
	}
	if (port >= 0)
		fprintf(stderr, "fxsd: fxs%d%s%s%s%s: %s\n", port,
			state ? " [" : "", state ? state : "", state ? "]" : "",
			call_id ? "" : "", msg);
	else
		fprintf(stderr, "fxsd: %s\n", msg);
}

void log_port(int priority, int port, const char *call_id, const char *state,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_portv(priority, port, call_id, state, fmt, ap);
	va_end(ap);
}
