// SPDX-License-Identifier: GPL-2.0-only
/* bus.c - fxsd's D-Bus API, see bus.h */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "confedit.h"
#include "ctl/bus.h"
#include "ctl/filesave.h"
#include "log.h"

struct fxsd_bus {
	sd_bus *bus;
	const struct bus_manager_ops *ops;
	void *ud;
	sd_event_source *stats_timer;
	/* EditConfig's file, written off the loop (filesave.h); the method
	 * is answered once it is written and reloaded, one at a time */
	struct file_saver *saver;
	sd_bus_message *edit;		/* the EditConfig waiting for it */
};

/* A call's numbers change all the time: told once a second, in a call. */
#define BUS_STATS_USEC	1000000

static int bus_stats_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct fxsd_bus *b = userdata;
	size_t i, n = b->ops->n_lines(b->ud);

	for (i = 0; i < n; i++) {
		struct line_status st;
		char path[64];

		line_get_status(b->ops->line_at(b->ud, i), &st);
		if (!st.codec[0])
			continue;
		snprintf(path, sizeof(path), FXSD_BUS_PORT_PREFIX "/%d", st.index);
		sd_bus_emit_properties_changed(b->bus, path, FXSD_BUS_PORT_IFACE,
					       "RtpPacketsSent",
					       "RtpPacketsReceived", "RtpLost",
					       "JitterMs", "ErleDb", "Mos", NULL);
	}
	return sd_event_source_set_time(s, usec + BUS_STATS_USEC);
}

static const char *hook_string(const struct line_status *st)
{
	return !st->attached ? "absent" : st->offhook ? "offhook" : "onhook";
}

static struct line *bus_find_line(struct fxsd_bus *b, const char *path)
{
	const char *p = path + strlen(FXSD_BUS_PORT_PREFIX);
	size_t i, n = b->ops->n_lines(b->ud);
	char *end;
	long index;

	if (strncmp(path, FXSD_BUS_PORT_PREFIX "/", strlen(FXSD_BUS_PORT_PREFIX) + 1))
		return NULL;
	index = strtol(p + 1, &end, 10);
	if (end == p + 1 || *end)
		return NULL;
	for (i = 0; i < n; i++)
		if (line_index(b->ops->line_at(b->ud, i)) == index)
			return b->ops->line_at(b->ud, i);
	return NULL;
}

static int port_find(sd_bus *bus, const char *path, const char *iface,
		     void *userdata, void **ret_found, sd_bus_error *error)
{
	struct line *l = bus_find_line(userdata, path);

	(void)bus;
	(void)iface;
	(void)error;
	if (!l)
		return 0;
	*ret_found = l;
	return 1;
}

static int port_enumerate(sd_bus *bus, const char *prefix, void *userdata,
			  char ***ret_nodes, sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	size_t i, n = b->ops->n_lines(b->ud);
	char **nodes = calloc(n + 1, sizeof(*nodes));

	(void)bus;
	(void)prefix;
	(void)error;
	if (!nodes)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (asprintf(&nodes[i], FXSD_BUS_PORT_PREFIX "/%d",
			     line_index(b->ops->line_at(b->ud, i))) < 0)
			nodes[i] = NULL;
	*ret_nodes = nodes;
	return 0;
}

/* The services that decide what an incoming call does (line.h). */
static int port_get_services(const struct line *l, const char *prop,
			     sd_bus_message *reply)
{
	const struct line_services *sv = line_services(l);

	if (!strcmp(prop, "DoNotDisturb"))
		return sd_bus_message_append(reply, "b", sv->dnd);
	if (!strcmp(prop, "AnonymousReject"))
		return sd_bus_message_append(reply, "b", sv->anonymous_reject);
	if (!strcmp(prop, "ForwardAll"))
		return sd_bus_message_append(reply, "s",
					     sv->forward[LINE_FORWARD_ALL]);
	if (!strcmp(prop, "ForwardBusy"))
		return sd_bus_message_append(reply, "s",
					     sv->forward[LINE_FORWARD_BUSY]);
	if (!strcmp(prop, "ForwardNoAnswer"))
		return sd_bus_message_append(reply, "s",
					     sv->forward[LINE_FORWARD_NO_ANSWER]);
	if (!strcmp(prop, "ForwardNoAnswerSeconds"))
		return sd_bus_message_append(reply, "u",
					     sv->forward_no_answer_secs);
	return -ENOENT;
}

static int port_get(sd_bus *bus, const char *path, const char *iface,
		    const char *prop, sd_bus_message *reply, void *userdata,
		    sd_bus_error *error)
{
	struct line_status st;

	(void)bus;
	(void)path;
	(void)iface;
	(void)error;
	line_get_status(userdata, &st);
	if (!strcmp(prop, "Index"))
		return sd_bus_message_append(reply, "i", st.index);
	if (!strcmp(prop, "Attached"))
		return sd_bus_message_append(reply, "b", st.attached);
	if (!strcmp(prop, "Hook"))
		return sd_bus_message_append(reply, "s", hook_string(&st));
	if (!strcmp(prop, "Registration"))
		return sd_bus_message_append(reply, "s",
					     sip_reg_state_to_string(st.reg));
	if (!strcmp(prop, "TransportError"))
		return sd_bus_message_append(reply, "s", st.transport_error);
	if (!strcmp(prop, "CallState"))
		return sd_bus_message_append(reply, "s",
					     call_state_to_string(st.state));
	if (!strcmp(prop, "RemoteParty"))
		return sd_bus_message_append(reply, "s", st.remote);
	if (!strcmp(prop, "Codec"))
		return sd_bus_message_append(reply, "s", st.codec);
	if (!strcmp(prop, "RtpPacketsSent"))
		return sd_bus_message_append(reply, "t", st.rtp_packets_sent);
	if (!strcmp(prop, "RtpPacketsReceived"))
		return sd_bus_message_append(reply, "t", st.rtp_packets_received);
	if (!strcmp(prop, "RtpLost"))
		return sd_bus_message_append(reply, "x", st.rtp_lost);
	if (!strcmp(prop, "JitterMs"))
		return sd_bus_message_append(reply, "d", st.jitter_ms);
	if (!strcmp(prop, "ErleDb"))
		return sd_bus_message_append(reply, "d", st.erle_db);
	if (!strcmp(prop, "EchoDelayMs"))
		return sd_bus_message_append(reply, "d", st.echo_delay_ms);
	if (!strcmp(prop, "EchoDiverged"))
		return sd_bus_message_append(reply, "b", st.echo_diverged);
	if (!strcmp(prop, "PlayDelayMs"))
		return sd_bus_message_append(reply, "d", st.play_delay_ms);
	if (!strcmp(prop, "PlayFramesTrimmed"))
		return sd_bus_message_append(reply, "u", st.play_trimmed);
	if (!strcmp(prop, "PlayUnderruns"))
		return sd_bus_message_append(reply, "u", st.play_dry);
	if (!strcmp(prop, "PlayLowMs"))
		return sd_bus_message_append(reply, "d", st.play_low_ms);
	if (!strcmp(prop, "Mos"))
		return sd_bus_message_append(reply, "d", st.mos);
	if (!strcmp(prop, "Feature"))
		return sd_bus_message_append(reply, "s", st.feature);
	if (!strcmp(prop, "SecondParty"))
		return sd_bus_message_append(reply, "s", st.second);
	if (!strcmp(prop, "MessagesWaiting"))
		return sd_bus_message_append(reply, "b", st.mwi_waiting);
	if (!strcmp(prop, "NewMessages"))
		return sd_bus_message_append(reply, "u", st.mwi_new);
	if (!strcmp(prop, "OldMessages"))
		return sd_bus_message_append(reply, "u", st.mwi_old);
	return port_get_services(userdata, prop, reply);
}

static int port_hangup(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int r = line_hangup(userdata);

	if (r == -ENOENT)
		return sd_bus_error_set(error, "org.fxs.Error.NoCall",
					"The port has no call");
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

static int port_ring(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	uint32_t secs;
	int r;

	r = sd_bus_message_read(m, "u", &secs);
	if (r < 0)
		return r;
	if (!secs || secs > 120)
		return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
					"Ring for 1-120 seconds");
	r = line_test_ring(userdata, secs);
	if (r == -EBUSY)
		return sd_bus_error_set(error, "org.fxs.Error.Busy",
					"The port is not idle");
	if (r == -ENODEV)
		return sd_bus_error_set(error, "org.fxs.Error.NoDevice",
					"The port's device is absent");
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

static int port_play_tone(sd_bus_message *m, void *userdata,
			  sd_bus_error *error)
{
	const char *name;
	int r;

	r = sd_bus_message_read(m, "s", &name);
	if (r < 0)
		return r;
	r = line_test_tone(userdata, name);
	if (r == -EINVAL)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Unknown tone '%s' (dial, ringback, busy, reorder, call-waiting, stutter, howler, none)",
					 name);
	if (r == -EBUSY)
		return sd_bus_error_set(error, "org.fxs.Error.Busy",
					"The phone is not off-hook waiting for digits");
	if (r == -ENODEV)
		return sd_bus_error_set(error, "org.fxs.Error.NoDevice",
					"The port's device is absent");
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

/* A method that turns a service of the port on or off ("b"). */
static int port_set_service(sd_bus_message *m, struct line *l,
			    int (*set)(struct line *l, bool on))
{
	int on, r;

	r = sd_bus_message_read(m, "b", &on);
	if (r < 0)
		return r;
	r = set(l, on);
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

static int port_set_dnd(sd_bus_message *m, void *userdata,
			sd_bus_error *error)
{
	(void)error;
	return port_set_service(m, userdata, line_set_dnd);
}

static int port_set_anonymous_reject(sd_bus_message *m, void *userdata,
				     sd_bus_error *error)
{
	(void)error;
	return port_set_service(m, userdata, line_set_anonymous_reject);
}

static int port_set_forward(sd_bus_message *m, void *userdata,
			    sd_bus_error *error)
{
	const char *kind, *target;
	int k, r;

	r = sd_bus_message_read(m, "ss", &kind, &target);
	if (r < 0)
		return r;
	k = line_forward_from_string(kind);
	if (k < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Unknown forwarding '%s' (all, busy, no-answer)",
					 kind);
	r = line_set_forward(userdata, k, target);
	if (r == -EINVAL)
		return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
					 "Invalid target '%s' (a number, or a sip:, sips: or tel: URI; \"\" turns it off)",
					 target);
	return r < 0 ? r : sd_bus_reply_method_return(m, NULL);
}

#define PORT_PROP(name, sig)						\
	SD_BUS_PROPERTY(name, sig, port_get, 0,				\
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE)

static const sd_bus_vtable port_vtable[] = {
	SD_BUS_VTABLE_START(0),
	PORT_PROP("Index", "i"),
	PORT_PROP("Attached", "b"),
	PORT_PROP("Hook", "s"),
	PORT_PROP("Registration", "s"),
	PORT_PROP("TransportError", "s"),
	PORT_PROP("CallState", "s"),
	PORT_PROP("RemoteParty", "s"),
	PORT_PROP("Codec", "s"),
	PORT_PROP("RtpPacketsSent", "t"),
	PORT_PROP("RtpPacketsReceived", "t"),
	PORT_PROP("RtpLost", "x"),
	PORT_PROP("JitterMs", "d"),
	PORT_PROP("ErleDb", "d"),
	PORT_PROP("EchoDelayMs", "d"),
	PORT_PROP("EchoDiverged", "b"),
	PORT_PROP("PlayDelayMs", "d"),
	PORT_PROP("PlayFramesTrimmed", "u"),
	PORT_PROP("PlayUnderruns", "u"),
	PORT_PROP("PlayLowMs", "d"),
	PORT_PROP("Mos", "d"),
	PORT_PROP("Feature", "s"),
	PORT_PROP("SecondParty", "s"),
	PORT_PROP("MessagesWaiting", "b"),
	PORT_PROP("NewMessages", "u"),
	PORT_PROP("OldMessages", "u"),
	PORT_PROP("DoNotDisturb", "b"),
	PORT_PROP("AnonymousReject", "b"),
	PORT_PROP("ForwardAll", "s"),
	PORT_PROP("ForwardBusy", "s"),
	PORT_PROP("ForwardNoAnswer", "s"),
	PORT_PROP("ForwardNoAnswerSeconds", "u"),
	SD_BUS_METHOD("Hangup", "", "", port_hangup,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Ring", "u", "", port_ring, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("PlayTone", "s", "", port_play_tone,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetDoNotDisturb", "b", "", port_set_dnd,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetForward", "ss", "", port_set_forward,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("SetAnonymousReject", "b", "", port_set_anonymous_reject,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_SIGNAL("StateChanged", "ss", 0),
	SD_BUS_VTABLE_END
};

static int manager_reload(sd_bus_message *m, void *userdata,
			  sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	int r = b->ops->reload(b->ud);

	if (r < 0)
		return sd_bus_error_set(error, "org.fxs.Error.BadConfig",
					"The new configuration is invalid; the running one is kept");
	return sd_bus_reply_method_return(m, NULL);
}

static int manager_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	sd_bus_message *reply = NULL;
	size_t i, n = b->ops->n_lines(b->ud);
	int r;

	(void)error;
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(iso)");
	for (i = 0; r >= 0 && i < n; i++) {
		struct line *l = b->ops->line_at(b->ud, i);
		char path[64];

		snprintf(path, sizeof(path), FXSD_BUS_PORT_PREFIX "/%d",
			 line_index(l));
		r = sd_bus_message_append(reply, "(iso)", line_index(l),
					  call_state_to_string(line_state(l)),
					  path);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

/* Provisioning() -> (s url, s result, i http_status, s error,
 * t last_fetch_usec, t last_applied_usec, t next_fetch_usec,
 * u failures, u fetches, b have_profile): api.h */
static int manager_provisioning(sd_bus_message *m, void *userdata,
				sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	struct provision_status st;

	b->ops->get_provisioning(b->ud, &st);
	if (!st.enabled)
		return sd_bus_error_set(error, "org.fxs.Error.NoProvisioning",
					"No [provisioning] url in the configuration");
	return sd_bus_reply_method_return(m, "ssistttuub", st.url,
					  provision_result_to_string(st.result),
					  st.http_status, st.error,
					  (uint64_t)st.last_fetch_usec,
					  (uint64_t)st.last_applied_usec,
					  (uint64_t)st.next_fetch_usec,
					  st.failures, st.fetches,
					  (int)st.have_profile);
}

static int manager_resync(sd_bus_message *m, void *userdata,
			  sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;

	if (b->ops->resync(b->ud) < 0)
		return sd_bus_error_set(error, "org.fxs.Error.NoProvisioning",
					"No [provisioning] url in the configuration");
	return sd_bus_reply_method_return(m, NULL);
}

/* ReadConfig() -> a(sss): the file's keys; secrets are given as "" */
static int config_entry_append(const char *section, const char *key,
			       const char *value, unsigned line, void *ud)
{
	(void)line;
	return sd_bus_message_append(ud, "(sss)", section, key,
				     confedit_secret(key) ? "" : value);
}

static int manager_read_config(sd_bus_message *m, void *userdata,
			       sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	sd_bus_message *reply = NULL;
	char *text = NULL, err[512];
	size_t len;
	int r;

	r = config_read_file(b->ops->config_path(b->ud), &text, &len, err,
			     sizeof(err));
	if (r < 0)
		return sd_bus_error_set(error, "org.fxs.Error.ConfigUnreadable",
					err);
	r = sd_bus_message_new_method_return(m, &reply);
	if (r >= 0)
		r = sd_bus_message_open_container(reply, 'a', "(sss)");
	if (r >= 0)
		r = confedit_scan(text, len, config_entry_append, reply);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	free(text);
	return r;
}

/* ValidateConfig(s text) -> as: "FILE:LINE: message"s, none when good */
static int manager_validate_config(sd_bus_message *m, void *userdata,
				   sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	struct fxsd_config *c = NULL;
	const char *text;
	char err[512];
	int r;

	(void)error;
	r = sd_bus_message_read(m, "s", &text);
	if (r < 0)
		return r;
	r = config_parse_string(text, b->ops->config_path(b->ud), &c, err,
				sizeof(err));
	config_free(c);
	if (r < 0)
		return sd_bus_reply_method_return(m, "as", 1, err);
	return sd_bus_reply_method_return(m, "as", 0);
}

/* The key on the line an error names: the field to show it at. */
struct error_place {
	unsigned line;
	char section[CONFEDIT_NAME_MAX + 1];
	char key[CONFEDIT_NAME_MAX + 1];
};

static int error_place_find(const char *section, const char *key,
			    const char *value, unsigned line, void *ud)
{
	struct error_place *p = ud;

	(void)value;
	if (line != p->line)
		return 0;
	snprintf(p->section, sizeof(p->section), "%s", section);
	snprintf(p->key, sizeof(p->key), "%s", key);
	return -ECANCELED;
}

/* The configuration file written (or not): reload, answer EditConfig. */
static void edit_written(int r, const char *path, void *ud)
{
	struct fxsd_bus *b = ud;
	sd_bus_message *m = b->edit;
	char err[512] = "";

	b->edit = NULL;
	if (r < 0)
		snprintf(err, sizeof(err), "%s: cannot write: %s", path,
			 strerror(-r));
	else if (b->ops->reload(b->ud) < 0)
		snprintf(err, sizeof(err), "%s: written, but the reload failed (see the journal)",
			 b->ops->config_path(b->ud));
	if (err[0])
		log_error("EditConfig: %s", err);
	else
		log_info("EditConfig: %s written and reloaded",
			 b->ops->config_path(b->ud));
	if (!m)
		return;
	if (err[0])
		sd_bus_reply_method_return(m, "a(sss)", 1, "", "", err);
	else
		sd_bus_reply_method_return(m, "a(sss)", 0);
	sd_bus_message_unref(m);
}

/*
 * EditConfig(a(sss) edits, b write) -> a(sss) errors: each edit (section,
 * key, value; "" removes the key) made to the file's text; the result
 * checked as a whole; errors as (section, key, "FILE:LINE: message") with
 * the key on the line named ("" "" when none is).  With @write and no
 * error: the file replaced, then reloaded.  Nothing is written otherwise.
 */
static int manager_edit_config(sd_bus_message *m, void *userdata,
			       sd_bus_error *error)
{
	struct fxsd_bus *b = userdata;
	const char *path = b->ops->config_path(b->ud);
	const char *section, *key, *value;
	struct fxsd_config *c = NULL;
	struct error_place place = { 0, "", "" };
	char *text = NULL, *next, err[512] = "";
	size_t len;
	int write, r;

	r = config_read_file(path, &text, &len, err, sizeof(err));
	if (r < 0)
		return sd_bus_error_set(error, "org.fxs.Error.ConfigUnreadable",
					err);
	r = sd_bus_message_enter_container(m, 'a', "(sss)");
	while (r >= 0 && !err[0] &&
	       (r = sd_bus_message_read(m, "(sss)", &section, &key, &value)) > 0) {
		if (confedit_set(text, strlen(text), section, key, value,
				 &next) < 0) {
			snprintf(place.section, sizeof(place.section), "%s", section);
			snprintf(place.key, sizeof(place.key), "%s", key);
			snprintf(err, sizeof(err), "[%.63s] %.63s: not a key or an invalid value",
				 section, key);
			break;
		}
		free(text);
		text = next;
	}
	if (r >= 0 && !err[0])
		r = sd_bus_message_exit_container(m);
	if (r >= 0 && !err[0])
		r = sd_bus_message_read(m, "b", &write);
	if (r < 0) {
		free(text);
		return r;
	}
	if (!err[0] && config_parse_string(text, path, &c, err, sizeof(err)) < 0) {
		const char *p = err + strlen(path);

		if (!strncmp(err, path, strlen(path)) && *p == ':')
			place.line = strtoul(p + 1, NULL, 10);
		if (place.line)
			confedit_scan(text, strlen(text), error_place_find,
				      &place);
	}
	config_free(c);
	if (!err[0] && write) {
		/* the file goes to PATH.tmp, is fsynced and renamed over
		 * PATH by the saver's thread, keeping the file's mode; the
		 * answer waits for it */
		struct file_save f = {
			path, text, strlen(text), 0640, true,
		};

		if (b->edit || file_saver_busy(b->saver)) {
			free(text);
			return sd_bus_error_set(error, "org.fxs.Error.Busy",
						"another edit is being written");
		}
		r = file_saver_save(b->saver, NULL, &f, 1, edit_written, b);
		free(text);
		if (r < 0) {
			snprintf(err, sizeof(err), "%s: cannot write: %s",
				 path, strerror(-r));
			log_error("EditConfig: %s", err);
			return sd_bus_reply_method_return(m, "a(sss)", 1, "",
							  "", err);
		}
		b->edit = sd_bus_message_ref(m);
		return 1;	/* answered by edit_written() */
	}
	free(text);
	if (!err[0])
		return sd_bus_reply_method_return(m, "a(sss)", 0);
	return sd_bus_reply_method_return(m, "a(sss)", 1, place.section,
					  place.key, err);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD("Reload", "", "", manager_reload,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ListPorts", "", "a(iso)", manager_list,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Provisioning", "", "ssistttuub", manager_provisioning,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("Resync", "", "", manager_resync,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ReadConfig", "", "a(sss)", manager_read_config,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("ValidateConfig", "s", "as", manager_validate_config,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD("EditConfig", "a(sss)b", "a(sss)", manager_edit_config,
		      SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int bus_new(sd_event *event, const struct bus_manager_ops *ops, void *ud,
	    struct fxsd_bus **ret)
{
	struct fxsd_bus *b = calloc(1, sizeof(*b));
	int r;

	if (!b)
		return -ENOMEM;
	b->ops = ops;
	b->ud = ud;
	r = sd_bus_open_system(&b->bus);
	if (r >= 0)
		r = sd_bus_add_object_vtable(b->bus, NULL, FXSD_BUS_PATH,
					     FXSD_BUS_MANAGER_IFACE,
					     manager_vtable, b);
	if (r >= 0)
		r = sd_bus_add_fallback_vtable(b->bus, NULL,
					       FXSD_BUS_PORT_PREFIX,
					       FXSD_BUS_PORT_IFACE, port_vtable,
					       port_find, b);
	if (r >= 0)
		r = sd_bus_add_node_enumerator(b->bus, NULL,
					       FXSD_BUS_PORT_PREFIX,
					       port_enumerate, b);
	if (r >= 0)
		r = sd_bus_add_object_manager(b->bus, NULL, FXSD_BUS_PATH);
	if (r >= 0)
		r = sd_bus_request_name(b->bus, FXSD_BUS_NAME, 0);
	if (r >= 0)
		r = sd_bus_attach_event(b->bus, event, 0);
	if (r >= 0)
		r = file_saver_new(event, &b->saver);
	if (r >= 0)
		r = sd_event_add_time_relative(event, &b->stats_timer,
					       CLOCK_MONOTONIC, BUS_STATS_USEC,
					       100000, bus_stats_tick, b);
	if (r >= 0)
		r = sd_event_source_set_enabled(b->stats_timer, SD_EVENT_ON);
	if (r < 0) {
		bus_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

struct fxsd_bus *bus_free(struct fxsd_bus *b)
{
	if (!b)
		return NULL;
	sd_event_source_disable_unref(b->stats_timer);
	b->saver = file_saver_free(b->saver);	/* an edit under way ends */
	sd_bus_message_unref(b->edit);
	sd_bus_flush_close_unref(b->bus);
	free(b);
	return NULL;
}

void bus_line_changed(struct fxsd_bus *b, struct line *l)
{
	char path[64];
	struct line_status st;

	if (!b)
		return;
	line_get_status(l, &st);
	snprintf(path, sizeof(path), FXSD_BUS_PORT_PREFIX "/%d", st.index);
	sd_bus_emit_properties_changed(b->bus, path, FXSD_BUS_PORT_IFACE,
				       "Hook", "Registration", "TransportError",
				       "CallState",
				       "RemoteParty", "Codec", "Attached", "Feature",
				       "SecondParty", "MessagesWaiting",
				       "NewMessages", "OldMessages", "DoNotDisturb",
				       "AnonymousReject", "ForwardAll",
				       "ForwardBusy", "ForwardNoAnswer", NULL);
	sd_bus_emit_signal(b->bus, path, FXSD_BUS_PORT_IFACE, "StateChanged",
			   "ss", call_state_to_string(st.state),
			   sip_reg_state_to_string(st.reg));
}
