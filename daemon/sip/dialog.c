// SPDX-License-Identifier: GPL-2.0-only
/*
 * dialog.c - the dialog of a call (struct sip_call): references and
 * accessors, the call list, state changes reported to the user, route
 * set and remote target, and requests sent within the dialog.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>

#include "sip/internal.h"

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
	reinvite_free(c);
	sd_event_source_unref(c->st_timer);
	prack_free(c);
	free(c->invite_extra);
	free(c->refer_to);
	sd_event_source_unref(c->refer_timer);
	free(c);
}

void call_unref_internal(struct sip_call *c)
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

void sip_call_get_ids(const struct sip_call *c, struct sip_call_ids *ret)
{
	*ret = (struct sip_call_ids){
		.local_uri = c->local_uri ? c->local_uri : "",
		.remote_uri = c->remote_uri ? c->remote_uri : "",
		.local_tag = c->local_tag,
		.remote_tag = c->remote_tag,
	};
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

struct sip_call *call_new(struct sip_agent *a, bool outgoing)
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
	timer_init(c);
	return c;
}

/* Leave a->calls and drop the agent's reference. */
void call_unlink(struct sip_call *c)
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
	reinvite_cleanup(c);
	timer_cleanup(c);
	prack_cleanup(c);
	c->refer_timer = sd_event_source_disable_unref(c->refer_timer);
	call_unref_internal(c);
}

static bool state_is_final(enum sip_call_state s)
{
	return s == SIP_CALL_FAILED || s == SIP_CALL_CANCELLED ||
	       s == SIP_CALL_TERMINATED;
}

/* The one place call states change; @notify=false for user-made ends. */
void call_set_state(struct sip_call *c, enum sip_call_state s,
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

struct sip_call *find_call(struct sip_agent *a, const char *call_id,
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

void call_set_routes(struct sip_call *c, osip_message_t *m,
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

void call_set_target(struct sip_call *c, osip_message_t *m)
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
		*port = f->url->port ? (unsigned)atoi(f->url->port) :
			f->url->scheme && !strcasecmp(f->url->scheme, "sips") ?
			5061 : 5060;
		r = 0;
	}
	osip_from_free(f);
	return r;
}

/* Next hop of an in-dialog request. */
int dialog_destination(struct sip_call *c, struct sockaddr_storage *ss)
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
	    resolve_numeric(a->family, host, port, ss, &sl, 1) > 0)
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
void dialog_request(struct sip_call *c, struct req_spec *s,
		    const char *method, uint32_t cseq, char **routes)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	s->method = method;
	s->tcp = c->tcp;
	s->sips = c->sips;
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
int call_send_request(struct sip_call *c, const char *method,
		      enum sip_tx_kind kind, const char *body,
		      const char *content_type,
		      osip_transaction_t **ret_tr)
{
	return call_send_request_hdrs(c, method, kind, NULL, false, body,
				      content_type, ret_tr);
}

/* The same with the header lines @hdrs (CRLF each; may be NULL), and a
 * Contact when @contact (REFER, NOTIFY). */
int call_send_request_hdrs(struct sip_call *c, const char *method,
			   enum sip_tx_kind kind, const char *hdrs,
			   bool contact, const char *body,
			   const char *content_type,
			   osip_transaction_t **ret_tr)
{
	struct sip_agent *a = c->a;
	struct sockaddr_storage dest;
	struct req_spec s;
	char *routes[SIP_MAX_ROUTES + 1];
	char authz[1200], extra[4096];
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
	if ((size_t)snprintf(extra, sizeof(extra), "%s%s", authz,
			     hdrs ? hdrs : "") >= sizeof(extra))
		return -ENOBUFS;
	s.extra = extra;
	s.contact = contact;
	s.body = body;
	s.content_type = content_type;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	return start_client_tx(a, msg, kind, c, &dest, ret_tr);
}
