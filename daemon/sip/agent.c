// SPDX-License-Identifier: GPL-2.0-only
/*
 * agent.c - the SIP agent: creating, starting, stopping and freeing it
 * (sockets, libosip2, the account's copies), and the dispatch of what
 * arrives: handle_message() takes a message from a transport (size limit,
 * parse, the checks of message.c, received/rport), then hands it to an
 * existing transaction, to the transaction-less cases (ACK for a 2xx,
 * retransmitted 2xx, requests refused outright, OPTIONS) or to a new
 * server transaction, and from it to invite.c, info.c or the 405/489
 * answers of handle_other_request().  Also whether a request is for this
 * account (invite_is_ours()), the string tables and the log hook.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "sip/internal.h"

static const char *const transport_table[_SIP_TRANSPORT_MAX] = {
	[SIP_TRANSPORT_UDP] = "udp",
	[SIP_TRANSPORT_TCP] = "tcp",
	[SIP_TRANSPORT_TLS] = "tls",
};

const char *const reg_state_table[_SIP_REG_STATE_MAX] = {
	[SIP_REG_NONE] = "none",
	[SIP_REG_REGISTERING] = "registering",
	[SIP_REG_REGISTERED] = "registered",
	[SIP_REG_FAILED] = "failed",
	[SIP_REG_UNREGISTERED] = "unregistered",
};

const char *const call_state_table[_SIP_CALL_STATE_MAX] = {
	[SIP_CALL_INCOMING] = "incoming",
	[SIP_CALL_CALLING] = "calling",
	[SIP_CALL_RINGING] = "ringing",
	[SIP_CALL_EARLY] = "early",
	[SIP_CALL_ANSWERED] = "answered",
	[SIP_CALL_CONFIRMED] = "confirmed",
	[SIP_CALL_FAILED] = "failed",
	[SIP_CALL_CANCELLED] = "cancelled",
	[SIP_CALL_TERMINATED] = "terminated",
};

const char *sip_transport_to_string(enum sip_transport t)
{
	if (t < 0 || t >= _SIP_TRANSPORT_MAX)
		return NULL;
	return transport_table[t];
}

const char *sip_reg_state_to_string(enum sip_reg_state s)
{
	if (s < 0 || s >= _SIP_REG_STATE_MAX)
		return NULL;
	return reg_state_table[s];
}

const char *sip_call_state_to_string(enum sip_call_state s)
{
	if (s < 0 || s >= _SIP_CALL_STATE_MAX)
		return NULL;
	return call_state_table[s];
}

__attribute__((format(printf, 3, 4)))
void sip_log(struct sip_agent *a, int prio, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!a->cb.log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	a->cb.log(a->userdata, prio, "%s", buf);
}

static void handle_other_request(struct sip_agent *a, osip_event_t *ev,
				 const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	osip_transaction_t *tr;
	int code;

	if (MSG_IS_OPTIONS(m))
		code = 200;
	else if (MSG_IS_REGISTER(m))
		code = 405;
	else
		code = 501;
	tr = new_server_tx(a, ev, TX_OTHER_IN, NULL, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	if (code == 200 && MSG_IS_OPTIONS(m)) {
		osip_message_t *r = make_response(a, tr->orig_request, 200, NULL);
		char tag[20];

		if (!r)
			return;
		if (r->to && !from_tag(r->to)) {
			random_hex(tag, 16);
			osip_to_set_tag(r->to, osip_strdup(tag));
		}
		osip_message_set_allow(r, SIP_ALLOW);
		osip_message_set_header(r, "Accept", "application/sdp");
		response_add_body(r, NULL);
		tx_respond(a, tr, r);
		return;
	}
	{
		char tag[20];

		random_hex(tag, 16);
		respond_in_tx(a, tr, code, tag);
	}
}

/*
 * Is @host (of a Request-URI) ours?  Our address as announced (local_ip:
 * nat_address, contact_address, the bound or routed address), the bound
 * address, the address the registrar saw our last REGISTER come from (its
 * received=: behind NAT, a provider may send INVITEs there; or STUN's
 * mapping), any address
 * of a local interface, or the name of the domain, registrar or outbound
 * proxy (a provider may put any of them there).
 */
static bool host_is_ours(struct sip_agent *a, const char *host)
{
	const char *names[] = {
		a->local_ip, a->nat_address, a->contact_address,
		a->bind_address, a->public_ip, a->stun_ip, a->domain_srv.host,
		a->registrar.host, a->proxy.host,
	};
	struct sockaddr_storage ss;
	socklen_t sl;
	struct ifaddrs *ifs, *i;
	unsigned char k[16], ki[16];
	char h[INET6_ADDRSTRLEN + 2];
	size_t n;
	bool ours = false;
	unsigned j;

	if (!host || !*host)
		return false;
	n = strlen(host);
	if (host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(h)) {
		memcpy(h, host + 1, n - 2);
		h[n - 2] = '\0';
		host = h;
	}
	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
		if (names[j] && *names[j] && strcasecmp(host, names[j]) == 0)
			return true;
	if (!is_ip_literal(host) ||
	    resolve_numeric(a->family, host, 5060, &ss, &sl, 1) < 0)
		return false;
	ip_key(&ss, k);
	if (getifaddrs(&ifs) < 0)
		return false;
	for (i = ifs; i && !ours; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, i->ifa_addr, i->ifa_addr->sa_family == AF_INET ?
		       sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		ip_key(&ss, ki);
		ours = memcmp(k, ki, 16) == 0;
	}
	freeifaddrs(ifs);
	return ours;
}

static bool user_is_ours(struct sip_agent *a, const char *user)
{
	return user && (strcmp(user, a->user) == 0 ||
			strcmp(user, a->auth_user) == 0);
}

/*
 * Is a new INVITE meant for this account?  Its Request-URI host must be
 * ours (host_is_ours(); a tel: URI has none), and the user part of the
 * Request-URI or of To must be our user (or auth user): a provider routes
 * on the registered Contact (our user in the Request-URI, the dialed
 * number in To) or rewrites the Request-URI to a DID number (our user in
 * To); a Request-URI without a user part counts as ours.  Anything else is
 * someone else's call: 404.  With contact_token (ghost calls) only the
 * Request-URI counts: its user must be the registration's token
 * (contact_user()) or our user, as a provider that rewrites it to the AOR
 * sends; a scanner's guess at names, or none, is not ours.
 */
static bool invite_is_ours(struct sip_agent *a, osip_message_t *m)
{
	osip_uri_t *u = m->req_uri;
	bool tel = strcasecmp(u->scheme, "tel") == 0;
	const char *ruser = tel ? u->string : u->username;

	if (!tel && !host_is_ours(a, u->host))
		return false;
	if (a->contact_token_on)
		return ruser && (user_is_ours(a, ruser) ||
				 (a->contact_token[0] &&
				  strcmp(ruser, a->contact_token) == 0));
	if (!ruser || !*ruser || user_is_ours(a, ruser))
		return true;
	return m->to && m->to->url && user_is_ours(a, m->to->url->username);
}

/*
 * The option tags of the Require headers of @m we do not support (all but
 * "timer", RFC 4028, and "100rel", RFC 3262) as "a, b" in @buf; false if
 * none.
 */
static bool unsupported_required(osip_message_t *m, char *buf, size_t len)
{
	osip_header_t *h = NULL;
	size_t pos = 0;
	int i = 0;

	buf[0] = '\0';
	while ((i = osip_message_header_get_byname(m, "require", i, &h)) >= 0 &&
	       h) {
		const char *p = h->hvalue;

		while (p && *p) {
			const char *e = strchr(p, ',');
			const char *s = p, *t = e ? e : p + strlen(p);

			while (s < t && (*s == ' ' || *s == '\t'))
				s++;
			while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
				t--;
			if ((t - s == 5 && strncasecmp(s, "timer", 5) == 0) ||
			    (t - s == 6 && strncasecmp(s, "100rel", 6) == 0))
				t = s;	/* RFC 4028 (timer.c), RFC 3262
					 * (prack.c): supported */
			if (t > s && pos + (size_t)(t - s) + 3 < len) {
				pos += snprintf(buf + pos, len - pos, "%s%.*s",
						pos ? ", " : "", (int)(t - s), s);
			}
			p = e ? e + 1 : NULL;
		}
		i++;
	}
	return pos > 0;
}

/* An Accept header that does not allow application/sdp (RFC 3261 8.2.3)? */
static bool sdp_not_accepted(osip_message_t *m)
{
	osip_accept_t *ac;
	int pos;

	if (osip_list_eol(&m->accepts, 0))
		return false;
	for (pos = 0; !osip_list_eol(&m->accepts, pos); pos++) {
		ac = osip_list_get(&m->accepts, pos);
		if (!ac->type)		/* "Accept:" empty */
			continue;
		if ((strcmp(ac->type, "*") == 0 ||
		     strcasecmp(ac->type, "application") == 0) &&
		    ac->subtype && (strcmp(ac->subtype, "*") == 0 ||
				    strcasecmp(ac->subtype, "sdp") == 0))
			return false;
	}
	return true;
}

/* An INVITE without to-tag repeated after its IST ended (we sent 2xx)? */
static bool invite_repeated(struct sip_agent *a, osip_message_t *m,
			    const char *cid)
{
	const char *rtag = from_tag(m->from);
	struct sip_call *c;

	for (c = a->calls; c; c = c->next)
		if (!c->outgoing && strcmp(c->call_id, cid) == 0 && rtag &&
		    strcmp(c->remote_tag, rtag) == 0)
			return true;
	return false;
}

/*
 * Requests answered without a transaction (a UAS may be stateless, RFC
 * 3261 8.2.7): OPTIONS, and every request refused outright.  They cost no
 * state, whoever sends them; responses to strangers are rate-limited
 * (source_budget()).  What remains needs a transaction: an INVITE we may
 * ring for, and requests of a dialog (or the CANCEL of an INVITE) we have.
 * Returns true when @m was answered (or dropped) here.
 */
static bool answer_without_tx(struct sip_agent *a, osip_message_t *m,
			      const struct sip_peer *src)
{
	static const char *const allow[] = { "Allow", SIP_ALLOW, NULL };
	static const char *const options[] = {
		"Allow", SIP_ALLOW, "Accept", "application/sdp", NULL,
	};
	static const char *const accept[] = {
		"Accept", "application/sdp", NULL,
	};
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);
	const char *unsup[] = { "Unsupported", NULL, NULL };
	char min_se[16];
	const char *too_small[] = { "Min-SE", min_se, NULL };
	const char *const *hdrs = NULL;
	struct sip_call *c = NULL;
	char *cid = call_id_of(m), ip[64], tags[256];
	bool new_invite;
	unsigned port;
	int code = 0;

	if (!cid)
		return false;	/* message_complete() saw one */
	if (ltag)
		c = find_call(a, cid, ltag, rtag);
	addr_to_string(&src->addr, ip, sizeof(ip), &port);
	new_invite = MSG_IS_INVITE(m) && !ltag && !invite_repeated(a, m, cid);
	if (new_invite && !source_allowed(a, &src->addr)) {
		log_peer(a, &src->addr, LOG_NOTICE,
			 "INVITE from unknown source %s:%u, 403", ip, port);
		code = 403;
	} else if (!MSG_IS_INVITE(m) && !MSG_IS_CANCEL(m) && !MSG_IS_BYE(m) &&
		   !MSG_IS_OPTIONS(m) && !MSG_IS_INFO(m) && !MSG_IS_UPDATE(m) &&
		   !MSG_IS_PRACK(m) && !MSG_IS_NOTIFY(m) && !MSG_IS_REFER(m)) {
		/* RFC 3265/6665: an event package we do not serve */
		code = MSG_IS_SUBSCRIBE(m) ? 489 : 405;
		hdrs = allow;
	} else if (!MSG_IS_CANCEL(m) &&
		   unsupported_required(m, tags, sizeof(tags))) {
		code = 420;	/* RFC 3261 8.2.2.3 */
		unsup[1] = tags;
		hdrs = unsup;
	} else if ((MSG_IS_INVITE(m) || MSG_IS_UPDATE(m)) &&
		   timer_too_small(a, m, min_se, sizeof(min_se))) {
		code = 422;	/* RFC 4028 8.1 */
		hdrs = too_small;
	} else if (MSG_IS_OPTIONS(m)) {
		code = 200;
		hdrs = options;
	} else if (MSG_IS_INVITE(m)) {
		if (ltag && !c) {
			code = 481;
		} else if (new_invite && !invite_is_ours(a, m)) {
			/* a scanner's, maybe relayed by the provider */
			log_limited(a, LOG_NOTICE,
				    "INVITE from %s:%u for someone else, 404",
				    ip, port);
			code = 404;
		} else if (new_invite && sdp_not_accepted(m)) {
			code = 406;
			hdrs = accept;
		}
	} else if (MSG_IS_CANCEL(m)) {
		if (!find_cancelled(a, m))
			code = 481;
	} else if (MSG_IS_BYE(m) || MSG_IS_INFO(m) || MSG_IS_UPDATE(m) ||
		   MSG_IS_PRACK(m)) {
		if (!c)
			code = 481;
	} else if (MSG_IS_NOTIFY(m)) {
		code = notify_precheck(a, m, src, &hdrs);
	} else if (MSG_IS_REFER(m)) {
		code = refer_precheck(a, m, c);
	}
	osip_free(cid);
	if (!code)
		return false;
	if (code >= 400)
		log_peer(a, &src->addr, LOG_DEBUG, "%s from %s:%u: %d",
			 m->sip_method, ip, port, code);
	respond_stateless_hdrs(a, m, code, src, hdrs);
	return true;
}

bool handle_message(struct sip_agent *a, const char *buf, size_t len,
		    const struct sip_peer *src)
{
	osip_event_t *ev;
	osip_message_t *m;
	const char *why = NULL;
	int code;

	ev = osip_parse(buf, len);
	if (!ev || !ev->sip) {
		log_peer(a, &src->addr, LOG_DEBUG,
			 "Unparsable message of %zu bytes, dropped", len);
		if (ev)
			osip_event_free(ev);
		return false;
	}
	m = ev->sip;
	code = message_check(m, buf, len, &why);
	if (code) {
		/* requests get the status (if there is a Via to send it to) */
		bool answer = MSG_IS_REQUEST(m) && !MSG_IS_ACK(m);

		log_peer(a, &src->addr, LOG_NOTICE, "Invalid message (%s), %s",
			 why, answer ? "refused" : "dropped");
		if (answer) {
			add_received(m, &src->addr);
			respond_stateless(a, m, code, src);
		}
		osip_event_free(ev);
		return false;
	}
	if (MSG_IS_RESPONSE(m)) {
		if (osip_find_transaction_and_add_event(a->osip, ev) == 0)
			return true;
		/* no transaction: a retransmitted 2xx to our INVITE */
		if (MSG_IS_STATUS_2XX(m) && strcmp(m->cseq->method, "INVITE") == 0) {
			char *cid = call_id_of(m);
			struct sip_call *c = cid ? find_call(a, cid, from_tag(m->from),
							     NULL) : NULL;

			osip_free(cid);
			if (c && reinvite_2xx_again(c, m))
				;	/* of our re-INVITE: ACKed again */
			else if (c && c->outgoing)
				ict_response(c, m);
		}
		osip_event_free(ev);
		return true;
	}

	add_received(m, &src->addr);
	if (osip_find_transaction_and_add_event(a->osip, ev) == 0)
		return true;	/* a retransmission, or the ACK of a non-2xx */
	if (MSG_IS_ACK(m)) {
		handle_ack_2xx(a, m);
		osip_event_free(ev);
		return true;
	}
	if (answer_without_tx(a, m, src)) {
		osip_event_free(ev);
		return true;
	}
	if (!server_tx_room(a, src)) {
		log_peer(a, &src->addr, LOG_WARNING,
			 "Transaction limit reached, %s answered 503",
			 m->sip_method);
		respond_stateless(a, m, 503, src);
		osip_event_free(ev);
		return true;
	}
	if (MSG_IS_INVITE(m))
		handle_invite(a, ev, src, buf, len);
	else if (MSG_IS_CANCEL(m))
		handle_cancel(a, ev, src);
	else if (MSG_IS_BYE(m))
		handle_bye(a, ev, src);
	else if (MSG_IS_INFO(m))
		handle_info(a, ev, src);
	else if (MSG_IS_UPDATE(m))
		handle_update(a, ev, src);
	else if (MSG_IS_PRACK(m))
		handle_prack(a, ev, src);
	else if (MSG_IS_NOTIFY(m))
		handle_notify(a, ev, src);
	else if (MSG_IS_REFER(m))
		handle_refer(a, ev, src);
	else
		handle_other_request(a, ev, src);
	return true;
}

static void agent_free_strings(struct sip_agent *a)
{
	free(a->user);
	free(a->auth_user);
	free(a->password);
	free(a->display_name);
	free(a->domain);
	free(a->user_agent);
	free(a->nat_address);
	free(a->contact_address);
	free(a->bind_address);
	free(a->dns_server);
}

static void osip_trace_drop(const char *fi, int li, osip_trace_level_t level,
			    const char *chfr, va_list ap)
{
	(void)fi;
	(void)li;
	(void)level;
	(void)chfr;
	(void)ap;
}

int sip_agent_new(sd_event *event, const struct sip_account *acct,
		  const struct sip_callbacks *cb, void *userdata,
		  struct sip_agent **ret_agent)
{
	struct sip_agent *a;
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	int r, tries;

	if (!event || !acct || !acct->user || !*acct->user || !acct->domain ||
	    !*acct->domain || !ret_agent || acct->transport < 0 ||
	    acct->transport >= _SIP_TRANSPORT_MAX)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->fd = -1;
	a->tcp_fd = -1;
	a->tls = acct->transport == SIP_TRANSPORT_TLS;
	a->tcp = acct->transport == SIP_TRANSPORT_TCP || a->tls;
	a->transport_auto = acct->transport_auto &&
			    acct->transport == SIP_TRANSPORT_UDP;
	a->failover_timeout_ms = acct->failover_timeout_ms;
	a->failover_probe_s = acct->failover_probe_s ?
			      acct->failover_probe_s : 60;
	if (acct->dns_server && *acct->dns_server) {
		a->dns_server = strdup(acct->dns_server);
		if (!a->dns_server) {
			free(a);
			return -ENOMEM;
		}
	}
	a->keepalive_us = 1000ULL * (acct->keepalive_ms ? acct->keepalive_ms :
				     a->tcp ? SIP_KEEPALIVE_S * 1000 :
				     SIP_KEEPALIVE_UDP_S * 1000);
	random_hex(a->tag_key, 32);
	a->event = sd_event_ref(event);
	if (cb)
		a->cb = *cb;
	a->userdata = userdata;
	a->user = strdup(acct->user);
	a->auth_user = xstrdup0(acct->auth_user && *acct->auth_user ?
				acct->auth_user : acct->user);
	a->password = xstrdup0(acct->password);
	a->display_name = xstrdup0(acct->display_name);
	a->domain = strdup(acct->domain);
	a->user_agent = xstrdup0(acct->user_agent ? acct->user_agent : "fxsd");
	a->nat_address = xstrdup0(acct->nat_address);
	a->contact_address = xstrdup0(acct->contact_address);
	a->bind_address = xstrdup0(acct->bind_address && *acct->bind_address ?
				   acct->bind_address : "0.0.0.0");
	a->register_enabled = acct->register_enabled;
	a->allow_unknown = acct->allow_unknown_callers;
	a->contact_token_on = acct->contact_token;
	a->expires = acct->expires ? acct->expires : 3600;
	a->max_tx = acct->max_transactions ? acct->max_transactions : 64;
	a->max_dialogs = acct->max_dialogs ? acct->max_dialogs : 8;
	a->max_msg = acct->max_message_size ? acct->max_message_size : 65535;
	a->tcp_msg_us = 1000ULL * (acct->tcp_message_timeout_ms ?
				   acct->tcp_message_timeout_ms : SIP_TCP_MSG_MS);
	a->st_min_se = acct->min_se > 90 ? acct->min_se : 90;
	a->st_se = acct->session_expires ? acct->session_expires : 1800;
	if (a->st_se < a->st_min_se)
		a->st_se = a->st_min_se;
	a->st_unit_ms = acct->session_timer_unit_ms ?
			acct->session_timer_unit_ms : 1000;
	a->mwi_subscribe = acct->mwi_subscribe;
	a->mwi_expires = acct->mwi_expires ? acct->mwi_expires : 3600;
	a->retry_min = acct->retry_min_s ? acct->retry_min_s : 30;
	a->retry_max = acct->retry_max_s ? acct->retry_max_s : 1800;
	if (a->retry_max < a->retry_min)
		a->retry_max = a->retry_min;
	if (!a->user || !a->auth_user || !a->password || !a->display_name ||
	    !a->domain || !a->user_agent || !a->nat_address ||
	    !a->contact_address || !a->bind_address) {
		r = -ENOMEM;
		goto fail;
	}
	r = server_init(&a->domain_srv, acct->domain);
	if (r == 0)
		r = server_init(&a->registrar, acct->registrar && *acct->registrar ?
				acct->registrar : acct->domain);
	if (r == 0)
		r = server_init(&a->proxy, acct->outbound_proxy);
	/* the registrar spelled out (as fxsd.conf's default does) is the
	 * registrar: one lookup */
	if (r == 0 && acct->mwi_server &&
	    strcmp(acct->mwi_server, acct->registrar && *acct->registrar ?
		   acct->registrar : acct->domain) != 0)
		r = server_init(&a->mwi_server, acct->mwi_server);
	if (r == 0)
		r = publish_init(a, acct->vq_collector);
	if (r < 0)
		goto fail;
	if (a->tls) {
		/* sips: 5061 when no port is given (RFC 3263 4.2) */
		struct sip_server *srv[] = {
			&a->domain_srv, &a->registrar, &a->proxy, &a->mwi_server,
			&a->vq_server,
		};
		unsigned i;

		for (i = 0; i < sizeof(srv) / sizeof(srv[0]); i++)
			if (!srv[i]->port_given)
				srv[i]->port = 5061;
		r = tls_agent_init(a, acct);
		if (r < 0)
			goto fail;
	}
	a->has_proxy = a->proxy.host[0];
	/* the usual case: the same lookup, made once */
	a->domain_alias = strcmp(a->domain_srv.host, a->registrar.host) == 0 &&
			  a->domain_srv.port == a->registrar.port &&
			  a->domain_srv.port_given == a->registrar.port_given;

	r = resolve_numeric(AF_UNSPEC, a->bind_address, acct->local_port,
			    &ss, &sl, 1);
	if (r < 0) {
		r = -EINVAL;
		goto fail;
	}
	a->family = ss.ss_family;
	if (strcmp(a->bind_address, "0.0.0.0") != 0 &&
	    strcmp(a->bind_address, "::") != 0) {
		/* outgoing TCP connections leave from the bound address */
		a->bind_ss = ss;
		a->bind_sl = sl;
		if (ss.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&a->bind_ss)->sin6_port = 0;
		else
			((struct sockaddr_in *)&a->bind_ss)->sin_port = 0;
	}
	/* with port 0, try again until the TCP port matching UDP's is free */
	for (tries = 0;; tries++) {
		r = open_sockets(a, &ss, sl);
		if (r != -EADDRINUSE || acct->local_port || tries >= 16)
			break;
	}
	if (r < 0)
		goto fail;

	/*
	 * libosip2 (5.x) prints its parser's complaints to stdout whenever no
	 * trace function is set, whatever the levels say: any sender could
	 * fill the journal.  A function that drops them silences it for real;
	 * what matters is logged here, rate-limited (log_peer()).
	 */
	osip_trace_initialize_func(TRACE_LEVEL0, osip_trace_drop);
	for (r = TRACE_LEVEL0; r < END_TRACE_LEVEL; r++)
		osip_trace_disable_level(r);
	if (osip_init(&a->osip) != 0) {
		a->osip = NULL;
		r = -ENOMEM;
		goto fail;
	}
	osip_set_application_context(a->osip, a);
	register_callbacks(a->osip);

	r = sd_event_add_io(event, &a->io, a->fd, EPOLLIN, io_cb, a);
	if (r < 0)
		goto fail;
	if (a->tcp_fd >= 0) {
		r = sd_event_add_io(event, &a->tcp_io, a->tcp_fd, EPOLLIN,
				    tcp_accept_cb, a);
		if (r < 0)
			goto fail;
	}
	r = sd_event_add_defer(event, &a->conn_defer, conn_defer_cb, a);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(a->conn_defer, SD_EVENT_OFF);
	r = sd_event_add_time(event, &a->timer, CLOCK_MONOTONIC, 0, 1000,
			      pump_timer_cb, a);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
	r = sd_event_add_time(event, &a->reg_timer, CLOCK_MONOTONIC, 0, 100000,
			      reg_timer_cb, a);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(a->reg_timer, SD_EVENT_OFF);
	r = nat_init(a, acct);
	if (r < 0)
		goto fail;

	random_hex(a->reg_call_id, 32);
	random_hex(a->reg_from_tag, 16);
	a->reg_cseq = 0;
	*ret_agent = a;
	return 0;
fail:
	sip_agent_free(a);
	return r;
}

/*
 * A lookup of @s (resolve.c) ended, @r 0 or a negative errno: what waited
 * for it goes on.  The registrar's address gives our own (Via, Contact).
 */
void server_resolved(struct sip_agent *a, struct sip_server *s, int r)
{
	char was[sizeof(a->local_ip)];

	if (s == &a->registrar && r == 0) {
		memcpy(was, a->local_ip, sizeof(was));
		pick_local_ip(a);
		if (strcmp(was, a->local_ip) != 0)
			log_a(a, LOG_INFO, "Local address %s (towards %s)",
			      a->local_ip, s->host);
	}
	reg_resolved(a);
	calls_resolved(a);
	mwi_resolved(a);
	nat_resolved(a, s, r);
	if (s == &a->vq_server)
		publish_resolved(a);
}

int sip_agent_start(struct sip_agent *a)
{
	int r;

	if (!a)
		return -EINVAL;
	/* IP literals at once; names on the loop (server_resolved()) */
	if (a->has_proxy) {
		r = server_resolve(a, &a->proxy);
		if (r < 0 && r != -EINPROGRESS)
			log_a(a, LOG_WARNING, "Outbound proxy %s unresolved",
			      a->proxy.host);
	}
	server_resolve(a, &a->registrar);
	server_resolve(a, &a->domain_srv);
	pick_local_ip(a);
	a->started = true;
	a->stopping = false;
	nat_start(a);
	log_a(a, LOG_INFO, "SIP agent %s@%s on %s:%u (%s)", a->user, a->domain,
	      a->local_ip, a->local_port,
	      a->tls ? "TLS" : a->tcp ? "TCP" : "UDP");
	if (a->register_enabled)
		return reg_send(a);
	mwi_registered(a);	/* no registration to wait for */
	return 0;
}

int sip_agent_register_now(struct sip_agent *a)
{
	if (!a || !a->register_enabled || a->stopping)
		return -EINVAL;
	if (a->reg_in_flight)
		return 0;	/* (or waiting for its lookup) */
	a->retry_s = 0;
	return reg_send(a);
}

int sip_agent_stop(struct sip_agent *a)
{
	if (!a)
		return -EINVAL;
	a->stopping = true;
	sd_event_source_set_enabled(a->reg_timer, SD_EVENT_OFF);
	reg_wait_cancel(a);
	mwi_stop(a);
	nat_stop(a);
	if (a->register_enabled && a->reg_state == SIP_REG_REGISTERED) {
		if (reg_send_expires(a, 0) == 0)
			return 0;
	}
	reg_set_state(a, SIP_REG_UNREGISTERED, 0, 0);
	return 0;
}

unsigned sip_agent_local_port(const struct sip_agent *a)
{
	return a->local_port;
}

enum sip_reg_state sip_agent_reg_state(const struct sip_agent *a)
{
	return a->reg_state;
}

int sip_agent_targets(const struct sip_agent *a, char *buf, size_t len)
{
	const struct sip_server *s;
	size_t pos = 0;
	unsigned i, port;
	char ip[64];

	if (!a || !buf || !len)
		return -EINVAL;
	s = ood_server((struct sip_agent *)a, true);
	buf[0] = '\0';
	if (!s->n_addr || !s->n_cand)
		return -ENOENT;
	for (i = 0; i < s->n_cand && pos < len; i++) {
		addr_to_string(&s->cand[i].ss, ip, sizeof(ip), &port);
		pos += snprintf(buf + pos, len - pos, "%s%s:%u/%s",
				i ? " " : "", ip, port,
				s->cand[i].tcp ? "tcp" : "udp");
	}
	return s->cur;
}

int sip_agent_resolve_again(struct sip_agent *a)
{
	struct sip_server *s;

	if (!a)
		return -EINVAL;
	s = (struct sip_server *)ood_server(a, true);
	if (s->lookup)
		return -EINPROGRESS;
	s->n_addr = 0;
	s->n_cand = 0;
	return server_resolve(a, s);
}

bool sip_agent_resolving(const struct sip_agent *a)
{
	return a && server_pending(a, ood_server((struct sip_agent *)a, true));
}

const char *sip_agent_transport_error(const struct sip_agent *a)
{
	return a->tls_error;
}

struct sip_agent *sip_agent_free(struct sip_agent *a)
{
	size_t i;

	if (!a)
		return NULL;
	a->freeing = true;	/* no callbacks, no transaction failures */
	dns_free(a);
	while (a->conns)
		conn_close(a->conns, NULL);
	while (a->calls) {
		struct sip_call *c = a->calls;

		c->final = true;
		call_unlink(c);
	}
	mwi_free(a);
	publish_free(a);
	if (a->osip) {
		for (i = 0; i < a->n_dead; i++)
			tx_free(a->dead[i]);
		a->n_dead = 0;
		free_tx_list(&a->osip->osip_ict_transactions);
		free_tx_list(&a->osip->osip_ist_transactions);
		free_tx_list(&a->osip->osip_nict_transactions);
		free_tx_list(&a->osip->osip_nist_transactions);
		osip_release(a->osip);
	}
	free(a->dead);
	sd_event_source_disable_unref(a->io);
	sd_event_source_disable_unref(a->timer);
	sd_event_source_disable_unref(a->reg_timer);
	sd_event_source_disable_unref(a->fo_timer);
	sd_event_source_disable_unref(a->probe_timer);
	nat_free(a);
	sd_event_source_disable_unref(a->tcp_io);
	sd_event_source_disable_unref(a->conn_defer);
	if (a->fd >= 0)
		close(a->fd);
	if (a->tcp_fd >= 0)
		close(a->tcp_fd);
	tls_agent_free(a);
	sd_event_unref(a->event);
	agent_free_strings(a);
	free(a);
	return NULL;
}
