// SPDX-License-Identifier: GPL-2.0-only
/*
 * resolve.c - names to addresses: "host[:port]" parsing, DNS SRV
 * (_sip._udp / _sip._tcp, the record choice of sip_srv_select()) and
 * address lookup of the registrar, outbound proxy and domain.
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
#include <syslog.h>

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

int resolve(int family, const char *host, unsigned port, bool numeric,
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
int server_resolve(struct sip_agent *a, struct sip_server *s)
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

int server_init(struct sip_server *s, const char *hostport)
{
	memset(s, 0, sizeof(*s));
	if (!hostport || !*hostport)
		return 0;
	return split_hostport(hostport, s->host, sizeof(s->host), &s->port,
			      &s->port_given);
}
