// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxsd - the fxs SIP user agent daemon.
 *
 *   fxsd [-c PATH] [-v] [--check-config] [--dump-fsm [--dot]]
 *
 * One sd-event loop; one Line per [port N] of the configuration, attached
 * to /dev/fxsN when udev shows it and detached when it goes away.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libudev.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "ctl/bus.h"
#include "ctl/metrics.h"
#include "ctl/provision.h"
#include "line/feature.h"
#include "line/fsm.h"
#include "line/line.h"
#include "log.h"

struct manager {
	sd_event *event;
	const char *config_path;
	struct fxsd_config *config;
	struct fxsd_config *pending;	/* a reload not applied everywhere yet */
	struct line **lines;
	size_t n_lines;
	struct udev *udev;
	struct udev_monitor *monitor;
	sd_event_source *monitor_source;
	struct fxsd_bus *bus;
	struct metrics_server *metrics;
	struct provisioner *prov;
	sd_event_source *shutdown;	/* the un-REGISTER wait on SIGTERM */
	unsigned shutdown_ticks;
};

static void manager_line_changed(struct line *l, void *ud)
{
	struct manager *m = ud;

	bus_line_changed(m->bus, l);
}

/* The provider's NOTIFY check-sync on any port: fetch the profile. */
static void manager_check_sync(struct line *l, void *ud)
{
	struct manager *m = ud;

	(void)l;
	if (m->prov)
		provision_resync(m->prov);
	else
		log_info("NOTIFY check-sync, but no [provisioning] url: nothing to fetch");
}

/* Every new line reports its changes to the bus. */
static int manager_line_new(struct manager *m, const struct fxsd_config *c,
			    const struct fxsd_port_config *pc, struct line **ret)
{
	int r = line_new(m->event, c, pc, ret);

	if (r >= 0) {
		line_set_notify(*ret, manager_line_changed, m);
		line_set_check_sync(*ret, manager_check_sync, m);
	}
	return r;
}

static struct line *manager_line(struct manager *m, const char *sysname)
{
	size_t i;
	int index;

	if (sscanf(sysname, "fxs%d", &index) != 1)
		return NULL;
	for (i = 0; i < m->n_lines; i++)
		if (line_index(m->lines[i]) == index)
			return m->lines[i];
	return NULL;
}

static void manager_device(struct manager *m, struct udev_device *d,
			   const char *action)
{
	const char *sysname = udev_device_get_sysname(d);
	const char *node = udev_device_get_devnode(d);
	struct line *l;

	if (!sysname)
		return;
	l = manager_line(m, sysname);
	if (!l) {
		log_info("%s %s: no [port] for it in %s, ignoring",
			 sysname, action ? action : "found", m->config->path);
		return;
	}
	if (action && !strcmp(action, "remove"))
		line_detach(l);
	else if (node)
		line_attach(l, node);
}

static int manager_udev_event(sd_event_source *s, int fd, uint32_t revents,
			      void *userdata)
{
	struct manager *m = userdata;
	struct udev_device *d;

	(void)s;
	(void)fd;
	(void)revents;
	d = udev_monitor_receive_device(m->monitor);
	if (!d)
		return 0;
	manager_device(m, d, udev_device_get_action(d));
	udev_device_unref(d);
	return 0;
}

static int manager_start_udev(struct manager *m)
{
	struct udev_enumerate *en;
	struct udev_list_entry *e;
	int r;

	m->udev = udev_new();
	if (!m->udev)
		return -ENOMEM;
	/*
	 * Without udevd (a minimal system, a container, the test VM) listen
	 * to the kernel's own uevents: devtmpfs has made the node by then.
	 */
	m->monitor = udev_monitor_new_from_netlink(m->udev,
		access("/run/udev/control", F_OK) ? "kernel" : "udev");
	if (!m->monitor)
		return -ENOMEM;
	udev_monitor_filter_add_match_subsystem_devtype(m->monitor, "fxs", NULL);
	r = udev_monitor_enable_receiving(m->monitor);
	if (r < 0)
		return r;
	r = sd_event_add_io(m->event, &m->monitor_source,
			    udev_monitor_get_fd(m->monitor), EPOLLIN,
			    manager_udev_event, m);
	if (r < 0)
		return r;

	en = udev_enumerate_new(m->udev);
	if (!en)
		return -ENOMEM;
	udev_enumerate_add_match_subsystem(en, "fxs");
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *d;

		d = udev_device_new_from_syspath(m->udev,
						 udev_list_entry_get_name(e));
		if (d) {
			manager_device(m, d, NULL);
			udev_device_unref(d);
		}
	}
	udev_enumerate_unref(en);
	return 0;
}

static bool port_config_equal(const struct fxsd_port_config *a,
			      const struct fxsd_port_config *b)
{
	struct fxsd_port_config x = *a, y = *b;
	unsigned i;

	x.line = y.line = 0;
	for (i = 0; i < CONFIG_STAR_CODES_MAX; i++)
		x.star_codes[i].line = y.star_codes[i].line = 0;
	return !memcmp(&x, &y, sizeof(x));
}

static bool global_config_equal(const struct fxsd_global_config *a,
				const struct fxsd_global_config *b)
{
	struct fxsd_global_config x = *a, y = *b;

	x.line = y.line = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/* The device node of fxsN if the device exists. */
static char *manager_find_node(struct manager *m, int index, char *buf,
			       size_t len)
{
	struct udev_device *d;
	char name[32];
	const char *node;

	snprintf(name, sizeof(name), "fxs%d", index);
	d = udev_device_new_from_subsystem_sysname(m->udev, "fxs", name);
	if (!d)
		return NULL;
	node = udev_device_get_devnode(d);
	if (node)
		snprintf(buf, len, "%s", node);
	udev_device_unref(d);
	return node ? buf : NULL;
}

/* Take the (freed) line at @i out of the list. */
static void manager_forget_line(struct manager *m, size_t i)
{
	memmove(&m->lines[i], &m->lines[i + 1],
		(m->n_lines - i - 1) * sizeof(*m->lines));
	m->n_lines--;
}

/*
 * Bring the lines in line with m->pending: a line whose account changed
 * (or every line, when [global] changed) is made anew, but only while it
 * has no call; busy lines are retried later.  Returns true when done.
 */
static bool manager_apply(struct manager *m)
{
	struct fxsd_config *c = m->pending;
	bool global_changed, done = true;
	char node[64];
	size_t i, j;

	if (!c)
		return true;
	global_changed = !global_config_equal(&c->global, &m->config->global);
	for (i = 0; i < m->n_lines;) {
		struct line *l = m->lines[i];
		const struct fxsd_port_config *pc = config_port(c, line_index(l));
		bool busy = line_state(l) != CALL_STATE_IDLE;
		bool had_node = line_devnode(l) != NULL;
		int index = line_index(l);

		if (pc && !global_changed && port_config_equal(pc, line_config(l))) {
			i++;
			continue;
		}
		if (busy) {
			done = false;
			i++;
			continue;
		}
		if (had_node)
			snprintf(node, sizeof(node), "%s", line_devnode(l));
		line_free(l);
		if (!pc) {
			log_info("Reload: [port %d] is gone", index);
			manager_forget_line(m, i);
			continue;
		}
		log_info("Reload: [port %d] changed, restarting it", pc->index);
		if (manager_line_new(m, c, pc, &m->lines[i]) < 0) {
			manager_forget_line(m, i);
			continue;
		}
		if (had_node)
			line_attach(m->lines[i], node);
		i++;
	}
	/* New ports. */
	for (j = 0; j < c->n_ports; j++) {
		const struct fxsd_port_config *pc = &c->ports[j];
		struct line **grown;
		bool found = false;

		for (i = 0; i < m->n_lines; i++)
			found |= line_index(m->lines[i]) == pc->index;
		if (found)
			continue;
		grown = realloc(m->lines, (m->n_lines + 1) * sizeof(*m->lines));
		if (!grown)
			return false;
		m->lines = grown;
		if (manager_line_new(m, c, pc, &m->lines[m->n_lines]) < 0)
			continue;
		log_info("Reload: new [port %d]", pc->index);
		if (manager_find_node(m, pc->index, node, sizeof(node)))
			line_attach(m->lines[m->n_lines], node);
		m->n_lines++;
	}
	if (done) {
		config_free(m->config);
		m->config = c;
		m->pending = NULL;
		log_info("Reload: %s applied", c->path);
	}
	return done;
}

static size_t manager_n_lines(void *ud);
static struct line *manager_line_at(void *ud, size_t i);
static const struct metrics_ops manager_metrics_ops;

static const struct provision_ops manager_provision_ops;

/*
 * The configuration: the local file, and @profile (named @name) over it
 * when the file has a [provisioning] url (README, "Provisioning").
 */
static int manager_build(const char *path, const char *profile, size_t len,
			 const char *name, struct fxsd_config **ret, char *err,
			 size_t errlen)
{
	struct fxsd_config *base;
	char *text;
	size_t size;
	int r;

	r = config_read_file(path, &text, &size, err, errlen);
	if (r < 0)
		return r;
	r = config_parse_overlay(text, size, path, NULL, 0, NULL, &base, err,
				 errlen);
	if (r >= 0 && profile && (base->provisioning.url[0] ||
				  base->provisioning.url_file[0])) {
		config_free(base);
		r = config_parse_overlay(text, size, path, profile, len, name,
					 &base, err, errlen);
	}
	free(text);
	if (r >= 0)
		*ret = base;
	return r;
}

/* @c becomes the configuration: the lines follow it (busy ones later). */
static void manager_take(struct manager *m, struct fxsd_config *c)
{
	config_free(m->pending);
	m->pending = c;
	log_setup(log_get_max_priority() == LOG_DEBUG ? LOG_DEBUG :
		  c->global.log_level);
	metrics_reconfigure(&m->metrics, m->event, c, &manager_metrics_ops, m);
	if (!manager_apply(m))
		log_info("Reload: ports in a call change when their call ends");
}

static int manager_reload(void *userdata)
{
	struct manager *m = userdata;
	struct fxsd_config *c;
	const char *profile;
	size_t len = 0;
	char err[512];
	int r;
	struct provision_status st;

	provision_get_status(m->prov, &st);
	profile = provision_profile(m->prov, &len);
	r = manager_build(m->config_path, profile, len,
			  st.url[0] ? st.url : "<profile>", &c, err,
			  sizeof(err));
	if (r < 0) {
		log_error("Reload failed, keeping the running configuration: %s",
			  err);
		return r;
	}
	manager_take(m, c);
	provision_reconfigure(&m->prov, m->event, c, &manager_provision_ops, m);
	return 0;
}

/* A fetched profile: the whole candidate is checked, then applied. */
static int manager_provision_apply(void *ud, const char *profile, size_t len,
				   const char *name, char *err, size_t errlen)
{
	struct manager *m = ud;
	struct fxsd_config *c;
	int r;

	r = manager_build(m->config_path, profile, len, name, &c, err, errlen);
	if (r < 0)
		return r;
	log_info("Provisioning: profile from %s taken", name);
	manager_take(m, c);
	return 0;
}

static const struct provision_ops manager_provision_ops = {
	.apply = manager_provision_apply,
};

static void manager_get_provisioning(void *ud, struct provision_status *st)
{
	provision_get_status(((struct manager *)ud)->prov, st);
}

static int manager_resync(void *ud)
{
	struct manager *m = ud;

	if (!m->prov)
		return -ENOENT;
	provision_resync(m->prov);
	return 0;
}

static int manager_sighup(sd_event_source *s, const struct signalfd_siginfo *si,
			  void *userdata)
{
	(void)s;
	(void)si;
	manager_reload(userdata);
	return 0;
}

/*
 * SIGTERM/SIGINT: end calls and un-REGISTER, then leave once every account
 * is done (or after 2 s, whatever the servers say).
 */
static int manager_shutdown_tick(sd_event_source *s, uint64_t usec, void *ud)
{
	struct manager *m = ud;
	bool pending = false;
	size_t i;

	for (i = 0; i < m->n_lines; i++) {
		enum sip_reg_state st = line_reg_state(m->lines[i]);

		pending |= st == SIP_REG_REGISTERED || st == SIP_REG_REGISTERING;
	}
	if (!pending || ++m->shutdown_ticks >= 20)
		return sd_event_exit(sd_event_source_get_event(s), 0);
	if (sd_event_source_set_time(s, usec + 100000) < 0 ||
	    sd_event_source_set_enabled(s, SD_EVENT_ONESHOT) < 0)
		return sd_event_exit(sd_event_source_get_event(s), 0);
	return 0;
}

static int manager_sigterm(sd_event_source *s, const struct signalfd_siginfo *si,
			   void *ud)
{
	struct manager *m = ud;
	size_t i;

	(void)s;
	(void)si;
	if (m->shutdown)
		return 0;
	sd_notify(0, "STOPPING=1");
	log_info("Stopping: ending calls and un-registering");
	for (i = 0; i < m->n_lines; i++)
		line_detach(m->lines[i]);
	return sd_event_add_time_relative(m->event, &m->shutdown,
					  CLOCK_MONOTONIC, 0, 10000,
					  manager_shutdown_tick, m) < 0 ?
	       sd_event_exit(m->event, 0) : 0;
}

static size_t manager_n_lines(void *ud)
{
	return ((struct manager *)ud)->n_lines;
}

static struct line *manager_line_at(void *ud, size_t i)
{
	return ((struct manager *)ud)->lines[i];
}

static const char *manager_config_path(void *ud)
{
	return ((struct manager *)ud)->config_path;
}

static const struct bus_manager_ops manager_bus_ops = {
	.n_lines = manager_n_lines,
	.line_at = manager_line_at,
	.reload = manager_reload,
	.get_provisioning = manager_get_provisioning,
	.resync = manager_resync,
	.config_path = manager_config_path,
};

static const struct metrics_ops manager_metrics_ops = {
	.n_lines = manager_n_lines,
	.line_at = manager_line_at,
};

static void manager_free(struct manager *m)
{
	size_t i;

	for (i = 0; i < m->n_lines; i++)
		line_free(m->lines[i]);
	free(m->lines);
	bus_free(m->bus);
	metrics_free(m->metrics);
	provision_free(m->prov);
	sd_event_source_disable_unref(m->shutdown);
	sd_event_source_disable_unref(m->monitor_source);
	udev_monitor_unref(m->monitor);
	udev_unref(m->udev);
	config_free(m->pending);
	config_free(m->config);
	sd_event_unref(m->event);
}

static int manager_status(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct manager *m = userdata;
	char status[256];
	size_t i, reg = 0, att = 0, calls = 0;

	manager_apply(m);
	for (i = 0; i < m->n_lines; i++) {
		reg += line_reg_state(m->lines[i]) == SIP_REG_REGISTERED;
		att += line_attached(m->lines[i]);
		calls += line_state(m->lines[i]) == CALL_STATE_INCALL;
	}
	snprintf(status, sizeof(status),
		 "STATUS=%zu port(s) attached, %zu registered, %zu in call",
		 att, reg, calls);
	sd_notify(0, status);
	sd_event_source_set_time(s, usec + 5 * 1000000ULL);
	return 0;
}

static void usage(void)
{
	printf("usage: fxsd [-c PATH] [-v] [--check-config] [--dump-fsm [--dot]]\n"
	       "  -c, --config PATH  configuration file (default %s)\n"
	       "  -v, --verbose      debug logging\n"
	       "  --check-config     parse the configuration and exit\n"
	       "  --dump-fsm         print the call state machine (--dot: as a graph)\n",
	       CONFIG_DEFAULT_PATH);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "dump-fsm", no_argument, NULL, 'F' },
		{ "dot", no_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *path = CONFIG_DEFAULT_PATH;
	char *saved = NULL;
	size_t saved_len = 0;
	bool verbose = false, check = false, dump = false, dot = false;
	struct manager m = { 0 };
	sd_event_source *status = NULL;
	char err[512];
	sigset_t sigs;
	size_t i;
	int c, r;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) >= 0) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'v':
			verbose = true;
			break;
		case 'C':
			check = true;
			break;
		case 'F':
			dump = true;
			break;
		case 'D':
			dot = true;
			break;
		case 'h':
			usage();
			return 0;
		default:
			usage();
			return 2;
		}
	}
	if (dump)
		return fsm_dump(stdout, dot) < 0 ||
		       feature_dump(stdout, dot) < 0 ? 1 : 0;

	r = config_load(path, &m.config, err, sizeof(err));
	if (r < 0) {
		fprintf(stderr, "fxsd: %s\n", err);
		return 1;
	}
	log_setup(verbose ? LOG_DEBUG : m.config->global.log_level);
	if (check) {
		printf("%s: OK, %zu port(s)\n", path, m.config->n_ports);
		config_free(m.config);
		return 0;
	}
	/* the last good profile, so that a start with the server down has it */
	if ((m.config->provisioning.url[0] || m.config->provisioning.url_file[0]) &&
	    provision_load_saved(m.config->provisioning.state_dir, &saved,
				 &saved_len) >= 0) {
		struct fxsd_config *c;
		char name[CONFIG_PATH_MAX + 64];

		snprintf(name, sizeof(name), "%s/%s",
			 m.config->provisioning.state_dir, PROVISION_PROFILE_FILE);
		if (manager_build(path, saved, saved_len, name, &c, err,
				  sizeof(err)) >= 0) {
			config_free(m.config);
			m.config = c;
			log_info("Provisioning: the saved profile %s is in use until the server is reached",
				 name);
		} else {
			log_warning("Provisioning: the saved profile is refused, using %s alone: %s",
				    path, err);
			free(saved);
			saved = NULL;
		}
	}

	r = sd_event_default(&m.event);
	if (r < 0)
		goto fail;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sd_event_add_signal(m.event, NULL, SIGTERM, manager_sigterm, &m);
	sd_event_add_signal(m.event, NULL, SIGINT, manager_sigterm, &m);
	sd_event_add_signal(m.event, NULL, SIGHUP, manager_sighup, &m);
	m.config_path = path;
	sd_event_set_watchdog(m.event, true);

	m.lines = calloc(m.config->n_ports, sizeof(*m.lines));
	if (!m.lines && m.config->n_ports) {
		r = -ENOMEM;
		goto fail;
	}
	for (i = 0; i < m.config->n_ports; i++) {
		r = manager_line_new(&m, m.config, &m.config->ports[i],
				     &m.lines[m.n_lines]);
		if (r < 0)
			goto fail;
		m.n_lines++;
	}
	r = bus_new(m.event, &manager_bus_ops, &m, &m.bus);
	if (r < 0)
		log_warning("No D-Bus API (system bus: %s), running without it",
			    strerror(-r));
	metrics_new(m.event, m.config, &manager_metrics_ops, &m, &m.metrics);
	r = provision_new(m.event, m.config, &manager_provision_ops, &m, &m.prov);
	if (r < 0)
		log_error("Provisioning unavailable: %s", strerror(-r));
	provision_start(m.prov, saved, saved_len);
	free(saved);
	saved = NULL;
	r = manager_start_udev(&m);
	if (r < 0) {
		log_error("Failed to watch fxs devices: %s", strerror(-r));
		goto fail;
	}
	sd_event_add_time_relative(m.event, &status, CLOCK_MONOTONIC, 0, 0,
				   manager_status, &m);
	sd_event_source_set_enabled(status, SD_EVENT_ON);
	log_info("fxsd started with %zu port(s) from %s", m.n_lines, path);
	sd_notify(0, "READY=1");

	r = sd_event_loop(m.event);
	sd_notify(0, "STOPPING=1");
	if (r == LINE_EXIT_RESTART)
		log_info("fxsd stopping to be restarted (the voice menu)");
	else
		log_info("fxsd stopping");
	sd_event_source_disable_unref(status);
	manager_free(&m);
	/* the voice menu's restart: a failure for Restart=on-failure */
	return r < 0 ? 1 : r == LINE_EXIT_RESTART ? LINE_EXIT_RESTART : 0;
fail:
	free(saved);
	log_error("Failed to start: %s", strerror(-r));
	sd_event_source_disable_unref(status);
	manager_free(&m);
	return 1;
}
