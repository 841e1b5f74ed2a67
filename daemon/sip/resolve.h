/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * resolve.h - name resolution: what resolve.c gives the rest of
 * daemon/sip/.
 */
#ifndef FXSD_SIP_RESOLVE_H
#define FXSD_SIP_RESOLVE_H

#include "sip/internal.h"

int resolve_numeric(int family, const char *host, unsigned port,
		    struct sockaddr_storage *addr, socklen_t *addrlen,
		    unsigned max);
bool is_ip_literal(const char *host);
int server_resolve(struct sip_agent *a, struct sip_server *s);
bool server_pending(const struct sip_agent *a, const struct sip_server *s);
void server_refresh(struct sip_agent *a, struct sip_server *s);
bool server_resolve_due(const struct sip_agent *a, const struct sip_server *s);
void server_use(struct sip_agent *a, struct sip_server *s, unsigned idx);
int server_init(struct sip_server *s, const char *hostport);
void dns_free(struct sip_agent *a);

#endif /* FXSD_SIP_RESOLVE_H */
