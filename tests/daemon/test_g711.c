// SPDX-License-Identifier: GPL-2.0-only
/* test_g711.c - unit tests of g711.c: known codes, round trips, order. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "media/g711.h"
#include "unit.h"

UNIT_TEST(g711_ulaw_known_values)
{
	/* Classic mu-law decoding table, first entries of each half. */
	static const int16_t low[] = { -32124, -31100, -30076, -29052 };

	CHECK_INT(g711_ulaw_encode(0), 0xff);
	CHECK_INT(g711_ulaw_encode(-1), 0x7f);	/* negative zero */
	CHECK_INT(g711_ulaw_encode(32767), 0x80);
	CHECK_INT(g711_ulaw_encode(-32768), 0x00);
	CHECK_INT(g711_ulaw_encode(8), 0xfe);
	CHECK_INT(g711_ulaw_decode(0xff), 0);
	CHECK_INT(g711_ulaw_decode(0x7f), 0);
	CHECK_INT(g711_ulaw_decode(0x80), 32124);
	CHECK_INT(g711_ulaw_decode(0x00), -32124);
	CHECK_INT(g711_ulaw_decode(0x0f), -16764);
	CHECK_INT(g711_ulaw_decode(0x10), -15996);
	CHECK_INT(g711_ulaw_decode(0xfe), 8);
	CHECK_INT(g711_ulaw_decode(0xf0), 120);
	CHECK_INT(g711_ulaw_decode(0xef), 132);
	for (unsigned i = 0; i < 4; i++)
		CHECK_INT(g711_ulaw_decode(i), low[i]);
}

UNIT_TEST(g711_alaw_known_values)
{
	CHECK_INT(g711_alaw_encode(0), 0xd5);
	CHECK_INT(g711_alaw_encode(-1), 0x55);
	CHECK_INT(g711_alaw_encode(32767), 0xaa);
	CHECK_INT(g711_alaw_encode(-32768), 0x2a);
	CHECK_INT(g711_alaw_decode(0xd5), 8);
	CHECK_INT(g711_alaw_decode(0x55), -8);
	CHECK_INT(g711_alaw_decode(0xaa), 32256);
	CHECK_INT(g711_alaw_decode(0x2a), -32256);
	CHECK_INT(g711_alaw_decode(0x00), -5504);
	CHECK_INT(g711_alaw_decode(0x80), 5504);
	CHECK_INT(g711_alaw_decode(0x01), -5248);
	CHECK_INT(g711_alaw_decode(0xd4), 24);
	/* Segments 0 and 1 have the same step (16), segment 2 twice that. */
	CHECK_INT(g711_alaw_decode(0x10 ^ 0xd5), 264);
	CHECK_INT(g711_alaw_decode(0x20 ^ 0xd5), 528);
	CHECK_INT(g711_alaw_encode(264), 0x10 ^ 0xd5);
	CHECK_INT(g711_alaw_encode(255), 0x0f ^ 0xd5);
}

static int16_t dec(int law, uint8_t c)
{
	return law == G711_ULAW ? g711_ulaw_decode(c) : g711_alaw_decode(c);
}

static uint8_t enc(int law, int16_t s)
{
	return law == G711_ULAW ? g711_ulaw_encode(s) : g711_alaw_encode(s);
}

static void check_codes(int law)
{
	unsigned distinct = 0;
	uint8_t seen[65536] = { 0 };

	for (unsigned c = 0; c < 256; c++) {
		int16_t d = dec(law, c);
		uint8_t back = enc(law, d);

		CHECK(dec(law, back) == d, "law %d code 0x%02x: %d -> 0x%02x -> %d",
		      law, c, d, back, dec(law, back));
		/* Every code but negative zero survives encode(decode()). */
		if (!(law == G711_ULAW && c == 0x7f) &&
		    !(law == G711_ALAW && c == 0x55))
			CHECK(back == c, "law %d code 0x%02x re-encodes as 0x%02x",
			      law, c, back);
		/* The sign bit mirrors the value. */
		CHECK(dec(law, c ^ 0x80) == -d, "law %d code 0x%02x: not symmetric",
		      law, c);
		if (!seen[(uint16_t)d]++)
			distinct++;
	}
	CHECK_INT(distinct, law == G711_ULAW ? 255 : 256);
}

UNIT_TEST(g711_decode_encode_decode_identity)
{
	check_codes(G711_ULAW);
	if (unit_failed())
		return;
	check_codes(G711_ALAW);
}

static void check_monotonic(int law)
{
	int prev = -32768 - 1;
	uint8_t prev_code = enc(law, -32768);

	for (int x = -32768; x <= 32767; x++) {
		uint8_t c = enc(law, x);
		int y = dec(law, c);
		int err = abs(y - x);
		int bound = abs(x) / 16 + 16;

		CHECK(y >= prev, "law %d: decode(encode(%d)) = %d < %d", law, x,
		      y, prev);
		/* Quantisation error within half a step (plus truncation),
		 * except in the clipped range at the ends. */
		if (abs(x) < 32000)
			CHECK(err <= bound, "law %d: %d -> %d, error %d", law, x,
			      y, err);
		/* Distinct codes, distinct values (but for the two zeros). */
		if (c != prev_code && y != 0)
			CHECK(y > prev, "law %d: new code 0x%02x at %d, same value",
			      law, c, x);
		prev = y;
		prev_code = c;
	}
}

UNIT_TEST(g711_monotonic_and_accurate)
{
	check_monotonic(G711_ULAW);
	if (unit_failed())
		return;
	check_monotonic(G711_ALAW);
}

UNIT_TEST(g711_buffers)
{
	int16_t in[300], out[300];
	uint8_t codes[300];

	for (int i = 0; i < 300; i++)
		in[i] = (int16_t)(i * 218 - 32768);
	CHECK_INT(g711_encode(G711_PT_PCMU, in, codes, 300), 0);
	for (int i = 0; i < 300; i++)
		CHECK_INT(codes[i], g711_ulaw_encode(in[i]));
	CHECK_INT(g711_decode(G711_PT_PCMU, codes, out, 300), 0);
	for (int i = 0; i < 300; i++)
		CHECK_INT(out[i], g711_ulaw_decode(codes[i]));
	CHECK_INT(g711_encode(G711_PT_PCMA, in, codes, 300), 0);
	for (int i = 0; i < 300; i++)
		CHECK_INT(codes[i], g711_alaw_encode(in[i]));
	CHECK_INT(g711_decode(G711_PT_PCMA, codes, out, 300), 0);
	for (int i = 0; i < 300; i++)
		CHECK_INT(out[i], g711_alaw_decode(codes[i]));
	CHECK_INT(g711_encode(3, in, codes, 300), -EINVAL);
	CHECK_INT(g711_decode(-1, codes, out, 300), -EINVAL);
	CHECK_INT(g711_encode(G711_PT_PCMU, in, codes, 0), 0);
}
