/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * log.h - fxsd's logging: to the journal with structured fields (PORT,
 * CALL_ID, STATE) when running under systemd, to stderr otherwise.
 */
#ifndef FXSD_LOG_H
#define FXSD_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

/* Log at priorities up to @max_priority (LOG_ERR..LOG_DEBUG). */
void log_setup(int max_priority);
int log_get_max_priority(void);

/* @port < 0, @call_id NULL and @state NULL leave their fields out. */
void log_port(int priority, int port, const char *call_id, const char *state,
	      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void log_portv(int priority, int port, const char *call_id, const char *state,
	       const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

#define log_error(...)	 log_port(LOG_ERR, -1, NULL, NULL, __VA_ARGS__)
#define log_warning(...) log_port(LOG_WARNING, -1, NULL, NULL, __VA_ARGS__)
#define log_notice(...)	 log_port(LOG_NOTICE, -1, NULL, NULL, __VA_ARGS__)
#define log_info(...)	 log_port(LOG_INFO, -1, NULL, NULL, __VA_ARGS__)
#define log_debug(...)	 log_port(LOG_DEBUG, -1, NULL, NULL, __VA_ARGS__)

#endif /* FXSD_LOG_H */
