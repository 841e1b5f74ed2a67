// SPDX-License-Identifier: GPL-2.0-only
/*
 * policy.c - what a peer may cost: the registrar and outbound proxy are
 * the "provider", any other source a "stranger"; token buckets for the
 * responses sent without a transaction (per source and for all strangers)
 * and for the log lines strangers cause, server transactions per source,
 * and which sources may call us (source_allowed()).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sip/internal.h"

/*
 * Take a token from @b, which holds at most @burst and gains @per_min a
 * minute (@now in usec).  Returns false when it is empty.
 */
static bool bucket_take(struct sip_bucket *b, uint64_t now, unsigned burst,
			unsigned per_min)
{
	uint64_t add, full = (uint64_t)burst * 1000;

	if (b->t == 0) {
		b->t = now;
		b->milli = full;
	} else if (now > b->t) {
		add = (now - b->t) * per_min / 60000;	/* milli-tokens */
		if (add > 0) {
			b->milli = b->milli + add > full ? full : b->milli + add;
			b->t = now;
		}
	}
	if (b->milli < 1000)
		return false;
	b->milli -= 1000;
	return true;
}

/* The registrar's, the outbound proxy's or the MWI server's address. */
bool source_is_provider(struct sip_agent *a,
			const struct sockaddr_storage *src)
{
	const struct sip_server *srv[] = {
		&a->registrar, &a->proxy, &a->mwi_server,
	};
	unsigned char k[16], ks[16];
	unsigned i, j;

	ip_key(src, k);
	for (i = 0; i < sizeof(srv) / sizeof(srv[0]); i++)
		for (j = 0; j < srv[i]->n_addr; j++) {
			ip_key(&srv[i]->addr[j], ks);
			if (memcmp(k, ks, 16) == 0)
				return true;
		}
	return false;
}

/*
 * May we send one more response without a transaction to @src?  The
 * provider always; a stranger while its own bucket (in a table of
 * SIP_SRC_MAX sources, the least recently answered one making room for
 * a new one) and the strangers' common bucket have tokens.
 */
bool source_budget(struct sip_agent *a,
		   const struct sockaddr_storage *src)
{
	uint64_t now = now_usec(a->event);
	struct sip_src *e = NULL, *oldest = &a->srcs[0];
	unsigned char k[16];
	unsigned i;

	if (source_is_provider(a, src))
		return true;
	ip_key(src, k);
	for (i = 0; i < SIP_SRC_MAX; i++) {
		if (a->srcs[i].used && memcmp(a->srcs[i].ip, k, 16) == 0) {
			e = &a->srcs[i];
			break;
		}
		if (a->srcs[i].used < oldest->used)
			oldest = &a->srcs[i];
	}
	if (!e) {
		e = oldest;
		memset(e, 0, sizeof(*e));
		memcpy(e->ip, k, 16);
	}
	e->used = now ? now : 1;
	if (!bucket_take(&e->b, e->used, SIP_SRC_BURST, SIP_SRC_PER_MIN))
		return false;
	return bucket_take(&a->all_bucket, e->used, SIP_ALL_BURST,
			   SIP_ALL_PER_MIN);
}

/*
 * Log a line; when @limited, within SIP_LOG_BURST / SIP_LOG_PER_MIN (all
 * such lines together), the next line that passes telling how many were
 * left out.
 */
__attribute__((format(printf, 4, 0)))
static void log_bucketed(struct sip_agent *a, bool limited, int prio,
			 const char *fmt, va_list ap)
{
	char buf[512];

	if (!a->cb.log)
		return;
	if (limited &&
	    !bucket_take(&a->log_bucket, now_usec(a->event) ?: 1,
			 SIP_LOG_BURST, SIP_LOG_PER_MIN)) {
		a->log_suppressed++;
		return;
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (a->log_suppressed) {
		a->cb.log(a->userdata, prio, "%s (%u similar lines suppressed)",
			  buf, a->log_suppressed);
		a->log_suppressed = 0;
		return;
	}
	a->cb.log(a->userdata, prio, "%s", buf);
}

/*
 * Log a line caused by a message from @src: as it is for the provider,
 * for strangers within the budget (log_bucketed()).
 */
void log_peer(struct sip_agent *a, const struct sockaddr_storage *src,
	      int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_bucketed(a, !source_is_provider(a, src), prio, fmt, ap);
	va_end(ap);
}

void log_limited(struct sip_agent *a, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_bucketed(a, true, prio, fmt, ap);
	va_end(ap);
}

bool source_allowed(struct sip_agent *a,
		    const struct sockaddr_storage *src)
{
	return a->allow_unknown || source_is_provider(a, src);
}

/*
 * Room for one more server transaction from @src?  The last max_tx/8
 * (at least 2) are kept for our own client transactions (REGISTER, BYE,
 * ...); of the rest, strangers together get at most half, and one
 * stranger address at most SIP_TX_PER_SOURCE: the provider always finds
 * room for its INVITEs.
 */
bool server_tx_room(struct sip_agent *a, const struct sip_peer *src)
{
	osip_list_t *lists[] = {
		&a->osip->osip_ist_transactions, &a->osip->osip_nist_transactions,
	};
	unsigned reserve = a->max_tx / 8, room, others_max, per_src;
	unsigned n = 0, n_others = 0, n_src = 0, i;
	unsigned char k[16];
	int pos;

	if (reserve < 2)
		reserve = a->max_tx > 2 ? 2 : 0;
	room = a->max_tx - reserve;
	others_max = room / 2 ? room / 2 : 1;
	per_src = others_max < SIP_TX_PER_SOURCE ? others_max : SIP_TX_PER_SOURCE;
	ip_key(&src->addr, k);
	for (i = 0; i < 2; i++)
		for (pos = 0; !osip_list_eol(lists[i], pos); pos++) {
			osip_transaction_t *tr = osip_list_get(lists[i], pos);
			struct sip_tx *tx = osip_transaction_get_your_instance(tr);

			n++;
			if (!tx || tx->from_provider)
				continue;
			n_others++;
			if (memcmp(tx->src_ip, k, 16) == 0)
				n_src++;
		}
	if (n_transactions(a) >= a->max_tx || n >= room)
		return false;
	if (source_is_provider(a, &src->addr))
		return true;
	return n_others < others_max && n_src < per_src;
}
