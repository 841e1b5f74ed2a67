/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * transaction.h - the transaction layer: what transaction.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_TRANSACTION_H
#define FXSD_SIP_TRANSACTION_H

#include "sip/internal.h"

int pump_timer_cb(sd_event_source *s, uint64_t usec, void *userdata);
void pump_soon(struct sip_agent *a);
size_t n_transactions(struct sip_agent *a);
void tx_free(osip_transaction_t *tr);
void sip_pump(struct sip_agent *a);
int start_client_tx(struct sip_agent *a, osip_message_t *msg,
		    enum sip_tx_kind kind, struct sip_call *call,
		    const struct sockaddr_storage *dest,
		    osip_transaction_t **ret);
int start_options_tx(struct sip_agent *a, const char *ruri, bool tcp,
		     const char *extra, enum sip_tx_kind kind,
		     const struct sockaddr_storage *dest);
osip_transaction_t *new_server_tx(struct sip_agent *a, osip_event_t *ev,
				  enum sip_tx_kind kind,
				  struct sip_call *call,
				  const struct sip_peer *src);
void conn_fail_transactions(struct sip_agent *a, unsigned id);
void client_tx_abandon(struct sip_agent *a, enum sip_tx_kind kind);
void register_callbacks(osip_t *o);
void free_tx_list(osip_list_t *l);

#endif /* FXSD_SIP_TRANSACTION_H */
