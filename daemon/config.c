// SPDX-License-Identifier: GPL-2.0-only
/*
 * config.c - fxsd's configuration file: parser, validator, dumper.
 *
 * Each section has a key table (name, type, limits, where the value goes);
 * the parser walks the text line by line, keeps a bit per key seen in the
 * current section, checks a section's required keys and cross-key rules
 * when the next section starts (or at the end), and fills the defaults
 * that depend on other keys once the whole file has been read.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <syslog.h>

#include "config.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- string tables ---------------------------------------------------- */

static const char *const transport_table[_CONFIG_TRANSPORT_MAX] = {
	[CONFIG_TRANSPORT_UDP] = "udp",
	[CONFIG_TRANSPORT_TCP] = "tcp",
	[CONFIG_TRANSPORT_TLS] = "tls",
	[CONFIG_TRANSPORT_AUTO] = "auto",
};

static const char *const tone_country_table[_CONFIG_TONE_MAX] = {
	[CONFIG_TONE_US] = "US",
	[CONFIG_TONE_UK] = "UK",
	[CONFIG_TONE_DE] = "DE",
	[CONFIG_TONE_FR] = "FR",
	[CONFIG_TONE_CN] = "CN",
};

static const char *const dtmf_mode_table[_CONFIG_DTMF_MAX] = {
	[CONFIG_DTMF_RFC4733] = "rfc4733",
	[CONFIG_DTMF_INFO] = "info",
	[CONFIG_DTMF_INBAND] = "inband",
};

static const char *const star_action_table[_CONFIG_STAR_MAX] = {
	[CONFIG_STAR_PRIVACY] = "privacy",
	[CONFIG_STAR_PRIVACY_OFF] = "privacy-off",
	[CONFIG_STAR_CW_CANCEL] = "cw-cancel",
	[CONFIG_STAR_DND_ON] = "dnd-on",
	[CONFIG_STAR_DND_OFF] = "dnd-off",
	[CONFIG_STAR_FORWARD_ALL_ON] = "forward-all-on",
	[CONFIG_STAR_FORWARD_ALL_OFF] = "forward-all-off",
	[CONFIG_STAR_FORWARD_BUSY_ON] = "forward-busy-on",
	[CONFIG_STAR_FORWARD_BUSY_OFF] = "forward-busy-off",
	[CONFIG_STAR_FORWARD_NO_ANSWER_ON] = "forward-no-answer-on",
	[CONFIG_STAR_FORWARD_NO_ANSWER_OFF] = "forward-no-answer-off",
	[CONFIG_STAR_ANONYMOUS_REJECT_ON] = "anonymous-reject-on",
	[CONFIG_STAR_ANONYMOUS_REJECT_OFF] = "anonymous-reject-off",
};

/*
 * The default table, after the North American vertical service codes:
 * star 72/73 forward all, 90/91 forward busy, 92/93 forward no answer,
 * 78/79 do not disturb, 77/87 anonymous rejection, 67 per-call blocking,
 * 82 per-call unblocking, 70 cancel call waiting.
 */
static const struct config_star_code star_defaults[] = {
	{ "*67", CONFIG_STAR_PRIVACY, 0 },
	{ "*82", CONFIG_STAR_PRIVACY_OFF, 0 },
	{ "*70", CONFIG_STAR_CW_CANCEL, 0 },
	{ "*78", CONFIG_STAR_DND_ON, 0 },
	{ "*79", CONFIG_STAR_DND_OFF, 0 },
	{ "*72", CONFIG_STAR_FORWARD_ALL_ON, 0 },
	{ "*73", CONFIG_STAR_FORWARD_ALL_OFF, 0 },
	{ "*90", CONFIG_STAR_FORWARD_BUSY_ON, 0 },
	{ "*91", CONFIG_STAR_FORWARD_BUSY_OFF, 0 },
	{ "*92", CONFIG_STAR_FORWARD_NO_ANSWER_ON, 0 },
	{ "*93", CONFIG_STAR_FORWARD_NO_ANSWER_OFF, 0 },
	{ "*77", CONFIG_STAR_ANONYMOUS_REJECT_ON, 0 },
	{ "*87", CONFIG_STAR_ANONYMOUS_REJECT_OFF, 0 },
};

static const char *const privacy_identity_table[_CONFIG_PRIVACY_IDENTITY_MAX] = {
	[CONFIG_PRIVACY_IDENTITY_PPI] = "ppi",
	[CONFIG_PRIVACY_IDENTITY_NONE] = "none",
};

static const char *const codec_table[_CONFIG_CODEC_MAX] = {
	[CONFIG_CODEC_PCMU] = "pcmu",
	[CONFIG_CODEC_PCMA] = "pcma",
	[CONFIG_CODEC_OPUS] = "opus",
	[CONFIG_CODEC_G722] = "g722",
	[CONFIG_CODEC_G729] = "g729",
};

static const char *const fax_table[_CONFIG_FAX_MAX] = {
	[CONFIG_FAX_T38] = "t38",
	[CONFIG_FAX_PASSTHROUGH] = "passthrough",
};

static const char *const srtp_table[_CONFIG_SRTP_MAX] = {
	[CONFIG_SRTP_OFF] = "off",
	[CONFIG_SRTP_OPTIONAL] = "optional",
	[CONFIG_SRTP_REQUIRED] = "required",
};

static const char *const nat_table[_CONFIG_NAT_MAX] = {
	[CONFIG_NAT_AUTO] = "auto",
	[CONFIG_NAT_OFF] = "off",
};

static const char *const keepalive_table[_CONFIG_KEEPALIVE_MAX] = {
	[CONFIG_KEEPALIVE_CRLF] = "crlf",
	[CONFIG_KEEPALIVE_OPTIONS] = "options",
	[CONFIG_KEEPALIVE_OFF] = "off",
};

static const char *const log_level_table[LOG_DEBUG + 1] = {
	[LOG_ERR] = "err",
	[LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static int table_lookup(const char *const *table, size_t n, const char *s)
{
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (table[i] && strcasecmp(table[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

const char *config_transport_to_string(enum config_transport t)
{
	if ((int)t < 0 || t >= _CONFIG_TRANSPORT_MAX)
		return NULL;
	return transport_table[t];
}

enum config_transport config_transport_from_string(const char *s)
{
	return table_lookup(transport_table, ELEMENTSOF(transport_table), s);
}

const char *config_tone_country_to_string(enum config_tone_country c)
{
	if ((int)c < 0 || c >= _CONFIG_TONE_MAX)
		return NULL;
	return tone_country_table[c];
}

enum config_tone_country config_tone_country_from_string(const char *s)
{
	return table_lookup(tone_country_table, ELEMENTSOF(tone_country_table),
			    s);
}

const char *config_dtmf_mode_to_string(enum config_dtmf_mode m)
{
	if ((int)m < 0 || m >= _CONFIG_DTMF_MAX)
		return NULL;
	return dtmf_mode_table[m];
}

enum config_dtmf_mode config_dtmf_mode_from_string(const char *s)
{
	return table_lookup(dtmf_mode_table, ELEMENTSOF(dtmf_mode_table), s);
}

const char *config_star_action_to_string(enum config_star_action a)
{
	if ((int)a < 0 || a >= _CONFIG_STAR_MAX)
		return NULL;
	return star_action_table[a];
}

enum config_star_action config_star_action_from_string(const char *s)
{
	return table_lookup(star_action_table, ELEMENTSOF(star_action_table),
			    s);
}

bool config_star_action_takes_number(enum config_star_action a)
{
	return a == CONFIG_STAR_FORWARD_ALL_ON ||
	       a == CONFIG_STAR_FORWARD_BUSY_ON ||
	       a == CONFIG_STAR_FORWARD_NO_ANSWER_ON;
}

bool config_star_action_per_call(enum config_star_action a)
{
	return a == CONFIG_STAR_PRIVACY || a == CONFIG_STAR_PRIVACY_OFF ||
	       a == CONFIG_STAR_CW_CANCEL;
}

const char *config_privacy_identity_to_string(enum config_privacy_identity i)
{
	if ((int)i < 0 || i >= _CONFIG_PRIVACY_IDENTITY_MAX)
		return NULL;
	return privacy_identity_table[i];
}

enum config_privacy_identity config_privacy_identity_from_string(const char *s)
{
	return table_lookup(privacy_identity_table,
			    ELEMENTSOF(privacy_identity_table), s);
}

const char *config_nat_to_string(enum config_nat n)
{
	if ((int)n < 0 || n >= _CONFIG_NAT_MAX)
		return NULL;
	return nat_table[n];
}

enum config_nat config_nat_from_string(const char *s)
{
	return table_lookup(nat_table, ELEMENTSOF(nat_table), s);
}

const char *config_keepalive_to_string(enum config_keepalive k)
{
	if ((int)k < 0 || k >= _CONFIG_KEEPALIVE_MAX)
		return NULL;
	return keepalive_table[k];
}

enum config_keepalive config_keepalive_from_string(const char *s)
{
	return table_lookup(keepalive_table, ELEMENTSOF(keepalive_table), s);
}

const char *config_codec_to_string(enum config_codec c)
{
	if ((int)c < 0 || c >= _CONFIG_CODEC_MAX)
		return NULL;
	return codec_table[c];
}

enum config_codec config_codec_from_string(const char *s)
{
	return table_lookup(codec_table, ELEMENTSOF(codec_table), s);
}

const char *config_srtp_to_string(enum config_srtp m)
{
	if ((int)m < 0 || m >= _CONFIG_SRTP_MAX)
		return NULL;
	return srtp_table[m];
}

enum config_srtp config_srtp_from_string(const char *s)
{
	return table_lookup(srtp_table, ELEMENTSOF(srtp_table), s);
}

const char *config_fax_to_string(enum config_fax m)
{
	if ((int)m < 0 || m >= _CONFIG_FAX_MAX)
		return NULL;
	return fax_table[m];
}

enum config_fax config_fax_from_string(const char *s)
{
	return table_lookup(fax_table, ELEMENTSOF(fax_table), s);
}

const char *config_log_level_to_string(int level)
{
	if (level < 0 || level >= (int)ELEMENTSOF(log_level_table))
		return NULL;
	return log_level_table[level];
}

int config_log_level_from_string(const char *s)
{
	return table_lookup(log_level_table, ELEMENTSOF(log_level_table), s);
}

/* ---- key tables ------------------------------------------------------- */

enum key_type {
	KEY_UINT,	/* decimal, min..max */
	KEY_EVEN,	/* decimal, even, min..max */
	KEY_BOOL,
	KEY_STRING,	/* any text without control characters */
	KEY_USER,	/* SIP user part characters */
	KEY_HOST,	/* host[:port] */
	KEY_ADDRESS,	/* IPv4 or IPv6 literal, fills nat_family too */
	KEY_TRANSPORT,
	KEY_TONE,
	KEY_LOG_LEVEL,
	KEY_CADENCE,	/* on,off[,on,off...] ms, fills the pair count too */
	KEY_DTMF_MODE,
	KEY_STAR_CODE,	/* "*67 privacy"; may repeat */
	KEY_STAR_CODES,	/* "none" or "default" */
	KEY_PRIVACY_ID,
	KEY_NUMBER,	/* what sip_call_invite() dials: 0-9 a-z *#+-._!~'() */
	KEY_LISTEN,	/* address:port, [v6]:port */
	KEY_PATH,	/* an absolute file name */
	KEY_PIN,	/* SHA-256 in hex, bytes may be separated by ':' */
	KEY_FORWARD,	/* a number or a sip:/sips:/tel: URI */
	KEY_SIP_URI,	/* sip:[user@]host[:port] */
	KEY_DNS_SERVERS, /* address[:port],... ([v6]:port) */
	KEY_RING_ALERT,	/* "TOKEN on,off[,...]", one entry per line */
	KEY_SRTP,
	KEY_FAX,
	KEY_NAT,
	KEY_KEEPALIVE,
	KEY_MENU_CODE,	/* 1-8 of 0-9 and '*': the voice menu's code */
	KEY_CODECS,	/* "pcmu, opus, ...": comma-separated, no repeats */
};

#define KEY_REQUIRED	(1u << 0)	/* the section must set it */
#define KEY_EMPTY_OK	(1u << 1)	/* "" means unset; not dumped then */
#define KEY_REPEAT	(1u << 2)	/* may be given on several lines */

struct key_desc {
	const char *name;
	enum key_type type;
	unsigned flags;
	size_t offset;
	size_t size;		/* strings: the array size */
	unsigned min, max;	/* numbers */
};

#define FIELD_SIZE(type, field) sizeof(((type *)0)->field)

#define GKEY(n, t, fl, field, mn, mx)					\
	{ n, t, fl, offsetof(struct fxsd_global_config, field),	\
	  FIELD_SIZE(struct fxsd_global_config, field), mn, mx }
#define PKEY(n, t, fl, field, mn, mx)					\
	{ n, t, fl, offsetof(struct fxsd_port_config, field),		\
	  FIELD_SIZE(struct fxsd_port_config, field), mn, mx }

static const struct key_desc global_keys[] = {
	GKEY("sip_port", KEY_UINT, 0, sip_port, 1, 65535),
	GKEY("transport", KEY_TRANSPORT, 0, transport, 0, 0),
	GKEY("rtp_port_min", KEY_EVEN, 0, rtp_port_min, 1024, 65534),
	GKEY("rtp_port_max", KEY_EVEN, 0, rtp_port_max, 1024, 65534),
	GKEY("nat_address", KEY_ADDRESS, KEY_EMPTY_OK, nat_address, 0, 0),
	GKEY("tone_country", KEY_TONE, 0, tone_country, 0, 0),
	GKEY("log_level", KEY_LOG_LEVEL, 0, log_level, 0, 0),
	GKEY("max_dialogs", KEY_UINT, 0, max_dialogs, 1, 64),
	GKEY("max_transactions", KEY_UINT, 0, max_transactions, 1, 4096),
	GKEY("max_message_size", KEY_UINT, 0, max_message_size, 1024, 65535),
	GKEY("bind_address", KEY_ADDRESS, KEY_EMPTY_OK, bind_address, 0, 0),
	GKEY("dns_server", KEY_DNS_SERVERS, KEY_EMPTY_OK, dns_server, 0, 0),
	GKEY("failover_timeout_ms", KEY_UINT, 0, failover_timeout_ms, 0,
	     60000),
	GKEY("failover_probe_secs", KEY_UINT, 0, failover_probe_secs, 1, 3600),
	GKEY("nat", KEY_NAT, 0, nat, 0, 0),
	GKEY("stun_server", KEY_HOST, KEY_EMPTY_OK, stun_server, 0, 0),
	GKEY("keepalive", KEY_KEEPALIVE, 0, keepalive, 0, 0),
	GKEY("keepalive_interval", KEY_UINT, 0, keepalive_interval, 0, 3600),
	GKEY("symmetric_rtp", KEY_BOOL, 0, symmetric_rtp, 0, 0),
	GKEY("prompt_dir", KEY_PATH, 0, prompt_dir, 0, 0),
};

#define MKEY(n, t, fl, field)						\
	{ n, t, fl, offsetof(struct fxsd_metrics_config, field),	\
	  FIELD_SIZE(struct fxsd_metrics_config, field), 0, 0 }

static const struct key_desc metrics_keys[] = {
	MKEY("listen", KEY_LISTEN, KEY_EMPTY_OK, listen),
};

#define VKEY(n, t, fl, field, mn, mx)					\
	{ n, t, fl, offsetof(struct fxsd_provisioning_config, field),	\
	  FIELD_SIZE(struct fxsd_provisioning_config, field), mn, mx }

static const struct key_desc provisioning_keys[] = {
	VKEY("url", KEY_STRING, KEY_EMPTY_OK, url, 0, 0),
	VKEY("url_file", KEY_PATH, KEY_EMPTY_OK, url_file, 0, 0),
	VKEY("ca_file", KEY_PATH, KEY_EMPTY_OK, ca_file, 0, 0),
	VKEY("resync_interval", KEY_UINT, 0, resync_interval, 0, 31 * 86400),
	VKEY("retry_min", KEY_UINT, 0, retry_min, 1, 86400),
	VKEY("retry_max", KEY_UINT, 0, retry_max, 1, 7 * 86400),
	VKEY("timeout", KEY_UINT, 0, timeout, 1, 600),
	VKEY("state_dir", KEY_PATH, 0, state_dir, 0, 0),
};

static void provisioning_init(struct fxsd_provisioning_config *v)
{
	memset(v, 0, sizeof(*v));
	v->resync_interval = 86400;
	v->retry_min = 30;
	v->retry_max = 3600;
	v->timeout = 30;
	snprintf(v->state_dir, sizeof(v->state_dir), "%s",
		 CONFIG_STATE_DIR_DEFAULT);
}

/* Port keys whose defaults depend on other keys are found by index. */
enum port_key {
	PK_USER,
	PK_AUTH_USER,
	PK_PASSWORD,
	PK_DISPLAY_NAME,
	PK_DOMAIN,
	PK_REGISTRAR,
	PK_OUTBOUND_PROXY,
	PK_EXPIRES,
	PK_REGISTER,
	PK_DIGIT_MAP,
	PK_INTERDIGIT_LONG_MS,
	PK_INTERDIGIT_SHORT_MS,
	PK_EARLY_MEDIA_RINGBACK,
	PK_ALLOW_UNKNOWN_CALLERS,
	PK_TONE_COUNTRY,
	PK_DISCONNECT_OPEN_LOOP_MS,
	PK_ECHO_TAIL_MS,
	PK_PLAY_CUSHION_FRAMES,
	PK_RING_CADENCE,
	PK_DTMF_MODE,
	PK_CALL_WAITING,
	PK_CALLERID_WAITING,
	PK_THREE_WAY,
	PK_TRANSFER_ON_HANGUP,
	PK_CONFERENCE_HANGUP_TRANSFER,
	PK_MWI_SUBSCRIBE,
	PK_MWI_SERVER,
	PK_MWI_EXPIRES,
	PK_STAR_CODES,
	PK_STAR_CODE,
	PK_PRIVACY,
	PK_PRIVACY_IDENTITY,
	PK_HOTLINE,
	PK_WARM_LINE,
	PK_WARM_LINE_SECS,
	PK_SESSION_EXPIRES,
	PK_MIN_SE,
	PK_TRANSPORT,
	PK_TLS_CA_FILE,
	PK_TLS_PIN,
	PK_TLS_CERT,
	PK_TLS_KEY,
	PK_DND,
	PK_ANONYMOUS_REJECT,
	PK_FORWARD_ALL,
	PK_FORWARD_BUSY,
	PK_FORWARD_NO_ANSWER,
	PK_FORWARD_NO_ANSWER_SECS,
	PK_RING_ALERT,
	PK_SRTP,
	PK_FAX,
	PK_STUN_SERVER,
	PK_CONTACT_TOKEN,
	PK_RING_HOLDOFF_MS,
	PK_VOICE_MENU,
	PK_UNAVAILABLE_ANNOUNCEMENT,
	PK_CODECS,
	PK_RTCP_XR,
	PK_VQ_COLLECTOR,
	_PK_MAX,
};

static const struct key_desc port_keys[_PK_MAX] = {
	[PK_USER] = PKEY("user", KEY_USER, KEY_REQUIRED, user, 0, 0),
	[PK_AUTH_USER] = PKEY("auth_user", KEY_STRING, 0, auth_user, 0, 0),
	[PK_PASSWORD] = PKEY("password", KEY_STRING, KEY_EMPTY_OK, password,
			     0, 0),
	[PK_DISPLAY_NAME] = PKEY("display_name", KEY_STRING, KEY_EMPTY_OK,
				 display_name, 0, 0),
	[PK_DOMAIN] = PKEY("domain", KEY_HOST, KEY_REQUIRED, domain, 0, 0),
	[PK_REGISTRAR] = PKEY("registrar", KEY_HOST, 0, registrar, 0, 0),
	[PK_OUTBOUND_PROXY] = PKEY("outbound_proxy", KEY_HOST, KEY_EMPTY_OK,
				   outbound_proxy, 0, 0),
	[PK_EXPIRES] = PKEY("expires", KEY_UINT, 0, expires, 60, 86400),
	[PK_REGISTER] = PKEY("register", KEY_BOOL, 0, register_enabled, 0, 0),
	[PK_DIGIT_MAP] = PKEY("digit_map", KEY_STRING, 0, digit_map, 0, 0),
	[PK_INTERDIGIT_LONG_MS] = PKEY("interdigit_long_ms", KEY_UINT, 0,
				       interdigit_long_ms, 100, 60000),
	[PK_INTERDIGIT_SHORT_MS] = PKEY("interdigit_short_ms", KEY_UINT, 0,
					interdigit_short_ms, 100, 60000),
	[PK_EARLY_MEDIA_RINGBACK] = PKEY("early_media_ringback", KEY_BOOL, 0,
					 early_media_ringback, 0, 0),
	[PK_ALLOW_UNKNOWN_CALLERS] = PKEY("allow_unknown_callers", KEY_BOOL, 0,
					  allow_unknown_callers, 0, 0),
	[PK_TONE_COUNTRY] = PKEY("tone_country", KEY_TONE, 0, tone_country,
				 0, 0),
	[PK_DISCONNECT_OPEN_LOOP_MS] = PKEY("disconnect_open_loop_ms",
					    KEY_UINT, 0,
					    disconnect_open_loop_ms, 0, 2000),
	[PK_ECHO_TAIL_MS] = PKEY("echo_tail_ms", KEY_UINT, 0, echo_tail_ms,
				 16, 256),
	[PK_PLAY_CUSHION_FRAMES] = PKEY("play_cushion_frames", KEY_UINT, 0,
					play_cushion_frames, 0,
					CONFIG_CUSHION_MAX),
	[PK_RING_CADENCE] = PKEY("ring_cadence", KEY_CADENCE, KEY_EMPTY_OK,
				 ring_cadence_ms, 0, 0),
	[PK_DTMF_MODE] = PKEY("dtmf_mode", KEY_DTMF_MODE, 0, dtmf_mode, 0, 0),
	[PK_CALL_WAITING] = PKEY("call_waiting", KEY_BOOL, 0, call_waiting, 0, 0),
	[PK_CALLERID_WAITING] = PKEY("callerid_waiting", KEY_BOOL, 0, callerid_waiting, 0, 0),
	[PK_THREE_WAY] = PKEY("three_way", KEY_BOOL, 0, three_way, 0, 0),
	[PK_TRANSFER_ON_HANGUP] = PKEY("transfer_on_hangup", KEY_BOOL, 0,
				       transfer_on_hangup, 0, 0),
	[PK_CONFERENCE_HANGUP_TRANSFER] = PKEY("conference_hangup_transfer",
					       KEY_BOOL, 0,
					       conference_hangup_transfer, 0, 0),
	[PK_MWI_SUBSCRIBE] = PKEY("mwi_subscribe", KEY_BOOL, 0, mwi_subscribe,
				  0, 0),
	[PK_MWI_SERVER] = PKEY("mwi_server", KEY_HOST, 0, mwi_server, 0, 0),
	[PK_MWI_EXPIRES] = PKEY("mwi_expires", KEY_UINT, 0, mwi_expires, 60,
				86400),
	[PK_STAR_CODES] = PKEY("star_codes", KEY_STAR_CODES, 0,
			       star_codes_none, 0, 0),
	[PK_STAR_CODE] = PKEY("star_code", KEY_STAR_CODE, KEY_REPEAT,
			      star_codes, 0, 0),
	[PK_PRIVACY] = PKEY("privacy", KEY_BOOL, 0, privacy, 0, 0),
	[PK_PRIVACY_IDENTITY] = PKEY("privacy_identity", KEY_PRIVACY_ID, 0,
				     privacy_identity, 0, 0),
	[PK_HOTLINE] = PKEY("hotline", KEY_NUMBER, KEY_EMPTY_OK, hotline, 0, 0),
	[PK_WARM_LINE] = PKEY("warm_line", KEY_NUMBER, KEY_EMPTY_OK, warm_line,
			      0, 0),
	[PK_WARM_LINE_SECS] = PKEY("warm_line_secs", KEY_UINT, 0,
				   warm_line_secs, 1, 14),
	[PK_SESSION_EXPIRES] = PKEY("session_expires", KEY_UINT, 0,
				    session_expires, 90, 86400),
	[PK_MIN_SE] = PKEY("min_se", KEY_UINT, 0, min_se, 90, 86400),
	[PK_TRANSPORT] = PKEY("transport", KEY_TRANSPORT, 0, transport, 0, 0),
	[PK_TLS_CA_FILE] = PKEY("tls_ca_file", KEY_PATH, KEY_EMPTY_OK,
				tls_ca_file, 0, 0),
	[PK_TLS_PIN] = PKEY("tls_pin", KEY_PIN, KEY_EMPTY_OK, tls_pin, 0, 0),
	[PK_TLS_CERT] = PKEY("tls_cert", KEY_PATH, KEY_EMPTY_OK, tls_cert, 0, 0),
	[PK_TLS_KEY] = PKEY("tls_key", KEY_PATH, KEY_EMPTY_OK, tls_key, 0, 0),
	[PK_DND] = PKEY("dnd", KEY_BOOL, 0, dnd, 0, 0),
	[PK_ANONYMOUS_REJECT] = PKEY("anonymous_reject", KEY_BOOL, 0,
				     anonymous_reject, 0, 0),
	[PK_FORWARD_ALL] = PKEY("forward_all", KEY_FORWARD, KEY_EMPTY_OK,
				forward_all, 0, 0),
	[PK_FORWARD_BUSY] = PKEY("forward_busy", KEY_FORWARD, KEY_EMPTY_OK,
				 forward_busy, 0, 0),
	[PK_FORWARD_NO_ANSWER] = PKEY("forward_no_answer", KEY_FORWARD,
				      KEY_EMPTY_OK, forward_no_answer, 0, 0),
	[PK_FORWARD_NO_ANSWER_SECS] = PKEY("forward_no_answer_secs", KEY_UINT,
					   0, forward_no_answer_secs, 1, 600),
	[PK_RING_ALERT] = PKEY("ring_alert", KEY_RING_ALERT, KEY_REPEAT,
			       ring_alerts, 0, 0),
	[PK_SRTP] = PKEY("srtp", KEY_SRTP, 0, srtp, 0, 0),
	[PK_FAX] = PKEY("fax", KEY_FAX, 0, fax, 0, 0),
	[PK_STUN_SERVER] = PKEY("stun_server", KEY_HOST, KEY_EMPTY_OK,
				stun_server, 0, 0),
	[PK_CONTACT_TOKEN] = PKEY("contact_token", KEY_BOOL, 0, contact_token,
				  0, 0),
	[PK_RING_HOLDOFF_MS] = PKEY("ring_holdoff_ms", KEY_UINT, 0,
				    ring_holdoff_ms, 0, 2000),
	[PK_VOICE_MENU] = PKEY("voice_menu", KEY_MENU_CODE, KEY_EMPTY_OK,
			       voice_menu, 0, 0),
	[PK_UNAVAILABLE_ANNOUNCEMENT] = PKEY("unavailable_announcement",
					     KEY_BOOL, 0,
					     unavailable_announcement, 0, 0),
	[PK_CODECS] = PKEY("codecs", KEY_CODECS, 0, codecs, 0, 0),
	[PK_RTCP_XR] = PKEY("rtcp_xr", KEY_BOOL, 0, rtcp_xr, 0, 0),
	[PK_VQ_COLLECTOR] = PKEY("vq_collector", KEY_SIP_URI, KEY_EMPTY_OK,
				 vq_collector, 0, 0),
};

_Static_assert(ELEMENTSOF(global_keys) <= 64, "seen mask is 64 bits");
_Static_assert(_PK_MAX <= 64, "seen mask is 64 bits");

/* The North American distinctive rings (GR-506), ring_alert's defaults;
 * dr5, a "ring splash", repeats here (a cadence always does). */
static const struct config_ring_alert default_ring_alerts[] = {
	{ "Bellcore-dr1", { 2000, 4000 }, 1 },
	{ "Bellcore-dr2", { 800, 400, 800, 4000 }, 2 },
	{ "Bellcore-dr3", { 400, 200, 400, 200, 800, 4000 }, 3 },
	{ "Bellcore-dr4", { 300, 200, 1000, 200, 300, 4000 }, 3 },
	{ "Bellcore-dr5", { 500, 5500 }, 1 },
};

/* dns_server: "address[:port]" items (IPv6 bare or as [address]:port). */
static bool valid_dns_servers(const char *v)
{
	char item[CONFIG_DNS_SERVER_MAX + 1];
	unsigned char buf[sizeof(struct in6_addr)];
	struct sockaddr_storage ss;
	socklen_t sl;

	while (*v) {
		size_t n = strcspn(v, ",");

		if (n == 0 || n >= sizeof(item))
			return false;
		memcpy(item, v, n);
		item[n] = '\0';
		if (inet_pton(AF_INET, item, buf) != 1 &&
		    inet_pton(AF_INET6, item, buf) != 1 &&
		    config_listen_parse(item, &ss, &sl) < 0)
			return false;
		v += n;
		if (*v == ',' && !*++v)
			return false;
	}
	return true;
}

static void set_string(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	/* Zero the tail too, so equal configs compare equal bytewise. */
	memset(dst, 0, size);
	memcpy(dst, src, n < size ? n : size - 1);
}

static void global_init(struct fxsd_global_config *g)
{
	memset(g, 0, sizeof(*g));
	g->sip_port = 5060;
	g->transport = CONFIG_TRANSPORT_AUTO;
	g->failover_probe_secs = 60;
	g->rtp_port_min = 10000;
	g->rtp_port_max = 20000;
	g->nat_family = AF_UNSPEC;
	g->tone_country = CONFIG_TONE_US;
	g->log_level = LOG_INFO;
	g->max_dialogs = 8;
	g->max_transactions = 64;
	g->max_message_size = 65535;
	g->nat = CONFIG_NAT_AUTO;
	g->keepalive = CONFIG_KEEPALIVE_CRLF;
	g->symmetric_rtp = true;
	set_string(g->prompt_dir, sizeof(g->prompt_dir), CONFIG_PROMPT_DIR);
}

static void port_init(struct fxsd_port_config *p, int index, unsigned line)
{
	memset(p, 0, sizeof(*p));
	p->index = index;
	p->expires = 3600;
	p->register_enabled = true;
	set_string(p->digit_map, sizeof(p->digit_map),
		   CONFIG_DEFAULT_DIGIT_MAP);
	p->interdigit_long_ms = 10000;
	p->interdigit_short_ms = 4000;
	p->tone_country = CONFIG_TONE_US;
	p->disconnect_open_loop_ms = 800;
	p->echo_tail_ms = 32;
	p->play_cushion_frames = 2;
	p->call_waiting = true;
	p->callerid_waiting = true;
	p->three_way = true;
	p->transfer_on_hangup = true;
	p->dtmf_mode = CONFIG_DTMF_RFC4733;
	p->codecs[0] = CONFIG_CODEC_PCMU;
	p->codecs[1] = CONFIG_CODEC_PCMA;
	p->n_codecs = 2;
	p->mwi_expires = 3600;
	p->privacy_identity = CONFIG_PRIVACY_IDENTITY_PPI;
	p->warm_line_secs = 5;
	p->session_expires = 1800;
	p->min_se = 90;
	p->forward_no_answer_secs = 20;
	p->contact_token = true;
	p->ring_holdoff_ms = 300;
	set_string(p->voice_menu, sizeof(p->voice_menu), CONFIG_VOICE_MENU);
	p->unavailable_announcement = true;
	p->line = line;
}

/* ---- value checks ----------------------------------------------------- */

int config_listen_parse(const char *s, struct sockaddr_storage *ret,
			socklen_t *ret_len)
{
	char host[CONFIG_LISTEN_MAX + 1];
	const char *colon, *h = s;
	unsigned long port;
	size_t hl;
	char *end;

	colon = strrchr(s, ':');
	if (!colon || strlen(s) > CONFIG_LISTEN_MAX)
		return -EINVAL;
	hl = colon - s;
	if (*s == '[') {
		if (hl < 2 || s[hl - 1] != ']')
			return -EINVAL;
		h = s + 1;
		hl -= 2;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	port = strtoul(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535 || strlen(colon + 1) > 5)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	if (*s != '[') {
		struct sockaddr_in *a = (struct sockaddr_in *)ret;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -EINVAL;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		*ret_len = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ret;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -EINVAL;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		*ret_len = sizeof(*a);
	}
	return 0;
}

/* Plain decimal without sign; false on junk or overflow. */
static bool parse_uint(const char *s, unsigned *ret)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT_MAX)
			return false;
	}
	*ret = (unsigned)v;
	return true;
}

static int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return 1;
		if (strcasecmp(s, no[i]) == 0)
			return 0;
	}
	return -EINVAL;
}

/* RFC 3261 user: unreserved / escaped / user-unreserved. */
static bool valid_user(const char *s)
{
	for (; *s; s++) {
		if (isalnum((unsigned char)*s))
			continue;
		if (*s == '%') {
			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]))
				return false;
			s += 2;
			continue;
		}
		if (!strchr("-_.!~*'()&=+$,;?/", *s))
			return false;
	}
	return true;
}

static bool valid_hostname(const char *s, size_t len)
{
	size_t i, label = 0;
	bool numeric = true;
	char buf[CONFIG_HOST_MAX + 1];

	if (len == 0 || len > 253)
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)ch) && ch != '-')
			return false;
		if (ch == '-' && label == 0)
			return false;
		if (!isdigit((unsigned char)ch))
			numeric = false;
		if (++label > 63)
			return false;
	}
	if (label == 0 || s[len - 1] == '-')
		return false;
	if (numeric) {
		struct in_addr a;

		/* All digits and dots: it must be a dotted IPv4 address. */
		memcpy(buf, s, len);
		buf[len] = '\0';
		return inet_pton(AF_INET, buf, &a) == 1;
	}
	return true;
}

/* host, host:port, [ipv6] or [ipv6]:port, port 1-65535. */
static bool valid_hostport(const char *s)
{
	const char *colon, *end;
	size_t hostlen;
	unsigned port;

	if (s[0] == '[') {
		char buf[CONFIG_HOST_MAX + 1];
		struct in6_addr a;

		end = strchr(s, ']');
		if (!end || (size_t)(end - s - 1) >= sizeof(buf))
			return false;
		memcpy(buf, s + 1, end - s - 1);
		buf[end - s - 1] = '\0';
		if (inet_pton(AF_INET6, buf, &a) != 1)
			return false;
		if (end[1] == '\0')
			return true;
		if (end[1] != ':')
			return false;
		return parse_uint(end + 2, &port) && port >= 1 && port <= 65535;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':'))
		return false;	/* an IPv6 address needs brackets */
	hostlen = colon ? (size_t)(colon - s) : strlen(s);
	if (!valid_hostname(s, hostlen))
		return false;
	if (!colon)
		return true;
	return parse_uint(colon + 1, &port) && port >= 1 && port <= 65535;
}

/* sip:host[:port] or sip:user@host[:port] (a voice quality collector). */
static bool valid_sip_uri(const char *s)
{
	char user[CONFIG_USER_MAX + 1];
	const char *at;

	if (strncasecmp(s, "sip:", 4) != 0)
		return false;
	s += 4;
	at = strchr(s, '@');
	if (at) {
		if (at == s || (size_t)(at - s) >= sizeof(user))
			return false;
		memcpy(user, s, at - s);
		user[at - s] = '\0';
		if (!valid_user(user))
			return false;
		s = at + 1;
	}
	return valid_hostport(s);
}

/* "2000,4000" or "400, 200, 400, 2000"; false if malformed. */
static bool parse_cadence(const char *s, unsigned *ms, unsigned *ret_pairs)
{
	unsigned n = 0;

	for (;;) {
		char num[16];
		size_t len = 0;
		unsigned v;

		while (*s == ' ' || *s == '\t')
			s++;
		while (*s >= '0' && *s <= '9') {
			if (len + 1 >= sizeof(num))
				return false;
			num[len++] = *s++;
		}
		num[len] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (!parse_uint(num, &v) || n >= 2 * CONFIG_RING_MAX_PAIRS)
			return false;
		if (v > CONFIG_RING_MAX_MS ||
		    (n % 2 == 0 && v < CONFIG_RING_ON_MIN_MS))
			return false;
		ms[n++] = v;
		if (*s == '\0')
			break;
		if (*s != ',')
			return false;
		s++;
	}
	if (n % 2)
		return false;
	*ret_pairs = n / 2;
	return true;
}

/* ---- the parser ------------------------------------------------------- */

enum section {
	SECTION_NONE,
	SECTION_GLOBAL,
	SECTION_PORT,
	SECTION_METRICS,
	SECTION_PROVISIONING,
};

struct parser {
	const char *path;
	char *err;
	size_t errlen;
	struct fxsd_config *c;
	size_t ports_alloc;

	unsigned line;			/* current line number */
	enum section section;
	unsigned section_line;
	size_t cur;			/* current port, in c->ports */
	uint64_t seen;			/* keys set in the current section */

	bool global_seen;
	bool metrics_seen;
	bool provisioning_seen;
	bool in_profile;		/* reading the profile of an overlay */
	bool port_seen[CONFIG_PORT_INDEX_MAX + 1];	/* in this file */
	uint64_t port_keys_seen[CONFIG_PORT_INDEX_MAX + 1];
};

static int fail_at(struct parser *p, unsigned line, int r, const char *fmt,
		   ...) __attribute__((format(printf, 4, 5)));

static int fail_at(struct parser *p, unsigned line, int r, const char *fmt,
		   ...)
{
	va_list ap;
	int n;

	if (!p->err || p->errlen == 0)
		return r;
	if (line)
		n = snprintf(p->err, p->errlen, "%s:%u: ", p->path, line);
	else
		n = snprintf(p->err, p->errlen, "%s: ", p->path);
	if (n < 0 || (size_t)n >= p->errlen)
		return r;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return r;
}

#define fail(p, ...) fail_at((p), (p)->line, -EINVAL, __VA_ARGS__)

static void section_name(const struct parser *p, char *buf, size_t size)
{
	if (p->section == SECTION_GLOBAL)
		snprintf(buf, size, "[global]");
	else if (p->section == SECTION_METRICS)
		snprintf(buf, size, "[metrics]");
	else if (p->section == SECTION_PROVISIONING)
		snprintf(buf, size, "[provisioning]");
	else
		snprintf(buf, size, "[port %d]", p->c->ports[p->cur].index);
}

/* The entry of @p's ring_alerts for @token, or NULL. */
static const struct config_ring_alert *ring_alert_of(
	const struct fxsd_port_config *p, const char *token, size_t len)
{
	unsigned i;

	for (i = 0; i < p->n_ring_alerts; i++)
		if (strlen(p->ring_alerts[i].token) == len &&
		    strncasecmp(p->ring_alerts[i].token, token, len) == 0)
			return &p->ring_alerts[i];
	return NULL;
}

/* How many ring_alerts @p has once the defaults are added. */
static unsigned ring_alerts_total(const struct fxsd_port_config *p)
{
	unsigned n = p->n_ring_alerts;
	size_t i;

	for (i = 0; i < ELEMENTSOF(default_ring_alerts); i++)
		if (!ring_alert_of(p, default_ring_alerts[i].token,
				   strlen(default_ring_alerts[i].token)))
			n++;
	return n;
}

static bool alert_token_char(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("-._~!*'+%:", ch));
}

bool config_forward_valid(const char *s)
{
	const char *c;

	if (!s || !*s || strlen(s) > CONFIG_FORWARD_MAX)
		return false;
	if (strncasecmp(s, "sip:", 4) == 0 || strncasecmp(s, "sips:", 5) == 0 ||
	    strncasecmp(s, "tel:", 4) == 0) {
		c = strchr(s, ':') + 1;
		if (!*c)
			return false;
		for (; *c; c++)
			if ((unsigned char)*c <= ' ' || (unsigned char)*c >= 0x7f ||
			    strchr("\"<>?\\", *c))
				return false;
		return true;
	}
	for (c = s; *c; c++)
		if (!isalnum((unsigned char)*c) && !strchr("*#+-._!~'()", *c))
			return false;
	return true;
}

const struct config_ring_alert *config_ring_alert_find(
	const struct fxsd_port_config *p, const char *tokens)
{
	const struct config_ring_alert *r;
	size_t n;

	if (!p || !tokens)
		return NULL;
	while (*tokens) {
		while (*tokens == ' ')
			tokens++;
		n = strcspn(tokens, " ");
		if (n && (r = ring_alert_of(p, tokens, n)))
			return r;
		tokens += n;
	}
	return NULL;
}

/* [provisioning]'s rules, when the section ends. */
static int close_provisioning(struct parser *p)
{
	const struct fxsd_provisioning_config *v = &p->c->provisioning;

	if (v->url[0] && strncasecmp(v->url, "https://", 8) &&
	    strncasecmp(v->url, "http://", 7))
		return fail_at(p, p->section_line, -EINVAL,
			       "[provisioning] url must begin with https:// or http://");
	if (v->retry_min > v->retry_max)
		return fail_at(p, p->section_line, -EINVAL,
			       "[provisioning] retry_min (%u) must not exceed retry_max (%u)",
			       v->retry_min, v->retry_max);
	return 0;
}

/* The section that just ended: required keys and cross-key rules. */
static int close_section(struct parser *p)
{
	char name[32];
	size_t i;

	if (p->section == SECTION_NONE)
		return 0;
	section_name(p, name, sizeof(name));

	if (p->section == SECTION_PROVISIONING) {
		int r = close_provisioning(p);

		if (r < 0)
			return r;
	} else if (p->section == SECTION_GLOBAL) {
		const struct fxsd_global_config *g = &p->c->global;

		if (g->rtp_port_min >= g->rtp_port_max)
			return fail_at(p, p->section_line, -EINVAL,
				       "%s rtp_port_min (%u) must be less than rtp_port_max (%u)",
				       name, g->rtp_port_min, g->rtp_port_max);
	} else if (p->section == SECTION_PORT) {
		const struct fxsd_port_config *port = &p->c->ports[p->cur];
		/* a profile's [port N] over the base's: both files' keys */
		uint64_t seen = p->seen | p->port_keys_seen[port->index];

		for (i = 0; i < _PK_MAX; i++)
			if ((port_keys[i].flags & KEY_REQUIRED) &&
			    !(seen & (1ull << i)))
				return fail_at(p, p->section_line, -EINVAL,
					       "%s has no '%s'", name,
					       port_keys[i].name);
		if (port->hotline[0] && port->warm_line[0])
			return fail_at(p, p->section_line, -EINVAL,
				       "%s has both hotline and warm_line", name);
		if (port->interdigit_short_ms > port->interdigit_long_ms)
			return fail_at(p, p->section_line, -EINVAL,
				       "%s interdigit_short_ms (%u) must not exceed interdigit_long_ms (%u)",
				       name, port->interdigit_short_ms,
				       port->interdigit_long_ms);
		if (ring_alerts_total(port) > CONFIG_RING_ALERT_MAX)
			return fail_at(p, p->section_line, -EINVAL,
				       "%s has too many ring_alert tokens (at most %d, the %zu Bellcore defaults included)",
				       name, CONFIG_RING_ALERT_MAX,
				       ELEMENTSOF(default_ring_alerts));
		p->port_keys_seen[port->index] = seen;
	}
	p->section = SECTION_NONE;
	return 0;
}

static int open_port(struct parser *p, int index)
{
	struct fxsd_config *c = p->c;
	size_t i;

	/* the profile's [port N] over the base's */
	for (i = 0; p->in_profile && i < c->n_ports; i++)
		if (c->ports[i].index == index) {
			p->cur = i;
			p->port_seen[index] = true;
			p->section = SECTION_PORT;
			return 0;
		}

	if (c->n_ports == p->ports_alloc) {
		size_t n = p->ports_alloc ? 2 * p->ports_alloc : 4;
		struct fxsd_port_config *np;

		np = reallocarray(c->ports, n, sizeof(*np));
		if (!np)
			return fail_at(p, 0, -ENOMEM, "out of memory");
		c->ports = np;
		p->ports_alloc = n;
	}
	p->cur = c->n_ports++;
	port_init(&c->ports[p->cur], index, p->line);
	p->port_seen[index] = true;
	p->section = SECTION_PORT;
	return 0;
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static char *skip_blank(char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
}

/* Nothing, or a comment: what may follow a header or a quoted value. */
static bool only_comment(const char *s)
{
	while (is_blank(*s))
		s++;
	return *s == '\0' || *s == '#' || *s == ';';
}

/* @s points just after '['. */
static int parse_header(struct parser *p, char *s)
{
	char *end, *name, *arg;
	unsigned index;
	int r;

	/* Any header ends the previous section, even a malformed one. */
	r = close_section(p);
	if (r < 0)
		return r;
	p->seen = 0;

	end = strchr(s, ']');
	if (!end)
		return fail(p, "missing ']' in section header");
	if (!only_comment(end + 1))
		return fail(p, "unexpected text after ']'");
	*end = '\0';
	name = skip_blank(s);
	trim_end(name);
	p->section_line = p->line;

	if (strcmp(name, "global") == 0) {
		if (p->global_seen)
			return fail(p, "duplicate section [global]");
		p->global_seen = true;
		p->c->global.line = p->line;
		p->section = SECTION_GLOBAL;
		return 0;
	}
	if (strcmp(name, "metrics") == 0) {
		if (p->metrics_seen)
			return fail(p, "duplicate section [metrics]");
		p->metrics_seen = true;
		p->c->metrics.line = p->line;
		p->section = SECTION_METRICS;
		return 0;
	}
	if (strcmp(name, "provisioning") == 0) {
		if (p->in_profile)
			return fail(p, "[provisioning] is taken from the local file only, not from a profile");
		if (p->provisioning_seen)
			return fail(p, "duplicate section [provisioning]");
		p->provisioning_seen = true;
		p->c->provisioning.line = p->line;
		p->section = SECTION_PROVISIONING;
		return 0;
	}
	if (strncmp(name, "port", 4) != 0 ||
	    (name[4] != '\0' && !is_blank(name[4])))
		return fail(p, "unknown section [%s]", name);
	arg = skip_blank(name + 4);
	if (*arg == '\0')
		return fail(p, "missing port index in [port]");
	if (!parse_uint(arg, &index) || index > CONFIG_PORT_INDEX_MAX)
		return fail(p, "invalid port index '%s' (0-%d)", arg,
			    CONFIG_PORT_INDEX_MAX);
	if (p->port_seen[index])
		return fail(p, "duplicate section [port %u]", index);
	return open_port(p, (int)index);
}

/*
 * @s points at the first non-blank character after '='.  Unquotes or
 * strips the inline comment in place; the value starts at *ret_value.
 */
static int parse_raw_value(struct parser *p, char *s, char **ret_value)
{
	char *in, *out;

	if (*s != '"') {
		for (in = s; *in; in++)
			if ((*in == '#' || *in == ';') &&
			    (in == s || is_blank(in[-1]))) {
				*in = '\0';
				break;
			}
		trim_end(s);
		*ret_value = s;
		return 0;
	}
	for (in = out = s + 1; *in != '"'; in++) {
		if (*in == '\0')
			return fail(p, "unterminated quoted value");
		if (*in == '\\') {
			in++;
			if (*in != '"' && *in != '\\')
				return fail(p, "invalid escape in quoted value (only \\\" and \\\\)");
		}
		*out++ = *in;
	}
	if (!only_comment(in + 1))
		return fail(p, "unexpected text after closing quote");
	*out = '\0';
	*ret_value = s + 1;
	return 0;
}

/* "pcmu, opus, g722": the port's codecs in order, each once. */
static int store_codecs(struct parser *p, struct fxsd_port_config *port,
			const struct key_desc *k, const char *v)
{
	enum config_codec list[_CONFIG_CODEC_MAX];
	unsigned n = 0, i;
	const char *s = v;

	for (;;) {
		char name[16];
		size_t len;
		int c;

		while (*s == ' ')
			s++;
		len = strcspn(s, ", ");
		if (len == 0 || len >= sizeof(name))
			return fail(p, "invalid %s '%s' (a list of pcmu, pcma, opus, g722, g729)",
				    k->name, v);
		memcpy(name, s, len);
		name[len] = '\0';
		c = config_codec_from_string(name);
		if (c < 0)
			return fail(p, "invalid %s '%s': unknown codec '%s' (pcmu, pcma, opus, g722, g729)",
				    k->name, v, name);
		for (i = 0; i < n; i++)
			if (list[i] == (enum config_codec)c)
				return fail(p, "invalid %s '%s': %s twice",
					    k->name, v, name);
		list[n++] = c;
		s += len;
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s != ',' || n == _CONFIG_CODEC_MAX)
			return fail(p, "invalid %s '%s' (a list of pcmu, pcma, opus, g722, g729)",
				    k->name, v);
		s++;
	}
	memset(port->codecs, 0, sizeof(port->codecs));
	memcpy(port->codecs, list, n * sizeof(list[0]));
	port->n_codecs = n;
	return 0;
}

/* "*67 privacy": one entry of the port's star code table. */
static int store_star_code(struct parser *p, struct fxsd_port_config *port,
			   const char *v)
{
	struct config_star_code sc;
	const char *sp = v + strcspn(v, " \t");
	size_t len = (size_t)(sp - v), i;
	int r;

	/* padding too: a reload compares port configs bytewise */
	memset(&sc, 0, sizeof(sc));
	sc.line = p->line;

	if (len < 2 || len > CONFIG_STAR_CODE_LEN_MAX || v[0] != '*' ||
	    strspn(v + 1, "0123456789") != len - 1)
		return fail(p, "invalid star code '%.*s' ('*' and 1-%d digits)",
			    (int)len, v, CONFIG_STAR_CODE_LEN_MAX - 1);
	memcpy(sc.code, v, len);
	while (is_blank(*sp))
		sp++;
	r = config_star_action_from_string(sp);
	if (r < 0)
		return fail(p, "invalid star_code action '%s' for %s (privacy, privacy-off, cw-cancel, dnd-on, dnd-off, forward-all-on, forward-all-off, forward-busy-on, forward-busy-off, forward-no-answer-on, forward-no-answer-off, anonymous-reject-on, anonymous-reject-off)",
			    sp, sc.code);
	sc.action = r;
	for (i = 0; i < port->n_star_codes; i++)
		if (strcmp(port->star_codes[i].code, sc.code) == 0)
			return fail(p, "duplicate star code %s (line %u)",
				    sc.code, port->star_codes[i].line);
	if (port->n_star_codes >= CONFIG_STAR_CODES_MAX)
		return fail(p, "too many star codes (max %d)",
			    CONFIG_STAR_CODES_MAX);
	port->star_codes[port->n_star_codes++] = sc;
	return 0;
}

static int store_value(struct parser *p, const struct key_desc *k, void *base,
		       const char *v)
{
	char *field = (char *)base + k->offset;
	unsigned u;
	int r;

	for (const char *q = v; *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return fail(p, "control character in value of '%s'",
				    k->name);

	if (*v == '\0' && (k->flags & KEY_EMPTY_OK)) {
		/* Unset; the key stays marked as given. */
		memset(field, 0, k->size);
		if (k->type == KEY_ADDRESS)
			((struct fxsd_global_config *)base)->nat_family =
				AF_UNSPEC;
		if (k->type == KEY_CADENCE)
			((struct fxsd_port_config *)base)->n_ring_cadence_pairs
				= 0;
		return 0;
	}

	switch (k->type) {
	case KEY_UINT:
		if (!parse_uint(v, &u) || u < k->min || u > k->max)
			return fail(p, "invalid %s '%s' (%u-%u)", k->name, v,
				    k->min, k->max);
		*(unsigned *)field = u;
		return 0;
	case KEY_EVEN:
		if (!parse_uint(v, &u) || u < k->min || u > k->max || u % 2)
			return fail(p, "invalid %s '%s' (even, %u-%u)", k->name,
				    v, k->min, k->max);
		*(unsigned *)field = u;
		return 0;
	case KEY_BOOL:
		r = parse_bool(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (yes/no, true/false, on/off, 1/0)",
				    k->name, v);
		*(bool *)field = r;
		return 0;
	case KEY_TRANSPORT:
		r = config_transport_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (udp|tcp|tls|auto)",
				    k->name, v);
		*(enum config_transport *)field = r;
		return 0;
	case KEY_TONE:
		r = config_tone_country_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (US|UK|DE|FR|CN)",
				    k->name, v);
		*(enum config_tone_country *)field = r;
		return 0;
	case KEY_LOG_LEVEL:
		r = config_log_level_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (debug|info|notice|warning|err)",
				    k->name, v);
		*(int *)field = r;
		return 0;
	case KEY_DTMF_MODE:
		r = config_dtmf_mode_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (rfc4733|info|inband)",
				    k->name, v);
		*(enum config_dtmf_mode *)field = r;
		return 0;
	case KEY_SRTP:
		r = config_srtp_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (off|optional|required)",
				    k->name, v);
		*(enum config_srtp *)field = r;
		return 0;
	case KEY_FAX:
		r = config_fax_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (t38|passthrough)",
				    k->name, v);
		*(enum config_fax *)field = r;
		return 0;
	case KEY_NAT:
		r = config_nat_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (auto|off)", k->name, v);
		*(enum config_nat *)field = r;
		return 0;
	case KEY_KEEPALIVE:
		r = config_keepalive_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (crlf|options|off)",
				    k->name, v);
		*(enum config_keepalive *)field = r;
		return 0;
	case KEY_CODECS:
		return store_codecs(p, base, k, v);
	case KEY_CADENCE: {
		struct fxsd_port_config *port = base;
		unsigned ms[2 * CONFIG_RING_MAX_PAIRS] = { 0 }, pairs;

		if (!parse_cadence(v, ms, &pairs))
			return fail(p, "invalid %s '%s' (on,off ms pairs, at most %d; on %d-%d, off 0-%d)",
				    k->name, v, CONFIG_RING_MAX_PAIRS,
				    CONFIG_RING_ON_MIN_MS, CONFIG_RING_MAX_MS,
				    CONFIG_RING_MAX_MS);
		memcpy(port->ring_cadence_ms, ms, sizeof(ms));
		port->n_ring_cadence_pairs = pairs;
		return 0;
	}
	case KEY_STAR_CODES:
		if (strcasecmp(v, "none") && strcasecmp(v, "default"))
			return fail(p, "invalid %s '%s' (none|default)",
				    k->name, v);
		*(bool *)field = strcasecmp(v, "none") == 0;
		return 0;
	case KEY_STAR_CODE:
		return store_star_code(p, base, v);
	case KEY_PRIVACY_ID:
		r = config_privacy_identity_from_string(v);
		if (r < 0)
			return fail(p, "invalid %s '%s' (ppi|none)", k->name, v);
		*(enum config_privacy_identity *)field = r;
		return 0;
	case KEY_PIN: {
		char hex[CONFIG_PIN_LEN + 1];
		size_t n = 0;
		const char *q;

		/* 64 hex digits; a ':' only between two bytes */
		for (q = v; *q; q++) {
			if (*q == ':' && n % 2 == 0 && n > 0 &&
			    n < CONFIG_PIN_LEN && q[1] && q[1] != ':')
				continue;
			if (!isxdigit((unsigned char)*q) || n >= CONFIG_PIN_LEN)
				break;
			hex[n++] = tolower((unsigned char)*q);
		}
		if (*q || n != CONFIG_PIN_LEN)
			return fail(p, "invalid %s '%s' (SHA-256 of the certificate: 64 hex digits, bytes may be separated by ':')",
				    k->name, v);
		hex[n] = '\0';
		set_string(field, k->size, hex);
		return 0;
	}
	case KEY_RING_ALERT: {
		struct fxsd_port_config *port = base;
		struct config_ring_alert ra = { 0 };
		size_t n = 0;

		while (v[n] && !is_blank(v[n]))
			n++;
		if (n == 0 || n > CONFIG_ALERT_TOKEN_MAX)
			return fail(p, "invalid %s '%s' (TOKEN CADENCE: a token of 1-%d characters, then on,off ms pairs)",
				    k->name, v, CONFIG_ALERT_TOKEN_MAX);
		for (size_t i = 0; i < n; i++)
			if (!alert_token_char(v[i]))
				return fail(p, "invalid %s token '%.*s' (letters, digits and -._~!*'+%%:)",
					    k->name, (int)n, v);
		if (ring_alert_of(port, v, n))
			return fail(p, "duplicate %s token '%.*s'", k->name,
				    (int)n, v);
		if (port->n_ring_alerts == CONFIG_RING_ALERT_MAX)
			return fail(p, "too many %s lines (at most %d)",
				    k->name, CONFIG_RING_ALERT_MAX);
		memcpy(ra.token, v, n);
		if (!parse_cadence(v + n, ra.cadence_ms, &ra.n_pairs) ||
		    ra.n_pairs == 0)
			return fail(p, "invalid %s cadence '%s' (on,off ms pairs, at most %d; on %d-%d, off 0-%d)",
				    k->name, v + n, CONFIG_RING_MAX_PAIRS,
				    CONFIG_RING_ON_MIN_MS, CONFIG_RING_MAX_MS,
				    CONFIG_RING_MAX_MS);
		port->ring_alerts[port->n_ring_alerts++] = ra;
		return 0;
	}
	case KEY_STRING:
	case KEY_USER:
	case KEY_HOST:
	case KEY_ADDRESS:
	case KEY_NUMBER:
	case KEY_LISTEN:
	case KEY_PATH:
	case KEY_FORWARD:
	case KEY_SIP_URI:
	case KEY_DNS_SERVERS:
	case KEY_MENU_CODE:
		break;
	}

	/* The string types. */
	if (*v == '\0')
		return fail(p, "empty value for '%s'", k->name);
	if (strlen(v) >= k->size)
		return fail(p, "value of '%s' too long (max %zu characters)",
			    k->name, k->size - 1);
	switch (k->type) {
	case KEY_USER:
		if (!valid_user(v))
			return fail(p, "invalid %s '%s' (letters, digits, escapes and -_.!~*'()&=+$,;?/)",
				    k->name, v);
		break;
	case KEY_FORWARD:
		if (!config_forward_valid(v))
			return fail(p, "invalid %s '%s' (a number, or a sip:, sips: or tel: URI)",
				    k->name, v);
		break;
	case KEY_MENU_CODE:
		for (const char *q = v; *q; q++)
			if (!isdigit((unsigned char)*q) && *q != '*')
				return fail(p, "invalid %s '%s' (digits and *, at most %zu)",
					    k->name, v, k->size - 1);
		break;
	case KEY_NUMBER:
		for (const char *q = v; *q; q++)
			if (!isalnum((unsigned char)*q) &&
			    !strchr("*#+-._!~'()", *q))
				return fail(p, "invalid %s '%s' (digits, letters and *#+-._!~'())",
					    k->name, v);
		break;
	case KEY_SIP_URI:
		if (!valid_sip_uri(v))
			return fail(p, "invalid %s '%s' (sip:[user@]host[:port])",
				    k->name, v);
		break;
	case KEY_HOST:
		if (!valid_hostport(v))
			return fail(p, "invalid %s '%s' (host[:port], IPv6 as [address][:port])",
				    k->name, v);
		break;
	case KEY_LISTEN: {
		struct sockaddr_storage ss;
		socklen_t sl;

		if (config_listen_parse(v, &ss, &sl) < 0)
			return fail(p, "invalid %s '%s' (address:port, IPv6 as [address]:port)",
				    k->name, v);
		break;
	}
	case KEY_DNS_SERVERS:
		if (!valid_dns_servers(v))
			return fail(p, "invalid %s '%s' (address[:port], IPv6 as [address]:port, separated by commas)",
				    k->name, v);
		break;
	case KEY_PATH:
		if (*v != '/')
			return fail(p, "invalid %s '%s' (an absolute file name)",
				    k->name, v);
		break;
	case KEY_ADDRESS: {
		struct in6_addr a;
		int family;

		if (inet_pton(AF_INET, v, &a) == 1)
			family = AF_INET;
		else if (inet_pton(AF_INET6, v, &a) == 1)
			family = AF_INET6;
		else
			return fail(p, "invalid %s '%s' (IPv4 or IPv6 address)",
				    k->name, v);
		if (field == ((struct fxsd_global_config *)base)->nat_address)
			((struct fxsd_global_config *)base)->nat_family =
				family;
		break;
	}
	default:
		break;
	}
	set_string(field, k->size, v);
	return 0;
}

static int parse_assignment(struct parser *p, char *s)
{
	const struct key_desc *keys, *k = NULL;
	size_t n_keys, i;
	char *eq, *value = NULL, name[32];
	void *base;
	int r;

	eq = strchr(s, '=');
	if (!eq)
		return fail(p, "missing '='");
	*eq = '\0';
	trim_end(s);
	if (*s == '\0')
		return fail(p, "missing key before '='");
	if (p->section == SECTION_NONE)
		return fail(p, "key outside of a section");

	if (p->section == SECTION_GLOBAL) {
		keys = global_keys;
		n_keys = ELEMENTSOF(global_keys);
		base = &p->c->global;
	} else if (p->section == SECTION_METRICS) {
		keys = metrics_keys;
		n_keys = ELEMENTSOF(metrics_keys);
		base = &p->c->metrics;
	} else if (p->section == SECTION_PROVISIONING) {
		keys = provisioning_keys;
		n_keys = ELEMENTSOF(provisioning_keys);
		base = &p->c->provisioning;
	} else {
		keys = port_keys;
		n_keys = _PK_MAX;
		base = &p->c->ports[p->cur];
	}
	for (i = 0; i < n_keys; i++)
		if (strcmp(keys[i].name, s) == 0) {
			k = &keys[i];
			break;
		}
	if (!k) {
		section_name(p, name, sizeof(name));
		return fail(p, "unknown key '%s' in %s", s, name);
	}
	if ((p->seen & (1ull << i)) && !(k->flags & KEY_REPEAT))
		return fail(p, "duplicate key '%s'", k->name);

	r = parse_raw_value(p, skip_blank(eq + 1), &value);
	if (r < 0)
		return r;
	r = store_value(p, k, base, value);
	if (r < 0)
		return r;
	p->seen |= 1ull << i;
	return 0;
}

static int parse_line(struct parser *p, char *s)
{
	s = skip_blank(s);
	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[')
		return parse_header(p, s + 1);
	return parse_assignment(p, s);
}

static int compare_ports(const void *a, const void *b)
{
	const struct fxsd_port_config *x = a, *y = b;

	return (x->index > y->index) - (x->index < y->index);
}

/*
 * The port's star code table: the defaults its own lines do not replace
 * (none with "star_codes = none"), then the check that no code is a prefix
 * of another (a code must complete the moment it is dialled).
 */
static int resolve_star_codes(struct parser *p, struct fxsd_port_config *port)
{
	size_t i, j, n;

	for (i = 0; !port->star_codes_none && i < ELEMENTSOF(star_defaults);
	     i++) {
		for (j = 0; j < port->n_star_codes; j++)
			if (port->star_codes[j].line &&
			    strcmp(port->star_codes[j].code,
				   star_defaults[i].code) == 0)
				break;
		if (j < port->n_star_codes)
			continue;	/* replaced by the port's line */
		if (port->n_star_codes >= CONFIG_STAR_CODES_MAX)
			return fail_at(p, port->line, -EINVAL,
				       "[port %d] has too many star codes with the defaults (max %d; star_codes = none drops them)",
				       port->index, CONFIG_STAR_CODES_MAX);
		port->star_codes[port->n_star_codes++] = star_defaults[i];
	}
	for (i = 0; i < port->n_star_codes; i++)
		for (j = 0; j < port->n_star_codes; j++) {
			const struct config_star_code *a = &port->star_codes[i];
			const struct config_star_code *b = &port->star_codes[j];

			n = strlen(a->code);
			if (i == j || strncmp(a->code, b->code, n))
				continue;
			return fail_at(p, a->line ? a->line : b->line, -EINVAL,
				       "%sstar code %s is a prefix of %s%s%s",
				       a->line ? "" : "the default ", a->code,
				       b->line ? "" : "the default ", b->code,
				       a->line && b->line ? "" :
				       " (star_codes = none drops the defaults)");
		}
	return 0;
}

/*
 * Defaults that depend on other keys, once everything has been read, and
 * the rules across sections (a port's transport may come from [global]).
 */
static int resolve(struct parser *p)
{
	struct fxsd_config *c = p->c;
	size_t i;
	int r;

	for (i = 0; i < c->n_ports; i++) {
		struct fxsd_port_config *port = &c->ports[i];
		uint64_t seen = p->port_keys_seen[port->index];
		size_t k;

		for (k = 0; k < ELEMENTSOF(default_ring_alerts); k++)
			if (!ring_alert_of(port, default_ring_alerts[k].token,
					   strlen(default_ring_alerts[k].token)))
				port->ring_alerts[port->n_ring_alerts++] =
					default_ring_alerts[k];
		if (!(seen & (1ull << PK_AUTH_USER)))
			set_string(port->auth_user, sizeof(port->auth_user),
				   port->user);
		if (!(seen & (1ull << PK_REGISTRAR)))
			set_string(port->registrar, sizeof(port->registrar),
				   port->domain);
		if (!(seen & (1ull << PK_TONE_COUNTRY)))
			port->tone_country = c->global.tone_country;
		if (!(seen & (1ull << PK_MWI_SERVER)))
			set_string(port->mwi_server, sizeof(port->mwi_server),
				   port->registrar);
		if (!(seen & (1ull << PK_TRANSPORT)))
			port->transport = c->global.transport;
		if (!(seen & (1ull << PK_STUN_SERVER)))
			set_string(port->stun_server, sizeof(port->stun_server),
				   c->global.stun_server);
		if (port->transport != CONFIG_TRANSPORT_TLS &&
		    (port->tls_ca_file[0] || port->tls_pin[0] ||
		     port->tls_cert[0] || port->tls_key[0]))
			return fail_at(p, port->line, -EINVAL,
				       "[port %d] tls_* keys need transport = tls",
				       port->index);
		if (!port->tls_cert[0] != !port->tls_key[0])
			return fail_at(p, port->line, -EINVAL,
				       "[port %d] tls_cert and tls_key go together",
				       port->index);
		r = resolve_star_codes(p, port);
		if (r < 0)
			return r;
	}
	if (c->n_ports > 1)
		qsort(c->ports, c->n_ports, sizeof(*c->ports), compare_ports);
	return 0;
}

/* Parse the lines of one file into p->c. */
static int parse_lines(struct parser *p, const char *text, size_t size,
		       char *buf)
{
	const char *pos = text, *end = text + size;
	int r;

	while (pos < end) {
		const char *nl = memchr(pos, '\n', end - pos);
		size_t len = (nl ? nl : end) - pos;

		p->line++;
		if (len > 0 && pos[len - 1] == '\r')
			len--;
		if (len > CONFIG_LINE_MAX)
			return fail(p, "line too long (max %d characters)",
				    CONFIG_LINE_MAX);
		if (memchr(pos, '\0', len))
			return fail(p, "NUL byte in line");
		memcpy(buf, pos, len);
		buf[len] = '\0';
		r = parse_line(p, buf);
		if (r < 0)
			return r;
		pos = nl ? nl + 1 : end;
	}
	return close_section(p);
}

/* The base, then (if @profile) the profile over it: see config.h. */
static int parse_files(const char *text, size_t size, const char *path,
		       const char *profile, size_t profile_size,
		       const char *profile_path,
		       struct fxsd_config **ret_config, char *err,
		       size_t errlen)
{
	struct parser *p;
	char *buf = NULL;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!path)
		path = "<string>";

	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	p->path = path;
	p->err = err;
	p->errlen = errlen;
	buf = malloc(CONFIG_LINE_MAX + 1);
	p->c = calloc(1, sizeof(*p->c));
	if (!buf || !p->c)
		goto oom;
	p->c->path = strdup(path);
	if (!p->c->path)
		goto oom;
	global_init(&p->c->global);
	provisioning_init(&p->c->provisioning);

	r = parse_lines(p, text, size, buf);
	if (r < 0)
		goto fail;
	if (profile) {
		/* a new file: its own line numbers and repeat checks */
		p->path = profile_path ? profile_path : "<profile>";
		p->line = 0;
		p->in_profile = true;
		p->global_seen = p->metrics_seen = false;
		memset(p->port_seen, 0, sizeof(p->port_seen));
		r = parse_lines(p, profile, profile_size, buf);
		if (r < 0)
			goto fail;
	}
	r = resolve(p);
	if (r < 0)
		goto fail;

	*ret_config = p->c;
	free(buf);
	free(p);
	return 0;

oom:
	r = -ENOMEM;
	if (err && errlen)
		snprintf(err, errlen, "%s: out of memory", path);
fail:
	if (p)
		config_free(p->c);
	free(buf);
	free(p);
	return r;
}

static int parse_buffer(const char *text, size_t size, const char *path,
			struct fxsd_config **ret_config, char *err,
			size_t errlen)
{
	return parse_files(text, size, path, NULL, 0, NULL, ret_config, err,
			   errlen);
}

int config_parse_overlay(const char *base, size_t base_len,
			 const char *base_path, const char *profile,
			 size_t profile_len, const char *profile_path,
			 struct fxsd_config **ret_config, char *err,
			 size_t errlen)
{
	if (!base || !ret_config)
		return -EINVAL;
	return parse_files(base, base_len, base_path, profile, profile_len,
			   profile_path, ret_config, err, errlen);
}

int config_parse_string(const char *text, const char *path,
			struct fxsd_config **ret_config, char *err,
			size_t errlen)
{
	if (!text || !ret_config)
		return -EINVAL;
	return parse_buffer(text, strlen(text), path, ret_config, err, errlen);
}

int config_read_file(const char *path, char **ret_data, size_t *ret_size,
		     char *err, size_t errlen)
{
	char *data = NULL;
	size_t size = 0, alloc = 0;
	FILE *f;
	int r;

	if (!path || !ret_data || !ret_size)
		return -EINVAL;
	if (err && errlen)
		err[0] = '\0';

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path,
				 strerror(-r));
		return r;
	}
	for (;;) {
		size_t n;

		if (size == alloc) {
			char *nd;

			if (alloc > CONFIG_FILE_MAX) {
				r = -EFBIG;
				if (err && errlen)
					snprintf(err, errlen,
						 "%s: file too large (max %d bytes)",
						 path, CONFIG_FILE_MAX);
				goto out;
			}
			alloc = alloc ? 2 * alloc : 16384;
			nd = realloc(data, alloc + 1);
			if (!nd) {
				r = -ENOMEM;
				if (err && errlen)
					snprintf(err, errlen,
						 "%s: out of memory", path);
				goto out;
			}
			data = nd;
		}
		n = fread(data + size, 1, alloc - size, f);
		size += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		r = errno ? -errno : -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: read error: %s", path,
				 strerror(-r));
		goto out;
	}
	if (size > CONFIG_FILE_MAX) {
		r = -EFBIG;
		if (err && errlen)
			snprintf(err, errlen,
				 "%s: file too large (max %d bytes)", path,
				 CONFIG_FILE_MAX);
		goto out;
	}
	if (!data) {
		data = malloc(1);
		if (!data) {
			r = -ENOMEM;
			goto out;
		}
	}
	data[size] = '\0';
	*ret_data = data;
	*ret_size = size;
	data = NULL;
	r = 0;
out:
	free(data);
	fclose(f);
	return r;
}

int config_load(const char *path, struct fxsd_config **ret_config,
		char *err, size_t errlen)
{
	char *data;
	size_t size;
	int r;

	if (!path || !ret_config)
		return -EINVAL;
	r = config_read_file(path, &data, &size, err, errlen);
	if (r < 0)
		return r;
	r = parse_buffer(data, size, path, ret_config, err, errlen);
	free(data);
	return r;
}

struct fxsd_config *config_free(struct fxsd_config *c)
{
	if (!c)
		return NULL;
	free(c->ports);
	free(c->path);
	free(c);
	return NULL;
}

const struct fxsd_port_config *config_port(const struct fxsd_config *c,
					   int index)
{
	size_t i;

	if (!c)
		return NULL;
	for (i = 0; i < c->n_ports; i++)
		if (c->ports[i].index == index)
			return &c->ports[i];
	return NULL;
}

/* ---- dump ------------------------------------------------------------- */

static void dump_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void dump_key(FILE *f, const struct key_desc *k, const void *base)
{
	const char *field = (const char *)base + k->offset;
	unsigned i;

	switch (k->type) {
	case KEY_RING_ALERT: {
		const struct fxsd_port_config *port = base;
		unsigned j;

		for (j = 0; j < port->n_ring_alerts; j++) {
			fprintf(f, "%s = %s ", k->name, port->ring_alerts[j].token);
			for (i = 0; i < 2 * port->ring_alerts[j].n_pairs; i++)
				fprintf(f, "%s%u", i ? "," : "",
					port->ring_alerts[j].cadence_ms[i]);
			fputc('\n', f);
		}
		return;
	}
	case KEY_STAR_CODES:
		/* the effective table follows in full */
		fprintf(f, "%s = none\n", k->name);
		return;
	case KEY_STAR_CODE: {
		const struct fxsd_port_config *port = base;

		for (i = 0; i < port->n_star_codes; i++)
			fprintf(f, "%s = %s %s\n", k->name,
				port->star_codes[i].code,
				config_star_action_to_string(
					port->star_codes[i].action));
		return;
	}
	case KEY_PRIVACY_ID:
		fprintf(f, "%s = %s\n", k->name,
			config_privacy_identity_to_string(
				*(const enum config_privacy_identity *)field));
		return;
	case KEY_STRING:
	case KEY_USER:
	case KEY_HOST:
	case KEY_ADDRESS:
	case KEY_NUMBER:
	case KEY_LISTEN:
	case KEY_PATH:
	case KEY_PIN:
	case KEY_FORWARD:
	case KEY_SIP_URI:
	case KEY_DNS_SERVERS:
	case KEY_MENU_CODE:
		/* an empty voice_menu is "off", not the default */
		if (*field == '\0' && (k->flags & KEY_EMPTY_OK) &&
		    k->type != KEY_MENU_CODE)
			return;
		fprintf(f, "%s = ", k->name);
		dump_quoted(f, field);
		fputc('\n', f);
		return;
	case KEY_CADENCE: {
		const struct fxsd_port_config *port = base;

		if (port->n_ring_cadence_pairs == 0)
			return;
		fprintf(f, "%s = ", k->name);
		for (i = 0; i < 2 * port->n_ring_cadence_pairs; i++)
			fprintf(f, "%s%u", i ? "," : "",
				port->ring_cadence_ms[i]);
		fputc('\n', f);
		return;
	}
	case KEY_UINT:
	case KEY_EVEN:
		fprintf(f, "%s = %u\n", k->name, *(const unsigned *)field);
		return;
	case KEY_BOOL:
		fprintf(f, "%s = %s\n", k->name,
			*(const bool *)field ? "yes" : "no");
		return;
	case KEY_TRANSPORT:
		fprintf(f, "%s = %s\n", k->name,
			config_transport_to_string(
				*(const enum config_transport *)field));
		return;
	case KEY_TONE:
		fprintf(f, "%s = %s\n", k->name,
			config_tone_country_to_string(
				*(const enum config_tone_country *)field));
		return;
	case KEY_LOG_LEVEL:
		fprintf(f, "%s = %s\n", k->name,
			config_log_level_to_string(*(const int *)field));
		return;
	case KEY_DTMF_MODE:
		fprintf(f, "%s = %s\n", k->name,
			config_dtmf_mode_to_string(
				*(const enum config_dtmf_mode *)field));
		return;
	case KEY_SRTP:
		fprintf(f, "%s = %s\n", k->name,
			config_srtp_to_string(*(const enum config_srtp *)field));
		return;
	case KEY_FAX:
		fprintf(f, "%s = %s\n", k->name,
			config_fax_to_string(*(const enum config_fax *)field));
		return;
	case KEY_NAT:
		fprintf(f, "%s = %s\n", k->name,
			config_nat_to_string(*(const enum config_nat *)field));
		return;
	case KEY_KEEPALIVE:
		fprintf(f, "%s = %s\n", k->name,
			config_keepalive_to_string(
				*(const enum config_keepalive *)field));
		return;
	case KEY_CODECS: {
		const struct fxsd_port_config *port = base;

		fprintf(f, "%s = ", k->name);
		for (i = 0; i < port->n_codecs; i++)
			fprintf(f, "%s%s", i ? ", " : "",
				config_codec_to_string(port->codecs[i]));
		fputc('\n', f);
		return;
	}
	}
}

int config_dump(const struct fxsd_config *c, FILE *f)
{
	size_t i, j;

	if (!c || !f)
		return -EINVAL;
	fprintf(f, "# fxsd configuration (normalised)\n\n[global]\n");
	for (i = 0; i < ELEMENTSOF(global_keys); i++)
		dump_key(f, &global_keys[i], &c->global);
	if (c->metrics.listen[0]) {
		fprintf(f, "\n[metrics]\n");
		for (i = 0; i < ELEMENTSOF(metrics_keys); i++)
			dump_key(f, &metrics_keys[i], &c->metrics);
	}
	if (c->provisioning.line) {
		fprintf(f, "\n[provisioning]\n");
		for (i = 0; i < ELEMENTSOF(provisioning_keys); i++)
			dump_key(f, &provisioning_keys[i], &c->provisioning);
	}
	for (j = 0; j < c->n_ports; j++) {
		fprintf(f, "\n[port %d]\n", c->ports[j].index);
		for (i = 0; i < _PK_MAX; i++)
			dump_key(f, &port_keys[i], &c->ports[j]);
	}
	if (fflush(f) != 0 || ferror(f))
		return -EIO;
	return 0;
}
