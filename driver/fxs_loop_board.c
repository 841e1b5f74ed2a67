// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs_loop: a loopback FXS board.  Each port simulates a SLIC with a
 * telephone handset on the line and the hybrid's echo; the handset
 * (driver/fxs_handset.h, in fxs.ko) has the node /dev/fxs_hsN through
 * which tests lift the receiver, dial, talk, listen and watch the ringer.
 * The ABI is include/uapi/linux/fxs_loop.h.
 */

#include <linux/device.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "fxs_board.h"
#include "fxs_handset.h"

#define LOOP_RATE		8000
#define LOOP_MAX_PORTS		16
#define LOOP_MAX_FRAME		160	/* 20 ms */
#define LOOP_MAX_CATCHUP	50	/* frames made up in one timer run */

static unsigned int ports = 2;
module_param(ports, uint, 0444);
MODULE_PARM_DESC(ports, "number of ports created at load (0-16, default 2)");

static unsigned int bus_sleep_us;
module_param(bus_sleep_us, uint, 0444);
MODULE_PARM_DESC(bus_sleep_us,
		 "every board op sleeps this long first, as a SLIC behind SPI or I2C does (0-10000 us, default 0)");

struct fxs_loop;

/**
 * struct loop_port - one simulated line with its handset
 * @port: the core's port; this struct is its private area
 * @board: the board
 * @node: entry in the board's list
 * @hs: the handset on the line
 * @lock: protects @live, @linefeed and @reported, taken from timer
 *	context; never held while calling into the core or the handset's
 *	actions
 * @live: the port is registered: hook edges go to the core
 * @linefeed: the feed the core asked for
 * @reported: the hook level last reported to the core
 * @period_ns: frame period
 * @frame: samples per frame
 * @pcm_timer: the audio clock
 * @tx: the frame sent to the line, only touched by loop_pcm_timer_fn()
 * @rx: the frame received from it, likewise (not on its stack: with
 *	KASAN's redzones it would pass 1 KiB)
 */
struct loop_port {
	struct fxs_port *port;
	struct fxs_loop *board;
	struct list_head node;
	struct fxs_hs *hs;

	spinlock_t lock;	/* see @lock above */
	bool live;
	u32 linefeed;
	bool reported;

	u64 period_ns;
	unsigned int frame;
	struct hrtimer pcm_timer;
	s16 tx[LOOP_MAX_FRAME], rx[LOOP_MAX_FRAME];
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

static enum hrtimer_restart loop_pcm_timer_fn(struct hrtimer *timer)
{
	struct loop_port *lp = container_of(timer, struct loop_port, pcm_timer);
	u64 frames, f;

	frames = hrtimer_forward(timer, hrtimer_cb_get_time(timer),
				 ns_to_ktime(lp->period_ns));
	frames = min_t(u64, frames, LOOP_MAX_CATCHUP);
	for (f = 0; f < frames; f++) {
		/* rx[i] is heard while tx[i] is sent: the core's reference */
		fxs_port_pcm_tx(lp->port, lp->tx, lp->frame);
		fxs_hs_audio(lp->hs, lp->tx, lp->rx, lp->frame);
		fxs_port_pcm_rx(lp->port, lp->rx, lp->frame);
	}
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
	fxs_hs_set_linefeed(lp->hs, mode, ktime_get_ns());
	spin_lock_irqsave(&lp->lock, flags);
	old = lp->linefeed;
	lp->linefeed = mode;
	/* With battery back the SLIC sees the loop as it is now. */
	level = fxs_hs_offhook(lp->hs);
	if (old == FXS_LINEFEED_OPEN && mode != FXS_LINEFEED_OPEN &&
	    level != lp->reported) {
		lp->reported = level;
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
	loop_bus_access();
	fxs_hs_set_ring(to_lp(port)->hs, on, 0, ts_ns);
	return 0;
}

static int loop_pcm_start(struct fxs_port *port, unsigned int period_ms)
{
	struct loop_port *lp = to_lp(port);

	loop_bus_access();
	lp->period_ns = (u64)period_ms * NSEC_PER_MSEC;
	lp->frame = period_ms * LOOP_RATE / 1000;
	fxs_hs_set_pcm(lp->hs, true);
	hrtimer_start(&lp->pcm_timer, ns_to_ktime(lp->period_ns),
		      HRTIMER_MODE_REL);
	return 0;
}

static void loop_pcm_stop(struct fxs_port *port)
{
	struct loop_port *lp = to_lp(port);

	loop_bus_access();
	hrtimer_cancel(&lp->pcm_timer);
	fxs_hs_set_pcm(lp->hs, false);
}

static const struct fxs_port_ops loop_ops = {
	.set_linefeed = loop_set_linefeed,
	.set_ring = loop_set_ring,
	.pcm_start = loop_pcm_start,
	.pcm_stop = loop_pcm_stop,
};

/* The handset's hook switch moved: the line reports it while fed. */
static void loop_hook(void *ctx, bool offhook, u64 ts_ns)
{
	struct loop_port *lp = ctx;
	bool report = false;
	unsigned long flags;

	spin_lock_irqsave(&lp->lock, flags);
	if (lp->live && lp->linefeed != FXS_LINEFEED_OPEN &&
	    lp->reported != offhook) {
		lp->reported = offhook;
		report = true;
	}
	spin_unlock_irqrestore(&lp->lock, flags);
	if (report)
		fxs_port_hook_edge(lp->port, offhook, ts_ns);
}

static const struct fxs_hs_ops loop_hs_ops = {
	.hook = loop_hook,
};

/* ---- ports ---- */

static int loop_add_port(struct fxs_loop *board)
{
	struct fxs_port *port;
	struct loop_port *lp;
	bool level, report;
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
	spin_lock_init(&lp->lock);
	lp->linefeed = FXS_LINEFEED_FORWARD;
	hrtimer_init(&lp->pcm_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	lp->pcm_timer.function = loop_pcm_timer_fn;
	lp->hs = fxs_hs_create(board->dev, fxs_port_index(port), &loop_hs_ops,
			       lp);
	if (IS_ERR(lp->hs)) {
		ret = PTR_ERR(lp->hs);
		goto put_port;
	}

	ret = fxs_port_register(port);
	if (ret)
		goto destroy_hs;
	/* the handset was there a moment before the port: its level now */
	spin_lock_irqsave(&lp->lock, flags);
	lp->live = true;
	level = fxs_hs_offhook(lp->hs);
	report = level != lp->reported;
	lp->reported = level;
	spin_unlock_irqrestore(&lp->lock, flags);
	if (report)
		fxs_port_hook_edge(port, level, ktime_get_ns());
	list_add_tail(&lp->node, &board->ports);
	return fxs_port_index(port);

destroy_hs:
	fxs_hs_destroy(lp->hs);
put_port:
	fxs_port_put(port);
	return ret;
}

static void loop_remove_port(struct loop_port *lp)
{
	lockdep_assert_held(&lp->board->lock);
	list_del(&lp->node);
	/* no op after this, then no hook edge */
	fxs_port_deregister(lp->port);
	fxs_hs_destroy(lp->hs);
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
