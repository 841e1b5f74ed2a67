// SPDX-License-Identifier: GPL-2.0-only
/*
 * timer.c - session timers (RFC 4028), as UAC and UAS: the headers of our
 * INVITE, re-INVITE, UPDATE and 2xx (Supported: timer, Session-Expires,
 * Min-SE, Require: timer), 422 to a Session-Expires below our Min-SE and
 * the retry of our INVITE after one, the interval and refresher a 2xx
 * settles, the refresh at half the interval when we refresh (UPDATE
 * without SDP when the peer allows it, else a re-INVITE offering our last
 * SDP again), and a BYE when the far end refreshes and does not in time.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "sip/internal.h"

#define ST_MIN_SE	90	/* RFC 4028 4: the smallest Min-SE */
#define ST_MAX		86400	/* longest interval we refresh at, s */

/* Does a comma list header (@name or its compact form) hold @tag? */
static bool list_has(osip_message_t *m, const char *name,
		     const char *compact, const char *tag)
{
	const char *names[] = { name, compact };
	size_t n = strlen(tag);
	unsigned k;

	for (k = 0; k < 2; k++) {
		osip_header_t *h = NULL;
		int i = 0;

		if (!names[k])
			continue;
		while ((i = osip_message_header_get_byname(m, names[k], i,
							   &h)) >= 0 && h) {
			const char *p = h->hvalue;

			while (p && *p) {
				while (*p == ' ' || *p == '\t' || *p == ',')
					p++;
				if (strncasecmp(p, tag, n) == 0 &&
				    (!p[n] || p[n] == ',' || p[n] == ' ' ||
				     p[n] == '\t'))
					return true;
				p = strchr(p, ',');
			}
			i++;
		}
	}
	return false;
}

bool timer_supported(osip_message_t *m)
{
	return list_has(m, "supported", "k", "timer");
}

bool timer_required(osip_message_t *m)
{
	return list_has(m, "require", NULL, "timer");
}

/* Delta-seconds at the start of @s (1..2^31), 0 if none. */
static unsigned delta(const char *s)
{
	unsigned long v = 0;

	if (!s)
		return 0;
	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s))
		return 0;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > 0x7fffffffUL)
			return 0;
	}
	return (unsigned)v;
}

/*
 * Session-Expires of @m: the interval (0: none or malformed) and the
 * refresher param in *@refresher: 'c' uac, 's' uas, 0 none.
 */
static unsigned session_expires(osip_message_t *m, char *refresher)
{
	const char *v = header_value(m, "session-expires");
	const char *r;

	if (!v)
		v = header_value(m, "x");
	*refresher = 0;
	if (!v)
		return 0;
	r = strcasestr(v, "refresher=");
	if (r) {
		r += strlen("refresher=");
		if (strncasecmp(r, "uac", 3) == 0)
			*refresher = 'c';
		else if (strncasecmp(r, "uas", 3) == 0)
			*refresher = 's';
	}
	return delta(v);
}

static unsigned min_se_of(osip_message_t *m)
{
	return delta(header_value(m, "min-se"));
}

/*
 * A new INVITE (or a request of the dialog) whose Session-Expires is below
 * our Min-SE gets 422 with our Min-SE (RFC 4028 8.1); true and the value
 * in @buf when so.
 */
bool timer_too_small(struct sip_agent *a, osip_message_t *m, char *buf,
		     size_t len)
{
	char refresher;
	unsigned se = session_expires(m, &refresher);

	if (!se || se >= a->st_min_se)
		return false;
	snprintf(buf, len, "%u", a->st_min_se);
	return true;
}

static int st_timer_cb(sd_event_source *s, uint64_t usec, void *userdata);

/* (Re)start the clock of the session: refresh or expiry. */
static void st_arm(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	uint64_t units;
	int r = 0;

	if (!c->st_active || c->final)
		return;
	if (c->st_we_refresh)
		units = c->st_interval * 500ULL;	/* half, in ms */
	else	/* RFC 4028 10: BYE at the interval less min(32, a third) */
		units = (c->st_interval - (c->st_interval / 3 < 32 ?
					   c->st_interval / 3 : 32)) * 1000ULL;
	units = units * a->st_unit_ms / 1000;
	if (!c->st_timer)
		r = sd_event_add_time(a->event, &c->st_timer, CLOCK_MONOTONIC,
				      0, 1000, st_timer_cb, c);
	if (r >= 0)
		r = sd_event_source_set_time(c->st_timer,
					     now_usec(a->event) + units * 1000);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->st_timer, SD_EVENT_ONESHOT);
	if (r < 0)
		log_a(a, LOG_WARNING, "Call %s: session timer not armed",
		      c->call_id);
}

static void st_set(struct sip_call *c, unsigned interval, bool we_refresh)
{
	if (we_refresh && interval > ST_MAX)
		interval = ST_MAX;	/* refreshing sooner is harmless */
	if (interval < ST_MIN_SE)
		interval = ST_MIN_SE;
	c->st_active = true;
	c->st_interval = interval;
	c->st_we_refresh = we_refresh;
	log_a(c->a, LOG_DEBUG, "Call %s: session interval %u s, refresher %s",
	      c->call_id, interval, we_refresh ? "us" : "the far end");
	st_arm(c);
}

/* UPDATE without SDP in the dialog: a target refresh with our Contact. */
static int st_send_update(struct sip_call *c)
{
	char hdrs[512];

	timer_request_headers(c, hdrs, sizeof(hdrs));
	return call_send_request_hdrs(c, "UPDATE", TX_UPDATE_OUT, hdrs, true,
				      NULL, NULL, NULL);
}

/* Our refresh failed (not 481/408): again in a tenth of the interval. */
void timer_refresh_failed(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	uint64_t ms;

	if (!c->st_active || c->final || !c->st_timer)
		return;
	ms = c->st_interval * 100ULL * a->st_unit_ms / 1000;
	sd_event_source_set_time(c->st_timer, now_usec(a->event) + ms * 1000);
	sd_event_source_set_enabled(c->st_timer, SD_EVENT_ONESHOT);
}

/* The final response to our refreshing UPDATE (@m NULL: none, @code). */
void timer_update_done(struct sip_call *c, osip_message_t *m, int code)
{
	if (c->final)
		return;
	if (m && (code == 401 || code == 407) &&
	    auth_take_challenge(c->a, m, &c->auth) == 0 &&
	    st_send_update(c) == 0)
		return;
	if (code >= 200 && code < 300 && m) {
		c->auth.tries = 0;
		log_a(c->a, LOG_INFO, "Call %s: session refreshed", c->call_id);
		timer_2xx_received(c, m);
		return;
	}
	if (code == 481 || code == 408) {
		log_a(c->a, LOG_NOTICE, "Call %s: refresh got %d, dialog gone",
		      c->call_id, code);
		c->n_ref++;
		if (code == 408 && !c->bye_sent)
			call_send_bye(c);
		call_set_state(c, SIP_CALL_TERMINATED, code, NULL, true);
		call_unref_internal(c);
		return;
	}
	log_a(c->a, LOG_NOTICE, "Call %s: UPDATE refresh got %d, re-INVITE next",
	      c->call_id, code);
	c->st_peer_update = false;
	timer_refresh_failed(c);
}

/* The refresh (we are the refresher). */
static int st_refresh(struct sip_call *c)
{
	int r;

	if (c->reinv_want || c->offer_tr || c->resp2xx) {
		/* an INVITE transaction of the dialog is in progress: its
		 * 2xx refreshes; look again in a while */
		return -EBUSY;
	}
	if (c->st_peer_update) {
		r = st_send_update(c);
	} else {
		if (!c->local_sdp)
			return -ENOENT;
		r = reinvite_start(c, c->local_sdp, true);
	}
	if (r == 0)
		log_a(c->a, LOG_INFO, "Call %s: session refresh sent (%s)",
		      c->call_id, c->st_peer_update ? "UPDATE" : "re-INVITE");
	return r;
}

static int st_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_call *c = userdata;
	struct sip_agent *a = c->a;

	(void)s;
	(void)usec;
	if (!c->st_active || c->final)
		return 0;
	if (c->st_we_refresh) {
		if (st_refresh(c) < 0)
			timer_refresh_failed(c);
		return 0;
	}
	log_a(a, LOG_NOTICE, "Call %s: session expired (no refresh in %u s), BYE",
	      c->call_id, c->st_interval);
	c->n_ref++;
	if (!c->bye_sent)
		call_send_bye(c);
	call_set_state(c, SIP_CALL_TERMINATED, 408, NULL, true);
	call_unref_internal(c);
	return 0;
}

/* Learn from a request of the far end whether it takes UPDATE. */
void timer_learn_allow(struct sip_call *c, osip_message_t *m)
{
	osip_allow_t *al = NULL;
	int pos;

	for (pos = 0; osip_message_get_allow(m, pos, &al) >= 0 && al; pos++)
		if (al->value && strcasestr(al->value, "UPDATE")) {
			c->st_peer_update = true;
			return;
		}
}

/*
 * Header lines for a request of ours that starts or refreshes the
 * session (INVITE, re-INVITE, UPDATE): Supported: timer, and our
 * Session-Expires (refresher=uac when we refresh) and Min-SE.
 */
void timer_request_headers(struct sip_call *c, char *buf, size_t len)
{
	struct sip_agent *a = c->a;

	if (!c->answered)
		snprintf(buf, len, "Supported: 100rel, timer\r\n"
			 "Session-Expires: %u\r\nMin-SE: %u\r\n", c->st_se,
			 c->st_min_se);
	else if (c->st_active)
		snprintf(buf, len, "Supported: timer\r\nSession-Expires: %u%s\r\n"
			 "Min-SE: %u\r\n", c->st_interval,
			 c->st_we_refresh ? ";refresher=uac" : "",
			 c->st_min_se);
	else
		snprintf(buf, len, "Supported: timer\r\n");
	(void)a;
}

/*
 * Our 2xx to @req (the INVITE, a re-INVITE or an UPDATE of the far end):
 * Supported: timer; when @req asked for a session timer (Session-Expires
 * not below our Min-SE, checked before), the interval and refresher
 * (theirs if they named one; else them when they support timers, us when
 * they do not), with Require: timer when they support it; the clock
 * restarts.  A request without Session-Expires leaves a running timer as
 * it was (restarted).
 */
void timer_2xx_sent(struct sip_call *c, osip_message_t *req,
		    osip_message_t *resp)
{
	char refresher, v[64];
	unsigned se = session_expires(req, &refresher);
	bool sup = timer_supported(req);
	bool they;

	osip_message_set_header(resp, "Supported", "timer");
	timer_learn_allow(c, req);
	if (!se) {
		if (c->st_active) {
			snprintf(v, sizeof(v), "%u;refresher=%s", c->st_interval,
				 c->st_we_refresh ? "uas" : "uac");
			osip_message_set_header(resp, "Session-Expires", v);
			if (sup)
				osip_message_set_header(resp, "Require", "timer");
			st_arm(c);
		}
		return;
	}
	they = refresher ? refresher == 'c' : sup;
	if (!sup)
		they = false;	/* it could not refresh without support */
	snprintf(v, sizeof(v), "%u;refresher=%s", se, they ? "uac" : "uas");
	osip_message_set_header(resp, "Session-Expires", v);
	if (sup)
		osip_message_set_header(resp, "Require", "timer");
	st_set(c, se, !they);
}

/*
 * A 2xx to our INVITE, re-INVITE or UPDATE: its Session-Expires settles
 * the interval and the refresher (uac: us); none: no session timer.
 */
void timer_2xx_received(struct sip_call *c, osip_message_t *resp)
{
	char refresher;
	unsigned se = session_expires(resp, &refresher);

	timer_learn_allow(c, resp);
	if (!se) {
		if (c->st_active) {
			log_a(c->a, LOG_INFO, "Call %s: session timer off",
			      c->call_id);
			c->st_active = false;
			if (c->st_timer)
				sd_event_source_set_enabled(c->st_timer,
							    SD_EVENT_OFF);
		}
		return;
	}
	/* no refresher named: we asked, so we refresh (RFC 4028 7.2) */
	st_set(c, se, refresher != 's');
}

/*
 * A 422 to our INVITE: take its Min-SE (at least ours, RFC 4028 7.4) for
 * a new try.  Returns 0 when the INVITE should go again.
 */
int timer_take_422(struct sip_call *c, osip_message_t *resp)
{
	unsigned m = min_se_of(resp);

	if (!m || m <= c->st_se || m > ST_MAX || c->st_422_tries >= 2)
		return -EINVAL;
	c->st_422_tries++;
	c->st_min_se = m;
	c->st_se = m;
	log_a(c->a, LOG_INFO, "Call %s: 422, again with Session-Expires %u",
	      c->call_id, m);
	return 0;
}

/* A new call: the account's Session-Expires and Min-SE. */
void timer_init(struct sip_call *c)
{
	c->st_se = c->a->st_se;
	c->st_min_se = c->a->st_min_se;
}

void timer_cleanup(struct sip_call *c)
{
	c->st_active = false;
	c->st_timer = sd_event_source_disable_unref(c->st_timer);
}
