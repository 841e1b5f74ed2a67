// SPDX-License-Identifier: GPL-2.0-only
/*
 * auth.c - digest authentication of our requests: taking a 401/407
 * challenge and building the Authorization / Proxy-Authorization header
 * (digest.c computes the response).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "sip/internal.h"

/* Parse the first usable challenge of a 401/407 into @auth. */
int auth_take_challenge(struct sip_agent *a, osip_message_t *resp,
			struct sip_auth *auth)
{
	bool proxy = resp->status_code == 407;
	osip_list_t *l = proxy ? &resp->proxy_authenticates :
				 &resp->www_authenticates;
	struct digest_challenge ch;
	int pos;

	for (pos = 0; !osip_list_eol(l, pos); pos++) {
		osip_www_authenticate_t *w = osip_list_get(l, pos);
		char *s = NULL;
		int r;

		if (osip_www_authenticate_to_str(w, &s) != 0 || !s)
			continue;
		r = digest_parse_challenge(s, &ch);
		osip_free(s);
		if (r < 0)
			continue;
		/* same nonce again, not stale: the password is wrong */
		if (auth->have && auth->tries > 0 && !ch.stale &&
		    strcmp(ch.nonce, auth->ch.nonce) == 0)
			return -EACCES;
		if (auth->tries >= SIP_AUTH_TRIES)
			return -EACCES;
		if (!auth->have || strcmp(ch.nonce, auth->ch.nonce) != 0)
			auth->nc = 0;
		auth->ch = ch;
		auth->have = true;
		auth->proxy = proxy;
		auth->tries++;
		return 0;
	}
	log_a(a, LOG_WARNING, "No usable digest challenge in %d", resp->status_code);
	return -EOPNOTSUPP;
}

/* "Authorization: ...\r\n" for @method @uri into @buf ("" if no challenge). */
int auth_header(struct sip_agent *a, struct sip_auth *auth,
		const char *method, const char *uri, char *buf,
		size_t len)
{
	char value[1024], cnonce[17];
	int r, n;

	buf[0] = '\0';
	if (!auth->have)
		return 0;
	random_hex(cnonce, 16);
	auth->nc++;
	r = digest_authorization(&auth->ch, a->auth_user, a->password, method,
				 uri, cnonce, auth->nc, value, sizeof(value));
	if (r < 0) {
		log_a(a, LOG_ERR, "Failed to compute digest: %s", strerror(-r));
		return r;
	}
	n = snprintf(buf, len, "%s: %s\r\n",
		     auth->proxy ? "Proxy-Authorization" : "Authorization",
		     value);
	if (n < 0 || (size_t)n >= len)
		return -ENOBUFS;
	return 0;
}
