/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * provision.h - fetching the provisioning profile (README,
 * "Provisioning"): libcurl's multi interface driven by the sd-event loop
 * (its sockets are io sources, its timeout a time source: nothing
 * blocks), at start, every resync_interval, and when asked (a check-sync
 * NOTIFY, fxsctl provisioning --resync), with If-None-Match /
 * If-Modified-Since from the last good profile, retries after a failure
 * on profile_backoff_ms()'s schedule.  A fetched profile goes to the
 * manager's apply() (the whole candidate, base + profile, validated and
 * applied through the reload path); only when that takes it is it kept,
 * in memory and in STATE_DIR/profile.conf (with its validators in
 * STATE_DIR/profile.validators), so that a restart with the server down
 * still has it.  The profile's text is never logged.
 */
#ifndef FXSD_CTL_PROVISION_H
#define FXSD_CTL_PROVISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"

#define PROVISION_PROFILE_FILE		"profile.conf"
#define PROVISION_VALIDATORS_FILE	"profile.validators"
#define PROVISION_ERROR_MAX		512

/* What the last fetch came to. */
enum provision_result {
	PROVISION_NONE,		/* no fetch yet */
	PROVISION_APPLIED,	/* 200, a new profile taken */
	PROVISION_UNCHANGED,	/* 200, the same text as the one held */
	PROVISION_NOT_MODIFIED,	/* 304 */
	PROVISION_INVALID,	/* 200, refused by the parser (file:line) */
	PROVISION_HTTP_ERROR,	/* another status */
	PROVISION_UNREACHABLE,	/* no response: connection, TLS, timeout,
				 * truncated body, too large */
	PROVISION_NO_URL,	/* the URL template could not be expanded */
	_PROVISION_RESULT_MAX,
};

const char *provision_result_to_string(enum provision_result r);

/**
 * struct provision_status - for D-Bus and fxsctl
 * @enabled: a URL is configured
 * @url: the expanded URL, user information removed
 * @result: of the last fetch
 * @http_status: of the last fetch, 0 when none came
 * @error: why the last fetch failed (a parser's "URL:LINE: ...", curl's
 *	message, "HTTP 404"), "" after a success
 * @last_fetch_usec: CLOCK_REALTIME µs when the last fetch ended, 0 never
 * @last_applied_usec: when a profile was last taken, 0 never
 * @next_fetch_usec: CLOCK_REALTIME µs of the next planned fetch, 0 none
 * @failures: failed fetches in a row
 * @fetches: fetches done since start
 * @have_profile: a good profile is held
 */
struct provision_status {
	bool enabled;
	char url[CONFIG_URL_MAX + 1];
	enum provision_result result;
	int http_status;
	char error[PROVISION_ERROR_MAX];
	uint64_t last_fetch_usec;
	uint64_t last_applied_usec;
	uint64_t next_fetch_usec;
	unsigned failures;
	unsigned fetches;
	bool have_profile;
};

struct provision_ops {
	/*
	 * Validate base + @profile (@len bytes, named @name in messages)
	 * and apply it; 0 when taken, else a negative errno with the
	 * reason in @err.
	 */
	int (*apply)(void *ud, const char *profile, size_t len,
		     const char *name, char *err, size_t errlen);
	/* the status changed (for PropertiesChanged); may be NULL */
	void (*changed)(void *ud);
};

struct provisioner;

/*
 * A provisioner for @cfg's [provisioning]; *@ret is NULL (0 returned)
 * when it has no url or url_file.  Nothing is fetched before
 * provision_start().
 */
int provision_new(sd_event *event, const struct fxsd_config *cfg,
		  const struct provision_ops *ops, void *ud,
		  struct provisioner **ret);
/*
 * Hold @profile (@len bytes; the saved profile the running configuration
 * was built with, NULL for none: then no validators are sent) with the
 * validators saved beside it, and fetch at once.  NULL @p: no-op.
 */
void provision_start(struct provisioner *p, const char *profile, size_t len);
/*
 * Read @state_dir's last good profile into *@ret_data (NUL-terminated,
 * the caller frees); -ENOENT when there is none.  For the start, before
 * the provisioner exists.
 */
int provision_load_saved(const char *state_dir, char **ret_data,
			 size_t *ret_len);
/* A reload: a changed [provisioning] takes effect (a new URL: fetch). */
int provision_reconfigure(struct provisioner **p, sd_event *event,
			  const struct fxsd_config *cfg,
			  const struct provision_ops *ops, void *ud);
/* Fetch now (check-sync, fxsctl): one fetch at a time, a request while
 * one runs makes another follow it. */
void provision_resync(struct provisioner *p);
/* The good profile held, NULL when none. */
const char *provision_profile(const struct provisioner *p, size_t *ret_len);
void provision_get_status(const struct provisioner *p,
			  struct provision_status *ret);
struct provisioner *provision_free(struct provisioner *p);

#endif /* FXSD_CTL_PROVISION_H */
