// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_sip.c - libFuzzer target: SIP messages into fxsd's agent.
 *
 * The entry points are the agent's own receive functions: this file
 * #includes the agent's files (daemon/sip/, all but digest.c) to reach
 * handle_message() (what the UDP socket's io_cb() calls for each
 * datagram) and the static conn_io_cb() (what sd-event calls when a TCP
 * connection is readable: recv, framing by Content-Length in
 * conn_parse(), keep-alives, handle_message()).  A real
 * agent is created for every input with sip_agent_new() on 127.0.0.1,
 * started (registrar 127.0.0.2), and the input arrives as if from the
 * registrar's address or from a stranger's.  Only the socket calls the
 * agent makes are changed (see below), so everything between the bytes
 * and the callbacks is the daemon's code.  Why not a test hook in sip/:
 * this needs no change to the daemon, and a UDP datagram really is a
 * buffer handed to handle_message(); the TCP path goes through the real
 * recv() on a socketpair.
 *
 * Input: one mode byte, then the data.
 *   mode bit 0   source: 1 = the registrar (127.0.0.2:5060), 0 = a
 *                stranger (127.0.0.99:5070)
 *   mode bit 1   1 = one TCP stream on an accepted connection (the account
 *                uses TCP), 0 = UDP datagrams separated by "%%%%"
 *   mode bit 2   register at start (a REGISTER transaction is open, so
 *                responses to it match; see "Determinism")
 *   mode bit 3   place an outgoing call at start (an INVITE client
 *                transaction is open)
 *   mode bits 4-5  what the user does with an incoming call: answer
 *                with an SDP answer, ring with early media, reject 486,
 *                nothing (it stays ringing); as in fxsd (line.c), the
 *                user acts from the loop, after the read, never inside a
 *                callback; in an answered call the user presses a key (a
 *                DTMF INFO goes out in the dialog)
 *   mode bits 6-7  TCP: the stream is written in pieces of all/7/64/512
 *                bytes, the agent reads after each piece
 * Time: a virtual clock (see vclock) that run_timers() moves: when a TCP
 * stream ends without closing (310 s: the connection's deadlines), after
 * the input (330 s: retransmissions, Timers A-K, the 2xx's 64*T1,
 * registration refresh and retries), after the hang-up and after the stop
 * (40 s each).
 * At the end every call still held is hung up (BYE, CANCEL or 480 built
 * from the received dialog state: Contact, Record-Route, tags), the agent
 * is stopped (an un-REGISTER if registered), pumped and freed; ASan's leak
 * check then runs on what is left.
 *
 * Nothing leaves the machine: sendto() is replaced by one that drops the
 * datagram (so no SIP reaches whoever listens on 127.0.0.1), and connect()
 * on a stream socket fails with ECONNREFUSED (a request the agent wants
 * to send over a new TCP connection then fails as for a dead peer).
 * getrandom() and random() are deterministic per input, so seeds can
 * carry responses whose branch and Call-ID match the agent's REGISTER
 * and INVITE (fuzz_sip prints them with FUZZ_SIP_PRINT=1).
 *
 * Checked besides memory safety: the caller fields handed to on_invite
 * are NUL-terminated within their size (the Alert-Info's tokens are
 * token characters separated by single spaces), a DTMF digit from INFO is one of
 * 0-9 * # A-D.
 */
#define getrandom fuzz_getrandom
#define sendto fuzz_sendto
#define connect fuzz_connect
#define sd_event_now fuzz_sd_event_now
#define clock_gettime fuzz_clock_gettime
#include "../../daemon/sip/agent.c"
#include "../../daemon/sip/policy.c"
#include "../../daemon/sip/resolve.c"
#include "../../daemon/sip/transport.c"
#include "../../daemon/sip/transport_tcp.c"
#include "../../daemon/sip/transaction.c"
#include "../../daemon/sip/message.c"
#include "../../daemon/sip/auth.c"
#include "../../daemon/sip/register.c"
#include "../../daemon/sip/dialog.c"
#include "../../daemon/sip/invite.c"
#include "../../daemon/sip/info.c"
#include "../../daemon/sip/reinvite.c"
#include "../../daemon/sip/timer.c"
#include "../../daemon/sip/prack.c"
#include "../../daemon/sip/subscribe.c"
#include "../../daemon/sip/refer.c"
#include "../../daemon/sip/publish.c"
#undef getrandom
#undef sendto
#undef connect
#undef sd_event_now
#undef clock_gettime

/* the real ones, whose declarations the #defines above renamed */
extern int connect(int fd, __CONST_SOCKADDR_ARG to, socklen_t tolen);
extern int clock_gettime(clockid_t clock, struct timespec *ts);

#include "media/sdp.h"

static uint64_t rng;

/*
 * The agent's clock (CLOCK_MONOTONIC, usec): sd_event_now() and
 * clock_gettime() in sip/, and libosip2's transaction timers (its
 * osip_gettimeofday(), which it calls through the PLT, is replaced by the
 * one below).  It starts at the same value for every input and moves only
 * when run_timers() jumps it to the next deadline.
 */
static uint64_t vclock;
#define VCLOCK_START 1000000000ULL	/* 1000 s: not 0, "never" */

int fuzz_sd_event_now(sd_event *e, clockid_t clock, uint64_t *usec)
{
	(void)e;
	(void)clock;
	*usec = vclock;
	return 0;
}

int fuzz_clock_gettime(clockid_t clock, struct timespec *ts)
{
	if (clock != CLOCK_MONOTONIC)
		return clock_gettime(clock, ts);
	ts->tv_sec = (time_t)(vclock / 1000000);
	ts->tv_nsec = (long)(vclock % 1000000) * 1000;
	return 0;
}

int osip_gettimeofday(struct timeval *tp, void *tz)
{
	(void)tz;
	tp->tv_sec = (time_t)(vclock / 1000000);
	tp->tv_usec = (suseconds_t)(vclock % 1000000);
	return 0;
}

ssize_t fuzz_getrandom(void *buf, size_t len, unsigned int flags)
{
	unsigned char *p = buf;
	size_t i;

	(void)flags;
	for (i = 0; i < len; i++) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		p[i] = (unsigned char)(rng >> 24);
	}
	return (ssize_t)len;
}

ssize_t fuzz_sendto(int fd, const void *buf, size_t len, int flags,
		    __CONST_SOCKADDR_ARG to, socklen_t tolen)
{
	(void)fd;
	(void)flags;
	if (getenv("FUZZ_SIP_PRINT"))
		fprintf(stderr, "fxsd sends:\n%.*s\n", (int)len,
			(const char *)buf);
	(void)to;
	(void)tolen;
	return (ssize_t)len;
}

int fuzz_connect(int fd, __CONST_SOCKADDR_ARG to, socklen_t tolen)
{
	int type = 0;
	socklen_t tl = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 &&
	    type == SOCK_DGRAM)
		return connect(fd, to, tolen);	/* sends nothing */
	errno = ECONNREFUSED;
	return -1;
}

#define HELD_MAX 64

/* Calls the user holds, and what the user still has to do with them. */
struct fuzz_ctx {
	unsigned mode;
	struct sip_call *held[HELD_MAX];
	bool to_answer[HELD_MAX];	/* a new incoming call */
	bool to_dial[HELD_MAX];		/* answered: send a DTMF INFO */
	unsigned n_held;
};

static const char local_sdp[] =
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\nm=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n";

static int hold(struct fuzz_ctx *f, struct sip_call *c)
{
	if (f->n_held < HELD_MAX) {
		f->held[f->n_held] = c;
		return (int)f->n_held++;
	}
	sip_call_unref(c);
	return -1;
}

static int held_index(struct fuzz_ctx *f, struct sip_call *c)
{
	unsigned i;

	for (i = 0; i < f->n_held; i++)
		if (f->held[i] == c)
			return (int)i;
	return -1;
}

static void check_field(const char *s)
{
	if (strnlen(s, SIP_CALLER_FIELD_MAX) >= SIP_CALLER_FIELD_MAX)
		abort();
}

/* As fxsd's line.c: take the call, act on it later from the loop. */
static void on_invite(struct sip_agent *a, struct sip_call *call,
		      const struct sip_caller *caller, const char *sdp,
		      void *userdata)
{
	struct fuzz_ctx *f = userdata;
	int i;

	(void)sdp;
	check_field(caller->display_name);
	check_field(caller->from);
	check_field(caller->asserted);
	check_field(caller->asserted_display_name);
	check_field(caller->request_user);
	/* the Alert-Info's tokens: bounded, NUL-terminated, token
	 * characters separated by single spaces */
	if (strnlen(caller->alert_info, SIP_ALERT_INFO_MAX) >= SIP_ALERT_INFO_MAX ||
	    caller->alert_info[0] == ' ' ||
	    strspn(caller->alert_info, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		   "0123456789-._~!*'+%: ") != strlen(caller->alert_info) ||
	    strstr(caller->alert_info, "  "))
		abort();
	/* a replaced call is a live one of this agent, not the new one */
	if (caller->replaces && (caller->replaces == call ||
				 sip_call_agent(caller->replaces) != a ||
				 !caller->replaces->live))
		abort();
	i = hold(f, call);
	if (i >= 0)
		f->to_answer[i] = true;
}

/* What the user does between two reads: answer, ring or reject the new
 * calls, press a key in the answered ones. */
static void user_acts(struct fuzz_ctx *f)
{
	static const struct sdp_local loc = {
		.address = "127.0.0.1", .rtp_port = 4000, .session_id = 1,
		.session_version = 1,
	};
	char answer[SDP_TEXT_MAX];
	unsigned i;

	for (i = 0; i < f->n_held; i++) {
		struct sip_call *c = f->held[i];

		if (f->to_dial[i]) {
			f->to_dial[i] = false;
			sip_call_send_dtmf(c, '5', 100);
		}
		if (!f->to_answer[i])
			continue;
		f->to_answer[i] = false;
		switch ((f->mode >> 4) & 3) {
		case 0:
			/* the offer is what on_invite got: the INVITE's body */
			if (!c->ist || !c->ist->orig_request ||
			    !body_of(c->ist->orig_request) ||
			    sdp_build_answer(body_of(c->ist->orig_request), &loc,
					     answer, sizeof(answer), NULL) < 0)
				snprintf(answer, sizeof(answer), "%s", local_sdp);
			sip_call_answer(c, answer);
			break;
		case 1:
			sip_call_ringing(c, true, local_sdp);
			break;
		case 2:
			sip_call_reject(c, 486);
			break;
		default:
			break;
		}
	}
}

static void on_call_state(struct sip_call *call, enum sip_call_state state,
			  int status, const char *sdp, void *userdata)
{
	struct sdp_media m;

	struct fuzz_ctx *f = userdata;
	int i = held_index(f, call);

	(void)status;
	if (state < 0 || state >= _SIP_CALL_STATE_MAX)
		abort();
	if (sdp)
		(void)sdp_parse(sdp, &m);
	if (i >= 0 && (state == SIP_CALL_CONFIRMED ||
		       (state == SIP_CALL_ANSWERED && sip_call_is_outgoing(call))))
		f->to_dial[i] = true;
}

static void on_dtmf(struct sip_call *call, char digit, unsigned duration_ms,
		    void *userdata)
{
	(void)call;
	(void)userdata;
	if (!digit || !strchr("0123456789*#ABCD", digit) ||
	    duration_ms > SIP_DTMF_DURATION_MAX)
		abort();
}

static void on_mwi(struct sip_agent *a, const struct sip_mwi *mwi,
		   void *userdata)
{
	(void)a;
	(void)userdata;
	if (mwi->new_msgs > SIP_MWI_COUNT_MAX || mwi->old_msgs > SIP_MWI_COUNT_MAX ||
	    !memchr(mwi->account, '\0', sizeof(mwi->account)))
		abort();
}

static void on_refer_progress(struct sip_call *call, int status,
			      void *userdata)
{
	(void)call;
	(void)userdata;
	if (status < 100 || status > 699)
		abort();
}

/* As the line would: report the transfer done at once. */
static void on_refer(struct sip_call *call, const char *target,
		     const char *replaces, void *userdata)
{
	struct sip_replaces r;

	(void)userdata;
	if (strncasecmp(target, "sip:", 4) != 0 &&
	    strncasecmp(target, "sips:", 5) != 0 &&
	    strncasecmp(target, "tel:", 4) != 0)
		abort();
	if (replaces && replaces_parse(replaces, &r) != 0)
		abort();
	sip_call_refer_notify(call, 200);
}

static void on_log(void *userdata, int priority, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	(void)userdata;
	(void)priority;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (getenv("FUZZ_SIP_PRINT"))
		fprintf(stderr, "fxsd: %s\n", buf);
}

static const struct sip_callbacks callbacks = {
	.on_invite = on_invite,
	.on_call_state = on_call_state,
	.on_dtmf = on_dtmf,
	.on_mwi = on_mwi,
	.on_refer_progress = on_refer_progress,
	.on_refer = on_refer,
	.log = on_log,
};

static void fake_addr(struct sockaddr_storage *ss, const char *ip,
		      unsigned port)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s4->sin_addr);
}

static void user_acts(struct fuzz_ctx *f);

/* @s is armed: true, and its deadline in *@t. */
static bool armed(sd_event_source *s, uint64_t *t)
{
	int on = SD_EVENT_OFF;

	return s && sd_event_source_get_enabled(s, &on) >= 0 &&
	       on != SD_EVENT_OFF && sd_event_source_get_time(s, t) >= 0;
}

static bool defer_on(sd_event_source *s)
{
	int on = SD_EVENT_OFF;

	return s && sd_event_source_get_enabled(s, &on) >= 0 &&
	       on != SD_EVENT_OFF;
}

/*
 * What the loop would do over the next @span usec: fire the agent's
 * timers (libosip2's, the registration's, the 2xx retransmissions', the
 * TCP connections' deadlines) in deadline order, the clock jumping to
 * each, as sd-event calls them (a ONESHOT source is off when its callback
 * runs), with the user acting and the defer event running in between.
 * At most @max_fires of them.
 */
static void run_timers(struct sip_agent *a, struct fuzz_ctx *f, uint64_t span,
		       unsigned max_fires)
{
	uint64_t end = vclock + span;
	unsigned n;

	for (n = 0; n < max_fires; n++) {
		enum { PUMP, REG, CONN, RETX } kind = PUMP;
		sd_event_source *s = NULL;
		struct sip_conn *cn, *best_cn = NULL;
		struct sip_call *c, *best_c = NULL;
		uint64_t t, best = UINT64_MAX;

		if (armed(a->timer, &t) && t < best) {
			best = t;
			s = a->timer;
			kind = PUMP;
		}
		if (armed(a->reg_timer, &t) && t < best) {
			best = t;
			s = a->reg_timer;
			kind = REG;
		}
		for (cn = a->conns; cn; cn = cn->next)
			if (armed(cn->timer, &t) && t < best) {
				best = t;
				s = cn->timer;
				kind = CONN;
				best_cn = cn;
			}
		for (c = a->calls; c; c = c->next)
			if (armed(c->retx, &t) && t < best) {
				best = t;
				s = c->retx;
				kind = RETX;
				best_c = c;
			}
		if (!s || best > end)
			break;
		if (best > vclock)
			vclock = best;
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		switch (kind) {
		case PUMP:
			pump_timer_cb(s, best, a);
			break;
		case REG:
			reg_timer_cb(s, best, a);
			break;
		case CONN:
			conn_timer_cb(s, best, best_cn);
			break;
		case RETX:
			retx_cb(s, best, best_c);
			break;
		}
		if (defer_on(a->conn_defer)) {
			sd_event_source_set_enabled(a->conn_defer, SD_EVENT_OFF);
			conn_defer_cb(a->conn_defer, a);
		}
		user_acts(f);
		sip_pump(a);
	}
}

/* As io_cb() does with each datagram, in a buffer of exactly its size. */
static void udp_datagram(struct sip_agent *a, const uint8_t *p, size_t n,
			 const struct sip_peer *src, struct fuzz_ctx *f)
{
	char *buf;

	if (n > a->max_msg || n < 16)
		return;
	buf = malloc(n + 1);
	if (!buf)
		return;
	memcpy(buf, p, n);
	buf[n] = '\0';
	handle_message(a, buf, n, src);
	free(buf);
	sip_pump(a);
	user_acts(f);
	sip_pump(a);
}

static void udp_input(struct sip_agent *a, const uint8_t *data, size_t size,
		      const struct sip_peer *src, struct fuzz_ctx *f)
{
	static const char sep[] = "%%%%";

	while (size > 0) {
		const uint8_t *e = memmem(data, size, sep, 4);
		size_t n = e ? (size_t)(e - data) : size;

		udp_datagram(a, data, n, src, f);
		if (!e)
			break;
		data += n + 4;
		size -= n + 4;
	}
}

static void drain(int fd)
{
	char junk[4096];

	ssize_t n;

	while ((n = read(fd, junk, sizeof(junk))) > 0)
		if (getenv("FUZZ_SIP_PRINT"))
			fprintf(stderr, "fxsd sends (TCP):\n%.*s\n", (int)n,
				junk);
}

static void tcp_input(struct sip_agent *a, const uint8_t *data, size_t size,
		      const struct sockaddr_storage *peer, struct fuzz_ctx *f)
{
	unsigned mode = f->mode;
	static const size_t pieces[4] = { SIZE_MAX, 7, 64, 512 };
	size_t piece = pieces[(mode >> 6) & 3];
	struct sip_conn *cn;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) < 0)
		return;
	cn = conn_new(a, sv[0], peer, true, false);	/* as tcp_accept_cb */
	if (!cn) {
		close(sv[1]);
		return;
	}
	cn->n_ref++;		/* ours: cn stays readable after a close */
	while (!cn->closed && !cn->broken) {
		size_t n = size < piece ? size : piece;
		ssize_t w = n ? write(sv[1], data, n) : 0;

		if (w > 0) {
			data += w;
			size -= (size_t)w;
		}
		conn_io_cb(cn->io, cn->fd, EPOLLIN, cn);
		user_acts(f);
		sip_pump(a);
		drain(sv[1]);
		if (size == 0 || w <= 0)
			break;
	}
	/* the peer stalls: the connection's deadlines (a message not
	 * finished, no valid message, idle) and the transactions' timers */
	if (!cn->closed && !cn->broken) {
		run_timers(a, f, 310 * 1000000ULL, 400);
		drain(sv[1]);
	}
	if (!cn->closed && !cn->broken) {
		shutdown(sv[1], SHUT_WR);	/* the peer closes */
		conn_io_cb(cn->io, cn->fd, EPOLLIN | EPOLLHUP, cn);
		user_acts(f);
		sip_pump(a);
		drain(sv[1]);
	}
	if (cn->broken)
		conn_defer_cb(a->conn_defer, a);
	conn_unref(cn);
	close(sv[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static sd_event *e;
	struct fuzz_ctx f = { 0 };
	struct sip_account acct = {
		.user = "1001", .password = "secret", .display_name = "Port 1",
		.domain = "127.0.0.2", .bind_address = "127.0.0.1",
		.retry_min_s = 30, .retry_max_s = 60,
	};
	struct sip_peer src = { .len = sizeof(struct sockaddr_in) };
	struct sip_agent *a = NULL;
	struct sip_call *out = NULL;
	unsigned i;

	if (size < 1)
		return 0;
	if (!e && sd_event_new(&e) < 0)
		abort();
	f.mode = data[0];
	data++;
	size--;
	rng = 0x9e3779b97f4a7c15ull;
	srandom(1);
	vclock = VCLOCK_START;

	acct.register_enabled = f.mode & 4;
	acct.transport = f.mode & 2 ? SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP;
	if (sip_agent_new(e, &acct, &callbacks, &f, &a) < 0)
		abort();
	if (sip_agent_start(a) < 0 && !(f.mode & 2))
		abort();	/* over TCP the REGISTER's connect fails */
	if (f.mode & 8 && sip_call_invite(a, "5551234", local_sdp, &out) == 0)
		hold(&f, out);
	sip_pump(a);

	if (f.mode & 1)
		fake_addr(&src.addr, "127.0.0.2", 5060);
	else
		fake_addr(&src.addr, "127.0.0.99", 5070);
	if (f.mode & 2)
		tcp_input(a, data, size, &src.addr, &f);
	else
		udp_input(a, data, size, &src, &f);

	/* time passes: retransmissions, Timers A-K, 2xx retransmission and
	 * its 64*T1 end, registration refresh and retries */
	run_timers(a, &f, 330 * 1000000ULL, 400);

	/* the user hangs up: requests built from the dialog state; fxsd
	 * stops (un-REGISTER if registered); their transactions time out */
	user_acts(&f);
	for (i = 0; i < f.n_held; i++)
		sip_call_hangup(f.held[i]);
	run_timers(a, &f, 40 * 1000000ULL, 200);
	sip_agent_stop(a);
	sip_pump(a);
	run_timers(a, &f, 40 * 1000000ULL, 200);
	for (i = 0; i < f.n_held; i++)
		sip_call_unref(f.held[i]);
	sip_agent_free(a);
	return 0;
}
