// SPDX-License-Identifier: GPL-2.0-only
/*
 * resolve.c - names to addresses: "host[:port]" parsing, DNS SRV
 * (_sip._udp / _sip._tcp, the record choice of sip_srv_select()) and
 * address lookup of the registrar, outbound proxy and domain, without
 * blocking: c-ares on the agent's loop.
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
#include <syslog.h>

#include <ares.h>

#include "sip/internal.h"

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

/*
 * Asynchronous lookups, with c-ares on the agent's sd-event loop: the
 * channel's sockets are IO sources and its next timeout one time source,
 * all created with the agent's first name lookup (an account of IP
 * literals never makes one).  One lookup (struct dns_lookup) serves one
 * server: SRV first when the server has no port, then the A/AAAA of the
 * target, or of the host on its port.  It ends in lookup_finish(), which
 * hands the result to server_resolved() (agent.c); its deadline ends it
 * as a failure when the DNS server stays silent.  c-ares cannot cancel
 * one query, so a lookup that ended early (deadline, agent freed) stays
 * allocated, without its server, until c-ares answers or gives up; those
 * count towards SIP_DNS_MAX.
 */
enum lookup_phase {
	PHASE_SRV,		/* _sip._udp.<host> / _sip._tcp.<host> */
	PHASE_TARGET,		/* A/AAAA of the SRV target */
	PHASE_HOST,		/* A/AAAA of the host */
};

struct dns_lookup {
	struct sip_dns *d;
	struct dns_lookup *next;	/* in d->lookups */
	struct sip_server *s;	/* NULL once ended: answers are dropped */
	sd_event_source *deadline;
	enum lookup_phase phase;
	unsigned n_ref;		/* c-ares' (a query out), the starter's */
	bool starting;		/* inside lookup_start(): no callback */
	int result;		/* ... what it returns */
	char target[256];
	unsigned port;
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

/*
 * The agent's resolver.  FXSD_DNS_SERVER (a c-ares server list, e.g.
 * "127.0.0.1:5353") and FXSD_DNS_TIMEOUT_MS (the deadline) are for tests.
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
	e = getenv("FXSD_DNS_SERVER");
	if (e && *e &&
	    ares_set_servers_ports_csv(d->channel, e) != ARES_SUCCESS)
		log_a(a, LOG_WARNING, "FXSD_DNS_SERVER=%s not used", e);
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

/* The lookup of q->s ended: 0 (q->s->addr filled) or a negative errno. */
static void lookup_finish(struct dns_lookup *q, int r)
{
	struct sip_agent *a = q->d->a;
	struct sip_server *s = q->s;

	if (!s)
		return;
	q->s = NULL;
	s->lookup = NULL;
	q->deadline = sd_event_source_disable_unref(q->deadline);
	if (r < 0)
		s->n_addr = 0;
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

static void addr_cb(void *arg, int status, int timeouts,
		    struct ares_addrinfo *res);

/* The A/AAAA query of the current phase (the c-ares reference goes on). */
static void lookup_addr(struct dns_lookup *q)
{
	struct sip_agent *a = q->d->a;
	struct ares_addrinfo_hints hints = {
		/* an IPv6 socket takes IPv4 as v4-mapped (addr_cb()) */
		.ai_family = a->family == AF_INET6 ? AF_UNSPEC : a->family,
		.ai_socktype = SOCK_DGRAM,
		.ai_flags = ARES_AI_NUMERICSERV,
	};
	char port[8];

	snprintf(port, sizeof(port), "%u",
		 q->phase == PHASE_TARGET ? q->port : q->s->port);
	ares_getaddrinfo(q->d->channel,
			 q->phase == PHASE_TARGET ? q->target : q->s->host,
			 port, &hints, addr_cb, q);
}

static void addr_cb(void *arg, int status, int timeouts,
		    struct ares_addrinfo *res)
{
	struct dns_lookup *q = arg;
	struct sip_server *s = q->s;
	struct sip_agent *a = q->d->a;
	struct ares_addrinfo_node *ai;
	int pass, want;
	unsigned n = 0;

	(void)timeouts;
	for (pass = 0; s && status == ARES_SUCCESS && res && pass < 2 && !n;
	     pass++) {
		/* IPv6 agent: AAAA, else IPv4 mapped (glibc's AI_V4MAPPED) */
		want = a->family == AF_INET6 && pass == 0 ? AF_INET6 : AF_INET;
		if (pass == 1 && a->family != AF_INET6)
			break;
		for (ai = res->nodes; ai && n < SIP_MAX_ADDRS;
		     ai = ai->ai_next) {
			struct sockaddr_in6 *s6 = (void *)&s->addr[n];
			const struct sockaddr_in *s4 = (void *)ai->ai_addr;

			if (ai->ai_family != want ||
			    ai->ai_addrlen > sizeof(s->addr[n]))
				continue;
			memset(&s->addr[n], 0, sizeof(s->addr[n]));
			if (a->family == AF_INET6 && want == AF_INET) {
				s6->sin6_family = AF_INET6;
				s6->sin6_port = s4->sin_port;
				s6->sin6_addr.s6_addr[10] = 0xff;
				s6->sin6_addr.s6_addr[11] = 0xff;
				memcpy(&s6->sin6_addr.s6_addr[12],
				       &s4->sin_addr, 4);
				s->addrlen[n] = sizeof(*s6);
			} else {
				memcpy(&s->addr[n], ai->ai_addr,
				       ai->ai_addrlen);
				s->addrlen[n] = ai->ai_addrlen;
			}
			n++;
		}
	}
	if (res)
		ares_freeaddrinfo(res);
	if (!s || status == ARES_EDESTRUCTION) {
		lookup_finish(q, -ECANCELED);	/* (q->s is NULL by then) */
		lookup_unref(q);
		return;
	}
	if (n) {
		s->n_addr = n;
		if (q->phase == PHASE_TARGET)
			log_a(a, LOG_DEBUG, "%s: SRV target %s:%u", s->host,
			      q->target, q->port);
		lookup_finish(q, 0);
		lookup_unref(q);
		return;
	}
	if (q->phase == PHASE_TARGET) {
		log_a(a, LOG_WARNING, "%s: SRV target %s unresolved, using %s:%u",
		      s->host, q->target, s->host, s->port);
		q->phase = PHASE_HOST;
		lookup_addr(q);
		return;
	}
	log_a(a, LOG_WARNING, "Failed to resolve %s", s->host);
	lookup_finish(q, -EHOSTUNREACH);
	lookup_unref(q);
}

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen)
{
	struct dns_lookup *q = arg;

	(void)timeouts;
	if (!q->s || status == ARES_EDESTRUCTION) {
		lookup_finish(q, -ECANCELED);	/* (q->s is NULL by then) */
		lookup_unref(q);
		return;
	}
	/* NXDOMAIN, no data, no server, or no usable record: the host */
	if (status == ARES_SUCCESS && abuf && alen > 0 &&
	    sip_srv_select(abuf, alen, q->target, sizeof(q->target),
			   &q->port) == 0)
		q->phase = PHASE_TARGET;
	else
		q->phase = PHASE_HOST;
	lookup_addr(q);
}

/* Start the lookup of @s: -EINPROGRESS, or its result when it ended at once. */
static int lookup_start(struct sip_agent *a, struct sip_server *s)
{
	struct sip_dns *d = dns_get(a);
	struct dns_lookup *q;
	char name[300];
	int r;

	if (!d)
		return -ENOMEM;
	if (d->n_lookups >= SIP_DNS_MAX) {
		log_a(a, LOG_WARNING, "Failed to resolve %s: %u lookups in flight",
		      s->host, d->n_lookups);
		return -EAGAIN;
	}
	if (!s->port_given &&
	    (size_t)snprintf(name, sizeof(name), "%s.%s",
			     a->tls ? "_sips._tcp" : a->tcp ? "_sip._tcp" :
			     "_sip._udp", s->host) >= sizeof(name))
		return -ENAMETOOLONG;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	q->d = d;
	q->s = s;
	q->n_ref = 2;
	q->starting = true;
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
	} else if (!s->port_given) {
		q->phase = PHASE_SRV;
		ares_query(d->channel, name, ns_c_in, ns_t_srv, srv_cb, q);
	} else {
		q->phase = PHASE_HOST;
		lookup_addr(q);
	}
	q->starting = false;
	r = q->s ? -EINPROGRESS : q->result;
	lookup_unref(q);
	dns_rearm(d);
	return r;
}

/*
 * Addresses of @s: an IP literal at once; a host name with a port by its
 * A/AAAA records; a host name alone by SRV first, then A/AAAA on 5060.
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
	server_alias_copy(a, s);
	return r < 0 ? r : 0;
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
