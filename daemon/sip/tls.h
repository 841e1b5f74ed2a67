/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tls.h - SIP over TLS: what tls.c gives transport_tcp.c and agent.c.
 */
#ifndef FXSD_SIP_TLS_H
#define FXSD_SIP_TLS_H

#include <sys/types.h>

#include "sip/internal.h"

/* The agent's contexts from @acct's tls_* settings; errors are logged. */
int tls_agent_init(struct sip_agent *a, const struct sip_account *acct);
void tls_agent_free(struct sip_agent *a);
/* A session on @cn's socket (client, or server for an accepted one). */
int tls_conn_start(struct sip_conn *cn);
void tls_conn_free(struct sip_conn *cn);
/*
 * One step of the handshake: 1 done (peer checked), 0 to be continued
 * (cn->tls_want_write says on what), negative on failure with the reason
 * in @why (and, for a connection of ours, in a->tls_error).
 */
int tls_handshake(struct sip_conn *cn, char *why, size_t whylen);
/* Bytes moved, 0 at the end of the stream (read), -EAGAIN, -errno. */
ssize_t tls_read(struct sip_conn *cn, void *buf, size_t len);
ssize_t tls_write(struct sip_conn *cn, const void *buf, size_t len);
/* Decrypted bytes wait in the session (no socket event will say so). */
bool tls_pending(struct sip_conn *cn);

#endif /* FXSD_SIP_TLS_H */
