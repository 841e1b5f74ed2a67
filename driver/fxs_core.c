// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs core: one character device per FXS port of any board.
 *
 * The core owns everything userspace sees: /dev/fxsN, the class, sysfs, the
 * event queue, the hook switch classifier, the ring cadence timer, the
 * audio queues and the teardown rules.  Boards implement struct
 * fxs_port_ops and report raw hook edges and audio frames.
 */

#include <linux/anon_inodes.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/kfifo.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "fxs_board.h"

#define FXS_MAX_PORTS		256
#define FXS_EVENT_QUEUE		64	/* events, a power of two */
/*
 * The last two slots of the event queue are kept for the removal: an
 * OVERFLOW for what was lost, then PORT_REMOVED, so neither can be lost.
 */
#define FXS_EVENT_RESERVED	2
#define FXS_PCM_QUEUE		8192	/* bytes per direction: 512 ms */
#define FXS_MAX_FRAME		160	/* samples in the longest period */
#define FXS_RATE		8000
#define FXS_EVENT_BATCH		16
#define FXS_TIMING_MAX_MS	10000
#define FXS_RING_ON_MIN_MS	10
#define FXS_RING_MAX_MS		10000
#define FXS_RING_SWITCHES	8	/* ring switches on their way to the board */

/* RING_OFF values */
#define FXS_RING_OFF_END	0
#define FXS_RING_OFF_TRIP	1
#define FXS_RING_OFF_STOP	2

/**
 * struct fxs_ring_switch - a ring voltage switch for the board's set_ring()
 * @ts_ns: when it is due
 * @on: switch on (else off)
 */
struct fxs_ring_switch {
	u64 ts_ns;
	bool on;
};

enum fxs_hstate {
	FXS_HOOK_ONHOOK,	/* stable on-hook */
	FXS_HOOK_PENDING,	/* loop closed, waiting for the debounce */
	FXS_HOOK_OFFHOOK,	/* stable off-hook, no digit being dialled */
	FXS_HOOK_BREAK,		/* loop open while off-hook: pulse, flash or hang-up */
	FXS_HOOK_MAKE,		/* loop closed again after a pulse: digit in progress */
};

/**
 * struct fxs_port - one FXS port
 * @dev: the device; its lifetime is the port's
 * @cdev: /dev/fxsN
 * @ops: the board's operations, not called after deregistration
 * @board: board name
 * @index: N of fxsN
 * @caps: FXS_CAP_* flags
 * @ioctl_lock: serialises ioctls, ownership changes, the audio stream's
 *	start and stop, line feed changes and deregistration
 * @ops_lock: serialises the board's ops (set_linefeed, set_ring,
 *	pcm_start, pcm_stop): a board never sees two of them at once
 * @ops_gone: the port is deregistered: no more @set_ring, @ops_lock
 * @worker: the port's kthread, where @set_ring runs
 * @ring_work: hands @ring_sw to the board, on @worker
 * @users: open descriptors of the owner (control and audio), @ioctl_lock
 * @pcm_running: the audio stream runs, written under @ioctl_lock
 * @period: frame period in ms of the running stream, @ioctl_lock
 * @pcm_ref: the stream runs in FXS_PCM_MODE_REFERENCE, written under
 *	@ioctl_lock while the board's clock is stopped
 * @lock: protects everything below it, taken from timer and board context
 * @disconnected: the board removed the port
 * @events: the event queue
 * @seq: sequence number of the next event
 * @lost: events lost since the last overflow event was queued
 * @wait: readers of @events
 * @timing: hook switch timing
 * @hstate: classifier state
 * @offhook: debounced hook state
 * @since_ns: edge that began the debounced hook state
 * @edge_ns: time of the edge that began the current classifier state
 * @last_edge_ns: the latest raw edge time seen; earlier ones are clamped
 * @make_ns: last make after a pulse (state MAKE)
 * @digit_ns: start of the first break of the digit being dialled
 * @pulses: pulses of the digit being dialled
 * @prev: state to go back to when a break turns out to be a bounce
 * @deadline_ns: when the classifier state times out, 0 for never
 * @hook_timer: fires at @deadline_ns
 * @cadence: the ring cadence
 * @ringing: a cadence runs
 * @ring_on: the ring voltage is on
 * @ring_seg: index in @cadence.on_off_ms of the current segment
 * @ring_ns: when the current cadence segment began
 * @ring_timer: ends the current cadence segment
 * @ring_sw: switches of the ring voltage not yet handed to the board, in
 *	order (they alternate on and off); @ring_work takes them out
 * @ring_sw_lost: on/off pairs dropped from a full @ring_sw
 * @linefeed: the line feed mode
 * @in_underrun: the last frame played had missing audio
 * @pcm_written: the stream has been written to since it started; until
 *	then the silence played is no underrun
 * @in_overrun: the last frame from the line was dropped
 * @cnt: counters
 * @cap: audio from the line, single producer (board) and consumer (read)
 * @play: audio to the line, single producer (write) and consumer (board);
 *	its consumer side moves under @lock (FXS_IOC_PCM_DROP resets it)
 * @pcm_wait: readers and writers of the audio descriptor
 * @pcm_read_lock: makes read() the single consumer of @cap
 * @pcm_write_lock: makes write() the single producer of @play
 * @tx_ref: the frame last handed to the board, for FXS_PCM_MODE_REFERENCE;
 *	only touched from the board's clock (fxs_port_pcm_tx() then
 *	fxs_port_pcm_rx() of the same tick)
 * @priv: the board's private area
 */
struct fxs_port {
	struct device dev;
	struct cdev cdev;
	const struct fxs_port_ops *ops;
	char board[FXS_NAME_SIZE];
	int index;
	u32 caps;

	struct mutex ioctl_lock;	/* see @ioctl_lock above */
	struct mutex ops_lock;		/* see @ops_lock above */
	bool ops_gone;
	struct kthread_worker *worker;
	struct kthread_work ring_work;
	unsigned int users;
	bool pcm_running;
	unsigned int period;
	bool pcm_ref;

	spinlock_t lock;	/* see @lock above */
	bool disconnected;
	DECLARE_KFIFO(events, struct fxs_event, FXS_EVENT_QUEUE);
	u32 seq;
	u32 lost;
	wait_queue_head_t wait;

	struct fxs_hook_timing timing;
	enum fxs_hstate hstate;
	bool offhook;
	u64 since_ns;
	u64 edge_ns;
	u64 last_edge_ns;
	u64 make_ns;
	u64 digit_ns;
	unsigned int pulses;
	enum fxs_hstate prev;
	u64 deadline_ns;
	struct hrtimer hook_timer;

	struct fxs_ring_cadence cadence;
	bool ringing;
	bool ring_on;
	unsigned int ring_seg;
	u64 ring_ns;
	struct hrtimer ring_timer;
	DECLARE_KFIFO(ring_sw, struct fxs_ring_switch, FXS_RING_SWITCHES);
	u64 ring_sw_lost;

	u32 linefeed;
	bool in_underrun;
	bool in_overrun;
	bool pcm_written;
	struct fxs_counters cnt;

	struct kfifo cap;
	struct kfifo play;
	wait_queue_head_t pcm_wait;
	struct mutex pcm_read_lock;	/* single reader of @cap */
	struct mutex pcm_write_lock;	/* single writer of @play */
	s16 tx_ref[FXS_MAX_FRAME];

	unsigned long priv[] __aligned(sizeof(u64));
};

static const struct fxs_hook_timing fxs_default_timing = {
	.debounce_ms = 40,
	.pulse_break_min_ms = 30,
	.pulse_break_max_ms = 80,
	.pulse_make_min_ms = 30,
	.pulse_make_max_ms = 80,
	.interdigit_ms = 300,
	.flash_min_ms = 100,
	.flash_max_ms = 1000,
};

static const char * const fxs_linefeed_names[] = {
	[FXS_LINEFEED_OPEN] = "open",
	[FXS_LINEFEED_FORWARD] = "forward",
	[FXS_LINEFEED_REVERSE] = "reverse",
	[FXS_LINEFEED_OHT] = "oht",
	[FXS_LINEFEED_OHT_REVERSE] = "oht-reverse",
};

static dev_t fxs_first;
static DEFINE_IDA(fxs_ida);
static struct class *fxs_class;

static inline u64 fxs_ms(u32 ms)
{
	return (u64)ms * NSEC_PER_MSEC;
}

/* Put an event in the queue, into the reserved slots too. */
static void fxs_queue_event(struct fxs_port *port, u32 type, u64 ts, u32 value)
{
	struct fxs_event ev = {
		.timestamp_ns = ts,
		.seq = port->seq++,
		.type = type,
		.value = value,
	};

	lockdep_assert_held(&port->lock);
	port->cnt.events++;
	kfifo_put(&port->events, ev);
	wake_up_interruptible(&port->wait);
}

/* Room for an ordinary event, the reserved slots left aside. */
static bool fxs_event_room(struct fxs_port *port)
{
	lockdep_assert_held(&port->lock);
	return kfifo_len(&port->events) < FXS_EVENT_QUEUE - FXS_EVENT_RESERVED;
}

/*
 * Queue an event; never sleeps.  A full queue counts the loss; nothing is
 * queued once the port is removed (PORT_REMOVED is the last event).
 */
static void fxs_emit(struct fxs_port *port, u32 type, u64 ts, u32 value)
{
	lockdep_assert_held(&port->lock);
	if (port->disconnected)
		return;
	if (!fxs_event_room(port)) {
		port->seq++;
		port->cnt.events++;
		port->lost++;
		port->cnt.events_lost++;
		return;
	}
	fxs_queue_event(port, type, ts, value);
}

/* Report what was lost, if anything, as soon as there is room. */
static void fxs_emit_overflow(struct fxs_port *port, u64 ts, bool last)
{
	u32 lost = port->lost;

	lockdep_assert_held(&port->lock);
	if (!lost || (!last && !fxs_event_room(port)))
		return;
	port->lost = 0;
	fxs_queue_event(port, FXS_EVENT_OVERFLOW, ts, lost);
}

static void fxs_set_deadline(struct fxs_port *port, u64 deadline)
{
	lockdep_assert_held(&port->lock);
	port->deadline_ns = deadline;
	if (deadline)
		hrtimer_start(&port->hook_timer, ns_to_ktime(deadline),
			      HRTIMER_MODE_ABS);
	else
		hrtimer_try_to_cancel(&port->hook_timer);
}

static void fxs_report_digit(struct fxs_port *port)
{
	lockdep_assert_held(&port->lock);
	if (port->pulses >= 1 && port->pulses <= 10) {
		port->cnt.digits++;
		fxs_emit(port, FXS_EVENT_DIGIT, port->digit_ns,
			 port->pulses % 10);
	} else if (port->pulses) {
		port->cnt.bounces++;
	}
	port->pulses = 0;
}

/* The classifier state timed out. */
static void fxs_hook_timeout(struct fxs_port *port)
{
	lockdep_assert_held(&port->lock);
	port->deadline_ns = 0;
	switch (port->hstate) {
	case FXS_HOOK_PENDING:
		port->hstate = FXS_HOOK_OFFHOOK;
		WRITE_ONCE(port->offhook, true);
		port->since_ns = port->edge_ns;
		port->cnt.offhooks++;
		fxs_emit(port, FXS_EVENT_OFFHOOK, port->edge_ns, 0);
		break;
	case FXS_HOOK_BREAK:
		if (port->prev == FXS_HOOK_MAKE)
			fxs_report_digit(port);
		port->hstate = FXS_HOOK_ONHOOK;
		WRITE_ONCE(port->offhook, false);
		port->since_ns = port->edge_ns;
		port->cnt.onhooks++;
		fxs_emit(port, FXS_EVENT_ONHOOK, port->edge_ns, 0);
		break;
	case FXS_HOOK_MAKE:
		fxs_report_digit(port);
		port->hstate = FXS_HOOK_OFFHOOK;
		break;
	default:
		break;
	}
}

/* A raw break (loop opened) while the classifier is off-hook. */
static void fxs_hook_break(struct fxs_port *port, u64 ts)
{
	const struct fxs_hook_timing *t = &port->timing;

	if (port->hstate == FXS_HOOK_MAKE &&
	    ts - port->make_ns > fxs_ms(t->pulse_make_max_ms)) {
		/* A long make ends the digit before this break. */
		fxs_report_digit(port);
		port->hstate = FXS_HOOK_OFFHOOK;
	}
	port->prev = port->hstate;
	port->hstate = FXS_HOOK_BREAK;
	port->edge_ns = ts;
	fxs_set_deadline(port, ts + fxs_ms(t->flash_max_ms));
}

/* Undo a break that was too short or too long to mean anything. */
static void fxs_hook_restore(struct fxs_port *port)
{
	const struct fxs_hook_timing *t = &port->timing;

	port->cnt.bounces++;
	port->hstate = port->prev;
	if (port->hstate == FXS_HOOK_MAKE)
		fxs_set_deadline(port,
				 port->make_ns + fxs_ms(t->interdigit_ms));
	else
		fxs_set_deadline(port, 0);
}

/* A raw make (loop closed) ending a break at @ts. */
static void fxs_hook_make(struct fxs_port *port, u64 ts)
{
	const struct fxs_hook_timing *t = &port->timing;
	u64 len = ts - port->edge_ns;

	if (len < fxs_ms(t->pulse_break_min_ms)) {
		fxs_hook_restore(port);
	} else if (len <= fxs_ms(t->pulse_break_max_ms)) {
		if (port->prev != FXS_HOOK_MAKE) {
			port->pulses = 0;
			port->digit_ns = port->edge_ns;
		}
		port->pulses++;
		port->make_ns = ts;
		port->hstate = FXS_HOOK_MAKE;
		fxs_set_deadline(port, ts + fxs_ms(t->interdigit_ms));
	} else if (len < fxs_ms(t->flash_min_ms)) {
		fxs_hook_restore(port);
	} else if (len <= fxs_ms(t->flash_max_ms)) {
		if (port->prev == FXS_HOOK_MAKE)
			fxs_report_digit(port);
		port->hstate = FXS_HOOK_OFFHOOK;
		fxs_set_deadline(port, 0);
		port->cnt.flashes++;
		fxs_emit(port, FXS_EVENT_FLASH, port->edge_ns,
			 (u32)div_u64(len, NSEC_PER_MSEC));
	} else {
		/* The hang-up timer is late: hang up, then start over. */
		fxs_hook_timeout(port);
		port->hstate = FXS_HOOK_PENDING;
		port->edge_ns = ts;
		fxs_set_deadline(port, ts + fxs_ms(t->debounce_ms));
	}
}

/*
 * Switch the ring voltage at @ts: queue the switch for the board's
 * set_ring(), which sleeps on a board behind SPI or I2C, so it runs on the
 * port's worker.  Any context, @lock held.  A worker stalled for four
 * whole bursts loses the oldest: the line ends in the state last asked.
 */
static void fxs_ring_switch(struct fxs_port *port, bool on, u64 ts)
{
	struct fxs_ring_switch sw = { .ts_ns = ts, .on = on };

	lockdep_assert_held(&port->lock);
	if (kfifo_is_full(&port->ring_sw)) {
		kfifo_skip(&port->ring_sw);
		kfifo_skip(&port->ring_sw);
		port->ring_sw_lost++;
	}
	kfifo_put(&port->ring_sw, sw);
	kthread_queue_work(port->worker, &port->ring_work);
}

/* The port's worker: hand the queued ring switches to the board. */
static void fxs_ring_work_fn(struct kthread_work *work)
{
	struct fxs_port *port = container_of(work, struct fxs_port, ring_work);
	struct fxs_ring_switch sw;
	unsigned long flags;
	bool got;
	int ret;

	mutex_lock(&port->ops_lock);
	for (;;) {
		spin_lock_irqsave(&port->lock, flags);
		got = kfifo_get(&port->ring_sw, &sw);
		spin_unlock_irqrestore(&port->lock, flags);
		if (!got || port->ops_gone)
			break;
		ret = port->ops->set_ring(port, sw.on, sw.ts_ns);
		if (ret)
			dev_err_ratelimited(&port->dev, "switching the ring %s failed: %d\n",
					    sw.on ? "on" : "off", ret);
	}
	mutex_unlock(&port->ops_lock);
}

/* Wait until the board has made every ring switch asked so far. */
static void fxs_ring_sync(struct fxs_port *port)
{
	kthread_flush_work(&port->ring_work);
}

/*
 * Stop the cadence at @now; the caller cancels the timer if it may.  The
 * end of a cadence is always reported, in a silent segment too, with the
 * reason (@why is a trip or a stop, never the end of a burst).
 */
static void fxs_ring_halt(struct fxs_port *port, u64 now, u32 why)
{
	lockdep_assert_held(&port->lock);
	if (!port->ringing)
		return;
	WRITE_ONCE(port->ringing, false);
	/* Not before the switch that began the current segment. */
	now = max(now, port->ring_ns);
	if (port->ring_on) {
		port->ring_on = false;
		fxs_ring_switch(port, false, now);
	}
	fxs_emit(port, FXS_EVENT_RING_OFF, now, why);
	hrtimer_try_to_cancel(&port->ring_timer);
}

/**
 * fxs_port_hook_edge() - the board saw the hook switch change
 * @port: the port
 * @offhook: new raw level: true when the loop is closed
 * @ts: CLOCK_MONOTONIC time of the edge in ns
 *
 * Any context.  Runs the classifier; an off-hook edge while ringing trips
 * the ring at once.
 */
void fxs_port_hook_edge(struct fxs_port *port, bool offhook, u64 ts)
{
	const struct fxs_hook_timing *t = &port->timing;
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	if (port->disconnected)
		goto out;
	/*
	 * An edge stamped before one already seen (a board reporting from
	 * two contexts) counts as simultaneous with it: time differences
	 * below are unsigned and must not wrap.
	 */
	if (ts < port->last_edge_ns)
		ts = port->last_edge_ns;
	port->last_edge_ns = ts;
	if (offhook && port->ringing) {
		port->cnt.ring_trips++;
		fxs_ring_halt(port, ts, FXS_RING_OFF_TRIP);
	}
	/* A timeout that is due before this edge happened first. */
	if (port->deadline_ns && ts >= port->deadline_ns)
		fxs_hook_timeout(port);

	switch (port->hstate) {
	case FXS_HOOK_ONHOOK:
		if (offhook) {
			port->hstate = FXS_HOOK_PENDING;
			port->edge_ns = ts;
			fxs_set_deadline(port, ts + fxs_ms(t->debounce_ms));
		}
		break;
	case FXS_HOOK_PENDING:
		if (!offhook) {
			port->cnt.bounces++;
			port->hstate = FXS_HOOK_ONHOOK;
			fxs_set_deadline(port, 0);
		}
		break;
	case FXS_HOOK_OFFHOOK:
	case FXS_HOOK_MAKE:
		if (!offhook)
			fxs_hook_break(port, ts);
		break;
	case FXS_HOOK_BREAK:
		if (offhook)
			fxs_hook_make(port, ts);
		break;
	}
out:
	spin_unlock_irqrestore(&port->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_port_hook_edge);

/**
 * fxs_port_power_alarm() - the board shut the line down to protect itself
 * @port: the port
 * @cause: the board's cause bits
 * @ts_ns: CLOCK_MONOTONIC time the board saw it, in ns
 *
 * Any context.  Ends a running ring, records the line as open and reports
 * FXS_EVENT_POWER_ALARM.
 */
void fxs_port_power_alarm(struct fxs_port *port, u32 cause, u64 ts_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	fxs_ring_halt(port, ts_ns, FXS_RING_OFF_STOP);
	WRITE_ONCE(port->linefeed, FXS_LINEFEED_OPEN);
	fxs_emit(port, FXS_EVENT_POWER_ALARM, ts_ns, cause);
	spin_unlock_irqrestore(&port->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_port_power_alarm);

static enum hrtimer_restart fxs_hook_timer_fn(struct hrtimer *timer)
{
	struct fxs_port *port = container_of(timer, struct fxs_port, hook_timer);
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	/* A stale expiry (the deadline moved meanwhile) does nothing. */
	if (!port->disconnected && port->deadline_ns &&
	    ktime_get_ns() >= port->deadline_ns)
		fxs_hook_timeout(port);
	spin_unlock_irqrestore(&port->lock, flags);
	return HRTIMER_NORESTART;
}

/* Length of one whole cadence cycle in ns; never 0 (on times are >= 10). */
static u64 fxs_cadence_ns(const struct fxs_ring_cadence *c)
{
	unsigned int i;
	u64 sum = 0;

	for (i = 0; i < 2 * c->pairs; i++)
		sum += fxs_ms(c->on_off_ms[i]);
	return sum;
}

static enum hrtimer_restart fxs_ring_timer_fn(struct hrtimer *timer)
{
	struct fxs_port *port = container_of(timer, struct fxs_port, ring_timer);
	unsigned int nseg = 2 * port->cadence.pairs;
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	u64 due, now, cycle;
	u32 len;

	spin_lock_irqsave(&port->lock, flags);
	if (port->disconnected || !port->ringing)
		goto out;
	/* The cadence runs on the timer's schedule, not on its latency. */
	due = ktime_to_ns(hrtimer_get_expires(timer));
	now = ktime_get_ns();
	/*
	 * A timer late by more than a cycle (a long stall) skips the whole
	 * cycles it missed, then the segments already over: only the segment
	 * current now is played, none of the missed ones.
	 */
	cycle = fxs_cadence_ns(&port->cadence);
	if (now > due && now - due >= cycle)
		due += div64_u64(now - due, cycle) * cycle;
	for (;;) {
		do {
			port->ring_seg = (port->ring_seg + 1) % nseg;
			len = port->cadence.on_off_ms[port->ring_seg];
		} while (!len);
		if (due + fxs_ms(len) > now)
			break;
		due += fxs_ms(len);
	}

	port->ring_ns = due;
	if (port->ring_seg % 2 == 0 && !port->ring_on) {
		port->ring_on = true;
		fxs_ring_switch(port, true, due);
		port->cnt.ring_bursts++;
		fxs_emit(port, FXS_EVENT_RING_ON, due, 0);
	} else if (port->ring_seg % 2 == 1 && port->ring_on) {
		port->ring_on = false;
		fxs_ring_switch(port, false, due);
		fxs_emit(port, FXS_EVENT_RING_OFF, due, FXS_RING_OFF_END);
	}
	hrtimer_set_expires(timer, ns_to_ktime(due + fxs_ms(len)));
	ret = HRTIMER_RESTART;
out:
	spin_unlock_irqrestore(&port->lock, flags);
	return ret;
}

static int fxs_check_cadence(const struct fxs_ring_cadence *c)
{
	unsigned int i;

	if (c->pairs < 1 || c->pairs > FXS_RING_MAX_PAIRS || c->flags)
		return -EINVAL;
	if (memchr_inv(c->padding, 0, sizeof(c->padding)))
		return -EINVAL;
	for (i = 0; i < 2 * FXS_RING_MAX_PAIRS; i++) {
		u32 v = c->on_off_ms[i];

		if (i >= 2 * c->pairs) {
			if (v)
				return -EINVAL;
		} else if (v > FXS_RING_MAX_MS ||
			   (i % 2 == 0 && v < FXS_RING_ON_MIN_MS)) {
			return -EINVAL;
		}
	}
	return 0;
}

/* Stop the cadence; when it returns, the board has the voltage off. */
static void fxs_ring_stop(struct fxs_port *port, u32 why)
{
	unsigned long flags;

	spin_lock_irqsave(&port->lock, flags);
	fxs_ring_halt(port, ktime_get_ns(), why);
	spin_unlock_irqrestore(&port->lock, flags);
	hrtimer_cancel(&port->ring_timer);
	fxs_ring_sync(port);
}

static int fxs_ring_start(struct fxs_port *port,
			  const struct fxs_ring_cadence *c)
{
	unsigned long flags;
	int ret = 0;
	u64 now;

	lockdep_assert_held(&port->ioctl_lock);
	fxs_ring_stop(port, FXS_RING_OFF_STOP);

	spin_lock_irqsave(&port->lock, flags);
	if (port->offhook || port->hstate != FXS_HOOK_ONHOOK) {
		ret = -EBUSY;
		goto out;
	}
	port->cadence = *c;
	port->ring_seg = 0;
	WRITE_ONCE(port->ringing, true);
	port->ring_on = true;
	now = ktime_get_ns();
	port->ring_ns = now;
	fxs_ring_switch(port, true, now);
	port->cnt.ring_bursts++;
	fxs_emit(port, FXS_EVENT_RING_ON, now, 0);
	hrtimer_start(&port->ring_timer, ns_to_ktime(now + fxs_ms(c->on_off_ms[0])),
		      HRTIMER_MODE_ABS);
out:
	spin_unlock_irqrestore(&port->lock, flags);
	/* the line rings when the ioctl returns */
	if (!ret)
		fxs_ring_sync(port);
	return ret;
}

static int fxs_check_timing(const struct fxs_hook_timing *t)
{
	const u32 v[] = {
		t->debounce_ms, t->pulse_break_min_ms, t->pulse_break_max_ms,
		t->pulse_make_min_ms, t->pulse_make_max_ms, t->interdigit_ms,
		t->flash_min_ms, t->flash_max_ms,
	};
	unsigned int i;

	if (memchr_inv(t->padding, 0, sizeof(t->padding)))
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (!v[i] || v[i] > FXS_TIMING_MAX_MS)
			return -EINVAL;
	if (t->pulse_break_min_ms >= t->pulse_break_max_ms ||
	    t->pulse_make_min_ms >= t->pulse_make_max_ms ||
	    t->flash_min_ms <= t->pulse_break_max_ms ||
	    t->flash_min_ms >= t->flash_max_ms ||
	    t->interdigit_ms <= t->pulse_make_max_ms)
		return -EINVAL;
	return 0;
}

static int fxs_set_linefeed(struct fxs_port *port, u32 mode)
{
	unsigned long flags;
	int ret;

	lockdep_assert_held(&port->ioctl_lock);
	if (mode > FXS_LINEFEED_OHT_REVERSE)
		return -EINVAL;
	mutex_lock(&port->ops_lock);
	ret = port->ops->set_linefeed(port, mode);
	mutex_unlock(&port->ops_lock);
	if (ret)
		return ret;
	spin_lock_irqsave(&port->lock, flags);
	WRITE_ONCE(port->linefeed, mode);
	spin_unlock_irqrestore(&port->lock, flags);
	return 0;
}

/*
 * The owner's last descriptor went away: leave the line safe, and the hook
 * timing as the next owner expects to find it.
 */
static void fxs_release_line(struct fxs_port *port)
{
	unsigned long flags;

	lockdep_assert_held(&port->ioctl_lock);
	fxs_ring_stop(port, FXS_RING_OFF_STOP);
	if (port->linefeed != FXS_LINEFEED_FORWARD)
		fxs_set_linefeed(port, FXS_LINEFEED_FORWARD);
	spin_lock_irqsave(&port->lock, flags);
	port->timing = fxs_default_timing;
	spin_unlock_irqrestore(&port->lock, flags);
}

static void fxs_drop_user(struct fxs_port *port)
{
	mutex_lock(&port->ioctl_lock);
	if (!--port->users && !port->disconnected)
		fxs_release_line(port);
	mutex_unlock(&port->ioctl_lock);
	put_device(&port->dev);
}

/* ---- audio descriptor ---- */

static unsigned int fxs_frame_bytes(struct fxs_port *port)
{
	return port->period * (FXS_RATE / 1000) * sizeof(s16);
}

/* What one read() record is: a frame, or a frame and its reference. */
static unsigned int fxs_record_bytes(struct fxs_port *port)
{
	return fxs_frame_bytes(port) * (port->pcm_ref ? 2 : 1);
}

/**
 * fxs_port_pcm_tx() - take audio for the line
 * @port: the port
 * @buf: where to put @n samples
 * @n: samples in a frame
 *
 * Called by the board once per frame while the stream runs; plays silence
 * where userspace did not write enough.  That is an underrun only once the
 * stream has been written to.  With FXS_PCM_MODE_REFERENCE the frame is
 * kept as the reference of the frame the board captures in the same tick.
 */
void fxs_port_pcm_tx(struct fxs_port *port, s16 *buf, unsigned int n)
{
	unsigned int want = n * sizeof(s16);
	unsigned int got;
	unsigned long flags;

	/* @lock: FXS_IOC_PCM_DROP empties the queue from the other side */
	spin_lock_irqsave(&port->lock, flags);
	got = kfifo_out(&port->play, (u8 *)buf, want);
	port->cnt.pcm_frames++;
	if (got < want && READ_ONCE(port->pcm_written)) {
		port->cnt.pcm_underruns++;
		if (!port->in_underrun)
			fxs_emit(port, FXS_EVENT_PCM_UNDERRUN, ktime_get_ns(),
				 (u32)port->cnt.pcm_underruns);
		port->in_underrun = true;
	} else {
		port->in_underrun = false;
	}
	spin_unlock_irqrestore(&port->lock, flags);

	if (got < want)
		memset((u8 *)buf + got, 0, want - got);
	if (port->pcm_ref)
		memcpy(port->tx_ref, buf, min_t(size_t, want,
						sizeof(port->tx_ref)));
	wake_up_interruptible(&port->pcm_wait);
}
EXPORT_SYMBOL_GPL(fxs_port_pcm_tx);

/**
 * fxs_port_pcm_rx() - hand audio from the line to userspace
 * @port: the port
 * @buf: @n samples
 * @n: samples in a frame
 *
 * A frame that does not fit in the queue is dropped and counted.  With
 * FXS_PCM_MODE_REFERENCE the frame fxs_port_pcm_tx() gave the board in this
 * tick follows it in the queue: the board calls the two once per tick, tx
 * first, for the same sample instants.
 */
void fxs_port_pcm_rx(struct fxs_port *port, const s16 *buf, unsigned int n)
{
	unsigned int len = n * sizeof(s16);
	unsigned int need = port->pcm_ref ? 2 * len : len;
	unsigned long flags;
	bool drop = kfifo_len(&port->cap) + need >
		    (port->pcm_ref ? 2 : 1) * FXS_PCM_QUEUE;

	if (port->pcm_ref && len > sizeof(port->tx_ref))
		drop = true;	/* no board has such frames */
	if (!drop) {
		kfifo_in(&port->cap, (const u8 *)buf, len);
		if (port->pcm_ref)
			kfifo_in(&port->cap, (const u8 *)port->tx_ref, len);
		wake_up_interruptible(&port->pcm_wait);
	}
	spin_lock_irqsave(&port->lock, flags);
	if (drop) {
		port->cnt.pcm_overruns++;
		if (!port->in_overrun)
			fxs_emit(port, FXS_EVENT_PCM_OVERRUN, ktime_get_ns(),
				 (u32)port->cnt.pcm_overruns);
	}
	port->in_overrun = drop;
	spin_unlock_irqrestore(&port->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_port_pcm_rx);

/*
 * Take the read or write side's mutex: it is held only while one caller
 * moves data, never while waiting for it; with O_NONBLOCK it is not even
 * waited for.
 */
static int fxs_pcm_lock(struct file *file, struct mutex *lock)
{
	if (file->f_flags & O_NONBLOCK)
		return mutex_trylock(lock) ? 0 : -EAGAIN;
	return mutex_lock_interruptible(lock) ? -ERESTARTSYS : 0;
}

static ssize_t fxs_pcm_read(struct file *file, char __user *buf,
			    size_t count, loff_t *ppos)
{
	struct fxs_port *port = file->private_data;
	unsigned int frame = fxs_record_bytes(port);
	unsigned int copied, len;
	bool wait;
	int ret;

	if (count < frame)
		return -EINVAL;
	for (;;) {
		ret = fxs_pcm_lock(file, &port->pcm_read_lock);
		if (ret)
			return ret;
		wait = false;
		if (READ_ONCE(port->disconnected)) {
			ret = -ENODEV;
		} else if (kfifo_len(&port->cap) >= frame) {
			len = min_t(size_t, kfifo_len(&port->cap), count);
			len -= len % frame;
			ret = kfifo_to_user(&port->cap, buf, len, &copied);
			if (!ret)
				ret = copied;
		} else if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
		} else {
			wait = true;
		}
		mutex_unlock(&port->pcm_read_lock);
		if (!wait)
			return ret;
		/* Without the lock; whoever gets it first then rechecks. */
		ret = wait_event_interruptible(port->pcm_wait,
					       kfifo_len(&port->cap) >= frame ||
					       READ_ONCE(port->disconnected));
		if (ret)
			return ret;
	}
}

static ssize_t fxs_pcm_write(struct file *file, const char __user *buf,
			     size_t count, loff_t *ppos)
{
	struct fxs_port *port = file->private_data;
	unsigned int copied, len;
	bool wait;
	int ret;

	if (count % sizeof(s16))
		return -EINVAL;
	if (!count)
		return 0;
	for (;;) {
		ret = fxs_pcm_lock(file, &port->pcm_write_lock);
		if (ret)
			return ret;
		wait = false;
		len = kfifo_avail(&port->play) & ~1U;
		if (READ_ONCE(port->disconnected)) {
			ret = -ENODEV;
		} else if (len) {
			len = min_t(size_t, len, count);
			ret = kfifo_from_user(&port->play, buf, len, &copied);
			if (!ret) {
				ret = copied;
				WRITE_ONCE(port->pcm_written, true);
			}
		} else if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
		} else {
			wait = true;
		}
		mutex_unlock(&port->pcm_write_lock);
		if (!wait)
			return ret;
		ret = wait_event_interruptible(port->pcm_wait,
					       kfifo_avail(&port->play) >= 2 ||
					       READ_ONCE(port->disconnected));
		if (ret)
			return ret;
	}
}

static __poll_t fxs_pcm_poll(struct file *file, poll_table *wait)
{
	struct fxs_port *port = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &port->pcm_wait, wait);
	if (READ_ONCE(port->disconnected))
		return EPOLLHUP | EPOLLERR;
	if (kfifo_len(&port->cap) >= fxs_record_bytes(port))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (kfifo_avail(&port->play) >= fxs_frame_bytes(port))
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static int fxs_pcm_release(struct inode *inode, struct file *file)
{
	struct fxs_port *port = file->private_data;

	if (!port)	/* never installed, see fxs_pcm_open() */
		return 0;
	mutex_lock(&port->ioctl_lock);
	if (port->pcm_running && !port->disconnected) {
		mutex_lock(&port->ops_lock);
		port->ops->pcm_stop(port);
		mutex_unlock(&port->ops_lock);
	}
	port->pcm_running = false;
	mutex_unlock(&port->ioctl_lock);
	fxs_drop_user(port);
	return 0;
}

/*
 * FXS_IOC_PCM_DROP: as the writer (its mutex), empty the play queue; the
 * board's tick takes from it under @lock, so the queue's consumer index is
 * moved under @lock too.
 */
static long fxs_pcm_drop(struct file *file, struct fxs_port *port)
{
	unsigned long flags;
	int ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	ret = fxs_pcm_lock(file, &port->pcm_write_lock);
	if (ret)
		return ret;
	spin_lock_irqsave(&port->lock, flags);
	kfifo_reset_out(&port->play);
	spin_unlock_irqrestore(&port->lock, flags);
	mutex_unlock(&port->pcm_write_lock);
	return 0;
}

static long fxs_pcm_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct fxs_port *port = file->private_data;
	struct fxs_pcm_delay d = { };

	if (cmd != FXS_IOC_PCM_DELAY && cmd != FXS_IOC_PCM_DROP)
		return -ENOTTY;
	if (READ_ONCE(port->disconnected))
		return -ENODEV;
	if (cmd == FXS_IOC_PCM_DROP)
		return fxs_pcm_drop(file, port);
	/* single producer and consumer each: the lengths are consistent */
	d.play = kfifo_len(&port->play) / sizeof(s16);
	d.capture = kfifo_len(&port->cap) / sizeof(s16);
	if (port->pcm_ref)
		d.capture /= 2;
	if (copy_to_user((void __user *)arg, &d, sizeof(d)))
		return -EFAULT;
	return 0;
}

static const struct file_operations fxs_pcm_fops = {
	.owner = THIS_MODULE,
	.read = fxs_pcm_read,
	.write = fxs_pcm_write,
	.poll = fxs_pcm_poll,
	.unlocked_ioctl = fxs_pcm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = fxs_pcm_release,
	.llseek = no_llseek,
};

/* FXS_IOC_PCM_OPEN; takes @ioctl_lock itself, around no user copy. */
static int fxs_pcm_open(struct fxs_port *port, void __user *uarg)
{
	struct fxs_pcm_open req;
	struct file *file;
	unsigned long flags;
	int fd, ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if ((req.period_ms != 10 && req.period_ms != 20) ||
	    (req.flags & ~(O_NONBLOCK | O_CLOEXEC)) ||
	    (req.mode & ~FXS_PCM_MODE_REFERENCE) ||
	    memchr_inv(req.padding, 0, sizeof(req.padding)))
		return -EINVAL;

	fd = get_unused_fd_flags(req.flags & O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile("[fxs-pcm]", &fxs_pcm_fops, port,
				  O_RDWR | (req.flags & O_NONBLOCK));
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}
	req.fd = fd;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto put_file;
	}

	mutex_lock(&port->ioctl_lock);
	if (port->disconnected) {
		ret = -ENODEV;
		goto unlock;
	}
	if (!(port->caps & FXS_CAP_PCM)) {
		ret = -EOPNOTSUPP;
		goto unlock;
	}
	if (port->pcm_running) {
		ret = -EBUSY;
		goto unlock;
	}
	kfifo_reset(&port->cap);
	kfifo_reset(&port->play);
	spin_lock_irqsave(&port->lock, flags);
	port->in_underrun = false;
	port->in_overrun = false;
	port->pcm_written = false;
	spin_unlock_irqrestore(&port->lock, flags);
	port->period = req.period_ms;
	port->pcm_ref = req.mode & FXS_PCM_MODE_REFERENCE;
	memset(port->tx_ref, 0, sizeof(port->tx_ref));
	port->pcm_running = true;
	mutex_lock(&port->ops_lock);
	ret = port->ops->pcm_start(port, req.period_ms);
	mutex_unlock(&port->ops_lock);
	if (ret) {
		port->pcm_running = false;
		goto unlock;
	}
	/* The audio descriptor is one of the owner's descriptors. */
	port->users++;
	get_device(&port->dev);
	mutex_unlock(&port->ioctl_lock);
	fd_install(fd, file);
	return 0;

unlock:
	mutex_unlock(&port->ioctl_lock);
put_file:
	/* Not installed and not started: release must not undo anything. */
	file->private_data = NULL;
	fput(file);
put_fd:
	put_unused_fd(fd);
	return ret;
}

/* ---- control descriptor ---- */

static int fxs_open(struct inode *inode, struct file *file)
{
	struct fxs_port *port = container_of(inode->i_cdev, struct fxs_port, cdev);
	unsigned long flags;
	int ret = 0;

	get_device(&port->dev);
	mutex_lock(&port->ioctl_lock);
	if (port->disconnected) {
		ret = -ENODEV;
	} else if (port->users) {
		ret = -EBUSY;
	} else {
		port->users++;
		/* A new owner starts with an empty queue. */
		spin_lock_irqsave(&port->lock, flags);
		kfifo_reset(&port->events);
		port->lost = 0;
		spin_unlock_irqrestore(&port->lock, flags);
	}
	mutex_unlock(&port->ioctl_lock);
	if (ret) {
		put_device(&port->dev);
		return ret;
	}
	file->private_data = port;
	/* An event stream: no position, reads need no f_pos lock. */
	return stream_open(inode, file);
}

static int fxs_release(struct inode *inode, struct file *file)
{
	fxs_drop_user(file->private_data);
	return 0;
}

static ssize_t fxs_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct fxs_port *port = file->private_data;
	struct fxs_event evs[FXS_EVENT_BATCH];
	unsigned long flags;
	unsigned int n;
	bool gone;
	int ret;

	if (count < sizeof(evs[0]))
		return -EINVAL;
	for (;;) {
		spin_lock_irqsave(&port->lock, flags);
		n = kfifo_out(&port->events, evs,
			      min_t(size_t, count / sizeof(evs[0]),
				    FXS_EVENT_BATCH));
		if (!port->disconnected)
			fxs_emit_overflow(port, ktime_get_ns(), false);
		gone = port->disconnected;
		spin_unlock_irqrestore(&port->lock, flags);

		if (n)
			break;
		if (gone)
			return -ENODEV;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(port->wait,
					       !kfifo_is_empty(&port->events) ||
					       READ_ONCE(port->disconnected));
		if (ret)
			return ret;
	}
	if (copy_to_user(buf, evs, n * sizeof(evs[0])))
		return -EFAULT;
	return n * sizeof(evs[0]);
}

static __poll_t fxs_poll(struct file *file, poll_table *wait)
{
	struct fxs_port *port = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &port->wait, wait);
	if (!kfifo_is_empty(&port->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (READ_ONCE(port->disconnected))
		mask |= EPOLLHUP | EPOLLERR;
	return mask;
}

/* An ioctl's argument: copied in before and out after the port's lock. */
union fxs_ioctl_arg {
	struct fxs_port_info info;
	struct fxs_hook_state hook;
	struct fxs_linefeed_req linefeed;
	struct fxs_ring_cadence cadence;
	struct fxs_hook_timing timing;
	struct fxs_counters counters;
};

static long fxs_do_ioctl(struct fxs_port *port, unsigned int cmd,
			 union fxs_ioctl_arg *a)
{
	unsigned long flags;
	int ret;

	lockdep_assert_held(&port->ioctl_lock);
	switch (cmd) {
	case FXS_IOC_GET_INFO:
		a->info.index = port->index;
		a->info.caps = port->caps;
		a->info.rate = FXS_RATE;
		a->info.periods = BIT(10) | BIT(20);
		strscpy(a->info.board, port->board, sizeof(a->info.board));
		return 0;
	case FXS_IOC_GET_HOOK:
		spin_lock_irqsave(&port->lock, flags);
		a->hook.offhook = port->offhook;
		a->hook.ringing = port->ringing;
		a->hook.since_ns = port->since_ns;
		spin_unlock_irqrestore(&port->lock, flags);
		return 0;
	case FXS_IOC_SET_LINEFEED:
		if (memchr_inv(a->linefeed.padding, 0, sizeof(a->linefeed.padding)))
			return -EINVAL;
		return fxs_set_linefeed(port, a->linefeed.mode);
	case FXS_IOC_GET_LINEFEED:
		a->linefeed.mode = port->linefeed;
		return 0;
	case FXS_IOC_RING_START:
		if (!(port->caps & FXS_CAP_RING))
			return -EOPNOTSUPP;
		ret = fxs_check_cadence(&a->cadence);
		return ret ? ret : fxs_ring_start(port, &a->cadence);
	case FXS_IOC_RING_STOP:
		fxs_ring_stop(port, FXS_RING_OFF_STOP);
		return 0;
	case FXS_IOC_GET_TIMING:
		spin_lock_irqsave(&port->lock, flags);
		a->timing = port->timing;
		spin_unlock_irqrestore(&port->lock, flags);
		return 0;
	case FXS_IOC_SET_TIMING:
		ret = fxs_check_timing(&a->timing);
		if (ret)
			return ret;
		spin_lock_irqsave(&port->lock, flags);
		port->timing = a->timing;
		spin_unlock_irqrestore(&port->lock, flags);
		return 0;
	case FXS_IOC_GET_COUNTERS:
		spin_lock_irqsave(&port->lock, flags);
		a->counters = port->cnt;
		spin_unlock_irqrestore(&port->lock, flags);
		return 0;
	default:
		return -ENOTTY;
	}
}

/*
 * The ioctls that change the port (line, ring, timing, audio) need a
 * descriptor opened for writing; a read-only one may only query.
 */
static bool fxs_ioctl_needs_write(unsigned int cmd)
{
	switch (cmd) {
	case FXS_IOC_GET_INFO:
	case FXS_IOC_GET_HOOK:
	case FXS_IOC_GET_LINEFEED:
	case FXS_IOC_GET_TIMING:
	case FXS_IOC_GET_COUNTERS:
		return false;
	default:
		return true;
	}
}

/*
 * User memory is only touched without @ioctl_lock: a copy that stalls (a
 * page being faulted in from far away) must not hold up the other ioctls
 * of the port, its owner's close nor its removal.
 */
static long fxs_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct fxs_port *port = file->private_data;
	void __user *uarg = (void __user *)arg;
	union fxs_ioctl_arg a;
	unsigned int size;
	long ret;

	if (!(file->f_mode & FMODE_WRITE) && fxs_ioctl_needs_write(cmd))
		return _IOC_TYPE(cmd) == FXS_IOC_MAGIC ? -EBADF : -ENOTTY;
	switch (cmd) {
	case FXS_IOC_PCM_OPEN:
		return fxs_pcm_open(port, uarg);
	case FXS_IOC_GET_INFO:
	case FXS_IOC_GET_HOOK:
	case FXS_IOC_SET_LINEFEED:
	case FXS_IOC_GET_LINEFEED:
	case FXS_IOC_RING_START:
	case FXS_IOC_RING_STOP:
	case FXS_IOC_GET_TIMING:
	case FXS_IOC_SET_TIMING:
	case FXS_IOC_GET_COUNTERS:
		break;
	default:
		return -ENOTTY;
	}
	size = _IOC_SIZE(cmd);
	if (WARN_ON_ONCE(size > sizeof(a)))
		return -ENOTTY;
	memset(&a, 0, sizeof(a));
	if ((_IOC_DIR(cmd) & _IOC_WRITE) && copy_from_user(&a, uarg, size))
		return -EFAULT;

	mutex_lock(&port->ioctl_lock);
	if (port->disconnected)
		ret = -ENODEV;
	else
		ret = fxs_do_ioctl(port, cmd, &a);
	mutex_unlock(&port->ioctl_lock);

	if (!ret && (_IOC_DIR(cmd) & _IOC_READ) && copy_to_user(uarg, &a, size))
		return -EFAULT;
	return ret;
}

static const struct file_operations fxs_fops = {
	.owner = THIS_MODULE,
	.open = fxs_open,
	.release = fxs_release,
	.read = fxs_read,
	.poll = fxs_poll,
	.unlocked_ioctl = fxs_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

/* ---- sysfs ---- */

static ssize_t board_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);

	return sysfs_emit(buf, "%s\n", port->board);
}
static DEVICE_ATTR_RO(board);

static ssize_t hook_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);

	return sysfs_emit(buf, "%s\n", READ_ONCE(port->offhook) ? "offhook" : "onhook");
}
static DEVICE_ATTR_RO(hook);

static ssize_t linefeed_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);
	u32 mode = READ_ONCE(port->linefeed);

	return sysfs_emit(buf, "%s\n", fxs_linefeed_names[mode]);
}
static DEVICE_ATTR_RO(linefeed);

static ssize_t ringing_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);

	return sysfs_emit(buf, "%d\n", READ_ONCE(port->ringing));
}
static DEVICE_ATTR_RO(ringing);

static struct attribute *fxs_port_attrs[] = {
	&dev_attr_board.attr,
	&dev_attr_hook.attr,
	&dev_attr_linefeed.attr,
	&dev_attr_ringing.attr,
	NULL,
};

static const struct attribute_group fxs_port_group = {
	.attrs = fxs_port_attrs,
};

/**
 * struct fxs_counter_attr - a read-only sysfs file showing one counter
 * @attr: the attribute
 * @offset: offset of the counter in struct fxs_counters
 */
struct fxs_counter_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t fxs_counter_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);
	size_t offset = container_of(attr, struct fxs_counter_attr, attr)->offset;
	unsigned long flags;
	u64 v;

	spin_lock_irqsave(&port->lock, flags);
	v = *(u64 *)((u8 *)&port->cnt + offset);
	spin_unlock_irqrestore(&port->lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}

#define FXS_COUNTER_ATTR(_name)						\
static struct fxs_counter_attr fxs_counter_##_name = {			\
	.attr = {							\
		.attr = { .name = #_name, .mode = 0444 },		\
		.show = fxs_counter_show,				\
	},								\
	.offset = offsetof(struct fxs_counters, _name),			\
}

FXS_COUNTER_ATTR(events);
FXS_COUNTER_ATTR(events_lost);
FXS_COUNTER_ATTR(offhooks);
FXS_COUNTER_ATTR(onhooks);
FXS_COUNTER_ATTR(flashes);
FXS_COUNTER_ATTR(digits);
FXS_COUNTER_ATTR(bounces);
FXS_COUNTER_ATTR(ring_bursts);
FXS_COUNTER_ATTR(ring_trips);
FXS_COUNTER_ATTR(pcm_frames);
FXS_COUNTER_ATTR(pcm_underruns);
FXS_COUNTER_ATTR(pcm_overruns);

static struct attribute *fxs_counter_attrs[] = {
	&fxs_counter_events.attr.attr,
	&fxs_counter_events_lost.attr.attr,
	&fxs_counter_offhooks.attr.attr,
	&fxs_counter_onhooks.attr.attr,
	&fxs_counter_flashes.attr.attr,
	&fxs_counter_digits.attr.attr,
	&fxs_counter_bounces.attr.attr,
	&fxs_counter_ring_bursts.attr.attr,
	&fxs_counter_ring_trips.attr.attr,
	&fxs_counter_pcm_frames.attr.attr,
	&fxs_counter_pcm_underruns.attr.attr,
	&fxs_counter_pcm_overruns.attr.attr,
	NULL,
};

static const struct attribute_group fxs_counter_group = {
	.name = "counters",
	.attrs = fxs_counter_attrs,
};

static const struct attribute_group *fxs_port_groups[] = {
	&fxs_port_group,
	&fxs_counter_group,
	NULL,
};

static int fxs_uevent(struct device *dev, struct kobj_uevent_env *env)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);

	return add_uevent_var(env, "FXS_BOARD=%s", port->board);
}

/* ---- board API ---- */

static void fxs_port_release(struct device *dev)
{
	struct fxs_port *port = container_of(dev, struct fxs_port, dev);

	if (!IS_ERR_OR_NULL(port->worker))
		kthread_destroy_worker(port->worker);
	kfifo_free(&port->cap);
	kfifo_free(&port->play);
	ida_free(&fxs_ida, port->index);
	kfree(port);
}

/**
 * fxs_port_alloc() - allocate a port for a board
 * @parent: the board's device
 * @ops: the board's operations
 * @board: board name shown to userspace
 * @caps: FXS_CAP_* flags
 * @priv_size: size of the board's private area, see fxs_port_priv()
 *
 * Return: the port, or an ERR_PTR().  Drop it with fxs_port_put().
 */
struct fxs_port *fxs_port_alloc(struct device *parent,
				const struct fxs_port_ops *ops,
				const char *board, u32 caps, size_t priv_size)
{
	size_t words = DIV_ROUND_UP(priv_size, sizeof(unsigned long));
	struct fxs_port *port;
	int id, ret;

	/* Not kvzalloc(): the port embeds a struct device (kobject). */
	port = kzalloc(struct_size(port, priv, words), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);

	id = ida_alloc_max(&fxs_ida, FXS_MAX_PORTS - 1, GFP_KERNEL);
	if (id < 0) {
		kfree(port);
		return ERR_PTR(id);
	}
	port->index = id;
	port->ops = ops;
	port->caps = caps;
	strscpy(port->board, board, sizeof(port->board));
	mutex_init(&port->ioctl_lock);
	mutex_init(&port->ops_lock);
	mutex_init(&port->pcm_read_lock);
	mutex_init(&port->pcm_write_lock);
	spin_lock_init(&port->lock);
	INIT_KFIFO(port->events);
	init_waitqueue_head(&port->wait);
	init_waitqueue_head(&port->pcm_wait);
	port->timing = fxs_default_timing;
	port->hstate = FXS_HOOK_ONHOOK;
	port->linefeed = FXS_LINEFEED_FORWARD;
	hrtimer_init(&port->hook_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	port->hook_timer.function = fxs_hook_timer_fn;
	hrtimer_init(&port->ring_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	port->ring_timer.function = fxs_ring_timer_fn;
	INIT_KFIFO(port->ring_sw);
	kthread_init_work(&port->ring_work, fxs_ring_work_fn);

	device_initialize(&port->dev);
	port->dev.class = fxs_class;
	port->dev.parent = parent;
	port->dev.groups = fxs_port_groups;
	port->dev.release = fxs_port_release;
	port->dev.devt = MKDEV(MAJOR(fxs_first), id);
	cdev_init(&port->cdev, &fxs_fops);
	port->cdev.owner = THIS_MODULE;

	ret = dev_set_name(&port->dev, "fxs%d", id);
	if (ret)
		goto err_put;
	/*
	 * The ring cadence's switches reach the board from here: real-time
	 * (the lowest FIFO priority), so the cadence keeps its time whatever
	 * else the machine does.
	 */
	port->worker = kthread_create_worker(0, "fxs%d", id);
	if (IS_ERR(port->worker)) {
		ret = PTR_ERR(port->worker);
		goto err_put;
	}
	sched_set_fifo_low(port->worker->task);
	/* twice the plain stream's: records carry the reference too */
	ret = kfifo_alloc(&port->cap, 2 * FXS_PCM_QUEUE, GFP_KERNEL);
	if (ret)
		goto err_put;
	ret = kfifo_alloc(&port->play, FXS_PCM_QUEUE, GFP_KERNEL);
	if (ret)
		goto err_put;
	return port;

err_put:
	put_device(&port->dev);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(fxs_port_alloc);

/**
 * fxs_port_register() - make the port visible as /dev/fxsN
 * @port: a port from fxs_port_alloc()
 *
 * The board's ops are checked first: @set_linefeed always, @set_ring with
 * FXS_CAP_RING, @pcm_start and @pcm_stop with FXS_CAP_PCM.
 *
 * Return: 0, -EINVAL when an operation the port needs is missing, or
 * another negative errno.
 */
int fxs_port_register(struct fxs_port *port)
{
	const struct fxs_port_ops *ops = port->ops;

	if (!ops || !ops->set_linefeed ||
	    ((port->caps & FXS_CAP_RING) && !ops->set_ring) ||
	    ((port->caps & FXS_CAP_PCM) && (!ops->pcm_start || !ops->pcm_stop))) {
		dev_err(port->dev.parent, "%s: fxs_port_ops lacks an operation its caps need\n",
			port->board);
		return -EINVAL;
	}
	return cdev_device_add(&port->cdev, &port->dev);
}
EXPORT_SYMBOL_GPL(fxs_port_register);

/**
 * fxs_port_deregister() - the board is removing the port
 * @port: a registered port
 *
 * Stops the ring, the timers and the audio stream, queues the removal
 * event and wakes every sleeper.  Open descriptors then get -ENODEV.
 */
void fxs_port_deregister(struct fxs_port *port)
{
	unsigned long flags;
	u64 now;

	mutex_lock(&port->ioctl_lock);
	spin_lock_irqsave(&port->lock, flags);
	fxs_ring_halt(port, ktime_get_ns(), FXS_RING_OFF_STOP);
	now = ktime_get_ns();
	/* The reserved slots take these two whatever the queue holds. */
	fxs_emit_overflow(port, now, true);
	fxs_queue_event(port, FXS_EVENT_PORT_REMOVED, now, 0);
	WRITE_ONCE(port->disconnected, true);
	spin_unlock_irqrestore(&port->lock, flags);
	hrtimer_cancel(&port->hook_timer);
	hrtimer_cancel(&port->ring_timer);
	/* the voltage off, the audio clock stopped, then no more ops */
	fxs_ring_sync(port);
	mutex_lock(&port->ops_lock);
	if (port->pcm_running)
		port->ops->pcm_stop(port);
	port->pcm_running = false;
	port->ops_gone = true;
	mutex_unlock(&port->ops_lock);
	mutex_unlock(&port->ioctl_lock);

	wake_up_interruptible_all(&port->wait);
	wake_up_interruptible_all(&port->pcm_wait);
	cdev_device_del(&port->cdev, &port->dev);
}
EXPORT_SYMBOL_GPL(fxs_port_deregister);

void fxs_port_get(struct fxs_port *port)
{
	get_device(&port->dev);
}
EXPORT_SYMBOL_GPL(fxs_port_get);

void fxs_port_put(struct fxs_port *port)
{
	if (port)
		put_device(&port->dev);
}
EXPORT_SYMBOL_GPL(fxs_port_put);

void *fxs_port_priv(struct fxs_port *port)
{
	return port->priv;
}
EXPORT_SYMBOL_GPL(fxs_port_priv);

int fxs_port_index(struct fxs_port *port)
{
	return port->index;
}
EXPORT_SYMBOL_GPL(fxs_port_index);

struct device *fxs_port_dev(struct fxs_port *port)
{
	return &port->dev;
}
EXPORT_SYMBOL_GPL(fxs_port_dev);

static int __init fxs_init(void)
{
	int ret;

	fxs_class = class_create(THIS_MODULE, "fxs");
	if (IS_ERR(fxs_class))
		return PTR_ERR(fxs_class);
	fxs_class->dev_uevent = fxs_uevent;

	ret = alloc_chrdev_region(&fxs_first, 0, FXS_MAX_PORTS, "fxs");
	if (ret)
		goto destroy_class;
	return 0;

destroy_class:
	class_destroy(fxs_class);
	return ret;
}
module_init(fxs_init);

static void __exit fxs_exit(void)
{
	unregister_chrdev_region(fxs_first, FXS_MAX_PORTS);
	class_destroy(fxs_class);
	ida_destroy(&fxs_ida);
}
module_exit(fxs_exit);

MODULE_DESCRIPTION("FXS analog telephone port core");
MODULE_LICENSE("GPL");
