// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_callerid.c - unit tests of callerid.c.
 *
 * Messages are checked against bytes worked out by hand; the FSK against
 * an independent model (bit sequence, bit boundaries at k * 20/3 samples,
 * phase-continuous sine) sample by sample, an in-test demodulator, a DFT
 * scan and two external decoders: minimodem (Bell 202 and, with
 * -M 1300 -S 2100, V.23 "callerid" mode) and multimon-ng's CLIPFSK
 * (ETSI EN 300 659-3 parser) through sox at 22050 Hz.  The decoders'
 * whole output is compared with the fixtures in tests/daemon/callerid/.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dsp/callerid.h"
#include "unit.h"

#define RATE		8000
#define AMPL		5070
#define MAXS		20000

/* 2024-01-02 13:45:00 UTC: 1704067200 (2024-01-01) + 86400 + 49500. */
#define JAN2_1345	((time_t)1704203100)

static void utc(void)
{
	setenv("TZ", "UTC0", 1);
	tzset();
}

static struct callerid_info info(const char *number, const char *name)
{
	struct callerid_info in = { .when = JAN2_1345 };

	snprintf(in.number, sizeof(in.number), "%s", number);
	snprintf(in.name, sizeof(in.name), "%s", name);
	return in;
}

static int check_bytes(const uint8_t *got, int n, const uint8_t *want,
		       int wn, char *why, size_t whylen)
{
	if (n != wn) {
		snprintf(why, whylen, "length %d, want %d", n, wn);
		return 0;
	}
	for (int i = 0; i < n; i++)
		if (got[i] != want[i]) {
			snprintf(why, whylen, "byte %d: 0x%02x, want 0x%02x", i,
				 got[i], want[i]);
			return 0;
		}
	return 1;
}

/* ---- messages ---------------------------------------------------------- */

UNIT_TEST(callerid_checksum_example)
{
	/* 04 12 "01021345" "5551234567": 22 + 400 + 523 = 945 = 0x3b1,
	 * 0x100 - 0xb1 = 0x4f. */
	static const uint8_t m[] = { 0x04, 0x12, '0', '1', '0', '2', '1', '3',
				     '4', '5', '5', '5', '5', '1', '2', '3',
				     '4', '5', '6', '7' };
	static const uint8_t zero[3] = { 0 };
	static const uint8_t ff[1] = { 0x01 };

	CHECK_INT(callerid_checksum(m, sizeof(m)), 0x4f);
	CHECK_INT(callerid_checksum(zero, sizeof(zero)), 0x00);
	CHECK_INT(callerid_checksum(ff, sizeof(ff)), 0xff);
	CHECK_INT(callerid_checksum(NULL, 0), 0x00);
}

UNIT_TEST(callerid_checksum_property)
{
	uint8_t buf[CALLERID_MSG_MAX];
	unsigned seed = 12345;

	utc();
	for (int t = 0; t < 500; t++) {
		struct callerid_info in = { .when = (time_t)(seed % 2000000000u) };
		int nl = (int)(seed % 16), ml = (int)(seed / 7 % 60), n;
		unsigned sum = 0;

		for (int i = 0; i < nl; i++)
			in.number[i] = (char)('0' + (seed = seed * 1103515245u + 12345u) % 10);
		for (int i = 0; i < ml; i++)
			in.name[i] = (char)(' ' + (seed = seed * 1103515245u + 12345u) % 95);
		seed = seed * 1103515245u + 12345u;
		n = callerid_message((enum callerid_std)(t & 1), t & 2, &in, buf,
				     sizeof(buf));
		CHECK(n > 3, "case %d: %d", t, n);
		CHECK_INT(buf[1], n - 3);
		for (int i = 0; i < n; i++)
			sum += buf[i];
		CHECK(sum % 256 == 0, "case %d: byte sum %u", t, sum);
		CHECK_INT(buf[n - 1], callerid_checksum(buf, (size_t)n - 1));
	}
}

UNIT_TEST(callerid_sdmf_bytes)
{
	static const uint8_t want[] = {
		0x04, 0x12, '0', '1', '0', '2', '1', '3', '4', '5',
		'5', '5', '5', '1', '2', '3', '4', '5', '6', '7', 0x4f,
	};
	/* 04 09 "01021345" 'P': 13 + 400 + 80 = 493 = 0x1ed -> 0x13. */
	static const uint8_t priv[] = {
		0x04, 0x09, '0', '1', '0', '2', '1', '3', '4', '5', 'P', 0x13,
	};
	struct callerid_info in = info("5551234567", "JOHN DOE");
	uint8_t buf[CALLERID_MSG_MAX];
	char why[80];
	int n;

	utc();
	n = callerid_message(CALLERID_BELL202, false, &in, buf, sizeof(buf));
	CHECK(check_bytes(buf, n, want, sizeof(want), why, sizeof(why)),
	      "SDMF: %s", why);
	in.number_reason = 'P';
	n = callerid_message(CALLERID_BELL202, false, &in, buf, sizeof(buf));
	CHECK(check_bytes(buf, n, priv, sizeof(priv), why, sizeof(why)),
	      "SDMF private: %s", why);
	/* An empty number is "out of area". */
	in = info("", "");
	n = callerid_message(CALLERID_BELL202, false, &in, buf, sizeof(buf));
	CHECK_INT(n, 12);
	CHECK_INT(buf[10], 'O');
	CHECK_INT(buf[11], 0x13 - ('O' - 'P'));
}

UNIT_TEST(callerid_mdmf_bytes)
{
	/* 80 20 | 01 08 "01021345" | 02 0a "5551234567" | 07 08 "JOHN DOE":
	 * 160 + 9 + 400 + 12 + 523 + 15 + 551 = 1670 = 0x686 -> 0x7a. */
	static const uint8_t want[] = {
		0x80, 0x20,
		0x01, 0x08, '0', '1', '0', '2', '1', '3', '4', '5',
		0x02, 0x0a, '5', '5', '5', '1', '2', '3', '4', '5', '6', '7',
		0x07, 0x08, 'J', 'O', 'H', 'N', ' ', 'D', 'O', 'E',
		0x7a,
	};
	/* No date, number private, name unavailable:
	 * 80 06 04 01 'P' 08 01 'O': 134 + 5 + 80 + 9 + 79 = 307 = 0x133
	 * -> 0xcd. */
	static const uint8_t anon[] = {
		0x80, 0x06, 0x04, 0x01, 'P', 0x08, 0x01, 'O', 0xcd,
	};
	struct callerid_info in = info("5551234567", "JOHN DOE");
	uint8_t buf[CALLERID_MSG_MAX];
	char why[80];
	int n;

	utc();
	n = callerid_message(CALLERID_BELL202, true, &in, buf, sizeof(buf));
	CHECK(check_bytes(buf, n, want, sizeof(want), why, sizeof(why)),
	      "MDMF: %s", why);
	/* ETSI Call Set-up uses the same codes. */
	n = callerid_message(CALLERID_ETSI, false, &in, buf, sizeof(buf));
	CHECK(check_bytes(buf, n, want, sizeof(want), why, sizeof(why)),
	      "ETSI: %s", why);

	in.when = (time_t)-1;
	in.number_reason = 'P';
	in.name_reason = 'O';
	n = callerid_message(CALLERID_BELL202, true, &in, buf, sizeof(buf));
	CHECK(check_bytes(buf, n, anon, sizeof(anon), why, sizeof(why)),
	      "MDMF anonymous: %s", why);
	n = callerid_message(CALLERID_ETSI, true, &in, buf, sizeof(buf));
	CHECK(check_bytes(buf, n, anon, sizeof(anon), why, sizeof(why)),
	      "ETSI anonymous: %s", why);
}

UNIT_TEST(callerid_name_limits_and_local_time)
{
	struct callerid_info in = info("0301234567", "Erika Mustermann-Gabler");
	uint8_t buf[CALLERID_MSG_MAX];
	int n;

	utc();
	/* Bell: the name is cut to 15 characters. */
	n = callerid_message(CALLERID_BELL202, true, &in, buf, sizeof(buf));
	CHECK_INT(n, 2 + 10 + 12 + 17 + 1);
	CHECK_INT(buf[24], 0x07);
	CHECK_INT(buf[25], 15);
	CHECK(memcmp(buf + 26, "Erika Musterman", 15) == 0, "Bell name");
	/* ETSI: up to 50. */
	n = callerid_message(CALLERID_ETSI, true, &in, buf, sizeof(buf));
	CHECK_INT(n, 2 + 10 + 12 + 25 + 1);
	CHECK_INT(buf[25], 23);
	CHECK(memcmp(buf + 26, "Erika Mustermann-Gabler", 23) == 0, "ETSI name");
	/* ETSI CLI up to 20 characters, Bell up to 15. */
	snprintf(in.number, sizeof(in.number), "%s", "00493012345678901234");
	CHECK_INT(callerid_message(CALLERID_ETSI, true, &in, buf, sizeof(buf)),
		  2 + 10 + 22 + 25 + 1);
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf,
				   sizeof(buf)), -E2BIG);

	/* The date is local time: 13:45 UTC is 08:45 EST. */
	setenv("TZ", "EST5", 1);
	tzset();
	n = callerid_message(CALLERID_BELL202, false, &in, buf, sizeof(buf));
	utc();
	CHECK(n < 0, "number too long for SDMF: %d", n);
	in = info("5551234567", "");
	setenv("TZ", "EST5", 1);
	tzset();
	n = callerid_message(CALLERID_BELL202, false, &in, buf, sizeof(buf));
	utc();
	CHECK_INT(n, 21);
	CHECK(memcmp(buf + 2, "01020845", 8) == 0, "EST date %.8s", buf + 2);
}

UNIT_TEST(callerid_message_errors)
{
	struct callerid_info in = info("5551234567", "JOHN DOE");
	uint8_t buf[CALLERID_MSG_MAX];

	utc();
	CHECK_INT(callerid_message((enum callerid_std)7, true, &in, buf,
				   sizeof(buf)), -EINVAL);
	CHECK_INT(callerid_message(CALLERID_BELL202, true, NULL, buf,
				   sizeof(buf)), -EINVAL);
	/* Room for exactly the message, and one byte less. */
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf, 35), 35);
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf, 34),
		  -ENOSPC);
	in.number_reason = 'X';
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf,
				   sizeof(buf)), -EINVAL);
	in.number_reason = 0;
	in.name_reason = 'x';
	CHECK_INT(callerid_message(CALLERID_ETSI, true, &in, buf,
				   sizeof(buf)), -EINVAL);
	in.name_reason = 0;
	in.number[3] = '\n';
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf,
				   sizeof(buf)), -EINVAL);
	in = info("5551234567", "JOHN\x7f");
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf,
				   sizeof(buf)), -EINVAL);
	/* SDMF cannot leave out the date. */
	in = info("5551234567", "");
	in.when = (time_t)-1;
	CHECK_INT(callerid_message(CALLERID_BELL202, false, &in, buf,
				   sizeof(buf)), -EINVAL);
	CHECK_INT(callerid_message(CALLERID_BELL202, true, &in, buf,
				   sizeof(buf)), 2 + 12 + 3 + 1);
	CHECK(callerid_std_from_string("ETSI") == CALLERID_ETSI, "from_string");
	CHECK(callerid_std_from_string("v23") == _CALLERID_STD_INVALID,
	      "from_string");
	CHECK_STR(callerid_std_to_string(CALLERID_BELL202), "bell202");
	CHECK(callerid_plan_mode_from_string("etsi-dtas") ==
	      CALLERID_PLAN_ETSI_DTAS_BEFORE_RING, "plan from_string");
}

/* ---- FSK --------------------------------------------------------------- */

struct fskparm {
	double mark, space;
	unsigned mark_bits;
};

static const struct fskparm parm[2] = {
	[CALLERID_BELL202] = { 1200, 2200, 180 },
	[CALLERID_ETSI] = { 1300, 2100, 80 },
};

/*
 * Off hook (Type II): no channel seizure, 80 mark bits (GR-30, EN 300
 * 659-2).  Set by the off-hook tests around their model and demodulator
 * checks.
 */
static bool offhook;

/* The expected bit sequence, built independently; returns its length. */
static size_t expect_bits(enum callerid_std std, const uint8_t *msg,
			  size_t len, uint8_t *bits)
{
	size_t n = 0;

	for (int i = 0; i < (offhook ? 0 : 300); i++)
		bits[n++] = i % 2;		/* 0101...: 0x55 framed */
	for (unsigned i = 0; i < (offhook ? 80 : parm[std].mark_bits); i++)
		bits[n++] = 1;
	for (size_t b = 0; b < len; b++) {
		bits[n++] = 0;
		for (int i = 0; i < 8; i++)
			bits[n++] = (msg[b] >> i) & 1;
		bits[n++] = 1;
	}
	for (int i = 0; i < 10; i++)
		bits[n++] = 1;
	return n;
}

/* First sample of bit k: the first n with n >= k * 8000 / 1200. */
static size_t bit_start(size_t k)
{
	return (size_t)ceil((double)k * RATE / 1200.0 - 1e-9);
}

static int build(enum callerid_std std, bool mdmf, const char *number,
		 const char *name, uint8_t *msg)
{
	struct callerid_info in = info(number, name);

	utc();
	return callerid_message(std, mdmf, &in, msg, CALLERID_MSG_MAX);
}

UNIT_TEST(callerid_fsk_length)
{
	static int16_t out[MAXS];
	uint8_t msg[CALLERID_MSG_MAX];
	int len;

	/* SDMF, 21 bytes: 300 + 180 + 210 + 10 = 700 bits, ceil(14000/3). */
	len = build(CALLERID_BELL202, false, "5551234567", "", msg);
	CHECK_INT(len, 21);
	CHECK_INT(callerid_samples_needed(CALLERID_BELL202, 21), 4667);
	CHECK_INT(callerid_modulate(CALLERID_BELL202, msg, 21, out, MAXS), 4667);
	CHECK_INT(callerid_modulate(CALLERID_BELL202, msg, 21, out, 4666),
		  -ENOSPC);
	/* MDMF, 35 bytes: 840 bits = 5600 samples = 700 ms exactly. */
	CHECK_INT(callerid_samples_needed(CALLERID_BELL202, 35), 5600);
	/* ETSI, 35 bytes: 300 + 80 + 350 + 10 = 740 bits, ceil(14800/3). */
	CHECK_INT(callerid_samples_needed(CALLERID_ETSI, 35), 4934);
	/* Three bits are 20 samples: 3 more bytes (30 bits) add 200. */
	CHECK_INT(callerid_samples_needed(CALLERID_ETSI, 38), 5134);
	CHECK_INT(callerid_samples_needed((enum callerid_std)-1, 3), 0);
	CHECK_INT(callerid_modulate((enum callerid_std)2, msg, 3, out, MAXS),
		  -EINVAL);
	CHECK_INT(callerid_samples_ms(4667), 584);
	CHECK_INT(callerid_samples_ms(5600), 700);
}

/*
 * Every sample equals A sin(phi), phi advancing by 2 pi f / 8000 with f
 * the mark or space frequency of the bit the sample belongs to: exact bit
 * timing, frequencies, level and phase continuity at once.
 */
static int model_check(enum callerid_std std, const uint8_t *msg, size_t len,
		       char *why, size_t whylen)
{
	static int16_t out[MAXS];
	static uint8_t bits[4000];
	size_t nbits = expect_bits(std, msg, len, bits), k = 0;
	int n = offhook ? callerid_modulate_offhook(std, msg, len, out, MAXS) :
		callerid_modulate(std, msg, len, out, MAXS);
	double phi = 0;

	if (n != (int)bit_start(nbits)) {
		snprintf(why, whylen, "%d samples, want %zu", n,
			 bit_start(nbits));
		return 0;
	}
	for (int i = 0; i < n; i++) {
		double want;

		while (bit_start(k + 1) <= (size_t)i)
			k++;
		want = AMPL * sin(phi);
		if (fabs(out[i] - want) > 1.5) {
			snprintf(why, whylen, "sample %d (bit %zu = %u): %d, want %.1f",
				 i, k, bits[k], out[i], want);
			return 0;
		}
		phi += 2 * M_PI * (bits[k] ? parm[std].mark : parm[std].space) / RATE;
		phi = fmod(phi, 2 * M_PI);
	}
	return 1;
}

UNIT_TEST(callerid_fsk_waveform_model)
{
	uint8_t msg[CALLERID_MSG_MAX];
	char why[120];
	int len;

	len = build(CALLERID_BELL202, false, "5551234567", "", msg);
	CHECK(model_check(CALLERID_BELL202, msg, (size_t)len, why, sizeof(why)),
	      "Bell SDMF: %s", why);
	len = build(CALLERID_BELL202, true, "5551234567", "JOHN DOE", msg);
	CHECK(model_check(CALLERID_BELL202, msg, (size_t)len, why, sizeof(why)),
	      "Bell MDMF: %s", why);
	len = build(CALLERID_ETSI, true, "0301234567", "Erika Mustermann", msg);
	CHECK(model_check(CALLERID_ETSI, msg, (size_t)len, why, sizeof(why)),
	      "ETSI: %s", why);
}

/* |sum x[i] e^{-j 2 pi f i / 8000}| over [a, b), optionally Hann-windowed. */
static double dft(const int16_t *x, size_t a, size_t b, double f, bool hann)
{
	double re = 0, im = 0, w = 1;

	for (size_t i = a; i < b; i++) {
		if (hann)
			w = 0.5 - 0.5 * cos(2 * M_PI * (double)(i - a) / (double)(b - a));
		re += w * x[i] * cos(2 * M_PI * f * (double)i / RATE);
		im -= w * x[i] * sin(2 * M_PI * f * (double)i / RATE);
	}
	return sqrt(re * re + im * im);
}

/* Demodulate bit by bit (windows at the exact bit boundaries) and check
 * against the expected bits. */
static int demod_check(enum callerid_std std, const uint8_t *msg, size_t len,
		       char *why, size_t whylen)
{
	static int16_t out[MAXS];
	static uint8_t bits[4000];
	size_t nbits = expect_bits(std, msg, len, bits);
	int n = offhook ? callerid_modulate_offhook(std, msg, len, out, MAXS) :
		callerid_modulate(std, msg, len, out, MAXS);

	if (n <= 0) {
		snprintf(why, whylen, "modulate: %d", n);
		return 0;
	}
	for (size_t k = 0; k < nbits; k++) {
		size_t a = bit_start(k), b = bit_start(k + 1);
		double m = dft(out, a, b, parm[std].mark, false);
		double s = dft(out, a, b, parm[std].space, false);

		if ((m > s) != bits[k]) {
			snprintf(why, whylen, "bit %zu: mark %.0f space %.0f, want %u",
				 k, m, s, bits[k]);
			return 0;
		}
	}
	return 1;
}

UNIT_TEST(callerid_fsk_demodulate_random)
{
	uint8_t msg[CALLERID_MSG_MAX];
	unsigned seed = 99;
	char why[120];

	for (int t = 0; t < 40; t++) {
		size_t len = 3 + t % 60;
		enum callerid_std std = (enum callerid_std)(t & 1);

		for (size_t i = 0; i < len; i++)
			msg[i] = (uint8_t)((seed = seed * 1103515245u + 12345u) >> 16);
		CHECK(demod_check(std, msg, len, why, sizeof(why)),
		      "case %d (%s, %zu bytes): %s", t,
		      callerid_std_to_string(std), len, why);
		CHECK(model_check(std, msg, len, why, sizeof(why)),
		      "case %d model: %s", t, why);
	}
}

/* The mark segment (bits 300..479 Bell, 300..379 ETSI): the peak of a
 * 5 Hz scan from 300 to 3700 Hz is the mark frequency; RMS is A / sqrt 2. */
UNIT_TEST(callerid_fsk_spectrum)
{
	static int16_t out[MAXS];
	uint8_t msg[CALLERID_MSG_MAX];

	for (int s = 0; s < 2; s++) {
		enum callerid_std std = (enum callerid_std)s;
		int len = build(std, true, "5551234567", "JOHN DOE", msg);
		int n = callerid_modulate(std, msg, (size_t)len, out, MAXS);
		size_t a = bit_start(300), b = bit_start(300 + parm[s].mark_bits);
		double best = 0, bestf = 0, e = 0, peak = 0;

		CHECK(n > 0, "modulate %d", n);
		for (double f = 300; f <= 3700; f += 5) {
			double m = dft(out, a, b, f, true);

			if (m > best) {
				best = m;
				bestf = f;
			}
		}
		CHECK(fabs(bestf - parm[s].mark) < 5.1, "%s mark peak at %.0f Hz",
		      callerid_std_to_string(std), bestf);
		for (size_t i = a; i < b; i++)
			e += (double)out[i] * out[i];
		e = sqrt(e / (double)(b - a));
		CHECK(fabs(e - AMPL / sqrt(2)) < 0.01 * AMPL, "RMS %.0f", e);
		for (int i = 0; i < n; i++)
			peak = fmax(peak, abs(out[i]));
		CHECK(peak <= AMPL && peak > AMPL - 10, "peak %.0f", peak);
		/* The message part: the power spectrum (10 Hz steps) holds at
		 * least 90 % of its energy within mark - 600 .. space + 600 Hz
		 * (the main lobes at 1200 baud; measured: 98 %).  The space
		 * frequency itself is checked sample by sample by the model. */
		{
			size_t d = bit_start(300 + parm[s].mark_bits);
			double in = 0, all = 0;

			for (double f = 0; f < 4000; f += 10) {
				double m = dft(out, d, (size_t)n, f, true);

				all += m * m;
				if (f >= parm[s].mark - 600 && f <= parm[s].space + 600)
					in += m * m;
			}
			CHECK(in > 0.9 * all, "%s: %.1f %% in band",
			      callerid_std_to_string(std), 100 * in / all);
		}
	}
}

UNIT_TEST(callerid_dtas_tones)
{
	int16_t out[CALLERID_DTAS_SAMPLES + 1];
	double f1 = 0, f2 = 0, best = 0, bestf = 0, bestf2 = 0, best2 = 0;

	CHECK_INT(callerid_dtas(out, CALLERID_DTAS_SAMPLES - 1), -ENOSPC);
	CHECK_INT(callerid_dtas(out, sizeof(out) / sizeof(out[0])), 800);
	for (double f = 300; f <= 3900; f += 10) {
		double m = dft(out, 0, 800, f, true);

		if (f < 2440 && m > best) {
			best = m;
			bestf = f;
		}
		if (f >= 2440 && m > best2) {
			best2 = m;
			bestf2 = f;
		}
	}
	CHECK(fabs(bestf - 2130) <= 10 && fabs(bestf2 - 2750) <= 10,
	      "peaks %.0f %.0f", bestf, bestf2);
	f1 = dft(out, 0, 800, 2130, false);
	f2 = dft(out, 0, 800, 2750, false);
	/* Each tone at peak A: |DFT| = A * N / 2 = 2028000 (+-2 %). */
	CHECK(fabs(f1 - AMPL * 400.0) < 0.02 * AMPL * 400 &&
	      fabs(f2 - AMPL * 400.0) < 0.02 * AMPL * 400,
	      "levels %.0f %.0f", f1, f2);
	CHECK(dft(out, 0, 800, 1000, true) < f1 / 1000, "clean");
}

/* ---- plans ------------------------------------------------------------- */

UNIT_TEST(callerid_plan_after_first_ring)
{
	struct callerid_step st[CALLERID_PLAN_STEPS_MAX];
	static const enum callerid_action want[] = {
		CALLERID_STEP_RING_FIRST, CALLERID_STEP_FEED_OHT,
		CALLERID_STEP_WAIT, CALLERID_STEP_FSK,
		CALLERID_STEP_FEED_NORMAL, CALLERID_STEP_WAIT,
		CALLERID_STEP_RING_CADENCE,
	};
	int n;

	/* US cadence 2 s on / 4 s off; SDMF 4667 samples = 584 ms. */
	n = callerid_plan(CALLERID_PLAN_BELL202_AFTER_FIRST_RING, 2000, 4000,
			  4667, st);
	CHECK_INT(n, 7);
	for (int i = 0; i < n; i++)
		CHECK(st[i].action == want[i], "step %d: %d", i, st[i].action);
	CHECK_INT(st[0].ms, 2000);
	CHECK_INT(st[2].ms, 600);
	CHECK_INT(st[3].ms, 584);
	CHECK_INT(st[5].ms, 4000 - 600 - 584);
	/* GR-30: >= 500 ms after the ring, >= 200 ms before the next. */
	CHECK(st[2].ms >= 500 && st[5].ms >= 200, "margins");

	/* DE 1 s / 4 s, ETSI; UK double ring 1000 / 2000 still fits. */
	n = callerid_plan(CALLERID_PLAN_ETSI_AFTER_FIRST_RING, 1000, 4000,
			  4934, st);
	CHECK_INT(n, 7);
	CHECK_INT(st[3].ms, 617);
	CHECK_INT(st[5].ms, 4000 - 600 - 617);
	CHECK_INT(callerid_plan(CALLERID_PLAN_ETSI_AFTER_FIRST_RING, 1000, 2000,
				4934, st), 7);
	CHECK_INT(st[5].ms, 2000 - 600 - 617);
	/* Too short a silence: 600 + 700 + 200 > 1499. */
	CHECK_INT(callerid_plan(CALLERID_PLAN_BELL202_AFTER_FIRST_RING, 2000,
				1499, 5600, st), -ERANGE);
	CHECK_INT(callerid_plan(CALLERID_PLAN_BELL202_AFTER_FIRST_RING, 2000,
				1500, 5600, st), 7);
	CHECK_INT(st[5].ms, 200);
	CHECK_INT(callerid_plan((enum callerid_plan_mode)9, 2000, 4000, 5600,
				st), -EINVAL);
	CHECK(callerid_plan_std(CALLERID_PLAN_BELL202_AFTER_FIRST_RING) ==
	      CALLERID_BELL202, "std");
}

UNIT_TEST(callerid_plan_dtas)
{
	struct callerid_step st[CALLERID_PLAN_STEPS_MAX];
	static const enum callerid_action want[] = {
		CALLERID_STEP_REVERSE_POLARITY, CALLERID_STEP_FEED_OHT,
		CALLERID_STEP_WAIT, CALLERID_STEP_DTAS, CALLERID_STEP_WAIT,
		CALLERID_STEP_FSK, CALLERID_STEP_FEED_NORMAL,
		CALLERID_STEP_NORMAL_POLARITY, CALLERID_STEP_WAIT,
		CALLERID_STEP_RING_CADENCE,
	};
	int n = callerid_plan(CALLERID_PLAN_ETSI_DTAS_BEFORE_RING, 0, 0, 4934,
			      st);

	CHECK_INT(n, 10);
	for (int i = 0; i < n; i++)
		CHECK(st[i].action == want[i], "step %d: %d", i, st[i].action);
	/* EN 300 659-1: >= 100 ms reversal to DT-AS, DT-AS 100 +- 10 ms,
	 * 45..500 ms to the FSK, ringing >= 200 ms after the FSK. */
	CHECK(st[2].ms >= 100, "reversal to DT-AS %u", st[2].ms);
	CHECK(st[3].ms >= 90 && st[3].ms <= 110, "DT-AS %u", st[3].ms);
	CHECK(st[4].ms >= 45 && st[4].ms <= 500, "DT-AS to FSK %u", st[4].ms);
	CHECK_INT(st[5].ms, 617);
	CHECK(st[8].ms >= 200, "FSK to ring %u", st[8].ms);
	CHECK(callerid_plan_std(CALLERID_PLAN_ETSI_DTAS_BEFORE_RING) ==
	      CALLERID_ETSI, "std");
}

/* ---- external decoders ------------------------------------------------- */

static void put16(FILE *f, unsigned v)
{
	fputc(v & 0xff, f);
	fputc((v >> 8) & 0xff, f);
}

static void put32(FILE *f, unsigned v)
{
	put16(f, v & 0xffff);
	put16(f, v >> 16);
}

/*
 * Write @n samples with 100 ms of silence on both sides to a temporary
 * file @path (template), as 8 kHz WAV or raw s16le.
 */
static int write_audio(char *path, const int16_t *s, size_t n, bool wav)
{
	static const int16_t zero[800];
	size_t total = n + 2 * 800;
	int fd = mkstemp(path);
	FILE *f;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "wb");
	if (!f) {
		close(fd);
		return -1;
	}
	if (wav) {
		fwrite("RIFF", 1, 4, f);
		put32(f, (unsigned)(36 + total * 2));
		fwrite("WAVEfmt ", 1, 8, f);
		put32(f, 16);
		put16(f, 1);		/* PCM */
		put16(f, 1);		/* mono */
		put32(f, RATE);
		put32(f, RATE * 2);
		put16(f, 2);
		put16(f, 16);
		fwrite("data", 1, 4, f);
		put32(f, (unsigned)(total * 2));
	}
	/* Little-endian host assumed for the samples (x86, arm64). */
	fwrite(zero, 2, 800, f);
	fwrite(s, 2, n, f);
	fwrite(zero, 2, 800, f);
	return fclose(f);
}

/* Run @cmd, return its stdout (NUL-terminated) in @out and the status. */
static int run(const char *cmd, char *out, size_t outlen)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;

	out[0] = '\0';
	if (!p)
		return -1;
	while (n + 1 < outlen) {
		size_t r = fread(out + n, 1, outlen - 1 - n, p);

		if (r == 0)
			break;
		n += r;
	}
	out[n] = '\0';
	return pclose(p);
}

static bool have(const char *tool)
{
	char cmd[128], out[256];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1 && echo yes",
		 tool);
	return run(cmd, out, sizeof(out)) == 0 && strncmp(out, "yes", 3) == 0;
}

/* The fixture next to this file: tests/daemon/callerid/@name. */
static int fixture(const char *name, char *buf, size_t len)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%.*scallerid/%s",
		 slash ? (int)(slash - __FILE__ + 1) : 0, __FILE__, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return 0;
}

enum decoder { MINIMODEM_BELL, MINIMODEM_V23, MULTIMON };

/*
 * Render @n samples, decode them with @dec and compare the decoder's
 * whole stdout with fixture @name.
 */
static int decode_check(enum decoder dec, const int16_t *s, size_t n,
			const char *name, char *why, size_t whylen)
{
	char path[] = "/tmp/fxsd-cid-XXXXXX";
	char cmd[512], got[2048], want[2048];
	int rc;

	if (!have(dec == MULTIMON ? "multimon-ng" : "minimodem") ||
	    (dec == MULTIMON && !have("sox"))) {
		snprintf(why, whylen, "decoder not installed");
		return 0;
	}
	if (fixture(name, want, sizeof(want)) < 0) {
		snprintf(why, whylen, "no fixture %s", name);
		return 0;
	}
	if (write_audio(path, s, n, dec != MULTIMON) < 0) {
		snprintf(why, whylen, "cannot write %s", path);
		return 0;
	}
	switch (dec) {
	case MINIMODEM_BELL:
		snprintf(cmd, sizeof(cmd),
			 "minimodem --rx callerid -q -f %s 2>/dev/null", path);
		break;
	case MINIMODEM_V23:
		snprintf(cmd, sizeof(cmd),
			 "minimodem --rx callerid -q -M 1300 -S 2100 -f %s 2>/dev/null",
			 path);
		break;
	case MULTIMON:
		/* multimon-ng takes raw s16 at 22050 Hz; sox without dither
		 * (-D): its random dither made multimon-ng miss the short
		 * off-hook spill in about 1 run of 6 */
		snprintf(cmd, sizeof(cmd),
			 "sox -D -t raw -r 8000 -e signed -b 16 -c 1 %s "
			 "-t raw -r 22050 -e signed -b 16 -c 1 - pad 0.2 0.5 2>/dev/null | "
			 "multimon-ng -q -c -a CLIPFSK -t raw - 2>/dev/null",
			 path);
		break;
	}
	rc = run(cmd, got, sizeof(got));
	unlink(path);
	if (rc != 0 || strcmp(got, want) != 0) {
		snprintf(why, whylen, "status %d, output \"%.400s\", want \"%.400s\"", rc,
			 got, want);
		return 0;
	}
	return 1;
}

static int spill(enum callerid_std std, bool mdmf,
		 const struct callerid_info *in, int16_t *out, size_t max)
{
	uint8_t msg[CALLERID_MSG_MAX];
	int len;

	utc();
	len = callerid_message(std, mdmf, in, msg, sizeof(msg));
	if (len < 0)
		return len;
	return callerid_modulate(std, msg, (size_t)len, out, max);
}

UNIT_TEST(callerid_minimodem_bell202)
{
	static int16_t out[MAXS];
	struct callerid_info in = info("5551234567", "JOHN DOE");
	char why[1000];
	int n;

	n = spill(CALLERID_BELL202, false, &in, out, MAXS);
	CHECK(decode_check(MINIMODEM_BELL, out, (size_t)n,
			   "minimodem-bell-sdmf.txt", why, sizeof(why)),
	      "SDMF: %s", why);
	n = spill(CALLERID_BELL202, true, &in, out, MAXS);
	CHECK(decode_check(MINIMODEM_BELL, out, (size_t)n,
			   "minimodem-bell-mdmf.txt", why, sizeof(why)),
	      "MDMF: %s", why);
	in = info("", "");
	in.number_reason = 'P';
	in.name_reason = 'P';
	n = spill(CALLERID_BELL202, true, &in, out, MAXS);
	CHECK(decode_check(MINIMODEM_BELL, out, (size_t)n,
			   "minimodem-bell-private.txt", why, sizeof(why)),
	      "MDMF private: %s", why);
}

UNIT_TEST(callerid_minimodem_v23)
{
	static int16_t out[MAXS];
	struct callerid_info in = info("0301234567", "Erika Mustermann");
	char why[1000];
	int n = spill(CALLERID_ETSI, true, &in, out, MAXS);

	CHECK(decode_check(MINIMODEM_V23, out, (size_t)n,
			   "minimodem-v23-etsi.txt", why, sizeof(why)),
	      "ETSI: %s", why);
}

UNIT_TEST(callerid_multimon_clipfsk)
{
	static int16_t out[MAXS];
	struct callerid_info in = info("0301234567", "Erika Mustermann");
	struct callerid_step st[CALLERID_PLAN_STEPS_MAX];
	char why[1000];
	int n = spill(CALLERID_ETSI, true, &in, out, MAXS), steps;
	size_t pos = 0;
	static int16_t seq[MAXS];

	CHECK(decode_check(MULTIMON, out, (size_t)n,
			   "multimon-etsi.txt", why, sizeof(why)),
	      "ETSI: %s", why);

	/* The DT-AS plan's audio as the line carries it: DT-AS, the gap,
	 * the spill (the waits before and after are silence). */
	steps = callerid_plan(CALLERID_PLAN_ETSI_DTAS_BEFORE_RING, 0, 0,
			      (size_t)n, st);
	CHECK_INT(steps, 10);
	memset(seq, 0, sizeof(seq));
	for (int i = 0; i < steps; i++) {
		if (st[i].action == CALLERID_STEP_DTAS) {
			CHECK_INT(callerid_dtas(seq + pos, MAXS - pos), 800);
			pos += 800;
		} else if (st[i].action == CALLERID_STEP_WAIT && pos) {
			pos += st[i].ms * 8;
		} else if (st[i].action == CALLERID_STEP_FSK) {
			CHECK_INT(spill(CALLERID_ETSI, true, &in, seq + pos,
					MAXS - pos), n);
			pos += (size_t)n;
		}
	}
	CHECK(decode_check(MULTIMON, seq, pos, "multimon-etsi.txt", why,
			   sizeof(why)), "DT-AS sequence: %s", why);

	in = info("", "");
	in.number_reason = 'P';
	in.name_reason = 'O';
	n = spill(CALLERID_ETSI, true, &in, out, MAXS);
	CHECK(decode_check(MULTIMON, out, (size_t)n,
			   "multimon-etsi-private.txt", why, sizeof(why)),
	      "ETSI private: %s", why);
}

/* ---- off hook (Type II, caller ID on call waiting) --------------------- */

UNIT_TEST(callerid_offhook_fsk)
{
	uint8_t msg[CALLERID_MSG_MAX];
	static int16_t out[MAXS];
	char why[120];
	int len;

	/* No seizure, 80 mark bits: 35 bytes are 80 + 350 + 10 = 440 bits,
	 * ceil(8800 / 3) samples; 21 bytes 300 bits, exactly 2000. */
	CHECK_INT(callerid_offhook_samples_needed(CALLERID_BELL202, 35), 2934);
	CHECK_INT(callerid_offhook_samples_needed(CALLERID_ETSI, 21), 2000);
	CHECK_INT(callerid_offhook_samples_needed((enum callerid_std)2, 3), 0);
	len = build(CALLERID_BELL202, true, "5551234567", "JOHN DOE", msg);
	CHECK_INT(len, 35);
	CHECK_INT(callerid_modulate_offhook(CALLERID_BELL202, msg, 35, out, 2933),
		  -ENOSPC);
	CHECK_INT(callerid_modulate_offhook((enum callerid_std)-1, msg, 35, out,
					    MAXS), -EINVAL);
	CHECK_INT(callerid_modulate_offhook(CALLERID_BELL202, msg, 35, NULL,
					    MAXS), -EINVAL);

	offhook = true;
	CHECK(model_check(CALLERID_BELL202, msg, (size_t)len, why, sizeof(why)),
	      "Bell MDMF off hook: %s", why);
	len = build(CALLERID_BELL202, false, "5551234567", "", msg);
	CHECK(model_check(CALLERID_BELL202, msg, (size_t)len, why, sizeof(why)),
	      "Bell SDMF off hook: %s", why);
	len = build(CALLERID_ETSI, true, "0301234567", "Erika Mustermann", msg);
	CHECK(model_check(CALLERID_ETSI, msg, (size_t)len, why, sizeof(why)) &&
	      demod_check(CALLERID_ETSI, msg, (size_t)len, why, sizeof(why)),
	      "ETSI off hook: %s", why);
	offhook = false;

	/* callerid_offhook_spill() = message + off-hook modulation. */
	{
		static int16_t ref[MAXS];
		struct callerid_info in = info("0301234567", "Erika Mustermann");
		int n = callerid_modulate_offhook(CALLERID_ETSI, msg,
						  (size_t)len, ref, MAXS);

		CHECK_INT(callerid_offhook_spill(CALLERID_ETSI, true, &in, out,
						 MAXS), n);
		CHECK(memcmp(out, ref, (size_t)n * sizeof(*out)) == 0,
		      "spill differs from message + modulation");
		in.number_reason = 'X';
		CHECK_INT(callerid_offhook_spill(CALLERID_ETSI, true, &in, out,
						 MAXS), -EINVAL);
	}
}

/*
 * Decode with minimodem's raw 8-N-1 receiver (-M/-S for V.23) and return
 * the bytes it printed (through od, as the spill may hold 0x00).
 */
static int raw_decode(bool v23, const int16_t *s, size_t n, uint8_t *bytes,
		      size_t max)
{
	char path[] = "/tmp/fxsd-cid-XXXXXX";
	char cmd[512], got[8192], *p = got, *end;
	size_t k = 0;
	int rc;

	if (!have("minimodem") || write_audio(path, s, n, true) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "minimodem --rx 1200 -q %s -f %s 2>/dev/null | od -An -v -tx1",
		 v23 ? "-M 1300 -S 2100" : "", path);
	rc = run(cmd, got, sizeof(got));
	unlink(path);
	if (rc != 0)
		return -1;
	for (;;) {
		unsigned long v = strtoul(p, &end, 16);

		if (end == p || k == max)
			break;
		bytes[k++] = (uint8_t)v;
		p = end;
	}
	return (int)k;
}

UNIT_TEST(callerid_offhook_decoders)
{
	static int16_t out[MAXS];
	struct callerid_info in = info("5551234567", "JOHN DOE");
	uint8_t msg[CALLERID_MSG_MAX], got[256];
	char why[1000];
	int n, len, k;

	utc();
	/* minimodem's Caller-ID decoder reads the off-hook spills as it
	 * reads the on-hook ones: the same fixtures. */
	n = callerid_offhook_spill(CALLERID_BELL202, false, &in, out, MAXS);
	CHECK(decode_check(MINIMODEM_BELL, out, (size_t)n,
			   "minimodem-bell-sdmf.txt", why, sizeof(why)),
	      "SDMF off hook: %s", why);
	n = callerid_offhook_spill(CALLERID_BELL202, true, &in, out, MAXS);
	CHECK(decode_check(MINIMODEM_BELL, out, (size_t)n,
			   "minimodem-bell-mdmf.txt", why, sizeof(why)),
	      "MDMF off hook: %s", why);
	in = info("0301234567", "Erika Mustermann");
	n = callerid_offhook_spill(CALLERID_ETSI, true, &in, out, MAXS);
	CHECK(decode_check(MINIMODEM_V23, out, (size_t)n,
			   "minimodem-v23-etsi.txt", why, sizeof(why)),
	      "ETSI off hook (minimodem): %s", why);
	CHECK(decode_check(MULTIMON, out, (size_t)n, "multimon-etsi.txt", why,
			   sizeof(why)), "ETSI off hook (multimon-ng): %s", why);

	/* The raw receiver sees the message and nothing before it: no
	 * channel seizure (0x55 bytes) off hook, as it does see on hook. */
	len = callerid_message(CALLERID_ETSI, true, &in, msg, sizeof(msg));
	k = raw_decode(true, out, (size_t)n, got, sizeof(got));
	CHECK(k == len && memcmp(got, msg, (size_t)len) == 0,
	      "raw V.23: %d bytes (want %d), first 0x%02x", k, len, got[0]);
	n = callerid_modulate(CALLERID_ETSI, msg, (size_t)len, out, MAXS);
	k = raw_decode(true, out, (size_t)n, got, sizeof(got));
	CHECK(k > len + 20 && got[0] == 0x55 &&
	      memcmp(got + k - len, msg, (size_t)len) == 0,
	      "raw V.23 on hook: %d bytes, first 0x%02x", k, got[0]);
}

/* The same as the DT-AS test, but measured differently: a 1 ms envelope
 * for the duration and a Goertzel scan for the frequencies. */
UNIT_TEST(callerid_cas_tone)
{
	int16_t out[CALLERID_CAS_SAMPLES + 100];
	double best1 = 0, best2 = 0, f1 = 0, f2 = 0, a1, a2;
	unsigned on_ms = 0;

	CHECK_INT(callerid_cas(out, CALLERID_CAS_SAMPLES - 1), -ENOSPC);
	CHECK_INT(callerid_cas(NULL, 1000), -EINVAL);
	memset(out, 0, sizeof(out));
	CHECK_INT(callerid_cas(out, sizeof(out) / sizeof(out[0])), 640);

	/* Duration: 1 ms blocks with a peak above -40 dB of the tone's;
	 * GR-30 / EN 300 659-2: 80 +- 5 ms. */
	for (int b = 0; b < (CALLERID_CAS_SAMPLES + 100) / 8; b++) {
		int m = 0;

		for (int i = 0; i < 8; i++)
			m = abs(out[b * 8 + i]) > m ? abs(out[b * 8 + i]) : m;
		on_ms += m > 100;
	}
	CHECK(on_ms >= 75 && on_ms <= 85, "CAS lasts %u ms", on_ms);

	/* Frequencies within +-0.5 % (2 Hz steps, Hann window). */
	for (double f = 1800; f <= 3200; f += 2) {
		double m = dft(out, 0, 640, f, true);

		if (f < 2440 && m > best1) {
			best1 = m;
			f1 = f;
		} else if (f >= 2440 && m > best2) {
			best2 = m;
			f2 = f;
		}
	}
	CHECK(fabs(f1 - 2130) <= 2130 * 0.005 && fabs(f2 - 2750) <= 2750 * 0.005,
	      "CAS peaks at %.0f and %.0f Hz", f1, f2);
	/* Level: each tone at peak 5070 (-13 dBm0), no twist (+-0.2 dB). */
	a1 = dft(out, 0, 640, 2130, false) / 320;
	a2 = dft(out, 0, 640, 2750, false) / 320;
	CHECK(fabs(a1 - AMPL) < AMPL * 0.025 && fabs(a2 - AMPL) < AMPL * 0.025,
	      "CAS levels %.0f %.0f", a1, a2);
	CHECK(fabs(20 * log10(a1 / a2)) < 0.2, "twist %.2f dB",
	      20 * log10(a1 / a2));
	/* Nothing else: the two tones carry the signal's power. */
	{
		double e = 0;

		for (int i = 0; i < 640; i++)
			e += (double)out[i] * out[i];
		e /= 640;
		CHECK(fabs(e - (a1 * a1 + a2 * a2) / 2) < e * 0.03,
		      "power %.0f, tones %.0f", e, (a1 * a1 + a2 * a2) / 2);
	}
}

UNIT_TEST(callerid_offhook_ack_and_plan)
{
	struct callerid_step st[CALLERID_PLAN_STEPS_MAX];
	static const enum callerid_action want[] = {
		CALLERID_STEP_MUTE_FAR_END, CALLERID_STEP_SAS, CALLERID_STEP_CAS,
		CALLERID_STEP_WAIT_ACK, CALLERID_STEP_WAIT, CALLERID_STEP_FSK,
		CALLERID_STEP_UNMUTE_FAR_END,
	};
	int n;

	CHECK(callerid_ack_valid(CALLERID_BELL202, 'D') &&
	      callerid_ack_valid(CALLERID_BELL202, 'A') &&
	      callerid_ack_valid(CALLERID_ETSI, 'D'), "ACK D/A refused");
	CHECK(!callerid_ack_valid(CALLERID_ETSI, 'A') &&
	      !callerid_ack_valid(CALLERID_BELL202, '1') &&
	      !callerid_ack_valid(CALLERID_BELL202, 'd') &&
	      !callerid_ack_valid((enum callerid_std)5, 'D'), "bad ACK taken");

	/* US: SAS 300 ms; Bell MDMF 35 bytes off hook: 2934 samples. */
	n = callerid_offhook_plan(300, 2934, st);
	CHECK_INT(n, 7);
	for (int i = 0; i < n; i++)
		CHECK(st[i].action == want[i], "step %d: %d", i, st[i].action);
	CHECK_INT(st[1].ms, 300);
	CHECK(st[2].ms >= 75 && st[2].ms <= 85, "CAS %u ms", st[2].ms);
	CHECK_INT(st[3].ms, 160);
	CHECK(st[4].ms >= 50 && st[4].ms <= 500, "ACK to FSK %u", st[4].ms);
	CHECK_INT(st[5].ms, 367);
	CHECK_INT(callerid_offhook_plan(0, 2934, st), -EINVAL);
	CHECK_INT(callerid_offhook_plan(300, 0, st), -EINVAL);
	CHECK_INT(callerid_offhook_plan(300, 2934, NULL), -EINVAL);
}

/*
 * The off-hook sequence as the phone hears it once it has acknowledged:
 * the SAS (440 Hz, 300 ms), the CAS, the wait for the ACK and the gap
 * (silence here: the ACK goes the other way), the spill.  minimodem still
 * finds the message, i.e. the alerting signals do not disturb a receiver.
 */
UNIT_TEST(callerid_offhook_sequence_decodes)
{
	static int16_t seq[MAXS];
	struct callerid_step st[CALLERID_PLAN_STEPS_MAX];
	struct callerid_info in = info("5551234567", "JOHN DOE");
	size_t pos = 0;
	char why[1000];
	int n, steps;

	utc();
	n = callerid_offhook_spill(CALLERID_BELL202, true, &in, seq, MAXS);
	steps = callerid_offhook_plan(300, (size_t)n, st);
	CHECK_INT(steps, 7);
	memset(seq, 0, sizeof(seq));
	for (int i = 0; i < steps; i++) {
		switch (st[i].action) {
		case CALLERID_STEP_SAS:
			for (uint32_t k = 0; k < st[i].ms * 8; k++)
				seq[pos + k] = (int16_t)lrint(
					AMPL * sin(2 * M_PI * 440 * k / RATE));
			pos += st[i].ms * 8;
			break;
		case CALLERID_STEP_CAS:
			CHECK_INT(callerid_cas(seq + pos, MAXS - pos), 640);
			pos += 640;
			break;
		case CALLERID_STEP_WAIT_ACK:
		case CALLERID_STEP_WAIT:
			pos += st[i].ms * 8;
			break;
		case CALLERID_STEP_FSK:
			CHECK_INT(callerid_offhook_spill(CALLERID_BELL202, true,
							 &in, seq + pos,
							 MAXS - pos), n);
			pos += (size_t)n;
			break;
		default:
			break;
		}
	}
	CHECK(decode_check(MINIMODEM_BELL, seq, pos, "minimodem-bell-mdmf.txt",
			   why, sizeof(why)), "sequence: %s", why);
}

/* ---- visual message waiting -------------------------------------------- */

UNIT_TEST(callerid_mwi_bytes)
{
	/* 06 03 42 42 42: 6 + 3 + 198 = 207 = 0xcf -> 0x31;
	 * 06 03 6f 6f 6f: 9 + 333 = 342 = 0x156 -> 0xaa. */
	static const uint8_t sdmf_on[] = { 0x06, 0x03, 0x42, 0x42, 0x42, 0x31 };
	static const uint8_t sdmf_off[] = { 0x06, 0x03, 0x6f, 0x6f, 0x6f, 0xaa };
	/* 82 03 0b 01 ff: 130 + 3 + 11 + 1 + 255 = 400 = 0x190 -> 0x70;
	 * with 00: 145 = 0x91 -> 0x6f. */
	static const uint8_t mdmf_on[] = { 0x82, 0x03, 0x0b, 0x01, 0xff, 0x70 };
	static const uint8_t mdmf_off[] = { 0x82, 0x03, 0x0b, 0x01, 0x00, 0x6f };
	/* 82 0d 01 08 "01021345" 0b 01 00: 130 + 13 + 1 + 8 + 400 + 11 + 1
	 * = 564 = 0x234 -> 0xcc. */
	static const uint8_t etsi_off[] = {
		0x82, 0x0d, 0x01, 0x08, '0', '1', '0', '2', '1', '3', '4', '5',
		0x0b, 0x01, 0x00, 0xcc,
	};
	uint8_t buf[CALLERID_MSG_MAX];
	char why[80];
	int n;

	utc();
	n = callerid_mwi_message(CALLERID_BELL202, false, true, JAN2_1345, buf,
				 sizeof(buf));
	CHECK(check_bytes(buf, n, sdmf_on, sizeof(sdmf_on), why, sizeof(why)),
	      "SDMF on: %s", why);
	n = callerid_mwi_message(CALLERID_BELL202, false, false, -1, buf,
				 sizeof(buf));
	CHECK(check_bytes(buf, n, sdmf_off, sizeof(sdmf_off), why, sizeof(why)),
	      "SDMF off: %s", why);
	n = callerid_mwi_message(CALLERID_BELL202, true, true, -1, buf,
				 sizeof(buf));
	CHECK(check_bytes(buf, n, mdmf_on, sizeof(mdmf_on), why, sizeof(why)),
	      "MDMF on: %s", why);
	n = callerid_mwi_message(CALLERID_BELL202, true, false, -1, buf,
				 sizeof(buf));
	CHECK(check_bytes(buf, n, mdmf_off, sizeof(mdmf_off), why, sizeof(why)),
	      "MDMF off: %s", why);
	/* ETSI: always MDMF, here with the date. */
	n = callerid_mwi_message(CALLERID_ETSI, false, false, JAN2_1345, buf,
				 sizeof(buf));
	CHECK(check_bytes(buf, n, etsi_off, sizeof(etsi_off), why, sizeof(why)),
	      "ETSI off: %s", why);
	CHECK_INT(callerid_mwi_message(CALLERID_ETSI, true, true, -1, buf, 5),
		  -ENOSPC);
	CHECK_INT(callerid_mwi_message(CALLERID_ETSI, true, true, -1, buf, 6), 6);
	CHECK_INT(callerid_mwi_message((enum callerid_std)3, true, true, -1, buf,
				       sizeof(buf)), -EINVAL);
	CHECK_INT(callerid_mwi_message(CALLERID_ETSI, true, true, -1, NULL, 6),
		  -EINVAL);
}

/* minimodem's raw receiver: the seizure (0x55 ...), then exactly the
 * message, checksum included; multimon-ng parses the ETSI one. */
UNIT_TEST(callerid_mwi_decoders)
{
	static const struct {
		enum callerid_std std;
		bool mdmf, on;
		time_t when;
	} cases[] = {
		{ CALLERID_BELL202, false, true, -1 },
		{ CALLERID_BELL202, false, false, -1 },
		{ CALLERID_BELL202, true, true, -1 },
		{ CALLERID_BELL202, true, false, -1 },
		{ CALLERID_ETSI, true, true, JAN2_1345 },
		{ CALLERID_ETSI, true, false, JAN2_1345 },
	};
	static int16_t out[MAXS];
	uint8_t msg[CALLERID_MSG_MAX], got[256];
	char why[1000];
	unsigned sum;
	int n, len, k;

	utc();
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		len = callerid_mwi_message(cases[c].std, cases[c].mdmf,
					   cases[c].on, cases[c].when, msg,
					   sizeof(msg));
		CHECK(len > 0, "case %zu: %d", c, len);
		n = callerid_modulate(cases[c].std, msg, (size_t)len, out, MAXS);
		k = raw_decode(cases[c].std == CALLERID_ETSI, out, (size_t)n,
			       got, sizeof(got));
		CHECK(k > len + 20 && got[0] == 0x55 &&
		      memcmp(got + k - len, msg, (size_t)len) == 0,
		      "case %zu: decoded %d bytes, want 20+ seizure and %d",
		      c, k, len);
		sum = 0;
		for (int i = k - len; i < k; i++)
			sum += got[i];
		CHECK(sum % 256 == 0, "case %zu: checksum: sum %u", c, sum);
		if (cases[c].std == CALLERID_ETSI)
			CHECK(decode_check(MULTIMON, out, (size_t)n,
					   cases[c].on ? "multimon-mwi-on.txt" :
					   "multimon-mwi-off.txt",
					   why, sizeof(why)),
			      "case %zu: %s", c, why);
	}
}

UNIT_TEST(callerid_plan_no_ring)
{
	struct callerid_step st[CALLERID_PLAN_STEPS_MAX];
	static const enum callerid_action bell[] = {
		CALLERID_STEP_FEED_OHT, CALLERID_STEP_WAIT, CALLERID_STEP_FSK,
		CALLERID_STEP_FEED_NORMAL,
	};
	static const enum callerid_action etsi[] = {
		CALLERID_STEP_REVERSE_POLARITY, CALLERID_STEP_FEED_OHT,
		CALLERID_STEP_WAIT, CALLERID_STEP_DTAS, CALLERID_STEP_WAIT,
		CALLERID_STEP_FSK, CALLERID_STEP_FEED_NORMAL,
		CALLERID_STEP_NORMAL_POLARITY,
	};
	int n;

	n = callerid_plan(CALLERID_PLAN_BELL202_NO_RING, 0, 0, 1234, st);
	CHECK_INT(n, 4);
	for (int i = 0; i < n; i++)
		CHECK(st[i].action == bell[i], "Bell step %d: %d", i, st[i].action);
	CHECK_INT(st[2].ms, 155);
	n = callerid_plan(CALLERID_PLAN_ETSI_DTAS_NO_RING, 0, 0, 1234, st);
	CHECK_INT(n, 8);
	for (int i = 0; i < n; i++)
		CHECK(st[i].action == etsi[i], "ETSI step %d: %d", i, st[i].action);
	CHECK(st[2].ms >= 100 && st[3].ms >= 90 && st[3].ms <= 110 &&
	      st[4].ms >= 45 && st[4].ms <= 500, "EN 300 659-1 timing");
	CHECK(callerid_plan_std(CALLERID_PLAN_BELL202_NO_RING) ==
	      CALLERID_BELL202 &&
	      callerid_plan_std(CALLERID_PLAN_ETSI_DTAS_NO_RING) == CALLERID_ETSI,
	      "plan std");
	CHECK_STR(callerid_plan_mode_to_string(CALLERID_PLAN_ETSI_DTAS_NO_RING),
		  "etsi-dtas-no-ring");
	CHECK(callerid_plan_mode_from_string("bell202-no-ring") ==
	      CALLERID_PLAN_BELL202_NO_RING, "from_string");
}
