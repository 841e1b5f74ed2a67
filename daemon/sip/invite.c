// SPDX-License-Identifier: GPL-2.0-only
/*
 * invite.c - the INVITE session: incoming INVITE (ringing, answer,
 * reject), re-INVITE/UPDATE offers answered by the user, CANCEL, BYE, the
 * 2xx retransmitted until the ACK (T1 doubling to T2, BYE at 64*T1), ACK
 * of a received 2xx, outgoing INVITE with its responses, CANCEL and
 * hang-up, and the caller's fields handed to the user.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include "sip/internal.h"

int call_send_bye(struct sip_call *c)
{
	int r = call_send_request(c, "BYE", TX_BYE_OUT, NULL, NULL, NULL);

	if (r == 0)
		c->bye_sent = true;
	return r;
}

/* CLOCK_MONOTONIC now (not the loop iteration's start), usec. */
static uint64_t now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The next 2xx copy, or the 64*T1 deadline if that comes first. */
static void retx_schedule(struct sip_call *c)
{
	uint64_t deadline = c->retx_t0 + 64ULL * SIP_T1_MS * 1000;

	sd_event_source_set_time(c->retx, c->retx_next < deadline ?
				 c->retx_next : deadline);
	sd_event_source_set_enabled(c->retx, SD_EVENT_ONESHOT);
}

/*
 * Our 2xx to an INVITE has just been sent (sip_send_cb()): retransmit it
 * at T1, 3*T1, 7*T1, then every T2 counted from now (RFC 3261 13.3.1.4
 * and 17.2.1), and give up at 64*T1.
 */
void retx_arm(struct sip_call *c)
{
	if (!c->resp2xx || c->retx_armed || !c->retx)
		return;
	c->retx_armed = true;
	c->retx_t0 = now_real();
	c->retx_interval = SIP_T1_MS;
	c->retx_next = c->retx_t0 + SIP_T1_MS * 1000ULL;
	retx_schedule(c);
}

static int retx_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_call *c = userdata;
	struct sip_agent *a = c->a;

	(void)s;
	if (usec >= c->retx_t0 + 64ULL * SIP_T1_MS * 1000) {
		log_a(a, LOG_WARNING, "Call %s: no ACK for our 2xx, hanging up",
		      c->call_id);
		free(c->resp2xx);
		c->resp2xx = NULL;
		c->n_ref++;
		if (!c->bye_sent)
			call_send_bye(c);
		call_set_state(c, SIP_CALL_TERMINATED, 408, NULL, true);
		call_unref_internal(c);
		return 0;
	}
	if (c->resp2xx)
		send_raw(a, c->resp2xx, strlen(c->resp2xx), &c->peer, NULL);
	c->retx_interval *= 2;
	if (c->retx_interval > SIP_T2_MS)
		c->retx_interval = SIP_T2_MS;
	/* on schedule, whenever this callback ran */
	c->retx_next += (uint64_t)c->retx_interval * 1000;
	retx_schedule(c);
	return 0;
}

/* Keep the text of our 2xx and retransmit it until the ACK comes. */
static void start_2xx_retransmit(struct sip_call *c, osip_message_t *resp,
				 osip_message_t *req)
{
	struct sip_agent *a = c->a;
	char *buf = NULL;
	size_t len;

	if (osip_message_to_str(resp, &buf, &len) != 0)
		return;
	set_str(&c->resp2xx, buf);
	osip_free(buf);
	if (via_destination(a, req, c->tcp, &c->peer.addr, &c->peer.len) < 0)
		return;
	c->peer.tcp = c->tcp;
	c->peer.conn = c->conn;
	/* armed by retx_arm() when the transaction has sent it */
	c->retx_armed = false;
	if (!c->retx) {
		/* 1 ms accuracy: the default (250 ms) would blur T1 */
		if (sd_event_add_time(a->event, &c->retx, CLOCK_MONOTONIC, 0,
				      1000, retx_cb, c) < 0)
			return;
	}
	sd_event_source_set_enabled(c->retx, SD_EVENT_OFF);
}

static void stop_2xx_retransmit(struct sip_call *c)
{
	free(c->resp2xx);
	c->resp2xx = NULL;
	c->retx_armed = false;
	if (c->retx)
		sd_event_source_set_enabled(c->retx, SD_EVENT_OFF);
}

/* A response to the INVITE of incoming call @c, with Contact/RR/body
 * and, for @warning 300-399, a Warning header. */
static int call_respond_warn(struct sip_call *c, int code, const char *sdp,
			     int warning, const char *text)
{
	struct sip_agent *a = c->a;
	osip_message_t *req, *r;
	osip_record_route_t *rr;
	char contact[200];
	int pos;

	if (!c->ist || c->final_sent)
		return -ESTALE;
	req = c->ist->orig_request;
	r = make_response(a, req, code, c->local_tag);
	if (!r)
		return -ENOMEM;
	if (code > 100 && code < 300) {
		for (pos = 0; osip_message_get_record_route(req, pos, &rr) >= 0 &&
		     rr; pos++) {
			osip_record_route_t *rc = NULL;

			if (osip_record_route_clone(rr, &rc) == 0)
				osip_list_add(&r->record_routes, rc, -1);
		}
		contact_value_scheme(a, c->tcp, c->sips, contact,
				     sizeof(contact));
		osip_message_set_contact(r, contact);
	}
	if (code >= 200 && code < 300) {
		osip_message_set_allow(r, SIP_ALLOW);
		timer_2xx_sent(c, req, r);
	}
	add_warning(a, r, warning, text);
	response_add_body(r, sdp);
	if (code > 100 && code < 200) {
		int e = prack_uas_provisional(c, req, r, sdp != NULL);

		if (e < 0) {
			osip_message_free(r);
			return e;
		}
	}
	if (code >= 200 && code < 300 && prack_uas_hold_2xx(c, sdp)) {
		/* goes when the PRACK of our 1xx with SDP comes */
		osip_message_free(r);
		return 0;
	}
	if (code >= 200) {
		prack_uas_final(c);
		c->final_sent = true;
		if (code < 300)
			start_2xx_retransmit(c, r, req);
	}
	return tx_respond(a, c->ist, r);
}

static int call_respond(struct sip_call *c, int code, const char *sdp)
{
	return call_respond_warn(c, code, sdp, 0, NULL);
}

/* A response to the INVITE of incoming call @c (prack.c's held 2xx). */
int invite_respond(struct sip_call *c, int code, const char *sdp)
{
	return call_respond(c, code, sdp);
}

int sip_call_ringing(struct sip_call *c, bool early_media, const char *sdp)
{
	if (!c || c->outgoing)
		return -EINVAL;
	if (c->final || c->final_sent)
		return -ESTALE;
	if (early_media && !sdp)
		return -EINVAL;
	if (early_media)
		set_str(&c->local_sdp, sdp);
	return call_respond(c, early_media ? 183 : 180,
			    early_media ? sdp : NULL);
}

int sip_call_answer(struct sip_call *c, const char *sdp)
{
	int r;

	if (!c || c->outgoing || !sdp)
		return -EINVAL;
	if (c->final || c->final_sent)
		return -ESTALE;
	set_str(&c->local_sdp, sdp);
	r = call_respond(c, 200, sdp);
	if (r < 0)
		return r;
	c->answered = true;
	c->dialog = true;
	call_set_state(c, SIP_CALL_ANSWERED, 200, NULL, false);
	return 0;
}

int sip_call_reject(struct sip_call *c, int code)
{
	return sip_call_reject_warning(c, code, 0, NULL);
}

int sip_call_reject_warning(struct sip_call *c, int code, int warning,
			    const char *text)
{
	int r;

	if (!c || c->outgoing || code < 300 || code > 699)
		return -EINVAL;
	if (c->final || c->final_sent)
		return -ESTALE;
	r = call_respond_warn(c, code, NULL, warning, text);
	if (r < 0)
		return r;
	call_set_state(c, SIP_CALL_FAILED, code, NULL, false);
	return 0;
}

/* The final response to the pending re-INVITE / UPDATE of @c: 2xx with
 * @sdp (a re-INVITE's is retransmitted until its ACK), or an error with
 * a Warning. */
int offer_respond(struct sip_call *c, int code, const char *sdp,
		  int warning, const char *text)
{
	struct sip_agent *a = c->a;
	osip_transaction_t *tr = c->offer_tr;
	osip_message_t *r;
	char contact[200];

	if (!tr)
		return -EBADR;
	c->offer_tr = NULL;
	r = make_response(a, tr->orig_request, code, c->local_tag);
	if (!r)
		return -ENOMEM;
	if (code < 300) {
		contact_value_scheme(a, c->tcp, c->sips, contact,
				     sizeof(contact));
		osip_message_set_contact(r, contact);
		osip_message_set_allow(r, SIP_ALLOW);
		timer_2xx_sent(c, tr->orig_request, r);
	} else if (code == 500) {
		osip_message_set_header(r, "Retry-After", "1");
	}
	add_warning(a, r, warning, text);
	response_add_body(r, code < 300 ? sdp : NULL);
	if (code < 300 && MSG_IS_INVITE(tr->orig_request))
		start_2xx_retransmit(c, r, tr->orig_request);
	code = tx_respond(a, tr, r);
	reinvite_kick(c);	/* ours may have waited for this one */
	return code;
}

int sip_call_answer_offer(struct sip_call *c, const char *sdp)
{
	int r;

	if (!c || !sdp)
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (!c->offer_tr)
		return -EBADR;
	r = offer_respond(c, 200, sdp, 0, NULL);
	if (r >= 0)
		set_str(&c->local_sdp, sdp);
	return r;
}

int sip_call_reject_offer(struct sip_call *c, int code, int warning,
			  const char *text)
{
	if (!c || code < 300 || code > 699)
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (!c->offer_tr)
		return -EBADR;
	return offer_respond(c, code, NULL, warning, text);
}

static void copy_field(char *dst, const char *src)
{
	snprintf(dst, SIP_CALLER_FIELD_MAX, "%s", src ? src : "");
}

static void unquote_field(char *dst, const char *src)
{
	size_t n;

	if (!src) {
		dst[0] = '\0';
		return;
	}
	n = strlen(src);
	if (n >= 2 && src[0] == '"' && src[n - 1] == '"')
		snprintf(dst, SIP_CALLER_FIELD_MAX, "%.*s", (int)(n - 2), src + 1);
	else
		copy_field(dst, src);
}

static void user_at_host(char *dst, osip_uri_t *u)
{
	if (!u || !u->host)
		dst[0] = '\0';
	else if (u->username)
		snprintf(dst, SIP_CALLER_FIELD_MAX, "%s@%s", u->username, u->host);
	else
		copy_field(dst, u->host);
}

static void fill_caller(osip_message_t *m, struct sip_caller *ci)
{
	const char *pai;

	memset(ci, 0, sizeof(*ci));
	unquote_field(ci->display_name, osip_from_get_displayname(m->from));
	user_at_host(ci->from, m->from->url);
	copy_field(ci->request_user, m->req_uri ? m->req_uri->username : NULL);
	pai = header_value(m, "p-asserted-identity");
	if (pai) {
		osip_from_t *f = NULL;

		if (osip_from_init(&f) == 0) {
			if (osip_from_parse(f, pai) == 0) {
				unquote_field(ci->asserted_display_name,
					      osip_from_get_displayname(f));
				user_at_host(ci->asserted, f->url);
			}
			osip_from_free(f);
		}
	}
}

/*
 * A request with an offer that cannot be taken now: answered @code (491
 * or 500) through offer_respond(), the pending offer's transaction, if
 * any, left as it was.
 */
static void offer_refuse(struct sip_call *c, osip_transaction_t *tr, int code,
			 const char *pending_what)
{
	osip_transaction_t *pending = c->offer_tr;

	log_a(c->a, LOG_NOTICE, "Call %s: %s while %s is pending, %d",
	      c->call_id, tr->orig_request->sip_method, pending_what, code);
	c->offer_tr = tr;
	offer_respond(c, code, NULL, 0, NULL);
	c->offer_tr = pending;
}

/*
 * A re-INVITE or UPDATE in the established dialog of @c (RFC 3261 14,
 * RFC 3311).  With an SDP offer it goes to on_offer, and the user
 * answers it (sip_call_answer_offer / sip_call_reject_offer); without
 * one, a re-INVITE gets our SDP as the offer (its ACK brings the answer,
 * reported with CONFIRMED) and an UPDATE a plain 200.  A body that is
 * not SDP: 415.  An offer while another awaits its answer: 500 with
 * Retry-After (RFC 3261 14.2).
 */
static void handle_offer(struct sip_agent *a, osip_event_t *ev,
			 struct sip_call *c, const struct sip_peer *src)
{
	bool invite = MSG_IS_INVITE(ev->sip);
	osip_transaction_t *tr;
	const char *sdp;
	int bad;

	tr = new_server_tx(a, ev, invite ? TX_INVITE_IN : TX_OTHER_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	bad = sdp_body(tr->orig_request, &sdp);
	if (bad < 0) {
		respond_415_sdp(a, tr, NULL);
		return;
	}
	if (reinvite_in_progress(c) && (invite || sdp)) {
		/* glare: our re-INVITE is out (RFC 3261 14.2, RFC 3311 5.2) */
		offer_refuse(c, tr, 491, "our re-INVITE");
		return;
	}
	if (c->offer_tr) {
		offer_refuse(c, tr, 500, "an offer");
		return;
	}
	c->remote_cseq = strtoul(tr->orig_request->cseq->number, NULL, 10);
	if (src->tcp)
		c->conn = src->conn;
	c->offer_tr = tr;
	if (!sdp) {
		offer_respond(c, 200, invite ? c->local_sdp : NULL, 0, NULL);
		return;
	}
	if (!a->cb.on_offer) {
		offer_respond(c, 488, NULL, 399, "Offers are not taken");
		return;
	}
	log_a(a, LOG_INFO, "Call %s: %s with an offer", c->call_id,
	      tr->orig_request->sip_method);
	c->n_ref++;
	a->cb.on_offer(c, sdp, a->userdata);
	call_unref_internal(c);
}

/* UPDATE (RFC 3311): in a dialog of ours, handle_offer(); else 481. */
void handle_update(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);
	struct sip_call *c = NULL;
	osip_transaction_t *tr;
	char *cid = call_id_of(m);

	if (cid && ltag)
		c = find_call(a, cid, ltag, rtag);
	osip_free(cid);
	if (c && c->dialog && !c->final) {
		handle_offer(a, ev, c, src);
		return;
	}
	tr = new_server_tx(a, ev, TX_OTHER_IN, NULL, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	respond_in_tx(a, tr, 481, NULL);
}

void handle_invite(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	const char *rtag = from_tag(m->from);
	const char *ltag = from_tag(m->to);
	struct sip_caller caller;
	struct sip_call *c, *replaced = NULL;
	osip_transaction_t *tr;
	const char *body;
	char *cid;
	int code;

	cid = call_id_of(m);
	if (!cid) {
		osip_event_free(ev);
		return;
	}
	if (ltag) {
		/* re-INVITE (session refresh, hold, new address) */
		c = find_call(a, cid, ltag, rtag);
		osip_free(cid);
		if (!c || !c->answered) {
			tr = new_server_tx(a, ev, TX_INVITE_IN, NULL, src);
			if (tr)
				respond_in_tx(a, tr, 481, NULL);
			else
				osip_event_free(ev);
			return;
		}
		if (c->resp2xx && c->remote_cseq ==
		    strtoul(m->cseq->number, NULL, 10)) {
			/* the re-INVITE again, its IST gone with our 2xx:
			 * that 2xx again (RFC 3261 13.3.1.4) */
			send_raw(a, c->resp2xx, strlen(c->resp2xx), &c->peer,
				 NULL);
			osip_event_free(ev);
			return;
		}
		handle_offer(a, ev, c, src);
		return;
	}
	/* a retransmission whose IST has ended (we sent 2xx): resend it */
	for (c = a->calls; c; c = c->next)
		if (!c->outgoing && strcmp(c->call_id, cid) == 0 && rtag &&
		    strcmp(c->remote_tag, rtag) == 0)
			break;
	osip_free(cid);
	if (c) {
		if (c->resp2xx)
			send_raw(a, c->resp2xx, strlen(c->resp2xx), &c->peer,
				 NULL);
		osip_event_free(ev);
		return;
	}

	if (sdp_body(m, &body) < 0) {
		tr = new_server_tx(a, ev, TX_INVITE_IN, NULL, src);
		if (tr)
			respond_415_sdp(a, tr, NULL);
		else
			osip_event_free(ev);
		return;
	}
	/* Replaces (RFC 3891): the dialog it names must be ours */
	code = replaces_lookup(a, m, &replaced);
	if (code) {
		tr = new_server_tx(a, ev, TX_INVITE_IN, NULL, src);
		if (tr)
			respond_in_tx(a, tr, code, NULL);
		else
			osip_event_free(ev);
		return;
	}
	if (a->n_calls >= a->max_dialogs) {
		code = 486;
		tr = new_server_tx(a, ev, TX_INVITE_IN, NULL, src);
		if (tr)
			respond_in_tx(a, tr, code, NULL);
		else
			osip_event_free(ev);
		return;
	}

	c = call_new(a, false);
	if (!c) {
		osip_event_free(ev);
		return;
	}
	cid = call_id_of(m);
	snprintf(c->call_id, sizeof(c->call_id), "%s", cid ? cid : "");
	osip_free(cid);
	snprintf(c->remote_tag, sizeof(c->remote_tag), "%s", rtag ? rtag : "");
	c->local_uri = name_addr_without_tag(m->to);
	c->remote_uri = name_addr_without_tag(m->from);
	call_set_target(c, m);
	if (!c->remote_target && m->from->url) {
		/* no Contact (RFC 2543): requests go to the From URI */
		char *u = NULL;

		if (osip_uri_to_str(m->from->url, &u) == 0 && u)
			c->remote_target = strdup(u);
		osip_free(u);
	}
	call_set_routes(c, m, false);
	c->remote_cseq = strtoul(m->cseq->number, NULL, 10);
	c->local_cseq = random() % 10000 + 1;
	c->invite_branch_in = xstrdup0(top_branch(m));
	prack_uas_init(c, m);
	c->tcp = src->tcp;
	c->conn = src->conn;
	/* a sips: Request-URI over TLS: our Contact is sips: too */
	c->sips = a->tls && src->tcp && m->req_uri && m->req_uri->scheme &&
		  strcasecmp(m->req_uri->scheme, "sips") == 0;
	c->state = SIP_CALL_INCOMING;
	fill_caller(m, &caller);
	caller.replaces = replaced;

	tr = new_server_tx(a, ev, TX_INVITE_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		c->user_ref = false;
		call_unref_internal(c);		/* the user's */
		call_set_state(c, SIP_CALL_FAILED, 500, NULL, false);
		return;
	}
	c->ist = tr;
	call_respond(c, 100, NULL);
	log_a(a, LOG_INFO, "Incoming call %s from %s", c->call_id, caller.from);
	if (a->cb.on_invite) {
		c->n_ref++;
		a->cb.on_invite(a, c, &caller, body, a->userdata);
		call_unref_internal(c);
	} else {
		call_respond(c, 480, NULL);
		call_set_state(c, SIP_CALL_FAILED, 480, NULL, false);
		call_unref_internal(c);		/* nobody holds the user's */
	}
}

/* The incoming call whose INVITE the CANCEL @m cancels, or NULL. */
struct sip_call *find_cancelled(struct sip_agent *a, osip_message_t *m)
{
	const char *branch = top_branch(m);
	struct sip_call *c;
	char *cid = call_id_of(m);

	if (!cid)
		return NULL;
	for (c = a->calls; c; c = c->next)
		if (!c->outgoing && strcmp(c->call_id, cid) == 0 && branch &&
		    c->invite_branch_in && strcmp(c->invite_branch_in, branch) == 0)
			break;
	osip_free(cid);
	return c;
}

void handle_cancel(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	osip_transaction_t *tr;
	struct sip_call *c = find_cancelled(a, m);

	tr = new_server_tx(a, ev, TX_OTHER_IN, NULL, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	if (!c) {
		respond_in_tx(a, tr, 481, NULL);
		return;
	}
	respond_in_tx(a, tr, 200, c->local_tag);
	osip_nist_execute(a->osip);	/* the 200 goes out before the 487 */
	if (!c->final_sent) {
		call_respond(c, 487, NULL);
		call_set_state(c, SIP_CALL_CANCELLED, 487, NULL, true);
	}
}

void handle_bye(struct sip_agent *a, osip_event_t *ev,
		const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	osip_transaction_t *tr;
	struct sip_call *c = NULL;
	char *cid = call_id_of(m);
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);

	if (cid && ltag)
		c = find_call(a, cid, ltag, rtag);
	osip_free(cid);
	tr = new_server_tx(a, ev, TX_OTHER_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	if (!c) {
		respond_in_tx(a, tr, 481, NULL);
		return;
	}
	respond_in_tx(a, tr, 200, NULL);
	stop_2xx_retransmit(c);
	if (!c->outgoing && !c->final_sent)
		call_respond(c, 487, NULL);
	call_set_state(c, SIP_CALL_TERMINATED, 0, NULL, true);
}

void handle_ack_2xx(struct sip_agent *a, osip_message_t *m)
{
	struct sip_call *c;
	char *cid = call_id_of(m);
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);

	if (!cid || !ltag) {
		osip_free(cid);
		return;
	}
	c = find_call(a, cid, ltag, rtag);
	osip_free(cid);
	/* either way: our 2xx to a re-INVITE of a call we made, too */
	if (!c)
		return;
	if (c->resp2xx) {
		const char *sdp = NULL;

		stop_2xx_retransmit(c);
		reinvite_kick(c);	/* ours may have waited for the ACK */
		/* the answer to the offer in our 2xx (RFC 3261 13.2.1) */
		if (sdp_body(m, &sdp) < 0)
			log_a(a, LOG_NOTICE, "Call %s: ACK with a body that is not SDP, ignored",
			      c->call_id);
		if (c->state == SIP_CALL_ANSWERED || sdp)
			call_set_state(c, SIP_CALL_CONFIRMED, 200, sdp, true);
	}
}

/* The INVITE itself, to the server's first address. */
static int call_send_invite_to(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	const struct sip_server *srv = ood_server(a, false);
	struct req_spec s = { 0 };
	char authz[1200], extra[2400];
	osip_message_t *msg = NULL;
	size_t n;
	int r;

	if (srv->n_addr == 0)
		return -EHOSTUNREACH;
	r = auth_header(a, &c->auth, "INVITE", c->ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
	/* Replaces, Referred-By (sip_call_invite_replaces()) */
	n = (size_t)snprintf(extra, sizeof(extra), "%s%s", authz,
			     c->invite_extra ? c->invite_extra : "");
	if (n >= sizeof(extra))
		return -ENOBUFS;
	timer_request_headers(c, extra + n, sizeof(extra) - n);
	c->invite_cseq = ++c->local_cseq;
	s.method = "INVITE";
	s.ruri = c->ruri;
	s.from = c->local_uri;
	s.from_tag = c->local_tag;
	s.to = c->remote_uri;
	s.call_id = c->call_id;
	s.cseq = c->invite_cseq;
	s.contact = true;
	s.tcp = c->tcp;
	s.sips = c->sips;
	s.extra = extra;
	s.body = c->offer;
	set_str(&c->auth_header, authz);
	r = build_request(a, &s, &msg, c->invite_branch,
			  sizeof(c->invite_branch));
	if (r < 0)
		return r;
	c->provisional = false;
	c->rseq_valid = false;	/* a new INVITE: new early dialogs */
	return start_client_tx(a, msg, TX_INVITE_OUT, c, &srv->addr[0],
			       &c->ict);
}

/*
 * The INVITE, or (0) the wait for the server's lookup when its addresses
 * are not known (the domain failed to resolve, or is on its way).
 */
static int call_send_invite(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	struct sip_server *srv = (struct sip_server *)ood_server(a, false);
	int r;

	if (srv->n_addr == 0) {
		r = server_resolve(a, srv);
		if (r == -EINPROGRESS) {
			c->wait_dns = true;
			return 0;
		}
		if (r < 0)
			return -EHOSTUNREACH;
	}
	return call_send_invite_to(c);
}

/*
 * A lookup ended: the INVITEs waiting for their server go now, or their
 * calls fail (status 0: nothing was sent) as a lookup failure did.
 */
void calls_resolved(struct sip_agent *a)
{
	struct sip_call *c;

	if (server_pending(a, ood_server(a, false)))
		return;
	for (;;) {	/* a call may end (unlinked) on the way */
		for (c = a->calls; c && !c->wait_dns; c = c->next)
			;
		if (!c)
			return;
		c->wait_dns = false;
		if (call_send_invite_to(c) < 0)
			call_set_state(c, SIP_CALL_FAILED, 0, NULL, true);
	}
}

int sip_call_invite(struct sip_agent *a, const char *number,
		    const char *sdp_offer, struct sip_call **ret_call)
{
	return call_invite_with(a, number, NULL, sdp_offer, NULL, ret_call);
}

/*
 * An outgoing call to @number at our domain, or to @uri (checked by the
 * caller) when @number is NULL, with the header lines @extra (CRLF each)
 * in its INVITE.
 */
int call_invite_with(struct sip_agent *a, const char *number,
		     const char *uri, const char *sdp_offer,
		     const char *extra, struct sip_call **ret_call)
{
	struct sip_call *c;
	char buf[600];
	size_t i;
	int r;

	if (!a || (!number && !uri) || (number && !*number) || !ret_call ||
	    !sdp_offer)
		return -EINVAL;
	for (i = 0; number && number[i]; i++)
		if (!isalnum((unsigned char)number[i]) &&
		    !strchr("*#+-._!~'()", number[i]))
			return -EINVAL;
	if (uri && strlen(uri) >= sizeof(buf) - 2)
		return -EINVAL;
	if (a->n_calls >= a->max_dialogs ||
	    n_transactions(a) >= a->max_tx)
		return -EBUSY;
	if (!a->started)
		return -ENOTCONN;
	c = call_new(a, true);
	if (!c)
		return -ENOMEM;
	random_hex(c->call_id, 32);
	c->local_cseq = random() % 10000;
	c->state = SIP_CALL_CALLING;
	c->tcp = a->tcp;
	if (uri)
		snprintf(buf, sizeof(buf), "%s", uri);
	else
		snprintf(buf, sizeof(buf), "sip:%s@%s", number, a->domain);
	c->ruri = strdup(buf);
	/* a sips: target over TLS: our Contact is sips: (RFC 3261 8.1.1.8) */
	c->sips = a->tls && strncasecmp(buf, "sips:", 5) == 0;
	if (a->display_name[0])
		snprintf(buf, sizeof(buf), "\"%s\" <sip:%s@%s>", a->display_name,
			 a->user, a->domain);
	else
		snprintf(buf, sizeof(buf), "<sip:%s@%s>", a->user, a->domain);
	c->local_uri = strdup(buf);
	if (uri)
		snprintf(buf, sizeof(buf), "<%s>", uri);
	else
		snprintf(buf, sizeof(buf), "<sip:%s@%s>", number, a->domain);
	c->remote_uri = strdup(buf);
	c->offer = strdup(sdp_offer);
	/* our SDP, offered again to a re-INVITE without one */
	c->local_sdp = strdup(sdp_offer);
	c->invite_extra = extra ? strdup(extra) : NULL;
	r = call_send_invite(c);
	if (r < 0 || !c->ruri || !c->local_uri || !c->remote_uri) {
		c->user_ref = false;
		call_set_state(c, SIP_CALL_FAILED, 0, NULL, false);
		call_unref_internal(c);
		return r < 0 ? r : -ENOMEM;
	}
	log_a(a, LOG_INFO, "Outgoing call %s to %s", c->call_id, c->ruri);
	*ret_call = c;
	return 0;
}

static int call_send_cancel(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	const struct sip_server *srv = ood_server(a, false);
	struct req_spec s = { 0 };
	osip_message_t *msg = NULL;
	int r;

	s.method = "CANCEL";
	s.ruri = c->ruri;
	s.from = c->local_uri;
	s.from_tag = c->local_tag;
	s.to = c->remote_uri;
	s.call_id = c->call_id;
	s.cseq = c->invite_cseq;
	s.branch = c->invite_branch;
	s.tcp = c->tcp;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	r = start_client_tx(a, msg, TX_CANCEL_OUT, c, &srv->addr[0], NULL);
	if (r == 0)
		c->cancel_sent = true;
	return r;
}

int sip_call_cancel(struct sip_call *c)
{
	if (!c || !c->outgoing)
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (c->answered)
		return -EBUSY;
	c->cancel_wanted = true;
	if (c->wait_dns) {	/* the INVITE never went: nothing to cancel */
		c->wait_dns = false;
		call_set_state(c, SIP_CALL_CANCELLED, 0, NULL, false);
		return 0;
	}
	if (c->provisional && !c->cancel_sent)
		return call_send_cancel(c);
	return 0;	/* sent when the first provisional arrives */
}

int sip_call_hangup(struct sip_call *c)
{
	int r;

	if (!c)
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (c->bye_sent)
		return 0;
	if (c->outgoing && !c->answered)
		return sip_call_cancel(c);
	if (!c->outgoing && (!c->answered || prack_uas_2xx_held(c))) {
		r = call_respond(c, 480, NULL);
		call_set_state(c, SIP_CALL_FAILED, 480, NULL, false);
		return r == -ESTALE ? 0 : r;
	}
	stop_2xx_retransmit(c);
	r = call_send_bye(c);
	if (r < 0)
		call_set_state(c, SIP_CALL_TERMINATED, 0, NULL, true);
	return r;
}

/* ACK for a 2xx of our INVITE (a new transaction of its own). */
static void call_send_ack(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	struct sockaddr_storage dest;
	struct req_spec s;
	char *routes[SIP_MAX_ROUTES + 1];
	struct tbuf *b;

	if (c->ack) {
		send_raw(a, c->ack, strlen(c->ack), &c->peer, NULL);
		return;
	}
	if (!c->remote_target || dialog_destination(c, &dest) < 0)
		return;
	dialog_request(c, &s, "ACK", c->invite_cseq, routes);
	s.extra = c->auth_header;
	b = malloc(sizeof(*b));
	if (!b)
		return;
	if (build_request_text(a, &s, b, NULL, 0) == 0) {
		c->ack = strdup(b->buf);
		c->peer.addr = dest;
		c->peer.len = ss_len(&dest);
		c->peer.tcp = c->tcp;
		c->peer.conn = c->conn;
		if (c->ack)
			send_raw(a, c->ack, strlen(c->ack), &c->peer, NULL);
	}
	free(b);
}

/* Dialog state from a 1xx/2xx with a to-tag (UAC: routes reversed). */
static void call_learn_dialog(struct sip_call *c, osip_message_t *resp)
{
	const char *tag = from_tag(resp->to);

	if (!tag || !*tag)
		return;
	if (c->dialog && strcmp(c->remote_tag, tag) != 0)
		return;		/* a fork: keep the first (2xx replaces below) */
	snprintf(c->remote_tag, sizeof(c->remote_tag), "%s", tag);
	call_set_routes(c, resp, true);
	call_set_target(c, resp);
	c->dialog = true;
}

void ict_response(struct sip_call *c, osip_message_t *resp)
{
	int code = resp->status_code;
	const char *sdp = body_of(resp);

	if (code < 200) {
		if (code > 100) {
			call_learn_dialog(c, resp);
			if (!c->final && !c->cancel_wanted &&
			    !prack_provisional(c, resp))
				return;		/* reported already */
		}
		c->provisional = true;
		if (c->cancel_wanted && !c->cancel_sent) {
			call_send_cancel(c);
			return;
		}
		if (c->final || c->cancel_wanted)
			return;
		if (code == 183 && sdp)
			call_set_state(c, SIP_CALL_EARLY, code, sdp, true);
		else if (code == 180 || code == 183 || (code > 100 && sdp))
			call_set_state(c, sdp ? SIP_CALL_EARLY : SIP_CALL_RINGING,
				       code, sdp, true);
		return;
	}
	if (code < 300) {
		const char *tag = from_tag(resp->to);

		if (c->answered) {
			/* a retransmission (or a forked 2xx): ACK again */
			if (tag && strcmp(tag, c->remote_tag) == 0)
				call_send_ack(c);
			return;
		}
		c->dialog = false;
		call_learn_dialog(c, resp);
		c->answered = true;
		call_send_ack(c);
		if (c->final || c->cancel_wanted || c->hangup_wanted) {
			call_send_bye(c);
			call_set_state(c, SIP_CALL_CANCELLED, code, NULL, true);
			return;
		}
		timer_2xx_received(c, resp);
		call_set_state(c, SIP_CALL_ANSWERED, code, sdp, true);
		return;
	}
	if (code == 422 && !c->cancel_wanted && !c->final &&
	    timer_take_422(c, resp) == 0) {
		c->dialog = false;
		c->remote_tag[0] = '\0';
		if (call_send_invite(c) == 0)
			return;
	}
	if ((code == 401 || code == 407) && !c->cancel_wanted && !c->final &&
	    auth_take_challenge(c->a, resp, &c->auth) == 0) {
		c->dialog = false;
		c->remote_tag[0] = '\0';
		if (call_send_invite(c) == 0)
			return;
	}
	if (c->cancel_wanted)
		call_set_state(c, SIP_CALL_CANCELLED, code, NULL, true);
	else
		call_set_state(c, SIP_CALL_FAILED, code, NULL, true);
}
