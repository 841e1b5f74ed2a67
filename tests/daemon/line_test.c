// SPDX-License-Identifier: GPL-2.0-only
/*
 * line_test.c - the line-level test layer: one Line of fxsd in-process
 * (daemon/line/, the real SIP agent of daemon/sip/ on a UDP socket of
 * 127.0.0.1, daemon/media/ and daemon/dsp/), with the fake port of
 * fake_port.c in place of daemon/port/ and a scripted far end here.
 *
 * The far end is one UDP socket on 127.0.0.1 (the port's "provider", its
 * domain): the test writes each SIP message as text and reads what the
 * line sends with a minimal parser (start line, headers by name, body).
 * Each dialog is a party with an RTP socket of its own, which can send a
 * steady tone (PCMU, 20 ms packets) and measures what it receives.
 *
 * The test is the phone and the driver's clock: every 20 ms (a timer of
 * the same sd-event loop the line runs on) fake_port_tick() plays one
 * frame of what the line wrote and hands it a captured one; each played
 * frame is classified by Goertzel filters of our own (dial tone, ringback,
 * busy, call waiting, a party's tone, silence).  Cases wait on conditions
 * with a bound (WAIT()), never for a fixed time.
 *
 * Each case asserts on the wire (the messages the far end received) and
 * on the port (ringing, the audio the phone got, the line's state).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "line/feature.h"
#include "line/fsm.h"
#include "line/line.h"
#include "log.h"
#include "media/codec.h"
#include "media/g711.h"
#include "media/udptl.h"

#include "fake_port.h"
#include "line_fax.h"
#include "ncc.h"
#include "unit.h"

#define MSG_MAX		256	/* messages kept per case */
#define PARTY_MAX	4
#define HIST		1024	/* played frames classified, ring */

/* ---- what the phone heard ---- */

enum sound {
	SND_SILENT,
	SND_DIAL,	/* 350 + 440 Hz */
	SND_RINGBACK,	/* 440 + 480 Hz */
	SND_BUSY,	/* 480 + 620 Hz (busy, reorder) */
	SND_CW,		/* 440 Hz alone (call waiting) */
	SND_A,		/* party 0's tone */
	SND_B,		/* party 1's tone */
	SND_C,		/* party 2's tone */
	SND_OTHER,
};

static const char *const sound_names[] = {
	"silence", "dial", "ringback", "busy", "cw", "A", "B", "C", "other"
};

/* The parties' tones, far from the call-progress tones and each other. */
static const double party_hz[PARTY_MAX] = { 700, 1300, 1900, 2500 };

/* Amplitude of @hz in @x (@n samples at 8 kHz), Goertzel. */
static double goertzel(const int16_t *x, size_t n, double hz)
{
	double w = 2 * M_PI * hz / 8000, c = 2 * cos(w), s1 = 0, s2 = 0, p;
	size_t i;

	for (i = 0; i < n; i++) {
		double s = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s;
	}
	p = s1 * s1 + s2 * s2 - c * s1 * s2;
	return 2 * sqrt(p > 0 ? p : 0) / n;
}

static enum sound classify(const int16_t *x, size_t n)
{
	double e = 0, a350, a440, a480, a620, strong = 2000, weak = 1500;
	size_t i;
	int k;

	for (i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	if (sqrt(e / n) < 100)
		return SND_SILENT;
	a350 = goertzel(x, n, 350);
	a440 = goertzel(x, n, 440);
	a480 = goertzel(x, n, 480);
	a620 = goertzel(x, n, 620);
	if (a350 > strong && a440 > strong)
		return SND_DIAL;
	if (a440 > strong && a480 > strong && a350 < weak)
		return SND_RINGBACK;
	if (a480 > strong && a620 > strong)
		return SND_BUSY;
	if (a440 > strong && a350 < weak && a480 < weak)
		return SND_CW;
	for (k = 0; k < 3; k++)
		if (goertzel(x, n, party_hz[k]) > strong)
			return SND_A + k;
	return SND_OTHER;
}

/* ---- the SIP far end ---- */

struct msg {
	char *text;		/* NUL-terminated, the whole datagram */
	char *body;		/* into text, after the blank line */
	bool request;
	char method[16];	/* request */
	int status;		/* response */
	bool taken;		/* a case consumed it */
};

/* One dialog of the far end, with its media. */
struct party {
	bool used;
	int idx;
	char call_id[128];
	char local[320];	/* our From/To header value, with our tag */
	char remote[320];	/* theirs */
	char target[256];	/* the line's Contact URI */
	char ruri[256];		/* our INVITE's request URI (we called) */
	char branch[64];	/* our INVITE's branch (for CANCEL, ACK) */
	unsigned cseq;		/* our last CSeq */
	unsigned invite_cseq;
	char ack[2048];		/* the last ACK sent, for a resent 2xx */
	unsigned sdp_version;
	/* media */
	int rtp_fd;
	uint16_t rtp_port;
	uint16_t line_rtp_port;	/* from the line's SDP */
	bool send_tone;
	uint16_t seq;
	uint32_t ts;
	double phase;
	unsigned rx_packets;
	unsigned rx_frames[SND_OTHER + 1];	/* frames received, by sound */
	unsigned rx_hz_frames[PARTY_MAX];	/* frames with party k's tone */
	struct codec *g729;	/* offers and talks G.729 (PT 18), not PCMU */
	struct codec *opus;	/* offers and talks Opus (PT 111) with
				 * telephone-event/48000 (PT 110) */
	unsigned rx_bytes;	/* payload bytes received */
	bool xr;		/* offers a=rtcp-xr:voip-metrics */
	int rtcp_fd;		/* RTCP at rtp_port + 1 (party_rtcp()), or -1 */
	/* telephone-events received (PT 110 or 101): the last one */
	unsigned ev_packets;
	int ev_pt;
	uint32_t ev_ts, ev_duration, audio_ts;
	bool ev_end;
	/* T.38: UDPTL in place of RTP */
	bool udptl;
	unsigned rx_udptl;	/* UDPTL packets received */
	unsigned rx_not_udptl;	/* other datagrams received meanwhile */
	unsigned rx_v21;	/* of them, with the V.21 preamble indicator */
	uint16_t v21_seq;	/* the sequence number of the last of those */
	bool send_ced;		/* send the CED indicator */
	uint16_t udptl_seq;
	const char *answer_sdp;	/* respond()'s body in place of our audio */
	struct far_fax *fax;	/* a T.38 fax terminal on the UDPTL, or NULL */
};

struct lt {
	sd_event *event;
	char dir[64];
	char conf[128];
	char extra[512];	/* the case's configuration, @FAR@ filled */
	struct fxsd_config *config;
	struct line *line;
	int sip_fd;
	uint16_t sip_port;	/* ours */
	uint16_t line_port;	/* the line's */
	sd_event_source *sip_src, *clock;
	struct msg msgs[MSG_MAX];
	size_t n_msgs;
	unsigned branch_no, tag_no;
	struct party party[PARTY_MAX];
	/* the phone */
	enum sound hist[HIST];
	uint64_t frames;	/* frames played */
	uint64_t mark;		/* frame count at the last mark() */
	unsigned heard[SND_OTHER + 1];	/* frames of each since the mark */
	int16_t *rec;		/* the earpiece, recorded while rec_max */
	size_t rec_n, rec_max;
	const char *keying;	/* DTMF digits the phone keys, in turn */
	unsigned key_frame;	/* frames into the current digit */
	double key_phase[2];
	bool v21;		/* the phone sends V.21 HDLC flags */
	uint64_t v21_sample;
	double v21_phase;
	unsigned heard_2100;	/* frames played with 2100 Hz (CED) */
	struct phone_fax *fax;	/* a fax machine at the phone, or NULL */
	struct line_status told;	/* what the last notification showed */
	unsigned n_told;
};

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Run the loop until @cond or @ms have passed; the value of @cond. */
#define WAIT(t, ms, cond)						\
	({								\
		uint64_t end_ = now_us() + (uint64_t)(ms) * 1000;	\
		bool ok_;						\
									\
		while (!(ok_ = (cond)) && now_us() < end_)		\
			sd_event_run((t)->event, 5000);			\
		ok_;							\
	})

/* Run the loop for @ms whatever happens (to see that something does NOT
 * happen, e.g. no retransmission left). */
static void run_for(struct lt *t, unsigned ms)
{
	uint64_t end = now_us() + (uint64_t)ms * 1000;

	while (now_us() < end)
		sd_event_run(t->event, 5000);
}

/* The value of header @name (or its compact form @c) of @m, into @buf. */
static bool hdr(const struct msg *m, const char *name, char c, char *buf,
		size_t n)
{
	const char *p = strstr(m->text, "\r\n");

	while (p && p[2] != '\r') {
		const char *line = p + 2, *colon = strchr(line, ':');
		const char *eol = strstr(line, "\r\n");
		size_t len = colon ? (size_t)(colon - line) : 0;

		if (!eol || !colon || colon > eol)
			return false;
		while (len && line[len - 1] == ' ')
			len--;
		if ((len == strlen(name) && !strncasecmp(line, name, len)) ||
		    (c && len == 1 && (line[0] | 0x20) == c)) {
			const char *v = colon + 1;

			while (*v == ' ')
				v++;
			snprintf(buf, n, "%.*s", (int)(eol - v), v);
			return true;
		}
		p = eol;
	}
	return false;
}

/* All the Via lines of @m, as "Via: ...\r\n" lines, into @buf. */
static void vias(const struct msg *m, char *buf, size_t n)
{
	const char *p = strstr(m->text, "\r\n");
	size_t o = 0;

	buf[0] = '\0';
	while (p && p[2] != '\r') {
		const char *line = p + 2, *eol = strstr(line, "\r\n");

		if (!eol)
			break;
		if ((!strncasecmp(line, "Via:", 4) || !strncasecmp(line, "v:", 2)) &&
		    o < n)
			o += snprintf(buf + o, n - o, "%.*s\r\n",
				      (int)(eol - line), line);
		p = eol;
	}
}

/* The tag= of a From/To value, into @buf ("" without). */
static void tag_of(const char *v, char *buf, size_t n)
{
	const char *p = strcasestr(v, ";tag=");
	size_t len;

	buf[0] = '\0';
	if (!p)
		return;
	p += 5;
	len = strcspn(p, ";> \r\n");
	snprintf(buf, n, "%.*s", (int)len, p);
}

/* The URI inside <...> of a header value (or the value), into @buf. */
static void uri_of(const char *v, char *buf, size_t n)
{
	const char *a = strchr(v, '<'), *b = a ? strchr(a, '>') : NULL;

	if (a && b)
		snprintf(buf, n, "%.*s", (int)(b - a - 1), a + 1);
	else
		snprintf(buf, n, "%.*s", (int)strcspn(v, ";"), v);
}

static int cseq_of(const struct msg *m, char *method, size_t n)
{
	char v[64];
	unsigned num = 0;

	if (!hdr(m, "CSeq", 0, v, sizeof(v)))
		return -1;
	if (sscanf(v, "%u %15s", &num, method) != 2)
		snprintf(method, n, "?");
	return (int)num;
}

static bool msg_call(const struct msg *m, const char *call_id)
{
	char v[128];

	return !call_id ||
	       (hdr(m, "Call-ID", 'i', v, sizeof(v)) && !strcmp(v, call_id));
}

static int send_text(struct lt *t, const char *text)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(t->line_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	if (getenv("LINE_TEST_WIRE"))
		fprintf(stderr, ">>>>> far end sent:\n%s\n", text);
	return sendto(t->sip_fd, text, strlen(text), 0,
		      (struct sockaddr *)&to, sizeof(to)) < 0 ? -errno : 0;
}

static void sdp_of_party(struct party *p, const char *dir, char *buf, size_t n)
{
	p->sdp_version++;
	if (p->opus) {
		snprintf(buf, n,
			 "v=0\r\no=- %d %u IN IP4 127.0.0.1\r\ns=-\r\n"
			 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			 "m=audio %u RTP/AVP 111 110\r\n"
			 "a=rtpmap:111 opus/48000/2\r\n"
			 "a=rtpmap:110 telephone-event/48000\r\na=fmtp:110 0-15\r\n"
			 "a=%s\r\n", 1000 + p->idx, p->sdp_version, p->rtp_port,
			 dir);
		return;
	}
	if (p->g729) {
		snprintf(buf, n,
			 "v=0\r\no=- %d %u IN IP4 127.0.0.1\r\ns=-\r\n"
			 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			 "m=audio %u RTP/AVP 18 101\r\na=rtpmap:18 G729/8000\r\n"
			 "a=fmtp:18 annexb=no\r\n"
			 "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
			 "a=%s\r\n", 1000 + p->idx, p->sdp_version, p->rtp_port,
			 dir);
		return;
	}
	snprintf(buf, n,
		 "v=0\r\no=- %d %u IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=audio %u RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\n"
		 "%sa=%s\r\n", 1000 + p->idx, p->sdp_version, p->rtp_port,
		 p->xr ? "a=rtcp-xr:voip-metrics\r\n" : "", dir);
}

/* The direction attribute of an SDP body ("sendrecv" when none). */
static const char *sdp_dir(const char *body)
{
	static const char *const dirs[] = { "sendonly", "recvonly", "inactive",
					    "sendrecv" };
	size_t i;

	for (i = 0; i < 3; i++) {
		char a[32];

		snprintf(a, sizeof(a), "a=%s", dirs[i]);
		if (body && strstr(body, a))
			return dirs[i];
	}
	return dirs[3];
}

static void sdp_take_port(struct party *p, const char *body)
{
	const char *m = body ? strstr(body, "m=audio ") : NULL;
	unsigned port;

	if (m && sscanf(m, "m=audio %u", &port) == 1)
		p->line_rtp_port = (uint16_t)port;
}

/*
 * Answer request @m: status @code, our tag added to To (@p's), @extra
 * header lines, an SDP body of @p with direction @dir when @dir.
 */
static int respond(struct lt *t, const struct msg *m, int code,
		   const char *reason, struct party *p, const char *extra,
		   const char *dir)
{
	char via[2048], from[320], to[400], cid[128], cseq[64], sdp[1024] = "";
	char text[8192], totag[64];

	vias(m, via, sizeof(via));
	hdr(m, "From", 'f', from, sizeof(from));
	hdr(m, "To", 't', to, sizeof(to));
	hdr(m, "Call-ID", 'i', cid, sizeof(cid));
	hdr(m, "CSeq", 0, cseq, sizeof(cseq));
	tag_of(to, totag, sizeof(totag));
	if (!totag[0] && code > 100) {
		if (p && p->local[0]) {
			snprintf(to, sizeof(to), "%s", p->local);
		} else {
			size_t l = strlen(to);

			snprintf(to + l, sizeof(to) - l, ";tag=far%u", ++t->tag_no);
		}
	}
	if (p && dir && p->answer_sdp)
		snprintf(sdp, sizeof(sdp), "%s", p->answer_sdp);
	else if (p && dir)
		sdp_of_party(p, dir, sdp, sizeof(sdp));
	snprintf(text, sizeof(text),
		 "SIP/2.0 %d %s\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %s\r\nContact: <sip:far@127.0.0.1:%u>\r\n%s"
		 "%sContent-Length: %zu\r\n\r\n%s",
		 code, reason, via, from, to, cid, cseq, t->sip_port,
		 extra ? extra : "", sdp[0] ? "Content-Type: application/sdp\r\n" : "",
		 strlen(sdp), sdp);
	return send_text(t, text);
}

/* A request of ours in @p's dialog; @body with its type when not NULL. */
static int request(struct lt *t, struct party *p, const char *method,
		   const char *extra, const char *type, const char *body)
{
	char text[8192];

	p->cseq++;
	snprintf(text, sizeof(text),
		 "%s %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKlt%u\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u %s\r\nContact: <sip:far@127.0.0.1:%u>\r\n%s"
		 "%s%s%sContent-Length: %zu\r\n\r\n%s",
		 method, p->target, t->sip_port, ++t->branch_no, p->local,
		 p->remote, p->call_id, p->cseq, method, t->sip_port,
		 extra ? extra : "", type ? "Content-Type: " : "",
		 type ? type : "", type ? "\r\n" : "", body ? strlen(body) : 0,
		 body ? body : "");
	return send_text(t, text);
}

static struct party *party_new(struct lt *t)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int i;

	for (i = 0; i < PARTY_MAX; i++) {
		struct party *p = &t->party[i];

		if (p->used)
			continue;
		memset(p, 0, sizeof(*p));
		p->rtcp_fd = -1;
		p->used = true;
		p->idx = i;
		p->rtp_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p->rtp_fd < 0 || bind(p->rtp_fd, (struct sockaddr *)&a, sizeof(a)) ||
		    getsockname(p->rtp_fd, (struct sockaddr *)&a, &len))
			return NULL;
		p->rtp_port = ntohs(a.sin_port);
		return p;
	}
	return NULL;
}

/* A new incoming call to the line from party @p: INVITE with SDP, its
 * Request-URI's user @ruri_user (the line's is 1000). */
static int party_invite_to(struct lt *t, struct party *p, const char *user,
			   const char *extra, const char *ruri_user)
{
	char sdp[1024], text[8192];

	snprintf(p->call_id, sizeof(p->call_id), "lt-%u-%d@127.0.0.1",
		 ++t->tag_no, p->idx);
	snprintf(p->local, sizeof(p->local),
		 "\"%s\" <sip:%s@127.0.0.1:%u>;tag=far%u", user, user,
		 t->sip_port, ++t->tag_no);
	snprintf(p->remote, sizeof(p->remote), "<sip:1000@127.0.0.1:%u>",
		 t->line_port);
	snprintf(p->target, sizeof(p->target), "sip:%s@127.0.0.1:%u",
		 ruri_user, t->line_port);
	snprintf(p->ruri, sizeof(p->ruri), "%s", p->target);
	snprintf(p->branch, sizeof(p->branch), "z9hG4bKlt%u", ++t->branch_no);
	p->cseq = p->invite_cseq = 1;
	sdp_of_party(p, "sendrecv", sdp, sizeof(sdp));
	snprintf(text, sizeof(text),
		 "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: 1 INVITE\r\nContact: <sip:%s@127.0.0.1:%u>\r\n%s"
		 "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
		 p->ruri, t->sip_port, p->branch, p->local, p->remote, p->call_id,
		 user, t->sip_port, extra ? extra : "", strlen(sdp), sdp);
	return send_text(t, text);
}

static int party_invite(struct lt *t, struct party *p, const char *user,
			const char *extra)
{
	return party_invite_to(t, p, user, extra, "1000");
}

/* CANCEL of @p's INVITE (same branch). */
static int party_cancel(struct lt *t, struct party *p)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "CANCEL %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u CANCEL\r\nContent-Length: 0\r\n\r\n",
		 p->ruri, t->sip_port, p->branch, p->local, p->remote, p->call_id,
		 p->invite_cseq);
	return send_text(t, text);
}

/* The response @m to our INVITE: take the line's tag and Contact; ACK a
 * final one (2xx: a new transaction; else the INVITE's). */
static int party_ack(struct lt *t, struct party *p, const struct msg *m)
{
	char to[320], contact[320];

	hdr(m, "To", 't', to, sizeof(to));
	snprintf(p->remote, sizeof(p->remote), "%s", to);
	if (hdr(m, "Contact", 'm', contact, sizeof(contact)))
		uri_of(contact, p->target, sizeof(p->target));
	sdp_take_port(p, m->body);
	if (m->status < 200)
		return 0;
	snprintf(p->ack, sizeof(p->ack),
		 "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=%s\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
		 m->status < 300 ? p->target : p->ruri, t->sip_port,
		 m->status < 300 ? "z9hG4bKack" : p->branch, p->local, p->remote, p->call_id,
		 p->invite_cseq);
	if (m->status < 300) {
		/* a branch of its own for the 2xx's ACK */
		char *b = strstr(p->ack, "z9hG4bKack");
		char nb[32];

		snprintf(nb, sizeof(nb), "z9hG4bKa%05u", ++t->branch_no % 100000);
		memcpy(b, nb, strlen(nb));
	}
	return send_text(t, p->ack);
}

/* The line's INVITE @m to us becomes party @p's dialog. */
static void party_from_invite(struct lt *t, struct party *p,
			      const struct msg *m)
{
	char to[256], from[320], contact[320];

	hdr(m, "Call-ID", 'i', p->call_id, sizeof(p->call_id));
	hdr(m, "From", 'f', from, sizeof(from));
	hdr(m, "To", 't', to, sizeof(to));
	snprintf(p->local, sizeof(p->local), "%s;tag=far%u", to, ++t->tag_no);
	snprintf(p->remote, sizeof(p->remote), "%s", from);
	if (hdr(m, "Contact", 'm', contact, sizeof(contact)))
		uri_of(contact, p->target, sizeof(p->target));
	p->cseq = 100;
	sdp_take_port(p, m->body);
}

static struct party *party_of(struct lt *t, const struct msg *m)
{
	int i;

	for (i = 0; i < PARTY_MAX; i++)
		if (t->party[i].used && msg_call(m, t->party[i].call_id))
			return &t->party[i];
	return NULL;
}

/* The first message not taken: a request @method, or a response @status
 * to @method, in @p's dialog (any when NULL). */
static struct msg *take_req(struct lt *t, const char *method, struct party *p)
{
	size_t i;

	for (i = 0; i < t->n_msgs; i++) {
		struct msg *m = &t->msgs[i];

		if (!m->taken && m->request && !strcmp(m->method, method) &&
		    msg_call(m, p ? p->call_id : NULL)) {
			m->taken = true;
			return m;
		}
	}
	return NULL;
}

static struct msg *take_resp(struct lt *t, int status, const char *method,
			     struct party *p)
{
	size_t i;

	for (i = 0; i < t->n_msgs; i++) {
		struct msg *m = &t->msgs[i];
		char cm[16];

		if (m->taken || m->request || m->status != status ||
		    !msg_call(m, p ? p->call_id : NULL))
			continue;
		cseq_of(m, cm, sizeof(cm));
		if (strcmp(cm, method))
			continue;
		m->taken = true;
		return m;
	}
	return NULL;
}

/* How many requests @method (not taken or taken) came in @p's dialog. */
static unsigned count_req(struct lt *t, const char *method, struct party *p)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < t->n_msgs; i++)
		n += t->msgs[i].request && !strcmp(t->msgs[i].method, method) &&
		     msg_call(&t->msgs[i], p ? p->call_id : NULL);
	return n;
}

/* A retransmission of what we already have: the same start line, CSeq,
 * Call-ID and (requests) top branch.  A resent 2xx to our INVITE gets
 * our ACK again. */
static bool is_resend(struct lt *t, const struct msg *m)
{
	char a[512], b[512], ca[64], cb[64], ia[128], ib[128];
	size_t i;

	hdr(m, "Via", 'v', a, sizeof(a));
	hdr(m, "CSeq", 0, ca, sizeof(ca));
	hdr(m, "Call-ID", 'i', ia, sizeof(ia));
	for (i = 0; i < t->n_msgs; i++) {
		const struct msg *o = &t->msgs[i];

		if (o->request != m->request || o->status != m->status ||
		    strcmp(o->method, m->method))
			continue;
		hdr(o, "Via", 'v', b, sizeof(b));
		hdr(o, "CSeq", 0, cb, sizeof(cb));
		hdr(o, "Call-ID", 'i', ib, sizeof(ib));
		if (!strcmp(a, b) && !strcmp(ca, cb) && !strcmp(ia, ib))
			return true;
	}
	return false;
}

static int sip_ready(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct lt *t = ud;
	char buf[16384];
	ssize_t n;

	(void)s;
	(void)revents;
	while ((n = recv(fd, buf, sizeof(buf) - 1, 0)) > 0) {
		struct msg m = { 0 }, *keep;
		char *sep;

		buf[n] = '\0';
		if (getenv("LINE_TEST_WIRE"))
			fprintf(stderr, "<<<<< far end got:\n%s\n", buf);
		if (n < 8 || t->n_msgs >= MSG_MAX)
			continue;
		m.text = strdup(buf);
		if (!m.text)
			continue;
		sep = strstr(m.text, "\r\n\r\n");
		m.body = sep ? sep + 4 : m.text + n;
		if (!strncmp(m.text, "SIP/2.0 ", 8)) {
			m.status = atoi(m.text + 8);
		} else {
			m.request = true;
			sscanf(m.text, "%15s", m.method);
		}
		if (is_resend(t, &m)) {
			char cm[16];
			struct party *p = party_of(t, &m);

			cseq_of(&m, cm, sizeof(cm));
			if (!m.request && m.status >= 200 && m.status < 300 &&
			    !strcmp(cm, "INVITE") && p && p->ack[0])
				send_text(t, p->ack);
			free(m.text);
			continue;
		}
		keep = &t->msgs[t->n_msgs++];
		*keep = m;
		/* an ACK needs nothing from us */
		if (m.request && !strcmp(m.method, "ACK"))
			keep->taken = false;
	}
	return 0;
}

/* ---- media of the parties, and the phone's clock ---- */

/* T.38 (T.38 9.1 aligned PER): an IFP of a t30-indicator is the value
 * shifted left by one; CNG 1, CED 2. */
#define IFP_IND_CED	0x04
#define IFP_IND_V21	0x06	/* v21-preamble */

/* A party on T.38: counts the UDPTL packets (and V.21 indicators) the line
 * sends; sends the CED indicator while send_ced. */
static void party_fax_send(void *opaque, const uint8_t *pkt, size_t len)
{
	struct party *p = opaque;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(p->line_rtp_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	sendto(p->rtp_fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to));
}

static void party_udptl(struct party *p)
{
	uint8_t buf[UDPTL_PACKET_MAX + 1];
	struct udptl_packet u;
	ssize_t n;

	while ((n = recv(p->rtp_fd, buf, sizeof(buf), 0)) > 0) {
		if (udptl_decode(buf, (size_t)n, &u) < 0) {
			p->rx_not_udptl++;
			continue;
		}
		p->rx_udptl++;
		if (p->fax)
			far_fax_packet(p->fax, buf, (size_t)n);
		if (u.primary.len == 1 && u.primary.data[0] == IFP_IND_V21) {
			p->rx_v21++;
			p->v21_seq = u.seq;
		}
	}
	if (p->fax)
		far_fax_tick(p->fax, 160);
	if (p->send_ced && p->line_rtp_port) {
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(p->line_rtp_port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		static const uint8_t ced = IFP_IND_CED;
		struct udptl_ifp ifp = { .data = &ced, .len = 1 };
		int k = udptl_encode(p->udptl_seq++, &ifp, NULL, 0, buf,
				     sizeof(buf));

		if (k > 0)
			sendto(p->rtp_fd, buf, (size_t)k, 0,
			       (struct sockaddr *)&to, sizeof(to));
		p->send_ced = false;
	}
}

static void party_media(struct lt *t, struct party *p)
{
	uint8_t pkt[12 + 400];
	int16_t pcm[160];
	ssize_t n;
	int k;

	(void)t;
	if (p->udptl) {
		party_udptl(p);
		return;
	}
	while ((n = recv(p->rtp_fd, pkt, sizeof(pkt), 0)) > 0) {
		int16_t x[160];

		if (n == 12 + 4 && ((pkt[1] & 0x7f) == 110 ||
				    (pkt[1] & 0x7f) == 101)) {
			p->ev_packets++;
			p->ev_pt = pkt[1] & 0x7f;
			p->ev_ts = (uint32_t)pkt[4] << 24 | pkt[5] << 16 |
				   pkt[6] << 8 | pkt[7];
			p->ev_end = pkt[13] & 0x80;
			p->ev_duration = (uint32_t)pkt[14] << 8 | pkt[15];
			continue;
		}
		if (n >= 12)
			p->audio_ts = (uint32_t)pkt[4] << 24 | pkt[5] << 16 |
				      pkt[6] << 8 | pkt[7];
		if (p->opus) {
			if (n < 12 || (pkt[1] & 0x7f) != 111 ||
			    codec_decode(p->opus, pkt + 12, n - 12, x, 160) != 160)
				continue;
		} else if (p->g729) {
			if (n < 12 || (pkt[1] & 0x7f) != 18 ||
			    codec_decode(p->g729, pkt + 12, n - 12, x, 160) != 160)
				continue;
		} else if (n != 12 + 160 || (pkt[1] & 0x7f) != 0) {
			continue;
		} else {
			g711_decode(G711_ULAW, pkt + 12, x, 160);
		}
		p->rx_packets++;
		p->rx_bytes += n - 12;
		p->rx_frames[classify(x, 160)]++;
		for (k = 0; k < PARTY_MAX; k++)
			if (goertzel(x, 160, party_hz[k]) > 1000)
				p->rx_hz_frames[k]++;
	}
	if (!p->send_tone || !p->line_rtp_port)
		return;
	{
		struct sockaddr_in to = { .sin_family = AF_INET,
					  .sin_port = htons(p->line_rtp_port),
					  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int i;

		for (i = 0; i < 160; i++) {
			pcm[i] = (int16_t)(8000 * sin(p->phase));
			p->phase += 2 * M_PI * party_hz[p->idx] / 8000;
		}
		p->phase = fmod(p->phase, 2 * M_PI);
		pkt[0] = 0x80;
		pkt[1] = 0;
		pkt[2] = p->seq >> 8;
		pkt[3] = p->seq & 0xff;
		pkt[4] = p->ts >> 24;
		pkt[5] = p->ts >> 16;
		pkt[6] = p->ts >> 8;
		pkt[7] = p->ts;
		pkt[8] = 0x12;
		pkt[9] = 0x34;
		pkt[10] = 0x56;
		pkt[11] = (uint8_t)p->idx;
		p->seq++;
		p->ts += p->opus ? 960 : 160;
		if (p->opus) {
			pkt[1] = 111;
			k = codec_encode(p->opus, pcm, 160, pkt + 12, 400);
			if (k > 0)
				sendto(p->rtp_fd, pkt, 12 + k, 0,
				       (struct sockaddr *)&to, sizeof(to));
			return;
		}
		if (p->g729) {
			pkt[1] = 18;
			k = codec_encode(p->g729, pcm, 160, pkt + 12, 160);
			if (k > 0)
				sendto(p->rtp_fd, pkt, 12 + k, 0,
				       (struct sockaddr *)&to, sizeof(to));
			return;
		}
		g711_encode(G711_ULAW, pcm, pkt + 12, 160);
		sendto(p->rtp_fd, pkt, 12 + 160, 0, (struct sockaddr *)&to,
		       sizeof(to));
	}
}

/*
 * The phone's microphone: silence, or the digits of t->keying as DTMF
 * (the row and column tones, 100 ms on and 100 ms off each; our own
 * generator, not the daemon's).
 */
static bool phone_mouth(struct lt *t, int16_t *out)
{
	static const char keys[] = "123A456B789C*0#D";
	static const double row[] = { 697, 770, 852, 941 };
	static const double col[] = { 1209, 1336, 1477, 1633 };
	const char *k;
	int i, j;

	if (t->v21) {
		/* V.21 channel 2 (mark 1650 Hz, space 1850 Hz, 300 bit/s,
		 * phase continuous) sending HDLC flags 01111110: a fax's
		 * T.30 preamble */
		for (i = 0; i < FAKE_FRAME; i++) {
			unsigned bit = (unsigned)(t->v21_sample++ * 300 / 8000) % 8;
			bool mark = bit != 0 && bit != 7;

			out[i] = (int16_t)(6000 * sin(t->v21_phase));
			t->v21_phase += 2 * M_PI * (mark ? 1650 : 1850) / 8000;
		}
		t->v21_phase = fmod(t->v21_phase, 2 * M_PI);
		return true;
	}
	if (!t->keying || !*t->keying)
		return false;
	k = strchr(keys, *t->keying);
	if (t->key_frame++ >= 5 || !k) {
		memset(out, 0, FAKE_FRAME * sizeof(int16_t));
		if (t->key_frame >= 10) {
			t->key_frame = 0;
			t->keying++;
		}
		return true;
	}
	for (i = 0; i < FAKE_FRAME; i++) {
		double f[2] = { row[(k - keys) / 4], col[(k - keys) % 4] }, v = 0;

		for (j = 0; j < 2; j++) {
			v += 6000 * sin(t->key_phase[j]);
			t->key_phase[j] += 2 * M_PI * f[j] / 8000;
		}
		out[i] = (int16_t)v;
	}
	return true;
}

static int phone_tick(sd_event_source *s, uint64_t usec, void *ud)
{
	struct lt *t = ud;
	int16_t played[FAKE_FRAME], mouth[FAKE_FRAME];
	enum sound snd;
	int i;

	if (t->fax) {
		phone_fax_tx(t->fax, mouth, FAKE_FRAME);
		fake_port_tick(mouth, played);
		phone_fax_rx(t->fax, played, FAKE_FRAME);
	} else {
		fake_port_tick(phone_mouth(t, mouth) ? mouth : NULL, played);
	}
	if (t->rec && t->rec_n + FAKE_FRAME <= t->rec_max) {
		memcpy(t->rec + t->rec_n, played, sizeof(played));
		t->rec_n += FAKE_FRAME;
	}
	snd = classify(played, FAKE_FRAME);
	if (goertzel(played, FAKE_FRAME, 2100) > 1000 &&
	    goertzel(played, FAKE_FRAME, 2100) > 4 * goertzel(played, FAKE_FRAME, 1100))
		t->heard_2100++;
	t->hist[t->frames % HIST] = snd;
	t->frames++;
	t->heard[snd]++;
	for (i = 0; i < PARTY_MAX; i++)
		if (t->party[i].used)
			party_media(t, &t->party[i]);
	sd_event_source_set_time(s, usec + 20000);
	return 0;
}

/* Count what the phone hears from now on. */
static void mark(struct lt *t)
{
	memset(t->heard, 0, sizeof(t->heard));
	t->mark = t->frames;
}

/* The last @n frames the phone played were all @snd. */
static bool hearing(struct lt *t, enum sound snd, unsigned n)
{
	unsigned i;

	if (t->frames - t->mark < n)
		return false;
	for (i = 1; i <= n; i++)
		if (t->hist[(t->frames - i) % HIST] != snd)
			return false;
	return true;
}

/* ---- one case: the line, the far end, the phone ---- */

static uint16_t free_udp_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* the line's notification (D-Bus's PropertiesChanged): what it shows */
static void lt_notified(struct line *l, void *ud)
{
	struct lt *t = ud;

	line_get_status(l, &t->told);
	t->n_told++;
}

static int lt_setup(struct lt *t, const char *extra_conf)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char err[512], cwd[200];
	unsigned rtp;
	FILE *f;
	int r;

	memset(t, 0, sizeof(*t));
	t->sip_fd = -1;
	log_setup(getenv("LINE_TEST_VERBOSE") ? LOG_DEBUG : LOG_WARNING);
	fake_port_reset();
	if (sd_event_new(&t->event) < 0)
		return -1;
	t->sip_fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (t->sip_fd < 0 || bind(t->sip_fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(t->sip_fd, (struct sockaddr *)&a, &len))
		return -1;
	t->sip_port = ntohs(a.sin_port);
	/* the line's SIP port: sip_port + 2 * index, index 0 */
	t->line_port = free_udp_port();
	rtp = 20000 + 2 * ((unsigned)(now_us() / 1000 + getpid()) % 15000);
	snprintf(t->dir, sizeof(t->dir), "/tmp/fxs-line-test.XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	snprintf(t->conf, sizeof(t->conf), "%s/fxsd.conf", t->dir);
	/* the voice menu's prompts: the build's (run from the top) */
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	f = fopen(t->conf, "w");
	if (!f)
		return -1;
	if (extra_conf && strstr(extra_conf, "@FAR@")) {
		/* the far end's address (a collector's) */
		const char *at = strstr(extra_conf, "@FAR@");

		snprintf(t->extra, sizeof(t->extra), "%.*s127.0.0.1:%u%s",
			 (int)(at - extra_conf), extra_conf, t->sip_port,
			 at + 5);
		extra_conf = t->extra;
	}
	fprintf(f,
		"[global]\nsip_port = %u\nrtp_port_min = %u\nrtp_port_max = %u\n"
		"tone_country = US\nprompt_dir = %s/build/prompts\n\n"
		"[port 0]\nuser = 1000\n"
		"domain = 127.0.0.1:%u\n%s"
		"disconnect_open_loop_ms = 0\ndigit_map = { 2xxx | x.T }\n"
		"interdigit_short_ms = 1500\nallow_unknown_callers = yes\n"
		"play_cushion_frames = 1\n%s",
		t->line_port, rtp, rtp + 40, cwd, t->sip_port,
		/* a case may register (the voice menu's, NAT's) */
		extra_conf && strstr(extra_conf, "register =") ? "" :
		"register = no\n", extra_conf ? extra_conf : "");
	fclose(f);
	r = config_load(t->conf, &t->config, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "line_test: %s\n", err);
		return -1;
	}
	if (sd_event_add_io(t->event, &t->sip_src, t->sip_fd, EPOLLIN,
			    sip_ready, t) < 0 ||
	    sd_event_add_time_relative(t->event, &t->clock, CLOCK_MONOTONIC,
				       20000, 1000, phone_tick, t) < 0 ||
	    sd_event_source_set_enabled(t->clock, SD_EVENT_ON) < 0)
		return -1;
	r = line_new(t->event, t->config, &t->config->ports[0], &t->line);
	if (r < 0)
		return -1;
	line_set_notify(t->line, lt_notified, t);
	r = line_attach(t->line, "/dev/fxs-fake0");
	return r < 0 ? -1 : 0;
}

static void lt_teardown(struct lt *t)
{
	size_t i;

	t->line = line_free(t->line);
	free(t->rec);
	/* what the line sent on its way out (BYE, CANCEL) is not waited for */
	t->clock = sd_event_source_disable_unref(t->clock);
	t->sip_src = sd_event_source_disable_unref(t->sip_src);
	for (i = 0; i < PARTY_MAX; i++) {
		if (t->party[i].used && t->party[i].rtp_fd >= 0)
			close(t->party[i].rtp_fd);
		if (t->party[i].used && t->party[i].rtcp_fd >= 0)
			close(t->party[i].rtcp_fd);
		far_fax_free(t->party[i].fax);
	}
	phone_fax_free(t->fax);
	for (i = 0; i < t->n_msgs; i++)
		free(t->msgs[i].text);
	if (t->sip_fd >= 0)
		close(t->sip_fd);
	config_free(t->config);
	sd_event_unref(t->event);
	if (t->conf[0])
		unlink(t->conf);
	if (t->dir[0])
		rmdir(t->dir);
	fake_port_reset();
}

#define LINE_TEST_CONF(n, conf)						\
	static void line_body_##n(struct lt *t);			\
	UNIT_TEST(n)							\
	{								\
		struct lt t;						\
									\
		if (lt_setup(&t, conf) < 0)				\
			unit_fail(__FILE__, __LINE__, "setup failed");	\
		else							\
			line_body_##n(&t);				\
		lt_teardown(&t);					\
	}								\
	static void line_body_##n(struct lt *t)

#define LINE_TEST(n) LINE_TEST_CONF(n, NULL)

static struct line_status status(struct lt *t)
{
	struct line_status st;

	line_get_status(t->line, &st);
	return st;
}

#define STATE(t) (status(t).state)
#define FEATURE(t) (status(t).feature)

/* Wait for @cond or fail the case with the phone's and line's state. */
#define EXPECT(t, ms, cond, what)					\
	CHECK(WAIT(t, ms, cond), "%s (line state %s, feature %s, phone hears %s)", \
	      what, call_state_to_string(STATE(t)), FEATURE(t),	\
	      sound_names[(t)->frames ? (t)->hist[((t)->frames - 1) % HIST] : 0])

/* Pulse-dial @number. */
static void dial(const char *number)
{
	for (; *number; number++)
		fake_port_pulse((unsigned)(*number - '0'));
}

/* Expect a request @method of @p (any dialog when NULL) into @m. */
#define EXPECT_REQ(t, m, method, p)					\
	EXPECT(t, 3000, ((m) = take_req(t, method, p)) != NULL,		\
	       "the far end gets " method)
#define EXPECT_RESP(t, m, code, method, p)				\
	EXPECT(t, 3000, ((m) = take_resp(t, code, method, p)) != NULL,	\
	       "the far end gets " #code " to " method)

/*
 * The phone calls out: off hook (dial tone), dials @number; the far end
 * @p gets the INVITE (in @inv) and rings (180: ringback).
 */
#define RING_OUT(t, p, inv, number)					\
	do {								\
		fake_port_hook(true);					\
		EXPECT(t, 2000, hearing(t, SND_DIAL, 5),		\
		       "off hook: the phone hears dial tone");		\
		dial(number);						\
		EXPECT_REQ(t, inv, "INVITE", NULL);			\
		CHECK(strstr(inv->text, "INVITE sip:" number "@"),	\
		      "the INVITE is to " number ": %.80s", inv->text);	\
		party_from_invite(t, p, inv);				\
		respond(t, inv, 180, "Ringing", p, NULL, NULL);		\
		EXPECT(t, 2000, hearing(t, SND_RINGBACK, 5),		\
		       "180: the phone hears ringback");		\
	} while (0)

/* ... then @p answers (200): ACK, the phone hears party @p's tone.
 * Leaves the call talking. */
#define CALL_OUT(t, p, number)						\
	do {								\
		struct msg *m_;						\
									\
		RING_OUT(t, p, m_, number);				\
		p->send_tone = true;					\
		respond(t, m_, 200, "OK", p, NULL, "sendrecv");		\
		EXPECT_REQ(t, m_, "ACK", p);				\
		EXPECT(t, 3000, STATE(t) == CALL_STATE_INCALL,		\
		       "200: the line is in the call");			\
		EXPECT(t, 3000, hearing(t, SND_A + p->idx, 10),		\
		       "the phone hears the far end");			\
	} while (0)

/*
 * A call comes in from @p (as user @user): 180, the phone rings.
 */
#define RING_IN(t, p, user)						\
	do {								\
		struct msg *m_;						\
									\
		party_invite(t, p, user, NULL);				\
		EXPECT_RESP(t, m_, 180, "INVITE", p);			\
		party_ack(t, p, m_);					\
		EXPECT(t, 2000, fake_port.ringing,			\
		       "INVITE: the phone rings");			\
	} while (0)

/* ... then off hook: 200 with SDP, our ACK; the phone hears @p. */
#define CALL_IN(t, p, user)						\
	do {								\
		struct msg *m_;						\
									\
		RING_IN(t, p, user);					\
		p->send_tone = true;					\
		fake_port_hook(true);					\
		EXPECT_RESP(t, m_, 200, "INVITE", p);			\
		CHECK(!fake_port.ringing, "off hook: the ringing stops"); \
		party_ack(t, p, m_);					\
		EXPECT(t, 3000, STATE(t) == CALL_STATE_INCALL,		\
		       "the line is in the call");			\
		EXPECT(t, 3000, hearing(t, SND_A + p->idx, 10),		\
		       "the phone hears the caller");			\
	} while (0)

/* @p gets a re-INVITE whose offer says @dir; answered 200 (the reverse
 * direction), ACK expected. */
#define REINVITE(t, p, dir, answer)					\
	do {								\
		struct msg *m_;						\
									\
		EXPECT_REQ(t, m_, "INVITE", p);				\
		CHECK(!strcmp(sdp_dir(m_->body), dir),			\
		      "the re-INVITE's offer is a=%s, want a=%s",	\
		      sdp_dir(m_->body), dir);				\
		respond(t, m_, 200, "OK", p, NULL, answer);		\
		EXPECT_REQ(t, m_, "ACK", p);				\
	} while (0)

/* ---- the cases: every feature's happy path ---- */

LINE_TEST(outgoing_call)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	CHECK(!fake_port.ringing && fake_port.feed == PORT_FEED_FORWARD,
	      "idle: not ringing, forward feed (feed %d)", fake_port.feed);
	CALL_OUT(t, a, "2001");
	CHECK(a->rx_packets > 0, "the far end gets RTP from the line");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/*
 * Events lost: the driver's queue overflowed and the hook events went
 * with it.  The line reads the hook again: a lost hang-up ends the call
 * (BYE), a lost lift gives dial tone.
 */
LINE_TEST(hook_events_lost)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	CALL_OUT(t, a, "2001");
	fake_port_hook_lost(false, 3);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "a lost hang-up: idle");
	fake_port_hook_lost(true, 1);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5),
	       "a lost lift: the phone hears dial tone");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

LINE_TEST(incoming_call)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	CHECK(a->rx_packets > 0, "the caller gets RTP from the line");
	/* what D-Bus (and the Cockpit page) was last told: in call, lifted */
	CHECK(t->told.state == CALL_STATE_INCALL && t->told.offhook,
	      "the last notification shows state %s, %s",
	      call_state_to_string(t->told.state),
	      t->told.offhook ? "off hook" : "on hook");
	/* the caller hangs up: 200, the phone hears the line's tone */
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	EXPECT(t, 2000, STATE(t) != CALL_STATE_INCALL, "BYE: the call ends");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	CHECK(t->told.state == CALL_STATE_IDLE && !t->told.offhook,
	      "after hanging up the last notification shows %s, %s",
	      call_state_to_string(t->told.state),
	      t->told.offhook ? "off hook" : "on hook");
}

/*
 * Hanging up on request (D-Bus Hangup, fxsctl hangup, the Cockpit page's
 * button) with the phone still off hook: BYE to the far end, the status
 * read at every step (as the page's property reads do), the call gone;
 * the phone then hangs up: idle.  A second request has no call.
 */
static void status_read(struct lt *t)
{
	struct line_status st;

	line_get_status(t->line, &st);
	CHECK(st.remote && st.codec && st.feature && st.second &&
	      st.transport_error, "the status has its strings");
	/* read as sd-bus reads them (ASan: none may be freed) */
	CHECK(strlen(st.remote) + strlen(st.codec) + strlen(st.feature) +
	      strlen(st.second) + strlen(st.transport_error) < 4096,
	      "the status's strings are short");
}

LINE_TEST(hangup_on_request_incoming)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	status_read(t);
	CHECK_INT(line_hangup(t->line), 0);
	status_read(t);
	EXPECT_REQ(t, m, "BYE", a);
	status_read(t);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) != CALL_STATE_INCALL, "the call ends");
	status_read(t);
	CHECK_INT(line_hangup(t->line), -ENOENT);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	status_read(t);
	run_for(t, 600);
	CHECK_INT(count_req(t, "BYE", a), 1);
}

/* ... in an outgoing call, the far end never answering the BYE */
LINE_TEST(hangup_on_request_outgoing_bye_unanswered)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	CALL_OUT(t, a, "2001");
	CHECK_INT(line_hangup(t->line), 0);
	EXPECT_REQ(t, m, "BYE", a);
	status_read(t);
	EXPECT(t, 2000, STATE(t) != CALL_STATE_INCALL, "the call ends");
	run_for(t, 1000);
	status_read(t);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	status_read(t);
}

/* ... while it rings (480 to the caller), and while our call rings out
 * (CANCEL) */
LINE_TEST(hangup_on_request_ringing)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	RING_IN(t, a, "alice");
	CHECK_INT(line_hangup(t->line), 0);
	status_read(t);
	EXPECT(t, 2000, (m = take_resp(t, 480, "INVITE", a)) != NULL,
	       "the caller gets 480");
	party_ack(t, a, m);
	EXPECT(t, 2000, !fake_port.ringing && STATE(t) == CALL_STATE_IDLE,
	       "the ringing stops: idle");
	status_read(t);
}

LINE_TEST(hangup_on_request_ringing_out)
{
	struct party *a = party_new(t);
	struct msg *m, *inv;

	CHECK(a, "party");
	RING_OUT(t, a, inv, "2001");
	CHECK_INT(line_hangup(t->line), 0);
	status_read(t);
	EXPECT_REQ(t, m, "CANCEL", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	respond(t, inv, 487, "Request Terminated", a, NULL, NULL);
	EXPECT(t, 2000, STATE(t) != CALL_STATE_RINGBACK, "the call ends");
	status_read(t);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/*
 * fax = passthrough: a far end's re-INVITE to image/t38 (as a gateway
 * sends when it hears a fax) gets 488 with Warning 304, and the call goes
 * on over G.711 (what a fax then uses: pass-through).
 */
LINE_TEST_CONF(t38_reinvite_refused, "fax = passthrough\n")
{
	static const char t38[] =
		"v=0\r\no=- 1001 9 IN IP4 127.0.0.1\r\ns=-\r\n"
		"c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		"m=image 4002 udptl t38\r\n"
		"a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
		"a=T38FaxRateManagement:transferredTCF\r\n"
		"a=T38FaxMaxDatagram:400\r\n"
		"a=T38FaxUdpEC:t38UDPRedundancy\r\n";
	struct party *a = party_new(t);
	char warning[256], ack[2048];
	unsigned before;
	struct msg *m;

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	request(t, a, "INVITE", NULL, "application/sdp", t38);
	EXPECT_RESP(t, m, 488, "INVITE", a);
	CHECK(hdr(m, "Warning", 0, warning, sizeof(warning)) &&
	      strstr(warning, "304"), "488 with Warning 304: %s", warning);
	/* the ACK of the 488: the re-INVITE's branch and CSeq */
	snprintf(ack, sizeof(ack),
		 "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKlt%u\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
		 a->target, t->sip_port, t->branch_no, a->local, a->remote,
		 a->call_id, a->cseq);
	send_text(t, ack);
	before = a->rx_packets;
	EXPECT(t, 2000, a->rx_packets > before + 20,
	       "the far end still gets RTP from the line");
	CHECK(STATE(t) == CALL_STATE_INCALL, "the call goes on");
	EXPECT(t, 3000, hearing(t, SND_A + a->idx, 10),
	       "the phone still hears the far end");
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/*
 * The call of @a has just gone to T.38: only UDPTL from now on.  The
 * phone's V.21 flags (a fax's T.30 preamble) reach the far end as T.38's
 * v21-preamble indicator; the far end's CED indicator plays 2100 Hz at
 * the phone.
 */
static void t38_flows(struct lt *t, struct party *a)
{
	uint8_t drain[2048];

	a->send_tone = false;
	/* RTP sent before the switch may still be in the socket */
	run_for(t, 100);
	while (recv(a->rtp_fd, drain, sizeof(drain), 0) > 0)
		;
	a->udptl = true;
	t->v21 = true;
	EXPECT(t, 3000, a->rx_v21 > 0,
	       "the phone's V.21 flags reach the far end as T.38's v21-preamble indicator");
	CHECK(a->rx_udptl > 0, "UDPTL packets (%u, %u other)", a->rx_udptl,
	      a->rx_not_udptl);
	CHECK(a->rx_not_udptl == 0, "%u datagrams that are not UDPTL",
	      a->rx_not_udptl);
	t->v21 = false;
	a->send_ced = true;
	EXPECT(t, 3000, t->heard_2100 >= 10,
	       "the far end's CED indicator plays 2100 Hz at the phone");
}

/*
 * fax = t38 (the default): a far end's re-INVITE to image/t38 gets a 200
 * with our T.38 answer on the port the audio used, and the call's media
 * become UDPTL both ways through the T.38 gateway: the phone's V.21 HDLC
 * flags (a fax's T.30 preamble) reach the far end as T.38's v21-preamble
 * indicator, the far end's CED indicator plays 2100 Hz at the phone, and
 * no RTP goes out any more.
 */
LINE_TEST(t38_reinvite_accepted)
{
	struct party *a = party_new(t);
	char t38[1024], ack[2048];
	unsigned port = 0, udptl, v21;
	uint16_t seq;
	const char *img;
	struct msg *m;

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	snprintf(t38, sizeof(t38),
		 "v=0\r\no=- 1001 9 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=image %u udptl t38\r\n"
		 "a=T38FaxVersion:0\r\na=T38MaxBitRate:9600\r\n"
		 "a=T38FaxRateManagement:transferredTCF\r\n"
		 "a=T38FaxMaxDatagram:400\r\n"
		 "a=T38FaxUdpEC:t38UDPRedundancy\r\n", a->rtp_port);
	a->send_tone = false;
	request(t, a, "INVITE", NULL, "application/sdp", t38);
	EXPECT_RESP(t, m, 200, "INVITE", a);
	img = m->body ? strstr(m->body, "m=image ") : NULL;
	CHECK(img && sscanf(img, "m=image %u udptl t38", &port) == 1,
	      "the 200 answers with m=image: %s", m->body ? m->body : "(none)");
	CHECK(port && port == a->line_rtp_port,
	      "UDPTL on the port the audio used (%u, audio %u)", port,
	      a->line_rtp_port);
	CHECK(!strstr(m->body, "m=audio"), "no audio in the answer");
	CHECK(strstr(m->body, "a=T38MaxBitRate:9600"),
	      "the offer's lower bit rate taken");
	CHECK(strstr(m->body, "a=T38FaxUdpEC:t38UDPRedundancy"),
	      "redundancy answered");
	snprintf(ack, sizeof(ack),
		 "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKlt%u\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
		 a->target, t->sip_port, ++t->branch_no, a->local, a->remote,
		 a->call_id, a->cseq);
	send_text(t, ack);
	t38_flows(t, a);
	CHECK(STATE(t) == CALL_STATE_INCALL, "the call goes on");

	/* the same offer again (a refresh) mid-fax: answered, and the
	 * gateway goes on (its UDPTL sequence numbers continue) */
	seq = a->v21_seq;
	v21 = a->rx_v21;
	request(t, a, "INVITE", NULL, "application/sdp", t38);
	EXPECT_RESP(t, m, 200, "INVITE", a);
	CHECK(m->body && strstr(m->body, "m=image "), "T.38 answered again");
	snprintf(ack, sizeof(ack),
		 "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKlt%u\r\n"
		 "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		 "CSeq: %u ACK\r\nContent-Length: 0\r\n\r\n",
		 a->target, t->sip_port, ++t->branch_no, a->local, a->remote,
		 a->call_id, a->cseq);
	send_text(t, ack);
	t->v21 = true;
	EXPECT(t, 3000, a->rx_v21 > v21, "V.21 again after the refresh");
	CHECK((uint16_t)(a->v21_seq - seq) < 1000 && a->v21_seq != seq,
	      "the same gateway: sequence numbers go on (%u after %u)",
	      a->v21_seq, seq);
	t->v21 = false;
	udptl = a->rx_udptl;
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	CHECK(a->rx_not_udptl == 0 && udptl > 0, "only UDPTL after the switch");
}

/*
 * The phone's fax is heard (V.21 flags) in a call on a port with fax = t38:
 * the line sends a re-INVITE offering T.38 only (m=image udptl t38 on the
 * audio's port, version 0, 14400 bit/s, redundancy), once: in *@ret.
 */
static void t38_offer_heard(struct lt *t, struct party *a, struct msg **ret)
{
	unsigned port = 0;
	const char *img;
	struct msg *m;

	*ret = NULL;
	t->v21 = true;
	EXPECT(t, 3000, (m = take_req(t, "INVITE", a)) != NULL,
	       "a fax heard: the far end gets a re-INVITE");
	img = m->body ? strstr(m->body, "m=image ") : NULL;
	CHECK(img && sscanf(img, "m=image %u udptl t38", &port) == 1 &&
	      port == a->line_rtp_port,
	      "offering T.38 on the audio's port %u: %s", a->line_rtp_port,
	      m->body ? m->body : "(none)");
	CHECK(m->body && !strstr(m->body, "m=audio") &&
	      strstr(m->body, "a=T38FaxVersion:0") &&
	      strstr(m->body, "a=T38MaxBitRate:14400") &&
	      strstr(m->body, "a=T38FaxUdpEC:t38UDPRedundancy"),
	      "the T.38 offer's attributes: %s", m->body ? m->body : "");
	*ret = m;
}

/* fax = t38: a fax heard offers T.38; the far end's 488 keeps the call on
 * G.711 (pass-through): RTP both ways, and no second offer. */
LINE_TEST(t38_offer_refused)
{
	struct party *a = party_new(t);
	unsigned before;
	struct msg *m;

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	t38_offer_heard(t, a, &m);
	if (unit_failed())
		return;
	respond(t, m, 488, "Not Acceptable Here", a,
		"Warning: 304 far \"Media type not available\"\r\n", NULL);
	EXPECT_REQ(t, m, "ACK", a);
	before = a->rx_packets;
	mark(t);
	EXPECT(t, 2000, a->rx_packets > before + 20,
	       "the far end still gets RTP from the line");
	EXPECT(t, 3000, hearing(t, SND_A + a->idx, 10),
	       "the phone still hears the far end");
	CHECK(STATE(t) == CALL_STATE_INCALL, "the call goes on");
	CHECK(!take_req(t, "INVITE", a), "one T.38 offer per call");
	t->v21 = false;
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* fax = t38: a fax heard offers T.38; the far end's 200 with its T.38
 * answer switches the call: only UDPTL, both ways. */
LINE_TEST(t38_offer_accepted)
{
	struct party *a = party_new(t);
	char answer[1024];
	struct msg *m;

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	t38_offer_heard(t, a, &m);
	if (unit_failed())
		return;
	snprintf(answer, sizeof(answer),
		 "v=0\r\no=- 1001 9 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=image %u udptl t38\r\n"
		 "a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
		 "a=T38FaxRateManagement:transferredTCF\r\n"
		 "a=T38FaxMaxDatagram:400\r\n"
		 "a=T38FaxUdpEC:t38UDPRedundancy\r\n", a->rtp_port);
	a->answer_sdp = answer;
	respond(t, m, 200, "OK", a, NULL, "sendrecv");
	a->answer_sdp = NULL;
	EXPECT_REQ(t, m, "ACK", a);
	t38_flows(t, a);
	CHECK(STATE(t) == CALL_STATE_INCALL, "the call goes on");
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	CHECK(a->rx_not_udptl == 0, "only UDPTL after the switch");
}

/*
 * A fax carried end to end: a spandsp fax machine at the phone (audio,
 * V.17 and the rest through the fake port) sends a 1-page TIFF-F document
 * (faxpeer mkdoc, libtiff) in a call; fxsd hears its CNG and offers T.38;
 * the far end takes it and answers with spandsp's t38_terminal over UDPTL
 * (our udptl.c at its end).  Both terminals end T.30 without error and
 * the page received equals the one sent, pixel for pixel (faxpeer
 * compare).
 */
LINE_TEST(t38_fax_end_to_end)
{
	struct party *a = party_new(t);
	char answer[1024], doc[160], rx[160], cmd[512];
	struct msg *m;

	CHECK(a, "party");
	snprintf(doc, sizeof(doc), "%s/doc.tif", t->dir);
	snprintf(rx, sizeof(rx), "%s/rx.tif", t->dir);
	snprintf(cmd, sizeof(cmd), "tests/daemon/faxpeer mkdoc %s 1 >/dev/null 2>&1", doc);
	CHECK(system(cmd) == 0, "%s", cmd);
	CALL_IN(t, a, "alice");
	a->send_tone = false;
	t->fax = phone_fax_new(doc);
	CHECK(t->fax, "the phone's fax machine");
	EXPECT(t, 8000, (m = take_req(t, "INVITE", a)) != NULL,
	       "the phone's fax heard: a T.38 offer");
	CHECK(m->body && strstr(m->body, "m=image "), "T.38 offered");
	snprintf(answer, sizeof(answer),
		 "v=0\r\no=- 1001 9 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		 "m=image %u udptl t38\r\n"
		 "a=T38FaxVersion:0\r\na=T38MaxBitRate:14400\r\n"
		 "a=T38FaxRateManagement:transferredTCF\r\n"
		 "a=T38FaxMaxDatagram:400\r\n"
		 "a=T38FaxUdpEC:t38UDPRedundancy\r\n", a->rtp_port);
	a->answer_sdp = answer;
	/* the far end's terminal answers the call from now on */
	a->fax = far_fax_new(rx, party_fax_send, a);
	CHECK(a->fax, "the far end's T.38 terminal");
	a->udptl = true;
	respond(t, m, 200, "OK", a, NULL, "sendrecv");
	a->answer_sdp = NULL;
	EXPECT_REQ(t, m, "ACK", a);
	/* RTP of before the switch may still arrive meanwhile */
	run_for(t, 100);
	a->rx_not_udptl = 0;
	EXPECT(t, 90000, phone_fax_result(t->fax) >= 0 &&
	       far_fax_result(a->fax) >= 0, "both fax terminals end T.30");
	CHECK(fax_result_ok(phone_fax_result(t->fax)) &&
	      fax_result_ok(far_fax_result(a->fax)),
	      "T.30 ends: phone %d (%s), far end %d (%s)",
	      phone_fax_result(t->fax), fax_result_str(phone_fax_result(t->fax)),
	      far_fax_result(a->fax), fax_result_str(far_fax_result(a->fax)));
	snprintf(cmd, sizeof(cmd), "tests/daemon/faxpeer compare %s %s >/dev/null 2>&1", doc, rx);
	CHECK(system(cmd) == 0, "the page received equals the one sent (%s)",
	      cmd);
	CHECK(a->rx_not_udptl == 0, "only UDPTL after the switch");
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	unlink(doc);
	unlink(rx);
}

/* G.729 (fxsd with codecs = g729, pcmu; a far end that offers only G.729,
 * annexb=no): the phone hears the caller's tone through bcg729 both ends,
 * and the caller gets 20-byte packets (two 10 ms frames, no Annex B) of
 * PT 18 that decode. */
LINE_TEST_CONF(g729_call, "codecs = g729, pcmu\n")
{
	struct party *a = party_new(t);
	struct codec_params cp;
	struct msg *m;

	CHECK(a, "party");
	codec_params_default(CODEC_G729, &cp);
	cp.annexb = false;
	CHECK_INT(codec_new(CODEC_G729, &cp, &a->g729), 0);
	CALL_IN(t, a, "alice");
	CHECK(a->rx_packets > 10, "the caller gets G.729 RTP from the line: %u",
	      a->rx_packets);
	CHECK_INT(a->rx_bytes, 20 * a->rx_packets);
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	EXPECT(t, 2000, STATE(t) != CALL_STATE_INCALL, "BYE: the call ends");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	a->g729 = codec_free(a->g729);
}

/*
 * Opus with telephone-event/48000 (RFC 7587's clock): the phone keys a 5
 * (100 ms) in the call; it goes out on PT 110 with its duration counted
 * at 48 kHz (about 4800, not 800) and a timestamp on the audio's 48 kHz
 * timeline.
 */
LINE_TEST_CONF(opus_telephone_event_48k, "codecs = opus, pcmu\n")
{
	struct party *a = party_new(t);
	struct codec_params cp;
	struct msg *m;
	int32_t ahead;

	CHECK(a, "party");
	codec_params_default(CODEC_OPUS, &cp);
	CHECK_INT(codec_new(CODEC_OPUS, &cp, &a->opus), 0);
	CALL_IN(t, a, "alice");
	t->keying = "5";
	EXPECT(t, 3000, a->ev_end, "the 5 goes out as telephone-events");
	CHECK_INT(a->ev_pt, 110);
	run_for(t, 200);	/* the audio goes on after the event */
	CHECK(a->ev_duration >= 90 * 48 && a->ev_duration <= 160 * 48,
	      "duration %u at 48 kHz for a 100 ms key", a->ev_duration);
	ahead = (int32_t)(a->audio_ts - a->ev_ts);
	CHECK(ahead >= 0 && ahead <= 48000,
	      "event timestamp %u, audio at %u: not on its 48 kHz timeline",
	      a->ev_ts, a->audio_ts);
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	EXPECT(t, 2000, STATE(t) != CALL_STATE_INCALL, "BYE: the call ends");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	a->opus = codec_free(a->opus);
}

/* A call waiting: A talks (called in); B calls: 180, the phone hears the
 * call-waiting tone over A; a flash takes B (200) and holds A (re-INVITE
 * a=sendonly); the phone hears B; a flash swaps back. */
LINE_TEST_CONF(call_waiting, "transfer_on_hangup = no\n")
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;

	CHECK(a && b, "parties");
	CALL_IN(t, a, "alice");
	mark(t);
	b->send_tone = true;
	party_invite(t, b, "bob", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", b);
	party_ack(t, b, m);
	CHECK(!take_resp(t, 486, "INVITE", b), "not 486");
	EXPECT(t, 2000, hearing(t, SND_CW, 5),
	       "the phone hears the call-waiting tone");
	CHECK(!fake_port.ringing, "the phone does not ring in a call");
	CHECK(!strcmp(FEATURE(t), "call-waiting"), "feature %s", FEATURE(t));
	EXPECT(t, 2000, hearing(t, SND_A, 10), "then A again");
	fake_port_flash();
	EXPECT_RESP(t, m, 200, "INVITE", b);
	party_ack(t, b, m);
	REINVITE(t, a, "sendonly", "recvonly");
	EXPECT(t, 3000, hearing(t, SND_B, 10), "after the flash the phone hears B");
	fake_port_flash();
	REINVITE(t, b, "sendonly", "recvonly");
	REINVITE(t, a, "sendrecv", "sendrecv");
	EXPECT(t, 3000, hearing(t, SND_A, 10), "after a flash again: A");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, fake_port.ringing, "B held: the phone rings back");
}

/* Hold and resume: a flash in a call holds it (re-INVITE a=sendonly)
 * and gives dial tone; a flash again resumes it (a=sendrecv). */
LINE_TEST(hold_resume)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	CALL_OUT(t, a, "2001");
	fake_port_flash();
	REINVITE(t, a, "sendonly", "recvonly");
	EXPECT(t, 2000, hearing(t, SND_DIAL, 10), "held: the phone hears dial tone");
	CHECK(!strcmp(FEATURE(t), "held"), "feature %s", FEATURE(t));
	fake_port_flash();
	REINVITE(t, a, "sendrecv", "sendrecv");
	EXPECT(t, 3000, hearing(t, SND_A, 10), "resumed: the phone hears A");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	CHECK(!fake_port.ringing, "no recall without a held call");
}

/* Recall: hung up with a call on hold, the phone rings; lifting it takes
 * the held call back (re-INVITE a=sendrecv). */
LINE_TEST(recall)
{
	struct party *a = party_new(t);

	CHECK(a, "party");
	CALL_IN(t, a, "alice");
	fake_port_flash();
	REINVITE(t, a, "sendonly", "recvonly");
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "held: dial tone");
	fake_port_hook(false);
	EXPECT(t, 2000, fake_port.ringing, "on hook with A held: the phone rings");
	CHECK(!take_req(t, "BYE", a), "the held call is not ended");
	fake_port_hook(true);
	REINVITE(t, a, "sendrecv", "sendrecv");
	CHECK(!fake_port.ringing, "off hook: the ringing stops");
	EXPECT(t, 3000, hearing(t, SND_A, 10), "the phone hears A again");
}

/* Hold A and dial C (the 3-way's second call), C answers. */
#define HOLD_AND_DIAL_C(t, a, c, answer, inv)			\
	do {								\
		struct msg *m2_;					\
									\
		fake_port_flash();					\
		REINVITE(t, a, "sendonly", "recvonly");			\
		EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "held: dial tone"); \
		dial("2002");						\
		EXPECT_REQ(t, m2_, "INVITE", NULL);			\
		CHECK(strstr(m2_->text, "INVITE sip:2002@"), "INVITE to 2002"); \
		party_from_invite(t, c, m2_);				\
		respond(t, m2_, 180, "Ringing", c, NULL, NULL);		\
		EXPECT(t, 2000, hearing(t, SND_RINGBACK, 5), "C rings: ringback"); \
		if (answer) {						\
			c->send_tone = true;				\
			respond(t, m2_, 200, "OK", c, NULL, "sendrecv"); \
			EXPECT_REQ(t, m2_, "ACK", c);			\
			EXPECT(t, 3000, hearing(t, SND_A + c->idx, 10),	\
			       "the phone hears C");			\
		}							\
		*(inv) = m2_;						\
	} while (0)

/* 3-way: A held, C talking; a flash joins them: A gets a re-INVITE
 * a=sendrecv, and each far end hears the other (the line's mixer). */
LINE_TEST(three_way)
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *m;
	unsigned a_hears_c, c_hears_a;

	CHECK(a && c, "parties");
	CALL_IN(t, a, "alice");
	HOLD_AND_DIAL_C(t, a, c, true, &m);
	fake_port_flash();
	REINVITE(t, a, "sendrecv", "sendrecv");
	EXPECT(t, 2000, !strcmp(FEATURE(t), "conference"), "a conference");
	a_hears_c = a->rx_hz_frames[c->idx];
	c_hears_a = c->rx_hz_frames[a->idx];
	EXPECT(t, 3000, a->rx_hz_frames[c->idx] > a_hears_c + 25 &&
	       c->rx_hz_frames[a->idx] > c_hears_a + 25,
	       "A hears C and C hears A (the mixer)");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT_REQ(t, m, "BYE", c);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE && !fake_port.ringing,
	       "hung up: both ended, idle, no ringing");
}

/* The REFER @m: 202, then (@notify) a NOTIFY with sipfrag @frag. */
static void refer_accept(struct lt *t, struct party *a, struct msg *m,
			 const char *frag)
{
	respond(t, m, 202, "Accepted", a, NULL, NULL);
	if (frag)
		request(t, a, "NOTIFY",
			"Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n",
			"message/sipfrag;version=2.0", frag);
}

/* conference_hangup_transfer: hanging up in the conference leaves A and
 * C to each other: A gets a REFER to C with Replaces of C's dialog; its
 * NOTIFY 200 ends both our calls. */
LINE_TEST_CONF(three_way_hangup_transfers, "conference_hangup_transfer = yes\n")
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *m, *refer;
	char rt[512];

	CHECK(a && c, "parties");
	CALL_IN(t, a, "alice");
	HOLD_AND_DIAL_C(t, a, c, true, &m);
	fake_port_flash();
	REINVITE(t, a, "sendrecv", "sendrecv");
	EXPECT(t, 2000, !strcmp(FEATURE(t), "conference"), "a conference");
	fake_port_hook(false);
	EXPECT_REQ(t, refer, "REFER", a);
	CHECK(hdr(refer, "Refer-To", 'r', rt, sizeof(rt)), "a Refer-To");
	CHECK(strstr(rt, "2002@") && strcasestr(rt, "Replaces=") &&
	      strstr(rt, c->call_id),
	      "Refer-To is C with Replaces of C's dialog (%s): %s", c->call_id, rt);
	CHECK(!take_req(t, "BYE", NULL), "no BYE before the outcome");
	refer_accept(t, a, refer, "SIP/2.0 200 OK\r\n");
	EXPECT_RESP(t, m, 200, "NOTIFY", a);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT_REQ(t, m, "BYE", c);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE && !fake_port.ringing &&
	       !strcmp(FEATURE(t), "single"), "transferred: idle, no ringing");
}

/* Blind transfer: A held, C dialled and ringing, the phone hangs up: A
 * gets a REFER to 2002 without Replaces, C our CANCEL; A's NOTIFY 200:
 * the line ends A (BYE). */
LINE_TEST(blind_transfer)
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *m, *inv, *refer;
	char rt[512];

	CHECK(a && c, "parties");
	CALL_IN(t, a, "alice");
	HOLD_AND_DIAL_C(t, a, c, false, &inv);
	fake_port_hook(false);
	EXPECT_REQ(t, refer, "REFER", a);
	CHECK(hdr(refer, "Refer-To", 'r', rt, sizeof(rt)), "a Refer-To");
	CHECK(strstr(rt, "2002@") && !strcasestr(rt, "Replaces"),
	      "Refer-To is C's number, no Replaces: %s", rt);
	EXPECT_REQ(t, m, "CANCEL", c);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	respond(t, inv, 487, "Request Terminated", c, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", c);
	refer_accept(t, a, refer, "SIP/2.0 200 OK\r\n");
	EXPECT_RESP(t, m, 200, "NOTIFY", a);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE && !fake_port.ringing,
	       "transferred: idle, no ringing");
}

/* Attended transfer: A held, C dialled and talking, the phone hangs up:
 * A gets a REFER to C with Replaces of C's dialog; NOTIFY 200: the line
 * ends both (BYE). */
LINE_TEST(attended_transfer)
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *m, *refer;
	char rt[512];

	CHECK(a && c, "parties");
	CALL_IN(t, a, "alice");
	HOLD_AND_DIAL_C(t, a, c, true, &m);
	fake_port_hook(false);
	EXPECT_REQ(t, refer, "REFER", a);
	CHECK(hdr(refer, "Refer-To", 'r', rt, sizeof(rt)), "a Refer-To");
	CHECK(strstr(rt, "2002@") && strcasestr(rt, "Replaces=") &&
	      strstr(rt, c->call_id),
	      "Refer-To is C with Replaces of C's dialog (%s): %s", c->call_id, rt);
	refer_accept(t, a, refer, "SIP/2.0 200 OK\r\n");
	EXPECT_RESP(t, m, 200, "NOTIFY", a);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT_REQ(t, m, "BYE", c);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE && !fake_port.ringing &&
	       !strcmp(FEATURE(t), "single"), "transferred: idle, no ringing");
}

/* Message waiting: an unsolicited NOTIFY (message-summary) says 2 new
 * messages: 200; lifting the phone gives the stutter dial tone (on/off
 * 100 ms), then steady dial tone. */
LINE_TEST(mwi_stutter)
{
	struct party *v = party_new(t);
	struct msg *m;
	unsigned gaps = 0, i;
	enum sound prev = SND_SILENT;

	CHECK(v, "party");
	snprintf(v->call_id, sizeof(v->call_id), "lt-mwi@127.0.0.1");
	snprintf(v->local, sizeof(v->local), "<sip:vm@127.0.0.1:%u>;tag=mwi1",
		 t->sip_port);
	snprintf(v->remote, sizeof(v->remote), "<sip:1000@127.0.0.1:%u>",
		 t->line_port);
	snprintf(v->target, sizeof(v->target), "sip:1000@127.0.0.1:%u",
		 t->line_port);
	request(t, v, "NOTIFY", "Event: message-summary\r\n"
		"Subscription-State: active\r\n",
		"application/simple-message-summary",
		"Messages-Waiting: yes\r\nVoice-Message: 2/0 (0/0)\r\n");
	EXPECT_RESP(t, m, 200, "NOTIFY", v);
	EXPECT(t, 2000, status(t).mwi_waiting && status(t).mwi_new == 2,
	       "the line shows 2 messages waiting");
	/* the on-hook lamp spill goes first: let it end */
	EXPECT(t, 4000, hearing(t, SND_SILENT, 25), "the lamp spill ends");
	mark(t);
	fake_port_hook(true);
	EXPECT(t, 3000, hearing(t, SND_DIAL, 25), "then steady dial tone");
	for (i = t->mark; i < t->frames; i++) {
		enum sound s = t->hist[i % HIST];

		gaps += prev == SND_DIAL && s != SND_DIAL;
		prev = s;
	}
	CHECK(gaps >= 5, "stutter: the dial tone was interrupted %u times", gaps);
}

/* ---- races ---- */

/* A flash while the called party rings does not abandon the call: no
 * CANCEL; the answer still connects. */
LINE_TEST(flash_during_ringback)
{
	struct party *a = party_new(t);
	struct msg *m, *inv;

	CHECK(a, "party");
	RING_OUT(t, a, inv, "2001");
	fake_port_flash();
	mark(t);
	EXPECT(t, 2000, hearing(t, SND_RINGBACK, 10), "still ringback");
	CHECK(!take_req(t, "CANCEL", a), "no CANCEL");
	CHECK_INT(count_req(t, "INVITE", NULL), 1);
	a->send_tone = true;
	respond(t, inv, 200, "OK", a, NULL, "sendrecv");
	EXPECT_REQ(t, m, "ACK", a);
	EXPECT(t, 3000, hearing(t, SND_A, 10), "answered: the phone hears A");
}

/* The waiting caller gives up (CANCEL) while the phone hears the
 * call-waiting tone: 200 and 487; the line is back to one call, the
 * phone hears A, and a flash then holds A (not a swap to a dead call). */
LINE_TEST(cancel_waiting_call)
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;

	CHECK(a && b, "parties");
	CALL_IN(t, a, "alice");
	party_invite(t, b, "bob", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", b);
	party_ack(t, b, m);
	EXPECT(t, 2000, hearing(t, SND_CW, 3), "the call-waiting tone");
	party_cancel(t, b);
	EXPECT_RESP(t, m, 200, "CANCEL", b);
	EXPECT_RESP(t, m, 487, "INVITE", b);
	party_ack(t, b, m);
	EXPECT(t, 2000, !strcmp(FEATURE(t), "single"), "one call again");
	EXPECT(t, 3000, hearing(t, SND_A, 10), "the phone hears A");
	fake_port_flash();
	REINVITE(t, a, "sendonly", "recvonly");
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "a flash holds A: dial tone");
	CHECK(!take_req(t, "INVITE", b) && !take_req(t, "BYE", b),
	      "nothing more to B");
}

/* The held party hangs up (BYE): 200; the line keeps the front call, and
 * hanging up then rings nothing back. */
LINE_TEST_CONF(bye_from_held, "transfer_on_hangup = no\n")
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;
	unsigned rings;

	CHECK(a && b, "parties");
	CALL_IN(t, a, "alice");
	b->send_tone = true;
	party_invite(t, b, "bob", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", b);
	party_ack(t, b, m);
	fake_port_flash();
	EXPECT_RESP(t, m, 200, "INVITE", b);
	party_ack(t, b, m);
	REINVITE(t, a, "sendonly", "recvonly");
	EXPECT(t, 3000, hearing(t, SND_B, 10), "the phone hears B");
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT_RESP(t, m, 200, "BYE", a);
	EXPECT(t, 2000, !strcmp(FEATURE(t), "single"), "one call again");
	mark(t);
	EXPECT(t, 2000, hearing(t, SND_B, 25), "the phone still hears B");
	rings = fake_port.ring_starts;
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", b);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "idle");
	run_for(t, 300);
	CHECK(!fake_port.ringing && fake_port.ring_starts == rings,
	      "no recall for a call that is gone");
}

/* Hold A and dial C, hang up while C rings: the blind transfer's REFER
 * and CANCEL, C's 487 acknowledged.  The REFER in @refer. */
#define BLIND_TO_C(t, a, c, refer)					\
	do {								\
		struct msg *m3_, *inv3_;				\
									\
		CALL_IN(t, a, "alice");					\
		HOLD_AND_DIAL_C(t, a, c, false, &inv3_);		\
		fake_port_hook(false);					\
		EXPECT_REQ(t, refer, "REFER", a);			\
		EXPECT_REQ(t, m3_, "CANCEL", c);			\
		respond(t, m3_, 200, "OK", NULL, NULL, NULL);		\
		respond(t, inv3_, 487, "Request Terminated", c, NULL, NULL); \
		EXPECT_REQ(t, m3_, "ACK", c);				\
	} while (0)

/* The transfer fails: the phone rings for the held call; lifting it takes
 * A back (a=sendrecv). */
#define RECALL_AFTER_FAILED_TRANSFER(t, a)				\
	do {								\
		EXPECT(t, 4000, fake_port.ringing,			\
		       "the transfer failed: the phone rings for A");	\
		CHECK(!take_req(t, "BYE", a), "A is not hung up on");	\
		fake_port_hook(true);					\
		REINVITE(t, a, "sendrecv", "sendrecv");			\
		EXPECT(t, 3000, hearing(t, SND_A, 10), "the phone hears A"); \
	} while (0)

/* A's NOTIFY (final, 200) overtakes the 202 to our REFER. */
LINE_TEST(refer_notify_before_202)
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *m, *refer;

	CHECK(a && c, "parties");
	BLIND_TO_C(t, a, c, refer);
	request(t, a, "NOTIFY",
		"Event: refer\r\nSubscription-State: terminated;reason=noresource\r\n",
		"message/sipfrag;version=2.0", "SIP/2.0 200 OK\r\n");
	EXPECT_RESP(t, m, 200, "NOTIFY", a);
	respond(t, refer, 202, "Accepted", a, NULL, NULL);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE &&
	       !strcmp(FEATURE(t), "single") && !fake_port.ringing,
	       "transferred: idle, one call, no ringing");
}

/* A refuses the REFER (603): the phone rings for A. */
LINE_TEST(refer_rejected)
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *refer;

	CHECK(a && c, "parties");
	BLIND_TO_C(t, a, c, refer);
	respond(t, refer, 603, "Declined", a, NULL, NULL);
	RECALL_AFTER_FAILED_TRANSFER(t, a);
}

/* A takes the REFER (202) but never NOTIFYs: after the deadline (2 s in
 * this build, SIP_REFER_FIRST_MS) the phone rings for A. */
LINE_TEST(refer_no_notify)
{
	struct party *a = party_new(t), *c = party_new(t);
	struct msg *refer;

	CHECK(a && c, "parties");
	BLIND_TO_C(t, a, c, refer);
	respond(t, refer, 202, "Accepted", a, NULL, NULL);
	run_for(t, 1000);
	CHECK(!fake_port.ringing, "no recall before the deadline");
	RECALL_AFTER_FAILED_TRANSFER(t, a);
}

/* Our BYE and A's cross: each is answered, the line ends idle and quiet
 * (no BYE resent once answered). */
LINE_TEST(bye_crossing_bye)
{
	struct party *a = party_new(t);
	struct msg *m, *bye;

	CHECK(a, "party");
	CALL_OUT(t, a, "2001");
	fake_port_hook(false);
	EXPECT_REQ(t, bye, "BYE", a);
	request(t, a, "BYE", NULL, NULL, NULL);
	EXPECT(t, 2000, (m = take_resp(t, 200, "BYE", a)) ||
	       (m = take_resp(t, 481, "BYE", a)),
	       "the line answers A's BYE (200 or 481)");
	respond(t, bye, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "idle");
	run_for(t, 1200);
	CHECK_INT(count_req(t, "BYE", a), 1);
	CHECK(!fake_port.ringing, "no ringing");
}

/* We CANCEL (hung up while it rings); the far end's 200 to the CANCEL
 * and 487 to the INVITE: the line ACKs the 487, sends nothing more. */
LINE_TEST(cancel_then_487)
{
	struct party *a = party_new(t);
	struct msg *m, *inv;
	char via_i[512], via_a[512];

	CHECK(a, "party");
	RING_OUT(t, a, inv, "2001");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "CANCEL", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	respond(t, inv, 487, "Request Terminated", a, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", a);
	hdr(inv, "Via", 'v', via_i, sizeof(via_i));
	hdr(m, "Via", 'v', via_a, sizeof(via_a));
	CHECK(!strcmp(via_i, via_a), "the ACK is in the INVITE's transaction");
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "idle");
	run_for(t, 1200);
	CHECK_INT(count_req(t, "INVITE", a), 1);
	CHECK_INT(count_req(t, "CANCEL", a), 1);
	CHECK(!fake_port.ringing, "no ringing");
}

/* Call waiting, swapped back: A (who called first) talks, B is held; the
 * phone hangs up with transfer_on_hangup: B gets a REFER to A's address
 * with Replaces of A's dialog; NOTIFY 200: both ended. */
LINE_TEST(cw_transfer_to_caller)
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m, *refer;
	char rt[512], esc[160];

	CHECK(a && b, "parties");
	CALL_IN(t, a, "alice");
	b->send_tone = true;
	party_invite(t, b, "bob", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", b);
	party_ack(t, b, m);
	fake_port_flash();
	EXPECT_RESP(t, m, 200, "INVITE", b);
	party_ack(t, b, m);
	REINVITE(t, a, "sendonly", "recvonly");
	EXPECT(t, 3000, hearing(t, SND_B, 10), "the phone hears B");
	fake_port_flash();
	REINVITE(t, b, "sendonly", "recvonly");
	REINVITE(t, a, "sendrecv", "sendrecv");
	EXPECT(t, 3000, hearing(t, SND_A, 10), "the phone hears A");
	fake_port_hook(false);
	EXPECT_REQ(t, refer, "REFER", b);
	CHECK(hdr(refer, "Refer-To", 'r', rt, sizeof(rt)), "a Refer-To");
	/* A's Call-ID escaped in the URI: '@' is %40 */
	snprintf(esc, sizeof(esc), "Replaces=%.*s%%40", (int)strcspn(a->call_id, "@"),
		 a->call_id);
	CHECK(strstr(rt, "<sip:alice@127.0.0.1") && strstr(rt, esc),
	      "Refer-To is A with Replaces of A's dialog (%s): %s", esc, rt);
	refer_accept(t, b, refer, "SIP/2.0 200 OK\r\n");
	EXPECT_RESP(t, m, 200, "NOTIFY", b);
	EXPECT_REQ(t, m, "BYE", b);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE && !fake_port.ringing,
	       "transferred: idle, no ringing");
}

/* The phone keys 2001 as DTMF into its microphone (the line's detector
 * on the captured audio): the INVITE is to 2001. */
LINE_TEST(outgoing_call_dtmf)
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone");
	t->keying = "2001";
	EXPECT_REQ(t, m, "INVITE", NULL);
	CHECK(strstr(m->text, "INVITE sip:2001@"), "the INVITE is to 2001: %.60s",
	      m->text);
	party_from_invite(t, a, m);
	respond(t, m, 486, "Busy Here", a, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", a);
	EXPECT(t, 2000, hearing(t, SND_BUSY, 5), "486: the phone hears busy");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* ---- ghost calls ---- */

/* An INVITE for a user that is not the line's (the To is ours: a scanner
 * cannot pass by it with contact_token): 404, no state, no ring; then the
 * line's user rings. */
LINE_TEST(ghost_wrong_user_404)
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;

	CHECK(a && b, "parties");
	party_invite_to(t, a, "scanner", NULL, "100");
	EXPECT_RESP(t, m, 404, "INVITE", a);
	run_for(t, 600);
	CHECK(STATE(t) == CALL_STATE_IDLE, "idle after the 404");
	CHECK(!take_resp(t, 180, "INVITE", a), "no 180 to the ghost");
	CHECK_INT(fake_port.ring_starts, 0);
	CALL_IN(t, b, "bob");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", b);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
}

/* INVITE then CANCEL within ring_holdoff_ms: 180 at once, 487, the bell
 * never rings. */
LINE_TEST_CONF(ghost_cancel_within_holdoff, "ring_holdoff_ms = 800\n")
{
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	party_invite(t, a, "scanner", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", a);
	party_ack(t, a, m);
	CHECK(STATE(t) == CALL_STATE_RINGING, "ringing state, %s",
	      call_state_to_string(STATE(t)));
	CHECK(!fake_port.ringing, "the bell waits for the hold-off");
	party_cancel(t, a);
	EXPECT_RESP(t, m, 200, "CANCEL", a);
	EXPECT_RESP(t, m, 487, "INVITE", a);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "cancelled: idle");
	run_for(t, 1000);
	CHECK_INT(fake_port.ring_starts, 0);
}

/* A call rings once the hold-off (the default, 300 ms) has passed. */
LINE_TEST(ring_after_holdoff)
{
	struct party *a = party_new(t);
	struct msg *m;
	uint64_t t0;
	long dt;

	CHECK(a, "party");
	party_invite(t, a, "alice", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", a);
	t0 = now_us();
	EXPECT(t, 2000, fake_port.ringing, "the phone rings");
	dt = (long)(now_us() - t0) / 1000;
	CHECK(dt >= 250, "rang %ld ms after the 180, want >= 300 - 50", dt);
	CHECK_INT(fake_port.ring_starts, 1);
	party_cancel(t, a);
	EXPECT_RESP(t, m, 487, "INVITE", a);
	EXPECT(t, 2000, !fake_port.ringing, "cancelled: the ringing stops");
}

/* ---- the services that decide what an incoming call does ---- */

/* The 302 @m: its Contact is <@contact>, its Diversion names our AOR
 * with @reason. */
static bool forwarded_to(struct lt *t, const struct msg *m,
			 const char *contact, const char *reason)
{
	char c[320], d[320], want[320];

	if (!hdr(m, "Contact", 'm', c, sizeof(c)) ||
	    !hdr(m, "Diversion", 0, d, sizeof(d)))
		return false;
	snprintf(want, sizeof(want), "<sip:1000@127.0.0.1:%u>;reason=%s;counter=1",
		 t->sip_port, reason);
	return !strcmp(c, contact) && !strcmp(d, want);
}

/* Do not disturb set at run time (line_set_dnd(), as D-Bus and the star
 * codes do): 486, the phone never rings; off again: it rings. */
LINE_TEST(services_dnd)
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;

	CHECK(a && b, "parties");
	CHECK(line_set_dnd(t->line, true) == 0 && line_services(t->line)->dnd,
	      "line_set_dnd()");
	party_invite(t, a, "2001", NULL);
	EXPECT_RESP(t, m, 486, "INVITE", a);
	party_ack(t, a, m);
	CHECK(!take_resp(t, 180, "INVITE", a) && !fake_port.ring_starts,
	      "DND: no 180, no ring");
	line_set_dnd(t->line, false);
	party_invite(t, b, "2002", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", b);
	EXPECT(t, 2000, fake_port.ringing, "DND off: the phone rings");
	party_cancel(t, b);
	EXPECT_RESP(t, m, 487, "INVITE", b);
	party_ack(t, b, m);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE && !fake_port.ringing,
	       "cancelled: idle");
}

/* Forwarded on busy where the feature machine would answer 486: a third
 * caller while a second waits (call waiting on) gets the 302. */
LINE_TEST(services_forward_busy_third_caller)
{
	struct party *a = party_new(t), *b = party_new(t), *c = party_new(t);
	struct msg *m;
	char want[64];

	CHECK(a && b && c, "parties");
	CALL_IN(t, a, "2001");
	CHECK(line_set_forward(t->line, LINE_FORWARD_BUSY, "sip:a b@x") == -EINVAL,
	      "a bad target taken");
	CHECK(line_set_forward(t->line, LINE_FORWARD_BUSY, "2099") == 0,
	      "line_set_forward()");
	party_invite(t, b, "2002", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", b);
	EXPECT(t, 2000, !strcmp(FEATURE(t), "call-waiting"), "B waits");
	party_invite(t, c, "2003", NULL);
	EXPECT_RESP(t, m, 302, "INVITE", c);
	snprintf(want, sizeof(want), "<sip:2099@127.0.0.1:%u>", t->sip_port);
	CHECK(forwarded_to(t, m, want, "user-busy"),
	      "302 Contact %s, Diversion reason=user-busy: %.300s", want, m->text);
	party_ack(t, c, m);
	CHECK(!strcmp(FEATURE(t), "call-waiting"), "B still waits");
}

/* Forwarded on no answer after forward_no_answer_secs (1 s here): the
 * phone rings, the INVITE gets 302, the ringing stops. */
LINE_TEST_CONF(services_forward_no_answer,
	       "forward_no_answer = sip:vm@127.0.0.1:5099\nforward_no_answer_secs = 1\n")
{
	struct party *a = party_new(t);
	struct msg *m;
	uint64_t t0;

	CHECK(a, "party");
	party_invite(t, a, "2001", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", a);
	/* counted from the 180 (what the caller hears), not from the bell,
	 * which starts ring_holdoff_ms later */
	t0 = now_us();
	EXPECT(t, 2000, fake_port.ringing, "the phone rings");
	EXPECT(t, 4000, (m = take_resp(t, 302, "INVITE", a)) != NULL,
	       "after 1 s of ringing: 302");
	CHECK(now_us() - t0 >= 900000, "the 302 came %llu ms after the 180",
	      (unsigned long long)(now_us() - t0) / 1000);
	CHECK(forwarded_to(t, m, "<sip:vm@127.0.0.1:5099>", "no-answer"),
	      "302 Contact, Diversion reason=no-answer: %.300s", m->text);
	party_ack(t, a, m);
	EXPECT(t, 2000, !fake_port.ringing && STATE(t) == CALL_STATE_IDLE,
	       "the ringing stops: idle");
}

/* Anonymous rejection and forward-all, each before the other services;
 * a distinctive ring's cadence goes to the port. */
LINE_TEST_CONF(services_anonymous_forward_all_ring_alert,
	       "anonymous_reject = yes\nforward_busy = 2098\n")
{
	struct party *a = party_new(t), *b = party_new(t), *c = party_new(t);
	struct msg *m;

	CHECK(a && b && c, "parties");
	line_set_dnd(t->line, true);
	party_invite(t, a, "anonymous", "Privacy: id\r\n");
	EXPECT_RESP(t, m, 433, "INVITE", a);
	party_ack(t, a, m);
	line_set_dnd(t->line, false);
	line_set_forward(t->line, LINE_FORWARD_ALL, "tel:+15551230000");
	party_invite(t, b, "2002", NULL);
	EXPECT_RESP(t, m, 302, "INVITE", b);
	CHECK(forwarded_to(t, m, "<tel:+15551230000>", "unconditional"),
	      "302 Contact, Diversion reason=unconditional: %.300s", m->text);
	party_ack(t, b, m);
	CHECK(!fake_port.ring_starts, "the phone never rang");
	line_set_forward(t->line, LINE_FORWARD_ALL, NULL);
	line_set_anonymous_reject(t->line, false);
	party_invite(t, c, "anonymous", "Alert-Info: <http://127.0.0.1/Bellcore-dr4>\r\n");
	EXPECT_RESP(t, m, 180, "INVITE", c);
	EXPECT(t, 2000, fake_port.ringing, "the phone rings");
	CHECK(fake_port.pairs == 3 && fake_port.cadence[0] == 300 &&
	      fake_port.cadence[2] == 1000 && fake_port.cadence[5] == 4000,
	      "Bellcore-dr4's cadence: %u pairs, %u,%u,%u,...", fake_port.pairs,
	      fake_port.cadence[0], fake_port.cadence[1], fake_port.cadence[2]);
	party_cancel(t, c);
	EXPECT_RESP(t, m, 487, "INVITE", c);
	party_ack(t, c, m);
}

/* ---- what the person dials: star codes, hotline, warm line ---- */

/* Off hook, dial tone, key @keys (DTMF): the line takes them as a star
 * code at once (the confirm state), then gives dial tone again. */
#define STAR_CODE(t, keys)						\
	do {								\
		fake_port_hook(true);					\
		EXPECT(t, 2000, hearing(t, SND_DIAL, 5),		\
		       "off hook: the phone hears dial tone");		\
		(t)->keying = keys;					\
		EXPECT(t, 3000, STATE(t) == CALL_STATE_CONFIRM,		\
		       keys ": the line confirms the code");		\
		EXPECT(t, 3000, STATE(t) == CALL_STATE_DIALTONE,	\
		       keys ": then dial tone again");			\
		mark(t);						\
		EXPECT(t, 2000, hearing(t, SND_DIAL, 5),		\
		       keys ": the phone hears dial tone again");	\
	} while (0)

/* @m (an INVITE of the line) is private: From anonymous, Privacy: id,
 * our AOR in P-Preferred-Identity. */
static void check_private(const struct msg *m)
{
	char v[512];

	CHECK(hdr(m, "From", 'f', v, sizeof(v)) &&
	      !strncmp(v, "\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=", 50) &&
	      !strstr(v, "1000"), "From: %s", v);
	CHECK(hdr(m, "Privacy", 0, v, sizeof(v)) && !strcmp(v, "id"),
	      "Privacy: %s", v);
	CHECK(hdr(m, "P-Preferred-Identity", 0, v, sizeof(v)) &&
	      !strncmp(v, "<sip:1000@127.0.0.1:", 20), "P-Preferred-Identity: %s", v);
}

/* *67: the next call goes out private, and its credentials after a 401
 * are the port's own; the call after it is not private. */
LINE_TEST_CONF(star_67_private_call, "password = s3cret\n")
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;
	char v[512];

	CHECK(a && b, "parties");
	STAR_CODE(t, "*67");
	dial("2001");
	EXPECT_REQ(t, m, "INVITE", NULL);
	check_private(m);
	party_from_invite(t, a, m);
	respond(t, m, 401, "Unauthorized", a,
		"WWW-Authenticate: Digest realm=\"lt\", nonce=\"n67\", qop=\"auth\"\r\n",
		NULL);
	EXPECT_REQ(t, m, "ACK", a);
	EXPECT_REQ(t, m, "INVITE", a);
	check_private(m);
	CHECK(hdr(m, "Authorization", 0, v, sizeof(v)) &&
	      strstr(v, "username=\"1000\""), "Authorization: %s", v);
	respond(t, m, 486, "Busy Here", a, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", a);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_BUSY, "486: busy");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");

	/* spent: the next call is ours again */
	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone");
	dial("2002");
	EXPECT_REQ(t, m, "INVITE", NULL);
	CHECK(hdr(m, "From", 'f', v, sizeof(v)) && strstr(v, "<sip:1000@"),
	      "From: %s", v);
	CHECK(!hdr(m, "Privacy", 0, v, sizeof(v)), "Privacy: %s", v);
	CHECK(!hdr(m, "P-Preferred-Identity", 0, v, sizeof(v)),
	      "P-Preferred-Identity: %s", v);
	party_from_invite(t, b, m);
	respond(t, m, 486, "Busy Here", b, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", b);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* privacy = yes: every call private, privacy_identity = none: no
 * P-Preferred-Identity; *82 makes one call not private. */
LINE_TEST_CONF(privacy_port_and_82, "privacy = yes\nprivacy_identity = none\n")
{
	struct party *a = party_new(t), *b = party_new(t);
	struct msg *m;
	char v[512];

	CHECK(a && b, "parties");
	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone");
	dial("2001");
	EXPECT_REQ(t, m, "INVITE", NULL);
	CHECK(hdr(m, "From", 'f', v, sizeof(v)) && strstr(v, "anonymous.invalid") &&
	      !strstr(v, "1000"), "From: %s", v);
	CHECK(hdr(m, "Privacy", 0, v, sizeof(v)) && !strcmp(v, "id"),
	      "Privacy: %s", v);
	CHECK(!hdr(m, "P-Preferred-Identity", 0, v, sizeof(v)),
	      "P-Preferred-Identity: %s", v);
	party_from_invite(t, a, m);
	respond(t, m, 486, "Busy Here", a, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");

	STAR_CODE(t, "*82");
	dial("2002");
	EXPECT_REQ(t, m, "INVITE", NULL);
	CHECK(hdr(m, "From", 'f', v, sizeof(v)) && strstr(v, "<sip:1000@"),
	      "*82: From: %s", v);
	CHECK(!hdr(m, "Privacy", 0, v, sizeof(v)), "*82: Privacy: %s", v);
	party_from_invite(t, b, m);
	respond(t, m, 486, "Busy Here", b, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", b);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* *70: no call waiting in the next call (a second caller gets 486); the
 * call after it waits again (180, the call-waiting tone). */
LINE_TEST(star_70_cancels_call_waiting_once)
{
	struct party *a = party_new(t), *b = party_new(t);
	struct party *c = party_new(t), *d = party_new(t);
	struct msg *m;

	CHECK(a && b && c && d, "parties");
	STAR_CODE(t, "*70");
	CALL_OUT(t, a, "2001");
	party_invite(t, b, "bob", NULL);
	EXPECT_RESP(t, m, 486, "INVITE", b);
	party_ack(t, b, m);
	CHECK(!take_resp(t, 180, "INVITE", b), "no 180: no call waiting");
	CHECK(!strcmp(FEATURE(t), "single"), "feature %s", FEATURE(t));
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");

	CALL_OUT(t, c, "2003");
	mark(t);
	party_invite(t, d, "dave", NULL);
	EXPECT_RESP(t, m, 180, "INVITE", d);
	party_ack(t, d, m);
	CHECK(!take_resp(t, 486, "INVITE", d), "not 486");
	EXPECT(t, 2000, hearing(t, SND_CW, 5),
	       "the next call: the phone hears the call-waiting tone");
}

/* A string beginning with '*' that is no code: reorder at once. */
LINE_TEST(star_unknown_code_reorder)
{
	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone");
	t->keying = "*55";
	EXPECT(t, 3000, STATE(t) == CALL_STATE_REORDER, "*5: reorder");
	EXPECT(t, 2000, hearing(t, SND_BUSY, 5), "the phone hears reorder");
	CHECK(t->n_msgs == 0, "nothing sent (%zu messages)", t->n_msgs);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* Codes that change a setting of the port: confirmed, dial tone again,
 * nothing sent, and the setting changed (as D-Bus shows it); a code that
 * takes a number (*72 then 2001, complete by the digit map) forwards
 * there.  With DND set by *78 a caller gets 486 and the phone never
 * rings; *79 undoes it. */
#define SETTING_CODE(t, keys)						\
	do {								\
		STAR_CODE(t, keys);					\
		fake_port_hook(false);					\
		EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE,		\
		       keys ", on hook: idle");				\
	} while (0)

LINE_TEST(star_setting_codes_confirm)
{
	const struct line_services *svc = line_services(t->line);
	struct party *a = party_new(t);
	struct msg *m;

	CHECK(a, "party");
	SETTING_CODE(t, "*78");
	CHECK(t->n_msgs == 0, "nothing sent (%zu messages)", t->n_msgs);
	CHECK(svc->dnd, "*78: do not disturb on");
	party_invite(t, a, "2001", NULL);
	EXPECT_RESP(t, m, 486, "INVITE", a);
	party_ack(t, a, m);
	CHECK(!fake_port.ring_starts, "*78: no ring");
	SETTING_CODE(t, "*79");
	CHECK(!svc->dnd, "*79: do not disturb off");
	SETTING_CODE(t, "*722001");
	CHECK(!strcmp(svc->forward[LINE_FORWARD_ALL], "2001"),
	      "*72 2001: forward all to '%s'", svc->forward[LINE_FORWARD_ALL]);
	SETTING_CODE(t, "*73");
	CHECK(!svc->forward[LINE_FORWARD_ALL][0], "*73: forward all off");
	SETTING_CODE(t, "*902002");
	CHECK(!strcmp(svc->forward[LINE_FORWARD_BUSY], "2002"),
	      "*90 2002: forward busy to '%s'", svc->forward[LINE_FORWARD_BUSY]);
	SETTING_CODE(t, "*91");
	CHECK(!svc->forward[LINE_FORWARD_BUSY][0], "*91: forward busy off");
	SETTING_CODE(t, "*922003");
	CHECK(!strcmp(svc->forward[LINE_FORWARD_NO_ANSWER], "2003"),
	      "*92 2003: forward on no answer to '%s'",
	      svc->forward[LINE_FORWARD_NO_ANSWER]);
	SETTING_CODE(t, "*93");
	CHECK(!svc->forward[LINE_FORWARD_NO_ANSWER][0],
	      "*93: forward on no answer off");
	SETTING_CODE(t, "*77");
	CHECK(svc->anonymous_reject, "*77: anonymous rejection on");
	SETTING_CODE(t, "*87");
	CHECK(!svc->anonymous_reject, "*87: anonymous rejection off");
}

/* hotline: off hook calls at once, without dial tone. */
LINE_TEST_CONF(hotline_dials_at_once, "hotline = 2001\n")
{
	struct msg *m;
	uint64_t t0;

	mark(t);
	t0 = now_us();
	fake_port_hook(true);
	EXPECT(t, 1000, (m = take_req(t, "INVITE", NULL)) != NULL,
	       "off hook: the INVITE within 1 s");
	if (!m)
		return;
	printf("# hotline: INVITE %llu ms after off hook\n",
	       (unsigned long long)(now_us() - t0) / 1000);
	CHECK(strstr(m->text, "INVITE sip:2001@"), "to 2001: %.60s", m->text);
	CHECK(STATE(t) == CALL_STATE_TRYING, "state %s",
	      call_state_to_string(STATE(t)));
	run_for(t, 300);
	CHECK(t->heard[SND_DIAL] == 0, "no dial tone (%u frames)",
	      t->heard[SND_DIAL]);
}

/* warm line: dial tone, and the call after warm_line_secs of nothing
 * dialled; a digit in time dials as usual. */
LINE_TEST_CONF(warm_line_after_its_time, "warm_line = 2001\nwarm_line_secs = 2\n")
{
	struct party *a = party_new(t);
	struct msg *m = NULL;
	uint64_t t0;

	CHECK(a, "party");
	t0 = now_us();
	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone meanwhile");
	CHECK(!WAIT(t, 1500, t->n_msgs > 0), "nothing sent within 1.5 s");
	EXPECT(t, 2000, (m = take_req(t, "INVITE", NULL)) != NULL,
	       "the INVITE after 2 s");
	if (!m)
		return;
	printf("# warm line: INVITE %llu ms after off hook\n",
	       (unsigned long long)(now_us() - t0) / 1000);
	CHECK(now_us() - t0 >= 1900000, "not before 2 s");
	CHECK(strstr(m->text, "INVITE sip:2001@"), "to 2001: %.60s", m->text);
	party_from_invite(t, a, m);
	respond(t, m, 486, "Busy Here", a, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");

	/* a digit in time: the number dialled, no warm line */
	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone");
	dial("2002");
	EXPECT_REQ(t, m, "INVITE", NULL);
	CHECK(strstr(m->text, "INVITE sip:2002@"), "to 2002: %.60s", m->text);
	run_for(t, 2500);
	CHECK(!take_req(t, "INVITE", NULL), "no warm-line INVITE as well");
}

/*
 * Behind NAT (nat = auto, the default): the registrar's 200 says it saw
 * the REGISTER come from 192.0.2.33:40000 (Via received/rport).  The
 * line registers again at once with that Contact (the old one with
 * expires=0), and a call the phone makes names it in Contact and in the
 * SDP's c= line, the RTP port as the line's own.
 */
static int respond_nat(struct lt *t, const struct msg *m)
{
	char via[2048], from[320], to[400], cid[128], cseq[64], text[4096];
	char *r;

	vias(m, via, sizeof(via));
	r = strstr(via, ";rport\r\n");
	if (!r)
		return -1;
	snprintf(r, sizeof(via) - (r - via),
		 ";received=192.0.2.33;rport=40000\r\n");
	hdr(m, "From", 'f', from, sizeof(from));
	hdr(m, "To", 't', to, sizeof(to));
	hdr(m, "Call-ID", 'i', cid, sizeof(cid));
	hdr(m, "CSeq", 0, cseq, sizeof(cseq));
	snprintf(text, sizeof(text),
		 "SIP/2.0 200 OK\r\n%sFrom: %s\r\nTo: %s;tag=reg\r\n"
		 "Call-ID: %s\r\nCSeq: %s\r\nExpires: 600\r\n"
		 "Content-Length: 0\r\n\r\n", via, from, to, cid, cseq);
	return send_text(t, text);
}

LINE_TEST_CONF(nat_public_address_in_contact_and_sdp, "register = yes\n")
{
	struct party *a = party_new(t);
	struct msg *m = NULL;
	char v[300];
	unsigned port;

	CHECK(a, "party");
	EXPECT_REQ(t, m, "REGISTER", NULL);
	CHECK(hdr(m, "Contact", 'm', v, sizeof(v)) && strstr(v, "@127.0.0.1:"),
	      "first Contact: %s", v);
	CHECK(respond_nat(t, m) == 0, "no ;rport in our Via");
	EXPECT(t, 2000, (m = take_req(t, "REGISTER", NULL)) != NULL,
	       "a REGISTER again at once");
	CHECK(hdr(m, "Contact", 'm', v, sizeof(v)) &&
	      strstr(v, "@192.0.2.33:40000>") && !strstr(v, "expires=0"),
	      "new Contact: %s", v);
	CHECK(strstr(m->text, "@127.0.0.1:") && strstr(m->text, ">;expires=0"),
	      "the old Contact is removed in the same REGISTER");
	respond_nat(t, m);
	run_for(t, 200);
	CHECK(!take_req(t, "REGISTER", NULL), "registered: no more REGISTERs");

	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "dial tone");
	dial("2001");
	EXPECT_REQ(t, m, "INVITE", NULL);
	CHECK(hdr(m, "Contact", 'm', v, sizeof(v)) &&
	      strstr(v, "@192.0.2.33:40000>"), "INVITE's Contact: %s", v);
	CHECK(m->body && strstr(m->body, "c=IN IP4 192.0.2.33\r\n"),
	      "SDP c= is the public address: %s", m->body ? m->body : "");
	CHECK(m->body && sscanf(strstr(m->body, "m=audio ") ?
				strstr(m->body, "m=audio ") : "", "m=audio %u",
				&port) == 1 &&
	      port >= 20000 && port != 40000, "the RTP port is the line's");
	party_from_invite(t, a, m);
	respond(t, m, 486, "Busy Here", a, NULL, NULL);
	EXPECT_REQ(t, m, "ACK", a);
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* ---- the voice menu and the unavailability announcement ---- */

/* The prompts the build spoke, read here with a reader of our own. */
static int16_t *prompt_read(const char *name, size_t *ret_n)
{
	char path[256];
	int16_t *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "build/prompts/en/%s.sln", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = n > 0 ? malloc((size_t)n) : NULL;
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*ret_n = (size_t)n / 2;
	return buf;
}

/*
 * Where prompt @name is in @rec (@n samples) at or after @from: the first
 * lag at which a 50 ms window of its voiced start correlates (>= 0.9),
 * refined to the best lag within 10 ms, and accepted when the whole
 * prompt correlates there >= 0.95.  Returns the lag, or -1.
 */
static long prompt_find(const int16_t *rec, size_t n, size_t from,
			const char *name, double *ret_score)
{
	size_t m = 0, s0 = 0, w = 400, lag, best;
	int16_t *p = prompt_read(name, &m);
	long found = -1;

	*ret_score = 0;
	if (!p)
		return -1;
	while (s0 < m && abs(p[s0]) < 500)
		s0++;
	if (s0 + w > m)
		w = m - s0;
	for (lag = from; w && lag + m <= n; lag++) {
		double c = ncc(p + s0, rec + lag + s0, w), cb;
		size_t k;

		if (c < 0.9)
			continue;
		best = lag;
		cb = c;
		for (k = lag + 1; k < lag + 80 && k + m <= n; k++) {
			double ck = ncc(p + s0, rec + k + s0, w);

			if (ck > cb) {
				cb = ck;
				best = k;
			}
		}
		c = ncc(p, rec + best, m);
		if (c >= 0.95) {
			*ret_score = c;
			found = (long)best;
			break;
		}
	}
	free(p);
	return found;
}

/* The prompts @names (space-separated) are in @t's recording, in this
 * order, from sample @from; prints where; returns the end or -1. */
static long prompts_in_order(struct lt *t, size_t from, const char *names)
{
	char list[512], *save = NULL, *name;
	double score;

	snprintf(list, sizeof(list), "%s", names);
	for (name = strtok_r(list, " ", &save); name;
	     name = strtok_r(NULL, " ", &save)) {
		long at = prompt_find(t->rec, t->rec_n, from, name, &score);
		size_t m = 0;
		int16_t *p = prompt_read(name, &m);

		free(p);
		if (at < 0) {
			printf("# prompt %s: not found after %.2f s\n", name,
			       from / 8000.0);
			return -1;
		}
		printf("# prompt %-14s at %6.2f s, correlation %.3f\n", name,
		       at / 8000.0, score);
		from = (size_t)at + m;
	}
	return (long)from;
}

static void record_start(struct lt *t, unsigned seconds)
{
	free(t->rec);
	t->rec_max = (size_t)seconds * 8000;
	t->rec = calloc(t->rec_max, sizeof(int16_t));
	t->rec_n = 0;
}

/* *** opens the menu, 1 says the address, a wrong key the error prompt
 * (and the menu), # the menu; hanging up leaves. */
LINE_TEST_CONF(voice_menu_says_the_address, "")
{
	long end;

	fake_port_hook(true);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "off hook: dial tone");
	t->keying = "***";
	EXPECT(t, 3000, STATE(t) == CALL_STATE_MENU, "***: the voice menu");
	EXPECT(t, 2000, !hearing(t, SND_SILENT, 1), "the menu speaks");
	record_start(t, 20);
	t->keying = "1";
	EXPECT(t, 15000, t->rec_n >= 2000 && hearing(t, SND_SILENT, 10) &&
	       !*t->keying, "1: the address said, then silence");
	end = prompts_in_order(t, 0, "ip-address 1 2 7 dot 0 dot 0 dot 1");
	CHECK(end > 0, "the address's prompts in order");
	/* a wrong key */
	record_start(t, 20);
	t->keying = "7";
	EXPECT(t, 6000, t->rec_n >= 8000 * 3, "7: 3 s recorded");
	CHECK(prompts_in_order(t, 0, "invalid-key") > 0,
	      "7: the error prompt");
	CHECK(STATE(t) == CALL_STATE_MENU, "still in the menu: %s",
	      call_state_to_string(STATE(t)));
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* The registrar refuses us (403): lifting the phone says why and what to
 * check, then dial tone. */
LINE_TEST_CONF(unavailable_announcement_then_dial_tone, "register = yes\n")
{
	struct msg *m;

	EXPECT_REQ(t, m, "REGISTER", NULL);
	respond(t, m, 403, "Forbidden", NULL, NULL, NULL);
	EXPECT(t, 2000, status(t).reg == SIP_REG_FAILED, "403: not registered");
	record_start(t, 15);
	fake_port_hook(true);
	EXPECT(t, 1000, STATE(t) == CALL_STATE_ANNOUNCE, "off hook: announcement");
	CHECK(!hearing(t, SND_DIAL, 1), "no dial tone during it");
	EXPECT(t, 12000, STATE(t) == CALL_STATE_DIALTONE, "then dial tone");
	mark(t);
	EXPECT(t, 2000, hearing(t, SND_DIAL, 5), "the phone hears dial tone");
	/* what the driver still queued has played by now */
	CHECK(prompts_in_order(t, 0, "unavailable wrong-password check-password") > 0,
	      "the announcement's prompts in order, before dial tone");
	fake_port_hook(false);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* ---- voice quality: RTCP XR (RFC 3611) and RFC 6035 reports ---- */

/* Give @p an RTCP socket at its RTP port + 1 (moving the RTP port until
 * that one is free). */
static bool party_rtcp(struct party *p)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t len = sizeof(a);
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		int cfd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		if (fd >= 0 && cfd >= 0 &&
		    bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
		    getsockname(fd, (struct sockaddr *)&a, &len) == 0 &&
		    ntohs(a.sin_port) < 65535) {
			a.sin_port = htons(ntohs(a.sin_port) + 1);
			if (bind(cfd, (struct sockaddr *)&a, sizeof(a)) == 0) {
				close(p->rtp_fd);
				p->rtp_fd = fd;
				p->rtp_port = ntohs(a.sin_port) - 1;
				p->rtcp_fd = cfd;
				return true;
			}
		}
		if (fd >= 0)
			close(fd);
		if (cfd >= 0)
			close(cfd);
	}
	return false;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/*
 * An RTCP compound packet with an XR packet in it from @p's socket into
 * @buf (@ret_n bytes); @ret_xr: the XR packet's offset.  Others are read
 * and dropped.
 */
static bool party_rtcp_xr(struct party *p, uint8_t *buf, size_t len,
			  size_t *ret_n, size_t *ret_xr)
{
	ssize_t n;

	while ((n = recv(p->rtcp_fd, buf, len, 0)) > 0) {
		size_t off = 0;

		while (off + 4 <= (size_t)n) {
			size_t plen = 4 * (be16(buf + off + 2) + 1);

			if (buf[off + 1] == 207) {
				*ret_n = (size_t)n;
				*ret_xr = off;
				return true;
			}
			off += plen;
		}
	}
	return false;
}

static void le16w(FILE *f, unsigned v)
{
	fputc(v & 0xff, f);
	fputc(v >> 8 & 0xff, f);
}

static void le32w(FILE *f, uint32_t v)
{
	le16w(f, v & 0xffff);
	le16w(f, v >> 16);
}

/* tshark's view (-V) of @pl as one UDP datagram 127.0.0.1:@sport ->
 * :@dport in a LINKTYPE_RAW capture, into @out (NUL-terminated). */
static bool tshark_decode(const uint8_t *pl, size_t n, unsigned sport,
			  unsigned dport, char *out, size_t outlen)
{
	char dir[] = "/tmp/lt-xr.XXXXXX", path[64], cmd[256];
	uint8_t ip[28] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, 17, 0, 0,
			   127, 0, 0, 1, 127, 0, 0, 1 };
	unsigned sum = 0;
	size_t got = 0;
	FILE *f;
	int i;

	if (!mkdtemp(dir))
		return false;
	snprintf(path, sizeof(path), "%s/rtcp.pcap", dir);
	f = fopen(path, "wb");
	if (!f)
		return false;
	ip[2] = (uint8_t)((28 + n) >> 8);
	ip[3] = (uint8_t)(28 + n);
	for (i = 0; i < 20; i += 2)
		sum += be16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	ip[20] = (uint8_t)(sport >> 8);
	ip[21] = (uint8_t)sport;
	ip[22] = (uint8_t)(dport >> 8);
	ip[23] = (uint8_t)dport;
	ip[24] = (uint8_t)((8 + n) >> 8);
	ip[25] = (uint8_t)(8 + n);
	le32w(f, 0xa1b2c3d4);
	le16w(f, 2);
	le16w(f, 4);
	le32w(f, 0);
	le32w(f, 0);
	le32w(f, 65535);
	le32w(f, 101);			/* LINKTYPE_RAW */
	le32w(f, 0);
	le32w(f, 0);
	le32w(f, (uint32_t)(28 + n));
	le32w(f, (uint32_t)(28 + n));
	fwrite(ip, 1, sizeof(ip), f);
	fwrite(pl, 1, n, f);
	fclose(f);
	/* the RTCP port by its RTP pair, as a capture of the call would */
	snprintf(cmd, sizeof(cmd),
		 "tshark -d udp.port==%u,rtcp -r %s -V 2>/dev/null", dport, path);
	f = popen(cmd, "r");
	if (f) {
		got = fread(out, 1, outlen - 1, f);
		pclose(f);
	}
	out[got] = '\0';
	unlink(path);
	rmdir(dir);
	return got > 0;
}

/* Does @text have a line matching the extended regexp @re? */
static bool has_line(const char *text, const char *re)
{
	regex_t rx;
	bool ok;

	if (regcomp(&rx, re, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0)
		return false;
	ok = regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

/*
 * A call where the far end asks for RTCP XR (a=rtcp-xr:voip-metrics):
 * the answer carries it, the line's RTCP carries a VoIP Metrics block
 * about the far end's stream with the call's values (tshark decodes it);
 * at the hang-up a PUBLISH (RFC 6035) goes to the collector (the far
 * end's address here), which challenges it once (407): it comes again
 * with credentials and every mandatory field of the report.
 */
LINE_TEST_CONF(voice_quality_xr_and_publish,
	       "rtcp_xr = yes\npassword = secret\n"
	       "vq_collector = sip:collector@@FAR@\n")
{
	static char shark[65536];
	struct party *a = party_new(t);
	uint8_t buf[1500];
	size_t n = 0, xr = 0, i;
	struct msg *m;
	char want[300], auth[400];
	const uint8_t *b;
	bool answered_xr = false;

	CHECK(a && party_rtcp(a), "the far end's RTP/RTCP sockets");
	if (!a || a->rtcp_fd < 0)
		return;
	a->xr = true;
	CALL_IN(t, a, "2001");
	for (i = 0; i < t->n_msgs; i++)
		if (!t->msgs[i].request && t->msgs[i].status == 200 &&
		    strstr(t->msgs[i].body, "a=rtcp-xr:voip-metrics"))
			answered_xr = true;
	CHECK(answered_xr, "the 200's SDP answers a=rtcp-xr:voip-metrics");

	/* RTCP every 2.5-7.5 s; the values are set once a second */
	EXPECT(t, 9000, party_rtcp_xr(a, buf, sizeof(buf), &n, &xr),
	       "the line's RTCP carries an XR packet");
	if (!n)
		return;
	b = buf + xr + 8;
	CHECK_INT(b[0], 7);			/* VoIP Metrics */
	CHECK_INT(be16(b + 2), 8);
	CHECK(be32(b + 4) == (0x12345600u | (unsigned)a->idx),
	      "about the far end's SSRC: %08x", be32(b + 4));
	CHECK_INT(b[8], 0);			/* loss rate */
	CHECK_INT(b[9], 0);			/* discard rate */
	/* the far end's tone: peak 8000, -9.1 dBm0 */
	CHECK((int8_t)b[20] >= -11 && (int8_t)b[20] <= -7,
	      "signal level %d dBm0, the tone's -9", (int8_t)b[20]);
	CHECK(b[23] == 16, "Gmin %u", b[23]);
	CHECK(b[24] >= 80 && b[24] <= 95, "R factor %u", b[24]);
	CHECK(b[26] >= 40 && b[26] <= 45, "MOS-LQ %u / 10", b[26]);
	CHECK_INT(b[28] >> 4 & 3, 3);		/* adaptive jitter buffer */
	if (access("/usr/bin/tshark", X_OK) == 0) {
		static const char *const shown[] = {
			"Type: VoIP Metrics Report Block (7)",
			"Fraction lost: 0 / 256",
			"Gmin: 16",
			"Adaptive Jitter Buffer Algorithm: Adaptive (3)",
			"RTCP frame length check: OK",
		};

		CHECK(tshark_decode(buf, n, a->line_rtp_port + 1,
				    a->rtp_port + 1, shark, sizeof(shark)),
		      "tshark ran");
		for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			CHECK(strstr(shark, shown[i]),
			      "tshark shows \"%s\"", shown[i]);
		snprintf(want, sizeof(want), "Identifier: 0x123456%02x",
			 (unsigned)a->idx);
		CHECK(strstr(shark, want), "tshark shows \"%s\"", want);
		snprintf(want, sizeof(want), "Signal Level: %d", (int8_t)b[20]);
		CHECK(strstr(shark, want), "tshark shows \"%s\"", want);
	} else {
		printf("  (tshark not installed: its decoding skipped)\n");
	}

	/* the hang-up: BYE, then the report */
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", a, NULL, NULL);
	EXPECT_REQ(t, m, "PUBLISH", NULL);
	snprintf(want, sizeof(want), "PUBLISH sip:collector@127.0.0.1:%u SIP/2.0",
		 t->sip_port);
	CHECK(!strncmp(m->text, want, strlen(want)), "%.80s", m->text);
	respond(t, m, 407, "Proxy Authentication Required", NULL,
		"Proxy-Authenticate: Digest realm=\"vq\", nonce=\"n1\", algorithm=MD5\r\n",
		NULL);
	EXPECT_REQ(t, m, "PUBLISH", NULL);
	CHECK(hdr(m, "Proxy-Authorization", 0, auth, sizeof(auth)) &&
	      strstr(auth, "realm=\"vq\"") &&
	      has_line(auth, "response=\"[0-9a-f]{32}\""),
	      "the second PUBLISH has credentials");
	CHECK(hdr(m, "Event", 'o', want, sizeof(want)) &&
	      !strcmp(want, "vq-rtcpxr"), "Event: %s", want);
	CHECK(hdr(m, "Content-Type", 'c', want, sizeof(want)) &&
	      !strcmp(want, "application/vq-rtcpxr"), "Content-Type: %s", want);
	{
		char re[16][200];
		int k = 0;

		snprintf(re[k++], 200, "^CallID: %s\r$", a->call_id);
		snprintf(re[k++], 200, "^RemoteAddr: IP=127\\.0\\.0\\.1 PORT=%u SSRC=0x123456%02x\r$",
			 a->rtp_port, (unsigned)a->idx);
		snprintf(re[k++], 200, "^LocalAddr: IP=127\\.0\\.0\\.1 PORT=%u SSRC=0x[0-9a-f]{8}\r$",
			 a->line_rtp_port);
		snprintf(re[k++], 200, "^DialogID: %s;to-tag=[^;]+;from-tag=[^;]+\r$",
			 a->call_id);
		for (i = 0; i < (size_t)k; i++)
			CHECK(has_line(m->body, re[i]), "the report has /%s/:\n%s",
			      re[i], m->body);
	}
	{
		static const char *const fields[] = {
			"^VQSessionReport: CallTerm\r$",
			"^LocalID: <sip:1000@127\\.0\\.0\\.1[^>]*>",
			"^RemoteID: [^\r]*sip:2001@",
			"^OrigID: [^\r]*sip:2001@",	/* it called us */
			"^LocalGroup: fxsd-port0\r$",
			"^LocalMetrics:\r$",
			"^Timestamps: START=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z STOP=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\r$",
			"^SessionDesc: PT=0 PD=PCMU SR=8000 FD=20 FO=0 FPP=1 PPS=50 PLC=2 SSUP=off\r$",
			"^JitterBuffer: JBA=3 JBR=[0-9]+ JBN=[0-9]+ JBM=[0-9]+ JBX=[0-9]+\r$",
			"^PacketLoss: NLR=0\\.0 JDR=[0-9]+\\.[0-9]\r$",
			"^BurstGapLoss: BLD=[0-9]+\\.[0-9] BD=[0-9]+ GLD=[0-9]+\\.[0-9] GD=[1-9][0-9]* GMIN=16\r$",
			"^Delay: RTD=[0-9]+ ESD=[1-9][0-9]* SOWD=[0-9]+ IAJ=[0-9]+ MAJ=[0-9]+\r$",
			"^Signal: SL=-(7|8|9|10|11) NL=-?[0-9]+ RERL=-?[0-9]+\r$",
			"^QualityEst: RLQ=(8[0-9]|9[0-5]) RCQ=(8[0-9]|9[0-5]) MOSLQ=4\\.[0-5] MOSCQ=4\\.[0-5]\r$",
		};

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			CHECK(has_line(m->body, fields[i]),
			      "the report has /%s/:\n%s", fields[i], m->body);
	}
	respond(t, m, 200, "OK", NULL, NULL, NULL);
	run_for(t, 500);
	CHECK_INT(count_req(t, "PUBLISH", NULL), 2);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
}

/* rtcp_xr = yes: our offer asks for VoIP Metrics too; without a
 * collector no report goes anywhere at the hang-up. */
LINE_TEST_CONF(voice_quality_offer_no_collector, "rtcp_xr = yes\n")
{
	struct party *a = party_new(t);
	bool offered = false;
	struct msg *m;
	size_t i;

	CHECK(a, "a far end");
	if (!a)
		return;
	CALL_OUT(t, a, "2001");
	for (i = 0; i < t->n_msgs; i++)
		if (t->msgs[i].request && !strcmp(t->msgs[i].method, "INVITE") &&
		    has_line(t->msgs[i].body, "^a=rtcp-xr:voip-metrics\r$"))
			offered = true;
	CHECK(offered, "the INVITE's SDP offers a=rtcp-xr:voip-metrics");
	fake_port_hook(false);
	EXPECT_REQ(t, m, "BYE", a);
	respond(t, m, 200, "OK", a, NULL, NULL);
	EXPECT(t, 2000, STATE(t) == CALL_STATE_IDLE, "on hook: idle");
	run_for(t, 300);
	CHECK_INT(count_req(t, "PUBLISH", NULL), 0);
}
