// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_rtcpxr.c - the RTCP XR VoIP Metrics block (RFC 3611 4.7): every
 * field at its RFC offset, clamping, and (when tshark is installed) the
 * block decoded by Wireshark's RTCP dissector from a pcap of a compound
 * RR + XR packet, an independent decoder.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "media/rtcpxr.h"
#include "unit.h"

static unsigned get16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void sample(struct rtcp_xr_voip *m)
{
	rtcp_xr_voip_init(m);
	m->ssrc = 0x11223344;
	m->loss_rate = 26;
	m->discard_rate = 13;
	m->burst_density = 64;
	m->gap_density = 5;
	m->burst_duration = 120;
	m->gap_duration = 3000;
	m->round_trip_delay = 45;
	m->end_system_delay = 70;
	m->signal_level = -20;
	m->noise_level = -70;
	m->rerl = 52;
	m->r_factor = 88;
	m->mos_lq = 42;
	m->mos_cq = 40;
	m->plc = RTCP_XR_PLC_STANDARD;
	m->jba = RTCP_XR_JBA_ADAPTIVE;
	m->jb_rate = 0;
	m->jb_nominal = 40;
	m->jb_max = 120;
	m->jb_abs_max = 200;
}

UNIT_TEST(rtcpxr_layout)
{
	struct rtcp_xr_voip m;
	uint8_t p[RTCP_XR_PKT_SIZE + 4];

	memset(p, 0xee, sizeof(p));
	sample(&m);
	CHECK_INT(rtcp_xr_voip_packet(&m, 0xaabbccdd, p), 44);
	CHECK_INT(p[RTCP_XR_PKT_SIZE], 0xee);		/* no overrun */
	/* XR header: V=2, P=0, reserved 0, PT 207, length 10 words - 1 */
	CHECK_INT(p[0], 0x80);
	CHECK_INT(p[1], 207);
	CHECK_INT(get16(p + 2), 10);
	CHECK_INT(get32(p + 4), 0xaabbccdd);
	/* block: BT 7, reserved 0, block length 8 */
	const uint8_t *b = p + 8;
	CHECK_INT(b[0], 7);
	CHECK_INT(b[1], 0);
	CHECK_INT(get16(b + 2), 8);
	CHECK_INT(get32(b + 4), 0x11223344);
	CHECK_INT(b[8], 26);		/* loss rate */
	CHECK_INT(b[9], 13);		/* discard rate */
	CHECK_INT(b[10], 64);		/* burst density */
	CHECK_INT(b[11], 5);		/* gap density */
	CHECK_INT(get16(b + 12), 120);	/* burst duration */
	CHECK_INT(get16(b + 14), 3000);	/* gap duration */
	CHECK_INT(get16(b + 16), 45);	/* round trip delay */
	CHECK_INT(get16(b + 18), 70);	/* end system delay */
	CHECK_INT((int8_t)b[20], -20);	/* signal level */
	CHECK_INT((int8_t)b[21], -70);	/* noise level */
	CHECK_INT(b[22], 52);		/* RERL */
	CHECK_INT(b[23], 16);		/* Gmin */
	CHECK_INT(b[24], 88);		/* R factor */
	CHECK_INT(b[25], 127);		/* ext R: unavailable */
	CHECK_INT(b[26], 42);		/* MOS-LQ */
	CHECK_INT(b[27], 40);		/* MOS-CQ */
	CHECK_INT(b[28], 0xf0);		/* PLC 11, JBA 11, rate 0 */
	CHECK_INT(b[29], 0);		/* reserved */
	CHECK_INT(get16(b + 30), 40);
	CHECK_INT(get16(b + 32), 120);
	CHECK_INT(get16(b + 34), 200);
}

UNIT_TEST(rtcpxr_unavailable_and_clamp)
{
	struct rtcp_xr_voip m;
	uint8_t b[RTCP_XR_VOIP_SIZE];

	rtcp_xr_voip_init(&m);
	rtcp_xr_voip_block(&m, b);
	CHECK_INT(b[20], 127);
	CHECK_INT(b[21], 127);
	CHECK_INT(b[22], 127);
	CHECK_INT(b[23], 16);
	CHECK_INT(b[24], 127);
	CHECK_INT(b[25], 127);
	CHECK_INT(b[26], 127);
	CHECK_INT(b[27], 127);
	CHECK_INT(b[28], 0);
	m.loss_rate = 999;
	m.gap_duration = 70000;
	m.signal_level = -300;
	m.rerl = -5;
	m.mos_lq = 200;
	m.plc = 9;
	rtcp_xr_voip_block(&m, b);
	CHECK_INT(b[8], 255);
	CHECK_INT(get16(b + 14), 0xffff);
	CHECK_INT((int8_t)b[20], -128);
	CHECK_INT(b[22], 0);
	CHECK_INT(b[26], 127);
	CHECK_INT(b[28], 0xc0);
	CHECK_INT(rtcp_xr_fraction(0, 0), 0);
	CHECK_INT(rtcp_xr_fraction(1, 10), 25);
	CHECK_INT(rtcp_xr_fraction(10, 10), 255);
	CHECK_INT(rtcp_xr_fraction(UINT64_MAX / 2, UINT64_MAX), 128);
}

static void le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	fwrite(b, 1, 4, f);
}

static void le16(FILE *f, unsigned v)
{
	uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	fwrite(b, 1, 2, f);
}

/* One IPv4/UDP frame 127.0.0.1:4001 -> :5001 in a LINKTYPE_RAW pcap. */
static void write_pcap(const char *path, const uint8_t *pl, size_t n)
{
	uint8_t ip[28] = { 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17, 0, 0,
			   127, 0, 0, 1, 127, 0, 0, 1,
			   4001 >> 8, 4001 & 255, 5001 >> 8, 5001 & 255 };
	size_t len = sizeof(ip) + n;
	unsigned sum = 0;
	FILE *f = fopen(path, "wb");

	CHECK(f, "fopen %s", path);
	if (!f)
		return;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	for (int i = 0; i < 20; i += 2)
		sum += get16(ip + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	ip[24] = (uint8_t)((8 + n) >> 8);
	ip[25] = (uint8_t)(8 + n);
	le32(f, 0xa1b2c3d4);
	le16(f, 2);
	le16(f, 4);
	le32(f, 0);
	le32(f, 0);
	le32(f, 65535);
	le32(f, 101);			/* LINKTYPE_RAW */
	le32(f, 0);
	le32(f, 0);
	le32(f, (uint32_t)len);
	le32(f, (uint32_t)len);
	fwrite(ip, 1, sizeof(ip), f);
	fwrite(pl, 1, n, f);
	fclose(f);
}

UNIT_TEST(rtcpxr_tshark)
{
	static const char *const want[] = {
		"Type: VoIP Metrics Report Block (7)",
		"Identifier: 0x11223344",
		"Fraction lost: 26 / 256",
		"Fraction discarded: 13 / 256",
		"Burst Density: 64",
		"Gap Density: 5",
		"Burst Duration(ms): 120",
		"Gap Duration(ms): 3000",
		"Round Trip Delay(ms): 45",
		"End System Delay(ms): 70",
		"Signal Level: -20",
		"Noise Level: -70",
		"Residual Echo Return Loss: 52",
		"Gmin: 16",
		"R Factor: 88",
		"External R Factor: Unavailable",
		"MOS - Listening Quality: 4.2",
		"MOS - Conversational Quality: 4",
		"Packet Loss Concealment Algorithm: Standard (3)",
		"Adaptive Jitter Buffer Algorithm: Adaptive (3)",
		"Nominal Jitter Buffer Size: 40",
		"Maximum Jitter Buffer Size: 120",
		"Absolute Maximum Jitter Buffer Size: 200",
		"RTCP frame length check: OK",
	};
	bool seen[sizeof(want) / sizeof(want[0])] = { 0 };
	char dir[] = "/tmp/rtcpxr.XXXXXX", path[64], cmd[160], line[256];
	uint8_t pkt[8 + RTCP_XR_PKT_SIZE] = { 0x80, 201, 0, 1,
					      0xaa, 0xbb, 0xcc, 0xdd };
	struct rtcp_xr_voip m;
	FILE *p;
	int rc;

	if (access("/usr/bin/tshark", X_OK) != 0) {
		printf("  (tshark not installed: skipped)\n");
		return;
	}
	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/xr.pcap", dir);
	sample(&m);
	rtcp_xr_voip_packet(&m, 0xaabbccdd, pkt + 8);
	write_pcap(path, pkt, sizeof(pkt));
	snprintf(cmd, sizeof(cmd),
		 "tshark -o rtcp.heuristic_rtcp:TRUE -r %s -V 2>/dev/null", path);
	p = popen(cmd, "r");
	CHECK(p, "popen tshark");
	if (!p)
		return;
	while (fgets(line, sizeof(line), p))
		for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (strstr(line, want[i]))
				seen[i] = true;
	rc = pclose(p);
	CHECK_INT(rc, 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		CHECK(seen[i], "tshark did not show \"%s\"", want[i]);
	unlink(path);
	rmdir(dir);
}

/* Bursts and gaps (RFC 3611 4.7.2, Gmin 16): 100 frames received, a
 * burst of 3 losses within 6 frames, 100 received, one lone loss, 50
 * received: one burst (6 frames, density 3/6), the rest gap (250 frames
 * with the lone loss). */
UNIT_TEST(rtcpxr_burst_gap)
{
	struct rtcp_xr_burst b = { 0 };
	struct rtcp_xr_voip m;
	int i;

	rtcp_xr_voip_init(&m);
	rtcp_xr_burst_fill(&b, 20, &m);
	CHECK_INT(m.burst_density, 0);
	CHECK_INT(m.gap_density, 0);
	CHECK_INT(m.burst_duration, 0);
	CHECK_INT(m.gap_duration, 0);
	for (i = 0; i < 100; i++)
		rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, true);
	rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, true);
	rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, true);
	for (i = 0; i < 100; i++)
		rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, true);
	for (i = 0; i < 50; i++)
		rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_fill(&b, 20, &m);
	CHECK_INT(m.gmin, 16);
	CHECK_INT(m.burst_density, 128);		/* 3 of 6 */
	CHECK_INT(m.burst_duration, 120);		/* 6 frames */
	CHECK_INT(m.gap_density, 256 * 1 / 251);	/* 1 of 251 */
	CHECK_INT(m.gap_duration, 251 * 20 / 2);	/* 2 gaps */
	CHECK(b.n == 257 && b.lost == 4, "%llu frames, %llu lost",
	      (unsigned long long)b.n, (unsigned long long)b.lost);

	/* losses Gmin frames apart are two lone losses, not a burst */
	memset(&b, 0, sizeof(b));
	rtcp_xr_burst_frame(&b, true);
	for (i = 0; i < 16; i++)
		rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, true);
	rtcp_xr_burst_fill(&b, 20, &m);
	CHECK_INT(m.burst_density, 0);
	CHECK_INT(m.burst_duration, 0);
	CHECK_INT(m.gap_density, rtcp_xr_fraction(2, 18));
	/* 15 apart: one burst of 17 frames */
	memset(&b, 0, sizeof(b));
	rtcp_xr_burst_frame(&b, true);
	for (i = 0; i < 15; i++)
		rtcp_xr_burst_frame(&b, false);
	rtcp_xr_burst_frame(&b, true);
	rtcp_xr_burst_fill(&b, 20, &m);
	CHECK_INT(m.burst_density, rtcp_xr_fraction(2, 17));
	CHECK_INT(m.burst_duration, 17 * 20);
	CHECK_INT(m.gap_density, 0);
}

/* Levels: a sine of peak 22786 is 0 dBm0, so one of 7206 is -10 dBm0
 * (speech: the signal level); one of 72 is -50 dBm0, below
 * RTCP_XR_SPEECH_DBM0 (-45): the noise level; digital silence -128. */
UNIT_TEST(rtcpxr_levels)
{
	struct rtcp_xr_level l = { 0 };
	int16_t x[160];
	int i, f;

	CHECK_INT(rtcp_xr_level_signal(&l), RTCP_XR_UNAVAIL);
	CHECK_INT(rtcp_xr_level_noise(&l), RTCP_XR_UNAVAIL);
	for (f = 0; f < 10; f++) {
		for (i = 0; i < 160; i++)
			x[i] = (int16_t)lround(7206 * sin(2 * M_PI * 1000 * (f * 160 + i) / 8000.0));
		rtcp_xr_level_frame(&l, x, 160);
	}
	CHECK_INT(rtcp_xr_level_signal(&l), -10);
	CHECK_INT(rtcp_xr_level_noise(&l), RTCP_XR_UNAVAIL);
	for (f = 0; f < 10; f++) {
		for (i = 0; i < 160; i++)
			x[i] = (int16_t)lround(72 * sin(2 * M_PI * 1000 * (f * 160 + i) / 8000.0));
		rtcp_xr_level_frame(&l, x, 160);
	}
	CHECK_INT(rtcp_xr_level_signal(&l), -10);
	CHECK_INT(rtcp_xr_level_noise(&l), -50);
	memset(x, 0, sizeof(x));
	memset(&l, 0, sizeof(l));
	rtcp_xr_level_frame(&l, x, 160);
	CHECK_INT(rtcp_xr_level_noise(&l), -128);
}
