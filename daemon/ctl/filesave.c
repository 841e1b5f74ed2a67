// SPDX-License-Identifier: GPL-2.0-only
/* filesave.c - files written off the event loop, see filesave.h */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl/filesave.h"

struct save_file {
	char *path;
	void *data;
	size_t len;
	mode_t mode;
	bool keep_mode;
};

struct file_saver {
	int fd;				/* eventfd: the thread is done */
	sd_event_source *source;
	bool busy;			/* a thread runs (or has to be joined) */
	pthread_t thread;

	/* the save under way: the thread's until it writes to fd */
	char *mkdir_path;
	struct save_file files[FILE_SAVE_MAX];
	unsigned n;
	int result;
	unsigned failed;		/* the file that failed */
	file_save_done_t done;
	void *ud;
};

static int write_one(const struct save_file *f)
{
	const char *p = f->data;
	size_t len = f->len;
	mode_t mode = f->mode;
	struct stat st;
	char *tmp;
	int fd, r = 0;

	if (f->keep_mode && stat(f->path, &st) == 0)
		mode = st.st_mode & 0660;
	if (asprintf(&tmp, "%s.tmp", f->path) < 0)
		return -ENOMEM;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		r = -errno;
		free(tmp);
		return r;
	}
	if (fchmod(fd, mode) < 0)	/* the umask may have taken bits */
		r = -errno;
	while (!r && len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno != EINTR)
				r = -errno;
			continue;
		}
		p += n;
		len -= (size_t)n;
	}
	if (!r && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && !r)
		r = -errno;
	if (!r && rename(tmp, f->path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

static void *save_thread(void *arg)
{
	struct file_saver *s = arg;
	uint64_t one = 1;
	unsigned i;

	s->result = 0;
	if (s->mkdir_path && mkdir(s->mkdir_path, 0700) < 0 && errno != EEXIST)
		s->result = -errno;
	for (i = 0; !s->result && i < s->n; i++) {
		s->result = write_one(&s->files[i]);
		s->failed = i;
	}
	if (write(s->fd, &one, sizeof(one)) < 0) {
		/* an eventfd write fails only on overflow: cannot happen */
	}
	return NULL;
}

static void save_clear(struct file_saver *s)
{
	unsigned i;

	for (i = 0; i < s->n; i++) {
		free(s->files[i].path);
		free(s->files[i].data);
	}
	free(s->mkdir_path);
	s->mkdir_path = NULL;
	s->n = 0;
}

/* The loop's side: join the thread, then tell the caller. */
static int save_done(sd_event_source *src, int fd, uint32_t revents,
		     void *userdata)
{
	struct file_saver *s = userdata;
	file_save_done_t done = s->done;
	char path[4096] = "";
	void *ud = s->ud;
	uint64_t n;
	int r;

	(void)src;
	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0 || !s->busy)
		return 0;
	pthread_join(s->thread, NULL);
	s->busy = false;
	r = s->result;
	if (r < 0)
		snprintf(path, sizeof(path), "%s",
			 s->n ? s->files[s->failed].path : s->mkdir_path);
	save_clear(s);
	if (done)
		done(r, path, ud);	/* may start the next save */
	return 0;
}

int file_saver_new(sd_event *event, struct file_saver **ret)
{
	struct file_saver *s = calloc(1, sizeof(*s));
	int r;

	if (!s)
		return -ENOMEM;
	s->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->fd < 0) {
		r = -errno;
		free(s);
		return r;
	}
	r = sd_event_add_io(event, &s->source, s->fd, EPOLLIN, save_done, s);
	if (r < 0) {
		close(s->fd);
		free(s);
		return r;
	}
	*ret = s;
	return 0;
}

struct file_saver *file_saver_free(struct file_saver *s)
{
	if (!s)
		return NULL;
	if (s->busy)		/* a few KB: it ends soon */
		pthread_join(s->thread, NULL);
	save_clear(s);
	sd_event_source_disable_unref(s->source);
	close(s->fd);
	free(s);
	return NULL;
}

bool file_saver_busy(const struct file_saver *s)
{
	return s && s->busy;
}

int file_saver_save(struct file_saver *s, const char *mkdir_path,
		    const struct file_save *files, unsigned n,
		    file_save_done_t done, void *ud)
{
	unsigned i;
	int r;

	if (!s || !files || n == 0 || n > FILE_SAVE_MAX)
		return -EINVAL;
	if (s->busy)
		return -EBUSY;
	if (mkdir_path && !(s->mkdir_path = strdup(mkdir_path)))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		struct save_file *f = &s->files[i];

		s->n = i + 1;
		f->path = strdup(files[i].path);
		f->data = malloc(files[i].len ? files[i].len : 1);
		if (!f->path || !f->data) {
			save_clear(s);
			return -ENOMEM;
		}
		memcpy(f->data, files[i].data, files[i].len);
		f->len = files[i].len;
		f->mode = files[i].mode;
		f->keep_mode = files[i].keep_mode;
	}
	s->done = done;
	s->ud = ud;
	r = pthread_create(&s->thread, NULL, save_thread, s);
	if (r) {
		save_clear(s);
		return -r;
	}
	s->busy = true;
	return 0;
}
