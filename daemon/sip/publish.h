/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * publish.h - voice quality reports (RFC 6035): a PUBLISH out of any
 * dialog to the account's collector.
 */
#ifndef FXSD_SIP_PUBLISH_H
#define FXSD_SIP_PUBLISH_H

#include "sip/internal.h"

int publish_init(struct sip_agent *a, const char *collector);
void publish_resolved(struct sip_agent *a);
void publish_response(struct sip_agent *a, struct sip_tx *tx,
		      osip_message_t *m, int code);
void publish_free(struct sip_agent *a);

#endif
