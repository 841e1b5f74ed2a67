/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * internal.h - what the files of daemon/sip/ share: the limits, the
 * types (the agent, its calls, transactions, connections), and through
 * the part headers the functions each file gives the others.  Only
 * daemon/sip/ includes it: libosip2's types stay inside sip/ (sip.h is
 * the agent's API).
 *
 * The files, after pjsip's split into transport, transaction, dialog,
 * invite session and registration:
 *   agent.c          the agent's receive dispatch
 *   policy.c         the budgets of strangers
 *   resolve.c        name resolution
 *   transport.c      the common transport and UDP
 *   transport_tcp.c  SIP over TCP
 *   tls.c            SIP over TLS on transport_tcp.c's connections
 *   transaction.c    the transaction layer
 *   message.c        the message helpers
 *   auth.c           digest authentication of our requests
 *   register.c       registration
 *   dialog.c         the dialog of a call
 *   invite.c         the INVITE session
 *   info.c           DTMF in SIP INFO
 *   reinvite.c       our own re-INVITE (hold, resume, refresh)
 *   timer.c          session timers (RFC 4028)
 *   prack.c          reliable provisional responses (RFC 3262)
 *   mwi.c            the message-summary body (pure)
 *   subscribe.c      NOTIFY received, message waiting (RFC 3842/6665)
 *   sipfrag.c        sipfrag, Refer-To and Replaces values (pure)
 *   refer.c          transfer: REFER both ways, NOTIFY refer, Replaces
 *   nat.c            our public address (received/rport, STUN), UDP
 *                    keep-alives
 *   stun.c           STUN Binding messages (pure)
 *
 * Requests are built as text and parsed back into an osip_message_t (the
 * parser is the one thing sure to agree with itself); responses are built
 * from the request with libosip2's clone helpers.  Every transaction
 * carries a struct sip_tx (your_instance): what the transaction is for,
 * and a reference on its call.
 */
#ifndef FXSD_SIP_INTERNAL_H
#define FXSD_SIP_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <syslog.h>
#include <systemd/sd-event.h>

#include <osip2/osip.h>
#include <osipparser2/osip_parser.h>

#include "sip/digest.h"
#include "sip/sip.h"

#define SIP_T1_MS		500
#define SIP_T2_MS		4000
#define SIP_MAX_ROUTES		8
#define SIP_MAX_ADDRS		8	/* of one server in use (s->addr) */
#define SIP_MAX_TARGETS		8	/* SRV targets of one name */
#define SIP_MAX_CANDS		8	/* a server's candidate addresses */
#define SIP_DNS_MAX		8	/* lookups in flight per agent */
#define SIP_DNS_TIMEOUT_MS	10000	/* one lookup: SRV, then A/AAAA */
#define SIP_TEXT_MAX		8192	/* requests we build */
#define SIP_AUTH_TRIES		2	/* challenges answered per request */
#define SIP_PUBLISH_MAX		4	/* reports waiting or in flight */
/* the registered Contact's user: "fx" and 16 hex digits (64 random bits) */
#define SIP_CONTACT_TOKEN_PREFIX "fx"
#define SIP_CONTACT_TOKEN_LEN	18
#define SIP_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, NOTIFY, REFER"
#define SIP_TCP_MAX_IN		16	/* accepted connections */
#define SIP_TCP_PER_SOURCE	4	/* ... from one stranger address */
#define SIP_TCP_STRANGERS	12	/* ... from all strangers: the rest is
					 * the provider's (see tcp_accept_cb()) */
#define SIP_TCP_MSG_MS		10000	/* a stranger's first message, and any
					 * message once begun, complete within */
#define SIP_TCP_MAX_OUT		16	/* connections we opened */
#define SIP_TCP_CONNECT_MS	10000	/* connect() deadline */
#define SIP_TCP_IDLE_S		300	/* idle connections closed after */
#define SIP_TCP_WBUF_MAX	(256 * 1024)	/* unsent bytes per connection */
#define SIP_TLS_HANDSHAKE_MS	10000	/* a TLS handshake done within */
#define SIP_KEEPALIVE_S		90	/* our flow's CRLF ping (RFC 5626) */
#define SIP_KEEPALIVE_UDP_S	25	/* ... over UDP, to the registrar */
#define SIP_STUN_PORT		3478
#define SIP_STUN_RTO_MS		500	/* RFC 5389 7.2.1: RTO, doubling */
#define SIP_STUN_TRIES		7	/* ... Rc */
#define SIP_STUN_LAST_WAIT	16	/* ... Rm: the last wait, RTOs */
#define SIP_STUN_REFRESH_S	300	/* the mapping asked again after */
#define SIP_STUN_RETRY_S	60	/* ... after a query that failed */
#define SIP_NAT_REREG_MAX	3	/* re-REGISTERs in a row for a new
					 * public address */
#define SIP_PONG_MS		10000	/* ... its pong within, once the peer
					 * has shown it answers them */
#define SIP_DTMF_BODY_MAX	256	/* longest DTMF INFO body accepted */
#define SIP_DTMF_DURATION_MAX	60000	/* ms, largest Duration= accepted */
#define SIP_DTMF_ACCEPT		"application/dtmf-relay, application/dtmf"
#define SIP_MWI_TYPE		"application/simple-message-summary"
#define SIP_ALLOW_EVENTS	"message-summary, refer, check-sync"
#ifndef SIP_REFER_FIRST_MS	/* (the line test builds with 2000) */
#define SIP_REFER_FIRST_MS	32000	/* our REFER: its first NOTIFY within */
#endif
#define SIP_REFER_NEXT_S	120	/* ... the next, without expires= */
#define SIP_REFER_MAX_S		300	/* ... the next at most */
/*
 * What a peer that is not the registrar or outbound proxy (a "stranger")
 * may cost us: server transactions per source address, and token buckets
 * for the responses sent without a transaction (per source, in a small
 * table, and for all strangers together) and for the log lines they cause.
 */
#define SIP_TX_PER_SOURCE	8	/* server transactions of one stranger */
#define SIP_SRC_MAX		32	/* sources with a response budget */
#define SIP_SRC_BURST		10	/* responses to one source at once */
#define SIP_SRC_PER_MIN		300	/* ... then 5 a second */
#define SIP_ALL_BURST		50	/* responses to all strangers at once */
#define SIP_ALL_PER_MIN		1500	/* ... then 25 a second */
#define SIP_LOG_BURST		20	/* log lines about strangers at once */
#define SIP_LOG_PER_MIN		30	/* ... then one every 2 s */

#define log_a(a, prio, ...) sip_log((a), (prio), __VA_ARGS__)

/* One address a server may be reached at (RFC 3263: SRV target, A/AAAA). */
struct sip_cand {
	struct sockaddr_storage ss;
	socklen_t len;
	unsigned port;
	bool tcp;		/* its transport (NAPTR/SRV): TCP, else UDP */
	char target[256];	/* the SRV target (or the host) it came from */
};

struct sip_server {
	char host[256];
	unsigned port;
	bool port_given;	/* host:port: no SRV lookup */
	struct sockaddr_storage addr[SIP_MAX_ADDRS];
	socklen_t addrlen[SIP_MAX_ADDRS];
	unsigned n_addr;
	struct dns_lookup *lookup;	/* on its way (resolve.c) */
	/* every candidate, in RFC 3263 order; addr[] starts at cand[cur] */
	struct sip_cand cand[SIP_MAX_CANDS];
	unsigned n_cand, cur;
	uint64_t expires_us;	/* usec: the records' TTL runs out */
};

/* Where a message came from, or goes to. */
struct sip_peer {
	struct sockaddr_storage addr;
	socklen_t len;
	bool tcp;
	unsigned conn;		/* TCP: connection id (0 = none, by address) */
};

struct ssl_st;
struct ssl_ctx_st;

/* A TCP (or TLS) connection, accepted or opened by us. */
struct sip_conn {
	struct sip_agent *a;
	struct sip_conn *next;		/* in a->conns while open */
	unsigned n_ref;			/* the list's + running callbacks' */
	unsigned id;			/* > 0; a transaction's out_socket */
	int fd;
	bool incoming;
	bool provider;			/* incoming, from the provider */
	bool valid;			/* carried a valid SIP message */
	bool connecting;		/* non-blocking connect in progress */
	bool broken;			/* to be closed by the defer event */
	bool closed;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	sd_event_source *io, *timer;
	char *rbuf;			/* a->max_msg + 1 bytes */
	size_t rlen;
	char *wbuf;			/* not yet sent */
	size_t wlen, woff, walloc;
	uint64_t last_active;		/* usec, CLOCK_MONOTONIC */
	uint64_t opened;		/* usec: accepted or connect() */
	uint64_t msg_start;		/* usec: the unfinished message in
					 * rbuf (rlen > 0) began */
	/* TLS (tls.c) */
	struct ssl_st *ssl;		/* the session, or NULL (TCP) */
	bool handshaking;		/* ... its handshake is not done */
	bool tls_want_write;		/* ... and waits to write */
	uint64_t hs_start;		/* usec: the handshake began */
	char tls_name[256];		/* the name the server must prove */
	/* keep-alive of our flow (RFC 5626 4.4.1) */
	uint64_t ping_sent;		/* usec: our last CRLFCRLF */
	bool ping_out;			/* ... its pong not yet seen */
	bool pong_seen;			/* the peer answers pings */
};

/* Digest state of one kind of request (REGISTER, or one call's). */
struct sip_auth {
	struct digest_challenge ch;
	bool have;
	bool proxy;		/* Proxy-Authorization */
	uint32_t nc;
	unsigned tries;		/* challenges answered in a row */
};

enum sip_tx_kind {
	TX_REGISTER,
	TX_INVITE_OUT,
	TX_CANCEL_OUT,
	TX_BYE_OUT,
	TX_INFO_OUT,
	TX_SUBSCRIBE_OUT,
	TX_REFER_OUT,
	TX_NOTIFY_OUT,
	TX_INVITE_IN,
	TX_OTHER_IN,
	TX_REINVITE_OUT,
	TX_UPDATE_OUT,		/* a session refresh (timer.c) */
	TX_PRACK_OUT,
	TX_PROBE_OUT,		/* OPTIONS to the primary (register.c) */
	TX_OPTIONS_OUT,		/* a keep-alive (nat.c) */
	TX_PUBLISH_OUT,		/* a voice quality report (publish.c) */
};

struct sip_tx {
	struct sip_agent *a;
	struct sip_call *call;	/* reference, or NULL */
	enum sip_tx_kind kind;
	bool from_provider;	/* server tx: from the registrar/proxy */
	unsigned char src_ip[16];	/* server tx: source (ip_key()) */
	bool unregister;	/* TX_REGISTER with Expires: 0 */
	uint32_t cseq;		/* TX_REGISTER: its CSeq (a newer one wins) */
	char digit;		/* TX_INFO_OUT: the DTMF digit it carries */
	unsigned duration_ms;	/* ... and its duration */
	int frag_status;	/* TX_NOTIFY_OUT: the sipfrag it carries */
	unsigned pub;		/* TX_PUBLISH_OUT: its slot in a->pubs */
};

/* A voice quality report on its way (publish.c). */
struct sip_pub {
	bool used;
	bool wait_dns;		/* for the collector's lookup */
	char *body;
	char call_id[33];
	char tag[17];
	uint32_t cseq;
	struct sip_auth auth;
};

/* A token bucket (see bucket_take()). */
struct sip_bucket {
	uint64_t t;		/* usec of the last refill, 0 = never used */
	unsigned milli;		/* tokens x 1000 */
};

/* The response budget of one source address. */
struct sip_src {
	unsigned char ip[16];	/* ip_key() */
	uint64_t used;		/* usec of the last response */
	struct sip_bucket b;
};

struct sip_call {
	unsigned n_ref;
	struct sip_agent *a;
	struct sip_call *next;		/* in a->calls while live */
	bool live;			/* in a->calls */
	bool user_ref;			/* the user still holds its reference */
	bool outgoing;
	bool tcp;			/* the dialog's transport */
	bool sips;			/* made with a sips: URI (over TLS) */
	unsigned conn;			/* TCP: the connection it was set up on */
	enum sip_call_state state;
	bool final;			/* a final state was reached */
	void *userdata;

	char call_id[128];
	char local_tag[40];
	char remote_tag[128];
	char *local_uri;		/* name-addr, no tag */
	char *remote_uri;
	char *remote_target;		/* URI */
	char *routes[SIP_MAX_ROUTES];	/* name-addr, in sending order */
	unsigned n_routes;
	uint32_t local_cseq;
	uint32_t remote_cseq;
	bool dialog;			/* to-tag known (early or confirmed) */
	bool answered;			/* 2xx sent or received */
	bool bye_sent;

	/* incoming */
	osip_transaction_t *ist;
	char *invite_branch_in;		/* to match CANCEL */
	bool final_sent;
	char *local_sdp;
	osip_transaction_t *offer_tr;	/* a re-INVITE / UPDATE whose offer
					 * awaits the user's answer */
	char *resp2xx;			/* our 2xx, retransmitted until ACK */
	struct sip_peer peer;		/* where resp2xx (or ack) goes */
	sd_event_source *retx;
	bool retx_armed;		/* resp2xx went out: timer running */
	unsigned retx_interval;		/* ms, T1 doubling up to T2 */
	uint64_t retx_t0, retx_next;	/* usec: 2xx sent, next copy due */

	/* outgoing */
	osip_transaction_t *ict;
	char *ruri;
	char *offer;
	char invite_branch[64];
	uint32_t invite_cseq;
	char *auth_header;		/* "Authorization: ..." of the INVITE */
	bool provisional;		/* a 1xx arrived: CANCEL may go */
	bool cancel_wanted, cancel_sent, hangup_wanted;
	bool wait_dns;			/* the INVITE waits for the server's
					 * lookup (calls_resolved()) */
	char *ack;			/* ACK for the 2xx, resent on retransmits */
	struct sip_auth auth;

	/* our re-INVITE (reinvite.c) */
	char *reinv_offer;		/* its SDP offer */
	char *reinv_queued;		/* the user's, after our refresh */
	bool reinv_want;		/* asked for, outcome not reported yet */
	bool reinv_active;		/* its transaction is in progress */
	bool reinv_waiting;		/* reinv_timer armed (491 delay, kick) */
	bool reinv_internal;		/* a session refresh: not reported */
	unsigned reinv_glare;		/* 491s in a row */
	uint32_t reinv_cseq;		/* of the last one sent */
	char *reinv_authz;		/* its credentials, for the ACK */
	char *reinv_ack;		/* ACK of its 2xx, for retransmissions */
	struct sip_peer reinv_peer;	/* where reinv_ack goes */
	sd_event_source *reinv_timer;

	/* session timer (timer.c), s */
	unsigned st_se, st_min_se;	/* what we ask for */
	unsigned st_interval;		/* in force when st_active */
	bool st_active;
	bool st_we_refresh;
	bool st_peer_update;		/* the far end allows UPDATE */
	unsigned st_422_tries;
	sd_event_source *st_timer;

	/* reliable provisional responses (prack.c): UAC */
	bool rseq_valid;
	uint32_t rseq;			/* of the last one PRACKed */
	/* ... UAS */
	bool rel_uas;			/* the INVITE requires 100rel */
	uint32_t rseq_out;		/* RSeq of our next reliable 1xx */
	char *rel_resp;			/* the one awaiting its PRACK */
	bool rel_sdp;			/* ... carries SDP */
	uint32_t rel_rseq;		/* ... its RSeq */
	struct sip_peer rel_peer;	/* where it is resent */
	uint64_t rel_t0;		/* usec: sent */
	unsigned rel_interval;		/* ms, T1 doubling */
	sd_event_source *rel_timer;
	char *rel_2xx_sdp;		/* a 2xx held until that PRACK */
	/* transfer (refer.c) */
	char *invite_extra;		/* header lines our INVITE adds */
	char *refer_to;			/* our REFER's Refer-To, for a resend */
	bool refer_out;			/* our REFER's subscription lives */
	bool refer_answered;		/* ... its final response came, or a
					 * NOTIFY that overtook it */
	sd_event_source *refer_timer;	/* ... its NOTIFY deadline */
	bool refer_in;			/* a received REFER awaits its NOTIFYs */
	uint32_t refer_in_cseq;		/* its CSeq: Event: refer;id= */
};

struct sip_agent {
	sd_event *event;
	sd_event_source *io, *timer, *reg_timer;
	int fd;				/* UDP */
	int family;
	bool tcp;			/* account transport is a stream
					 * (TCP, or TLS when tls) */
	bool tls;			/* ... and it is TLS */
	struct ssl_ctx_st *tls_client;	/* tls.c */
	struct ssl_ctx_st *tls_server;	/* with tls_cert: the listener's */
	unsigned char tls_pin[32];	/* SHA-256 of the server's cert */
	bool tls_pinned;
	char tls_error[320];		/* why the last handshake of ours
					 * failed, "" when it did not */
	uint64_t keepalive_us;		/* SIP_KEEPALIVE_S, or the account's */
	int tcp_fd;			/* TCP listener, or -1 */
	sd_event_source *tcp_io, *conn_defer;
	struct sip_conn *conns;
	unsigned n_conns_in, n_conns_out;
	unsigned next_conn_id;
	struct sockaddr_storage bind_ss;	/* bind_address, port 0 */
	socklen_t bind_sl;
	bool freeing;
	osip_t *osip;
	struct sip_callbacks cb;
	void *userdata;

	/* account (own copies) */
	char *user, *auth_user, *password, *display_name, *domain;
	char *user_agent;
	bool register_enabled, allow_unknown;
	bool contact_token_on;		/* the account's contact_token */
	char contact_token[SIP_CONTACT_TOKEN_LEN + 1];	/* "" until the
					 * first REGISTER (contact_user()) */
	unsigned expires;
	unsigned max_tx, max_dialogs, max_msg;
	uint64_t tcp_msg_us;		/* SIP_TCP_MSG_MS, or the account's */
	unsigned retry_min, retry_max;
	char *nat_address, *contact_address, *bind_address;
	unsigned st_se, st_min_se, st_unit_ms;	/* session timers */

	char local_ip[64];		/* for Via and Contact */
	char public_ip[64];		/* received= of our last REGISTER */
	/* NAT (nat.c): what we advertise in Contact and SDP */
	bool nat_off;			/* learn nothing for Contact/SDP */
	char rcv_ip[64];		/* received= (or sent-by) of the
					 * registrar's last 2xx, "" none */
	unsigned rcv_port;		/* ... its rport=, 0 none (or TCP) */
	char stun_ip[64];		/* STUN's mapped address, "" none */
	unsigned stun_port;
	struct sip_server stun_srv;	/* host "": no STUN */
	sd_event_source *stun_timer;
	unsigned char stun_txid[12];
	unsigned stun_tries;		/* sent for this transaction */
	bool stun_waiting;		/* a Binding request awaits its answer */
	bool stun_wait_dns;		/* ... its server's lookup */
	enum sip_keepalive keepalive;	/* UDP: CRLF, OPTIONS or none */
	sd_event_source *ka_timer;
	bool ka_options_out;		/* our OPTIONS awaits its response */
	unsigned nat_rereg;		/* re-REGISTERs in a row for a new
					 * public address */
	char reg_contact[256];		/* Contact of our registered binding,
					 * "" none */
	char reg_contact_sent[256];	/* ... of the REGISTER in flight */
	unsigned local_port;
	struct sip_server registrar, proxy, domain_srv;
	bool has_proxy;
	bool domain_alias;		/* domain_srv is the registrar's host:
					 * its addresses are the registrar's */
	struct sip_dns *dns;		/* c-ares, from the first lookup */
	bool transport_auto;		/* no transport configured: NAPTR */
	char *dns_server;		/* c-ares server list, or NULL */
	/* failover (register.c): the REGISTER's own deadline, the probe */
	unsigned failover_timeout_ms;	/* 0: Timer F alone */
	unsigned failover_probe_s;
	sd_event_source *fo_timer, *probe_timer;
	bool probe_out;			/* an OPTIONS to the primary is out */
	bool started;

	/* registration */
	enum sip_reg_state reg_state;
	char reg_call_id[64];
	char reg_from_tag[40];
	uint32_t reg_cseq;
	unsigned reg_granted;
	unsigned retry_s;
	unsigned reg_conn;		/* TCP connection of the last 2xx */
	bool reg_in_flight;
	bool reg_wait_dns;		/* a REGISTER waits for its server's lookup */
	unsigned reg_wait_expires;	/* ... to send this Expires */
	bool stopping;
	struct sip_auth reg_auth;

	struct sip_call *calls;
	unsigned n_calls;

	/* message waiting (subscribe.c) */
	bool mwi_subscribe;
	unsigned mwi_expires;
	struct sip_server mwi_server;	/* host "": the registrar */
	struct sip_sub *mwi;

	/* voice quality reports (publish.c) */
	struct sip_server vq_server;	/* the collector's host */
	char *vq_uri;			/* its URI, NULL: no reports */
	struct sip_pub pubs[SIP_PUBLISH_MAX];

	osip_transaction_t **dead;	/* killed, to be freed by the pump */
	size_t n_dead, dead_alloc;
	bool in_pump;

	/* budgets of strangers (SIP_SRC_*, SIP_ALL_*, SIP_LOG_*) */
	struct sip_src srcs[SIP_SRC_MAX];
	struct sip_bucket all_bucket, log_bucket;
	unsigned log_suppressed;
	char tag_key[33];		/* stateless_tag()'s key */
};

struct tbuf {
	char buf[SIP_TEXT_MAX];
	size_t pos;
	bool overflow;
};

struct req_spec {
	const char *method;
	const char *ruri;
	const char *from;	/* name-addr */
	const char *from_tag;
	const char *to;
	const char *to_tag;	/* or NULL */
	const char *call_id;
	uint32_t cseq;
	const char *branch;	/* NULL: a new one */
	char *const *routes;
	unsigned n_routes;
	bool contact;
	bool tcp;		/* Via (and Contact) say TCP (TLS) */
	bool sips;		/* the Contact is a sips: URI */
	const char *extra;	/* whole header lines with CRLF, or NULL */
	const char *body;	/* or NULL */
	const char *content_type;	/* of @body; NULL: application/sdp */
};

#include "sip/agent.h"
#include "sip/policy.h"
#include "sip/resolve.h"
#include "sip/transport.h"
#include "sip/transport_tcp.h"
#include "sip/tls.h"
#include "sip/transaction.h"
#include "sip/message.h"
#include "sip/auth.h"
#include "sip/register.h"
#include "sip/dialog.h"
#include "sip/invite.h"
#include "sip/info.h"
#include "sip/reinvite.h"
#include "sip/timer.h"
#include "sip/prack.h"
#include "sip/caller.h"
#include "sip/mwi.h"
#include "sip/subscribe.h"
#include "sip/sipfrag.h"
#include "sip/refer.h"
#include "sip/nat.h"
#include "sip/publish.h"

#endif /* FXSD_SIP_INTERNAL_H */
