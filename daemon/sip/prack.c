// SPDX-License-Identifier: GPL-2.0-only
/*
 * prack.c - reliable provisional responses (RFC 3262), the UAC side: our
 * INVITE says Supported: 100rel; a 1xx with Require: 100rel and RSeq is
 * answered with a PRACK (RAck: RSeq CSeq INVITE) in its early dialog, and
 * a copy of one already acknowledged (RSeq not above the last) is not
 * reported again.  As UAS: when the INVITE requires 100rel, our 1xx
 * (but 100) carry Require: 100rel and RSeq and are retransmitted until
 * their PRACK (one at a time; a 2xx waits for the PRACK of a 1xx with
 * SDP; 504 after 64*T1 without it); else they are unreliable.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "sip/internal.h"

static bool requires_100rel(osip_message_t *m)
{
	osip_header_t *h = NULL;
	int i = 0;

	while ((i = osip_message_header_get_byname(m, "require", i, &h)) >= 0 &&
	       h) {
		if (h->hvalue && strcasestr(h->hvalue, "100rel"))
			return true;
		i++;
	}
	return false;
}

static int prack_send(struct sip_call *c, uint32_t rseq)
{
	char hdrs[64];

	snprintf(hdrs, sizeof(hdrs), "RAck: %" PRIu32 " %" PRIu32 " INVITE\r\n",
		 rseq, c->invite_cseq);
	return call_send_request_hdrs(c, "PRACK", TX_PRACK_OUT, hdrs, false,
				      NULL, NULL, NULL);
}

/*
 * A 1xx (not 100) to our INVITE, after call_learn_dialog(): PRACK it if
 * it is reliable.  Returns false when it must not be reported (a copy of
 * a reliable one already acknowledged, or one of another early dialog).
 */
bool prack_provisional(struct sip_call *c, osip_message_t *resp)
{
	const char *v, *tag = from_tag(resp->to);
	unsigned long rseq;
	char *end;

	if (!requires_100rel(resp))
		return true;
	v = header_value(resp, "rseq");
	if (!v || !tag || strcmp(tag, c->remote_tag) != 0)
		return true;	/* not usable as reliable: as unreliable */
	rseq = strtoul(v, &end, 10);
	if (end == v || rseq == 0 || rseq > 0x7fffffffUL)
		return true;
	if (c->rseq_valid && rseq <= c->rseq)
		return false;	/* a retransmission */
	c->rseq_valid = true;
	c->rseq = (uint32_t)rseq;
	if (prack_send(c, c->rseq) < 0)
		log_a(c->a, LOG_WARNING, "Call %s: PRACK for RSeq %lu not sent",
		      c->call_id, rseq);
	else
		log_a(c->a, LOG_DEBUG, "Call %s: PRACK for RSeq %lu",
		      c->call_id, rseq);
	return true;
}

/* The final response to our PRACK: a challenge is answered once more. */
void prack_done(struct sip_call *c, osip_message_t *m, int code)
{
	if (c->final || c->answered)
		return;
	if (m && (code == 401 || code == 407) &&
	    auth_take_challenge(c->a, m, &c->auth) == 0 &&
	    prack_send(c, c->rseq) == 0)
		return;
	if (code >= 300)
		log_a(c->a, LOG_NOTICE, "Call %s: PRACK got %d", c->call_id,
		      code);
}

/* ---- UAS: our reliable 1xx when the INVITE requires them ---- */

static uint64_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Does the new INVITE @m of @c require reliable 1xx?  Remember it. */
void prack_uas_init(struct sip_call *c, osip_message_t *m)
{
	c->rel_uas = requires_100rel(m);
	c->rseq_out = (uint32_t)(random() % 10000) + 1;
}

static void rel_stop(struct sip_call *c)
{
	free(c->rel_resp);
	c->rel_resp = NULL;
	c->rel_sdp = false;
	if (c->rel_timer)
		sd_event_source_set_enabled(c->rel_timer, SD_EVENT_OFF);
}

static int rel_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_call *c = userdata;
	struct sip_agent *a = c->a;
	uint64_t next;

	(void)s;
	if (!c->rel_resp)
		return 0;
	if (usec >= c->rel_t0 + 64ULL * SIP_T1_MS * 1000) {
		/* RFC 3262 3: no PRACK in 64*T1, the INVITE gets a 5xx */
		log_a(a, LOG_WARNING, "Call %s: no PRACK for our reliable %s, 504",
		      c->call_id, "provisional response");
		rel_stop(c);
		free(c->rel_2xx_sdp);
		c->rel_2xx_sdp = NULL;
		c->n_ref++;
		invite_respond(c, 504, NULL);
		call_set_state(c, c->answered ? SIP_CALL_TERMINATED :
			       SIP_CALL_FAILED, 504, NULL, true);
		call_unref_internal(c);
		return 0;
	}
	if (!c->rel_peer.tcp)
		send_raw(a, c->rel_resp, strlen(c->rel_resp), &c->rel_peer,
			 NULL);
	/* at T1, 3*T1, 7*T1, ...; the last look at 64*T1 */
	c->rel_interval *= 2;
	next = c->rel_t0 + (uint64_t)(c->rel_interval * 2 - SIP_T1_MS) * 1000;
	if (next > c->rel_t0 + 64ULL * SIP_T1_MS * 1000)
		next = c->rel_t0 + 64ULL * SIP_T1_MS * 1000;
	sd_event_source_set_time(c->rel_timer, next);
	sd_event_source_set_enabled(c->rel_timer, SD_EVENT_ONESHOT);
	return 0;
}

/*
 * A 1xx (101-199) of ours to the INVITE of @c, complete but not yet sent:
 * when the INVITE requires reliability, add Require: 100rel and the next
 * RSeq and keep its text for retransmission (T1 doubling; over UDP) until
 * the PRACK, 64*T1 at most.  -EBUSY while an earlier reliable one awaits
 * its PRACK (RFC 3262 3: one at a time).
 */
int prack_uas_provisional(struct sip_call *c, osip_message_t *req,
			  osip_message_t *r, bool has_sdp)
{
	struct sip_agent *a = c->a;
	char v[16], *buf = NULL;
	size_t len;
	int ret = 0;

	if (!c->rel_uas)
		return 0;
	if (c->rel_resp)
		return -EBUSY;
	snprintf(v, sizeof(v), "%" PRIu32, c->rseq_out);
	osip_message_set_header(r, "Require", "100rel");
	osip_message_set_header(r, "RSeq", v);
	if (osip_message_to_str(r, &buf, &len) != 0)
		return -ENOMEM;
	set_str(&c->rel_resp, buf);
	osip_free(buf);
	if (!c->rel_resp)
		return -ENOMEM;
	c->rel_sdp = has_sdp;
	c->rel_rseq = c->rseq_out++;
	c->rel_peer.tcp = c->tcp;
	c->rel_peer.conn = c->conn;
	if (via_destination(a, req, c->tcp, &c->rel_peer.addr,
			    &c->rel_peer.len) < 0)
		c->rel_peer.tcp = true;		/* no resending: the deadline */
	c->rel_t0 = now_mono();
	c->rel_interval = SIP_T1_MS;
	if (!c->rel_timer)
		ret = sd_event_add_time(a->event, &c->rel_timer,
					CLOCK_MONOTONIC, 0, 1000, rel_timer_cb,
					c);
	if (ret >= 0)
		ret = sd_event_source_set_time(c->rel_timer, c->rel_t0 +
					       SIP_T1_MS * 1000ULL);
	if (ret >= 0)
		sd_event_source_set_enabled(c->rel_timer, SD_EVENT_ONESHOT);
	return 0;
}

/*
 * A 2xx the user gave while a reliable 1xx with SDP awaits its PRACK:
 * held back until the PRACK (RFC 3262 3).  True when held.
 */
bool prack_uas_hold_2xx(struct sip_call *c, const char *sdp)
{
	if (!c->rel_resp || !c->rel_sdp)
		return false;
	set_str(&c->rel_2xx_sdp, sdp ? sdp : "");
	return c->rel_2xx_sdp != NULL;
}

bool prack_uas_2xx_held(const struct sip_call *c)
{
	return c->rel_2xx_sdp != NULL;
}

/* A final response of ours to the INVITE: no more reliable 1xx. */
void prack_uas_final(struct sip_call *c)
{
	rel_stop(c);
	free(c->rel_2xx_sdp);
	c->rel_2xx_sdp = NULL;
}

/*
 * PRACK (RFC 3262): in an early or confirmed dialog of ours, the one
 * acknowledging our reliable 1xx (RAck: RSeq, CSeq and method of the
 * INVITE) gets 200 and stops its retransmission (and lets a held 2xx
 * go); any other 481.  Outside a dialog: 481 (agent.c).
 */
void handle_prack(struct sip_agent *a, osip_event_t *ev,
		  const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);
	struct sip_call *c = NULL;
	osip_transaction_t *tr;
	char *cid = call_id_of(m);
	const char *rack;
	unsigned long rseq = 0, cseq = 0;
	char method[16] = "";

	if (cid && ltag)
		c = find_call(a, cid, ltag, rtag);
	osip_free(cid);
	tr = new_server_tx(a, ev, TX_OTHER_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	rack = header_value(tr->orig_request, "rack");
	if (!c || c->outgoing || !rack || !c->rel_resp ||
	    sscanf(rack, "%lu %lu %15s", &rseq, &cseq, method) != 3 ||
	    rseq != c->rel_rseq || strcasecmp(method, "INVITE") != 0 ||
	    !c->ist || !c->ist->orig_request->cseq ||
	    cseq != strtoul(c->ist->orig_request->cseq->number, NULL, 10)) {
		respond_in_tx(a, tr, 481, NULL);
		return;
	}
	respond_in_tx(a, tr, 200, NULL);
	osip_nist_execute(a->osip);	/* its 200 before a held 2xx */
	rel_stop(c);
	log_a(a, LOG_DEBUG, "Call %s: PRACK for RSeq %lu", c->call_id, rseq);
	if (c->rel_2xx_sdp) {
		char *sdp = c->rel_2xx_sdp;

		c->rel_2xx_sdp = NULL;
		invite_respond(c, 200, *sdp ? sdp : NULL);
		free(sdp);
	}
}

void prack_cleanup(struct sip_call *c)
{
	c->rel_timer = sd_event_source_disable_unref(c->rel_timer);
}

void prack_free(struct sip_call *c)
{
	sd_event_source_unref(c->rel_timer);
	free(c->rel_resp);
	free(c->rel_2xx_sdp);
}
