/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * policy.h - the budgets of strangers: what policy.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_POLICY_H
#define FXSD_SIP_POLICY_H

#include "sip/internal.h"

bool source_is_provider(struct sip_agent *a,
			const struct sockaddr_storage *src);
bool source_budget(struct sip_agent *a,
		   const struct sockaddr_storage *src);
__attribute__((format(printf, 4, 5)))
void log_peer(struct sip_agent *a, const struct sockaddr_storage *src,
	      int prio, const char *fmt, ...);
/* A log line within the strangers' budget whoever caused it (an INVITE
 * for a user that is not ours comes through the provider too). */
__attribute__((format(printf, 3, 4)))
void log_limited(struct sip_agent *a, int prio, const char *fmt, ...);
bool source_allowed(struct sip_agent *a,
		    const struct sockaddr_storage *src);
bool server_tx_room(struct sip_agent *a, const struct sip_peer *src);

#endif /* FXSD_SIP_POLICY_H */
