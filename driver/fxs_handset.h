/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fxs_handset.h - the simulated telephone handset that test boards put on
 * their line (the loopback board, the simulated Si3215), with its control
 * node /dev/fxs_hsN (include/uapi/linux/fxs_loop.h).  It lives in the fxs
 * module; a board creates one per line and tells it what the line does.
 *
 * The handset owns its hook switch (timed hook actions), what it observes
 * on the line (line feed, polarity, ring), its earpiece and mouthpiece
 * and the hybrid's echo.  The board owns how the hook switch reaches the
 * core: a loopback line reports each edge itself, a simulated chip turns
 * it into loop current and an interrupt.
 */
#ifndef _FXS_HANDSET_H
#define _FXS_HANDSET_H

#include <linux/device.h>
#include <linux/types.h>

struct fxs_hs;

/**
 * struct fxs_hs_ops - what the board does for its handset
 * @hook: the hook switch moved to @offhook at @ts_ns (CLOCK_MONOTONIC:
 *	the planned time of a timed edge, or the past time an EDGE request
 *	stamps); called for every edge, in order, from a timer or from the
 *	requesting process, never with a handset lock held and never again
 *	once fxs_hs_destroy() returned
 */
struct fxs_hs_ops {
	void (*hook)(void *ctx, bool offhook, u64 ts_ns);
};

/* /dev/fxs_hs@index under @parent; ERR_PTR on failure */
struct fxs_hs *fxs_hs_create(struct device *parent, int index,
			     const struct fxs_hs_ops *ops, void *ctx);
/* node gone, I/O on open descriptors -ENODEV, no more @hook calls */
void fxs_hs_destroy(struct fxs_hs *hs);

/* the hook switch as the handset holds it; any context */
bool fxs_hs_offhook(struct fxs_hs *hs);
/* move the hook switch now (a test control plane's shortcut); may sleep */
int fxs_hs_set_hook(struct fxs_hs *hs, bool offhook);

/* the line feed (enum fxs_linefeed) the handset sees from @ts_ns; any context */
void fxs_hs_set_linefeed(struct fxs_hs *hs, u32 mode, u64 ts_ns);
/*
 * ring voltage on or off at @ts_ns; @mhz is the ring frequency the line
 * carries (mHz, 0 when the board does not model it), the RING_ON
 * observation's value; any context
 */
void fxs_hs_set_ring(struct fxs_hs *hs, bool on, u32 mhz, u64 ts_ns);

/* the line's audio clock started (the echo history is cleared) or stopped */
void fxs_hs_set_pcm(struct fxs_hs *hs, bool running);
/*
 * @n samples through the line: @tx (sent to the phone) reaches the
 * earpiece, @rx gets what the line carries back over the same instants
 * (mouthpiece and echo); any context
 */
void fxs_hs_audio(struct fxs_hs *hs, const s16 *tx, s16 *rx, unsigned int n);

#endif /* _FXS_HANDSET_H */
