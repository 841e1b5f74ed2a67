/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fxs_si3215.h - the Silicon Labs Si3215 ProSLIC (Si3210 family) as the
 * fxs_si3215 driver and the fxs_si3215_sim simulator both see it: the SPI
 * framing, the direct registers they use and the fields in them.  Values
 * are the datasheet's; names are ours.
 *
 * SPI: one access is two bytes under one chip select, mode 3: a control
 * byte (bit 7 set for a read, bits 6:0 the direct register) then the data
 * byte, written by the host or, for a read, returned by the chip.
 *
 * Indirect registers (16 bits) go through IDA_LO/IDA_HI and IAA: a write
 * is IDA_LO, IDA_HI, then the address to IAA; a read is the address to
 * IAA, then IDA_LO and IDA_HI once IAS shows the access done.  IAS must be
 * idle before each IAA write.  Addresses are the Si3210 family's.
 */
#ifndef _FXS_SI3215_H
#define _FXS_SI3215_H

#include <linux/bits.h>

#define SI3215_READ		0x80
#define SI3215_ADDR_MASK	0x7f
#define SI3215_NREGS		128

/* direct registers */
#define SI3215_ID		0	/* part (7:4) and revision (3:0), RO */
#define SI3215_PCM_MODE		1
#define SI3215_PCM_TXS_LO	2
#define SI3215_PCM_TXS_HI	3
#define SI3215_PCM_RXS_LO	4
#define SI3215_PCM_RXS_HI	5
#define SI3215_LOOPBACK		8
#define SI3215_AUDIO_GAIN	9
#define SI3215_IMPEDANCE	10
#define SI3215_HYBRID		11
#define SI3215_PWRDOWN1		14
#define SI3215_PWRDOWN2		15
#define SI3215_IRQ_STATUS1	18
#define SI3215_IRQ_STATUS2	19
#define SI3215_IRQ_STATUS3	20
#define SI3215_IRQ_ENABLE1	21
#define SI3215_IRQ_ENABLE2	22
#define SI3215_IRQ_ENABLE3	23
#define SI3215_IDA_LO		28
#define SI3215_IDA_HI		29
#define SI3215_IAA		30
#define SI3215_IAS		31	/* RO */
#define SI3215_RING_OSC_CTL	34
#define SI3215_RING_ON_LO	48
#define SI3215_RING_ON_HI	49
#define SI3215_RING_OFF_LO	50
#define SI3215_RING_OFF_HI	51
#define SI3215_LINEFEED		64
#define SI3215_BJT		65
#define SI3215_BAT_FEED		66
#define SI3215_AUTO		67
#define SI3215_HOOK_STATUS	68	/* RO */
#define SI3215_LCR_DEBOUNCE	69
#define SI3215_RTP_DEBOUNCE	70
#define SI3215_LOOP_ILIM	71
#define SI3215_ONHOOK_V		72
#define SI3215_COMMON_V		73
#define SI3215_VBATH		74
#define SI3215_VBATL		75
#define SI3215_VBAT_SENSE	82	/* RO */
#define SI3215_DCDC_PERIOD	92
#define SI3215_DCDC_DELAY	93
#define SI3215_DCDC_WIDTH	94	/* RO */
#define SI3215_CAL1		96
#define SI3215_CAL2		97
#define SI3215_CAL_RESULT_FIRST	98	/* 98..107 */
#define SI3215_CAL_RESULT_LAST	107
#define SI3215_ENHANCE		108

/* ID */
#define SI3215_ID_PART_MASK	0xf0
#define SI3215_ID_PART		0x80	/* Si3215 */
#define SI3215_ID_REV_MASK	0x0f

/* PCM_MODE */
#define SI3215_PCM_EN		BIT(5)
#define SI3215_PCM_FMT_MASK	GENMASK(4, 3)
#define SI3215_PCM_FMT_ALAW	0
#define SI3215_PCM_FMT_ULAW	BIT(3)
#define SI3215_PCM_FMT_LINEAR	GENMASK(4, 3)

/* PWRDOWN1 */
#define SI3215_PWRDOWN_DCDC	BIT(4)

/* IRQ_STATUS2 / IRQ_ENABLE2 */
#define SI3215_IRQ2_RTP		BIT(0)	/* ring trip */
#define SI3215_IRQ2_LCIP	BIT(1)	/* loop closure */
#define SI3215_IRQ2_PALARMS	0xfc	/* power alarms, Q1..Q6 */

/* IAS */
#define SI3215_IAS_BUSY		BIT(0)

/* RING_OSC_CTL */
#define SI3215_RING_TIMERS_EN	GENMASK(4, 3)
#define SI3215_RING_OSC_EN	BIT(2)

/* LINEFEED: bits 2:0 what is asked, bits 6:4 what the line is in (RO) */
#define SI3215_LF_MASK		0x07
#define SI3215_LFS_SHIFT	4
#define SI3215_LF_OPEN		0
#define SI3215_LF_FWD_ACTIVE	1
#define SI3215_LF_FWD_OHT	2
#define SI3215_LF_TIP_OPEN	3
#define SI3215_LF_RINGING	4
#define SI3215_LF_REV_ACTIVE	5
#define SI3215_LF_REV_OHT	6
#define SI3215_LF_RING_OPEN	7

/* HOOK_STATUS */
#define SI3215_HOOK_LCR		BIT(0)	/* loop closed */
#define SI3215_HOOK_RTP		BIT(1)	/* ring trip */

/* DCDC_DELAY */
#define SI3215_DCDC_CAL		BIT(7)	/* self-clearing */

/* CAL1 */
#define SI3215_CAL_START	BIT(6)	/* reads 0 once every calibration is done */

/* loop current limit: 20 mA + 3 mA per step, 0..7 */
#define SI3215_ILIM_MIN_MA	20
#define SI3215_ILIM_STEP_MA	3
#define SI3215_ILIM_MAX		7
/* voltages: 1.5 V per step (ONHOOK_V, VBATH, VBATL), VBAT_SENSE 376 mV */
#define SI3215_V_STEP_MV	1500
#define SI3215_VSENSE_MV	376

/* indirect registers the driver programs */
#define SI3215_IR_RING_V_OFF	19
#define SI3215_IR_RING_OSC	20
#define SI3215_IR_RING_X	21
#define SI3215_IR_RING_Y	22
#define SI3215_IR_RX_GAIN	26
#define SI3215_IR_TX_GAIN	27
#define SI3215_IR_LCR_THRESH	28
#define SI3215_IR_RTP_THRESH	29
#define SI3215_IR_LCR_FILTER	35
#define SI3215_IR_RTP_FILTER	36
#define SI3215_NIREGS		108

#endif /* _FXS_SI3215_H */
