/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * filesave.h - files written off the event loop.  Writing and fsyncing
 * a file can stall for as long as the storage likes (an SD card, a busy
 * flash), and nothing may block fxsd's loop: a saver writes in a thread
 * of its own and calls back on the loop.  Each file goes to PATH.tmp,
 * is fsynced and renamed over PATH, so a reader sees the old file or the
 * new one, whole.  One save at a time per saver.
 */
#ifndef FXSD_CTL_FILESAVE_H
#define FXSD_CTL_FILESAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#define FILE_SAVE_MAX	4	/* files in one save */

struct file_saver;

/* One file of a save: @data (@len bytes) becomes @path with @mode, or
 * with the mode of the file it replaces (its group and owner bits only,
 * at most 0660) when @keep_mode and there is one. */
struct file_save {
	const char *path;
	const void *data;
	size_t len;
	mode_t mode;
	bool keep_mode;
};

/* @done(0 or the first -errno, @ud) on the loop when the files are
 * written, in order (a file is not written after one that failed). */
typedef void (*file_save_done_t)(int r, const char *path, void *ud);

int file_saver_new(sd_event *event, struct file_saver **ret);
/* Waits for a save under way (its callback is not called). */
struct file_saver *file_saver_free(struct file_saver *s);
/*
 * Starts writing @n files (copied: the caller's buffers may go at once)
 * in a thread; @mkdir_path, when not NULL, is made first (0700).
 * -EBUSY while a save is under way, -EINVAL, -ENOMEM or a thread error.
 */
int file_saver_save(struct file_saver *s, const char *mkdir_path,
		    const struct file_save *files, unsigned n,
		    file_save_done_t done, void *ud);
bool file_saver_busy(const struct file_saver *s);

#endif
