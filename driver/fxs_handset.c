// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs_handset: the simulated telephone handset on a test board's line and
 * its control node /dev/fxs_hsN (include/uapi/linux/fxs_loop.h): the hook
 * switch moved by timed actions, what the handset observes on the line,
 * earpiece, mouthpiece and the hybrid's echo.  Shared by the loopback
 * board and the simulated Si3215 (driver/fxs_handset.h); part of fxs.ko.
 */

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/kfifo.h>
#include <linux/kref.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/fxs.h>
#include <linux/fxs_loop.h>

#include "fxs_handset.h"

#define HS_RATE			8000
#define HS_MAX_EDGES		384
#define HS_MAX_BOUNCES		8
#define HS_OBS_QUEUE		256
#define HS_EAR_SAMPLES		16384	/* 2 s */
#define HS_MOUTH_BYTES		32768	/* 2 s */
#define HS_HIST			1024	/* earpiece history for the echo */
#define HS_MAX_DELAY_US		64000
#define HS_MAX_ERL_CDB		6000
#define HS_READ_CHUNK		2048	/* samples copied out per read */
#define HS_START_DELAY_NS	(200 * NSEC_PER_USEC)

/* 2^24 * 10^(-n/20) for n = 0..60 dB */
static const u32 hs_db_q24[] = {
	16777216, 14952709, 13326616, 11877359, 10585708, 9434522, 8408526, 7494107,
	6679130, 5952781, 5305422, 4728462, 4214246, 3755951, 3347495, 2983458,
	2659010, 2369845, 2112126, 1882435, 1677722, 1495271, 1332662, 1187736,
	1058571, 943452, 840853, 749411, 667913, 595278, 530542, 472846,
	421425, 375595, 334749, 298346, 265901, 236984, 211213, 188243,
	167772, 149527, 133266, 118774, 105857, 94345, 84085, 74941,
	66791, 59528, 53054, 47285, 42142, 37560, 33475, 29835,
	26590, 23698, 21121, 18824, 16777,
};

/* A dispersive hybrid response of 2 ms, unit energy in Q15. */
static const s16 hs_default_taps[] = {
	5415, 15162, 21660, 11913, -6498, -9747, -4332, 2166,
	3899, 1733, -866, -1300, -650, 217, 433, 217,
};

struct hs_edge {
	u64 at_ns;
	bool offhook;
};

/**
 * struct fxs_hs - one handset on one line
 * @ref: the board's reference and one per open descriptor
 * @ops: the board's callbacks
 * @ctx: their argument
 * @misc: the handset node
 * @name: name of the handset node
 * @action_lock: serialises hook actions and their waiters
 * @mouth_lock: makes write() and FLUSH the producers of @mouth
 * @lock: protects everything below, taken from timer context; never held
 *	while calling the board
 * @removed: the handset is gone; I/O gives -ENODEV
 * @offhook: the handset's contact level
 * @linefeed: the line feed it sees
 * @ringing: ring voltage is on
 * @edges: the running hook action
 * @nedges: edges in @edges
 * @next_edge: index of the next edge to apply
 * @busy: a hook action runs
 * @action_timer: applies the edges
 * @action_wait: waiters for the end of an action
 * @late_ns: the most an edge was applied after its planned time since the
 *	last FLUSH (the timer ran late: the machine stalled)
 * @obs: observation queue
 * @obs_head: index of the oldest observation
 * @obs_len: observations queued
 * @obs_lost: observations dropped
 * @pcm_running: the line's audio clock runs
 * @ear: earpiece ring
 * @ear_head: index of the oldest earpiece sample
 * @ear_len: earpiece samples queued
 * @ear_dropped: earpiece samples dropped
 * @ear_wait: earpiece readers
 * @mouth: mouthpiece audio queue (bytes)
 * @echo: echo settings as userspace gave them
 * @coef: echo impulse response with the ERL applied, Q24
 * @ncoef: taps in @coef
 * @delay: bulk delay in samples
 * @hist: what the earpiece played, for the echo
 * @hpos: next write index in @hist
 */
struct fxs_hs {
	struct kref ref;
	const struct fxs_hs_ops *ops;
	void *ctx;
	struct miscdevice misc;
	char name[16];
	struct mutex action_lock;	/* serialises hook actions */
	struct mutex mouth_lock;	/* producers of @mouth */

	spinlock_t lock;	/* see @lock above */
	bool removed;
	bool offhook;
	u32 linefeed;
	bool ringing;

	struct hs_edge edges[HS_MAX_EDGES];
	unsigned int nedges;
	unsigned int next_edge;
	bool busy;
	struct hrtimer action_timer;
	wait_queue_head_t action_wait;
	u64 late_ns;

	struct fxs_hs_obs obs[HS_OBS_QUEUE];
	unsigned int obs_head;
	unsigned int obs_len;
	u32 obs_lost;

	bool pcm_running;
	s16 ear[HS_EAR_SAMPLES];
	unsigned int ear_head;
	unsigned int ear_len;
	u64 ear_dropped;
	wait_queue_head_t ear_wait;
	DECLARE_KFIFO(mouth, u8, HS_MOUTH_BYTES);

	struct fxs_hs_echo echo;
	s32 coef[FXS_HS_MAX_TAPS];
	unsigned int ncoef;
	unsigned int delay;
	s16 hist[HS_HIST];
	unsigned int hpos;
};

static bool hs_feed_oht(u32 mode)
{
	return mode == FXS_LINEFEED_OHT || mode == FXS_LINEFEED_OHT_REVERSE;
}

static bool hs_feed_reversed(u32 mode)
{
	return mode == FXS_LINEFEED_REVERSE || mode == FXS_LINEFEED_OHT_REVERSE;
}

static void hs_free(struct kref *ref)
{
	kfree(container_of(ref, struct fxs_hs, ref));
}

static void hs_observe_at(struct fxs_hs *hs, u32 type, u32 value, u64 ts)
{
	struct fxs_hs_obs *o;

	lockdep_assert_held(&hs->lock);
	if (hs->obs_len == HS_OBS_QUEUE) {
		hs->obs_lost++;
		return;
	}
	o = &hs->obs[(hs->obs_head + hs->obs_len++) % HS_OBS_QUEUE];
	o->timestamp_ns = ts;
	o->type = type;
	o->value = value;
}

/* ---- echo model ---- */

static u32 hs_erl_gain_q24(u32 cdb)
{
	u32 db = cdb / 100, frac = cdb % 100;
	u32 a = hs_db_q24[db];
	u32 b = db < 60 ? hs_db_q24[db + 1] : a;

	return a - (a - b) * frac / 100;
}

/* Scale the impulse response to unit energy, then apply the ERL. */
static void hs_echo_compute(struct fxs_hs *hs)
{
	const struct fxs_hs_echo *e = &hs->echo;
	const s16 *taps = e->ntaps ? e->taps : hs_default_taps;
	unsigned int i, n = e->ntaps ? e->ntaps : ARRAY_SIZE(hs_default_taps);
	u32 gain = hs_erl_gain_q24(e->erl_cdb);
	u64 energy = 0;
	u32 norm;

	lockdep_assert_held(&hs->lock);
	for (i = 0; i < n; i++)
		energy += (s64)taps[i] * taps[i];
	norm = int_sqrt64(energy);
	for (i = 0; i < n; i++)
		hs->coef[i] = norm ? div_s64((s64)taps[i] * gain, norm) : 0;
	hs->ncoef = n;
	hs->delay = div_u64((u64)e->delay_us * HS_RATE, USEC_PER_SEC);
}

static s16 hs_sat16(s64 v)
{
	return clamp_t(s64, v, S16_MIN, S16_MAX);
}

/* One sample through the line: @tx goes to the earpiece, returns the mouth. */
static s16 hs_line_sample(struct fxs_hs *hs, s16 tx)
{
	bool loop_closed = hs->offhook && hs->linefeed != FXS_LINEFEED_OPEN;
	bool hear = loop_closed || hs_feed_oht(hs->linefeed);
	s64 acc = 0;
	unsigned int i;
	u8 m[2];
	s16 mouth = 0;

	lockdep_assert_held(&hs->lock);
	if (hs->ear_len == HS_EAR_SAMPLES) {
		hs->ear_head = (hs->ear_head + 1) % HS_EAR_SAMPLES;
		WRITE_ONCE(hs->ear_len, hs->ear_len - 1);
		hs->ear_dropped++;
	}
	hs->ear[(hs->ear_head + hs->ear_len) % HS_EAR_SAMPLES] = hear ? tx : 0;
	/* (read without the lock by the handset's read and poll) */
	WRITE_ONCE(hs->ear_len, hs->ear_len + 1);

	hs->hist[hs->hpos] = loop_closed ? tx : 0;
	if (hs->echo.enable) {
		unsigned int base = hs->hpos + HS_HIST - hs->delay;

		for (i = 0; i < hs->ncoef; i++)
			acc += (s64)hs->coef[i] * hs->hist[(base - i) % HS_HIST];
	}
	hs->hpos = (hs->hpos + 1) % HS_HIST;

	if (loop_closed && kfifo_out(&hs->mouth, m, sizeof(m)) == sizeof(m))
		memcpy(&mouth, m, sizeof(mouth));
	return hs_sat16((s64)mouth + (acc >> 24));
}

/* ---- hook actions ---- */

static enum hrtimer_restart hs_action_timer_fn(struct hrtimer *timer)
{
	struct fxs_hs *hs = container_of(timer, struct fxs_hs, action_timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	bool report = false, level = false;
	unsigned long flags;
	u64 at, now;

	spin_lock_irqsave(&hs->lock, flags);
	if (hs->removed || hs->next_edge >= hs->nedges) {
		WRITE_ONCE(hs->busy, false);
		goto out;
	}
	at = hs->edges[hs->next_edge].at_ns;
	level = hs->edges[hs->next_edge].offhook;
	now = ktime_get_ns();
	if (now > at && now - at > hs->late_ns)
		hs->late_ns = now - at;
	hs->next_edge++;
	WRITE_ONCE(hs->offhook, level);
	report = true;
	if (hs->next_edge < hs->nedges) {
		hrtimer_set_expires(timer,
				    ns_to_ktime(hs->edges[hs->next_edge].at_ns));
		ret = HRTIMER_RESTART;
	} else {
		WRITE_ONCE(hs->busy, false);
	}
out:
	spin_unlock_irqrestore(&hs->lock, flags);
	/* The edge happened when it was planned, even if the timer is late. */
	if (report)
		hs->ops->hook(hs->ctx, level, at);
	if (ret == HRTIMER_NORESTART)
		wake_up_interruptible_all(&hs->action_wait);
	return ret;
}

static int hs_wait_idle(struct fxs_hs *hs)
{
	return wait_event_interruptible(hs->action_wait,
					!READ_ONCE(hs->busy) ||
					READ_ONCE(hs->removed));
}

/*
 * Plan edges: a move to @level at @at, preceded by @bounces contact
 * bounces of @bounce_ns each.  Returns the time the contact settles.
 */
static u64 hs_plan_edge(struct hs_edge *edges, unsigned int *n, u64 at,
			bool level, unsigned int bounces, u64 bounce_ns)
{
	unsigned int i;

	for (i = 0; i < bounces; i++) {
		edges[(*n)++] = (struct hs_edge){ at, level };
		at += bounce_ns;
		edges[(*n)++] = (struct hs_edge){ at, !level };
		at += bounce_ns;
	}
	edges[(*n)++] = (struct hs_edge){ at, level };
	return at;
}

/* Start the planned action; hs->action_lock held and no action running. */
static int hs_start_action(struct fxs_hs *hs, struct hs_edge *edges,
			   unsigned int n, bool need_offhook)
{
	unsigned long flags;
	int ret = 0;

	lockdep_assert_held(&hs->action_lock);
	spin_lock_irqsave(&hs->lock, flags);
	if (hs->removed) {
		ret = -ENODEV;
	} else if (need_offhook && !hs->offhook) {
		ret = -EINVAL;
	} else if (n) {
		memcpy(hs->edges, edges, n * sizeof(*edges));
		hs->nedges = n;
		hs->next_edge = 0;
		WRITE_ONCE(hs->busy, true);
		hrtimer_start(&hs->action_timer, ns_to_ktime(edges[0].at_ns),
			      HRTIMER_MODE_ABS);
	}
	spin_unlock_irqrestore(&hs->lock, flags);
	return ret;
}

static int hs_check_bounce(u32 count, u32 us)
{
	if (count > HS_MAX_BOUNCES)
		return -EINVAL;
	if (count && (us < 100 || us > 10000))
		return -EINVAL;
	return 0;
}

static int hs_node_hook(struct fxs_hs *hs, struct fxs_hs_hook *req,
			struct hs_edge *edges)
{
	unsigned int n = 0;
	u64 start;
	int ret;

	if (req->offhook > 1 || req->padding)
		return -EINVAL;
	ret = hs_check_bounce(req->bounce_count, req->bounce_us);
	if (ret)
		return ret;
	start = ktime_get_ns() + HS_START_DELAY_NS;
	req->start_ns = start;
	if (READ_ONCE(hs->offhook) == req->offhook && !req->bounce_count) {
		req->start_ns = ktime_get_ns();
		req->end_ns = req->start_ns;
		return 0;
	}
	req->end_ns = hs_plan_edge(edges, &n, start, req->offhook,
				   req->bounce_count,
				   (u64)req->bounce_us * NSEC_PER_USEC);
	return hs_start_action(hs, edges, n, false);
}

static int hs_node_flash(struct fxs_hs *hs, struct fxs_hs_flash *req,
			 struct hs_edge *edges)
{
	unsigned int n = 0;
	u64 start;

	if (!req->break_ms || req->break_ms > 10000 ||
	    memchr_inv(req->padding, 0, sizeof(req->padding)))
		return -EINVAL;
	start = ktime_get_ns() + HS_START_DELAY_NS;
	req->start_ns = start;
	req->end_ns = start + (u64)req->break_ms * NSEC_PER_MSEC;
	hs_plan_edge(edges, &n, start, false, 0, 0);
	hs_plan_edge(edges, &n, req->end_ns, true, 0, 0);
	return hs_start_action(hs, edges, n, true);
}

static int hs_node_dial(struct fxs_hs *hs, struct fxs_hs_dial *req,
			struct hs_edge *edges)
{
	unsigned int i, pulses, n = 0;
	u64 at, bounce_ns;
	int ret;

	if (req->digit > 9 || !req->break_ms || req->break_ms > 1000 ||
	    !req->make_ms || req->make_ms > 1000 ||
	    memchr_inv(req->padding, 0, sizeof(req->padding)))
		return -EINVAL;
	ret = hs_check_bounce(req->bounce_count, req->bounce_us);
	if (ret)
		return ret;
	pulses = req->digit ? req->digit : 10;
	bounce_ns = (u64)req->bounce_us * NSEC_PER_USEC;
	at = ktime_get_ns() + HS_START_DELAY_NS;
	req->start_ns = at;
	for (i = 0; i < pulses; i++) {
		at = hs_plan_edge(edges, &n, at, false, req->bounce_count,
				  bounce_ns);
		at += (u64)req->break_ms * NSEC_PER_MSEC;
		at = hs_plan_edge(edges, &n, at, true, req->bounce_count,
				  bounce_ns);
		req->end_ns = at;
		at += (u64)req->make_ms * NSEC_PER_MSEC;
	}
	return hs_start_action(hs, edges, n, true);
}

/* A raw edge reported at once, stamped in the past; action_lock held. */
static int hs_node_edge(struct fxs_hs *hs, struct fxs_hs_edge *req)
{
	unsigned long flags;
	u64 now;

	lockdep_assert_held(&hs->action_lock);
	if (req->offhook > 1 || req->padding || req->ago_ns > 10 * NSEC_PER_SEC ||
	    memchr_inv(req->reserved, 0, sizeof(req->reserved)))
		return -EINVAL;
	now = ktime_get_ns();
	req->ts_ns = now > req->ago_ns ? now - req->ago_ns : 0;
	spin_lock_irqsave(&hs->lock, flags);
	if (hs->removed) {
		spin_unlock_irqrestore(&hs->lock, flags);
		return -ENODEV;
	}
	WRITE_ONCE(hs->offhook, req->offhook);
	spin_unlock_irqrestore(&hs->lock, flags);
	hs->ops->hook(hs->ctx, req->offhook, req->ts_ns);
	return 0;
}

/* ---- handset node ---- */

static struct fxs_hs *hs_from_file(struct file *file)
{
	return file->private_data;
}

static int hs_node_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct fxs_hs *hs = container_of(misc, struct fxs_hs, misc);

	kref_get(&hs->ref);
	file->private_data = hs;
	/* Audio streams, not a file: no position, no f_pos lock. */
	return stream_open(inode, file);
}

static int hs_node_release(struct inode *inode, struct file *file)
{
	kref_put(&hs_from_file(file)->ref, hs_free);
	return 0;
}

static ssize_t hs_node_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	struct fxs_hs *hs = hs_from_file(file);
	unsigned long flags;
	unsigned int n, i;
	s16 *tmp;
	int ret;

	if (count < sizeof(s16))
		return -EINVAL;
	for (;;) {
		if (READ_ONCE(hs->removed))
			return -ENODEV;
		if (READ_ONCE(hs->ear_len))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(hs->ear_wait,
					       READ_ONCE(hs->ear_len) ||
					       READ_ONCE(hs->removed));
		if (ret)
			return ret;
	}
	n = min_t(size_t, count / sizeof(s16), HS_READ_CHUNK);
	tmp = kmalloc_array(n, sizeof(s16), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	spin_lock_irqsave(&hs->lock, flags);
	n = min(n, hs->ear_len);
	for (i = 0; i < n; i++)
		tmp[i] = hs->ear[(hs->ear_head + i) % HS_EAR_SAMPLES];
	hs->ear_head = (hs->ear_head + n) % HS_EAR_SAMPLES;
	WRITE_ONCE(hs->ear_len, hs->ear_len - n);
	spin_unlock_irqrestore(&hs->lock, flags);
	ret = copy_to_user(buf, tmp, n * sizeof(s16)) ? -EFAULT : n * sizeof(s16);
	kfree(tmp);
	return ret;
}

static ssize_t hs_node_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct fxs_hs *hs = hs_from_file(file);
	unsigned int copied;
	int ret;

	if (count % sizeof(s16))
		return -EINVAL;
	if (READ_ONCE(hs->removed))
		return -ENODEV;
	if (mutex_lock_interruptible(&hs->mouth_lock))
		return -ERESTARTSYS;
	count = min_t(size_t, count, kfifo_avail(&hs->mouth) & ~1U);
	ret = kfifo_from_user(&hs->mouth, buf, count, &copied);
	mutex_unlock(&hs->mouth_lock);
	if (ret)
		return ret;
	return copied ? copied : -EAGAIN;
}

static __poll_t hs_node_poll(struct file *file, poll_table *wait)
{
	struct fxs_hs *hs = hs_from_file(file);
	__poll_t mask = 0;

	poll_wait(file, &hs->ear_wait, wait);
	if (READ_ONCE(hs->removed))
		return EPOLLHUP | EPOLLERR;
	if (READ_ONCE(hs->ear_len))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (kfifo_avail(&hs->mouth) >= 2)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int hs_node_get_obs(struct fxs_hs *hs, void __user *uarg)
{
	struct fxs_hs_obs_batch *b;
	unsigned long flags;
	unsigned int i;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	spin_lock_irqsave(&hs->lock, flags);
	b->count = min_t(unsigned int, hs->obs_len, FXS_HS_OBS_BATCH);
	for (i = 0; i < b->count; i++)
		b->obs[i] = hs->obs[(hs->obs_head + i) % HS_OBS_QUEUE];
	hs->obs_head = (hs->obs_head + b->count) % HS_OBS_QUEUE;
	hs->obs_len -= b->count;
	b->lost = hs->obs_lost;
	spin_unlock_irqrestore(&hs->lock, flags);
	ret = copy_to_user(uarg, b, sizeof(*b)) ? -EFAULT : 0;
	kfree(b);
	return ret;
}

static int hs_node_set_echo(struct fxs_hs *hs, void __user *uarg)
{
	struct fxs_hs_echo *e;
	unsigned long flags;
	int ret = 0;

	e = memdup_user(uarg, sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	if (e->enable > 1 || e->delay_us > HS_MAX_DELAY_US ||
	    e->erl_cdb > HS_MAX_ERL_CDB || e->ntaps > FXS_HS_MAX_TAPS ||
	    memchr_inv(e->padding, 0, sizeof(e->padding))) {
		ret = -EINVAL;
		goto out;
	}
	spin_lock_irqsave(&hs->lock, flags);
	hs->echo = *e;
	hs_echo_compute(hs);
	spin_unlock_irqrestore(&hs->lock, flags);
out:
	kfree(e);
	return ret;
}

static int hs_node_get_echo(struct fxs_hs *hs, void __user *uarg)
{
	struct fxs_hs_echo *e;
	unsigned long flags;
	int ret;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	spin_lock_irqsave(&hs->lock, flags);
	*e = hs->echo;
	spin_unlock_irqrestore(&hs->lock, flags);
	ret = copy_to_user(uarg, e, sizeof(*e)) ? -EFAULT : 0;
	kfree(e);
	return ret;
}

static int hs_node_flush(struct fxs_hs *hs)
{
	unsigned long flags;

	mutex_lock(&hs->mouth_lock);
	spin_lock_irqsave(&hs->lock, flags);
	kfifo_reset(&hs->mouth);
	hs->ear_head = 0;
	WRITE_ONCE(hs->ear_len, 0);
	hs->obs_head = 0;
	hs->obs_len = 0;
	hs->obs_lost = 0;
	hs->late_ns = 0;
	spin_unlock_irqrestore(&hs->lock, flags);
	mutex_unlock(&hs->mouth_lock);
	return 0;
}

static long hs_node_action(struct fxs_hs *hs, unsigned int cmd,
			   void __user *uarg)
{
	union {
		struct fxs_hs_hook hook;
		struct fxs_hs_flash flash;
		struct fxs_hs_dial dial;
		struct fxs_hs_edge edge;
	} req;
	struct hs_edge *edges;
	size_t size = _IOC_SIZE(cmd);
	int ret;

	if (copy_from_user(&req, uarg, size))
		return -EFAULT;
	edges = kmalloc_array(HS_MAX_EDGES, sizeof(*edges), GFP_KERNEL);
	if (!edges)
		return -ENOMEM;
	if (mutex_lock_interruptible(&hs->action_lock)) {
		ret = -ERESTARTSYS;
		goto out_free;
	}
	ret = hs_wait_idle(hs);
	if (ret)
		goto out_unlock;
	if (cmd == FXS_HS_IOC_HOOK)
		ret = hs_node_hook(hs, &req.hook, edges);
	else if (cmd == FXS_HS_IOC_FLASH)
		ret = hs_node_flash(hs, &req.flash, edges);
	else if (cmd == FXS_HS_IOC_EDGE)
		ret = hs_node_edge(hs, &req.edge);
	else
		ret = hs_node_dial(hs, &req.dial, edges);
out_unlock:
	mutex_unlock(&hs->action_lock);
	/* (no user copy under the lock: a stalled one would block the rest) */
	if (!ret && copy_to_user(uarg, &req, size))
		ret = -EFAULT;
out_free:
	kfree(edges);
	return ret;
}

static long hs_node_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct fxs_hs *hs = hs_from_file(file);
	void __user *uarg = (void __user *)arg;

	if (READ_ONCE(hs->removed))
		return -ENODEV;
	/* Like the port's node: a read-only descriptor only looks. */
	if (!(file->f_mode & FMODE_WRITE)) {
		switch (cmd) {
		case FXS_HS_IOC_HOOK:
		case FXS_HS_IOC_FLASH:
		case FXS_HS_IOC_DIAL:
		case FXS_HS_IOC_EDGE:
		case FXS_HS_IOC_SET_ECHO:
		case FXS_HS_IOC_FLUSH:
			return -EBADF;
		}
	}
	switch (cmd) {
	case FXS_HS_IOC_HOOK:
	case FXS_HS_IOC_FLASH:
	case FXS_HS_IOC_DIAL:
	case FXS_HS_IOC_EDGE:
		return hs_node_action(hs, cmd, uarg);
	case FXS_HS_IOC_WAIT:
		return hs_wait_idle(hs);
	case FXS_HS_IOC_GET_OBS:
		return hs_node_get_obs(hs, uarg);
	case FXS_HS_IOC_SET_ECHO:
		return hs_node_set_echo(hs, uarg);
	case FXS_HS_IOC_GET_ECHO:
		return hs_node_get_echo(hs, uarg);
	case FXS_HS_IOC_GET_STATE: {
		struct fxs_hs_state st = {};
		unsigned long flags;

		spin_lock_irqsave(&hs->lock, flags);
		st.offhook = hs->offhook;
		st.ringing = hs->ringing;
		st.linefeed = hs->linefeed;
		st.pcm_running = READ_ONCE(hs->pcm_running);
		st.ear_dropped = hs->ear_dropped;
		st.late_ns = hs->late_ns;
		spin_unlock_irqrestore(&hs->lock, flags);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case FXS_HS_IOC_FLUSH:
		return hs_node_flush(hs);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hs_node_fops = {
	.owner = THIS_MODULE,
	.open = hs_node_open,
	.release = hs_node_release,
	.read = hs_node_read,
	.write = hs_node_write,
	.poll = hs_node_poll,
	.unlocked_ioctl = hs_node_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* ---- what the board tells the handset ---- */

bool fxs_hs_offhook(struct fxs_hs *hs)
{
	return READ_ONCE(hs->offhook);
}
EXPORT_SYMBOL_GPL(fxs_hs_offhook);

int fxs_hs_set_hook(struct fxs_hs *hs, bool offhook)
{
	struct fxs_hs_edge req = { .offhook = offhook };
	int ret;

	mutex_lock(&hs->action_lock);
	ret = hs_wait_idle(hs);
	if (!ret)
		ret = hs_node_edge(hs, &req);
	mutex_unlock(&hs->action_lock);
	return ret;
}
EXPORT_SYMBOL_GPL(fxs_hs_set_hook);

void fxs_hs_set_linefeed(struct fxs_hs *hs, u32 mode, u64 ts_ns)
{
	unsigned long flags;
	u32 old;

	spin_lock_irqsave(&hs->lock, flags);
	old = hs->linefeed;
	hs->linefeed = mode;
	if (old != mode)
		hs_observe_at(hs, FXS_HS_OBS_LINEFEED, mode, ts_ns);
	if (hs_feed_reversed(old) != hs_feed_reversed(mode))
		hs_observe_at(hs, FXS_HS_OBS_POLARITY, hs_feed_reversed(mode),
			      ts_ns);
	spin_unlock_irqrestore(&hs->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_hs_set_linefeed);

void fxs_hs_set_ring(struct fxs_hs *hs, bool on, u32 mhz, u64 ts_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&hs->lock, flags);
	if (hs->ringing != on) {
		hs->ringing = on;
		hs_observe_at(hs, on ? FXS_HS_OBS_RING_ON : FXS_HS_OBS_RING_OFF,
			      on ? mhz : 0, ts_ns);
	}
	spin_unlock_irqrestore(&hs->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_hs_set_ring);

void fxs_hs_set_pcm(struct fxs_hs *hs, bool running)
{
	unsigned long flags;

	spin_lock_irqsave(&hs->lock, flags);
	if (running)
		memset(hs->hist, 0, sizeof(hs->hist));
	WRITE_ONCE(hs->pcm_running, running);
	spin_unlock_irqrestore(&hs->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_hs_set_pcm);

void fxs_hs_audio(struct fxs_hs *hs, const s16 *tx, s16 *rx, unsigned int n)
{
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&hs->lock, flags);
	for (i = 0; i < n; i++)
		rx[i] = hs_line_sample(hs, tx[i]);
	spin_unlock_irqrestore(&hs->lock, flags);
	wake_up_interruptible(&hs->ear_wait);
}
EXPORT_SYMBOL_GPL(fxs_hs_audio);

/* ---- life ---- */

struct fxs_hs *fxs_hs_create(struct device *parent, int index,
			     const struct fxs_hs_ops *ops, void *ctx)
{
	struct fxs_hs *hs;
	unsigned long flags;
	int ret;

	hs = kzalloc(sizeof(*hs), GFP_KERNEL);
	if (!hs)
		return ERR_PTR(-ENOMEM);
	kref_init(&hs->ref);
	hs->ops = ops;
	hs->ctx = ctx;
	mutex_init(&hs->action_lock);
	mutex_init(&hs->mouth_lock);
	spin_lock_init(&hs->lock);
	hs->linefeed = FXS_LINEFEED_FORWARD;
	hrtimer_init(&hs->action_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	hs->action_timer.function = hs_action_timer_fn;
	init_waitqueue_head(&hs->action_wait);
	init_waitqueue_head(&hs->ear_wait);
	INIT_KFIFO(hs->mouth);
	/* Not visible yet, but hs_echo_compute() wants the lock all the same. */
	spin_lock_irqsave(&hs->lock, flags);
	hs->echo.enable = 1;
	hs->echo.delay_us = 5000;
	hs->echo.erl_cdb = 900;
	hs_echo_compute(hs);
	spin_unlock_irqrestore(&hs->lock, flags);

	snprintf(hs->name, sizeof(hs->name), "fxs_hs%d", index);
	hs->misc.minor = MISC_DYNAMIC_MINOR;
	hs->misc.name = hs->name;
	hs->misc.fops = &hs_node_fops;
	hs->misc.parent = parent;
	ret = misc_register(&hs->misc);
	if (ret) {
		kfree(hs);
		return ERR_PTR(ret);
	}
	return hs;
}
EXPORT_SYMBOL_GPL(fxs_hs_create);

void fxs_hs_destroy(struct fxs_hs *hs)
{
	unsigned long flags;

	spin_lock_irqsave(&hs->lock, flags);
	WRITE_ONCE(hs->removed, true);
	spin_unlock_irqrestore(&hs->lock, flags);
	hrtimer_cancel(&hs->action_timer);
	wake_up_interruptible_all(&hs->action_wait);
	wake_up_interruptible_all(&hs->ear_wait);
	/* an EDGE request past its check calls the board under this lock */
	mutex_lock(&hs->action_lock);
	mutex_unlock(&hs->action_lock);
	misc_deregister(&hs->misc);
	kref_put(&hs->ref, hs_free);
}
EXPORT_SYMBOL_GPL(fxs_hs_destroy);
