/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * invite.h - the INVITE session: what invite.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_INVITE_H
#define FXSD_SIP_INVITE_H

#include "sip/internal.h"

int call_send_bye(struct sip_call *c);
int invite_respond(struct sip_call *c, int code, const char *sdp);
void retx_arm(struct sip_call *c);
int offer_respond(struct sip_call *c, int code, const char *sdp,
		  int warning, const char *text);
void handle_update(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src);
void handle_invite(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src, const char *raw, size_t len);
struct sip_call *find_cancelled(struct sip_agent *a, osip_message_t *m);
void handle_cancel(struct sip_agent *a, osip_event_t *ev,
		   const struct sip_peer *src);
void handle_bye(struct sip_agent *a, osip_event_t *ev,
		const struct sip_peer *src);
void handle_ack_2xx(struct sip_agent *a, osip_message_t *m);
void ict_response(struct sip_call *c, osip_message_t *resp);
void calls_resolved(struct sip_agent *a);
int call_invite_with(struct sip_agent *a, const char *number,
		     const char *uri, const char *sdp_offer,
		     const char *extra, struct sip_call **ret_call);

#endif /* FXSD_SIP_INVITE_H */
