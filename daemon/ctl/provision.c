// SPDX-License-Identifier: GPL-2.0-only
/* provision.c - fetching the provisioning profile, see provision.h */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "ctl/filesave.h"
#include "ctl/profile.h"
#include "ctl/provision.h"
#include "log.h"

#define DMI_SERIAL	"/sys/class/dmi/id/product_serial"
#define MACHINE_ID	"/etc/machine-id"

static const char *const result_table[_PROVISION_RESULT_MAX] = {
	[PROVISION_NONE] = "none",
	[PROVISION_APPLIED] = "applied",
	[PROVISION_UNCHANGED] = "unchanged",
	[PROVISION_NOT_MODIFIED] = "not-modified",
	[PROVISION_INVALID] = "invalid",
	[PROVISION_HTTP_ERROR] = "http-error",
	[PROVISION_UNREACHABLE] = "unreachable",
	[PROVISION_NO_URL] = "no-url",
};

const char *provision_result_to_string(enum provision_result r)
{
	if ((unsigned)r >= _PROVISION_RESULT_MAX)
		return NULL;
	return result_table[r];
}

struct provisioner {
	sd_event *event;
	const struct provision_ops *ops;
	void *ud;
	struct fxsd_provisioning_config cfg;
	int first_port;			/* {port}: the base's first [port N] */

	CURLM *multi;
	sd_event_source *curl_timer;	/* libcurl's timeout */
	sd_event_source *timer;		/* the next fetch */
	CURL *easy;			/* the fetch under way, or NULL */
	struct curl_slist *headers;
	char errbuf[CURL_ERROR_SIZE];
	char *body;
	size_t body_len, body_alloc;
	bool too_large;
	struct profile_validators got;	/* of the response under way */
	bool again;			/* resync asked during a fetch */

	char *profile;			/* the good profile held */
	size_t profile_len;
	struct profile_validators have;	/* its validators */

	/* keeping it in state_dir, written off the loop (filesave.h); a
	 * newer profile waits for the save under way, then is saved */
	struct file_saver *saver;
	bool save_again;

	struct provision_status st;
};

static uint64_t now_usec(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

static uint32_t random_u32(void)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
		x = (uint32_t)now_usec(CLOCK_MONOTONIC) ^ (uint32_t)getpid();
	return x;
}

static void changed(struct provisioner *p)
{
	if (p->ops && p->ops->changed)
		p->ops->changed(p->ud);
}

/* A small file's first line ({serial}, url_file). */
static int read_first_line(const char *path, char *buf, size_t len)
{
	char text[1024];
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	r = n < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	text[n] = '\0';
	return profile_first_line(text, buf, len);
}

/* {mac}: the first interface (by index) that is not a loopback and has
 * a 6-byte hardware address. */
static int find_mac(char *buf, size_t len)
{
	struct ifaddrs *ifa, *i;
	int best = 0, r = -ENODATA;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_ll *ll = (const void *)i->ifa_addr;
		static const unsigned char zero[6];

		if (!ll || ll->sll_family != AF_PACKET ||
		    (i->ifa_flags & IFF_LOOPBACK) || ll->sll_halen != 6 ||
		    !memcmp(ll->sll_addr, zero, 6))
			continue;
		if (best && ll->sll_ifindex >= best)
			continue;
		best = ll->sll_ifindex;
		r = profile_format_mac(ll->sll_addr, 6, buf, len);
	}
	freeifaddrs(ifa);
	return r;
}

/* {serial}: DMI's product serial when the board has one, else the
 * machine id. */
static int find_serial(char *buf, size_t len)
{
	if (read_first_line(DMI_SERIAL, buf, len) == 0)
		return 0;
	return read_first_line(MACHINE_ID, buf, len);
}

/* The URL of the next fetch, expanded; the reason in st.error if none. */
static int make_url(struct provisioner *p, char *url, size_t len)
{
	char tmpl[CONFIG_URL_MAX + 1], mac[32] = "", serial[128] = "";
	int r;

	if (p->cfg.url[0]) {
		snprintf(tmpl, sizeof(tmpl), "%s", p->cfg.url);
	} else {
		r = read_first_line(p->cfg.url_file, tmpl, sizeof(tmpl));
		if (r < 0) {
			snprintf(p->st.error, sizeof(p->st.error),
				 "%s: no URL in it: %s", p->cfg.url_file,
				 strerror(-r));
			return r;
		}
		if (strncasecmp(tmpl, "https://", 8) &&
		    strncasecmp(tmpl, "http://", 7)) {
			snprintf(p->st.error, sizeof(p->st.error),
				 "%s: the URL must begin with https:// or http://",
				 p->cfg.url_file);
			return -EINVAL;
		}
	}
	if (strstr(tmpl, "{mac}"))
		find_mac(mac, sizeof(mac));
	if (strstr(tmpl, "{serial}"))
		find_serial(serial, sizeof(serial));
	r = profile_expand_url(tmpl, mac, serial, p->first_port, url, len);
	if (r < 0)
		snprintf(p->st.error, sizeof(p->st.error),
			 "cannot expand the URL: %s",
			 r == -ENODATA ? "a placeholder has no value here ({mac}: no network interface, {port}: no [port])" :
			 r == -ENOBUFS ? "too long" :
			 "unknown placeholder or lone brace ({mac}, {serial}, {port})");
	return r;
}

/* ---- the schedule ----------------------------------------------------- */

static int on_timer(sd_event_source *s, uint64_t usec, void *ud);

/* The next fetch in @ms (UINT64_MAX: none planned). */
static void plan(struct provisioner *p, uint64_t ms)
{
	if (ms == UINT64_MAX) {
		sd_event_source_set_enabled(p->timer, SD_EVENT_OFF);
		p->st.next_fetch_usec = 0;
		return;
	}
	if (!p->timer) {
		if (sd_event_add_time_relative(p->event, &p->timer,
					       CLOCK_MONOTONIC, ms * 1000, 1000,
					       on_timer, p) < 0) {
			log_error("Provisioning: no timer, no further fetches");
			return;
		}
	} else {
		sd_event_source_set_time_relative(p->timer, ms * 1000);
		sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
	}
	p->st.next_fetch_usec = now_usec(CLOCK_REALTIME) + ms * 1000;
}

static void plan_after(struct provisioner *p, bool ok)
{
	uint64_t ms;

	if (ok) {
		p->st.failures = 0;
		plan(p, p->cfg.resync_interval ?
		     (uint64_t)p->cfg.resync_interval * 1000 : UINT64_MAX);
		return;
	}
	p->st.failures++;
	ms = profile_backoff_ms(p->st.failures, p->cfg.retry_min,
				p->cfg.retry_max, random_u32());
	log_info("Provisioning: retry %u in %llu ms", p->st.failures,
		 (unsigned long long)ms);
	plan(p, ms);
}

/* ---- keeping the profile ---------------------------------------------- */

static void save_profile(struct provisioner *p);

static void saved(int r, const char *path, void *ud)
{
	struct provisioner *p = ud;

	if (r < 0)
		log_warning("Provisioning: cannot keep the profile in %s: %s",
			    path, strerror(-r));
	if (p->save_again) {
		p->save_again = false;
		save_profile(p);
	}
}

static void save_profile(struct provisioner *p)
{
	char profile[CONFIG_PATH_MAX + 64], validators[CONFIG_PATH_MAX + 64];
	char v[PROFILE_ETAG_MAX + PROFILE_DATE_MAX + 4];
	struct file_save files[2] = {
		{ profile, p->profile, p->profile_len, 0600, false },
		{ validators, v, 0, 0600, false },
	};
	int r;

	if (!p->profile)
		return;
	if (file_saver_busy(p->saver)) {
		p->save_again = true;
		return;
	}
	snprintf(profile, sizeof(profile), "%s/%s", p->cfg.state_dir,
		 PROVISION_PROFILE_FILE);
	snprintf(validators, sizeof(validators), "%s/%s", p->cfg.state_dir,
		 PROVISION_VALIDATORS_FILE);
	snprintf(v, sizeof(v), "%s\n%s\n", p->have.etag,
		 p->have.last_modified);
	files[1].len = strlen(v);
	r = p->saver ? file_saver_save(p->saver, p->cfg.state_dir, files, 2,
				       saved, p) : -ENOMEM;
	if (r < 0)
		log_warning("Provisioning: cannot keep the profile in %s: %s",
			    p->cfg.state_dir, strerror(-r));
}

int provision_load_saved(const char *state_dir, char **ret_data,
			 size_t *ret_len)
{
	char path[CONFIG_PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", state_dir,
		 PROVISION_PROFILE_FILE);
	if (access(path, F_OK) < 0)
		return -errno;
	return config_read_file(path, ret_data, ret_len, NULL, 0);
}

static void load_validators(struct provisioner *p)
{
	char path[CONFIG_PATH_MAX + 64], text[512];
	const char *nl;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", p->cfg.state_dir,
		 PROVISION_VALIDATORS_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return;
	text[n] = '\0';
	nl = strchr(text, '\n');
	if (!nl)
		return;
	/* the same checks as the headers they came from */
	{
		char line[600];

		snprintf(line, sizeof(line), "ETag: %.*s", (int)(nl - text),
			 text);
		profile_header_line(line, strlen(line), &p->have);
		snprintf(line, sizeof(line), "Last-Modified: %.*s",
			 (int)strcspn(nl + 1, "\n"), nl + 1);
		profile_header_line(line, strlen(line), &p->have);
	}
}

/* ---- one fetch -------------------------------------------------------- */

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct provisioner *p = ud;
	size_t len = size * n;

	if (p->body_len + len > CONFIG_FILE_MAX) {
		p->too_large = true;
		return 0;	/* CURLE_WRITE_ERROR */
	}
	if (p->body_len + len + 1 > p->body_alloc) {
		size_t a = p->body_alloc ? p->body_alloc : 8192;
		char *nb;

		while (a < p->body_len + len + 1)
			a *= 2;
		nb = realloc(p->body, a);
		if (!nb)
			return 0;
		p->body = nb;
		p->body_alloc = a;
	}
	memcpy(p->body + p->body_len, data, len);
	p->body_len += len;
	p->body[p->body_len] = '\0';
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct provisioner *p = ud;

	profile_header_line(data, size * n, &p->got);
	return size * n;
}

static void fetch_end(struct provisioner *p)
{
	if (p->easy) {
		curl_multi_remove_handle(p->multi, p->easy);
		curl_easy_cleanup(p->easy);
		p->easy = NULL;
	}
	curl_slist_free_all(p->headers);
	p->headers = NULL;
	free(p->body);
	p->body = NULL;
	p->body_len = p->body_alloc = 0;
}

static void fetch_start(struct provisioner *p);

/* What came of the fetch: the status, the schedule, the next fetch. */
static void finish(struct provisioner *p, enum provision_result result,
		   int http_status)
{
	bool ok = result == PROVISION_APPLIED ||
		  result == PROVISION_UNCHANGED ||
		  result == PROVISION_NOT_MODIFIED;

	p->st.result = result;
	p->st.http_status = http_status;
	p->st.last_fetch_usec = now_usec(CLOCK_REALTIME);
	p->st.fetches++;
	if (ok) {
		p->st.error[0] = '\0';
		log_info("Provisioning: %s: %s (HTTP %d)", p->st.url,
			 provision_result_to_string(result), http_status);
	} else {
		log_warning("Provisioning: %s: %s, keeping the %s: %s",
			    p->st.url[0] ? p->st.url : "(no URL)",
			    provision_result_to_string(result),
			    p->profile ? "last good profile" :
			    "local configuration", p->st.error);
	}
	fetch_end(p);
	plan_after(p, ok);
	if (p->again) {
		p->again = false;
		fetch_start(p);
	}
	changed(p);
}

/* A 2xx with a body: apply it unless it is the profile held. */
static enum provision_result take_body(struct provisioner *p)
{
	const char *text = p->body ? p->body : "";
	char *copy;
	int r;

	if (p->profile && p->profile_len == p->body_len &&
	    memcmp(p->profile, text, p->body_len) == 0) {
		if (memcmp(&p->have, &p->got, sizeof(p->have))) {
			p->have = p->got;
			save_profile(p);
		}
		return PROVISION_UNCHANGED;
	}
	r = p->ops->apply(p->ud, text, p->body_len, p->st.url, p->st.error,
			  sizeof(p->st.error));
	if (r < 0)
		return PROVISION_INVALID;
	copy = malloc(p->body_len + 1);
	if (!copy) {
		snprintf(p->st.error, sizeof(p->st.error), "out of memory");
		return PROVISION_INVALID;
	}
	memcpy(copy, text, p->body_len);
	copy[p->body_len] = '\0';
	free(p->profile);
	p->profile = copy;
	p->profile_len = p->body_len;
	p->have = p->got;
	p->st.have_profile = true;
	p->st.last_applied_usec = now_usec(CLOCK_REALTIME);
	save_profile(p);
	return PROVISION_APPLIED;
}

static void fetch_done(struct provisioner *p, CURLcode res)
{
	long code = 0;

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &code);
	if (res != CURLE_OK) {
		snprintf(p->st.error, sizeof(p->st.error), "%s",
			 p->too_large ? "the profile is larger than 1 MiB" :
			 p->errbuf[0] ? p->errbuf : curl_easy_strerror(res));
		finish(p, PROVISION_UNREACHABLE, (int)code);
		return;
	}
	if (code == 304) {
		finish(p, PROVISION_NOT_MODIFIED, 304);
		return;
	}
	if (code < 200 || code > 299) {
		snprintf(p->st.error, sizeof(p->st.error), "HTTP %ld", code);
		finish(p, PROVISION_HTTP_ERROR, (int)code);
		return;
	}
	finish(p, take_body(p), (int)code);
}

static void check_done(struct provisioner *p)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(p->multi, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == p->easy) {
			fetch_done(p, msg->data.result);
			return;	/* finish() may have started another */
		}
}

static int add_header(struct provisioner *p, const char *name,
		      const char *value)
{
	char h[PROFILE_ETAG_MAX + 32];
	struct curl_slist *l;

	if (!value[0])
		return 0;
	snprintf(h, sizeof(h), "%s: %s", name, value);
	l = curl_slist_append(p->headers, h);
	if (!l)
		return -ENOMEM;
	p->headers = l;
	return 0;
}

static void fetch_start(struct provisioner *p)
{
	char url[CONFIG_URL_MAX + 1];
	CURL *e;

	if (p->easy) {
		p->again = true;
		return;
	}
	p->st.error[0] = '\0';
	if (make_url(p, url, sizeof(url)) < 0) {
		p->st.url[0] = '\0';
		finish(p, PROVISION_NO_URL, 0);
		return;
	}
	profile_url_redact(url, p->st.url, sizeof(p->st.url));
	p->errbuf[0] = '\0';
	p->too_large = false;
	memset(&p->got, 0, sizeof(p->got));
	e = p->easy = curl_easy_init();
	if (!e || (p->profile && (add_header(p, "If-None-Match", p->have.etag) < 0 ||
				  add_header(p, "If-Modified-Since",
					     p->have.last_modified) < 0))) {
		snprintf(p->st.error, sizeof(p->st.error), "out of memory");
		finish(p, PROVISION_UNREACHABLE, 0);
		return;
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)p->cfg.timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT,
			 (long)(p->cfg.timeout < 10 ? p->cfg.timeout : 10));
	curl_easy_setopt(e, CURLOPT_USERAGENT, "fxsd");
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, p);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (p->cfg.ca_file[0]) {
		/* the pinned CA alone, not the system store besides */
		curl_easy_setopt(e, CURLOPT_CAINFO, p->cfg.ca_file);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	if (p->headers)
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
	if (curl_multi_add_handle(p->multi, e) != CURLM_OK) {
		snprintf(p->st.error, sizeof(p->st.error),
			 "cannot start the transfer");
		finish(p, PROVISION_UNREACHABLE, 0);
		return;
	}
	log_debug("Provisioning: fetching %s", p->st.url);
}

static int on_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	(void)s;
	(void)usec;
	fetch_start(ud);
	return 0;
}

/* ---- libcurl on the loop ---------------------------------------------- */

static int on_curl_io(sd_event_source *s, int fd, uint32_t revents, void *ud)
{
	struct provisioner *p = ud;
	int action = 0, running;

	(void)s;
	if (revents & EPOLLIN)
		action |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		action |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		action |= CURL_CSELECT_ERR;
	curl_multi_socket_action(p->multi, fd, action, &running);
	check_done(p);
	return 0;
}

static int on_curl_timer(sd_event_source *s, uint64_t usec, void *ud)
{
	struct provisioner *p = ud;
	int running;

	(void)s;
	(void)usec;
	curl_multi_socket_action(p->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(p);
	return 0;
}

static int curl_socket_cb(CURL *e, curl_socket_t fd, int what, void *ud,
			  void *socketp)
{
	struct provisioner *p = ud;
	sd_event_source *src = socketp;
	uint32_t events = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (src) {
			sd_event_source_disable_unref(src);
			curl_multi_assign(p->multi, fd, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (src)
		return sd_event_source_set_io_events(src, events) < 0 ? -1 : 0;
	if (sd_event_add_io(p->event, &src, fd, events, on_curl_io, p) < 0)
		return -1;
	curl_multi_assign(p->multi, fd, src);
	return 0;
}

static int curl_timer_cb(CURLM *multi, long timeout_ms, void *ud)
{
	struct provisioner *p = ud;

	(void)multi;
	if (timeout_ms < 0)
		return sd_event_source_set_enabled(p->curl_timer,
						   SD_EVENT_OFF) < 0 ? -1 : 0;
	if (!p->curl_timer)
		return sd_event_add_time_relative(p->event, &p->curl_timer,
						  CLOCK_MONOTONIC,
						  (uint64_t)timeout_ms * 1000,
						  0, on_curl_timer, p) < 0 ?
		       -1 : 0;
	if (sd_event_source_set_time_relative(p->curl_timer,
					      (uint64_t)timeout_ms * 1000) < 0 ||
	    sd_event_source_set_enabled(p->curl_timer, SD_EVENT_ONESHOT) < 0)
		return -1;
	return 0;
}

/* ---- life cycle ------------------------------------------------------- */

static bool enabled(const struct fxsd_config *cfg)
{
	return cfg->provisioning.url[0] || cfg->provisioning.url_file[0];
}

int provision_new(sd_event *event, const struct fxsd_config *cfg,
		  const struct provision_ops *ops, void *ud,
		  struct provisioner **ret)
{
	static bool curl_ready;
	struct provisioner *p;

	*ret = NULL;
	if (!enabled(cfg))
		return 0;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return -ENOMEM;
		curl_ready = true;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->event = sd_event_ref(event);
	p->ops = ops;
	p->ud = ud;
	p->cfg = cfg->provisioning;
	p->first_port = cfg->n_ports ? cfg->ports[0].index : -1;
	p->st.enabled = true;
	p->multi = curl_multi_init();
	if (!p->multi || file_saver_new(event, &p->saver) < 0) {
		provision_free(p);
		return -ENOMEM;
	}
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETFUNCTION, curl_socket_cb);
	curl_multi_setopt(p->multi, CURLMOPT_SOCKETDATA, p);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERFUNCTION, curl_timer_cb);
	curl_multi_setopt(p->multi, CURLMOPT_TIMERDATA, p);
	*ret = p;
	return 0;
}

void provision_start(struct provisioner *p, const char *profile, size_t len)
{
	if (!p)
		return;
	if (profile) {
		p->profile = malloc(len + 1);
		if (p->profile) {
			memcpy(p->profile, profile, len);
			p->profile[len] = '\0';
			p->profile_len = len;
			p->st.have_profile = true;
			load_validators(p);
		}
	}
	plan(p, 0);
}

int provision_reconfigure(struct provisioner **pp, sd_event *event,
			  const struct fxsd_config *cfg,
			  const struct provision_ops *ops, void *ud)
{
	struct provisioner *p = *pp;
	const struct fxsd_provisioning_config *n = &cfg->provisioning;
	bool where;

	if (!p) {
		int r = provision_new(event, cfg, ops, ud, pp);

		if (r >= 0 && *pp)
			provision_start(*pp, NULL, 0);
		return r;
	}
	if (!enabled(cfg)) {
		*pp = provision_free(p);
		log_info("Provisioning: off");
		return 0;
	}
	where = strcmp(n->url, p->cfg.url) || strcmp(n->url_file, p->cfg.url_file) ||
		strcmp(n->ca_file, p->cfg.ca_file) ||
		strcmp(n->state_dir, p->cfg.state_dir) ||
		(cfg->n_ports ? cfg->ports[0].index : -1) != p->first_port;
	if (!where && !memcmp(n, &p->cfg, sizeof(*n) - sizeof(n->line)))
		return 0;
	p->cfg = *n;
	p->first_port = cfg->n_ports ? cfg->ports[0].index : -1;
	if (where) {
		provision_resync(p);
	} else if (!p->easy) {
		if (p->st.failures)
			plan(p, profile_backoff_ms(p->st.failures, n->retry_min,
						   n->retry_max, random_u32()));
		else
			plan_after(p, true);
	}
	changed(p);
	return 0;
}

void provision_resync(struct provisioner *p)
{
	if (!p)
		return;
	if (p->easy)
		p->again = true;
	else
		plan(p, 0);
}

const char *provision_profile(const struct provisioner *p, size_t *ret_len)
{
	if (!p || !p->profile)
		return NULL;
	if (ret_len)
		*ret_len = p->profile_len;
	return p->profile;
}

void provision_get_status(const struct provisioner *p,
			  struct provision_status *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (p)
		*ret = p->st;
}

struct provisioner *provision_free(struct provisioner *p)
{
	if (!p)
		return NULL;
	fetch_end(p);
	if (p->multi)
		curl_multi_cleanup(p->multi);
	file_saver_free(p->saver);	/* the last save finishes first */
	sd_event_source_disable_unref(p->curl_timer);
	sd_event_source_disable_unref(p->timer);
	sd_event_unref(p->event);
	free(p->profile);
	free(p);
	return NULL;
}
