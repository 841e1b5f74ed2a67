// SPDX-License-Identifier: GPL-2.0-only
/*
 * sip_test.c - fxsd's SIP agent against real peers: SIPp scenarios
 * (the XML files of tests/sipp) and raw datagrams, on 127.0.0.1 over UDP.
 *
 * Usage: sip_test SCENARIO_DIR [LOG_DIR]
 * Each case starts one sipp (found in $PATH, or $SIPP) on a free port,
 * runs the agent on the real sd-event loop under a timeout and checks what
 * both sides saw.  Prints "ok N - name" / "not ok N - name: why" and ends
 * with "N passed, M failed".  SIP_TEST_VERBOSE=1 prints the agent's log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <systemd/sd-event.h>

#include "sdp.h"
#include "sip.h"

static const char *scen_dir;
static const char *log_dir = "/tmp";
static int n_pass, n_fail, n_case;
static bool verbose;

#define MAX_STATES 16

struct fixture {
	sd_event *e;
	struct sip_agent *a;
	const char *name;
	/* registration */
	enum sip_reg_state reg;
	int reg_status;
	unsigned reg_expires;
	int n_reg;
	/* calls */
	int n_invite;
	struct sip_caller caller;
	char offer[SDP_TEXT_MAX];
	struct sip_call *call;
	bool answer_incoming;
	bool hangup_when_answered;
	enum sip_call_state states[MAX_STATES];
	int status[MAX_STATES];
	int n_states;
	char early_or_answer_sdp[SDP_TEXT_MAX];
	/* sipp */
	pid_t sipp;
	int sipp_status;
	bool sipp_done;
	char sipp_log[256];
};

/* ---- helpers ---- */

static void test_log(void *userdata, int prio, const char *fmt, ...)
{
	struct fixture *f = userdata;
	va_list ap;

	if (!verbose)
		return;
	fprintf(stderr, "# [%s] <%d> ", f->name, prio);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static unsigned free_port(const char *ip)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sin);
	unsigned port = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, ip, &sin.sin_addr);
	if (fd >= 0 && bind(fd, (void *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (void *)&sin, &sl) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
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

	snprintf(path, sizeof(path), "%s/%s.sipp.out", log_dir, f->name);
	snprintf(f->sipp_log, sizeof(f->sipp_log), "%s/%s.sipp.log", log_dir,
		 f->name);
	unlink(f->sipp_log);
	argv[n++] = sipp;
	while (*args && n < 50)
		argv[n++] = *args++;
	argv[n++] = "-nostdin";
	argv[n++] = "-m";
	argv[n++] = "1";
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
	f->n_reg++;
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
	if (sdp_build_answer(f->offer, &l, answer, sizeof(answer), NULL) < 0)
		sip_call_reject(f->call, 488);
	else
		sip_call_answer(f->call, answer);
	return 0;
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
	if (f->call) {		/* one call at a time, as the Line does */
		sip_call_reject(call, 486);
		sip_call_unref(call);
		return;
	}
	f->call = call;
	sip_call_ringing(call, false, NULL);
	if (f->answer_incoming)
		after(f, 100, answer_timer);
}

static void on_call_state(struct sip_call *call, enum sip_call_state s,
			  int status, const char *sdp, void *userdata)
{
	struct fixture *f = userdata;

	(void)call;
	if (f->n_states < MAX_STATES) {
		f->states[f->n_states] = s;
		f->status[f->n_states] = status;
		f->n_states++;
	}
	if (sdp)
		snprintf(f->early_or_answer_sdp, sizeof(f->early_or_answer_sdp),
			 "%s", sdp);
	if (s == SIP_CALL_ANSWERED && f->hangup_when_answered)
		after(f, 700, hangup_timer);
}

static const struct sip_callbacks callbacks = {
	.on_registration = on_registration,
	.on_invite = on_invite,
	.on_call_state = on_call_state,
	.log = test_log,
};

static int fixture_init(struct fixture *f, const char *name,
			struct sip_account *acct)
{
	int r;

	/* the caller zeroed *f (and may have started sipp already) */
	f->name = name;
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

/* sipp calls the agent. */
static void case_incoming(const char *name, const char *file, const char *src_ip,
			  bool answer)
{
	struct fixture f;
	struct sip_account acct = { 0 };
	char sf[300], port_s[8], mport_s[8], target[64];
	unsigned port = free_port(src_ip);
	int r;

	acct.domain = "127.0.0.1";
	acct.registrar = "127.0.0.1:9";	/* calls allowed from 127.0.0.1 */
	acct.register_enabled = false;
	memset(&f, 0, sizeof(f));
	r = fixture_init(&f, name, &acct);
	if (r < 0) {
		result(&f, "agent setup failed: %d", r);
		fixture_done(&f);
		return;
	}
	f.answer_incoming = answer;
	snprintf(target, sizeof(target), "127.0.0.1:%u", sip_agent_local_port(f.a));
	snprintf(port_s, sizeof(port_s), "%u", port);
	snprintf(mport_s, sizeof(mport_s), "%u", free_port(src_ip));
	scen(sf, sizeof(sf), file);
	{
		const char *args[] = { target, "-sf", sf, "-i", src_ip, "-p",
				       port_s, "-mp", mport_s, "-s", "2001",
				       NULL };
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
	} else {
		if (!has_state(&f, SIP_CALL_CANCELLED))
			FAIL(&f, "no CANCELLED");
	}
	PASS(&f);
out:
	fixture_done(&f);
}

static int raw_socket(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct timeval tv = { 0, 10000 };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	if (fd < 0 || bind(fd, (void *)&sin, sizeof(sin)) < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static unsigned sock_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t sl = sizeof(sin);

	getsockname(fd, (void *)&sin, &sl);
	return ntohs(sin.sin_port);
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

	/* INVITE without Max-Forwards -> 400, no on_invite */
	n = snprintf(msg, sizeof(msg),
		     "INVITE sip:alice@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnomf\r\n"
		     "From: <sip:x@127.0.0.1>;tag=1\r\nTo: <sip:alice@127.0.0.1>\r\n"
		     "Call-ID: nomf@x\r\nCSeq: 1 INVITE\r\n"
		     "Contact: <sip:x@127.0.0.1:%u>\r\n"
		     "Content-Length: 0\r\n\r\n", p, p);
	code = raw_exchange(&f, fd, msg, n);
	if (code != 400 || f.n_invite)
		FAIL(&f, "missing Max-Forwards: got %d, want 400", code);

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

/* The agent calls a sipp UAS. */
static void case_outgoing(const char *name, const char *file, bool answered)
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
				       port_s, "-mp", mport_s, NULL };
		if (spawn_sipp(&f, args) < 0) {
			result(&f, "cannot start sipp");
			return;
		}
	}
	usleep(400000);
	acct.domain = domain;
	{
		pid_t pid = f.sipp;

		r = fixture_init(&f, name, &acct);
		f.sipp = pid;
	}
	if (r < 0)
		FAIL(&f, "agent setup failed: %d", r);
	f.hangup_when_answered = answered;
	sdp_build_offer(&l, offer, sizeof(offer));
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

		if (!has_state(&f, SIP_CALL_RINGING))
			FAIL(&f, "no RINGING");
		if (state_status(&f, SIP_CALL_ANSWERED) != 200)
			FAIL(&f, "no ANSWERED 200");
		if (sdp_parse(f.early_or_answer_sdp, &m) < 0 || m.te_pt != 101)
			FAIL(&f, "answer SDP not passed on");
		if (!has_state(&f, SIP_CALL_TERMINATED))
			FAIL(&f, "no TERMINATED after our BYE");
	} else {
		if (state_status(&f, SIP_CALL_FAILED) != 486)
			FAIL(&f, "FAILED status %d, want 486",
			     state_status(&f, SIP_CALL_FAILED));
	}
	PASS(&f);
out:
	fixture_done(&f);
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
	sigemptyset(&ss);
	sigaddset(&ss, SIGPIPE);
	sigprocmask(SIG_BLOCK, &ss, NULL);

	case_register("register_md5", "reg_md5.xml", false);
	case_register("register_sha256", "reg_sha256.xml", true);
	case_incoming("incoming_call_answer_bye", "uac_call.xml", "127.0.0.1", true);
	case_incoming("incoming_call_cancel", "uac_cancel.xml", "127.0.0.1", false);
	case_incoming("incoming_forbidden_source", "uac_forbidden.xml",
		      "127.0.0.2", false);
	case_malformed();
	case_outgoing("outgoing_busy_486", "uas_busy.xml", false);
	case_outgoing("outgoing_auth_answer_bye", "uas_answer.xml", true);
	case_reack();

	printf("%d passed, %d failed\n", n_pass, n_fail);
	return n_fail ? 1 : 0;
}
