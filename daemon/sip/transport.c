// SPDX-License-Identifier: GPL-2.0-only
/*
 * transport.c - the transport layer's common part and UDP: peer
 * addresses (struct sip_peer), the one send path send_raw() (UDP here,
 * TCP through transport_tcp.c), libosip2's send hook sip_send_cb() (a
 * request goes by its top Via's transport, a response by its request's),
 * the UDP socket and its receive callback, and the local address for Via
 * and Contact.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "sip/internal.h"
#include "sip/stun.h"

void addr_to_string(const struct sockaddr_storage *ss, char *ip,
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

bool same_ip(const struct sockaddr_storage *x,
	     const struct sockaddr_storage *y)
{
	char a[64], b[64];
	unsigned pa, pb;

	addr_to_string(x, a, sizeof(a), &pa);
	addr_to_string(y, b, sizeof(b), &pb);
	return strcmp(a, b) == 0;
}

/* The IP of @ss as 16 bytes (IPv4 as v4-mapped IPv6), for comparisons. */
void ip_key(const struct sockaddr_storage *ss, unsigned char key[16])
{
	memset(key, 0, 16);
	if (ss->ss_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
		return;
	}
	key[10] = key[11] = 0xff;
	memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
}

bool same_addr(const struct sockaddr_storage *x,
	       const struct sockaddr_storage *y)
{
	char a[64], b[64];
	unsigned pa, pb;

	addr_to_string(x, a, sizeof(a), &pa);
	addr_to_string(y, b, sizeof(b), &pb);
	return pa == pb && strcmp(a, b) == 0;
}

socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
					   sizeof(struct sockaddr_in);
}

/* The one way out: UDP datagram or TCP stream; *@ret_conn gets the id. */
int send_raw(struct sip_agent *a, const char *buf, size_t len,
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

int send_msg_to(struct sip_agent *a, osip_message_t *msg,
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
	       (strcasecmp(v->protocol, "TCP") == 0 ||
		strcasecmp(v->protocol, "TLS") == 0);
}

/*
 * libosip2's send hook: @host is an IP literal (ours, or received=).  A
 * request goes by its top Via's transport; a response by its request's
 * (@sock: the connection id, 0 for UDP).  Returns 0 when sent or queued
 * (a connect in progress): a positive value would make libosip2 retry.
 */
int sip_send_cb(osip_transaction_t *tr, osip_message_t *msg,
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
	if (resolve_numeric(a->family, host, port, &to.addr, &to.len, 1) < 0) {
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

int io_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata)
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
		if (stun_is_message((const uint8_t *)buf, n)) {
			nat_stun_input(a, buf, n, &src);	/* never SIP */
			continue;
		}
		buf[n] = '\0';
		handle_message(a, buf, n, &src);
	}
	free(buf);
	sip_pump(a);
	return 0;
}

/* Our address the kernel would send from towards @to (no packet). */
static int local_ip_towards(const struct sockaddr_storage *to, socklen_t tolen,
			    char *ip, size_t iplen)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	unsigned port;
	int fd, r = 0;

	fd = socket(to->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const void *)to, tolen) < 0 ||
	    getsockname(fd, (void *)&ss, &sl) < 0)
		r = -errno;
	else
		addr_to_string(&ss, ip, iplen, &port);
	close(fd);
	return r;
}

int sip_agent_local_address(const struct sip_agent *a, char *buf, size_t len)
{
	const struct sip_server *s = a->has_proxy ? &a->proxy : &a->registrar;

	if (!buf || !len)
		return -EINVAL;
	if (s->n_addr == 0)
		return -EHOSTUNREACH;
	return local_ip_towards(&s->addr[0], s->addrlen[0], buf, len);
}

/* The address peers reach us at: NAT, configured, bound, or routed. */
void pick_local_ip(struct sip_agent *a)
{
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
	if (a->registrar.n_addr)
		local_ip_towards(&a->registrar.addr[0], a->registrar.addrlen[0],
				 a->local_ip, sizeof(a->local_ip));
}

/*
 * The UDP socket on @ss (port 0: any), and for TCP the listener on the
 * same port.  -EADDRINUSE when the TCP port is taken.
 */
int open_sockets(struct sip_agent *a, const struct sockaddr_storage *bss,
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
	/* TLS: a listener only with a certificate to show (tls_cert) */
	if ((!a->tcp && !a->transport_auto) || (a->tls && !a->tls_server))
		return 0;
	a->tcp_fd = socket(a->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			   0);
	if (a->tcp_fd < 0)
		return -errno;
	/* a restarted daemon must not wait for old connections' TIME_WAIT */
	setsockopt(a->tcp_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(a->tcp_fd, (void *)&ss, sl) < 0 || listen(a->tcp_fd, 16) < 0) {
		int r = -errno;

		if (a->tcp || r != -EADDRINUSE)
			return r;
		/* transport = auto: TCP only if NAPTR says so, and then the
		 * provider's requests come down our own connection */
		log_a(a, LOG_WARNING, "TCP port %u taken: no TCP listener",
		      a->local_port);
		close(a->tcp_fd);
		a->tcp_fd = -1;
	}
	return 0;
}
