/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * refer.h - transfer (REFER both ways, NOTIFY refer, Replaces): what
 * refer.c gives the rest of daemon/sip/.
 */
#ifndef FXSD_SIP_REFER_H
#define FXSD_SIP_REFER_H

#include "sip/internal.h"

int refer_precheck(struct sip_agent *a, osip_message_t *m,
		   struct sip_call *c);
void handle_refer(struct sip_agent *a, osip_event_t *ev,
		  const struct sip_peer *src);
void refer_response(struct sip_call *c, osip_message_t *resp, int code);
int refer_notify_precheck(struct sip_agent *a, osip_message_t *m);
void refer_handle_notify(struct sip_agent *a, osip_event_t *ev,
			 const struct sip_peer *src);
void refer_notify_response(struct sip_call *c, struct sip_tx *tx,
			   osip_message_t *resp, int code);
int target_uri(struct sip_agent *a, const char *target, char *uri,
	       size_t len);
int replaces_lookup(struct sip_agent *a, osip_message_t *m,
		    struct sip_call **ret_call);

#endif /* FXSD_SIP_REFER_H */
