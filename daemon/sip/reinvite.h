/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * reinvite.h - our own re-INVITE: what reinvite.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_REINVITE_H
#define FXSD_SIP_REINVITE_H

#include "sip/internal.h"

bool reinvite_in_progress(const struct sip_call *c);
void reinvite_kick(struct sip_call *c);
int reinvite_start(struct sip_call *c, const char *sdp_offer, bool internal);
bool reinvite_2xx_again(struct sip_call *c, osip_message_t *m);
void reinvite_response(struct sip_call *c, osip_message_t *resp);
void reinvite_done(struct sip_call *c, osip_message_t *resp, int code);
void reinvite_cleanup(struct sip_call *c);
void reinvite_free(struct sip_call *c);

#endif /* FXSD_SIP_REINVITE_H */
