// SPDX-License-Identifier: GPL-2.0-only
/*
 * refer.c - transfer: our REFER (RFC 3515) in a call's dialog with its
 * implicit subscription (the NOTIFYs' sipfrag reported, bounded in time),
 * a REFER received in a call (202, an immediate NOTIFY, the user's
 * NOTIFYs after), the INVITE a transfer makes (Replaces, Referred-By),
 * and the dialog an INVITE's Replaces names (RFC 3891).
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

/* Report @status of our REFER to the user. */
static void refer_report(struct sip_call *c, int status)
{
	struct sip_agent *a = c->a;

	log_a(a, LOG_INFO, "Call %s: transfer %d", c->call_id, status);
	if (!a->cb.on_refer_progress)
		return;
	c->n_ref++;
	a->cb.on_refer_progress(c, status, a->userdata);
	call_unref_internal(c);
}

/* Our REFER's subscription is over. */
static void refer_out_end(struct sip_call *c)
{
	c->refer_out = false;
	if (c->refer_timer)
		sd_event_source_set_enabled(c->refer_timer, SD_EVENT_OFF);
}

static int refer_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_call *c = userdata;

	(void)s;
	(void)usec;
	if (!c->refer_out || c->final)
		return 0;
	log_a(c->a, LOG_NOTICE, "Call %s: no NOTIFY for our REFER in time",
	      c->call_id);
	refer_out_end(c);
	refer_report(c, 408);
	return 0;
}

/* The next NOTIFY of our REFER is due within @ms. */
static void refer_arm(struct sip_call *c, uint64_t ms)
{
	struct sip_agent *a = c->a;
	uint64_t when = now_usec(a->event) + ms * 1000;

	if (!c->refer_timer &&
	    sd_event_add_time(a->event, &c->refer_timer, CLOCK_MONOTONIC, when,
			      100000, refer_timer_cb, c) < 0) {
		c->refer_timer = NULL;
		return;
	}
	sd_event_source_set_time(c->refer_timer, when);
	sd_event_source_set_enabled(c->refer_timer, SD_EVENT_ONESHOT);
}

static int refer_send(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	char hdrs[2000];

	if ((size_t)snprintf(hdrs, sizeof(hdrs),
			     "Refer-To: %s\r\nReferred-By: <sip:%s@%s>\r\n",
			     c->refer_to, a->user, a->domain) >= sizeof(hdrs))
		return -EINVAL;
	return call_send_request_hdrs(c, "REFER", TX_REFER_OUT, hdrs, true,
				      NULL, NULL, NULL);
}

/* A number of ours (sip_call_invite()'s characters)? */
static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("*#+-._!~'()", *s))
			return false;
	return true;
}

/* A sip:, sips: or tel: URI without headers that fits in a header? */
static bool uri_ok(const char *uri)
{
	char v[SIP_REFER_TO_MAX + 1], u[SIP_REFER_TO_MAX + 1], rep[8];

	if (strlen(uri) + 2 > SIP_REFER_TO_MAX || strchr(uri, '?'))
		return false;
	snprintf(v, sizeof(v), "<%s>", uri);
	return refer_to_parse(v, u, sizeof(u), rep, sizeof(rep)) == 0 &&
	       strcmp(u, uri) == 0;
}

int sip_call_refer(struct sip_call *c, const char *target,
		   const struct sip_call *replaces)
{
	struct sip_agent *a;
	char uri[600], esc[800], value[1500];
	int r;

	if (!c || !target)
		return -EINVAL;
	a = c->a;
	if (c->final)
		return -ESTALE;
	if (!c->answered || c->bye_sent || !c->remote_target)
		return -ENOTCONN;
	if (c->refer_out)
		return -EBUSY;
	if (is_number(target)) {
		snprintf(uri, sizeof(uri), "sip:%s@%s", target, a->domain);
	} else if (strlen(target) < sizeof(uri) && uri_ok(target)) {
		snprintf(uri, sizeof(uri), "%s", target);
	} else {
		return -EINVAL;
	}
	if (replaces) {
		if (replaces == c || replaces->a != a || replaces->final ||
		    !replaces->remote_tag[0])
			return -EINVAL;
		if (replaces_escape(replaces->call_id, replaces->remote_tag,
				    replaces->local_tag, esc, sizeof(esc)) < 0)
			return -EINVAL;
		r = snprintf(value, sizeof(value), "<%s?Replaces=%s>", uri, esc);
	} else {
		r = snprintf(value, sizeof(value), "<%s>", uri);
	}
	if (r < 0 || (size_t)r >= sizeof(value))
		return -EINVAL;
	set_str(&c->refer_to, value);
	if (!c->refer_to)
		return -ENOMEM;
	c->auth.tries = 0;
	r = refer_send(c);
	if (r < 0)
		return r;
	c->refer_out = true;
	c->refer_answered = false;
	log_a(a, LOG_INFO, "Call %s: REFER to %s", c->call_id, value);
	return 0;
}

/* The final response to our REFER (@resp NULL: none, @code 408/503). */
void refer_response(struct sip_call *c, osip_message_t *resp, int code)
{
	if (!c->refer_out || c->final || c->refer_answered)
		return;
	if ((code == 401 || code == 407) &&
	    auth_take_challenge(c->a, resp, &c->auth) == 0 &&
	    refer_send(c) == 0)
		return;
	c->refer_answered = true;
	if (code >= 200 && code < 300) {
		refer_arm(c, SIP_REFER_FIRST_MS);
	} else {
		refer_out_end(c);
	}
	refer_report(c, code);
}

/* The call of @m's dialog (Call-ID, our tag in To, theirs in From). */
static struct sip_call *dialog_of(struct sip_agent *a, osip_message_t *m)
{
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);
	struct sip_call *c = NULL;
	char *cid = call_id_of(m);

	if (cid && ltag)
		c = find_call(a, cid, ltag, rtag);
	osip_free(cid);
	return c;
}

/* A NOTIFY with Event: refer: 0, or 481 when no REFER of ours awaits it. */
int refer_notify_precheck(struct sip_agent *a, osip_message_t *m)
{
	struct sip_call *c = dialog_of(a, m);

	return c && c->refer_out && !c->final ? 0 : 481;
}

/*
 * A NOTIFY of our REFER's subscription: 415 with Accept for a body other
 * than message/sipfrag (no Content-Type is taken as one), 400 without a
 * body or with one sipfrag_status() refuses, else 200 and the status
 * goes to on_refer_progress.  A final status or "terminated" ends the
 * subscription (487 reported for a terminated one without a final
 * status); otherwise the next NOTIFY is due within its expires= (or
 * SIP_REFER_NEXT_S), at most SIP_REFER_MAX_S.
 */
void refer_handle_notify(struct sip_agent *a, osip_event_t *ev,
			 const struct sip_peer *src)
{
	struct sip_call *c = dialog_of(a, ev->sip);
	osip_transaction_t *tr;
	osip_message_t *req, *r;
	osip_body_t *b = NULL;
	const char *st, *ex;
	bool terminated = false;
	unsigned long next = SIP_REFER_NEXT_S;
	int code = 0;

	tr = new_server_tx(a, ev, TX_OTHER_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	req = tr->orig_request;
	if (!c || !c->refer_out || c->final) {
		respond_in_tx(a, tr, 481, NULL);
		return;
	}
	if (req->content_type && !content_type_is(req, "message", "sipfrag")) {
		r = make_response(a, req, 415, NULL);
		if (!r)
			return;
		osip_message_set_header(r, "Accept", "message/sipfrag");
		response_add_body(r, NULL);
		tx_respond(a, tr, r);
		return;
	}
	if (osip_message_get_body(req, 0, &b) < 0 || !b || !b->body ||
	    sipfrag_status(b->body, b->length, &code) < 0) {
		log_a(a, LOG_NOTICE, "Call %s: NOTIFY without a valid sipfrag, 400",
		      c->call_id);
		respond_in_tx(a, tr, 400, NULL);
		return;
	}
	respond_in_tx(a, tr, 200, NULL);
	st = header_value(req, "subscription-state");
	if (st) {
		while (*st == ' ' || *st == '\t')
			st++;
		terminated = strncasecmp(st, "terminated", 10) == 0;
		ex = strcasestr(st, "expires=");
		if (ex && ex[8] >= '0' && ex[8] <= '9')
			next = strtoul(ex + 8, NULL, 10);
	}
	if (next > SIP_REFER_MAX_S)
		next = SIP_REFER_MAX_S;
	if (next < 1)
		next = 1;
	if (code >= 200 || terminated)
		refer_out_end(c);
	else
		refer_arm(c, next * 1000);
	c->n_ref++;
	/* A NOTIFY may overtake the 2xx to the REFER (RFC 3515 2.4.4): it
	 * says the REFER was accepted, and is reported after that answer;
	 * the 2xx that comes later is ignored (refer_response()). */
	if (!c->refer_answered) {
		c->refer_answered = true;
		refer_report(c, 202);
	}
	refer_report(c, code);
	if (terminated && code < 200 && !c->final)
		refer_report(c, 487);
	call_unref_internal(c);
}

/*
 * A REFER before any transaction (answer_without_tx(); @c is the call of
 * its dialog or NULL): 0 when handle_refer() takes it; 403 outside a
 * dialog (no To tag: fxsd takes transfers only within its calls, RFC
 * 3515 2.4.2 lets a UA refuse), 481 for a To tag of no call of ours.
 */
int refer_precheck(struct sip_agent *a, osip_message_t *m,
		   struct sip_call *c)
{
	(void)a;
	if (!from_tag(m->to))
		return 403;
	return c ? 0 : 481;
}

static int refer_notify_send(struct sip_call *c, int status)
{
	const char *reason = osip_message_get_reason(status);
	osip_transaction_t *tr = NULL;
	struct sip_tx *tx;
	char hdrs[200], body[120];
	int r;

	snprintf(hdrs, sizeof(hdrs),
		 "Event: refer;id=%u\r\nSubscription-State: %s\r\n",
		 c->refer_in_cseq, status < 200 ? "active;expires=60" :
		 "terminated;reason=noresource");
	snprintf(body, sizeof(body), "SIP/2.0 %d %s\r\n", status,
		 reason ? reason : "Unknown");
	r = call_send_request_hdrs(c, "NOTIFY", TX_NOTIFY_OUT, hdrs, true, body,
				   "message/sipfrag;version=2.0", &tr);
	if (r < 0)
		return r;
	tx = osip_transaction_get_your_instance(tr);
	tx->frag_status = status;
	return 0;
}

int sip_call_refer_notify(struct sip_call *c, int status)
{
	int r;

	if (!c || status < 100 || status > 699)
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (!c->refer_in)
		return -EBADR;
	if (c->bye_sent)
		return -ENOTCONN;
	r = refer_notify_send(c, status);
	if (r == 0 && status >= 200)
		c->refer_in = false;
	return r;
}

/* The final response to a NOTIFY of ours (@resp NULL: none). */
void refer_notify_response(struct sip_call *c, struct sip_tx *tx,
			   osip_message_t *resp, int code)
{
	if (c->final)
		return;
	if ((code == 401 || code == 407) &&
	    auth_take_challenge(c->a, resp, &c->auth) == 0 &&
	    refer_notify_send(c, tx->frag_status) == 0)
		return;
	if (code == 481)
		c->refer_in = false;	/* the far end has forgotten it */
	if (code < 200 || code >= 300)
		log_a(c->a, LOG_NOTICE, "Call %s: NOTIFY (sipfrag %d) got %d",
		      c->call_id, tx->frag_status, code);
}

/*
 * A REFER in the dialog of @c (refer_precheck() found it): 403 before the
 * call is answered or after our BYE; 400 for no Refer-To, two, or one
 * that refer_to_parse() / replaces_parse() refuses; 491 while an earlier
 * REFER still awaits its final NOTIFY; 603 when the user takes no REFER
 * (no on_refer); else 202, the NOTIFY "100 Trying" (RFC 3515 2.4.4), and
 * on_refer.
 */
void handle_refer(struct sip_agent *a, osip_event_t *ev,
		  const struct sip_peer *src)
{
	struct sip_call *c = dialog_of(a, ev->sip);
	char uri[SIP_REFER_TO_MAX + 1], rep[SIP_REPLACES_MAX + 1];
	osip_transaction_t *tr;
	osip_message_t *req, *r;
	osip_header_t *h = NULL, *h2 = NULL;
	struct sip_replaces rp;
	char contact[200];
	int code = 202, i, k, n;

	tr = new_server_tx(a, ev, TX_OTHER_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	req = tr->orig_request;
	if (!c) {
		respond_in_tx(a, tr, 481, NULL);
		return;
	}
	/* exactly one Refer-To (or its compact form r) */
	for (n = 0, k = 0; k < 2; k++)
		for (i = 0; (i = osip_message_header_get_byname(
				req, k ? "r" : "refer-to", i, &h2)) >= 0 &&
		     h2; i++, n++)
			h = h2;
	if (n != 1 || !h || !h->hvalue ||
	    refer_to_parse(h->hvalue, uri, sizeof(uri), rep, sizeof(rep)) < 0 ||
	    (rep[0] && replaces_parse(rep, &rp) < 0))
		code = 400;
	else if (!c->answered || c->bye_sent || c->final)
		code = 403;
	else if (c->refer_in)
		code = 491;
	else if (!a->cb.on_refer)
		code = 603;
	if (code != 202) {
		log_a(a, LOG_NOTICE, "Call %s: REFER refused, %d", c->call_id,
		      code);
		respond_in_tx(a, tr, code, NULL);
		return;
	}
	r = make_response(a, req, 202, NULL);
	if (!r)
		return;
	contact_value_scheme(a, c->tcp, c->sips, contact, sizeof(contact));
	osip_message_set_contact(r, contact);
	response_add_body(r, NULL);
	tx_respond(a, tr, r);
	osip_nist_execute(a->osip);	/* the 202 goes out before the NOTIFY */
	c->refer_in = true;
	c->refer_in_cseq = strtoul(req->cseq->number, NULL, 10);
	log_a(a, LOG_INFO, "Call %s: transferred to %s%s", c->call_id, uri,
	      rep[0] ? " (with Replaces)" : "");
	refer_notify_send(c, 100);
	c->n_ref++;
	a->cb.on_refer(c, uri, rep[0] ? rep : NULL, a->userdata);
	call_unref_internal(c);
}

int sip_call_invite_replaces(struct sip_agent *a, const char *target,
			     const char *sdp_offer, const char *replaces,
			     const char *referred_by,
			     struct sip_call **ret_call)
{
	struct sip_replaces rp;
	char extra[1400];
	size_t n = 0;

	if (!a || !target || !sdp_offer || !ret_call)
		return -EINVAL;
	extra[0] = '\0';
	if (replaces) {
		if (replaces_parse(replaces, &rp) < 0)
			return -EINVAL;
		n += snprintf(extra + n, sizeof(extra) - n, "Replaces: %s\r\n",
			      replaces);
	}
	if (referred_by) {
		if (!uri_ok(referred_by) ||
		    strlen(referred_by) + 20 >= sizeof(extra) - n)
			return -EINVAL;
		n += snprintf(extra + n, sizeof(extra) - n,
			      "Referred-By: <%s>\r\n", referred_by);
	}
	if (is_number(target))
		return call_invite_with(a, target, NULL, sdp_offer,
					n ? extra : NULL, ret_call);
	if (!uri_ok(target))
		return -EINVAL;
	return call_invite_with(a, NULL, target, sdp_offer, n ? extra : NULL,
				ret_call);
}

/*
 * The call an INVITE's Replaces names (RFC 3891 3): 0 with *@ret_call
 * NULL when there is no Replaces, or with the call whose Call-ID, local
 * tag (to-tag) and remote tag (from-tag) match; else the status to
 * refuse the INVITE with: 400 for two Replaces or a malformed one, 481
 * for no such dialog or an early dialog we did not initiate, 486 for
 * early-only and a confirmed dialog, 603 for a dialog we are ending.
 */
int replaces_lookup(struct sip_agent *a, osip_message_t *m,
		    struct sip_call **ret_call)
{
	osip_header_t *h = NULL, *h2 = NULL;
	struct sip_replaces rp;
	struct sip_call *c;
	int i;

	*ret_call = NULL;
	i = osip_message_header_get_byname(m, "replaces", 0, &h);
	if (i < 0 || !h)
		return 0;
	if (osip_message_header_get_byname(m, "replaces", i + 1, &h2) >= 0 ||
	    !h->hvalue || replaces_parse(h->hvalue, &rp) < 0)
		return 400;
	for (c = a->calls; c; c = c->next)
		if (strcmp(c->call_id, rp.call_id) == 0 &&
		    strcmp(c->local_tag, rp.to_tag) == 0 &&
		    strcmp(c->remote_tag, rp.from_tag) == 0)
			break;
	if (!c || c->final)
		return 481;
	if (!c->answered && !c->outgoing)
		return 481;	/* an early dialog we did not initiate */
	if (c->answered && rp.early_only)
		return 486;
	if (c->bye_sent)
		return 603;
	*ret_call = c;
	return 0;
}
