// SPDX-License-Identifier: GPL-2.0-only
/*
 * register.c - registration: REGISTER with refresh at half the granted
 * expiry, backoff on failure (@retry_min_s doubling up to @retry_max_s),
 * un-REGISTER on stop, and re-registration when the TCP connection of the
 * last REGISTER breaks.
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

/* The REGISTER itself, to the server's first address. */
static int reg_send_to(struct sip_agent *a, unsigned expires)
{
	const struct sip_server *srv = ood_server(a, true);
	struct req_spec s = { 0 };
	char aor[400], ruri[300], extra[1400], authz[1200];
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
	snprintf(extra, sizeof(extra), "Expires: %u\r\n%s", expires, authz);
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
	a->reg_in_flight = true;
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

	/* re-resolve on every attempt after a failure: the server may move */
	if (a->reg_state == SIP_REG_FAILED && !a->has_proxy)
		a->registrar.n_addr = 0;
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

	for (pos = 0; osip_message_get_contact(resp, pos, &c) >= 0 && c; pos++) {
		if (!c->url || !c->url->username ||
		    strcmp(c->url->username, contact_user(a)) != 0 ||
		    !c->url->host ||
		    strcmp(c->url->host, a->local_ip) != 0)
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

	a->reg_in_flight = false;
	if (code >= 200 && code < 300) {
		a->reg_auth.tries = 0;
		if (tx->unregister || a->stopping) {
			reg_set_state(a, SIP_REG_UNREGISTERED, code, 0);
			return;
		}
		granted = reg_granted(a, resp);
		if (granted == 0)
			granted = a->expires;
		a->reg_granted = granted;
		a->reg_conn = conn;
		conn_rearm(a, conn);	/* its keep-alive pings */
		{
			/* the registrar sees us there (NAT): INVITEs may come
			 * to that address (host_is_ours()) */
			osip_via_t *v = NULL;
			const char *rcv = NULL;

			if (osip_message_get_via(resp, 0, &v) >= 0 && v)
				rcv = gparam(&v->via_params, "received");
			if (rcv && is_ip_literal(rcv))
				snprintf(a->public_ip, sizeof(a->public_ip),
					 "%s", rcv);
		}
		a->retry_s = 0;
		reg_schedule(a, granted / 2 ? granted / 2 : 1);
		mwi_registered(a);
		reg_set_state(a, SIP_REG_REGISTERED, code, granted);
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
	reg_failed(a, code);
}
