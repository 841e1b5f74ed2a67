// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_kernel_g711.c - the kernel's PCM-bus G.711 coding (driver/fxs_g711.h,
 * what a timeslot in A-law or mu-law carries) against fxsd's media/g711.c
 * (byte-exact with ITU-T G.191): every linear sample and every code.
 */
#include <stdint.h>

#include "media/g711.h"
#include "unit.h"

typedef uint8_t u8;
typedef int16_t s16;
#include "../../driver/fxs_g711.h"

UNIT_TEST(kernel_g711_encode_matches_fxsd)
{
	unsigned int bad_u = 0, bad_a = 0;

	for (int32_t s = -32768; s <= 32767; s++) {
		if (fxs_g711_lin2ulaw((s16)s) != g711_ulaw_encode((int16_t)s) &&
		    bad_u++ < 3)
			CHECK(0, "mu-law encode(%d): kernel 0x%02x, fxsd 0x%02x", s,
			      fxs_g711_lin2ulaw((s16)s), g711_ulaw_encode((int16_t)s));
		if (fxs_g711_lin2alaw((s16)s) != g711_alaw_encode((int16_t)s) &&
		    bad_a++ < 3)
			CHECK(0, "A-law encode(%d): kernel 0x%02x, fxsd 0x%02x", s,
			      fxs_g711_lin2alaw((s16)s), g711_alaw_encode((int16_t)s));
	}
	CHECK_INT(bad_u, 0);
	CHECK_INT(bad_a, 0);
}

UNIT_TEST(kernel_g711_decode_matches_fxsd)
{
	for (unsigned int c = 0; c < 256; c++) {
		CHECK_INT(fxs_g711_ulaw2lin((u8)c), g711_ulaw_decode((uint8_t)c));
		CHECK_INT(fxs_g711_alaw2lin((u8)c), g711_alaw_decode((uint8_t)c));
	}
}
