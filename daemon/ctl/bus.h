/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bus.h - fxsd's D-Bus API on the system bus (sd-bus).
 *
 * Name org.fxs.fxsd.  Object /org/fxs/fxsd, interface org.fxs.Manager1:
 *   Reload()                     re-read the configuration (as SIGHUP)
 *   ListPorts() -> a(iso)        index, call state, object path
 * Objects /org/fxs/fxsd/port/N, interface org.fxs.Port1:
 *   properties Index i, Attached b, Hook s, Registration s, CallState s,
 *     RemoteParty s, Codec s, RtpPacketsSent t, RtpPacketsReceived t,
 *     RtpLost x, JitterMs d, ErleDb d, Mos d (PropertiesChanged on change)
 *   Hangup()                     end the call
 *   Ring(u seconds)              ring the idle phone, for a test
 *   signal StateChanged(s call_state, s registration)
 * The bus address comes from DBUS_SYSTEM_BUS_ADDRESS when set.
 */
#ifndef FXSD_BUS_H
#define FXSD_BUS_H

#include <stddef.h>
#include <systemd/sd-event.h>

#include "line/line.h"

#define FXSD_BUS_NAME		"org.fxs.fxsd"
#define FXSD_BUS_PATH		"/org/fxs/fxsd"
#define FXSD_BUS_PORT_PREFIX	"/org/fxs/fxsd/port"
#define FXSD_BUS_MANAGER_IFACE	"org.fxs.Manager1"
#define FXSD_BUS_PORT_IFACE	"org.fxs.Port1"

struct bus_manager_ops {
	size_t (*n_lines)(void *ud);
	struct line *(*line_at)(void *ud, size_t i);
	int (*reload)(void *ud);
};

struct fxsd_bus;

/* Connect and publish; -errno when there is no bus (fxsd runs on). */
int bus_new(sd_event *event, const struct bus_manager_ops *ops, void *ud,
	    struct fxsd_bus **ret);
struct fxsd_bus *bus_free(struct fxsd_bus *b);
/* Tell the bus that @l changed. */
void bus_line_changed(struct fxsd_bus *b, struct line *l);

#endif /* FXSD_BUS_H */
