/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sip.h - fxsd's SIP user agent: one account, a UDP socket (plus a TCP
 * listener and TCP connections when the account uses TCP), libosip2's
 * parser and transaction machines, on an sd-event loop.
 *
 * Shape: one struct sip_agent per configured account (= per FXS port).
 * Each agent binds its own UDP socket (like an HT802, whose accounts use
 * local ports 5060, 5062, ...), owns one osip_t, its timers and its calls.
 *
 * Transport: UDP by default.  With SIP_TRANSPORT_TCP the agent also
 * listens on TCP on the same local port (incoming connections, e.g. a
 * proxy delivering INVITEs), sends every request it originates over TCP
 * (Via: SIP/2.0/TCP, Contact with ;transport=tcp) through connections it
 * opens with a non-blocking connect and reuses (one per peer address;
 * in-dialog requests also reuse the dialog's connection to the same
 * host), and frames the stream by Content-Length (missing or invalid
 * Content-Length, or a message over @max_message_size, closes the
 * connection, after a 513 when a request's header block announces the
 * excess; "\r\n\r\n" keep-alives are answered with "\r\n", RFC 5626).
 * The transaction machines see a reliable transport (no retransmissions
 * of requests or non-2xx responses).  Responses go back over the
 * connection the request came on (or, if it is gone, over a new one to
 * the top Via's received address and sent-by port).  A request received
 * over UDP is answered over UDP whatever the account's transport.  When a
 * connection breaks, the client transactions that were using it fail at
 * once with 503 (a REGISTER then retries with the usual backoff); when
 * the connection that carried the last successful REGISTER breaks, the
 * agent re-registers after @retry_min_s (the state stays REGISTERED
 * meanwhile).  Connections idle for 5 minutes are closed, except the
 * registration's and those a call or a transaction still uses.  Accepted
 * connections: 16, of which one stranger address (see Peers) may hold 4
 * and strangers together 12; the provider is never refused (a stranger's
 * connection idle the longest, not in use, is closed for it).  A
 * stranger's connection that brings no valid message within
 * @tcp_message_timeout_ms, and any connection with a message begun and
 * not complete that long after its first byte, is closed.  The
 * registration's connection sends a "\r\n\r\n" keep-alive every
 * @keepalive_ms (RFC 5626 4.4.1); a peer that has answered one with
 * "\r\n" and misses the next for 10 s loses the connection.
 *
 * SIP_TRANSPORT_TLS is the same over TLS (RFC 3261 26.3.1): Via
 * SIP/2.0/TLS, Contact ;transport=tls (sips: in a dialog made with a
 * sips: URI), SRV _sips._tcp and port 5061; the handshake runs on the
 * loop and must end within 10 s; TLS 1.2 at least; the server must show a
 * certificate valid for the host it was configured as (SNI and
 * subjectAltName), from the system's CAs or @tls_ca_file, or one whose
 * SHA-256 is @tls_pin.  A refused certificate is logged once with the
 * verifier's reason, kept for sip_agent_transport_error(), and fails the
 * transactions waiting for the connection with 503.  The agent listens
 * for TLS only with @tls_cert: the provider's requests come down the
 * registration's connection.
 *
 * What the agent does by itself: 100 Trying; checks of every message in
 * one place (message_check() in message.c: 505 for a version other than
 * SIP/2.0, 416 for a Request-URI scheme other than sip/sips/tel, 400 for a
 * missing Via/From/To/Call-ID/CSeq, a CSeq number >= 2^31 or a method
 * mismatch, Max-Forwards outside 0-255, a Content-Length not a number or
 * larger than the message, a Date not in GMT, headers in a SIP
 * Request-URI; unparsable messages, header blocks that do not end and
 * invalid responses are dropped); 404 to a new INVITE that is not for the
 * account (Request-URI host not ours, or neither the Request-URI's nor
 * To's user is ours; with @contact_token the Request-URI's user must be
 * the token or ours: see invite_is_ours()); 420 with Unsupported to any
 * Require but timer (not for CANCEL); 422 with Min-SE to an INVITE or
 * UPDATE whose Session-Expires is below our Min-SE; 489 to SUBSCRIBE;
 * 406 to an INVITE whose Accept excludes application/sdp; received=/rport
 * on the top Via of every request
 * (RFC 3581); the ACK to every 2xx of ours, first copy and retransmissions;
 * for our own re-INVITE (sip_call_reinvite()): credentials on 401/407,
 * the ACK of its 2xx (and of its retransmissions), the retry after a 491
 * (2.1-4 s when we chose the Call-ID, else 0-2 s), 491 to the far end's
 * re-INVITE (or UPDATE with an offer) while ours is out, and the end of
 * the call after a 481/408 to it;
 * retransmission of our 2xx until the ACK arrives (T1 doubling to T2,
 * counted from when the first copy was sent, over TCP too, as RFC 3261
 * 13.3.1.4 asks; at 64*T1 without ACK the call ends with a BYE and
 * SIP_CALL_TERMINATED); 401/407 challenges (digest
 * MD5 / SHA-256, qop=auth) on REGISTER, INVITE, BYE and INFO; registration
 * refresh at half the granted expiry, exponential backoff on failure
 * (@retry_min_s doubling up to @retry_max_s, reset by a success); 200 to
 * OPTIONS.
 *
 * Session timers (RFC 4028), as UAC and UAS.  Our INVITE says Supported:
 * timer, Session-Expires (@session_expires) and Min-SE (@min_se); a 422
 * brings it again (twice at most) with the Min-SE the 422 gave.  Our 2xx
 * to an INVITE, re-INVITE or UPDATE says Supported: timer; when the
 * request had a Session-Expires (not below our Min-SE, else 422) the 2xx
 * carries it with the refresher (the one the request named; else the far
 * end when it supports timers, us when it does not) and Require: timer
 * when the far end supports them.  A 2xx to our INVITE, re-INVITE or
 * UPDATE with Session-Expires sets the interval and the refresher (us
 * unless it says refresher=uas); without one there is no session timer.
 * When we refresh, the agent sends the refresh by itself at half the
 * interval: an UPDATE without SDP when the far end allows UPDATE (an
 * UPDATE refused with anything but 481/408 falls back to re-INVITE), else
 * a re-INVITE offering our last SDP again; neither is reported to the user
 * (a refresh that meets another INVITE transaction waits a tenth of the
 * interval; 481/408 to it end the call: TERMINATED with that status).
 * Every 2xx of a refresh or re-INVITE either way restarts the clock.  When
 * the far end refreshes and no refresh comes within the interval less
 * min(32 s, a third), the agent sends BYE and on_call_state reports
 * SIP_CALL_TERMINATED with status 408.
 *
 * Reliable provisional responses (RFC 3262).  As UAC: our INVITE says
 * Supported: 100rel; a 1xx with Require: 100rel and RSeq is answered with
 * a PRACK (RAck) in its early dialog, and a copy of one already PRACKed
 * (RSeq not above the last) is not reported again.  As UAS: our 1xx are
 * unreliable unless the INVITE says Require: 100rel; then each 1xx but 100
 * carries Require: 100rel and an RSeq, and is retransmitted (over UDP, T1
 * doubling) until a PRACK with the matching RAck comes (200; any other
 * PRACK 481); one at a time (sip_call_ringing() gives -EBUSY meanwhile);
 * a 2xx the user gives while a reliable 1xx with SDP awaits its PRACK
 * goes when the PRACK comes (sip_call_answer() returns 0 at once; a
 * hang-up meanwhile sends 480); with no PRACK in 64*T1 the INVITE gets
 * 504 and the call ends (FAILED, or TERMINATED after sip_call_answer(),
 * status 504).
 *
 * Peers.  The registrar's, outbound proxy's and @mwi_server's addresses
 * are the "provider"; any other source is a "stranger".  Requests refused
 * outright and OPTIONS are answered without a transaction (RFC 3261
 * 8.2.7), from anyone: 200 to OPTIONS (Allow, Accept); 481 to
 * BYE/CANCEL/INFO/UPDATE/REFER/NOTIFY that match no dialog (or INVITE);
 * 403 to a REFER out of any dialog; 489 with Allow-Events to a NOTIFY
 * of another event; 405 with Allow to methods we do not implement; 403
 * to an INVITE, or an unsolicited message-summary NOTIFY, from a stranger
 * (unless allow_unknown_callers).  A retransmission of such a request gets the
 * same response again (same To tag) and costs no state either.  Such
 * responses to strangers are rate-limited
 * (token buckets per source address in a table of 32, and for all
 * strangers; see SIP_SRC_* / SIP_ALL_* in internal.h); log lines strangers
 * cause are rate-limited too.  Server transactions: max_transactions/8
 * (at least 2) stay free for our client transactions, strangers share at
 * most half of the rest, one stranger address at most 8; beyond, 503.
 * libosip2's trace is silenced (it would print parse errors to stdout).
 *
 * Offer/answer (RFC 3264).  Only an application/sdp body is an offer or
 * an answer: an INVITE, re-INVITE or UPDATE with any other body (no
 * Content-Type, another type, multipart/mixed even when it holds an SDP
 * part) gets 415 with "Accept: application/sdp" and never reaches the
 * user; such a body in an ACK is ignored.  An INVITE without SDP (late
 * offer) reaches on_invite with @sdp NULL: the user's 200 carries the
 * offer, and the answer comes with the ACK, as the @sdp of
 * SIP_CALL_CONFIRMED.  A re-INVITE or UPDATE (RFC 3311) in the dialog
 * with an SDP offer goes to on_offer (an agent without on_offer answers
 * 488); the user answers it with sip_call_answer_offer() or
 * sip_call_reject_offer(), at once or later from the event loop.  A
 * re-INVITE without SDP gets our last SDP as a new offer, its ACK's
 * answer again comes as SIP_CALL_CONFIRMED with @sdp; an UPDATE without
 * SDP a plain 200 (the SDP offered again is our last one: the outgoing
 * call's first offer, or what we answered or offered since).  An offer
 * that comes while another awaits its answer gets 500 with Retry-After
 * (RFC 3261 14.2), while our own re-INVITE is out 491; one pending when
 * the call ends gets 487.  Our own offers in the dialog:
 * sip_call_reinvite().
 *
 * DTMF in SIP INFO (the legacy, package-less use of RFC 6086, as ATAs and
 * PBXs do it).  sip_call_send_dtmf() sends one digit in the call's dialog
 * with Content-Type application/dtmf-relay and the body
 * "Signal=5\r\nDuration=160\r\n" (ms); the final response is only
 * logged (a 401/407 is answered once, as for BYE).  An INFO received in a
 * dialog is answered:
 *   - 200 when it has no body (nothing to do), or carries one digit as
 *     application/dtmf-relay (key=value lines, keys case-insensitive, LF
 *     or CRLF; Signal once, required: 0-9 * # A-D, or 10 / 11 for * / #;
 *     Duration once, optional: 0-60000 ms; other keys ignored) or as
 *     application/dtmf (the body is the digit alone, blanks and line ends
 *     around it ignored); the digit then goes to on_dtmf;
 *   - 400 when such a body is malformed or longer than 256 bytes (nothing
 *     is reported);
 *   - 415 with an Accept header for any other Content-Type.
 * An INFO outside a dialog gets 481.
 *
 * Message waiting (RFC 3842 message-summary over RFC 6665).  A NOTIFY
 * with "Event: message-summary" is taken in our subscription's dialog,
 * or out of any dialog (no To tag: the unsolicited NOTIFY of Asterisk
 * and many providers) from the provider (source_allowed(): a stranger's
 * gets 403 unless @allow_unknown_callers, stateless and rate-limited like
 * other refusals); a To tag of no dialog of ours gets 481, an Event other
 * than message-summary (or none) 489 with Allow-Events.  Its body, of
 * type application/simple-message-summary (415 with Accept for another
 * type; no Content-Type is taken as that type), is read by mwi_parse()
 * (sip/mwi.h: Messages-Waiting required, Voice-Message counts reported,
 * at most 4096 bytes; malformed: 400).  The NOTIFY is answered 200 before
 * on_mwi reports it; one without a body reports nothing.  With
 * @mwi_subscribe the agent SUBSCRIBEs to message-summary for our AOR
 * (Request-URI and To sip:user@domain, Accept:
 * application/simple-message-summary, Expires: @mwi_expires) at
 * @mwi_server (default the registrar; through the outbound proxy if
 * set, which also carries the refreshes) after each registration that
 * finds no subscription (at sip_agent_start() without registration);
 * refreshes in the dialog at half the granted Expires; answers 401/407
 * (once per challenge, as REGISTER) and 423 (Min-Expires); starts a new
 * subscription on a 481 to a refresh; gives up for good, logged once, on
 * 403/404/405/489/501 or a NOTIFY "Subscription-State:
 * terminated;reason=rejected|noresource"; otherwise (timeout, 5xx,
 * terminated for another reason) subscribes anew after a delay that
 * starts at @retry_min_s (1 s for reason=deactivated|timeout, or the
 * retry-after given) and doubles up to @retry_max_s, reset by a refresh
 * that succeeds.  sip_agent_stop() sends an un-SUBSCRIBE (Expires: 0)
 * without waiting for it.
 *
 * Transfer (RFC 3515 REFER, RFC 3891 Replaces, sipfrag of RFC 3420).
 * Out: sip_call_refer() sends REFER in an answered call's dialog (see
 * there); its 401/407 is answered; on_refer_progress reports the
 * REFER's final response, then each NOTIFY of its implicit subscription
 * (Event: refer, a To tag of that call: else 481).  Such a NOTIFY is
 * answered 200 when its body is a valid message/sipfrag (no Content-Type
 * is taken as one; another type: 415, none or a bad status line: 400).
 * In: a REFER in one of our answered calls with exactly one valid
 * Refer-To (sip/sips/tel URI; a Replaces in its headers must parse; else
 * 400) gets 202 with Contact, then at once our NOTIFY "SIP/2.0 100
 * Trying" (RFC 3515 2.4.4), then on_refer; the user's progress goes out
 * with sip_call_refer_notify().  A REFER before the answer or after our
 * BYE gets 403, one while an earlier one awaits its final NOTIFY 491,
 * any when the user set no on_refer 603.  A REFER without To tag (out of
 * any dialog) gets 403 (RFC 3515 lets a UA refuse one; fxsd transfers
 * only its calls), one with a To tag of no call 481 (RFC 3261 12.2.2),
 * both stateless.  An INVITE with Replaces (one header; two or a
 * malformed one: 400) must name a dialog of ours: Call-ID, to-tag = our
 * tag, from-tag = the far end's; none: 481, as for an early dialog we
 * did not initiate (an incoming call still ringing); early-only naming
 * a confirmed dialog: 486; a dialog we sent BYE in: 603.  The INVITE
 * that names one reaches on_invite with caller->replaces set.
 * sip_call_invite_replaces() makes the INVITE a transfer needs.
 *
 * DNS (RFC 3263, simplified): a domain, registrar or outbound proxy given
 * as a host name without a port is looked up as an SRV record,
 * _sip._udp.<host> or _sip._tcp.<host> after the account's transport.
 * The target with the lowest priority, then the highest weight (the first
 * of equals; no random weighting, no fail-over to the next target), is
 * used with the port it gives.  Without a usable SRV answer (none,
 * NXDOMAIN, only the "." target) the host itself is resolved (A/AAAA) on
 * port 5060; with an explicit port only A/AAAA are looked up.  Lookups
 * never block: c-ares runs them on the agent's sd-event loop (servers of
 * /etc/resolv.conf, names of /etc/hosts first), each query tried twice
 * per server (2 s, then 4 s), a whole lookup given up after 10 s; at most
 * 8 are in flight per agent.  They start at sip_agent_start(), before a
 * registration attempt that follows a failure, and for an outgoing call
 * when the domain (or proxy) has no address; the REGISTER or INVITE goes
 * when the lookup ends, and a failed lookup fails them as before: the
 * registration with status 0 (FAILED, retried after the backoff), the
 * call with FAILED and status 0 (hanging up meanwhile ends it CANCELLED,
 * without a callback).  IP literals never go through DNS: they are used
 * at once.  Hosts of in-dialog targets that are not IP literals are
 * reached through the outbound proxy, else the registrar.  Tests point
 * the resolver elsewhere with the environment: FXSD_DNS_SERVER (c-ares
 * server list, e.g. "127.0.0.1:5353") and FXSD_DNS_TIMEOUT_MS (the 10 s;
 * the tries scale with it).
 *
 * NAT.  Unless @nat_off, the agent learns where the registrar sees it:
 * the received= and rport= (RFC 3581) of the top Via of a 2xx to our
 * REGISTER (and of any final response to our keep-alive OPTIONS), else
 * the mapped address a STUN Binding (RFC 5389) from the SIP socket to
 * @stun_server reports (asked at sip_agent_start() and every 5 minutes,
 * retransmitted from 500 ms doubling, 7 times).  Our Contact (over UDP)
 * then carries that address and port, and sip_agent_media_address() the
 * address (received/rport win over STUN: they are what the registrar
 * itself sees).  A @nat_address wins over both; over TCP and TLS the
 * Contact keeps the local address (the provider answers down our
 * connection) and only the address is learnt, for SDP.  When the Contact
 * we would advertise is no longer the registered one, the agent
 * re-registers at once (at most 3 times in a row) with the new Contact
 * and the old one with expires=0, so the registrar removes the stale
 * binding in the same request (RFC 3261 10.2.2).  While registered over
 * UDP, a keep-alive goes to the registrar (the outbound proxy when set)
 * every @keepalive_ms: "\r\n\r\n" or an OPTIONS (@keepalive).
 *
 * Lifetime of calls: a call handed to the user (by on_invite or
 * sip_call_invite) carries one reference for the user, dropped with
 * sip_call_unref().  The agent keeps its own reference while the call has
 * transactions or a dialog.  After a final state (FAILED, CANCELLED,
 * TERMINATED) no more callbacks come for the call, and every sip_call_*
 * action returns -ESTALE.  sip_agent_free() ends every call without
 * callbacks; users must still unref their calls (before or after).
 *
 * Callbacks never run re-entrantly from a sip_call_* or sip_agent_* call
 * made by the user, except on_registration from sip_agent_stop() when
 * there is nothing to un-register.
 *
 * Functions return 0 or a negative errno.
 */
#ifndef FXSD_SIP_H
#define FXSD_SIP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

struct sip_agent;
struct sip_call;

enum sip_transport {
	SIP_TRANSPORT_UDP,
	SIP_TRANSPORT_TCP,
	SIP_TRANSPORT_TLS,
	_SIP_TRANSPORT_MAX,
	_SIP_TRANSPORT_INVALID = -EINVAL,
};

/* The UDP keep-alive to the registrar (see "NAT" above). */
enum sip_keepalive {
	SIP_KEEPALIVE_CRLF,	/* "\r\n\r\n" (RFC 5626's ping) */
	SIP_KEEPALIVE_OPTIONS,	/* an OPTIONS request */
	SIP_KEEPALIVE_OFF,
	_SIP_KEEPALIVE_MAX,
	_SIP_KEEPALIVE_INVALID = -EINVAL,
};

/**
 * struct sip_account - configuration of one agent (copied by
 *	sip_agent_new(); strings may be NULL for "unset")
 * @user: SIP user, the user part of our AOR sip:user@domain (required)
 * @auth_user: digest user name, default @user
 * @password: digest password
 * @display_name: for From
 * @domain: host[:port] of our AOR (required)
 * @registrar: host[:port], default @domain
 * @outbound_proxy: host[:port]; when set every request goes there
 * @register_enabled: send REGISTER
 * @expires: requested registration expiry, s (default 3600)
 * @allow_unknown_callers: accept INVITEs from any source address
 * @contact_token: the Contact's user part is a random token
 *	(contact_user()), new at each fresh registration (not at refreshes);
 *	a new INVITE whose Request-URI user is neither the token nor @user
 *	(or @auth_user) gets 404, stateless and rate-limited like every
 *	refusal; without it the Contact's user is @user and the To user may
 *	stand for the Request-URI's (invite_is_ours())
 * @bind_address: local IP literal to bind, default "0.0.0.0"
 * @local_port: local UDP port, 0 = any (see sip_agent_local_port())
 * @nat_address: IP literal for Contact and Via instead of the local one
 * @contact_address: IP literal for Contact/Via when @nat_address is unset
 *	and the socket is bound to a wildcard; default: the address the
 *	kernel picks towards the registrar
 * @user_agent: User-Agent header value, default "fxsd"
 * @max_transactions: limit on concurrent transactions (default 64)
 * @max_dialogs: limit on concurrent calls (default 8)
 * @max_message_size: largest message accepted or sent, datagram or one
 *	message on a TCP stream (default 65535)
 * @retry_min_s: first registration retry delay (default 30)
 * @retry_max_s: longest registration retry delay (default 1800)
 * @transport: how requests are sent (default SIP_TRANSPORT_UDP); with
 *	SIP_TRANSPORT_TCP the agent also listens on TCP on @local_port (with
 *	SIP_TRANSPORT_TLS, for TLS, when @tls_cert is set)
 * @tcp_message_timeout_ms: a stranger's TCP connection must bring its
 *	first message, and any message begun on a connection must be
 *	complete, within this (default 10000; fxsd leaves the default, the
 *	tests shorten it)
 * @session_expires: session interval we ask for in our INVITE (RFC 4028),
 *	s (default 1800; raised to @min_se)
 * @min_se: our Min-SE, s (default and smallest 90): a Session-Expires
 *	below it gets 422
 * @session_timer_unit_ms: the length of one second of session-timer
 *	arithmetic (default 1000; only tests shorten it)
 * @mwi_subscribe: SUBSCRIBE to message-summary for our AOR (see "Message
 *	waiting" above)
 * @mwi_server: host[:port] the SUBSCRIBE goes to, default @registrar
 * @mwi_expires: requested subscription expiry, s (default 3600)
 * @vq_collector: the SIP URI voice quality reports go to
 *	(sip_agent_publish_vq()), NULL or "": none
 * @tls_ca_file: SIP_TRANSPORT_TLS: PEM file of the CAs trusted instead of
 *	the system's store (NULL: the system's)
 * @tls_pin: SHA-256 of the server's certificate in hex (':' between bytes
 *	allowed); when set only that certificate is accepted, whatever its
 *	chain and names
 * @tls_cert: PEM certificate (chain) we show as a client, and as the
 *	server of our TLS listener (without it no TLS listener: requests
 *	come down our own connection, RFC 5626)
 * @tls_key: PEM private key of @tls_cert
 * @keepalive_ms: interval of the CRLF ping on the registration's
 *	connection (TCP, TLS; default 90000), and of the UDP keep-alive
 *	(default 25000; see "NAT" above)
 * @transport_auto: no transport was configured (@transport is then
 *	SIP_TRANSPORT_UDP): a registrar or proxy named without a port is
 *	looked up by NAPTR first, which may choose TCP (RFC 3263 4.1); the
 *	agent then also listens on TCP
 * @dns_server: c-ares server list ("127.0.0.1:5353", "[::1]:53,10.0.0.1")
 *	used instead of resolv.conf's, or NULL
 * @failover_timeout_ms: a REGISTER without any response this long moves
 *	to the registrar's next candidate address (0: only Timer F, 32 s,
 *	or a transport error or a 503 do)
 * @failover_probe_s: while registered at another than the first
 *	candidate, an OPTIONS goes to the first every this many seconds;
 *	its answer brings the registration back there (default 60)
 * @nat_off: advertise only the local (or @nat_address) address: nothing
 *	learnt from received/rport or STUN goes in Contact or SDP
 * @stun_server: host[:port] (default port 3478) of a STUN server asked
 *	for our mapped address from the SIP socket, NULL: none
 * @keepalive: what keeps the NAT binding to the registrar open over UDP
 */
struct sip_account {
	const char *user;
	const char *auth_user;
	const char *password;
	const char *display_name;
	const char *domain;
	const char *registrar;
	const char *outbound_proxy;
	bool register_enabled;
	unsigned expires;
	bool allow_unknown_callers;
	bool contact_token;
	const char *bind_address;
	unsigned local_port;
	const char *nat_address;
	const char *contact_address;
	const char *user_agent;
	unsigned max_transactions;
	unsigned max_dialogs;
	unsigned max_message_size;
	unsigned retry_min_s;
	unsigned retry_max_s;
	enum sip_transport transport;
	unsigned tcp_message_timeout_ms;
	unsigned session_expires;
	unsigned min_se;
	unsigned session_timer_unit_ms;
	bool mwi_subscribe;
	const char *mwi_server;
	unsigned mwi_expires;
	const char *vq_collector;
	const char *tls_ca_file;
	const char *tls_pin;
	const char *tls_cert;
	const char *tls_key;
	unsigned keepalive_ms;
	bool transport_auto;
	const char *dns_server;
	unsigned failover_timeout_ms;
	unsigned failover_probe_s;
	bool nat_off;
	const char *stun_server;
	enum sip_keepalive keepalive;
};

enum sip_reg_state {
	SIP_REG_NONE,		/* never registered / disabled */
	SIP_REG_REGISTERING,	/* first REGISTER (or retry) in flight */
	SIP_REG_REGISTERED,
	SIP_REG_FAILED,		/* last attempt failed; a retry is scheduled */
	SIP_REG_UNREGISTERED,	/* after sip_agent_stop() */
	_SIP_REG_STATE_MAX,
	_SIP_REG_STATE_INVALID = -EINVAL,
};

enum sip_call_state {
	SIP_CALL_INCOMING,	/* INVITE received (on_invite) */
	SIP_CALL_CALLING,	/* our INVITE is out */
	SIP_CALL_RINGING,	/* 180 (or 183 without SDP) received */
	SIP_CALL_EARLY,		/* 183 with SDP received: sdp is passed */
	SIP_CALL_ANSWERED,	/* 2xx received (sdp passed) or sent */
	SIP_CALL_CONFIRMED,	/* ACK for our 2xx received */
	SIP_CALL_FAILED,	/* final: status = the SIP code (408 timeout) */
	SIP_CALL_CANCELLED,	/* final: the caller cancelled (incoming) or
				 * our CANCEL took effect (outgoing) */
	SIP_CALL_TERMINATED,	/* final: BYE received, or ours completed */
	_SIP_CALL_STATE_MAX,
	_SIP_CALL_STATE_INVALID = -EINVAL,
};

/* "udp"/"tcp"/"tls"; NULL when out of range. */
const char *sip_transport_to_string(enum sip_transport t);
const char *sip_reg_state_to_string(enum sip_reg_state s);
const char *sip_call_state_to_string(enum sip_call_state s);

#define SIP_CALLER_FIELD_MAX 256
/* An Alert-Info ring token: at most this many characters. */
#define SIP_ALERT_TOKEN_MAX 63
/* struct sip_caller's @alert_info, the NUL included. */
#define SIP_ALERT_INFO_MAX 256

/**
 * struct sip_caller - who calls (strings are "" when absent)
 * @display_name: From display name, unquoted
 * @from: user@host of From
 * @asserted: user@host of P-Asserted-Identity
 * @asserted_display_name: its display name
 * @request_user: user part of the Request-URI (the number dialed)
 * @replaces: the call of ours this INVITE replaces (its Replaces header,
 *	RFC 3891, matched: see "Transfer" above), NULL when none; valid
 *	during on_invite (sip_call_ref() to keep it).  The user answers the
 *	new call and hangs up the replaced one.
 * @anonymous: the caller withholds its identity: From is anonymous (user
 *	"anonymous" or host "anonymous.invalid"), or a Privacy header asks
 *	for id or header privacy and no P-Asserted-Identity came (see
 *	caller_is_anonymous() in sip/caller.h)
 * @alert_info: the rings the Alert-Info headers ask for, as tokens
 *	separated by one space ("Bellcore-dr2", "urn:alert:source:external";
 *	see alert_info_tokens() in sip/caller.h), "" when none; malformed
 *	values are left out
 */
struct sip_caller {
	char display_name[SIP_CALLER_FIELD_MAX];
	char from[SIP_CALLER_FIELD_MAX];
	char asserted[SIP_CALLER_FIELD_MAX];
	char asserted_display_name[SIP_CALLER_FIELD_MAX];
	char request_user[SIP_CALLER_FIELD_MAX];
	struct sip_call *replaces;
	bool anonymous;
	char alert_info[SIP_ALERT_INFO_MAX];
};

/**
 * struct sip_mwi - a message-summary (RFC 3842) NOTIFY's news
 * @waiting: Messages-Waiting: yes
 * @voice: the body had a Voice-Message line (the counts below are its)
 * @new_msgs: new voice messages
 * @old_msgs: old voice messages
 * @urgent_new: of which urgent, new
 * @urgent_old: ... and old
 * @account: Message-Account, "" when absent
 */
struct sip_mwi {
	bool waiting;
	bool voice;
	unsigned new_msgs;
	unsigned old_msgs;
	unsigned urgent_new;
	unsigned urgent_old;
	char account[SIP_CALLER_FIELD_MAX];
};

/**
 * struct sip_callbacks - all optional
 * @on_registration: @status is the SIP code of the last response, 408
 *	for a transaction timeout, 503 for a transport failure (TCP
 *	connection refused or lost, RFC 3261 8.1.3.1), 0 when nothing could
 *	be sent (DNS failure, no route); @expires the granted expiry
 * @on_invite: a new incoming call; the user answers with
 *	sip_call_ringing/answer/reject.  @sdp is the offer (NULL if none).
 * @on_call_state: @status is the SIP code where one exists (TERMINATED:
 *	0 after the far end's BYE, the BYE's final response after ours,
 *	408 when the session expired (RFC 4028) or our 2xx got no ACK,
 *	481/408 after a re-INVITE or refresh found the dialog gone), @sdp the body
 *	of the response (EARLY, ANSWERED), or the SDP answer an ACK carried
 *	(CONFIRMED, after our 2xx with an offer; CONFIRMED then comes again
 *	for every such ACK of a re-INVITE), or NULL
 * @on_offer: a re-INVITE or UPDATE in @call's established dialog brought
 *	the SDP offer @sdp; answer it with sip_call_answer_offer() or
 *	sip_call_reject_offer().  NULL: such offers get 488.
 * @on_reinvite: the outcome of sip_call_reinvite(): @status is the final
 *	SIP code (2xx: @sdp_answer is the answer, NULL if the 2xx had no
 *	SDP body; the agent has ACKed it), 408 when no final response came
 *	(Timer B), 503 when it could not be sent or its connection broke,
 *	500 when it could not be sent later (see sip_call_reinvite()).  A
 *	401/407 is answered with credentials and a 491 retried after the
 *	RFC 3261 14.1 delay (up to 5 times), silently: only the final
 *	outcome comes.  Any status >= 300 leaves the session as it was
 *	before the re-INVITE.  481 and 408 mean the dialog is gone (RFC
 *	3261 12.2.1.2): after on_reinvite returns, the agent ends the call
 *	itself (a BYE for 408, none for 481) and on_call_state reports
 *	SIP_CALL_TERMINATED with the same status (unless the user already
 *	hung up from on_reinvite).  A new re-INVITE may be started from
 *	inside on_reinvite.
 * @on_dtmf: a digit ('0'-'9', '*', '#', 'A'-'D') came in a SIP INFO of
 *	@call's dialog (already answered 200); @duration_ms as the INFO gave
 *	it, 0 when it gave none
 * @on_mwi: a NOTIFY for message-summary (in our subscription, or
 *	unsolicited from the provider) brought @mwi (already answered 200);
 *	it comes for every such NOTIFY, changed or not
 * @on_refer_progress: how our REFER (sip_call_refer()) fares: first
 *	@status = its final response (202, or 300-699 including 408 for no
 *	response: then nothing more comes), then the status line of each
 *	NOTIFY's sipfrag (100, 180, 200, 486, 503, ...); the reports end
 *	with the first sipfrag >= 200, or with 408 when no NOTIFY came in
 *	time (32 s for the first, then the subscription's expires= or
 *	120 s, at most 300 s), or with 487 when the far end ended the
 *	subscription (Subscription-State: terminated) on a provisional one
 * @on_refer: the far end asks us to transfer @call (a REFER in its
 *	dialog, already answered 202, an immediate NOTIFY "100 Trying"
 *	sent): call @target_uri (sip:, sips: or tel:, without its
 *	headers) with sip_call_invite_replaces(), passing @replaces (the
 *	Replaces header value the Refer-To carried, unescaped, or NULL);
 *	report how it goes with sip_call_refer_notify().  NULL: REFER gets
 *	603.
 * @on_check_sync: the provider (source_allowed(): the registrar, proxy
 *	or MWI server, else 403 as for strangers) sent a NOTIFY with
 *	"Event: check-sync" out of any dialog (the resync request of
 *	Cisco, Polycom, Grandstream and Asterisk's sip notify), already
 *	answered 200: fetch the provisioning profile now
 * @log: priority is a syslog LOG_* value; NULL = no logging
 */
struct sip_callbacks {
	void (*on_registration)(struct sip_agent *a, enum sip_reg_state state,
				int status, unsigned expires, void *userdata);
	void (*on_invite)(struct sip_agent *a, struct sip_call *call,
			  const struct sip_caller *caller, const char *sdp,
			  void *userdata);
	void (*on_call_state)(struct sip_call *call, enum sip_call_state state,
			      int status, const char *sdp, void *userdata);
	void (*on_dtmf)(struct sip_call *call, char digit,
			unsigned duration_ms, void *userdata);
	void (*on_offer)(struct sip_call *call, const char *sdp,
			 void *userdata);
	void (*on_reinvite)(struct sip_call *call, int status,
			    const char *sdp_answer, void *userdata);
	void (*on_mwi)(struct sip_agent *a, const struct sip_mwi *mwi,
		       void *userdata);
	void (*on_refer_progress)(struct sip_call *call, int status,
				  void *userdata);
	void (*on_refer)(struct sip_call *call, const char *target_uri,
			 const char *replaces, void *userdata);
	void (*on_check_sync)(struct sip_agent *a, void *userdata);
	void (*log)(void *userdata, int priority, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
};

/*
 * Create an agent on @event: copies @acct, binds the socket (errors from
 * socket/bind are returned; -EINVAL for a bad account).  Nothing is sent
 * until sip_agent_start().
 */
int sip_agent_new(sd_event *event, const struct sip_account *acct,
		  const struct sip_callbacks *cb, void *userdata,
		  struct sip_agent **ret_agent);
/*
 * Resolve the servers and start registering (if enabled).  Host names are
 * looked up on the loop (see DNS above): a lookup's failure comes later,
 * through on_registration, not as this function's return value.
 */
int sip_agent_start(struct sip_agent *a);
/*
 * Un-register (REGISTER with Expires: 0) if registered; on_registration
 * reports SIP_REG_UNREGISTERED when done (or at once if nothing to do).
 * Calls are not touched.
 */
int sip_agent_stop(struct sip_agent *a);
/* Frees everything; no callbacks.  NULL is a no-op.  Returns NULL. */
struct sip_agent *sip_agent_free(struct sip_agent *a);
static inline void sip_agent_freep(struct sip_agent **a)
{
	sip_agent_free(*a);
}
/* The bound local port (UDP, and TCP with SIP_TRANSPORT_TCP). */
unsigned sip_agent_local_port(const struct sip_agent *a);
/*
 * Our IP address (text, into @buf of @len) that the kernel routes from
 * towards the outbound proxy, else the registrar: what a peer there
 * reaches us at.  -EHOSTUNREACH while that server's address is not
 * known (not yet resolved, or its lookup failed).  Never blocks.
 */
int sip_agent_local_address(const struct sip_agent *a, char *buf, size_t len);
/*
 * The address our SDP should name (c=): @nat_address, else the public
 * address learnt (see NAT above), else sip_agent_local_address()'s.
 */
int sip_agent_media_address(const struct sip_agent *a, char *buf, size_t len);
/* The host and port our Contact advertises now (over the account's
 * transport), text into @buf. */
int sip_agent_contact_address(const struct sip_agent *a, char *buf,
			      size_t len, unsigned *ret_port);
enum sip_reg_state sip_agent_reg_state(const struct sip_agent *a);
/*
 * Why our last TLS connection failed ("server: certificate refused:
 * certificate has expired"), "" when the last one succeeded or none was
 * tried; not NULL.
 */
const char *sip_agent_transport_error(const struct sip_agent *a);
/* Re-register now (e.g. after a network change). */
int sip_agent_register_now(struct sip_agent *a);

/*
 * A voice quality report (RFC 6035): a PUBLISH with Event: vq-rtcpxr
 * and @body (application/vq-rtcpxr) to the account's @vq_collector, out
 * of any dialog, over the account's transport.  A 401/407 is answered
 * with the account's credentials; nothing else is retried.  At most
 * SIP_PUBLISH_MAX (4) reports wait for the collector's lookup or a
 * response; beyond that one is dropped (-EBUSY).  Returns 0 (on its
 * way), -ENOENT without a collector, -EBUSY, -ENOMEM or a send error.
 */
int sip_agent_publish_vq(struct sip_agent *a, const char *body);

/* Incoming calls.  @sdp may be NULL (only for ringing without early
 * media).  -ESTALE after a final state, -EBUSY when the state does not
 * allow it (e.g. answer twice, or ringing while our reliable 1xx awaits
 * its PRACK: see above). */
int sip_call_ringing(struct sip_call *call, bool early_media,
		     const char *sdp);
int sip_call_answer(struct sip_call *call, const char *sdp);
int sip_call_reject(struct sip_call *call, int code);
/* The same with a "Warning: @warning <our address> "@text"" header
 * (RFC 3261 20.43; @warning 300-399, e.g. 304 or 305 with 488). */
int sip_call_reject_warning(struct sip_call *call, int code, int warning,
			    const char *text);

/* Why a call is diverted: the Diversion header's reason (RFC 5806). */
enum sip_divert_reason {
	SIP_DIVERT_UNCONDITIONAL,	/* "unconditional" */
	SIP_DIVERT_USER_BUSY,		/* "user-busy" */
	SIP_DIVERT_NO_ANSWER,		/* "no-answer" */
	SIP_DIVERT_DO_NOT_DISTURB,	/* "do-not-disturb" */
	_SIP_DIVERT_MAX,
	_SIP_DIVERT_INVALID = -EINVAL,
};

const char *sip_divert_reason_to_string(enum sip_divert_reason r);

/*
 * Forward the incoming call: 302 Moved Temporarily to its INVITE with
 * "Contact: <URI>" for @target, a number (sip:number@domain, as
 * sip_call_invite()) or a sip:, sips: or tel: URI, and "Diversion:
 * <sip:user@domain>;reason=@reason;counter=1" naming our AOR (RFC 5806,
 * what providers read to bill and to announce the forward).  The call
 * then ends (FAILED, status 302).  -EINVAL for a bad @target or
 * @reason, -ESTALE after a final response.
 */
int sip_call_redirect(struct sip_call *call, const char *target,
		      enum sip_divert_reason reason);
/* 433 Anonymity Disallowed (RFC 5079) to the incoming call's INVITE; the
 * call then ends (FAILED, status 433).  As sip_call_reject(). */
int sip_call_reject_anonymous(struct sip_call *call);
/*
 * Answer the offer on_offer reported: 200 with @sdp (for a re-INVITE
 * retransmitted until its ACK), or @code (300-699) with the Warning as
 * above (@warning 0: none).  -EBADR when no offer awaits an answer,
 * -ESTALE after a final state.
 */
int sip_call_answer_offer(struct sip_call *call, const char *sdp);
int sip_call_reject_offer(struct sip_call *call, int code, int warning,
			  const char *text);

/*
 * Send a re-INVITE with the SDP offer @sdp_offer in the answered call's
 * dialog (hold: the offer says a=sendonly or a=inactive; resume:
 * a=sendrecv): a new CSeq, the route set, the remote target, our Contact,
 * credentials when the dialog was challenged before.  The outcome comes
 * through on_reinvite (see struct sip_callbacks), never from inside this
 * call.  One re-INVITE at a time per dialog: -EBUSY while one of the
 * user's is pending (sent, or waiting for its 491 retry; a session refresh
 * of the agent's own is not in the way: the user's takes its place, or
 * follows it); meanwhile a re-INVITE from the far
 * end (or an UPDATE with an offer) gets 491.  While an INVITE transaction
 * of the far end is in progress (its offer not yet answered by the user,
 * or our 2xx not yet ACKed), ours waits and goes when that one ends.
 * On a 2xx the offer becomes our SDP (offered again to a re-INVITE
 * without SDP).  -EINVAL without an offer, -ENOTCONN before the call is
 * answered or after a BYE, -ESTALE after a final state, -EBUSY also at
 * the transaction limit.
 */
int sip_call_reinvite(struct sip_call *call, const char *sdp_offer);

/*
 * Outgoing call to sip:@number@domain (through the outbound proxy if
 * set).  *@ret_call holds the user's reference.  -EBUSY when the dialog
 * or transaction limit is reached.  When the server's address is not
 * known yet, the INVITE goes once its lookup ends (see DNS above).
 */
int sip_call_invite(struct sip_agent *a, const char *number,
		    const char *sdp_offer, struct sip_call **ret_call);
/*
 * The same, private (RFC 3323, RFC 3325): From is "Anonymous"
 * <sip:anonymous@anonymous.invalid>, the INVITE says "Privacy: id", and
 * with @ppi our AOR goes only in P-Preferred-Identity (for the provider,
 * which removes it before the call leaves its trust domain).  Digest
 * credentials (a challenge) are still the port's own.
 */
int sip_call_invite_private(struct sip_agent *a, const char *number,
			    const char *sdp_offer, bool ppi,
			    struct sip_call **ret_call);
/*
 * The same to @target, a number (as above) or a sip:, sips: or tel: URI
 * (e.g. on_refer's @target_uri), with "Replaces: @replaces" (RFC 3891,
 * as on_refer gave it; checked, -EINVAL when malformed) and
 * "Referred-By: <@referred_by>" (a URI) when not NULL.
 */
int sip_call_invite_replaces(struct sip_agent *a, const char *target,
			     const char *sdp_offer, const char *replaces,
			     const char *referred_by,
			     struct sip_call **ret_call);
/*
 * Transfer @call (answered): REFER in its dialog with "Refer-To:
 * <URI>" for @target, a number (sip:number@domain, as sip_call_invite())
 * or a sip:, sips: or tel: URI, and Referred-By: our AOR.  With
 * @replaces (attended transfer: another call of the same agent with a
 * dialog, early or confirmed) the URI carries ?Replaces= with that
 * call's Call-ID, to-tag (its far end's tag) and from-tag (ours),
 * escaped.  on_refer_progress reports what follows.  Returns 0 once the
 * REFER is out; -EINVAL (bad target or @replaces), -ESTALE after a final
 * state, -ENOTCONN before the answer or after our BYE, -EBUSY while an
 * earlier REFER of the call still reports.
 */
int sip_call_refer(struct sip_call *call, const char *target,
		   const struct sip_call *replaces);
/*
 * Tell the far end that transferred @call (on_refer) how the transfer
 * goes: a NOTIFY in the dialog with "Event: refer;id=<REFER's CSeq>",
 * Content-Type message/sipfrag;version=2.0, body "SIP/2.0 @status
 * <reason>", and "Subscription-State: active;expires=60" for a 1xx or
 * "terminated;reason=noresource" for a final status (100-699), which
 * ends the subscription.  -EBADR when no REFER awaits a NOTIFY, -EINVAL
 * for a bad @status, -ESTALE / -ENOTCONN as above.
 */
int sip_call_refer_notify(struct sip_call *call, int sipfrag_status);
/* CANCEL before a final response (a later 2xx gets ACK + BYE). */
int sip_call_cancel(struct sip_call *call);
/*
 * End the call whatever its state: CANCEL (outgoing, not answered), 480
 * (incoming, not answered) or BYE (answered).  on_call_state reports the
 * final state (TERMINATED after the BYE completes).
 */
int sip_call_hangup(struct sip_call *call);
/*
 * Send @digit ('0'-'9', '*', '#', 'A'-'D'; a-d too) that lasted
 * @duration_ms in a SIP INFO of the answered call (see above).  Returns 0
 * once the request is out (its response is only logged), -EINVAL for a bad
 * digit, -ESTALE after a final state, -ENOTCONN before the call is answered
 * or after our BYE, -EBUSY at the transaction limit.
 */
int sip_call_send_dtmf(struct sip_call *call, char digit,
		       unsigned duration_ms);

struct sip_call *sip_call_ref(struct sip_call *call);
/* Drops the user's reference; NULL is a no-op.  Returns NULL. */
struct sip_call *sip_call_unref(struct sip_call *call);
static inline void sip_call_unrefp(struct sip_call **c)
{
	sip_call_unref(*c);
}
struct sip_agent *sip_call_agent(const struct sip_call *call);
enum sip_call_state sip_call_get_state(const struct sip_call *call);
const char *sip_call_id(const struct sip_call *call);
bool sip_call_is_outgoing(const struct sip_call *call);

/* The dialog's identities (RFC 6035's LocalID, RemoteID, DialogID):
 * name-addrs of the From/To without tags ("" unknown) and the tags
 * ("" before the remote's is known); valid while @call is. */
struct sip_call_ids {
	const char *local_uri, *remote_uri;
	const char *local_tag, *remote_tag;
};
void sip_call_get_ids(const struct sip_call *call, struct sip_call_ids *ret);
void sip_call_set_userdata(struct sip_call *call, void *userdata);
void *sip_call_get_userdata(const struct sip_call *call);

/*
 * RFC 3263's records (exposed for tests and the fuzz target).
 * sip_srv_parse() gives the usable SRV records of an answer (target not
 * ".", port not 0; other types skipped), at most @max, in the answer's
 * order, and the smallest TTL in *@ret_ttl: their number, -ENOENT for
 * none (or an RCODE other than NOERROR), -EBADMSG for a malformed
 * message.  sip_srv_order() puts them in RFC 2782's order: priority
 * ascending, within a priority the weighted random draw (weight 0 first
 * in the running sum, so with a small chance), @rnd giving uniform 32-bit
 * numbers (NULL: always 0).  sip_naptr_parse() gives the NAPTR records
 * of RFC 3263 4.1 (flag "s", service SIP+D2U, SIP+D2T or SIPS+D2T, no
 * regexp) sorted by order then preference, as sip_srv_parse() does.
 */
struct sip_srv_rr {
	unsigned prio, weight, port;
	char target[256];
};

struct sip_naptr_rr {
	unsigned order, pref;
	enum sip_transport transport;	/* UDP, TCP or TLS */
	char replacement[256];
};

int sip_srv_parse(const unsigned char *msg, size_t len,
		  struct sip_srv_rr *rr, unsigned max, uint32_t *ret_ttl);
void sip_srv_order(struct sip_srv_rr *rr, unsigned n,
		   uint32_t (*rnd)(void *), void *ctx);
int sip_naptr_parse(const unsigned char *msg, size_t len,
		    struct sip_naptr_rr *rr, unsigned max, uint32_t *ret_ttl);

/*
 * The registrar's (or outbound proxy's) candidate addresses, in order, as
 * "IP:PORT/udp" (or /tcp) separated by spaces, into @buf: the index of
 * the one in use, or -ENOENT before they are known.
 * sip_agent_resolve_again() forgets them and looks them up anew (0 or
 * -EINPROGRESS; sip_agent_resolving() says while).
 */
int sip_agent_targets(const struct sip_agent *a, char *buf, size_t len);
int sip_agent_resolve_again(struct sip_agent *a);
bool sip_agent_resolving(const struct sip_agent *a);

#endif /* FXSD_SIP_H */
