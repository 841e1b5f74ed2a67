// SPDX-License-Identifier: GPL-2.0-only
/*
 * resolve.c - names to addresses: "host[:port]" parsing, RFC 3263's
 * NAPTR, SRV (RFC 2782 order: sip_srv_parse(), sip_srv_order()) and
 * A/AAAA lookups of the registrar, outbound proxy and domain into an
 * ordered list of candidate addresses, without blocking: c-ares on the
 * agent's loop.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <unistd.h>
#include <syslog.h>

#include <ares.h>

#include "sip/internal.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

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

/* An IP literal (brackets allowed) to addresses: never a name lookup. */
int resolve_numeric(int family, const char *host, unsigned port,
		    struct sockaddr_storage *addr, socklen_t *addrlen,
		    unsigned max)
{
	struct addrinfo hints = {
		.ai_family = family,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST,
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

bool is_ip_literal(const char *host)
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

/* The answer's header and question: the first answer record, or NULL. */
static const unsigned char *answer_start(const unsigned char *msg, size_t len,
					 unsigned *ancount, int *err)
{
	const unsigned char *end = msg + len, *p;
	unsigned qdcount, i;
	int n;

	*err = -EBADMSG;
	if (len < NS_HFIXEDSZ || len > INT_MAX)
		return NULL;
	if (!(msg[2] & 0x80))
		return NULL;	/* QR clear: a query, not an answer */
	if ((msg[3] & 0x0f) != ns_r_noerror) {
		*err = -ENOENT;	/* RCODE: NXDOMAIN, SERVFAIL, ... */
		return NULL;
	}
	qdcount = get16(msg + 4);
	*ancount = get16(msg + 6);
	p = msg + NS_HFIXEDSZ;
	for (i = 0; i < qdcount; i++) {
		n = dn_skipname(p, end);
		if (n < 0 || end - p < n + NS_QFIXEDSZ)
			return NULL;
		p += n + NS_QFIXEDSZ;
	}
	return p;
}

/*
 * One answer record at *@pp: its type, TTL and data (*@rdata, *@rdlen);
 * *@pp moves past it.  -EBADMSG when it does not fit the message.
 */
static int next_record(const unsigned char *msg, size_t len,
		       const unsigned char **pp, unsigned *type,
		       unsigned *class, uint32_t *ttl,
		       const unsigned char **rdata, unsigned *rdlen)
{
	const unsigned char *end = msg + len, *p = *pp;
	int n = dn_skipname(p, end);

	if (n < 0 || end - p < n + NS_RRFIXEDSZ)
		return -EBADMSG;
	p += n;
	*type = get16(p);
	*class = get16(p + 2);
	*ttl = (uint32_t)get16(p + 4) << 16 | get16(p + 6);
	*rdlen = get16(p + 8);
	p += NS_RRFIXEDSZ;
	if ((size_t)(end - p) < *rdlen)
		return -EBADMSG;
	*rdata = p;
	*pp = p + *rdlen;
	return 0;
}

static void strip_dot(char *name)
{
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '.')
		name[n - 1] = '\0';
}

int sip_srv_parse(const unsigned char *msg, size_t len,
		  struct sip_srv_rr *rr, unsigned max, uint32_t *ret_ttl)
{
	char name[NS_MAXDNAME];
	const unsigned char *p, *rd;
	unsigned ancount, i, type, class, rdlen, n = 0;
	uint32_t ttl, min_ttl = UINT32_MAX;
	int r, clen;

	if (!msg || (!rr && max))
		return -EINVAL;
	p = answer_start(msg, len, &ancount, &r);
	if (!p)
		return r;
	for (i = 0; i < ancount; i++) {
		r = next_record(msg, len, &p, &type, &class, &ttl, &rd, &rdlen);
		if (r < 0)
			return r;
		if (type != ns_t_srv || class != ns_c_in)
			continue;	/* e.g. the CNAME of a chain */
		if (rdlen < 7)
			return -EBADMSG;
		clen = dn_expand(msg, msg + len, rd + 6, name, sizeof(name));
		if (clen < 0 || 6 + (unsigned)clen != rdlen)
			return -EBADMSG;
		if (!name[0] || strcmp(name, ".") == 0 || get16(rd + 4) == 0)
			continue;	/* "service not available here" */
		strip_dot(name);
		if (strlen(name) >= sizeof(rr->target))
			continue;
		if (ttl < min_ttl)
			min_ttl = ttl;
		if (n >= max)
			continue;
		rr[n].prio = get16(rd);
		rr[n].weight = get16(rd + 2);
		rr[n].port = get16(rd + 4);
		strcpy(rr[n].target, name);
		n++;
	}
	if (!n)
		return -ENOENT;
	if (ret_ttl)
		*ret_ttl = min_ttl;
	return n;
}

/*
 * RFC 2782's order: priorities ascending; within one, the weighted random
 * draw: the records not yet placed, those of weight 0 first, are summed
 * up; a number uniform in [0, sum] picks the first record whose running
 * sum reaches it; it is placed next, and the draw repeats on the rest.
 * A record of weight 0 among heavier ones so has a small chance (the
 * draw of 0), and records all of weight 0 come in their answer's order.
 */
void sip_srv_order(struct sip_srv_rr *rr, unsigned n,
		   uint32_t (*rnd)(void *), void *ctx)
{
	struct sip_srv_rr t;
	unsigned i, j, start, end;

	/* insertion sort, stable: by priority, weight 0 first in each */
	for (i = 1; i < n; i++) {
		t = rr[i];
		for (j = i; j > 0 && (rr[j - 1].prio > t.prio ||
				      (rr[j - 1].prio == t.prio &&
				       rr[j - 1].weight && !t.weight)); j--)
			rr[j] = rr[j - 1];
		rr[j] = t;
	}
	for (start = 0; start < n; start = end) {
		for (end = start + 1; end < n && rr[end].prio == rr[start].prio;
		     end++)
			;
		for (i = start; i + 1 < end; i++) {
			uint64_t sum = 0, run = 0, pick;

			for (j = i; j < end; j++)
				sum += rr[j].weight;
			pick = rnd ? rnd(ctx) % (sum + 1) : 0;
			for (j = i; j < end; j++) {
				run += rr[j].weight;
				if (run >= pick)
					break;
			}
			/* move it to i, the others keep their order */
			t = rr[j];
			memmove(&rr[i + 1], &rr[i], (j - i) * sizeof(t));
			rr[i] = t;
		}
	}
}

static const struct {
	const char *service;
	enum sip_transport transport;
} naptr_services[] = {
	{ "SIP+D2U", SIP_TRANSPORT_UDP },
	{ "SIP+D2T", SIP_TRANSPORT_TCP },
	{ "SIPS+D2T", SIP_TRANSPORT_TLS },
};

/* A <character-string> at *@pp (within @end) into @buf: 0 or -EBADMSG. */
static int char_string(const unsigned char **pp, const unsigned char *end,
		       char *buf, size_t size)
{
	const unsigned char *p = *pp;
	unsigned n;

	if (p >= end)
		return -EBADMSG;
	n = *p++;
	if ((size_t)(end - p) < n)
		return -EBADMSG;
	*pp = p + n;
	if (n >= size)
		n = size - 1;	/* truncated: matches no service */
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

int sip_naptr_parse(const unsigned char *msg, size_t len,
		    struct sip_naptr_rr *rr, unsigned max, uint32_t *ret_ttl)
{
	char name[NS_MAXDNAME], flags[16], service[32], regexp[8];
	const unsigned char *p, *rd, *q, *rend;
	unsigned ancount, i, k, type, class, rdlen, n = 0;
	uint32_t ttl, min_ttl = UINT32_MAX;
	struct sip_naptr_rr t;
	int r, clen;

	if (!msg || (!rr && max))
		return -EINVAL;
	p = answer_start(msg, len, &ancount, &r);
	if (!p)
		return r;
	for (i = 0; i < ancount; i++) {
		r = next_record(msg, len, &p, &type, &class, &ttl, &rd, &rdlen);
		if (r < 0)
			return r;
		if (type != ns_t_naptr || class != ns_c_in)
			continue;
		rend = rd + rdlen;
		if (rdlen < 4 + 3 + 1)
			return -EBADMSG;
		q = rd + 4;
		if (char_string(&q, rend, flags, sizeof(flags)) < 0 ||
		    char_string(&q, rend, service, sizeof(service)) < 0 ||
		    char_string(&q, rend, regexp, sizeof(regexp)) < 0 ||
		    q >= rend)
			return -EBADMSG;
		clen = dn_expand(msg, msg + len, q, name, sizeof(name));
		if (clen < 0 || q + clen != rend)
			return -EBADMSG;
		/* RFC 3263 4.1: "s" flag, a known service, a replacement */
		if (strcasecmp(flags, "s") != 0 || regexp[0] || !name[0] ||
		    strcmp(name, ".") == 0)
			continue;
		for (k = 0; k < ELEMENTSOF(naptr_services); k++)
			if (strcasecmp(service, naptr_services[k].service) == 0)
				break;
		if (k == ELEMENTSOF(naptr_services))
			continue;
		strip_dot(name);
		if (strlen(name) >= sizeof(rr->replacement))
			continue;
		if (ttl < min_ttl)
			min_ttl = ttl;
		if (n >= max)
			continue;
		rr[n].order = get16(rd);
		rr[n].pref = get16(rd + 2);
		rr[n].transport = naptr_services[k].transport;
		strcpy(rr[n].replacement, name);
		n++;
	}
	if (!n)
		return -ENOENT;
	for (i = 1; i < n; i++) {	/* stable: order, then preference */
		t = rr[i];
		for (k = i; k > 0 && (rr[k - 1].order > t.order ||
				      (rr[k - 1].order == t.order &&
				       rr[k - 1].pref > t.pref)); k--)
			rr[k] = rr[k - 1];
		rr[k] = t;
	}
	if (ret_ttl)
		*ret_ttl = min_ttl;
	return n;
}

/*
 * Asynchronous lookups, with c-ares on the agent's sd-event loop: the
 * channel's sockets are IO sources and its next timeout one time source,
 * all created with the agent's first name lookup (an account of IP
 * literals never makes one).  One lookup (struct dns_lookup) serves one
 * server, as RFC 3263 4 says: a host name without a port and, when the
 * account names no transport, NAPTR first (the SIP+D2U and SIP+D2T
 * records, by order and preference; SIPS+D2T needs transport = tls,
 * which asks _sips._tcp directly); without a usable NAPTR record, SRV of
 * _sip._udp then _sip._tcp (or the one of the account's transport); the
 * SRV records in RFC 2782's order (sip_srv_order()); then the A/AAAA of
 * every target at once.  The addresses, in that order, are the server's
 * candidates (s->cand): s->addr starts at the one in use, and failover
 * (register.c) moves along them.  Without SRV records, or when no target
 * resolves, the host's own A/AAAA on its port.  The lookup ends in
 * lookup_finish(), which hands the result to server_resolved() (agent.c);
 * its deadline ends it as a failure when the DNS server stays silent.
 * The smallest TTL of the records used is when the candidates expire
 * (server_resolve_due()).  c-ares cannot cancel one query, so a lookup
 * that ended early (deadline, agent freed) stays allocated, without its
 * server, until c-ares answers or gives up; those count towards
 * SIP_DNS_MAX.
 */
#define DNS_MAX_NAMES	4	/* SRV names tried, from NAPTR or not */

struct dns_tq {			/* the A/AAAA query of one target */
	struct dns_lookup *q;
	unsigned idx;
};

struct dns_lookup {
	struct sip_dns *d;
	struct dns_lookup *next;	/* in d->lookups */
	struct sip_server *s;	/* NULL once ended: answers are dropped */
	sd_event_source *deadline;
	unsigned n_ref;		/* c-ares' (one per query out), the starter's */
	bool starting;		/* inside lookup_start(): no callback */
	int result;		/* ... what it returns */
	bool host_phase;	/* the targets are the host itself */
	bool keep;		/* stay on the address in use if still there */
	struct sockaddr_storage was;	/* ... that address */
	/* the SRV names to try, in order, with their transports */
	char names[DNS_MAX_NAMES][300];
	bool name_tcp[DNS_MAX_NAMES];
	unsigned n_names, cur_name;
	bool tcp;		/* the transport of the targets */
	uint32_t ttl;		/* smallest of the records used */
	struct sip_srv_rr rr[SIP_MAX_TARGETS];	/* the targets, in order */
	unsigned n_rr, pending;
	struct dns_tq tq[SIP_MAX_TARGETS];
	struct sockaddr_storage ta[SIP_MAX_TARGETS][SIP_MAX_ADDRS];
	socklen_t tlen[SIP_MAX_TARGETS][SIP_MAX_ADDRS];
	unsigned tn[SIP_MAX_TARGETS];
};

struct dns_sock {
	struct dns_sock *next;
	struct sip_dns *d;
	int fd;
	sd_event_source *io;
};

struct sip_dns {
	struct sip_agent *a;
	ares_channel channel;
	bool have_channel;
	sd_event_source *timer;
	struct dns_sock *socks;
	struct dns_lookup *lookups;
	unsigned n_lookups;
	uint64_t deadline_us;
	uint64_t rng;		/* xorshift64*: the SRV weight draws */
};

static void dns_rearm(struct sip_dns *d)
{
	struct timeval tv, *tvp;

	if (!d->timer)
		return;
	tvp = ares_timeout(d->channel, NULL, &tv);
	if (!tvp) {
		sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(d->timer, now_usec(d->a->event) +
				 (uint64_t)tvp->tv_sec * 1000000 +
				 tvp->tv_usec);
	sd_event_source_set_enabled(d->timer, SD_EVENT_ONESHOT);
}

static int dns_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct sip_dns *d = userdata;

	(void)s;
	(void)usec;
	ares_process_fd(d->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_rearm(d);
	return 0;
}

static int dns_io_cb(sd_event_source *s, int fd, uint32_t revents,
		     void *userdata)
{
	struct dns_sock *w = userdata;
	struct sip_dns *d = w->d;	/* w may go in ares_process_fd() */

	(void)s;
	ares_process_fd(d->channel,
			revents & (EPOLLIN | EPOLLERR | EPOLLHUP) ? fd :
			ARES_SOCKET_BAD,
			revents & EPOLLOUT ? fd : ARES_SOCKET_BAD);
	dns_rearm(d);
	return 0;
}

/* c-ares opens, watches or closes one of its sockets. */
static void dns_sock_state(void *data, ares_socket_t fd, int readable,
			   int writable)
{
	struct sip_dns *d = data;
	struct dns_sock **pw, *w;
	uint32_t events = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);

	for (pw = &d->socks; *pw && (*pw)->fd != fd; pw = &(*pw)->next)
		;
	w = *pw;
	if (!events) {
		if (w) {
			*pw = w->next;
			sd_event_source_disable_unref(w->io);
			free(w);
		}
		return;
	}
	if (w) {
		sd_event_source_set_io_events(w->io, events);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w || sd_event_add_io(d->a->event, &w->io, fd, events, dns_io_cb,
				  w) < 0) {
		/* the query times out through the timer instead */
		log_a(d->a, LOG_ERR, "Failed to watch a DNS socket");
		free(w);
		return;
	}
	w->d = d;
	w->fd = fd;
	w->next = d->socks;
	d->socks = w;
}

static uint32_t dns_random(void *ctx)
{
	struct sip_dns *d = ctx;

	d->rng ^= d->rng >> 12;
	d->rng ^= d->rng << 25;
	d->rng ^= d->rng >> 27;
	return (uint32_t)((d->rng * 0x2545F4914F6CDD1DULL) >> 32);
}

/*
 * The agent's resolver: the account's dns_server (a c-ares server list,
 * e.g. "127.0.0.1:5353"), else FXSD_DNS_SERVER, else resolv.conf;
 * FXSD_DNS_TIMEOUT_MS (the deadline) is for tests.
 */
static struct sip_dns *dns_get(struct sip_agent *a)
{
	static bool lib_init;
	struct ares_options o = { 0 };
	struct sip_dns *d;
	const char *e;
	unsigned long ms = SIP_DNS_TIMEOUT_MS;

	if (a->dns)
		return a->dns;
	if (!lib_init && ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return NULL;
	lib_init = true;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->a = a;
	if (getrandom(&d->rng, sizeof(d->rng), GRND_NONBLOCK) !=
	    sizeof(d->rng) || !d->rng)
		d->rng = now_usec(a->event) ^ ((uint64_t)getpid() << 32) ^ 1;
	e = getenv("FXSD_DNS_TIMEOUT_MS");
	if (e && *e && strtoul(e, NULL, 10) >= 50)
		ms = strtoul(e, NULL, 10);
	d->deadline_us = ms * 1000;
	/* each server twice, after ms/5 then 2 ms/5: c-ares gives up on a
	 * query before the deadline gives up on the lookup */
	o.timeout = ms / 5;
	o.tries = 2;
	o.sock_state_cb = dns_sock_state;
	o.sock_state_cb_data = d;
	if (ares_init_options(&d->channel, &o, ARES_OPT_TIMEOUTMS |
			      ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB) !=
	    ARES_SUCCESS)
		goto fail;
	d->have_channel = true;
	e = a->dns_server && *a->dns_server ? a->dns_server :
	    getenv("FXSD_DNS_SERVER");
	if (e && *e &&
	    ares_set_servers_ports_csv(d->channel, e) != ARES_SUCCESS)
		log_a(a, LOG_WARNING, "DNS server %s not used", e);
	if (sd_event_add_time(a->event, &d->timer, CLOCK_MONOTONIC, 0, 1000,
			      dns_timer_cb, d) < 0)
		goto fail;
	sd_event_source_set_enabled(d->timer, SD_EVENT_OFF);
	a->dns = d;
	return d;
fail:
	if (d->have_channel)
		ares_destroy(d->channel);
	free(d);
	return NULL;
}

static void lookup_unref(struct dns_lookup *q)
{
	struct dns_lookup **p;

	if (--q->n_ref)
		return;
	for (p = &q->d->lookups; *p != q; p = &(*p)->next)
		;
	*p = q->next;
	q->d->n_lookups--;
	sd_event_source_disable_unref(q->deadline);
	free(q);
}

static void server_alias_copy(struct sip_agent *a, struct sip_server *s)
{
	if (s != &a->registrar || !a->domain_alias)
		return;
	memcpy(a->domain_srv.addr, s->addr, sizeof(s->addr));
	memcpy(a->domain_srv.addrlen, s->addrlen, sizeof(s->addrlen));
	a->domain_srv.n_addr = s->n_addr;
}

static bool same_sockaddr(const struct sockaddr_storage *x,
			  const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return false;
	if (x->ss_family == AF_INET)
		return memcmp(x, y, sizeof(struct sockaddr_in)) == 0;
	return memcmp(x, y, sizeof(struct sockaddr_in6)) == 0;
}

/*
 * Use candidate @idx of @s: s->addr holds the candidates from it on (the
 * others after it, so every one of them is the provider); with no
 * transport configured, the registrar's (or proxy's) candidate sets the
 * agent's transport.
 */
void server_use(struct sip_agent *a, struct sip_server *s, unsigned idx)
{
	unsigned k;

	if (!s->n_cand)
		return;
	idx %= s->n_cand;
	s->cur = idx;
	s->n_addr = s->n_cand < SIP_MAX_ADDRS ? s->n_cand : SIP_MAX_ADDRS;
	for (k = 0; k < s->n_addr; k++) {
		const struct sip_cand *c = &s->cand[(idx + k) % s->n_cand];

		s->addr[k] = c->ss;
		s->addrlen[k] = c->len;
	}
	if (a->transport_auto && s == ood_server(a, true))
		a->tcp = s->cand[idx].tcp;
	server_alias_copy(a, s);
}

/* Candidates from an IP literal's addresses (s->addr, n of them). */
static void cand_from_addr(struct sip_agent *a, struct sip_server *s,
			   unsigned n)
{
	unsigned k;

	s->n_cand = n;
	for (k = 0; k < n; k++) {
		s->cand[k].ss = s->addr[k];
		s->cand[k].len = s->addrlen[k];
		s->cand[k].port = s->port;
		s->cand[k].tcp = a->tcp;
		snprintf(s->cand[k].target, sizeof(s->cand[k].target), "%s",
			 s->host);
	}
	s->expires_us = UINT64_MAX;
	server_use(a, s, 0);
}

/* The lookup of q->s ended: 0 (its candidates filled) or a negative errno. */
static void lookup_finish(struct dns_lookup *q, int r)
{
	struct sip_agent *a = q->d->a;
	struct sip_server *s = q->s;

	if (!s)
		return;
	q->s = NULL;
	s->lookup = NULL;
	q->deadline = sd_event_source_disable_unref(q->deadline);
	if (r < 0 && q->keep && s->n_addr) {
		/* a refresh failed: the addresses we have still serve */
		log_a(a, LOG_WARNING, "%s: lookup failed, keeping its %u address(es) for a minute",
		      s->host, s->n_cand);
		s->expires_us = now_usec(a->event) + 60000000ULL;
		r = 0;
	}
	if (r < 0) {
		s->n_addr = 0;
		s->n_cand = 0;
	}
	server_alias_copy(a, s);
	if (q->starting)
		q->result = r;
	else
		server_resolved(a, s, r);
}

static int lookup_deadline_cb(sd_event_source *src, uint64_t usec,
			      void *userdata)
{
	struct dns_lookup *q = userdata;

	(void)src;
	(void)usec;
	log_a(q->d->a, LOG_WARNING, "Failed to resolve %s: no answer in %llu ms",
	      q->s->host, (unsigned long long)q->d->deadline_us / 1000);
	lookup_finish(q, -ETIMEDOUT);
	return 0;
}

/* @res's addresses of the family the agent wants into target @idx. */
static void collect_addrs(struct dns_lookup *q, unsigned idx,
			  struct ares_addrinfo *res)
{
	struct sip_agent *a = q->d->a;
	struct ares_addrinfo_node *ai;
	unsigned n = 0;
	int pass, want;

	for (pass = 0; res && pass < 2 && !n; pass++) {
		/* IPv6 agent: AAAA, else IPv4 mapped (glibc's AI_V4MAPPED) */
		want = a->family == AF_INET6 && pass == 0 ? AF_INET6 : AF_INET;
		if (pass == 1 && a->family != AF_INET6)
			break;
		for (ai = res->nodes; ai && n < SIP_MAX_ADDRS;
		     ai = ai->ai_next) {
			struct sockaddr_storage *ss = &q->ta[idx][n];
			struct sockaddr_in6 *s6 = (void *)ss;
			const struct sockaddr_in *s4 = (void *)ai->ai_addr;

			if (ai->ai_family != want ||
			    ai->ai_addrlen > sizeof(*ss))
				continue;
			memset(ss, 0, sizeof(*ss));
			if (a->family == AF_INET6 && want == AF_INET) {
				s6->sin6_family = AF_INET6;
				s6->sin6_port = s4->sin_port;
				s6->sin6_addr.s6_addr[10] = 0xff;
				s6->sin6_addr.s6_addr[11] = 0xff;
				memcpy(&s6->sin6_addr.s6_addr[12],
				       &s4->sin_addr, 4);
				q->tlen[idx][n] = sizeof(*s6);
			} else {
				memcpy(ss, ai->ai_addr, ai->ai_addrlen);
				q->tlen[idx][n] = ai->ai_addrlen;
			}
			if (ai->ai_ttl >= 0 && (uint32_t)ai->ai_ttl < q->ttl)
				q->ttl = ai->ai_ttl;
			n++;
		}
	}
	q->tn[idx] = n;
}

/* Every target's addresses are in: the candidates, in the targets' order. */
static int lookup_done(struct dns_lookup *q)
{
	struct sip_agent *a = q->d->a;
	struct sip_server *s = q->s;
	unsigned i, k, n = 0, use = 0;

	for (i = 0; i < q->n_rr; i++)
		for (k = 0; k < q->tn[i] && n < SIP_MAX_CANDS; k++) {
			struct sip_cand *c = &s->cand[n++];

			c->ss = q->ta[i][k];
			c->len = q->tlen[i][k];
			c->port = q->rr[i].port;
			c->tcp = q->tcp;
			snprintf(c->target, sizeof(c->target), "%s",
				 q->rr[i].target);
			if (q->keep && same_sockaddr(&c->ss, &q->was))
				use = n - 1;
		}
	if (!n)
		return -EHOSTUNREACH;
	s->n_cand = n;
	s->expires_us = now_usec(a->event) +
			(uint64_t)(q->ttl ? q->ttl : 1) * 1000000;
	server_use(a, s, use);
	if (!q->host_phase)
		log_a(a, LOG_DEBUG, "%s: %u candidate(s), %s:%u (%s) first",
		      s->host, n, s->cand[use].target, s->cand[use].port,
		      s->cand[use].tcp ? "TCP" : "UDP");
	return 0;
}

static void resolve_targets(struct dns_lookup *q);

/* The targets are the host itself, on its port. */
static void host_targets(struct dns_lookup *q)
{
	q->host_phase = true;
	q->n_rr = 1;
	snprintf(q->rr[0].target, sizeof(q->rr[0].target), "%s", q->s->host);
	q->rr[0].port = q->s->port;
	q->rr[0].prio = q->rr[0].weight = 0;
	resolve_targets(q);
}

static void taddr_cb(void *arg, int status, int timeouts,
		     struct ares_addrinfo *res)
{
	struct dns_tq *t = arg;
	struct dns_lookup *q = t->q;
	struct sip_agent *a = q->d->a;
	int r;

	(void)timeouts;
	if (q->s && status == ARES_SUCCESS)
		collect_addrs(q, t->idx, res);
	if (res)
		ares_freeaddrinfo(res);
	if (q->pending)
		q->pending--;
	if (!q->s || status == ARES_EDESTRUCTION) {
		lookup_finish(q, -ECANCELED);	/* (q->s is NULL by then) */
		lookup_unref(q);
		return;
	}
	if (q->pending) {
		lookup_unref(q);
		return;
	}
	r = lookup_done(q);
	if (r == 0) {
		lookup_finish(q, 0);
	} else if (!q->host_phase) {
		log_a(a, LOG_WARNING, "%s: SRV targets unresolved, using %s:%u",
		      q->s->host, q->s->host, q->s->port);
		q->n_ref++;	/* the host's query */
		host_targets(q);
	} else {
		log_a(a, LOG_WARNING, "Failed to resolve %s", q->s->host);
		lookup_finish(q, r);
	}
	lookup_unref(q);
}

/*
 * The A/AAAA queries of every target at once; the caller's c-ares
 * reference covers one of them.
 */
static void resolve_targets(struct dns_lookup *q)
{
	struct sip_agent *a = q->d->a;
	struct ares_addrinfo_hints hints = {
		/* an IPv6 socket takes IPv4 as v4-mapped (collect_addrs()) */
		.ai_family = a->family == AF_INET6 ? AF_UNSPEC : a->family,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = ARES_AI_NUMERICSERV,
	};
	unsigned i, n = q->n_rr;
	char port[8];

	q->pending = n;
	q->n_ref += n - 1;
	for (i = 0; i < n; i++) {
		q->tn[i] = 0;
		q->tq[i].q = q;
		q->tq[i].idx = i;
		snprintf(port, sizeof(port), "%u", q->rr[i].port);
		ares_getaddrinfo(q->d->channel, q->rr[i].target, port, &hints,
				 taddr_cb, &q->tq[i]);
	}
}

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen);

/* The next SRV name, or the host once they are all tried. */
static void srv_next(struct dns_lookup *q)
{
	if (q->cur_name >= q->n_names) {
		host_targets(q);
		return;
	}
	ares_query(q->d->channel, q->names[q->cur_name], ns_c_in, ns_t_srv,
		   srv_cb, q);
}

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen)
{
	struct dns_lookup *q = arg;
	uint32_t ttl = 0;
	int n = -ENOENT;

	(void)timeouts;
	if (!q->s || status == ARES_EDESTRUCTION) {
		lookup_finish(q, -ECANCELED);	/* (q->s is NULL by then) */
		lookup_unref(q);
		return;
	}
	/* NXDOMAIN, no data, no server, or no usable record: the next */
	if (status == ARES_SUCCESS && abuf && alen > 0)
		n = sip_srv_parse(abuf, alen, q->rr, SIP_MAX_TARGETS, &ttl);
	if (n <= 0) {
		q->cur_name++;
		srv_next(q);
		return;
	}
	q->n_rr = n;
	if (ttl < q->ttl)
		q->ttl = ttl;
	q->tcp = q->name_tcp[q->cur_name];
	sip_srv_order(q->rr, q->n_rr, dns_random, q->d);
	resolve_targets(q);
}

static void add_name(struct dns_lookup *q, const char *prefix,
		     const char *host, bool tcp)
{
	if (q->n_names >= DNS_MAX_NAMES ||
	    (size_t)snprintf(q->names[q->n_names], sizeof(q->names[0]),
			     "%s%s%s", prefix, *prefix ? "." : "", host) >=
	    sizeof(q->names[0]))
		return;
	q->name_tcp[q->n_names++] = tcp;
}

/* RFC 3263 4.1: no transport given; the SRV of each one we speak. */
static void default_names(struct dns_lookup *q)
{
	add_name(q, "_sip._udp", q->s->host, false);
	add_name(q, "_sip._tcp", q->s->host, true);
}

static void naptr_cb(void *arg, int status, int timeouts,
		     unsigned char *abuf, int alen)
{
	struct dns_lookup *q = arg;
	struct sip_naptr_rr rr[DNS_MAX_NAMES * 2];
	uint32_t ttl = 0;
	int i, n = -ENOENT;

	(void)timeouts;
	if (!q->s || status == ARES_EDESTRUCTION) {
		lookup_finish(q, -ECANCELED);	/* (q->s is NULL by then) */
		lookup_unref(q);
		return;
	}
	if (status == ARES_SUCCESS && abuf && alen > 0)
		n = sip_naptr_parse(abuf, alen, rr, ELEMENTSOF(rr), &ttl);
	for (i = 0; i < n; i++) {
		/* SIPS+D2T wants TLS, which transport = tls asks for itself */
		if (rr[i].transport == SIP_TRANSPORT_TLS)
			continue;
		add_name(q, "", rr[i].replacement,
			 rr[i].transport == SIP_TRANSPORT_TCP);
	}
	if (q->n_names) {
		if (ttl < q->ttl)
			q->ttl = ttl;
		log_a(q->d->a, LOG_DEBUG, "%s: NAPTR %s (%s)", q->s->host,
		      q->names[0], q->name_tcp[0] ? "TCP" : "UDP");
	} else {
		default_names(q);
	}
	srv_next(q);
}

/* Start the lookup of @s: -EINPROGRESS, or its result when it ended at once. */
static int lookup_start(struct sip_agent *a, struct sip_server *s)
{
	struct sip_dns *d = dns_get(a);
	struct dns_lookup *q;
	int r;

	if (!d)
		return -ENOMEM;
	if (d->n_lookups >= SIP_DNS_MAX) {
		log_a(a, LOG_WARNING, "Failed to resolve %s: %u lookups in flight",
		      s->host, d->n_lookups);
		return -EAGAIN;
	}
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->d = d;
	q->s = s;
	q->n_ref = 2;
	q->starting = true;
	q->ttl = UINT32_MAX;
	q->tcp = a->tcp;
	if (s->n_cand) {	/* again (TTL): stay where we are if we can */
		q->keep = true;
		q->was = s->cand[s->cur].ss;
	}
	q->next = d->lookups;
	d->lookups = q;
	d->n_lookups++;
	s->lookup = q;
	r = sd_event_add_time_relative(a->event, &q->deadline, CLOCK_MONOTONIC,
				       d->deadline_us, 1000, lookup_deadline_cb,
				       q);
	if (r < 0) {
		q->n_ref--;	/* no query went out */
		lookup_finish(q, r);
	} else if (s->port_given) {
		host_targets(q);
	} else if (a->transport_auto && !a->tls) {
		ares_query(d->channel, s->host, ns_c_in, ns_t_naptr, naptr_cb,
			   q);
	} else {
		add_name(q, a->tls ? "_sips._tcp" : a->tcp ? "_sip._tcp" :
			 "_sip._udp", s->host, a->tcp);
		srv_next(q);
	}
	q->starting = false;
	r = q->s ? -EINPROGRESS : q->result;
	lookup_unref(q);
	dns_rearm(d);
	return r;
}

/*
 * Addresses of @s: an IP literal at once; a host name with a port by its
 * A/AAAA records; a host name alone by NAPTR and SRV first (see above).
 * Returns 0 (s->addr filled), -EINPROGRESS (a lookup is on its way:
 * server_resolved() follows), or a negative errno.  The domain, when it
 * is the registrar's host, is the registrar's lookup.
 */
int server_resolve(struct sip_agent *a, struct sip_server *s)
{
	int r;

	if (s == &a->domain_srv && a->domain_alias)
		s = &a->registrar;
	if (!s->host[0])
		return -EINVAL;
	if (s->lookup)
		return -EINPROGRESS;
	if (!is_ip_literal(s->host))
		return lookup_start(a, s);
	r = resolve_numeric(a->family, s->host, s->port, s->addr, s->addrlen,
			    SIP_MAX_ADDRS);
	if (r < 0)
		log_a(a, LOG_WARNING, "Failed to resolve %s", s->host);
	s->n_addr = r < 0 ? 0 : r;
	s->n_cand = 0;
	if (r > 0)
		cand_from_addr(a, s, r);
	server_alias_copy(a, s);
	return r < 0 ? r : 0;
}

/*
 * The candidates of @s outlived their records' TTL: look the name up
 * again in the background, the addresses in use serving meanwhile (and
 * after, should the lookup fail).
 */
void server_refresh(struct sip_agent *a, struct sip_server *s)
{
	if (s->lookup || !s->n_cand || !s->n_addr || is_ip_literal(s->host))
		return;
	lookup_start(a, s);
}

/* Have the candidates of @s outlived their records' TTL? */
bool server_resolve_due(const struct sip_agent *a, const struct sip_server *s)
{
	return s->n_addr && s->n_cand && !s->lookup &&
	       now_usec(a->event) >= s->expires_us;
}

/* Is a lookup of @s on its way? */
bool server_pending(const struct sip_agent *a, const struct sip_server *s)
{
	if (s == &a->domain_srv && a->domain_alias)
		s = &a->registrar;
	return s->lookup != NULL;
}

/*
 * The agent goes: its lookups end without a callback, and c-ares hands
 * every query back (ARES_EDESTRUCTION) before the channel goes.
 */
void dns_free(struct sip_agent *a)
{
	struct sip_dns *d = a->dns;
	struct dns_lookup *q;

	if (!d)
		return;
	for (q = d->lookups; q; q = q->next) {
		if (q->s)
			q->s->lookup = NULL;
		q->s = NULL;
		q->deadline = sd_event_source_disable_unref(q->deadline);
	}
	ares_destroy(d->channel);
	while (d->socks) {
		struct dns_sock *w = d->socks;

		d->socks = w->next;
		sd_event_source_disable_unref(w->io);
		free(w);
	}
	sd_event_source_disable_unref(d->timer);
	free(d);
	a->dns = NULL;
}

int server_init(struct sip_server *s, const char *hostport)
{
	memset(s, 0, sizeof(*s));
	if (!hostport || !*hostport)
		return 0;
	return split_hostport(hostport, s->host, sizeof(s->host), &s->port,
			      &s->port_given);
}
