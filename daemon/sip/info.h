/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * info.h - DTMF in SIP INFO: what info.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_INFO_H
#define FXSD_SIP_INFO_H

#include "sip/internal.h"

int call_send_info(struct sip_call *c, char digit, unsigned duration_ms);
void handle_info(struct sip_agent *a, osip_event_t *ev,
		 const struct sip_peer *src);

#endif /* FXSD_SIP_INFO_H */
