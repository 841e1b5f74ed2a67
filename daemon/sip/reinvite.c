// SPDX-License-Identifier: GPL-2.0-only
/*
 * reinvite.c - our own re-INVITE in an established dialog (hold, resume,
 * session refresh): one at a time per dialog, sent when no other INVITE
 * transaction of the dialog is in progress, credentials on 401/407, the
 * ACK of its 2xx (and of every retransmission), the retry after 491
 * (RFC 3261 14.1), and the outcome reported through on_reinvite.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "sip/internal.h"

#define REINV_GLARE_MAX	5	/* 491s retried before reporting one */

static int reinvite_send(struct sip_call *c);

static bool reinvite_can_go(const struct sip_call *c)
{
	return c->reinv_want && !c->reinv_active && !c->final &&
	       !c->offer_tr && !c->resp2xx && !prack_uas_2xx_held(c) &&
	       !c->bye_sent;
}

/* The 491 delay is over, or a kick: send the re-INVITE if it can go. */
static int reinv_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_call *c = userdata;
	int r;

	(void)s;
	(void)usec;
	c->reinv_waiting = false;
	if (!reinvite_can_go(c))
		return 0;
	r = reinvite_send(c);
	if (r < 0) {
		log_a(c->a, LOG_WARNING, "Call %s: re-INVITE not sent: %s",
		      c->call_id, strerror(-r));
		reinvite_done(c, NULL, 500);
	}
	return 0;
}

/* Arm the timer for @delay_ms from now; false on failure. */
static bool reinv_arm(struct sip_call *c, uint64_t delay_ms)
{
	struct sip_agent *a = c->a;
	int r = 0;

	if (!c->reinv_timer)
		r = sd_event_add_time(a->event, &c->reinv_timer,
				      CLOCK_MONOTONIC, 0, 1000,
				      reinv_timer_cb, c);
	if (r >= 0)
		r = sd_event_source_set_time(c->reinv_timer,
					     now_usec(a->event) + delay_ms * 1000);
	if (r >= 0)
		r = sd_event_source_set_enabled(c->reinv_timer,
						SD_EVENT_ONESHOT);
	if (r < 0)
		return false;
	c->reinv_waiting = true;
	return true;
}

void reinvite_cleanup(struct sip_call *c)
{
	c->reinv_timer = sd_event_source_disable_unref(c->reinv_timer);
}

void reinvite_free(struct sip_call *c)
{
	sd_event_source_unref(c->reinv_timer);
	free(c->reinv_offer);
	free(c->reinv_authz);
	free(c->reinv_ack);
	free(c->reinv_queued);
}

bool reinvite_in_progress(const struct sip_call *c)
{
	return c->reinv_active;
}

/*
 * An INVITE transaction of the dialog may have ended: a re-INVITE that
 * waits goes from the loop (never from inside the user's call).
 */
void reinvite_kick(struct sip_call *c)
{
	if (reinvite_can_go(c) && !c->reinv_waiting && !reinv_arm(c, 0))
		log_a(c->a, LOG_WARNING, "Call %s: re-INVITE timer failed",
		      c->call_id);
}

/* The re-INVITE with the offer, in the dialog (a target refresh). */
static int reinvite_send(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	struct sockaddr_storage dest;
	struct req_spec s;
	char *routes[SIP_MAX_ROUTES + 1];
	char authz[1200], extra[1600];
	osip_message_t *msg = NULL;
	size_t n;
	int r;

	if (!c->remote_target)
		return -ENOTCONN;
	r = dialog_destination(c, &dest);
	if (r < 0)
		return r;
	c->reinv_cseq = ++c->local_cseq;
	dialog_request(c, &s, "INVITE", c->reinv_cseq, routes);
	r = auth_header(a, &c->auth, "INVITE", s.ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
	set_str(&c->reinv_authz, authz);
	n = (size_t)snprintf(extra, sizeof(extra), "%s", authz);
	timer_request_headers(c, extra + n, sizeof(extra) - n);
	s.contact = true;
	s.extra = extra;
	s.body = c->reinv_offer;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	free(c->reinv_ack);
	c->reinv_ack = NULL;
	r = start_client_tx(a, msg, TX_REINVITE_OUT, c, &dest, NULL);
	if (r < 0)
		return r;
	c->reinv_active = true;
	log_a(a, LOG_INFO, "Call %s: re-INVITE sent (CSeq %u)", c->call_id,
	      (unsigned)c->reinv_cseq);
	return 0;
}

/* ACK of a 2xx to our re-INVITE (kept for its retransmissions). */
static void reinvite_ack(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	struct sockaddr_storage dest;
	struct req_spec s;
	char *routes[SIP_MAX_ROUTES + 1];
	struct tbuf *b;

	if (c->reinv_ack) {
		send_raw(a, c->reinv_ack, strlen(c->reinv_ack),
			 &c->reinv_peer, NULL);
		return;
	}
	if (!c->remote_target || dialog_destination(c, &dest) < 0)
		return;
	dialog_request(c, &s, "ACK", c->reinv_cseq, routes);
	s.extra = c->reinv_authz;
	b = malloc(sizeof(*b));
	if (!b)
		return;
	if (build_request_text(a, &s, b, NULL, 0) == 0) {
		c->reinv_ack = strdup(b->buf);
		c->reinv_peer.addr = dest;
		c->reinv_peer.len = ss_len(&dest);
		c->reinv_peer.tcp = c->tcp;
		c->reinv_peer.conn = c->conn;
		if (c->reinv_ack)
			send_raw(a, c->reinv_ack, strlen(c->reinv_ack),
				 &c->reinv_peer, NULL);
	}
	free(b);
}

/* A retransmitted 2xx of our last re-INVITE (its ICT has ended)? ACK it. */
bool reinvite_2xx_again(struct sip_call *c, osip_message_t *m)
{
	if (!m->cseq || !m->cseq->number ||
	    strtoul(m->cseq->number, NULL, 10) != c->reinv_cseq ||
	    !c->reinv_cseq)
		return false;
	if (c->reinv_ack)
		reinvite_ack(c);
	return true;
}

/* 491: retry after 2.1-4 s when we chose the Call-ID, else 0-2 s. */
static void reinvite_glare(struct sip_call *c)
{
	uint64_t delay_ms = c->outgoing ? 2100 + (uint64_t)(random() % 191) * 10 :
					  (uint64_t)(random() % 201) * 10;

	if (!reinv_arm(c, delay_ms)) {
		reinvite_done(c, NULL, 491);
		return;
	}
	log_a(c->a, LOG_INFO, "Call %s: re-INVITE glare (491), again in %u ms",
	      c->call_id, (unsigned)delay_ms);
}

/*
 * The outcome of the re-INVITE: reported, and for 481/408 (RFC 3261
 * 12.2.1.2) the dialog ended (BYE for 408; on_call_state TERMINATED with
 * the same status follows).
 */
void reinvite_done(struct sip_call *c, osip_message_t *resp, int code)
{
	struct sip_agent *a = c->a;
	const char *sdp = NULL;
	bool internal = c->reinv_internal;

	c->reinv_active = false;
	c->reinv_want = false;
	c->reinv_internal = false;
	c->reinv_glare = 0;
	if (c->final)
		return;
	if (resp && code >= 200 && code < 300) {
		if (sdp_body(resp, &sdp) < 0) {
			log_a(a, LOG_NOTICE, "Call %s: 2xx to our re-INVITE with a body that is not SDP",
			      c->call_id);
			sdp = NULL;
		}
		if (c->reinv_offer)
			set_str(&c->local_sdp, c->reinv_offer);
	}
	log_a(a, code < 300 ? LOG_INFO : LOG_NOTICE,
	      "Call %s: re-INVITE answered %d", c->call_id, code);
	c->n_ref++;
	if (!internal && a->cb.on_reinvite)
		a->cb.on_reinvite(c, code, sdp, a->userdata);
	if (!c->final && internal && code >= 300 && code != 481 &&
	    code != 408)
		timer_refresh_failed(c);
	if (!c->final && (code == 481 || code == 408)) {
		log_a(a, LOG_NOTICE, "Call %s: dialog gone (%d), ending the call",
		      c->call_id, code);
		if (code == 408 && !c->bye_sent)
			call_send_bye(c);
		call_set_state(c, SIP_CALL_TERMINATED, code, NULL, true);
	}
	if (c->reinv_queued) {
		/* the user's, asked for during our session refresh */
		char *offer = c->reinv_queued;
		int r = 0;

		c->reinv_queued = NULL;
		if (!c->final)
			r = reinvite_start(c, offer, false);
		free(offer);
		if (r < 0 && !c->final && a->cb.on_reinvite)
			a->cb.on_reinvite(c, 500, NULL, a->userdata);
	}
	call_unref_internal(c);
}

/* A response to our re-INVITE (from its ICT). */
void reinvite_response(struct sip_call *c, osip_message_t *resp)
{
	int code = resp->status_code;

	if (code < 200 || !c->reinv_active || !resp->cseq ||
	    !resp->cseq->number ||
	    strtoul(resp->cseq->number, NULL, 10) != c->reinv_cseq)
		return;		/* a provisional, or of an earlier one */
	if (c->final) {
		if (code < 300)
			reinvite_ack(c);
		c->reinv_active = false;
		return;
	}
	if (code < 300) {
		call_set_target(c, resp);	/* target refresh */
		timer_2xx_received(c, resp);
		c->auth.tries = 0;
		reinvite_ack(c);
		reinvite_done(c, resp, code);
		return;
	}
	if ((code == 401 || code == 407) &&
	    auth_take_challenge(c->a, resp, &c->auth) == 0) {
		c->reinv_active = false;
		if (reinvite_send(c) == 0)
			return;
		c->reinv_active = true;
	}
	if (code == 491 && c->reinv_glare < REINV_GLARE_MAX) {
		c->reinv_glare++;
		c->reinv_active = false;
		reinvite_glare(c);
		return;
	}
	c->auth.tries = 0;
	reinvite_done(c, resp, code);
}

/* A re-INVITE with @sdp_offer; @internal: a session refresh, unreported. */
int reinvite_start(struct sip_call *c, const char *sdp_offer, bool internal)
{
	if (c->reinv_want && c->reinv_internal && !internal) {
		/* the user's offer takes the place of our refresh (its 2xx
		 * refreshes too), or follows it when it is out */
		if (c->reinv_queued)
			return -EBUSY;
		if (!c->reinv_active) {
			set_str(&c->reinv_offer, sdp_offer);
			if (!c->reinv_offer)
				return -ENOMEM;
			c->reinv_internal = false;
			return 0;
		}
		c->reinv_queued = strdup(sdp_offer);
		return c->reinv_queued ? 0 : -ENOMEM;
	}
	if (c->reinv_want)
		return -EBUSY;
	set_str(&c->reinv_offer, sdp_offer);
	if (!c->reinv_offer)
		return -ENOMEM;
	c->reinv_want = true;
	c->reinv_internal = internal;
	c->reinv_glare = 0;
	if (reinvite_can_go(c)) {
		int r = reinvite_send(c);

		if (r < 0) {
			c->reinv_want = false;
			return r;
		}
	}
	/* else sent when the INVITE transaction in progress ends */
	return 0;
}

int sip_call_reinvite(struct sip_call *c, const char *sdp_offer)
{
	if (!c || !sdp_offer || !*sdp_offer)
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (!c->answered || c->bye_sent || !c->dialog)
		return -ENOTCONN;
	return reinvite_start(c, sdp_offer, false);
}
