/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * auth.h - digest authentication of our requests: what auth.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_AUTH_H
#define FXSD_SIP_AUTH_H

#include "sip/internal.h"

int auth_take_challenge(struct sip_agent *a, osip_message_t *resp,
			struct sip_auth *auth);
int auth_header(struct sip_agent *a, struct sip_auth *auth,
		const char *method, const char *uri, char *buf,
		size_t len);

#endif /* FXSD_SIP_AUTH_H */
