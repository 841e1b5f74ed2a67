/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * transport_tcp.h - SIP over TCP: what transport_tcp.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_TRANSPORT_TCP_H
#define FXSD_SIP_TRANSPORT_TCP_H

#include "sip/internal.h"

void conn_close(struct sip_conn *cn, const char *why);
/* The connection @id's deadlines again (it became the registration's). */
void conn_rearm(struct sip_agent *a, unsigned id);
int conn_defer_cb(sd_event_source *s, void *userdata);
int tcp_send(struct sip_agent *a, const char *buf, size_t len,
	     const struct sip_peer *to, unsigned *ret_conn);
int tcp_accept_cb(sd_event_source *s, int fd, uint32_t revents,
		  void *userdata);

#endif /* FXSD_SIP_TRANSPORT_TCP_H */
