/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * line.h - one FXS port of fxsd: the device, the call state machine, the
 * SIP account, the tones and the audio.  The Line carries out what the
 * pure machine (fsm.h) decides.
 */
#ifndef FXSD_LINE_H
#define FXSD_LINE_H

#include <systemd/sd-event.h>

#include "config.h"
#include "fsm.h"
#include "sip.h"

struct line;

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
