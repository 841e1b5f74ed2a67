// SPDX-License-Identifier: GPL-2.0-only
/*
 * line.c - one FXS port: /dev/fxsN, the call state machine, the SIP
 * account, tones and G.711 audio.
 *
 * Events from the driver (hook, flash, pulse digits), from SIP (callbacks
 * of sip/) and from timers are queued as call events and stepped through
 * the pure machine one at a time; the Line carries the resulting actions
 * out.  The port's audio clock paces everything audible: each 20 ms frame
 * read from the phone goes to RTP while media flows, and the tone
 * generator, when it plays, writes one frame to the phone per frame read.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dsp/callerid.h"
#include "dsp/dtmf.h"
#include "dsp/echo.h"
#include "dsp/modem.h"
#include "dsp/rfc4733.h"
#include "dsp/tone.h"
#include "line/cidcw.h"
#include "line/digitmap.h"
#include "line/starcode.h"
#include "line/feature.h"
#include "line/line.h"
#include "line/menu.h"
#include "line/vqreport.h"
#include "log.h"
#include "media/mixer.h"
#include "media/rtp.h"
#include "media/sdp.h"
#include "media/srtp.h"
#include "media/t38gw.h"
#include "port/port.h"

#define LINE_QUEUE		32
#define LINE_FRAME		160	/* 20 ms at 8 kHz */
#define LINE_DIGITS_MAX		64
#define LINE_SDP_MAX		SDP_TEXT_MAX
#define LINE_VQ_BODY_MAX	2048	/* an RFC 6035 report's body */
#define FIRST_DIGIT_USEC	(15 * 1000000ULL)
#define TONE_USEC		(30 * 1000000ULL)
/* The confirmation of a star code: five stutter interruptions. */
#define CONFIRM_USEC		(1000 * 1000ULL)
#define HOWLER_USEC		(60 * 1000000ULL)
#define NO_ANSWER_USEC		(180 * 1000000ULL)
/* The voice menu waits this long after its last prompt for a key, then
 * the howler (the first-digit timer's action in the menu). */
#define MENU_IDLE_USEC		(30 * 1000000ULL)
/* A prompt file larger than this is not loaded (60 s of audio). */
#define PROMPT_BYTES_MAX	(60 * 8000 * 2)
#ifndef FXS_VERSION
#define FXS_VERSION		"0.1"	/* dkms.conf's PACKAGE_VERSION */
#endif
/* Far-end digits played to the phone: an INFO's Duration is kept within
 * these (default when it gives none); an RFC 4733 digit whose end never
 * comes stops after the longest. */
#define FAR_DTMF_MS_DEFAULT	160
#define FAR_DTMF_MS_MIN		40
#define FAR_DTMF_MS_MAX		5000
/* A digit recognised on the phone's audio while a far-end digit plays, or
 * up to this long after, and the same digit, is its echo from the line
 * (driver queues and hybrid: on the loopback board under emulation, over
 * 100 ms late), not a key. */
#define FAR_ECHO_FRAMES		(500 / 20)

struct line_event {
	enum call_event type;
	char digit;
	struct sip_call *call;	/* a reference, or NULL */
	char *sdp;		/* owned, or NULL */
	int status;
	struct sip_caller *who;	/* an INVITE's caller, owned, or NULL */
	char *replaces;		/* a REFER's Replaces, owned, or NULL */
	int feature;		/* a feature machine's own event (a timer
				 * of its), or -1 */
};

enum line_timer {
	TIMER_FIRST_DIGIT,
	TIMER_DIGITMAP,
	TIMER_TONE,
	TIMER_HOWLER,
	TIMER_NO_ANSWER,
	TIMER_OPEN_LOOP,
	TIMER_CALLER_ID,
	TIMER_RECALL,
	TIMER_MWI,
	TIMER_FORWARD,
	TIMER_WARM_LINE,
	TIMER_RING_HOLDOFF,
	_TIMER_MAX,
};

/* One call of the line: its SIP dialog and media. */
struct line_call {
	struct line *line;
	struct sip_call *call;	/* a reference, or NULL */
	char *remote_sdp;
	struct rtp_session *rtp;
	bool media;
	bool held;		/* we put it on hold (our offer sendonly) */
	bool three_way;		/* dialled with the other call on hold */
	bool no_cw;		/* *70: no call waiting in this call */
	unsigned refer_reports;	/* our REFER's progress reports so far */
	const char *codec;
	uint64_t sdp_version;
	uint64_t sdp_session;	/* o= sess-id, one per RTP session */
	char remote[2 * SIP_CALLER_FIELD_MAX + 8];
	struct sip_caller *who;	/* the caller of an incoming call, or NULL */
	const struct config_ring_alert *ring;	/* its distinctive ring (the
						 * Alert-Info's), or NULL */
	struct rfc4733_sender ev_tx;	/* digits the phone keyed, to the far end */
	unsigned ev_units;		/* telephone-event clock / 8 kHz (6 for
					 * telephone-event/48000, Opus) */
	enum config_dtmf_mode dtmf_tx;	/* how they go in this call: the port's
					 * dtmf_mode, in-band when the far end
					 * has no telephone-event */
	unsigned tx_frame;		/* samples per RTP audio packet */
	unsigned tx_pending;		/* of them, sent to rtp.c but held
					 * there for the packet (ptime > 20) */
	unsigned tx_ahead;		/* samples of padding sent ahead of the
					 * phone's clock */
	bool answered;			/* it went up (the metrics' histograms) */
	struct srtp_channel *srtp;	/* keys in use, NULL: plain RTP */
	struct sdp_crypto keys[_SDP_CRYPTO_MAX];	/* ours, per suite */
	bool have_keys;
	/* voice quality (RTCP XR, RFC 6035 reports) */
	bool xr;			/* the far end asked for VoIP Metrics */
	time_t media_start;		/* 0: no media yet */
	char media_addr[SDP_ADDRESS_MAX];	/* the remote's RTP */
	unsigned media_port;
	int media_pt;
	struct t38gw *t38;		/* T.38 in place of audio, or NULL */
	bool fax_seen;			/* FAX_DETECTED was raised (once) */
	bool t38_offered;		/* our T.38 re-INVITE awaits its answer */
};

struct line {
	sd_event *event;
	struct fxsd_global_config global;	/* copies: reload frees the old */
	char devnode[64];
	struct fxsd_port_config pc;
	int index;

	int fd;
	int pcm_fd;
	sd_event_source *fd_source;
	sd_event_source *pcm_source;

	struct sip_agent *agent;
	enum sip_reg_state reg_state;
	bool agent_started;

	enum call_state state;
	struct line_event queue[LINE_QUEUE];
	unsigned int q_head, q_len;
	bool stepping;
	sd_event_source *defer;	/* steps the queue from the event loop */

	struct digitmap *digitmap;
	char digits[LINE_DIGITS_MAX + 1];
	char number[DIGITMAP_NUMBER_MAX];
	bool digitmap_short;
	/* the dialled star code, for CALL_ACTION_STAR_CODE */
	enum config_star_action code_action;
	char code_number[DIGITMAP_NUMBER_MAX];
	/* per-call codes dialled for the next call (*67, *82, *70) */
	enum { NEXT_PRIVACY_PORT, NEXT_PRIVACY_ON, NEXT_PRIVACY_OFF } next_privacy;
	bool next_no_cw;

	sd_event_source *timers[_TIMER_MAX];

	struct line_call slot[2];
	struct line_call *cur;		/* the front call: the call machine's */
	struct line_call *other;	/* the call waiting or on hold */
	enum feature_state feat;
	enum feature_event feat_ev;	/* the one stepping */
	bool mixing;			/* the conference: both calls mixed */
	struct mixer_state mix;
	/* message waiting: what the last NOTIFY said, what the lamp shows */
	bool mwi_waiting;
	unsigned mwi_new, mwi_old;
	bool mwi_lamp;			/* the last visual MWI spill sent */
	bool mwi_known;			/* a spill was sent at all */
	struct line_services svc;	/* DND, forwarding (line.h) */
	unsigned ring_bursts;		/* bursts of this ring that ended */
	unsigned cid_burst;		/* the spill follows this burst: the
					 * one before the longest silence */
	bool caller_ringback;	/* stream ringback to the caller (183) */
	struct tonegen tone;
	struct tonegen caller_tone;
	struct tonegen cw_tone;		/* the call-waiting alert */
	struct cidcw cidcw;		/* caller ID on call waiting */
	int16_t *cw_sig;		/* its CAS, then its spill */
	size_t cw_fsk_len;		/* samples of the spill */
	bool cw_ahead;			/* the spill was queued ahead */
	bool dtmf_cidcw;		/* the digit sounding is the sequence's */
	enum tone_country country;
	char local_address[INET6_ADDRSTRLEN];

	int16_t *cid;		/* caller ID spill waiting for the first ring */
	size_t cid_len, cid_pos;
	bool cid_playing;
	bool cid_before_ring;		/* the spill goes before the first ring */
	enum {
		CID_IDLE,
		CID_ALERT,		/* line reversed, DT-AS next */
		CID_RING_NEXT,		/* spill done, the ring next */
	} cid_phase;
	bool writing;			/* audio is being written to the phone */
	bool skip_write;		/* drop the next frame to the phone */
	bool no_pcm_delay;		/* the driver has no FXS_IOC_PCM_DELAY */
	unsigned frames_dropped;	/* frames trimmed from the play queue */
	unsigned play_dry;		/* times it was found empty */
	bool play_was_dry;		/* at the last sample */
	/* the play queue's low-water mark (line_play_low()) */
	unsigned play_low;		/* samples, the lowest at a wake-up */
	unsigned play_window;		/* frames read in this window */
	unsigned play_last_low;		/* the last whole window's low-water
					 * mark, samples (UINT_MAX: none) */
	bool pcm_drop;			/* the driver has FXS_IOC_PCM_DROP */
	unsigned tone_seq, play_tone_seq;	/* tones started and stopped */
	bool tone_queued;		/* a tone is queued ahead (LINE_TONE_AHEAD) */
	unsigned digit_seq;		/* far-end digits started and stopped */
	unsigned digit_ahead_seq;	/* the one queued ahead */
	bool digit_queued;		/* a far-end digit is queued ahead */
	struct dtmf_detector dtmf;
	struct dtmf_gen dtmf_out;	/* digits the far end sent, to the phone */
	bool dtmf_oob;			/* the digit sounding goes out of band:
					 * its in-band copy is not sent */
	char far_digit;			/* the far end's last digit played ... */
	unsigned far_echo_left;		/* ... and frames its echo may still come */
	bool dtmf_echo;			/* the digit sounding is that echo */
	struct echo_canceller *ec;
	bool pcm_ref;			/* the driver gives the reference
					 * (FXS_PCM_MODE_REFERENCE) */
	bool ec_call;			/* the canceller was reset for the call */
	int16_t last_played[LINE_FRAME];	/* the reference of an older
						 * driver: the last frame written */
	struct echo_health echo;
	/* fax and modem signals in the current call, each way */
	struct modem_detector *modem_phone;	/* from the phone */
	struct modem_detector *modem_far;	/* from the far end */
	enum modem_tone data_tone;	/* the strongest so far: a data call */

	bool offhook;
	bool hook_read;			/* the hook the driver's events last
					 * said (queued, maybe not stepped) */
	bool hook_resync;		/* events were lost: read the hook
					 * once the queue is drained */
	struct line_counters counters;	/* the metrics endpoint's totals */
	char caller[2 * SIP_CALLER_FIELD_MAX + 8];	/* of the INVITE stepping */
	sd_event_source *test_ring;
	void (*notify)(struct line *l, void *ud);
	void *notify_ud;

	/* the voice menu and the unavailability announcement (menu.h) */
	int16_t *prompt_pcm[_PROMPT_MAX];	/* the port's language's */
	size_t prompt_len[_PROMPT_MAX];		/* samples; 0: missing */
	char prompt_lang[4];
	struct menu menu;
	struct menu_result say;		/* what plays, from say_i/say_pos */
	unsigned say_i;
	size_t say_pos;
	bool saying;
	int reg_status;			/* the last registration answer */
	bool reg_failed;		/* the last attempt failed (a retry
					 * may be registering) */
	int last_mos_x10;		/* the last answered call's, -1 none */
	unsigned xr_tick;		/* frames since the XR values were set */
	void (*check_sync)(struct line *l, void *ud);
	void *check_sync_ud;
};

static void line_notify(struct line *l)
{
	if (l->notify)
		l->notify(l, l->notify_ud);
}

static const char *line_state_name(struct line *l)
{
	return call_state_to_string(l->state);
}

static const char *line_call_id(struct line *l)
{
	return l->cur->call ? sip_call_id(l->cur->call) : NULL;
}

__attribute__((format(printf, 3, 4)))
static void line_log(struct line *l, int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_portv(prio, l->index, line_call_id(l), line_state_name(l), fmt, ap);
	va_end(ap);
}

/* A new INVITE of any kind (fsm_invite_event()'s events). */
static bool line_event_is_invite(enum call_event t)
{
	return t == CALL_EVENT_INVITE || t == CALL_EVENT_INVITE_UNUSABLE ||
	       t == CALL_EVENT_INVITE_ANONYMOUS ||
	       t == CALL_EVENT_INVITE_FORWARD_ALL ||
	       t == CALL_EVENT_INVITE_DND ||
	       t == CALL_EVENT_INVITE_DND_FORWARD ||
	       t == CALL_EVENT_INVITE_FORWARDABLE;
}

static const char *const forward_names[_LINE_FORWARD_MAX] = {
	[LINE_FORWARD_ALL] = "all",
	[LINE_FORWARD_BUSY] = "busy",
	[LINE_FORWARD_NO_ANSWER] = "no-answer",
};

const char *line_forward_to_string(enum line_forward kind)
{
	return (unsigned)kind < _LINE_FORWARD_MAX ? forward_names[kind] : NULL;
}

enum line_forward line_forward_from_string(const char *s)
{
	unsigned i;

	for (i = 0; s && i < _LINE_FORWARD_MAX; i++)
		if (!strcmp(forward_names[i], s))
			return (enum line_forward)i;
	return _LINE_FORWARD_INVALID;
}

static void line_process(struct line *l);

static struct line_event *line_queue(struct line *l, enum call_event type,
				     char digit, struct sip_call *call,
				     const char *sdp, int status)
{
	struct line_event *ev;

	if (l->q_len == LINE_QUEUE) {
		line_log(l, LOG_ERR, "event queue full, dropping %s",
			 call_event_to_string(type));
		return NULL;
	}
	ev = &l->queue[(l->q_head + l->q_len++) % LINE_QUEUE];
	*ev = (struct line_event){ .type = type, .digit = digit,
				   .status = status, .feature = -1 };
	ev->call = call ? sip_call_ref(call) : NULL;
	ev->sdp = sdp ? strdup(sdp) : NULL;
	/* Never step inside a SIP or driver callback: defer to the loop. */
	sd_event_source_set_enabled(l->defer, SD_EVENT_ONESHOT);
	return ev;
}

static int line_defer_run(sd_event_source *s, void *userdata)
{
	(void)s;
	line_process(userdata);
	return 0;
}

/* ---- timers ---- */

static const enum call_event timer_events[_TIMER_MAX] = {
	[TIMER_FIRST_DIGIT] = CALL_EVENT_TIMER_FIRST_DIGIT,
	[TIMER_TONE] = CALL_EVENT_TIMER_TONE,
	[TIMER_HOWLER] = CALL_EVENT_TIMER_HOWLER,
	[TIMER_NO_ANSWER] = CALL_EVENT_TIMER_NO_ANSWER,
	[TIMER_FORWARD] = CALL_EVENT_TIMER_FORWARD,
	[TIMER_WARM_LINE] = CALL_EVENT_TIMER_WARM_LINE,
	[TIMER_RING_HOLDOFF] = CALL_EVENT_TIMER_RING_HOLDOFF,
};

static void line_digitmap_timeout(struct line *l);
static void line_set_feed(struct line *l, enum port_feed feed);
static void line_cid_start(struct line *l);
static void line_ring(struct line *l, bool on);
static void line_mwi_spill(struct line *l);

static int line_timer_fired(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct line *l = userdata;
	unsigned int t;

	(void)usec;
	for (t = 0; t < _TIMER_MAX; t++)
		if (l->timers[t] == s)
			break;
	if (t == _TIMER_MAX)
		return 0;
	l->timers[t] = sd_event_source_unref(l->timers[t]);
	if (t == TIMER_DIGITMAP)
		line_digitmap_timeout(l);
	else if (t == TIMER_OPEN_LOOP)
		line_set_feed(l, PORT_FEED_FORWARD);
	else if (t == TIMER_CALLER_ID && l->cid_phase == CID_RING_NEXT) {
		l->cid_phase = CID_IDLE;
		if (l->state == CALL_STATE_RINGING && !l->offhook)
			line_ring(l, true);
	} else if (t == TIMER_CALLER_ID) {
		line_cid_start(l);
	} else if (t == TIMER_MWI) {
		line_mwi_spill(l);
	} else if (t == TIMER_RECALL) {
		struct line_event *ev = line_queue(l, CALL_EVENT_TIMER_TONE, 0,
						   NULL, NULL, 0);

		if (ev)
			ev->feature = FEATURE_EVENT_TIMER_RECALL;
	} else
		line_queue(l, timer_events[t], 0, NULL, NULL, 0);
	return 0;
}

static void line_timer_stop(struct line *l, enum line_timer t)
{
	if (l->timers[t]) {
		sd_event_source_set_enabled(l->timers[t], SD_EVENT_OFF);
		l->timers[t] = sd_event_source_unref(l->timers[t]);
	}
}

static void line_timer_start(struct line *l, enum line_timer t, uint64_t usec)
{
	int r;

	line_timer_stop(l, t);
	r = sd_event_add_time_relative(l->event, &l->timers[t], CLOCK_MONOTONIC,
				       usec, 10000, line_timer_fired, l);
	if (r < 0)
		line_log(l, LOG_ERR, "Failed to start a timer: %s", strerror(-r));
}

/* ---- device ---- */

static void line_set_feed(struct line *l, enum port_feed feed)
{
	if (l->fd >= 0 && port_set_feed(l->fd, feed) < 0)
		line_log(l, LOG_WARNING, "Failed to set the line feed: %m");
}

/* ---- caller ID (Type I, between the first and second ring) ---- */

static void line_cid_drop(struct line *l)
{
	bool was_playing = l->cid_playing || l->cid_phase == CID_ALERT;

	line_timer_stop(l, TIMER_CALLER_ID);
	free(l->cid);
	l->cid = NULL;
	l->cid_len = l->cid_pos = 0;
	l->cid_playing = false;
	l->cid_before_ring = false;
	l->cid_phase = CID_IDLE;
	if (was_playing)
		line_set_feed(l, PORT_FEED_FORWARD);
}

/* Bell 202 in the US and CN, V.23 (ETSI) in DE, FR and the UK. */
static enum callerid_std line_cid_std(const struct line *l)
{
	return l->country == TONE_COUNTRY_US || l->country == TONE_COUNTRY_CN ?
	       CALLERID_BELL202 : CALLERID_ETSI;
}

/* What the spill says of caller @c: the number (or why not), the name. */
static void line_cid_info(const struct sip_caller *c, struct callerid_info *ret)
{
	const char *who = c->asserted[0] ? c->asserted : c->from;
	const char *name = c->asserted_display_name[0] ?
			   c->asserted_display_name : c->display_name;
	struct callerid_info info = { .when = time(NULL) };
	size_t n, i;

	n = strcspn(who, "@");
	if (n >= sizeof(info.number))
		n = sizeof(info.number) - 1;
	memcpy(info.number, who, n);
	for (i = 0; i < n; i++)	/* "anonymous" and friends: private */
		if (!strchr("0123456789+*#", info.number[i]))
			break;
	if (!n || i < n) {
		info.number[0] = '\0';
		info.number_reason = n && !strncasecmp(who, "anonymous", 9) ?
				     CALLERID_REASON_PRIVATE :
				     CALLERID_REASON_UNAVAILABLE;
	}
	for (i = 0; name[i] && i + 1 < sizeof(info.name); i++)
		info.name[i] = name[i] >= 0x20 && name[i] < 0x7f ? name[i] : '?';
	if (!info.name[0])
		info.name_reason = info.number_reason == CALLERID_REASON_PRIVATE ?
				   CALLERID_REASON_PRIVATE :
				   CALLERID_REASON_UNAVAILABLE;
	*ret = info;
}

/*
 * The number (user part) and name of the caller, for the spill: Bell 202
 * after the first ring (US, CN); ETSI V.23 after the first ring (DE, FR);
 * in the UK (BT SIN 227, the ETSI option EN 300 659-1 with an idle-state
 * alert) before the first ring: line reversal, the dual-tone alert, then
 * the FSK, then normal polarity and the ring.
 */
static void line_cid_prepare(struct line *l, const struct sip_caller *c)
{
	enum callerid_std std = line_cid_std(l);
	bool before = l->country == TONE_COUNTRY_UK;
	size_t off = before ? CALLERID_DTAS_SAMPLES + CALLERID_DTAS_TO_FSK_MS * 8 : 0;
	struct callerid_info info;
	uint8_t msg[CALLERID_MSG_MAX];
	int len;

	line_cid_drop(l);
	line_cid_info(c, &info);
	len = callerid_message(std, true, &info, msg, sizeof(msg));
	if (len < 0) {
		line_log(l, LOG_WARNING, "No caller ID: %s", strerror(-len));
		return;
	}
	l->cid_len = off + callerid_samples_needed(std, len);
	l->cid = calloc(l->cid_len, sizeof(*l->cid));
	if (!l->cid || (before && callerid_dtas(l->cid, off) < 0) ||
	    callerid_modulate(std, msg, len, l->cid + off, l->cid_len - off) < 0) {
		line_cid_drop(l);
		return;
	}
	l->cid_before_ring = before;
	line_log(l, LOG_DEBUG, "Caller ID %s \"%s\" (%s, %zu ms) %s",
		 info.number[0] ? info.number : "withheld", info.name,
		 callerid_std_to_string(std), l->cid_len / 8,
		 before ? "before the first ring, with line reversal and DT-AS" :
		 "after the first ring");
}

/* 600 ms after the first ring, or 150 ms after the line reversal before
 * it: on-hook transmission, then the spill. */
static void line_cid_start(struct line *l)
{
	if (!l->cid || l->state != CALL_STATE_RINGING || l->offhook)
		return;
	line_set_feed(l, l->cid_before_ring ? PORT_FEED_OHT_REVERSE :
			 PORT_FEED_OHT);
	l->cid_phase = CID_IDLE;
	l->cid_pos = 0;
	l->cid_playing = true;
	line_log(l, LOG_DEBUG, "Caller ID spill starts");
}

/*
 * The visual message-waiting indicator: on hook, no ring (callerid.h):
 * Bell, on-hook transmission feed, 100 ms, then the MDMF spill; ETSI (and
 * the UK), line reversal, 150 ms, the DT-AS, 60 ms, then the spill.  It
 * goes when the lamp should change and the line is idle and on hook (the
 * MWI timer tries again a second after the line next becomes so); the
 * normal feed comes back after it as after caller ID.
 */
#define LINE_MWI_RETRY_USEC	(1000 * 1000ULL)

static void line_mwi_spill(struct line *l)
{
	bool etsi = l->country != TONE_COUNTRY_US && l->country != TONE_COUNTRY_CN;
	enum callerid_std std = etsi ? CALLERID_ETSI : CALLERID_BELL202;
	size_t off = etsi ? (150 + CALLERID_DTAS_MS + 60) * 8 : 100 * 8;
	uint8_t msg[CALLERID_MSG_MAX];
	int len;

	if (l->fd < 0 || (l->mwi_known && l->mwi_lamp == l->mwi_waiting))
		return;
	if (l->state != CALL_STATE_IDLE || l->offhook ||
	    l->feat != FEATURE_STATE_SINGLE || l->cid || l->cid_playing) {
		line_timer_start(l, TIMER_MWI, LINE_MWI_RETRY_USEC);
		return;
	}
	len = callerid_mwi_message(std, true, l->mwi_waiting, time(NULL), msg,
				   sizeof(msg));
	if (len < 0)
		return;
	l->cid_len = off + callerid_samples_needed(std, len);
	l->cid = calloc(l->cid_len, sizeof(*l->cid));
	if (!l->cid || (etsi && callerid_dtas(l->cid + 150 * 8,
					      CALLERID_DTAS_SAMPLES) < 0) ||
	    callerid_modulate(std, msg, len, l->cid + off, l->cid_len - off) < 0) {
		line_cid_drop(l);
		return;
	}
	l->mwi_lamp = l->mwi_waiting;
	l->mwi_known = true;
	l->cid_before_ring = false;
	l->cid_pos = 0;
	l->cid_playing = true;
	line_set_feed(l, etsi ? PORT_FEED_OHT_REVERSE : PORT_FEED_OHT);
	line_log(l, LOG_INFO, "Message-waiting lamp %s (%s spill, %zu ms)",
		 l->mwi_waiting ? "on" : "off", callerid_std_to_string(std),
		 l->cid_len / 8);
}

static void line_ring(struct line *l, bool on)
{
	uint32_t cad[16];
	unsigned int i, pairs = 0;

	if (l->fd < 0)
		return;
	if (!on) {
		line_cid_drop(l);
		port_ring_stop(l->fd);
		return;
	}
	if (l->cid && l->cid_before_ring && !l->cid_playing &&
	    l->cid_phase == CID_IDLE) {
		/* the alert first: reversal, DT-AS after 150 ms (>= 100) */
		line_set_feed(l, PORT_FEED_OHT_REVERSE);
		l->cid_phase = CID_ALERT;
		line_timer_start(l, TIMER_CALLER_ID,
				 CALLERID_REVERSAL_TO_DTAS_MS * 1000);
		return;
	}
	if (l->cur->ring) {
		/* distinctive ring: the Alert-Info's cadence */
		pairs = l->cur->ring->n_pairs;
		for (i = 0; i < 2 * pairs; i++)
			cad[i] = l->cur->ring->cadence_ms[i];
	} else if (l->pc.n_ring_cadence_pairs) {
		pairs = l->pc.n_ring_cadence_pairs;
		for (i = 0; i < 2 * pairs; i++)
			cad[i] = l->pc.ring_cadence_ms[i];
	} else if (tone_ring_cadence(l->country, cad, &pairs) < 0) {
		pairs = 1;
		cad[0] = 2000;
		cad[1] = 4000;
	}
	/* caller ID goes in the longest silence (the first of equals):
	 * after the first burst of 2000,4000, after the second of a
	 * distinctive ring's 800,400,800,4000 */
	l->ring_bursts = 0;
	l->cid_burst = 0;
	for (i = 1; i < pairs; i++)
		if (cad[2 * i + 1] > cad[2 * l->cid_burst + 1])
			l->cid_burst = i;
	if (port_ring_start(l->fd, cad, pairs) < 0)
		line_log(l, LOG_WARNING, "Failed to ring: %m");
}

/* ---- media ---- */

/* The far-end digit playing stops now (what is queued of it goes). */
static void line_digit_stop(struct line *l)
{
	if (dtmf_gen_active(&l->dtmf_out))
		l->digit_seq++;
	dtmf_gen_stop(&l->dtmf_out);
}

/* A digit from the far end, to the phone for @ms (it replaces the far
 * end's audio meanwhile; the detector rests, its echo is no key). */
static void line_play_digit(struct line *l, char digit, unsigned ms)
{
	if (dtmf_gen_start(&l->dtmf_out, digit, -10, 0, ms * 8) < 0) {
		line_log(l, LOG_DEBUG, "Far-end DTMF event '%c' not played",
			 digit ? digit : '?');
		return;
	}
	l->far_digit = digit;
	l->far_echo_left = FAR_ECHO_FRAMES;
	l->digit_seq++;
}

/* A digit from the far end (RFC 4733): play it to the phone (only the
 * front call's: a held call is not heard). */
static void line_rtp_event(void *userdata, unsigned event, bool end,
			   unsigned duration)
{
	struct line_call *c = userdata;
	struct line *l = c->line;

	if (c != l->cur)
		return;

	if (end) {
		line_digit_stop(l);
		line_log(l, LOG_INFO, "Far-end DTMF %c (%u ms)", (char)event,
			 duration / (8 * c->ev_units));
	} else {
		line_play_digit(l, (char)event, FAR_DTMF_MS_MAX);
	}
}

/* Received audio goes through the RTP session's jitter buffer and is
 * pulled once per frame of the phone's clock (rtp_session_playout). */
static const struct rtp_callbacks line_rtp_callbacks = {
	.on_event = line_rtp_event,
};

/*
 * Our address for SDP: the NAT address, else the public address the SIP
 * agent learnt (received/rport, STUN; unless nat = off), else the one
 * towards the outbound proxy or registrar, whose address the SIP agent
 * looked up (no lookup here: it would block the loop).
 */
static void line_pick_address(struct line *l)
{
	if (l->global.nat_address[0]) {
		snprintf(l->local_address, sizeof(l->local_address), "%s",
			 l->global.nat_address);
		return;
	}
	if (sip_agent_media_address(l->agent, l->local_address,
				    sizeof(l->local_address)) < 0)
		snprintf(l->local_address, sizeof(l->local_address),
			 "127.0.0.1");
}

/* The port's SRTP policy in sdp.h's terms. */
static enum sdp_srtp line_srtp_policy(const struct line *l)
{
	switch (l->pc.srtp) {
	case CONFIG_SRTP_REQUIRED:
		return SDP_SRTP_REQUIRED;
	case CONFIG_SRTP_OPTIONAL:
		return SDP_SRTP_OPTIONAL;
	default:
		return SDP_SRTP_OFF;
	}
}

/* New keys of our own for call @c (every suite), from the CSPRNG. */
static int line_srtp_keygen(struct line *l, struct line_call *c)
{
	int r = 0;

	c->have_keys = false;
	for (int i = 0; i < _SDP_CRYPTO_MAX && r >= 0; i++)
		r = srtp_channel_keygen(i, &c->keys[i]);
	if (r < 0) {
		explicit_bzero(c->keys, sizeof(c->keys));
		line_log(l, LOG_ERR, "Failed to draw SRTP keys: %s",
			 strerror(-r));
		return r;
	}
	c->have_keys = true;
	return 0;
}

/*
 * Encrypt call @c's media as the remote SDP @m says (or stop encrypting):
 * its key for receiving, ours of the same suite for sending.  A key that
 * did not change keeps its direction's state.  Negative: no media.
 */
static int line_call_srtp(struct line *l, struct line_call *c,
			  const struct sdp_media *m)
{
	enum sdp_srtp policy = line_srtp_policy(l);
	int r;

	r = sdp_srtp_check(m, policy);
	if (r < 0) {
		line_log(l, LOG_WARNING, "The remote SDP has no SRTP key we can use (srtp = %s): no media",
			 config_srtp_to_string(l->pc.srtp));
		return r;
	}
	if (policy == SDP_SRTP_OFF || !m->secure) {
		if (c->srtp)
			line_log(l, LOG_NOTICE, "Media in the clear from now on (the remote SDP has no key)");
		rtp_session_set_srtp(c->rtp, NULL);
		c->srtp = srtp_channel_free(c->srtp);
		return 0;
	}
	if (!c->have_keys)
		return -ENOKEY;
	if (!c->srtp) {
		r = srtp_channel_new(&c->srtp);
		if (r < 0)
			goto fail;
	}
	r = srtp_channel_set_rx(c->srtp, &m->crypto);
	if (r >= 0)
		r = srtp_channel_set_tx(c->srtp, &c->keys[m->crypto.suite]);
	if (r < 0)
		goto fail;
	rtp_session_set_srtp(c->rtp, c->srtp);
	line_log(l, LOG_INFO, "Media encrypted: SRTP %s",
		 sdp_crypto_suite_to_string(m->crypto.suite));
	return 0;
fail:
	line_log(l, LOG_ERR, "Failed to set up SRTP: %s", strerror(-r));
	rtp_session_set_srtp(c->rtp, NULL);
	c->srtp = srtp_channel_free(c->srtp);
	return r;
}

/*
 * A new offer in call @c's session: when it changes the remote's key (of
 * the suite our answer would take), ours change too (RFC 4568 7.1.4);
 * else they stay.
 */
static struct sdp_local line_sdp_codecs(const struct line *l,
					const struct line_call *c);

static void line_srtp_offer(struct line *l, struct line_call *c,
			    const char *offer)
{
	struct sdp_local codecs = line_sdp_codecs(l, c);
	struct sdp_media m;

	if (!c->srtp || !offer || sdp_parse_codecs(offer, &codecs, &m) < 0 ||
	    !m.secure ||
	    srtp_channel_rx_is(c->srtp, &m.crypto))
		return;
	line_log(l, LOG_INFO, "The far end changed its SRTP key: ours change too");
	(void)line_srtp_keygen(l, c);
}

static int line_rtp_open(struct line *l, struct line_call *c)
{
	int r;

	if (c->rtp)
		return 0;
	if (line_srtp_policy(l) != SDP_SRTP_OFF) {
		r = line_srtp_keygen(l, c);
		if (r < 0)
			return r;
	}
	c->ev_units = 1;
	rfc4733_sender_init(&c->ev_tx, LINE_FRAME);
	c->dtmf_tx = l->pc.dtmf_mode;
	l->dtmf_oob = l->dtmf_echo = false;
	c->tx_frame = LINE_FRAME;
	c->tx_pending = c->tx_ahead = 0;
	line_digit_stop(l);
	c->sdp_session = (uint64_t)time(NULL);
	r = rtp_session_new(l->event, NULL, l->global.rtp_port_min,
			    l->global.rtp_port_max, &line_rtp_callbacks, c,
			    &c->rtp);
	if (r < 0)
		line_log(l, LOG_ERR, "Failed to open an RTP port: %s", strerror(-r));
	else
		rtp_session_set_symmetric(c->rtp, l->global.symmetric_rtp);
	return r;
}

_Static_assert((int)CONFIG_CODEC_PCMU == (int)CODEC_PCMU &&
	       (int)CONFIG_CODEC_PCMA == (int)CODEC_PCMA &&
	       (int)CONFIG_CODEC_OPUS == (int)CODEC_OPUS &&
	       (int)CONFIG_CODEC_G722 == (int)CODEC_G722 &&
	       (int)CONFIG_CODEC_G729 == (int)CODEC_G729 &&
	       (int)_CONFIG_CODEC_MAX == (int)_CODEC_MAX,
	       "config.h's codecs are media/codec.h's");
_Static_assert(_CODEC_MAX <= SDP_CODECS_MAX, "sdp_local holds every codec");

/* The codec in use by its SDP name (line_call.codec), PCMU when none. */
static int line_codec_id(const char *name)
{
	int c;

	for (c = 0; name && c < _CODEC_MAX; c++)
		if (strcmp(name, codec_rtp_name(c)) == 0)
			return c;
	return CODEC_PCMU;
}

/* What chooses the codec of a remote SDP for call @c (NULL: a new call):
 * the port's codecs, the call's codec kept. */
static struct sdp_local line_sdp_codecs(const struct line *l,
					const struct line_call *c)
{
	return (struct sdp_local){
		.codecs = (const int *)l->pc.codecs,
		.n_codecs = l->pc.n_codecs,
		.g729_annexb = true,
		.rtcp_xr = l->pc.rtcp_xr,
		.keep_codec = c && c->codec,
		.codec = line_codec_id(c ? c->codec : NULL),
	};
}

static int line_call_sdp(struct line *l, struct line_call *c,
			 struct sdp_local *ret)
{
	int r = line_rtp_open(l, c);

	if (r < 0)
		return r;
	line_pick_address(l);
	*ret = (struct sdp_local){
		.address = l->local_address,
		.rtp_port = rtp_session_local_port(c->rtp),
		.session_id = c->sdp_session,
		.session_version = ++c->sdp_version,
		.ptime = 20,
		.direction = SDP_SENDRECV,
		.codecs = (const int *)l->pc.codecs,
		.n_codecs = l->pc.n_codecs,
		.g729_annexb = true,
		.rtcp_xr = l->pc.rtcp_xr,
		.srtp = line_srtp_policy(l),
		.keys = c->have_keys ? c->keys : NULL,
		/* a re-offer keeps the suite in use (GCM is offered only so) */
		.prefer = srtp_channel_tx_suite(c->srtp),
	};
	return 0;
}

/* Our SDP for the front call. */
static int line_local_sdp(struct line *l, struct sdp_local *ret)
{
	return line_call_sdp(l, l->cur, ret);
}

/* RERL (RFC 3611 4.7.4): the hybrid's loss and the canceller's
 * enhancement over the call, RTCP_XR_UNAVAIL before far-end speech. */
static int line_rerl(const struct line *l)
{
	if (!l->ec_call || !l->echo.far_frames)
		return RTCP_XR_UNAVAIL;
	return (int)lround(l->echo.erl_db + l->echo.erle_db);
}

/* The XR VoIP Metrics block of call @c's RTCP: its values now, or off
 * when the far end did not ask for it. */
static void line_xr_update(struct line *l, struct line_call *c)
{
	struct rtcp_xr_voip m;

	if (!c->rtp)
		return;
	if (!c->xr) {
		rtp_session_set_xr(c->rtp, NULL);
		return;
	}
	rtp_session_xr_fill(c->rtp, &m);
	if (c == l->cur)
		m.rerl = line_rerl(l);
	rtp_session_set_xr(c->rtp, &m);
}

/*
 * The telephone-events' RTP clock (RFC 4733 durations count it): 8 kHz,
 * or 48 kHz for telephone-event/48000 (with Opus, RFC 7587).  The sender
 * takes it for its next event.
 */
static void line_call_event_clock(struct line_call *c,
				  const struct sdp_media *m)
{
	unsigned units = m->te_clock > CODEC_RATE ? m->te_clock / CODEC_RATE : 1;

	if (units == c->ev_units || rfc4733_sender_busy(&c->ev_tx))
		return;
	c->ev_units = units;
	rfc4733_sender_init(&c->ev_tx, LINE_FRAME * units);
}

/* Media as the remote's SDP @m says: where to, the codec under its
 * payload type, and whether we send (the remote receives). */
static void line_media_apply(struct line *l, const struct sdp_media *m)
{
	bool send = sdp_direction_receives(m->direction);
	bool null_addr = strcmp(m->address, "0.0.0.0") == 0 ||
			 strcmp(m->address, "::") == 0;
	int r = 0;

	if (line_call_srtp(l, l->cur, m) < 0)
		return;

	/* c=0.0.0.0 (RFC 2543 hold) names no peer: keep the one we have */
	if (!null_addr || !l->cur->media)
		r = rtp_session_set_remote_codec(l->cur->rtp, m->address,
						 m->port, m->codec, m->pt,
						 &m->params, m->te_pt,
						 m->ptime);
	if (r < 0) {
		line_log(l, LOG_WARNING, "Failed to set the RTP peer: %s",
			 strerror(-r));
		return;
	}
	if (l->cur->t38 && !rtp_session_is_udptl(l->cur->rtp)) {
		l->cur->t38 = t38gw_free(l->cur->t38);
		line_log(l, LOG_NOTICE, "T.38 ended: audio again");
	}
	rtp_session_set_sending(l->cur->rtp, send && !null_addr);
	if (!l->ec_call) {
		/* the canceller's figures are per call, and so is data */
		echo_canceller_reset(l->ec);
		echo_canceller_health(l->ec, &l->echo);
		modem_detector_reset(l->modem_phone);
		modem_detector_reset(l->modem_far);
		l->data_tone = MODEM_TONE_NONE;
		l->ec_call = true;
	}
	l->cur->media = true;
	l->cur->codec = codec_rtp_name(m->codec);
	if (!null_addr) {
		snprintf(l->cur->media_addr, sizeof(l->cur->media_addr), "%s",
			 m->address);
		l->cur->media_port = m->port;
	}
	l->cur->media_pt = m->pt;
	if (!l->cur->media_start)
		l->cur->media_start = time(NULL);
	l->cur->xr = l->pc.rtcp_xr && m->xr_voip;
	line_xr_update(l, l->cur);
	line_log(l, LOG_INFO, "Media %s:%u %s (PT %d) ptime %u, %s", m->address,
		 m->port, l->cur->codec, m->pt, m->ptime,
		 send && !null_addr ? "sending" : "not sending (hold)");
	/* rtp.c drops a partial packet when the ptime changes */
	if (m->ptime * 8 != l->cur->tx_frame)
		l->cur->tx_pending = 0;
	l->cur->tx_frame = m->ptime * 8;
	l->cur->dtmf_tx = l->pc.dtmf_mode;
	line_call_event_clock(l->cur, m);
	if (l->cur->dtmf_tx == CONFIG_DTMF_RFC4733 && m->te_pt < 0) {
		l->cur->dtmf_tx = CONFIG_DTMF_INBAND;
		line_log(l, LOG_DEBUG, "The far end has no telephone-event: keyed DTMF goes in-band");
	}
}

static void line_media_start(struct line *l, const char *sdp)
{
	struct sdp_local loc;
	struct sdp_media m;
	int r;

	if (!sdp || !l->cur->rtp) {
		line_log(l, LOG_INFO, "No SDP answer yet: media waits for it (the ACK's, after a late offer)");
		return;
	}
	loc = line_sdp_codecs(l, l->cur);
	r = sdp_parse_codecs(sdp, &loc, &m);
	if (r < 0) {
		line_log(l, LOG_WARNING, "Bad remote SDP: %s", strerror(-r));
		return;
	}
	line_media_apply(l, &m);
}

/* Why an offer cannot be answered, as a Warning code (RFC 3261 20.43). */
static int sdp_warning(int err, const char **ret_text)
{
	switch (err) {
	case -ENOMEDIUM:
		*ret_text = "Media type not available";
		return 304;
	case -EPROTONOSUPPORT:
		*ret_text = "Incompatible media format";
		return 305;
	case -ENOKEY:
		*ret_text = "Incompatible transport protocol (SRTP)";
		return 302;
	default:
		*ret_text = "Malformed SDP";
		return 399;
	}
}

/* A new offer in the call's dialog (re-INVITE, UPDATE): answer it with
 * our codec kept and apply it to the media. */
static void line_answer_offer(struct line *l, struct line_event *ev)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	struct sdp_media m;
	const char *text;
	int r, w;

	if (!ev->call)
		return;
	if (ev->call != l->cur->call || !ev->sdp) {
		sip_call_reject_offer(ev->call, 488, 399, "Not this port's call");
		return;
	}
	r = line_local_sdp(l, &loc);
	if (r < 0) {
		sip_call_reject_offer(ev->call, 500, 0, NULL);
		return;
	}
	loc.keep_codec = l->cur->codec != NULL;
	loc.codec = line_codec_id(l->cur->codec);
	line_srtp_offer(l, l->cur, ev->sdp);
	r = sdp_build_answer(ev->sdp, &loc, sdp, sizeof(sdp), &m);
	if (r < 0) {
		w = sdp_warning(r, &text);
		line_log(l, LOG_NOTICE, "Offer in the call refused (%s): 488",
			 text);
		sip_call_reject_offer(ev->call, 488, w, text);
		return;
	}
	r = sip_call_answer_offer(ev->call, sdp);
	if (r < 0) {
		line_log(l, LOG_WARNING, "Failed to answer an offer: %s",
			 strerror(-r));
		return;
	}
	free(l->cur->remote_sdp);
	l->cur->remote_sdp = strdup(ev->sdp);
	line_media_apply(l, &m);
}

static void line_t38_send(void *opaque, const uint8_t *pkt, size_t len)
{
	struct line_call *c = opaque;

	(void)rtp_session_send_udptl(c->rtp, pkt, len);
}

static void line_t38_received(void *opaque, const uint8_t *buf, size_t len)
{
	struct line_call *c = opaque;

	if (c->t38)
		(void)t38gw_from_far(c->t38, buf, len);
}

/* The call's media to the T.38 gateway, UDPTL to @img (its @t38 what the
 * session runs with; @max_datagram the far end's T38FaxMaxDatagram).
 * Returns 0, or a negative errno and nothing changed. */
static int line_t38_start(struct line *l, const struct sdp_image *img,
			  unsigned max_datagram, const char *who)
{
	struct t38gw_config gc;
	struct t38gw *g = NULL;
	int r;

	if (l->cur->t38)
		/* a new offer while T.38 runs (a session refresh, a new
		 * address): the fax in progress goes on through the same
		 * gateway */
		return rtp_session_set_udptl(l->cur->rtp, img->address,
					     img->port, line_t38_received,
					     l->cur);
	t38gw_config_default(&gc);
	gc.version = img->t38.version;
	gc.max_bitrate = img->t38.max_bitrate;
	gc.local_tcf = img->t38.rate == SDP_T38_LOCAL_TCF;
	gc.max_datagram = max_datagram;
	if (img->t38.ec == SDP_T38_EC_NONE)
		gc.redundancy = 0;
	r = t38gw_new(&gc, line_t38_send, l->cur, &g);
	if (r < 0)
		return r;
	r = rtp_session_set_udptl(l->cur->rtp, img->address, img->port,
				  line_t38_received, l->cur);
	if (r < 0) {
		t38gw_free(g);
		return r;
	}
	l->cur->t38 = g;
	line_log(l, LOG_NOTICE, "T.38 %s: the fax goes over UDPTL to %s port %u (version %u, %u bit/s, %s)",
		 who, img->address, img->port, gc.version, gc.max_bitrate,
		 gc.redundancy ? "redundancy" : "no error correction");
	return 0;
}

/* The far end's T.38 offer (fax = t38): answered on the port the audio
 * used, and the phone's audio goes to the T.38 gateway from now on. */
static void line_answer_t38(struct line *l, struct line_event *ev)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	struct sdp_image offer, agreed;
	struct sdp_t38 ours;
	const char *text;
	int r, w;

	if (!ev->call)
		return;
	if (ev->call != l->cur->call || !ev->sdp || !l->cur->rtp) {
		sip_call_reject_offer(ev->call, 488, 399, "Not this port's call");
		return;
	}
	r = line_local_sdp(l, &loc);
	if (r < 0) {
		sip_call_reject_offer(ev->call, 500, 0, NULL);
		return;
	}
	sdp_t38_default(&ours);
	r = sdp_parse_t38(ev->sdp, &offer);
	if (r >= 0)
		r = sdp_build_t38_answer(ev->sdp, &loc, &ours, sdp, sizeof(sdp),
					 &agreed);
	if (r < 0) {
		w = sdp_warning(r, &text);
		line_log(l, LOG_NOTICE, "T.38 offer refused (%s): 488", text);
		sip_call_reject_offer(ev->call, 488, w, text);
		return;
	}
	r = sip_call_answer_offer(ev->call, sdp);
	if (r >= 0)
		r = line_t38_start(l, &agreed, offer.t38.max_datagram,
				   "from the far end");
	if (r < 0) {
		line_log(l, LOG_WARNING, "Failed to answer a T.38 offer: %s",
			 strerror(-r));
		return;
	}
	free(l->cur->remote_sdp);
	l->cur->remote_sdp = strdup(ev->sdp);
}

/* A fax heard in the call (fax = t38): our T.38 offer in a re-INVITE; the
 * audio goes on until the answer (line_on_reinvite()). */
static void line_offer_t38(struct line *l)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	struct sdp_t38 ours;
	int r;

	if (!l->cur->call || !l->cur->rtp || l->cur->t38 ||
	    l->cur->t38_offered)
		return;
	sdp_t38_default(&ours);
	r = line_local_sdp(l, &loc);
	if (r >= 0)
		r = sdp_build_t38_offer(&loc, &ours, sdp, sizeof(sdp));
	if (r >= 0)
		r = sip_call_reinvite(l->cur->call, sdp);
	if (r < 0) {
		line_log(l, LOG_WARNING, "Failed to offer T.38: %s; the fax goes on over G.711",
			 strerror(-r));
		return;
	}
	l->cur->t38_offered = true;
	line_log(l, LOG_NOTICE, "Fax: T.38 offered (re-INVITE)");
}

/* The 2xx to our T.38 offer: its answer's T.38 stream. */
static void line_t38_accepted(struct line *l, const struct line_event *ev)
{
	struct sdp_image img;
	int r;

	if (ev->call != l->cur->call || !l->cur->rtp)
		return;
	r = ev->sdp ? sdp_parse_t38(ev->sdp, &img) : -ENOMEDIUM;
	if (r >= 0)
		r = line_t38_start(l, &img, img.t38.max_datagram,
				   "accepted by the far end");
	if (r < 0) {
		line_log(l, LOG_WARNING, "The answer to our T.38 offer cannot be used (%s): the fax goes on over G.711",
			 strerror(-r));
		return;
	}
	free(l->cur->remote_sdp);
	l->cur->remote_sdp = strdup(ev->sdp);
}

static void line_media_stop(struct line *l)
{
	l->cur->media = false;
	l->caller_ringback = false;
	tonegen_stop(&l->caller_tone);
	line_digit_stop(l);
	l->dtmf_oob = l->dtmf_echo = false;
}

/* The journal keeps how the echo canceller did in the call just ended. */
static void line_echo_report(struct line *l)
{
	const struct echo_health *h = &l->echo;

	if (!l->ec_call)
		return;
	l->ec_call = false;
	echo_canceller_health(l->ec, &l->echo);
	if (!h->far_frames) {
		line_log(l, LOG_INFO, "Echo canceller: no far-end speech measured (reference from %s)",
			 l->pcm_ref ? "the driver" : "fxsd's writes");
		return;
	}
	line_log(l, h->divergences ? LOG_WARNING : LOG_INFO,
		 "Echo canceller: ERLE %.1f dB over the call (%.1f dB the last second, linear %.1f dB), echo delay %s%.1f ms, %s (%u times); %.1f s of far-end speech; reference from %s",
		 h->erle_db, h->erle_recent_db, h->linear_erle_db,
		 h->delay_ms < 0 ? "unknown " : "", h->delay_ms < 0 ? 0 : h->delay_ms,
		 h->diverged ? "diverged" : h->divergences ? "recovered from divergence" : "never diverged",
		 h->divergences, h->far_frames * LINE_FRAME / 8000.0,
		 l->pcm_ref ? "the driver" : "fxsd's writes");
}

/* The metrics: a call set up (or not), a call ended. */
static void line_count(struct line *l, enum call_direction d,
		       enum call_result r)
{
	l->counters.calls[d][r]++;
}

static void line_count_step(struct line *l, enum call_state from,
			    const struct line_event *ev)
{
	enum call_state to = l->state;
	enum call_result r;

	if ((from != CALL_STATE_TRYING && from != CALL_STATE_RINGBACK &&
	     from != CALL_STATE_EARLY && from != CALL_STATE_RINGING) ||
	    to == CALL_STATE_TRYING || to == CALL_STATE_RINGBACK ||
	    to == CALL_STATE_EARLY || to == from)
		return;
	if (to == CALL_STATE_INCALL) {
		r = CALL_RESULT_ANSWERED;
		l->cur->answered = true;
	} else if (to == CALL_STATE_BUSY) {
		r = CALL_RESULT_BUSY;
	} else if (ev->type == CALL_EVENT_TIMER_NO_ANSWER) {
		r = CALL_RESULT_NO_ANSWER;
	} else if (ev->type == CALL_EVENT_ONHOOK ||
		   ev->type == CALL_EVENT_CANCEL ||
		   (from == CALL_STATE_RINGING && ev->type == CALL_EVENT_BYE)) {
		r = CALL_RESULT_CANCELLED;
	} else {
		r = CALL_RESULT_FAILED;
	}
	line_count(l, from == CALL_STATE_RINGING ? CALL_DIR_INCOMING :
		   CALL_DIR_OUTGOING, r);
}

static void line_count_end(struct line *l, bool ec_call)
{
	struct line_counters *k = &l->counters;
	struct rtp_stats st;

	if (!l->cur->rtp || !l->cur->answered)
		return;
	l->cur->answered = false;
	rtp_session_get_stats(l->cur->rtp, &st);
	line_log(l, LOG_INFO, "Call quality: MOS %.3f, jitter %.1f ms, jitter buffer %.1f ms, %lld of %llu packets lost",
		 st.mos, st.jitter_ms, st.jitter_buffer_ms, (long long)st.lost,
		 (unsigned long long)st.expected);
	k->rtp_sent += st.packets_sent;
	k->rtp_received += st.packets_received;
	k->rtp_lost += st.lost > 0 ? (uint64_t)st.lost : 0;
	call_hist_observe(&k->mos, call_mos_bounds,
			  sizeof(call_mos_bounds) / sizeof(double), st.mos);
	l->last_mos_x10 = (int)(st.mos * 10 + 0.5);
	call_hist_observe(&k->jitter, call_jitter_bounds,
			  sizeof(call_jitter_bounds) / sizeof(double),
			  st.jitter_ms);
	if (ec_call && l->echo.far_frames)
		call_hist_observe(&k->erle, call_erle_bounds,
				  sizeof(call_erle_bounds) / sizeof(double),
				  l->echo.erle_db);
}

/* Forget call @c: its dialog (transactions still running are left to
 * the SIP layer), its media and what it was told. */
static void line_slot_clear(struct line_call *c)
{
	c->remote[0] = '\0';
	c->codec = NULL;
	c->media = false;
	c->held = false;
	c->no_cw = false;
	c->t38 = t38gw_free(c->t38);
	c->fax_seen = false;
	c->t38_offered = false;
	c->rtp = rtp_session_free(c->rtp);
	c->srtp = srtp_channel_free(c->srtp);
	explicit_bzero(c->keys, sizeof(c->keys));
	c->have_keys = false;
	c->call = sip_call_unref(c->call);
	free(c->remote_sdp);
	c->remote_sdp = NULL;
	free(c->who);
	c->who = NULL;
	c->ring = NULL;
	c->sdp_version = 0;
	c->answered = false;
	c->xr = false;
	c->media_start = 0;
	c->media_addr[0] = '\0';
	c->media_port = 0;
}

/*
 * A fax or modem signal (@t, heard from the phone or the far end) in the
 * current call makes it a data call (ITU-T G.164/G.165, V.152's
 * voiceband data): the residual echo suppressor and its comfort noise
 * off, the playout buffer at a fixed delay without concealment; the echo
 * canceller itself off only for the phase-reversed answer tone (a V.32
 * and faster modem cancels its own echo; a fax and V.22 rely on ours).
 * It all lasts until the call ends (line_data_end()).
 */
static void line_data_signal(struct line *l, enum modem_tone t, bool phone)
{
	bool was_data = l->data_tone != MODEM_TONE_NONE;
	bool ec_off = modem_tone_disables_ec(t) &&
		      !modem_tone_disables_ec(l->data_tone);

	if ((t == MODEM_TONE_CNG || t == MODEM_TONE_V21) &&
	    l->pc.fax == CONFIG_FAX_T38 && !l->cur->fax_seen && !l->cur->t38) {
		l->cur->fax_seen = true;
		line_queue(l, CALL_EVENT_FAX_DETECTED, 0, l->cur->call, NULL, 0);
	}
	if (t <= l->data_tone)
		return;
	l->data_tone = t;
	if (!was_data) {
		echo_canceller_set_suppress(l->ec, false);
		rtp_session_set_data(l->cur->rtp, true);
	}
	if (ec_off)
		echo_canceller_set_bypass(l->ec, true);
	line_log(l, LOG_NOTICE, "%s from the %s: %s%s",
		 modem_tone_to_string(t), phone ? "phone" : "far end",
		 was_data ? "still a data call" :
		 "a data call (echo suppressor, comfort noise and concealment off, fixed jitter buffer)",
		 ec_off ? "; the echo canceller off" : "");
}

/* The call ended: voice settings again for the next one. */
static void line_data_end(struct line *l)
{
	if (l->data_tone == MODEM_TONE_NONE)
		return;
	line_log(l, LOG_INFO, "Data call (%s) ended: echo canceller, suppressor and adaptive jitter buffer back",
		 modem_tone_to_string(l->data_tone));
	l->data_tone = MODEM_TONE_NONE;
	echo_canceller_set_bypass(l->ec, false);
	echo_canceller_set_suppress(l->ec, true);
	if (l->cur->rtp)
		rtp_session_set_data(l->cur->rtp, false);
	modem_detector_reset(l->modem_phone);
	modem_detector_reset(l->modem_far);
}

/*
 * The voice quality report of the call ending (RFC 6035 CallTerm) to the
 * port's collector: answered calls with media only.
 */
static void line_vq_report(struct line *l, struct line_call *c)
{
	char body[LINE_VQ_BODY_MAX], dialog[400], group[40];
	struct sip_call_ids ids;
	struct rtcp_xr_voip m;
	struct rtp_stats st;
	struct vq_report r;
	bool out;
	int n;

	if (!l->pc.vq_collector[0] || !c->rtp || !c->answered || !c->call ||
	    !c->media_start)
		return;
	rtp_session_xr_fill(c->rtp, &m);
	rtp_session_get_stats(c->rtp, &st);
	sip_call_get_ids(c->call, &ids);
	out = sip_call_is_outgoing(c->call);
	snprintf(dialog, sizeof(dialog), "%s;to-tag=%s;from-tag=%s",
		 sip_call_id(c->call), out ? ids.remote_tag : ids.local_tag,
		 out ? ids.local_tag : ids.remote_tag);
	snprintf(group, sizeof(group), "fxsd-port%d", l->pc.index);
	r = (struct vq_report){
		.call_id = sip_call_id(c->call),
		.local_id = ids.local_uri,
		.remote_id = ids.remote_uri,
		.orig_id = out ? ids.local_uri : ids.remote_uri,
		.local_group = group,
		.local_ip = l->local_address,
		.local_port = rtp_session_local_port(c->rtp),
		.local_ssrc = st.ssrc,
		.remote_ip = c->media_addr,
		.remote_port = c->media_port,
		.remote_ssrc = st.remote_ssrc,
		.start = c->media_start,
		.stop = time(NULL),
		.pt = (unsigned)(c->media_pt < 0 ? 0 : c->media_pt),
		.pd = c->codec ? c->codec : "PCMU",
		.sr = codec_clock(line_codec_id(c->codec)),
		.fd = c->tx_frame / 8,
		.fpp = 1,
		.pps = c->tx_frame ? 8000 / c->tx_frame : 0,
		.plc = m.plc,
		.jba = m.jba,
		.jbn = m.jb_nominal,
		.jbm = m.jb_max,
		.jbx = m.jb_abs_max,
		.nlr = st.loss_percent,
		.jdr = st.expected ? 100.0 * (double)(st.late + st.duplicates) /
				     (double)st.expected : 0,
		.bld = m.burst_density * 100.0 / 256.0,
		.bd = m.burst_duration,
		.gld = m.gap_density * 100.0 / 256.0,
		.gd = m.gap_duration,
		.gmin = m.gmin,
		.rtd = m.round_trip_delay,
		.esd = m.end_system_delay,
		.sowd = (unsigned)lround(st.delay_ms < 0 ? 0 : st.delay_ms),
		.iaj = (unsigned)lround(st.jitter_ms),
		.maj = (unsigned)lround(st.jitter_ms),
		.sl = m.signal_level,
		.nl = m.noise_level,
		.rerl = c == l->cur ? line_rerl(l) : RTCP_XR_UNAVAIL,
		.rlq = m.r_factor,
		.rcq = m.r_factor,
		.moslq = st.mos,
		.moscq = st.mos,
		.dialog_id = dialog,
	};
	n = vq_report_build(&r, body, sizeof(body));
	if (n < 0) {
		line_log(l, LOG_WARNING, "Voice quality report not built: %s",
			 strerror(-n));
		return;
	}
	(void)sip_agent_publish_vq(l->agent, body);	/* it logs */
}

static void line_call_clear(struct line *l)
{
	bool ec_call = l->ec_call;

	line_data_end(l);
	line_echo_report(l);
	line_vq_report(l, l->cur);
	line_count_end(l, ec_call);
	line_media_stop(l);
	line_slot_clear(l->cur);
}

/* Audio to the phone; a full driver queue drops it (it plays 512 ms). */
static void line_write_audio(struct line *l, const int16_t *buf, size_t len)
{
	if (write(l->pcm_fd, buf, len) < 0 && errno != EAGAIN)
		line_log(l, LOG_DEBUG, "Failed to write audio: %m");
}

/* Audio to the far end, 160 samples; rtp.c holds what does not fill a
 * packet yet (ptime above 20 ms). */
static void line_call_rtp_send(struct line_call *c, const int16_t *frame)
{
	if (rtp_session_send(c->rtp, frame, LINE_FRAME) != -ENOTCONN &&
	    c->tx_frame)
		c->tx_pending = (c->tx_pending + LINE_FRAME) % c->tx_frame;
}

static void line_rtp_send(struct line *l, const int16_t *frame)
{
	line_call_rtp_send(l->cur, frame);
}

/*
 * Telephone-events are about to replace the audio: the piece of it rtp.c
 * holds for an unfinished packet (the digit's leading edge, with a ptime
 * above 20 ms) goes now, padded with silence, not after the events.
 */
static void line_rtp_flush(struct line *l)
{
	static const int16_t silence[RTP_PTIME_MAX * 8];
	unsigned pad;

	if (!l->cur->tx_pending || l->cur->tx_pending >= l->cur->tx_frame)
		return;
	pad = l->cur->tx_frame - l->cur->tx_pending;
	if (rtp_session_send(l->cur->rtp, silence, pad) != -ENOTCONN)
		l->cur->tx_ahead += pad;
	l->cur->tx_pending = 0;
}

/*
 * One frame of the phone's audio to the far end.  While a keyed digit is
 * sent as telephone-events (RFC 4733, end packet three times) they replace
 * the audio; while one is sent in SIP INFO, or the far end's own digit
 * comes back from the line, its tone is replaced by silence.  Either way
 * the tone goes out only until the detector has recognised it (see
 * line_dtmf_event).
 */
static void line_send_frame(struct line *l, const int16_t *frame)
{
	static const int16_t silence[LINE_FRAME];
	struct rfc4733_packet pk[RFC4733_POLL_MAX];
	unsigned take;
	int i, n;

	if (!rfc4733_sender_busy(&l->cur->ev_tx)) {
		line_rtp_send(l, l->dtmf_oob || l->dtmf_echo ? silence : frame);
		return;
	}
	n = rfc4733_sender_poll(&l->cur->ev_tx, pk);
	for (i = 0; i < n; i++)
		if (rtp_session_send_event(l->cur->rtp, pk[i].payload,
					   sizeof(pk[i].payload), pk[i].timestamp,
					   pk[i].marker) == -EOPNOTSUPP) {
			/* No telephone-event after all: in-band. */
			line_log(l, LOG_DEBUG, "The far end takes no telephone-event: keyed DTMF goes in-band");
			l->cur->dtmf_tx = CONFIG_DTMF_INBAND;
			l->dtmf_oob = false;
			rfc4733_sender_init(&l->cur->ev_tx,
					    LINE_FRAME * l->cur->ev_units);
			line_rtp_send(l, frame);
			return;
		}
	/* the audio clock runs on, less the padding sent ahead of it */
	take = l->cur->tx_ahead < LINE_FRAME ? l->cur->tx_ahead : LINE_FRAME;
	l->cur->tx_ahead -= take;
	rtp_session_skip(l->cur->rtp, LINE_FRAME - take);
}

/*
 * Late wake-ups of fxsd and a board whose clock ticks in bursts both make
 * the driver's play queue run dry: it plays silence in place of audio
 * that is written later, so the queue and the delay to the earpiece grow
 * by that much, and stay grown.  For the far end's voice the delay is
 * what matters: a frame of it is dropped as soon as the queue holds more
 * than the cushion and the frame (with the driver's reference the echo
 * canceller does not mind either way; without it, the depth is also
 * where the canceller expects the echo).  Letting the queue follow the
 * wake-ups instead, like a jitter buffer, was tried: under emulation the
 * board's ticks come in bursts, the low-water mark stays near zero while
 * each burst leaves the queue that deep, and the voice was 0.5-0.9 s late.
 * Locally made signals (tones, caller ID) are never dropped: they are
 * queued ahead instead (line_cid_ahead(), line_tone_ahead()).
 *
 * The queue's low-water mark (its depth before each frame fxsd writes)
 * over LINE_PLAY_WINDOW frames and the times it ran dry are kept for
 * fxsctl (play_low_ms, play_underruns).
 */
#define LINE_PLAY_WINDOW	100	/* 2 s */

static void line_play_reset(struct line *l)
{
	l->play_low = l->play_last_low = UINT_MAX;
	l->play_window = 0;
}

/* What the play queue holds, in samples; false with an older driver. */
static bool line_play_queued(struct line *l, int fd, unsigned *play)
{
	if (l->no_pcm_delay)
		return false;
	if (port_pcm_delay(fd, play) < 0) {
		l->no_pcm_delay = true;	/* an older driver */
		return false;
	}
	return true;
}

/* a frame was read: the depth left of the queue is a low-water sample */
static void line_play_low(struct line *l, int fd)
{
	unsigned play;

	if (!l->pcm_ref || !l->writing || !line_play_queued(l, fd, &play))
		return;
	if (play < l->play_low)
		l->play_low = play;
	if (!play && !l->play_was_dry)
		l->play_dry++;	/* it ran dry: silence played mid-audio */
	l->play_was_dry = !play;
}

/* a frame was read: a window ends now and then */
static void line_play_window(struct line *l)
{
	if (++l->play_window < LINE_PLAY_WINDOW)
		return;
	l->play_last_low = l->play_low;
	l->play_low = UINT_MAX;
	l->play_window = 0;
}

/* After a frame of the far end's audio was written: see above. */
static void line_pcm_delay_check(struct line *l, int fd)
{
	unsigned play, need = (l->pc.play_cushion_frames + 1) * LINE_FRAME;

	if (!line_play_queued(l, fd, &play) || play <= need + LINE_FRAME / 2)
		return;
	l->skip_write = true;
	l->frames_dropped++;
	if (l->frames_dropped == 1 || l->frames_dropped % 50 == 0)
		line_log(l, LOG_INFO,
			 "Audio to the phone was late: the play queue held %u ms more than it needed, a frame dropped (%u so far)",
			 (play - need) / 8, l->frames_dropped);
}

/*
 * Caller ID is a single burst of data: a late wake-up of fxsd in its
 * middle (the driver plays silence) spoils the whole message.  So the
 * spill's first frame takes LINE_CID_AHEAD more with it into the driver's
 * queue, and the frame-per-frame feed keeps that much ahead; its start is
 * not delayed by it.
 */
#define LINE_CID_AHEAD		10	/* frames: 200 ms */

/* The next frame of the caller ID spill. */
static void line_cid_fill(struct line *l, int16_t *out)
{
	size_t k, left = l->cid_len - l->cid_pos;
	unsigned queued_ms = 120, play;
	bool before;

	for (k = 0; k < LINE_FRAME; k++)
		out[k] = k < left ? l->cid[l->cid_pos + k] : 0;
	l->cid_pos += left < LINE_FRAME ? left : LINE_FRAME;
	if (l->cid_pos < l->cid_len)
		return;
	/* Back to the normal feed once the spill, this frame and what is
	 * still queued in the driver, has been played. */
	if (line_play_queued(l, l->pcm_fd, &play))
		queued_ms = (play + LINE_FRAME) / 8 + 60;
	before = l->cid_before_ring;
	l->cid_playing = false;
	line_cid_drop(l);
	line_timer_start(l, TIMER_OPEN_LOOP, queued_ms * 1000ULL);
	if (before) {
		/* normal polarity, then the ring (>= 200 ms after the FSK) */
		l->cid_phase = CID_RING_NEXT;
		line_timer_start(l, TIMER_CALLER_ID,
				 (queued_ms + CALLERID_FSK_TO_FIRST_RING_MS) * 1000ULL);
	}
}

static void line_cid_ahead(struct line *l)
{
	int16_t f[LINE_FRAME];
	unsigned k;

	for (k = 0; k < LINE_CID_AHEAD && l->cid_playing; k++) {
		line_cid_fill(l, f);
		line_write_audio(l, f, sizeof(f));
	}
}

/*
 * A tone is local too: its start is as prompt as any audio's, and
 * LINE_TONE_AHEAD frames of it go into the driver's queue with its first,
 * so that a late wake-up of fxsd does not cut a gap into its cadence.  It
 * ends on time all the same: when the line moves on (another tone, the far
 * end's audio, silence), what is queued of it is dropped
 * (FXS_IOC_PCM_DROP).  Without that ioctl, tones are not queued ahead.
 */
#define LINE_TONE_AHEAD		10	/* frames: 200 ms */

enum play_src { PLAY_NONE, PLAY_TONE, PLAY_DIGIT, PLAY_OTHER };

/*
 * A far-end digit is queued ahead like a tone (a gap cut into it by a late
 * wake-up makes two digits of one, or none): LINE_TONE_AHEAD frames go
 * with its first; when it is stopped (the RFC 4733 end) or replaced, what
 * is queued of it is dropped, so it ends on time; one of a known length
 * (SIP INFO) plays its queue out.
 */
static void line_digit_ahead(struct line *l)
{
	int16_t f[LINE_FRAME];
	unsigned k;

	for (k = 0; k < LINE_TONE_AHEAD && dtmf_gen_active(&l->dtmf_out); k++) {
		dtmf_gen_fill(&l->dtmf_out, f, LINE_FRAME);
		line_write_audio(l, f, sizeof(f));
	}
	l->digit_ahead_seq = l->digit_seq;
	l->digit_queued = true;
}

static void line_tone_ahead(struct line *l)
{
	int16_t f[LINE_FRAME];
	unsigned k;

	for (k = 0; k < LINE_TONE_AHEAD && tonegen_active(&l->tone); k++) {
		tonegen_fill(&l->tone, f, LINE_FRAME);
		line_write_audio(l, f, sizeof(f));
	}
	l->tone_queued = true;
}

/*
 * The audio to the phone comes from @src now.  A tone stopped or replaced
 * (line_tone(), line_tone_stop()) ends now: what is queued of it goes.  A
 * tone that ended by itself (a cadence played once) plays its queue out.
 */
static void line_play_source(struct line *l, int fd, enum play_src src)
{
	if (l->tone_queued && l->tone_seq != l->play_tone_seq &&
	    !port_pcm_drop(fd))
		l->writing = false;	/* a cushion again */
	if (src != PLAY_TONE || l->tone_seq != l->play_tone_seq)
		l->tone_queued = false;
	l->play_tone_seq = l->tone_seq;
	if (l->digit_queued &&
	    (src != PLAY_DIGIT || l->digit_seq != l->digit_ahead_seq)) {
		if (l->digit_seq != l->digit_ahead_seq && !port_pcm_drop(fd))
			l->writing = false;	/* a cushion again */
		l->digit_queued = false;
	}
}

/*
 * Transfer the other (held) call to the front call's party: blind, to
 * the number dialled; attended, to the party with Replaces of the front
 * call's dialog (the party's address: the number dialled, or the caller's
 * address when the front call came in).
 */
static void line_refer(struct line *l, bool attended)
{
	struct line_call *o = l->other, *c = l->cur;
	char target[SIP_CALLER_FIELD_MAX + 8];
	int r;

	if (!o->call)
		return;
	if (c->who && c->who->from[0])
		snprintf(target, sizeof(target), "sip:%s", c->who->from);
	else
		snprintf(target, sizeof(target), "%s", l->number);
	o->refer_reports = 0;
	r = sip_call_refer(o->call, target, attended ? c->call : NULL);
	line_log(l, r < 0 ? LOG_WARNING : LOG_INFO, "%s transfer of %s to %s%s%s",
		 attended ? "Attended" : "Blind", o->remote, target,
		 r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	if (r < 0) {
		struct line_event *ev = line_queue(l, CALL_EVENT_TIMER_TONE, 0,
						   o->call, NULL, r);

		if (ev)
			ev->feature = FEATURE_EVENT_REFER_FAILED;
	}
}

/* The far end of the front call transferred us (REFER): the target is
 * called as the other call; the phone talks on meanwhile. */
static void line_transferee_invite(struct line *l, struct line_event *ev)
{
	struct line_call *o = l->other;
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	int r;

	if (!ev->sdp)
		return;
	line_slot_clear(o);
	r = line_call_sdp(l, o, &loc);
	if (r >= 0)
		r = sdp_build_offer(&loc, sdp, sizeof(sdp));
	if (r >= 0)
		r = sip_call_invite_replaces(l->agent, ev->sdp, sdp, ev->replaces,
					     NULL, &o->call);
	line_log(l, r < 0 ? LOG_WARNING : LOG_INFO,
		 "Transferred by %s to %s%s%s%s", l->cur->remote, ev->sdp,
		 ev->replaces ? " (replacing a call there)" : "",
		 r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
	if (r < 0) {
		struct line_event *fail;

		line_slot_clear(o);
		fail = line_queue(l, CALL_EVENT_FAIL_OTHER, 0, NULL, NULL, 503);
		if (fail)
			fail->feature = FEATURE_EVENT_OTHER_ENDED;
		return;
	}
	sip_call_set_userdata(o->call, l);
	snprintf(o->remote, sizeof(o->remote), "%s", ev->sdp);
}

/* The call-waiting tone's next frame replaces @out while it sounds: the
 * far party is muted for its 300 ms or so, so the tone is heard clearly
 * over a loud talker. */
static void line_cw_fill(struct tonegen *g, int16_t *out)
{
	int16_t t[LINE_FRAME];
	int k;

	tonegen_fill(g, t, LINE_FRAME);
	for (k = 0; k < LINE_FRAME && !t[k]; k++)
		;
	if (k < LINE_FRAME)
		memcpy(out, t, sizeof(t));
}

/*
 * Caller ID on call waiting (off hook, Type II; line/cidcw.h has the
 * sequence and its timing, dsp/callerid.h the signals): with the
 * call-waiting tone the waiting caller's spill is rendered once, with the
 * CAS before it, and the sequencer plays them around the phone's
 * acknowledgement.  The tone generator runs on beneath it, so that its
 * cadence repeats after the sequence (the repeats are the tone alone).
 */
static void line_cidcw_end(struct line *l)
{
	cidcw_stop(&l->cidcw);
	free(l->cw_sig);
	l->cw_sig = NULL;
	l->cw_fsk_len = 0;
	l->cw_ahead = false;
}

static void line_cidcw_start(struct line *l, const struct sip_caller *c)
{
	enum callerid_std std = line_cid_std(l);
	struct callerid_info info;
	uint8_t msg[CALLERID_MSG_MAX];
	int len, sas = tone_first_group_ms(l->country, TONE_CALL_WAITING);

	line_cidcw_end(l);
	(void)cidcw_result(&l->cidcw);
	if (!l->pc.callerid_waiting || !c || sas <= 0)
		return;
	line_cid_info(c, &info);
	len = callerid_message(std, true, &info, msg, sizeof(msg));
	if (len < 0) {
		line_log(l, LOG_WARNING, "No caller ID on call waiting: %s",
			 strerror(-len));
		return;
	}
	l->cw_fsk_len = callerid_offhook_samples_needed(std, len);
	l->cw_sig = calloc(CALLERID_CAS_SAMPLES + l->cw_fsk_len,
			   sizeof(*l->cw_sig));
	if (!l->cw_sig ||
	    callerid_cas(l->cw_sig, CALLERID_CAS_SAMPLES) < 0 ||
	    callerid_modulate_offhook(std, msg, len, l->cw_sig + CALLERID_CAS_SAMPLES,
				      l->cw_fsk_len) < 0 ||
	    cidcw_start(&l->cidcw, std, sas * 8, l->cw_fsk_len) < 0) {
		line_cidcw_end(l);
		return;
	}
	line_log(l, LOG_INFO, "Caller ID on call waiting %s \"%s\" (%s): %d ms tone, the alerting signal, then the spill (%zu ms) if the phone acknowledges",
		 info.number[0] ? info.number : "withheld", info.name,
		 callerid_std_to_string(std), sas, l->cw_fsk_len / 8);
}

/* The sequence's next frame in place of @out; the spill's first frame
 * takes LINE_CID_AHEAD more with it into the driver's queue, as on hook
 * (a late wake-up must not cut a gap into the FSK). */
static void line_cidcw_fill(struct line *l, int16_t *out, bool *ahead)
{
	int16_t t[LINE_FRAME];
	enum cidcw_result r;

	tonegen_fill(&l->cw_tone, t, LINE_FRAME);
	cidcw_fill(&l->cidcw, out, LINE_FRAME, t, l->cw_sig,
		   l->cw_sig ? l->cw_sig + CALLERID_CAS_SAMPLES : NULL);
	*ahead = l->cidcw.phase == CIDCW_FSK && !l->cw_ahead;
	if (*ahead)
		l->cw_ahead = true;
	r = cidcw_result(&l->cidcw);
	if (r == CIDCW_RESULT_NONE)
		return;
	if (r == CIDCW_RESULT_SENT)
		line_log(l, LOG_INFO, "Caller ID on call waiting: spill sent after the phone's acknowledgement %c",
			 l->cidcw.ack);
	else if (r == CIDCW_RESULT_NO_ACK)
		line_log(l, LOG_INFO, "Caller ID on call waiting: no acknowledgement, no spill (not a Type II phone)");
	else
		line_log(l, LOG_INFO, "Caller ID on call waiting: no spill (%s)",
			 cidcw_result_to_string(r));
	free(l->cw_sig);
	l->cw_sig = NULL;
}

static void line_cidcw_ahead(struct line *l)
{
	int16_t f[LINE_FRAME];
	unsigned k;
	bool more;

	for (k = 0; k < LINE_CID_AHEAD && l->cidcw.phase == CIDCW_FSK; k++) {
		line_cidcw_fill(l, f, &more);
		line_write_audio(l, f, sizeof(f));
	}
}

/* ---- spoken prompts: the voice menu and the announcement ---- */

/* The prompt set of the port's tone country: US and UK English, DE
 * German, FR French, CN Chinese; a prompt missing there is taken from
 * English (the only set the build makes). */
static const char *line_prompt_lang(const struct line *l)
{
	switch (l->pc.tone_country) {
	case CONFIG_TONE_DE:
		return "de";
	case CONFIG_TONE_FR:
		return "fr";
	case CONFIG_TONE_CN:
		return "zh";
	default:
		return "en";
	}
}

/* Read one prompt file (8 kHz 16-bit little-endian mono) into @ret. */
static int line_prompt_read(const char *path, int16_t **ret, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	int16_t *buf;
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) < 0) {
		fclose(f);
		return -EIO;
	}
	if (n == 0 || n > PROMPT_BYTES_MAX || n % 2) {
		fclose(f);
		return -EINVAL;
	}
	buf = malloc((size_t)n);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	for (long i = 0; i < n / 2; i++)	/* little-endian on disk */
		buf[i] = (int16_t)le16toh((uint16_t)buf[i]);
	*ret = buf;
	*ret_len = (size_t)n / 2;
	return 0;
}

/* Load every prompt once, when the line is made (not on the loop). */
static void line_prompts_load(struct line *l)
{
	const char *lang = line_prompt_lang(l);
	unsigned missing = 0, fallback = 0;
	char path[CONFIG_PATH_MAX + 64];
	int p;

	snprintf(l->prompt_lang, sizeof(l->prompt_lang), "%s", lang);
	for (p = 0; p < _PROMPT_MAX; p++) {
		snprintf(path, sizeof(path), "%s/%s/%s.sln",
			 l->global.prompt_dir, lang, prompt_name(p));
		if (line_prompt_read(path, &l->prompt_pcm[p],
				     &l->prompt_len[p]) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/en/%s.sln",
			 l->global.prompt_dir, prompt_name(p));
		if (line_prompt_read(path, &l->prompt_pcm[p],
				     &l->prompt_len[p]) == 0)
			fallback++;
		else
			missing++;
	}
	if (fallback && strcmp(lang, "en") != 0)
		line_log(l, LOG_INFO, "Voice prompts: %u of %d in English (no %s set in %s)",
			 fallback, _PROMPT_MAX, lang, l->global.prompt_dir);
	if (missing)
		line_log(l, LOG_WARNING, "Voice prompts: %u of %d missing in %s, played as silence",
			 missing, _PROMPT_MAX, l->global.prompt_dir);
}

static void line_prompts_free(struct line *l)
{
	int p;

	for (p = 0; p < _PROMPT_MAX; p++) {
		free(l->prompt_pcm[p]);
		l->prompt_pcm[p] = NULL;
		l->prompt_len[p] = 0;
	}
}

/* One frame of what is being said; after the last prompt, PROMPT_DONE. */
static void line_say_fill(struct line *l, int16_t *out)
{
	size_t k = 0;

	while (k < LINE_FRAME && l->say_i < l->say.n) {
		enum prompt_id p = l->say.p[l->say_i];
		size_t n = l->prompt_len[p] - l->say_pos;

		if (n > LINE_FRAME - k)
			n = LINE_FRAME - k;
		if (n)
			memcpy(out + k, l->prompt_pcm[p] + l->say_pos,
			       n * sizeof(int16_t));
		k += n;
		l->say_pos += n;
		if (l->say_pos >= l->prompt_len[p]) {
			l->say_i++;
			l->say_pos = 0;
		}
	}
	if (k < LINE_FRAME)
		memset(out + k, 0, (LINE_FRAME - k) * sizeof(int16_t));
	if (l->say_i >= l->say.n) {
		l->saying = false;
		line_queue(l, CALL_EVENT_PROMPT_DONE, 0, NULL, NULL, 0);
	}
}

static int line_pcm_ready(sd_event_source *s, int fd, uint32_t revents,
			  void *userdata)
{
	struct line *l = userdata;
	int16_t rec[2 * LINE_FRAME], out[LINE_FRAME];
	int16_t *frame = rec;
	size_t len = (l->pcm_ref ? 2 : 1) * LINE_FRAME * sizeof(int16_t);
	ssize_t n;

	(void)s;
	if (revents & (EPOLLHUP | EPOLLERR)) {
		l->pcm_source = sd_event_source_disable_unref(l->pcm_source);
		return 0;
	}
	while ((n = read(fd, rec, len)) == (ssize_t)len) {
		bool wrote = false, far = false, cid_first = false, mixed = false;
		bool tone_first = false, cw_ahead = false;
		enum play_src src = PLAY_OTHER;

		line_play_low(l, fd);
		line_play_window(l);

		/* The phone's audio: echo removed, then digits and RTP.  The
		 * reference is what the line sent while it was captured
		 * (the driver's), else the last frame written.  On hook
		 * there is neither a voice nor an echo to remove (and a board
		 * of many ports would spend its CPU on idle lines). */
		if (l->cur->media && l->offhook) {
			enum modem_tone t = modem_detector_process(
				l->modem_phone, frame, LINE_FRAME);

			if (t != MODEM_TONE_NONE)
				line_data_signal(l, t, true);
		}
		if (l->ec && l->offhook) {
			echo_canceller_process(l->ec, frame,
					       l->pcm_ref ? rec + LINE_FRAME :
					       l->last_played, frame);
			echo_canceller_health(l->ec, &l->echo);
		}
		/* the echo of a far-end digit is no key: line_dtmf_event */
		if (dtmf_gen_active(&l->dtmf_out))
			l->far_echo_left = FAR_ECHO_FRAMES;
		else if (l->far_echo_left)
			l->far_echo_left--;
		dtmf_detect(&l->dtmf, frame, LINE_FRAME, NULL, 0);
		/* the XR block's values, once a second */
		if (++l->xr_tick >= 1000 / 20) {
			l->xr_tick = 0;
			if (l->cur->xr)
				line_xr_update(l, l->cur);
			if (l->other->xr)
				line_xr_update(l, l->other);
		}
		if (l->mixing && l->cur->rtp && l->other->rtp) {
			/* the conference: each hears the other two */
			int16_t a[LINE_FRAME], to_cur[LINE_FRAME], to_a[LINE_FRAME];

			rtp_session_playout(l->cur->rtp, out, LINE_FRAME);
			rtp_session_playout(l->other->rtp, a, LINE_FRAME);
			mixer3(&l->mix, frame, out, a, LINE_FRAME, out, to_cur,
			       to_a);
			if (l->cur->media)
				line_send_frame(l, to_cur);
			if (l->other->media)
				line_call_rtp_send(l->other, to_a);
			mixed = true;
		} else if (l->cur->media && l->cur->t38) {
			/* T.38: the fax machine's modems to the gateway */
			t38gw_from_phone(l->cur->t38, frame, LINE_FRAME);
		} else if (l->cur->media && l->cur->rtp) {
			static const int16_t hush[LINE_FRAME];

			/* caller ID on call waiting: the far party hears
			 * nothing of the phone (its acknowledgement) */
			line_send_frame(l, cidcw_active(&l->cidcw) ? hush : frame);
		}
		if (l->caller_ringback && l->cur->rtp) {
			tonegen_fill(&l->caller_tone, out, LINE_FRAME);
			line_rtp_send(l, out);
		}
		/* To the phone: a tone, else the far end (one frame per frame
		 * read keeps the driver's queue, and so the delay, steady). */
		if (l->cur->t38 && !mixed) {
			t38gw_to_phone(l->cur->t38, out, LINE_FRAME);
		} else if (l->cur->rtp && !mixed) {
			rtp_session_playout(l->cur->rtp, out, LINE_FRAME);
			if (l->cur->media) {
				enum modem_tone t = modem_detector_process(
					l->modem_far, out, LINE_FRAME);

				if (t != MODEM_TONE_NONE)
					line_data_signal(l, t, false);
			}
		}
		if (l->cid_playing) {
			cid_first = l->cid_pos == 0;
			line_cid_fill(l, out);
			wrote = true;
		} else if (l->saying) {
			line_say_fill(l, out);
			wrote = true;
		} else if (tonegen_active(&l->tone)) {
			tonegen_fill(&l->tone, out, LINE_FRAME);
			wrote = true;
			src = PLAY_TONE;
		} else if (dtmf_gen_active(&l->dtmf_out)) {
			/* a far-end digit, in place of the far end's audio */
			dtmf_gen_fill(&l->dtmf_out, out, LINE_FRAME);
			wrote = true;
			src = PLAY_DIGIT;
		} else if (l->cur->media && l->cur->rtp) {
			wrote = far = true;
		}
		if (cidcw_active(&l->cidcw) && !l->cid_playing) {
			/* caller ID on call waiting: the far party muted */
			line_cidcw_fill(l, out, &cw_ahead);
			wrote = true;
			far = false;
			src = PLAY_OTHER;
		} else {
			if (!wrote) {
				memset(out, 0, sizeof(out));
				src = PLAY_NONE;
			}
			if (wrote && tonegen_active(&l->cw_tone))
				line_cw_fill(&l->cw_tone, out);
		}
		line_play_source(l, fd, src);
		/* Starting to play: a cushion of silence first, so that a late
		 * wake-up of ours cannot starve the driver mid-signal; its
		 * length is a latency choice (play_cushion_frames). */
		if (wrote && !l->writing) {
			static const int16_t cushion[CONFIG_CUSHION_MAX * LINE_FRAME];

			if (l->pc.play_cushion_frames)
				line_write_audio(l, cushion, l->pc.play_cushion_frames *
						 LINE_FRAME * sizeof(int16_t));
			line_play_reset(l);
			tone_first = src == PLAY_TONE && l->pcm_drop;
		}
		l->writing = wrote;
		if (far && l->skip_write) {
			/* one frame less: see line_pcm_delay_check() */
			l->skip_write = false;
			memset(out, 0, sizeof(out));
		} else if (wrote) {
			line_write_audio(l, out, sizeof(out));
			if (far)
				line_pcm_delay_check(l, fd);
		}
		if (cid_first)
			line_cid_ahead(l);
		if (cw_ahead)
			line_cidcw_ahead(l);
		if (tone_first)
			line_tone_ahead(l);
		if (src == PLAY_DIGIT && l->pcm_drop && !l->digit_queued)
			line_digit_ahead(l);
		memcpy(l->last_played, out, sizeof(out));
	}
	return 0;
}

/* A keyed digit in SIP INFO, once its length is known. */
static void line_send_info(struct line *l, char digit, unsigned ms)
{
	int r = l->cur->call ? sip_call_send_dtmf(l->cur->call, digit, ms) : -ENOTCONN;

	if (r < 0)
		line_log(l, LOG_WARNING, "Failed to send DTMF %c in SIP INFO: %s",
			 digit, strerror(-r));
}

/*
 * A digit keyed on the phone began or ended.  In a call it goes out the
 * way dtmf_tx says; out of band (events or INFO) its in-band copy is held
 * back from the moment it is recognised (about 30 ms into the tone; what
 * came before has gone out as audio) until it has ended.  The far end's
 * own digit coming back from the line is held back too, and is no key.
 */
static void line_dtmf_event(void *userdata, const struct dtmf_event *ev)
{
	struct line *l = userdata;
	static const char *const how[_CONFIG_DTMF_MAX] = {
		[CONFIG_DTMF_RFC4733] = ", sent as RFC 4733 events",
		[CONFIG_DTMF_INFO] = ", sent in SIP INFO",
		[CONFIG_DTMF_INBAND] = ", sent in-band",
	};
	bool media = l->cur->media && l->cur->rtp;

	if (!ev->end && cidcw_digit(&l->cidcw, ev->digit, false)) {
		/* caller ID on call waiting: the phone's acknowledgement
		 * (or a key while the far party is muted) is the line's */
		l->dtmf_cidcw = true;
		l->dtmf_oob = false;
		return;
	}
	if (ev->end && l->dtmf_cidcw) {
		l->dtmf_cidcw = false;
		cidcw_digit(&l->cidcw, ev->digit, true);
		line_log(l, LOG_INFO, "DTMF %c (%u ms): taken by caller ID on call waiting (%s), not sent",
			 ev->digit, ev->duration / 8,
			 cidcw_phase_to_string(l->cidcw.phase));
		return;
	}
	if (!ev->end) {
		l->dtmf_oob = false;
		l->dtmf_echo = l->far_echo_left && ev->digit == l->far_digit;
		if (l->dtmf_echo)
			return;
		if (media && l->cur->dtmf_tx == CONFIG_DTMF_RFC4733) {
			line_rtp_flush(l);
			l->dtmf_oob = rfc4733_sender_start(&l->cur->ev_tx, ev->digit,
				10, rtp_session_next_timestamp(l->cur->rtp), 0) == 0;
		} else if (media && l->cur->dtmf_tx == CONFIG_DTMF_INFO) {
			/* INFO needs the confirmed dialog of the call */
			l->dtmf_oob = l->state == CALL_STATE_INCALL && l->cur->call;
		}
		return;
	}
	if (l->dtmf_echo) {
		l->dtmf_echo = false;
		line_log(l, LOG_DEBUG, "DTMF %c (%u ms): the echo of the far end's, ignored",
			 ev->digit, ev->duration / 8);
		return;
	}
	if (l->dtmf_oob && l->cur->dtmf_tx == CONFIG_DTMF_RFC4733)
		rfc4733_sender_end(&l->cur->ev_tx,
				   ev->duration * l->cur->ev_units);
	else if (l->dtmf_oob && l->cur->dtmf_tx == CONFIG_DTMF_INFO)
		line_send_info(l, ev->digit, ev->duration / 8);
	line_log(l, LOG_INFO, "DTMF %c (%u ms)%s", ev->digit, ev->duration / 8,
		 !media ? "" : l->dtmf_oob ? how[l->cur->dtmf_tx] :
		 how[CONFIG_DTMF_INBAND]);
	l->dtmf_oob = false;
	if (l->state == CALL_STATE_DIALTONE || l->state == CALL_STATE_DIALING ||
	    l->state == CALL_STATE_MENU || l->state == CALL_STATE_ANNOUNCE)
		line_queue(l, CALL_EVENT_DIGIT, ev->digit, NULL, NULL, 0);
}

static void line_tone(struct line *l, enum tone_id id)
{
	tonegen_start(&l->tone, l->country, id);
	l->tone_seq++;
}

static void line_tone_stop(struct line *l)
{
	tonegen_stop(&l->tone);
	l->tone_seq++;
}

/* ---- digits ---- */

static void line_digitmap_check(struct line *l, bool expired)
{
	struct dial_result r;
	size_t n = strlen(l->digits);

	/* the voice menu's code first: it wins over a star code */
	if (l->pc.voice_menu[0] && n && !expired &&
	    strncmp(l->pc.voice_menu, l->digits, n) == 0) {
		if (l->pc.voice_menu[n] == '\0') {
			line_timer_stop(l, TIMER_DIGITMAP);
			line_log(l, LOG_INFO, "Dialled %s: the voice menu",
				 l->digits);
			line_queue(l, CALL_EVENT_DIAL_MENU, 0, NULL, NULL, 0);
		} else {
			line_timer_start(l, TIMER_DIGITMAP,
					 (uint64_t)l->pc.interdigit_long_ms * 1000);
		}
		return;
	}
	if (dial_classify(l->pc.star_codes, l->pc.n_star_codes, l->digitmap,
			  l->digits, expired, &r) < 0)
		r.verdict = DIAL_INVALID;
	switch (r.verdict) {
	case DIAL_NUMBER:
		line_timer_stop(l, TIMER_DIGITMAP);
		snprintf(l->number, sizeof(l->number), "%s", r.number);
		line_log(l, LOG_INFO, "Dialled %s, calling %s", l->digits,
			 l->number);
		line_queue(l, CALL_EVENT_DIAL_COMPLETE, 0, NULL, NULL, 0);
		break;
	case DIAL_CODE:
		line_timer_stop(l, TIMER_DIGITMAP);
		l->code_action = r.action;
		snprintf(l->code_number, sizeof(l->code_number), "%s",
			 r.number);
		line_log(l, LOG_INFO, "Dialled %s: star code %s, %s%s%s",
			 l->digits, r.code,
			 config_star_action_to_string(r.action),
			 r.number[0] ? " " : "", r.number);
		line_queue(l, CALL_EVENT_DIAL_CODE, 0, NULL, NULL, 0);
		break;
	case DIAL_MORE:
	case DIAL_MORE_SHORT:
		line_timer_start(l, TIMER_DIGITMAP,
				 (uint64_t)(r.verdict == DIAL_MORE ?
					    l->pc.interdigit_long_ms :
					    l->pc.interdigit_short_ms) * 1000);
		break;
	default:
		line_timer_stop(l, TIMER_DIGITMAP);
		line_log(l, LOG_INFO, "Dialled %s: %s", l->digits,
			 l->digits[0] == '*' && l->pc.n_star_codes ?
			 "no such star code" : "no match in the digit map");
		line_queue(l, CALL_EVENT_DIAL_INVALID, 0, NULL, NULL, 0);
		break;
	}
}

static void line_digitmap_timeout(struct line *l)
{
	if (l->state == CALL_STATE_DIALING)
		line_digitmap_check(l, true);
}

static void line_digit_add(struct line *l, char digit)
{
	size_t n = strlen(l->digits);

	if (digit == '#' && n) {	/* '#' sends what was dialled */
		line_timer_stop(l, TIMER_DIGITMAP);
		line_digitmap_check(l, true);
		return;
	}
	if (n < LINE_DIGITS_MAX) {
		l->digits[n] = digit;
		l->digits[n + 1] = '\0';
	}
	line_digitmap_check(l, false);
}

/* ---- actions ---- */

static void line_answer_ringing(struct line *l, struct line_event *ev)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	int r;

	(void)ev;
	if (!l->cur->call)
		return;
	if (!l->pc.early_media_ringback || !l->cur->remote_sdp ||
	    line_local_sdp(l, &loc) < 0 ||
	    sdp_build_answer(l->cur->remote_sdp, &loc, sdp, sizeof(sdp), NULL) < 0) {
		r = sip_call_ringing(l->cur->call, false, NULL);
	} else {
		r = sip_call_ringing(l->cur->call, true, sdp);
		if (r >= 0) {
			line_media_start(l, l->cur->remote_sdp);
			l->cur->media = false;	/* the phone's audio waits for 200 */
			l->caller_ringback = true;
			tonegen_start(&l->caller_tone, l->country,
				      TONE_RINGBACK);
		}
	}
	if (r < 0)
		line_log(l, LOG_WARNING, "Failed to send ringing: %s",
			 strerror(-r));
}

static void line_answer_200(struct line *l)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	int r;

	if (!l->cur->call)
		return;
	r = line_local_sdp(l, &loc);
	if (r >= 0) {
		if (l->cur->remote_sdp)
			r = sdp_build_answer(l->cur->remote_sdp, &loc, sdp,
					     sizeof(sdp), NULL);
		else
			r = sdp_build_offer(&loc, sdp, sizeof(sdp));
	}
	if (r >= 0)
		r = sip_call_answer(l->cur->call, sdp);
	if (r < 0) {
		line_log(l, LOG_WARNING, "Failed to answer: %s", strerror(-r));
		line_queue(l, CALL_EVENT_SIP_TIMEOUT, 0, NULL, NULL, 0);
	}
}

static void line_send_invite(struct line *l)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	bool private, no_cw;
	int r;

	line_call_clear(l);
	snprintf(l->cur->remote, sizeof(l->cur->remote), "%s", l->number);
	r = line_local_sdp(l, &loc);
	if (r >= 0)
		r = sdp_build_offer(&loc, sdp, sizeof(sdp));
	/* the per-call codes go with this call, and are spent */
	private = l->next_privacy == NEXT_PRIVACY_ON ||
		  (l->next_privacy == NEXT_PRIVACY_PORT && l->pc.privacy);
	no_cw = l->next_no_cw;
	l->next_privacy = NEXT_PRIVACY_PORT;
	l->next_no_cw = false;
	if (r >= 0 && private)
		r = sip_call_invite_private(l->agent, l->number, sdp,
					    l->pc.privacy_identity ==
					    CONFIG_PRIVACY_IDENTITY_PPI,
					    &l->cur->call);
	else if (r >= 0)
		r = sip_call_invite(l->agent, l->number, sdp, &l->cur->call);
	if (r < 0) {
		line_log(l, LOG_WARNING, "Failed to call %s: %s", l->number,
			 strerror(-r));
		line_queue(l, CALL_EVENT_SIP_TIMEOUT, 0, NULL, NULL, 0);
		return;
	}
	if (private)
		line_log(l, LOG_INFO, "The call to %s is private", l->number);
	sip_call_set_userdata(l->cur->call, l);
	l->cur->three_way = l->feat == FEATURE_STATE_HELD;
	l->cur->no_cw = no_cw;
}

/*
 * The star codes that change a setting of the port (not of one call), the
 * confirmation tone already chosen by the call machine: do not disturb,
 * forwarding (@number, the target the code took; "" for the others) and
 * anonymous rejection, through the setters D-Bus uses too.
 */
static void line_star_setting(struct line *l, enum config_star_action a,
			      const char *number)
{
	int r = 0;

	switch (a) {
	case CONFIG_STAR_DND_ON:
	case CONFIG_STAR_DND_OFF:
		r = line_set_dnd(l, a == CONFIG_STAR_DND_ON);
		break;
	case CONFIG_STAR_FORWARD_ALL_ON:
		r = line_set_forward(l, LINE_FORWARD_ALL, number);
		break;
	case CONFIG_STAR_FORWARD_ALL_OFF:
		r = line_set_forward(l, LINE_FORWARD_ALL, NULL);
		break;
	case CONFIG_STAR_FORWARD_BUSY_ON:
		r = line_set_forward(l, LINE_FORWARD_BUSY, number);
		break;
	case CONFIG_STAR_FORWARD_BUSY_OFF:
		r = line_set_forward(l, LINE_FORWARD_BUSY, NULL);
		break;
	case CONFIG_STAR_FORWARD_NO_ANSWER_ON:
		r = line_set_forward(l, LINE_FORWARD_NO_ANSWER, number);
		break;
	case CONFIG_STAR_FORWARD_NO_ANSWER_OFF:
		r = line_set_forward(l, LINE_FORWARD_NO_ANSWER, NULL);
		break;
	case CONFIG_STAR_ANONYMOUS_REJECT_ON:
	case CONFIG_STAR_ANONYMOUS_REJECT_OFF:
		r = line_set_anonymous_reject(l,
					      a == CONFIG_STAR_ANONYMOUS_REJECT_ON);
		break;
	default:
		r = -EINVAL;
		break;
	}
	line_log(l, r < 0 ? LOG_WARNING : LOG_INFO, "Star code %s%s%s%s%s",
		 config_star_action_to_string(a), number[0] ? " " : "", number,
		 r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
}

/* CALL_ACTION_STAR_CODE: the code the digits were (line_digitmap_check()). */
static void line_star_code(struct line *l)
{
	switch (l->code_action) {
	case CONFIG_STAR_PRIVACY:
		l->next_privacy = NEXT_PRIVACY_ON;
		break;
	case CONFIG_STAR_PRIVACY_OFF:
		l->next_privacy = NEXT_PRIVACY_OFF;
		break;
	case CONFIG_STAR_CW_CANCEL:
		l->next_no_cw = true;
		break;
	default:
		line_star_setting(l, l->code_action, l->code_number);
		break;
	}
}

/* The distinctive ring of incoming call @c, from its Alert-Info. */
static void line_ring_alert(struct line *l, struct line_call *c,
			    const struct sip_caller *who)
{
	c->ring = who ? config_ring_alert_find(&l->pc, who->alert_info) : NULL;
	if (c->ring)
		line_log(l, LOG_INFO, "Distinctive ring %s", c->ring->token);
	else if (who && who->alert_info[0])
		line_log(l, LOG_DEBUG, "Alert-Info \"%s\": no ring_alert, the usual ring",
			 who->alert_info);
}

/* An INVITE that will not ring: the caller ID made for it at once (an
 * idle phone, line_on_invite()) goes. */
static void line_unrung(struct line *l)
{
	if (l->state == CALL_STATE_IDLE && l->cid && !l->cid_playing)
		line_cid_drop(l);
}

/* 302 to the port's @kind target for @call; without a target (turned off
 * meanwhile) or when it cannot be sent, 486 (busy) or 480. */
static void line_forward(struct line *l, struct sip_call *call,
			 enum line_forward kind, enum sip_divert_reason why)
{
	const char *to = l->svc.forward[kind];
	int r = to[0] ? sip_call_redirect(call, to, why) : -ENOENT;

	line_unrung(l);
	if (r >= 0) {
		line_log(l, LOG_INFO, "Call forwarded to %s (%s)", to,
			 sip_divert_reason_to_string(why));
		return;
	}
	line_log(l, LOG_WARNING, "Failed to forward the call (%s) to '%s': %s",
		 line_forward_to_string(kind), to, strerror(-r));
	sip_call_reject(call, kind == LINE_FORWARD_NO_ANSWER ? 480 : 486);
}

/* ---- the voice menu and the announcement: the actions ---- */

/* What the menu tells, as things stand. */
static void line_menu_facts(struct line *l, struct menu_facts *ret)
{
	if (!l->local_address[0] && l->agent)
		line_pick_address(l);
	*ret = (struct menu_facts){
		.address = l->local_address,
		.reg = menu_reg_classify(l->pc.register_enabled,
					 l->reg_failed ? SIP_REG_FAILED :
					 l->reg_state, l->reg_status),
		.reg_status = l->reg_status,
		.registrar = l->pc.registrar,
		.version = FXS_VERSION,
		.mos_x10 = l->last_mos_x10,
	};
}

/* Whether lifting the phone gives the announcement instead of dial tone:
 * it is on, and registration failed (the first attempt, still running at
 * start, is given the benefit of the doubt). */
static bool line_unavailable(struct line *l)
{
	struct menu_facts f;

	if (!l->pc.unavailable_announcement)
		return false;
	line_menu_facts(l, &f);
	return !menu_reg_usable(f.reg) && f.reg != MENU_REG_TRYING;
}

/* Say @r in place of what plays; nothing new (r->n 0) changes nothing. */
static void line_say(struct line *l, const struct menu_result *r,
		     const char *what)
{
	char names[512];
	size_t len = 0;
	unsigned i;

	if (!r->n)
		return;
	names[0] = '\0';
	for (i = 0; i < r->n && len < sizeof(names); i++)
		len += snprintf(names + len, sizeof(names) - len, "%s%s",
				i ? " " : "", prompt_name(r->p[i]));
	line_log(l, LOG_INFO, "%s: saying %s", what, names);
	l->say = *r;
	l->say_i = 0;
	l->say_pos = 0;
	l->saying = true;
}

static void line_menu_act(struct line *l, enum call_action a,
			  struct line_event *ev)
{
	struct menu_result r;
	struct menu_facts f;

	switch (a) {
	case CALL_ACTION_ANNOUNCE_START:
		line_menu_facts(l, &f);
		menu_unavailable(&f, &r);
		line_say(l, &r, "Service unavailable");
		/* nothing to say after all (registered meanwhile) */
		if (!r.n)
			line_queue(l, CALL_EVENT_PROMPT_DONE, 0, NULL, NULL, 0);
		break;
	case CALL_ACTION_MENU_START:
		l->digits[0] = '\0';
		l->number[0] = '\0';
		menu_start(&l->menu, &r);
		line_say(l, &r, "Voice menu");
		break;
	case CALL_ACTION_MENU_KEY:
		line_menu_facts(l, &f);
		if (menu_key(&l->menu, ev->digit, &f, &r) == 0)
			line_say(l, &r, "Voice menu");
		break;
	case CALL_ACTION_MENU_PROMPT_DONE:
		menu_prompt_done(&l->menu, &r);
		if (r.restart) {
			/* the unit's Restart=on-failure starts it again */
			line_log(l, LOG_NOTICE, "Voice menu: restarting the service (exit %d)",
				 LINE_EXIT_RESTART);
			sd_event_exit(l->event, LINE_EXIT_RESTART);
		}
		break;
	case CALL_ACTION_PROMPT_STOP:
		l->saying = false;
		l->say.n = 0;
		l->menu.state = MENU_MAIN;
		break;
	default:
		break;
	}
}

static void line_act(struct line *l, enum call_action a, struct line_event *ev)
{
	unsigned int t;

	switch (a) {
	case CALL_ACTION_TONE_DIAL:
		/* messages waiting: the stutter dial tone says so */
		line_tone(l, l->mwi_waiting ? TONE_STUTTER : TONE_DIAL);
		break;
	case CALL_ACTION_TONE_RINGBACK:
		line_tone(l, TONE_RINGBACK);
		break;
	case CALL_ACTION_TONE_BUSY:
		line_tone(l, TONE_BUSY);
		break;
	case CALL_ACTION_TONE_REORDER:
		line_tone(l, TONE_REORDER);
		break;
	case CALL_ACTION_TONE_HOWLER:
		line_tone(l, TONE_HOWLER);
		break;
	case CALL_ACTION_TONE_STOP:
		line_tone_stop(l);
		break;
	case CALL_ACTION_RING_START:
		line_ring(l, true);
		break;
	case CALL_ACTION_RING_STOP:
		line_ring(l, false);
		break;
	case CALL_ACTION_DIGITS_CLEAR:
		l->digits[0] = '\0';
		l->number[0] = '\0';
		break;
	case CALL_ACTION_DIGIT_ADD:
		if (ev->digit)
			line_digit_add(l, ev->digit);
		break;
	case CALL_ACTION_DIGIT_SEND:
		break;	/* RFC 4733 comes with the media work */
	case CALL_ACTION_TIMER_FIRST_DIGIT_START:
		/* in the voice menu: how long it waits for a key */
		line_timer_start(l, TIMER_FIRST_DIGIT,
				 l->state == CALL_STATE_MENU ||
				 ev->type == CALL_EVENT_DIAL_MENU ?
				 MENU_IDLE_USEC : FIRST_DIGIT_USEC);
		break;
	case CALL_ACTION_TIMER_TONE_START:
		line_timer_start(l, TIMER_TONE, TONE_USEC);
		break;
	case CALL_ACTION_TIMER_HOWLER_START:
		line_timer_start(l, TIMER_HOWLER, HOWLER_USEC);
		break;
	case CALL_ACTION_TIMER_NO_ANSWER_START:
		line_timer_start(l, TIMER_NO_ANSWER, NO_ANSWER_USEC);
		break;
	case CALL_ACTION_TIMERS_STOP:
		/* the call machine's timers: not the line's own (open loop,
		 * caller ID, the lamp) nor the feature machine's (recall) */
		for (t = 0; t < _TIMER_MAX; t++)
			if (t != TIMER_OPEN_LOOP && t != TIMER_CALLER_ID &&
			    t != TIMER_RECALL && t != TIMER_MWI)
				line_timer_stop(l, t);
		break;
	case CALL_ACTION_SIP_SEND_INVITE:
		line_send_invite(l);
		break;
	case CALL_ACTION_SIP_SEND_CANCEL:
		if (l->cur->call)
			sip_call_cancel(l->cur->call);
		break;
	case CALL_ACTION_SIP_SEND_BYE:
		if (l->cur->call)
			sip_call_hangup(l->cur->call);
		break;
	case CALL_ACTION_SIP_ANSWER_180:
		line_answer_ringing(l, ev);
		break;
	case CALL_ACTION_SIP_ANSWER_200:
		line_answer_200(l);
		break;
	case CALL_ACTION_SIP_REJECT_486:
		/*
		 * Also do not disturb (INVITE_DND).  486 Busy Here, not 603
		 * Decline: the HT802 and SPA112 answer DND with 486, and so
		 * the provider does what it does for a busy line (voicemail,
		 * its own forward on busy).  603 is a global failure (RFC 3261
		 * 21.6.2): it stops the search at every other place the
		 * caller might be reached, voicemail included.
		 */
		if (ev->call && ev->call != l->cur->call) {
			if (ev->type == CALL_EVENT_INVITE_DND)
				line_log(l, LOG_INFO, "Do not disturb: 486");
			line_unrung(l);
			sip_call_reject(ev->call, 486);
			line_count(l, CALL_DIR_INCOMING, CALL_RESULT_REJECTED);
		}
		break;
	case CALL_ACTION_SIP_REJECT_488:
		if (ev->call && ev->call != l->cur->call) {
			const char *text;
			int w = sdp_warning(ev->status, &text);

			sip_call_reject_warning(ev->call, 488, w, text);
			line_count(l, CALL_DIR_INCOMING, CALL_RESULT_REJECTED);
		}
		break;
	case CALL_ACTION_SIP_ANSWER_OFFER:
		line_answer_offer(l, ev);
		break;
	case CALL_ACTION_SIP_ANSWER_T38:
		line_answer_t38(l, ev);
		break;
	case CALL_ACTION_SIP_OFFER_T38:
		line_offer_t38(l);
		break;
	case CALL_ACTION_MEDIA_T38_START:
		line_t38_accepted(l, ev);
		break;
	case CALL_ACTION_SIP_REJECT_OFFER:
		if (ev->call)
			sip_call_reject_offer(ev->call, 488, 399,
					      "No offer is taken in this call state");
		break;
	case CALL_ACTION_SIP_REPLY_487:
	case CALL_ACTION_SIP_REPLY_BYE_200:
		break;	/* sip/ answers CANCEL and BYE itself */
	case CALL_ACTION_SIP_BYE_STRAY:
		if (ev->call)
			sip_call_hangup(ev->call);
		break;
	case CALL_ACTION_CALL_KEEP:
		if (ev->call && ev->call != l->cur->call) {
			line_call_clear(l);
			l->cur->call = sip_call_ref(ev->call);
			sip_call_set_userdata(l->cur->call, l);
			memcpy(l->cur->remote, l->caller, sizeof(l->cur->remote));
			l->cur->remote_sdp = ev->sdp ? strdup(ev->sdp) : NULL;
			line_ring_alert(l, l->cur, ev->who);
			/* the caller: an attended transfer's target */
			l->cur->who = ev->who;
			ev->who = NULL;
		}
		break;
	case CALL_ACTION_CALL_CLEAR:
		line_call_clear(l);
		/* hung up or failed before calling: per-call codes lapse */
		l->next_privacy = NEXT_PRIVACY_PORT;
		l->next_no_cw = false;
		break;
	case CALL_ACTION_MEDIA_START:
		if (ev->sdp) {	/* the answer to our offer */
			free(l->cur->remote_sdp);
			l->cur->remote_sdp = strdup(ev->sdp);
		}
		l->caller_ringback = false;
		line_media_start(l, l->cur->remote_sdp);
		break;
	case CALL_ACTION_MEDIA_EARLY_START:
		line_media_start(l, ev->sdp);
		break;
	case CALL_ACTION_MEDIA_STOP:
		line_media_stop(l);
		break;
	case CALL_ACTION_MEDIA_UPDATE:
		if (ev->sdp) {	/* the answer to the offer in our 2xx */
			free(l->cur->remote_sdp);
			l->cur->remote_sdp = strdup(ev->sdp);
			line_media_start(l, l->cur->remote_sdp);
		}
		break;
	case CALL_ACTION_LINE_OPEN_LOOP:
		if (l->pc.disconnect_open_loop_ms) {
			line_set_feed(l, PORT_FEED_OPEN);
			line_timer_start(l, TIMER_OPEN_LOOP,
					 (uint64_t)l->pc.disconnect_open_loop_ms * 1000);
		}
		break;
	case CALL_ACTION_LINE_NORMAL:
		line_timer_stop(l, TIMER_OPEN_LOOP);
		line_set_feed(l, PORT_FEED_FORWARD);
		break;
	case CALL_ACTION_SIP_REJECT_433:
		if (ev->call && ev->call != l->cur->call) {
			line_log(l, LOG_INFO, "Anonymous call rejected (433)");
			line_unrung(l);
			sip_call_reject_anonymous(ev->call);
		}
		break;
	case CALL_ACTION_SIP_FORWARD_ALL:
		if (ev->call && ev->call != l->cur->call)
			line_forward(l, ev->call, LINE_FORWARD_ALL,
				     SIP_DIVERT_UNCONDITIONAL);
		break;
	case CALL_ACTION_SIP_FORWARD_BUSY:
		if (ev->call && ev->call != l->cur->call)
			line_forward(l, ev->call, LINE_FORWARD_BUSY,
				     ev->type == CALL_EVENT_INVITE_DND_FORWARD ?
				     SIP_DIVERT_DO_NOT_DISTURB :
				     SIP_DIVERT_USER_BUSY);
		break;
	case CALL_ACTION_SIP_FORWARD_NO_ANSWER:
		if (l->cur->call)
			line_forward(l, l->cur->call, LINE_FORWARD_NO_ANSWER,
				     SIP_DIVERT_NO_ANSWER);
		break;
	case CALL_ACTION_TIMER_FORWARD_START:
		if (l->svc.forward[LINE_FORWARD_NO_ANSWER][0])
			line_timer_start(l, TIMER_FORWARD,
					 l->svc.forward_no_answer_secs *
					 1000000ULL);
		break;
	case CALL_ACTION_STAR_CODE:
		line_star_code(l);
		break;
	case CALL_ACTION_TONE_CONFIRM:
		line_tone(l, TONE_STUTTER);
		break;
	case CALL_ACTION_TIMER_CONFIRM_START:
		line_timer_start(l, TIMER_TONE, CONFIRM_USEC);
		break;
	case CALL_ACTION_TIMER_WARM_LINE_START:
		if (l->pc.warm_line[0])
			line_timer_start(l, TIMER_WARM_LINE,
					 l->pc.warm_line_secs * 1000000ULL);
		break;
	case CALL_ACTION_TIMER_RING_HOLDOFF_START:
		line_timer_start(l, TIMER_RING_HOLDOFF,
				 l->pc.ring_holdoff_ms * 1000ULL);
		break;
	case CALL_ACTION_ANNOUNCE_START:
	case CALL_ACTION_MENU_START:
	case CALL_ACTION_MENU_KEY:
	case CALL_ACTION_MENU_PROMPT_DONE:
	case CALL_ACTION_PROMPT_STOP:
		line_menu_act(l, a, ev);
		break;
	case CALL_ACTION_NUMBER_PRESET:
		snprintf(l->number, sizeof(l->number), "%s",
			 l->pc.hotline[0] ? l->pc.hotline : l->pc.warm_line);
		line_log(l, LOG_INFO, "%s: calling %s",
			 l->pc.hotline[0] ? "Hotline" : "Warm line", l->number);
		break;
	default:
		break;
	}
}

static void line_step(struct line *l, struct line_event *ev)
{
	struct fsm_result res;
	enum call_state from = l->state;
	unsigned int i;

	if (fsm_step(l->state, ev->type, &res) < 0 || res.ignored) {
		line_log(l, LOG_DEBUG, "%s ignored%s%s",
			 call_event_to_string(ev->type), res.note ? ": " : "",
			 res.note ? res.note : "");
		/* A new incoming call nobody took must not dangle. */
		if (line_event_is_invite(ev->type) && ev->call &&
		    ev->call != l->cur->call &&
		    sip_call_get_state(ev->call) == SIP_CALL_INCOMING) {
			sip_call_reject(ev->call, 486);
			line_count(l, CALL_DIR_INCOMING, CALL_RESULT_REJECTED);
		}
		return;
	}
	for (i = 0; i < res.n_actions; i++)
		line_act(l, res.actions[i], ev);
	l->state = res.next;
	line_count_step(l, from, ev);
	if (from != l->state) {
		line_log(l, LOG_INFO, "%s -> %s on %s", call_state_to_string(from),
			 call_state_to_string(l->state),
			 call_event_to_string(ev->type));
		line_notify(l);
	}
}

/* ---- the second call: the feature machine (feature.h) ---- */

#define RECALL_USEC		(60 * 1000000ULL)

/* "Name <user@host>" of an incoming call's caller. */
static void line_who_format(const struct sip_caller *c, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s<%s>", c->display_name,
		 c->display_name[0] ? " " : "",
		 c->asserted[0] ? c->asserted : c->from);
}

/* The call machine into state @to, as a transition would (fsm_enter()). */
static void line_front_enter(struct line *l, enum call_state to)
{
	struct line_event none = { .type = CALL_EVENT_TIMER_TONE, .feature = -1 };
	struct fsm_result res;
	enum call_state from = l->state;
	unsigned i;

	if (fsm_enter(from, to, &res) < 0)
		return;
	for (i = 0; i < res.n_actions; i++)
		line_act(l, res.actions[i], &none);
	l->state = to;
	line_log(l, LOG_INFO, "%s -> %s on %s", call_state_to_string(from),
		 call_state_to_string(to), feature_event_to_string(l->feat_ev));
	line_notify(l);
}

/* Hold (our offer a=sendonly) or take back (a=sendrecv) call @c. */
static void line_hold(struct line *l, struct line_call *c, bool hold)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	int r;

	if (!c->call)
		return;
	if (hold && c == l->cur)
		line_media_stop(l);
	if (hold && c->rtp)
		rtp_session_set_sending(c->rtp, false);
	c->held = hold;
	r = line_call_sdp(l, c, &loc);
	if (r >= 0) {
		loc.direction = hold ? SDP_SENDONLY : SDP_SENDRECV;
		r = sdp_build_offer(&loc, sdp, sizeof(sdp));
	}
	if (r >= 0)
		r = sip_call_reinvite(c->call, sdp);
	if (r < 0)
		line_log(l, LOG_WARNING, "Failed to %s the call with %s: %s",
			 hold ? "hold" : "resume", c->remote, strerror(-r));
	else
		line_log(l, LOG_INFO, "%s the call with %s",
			 hold ? "Holding" : "Resuming", c->remote);
}

/* The other call's media beside the front call's (the conference): its
 * RTP to where its remote SDP says, sending. */
static void line_other_media(struct line *l)
{
	struct line_call *c = l->other;
	struct sdp_local loc = line_sdp_codecs(l, c);
	struct sdp_media m;

	if (!c->rtp || !c->remote_sdp ||
	    sdp_parse_codecs(c->remote_sdp, &loc, &m) < 0 ||
	    line_call_srtp(l, c, &m) < 0)
		return;
	if (rtp_session_set_remote_codec(c->rtp, m.address, m.port, m.codec,
					 m.pt, &m.params, m.te_pt, m.ptime) < 0)
		return;
	rtp_session_set_sending(c->rtp, true);
	line_call_event_clock(c, &m);
	if (m.ptime * 8 != c->tx_frame)
		c->tx_pending = 0;
	c->tx_frame = m.ptime * 8;
	c->media = true;
}

/* An offer in the other call's dialog: answered, the call kept held (or
 * in the conference). */
static void line_answer_offer_held(struct line *l, struct line_call *c,
				   struct line_event *ev)
{
	char sdp[LINE_SDP_MAX];
	struct sdp_local loc;
	const char *text;
	int r;

	if (!ev->sdp) {
		sip_call_reject_offer(ev->call, 488, 399, "No offer");
		return;
	}
	r = line_call_sdp(l, c, &loc);
	if (r < 0) {
		sip_call_reject_offer(ev->call, 500, 0, NULL);
		return;
	}
	loc.direction = c->held ? SDP_SENDONLY : SDP_SENDRECV;
	loc.keep_codec = c->codec != NULL;
	loc.codec = line_codec_id(c->codec);
	line_srtp_offer(l, c, ev->sdp);
	r = sdp_build_answer(ev->sdp, &loc, sdp, sizeof(sdp), NULL);
	if (r < 0) {
		int w = sdp_warning(r, &text);

		sip_call_reject_offer(ev->call, 488, w, text);
		return;
	}
	if (sip_call_answer_offer(ev->call, sdp) >= 0) {
		free(c->remote_sdp);
		c->remote_sdp = strdup(ev->sdp);
		if (l->mixing)
			line_other_media(l);
	}
}

static void line_swap(struct line *l)
{
	struct line_call *c = l->cur;

	l->cur = l->other;
	l->other = c;
	l->caller_ringback = false;
	tonegen_stop(&l->caller_tone);
	line_digit_stop(l);
	l->dtmf_oob = l->dtmf_echo = false;
}

static void line_feature_act(struct line *l, enum feature_action a,
			     struct line_event *ev)
{
	struct line_call *o = l->other;
	struct line_event hangup = { .type = CALL_EVENT_ONHOOK, .feature = -1 };

	switch (a) {
	case FEATURE_ACTION_PASS:
		line_step(l, ev);
		break;
	case FEATURE_ACTION_OTHER_KEEP:
		if (!ev->call || ev->call == l->cur->call)
			break;
		line_slot_clear(o);
		o->call = sip_call_ref(ev->call);
		sip_call_set_userdata(o->call, l);
		o->remote_sdp = ev->sdp ? strdup(ev->sdp) : NULL;
		o->who = ev->who;
		ev->who = NULL;
		line_ring_alert(l, o, o->who);
		if (o->who)
			line_who_format(o->who, o->remote, sizeof(o->remote));
		line_log(l, LOG_INFO, "Call waiting: %s", o->remote);
		break;
	case FEATURE_ACTION_OTHER_RINGING:
		if (o->call && sip_call_ringing(o->call, false, NULL) < 0)
			line_log(l, LOG_WARNING, "Failed to send 180 to the waiting call");
		break;
	case FEATURE_ACTION_OTHER_ANSWER_OFFER:
		if (ev->call && ev->call == o->call)
			line_answer_offer_held(l, o, ev);
		break;
	case FEATURE_ACTION_OTHER_REJECT_OFFER:
		if (ev->call)
			sip_call_reject_offer(ev->call, 488, 399,
					      "The call is waiting");
		break;
	case FEATURE_ACTION_OTHER_UPDATE:
		if (ev->sdp) {
			free(o->remote_sdp);
			o->remote_sdp = strdup(ev->sdp);
			if (l->mixing)
				line_other_media(l);
		}
		break;
	case FEATURE_ACTION_RESUME_OTHER:
		line_hold(l, o, false);
		line_other_media(l);
		break;
	case FEATURE_ACTION_MIX_START:
		mixer_init(&l->mix);
		l->mixing = true;
		line_log(l, LOG_INFO, "Conference: %s and %s", l->cur->remote,
			 o->remote);
		break;
	case FEATURE_ACTION_MIX_STOP:
		l->mixing = false;
		break;
	case FEATURE_ACTION_REFER_BLIND:
	case FEATURE_ACTION_REFER_ATTENDED:
		line_refer(l, a == FEATURE_ACTION_REFER_ATTENDED);
		break;
	case FEATURE_ACTION_FRONT_PARK:
		/* the phone is on hook: the call machine idles, the dialog
		 * stays for the transfer's Replaces */
		line_media_stop(l);
		line_log(l, LOG_INFO, "%s -> idle on %s (the call with %s kept for the transfer)",
			 call_state_to_string(l->state),
			 feature_event_to_string(l->feat_ev), l->cur->remote);
		l->state = CALL_STATE_IDLE;
		line_notify(l);
		break;
	case FEATURE_ACTION_TRANSFEREE_INVITE:
		line_transferee_invite(l, ev);
		break;
	case FEATURE_ACTION_NOTIFY_OK:
		if (l->cur->call)
			sip_call_refer_notify(l->cur->call, 200);
		break;
	case FEATURE_ACTION_NOTIFY_FAILED:
		if (l->cur->call)
			sip_call_refer_notify(l->cur->call,
					      ev->status >= 300 && ev->status < 700 ?
					      ev->status : 503);
		break;
	case FEATURE_ACTION_NOTIFY_REFUSED:
		if (ev->call)
			sip_call_refer_notify(ev->call, 603);
		break;
	case FEATURE_ACTION_FRONT_DROP:
		if (l->state == CALL_STATE_IDLE && l->cur->call) {
			sip_call_hangup(l->cur->call);
			line_call_clear(l);
		}
		break;
	case FEATURE_ACTION_OTHER_BYE:
		if (!o->call)
			break;
		if (sip_call_get_state(o->call) == SIP_CALL_INCOMING)
			sip_call_reject(o->call, 480);
		else
			sip_call_hangup(o->call);
		break;
	case FEATURE_ACTION_OTHER_CLEAR:
		line_vq_report(l, o);
		line_slot_clear(o);
		break;
	case FEATURE_ACTION_REJECT_486:
		if (ev->call && ev->call != l->cur->call && ev->call != o->call) {
			sip_call_reject(ev->call, 486);
			line_count(l, CALL_DIR_INCOMING, CALL_RESULT_REJECTED);
		}
		break;
	case FEATURE_ACTION_FORWARD_BUSY:
		if (ev->call && ev->call != l->cur->call && ev->call != o->call)
			line_forward(l, ev->call, LINE_FORWARD_BUSY,
				     SIP_DIVERT_USER_BUSY);
		break;
	case FEATURE_ACTION_CW_START:
		/* the country's cadence repeats until it is stopped */
		tonegen_start(&l->cw_tone, l->country, TONE_CALL_WAITING);
		line_cidcw_start(l, o->who);
		break;
	case FEATURE_ACTION_CW_STOP:
		tonegen_stop(&l->cw_tone);
		line_cidcw_end(l);
		break;
	case FEATURE_ACTION_HOLD:
		line_hold(l, l->cur, true);
		break;
	case FEATURE_ACTION_RESUME:
		line_hold(l, l->cur, false);
		break;
	case FEATURE_ACTION_ANSWER:
		line_answer_200(l);
		break;
	case FEATURE_ACTION_SWAP:
		line_swap(l);
		break;
	case FEATURE_ACTION_FRONT_HANGUP:
		line_step(l, &hangup);
		break;
	case FEATURE_ACTION_FRONT_DIALTONE:
		line_front_enter(l, CALL_STATE_DIALTONE);
		break;
	case FEATURE_ACTION_FRONT_INCALL:
		/* the event's answer belongs to the call now in front */
		if (ev->sdp && ev->call && ev->call == l->cur->call &&
		    ev->type == CALL_EVENT_SUCCESS) {
			free(l->cur->remote_sdp);
			l->cur->remote_sdp = strdup(ev->sdp);
		}
		line_front_enter(l, CALL_STATE_INCALL);
		break;
	case FEATURE_ACTION_FRONT_RINGING:
		if (l->cur->who) {
			memcpy(l->caller, l->cur->remote, sizeof(l->caller));
			line_cid_prepare(l, l->cur->who);
		}
		line_front_enter(l, CALL_STATE_RINGING);
		break;
	case FEATURE_ACTION_RECALL_RING_START:
		line_log(l, LOG_INFO, "Ringing back for the held call with %s",
			 o->remote);
		line_ring(l, true);
		break;
	case FEATURE_ACTION_RECALL_RING_STOP:
		line_ring(l, false);
		break;
	case FEATURE_ACTION_TIMER_RECALL_START:
		line_timer_start(l, TIMER_RECALL, RECALL_USEC);
		break;
	case FEATURE_ACTION_TIMER_RECALL_STOP:
		line_timer_stop(l, TIMER_RECALL);
		break;
	default:
		break;
	}
}

/* What event @ev is to the feature machine; -1: the other call's, for
 * nothing (a provisional, a retransmission). */
static int line_feature_event(struct line *l, const struct line_event *ev)
{
	bool other = ev->call && l->other->call && ev->call == l->other->call;

	if (ev->feature >= 0)
		return ev->feature;
	switch (ev->type) {
	case CALL_EVENT_FLASH:
		if (l->state != CALL_STATE_INCALL)
			return FEATURE_EVENT_FLASH;
		return l->feat == FEATURE_STATE_HELD && l->cur->three_way &&
		       l->pc.three_way ? FEATURE_EVENT_FLASH_JOIN :
		       FEATURE_EVENT_FLASH_TALKING;
	case CALL_EVENT_OFFHOOK:
	case CALL_EVENT_OFFHOOK_HOTLINE:
	case CALL_EVENT_OFFHOOK_UNAVAILABLE:
		return FEATURE_EVENT_OFFHOOK;
	case CALL_EVENT_ONHOOK:
		/* a conference left to its two far ends: as attended */
		if (l->feat == FEATURE_STATE_CONFERENCE &&
		    l->pc.conference_hangup_transfer && l->cur->call &&
		    l->other->call && l->state == CALL_STATE_INCALL)
			return FEATURE_EVENT_ONHOOK_ATTENDED;
		if (l->feat != FEATURE_STATE_HELD || !l->pc.transfer_on_hangup ||
		    !l->cur->call || !l->other->call)
			return FEATURE_EVENT_ONHOOK;
		if (l->state == CALL_STATE_INCALL)
			return FEATURE_EVENT_ONHOOK_ATTENDED;
		if (l->state == CALL_STATE_TRYING ||
		    l->state == CALL_STATE_RINGBACK ||
		    l->state == CALL_STATE_EARLY)
			return FEATURE_EVENT_ONHOOK_BLIND;
		return FEATURE_EVENT_ONHOOK;
	case CALL_EVENT_INVITE:
		return l->state == CALL_STATE_INCALL && l->pc.call_waiting &&
		       !l->cur->no_cw ?
		       FEATURE_EVENT_INVITE_WAITABLE : FEATURE_EVENT_INVITE;
	case CALL_EVENT_INVITE_FORWARDABLE:
		return l->state == CALL_STATE_INCALL && l->pc.call_waiting ?
		       FEATURE_EVENT_INVITE_WAITABLE_FWD :
		       FEATURE_EVENT_INVITE_FWD;
	default:
		break;
	}
	if (!other) {
		bool ends = ev->type == CALL_EVENT_BYE ||
			    ev->type == CALL_EVENT_SIP_TIMEOUT ||
			    ev->type == CALL_EVENT_FAIL_BUSY ||
			    ev->type == CALL_EVENT_FAIL_OTHER;

		return l->feat == FEATURE_STATE_CONFERENCE && ends && ev->call &&
		       ev->call == l->cur->call ? FEATURE_EVENT_FRONT_ENDED :
		       FEATURE_EVENT_CALL;
	}
	switch (ev->type) {
	case CALL_EVENT_SUCCESS:
		return FEATURE_EVENT_OTHER_ANSWERED;
	case CALL_EVENT_OFFER:
	case CALL_EVENT_OFFER_T38:
		return FEATURE_EVENT_OTHER_OFFER;
	case CALL_EVENT_REINVITE_ANSWER:
		return FEATURE_EVENT_OTHER_ANSWER;
	case CALL_EVENT_BYE:
	case CALL_EVENT_CANCEL:
	case CALL_EVENT_FAIL_BUSY:
	case CALL_EVENT_FAIL_OTHER:
	case CALL_EVENT_SIP_TIMEOUT:
		return FEATURE_EVENT_OTHER_ENDED;
	default:
		return -1;
	}
}

/* Which INVITE event @ev is, by the port's services now (the guards of
 * fsm_invite_event(), printed by --dump-fsm). */
static void line_invite_event(struct line *l, struct line_event *ev)
{
	struct fsm_invite_facts f = {
		.usable = ev->type == CALL_EVENT_INVITE,
		.anonymous = ev->who && ev->who->anonymous,
		.anonymous_reject = l->svc.anonymous_reject,
		.dnd = l->svc.dnd,
		.forward_all = l->svc.forward[LINE_FORWARD_ALL][0] != '\0',
		.forward_busy = l->svc.forward[LINE_FORWARD_BUSY][0] != '\0',
	};

	ev->type = fsm_invite_event(&f);
}

static void line_feature_step(struct line *l, struct line_event *ev)
{
	struct feature_result res;
	enum feature_state from = l->feat;
	int fe;
	unsigned i;

	if (ev->feature < 0 && (ev->type == CALL_EVENT_INVITE ||
				ev->type == CALL_EVENT_INVITE_UNUSABLE))
		line_invite_event(l, ev);
	fe = line_feature_event(l, ev);

	if (fe < 0) {
		line_log(l, LOG_DEBUG, "%s of the second call: nothing to do",
			 call_event_to_string(ev->type));
		return;
	}
	if (feature_step(l->feat, fe, &res) < 0 || res.ignored) {
		line_log(l, LOG_DEBUG, "%s ignored (%s)",
			 feature_event_to_string(fe), res.note ? res.note : "");
		return;
	}
	l->feat_ev = fe;
	/* lifted during a message-waiting spill: it goes again later */
	if (fe == FEATURE_EVENT_OFFHOOK && l->state == CALL_STATE_IDLE &&
	    l->cid_playing && !l->cid_before_ring && l->mwi_known) {
		line_cid_drop(l);
		l->mwi_known = false;
		line_timer_start(l, TIMER_MWI, LINE_MWI_RETRY_USEC);
	}
	for (i = 0; i < res.n_actions; i++)
		line_feature_act(l, res.actions[i], ev);
	/* the hook switch, whatever the event became (onhook-blind, ...) */
	if (ev->feature < 0 && (ev->type == CALL_EVENT_OFFHOOK ||
				ev->type == CALL_EVENT_OFFHOOK_HOTLINE ||
				ev->type == CALL_EVENT_OFFHOOK_UNAVAILABLE ||
				ev->type == CALL_EVENT_ONHOOK) &&
	    l->offhook != (ev->type != CALL_EVENT_ONHOOK)) {
		l->offhook = ev->type != CALL_EVENT_ONHOOK;
		/* (the state it led to was told before: Hook was stale) */
		line_notify(l);
	}

	/* A new incoming call nobody took must not dangle. */
	if (line_event_is_invite(ev->type) && ev->call &&
	    ev->call != l->cur->call && ev->call != l->other->call &&
	    sip_call_get_state(ev->call) == SIP_CALL_INCOMING) {
		sip_call_reject(ev->call, 486);
		line_count(l, CALL_DIR_INCOMING, CALL_RESULT_REJECTED);
	}
	l->feat = res.next;
	if (from != l->feat) {
		line_log(l, LOG_INFO, "Feature %s => %s on %s",
			 feature_state_to_string(from),
			 feature_state_to_string(l->feat),
			 feature_event_to_string(fe));
		line_notify(l);
	}
}

static void line_process(struct line *l)
{
	if (l->stepping)
		return;
	l->stepping = true;
	while (l->q_len) {
		struct line_event ev = l->queue[l->q_head];

		l->q_head = (l->q_head + 1) % LINE_QUEUE;
		l->q_len--;
		line_feature_step(l, &ev);
		sip_call_unref(ev.call);
		free(ev.sdp);
		free(ev.who);
		free(ev.replaces);
	}
	l->stepping = false;
}

/* ---- driver events ---- */

/* The handset lifted: on a hotline port the call machine dials at once. */
static bool line_unavailable(struct line *l);

static enum call_event line_offhook_event(struct line *l)
{
	if (l->pc.hotline[0])
		return CALL_EVENT_OFFHOOK_HOTLINE;
	return line_unavailable(l) ? CALL_EVENT_OFFHOOK_UNAVAILABLE :
	       CALL_EVENT_OFFHOOK;
}

/*
 * The driver's queue overflowed, so a hook event may be among those lost
 * and the line out of step with the phone (off hook with the line idle,
 * or a call held up by a phone that was hung up).  Once the queue is
 * drained, the hook as it is now stands for the lost edges: if it differs
 * from what the last event said, the event it would have been is queued.
 */
static void line_hook_resync(struct line *l)
{
	bool offhook;

	l->hook_resync = false;
	if (port_get_hook(l->fd, &offhook) < 0 || offhook == l->hook_read)
		return;
	line_log(l, LOG_WARNING, "The phone is %s now: its hook event was lost",
		 offhook ? "off hook" : "on hook");
	l->hook_read = offhook;
	line_queue(l, offhook ? line_offhook_event(l) : CALL_EVENT_ONHOOK, 0,
		   NULL, NULL, 0);
}

static int line_fd_ready(sd_event_source *s, int fd, uint32_t revents,
			 void *userdata)
{
	struct line *l = userdata;
	struct port_event evs[16];
	ssize_t n;
	int i;

	(void)s;
	n = port_read_events(fd, evs, 16);
	if (n < 0) {
		if (n == -ENODEV || (revents & EPOLLHUP))
			line_detach(l);
		return 0;
	}
	for (i = 0; i < n; i++) {
		switch (evs[i].type) {
		case PORT_EVENT_OFFHOOK:
			l->hook_read = true;
			line_queue(l, line_offhook_event(l), 0, NULL, NULL, 0);
			break;
		case PORT_EVENT_ONHOOK:
			l->hook_read = false;
			line_queue(l, CALL_EVENT_ONHOOK, 0, NULL, NULL, 0);
			break;
		case PORT_EVENT_FLASH:
			line_queue(l, CALL_EVENT_FLASH, 0, NULL, NULL, 0);
			break;
		case PORT_EVENT_DIGIT:
			line_queue(l, CALL_EVENT_DIGIT, '0' + evs[i].value % 10,
				   NULL, NULL, 0);
			break;
		case PORT_EVENT_RING_OFF:
			/* The end of the burst before the longest silence
			 * (the first, with a plain cadence): the spill's
			 * slot. */
			if (!evs[i].value && l->ring_bursts++ == l->cid_burst &&
			    l->cid && !l->cid_playing &&
			    !l->timers[TIMER_CALLER_ID])
				line_timer_start(l, TIMER_CALLER_ID, 600000);
			break;
		case PORT_EVENT_OVERFLOW:
			line_log(l, LOG_WARNING, "%u driver events lost",
				 evs[i].value);
			l->hook_resync = true;
			break;
		case PORT_EVENT_REMOVED:
			line_detach(l);
			return 0;
		case PORT_EVENT_POWER_ALARM:
			line_log(l, LOG_ERR,
				 "power alarm (cause 0x%02x): the driver opened the line",
				 evs[i].value);
			break;
		default:
			break;
		}
	}
	if (l->hook_resync && n < 16)
		line_hook_resync(l);
	return 0;
}

/* ---- SIP callbacks ---- */

static void line_on_registration(struct sip_agent *a, enum sip_reg_state st,
				 int status, unsigned int expires, void *userdata)
{
	struct line *l = userdata;

	(void)a;
	l->reg_state = st;
	if (st == SIP_REG_FAILED || st == SIP_REG_REGISTERED) {
		l->reg_status = status;
		l->reg_failed = st == SIP_REG_FAILED;
	}
	line_notify(l);
	line_log(l, st == SIP_REG_FAILED ? LOG_WARNING : LOG_INFO,
		 "Registration %s (status %d, expires %u)",
		 sip_reg_state_to_string(st), status, expires);
}

static void line_on_invite(struct sip_agent *a, struct sip_call *call,
			   const struct sip_caller *caller, const char *sdp,
			   void *userdata)
{
	struct line *l = userdata;
	struct line_event *ev;
	struct sdp_local loc = line_sdp_codecs(l, NULL);
	struct sdp_media m;
	int r;

	(void)a;
	line_log(l, LOG_INFO, "Incoming call from \"%s\" <%s> to %s",
		 caller->display_name, caller->from, caller->request_user);
	/* an offer we cannot answer never rings (no SDP: a late offer) */
	r = sdp ? sdp_parse_codecs(sdp, &loc, &m) : 0;
	if (r >= 0 && sdp)
		r = sdp_srtp_check(&m, line_srtp_policy(l));
	if (r < 0) {
		line_log(l, LOG_NOTICE, "The offer cannot be answered: %s",
			 strerror(-r));
		ev = line_queue(l, CALL_EVENT_INVITE_UNUSABLE, 0, call, NULL, r);
		if (ev) {
			ev->who = malloc(sizeof(*ev->who));
			if (ev->who)
				*ev->who = *caller;
		}
		sip_call_unref(call);
		return;
	}
	if (l->state == CALL_STATE_IDLE && l->feat == FEATURE_STATE_SINGLE) {
		line_who_format(caller, l->caller, sizeof(l->caller));
		line_cid_prepare(l, caller);
	}
	ev = line_queue(l, CALL_EVENT_INVITE, 0, call, sdp, 0);
	if (ev) {
		ev->who = malloc(sizeof(*ev->who));
		if (ev->who)
			*ev->who = *caller;
	}
	sip_call_unref(call);	/* the queue took its own reference */
}

static void line_on_call_state(struct sip_call *call, enum sip_call_state st,
			       int status, const char *sdp, void *userdata)
{
	struct line *l = userdata;
	enum call_event ev;

	if (call != l->cur->call && call != l->other->call) {
		if (st == SIP_CALL_ANSWERED && sip_call_is_outgoing(call))
			line_queue(l, CALL_EVENT_SUCCESS_STRAY, 0, call, NULL, 0);
		return;
	}
	switch (st) {
	case SIP_CALL_RINGING:
		ev = CALL_EVENT_PROVISIONAL_RINGING;
		break;
	case SIP_CALL_EARLY:
		ev = CALL_EVENT_PROVISIONAL_EARLY;
		break;
	case SIP_CALL_ANSWERED:
		if (!sip_call_is_outgoing(call))
			return;
		ev = CALL_EVENT_SUCCESS;
		break;
	case SIP_CALL_CONFIRMED:
		ev = CALL_EVENT_ACK;
		break;
	case SIP_CALL_FAILED:
		ev = status == 486 || status == 600 ? CALL_EVENT_FAIL_BUSY :
		     status == 408 ? CALL_EVENT_SIP_TIMEOUT : CALL_EVENT_FAIL_OTHER;
		break;
	case SIP_CALL_CANCELLED:
		ev = CALL_EVENT_CANCEL;
		break;
	case SIP_CALL_TERMINATED:
		ev = CALL_EVENT_BYE;
		break;
	default:
		return;
	}
	line_queue(l, ev, 0, call, sdp, status);
}

/* An offer in a dialog (re-INVITE, UPDATE): the OFFER event; one of
 * T.38 without audio, on a port with fax = t38, is OFFER_T38. */
static void line_on_offer(struct sip_call *call, const char *sdp,
			  void *userdata)
{
	struct line *l = userdata;
	enum call_event ev = CALL_EVENT_OFFER;
	struct sdp_image img;
	struct sdp_local loc;
	struct sdp_media m;

	if (l->pc.fax == CONFIG_FAX_T38 && sdp &&
	    sdp_parse_t38(sdp, &img) == 0) {
		loc = line_sdp_codecs(l, l->cur);
		if (sdp_parse_codecs(sdp, &loc, &m) == -ENOMEDIUM)
			ev = CALL_EVENT_OFFER_T38;
	}
	line_queue(l, ev, 0, call, sdp, 0);
}

/* The outcome of our re-INVITE (hold, resume): a 2xx's answer is the
 * REINVITE_ANSWER event; a 481 or 408 ends the call (sip/ reports it as
 * terminated); any other failure leaves the session as it was. */
static void line_on_reinvite(struct sip_call *call, int status,
			     const char *sdp, void *userdata)
{
	struct line *l = userdata;

	if (call == l->cur->call && l->cur->t38_offered) {
		l->cur->t38_offered = false;
		line_log(l, LOG_NOTICE, "Our T.38 offer was answered %d", status);
		line_queue(l, status >= 200 && status < 300 ?
			   CALL_EVENT_T38_ACCEPTED : CALL_EVENT_T38_REFUSED,
			   0, call, sdp, status);
		return;
	}
	if (status >= 200 && status < 300) {
		line_queue(l, CALL_EVENT_REINVITE_ANSWER, 0, call, sdp, status);
		return;
	}
	line_log(l, LOG_NOTICE, "The re-INVITE was answered %d%s", status,
		 status == 481 || status == 408 ? ": the call is gone" :
		 ": the session stays as it was");
}

/* Our REFER's progress: its own answer first (202, or a failure), then
 * each NOTIFY's sipfrag; a 2xx sipfrag is done, 300 and more failed. */
static void line_on_refer_progress(struct sip_call *call, int status,
				   void *userdata)
{
	struct line *l = userdata;
	struct line_call *o = l->other;
	struct line_event *ev;
	bool first;

	if (call != o->call)
		return;
	first = o->refer_reports++ == 0;
	line_log(l, LOG_INFO, "Transfer: %s %d", first ? "REFER answered" :
		 "NOTIFY says", status);
	if (status < 200 || (first && status < 300))
		return;
	ev = line_queue(l, CALL_EVENT_TIMER_TONE, 0, call, NULL, status);
	if (ev)
		ev->feature = status < 300 ? FEATURE_EVENT_REFER_OK :
			      FEATURE_EVENT_REFER_FAILED;
}

/* The far end transfers us (REFER; the SIP layer answered 202 and sent
 * NOTIFY 100): taken in a talking call with no second one. */
static void line_on_refer(struct sip_call *call, const char *target,
			  const char *replaces, void *userdata)
{
	struct line *l = userdata;
	struct line_event *ev;
	bool take = call == l->cur->call && l->state == CALL_STATE_INCALL &&
		    l->feat == FEATURE_STATE_SINGLE;

	ev = line_queue(l, CALL_EVENT_TIMER_TONE, 0, call, target, 0);
	if (!ev)
		return;
	ev->feature = take ? FEATURE_EVENT_REFER_IN :
		      FEATURE_EVENT_REFER_IN_REFUSED;
	ev->replaces = replaces ? strdup(replaces) : NULL;
}

/* message-summary (RFC 3842): the stutter dial tone and the lamp */
static void line_on_mwi(struct sip_agent *a, const struct sip_mwi *mwi,
			void *userdata)
{
	struct line *l = userdata;

	(void)a;
	if (mwi->waiting != l->mwi_waiting || mwi->new_msgs != l->mwi_new ||
	    mwi->old_msgs != l->mwi_old)
		line_log(l, LOG_INFO, "Messages waiting: %s (%u new, %u old)",
			 mwi->waiting ? "yes" : "no", mwi->new_msgs,
			 mwi->old_msgs);
	l->mwi_waiting = mwi->waiting;
	l->mwi_new = mwi->new_msgs;
	l->mwi_old = mwi->old_msgs;
	line_notify(l);
	line_mwi_spill(l);
}

/* The provider's NOTIFY check-sync: up to the manager (provisioning). */
static void line_on_check_sync(struct sip_agent *a, void *userdata)
{
	struct line *l = userdata;

	(void)a;
	if (l->check_sync)
		l->check_sync(l, l->check_sync_ud);
}

/* A digit from the far end in SIP INFO: played as RFC 4733 ones are. */
static void line_on_dtmf(struct sip_call *call, char digit,
			 unsigned duration_ms, void *userdata)
{
	struct line *l = userdata;
	unsigned ms = duration_ms ? duration_ms : FAR_DTMF_MS_DEFAULT;

	if (call != l->cur->call || !l->cur->media || !l->cur->rtp) {
		line_log(l, LOG_INFO, "Far-end DTMF %c (SIP INFO) outside the call's media, not played",
			 digit);
		return;
	}
	if (ms < FAR_DTMF_MS_MIN)
		ms = FAR_DTMF_MS_MIN;
	if (ms > FAR_DTMF_MS_MAX)
		ms = FAR_DTMF_MS_MAX;
	line_log(l, LOG_INFO, "Far-end DTMF %c (%u ms, SIP INFO)", digit, ms);
	line_play_digit(l, digit, ms);
}

static void line_sip_log(void *userdata, int priority, const char *fmt, ...)
{
	struct line *l = userdata;
	va_list ap;

	va_start(ap, fmt);
	log_portv(priority, l->index, line_call_id(l), line_state_name(l), fmt,
		  ap);
	va_end(ap);
}

static const struct sip_callbacks line_sip_callbacks = {
	.on_registration = line_on_registration,
	.on_invite = line_on_invite,
	.on_call_state = line_on_call_state,
	.on_offer = line_on_offer,
	.on_reinvite = line_on_reinvite,
	.on_mwi = line_on_mwi,
	.on_refer_progress = line_on_refer_progress,
	.on_refer = line_on_refer,
	.on_dtmf = line_on_dtmf,
	.on_check_sync = line_on_check_sync,
	.log = line_sip_log,
};

/* ---- life ---- */

const struct line_services *line_services(const struct line *l)
{
	return &l->svc;
}

int line_set_dnd(struct line *l, bool on)
{
	if (l->svc.dnd != on) {
		l->svc.dnd = on;
		line_log(l, LOG_INFO, "Do not disturb %s", on ? "on" : "off");
		line_notify(l);
	}
	return 0;
}

int line_set_forward(struct line *l, enum line_forward kind,
		     const char *target)
{
	char *f;

	if ((unsigned)kind >= _LINE_FORWARD_MAX ||
	    (target && *target && !config_forward_valid(target)))
		return -EINVAL;
	f = l->svc.forward[kind];
	if (!strcmp(f, target ? target : ""))
		return 0;
	snprintf(f, sizeof(l->svc.forward[kind]), "%s", target ? target : "");
	/* a ring already timed for forwarding rings on */
	if (kind == LINE_FORWARD_NO_ANSWER && !*f)
		line_timer_stop(l, TIMER_FORWARD);
	line_log(l, LOG_INFO, "Forwarding (%s) %s%s",
		 line_forward_to_string(kind), *f ? "to " : "off", f);
	line_notify(l);
	return 0;
}

int line_set_anonymous_reject(struct line *l, bool on)
{
	if (l->svc.anonymous_reject != on) {
		l->svc.anonymous_reject = on;
		line_log(l, LOG_INFO, "Anonymous call rejection %s",
			 on ? "on" : "off");
		line_notify(l);
	}
	return 0;
}

int line_new(sd_event *event, const struct fxsd_config *cfg,
	     const struct fxsd_port_config *pc, struct line **ret)
{
	const struct fxsd_global_config *g = &cfg->global;
	struct sip_account acct;
	char err[256];
	struct line *l;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->event = sd_event_ref(event);
	l->global = *g;
	l->pc = *pc;
	l->index = pc->index;
	l->fd = -1;
	l->pcm_fd = -1;
	l->state = CALL_STATE_IDLE;
	l->feat = FEATURE_STATE_SINGLE;
	l->svc.dnd = pc->dnd;
	l->svc.anonymous_reject = pc->anonymous_reject;
	memcpy(l->svc.forward[LINE_FORWARD_ALL], pc->forward_all,
	       sizeof(pc->forward_all));
	memcpy(l->svc.forward[LINE_FORWARD_BUSY], pc->forward_busy,
	       sizeof(pc->forward_busy));
	memcpy(l->svc.forward[LINE_FORWARD_NO_ANSWER], pc->forward_no_answer,
	       sizeof(pc->forward_no_answer));
	l->svc.forward_no_answer_secs = pc->forward_no_answer_secs;
	l->slot[0].line = l->slot[1].line = l;
	l->cur = &l->slot[0];
	l->other = &l->slot[1];
	l->country = tone_country_from_string(
		config_tone_country_to_string(pc->tone_country));
	if ((int)l->country < 0)
		l->country = TONE_COUNTRY_US;
	l->last_mos_x10 = -1;
	if (pc->voice_menu[0] || pc->unavailable_announcement)
		line_prompts_load(l);

	dtmf_detector_init(&l->dtmf, line_dtmf_event, l);
	r = echo_canceller_new(pc->echo_tail_ms, true, &l->ec);
	if (r < 0)
		goto fail;
	r = modem_detector_new(&l->modem_phone);
	if (r < 0)
		goto fail;
	r = modem_detector_new(&l->modem_far);
	if (r < 0)
		goto fail;
	r = sd_event_add_defer(event, &l->defer, line_defer_run, l);
	if (r < 0)
		goto fail;
	sd_event_source_set_enabled(l->defer, SD_EVENT_OFF);
	r = digitmap_parse(pc->digit_map, &l->digitmap, err, sizeof(err));
	if (r < 0) {
		log_error("%s:%u: [port %d] digit_map: %s", cfg->path, pc->line,
			  pc->index, err);
		goto fail;
	}
	if (pc->srtp != CONFIG_SRTP_OFF) {
		r = srtp_channel_init();
		if (r < 0) {
			log_error("[port %d] Failed to initialise libsrtp", pc->index);
			goto fail;
		}
	}
	acct = (struct sip_account){
		.user = pc->user,
		.auth_user = pc->auth_user,
		.password = pc->password,
		.display_name = pc->display_name,
		.domain = pc->domain,
		.registrar = pc->registrar,
		.outbound_proxy = pc->outbound_proxy[0] ? pc->outbound_proxy : NULL,
		.register_enabled = pc->register_enabled,
		.expires = pc->expires,
		.allow_unknown_callers = pc->allow_unknown_callers,
		.contact_token = pc->contact_token,
		.local_port = g->sip_port + 2 * pc->index,
		.nat_address = g->nat_address[0] ? g->nat_address : NULL,
		.max_transactions = g->max_transactions,
		.max_dialogs = g->max_dialogs,
		.max_message_size = g->max_message_size,
		.transport = pc->transport == CONFIG_TRANSPORT_TLS ?
			     SIP_TRANSPORT_TLS :
			     pc->transport == CONFIG_TRANSPORT_TCP ?
			     SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP,
		.transport_auto = pc->transport == CONFIG_TRANSPORT_AUTO,
		.dns_server = g->dns_server[0] ? g->dns_server : NULL,
		.bind_address = g->bind_address[0] ? g->bind_address : NULL,
		.failover_timeout_ms = g->failover_timeout_ms,
		.failover_probe_s = g->failover_probe_secs,
		.tls_ca_file = pc->tls_ca_file[0] ? pc->tls_ca_file : NULL,
		.tls_pin = pc->tls_pin[0] ? pc->tls_pin : NULL,
		.tls_cert = pc->tls_cert[0] ? pc->tls_cert : NULL,
		.tls_key = pc->tls_key[0] ? pc->tls_key : NULL,
		.mwi_subscribe = pc->mwi_subscribe,
		.mwi_server = pc->mwi_server[0] ? pc->mwi_server : NULL,
		.mwi_expires = pc->mwi_expires,
		.vq_collector = pc->vq_collector[0] ? pc->vq_collector : NULL,
		.session_expires = pc->session_expires,
		.min_se = pc->min_se,
		.nat_off = g->nat == CONFIG_NAT_OFF,
		.stun_server = pc->stun_server[0] ? pc->stun_server : NULL,
		.keepalive = g->keepalive == CONFIG_KEEPALIVE_OFF ?
			     SIP_KEEPALIVE_OFF :
			     g->keepalive == CONFIG_KEEPALIVE_OPTIONS ?
			     SIP_KEEPALIVE_OPTIONS : SIP_KEEPALIVE_CRLF,
		.keepalive_ms = g->keepalive_interval * 1000,
	};
	r = sip_agent_new(event, &acct, &line_sip_callbacks, l, &l->agent);
	if (r < 0) {
		log_error("%s:%u: [port %d] Failed to start SIP on port %u: %s",
			  cfg->path, pc->line, pc->index, acct.local_port,
			  strerror(-r));
		goto fail;
	}
	*ret = l;
	return 0;
fail:
	line_free(l);
	return r;
}

int line_attach(struct line *l, const char *devnode)
{
	bool offhook;
	int r;

	if (l->fd >= 0)
		return 0;
	snprintf(l->devnode, sizeof(l->devnode), "%s", devnode);
	r = port_open(devnode);
	if (r < 0) {
		line_log(l, LOG_ERR, "Failed to open %s: %m", devnode);
		return r;
	}
	l->fd = r;
	l->pcm_ref = true;
	r = port_pcm_open(l->fd, 20, true, &l->pcm_fd);
	if (r == -EINVAL) {
		/* An older driver: no reference for the echo canceller.  The
		 * audio written is the reference, its echo comes the play
		 * queue later: the tail covers that too. */
		unsigned tail = l->pc.echo_tail_ms +
				(l->pc.play_cushion_frames + 1) * 20;
		struct echo_canceller *ec;

		l->pcm_ref = false;
		line_log(l, LOG_NOTICE, "The driver gives no echo reference (FXS_PCM_MODE_REFERENCE): the canceller uses the audio written, whose echo moves with the play queue (tail %u ms)",
			 tail > 256 ? 256 : tail);
		if (echo_canceller_new(tail > 256 ? 256 : tail, true, &ec) >= 0) {
			echo_canceller_free(l->ec);
			l->ec = ec;
		}
		r = port_pcm_open(l->fd, 20, false, &l->pcm_fd);
	}
	if (r < 0) {
		line_log(l, LOG_ERR, "Failed to start audio on %s: %m", devnode);
		goto fail;
	}
	/* (an older driver has no FXS_IOC_PCM_DROP: tones go unqueued) */
	l->pcm_drop = !port_pcm_drop(l->pcm_fd);
	r = sd_event_add_io(l->event, &l->fd_source, l->fd, EPOLLIN,
			    line_fd_ready, l);
	if (r >= 0)
		r = sd_event_add_io(l->event, &l->pcm_source, l->pcm_fd,
				    EPOLLIN, line_pcm_ready, l);
	if (r < 0)
		goto fail;
	line_log(l, LOG_INFO, "Attached %s", devnode);
	if (!l->agent_started || l->reg_state == SIP_REG_UNREGISTERED) {
		r = sip_agent_start(l->agent);
		if (r < 0)
			line_log(l, LOG_WARNING, "Failed to start registering: %s",
				 strerror(-r));
		l->agent_started = true;
	}
	l->hook_read = false;
	l->hook_resync = false;
	if (!port_get_hook(l->fd, &offhook) && offhook) {
		l->hook_read = true;
		line_queue(l, line_offhook_event(l), 0, NULL, NULL, 0);
	}
	line_notify(l);
	return 0;
fail:
	line_detach(l);
	return r;
}

void line_detach(struct line *l)
{
	unsigned int t;

	if (l->fd < 0)
		return;
	line_log(l, LOG_INFO, "Detached");
	if (l->cur->call)
		sip_call_hangup(l->cur->call);
	line_call_clear(l);
	if (l->other->call &&
	    sip_call_get_state(l->other->call) == SIP_CALL_INCOMING)
		sip_call_reject(l->other->call, 480);
	else if (l->other->call)
		sip_call_hangup(l->other->call);
	line_slot_clear(l->other);
	l->feat = FEATURE_STATE_SINGLE;
	l->mixing = false;
	tonegen_stop(&l->cw_tone);
	line_cidcw_end(l);
	line_tone_stop(l);
	for (t = 0; t < _TIMER_MAX; t++)
		line_timer_stop(l, t);
	l->fd_source = sd_event_source_disable_unref(l->fd_source);
	l->pcm_source = sd_event_source_disable_unref(l->pcm_source);
	if (l->pcm_fd >= 0)
		close(l->pcm_fd);
	close(l->fd);
	l->fd = l->pcm_fd = -1;
	l->state = CALL_STATE_IDLE;
	l->offhook = false;
	if (l->agent_started)
		sip_agent_stop(l->agent);
	line_notify(l);
}

struct line *line_free(struct line *l)
{
	unsigned int i;

	if (!l)
		return NULL;
	line_detach(l);
	for (i = 0; i < l->q_len; i++) {
		struct line_event *ev = &l->queue[(l->q_head + i) % LINE_QUEUE];

		sip_call_unref(ev->call);
		free(ev->sdp);
		free(ev->who);
		free(ev->replaces);
	}
	line_call_clear(l);
	line_slot_clear(l->other);
	l->agent = sip_agent_free(l->agent);
	l->defer = sd_event_source_disable_unref(l->defer);
	l->test_ring = sd_event_source_disable_unref(l->test_ring);
	l->digitmap = digitmap_free(l->digitmap);
	l->ec = echo_canceller_free(l->ec);
	l->modem_phone = modem_detector_free(l->modem_phone);
	l->modem_far = modem_detector_free(l->modem_far);
	free(l->cid);
	free(l->cw_sig);
	line_prompts_free(l);
	sd_event_unref(l->event);
	free(l);
	return NULL;
}

void line_get_status(const struct line *l, struct line_status *ret)
{
	struct rtp_stats st = { 0 };
	unsigned play;
	double play_ms = -1;

	if (l->cur->rtp)
		rtp_session_get_stats(l->cur->rtp, &st);
	if (l->pcm_fd >= 0 && !port_pcm_delay(l->pcm_fd, &play))
		play_ms = play / 8.0;
	*ret = (struct line_status){
		.index = l->index,
		.attached = l->fd >= 0,
		.offhook = l->offhook,
		.state = l->state,
		.reg = l->reg_state,
		.transport_error = l->agent ?
				   sip_agent_transport_error(l->agent) : "",
		.remote = l->cur->remote,
		.codec = l->cur->codec ? l->cur->codec : "",
		.rtp_packets_sent = st.packets_sent,
		.rtp_packets_received = st.packets_received,
		.rtp_lost = st.lost,
		.jitter_ms = st.jitter_ms,
		.erle_db = l->echo.erle_db,
		.echo_delay_ms = l->echo.delay_ms,
		.echo_diverged = l->echo.diverged,
		.play_delay_ms = play_ms,
		.play_trimmed = l->frames_dropped,
		.play_dry = l->play_dry,
		.play_low_ms = l->play_last_low == UINT_MAX || !l->writing ? -1 :
			       l->play_last_low / 8.0,
		.mos = st.mos,
		.feature = feature_state_to_string(l->feat),
		.second = l->other->call ? l->other->remote : "",
		.mwi_waiting = l->mwi_waiting,
		.mwi_new = l->mwi_new,
		.mwi_old = l->mwi_old,
	};
}

void line_set_check_sync(struct line *l,
			 void (*fn)(struct line *l, void *ud), void *userdata)
{
	l->check_sync = fn;
	l->check_sync_ud = userdata;
}

void line_set_notify(struct line *l, void (*fn)(struct line *l, void *ud),
		     void *userdata)
{
	l->notify = fn;
	l->notify_ud = userdata;
}

int line_hangup(struct line *l)
{
	if (!l->cur->call)
		return -ENOENT;
	line_log(l, LOG_NOTICE, "Hanging up on request");
	sip_call_hangup(l->cur->call);
	line_queue(l, CALL_EVENT_BYE, 0, l->cur->call, NULL, 0);
	return 0;
}

static int line_test_ring_end(sd_event_source *s, uint64_t usec, void *ud)
{
	struct line *l = ud;

	(void)usec;
	(void)s;
	l->test_ring = sd_event_source_disable_unref(l->test_ring);
	if (l->state == CALL_STATE_IDLE && l->feat == FEATURE_STATE_SINGLE)
		line_ring(l, false);
	return 0;
}

int line_test_ring(struct line *l, unsigned seconds)
{
	int r;

	if (l->fd < 0)
		return -ENODEV;
	if (l->state != CALL_STATE_IDLE || l->offhook ||
	    l->feat != FEATURE_STATE_SINGLE)
		return -EBUSY;
	line_log(l, LOG_NOTICE, "Test ring for %u s", seconds);
	line_ring(l, true);
	l->test_ring = sd_event_source_disable_unref(l->test_ring);
	r = sd_event_add_time_relative(l->event, &l->test_ring, CLOCK_MONOTONIC,
				       (uint64_t)seconds * 1000000, 10000,
				       line_test_ring_end, l);
	return r < 0 ? r : 0;
}

int line_test_tone(struct line *l, const char *name)
{
	bool none = name && !strcmp(name, "none");
	enum tone_id t = tone_id_from_string(name);

	if (t < 0 && !none)
		return -EINVAL;
	if (l->fd < 0)
		return -ENODEV;
	if (!l->offhook || (l->state != CALL_STATE_DIALTONE &&
			    l->state != CALL_STATE_DIALING))
		return -EBUSY;
	if (none) {
		line_log(l, LOG_NOTICE, "Test tone stopped");
		line_tone_stop(l);
		return 0;
	}
	line_log(l, LOG_NOTICE, "Test tone %s (%s)", tone_id_to_string(t),
		 tone_country_to_string(l->country));
	line_tone(l, t);
	return 0;
}

const char *line_devnode(const struct line *l)
{
	return l->fd >= 0 ? l->devnode : NULL;
}

const struct fxsd_port_config *line_config(const struct line *l)
{
	return &l->pc;
}

int line_index(const struct line *l)
{
	return l->index;
}

bool line_attached(const struct line *l)
{
	return l->fd >= 0;
}

enum call_state line_state(const struct line *l)
{
	return l->state;
}

enum sip_reg_state line_reg_state(const struct line *l)
{
	return l->reg_state;
}

void line_get_metrics(const struct line *l, struct line_metrics *ret)
{
	struct rtp_stats st = { 0 };
	struct port_counters pc;

	*ret = (struct line_metrics){
		.index = l->index,
		.attached = l->fd >= 0,
		.reg = l->reg_state,
		.active_calls = (l->state == CALL_STATE_INCALL && l->cur->call) +
				(l->other->call != NULL),
		.c = &l->counters,
	};
	if (l->cur->rtp && l->cur->answered) {
		rtp_session_get_stats(l->cur->rtp, &st);
		ret->in_call = true;
		ret->live_sent = st.packets_sent;
		ret->live_received = st.packets_received;
		ret->live_lost = st.lost > 0 ? (uint64_t)st.lost : 0;
		ret->jitter_ms = st.jitter_ms;
	}
	if (l->fd >= 0 && !port_get_counters(l->fd, &pc)) {
		ret->driver = true;
		ret->offhooks = pc.offhooks;
		ret->onhooks = pc.onhooks;
		ret->flashes = pc.flashes;
		ret->pulse_digits = pc.digits;
		ret->underruns = pc.pcm_underruns;
		ret->overruns = pc.pcm_overruns;
	}
}
