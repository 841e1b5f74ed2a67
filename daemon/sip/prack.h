/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * prack.h - reliable provisional responses (RFC 3262): what prack.c
 * gives the rest of daemon/sip/.
 */
#ifndef FXSD_SIP_PRACK_H
#define FXSD_SIP_PRACK_H

#include "sip/internal.h"

bool prack_provisional(struct sip_call *c, osip_message_t *resp);
void prack_done(struct sip_call *c, osip_message_t *m, int code);
void prack_uas_init(struct sip_call *c, osip_message_t *m);
int prack_uas_provisional(struct sip_call *c, osip_message_t *req,
			  osip_message_t *r, bool has_sdp);
bool prack_uas_hold_2xx(struct sip_call *c, const char *sdp);
bool prack_uas_2xx_held(const struct sip_call *c);
void prack_uas_final(struct sip_call *c);
void handle_prack(struct sip_agent *a, osip_event_t *ev,
		  const struct sip_peer *src);
void prack_cleanup(struct sip_call *c);
void prack_free(struct sip_call *c);

#endif /* FXSD_SIP_PRACK_H */
