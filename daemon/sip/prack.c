// SPDX-License-Identifier: GPL-2.0-only
/*
 * prack.c - reliable provisional responses (RFC 3262), the UAC side: our
 * INVITE says Supported: 100rel; a 1xx with Require: 100rel and RSeq is
 * answered with a PRACK (RAck: RSeq CSeq INVITE) in its early dialog, and
 * a copy of one already acknowledged (RSeq not above the last) is not
 * reported again.  As UAS the agent sends only unreliable 1xx: an INVITE
 * with Require: 100rel gets 420 (agent.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

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
	struct sip_agent *a = c->a;
	struct sockaddr_storage dest;
	struct req_spec s;
	char *routes[SIP_MAX_ROUTES + 1];
	char authz[1200], extra[1600];
	osip_message_t *msg = NULL;
	int r;

	if (!c->remote_target)
		return -ENOTCONN;
	r = dialog_destination(c, &dest);
	if (r < 0)
		return r;
	dialog_request(c, &s, "PRACK", ++c->local_cseq, routes);
	r = auth_header(a, &c->auth, "PRACK", s.ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
	snprintf(extra, sizeof(extra), "%sRAck: %" PRIu32 " %" PRIu32 " INVITE\r\n",
		 authz, rseq, c->invite_cseq);
	s.extra = extra;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	return start_client_tx(a, msg, TX_PRACK_OUT, c, &dest, NULL);
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
