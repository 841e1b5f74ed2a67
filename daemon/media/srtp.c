// SPDX-License-Identifier: GPL-2.0-only
/*
 * srtp.c - SRTP/SRTCP for one RTP session on libsrtp2.  See srtp.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <srtp2/srtp.h>

#include "media/srtp.h"

/* One direction: its libsrtp session and the key it was made with. */
struct srtp_dir {
	srtp_t session;
	struct sdp_crypto key;
};

struct srtp_channel {
	struct srtp_dir tx;
	struct srtp_dir rx;
};

int srtp_channel_init(void)
{
	static bool done;

	if (!done) {
		if (srtp_init() != srtp_err_status_ok)
			return -EIO;
		done = true;
	}
	return 0;
}

int srtp_channel_keygen(enum sdp_crypto_suite suite, struct sdp_crypto *ret)
{
	size_t len = sdp_crypto_key_len(suite), got = 0;

	if (!len || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	while (got < len) {
		ssize_t n = getrandom(ret->key + got, len - got, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			explicit_bzero(ret, sizeof(*ret));
			return -errno;
		}
		got += n;
	}
	ret->suite = suite;
	ret->tag = suite + 1;
	return 0;
}

int srtp_channel_new(struct srtp_channel **ret)
{
	struct srtp_channel *c;
	int r;

	r = srtp_channel_init();
	if (r < 0)
		return r;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	*ret = c;
	return 0;
}

static void dir_clear(struct srtp_dir *d)
{
	if (d->session)
		srtp_dealloc(d->session);
	d->session = NULL;
	explicit_bzero(&d->key, sizeof(d->key));
}

struct srtp_channel *srtp_channel_free(struct srtp_channel *c)
{
	if (!c)
		return NULL;
	dir_clear(&c->tx);
	dir_clear(&c->rx);
	free(c);
	return NULL;
}

static bool dir_is(const struct srtp_dir *d, const struct sdp_crypto *k)
{
	size_t len = k ? sdp_crypto_key_len(k->suite) : 0;

	return len && d->session && d->key.suite == k->suite &&
	       memcmp(d->key.key, k->key, len) == 0;
}

static int dir_set(struct srtp_dir *d, const struct sdp_crypto *k,
		   bool outbound)
{
	srtp_policy_t pol;
	uint8_t key[SDP_CRYPTO_KEY_MAX];
	size_t len = k ? sdp_crypto_key_len(k->suite) : 0;
	srtp_err_status_t e;

	if (!len)
		return -EINVAL;
	if (dir_is(d, k))
		return 0;	/* the same key: keep the state */
	dir_clear(d);
	memset(&pol, 0, sizeof(pol));
	switch (k->suite) {
	case SDP_CRYPTO_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	case SDP_CRYPTO_AES_CM_128_HMAC_SHA1_32:
		/* the 32-bit tag is for SRTP only (RFC 4568 6.2.2) */
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		break;
	}
	memcpy(key, k->key, len);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	e = srtp_create(&d->session, &pol);
	explicit_bzero(key, sizeof(key));
	if (e != srtp_err_status_ok) {
		d->session = NULL;
		return -EIO;
	}
	d->key = *k;
	return 0;
}

int srtp_channel_set_tx(struct srtp_channel *c, const struct sdp_crypto *tx)
{
	return c ? dir_set(&c->tx, tx, true) : -EINVAL;
}

int srtp_channel_set_rx(struct srtp_channel *c, const struct sdp_crypto *rx)
{
	return c ? dir_set(&c->rx, rx, false) : -EINVAL;
}

bool srtp_channel_has_tx(const struct srtp_channel *c)
{
	return c && c->tx.session;
}

bool srtp_channel_has_rx(const struct srtp_channel *c)
{
	return c && c->rx.session;
}

int srtp_channel_tx_suite(const struct srtp_channel *c)
{
	return srtp_channel_has_tx(c) ? (int)c->tx.key.suite : -1;
}

bool srtp_channel_rx_is(const struct srtp_channel *c,
			const struct sdp_crypto *k)
{
	return c && dir_is(&c->rx, k);
}

int srtp_channel_protect(struct srtp_channel *c, uint8_t *pkt, size_t *len,
			 bool rtcp)
{
	srtp_err_status_t e;
	int n;

	if (!srtp_channel_has_tx(c))
		return -ENOKEY;
	if (*len > INT_MAX - SRTP_CHANNEL_OVERHEAD)
		return -EINVAL;
	n = (int)*len;
	e = rtcp ? srtp_protect_rtcp(c->tx.session, pkt, &n) :
		   srtp_protect(c->tx.session, pkt, &n);
	if (e != srtp_err_status_ok)
		return -EIO;
	*len = n;
	return 0;
}

int srtp_channel_unprotect(struct srtp_channel *c, uint8_t *pkt, size_t *len,
			   bool rtcp)
{
	srtp_err_status_t e;
	int n;

	if (!srtp_channel_has_rx(c))
		return -ENOKEY;
	if (*len > INT_MAX)
		return -EBADMSG;
	n = (int)*len;
	e = rtcp ? srtp_unprotect_rtcp(c->rx.session, pkt, &n) :
		   srtp_unprotect(c->rx.session, pkt, &n);
	switch (e) {
	case srtp_err_status_ok:
		*len = n;
		return 0;
	case srtp_err_status_replay_fail:
	case srtp_err_status_replay_old:
		return -EALREADY;
	default:
		return -EBADMSG;
	}
}
