// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs_si3215_sim: a simulated Si3215 ProSLIC on a simulated SPI bus.
 *
 * The module registers an SPI controller whose one chip select answers as
 * an Si3215 at register level (driver/fxs_si3215.h), and declares the chip
 * on it ("si3215", with a software node carrying the board's properties
 * and an interrupt line from the simulator's own IRQ domain), so that the
 * real driver binds to it unchanged.
 *
 * The chip model: direct registers with their reset values, the indirect
 * registers behind the IDA/IAA/IAS handshake, the DC-DC converter whose
 * battery voltage ramps up once it is programmed and powered, the
 * calibration that completes only when it is started in the datasheet's
 * order (converter up, interrupts masked, line open), the line feed (asked
 * and actual state), loop closure and ring trip from the handset's hook
 * switch, interrupt status (write 1 to clear) and an active-low level
 * interrupt line.
 *
 * Strict mode (strict=1, the default): an access the datasheet does not
 * allow (a reserved register, a write to a read-only one, an indirect
 * access while IAS is busy, a calibration started out of order, an odd
 * byte count under one chip select) is refused, logged and counted in
 * sysfs "violations"; the test run fails when that is not 0.
 *
 * Test control plane, /sys/devices/platform/fxs_si3215_sim/: offhook
 * (the handset's hook switch), fault (none, absent, wrong-id, no-cal,
 * eio: a chip that is not there, another part, a calibration that never
 * ends, a bus that fails; power-alarm, written there: Q1 overheats once,
 * its power alarm interrupt status bit is set), violations, spi_transfers, regs and iregs (the
 * direct and indirect registers, hex).
 *
 * With handset=N a simulated handset (driver/fxs_handset.h, the loopback
 * board's) is on the line, with its node /dev/fxs_hsN: its hook switch is
 * the chip's loop closure, and it observes the line feed and the ringing
 * state (RING_ON carries the frequency the ring oscillator is programmed
 * for) when the chip enters them.
 *
 * The PCM highway: the module also registers the TDM bus the chip's PCM
 * pins are on (struct fxs_pcm_bus "fxs_si3215_sim", 128 byte slots, an
 * 8.192 MHz PCLK) and names it in the chip's "fxs,pcm-bus" property.  Its
 * clock is an hrtimer running 10 ms blocks while a slot is started.  Each
 * block the chip, when PCM_MODE has PCM_EN, takes its receive samples at
 * RXS (PCLK counts, whole bytes) in PCM_MODE's format, plays them to the
 * handset's earpiece and puts what the line carries back (the
 * mouthpiece and the hybrid's echo, fxs_hs_audio()) at TXS; without
 * PCM_EN or without a handset it drives nothing (zero bytes).
 */

#include <linux/bitops.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/irq.h>
#include <linux/irq_work.h>
#include <linux/irqdomain.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/spi/spi.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include <linux/fxs.h>

#include "fxs_board.h"
#include "fxs_handset.h"
#include "fxs_si3215.h"

#define SIM_REV			0x5	/* revision E */
#define SIM_VBAT_RAMP_NS	(50 * NSEC_PER_MSEC)
#define SIM_DCCAL_NS		(10 * NSEC_PER_MSEC)
#define SIM_CAL_NS		(20 * NSEC_PER_MSEC)
#define SIM_SPI_HZ		4000000
#define SIM_PCM_SLOTS		128	/* 8.192 MHz PCLK */
#define SIM_PCM_BLOCK		80	/* frames a block: 10 ms */
#define SIM_PCM_CATCHUP		50	/* blocks made up in one timer run */

static bool strict = true;
module_param(strict, bool, 0444);
MODULE_PARM_DESC(strict, "refuse, log and count accesses the datasheet forbids (default Y)");

static bool irq = true;
module_param(irq, bool, 0444);
MODULE_PARM_DESC(irq, "wire the chip's INT line (default Y; N: the driver polls)");

static char *fault = "none";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "fault at load: none, absent, wrong-id, no-cal, eio");

static int handset = -1;
module_param(handset, int, 0444);
MODULE_PARM_DESC(handset, "N: a handset on the line, node /dev/fxs_hsN (the N of the chip's port /dev/fxsN); -1: none, the sysfs offhook only (default)");

enum sim_fault {
	SIM_FAULT_NONE,
	SIM_FAULT_ABSENT,
	SIM_FAULT_WRONG_ID,
	SIM_FAULT_NO_CAL,
	SIM_FAULT_EIO,
	SIM_FAULT_POWER_ALARM,
};

static const char * const sim_fault_names[] = {
	[SIM_FAULT_NONE] = "none",
	[SIM_FAULT_ABSENT] = "absent",
	[SIM_FAULT_WRONG_ID] = "wrong-id",
	[SIM_FAULT_NO_CAL] = "no-cal",
	[SIM_FAULT_EIO] = "eio",
	[SIM_FAULT_POWER_ALARM] = "power-alarm",
};

/* the power alarm an injected "power-alarm" raises: transistor Q1 */
#define SIM_PALARM_Q1		BIT(2)

/* register access classes */
enum {
	SIM_RSVD = 0,	/* reserved: any access is a violation */
	SIM_RW,
	SIM_RO,
	SIM_W1C,	/* interrupt status: write 1 to clear */
};

/* reset values and access classes of the implemented direct registers */
static const struct {
	u8 reset;
	u8 access;
} sim_regs[SI3215_NREGS] = {
	[SI3215_ID] = { SI3215_ID_PART | SIM_REV, SIM_RO },
	[SI3215_PCM_MODE] = { 0x88, SIM_RW },
	[SI3215_PCM_TXS_LO] = { 0, SIM_RW },
	[SI3215_PCM_TXS_HI] = { 0, SIM_RW },
	[SI3215_PCM_RXS_LO] = { 0, SIM_RW },
	[SI3215_PCM_RXS_HI] = { 0, SIM_RW },
	[SI3215_LOOPBACK] = { 0x02, SIM_RW },
	[SI3215_AUDIO_GAIN] = { 0, SIM_RW },
	[SI3215_IMPEDANCE] = { 0x08, SIM_RW },
	[SI3215_HYBRID] = { 0x33, SIM_RW },
	[SI3215_PWRDOWN1] = { SI3215_PWRDOWN_DCDC, SIM_RW },
	[SI3215_PWRDOWN2] = { 0, SIM_RW },
	[SI3215_IRQ_STATUS1] = { 0, SIM_W1C },
	[SI3215_IRQ_STATUS2] = { 0, SIM_W1C },
	[SI3215_IRQ_STATUS3] = { 0, SIM_W1C },
	[SI3215_IRQ_ENABLE1] = { 0, SIM_RW },
	[SI3215_IRQ_ENABLE2] = { 0, SIM_RW },
	[SI3215_IRQ_ENABLE3] = { 0, SIM_RW },
	[SI3215_IDA_LO] = { 0, SIM_RW },
	[SI3215_IDA_HI] = { 0, SIM_RW },
	[SI3215_IAA] = { 0, SIM_RW },
	[SI3215_IAS] = { 0, SIM_RO },
	[SI3215_RING_OSC_CTL] = { 0, SIM_RW },
	[SI3215_RING_ON_LO] = { 0, SIM_RW },
	[SI3215_RING_ON_HI] = { 0, SIM_RW },
	[SI3215_RING_OFF_LO] = { 0, SIM_RW },
	[SI3215_RING_OFF_HI] = { 0, SIM_RW },
	[SI3215_LINEFEED] = { 0, SIM_RW },
	[SI3215_BJT] = { 0x61, SIM_RW },
	[SI3215_BAT_FEED] = { 0x03, SIM_RW },
	[SI3215_AUTO] = { 0x1f, SIM_RW },
	[SI3215_HOOK_STATUS] = { 0, SIM_RO },
	[SI3215_LCR_DEBOUNCE] = { 0x0a, SIM_RW },
	[SI3215_RTP_DEBOUNCE] = { 0x0a, SIM_RW },
	[SI3215_LOOP_ILIM] = { 0, SIM_RW },
	[SI3215_ONHOOK_V] = { 0x20, SIM_RW },
	[SI3215_COMMON_V] = { 0x02, SIM_RW },
	[SI3215_VBATH] = { 0x32, SIM_RW },
	[SI3215_VBATL] = { 0x10, SIM_RW },
	[SI3215_VBAT_SENSE] = { 0, SIM_RO },
	[SI3215_DCDC_PERIOD] = { 0xff, SIM_RW },
	[SI3215_DCDC_DELAY] = { 0x14, SIM_RW },
	[SI3215_DCDC_WIDTH] = { 0, SIM_RO },
	[SI3215_CAL1] = { 0x1f, SIM_RW },
	[SI3215_CAL2] = { 0x1f, SIM_RW },
	[98] = { 0x10, SIM_RW }, [99] = { 0x10, SIM_RW },
	[100] = { 0x11, SIM_RW }, [101] = { 0x11, SIM_RW },
	[102] = { 0x08, SIM_RW }, [103] = { 0x88, SIM_RW },
	[104] = { 0, SIM_RW }, [105] = { 0, SIM_RW },
	[106] = { 0x20, SIM_RW }, [107] = { 0x08, SIM_RW },
	[SI3215_ENHANCE] = { 0, SIM_RW },
};

/**
 * struct si_sim - the simulated board: bus, chip and line
 * @dev: the platform device
 * @ctlr: the SPI controller
 * @spi: the chip on chip select 0
 * @swnode: the chip's software node (its properties)
 * @domain: the IRQ domain of the chip's INT line
 * @irq: the INT line's Linux IRQ
 * @irq_work: raises the INT line in hard-IRQ context
 * @hs: the handset on the line, or NULL
 * @hs_line: the line feed the handset was last told (SPI message
 *	context only: messages on one controller come one at a time)
 * @hs_ring: the ringing state it was last told, likewise
 * @hs_pcm: whether it was last told the audio runs (PCM_EN), likewise
 * @bus: the TDM bus the chip's PCM pins are on
 * @pcm_timer: the bus's frame clock
 * @hw_tx: a block as the controller sends it (the chip's DRX)
 * @hw_rx: a block as it receives it (the chip's DTX)
 * @ear: the chip's receive samples, linear; @pcm_timer's context only
 * @mouth: its transmit samples, likewise
 * @lock: protects everything below; taken from the SPI transfer, the
 *	control plane and the IRQ chip
 * @fault: the injected fault
 * @regs: direct registers as stored
 * @iregs: indirect registers
 * @ida_armed: IDA_HI written since the last IAA: the next IAA is a write
 * @ias_busy: an indirect access is in progress (until IAS is read)
 * @power_ns: when the DC-DC converter was powered up, 0 while it is down
 * @dccal_ns: when the DC-DC calibration started, 0 for none
 * @cal_ns: when the calibration started, 0 for none
 * @cal_ok: the calibration was started in order and will end
 * @calibrated: a calibration ended
 * @offhook: the handset's hook switch
 * @irq_masked: the INT line's IRQ is masked
 * @violations: accesses strict mode refused
 * @transfers: SPI messages handled
 */
struct si_sim {
	struct device *dev;
	struct spi_controller *ctlr;
	struct spi_device *spi;
	const struct software_node *swnode;
	struct irq_domain *domain;
	unsigned int irq;
	struct irq_work irq_work;
	struct fxs_hs *hs;
	u32 hs_line;
	bool hs_ring;
	bool hs_pcm;
	struct fxs_pcm_bus bus;
	struct hrtimer pcm_timer;
	u8 hw_tx[SIM_PCM_BLOCK * SIM_PCM_SLOTS];
	u8 hw_rx[SIM_PCM_BLOCK * SIM_PCM_SLOTS];
	s16 ear[SIM_PCM_BLOCK], mouth[SIM_PCM_BLOCK];

	raw_spinlock_t lock;	/* see @lock above */
	enum sim_fault fault;
	u8 regs[SI3215_NREGS];
	u16 iregs[SI3215_NIREGS];
	bool ida_armed;
	bool ias_busy;
	u64 power_ns;
	u64 dccal_ns;
	u64 cal_ns;
	bool cal_ok;
	bool calibrated;
	bool offhook;
	bool irq_masked;
	u64 violations;
	u64 transfers;
};

static void sim_violation(struct si_sim *sim, const char *what, u8 reg)
{
	lockdep_assert_held(&sim->lock);
	sim->violations++;
	dev_err_ratelimited(sim->dev, "strict: %s (register %u)\n", what, reg);
}

/* The INT line is low (asserted) while an enabled status bit is set. */
static bool sim_irq_asserted(struct si_sim *sim)
{
	lockdep_assert_held(&sim->lock);
	return (sim->regs[SI3215_IRQ_STATUS1] & sim->regs[SI3215_IRQ_ENABLE1]) ||
	       (sim->regs[SI3215_IRQ_STATUS2] & sim->regs[SI3215_IRQ_ENABLE2]) ||
	       (sim->regs[SI3215_IRQ_STATUS3] & sim->regs[SI3215_IRQ_ENABLE3]);
}

static void sim_irq_update(struct si_sim *sim)
{
	lockdep_assert_held(&sim->lock);
	if (!sim->irq_masked && sim_irq_asserted(sim))
		irq_work_queue(&sim->irq_work);
}

static void sim_irq_work_fn(struct irq_work *work)
{
	struct si_sim *sim = container_of(work, struct si_sim, irq_work);

	generic_handle_domain_irq(sim->domain, 0);
}

static void sim_irq_mask(struct irq_data *d)
{
	struct si_sim *sim = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->irq_masked = true;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

/* A level interrupt: unmasked while still asserted, it comes again. */
static void sim_irq_unmask(struct irq_data *d)
{
	struct si_sim *sim = irq_data_get_irq_chip_data(d);
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->irq_masked = false;
	sim_irq_update(sim);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

static struct irq_chip sim_irq_chip = {
	.name = "si3215-sim",
	.irq_mask = sim_irq_mask,
	.irq_unmask = sim_irq_unmask,
};

static int sim_irq_map(struct irq_domain *d, unsigned int virq,
		       irq_hw_number_t hw)
{
	irq_set_chip_data(virq, d->host_data);
	irq_set_chip_and_handler(virq, &sim_irq_chip, handle_level_irq);
	return 0;
}

static const struct irq_domain_ops sim_irq_ops = {
	.map = sim_irq_map,
	.xlate = irq_domain_xlate_onecell,
};

/* ---- the chip ---- */

static u8 sim_lfs(struct si_sim *sim)
{
	lockdep_assert_held(&sim->lock);
	/* no battery, no feed */
	if (!sim->power_ns)
		return SI3215_LF_OPEN;
	return sim->regs[SI3215_LINEFEED] & SI3215_LF_MASK;
}

/* Loop closure and ring trip as the line is now; raise their interrupts. */
static void sim_hook_update(struct si_sim *sim)
{
	u8 lfs = sim_lfs(sim);
	u8 old = sim->regs[SI3215_HOOK_STATUS], st = 0;

	lockdep_assert_held(&sim->lock);
	if (sim->offhook && lfs != SI3215_LF_OPEN) {
		if (lfs == SI3215_LF_RINGING)
			st |= SI3215_HOOK_RTP;
		else
			st |= SI3215_HOOK_LCR;
	}
	sim->regs[SI3215_HOOK_STATUS] = st;
	if ((old ^ st) & SI3215_HOOK_LCR)
		sim->regs[SI3215_IRQ_STATUS2] |= SI3215_IRQ2_LCIP;
	if ((old ^ st) & st & SI3215_HOOK_RTP)
		sim->regs[SI3215_IRQ_STATUS2] |= SI3215_IRQ2_RTP;
	sim_irq_update(sim);
}

/* Time-driven state: battery ramp, DC-DC calibration, calibration. */
static void sim_advance(struct si_sim *sim, u64 now)
{
	lockdep_assert_held(&sim->lock);
	if (sim->power_ns) {
		u32 target = (u32)sim->regs[SI3215_VBATH] * SI3215_V_STEP_MV /
			     SI3215_VSENSE_MV;
		u64 t = now - sim->power_ns;

		if (t >= SIM_VBAT_RAMP_NS)
			sim->regs[SI3215_VBAT_SENSE] = min_t(u32, target, 0xff);
		else
			sim->regs[SI3215_VBAT_SENSE] =
				min_t(u32, target * t / SIM_VBAT_RAMP_NS, 0xff);
	} else {
		sim->regs[SI3215_VBAT_SENSE] = 0;
	}
	if (sim->dccal_ns && now - sim->dccal_ns >= SIM_DCCAL_NS) {
		sim->regs[SI3215_DCDC_DELAY] &= ~SI3215_DCDC_CAL;
		sim->dccal_ns = 0;
	}
	if (sim->cal_ns && sim->cal_ok && sim->fault != SIM_FAULT_NO_CAL &&
	    now - sim->cal_ns >= SIM_CAL_NS) {
		sim->regs[SI3215_CAL1] = 0;
		sim->cal_ns = 0;
		sim->calibrated = true;
	}
}

/* The battery is up once within 10 % of VBATH (the ramp is linear). */
static bool sim_battery_up(struct si_sim *sim, u64 now)
{
	return sim->power_ns &&
	       (now - sim->power_ns) * 10 >= SIM_VBAT_RAMP_NS * 9;
}

/* CAL_START written: it ends only when started in the datasheet's order. */
static void sim_cal_start(struct si_sim *sim, u64 now)
{
	const char *why = NULL;

	lockdep_assert_held(&sim->lock);
	if (!sim_battery_up(sim, now))
		why = "calibration started before the DC-DC converter is up";
	else if (sim->regs[SI3215_IRQ_ENABLE1] || sim->regs[SI3215_IRQ_ENABLE2] ||
		 sim->regs[SI3215_IRQ_ENABLE3])
		why = "calibration started with interrupts enabled";
	else if ((sim->regs[SI3215_LINEFEED] & SI3215_LF_MASK) != SI3215_LF_OPEN)
		why = "calibration started with the line not open";
	sim->cal_ns = now;
	sim->cal_ok = !why;
	if (why)
		sim_violation(sim, why, SI3215_CAL1);
}

static void sim_write_indirect(struct si_sim *sim, u8 addr)
{
	lockdep_assert_held(&sim->lock);
	if (sim->ias_busy) {
		sim_violation(sim, "IAA written while an indirect access is pending",
			      SI3215_IAA);
		if (strict)
			return;
	}
	if (addr >= SI3215_NIREGS) {
		sim_violation(sim, "reserved indirect register", addr);
		if (strict)
			return;
	} else if (sim->ida_armed) {
		sim->iregs[addr] = sim->regs[SI3215_IDA_LO] |
				   sim->regs[SI3215_IDA_HI] << 8;
	} else {
		sim->regs[SI3215_IDA_LO] = sim->iregs[addr] & 0xff;
		sim->regs[SI3215_IDA_HI] = sim->iregs[addr] >> 8;
	}
	sim->ida_armed = false;
	sim->ias_busy = true;
}

static void sim_write(struct si_sim *sim, u8 reg, u8 val, u64 now)
{
	u8 access = sim_regs[reg].access;

	lockdep_assert_held(&sim->lock);
	if (access == SIM_RSVD || access == SIM_RO) {
		sim_violation(sim, access == SIM_RO ? "write to a read-only register" :
			      "write to a reserved register", reg);
		if (strict)
			return;
	}
	if (access == SIM_W1C) {
		sim->regs[reg] &= ~val;
		sim_irq_update(sim);
		return;
	}
	switch (reg) {
	case SI3215_IDA_LO:
	case SI3215_IDA_HI:
		if (sim->ias_busy) {
			sim_violation(sim, "IDA written while an indirect access is pending",
				      reg);
			if (strict)
				return;
		}
		if (reg == SI3215_IDA_HI)
			sim->ida_armed = true;
		sim->regs[reg] = val;
		return;
	case SI3215_IAA:
		sim->regs[reg] = val;
		sim_write_indirect(sim, val);
		return;
	case SI3215_PWRDOWN1:
		if (!(val & SI3215_PWRDOWN_DCDC) && !sim->power_ns) {
			if (sim->regs[SI3215_DCDC_PERIOD] ==
			    sim_regs[SI3215_DCDC_PERIOD].reset)
				sim_violation(sim, "DC-DC powered up before its period was set",
					      reg);
			sim->power_ns = now;
		} else if (val & SI3215_PWRDOWN_DCDC) {
			sim->power_ns = 0;
		}
		break;
	case SI3215_DCDC_DELAY:
		if (val & SI3215_DCDC_CAL)
			sim->dccal_ns = now;
		break;
	case SI3215_CAL1:
		sim->regs[reg] = val;
		if (val & SI3215_CAL_START)
			sim_cal_start(sim, now);
		return;
	case SI3215_LINEFEED:
		if ((val & SI3215_LF_MASK) == SI3215_LF_RINGING && !sim->calibrated) {
			sim_violation(sim, "ringing before calibration", reg);
			if (strict)
				return;
		}
		sim->regs[reg] = val & SI3215_LF_MASK;
		sim_hook_update(sim);
		return;
	}
	sim->regs[reg] = val;
}

static u8 sim_read(struct si_sim *sim, u8 reg)
{
	lockdep_assert_held(&sim->lock);
	switch (sim->fault) {
	case SIM_FAULT_ABSENT:
		return 0xff;	/* nothing drives MISO: the pull-up */
	case SIM_FAULT_WRONG_ID:
		if (reg == SI3215_ID)
			return 0x05;	/* an Si3210 */
		break;
	default:
		break;
	}
	if (sim_regs[reg].access == SIM_RSVD) {
		sim_violation(sim, "read of a reserved register", reg);
		return 0;
	}
	switch (reg) {
	case SI3215_IAS: {
		u8 v = sim->ias_busy ? SI3215_IAS_BUSY : 0;

		/* the access completes while the host polls */
		sim->ias_busy = false;
		return v;
	}
	case SI3215_IDA_LO:
	case SI3215_IDA_HI:
		if (sim->ias_busy)
			sim_violation(sim, "IDA read while an indirect access is pending",
				      reg);
		break;
	case SI3215_LINEFEED:
		return sim->regs[reg] | sim_lfs(sim) << SI3215_LFS_SHIFT;
	}
	return sim->regs[reg];
}

/* ---- the handset's view of the line ---- */

/* cos(@x) in Q30 for @x in Q30 radians below 1 (a Taylor series to x^8) */
static s64 sim_cos_q30(u64 x)
{
	u64 x2 = (x * x) >> 30;
	u64 x4 = (x2 * x2) >> 30;
	u64 x6 = (x4 * x2) >> 30;
	u64 x8 = (x4 * x4) >> 30;

	return (1LL << 30) - (s64)(x2 / 2) + (s64)(x4 / 24) - (s64)(x6 / 720) +
	       (s64)(x8 / 40320);
}

/*
 * The frequency the ring oscillator makes, in mHz: it runs at 1 kHz with
 * coefficient @coef = cos(2 pi f / 1000) in Q15, so f is found by
 * bisection (0-150 Hz, where the cosine falls).
 */
static u32 sim_ring_mhz(u16 coef)
{
	const u64 two_pi_q30 = 6746518852ULL;	/* 2 pi * 2^30 */
	s64 want = (s64)coef << 15;
	u32 lo = 0, hi = 150000;

	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (sim_cos_q30(div_u64(two_pi_q30 * mid, 1000000)) > want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* the line feed (enum fxs_linefeed) a line state shows the handset */
static u32 sim_hs_linefeed(u8 lfs, u32 old)
{
	switch (lfs) {
	case SI3215_LF_FWD_ACTIVE:
		return FXS_LINEFEED_FORWARD;
	case SI3215_LF_FWD_OHT:
		return FXS_LINEFEED_OHT;
	case SI3215_LF_REV_ACTIVE:
		return FXS_LINEFEED_REVERSE;
	case SI3215_LF_REV_OHT:
		return FXS_LINEFEED_OHT_REVERSE;
	case SI3215_LF_RINGING:
		return old;	/* the ring rides on the feed it left */
	default:
		return FXS_LINEFEED_OPEN;
	}
}

/*
 * Tell the handset what the line does after an SPI message (@lfs, the
 * ring oscillator's @coef as they were at @now); no lock held.
 */
static void sim_hs_update(struct si_sim *sim, u8 lfs, u16 coef, bool pcm,
			  u64 now)
{
	bool ring = lfs == SI3215_LF_RINGING;
	u32 line = sim_hs_linefeed(lfs, sim->hs_line);

	if (!sim->hs)
		return;
	if (pcm != sim->hs_pcm) {
		sim->hs_pcm = pcm;
		fxs_hs_set_pcm(sim->hs, pcm);
	}
	if (line != sim->hs_line) {
		sim->hs_line = line;
		fxs_hs_set_linefeed(sim->hs, line, now);
	}
	if (ring != sim->hs_ring) {
		sim->hs_ring = ring;
		fxs_hs_set_ring(sim->hs, ring, ring ? sim_ring_mhz(coef) : 0, now);
	}
}

/* The handset's hook switch moved: loop current, loop closure status. */
static void sim_hs_hook(void *ctx, bool offhook, u64 ts_ns)
{
	struct si_sim *sim = ctx;
	unsigned long flags;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->offhook = offhook;
	sim_hook_update(sim);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
}

static const struct fxs_hs_ops sim_hs_ops = {
	.hook = sim_hs_hook,
};

/* ---- the PCM highway ---- */

/*
 * One block through the chip: its receive samples from @sim->hw_tx at
 * RXS, its transmit samples to @sim->hw_rx at TXS.
 */
static void sim_pcm_chip(struct si_sim *sim)
{
	enum fxs_pcm_law law;
	unsigned int rxs, txs, width, i;
	unsigned long flags;
	u8 mode;

	raw_spin_lock_irqsave(&sim->lock, flags);
	mode = sim->regs[SI3215_PCM_MODE];
	rxs = (sim->regs[SI3215_PCM_RXS_HI] << 8 | sim->regs[SI3215_PCM_RXS_LO]) / 8;
	txs = (sim->regs[SI3215_PCM_TXS_HI] << 8 | sim->regs[SI3215_PCM_TXS_LO]) / 8;
	raw_spin_unlock_irqrestore(&sim->lock, flags);

	memset(sim->hw_rx, 0, sizeof(sim->hw_rx));
	if (!(mode & SI3215_PCM_EN) || !sim->hs)
		return;
	switch (mode & SI3215_PCM_FMT_MASK) {
	case SI3215_PCM_FMT_ULAW:
		law = FXS_PCM_ULAW;
		break;
	case SI3215_PCM_FMT_LINEAR:
		law = FXS_PCM_LINEAR;
		break;
	default:
		law = FXS_PCM_ALAW;
		break;
	}
	width = law == FXS_PCM_LINEAR ? 2 : 1;
	if (rxs + width > SIM_PCM_SLOTS || txs + width > SIM_PCM_SLOTS)
		return;	/* past the frame: the chip drives nothing */
	for (i = 0; i < SIM_PCM_BLOCK; i++)
		sim->ear[i] = fxs_pcm_decode(law, sim->hw_tx + i * SIM_PCM_SLOTS,
					     rxs);
	fxs_hs_audio(sim->hs, sim->ear, sim->mouth, SIM_PCM_BLOCK);
	for (i = 0; i < SIM_PCM_BLOCK; i++)
		fxs_pcm_encode(law, sim->mouth[i], sim->hw_rx + i * SIM_PCM_SLOTS,
			       txs);
}

static enum hrtimer_restart sim_pcm_timer_fn(struct hrtimer *timer)
{
	struct si_sim *sim = container_of(timer, struct si_sim, pcm_timer);
	u64 blocks, b;

	blocks = hrtimer_forward(timer, hrtimer_cb_get_time(timer),
				 ms_to_ktime(SIM_PCM_BLOCK / 8));
	blocks = min_t(u64, blocks, SIM_PCM_CATCHUP);
	for (b = 0; b < blocks; b++) {
		/* the block received is the one sent, frame for frame */
		memset(sim->hw_tx, 0, sizeof(sim->hw_tx));
		fxs_pcm_bus_tx(&sim->bus, sim->hw_tx, SIM_PCM_BLOCK);
		sim_pcm_chip(sim);
		fxs_pcm_bus_rx(&sim->bus, sim->hw_rx, SIM_PCM_BLOCK);
	}
	return HRTIMER_RESTART;
}

static int sim_pcm_start(struct fxs_pcm_bus *bus)
{
	struct si_sim *sim = container_of(bus, struct si_sim, bus);

	hrtimer_start(&sim->pcm_timer, ms_to_ktime(SIM_PCM_BLOCK / 8),
		      HRTIMER_MODE_REL);
	return 0;
}

static void sim_pcm_stop(struct fxs_pcm_bus *bus)
{
	struct si_sim *sim = container_of(bus, struct si_sim, bus);

	hrtimer_cancel(&sim->pcm_timer);
}

static const struct fxs_pcm_bus_ops sim_pcm_ops = {
	.start = sim_pcm_start,
	.stop = sim_pcm_stop,
};

static void sim_remove_pcm(void *data)
{
	struct si_sim *sim = data;

	fxs_pcm_bus_unregister(&sim->bus);
}

/* ---- the SPI controller ---- */

/*
 * One message is one chip select: a stream of (control, data) byte pairs
 * across its transfers.
 */
static int sim_transfer_one_message(struct spi_controller *ctlr,
				    struct spi_message *msg)
{
	struct si_sim *sim = spi_controller_get_devdata(ctlr);
	struct spi_transfer *t;
	unsigned int pos = 0, len = 0;
	unsigned long flags;
	u8 cmd = 0, lfs;
	bool pcm;
	u16 coef;
	int ret = 0;
	u64 now;

	now = ktime_get_ns();
	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->transfers++;
	if (sim->fault == SIM_FAULT_EIO) {
		ret = -EIO;
		goto out;
	}
	sim_advance(sim, now);
	list_for_each_entry(t, &msg->transfers, transfer_list) {
		const u8 *tx = t->tx_buf;
		u8 *rx = t->rx_buf;
		unsigned int i;

		for (i = 0; i < t->len; i++, pos++) {
			u8 out = 0xff, in = tx ? tx[i] : 0;

			if (pos % 2 == 0)
				cmd = in;
			else if (cmd & SI3215_READ)
				out = sim_read(sim, cmd & SI3215_ADDR_MASK);
			else if (sim->fault != SIM_FAULT_ABSENT)
				sim_write(sim, cmd & SI3215_ADDR_MASK, in, now);
			if (rx)
				rx[i] = out;
		}
		len += t->len;
	}
	if (len % 2)
		sim_violation(sim, "chip select released in the middle of an access",
			      cmd & SI3215_ADDR_MASK);
	msg->actual_length = len;
out:
	lfs = sim_lfs(sim);
	coef = sim->iregs[SI3215_IR_RING_OSC];
	pcm = sim->regs[SI3215_PCM_MODE] & SI3215_PCM_EN;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	sim_hs_update(sim, lfs, coef, pcm, now);
	/* a failed transfer is the message's status, as on a real bus */
	msg->status = ret;
	spi_finalize_current_message(ctlr);
	return 0;
}

static void sim_reset(struct si_sim *sim)
{
	unsigned int i;

	lockdep_assert_held(&sim->lock);
	for (i = 0; i < SI3215_NREGS; i++)
		sim->regs[i] = sim_regs[i].reset;
	memset(sim->iregs, 0, sizeof(sim->iregs));
	sim->ida_armed = false;
	sim->ias_busy = false;
	sim->power_ns = 0;
	sim->dccal_ns = 0;
	sim->cal_ns = 0;
	sim->cal_ok = false;
	sim->calibrated = false;
	sim_hook_update(sim);
}

/* ---- test control plane ---- */

static ssize_t offhook_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct si_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%d\n", READ_ONCE(sim->offhook));
}

static ssize_t offhook_store(struct device *dev, struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct si_sim *sim = dev_get_drvdata(dev);
	unsigned long flags;
	bool v;
	int ret;

	ret = kstrtobool(buf, &v);
	if (ret)
		return ret;
	/* with a handset on the line, its hook switch */
	if (sim->hs) {
		ret = fxs_hs_set_hook(sim->hs, v);
		return ret ? ret : count;
	}
	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->offhook = v;
	sim_hook_update(sim);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return count;
}
static DEVICE_ATTR_RW(offhook);

static ssize_t fault_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct si_sim *sim = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%s\n", sim_fault_names[READ_ONCE(sim->fault)]);
}

/*
 * A new fault applies from the next access: a re-probe sees it.
 * "power-alarm" happens once, now.
 */
static ssize_t fault_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct si_sim *sim = dev_get_drvdata(dev);
	unsigned long flags;
	int f;

	f = sysfs_match_string(sim_fault_names, buf);
	if (f < 0)
		return f;
	raw_spin_lock_irqsave(&sim->lock, flags);
	sim->fault = f;
	if (f == SIM_FAULT_POWER_ALARM) {
		sim->regs[SI3215_IRQ_STATUS2] |= SIM_PALARM_Q1;
		sim_irq_update(sim);
	}
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return count;
}
static DEVICE_ATTR_RW(fault);

static ssize_t violations_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct si_sim *sim = dev_get_drvdata(dev);
	unsigned long flags;
	u64 v;

	raw_spin_lock_irqsave(&sim->lock, flags);
	v = sim->violations;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(violations);

static ssize_t spi_transfers_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct si_sim *sim = dev_get_drvdata(dev);
	unsigned long flags;
	u64 v;

	raw_spin_lock_irqsave(&sim->lock, flags);
	v = sim->transfers;
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	return sysfs_emit(buf, "%llu\n", v);
}
static DEVICE_ATTR_RO(spi_transfers);

/* the direct registers as the chip holds them, hex, 16 a line */
static ssize_t regs_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct si_sim *sim = dev_get_drvdata(dev);
	u8 regs[SI3215_NREGS];
	unsigned long flags;
	int i, len = 0;

	raw_spin_lock_irqsave(&sim->lock, flags);
	sim_advance(sim, ktime_get_ns());
	memcpy(regs, sim->regs, sizeof(regs));
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	for (i = 0; i < SI3215_NREGS; i++)
		len += sysfs_emit_at(buf, len, "%02x%c", regs[i],
				     i % 16 == 15 ? '\n' : ' ');
	return len;
}
static DEVICE_ATTR_RO(regs);

/* the indirect registers, hex, 8 a line */
static ssize_t iregs_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct si_sim *sim = dev_get_drvdata(dev);
	u16 iregs[SI3215_NIREGS];
	unsigned long flags;
	int i, len = 0;

	raw_spin_lock_irqsave(&sim->lock, flags);
	memcpy(iregs, sim->iregs, sizeof(iregs));
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	for (i = 0; i < SI3215_NIREGS; i++)
		len += sysfs_emit_at(buf, len, "%04x%c", iregs[i],
				     i % 8 == 7 || i == SI3215_NIREGS - 1 ? '\n' : ' ');
	return len;
}
static DEVICE_ATTR_RO(iregs);

static struct attribute *sim_attrs[] = {
	&dev_attr_regs.attr,
	&dev_attr_iregs.attr,
	&dev_attr_offhook.attr,
	&dev_attr_fault.attr,
	&dev_attr_violations.attr,
	&dev_attr_spi_transfers.attr,
	NULL,
};
ATTRIBUTE_GROUPS(sim);

/* ---- the board ---- */

/* What a board's device tree would say about its one Si3215. */
static const struct property_entry sim_chip_props[] = {
	PROPERTY_ENTRY_U32("silabs,ring-frequency-hz", 20),
	PROPERTY_ENTRY_U32("silabs,ring-amplitude-microvolt", 63000000),
	PROPERTY_ENTRY_U32("silabs,loop-current-microamp", 23000),
	PROPERTY_ENTRY_U32("silabs,onhook-microvolt", 48000000),
	PROPERTY_ENTRY_U32("silabs,impedance-ohms", 600),
	PROPERTY_ENTRY_STRING("silabs,pcm-format", "linear"),
	PROPERTY_ENTRY_U32("silabs,pcm-timeslot", 0),
	PROPERTY_ENTRY_STRING("fxs,pcm-bus", "fxs_si3215_sim"),
	{ }
};

static const struct software_node sim_chip_node = {
	.name = "si3215-sim",
	.properties = sim_chip_props,
};

static void sim_remove_domain(void *data)
{
	struct si_sim *sim = data;

	irq_work_sync(&sim->irq_work);
	if (sim->irq)
		irq_dispose_mapping(sim->irq);
	irq_domain_remove(sim->domain);
}

static void sim_remove_handset(void *data)
{
	struct si_sim *sim = data;

	fxs_hs_destroy(sim->hs);
}

static int sim_probe(struct platform_device *pdev)
{
	struct spi_board_info info = {
		.modalias = "si3215",
		.max_speed_hz = SIM_SPI_HZ,
		.chip_select = 0,
		.mode = SPI_MODE_3,
		.swnode = &sim_chip_node,
	};
	struct spi_controller *ctlr;
	struct si_sim *sim;
	unsigned long flags;
	int ret;

	ret = match_string(sim_fault_names, ARRAY_SIZE(sim_fault_names), fault);
	if (ret < 0 || ret == SIM_FAULT_POWER_ALARM) {
		dev_err(&pdev->dev, "fault=%s: want none, absent, wrong-id, no-cal or eio\n",
			fault);
		return ret;
	}
	ctlr = devm_spi_alloc_host(&pdev->dev, sizeof(*sim));
	if (!ctlr)
		return -ENOMEM;
	sim = spi_controller_get_devdata(ctlr);
	sim->dev = &pdev->dev;
	sim->ctlr = ctlr;
	sim->fault = ret;
	sim->irq_masked = true;
	raw_spin_lock_init(&sim->lock);
	init_irq_work(&sim->irq_work, sim_irq_work_fn);
	raw_spin_lock_irqsave(&sim->lock, flags);
	sim_reset(sim);
	raw_spin_unlock_irqrestore(&sim->lock, flags);
	platform_set_drvdata(pdev, sim);

	sim->domain = irq_domain_create_linear(NULL, 1, &sim_irq_ops, sim);
	if (!sim->domain)
		return -ENOMEM;
	ret = devm_add_action_or_reset(&pdev->dev, sim_remove_domain, sim);
	if (ret)
		return ret;
	sim->irq = irq_create_mapping(sim->domain, 0);
	if (!sim->irq)
		return -ENOMEM;
	irq_set_irq_type(sim->irq, IRQ_TYPE_LEVEL_LOW);

	if (handset >= 0) {
		/* the line is open until the driver feeds it */
		sim->hs_line = FXS_LINEFEED_OPEN;
		sim->hs = fxs_hs_create(&pdev->dev, handset, &sim_hs_ops, sim);
		if (IS_ERR(sim->hs))
			return dev_err_probe(&pdev->dev, PTR_ERR(sim->hs),
					     "handset=%d: creating /dev/fxs_hs%d\n",
					     handset, handset);
		fxs_hs_set_linefeed(sim->hs, FXS_LINEFEED_OPEN, ktime_get_ns());
		ret = devm_add_action_or_reset(&pdev->dev, sim_remove_handset, sim);
		if (ret)
			return ret;
	}

	/* the highway before the chip: its driver binds its port to it */
	hrtimer_init(&sim->pcm_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	sim->pcm_timer.function = sim_pcm_timer_fn;
	sim->bus.name = "fxs_si3215_sim";
	sim->bus.ops = &sim_pcm_ops;
	sim->bus.slots = SIM_PCM_SLOTS;
	ret = fxs_pcm_bus_register(&sim->bus);
	if (ret)
		return ret;
	ret = devm_add_action_or_reset(&pdev->dev, sim_remove_pcm, sim);
	if (ret)
		return ret;

	ctlr->num_chipselect = 1;
	ctlr->mode_bits = SPI_CPOL | SPI_CPHA;
	ctlr->bits_per_word_mask = SPI_BPW_MASK(8);
	ctlr->max_speed_hz = SIM_SPI_HZ;
	ctlr->transfer_one_message = sim_transfer_one_message;
	ret = devm_spi_register_controller(&pdev->dev, ctlr);
	if (ret)
		return ret;

	info.irq = irq ? sim->irq : 0;
	sim->spi = spi_new_device(ctlr, &info);
	if (!sim->spi)
		return -ENODEV;
	return 0;
}

static int sim_remove(struct platform_device *pdev)
{
	struct si_sim *sim = platform_get_drvdata(pdev);

	/* the chip (and its driver) first, then the bus and the IRQ domain */
	spi_unregister_device(sim->spi);
	return 0;
}

static struct platform_driver sim_driver = {
	.probe = sim_probe,
	.remove = sim_remove,
	.driver = {
		.name = "fxs_si3215_sim",
		.dev_groups = sim_groups,
	},
};

static struct platform_device *sim_pdev;

static int __init sim_init(void)
{
	int ret;

	ret = platform_driver_register(&sim_driver);
	if (ret)
		return ret;
	sim_pdev = platform_device_register_simple("fxs_si3215_sim",
						   PLATFORM_DEVID_NONE, NULL, 0);
	if (IS_ERR(sim_pdev)) {
		platform_driver_unregister(&sim_driver);
		return PTR_ERR(sim_pdev);
	}
	return 0;
}
module_init(sim_init);

static void __exit sim_exit(void)
{
	platform_device_unregister(sim_pdev);
	platform_driver_unregister(&sim_driver);
}
module_exit(sim_exit);

MODULE_DESCRIPTION("Simulated Si3215 ProSLIC on a simulated SPI bus");
MODULE_LICENSE("GPL");
