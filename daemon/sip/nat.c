// SPDX-License-Identifier: GPL-2.0-only
/*
 * nat.c - our public address behind NAT (sip.h, "NAT"): the host and
 * port our Contact advertises (nat_contact_hostport()) and the address
 * for SDP, learnt from the received/rport of the registrar's responses
 * (RFC 3581) or from a STUN Binding (RFC 5389, stun.c) sent from the SIP
 * socket, so the mapping is the SIP socket's; and the UDP keep-alives
 * that hold the NAT binding to the registrar open.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>

#include "sip/internal.h"
#include "sip/stun.h"

static int stun_timer_cb(sd_event_source *s, uint64_t usec, void *userdata);
static int ka_timer_cb(sd_event_source *s, uint64_t usec, void *userdata);

int nat_init(struct sip_agent *a, const struct sip_account *acct)
{
	int r;

	a->nat_off = acct->nat_off;
	a->keepalive = acct->keepalive >= 0 &&
		       acct->keepalive < _SIP_KEEPALIVE_MAX ?
		       acct->keepalive : SIP_KEEPALIVE_CRLF;
	if (acct->stun_server && *acct->stun_server) {
		r = server_init(&a->stun_srv, acct->stun_server);
		if (r < 0)
			return r;
		/* A/AAAA only: no SRV lookup of a SIP service */
		if (!a->stun_srv.port_given)
			a->stun_srv.port = SIP_STUN_PORT;
		a->stun_srv.port_given = true;
	}
	r = sd_event_add_time(a->event, &a->stun_timer, CLOCK_MONOTONIC, 0,
			      10000, stun_timer_cb, a);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(a->stun_timer, SD_EVENT_OFF);
	r = sd_event_add_time(a->event, &a->ka_timer, CLOCK_MONOTONIC, 0,
			      100000, ka_timer_cb, a);
	if (r < 0)
		return r;
	sd_event_source_set_enabled(a->ka_timer, SD_EVENT_OFF);
	return 0;
}

void nat_free(struct sip_agent *a)
{
	a->stun_timer = sd_event_source_disable_unref(a->stun_timer);
	a->ka_timer = sd_event_source_disable_unref(a->ka_timer);
}

/*
 * The host and port our Contact advertises, over @tcp or UDP: the
 * static nat_address (already our local_ip), else over UDP what the
 * registrar saw (received/rport), else STUN's mapping, else the local
 * address and port.
 */
void nat_contact_hostport(const struct sip_agent *a, bool tcp,
			  const char **ret_host, unsigned *ret_port)
{
	*ret_host = a->local_ip;
	*ret_port = a->local_port;
	if (a->nat_address[0] || a->nat_off || tcp)
		return;
	if (a->rcv_ip[0]) {
		*ret_host = a->rcv_ip;
		if (a->rcv_port)
			*ret_port = a->rcv_port;
	} else if (a->stun_ip[0]) {
		*ret_host = a->stun_ip;
		*ret_port = a->stun_port;
	}
}

int sip_agent_contact_address(const struct sip_agent *a, char *buf,
			      size_t len, unsigned *ret_port)
{
	const char *h;
	unsigned p;

	if (!a || !buf || !len)
		return -EINVAL;
	nat_contact_hostport(a, a->tcp, &h, &p);
	snprintf(buf, len, "%s", h);
	if (ret_port)
		*ret_port = p;
	return 0;
}

int sip_agent_media_address(const struct sip_agent *a, char *buf, size_t len)
{
	if (!a || !buf || !len)
		return -EINVAL;
	if (a->nat_address[0]) {
		snprintf(buf, len, "%s", a->nat_address);
		return 0;
	}
	if (!a->nat_off && (a->rcv_ip[0] || a->stun_ip[0])) {
		snprintf(buf, len, "%s", a->rcv_ip[0] ? a->rcv_ip : a->stun_ip);
		return 0;
	}
	return sip_agent_local_address(a, buf, len);
}

/*
 * received= and rport= of @resp's top Via (RFC 3581): where the server
 * saw our request come from (over TCP only the address counts: the port
 * is our connection's).  True when that changed what we advertise.
 */
bool nat_learn_via(struct sip_agent *a, osip_message_t *resp, bool udp)
{
	osip_via_t *v = NULL;
	const char *rcv, *rport;
	char ip[64];
	unsigned long port = 0;
	size_t n;
	bool changed;

	if (!resp || osip_message_get_via(resp, 0, &v) < 0 || !v)
		return false;
	rcv = gparam(&v->via_params, "received");
	rport = gparam(&v->via_params, "rport");
	if (rcv && *rcv) {
		n = strlen(rcv);
		if (rcv[0] == '[' && n > 2 && rcv[n - 1] == ']')
			snprintf(ip, sizeof(ip), "%.*s", (int)(n - 2), rcv + 1);
		else
			snprintf(ip, sizeof(ip), "%s", rcv);
	} else if (rport && *rport && v->host) {
		/* rport alone: the server saw the address we sent */
		snprintf(ip, sizeof(ip), "%s", v->host);
	} else {
		return false;	/* not an RFC 3581 server */
	}
	if (!is_ip_literal(ip))
		return false;
	snprintf(a->public_ip, sizeof(a->public_ip), "%s", ip);
	if (udp && rport && *rport) {
		char *end;

		port = strtoul(rport, &end, 10);
		if (*end || port == 0 || port > 65535)
			port = 0;
	}
	changed = strcmp(a->rcv_ip, ip) != 0 || a->rcv_port != port;
	if (changed && !a->nat_off && !a->nat_address[0])
		log_a(a, LOG_INFO, "Public address %s:%lu (as the registrar sees us)",
		      ip, port ? port : a->local_port);
	snprintf(a->rcv_ip, sizeof(a->rcv_ip), "%s", ip);
	a->rcv_port = port;
	return changed;
}

/* ---- STUN ---- */

static void stun_arm(struct sip_agent *a, uint64_t after_us)
{
	sd_event_source_set_time(a->stun_timer, now_usec(a->event) + after_us);
	sd_event_source_set_enabled(a->stun_timer, SD_EVENT_ONESHOT);
}

static void stun_send(struct sip_agent *a)
{
	uint8_t req[STUN_REQUEST_SIZE];
	int n = stun_binding_request(a->stun_txid, true, req, sizeof(req));

	if (n < 0 || a->stun_srv.n_addr == 0)
		return;
	if (sendto(a->fd, req, n, 0, (const void *)&a->stun_srv.addr[0],
		   a->stun_srv.addrlen[0]) < 0)
		log_a(a, LOG_DEBUG, "STUN request to %s not sent: %m",
		      a->stun_srv.host);
}

/* A new Binding transaction (its server looked up first when needed). */
static void stun_query(struct sip_agent *a)
{
	int r;

	if (!a->stun_srv.host[0] || a->stun_waiting || a->stun_wait_dns)
		return;
	if (a->stun_srv.n_addr == 0) {
		r = server_resolve(a, &a->stun_srv);
		if (r == -EINPROGRESS) {
			a->stun_wait_dns = true;
			return;
		}
		if (r < 0 || a->stun_srv.n_addr == 0) {
			stun_arm(a, SIP_STUN_RETRY_S * 1000000ULL);
			return;
		}
	}
	if (getrandom(a->stun_txid, sizeof(a->stun_txid), 0) !=
	    (ssize_t)sizeof(a->stun_txid)) {
		stun_arm(a, SIP_STUN_RETRY_S * 1000000ULL);
		return;
	}
	a->stun_waiting = true;
	a->stun_tries = 1;
	stun_send(a);
	stun_arm(a, SIP_STUN_RTO_MS * 1000ULL);
}

static int stun_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_agent *a = userdata;

	(void)s;
	(void)usec;
	if (!a->stun_waiting) {
		stun_query(a);	/* the refresh */
		return 0;
	}
	if (a->stun_tries >= SIP_STUN_TRIES) {
		a->stun_waiting = false;
		log_a(a, LOG_WARNING, "STUN server %s: no answer, asking again in %u s",
		      a->stun_srv.host, SIP_STUN_RETRY_S);
		a->stun_srv.n_addr = 0;	/* looked up again */
		stun_arm(a, SIP_STUN_RETRY_S * 1000000ULL);
		return 0;
	}
	/* RFC 5389 7.2.1: RTO doubling; after the last, Rm * RTO */
	a->stun_tries++;
	stun_send(a);
	stun_arm(a, a->stun_tries == SIP_STUN_TRIES ?
		    SIP_STUN_LAST_WAIT * SIP_STUN_RTO_MS * 1000ULL :
		    (SIP_STUN_RTO_MS * 1000ULL) << (a->stun_tries - 1));
	return 0;
}

/* A STUN message on the SIP socket: our Binding's answer, or nothing. */
void nat_stun_input(struct sip_agent *a, const char *buf, size_t n,
		    const struct sip_peer *src)
{
	struct sockaddr_storage mapped;
	char ip[64];
	unsigned port;
	int r, code = 0;
	bool changed;

	if (!a->stun_waiting || a->stun_srv.n_addr == 0 ||
	    !same_addr(&src->addr, &a->stun_srv.addr[0]))
		return;
	r = stun_parse_binding_response((const uint8_t *)buf, n, a->stun_txid,
					&mapped, &code);
	if (r == -ESRCH)
		return;		/* an old transaction's, or not a response */
	a->stun_waiting = false;
	if (r < 0) {
		log_a(a, LOG_WARNING, "STUN server %s: %s%.0d, asking again in %u s",
		      a->stun_srv.host,
		      r == -EPROTO ? "error response " :
		      r == -ENOENT ? "no mapped address" : "malformed answer",
		      code, SIP_STUN_RETRY_S);
		stun_arm(a, SIP_STUN_RETRY_S * 1000000ULL);
		return;
	}
	addr_to_string(&mapped, ip, sizeof(ip), &port);
	changed = strcmp(ip, a->stun_ip) != 0 || port != a->stun_port;
	if (changed)
		log_a(a, LOG_INFO, "STUN server %s: our mapped address is %s:%u",
		      a->stun_srv.host, ip, port);
	snprintf(a->stun_ip, sizeof(a->stun_ip), "%s", ip);
	a->stun_port = port;
	stun_arm(a, SIP_STUN_REFRESH_S * 1000000ULL);
	if (changed)
		reg_contact_check(a);
}

/* A lookup ended (server_resolved()): the STUN server's, maybe. */
void nat_resolved(struct sip_agent *a, struct sip_server *s, int r)
{
	if (s != &a->stun_srv || !a->stun_wait_dns)
		return;
	a->stun_wait_dns = false;
	if (r < 0 || a->stun_srv.n_addr == 0) {
		stun_arm(a, SIP_STUN_RETRY_S * 1000000ULL);
		return;
	}
	stun_query(a);
}

void nat_start(struct sip_agent *a)
{
	stun_query(a);
}

void nat_stop(struct sip_agent *a)
{
	sd_event_source_set_enabled(a->stun_timer, SD_EVENT_OFF);
	sd_event_source_set_enabled(a->ka_timer, SD_EVENT_OFF);
	a->stun_waiting = false;
}

/* ---- keep-alives (UDP) ---- */

/* Registered over UDP: the next keep-alive one interval from now. */
void nat_keepalive_arm(struct sip_agent *a)
{
	if (a->tcp || a->keepalive == SIP_KEEPALIVE_OFF || !a->keepalive_us)
		return;
	sd_event_source_set_time(a->ka_timer,
				 now_usec(a->event) + a->keepalive_us);
	sd_event_source_set_enabled(a->ka_timer, SD_EVENT_ONESHOT);
}

static int send_options(struct sip_agent *a, const struct sip_server *srv)
{
	char ruri[300];
	int r;

	snprintf(ruri, sizeof(ruri), "sip:%s", a->domain);
	r = start_options_tx(a, ruri, false, "Accept: application/sdp\r\n",
			     TX_OPTIONS_OUT, &srv->addr[0]);
	if (r < 0)
		return r;
	a->ka_options_out = true;
	return 0;
}

static int ka_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_agent *a = userdata;
	const struct sip_server *srv = ood_server(a, true);

	(void)s;
	(void)usec;
	if (a->stopping || a->reg_state != SIP_REG_REGISTERED)
		return 0;
	if (srv->n_addr > 0) {
		if (a->keepalive == SIP_KEEPALIVE_OPTIONS) {
			if (!a->ka_options_out && send_options(a, srv) == 0)
				sip_pump(a);
		} else if (sendto(a->fd, "\r\n\r\n", 4, 0,
				  (const void *)&srv->addr[0],
				  srv->addrlen[0]) < 0) {
			log_a(a, LOG_DEBUG, "Keep-alive not sent: %m");
		}
	}
	nat_keepalive_arm(a);
	return 0;
}

/* The final response to our keep-alive OPTIONS (none: 408/503).  Any
 * answer says the binding lives; its Via may say it moved. */
void nat_options_response(struct sip_agent *a, osip_message_t *m, int code)
{
	a->ka_options_out = false;
	if (!m) {
		log_a(a, LOG_NOTICE, "Keep-alive OPTIONS: no answer (%d)", code);
		return;
	}
	if (nat_learn_via(a, m, true))
		reg_contact_check(a);
}
