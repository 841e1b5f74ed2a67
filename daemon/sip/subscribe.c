// SPDX-License-Identifier: GPL-2.0-only
/*
 * subscribe.c - NOTIFY received (RFC 6665) for message-summary (RFC
 * 3842): in our subscription's dialog, or unsolicited from the provider
 * (as Asterisk and many providers send it); and the subscription itself
 * (SUBSCRIBE after registration, refresh at half the granted expiry,
 * 401/407, 423, 481, give up on 403/404/405/489/501, resubscribe with
 * backoff after a failure or Subscription-State: terminated).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "sip/internal.h"

/* Our subscription to message-summary (a->mwi). */
struct sip_sub {
	char call_id[64];
	char local_tag[40];
	char remote_tag[128];		/* "" until a 2xx or NOTIFY gives it */
	char *remote_target;
	char *routes[SIP_MAX_ROUTES];
	unsigned n_routes;
	uint32_t cseq;
	unsigned sent_expires;		/* of the SUBSCRIBE in flight */
	bool active;			/* a 2xx came: refreshes in the dialog */
	bool in_flight;
	bool refreshing;		/* ... and it is a refresh */
	bool gave_up;			/* for good: logged once */
	bool wait_dns;			/* the server's lookup is on its way */
	unsigned retry_s;		/* next backoff delay, 0: first */
	sd_event_source *timer;
	struct sip_auth auth;
};

/* The event package of @m's Event header (also "o"), without parameters. */
static bool event_of(osip_message_t *m, char *buf, size_t len)
{
	const char *v = header_value(m, "event");
	size_t n;

	if (!v)
		v = header_value(m, "o");
	if (!v)
		return false;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, "; \t");
	if (n == 0 || n >= len)
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return true;
}

static bool is_mwi_event(osip_message_t *m)
{
	char ev[64];

	return event_of(m, ev, sizeof(ev)) &&
	       strcasecmp(ev, "message-summary") == 0;
}

/* "Event: check-sync" (parameters such as ;reboot=false ignored). */
static bool is_check_sync(osip_message_t *m)
{
	char ev[64];

	return event_of(m, ev, sizeof(ev)) &&
	       strcasecmp(ev, "check-sync") == 0;
}

/* Is @m (with a To tag) a request of our subscription's dialog? */
static bool in_subscription(struct sip_agent *a, osip_message_t *m)
{
	const char *ltag = from_tag(m->to);
	char *cid = call_id_of(m);
	bool r;

	r = a->mwi && ltag && cid && strcmp(cid, a->mwi->call_id) == 0 &&
	    strcmp(ltag, a->mwi->local_tag) == 0;
	osip_free(cid);
	return r;
}

/*
 * What a NOTIFY gets before any transaction (answer_without_tx()): 0 when
 * handle_notify() takes it; for Event: check-sync, 481 with a To tag
 * and 403 from a stranger (source_allowed()); for Event: refer, what refer.c says (481
 * unless a REFER of ours awaits it); 489 with Allow-Events for an Event we do not
 * serve (or none); 481 for a To tag that is not our subscription's; 403
 * for an unsolicited message-summary from a stranger (source_allowed()).
 */
int notify_precheck(struct sip_agent *a, osip_message_t *m,
		    const struct sip_peer *src, const char *const **ret_hdrs)
{
	static const char *const allow_events[] = {
		"Allow-Events", SIP_ALLOW_EVENTS, NULL,
	};

	char ev[64];

	if (event_of(m, ev, sizeof(ev)) && strcasecmp(ev, "refer") == 0)
		return refer_notify_precheck(a, m);
	if (is_check_sync(m)) {
		/* the provider's "fetch your profile", out of any dialog */
		if (from_tag(m->to))
			return 481;
		if (!source_allowed(a, &src->addr)) {
			char ip[64];
			unsigned port;

			addr_to_string(&src->addr, ip, sizeof(ip), &port);
			log_peer(a, &src->addr, LOG_NOTICE,
				 "NOTIFY check-sync from unknown source %s:%u, 403",
				 ip, port);
			return 403;
		}
		return 0;
	}
	if (!is_mwi_event(m)) {
		*ret_hdrs = allow_events;
		return 489;
	}
	if (from_tag(m->to))
		return in_subscription(a, m) ? 0 : 481;
	if (!source_allowed(a, &src->addr)) {
		char ip[64];
		unsigned port;

		addr_to_string(&src->addr, ip, sizeof(ip), &port);
		log_peer(a, &src->addr, LOG_NOTICE,
			 "NOTIFY message-summary from unknown source %s:%u, 403",
			 ip, port);
		return 403;
	}
	return 0;
}

static void sub_clear_dialog(struct sip_sub *s)
{
	unsigned i;

	free(s->remote_target);
	s->remote_target = NULL;
	for (i = 0; i < s->n_routes; i++)
		free(s->routes[i]);
	s->n_routes = 0;
	s->remote_tag[0] = '\0';
	s->active = false;
}

/* A new dialog: new Call-ID and tag, nothing learned. */
static void sub_new_dialog(struct sip_sub *s)
{
	sub_clear_dialog(s);
	random_hex(s->call_id, 32);
	random_hex(s->local_tag, 16);
	s->cseq = random() % 10000;
	s->auth.have = false;
	s->auth.tries = 0;
}

static void sub_learn_routes(struct sip_sub *s, osip_message_t *m,
			     bool reverse)
{
	osip_record_route_t *rr;
	char *tmp[SIP_MAX_ROUTES];
	unsigned i, n = 0;
	int pos;

	for (i = 0; i < s->n_routes; i++)
		free(s->routes[i]);
	s->n_routes = 0;
	for (pos = 0; osip_message_get_record_route(m, pos, &rr) >= 0 && rr &&
	     n < SIP_MAX_ROUTES; pos++) {
		char *str = NULL;

		if (osip_record_route_to_str(rr, &str) != 0 || !str)
			continue;
		tmp[n] = strdup(str);
		osip_free(str);
		if (tmp[n])
			n++;
	}
	for (i = 0; i < n; i++)
		s->routes[i] = reverse ? tmp[n - 1 - i] : tmp[i];
	s->n_routes = n;
}

/* The remote tag, target and routes of the dialog, from a 2xx or NOTIFY. */
static void sub_learn_dialog(struct sip_sub *s, osip_message_t *m,
			     osip_from_t *peer, bool reverse)
{
	const char *tag = from_tag(peer);
	osip_contact_t *ct = NULL;
	char *u = NULL;

	if (!tag || !*tag || s->remote_tag[0])
		return;
	snprintf(s->remote_tag, sizeof(s->remote_tag), "%s", tag);
	sub_learn_routes(s, m, reverse);
	if (osip_message_get_contact(m, 0, &ct) >= 0 && ct && ct->url &&
	    osip_uri_to_str(ct->url, &u) == 0 && u) {
		set_str(&s->remote_target, u);
		osip_free(u);
	}
}

/* Where the SUBSCRIBEs go: the outbound proxy, mwi_server, the registrar. */
static struct sip_server *sub_server(struct sip_agent *a)
{
	if (a->has_proxy)
		return &a->proxy;
	if (a->mwi_server.host[0])
		return &a->mwi_server;
	return &a->registrar;
}

static int sub_send(struct sip_agent *a, unsigned expires)
{
	struct sip_sub *s = a->mwi;
	struct sip_server *srv = sub_server(a);
	struct req_spec q = { 0 };
	char aor[400], to[300], ruri[300], extra[1500], authz[1200];
	osip_message_t *msg = NULL;
	int r;

	if (srv->n_addr == 0) {
		r = server_resolve(a, srv);
		if (r == -EINPROGRESS) {
			/* mwi_resolved() sends it: in flight meanwhile */
			s->wait_dns = true;
			s->in_flight = true;
			s->sent_expires = expires;
			return 0;
		}
		if (r < 0)
			return r;
	}
	snprintf(ruri, sizeof(ruri), "sip:%s@%s", a->user, a->domain);
	snprintf(to, sizeof(to), "<sip:%s@%s>", a->user, a->domain);
	if (a->display_name[0])
		snprintf(aor, sizeof(aor), "\"%s\" %s", a->display_name, to);
	else
		snprintf(aor, sizeof(aor), "%s", to);
	q.ruri = s->active && s->remote_target ? s->remote_target : ruri;
	r = auth_header(a, &s->auth, "SUBSCRIBE", q.ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
	snprintf(extra, sizeof(extra),
		 "Event: message-summary\r\nAccept: " SIP_MWI_TYPE "\r\n"
		 "Expires: %u\r\n%s", expires, authz);
	q.method = "SUBSCRIBE";
	q.from = aor;
	q.from_tag = s->local_tag;
	q.to = to;
	q.to_tag = s->active ? s->remote_tag : NULL;
	q.call_id = s->call_id;
	q.cseq = ++s->cseq;
	if (s->active) {
		q.routes = s->routes;
		q.n_routes = s->n_routes;
	}
	q.contact = true;
	q.tcp = a->tcp;
	q.extra = extra;
	r = build_request(a, &q, &msg, NULL, 0);
	if (r < 0)
		return r;
	r = start_client_tx(a, msg, TX_SUBSCRIBE_OUT, NULL, &srv->addr[0],
			    NULL);
	if (r < 0)
		return r;
	s->in_flight = true;
	s->refreshing = s->active;
	s->sent_expires = expires;
	return 0;
}

static void sub_schedule(struct sip_agent *a, unsigned sec)
{
	struct sip_sub *s = a->mwi;

	sd_event_source_set_time(s->timer, now_usec(a->event) +
				 (uint64_t)sec * 1000000);
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

/* Start over later: a new dialog after the backoff delay. */
static void sub_retry(struct sip_agent *a, unsigned first, const char *why)
{
	struct sip_sub *s = a->mwi;
	unsigned delay = s->retry_s ? s->retry_s : first;

	if (delay < 1)
		delay = 1;
	s->retry_s = delay * 2 > a->retry_max ? a->retry_max : delay * 2;
	if (s->retry_s < delay)
		s->retry_s = delay;
	sub_clear_dialog(s);
	log_a(a, LOG_NOTICE, "Message-waiting subscription %s, again in %u s",
	      why, delay);
	sub_schedule(a, delay);
}

static void sub_give_up(struct sip_agent *a, const char *why)
{
	struct sip_sub *s = a->mwi;

	sub_clear_dialog(s);
	sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	if (!s->gave_up)
		log_a(a, LOG_NOTICE,
		      "Message-waiting subscription %s: not subscribing again",
		      why);
	s->gave_up = true;
}

/* Send a SUBSCRIBE of a new dialog, or plan the retry. */
static void sub_start_new(struct sip_agent *a)
{
	sub_new_dialog(a->mwi);
	if (sub_send(a, a->mwi_expires) < 0)
		sub_retry(a, a->retry_min, "not sent");
}

static int sub_timer_cb(sd_event_source *src, uint64_t usec, void *userdata)
{
	struct sip_agent *a = userdata;
	struct sip_sub *s = a->mwi;

	(void)src;
	(void)usec;
	if (s->gave_up || a->stopping)
		return 0;
	if (s->in_flight) {	/* its response decides; look again later */
		sub_schedule(a, 1);
		return 0;
	}
	if (s->active) {
		if (sub_send(a, a->mwi_expires) < 0)
			sub_retry(a, a->retry_min, "refresh not sent");
		return 0;
	}
	sub_start_new(a);
	return 0;
}

/*
 * Registered (or started without registration): subscribe when the
 * account asks for it and no subscription exists, is under way or is
 * waiting for its retry.
 */
void mwi_registered(struct sip_agent *a)
{
	struct sip_sub *s = a->mwi;
	int enabled = SD_EVENT_OFF;

	if (!a->mwi_subscribe || a->stopping)
		return;
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		if (sd_event_add_time(a->event, &s->timer, CLOCK_MONOTONIC, 0,
				      100000, sub_timer_cb, a) < 0) {
			free(s);
			return;
		}
		sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
		a->mwi = s;
	}
	sd_event_source_get_enabled(s->timer, &enabled);
	if (s->gave_up || s->active || s->in_flight || enabled != SD_EVENT_OFF)
		return;
	sub_start_new(a);
}

/* The final response to our SUBSCRIBE (@resp NULL: none, @code 408/503). */
void mwi_response(struct sip_agent *a, osip_message_t *resp, int code)
{
	struct sip_sub *s = a->mwi;
	const char *v;
	unsigned long granted;

	if (!s)
		return;
	s->in_flight = false;
	if (s->sent_expires == 0 || a->stopping) {
		sub_clear_dialog(s);	/* our un-SUBSCRIBE */
		return;
	}
	if (s->refreshing && !s->active) {
		/* the dialog ended (NOTIFY terminated) while the refresh was
		 * out: the retry planned then stands */
		return;
	}
	if (code >= 200 && code < 300) {
		s->auth.tries = 0;
		if (s->active) {
			s->retry_s = 0;	/* a refresh went through */
		} else {
			sub_learn_dialog(s, resp, resp->to, true);
			s->active = true;
			log_a(a, LOG_INFO, "Subscribed to message-summary");
		}
		v = header_value(resp, "expires");
		granted = v ? strtoul(v, NULL, 10) : s->sent_expires;
		if (granted == 0) {
			sub_retry(a, a->retry_min, "granted no time");
			return;
		}
		if (granted > 86400)
			granted = 86400;
		sub_schedule(a, granted / 2 ? (unsigned)granted / 2 : 1);
		return;
	}
	switch (code) {
	case 401:
	case 407:
		if (auth_take_challenge(a, resp, &s->auth) == 0 &&
		    sub_send(a, s->sent_expires) == 0)
			return;
		sub_retry(a, a->retry_min, "not authorized");
		return;
	case 423:
		v = header_value(resp, "min-expires");
		granted = v ? strtoul(v, NULL, 10) : 0;
		if (granted > a->mwi_expires && granted <= 86400) {
			a->mwi_expires = granted;
			if (sub_send(a, a->mwi_expires) == 0)
				return;
		}
		sub_retry(a, a->retry_min, "refused (423)");
		return;
	case 481:
		if (s->active) {	/* the server forgot it: a new one */
			sub_start_new(a);
			return;
		}
		break;
	case 403:
	case 404:
	case 405:
	case 489:
	case 501:
		{
			char why[40];

			snprintf(why, sizeof(why), "refused (%d)", code);
			sub_give_up(a, why);
		}
		return;
	default:
		break;
	}
	{
		char why[40];

		snprintf(why, sizeof(why), "failed (%d)", code);
		sub_retry(a, a->retry_min, why);
	}
}

/* The value of parameter @name in @hv ("terminated;reason=x;..."). */
static bool param_of(const char *hv, const char *name, char *buf, size_t len)
{
	size_t nl = strlen(name), n;
	const char *p = hv;

	while ((p = strchr(p, ';'))) {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncasecmp(p, name, nl) != 0)
			continue;
		p += nl;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, "; \t");
		if (n == 0 || n >= len)
			return false;
		memcpy(buf, p, n);
		buf[n] = '\0';
		return true;
	}
	return false;
}

/* A NOTIFY of our subscription's dialog: its Subscription-State. */
static void sub_notified(struct sip_agent *a, osip_message_t *req)
{
	struct sip_sub *s = a->mwi;
	const char *st = header_value(req, "subscription-state");
	char reason[32] = "", ra[16];
	unsigned long retry_after;

	if (!s)
		return;
	/* a NOTIFY may come before the 2xx (RFC 6665 4.1.2.4) */
	if (!s->remote_tag[0])
		sub_learn_dialog(s, req, req->from, false);
	if (!st)
		return;
	while (*st == ' ' || *st == '\t')
		st++;
	if (strncasecmp(st, "terminated", 10) != 0)
		return;
	param_of(st, "reason", reason, sizeof(reason));
	sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	if (strcasecmp(reason, "rejected") == 0 ||
	    strcasecmp(reason, "noresource") == 0) {
		sub_give_up(a, strcasecmp(reason, "rejected") == 0 ?
			    "terminated (rejected)" : "terminated (noresource)");
		return;
	}
	if (strcasecmp(reason, "deactivated") == 0 ||
	    strcasecmp(reason, "timeout") == 0) {
		sub_retry(a, 1, "terminated");	/* at once (RFC 6665 4.2.2) */
		return;
	}
	retry_after = param_of(st, "retry-after", ra, sizeof(ra)) ?
		      strtoul(ra, NULL, 10) : 0;
	if (retry_after > a->retry_max)
		retry_after = a->retry_max;
	sub_retry(a, retry_after ? (unsigned)retry_after : a->retry_min,
		  "terminated");
}

/*
 * A NOTIFY that notify_precheck() let through (Event: message-summary, in
 * our subscription or unsolicited from the provider): 415 with Accept for
 * a body of another type, 400 for a body mwi_parse() refuses, else 200
 * (a NOTIFY without a body, e.g. of a pending subscription, reports
 * nothing); the news goes to on_mwi after the 200.
 */
void handle_notify(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src)
{
	osip_transaction_t *tr;
	osip_message_t *req, *r;
	osip_body_t *b = NULL;
	struct sip_mwi mwi;
	bool dialog, have = false;
	char tag[20];
	int code = 200;

	if (is_check_sync(ev->sip)) {
		tr = new_server_tx(a, ev, TX_OTHER_IN, NULL, src);
		if (!tr) {
			osip_event_free(ev);
			return;
		}
		random_hex(tag, 16);
		respond_in_tx(a, tr, 200, tag);
		log_a(a, LOG_INFO, "NOTIFY check-sync from the provider");
		if (a->cb.on_check_sync)
			a->cb.on_check_sync(a, a->userdata);
		return;
	}
	if (!is_mwi_event(ev->sip)) {	/* Event: refer */
		refer_handle_notify(a, ev, src);
		return;
	}
	tr = new_server_tx(a, ev, TX_OTHER_IN, NULL, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	req = tr->orig_request;
	dialog = from_tag(req->to) != NULL;
	random_hex(tag, 16);
	if (osip_message_get_body(req, 0, &b) >= 0 && b && b->body &&
	    b->length) {
		if (req->content_type &&
		    !content_type_is(req, "application",
				     "simple-message-summary")) {
			r = make_response(a, req, 415, tag);
			if (!r)
				return;
			osip_message_set_header(r, "Accept", SIP_MWI_TYPE);
			response_add_body(r, NULL);
			tx_respond(a, tr, r);
			return;
		}
		if (mwi_parse(b->body, b->length, &mwi) < 0)
			code = 400;
		else
			have = true;
	}
	if (code == 400)
		log_peer(a, &src->addr, LOG_NOTICE,
			 "Malformed message-summary NOTIFY, 400");
	respond_in_tx(a, tr, code, tag);
	if (code != 200)
		return;
	if (dialog)
		sub_notified(a, req);
	if (!have)
		return;
	log_a(a, LOG_INFO, "Message waiting: %s, %u new, %u old",
	      mwi.waiting ? "yes" : "no", mwi.new_msgs, mwi.old_msgs);
	if (a->cb.on_mwi)
		a->cb.on_mwi(a, &mwi, a->userdata);
}

/* sip_agent_stop(): un-SUBSCRIBE (Expires: 0) if subscribed. */
/* A lookup ended (server_resolved()): a SUBSCRIBE that waited for it goes
 * now, or fails as one that could not be sent. */
void mwi_resolved(struct sip_agent *a)
{
	struct sip_sub *s = a->mwi;

	if (!s || !s->wait_dns || server_pending(a, sub_server(a)))
		return;
	s->wait_dns = false;
	s->in_flight = false;
	if (sub_server(a)->n_addr == 0)
		sub_retry(a, a->retry_min, "its server's name did not resolve");
	else if (sub_send(a, s->sent_expires) < 0)
		sub_retry(a, a->retry_min, "not sent");
}

void mwi_stop(struct sip_agent *a)
{
	struct sip_sub *s = a->mwi;

	if (!s)
		return;
	sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
	if (s->active && !s->in_flight)
		sub_send(a, 0);
}

void mwi_free(struct sip_agent *a)
{
	struct sip_sub *s = a->mwi;

	if (!s)
		return;
	sub_clear_dialog(s);
	sd_event_source_disable_unref(s->timer);
	free(s);
	a->mwi = NULL;
}
