// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs_si3215: the Silicon Labs Si3215 ProSLIC (one FXS port) on SPI.
 *
 * Probe: reset, part ID check, DC-DC converter up, calibration (in the
 * datasheet's order: converter up, interrupts masked, line open), indirect
 * registers (thresholds, ring oscillator from the properties), line feed,
 * then the port.  Loop closure and ring trip come from a threaded IRQ whose
 * hard half stamps the edge, or from polling when no IRQ is wired.  A
 * power alarm (by the IRQ) opens the line and is reported to the core.  Ring
 * cadence: the core's timers, each switch a line feed write (ringing or
 * back) from the port's worker.  With the line open (no battery) the
 * chip cannot sense the loop: the hook level is held while it is, and read
 * again once the feed is back and the loop-closure filter has settled, so
 * an open-loop disconnect signal is neither a flash nor a hang-up.
 * Audio: with "fxs,pcm-bus" (the name of a registered struct fxs_pcm_bus,
 * fxs_board.h) the port has FXS_CAP_PCM and its samples travel on that bus
 * at the chip's timeslot in its format; PCM_MODE's PCM_EN is set while the
 * port's audio runs.
 *
 * Properties (device tree or software node), each checked against its
 * range (the binding: Documentation/devicetree/bindings/telephony/
 * silabs,si3215.yaml): silabs,ring-frequency-hz (15-68, 20),
 * silabs,ring-amplitude-microvolt (peak, 40-89 V, 63 V),
 * silabs,loop-current-microamp (20-41 mA, 20 mA), silabs,onhook-microvolt
 * (24-72 V, 48 V), silabs,impedance-ohms (600 or 900, 600),
 * silabs,pcm-format ("alaw", "ulaw", "linear"), silabs,pcm-timeslot (0-127,
 * 0), fxs,pcm-bus (the PCM bus's name, none: no audio); reset-gpios,
 * interrupts.
 */

#include <linux/delay.h>
#include <linux/device.h>
#include <linux/gpio/consumer.h>
#include <linux/interrupt.h>
#include <linux/kthread.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/property.h>
#include <linux/spi/spi.h>

#include "fxs_board.h"
#include "fxs_si3215.h"

#define SI_VBAT_TIMEOUT_MS	500
#define SI_CAL_TIMEOUT_MS	1000
#define SI_IAS_TRIES		100
#define SI_POLL_US		1000
/*
 * After the line leaves open: loop current flows again and LCR follows
 * after the chip's loop-closure debounce (LCR_DEBOUNCE at its reset value,
 * 12.5 ms); the hook is read again once that is over.
 */
#define SI_FEED_SETTLE_MS	20

/**
 * struct si3215 - one chip, one port
 * @spi: the chip's SPI device
 * @port: the port
 * @reset: the reset line, if wired
 * @bus_lock: keeps a register sequence (an indirect access, a read and
 *	clear of the interrupt status) whole against the IRQ thread
 * @linefeed: the chip's line feed for the core's mode, @bus_lock
 * @ringing: the ring voltage is on, @bus_lock
 * @offhook: the level last reported to the core, @bus_lock
 * @settle_ns: until then the loop is settling after the line left open
 *	and its level is not reported, @bus_lock
 * @feed_work: reads the hook once the loop has settled
 * @irq_ns: when the hard half of the IRQ saw the line, written there
 * @poller: reads the hook status when no IRQ is wired
 * @ring_hz: ring frequency
 * @ring_v: ring amplitude, V peak
 * @ilim_ma: loop current limit
 * @onhook_v: on-hook line voltage
 * @impedance: line impedance, ohms
 * @pcm_fmt: PCM_MODE format bits
 * @timeslot: PCM timeslot
 * @pcm_bus: the PCM bus the chip's highway is on (fxs_board.h), or NULL:
 *	no audio
 * @pcm_slot: the port's slot on it
 */
struct si3215 {
	struct spi_device *spi;
	struct fxs_port *port;
	struct gpio_desc *reset;
	struct mutex bus_lock;	/* see @bus_lock above */
	u8 linefeed;
	bool ringing;
	bool offhook;
	u64 settle_ns;
	struct delayed_work feed_work;
	u64 irq_ns;
	struct task_struct *poller;

	u32 ring_hz;
	u32 ring_v;
	u32 ilim_ma;
	u32 onhook_v;
	u32 impedance;
	u8 pcm_fmt;
	u32 timeslot;
	const char *pcm_bus;
	struct fxs_pcm_slot *pcm_slot;
};

struct si3215_port {
	struct si3215 *chip;
};

static int si_read(struct si3215 *si, u8 reg, u8 *val)
{
	u8 cmd = SI3215_READ | reg;

	return spi_write_then_read(si->spi, &cmd, 1, val, 1);
}

static int si_write(struct si3215 *si, u8 reg, u8 val)
{
	u8 buf[2] = { reg & SI3215_ADDR_MASK, val };

	return spi_write(si->spi, buf, sizeof(buf));
}

/* Wait until IAS shows no indirect access in progress. */
static int si_ias_wait(struct si3215 *si)
{
	unsigned int i;
	u8 v;
	int ret;

	for (i = 0; i < SI_IAS_TRIES; i++) {
		ret = si_read(si, SI3215_IAS, &v);
		if (ret)
			return ret;
		if (!(v & SI3215_IAS_BUSY))
			return 0;
	}
	return -ETIMEDOUT;
}

static int si_write_indirect(struct si3215 *si, u8 addr, u16 val)
{
	int ret;

	lockdep_assert_held(&si->bus_lock);
	ret = si_ias_wait(si);
	if (!ret)
		ret = si_write(si, SI3215_IDA_LO, val & 0xff);
	if (!ret)
		ret = si_write(si, SI3215_IDA_HI, val >> 8);
	if (!ret)
		ret = si_write(si, SI3215_IAA, addr);
	return ret;
}

/* Poll register @reg until (value & @mask) == @want, for up to @ms. */
static int si_poll(struct si3215 *si, u8 reg, u8 mask, u8 want,
		   unsigned int ms, u8 *last)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);
	int ret;

	for (;;) {
		ret = si_read(si, reg, last);
		if (ret)
			return ret;
		if ((*last & mask) == want)
			return 0;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
}

/* Wait for VBAT_SENSE to reach @target; the last reading in @v. */
static int si_wait_vbat(struct si3215 *si, u8 target, u8 *v)
{
	unsigned long end = jiffies + msecs_to_jiffies(SI_VBAT_TIMEOUT_MS);
	int ret;

	for (;;) {
		ret = si_read(si, SI3215_VBAT_SENSE, v);
		if (ret || *v >= target)
			return ret;
		if (time_after(jiffies, end))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
}

/* ---- properties ---- */

static int si_prop_u32(struct device *dev, const char *name, u32 def,
		       u32 min, u32 max, u32 *val)
{
	int ret = device_property_read_u32(dev, name, val);

	if (ret == -EINVAL) {	/* absent */
		*val = def;
		return 0;
	}
	if (ret) {
		dev_err(dev, "%s: unreadable (%d), want a u32 in %u-%u\n",
			name, ret, min, max);
		return ret;
	}
	if (*val < min || *val > max) {
		dev_err(dev, "%s = %u is out of range %u-%u\n", name, *val, min,
			max);
		return -EINVAL;
	}
	return 0;
}

static int si_read_props(struct si3215 *si)
{
	static const char * const formats[] = { "alaw", "ulaw", "linear" };
	static const u8 fmt_bits[] = {
		SI3215_PCM_FMT_ALAW, SI3215_PCM_FMT_ULAW, SI3215_PCM_FMT_LINEAR,
	};
	const u32 ilim_max = SI3215_ILIM_MIN_MA + SI3215_ILIM_MAX * SI3215_ILIM_STEP_MA;
	struct device *dev = &si->spi->dev;
	const char *fmt = "linear";
	int ret, i;

	ret = si_prop_u32(dev, "silabs,ring-frequency-hz", 20, 15, 68, &si->ring_hz);
	if (!ret)
		ret = si_prop_u32(dev, "silabs,ring-amplitude-microvolt", 63000000,
				  40000000, 89000000, &si->ring_v);
	if (!ret)
		ret = si_prop_u32(dev, "silabs,loop-current-microamp", 20000,
				  SI3215_ILIM_MIN_MA * 1000, ilim_max * 1000,
				  &si->ilim_ma);
	if (!ret)
		ret = si_prop_u32(dev, "silabs,onhook-microvolt", 48000000, 24000000,
				  72000000, &si->onhook_v);
	if (!ret)
		ret = si_prop_u32(dev, "silabs,impedance-ohms", 600, 600, 900,
				  &si->impedance);
	if (!ret && si->impedance != 600 && si->impedance != 900) {
		dev_err(dev, "silabs,impedance-ohms = %u: want 600 or 900\n",
			si->impedance);
		ret = -EINVAL;
	}
	if (!ret)
		ret = si_prop_u32(dev, "silabs,pcm-timeslot", 0, 0, 127, &si->timeslot);
	if (ret)
		return ret;
	si->ring_v /= 1000000;
	si->ilim_ma /= 1000;
	si->onhook_v /= 1000000;
	if (device_property_present(dev, "silabs,pcm-format")) {
		ret = device_property_read_string(dev, "silabs,pcm-format", &fmt);
		if (ret) {
			dev_err(dev, "silabs,pcm-format: unreadable (%d), want alaw, ulaw or linear\n",
				ret);
			return ret;
		}
	}
	i = match_string(formats, ARRAY_SIZE(formats), fmt);
	if (i < 0) {
		dev_err(dev, "silabs,pcm-format = \"%s\": want alaw, ulaw or linear\n",
			fmt);
		return -EINVAL;
	}
	si->pcm_fmt = fmt_bits[i];
	if (device_property_present(dev, "fxs,pcm-bus")) {
		ret = device_property_read_string(dev, "fxs,pcm-bus", &si->pcm_bus);
		if (ret) {
			dev_err(dev, "fxs,pcm-bus: unreadable (%d)\n", ret);
			return ret;
		}
	}
	return 0;
}

/* ---- chip set-up ---- */

/*
 * cos(2 pi @hz / 1000) in Q15, the ring oscillator's coefficient (it runs
 * at 1 kHz): a Taylor series to x^6 in Q30, good to 3e-7 up to 68 Hz
 * (x <= 0.43); the kernel's table cosine is 0.07 % off, 4 % in frequency.
 */
static u16 si_ring_coef(u32 hz)
{
	const u64 pi_q30 = 3373259426ULL;	/* pi * 2^30 */
	u64 x = div_u64(2 * pi_q30 * hz, 1000);
	u64 x2 = (x * x) >> 30;
	u64 x4 = (x2 * x2) >> 30;
	u64 x6 = (x4 * x2) >> 30;
	s64 c = (1LL << 30) - (s64)(x2 / 2) + (s64)(x4 / 24) - (s64)(x6 / 720);

	return (u16)min_t(s64, (c + (1 << 14)) >> 15, 0x7fff);
}

/* The ring oscillator: coefficient, amplitude as a fraction of 96 V. */
static void si_ring_osc(struct si3215 *si, u16 *coef, u16 *amp)
{
	*coef = si_ring_coef(si->ring_hz);
	*amp = (u16)(si->ring_v * 0x7fff / 96);
}

static int si_setup_indirect(struct si3215 *si)
{
	u16 coef, amp;
	int ret;

	si_ring_osc(si, &coef, &amp);
	mutex_lock(&si->bus_lock);
	ret = si_write_indirect(si, SI3215_IR_LCR_THRESH, 0x1000);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RTP_THRESH, 0x3600);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_LCR_FILTER, 0x8000);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RTP_FILTER, 0x0320);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RING_OSC, coef);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RING_X, amp);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RING_Y, 0);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RING_V_OFF, 0);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_RX_GAIN, 0x4000);
	if (!ret)
		ret = si_write_indirect(si, SI3215_IR_TX_GAIN, 0x4000);
	if (!ret)
		ret = si_ias_wait(si);
	mutex_unlock(&si->bus_lock);
	return ret;
}

/* Each step's failure is one message naming the step. */
static int si_init_chip(struct si3215 *si)
{
	struct device *dev = &si->spi->dev;
	u32 vbath = max(75U, si->ring_v + 5);
	u8 target, v;
	int ret;

	ret = si_read(si, SI3215_ID, &v);
	if (ret)
		return dev_err_probe(dev, ret, "reading the part ID\n");
	if ((v & SI3215_ID_PART_MASK) != SI3215_ID_PART ||
	    !(v & SI3215_ID_REV_MASK) || (v & SI3215_ID_REV_MASK) == 0xf) {
		dev_err(dev, "no Si3215 answers: ID register reads 0x%02x\n", v);
		return -ENODEV;
	}
	dev_dbg(dev, "Si3215 revision %c\n", 'A' + (v & SI3215_ID_REV_MASK) - 1);

	/* quiet and open while the converter comes up and calibrates */
	ret = si_write(si, SI3215_IRQ_ENABLE1, 0);
	if (!ret)
		ret = si_write(si, SI3215_IRQ_ENABLE2, 0);
	if (!ret)
		ret = si_write(si, SI3215_IRQ_ENABLE3, 0);
	/* and nothing pending from before (write 1 to clear) */
	if (!ret)
		ret = si_write(si, SI3215_IRQ_STATUS1, 0xff);
	if (!ret)
		ret = si_write(si, SI3215_IRQ_STATUS2, 0xff);
	if (!ret)
		ret = si_write(si, SI3215_IRQ_STATUS3, 0xff);
	if (!ret)
		ret = si_write(si, SI3215_LINEFEED, SI3215_LF_OPEN);
	/* DC-DC converter: battery voltage, PWM period, delay; then power */
	if (!ret)
		ret = si_write(si, SI3215_VBATH,
			       DIV_ROUND_UP(vbath * 1000, SI3215_V_STEP_MV));
	if (!ret)
		ret = si_write(si, SI3215_DCDC_PERIOD, 0xc0);
	if (!ret)
		ret = si_write(si, SI3215_DCDC_DELAY, 0x19);
	if (!ret)
		ret = si_write(si, SI3215_PWRDOWN1, 0);
	if (ret)
		return dev_err_probe(dev, ret, "setting up the DC-DC converter\n");
	/* the battery comes up to 90 % of VBATH */
	target = DIV_ROUND_UP(vbath * 1000, SI3215_V_STEP_MV) * SI3215_V_STEP_MV /
		 SI3215_VSENSE_MV * 9 / 10;
	ret = si_wait_vbat(si, target, &v);
	if (ret == -ETIMEDOUT) {
		dev_err(dev, "DC-DC converter: battery at %u mV after %u ms, want %u\n",
			v * SI3215_VSENSE_MV, SI_VBAT_TIMEOUT_MS,
			target * SI3215_VSENSE_MV);
		return ret;
	}
	if (ret)
		return dev_err_probe(dev, ret, "reading the battery voltage\n");

	/* calibration: every one, then wait for CAL1 to clear */
	ret = si_write(si, SI3215_CAL2, 0x1f);
	if (!ret)
		ret = si_write(si, SI3215_CAL1, SI3215_CAL_START | 0x1f);
	if (!ret)
		ret = si_poll(si, SI3215_CAL1, 0xff, 0, SI_CAL_TIMEOUT_MS, &v);
	if (ret == -ETIMEDOUT) {
		dev_err(dev, "calibration: not done after %u ms (CAL1 0x%02x)\n",
			SI_CAL_TIMEOUT_MS, v);
		return ret;
	}
	if (ret)
		return dev_err_probe(dev, ret, "calibrating\n");

	ret = si_setup_indirect(si);
	if (ret)
		return dev_err_probe(dev, ret, "writing the indirect registers\n");

	/* loop: current limit, on-hook voltage, impedance; PCM format */
	ret = si_write(si, SI3215_LOOP_ILIM,
		       (si->ilim_ma - SI3215_ILIM_MIN_MA) / SI3215_ILIM_STEP_MA);
	if (!ret)
		ret = si_write(si, SI3215_ONHOOK_V,
			       si->onhook_v * 1000 / SI3215_V_STEP_MV);
	if (!ret)
		ret = si_write(si, SI3215_IMPEDANCE, si->impedance == 600 ? 0x08 : 0x09);
	if (!ret)
		ret = si_write(si, SI3215_PCM_MODE, si->pcm_fmt);
	if (!ret)
		ret = si_write(si, SI3215_PCM_TXS_LO, (si->timeslot * 8) & 0xff);
	if (!ret)
		ret = si_write(si, SI3215_PCM_TXS_HI, (si->timeslot * 8) >> 8);
	if (!ret)
		ret = si_write(si, SI3215_PCM_RXS_LO, (si->timeslot * 8) & 0xff);
	if (!ret)
		ret = si_write(si, SI3215_PCM_RXS_HI, (si->timeslot * 8) >> 8);
	if (!ret)
		ret = si_write(si, SI3215_LINEFEED, SI3215_LF_FWD_ACTIVE);
	if (ret)
		return dev_err_probe(dev, ret, "setting up the line\n");
	si->linefeed = SI3215_LF_FWD_ACTIVE;
	return 0;
}

/* ---- hook ---- */

/*
 * Read the hook status and report a change at @ts (the time the edge was
 * seen: the hard IRQ's, or the poll's).  @clear: read and clear the
 * interrupt status first; a power alarm there opens the line (the chip
 * protects itself; the line stays open until the core sets a feed).
 */
static void si_hook_check(struct si3215 *si, u64 ts, bool clear)
{
	bool report = false, level = false;
	u8 st = 0, hook, alarm = 0;
	int ret = 0;

	mutex_lock(&si->bus_lock);
	if (clear) {
		ret = si_read(si, SI3215_IRQ_STATUS2, &st);
		if (!ret && st)
			ret = si_write(si, SI3215_IRQ_STATUS2, st);
		if (!ret && (st & SI3215_IRQ2_PALARMS)) {
			alarm = st & SI3215_IRQ2_PALARMS;
			ret = si_write(si, SI3215_LINEFEED, SI3215_LF_OPEN);
			if (!ret) {
				si->linefeed = SI3215_LF_OPEN;
				si->ringing = false;
			}
		}
	}
	if (!ret)
		ret = si_read(si, SI3215_HOOK_STATUS, &hook);
	/* open, or just out of it: the chip cannot tell the loop yet */
	if (!ret && si->linefeed != SI3215_LF_OPEN &&
	    ktime_get_ns() >= si->settle_ns) {
		level = hook & (SI3215_HOOK_LCR | SI3215_HOOK_RTP);
		if (level != si->offhook) {
			si->offhook = level;
			report = true;
		}
	}
	mutex_unlock(&si->bus_lock);
	if (ret)
		dev_err_ratelimited(&si->spi->dev, "reading the hook status: %d\n", ret);
	if (alarm) {
		dev_warn_ratelimited(&si->spi->dev, "power alarm 0x%02x: line opened\n",
				     alarm);
		fxs_port_power_alarm(si->port, alarm, ts);
	}
	if (report)
		fxs_port_hook_edge(si->port, level, ts);
}

static void si_feed_work(struct work_struct *work)
{
	struct si3215 *si = container_of(to_delayed_work(work), struct si3215,
					 feed_work);
	u64 now = ktime_get_ns(), settle;

	mutex_lock(&si->bus_lock);
	settle = si->settle_ns;
	mutex_unlock(&si->bus_lock);
	/* early (a coarse tick): once more when the loop has settled */
	if (now < settle) {
		mod_delayed_work(system_wq, &si->feed_work,
				 nsecs_to_jiffies(settle - now) + 1);
		return;
	}
	si_hook_check(si, now, false);
}

static irqreturn_t si_irq_hard(int irq, void *data)
{
	struct si3215 *si = data;

	/* the edge's time, before the thread's latency */
	WRITE_ONCE(si->irq_ns, ktime_get_ns());
	return IRQ_WAKE_THREAD;
}

static irqreturn_t si_irq_thread(int irq, void *data)
{
	struct si3215 *si = data;

	si_hook_check(si, READ_ONCE(si->irq_ns), true);
	return IRQ_HANDLED;
}

static int si_poll_thread(void *data)
{
	struct si3215 *si = data;

	while (!kthread_should_stop()) {
		si_hook_check(si, ktime_get_ns(), false);
		usleep_range(SI_POLL_US, SI_POLL_US + SI_POLL_US / 4);
	}
	return 0;
}

/* ---- board ops ---- */

static struct si3215 *to_si(struct fxs_port *port)
{
	return ((struct si3215_port *)fxs_port_priv(port))->chip;
}

static const u8 si_lf_of_mode[] = {
	[FXS_LINEFEED_OPEN] = SI3215_LF_OPEN,
	[FXS_LINEFEED_FORWARD] = SI3215_LF_FWD_ACTIVE,
	[FXS_LINEFEED_REVERSE] = SI3215_LF_REV_ACTIVE,
	[FXS_LINEFEED_OHT] = SI3215_LF_FWD_OHT,
	[FXS_LINEFEED_OHT_REVERSE] = SI3215_LF_REV_OHT,
};

static int si_set_linefeed(struct fxs_port *port, u32 mode)
{
	struct si3215 *si = to_si(port);
	bool reopened = false;
	int ret = 0;

	if (mode >= ARRAY_SIZE(si_lf_of_mode))
		return -EINVAL;
	mutex_lock(&si->bus_lock);
	/* while ringing, the feed applies when the ring stops */
	if (!si->ringing)
		ret = si_write(si, SI3215_LINEFEED, si_lf_of_mode[mode]);
	if (!ret) {
		reopened = si->linefeed == SI3215_LF_OPEN &&
			   si_lf_of_mode[mode] != SI3215_LF_OPEN;
		si->linefeed = si_lf_of_mode[mode];
		if (reopened)
			si->settle_ns = ktime_get_ns() +
					SI_FEED_SETTLE_MS * NSEC_PER_MSEC;
	}
	mutex_unlock(&si->bus_lock);
	if (reopened)
		mod_delayed_work(system_wq, &si->feed_work,
				 msecs_to_jiffies(SI_FEED_SETTLE_MS) + 1);
	return ret;
}

static int si_set_ring(struct fxs_port *port, bool on, u64 ts_ns)
{
	struct si3215 *si = to_si(port);
	int ret;

	mutex_lock(&si->bus_lock);
	ret = si_write(si, SI3215_LINEFEED, on ? SI3215_LF_RINGING : si->linefeed);
	if (!ret)
		si->ringing = on;
	mutex_unlock(&si->bus_lock);
	return ret;
}

/* the chip's PCM on, then the port's slot on the highway */
static int si_pcm_start(struct fxs_port *port, unsigned int period_ms)
{
	struct si3215 *si = to_si(port);
	int ret;

	mutex_lock(&si->bus_lock);
	ret = si_write(si, SI3215_PCM_MODE, si->pcm_fmt | SI3215_PCM_EN);
	mutex_unlock(&si->bus_lock);
	if (!ret)
		ret = fxs_pcm_slot_start(si->pcm_slot, period_ms);
	return ret;
}

static void si_pcm_stop(struct fxs_port *port)
{
	struct si3215 *si = to_si(port);

	fxs_pcm_slot_stop(si->pcm_slot);
	mutex_lock(&si->bus_lock);
	si_write(si, SI3215_PCM_MODE, si->pcm_fmt);
	mutex_unlock(&si->bus_lock);
}

static const struct fxs_port_ops si_ops = {
	.set_linefeed = si_set_linefeed,
	.set_ring = si_set_ring,
	.pcm_start = si_pcm_start,
	.pcm_stop = si_pcm_stop,
};

static enum fxs_pcm_law si_law(u8 fmt)
{
	switch (fmt) {
	case SI3215_PCM_FMT_ULAW:
		return FXS_PCM_ULAW;
	case SI3215_PCM_FMT_LINEAR:
		return FXS_PCM_LINEAR;
	default:
		return FXS_PCM_ALAW;
	}
}

/* ---- driver ---- */

static void si_power_down(struct si3215 *si)
{
	si_write(si, SI3215_IRQ_ENABLE2, 0);
	si_write(si, SI3215_LINEFEED, SI3215_LF_OPEN);
	si_write(si, SI3215_PWRDOWN1, SI3215_PWRDOWN_DCDC);
}

static int si_probe(struct spi_device *spi)
{
	struct device *dev = &spi->dev;
	struct si3215_port *sp;
	struct si3215 *si;
	int ret;

	si = devm_kzalloc(dev, sizeof(*si), GFP_KERNEL);
	if (!si)
		return -ENOMEM;
	si->spi = spi;
	mutex_init(&si->bus_lock);
	INIT_DELAYED_WORK(&si->feed_work, si_feed_work);
	spi_set_drvdata(spi, si);

	ret = si_read_props(si);
	if (ret)
		return ret;
	si->reset = devm_gpiod_get_optional(dev, "reset", GPIOD_OUT_HIGH);
	if (IS_ERR(si->reset))
		return dev_err_probe(dev, PTR_ERR(si->reset), "reset-gpios\n");
	if (si->reset) {
		usleep_range(100, 200);
		gpiod_set_value_cansleep(si->reset, 0);
		usleep_range(1000, 2000);
	}

	ret = si_init_chip(si);
	if (ret) {
		/* a chip that answered is left powered down */
		if (ret != -ENODEV)
			si_power_down(si);
		return ret;
	}

	si->port = fxs_port_alloc(dev, &si_ops, "si3215",
				  FXS_CAP_PULSE | FXS_CAP_RING | FXS_CAP_REVERSE |
				  FXS_CAP_OHT | (si->pcm_bus ? FXS_CAP_PCM : 0),
				  sizeof(*sp));
	if (IS_ERR(si->port)) {
		ret = PTR_ERR(si->port);
		goto power_down;
	}
	sp = fxs_port_priv(si->port);
	sp->chip = si;
	if (si->pcm_bus) {
		si->pcm_slot = fxs_pcm_slot_get(si->pcm_bus, si->port,
						si->timeslot,
						si_law(si->pcm_fmt));
		if (IS_ERR(si->pcm_slot)) {
			ret = dev_err_probe(dev, PTR_ERR(si->pcm_slot),
					    "fxs,pcm-bus \"%s\" slot %u\n",
					    si->pcm_bus, si->timeslot);
			si->pcm_slot = NULL;
			goto put_port;
		}
	}

	if (spi->irq > 0) {
		ret = request_threaded_irq(spi->irq, si_irq_hard, si_irq_thread,
					   IRQF_ONESHOT, dev_name(dev), si);
		if (ret) {
			dev_err_probe(dev, ret, "requesting IRQ %d\n", spi->irq);
			goto put_port;
		}
		ret = si_write(si, SI3215_IRQ_ENABLE2,
			       SI3215_IRQ2_LCIP | SI3215_IRQ2_RTP |
			       SI3215_IRQ2_PALARMS);
		if (ret) {
			dev_err_probe(dev, ret, "enabling the hook interrupts\n");
			goto free_irq;
		}
	} else {
		si->poller = kthread_run(si_poll_thread, si, "si3215-%s",
					 dev_name(dev));
		if (IS_ERR(si->poller)) {
			ret = PTR_ERR(si->poller);
			si->poller = NULL;
			goto put_port;
		}
	}
	/* a phone already off hook */
	si_hook_check(si, ktime_get_ns(), spi->irq > 0);

	ret = fxs_port_register(si->port);
	if (ret) {
		dev_err_probe(dev, ret, "registering the port\n");
		goto free_irq;
	}
	dev_info(dev, "Si3215 on fxs%d, %s\n", fxs_port_index(si->port),
		 spi->irq > 0 ? "hook by IRQ" : "hook polled");
	return 0;

free_irq:
	if (si->poller)
		kthread_stop(si->poller);
	else
		free_irq(spi->irq, si);
put_port:
	cancel_delayed_work_sync(&si->feed_work);
	if (si->pcm_slot)
		fxs_pcm_slot_put(si->pcm_slot);
	fxs_port_put(si->port);
power_down:
	si_power_down(si);
	return ret;
}

static void si_remove(struct spi_device *spi)
{
	struct si3215 *si = spi_get_drvdata(spi);

	/* no more hook edges, then no more ops, then the line safe */
	if (si->poller)
		kthread_stop(si->poller);
	else
		free_irq(spi->irq, si);
	fxs_port_deregister(si->port);
	cancel_delayed_work_sync(&si->feed_work);
	if (si->pcm_slot)
		fxs_pcm_slot_put(si->pcm_slot);
	fxs_port_put(si->port);
	si_power_down(si);
}

static const struct of_device_id si_of_match[] = {
	{ .compatible = "silabs,si3215" },
	{ }
};
MODULE_DEVICE_TABLE(of, si_of_match);

static const struct spi_device_id si_spi_ids[] = {
	{ "si3215" },
	{ }
};
MODULE_DEVICE_TABLE(spi, si_spi_ids);

static struct spi_driver si_driver = {
	.driver = {
		.name = "fxs_si3215",
		.of_match_table = si_of_match,
	},
	.id_table = si_spi_ids,
	.probe = si_probe,
	.remove = si_remove,
};
module_spi_driver(si_driver);

MODULE_DESCRIPTION("Silicon Labs Si3215 ProSLIC FXS board");
MODULE_LICENSE("GPL");
