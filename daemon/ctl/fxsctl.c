// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxsctl - look at and control fxsd over D-Bus, in the manner of
 * networkctl.
 *
 *   fxsctl [--json] status | ports | calls
 *   fxsctl ring PORT [SECONDS] | tone PORT NAME | hangup PORT | reload
 *   fxsctl dnd PORT on|off | anonymous-reject PORT on|off
 *   fxsctl forward PORT all|busy|no-answer TARGET|off
 *   fxsctl [--json] provisioning [resync]
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-bus.h>

#include "ctl/api.h"

struct port_info {
	int index;
	int attached;
	char hook[16], reg[24], state[24], remote[520], codec[8];
	uint64_t sent, received;
	int64_t lost;
	double jitter, erle, mos;
	double echo_delay;	/* ms, -1 unknown */
	int echo_diverged;
	double play_delay;	/* ms queued to the earpiece, -1 unknown */
	uint32_t play_trimmed;
	uint32_t play_dry;	/* times that queue was found empty */
	double play_low;	/* ms, its last window's low-water mark */
	char feature[16], second[520];
	char tls_error[400];	/* TransportError */
	int mwi;		/* messages waiting */
	uint32_t mwi_new, mwi_old;
	int dnd, anonymous_reject;
	char fwd_all[260], fwd_busy[260], fwd_no_answer[260];
	uint32_t fwd_secs;
};

static bool json;

static int get_string(sd_bus *bus, const char *path, const char *prop,
		      char *buf, size_t len)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char *s = NULL;
	int r;

	r = sd_bus_get_property_string(bus, FXSD_BUS_NAME, path,
				       FXSD_BUS_PORT_IFACE, prop, &err, &s);
	sd_bus_error_free(&err);
	if (r < 0)
		return r;
	snprintf(buf, len, "%s", s);
	free(s);
	return 0;
}

static int get_trivial(sd_bus *bus, const char *path, const char *prop,
		       char type, void *ret)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int r = sd_bus_get_property_trivial(bus, FXSD_BUS_NAME, path,
					    FXSD_BUS_PORT_IFACE, prop, &err,
					    type, ret);

	sd_bus_error_free(&err);
	return r;
}

static int load_port(sd_bus *bus, const char *path, struct port_info *p)
{
	int r;

	r = get_trivial(bus, path, "Index", 'i', &p->index);
	if (r >= 0)
		r = get_trivial(bus, path, "Attached", 'b', &p->attached);
	if (r >= 0)
		r = get_string(bus, path, "Hook", p->hook, sizeof(p->hook));
	if (r >= 0)
		r = get_string(bus, path, "Registration", p->reg, sizeof(p->reg));
	if (r >= 0)
		r = get_string(bus, path, "TransportError", p->tls_error,
			       sizeof(p->tls_error));
	if (r >= 0)
		r = get_string(bus, path, "CallState", p->state, sizeof(p->state));
	if (r >= 0)
		r = get_string(bus, path, "RemoteParty", p->remote,
			       sizeof(p->remote));
	if (r >= 0)
		r = get_string(bus, path, "Codec", p->codec, sizeof(p->codec));
	if (r >= 0)
		r = get_trivial(bus, path, "RtpPacketsSent", 't', &p->sent);
	if (r >= 0)
		r = get_trivial(bus, path, "RtpPacketsReceived", 't', &p->received);
	if (r >= 0)
		r = get_trivial(bus, path, "RtpLost", 'x', &p->lost);
	if (r >= 0)
		r = get_trivial(bus, path, "JitterMs", 'd', &p->jitter);
	if (r >= 0)
		r = get_trivial(bus, path, "ErleDb", 'd', &p->erle);
	if (r >= 0)
		r = get_trivial(bus, path, "EchoDelayMs", 'd', &p->echo_delay);
	if (r >= 0)
		r = get_trivial(bus, path, "EchoDiverged", 'b',
				&p->echo_diverged);
	if (r >= 0)
		r = get_trivial(bus, path, "PlayDelayMs", 'd', &p->play_delay);
	if (r >= 0)
		r = get_trivial(bus, path, "PlayFramesTrimmed", 'u',
				&p->play_trimmed);
	if (r >= 0)
		r = get_trivial(bus, path, "PlayUnderruns", 'u', &p->play_dry);
	if (r >= 0)
		r = get_trivial(bus, path, "PlayLowMs", 'd', &p->play_low);
	if (r >= 0)
		r = get_trivial(bus, path, "Mos", 'd', &p->mos);
	if (r >= 0)
		r = get_string(bus, path, "Feature", p->feature,
			       sizeof(p->feature));
	if (r >= 0)
		r = get_string(bus, path, "SecondParty", p->second,
			       sizeof(p->second));
	if (r >= 0)
		r = get_trivial(bus, path, "MessagesWaiting", 'b', &p->mwi);
	if (r >= 0)
		r = get_trivial(bus, path, "NewMessages", 'u', &p->mwi_new);
	if (r >= 0)
		r = get_trivial(bus, path, "OldMessages", 'u', &p->mwi_old);
	if (r >= 0)
		r = get_trivial(bus, path, "DoNotDisturb", 'b', &p->dnd);
	if (r >= 0)
		r = get_trivial(bus, path, "AnonymousReject", 'b',
				&p->anonymous_reject);
	if (r >= 0)
		r = get_string(bus, path, "ForwardAll", p->fwd_all,
			       sizeof(p->fwd_all));
	if (r >= 0)
		r = get_string(bus, path, "ForwardBusy", p->fwd_busy,
			       sizeof(p->fwd_busy));
	if (r >= 0)
		r = get_string(bus, path, "ForwardNoAnswer", p->fwd_no_answer,
			       sizeof(p->fwd_no_answer));
	if (r >= 0)
		r = get_trivial(bus, path, "ForwardNoAnswerSeconds", 'u',
				&p->fwd_secs);
	return r;
}

/* All ports, via ListPorts; *ret is malloc'd. */
static int load_ports(sd_bus *bus, struct port_info **ret, size_t *n)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct port_info *ports = NULL;
	const char *state, *path;
	size_t count = 0;
	int r, index;

	r = sd_bus_call_method(bus, FXSD_BUS_NAME, FXSD_BUS_PATH,
			       FXSD_BUS_MANAGER_IFACE, "ListPorts", &err,
			       &reply, "");
	if (r < 0) {
		fprintf(stderr, "fxsctl: cannot reach fxsd: %s\n",
			err.message ? err.message : strerror(-r));
		sd_bus_error_free(&err);
		return r;
	}
	r = sd_bus_message_enter_container(reply, 'a', "(iso)");
	while (r >= 0 &&
	       (r = sd_bus_message_read(reply, "(iso)", &index, &state, &path)) > 0) {
		struct port_info *grown = realloc(ports, (count + 1) * sizeof(*ports));

		if (!grown) {
			r = -ENOMEM;
			break;
		}
		ports = grown;
		memset(&ports[count], 0, sizeof(*ports));
		r = load_port(bus, path, &ports[count]);
		count++;
	}
	sd_bus_message_unref(reply);
	if (r < 0) {
		free(ports);
		fprintf(stderr, "fxsctl: reading the ports failed: %s\n",
			strerror(-r));
		return r;
	}
	*ret = ports;
	*n = count;
	return 0;
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", *s);
		else
			putchar(*s);
	}
	putchar('"');
}

static void print_json(const struct port_info *p, size_t n, bool calls_only)
{
	size_t i;
	bool first = true;

	printf("[");
	for (i = 0; i < n; i++) {
		if (calls_only && !p[i].codec[0])
			continue;
		printf("%s{\"port\":%d,\"attached\":%s,\"hook\":", first ? "" : ",",
		       p[i].index, p[i].attached ? "true" : "false");
		json_string(p[i].hook);
		printf(",\"registration\":");
		json_string(p[i].reg);
		printf(",\"transport_error\":");
		json_string(p[i].tls_error);
		printf(",\"state\":");
		json_string(p[i].state);
		printf(",\"remote\":");
		json_string(p[i].remote);
		printf(",\"codec\":");
		json_string(p[i].codec);
		printf(",\"feature\":");
		json_string(p[i].feature);
		printf(",\"second_party\":");
		json_string(p[i].second);
		printf(",\"messages_waiting\":%s,\"new_messages\":%u,"
		       "\"old_messages\":%u", p[i].mwi ? "true" : "false",
		       (unsigned)p[i].mwi_new, (unsigned)p[i].mwi_old);
		printf(",\"dnd\":%s,\"anonymous_reject\":%s,\"forward_all\":",
		       p[i].dnd ? "true" : "false",
		       p[i].anonymous_reject ? "true" : "false");
		json_string(p[i].fwd_all);
		printf(",\"forward_busy\":");
		json_string(p[i].fwd_busy);
		printf(",\"forward_no_answer\":");
		json_string(p[i].fwd_no_answer);
		printf(",\"forward_no_answer_secs\":%u", (unsigned)p[i].fwd_secs);
		printf(",\"rtp_sent\":%llu,\"rtp_received\":%llu,\"rtp_lost\":%lld,"
		       "\"jitter_ms\":%.2f,\"erle_db\":%.1f,\"echo_delay_ms\":%.1f,"
		       "\"echo_diverged\":%s,\"play_delay_ms\":%.1f,"
		       "\"play_frames_trimmed\":%u,\"play_underruns\":%u,"
		       "\"play_low_ms\":%.1f,\"mos\":%.2f}",
		       (unsigned long long)p[i].sent,
		       (unsigned long long)p[i].received, (long long)p[i].lost,
		       p[i].jitter, p[i].erle, p[i].echo_delay,
		       p[i].echo_diverged ? "true" : "false", p[i].play_delay,
		       (unsigned)p[i].play_trimmed, (unsigned)p[i].play_dry,
		       p[i].play_low, p[i].mos);
		first = false;
	}
	printf("]\n");
}

static int cmd_list(sd_bus *bus, const char *what)
{
	struct port_info *p = NULL;
	bool calls = !strcmp(what, "calls");
	size_t n, i, active = 0, reg = 0;
	int r = load_ports(bus, &p, &n);

	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		active += p[i].codec[0] != 0;
		reg += !strcmp(p[i].reg, "registered");
	}
	if (json) {
		print_json(p, n, calls);
	} else if (calls) {
		printf("%-5s %-12s %-24s %-5s %7s %8s %5s %7s %6s %7s %-8s %4s\n",
		       "PORT", "STATE", "REMOTE", "CODEC", "SENT", "RECEIVED",
		       "LOST", "JITTER", "ERLE", "ECHODLY", "EC", "MOS");
		for (i = 0; i < n; i++) {
			char dly[16] = "-";

			if (!p[i].codec[0])
				continue;
			if (p[i].echo_delay >= 0)
				snprintf(dly, sizeof(dly), "%.1fms",
					 p[i].echo_delay);
			printf("%-5d %-12s %-24.24s %-5s %7llu %8llu %5lld %5.1fms %4.0fdB %7s %-8s %4.2f\n",
			       p[i].index, p[i].state, p[i].remote, p[i].codec,
			       (unsigned long long)p[i].sent,
			       (unsigned long long)p[i].received,
			       (long long)p[i].lost, p[i].jitter, p[i].erle, dly,
			       p[i].echo_diverged ? "diverged" : "ok", p[i].mos);
		}
		printf("\n%zu call(s).\n", active);
	} else {
		if (!strcmp(what, "status"))
			printf("fxsd: %zu port(s), %zu registered, %zu in a call\n\n",
			       n, reg, active);
		printf("%-5s %-9s %-8s %-13s %-14s %s\n", "PORT", "DEVICE", "HOOK",
		       "REGISTRATION", "STATE", "REMOTE");
		for (i = 0; i < n; i++) {
			printf("%-5d %-9s %-8s %-13s %-14s %s\n", p[i].index,
			       p[i].attached ? "present" : "absent", p[i].hook,
			       p[i].reg, p[i].state, p[i].remote);
			if (p[i].tls_error[0])
				printf("      transport: %s\n", p[i].tls_error);
			if (p[i].second[0])
				printf("      %s: %s\n", p[i].feature, p[i].second);
			if (p[i].mwi)
				printf("      messages waiting: %u new, %u old\n",
				       (unsigned)p[i].mwi_new,
				       (unsigned)p[i].mwi_old);
			if (p[i].dnd)
				printf("      do not disturb\n");
			if (p[i].anonymous_reject)
				printf("      anonymous calls rejected\n");
			if (p[i].fwd_all[0])
				printf("      forward all: %s\n", p[i].fwd_all);
			if (p[i].fwd_busy[0])
				printf("      forward busy: %s\n", p[i].fwd_busy);
			if (p[i].fwd_no_answer[0])
				printf("      forward no answer (%u s): %s\n",
				       (unsigned)p[i].fwd_secs,
				       p[i].fwd_no_answer);
		}
		printf("\n%zu port(s) listed.\n", n);
	}
	free(p);
	return 0;
}

static int cmd_port_method(sd_bus *bus, const char *method, const char *port,
			   const char *arg)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char path[64], *end;
	long index = strtol(port, &end, 10);
	int r;

	if (*end || index < 0) {
		fprintf(stderr, "fxsctl: '%s' is not a port number\n", port);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), FXSD_BUS_PORT_PREFIX "/%ld", index);
	if (arg && !strcmp(method, "PlayTone"))
		r = sd_bus_call_method(bus, FXSD_BUS_NAME, path,
				       FXSD_BUS_PORT_IFACE, method, &err, NULL,
				       "s", arg);
	else if (arg)
		r = sd_bus_call_method(bus, FXSD_BUS_NAME, path,
				       FXSD_BUS_PORT_IFACE, method, &err, NULL,
				       "u", (uint32_t)atoi(arg));
	else
		r = sd_bus_call_method(bus, FXSD_BUS_NAME, path,
				       FXSD_BUS_PORT_IFACE, method, &err, NULL,
				       "");
	if (r < 0)
		fprintf(stderr, "fxsctl: %s port %ld: %s\n", method, index,
			err.message ? err.message : strerror(-r));
	sd_bus_error_free(&err);
	return r;
}

/* fxsctl dnd|anonymous-reject PORT on|off, fxsctl forward PORT KIND T */
static int cmd_service(sd_bus *bus, const char *cmd, const char *port,
		       const char *a1, const char *a2)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	char path[64], *end;
	long index = strtol(port, &end, 10);
	int r, on = -1;

	if (*end || index < 0) {
		fprintf(stderr, "fxsctl: '%s' is not a port number\n", port);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), FXSD_BUS_PORT_PREFIX "/%ld", index);
	if (strcmp(cmd, "forward")) {
		if (!strcmp(a1, "on") || !strcmp(a1, "yes"))
			on = 1;
		else if (!strcmp(a1, "off") || !strcmp(a1, "no"))
			on = 0;
		if (on < 0) {
			fprintf(stderr, "fxsctl: %s: on or off, not '%s'\n", cmd, a1);
			return -EINVAL;
		}
		r = sd_bus_call_method(bus, FXSD_BUS_NAME, path,
				       FXSD_BUS_PORT_IFACE,
				       !strcmp(cmd, "dnd") ? "SetDoNotDisturb" :
				       "SetAnonymousReject", &err, NULL, "b", on);
	} else {
		r = sd_bus_call_method(bus, FXSD_BUS_NAME, path,
				       FXSD_BUS_PORT_IFACE, "SetForward", &err,
				       NULL, "ss", a1, strcmp(a2, "off") ? a2 : "");
	}
	if (r < 0)
		fprintf(stderr, "fxsctl: %s port %ld: %s\n", cmd, index,
			err.message ? err.message : strerror(-r));
	sd_bus_error_free(&err);
	return r;
}

static int cmd_reload(sd_bus *bus)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	int r = sd_bus_call_method(bus, FXSD_BUS_NAME, FXSD_BUS_PATH,
				   FXSD_BUS_MANAGER_IFACE, "Reload", &err,
				   NULL, "");

	if (r < 0)
		fprintf(stderr, "fxsctl: reload: %s\n",
			err.message ? err.message : strerror(-r));
	sd_bus_error_free(&err);
	return r;
}

/* A CLOCK_REALTIME µs time as UTC ISO 8601, "-" for 0. */
static const char *iso_time(uint64_t usec, char *buf, size_t len)
{
	time_t t = (time_t)(usec / 1000000);
	struct tm tm;

	if (!usec || !gmtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "-");
	return buf;
}

static int cmd_provisioning(sd_bus *bus, const char *what)
{
	sd_bus_error err = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *url, *result, *error;
	uint64_t last, applied, next;
	uint32_t failures, fetches;
	char t1[32], t2[32], t3[32];
	int status, have, r;

	if (what && strcmp(what, "resync")) {
		fprintf(stderr, "fxsctl: provisioning: resync or nothing, not '%s'\n",
			what);
		return -EINVAL;
	}
	r = sd_bus_call_method(bus, FXSD_BUS_NAME, FXSD_BUS_PATH,
			       FXSD_BUS_MANAGER_IFACE,
			       what ? "Resync" : "Provisioning", &err,
			       what ? NULL : &reply, "");
	if (r < 0) {
		fprintf(stderr, "fxsctl: provisioning: %s\n",
			err.message ? err.message : strerror(-r));
		sd_bus_error_free(&err);
		return r;
	}
	if (what)
		return 0;
	r = sd_bus_message_read(reply, "ssistttuub", &url, &result, &status,
				&error, &last, &applied, &next, &failures,
				&fetches, &have);
	if (r < 0) {
		fprintf(stderr, "fxsctl: provisioning: bad reply: %s\n",
			strerror(-r));
		sd_bus_message_unref(reply);
		return r;
	}
	if (json) {
		printf("{\"url\":");
		json_string(url);
		printf(",\"result\":");
		json_string(result);
		printf(",\"http_status\":%d,\"error\":", status);
		json_string(error);
		printf(",\"last_fetch_usec\":%llu,\"last_applied_usec\":%llu,"
		       "\"next_fetch_usec\":%llu,\"failures\":%u,"
		       "\"fetches\":%u,\"have_profile\":%s}\n",
		       (unsigned long long)last, (unsigned long long)applied,
		       (unsigned long long)next, failures, fetches,
		       have ? "true" : "false");
	} else {
		printf("URL:          %s\n"
		       "Result:       %s (HTTP %d)\n"
		       "Error:        %s\n"
		       "Last fetch:   %s\n"
		       "Last applied: %s\n"
		       "Next fetch:   %s\n"
		       "Failures:     %u in a row, %u fetches\n"
		       "Profile:      %s\n",
		       url[0] ? url : "-", result, status, error[0] ? error : "-",
		       iso_time(last, t1, sizeof(t1)),
		       iso_time(applied, t2, sizeof(t2)),
		       iso_time(next, t3, sizeof(t3)), failures, fetches,
		       have ? "held" : "none (the local file alone)");
	}
	sd_bus_message_unref(reply);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: fxsctl [--json] status | ports | calls\n"
		   "       fxsctl ring PORT [SECONDS] | tone PORT NAME | hangup PORT\n"
		   "       fxsctl dnd PORT on|off | anonymous-reject PORT on|off\n"
		   "       fxsctl forward PORT all|busy|no-answer TARGET|off\n"
		   "       fxsctl reload\n"
		   "       fxsctl provisioning [resync]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *cmd;
	sd_bus *bus = NULL;
	int c, r;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
		if (c == 'j') {
			json = true;
		} else if (c == 'h') {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	cmd = optind < argc ? argv[optind] : "status";
	r = sd_bus_open_system(&bus);
	if (r < 0) {
		fprintf(stderr, "fxsctl: no system bus: %s\n", strerror(-r));
		return 1;
	}
	if (!strcmp(cmd, "status") || !strcmp(cmd, "ports") ||
	    !strcmp(cmd, "calls"))
		r = cmd_list(bus, cmd);
	else if (!strcmp(cmd, "ring") && optind + 1 < argc)
		r = cmd_port_method(bus, "Ring", argv[optind + 1],
				    optind + 2 < argc ? argv[optind + 2] : "5");
	else if (!strcmp(cmd, "tone") && optind + 2 < argc)
		r = cmd_port_method(bus, "PlayTone", argv[optind + 1],
				    argv[optind + 2]);
	else if (!strcmp(cmd, "hangup") && optind + 1 < argc)
		r = cmd_port_method(bus, "Hangup", argv[optind + 1], NULL);
	else if ((!strcmp(cmd, "dnd") || !strcmp(cmd, "anonymous-reject")) &&
		 optind + 2 < argc)
		r = cmd_service(bus, cmd, argv[optind + 1], argv[optind + 2], NULL);
	else if (!strcmp(cmd, "forward") && optind + 3 < argc)
		r = cmd_service(bus, cmd, argv[optind + 1], argv[optind + 2],
				argv[optind + 3]);
	else if (!strcmp(cmd, "reload"))
		r = cmd_reload(bus);
	else if (!strcmp(cmd, "provisioning"))
		r = cmd_provisioning(bus, optind + 1 < argc ? argv[optind + 1] :
				     NULL);
	else {
		usage(stderr);
		r = -EINVAL;
	}
	sd_bus_flush_close_unref(bus);
	return r < 0 ? 1 : 0;
}
