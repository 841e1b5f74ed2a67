/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tone.h - call-progress tones and ring cadences per country.
 *
 * Pure code: no I/O, no logging, no allocation.  A tone is up to four
 * frequency components played in a cadence of on/off segments; the
 * generator writes 8 kHz 16-bit samples and keeps phase and cadence across
 * calls, so the audio path can pull any number of samples at a time.
 *
 * Level: each component is a sine of peak amplitude TONE_AMPLITUDE (5070,
 * -16.2 dBFS), i.e. -13 dBm0 per component on the G.711 scale (a full-scale
 * mu-law sine is +3.17 dBm0).  Four components sum to at most 20280: no
 * clipping.  The oscillators are 32-bit phase accumulators (frequency
 * resolution 2 uHz) that only advance while the tone sounds: every burst
 * continues the waveform where the previous one stopped.
 *
 * The plans (ITU-T E.180 supplement values where it lists them):
 *
 *          dial     ringback               busy         reorder/congestion
 *  US  350+440     440+480 2.0/4.0        480+620 .5/.5   480+620 .25/.25
 *  UK  350+440     400+450 .4/.2/.4/2.0   400 .375/.375   400 .4/.35/.225/.525
 *  DE  425         425 1.0/4.0            425 .48/.48     425 .24/.24
 *  FR  440         440 1.5/3.5            440 .5/.5       440 .5/.5
 *  CN  450         450 1.0/4.0            450 .35/.35     450 .7/.7
 *
 * Call waiting (CW) tone - played over the call while a second call waits,
 * repeating until the line stops it (answered, cancelled, given up):
 *  US  440  0.3 on / 10.0 off   GR-506-CORE (LSSGR signals) as listed in
 *                               Asterisk's indications.conf "us" and the
 *                               Cadence PSTN simulator manual (440 Hz,
 *                               -13 dBm, 300 ms on, 10000 ms off)
 *  UK  400  0.1 on / 4.0 off    BT SIN 350 as listed in indications.conf
 *                               "uk" (a ZyXEL IES UK profile: 0.1/3.0;
 *                               no source for a 0.1/0.4/0.1 burst pair)
 *  DE  425  0.2/0.2/0.2 on-off-on / 5.0 off   ITU-T E.180 supplement,
 *                               Germany "call waiting tone I" (Anklopfton)
 *  FR  440  0.3 on / 10.0 off   indications.conf "fr" (France Telecom)
 *  CN  450  0.4 on / 4.0 off    indications.conf "cn"
 * With caller ID on call waiting (callerid.h, "Type II") the first burst
 * is the subscriber alerting signal (SAS): the line plays the burst, then
 * the CAS, and does not start this generator.
 *
 * Stutter dial tone (message waiting indication by the dial tone):
 *  US  350+440 0.1 on / 0.1 off ten times, then steady (GR-506-CORE
 *      "stutter dial tone"; Poly's VVX default: .1/.1 for 2 s then steady)
 *  UK  350+440 / 440 alternating 0.75 s each, repeating: BT's "interrupted
 *      dial tone" (special proceed indication, SIN 350): the 350 Hz
 *      component is interrupted, the 440 Hz one continues
 *  DE  400+425 continuous: the national special dial tone (Sonderwaehlton,
 *      ITU-T E.180 supplement, Germany "special dial tone 425+400")
 *  FR  440, CN 450: no national message-waiting dial tone found; the US
 *      pattern (0.1/0.1 ten times, then steady) over the country's dial tone
 *
 * Mixing: tonegen_fill() writes the tone alone (the line plays it instead
 * of the voice); tonegen_mix() adds it to a voice frame with saturation
 * (the line keeps the far party audible under the call-waiting tone).
 *
 * Howler (receiver off-hook warning): 1400+2060+2450+2600 Hz 0.1/0.1 for
 * every country - the Bell ROH tone; the other plans have no single
 * standard and ATAs commonly use this one.  It is not made louder over time.
 */
#ifndef FXSD_TONE_H
#define FXSD_TONE_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TONE_RATE		8000	/* samples per second */
#define TONE_AMPLITUDE		5070	/* peak per component: -13 dBm0 */
#define TONE_FREQS_MAX		4
#define TONE_SEGMENTS_MAX	24
#define TONE_CADENCE_MAX	16	/* tone_ring_cadence(): 8 pairs */

enum tone_country {
	TONE_COUNTRY_US,
	TONE_COUNTRY_UK,
	TONE_COUNTRY_DE,
	TONE_COUNTRY_FR,
	TONE_COUNTRY_CN,
	_TONE_COUNTRY_MAX,
	_TONE_COUNTRY_INVALID = -EINVAL,
};

enum tone_id {
	TONE_DIAL,
	TONE_RINGBACK,
	TONE_BUSY,
	TONE_REORDER,
	TONE_CALL_WAITING,
	TONE_STUTTER,
	TONE_HOWLER,
	_TONE_ID_MAX,
	_TONE_ID_INVALID = -EINVAL,
};

/* "US", "UK", "DE", "FR", "CN"; NULL when out of range. */
const char *tone_country_to_string(enum tone_country c);
/* Case-insensitive; _TONE_COUNTRY_INVALID (-EINVAL) when unknown. */
enum tone_country tone_country_from_string(const char *s);
/* "dial", "ringback", "busy", "reorder", "call-waiting", "stutter",
 * "howler"; NULL when out of range. */
const char *tone_id_to_string(enum tone_id t);
enum tone_id tone_id_from_string(const char *s);

/**
 * struct tone_plan - one tone of one country
 * @freq: component frequencies in Hz; unused entries are 0
 * @seg_ms: segment durations in ms, alternately on and off starting with
 *	on; 0 = forever (only as the last segment)
 * @n_seg: number of segments used
 * @loop: index of the segment that follows the last one; -1: the tone
 *	ends after the last segment
 * @off_mask: components that keep sounding during the off segments (bit k
 *	for @freq[k]); 0: the off segments are silent
 */
struct tone_plan {
	uint16_t freq[TONE_FREQS_MAX];
	uint16_t seg_ms[TONE_SEGMENTS_MAX];
	uint8_t n_seg;
	int8_t loop;
	uint8_t off_mask;
};

/* The plan of @t in @c; NULL when either is out of range. */
const struct tone_plan *tone_plan(enum tone_country c, enum tone_id t);

#define TONE_GROUP_GAP_MS	1000	/* an off segment this long ends a group */

/*
 * The first burst group of @t in @c, in ms: from the start to the end of
 * the last on segment before the first off segment of at least
 * TONE_GROUP_GAP_MS (or before the plan repeats).  For TONE_CALL_WAITING
 * this is the SAS of caller ID on call waiting (callerid_offhook_plan()):
 * US 300, UK 100, DE 600 (200 on, 200 off, 200 on), FR 300, CN 400.
 * 0 for a continuous tone; -EINVAL when out of range.
 */
int tone_first_group_ms(enum tone_country c, enum tone_id t);

/**
 * struct tonegen - a tone generator, owned by the caller
 *
 * All fields are private.  A zero-filled tonegen is stopped.
 */
struct tonegen {
	const struct tone_plan *plan;	/* NULL when stopped */
	uint32_t phase[TONE_FREQS_MAX];
	uint32_t step[TONE_FREQS_MAX];
	unsigned seg;			/* current segment of plan */
	uint32_t left;			/* samples left in it (0: forever) */
};

/*
 * Start tone @t of country @c from the beginning of its cadence (a running
 * tone is replaced).  Returns 0, or -EINVAL (the generator is then
 * stopped).
 */
int tonegen_start(struct tonegen *g, enum tone_country c, enum tone_id t);
void tonegen_stop(struct tonegen *g);
/* True from tonegen_start() until tonegen_stop() or the end of a tone
 * that does not repeat (none of the plans today: call waiting repeats
 * until stopped). */
bool tonegen_active(const struct tonegen *g);
/* Write the next @n samples (8 kHz) to @out: silence when stopped or in
 * an off segment. */
void tonegen_fill(struct tonegen *g, int16_t *out, size_t n);
/*
 * Add the next @n samples of the tone to @io (a voice frame), saturating
 * at -32768..32767; the cadence advances exactly as with tonegen_fill().
 * A stopped generator leaves @io unchanged.
 */
void tonegen_mix(struct tonegen *g, int16_t *io, size_t n);

/*
 * The ring cadence of @c for the driver: *@ret_pairs on/off pairs of ms in
 * @on_off_ms (on, off, on, off, ...).  Returns 0 or -EINVAL.
 */
int tone_ring_cadence(enum tone_country c, uint32_t on_off_ms[TONE_CADENCE_MAX],
		      unsigned *ret_pairs);

#endif /* FXSD_TONE_H */
