// SPDX-License-Identifier: GPL-2.0-only
/*
 * publish.c - voice quality reports (RFC 6035): at the end of a call the
 * Line hands in the application/vq-rtcpxr body; it goes in a PUBLISH
 * (Event: vq-rtcpxr) out of any dialog to the account's collector, a
 * SIP URI of its own (sip:collector@host:port), resolved on the loop
 * like the other servers.  A 401/407 is answered with the account's
 * credentials (SIP_AUTH_TRIES at most); otherwise a report is sent once:
 * no retries, at most SIP_PUBLISH_MAX waiting or in flight.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "sip/internal.h"

/* The collector's host[:port] out of its URI ("sip:" and a user part
 * before it, parameters after it). */
static int collector_hostport(const char *uri, char *buf, size_t len)
{
	const char *p, *at, *end;

	if (strncasecmp(uri, "sip:", 4) != 0)
		return -EINVAL;
	p = uri + 4;
	end = p + strcspn(p, ";?>");
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	if (end == p || (size_t)(end - p) >= len)
		return -EINVAL;
	memcpy(buf, p, (size_t)(end - p));
	buf[end - p] = '\0';
	return 0;
}

int publish_init(struct sip_agent *a, const char *collector)
{
	char hostport[300];
	int r;

	if (!collector || !*collector)
		return 0;
	r = collector_hostport(collector, hostport, sizeof(hostport));
	if (r < 0)
		return r;
	r = server_init(&a->vq_server, hostport);
	if (r < 0)
		return r;
	a->vq_uri = strdup(collector);
	return a->vq_uri ? 0 : -ENOMEM;
}

static void pub_clear(struct sip_pub *p)
{
	free(p->body);
	*p = (struct sip_pub){ 0 };
}

static int pub_send(struct sip_agent *a, unsigned idx)
{
	struct sip_pub *p = &a->pubs[idx];
	struct sip_server *srv = &a->vq_server;
	struct req_spec q = { 0 };
	char aor[400], to[400], extra[1400], authz[1200];
	osip_transaction_t *tr = NULL;
	osip_message_t *msg = NULL;
	struct sip_tx *tx;
	int r;

	if (srv->n_addr == 0) {
		r = server_resolve(a, srv);
		if (r == -EINPROGRESS) {
			p->wait_dns = true;	/* publish_resolved() sends it */
			return 0;
		}
		if (r < 0)
			return r;
		if (srv->n_addr == 0)
			return -EHOSTUNREACH;
	}
	snprintf(aor, sizeof(aor), "<sip:%s@%s>", a->user, a->domain);
	snprintf(to, sizeof(to), "<%s>", a->vq_uri);
	r = auth_header(a, &p->auth, "PUBLISH", a->vq_uri, authz,
			sizeof(authz));
	if (r < 0)
		return r;
	snprintf(extra, sizeof(extra), "Event: vq-rtcpxr\r\n%s", authz);
	q.method = "PUBLISH";
	q.ruri = a->vq_uri;
	q.from = aor;
	q.from_tag = p->tag;
	q.to = to;
	q.call_id = p->call_id;
	q.cseq = ++p->cseq;
	q.tcp = a->tcp;
	q.extra = extra;
	q.body = p->body;
	q.content_type = "application/vq-rtcpxr";
	r = build_request(a, &q, &msg, NULL, 0);
	if (r < 0)
		return r;
	r = start_client_tx(a, msg, TX_PUBLISH_OUT, NULL, &srv->addr[0], &tr);
	if (r < 0)
		return r;
	tx = osip_transaction_get_your_instance(tr);
	tx->pub = idx;
	return 0;
}

int sip_agent_publish_vq(struct sip_agent *a, const char *body)
{
	unsigned i;
	int r;

	if (!a || !body)
		return -EINVAL;
	if (!a->vq_uri)
		return -ENOENT;
	for (i = 0; i < SIP_PUBLISH_MAX && a->pubs[i].used; i++)
		;
	if (i == SIP_PUBLISH_MAX) {
		log_a(a, LOG_NOTICE, "Voice quality report dropped: %u still on their way to %s",
		      SIP_PUBLISH_MAX, a->vq_uri);
		return -EBUSY;
	}
	a->pubs[i].body = strdup(body);
	if (!a->pubs[i].body)
		return -ENOMEM;
	a->pubs[i].used = true;
	random_hex(a->pubs[i].call_id, 32);
	random_hex(a->pubs[i].tag, 16);
	r = pub_send(a, i);
	if (r < 0) {
		log_a(a, LOG_WARNING, "Voice quality report to %s not sent: %s",
		      a->vq_uri, strerror(-r));
		pub_clear(&a->pubs[i]);
	}
	return r;
}

void publish_resolved(struct sip_agent *a)
{
	unsigned i;
	int r;

	if (server_pending(a, &a->vq_server))
		return;
	for (i = 0; i < SIP_PUBLISH_MAX; i++) {
		struct sip_pub *p = &a->pubs[i];

		if (!p->used || !p->wait_dns)
			continue;
		p->wait_dns = false;
		r = a->vq_server.n_addr ? pub_send(a, i) : -EHOSTUNREACH;
		if (r < 0) {
			log_a(a, LOG_WARNING, "Voice quality report to %s not sent: %s",
			      a->vq_uri, strerror(-r));
			pub_clear(p);
		}
	}
}

void publish_response(struct sip_agent *a, struct sip_tx *tx,
		      osip_message_t *m, int code)
{
	struct sip_pub *p;

	if (tx->pub >= SIP_PUBLISH_MAX || !a->pubs[tx->pub].used)
		return;
	p = &a->pubs[tx->pub];
	if (m && (code == 401 || code == 407) &&
	    auth_take_challenge(a, m, &p->auth) == 0 &&
	    pub_send(a, tx->pub) == 0)
		return;
	if (code >= 200 && code < 300)
		log_a(a, LOG_INFO, "Voice quality report taken by %s (%d)",
		      a->vq_uri, code);
	else
		log_a(a, LOG_NOTICE, "Voice quality report to %s: %d%s",
		      a->vq_uri, code, m ? "" : " (no response)");
	pub_clear(p);
}

void publish_free(struct sip_agent *a)
{
	unsigned i;

	for (i = 0; i < SIP_PUBLISH_MAX; i++)
		pub_clear(&a->pubs[i]);
	free(a->vq_uri);
	a->vq_uri = NULL;
}
