// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_cidcw.c - the caller-ID-on-call-waiting sequencer
 * (daemon/line/cidcw.c): what the earpiece gets frame by frame, the ACK
 * window, the digits it takes from the far end, the ways it ends.
 */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "line/cidcw.h"
#include "unit.h"

#define FRAME	160
#define SAS	(300 * 8)
#define FSK	(500 * 8)

static int16_t tone[FRAME], cas[CALLERID_CAS_SAMPLES], fsk[FSK];

static void signals(void)
{
	unsigned i;

	for (i = 0; i < FRAME; i++)
		tone[i] = 1000;
	for (i = 0; i < CALLERID_CAS_SAMPLES; i++)
		cas[i] = 2000 + i;
	for (i = 0; i < FSK; i++)
		fsk[i] = (int16_t)(3000 + i % 1000);
}

/* Play frames until @phase is left or @max frames; the frames played. */
static unsigned play_while(struct cidcw *s, enum cidcw_phase phase,
			   unsigned max, int16_t *last)
{
	int16_t out[FRAME];
	unsigned f;

	for (f = 0; f < max && s->phase == phase; f++)
		if (!cidcw_fill(s, last ? last : out, FRAME, tone, cas, fsk))
			break;
	return f;
}

UNIT_TEST(cidcw_bell_full_sequence)
{
	struct cidcw s = { 0 };
	int16_t out[FRAME];
	unsigned f, i, played;

	signals();
	CHECK(!cidcw_active(&s), "zero is idle");
	CHECK(!cidcw_fill(&s, out, FRAME, tone, cas, fsk), "idle plays nothing");
	CHECK_INT(cidcw_start(&s, CALLERID_BELL202, SAS, FSK), 0);
	CHECK(cidcw_active(&s), "muted from the start");
	/* the SAS: the tone's frames, 300 ms */
	for (f = 0; f < SAS / FRAME; f++) {
		CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "sas frame");
		CHECK_INT(out[0], 1000);
		CHECK_INT(out[FRAME - 1], 1000);
	}
	CHECK_STR(cidcw_phase_to_string(s.phase), "cas");
	/* the CAS, 80 ms = 4 frames, straight from the buffer */
	for (f = 0; f < 4; f++) {
		CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "cas frame");
		for (i = 0; i < FRAME; i++)
			CHECK_INT(out[i], 2000 + f * FRAME + i);
	}
	CHECK_STR(cidcw_phase_to_string(s.phase), "wait-ack");
	/* silence while waiting; the phone's D 60 ms later */
	for (f = 0; f < 3; f++) {
		CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "wait frame");
		CHECK_INT(out[0], 0);
	}
	CHECK(cidcw_digit(&s, 'D', false), "the ACK is taken");
	CHECK_STR(cidcw_phase_to_string(s.phase), "ack");
	CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "ack frame");
	CHECK_INT(out[FRAME / 2], 0);
	CHECK(cidcw_digit(&s, 'D', true), "its end is taken");
	CHECK_STR(cidcw_phase_to_string(s.phase), "gap");
	/* 100 ms of silence, then the spill in full */
	played = play_while(&s, CIDCW_GAP, 100, out);
	CHECK_INT(played, CALLERID_ACK_TO_FSK_MS / 20);
	CHECK_STR(cidcw_phase_to_string(s.phase), "fsk");
	for (f = 0; f < FSK / FRAME; f++) {
		CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "fsk frame");
		CHECK_INT(out[0], fsk[f * FRAME]);
		CHECK_INT(out[FRAME - 1], fsk[f * FRAME + FRAME - 1]);
	}
	CHECK(!cidcw_active(&s), "idle after the spill: unmuted");
	CHECK_STR(cidcw_result_to_string(cidcw_result(&s)), "sent");
	CHECK_INT(cidcw_result(&s), CIDCW_RESULT_NONE);
	CHECK(!cidcw_digit(&s, '5', false), "digits after it go on");
}

UNIT_TEST(cidcw_phases_across_frames)
{
	struct cidcw s = { 0 };
	int16_t out[FRAME];

	signals();
	/* an SAS of 250 ms ends mid-frame: the CAS follows in the frame */
	CHECK_INT(cidcw_start(&s, CALLERID_ETSI, 250 * 8, FSK), 0);
	CHECK_INT(play_while(&s, CIDCW_SAS, 12, out), 12);
	CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "the frame");
	CHECK_INT(out[79], 1000);
	CHECK_INT(out[80], 2000);
	CHECK_INT(out[FRAME - 1], 2000 + 79);
	CHECK_STR(cidcw_phase_to_string(s.phase), "cas");
	/* a spill that ends mid-frame: the rest of the frame is silence */
	CHECK_INT(cidcw_start(&s, CALLERID_ETSI, FRAME, 100), 0);
	s.phase = CIDCW_FSK;
	CHECK(cidcw_fill(&s, out, FRAME, tone, cas, fsk), "the last frame");
	CHECK_INT(out[99], fsk[99]);
	CHECK_INT(out[100], 0);
	CHECK(!cidcw_active(&s), "done");
}

UNIT_TEST(cidcw_no_ack)
{
	struct cidcw s = { 0 };
	unsigned f;

	signals();
	CHECK_INT(cidcw_start(&s, CALLERID_BELL202, SAS, FSK), 0);
	play_while(&s, CIDCW_SAS, 100, NULL);
	play_while(&s, CIDCW_CAS, 100, NULL);
	f = play_while(&s, CIDCW_WAIT_ACK, 100, NULL);
	CHECK_INT(f, CIDCW_ACK_WINDOW_MS / 20);
	CHECK(!cidcw_active(&s), "no ACK: unmuted, no spill");
	CHECK_STR(cidcw_result_to_string(cidcw_result(&s)), "no-ack");
	/* an ACK too late goes to the far end as any digit */
	CHECK(!cidcw_digit(&s, 'D', false), "a late D is the user's");
}

UNIT_TEST(cidcw_ack_digits)
{
	struct cidcw s = { 0 };

	signals();
	/* Bell: A (ADSI CPE) counts */
	CHECK_INT(cidcw_start(&s, CALLERID_BELL202, SAS, FSK), 0);
	play_while(&s, CIDCW_SAS, 100, NULL);
	play_while(&s, CIDCW_CAS, 100, NULL);
	CHECK(cidcw_digit(&s, 'A', false), "A taken");
	CHECK_STR(cidcw_phase_to_string(s.phase), "ack");
	CHECK(cidcw_digit(&s, 'A', true), "A ended");
	CHECK_STR(cidcw_phase_to_string(s.phase), "gap");
	/* ETSI: only D; A ends the sequence, and is not passed on */
	CHECK_INT(cidcw_start(&s, CALLERID_ETSI, SAS, FSK), 0);
	play_while(&s, CIDCW_SAS, 100, NULL);
	play_while(&s, CIDCW_CAS, 100, NULL);
	CHECK(cidcw_digit(&s, 'A', false), "a wrong ACK is taken");
	CHECK(!cidcw_active(&s), "and ends it");
	CHECK_STR(cidcw_result_to_string(cidcw_result(&s)), "bad-ack");
	/* a digit during the SAS is muted, and is no ACK */
	CHECK_INT(cidcw_start(&s, CALLERID_ETSI, SAS, FSK), 0);
	CHECK(cidcw_digit(&s, 'D', false), "muted");
	CHECK_STR(cidcw_phase_to_string(s.phase), "sas");
	/* an ACK that does not end */
	play_while(&s, CIDCW_SAS, 100, NULL);
	play_while(&s, CIDCW_CAS, 100, NULL);
	CHECK(cidcw_digit(&s, 'D', false), "ACK");
	CHECK_INT(play_while(&s, CIDCW_ACK, 100, NULL), CIDCW_ACK_MAX_MS / 20);
	CHECK_STR(cidcw_result_to_string(cidcw_result(&s)), "long-ack");
}

UNIT_TEST(cidcw_stop_and_args)
{
	struct cidcw s = { 0 };

	CHECK_INT(cidcw_start(&s, CALLERID_BELL202, 0, FSK), -EINVAL);
	CHECK_INT(cidcw_start(&s, CALLERID_BELL202, SAS, 0), -EINVAL);
	CHECK_INT(cidcw_start(&s, _CALLERID_STD_MAX, SAS, FSK), -EINVAL);
	CHECK_INT(cidcw_start(NULL, CALLERID_BELL202, SAS, FSK), -EINVAL);
	CHECK(!cidcw_active(&s), "a bad start leaves it idle");
	cidcw_stop(&s);
	CHECK_INT(cidcw_result(&s), CIDCW_RESULT_NONE);
	CHECK_INT(cidcw_start(&s, CALLERID_BELL202, SAS, FSK), 0);
	cidcw_stop(&s);
	CHECK(!cidcw_active(&s), "stopped");
	CHECK_STR(cidcw_result_to_string(cidcw_result(&s)), "stopped");
	CHECK(cidcw_phase_to_string(_CIDCW_PHASE_MAX) == NULL, "range");
	CHECK(cidcw_result_to_string(_CIDCW_RESULT_MAX) == NULL, "range");
}
