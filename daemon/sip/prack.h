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

#endif /* FXSD_SIP_PRACK_H */
