// SPDX-License-Identifier: GPL-2.0-only
/*
 * g711.c - ITU-T G.711 companding.  See g711.h.
 *
 * Both laws split the magnitude into 8 segments (exponent) of 16 steps
 * (mantissa); each segment doubles the step size of the one below.
 */
#include <errno.h>

#include "media/g711.h"

#define ULAW_BIAS	33	/* in 14-bit units: 0x84 >> 2 */
#define ULAW_CLIP	8158	/* 8191 - ULAW_BIAS */

/* Position of the highest set bit, 0 for v == 0. */
static unsigned top_bit(unsigned v)
{
	unsigned b = 0;

	while (v >>= 1)
		b++;
	return b;
}

uint8_t g711_ulaw_encode(int16_t s)
{
	/* 14-bit magnitude; one's complement for negative samples. */
	unsigned mag = s < 0 ? (unsigned)(~(int)s) >> 2 : (unsigned)s >> 2;
	unsigned sign = s < 0 ? 0x00 : 0x80;
	unsigned exp, mant;

	if (mag > ULAW_CLIP)
		mag = ULAW_CLIP;
	mag += ULAW_BIAS;		/* 33 .. 8191: bit 5 .. bit 12 on top */
	exp = top_bit(mag) - 5;
	mant = (mag >> (exp + 1)) & 0x0f;
	/* Positive codes are 0x80..0xff; all bits but the sign inverted. */
	return (uint8_t)((sign | (exp << 4) | mant) ^ 0x7f);
}

int16_t g711_ulaw_decode(uint8_t c)
{
	unsigned u = (uint8_t)~c;
	unsigned exp = (u >> 4) & 0x07;
	int mag = ((int)((u & 0x0f) << 3) + 0x84) << exp;

	mag -= 0x84;
	return (int16_t)((u & 0x80) ? -mag : mag);
}

uint8_t g711_alaw_encode(int16_t s)
{
	/* 12-bit magnitude; one's complement for negative samples. */
	unsigned mag = s < 0 ? (unsigned)(~(int)s) >> 4 : (unsigned)s >> 4;
	unsigned sign = s < 0 ? 0x00 : 0x80;
	unsigned code;

	if (mag < 32) {
		code = mag;	/* segments 0 and 1 share one step size */
	} else {
		unsigned exp = top_bit(mag) - 3;	/* 2 .. 7 */

		code = (exp << 4) | ((mag >> (exp - 1)) & 0x0f);
	}
	return (uint8_t)((sign | code) ^ 0x55);
}

int16_t g711_alaw_decode(uint8_t c)
{
	unsigned a = c ^ 0x55;
	unsigned exp = (a >> 4) & 0x07;
	int mag = (int)(a & 0x0f);

	if (exp > 0)
		mag += 16;
	mag = (mag << 4) + 8;		/* middle of the step, 16-bit scale */
	if (exp > 1)
		mag <<= exp - 1;
	return (int16_t)((a & 0x80) ? mag : -mag);
}

int g711_encode(int law, const int16_t *in, uint8_t *out, size_t n)
{
	size_t i;

	switch (law) {
	case G711_ULAW:
		for (i = 0; i < n; i++)
			out[i] = g711_ulaw_encode(in[i]);
		return 0;
	case G711_ALAW:
		for (i = 0; i < n; i++)
			out[i] = g711_alaw_encode(in[i]);
		return 0;
	default:
		return -EINVAL;
	}
}

int g711_decode(int law, const uint8_t *in, int16_t *out, size_t n)
{
	size_t i;

	switch (law) {
	case G711_ULAW:
		for (i = 0; i < n; i++)
			out[i] = g711_ulaw_decode(in[i]);
		return 0;
	case G711_ALAW:
		for (i = 0; i < n; i++)
			out[i] = g711_alaw_decode(in[i]);
		return 0;
	default:
		return -EINVAL;
	}
}
