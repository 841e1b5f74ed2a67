/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dialog.h - the dialog of a call: what dialog.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_DIALOG_H
#define FXSD_SIP_DIALOG_H

#include "sip/internal.h"

void call_unref_internal(struct sip_call *c);
struct sip_call *call_new(struct sip_agent *a, bool outgoing);
void call_unlink(struct sip_call *c);
void call_set_state(struct sip_call *c, enum sip_call_state s,
		    int status, const char *sdp, bool notify);
struct sip_call *find_call(struct sip_agent *a, const char *call_id,
			   const char *local_tag, const char *remote_tag);
void call_set_routes(struct sip_call *c, osip_message_t *m,
		     bool reverse);
void call_set_target(struct sip_call *c, osip_message_t *m);
int dialog_destination(struct sip_call *c, struct sockaddr_storage *ss);
void dialog_request(struct sip_call *c, struct req_spec *s,
		    const char *method, uint32_t cseq, char **routes);
int call_send_request(struct sip_call *c, const char *method,
		      enum sip_tx_kind kind, const char *body,
		      const char *content_type,
		      osip_transaction_t **ret_tr);
int call_send_request_hdrs(struct sip_call *c, const char *method,
			   enum sip_tx_kind kind, const char *hdrs,
			   bool contact, const char *body,
			   const char *content_type,
			   osip_transaction_t **ret_tr);

#endif /* FXSD_SIP_DIALOG_H */
