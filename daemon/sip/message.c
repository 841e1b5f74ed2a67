// SPDX-License-Identifier: GPL-2.0-only
/*
 * message.c - message helpers: header and parameter access, bodies,
 * responses built from a request (in a transaction, or stateless with the
 * same To tag for every copy), requests built as text and parsed back
 * (struct req_spec), the checks of every received message
 * (message_check(): 400/416/505 cases) and received/rport (RFC 3581), and
 * small string, random and clock helpers.
 */
#define _GNU_SOURCE		/* memmem, accept4 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include "sip/internal.h"

void random_hex(char *buf, size_t nhex)
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

char *xstrdup0(const char *s)
{
	return strdup(s ? s : "");
}

void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s ? strdup(s) : NULL;
}

uint64_t now_usec(sd_event *e)
{
	uint64_t t = 0;

	sd_event_now(e, CLOCK_MONOTONIC, &t);
	return t;
}

const char *header_value(osip_message_t *m, const char *name)
{
	osip_header_t *h = NULL;

	if (osip_message_header_get_byname(m, name, 0, &h) < 0 || !h)
		return NULL;
	return h->hvalue;
}

const char *gparam(osip_list_t *params, const char *name)
{
	osip_generic_param_t *p = NULL;

	if (osip_generic_param_get_byname(params, (char *)name, &p) != 0 || !p)
		return NULL;
	return p->gvalue ? p->gvalue : "";
}

const char *from_tag(osip_from_t *f)
{
	return f ? gparam(&f->gen_params, "tag") : NULL;
}

const char *top_branch(osip_message_t *m)
{
	osip_via_t *v = NULL;

	if (osip_message_get_via(m, 0, &v) < 0 || !v)
		return NULL;
	return gparam(&v->via_params, "branch");
}

const char *body_of(osip_message_t *m)
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
int sdp_body(osip_message_t *m, const char **ret_sdp)
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

char *call_id_of(osip_message_t *m)
{
	char *s = NULL;

	if (!m->call_id || osip_call_id_to_str(m->call_id, &s) != 0)
		return NULL;
	return s;	/* osip_free */
}

/* Name-addr of a From/To without its tag: "\"x\" <sip:..>". */
char *name_addr_without_tag(osip_from_t *f)
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
osip_message_t *make_response(struct sip_agent *a, osip_message_t *req,
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

void response_add_body(osip_message_t *r, const char *sdp)
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

/*
 * Our Contact; @sips: a SIPS URI (RFC 3261 8.1.1.8, 12.1.1: the dialog
 * was made with one), which implies TLS and takes no transport parameter
 * (RFC 5630 3.1.3).
 */
void contact_value_scheme(struct sip_agent *a, bool tcp, bool sips,
			  char *buf, size_t len)
{
	const char *tp = sips || !tcp ? "" :
			 a->tls ? ";transport=tls" : ";transport=tcp";
	const char *sch = sips ? "sips" : "sip";
	const char *user = contact_user(a);
	const char *host;
	unsigned port;

	/* host:port: the public address when behind NAT (nat.c) */
	nat_contact_hostport(a, tcp || sips, &host, &port);
	if (strchr(host, ':'))
		snprintf(buf, len, "<%s:%s@[%s]:%u%s>", sch, user, host,
			 port, tp);
	else
		snprintf(buf, len, "<%s:%s@%s:%u%s>", sch, user, host, port,
			 tp);
}

void contact_value(struct sip_agent *a, bool tcp, char *buf, size_t len)
{
	contact_value_scheme(a, tcp, false, buf, len);
}

/*
 * Where to answer a request: received/rport of its top Via (RFC 3581);
 * over TCP (used only when the request's connection is gone) the sent-by
 * port, as the rport is the peer's ephemeral one.
 */
int via_destination(struct sip_agent *a, osip_message_t *req, bool tcp,
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
	return resolve_numeric(a->family, host, p, ss, sl, 1) < 0 ? -EINVAL : 0;
}

/*
 * The To tag of a response sent without a transaction: the same for
 * every copy of the same request (RFC 3261 8.2.7), so a retransmission
 * gets the same answer; a keyed hash (FNV-1a 64) of the top Via branch,
 * From tag, Call-ID and CSeq, unpredictable without the agent's key.
 */
static void stateless_tag(struct sip_agent *a, osip_message_t *req,
			  char out[17])
{
	char *cid = call_id_of(req);
	const char *part[] = {
		a->tag_key, top_branch(req), from_tag(req->from), cid,
		req->cseq ? req->cseq->number : NULL,
		req->cseq ? req->cseq->method : NULL,
	};
	uint64_t h = 14695981039346656037ULL;
	unsigned i;

	for (i = 0; i < sizeof(part) / sizeof(part[0]); i++) {
		const char *p;

		for (p = part[i] ? part[i] : ""; *p; p++) {
			h ^= (unsigned char)*p;
			h *= 1099511628211ULL;
		}
		h ^= 0x100 + i;		/* separator: "ab"+"c" != "a"+"bc" */
		h *= 1099511628211ULL;
	}
	osip_free(cid);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/*
 * Send a response without a transaction (400, 503, a refusal, ...) with
 * the header lines @hdrs (name, value, ..., NULL; may be NULL), within
 * the source's budget (source_budget()).
 */
void respond_stateless_hdrs(struct sip_agent *a, osip_message_t *req,
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
	stateless_tag(a, req, tag);
	r = make_response(a, req, code, tag);
	if (!r)
		return;
	for (; hdrs && hdrs[0] && hdrs[1]; hdrs += 2)
		osip_message_set_header(r, hdrs[0], hdrs[1]);
	response_add_body(r, NULL);
	send_msg_to(a, r, &to, NULL);
	osip_message_free(r);
}

void respond_stateless(struct sip_agent *a, osip_message_t *req,
		       int code, const struct sip_peer *src)
{
	respond_stateless_hdrs(a, req, code, src, NULL);
}

/* Hand @resp to the server transaction @tr (which takes it). */
int tx_respond(struct sip_agent *a, osip_transaction_t *tr,
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

int respond_in_tx(struct sip_agent *a, osip_transaction_t *tr,
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
void respond_415_sdp(struct sip_agent *a, osip_transaction_t *tr,
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
void add_warning(struct sip_agent *a, osip_message_t *r, int code,
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

static void via_value(struct sip_agent *a, bool tcp, const char *branch,
		      char *buf, size_t len)
{
	const char *tp = !tcp ? "UDP" : a->tls ? "TLS" : "TCP";

	if (strchr(a->local_ip, ':'))
		snprintf(buf, len, "SIP/2.0/%s [%s]:%u;branch=%s;rport", tp,
			 a->local_ip, a->local_port, branch);
	else
		snprintf(buf, len, "SIP/2.0/%s %s:%u;branch=%s;rport", tp,
			 a->local_ip, a->local_port, branch);
}

/* Build the request text into @b; returns the branch used in @ret_branch. */
int build_request_text(struct sip_agent *a, const struct req_spec *s,
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
		contact_value_scheme(a, s->tcp, s->sips, contact,
				     sizeof(contact));
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

int build_request(struct sip_agent *a, const struct req_spec *s,
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

/* Where out-of-dialog requests go. */
const struct sip_server *ood_server(struct sip_agent *a, bool reg)
{
	if (a->has_proxy)
		return &a->proxy;
	return reg ? &a->registrar : &a->domain_srv;
}

bool content_type_is(osip_message_t *m, const char *type,
		     const char *subtype)
{
	const osip_content_type_t *ct = m->content_type;

	return ct && ct->type && ct->subtype &&
	       strcasecmp(ct->type, type) == 0 &&
	       strcasecmp(ct->subtype, subtype) == 0;
}

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
int message_check(osip_message_t *m, const char *buf, size_t len,
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

void add_received(osip_message_t *m, const struct sockaddr_storage *src)
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
