/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * config.h - fxsd's configuration file: parser, validator, dumper.
 *
 * Pure code: no logging; config_load() reads one file, config_dump() writes
 * to a FILE the caller owns.  Every error is returned as a negative errno
 * with a human-readable "PATH:LINE: message" in the caller's buffer.
 *
 * File format (default CONFIG_DEFAULT_PATH), INI style:
 *
 *   # comment            ; comment           (whole-line comments)
 *   [global]
 *   sip_port = 5060      # inline comment
 *   [port 0]
 *   user = 2001
 *   password = "s3cr#t ;x"
 *
 * - Lines are at most CONFIG_LINE_MAX characters (not counting the line
 *   break; "\r\n" line ends are accepted).
 * - Keys and section names are case-sensitive; whitespace around keys,
 *   values and inside "[ port  1 ]" is ignored.
 * - An unquoted value runs to the end of the line, or to a '#' or ';' that
 *   begins the value or follows whitespace (an inline comment): "x.T#" is a
 *   value, "x.T #c" is "x.T" plus a comment.
 * - A value that begins with '"' is quoted: it ends at the next unescaped
 *   '"', keeps spaces, '#' and ';', and knows two escapes, \" and \\.
 *   Only whitespace or a comment may follow the closing quote.
 * - Values may not hold control characters (tabs included, even quoted).
 * - Booleans accept yes/no, true/false, on/off, 1/0; transport,
 *   tone_country, log_level and dtmf_mode are case-insensitive too.
 * - Numbers are plain decimal.
 * - Unknown sections, unknown keys, repeated keys within a section and
 *   repeated sections are errors.  Parsing stops at the first error.
 *
 * Defaults are filled in after the whole file has been read, so keys may
 * come in any order: a port's auth_user defaults to its user, registrar to
 * its domain, mwi_server to its registrar, tone_country to [global]'s
 * tone_country.  The structures below always hold the effective
 * (resolved) values.
 */
#ifndef FXSD_CONFIG_H
#define FXSD_CONFIG_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#define CONFIG_DEFAULT_PATH	"/etc/fxsd/fxsd.conf"

/* Longest accepted line, in characters, not counting "\n" / "\r\n". */
#define CONFIG_LINE_MAX		4096
/* Largest file config_load() reads. */
#define CONFIG_FILE_MAX		(1024 * 1024)

/* Longest values, in characters (the arrays hold one more for the NUL). */
#define CONFIG_USER_MAX		127	/* user, auth_user */
#define CONFIG_PASSWORD_MAX	127
#define CONFIG_DISPLAY_NAME_MAX	127
#define CONFIG_HOST_MAX		255	/* domain, registrar, outbound_proxy */
#define CONFIG_DIGIT_MAP_MAX	1023
#define CONFIG_ADDRESS_MAX	45	/* nat_address, INET6_ADDRSTRLEN - 1 */
#define CONFIG_LISTEN_MAX	53	/* [metrics] listen: "[v6]:port" */
#define CONFIG_PATH_MAX		255	/* tls_ca_file, tls_cert, tls_key */
#define CONFIG_PROMPT_DIR	"/usr/share/fxs/prompts"	/* prompt_dir */
#define CONFIG_VOICE_MENU	"***"	/* voice_menu */
#define CONFIG_PIN_LEN		64	/* tls_pin: SHA-256, hex */

/* Port indexes are 0..CONFIG_PORT_INDEX_MAX. */
#define CONFIG_PORT_INDEX_MAX	255
/* Same limits as struct fxs_ring_cadence (FXS_RING_MAX_PAIRS). */
#define CONFIG_RING_MAX_PAIRS	8
/* at most this many 20 ms frames of silence before audio to the phone */
#define CONFIG_CUSHION_MAX	8
#define CONFIG_RING_ON_MIN_MS	10
#define CONFIG_RING_MAX_MS	10000

/* forward_all, forward_busy, forward_no_answer: a number or a URI */
#define CONFIG_FORWARD_MAX	255
/* ring_alert: the most entries of a port (the Bellcore defaults included),
 * and the longest token (SIP_ALERT_TOKEN_MAX) */
#define CONFIG_RING_ALERT_MAX	16
#define CONFIG_ALERT_TOKEN_MAX	63

#define CONFIG_DEFAULT_DIGIT_MAP \
	"{ [2-9]xxxxxx | 1[2-9]xxxxxxxxx | 911 | *xx | x.T }"

#define CONFIG_DNS_SERVER_MAX	255

enum config_transport {
	CONFIG_TRANSPORT_UDP,
	CONFIG_TRANSPORT_TCP,
	CONFIG_TRANSPORT_TLS,
	CONFIG_TRANSPORT_AUTO,	/* not given: UDP, or what NAPTR says */
	_CONFIG_TRANSPORT_MAX,
	_CONFIG_TRANSPORT_INVALID = -EINVAL,
};

enum config_tone_country {
	CONFIG_TONE_US,
	CONFIG_TONE_UK,
	CONFIG_TONE_DE,
	CONFIG_TONE_FR,
	CONFIG_TONE_CN,
	_CONFIG_TONE_MAX,
	_CONFIG_TONE_INVALID = -EINVAL,
};

/*
 * How a port sends the DTMF digits keyed on its phone during a call
 * (digits it receives are played to the phone whatever the mode).
 */
enum config_dtmf_mode {
	CONFIG_DTMF_RFC4733,	/* RTP telephone-events; in-band when the
				 * far end did not negotiate them */
	CONFIG_DTMF_INFO,	/* SIP INFO, application/dtmf-relay */
	CONFIG_DTMF_INBAND,	/* the tones in the audio, untouched */
	_CONFIG_DTMF_MAX,
	_CONFIG_DTMF_INVALID = -EINVAL,
};

/*
 * What a star code does (see line/starcode.h for the matching).  The
 * per-call ones change only the next call the phone dials (dial tone comes
 * back after the confirmation); the others change a setting of the port.
 */
enum config_star_action {
	CONFIG_STAR_PRIVACY,		/* *67: this call anonymous */
	CONFIG_STAR_PRIVACY_OFF,	/* *82: this call not anonymous */
	CONFIG_STAR_CW_CANCEL,		/* *70: no call waiting in this call */
	CONFIG_STAR_DND_ON,		/* *78 */
	CONFIG_STAR_DND_OFF,		/* *79 */
	CONFIG_STAR_FORWARD_ALL_ON,	/* *72 + number */
	CONFIG_STAR_FORWARD_ALL_OFF,	/* *73 */
	CONFIG_STAR_FORWARD_BUSY_ON,	/* *90 + number */
	CONFIG_STAR_FORWARD_BUSY_OFF,	/* *91 */
	CONFIG_STAR_FORWARD_NO_ANSWER_ON,	/* *92 + number */
	CONFIG_STAR_FORWARD_NO_ANSWER_OFF,	/* *93 */
	CONFIG_STAR_ANONYMOUS_REJECT_ON,	/* *77 */
	CONFIG_STAR_ANONYMOUS_REJECT_OFF,	/* *87 */
	_CONFIG_STAR_MAX,
	_CONFIG_STAR_INVALID = -EINVAL,
};

/* Whom a private call (privacy = yes, *67) names in its INVITE. */
enum config_privacy_identity {
	CONFIG_PRIVACY_IDENTITY_PPI,	/* P-Preferred-Identity: our AOR */
	CONFIG_PRIVACY_IDENTITY_NONE,	/* nobody */
	_CONFIG_PRIVACY_IDENTITY_MAX,
	_CONFIG_PRIVACY_IDENTITY_INVALID = -EINVAL,
};

/* A code: '*' and 1-CONFIG_STAR_CODE_LEN_MAX - 1 digits 0-9. */
#define CONFIG_STAR_CODE_LEN_MAX	8
/* Most codes of one port (the defaults count). */
#define CONFIG_STAR_CODES_MAX		32

/**
 * struct config_star_code - one entry of a port's star code table
 * @code: what the phone dials ("*67")
 * @action: what it does
 * @line: the star_code line that set it, 0 for a default
 */
struct config_star_code {
	char code[CONFIG_STAR_CODE_LEN_MAX + 1];
	enum config_star_action action;
	unsigned line;
};

/* "privacy", "dnd-on", ...; NULL when out of range. */
const char *config_star_action_to_string(enum config_star_action a);
enum config_star_action config_star_action_from_string(const char *s);
/* Whether the action is followed by a number (forward-all-on ...). */
bool config_star_action_takes_number(enum config_star_action a);
/* Whether it changes the next call only (privacy, privacy-off,
 * cw-cancel) rather than a setting of the port. */
bool config_star_action_per_call(enum config_star_action a);
/* "ppi", "none"; NULL when out of range. */
const char *config_privacy_identity_to_string(enum config_privacy_identity i);
enum config_privacy_identity config_privacy_identity_from_string(const char *s);

/* Whether a port's calls encrypt their media (SRTP, SDES keys, RFC 4568). */
enum config_srtp {
	CONFIG_SRTP_OFF,	/* RTP/AVP without keys; RTP/SAVP offers: 488 */
	CONFIG_SRTP_OPTIONAL,	/* offer RTP/AVP with a=crypto, take either */
	CONFIG_SRTP_REQUIRED,	/* offer RTP/SAVP; offers without keys: 488 */
	_CONFIG_SRTP_MAX,
	_CONFIG_SRTP_INVALID = -EINVAL,
};

/* How a port's calls carry a fax (the port's fax machine or the far end's). */
enum config_fax {
	CONFIG_FAX_T38,		/* T.38 when either side asks for it, G.711
				 * pass-through when the far end refuses */
	CONFIG_FAX_PASSTHROUGH,	/* G.711 only; T.38 offers: 488 */
	_CONFIG_FAX_MAX,
	_CONFIG_FAX_INVALID = -EINVAL,
};

/* [global] nat: what fxsd learns of its public address */
enum config_nat {
	CONFIG_NAT_AUTO,	/* received/rport of the registrar, STUN */
	CONFIG_NAT_OFF,		/* the local address (or nat_address) only */
	_CONFIG_NAT_MAX,
	_CONFIG_NAT_INVALID = -EINVAL,
};

/* [global] keepalive: what holds the NAT binding open over UDP */
enum config_keepalive {
	CONFIG_KEEPALIVE_CRLF,
	CONFIG_KEEPALIVE_OPTIONS,
	CONFIG_KEEPALIVE_OFF,
	_CONFIG_KEEPALIVE_MAX,
	_CONFIG_KEEPALIVE_INVALID = -EINVAL,
};

/* "auto", "off"; NULL when out of range. */
const char *config_nat_to_string(enum config_nat n);
enum config_nat config_nat_from_string(const char *s);
/* "crlf", "options", "off"; NULL when out of range. */
const char *config_keepalive_to_string(enum config_keepalive k);
enum config_keepalive config_keepalive_from_string(const char *s);
/* The audio codecs (the same order as media/codec.h's enum codec_id). */
enum config_codec {
	CONFIG_CODEC_PCMU,
	CONFIG_CODEC_PCMA,
	CONFIG_CODEC_OPUS,
	CONFIG_CODEC_G722,
	CONFIG_CODEC_G729,
	_CONFIG_CODEC_MAX,
	_CONFIG_CODEC_INVALID = -EINVAL,
};

/* "pcmu", "pcma", "opus", "g722", "g729"; NULL when out of range. */
const char *config_codec_to_string(enum config_codec c);
/* Case-insensitive; -EINVAL when unknown. */
enum config_codec config_codec_from_string(const char *s);

/* "udp"/"tcp"/"tls"; NULL when out of range. */
const char *config_transport_to_string(enum config_transport t);
/* The enum value, or -EINVAL. */
enum config_transport config_transport_from_string(const char *s);
/* "US", "UK", "DE", "FR", "CN"; NULL when out of range. */
const char *config_tone_country_to_string(enum config_tone_country c);
enum config_tone_country config_tone_country_from_string(const char *s);
/* "rfc4733", "info", "inband"; NULL when out of range. */
const char *config_dtmf_mode_to_string(enum config_dtmf_mode m);
enum config_dtmf_mode config_dtmf_mode_from_string(const char *s);
/* "off", "optional", "required"; NULL when out of range. */
const char *config_srtp_to_string(enum config_srtp m);
enum config_srtp config_srtp_from_string(const char *s);
const char *config_fax_to_string(enum config_fax m);
enum config_fax config_fax_from_string(const char *s);
/* syslog priority (LOG_ERR..LOG_DEBUG) <-> "err".."debug"; -EINVAL / NULL. */
const char *config_log_level_to_string(int level);
int config_log_level_from_string(const char *s);

/**
 * struct fxsd_global_config - the [global] section
 * @sip_port: 1-65535, default 5060
 * @transport: default auto (RFC 3263: NAPTR for a host name without a
 *	port; UDP otherwise)
 * @rtp_port_min: even, 1024-65534, < @rtp_port_max, default 10000
 * @rtp_port_max: even, 1024-65534, default 20000
 * @nat_address: IPv4 or IPv6 literal, "" when unset (the default)
 * @nat_family: AF_INET or AF_INET6 for @nat_address, AF_UNSPEC when unset
 * @tone_country: default US
 * @log_level: syslog priority LOG_ERR..LOG_DEBUG, default LOG_INFO
 * @max_dialogs: 1-64, default 8
 * @max_transactions: 1-4096, default 64
 * @max_message_size: bytes, 1024-65535, default 65535
 * @bind_address: IPv4 or IPv6 literal the SIP sockets bind to, "" for
 *	0.0.0.0; "::" is dual-stack (AAAA records first, A as v4-mapped)
 * @dns_server: c-ares server list (address[:port],...), "" for
 *	resolv.conf's
 * @failover_timeout_ms: a REGISTER unanswered this long goes to the next
 *	candidate address, 0-60000, default 0 (Timer F alone)
 * @failover_probe_secs: the OPTIONS probe of the first candidate while
 *	elsewhere, 1-3600, default 60
 * @nat: learn the public address (received/rport, STUN) for Contact and
 *	SDP, default auto; a @nat_address wins
 * @stun_server: host[:port] of a STUN server, "" when unset (the ports'
 *	default)
 * @keepalive: the UDP keep-alive to the registrar, default crlf
 * @keepalive_interval: s, 0-3600, default 0: 25 over UDP, 90 over TCP/TLS
 * @symmetric_rtp: send RTP to where the far end's comes from (after
 *	RTP_LATCH_PACKETS consistent packets while the SDP's address is
 *	silent), default yes
 * @prompt_dir: where the voice menu's prompts are (LANG/NAME.sln),
 *	default CONFIG_PROMPT_DIR
 * @line: line of the [global] header, 0 if the file has none
 */
struct fxsd_global_config {
	unsigned sip_port;
	enum config_transport transport;
	unsigned rtp_port_min;
	unsigned rtp_port_max;
	char nat_address[CONFIG_ADDRESS_MAX + 1];
	int nat_family;
	enum config_tone_country tone_country;
	int log_level;
	unsigned max_dialogs;
	unsigned max_transactions;
	unsigned max_message_size;
	char bind_address[CONFIG_ADDRESS_MAX + 1];
	char dns_server[CONFIG_DNS_SERVER_MAX + 1];
	unsigned failover_timeout_ms;
	unsigned failover_probe_secs;
	enum config_nat nat;
	char stun_server[CONFIG_HOST_MAX + 1];
	enum config_keepalive keepalive;
	unsigned keepalive_interval;
	bool symmetric_rtp;
	char prompt_dir[CONFIG_PATH_MAX + 1];
	unsigned line;
};

/**
 * struct config_ring_alert - one ring_alert line: an Alert-Info token and
 *	the ring cadence it selects
 * @token: as the Alert-Info gives it ("Bellcore-dr2",
 *	"urn:alert:source:external"), matched case-insensitively
 * @cadence_ms: on, off, ... ms, as ring_cadence
 * @n_pairs: 1..CONFIG_RING_MAX_PAIRS
 */
struct config_ring_alert {
	char token[CONFIG_ALERT_TOKEN_MAX + 1];
	unsigned cadence_ms[2 * CONFIG_RING_MAX_PAIRS];
	unsigned n_pairs;
};

/**
 * struct fxsd_port_config - one [port N] section
 * @index: N, the fxs port index 0-255
 * @user: SIP user (required)
 * @auth_user: digest user name, default @user
 * @password: digest password, "" when unset
 * @display_name: "" when unset
 * @domain: host or host:port (required); IPv6 as [addr] or [addr]:port
 * @registrar: host[:port], default @domain
 * @outbound_proxy: host[:port], "" when unset
 * @expires: registration expiry in s, 60-86400, default 3600
 * @register_enabled: key "register", default yes
 * @digit_map: default CONFIG_DEFAULT_DIGIT_MAP (syntax is checked by the
 *	digit map code, not here)
 * @interdigit_long_ms: 100-60000, default 10000
 * @interdigit_short_ms: 100-60000 and <= @interdigit_long_ms, default 4000
 * @early_media_ringback: answer an incoming INVITE with 183 + ringback
 *	instead of 180, default no
 * @allow_unknown_callers: accept INVITEs whose source is not the
 *	registrar/proxy, default no
 * @contact_token: the registered Contact's user part is a random token,
 *	new at each fresh registration, and a new INVITE whose Request-URI
 *	user is neither it nor @user/@auth_user gets 404 (ghost calls),
 *	default yes
 * @ring_holdoff_ms: 0-2000, default 300: an accepted INVITE rings the
 *	phone only after this long (a CANCEL within it never rings)
 * @tone_country: the port's override, else [global]'s
 * @disconnect_open_loop_ms: 0-2000, default 800; 0 = no open-loop
 *	disconnect signal
 * @echo_tail_ms: 16-256, default 32 (bench/RESULTS.md)
 * @play_cushion_frames: 20 ms frames of silence queued to the phone
 *	before audio starts, against fxsd's late wake-ups; 0-CONFIG_CUSHION_MAX,
 *	default 2 (a latency choice: each frame adds 20 ms to the earpiece)
 * @dtmf_mode: how keyed digits go out in a call, default rfc4733
 * @srtp: media encryption, default off
 * @fax: t38 (default) or passthrough: how a fax goes in a call
 * @codecs: the audio codecs offered and accepted, in order of preference
 *	(codecs = pcmu, pcma, opus, g722, g729; each at most once), default
 *	pcmu, pcma
 * @n_codecs: how many
 * @call_waiting: a second incoming call in a call waits (180, the
 *	call-waiting tone) instead of getting 486, default yes
 * @callerid_waiting: caller ID on call waiting (off-hook, Type II): after
 *	the call-waiting tone the alerting signal, and the waiting caller's
 *	number and name to a phone that acknowledges it, default yes
 * @three_way: a flash with a call on hold and a second one the phone
 *	dialled joins the three (else it swaps them), default yes
 * @transfer_on_hangup: hanging up with a call on hold and a second party
 *	called or talking transfers the held call to it (REFER), default yes
 * @conference_hangup_transfer: hanging up in a 3-way conference joins the
 *	two far ends (an attended transfer of the first to the second,
 *	REFER with Replaces) instead of ending both, default no
 * @ring_cadence_ms: on, off, on, off, ... ms; each on time 10-10000, each
 *	off time 0-10000 (the kernel's struct fxs_ring_cadence limits)
 * @n_ring_cadence_pairs: 0 (unset: the tone country's cadence) ..
 *	CONFIG_RING_MAX_PAIRS
 * @mwi_subscribe: SUBSCRIBE to message-summary (RFC 3842) for the AOR,
 *	default no (unsolicited NOTIFYs from the provider are taken anyway)
 * @mwi_server: host[:port] the SUBSCRIBE goes to, default @registrar
 * @mwi_expires: subscription expiry in s, 60-86400, default 3600
 * @star_codes: the star code table: the defaults (unless "star_codes =
 *	none") with the port's star_code lines over them (a line with a
 *	default's code replaces it); no code is a prefix of another
 * @n_star_codes: how many of @star_codes are valid
 * @star_codes_none: "star_codes = none" was given
 * @privacy: every call the phone makes is private (anonymous From,
 *	Privacy: id), default no; *82 undoes it for one call
 * @privacy_identity: what a private INVITE says of us, default ppi
 * @hotline: a number dialled at once when the phone is lifted, "" unset
 * @warm_line: a number dialled when nothing is dialled within
 *	@warm_line_secs of lifting the phone, "" unset; not with @hotline
 * @warm_line_secs: 1-14 (below the 15 s first-digit timeout), default 5
 * @session_expires: session interval asked for in our INVITEs (RFC 4028),
 *	s, 90-86400, default 1800 (raised to @min_se if below it)
 * @min_se: the shortest session interval accepted (a shorter one gets
 *	422), s, 90-86400, default 90
 * @transport: the port's override, else [global]'s; tls: SIP over TLS
 *	(the tls_* keys below need it)
 * @tls_ca_file: PEM file of the CAs trusted for the server's certificate
 *	instead of the system store, "" when unset
 * @tls_pin: SHA-256 of the server's certificate (DER), 64 lowercase hex
 *	digits (the file may separate the bytes with ':'); when set the
 *	certificate is accepted when it matches, and only then; "" unset
 * @tls_cert: PEM client certificate (chain) shown to the server, and the
 *	server certificate of our TLS listener; set with @tls_key or not at all
 * @tls_key: PEM private key of @tls_cert
 * @dnd: do not disturb: every incoming call gets 486 (or goes to
 *	@forward_busy) and the phone never rings, default no
 * @anonymous_reject: an anonymous incoming call gets 433, default no
 * @forward_all: forward every incoming call here (302), "" when unset:
 *	a number (sip:number@domain) or a sip:, sips: or tel: URI
 * @forward_busy: where a call goes that would get 486 (the line busy, a
 *	second call with call waiting off, do not disturb), "" when unset
 * @forward_no_answer: where a call goes that rang
 *	@forward_no_answer_secs unanswered, "" when unset
 * @forward_no_answer_secs: 1-600, default 20
 * @ring_alerts: the ring_alert lines (key "ring_alert", given once per
 *	token: "TOKEN CADENCE"), then the defaults for the tokens not given:
 *	Bellcore-dr1 2000,4000; -dr2 800,400,800,4000; -dr3
 *	400,200,400,200,800,4000; -dr4 300,200,1000,200,300,4000; -dr5
 *	500,5500 (the North American distinctive rings of GR-506)
 * @n_ring_alerts: 5 .. CONFIG_RING_ALERT_MAX
 * @voice_menu: the code that opens the voice menu (line/menu.h), digits
 *	and '*', default CONFIG_VOICE_MENU; "" turns the menu off.  It is
 *	looked at before the star codes and the digit map
 * @unavailable_announcement: lifting the phone while the port cannot
 *	make calls (not registered, no network) says why before dial
 *	tone, default yes
 * @rtcp_xr: offer RTCP XR VoIP Metrics (a=rtcp-xr:voip-metrics, RFC
 *	3611) and send the block when the far end asks; default no
 * @vq_collector: sip:[user@]host[:port] that gets an RFC 6035 voice
 *	quality report (PUBLISH) at the end of each call; "" none (default)
 * @line: line of the [port N] header
 */
struct fxsd_port_config {
	int index;
	char user[CONFIG_USER_MAX + 1];
	char auth_user[CONFIG_USER_MAX + 1];
	char password[CONFIG_PASSWORD_MAX + 1];
	char display_name[CONFIG_DISPLAY_NAME_MAX + 1];
	char domain[CONFIG_HOST_MAX + 1];
	char registrar[CONFIG_HOST_MAX + 1];
	char outbound_proxy[CONFIG_HOST_MAX + 1];
	unsigned expires;
	bool register_enabled;
	char digit_map[CONFIG_DIGIT_MAP_MAX + 1];
	unsigned interdigit_long_ms;
	unsigned interdigit_short_ms;
	bool early_media_ringback;
	bool call_waiting;
	bool callerid_waiting;
	bool three_way;
	bool transfer_on_hangup;
	bool conference_hangup_transfer;
	bool allow_unknown_callers;
	bool contact_token;
	unsigned ring_holdoff_ms;
	enum config_tone_country tone_country;
	unsigned disconnect_open_loop_ms;
	unsigned echo_tail_ms;
	unsigned play_cushion_frames;
	enum config_dtmf_mode dtmf_mode;
	enum config_srtp srtp;
	enum config_fax fax;
	char stun_server[CONFIG_HOST_MAX + 1];
	enum config_codec codecs[_CONFIG_CODEC_MAX];
	unsigned n_codecs;
	unsigned ring_cadence_ms[2 * CONFIG_RING_MAX_PAIRS];
	unsigned n_ring_cadence_pairs;
	bool mwi_subscribe;
	char mwi_server[CONFIG_HOST_MAX + 1];
	unsigned mwi_expires;
	struct config_star_code star_codes[CONFIG_STAR_CODES_MAX];
	unsigned n_star_codes;
	bool star_codes_none;
	bool privacy;
	enum config_privacy_identity privacy_identity;
	char hotline[CONFIG_USER_MAX + 1];
	char warm_line[CONFIG_USER_MAX + 1];
	unsigned warm_line_secs;
	unsigned session_expires;
	unsigned min_se;
	enum config_transport transport;
	char tls_ca_file[CONFIG_PATH_MAX + 1];
	char tls_pin[CONFIG_PIN_LEN + 1];
	char tls_cert[CONFIG_PATH_MAX + 1];
	char tls_key[CONFIG_PATH_MAX + 1];
	bool dnd;
	bool anonymous_reject;
	char forward_all[CONFIG_FORWARD_MAX + 1];
	char forward_busy[CONFIG_FORWARD_MAX + 1];
	char forward_no_answer[CONFIG_FORWARD_MAX + 1];
	unsigned forward_no_answer_secs;
	struct config_ring_alert ring_alerts[CONFIG_RING_ALERT_MAX];
	unsigned n_ring_alerts;
	char voice_menu[CONFIG_STAR_CODE_LEN_MAX + 1];
	bool unavailable_announcement;
	bool rtcp_xr;
	char vq_collector[CONFIG_HOST_MAX + 16];
	unsigned line;
};

/**
 * struct fxsd_metrics_config - the [metrics] section
 * @listen: "address:port" ("[address]:port" for IPv6) of the metrics
 *	endpoint; "" (the default) leaves it off, unless systemd passes the
 *	socket (fxsd-metrics.socket), which wins
 * @line: line of the [metrics] header, 0 if the file has none
 */
struct fxsd_metrics_config {
	char listen[CONFIG_LISTEN_MAX + 1];
	unsigned line;
};

/* provisioning url: the longest URL, in characters */
#define CONFIG_URL_MAX		1023
#define CONFIG_STATE_DIR_DEFAULT	"/var/lib/fxsd"

/**
 * struct fxsd_provisioning_config - the [provisioning] section (README,
 *	"Provisioning"); only in the local file, never in a profile
 * @url: where the profile is fetched (http: or https:), with {mac},
 *	{serial} and {port} expanded; "" with no @url_file: provisioning off
 * @url_file: a file whose first line is the URL, used when @url is ""
 *	(a DHCP client hook writes option 66/160 there: systemd-networkd
 *	252 records neither in its leases), "" unset
 * @ca_file: PEM CA bundle for the server instead of the system store
 * @resync_interval: s between fetches, 0 = at start and on check-sync
 *	only; default 86400
 * @retry_min: first delay after a failed fetch, s, default 30
 * @retry_max: the cap of the doubling delays, s, default 3600
 * @timeout: s a fetch may take, default 30
 * @state_dir: where the last good profile is kept, default
 *	CONFIG_STATE_DIR_DEFAULT
 * @line: line of the [provisioning] header, 0 if the file has none
 */
struct fxsd_provisioning_config {
	char url[CONFIG_URL_MAX + 1];
	char url_file[CONFIG_PATH_MAX + 1];
	char ca_file[CONFIG_PATH_MAX + 1];
	unsigned resync_interval;
	unsigned retry_min;
	unsigned retry_max;
	unsigned timeout;
	char state_dir[CONFIG_PATH_MAX + 1];
	unsigned line;
};

/*
 * "address:port" or "[address]:port" (an IP literal, port 1-65535) to a
 * socket address; -EINVAL when it is not one.
 */
int config_listen_parse(const char *s, struct sockaddr_storage *ret,
			socklen_t *ret_len);

/**
 * struct fxsd_config - a whole configuration file
 * @global: the [global] section (all defaults if the file has none)
 * @metrics: the [metrics] section
 * @provisioning: the [provisioning] section
 * @ports: the [port N] sections, sorted by index
 * @n_ports: number of @ports (0 is allowed)
 * @path: the path used in messages (heap copy)
 */
struct fxsd_config {
	struct fxsd_global_config global;
	struct fxsd_metrics_config metrics;
	struct fxsd_provisioning_config provisioning;
	struct fxsd_port_config *ports;
	size_t n_ports;
	char *path;
};

/*
 * Read and parse @path.  Returns 0 and a new config in *@ret_config, or a
 * negative errno (-EINVAL for a bad file, the open/read errno, -EFBIG,
 * -ENOMEM) with "PATH:LINE: message" or "PATH: message" in @err (which may
 * be NULL / @errlen 0; the message is truncated to fit).
 */
int config_load(const char *path, struct fxsd_config **ret_config,
		char *err, size_t errlen);

/*
 * Parse the NUL-terminated @text; @path is used in messages and stored in
 * the config (NULL gives "<string>").  Same results as config_load().
 */
int config_parse_string(const char *text, const char *path,
			struct fxsd_config **ret_config, char *err,
			size_t errlen);

/*
 * A profile over a base (provisioning): @base (@base_len bytes, named
 * @base_path in messages) is read first, then @profile (named
 * @profile_path: the URL) on top of it: a [global], [metrics] or [port N]
 * of the profile that the base has too is reopened and its keys replace
 * the base's (keys it does not give keep the base's values); a [port N]
 * the base lacks is added; [provisioning] in a profile is an error.
 * Each file on its own follows the usual rules (no repeated key or
 * section within it).  @profile NULL: the base alone.  Same results as
 * config_load(); the messages name the file that has the error.
 */
int config_parse_overlay(const char *base, size_t base_len,
			 const char *base_path, const char *profile,
			 size_t profile_len, const char *profile_path,
			 struct fxsd_config **ret_config, char *err,
			 size_t errlen);
/*
 * Read a whole file (at most CONFIG_FILE_MAX bytes) into a NUL-terminated
 * heap buffer; errors as config_load()'s.
 */
int config_read_file(const char *path, char **ret_data, size_t *ret_size,
		     char *err, size_t errlen);

/* Frees @c; NULL is a no-op.  Returns NULL. */
struct fxsd_config *config_free(struct fxsd_config *c);

static inline void config_freep(struct fxsd_config **c)
{
	config_free(*c);
}

/* The [port @index] section, or NULL. */
const struct fxsd_port_config *config_port(const struct fxsd_config *c,
					   int index);

/*
 * The cadence for the Alert-Info ring tokens @tokens (space-separated, as
 * struct sip_caller's alert_info): the first token, in order, that
 * matches one of @p's ring_alerts (case-insensitive).  NULL when none
 * does (the phone rings with the port's usual cadence).
 */
const struct config_ring_alert *config_ring_alert_find(
	const struct fxsd_port_config *p, const char *tokens);

/* Whether @s is a valid forwarding target (forward_*): a number of
 * letters, digits and *#+-._!~'(), or a sip:, sips: or tel: URI without
 * blanks, quotes, angle brackets or headers ('?'). */
bool config_forward_valid(const char *s);

/*
 * Write @c as a normalised file: every key with its effective value (unset
 * optional strings omitted), strings quoted.  Parsing the output gives the
 * same values (passwords included; header line numbers differ).
 * Returns 0, -EINVAL for a NULL argument, or -EIO when writing failed.
 */
int config_dump(const struct fxsd_config *c, FILE *f);

#endif /* FXSD_CONFIG_H */
