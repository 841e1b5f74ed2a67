// SPDX-License-Identifier: GPL-2.0-only
/*
 * sip.c - fxsd's SIP user agent on libosip2 and sd-event.  See sip.h.
 *
 * Structure:
 *   - DNS: SRV selection (sip_srv_select) and resolution of the servers;
 *   - transport: one UDP socket, and for TCP accounts a listener and a
 *     list of connections (struct sip_conn, framed by Content-Length);
 *     every message goes out through send_raw() to a struct sip_peer
 *     (address, UDP/TCP, preferred connection).  sip_send_cb() is
 *     libosip2's send hook: the transport of a request is its top Via's,
 *     that of a response is the one its request came on (the connection
 *     id is kept in the transaction's out_socket, 0 = UDP).  send_raw()
 *     also sends what the UA sends outside transactions (ACK for 2xx, 2xx
 *     retransmissions, stateless 400/503).  A connection that fails while
 *     libosip2 may be running is only marked broken and closed from a
 *     defer event; closing one first lets the responses already read be
 *     processed, then fails the client transactions still waiting on it
 *     (503);
 *   - the pump: one sd-event timer runs osip_*_execute and
 *     osip_timers_*_execute, frees killed transactions, and re-arms itself
 *     for the next libosip2 timer (sip_pump());
 *   - receive: size limit, parse, mandatory header check, received/rport,
 *     then either an existing transaction, the UA's transaction-less cases
 *     (ACK for 2xx, retransmitted 2xx) or a new server transaction;
 *   - registration, incoming calls, outgoing calls, dialogs.
 *
 * Requests are built as text and parsed back into an osip_message_t (the
 * parser is the one thing sure to agree with itself); responses are built
 * from the request with libosip2's clone helpers.
 *
 * Every transaction carries a struct sip_tx (your_instance): what the
 * transaction is for, and a reference on its call.  The kill callback only
 * removes the transaction from the osip_t and queues it; sip_pump() frees
 * it after the execute functions have returned.
 */
#define _GNU_SOURCE		/* memmem, accept4 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>

#include "sip/digest.h"
#include "sip/sip.h"

#define SIP_T1_MS		500
#define SIP_T2_MS		4000
#define SIP_MAX_ROUTES		8
#define SIP_MAX_ADDRS		4
#define SIP_TEXT_MAX		8192	/* requests we build */
#define SIP_AUTH_TRIES		2	/* challenges answered per request */
#define SIP_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE"
#define SIP_TCP_MAX_IN		16	/* accepted connections */
#define SIP_TCP_MAX_OUT		16	/* connections we opened */
#define SIP_TCP_CONNECT_MS	10000	/* connect() deadline */
#define SIP_TCP_IDLE_S		300	/* idle connections closed after */
#define SIP_TCP_WBUF_MAX	(256 * 1024)	/* unsent bytes per connection */
#define SIP_DTMF_BODY_MAX	256	/* longest DTMF INFO body accepted */
#define SIP_DTMF_DURATION_MAX	60000	/* ms, largest Duration= accepted */
#define SIP_DTMF_ACCEPT		"application/dtmf-relay, application/dtmf"
/*
 * What a peer that is not the registrar or outbound proxy (a "stranger")
 * may cost us: server transactions per source address, and token buckets
 * for the responses sent without a transaction (per source, in a small
 * table, and for all strangers together) and for the log lines they cause.
 */
#define SIP_TX_PER_SOURCE	8	/* server transactions of one stranger */
#define SIP_SRC_MAX		32	/* sources with a response budget */
#define SIP_SRC_BURST		10	/* responses to one source at once */
#define SIP_SRC_PER_MIN		300	/* ... then 5 a second */
#define SIP_ALL_BURST		50	/* responses to all strangers at once */
#define SIP_ALL_PER_MIN		1500	/* ... then 25 a second */
#define SIP_LOG_BURST		20	/* log lines about strangers at once */
#define SIP_LOG_PER_MIN		30	/* ... then one every 2 s */

#define log_a(a, prio, ...) sip_log((a), (prio), __VA_ARGS__)

/* ---- types ---- */

struct sip_server {
	char host[256];
	unsigned port;
	bool port_given;	/* host:port: no SRV lookup */
	struct sockaddr_storage addr[SIP_MAX_ADDRS];
	socklen_t addrlen[SIP_MAX_ADDRS];
	unsigned n_addr;
};

/* Where a message came from, or goes to. */
struct sip_peer {
	struct sockaddr_storage addr;
	socklen_t len;
	bool tcp;
	unsigned conn;		/* TCP: connection id (0 = none, by address) */
};

/* A TCP connection, accepted or opened by us. */
struct sip_conn {
	struct sip_agent *a;
	struct sip_conn *next;		/* in a->conns while open */
	unsigned n_ref;			/* the list's + running callbacks' */
	unsigned id;			/* > 0; a transaction's out_socket */
	int fd;
	bool incoming;
	bool connecting;		/* non-blocking connect in progress */
	bool broken;			/* to be closed by the defer event */
	bool closed;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	sd_event_source *io, *timer;
	char *rbuf;			/* a->max_msg + 1 bytes */
	size_t rlen;
	char *wbuf;			/* not yet sent */
	size_t wlen, woff, walloc;
	uint64_t last_active;		/* usec, CLOCK_MONOTONIC */
};

/* Digest state of one kind of request (REGISTER, or one call's). */
struct sip_auth {
	struct digest_challenge ch;
	bool have;
	bool proxy;		/* Proxy-Authorization */
	uint32_t nc;
	unsigned tries;		/* challenges answered in a row */
};

enum sip_tx_kind {
	TX_REGISTER,
	TX_INVITE_OUT,
	TX_CANCEL_OUT,
	TX_BYE_OUT,
	TX_INFO_OUT,
	TX_INVITE_IN,
	TX_OTHER_IN,
};

struct sip_tx {
	struct sip_agent *a;
	struct sip_call *call;	/* reference, or NULL */
	enum sip_tx_kind kind;
	bool from_provider;	/* server tx: from the registrar/proxy */
	unsigned char src_ip[16];	/* server tx: source (ip_key()) */
	bool unregister;	/* TX_REGISTER with Expires: 0 */
	char digit;		/* TX_INFO_OUT: the DTMF digit it carries */
	unsigned duration_ms;	/* ... and its duration */
};

/* A token bucket (see bucket_take()). */
struct sip_bucket {
	uint64_t t;		/* usec of the last refill, 0 = never used */
	unsigned milli;		/* tokens x 1000 */
};

/* The response budget of one source address. */
struct sip_src {
	unsigned char ip[16];	/* ip_key() */
	uint64_t used;		/* usec of the last response */
	struct sip_bucket b;
};

struct sip_call {
	unsigned n_ref;
	struct sip_agent *a;
	struct sip_call *next;		/* in a->calls while live */
	bool live;			/* in a->calls */
	bool user_ref;			/* the user still holds its reference */
	bool outgoing;
	bool tcp;			/* the dialog's transport */
	unsigned conn;			/* TCP: the connection it was set up on */
	enum sip_call_state state;
	bool final;			/* a final state was reached */
	void *userdata;

	char call_id[128];
	char local_tag[40];
	char remote_tag[128];
	char *local_uri;		/* name-addr, no tag */
	char *remote_uri;
	char *remote_target;		/* URI */
	char *routes[SIP_MAX_ROUTES];	/* name-addr, in sending order */
	unsigned n_routes;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	bool dialog;			/* to-tag known (early or confirmed) */
	bool answered;			/* 2xx sent or received */
	bool bye_sent;

	/* incoming */
	osip_transaction_t *ist;
	char *invite_branch_in;		/* to match CANCEL */
	bool final_sent;
	char *local_sdp;
	osip_transaction_t *offer_tr;	/* a re-INVITE / UPDATE whose offer
					 * awaits the user's answer */
	char *resp2xx;			/* our 2xx, retransmitted until ACK */
	struct sip_peer peer;		/* where resp2xx (or ack) goes */
	sd_event_source *retx;
	bool retx_armed;		/* resp2xx went out: timer running */
	unsigned retx_interval;		/* ms, T1 doubling up to T2 */
	uint64_t retx_t0, retx_next;	/* usec: 2xx sent, next copy due */

	/* outgoing */
	osip_transaction_t *ict;
	char *ruri;
	char *offer;
	char invite_branch[64];
	uint32_t invite_cseq;
	char *auth_header;		/* "Authorization: ..." of the INVITE */
	bool provisional;		/* a 1xx arrived: CANCEL may go */
	bool cancel_wanted, cancel_sent, hangup_wanted;
	char *ack;			/* ACK for the 2xx, resent on retransmits */
	struct sip_auth auth;
};

struct sip_agent {
	sd_event *event;
	sd_event_source *io, *timer, *reg_timer;
	int fd;				/* UDP */
	int family;
	bool tcp;			/* account transport is TCP */
	int tcp_fd;			/* TCP listener, or -1 */
	sd_event_source *tcp_io, *conn_defer;
	struct sip_conn *conns;
	unsigned n_conns_in, n_conns_out;
	unsigned next_conn_id;
	struct sockaddr_storage bind_ss;	/* bind_address, port 0 */
	socklen_t bind_sl;
	bool freeing;
	osip_t *osip;
	struct sip_callbacks cb;
	void *userdata;

	/* account (own copies) */
	char *user, *auth_user, *password, *display_name, *domain;
	char *user_agent;
	bool register_enabled, allow_unknown;
	unsigned expires;
	unsigned max_tx, max_dialogs, max_msg;
	unsigned retry_min, retry_max;
	char *nat_address, *contact_address, *bind_address;

	char local_ip[64];		/* for Via and Contact */
	char public_ip[64];		/* received= of our last REGISTER */
	unsigned local_port;
	struct sip_server registrar, proxy, domain_srv;
	bool has_proxy;
	bool started;

	/* registration */
	enum sip_reg_state reg_state;
	char reg_call_id[64];
	char reg_from_tag[40];
	uint32_t reg_cseq;
	unsigned reg_granted;
	unsigned retry_s;
	unsigned reg_conn;		/* TCP connection of the last 2xx */
	bool reg_in_flight;
	bool stopping;
	struct sip_auth reg_auth;

	struct sip_call *calls;
	unsigned n_calls;

	osip_transaction_t **dead;	/* killed, to be freed by the pump */
	size_t n_dead, dead_alloc;
	bool in_pump;

	/* budgets of strangers (SIP_SRC_*, SIP_ALL_*, SIP_LOG_*) */
	struct sip_src srcs[SIP_SRC_MAX];
	struct sip_bucket all_bucket, log_bucket;
	unsigned log_suppressed;
};

static const char *const transport_table[_SIP_TRANSPORT_MAX] = {
	[SIP_TRANSPORT_UDP] = "udp",
	[SIP_TRANSPORT_TCP] = "tcp",
};

static const char *const reg_state_table[_SIP_REG_STATE_MAX] = {
	[SIP_REG_NONE] = "none",
	[SIP_REG_REGISTERING] = "registering",
	[SIP_REG_REGISTERED] = "registered",
	[SIP_REG_FAILED] = "failed",
	[SIP_REG_UNREGISTERED] = "unregistered",
};

static const char *const call_state_table[_SIP_CALL_STATE_MAX] = {
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
static void sip_log(struct sip_agent *a, int prio, const char *fmt, ...)
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

/* ---- small helpers ---- */

static void random_hex(char *buf, size_t nhex)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[32];
	size_t i;

	if (nhex > 2 * sizeof(raw))
		nhex = 2 * sizeof(raw);
	if (getrandom(raw, (nhex + 1) / 2, 0) < 0) {
		/* never expected; fall back to something unique enough */
		unsigned long long t = (unsigned long long)time(NULL) ^
				       (unsigned long long)(uintptr_t)buf;
		memcpy(raw, &t, sizeof(t));
		memset(raw + sizeof(t), 0x5a, sizeof(raw) - sizeof(t));
	}
	for (i = 0; i < nhex; i++)
		buf[i] = hex[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	buf[nhex] = '\0';
}

static char *xstrdup0(const char *s)
{
	return strdup(s ? s : "");
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

static uint64_t now_usec(sd_event *e)
{
	uint64_t t = 0;

	sd_event_now(e, CLOCK_MONOTONIC, &t);
	return t;
}

/* "host", "host:port", "[v6]", "[v6]:port" -> host (no brackets) + port. */
static int split_hostport(const char *s, char *host, size_t hostlen,
			  unsigned *port, bool *port_given)
{
	const char *h = s, *p = NULL;
	size_t n;

	if (!s || !*s)
		return -EINVAL;
	if (*s == '[') {
		const char *e = strchr(s, ']');

		if (!e)
			return -EINVAL;
		h = s + 1;
		n = e - h;
		if (e[1] == ':')
			p = e + 2;
		else if (e[1])
			return -EINVAL;
	} else {
		const char *c = strchr(s, ':');

		if (c && strchr(c + 1, ':')) {	/* bare IPv6 */
			n = strlen(s);
		} else {
			n = c ? (size_t)(c - s) : strlen(s);
			if (c)
				p = c + 1;
		}
	}
	if (n == 0 || n >= hostlen)
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	*port = 5060;
	*port_given = p != NULL;
	if (p) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (*end || v == 0 || v > 65535)
			return -EINVAL;
		*port = v;
	}
	return 0;
}

static int resolve(int family, const char *host, unsigned port, bool numeric,
		   struct sockaddr_storage *addr, socklen_t *addrlen,
		   unsigned max)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV | (numeric ? AI_NUMERICHOST : 0),
	};
	struct addrinfo *res, *ai;
	char portstr[8], h[256];
	unsigned n = 0;
	size_t len = strlen(host);

	if (len >= sizeof(h))
		return -EINVAL;
	if (host[0] == '[' && host[len - 1] == ']') {
		memcpy(h, host + 1, len - 2);
		h[len - 2] = '\0';
	} else {
		strcpy(h, host);
	}
	if (family == AF_INET6)
		hints.ai_flags |= AI_V4MAPPED;
	snprintf(portstr, sizeof(portstr), "%u", port);
	if (getaddrinfo(h, portstr, &hints, &res) != 0)
		return -EHOSTUNREACH;
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		memcpy(&addr[n], ai->ai_addr, ai->ai_addrlen);
		addrlen[n] = ai->ai_addrlen;
		n++;
	}
	freeaddrinfo(res);
	return n ? (int)n : -EHOSTUNREACH;
}

/* ---- DNS ---- */

static bool is_ip_literal(const char *host)
{
	unsigned char buf[sizeof(struct in6_addr)];
	char h[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(host);

	if (len >= 2 && host[0] == '[' && host[len - 1] == ']') {
		if (len - 2 >= sizeof(h))
			return false;
		memcpy(h, host + 1, len - 2);
		h[len - 2] = '\0';
		return inet_pton(AF_INET6, h, buf) == 1;
	}
	return inet_pton(AF_INET, host, buf) == 1 ||
	       inet_pton(AF_INET6, host, buf) == 1;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/*
 * The message is walked by hand (header, question, answer records, RFC
 * 1035 4.1); names go through the resolver's dn_skipname()/dn_expand(),
 * which follow compression pointers safely.  Both are in glibc's libc
 * since 2.34, in libresolv before.
 */
int sip_srv_select(const unsigned char *msg, size_t len, char *target,
		   size_t target_len, unsigned *port)
{
	char name[NS_MAXDNAME], best[NS_MAXDNAME];
	unsigned best_prio = 0, best_weight = 0, best_port = 0;
	const unsigned char *end, *p;
	unsigned qdcount, ancount, i;
	bool found = false;
	int n;

	if (!msg || !target || !port || len > INT_MAX)
		return -EINVAL;
	if (len < NS_HFIXEDSZ)
		return -EBADMSG;
	if (!(msg[2] & 0x80))
		return -EBADMSG;	/* QR clear: a query, not an answer */
	if ((msg[3] & 0x0f) != ns_r_noerror)
		return -ENOENT;		/* RCODE: NXDOMAIN, SERVFAIL, ... */
	qdcount = get16(msg + 4);
	ancount = get16(msg + 6);
	end = msg + len;
	p = msg + NS_HFIXEDSZ;
	for (i = 0; i < qdcount; i++) {
		n = dn_skipname(p, end);
		if (n < 0 || end - p < n + NS_QFIXEDSZ)
			return -EBADMSG;
		p += n + NS_QFIXEDSZ;
	}
	for (i = 0; i < ancount; i++) {
		unsigned type, class, rdlen, prio, weight, sport;
		int clen;

		n = dn_skipname(p, end);
		if (n < 0 || end - p < n + NS_RRFIXEDSZ)
			return -EBADMSG;
		p += n;
		type = get16(p);
		class = get16(p + 2);
		rdlen = get16(p + 8);	/* after TTL */
		p += NS_RRFIXEDSZ;
		if ((size_t)(end - p) < rdlen)
			return -EBADMSG;
		if (type != ns_t_srv || class != ns_c_in) {
			p += rdlen;	/* e.g. the CNAME of a chain */
			continue;
		}
		if (rdlen < 7)
			return -EBADMSG;
		prio = get16(p);
		weight = get16(p + 2);
		sport = get16(p + 4);
		clen = dn_expand(msg, end, p + 6, name, sizeof(name));
		if (clen < 0 || 6 + (unsigned)clen != rdlen)
			return -EBADMSG;
		p += rdlen;
		if (!name[0] || strcmp(name, ".") == 0 || sport == 0)
			continue;	/* "service not available here" */
		if (found && (prio > best_prio ||
			      (prio == best_prio && weight <= best_weight)))
			continue;
		found = true;
		best_prio = prio;
		best_weight = weight;
		best_port = sport;
		strcpy(best, name);
	}
	if (!found)
		return -ENOENT;
	n = strlen(best);
	if (n > 1 && best[n - 1] == '.')
		best[--n] = '\0';
	if ((size_t)n >= target_len)
		return -ENAMETOOLONG;
	memcpy(target, best, n + 1);
	*port = best_port;
	return 0;
}

/* _sip._udp.<host> / _sip._tcp.<host>: blocking, like getaddrinfo. */
static int srv_lookup(struct sip_agent *a, const char *host, char *target,
		      size_t target_len, unsigned *port)
{
	unsigned char answer[4096];
	char q[300];
	int n;

	if ((size_t)snprintf(q, sizeof(q), "_sip._%s.%s", a->tcp ? "tcp" : "udp",
			     host) >= sizeof(q))
		return -ENAMETOOLONG;
	n = res_query(q, ns_c_in, ns_t_srv, answer, sizeof(answer));
	if (n < 0)
		return -ENOENT;		/* NXDOMAIN, no data, no server */
	if ((size_t)n > sizeof(answer))
		n = sizeof(answer);	/* truncated: parse what fits */
	return sip_srv_select(answer, n, target, target_len, port);
}

/*
 * Addresses of @s: an IP literal as it is; a host name with a port by
 * getaddrinfo; a host name alone by SRV first, then getaddrinfo on 5060.
 */
static int server_resolve(struct sip_agent *a, struct sip_server *s)
{
	char target[256];
	unsigned port;
	int r;

	if (!s->host[0])
		return -EINVAL;
	if (!s->port_given && !is_ip_literal(s->host) &&
	    srv_lookup(a, s->host, target, sizeof(target), &port) == 0) {
		r = resolve(a->family, target, port, false, s->addr, s->addrlen,
			    SIP_MAX_ADDRS);
		if (r > 0) {
			log_a(a, LOG_DEBUG, "%s: SRV target %s:%u", s->host,
			      target, port);
			s->n_addr = r;
			return 0;
		}
		log_a(a, LOG_WARNING, "%s: SRV target %s unresolved, using %s:%u",
		      s->host, target, s->host, s->port);
	}
	r = resolve(a->family, s->host, s->port, false, s->addr, s->addrlen,
		    SIP_MAX_ADDRS);
	if (r < 0) {
		log_a(a, LOG_WARNING, "Failed to resolve %s", s->host);
		s->n_addr = 0;
		return r;
	}
	s->n_addr = r;
	return 0;
}

static void addr_to_string(const struct sockaddr_storage *ss, char *ip,
			   size_t iplen, unsigned *port)
{
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], ip, iplen);
		else
			inet_ntop(AF_INET6, &s6->sin6_addr, ip, iplen);
		*port = ntohs(s6->sin6_port);
	} else {
		const struct sockaddr_in *s4 = (const void *)ss;

		inet_ntop(AF_INET, &s4->sin_addr, ip, iplen);
		*port = ntohs(s4->sin_port);
	}
}

static bool same_ip(const struct sockaddr_storage *x,
		    const struct sockaddr_storage *y)
{
	char a[64], b[64];
	unsigned pa, pb;

	addr_to_string(x, a, sizeof(a), &pa);
	addr_to_string(y, b, sizeof(b), &pb);
	return strcmp(a, b) == 0;
}

/* The IP of @ss as 16 bytes (IPv4 as v4-mapped IPv6), for comparisons. */
static void ip_key(const struct sockaddr_storage *ss, unsigned char key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return;
	}
	key[10] = key[11] = 0xff;
	memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
}

/*
 * Take a token from @b, which holds at most @burst and gains @per_min a
 * minute (@now in usec).  Returns false when it is empty.
 */
static bool bucket_take(struct sip_bucket *b, uint64_t now, unsigned burst,
			unsigned per_min)
{
	uint64_t add, full = (uint64_t)burst * 1000;

	if (b->t == 0) {
		b->t = now;
		b->milli = full;
	} else if (now > b->t) {
		add = (now - b->t) * per_min / 60000;	/* milli-tokens */
		if (add > 0) {
			b->milli = b->milli + add > full ? full : b->milli + add;
			b->t = now;
		}
	}
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

/* The registrar's or the outbound proxy's address: calls come from there. */
static bool source_is_provider(struct sip_agent *a,
			       const struct sockaddr_storage *src)
{
	const struct sip_server *srv[] = { &a->registrar, &a->proxy };
	unsigned char k[16], ks[16];
	unsigned i, j;

	ip_key(src, k);
	for (i = 0; i < 2; i++)
		for (j = 0; j < srv[i]->n_addr; j++) {
			ip_key(&srv[i]->addr[j], ks);
			if (memcmp(k, ks, 16) == 0)
				return true;
		}
	return false;
}

/*
 * May we send one more response without a transaction to @src?  The
 * provider always; a stranger while its own bucket (in a table of
 * SIP_SRC_MAX sources, the least recently answered one making room for
 * a new one) and the strangers' common bucket have tokens.
 */
static bool source_budget(struct sip_agent *a,
			  const struct sockaddr_storage *src)
{
	uint64_t now = now_usec(a->event);
	struct sip_src *e = NULL, *oldest = &a->srcs[0];
	unsigned char k[16];
	unsigned i;

	if (source_is_provider(a, src))
		return true;
	ip_key(src, k);
	for (i = 0; i < SIP_SRC_MAX; i++) {
		if (a->srcs[i].used && memcmp(a->srcs[i].ip, k, 16) == 0) {
			e = &a->srcs[i];
			break;
		}
		if (a->srcs[i].used < oldest->used)
			oldest = &a->srcs[i];
	}
	if (!e) {
		e = oldest;
		memset(e, 0, sizeof(*e));
		memcpy(e->ip, k, 16);
	}
	e->used = now ? now : 1;
	if (!bucket_take(&e->b, e->used, SIP_SRC_BURST, SIP_SRC_PER_MIN))
		return false;
	return bucket_take(&a->all_bucket, e->used, SIP_ALL_BURST,
			   SIP_ALL_PER_MIN);
}

/*
 * Log a line caused by a message from @src: as it is for the provider;
 * for strangers within SIP_LOG_BURST / SIP_LOG_PER_MIN (together), the
 * next line that passes telling how many were left out.
 */
__attribute__((format(printf, 4, 5)))
static void log_peer(struct sip_agent *a, const struct sockaddr_storage *src,
		     int prio, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (!a->cb.log)
		return;
	if (!source_is_provider(a, src) &&
	    !bucket_take(&a->log_bucket, now_usec(a->event) ?: 1,
			 SIP_LOG_BURST, SIP_LOG_PER_MIN)) {
		a->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (a->log_suppressed) {
		a->cb.log(a->userdata, prio, "%s (%u similar lines suppressed)",
			  buf, a->log_suppressed);
		a->log_suppressed = 0;
		return;
	}
	a->cb.log(a->userdata, prio, "%s", buf);
}

/* ---- transport ---- */

static bool same_addr(const struct sockaddr_storage *x,
		      const struct sockaddr_storage *y)
{
	char a[64], b[64];
	unsigned pa, pb;

	addr_to_string(x, a, sizeof(a), &pa);
	addr_to_string(y, b, sizeof(b), &pb);
	return pa == pb && strcmp(a, b) == 0;
}

static socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

static void handle_message(struct sip_agent *a, const char *buf, size_t len,
			   const struct sip_peer *src);
static void conn_fail_transactions(struct sip_agent *a, unsigned id);
static void reg_flow_lost(struct sip_agent *a);
static void sip_pump(struct sip_agent *a);

static void conn_unref(struct sip_conn *cn)
{
	if (!cn || --cn->n_ref > 0)
		return;
	free(cn->rbuf);
	free(cn->wbuf);
	free(cn);
}

static void conn_log(struct sip_conn *cn, int prio, const char *what)
{
	char ip[64];
	unsigned port;

	addr_to_string(&cn->peer, ip, sizeof(ip), &port);
	log_a(cn->a, prio, "TCP connection %u %s %s:%u: %s", cn->id,
	      cn->incoming ? "from" : "to", ip, port, what);
}

/*
 * Close now: only where libosip2 is not running (loop callbacks).  Fails
 * the client transactions that were using the connection.
 */
static void conn_close(struct sip_conn *cn, const char *why)
{
	struct sip_agent *a = cn->a;
	struct sip_conn **p;

	if (cn->closed)
		return;
	cn->closed = true;
	for (p = &a->conns; *p; p = &(*p)->next)
		if (*p == cn) {
			*p = cn->next;
			break;
		}
	if (cn->incoming)
		a->n_conns_in--;
	else
		a->n_conns_out--;
	cn->io = sd_event_source_disable_unref(cn->io);
	cn->timer = sd_event_source_disable_unref(cn->timer);
	if (cn->fd >= 0)
		close(cn->fd);
	cn->fd = -1;
	if (!a->freeing) {
		conn_log(cn, LOG_INFO, why ? why : "closed");
		/* responses read before the end are queued: let them count */
		sip_pump(a);
		conn_fail_transactions(a, cn->id);
		if (cn->id == a->reg_conn) {
			a->reg_conn = 0;
			reg_flow_lost(a);
		}
	}
	conn_unref(cn);
}

/* Close later (from the defer event): safe anywhere. */
static void conn_break(struct sip_conn *cn, const char *why)
{
	if (cn->closed || cn->broken)
		return;
	cn->broken = true;
	conn_log(cn, LOG_INFO, why);
	sd_event_source_set_enabled(cn->io, SD_EVENT_OFF);
	sd_event_source_set_enabled(cn->a->conn_defer, SD_EVENT_ONESHOT);
}

static int conn_defer_cb(sd_event_source *s, void *userdata)
{
	struct sip_agent *a = userdata;
	struct sip_conn *cn;

	(void)s;
again:
	for (cn = a->conns; cn; cn = cn->next)
		if (cn->broken) {
			conn_close(cn, "closed");
			goto again;
		}
	sip_pump(a);
	return 0;
}

static struct sip_conn *conn_find_id(struct sip_agent *a, unsigned id)
{
	struct sip_conn *cn;

	for (cn = a->conns; cn && id; cn = cn->next)
		if (cn->id == id && !cn->broken)
			return cn;
	return NULL;
}

static struct sip_conn *conn_find_addr(struct sip_agent *a,
				       const struct sockaddr_storage *ss)
{
	struct sip_conn *cn;

	for (cn = a->conns; cn; cn = cn->next)
		if (!cn->broken && same_addr(&cn->peer, ss))
			return cn;
	return NULL;
}

/* Used by a live call or a transaction: not idle, whatever the clock. */
static bool conn_in_use(struct sip_agent *a, unsigned id)
{
	osip_list_t *lists[] = {
		&a->osip->osip_ict_transactions, &a->osip->osip_ist_transactions,
		&a->osip->osip_nict_transactions, &a->osip->osip_nist_transactions,
	};
	struct sip_call *c;
	unsigned i;
	int pos;

	if (id == a->reg_conn)
		return true;
	for (c = a->calls; c; c = c->next)
		if (c->conn == id)
			return true;
	for (i = 0; i < 4; i++)
		for (pos = 0; !osip_list_eol(lists[i], pos); pos++) {
			osip_transaction_t *tr = osip_list_get(lists[i], pos);

			if (tr->out_socket == (int)id)
				return true;
		}
	return false;
}

static int conn_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_conn *cn = userdata;
	struct sip_agent *a = cn->a;
	uint64_t idle_us = (uint64_t)SIP_TCP_IDLE_S * 1000000;
	uint64_t now = now_usec(a->event);
	uint64_t idle = now > cn->last_active ? now - cn->last_active : 0;

	(void)usec;
	if (cn->connecting) {
		conn_close(cn, "connect timeout");
		sip_pump(a);
		return 0;
	}
	if (idle >= idle_us && cn->wlen == 0 && !conn_in_use(a, cn->id)) {
		conn_close(cn, "idle");
		sip_pump(a);
		return 0;
	}
	/* in use: look again later */
	sd_event_source_set_time(s, idle >= idle_us ? now + idle_us :
				 cn->last_active + idle_us);
	sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	return 0;
}

static void conn_set_events(struct sip_conn *cn)
{
	uint32_t ev = EPOLLIN;

	if (cn->connecting || cn->wlen > cn->woff)
		ev |= EPOLLOUT;
	sd_event_source_set_io_events(cn->io, ev);
}

/* Send what is queued; 0, or a negative errno (the connection is dead). */
static int conn_flush(struct sip_conn *cn)
{
	ssize_t n;

	while (cn->woff < cn->wlen) {
		n = send(cn->fd, cn->wbuf + cn->woff, cn->wlen - cn->woff,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			return -errno;
		}
		cn->woff += n;
	}
	if (cn->woff == cn->wlen)
		cn->woff = cn->wlen = 0;
	conn_set_events(cn);
	return 0;
}

static int conn_write(struct sip_conn *cn, const char *buf, size_t len)
{
	size_t need;
	ssize_t n;

	if (cn->closed || cn->broken)
		return -ENOTCONN;
	if (!cn->connecting && cn->wlen == 0) {
		n = send(cn->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			int r = -errno;

			conn_break(cn, strerror(-r));
			return r;
		}
		if (n > 0) {
			buf += n;
			len -= n;
		}
		cn->last_active = now_usec(cn->a->event);
		if (len == 0)
			return 0;
	}
	/* queue the rest: connect in progress, or the socket buffer is full */
	if (cn->woff > 0) {
		memmove(cn->wbuf, cn->wbuf + cn->woff, cn->wlen - cn->woff);
		cn->wlen -= cn->woff;
		cn->woff = 0;
	}
	need = cn->wlen + len;
	if (need > SIP_TCP_WBUF_MAX) {
		conn_break(cn, "peer does not read, output buffer full");
		return -ENOBUFS;
	}
	if (need > cn->walloc) {
		size_t na = cn->walloc ? cn->walloc : 4096;
		char *p;

		while (na < need)
			na *= 2;
		p = realloc(cn->wbuf, na);
		if (!p)
			return -ENOMEM;
		cn->wbuf = p;
		cn->walloc = na;
	}
	memcpy(cn->wbuf + cn->wlen, buf, len);
	cn->wlen += len;
	conn_set_events(cn);
	return 0;
}

/*
 * Content-Length of the header block @h (@n bytes, start line included,
 * ending with the empty line): the value, -1 when absent, -2 when invalid
 * (not a number, or two different values).  "l" is its compact form.
 */
static long stream_content_length(const char *h, size_t n)
{
	const char *end = h + n, *p, *eol;
	long val = -1;

	p = memmem(h, n, "\r\n", 2);
	if (!p)
		return -2;
	for (p += 2; p < end; p = eol + 2) {
		const char *colon, *q;
		size_t nl;
		long v = 0;
		int digits = 0;

		eol = memmem(p, end - p, "\r\n", 2);
		if (!eol || eol == p)
			break;
		colon = memchr(p, ':', eol - p);
		if (!colon)
			continue;
		for (q = colon; q > p && (q[-1] == ' ' || q[-1] == '\t'); q--)
			;
		nl = q - p;
		if (!(nl == 14 && strncasecmp(p, "Content-Length", 14) == 0) &&
		    !(nl == 1 && (*p == 'l' || *p == 'L')))
			continue;
		for (q = colon + 1; q < eol && (*q == ' ' || *q == '\t'); q++)
			;
		for (; q < eol && isdigit((unsigned char)*q); q++) {
			if (++digits > 9)
				return -2;
			v = v * 10 + (*q - '0');
		}
		for (; q < eol && (*q == ' ' || *q == '\t'); q++)
			;
		if (!digits || q != eol || (val >= 0 && v != val))
			return -2;
		val = v;
	}
	return val;
}

/* Take the complete messages out of the read buffer. */
static void conn_parse(struct sip_conn *cn)
{
	struct sip_agent *a = cn->a;
	struct sip_peer src = {
		.addr = cn->peer, .len = cn->peerlen, .tcp = true, .conn = cn->id,
	};

	while (cn->rlen > 0 && !cn->closed && !cn->broken) {
		const char *eoh;
		size_t hlen, total;
		long clen;
		char save;

		/* keep-alive: CRLFCRLF ping gets a CRLF pong (RFC 5626) */
		if (cn->rbuf[0] == '\r' || cn->rbuf[0] == '\n') {
			static const char ping[] = "\r\n\r\n";
			size_t k;

			if (cn->rlen < 4 && memcmp(cn->rbuf, ping, cn->rlen) == 0)
				return;		/* perhaps a ping: wait */
			if (cn->rlen >= 4 && memcmp(cn->rbuf, ping, 4) == 0)
				k = 4;
			else if (cn->rlen >= 2 && cn->rbuf[0] == '\r' &&
				 cn->rbuf[1] == '\n')
				k = 2;
			else
				k = 1;
			if (k == 4)
				conn_write(cn, "\r\n", 2);
			memmove(cn->rbuf, cn->rbuf + k, cn->rlen - k);
			cn->rlen -= k;
			continue;
		}
		eoh = memmem(cn->rbuf, cn->rlen, "\r\n\r\n", 4);
		if (!eoh)
			return;		/* the size limit is checked by the reader */
		hlen = eoh + 4 - cn->rbuf;
		clen = stream_content_length(cn->rbuf, hlen);
		if (clen < 0) {
			conn_close(cn, clen == -1 ? "message without Content-Length" :
				       "invalid Content-Length");
			return;
		}
		total = hlen + (size_t)clen;
		if (total > a->max_msg) {
			conn_close(cn, "message over the size limit");
			return;
		}
		if (cn->rlen < total)
			return;
		save = cn->rbuf[total];
		cn->rbuf[total] = '\0';
		cn->last_active = now_usec(a->event);
		handle_message(a, cn->rbuf, total, &src);
		if (cn->closed)
			return;
		cn->rbuf[total] = save;
		memmove(cn->rbuf, cn->rbuf + total, cn->rlen - total);
		cn->rlen -= total;
	}
}

static void conn_read(struct sip_conn *cn)
{
	struct sip_agent *a = cn->a;
	ssize_t n;
	int i;

	for (i = 0; i < 8 && !cn->closed && !cn->broken; i++) {
		if (cn->rlen >= a->max_msg) {
			conn_close(cn, "message over the size limit");
			return;
		}
		n = recv(cn->fd, cn->rbuf + cn->rlen, a->max_msg - cn->rlen,
			 MSG_DONTWAIT);
		if (n == 0) {
			conn_close(cn, "closed by the peer");
			return;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			conn_close(cn, strerror(errno));
			return;
		}
		cn->rlen += n;
		conn_parse(cn);
	}
}

static int conn_io_cb(sd_event_source *s, int fd, uint32_t revents,
		      void *userdata)
{
	struct sip_conn *cn = userdata;
	struct sip_agent *a = cn->a;

	(void)s;
	cn->n_ref++;
	if (cn->connecting) {
		int err = 0;
		socklen_t el = sizeof(err);

		if (!(revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			goto out;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err) {
			conn_close(cn, strerror(err));
			goto out;
		}
		cn->connecting = false;
		cn->last_active = now_usec(a->event);
		conn_log(cn, LOG_DEBUG, "connected");
		sd_event_source_set_time(cn->timer, cn->last_active +
					 (uint64_t)SIP_TCP_IDLE_S * 1000000);
		sd_event_source_set_enabled(cn->timer, SD_EVENT_ONESHOT);
		revents |= EPOLLOUT;
	}
	if (revents & EPOLLOUT) {
		int r = conn_flush(cn);

		if (r < 0) {
			conn_close(cn, strerror(-r));
			goto out;
		}
	}
	if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(cn);
out:
	conn_unref(cn);
	sip_pump(a);
	return 0;
}

static void tcp_tune(int fd)
{
	int one = 1, idle = 60, intvl = 10, cnt = 3;

	/* notice a dead peer (registrar rebooted, NAT lost) in ~90 s */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* Wrap @fd (taken in all cases). */
static struct sip_conn *conn_new(struct sip_agent *a, int fd,
				 const struct sockaddr_storage *peer,
				 bool incoming, bool connecting)
{
	struct sip_conn *cn = calloc(1, sizeof(*cn));
	uint64_t now = now_usec(a->event);

	if (!cn) {
		close(fd);
		return NULL;
	}
	cn->a = a;
	cn->n_ref = 1;
	cn->fd = fd;
	cn->incoming = incoming;
	cn->connecting = connecting;
	cn->peer = *peer;
	cn->peerlen = ss_len(peer);
	cn->last_active = now;
	if (++a->next_conn_id >= INT_MAX)
		a->next_conn_id = 1;
	cn->id = a->next_conn_id;
	cn->rbuf = malloc(a->max_msg + 1);
	if (!cn->rbuf ||
	    sd_event_add_io(a->event, &cn->io, fd,
			    EPOLLIN | (connecting ? EPOLLOUT : 0), conn_io_cb,
			    cn) < 0 ||
	    sd_event_add_time(a->event, &cn->timer, CLOCK_MONOTONIC,
			      now + (connecting ? SIP_TCP_CONNECT_MS * 1000ULL :
					 SIP_TCP_IDLE_S * 1000000ULL),
			      1000000, conn_timer_cb, cn) < 0) {
		sd_event_source_disable_unref(cn->io);
		close(fd);
		free(cn->rbuf);
		free(cn);
		return NULL;
	}
	cn->next = a->conns;
	a->conns = cn;
	if (incoming)
		a->n_conns_in++;
	else
		a->n_conns_out++;
	conn_log(cn, LOG_DEBUG, incoming ? "accepted" :
		 connecting ? "connecting" : "connected");
	return cn;
}

static int conn_connect(struct sip_agent *a, const struct sockaddr_storage *to,
			struct sip_conn **ret)
{
	struct sip_conn *cn;
	int fd, r;

	if (a->n_conns_out >= SIP_TCP_MAX_OUT) {
		log_a(a, LOG_WARNING, "Too many TCP connections, not sent");
		return -EMFILE;
	}
	fd = socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* the source address Via and Contact announce */
	if (a->bind_sl && a->bind_ss.ss_family == to->ss_family &&
	    bind(fd, (void *)&a->bind_ss, a->bind_sl) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	tcp_tune(fd);
	r = connect(fd, (const void *)to, ss_len(to));
	if (r < 0 && errno != EINPROGRESS) {
		char ip[64];
		unsigned port;

		r = -errno;
		addr_to_string(to, ip, sizeof(ip), &port);
		log_a(a, LOG_WARNING, "TCP connection to %s:%u failed: %s", ip,
		      port, strerror(-r));
		close(fd);
		return r;
	}
	cn = conn_new(a, fd, to, false, r < 0);
	if (!cn)
		return -ENOMEM;
	*ret = cn;
	return 0;
}

/*
 * Over TCP to @to: the connection @to->conn if it is open and leads to
 * the same host, else one to the address, else a new one.
 */
static int tcp_send(struct sip_agent *a, const char *buf, size_t len,
		    const struct sip_peer *to, unsigned *ret_conn)
{
	struct sip_conn *cn = conn_find_id(a, to->conn);
	int r;

	if (cn && !same_ip(&cn->peer, &to->addr))
		cn = NULL;
	if (!cn)
		cn = conn_find_addr(a, &to->addr);
	if (!cn) {
		r = conn_connect(a, &to->addr, &cn);
		if (r < 0)
			return r;
	}
	r = conn_write(cn, buf, len);
	if (r == 0 && ret_conn)
		*ret_conn = cn->id;
	return r;
}

static int tcp_accept_cb(sd_event_source *s, int fd, uint32_t revents,
			 void *userdata)
{
	struct sip_agent *a = userdata;
	struct sockaddr_storage ss;
	socklen_t sl;
	int i, cfd;

	(void)s;
	(void)revents;
	for (i = 0; i < 16; i++) {
		sl = sizeof(ss);
		cfd = accept4(fd, (void *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0)
			break;
		if (a->n_conns_in >= SIP_TCP_MAX_IN) {
			log_a(a, LOG_WARNING, "Too many TCP connections, refused");
			close(cfd);
			continue;
		}
		tcp_tune(cfd);
		conn_new(a, cfd, &ss, true, false);
	}
	return 0;
}

/* The one way out: UDP datagram or TCP stream; *@ret_conn gets the id. */
static int send_raw(struct sip_agent *a, const char *buf, size_t len,
		    const struct sip_peer *to, unsigned *ret_conn)
{
	if (len > a->max_msg) {
		log_a(a, LOG_ERR, "Message of %zu bytes too large, not sent", len);
		return -EMSGSIZE;
	}
	if (to->tcp)
		return tcp_send(a, buf, len, to, ret_conn);
	if (sendto(a->fd, buf, len, 0, (const struct sockaddr *)&to->addr,
		   to->len ? to->len : ss_len(&to->addr)) < 0) {
		log_a(a, LOG_WARNING, "Failed to send: %m");
		return -errno;
	}
	return 0;
}

static int send_msg_to(struct sip_agent *a, osip_message_t *msg,
		       const struct sip_peer *to, unsigned *ret_conn)
{
	char *buf = NULL;
	size_t len;
	int r;

	if (osip_message_to_str(msg, &buf, &len) != 0)
		return -ENOMEM;
	r = send_raw(a, buf, len, to, ret_conn);
	osip_free(buf);
	return r;
}

static bool via_is_tcp(osip_message_t *m)
{
	osip_via_t *v = NULL;

	return osip_message_get_via(m, 0, &v) >= 0 && v && v->protocol &&
	       strcasecmp(v->protocol, "TCP") == 0;
}

static void retx_arm(struct sip_call *c);

/*
 * libosip2's send hook: @host is an IP literal (ours, or received=).  A
 * request goes by its top Via's transport; a response by its request's
 * (@sock: the connection id, 0 for UDP).  Returns 0 when sent or queued
 * (a connect in progress): a positive value would make libosip2 retry.
 */
static int sip_send_cb(osip_transaction_t *tr, osip_message_t *msg,
		       char *host, int port, int sock)
{
	struct sip_agent *a = osip_get_application_context(tr->config);
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);
	struct sip_peer to = { .conn = sock > 0 ? (unsigned)sock : 0 };
	unsigned used = 0;

	if (!host || port <= 0)
		return -1;
	to.tcp = MSG_IS_REQUEST(msg) ? via_is_tcp(msg) : sock > 0;
	if (to.tcp && MSG_IS_RESPONSE(msg)) {
		/* a new connection (the old one is gone) goes to sent-by */
		osip_via_t *v = NULL;

		if (osip_message_get_via(msg, 0, &v) >= 0 && v)
			port = v->port ? atoi(v->port) : 5060;
		if (port <= 0 || port > 65535)
			return -1;
	}
	if (resolve(a->family, host, port, true, &to.addr, &to.len, 1) < 0) {
		log_a(a, LOG_WARNING, "No numeric destination %s, not sent", host);
		return -1;
	}
	if (send_msg_to(a, msg, &to, &used) < 0)
		return -1;
	if (to.tcp) {
		osip_transaction_set_out_socket(tr, used);
		if (tx && tx->call && tx->kind == TX_INVITE_OUT)
			tx->call->conn = used;
	}
	if (tx && tx->call && tx->kind == TX_INVITE_IN &&
	    MSG_IS_RESPONSE(msg) && MSG_IS_STATUS_2XX(msg))
		retx_arm(tx->call);
	return 0;
}

/* ---- the pump ---- */

static void sip_pump(struct sip_agent *a);

static int pump_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	sip_pump(userdata);
	return 0;
}

/* Run the pump from the loop, as soon as possible. */
static void pump_soon(struct sip_agent *a)
{
	if (a->in_pump)
		return;
	sd_event_source_set_time(a->timer, 0);
	sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

static size_t n_transactions(struct sip_agent *a)
{
	return osip_list_size(&a->osip->osip_ict_transactions) +
	       osip_list_size(&a->osip->osip_ist_transactions) +
	       osip_list_size(&a->osip->osip_nict_transactions) +
	       osip_list_size(&a->osip->osip_nist_transactions);
}

static void call_unref_internal(struct sip_call *c);
static int offer_respond(struct sip_call *c, int code, const char *sdp,
			 int warning, const char *text);

static void tx_free(osip_transaction_t *tr)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	if (tx) {
		if (tx->call)
			call_unref_internal(tx->call);
		free(tx);
		osip_transaction_set_your_instance(tr, NULL);
	}
	osip_transaction_free(tr);
}

static void sip_pump(struct sip_agent *a)
{
	struct timeval tv = { 1, 0 };
	uint64_t delay;
	size_t i;
	int pass;

	a->in_pump = true;
	for (pass = 0; pass < 4; pass++) {
		osip_timers_ict_execute(a->osip);
		osip_timers_ist_execute(a->osip);
		osip_timers_nict_execute(a->osip);
		osip_timers_nist_execute(a->osip);
		osip_ict_execute(a->osip);
		osip_ist_execute(a->osip);
		osip_nict_execute(a->osip);
		osip_nist_execute(a->osip);
	}
	/* the kill callback only queued them */
	for (i = 0; i < a->n_dead; i++)
		tx_free(a->dead[i]);
	a->n_dead = 0;
	a->in_pump = false;

	if (n_transactions(a) == 0) {
		sd_event_source_set_enabled(a->timer, SD_EVENT_OFF);
		return;
	}
	osip_timers_gettimeout(a->osip, &tv);
	if (tv.tv_sec < 0 || tv.tv_usec < 0)
		delay = 0;
	else
		delay = (uint64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	if (delay > 1000000)
		delay = 1000000;
	if (delay < 1000)
		delay = 1000;	/* never spin */
	sd_event_source_set_time(a->timer, now_usec(a->event) + delay);
	sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

/* ---- message helpers ---- */

static const char *header_value(osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h)
		return NULL;
	return h->hvalue;
}

static const char *gparam(osip_list_t *params, const char *name)
{
	osip_generic_param_t *p = NULL;

	if (osip_generic_param_get_byname(params, (char *)name, &p) != 0 || !p)
		return NULL;
	return p->gvalue ? p->gvalue : "";
}

static const char *from_tag(osip_from_t *f)
{
	return f ? gparam(&f->gen_params, "tag") : NULL;
}

static const char *top_branch(osip_message_t *m)
{
	osip_via_t *v = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v)
		return NULL;
	return gparam(&v->via_params, "branch");
}

static const char *body_of(osip_message_t *m)
{
	osip_body_t *b = NULL;

	if (osip_message_get_body(m, 0, &b) < 0 || !b || !b->body ||
	    !b->length)
		return NULL;
	return b->body;
}

/*
 * The SDP body of @m: 0 and *@ret_sdp (NULL when there is no body), or
 * -EMEDIUMTYPE when the body is not application/sdp (no Content-Type,
 * another type, multipart/... included: not an offer or answer).
 */
static int sdp_body(osip_message_t *m, const char **ret_sdp)
{
	const osip_content_type_t *ct = m->content_type;
	const char *b = body_of(m);

	*ret_sdp = NULL;
	if (!b)
		return 0;
	if (!ct || !ct->type || !ct->subtype ||
	    strcasecmp(ct->type, "application") != 0 ||
	    strcasecmp(ct->subtype, "sdp") != 0)
		return -EMEDIUMTYPE;
	*ret_sdp = b;
	return 0;
}

static char *call_id_of(osip_message_t *m)
{
	char *s = NULL;

	if (!m->call_id || osip_call_id_to_str(m->call_id, &s) != 0)
		return NULL;
	return s;	/* osip_free */
}

/* Name-addr of a From/To without its tag: "\"x\" <sip:..>". */
static char *name_addr_without_tag(osip_from_t *f)
{
	osip_from_t *c = NULL;
	char *s = NULL, *r;
	osip_generic_param_t *p;
	int pos = 0;

	if (osip_from_clone(f, &c) != 0)
		return NULL;
	while (!osip_list_eol(&c->gen_params, pos)) {
		p = osip_list_get(&c->gen_params, pos);
		if (p->gname && strcasecmp(p->gname, "tag") == 0) {
			osip_list_remove(&c->gen_params, pos);
			osip_generic_param_free(p);
			continue;
		}
		pos++;
	}
	osip_from_to_str(c, &s);
	osip_from_free(c);
	r = s ? strdup(s) : NULL;
	osip_free(s);
	return r;
}

/*
 * Response to @req without transaction logic: status line, Via list,
 * From, To (+ @to_tag if it has none and code > 100), Call-ID, CSeq.
 */
static osip_message_t *make_response(struct sip_agent *a, osip_message_t *req,
				     int code, const char *to_tag)
{
	osip_message_t *r = NULL;
	osip_via_t *v;
	const char *reason;
	int pos;

	if (osip_message_init(&r) != 0)
		return NULL;
	osip_message_set_version(r, osip_strdup("SIP/2.0"));
	osip_message_set_status_code(r, code);
	reason = osip_message_get_reason(code);
	osip_message_set_reason_phrase(r, osip_strdup(reason ? reason : "Unknown"));
	for (pos = 0; osip_message_get_via(req, pos, &v) >= 0 && v; pos++) {
		osip_via_t *vc = NULL;

		if (osip_via_clone(v, &vc) == 0)
			osip_list_add(&r->vias, vc, -1);
	}
	if (req->from)
		osip_from_clone(req->from, &r->from);
	if (req->to) {
		osip_to_clone(req->to, &r->to);
		if (r->to && code > 100 && to_tag && !from_tag(r->to))
			osip_to_set_tag(r->to, osip_strdup(to_tag));
	}
	if (req->call_id)
		osip_call_id_clone(req->call_id, &r->call_id);
	if (req->cseq)
		osip_cseq_clone(req->cseq, &r->cseq);
	osip_message_set_header(r, "User-Agent", a->user_agent);
	return r;
}

static void response_add_body(osip_message_t *r, const char *sdp)
{
	char len[24];

	if (sdp && *sdp) {
		osip_message_set_body(r, sdp, strlen(sdp));
		osip_message_set_content_type(r, "application/sdp");
		snprintf(len, sizeof(len), "%zu", strlen(sdp));
	} else {
		snprintf(len, sizeof(len), "0");
	}
	osip_message_set_content_length(r, len);
}

static void contact_value(struct sip_agent *a, bool tcp, char *buf,
			  size_t len)
{
	const char *tp = tcp ? ";transport=tcp" : "";

	if (strchr(a->local_ip, ':'))
		snprintf(buf, len, "<sip:%s@[%s]:%u%s>", a->user, a->local_ip,
			 a->local_port, tp);
	else
		snprintf(buf, len, "<sip:%s@%s:%u%s>", a->user, a->local_ip,
			 a->local_port, tp);
}

/*
 * Where to answer a request: received/rport of its top Via (RFC 3581);
 * over TCP (used only when the request's connection is gone) the sent-by
 * port, as the rport is the peer's ephemeral one.
 */
static int via_destination(struct sip_agent *a, osip_message_t *req, bool tcp,
			   struct sockaddr_storage *ss, socklen_t *sl)
{
	osip_via_t *v = NULL;
	const char *host, *port;
	unsigned p = 5060;

	if (osip_message_get_via(req, 0, &v) < 0 || !v)
		return -EINVAL;
	host = gparam(&v->via_params, "received");
	if (!host || !*host)
		host = v->host;
	port = tcp ? NULL : gparam(&v->via_params, "rport");
	if (port && *port)
		p = atoi(port);
	else if (v->port)
		p = atoi(v->port);
	if (!host || p == 0 || p > 65535)
		return -EINVAL;
	return resolve(a->family, host, p, true, ss, sl, 1) < 0 ? -EINVAL : 0;
}

/*
 * Send a response without a transaction (400, 503, a refusal, ...) with
 * the header lines @hdrs (name, value, ..., NULL; may be NULL), within
 * the source's budget (source_budget()).
 */
static void respond_stateless_hdrs(struct sip_agent *a, osip_message_t *req,
				   int code, const struct sip_peer *src,
				   const char *const *hdrs)
{
	struct sip_peer to = { .tcp = src->tcp, .conn = src->conn };
	osip_message_t *r;
	char tag[20];

	if (!source_budget(a, &src->addr))
		return;
	if (via_destination(a, req, src->tcp, &to.addr, &to.len) < 0)
		return;
	random_hex(tag, 16);
	r = make_response(a, req, code, tag);
	if (!r)
		return;
	for (; hdrs && hdrs[0] && hdrs[1]; hdrs += 2)
		osip_message_set_header(r, hdrs[0], hdrs[1]);
	response_add_body(r, NULL);
	send_msg_to(a, r, &to, NULL);
	osip_message_free(r);
}

static void respond_stateless(struct sip_agent *a, osip_message_t *req,
			      int code, const struct sip_peer *src)
{
	respond_stateless_hdrs(a, req, code, src, NULL);
}

/* Hand @resp to the server transaction @tr (which takes it). */
static int tx_respond(struct sip_agent *a, osip_transaction_t *tr,
		      osip_message_t *resp)
{
	osip_event_t *ev = osip_new_outgoing_sipmessage(resp);

	if (!ev) {
		osip_message_free(resp);
		return -ENOMEM;
	}
	ev->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, ev);
	pump_soon(a);
	return 0;
}

static int respond_in_tx(struct sip_agent *a, osip_transaction_t *tr,
			 int code, const char *to_tag)
{
	osip_message_t *r = make_response(a, tr->orig_request, code, to_tag);

	if (!r)
		return -ENOMEM;
	if (code == 405 || code == 200)
		osip_message_set_allow(r, SIP_ALLOW);
	response_add_body(r, NULL);
	return tx_respond(a, tr, r);
}

/* 415 with Accept: application/sdp: a body that is not an offer. */
static void respond_415_sdp(struct sip_agent *a, osip_transaction_t *tr,
			    const char *to_tag)
{
	osip_message_t *req = tr->orig_request, *r;
	const osip_content_type_t *ct = req->content_type;

	log_a(a, LOG_NOTICE, "%s with a body of type %s/%s, 415",
	      req->sip_method, ct && ct->type ? ct->type : "(none)",
	      ct && ct->subtype ? ct->subtype : "");
	r = make_response(a, req, 415, to_tag);
	if (!r)
		return;
	osip_message_set_header(r, "Accept", "application/sdp");
	response_add_body(r, NULL);
	tx_respond(a, tr, r);
}

/* Warning: CODE agent "TEXT" (RFC 3261 20.43), e.g. 305 for a 488. */
static void add_warning(struct sip_agent *a, osip_message_t *r, int code,
			const char *text)
{
	char w[200];

	if (code < 300 || code > 399)
		return;
	if (strchr(a->local_ip, ':'))
		snprintf(w, sizeof(w), "%d [%s] \"%s\"", code, a->local_ip,
			 text ? text : "");
	else
		snprintf(w, sizeof(w), "%d %s \"%s\"", code, a->local_ip,
			 text ? text : "");
	osip_message_set_header(r, "Warning", w);
}

/* ---- text builder ---- */

struct tbuf {
	char buf[SIP_TEXT_MAX];
	size_t pos;
	bool overflow;
};

__attribute__((format(printf, 2, 3)))
static void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->buf + b->pos, sizeof(b->buf) - b->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(b->buf) - b->pos)
		b->overflow = true;
	else
		b->pos += n;
}

struct req_spec {
	const char *method;
	const char *ruri;
	const char *from;	/* name-addr */
	const char *from_tag;
	const char *to;
	const char *to_tag;	/* or NULL */
	const char *call_id;
	uint32_t cseq;
	const char *branch;	/* NULL: a new one */
	char *const *routes;
	unsigned n_routes;
	bool contact;
	bool tcp;		/* Via (and Contact) say TCP */
	const char *extra;	/* whole header lines with CRLF, or NULL */
	const char *body;	/* or NULL */
	const char *content_type;	/* of @body; NULL: application/sdp */
};

static void via_value(struct sip_agent *a, bool tcp, const char *branch,
		      char *buf, size_t len)
{
	const char *tp = tcp ? "TCP" : "UDP";

	if (strchr(a->local_ip, ':'))
		snprintf(buf, len, "SIP/2.0/%s [%s]:%u;branch=%s;rport", tp,
			 a->local_ip, a->local_port, branch);
	else
		snprintf(buf, len, "SIP/2.0/%s %s:%u;branch=%s;rport", tp,
			 a->local_ip, a->local_port, branch);
}

/* Build the request text into @b; returns the branch used in @ret_branch. */
static int build_request_text(struct sip_agent *a, const struct req_spec *s,
			      struct tbuf *b, char *ret_branch, size_t brlen)
{
	char branch[64], via[160], contact[200];
	unsigned i;

	if (s->branch) {
		snprintf(branch, sizeof(branch), "%s", s->branch);
	} else {
		strcpy(branch, "z9hG4bK");
		random_hex(branch + 7, 24);
	}
	if (ret_branch)
		snprintf(ret_branch, brlen, "%s", branch);
	via_value(a, s->tcp, branch, via, sizeof(via));
	b->pos = 0;
	b->overflow = false;
	tb_printf(b, "%s %s SIP/2.0\r\n", s->method, s->ruri);
	tb_printf(b, "Via: %s\r\n", via);
	tb_printf(b, "Max-Forwards: 70\r\n");
	for (i = 0; i < s->n_routes; i++)
		tb_printf(b, "Route: %s\r\n", s->routes[i]);
	tb_printf(b, "From: %s;tag=%s\r\n", s->from, s->from_tag);
	if (s->to_tag && *s->to_tag)
		tb_printf(b, "To: %s;tag=%s\r\n", s->to, s->to_tag);
	else
		tb_printf(b, "To: %s\r\n", s->to);
	tb_printf(b, "Call-ID: %s\r\n", s->call_id);
	tb_printf(b, "CSeq: %" PRIu32 " %s\r\n", s->cseq, s->method);
	if (s->contact) {
		contact_value(a, s->tcp, contact, sizeof(contact));
		tb_printf(b, "Contact: %s\r\n", contact);
	}
	if (s->extra)
		tb_printf(b, "%s", s->extra);
	tb_printf(b, "User-Agent: %s\r\n", a->user_agent);
	if (strcmp(s->method, "INVITE") == 0)
		tb_printf(b, "Allow: %s\r\n", SIP_ALLOW);
	if (s->body) {
		tb_printf(b, "Content-Type: %s\r\n",
			  s->content_type ? s->content_type : "application/sdp");
		tb_printf(b, "Content-Length: %zu\r\n\r\n%s", strlen(s->body),
			  s->body);
	} else {
		tb_printf(b, "Content-Length: 0\r\n\r\n");
	}
	if (b->overflow || b->pos > a->max_msg)
		return -EMSGSIZE;
	return 0;
}

static int build_request(struct sip_agent *a, const struct req_spec *s,
			 osip_message_t **ret, char *ret_branch, size_t brlen)
{
	struct tbuf *b = malloc(sizeof(*b));
	osip_message_t *m = NULL;
	int r;

	if (!b)
		return -ENOMEM;
	r = build_request_text(a, s, b, ret_branch, brlen);
	if (r == 0) {
		if (osip_message_init(&m) != 0) {
			r = -ENOMEM;
		} else if (osip_message_parse(m, b->buf, b->pos) != 0) {
			osip_message_free(m);
			m = NULL;
			r = -EINVAL;	/* e.g. a bad number in the URI */
		}
	}
	free(b);
	if (r == 0)
		*ret = m;
	return r;
}

/* Start a client transaction for @msg (taken in all cases). */
static int start_client_tx(struct sip_agent *a, osip_message_t *msg,
			   enum sip_tx_kind kind, struct sip_call *call,
			   const struct sockaddr_storage *dest,
			   osip_transaction_t **ret)
{
	osip_transaction_t *tr = NULL;
	struct sip_tx *tx;
	osip_event_t *ev;
	char ip[64];
	unsigned port;
	bool invite = kind == TX_INVITE_OUT;

	if (n_transactions(a) >= a->max_tx) {
		log_a(a, LOG_WARNING, "Transaction limit reached, %s not sent",
		      msg->sip_method);
		osip_message_free(msg);
		return -EBUSY;
	}
	tx = calloc(1, sizeof(*tx));
	if (!tx) {
		osip_message_free(msg);
		return -ENOMEM;
	}
	/* our Via tells libosip2 whether the transport is reliable */
	if (osip_transaction_init(&tr, invite ? ICT : NICT, a->osip, msg) != 0) {
		free(tx);
		osip_message_free(msg);
		return -ENOMEM;
	}
	addr_to_string(dest, ip, sizeof(ip), &port);
	if (invite)
		osip_ict_set_destination(tr->ict_context, osip_strdup(ip), port);
	else
		osip_nict_set_destination(tr->nict_context, osip_strdup(ip), port);
	tx->a = a;
	tx->kind = kind;
	tx->call = call;
	if (call)
		call->n_ref++;
	osip_transaction_set_your_instance(tr, tx);
	ev = osip_new_outgoing_sipmessage(msg);
	if (!ev) {
		/* the transaction owns nothing yet; free both */
		osip_remove_transaction(a->osip, tr);
		tx_free(tr);
		osip_message_free(msg);
		return -ENOMEM;
	}
	ev->transactionid = tr->transactionid;
	osip_transaction_add_event(tr, ev);
	if (ret)
		*ret = tr;
	pump_soon(a);
	return 0;
}

/* Where out-of-dialog requests go. */
static const struct sip_server *ood_server(struct sip_agent *a, bool reg)
{
	if (a->has_proxy)
		return &a->proxy;
	return reg ? &a->registrar : &a->domain_srv;
}

/* ---- digest ---- */

/* Parse the first usable challenge of a 401/407 into @auth. */
static int auth_take_challenge(struct sip_agent *a, osip_message_t *resp,
			       struct sip_auth *auth)
{
	bool proxy = resp->status_code == 407;
	osip_list_t *l = proxy ? &resp->proxy_authenticates :
				 &resp->www_authenticates;
	struct digest_challenge ch;
	int pos;

	for (pos = 0; !osip_list_eol(l, pos); pos++) {
		osip_www_authenticate_t *w = osip_list_get(l, pos);
		char *s = NULL;
		int r;

		if (osip_www_authenticate_to_str(w, &s) != 0 || !s)
			continue;
		r = digest_parse_challenge(s, &ch);
		osip_free(s);
		if (r < 0)
			continue;
		/* same nonce again, not stale: the password is wrong */
		if (auth->have && auth->tries > 0 && !ch.stale &&
		    strcmp(ch.nonce, auth->ch.nonce) == 0)
			return -EACCES;
		if (auth->tries >= SIP_AUTH_TRIES)
			return -EACCES;
		if (!auth->have || strcmp(ch.nonce, auth->ch.nonce) != 0)
			auth->nc = 0;
		auth->ch = ch;
		auth->have = true;
		auth->proxy = proxy;
		auth->tries++;
		return 0;
	}
	log_a(a, LOG_WARNING, "No usable digest challenge in %d", resp->status_code);
	return -EOPNOTSUPP;
}

/* "Authorization: ...\r\n" for @method @uri into @buf ("" if no challenge). */
static int auth_header(struct sip_agent *a, struct sip_auth *auth,
		       const char *method, const char *uri, char *buf,
		       size_t len)
{
	char value[1024], cnonce[17];
	int r, n;

	buf[0] = '\0';
	if (!auth->have)
		return 0;
	random_hex(cnonce, 16);
	auth->nc++;
	r = digest_authorization(&auth->ch, a->auth_user, a->password, method,
				 uri, cnonce, auth->nc, value, sizeof(value));
	if (r < 0) {
		log_a(a, LOG_ERR, "Failed to compute digest: %s", strerror(-r));
		return r;
	}
	n = snprintf(buf, len, "%s: %s\r\n",
		     auth->proxy ? "Proxy-Authorization" : "Authorization",
		     value);
	if (n < 0 || (size_t)n >= len)
		return -ENOBUFS;
	return 0;
}

/* ---- registration ---- */

static void reg_set_state(struct sip_agent *a, enum sip_reg_state s,
			  int status, unsigned expires)
{
	if (a->reg_state != s)
		log_a(a, LOG_INFO, "Registration %s -> %s (%d)",
		      reg_state_table[a->reg_state], reg_state_table[s], status);
	a->reg_state = s;
	if (a->cb.on_registration)
		a->cb.on_registration(a, s, status, expires, a->userdata);
}

static int reg_send(struct sip_agent *a);

static int reg_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
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
static void reg_flow_lost(struct sip_agent *a)
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

static int reg_send_expires(struct sip_agent *a, unsigned expires)
{
	const struct sip_server *srv = ood_server(a, true);
	struct req_spec s = { 0 };
	char aor[400], ruri[300], extra[1400], authz[1200];
	osip_message_t *msg = NULL;
	struct sip_tx *tx;
	osip_transaction_t *tr = NULL;
	int r;

	if (srv->n_addr == 0) {
		r = server_resolve(a, (struct sip_server *)srv);
		if (r < 0)
			return r;
	}
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

static int reg_send(struct sip_agent *a)
{
	int r;

	/* re-resolve on every attempt after a failure: the server may move */
	if (a->reg_state == SIP_REG_FAILED && !a->has_proxy)
		a->registrar.n_addr = 0;
	if (a->reg_state != SIP_REG_REGISTERED)
		a->reg_state = SIP_REG_REGISTERING;
	r = reg_send_expires(a, a->expires);
	if (r < 0)
		reg_failed(a, 0);
	return r;
}

/* Granted expiry: our Contact's expires=, else Expires:, else asked. */
static unsigned reg_granted(struct sip_agent *a, osip_message_t *resp)
{
	osip_contact_t *c;
	const char *e;
	int pos;

	for (pos = 0; osip_message_get_contact(resp, pos, &c) >= 0 && c; pos++) {
		if (!c->url || !c->url->username ||
		    strcmp(c->url->username, a->user) != 0 || !c->url->host ||
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
static void reg_response(struct sip_agent *a, struct sip_tx *tx,
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

/* ---- calls ---- */

static void call_free(struct sip_call *c)
{
	unsigned i;

	sd_event_source_unref(c->retx);
	free(c->local_uri);
	free(c->remote_uri);
	free(c->remote_target);
	for (i = 0; i < c->n_routes; i++)
		free(c->routes[i]);
	free(c->invite_branch_in);
	free(c->local_sdp);
	free(c->resp2xx);
	free(c->ruri);
	free(c->offer);
	free(c->auth_header);
	free(c->ack);
	free(c);
}

static void call_unref_internal(struct sip_call *c)
{
	if (c && --c->n_ref == 0)
		call_free(c);
}

struct sip_call *sip_call_ref(struct sip_call *c)
{
	if (c)
		c->n_ref++;
	return c;
}

struct sip_call *sip_call_unref(struct sip_call *c)
{
	if (!c)
		return NULL;
	call_unref_internal(c);
	return NULL;
}

struct sip_agent *sip_call_agent(const struct sip_call *c)
{
	return c->a;
}

enum sip_call_state sip_call_get_state(const struct sip_call *c)
{
	return c->state;
}

const char *sip_call_id(const struct sip_call *c)
{
	return c->call_id;
}

bool sip_call_is_outgoing(const struct sip_call *c)
{
	return c->outgoing;
}

void sip_call_set_userdata(struct sip_call *c, void *userdata)
{
	c->userdata = userdata;
}

void *sip_call_get_userdata(const struct sip_call *c)
{
	return c->userdata;
}

static struct sip_call *call_new(struct sip_agent *a, bool outgoing)
{
	struct sip_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->n_ref = 2;		/* the agent's and the user's */
	c->user_ref = true;
	c->a = a;
	c->outgoing = outgoing;
	c->live = true;
	c->next = a->calls;
	a->calls = c;
	a->n_calls++;
	random_hex(c->local_tag, 16);
	return c;
}

/* Leave a->calls and drop the agent's reference. */
static void call_unlink(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	struct sip_call **p;

	if (!c->live)
		return;
	for (p = &a->calls; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	c->live = false;
	a->n_calls--;
	c->retx = sd_event_source_disable_unref(c->retx);
	call_unref_internal(c);
}

static bool state_is_final(enum sip_call_state s)
{
	return s == SIP_CALL_FAILED || s == SIP_CALL_CANCELLED ||
	       s == SIP_CALL_TERMINATED;
}

/* The one place call states change; @notify=false for user-made ends. */
static void call_set_state(struct sip_call *c, enum sip_call_state s,
			   int status, const char *sdp, bool notify)
{
	struct sip_agent *a = c->a;

	if (c->final)
		return;
	log_a(a, LOG_INFO, "Call %s: %s -> %s (%d)", c->call_id,
	      call_state_table[c->state], call_state_table[s], status);
	c->state = s;
	if (state_is_final(s))
		c->final = true;
	if (c->final && c->offer_tr)
		offer_respond(c, 487, NULL, 0, NULL);
	c->n_ref++;
	if (notify && a->cb.on_call_state)
		a->cb.on_call_state(c, s, status, sdp, a->userdata);
	if (c->final)
		call_unlink(c);
	call_unref_internal(c);
}

static struct sip_call *find_call(struct sip_agent *a, const char *call_id,
				  const char *local_tag, const char *remote_tag)
{
	struct sip_call *c;

	for (c = a->calls; c; c = c->next) {
		if (strcmp(c->call_id, call_id) != 0)
			continue;
		if (local_tag && strcmp(c->local_tag, local_tag) != 0)
			continue;
		if (remote_tag && c->remote_tag[0] &&
		    strcmp(c->remote_tag, remote_tag) != 0)
			continue;
		return c;
	}
	return NULL;
}

static void call_set_routes(struct sip_call *c, osip_message_t *m,
			    bool reverse)
{
	osip_record_route_t *rr;
	unsigned i, n = 0;
	int pos;
	char *tmp[SIP_MAX_ROUTES];

	for (i = 0; i < c->n_routes; i++)
		free(c->routes[i]);
	c->n_routes = 0;
	for (pos = 0; osip_message_get_record_route(m, pos, &rr) >= 0 && rr &&
	     n < SIP_MAX_ROUTES; pos++) {
		char *s = NULL;

		if (osip_record_route_to_str(rr, &s) != 0 || !s)
			continue;
		tmp[n++] = strdup(s);
		osip_free(s);
	}
	for (i = 0; i < n; i++)
		c->routes[i] = reverse ? tmp[n - 1 - i] : tmp[i];
	c->n_routes = n;
}

static void call_set_target(struct sip_call *c, osip_message_t *m)
{
	osip_contact_t *ct = NULL;
	char *s = NULL;

	if (osip_message_get_contact(m, 0, &ct) < 0 || !ct || !ct->url)
		return;
	if (osip_uri_to_str(ct->url, &s) == 0 && s) {
		set_str(&c->remote_target, s);
		osip_free(s);
	}
}

/* Host/port of a URI or name-addr string. */
static int uri_hostport(const char *s, char *host, size_t hostlen,
			unsigned *port)
{
	osip_from_t *f = NULL;
	int r = -EINVAL;

	if (osip_from_init(&f) != 0)
		return -ENOMEM;
	if (osip_from_parse(f, s) == 0 && f->url && f->url->host &&
	    strlen(f->url->host) < hostlen) {
		strcpy(host, f->url->host);
		*port = f->url->port ? (unsigned)atoi(f->url->port) : 5060;
		r = 0;
	}
	osip_from_free(f);
	return r;
}

/* Next hop of an in-dialog request. */
static int dialog_destination(struct sip_call *c, struct sockaddr_storage *ss)
{
	struct sip_agent *a = c->a;
	const struct sip_server *srv;
	char host[256];
	unsigned port;
	socklen_t sl;

	if (a->has_proxy && a->proxy.n_addr) {
		*ss = a->proxy.addr[0];
		return 0;
	}
	if (uri_hostport(c->n_routes ? c->routes[0] : c->remote_target, host,
			 sizeof(host), &port) == 0 &&
	    resolve(a->family, host, port, true, ss, &sl, 1) > 0)
		return 0;
	srv = c->outgoing ? &a->domain_srv : &a->registrar;
	if (srv->n_addr == 0)
		return -EHOSTUNREACH;
	*ss = srv->addr[0];
	return 0;
}

/*
 * Fill @s for an in-dialog request.  Loose routing when the first route
 * has ;lr (or there is none); strict routing otherwise (RFC 3261 12.2.1.1).
 */
static void dialog_request(struct sip_call *c, struct req_spec *s,
			   const char *method, uint32_t cseq, char **routes)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->method = method;
	s->tcp = c->tcp;
	s->from = c->local_uri;
	s->from_tag = c->local_tag;
	s->to = c->remote_uri;
	s->to_tag = c->remote_tag;
	s->call_id = c->call_id;
	s->cseq = cseq;
	if (c->n_routes && !strstr(c->routes[0], ";lr")) {
		static char ruri[512];
		char *lt, *gt;

		snprintf(ruri, sizeof(ruri), "%s", c->routes[0]);
		lt = strchr(ruri, '<');
		gt = lt ? strchr(lt, '>') : NULL;
		if (lt && gt) {
			*gt = '\0';
			memmove(ruri, lt + 1, strlen(lt + 1) + 1);
		}
		s->ruri = ruri;
		for (i = 1; i < c->n_routes; i++)
			routes[i - 1] = c->routes[i];
		s->n_routes = c->n_routes - 1;
	} else {
		s->ruri = c->remote_target;
		for (i = 0; i < c->n_routes; i++)
			routes[i] = c->routes[i];
		s->n_routes = c->n_routes;
	}
	s->routes = routes;
}

/*
 * A request in the call's dialog (BYE, INFO): to the remote target along
 * the route set, with credentials when the dialog was challenged before;
 * @body with @content_type when not NULL.  *@ret_tr (may be NULL) gets the
 * client transaction.
 */
static int call_send_request(struct sip_call *c, const char *method,
			     enum sip_tx_kind kind, const char *body,
			     const char *content_type,
			     osip_transaction_t **ret_tr)
{
	struct sip_agent *a = c->a;
	struct sockaddr_storage dest;
	struct req_spec s;
	char *routes[SIP_MAX_ROUTES + 1];
	char authz[1200];
	osip_message_t *msg = NULL;
	uint32_t cseq = ++c->local_cseq;
	int r;

	if (!c->remote_target)
		return -ENOTCONN;
	r = dialog_destination(c, &dest);
	if (r < 0)
		return r;
	dialog_request(c, &s, method, cseq, routes);
	r = auth_header(a, &c->auth, method, s.ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
	s.extra = authz;
	s.body = body;
	s.content_type = content_type;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	return start_client_tx(a, msg, kind, c, &dest, ret_tr);
}

static int call_send_bye(struct sip_call *c)
{
	int r = call_send_request(c, "BYE", TX_BYE_OUT, NULL, NULL, NULL);

	if (r == 0)
		c->bye_sent = true;
	return r;
}

/* '0'-'9', '*', '#', 'A'-'D' (a-d as A-D), else 0. */
static char dtmf_digit(char d)
{
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	return d && strchr("0123456789*#ABCD", d) ? d : 0;
}

/* One DTMF digit in an INFO of the dialog. */
static int call_send_info(struct sip_call *c, char digit, unsigned duration_ms)
{
	osip_transaction_t *tr = NULL;
	struct sip_tx *tx;
	char body[64];
	int r;

	snprintf(body, sizeof(body), "Signal=%c\r\nDuration=%u\r\n", digit,
		 duration_ms);
	r = call_send_request(c, "INFO", TX_INFO_OUT, body,
			      "application/dtmf-relay", &tr);
	if (r < 0)
		return r;
	tx = osip_transaction_get_your_instance(tr);
	tx->digit = digit;
	tx->duration_ms = duration_ms;
	log_a(c->a, LOG_DEBUG, "Call %s: INFO DTMF %c (%u ms) sent",
	      c->call_id, digit, duration_ms);
	return 0;
}

/* ---- incoming calls ---- */

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
static void retx_arm(struct sip_call *c)
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
		contact_value(a, c->tcp, contact, sizeof(contact));
		osip_message_set_contact(r, contact);
	}
	if (code >= 200 && code < 300)
		osip_message_set_allow(r, SIP_ALLOW);
	add_warning(a, r, warning, text);
	response_add_body(r, sdp);
	if (code >= 200) {
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
static int offer_respond(struct sip_call *c, int code, const char *sdp,
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
		contact_value(a, c->tcp, contact, sizeof(contact));
		osip_message_set_contact(r, contact);
		osip_message_set_allow(r, SIP_ALLOW);
	} else if (code == 500) {
		osip_message_set_header(r, "Retry-After", "1");
	}
	add_warning(a, r, warning, text);
	response_add_body(r, code < 300 ? sdp : NULL);
	if (code < 300 && MSG_IS_INVITE(tr->orig_request))
		start_2xx_retransmit(c, r, tr->orig_request);
	return tx_respond(a, tr, r);
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

static bool source_allowed(struct sip_agent *a,
			   const struct sockaddr_storage *src)
{
	return a->allow_unknown || source_is_provider(a, src);
}

/*
 * Room for one more server transaction from @src?  The last max_tx/8
 * (at least 2) are kept for our own client transactions (REGISTER, BYE,
 * ...); of the rest, strangers together get at most half, and one
 * stranger address at most SIP_TX_PER_SOURCE: the provider always finds
 * room for its INVITEs.
 */
static bool server_tx_room(struct sip_agent *a, const struct sip_peer *src)
{
	osip_list_t *lists[] = {
		&a->osip->osip_ist_transactions, &a->osip->osip_nist_transactions,
	};
	unsigned reserve = a->max_tx / 8, room, others_max, per_src;
	unsigned n = 0, n_others = 0, n_src = 0, i;
	unsigned char k[16];
	int pos;

	if (reserve < 2)
		reserve = a->max_tx > 2 ? 2 : 0;
	room = a->max_tx - reserve;
	others_max = room / 2 ? room / 2 : 1;
	per_src = others_max < SIP_TX_PER_SOURCE ? others_max : SIP_TX_PER_SOURCE;
	ip_key(&src->addr, k);
	for (i = 0; i < 2; i++)
		for (pos = 0; !osip_list_eol(lists[i], pos); pos++) {
			osip_transaction_t *tr = osip_list_get(lists[i], pos);
			struct sip_tx *tx = osip_transaction_get_your_instance(tr);

			n++;
			if (!tx || tx->from_provider)
				continue;
			n_others++;
			if (memcmp(tx->src_ip, k, 16) == 0)
				n_src++;
		}
	if (n_transactions(a) >= a->max_tx || n >= room)
		return false;
	if (source_is_provider(a, &src->addr))
		return true;
	return n_others < others_max && n_src < per_src;
}

/* Create a server transaction for the request in @ev (which it takes). */
static osip_transaction_t *new_server_tx(struct sip_agent *a, osip_event_t *ev,
					 enum sip_tx_kind kind,
					 struct sip_call *call,
					 const struct sip_peer *src)
{
	osip_transaction_t *tr;
	struct sip_tx *tx = calloc(1, sizeof(*tx));

	if (!tx)
		return NULL;
	/* reliability comes from the top Via, already in the message */
	tr = osip_create_transaction(a->osip, ev);
	if (!tr) {
		free(tx);
		return NULL;
	}
	tx->a = a;
	tx->kind = kind;
	tx->call = call;
	tx->from_provider = source_is_provider(a, &src->addr);
	ip_key(&src->addr, tx->src_ip);
	if (call)
		call->n_ref++;
	/* responses go back the way the request came (0: UDP) */
	osip_transaction_set_in_socket(tr, src->conn);
	osip_transaction_set_out_socket(tr, src->conn);
	osip_transaction_set_your_instance(tr, tx);
	osip_transaction_add_event(tr, ev);
	/* the IST / NIST learn the request from this first event */
	osip_transaction_execute(tr, osip_fifo_get(tr->transactionff));
	return tr;
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
	if (c->offer_tr) {
		osip_transaction_t *pending = c->offer_tr;

		log_a(a, LOG_NOTICE, "Call %s: %s while an offer is pending, 500",
		      c->call_id, tr->orig_request->sip_method);
		c->offer_tr = tr;
		offer_respond(c, 500, NULL, 0, NULL);
		c->offer_tr = pending;
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
static void handle_update(struct sip_agent *a, osip_event_t *ev,
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

static void handle_invite(struct sip_agent *a, osip_event_t *ev,
			  const struct sip_peer *src)
{
	osip_message_t *m = ev->sip;
	const char *rtag = from_tag(m->from);
	const char *ltag = from_tag(m->to);
	struct sip_caller caller;
	struct sip_call *c;
	osip_transaction_t *tr;
	const char *body;
	char *cid;

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
	if (a->n_calls >= a->max_dialogs) {
		int code = 486;

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
	c->tcp = src->tcp;
	c->conn = src->conn;
	c->state = SIP_CALL_INCOMING;
	fill_caller(m, &caller);

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
static struct sip_call *find_cancelled(struct sip_agent *a, osip_message_t *m)
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

static void handle_cancel(struct sip_agent *a, osip_event_t *ev,
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

static void handle_bye(struct sip_agent *a, osip_event_t *ev,
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

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* @s..@e without leading and trailing blanks (and CR/LF). */
static void trim_span(const char **s, const char **e)
{
	while (*s < *e && is_space(**s))
		(*s)++;
	while (*e > *s && is_space((*e)[-1]))
		(*e)--;
}

static bool span_is(const char *s, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - s) == n && strncasecmp(s, word, n) == 0;
}

/*
 * An application/dtmf-relay body of @len bytes (see sip.h): the digit in
 * *@ret_digit, the Duration in *@ret_ms (0 when absent).  Returns 0 or
 * -EBADMSG.
 */
static int parse_dtmf_relay(const char *body, size_t len, char *ret_digit,
			    unsigned *ret_ms)
{
	const char *p = body, *end = body + len;
	char digit = 0;
	unsigned ms = 0;
	bool have_ms = false;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *le = nl ? nl : end, *ks = p, *ke, *vs, *ve;

		p = nl ? nl + 1 : end;
		ke = memchr(ks, '=', le - ks);
		ve = le;
		trim_span(&ks, &ve);
		if (ks == ve)
			continue;		/* an empty line */
		if (!ke || ke < ks)
			return -EBADMSG;
		vs = ke + 1;
		trim_span(&ks, &ke);
		trim_span(&vs, &ve);
		if (span_is(ks, ke, "Signal")) {
			if (digit)
				return -EBADMSG;
			if (ve - vs == 1)
				digit = dtmf_digit(*vs);
			else if (span_is(vs, ve, "10"))
				digit = '*';
			else if (span_is(vs, ve, "11"))
				digit = '#';
			if (!digit)
				return -EBADMSG;
		} else if (span_is(ks, ke, "Duration")) {
			if (have_ms || vs == ve || ve - vs > 5)
				return -EBADMSG;
			for (ms = 0; vs < ve; vs++) {
				if (*vs < '0' || *vs > '9')
					return -EBADMSG;
				ms = ms * 10 + (unsigned)(*vs - '0');
			}
			if (ms > SIP_DTMF_DURATION_MAX)
				return -EBADMSG;
			have_ms = true;
		} else if (ke == ks) {
			return -EBADMSG;	/* "=value" */
		}
	}
	if (!digit)
		return -EBADMSG;
	*ret_digit = digit;
	*ret_ms = ms;
	return 0;
}

/* An application/dtmf body: the digit alone.  Returns 0 or -EBADMSG. */
static int parse_dtmf(const char *body, size_t len, char *ret_digit)
{
	const char *s = body, *e = body + len;

	trim_span(&s, &e);
	if (e - s != 1 || !dtmf_digit(*s))
		return -EBADMSG;
	*ret_digit = dtmf_digit(*s);
	return 0;
}

static bool content_type_is(osip_message_t *m, const char *type,
			    const char *subtype)
{
	const osip_content_type_t *ct = m->content_type;

	return ct && ct->type && ct->subtype &&
	       strcasecmp(ct->type, type) == 0 &&
	       strcasecmp(ct->subtype, subtype) == 0;
}

/* INFO: in a dialog, a DTMF digit (see sip.h); outside one, 481. */
static void handle_info(struct sip_agent *a, osip_event_t *ev,
			const struct sip_peer *src)
{
	osip_message_t *m = ev->sip, *req, *r;
	osip_transaction_t *tr;
	osip_body_t *b = NULL;
	struct sip_call *c = NULL;
	char *cid = call_id_of(m);
	const char *ltag = from_tag(m->to), *rtag = from_tag(m->from);
	char digit = 0, tag[20];
	unsigned ms = 0;
	bool relay, plain;
	int code = 200;

	if (cid && ltag)
		c = find_call(a, cid, ltag, rtag);
	osip_free(cid);
	tr = new_server_tx(a, ev, TX_OTHER_IN, c, src);
	if (!tr) {
		osip_event_free(ev);
		return;
	}
	req = tr->orig_request;
	if (!c) {
		random_hex(tag, 16);
		respond_in_tx(a, tr, 481, tag);
		return;
	}
	relay = content_type_is(req, "application", "dtmf-relay");
	plain = content_type_is(req, "application", "dtmf");
	if (osip_message_get_body(req, 0, &b) < 0 || !b || !b->body ||
	    !b->length) {
		/* no body: nothing to do, unless a DTMF type promised one */
		code = relay || plain ? 400 : 200;
	} else if (!relay && !plain) {
		code = 415;
	} else if (b->length > SIP_DTMF_BODY_MAX ||
		   memchr(b->body, '\0', b->length) ||
		   (relay ? parse_dtmf_relay(b->body, b->length, &digit, &ms) :
			    parse_dtmf(b->body, b->length, &digit)) < 0) {
		code = 400;
	}
	if (code == 415) {
		log_a(a, LOG_INFO, "Call %s: INFO with Content-Type %s/%s, 415",
		      c->call_id,
		      req->content_type && req->content_type->type ?
		      req->content_type->type : "(none)",
		      req->content_type && req->content_type->subtype ?
		      req->content_type->subtype : "");
		r = make_response(a, req, 415, NULL);
		if (!r)
			return;
		osip_message_set_header(r, "Accept", SIP_DTMF_ACCEPT);
		response_add_body(r, NULL);
		tx_respond(a, tr, r);
		return;
	}
	if (code == 400)
		log_a(a, LOG_NOTICE, "Call %s: malformed DTMF INFO, 400",
		      c->call_id);
	respond_in_tx(a, tr, code, NULL);
	if (!digit)
		return;
	log_a(a, LOG_DEBUG, "Call %s: INFO DTMF %c (%u ms) received",
	      c->call_id, digit, ms);
	if (a->cb.on_dtmf) {
		c->n_ref++;
		a->cb.on_dtmf(c, digit, ms, a->userdata);
		call_unref_internal(c);
	}
}

static void handle_ack_2xx(struct sip_agent *a, osip_message_t *m)
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
	if (!c || c->outgoing)
		return;
	if (c->resp2xx) {
		const char *sdp = NULL;

		stop_2xx_retransmit(c);
		/* the answer to the offer in our 2xx (RFC 3261 13.2.1) */
		if (sdp_body(m, &sdp) < 0)
			log_a(a, LOG_NOTICE, "Call %s: ACK with a body that is not SDP, ignored",
			      c->call_id);
		if (c->state == SIP_CALL_ANSWERED || sdp)
			call_set_state(c, SIP_CALL_CONFIRMED, 200, sdp, true);
	}
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

/* ---- outgoing calls ---- */

static int call_send_invite(struct sip_call *c)
{
	struct sip_agent *a = c->a;
	const struct sip_server *srv = ood_server(a, false);
	struct req_spec s = { 0 };
	char authz[1200];
	osip_message_t *msg = NULL;
	int r;

	if (srv->n_addr == 0)
		return -EHOSTUNREACH;
	r = auth_header(a, &c->auth, "INVITE", c->ruri, authz, sizeof(authz));
	if (r < 0)
		return r;
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
	s.extra = authz;
	s.body = c->offer;
	set_str(&c->auth_header, authz);
	r = build_request(a, &s, &msg, c->invite_branch,
			  sizeof(c->invite_branch));
	if (r < 0)
		return r;
	c->provisional = false;
	return start_client_tx(a, msg, TX_INVITE_OUT, c, &srv->addr[0],
			       &c->ict);
}

int sip_call_invite(struct sip_agent *a, const char *number,
		    const char *sdp_offer, struct sip_call **ret_call)
{
	struct sip_call *c;
	char buf[600];
	size_t i;
	int r;

	if (!a || !number || !*number || !ret_call || !sdp_offer)
		return -EINVAL;
	for (i = 0; number[i]; i++)
		if (!isalnum((unsigned char)number[i]) &&
		    !strchr("*#+-._!~'()", number[i]))
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
	snprintf(buf, sizeof(buf), "sip:%s@%s", number, a->domain);
	c->ruri = strdup(buf);
	if (a->display_name[0])
		snprintf(buf, sizeof(buf), "\"%s\" <sip:%s@%s>", a->display_name,
			 a->user, a->domain);
	else
		snprintf(buf, sizeof(buf), "<sip:%s@%s>", a->user, a->domain);
	c->local_uri = strdup(buf);
	snprintf(buf, sizeof(buf), "<sip:%s@%s>", number, a->domain);
	c->remote_uri = strdup(buf);
	c->offer = strdup(sdp_offer);
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
	if (!c->outgoing && !c->answered) {
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

int sip_call_send_dtmf(struct sip_call *c, char digit, unsigned duration_ms)
{
	if (!c || !dtmf_digit(digit))
		return -EINVAL;
	if (c->final)
		return -ESTALE;
	if (!c->answered || c->bye_sent)
		return -ENOTCONN;
	return call_send_info(c, dtmf_digit(digit), duration_ms);
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

static void ict_response(struct sip_call *c, osip_message_t *resp)
{
	int code = resp->status_code;
	const char *sdp = body_of(resp);

	if (code < 200) {
		if (code > 100)
			call_learn_dialog(c, resp);
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
		call_set_state(c, SIP_CALL_ANSWERED, code, sdp, true);
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

/* ---- libosip2 callbacks ---- */

static void cb_ict_status(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	(void)type;
	if (!tx || !tx->call || !m)
		return;
	ict_response(tx->call, m);
}

static void cb_ict_timeout(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	(void)type;
	(void)m;
	if (!tx || !tx->call)
		return;
	if (tx->call->cancel_wanted)
		call_set_state(tx->call, SIP_CALL_CANCELLED, 408, NULL, true);
	else
		call_set_state(tx->call, SIP_CALL_FAILED, 408, NULL, true);
}

/* A final response @m, or none: @code_none is 408 (timeout) or 503. */
static void nict_done(osip_transaction_t *tr, osip_message_t *m, int code_none)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);
	struct sip_call *c;
	int code = m ? m->status_code : code_none;

	if (!tx)
		return;
	c = tx->call;
	switch (tx->kind) {
	case TX_REGISTER:
		reg_response(tx->a, tx, m, code_none,
			     tr->out_socket > 0 ? (unsigned)tr->out_socket : 0);
		break;
	case TX_BYE_OUT:
		if (!c)
			break;
		if ((code == 401 || code == 407) && !c->final &&
		    auth_take_challenge(c->a, m, &c->auth) == 0 &&
		    call_send_bye(c) == 0)
			break;
		call_set_state(c, SIP_CALL_TERMINATED, code, NULL, true);
		break;
	case TX_CANCEL_OUT:
		/* the INVITE's 487 (or Timer B) ends the call */
		break;
	case TX_INFO_OUT:
		if (!c)
			break;
		if ((code == 401 || code == 407) && !c->final &&
		    auth_take_challenge(c->a, m, &c->auth) == 0 &&
		    call_send_info(c, tx->digit, tx->duration_ms) == 0)
			break;
		if (code >= 200 && code < 300)
			log_a(tx->a, LOG_DEBUG, "Call %s: INFO DTMF %c answered %d",
			      c->call_id, tx->digit, code);
		else
			log_a(tx->a, LOG_NOTICE,
			      "Call %s: INFO DTMF %c got %d%s, the far end may have missed the digit",
			      c->call_id, tx->digit, code,
			      m ? "" : code == 408 ? " (no response)" :
				       " (transport failure)");
		break;
	default:
		break;
	}
}

static void cb_nict_status(int type, osip_transaction_t *tr, osip_message_t *m)
{
	(void)type;
	if (m && m->status_code >= 200)
		nict_done(tr, m, 0);
}

static void cb_nict_timeout(int type, osip_transaction_t *tr, osip_message_t *m)
{
	(void)type;
	(void)m;
	nict_done(tr, NULL, 408);
}

/* A client transaction could not send, or lost its connection: 503. */
static void client_tx_failed(osip_transaction_t *tr)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	if (!tx)
		return;
	if (tr->ctx_type == NICT)
		nict_done(tr, NULL, 503);
	else if (tr->ctx_type == ICT && tx->call)
		call_set_state(tx->call, tx->call->cancel_wanted ?
			       SIP_CALL_CANCELLED : SIP_CALL_FAILED, 503, NULL,
			       true);
}

static void cb_transport_error(int type, osip_transaction_t *tr, int error)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	(void)error;
	if (!tx)
		return;
	if (type == OSIP_NICT_TRANSPORT_ERROR || type == OSIP_ICT_TRANSPORT_ERROR)
		client_tx_failed(tr);
	else if (type == OSIP_IST_TRANSPORT_ERROR && tx->call &&
		 !tx->call->answered)
		/* our response cannot reach the caller: the call is gone */
		call_set_state(tx->call, SIP_CALL_FAILED, 503, NULL, true);
}

static void queue_dead(struct sip_agent *a, osip_transaction_t *tr);

/*
 * Connection @id is gone: the client transactions waiting on it for a
 * response fail now rather than at Timer B/F.  Server transactions stay:
 * their responses reconnect to the Via address (RFC 3261 18.2.2).
 */
static void conn_fail_transactions(struct sip_agent *a, unsigned id)
{
	osip_list_t *lists[] = {
		&a->osip->osip_ict_transactions, &a->osip->osip_nict_transactions,
	};
	unsigned i;
	int pos;

	for (i = 0; i < 2; i++) {
		pos = 0;
		while (!osip_list_eol(lists[i], pos)) {
			osip_transaction_t *tr = osip_list_get(lists[i], pos);
			struct sip_tx *tx = osip_transaction_get_your_instance(tr);
			bool waiting = tr->ctx_type == ICT ?
				tr->state == ICT_CALLING || tr->state == ICT_PROCEEDING :
				tr->state == NICT_TRYING || tr->state == NICT_PROCEEDING;

			if (tr->out_socket != (int)id || !waiting) {
				pos++;
				continue;
			}
			osip_remove_transaction(a->osip, tr);
			queue_dead(a, tr);
			if (tx && tx->call && tx->call->ict == tr)
				tx->call->ict = NULL;
			client_tx_failed(tr);
			pos = 0;	/* the callbacks may have changed the list */
		}
	}
	pump_soon(a);
}

static void cb_kill(int type, osip_transaction_t *tr)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);
	struct sip_agent *a = osip_get_application_context(tr->config);

	(void)type;
	if (tx && tx->call) {
		if (tx->call->ist == tr)
			tx->call->ist = NULL;
		if (tx->call->ict == tr)
			tx->call->ict = NULL;
	}
	/* free nothing here: remove now, free after the execute loop */
	osip_remove_transaction(a->osip, tr);
	queue_dead(a, tr);
}

static void queue_dead(struct sip_agent *a, osip_transaction_t *tr)
{
	if (a->n_dead == a->dead_alloc) {
		size_t n = a->dead_alloc ? 2 * a->dead_alloc : 16;
		void *p = realloc(a->dead, n * sizeof(*a->dead));

		if (!p) {
			log_a(a, LOG_ERR, "Out of memory, leaking a transaction");
			return;
		}
		a->dead = p;
		a->dead_alloc = n;
	}
	a->dead[a->n_dead++] = tr;
	pump_soon(a);
}

static void register_callbacks(osip_t *o)
{
	int t;

	osip_set_cb_send_message(o, sip_send_cb);
	for (t = OSIP_ICT_STATUS_1XX_RECEIVED; t <= OSIP_ICT_STATUS_6XX_RECEIVED;
	     t++)
		osip_set_message_callback(o, t, cb_ict_status);
	osip_set_message_callback(o, OSIP_ICT_STATUS_TIMEOUT, cb_ict_timeout);
	for (t = OSIP_NICT_STATUS_1XX_RECEIVED; t <= OSIP_NICT_STATUS_6XX_RECEIVED;
	     t++)
		if (t != OSIP_NICT_STATUS_2XX_RECEIVED_AGAIN)
			osip_set_message_callback(o, t, cb_nict_status);
	osip_set_message_callback(o, OSIP_NICT_STATUS_TIMEOUT, cb_nict_timeout);
	for (t = OSIP_ICT_KILL_TRANSACTION; t <= OSIP_NIST_KILL_TRANSACTION; t++)
		osip_set_kill_transaction_callback(o, t, cb_kill);
	for (t = OSIP_ICT_TRANSPORT_ERROR; t <= OSIP_NIST_TRANSPORT_ERROR; t++)
		osip_set_transport_error_callback(o, t, cb_transport_error);
}

/* ---- receive ---- */

/*
 * The mandatory headers (RFC 3261 8.1.1; Max-Forwards is not required of a
 * request reaching a UA: RFC 2543 had none, RFC 4475 3.4.1); @what names
 * the first missing.
 */
static bool message_complete(osip_message_t *m, const char **what)
{
	osip_via_t *v = NULL;

	*what = NULL;
	if (osip_message_get_via(m, 0, &v) < 0 || !v || !v->host)
		*what = "Via";
	else if (!m->from || !m->from->url)
		*what = "From";
	else if (!m->to || !m->to->url)
		*what = "To";
	else if (!m->call_id || !m->call_id->number)
		*what = "Call-ID";
	else if (!m->cseq || !m->cseq->number || !m->cseq->method ||
		 !isdigit((unsigned char)m->cseq->number[0]))
		*what = "CSeq";
	else if (MSG_IS_REQUEST(m) && (!m->sip_method || !m->req_uri ||
		 strcmp(m->sip_method, m->cseq->method) != 0))
		*what = "CSeq method";
	return *what == NULL;
}

/* @s is decimal digits only (no sign, no blank) worth at most @max. */
static bool decimal_ok(const char *s, uint64_t max)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	return true;
}

/*
 * Everything a message must pass beyond libosip2's parser, in one place
 * (RFC 3261 7, 8.2, 18.3, 20; the invalid messages of RFC 4475): @buf is
 * the datagram, or one message framed from a stream.  Returns 0, or the
 * status a request is refused with (400, 416, 505); *@why says why.  A
 * response that fails is dropped.
 */
static int message_check(osip_message_t *m, const char *buf, size_t len,
			 const char **why)
{
	const char *eoh, *v, *crlf2, *lf2;
	osip_header_t *h = NULL;
	size_t body;
	int i;

	/* the header block ends with an empty line, inside the message */
	crlf2 = memmem(buf, len, "\r\n\r\n", 4);
	lf2 = memmem(buf, len, "\n\n", 2);
	if (crlf2 && (!lf2 || crlf2 < lf2)) {
		eoh = crlf2 + 4;
	} else if (lf2) {
		eoh = lf2 + 2;
	} else {
		*why = "no end of the header block";
		return 400;
	}
	body = len - (size_t)(eoh - buf);
	if (!m->sip_version || strcasecmp(m->sip_version, "SIP/2.0") != 0) {
		*why = "SIP version";
		return 505;
	}
	if (MSG_IS_RESPONSE(m) &&
	    (m->status_code < 100 || m->status_code > 699)) {
		*why = "status code";
		return 400;
	}
	if (!message_complete(m, why))
		return 400;
	/* CSeq number: 32 bits, below 2^31 (RFC 3261 8.1.1.5) */
	if (!decimal_ok(m->cseq->number, 0x7fffffff)) {
		*why = "CSeq number";
		return 400;
	}
	/* Max-Forwards: 0-255, once */
	i = osip_message_header_get_byname(m, "max-forwards", 0, &h);
	if (i >= 0 && h) {
		if (!decimal_ok(h->hvalue, 255) ||
		    osip_message_header_get_byname(m, "max-forwards", i + 1,
						   &h) >= 0) {
			*why = "Max-Forwards";
			return 400;
		}
	}
	/* Content-Length: a number, at most what the message holds */
	if (m->content_length &&
	    (!decimal_ok(m->content_length->value, body))) {
		*why = "Content-Length";
		return 400;
	}
	/* Date: only in GMT (RFC 3261 20.17) */
	v = header_value(m, "date");
	if (v) {
		size_t n = strlen(v);

		while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
			n--;
		if (n < 3 || strncmp(v + n - 3, "GMT", 3) != 0) {
			*why = "Date not in GMT";
			return 400;
		}
	}
	if (MSG_IS_RESPONSE(m))
		return 0;
	/* Request-URI: sip, sips or tel; a SIP URI with a host, no headers */
	if (!m->req_uri || !m->req_uri->scheme) {
		*why = "Request-URI";
		return 400;
	}
	if (strcasecmp(m->req_uri->scheme, "sip") != 0 &&
	    strcasecmp(m->req_uri->scheme, "sips") != 0 &&
	    strcasecmp(m->req_uri->scheme, "tel") != 0) {
		*why = "Request-URI scheme";
		return 416;
	}
	if (strcasecmp(m->req_uri->scheme, "tel") != 0 &&
	    (!m->req_uri->host || !*m->req_uri->host ||
	     !osip_list_eol(&m->req_uri->url_headers, 0))) {
		*why = "Request-URI host or headers";
		return 400;
	}
	return 0;
}

static void add_received(osip_message_t *m, const struct sockaddr_storage *src)
{
	osip_via_t *v = NULL;
	osip_generic_param_t *p = NULL;
	char ip[64], port[8];
	unsigned pnum;

	if (osip_message_get_via(m, 0, &v) < 0 || !v)
		return;
	addr_to_string(src, ip, sizeof(ip), &pnum);
	snprintf(port, sizeof(port), "%u", pnum);
	if (osip_via_param_get_byname(v, "received", &p) == 0 && p) {
		osip_free(p->gvalue);
		p->gvalue = osip_strdup(ip);
	} else {
		osip_via_set_received(v, osip_strdup(ip));
	}
	p = NULL;
	if (osip_via_param_get_byname(v, "rport", &p) == 0 && p) {
		osip_free(p->gvalue);
		p->gvalue = osip_strdup(port);
	}
	osip_message_force_update(m);
}

/*
 * Is @host (of a Request-URI) ours?  Our address as announced (local_ip:
 * nat_address, contact_address, the bound or routed address), the bound
 * address, the address the registrar saw our last REGISTER come from (its
 * received=: behind NAT, a provider may send INVITEs there), any address
 * of a local interface, or the name of the domain, registrar or outbound
 * proxy (a provider may put any of them there).
 */
static bool host_is_ours(struct sip_agent *a, const char *host)
{
	const char *names[] = {
		a->local_ip, a->nat_address, a->contact_address,
		a->bind_address, a->public_ip, a->domain_srv.host,
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
	    resolve(a->family, host, 5060, true, &ss, &sl, 1) < 0)
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
 * someone else's call: 404.
 */
static bool invite_is_ours(struct sip_agent *a, osip_message_t *m)
{
	osip_uri_t *u = m->req_uri;
	bool tel = strcasecmp(u->scheme, "tel") == 0;
	const char *ruser = tel ? u->string : u->username;

	if (!tel && !host_is_ours(a, u->host))
		return false;
	if (!ruser || !*ruser || user_is_ours(a, ruser))
		return true;
	return m->to && m->to->url && user_is_ours(a, m->to->url->username);
}

/*
 * The option tags of the Require headers of @m we do not support (all of
 * them: fxsd implements no extension) as "a, b" in @buf; false if none.
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
		   !MSG_IS_OPTIONS(m) && !MSG_IS_INFO(m) && !MSG_IS_UPDATE(m)) {
		/* RFC 3265/6665: an event package we do not serve */
		code = MSG_IS_SUBSCRIBE(m) ? 489 : 405;
		hdrs = allow;
	} else if (!MSG_IS_CANCEL(m) &&
		   unsupported_required(m, tags, sizeof(tags))) {
		code = 420;	/* RFC 3261 8.2.2.3 */
		unsup[1] = tags;
		hdrs = unsup;
	} else if (MSG_IS_OPTIONS(m)) {
		code = 200;
		hdrs = options;
	} else if (MSG_IS_INVITE(m)) {
		if (ltag && !c) {
			code = 481;
		} else if (new_invite && !invite_is_ours(a, m)) {
			log_peer(a, &src->addr, LOG_NOTICE,
				 "INVITE from %s:%u for someone else, 404", ip,
				 port);
			code = 404;
		} else if (new_invite && sdp_not_accepted(m)) {
			code = 406;
			hdrs = accept;
		}
	} else if (MSG_IS_CANCEL(m)) {
		if (!find_cancelled(a, m))
			code = 481;
	} else if (MSG_IS_BYE(m) || MSG_IS_INFO(m) || MSG_IS_UPDATE(m)) {
		if (!c)
			code = 481;
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

static void handle_message(struct sip_agent *a, const char *buf, size_t len,
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
		return;
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
		return;
	}
	if (MSG_IS_RESPONSE(m)) {
		if (osip_find_transaction_and_add_event(a->osip, ev) == 0)
			return;
		/* no transaction: a retransmitted 2xx to our INVITE */
		if (MSG_IS_STATUS_2XX(m) && strcmp(m->cseq->method, "INVITE") == 0) {
			char *cid = call_id_of(m);
			struct sip_call *c = cid ? find_call(a, cid, from_tag(m->from),
							     NULL) : NULL;

			osip_free(cid);
			if (c && c->outgoing)
				ict_response(c, m);
		}
		osip_event_free(ev);
		return;
	}

	add_received(m, &src->addr);
	if (osip_find_transaction_and_add_event(a->osip, ev) == 0)
		return;	/* a retransmission, or the ACK of a non-2xx */
	if (MSG_IS_ACK(m)) {
		handle_ack_2xx(a, m);
		osip_event_free(ev);
		return;
	}
	if (answer_without_tx(a, m, src)) {
		osip_event_free(ev);
		return;
	}
	if (!server_tx_room(a, src)) {
		log_peer(a, &src->addr, LOG_WARNING,
			 "Transaction limit reached, %s answered 503",
			 m->sip_method);
		respond_stateless(a, m, 503, src);
		osip_event_free(ev);
		return;
	}
	if (MSG_IS_INVITE(m))
		handle_invite(a, ev, src);
	else if (MSG_IS_CANCEL(m))
		handle_cancel(a, ev, src);
	else if (MSG_IS_BYE(m))
		handle_bye(a, ev, src);
	else if (MSG_IS_INFO(m))
		handle_info(a, ev, src);
	else if (MSG_IS_UPDATE(m))
		handle_update(a, ev, src);
	else
		handle_other_request(a, ev, src);
}

static int io_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct sip_agent *a = userdata;
	struct sip_peer src = { .tcp = false };
	char *buf;
	ssize_t n;
	int i;

	(void)s;
	(void)revents;
	buf = malloc(a->max_msg + 1);
	if (!buf)
		return 0;
	for (i = 0; i < 32; i++) {
		src.len = sizeof(src.addr);
		n = recvfrom(fd, buf, a->max_msg + 1, MSG_TRUNC,
			     (void *)&src.addr, &src.len);
		if (n < 0)
			break;
		if ((size_t)n > a->max_msg) {
			log_a(a, LOG_NOTICE, "Datagram of %zd bytes over the limit, dropped", n);
			continue;
		}
		if (n < 16)
			continue;	/* keep-alive CRLFs and noise */
		buf[n] = '\0';
		handle_message(a, buf, n, &src);
	}
	free(buf);
	sip_pump(a);
	return 0;
}

/* ---- agent ---- */

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
}

static int server_init(struct sip_server *s, const char *hostport)
{
	memset(s, 0, sizeof(*s));
	if (!hostport || !*hostport)
		return 0;
	return split_hostport(hostport, s->host, sizeof(s->host), &s->port,
			      &s->port_given);
}

/* The address peers reach us at: NAT, configured, bound, or routed. */
static void pick_local_ip(struct sip_agent *a)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned port;
	int fd;

	if (a->nat_address[0]) {
		snprintf(a->local_ip, sizeof(a->local_ip), "%s", a->nat_address);
		return;
	}
	if (a->contact_address[0]) {
		snprintf(a->local_ip, sizeof(a->local_ip), "%s", a->contact_address);
		return;
	}
	if (strcmp(a->bind_address, "0.0.0.0") != 0 &&
	    strcmp(a->bind_address, "::") != 0) {
		snprintf(a->local_ip, sizeof(a->local_ip), "%s", a->bind_address);
		return;
	}
	snprintf(a->local_ip, sizeof(a->local_ip), "%s",
		 a->family == AF_INET6 ? "::1" : "127.0.0.1");
	if (a->registrar.n_addr == 0)
		return;
	fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (connect(fd, (void *)&a->registrar.addr[0], a->registrar.addrlen[0]) == 0 &&
	    getsockname(fd, (void *)&ss, &sl) == 0)
		addr_to_string(&ss, a->local_ip, sizeof(a->local_ip), &port);
	close(fd);
}

/*
 * The UDP socket on @ss (port 0: any), and for TCP the listener on the
 * same port.  -EADDRINUSE when the TCP port is taken.
 */
static int open_sockets(struct sip_agent *a, const struct sockaddr_storage *bss,
			socklen_t bsl)
{
	struct sockaddr_storage ss = *bss;
	socklen_t sl = bsl;
	unsigned port;
	int one = 1;

	if (a->fd >= 0)
		close(a->fd);
	if (a->tcp_fd >= 0)
		close(a->tcp_fd);
	a->tcp_fd = -1;
	a->fd = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (a->fd < 0)
		return -errno;
	if (bind(a->fd, (void *)&ss, sl) < 0)
		return -errno;
	sl = sizeof(ss);
	if (getsockname(a->fd, (void *)&ss, &sl) < 0)
		return -errno;
	addr_to_string(&ss, a->local_ip, sizeof(a->local_ip), &port);
	a->local_port = port;
	if (!a->tcp)
		return 0;
	a->tcp_fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   0);
	if (a->tcp_fd < 0)
		return -errno;
	/* a restarted daemon must not wait for old connections' TIME_WAIT */
	setsockopt(a->tcp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(a->tcp_fd, (void *)&ss, sl) < 0 || listen(a->tcp_fd, 16) < 0)
		return -errno;
	return 0;
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
	a->tcp = acct->transport == SIP_TRANSPORT_TCP;
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
	a->expires = acct->expires ? acct->expires : 3600;
	a->max_tx = acct->max_transactions ? acct->max_transactions : 64;
	a->max_dialogs = acct->max_dialogs ? acct->max_dialogs : 8;
	a->max_msg = acct->max_message_size ? acct->max_message_size : 65535;
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
	if (r < 0)
		goto fail;
	a->has_proxy = a->proxy.host[0];

	r = resolve(AF_UNSPEC, a->bind_address, acct->local_port, true, &ss, &sl, 1);
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
	if (a->tcp) {
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

	random_hex(a->reg_call_id, 32);
	random_hex(a->reg_from_tag, 16);
	a->reg_cseq = 0;
	*ret_agent = a;
	return 0;
fail:
	sip_agent_free(a);
	return r;
}

int sip_agent_start(struct sip_agent *a)
{
	int r;

	if (!a)
		return -EINVAL;
	if (a->has_proxy) {
		r = server_resolve(a, &a->proxy);
		if (r < 0)
			log_a(a, LOG_WARNING, "Outbound proxy %s unresolved",
			      a->proxy.host);
	}
	server_resolve(a, &a->registrar);
	if (strcmp(a->domain_srv.host, a->registrar.host) == 0 &&
	    a->domain_srv.port == a->registrar.port &&
	    a->domain_srv.port_given == a->registrar.port_given) {
		/* the usual case: the same lookup, do not block twice */
		memcpy(a->domain_srv.addr, a->registrar.addr,
		       sizeof(a->domain_srv.addr));
		memcpy(a->domain_srv.addrlen, a->registrar.addrlen,
		       sizeof(a->domain_srv.addrlen));
		a->domain_srv.n_addr = a->registrar.n_addr;
	} else {
		server_resolve(a, &a->domain_srv);
	}
	pick_local_ip(a);
	a->started = true;
	a->stopping = false;
	log_a(a, LOG_INFO, "SIP agent %s@%s on %s:%u (%s)", a->user, a->domain,
	      a->local_ip, a->local_port, a->tcp ? "TCP" : "UDP");
	if (a->register_enabled)
		return reg_send(a);
	return 0;
}

int sip_agent_register_now(struct sip_agent *a)
{
	if (!a || !a->register_enabled || a->stopping)
		return -EINVAL;
	if (a->reg_in_flight)
		return 0;
	a->retry_s = 0;
	return reg_send(a);
}

int sip_agent_stop(struct sip_agent *a)
{
	if (!a)
		return -EINVAL;
	a->stopping = true;
	sd_event_source_set_enabled(a->reg_timer, SD_EVENT_OFF);
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

static void free_tx_list(osip_list_t *l)
{
	while (!osip_list_eol(l, 0)) {
		osip_transaction_t *tr = osip_list_get(l, 0);

		osip_remove_transaction(tr->config, tr);
		if (!osip_list_eol(l, 0) && osip_list_get(l, 0) == tr)
			osip_list_remove(l, 0);
		tx_free(tr);
	}
}

struct sip_agent *sip_agent_free(struct sip_agent *a)
{
	size_t i;

	if (!a)
		return NULL;
	a->freeing = true;	/* no callbacks, no transaction failures */
	while (a->conns)
		conn_close(a->conns, NULL);
	while (a->calls) {
		struct sip_call *c = a->calls;

		c->final = true;
		call_unlink(c);
	}
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
	sd_event_source_disable_unref(a->tcp_io);
	sd_event_source_disable_unref(a->conn_defer);
	if (a->fd >= 0)
		close(a->fd);
	if (a->tcp_fd >= 0)
		close(a->tcp_fd);
	sd_event_unref(a->event);
	agent_free_strings(a);
	free(a);
	return NULL;
}
