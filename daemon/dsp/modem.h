/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * modem.h - fax and modem signals on a voice channel, at 8 kHz: what
 * tells a data call from a voice call (ITU-T G.164, G.165, V.25, V.8,
 * T.30), on spandsp's connect-tone detectors.
 *
 * - ANS: 2100 Hz +-15 Hz, 3.3 s +-0.7 (V.25, T.30's CED);
 * - /ANS: the same with a 180 degree phase reversal every 450 ms +-25
 *   (V.25; G.165: only this one disables echo cancellers);
 * - ANSam, /ANSam: ANS or /ANS with 20 % 15 Hz amplitude modulation (V.8);
 * - CNG: 1100 Hz in 0.5 s bursts, 3 s apart (T.30 calling tone): a burst
 *   counts when it ends within MODEM_CNG_MAX_MS of its start (a steady
 *   1100 Hz tone is no CNG);
 * - V.21 preamble: HDLC flags (0x7E) at 300 bit/s on V.21 channel 2
 *   (1650 Hz mark, 1850 Hz space): a fax's T.30 control;
 * - Bell ANS: 2225 Hz (Bell 103/212 answer).
 *
 * One detector per direction of a call.  Pure code but for spandsp's
 * allocations: no I/O, no clock, single threaded.
 */
#ifndef FXSD_MODEM_H
#define FXSD_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MODEM_CNG_MAX_MS	900	/* a CNG burst is 500 ms +-15 % */

/* In rising order of how much they tell: a call's tone only rises. */
enum modem_tone {
	MODEM_TONE_NONE = 0,
	MODEM_TONE_CNG,		/* fax calling tone */
	MODEM_TONE_V21,		/* V.21 channel 2 HDLC flags */
	MODEM_TONE_BELL_ANS,	/* 2225 Hz */
	MODEM_TONE_ANS,		/* 2100 Hz */
	MODEM_TONE_ANSAM,	/* 2100 Hz, 15 Hz AM */
	MODEM_TONE_ANS_PR,	/* 2100 Hz, phase reversals */
	MODEM_TONE_ANSAM_PR,	/* 2100 Hz, 15 Hz AM and phase reversals */
	_MODEM_TONE_MAX,
};

const char *modem_tone_to_string(enum modem_tone t);

/* Phase-reversed answer tone: the one that disables echo cancellers
 * (G.165, G.168); every other signal leaves them on. */
bool modem_tone_disables_ec(enum modem_tone t);

struct modem_detector;

int modem_detector_new(struct modem_detector **ret);
/* NULL-safe; returns NULL. */
struct modem_detector *modem_detector_free(struct modem_detector *d);
/* Start afresh (a new call). */
void modem_detector_reset(struct modem_detector *d);

/*
 * Feed @n samples (any length).  Returns the strongest signal recognised
 * in them if it is stronger than any before (since the last reset), else
 * MODEM_TONE_NONE.
 */
enum modem_tone modem_detector_process(struct modem_detector *d,
				       const int16_t *x, size_t n);

/* The strongest signal recognised since the last reset. */
enum modem_tone modem_detector_tone(const struct modem_detector *d);

#endif /* FXSD_MODEM_H */
