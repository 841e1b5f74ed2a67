/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * callerid.h - caller ID on hook (Type I) and off hook (Type II, caller ID
 * on call waiting), visual message-waiting indication: messages, FSK,
 * alerting signals, timing.
 *
 * Pure code: no I/O, no logging, no allocation (the date is converted with
 * localtime_r(), so it follows the process's TZ).  The daemon builds the
 * message, renders the whole spill into a buffer once (about 1 s, 8000
 * samples) and plays it through the PCM path while the line is in on-hook
 * transmission feed, following the steps of callerid_plan().
 *
 * Standards:
 *
 *  CALLERID_BELL202 - Telcordia GR-30-CORE (US "Type I"): Bell 202 FSK,
 *	1200 bit/s, mark (1) 1200 Hz, space (0) 2200 Hz.  Channel seizure
 *	300 bits 0101... (i.e. 30 bytes 0x55 with their start and stop bits),
 *	180 mark bits, then the message.  SDMF (type 0x04): date MMDDHHMM and
 *	the number or a one-character reason ('P' private, 'O' out of area /
 *	unavailable).  MDMF (type 0x80): parameters 01 date-time (MMDDHHMM),
 *	02 number, 04 reason for absence of number, 07 name, 08 reason for
 *	absence of name.
 *
 *  CALLERID_ETSI - ETSI EN 300 659-1 (physical layer and timing) and
 *	EN 300 659-3 (coding): ITU-T V.23 forward channel, 1200 bit/s, mark
 *	1300 Hz, space 2100 Hz.  Channel seizure 300 bits 0101..., then 80
 *	mark bits.  Message "Call Set-up" type 0x80 with the EN 300 659-3
 *	parameter types - the same codes as Bell MDMF:
 *	    0x01 Date and Time (MMDDHHMM)     0x02 Calling Line Identity
 *	    0x04 Reason for Absence of CLI    0x07 Calling Party Name
 *	    0x08 Reason for Absence of Calling Party Name
 *	(0x03 called line identity and 0x11 call type are not sent).  Reason
 *	codes: 'O' unavailable, 'P' private (CLIR).  Limits: CLI 20
 *	characters, name 50 (Bell: number 15, name 15; longer names are cut,
 *	longer numbers are refused).  ETSI has no SDMF: @mdmf is ignored.
 *
 * Both: a checksum byte ends the message, the two's complement of the sum
 * of all preceding bytes modulo 256 (the sum of every byte including the
 * checksum is 0 mod 256).  Every byte is sent asynchronously: a start bit
 * (0), 8 data bits least significant first, one stop bit (1); the bytes
 * follow each other with no extra mark bits (GR-30 tolerates up to 10;
 * some receivers take two mark bits in a row as the end of the message).
 * CALLERID_TRAILER_BITS mark bits follow the checksum.
 *
 * Bit clock: exactly 1200 bit/s at 8000 Hz, 6 2/3 samples a bit: sample n
 * carries bit floor(3n / 20), so N bits take ceil(20 N / 3) samples and the
 * clock never drifts.  The oscillator is a 32-bit phase accumulator whose
 * increment switches between mark and space: the phase is continuous.
 *
 * Level: peak CALLERID_AMPLITUDE = 5070, -16.2 dBFS (relative to a
 * full-scale sine), which is -13 dBm0 on the G.711 scale (a full-scale
 * mu-law sine is +3.17 dBm0) - the same reference as tone.h.  GR-30 asks
 * for -13.5 dBm +/- 1 dB at the customer interface; the exact level on the
 * line depends on the SLIC's gain.  The DT-AS uses the same peak per tone
 * (-13 dBm0 per tone, no twist).
 *
 * Off hook - caller ID on call waiting ("Type II", CIDCW).  Telcordia
 * GR-30-CORE / GR-575-CORE (SR-TSV-002476 for the CPE side) and ETSI
 * EN 300 659-2 (off-hook data transmission) describe the same exchange;
 * the line carries it out with callerid_offhook_plan():
 *	1. mute the far party in both directions (it must hear neither the
 *	   signals nor the phone's acknowledgement);
 *	2. SAS: the subscriber alerting signal, i.e. the country's
 *	   call-waiting tone (tone.h) for its first burst group,
 *	   tone_first_group_ms(): US 300 ms of 440 Hz, DE 200/200/200 ms of
 *	   425 Hz, ...;
 *	3. CAS (Bell: "CPE Alerting Signal"; ETSI: the DT-AS of the
 *	   off-hook case, also called TAS): 2130 + 2750 Hz for 80 ms,
 *	   callerid_cas(), right after the SAS;
 *	4. the phone mutes its earpiece and answers with a DTMF digit, the
 *	   acknowledgement (ACK, ETSI "TE-ACK"): 'D' for a Type II phone
 *	   (Bell CPE may send 'A' instead; ETSI knows only 'D'), nominally
 *	   60 ms long, which must begin within CALLERID_CAS_TO_ACK_MS
 *	   (160 ms) of the end of the CAS.  The line's DTMF detector listens
 *	   for it (callerid_ack_valid()); no ACK, or another digit: the phone
 *	   cannot show the data, the line skips the FSK and unmutes;
 *	5. CALLERID_ACK_TO_FSK_MS (100 ms; allowed 50-500) after the end of
 *	   the ACK, the FSK spill: the same message and modulation as on
 *	   hook but without the channel seizure signal (omitted off hook: the
 *	   phone is already listening) and with only
 *	   CALLERID_OFFHOOK_MARK_BITS (80) mark bits - the off-hook defaults
 *	   of the SLIC vendors' caller-ID code for both standards (e.g.
 *	   Infineon TAPI: seizure on hook only, mark 180/80 on/off hook, 160
 *	   ms CAS to ACK, 100 ms ACK to data); callerid_offhook_spill()
 *	   renders it;
 *	6. unmute.
 * Per country (the caller's choice in the line): US, CN: Bell 202 MDMF;
 * DE, FR, UK: ETSI V.23.  For the UK, BT's Caller Display on call waiting
 * (SIN 227) is taken to be this ETSI sequence (dual-tone alert, 'D'
 * acknowledgement, V.23 without seizure); SIN 227's own text was not at
 * hand to confirm it.
 * Level: the CAS tones are at the FSK's and DT-AS's peak (-13 dBm0 each);
 * GR-30's CAS level was not at hand either - check on a real phone.
 *
 * Visual message-waiting indicator (VMWI, the phone's lamp), on hook
 * without ringing:
 *  Bell (GR-30): SDMF message type 0x06, length 3, three bytes 0x42
 *	(on) or 0x6f (off); or MDMF message type 0x82 with parameter 0x0b
 *	"Visual Indicator", length 1, 0xff (on) or 0x00 (off).  Default:
 *	MDMF - the same parser as MDMF caller ID, which every name-display
 *	phone has; SDMF is the older form for number-only phones.
 *  ETSI (EN 300 659-3): message type 0x82 "Message Waiting Indicator"
 *	with parameter 0x0b "Visual Indicator" (0xff activation, 0x00
 *	deactivation), optionally 0x01 date and time; there is no SDMF.
 * The spill is the on-hook one (channel seizure, mark, message:
 * callerid_modulate()).  Before it (callerid_plan()):
 *  Bell: CALLERID_PLAN_BELL202_NO_RING - on-hook transmission feed and
 *	the spill, no ring and no alert before it: the channel seizure and
 *	mark wake the CPE.  An open switching interval or a line reversal
 *	ahead of the data, which some CPE may want, is not done;
 *  ETSI/UK: CALLERID_PLAN_ETSI_DTAS_NO_RING - EN 300 659-1's data
 *	transmission not associated with ringing, alerted by a line reversal
 *	and the DT-AS (the alternative, a ring pulse RP-AS of 200-300 ms, is
 *	not used: it makes the bell tinkle), then the spill, then normal
 *	polarity.
 */
#ifndef FXSD_CALLERID_H
#define FXSD_CALLERID_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CALLERID_RATE		8000	/* samples per second */
#define CALLERID_BAUD		1200
#define CALLERID_AMPLITUDE	5070	/* peak: -13 dBm0, -16.2 dBFS */
#define CALLERID_SEIZURE_BITS	300
#define CALLERID_BELL_MARK_BITS	180
#define CALLERID_ETSI_MARK_BITS	80
#define CALLERID_TRAILER_BITS	10
#define CALLERID_MSG_MAX	128	/* largest message with checksum */

/* Message types and parameter codes (GR-30 MDMF = EN 300 659-3). */
#define CALLERID_MSG_SDMF	0x04
#define CALLERID_MSG_MDMF	0x80	/* ETSI: "Call Set-up" */
#define CALLERID_PARAM_DATETIME	0x01
#define CALLERID_PARAM_NUMBER	0x02
#define CALLERID_PARAM_NUMBER_ABSENT 0x04
#define CALLERID_PARAM_NAME	0x07
#define CALLERID_PARAM_NAME_ABSENT 0x08

/* Message waiting (VMWI). */
#define CALLERID_MSG_SDMF_MWI	0x06	/* Bell SDMF message waiting */
#define CALLERID_MSG_MDMF_MWI	0x82	/* ETSI: Message Waiting Indicator */
#define CALLERID_PARAM_VISUAL_INDICATOR 0x0b
#define CALLERID_SDMF_MWI_ON	0x42	/* sent three times */
#define CALLERID_SDMF_MWI_OFF	0x6f
#define CALLERID_MWI_ON		0xff	/* the Visual Indicator's value */
#define CALLERID_MWI_OFF	0x00

/* Reasons for absence. */
#define CALLERID_REASON_PRIVATE	'P'
#define CALLERID_REASON_UNAVAILABLE 'O'

/* ETSI dual-tone alerting signal (DT-AS): 2130 + 2750 Hz, 100 ms. */
#define CALLERID_DTAS_F1	2130
#define CALLERID_DTAS_F2	2750
#define CALLERID_DTAS_MS	100
#define CALLERID_DTAS_SAMPLES	(CALLERID_DTAS_MS * CALLERID_RATE / 1000)

/* Off hook (Type II): the CAS / off-hook DT-AS, the ACK, the timing. */
#define CALLERID_OFFHOOK_MARK_BITS 80	/* no channel seizure off hook */
#define CALLERID_CAS_F1		2130
#define CALLERID_CAS_F2		2750
#define CALLERID_CAS_MS		80
#define CALLERID_CAS_SAMPLES	(CALLERID_CAS_MS * CALLERID_RATE / 1000)
#define CALLERID_ACK_DIGIT	'D'	/* Type II CPE, ETSI TE-ACK */
#define CALLERID_ACK_DIGIT_ALT	'A'	/* some Bell CPE */
#define CALLERID_CAS_TO_ACK_MS	160	/* the ACK starts within this */
#define CALLERID_ACK_TO_FSK_MIN_MS 50
#define CALLERID_ACK_TO_FSK_MAX_MS 500
#define CALLERID_ACK_TO_FSK_MS	100	/* from the end of the ACK */

enum callerid_std {
	CALLERID_BELL202,	/* Telcordia GR-30, Bell 202 */
	CALLERID_ETSI,		/* ETSI EN 300 659, V.23 */
	_CALLERID_STD_MAX,
	_CALLERID_STD_INVALID = -EINVAL,
};

/**
 * struct callerid_info - what the spill says
 * @when: date and time of the call (sent as local time MMDDHHMM);
 *	(time_t)-1: unknown - MDMF/ETSI then omit parameter 01, SDMF refuses
 * @number: the calling number, printable ASCII, NUL-terminated
 * @name: the calling name, printable ASCII, NUL-terminated
 * @number_reason: 'P' or 'O' to send that reason instead of @number; 0 to
 *	send @number ('O' when @number is empty)
 * @name_reason: likewise for @name (MDMF/ETSI only; SDMF has no name)
 */
struct callerid_info {
	time_t when;
	char number[32];
	char name[64];
	char number_reason;
	char name_reason;
};

/* "bell202", "etsi"; NULL when out of range. */
const char *callerid_std_to_string(enum callerid_std s);
/* Case-insensitive; _CALLERID_STD_INVALID when unknown. */
enum callerid_std callerid_std_from_string(const char *s);

/*
 * Build the message of @info in @buf: type, length, parameters, checksum.
 * @mdmf selects MDMF (else SDMF) for CALLERID_BELL202 and is ignored for
 * CALLERID_ETSI.  Returns the number of bytes (at most CALLERID_MSG_MAX),
 * -EINVAL (bad standard, reason or character, no date for SDMF), -E2BIG
 * (number too long) or -ENOSPC (@len too small).
 */
int callerid_message(enum callerid_std std, bool mdmf,
		     const struct callerid_info *info, uint8_t *buf, size_t len);

/* The checksum byte of @len bytes: (256 - sum mod 256) mod 256. */
uint8_t callerid_checksum(const uint8_t *buf, size_t len);

/*
 * The number of samples callerid_modulate() writes for a @len byte
 * message: ceil(20 * (300 + mark + 10 * len + 10) / 3).  0 for a bad
 * standard.
 */
size_t callerid_samples_needed(enum callerid_std std, size_t len);

/*
 * Write the FSK spill of the @len bytes of @msg (as built by
 * callerid_message()) to @out: seizure, mark, the framed bytes, trailer.
 * The oscillator starts at phase 0 (the first sample is 0).  Returns
 * the number of samples, or -EINVAL, or -ENOSPC when @max is below
 * callerid_samples_needed().
 */
int callerid_modulate(enum callerid_std std, const uint8_t *msg, size_t len,
		      int16_t *out, size_t max);

/*
 * Write the ETSI DT-AS (2130 + 2750 Hz, CALLERID_DTAS_SAMPLES samples) to
 * @out; returns the number of samples or -ENOSPC.
 */
int callerid_dtas(int16_t *out, size_t max);

/*
 * The number of samples callerid_modulate_offhook() writes for a @len
 * byte message: ceil(20 * (80 + 10 * len + 10) / 3).  0 for a bad
 * standard.
 */
size_t callerid_offhook_samples_needed(enum callerid_std std, size_t len);

/*
 * Write the off-hook (Type II) FSK spill of @msg to @out: no channel
 * seizure, CALLERID_OFFHOOK_MARK_BITS mark bits, the framed bytes, the
 * trailer; otherwise as callerid_modulate().
 */
int callerid_modulate_offhook(enum callerid_std std, const uint8_t *msg,
			      size_t len, int16_t *out, size_t max);

/*
 * Build the caller ID message of @info (see callerid_message()) and write
 * its off-hook spill to @out.  Returns the number of samples or a
 * negative errno of either step.
 */
int callerid_offhook_spill(enum callerid_std std, bool mdmf,
			   const struct callerid_info *info, int16_t *out,
			   size_t max);

/*
 * Write the CPE alerting signal of the off-hook sequence (Bell CAS, ETSI
 * off-hook DT-AS: 2130 + 2750 Hz, each at peak CALLERID_AMPLITUDE,
 * CALLERID_CAS_SAMPLES samples) to @out; returns the number of samples,
 * -EINVAL or -ENOSPC.
 */
int callerid_cas(int16_t *out, size_t max);

/* True when DTMF @digit acknowledges the CAS under @std ('D'; Bell also
 * 'A'). */
bool callerid_ack_valid(enum callerid_std std, char digit);

/*
 * Build the message-waiting message in @buf: Bell SDMF (@mdmf false) or
 * MDMF, ETSI always MDMF (see above); @on lights the lamp, !@on puts it
 * out.  @when: the date and time for parameter 0x01 of MDMF/ETSI;
 * (time_t)-1 leaves it out (SDMF never carries it).  Returns the number
 * of bytes, -EINVAL or -ENOSPC.  Play it with callerid_modulate() after
 * the steps of a *_NO_RING plan.
 */
int callerid_mwi_message(enum callerid_std std, bool mdmf, bool on,
			 time_t when, uint8_t *buf, size_t len);

/*
 * Timing plans: when the spill goes, relative to ringing.
 *
 * CALLERID_PLAN_BELL202_AFTER_FIRST_RING (GR-30) and
 * CALLERID_PLAN_ETSI_AFTER_FIRST_RING (EN 300 659-1, data transmission
 * during ringing; Germany, ...):
 *	RING_FIRST ring_on      the driver rings the first burst (or group
 *	                        of bursts) of the cadence, then stops
 *	FEED_OHT                on-hook transmission feed, right at the end
 *	WAIT 600                FSK starts >= 500 ms after the ring ends
 *	                        (100 ms margin for frame and timer jitter)
 *	FSK fsk_ms              the spill (ms rounded up)
 *	FEED_NORMAL
 *	WAIT rest               ring_off - 600 - fsk_ms; must be >= 200 ms
 *	                        (the spill ends >= 200 ms before ring 2)
 *	RING_CADENCE            ringing continues with the second ring
 *
 * CALLERID_PLAN_ETSI_DTAS_BEFORE_RING (EN 300 659-1, data transmission
 * prior to ringing, line reversal + DT-AS; UK-style):
 *	REVERSE_POLARITY        line reversal (the first alert)
 *	FEED_OHT
 *	WAIT 150                >= 100 ms from the line reversal to the DT-AS
 *	DTAS 100                2130 + 2750 Hz, 100 ms (+/- 10 ms)
 *	WAIT 60                 45 ms <= gap <= 500 ms (BT: 45..75 ms)
 *	FSK fsk_ms
 *	FEED_NORMAL
 *	NORMAL_POLARITY         undo the reversal before ringing
 *	WAIT 250                ringing >= 200 ms after the end of the FSK
 *	RING_CADENCE            ringing starts with the first ring
 *
 * On hook without ringing (message waiting), no ring parameters:
 * CALLERID_PLAN_BELL202_NO_RING (GR-30):
 *	FEED_OHT
 *	WAIT 100                the feed settles; no alert
 *	FSK fsk_ms              seizure, 180 mark bits, the message
 *	FEED_NORMAL
 * CALLERID_PLAN_ETSI_DTAS_NO_RING (EN 300 659-1, not associated with
 * ringing; BT SIN 227 for the UK):
 *	REVERSE_POLARITY, FEED_OHT, WAIT 150, DTAS 100, WAIT 60, FSK fsk_ms,
 *	FEED_NORMAL, NORMAL_POLARITY      (as before the first ring, no ring)
 *
 * Off hook (caller ID on call waiting), callerid_offhook_plan():
 *	MUTE_FAR_END            the far party neither hears nor is heard
 *	SAS sas_ms              the call-waiting tone's first burst (group)
 *	CAS 80                  callerid_cas(), right after the SAS
 *	WAIT_ACK 160            wait for the ACK digit to begin; none (or
 *	                        not callerid_ack_valid()): go to UNMUTE
 *	WAIT 100                after the ACK digit ends (50..500)
 *	FSK fsk_ms              callerid_offhook_spill()
 *	UNMUTE_FAR_END
 */
enum callerid_plan_mode {
	CALLERID_PLAN_BELL202_AFTER_FIRST_RING,
	CALLERID_PLAN_ETSI_AFTER_FIRST_RING,
	CALLERID_PLAN_ETSI_DTAS_BEFORE_RING,
	CALLERID_PLAN_BELL202_NO_RING,
	CALLERID_PLAN_ETSI_DTAS_NO_RING,
	_CALLERID_PLAN_MAX,
	_CALLERID_PLAN_INVALID = -EINVAL,
};

enum callerid_action {
	CALLERID_STEP_RING_FIRST,	/* ring one burst (group): ms */
	CALLERID_STEP_WAIT,		/* do nothing for ms */
	CALLERID_STEP_FEED_OHT,		/* on-hook transmission feed */
	CALLERID_STEP_FEED_NORMAL,	/* back to the idle feed */
	CALLERID_STEP_REVERSE_POLARITY,
	CALLERID_STEP_NORMAL_POLARITY,
	CALLERID_STEP_DTAS,		/* play callerid_dtas(): ms */
	CALLERID_STEP_FSK,		/* play the spill: ms */
	CALLERID_STEP_RING_CADENCE,	/* (re)start the normal cadence */
	CALLERID_STEP_MUTE_FAR_END,	/* off hook: both directions */
	CALLERID_STEP_SAS,		/* the call-waiting tone: ms */
	CALLERID_STEP_CAS,		/* play callerid_cas(): ms */
	CALLERID_STEP_WAIT_ACK,		/* up to ms for the ACK to begin */
	CALLERID_STEP_UNMUTE_FAR_END,
};

struct callerid_step {
	enum callerid_action action;
	uint32_t ms;			/* duration; 0 for instant steps */
};

#define CALLERID_PLAN_STEPS_MAX	12

/* Minimum and chosen delays of the plans, in ms (see above). */
#define CALLERID_RING_TO_FSK_MIN_MS	500
#define CALLERID_RING_TO_FSK_MS		600
#define CALLERID_FSK_TO_RING_MIN_MS	200
#define CALLERID_REVERSAL_TO_DTAS_MIN_MS 100
#define CALLERID_REVERSAL_TO_DTAS_MS	150
#define CALLERID_DTAS_TO_FSK_MIN_MS	45
#define CALLERID_DTAS_TO_FSK_MAX_MS	500
#define CALLERID_DTAS_TO_FSK_MS		60
#define CALLERID_FSK_TO_FIRST_RING_MS	250
#define CALLERID_OHT_TO_FSK_MS		100

/* "bell202-after-ring", "etsi-after-ring", "etsi-dtas", "bell202-no-ring",
 * "etsi-dtas-no-ring"; NULL if invalid. */
const char *callerid_plan_mode_to_string(enum callerid_plan_mode m);
enum callerid_plan_mode callerid_plan_mode_from_string(const char *s);
/* The FSK standard a plan uses. */
enum callerid_std callerid_plan_std(enum callerid_plan_mode m);
/* Milliseconds of @samples at 8 kHz, rounded up. */
uint32_t callerid_samples_ms(size_t samples);

/*
 * Fill @steps (room for CALLERID_PLAN_STEPS_MAX) with the plan of @mode
 * for a spill of @fsk_samples samples.  @ring_on_ms / @ring_off_ms: the
 * first ring burst (group) of the country's cadence and the silence after
 * it (US 2000/4000, DE 1000/4000, UK 400+200+400/2000: pass 1000/2000);
 * unused by the DT-AS and no-ring plans.  Returns the number of steps, -EINVAL, or
 * -ERANGE when the spill does not fit in the silence after the first ring
 * with 600 ms before and 200 ms after it.
 */
int callerid_plan(enum callerid_plan_mode mode, uint32_t ring_on_ms,
		  uint32_t ring_off_ms, size_t fsk_samples,
		  struct callerid_step steps[CALLERID_PLAN_STEPS_MAX]);

/*
 * Fill @steps with the off-hook (caller ID on call waiting) plan above
 * for an SAS of @sas_ms (> 0) and a spill of @fsk_samples (> 0).  The
 * same for both standards.  Returns the number of steps or -EINVAL.
 */
int callerid_offhook_plan(uint32_t sas_ms, size_t fsk_samples,
			  struct callerid_step steps[CALLERID_PLAN_STEPS_MAX]);

#endif /* FXSD_CALLERID_H */
