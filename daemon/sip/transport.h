/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * transport.h - the common transport and UDP: what transport.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_TRANSPORT_H
#define FXSD_SIP_TRANSPORT_H

#include "sip/internal.h"

void addr_to_string(const struct sockaddr_storage *ss, char *ip,
		    size_t iplen, unsigned *port);
bool same_ip(const struct sockaddr_storage *x,
	     const struct sockaddr_storage *y);
void ip_key(const struct sockaddr_storage *ss, unsigned char key[16]);
bool same_addr(const struct sockaddr_storage *x,
	       const struct sockaddr_storage *y);
socklen_t ss_len(const struct sockaddr_storage *ss);
int send_raw(struct sip_agent *a, const char *buf, size_t len,
	     const struct sip_peer *to, unsigned *ret_conn);
int send_msg_to(struct sip_agent *a, osip_message_t *msg,
		const struct sip_peer *to, unsigned *ret_conn);
int sip_send_cb(osip_transaction_t *tr, osip_message_t *msg,
		char *host, int port, int sock);
int io_cb(sd_event_source *s, int fd, uint32_t revents, void *userdata);
void pick_local_ip(struct sip_agent *a);
int open_sockets(struct sip_agent *a, const struct sockaddr_storage *bss,
		 socklen_t bsl);

#endif /* FXSD_SIP_TRANSPORT_H */
