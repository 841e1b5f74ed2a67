// SPDX-License-Identifier: GPL-2.0-only
/*
 * tls.c - SIP over TLS (RFC 3261 26.3.1, RFC 5922): OpenSSL on the
 * connections of transport_tcp.c.  The agent's client context (TLS 1.2 at
 * least, the system's CAs or the port's tls_ca_file, its optional client
 * certificate) and server context (the listener, with tls_cert); per
 * connection the non-blocking handshake driven by the connection's I/O
 * events, the server's name checked (SNI and subjectAltName through
 * X509_VERIFY_PARAM_set1_host(), or the IP address for a literal), or the
 * certificate's SHA-256 against tls_pin; reads and writes.  Nothing here
 * blocks and nothing logs key material: the reasons logged are the
 * verifier's strings and file names.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "sip/internal.h"

/*
 * The socket under a session: OpenSSL's own socket BIO writes with
 * write(), and a peer's reset would raise SIGPIPE; this one sends with
 * MSG_NOSIGNAL, as transport_tcp.c does.  Its data is the fd.
 */
static BIO_METHOD *sock_method;

static int sock_write(BIO *b, const char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = send((int)(intptr_t)BIO_get_data(b), buf, len,
		 MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		BIO_set_retry_write(b);
	return (int)n;
}

static int sock_read(BIO *b, char *buf, int len)
{
	ssize_t n;

	BIO_clear_retry_flags(b);
	n = recv((int)(intptr_t)BIO_get_data(b), buf, len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		BIO_set_retry_read(b);
	return (int)n;
}

static long sock_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b;
	(void)num;
	(void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int sock_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static BIO *sock_bio(int fd)
{
	BIO *b;

	if (!sock_method) {
		sock_method = BIO_meth_new(BIO_get_new_index() |
					   BIO_TYPE_SOURCE_SINK, "fxsd socket");
		if (!sock_method ||
		    !BIO_meth_set_write(sock_method, sock_write) ||
		    !BIO_meth_set_read(sock_method, sock_read) ||
		    !BIO_meth_set_ctrl(sock_method, sock_ctrl) ||
		    !BIO_meth_set_create(sock_method, sock_create)) {
			BIO_meth_free(sock_method);
			sock_method = NULL;
			return NULL;
		}
	}
	b = BIO_new(sock_method);
	if (b)
		BIO_set_data(b, (void *)(intptr_t)fd);
	return b;
}

/* The last OpenSSL error as text (emptied queue), or @dflt. */
static const char *ssl_reason(char *buf, size_t len, const char *dflt)
{
	unsigned long e = ERR_get_error();

	if (!e) {
		snprintf(buf, len, "%s", dflt);
		return buf;
	}
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* tls_pin: 64 hex digits, bytes perhaps separated by ':'. */
static int parse_pin(const char *s, unsigned char pin[32])
{
	unsigned n = 0;
	int hi, lo;

	while (*s) {
		if (*s == ':') {
			s++;
			continue;
		}
		hi = hex_nibble(s[0]);
		lo = hi >= 0 && s[1] ? hex_nibble(s[1]) : -1;
		if (lo < 0 || n >= 32)
			return -EINVAL;
		pin[n++] = (unsigned char)(hi << 4 | lo);
		s += 2;
	}
	return n == 32 ? 0 : -EINVAL;
}

/*
 * With a pin the chain is not what decides (a provider's self-signed
 * certificate): the handshake goes on and tls_check_peer() compares.
 */
static int verify_pinned(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

static int load_cert_key(struct sip_agent *a, SSL_CTX *ctx, const char *cert,
			 const char *key)
{
	char why[256];

	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		log_a(a, LOG_ERR, "TLS: cannot load tls_cert %s: %s", cert,
		      ssl_reason(why, sizeof(why), "invalid"));
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		/* OpenSSL's reason names no key material */
		log_a(a, LOG_ERR, "TLS: cannot use tls_key %s: %s", key,
		      ssl_reason(why, sizeof(why), "does not match tls_cert"));
		return -EINVAL;
	}
	return 0;
}

static SSL_CTX *ctx_new(const SSL_METHOD *m)
{
	SSL_CTX *ctx = SSL_CTX_new(m);

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			 SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
			    SSL_OP_IGNORE_UNEXPECTED_EOF);
	return ctx;
}

int tls_agent_init(struct sip_agent *a, const struct sip_account *acct)
{
	const char *ca = acct->tls_ca_file && *acct->tls_ca_file ?
			 acct->tls_ca_file : NULL;
	const char *cert = acct->tls_cert && *acct->tls_cert ?
			   acct->tls_cert : NULL;
	const char *key = acct->tls_key && *acct->tls_key ? acct->tls_key : NULL;
	char why[256];

	if (!cert != !key) {
		log_a(a, LOG_ERR, "TLS: tls_cert and tls_key go together");
		return -EINVAL;
	}
	if (acct->tls_pin && *acct->tls_pin) {
		if (parse_pin(acct->tls_pin, a->tls_pin) < 0) {
			log_a(a, LOG_ERR, "TLS: invalid tls_pin");
			return -EINVAL;
		}
		a->tls_pinned = true;
	}
	a->tls_client = ctx_new(TLS_client_method());
	if (!a->tls_client)
		return -ENOMEM;
	if (ca ? SSL_CTX_load_verify_locations(a->tls_client, ca, NULL) != 1 :
	    SSL_CTX_set_default_verify_paths(a->tls_client) != 1) {
		log_a(a, LOG_ERR, "TLS: cannot load %s: %s",
		      ca ? ca : "the system's CA store",
		      ssl_reason(why, sizeof(why), "unreadable"));
		return -EINVAL;
	}
	SSL_CTX_set_verify(a->tls_client, SSL_VERIFY_PEER,
			   a->tls_pinned ? verify_pinned : NULL);
	if (cert && load_cert_key(a, a->tls_client, cert, key) < 0)
		return -EINVAL;
	if (!cert)
		return 0;
	/* our certificate also makes us a TLS server (the listener) */
	a->tls_server = ctx_new(TLS_server_method());
	if (!a->tls_server)
		return -ENOMEM;
	SSL_CTX_set_verify(a->tls_server, SSL_VERIFY_NONE, NULL);
	return load_cert_key(a, a->tls_server, cert, key);
}

void tls_agent_free(struct sip_agent *a)
{
	SSL_CTX_free(a->tls_client);
	SSL_CTX_free(a->tls_server);
	a->tls_client = a->tls_server = NULL;
	OPENSSL_cleanse(a->tls_pin, sizeof(a->tls_pin));
}

/* The name the server at @ss must prove: the configured host it was
 * resolved from (RFC 5922 4.1: the domain, not the SRV target), else "". */
static const char *server_name(struct sip_agent *a,
			       const struct sockaddr_storage *ss)
{
	const struct sip_server *srv[] = {
		&a->proxy, &a->registrar, &a->domain_srv, &a->mwi_server,
		&a->vq_server,
	};
	unsigned i, j;

	for (i = 0; i < sizeof(srv) / sizeof(srv[0]); i++)
		for (j = 0; j < srv[i]->n_addr; j++)
			if (srv[i]->host[0] && same_addr(&srv[i]->addr[j], ss))
				return srv[i]->host;
	return "";
}

int tls_conn_start(struct sip_conn *cn)
{
	struct sip_agent *a = cn->a;
	SSL_CTX *ctx = cn->incoming ? a->tls_server : a->tls_client;
	SSL *ssl;
	BIO *bio;
	char ip[64];
	unsigned port;

	if (!ctx)
		return -EPROTONOSUPPORT;
	ssl = SSL_new(ctx);
	bio = sock_bio(cn->fd);
	if (!ssl || !bio) {
		SSL_free(ssl);
		BIO_free(bio);
		return -ENOMEM;
	}
	SSL_set_bio(ssl, bio, bio);	/* the session owns it */
	cn->ssl = ssl;
	cn->handshaking = true;
	if (cn->incoming) {
		SSL_set_accept_state(ssl);
		return 0;
	}
	SSL_set_connect_state(ssl);
	cn->tls_want_write = true;	/* the ClientHello */
	snprintf(cn->tls_name, sizeof(cn->tls_name), "%s",
		 server_name(a, &cn->peer));
	if (!cn->tls_name[0]) {
		addr_to_string(&cn->peer, ip, sizeof(ip), &port);
		snprintf(cn->tls_name, sizeof(cn->tls_name), "%s", ip);
	}
	if (a->tls_pinned)
		return 0;
	if (is_ip_literal(cn->tls_name)) {
		char h[64];
		size_t n = strlen(cn->tls_name);
		const char *lit = cn->tls_name;

		if (lit[0] == '[' && n > 2 && n - 2 < sizeof(h)) {
			memcpy(h, lit + 1, n - 2);
			h[n - 2] = '\0';
			lit = h;
		}
		if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), lit) != 1)
			return -EINVAL;
		return 0;
	}
	SSL_set_tlsext_host_name(ssl, cn->tls_name);
	SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (SSL_set1_host(ssl, cn->tls_name) != 1)
		return -ENOMEM;
	return 0;
}

void tls_conn_free(struct sip_conn *cn)
{
	SSL_free(cn->ssl);
	cn->ssl = NULL;
}

/* After the handshake: the pin, when the port has one.  NULL or why not. */
static const char *tls_check_peer(struct sip_conn *cn)
{
	struct sip_agent *a = cn->a;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	X509 *cert;

	if (cn->incoming || !a->tls_pinned)
		return NULL;
	cert = SSL_get0_peer_certificate(cn->ssl);
	if (!cert)
		return "no certificate";
	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32 ||
	    CRYPTO_memcmp(md, a->tls_pin, 32) != 0)
		return "certificate does not match tls_pin";
	return NULL;
}

int tls_handshake(struct sip_conn *cn, char *why, size_t whylen)
{
	struct sip_agent *a = cn->a;
	const char *bad;
	long vr;
	int r, e;

	ERR_clear_error();
	errno = 0;
	r = SSL_do_handshake(cn->ssl);
	if (r == 1) {
		bad = tls_check_peer(cn);
		if (bad) {
			snprintf(why, whylen, "%s of %s", bad, cn->tls_name);
			goto refused;
		}
		cn->handshaking = false;
		cn->tls_want_write = false;
		if (!cn->incoming)
			a->tls_error[0] = '\0';
		return 1;
	}
	e = SSL_get_error(cn->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		cn->tls_want_write = e == SSL_ERROR_WANT_WRITE;
		return 0;
	}
	vr = SSL_get_verify_result(cn->ssl);
	if (!cn->incoming && vr != X509_V_OK) {
		snprintf(why, whylen, "certificate of %s refused: %s",
			 cn->tls_name, X509_verify_cert_error_string(vr));
		goto refused;
	}
	if (e == SSL_ERROR_SYSCALL && !ERR_peek_error())
		snprintf(why, whylen, "TLS handshake failed: %s",
			 errno ? strerror(errno) : "closed by the peer");
	else {
		char buf[200];

		snprintf(why, whylen, "TLS handshake failed: %s",
			 ssl_reason(buf, sizeof(buf), "protocol error"));
	}
	ERR_clear_error();
	if (!cn->incoming)
		snprintf(a->tls_error, sizeof(a->tls_error), "%s (%s)", why,
			 cn->tls_name);
	return -EPROTO;
refused:
	ERR_clear_error();
	if (!cn->incoming)
		snprintf(a->tls_error, sizeof(a->tls_error), "%s", why);
	return -EPERM;
}

/*
 * What SSL_read()/SSL_write() returning @r means: bytes, -EAGAIN (wait for
 * the socket), or the end: a read sees 0 for a close (with or without
 * close_notify) and -EPROTO for anything else; a write sees -errno or
 * -EPIPE.
 */
static ssize_t tls_result(struct sip_conn *cn, int r, bool reading)
{
	int e;

	if (r > 0)
		return r;
	e = SSL_get_error(cn->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return -EAGAIN;
	ERR_clear_error();
	if (!reading)
		return e == SSL_ERROR_SYSCALL && errno ? -errno : -EPIPE;
	if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && !errno))
		return 0;
	return -EPROTO;
}

ssize_t tls_read(struct sip_conn *cn, void *buf, size_t len)
{
	ERR_clear_error();
	errno = 0;
	return tls_result(cn, SSL_read(cn->ssl, buf, len > INT32_MAX ?
				       INT32_MAX : (int)len), true);
}

ssize_t tls_write(struct sip_conn *cn, const void *buf, size_t len)
{
	ERR_clear_error();
	errno = 0;
	return tls_result(cn, SSL_write(cn->ssl, buf, len > INT32_MAX ?
					INT32_MAX : (int)len), false);
}

bool tls_pending(struct sip_conn *cn)
{
	return cn->ssl && SSL_pending(cn->ssl) > 0;
}
