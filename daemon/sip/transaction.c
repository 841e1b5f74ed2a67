// SPDX-License-Identifier: GPL-2.0-only
/*
 * transaction.c - the transaction layer on libosip2's four machines:
 * the pump (one sd-event timer runs osip_*_execute and the timers, frees
 * killed transactions, re-arms for the next libosip2 timer), creating
 * client and server transactions (struct sip_tx, limits), and libosip2's
 * callbacks, routed to invite.c, register.c and info.c.  The kill callback
 * only removes a transaction and queues it; the pump frees it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <syslog.h>

#include "sip/internal.h"

int pump_timer_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)s;
	(void)usec;
	sip_pump(userdata);
	return 0;
}

/* Run the pump from the loop, as soon as possible. */
void pump_soon(struct sip_agent *a)
{
	if (a->in_pump)
		return;
	sd_event_source_set_time(a->timer, 0);
	sd_event_source_set_enabled(a->timer, SD_EVENT_ONESHOT);
}

size_t n_transactions(struct sip_agent *a)
{
	return osip_list_size(&a->osip->osip_ict_transactions) +
	       osip_list_size(&a->osip->osip_ist_transactions) +
	       osip_list_size(&a->osip->osip_nict_transactions) +
	       osip_list_size(&a->osip->osip_nist_transactions);
}

void tx_free(osip_transaction_t *tr)
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

void sip_pump(struct sip_agent *a)
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

/* Start a client transaction for @msg (taken in all cases). */
int start_client_tx(struct sip_agent *a, osip_message_t *msg,
		    enum sip_tx_kind kind, struct sip_call *call,
		    const struct sockaddr_storage *dest,
		    osip_transaction_t **ret)
{
	osip_transaction_t *tr = NULL;
	struct sip_tx *tx;
	osip_event_t *ev;
	char ip[64];
	unsigned port;
	bool invite = kind == TX_INVITE_OUT || kind == TX_REINVITE_OUT;

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

/*
 * An OPTIONS out of any dialog (a keep-alive, a probe of a server) to
 * @ruri at @dest, From and To our address of record, with @extra headers
 * (or NULL), as a client transaction of @kind.
 */
int start_options_tx(struct sip_agent *a, const char *ruri, bool tcp,
		     const char *extra, enum sip_tx_kind kind,
		     const struct sockaddr_storage *dest)
{
	struct req_spec s = { 0 };
	char aor[400], call_id[40], tag[20];
	osip_message_t *msg = NULL;
	int r;

	snprintf(aor, sizeof(aor), "<sip:%s@%s>", a->user, a->domain);
	random_hex(call_id, 32);
	random_hex(tag, 16);
	s.method = "OPTIONS";
	s.ruri = ruri;
	s.from = aor;
	s.from_tag = tag;
	s.to = aor;
	s.call_id = call_id;
	s.cseq = 1;
	s.tcp = tcp;
	s.extra = extra;
	r = build_request(a, &s, &msg, NULL, 0);
	if (r < 0)
		return r;
	return start_client_tx(a, msg, kind, NULL, dest, NULL);
}

/* Create a server transaction for the request in @ev (which it takes). */
osip_transaction_t *new_server_tx(struct sip_agent *a, osip_event_t *ev,
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

static void cb_ict_status(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	(void)type;
	if (!tx || !tx->call || !m)
		return;
	if (tx->kind == TX_REINVITE_OUT)
		reinvite_response(tx->call, m);
	else
		ict_response(tx->call, m);
	if (tx->kind == TX_INVITE_OUT && m->status_code == 503)
		reg_server_failed(tx->a, 503);
}

static void cb_ict_timeout(int type, osip_transaction_t *tr, osip_message_t *m)
{
	struct sip_tx *tx = osip_transaction_get_your_instance(tr);

	(void)type;
	(void)m;
	if (!tx || !tx->call)
		return;
	if (tx->kind == TX_REINVITE_OUT) {
		if (tx->call->reinv_active)
			reinvite_done(tx->call, NULL, 408);
		return;
	}
	if (tx->kind == TX_INVITE_OUT && !tx->call->dialog)
		reg_server_failed(tx->a, 408);
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
	case TX_UPDATE_OUT:
		if (c)
			timer_update_done(c, m, code);
		break;
	case TX_PRACK_OUT:
		if (c)
			prack_done(c, m, code);
		break;
	case TX_SUBSCRIBE_OUT:
		mwi_response(tx->a, m, code);
		break;
	case TX_PROBE_OUT:
		reg_probe_done(tx->a, m != NULL, code);
		break;
	case TX_OPTIONS_OUT:
		nat_options_response(tx->a, m, code);
		break;
	case TX_PUBLISH_OUT:
		publish_response(tx->a, tx, m, code);
		break;
	case TX_REFER_OUT:
		if (c)
			refer_response(c, m, code);
		break;
	case TX_NOTIFY_OUT:
		if (c)
			refer_notify_response(c, tx, m, code);
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
	else if (tx->kind == TX_REINVITE_OUT && tx->call &&
		 tx->call->reinv_active)
		reinvite_done(tx->call, NULL, 503);
	else if (tr->ctx_type == ICT && tx->call)
		call_set_state(tx->call, tx->call->cancel_wanted ?
			       SIP_CALL_CANCELLED : SIP_CALL_FAILED, 503, NULL,
			       true);
	if (tx->kind == TX_INVITE_OUT)
		reg_server_failed(tx->a, 503);
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
void conn_fail_transactions(struct sip_agent *a, unsigned id)
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

/*
 * Our client transactions of @kind still waiting for a response end now,
 * silently: no retransmission, no callback (a REGISTER given up on for
 * the next server, register.c).
 */
void client_tx_abandon(struct sip_agent *a, enum sip_tx_kind kind)
{
	osip_list_t *l = &a->osip->osip_nict_transactions;
	int pos = 0;

	while (!osip_list_eol(l, pos)) {
		osip_transaction_t *tr = osip_list_get(l, pos);
		struct sip_tx *tx = osip_transaction_get_your_instance(tr);

		if (!tx || tx->kind != kind ||
		    (tr->state != NICT_TRYING && tr->state != NICT_PROCEEDING)) {
			pos++;
			continue;
		}
		osip_remove_transaction(a->osip, tr);
		queue_dead(a, tr);
		pos = 0;
	}
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

void register_callbacks(osip_t *o)
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

void free_tx_list(osip_list_t *l)
{
	while (!osip_list_eol(l, 0)) {
		osip_transaction_t *tr = osip_list_get(l, 0);

		osip_remove_transaction(tr->config, tr);
		if (!osip_list_eol(l, 0) && osip_list_get(l, 0) == tr)
			osip_list_remove(l, 0);
		tx_free(tr);
	}
}
