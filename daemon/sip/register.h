/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * register.h - registration: what register.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_REGISTER_H
#define FXSD_SIP_REGISTER_H

#include "sip/internal.h"

void reg_set_state(struct sip_agent *a, enum sip_reg_state s,
		   int status, unsigned expires);
const char *contact_user(const struct sip_agent *a);
int reg_timer_cb(sd_event_source *s, uint64_t usec, void *userdata);
void reg_flow_lost(struct sip_agent *a);
void reg_contact_check(struct sip_agent *a);
int reg_send_expires(struct sip_agent *a, unsigned expires);
int reg_send(struct sip_agent *a);
void reg_resolved(struct sip_agent *a);
void reg_wait_cancel(struct sip_agent *a);
unsigned reg_granted(struct sip_agent *a, osip_message_t *resp);
void reg_response(struct sip_agent *a, struct sip_tx *tx,
		  osip_message_t *resp, int code_none, unsigned conn);

void reg_targets_refresh(struct sip_agent *a);
void reg_probe_done(struct sip_agent *a, bool answered, int code);
void reg_server_failed(struct sip_agent *a, int code);

#endif /* FXSD_SIP_REGISTER_H */
