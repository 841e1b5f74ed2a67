/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bus.h - fxsd's D-Bus API on the system bus (sd-bus), the daemon's side.
 * The names and the interface are in api.h.
 */
#ifndef FXSD_BUS_H
#define FXSD_BUS_H

#include <stddef.h>
#include <systemd/sd-event.h>

#include "ctl/api.h"
#include "ctl/provision.h"
#include "line/line.h"

struct bus_manager_ops {
	size_t (*n_lines)(void *ud);
	struct line *(*line_at)(void *ud, size_t i);
	int (*reload)(void *ud);
	void (*get_provisioning)(void *ud, struct provision_status *ret);
	int (*resync)(void *ud);	/* -ENOENT: no provisioning */
	const char *(*config_path)(void *ud);	/* the file fxsd reads */
};

struct fxsd_bus;

/* Connect and publish; -errno when there is no bus (fxsd runs on). */
int bus_new(sd_event *event, const struct bus_manager_ops *ops, void *ud,
	    struct fxsd_bus **ret);
struct fxsd_bus *bus_free(struct fxsd_bus *b);
/* Tell the bus that @l changed. */
void bus_line_changed(struct fxsd_bus *b, struct line *l);

#endif /* FXSD_BUS_H */
