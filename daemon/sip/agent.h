/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * agent.h - the agent's receive dispatch: what agent.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_AGENT_H
#define FXSD_SIP_AGENT_H

#include "sip/internal.h"

extern const char *const reg_state_table[_SIP_REG_STATE_MAX];
extern const char *const call_state_table[_SIP_CALL_STATE_MAX];

__attribute__((format(printf, 3, 4)))
void sip_log(struct sip_agent *a, int prio, const char *fmt, ...);
void server_resolved(struct sip_agent *a, struct sip_server *s, int r);
bool handle_message(struct sip_agent *a, const char *buf, size_t len,
		    const struct sip_peer *src);

#endif /* FXSD_SIP_AGENT_H */
