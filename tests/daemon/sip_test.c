// SPDX-License-Identifier: GPL-2.0-only
/*
 * sip_test.c - fxsd's SIP agent against real peers: SIPp scenarios
 * (the XML files of tests/sipp), raw datagrams and raw TCP streams, on
 * 127.0.0.1 over UDP and TCP; and the DNS SRV selection on hand-built
 * answers (plus an end-to-end SRV case against a fake DNS server, and
 * DNS cases against dnsmasq and against a server that never answers).
 *
 * Usage: sip_test SCENARIO_DIR [LOG_DIR]
 * Each case starts its sipp (found in $PATH, or $SIPP) on a free port,
 * runs the agent on the real sd-event loop under a timeout and checks what
 * both sides saw.  Prints "ok N - name" / "not ok N - name: why" and ends
 * with "N passed, M failed".  SIP_TEST_VERBOSE=1 prints the agent's log;
 * SIP_TEST_ONLY=substring runs only the cases whose name contains it.
 * The registrar-outage case waits for libosip2's Timer F (64*T1 = 32 s,
 * a compile-time constant), and the 2xx retransmission case and the
 * unacknowledged reliable 183 case for 64*T1, so they run in child
 * processes while the other cases run; their lines are printed last.
 */
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <resolv.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <systemd/sd-event.h>

#include "line/vqreport.h"
#include "media/sdp.h"
#include "sip/sip.h"

static const char *scen_dir;
static const char *log_dir = "/tmp";
static int n_pass, n_fail, n_case;
static bool verbose;
static int bg_fd = -1;		/* in the background child: the result pipe */
/* session timers of the next fixture_init(): 0 = the agent's defaults */
static unsigned st_unit_ms, st_expires;

#define MAX_STATES 16
#define MAX_REGS 16

struct fixture {
	sd_event *e;
	struct sip_agent *a;
	const char *name;
	/* registration */
	enum sip_reg_state reg;
	int reg_status;
	unsigned reg_expires;
	int n_reg;
	enum sip_reg_state reg_states[MAX_REGS];	/* every callback */
	int reg_statuses[MAX_REGS];
	long reg_ms[MAX_REGS];		/* since the case began */
	struct timespec t0;
	/* calls */
	int n_invite;
	struct sip_caller caller;
	char offer[SDP_TEXT_MAX];
	struct sip_call *call;
	bool answer_incoming;
	bool hangup_when_answered;
	bool hangup_when_confirmed;
	bool cancel_when_ringing;
	enum sip_call_state states[MAX_STATES];
	int status[MAX_STATES];
	int n_states;
	char early_or_answer_sdp[SDP_TEXT_MAX];
	bool no_ringing;		/* on_invite does not send 180 */
	bool early_media;		/* ... but 183 with an answer */
	int n_offer;			/* on_offer callbacks */
	char last_offer[SDP_TEXT_MAX];
	int n_confirmed_sdp;		/* CONFIRMED with an SDP answer */
	char confirmed_sdp[SDP_TEXT_MAX];
	/* our re-INVITE */
	bool hold_when_confirmed;	/* sip_call_reinvite(sendonly) */
	int reinvite_r, reinvite_again_r;	/* its return, a second one's */
	int n_reinvite;			/* on_reinvite callbacks */
	int reinvite_status;
	long reinvite_ms;		/* sent -> reported */
	char reinvite_sdp[SDP_TEXT_MAX];
	/* session timers (from the agent's log and the states) */
	long answered_ms;		/* ANSWERED reported */
	long refresh_ms;		/* "session refresh sent" */
	long ended_ms;			/* a final state reported */
	bool hangup_after_refresh;	/* at "session refreshed" */
	/* message waiting */
	int n_mwi;
	int n_check_sync;
	struct sip_mwi mwi[4];		/* the first four on_mwi */
	/* transfer */
	int n_progress;
	int progress[8];		/* on_refer_progress statuses */
	int n_refer;			/* on_refer */
	char refer_uri[256];
	char refer_replaces[256];
	bool refer_replaces_null;
	int n_replacing;		/* on_invite with caller->replaces */
	bool replaced_ours;		/* ... naming the call we had */
	bool hold_after_refresh;	/* at "session refresh sent" */
	/* sipp */
	const char *sipp_calls;		/* -m, default "1" */
	pid_t sipp;
	int sipp_status;
	bool sipp_done;
	int n_sipp;			/* sipp runs so far in this case */
	int n_tcp_connects;		/* from the agent's log */
	int n_log;			/* lines the agent logged */
	int n_stun_mapped;		/* "our mapped address is" lines */
	char sipp_log[256];
};

/* ---- helpers ---- */

static long ms_since(const struct timespec *t0);
static int hangup_timer(sd_event_source *s, uint64_t usec, void *userdata);
static int hold_timer(sd_event_source *s, uint64_t usec, void *userdata);
static void hold_call(struct fixture *f, struct sip_call *call);
static void after(struct fixture *f, unsigned ms,
		  sd_event_time_handler_t cb);

static int n_refused_lines;	/* the agent's lines saying why TLS failed */

static void test_log(void *userdata, int prio, const char *fmt, ...)
{
	struct fixture *f = userdata;
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	f->n_log++;
	if (strstr(buf, "TLS connection") &&
	    (strstr(buf, "certificate") || strstr(buf, "TLS handshake")))
		n_refused_lines++;
	if (strstr(buf, "TCP connection") && strstr(buf, ": connecting"))
		f->n_tcp_connects++;
	if (strstr(buf, "our mapped address is"))
		f->n_stun_mapped++;
	if (strstr(buf, "session refresh sent") && !f->refresh_ms) {
		f->refresh_ms = ms_since(&f->t0);
		if (f->hold_after_refresh)
			after(f, 50, hold_timer);
	}
	if (strstr(buf, "session refreshed") && f->hangup_after_refresh) {
		f->hangup_after_refresh = false;
		after(f, 100, hangup_timer);
	}
	if (verbose)
		fprintf(stderr, "# [%s] <%d> %s\n", f->name, prio, buf);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* A port free for both UDP and TCP on @ip (sipp may use either). */
static unsigned free_port(const char *ip)
{
	int tries;

	for (tries = 0; tries < 20; tries++) {
		struct sockaddr_in sin = { .sin_family = AF_INET };
		socklen_t sl = sizeof(sin);
		unsigned port = 0;
		int fd = socket(AF_INET, SOCK_DGRAM, 0), tfd;

		inet_pton(AF_INET, ip, &sin.sin_addr);
		if (fd >= 0 && bind(fd, (void *)&sin, sizeof(sin)) == 0 &&
		    getsockname(fd, (void *)&sin, &sl) == 0)
			port = ntohs(sin.sin_port);
		if (fd >= 0)
			close(fd);
		if (!port)
			return 0;
		tfd = socket(AF_INET, SOCK_STREAM, 0);
		if (tfd >= 0 && bind(tfd, (void *)&sin, sizeof(sin)) == 0) {
			close(tfd);
			return port;
		}
		if (tfd >= 0)
			close(tfd);
	}
	return 0;
}

static int msleep_loop(struct fixture *f, unsigned ms);

static void reap_sipp(struct fixture *f)
{
	int st;

	if (f->sipp > 0 && !f->sipp_done &&
	    waitpid(f->sipp, &st, WNOHANG) == f->sipp) {
		f->sipp_done = true;
		f->sipp_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	}
}

/* sipp with @args (NULL-terminated), output to LOG_DIR/<case>.sipp.log */
static int spawn_sipp(struct fixture *f, const char *const *args)
{
	const char *argv[64];
	const char *sipp = getenv("SIPP") ? getenv("SIPP") : "sipp";
	char path[300];
	int n = 0, fd;
	pid_t pid;

	/* the first run of a case is <case>.sipp.*, later ones <case>.N.sipp.* */
	if (f->n_sipp == 0) {
		snprintf(path, sizeof(path), "%s/%s.sipp.out", log_dir, f->name);
		snprintf(f->sipp_log, sizeof(f->sipp_log), "%s/%s.sipp.log",
			 log_dir, f->name);
	} else {
		snprintf(path, sizeof(path), "%s/%s.%d.sipp.out", log_dir,
			 f->name, f->n_sipp);
		snprintf(f->sipp_log, sizeof(f->sipp_log), "%s/%s.%d.sipp.log",
			 log_dir, f->name, f->n_sipp);
	}
	f->n_sipp++;
	unlink(f->sipp_log);
	argv[n++] = sipp;
	while (*args && n < 50)
		argv[n++] = *args++;
	argv[n++] = "-nostdin";
	argv[n++] = "-m";
	argv[n++] = f->sipp_calls ? f->sipp_calls : "1";
	argv[n++] = "-timeout";
	argv[n++] = "15s";
	argv[n++] = "-timeout_error";
	argv[n++] = "-trace_logs";
	argv[n++] = "-log_file";
	argv[n++] = f->sipp_log;
	argv[n] = NULL;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(sipp, (char *const *)argv);
		_exit(127);
	}
	f->sipp = pid;
	f->sipp_done = false;
	return 0;
}

static void scen(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", scen_dir, name);
}

/* Run the loop until @cond(f) or @ms elapsed; returns cond's last value. */
static bool run_until(struct fixture *f, bool (*cond)(struct fixture *),
		      unsigned ms)
{
	struct timespec t0, t;
	long el;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		reap_sipp(f);
		if (cond && cond(f))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		el = (t.tv_sec - t0.tv_sec) * 1000 +
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (el >= (long)ms)
			return cond ? cond(f) : true;
		sd_event_run(f->e, 20000);
	}
}

static int msleep_loop(struct fixture *f, unsigned ms)
{
	run_until(f, NULL, ms);
	return 0;
}

static bool sipp_exited(struct fixture *f)
{
	return f->sipp_done;
}

static bool has_state(struct fixture *f, enum sip_call_state s)
{
	int i;

	for (i = 0; i < f->n_states; i++)
		if (f->states[i] == s)
			return true;
	return false;
}

static int state_status(struct fixture *f, enum sip_call_state s)
{
	int i;

	for (i = 0; i < f->n_states; i++)
		if (f->states[i] == s)
			return f->status[i];
	return -1;
}

static bool call_final(struct fixture *f)
{
	return has_state(f, SIP_CALL_FAILED) || has_state(f, SIP_CALL_CANCELLED) ||
	       has_state(f, SIP_CALL_TERMINATED);
}

static bool stun_mapped(struct fixture *f)
{
	return f->n_stun_mapped > 0;
}

static bool reg_done(struct fixture *f)
{
	return f->reg == SIP_REG_REGISTERED || f->reg == SIP_REG_FAILED;
}

/* ---- callbacks ---- */

static void on_registration(struct sip_agent *a, enum sip_reg_state s,
			    int status, unsigned expires, void *userdata)
{
	struct fixture *f = userdata;

	(void)a;
	f->reg = s;
	f->reg_status = status;
	f->reg_expires = expires;
	if (f->n_reg < MAX_REGS) {
		f->reg_states[f->n_reg] = s;
		f->reg_statuses[f->n_reg] = status;
		f->reg_ms[f->n_reg] = ms_since(&f->t0);
	}
	f->n_reg++;
}

/* Index of the @nth (0-based) callback reporting @s, or -1. */
static int reg_event(struct fixture *f, enum sip_reg_state s, int nth)
{
	int i;

	for (i = 0; i < f->n_reg && i < MAX_REGS; i++)
		if (f->reg_states[i] == s && nth-- == 0)
			return i;
	return -1;
}

static int answer_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct fixture *f = userdata;
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 42, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	char answer[SDP_TEXT_MAX];

	(void)usec;
	sd_event_source_unref(s);
	if (!f->call)
		return 0;
	if (!f->offer[0])	/* late offer: ours goes in the 200 */
		sdp_build_offer(&l, answer, sizeof(answer));
	else if (sdp_build_answer(f->offer, &l, answer, sizeof(answer), NULL) < 0)
		answer[0] = '\0';
	if (!answer[0])
		sip_call_reject(f->call, 488);
	else
		sip_call_answer(f->call, answer);
	return 0;
}

/* An offer in the dialog: answered as the Line does, codec kept. */
static void on_offer(struct sip_call *call, const char *sdp, void *userdata)
{
	struct fixture *f = userdata;
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 42, .session_version = 2 + f->n_offer,
		.direction = SDP_SENDRECV,
		.keep_codec = true, .codec = CODEC_PCMU,
	};
	char answer[SDP_TEXT_MAX];

	f->n_offer++;
	snprintf(f->last_offer, sizeof(f->last_offer), "%s", sdp);
	if (sdp_build_answer(sdp, &l, answer, sizeof(answer), NULL) < 0)
		sip_call_reject_offer(call, 488, 305, "Incompatible media format");
	else
		sip_call_answer_offer(call, answer);
}

static int hangup_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct fixture *f = userdata;

	(void)usec;
	sd_event_source_unref(s);
	if (f->call)
		sip_call_hangup(f->call);
	return 0;
}

static void after(struct fixture *f, unsigned ms,
		  sd_event_time_handler_t cb)
{
	uint64_t now;

	sd_event_now(f->e, CLOCK_MONOTONIC, &now);
	sd_event_add_time(f->e, NULL, CLOCK_MONOTONIC, now + ms * 1000ULL, 0,
			  cb, f);
}

static void on_invite(struct sip_agent *a, struct sip_call *call,
		      const struct sip_caller *caller, const char *sdp,
		      void *userdata)
{
	struct fixture *f = userdata;

	(void)a;
	f->n_invite++;
	f->caller = *caller;
	snprintf(f->offer, sizeof(f->offer), "%s", sdp ? sdp : "");
	if (caller->replaces) {
		/* as the line does: the new call takes the place of the old */
		f->n_replacing++;
		f->replaced_ours = f->call == caller->replaces;
		if (f->call == caller->replaces) {
			sip_call_hangup(f->call);
			f->call = sip_call_unref(f->call);
		}
	}
	if (f->call) {		/* one call at a time, as the Line does */
		sip_call_reject(call, 486);
		sip_call_unref(call);
		return;
	}
	if (sdp) {	/* as the Line does: no codec of ours, no ringing */
		struct sdp_media m;

		if (sdp_parse(sdp, &m) == -EPROTONOSUPPORT) {
			sip_call_reject_warning(call, 488, 305,
						"Incompatible media format");
			sip_call_unref(call);
			return;
		}
	}
	f->call = call;
	if (f->early_media && sdp) {
		struct sdp_local l = {
			.address = "127.0.0.1", .rtp_port = 40000,
			.session_id = 42, .session_version = 1,
			.direction = SDP_SENDRECV,
		};
		char answer[SDP_TEXT_MAX];

		if (sdp_build_answer(sdp, &l, answer, sizeof(answer), NULL) >= 0)
			sip_call_ringing(call, true, answer);
	} else if (!f->no_ringing) {
		sip_call_ringing(call, false, NULL);
	}
	if (f->answer_incoming)
		after(f, 100, answer_timer);
}

static void on_call_state(struct sip_call *call, enum sip_call_state s,
			  int status, const char *sdp, void *userdata)
{
	struct fixture *f = userdata;

	if ((s == SIP_CALL_ANSWERED || s == SIP_CALL_CONFIRMED) &&
	    !f->answered_ms)
		f->answered_ms = ms_since(&f->t0);
	if (s == SIP_CALL_FAILED || s == SIP_CALL_CANCELLED ||
	    s == SIP_CALL_TERMINATED)
		f->ended_ms = ms_since(&f->t0);
	if (f->n_states < MAX_STATES) {
		f->states[f->n_states] = s;
		f->status[f->n_states] = status;
		f->n_states++;
	}
	if (sdp)
		snprintf(f->early_or_answer_sdp, sizeof(f->early_or_answer_sdp),
			 "%s", sdp);
	if (sdp && s == SIP_CALL_CONFIRMED) {
		f->n_confirmed_sdp++;
		snprintf(f->confirmed_sdp, sizeof(f->confirmed_sdp), "%s", sdp);
	}
	if (s == SIP_CALL_RINGING && f->cancel_when_ringing)
		after(f, 100, hangup_timer);	/* not answered: a CANCEL */
	if (s == SIP_CALL_ANSWERED && f->hangup_when_answered)
		after(f, 700, hangup_timer);
	if (s == SIP_CALL_CONFIRMED && f->hangup_when_confirmed)
		after(f, 300, hangup_timer);
	if ((s == SIP_CALL_CONFIRMED ||
	     (s == SIP_CALL_ANSWERED && sip_call_is_outgoing(call))) &&
	    f->hold_when_confirmed && !f->n_reinvite && !f->reinvite_ms)
		hold_call(f, call);
}

/* The user holds the call (a re-INVITE with a=sendonly). */
static void hold_call(struct fixture *f, struct sip_call *call)
{
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 42, .session_version = 3,
		.direction = SDP_SENDONLY,
	};
	char offer[SDP_TEXT_MAX];

	sdp_build_offer(&l, offer, sizeof(offer));
	f->reinvite_ms = ms_since(&f->t0);
	f->reinvite_r = sip_call_reinvite(call, offer);
	f->reinvite_again_r = sip_call_reinvite(call, offer);
}

static int hold_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct fixture *f = userdata;

	(void)usec;
	sd_event_source_unref(s);
	if (f->call)
		hold_call(f, f->call);
	return 0;
}

static void on_reinvite(struct sip_call *call, int status,
			const char *sdp, void *userdata)
{
	struct fixture *f = userdata;

	(void)call;
	f->n_reinvite++;
	f->reinvite_status = status;
	f->reinvite_ms = ms_since(&f->t0) - f->reinvite_ms;
	snprintf(f->reinvite_sdp, sizeof(f->reinvite_sdp), "%s",
		 sdp ? sdp : "");
}

static void on_mwi(struct sip_agent *a, const struct sip_mwi *mwi,
		   void *userdata)
{
	struct fixture *f = userdata;

	(void)a;
	if (f->n_mwi < 4)
		f->mwi[f->n_mwi] = *mwi;
	f->n_mwi++;
}

static void on_check_sync(struct sip_agent *a, void *userdata)
{
	struct fixture *f = userdata;

	(void)a;
	f->n_check_sync++;
}

static void on_refer_progress(struct sip_call *call, int status,
			      void *userdata)
{
	struct fixture *f = userdata;

	(void)call;
	if (f->n_progress < 8)
		f->progress[f->n_progress] = status;
	f->n_progress++;
}

static int refer_notify_timer(sd_event_source *s, uint64_t usec,
			      void *userdata)
{
	struct fixture *f = userdata;

	(void)usec;
	sd_event_source_unref(s);
	if (f->call)
		sip_call_refer_notify(f->call, 200);
	return 0;
}

/* A REFER came: recorded; the transfer "succeeds" 300 ms later. */
static void on_refer(struct sip_call *call, const char *target,
		     const char *replaces, void *userdata)
{
	struct fixture *f = userdata;

	(void)call;
	f->n_refer++;
	snprintf(f->refer_uri, sizeof(f->refer_uri), "%s", target);
	snprintf(f->refer_replaces, sizeof(f->refer_replaces), "%s",
		 replaces ? replaces : "");
	f->refer_replaces_null = !replaces;
	after(f, 300, refer_notify_timer);
}

static const struct sip_callbacks callbacks = {
	.on_registration = on_registration,
	.on_invite = on_invite,
	.on_call_state = on_call_state,
	.on_offer = on_offer,
	.on_reinvite = on_reinvite,
	.on_mwi = on_mwi,
	.on_check_sync = on_check_sync,
	.on_refer_progress = on_refer_progress,
	.on_refer = on_refer,
	.log = test_log,
};

static int fixture_init(struct fixture *f, const char *name,
			struct sip_account *acct)
{
	int r;

	/* the caller zeroed *f (and may have started sipp already) */
	f->name = name;
	if (!f->t0.tv_sec)
		clock_gettime(CLOCK_MONOTONIC, &f->t0);
	r = sd_event_new(&f->e);
	if (r < 0)
		return r;
	if (!acct->bind_address)
		acct->bind_address = "127.0.0.1";
	if (!acct->user)
		acct->user = "alice";
	if (!acct->password)
		acct->password = "s3cret";
	if (!acct->retry_min_s)
		acct->retry_min_s = 1;
	if (!acct->session_timer_unit_ms)
		acct->session_timer_unit_ms = st_unit_ms;
	if (!acct->session_expires)
		acct->session_expires = st_expires;
	r = sip_agent_new(f->e, acct, &callbacks, f, &f->a);
	if (r < 0)
		return r;
	return sip_agent_start(f->a);
}

static void fixture_done(struct fixture *f)
{
	if (f->sipp > 0 && !f->sipp_done) {
		kill(f->sipp, SIGTERM);
		waitpid(f->sipp, NULL, 0);
	}
	f->call = sip_call_unref(f->call);
	f->a = sip_agent_free(f->a);
	f->e = sd_event_unref(f->e);
}

__attribute__((format(printf, 2, 3)))
static void result(struct fixture *f, const char *fmt, ...)
{
	va_list ap;

	if (bg_fd >= 0) {	/* the parent numbers and prints it */
		char buf[1024];
		int n;

		if (!fmt) {
			n = snprintf(buf, sizeof(buf), "ok %s\n", f->name);
		} else {
			n = snprintf(buf, sizeof(buf), "not ok %s: ", f->name);
			va_start(ap, fmt);
			n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
			va_end(ap);
			n += snprintf(buf + n, sizeof(buf) - n,
				      " (sipp output: %s/%s.sipp.out)\n",
				      log_dir, f->name);
		}
		if (write(bg_fd, buf, strlen(buf)) < 0)
			perror("write");
		return;
	}
	n_case++;
	if (!fmt) {
		printf("ok %d - %s\n", n_case, f->name);
		n_pass++;
	} else {
		printf("not ok %d - %s: ", n_case, f->name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf(" (sipp output: %s/%s.sipp.out)\n", log_dir, f->name);
		n_fail++;
	}
	fflush(stdout);
}

#define FAIL(f, ...) do { result((f), __VA_ARGS__); goto out; } while (0)
#define PASS(f) result((f), NULL)

/* ---- SHA-256 digest, computed here independently of digest.c ---- */

static void sha256_hex(const char *s, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;
	int i;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static bool auth_param(const char *hdr, const char *name, char *out,
		       size_t len)
{
	char key[32];
	const char *p;
	size_t n;

	snprintf(key, sizeof(key), "%s=", name);
	for (p = hdr; (p = strstr(p, key)); p++) {
		if (p != hdr && p[-1] != ' ' && p[-1] != ',')
			continue;
		p += strlen(key);
		if (*p == '"') {
			p++;
			n = strcspn(p, "\"");
		} else {
			n = strcspn(p, ", \r\n");
		}
		if (n >= len)
			return false;
		memcpy(out, p, n);
		out[n] = '\0';
		return true;
	}
	return false;
}

static const char *check_sha256_log(const char *path)
{
	static char why[200];
	char line[2048], user[64], realm[64], nonce[64], uri[128], resp[80];
	char cnonce[64], nc[16], qop[16], buf[600], ha1[65], ha2[65], want[65];
	FILE *fp = fopen(path, "r");
	char *hdr = NULL;

	if (!fp)
		return "no sipp log";
	while (fgets(line, sizeof(line), fp))
		if ((hdr = strstr(line, "AUTH:")))
			break;
	fclose(fp);
	if (!hdr)
		return "no AUTH line in the sipp log";
	if (!auth_param(hdr, "username", user, sizeof(user)) ||
	    !auth_param(hdr, "realm", realm, sizeof(realm)) ||
	    !auth_param(hdr, "nonce", nonce, sizeof(nonce)) ||
	    !auth_param(hdr, "uri", uri, sizeof(uri)) ||
	    !auth_param(hdr, "response", resp, sizeof(resp)) ||
	    !auth_param(hdr, "cnonce", cnonce, sizeof(cnonce)) ||
	    !auth_param(hdr, "nc", nc, sizeof(nc)) ||
	    !auth_param(hdr, "qop", qop, sizeof(qop)))
		return "Authorization lacks a parameter";
	snprintf(buf, sizeof(buf), "%s:%s:%s", user, realm, "s3cret");
	sha256_hex(buf, ha1);
	snprintf(buf, sizeof(buf), "REGISTER:%s", uri);
	sha256_hex(buf, ha2);
	snprintf(buf, sizeof(buf), "%s:%s:%s:%s:%s:%s", ha1, nonce, nc, cnonce,
		 qop, ha2);
	sha256_hex(buf, want);
	if (strcmp(want, resp) != 0 || strcmp(nonce, "5ha256n0nce") != 0 ||
	    strcmp(nc, "00000001") != 0) {
		snprintf(why, sizeof(why), "response %s, expected %s", resp, want);
		return why;
	}
	return NULL;
}

/* ---- cases ---- */

static void case_register(const char *name, const char *file, bool sha)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], sf[300], port_s[8];
	unsigned port = free_port("127.0.0.1");
	const char *why;

	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	snprintf(port_s, sizeof(port_s), "%u", port);
	scen(sf, sizeof(sf), file);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.expires = 600;
	memset(&f, 0, sizeof(f));
	f.name = name;
	{
		const char *args[] = { "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, NULL };
		if (spawn_sipp(&f, args) < 0) {
			result(&f, "cannot start sipp");
			return;
		}
	}
	{
		pid_t pid = f.sipp;

		usleep(400000);	/* let sipp bind */
		if (fixture_init(&f, name, &acct) < 0) {
			f.sipp = pid;
			FAIL(&f, "agent setup failed");
		}
		f.sipp = pid;
	}
	run_until(&f, reg_done, 10000);
	if (f.reg != SIP_REG_REGISTERED)
		FAIL(&f, "registration state %s, status %d",
		     sip_reg_state_to_string(f.reg), f.reg_status);
	if (sha ? f.reg_expires != 300 : f.reg_expires != 120)
		FAIL(&f, "granted expiry %u", f.reg_expires);
	run_until(&f, sipp_exited, 5000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (sha && (why = check_sha256_log(f.sipp_log)))
		FAIL(&f, "SHA-256 digest: %s", why);
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * A voice quality report (RFC 6035) to a collector (sipp): the PUBLISH
 * is challenged (401) and comes again with credentials that sipp
 * verifies (the line test answers 407); sipp checks its
 * Request-URI, Event, Content-Type and every mandatory line of the body
 * (built by line/vqreport.c) by regular expression, then answers 200.
 */
static void case_vq_publish(void)
{
	static const struct vq_report r = {
		.call_id = "vq-1@192.0.2.10",
		.local_id = "<sip:alice@127.0.0.1>",
		.remote_id = "<sip:2001@127.0.0.1>",
		.orig_id = "<sip:alice@127.0.0.1>",
		.local_group = "fxsd-port0",
		.local_ip = "127.0.0.1", .local_port = 10000,
		.local_ssrc = 0x1a2b3c4d,
		.remote_ip = "127.0.0.1", .remote_port = 6000,
		.remote_ssrc = 0xcafe0001,
		.start = 1796395823, .stop = 1796395962,
		.pt = 0, .pd = "PCMU", .sr = 8000, .fd = 20, .fpp = 1,
		.pps = 50, .plc = 2,
		.jba = 3, .jbn = 40, .jbm = 80, .jbx = 80,
		.nlr = 1.5, .jdr = 0.5,
		.bld = 25.0, .bd = 120, .gld = 1.2, .gd = 3000, .gmin = 16,
		.rtd = 45, .esd = 60, .sowd = 42, .iaj = 3, .maj = 3,
		.sl = -20, .nl = -65, .rerl = 40,
		.rlq = 88, .rcq = 88, .moslq = 4.2, .moscq = 4.2,
		.dialog_id = "vq-1@192.0.2.10;to-tag=t1;from-tag=f1",
	};
	struct fixture f;
	struct sip_account acct = { 0 };
	char sf[300], port_s[8], collector[80], body[2048];
	unsigned port = free_port("127.0.0.1");

	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(collector, sizeof(collector), "sip:collector@127.0.0.1:%u",
		 port);
	scen(sf, sizeof(sf), "vq_collector.xml");
	acct.domain = "127.0.0.1";
	acct.vq_collector = collector;
	memset(&f, 0, sizeof(f));
	f.name = "vq_publish_401_then_200";
	{
		const char *args[] = { "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, NULL };
		if (spawn_sipp(&f, args) < 0) {
			result(&f, "cannot start sipp");
			return;
		}
	}
	{
		pid_t pid = f.sipp;

		usleep(400000);	/* let sipp bind */
		if (fixture_init(&f, f.name, &acct) < 0) {
			f.sipp = pid;
			FAIL(&f, "agent setup failed");
		}
		f.sipp = pid;
	}
	if (vq_report_build(&r, body, sizeof(body)) < 0)
		FAIL(&f, "vq_report_build failed");
	if (sip_agent_publish_vq(f.a, body) != 0)
		FAIL(&f, "sip_agent_publish_vq failed");
	run_until(&f, sipp_exited, 10000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (sip_agent_publish_vq(f.a, NULL) != -EINVAL)
		FAIL(&f, "a NULL body was taken");
	/* the collector gone: 4 reports wait for an answer, a 5th is
	 * dropped rather than queued */
	for (int i = 0; i < 4; i++)
		if (sip_agent_publish_vq(f.a, body) != 0)
			FAIL(&f, "report %d not taken", i + 1);
	if (sip_agent_publish_vq(f.a, body) != -EBUSY)
		FAIL(&f, "a 5th report in flight was taken");
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * An agent that takes calls for 2001 from 127.0.0.1 (the registrar's
 * address; it never registers), over TCP with @tcp.  On failure the case's
 * result is reported and -1 returned.
 */
static int fixture_callee(struct fixture *f, const char *name, bool tcp)
{
	struct sip_account acct = { 0 };
	int r;

	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";	/* calls allowed from 127.0.0.1 */
	acct.register_enabled = false;
	acct.user = "2001";		/* sipp -s 2001 calls us */
	if (tcp)
		acct.transport = SIP_TRANSPORT_TCP;
	memset(f, 0, sizeof(*f));
	r = fixture_init(f, name, &acct);
	if (r < 0) {
		result(f, "agent setup failed: %d", r);
		fixture_done(f);
		return -1;
	}
	return 0;
}

/*
 * sipp calls the agent (over TCP with @tcp: sipp -t t1); with
 * @local_hangup the agent hangs up once the call is confirmed.
 */
static void case_incoming(const char *name, const char *file, const char *src_ip,
			  bool answer, bool tcp, bool local_hangup)
{
	struct fixture f;
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port(src_ip);

	if (fixture_callee(&f, name, tcp) < 0)
		return;
	f.answer_incoming = answer;
	f.hangup_when_confirmed = local_hangup;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port(src_ip));
	scen(sf, sizeof(sf), file);
	{
		const char *args[] = { target, "-sf", sf, "-i", src_ip, "-p",
				       port_s, "-mp", mport_s, "-s", "2001",
				       "-t", tcp ? "t1" : "u1", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	run_until(&f, call_final, 2000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (strcmp(src_ip, "127.0.0.1") != 0) {
		if (f.n_invite != 0)
			FAIL(&f, "on_invite was called for a forbidden source");
		PASS(&f);
		goto out;
	}
	if (f.n_invite != 1)
		FAIL(&f, "%d on_invite callbacks", f.n_invite);
	if (strcmp(f.caller.request_user, "2001") != 0 ||
	    strncmp(f.caller.from, "bob@", 4) != 0)
		FAIL(&f, "caller: request user \"%s\", from \"%s\"",
		     f.caller.request_user, f.caller.from);
	if (answer) {
		if (strcmp(f.caller.display_name, "Bob Caller") != 0 ||
		    strncmp(f.caller.asserted, "+15551234@", 10) != 0 ||
		    strcmp(f.caller.asserted_display_name, "Bob Asserted") != 0)
			FAIL(&f, "caller: display \"%s\", asserted \"%s\" \"%s\"",
			     f.caller.display_name, f.caller.asserted,
			     f.caller.asserted_display_name);
		if (!has_state(&f, SIP_CALL_CONFIRMED))
			FAIL(&f, "no CONFIRMED (ACK not seen)");
		if (!has_state(&f, SIP_CALL_TERMINATED))
			FAIL(&f, "no TERMINATED after BYE");
		if (local_hangup &&
		    state_status(&f, SIP_CALL_TERMINATED) != 200)
			FAIL(&f, "our BYE got %d, want 200",
			     state_status(&f, SIP_CALL_TERMINATED));
		/* responses and our BYE went over the caller's connection */
		if (tcp && f.n_tcp_connects != 0)
			FAIL(&f, "%d TCP connections opened, want none",
			     f.n_tcp_connects);
	} else {
		if (!has_state(&f, SIP_CALL_CANCELLED))
			FAIL(&f, "no CANCELLED");
	}
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * Offer/answer (RFC 3264) through the agent: sipp calls with @file; the
 * agent's user answers as the Line does (see on_invite, answer_timer,
 * on_offer).  What must have happened: @invites on_invite callbacks,
 * @offers on_offer ones, the last offer containing @offer_has (or NULL),
 * an SDP answer in an ACK containing @ack_has (or NULL: none).
 */
static void case_offer(const char *name, const char *file, int invites,
		       int offers, const char *offer_has, const char *ack_has)
{
	struct fixture f;
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port("127.0.0.1");

	if (fixture_callee(&f, name, false) < 0)
		return;
	f.answer_incoming = true;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), file);
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1",
				       "-p", port_s, "-mp", mport_s, "-s", "2001",
				       "-t", "u1", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	if (invites)
		run_until(&f, call_final, 2000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (f.n_invite != invites)
		FAIL(&f, "%d on_invite callbacks, want %d", f.n_invite, invites);
	if (f.n_offer != offers)
		FAIL(&f, "%d on_offer callbacks, want %d", f.n_offer, offers);
	if (offer_has && !strstr(f.last_offer, offer_has))
		FAIL(&f, "last offer without \"%s\": %s", offer_has, f.last_offer);
	if (ack_has && !strstr(f.confirmed_sdp, ack_has))
		FAIL(&f, "no SDP answer with \"%s\" from the ACK (%d): %s",
		     ack_has, f.n_confirmed_sdp, f.confirmed_sdp);
	if (!ack_has && f.n_confirmed_sdp)
		FAIL(&f, "an ACK's SDP reported: %s", f.confirmed_sdp);
	if (f.call && !has_state(&f, SIP_CALL_TERMINATED) &&
	    !has_state(&f, SIP_CALL_FAILED))
		FAIL(&f, "the call did not end");
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * Our re-INVITE (hold): sipp calls with @file, the agent answers and,
 * once the ACK comes, sends a re-INVITE with a=sendonly (a second one at
 * once must get -EBUSY).  on_reinvite must report @status once (with an
 * a=recvonly answer for 200), no sooner than @min_ms after the first was
 * sent (the 491 delay); the call must end with @end (TERMINATED) status
 * @end_status (-1: any).
 */
static void case_reinvite(const char *name, const char *file, int status,
			  long min_ms, int end_status)
{
	struct fixture f;
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port("127.0.0.1");

	if (fixture_callee(&f, name, false) < 0)
		return;
	f.answer_incoming = true;
	f.hold_when_confirmed = true;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), file);
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1",
				       "-p", port_s, "-mp", mport_s, "-s", "2001",
				       "-t", "u1", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	run_until(&f, call_final, 2000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (f.reinvite_r != 0)
		FAIL(&f, "sip_call_reinvite: %d", f.reinvite_r);
	if (f.reinvite_again_r != -EBUSY)
		FAIL(&f, "a second sip_call_reinvite gave %d, want -EBUSY",
		     f.reinvite_again_r);
	if (f.n_reinvite != 1 || f.reinvite_status != status)
		FAIL(&f, "%d on_reinvite callbacks, status %d; want 1, %d",
		     f.n_reinvite, f.reinvite_status, status);
	if (status == 200 && !strstr(f.reinvite_sdp, "a=recvonly"))
		FAIL(&f, "answer not passed on: %s", f.reinvite_sdp);
	if (status != 200 && f.reinvite_sdp[0])
		FAIL(&f, "an answer with %d: %s", status, f.reinvite_sdp);
	if (f.reinvite_ms < min_ms)
		FAIL(&f, "outcome after %ld ms, want >= %ld", f.reinvite_ms,
		     min_ms);
	if (!has_state(&f, SIP_CALL_TERMINATED))
		FAIL(&f, "the call did not end");
	if (end_status >= 0 &&
	    state_status(&f, SIP_CALL_TERMINATED) != end_status)
		FAIL(&f, "TERMINATED with %d, want %d",
		     state_status(&f, SIP_CALL_TERMINATED), end_status);
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * The session refresh by re-INVITE (uac_timer_reinvite.xml: the far end
 * does not allow UPDATE) and the user's hold asked for while it is out:
 * not -EBUSY, sent after it, reported once with 200.
 */
static void case_timer_reinvite(void)
{
	const char *name = "session_refresh_reinvite_then_users_hold";
	struct fixture f;
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port("127.0.0.1");

	st_unit_ms = 40;
	if (fixture_callee(&f, name, false) < 0) {
		st_unit_ms = 0;
		return;
	}
	st_unit_ms = 0;
	f.answer_incoming = true;
	f.hold_after_refresh = true;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), "uac_timer_reinvite.xml");
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1",
				       "-p", port_s, "-mp", mport_s, "-s", "2001",
				       "-t", "u1", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	run_until(&f, call_final, 2000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (!f.refresh_ms)
		FAIL(&f, "no session refresh");
	if (f.reinvite_r != 0 || f.reinvite_again_r != -EBUSY)
		FAIL(&f, "sip_call_reinvite during the refresh: %d, then %d",
		     f.reinvite_r, f.reinvite_again_r);
	if (f.n_reinvite != 1 || f.reinvite_status != 200 ||
	    !strstr(f.reinvite_sdp, "a=recvonly"))
		FAIL(&f, "%d on_reinvite, status %d, answer %s", f.n_reinvite,
		     f.reinvite_status, f.reinvite_sdp);
	if (!has_state(&f, SIP_CALL_TERMINATED))
		FAIL(&f, "the call did not end");
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * Session timers (RFC 4028) with one "second" of the agent's timer
 * arithmetic lasting ST_UNIT ms.  Incoming (sipp calls with @file): the
 * agent refreshes (@refresh_at: units after the answer) or the far end
 * does not and the agent must send BYE (@bye_at units, TERMINATED 408).
 * Outgoing (@outgoing: the agent calls sipp's @file with Session-Expires
 * 90): sipp's 422 and the refresh; the agent hangs up once refreshed.
 */
#define ST_UNIT 40
static void case_timer(const char *name, const char *file, bool outgoing,
		       unsigned refresh_at, unsigned bye_at)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port("127.0.0.1");
	long want, got;
	int r = 0;

	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), file);
	st_unit_ms = ST_UNIT;
	st_expires = 90;
	if (outgoing) {
		const char *args[] = { "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, "-mp", mport_s, "-t", "u1", NULL };
		char domain[64];
		pid_t pid;

		memset(&f, 0, sizeof(f));
		f.name = name;
		if (spawn_sipp(&f, args) < 0) {
			result(&f, "cannot start sipp");
			st_unit_ms = st_expires = 0;
			return;
		}
		usleep(400000);
		snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
		acct.domain = domain;
		pid = f.sipp;
		r = fixture_init(&f, name, &acct);
		f.sipp = pid;
	} else if (fixture_callee(&f, name, false) < 0) {
		st_unit_ms = st_expires = 0;
		return;
	}
	st_unit_ms = st_expires = 0;
	if (r < 0)
		FAIL(&f, "agent setup failed: %d", r);
	if (outgoing) {
		struct sdp_local l = {
			.address = "127.0.0.1", .rtp_port = 40002,
			.session_id = 7, .session_version = 1,
			.direction = SDP_SENDRECV,
		};
		char offer[SDP_TEXT_MAX];

		f.hangup_after_refresh = true;
		sdp_build_offer(&l, offer, sizeof(offer));
		r = sip_call_invite(f.a, "2000", offer, &f.call);
		if (r < 0)
			FAIL(&f, "sip_call_invite: %d", r);
	} else {
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1",
				       "-p", port_s, "-mp", mport_s, "-s", "2001",
				       "-t", "u1", NULL };

		f.answer_incoming = true;
		snprintf(target, sizeof(target), "127.0.0.1:%u",
			 sip_agent_local_port(f.a));
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	run_until(&f, call_final, 2000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (!f.answered_ms)
		FAIL(&f, "not answered");
	if (refresh_at) {
		want = (long)refresh_at * ST_UNIT;
		got = f.refresh_ms - f.answered_ms;
		if (!f.refresh_ms || got < want - 100 || got > want + 1000)
			FAIL(&f, "refresh %ld ms after the answer, want %ld",
			     f.refresh_ms ? got : -1, want);
	}
	if (bye_at) {
		want = (long)bye_at * ST_UNIT;
		got = f.ended_ms - f.answered_ms;
		if (state_status(&f, SIP_CALL_TERMINATED) != 408)
			FAIL(&f, "TERMINATED with %d, want 408",
			     state_status(&f, SIP_CALL_TERMINATED));
		if (got < want - 100 || got > want + 1000)
			FAIL(&f, "BYE %ld ms after the answer, want %ld", got,
			     want);
	} else if (!has_state(&f, SIP_CALL_TERMINATED)) {
		FAIL(&f, "the call did not end");
	}
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * Our re-INVITE in a call the agent made (uas_reinvite.xml, @hold): route set and
 * remote target of the 200, credentials after a 401, the 491 retry after
 * 2.1-4 s (we chose the Call-ID), on_reinvite once with 200 and the
 * answer; then the far end's re-INVITE without SDP must get our last SDP
 * (the hold offer) and its ACK's answer comes as CONFIRMED with SDP.
 */
static void case_reinvite_outgoing(const char *name, const char *file,
				   bool hold)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40002,
		.session_id = 7, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	char domain[64], sf[300], port_s[8], mport_s[8], offer[SDP_TEXT_MAX];
	unsigned port = free_port("127.0.0.1");
	int r;

	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), file);
	memset(&f, 0, sizeof(f));
	f.name = name;
	{
		const char *args[] = { "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, "-mp", mport_s, "-t", "u1", NULL };
		pid_t pid;

		if (spawn_sipp(&f, args) < 0) {
			result(&f, "cannot start sipp");
			return;
		}
		usleep(400000);
		acct.domain = domain;
		pid = f.sipp;
		r = fixture_init(&f, name, &acct);
		f.sipp = pid;
	}
	if (r < 0)
		FAIL(&f, "agent setup failed: %d", r);
	f.hold_when_confirmed = hold;
	f.hangup_when_confirmed = true;
	sdp_build_offer(&l, offer, sizeof(offer));
	r = sip_call_invite(f.a, "2000", offer, &f.call);
	if (r < 0)
		FAIL(&f, "sip_call_invite: %d", r);
	run_until(&f, call_final, 15000);
	run_until(&f, sipp_exited, 5000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (hold && (f.reinvite_r != 0 || f.reinvite_again_r != -EBUSY))
		FAIL(&f, "sip_call_reinvite: %d, then %d", f.reinvite_r,
		     f.reinvite_again_r);
	if (hold && (f.n_reinvite != 1 || f.reinvite_status != 200 ||
		     !strstr(f.reinvite_sdp, "a=recvonly")))
		FAIL(&f, "%d on_reinvite, status %d, answer %s", f.n_reinvite,
		     f.reinvite_status, f.reinvite_sdp);
	if (hold && f.reinvite_ms < 2100)
		FAIL(&f, "outcome %ld ms after the re-INVITE, want >= 2100 (491 delay)",
		     f.reinvite_ms);
	if (f.n_confirmed_sdp != 1 || !strstr(f.confirmed_sdp, "a=recvonly"))
		FAIL(&f, "%d CONFIRMED with SDP: %s", f.n_confirmed_sdp,
		     f.confirmed_sdp);
	if (!has_state(&f, SIP_CALL_TERMINATED))
		FAIL(&f, "no TERMINATED after our BYE");
	PASS(&f);
out:
	fixture_done(&f);
}

/* Retransmissions sipp counted of the message on the line with @what. */
static int sipp_retrans(struct fixture *f, const char *what)
{
	char path[300], line[512];
	FILE *fp;
	int n = -1, msgs, retr;

	snprintf(path, sizeof(path), "%s/%s.sipp.out", log_dir, f->name);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		char *p = strstr(line, what);

		if (p && sscanf(p + strlen(what), "%d %d", &msgs, &retr) == 2)
			n = retr;	/* the last screen counts */
	}
	fclose(fp);
	return n;
}

/*
 * Reliable 1xx as UAS (uac_prack.xml): INVITE with Require: 100rel; the
 * agent's user rings with early media (183 + SDP) and answers 100 ms
 * later; sipp PRACKs after 1 s.  The 183 must have been retransmitted,
 * the 200 held until the PRACK (sipp checks the order).
 */
static void case_prack_uas(void)
{
	const char *name = "incoming_reliable_183_retransmitted_2xx_held";
	struct fixture f;
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port("127.0.0.1");
	int n;

	if (fixture_callee(&f, name, false) < 0)
		return;
	f.answer_incoming = true;
	f.early_media = true;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), "uac_prack.xml");
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1",
				       "-p", port_s, "-mp", mport_s, "-s", "2001",
				       "-t", "u1", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	run_until(&f, call_final, 2000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	n = sipp_retrans(&f, "183 <----------");
	if (n < 1)
		FAIL(&f, "the 183 was retransmitted %d times before the PRACK, want >= 1",
		     n);
	if (!has_state(&f, SIP_CALL_CONFIRMED) ||
	    !has_state(&f, SIP_CALL_TERMINATED))
		FAIL(&f, "not confirmed and ended");
	PASS(&f);
out:
	fixture_done(&f);
}

/* A UDP socket on @ip (any port); -1 on failure. */
static int raw_socket_ip(const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { 0, 10000 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (fd < 0 || bind(fd, (void *)&sin, sizeof(sin)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int raw_socket(void)
{
	return raw_socket_ip("127.0.0.1");
}

static unsigned sock_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	getsockname(fd, (void *)&sin, &sl);
	return ntohs(sin.sin_port);
}

/* Send @msg from @fd to the agent's UDP port. */
static void raw_send(struct fixture *f, int fd, const char *msg, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(sip_agent_local_port(f->a));
	sendto(fd, msg, len, 0, (void *)&to, sizeof(to));
}

/* Send @msg to the agent, run the loop, return the reply's status code
 * (0 for none). */
static int raw_exchange(struct fixture *f, int fd, const char *msg, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET };
	char buf[4096];
	ssize_t n;
	int code = 0;

	inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	to.sin_port = htons(sip_agent_local_port(f->a));
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	sendto(fd, msg, len, 0, (void *)&to, sizeof(to));
	msleep_loop(f, 200);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	if (n > 12) {
		buf[n] = '\0';
		if (sscanf(buf, "SIP/2.0 %d", &code) != 1)
			code = -1;
	}
	return code;
}

static void case_malformed(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char msg[8192], sf[300], port_s[8], target[64];
	int fd = -1, code;
	unsigned p;
	size_t n;

	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.max_message_size = 4000;
	memset(&f, 0, sizeof(f));
	if (fixture_init(&f, "malformed_messages", &acct) < 0) {
		result(&f, "agent setup failed");
		fixture_done(&f);
		return;
	}
	fd = raw_socket();
	if (fd < 0)
		FAIL(&f, "socket");
	p = sock_port(fd);

	/* OPTIONS without Call-ID -> 400 */
	n = snprintf(msg, sizeof(msg),
		     "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnocallid\r\n"
		     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
		     "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		     "Content-Length: 0\r\n\r\n", p);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 400)
		FAIL(&f, "missing Call-ID: got %d, want 400", code);

	/* INVITE with Max-Forwards out of range -> 400, no on_invite */
	n = snprintf(msg, sizeof(msg),
		     "INVITE sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnomf\r\n"
		     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
		     "Call-ID: nomf@x\r\nCSeq: 1 INVITE\r\nMax-Forwards: 256\r\n"
		     "Contact: <sip:x@127.0.0.1:%u>\r\n"
		     "Content-Length: 0\r\n\r\n", p, p);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 400 || f.n_invite)
		FAIL(&f, "Max-Forwards 256: got %d, want 400", code);

	/* CSeq method differing from the request method -> 400 */
	n = snprintf(msg, sizeof(msg),
		     "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKcseq\r\n"
		     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
		     "Call-ID: cseq@x\r\nCSeq: 1 BYE\r\nMax-Forwards: 70\r\n"
		     "Content-Length: 0\r\n\r\n", p);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 400)
		FAIL(&f, "CSeq method mismatch: got %d, want 400", code);

	/* garbage -> nothing */
	memset(msg, 0, sizeof(msg));
	for (n = 0; n < 700; n++)
		msg[n] = (char)(n * 131 + 7);
	code = raw_exchange(&f, fd, msg, 700);
	if (code != 0)
		FAIL(&f, "garbage: got a %d reply", code);
	code = raw_exchange(&f, fd, "INVITE\r\n\r\n\r\nxxxxxxxxxxxxxxxxx", 29);
	if (code != 0)
		FAIL(&f, "truncated INVITE: got a %d reply", code);

	/* oversize (limit 4000) -> dropped */
	n = snprintf(msg, sizeof(msg),
		     "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKbig\r\n"
		     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
		     "Call-ID: big@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		     "X-Pad: ", p);
	memset(msg + n, 'a', 5000);
	n += 5000;
	n += snprintf(msg + n, sizeof(msg) - n, "\r\nContent-Length: 0\r\n\r\n");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 0)
		FAIL(&f, "oversize: got a %d reply", code);

	/* a valid OPTIONS by hand -> 200 */
	n = snprintf(msg, sizeof(msg),
		     "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKok1\r\n"
		     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
		     "Call-ID: ok@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		     "Content-Length: 0\r\n\r\n", p);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 200)
		FAIL(&f, "valid OPTIONS: got %d, want 200", code);

	/* and a real peer still gets its 200 */
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), "uac_options.xml");
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1",
				       "-p", port_s, "-s", "2001", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 10000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp OPTIONS %s (status %d)",
		     f.sipp_done ? "failed" : "still running", f.sipp_status);
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/* Copy the header line starting with @name ("Via:") of @msg into @out. */
static bool header_line(const char *msg, const char *name, char *out,
			size_t len)
{
	const char *p = msg;
	size_t n;

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (strncasecmp(p, name, strlen(name)) == 0) {
			n = strcspn(p, "\r\n");
			if (n >= len)
				return false;
			memcpy(out, p, n);
			out[n] = '\0';
			return true;
		}
	}
	return false;
}

/* Wait (running the loop) for a datagram on @fd; returns its length. */
static ssize_t raw_wait(struct fixture *f, int fd, char *buf, size_t len,
			unsigned ms)
{
	ssize_t n = -1;
	unsigned waited;

	for (waited = 0; waited < ms; waited += 20) {
		n = recv(fd, buf, len - 1, MSG_DONTWAIT);
		if (n > 0)
			break;
		msleep_loop(f, 20);
	}
	if (n > 0)
		buf[n] = '\0';
	return n;
}

/*
 * A raw UAS: 200 to the agent's INVITE, ACK, the same 200 again (a
 * retransmission: the client transaction is gone, the UA must ACK it
 * again), then the agent's BYE.
 */
static void case_reack(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40004,
		.session_id = 9, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	char domain[64], offer[SDP_TEXT_MAX], buf[8192], resp[4096];
	char via[512], from[512], to[512], cid[256], cseq[64];
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40006 RTP/AVP 8\r\n";
	struct sockaddr_in from_addr;
	socklen_t fl;
	int fd, r, n_ack = 0;
	ssize_t n;

	memset(&f, 0, sizeof(f));
	f.name = "outgoing_2xx_retransmission_reack";
	fd = raw_socket();
	if (fd < 0) {
		result(&f, "socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(fd));
	acct.domain = domain;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	sdp_build_offer(&l, offer, sizeof(offer));
	r = sip_call_invite(f.a, "3000", offer, &f.call);
	if (r < 0)
		FAIL(&f, "sip_call_invite: %d", r);
	n = raw_wait(&f, fd, buf, sizeof(buf), 2000);
	if (n <= 0 || strncmp(buf, "INVITE ", 7) != 0)
		FAIL(&f, "no INVITE");
	if (!header_line(buf, "Via:", via, sizeof(via)) ||
	    !header_line(buf, "From:", from, sizeof(from)) ||
	    !header_line(buf, "To:", to, sizeof(to)) ||
	    !header_line(buf, "Call-ID:", cid, sizeof(cid)) ||
	    !header_line(buf, "CSeq:", cseq, sizeof(cseq)))
		FAIL(&f, "INVITE lacks headers");
	snprintf(resp, sizeof(resp),
		 "SIP/2.0 200 OK\r\n%s\r\n%s\r\n%s;tag=rawuas\r\n%s\r\n%s\r\n"
		 "Contact: <sip:raw@%s>\r\nContent-Type: application/sdp\r\n"
		 "Content-Length: %zu\r\n\r\n%s",
		 via, from, to, cid, cseq, domain, strlen(sdp), sdp);
	fl = sizeof(from_addr);
	memset(&from_addr, 0, sizeof(from_addr));
	from_addr.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &from_addr.sin_addr);
	from_addr.sin_port = htons(sip_agent_local_port(f.a));
	(void)fl;
	for (int round = 0; round < 3; round++) {
		sendto(fd, resp, strlen(resp), 0, (void *)&from_addr,
		       sizeof(from_addr));
		n = raw_wait(&f, fd, buf, sizeof(buf), 1000);
		if (n > 0 && strncmp(buf, "ACK ", 4) == 0)
			n_ack++;
	}
	if (n_ack != 3)
		FAIL(&f, "%d ACKs for 3 copies of the 200", n_ack);
	if (!has_state(&f, SIP_CALL_ANSWERED) || f.n_states != 1)
		FAIL(&f, "%d state changes, want one ANSWERED", f.n_states);
	sip_call_hangup(f.call);
	n = raw_wait(&f, fd, buf, sizeof(buf), 2000);
	if (n <= 0 || strncmp(buf, "BYE sip:raw@", 12) != 0)
		FAIL(&f, "no BYE to the Contact");
	if (!header_line(buf, "Via:", via, sizeof(via)) ||
	    !header_line(buf, "From:", from, sizeof(from)) ||
	    !header_line(buf, "To:", to, sizeof(to)) ||
	    !header_line(buf, "Call-ID:", cid, sizeof(cid)) ||
	    !header_line(buf, "CSeq:", cseq, sizeof(cseq)))
		FAIL(&f, "BYE lacks headers");
	snprintf(resp, sizeof(resp),
		 "SIP/2.0 200 OK\r\n%s\r\n%s\r\n%s\r\n%s\r\n%s\r\n"
		 "Content-Length: 0\r\n\r\n", via, from, to, cid, cseq);
	sendto(fd, resp, strlen(resp), 0, (void *)&from_addr, sizeof(from_addr));
	run_until(&f, call_final, 2000);
	if (!has_state(&f, SIP_CALL_TERMINATED))
		FAIL(&f, "no TERMINATED after 200 to BYE");
	PASS(&f);
out:
	close(fd);
	fixture_done(&f);
}

/* The next datagram on @fd whose status line starts with @status. */
static ssize_t raw_wait_status(struct fixture *f, int fd, char *buf,
			       size_t len, const char *status)
{
	ssize_t n;

	while ((n = raw_wait(f, fd, buf, len, 3000)) > 0)
		if (strncmp(buf, status, strlen(status)) == 0)
			return n;
	return -1;
}

/*
 * A re-INVITE sent again after our 200 (the far end lost it; UDP): the
 * same 200 again (RFC 3261 13.3.1.4), and the offer reaches the user once
 * (raw socket: sipp would take the identical 200 for a retransmission
 * and answer it with the re-INVITE, forever).
 */
static void case_reinvite_again(void)
{
	struct fixture f;
	char buf[4096], first[4096], to[300], msg[2048];
	int fd = -1, n;
	unsigned port;
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40010 RTP/AVP 0 8\r\n";
	static const char hold[] =
		"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40010 RTP/AVP 0 8\r\na=sendonly\r\n";

	if (fixture_callee(&f, "offer_reinvite_again_same_200", false) < 0)
		return;
	f.answer_incoming = true;
	fd = raw_socket();
	if (fd < 0)
		FAIL(&f, "socket");
	port = sock_port(fd);
#define REQ(method, cseq, branch, totag, body) \
	snprintf(msg, sizeof(msg), \
		 "%s sip:2001@127.0.0.1:%u SIP/2.0\r\n" \
		 "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=%s;rport\r\n" \
		 "Max-Forwards: 70\r\nFrom: <sip:bob@127.0.0.1>;tag=again\r\n" \
		 "%s\r\nCall-ID: again@x\r\nCSeq: %d %s\r\n" \
		 "Contact: <sip:bob@127.0.0.1:%u>\r\n%s" \
		 "Content-Length: %zu\r\n\r\n%s", method, \
		 sip_agent_local_port(f.a), port, branch, totag, cseq, method, \
		 port, *body ? "Content-Type: application/sdp\r\n" : "", \
		 strlen(body), body)
	n = REQ("INVITE", 1, "z9hG4bKagain1", "To: <sip:2001@127.0.0.1>", sdp);
	raw_send(&f, fd, msg, n);
	if (raw_wait_status(&f, fd, buf, sizeof(buf), "SIP/2.0 200 ") < 0)
		FAIL(&f, "no 200 to the INVITE");
	if (!header_line(buf, "To:", to, sizeof(to)))
		FAIL(&f, "200 without To");
	n = REQ("ACK", 1, "z9hG4bKagainack1", to, "");
	raw_send(&f, fd, msg, n);
	n = REQ("INVITE", 2, "z9hG4bKagain2", to, hold);
	raw_send(&f, fd, msg, n);
	if (raw_wait_status(&f, fd, first, sizeof(first), "SIP/2.0 200 ") < 0)
		FAIL(&f, "no 200 to the re-INVITE");
	raw_send(&f, fd, msg, n);	/* as if that 200 was lost */
	if (raw_wait_status(&f, fd, buf, sizeof(buf), "SIP/2.0 200 ") < 0)
		FAIL(&f, "no 200 to the re-INVITE sent again");
	if (strcmp(buf, first) != 0)
		FAIL(&f, "another 200 the second time:\n%s\nvs\n%s", buf, first);
	if (f.n_offer != 1)
		FAIL(&f, "%d on_offer callbacks, want 1", f.n_offer);
	n = REQ("ACK", 2, "z9hG4bKagainack2", to, "");
	raw_send(&f, fd, msg, n);
	msleep_loop(&f, 100);
#undef REQ
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/*
 * The agent calls a sipp UAS (over TCP with @tcp: sipp -t t1); @answered:
 * the call is answered and hung up; else it fails with 486, or with
 * @cancel it is cancelled at the 180 and must end CANCELLED 487.
 */
/* case_outgoing_x() calls with sip_call_invite_private(): 1 with
 * P-Preferred-Identity, 2 without; 0 sip_call_invite(). */
static int outgoing_privacy;

static void case_outgoing_x(const char *name, const char *file, bool answered,
			    bool tcp, bool cancel)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40002,
		.session_id = 7, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	char domain[64], sf[300], port_s[8], mport_s[8], offer[SDP_TEXT_MAX];
	unsigned port = free_port("127.0.0.1");
	int r;

	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), file);
	memset(&f, 0, sizeof(f));
	f.name = name;
	{
		const char *args[] = { "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, "-mp", mport_s,
				       "-t", tcp ? "t1" : "u1", NULL };
		if (spawn_sipp(&f, args) < 0) {
			result(&f, "cannot start sipp");
			return;
		}
	}
	usleep(400000);
	acct.domain = domain;
	if (tcp)
		acct.transport = SIP_TRANSPORT_TCP;
	{
		pid_t pid = f.sipp;

		r = fixture_init(&f, name, &acct);
		f.sipp = pid;
	}
	if (r < 0)
		FAIL(&f, "agent setup failed: %d", r);
	f.hangup_when_answered = answered;
	f.cancel_when_ringing = cancel;
	sdp_build_offer(&l, offer, sizeof(offer));
	if (outgoing_privacy)
		r = sip_call_invite_private(f.a, "2000", offer,
					    outgoing_privacy == 1, &f.call);
	else
		r = sip_call_invite(f.a, "2000", offer, &f.call);
	if (r < 0)
		FAIL(&f, "sip_call_invite: %d", r);
	run_until(&f, call_final, 15000);
	run_until(&f, sipp_exited, 5000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (answered) {
		struct sdp_media m;

		int i, n_ringing = 0;

		for (i = 0; i < f.n_states; i++)
			n_ringing += f.states[i] == SIP_CALL_RINGING;
		/* one 180 (uas_prack.xml sends it twice, reliably) */
		if (n_ringing != 1)
			FAIL(&f, "%d RINGING, want 1", n_ringing);
		if (state_status(&f, SIP_CALL_ANSWERED) != 200)
			FAIL(&f, "no ANSWERED 200");
		if (sdp_parse(f.early_or_answer_sdp, &m) < 0 || m.te_pt != 101)
			FAIL(&f, "answer SDP not passed on");
		if (!has_state(&f, SIP_CALL_TERMINATED))
			FAIL(&f, "no TERMINATED after our BYE");
		/* INVITE, ACK, INVITE, ACK, BYE: one connection */
		if (tcp && f.n_tcp_connects != 1)
			FAIL(&f, "%d TCP connections opened, want 1",
			     f.n_tcp_connects);
	} else if (cancel) {
		if (state_status(&f, SIP_CALL_CANCELLED) != 487)
			FAIL(&f, "CANCELLED status %d, want 487",
			     state_status(&f, SIP_CALL_CANCELLED));
	} else {
		if (state_status(&f, SIP_CALL_FAILED) != 486)
			FAIL(&f, "FAILED status %d, want 486",
			     state_status(&f, SIP_CALL_FAILED));
	}
	PASS(&f);
out:
	fixture_done(&f);
}

static void case_outgoing(const char *name, const char *file, bool answered,
			  bool tcp)
{
	case_outgoing_x(name, file, answered, tcp, false);
}

/*
 * A private call (per-call privacy, *67): the far end (uas_private.xml,
 * uas_private_noppi.xml) checks both INVITEs, the challenged one and the
 * one with credentials: From anonymous, Privacy: id, our AOR in
 * P-Preferred-Identity only with @ppi; the digest is still ours.
 */
static void case_outgoing_private(const char *name, const char *file,
				  bool ppi)
{
	outgoing_privacy = ppi ? 1 : 2;
	case_outgoing_x(name, file, true, false, false);
	outgoing_privacy = 0;
}

/*
 * sipp (UAC, UDP, from the provider's address) runs @file against an agent
 * whose user is 2001 (answering calls with @answer): sipp must pass, and
 * on_invite must have been called @want_invites times.
 */
static void case_uac_scenario(const char *name, const char *file,
			      const char *service, bool answer,
			      int want_invites)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char sf[300], port_s[8], mport_s[8], target[64];

	memset(&f, 0, sizeof(f));
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, name, &acct) < 0) {
		result(&f, "agent setup failed");
		fixture_done(&f);
		return;
	}
	f.answer_incoming = answer;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", free_port("127.0.0.1"));
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), file);
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, "-mp", mport_s, "-s", service,
				       "-key", "ours", "2001", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (f.n_invite != want_invites)
		FAIL(&f, "on_invite called %d times, want %d", f.n_invite,
		     want_invites);
	PASS(&f);
out:
	fixture_done(&f);
}

/* ---- registration behaviour ---- */

static int want_count;
static enum sip_reg_state want_state;

/* run_until condition: want_count callbacks reporting want_state */
static bool reg_count_reached(struct fixture *f)
{
	return reg_event(f, want_state, want_count - 1) >= 0;
}

static bool wait_reg(struct fixture *f, enum sip_reg_state s, int count,
		     unsigned ms)
{
	want_state = s;
	want_count = count;
	return run_until(f, reg_count_reached, ms);
}

/* A sipp registrar (UAS) on 127.0.0.1:@port; @extra: more arguments. */
static int spawn_registrar(struct fixture *f, const char *file, unsigned port,
			   const char *const *extra)
{
	const char *args[32];
	char sf[300], port_s[8];
	int n = 0;

	scen(sf, sizeof(sf), file);
	snprintf(port_s, sizeof(port_s), "%u", port);
	args[n++] = "-sf";
	args[n++] = sf;
	args[n++] = "-i";
	args[n++] = "127.0.0.1";
	args[n++] = "-p";
	args[n++] = port_s;
	while (extra && *extra && n < 30)
		args[n++] = *extra++;
	args[n] = NULL;
	return spawn_sipp(f, args);
}

static const char *reg_last(struct fixture *f)
{
	static char buf[80];

	snprintf(buf, sizeof(buf), "%d callbacks, last %s (%d)", f->n_reg,
		 sip_reg_state_to_string(f->reg), f->reg_status);
	return buf;
}

#define SIPP_OK(f) do {							\
	run_until((f), sipp_exited, 5000);				\
	if (!(f)->sipp_done || (f)->sipp_status != 0)			\
		FAIL((f), "sipp %s (status %d)", (f)->sipp_done ?	\
		     "failed" : "still running", (f)->sipp_status);	\
} while (0)

/* Registrar grants 4 s: the refresh must come at ~2 s, same Call-ID. */
static void case_reg_refresh(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1");
	char domain[64];
	int i1, i2;
	long dt;

	memset(&f, 0, sizeof(f));
	f.name = "register_refresh_before_expiry";
	if (spawn_registrar(&f, "reg_refresh.xml", port, NULL) < 0) {
		result(&f, "cannot start sipp");
		return;
	}
	usleep(400000);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.expires = 600;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	wait_reg(&f, SIP_REG_REGISTERED, 2, 8000);
	i1 = reg_event(&f, SIP_REG_REGISTERED, 0);
	i2 = reg_event(&f, SIP_REG_REGISTERED, 1);
	if (i1 < 0 || i2 < 0)
		FAIL(&f, "no refresh: %s", reg_last(&f));
	if (f.reg_expires != 4)
		FAIL(&f, "granted expiry %u, want 4", f.reg_expires);
	dt = f.reg_ms[i2] - f.reg_ms[i1];
	if (dt < 1500 || dt > 3200)
		FAIL(&f, "refreshed %ld ms after registering, want ~2000", dt);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
}

/* 503, 503, 200: retries after retry_min_s (1 s), then 2 s. */
static void case_reg_backoff(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1");
	char domain[64];
	int i0, i1, i2;
	long d1, d2;

	memset(&f, 0, sizeof(f));
	f.name = "register_backoff_after_503";
	if (spawn_registrar(&f, "reg_backoff.xml", port, NULL) < 0) {
		result(&f, "cannot start sipp");
		return;
	}
	usleep(400000);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.retry_min_s = 1;
	acct.retry_max_s = 60;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	wait_reg(&f, SIP_REG_REGISTERED, 1, 8000);
	i0 = reg_event(&f, SIP_REG_FAILED, 0);
	i1 = reg_event(&f, SIP_REG_FAILED, 1);
	i2 = reg_event(&f, SIP_REG_REGISTERED, 0);
	if (i0 < 0 || i1 < 0 || i2 < 0 || i2 < i1)
		FAIL(&f, "want FAILED, FAILED, REGISTERED: %s", reg_last(&f));
	if (f.reg_statuses[i0] != 503 || f.reg_statuses[i1] != 503 ||
	    f.reg_statuses[i2] != 200)
		FAIL(&f, "statuses %d, %d, %d", f.reg_statuses[i0],
		     f.reg_statuses[i1], f.reg_statuses[i2]);
	d1 = f.reg_ms[i1] - f.reg_ms[i0];
	d2 = f.reg_ms[i2] - f.reg_ms[i1];
	if (d1 < 800 || d1 > 1700 || d2 < 1800 || d2 > 2900)
		FAIL(&f, "retries after %ld and %ld ms, want ~1000 and ~2000",
		     d1, d2);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
}

/* sip_agent_stop() sends REGISTER with Expires: 0 (checked by sipp). */
static void case_reg_unregister(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1");
	char domain[64];

	memset(&f, 0, sizeof(f));
	f.name = "unregister_on_stop";
	if (spawn_registrar(&f, "reg_unregister.xml", port, NULL) < 0) {
		result(&f, "cannot start sipp");
		return;
	}
	usleep(400000);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	if (sip_agent_stop(f.a) < 0)
		FAIL(&f, "sip_agent_stop failed");
	if (!wait_reg(&f, SIP_REG_UNREGISTERED, 1, 3000))
		FAIL(&f, "no UNREGISTERED: %s", reg_last(&f));
	if (f.reg_status != 200)
		FAIL(&f, "un-REGISTER status %d", f.reg_status);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * Registered (4 s), then the registrar goes silent: the refresh times out
 * (Timer F, 32 s) -> FAILED 408; the registrar comes back -> the next
 * retry (retry_min_s later) registers again.
 */
static void case_reg_outage(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1");
	const char *short_exp[] = { "-key", "expires", "4", NULL };
	const char *long_exp[] = { "-key", "expires", "600", NULL };
	char domain[64];
	int ir, ifl, ir2;

	memset(&f, 0, sizeof(f));
	f.name = "register_recovers_after_outage";
	if (spawn_registrar(&f, "reg_ok.xml", port, short_exp) < 0) {
		result(&f, "cannot start sipp");
		return;
	}
	usleep(400000);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.retry_min_s = 1;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	SIPP_OK(&f);		/* the registrar is gone now */
	if (!wait_reg(&f, SIP_REG_FAILED, 1, 45000))
		FAIL(&f, "the refresh never failed: %s", reg_last(&f));
	ir = reg_event(&f, SIP_REG_REGISTERED, 0);
	ifl = reg_event(&f, SIP_REG_FAILED, 0);
	if (f.reg_statuses[ifl] != 408)
		FAIL(&f, "FAILED with %d, want 408 (timeout)", f.reg_statuses[ifl]);
	if (f.reg_ms[ifl] - f.reg_ms[ir] < 20000)
		FAIL(&f, "FAILED %ld ms after registering, before Timer F",
		     f.reg_ms[ifl] - f.reg_ms[ir]);
	if (spawn_registrar(&f, "reg_ok.xml", port, long_exp) < 0)
		FAIL(&f, "cannot start the second sipp");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 2, 8000))
		FAIL(&f, "not registered again: %s", reg_last(&f));
	ir2 = reg_event(&f, SIP_REG_REGISTERED, 1);
	if (f.reg_ms[ir2] - f.reg_ms[ifl] > 4000)
		FAIL(&f, "registered again %ld ms after the failure",
		     f.reg_ms[ir2] - f.reg_ms[ifl]);
	if (f.reg_expires != 600)
		FAIL(&f, "granted expiry %u, want 600", f.reg_expires);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
}

/*
 * A raw caller (from the provider's address) whose INVITE the agent
 * answers, and which never ACKs: the 200 must come again at T1, 3*T1,
 * 7*T1, then every T2 (RFC 3261 13.3.1.4), counted from the first 200,
 * and the agent's BYE at 64*T1 = 32 s.
 */
static void case_2xx_retransmit(void)
{
	static const long want[] = {
		500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500,
	};
	struct fixture f;
	struct sip_account acct = { 0 };
	char buf[4096];
	long t200[16], tbye = -1;
	struct timespec t0;
	int fd = -1, n, n200 = 0, i;
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40010 RTP/AVP 0 8\r\n";

	memset(&f, 0, sizeof(f));
	f.name = "incoming_2xx_retransmit_t1_doubling_bye_at_64t1";
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	f.answer_incoming = true;
	fd = raw_socket();
	if (fd < 0)
		FAIL(&f, "socket");
	n = snprintf(buf, sizeof(buf),
		     "INVITE sip:2001@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnoack;rport\r\n"
		     "Max-Forwards: 70\r\nFrom: <sip:bob@127.0.0.1>;tag=noack\r\n"
		     "To: <sip:2001@127.0.0.1>\r\nCall-ID: noack@x\r\n"
		     "CSeq: 1 INVITE\r\nContact: <sip:bob@127.0.0.1:%u>\r\n"
		     "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
		     sock_port(fd), sock_port(fd), strlen(sdp), sdp);
	raw_send(&f, fd, buf, n);
	/* run the loop in small steps: timestamps to a few ms */
	while (tbye < 0) {
		ssize_t k;

		sd_event_run(f.e, 2000);
		while ((k = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[k] = '\0';
			if (strncmp(buf, "SIP/2.0 200 ", 12) == 0) {
				if (n200 == 0)
					clock_gettime(CLOCK_MONOTONIC, &t0);
				if (n200 < 16)
					t200[n200] = ms_since(&t0);
				n200++;
			} else if (strncmp(buf, "BYE ", 4) == 0 && n200) {
				tbye = ms_since(&t0);
			}
		}
		if (n200 && ms_since(&t0) > 40000)
			break;
		if (!n200 && ms_since(&f.t0) > 5000)
			FAIL(&f, "no 200 to the INVITE");
	}
	for (i = 0; i < 10; i++) {
		if (i + 1 >= n200 || i + 1 >= 16)
			FAIL(&f, "only %d retransmissions of the 200", n200 - 1);
		/* never early; late only by as much as a loaded machine
		 * may keep this process from running (the schedule is
		 * counted from the first 200, so lateness must not add up) */
		if (t200[i + 1] < want[i] - 30 || t200[i + 1] > want[i] + 1000)
			FAIL(&f, "retransmission %d at %ld ms, want %ld", i + 1,
			     t200[i + 1], want[i]);
	}
	if (n200 != 11)
		FAIL(&f, "%d copies of the 200, want 11", n200);
	/* the old schedule added up its intervals: BYE at 35.5 s */
	if (tbye < 32000 - 30 || tbye > 32000 + 1000)
		FAIL(&f, "BYE at %ld ms, want 32000", tbye);
	if (!has_state(&f, SIP_CALL_TERMINATED))
		FAIL(&f, "call not TERMINATED");
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/*
 * A reliable 183 never PRACKed (RFC 3262 3): an INVITE with Require:
 * 100rel from a raw socket, the user rings with early media and does not
 * answer; the 183 must come again at T1, 3*T1, 7*T1, 15*T1, 31*T1 (the
 * same RSeq each time) and the INVITE get 504 at 64*T1; the call FAILED
 * 504.
 */
static void case_prack_timeout(void)
{
	static const long want[] = { 500, 1500, 3500, 7500, 15500, 31500 };
	struct fixture f;
	struct sip_account acct = { 0 };
	char buf[4096], rseq0[32] = "", rseq[32];
	long t183[16], t504 = -1;
	struct timespec t0;
	int fd = -1, n, n183 = 0, i;
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40010 RTP/AVP 0 8\r\n";

	memset(&f, 0, sizeof(f));
	f.name = "incoming_reliable_183_no_prack_504_at_64t1";
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	f.early_media = true;
	fd = raw_socket();
	if (fd < 0)
		FAIL(&f, "socket");
	n = snprintf(buf, sizeof(buf),
		     "INVITE sip:2001@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnoprack;rport\r\n"
		     "Max-Forwards: 70\r\nFrom: <sip:bob@127.0.0.1>;tag=noprack\r\n"
		     "To: <sip:2001@127.0.0.1>\r\nCall-ID: noprack@x\r\n"
		     "CSeq: 1 INVITE\r\nContact: <sip:bob@127.0.0.1:%u>\r\n"
		     "Require: 100rel\r\n"
		     "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
		     sock_port(fd), sock_port(fd), strlen(sdp), sdp);
	raw_send(&f, fd, buf, n);
	while (t504 < 0) {
		ssize_t k;

		sd_event_run(f.e, 2000);
		while ((k = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[k] = '\0';
			if (strncmp(buf, "SIP/2.0 183 ", 12) == 0) {
				if (n183 == 0)
					clock_gettime(CLOCK_MONOTONIC, &t0);
				if (n183 < 16)
					t183[n183] = ms_since(&t0);
				n183++;
				if (!header_line(buf, "RSeq", rseq, sizeof(rseq)))
					FAIL(&f, "183 without RSeq");
				if (!rseq0[0])
					snprintf(rseq0, sizeof(rseq0), "%s", rseq);
				else if (strcmp(rseq, rseq0) != 0)
					FAIL(&f, "RSeq %s, then %s", rseq0, rseq);
			} else if (strncmp(buf, "SIP/2.0 504 ", 12) == 0 && n183) {
				t504 = ms_since(&t0);
			}
		}
		if (n183 && ms_since(&t0) > 40000)
			break;
		if (!n183 && ms_since(&f.t0) > 5000)
			FAIL(&f, "no 183 to the INVITE");
	}
	for (i = 0; i < 6; i++) {
		if (i + 1 >= n183)
			FAIL(&f, "only %d retransmissions of the 183", n183 - 1);
		if (t183[i + 1] < want[i] - 30 || t183[i + 1] > want[i] + 1000)
			FAIL(&f, "retransmission %d at %ld ms, want %ld", i + 1,
			     t183[i + 1], want[i]);
	}
	if (n183 != 7)
		FAIL(&f, "%d copies of the 183, want 7", n183);
	if (t504 < 32000 - 30 || t504 > 32000 + 1000)
		FAIL(&f, "504 at %ld ms, want 32000", t504);
	if (state_status(&f, SIP_CALL_FAILED) != 504)
		FAIL(&f, "FAILED with %d, want 504",
		     state_status(&f, SIP_CALL_FAILED));
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/* ---- a case in a child process (long timers) ---- */

#define MAX_BG 6
static pid_t bg_pids[MAX_BG] = { -1, -1, -1, -1, -1, -1 };
static int bg_pipes[MAX_BG] = { -1, -1, -1, -1, -1, -1 };
static int bg_pid = -1, bg_pipe = -1;	/* of the one bg_start() made last */

static void bg_start(void (*fn)(void))
{
	int p[2];

	if (pipe(p) < 0) {
		perror("pipe");
		return;
	}
	fflush(stdout);
	fflush(stderr);
	bg_pid = fork();
	if (bg_pid == 0) {
		close(p[0]);
		bg_fd = p[1];
		fn();
		close(bg_fd);
		exit(0);	/* LeakSanitizer checks the child too */
	}
	close(p[1]);
	if (bg_pid < 0) {
		close(p[0]);
		return;
	}
	bg_pipe = p[0];
}

/* bg_start() for the @i-th background case. */
static void bg_start_n(int i, void (*fn)(void))
{
	bg_start(fn);
	bg_pids[i] = bg_pid;
	bg_pipes[i] = bg_pipe;
}

static void bg_finish(const char *name);

static void bg_finish_n(int i, const char *name)
{
	bg_pid = bg_pids[i];
	bg_pipe = bg_pipes[i];
	bg_finish(name);
}

static void bg_finish(const char *name)
{
	struct fixture f = { .name = name };
	char buf[2048], *line, *save = NULL;
	size_t len = 0;
	ssize_t n;
	int st = 0;
	bool any = false;

	if (bg_pid < 0) {
		result(&f, "cannot fork");
		return;
	}
	while (len < sizeof(buf) - 1 &&
	       (n = read(bg_pipe, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(bg_pipe);
	waitpid(bg_pid, &st, 0);
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		any = true;
		n_case++;
		if (strncmp(line, "ok ", 3) == 0) {
			printf("ok %d - %s\n", n_case, line + 3);
			n_pass++;
		} else {
			printf("not ok %d - %s\n", n_case,
			       line + (strncmp(line, "not ok ", 7) ? 0 : 7));
			n_fail++;
		}
	}
	if (!any || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		result(&f, "background child: %s status %d",
		       WIFEXITED(st) ? "exit" : "signal",
		       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	fflush(stdout);
}

/* ---- TCP ---- */

static void case_register_tcp(const char *name, const char *mode)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1");
	/* tn wants its socket limit under the open-file limit */
	const char *extra[] = { "-t", mode, "-max_socket", "64", NULL };
	char domain[64];

	memset(&f, 0, sizeof(f));
	f.name = name;
	if (spawn_registrar(&f, "reg_tcp.xml", port, extra) < 0) {
		result(&f, "cannot start sipp");
		return;
	}
	usleep(400000);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.transport = SIP_TRANSPORT_TCP;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	if (f.reg_expires != 300)
		FAIL(&f, "granted expiry %u", f.reg_expires);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
}

static int tcp_listener(unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (fd < 0 || bind(fd, (void *)&sin, sizeof(sin)) < 0 ||
	    listen(fd, 4) < 0 || getsockname(fd, (void *)&sin, &sl) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Accept on @lfd within @ms, running the agent meanwhile. */
static int tcp_accept_wait(struct fixture *f, int lfd, unsigned ms)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };
	unsigned waited;

	for (waited = 0; waited < ms; waited += 20) {
		if (poll(&p, 1, 0) == 1)
			return accept(lfd, NULL, NULL);
		msleep_loop(f, 20);
	}
	return -1;
}

static int tcp_connect_agent(struct fixture *f)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons(sip_agent_local_port(f->a));
	if (fd < 0 || connect(fd, (void *)&sin, sizeof(sin)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct stream {
	char buf[16384];
	size_t len;
	bool eof;
};

/* Read what @fd has for @ms (running the agent), or until @until
 * appears @count times in the stream (NULL: the whole time). */
static void stream_read(struct fixture *f, int fd, struct stream *st,
			unsigned ms, const char *until, int count)
{
	unsigned waited;

	for (waited = 0; waited <= ms; waited += 20) {
		for (;;) {
			ssize_t n = recv(fd, st->buf + st->len,
					 sizeof(st->buf) - 1 - st->len,
					 MSG_DONTWAIT);

			if (n == 0)
				st->eof = true;
			if (n <= 0)
				break;
			st->len += n;
			st->buf[st->len] = '\0';
		}
		if (st->eof)
			return;
		if (until) {
			const char *p = st->buf;
			int k = 0;

			while ((p = strstr(p, until))) {
				k++;
				p++;
			}
			if (k >= count)
				return;
		}
		msleep_loop(f, 20);
	}
}

static int count_of(const char *s, const char *what)
{
	int k = 0;

	while ((s = strstr(s, what))) {
		k++;
		s++;
	}
	return k;
}

/* A 200 for the (first) request in @req. */
static int reply_200(const char *req, const char *extra, char *out, size_t len)
{
	char via[512], from[512], to[512], cid[256], cseq[64];

	if (!header_line(req, "Via:", via, sizeof(via)) ||
	    !header_line(req, "From:", from, sizeof(from)) ||
	    !header_line(req, "To:", to, sizeof(to)) ||
	    !header_line(req, "Call-ID:", cid, sizeof(cid)) ||
	    !header_line(req, "CSeq:", cseq, sizeof(cseq)))
		return -1;
	return snprintf(out, len,
			"SIP/2.0 200 OK\r\n%s\r\n%s\r\n%s;tag=rawreg\r\n%s\r\n%s\r\n"
			"%sContent-Length: 0\r\n\r\n", via, from, to, cid, cseq,
			extra ? extra : "");
}

static bool write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		buf += n;
		len -= n;
	}
	return true;
}

/*
 * A raw TCP registrar: one REGISTER and no retransmission (reliable
 * transport), a 200 written in two pieces, then the connection closed:
 * the agent re-registers over a new connection; that connection closed
 * unanswered fails the REGISTER at once (503, not Timer F); the retry
 * after retry_min_s registers.
 */
static void case_tcp_registrar_raw(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct stream *st = calloc(1, sizeof(*st));
	char domain[64], resp[2048], contact[300];
	unsigned port = 0;
	int lfd, cfd = -1, n, ifl;
	long t_close;

	memset(&f, 0, sizeof(f));
	f.name = "tcp_registrar_no_retransmit_conn_loss";
	lfd = tcp_listener(&port);
	if (lfd < 0 || !st) {
		result(&f, "tcp listener");
		free(st);
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.transport = SIP_TRANSPORT_TCP;
	acct.retry_min_s = 1;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	cfd = tcp_accept_wait(&f, lfd, 3000);
	if (cfd < 0)
		FAIL(&f, "the agent did not connect");
	stream_read(&f, cfd, st, 2500, NULL, 0);
	if (count_of(st->buf, "REGISTER sip:") != 1)
		FAIL(&f, "%d REGISTERs in 2.5 s over TCP, want 1",
		     count_of(st->buf, "REGISTER sip:"));
	if (!strstr(st->buf, "Via: SIP/2.0/TCP ") ||
	    !strstr(st->buf, ";transport=tcp>"))
		FAIL(&f, "REGISTER without TCP Via / Contact transport");
	if (!header_line(st->buf, "Contact:", contact, sizeof(contact)))
		FAIL(&f, "REGISTER without Contact");
	strcat(contact, ";expires=600\r\n");
	n = reply_200(st->buf, contact, resp, sizeof(resp));
	if (n < 0)
		FAIL(&f, "REGISTER lacks headers");
	/* in two pieces: the agent must reassemble */
	write_all(cfd, resp, 40);
	msleep_loop(&f, 100);
	if (f.reg == SIP_REG_REGISTERED)
		FAIL(&f, "registered on a partial response");
	write_all(cfd, resp + 40, n - 40);
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));

	/* the registration's connection breaks: re-register on a new one */
	close(cfd);
	cfd = tcp_accept_wait(&f, lfd, 3000);
	if (cfd < 0)
		FAIL(&f, "no new connection after the registration's was lost");
	memset(st, 0, sizeof(*st));
	stream_read(&f, cfd, st, 2000, "\r\n\r\n", 1);
	if (strncmp(st->buf, "REGISTER sip:", 13) != 0)
		FAIL(&f, "no REGISTER on the new connection");
	/* closed unanswered: the transaction fails now */
	close(cfd);
	cfd = -1;
	t_close = ms_since(&f.t0);
	if (!wait_reg(&f, SIP_REG_FAILED, 1, 2000))
		FAIL(&f, "connection loss did not fail the REGISTER: %s",
		     reg_last(&f));
	ifl = reg_event(&f, SIP_REG_FAILED, 0);
	if (f.reg_statuses[ifl] != 503 || f.reg_ms[ifl] - t_close > 1000)
		FAIL(&f, "FAILED %d after %ld ms, want 503 at once",
		     f.reg_statuses[ifl], f.reg_ms[ifl] - t_close);
	/* the retry */
	cfd = tcp_accept_wait(&f, lfd, 3000);
	if (cfd < 0)
		FAIL(&f, "no retry");
	memset(st, 0, sizeof(*st));
	stream_read(&f, cfd, st, 2000, "\r\n\r\n", 1);
	n = reply_200(st->buf, NULL, resp, sizeof(resp));
	if (n < 0 || !write_all(cfd, resp, n))
		FAIL(&f, "retry REGISTER lacks headers");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 2, 2000))
		FAIL(&f, "not registered after the retry: %s", reg_last(&f));
	PASS(&f);
out:
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	free(st);
	fixture_done(&f);
}

static int build_options(char *buf, size_t len, int fd, const char *id,
			 const char *body)
{
	struct sockaddr_in sin = { .sin_port = 0 };
	socklen_t sl = sizeof(sin);

	getsockname(fd, (void *)&sin, &sl);
	return snprintf(buf, len,
			"OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/TCP 127.0.0.1:%u;branch=z9hG4bK%s\r\n"
			"From: <sip:x@127.0.0.1>;tag=%s\r\n"
			"To: <sip:alice@127.0.0.1>\r\n"
			"Call-ID: %s@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
			"%s"
			"Content-Length: %zu\r\n\r\n%s",
			ntohs(sin.sin_port), id, id, id,
			body ? "Content-Type: text/plain\r\n" : "",
			body ? strlen(body) : 0, body ? body : "");
}

/* Send @msg on a new connection; true if the agent closes it. */
static bool closes_on(struct fixture *f, const char *msg, size_t len)
{
	struct stream st = { .len = 0 };
	int fd = tcp_connect_agent(f);
	bool closed;

	if (fd < 0)
		return false;
	write_all(fd, msg, len);
	stream_read(f, fd, &st, 1500, NULL, 0);
	closed = st.eof && !strstr(st.buf, "SIP/2.0");
	close(fd);
	return closed;
}

/* Stream framing of the agent's TCP side, with a raw client. */
static void case_tcp_framing(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct stream *st = calloc(1, sizeof(*st));
	char *msg = malloc(16384);
	int fd = -1, n, k;

	memset(&f, 0, sizeof(f));
	f.name = "tcp_stream_framing";
	if (!st || !msg) {
		result(&f, "out of memory");
		free(st);
		free(msg);
		return;
	}
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.transport = SIP_TRANSPORT_TCP;
	acct.max_message_size = 4000;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	fd = tcp_connect_agent(&f);
	if (fd < 0)
		FAIL(&f, "cannot connect to the agent's TCP port");

	/* two messages in one write: two answers, on this connection */
	n = build_options(msg, 16384, fd, "two1", NULL);
	n += build_options(msg + n, 16384 - n, fd, "two2", NULL);
	write_all(fd, msg, n);
	stream_read(&f, fd, st, 2000, "SIP/2.0 200 OK", 2);
	if (count_of(st->buf, "SIP/2.0 200 OK") != 2 ||
	    !strstr(st->buf, "two1@x") || !strstr(st->buf, "two2@x"))
		FAIL(&f, "two messages in one segment: %d answers",
		     count_of(st->buf, "SIP/2.0 200 OK"));

	/* one message (with a body) in three pieces */
	memset(st, 0, sizeof(*st));
	n = build_options(msg, 16384, fd, "split", "0123456789");
	write_all(fd, msg, 30);
	msleep_loop(&f, 100);
	write_all(fd, msg + 30, n - 34);
	stream_read(&f, fd, st, 200, NULL, 0);
	if (st->len)
		FAIL(&f, "answered before the body was complete");
	write_all(fd, msg + n - 4, 4);
	stream_read(&f, fd, st, 2000, "SIP/2.0 200 OK", 1);
	if (count_of(st->buf, "SIP/2.0 200 OK") != 1 || !strstr(st->buf, "split@x"))
		FAIL(&f, "message in pieces not answered");

	/* RFC 5626 keep-alive: CRLFCRLF ping, CRLF pong */
	memset(st, 0, sizeof(*st));
	write_all(fd, "\r\n\r\n", 4);
	stream_read(&f, fd, st, 300, NULL, 0);
	if (st->len != 2 || strcmp(st->buf, "\r\n") != 0)
		FAIL(&f, "ping answered with %zu bytes", st->len);

	/* and still in sync after it */
	memset(st, 0, sizeof(*st));
	n = build_options(msg, 16384, fd, "after", NULL);
	write_all(fd, msg, n);
	stream_read(&f, fd, st, 2000, "SIP/2.0 200 OK", 1);
	if (!strstr(st->buf, "after@x"))
		FAIL(&f, "no answer after the keep-alive");
	close(fd);
	fd = -1;

	/* violations close the connection */
	n = build_options(msg, 16384, 0, "nocl", NULL);
	{
		char *cl = strstr(msg, "Content-Length:");

		strcpy(cl, "\r\n");	/* no Content-Length at all */
		n = strlen(msg);
	}
	if (!closes_on(&f, msg, n))
		FAIL(&f, "message without Content-Length: not closed");
	n = snprintf(msg, 16384, "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Content-Length: abc\r\n\r\n");
	if (!closes_on(&f, msg, n))
		FAIL(&f, "invalid Content-Length: not closed");
	/* over max_message_size: 513 (RFC 3261 21.5.14), then closed */
	fd = tcp_connect_agent(&f);
	memset(st, 0, sizeof(*st));
	n = build_options(msg, 16384, fd, "big", NULL);
	strcpy(strstr(msg, "Content-Length:"), "Content-Length: 5000\r\n\r\n");
	write_all(fd, msg, strlen(msg));
	stream_read(&f, fd, st, 1500, NULL, 0);
	if (!st->eof || !strstr(st->buf, "SIP/2.0 513 ") ||
	    !strstr(st->buf, "big@x"))
		FAIL(&f, "message over max_message_size: %s, answer \"%.40s\"",
		     st->eof ? "closed" : "not closed", st->buf);
	close(fd);
	fd = -1;
	n = snprintf(msg, 16384, "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "X-Pad: ");
	for (k = 0; k < 6000; k++)
		msg[n++] = 'a';
	if (!closes_on(&f, msg, n))
		FAIL(&f, "endless header block: not closed");

	/* the agent is fine afterwards */
	fd = tcp_connect_agent(&f);
	memset(st, 0, sizeof(*st));
	n = build_options(msg, 16384, fd, "last", NULL);
	write_all(fd, msg, n);
	stream_read(&f, fd, st, 2000, "SIP/2.0 200 OK", 1);
	if (!strstr(st->buf, "last@x"))
		FAIL(&f, "no answer after the violations");
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	free(st);
	free(msg);
	fixture_done(&f);
}

/* ---- DNS SRV ---- */

struct pkt {
	unsigned char b[1024];
	size_t n;
};

static void put8(struct pkt *p, unsigned v)
{
	p->b[p->n++] = v;
}

static void put16(struct pkt *p, unsigned v)
{
	put8(p, v >> 8);
	put8(p, v & 0xff);
}

/* "a.b.c" as labels; @ptr >= 0: end with a pointer there instead of 0. */
static void put_name(struct pkt *p, const char *name, int ptr)
{
	while (*name) {
		size_t l = strcspn(name, ".");

		put8(p, l);
		memcpy(p->b + p->n, name, l);
		p->n += l;
		name += l;
		if (*name == '.')
			name++;
	}
	if (ptr >= 0)
		put16(p, 0xc000 | ptr);
	else
		put8(p, 0);
}

static void dns_header(struct pkt *p, unsigned flags, unsigned an)
{
	p->n = 0;
	put16(p, 0x1234);
	put16(p, flags);
	put16(p, 1);
	put16(p, an);
	put16(p, 0);
	put16(p, 0);
	put_name(p, "_sip._udp.fxs.test", -1);	/* at offset 12 */
	put16(p, ns_t_srv);
	put16(p, ns_c_in);
}

/* An SRV record for the question's name; @ptr as in put_name. */
static void put_srv(struct pkt *p, unsigned prio, unsigned weight,
		    unsigned port, const char *target, int ptr)
{
	size_t rdlen_at;

	put16(p, 0xc00c);
	put16(p, ns_t_srv);
	put16(p, ns_c_in);
	put16(p, 0);
	put16(p, 300);
	rdlen_at = p->n;
	put16(p, 0);
	put16(p, prio);
	put16(p, weight);
	put16(p, port);
	put_name(p, target, ptr);
	p->b[rdlen_at] = (p->n - rdlen_at - 2) >> 8;
	p->b[rdlen_at + 1] = (p->n - rdlen_at - 2) & 0xff;
}

static void case_srv_select(void)
{
	struct fixture f = { .name = "dns_srv_answer_selection" };
	struct sip_srv_rr rr[8];
	struct pkt p;
	uint32_t ttl = 0;
	int r;

	/* every usable record, in the answer's order; an A record skipped,
	 * compression inside; then RFC 2782's order: priorities ascending */
	dns_header(&p, 0x8180, 5);
	put_srv(&p, 20, 100, 5070, "backup.fxs.test", -1);
	put16(&p, 0xc00c);		/* an A record: skipped */
	put16(&p, ns_t_a);
	put16(&p, ns_c_in);
	put16(&p, 0);
	put16(&p, 300);
	put16(&p, 4);
	put16(&p, 0x7f00);
	put16(&p, 0x0001);
	put_srv(&p, 10, 10, 5080, "low.fxs.test", -1);
	put_srv(&p, 10, 60, 5090, "sip1", 12 + 10);	/* sip1 + "fxs.test" */
	put_srv(&p, 30, 900, 5099, "worst.fxs.test", -1);
	r = sip_srv_parse(p.b, p.n, rr, 8, &ttl);
	if (r != 4 || strcmp(rr[0].target, "backup.fxs.test") != 0 ||
	    strcmp(rr[2].target, "sip1.fxs.test") != 0 || rr[2].port != 5090 ||
	    rr[2].weight != 60 || ttl != 300) {
		result(&f, "parsed %d records, third %s:%u, ttl %u", r,
		       r > 2 ? rr[2].target : "-", r > 2 ? rr[2].port : 0, ttl);
		return;
	}
	sip_srv_order(rr, 4, NULL, NULL);
	if (rr[0].prio != 10 || rr[1].prio != 10 || rr[2].prio != 20 ||
	    rr[3].prio != 30 || strcmp(rr[3].target, "worst.fxs.test") != 0) {
		result(&f, "order: priorities %u %u %u %u", rr[0].prio,
		       rr[1].prio, rr[2].prio, rr[3].prio);
		return;
	}
	/* at most max records */
	if (sip_srv_parse(p.b, p.n, rr, 1, NULL) != 1 ||
	    strcmp(rr[0].target, "backup.fxs.test") != 0) {
		result(&f, "max 1 not kept");
		return;
	}
	/* only "." and port 0: unusable */
	dns_header(&p, 0x8180, 2);
	put_srv(&p, 0, 0, 5060, "", -1);
	put_srv(&p, 0, 0, 0, "zero.fxs.test", -1);
	r = sip_srv_parse(p.b, p.n, rr, 8, NULL);
	if (r != -ENOENT) {
		result(&f, "\".\" target: %d, want -ENOENT", r);
		return;
	}
	/* NXDOMAIN */
	dns_header(&p, 0x8183, 0);
	r = sip_srv_parse(p.b, p.n, rr, 8, NULL);
	if (r != -ENOENT) {
		result(&f, "NXDOMAIN: %d, want -ENOENT", r);
		return;
	}
	/* truncated in the middle of a record */
	dns_header(&p, 0x8180, 1);
	put_srv(&p, 1, 1, 5060, "cut.fxs.test", -1);
	r = sip_srv_parse(p.b, p.n - 5, rr, 8, NULL);
	if (r != -EBADMSG) {
		result(&f, "truncated: %d, want -EBADMSG", r);
		return;
	}
	/* RDLENGTH too short for an SRV */
	dns_header(&p, 0x8180, 1);
	put16(&p, 0xc00c);
	put16(&p, ns_t_srv);
	put16(&p, ns_c_in);
	put16(&p, 0);
	put16(&p, 300);
	put16(&p, 3);
	put8(&p, 0);
	put16(&p, 1);
	r = sip_srv_parse(p.b, p.n, rr, 8, NULL);
	if (r != -EBADMSG) {
		result(&f, "short RDATA: %d, want -EBADMSG", r);
		return;
	}
	/* a compression pointer to itself in the target */
	dns_header(&p, 0x8180, 1);
	put_srv(&p, 1, 1, 5060, "", -1);
	p.n--;				/* replace the root label... */
	put16(&p, 0xc000 | p.n);	/* ...by a pointer to here */
	p.b[p.n - 9] = 8;		/* RDLENGTH: 6 + the pointer */
	r = sip_srv_parse(p.b, p.n, rr, 8, NULL);
	if (r != -EBADMSG) {
		result(&f, "pointer loop: %d, want -EBADMSG", r);
		return;
	}
	/* a query is not an answer */
	dns_header(&p, 0x0100, 0);
	r = sip_srv_parse(p.b, p.n, rr, 8, NULL);
	if (r != -EBADMSG) {
		result(&f, "query: %d, want -EBADMSG", r);
		return;
	}
	PASS(&f);
}

/*
 * A fake DNS server (child process) answering _sip._udp.srv.fxs.test and
 * _sip._tcp.srv.fxs.test with three SRV records each (the best one on
 * @udp_port / @tcp_port), NXDOMAIN to anything else; the agent's resolver
 * is pointed at it through FXSD_DNS_SERVER.  The agent, given the domain
 * without a port, must register with the sipp behind the best record.
 */
static void fake_dns(int fd, unsigned udp_port, unsigned tcp_port)
{
	unsigned char q[512];
	struct pkt p;
	struct sockaddr_storage from;
	socklen_t fl;
	ssize_t n;
	size_t qend;
	int i;

	alarm(30);
	for (i = 0; i < 50; i++) {
		char name[300];
		size_t pos = 12, nl = 0;

		fl = sizeof(from);
		n = recvfrom(fd, q, sizeof(q), 0, (void *)&from, &fl);
		if (n < 17)
			continue;
		while (pos < (size_t)n && q[pos] && nl < 250) {
			size_t l = q[pos];

			if (pos + 1 + l > (size_t)n)
				break;
			if (nl)
				name[nl++] = '.';
			memcpy(name + nl, q + pos + 1, l);
			nl += l;
			pos += 1 + l;
		}
		name[nl] = '\0';
		qend = pos + 5;
		if (qend > (size_t)n)
			continue;
		memcpy(p.b, q, qend);
		p.n = qend;
		if ((strcasecmp(name, "_sip._udp.srv.fxs.test") == 0 ||
		     strcasecmp(name, "_sip._tcp.srv.fxs.test") == 0) &&
		    q[pos + 1] == 0 && q[pos + 2] == ns_t_srv) {
			p.b[2] = 0x85;	/* QR AA RD */
			p.b[3] = 0x80;
			p.b[7] = 3;
			put_srv(&p, 20, 0, 9, "localhost", -1);
			put_srv(&p, 10, 50, name[6] == 'u' ? udp_port : tcp_port,
				"localhost", -1);
			put_srv(&p, 10, 5, 7, "localhost", -1);
		} else {
			p.b[2] = 0x85;
			p.b[3] = 0x83;	/* NXDOMAIN */
		}
		sendto(fd, p.b, p.n, 0, (void *)&from, fl);
	}
	_exit(0);
}

static void case_srv_register(bool tcp)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	const char *extra[] = { "-key", "expires", "120", "-t",
				tcp ? "t1" : "u1", NULL };
	unsigned port = free_port("127.0.0.1");
	char server[32];
	pid_t dns = -1;
	int dfd;

	memset(&f, 0, sizeof(f));
	f.name = tcp ? "dns_srv_register_tcp" : "dns_srv_register_udp";
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	dfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dfd < 0 || bind(dfd, (void *)&sin, sizeof(sin)) < 0 ||
	    getsockname(dfd, (void *)&sin, &sl) < 0) {
		result(&f, "dns socket");
		return;
	}
	fflush(stdout);
	dns = fork();
	if (dns == 0)	/* the other transport's record leads nowhere */
		fake_dns(dfd, tcp ? 9 : port, tcp ? port : 9);
	close(dfd);
	if (dns < 0) {
		result(&f, "fork");
		return;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(sin.sin_port));
	setenv("FXSD_DNS_SERVER", server, 1);
	if (spawn_registrar(&f, "reg_ok.xml", port, extra) < 0) {
		result(&f, "cannot start sipp");
		goto out_dns;
	}
	usleep(400000);
	acct.domain = "srv.fxs.test";
	acct.register_enabled = true;
	/* the weight-5 record (port 7, nobody there) comes first in about
	 * 1 draw of 11 (RFC 2782): then the REGISTER moves on after 500 ms */
	acct.failover_timeout_ms = 500;
	if (tcp)
		acct.transport = SIP_TRANSPORT_TCP;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered through SRV: %s", reg_last(&f));
	if (f.reg_expires != 120)
		FAIL(&f, "granted expiry %u", f.reg_expires);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
out_dns:
	kill(dns, SIGTERM);
	waitpid(dns, NULL, 0);
	unsetenv("FXSD_DNS_SERVER");
}

/*
 * ---- a real DNS server: dnsmasq on 127.0.0.1, a port of its own ----
 *
 * dnsmasq (no upstream, no /etc/hosts) answers for fxs.test from the
 * records it is given and NXDOMAIN for any other name in it; every query
 * it gets is in its log, which the cases read.  The agent's resolver is
 * pointed at it with FXSD_DNS_SERVER, and so is this process's libc
 * resolver (_res), which fxsd used before: the cases then show what
 * changed (nothing but the blocking) when run on the older agent.
 */
static pid_t dnsmasq_pid = -1;
static char dnsmasq_server[32];
static char dnsmasq_log[300];

static bool dnsmasq_missing(void)
{
	return access("/usr/sbin/dnsmasq", X_OK) != 0 &&
	       system("command -v dnsmasq >/dev/null 2>&1") != 0;
}

/* A query to 127.0.0.1:@port (SRV _sip._udp.fxs.test): answered? */
static bool dns_answers(unsigned port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct pollfd pfd;
	struct pkt p;
	bool ok = false;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return false;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons(port);
	dns_header(&p, 0x0100, 0);	/* RD */
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (sendto(fd, p.b, p.n, 0, (void *)&sin, sizeof(sin)) > 0 &&
	    poll(&pfd, 1, 100) == 1)
		ok = recv(fd, p.b, sizeof(p.b), 0) > 12;
	close(fd);
	return ok;
}

/* dnsmasq with @records (its options), up and answering; 0 or -1. */
static int dnsmasq_start(struct fixture *f, const char *const *records)
{
	const char *argv[32];
	char port_opt[32], log_opt[340];
	unsigned port = free_port("127.0.0.1");
	int n = 0, i, fd;

	if (!port)
		return -1;
	snprintf(dnsmasq_log, sizeof(dnsmasq_log), "%s/%s.dnsmasq.log", log_dir,
		 f->name);
	unlink(dnsmasq_log);
	snprintf(port_opt, sizeof(port_opt), "--port=%u", port);
	snprintf(log_opt, sizeof(log_opt), "--log-facility=%s", dnsmasq_log);
	argv[n++] = "dnsmasq";
	argv[n++] = "--keep-in-foreground";
	argv[n++] = "--conf-file=/dev/null";
	argv[n++] = "--no-resolv";
	argv[n++] = "--no-hosts";
	argv[n++] = "--listen-address=127.0.0.1";
	argv[n++] = "--bind-interfaces";
	argv[n++] = port_opt;
	argv[n++] = "--pid-file=";
	argv[n++] = "--user=root";	/* as root: stays root */
	argv[n++] = "--log-queries";
	argv[n++] = log_opt;
	argv[n++] = "--local=/fxs.test/";
	while (*records && n < 30)
		argv[n++] = *records++;
	argv[n] = NULL;
	fflush(stdout);
	dnsmasq_pid = fork();
	if (dnsmasq_pid < 0)
		return -1;
	if (dnsmasq_pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp("dnsmasq", (char *const *)argv);
		execv("/usr/sbin/dnsmasq", (char *const *)argv);
		_exit(127);
	}
	for (i = 0; i < 50; i++) {	/* up to 5 s: until it answers */
		if (dns_answers(port)) {
			struct sockaddr_in sin = { .sin_family = AF_INET };

			snprintf(dnsmasq_server, sizeof(dnsmasq_server),
				 "127.0.0.1:%u", port);
			setenv("FXSD_DNS_SERVER", dnsmasq_server, 1);
			inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
			sin.sin_port = htons(port);
			if (res_init() == 0) {
				_res.nscount = 1;
				_res.nsaddr_list[0] = sin;
			}
			return 0;
		}
		if (waitpid(dnsmasq_pid, NULL, WNOHANG) == dnsmasq_pid) {
			dnsmasq_pid = -1;
			return -1;
		}
	}
	return -1;
}

static void dnsmasq_stop(void)
{
	unsetenv("FXSD_DNS_SERVER");
	res_init();		/* back to resolv.conf */
	if (dnsmasq_pid > 0) {
		kill(dnsmasq_pid, SIGTERM);
		waitpid(dnsmasq_pid, NULL, 0);
	}
	dnsmasq_pid = -1;
}

/* Where @what first appears in dnsmasq's log (byte offset), or -1. */
static long dnsmasq_seen(const char *what)
{
	static char buf[65536];
	size_t n = 0;
	FILE *fp = fopen(dnsmasq_log, "r");
	char *p;

	if (!fp)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	p = strstr(buf, what);
	return p ? p - buf : -1;
}

static bool dnsmasq_srv_then_a(struct fixture *f)
{
	long srv = dnsmasq_seen("query[SRV] _sip._udp.fxs.test from"),
	     a = dnsmasq_seen("query[A] sip1.fxs.test from");

	(void)f;
	return srv >= 0 && a > srv;
}

/* Is a UDP socket bound to 127.0.0.1:@port (sipp up)? /proc/net/udp */
static bool udp_bound(unsigned port)
{
	char line[256], want[32];
	bool found = false;
	FILE *fp = fopen("/proc/net/udp", "r");

	if (!fp)
		return true;	/* cannot tell: the REGISTER is retransmitted */
	snprintf(want, sizeof(want), " 0100007F:%04X ", port);
	while (!found && fgets(line, sizeof(line), fp))
		found = strstr(line, want) != NULL;
	fclose(fp);
	return found;
}

/* Wait (up to 5 s) until sipp listens on 127.0.0.1:@port. */
static bool sipp_listening(struct fixture *f, unsigned port)
{
	int i;

	for (i = 0; i < 250 && !udp_bound(port); i++) {
		reap_sipp(f);
		if (f->sipp_done)
			return false;
		usleep(20000);
	}
	return udp_bound(port);
}

static void skip(struct fixture *f, const char *why)
{
	n_case++;
	n_pass++;
	printf("ok %d - %s # SKIP %s\n", n_case, f->name, why);
	fflush(stdout);
}

/*
 * The domain alone ("fxs.test"): SRV _sip._udp.fxs.test names
 * sip1.fxs.test on the registrar's port (a worse record names another
 * port), and its A record 127.0.0.1: the agent registers with the sipp
 * there, after asking dnsmasq SRV then A; its address towards the
 * registrar is then known without a lookup of its own.
 */
static void case_dnsmasq_register(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	const char *extra[] = { "-key", "expires", "120", NULL };
	unsigned port = free_port("127.0.0.1");
	char srv[128], local[64];
	const char *rec[] = {
		srv, "--srv-host=_sip._udp.fxs.test,backup.fxs.test,9,20,0",
		"--host-record=sip1.fxs.test,127.0.0.1", NULL,
	};

	memset(&f, 0, sizeof(f));
	f.name = "dns_dnsmasq_srv_then_a_register";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	snprintf(srv, sizeof(srv),
		 "--srv-host=_sip._udp.fxs.test,sip1.fxs.test,%u,10,50", port);
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	if (spawn_registrar(&f, "reg_ok.xml", port, extra) < 0)
		FAIL(&f, "cannot start sipp");
	acct.domain = "fxs.test";
	acct.register_enabled = true;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered through SRV and A: %s", reg_last(&f));
	if (f.reg_expires != 120)
		FAIL(&f, "granted expiry %u", f.reg_expires);
	if (!run_until(&f, dnsmasq_srv_then_a, 2000))
		FAIL(&f, "dnsmasq was not asked SRV _sip._udp.fxs.test, then A sip1.fxs.test (%s)",
		     dnsmasq_log);
	if (sip_agent_local_address(f.a, local, sizeof(local)) < 0 ||
	    strcmp(local, "127.0.0.1") != 0)
		FAIL(&f, "local address towards the registrar: %s", local);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
}

/*
 * A name that does not resolve (NXDOMAIN for SRV and A): the registration
 * fails with status 0, as a failed lookup always did, and is retried; a
 * call to that domain fails with status 0 (before: sip_call_invite()
 * failed at once, which the line treats alike).
 */
static void case_dnsmasq_nxdomain(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 1, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	char offer[SDP_TEXT_MAX];
	const char *rec[] = { NULL };
	int i, r;

	memset(&f, 0, sizeof(f));
	f.name = "dns_nxdomain_fails_as_before";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	acct.domain = "nx.fxs.test";
	acct.register_enabled = true;
	/* (the blocking agent also returned the failure from the start) */
	if (fixture_init(&f, f.name, &acct) < 0 && !f.a)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_FAILED, 1, 3000))
		FAIL(&f, "no failure: %s", reg_last(&f));
	i = reg_event(&f, SIP_REG_FAILED, 0);
	if (f.reg_statuses[i] != 0)
		FAIL(&f, "failed with status %d, want 0", f.reg_statuses[i]);
	if (dnsmasq_seen("query[SRV] _sip._udp.nx.fxs.test from") < 0 ||
	    dnsmasq_seen("query[A] nx.fxs.test from") < 0)
		FAIL(&f, "dnsmasq was not asked SRV and A (%s)", dnsmasq_log);
	sdp_build_offer(&l, offer, sizeof(offer));
	r = sip_call_invite(f.a, "3000", offer, &f.call);
	if (r == 0 && !run_until(&f, call_final, 3000))
		FAIL(&f, "the call to an unresolvable domain did not end");
	if (r == 0 && (!has_state(&f, SIP_CALL_FAILED) ||
		       state_status(&f, SIP_CALL_FAILED) != 0))
		FAIL(&f, "the call ended %d states, FAILED status %d, want FAILED 0",
		     f.n_states, state_status(&f, SIP_CALL_FAILED));
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
}

/*
 * A domain with a port (A/AAAA only, no SRV) not yet resolved when the
 * call is placed: sip_call_invite() returns at once, and the INVITE goes
 * to the address dnsmasq gives once the lookup ends.
 */
static void case_dnsmasq_invite(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 1, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	char offer[SDP_TEXT_MAX], domain[64], buf[4096];
	const char *rec[] = { "--host-record=call.fxs.test,127.0.0.1", NULL };
	ssize_t n;
	int fd, r;

	memset(&f, 0, sizeof(f));
	f.name = "dns_invite_waits_for_lookup";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	fd = raw_socket();
	if (fd < 0) {
		result(&f, "socket");
		return;
	}
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	snprintf(domain, sizeof(domain), "call.fxs.test:%u", sock_port(fd));
	acct.domain = domain;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	sdp_build_offer(&l, offer, sizeof(offer));
	r = sip_call_invite(f.a, "3000", offer, &f.call);
	if (r < 0)
		FAIL(&f, "sip_call_invite: %d", r);
	n = raw_wait(&f, fd, buf, sizeof(buf), 3000);
	if (n <= 0 || strncmp(buf, "INVITE sip:3000@call.fxs.test:", 30) != 0)
		FAIL(&f, "no INVITE after the lookup");
	if (dnsmasq_seen("query[A] call.fxs.test from") < 0 ||
	    dnsmasq_seen("query[SRV] _sip._udp.call") >= 0)
		FAIL(&f, "dnsmasq was not asked A alone (%s)", dnsmasq_log);
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
	close(fd);
}

/*
 * An agent on an IPv6 socket ("::"): a name with AAAA and A records gets
 * the INVITE over IPv6, a name with an A record alone over IPv4, sent to
 * its v4-mapped address (what glibc's AI_V4MAPPED gave before).
 */
static void case_dnsmasq_ipv6(void)
{
	struct fixture f;
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 1, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	struct timeval tv = { 0, 10000 };
	const char *rec[] = {
		"--host-record=dual.fxs.test,127.0.0.1,::1",
		"--host-record=v4only.fxs.test,127.0.0.1", NULL,
	};
	const char *names[] = { "dual", "v4only" };
	char offer[SDP_TEXT_MAX], domain[64], buf[4096];
	int fd4, fd6 = -1, k, got, waited;

	memset(&f, 0, sizeof(f));
	f.name = "dns_ipv6_agent_aaaa_else_v4_mapped";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	fd4 = raw_socket();
	if (fd4 >= 0)
		fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
	sin6.sin6_addr = in6addr_loopback;
	sin6.sin6_port = htons(fd4 >= 0 ? sock_port(fd4) : 0);
	if (fd6 < 0 || bind(fd6, (void *)&sin6, sizeof(sin6)) < 0) {
		skip(&f, "no IPv6 loopback");
		goto out_fds;
	}
	setsockopt(fd6, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (dnsmasq_start(&f, rec) < 0) {
		result(&f, "dnsmasq did not start (%s)", dnsmasq_log);
		goto out_fds;
	}
	sdp_build_offer(&l, offer, sizeof(offer));
	for (k = 0; k < 2; k++) {
		struct sip_account acct = { 0 };

		memset(&f, 0, sizeof(f));
		f.name = "dns_ipv6_agent_aaaa_else_v4_mapped";
		snprintf(domain, sizeof(domain), "%s.fxs.test:%u", names[k],
			 sock_port(fd4));
		acct.domain = domain;
		acct.bind_address = "::";
		if (fixture_init(&f, f.name, &acct) < 0)
			FAIL(&f, "agent setup failed");
		if (sip_call_invite(f.a, "3000", offer, &f.call) < 0)
			FAIL(&f, "sip_call_invite to %s", domain);
		for (got = 0, waited = 0; !got && waited < 3000; waited += 20) {
			if (recv(fd6, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				got = 6;
			else if (recv(fd4, buf, sizeof(buf), MSG_DONTWAIT) > 0)
				got = 4;
			else
				msleep_loop(&f, 20);
		}
		if (got != (k == 0 ? 6 : 4))
			FAIL(&f, "the INVITE to %s came over %s, want IPv%d",
			     domain, got ? (got == 6 ? "IPv6" : "IPv4") : "nothing",
			     k == 0 ? 6 : 4);
		fixture_done(&f);
	}
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
out_fds:
	if (fd6 >= 0)
		close(fd6);
	if (fd4 >= 0)
		close(fd4);
}

/*
 * A host name of /etc/hosts ("localhost", with a port): answered from the
 * file without a DNS query (the DNS server here is silent, and is checked
 * to have received nothing), and the REGISTER goes at once.
 */
static void case_dns_hosts_file(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	const char *extra[] = { "-key", "expires", "120", NULL };
	unsigned port = free_port("127.0.0.1");
	char server[32], domain[64], buf[512];
	int dfd;

	memset(&f, 0, sizeof(f));
	f.name = "dns_hosts_file_name_without_query";
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	dfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dfd < 0 || bind(dfd, (void *)&sin, sizeof(sin)) < 0 ||
	    getsockname(dfd, (void *)&sin, &sl) < 0) {
		result(&f, "dns socket");
		if (dfd >= 0)
			close(dfd);
		return;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(sin.sin_port));
	setenv("FXSD_DNS_SERVER", server, 1);
	setenv("FXSD_DNS_TIMEOUT_MS", "1500", 1);
	if (spawn_registrar(&f, "reg_ok.xml", port, extra) < 0 ||
	    !sipp_listening(&f, port))
		FAIL(&f, "cannot start sipp");
	snprintf(domain, sizeof(domain), "localhost:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 3000))
		FAIL(&f, "not registered to %s: %s", domain, reg_last(&f));
	if (recv(dfd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		FAIL(&f, "a DNS query for a name of /etc/hosts");
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
	close(dfd);
	unsetenv("FXSD_DNS_SERVER");
	unsetenv("FXSD_DNS_TIMEOUT_MS");
}

/*
 * A silent DNS server (a socket on 127.0.0.1 that never reads): starting
 * the agent does not wait for it, the loop goes on meanwhile (a 50 ms
 * ticker, and another agent on the same loop registers with its sipp),
 * and the lookup ends with the failure of a lookup, status 0, once its
 * deadline (FXSD_DNS_TIMEOUT_MS, 1.5 s here) has passed.  Two calls
 * placed meanwhile wait for the same lookup: the one hung up ends at
 * once (CANCELLED, no callback), the other fails with the lookup
 * (FAILED, status 0).  The blocking
 * resolver fxsd used before is pointed there too (_res), so that this
 * case shows the difference.
 */
static struct fixture *silent_other;
static unsigned silent_ticks;

static int silent_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	(void)userdata;
	silent_ticks++;
	sd_event_source_set_time(s, usec + 50000);
	return 0;
}

static bool silent_done(struct fixture *f)
{
	return f->reg == SIP_REG_FAILED &&
	       silent_other->reg == SIP_REG_REGISTERED;
}

static void case_dns_silent(void)
{
	struct fixture f, g;
	struct sip_account acct = { 0 }, acct2 = { 0 };
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 1, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	socklen_t sl = sizeof(sin);
	const char *extra[] = { "-key", "expires", "120", NULL };
	unsigned port = free_port("127.0.0.1");
	sd_event_source *tick = NULL;
	struct sip_call *c1 = NULL;
	char offer[SDP_TEXT_MAX];
	char server[32], domain[64];
	long t_start, fail_ms;
	uint64_t now;
	int dfd, i, j;

	memset(&f, 0, sizeof(f));
	memset(&g, 0, sizeof(g));
	f.name = "dns_silent_server_loop_runs_lookup_times_out";
	g.name = "dns_silent_server_other_agent";
	silent_other = &g;
	silent_ticks = 0;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	dfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (dfd < 0 || bind(dfd, (void *)&sin, sizeof(sin)) < 0 ||
	    getsockname(dfd, (void *)&sin, &sl) < 0) {
		result(&f, "dns socket");
		return;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%u", ntohs(sin.sin_port));
	setenv("FXSD_DNS_SERVER", server, 1);
	setenv("FXSD_DNS_TIMEOUT_MS", "1500", 1);
	if (res_init() == 0) {
		_res.nscount = 1;
		_res.nsaddr_list[0] = sin;
		_res.retrans = 2;
		_res.retry = 1;
	}
	/* the other agent's registrar is up before the clock starts */
	if (spawn_registrar(&g, "reg_ok.xml", port, extra) < 0 ||
	    !sipp_listening(&g, port)) {
		result(&f, "cannot start sipp");
		goto out_env;
	}
	clock_gettime(CLOCK_MONOTONIC, &f.t0);
	g.t0 = f.t0;
	acct.domain = "silent.fxs.test";
	acct.register_enabled = true;
	i = fixture_init(&f, f.name, &acct);
	t_start = ms_since(&f.t0);
	if (t_start > 300)
		FAIL(&f, "starting the agent took %ld ms: it waited for DNS",
		     t_start);
	if (i < 0)
		FAIL(&f, "agent setup failed");
	sdp_build_offer(&l, offer, sizeof(offer));
	if (sip_call_invite(f.a, "3000", offer, &c1) < 0 ||
	    sip_call_invite(f.a, "3001", offer, &f.call) < 0)
		FAIL(&f, "calls placed while the lookup is on its way");
	if (sip_call_hangup(c1) < 0 ||
	    sip_call_get_state(c1) != SIP_CALL_CANCELLED)
		FAIL(&f, "a call hung up while waiting for DNS: %s",
		     sip_call_state_to_string(sip_call_get_state(c1)));

	/* meanwhile, on the same loop: a ticker, and an agent with an IP
	 * literal registrar (no DNS at all) */
	sd_event_now(f.e, CLOCK_MONOTONIC, &now);
	if (sd_event_add_time(f.e, &tick, CLOCK_MONOTONIC, now + 50000, 0,
			      silent_tick, NULL) < 0)
		FAIL(&f, "ticker");
	sd_event_source_set_enabled(tick, SD_EVENT_ON);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", port);
	acct2.domain = domain;
	acct2.register_enabled = true;
	acct2.bind_address = "127.0.0.1";
	acct2.user = "bob";
	acct2.password = "s3cret";
	g.e = sd_event_ref(f.e);
	if (sip_agent_new(g.e, &acct2, &callbacks, &g, &g.a) < 0 ||
	    sip_agent_start(g.a) < 0)
		FAIL(&f, "second agent setup failed");

	if (!run_until(&f, silent_done, 6000))
		FAIL(&f, "after %ld ms: silent lookup %s, other agent %s",
		     ms_since(&f.t0), reg_last(&f),
		     sip_reg_state_to_string(g.reg));
	i = reg_event(&f, SIP_REG_FAILED, 0);
	j = reg_event(&g, SIP_REG_REGISTERED, 0);
	fail_ms = f.reg_ms[i];
	if (f.reg_statuses[i] != 0)
		FAIL(&f, "failed with status %d, want 0", f.reg_statuses[i]);
	if (fail_ms < 1400 || fail_ms > 4000)
		FAIL(&f, "the lookup failed after %ld ms, want its deadline, 1500",
		     fail_ms);
	if (g.reg_ms[j] >= fail_ms)
		FAIL(&f, "the other agent registered at %ld ms, after the failure at %ld",
		     g.reg_ms[j], fail_ms);
	if (silent_ticks < (unsigned)fail_ms / 50 / 2)
		FAIL(&f, "%u ticks of 50 ms in %ld ms", silent_ticks, fail_ms);
	if (f.n_states != 1 || f.states[0] != SIP_CALL_FAILED ||
	    f.status[0] != 0)
		FAIL(&f, "call callbacks: %d, the first %s (%d), want FAILED (0)",
		     f.n_states, f.n_states ?
		     sip_call_state_to_string(f.states[0]) : "-",
		     f.n_states ? f.status[0] : -1);
	SIPP_OK(&g);
	PASS(&f);
out:
	sip_call_unref(c1);
	sd_event_source_disable_unref(tick);
	fixture_done(&f);
out_env:
	fixture_done(&g);
	close(dfd);
	unsetenv("FXSD_DNS_SERVER");
	unsetenv("FXSD_DNS_TIMEOUT_MS");
	res_init();		/* back to resolv.conf */
}

/* ---- strangers: limits, rate limits, the journal ---- */

/* An out-of-dialog request from @fd over @tp ("UDP"/"TCP"), from the
 * user @from. */
static int request_from(char *buf, size_t len, int fd, const char *tp,
			const char *from, const char *method, const char *user,
			const char *id)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char ip[32];

	getsockname(fd, (void *)&sin, &sl);
	inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
	return snprintf(buf, len,
			"%s sip:%s@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/%s %s:%u;branch=z9hG4bK%s;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:%s@%s>;tag=%s\r\n"
			"To: <sip:%s@127.0.0.1>\r\n"
			"Call-ID: %s@%s\r\nCSeq: 1 %s\r\n"
			"Contact: <sip:%s@%s:%u>\r\n"
			"Content-Length: 0\r\n\r\n",
			method, user, tp, ip, ntohs(sin.sin_port), id, from, ip,
			id, user, id, ip, method, from, ip, ntohs(sin.sin_port));
}

/* An out-of-dialog request from @fd over @tp ("UDP"/"TCP"). */
static int request_tp(char *buf, size_t len, int fd, const char *tp,
		      const char *method, const char *user, const char *id)
{
	return request_from(buf, len, fd, tp, "peer", method, user, id);
}

/* An out-of-dialog @method ("INVITE", "OPTIONS") from @fd, to @user. */
static int stranger_request(char *buf, size_t len, int fd, const char *method,
			    const char *user, const char *id)
{
	return request_from(buf, len, fd, "UDP", "stranger", method, user, id);
}

/* Datagrams waiting on @fd (read and dropped); the codes of responses. */
static int drain_count(int fd, int *codes, int max)
{
	char buf[4096];
	ssize_t n;
	int k = 0, code;

	while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "SIP/2.0 %d", &code) == 1 && k < max && codes)
			codes[k] = code;
		k++;
	}
	return k;
}

/*
 * The provider (a raw registrar on 127.0.0.1) registered us for 2 s;
 * four stranger addresses (127.0.0.2-5) send 40 INVITEs and 40 OPTIONS
 * each, never ACKing.  Then the provider's INVITE must reach on_invite
 * (not 503), the re-REGISTER must go out, and each stranger must have got
 * no more responses than its budget (10 at once, 5 a second).  With
 * @allow_unknown the strangers' INVITEs are calls (each refused by the
 * fixture, holding a transaction): the per-source limits keep room.
 */
static void case_stranger_flood(const char *name, bool allow_unknown)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], buf[4096], resp[2048], contact[300], id[64];
	int reg = -1, str[4] = { -1, -1, -1, -1 };
	int i, j, n, k, code = 0, n_register = 0, got[4] = { 0 };
	struct timespec t0;
	long el;

	memset(&f, 0, sizeof(f));
	f.name = name;
	reg = raw_socket();
	for (i = 0; i < 4; i++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "127.0.0.%d", i + 2);
		str[i] = raw_socket_ip(ip);
		if (str[i] < 0) {
			result(&f, "cannot bind %s", ip);
			goto out;
		}
	}
	if (reg < 0)
		FAIL(&f, "socket");
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(reg));
	acct.domain = domain;
	acct.register_enabled = true;
	acct.allow_unknown_callers = allow_unknown;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	n = raw_wait(&f, reg, buf, sizeof(buf), 2000);
	if (n <= 0 || strncmp(buf, "REGISTER ", 9) != 0 ||
	    !header_line(buf, "Contact:", contact, sizeof(contact)))
		FAIL(&f, "no REGISTER");
	strcat(contact, ";expires=2\r\n");
	n = reply_200(buf, contact, resp, sizeof(resp));
	sendto(reg, resp, n, 0, (void *)&(struct sockaddr_in){
		.sin_family = AF_INET, .sin_port = htons(sip_agent_local_port(f.a)),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK) }, sizeof(struct sockaddr_in));
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (j = 0; j < 40; j++) {
		for (i = 0; i < 4; i++) {
			snprintf(id, sizeof(id), "fl%d-%d-%d", allow_unknown, i, j);
			n = stranger_request(buf, sizeof(buf), str[i], "INVITE",
					     "alice", id);
			raw_send(&f, str[i], buf, n);
			strcat(id, "o");
			n = stranger_request(buf, sizeof(buf), str[i], "OPTIONS",
					     "alice", id);
			raw_send(&f, str[i], buf, n);
		}
		msleep_loop(&f, 5);
		for (i = 0; i < 4; i++)
			got[i] += drain_count(str[i], NULL, 0);
	}
	msleep_loop(&f, 100);
	for (i = 0; i < 4; i++)
		got[i] += drain_count(str[i], NULL, 0);
	el = ms_since(&t0);
	for (i = 0; i < 4; i++) {
		/* a 100 and a final response per INVITE allowed a call */
		int bound = 10 + (int)(5 * el / 1000) + 2;

		/* and 8 transactions (100, 486 and its retransmissions) */
		if (allow_unknown)
			bound += 8 * (2 + (int)(el / 500));
		if (got[i] > bound)
			FAIL(&f, "stranger %d got %d responses in %ld ms, "
			     "want at most %d", i + 2, got[i], el, bound);
	}

	/* the provider calls: it must ring, not get 503 */
	f.n_invite = 0;
	n = stranger_request(buf, sizeof(buf), reg, "INVITE", "alice", "prov1");
	raw_send(&f, reg, buf, n);
	for (k = 0; k < 150 && (!code || code == 100 || !n_register); k++) {
		int c;

		msleep_loop(&f, 20);
		while ((n = recv(reg, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "SIP/2.0 %d", &c) == 1) {
				if (!code || code == 100)
					code = c;
			} else if (strncmp(buf, "REGISTER ", 9) == 0) {
				n_register++;
				n = reply_200(buf, contact, resp, sizeof(resp));
				raw_send(&f, reg, resp, n);
			}
		}
	}
	if (code == 503 || code == 0 || f.n_invite != 1)
		FAIL(&f, "the provider's INVITE got %d (on_invite %d times)",
		     code, f.n_invite);
	if (!allow_unknown && code != 180)
		FAIL(&f, "the provider's INVITE got %d, want 180", code);
	if (n_register == 0)
		FAIL(&f, "no re-REGISTER within 3 s of the flood");
	PASS(&f);
out:
	if (reg >= 0)
		close(reg);
	for (i = 0; i < 4; i++)
		if (str[i] >= 0)
			close(str[i]);
	fixture_done(&f);
}

/* ---- ghost calls: the registered Contact's token ---- */

/* The user part of a "Contact: <sip:USER@..." line of @msg into @out. */
static bool contact_user_of(const char *msg, char *out, size_t len)
{
	char c[300];
	const char *p, *e;

	if (!header_line(msg, "Contact:", c, sizeof(c)) ||
	    !(p = strstr(c, "sip:")) || !(e = strchr(p + 4, '@')) ||
	    (size_t)(e - p - 4) >= len)
		return false;
	memcpy(out, p + 4, e - p - 4);
	out[e - p - 4] = '\0';
	return true;
}

/* "fx" and 16 hex digits */
static bool token_shaped(const char *t)
{
	size_t i;

	if (strlen(t) != 18 || strncmp(t, "fx", 2) != 0)
		return false;
	for (i = 2; i < 18; i++)
		if (!isxdigit((unsigned char)t[i]))
			return false;
	return true;
}

/* The next REGISTER on @fd within @ms, its Contact user in @user. */
static bool next_register(struct fixture *f, int fd, char *buf, size_t len,
			  char *user, size_t ulen, unsigned ms)
{
	ssize_t n;

	while ((n = raw_wait(f, fd, buf, len, ms)) > 0)
		if (strncmp(buf, "REGISTER ", 9) == 0)
			return contact_user_of(buf, user, ulen);
	return false;
}

/* Answer the REGISTER in @req with @code, granting @expires s. */
static void answer_register(struct fixture *f, int fd, const char *req,
			    int code, unsigned expires)
{
	char contact[400], resp[2048];
	int n;

	if (!header_line(req, "Contact:", contact, sizeof(contact)))
		return;
	snprintf(contact + strlen(contact), sizeof(contact) - strlen(contact),
		 ";expires=%u\r\n", expires);
	n = reply_200(req, code == 200 ? contact : NULL, resp, sizeof(resp));
	if (n <= 0)
		return;
	if (code != 200)	/* "SIP/2.0 200 OK": the code only */
		snprintf(resp + 8, 4, "%03d", code), resp[11] = ' ';
	raw_send(f, fd, resp, n);
}

/* An INVITE from the provider's @fd to @user: the first answer past 100
 * to it (0 for none within 2 s). */
static int provider_invite(struct fixture *f, int fd, const char *user,
			   const char *id)
{
	char buf[4096], cid[64];
	int n, code = 0, c, k;

	snprintf(cid, sizeof(cid), "Call-ID: %s@", id);
	drain_count(fd, NULL, 0);
	n = request_from(buf, sizeof(buf), fd, "UDP", "provider", "INVITE",
			 user, id);
	raw_send(f, fd, buf, n);
	for (k = 0; k < 100 && (!code || code == 100); k++) {
		msleep_loop(f, 20);
		while ((n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT)) > 0) {
			buf[n] = '\0';
			if (sscanf(buf, "SIP/2.0 %d", &c) == 1 &&
			    strstr(buf, cid) && (!code || code == 100))
				code = c;
		}
	}
	return code;
}

/*
 * contact_token: the REGISTER's Contact user is "fx" + 16 hex digits, the
 * same at the refresh, a new one at the registration after a 503.  From
 * the provider's own address, INVITEs to other users (20 of them, with
 * room for 6 server transactions: a 404 that kept one would leave the
 * next INVITE a 503) and to the old token get 404 and never reach
 * on_invite; the new token and the account's user (a provider that
 * rewrites the Request-URI to the AOR) ring.
 */
static void case_contact_token(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], buf[4096], tok1[64], tok2[64], tok3[64], id[32];
	int reg = -1, i, code;

	memset(&f, 0, sizeof(f));
	f.name = "contact_token_ghost_calls_404";
	reg = raw_socket();
	if (reg < 0)
		FAIL(&f, "socket");
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(reg));
	acct.domain = domain;
	acct.register_enabled = true;
	acct.contact_token = true;
	acct.max_transactions = 8;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!next_register(&f, reg, buf, sizeof(buf), tok1, sizeof(tok1), 2000))
		FAIL(&f, "no REGISTER with a Contact");
	if (!token_shaped(tok1))
		FAIL(&f, "Contact user '%s', want fx + 16 hex digits", tok1);
	answer_register(&f, reg, buf, 200, 2);
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	/* the refresh (at 1 s) keeps the token; it fails */
	if (!next_register(&f, reg, buf, sizeof(buf), tok2, sizeof(tok2), 3000))
		FAIL(&f, "no refresh");
	if (strcmp(tok1, tok2) != 0)
		FAIL(&f, "the refresh's Contact user '%s', want '%s'", tok2, tok1);
	answer_register(&f, reg, buf, 503, 0);
	if (!wait_reg(&f, SIP_REG_FAILED, 1, 2000))
		FAIL(&f, "503 did not fail the registration: %s", reg_last(&f));
	/* the fresh registration after the failure: a new token */
	if (!next_register(&f, reg, buf, sizeof(buf), tok3, sizeof(tok3), 3000))
		FAIL(&f, "no REGISTER after the failure");
	if (!token_shaped(tok3) || strcmp(tok3, tok1) == 0)
		FAIL(&f, "Contact user after the failure '%s' (was '%s'), "
		     "want a new token", tok3, tok1);
	answer_register(&f, reg, buf, 200, 600);
	if (!wait_reg(&f, SIP_REG_REGISTERED, 2, 2000))
		FAIL(&f, "not registered again: %s", reg_last(&f));

	for (i = 0; i < 20; i++) {
		char user[16];

		snprintf(user, sizeof(user), "%d", 100 + i * 37);
		snprintf(id, sizeof(id), "ghost%d", i);
		code = provider_invite(&f, reg, user, id);
		if (code != 404)
			FAIL(&f, "INVITE to %s got %d, want 404", user, code);
	}
	code = provider_invite(&f, reg, tok1, "oldtoken");
	if (code != 404)
		FAIL(&f, "INVITE to the old token got %d, want 404", code);
	if (f.n_invite != 0)
		FAIL(&f, "on_invite called %d times for ghost calls", f.n_invite);
	code = provider_invite(&f, reg, tok3, "token");
	if (code != 180 || f.n_invite != 1)
		FAIL(&f, "INVITE to the token got %d (on_invite %d times), "
		     "want 180", code, f.n_invite);
	sip_call_reject(f.call, 486);
	f.call = sip_call_unref(f.call);
	code = provider_invite(&f, reg, "alice", "aor");
	if (code != 180 || f.n_invite != 2)
		FAIL(&f, "INVITE to the account's user got %d (on_invite %d "
		     "times), want 180", code, f.n_invite);
	PASS(&f);
out:
	if (reg >= 0)
		close(reg);
	fixture_done(&f);
}

/*
 * 300 malformed datagrams from a stranger: nothing on stdout/stderr
 * (libosip2 prints its parse errors there unless told otherwise), and
 * the agent's own log lines about them bounded (20 at once).
 */
static void case_malformed_journal(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char buf[4096], path[300];
	int fd = -1, out = -1, save1 = -1, save2 = -1, i, n, logged;
	struct stat st;

	memset(&f, 0, sizeof(f));
	f.name = "malformed_flood_journal_bounded";
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	fd = raw_socket_ip("127.0.0.2");
	if (fd < 0)
		FAIL(&f, "socket");
	snprintf(path, sizeof(path), "%s/%s.stdout", log_dir, f.name);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fflush(stdout);
	fflush(stderr);
	save1 = dup(1);
	save2 = dup(2);
	if (out < 0 || save1 < 0 || save2 < 0)
		FAIL(&f, "cannot redirect stdout");
	dup2(out, 1);
	dup2(out, 2);
	logged = f.n_log;
	for (i = 0; i < 300; i++) {
		if (i % 3 == 0)		/* headers that never end */
			n = snprintf(buf, sizeof(buf),
				     "INVITE sip:alice@127.0.0.1 SIP/2.0\r\n"
				     "Via: SIP/2.0/UDP 127.0.0.2:5;branch=z9hG4bK%d\r\n"
				     "From: <<<\r\nTo: x\r\nCSeq: abc\r\n", i);
		else if (i % 3 == 1)	/* no Call-ID: 400 */
			n = snprintf(buf, sizeof(buf),
				     "OPTIONS sip:alice@127.0.0.1 SIP/2.0\r\n"
				     "Via: SIP/2.0/UDP 127.0.0.2:5;branch=z9hG4bKj%d\r\n"
				     "From: <sip:x@127.0.0.2>;tag=1\r\n"
				     "To: <sip:alice@127.0.0.1>\r\n"
				     "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
				     "Content-Length: 0\r\n\r\n", i);
		else			/* garbage */
			n = snprintf(buf, sizeof(buf),
				     "SIP/2.0 xyz\r\n\x01\x02\x03 %d\r\n\r\n", i);
		raw_send(&f, fd, buf, n);
		if (i % 20 == 19)
			msleep_loop(&f, 5);
	}
	msleep_loop(&f, 200);
	fflush(stdout);
	fflush(stderr);
	dup2(save1, 1);
	dup2(save2, 2);
	logged = f.n_log - logged;
	if (fstat(out, &st) < 0)
		FAIL(&f, "fstat");
	if (st.st_size != 0)
		FAIL(&f, "%lld bytes on stdout/stderr (see %s)",
		     (long long)st.st_size, path);
	if (logged > 25)
		FAIL(&f, "%d log lines for 300 malformed datagrams, want <= 25",
		     logged);
	PASS(&f);
out:
	if (save1 >= 0) {
		dup2(save1, 1);
		close(save1);
	}
	if (save2 >= 0) {
		dup2(save2, 2);
		close(save2);
	}
	if (out >= 0)
		close(out);
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/* ---- strangers over TCP, stateless answers to retransmissions ---- */

/* A TCP connection from @ip (port 0) to the agent's port; -1 if refused. */
static int tcp_connect_from(struct fixture *f, const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (fd < 0 || bind(fd, (void *)&sin, sizeof(sin)) < 0)
		goto fail;
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons(sip_agent_local_port(f->a));
	if (connect(fd, (void *)&sin, sizeof(sin)) < 0)
		goto fail;
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Has the agent closed @fd (EOF or reset)?  Unread data is dropped. */
static bool peer_closed(int fd)
{
	char buf[4096];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Run the agent until every fd of @fds[0..@n) is closed by it (or @ms). */
static bool wait_closed(struct fixture *f, const int *fds, int n, unsigned ms)
{
	unsigned waited;
	int i, open;

	for (waited = 0;; waited += 20) {
		for (i = 0, open = 0; i < n; i++)
			open += !peer_closed(fds[i]);
		if (!open)
			return true;
		if (waited >= ms)
			return false;
		msleep_loop(f, 20);
	}
}


/*
 * The responses in @buf (datagrams or a stream, concatenated): how many,
 * whether all have status @code, and whether all carry the same To tag.
 */
static int responses_check(const char *buf, int code, bool *same_code,
			   bool *same_tag)
{
	char first[64] = "", tag[64];
	const char *p = buf;
	int n = 0, c;

	*same_code = *same_tag = true;
	while ((p = strstr(p, "SIP/2.0 "))) {
		const char *to, *t;
		size_t k;

		if (sscanf(p, "SIP/2.0 %d", &c) != 1 || c != code)
			*same_code = false;
		p += 8;
		to = strstr(p, "\r\nTo:");
		t = to ? strstr(to, ";tag=") : NULL;
		if (!t || t > strstr(to + 2, "\r\n")) {
			*same_tag = false;
			n++;
			continue;
		}
		t += 5;
		k = strcspn(t, ";\r\n");
		snprintf(tag, sizeof(tag), "%.*s", (int)(k < 63 ? k : 63), t);
		if (!n)
			snprintf(first, sizeof(first), "%s", tag);
		else if (strcmp(first, tag) != 0)
			*same_tag = false;
		n++;
	}
	return n;
}

/*
 * RFC 3261 8.2.7: a request answered statelessly, retransmitted (same
 * branch), gets the same response again, with the same To tag, once per
 * copy and never more (no transaction: nothing is retransmitted by
 * itself), within the source's budget: 403 to a stranger's INVITE, 200
 * to its OPTIONS, 404 to the provider's INVITE for a user not ours; over
 * UDP and over one TCP connection.
 */
static void case_stateless_retransmit(bool tcp)
{
	static const struct {
		const char *from, *method, *user;
		int code;
	} sub[] = {
		{ "127.0.0.2", "INVITE", "alice", 403 },
		{ "127.0.0.2", "OPTIONS", "alice", 200 },
		{ "127.0.0.1", "INVITE", "9999", 404 },
	};
	struct fixture f;
	struct sip_account acct = { 0 };
	struct stream *st = calloc(1, sizeof(*st));
	char msg[2048], id[64];
	unsigned i, j;
	int fd = -1, n;

	memset(&f, 0, sizeof(f));
	f.name = tcp ? "stateless_retransmission_same_answer_tcp" :
		       "stateless_retransmission_same_answer_udp";
	if (!st) {
		result(&f, "out of memory");
		return;
	}
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.transport = SIP_TRANSPORT_TCP;	/* listens on both */
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		bool same_code, same_tag;

		fd = tcp ? tcp_connect_from(&f, sub[i].from) :
			   raw_socket_ip(sub[i].from);
		if (fd < 0)
			FAIL(&f, "cannot open a socket on %s", sub[i].from);
		memset(st, 0, sizeof(*st));
		snprintf(id, sizeof(id), "rt%d%u", tcp, i);
		n = request_tp(msg, sizeof(msg), fd, tcp ? "TCP" : "UDP",
			       sub[i].method, sub[i].user, id);
		for (j = 0; j < 5; j++) {
			if (tcp)
				write_all(fd, msg, n);
			else
				raw_send(&f, fd, msg, n);
			msleep_loop(&f, 100);
		}
		/* a transaction would have retransmitted by now (UDP: T1) */
		msleep_loop(&f, 700);
		if (tcp) {
			stream_read(&f, fd, st, 0, NULL, 0);
		} else {
			ssize_t k;

			while ((k = recv(fd, st->buf + st->len,
					 sizeof(st->buf) - 1 - st->len,
					 MSG_DONTWAIT)) > 0)
				st->len += k;
			st->buf[st->len] = '\0';
		}
		n = responses_check(st->buf, sub[i].code, &same_code, &same_tag);
		if (n != 5 || !same_code)
			FAIL(&f, "%s from %s: %d responses for 5 copies, want 5 "
			     "x %d", sub[i].method, sub[i].from, n, sub[i].code);
		if (!same_tag)
			FAIL(&f, "%s from %s: the To tag differs between the "
			     "copies' responses", sub[i].method, sub[i].from);
		close(fd);
		fd = -1;
	}
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	free(st);
	fixture_done(&f);
}

/*
 * TCP connections per source (default deadlines lengthened so that none
 * expires during the case): a stranger address gets 4 connections (the
 * 5th is closed), strangers together 12; the provider (127.0.0.1) is
 * never refused: it gets the 4 kept free, and 2 more by closing the
 * strangers' connections idle the longest; its INVITE on the last one
 * rings.  All failures are reported together.
 */
static void case_tcp_per_source(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct stream *st = calloc(1, sizeof(*st));
	int str[17], prov[6], i, n, n_closed;
	char msg[2048], err[1024] = "";
	size_t el = 0;

	memset(&f, 0, sizeof(f));
	f.name = "tcp_stranger_connections_capped_provider_served";
	for (i = 0; i < 17; i++)
		str[i] = -1;
	for (i = 0; i < 6; i++)
		prov[i] = -1;
	if (!st) {
		result(&f, "out of memory");
		return;
	}
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";	/* the provider: 127.0.0.1 */
	acct.user = "2001";
	acct.transport = SIP_TRANSPORT_TCP;
	acct.tcp_message_timeout_ms = 60000;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");

#define ERR(...) (el += snprintf(err + el, el < sizeof(err) ? \
				 sizeof(err) - el : 0, __VA_ARGS__))
	/* 5 from one stranger: the 5th is closed, the others stay */
	for (i = 0; i < 5; i++) {
		str[i] = tcp_connect_from(&f, "127.0.0.2");
		msleep_loop(&f, 20);
	}
	if (!wait_closed(&f, &str[4], 1, 1500))
		ERR("the 5th connection of 127.0.0.2 was not closed; ");
	for (i = 0; i < 4; i++)
		if (str[i] < 0 || peer_closed(str[i]))
			ERR("connection %d of 127.0.0.2 closed; ", i + 1);
	close(str[4]);
	str[4] = -1;

	/* 4 each from 127.0.0.3 and .4 (12 strangers' connections), then
	 * 127.0.0.5's are refused */
	for (i = 4; i < 12; i++) {
		str[i] = tcp_connect_from(&f, i < 8 ? "127.0.0.3" : "127.0.0.4");
		msleep_loop(&f, 20);
	}
	str[12] = tcp_connect_from(&f, "127.0.0.5");
	if (!wait_closed(&f, &str[12], 1, 1500))
		ERR("a 13th stranger connection was not closed; ");
	close(str[12]);
	str[12] = -1;

	/* the provider: 6 connections, none refused */
	for (i = 0; i < 6; i++) {
		prov[i] = tcp_connect_from(&f, "127.0.0.1");
		msleep_loop(&f, 20);
	}
	msleep_loop(&f, 300);
	for (i = 0; i < 6; i++)
		if (prov[i] < 0 || peer_closed(prov[i]))
			ERR("the provider's connection %d was closed; ", i + 1);
	for (i = 0, n_closed = 0; i < 12; i++)
		n_closed += str[i] >= 0 && peer_closed(str[i]);
	if (n_closed != 2)
		ERR("%d strangers' connections closed for the provider, want 2; ",
		    n_closed);
	if (prov[5] >= 0) {
		n = request_tp(msg, sizeof(msg), prov[5], "TCP", "INVITE", "2001",
			       "provinv");
		write_all(prov[5], msg, n);
		stream_read(&f, prov[5], st, 3000, "SIP/2.0 180", 1);
		if (!strstr(st->buf, "SIP/2.0 180") || f.n_invite != 1)
			ERR("the provider's INVITE did not ring (on_invite %d "
			    "times); ", f.n_invite);
	}
#undef ERR
	if (el)
		FAIL(&f, "%s", err);
	PASS(&f);
out:
	for (i = 0; i < 17; i++)
		if (str[i] >= 0)
			close(str[i]);
	for (i = 0; i < 6; i++)
		if (prov[i] >= 0)
			close(prov[i]);
	free(st);
	fixture_done(&f);
}

/*
 * Deadlines (shortened to 1 s): a stranger's connection that sends
 * nothing, and one sending a message a few bytes at a time (slowloris),
 * are closed about 1 s after they opened; so is the provider's with a
 * message begun and not finished.  A stranger's connection that carried a
 * valid OPTIONS, and the provider's that sent nothing, stay open (the
 * idle timeout, 5 minutes).
 */
static void case_tcp_deadlines(void)
{
	enum { SILENT, SLOW, PROV_PART, VALID, PROV_IDLE, N };
	static const char *const from[N] = {
		"127.0.0.2", "127.0.0.3", "127.0.0.1", "127.0.0.4", "127.0.0.1",
	};
	struct fixture f;
	struct sip_account acct = { 0 };
	struct stream *st = calloc(1, sizeof(*st));
	char msg[2048];
	long closed_ms[N];
	struct timespec t0;
	int fd[N], i, n, off = 0, len;

	memset(&f, 0, sizeof(f));
	f.name = "tcp_slowloris_silent_closed_valid_kept";
	for (i = 0; i < N; i++) {
		fd[i] = -1;
		closed_ms[i] = -1;
	}
	if (!st) {
		result(&f, "out of memory");
		return;
	}
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.transport = SIP_TRANSPORT_TCP;
	acct.tcp_message_timeout_ms = 1000;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < N; i++) {
		fd[i] = tcp_connect_from(&f, from[i]);
		if (fd[i] < 0)
			FAIL(&f, "cannot connect from %s", from[i]);
	}
	n = request_tp(msg, sizeof(msg), fd[VALID], "TCP", "OPTIONS", "alice",
		       "valid");
	write_all(fd[VALID], msg, n);
	stream_read(&f, fd[VALID], st, 1000, "SIP/2.0 200", 1);
	if (!strstr(st->buf, "SIP/2.0 200"))
		FAIL(&f, "the valid OPTIONS was not answered");
	n = request_tp(msg, sizeof(msg), fd[PROV_PART], "TCP", "OPTIONS",
		       "alice", "part");
	write_all(fd[PROV_PART], msg, n / 2);
	len = request_tp(msg, sizeof(msg), fd[SLOW], "TCP", "OPTIONS", "alice",
			 "slow");
	/* 3 bytes every 100 ms for 3.5 s (3 deadlines) */
	while (ms_since(&t0) < 3500) {
		if (closed_ms[SLOW] < 0 && off + 3 < len) {
			if (send(fd[SLOW], msg + off, 3, MSG_NOSIGNAL) == 3)
				off += 3;
		}
		msleep_loop(&f, 100);
		for (i = 0; i < N; i++)
			if (closed_ms[i] < 0 && peer_closed(fd[i]))
				closed_ms[i] = ms_since(&t0);
	}
	if (closed_ms[SILENT] < 0 || closed_ms[SILENT] < 900 ||
	    closed_ms[SILENT] > 2500)
		FAIL(&f, "silent connection closed at %ld ms, want ~1000",
		     closed_ms[SILENT]);
	if (closed_ms[SLOW] < 0 || closed_ms[SLOW] < 900 ||
	    closed_ms[SLOW] > 2500)
		FAIL(&f, "slowloris connection closed at %ld ms (%d of %d bytes "
		     "sent), want ~1000", closed_ms[SLOW], off, len);
	if (closed_ms[PROV_PART] < 0 || closed_ms[PROV_PART] > 2500)
		FAIL(&f, "the provider's unfinished message: closed at %ld ms, "
		     "want ~1000", closed_ms[PROV_PART]);
	if (closed_ms[VALID] >= 0)
		FAIL(&f, "the connection that carried valid SIP closed at %ld ms",
		     closed_ms[VALID]);
	if (closed_ms[PROV_IDLE] >= 0)
		FAIL(&f, "the provider's idle connection closed at %ld ms",
		     closed_ms[PROV_IDLE]);
	PASS(&f);
out:
	for (i = 0; i < N; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	free(st);
	fixture_done(&f);
}

/* ---- RFC 4475 ---- */

/* A UDP socket on 127.0.0.1:@port, or -1. */
static int udp_on_port(unsigned port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons(port);
	if (fd < 0 || bind(fd, (void *)&sin, sizeof(sin)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The first status code other than 100 in @buf (at line starts), or 0. */
static int first_final(const char *buf)
{
	const char *p = buf;
	int code;

	while (p && *p) {
		if (sscanf(p, "SIP/2.0 %d", &code) == 1 && code != 100)
			return code;
		p = strstr(p, "\r\n");
		if (p)
			p += 2;
	}
	return 0;
}

/*
 * Send @msg to the agent over UDP (from @fds[0]) or TCP; return the first
 * response other than 100 seen on @fds (UDP) or on the connection within
 * @ms, 0 for none.
 */
static int rfc_exchange(struct fixture *f, bool tcp, const int *fds, int nfd,
			const char *msg, size_t len, unsigned ms)
{
	struct stream *st = calloc(1, sizeof(*st));
	unsigned waited;
	int code = 0, i, fd = -1;

	if (!st)
		return -1;
	if (tcp) {
		fd = tcp_connect_agent(f);
		if (fd < 0 || !write_all(fd, msg, len)) {
			code = -1;
			goto out;
		}
	} else {
		raw_send(f, fds[0], msg, len);
	}
	for (waited = 0; waited < ms && !code; waited += 20) {
		msleep_loop(f, 20);
		if (tcp) {
			ssize_t n;

			while ((n = recv(fd, st->buf + st->len,
					 sizeof(st->buf) - 1 - st->len,
					 MSG_DONTWAIT)) > 0) {
				st->len += n;
				st->buf[st->len] = '\0';
			}
			code = first_final(st->buf);
			if (n == 0)
				break;		/* closed by the agent */
			continue;
		}
		for (i = 0; i < nfd && !code; i++) {
			char buf[8192];
			ssize_t n;

			while (!code && (n = recv(fds[i], buf, sizeof(buf) - 1,
						  MSG_DONTWAIT)) > 0) {
				buf[n] = '\0';
				code = first_final(buf);
			}
		}
	}
out:
	if (fd >= 0)
		close(fd);
	free(st);
	return code;
}

static bool code_expected(const char *want, int code)
{
	char w[64], *tok, *save = NULL;

	snprintf(w, sizeof(w), "%s", want);
	for (tok = strtok_r(w, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
		if (strcmp(tok, "dropped") == 0 ? code == 0 : atoi(tok) == code)
			return true;
	return false;
}

/*
 * Every message of RFC 4475 (tests/sip/rfc4475/), over UDP and TCP, to a
 * fresh agent each: the response must be the one "expected" lists.
 */
static void case_rfc4475(void)
{
	char dir[300], path[400], line[512];
	struct fixture f0 = { .name = "rfc4475" };
	int fds[2] = { -1, -1 }, nfd = 0;
	FILE *ex;

	snprintf(dir, sizeof(dir), "%s/../sip/rfc4475", scen_dir);
	snprintf(path, sizeof(path), "%s/expected", dir);
	ex = fopen(path, "r");
	if (!ex) {
		result(&f0, "cannot open %s", path);
		return;
	}
	/* the ports the Via headers name (5060 by default; quotbal 5050) */
	fds[0] = udp_on_port(5060);
	fds[1] = udp_on_port(5050);
	nfd = fds[1] >= 0 ? 2 : 1;
	if (fds[0] < 0) {
		/* not in a namespace of our own and 5060 is taken */
		n_case++;
		n_pass++;
		printf("ok %d - rfc4475 # SKIP 127.0.0.1:5060 is in use\n", n_case);
		fclose(ex);
		return;
	}
	while (fgets(line, sizeof(line), ex)) {
		char file[64], sect[16], user[64], domain[128], want[2][32];
		char name[128], *msg;
		size_t len;
		long sz;
		FILE *mf;
		int t;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%63s %15s %63s %127s %31s %31s", file, sect,
			   user, domain, want[0], want[1]) != 6) {
			result(&f0, "bad line in expected: %s", line);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, file);
		mf = fopen(path, "rb");
		if (!mf || fseek(mf, 0, SEEK_END) < 0 || (sz = ftell(mf)) <= 0 ||
		    !(msg = malloc(sz + 1))) {
			if (mf)
				fclose(mf);
			result(&f0, "cannot read %s", path);
			continue;
		}
		rewind(mf);
		len = fread(msg, 1, sz, mf);
		fclose(mf);
		for (t = 0; t < 2; t++) {
			struct fixture f;
			struct sip_account acct = { 0 };
			int code;

			memset(&f, 0, sizeof(f));
			snprintf(name, sizeof(name), "rfc4475 %s %s %s", sect,
				 file, t ? "tcp" : "udp");
			f.name = name;
			acct.user = user;
			acct.domain = domain;
			acct.registrar = "127.0.0.1:9";
			acct.transport = t ? SIP_TRANSPORT_TCP : SIP_TRANSPORT_UDP;
			if (fixture_init(&f, name, &acct) < 0) {
				result(&f, "agent setup failed");
				fixture_done(&f);
				continue;
			}
			code = rfc_exchange(&f, t, fds, nfd, msg, len, 250);
			if (!code_expected(want[t], code))
				result(&f, "got %s%d, want %s",
				       code ? "" : "nothing ", code, want[t]);
			else if (sip_agent_local_port(f.a) == 0)
				result(&f, "agent gone");
			else
				result(&f, NULL);
			fixture_done(&f);
			drain_count(fds[0], NULL, 0);
			if (nfd > 1)
				drain_count(fds[1], NULL, 0);
		}
		free(msg);
	}
	fclose(ex);
	close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

/*
 * Behind NAT: the registrar's 200 says (Via received=) it saw our REGISTER
 * come from 192.0.2.44; an INVITE to sip:alice@192.0.2.44 is ours (180),
 * one to sip:alice@192.0.2.45 is not (404).
 */
static void case_public_address(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], buf[4096], resp[2048], contact[300], via[512];
	char *p;
	int reg = -1, n, k, code;
	const char *hosts[] = { "192.0.2.44", "192.0.2.45" };
	const int want[] = { 180, 404 };

	memset(&f, 0, sizeof(f));
	f.name = "invite_to_public_address_is_ours";
	reg = raw_socket();
	if (reg < 0) {
		result(&f, "socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(reg));
	acct.domain = domain;
	acct.register_enabled = true;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	n = raw_wait(&f, reg, buf, sizeof(buf), 2000);
	if (n <= 0 || strncmp(buf, "REGISTER ", 9) != 0 ||
	    !header_line(buf, "Contact:", contact, sizeof(contact)) ||
	    !header_line(buf, "Via:", via, sizeof(via)))
		FAIL(&f, "no REGISTER");
	strcat(contact, ";expires=600\r\n");
	n = reply_200(buf, contact, resp, sizeof(resp));
	/* the Via line gets received=192.0.2.44 */
	p = strstr(resp, via);
	if (n < 0 || !p)
		FAIL(&f, "cannot build the 200");
	memmove(p + strlen(via) + 22, p + strlen(via), strlen(p + strlen(via)) + 1);
	memcpy(p + strlen(via), ";received=192.0.2.44  ", 22);
	raw_send(&f, reg, resp, strlen(resp));
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	/* that moved our Contact (nat = auto): registered again at once */
	n = raw_wait(&f, reg, buf, sizeof(buf), 2000);
	if (n <= 0 || strncmp(buf, "REGISTER ", 9) != 0 ||
	    !header_line(buf, "Contact:", contact, sizeof(contact)) ||
	    !strstr(contact, "@192.0.2.44:") ||
	    !header_line(buf, "Via:", via, sizeof(via)))
		FAIL(&f, "no REGISTER with the public address");
	strcat(contact, ";expires=600\r\n");
	n = reply_200(buf, contact, resp, sizeof(resp));
	p = strstr(resp, via);
	if (n < 0 || !p)
		FAIL(&f, "cannot build the 200");
	memmove(p + strlen(via) + 22, p + strlen(via), strlen(p + strlen(via)) + 1);
	memcpy(p + strlen(via), ";received=192.0.2.44  ", 22);
	raw_send(&f, reg, resp, strlen(resp));
	if (!wait_reg(&f, SIP_REG_REGISTERED, 2, 2000))
		FAIL(&f, "not registered again: %s", reg_last(&f));
	for (k = 0; k < 2; k++) {
		char id[32];

		snprintf(id, sizeof(id), "pub%d", k);
		n = stranger_request(buf, sizeof(buf), reg, "INVITE", "alice", id);
		p = strstr(buf, " SIP/2.0\r\n");
		if (!p)
			FAIL(&f, "bad INVITE");
		/* Request-URI: sip:alice@<public address> */
		{
			char rest[4096];

			snprintf(rest, sizeof(rest), "%s", p);
			n = snprintf(buf, sizeof(buf), "INVITE sip:alice@%s%s",
				     hosts[k], rest);
		}
		code = 0;
		raw_send(&f, reg, buf, n);
		for (int w = 0; w < 50 && (!code || code == 100); w++) {
			msleep_loop(&f, 20);
			while ((n = recv(reg, resp, sizeof(resp) - 1,
					 MSG_DONTWAIT)) > 0) {
				resp[n] = '\0';
				if (sscanf(resp, "SIP/2.0 %d", &code) != 1)
					code = 0;
			}
		}
		if (code != want[k])
			FAIL(&f, "INVITE to %s: %d, want %d", hosts[k], code,
			     want[k]);
	}
	PASS(&f);
out:
	close(reg);
	fixture_done(&f);
}

/* ---- message waiting, transfer ---- */

/* An unsolicited message-summary NOTIFY from @fd (3 new, 4 old). */
static int mwi_notify(char *buf, size_t len, int fd, const char *id)
{
	static const char body[] = "Messages-Waiting: yes\r\n"
				   "Voice-Message: 3/4\r\n";
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char ip[32];

	getsockname(fd, (void *)&sin, &sl);
	inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
	return snprintf(buf, len,
			"NOTIFY sip:2001@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%s;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:vm@%s>;tag=%s\r\n"
			"To: <sip:2001@127.0.0.1>\r\n"
			"Call-ID: %s@%s\r\nCSeq: 1 NOTIFY\r\n"
			"Event: message-summary\r\n"
			"Subscription-State: active\r\n"
			"Content-Type: application/simple-message-summary\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			ip, ntohs(sin.sin_port), id, ip, id, id, ip,
			strlen(body), body);
}

/*
 * Unsolicited NOTIFYs (tests/sipp/uac_notify_mwi.xml) from the provider's
 * address: the good ones reach on_mwi with their counts (200), the bad
 * ones get 400/415/489/481 and report nothing.  The same NOTIFY from a
 * stranger (127.0.0.2) gets 403 and reports nothing; from the provider's
 * address again, 200.
 */
static void case_mwi_unsolicited(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char sf[300], port_s[8], target[64], msg[2048];
	int fd = -1, n, code;

	memset(&f, 0, sizeof(f));
	f.name = "mwi_unsolicited_notify";
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), "uac_notify_mwi.xml");
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, "-s", "2001", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	SIPP_OK(&f);
	if (f.n_mwi != 2)
		FAIL(&f, "%d on_mwi callbacks, want 2", f.n_mwi);
	if (!f.mwi[0].waiting || !f.mwi[0].voice || f.mwi[0].new_msgs != 3 ||
	    f.mwi[0].old_msgs != 5 || f.mwi[0].urgent_new != 1 ||
	    f.mwi[0].urgent_old != 0 ||
	    strcmp(f.mwi[0].account, "sip:*97@127.0.0.1") != 0)
		FAIL(&f, "first: waiting %d, %u/%u (%u/%u), account \"%s\"",
		     f.mwi[0].waiting, f.mwi[0].new_msgs, f.mwi[0].old_msgs,
		     f.mwi[0].urgent_new, f.mwi[0].urgent_old, f.mwi[0].account);
	if (f.mwi[1].waiting || f.mwi[1].new_msgs != 0 || f.mwi[1].old_msgs != 8)
		FAIL(&f, "second: waiting %d, %u/%u", f.mwi[1].waiting,
		     f.mwi[1].new_msgs, f.mwi[1].old_msgs);
	fd = raw_socket_ip("127.0.0.2");
	if (fd < 0)
		FAIL(&f, "socket on 127.0.0.2");
	n = mwi_notify(msg, sizeof(msg), fd, "mwistranger");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 403 || f.n_mwi != 2)
		FAIL(&f, "a stranger's NOTIFY: %d (want 403), %d callbacks",
		     code, f.n_mwi);
	close(fd);
	fd = raw_socket();
	n = mwi_notify(msg, sizeof(msg), fd, "mwiprovider");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 200 || f.n_mwi != 3 || f.mwi[2].new_msgs != 3)
		FAIL(&f, "the provider's NOTIFY: %d (want 200), %d callbacks",
		     code, f.n_mwi);
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/* A provider's check-sync NOTIFY from @fd; @to_tag NULL: out of dialog. */
static int check_sync_notify(char *buf, size_t len, int fd, const char *id,
			     const char *to_tag)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);
	char ip[32];

	getsockname(fd, (void *)&sin, &sl);
	inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof(ip));
	return snprintf(buf, len,
			"NOTIFY sip:2001@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s:%u;branch=z9hG4bK%s;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:prov@%s>;tag=%s\r\n"
			"To: <sip:2001@127.0.0.1>%s%s\r\n"
			"Call-ID: %s@%s\r\nCSeq: 1 NOTIFY\r\n"
			"Event: check-sync;reboot=false\r\n"
			"Subscription-State: terminated\r\n"
			"Content-Length: 0\r\n\r\n",
			ip, ntohs(sin.sin_port), id, ip, id,
			to_tag ? ";tag=" : "", to_tag ? to_tag : "", id, ip);
}

/*
 * NOTIFY check-sync (the provider's "fetch your profile"): from the
 * provider's address, 200 and on_check_sync; with a To tag of no dialog,
 * 481; from a stranger (127.0.0.2), 403; none of these two reports.
 */
static void case_check_sync(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char msg[2048];
	int fd = -1, n, code;

	memset(&f, 0, sizeof(f));
	f.name = "check_sync_notify";
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	fd = raw_socket();
	n = check_sync_notify(msg, sizeof(msg), fd, "cs1", NULL);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 200 || f.n_check_sync != 1)
		FAIL(&f, "the provider's check-sync: %d (want 200), %d callbacks",
		     code, f.n_check_sync);
	n = check_sync_notify(msg, sizeof(msg), fd, "cs2", "nodialog");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 481 || f.n_check_sync != 1)
		FAIL(&f, "check-sync in no dialog: %d (want 481), %d callbacks",
		     code, f.n_check_sync);
	close(fd);
	fd = raw_socket_ip("127.0.0.2");
	if (fd < 0)
		FAIL(&f, "socket on 127.0.0.2");
	n = check_sync_notify(msg, sizeof(msg), fd, "cs3", NULL);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 403 || f.n_check_sync != 1)
		FAIL(&f, "a stranger's check-sync: %d (want 403), %d callbacks",
		     code, f.n_check_sync);
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/* The value of header @name (e.g. "Call-ID:") in @msg, "" if absent. */
static const char *hval(const char *msg, const char *name)
{
	static char v[8][512];		/* several in one expression */
	static int k;
	char line[600];
	const char *p;

	k = (k + 1) % 8;
	v[k][0] = '\0';
	if (header_line(msg, name, line, sizeof(line))) {
		p = line + strlen(name);
		while (*p == ' ')
			p++;
		snprintf(v[k], sizeof(v[k]), "%s", p);
	}
	return v[k];
}

/*
 * Wait for a request @method ("SUBSCRIBE ") on @fd whose top Via branch
 * is not @skip_branch (a retransmission of the last one); responses and
 * other requests are dropped.  Returns its length, or -1.
 */
static int wait_request(struct fixture *f, int fd, const char *method,
			const char *skip_branch, char *buf, size_t len,
			unsigned ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < (long)ms) {
		ssize_t n = raw_wait(f, fd, buf, len, 50);

		if (n <= 0 || strncmp(buf, method, strlen(method)) != 0)
			continue;
		if (skip_branch && *skip_branch &&
		    strstr(hval(buf, "Via:"), skip_branch))
			continue;
		return (int)n;
	}
	return -1;
}

/* The branch= of @req's Via into @out. */
static void via_branch(const char *req, char *out, size_t len)
{
	const char *b = strstr(hval(req, "Via:"), "branch=");

	snprintf(out, len, "%.*s", b ? (int)strcspn(b + 7, ";, ") : 0,
		 b ? b + 7 : "");
}

/* A response @code to @req (To gets ;tag=@to_tag unless it has one). */
static int reply_to(const char *req, const char *status, const char *to_tag,
		    const char *extra, char *out, size_t len)
{
	char via[512], from[512], to[512], cid[256], cseq[64];

	if (!header_line(req, "Via:", via, sizeof(via)) ||
	    !header_line(req, "From:", from, sizeof(from)) ||
	    !header_line(req, "To:", to, sizeof(to)) ||
	    !header_line(req, "Call-ID:", cid, sizeof(cid)) ||
	    !header_line(req, "CSeq:", cseq, sizeof(cseq)))
		return -1;
	if (to_tag && !strstr(to, ";tag="))
		snprintf(to + strlen(to), sizeof(to) - strlen(to), ";tag=%s",
			 to_tag);
	return snprintf(out, len, "SIP/2.0 %s\r\n%s\r\n%s\r\n%s\r\n%s\r\n"
			"%s\r\n%sContent-Length: 0\r\n\r\n", status, via, from,
			to, cid, cseq, extra ? extra : "");
}

/* The tag of a From/To value. */
static const char *tag_of(const char *v)
{
	static char t[128];
	const char *p = strstr(v, "tag=");

	snprintf(t, sizeof(t), "%.*s", p ? (int)strcspn(p + 4, ";> ") : 0,
		 p ? p + 4 : "");
	return t;
}

/*
 * Message waiting by subscription, against a raw registrar that is also
 * the voicemail server: after the REGISTER's 200 the agent SUBSCRIBEs
 * (Event: message-summary, Accept, Expires 600, our AOR); a 401 is
 * answered with credentials; the 200 (Expires: 2) sets up the dialog; a
 * NOTIFY in it reaches on_mwi; the refresh comes at ~1 s inside the
 * dialog (To tag, Call-ID, Request-URI the Contact); a NOTIFY
 * "terminated;reason=deactivated" brings a new SUBSCRIBE (new Call-ID,
 * no To tag) at ~1 s; a 489 to it ends the subscribing for good.
 */
static void case_mwi_subscribe(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], buf[4096], resp[2048], br[128], cid[256], ltag[128];
	char notify[2048], contact[300];
	static const char body[] = "Messages-Waiting: yes\r\n"
				   "Voice-Message: 1/0\r\n";
	char target[300];
	int fd, n, code;
	long t_sub;

	memset(&f, 0, sizeof(f));
	f.name = "mwi_subscribe_refresh_terminated_489";
	fd = raw_socket();
	if (fd < 0) {
		result(&f, "socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(fd));
	acct.domain = domain;
	acct.register_enabled = true;
	acct.mwi_subscribe = true;
	acct.mwi_expires = 600;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (wait_request(&f, fd, "REGISTER ", NULL, buf, sizeof(buf), 2000) < 0)
		FAIL(&f, "no REGISTER");
	/* nothing before the registration */
	if (wait_request(&f, fd, "SUBSCRIBE ", NULL, buf, sizeof(buf), 700) >= 0)
		FAIL(&f, "SUBSCRIBE before the registration");
	if (wait_request(&f, fd, "REGISTER ", NULL, buf, sizeof(buf), 2000) < 0)
		FAIL(&f, "no REGISTER retransmission");
	snprintf(contact, sizeof(contact), "Contact: %s;expires=600\r\n",
		 hval(buf, "Contact:"));
	n = reply_to(buf, "200 OK", "reg", contact, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	n = wait_request(&f, fd, "SUBSCRIBE ", NULL, buf, sizeof(buf), 2000);
	if (n < 0)
		FAIL(&f, "no SUBSCRIBE after the registration");
	if (strncmp(buf, "SUBSCRIBE sip:alice@127.0.0.1:", 30) != 0 ||
	    strcmp(hval(buf, "Event:"), "message-summary") != 0 ||
	    strcmp(hval(buf, "Accept:"), "application/simple-message-summary") != 0 ||
	    strcmp(hval(buf, "Expires:"), "600") != 0 ||
	    strstr(hval(buf, "To:"), "tag=") ||
	    !strstr(hval(buf, "From:"), "sip:alice@127.0.0.1") ||
	    !*hval(buf, "Contact:"))
		FAIL(&f, "bad SUBSCRIBE: %s", buf);
	via_branch(buf, br, sizeof(br));
	n = reply_to(buf, "401 Unauthorized", "vm401",
		     "WWW-Authenticate: Digest realm=\"fxs.test\", nonce=\"mwi1\", qop=\"auth\"\r\n",
		     resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	n = wait_request(&f, fd, "SUBSCRIBE ", br, buf, sizeof(buf), 2000);
	if (n < 0 || !strstr(hval(buf, "Authorization:"), "nonce=\"mwi1\"") ||
	    !strstr(hval(buf, "Authorization:"), "uri=\"sip:alice@127.0.0.1:"))
		FAIL(&f, "no SUBSCRIBE with credentials after 401: %s", buf);
	via_branch(buf, br, sizeof(br));
	snprintf(cid, sizeof(cid), "%s", hval(buf, "Call-ID:"));
	snprintf(ltag, sizeof(ltag), "%s", tag_of(hval(buf, "From:")));
	snprintf(contact, sizeof(contact), "Expires: 2\r\nContact: <sip:vm@%s>\r\n",
		 domain);
	n = reply_to(buf, "200 OK", "vmdlg", contact, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	t_sub = ms_since(&f.t0);
	/* the NOTIFY of the dialog, to the Contact of the SUBSCRIBE */
	{
		const char *c = hval(buf, "Contact:");

		c += *c == '<';
		snprintf(target, sizeof(target), "%.*s", (int)strcspn(c, ">"), c);
	}
	n = snprintf(notify, sizeof(notify),
		     "NOTIFY %s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s;branch=z9hG4bKmwin1;rport\r\n"
		     "Max-Forwards: 70\r\nFrom: <sip:alice@%s>;tag=vmdlg\r\n"
		     "To: <sip:alice@%s>;tag=%s\r\nCall-ID: %s\r\n"
		     "CSeq: 1 NOTIFY\r\nContact: <sip:vm@%s>\r\n"
		     "Event: message-summary\r\nSubscription-State: active;expires=2\r\n"
		     "Content-Type: application/simple-message-summary\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     target, domain, domain, domain, ltag, cid,
		     domain, strlen(body), body);
	code = raw_exchange(&f, fd, notify, n);
	if (code != 200 || f.n_mwi != 1 || !f.mwi[0].waiting ||
	    f.mwi[0].new_msgs != 1)
		FAIL(&f, "NOTIFY in the dialog: %d, %d callbacks", code, f.n_mwi);
	/* the refresh, in the dialog, at half of 2 s */
	n = wait_request(&f, fd, "SUBSCRIBE ", br, buf, sizeof(buf), 3000);
	if (n < 0)
		FAIL(&f, "no refresh");
	if (ms_since(&f.t0) - t_sub < 700 || ms_since(&f.t0) - t_sub > 2000)
		FAIL(&f, "refresh %ld ms after the 200, want ~1000",
		     ms_since(&f.t0) - t_sub);
	if (strncmp(buf, "SUBSCRIBE sip:vm@", 17) != 0 ||
	    strcmp(hval(buf, "Call-ID:"), cid) != 0 ||
	    strcmp(tag_of(hval(buf, "To:")), "vmdlg") != 0 ||
	    strcmp(hval(buf, "Event:"), "message-summary") != 0)
		FAIL(&f, "refresh not in the dialog: %s", buf);
	via_branch(buf, br, sizeof(br));
	n = reply_to(buf, "200 OK", NULL, "Expires: 600\r\n", resp,
		     sizeof(resp));
	raw_send(&f, fd, resp, n);
	/* the server ends it: a new subscription at once */
	n = snprintf(notify, sizeof(notify),
		     "NOTIFY sip:alice@%s SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP %s;branch=z9hG4bKmwin2;rport\r\n"
		     "Max-Forwards: 70\r\nFrom: <sip:alice@%s>;tag=vmdlg\r\n"
		     "To: <sip:alice@%s>;tag=%s\r\nCall-ID: %s\r\n"
		     "CSeq: 2 NOTIFY\r\nEvent: message-summary\r\n"
		     "Subscription-State: terminated;reason=deactivated\r\n"
		     "Content-Length: 0\r\n\r\n",
		     domain, domain, domain, domain, ltag, cid);
	code = raw_exchange(&f, fd, notify, n);
	if (code != 200 || f.n_mwi != 1)
		FAIL(&f, "NOTIFY terminated: %d, %d callbacks", code, f.n_mwi);
	n = wait_request(&f, fd, "SUBSCRIBE ", br, buf, sizeof(buf), 3000);
	if (n < 0)
		FAIL(&f, "no new SUBSCRIBE after terminated");
	if (strcmp(hval(buf, "Call-ID:"), cid) == 0 ||
	    strstr(hval(buf, "To:"), "tag="))
		FAIL(&f, "the new SUBSCRIBE is in the old dialog: %s", buf);
	via_branch(buf, br, sizeof(br));
	n = reply_to(buf, "489 Bad Event", "vm489", NULL, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	/* given up: nothing more (retry_min is 1 s) */
	if (wait_request(&f, fd, "SUBSCRIBE ", br, buf, sizeof(buf), 3000) >= 0)
		FAIL(&f, "SUBSCRIBE again after 489: %s", buf);
	PASS(&f);
out:
	close(fd);
	fixture_done(&f);
}

/* The value of @name in @msg with "<" ">" taken off ("<sip:x>" -> "sip:x"). */
static const char *hval_uri(const char *msg, const char *name)
{
	static char u[512];
	const char *v = hval(msg, name);

	v += *v == '<';
	snprintf(u, sizeof(u), "%.*s", (int)strcspn(v, ">"), v);
	return u;
}

/*
 * A raw UAS on @fd answers the agent's INVITE for @number: 200 with
 * To tag @tag and Contact sip:xfer@<fd's address>.  The call is then
 * answered.  Returns 0 or -1.
 */
static int raw_answer(struct fixture *f, int fd, const char *domain,
		      const char *number, const char *tag,
		      struct sip_call **ret_call)
{
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40012,
		.session_id = 7, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40014 RTP/AVP 0\r\n";
	char offer[SDP_TEXT_MAX], buf[4096], resp[4096], extra[300];
	int n;

	sdp_build_offer(&l, offer, sizeof(offer));
	if (sip_call_invite(f->a, number, offer, ret_call) < 0)
		return -1;
	if (wait_request(f, fd, "INVITE ", NULL, buf, sizeof(buf), 2000) < 0)
		return -1;
	snprintf(extra, sizeof(extra), "Contact: <sip:xfer@%s>\r\n"
		 "Content-Type: application/sdp\r\n", domain);
	n = reply_to(buf, "200 OK", tag, extra, resp, sizeof(resp) - sizeof(sdp));
	if (n < 0)
		return -1;
	/* the body after the headers: replace the empty Content-Length */
	n -= (int)strlen("Content-Length: 0\r\n\r\n");
	n += snprintf(resp + n, sizeof(resp) - n, "Content-Length: %zu\r\n\r\n%s",
		      strlen(sdp), sdp);
	raw_send(f, fd, resp, n);
	return wait_request(f, fd, "ACK ", NULL, buf, sizeof(buf), 2000) < 0 ?
	       -1 : 0;
}

/* A NOTIFY of the REFER @refer's subscription with sipfrag @frag. */
static int refer_notify_msg(char *out, size_t len, const char *refer,
			    const char *domain, int cseq, const char *state,
			    const char *frag)
{
	static int branch;

	return snprintf(out, len,
			"NOTIFY %s SIP/2.0\r\n"
			"Via: SIP/2.0/UDP %s;branch=z9hG4bKrn%d;rport\r\n"
			"Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\n"
			"Call-ID: %s\r\nCSeq: %d NOTIFY\r\n"
			"Contact: <sip:xfer@%s>\r\nEvent: refer\r\n"
			"Subscription-State: %s\r\n"
			"Content-Type: message/sipfrag;version=2.0\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			hval_uri(refer, "Contact:"), domain, ++branch,
			hval(refer, "To:"), hval(refer, "From:"),
			hval(refer, "Call-ID:"), cseq, domain, state,
			strlen(frag), frag);
}

/*
 * Transfer out, against a raw far end that answers two calls of the
 * agent.  Blind: sip_call_refer(call 1, "3000") sends REFER in the dialog
 * (Refer-To <sip:3000@domain>, Referred-By, Contact); 202, NOTIFY 100,
 * NOTIFY 200 terminated: each NOTIFY gets 200 and on_refer_progress
 * reports 202, 100, 200.  Attended: sip_call_refer(call 1, URI, call 2)
 * puts call 2's Call-ID, its far end's tag (to-tag) and ours (from-tag)
 * in ?Replaces=, escaped; 202, then NOTIFY 503: reported, the end.  A
 * NOTIFY refer after that gets 481, one with a bad sipfrag 400.
 */
static void case_refer_out(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sip_call *c2 = NULL;
	char domain[64], buf[4096], resp[2048], msg[4096], want[600], esc[400];
	int fd, n, code, r;

	memset(&f, 0, sizeof(f));
	f.name = "refer_out_blind_and_attended";
	fd = raw_socket();
	if (fd < 0) {
		result(&f, "socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(fd));
	acct.domain = domain;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (raw_answer(&f, fd, domain, "2000", "xfer1", &f.call) < 0)
		FAIL(&f, "call 1 not set up");
	if (sip_call_refer(f.call, "bad target", NULL) != -EINVAL)
		FAIL(&f, "a bad target not refused");
	r = sip_call_refer(f.call, "3000", NULL);
	if (r < 0)
		FAIL(&f, "sip_call_refer: %d", r);
	if (sip_call_refer(f.call, "3001", NULL) != -EBUSY)
		FAIL(&f, "a second REFER while the first reports not refused");
	n = wait_request(&f, fd, "REFER ", NULL, buf, sizeof(buf), 2000);
	snprintf(want, sizeof(want), "<sip:3000@%s>", domain);
	if (n < 0 || strncmp(buf, "REFER sip:xfer@", 15) != 0 ||
	    strcmp(hval(buf, "Refer-To:"), want) != 0 ||
	    !strstr(hval(buf, "Referred-By:"), "sip:alice@") ||
	    !strstr(hval(buf, "Contact:"), "sip:alice@") ||
	    strcmp(tag_of(hval(buf, "To:")), "xfer1") != 0)
		FAIL(&f, "bad REFER: %s", n < 0 ? "none" : buf);
	n = reply_to(buf, "202 Accepted", NULL, NULL, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	msleep_loop(&f, 100);
	n = refer_notify_msg(msg, sizeof(msg), buf, domain, 1,
			     "active;expires=60", "SIP/2.0 100 Trying\r\n");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 200)
		FAIL(&f, "NOTIFY 100: %d", code);
	n = refer_notify_msg(msg, sizeof(msg), buf, domain, 2,
			     "terminated;reason=noresource", "SIP/2.0 200 OK\r\n");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 200)
		FAIL(&f, "NOTIFY 200: %d", code);
	if (f.n_progress != 3 || f.progress[0] != 202 ||
	    f.progress[1] != 100 || f.progress[2] != 200)
		FAIL(&f, "blind: %d reports: %d %d %d", f.n_progress,
		     f.progress[0], f.progress[1], f.progress[2]);
	/* the subscription is over */
	n = refer_notify_msg(msg, sizeof(msg), buf, domain, 3,
			     "active", "SIP/2.0 180 Ringing\r\n");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 481 || f.n_progress != 3)
		FAIL(&f, "NOTIFY after the end: %d, want 481", code);

	/* attended: call 2, then REFER call 1 with Replaces of call 2 */
	if (raw_answer(&f, fd, domain, "2002", "xfer2", &c2) < 0)
		FAIL(&f, "call 2 not set up");
	f.n_progress = 0;
	r = sip_call_refer(f.call, "sip:carol@127.0.0.1", c2);
	if (r < 0)
		FAIL(&f, "sip_call_refer with replaces: %d", r);
	n = wait_request(&f, fd, "REFER ", NULL, buf, sizeof(buf), 2000);
	{
		/* Call-IDs and tags of the agent are hex: only the ';' and
		 * '=' of the Replaces value are escaped */
		snprintf(esc, sizeof(esc), "%s%%3Bto-tag%%3Dxfer2%%3Bfrom-tag%%3D",
			 sip_call_id(c2));
		snprintf(want, sizeof(want), "<sip:carol@127.0.0.1?Replaces=%s", esc);
	}
	if (n < 0 || strncmp(hval(buf, "Refer-To:"), want, strlen(want)) != 0)
		FAIL(&f, "Refer-To: %s, want %s<our tag>>", n < 0 ? "none" :
		     hval(buf, "Refer-To:"), want);
	n = reply_to(buf, "202 Accepted", NULL, NULL, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	msleep_loop(&f, 100);
	n = refer_notify_msg(msg, sizeof(msg), buf, domain, 1, "active",
			     "SIP/2.0 1x0 Trying\r\n");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 400)
		FAIL(&f, "a bad sipfrag: %d, want 400", code);
	n = refer_notify_msg(msg, sizeof(msg), buf, domain, 2,
			     "terminated;reason=noresource",
			     "SIP/2.0 503 Service Unavailable\r\n");
	code = raw_exchange(&f, fd, msg, n);
	if (code != 200 || f.n_progress != 2 || f.progress[0] != 202 ||
	    f.progress[1] != 503)
		FAIL(&f, "attended: NOTIFY %d, %d reports: %d %d", code,
		     f.n_progress, f.progress[0], f.progress[1]);
	PASS(&f);
out:
	sip_call_unref(c2);
	close(fd);
	fixture_done(&f);
}

/*
 * Transfer in (tests/sipp/uac_refer.xml): REFERs refused as they must be
 * (403 out of a dialog, 481, 400 twice), then one accepted: 202, the
 * agent's NOTIFY 100 at once, on_refer with the target and the Replaces
 * unescaped, and the NOTIFY 200 (terminated) the user sends with
 * sip_call_refer_notify(); a second one then gets -EBADR.
 */
static void case_refer_in(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char sf[300], port_s[8], mport_s[8], target[64];

	memset(&f, 0, sizeof(f));
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, "refer_in_202_notify", &acct) < 0)
		FAIL(&f, "agent setup failed");
	f.answer_incoming = true;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", free_port("127.0.0.1"));
	snprintf(mport_s, sizeof(mport_s), "%u", free_port("127.0.0.1"));
	scen(sf, sizeof(sf), "uac_refer.xml");
	{
		const char *args[] = { target, "-sf", sf, "-i", "127.0.0.1", "-p",
				       port_s, "-mp", mport_s, "-s", "2001", NULL };
		if (spawn_sipp(&f, args) < 0)
			FAIL(&f, "cannot start sipp");
	}
	run_until(&f, sipp_exited, 15000);
	if (!f.sipp_done || f.sipp_status != 0)
		FAIL(&f, "sipp %s (status %d)", f.sipp_done ? "failed" : "still running",
		     f.sipp_status);
	if (f.n_refer != 1)
		FAIL(&f, "%d on_refer, want 1", f.n_refer);
	if (strcmp(f.refer_uri, "sip:carol@127.0.0.1") != 0 ||
	    strcmp(f.refer_replaces, "abc@x;to-tag=1;from-tag=2") != 0)
		FAIL(&f, "on_refer: \"%s\", replaces \"%s\"", f.refer_uri,
		     f.refer_replaces);
	if (f.call && sip_call_refer_notify(f.call, 200) != -EBADR &&
	    sip_call_refer_notify(f.call, 200) != -ESTALE)
		FAIL(&f, "a NOTIFY after the final one not refused");
	PASS(&f);
out:
	fixture_done(&f);
}

/* An INVITE from @fd with Call-ID @cid, From tag @ftag, and @extra. */
static int invite_from(char *buf, size_t len, int fd, const char *cid,
		       const char *ftag, const char *extra)
{
	static const char sdp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 40016 RTP/AVP 0\r\n";
	unsigned port = sock_port(fd);

	return snprintf(buf, len,
			"INVITE sip:2001@127.0.0.1 SIP/2.0\r\n"
			"Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK%s;rport\r\n"
			"Max-Forwards: 70\r\n"
			"From: <sip:bob@127.0.0.1:%u>;tag=%s\r\n"
			"To: <sip:2001@127.0.0.1>\r\n"
			"Call-ID: %s\r\nCSeq: 1 INVITE\r\n"
			"Contact: <sip:bob@127.0.0.1:%u>\r\n%s"
			"Content-Type: application/sdp\r\n"
			"Content-Length: %zu\r\n\r\n%s",
			port, ftag, port, ftag, cid, port, extra, strlen(sdp), sdp);
}

/* Wait for the final response to the INVITE of Call-ID @cid (100/180
 * skipped; a BYE on the way answered 200 and counted in *@n_bye). */
static int invite_final(struct fixture *f, int fd, const char *cid,
			char *buf, size_t len, int *n_bye)
{
	struct timespec t0;
	char resp[2048];
	int code, n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < 3000) {
		if (raw_wait(f, fd, buf, len, 50) <= 0)
			continue;
		if (strncmp(buf, "BYE ", 4) == 0) {
			(*n_bye)++;
			n = reply_to(buf, "200 OK", NULL, NULL, resp, sizeof(resp));
			raw_send(f, fd, resp, n);
			continue;
		}
		if (sscanf(buf, "SIP/2.0 %d", &code) == 1 && code >= 200 &&
		    strcmp(hval(buf, "Call-ID:"), cid) == 0)
			return code;
	}
	return 0;
}

/* The ACK of a 2xx @resp (raw UAC). */
static void raw_ack(struct fixture *f, int fd, const char *resp)
{
	char ack[2048];
	int n;

	n = snprintf(ack, sizeof(ack),
		     "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKack%s;rport\r\n"
		     "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
		     "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
		     hval_uri(resp, "Contact:"), sock_port(fd),
		     tag_of(hval(resp, "To:")), hval(resp, "From:"),
		     hval(resp, "To:"), hval(resp, "Call-ID:"));
	raw_send(f, fd, ack, n);
}

/* Wait (up to 2 s) for the 180 of the INVITE just sent; 0 or -1. */
static int raw_ringing(struct fixture *f, int fd, char *buf, size_t len)
{
	int code = 0, n;

	for (n = 0; n < 40 && code != 180; n++)
		if (raw_wait(f, fd, buf, len, 50) <= 0 ||
		    sscanf(buf, "SIP/2.0 %d", &code) != 1)
			code = 0;
	return code == 180 && f->call ? 0 : -1;
}

/*
 * What the port's services need of SIP, from a raw caller: the INVITE's
 * Alert-Info headers (three forms, one malformed) and Privacy reach the
 * user as caller->alert_info and ->anonymous; sip_call_redirect() answers
 * 302 with the Contact of the target (a number made sip:number@domain)
 * and a Diversion naming our AOR (RFC 5806), a bad target is refused
 * with nothing sent; sip_call_reject_anonymous() answers 433.
 */
static void case_services(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char buf[4096], msg[4096];
	int fd = -1, n, code, n_bye = 0;

	memset(&f, 0, sizeof(f));
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, "services_alert_info_302_diversion_433", &acct) < 0)
		FAIL(&f, "agent setup failed");
	fd = raw_socket();
	if (fd < 0)
		FAIL(&f, "socket");
	n = invite_from(msg, sizeof(msg), fd, "sv1@127.0.0.1", "svt1",
			"Alert-Info: <http://127.0.0.1/Bellcore-dr2>\r\n"
			"Alert-Info: info=alert-group, <http://x/a b>\r\n"
			"Alert-Info: <urn:alert:source:external>\r\n"
			"Privacy: id\r\n");
	raw_send(&f, fd, msg, n);
	if (raw_ringing(&f, fd, buf, sizeof(buf)) < 0)
		FAIL(&f, "no 180 for the first call");
	if (strcmp(f.caller.alert_info,
		   "Bellcore-dr2 alert-group urn:alert:source:external") ||
	    !f.caller.anonymous)
		FAIL(&f, "caller: alert_info \"%s\", anonymous %d",
		     f.caller.alert_info, f.caller.anonymous);
	if (sip_call_redirect(f.call, "sip:a b@x", SIP_DIVERT_USER_BUSY) != -EINVAL ||
	    sip_call_redirect(f.call, "2099", _SIP_DIVERT_MAX) != -EINVAL)
		FAIL(&f, "a bad target or reason taken");
	if (sip_call_redirect(f.call, "2099", SIP_DIVERT_USER_BUSY) < 0)
		FAIL(&f, "sip_call_redirect() failed");
	if (sip_call_redirect(f.call, "2099", SIP_DIVERT_USER_BUSY) != -ESTALE)
		FAIL(&f, "a second final response taken");
	f.call = sip_call_unref(f.call);
	code = invite_final(&f, fd, "sv1@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 302 || strcmp(hval(buf, "Contact:"), "<sip:2099@127.0.0.1>") ||
	    strcmp(hval(buf, "Diversion:"),
		   "<sip:2001@127.0.0.1>;reason=user-busy;counter=1"))
		FAIL(&f, "got %d, Contact \"%s\", Diversion \"%s\"", code,
		     hval(buf, "Contact:"), hval(buf, "Diversion:"));

	n = invite_from(msg, sizeof(msg), fd, "sv2@127.0.0.1", "svt2",
			"Privacy: id\r\nP-Asserted-Identity: <sip:bob@127.0.0.1>\r\n");
	raw_send(&f, fd, msg, n);
	if (raw_ringing(&f, fd, buf, sizeof(buf)) < 0)
		FAIL(&f, "no 180 for the second call");
	if (f.caller.alert_info[0] || f.caller.anonymous)
		FAIL(&f, "caller 2: alert_info \"%s\", anonymous %d",
		     f.caller.alert_info, f.caller.anonymous);
	if (sip_call_redirect(f.call, "sip:vm@127.0.0.1:5099",
			      SIP_DIVERT_NO_ANSWER) < 0)
		FAIL(&f, "sip_call_redirect() of a ringing call failed");
	f.call = sip_call_unref(f.call);
	code = invite_final(&f, fd, "sv2@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 302 || strcmp(hval(buf, "Contact:"), "<sip:vm@127.0.0.1:5099>") ||
	    strcmp(hval(buf, "Diversion:"),
		   "<sip:2001@127.0.0.1>;reason=no-answer;counter=1"))
		FAIL(&f, "got %d, Contact \"%s\", Diversion \"%s\"", code,
		     hval(buf, "Contact:"), hval(buf, "Diversion:"));

	n = invite_from(msg, sizeof(msg), fd, "sv3@127.0.0.1", "svt3", "");
	raw_send(&f, fd, msg, n);
	if (raw_ringing(&f, fd, buf, sizeof(buf)) < 0)
		FAIL(&f, "no 180 for the third call");
	if (sip_call_reject_anonymous(f.call) < 0)
		FAIL(&f, "sip_call_reject_anonymous() failed");
	f.call = sip_call_unref(f.call);
	code = invite_final(&f, fd, "sv3@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 433 || !strstr(buf, "433 Anonymity Disallowed"))
		FAIL(&f, "got %d, want 433 Anonymity Disallowed", code);
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

/*
 * INVITE with Replaces (RFC 3891), from a raw caller at the provider's
 * address: one naming a call still ringing (an early dialog we did not
 * initiate) gets 481; a call is set up; an INVITE whose Replaces names it with a
 * wrong to-tag gets 481 (no on_invite); one naming a dialog with
 * early-only gets 486; one that names it reaches on_invite with
 * caller->replaces = that call: the user answers it (200) and hangs up
 * the old call (BYE on call 1); a Replaces header twice gets 400.
 */
static void case_invite_replaces(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char buf[4096], msg[4096], hdr[600], ltag[128];
	int fd = -1, n, code, n_bye = 0;

	memset(&f, 0, sizeof(f));
	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";
	acct.user = "2001";
	if (fixture_init(&f, "invite_replaces_481_486_400_delivered", &acct) < 0)
		FAIL(&f, "agent setup failed");
	fd = raw_socket();
	if (fd < 0)
		FAIL(&f, "socket");
	/* a call still ringing: an early dialog we did not initiate */
	n = invite_from(msg, sizeof(msg), fd, "rp0@127.0.0.1", "bobt0", "");
	raw_send(&f, fd, msg, n);
	for (code = 0, n = 0; n < 40 && code != 180; n++)
		if (raw_wait(&f, fd, buf, sizeof(buf), 50) <= 0 ||
		    sscanf(buf, "SIP/2.0 %d", &code) != 1)
			code = 0;
	if (code != 180 || !f.call)
		FAIL(&f, "no 180 for the first call");
	snprintf(hdr, sizeof(hdr),
		 "Replaces: rp0@127.0.0.1;to-tag=%s;from-tag=bobt0\r\n",
		 tag_of(hval(buf, "To:")));
	n = invite_from(msg, sizeof(msg), fd, "rp6@127.0.0.1", "bobt6", hdr);
	raw_send(&f, fd, msg, n);
	code = invite_final(&f, fd, "rp6@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 481 || f.n_invite != 1)
		FAIL(&f, "a Replaces of a ringing incoming call: %d, want 481",
		     code);
	sip_call_reject(f.call, 603);
	f.call = sip_call_unref(f.call);
	code = invite_final(&f, fd, "rp0@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 603)
		FAIL(&f, "the ringing call not rejected: %d", code);

	f.answer_incoming = true;
	n = invite_from(msg, sizeof(msg), fd, "rp1@127.0.0.1", "bobt1", "");
	raw_send(&f, fd, msg, n);
	code = invite_final(&f, fd, "rp1@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 200 || f.n_invite != 2)
		FAIL(&f, "call 1: %d", code);
	snprintf(ltag, sizeof(ltag), "%s", tag_of(hval(buf, "To:")));
	raw_ack(&f, fd, buf);
	msleep_loop(&f, 100);

	snprintf(hdr, sizeof(hdr),
		 "Replaces: rp1@127.0.0.1;to-tag=wrong;from-tag=bobt1\r\n");
	n = invite_from(msg, sizeof(msg), fd, "rp3@127.0.0.1", "bobt3", hdr);
	raw_send(&f, fd, msg, n);
	code = invite_final(&f, fd, "rp3@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 481 || f.n_invite != 2)
		FAIL(&f, "a Replaces of no dialog: %d, want 481", code);

	snprintf(hdr, sizeof(hdr),
		 "Replaces: rp1@127.0.0.1;to-tag=%s;from-tag=bobt1;early-only\r\n",
		 ltag);
	n = invite_from(msg, sizeof(msg), fd, "rp4@127.0.0.1", "bobt4", hdr);
	raw_send(&f, fd, msg, n);
	code = invite_final(&f, fd, "rp4@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 486 || f.n_invite != 2)
		FAIL(&f, "early-only for a confirmed dialog: %d, want 486", code);

	snprintf(hdr, sizeof(hdr),
		 "Replaces: rp1@127.0.0.1;to-tag=%s;from-tag=bobt1\r\n"
		 "Replaces: rp1@127.0.0.1;to-tag=%s;from-tag=bobt1\r\n", ltag, ltag);
	n = invite_from(msg, sizeof(msg), fd, "rp5@127.0.0.1", "bobt5", hdr);
	raw_send(&f, fd, msg, n);
	code = invite_final(&f, fd, "rp5@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 400 || f.n_invite != 2)
		FAIL(&f, "two Replaces: %d, want 400", code);

	snprintf(hdr, sizeof(hdr),
		 "Replaces: rp1@127.0.0.1;to-tag=%s;from-tag=bobt1\r\n", ltag);
	n = invite_from(msg, sizeof(msg), fd, "rp2@127.0.0.1", "bobt2", hdr);
	raw_send(&f, fd, msg, n);
	code = invite_final(&f, fd, "rp2@127.0.0.1", buf, sizeof(buf), &n_bye);
	if (code != 200 || f.n_invite != 3 || f.n_replacing != 1 ||
	    !f.replaced_ours)
		FAIL(&f, "the replacing INVITE: %d, %d on_invite, %d with "
		     "replaces (ours: %d)", code, f.n_invite, f.n_replacing,
		     f.replaced_ours);
	raw_ack(&f, fd, buf);
	for (n = 0; n < 20 && !n_bye; n++) {
		char resp[2048];

		if (raw_wait(&f, fd, buf, sizeof(buf), 100) > 0 &&
		    strncmp(buf, "BYE ", 4) == 0 &&
		    strcmp(hval(buf, "Call-ID:"), "rp1@127.0.0.1") == 0) {
			n_bye++;
			code = reply_to(buf, "200 OK", NULL, NULL, resp,
					sizeof(resp));
			raw_send(&f, fd, resp, code);
		}
	}
	if (n_bye != 1)
		FAIL(&f, "%d BYE for the replaced call, want 1", n_bye);
	PASS(&f);
out:
	if (fd >= 0)
		close(fd);
	fixture_done(&f);
}

static bool progress_final(struct fixture *f)
{
	int i;

	for (i = 1; i < f->n_progress && i < 8; i++)
		if (f->progress[i] >= 200)
			return true;
	return false;
}

/*
 * Our REFER's NOTIFYs must come in time: with @first, none comes after
 * the 202, and 408 is reported 32 s later (libosip2's 64*T1, as the
 * timeouts of transactions); else a NOTIFY 180 says expires=2 and none
 * follows: 408 about 2 s later.
 */
static void case_refer_timeout(bool first)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], buf[4096], resp[2048], msg[4096];
	long t, want = first ? 32000 : 2000;
	int fd, n, code;

	memset(&f, 0, sizeof(f));
	f.name = first ? "refer_out_no_notify_408_at_32s" :
			 "refer_out_notify_expires_408";
	fd = raw_socket();
	if (fd < 0) {
		result(&f, "socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(fd));
	acct.domain = domain;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (raw_answer(&f, fd, domain, "2000", "xfer1", &f.call) < 0)
		FAIL(&f, "call not set up");
	if (sip_call_refer(f.call, "3000", NULL) < 0)
		FAIL(&f, "sip_call_refer");
	if (wait_request(&f, fd, "REFER ", NULL, buf, sizeof(buf), 2000) < 0)
		FAIL(&f, "no REFER");
	n = reply_to(buf, "202 Accepted", NULL, NULL, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	if (!first) {
		msleep_loop(&f, 100);
		n = refer_notify_msg(msg, sizeof(msg), buf, domain, 1,
				     "active;expires=2", "SIP/2.0 180 Ringing\r\n");
		code = raw_exchange(&f, fd, msg, n);
		if (code != 200)
			FAIL(&f, "NOTIFY 180: %d", code);
	}
	t = ms_since(&f.t0);
	run_until(&f, progress_final, want + 5000);
	t = ms_since(&f.t0) - t;
	if (f.n_progress != (first ? 2 : 3) ||
	    f.progress[f.n_progress - 1] != 408)
		FAIL(&f, "%d reports, last %d, want 408", f.n_progress,
		     f.n_progress ? f.progress[f.n_progress - 1] : 0);
	if (t < want - 1000 || t > want + 2500)
		FAIL(&f, "408 after %ld ms, want ~%ld", t, want);
	PASS(&f);
out:
	close(fd);
	fixture_done(&f);
}

static void case_refer_no_notify(void)
{
	case_refer_timeout(true);
}

/*
 * sip_call_invite_replaces(): the INVITE carries Replaces and
 * Referred-By, goes to the URI given; malformed arguments are refused.
 */
static void case_invite_with_replaces_out(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sip_call *c = NULL;
	char domain[64], uri[96], buf[4096], resp[2048];
	const char *sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			  "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40020 RTP/AVP 0\r\n";
	int fd, n;

	memset(&f, 0, sizeof(f));
	f.name = "invite_replaces_out_headers";
	fd = raw_socket();
	if (fd < 0) {
		result(&f, "socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(fd));
	snprintf(uri, sizeof(uri), "sip:carol@%s", domain);
	acct.domain = domain;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (sip_call_invite_replaces(f.a, uri, sdp, "abc;to-tag=1", NULL,
				     &c) != -EINVAL ||
	    sip_call_invite_replaces(f.a, "sip:a b@c", sdp, NULL, NULL,
				     &c) != -EINVAL ||
	    sip_call_invite_replaces(f.a, uri, sdp, NULL, "x\r\nVia: y",
				     &c) != -EINVAL)
		FAIL(&f, "bad arguments not refused");
	if (sip_call_invite_replaces(f.a, uri, sdp,
				     "abc@x;to-tag=1;from-tag=2",
				     "sip:bob@127.0.0.1", &c) < 0)
		FAIL(&f, "sip_call_invite_replaces failed");
	n = wait_request(&f, fd, "INVITE ", NULL, buf, sizeof(buf), 2000);
	if (n < 0 || strncmp(buf + 7, uri, strlen(uri)) != 0 ||
	    strcmp(hval(buf, "Replaces:"), "abc@x;to-tag=1;from-tag=2") != 0 ||
	    strcmp(hval(buf, "Referred-By:"), "<sip:bob@127.0.0.1>") != 0 ||
	    !strstr(hval(buf, "To:"), uri))
		FAIL(&f, "bad INVITE: %s", n < 0 ? "none" : buf);
	n = reply_to(buf, "486 Busy Here", "busy", NULL, resp, sizeof(resp));
	raw_send(&f, fd, resp, n);
	run_until(&f, call_final, 2000);
	if (state_status(&f, SIP_CALL_FAILED) != 486)
		FAIL(&f, "the call did not fail with 486");
	PASS(&f);
out:
	sip_call_unref(c);
	close(fd);
	fixture_done(&f);
}

/* SIP_TEST_ONLY=substring runs the matching cases only */
static const char *only;

static bool selected(const char *name)
{
	return !only || !*only || strstr(name, only);
}

#define RUN(name, call) do { if (selected(name)) call; } while (0)

/* ---- SIP over TLS: a raw TLS registrar made here with OpenSSL ---- */

/*
 * The test PKI, made in memory and written to LOG_DIR: a CA, server
 * certificates for "localhost" (good), for another name, expired, and
 * one signed by a CA the agent does not trust.  P-256 keys.
 */
struct pki {
	EVP_PKEY *ca_key, *other_ca_key, *key;
	X509 *ca, *other_ca, *good, *wrong_host, *expired, *unknown_ca;
	char ca_file[300];
	bool ok;
};

static struct pki pki;

static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *san,
		       X509 *issuer, EVP_PKEY *ikey, long from_s, long to_s,
		       bool ca)
{
	X509 *x = X509_new();
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	X509_NAME *name;
	static long serial = 1;

	if (!x)
		return NULL;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), from_s);
	X509_gmtime_adj(X509_getm_notAfter(x), to_s);
	X509_set_pubkey(x, key);
	name = X509_get_subject_name(x);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, NID_basic_constraints,
				  ca ? "critical,CA:TRUE" : "CA:FALSE");
	X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	if (ca) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_key_usage,
					  "critical,keyCertSign,cRLSign");
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (san) {
		ext = X509V3_EXT_conf_nid(NULL, &v3, NID_subject_alt_name,
					  (char *)san);
		X509_add_ext(x, ext, -1);
		X509_EXTENSION_free(ext);
	}
	if (!X509_sign(x, ikey ? ikey : key, EVP_sha256())) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static bool pki_init(void)
{
	FILE *fp;

	if (pki.ok)
		return true;
	pki.ca_key = EVP_EC_gen("P-256");
	pki.other_ca_key = EVP_EC_gen("P-256");
	pki.key = EVP_EC_gen("P-256");
	if (!pki.ca_key || !pki.other_ca_key || !pki.key)
		return false;
	pki.ca = make_cert(pki.ca_key, "fxs test CA", NULL, NULL, NULL,
			   -3600, 86400, true);
	pki.other_ca = make_cert(pki.other_ca_key, "someone else's CA", NULL,
				 NULL, NULL, -3600, 86400, true);
	if (!pki.ca || !pki.other_ca)
		return false;
	pki.good = make_cert(pki.key, "localhost", "DNS:localhost", pki.ca,
			     pki.ca_key, -3600, 86400, false);
	pki.wrong_host = make_cert(pki.key, "sip.wrong.example",
				   "DNS:sip.wrong.example", pki.ca, pki.ca_key,
				   -3600, 86400, false);
	pki.expired = make_cert(pki.key, "localhost", "DNS:localhost", pki.ca,
				pki.ca_key, -7 * 86400, -86400, false);
	pki.unknown_ca = make_cert(pki.key, "localhost", "DNS:localhost",
				   pki.other_ca, pki.other_ca_key, -3600, 86400,
				   false);
	if (!pki.good || !pki.wrong_host || !pki.expired || !pki.unknown_ca)
		return false;
	snprintf(pki.ca_file, sizeof(pki.ca_file), "%s/tls-ca.pem", log_dir);
	fp = fopen(pki.ca_file, "w");
	if (!fp)
		return false;
	PEM_write_X509(fp, pki.ca);
	fclose(fp);
	pki.ok = true;
	return true;
}

/* A TLS server side on 127.0.0.1 showing @cert, driven by the test. */
struct tls_srv {
	int lfd, fd;
	unsigned port;
	SSL_CTX *ctx;
	SSL *ssl;
	char sni[256];
	int n_accepted;
	struct stream st;
};

static int tls_srv_open(struct tls_srv *t, X509 *cert)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->lfd = tcp_listener(&t->port);
	t->ctx = SSL_CTX_new(TLS_server_method());
	if (t->lfd < 0 || !t->ctx || SSL_CTX_use_certificate(t->ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey(t->ctx, pki.key) != 1)
		return -1;
	return 0;
}

static void tls_srv_drop(struct tls_srv *t)
{
	if (t->ssl)
		SSL_free(t->ssl);
	t->ssl = NULL;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}

static void tls_srv_close(struct tls_srv *t)
{
	tls_srv_drop(t);
	if (t->lfd >= 0)
		close(t->lfd);
	SSL_CTX_free(t->ctx);
}

/*
 * Accept a connection and run its handshake within @ms (the agent runs
 * meanwhile): 1 done, 0 the handshake failed (the agent refused us), -1
 * no connection came.
 */
static int tls_srv_accept(struct fixture *f, struct tls_srv *t, unsigned ms)
{
	unsigned waited;
	const char *sni;
	int fd, r, e;

	tls_srv_drop(t);
	fd = tcp_accept_wait(f, t->lfd, ms);
	if (fd < 0)
		return -1;
	t->n_accepted++;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	t->fd = fd;
	t->ssl = SSL_new(t->ctx);
	SSL_set_fd(t->ssl, fd);
	memset(&t->st, 0, sizeof(t->st));
	for (waited = 0; waited < ms; waited += 20) {
		r = SSL_accept(t->ssl);
		if (r == 1) {
			sni = SSL_get_servername(t->ssl,
						 TLSEXT_NAMETYPE_host_name);
			snprintf(t->sni, sizeof(t->sni), "%s", sni ? sni : "");
			return 1;
		}
		e = SSL_get_error(t->ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
			ERR_clear_error();
			return 0;
		}
		msleep_loop(f, 20);
	}
	return 0;
}

/* What arrives for @ms, or until @until is seen @count times. */
static void tls_srv_read(struct fixture *f, struct tls_srv *t, unsigned ms,
			 const char *until, int count)
{
	struct stream *st = &t->st;
	unsigned waited;

	for (waited = 0; waited <= ms; waited += 20) {
		for (;;) {
			int n = SSL_read(t->ssl, st->buf + st->len,
					 sizeof(st->buf) - 1 - st->len);

			if (n <= 0) {
				int e = SSL_get_error(t->ssl, n);

				if (e == SSL_ERROR_ZERO_RETURN ||
				    e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL)
					st->eof = true;
				ERR_clear_error();
				break;
			}
			st->len += n;
			st->buf[st->len] = '\0';
		}
		if (st->eof)
			return;
		if (until && count_of(st->buf, until) >= count)
			return;
		msleep_loop(f, 20);
	}
}

static bool tls_srv_write(struct fixture *f, struct tls_srv *t,
			  const char *buf, size_t len)
{
	unsigned waited;

	for (waited = 0; len > 0 && waited < 2000; waited += 5) {
		int n = SSL_write(t->ssl, buf, len);

		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (SSL_get_error(t->ssl, n) != SSL_ERROR_WANT_WRITE &&
		    SSL_get_error(t->ssl, n) != SSL_ERROR_WANT_READ)
			return false;
		msleep_loop(f, 5);
	}
	return len == 0;
}

/* An agent for "localhost:@port" over TLS, trusting the test CA. */
static int tls_agent(struct fixture *f, const char *name, unsigned port,
		     const char *pin, unsigned keepalive_ms)
{
	struct sip_account acct = { 0 };
	static char domain[64];

	snprintf(domain, sizeof(domain), "localhost:%u", port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.transport = SIP_TRANSPORT_TLS;
	acct.retry_min_s = 1;
	acct.tls_ca_file = pki.ca_file;
	acct.tls_pin = pin;
	acct.keepalive_ms = keepalive_ms;
	return fixture_init(f, name, &acct);
}

static bool call_confirmed(struct fixture *f)
{
	return has_state(f, SIP_CALL_CONFIRMED);
}

static bool transport_error_set(struct fixture *f)
{
	return sip_agent_transport_error(f->a)[0] != '\0' &&
	       f->reg == SIP_REG_FAILED;
}

/*
 * Registration over TLS (SNI and the name checked; Via TLS, Contact
 * ;transport=tls), then the registrar sends an INVITE for a sips: URI
 * down the same connection (RFC 5626 flow): the agent answers on it with
 * a sips: Contact, no second connection; the keep-alive ping gets its
 * pong and the connection stays.
 */
static void case_tls_register_call_in(void)
{
	struct fixture f;
	struct tls_srv t;
	char resp[2048], contact[300], req[2048], via[300];
	unsigned agent_port;
	int n;

	memset(&f, 0, sizeof(f));
	f.name = "tls_register_call_in_same_connection_keepalive";
	if (!pki_init() || tls_srv_open(&t, pki.good) < 0) {
		result(&f, "test PKI / TLS server setup failed");
		return;
	}
	f.answer_incoming = true;
	if (tls_agent(&f, f.name, t.port, NULL, 600) < 0)
		FAIL(&f, "agent setup failed");
	if (tls_srv_accept(&f, &t, 3000) != 1)
		FAIL(&f, "no TLS handshake: %s",
		     sip_agent_transport_error(f.a));
	if (strcmp(t.sni, "localhost") != 0)
		FAIL(&f, "SNI '%s', want localhost", t.sni);
	tls_srv_read(&f, &t, 2000, "\r\n\r\n", 1);
	if (strncmp(t.st.buf, "REGISTER sip:localhost:", 23) != 0)
		FAIL(&f, "no REGISTER over TLS: %.80s", t.st.buf);
	if (!strstr(t.st.buf, "Via: SIP/2.0/TLS ") ||
	    !strstr(t.st.buf, ";transport=tls>"))
		FAIL(&f, "REGISTER without TLS Via / Contact ;transport=tls");
	if (!header_line(t.st.buf, "Contact:", contact, sizeof(contact)))
		FAIL(&f, "REGISTER without Contact");
	strcat(contact, ";expires=600\r\n");
	n = reply_200(t.st.buf, contact, resp, sizeof(resp));
	if (n < 0 || !tls_srv_write(&f, &t, resp, n))
		FAIL(&f, "cannot answer the REGISTER");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));

	/* the keep-alive: CRLFCRLF within the interval, our pong taken */
	memset(&t.st, 0, sizeof(t.st));
	tls_srv_read(&f, &t, 1500, "\r\n\r\n", 1);
	if (strcmp(t.st.buf, "\r\n\r\n") != 0)
		FAIL(&f, "no CRLF keep-alive ping within 1.5 s (got %zu bytes)",
		     t.st.len);
	tls_srv_write(&f, &t, "\r\n", 2);

	/* an INVITE down our connection */
	agent_port = sip_agent_local_port(f.a);
	snprintf(via, sizeof(via), "Via: SIP/2.0/TLS 127.0.0.1:%u;"
		 "branch=z9hG4bKflow1;rport", t.port);
	n = snprintf(req, sizeof(req),
		     "INVITE sips:alice@127.0.0.1:%u SIP/2.0\r\n"
		     "%s\r\nMax-Forwards: 70\r\n"
		     "From: <sip:bob@localhost>;tag=flowb\r\n"
		     "To: <sip:alice@localhost>\r\n"
		     "Call-ID: flow-call-1@localhost\r\nCSeq: 1 INVITE\r\n"
		     "Contact: <sips:bob@127.0.0.1:%u>\r\n"
		     "Content-Type: application/sdp\r\nContent-Length: %zu\r\n"
		     "\r\n%s", agent_port, via, t.port,
		     strlen("v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
			    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
			    "m=audio 40002 RTP/AVP 0\r\n"),
		     "v=0\r\no=b 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		     "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 0\r\n");
	memset(&t.st, 0, sizeof(t.st));
	if (!tls_srv_write(&f, &t, req, n))
		FAIL(&f, "cannot send the INVITE");
	tls_srv_read(&f, &t, 3000, "SIP/2.0 200 OK", 1);
	if (f.n_invite != 1)
		FAIL(&f, "the INVITE down the flow was not delivered (%d)",
		     f.n_invite);
	if (!strstr(t.st.buf, "SIP/2.0 180 ") ||
	    !strstr(t.st.buf, "SIP/2.0 200 OK"))
		FAIL(&f, "180 and 200 not on the registration's connection");
	/* a sips: Request-URI: our Contact is sips: (RFC 3261 12.1.1) */
	if (!strstr(t.st.buf, "Contact: <sips:alice@127.0.0.1:"))
		FAIL(&f, "the 200's Contact is not a sips: URI");
	if (t.n_accepted != 1 || poll(&(struct pollfd){ .fd = t.lfd,
						       .events = POLLIN }, 1, 0))
		FAIL(&f, "the agent opened another connection");
	n = snprintf(req, sizeof(req),
		     "ACK sips:alice@127.0.0.1:%u SIP/2.0\r\n"
		     "Via: SIP/2.0/TLS 127.0.0.1:%u;branch=z9hG4bKflow2\r\n"
		     "Max-Forwards: 70\r\nFrom: <sip:bob@localhost>;tag=flowb\r\n"
		     "%s\r\nCall-ID: flow-call-1@localhost\r\nCSeq: 1 ACK\r\n"
		     "Content-Length: 0\r\n\r\n", agent_port, t.port,
		     strstr(t.st.buf, "SIP/2.0 200 OK") &&
		     header_line(strstr(t.st.buf, "SIP/2.0 200 OK"), "To:",
				 contact, sizeof(contact)) ? contact : "To: x");
	tls_srv_write(&f, &t, req, n);
	if (!run_until(&f, call_confirmed, 2000))
		FAIL(&f, "the call was not confirmed by the ACK on the flow");
	/* the flow stays up past another keep-alive (pong answered) */
	memset(&t.st, 0, sizeof(t.st));
	tls_srv_read(&f, &t, 1500, "\r\n\r\n", 1);
	if (t.st.eof || !strstr(t.st.buf, "\r\n\r\n"))
		FAIL(&f, "no second keep-alive ping (eof %d)", t.st.eof);
	PASS(&f);
out:
	tls_srv_close(&t);
	fixture_done(&f);
}

/*
 * A certificate the agent must refuse: the handshake fails, no REGISTER
 * crosses, the registration fails (503) and retries with backoff, the
 * reason is in one log line and in sip_agent_transport_error().
 */
static void case_tls_refused(const char *name, X509 *cert, const char *pin,
			     const char *why)
{
	struct fixture f;
	struct tls_srv t;
	int r;

	memset(&f, 0, sizeof(f));
	f.name = name;
	n_refused_lines = 0;
	if (!pki_init() || tls_srv_open(&t, cert) < 0) {
		result(&f, "test PKI / TLS server setup failed");
		return;
	}
	if (tls_agent(&f, f.name, t.port, pin, 0) < 0)
		FAIL(&f, "agent setup failed");
	r = tls_srv_accept(&f, &t, 3000);
	if (r < 0)
		FAIL(&f, "the agent did not connect");
	if (r == 1) {
		/* TLS 1.3: the client's refusal comes after our side is done;
		 * nothing must follow it */
		tls_srv_read(&f, &t, 1000, "\r\n\r\n", 1);
		if (t.st.len)
			FAIL(&f, "the agent sent %zu bytes over a refused "
			     "connection", t.st.len);
	}
	if (!run_until(&f, transport_error_set, 3000))
		FAIL(&f, "no transport error (%s)", reg_last(&f));
	if (!strstr(sip_agent_transport_error(f.a), why))
		FAIL(&f, "transport error '%s', want '%s'",
		     sip_agent_transport_error(f.a), why);
	if (f.reg_status != 503)
		FAIL(&f, "registration failed with %d, want 503", f.reg_status);
	if (n_refused_lines != 1)
		FAIL(&f, "%d log lines say why, want 1", n_refused_lines);
	/* the retry (retry_min_s 1) connects again, and is refused again */
	if (tls_srv_accept(&f, &t, 3000) < 0)
		FAIL(&f, "no retry after the refusal");
	PASS(&f);
out:
	tls_srv_close(&t);
	fixture_done(&f);
}

/*
 * The certificate's SHA-256 as tls_pin: a self-signed one is accepted;
 * then a call to a sips: URI goes on that connection with a sips: Contact.
 */
static void case_tls_pin(void)
{
	struct fixture f;
	struct tls_srv t;
	unsigned char md[32];
	unsigned mdlen = 0, i;
	char pin[100], resp[2048];
	X509 *self = NULL;
	int n;

	memset(&f, 0, sizeof(f));
	f.name = "tls_pinned_self_signed_registers_sips_call";
	if (!pki_init() ||
	    !(self = make_cert(pki.key, "pbx", "DNS:pbx.invalid", NULL, NULL,
			       -3600, 86400, false)) ||
	    tls_srv_open(&t, self) < 0) {
		result(&f, "test PKI / TLS server setup failed");
		X509_free(self);
		return;
	}
	X509_digest(self, EVP_sha256(), md, &mdlen);
	for (i = 0; i < 32; i++)
		sprintf(pin + 3 * i, "%02X%s", md[i], i < 31 ? ":" : "");
	if (tls_agent(&f, f.name, t.port, pin, 0) < 0)
		FAIL(&f, "agent setup failed");
	if (tls_srv_accept(&f, &t, 3000) != 1)
		FAIL(&f, "no TLS handshake: %s", sip_agent_transport_error(f.a));
	tls_srv_read(&f, &t, 2000, "\r\n\r\n", 1);
	n = reply_200(t.st.buf, NULL, resp, sizeof(resp));
	if (n < 0 || !tls_srv_write(&f, &t, resp, n))
		FAIL(&f, "no REGISTER over the pinned connection");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	if (sip_agent_transport_error(f.a)[0])
		FAIL(&f, "transport error '%s'", sip_agent_transport_error(f.a));
	/* a call to a sips: URI: on the same connection, Contact sips: */
	{
		struct sdp_local l = {
			.address = "127.0.0.1", .rtp_port = 40000,
			.session_id = 7, .session_version = 1,
			.direction = SDP_SENDRECV,
		};
		char offer[SDP_TEXT_MAX], target[80];

		sdp_build_offer(&l, offer, sizeof(offer));
		snprintf(target, sizeof(target), "sips:bob@localhost:%u",
			 t.port);
		memset(&t.st, 0, sizeof(t.st));
		if (sip_call_invite_replaces(f.a, target, offer, NULL, NULL,
					     &f.call) < 0)
			FAIL(&f, "cannot call %s", target);
		tls_srv_read(&f, &t, 2000, "\r\n\r\n", 1);
		if (strncmp(t.st.buf, "INVITE sips:bob@localhost:", 26) != 0)
			FAIL(&f, "no INVITE for the sips: URI on the connection: "
			     "%.60s", t.st.buf);
		if (!strstr(t.st.buf, "Contact: <sips:alice@127.0.0.1:") ||
		    !strstr(t.st.buf, "Via: SIP/2.0/TLS "))
			FAIL(&f, "the INVITE to a sips: URI lacks a sips: Contact");
	}
	PASS(&f);
out:
	tls_srv_close(&t);
	X509_free(self);
	fixture_done(&f);
}

static int accept_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

/*
 * tls_cert/tls_key: the agent shows its certificate to a server that asks
 * for one, and serves TLS on its own port (the listener): a client that
 * checks the agent's certificate against the test CA and "localhost" gets
 * its OPTIONS answered over TLS.
 */
static void case_tls_client_cert_listener(void)
{
	struct fixture f;
	struct tls_srv t;
	struct sip_account acct = { 0 };
	char cert_file[300], key_file[300], domain[64], msg[2048];
	SSL_CTX *cctx = NULL;
	SSL *cssl = NULL;
	struct stream st = { .len = 0 };
	unsigned waited;
	X509 *peer;
	FILE *fp;
	int fd = -1, n, r;

	memset(&f, 0, sizeof(f));
	f.name = "tls_client_certificate_and_listener";
	if (!pki_init() || tls_srv_open(&t, pki.good) < 0) {
		result(&f, "test PKI / TLS server setup failed");
		return;
	}
	snprintf(cert_file, sizeof(cert_file), "%s/tls-agent.pem", log_dir);
	snprintf(key_file, sizeof(key_file), "%s/tls-agent.key", log_dir);
	fp = fopen(cert_file, "w");
	if (fp) {
		PEM_write_X509(fp, pki.good);
		fclose(fp);
	}
	fp = fopen(key_file, "w");
	if (fp) {
		PEM_write_PrivateKey(fp, pki.key, NULL, NULL, 0, NULL, NULL);
		fclose(fp);
	}
	SSL_CTX_set_verify(t.ctx, SSL_VERIFY_PEER |
			   SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
	snprintf(domain, sizeof(domain), "localhost:%u", t.port);
	acct.domain = domain;
	acct.register_enabled = true;
	acct.transport = SIP_TRANSPORT_TLS;
	acct.tls_ca_file = pki.ca_file;
	acct.tls_cert = cert_file;
	acct.tls_key = key_file;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (tls_srv_accept(&f, &t, 3000) != 1)
		FAIL(&f, "no TLS handshake with a client certificate: %s",
		     sip_agent_transport_error(f.a));
	peer = SSL_get0_peer_certificate(t.ssl);
	if (!peer || X509_cmp(peer, pki.good) != 0)
		FAIL(&f, "the agent did not show its tls_cert");

	/* a TLS client to the agent's port */
	fd = tcp_connect_agent(&f);
	cctx = SSL_CTX_new(TLS_client_method());
	if (fd < 0 || !cctx)
		FAIL(&f, "no TCP listener on the agent's port");
	X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), pki.ca);
	SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	cssl = SSL_new(cctx);
	SSL_set_fd(cssl, fd);
	SSL_set_tlsext_host_name(cssl, "localhost");
	SSL_set1_host(cssl, "localhost");
	for (waited = 0; (r = SSL_connect(cssl)) != 1 && waited < 3000;
	     waited += 20) {
		int e = SSL_get_error(cssl, r);

		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			FAIL(&f, "handshake with the agent's listener failed "
			     "(verify %ld)", SSL_get_verify_result(cssl));
		msleep_loop(&f, 20);
	}
	if (r != 1)
		FAIL(&f, "handshake with the agent's listener timed out");
	n = build_options(msg, sizeof(msg), fd, "tlsopt", NULL);
	if (SSL_write(cssl, msg, n) != n)
		FAIL(&f, "cannot send OPTIONS");
	for (waited = 0; waited < 3000 && !strstr(st.buf, "SIP/2.0 200");
	     waited += 20) {
		n = SSL_read(cssl, st.buf + st.len, sizeof(st.buf) - 1 - st.len);
		if (n > 0) {
			st.len += n;
			st.buf[st.len] = '\0';
			continue;
		}
		msleep_loop(&f, 20);
	}
	if (!strstr(st.buf, "SIP/2.0 200"))
		FAIL(&f, "no 200 for OPTIONS over the listener's TLS: %.60s",
		     st.buf);
	PASS(&f);
out:
	SSL_free(cssl);
	SSL_CTX_free(cctx);
	if (fd >= 0)
		close(fd);
	tls_srv_close(&t);
	fixture_done(&f);
}

/*
 * A server that takes the connection and never answers the ClientHello:
 * the agent gives up after SIP_TLS_HANDSHAKE_MS (10 s), the REGISTER
 * fails with 503 and the reason is kept.  (In a child: 10 s.)
 */
static void case_tls_handshake_timeout(void)
{
	struct fixture f;
	unsigned port = 0;
	int lfd, cfd = -1;
	long t_conn, t_fail;
	char buf[2048];
	ssize_t n;

	memset(&f, 0, sizeof(f));
	f.name = "tls_handshake_timeout_10s";
	lfd = tcp_listener(&port);
	if (lfd < 0 || !pki_init()) {
		result(&f, "listener / PKI");
		return;
	}
	if (tls_agent(&f, f.name, port, NULL, 0) < 0)
		FAIL(&f, "agent setup failed");
	cfd = tcp_accept_wait(&f, lfd, 3000);
	if (cfd < 0)
		FAIL(&f, "the agent did not connect");
	t_conn = ms_since(&f.t0);
	if (!run_until(&f, transport_error_set, 13000))
		FAIL(&f, "still waiting after 13 s (%s)", reg_last(&f));
	t_fail = ms_since(&f.t0) - t_conn;
	if (!strstr(sip_agent_transport_error(f.a), "TLS handshake timeout"))
		FAIL(&f, "transport error '%s'", sip_agent_transport_error(f.a));
	if (t_fail < 9500 || f.reg_status != 503)
		FAIL(&f, "failed %d after %ld ms, want 503 after 10 s",
		     f.reg_status, t_fail);
	/* what came is the ClientHello, then the end */
	while ((n = recv(cfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		;
	if (n != 0)
		FAIL(&f, "the agent did not close the connection");
	PASS(&f);
out:
	if (cfd >= 0)
		close(cfd);
	close(lfd);
	fixture_done(&f);
}

/*
 * RFC 5626 4.4.1: a registrar that answered one ping with a pong and then
 * misses one for 10 s has lost the flow: the agent drops the connection
 * and registers again over a new one.  (In a child: 10 s.)
 */
static void case_tls_pong_missed(void)
{
	struct fixture f;
	struct tls_srv t;
	char resp[2048];
	long t_ping;
	int n;

	memset(&f, 0, sizeof(f));
	f.name = "tls_keepalive_pong_missed_reregisters";
	if (!pki_init() || tls_srv_open(&t, pki.good) < 0) {
		result(&f, "test PKI / TLS server setup failed");
		return;
	}
	if (tls_agent(&f, f.name, t.port, NULL, 500) < 0)
		FAIL(&f, "agent setup failed");
	if (tls_srv_accept(&f, &t, 3000) != 1)
		FAIL(&f, "no TLS handshake");
	tls_srv_read(&f, &t, 2000, "\r\n\r\n", 1);
	n = reply_200(t.st.buf, NULL, resp, sizeof(resp));
	if (n < 0 || !tls_srv_write(&f, &t, resp, n) ||
	    !wait_reg(&f, SIP_REG_REGISTERED, 1, 2000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	memset(&t.st, 0, sizeof(t.st));
	tls_srv_read(&f, &t, 1500, "\r\n\r\n", 1);
	if (strcmp(t.st.buf, "\r\n\r\n") != 0)
		FAIL(&f, "no first ping");
	tls_srv_write(&f, &t, "\r\n", 2);
	memset(&t.st, 0, sizeof(t.st));
	tls_srv_read(&f, &t, 1500, "\r\n\r\n", 1);
	if (strcmp(t.st.buf, "\r\n\r\n") != 0)
		FAIL(&f, "no second ping");
	t_ping = ms_since(&f.t0);
	/* not answered: the agent closes within 10 s (+ a timer's slack) */
	memset(&t.st, 0, sizeof(t.st));
	tls_srv_read(&f, &t, 12000, NULL, 0);
	if (!t.st.eof)
		FAIL(&f, "the connection stays after a missed pong");
	if (ms_since(&f.t0) - t_ping < 9500)
		FAIL(&f, "closed %ld ms after the ping, want 10 s",
		     ms_since(&f.t0) - t_ping);
	if (tls_srv_accept(&f, &t, 4000) != 1)
		FAIL(&f, "no new connection after the flow was lost");
	tls_srv_read(&f, &t, 2000, "\r\n\r\n", 1);
	if (strncmp(t.st.buf, "REGISTER ", 9) != 0)
		FAIL(&f, "no REGISTER on the new connection");
	PASS(&f);
out:
	tls_srv_close(&t);
	fixture_done(&f);
}

/*
 * ---- RFC 3263: NAPTR, SRV order and weights, failover ----
 */

/* A NAPTR record (name: the question's) with @flags, @service, @repl. */
static void put_naptr(struct pkt *p, unsigned order, unsigned pref,
		      const char *flags, const char *service,
		      const char *repl)
{
	size_t rdlen_at;

	put16(p, 0xc00c);
	put16(p, ns_t_naptr);
	put16(p, ns_c_in);
	put16(p, 0);
	put16(p, 120);
	rdlen_at = p->n;
	put16(p, 0);
	put16(p, order);
	put16(p, pref);
	put8(p, strlen(flags));
	memcpy(p->b + p->n, flags, strlen(flags));
	p->n += strlen(flags);
	put8(p, strlen(service));
	memcpy(p->b + p->n, service, strlen(service));
	p->n += strlen(service);
	put8(p, 0);			/* no regexp */
	put_name(p, repl, -1);
	p->b[rdlen_at] = (p->n - rdlen_at - 2) >> 8;
	p->b[rdlen_at + 1] = (p->n - rdlen_at - 2) & 0xff;
}

static uint32_t lcg_state;

static double sqrt_newton(double x)
{
	double r = x > 1 ? x : 1;
	int i;

	for (i = 0; i < 60; i++)
		r = (r + x / r) / 2;
	return r;
}

static uint32_t lcg(void *ctx)
{
	(void)ctx;
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 1 ^ lcg_state << 17;
}

/*
 * RFC 2782 with a seeded generator, counted over 20000 orderings of one
 * answer: priority 10 weights 10, 30 and 0, priority 20 weight 5.  The
 * first place goes to weight 30 with 30/41, 10 with 10/41, 0 with 1/41
 * (the draw of 0); priority 20 is always last.  Limits: 5 standard
 * deviations.  Then all weights 0: the answer's order.  Then NAPTR.
 */
static void case_srv_order(void)
{
	struct fixture f = { .name = "dns_srv_rfc2782_order_seeded_naptr_parse" };
	struct sip_srv_rr rr[8], w[8];
	struct sip_naptr_rr nr[8];
	unsigned first[4] = { 0 }, i, k;
	const unsigned n_draws = 20000;
	const double want[3] = { 10.0 / 41, 30.0 / 41, 1.0 / 41 };
	uint32_t ttl = 0;
	struct pkt p;
	int n;

	dns_header(&p, 0x8180, 4);
	put_srv(&p, 10, 10, 5061, "ten.fxs.test", -1);
	put_srv(&p, 20, 5, 5064, "low.fxs.test", -1);
	put_srv(&p, 10, 30, 5062, "thirty.fxs.test", -1);
	put_srv(&p, 10, 0, 5063, "zero.fxs.test", -1);
	n = sip_srv_parse(p.b, p.n, rr, 8, &ttl);
	if (n != 4 || ttl != 300 || strcmp(rr[2].target, "thirty.fxs.test") ||
	    rr[2].prio != 10 || rr[2].weight != 30 || rr[2].port != 5062) {
		result(&f, "parsed %d records, ttl %u", n, ttl);
		return;
	}
	lcg_state = 42;
	for (i = 0; i < n_draws; i++) {
		memcpy(w, rr, sizeof(w));
		sip_srv_order(w, 4, lcg, NULL);
		if (strcmp(w[3].target, "low.fxs.test") != 0) {
			result(&f, "priority 20 not last: %s", w[3].target);
			return;
		}
		k = w[0].port - 5061;	/* 0 ten, 1 thirty, 2 zero */
		if (k > 2) {
			result(&f, "first %s", w[0].target);
			return;
		}
		first[k]++;
	}
	for (k = 0; k < 3; k++) {
		double m = n_draws * want[k];
		double sd = sqrt_newton(n_draws * want[k] * (1 - want[k]));

		if (first[k] < m - 5 * sd || first[k] > m + 5 * sd) {
			result(&f, "first place: ten %u thirty %u zero %u of %u (want %.0f %.0f %.0f)",
			       first[0], first[1], first[2], n_draws,
			       n_draws * want[0], n_draws * want[1],
			       n_draws * want[2]);
			return;
		}
	}
	printf("# seeded RFC 2782 draws, first place of %u: weight 10 %u, 30 %u, 0 %u\n",
	       n_draws, first[0], first[1], first[2]);
	dns_header(&p, 0x8180, 3);
	put_srv(&p, 1, 0, 1, "a.fxs.test", -1);
	put_srv(&p, 1, 0, 2, "b.fxs.test", -1);
	put_srv(&p, 0, 0, 3, "c.fxs.test", -1);
	n = sip_srv_parse(p.b, p.n, w, 8, NULL);
	sip_srv_order(w, n, lcg, NULL);
	if (n != 3 || w[0].port != 3 || w[1].port != 1 || w[2].port != 2) {
		result(&f, "weights 0: order %u %u %u", w[0].port, w[1].port,
		       w[2].port);
		return;
	}
	/* NAPTR: order, then preference; unknown services and flags out */
	dns_header(&p, 0x8180, 6);
	put_naptr(&p, 10, 20, "s", "SIP+D2T", "_sip._tcp.fxs.test");
	put_naptr(&p, 10, 10, "S", "SIP+D2U", "_sip._udp.fxs.test");
	put_naptr(&p, 5, 50, "s", "SIPS+D2T", "_sips._tcp.fxs.test");
	put_naptr(&p, 1, 1, "u", "E2U+sip", "x.fxs.test");
	put_naptr(&p, 1, 1, "s", "SIP+D2S", "_sip._sctp.fxs.test");
	put_naptr(&p, 1, 1, "a", "SIP+D2U", "a.fxs.test");
	n = sip_naptr_parse(p.b, p.n, nr, 8, &ttl);
	if (n != 3 || ttl != 120 || nr[0].transport != SIP_TRANSPORT_TLS ||
	    strcmp(nr[0].replacement, "_sips._tcp.fxs.test") ||
	    nr[1].transport != SIP_TRANSPORT_UDP ||
	    nr[2].transport != SIP_TRANSPORT_TCP ||
	    strcmp(nr[2].replacement, "_sip._tcp.fxs.test")) {
		result(&f, "NAPTR: %d records (%s first)", n,
		       n > 0 ? nr[0].replacement : "-");
		return;
	}
	if (sip_naptr_parse(p.b, p.n - 3, nr, 8, NULL) != -EBADMSG) {
		result(&f, "truncated NAPTR not refused");
		return;
	}
	PASS(&f);
}

/* Is a UDP socket bound to @ip:@port? (/proc/net/udp) */
static bool udp_bound_at(const char *ip, unsigned port)
{
	struct in_addr in;
	char line[256], want[32];
	bool found = false;
	FILE *fp = fopen("/proc/net/udp", "r");

	if (!fp)
		return true;
	inet_pton(AF_INET, ip, &in);
	snprintf(want, sizeof(want), " %08X:%04X ", in.s_addr, port);
	while (!found && fgets(line, sizeof(line), fp))
		found = strstr(line, want) != NULL;
	fclose(fp);
	return found;
}

/* A sipp registrar on @ip:@port, listening when this returns 0. */
static int registrar_at(struct fixture *f, const char *file, const char *ip,
			unsigned port, const char *const *extra)
{
	const char *args[32];
	char sf[300], port_s[8];
	int n = 0, i;

	scen(sf, sizeof(sf), file);
	snprintf(port_s, sizeof(port_s), "%u", port);
	args[n++] = "-sf";
	args[n++] = sf;
	args[n++] = "-i";
	args[n++] = ip;
	args[n++] = "-p";
	args[n++] = port_s;
	while (extra && *extra && n < 30)
		args[n++] = *extra++;
	args[n] = NULL;
	if (spawn_sipp(f, args) < 0)
		return -1;
	for (i = 0; i < 250 && !udp_bound_at(ip, port); i++) {
		reap_sipp(f);
		if (f->sipp_done)
			return -1;
		usleep(20000);
	}
	return udp_bound_at(ip, port) ? 0 : -1;
}

static bool not_resolving(struct fixture *f)
{
	return !sip_agent_resolving(f->a);
}

/*
 * SRV weights through real lookups: _sip._udp.w.fxs.test has two targets
 * of one priority, weights 1 (127.0.0.2) and 3 (127.0.0.3), both in
 * every answer; over 200 lookups the heavier is first about 150 times
 * (3/4; accepted 120-180, 5 standard deviations), the other the rest.
 */
static void case_dnsmasq_weights(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	const char *rec[] = {
		"--srv-host=_sip._udp.w.fxs.test,light.fxs.test,5070,10,1",
		"--srv-host=_sip._udp.w.fxs.test,heavy.fxs.test,5080,10,3",
		"--host-record=light.fxs.test,127.0.0.2",
		"--host-record=heavy.fxs.test,127.0.0.3", NULL,
	};
	char list[512];
	unsigned heavy = 0, light = 0, i;
	int r;

	memset(&f, 0, sizeof(f));
	f.name = "dns_srv_weights_200_lookups";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	acct.domain = "w.fxs.test";
	acct.register_enabled = false;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	for (i = 0; i < 200; i++) {
		r = sip_agent_resolve_again(f.a);
		if (r < 0 && r != -EINPROGRESS)
			FAIL(&f, "lookup %u: %d", i, r);
		if (!run_until(&f, not_resolving, 3000))
			FAIL(&f, "lookup %u did not end", i);
		if (sip_agent_targets(f.a, list, sizeof(list)) != 0)
			FAIL(&f, "lookup %u: no candidates", i);
		if (strcmp(list, "127.0.0.3:5080/udp 127.0.0.2:5070/udp") == 0)
			heavy++;
		else if (strcmp(list, "127.0.0.2:5070/udp 127.0.0.3:5080/udp") == 0)
			light++;
		else
			FAIL(&f, "lookup %u: candidates %s", i, list);
	}
	printf("# 200 lookups: weight 3 first %u times, weight 1 %u\n", heavy,
	       light);
	if (heavy < 120 || heavy > 180)
		FAIL(&f, "weight 3 first %u of 200 times, want 120-180", heavy);
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
}

/*
 * NAPTR chooses the transport: n.fxs.test prefers SIP+D2T (order 10)
 * to SIP+D2U (order 20); an account with no transport configured asks
 * NAPTR, then SRV _sip._tcp.n.fxs.test, and registers over TCP with the
 * sipp there (the UDP record leads to a port nobody listens on).  The
 * DNS server is the account's dns_server (FXSD_DNS_SERVER unset).
 */
static void case_dnsmasq_naptr(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	const char *extra[] = { "-t", "t1", "-key", "expires", "120", NULL };
	unsigned port = free_port("127.0.0.1");
	char tcp_srv[128], list[256];
	const char *rec[] = {
		"--naptr-record=n.fxs.test,20,10,s,SIP+D2U,,_sip._udp.n.fxs.test",
		"--naptr-record=n.fxs.test,10,10,s,SIP+D2T,,_sip._tcp.n.fxs.test",
		"--srv-host=_sip._udp.n.fxs.test,u.fxs.test,9,10,0",
		tcp_srv,
		"--host-record=u.fxs.test,127.0.0.1",
		"--host-record=t.fxs.test,127.0.0.1", NULL,
	};
	long naptr, srv;

	memset(&f, 0, sizeof(f));
	f.name = "dns_naptr_picks_tcp";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	snprintf(tcp_srv, sizeof(tcp_srv),
		 "--srv-host=_sip._tcp.n.fxs.test,t.fxs.test,%u,10,0", port);
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	if (spawn_registrar(&f, "reg_ok.xml", port, extra) < 0)
		FAIL(&f, "cannot start sipp");
	acct.domain = "n.fxs.test";
	acct.register_enabled = true;
	acct.transport_auto = true;
	/* the account's dns_server, not the environment, names dnsmasq */
	acct.dns_server = dnsmasq_server;
	unsetenv("FXSD_DNS_SERVER");
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered over TCP through NAPTR: %s",
		     reg_last(&f));
	sip_agent_targets(f.a, list, sizeof(list));
	if (!strstr(list, "/tcp"))
		FAIL(&f, "candidates %s, want TCP", list);
	naptr = dnsmasq_seen("query[NAPTR] n.fxs.test from");
	srv = dnsmasq_seen("query[SRV] _sip._tcp.n.fxs.test from");
	if (naptr < 0 || srv < naptr)
		FAIL(&f, "dnsmasq was not asked NAPTR n.fxs.test then SRV _sip._tcp.n.fxs.test (%s)",
		     dnsmasq_log);
	if (dnsmasq_seen("query[SRV] _sip._udp.n.fxs.test") >= 0)
		FAIL(&f, "the less preferred UDP record was followed (%s)",
		     dnsmasq_log);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
}

static bool reg_at_second(struct fixture *f)
{
	char list[256];

	return reg_event(f, SIP_REG_REGISTERED, 1) >= 0 &&
	       sip_agent_targets(f->a, list, sizeof(list)) == 1;
}

/*
 * Failover: _sip._udp.fo.fxs.test names p1 (127.0.0.2, priority 10) and
 * p2 (127.0.0.3, priority 20).  fxsd registers at p1; p1's registrar
 * goes away; the next REGISTER is unanswered for failover_timeout_ms
 * (300 ms here) and goes to p2, which registers it: within 300 ms plus
 * 1.5 s of margin.  Then p1 comes back: the OPTIONS probe (every 1 s
 * here, retransmitted T1 doubling to 4 s while p1 is silent) gets its
 * 200, and fxsd registers at p1 again (within probe + T2 = 5 s, plus
 * margin).
 */
static void case_dnsmasq_failover(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	const char *extra[] = { "-key", "expires", "120", NULL };
	unsigned p1 = free_port("127.0.0.2"), p2 = free_port("127.0.0.3");
	char srv1[128], srv2[128], list[256];
	const char *rec[] = {
		srv1, srv2,
		"--host-record=p1.fxs.test,127.0.0.2",
		"--host-record=p2.fxs.test,127.0.0.3", NULL,
	};
	struct timespec t;
	long ms;

	memset(&f, 0, sizeof(f));
	f.name = "dns_srv_failover_and_back";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	snprintf(srv1, sizeof(srv1),
		 "--srv-host=_sip._udp.fo.fxs.test,p1.fxs.test,%u,10,0", p1);
	snprintf(srv2, sizeof(srv2),
		 "--srv-host=_sip._udp.fo.fxs.test,p2.fxs.test,%u,20,0", p2);
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	if (registrar_at(&f, "reg_ok.xml", "127.0.0.2", p1, extra) < 0)
		FAIL(&f, "cannot start sipp on 127.0.0.2");
	acct.domain = "fo.fxs.test";
	acct.register_enabled = true;
	acct.bind_address = "0.0.0.0";
	acct.failover_timeout_ms = 300;
	acct.failover_probe_s = 1;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered at p1: %s", reg_last(&f));
	if (sip_agent_targets(f.a, list, sizeof(list)) != 0)
		FAIL(&f, "registered, but not at the first candidate: %s", list);
	SIPP_OK(&f);		/* p1's registrar is gone now */
	if (registrar_at(&f, "reg_ok.xml", "127.0.0.3", p2, extra) < 0)
		FAIL(&f, "cannot start sipp on 127.0.0.3");
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (sip_agent_register_now(f.a) < 0)
		FAIL(&f, "register_now failed");
	if (!run_until(&f, reg_at_second, 5000))
		FAIL(&f, "no failover to p2: %s", reg_last(&f));
	ms = ms_since(&t);
	printf("# failover to the second registrar in %ld ms\n", ms);
	if (ms > 1800)
		FAIL(&f, "failover took %ld ms, want <= 1800", ms);
	SIPP_OK(&f);
	f.sipp_calls = "2";	/* the probe, then the REGISTER */
	if (registrar_at(&f, "reg_probe_back.xml", "127.0.0.2", p1, extra) < 0)
		FAIL(&f, "cannot start sipp on 127.0.0.2 again");
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!wait_reg(&f, SIP_REG_REGISTERED, 3, 9000))
		FAIL(&f, "not back at p1: %s", reg_last(&f));
	ms = ms_since(&t);
	printf("# back at the first registrar %ld ms after it returned\n", ms);
	if (sip_agent_targets(f.a, list, sizeof(list)) != 0)
		FAIL(&f, "registered again, but not at p1: %s", list);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
}

/*
 * An INVITE answered 503 by the registrar in use (p1 of an SRV set)
 * moves the registration to the next (p2) at once: REGISTER there, and
 * the next call goes there too (the failed call is not retried).
 */
static void case_dnsmasq_invite_failover(void)
{
	struct fixture f, f2;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.address = "127.0.0.1", .rtp_port = 40000,
		.session_id = 1, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	const char *extra[] = { "-key", "expires", "120", NULL };
	unsigned p1 = free_port("127.0.0.2"), p2 = free_port("127.0.0.3");
	char srv1[128], srv2[128], list[256], offer[SDP_TEXT_MAX];
	const char *rec[] = {
		srv1, srv2,
		"--host-record=p1.fxs.test,127.0.0.2",
		"--host-record=p2.fxs.test,127.0.0.3", NULL,
	};

	memset(&f, 0, sizeof(f));
	memset(&f2, 0, sizeof(f2));
	f.name = "dns_srv_invite_503_moves_registration";
	f2.name = "dns_srv_invite_503_moves_registration.p2";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	snprintf(srv1, sizeof(srv1),
		 "--srv-host=_sip._udp.iv.fxs.test,p1.fxs.test,%u,10,0", p1);
	snprintf(srv2, sizeof(srv2),
		 "--srv-host=_sip._udp.iv.fxs.test,p2.fxs.test,%u,20,0", p2);
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	if (registrar_at(&f2, "reg_ok.xml", "127.0.0.3", p2, extra) < 0)
		FAIL(&f, "cannot start sipp on 127.0.0.3");
	if (registrar_at(&f, "reg_ok.xml", "127.0.0.2", p1, extra) < 0)
		FAIL(&f, "cannot start sipp on 127.0.0.2");
	acct.domain = "iv.fxs.test";
	acct.register_enabled = true;
	acct.bind_address = "0.0.0.0";
	acct.failover_probe_s = 3600;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 5000))
		FAIL(&f, "not registered at p1: %s", reg_last(&f));
	SIPP_OK(&f);
	if (registrar_at(&f, "uas_503.xml", "127.0.0.2", p1, NULL) < 0)
		FAIL(&f, "cannot start the 503 sipp on 127.0.0.2");
	sdp_build_offer(&l, offer, sizeof(offer));
	if (sip_call_invite(f.a, "3000", offer, &f.call) < 0)
		FAIL(&f, "sip_call_invite failed");
	if (!run_until(&f, call_final, 5000) ||
	    state_status(&f, SIP_CALL_FAILED) != 503)
		FAIL(&f, "the call did not fail with 503");
	if (!run_until(&f, reg_at_second, 3000))
		FAIL(&f, "the registration did not move to p2: %s",
		     reg_last(&f));
	sip_agent_targets(f.a, list, sizeof(list));
	SIPP_OK(&f);
	for (int i = 0; i < 150 && !f2.sipp_done; i++) {
		reap_sipp(&f2);
		run_until(&f, NULL, 20);
	}
	if (!f2.sipp_done || f2.sipp_status != 0)
		FAIL(&f, "p2's sipp %s (%d)", f2.sipp_done ? "failed" :
		     "still running", f2.sipp_status);
	PASS(&f);
out:
	if (f2.sipp > 0 && !f2.sipp_done) {
		kill(f2.sipp, SIGTERM);
		waitpid(f2.sipp, NULL, 0);
	}
	fixture_done(&f);
	dnsmasq_stop();
}

/* How many times @what is in dnsmasq's log. */
static int dnsmasq_count(const char *what)
{
	static char buf[65536];
	size_t n;
	int count = 0;
	FILE *fp = fopen(dnsmasq_log, "r");
	char *p;

	if (!fp)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, what)); p++)
		count++;
	return count;
}

/*
 * The records' TTL (dnsmasq's local records: 0, taken as 1 s) runs out
 * before the refresh REGISTER (the registrar grants 4 s: at 2 s): the
 * name is looked up again, and the refresh goes at once to the address in
 * use while it is (no wait for DNS).
 */
static void case_dnsmasq_ttl(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1");
	char srv[128];
	const char *rec[] = {
		srv, "--host-record=ttl1.fxs.test,127.0.0.1", NULL,
	};
	int n;

	memset(&f, 0, sizeof(f));
	f.name = "dns_ttl_expired_looked_up_again";
	if (dnsmasq_missing()) {
		skip(&f, "dnsmasq not installed");
		return;
	}
	snprintf(srv, sizeof(srv),
		 "--srv-host=_sip._udp.ttl.fxs.test,ttl1.fxs.test,%u,10,0",
		 port);
	if (dnsmasq_start(&f, rec) < 0)
		FAIL(&f, "dnsmasq did not start (%s)", dnsmasq_log);
	if (spawn_registrar(&f, "reg_refresh.xml", port, NULL) < 0)
		FAIL(&f, "cannot start sipp");
	acct.domain = "ttl.fxs.test";
	acct.register_enabled = true;
	acct.expires = 600;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 2, 8000))
		FAIL(&f, "no refresh: %s", reg_last(&f));
	n = dnsmasq_count("query[SRV] _sip._udp.ttl.fxs.test from");
	if (n < 2)
		FAIL(&f, "SRV asked %d time(s), want 2 (%s)", n, dnsmasq_log);
	SIPP_OK(&f);
	PASS(&f);
out:
	fixture_done(&f);
	dnsmasq_stop();
}

/* ---- NAT: received/rport, keep-alives, STUN ---- */

/*
 * A sipp registrar (reg_nat.xml) answers with received/rport of another
 * address: the next REGISTER (at once) carries it in Contact and the old
 * Contact with expires=0; an INVITE then names it in Contact and, built
 * from sip_agent_media_address(), in the SDP's c= line (the INVITE goes
 * to the domain, a raw socket here: sipp takes one Call-ID per
 * scenario); when the address moves again, the same once more.
 */
static void case_nat_rport(void)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	struct sdp_local l = {
		.rtp_port = 40002, .session_id = 7, .session_version = 1,
		.direction = SDP_SENDRECV,
	};
	unsigned port = free_port("127.0.0.1"), cport = 0;
	char registrar[64], domain[64], addr[64], line[300];
	char buf[4096], offer[SDP_TEXT_MAX];
	int ufd = raw_socket(), i1, i2;
	ssize_t n;

	memset(&f, 0, sizeof(f));
	f.name = "nat_received_rport_contact_sdp_reregister";
	if (ufd < 0) {
		result(&f, "no socket");
		return;
	}
	if (spawn_registrar(&f, "reg_nat.xml", port, NULL) < 0) {
		result(&f, "cannot start sipp");
		close(ufd);
		return;
	}
	usleep(400000);
	snprintf(registrar, sizeof(registrar), "127.0.0.1:%u", port);
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(ufd));
	acct.domain = domain;
	acct.registrar = registrar;
	acct.register_enabled = true;
	acct.expires = 600;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	if (!wait_reg(&f, SIP_REG_REGISTERED, 2, 8000))
		FAIL(&f, "not registered again with the public address: %s",
		     reg_last(&f));
	i1 = reg_event(&f, SIP_REG_REGISTERED, 0);
	i2 = reg_event(&f, SIP_REG_REGISTERED, 1);
	if (f.reg_ms[i2] - f.reg_ms[i1] > 1000)
		FAIL(&f, "re-registered %ld ms later, want at once",
		     f.reg_ms[i2] - f.reg_ms[i1]);
	sip_agent_contact_address(f.a, addr, sizeof(addr), &cport);
	if (strcmp(addr, "192.0.2.33") != 0 || cport != 40000)
		FAIL(&f, "Contact address %s:%u, want 192.0.2.33:40000", addr,
		     cport);
	if (sip_agent_media_address(f.a, addr, sizeof(addr)) < 0 ||
	    strcmp(addr, "192.0.2.33") != 0)
		FAIL(&f, "media address %s, want 192.0.2.33", addr);
	l.address = addr;
	sdp_build_offer(&l, offer, sizeof(offer));
	if (sip_call_invite(f.a, "2000", offer, &f.call) < 0)
		FAIL(&f, "sip_call_invite failed");
	n = raw_wait(&f, ufd, buf, sizeof(buf), 3000);
	if (n <= 0 || strncmp(buf, "INVITE sip:2000@", 16) != 0)
		FAIL(&f, "no INVITE at the domain");
	if (!header_line(buf, "Contact:", line, sizeof(line)) ||
	    !strstr(line, "<sip:alice@192.0.2.33:40000>"))
		FAIL(&f, "INVITE's Contact: %s", line);
	if (!strstr(buf, "\r\nc=IN IP4 192.0.2.33\r\n"))
		FAIL(&f, "INVITE's SDP does not name 192.0.2.33");
	/* the NAT maps us anew: a refresh learns it, and goes again */
	sip_agent_register_now(f.a);
	if (!wait_reg(&f, SIP_REG_REGISTERED, 4, 8000))
		FAIL(&f, "no re-registration after the move: %s",
		     reg_last(&f));
	sip_agent_contact_address(f.a, addr, sizeof(addr), &cport);
	if (strcmp(addr, "198.51.100.7") != 0 || cport != 41000)
		FAIL(&f, "Contact address %s:%u, want 198.51.100.7:41000",
		     addr, cport);
	SIPP_OK(&f);
	PASS(&f);
out:
	close(ufd);
	fixture_done(&f);
}

/* A 200 to @req whose Via says received=@rcv;rport=@rport. */
static int reply_200_nat(const char *req, const char *rcv, unsigned rport,
			 char *out, size_t len)
{
	char via[512], from[512], to[512], cid[256], cseq[64];
	size_t n;

	if (!header_line(req, "Via:", via, sizeof(via)) ||
	    !header_line(req, "From:", from, sizeof(from)) ||
	    !header_line(req, "To:", to, sizeof(to)) ||
	    !header_line(req, "Call-ID:", cid, sizeof(cid)) ||
	    !header_line(req, "CSeq:", cseq, sizeof(cseq)))
		return -1;
	n = strlen(via);
	if (n > 6 && strcmp(via + n - 6, ";rport") == 0)
		via[n - 6] = '\0';
	return snprintf(out, len,
			"SIP/2.0 200 OK\r\n%s;received=%s;rport=%u\r\n%s\r\n"
			"%s;tag=rawnat\r\n%s\r\n%s\r\nContent-Length: 0\r\n\r\n",
			via, rcv, rport, from, to, cid, cseq);
}

/*
 * Keep-alives over UDP, counted on a raw registrar's socket: once
 * registered, every keepalive_ms (300 here) "\r\n\r\n", or an OPTIONS.
 * With OPTIONS, the third is answered with received/rport of another
 * address: a REGISTER follows at once with that Contact (and the old
 * one with expires=0).
 */
static void case_nat_keepalive(bool options)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char domain[64], buf[4096], out[4096];
	long t[5];
	int rfd = raw_socket(), k, len;
	ssize_t n;

	memset(&f, 0, sizeof(f));
	f.name = options ? "nat_keepalive_options_interval_moves_reregisters" :
			   "nat_keepalive_crlf_interval";
	if (rfd < 0) {
		result(&f, "no socket");
		return;
	}
	snprintf(domain, sizeof(domain), "127.0.0.1:%u", sock_port(rfd));
	acct.domain = domain;
	acct.register_enabled = true;
	acct.expires = 600;
	acct.keepalive_ms = 300;
	acct.keepalive = options ? SIP_KEEPALIVE_OPTIONS : SIP_KEEPALIVE_CRLF;
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	n = raw_wait(&f, rfd, buf, sizeof(buf), 3000);
	if (n <= 0 || strncmp(buf, "REGISTER ", 9) != 0)
		FAIL(&f, "no REGISTER");
	len = reply_200(buf, NULL, out, sizeof(out));
	raw_send(&f, rfd, out, len);
	if (!wait_reg(&f, SIP_REG_REGISTERED, 1, 3000))
		FAIL(&f, "not registered: %s", reg_last(&f));
	t[0] = ms_since(&f.t0);
	for (k = 1; k <= 4; k++) {
		n = raw_wait(&f, rfd, buf, sizeof(buf), 2000);
		t[k] = ms_since(&f.t0);
		if (n <= 0)
			FAIL(&f, "keep-alive %d not sent", k);
		if (!options && (n != 4 || memcmp(buf, "\r\n\r\n", 4) != 0))
			FAIL(&f, "keep-alive %d: %zd bytes, not CRLFCRLF", k, n);
		if (options && strncmp(buf, "OPTIONS sip:", 12) != 0)
			FAIL(&f, "keep-alive %d: not an OPTIONS: %.40s", k, buf);
		if (t[k] - t[k - 1] < 200 || t[k] - t[k - 1] > 900)
			FAIL(&f, "keep-alive %d %ld ms after the last, want ~300",
			     k, t[k] - t[k - 1]);
		if (!options)
			continue;
		if (k < 3)
			len = reply_200(buf, NULL, out, sizeof(out));
		else
			len = reply_200_nat(buf, "203.0.113.9", 5555, out,
					    sizeof(out));
		raw_send(&f, rfd, out, len);
		if (k == 3)
			break;
	}
	if (options) {
		char c1[300] = "", c2[300] = "";
		const char *p;

		/* at once: the REGISTER with the new Contact (OPTIONS
		 * meanwhile are answered) */
		for (k = 0; k < 5; k++) {
			n = raw_wait(&f, rfd, buf, sizeof(buf), 1000);
			if (n > 0 && strncmp(buf, "REGISTER ", 9) == 0)
				break;
			if (n > 0 && strncmp(buf, "OPTIONS ", 8) == 0) {
				len = reply_200(buf, NULL, out, sizeof(out));
				raw_send(&f, rfd, out, len);
			}
		}
		if (k == 5)
			FAIL(&f, "no REGISTER after the OPTIONS' new address");
		if (ms_since(&f.t0) - t[3] > 1500)
			FAIL(&f, "REGISTER %ld ms after the move, want at once",
			     ms_since(&f.t0) - t[3]);
		header_line(buf, "Contact:", c1, sizeof(c1));
		p = strstr(buf, c1[0] ? c1 : "\r\n");
		if (p)
			header_line(p, "Contact:", c2, sizeof(c2));
		if (!strstr(c1, "<sip:alice@203.0.113.9:5555>") ||
		    strstr(c1, "expires=0"))
			FAIL(&f, "new Contact: %s", c1);
		if (!strstr(c2, "<sip:alice@127.0.0.1:") ||
		    !strstr(c2, ";expires=0"))
			FAIL(&f, "old Contact not removed: %s", c2);
	}
	PASS(&f);
out:
	close(rfd);
	fixture_done(&f);
}

static pid_t stun_pid = -1;

/*
 * A real STUN server on loopback (@turn: coturn's turnserver, RFC 5389;
 * else stund, the RFC 3489 server of Debian's stun-server) and an agent
 * with stun_server: the mapped address it reports is our SIP socket's
 * (on loopback the local address and port: the query went from the SIP
 * socket), and Contact (192.0.2.99 before: contact_address) and the media
 * address carry it.
 */
static void case_nat_stun(bool turn)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	unsigned port = free_port("127.0.0.1"), cport = 0;
	char server[64], port_s[8], port2_s[8], db[300], addr[64];
	const char *prog = turn ? "turnserver" : "stund";
	char path[300];

	memset(&f, 0, sizeof(f));
	f.name = turn ? "nat_stun_turnserver_mapped_address" :
			"nat_stun_stund_mapped_address";
	snprintf(path, sizeof(path), "/usr/bin/%s", prog);
	if (access(path, X_OK) != 0) {
		snprintf(path, sizeof(path), "/usr/sbin/%s", prog);
		if (access(path, X_OK) != 0) {
			skip(&f, turn ? "no turnserver (coturn)" :
				       "no stund (stun-server)");
			return;
		}
	}
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(port2_s, sizeof(port2_s), "%u", free_port("127.0.0.2"));
	snprintf(db, sizeof(db), "%s/%s.turndb", log_dir, f.name);
	stun_pid = fork();
	if (stun_pid == 0) {
		char out[300];
		int fd;

		snprintf(out, sizeof(out), "%s/%s.server.log", log_dir, f.name);
		fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (turn)
			execl(path, prog, "-n", "--stun-only", "--no-cli",
			      "--no-tls", "--no-dtls", "-L", "127.0.0.1", "-p",
			      port_s, "--log-file=stdout", "--simple-log",
			      "--db", db, "--pidfile", "/dev/null",
			      (char *)NULL);
		else
			execl(path, prog, "-h", "127.0.0.1", "-a", "127.0.0.2",
			      "-p", port_s, "-o", port2_s, (char *)NULL);
		_exit(127);
	}
	if (stun_pid < 0) {
		result(&f, "fork failed");
		return;
	}
	snprintf(server, sizeof(server), "127.0.0.1:%u", port);
	acct.domain = "127.0.0.1:9";
	acct.register_enabled = false;
	acct.stun_server = server;
	/* what the Contact says without STUN: not the mapping */
	acct.contact_address = "192.0.2.99";
	if (fixture_init(&f, f.name, &acct) < 0)
		FAIL(&f, "agent setup failed");
	sip_agent_contact_address(f.a, addr, sizeof(addr), &cport);
	if (strcmp(addr, "192.0.2.99") != 0)
		FAIL(&f, "Contact %s before the answer, want 192.0.2.99", addr);
	/* the server may still be starting: the agent retransmits */
	run_until(&f, stun_mapped, 8000);
	if (!f.n_stun_mapped)
		FAIL(&f, "no mapped address from %s", prog);
	sip_agent_contact_address(f.a, addr, sizeof(addr), &cport);
	if (strcmp(addr, "127.0.0.1") != 0 ||
	    cport != sip_agent_local_port(f.a))
		FAIL(&f, "Contact %s:%u, want the SIP socket's 127.0.0.1:%u",
		     addr, cport, sip_agent_local_port(f.a));
	if (sip_agent_media_address(f.a, addr, sizeof(addr)) < 0 ||
	    strcmp(addr, "127.0.0.1") != 0)
		FAIL(&f, "media address %s", addr);
	PASS(&f);
out:
	fixture_done(&f);
	if (stun_pid > 0) {
		kill(stun_pid, SIGTERM);
		waitpid(stun_pid, NULL, 0);
		stun_pid = -1;
	}
	unlink(db);
}

int main(int argc, char **argv)
{
	sigset_t ss;

	if (argc < 2) {
		fprintf(stderr, "usage: %s SCENARIO_DIR [LOG_DIR]\n", argv[0]);
		return 2;
	}
	scen_dir = argv[1];
	if (argc > 2)
		log_dir = argv[2];
	verbose = getenv("SIP_TEST_VERBOSE") != NULL;
	only = getenv("SIP_TEST_ONLY");
	sigemptyset(&ss);
	sigaddset(&ss, SIGPIPE);
	sigprocmask(SIG_BLOCK, &ss, NULL);

	/* the TLS cases' PKI, the same in the background children */
	if (selected("tls_"))
		pki_init();
	/* Timer F and 64*T1 take 32 s: run those cases meanwhile, report
	 * them last */
	if (selected("register_recovers_after_outage"))
		bg_start_n(0, case_reg_outage);
	if (selected("incoming_2xx_retransmit_t1_doubling_bye_at_64t1"))
		bg_start_n(1, case_2xx_retransmit);
	if (selected("refer_out_no_notify_408_at_32s"))
		bg_start_n(2, case_refer_no_notify);
	if (selected("incoming_reliable_183_no_prack_504_at_64t1"))
		bg_start_n(3, case_prack_timeout);
	if (selected("tls_handshake_timeout_10s"))
		bg_start_n(4, case_tls_handshake_timeout);
	if (selected("tls_keepalive_pong_missed_reregisters"))
		bg_start_n(5, case_tls_pong_missed);

	/* first: libosip2 re-initialises its trace on the first parse error */
	RUN("malformed_flood_journal_bounded", case_malformed_journal());
	RUN("register_md5", case_register("register_md5", "reg_md5.xml", false));
	RUN("vq_publish_401_then_200", case_vq_publish());
	RUN("register_sha256",
	    case_register("register_sha256", "reg_sha256.xml", true));
	RUN("incoming_call_answer_bye",
	    case_incoming("incoming_call_answer_bye", "uac_call.xml",
			  "127.0.0.1", true, false, false));
	RUN("incoming_call_cancel",
	    case_incoming("incoming_call_cancel", "uac_cancel.xml",
			  "127.0.0.1", false, false, false));
	RUN("incoming_forbidden_source",
	    case_incoming("incoming_forbidden_source", "uac_forbidden.xml",
			  "127.0.0.2", false, false, false));
	RUN("malformed_messages", case_malformed());
	RUN("incoming_not_ours_404",
	    case_uac_scenario("incoming_not_ours_404", "uac_not_ours.xml",
			      "9999", false, 0));
	RUN("incoming_extensions_420_405_489",
	    case_uac_scenario("incoming_extensions_420_405_489",
			      "uac_extensions.xml", "2001", true, 1));
	RUN("offer_body_not_sdp_415",
	    case_offer("offer_body_not_sdp_415", "uac_not_sdp.xml", 0, 0, NULL,
		       NULL));
	RUN("offer_no_codec_488_warning",
	    case_offer("offer_no_codec_488_warning", "uac_no_codec.xml", 1, 0,
		       NULL, NULL));
	RUN("offer_reinvite_hold_update",
	    case_offer("offer_reinvite_hold_update", "uac_reinvite.xml", 1, 2,
		       "m=audio 7080 ", NULL));
	RUN("reinvite_hold_200_answer",
	    case_reinvite("reinvite_hold_200_answer", "uac_reinvite_hold.xml",
			  200, 0, 0));
	RUN("reinvite_glare_491_retried",
	    case_reinvite("reinvite_glare_491_retried",
			  "uac_reinvite_glare.xml", 200, 0, 0));
	RUN("reinvite_outgoing_auth_491_route_no_sdp",
	    case_reinvite_outgoing("reinvite_outgoing_auth_491_route_no_sdp",
				   "uas_reinvite.xml", true));
	RUN("offer_none_to_outgoing_call_gets_first_sdp",
	    case_reinvite_outgoing("offer_none_to_outgoing_call_gets_first_sdp",
				   "uas_reinvite_nosdp.xml", false));
	RUN("reinvite_481_ends_call",
	    case_reinvite("reinvite_481_ends_call", "uac_reinvite_481.xml",
			  481, 0, 481));
	RUN("session_timer_uas_422_then_refresh_at_half",
	    case_timer("session_timer_uas_422_then_refresh_at_half",
		       "uac_timer_refresh.xml", false, 45, 0));
	RUN("session_timer_no_refresh_bye",
	    case_timer("session_timer_no_refresh_bye", "uac_timer_expire.xml",
		       false, 0, 60));
	RUN("session_timer_far_end_refreshes_no_bye",
	    case_timer("session_timer_far_end_refreshes_no_bye",
		       "uac_timer_farend.xml", false, 0, 0));
	RUN("session_refresh_reinvite_then_users_hold", case_timer_reinvite());
	RUN("session_timer_uac_422_retry_refresh",
	    case_timer("session_timer_uac_422_retry_refresh",
		       "uas_timer_422.xml", true, 60, 0));
	RUN("incoming_reliable_183_retransmitted_2xx_held", case_prack_uas());
	RUN("offer_reinvite_again_same_200", case_reinvite_again());
	RUN("offer_late_answer_in_ack",
	    case_offer("offer_late_answer_in_ack", "uac_late_offer.xml", 1, 0,
		       NULL, "RTP/AVP 8 101"));
	RUN("outgoing_busy_486",
	    case_outgoing("outgoing_busy_486", "uas_busy.xml", false, false));
	RUN("outgoing_auth_answer_bye",
	    case_outgoing("outgoing_auth_answer_bye", "uas_answer.xml", true,
			  false));
	RUN("outgoing_private_anonymous_ppi_auth",
	    case_outgoing_private("outgoing_private_anonymous_ppi_auth",
				  "uas_private.xml", true));
	RUN("outgoing_private_anonymous_no_ppi",
	    case_outgoing_private("outgoing_private_anonymous_no_ppi",
				  "uas_private_noppi.xml", false));
	RUN("outgoing_2xx_retransmission_reack", case_reack());
	RUN("outgoing_cancel_at_180_487",
	    case_outgoing_x("outgoing_cancel_at_180_487", "uas_cancel.xml",
			    false, false, true));
	RUN("outgoing_reliable_180_prack",
	    case_outgoing("outgoing_reliable_180_prack", "uas_prack.xml", true,
			  false));

	RUN("nat_received_rport_contact_sdp_reregister", case_nat_rport());
	RUN("nat_keepalive_crlf_interval", case_nat_keepalive(false));
	RUN("nat_keepalive_options_interval_moves_reregisters",
	    case_nat_keepalive(true));
	RUN("nat_stun_turnserver_mapped_address", case_nat_stun(true));
	RUN("nat_stun_stund_mapped_address", case_nat_stun(false));
	RUN("register_refresh_before_expiry", case_reg_refresh());
	RUN("register_backoff_after_503", case_reg_backoff());
	RUN("unregister_on_stop", case_reg_unregister());

	RUN("register_tcp_t1", case_register_tcp("register_tcp_t1", "t1"));
	RUN("register_tcp_tn", case_register_tcp("register_tcp_tn", "tn"));
	RUN("tcp_registrar_no_retransmit_conn_loss", case_tcp_registrar_raw());
	RUN("tcp_stream_framing", case_tcp_framing());
	RUN("incoming_call_tcp",
	    case_incoming("incoming_call_tcp", "uac_call.xml", "127.0.0.1",
			  true, true, false));
	RUN("incoming_call_tcp_local_hangup",
	    case_incoming("incoming_call_tcp_local_hangup",
			  "uac_call_hangup.xml", "127.0.0.1", true, true, true));
	RUN("outgoing_call_tcp",
	    case_outgoing("outgoing_call_tcp", "uas_answer.xml", true, true));

	RUN("dns_srv_answer_selection", case_srv_select());
	RUN("dns_srv_register_udp", case_srv_register(false));
	RUN("dns_srv_register_tcp", case_srv_register(true));
	RUN("dns_dnsmasq_srv_then_a_register", case_dnsmasq_register());
	RUN("dns_nxdomain_fails_as_before", case_dnsmasq_nxdomain());
	RUN("dns_invite_waits_for_lookup", case_dnsmasq_invite());
	RUN("dns_ipv6_agent_aaaa_else_v4_mapped", case_dnsmasq_ipv6());
	RUN("dns_hosts_file_name_without_query", case_dns_hosts_file());
	RUN("dns_silent_server_loop_runs_lookup_times_out", case_dns_silent());
	RUN("dns_srv_rfc2782_order_seeded_naptr_parse", case_srv_order());
	RUN("dns_srv_weights_200_lookups", case_dnsmasq_weights());
	RUN("dns_naptr_picks_tcp", case_dnsmasq_naptr());
	RUN("dns_srv_failover_and_back", case_dnsmasq_failover());
	RUN("dns_srv_invite_503_moves_registration",
	    case_dnsmasq_invite_failover());
	RUN("dns_ttl_expired_looked_up_again", case_dnsmasq_ttl());

	RUN("invite_to_public_address_is_ours", case_public_address());
	RUN("contact_token_ghost_calls_404", case_contact_token());
	RUN("stranger_flood_provider_served",
	    case_stranger_flood("stranger_flood_provider_served", false));
	RUN("stranger_flood_allow_unknown_provider_served",
	    case_stranger_flood("stranger_flood_allow_unknown_provider_served",
				true));

	RUN("stateless_retransmission_same_answer_udp",
	    case_stateless_retransmit(false));
	RUN("stateless_retransmission_same_answer_tcp",
	    case_stateless_retransmit(true));

	RUN("tcp_stranger_connections_capped_provider_served",
	    case_tcp_per_source());
	RUN("tcp_slowloris_silent_closed_valid_kept", case_tcp_deadlines());

	RUN("tls_register_call_in_same_connection_keepalive",
	    case_tls_register_call_in());
	RUN("tls_refused_wrong_host",
	    case_tls_refused("tls_refused_wrong_host", pki_init() ?
			     pki.wrong_host : NULL, NULL, "hostname mismatch"));
	RUN("tls_refused_expired",
	    case_tls_refused("tls_refused_expired", pki_init() ?
			     pki.expired : NULL, NULL,
			     "certificate has expired"));
	RUN("tls_refused_unknown_ca",
	    case_tls_refused("tls_refused_unknown_ca", pki_init() ?
			     pki.unknown_ca : NULL, NULL,
			     "unable to get local issuer certificate"));
	RUN("tls_refused_wrong_pin",
	    case_tls_refused("tls_refused_wrong_pin", pki_init() ?
			     pki.good : NULL,
			     "0000000000000000000000000000000000000000000000000000000000000000",
			     "certificate does not match tls_pin"));
	RUN("tls_pinned_self_signed_registers_sips_call", case_tls_pin());
	RUN("tls_client_certificate_and_listener",
	    case_tls_client_cert_listener());

	RUN("mwi_unsolicited_notify", case_mwi_unsolicited());
	RUN("check_sync_notify", case_check_sync());
	RUN("mwi_subscribe_refresh_terminated_489", case_mwi_subscribe());
	RUN("refer_out_blind_and_attended", case_refer_out());
	RUN("refer_in_202_notify", case_refer_in());
	RUN("invite_replaces_481_486_400_delivered", case_invite_replaces());
	RUN("services_alert_info_302_diversion_433", case_services());
	RUN("refer_out_notify_expires_408", case_refer_timeout(false));
	RUN("invite_replaces_out_headers", case_invite_with_replaces_out());

	/* last: 98 agents in a row load the machine; the background cases
	 * are past their timing-sensitive parts by now */
	RUN("rfc4475", case_rfc4475());

	if (selected("register_recovers_after_outage"))
		bg_finish_n(0, "register_recovers_after_outage");
	if (selected("incoming_2xx_retransmit_t1_doubling_bye_at_64t1"))
		bg_finish_n(1, "incoming_2xx_retransmit_t1_doubling_bye_at_64t1");
	if (selected("refer_out_no_notify_408_at_32s"))
		bg_finish_n(2, "refer_out_no_notify_408_at_32s");
	if (selected("incoming_reliable_183_no_prack_504_at_64t1"))
		bg_finish_n(3, "incoming_reliable_183_no_prack_504_at_64t1");
	if (selected("tls_handshake_timeout_10s"))
		bg_finish_n(4, "tls_handshake_timeout_10s");
	if (selected("tls_keepalive_pong_missed_reregisters"))
		bg_finish_n(5, "tls_keepalive_pong_missed_reregisters");

	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
