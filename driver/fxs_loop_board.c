// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs_loop: a loopback FXS board.  Each port simulates a SLIC with a
 * telephone handset on the line and the hybrid's echo, and has a handset
 * node /dev/fxs_hsN through which tests lift the receiver, dial, talk,
 * listen and watch the ringer.  The ABI is include/uapi/linux/fxs_loop.h.
 */

#include <linux/device.h>
#include <linux/fs.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kfifo.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/fxs_loop.h>

#include "fxs_board.h"

#define LOOP_RATE		8000
#define LOOP_MAX_PORTS		16
#define LOOP_MAX_EDGES		384
#define LOOP_MAX_BOUNCES	8
#define LOOP_OBS_QUEUE		256
#define LOOP_EAR_SAMPLES	16384	/* 2 s */
#define LOOP_MOUTH_BYTES	32768	/* 2 s */
#define LOOP_HIST		1024	/* earpiece history for the echo */
#define LOOP_MAX_DELAY_US	64000
#define LOOP_MAX_ERL_CDB	6000
#define LOOP_MAX_FRAME		160	/* 20 ms */
#define LOOP_MAX_CATCHUP	50	/* frames made up in one timer run */
#define LOOP_READ_CHUNK		2048	/* samples copied out per read */
#define LOOP_START_DELAY_NS	(200 * NSEC_PER_USEC)

static unsigned int ports = 2;
module_param(ports, uint, 0444);
MODULE_PARM_DESC(ports, "number of ports created at load (0-16, default 2)");

static unsigned int bus_sleep_us;
module_param(bus_sleep_us, uint, 0444);
MODULE_PARM_DESC(bus_sleep_us,
		 "every board op sleeps this long first, as a SLIC behind SPI or I2C does (0-10000 us, default 0)");

/* 2^24 * 10^(-n/20) for n = 0..60 dB */
static const u32 loop_db_q24[] = {
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
static const s16 loop_default_taps[] = {
	5415, 15162, 21660, 11913, -6498, -9747, -4332, 2166,
	3899, 1733, -866, -1300, -650, 217, 433, 217,
};

struct loop_edge {
	u64 at_ns;
	bool offhook;
};

struct fxs_loop;

/**
 * struct loop_port - one simulated line with its handset
 * @port: the core's port; this struct is its private area
 * @board: the board
 * @node: entry in the board's list
 * @misc: the handset node
 * @name: name of the handset node
 * @action_lock: serialises hook actions and their waiters
 * @mouth_lock: makes write() and FLUSH the producers of @mouth
 * @lock: protects everything below, taken from timer context; never held
 *	while calling into the core
 * @removed: the port is gone; handset I/O gives -ENODEV
 * @offhook: the handset's contact level
 * @reported: the level last reported to the core
 * @linefeed: the feed the core asked for
 * @ringing: ring voltage is on
 * @edges: the running hook action
 * @nedges: edges in @edges
 * @next_edge: index of the next edge to apply
 * @busy: a hook action runs
 * @action_timer: applies the edges
 * @action_wait: waiters for the end of an action
 * @obs: observation queue
 * @obs_head: index of the oldest observation
 * @obs_len: observations queued
 * @obs_lost: observations dropped
 * @pcm_running: the audio clock runs
 * @period_ns: frame period
 * @frame: samples per frame
 * @pcm_timer: the audio clock
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
struct loop_port {
	struct fxs_port *port;
	struct fxs_loop *board;
	struct list_head node;
	struct miscdevice misc;
	char name[16];
	struct mutex action_lock;	/* serialises hook actions */
	struct mutex mouth_lock;	/* producers of @mouth */

	spinlock_t lock;	/* see @lock above */
	bool removed;
	bool offhook;
	bool reported;
	u32 linefeed;
	bool ringing;

	struct loop_edge edges[LOOP_MAX_EDGES];
	unsigned int nedges;
	unsigned int next_edge;
	bool busy;
	struct hrtimer action_timer;
	wait_queue_head_t action_wait;

	struct fxs_hs_obs obs[LOOP_OBS_QUEUE];
	unsigned int obs_head;
	unsigned int obs_len;
	u32 obs_lost;

	bool pcm_running;
	u64 period_ns;
	unsigned int frame;
	struct hrtimer pcm_timer;
	/*
	 * one frame each way, only touched by loop_pcm_timer_fn() (not on
	 * its stack: with KASAN's redzones it would pass 1 KiB)
	 */
	s16 tx[LOOP_MAX_FRAME], rx[LOOP_MAX_FRAME];
	s16 ear[LOOP_EAR_SAMPLES];
	unsigned int ear_head;
	unsigned int ear_len;
	u64 ear_dropped;
	wait_queue_head_t ear_wait;
	DECLARE_KFIFO(mouth, u8, LOOP_MOUTH_BYTES);

	struct fxs_hs_echo echo;
	s32 coef[FXS_HS_MAX_TAPS];
	unsigned int ncoef;
	unsigned int delay;
	s16 hist[LOOP_HIST];
	unsigned int hpos;
};

/**
 * struct fxs_loop - the board
 * @dev: the platform device
 * @lock: protects @ports
 * @ports: the board's ports
 */
struct fxs_loop {
	struct device *dev;
	struct mutex lock;	/* protects @ports */
	struct list_head ports;
};

static inline struct loop_port *to_lp(struct fxs_port *port)
{
	return fxs_port_priv(port);
}

static bool loop_feed_oht(u32 mode)
{
	return mode == FXS_LINEFEED_OHT || mode == FXS_LINEFEED_OHT_REVERSE;
}

static bool loop_feed_reversed(u32 mode)
{
	return mode == FXS_LINEFEED_REVERSE || mode == FXS_LINEFEED_OHT_REVERSE;
}

static void loop_observe_at(struct loop_port *lp, u32 type, u32 value, u64 ts)
{
	struct fxs_hs_obs *o;

	lockdep_assert_held(&lp->lock);
	if (lp->obs_len == LOOP_OBS_QUEUE) {
		lp->obs_lost++;
		return;
	}
	o = &lp->obs[(lp->obs_head + lp->obs_len++) % LOOP_OBS_QUEUE];
	o->timestamp_ns = ts;
	o->type = type;
	o->value = value;
}

static void loop_observe(struct loop_port *lp, u32 type, u32 value)
{
	loop_observe_at(lp, type, value, ktime_get_ns());
}

/* ---- echo model ---- */

static u32 loop_erl_gain_q24(u32 cdb)
{
	u32 db = cdb / 100, frac = cdb % 100;
	u32 a = loop_db_q24[db];
	u32 b = db < 60 ? loop_db_q24[db + 1] : a;

	return a - (a - b) * frac / 100;
}

/* Scale the impulse response to unit energy, then apply the ERL. */
static void loop_echo_compute(struct loop_port *lp)
{
	const struct fxs_hs_echo *e = &lp->echo;
	const s16 *taps = e->ntaps ? e->taps : loop_default_taps;
	unsigned int i, n = e->ntaps ? e->ntaps : ARRAY_SIZE(loop_default_taps);
	u32 gain = loop_erl_gain_q24(e->erl_cdb);
	u64 energy = 0;
	u32 norm;

	lockdep_assert_held(&lp->lock);
	for (i = 0; i < n; i++)
		energy += (s64)taps[i] * taps[i];
	norm = int_sqrt64(energy);
	for (i = 0; i < n; i++)
		lp->coef[i] = norm ? div_s64((s64)taps[i] * gain, norm) : 0;
	lp->ncoef = n;
	lp->delay = div_u64((u64)e->delay_us * LOOP_RATE, USEC_PER_SEC);
}

static s16 loop_sat16(s64 v)
{
	return clamp_t(s64, v, S16_MIN, S16_MAX);
}

/* One sample through the line: @tx goes to the earpiece, returns the mouth. */
static s16 loop_line_sample(struct loop_port *lp, s16 tx)
{
	bool loop_closed = lp->offhook && lp->linefeed != FXS_LINEFEED_OPEN;
	bool hear = loop_closed || loop_feed_oht(lp->linefeed);
	s64 acc = 0;
	unsigned int i;
	u8 m[2];
	s16 mouth = 0;

	lockdep_assert_held(&lp->lock);
	if (lp->ear_len == LOOP_EAR_SAMPLES) {
		lp->ear_head = (lp->ear_head + 1) % LOOP_EAR_SAMPLES;
		WRITE_ONCE(lp->ear_len, lp->ear_len - 1);
		lp->ear_dropped++;
	}
	lp->ear[(lp->ear_head + lp->ear_len) % LOOP_EAR_SAMPLES] = hear ? tx : 0;
	/* (read without the lock by the handset's read and poll) */
	WRITE_ONCE(lp->ear_len, lp->ear_len + 1);

	lp->hist[lp->hpos] = loop_closed ? tx : 0;
	if (lp->echo.enable) {
		unsigned int base = lp->hpos + LOOP_HIST - lp->delay;

		for (i = 0; i < lp->ncoef; i++)
			acc += (s64)lp->coef[i] * lp->hist[(base - i) % LOOP_HIST];
	}
	lp->hpos = (lp->hpos + 1) % LOOP_HIST;

	if (loop_closed && kfifo_out(&lp->mouth, m, sizeof(m)) == sizeof(m))
		memcpy(&mouth, m, sizeof(mouth));
	return loop_sat16((s64)mouth + (acc >> 24));
}

static enum hrtimer_restart loop_pcm_timer_fn(struct hrtimer *timer)
{
	struct loop_port *lp = container_of(timer, struct loop_port, pcm_timer);
	s16 *tx = lp->tx, *rx = lp->rx;
	unsigned long flags;
	u64 frames, f;
	unsigned int i;

	frames = hrtimer_forward(timer, hrtimer_cb_get_time(timer),
				 ns_to_ktime(lp->period_ns));
	frames = min_t(u64, frames, LOOP_MAX_CATCHUP);
	for (f = 0; f < frames; f++) {
		/* rx[i] is heard while tx[i] is sent: the core's reference */
		fxs_port_pcm_tx(lp->port, tx, lp->frame);
		spin_lock_irqsave(&lp->lock, flags);
		for (i = 0; i < lp->frame; i++)
			rx[i] = loop_line_sample(lp, tx[i]);
		spin_unlock_irqrestore(&lp->lock, flags);
		fxs_port_pcm_rx(lp->port, rx, lp->frame);
	}
	wake_up_interruptible(&lp->ear_wait);
	return HRTIMER_RESTART;
}

/* ---- board ops ---- */

/*
 * A board op's access to the simulated chip.  With bus_sleep_us it sleeps,
 * like a transfer on a sleeping bus, so the core calling an op in atomic
 * context shows up as a "scheduling while atomic" BUG.
 */
static void loop_bus_access(void)
{
	might_sleep();
	if (bus_sleep_us)
		usleep_range(bus_sleep_us, bus_sleep_us + bus_sleep_us / 4 + 1);
}

static int loop_set_linefeed(struct fxs_port *port, u32 mode)
{
	struct loop_port *lp = to_lp(port);
	bool report = false, level = false;
	unsigned long flags;
	u32 old;

	loop_bus_access();
	spin_lock_irqsave(&lp->lock, flags);
	old = lp->linefeed;
	lp->linefeed = mode;
	if (old != mode)
		loop_observe(lp, FXS_HS_OBS_LINEFEED, mode);
	if (loop_feed_reversed(old) != loop_feed_reversed(mode))
		loop_observe(lp, FXS_HS_OBS_POLARITY, loop_feed_reversed(mode));
	/* With battery back the SLIC sees the loop as it is now. */
	if (old == FXS_LINEFEED_OPEN && mode != FXS_LINEFEED_OPEN &&
	    lp->offhook != lp->reported) {
		lp->reported = lp->offhook;
		level = lp->offhook;
		report = true;
	}
	spin_unlock_irqrestore(&lp->lock, flags);
	if (report)
		fxs_port_hook_edge(port, level, ktime_get_ns());
	return 0;
}

/*
 * The simulated ringer switches when the core's cadence says it does (the
 * due time, not the worker's: the loopback line models ideal hardware).
 */
static int loop_set_ring(struct fxs_port *port, bool on, u64 ts_ns)
{
	struct loop_port *lp = to_lp(port);
	unsigned long flags;

	loop_bus_access();
	spin_lock_irqsave(&lp->lock, flags);
	if (lp->ringing != on) {
		lp->ringing = on;
		loop_observe_at(lp, on ? FXS_HS_OBS_RING_ON : FXS_HS_OBS_RING_OFF,
				0, ts_ns);
	}
	spin_unlock_irqrestore(&lp->lock, flags);
	return 0;
}

static int loop_pcm_start(struct fxs_port *port, unsigned int period_ms)
{
	struct loop_port *lp = to_lp(port);
	unsigned long flags;

	loop_bus_access();
	spin_lock_irqsave(&lp->lock, flags);
	lp->period_ns = (u64)period_ms * NSEC_PER_MSEC;
	lp->frame = period_ms * LOOP_RATE / 1000;
	memset(lp->hist, 0, sizeof(lp->hist));
	WRITE_ONCE(lp->pcm_running, true);
	spin_unlock_irqrestore(&lp->lock, flags);
	hrtimer_start(&lp->pcm_timer, ns_to_ktime(lp->period_ns),
		      HRTIMER_MODE_REL);
	return 0;
}

static void loop_pcm_stop(struct fxs_port *port)
{
	struct loop_port *lp = to_lp(port);

	loop_bus_access();
	hrtimer_cancel(&lp->pcm_timer);
	WRITE_ONCE(lp->pcm_running, false);
}

static const struct fxs_port_ops loop_ops = {
	.set_linefeed = loop_set_linefeed,
	.set_ring = loop_set_ring,
	.pcm_start = loop_pcm_start,
	.pcm_stop = loop_pcm_stop,
};

/* ---- hook actions ---- */

static enum hrtimer_restart loop_action_timer_fn(struct hrtimer *timer)
{
	struct loop_port *lp = container_of(timer, struct loop_port, action_timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	bool report = false, level;
	unsigned long flags;
	u64 at;

	spin_lock_irqsave(&lp->lock, flags);
	if (lp->removed || lp->next_edge >= lp->nedges) {
		WRITE_ONCE(lp->busy, false);
		goto out;
	}
	at = lp->edges[lp->next_edge].at_ns;
	level = lp->edges[lp->next_edge].offhook;
	lp->next_edge++;
	WRITE_ONCE(lp->offhook, level);
	if (lp->linefeed != FXS_LINEFEED_OPEN && lp->reported != level) {
		lp->reported = level;
		report = true;
	}
	if (lp->next_edge < lp->nedges) {
		hrtimer_set_expires(timer,
				    ns_to_ktime(lp->edges[lp->next_edge].at_ns));
		ret = HRTIMER_RESTART;
	} else {
		WRITE_ONCE(lp->busy, false);
	}
out:
	spin_unlock_irqrestore(&lp->lock, flags);
	/* The edge happened when it was planned, even if the timer is late. */
	if (report)
		fxs_port_hook_edge(lp->port, level, at);
	if (ret == HRTIMER_NORESTART)
		wake_up_interruptible_all(&lp->action_wait);
	return ret;
}

static int loop_wait_idle(struct loop_port *lp)
{
	return wait_event_interruptible(lp->action_wait,
					!READ_ONCE(lp->busy) ||
					READ_ONCE(lp->removed));
}

/*
 * Plan edges: a move to @level at @at, preceded by @bounces contact
 * bounces of @bounce_ns each.  Returns the time the contact settles.
 */
static u64 loop_plan_edge(struct loop_edge *edges, unsigned int *n, u64 at,
			  bool level, unsigned int bounces, u64 bounce_ns)
{
	unsigned int i;

	for (i = 0; i < bounces; i++) {
		edges[(*n)++] = (struct loop_edge){ at, level };
		at += bounce_ns;
		edges[(*n)++] = (struct loop_edge){ at, !level };
		at += bounce_ns;
	}
	edges[(*n)++] = (struct loop_edge){ at, level };
	return at;
}

/* Start the planned action; lp->action_lock held and no action running. */
static int loop_start_action(struct loop_port *lp, struct loop_edge *edges,
			     unsigned int n, bool need_offhook)
{
	unsigned long flags;
	int ret = 0;

	lockdep_assert_held(&lp->action_lock);
	spin_lock_irqsave(&lp->lock, flags);
	if (lp->removed) {
		ret = -ENODEV;
	} else if (need_offhook && !lp->offhook) {
		ret = -EINVAL;
	} else if (n) {
		memcpy(lp->edges, edges, n * sizeof(*edges));
		lp->nedges = n;
		lp->next_edge = 0;
		WRITE_ONCE(lp->busy, true);
		hrtimer_start(&lp->action_timer, ns_to_ktime(edges[0].at_ns),
			      HRTIMER_MODE_ABS);
	}
	spin_unlock_irqrestore(&lp->lock, flags);
	return ret;
}

static int loop_check_bounce(u32 count, u32 us)
{
	if (count > LOOP_MAX_BOUNCES)
		return -EINVAL;
	if (count && (us < 100 || us > 10000))
		return -EINVAL;
	return 0;
}

static int loop_hs_hook(struct loop_port *lp, struct fxs_hs_hook *req,
			struct loop_edge *edges)
{
	unsigned int n = 0;
	u64 start;
	int ret;

	if (req->offhook > 1 || req->padding)
		return -EINVAL;
	ret = loop_check_bounce(req->bounce_count, req->bounce_us);
	if (ret)
		return ret;
	start = ktime_get_ns() + LOOP_START_DELAY_NS;
	req->start_ns = start;
	if (READ_ONCE(lp->offhook) == req->offhook && !req->bounce_count) {
		req->start_ns = ktime_get_ns();
		req->end_ns = req->start_ns;
		return 0;
	}
	req->end_ns = loop_plan_edge(edges, &n, start, req->offhook,
				     req->bounce_count,
				     (u64)req->bounce_us * NSEC_PER_USEC);
	return loop_start_action(lp, edges, n, false);
}

static int loop_hs_flash(struct loop_port *lp, struct fxs_hs_flash *req,
			 struct loop_edge *edges)
{
	unsigned int n = 0;
	u64 start;

	if (!req->break_ms || req->break_ms > 10000 ||
	    memchr_inv(req->padding, 0, sizeof(req->padding)))
		return -EINVAL;
	start = ktime_get_ns() + LOOP_START_DELAY_NS;
	req->start_ns = start;
	req->end_ns = start + (u64)req->break_ms * NSEC_PER_MSEC;
	loop_plan_edge(edges, &n, start, false, 0, 0);
	loop_plan_edge(edges, &n, req->end_ns, true, 0, 0);
	return loop_start_action(lp, edges, n, true);
}

static int loop_hs_dial(struct loop_port *lp, struct fxs_hs_dial *req,
			struct loop_edge *edges)
{
	unsigned int i, pulses, n = 0;
	u64 at, bounce_ns;
	int ret;

	if (req->digit > 9 || !req->break_ms || req->break_ms > 1000 ||
	    !req->make_ms || req->make_ms > 1000 ||
	    memchr_inv(req->padding, 0, sizeof(req->padding)))
		return -EINVAL;
	ret = loop_check_bounce(req->bounce_count, req->bounce_us);
	if (ret)
		return ret;
	pulses = req->digit ? req->digit : 10;
	bounce_ns = (u64)req->bounce_us * NSEC_PER_USEC;
	at = ktime_get_ns() + LOOP_START_DELAY_NS;
	req->start_ns = at;
	for (i = 0; i < pulses; i++) {
		at = loop_plan_edge(edges, &n, at, false, req->bounce_count,
				    bounce_ns);
		at += (u64)req->break_ms * NSEC_PER_MSEC;
		at = loop_plan_edge(edges, &n, at, true, req->bounce_count,
				    bounce_ns);
		req->end_ns = at;
		at += (u64)req->make_ms * NSEC_PER_MSEC;
	}
	return loop_start_action(lp, edges, n, true);
}

/* A raw edge reported at once, stamped in the past; action_lock held. */
static int loop_hs_edge(struct loop_port *lp, struct fxs_hs_edge *req)
{
	bool report = false;
	unsigned long flags;
	u64 now;

	lockdep_assert_held(&lp->action_lock);
	if (req->offhook > 1 || req->padding || req->ago_ns > 10 * NSEC_PER_SEC ||
	    memchr_inv(req->reserved, 0, sizeof(req->reserved)))
		return -EINVAL;
	now = ktime_get_ns();
	req->ts_ns = now > req->ago_ns ? now - req->ago_ns : 0;
	spin_lock_irqsave(&lp->lock, flags);
	if (lp->removed) {
		spin_unlock_irqrestore(&lp->lock, flags);
		return -ENODEV;
	}
	WRITE_ONCE(lp->offhook, req->offhook);
	if (lp->linefeed != FXS_LINEFEED_OPEN && lp->reported != req->offhook) {
		lp->reported = req->offhook;
		report = true;
	}
	spin_unlock_irqrestore(&lp->lock, flags);
	if (report)
		fxs_port_hook_edge(lp->port, req->offhook, req->ts_ns);
	return 0;
}

/* ---- handset node ---- */

static struct loop_port *loop_from_file(struct file *file)
{
	return file->private_data;
}

static int loop_hs_open(struct inode *inode, struct file *file)
{
	struct miscdevice *misc = file->private_data;
	struct loop_port *lp = container_of(misc, struct loop_port, misc);

	fxs_port_get(lp->port);
	file->private_data = lp;
	/* Audio streams, not a file: no position, no f_pos lock. */
	return stream_open(inode, file);
}

static int loop_hs_release(struct inode *inode, struct file *file)
{
	fxs_port_put(loop_from_file(file)->port);
	return 0;
}

static ssize_t loop_hs_read(struct file *file, char __user *buf, size_t count,
			    loff_t *ppos)
{
	struct loop_port *lp = loop_from_file(file);
	unsigned long flags;
	unsigned int n, i;
	s16 *tmp;
	int ret;

	if (count < sizeof(s16))
		return -EINVAL;
	for (;;) {
		if (READ_ONCE(lp->removed))
			return -ENODEV;
		if (READ_ONCE(lp->ear_len))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(lp->ear_wait,
					       READ_ONCE(lp->ear_len) ||
					       READ_ONCE(lp->removed));
		if (ret)
			return ret;
	}
	n = min_t(size_t, count / sizeof(s16), LOOP_READ_CHUNK);
	tmp = kmalloc_array(n, sizeof(s16), GFP_KERNEL);
	if (!tmp)
		return -ENOMEM;
	spin_lock_irqsave(&lp->lock, flags);
	n = min(n, lp->ear_len);
	for (i = 0; i < n; i++)
		tmp[i] = lp->ear[(lp->ear_head + i) % LOOP_EAR_SAMPLES];
	lp->ear_head = (lp->ear_head + n) % LOOP_EAR_SAMPLES;
	WRITE_ONCE(lp->ear_len, lp->ear_len - n);
	spin_unlock_irqrestore(&lp->lock, flags);
	ret = copy_to_user(buf, tmp, n * sizeof(s16)) ? -EFAULT : n * sizeof(s16);
	kfree(tmp);
	return ret;
}

static ssize_t loop_hs_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct loop_port *lp = loop_from_file(file);
	unsigned int copied;
	int ret;

	if (count % sizeof(s16))
		return -EINVAL;
	if (READ_ONCE(lp->removed))
		return -ENODEV;
	if (mutex_lock_interruptible(&lp->mouth_lock))
		return -ERESTARTSYS;
	count = min_t(size_t, count, kfifo_avail(&lp->mouth) & ~1U);
	ret = kfifo_from_user(&lp->mouth, buf, count, &copied);
	mutex_unlock(&lp->mouth_lock);
	if (ret)
		return ret;
	return copied ? copied : -EAGAIN;
}

static __poll_t loop_hs_poll(struct file *file, poll_table *wait)
{
	struct loop_port *lp = loop_from_file(file);
	__poll_t mask = 0;

	poll_wait(file, &lp->ear_wait, wait);
	if (READ_ONCE(lp->removed))
		return EPOLLHUP | EPOLLERR;
	if (READ_ONCE(lp->ear_len))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (kfifo_avail(&lp->mouth) >= 2)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int loop_hs_get_obs(struct loop_port *lp, void __user *uarg)
{
	struct fxs_hs_obs_batch *b;
	unsigned long flags;
	unsigned int i;
	int ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	if (!b)
		return -ENOMEM;
	spin_lock_irqsave(&lp->lock, flags);
	b->count = min_t(unsigned int, lp->obs_len, FXS_HS_OBS_BATCH);
	for (i = 0; i < b->count; i++)
		b->obs[i] = lp->obs[(lp->obs_head + i) % LOOP_OBS_QUEUE];
	lp->obs_head = (lp->obs_head + b->count) % LOOP_OBS_QUEUE;
	lp->obs_len -= b->count;
	b->lost = lp->obs_lost;
	spin_unlock_irqrestore(&lp->lock, flags);
	ret = copy_to_user(uarg, b, sizeof(*b)) ? -EFAULT : 0;
	kfree(b);
	return ret;
}

static int loop_hs_set_echo(struct loop_port *lp, void __user *uarg)
{
	struct fxs_hs_echo *e;
	unsigned long flags;
	int ret = 0;

	e = memdup_user(uarg, sizeof(*e));
	if (IS_ERR(e))
		return PTR_ERR(e);
	if (e->enable > 1 || e->delay_us > LOOP_MAX_DELAY_US ||
	    e->erl_cdb > LOOP_MAX_ERL_CDB || e->ntaps > FXS_HS_MAX_TAPS ||
	    memchr_inv(e->padding, 0, sizeof(e->padding))) {
		ret = -EINVAL;
		goto out;
	}
	spin_lock_irqsave(&lp->lock, flags);
	lp->echo = *e;
	loop_echo_compute(lp);
	spin_unlock_irqrestore(&lp->lock, flags);
out:
	kfree(e);
	return ret;
}

static int loop_hs_get_echo(struct loop_port *lp, void __user *uarg)
{
	struct fxs_hs_echo *e;
	unsigned long flags;
	int ret;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	spin_lock_irqsave(&lp->lock, flags);
	*e = lp->echo;
	spin_unlock_irqrestore(&lp->lock, flags);
	ret = copy_to_user(uarg, e, sizeof(*e)) ? -EFAULT : 0;
	kfree(e);
	return ret;
}

static int loop_hs_flush(struct loop_port *lp)
{
	unsigned long flags;

	mutex_lock(&lp->mouth_lock);
	spin_lock_irqsave(&lp->lock, flags);
	kfifo_reset(&lp->mouth);
	lp->ear_head = 0;
	WRITE_ONCE(lp->ear_len, 0);
	lp->obs_head = 0;
	lp->obs_len = 0;
	lp->obs_lost = 0;
	spin_unlock_irqrestore(&lp->lock, flags);
	mutex_unlock(&lp->mouth_lock);
	return 0;
}

static long loop_hs_action(struct loop_port *lp, unsigned int cmd,
			   void __user *uarg)
{
	union {
		struct fxs_hs_hook hook;
		struct fxs_hs_flash flash;
		struct fxs_hs_dial dial;
		struct fxs_hs_edge edge;
	} req;
	struct loop_edge *edges;
	size_t size = _IOC_SIZE(cmd);
	int ret;

	if (copy_from_user(&req, uarg, size))
		return -EFAULT;
	edges = kmalloc_array(LOOP_MAX_EDGES, sizeof(*edges), GFP_KERNEL);
	if (!edges)
		return -ENOMEM;
	if (mutex_lock_interruptible(&lp->action_lock)) {
		ret = -ERESTARTSYS;
		goto out_free;
	}
	ret = loop_wait_idle(lp);
	if (ret)
		goto out_unlock;
	if (cmd == FXS_HS_IOC_HOOK)
		ret = loop_hs_hook(lp, &req.hook, edges);
	else if (cmd == FXS_HS_IOC_FLASH)
		ret = loop_hs_flash(lp, &req.flash, edges);
	else if (cmd == FXS_HS_IOC_EDGE)
		ret = loop_hs_edge(lp, &req.edge);
	else
		ret = loop_hs_dial(lp, &req.dial, edges);
out_unlock:
	mutex_unlock(&lp->action_lock);
	/* (no user copy under the lock: a stalled one would block the rest) */
	if (!ret && copy_to_user(uarg, &req, size))
		ret = -EFAULT;
out_free:
	kfree(edges);
	return ret;
}

static long loop_hs_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct loop_port *lp = loop_from_file(file);
	void __user *uarg = (void __user *)arg;

	if (READ_ONCE(lp->removed))
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
		return loop_hs_action(lp, cmd, uarg);
	case FXS_HS_IOC_WAIT:
		return loop_wait_idle(lp);
	case FXS_HS_IOC_GET_OBS:
		return loop_hs_get_obs(lp, uarg);
	case FXS_HS_IOC_SET_ECHO:
		return loop_hs_set_echo(lp, uarg);
	case FXS_HS_IOC_GET_ECHO:
		return loop_hs_get_echo(lp, uarg);
	case FXS_HS_IOC_GET_STATE: {
		struct fxs_hs_state st = {};
		unsigned long flags;

		spin_lock_irqsave(&lp->lock, flags);
		st.offhook = lp->offhook;
		st.ringing = lp->ringing;
		st.linefeed = lp->linefeed;
		st.pcm_running = READ_ONCE(lp->pcm_running);
		st.ear_dropped = lp->ear_dropped;
		spin_unlock_irqrestore(&lp->lock, flags);
		return copy_to_user(uarg, &st, sizeof(st)) ? -EFAULT : 0;
	}
	case FXS_HS_IOC_FLUSH:
		return loop_hs_flush(lp);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations loop_hs_fops = {
	.owner = THIS_MODULE,
	.open = loop_hs_open,
	.release = loop_hs_release,
	.read = loop_hs_read,
	.write = loop_hs_write,
	.poll = loop_hs_poll,
	.unlocked_ioctl = loop_hs_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* ---- ports ---- */

static int loop_add_port(struct fxs_loop *board)
{
	struct fxs_port *port;
	struct loop_port *lp;
	unsigned long flags;
	int ret;

	lockdep_assert_held(&board->lock);
	port = fxs_port_alloc(board->dev, &loop_ops, "fxs_loop",
			      FXS_CAP_PULSE | FXS_CAP_RING | FXS_CAP_REVERSE |
			      FXS_CAP_OHT | FXS_CAP_PCM, sizeof(*lp));
	if (IS_ERR(port))
		return PTR_ERR(port);
	lp = to_lp(port);
	lp->port = port;
	lp->board = board;
	mutex_init(&lp->action_lock);
	mutex_init(&lp->mouth_lock);
	spin_lock_init(&lp->lock);
	lp->linefeed = FXS_LINEFEED_FORWARD;
	hrtimer_init(&lp->action_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	lp->action_timer.function = loop_action_timer_fn;
	hrtimer_init(&lp->pcm_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	lp->pcm_timer.function = loop_pcm_timer_fn;
	init_waitqueue_head(&lp->action_wait);
	init_waitqueue_head(&lp->ear_wait);
	INIT_KFIFO(lp->mouth);
	/* Not visible yet, but loop_echo_compute() wants the lock all the same. */
	spin_lock_irqsave(&lp->lock, flags);
	lp->echo.enable = 1;
	lp->echo.delay_us = 5000;
	lp->echo.erl_cdb = 900;
	loop_echo_compute(lp);
	spin_unlock_irqrestore(&lp->lock, flags);

	snprintf(lp->name, sizeof(lp->name), "fxs_hs%d", fxs_port_index(port));
	lp->misc.minor = MISC_DYNAMIC_MINOR;
	lp->misc.name = lp->name;
	lp->misc.fops = &loop_hs_fops;
	lp->misc.parent = board->dev;

	ret = fxs_port_register(port);
	if (ret)
		goto put_port;
	ret = misc_register(&lp->misc);
	if (ret)
		goto deregister;
	list_add_tail(&lp->node, &board->ports);
	return fxs_port_index(port);

deregister:
	fxs_port_deregister(port);
put_port:
	fxs_port_put(port);
	return ret;
}

static void loop_remove_port(struct loop_port *lp)
{
	unsigned long flags;

	lockdep_assert_held(&lp->board->lock);
	list_del(&lp->node);
	spin_lock_irqsave(&lp->lock, flags);
	WRITE_ONCE(lp->removed, true);
	spin_unlock_irqrestore(&lp->lock, flags);
	hrtimer_cancel(&lp->action_timer);
	wake_up_interruptible_all(&lp->action_wait);
	wake_up_interruptible_all(&lp->ear_wait);
	misc_deregister(&lp->misc);
	fxs_port_deregister(lp->port);
	fxs_port_put(lp->port);
}

static ssize_t add_port_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct fxs_loop *board = dev_get_drvdata(dev);
	unsigned int n, i, total = 0;
	struct loop_port *lp;
	int ret;

	ret = kstrtouint(buf, 0, &n);
	if (ret)
		return ret;
	if (!n)
		return -EINVAL;
	mutex_lock(&board->lock);
	list_for_each_entry(lp, &board->ports, node)
		total++;
	/* total <= LOOP_MAX_PORTS, so this cannot wrap whatever n is */
	if (n > LOOP_MAX_PORTS - total) {
		ret = -ENOSPC;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = loop_add_port(board);
		if (ret < 0)
			goto remove_added;
	}
	ret = 0;
	goto out;

remove_added:
	/* All or nothing: the ports this write added are the list's tail. */
	while (i--)
		loop_remove_port(list_last_entry(&board->ports, struct loop_port,
						 node));
out:
	mutex_unlock(&board->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(add_port);

static ssize_t remove_port_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	struct fxs_loop *board = dev_get_drvdata(dev);
	struct loop_port *lp;
	unsigned int index;
	int ret = -ENOENT;

	if (kstrtouint(buf, 0, &index))
		return -EINVAL;
	mutex_lock(&board->lock);
	list_for_each_entry(lp, &board->ports, node) {
		if (fxs_port_index(lp->port) == index) {
			loop_remove_port(lp);
			ret = 0;
			break;
		}
	}
	mutex_unlock(&board->lock);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(remove_port);

static ssize_t ports_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct fxs_loop *board = dev_get_drvdata(dev);
	struct loop_port *lp;
	int len = 0;

	mutex_lock(&board->lock);
	list_for_each_entry(lp, &board->ports, node)
		len += sysfs_emit_at(buf, len, "%s%d", len ? " " : "",
				     fxs_port_index(lp->port));
	mutex_unlock(&board->lock);
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(ports);

static struct attribute *loop_attrs[] = {
	&dev_attr_add_port.attr,
	&dev_attr_remove_port.attr,
	&dev_attr_ports.attr,
	NULL,
};
ATTRIBUTE_GROUPS(loop);

static void loop_remove_all(struct fxs_loop *board)
{
	struct loop_port *lp, *tmp;

	mutex_lock(&board->lock);
	list_for_each_entry_safe(lp, tmp, &board->ports, node)
		loop_remove_port(lp);
	mutex_unlock(&board->lock);
}

static int loop_probe(struct platform_device *pdev)
{
	struct fxs_loop *board;
	unsigned int i;
	int ret = 0;

	if (ports > LOOP_MAX_PORTS || bus_sleep_us > 10000)
		return -EINVAL;
	board = devm_kzalloc(&pdev->dev, sizeof(*board), GFP_KERNEL);
	if (!board)
		return -ENOMEM;
	board->dev = &pdev->dev;
	mutex_init(&board->lock);
	INIT_LIST_HEAD(&board->ports);
	platform_set_drvdata(pdev, board);

	mutex_lock(&board->lock);
	for (i = 0; i < ports; i++) {
		ret = loop_add_port(board);
		if (ret < 0)
			break;
	}
	mutex_unlock(&board->lock);
	if (ret < 0) {
		loop_remove_all(board);
		return ret;
	}
	return 0;
}

static int loop_remove(struct platform_device *pdev)
{
	loop_remove_all(platform_get_drvdata(pdev));
	return 0;
}

static struct platform_driver loop_driver = {
	.probe = loop_probe,
	.remove = loop_remove,
	.driver = {
		.name = "fxs_loop",
		.dev_groups = loop_groups,
	},
};

static struct platform_device *loop_pdev;

static int __init loop_init(void)
{
	int ret;

	ret = platform_driver_register(&loop_driver);
	if (ret)
		return ret;
	loop_pdev = platform_device_register_simple("fxs_loop",
						    PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(loop_pdev)) {
		platform_driver_unregister(&loop_driver);
		return PTR_ERR(loop_pdev);
	}
	return 0;
}
module_init(loop_init);

static void __exit loop_exit(void)
{
	platform_device_unregister(loop_pdev);
	platform_driver_unregister(&loop_driver);
}
module_exit(loop_exit);

MODULE_DESCRIPTION("Loopback FXS board with simulated handsets");
MODULE_LICENSE("GPL");
