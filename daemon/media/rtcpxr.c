// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtcpxr.c - RTCP XR VoIP Metrics report block (RFC 3611 4.7).
 */
#include <math.h>
#include <string.h>

#include "media/rtcpxr.h"

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static unsigned clampu(unsigned v, unsigned max)
{
	return v > max ? max : v;
}

/* A signed 8-bit level; RTCP_XR_UNAVAIL passes as is. */
static uint8_t level(int v)
{
	if (v == RTCP_XR_UNAVAIL)
		return RTCP_XR_UNAVAIL;
	if (v < -128)
		v = -128;
	if (v > 126)
		v = 126;
	return (uint8_t)(int8_t)v;
}

void rtcp_xr_voip_init(struct rtcp_xr_voip *m)
{
	memset(m, 0, sizeof(*m));
	m->signal_level = RTCP_XR_UNAVAIL;
	m->noise_level = RTCP_XR_UNAVAIL;
	m->rerl = RTCP_XR_UNAVAIL;
	m->gmin = RTCP_XR_GMIN;
	m->r_factor = RTCP_XR_UNAVAIL;
	m->ext_r_factor = RTCP_XR_UNAVAIL;
	m->mos_lq = RTCP_XR_UNAVAIL;
	m->mos_cq = RTCP_XR_UNAVAIL;
}

unsigned rtcp_xr_fraction(uint64_t num, uint64_t den)
{
	if (!den)
		return 0;
	if (num >= den)
		return 255;
	return (unsigned)((double)num * 256.0 / (double)den);
}

void rtcp_xr_voip_block(const struct rtcp_xr_voip *m, uint8_t *p)
{
	memset(p, 0, RTCP_XR_VOIP_SIZE);
	p[0] = RTCP_XR_BT_VOIP;
	put16(p + 2, RTCP_XR_VOIP_SIZE / 4 - 1);
	put32(p + 4, m->ssrc);
	p[8] = (uint8_t)clampu(m->loss_rate, 255);
	p[9] = (uint8_t)clampu(m->discard_rate, 255);
	p[10] = (uint8_t)clampu(m->burst_density, 255);
	p[11] = (uint8_t)clampu(m->gap_density, 255);
	put16(p + 12, clampu(m->burst_duration, 0xffff));
	put16(p + 14, clampu(m->gap_duration, 0xffff));
	put16(p + 16, clampu(m->round_trip_delay, 0xffff));
	put16(p + 18, clampu(m->end_system_delay, 0xffff));
	p[20] = level(m->signal_level);
	p[21] = level(m->noise_level);
	p[22] = m->rerl == RTCP_XR_UNAVAIL ? RTCP_XR_UNAVAIL :
		(uint8_t)clampu(m->rerl < 0 ? 0 : (unsigned)m->rerl, 126);
	p[23] = (uint8_t)clampu(m->gmin, 255);
	p[24] = (uint8_t)clampu(m->r_factor, 127);
	p[25] = (uint8_t)clampu(m->ext_r_factor, 127);
	p[26] = (uint8_t)clampu(m->mos_lq, 127);
	p[27] = (uint8_t)clampu(m->mos_cq, 127);
	p[28] = (uint8_t)(clampu(m->plc, 3) << 6 | clampu(m->jba, 3) << 4 |
			  clampu(m->jb_rate, 15));
	put16(p + 30, clampu(m->jb_nominal, 0xffff));
	put16(p + 32, clampu(m->jb_max, 0xffff));
	put16(p + 34, clampu(m->jb_abs_max, 0xffff));
}

size_t rtcp_xr_voip_packet(const struct rtcp_xr_voip *m,
			   uint32_t sender_ssrc, uint8_t *p)
{
	p[0] = 2 << 6;
	p[1] = RTCP_XR;
	put16(p + 2, RTCP_XR_PKT_SIZE / 4 - 1);
	put32(p + 4, sender_ssrc);
	rtcp_xr_voip_block(m, p + 8);
	return RTCP_XR_PKT_SIZE;
}

/* Close the open stretch: a burst when it held two losses or more, else
 * its lone loss is the gap's. */
static void burst_close(uint64_t *open_n, uint64_t *open_lost,
			uint64_t *burst_n, uint64_t *burst_lost,
			uint64_t *bursts, uint64_t *gap_n, uint64_t *gap_lost)
{
	if (*open_lost >= 2) {
		*burst_n += *open_n;
		*burst_lost += *open_lost;
		(*bursts)++;
	} else {
		*gap_n += *open_n;
		*gap_lost += *open_lost;
	}
	*open_n = *open_lost = 0;
}

void rtcp_xr_burst_frame(struct rtcp_xr_burst *b, bool lost)
{
	b->n++;
	if (!lost) {
		b->run++;
		return;
	}
	b->lost++;
	if (b->open_lost && b->run < RTCP_XR_GMIN) {
		/* close enough to the last loss: the same stretch */
		b->open_n += b->run + 1;
		b->open_lost++;
	} else {
		burst_close(&b->open_n, &b->open_lost, &b->burst_n,
			    &b->burst_lost, &b->bursts, &b->gap_n,
			    &b->gap_lost);
		b->gap_n += b->run;
		b->open_n = b->open_lost = 1;
	}
	b->run = 0;
}

void rtcp_xr_burst_fill(const struct rtcp_xr_burst *b, unsigned frame_ms,
			struct rtcp_xr_voip *m)
{
	uint64_t open_n = b->open_n, open_lost = b->open_lost;
	uint64_t burst_n = b->burst_n, burst_lost = b->burst_lost;
	uint64_t bursts = b->bursts, gap_n = b->gap_n, gap_lost = b->gap_lost;

	/* as if the stream ended here: what follows the last loss is gap */
	burst_close(&open_n, &open_lost, &burst_n, &burst_lost, &bursts,
		    &gap_n, &gap_lost);
	gap_n += b->run;
	m->gmin = RTCP_XR_GMIN;
	m->burst_density = rtcp_xr_fraction(burst_lost, burst_n);
	m->gap_density = rtcp_xr_fraction(gap_lost, gap_n);
	m->burst_duration = bursts ?
		(unsigned)(burst_n * frame_ms / bursts) : 0;
	/* a gap before each burst and one after the last */
	m->gap_duration = gap_n ?
		(unsigned)(gap_n * frame_ms / (bursts + 1)) : 0;
}

/* mean square of a 0 dBm0 sine: 22786^2 / 2 */
#define MS_0DBM0	259600898.0

void rtcp_xr_level_frame(struct rtcp_xr_level *l, const int16_t *pcm,
			 size_t n)
{
	double ms = 0;
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n; i++)
		ms += (double)pcm[i] * pcm[i];
	ms /= (double)n;
	if (ms >= MS_0DBM0 * pow(10.0, RTCP_XR_SPEECH_DBM0 / 10.0)) {
		l->speech_sum += ms;
		l->speech_n++;
	} else {
		l->noise_sum += ms;
		l->noise_n++;
	}
}

static int level_dbm0(double sum, uint64_t n)
{
	double db;

	if (!n)
		return RTCP_XR_UNAVAIL;
	if (sum <= 0)
		return -128;
	db = 10.0 * log10(sum / (double)n / MS_0DBM0);
	return (int)lround(db < -128 ? -128 : db);
}

int rtcp_xr_level_signal(const struct rtcp_xr_level *l)
{
	return level_dbm0(l->speech_sum, l->speech_n);
}

int rtcp_xr_level_noise(const struct rtcp_xr_level *l)
{
	return level_dbm0(l->noise_sum, l->noise_n);
}
