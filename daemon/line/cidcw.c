// SPDX-License-Identifier: GPL-2.0-only
/*
 * cidcw.c - the sequencer of caller ID on call waiting; see cidcw.h.
 */
#include <string.h>

#include "line/cidcw.h"

#define MS(x)	((uint32_t)(x) * (CALLERID_RATE / 1000))

static const char *const phase_names[_CIDCW_PHASE_MAX] = {
	[CIDCW_IDLE] = "idle",
	[CIDCW_SAS] = "sas",
	[CIDCW_CAS] = "cas",
	[CIDCW_WAIT_ACK] = "wait-ack",
	[CIDCW_ACK] = "ack",
	[CIDCW_GAP] = "gap",
	[CIDCW_FSK] = "fsk",
};

static const char *const result_names[_CIDCW_RESULT_MAX] = {
	[CIDCW_RESULT_NONE] = "none",
	[CIDCW_RESULT_SENT] = "sent",
	[CIDCW_RESULT_NO_ACK] = "no-ack",
	[CIDCW_RESULT_BAD_ACK] = "bad-ack",
	[CIDCW_RESULT_LONG_ACK] = "long-ack",
	[CIDCW_RESULT_STOPPED] = "stopped",
};

const char *cidcw_phase_to_string(enum cidcw_phase p)
{
	return (unsigned)p < _CIDCW_PHASE_MAX ? phase_names[p] : NULL;
}

const char *cidcw_result_to_string(enum cidcw_result r)
{
	return (unsigned)r < _CIDCW_RESULT_MAX ? result_names[r] : NULL;
}

int cidcw_start(struct cidcw *s, enum callerid_std std, uint32_t sas_samples,
		uint32_t fsk_samples)
{
	if (!s || (unsigned)std >= _CALLERID_STD_MAX || !sas_samples ||
	    !fsk_samples)
		return -EINVAL;
	*s = (struct cidcw){ .phase = CIDCW_SAS, .sas = sas_samples,
			     .fsk = fsk_samples, .std = std,
			     .result = s->result };
	return 0;
}

static void finish(struct cidcw *s, enum cidcw_result r)
{
	s->phase = CIDCW_IDLE;
	s->pos = 0;
	s->result = r;
}

static void go(struct cidcw *s, enum cidcw_phase p)
{
	s->phase = p;
	s->pos = 0;
}

void cidcw_stop(struct cidcw *s)
{
	if (s && s->phase != CIDCW_IDLE)
		finish(s, CIDCW_RESULT_STOPPED);
}

bool cidcw_active(const struct cidcw *s)
{
	return s && s->phase != CIDCW_IDLE;
}

/* The length of a timed phase, in samples (0: untimed). */
static uint32_t phase_len(const struct cidcw *s)
{
	switch (s->phase) {
	case CIDCW_SAS:
		return s->sas;
	case CIDCW_CAS:
		return CALLERID_CAS_SAMPLES;
	case CIDCW_WAIT_ACK:
		return MS(CIDCW_ACK_WINDOW_MS);
	case CIDCW_ACK:
		return MS(CIDCW_ACK_MAX_MS);
	case CIDCW_GAP:
		return MS(CALLERID_ACK_TO_FSK_MS);
	case CIDCW_FSK:
		return s->fsk;
	default:
		return 0;
	}
}

/* The phase after a timed phase ran out. */
static void timeout(struct cidcw *s)
{
	switch (s->phase) {
	case CIDCW_SAS:
		go(s, CIDCW_CAS);
		break;
	case CIDCW_CAS:
		go(s, CIDCW_WAIT_ACK);
		break;
	case CIDCW_WAIT_ACK:
		finish(s, CIDCW_RESULT_NO_ACK);
		break;
	case CIDCW_ACK:
		finish(s, CIDCW_RESULT_LONG_ACK);
		break;
	case CIDCW_GAP:
		go(s, CIDCW_FSK);
		break;
	default:
		finish(s, CIDCW_RESULT_SENT);
		break;
	}
}

bool cidcw_fill(struct cidcw *s, int16_t *out, uint32_t n, const int16_t *tone,
		const int16_t *cas, const int16_t *fsk)
{
	uint32_t i = 0;

	if (!s || s->phase == CIDCW_IDLE || !out)
		return false;
	while (i < n && s->phase != CIDCW_IDLE) {
		uint32_t len = phase_len(s), k = len - s->pos;

		if (k > n - i)
			k = n - i;
		switch (s->phase) {
		case CIDCW_SAS:
			if (tone)
				memcpy(out + i, tone + i, k * sizeof(*out));
			else
				memset(out + i, 0, k * sizeof(*out));
			break;
		case CIDCW_CAS:
			if (cas)
				memcpy(out + i, cas + s->pos, k * sizeof(*out));
			else
				memset(out + i, 0, k * sizeof(*out));
			break;
		case CIDCW_FSK:
			if (fsk)
				memcpy(out + i, fsk + s->pos, k * sizeof(*out));
			else
				memset(out + i, 0, k * sizeof(*out));
			break;
		default:
			memset(out + i, 0, k * sizeof(*out));
			break;
		}
		i += k;
		s->pos += k;
		if (s->pos >= len)
			timeout(s);
	}
	if (i < n)
		memset(out + i, 0, (n - i) * sizeof(*out));
	return true;
}

bool cidcw_digit(struct cidcw *s, char digit, bool end)
{
	if (!s)
		return false;
	switch (s->phase) {
	case CIDCW_CAS:
	case CIDCW_WAIT_ACK:
		if (end)
			return true;	/* a digit begun before the CAS */
		if (!callerid_ack_valid(s->std, digit)) {
			finish(s, CIDCW_RESULT_BAD_ACK);
			return true;
		}
		s->ack = digit;
		go(s, CIDCW_ACK);
		return true;
	case CIDCW_ACK:
		if (end && digit == s->ack)
			go(s, CIDCW_GAP);
		return true;
	case CIDCW_IDLE:
		return false;
	default:
		return true;
	}
}

enum cidcw_result cidcw_result(struct cidcw *s)
{
	enum cidcw_result r;

	if (!s)
		return CIDCW_RESULT_NONE;
	r = s->result;
	s->result = CIDCW_RESULT_NONE;
	return r;
}
