// SPDX-License-Identifier: GPL-2.0-only
/*
 * register.c - registration: REGISTER with refresh at half the granted
 * expiry, backoff on failure (@retry_min_s doubling up to @retry_max_s),
 * un-REGISTER on stop, and re-registration when the TCP connection of the
 * last REGISTER breaks; failover along the registrar's candidate
 * addresses (RFC 3263: SRV targets, A/AAAA) and the way back to the
 * first once it answers OPTIONS again.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "sip/internal.h"

void reg_set_state(struct sip_agent *a, enum sip_reg_state s,
		   int status, unsigned expires)
{
	if (a->reg_state != s)
		log_a(a, LOG_INFO, "Registration %s -> %s (%d)",
		      reg_state_table[a->reg_state], reg_state_table[s], status);
	a->reg_state = s;
	if (a->cb.on_registration)
		a->cb.on_registration(a, s, status, expires, a->userdata);
}

/*
 * The user part of our Contact: the registration's random token when the
 * account has contact_token and a REGISTER went out with one, else the
 * account's user.  INVITEs to the token reach us (invite_is_ours()); a
 * scanner guessing user names never finds it, only the registrar sees it.
 */
const char *contact_user(const struct sip_agent *a)
{
	return a->contact_token_on && a->contact_token[0] ? a->contact_token :
	       a->user;
}

/* A fresh registration (the first, or after a failure) gets a new token. */
static void contact_token_new(struct sip_agent *a)
{
	size_t n = sizeof(SIP_CONTACT_TOKEN_PREFIX) - 1;

	if (!a->contact_token_on)
		return;
	memcpy(a->contact_token, SIP_CONTACT_TOKEN_PREFIX, n);
	random_hex(a->contact_token + n, SIP_CONTACT_TOKEN_LEN - n);
}

int reg_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_agent *a = userdata;

	(void)s;
	(void)usec;
	if (!a->reg_in_flight && !a->stopping)
		reg_send(a);
	return 0;
}

static void reg_schedule(struct sip_agent *a, unsigned sec)
{
	sd_event_source_set_time(a->reg_timer,
				 now_usec(a->event) + (uint64_t)sec * 1000000);
	sd_event_source_set_enabled(a->reg_timer, SD_EVENT_ONESHOT);
}

/*
 * Our public address may have moved (nat.c): when the Contact we would
 * send is not the registered one, re-register now, at most
 * SIP_NAT_REREG_MAX times in a row (a NAT that maps every REGISTER
 * anew is not chased for ever; the refresh takes the latest).
 */
void reg_contact_check(struct sip_agent *a)
{
	char now[sizeof(a->reg_contact)];

	if (!a->register_enabled || a->stopping || a->reg_in_flight ||
	    a->reg_state != SIP_REG_REGISTERED || !a->reg_contact[0])
		return;
	contact_value(a, a->tcp, now, sizeof(now));
	if (strcmp(now, a->reg_contact) == 0) {
		a->nat_rereg = 0;
		return;
	}
	if (a->nat_rereg >= SIP_NAT_REREG_MAX)
		return;
	a->nat_rereg++;
	log_a(a, LOG_NOTICE, "Contact now %s (was %s), re-registering",
	      now, a->reg_contact);
	reg_schedule(a, 0);
}

/*
 * The TCP connection of our registration broke: the registrar can no
 * longer reach us through it.  Re-register (over a new one) after
 * retry_min, or at the planned refresh if that is sooner.
 */
void reg_flow_lost(struct sip_agent *a)
{
	uint64_t when = now_usec(a->event) + (uint64_t)a->retry_min * 1000000;
	uint64_t planned = 0;
	int enabled = SD_EVENT_OFF;

	if (!a->register_enabled || a->stopping || a->reg_in_flight ||
	    a->reg_state != SIP_REG_REGISTERED)
		return;
	sd_event_source_get_enabled(a->reg_timer, &enabled);
	sd_event_source_get_time(a->reg_timer, &planned);
	if (enabled != SD_EVENT_OFF && planned <= when)
		return;
	log_a(a, LOG_NOTICE, "Connection to the registrar lost, "
	      "re-registering in %u s", a->retry_min);
	sd_event_source_set_time(a->reg_timer, when);
	sd_event_source_set_enabled(a->reg_timer, SD_EVENT_ONESHOT);
}

static void reg_failed(struct sip_agent *a, int status)
{
	unsigned delay = a->retry_s ? a->retry_s : a->retry_min;

	a->reg_auth.tries = 0;
	if (a->stopping) {
		reg_set_state(a, SIP_REG_UNREGISTERED, status, 0);
		return;
	}
	a->retry_s = delay * 2 > a->retry_max ? a->retry_max : delay * 2;
	log_a(a, LOG_WARNING, "Registration failed (%d), retrying in %u s",
	      status, delay);
	reg_schedule(a, delay);
	reg_set_state(a, SIP_REG_FAILED, status, 0);
}

static void reg_fo_arm(struct sip_agent *a);
static void reg_fo_disarm(struct sip_agent *a);
static bool reg_failover(struct sip_agent *a, bool unregister, int code);
static void reg_probe_arm(struct sip_agent *a);

/* The REGISTER itself, to the server's first address. */
static int reg_send_to(struct sip_agent *a, unsigned expires)
{
	const struct sip_server *srv = ood_server(a, true);
	struct req_spec s = { 0 };
	char aor[400], ruri[300], extra[1700], authz[1200], old[300];
	osip_message_t *msg = NULL;
	struct sip_tx *tx;
	osip_transaction_t *tr = NULL;
	int r;

	if (srv->n_addr == 0)
		return -EHOSTUNREACH;
	snprintf(ruri, sizeof(ruri), "sip:%s", a->domain);
	if (a->display_name[0])
		snprintf(aor, sizeof(aor), "\"%s\" <sip:%s@%s>", a->display_name,
			 a->user, a->domain);
	else
		snprintf(aor, sizeof(aor), "<sip:%s@%s>", a->user, a->domain);
	r = auth_header(a, &a->reg_auth, "REGISTER", ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
	/* a new Contact (our public address moved): the old binding goes
	 * in the same request (RFC 3261 10.2.2) */
	contact_value(a, a->tcp, a->reg_contact_sent,
		      sizeof(a->reg_contact_sent));
	old[0] = '\0';
	if (a->reg_contact[0] &&
	    strcmp(a->reg_contact, a->reg_contact_sent) != 0)
		snprintf(old, sizeof(old), "Contact: %s;expires=0\r\n",
			 a->reg_contact);
	snprintf(extra, sizeof(extra), "Expires: %u\r\n%s%s", expires, old,
		 authz);
	s.method = "REGISTER";
	s.ruri = ruri;
	s.from = aor;
	s.from_tag = a->reg_from_tag;
	s.to = aor;
	s.call_id = a->reg_call_id;
	s.cseq = ++a->reg_cseq;
	s.contact = true;
	s.tcp = a->tcp;
	s.extra = extra;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	r = start_client_tx(a, msg, TX_REGISTER, NULL, &srv->addr[0], &tr);
	if (r < 0)
		return r;
	tx = osip_transaction_get_your_instance(tr);
	tx->unregister = expires == 0;
	tx->cseq = a->reg_cseq;
	a->reg_in_flight = true;
	reg_fo_arm(a);
	return 0;
}

/*
 * A REGISTER with @expires; when the server's addresses are not known,
 * after its lookup (reg_resolved()): 0 then means on its way.
 */
int reg_send_expires(struct sip_agent *a, unsigned expires)
{
	struct sip_server *srv = (struct sip_server *)ood_server(a, true);
	int r;

	if (a->reg_wait_dns)
		return 0;
	if (srv->n_addr == 0) {
		r = server_resolve(a, srv);
		if (r == -EINPROGRESS) {
			a->reg_wait_dns = true;
			a->reg_wait_expires = expires;
			a->reg_in_flight = true;
			return 0;
		}
		if (r < 0)
			return r;
	}
	return reg_send_to(a, expires);
}

/*
 * A lookup ended: a REGISTER waiting for its server goes now, or fails
 * as a lookup failure always did (status 0).
 */
void reg_resolved(struct sip_agent *a)
{
	if (!a->reg_wait_dns || server_pending(a, ood_server(a, true)))
		return;
	a->reg_wait_dns = false;
	a->reg_in_flight = false;
	if (reg_send_to(a, a->reg_wait_expires) < 0)
		reg_failed(a, 0);
}

/* Stopped while a REGISTER waited for its lookup: it never goes. */
void reg_wait_cancel(struct sip_agent *a)
{
	if (!a->reg_wait_dns)
		return;
	a->reg_wait_dns = false;
	a->reg_in_flight = false;
}

int reg_send(struct sip_agent *a)
{
	int r;

	reg_targets_refresh(a);
	if (a->reg_state != SIP_REG_REGISTERED) {
		a->reg_state = SIP_REG_REGISTERING;
		contact_token_new(a);
	}
	r = reg_send_expires(a, a->expires);
	if (r < 0)
		reg_failed(a, 0);
	return r;
}

/* Granted expiry: our Contact's expires=, else Expires:, else asked. */
unsigned reg_granted(struct sip_agent *a, osip_message_t *resp)
{
	osip_contact_t *c;
	const char *e;
	int pos;

	const char *host;
	unsigned port;

	nat_contact_hostport(a, a->tcp, &host, &port);
	for (pos = 0; osip_message_get_contact(resp, pos, &c) >= 0 && c; pos++) {
		if (!c->url || !c->url->username ||
		    strcmp(c->url->username, contact_user(a)) != 0 ||
		    !c->url->host || strcmp(c->url->host, host) != 0)
			continue;
		e = gparam(&c->gen_params, "expires");
		if (e && *e)
			return strtoul(e, NULL, 10);
	}
	e = header_value(resp, "expires");
	if (e)
		return strtoul(e, NULL, 10);
	return a->expires;
}

/* @code_none: the status for no response (408 timeout, 503 transport). */
void reg_response(struct sip_agent *a, struct sip_tx *tx,
		  osip_message_t *resp, int code_none, unsigned conn)
{
	int code = resp ? resp->status_code : code_none;
	unsigned granted;

	if (tx->cseq != a->reg_cseq)
		return;		/* overtaken (failover): a newer one is out */
	reg_fo_disarm(a);
	a->reg_in_flight = false;
	if (code >= 200 && code < 300) {
		a->reg_auth.tries = 0;
		if (tx->unregister || a->stopping) {
			a->reg_contact[0] = '\0';
			reg_set_state(a, SIP_REG_UNREGISTERED, code, 0);
			return;
		}
		memcpy(a->reg_contact, a->reg_contact_sent,
		       sizeof(a->reg_contact));
		granted = reg_granted(a, resp);
		if (granted == 0)
			granted = a->expires;
		a->reg_granted = granted;
		a->reg_conn = conn;
		conn_rearm(a, conn);	/* its keep-alive pings */
		/* the registrar sees us there (NAT): INVITEs may come to
		 * that address (host_is_ours()), and our Contact and SDP
		 * say it (nat.c) */
		nat_learn_via(a, resp, !a->tcp);
		a->retry_s = 0;
		reg_schedule(a, granted / 2 ? granted / 2 : 1);
		reg_probe_arm(a);
		nat_keepalive_arm(a);
		mwi_registered(a);
		reg_set_state(a, SIP_REG_REGISTERED, code, granted);
		reg_contact_check(a);	/* moved: again at once */
		return;
	}
	if (code == 401 || code == 407) {
		if (auth_take_challenge(a, resp, &a->reg_auth) == 0 &&
		    reg_send_expires(a, tx->unregister ? 0 : a->expires) == 0)
			return;
	} else if (code == 423) {
		const char *me = header_value(resp, "min-expires");
		unsigned long v = me ? strtoul(me, NULL, 10) : 0;

		if (v > a->expires && v <= 86400) {
			a->expires = v;
			if (reg_send_expires(a, a->expires) == 0)
				return;
		}
	}
	if (reg_failover(a, tx->unregister, code))
		return;
	reg_failed(a, code);
}

/*
 * ---- failover (RFC 3263 4.3) ----
 *
 * The server's candidates (resolve.c) are tried in order: a REGISTER
 * that times out (Timer F, or failover_timeout_ms without any response),
 * fails to be sent or gets 503 goes again at once to the next candidate.
 * When every one has failed the registration fails as before (backoff),
 * and the next attempt looks the server up again and starts from the
 * first.  While registered at another than the first, an OPTIONS goes to
 * the first every failover_probe_s; any answer but 503 moves the
 * registration back there.
 */

/* Before a REGISTER: fresh candidates after a failure, or past their TTL. */
void reg_targets_refresh(struct sip_agent *a)
{
	struct sip_server *srv = (struct sip_server *)ood_server(a, true);

	if (srv->lookup)
		return;
	/* re-resolve on every attempt after a failure: the server may move */
	if (a->reg_state == SIP_REG_FAILED && !a->has_proxy) {
		srv->n_addr = 0;
		srv->n_cand = 0;
	} else if (server_resolve_due(a, srv)) {
		server_refresh(a, srv);	/* in the background */
	}
}

static int reg_fo_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_agent *a = userdata;

	(void)s;
	(void)usec;
	if (!a->reg_in_flight || a->reg_wait_dns || a->stopping)
		return 0;
	log_a(a, LOG_NOTICE, "REGISTER unanswered for %u ms",
	      a->failover_timeout_ms);
	/* it goes quiet: no more retransmissions to a silent server */
	client_tx_abandon(a, TX_REGISTER);
	a->reg_in_flight = false;
	a->reg_cseq++;
	if (!reg_failover(a, false, 408))
		reg_failed(a, 408);
	return 0;
}

static void reg_fo_arm(struct sip_agent *a)
{
	const struct sip_server *srv = ood_server(a, true);

	if (!a->failover_timeout_ms || srv->cur + 1 >= srv->n_cand)
		return;
	if (!a->fo_timer &&
	    sd_event_add_time(a->event, &a->fo_timer, CLOCK_MONOTONIC, 0, 1000,
			      reg_fo_cb, a) < 0)
		return;
	sd_event_source_set_time(a->fo_timer, now_usec(a->event) +
				 (uint64_t)a->failover_timeout_ms * 1000);
	sd_event_source_set_enabled(a->fo_timer, SD_EVENT_ONESHOT);
}

static void reg_fo_disarm(struct sip_agent *a)
{
	if (a->fo_timer)
		sd_event_source_set_enabled(a->fo_timer, SD_EVENT_OFF);
}

/* The REGISTER failed with @code: the next candidate, if any (true). */
static bool reg_failover(struct sip_agent *a, bool unregister, int code)
{
	struct sip_server *srv = (struct sip_server *)ood_server(a, true);
	const struct sip_cand *from, *to;
	char ip[64], ip2[64];
	unsigned port, port2;

	if (a->stopping || unregister || (code != 408 && code != 503) ||
	    srv->cur + 1 >= srv->n_cand)
		return false;
	from = &srv->cand[srv->cur];
	to = &srv->cand[srv->cur + 1];
	addr_to_string(&from->ss, ip, sizeof(ip), &port);
	addr_to_string(&to->ss, ip2, sizeof(ip2), &port2);
	log_a(a, LOG_NOTICE, "Registrar %s (%s:%u) failed (%d), failing over to %s (%s:%u)",
	      from->target, ip, port, code, to->target, ip2, port2);
	server_use(a, srv, srv->cur + 1);
	pick_local_ip(a);
	a->reg_auth.tries = 0;
	return reg_send_expires(a, a->expires) == 0;
}

/*
 * Our INVITE to the registration's server timed out, could not be sent
 * or got 503: the registration moves on now rather than at its refresh
 * (the next call goes there; this one has failed).  Only when INVITEs go
 * where REGISTERs go (an outbound proxy, or the domain being the
 * registrar) and no REGISTER is out.
 */
void reg_server_failed(struct sip_agent *a, int code)
{
	bool same = a->has_proxy || a->domain_alias;

	if (!same || !a->register_enabled || a->stopping || a->reg_in_flight)
		return;
	log_a(a, LOG_NOTICE, "INVITE to the registrar failed (%d)", code);
	if (!reg_failover(a, false, code))
		return;
	if (a->reg_state != SIP_REG_REGISTERED)
		a->reg_state = SIP_REG_REGISTERING;
}

static int reg_probe_cb(sd_event_source *s, uint64_t usec, void *userdata);

/* Registered: probe the first candidate when we are elsewhere. */
static void reg_probe_arm(struct sip_agent *a)
{
	const struct sip_server *srv = ood_server(a, true);

	if (srv->cur == 0 || !srv->n_cand) {
		if (a->probe_timer)
			sd_event_source_set_enabled(a->probe_timer,
						    SD_EVENT_OFF);
		return;
	}
	if (a->probe_out)
		return;
	if (!a->probe_timer &&
	    sd_event_add_time(a->event, &a->probe_timer, CLOCK_MONOTONIC, 0,
			      1000, reg_probe_cb, a) < 0)
		return;
	sd_event_source_set_time(a->probe_timer, now_usec(a->event) +
				 (uint64_t)a->failover_probe_s * 1000000);
	sd_event_source_set_enabled(a->probe_timer, SD_EVENT_ONESHOT);
}

/* An OPTIONS to the first candidate (out of any dialog). */
static int reg_probe_send(struct sip_agent *a)
{
	const struct sip_server *srv = ood_server(a, true);
	const struct sip_cand *c = &srv->cand[0];
	char ruri[300], ip[64];
	unsigned port;
	int r;

	addr_to_string(&c->ss, ip, sizeof(ip), &port);
	if (c->ss.ss_family == AF_INET6)
		snprintf(ruri, sizeof(ruri), "sip:[%s]:%u", ip, port);
	else
		snprintf(ruri, sizeof(ruri), "sip:%s:%u", ip, port);
	r = start_options_tx(a, ruri, c->tcp, NULL, TX_PROBE_OUT, &c->ss);
	if (r == 0)
		a->probe_out = true;
	return r;
}

static int reg_probe_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_agent *a = userdata;

	(void)s;
	(void)usec;
	if (a->stopping || ood_server(a, true)->cur == 0)
		return 0;
	if (reg_probe_send(a) < 0)
		reg_probe_arm(a);
	return 0;
}

/* The probe's outcome: @answered (a response came) with @code. */
void reg_probe_done(struct sip_agent *a, bool answered, int code)
{
	struct sip_server *srv = (struct sip_server *)ood_server(a, true);

	a->probe_out = false;
	if (a->stopping || srv->cur == 0)
		return;
	if (!answered || code == 503) {
		reg_probe_arm(a);
		return;
	}
	log_a(a, LOG_NOTICE, "Registrar %s answers again (%d), moving back",
	      srv->cand[0].target, code);
	server_use(a, srv, 0);
	pick_local_ip(a);
	if (a->reg_in_flight)
		return;		/* the next REGISTER goes there */
	a->reg_auth.tries = 0;
	if (reg_send_expires(a, a->expires) < 0)
		reg_failed(a, 0);
}
