// SPDX-License-Identifier: GPL-2.0-only
/*
 * info.c - DTMF in SIP INFO: sending a keyed digit
 * (application/dtmf-relay) and reading a received one
 * (application/dtmf-relay or application/dtmf, bounded body and Duration).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "sip/internal.h"

/* '0'-'9', '*', '#', 'A'-'D' (a-d as A-D), else 0. */
static char dtmf_digit(char d)
{
	if (d >= 'a' && d <= 'd')
		d = (char)(d - 'a' + 'A');
	return d && strchr("0123456789*#ABCD", d) ? d : 0;
}

/* One DTMF digit in an INFO of the dialog. */
int call_send_info(struct sip_call *c, char digit, unsigned duration_ms)
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

/* INFO: in a dialog, a DTMF digit (see sip.h); outside one, 481. */
void handle_info(struct sip_agent *a, osip_event_t *ev,
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
