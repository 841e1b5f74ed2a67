/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * line.h - one FXS port of fxsd: the device, the call state machine, the
 * SIP account, the tones and the audio.  The Line carries out what the
 * pure machine (fsm.h) decides.
 */
#ifndef FXSD_LINE_H
#define FXSD_LINE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "line/callstats.h"
#include "line/fsm.h"
#include "sip/sip.h"

struct line;

/* fxsd's exit status when the voice menu restarts the service: the
 * unit's Restart=on-failure starts it again (EX_TEMPFAIL). */
#define LINE_EXIT_RESTART 75

/**
 * struct line_status - what fxsctl and the D-Bus API show of a port
 */
struct line_status {
	int index;
	bool attached;
	bool offhook;
	enum call_state state;
	enum sip_reg_state reg;
	const char *transport_error;	/* why our last TLS connection
					 * failed, "" when it did not */
	const char *remote;	/* caller or number called, "" when none */
	const char *codec;	/* "PCMU", "opus", ... (SDP name) or "" */
	uint64_t rtp_packets_sent, rtp_packets_received;
	int64_t rtp_lost;
	double jitter_ms;
	double erle_db;		/* the echo canceller in this call: ERLE, */
	double echo_delay_ms;	/* the echo's delay (-1 unknown), */
	bool echo_diverged;	/* whether its filter has diverged */
	double play_delay_ms;	/* audio queued to the earpiece (-1 unknown) */
	unsigned play_trimmed;	/* frames trimmed from that queue */
	unsigned play_dry;	/* times it was found empty mid-audio */
	double play_low_ms;	/* its low-water mark over the last 2 s
				 * window (-1 none) */
	double mos;
	const char *feature;	/* the feature machine's state ("single",
				 * "call-waiting", "held", "recall") */
	const char *second;	/* the call waiting or held, "" when none */
	bool mwi_waiting;	/* messages wait (the last NOTIFY said so) */
	unsigned mwi_new, mwi_old;	/* voice messages, new and old */
};

void line_get_status(const struct line *l, struct line_status *ret);
/* What the metrics endpoint shows of the port (its counters, the running
 * call, the driver's counters while attached). */
void line_get_metrics(const struct line *l, struct line_metrics *ret);

/*
 * The port's services that decide what an incoming call does, as they
 * stand now: set from the port's configuration when the line is made
 * (dnd, anonymous_reject, forward_*), changed at run time by the
 * setters below (D-Bus, star codes).  fsm_invite_event() reads them for
 * every new INVITE.
 */
enum line_forward {
	LINE_FORWARD_ALL,	/* every call (forward_all) */
	LINE_FORWARD_BUSY,	/* where 486 would answer (forward_busy) */
	LINE_FORWARD_NO_ANSWER,	/* after forward_no_answer_secs of ringing */
	_LINE_FORWARD_MAX,
	_LINE_FORWARD_INVALID = -EINVAL,
};

struct line_services {
	bool dnd;
	bool anonymous_reject;
	char forward[_LINE_FORWARD_MAX][CONFIG_FORWARD_MAX + 1]; /* "" off */
	unsigned forward_no_answer_secs;
};

/* "all", "busy", "no-answer"; NULL when out of range. */
const char *line_forward_to_string(enum line_forward kind);
enum line_forward line_forward_from_string(const char *s);
const struct line_services *line_services(const struct line *l);
/* Do not disturb on or off.  Returns 0. */
int line_set_dnd(struct line *l, bool on);
/* Forward @kind calls to @target (a number or a sip:/sips:/tel: URI,
 * config_forward_valid()); NULL or "" turns it off.  -EINVAL for a bad
 * kind or target. */
int line_set_forward(struct line *l, enum line_forward kind,
		     const char *target);
/* Reject anonymous callers (433) or not.  Returns 0. */
int line_set_anonymous_reject(struct line *l, bool on);
/* Called after every state or registration change. */
void line_set_notify(struct line *l, void (*fn)(struct line *l, void *ud),
		     void *userdata);
/* Called when the provider's NOTIFY check-sync reaches the port's agent
 * (sip.h, on_check_sync): the provisioning profile is to be fetched. */
void line_set_check_sync(struct line *l,
			 void (*fn)(struct line *l, void *ud), void *userdata);
/* End the call from management (BYE/CANCEL); -ENOENT without a call. */
int line_hangup(struct line *l);
/* Ring the idle phone for @seconds (test); -EBUSY when not idle. */
int line_test_ring(struct line *l, unsigned seconds);
/* Play call-progress tone @name ("dial", "busy", ... see tone.h) of the
 * port's country to the off-hook phone while it waits for digits (line
 * test); it plays until the next tone or hang-up; "none" stops it.  -EINVAL for an unknown
 * name, -EBUSY when the phone is not off-hook in dial tone or dialling. */
int line_test_tone(struct line *l, const char *name);

/* Create the Line for [port N] of @cfg; nothing is opened yet. */
int line_new(sd_event *event, const struct fxsd_config *cfg,
	     const struct fxsd_port_config *pc, struct line **ret);
/* NULL-safe; ends the call and un-registers without waiting. */
struct line *line_free(struct line *l);
/* The device appeared: open it, start audio, register the account. */
int line_attach(struct line *l, const char *devnode);
/* The device went away: end the call cleanly, un-register. */
void line_detach(struct line *l);
int line_index(const struct line *l);
/* The device node while attached, else NULL. */
const char *line_devnode(const struct line *l);
const struct fxsd_port_config *line_config(const struct line *l);
bool line_attached(const struct line *l);
enum call_state line_state(const struct line *l);
enum sip_reg_state line_reg_state(const struct line *l);

#endif /* FXSD_LINE_H */
