/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * dtmf.h - in-band DTMF detection and generation (ITU-T Q.23/Q.24).
 *
 * Pure code: no I/O, no logging, no allocation.  8 kHz, 16-bit linear.
 *
 * Level scale: 0 dBm0 is a sine of peak DTMF_0DBM0_PEAK (22786, -3.14 dBFS;
 * a full-scale G.711 sine is about +3.1 dBm0).  The level of a digit is the
 * total power of its two tones.
 *
 * Twist convention: twist = level(high-group tone) - level(low-group tone)
 * in dB.  Lines lose more at high frequencies, so the receiver takes the
 * low group louder ("normal" twist, negative here) down to -8 dB and the
 * high group louder ("reverse" twist, positive) up to +4 dB.  The decision
 * thresholds lie half-way to the points 4 dB beyond: -10 and +6 dB.
 *
 * Detector design.  Frames of DTMF_FRAME (106) samples, Hann-windowed,
 * every DTMF_HOP (53) samples (6.6 ms).  For every frame the complex DFT at
 * the eight DTMF frequencies is computed (a windowed Goertzel), and a frame
 * carries a digit when
 *  - the strongest low-group and high-group tones are each above
 *    -40 dBm0,
 *  - the twist is in [-10, +6] dB,
 *  - the two tones hold at least 90 % of the frame's (windowed) power:
 *    speech, whose other harmonics and formants always carry more than a
 *    tenth of its power, noise and partial frames fail this,
 *  - the frequency of each tone, measured from the phase advance of its DFT
 *    since the previous frame (6.6 ms earlier), is within +-2.5 % of the
 *    nominal frequency: Q.24's +-1.5 % is accepted, +-3.5 % is rejected,
 *  - when the previous frame carried the same digit, each tone is steady:
 *    its level within 3 dB and its frequency within 1.2 % of the previous
 *    frame's (speech glides and swells; a key's tones do not).
 * A digit starts after DTMF_ON_FRAMES consecutive frames carrying it
 * and ends after DTMF_OFF_FRAMES consecutive frames without it.
 *
 * Measured (tests/daemon/test_dtmf.c checks the Q.24 points): frequency
 * deviation accepted up to +-1.75 %, rejected from +-2.75 %; twist accepted
 * from -9 to +5 dB, rejected from -11 and +7 dB; tones of 35 ms and more
 * always accepted, 26 ms and less never; 10 ms drop-outs bridged and
 * 30 ms pauses split (the tested points); 100 % detection of 50 ms digits
 * at -20 dBm0 down to 13 dB S/N in white noise (99 % at 12 dB); no
 * talk-off in 77 min of espeak-ng speech in 14 voices at -10 and -20 dBm0
 * through G.711 (tests/daemon/talkoff_test.sh; bench/RESULTS.md).
 *
 * Events: "start" is reported as soon as the digit is recognised (about
 * 30 ms after the tone began), "end" when it has stopped (about 30 ms after
 * the tone ended).  Timestamps are in samples since dtmf_detector_init(),
 * estimated to within a few ms of the real tone edges.
 */
#ifndef FXSD_DTMF_H
#define FXSD_DTMF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DTMF_RATE		8000
#define DTMF_0DBM0_PEAK		22786.0	/* peak of a 0 dBm0 sine */
#define DTMF_FRAME		106	/* analysis frame, samples */
#define DTMF_HOP		53	/* frame step, samples */
#define DTMF_ON_FRAMES		4	/* frames to recognise a digit */
#define DTMF_OFF_FRAMES		4	/* frames to end it */

/* "123A456B789C*0#D": the keypad, row by row. */
extern const char dtmf_digits[17];

/*
 * The two frequencies of @digit (0-9, *, #, A-D; a-d accepted) in Hz.
 * Returns 0, or -EINVAL for anything else.
 */
int dtmf_digit_freqs(char digit, unsigned *ret_low, unsigned *ret_high);

/**
 * struct dtmf_event - a digit began or ended
 * @digit: '0'-'9', '*', '#', 'A'-'D'
 * @end: false: the digit started (it is still sounding); true: it ended
 * @start: estimated first sample of the tone, counted from init
 * @duration: estimated length in samples (0 in a start event)
 */
struct dtmf_event {
	char digit;
	bool end;
	uint64_t start;
	uint32_t duration;
};

typedef void (*dtmf_event_fn)(void *userdata, const struct dtmf_event *ev);

/**
 * struct dtmf_detector - a DTMF receiver, owned by the caller
 *
 * All fields are private; set it up with dtmf_detector_init().
 */
struct dtmf_detector {
	dtmf_event_fn fn;
	void *userdata;
	float win_cos[8][DTMF_FRAME];	/* Hann window x cos / sin */
	float win_sin[8][DTMF_FRAME];
	float rot_cos[8], rot_sin[8];	/* nominal phase advance per hop */
	float win[DTMF_FRAME];
	float win_sum, win_sq_sum;
	int16_t buf[DTMF_FRAME];
	unsigned fill;
	uint64_t pos;			/* samples consumed */
	float prev_re[8], prev_im[8];
	bool prev_valid;
	char prev_digit;		/* the previous frame's digit, or 0 */
	float prev_pw[2];		/* its tones' powers, low and high */
	double prev_dev[2];		/* and their deviations, Hz */
	/* state machine */
	char cand;			/* digit of the current run of frames */
	unsigned cand_frames;
	uint64_t cand_first;		/* first sample of the run's first frame */
	char digit;			/* digit being reported, 0 when none */
	unsigned miss;			/* frames since it was last seen */
	uint64_t digit_first;		/* first sample of its first frame */
	uint64_t digit_last;		/* end of its last frame */
};

/* Reset @d to silence and time 0; @fn (may be NULL) gets every start and
 * end event. */
void dtmf_detector_init(struct dtmf_detector *d, dtmf_event_fn fn, void *userdata);

/*
 * Feed @n samples (any count, any chunking).  Digits that ended within
 * them are written to @ret_digits (at most @max of them; a chunk of up to
 * 100 ms can complete at most one), and their number is returned.  Start
 * and end events go to the callback as they happen.
 */
int dtmf_detect(struct dtmf_detector *d, const int16_t *pcm, size_t n,
		char *ret_digits, size_t max);

/* The digit currently sounding (after its start event), or 0. */
char dtmf_detector_digit(const struct dtmf_detector *d);

/**
 * struct dtmf_gen - a DTMF generator, owned by the caller
 *
 * All fields are private.  A zero-filled generator is stopped.  The two
 * oscillators are 32-bit phase accumulators that keep running across
 * calls, so any chunking gives the same waveform.
 */
struct dtmf_gen {
	uint32_t phase[2];
	uint32_t step[2];
	float amp[2];
	uint32_t left;			/* samples to play; 0 with forever */
	bool forever;
	bool active;
};

/*
 * Start @digit at a total level of @level_dbm0 (-63..+3) with @twist_db
 * (high minus low, see above; 0 for equal levels) for @duration samples, 0
 * meaning until dtmf_gen_stop().  A running digit is replaced.  Returns 0
 * or -EINVAL (the generator is then stopped).
 */
int dtmf_gen_start(struct dtmf_gen *g, char digit, double level_dbm0,
		   double twist_db, uint32_t duration);
void dtmf_gen_stop(struct dtmf_gen *g);
bool dtmf_gen_active(const struct dtmf_gen *g);
/* Write the next @n samples: the tone while it lasts, then silence.
 * Returns the number of tone samples written. */
size_t dtmf_gen_fill(struct dtmf_gen *g, int16_t *out, size_t n);

#endif /* FXSD_DTMF_H */
