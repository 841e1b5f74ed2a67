/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * timer.h - session timers (RFC 4028): what timer.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_TIMER_H
#define FXSD_SIP_TIMER_H

#include "sip/internal.h"

bool timer_supported(osip_message_t *m);
bool timer_required(osip_message_t *m);
bool timer_too_small(struct sip_agent *a, osip_message_t *m, char *buf,
		     size_t len);
void timer_learn_allow(struct sip_call *c, osip_message_t *m);
void timer_request_headers(struct sip_call *c, char *buf, size_t len);
void timer_2xx_sent(struct sip_call *c, osip_message_t *req,
		    osip_message_t *resp);
void timer_2xx_received(struct sip_call *c, osip_message_t *resp);
int timer_take_422(struct sip_call *c, osip_message_t *resp);
void timer_refresh_failed(struct sip_call *c);
void timer_update_done(struct sip_call *c, osip_message_t *m, int code);
void timer_init(struct sip_call *c);
void timer_cleanup(struct sip_call *c);

#endif /* FXSD_SIP_TIMER_H */
