/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * nat.h - our public address behind NAT: what nat.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_NAT_H
#define FXSD_SIP_NAT_H

#include "sip/internal.h"

int nat_init(struct sip_agent *a, const struct sip_account *acct);
void nat_free(struct sip_agent *a);
void nat_start(struct sip_agent *a);
void nat_stop(struct sip_agent *a);
void nat_contact_hostport(const struct sip_agent *a, bool tcp,
			  const char **ret_host, unsigned *ret_port);
bool nat_learn_via(struct sip_agent *a, osip_message_t *resp, bool udp);
void nat_resolved(struct sip_agent *a, struct sip_server *s, int r);
void nat_stun_input(struct sip_agent *a, const char *buf, size_t n,
		    const struct sip_peer *src);
void nat_keepalive_arm(struct sip_agent *a);
void nat_options_response(struct sip_agent *a, osip_message_t *m, int code);

#endif /* FXSD_SIP_NAT_H */
