/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * subscribe.h - NOTIFY received and the message-waiting subscription:
 * what subscribe.c gives the rest of daemon/sip/.
 */
#ifndef FXSD_SIP_SUBSCRIBE_H
#define FXSD_SIP_SUBSCRIBE_H

#include "sip/internal.h"

int notify_precheck(struct sip_agent *a, osip_message_t *m,
		    const struct sip_peer *src, const char *const **ret_hdrs);
void handle_notify(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src);
void mwi_registered(struct sip_agent *a);
void mwi_response(struct sip_agent *a, osip_message_t *resp, int code);
void mwi_resolved(struct sip_agent *a);
void mwi_stop(struct sip_agent *a);
void mwi_free(struct sip_agent *a);

#endif /* FXSD_SIP_SUBSCRIBE_H */
