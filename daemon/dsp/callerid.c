// SPDX-License-Identifier: GPL-2.0-only
/*
 * callerid.c - on-hook caller ID: messages, FSK, alerting, timing.  See
 * callerid.h.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "dsp/callerid.h"

static const char *const std_table[_CALLERID_STD_MAX] = {
	[CALLERID_BELL202] = "bell202",
	[CALLERID_ETSI] = "etsi",
};

static const char *const plan_table[_CALLERID_PLAN_MAX] = {
	[CALLERID_PLAN_BELL202_AFTER_FIRST_RING] = "bell202-after-ring",
	[CALLERID_PLAN_ETSI_AFTER_FIRST_RING] = "etsi-after-ring",
	[CALLERID_PLAN_ETSI_DTAS_BEFORE_RING] = "etsi-dtas",
	[CALLERID_PLAN_BELL202_NO_RING] = "bell202-no-ring",
	[CALLERID_PLAN_ETSI_DTAS_NO_RING] = "etsi-dtas-no-ring",
};

/* Per standard: FSK frequencies, mark bits, field limits. */
static const struct {
	uint16_t mark_hz, space_hz;
	uint16_t mark_bits;
	uint8_t number_max, name_max;
} stds[_CALLERID_STD_MAX] = {
	[CALLERID_BELL202] = { 1200, 2200, CALLERID_BELL_MARK_BITS, 15, 15 },
	[CALLERID_ETSI] = { 1300, 2100, CALLERID_ETSI_MARK_BITS, 20, 50 },
};

const char *callerid_std_to_string(enum callerid_std s)
{
	if (s < 0 || s >= _CALLERID_STD_MAX)
		return NULL;
	return std_table[s];
}

enum callerid_std callerid_std_from_string(const char *s)
{
	if (s)
		for (unsigned i = 0; i < _CALLERID_STD_MAX; i++)
			if (strcasecmp(s, std_table[i]) == 0)
				return (enum callerid_std)i;
	return _CALLERID_STD_INVALID;
}

const char *callerid_plan_mode_to_string(enum callerid_plan_mode m)
{
	if (m < 0 || m >= _CALLERID_PLAN_MAX)
		return NULL;
	return plan_table[m];
}

enum callerid_plan_mode callerid_plan_mode_from_string(const char *s)
{
	if (s)
		for (unsigned i = 0; i < _CALLERID_PLAN_MAX; i++)
			if (strcasecmp(s, plan_table[i]) == 0)
				return (enum callerid_plan_mode)i;
	return _CALLERID_PLAN_INVALID;
}

enum callerid_std callerid_plan_std(enum callerid_plan_mode m)
{
	switch (m) {
	case CALLERID_PLAN_BELL202_AFTER_FIRST_RING:
	case CALLERID_PLAN_BELL202_NO_RING:
		return CALLERID_BELL202;
	case CALLERID_PLAN_ETSI_AFTER_FIRST_RING:
	case CALLERID_PLAN_ETSI_DTAS_BEFORE_RING:
	case CALLERID_PLAN_ETSI_DTAS_NO_RING:
		return CALLERID_ETSI;
	default:
		return _CALLERID_STD_INVALID;
	}
}

uint8_t callerid_checksum(const uint8_t *buf, size_t len)
{
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += buf[i];
	return (uint8_t)(0x100 - (sum & 0xff));
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static bool valid_reason(char r)
{
	return r == CALLERID_REASON_PRIVATE || r == CALLERID_REASON_UNAVAILABLE;
}

/* A message under construction. */
struct msgbuf {
	uint8_t b[CALLERID_MSG_MAX];
	size_t n;
};

static void put(struct msgbuf *m, const void *p, size_t len)
{
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

static void put_param(struct msgbuf *m, uint8_t type, const void *p,
		      size_t len)
{
	m->b[m->n++] = type;
	m->b[m->n++] = (uint8_t)len;
	put(m, p, len);
}

/* @when as local time MMDDHHMM in @date (9 bytes with the NUL). */
static int format_date(time_t when, char date[9])
{
	struct tm tm;

	if (!localtime_r(&when, &tm))
		return -EINVAL;
	/* The ranges bound every field to two digits. */
	snprintf(date, 9, "%02u%02u%02u%02u",
		 (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
		 (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u);
	return 0;
}

int callerid_message(enum callerid_std std, bool mdmf,
		     const struct callerid_info *info, uint8_t *buf, size_t len)
{
	struct msgbuf m = { .n = 2 };
	char date[9], nreason = 0, mreason = 0;
	size_t nlen, mlen;
	bool have_date = false;

	if (std < 0 || std >= _CALLERID_STD_MAX || !info || !buf)
		return -EINVAL;
	if (std == CALLERID_ETSI)
		mdmf = true;

	if (info->when != (time_t)-1) {
		int r = format_date(info->when, date);

		if (r < 0)
			return r;
		have_date = true;
	} else if (!mdmf) {
		return -EINVAL;
	}

	/* The number, or the reason why not. */
	nlen = strnlen(info->number, sizeof(info->number));
	if (nlen == sizeof(info->number))
		return -EINVAL;
	if (info->number_reason) {
		if (!valid_reason(info->number_reason))
			return -EINVAL;
		nreason = info->number_reason;
	} else if (nlen == 0) {
		nreason = CALLERID_REASON_UNAVAILABLE;
	} else if (!printable(info->number)) {
		return -EINVAL;
	} else if (nlen > stds[std].number_max) {
		return -E2BIG;
	}

	/* The name (cut to the standard's limit), or the reason why not. */
	mlen = strnlen(info->name, sizeof(info->name));
	if (mlen == sizeof(info->name))
		return -EINVAL;
	if (info->name_reason) {
		if (!valid_reason(info->name_reason))
			return -EINVAL;
		mreason = info->name_reason;
	} else if (mlen == 0) {
		mreason = CALLERID_REASON_UNAVAILABLE;
	} else if (!printable(info->name)) {
		return -EINVAL;
	} else if (mlen > stds[std].name_max) {
		mlen = stds[std].name_max;
	}

	if (mdmf) {
		m.b[0] = CALLERID_MSG_MDMF;
		if (have_date)
			put_param(&m, CALLERID_PARAM_DATETIME, date, 8);
		if (nreason)
			put_param(&m, CALLERID_PARAM_NUMBER_ABSENT, &nreason, 1);
		else
			put_param(&m, CALLERID_PARAM_NUMBER, info->number, nlen);
		if (mreason)
			put_param(&m, CALLERID_PARAM_NAME_ABSENT, &mreason, 1);
		else
			put_param(&m, CALLERID_PARAM_NAME, info->name, mlen);
	} else {
		m.b[0] = CALLERID_MSG_SDMF;
		put(&m, date, 8);
		if (nreason)
			put(&m, &nreason, 1);
		else
			put(&m, info->number, nlen);
	}
	m.b[1] = (uint8_t)(m.n - 2);
	m.b[m.n] = callerid_checksum(m.b, m.n);
	m.n++;

	if (len < m.n)
		return -ENOSPC;
	memcpy(buf, m.b, m.n);
	return (int)m.n;
}

int callerid_mwi_message(enum callerid_std std, bool mdmf, bool on,
			 time_t when, uint8_t *buf, size_t len)
{
	struct msgbuf m = { .n = 2 };
	uint8_t v = on ? CALLERID_MWI_ON : CALLERID_MWI_OFF;

	if (std < 0 || std >= _CALLERID_STD_MAX || !buf)
		return -EINVAL;
	if (std == CALLERID_ETSI)
		mdmf = true;
	if (!mdmf) {
		v = on ? CALLERID_SDMF_MWI_ON : CALLERID_SDMF_MWI_OFF;
		m.b[0] = CALLERID_MSG_SDMF_MWI;
		put(&m, (uint8_t[3]){ v, v, v }, 3);
	} else {
		m.b[0] = CALLERID_MSG_MDMF_MWI;
		if (when != (time_t)-1) {
			char date[9];
			int r = format_date(when, date);

			if (r < 0)
				return r;
			put_param(&m, CALLERID_PARAM_DATETIME, date, 8);
		}
		put_param(&m, CALLERID_PARAM_VISUAL_INDICATOR, &v, 1);
	}
	m.b[1] = (uint8_t)(m.n - 2);
	m.b[m.n] = callerid_checksum(m.b, m.n);
	m.n++;
	if (len < m.n)
		return -ENOSPC;
	memcpy(buf, m.b, m.n);
	return (int)m.n;
}

/* The preamble of a spill: channel seizure bits, then mark bits. */
struct preamble {
	uint16_t seizure, mark;
};

static struct preamble onhook_preamble(enum callerid_std std)
{
	return (struct preamble){ CALLERID_SEIZURE_BITS, stds[std].mark_bits };
}

static struct preamble offhook_preamble(void)
{
	return (struct preamble){ 0, CALLERID_OFFHOOK_MARK_BITS };
}

static uint64_t total_bits(struct preamble pre, size_t len)
{
	return pre.seizure + pre.mark + 10 * (uint64_t)len +
	       CALLERID_TRAILER_BITS;
}

/* Samples n with floor(3 n / 20) < bits: ceil(20 bits / 3). */
static uint64_t bits_to_samples(uint64_t bits)
{
	return (bits * (CALLERID_RATE / 400) + (CALLERID_BAUD / 400) - 1) /
	       (CALLERID_BAUD / 400);
}

size_t callerid_samples_needed(enum callerid_std std, size_t len)
{
	if (std < 0 || std >= _CALLERID_STD_MAX || len > CALLERID_MSG_MAX)
		return 0;
	return (size_t)bits_to_samples(total_bits(onhook_preamble(std), len));
}

size_t callerid_offhook_samples_needed(enum callerid_std std, size_t len)
{
	if (std < 0 || std >= _CALLERID_STD_MAX || len > CALLERID_MSG_MAX)
		return 0;
	return (size_t)bits_to_samples(total_bits(offhook_preamble(), len));
}

static uint32_t phase_step(unsigned hz)
{
	return (uint32_t)llround((double)hz * 4294967296.0 / CALLERID_RATE);
}

static int16_t osc(uint32_t phase, double amplitude)
{
	return (int16_t)lround(amplitude * sin(phase * (2.0 * M_PI / 4294967296.0)));
}

/* Bit @k of the spill: seizure 0101..., mark, framed bytes, trailer. */
static unsigned spill_bit(struct preamble pre, const uint8_t *msg,
			  size_t len, uint64_t k)
{
	unsigned pos;

	if (k < pre.seizure)
		return k & 1;
	k -= pre.seizure;
	if (k < pre.mark)
		return 1;
	k -= pre.mark;
	if (k >= 10 * (uint64_t)len)
		return 1;
	pos = k % 10;
	if (pos == 0)
		return 0;		/* start bit */
	if (pos == 9)
		return 1;		/* stop bit */
	return (msg[k / 10] >> (pos - 1)) & 1;
}

static int modulate(enum callerid_std std, struct preamble pre,
		    const uint8_t *msg, size_t len, int16_t *out, size_t max)
{
	uint32_t phase = 0, step[2];
	size_t n = (size_t)bits_to_samples(total_bits(pre, len));

	if (max < n)
		return -ENOSPC;
	step[0] = phase_step(stds[std].space_hz);
	step[1] = phase_step(stds[std].mark_hz);
	for (size_t i = 0; i < n; i++) {
		unsigned bit = spill_bit(pre, msg, len,
					 (uint64_t)i * (CALLERID_BAUD / 400) /
					 (CALLERID_RATE / 400));

		out[i] = osc(phase, CALLERID_AMPLITUDE);
		phase += step[bit];
	}
	return (int)n;
}

int callerid_modulate(enum callerid_std std, const uint8_t *msg, size_t len,
		      int16_t *out, size_t max)
{
	if (std < 0 || std >= _CALLERID_STD_MAX || (!msg && len) || !out ||
	    len > CALLERID_MSG_MAX)
		return -EINVAL;
	return modulate(std, onhook_preamble(std), msg, len, out, max);
}

int callerid_modulate_offhook(enum callerid_std std, const uint8_t *msg,
			      size_t len, int16_t *out, size_t max)
{
	if (std < 0 || std >= _CALLERID_STD_MAX || (!msg && len) || !out ||
	    len > CALLERID_MSG_MAX)
		return -EINVAL;
	return modulate(std, offhook_preamble(), msg, len, out, max);
}

int callerid_offhook_spill(enum callerid_std std, bool mdmf,
			   const struct callerid_info *info, int16_t *out,
			   size_t max)
{
	uint8_t msg[CALLERID_MSG_MAX];
	int len = callerid_message(std, mdmf, info, msg, sizeof(msg));

	if (len < 0)
		return len;
	if (!out)
		return -EINVAL;
	return callerid_modulate_offhook(std, msg, (size_t)len, out, max);
}

/* @n samples of f1 + f2, each at peak CALLERID_AMPLITUDE, from phase 0. */
static void dual_tone(unsigned f1, unsigned f2, int16_t *out, size_t n)
{
	uint32_t p1 = 0, p2 = 0, s1 = phase_step(f1), s2 = phase_step(f2);

	for (size_t i = 0; i < n; i++) {
		out[i] = (int16_t)(osc(p1, CALLERID_AMPLITUDE) +
				   osc(p2, CALLERID_AMPLITUDE));
		p1 += s1;
		p2 += s2;
	}
}

int callerid_cas(int16_t *out, size_t max)
{
	if (!out)
		return -EINVAL;
	if (max < CALLERID_CAS_SAMPLES)
		return -ENOSPC;
	dual_tone(CALLERID_CAS_F1, CALLERID_CAS_F2, out, CALLERID_CAS_SAMPLES);
	return CALLERID_CAS_SAMPLES;
}

bool callerid_ack_valid(enum callerid_std std, char digit)
{
	switch (std) {
	case CALLERID_BELL202:
		return digit == CALLERID_ACK_DIGIT ||
		       digit == CALLERID_ACK_DIGIT_ALT;
	case CALLERID_ETSI:
		return digit == CALLERID_ACK_DIGIT;
	default:
		return false;
	}
}

int callerid_dtas(int16_t *out, size_t max)
{
	if (!out)
		return -EINVAL;
	if (max < CALLERID_DTAS_SAMPLES)
		return -ENOSPC;
	dual_tone(CALLERID_DTAS_F1, CALLERID_DTAS_F2, out, CALLERID_DTAS_SAMPLES);
	return CALLERID_DTAS_SAMPLES;
}

uint32_t callerid_samples_ms(size_t samples)
{
	const size_t per_ms = CALLERID_RATE / 1000;

	return (uint32_t)((samples + per_ms - 1) / per_ms);
}

int callerid_plan(enum callerid_plan_mode mode, uint32_t ring_on_ms,
		  uint32_t ring_off_ms, size_t fsk_samples,
		  struct callerid_step steps[CALLERID_PLAN_STEPS_MAX])
{
	uint32_t fsk_ms = callerid_samples_ms(fsk_samples);
	unsigned n = 0;

#define STEP(a, t)	(steps[n++] = (struct callerid_step){ (a), (t) })
	if (!steps || fsk_samples == 0)
		return -EINVAL;
	switch (mode) {
	case CALLERID_PLAN_BELL202_AFTER_FIRST_RING:
	case CALLERID_PLAN_ETSI_AFTER_FIRST_RING:
		if (ring_on_ms == 0)
			return -EINVAL;
		if ((uint64_t)CALLERID_RING_TO_FSK_MS + fsk_ms +
		    CALLERID_FSK_TO_RING_MIN_MS > ring_off_ms)
			return -ERANGE;
		STEP(CALLERID_STEP_RING_FIRST, ring_on_ms);
		STEP(CALLERID_STEP_FEED_OHT, 0);
		STEP(CALLERID_STEP_WAIT, CALLERID_RING_TO_FSK_MS);
		STEP(CALLERID_STEP_FSK, fsk_ms);
		STEP(CALLERID_STEP_FEED_NORMAL, 0);
		STEP(CALLERID_STEP_WAIT,
		     ring_off_ms - CALLERID_RING_TO_FSK_MS - fsk_ms);
		STEP(CALLERID_STEP_RING_CADENCE, 0);
		break;
	case CALLERID_PLAN_ETSI_DTAS_BEFORE_RING:
		STEP(CALLERID_STEP_REVERSE_POLARITY, 0);
		STEP(CALLERID_STEP_FEED_OHT, 0);
		STEP(CALLERID_STEP_WAIT, CALLERID_REVERSAL_TO_DTAS_MS);
		STEP(CALLERID_STEP_DTAS, CALLERID_DTAS_MS);
		STEP(CALLERID_STEP_WAIT, CALLERID_DTAS_TO_FSK_MS);
		STEP(CALLERID_STEP_FSK, fsk_ms);
		STEP(CALLERID_STEP_FEED_NORMAL, 0);
		STEP(CALLERID_STEP_NORMAL_POLARITY, 0);
		STEP(CALLERID_STEP_WAIT, CALLERID_FSK_TO_FIRST_RING_MS);
		STEP(CALLERID_STEP_RING_CADENCE, 0);
		break;
	case CALLERID_PLAN_BELL202_NO_RING:
		STEP(CALLERID_STEP_FEED_OHT, 0);
		STEP(CALLERID_STEP_WAIT, CALLERID_OHT_TO_FSK_MS);
		STEP(CALLERID_STEP_FSK, fsk_ms);
		STEP(CALLERID_STEP_FEED_NORMAL, 0);
		break;
	case CALLERID_PLAN_ETSI_DTAS_NO_RING:
		STEP(CALLERID_STEP_REVERSE_POLARITY, 0);
		STEP(CALLERID_STEP_FEED_OHT, 0);
		STEP(CALLERID_STEP_WAIT, CALLERID_REVERSAL_TO_DTAS_MS);
		STEP(CALLERID_STEP_DTAS, CALLERID_DTAS_MS);
		STEP(CALLERID_STEP_WAIT, CALLERID_DTAS_TO_FSK_MS);
		STEP(CALLERID_STEP_FSK, fsk_ms);
		STEP(CALLERID_STEP_FEED_NORMAL, 0);
		STEP(CALLERID_STEP_NORMAL_POLARITY, 0);
		break;
	default:
		return -EINVAL;
	}
#undef STEP
	return (int)n;
}

int callerid_offhook_plan(uint32_t sas_ms, size_t fsk_samples,
			  struct callerid_step steps[CALLERID_PLAN_STEPS_MAX])
{
	unsigned n = 0;

	if (!steps || !sas_ms || !fsk_samples)
		return -EINVAL;
	steps[n++] = (struct callerid_step){ CALLERID_STEP_MUTE_FAR_END, 0 };
	steps[n++] = (struct callerid_step){ CALLERID_STEP_SAS, sas_ms };
	steps[n++] = (struct callerid_step){ CALLERID_STEP_CAS, CALLERID_CAS_MS };
	steps[n++] = (struct callerid_step){ CALLERID_STEP_WAIT_ACK,
					     CALLERID_CAS_TO_ACK_MS };
	steps[n++] = (struct callerid_step){ CALLERID_STEP_WAIT,
					     CALLERID_ACK_TO_FSK_MS };
	steps[n++] = (struct callerid_step){ CALLERID_STEP_FSK,
					     callerid_samples_ms(fsk_samples) };
	steps[n++] = (struct callerid_step){ CALLERID_STEP_UNMUTE_FAR_END, 0 };
	return (int)n;
}
