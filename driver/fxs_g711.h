/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fxs_g711.h - G.711 A-law and mu-law coding of the PCM bus's timeslots
 * (driver/fxs_pcm.c).  Plain integer code only: the host's unit test
 * (tests/daemon/test_kernel_g711.c) compiles it too and checks it against
 * fxsd's coder, which is byte-exact with ITU-T G.191.
 */
#ifndef _FXS_G711_H
#define _FXS_G711_H

#define FXS_ULAW_BIAS	0x84

/* on the 14-bit magnitude, a negative sample's in one's complement (G.191) */
static inline u8 fxs_g711_lin2ulaw(s16 s)
{
	int v, sign, exp, mant;

	if (s < 0) {
		v = ~(int)s >> 2;
		sign = 0x80;
	} else {
		v = s >> 2;
		sign = 0;
	}
	if (v > 8158)
		v = 8158;
	v += FXS_ULAW_BIAS >> 2;
	/* the segment: where the top bit is, from bit 5 (the bias's) on */
	for (exp = 7; exp > 0 && !(v & (0x20 << exp)); exp--)
		;
	mant = (v >> (exp + 1)) & 0x0f;
	return ~(sign | exp << 4 | mant) & 0xff;
}

static inline s16 fxs_g711_ulaw2lin(u8 u)
{
	int exp, mant, v;

	u = ~u;
	exp = (u >> 4) & 7;
	mant = u & 0x0f;
	v = (((mant << 3) + FXS_ULAW_BIAS) << exp) - FXS_ULAW_BIAS;
	return (u & 0x80) ? -v : v;
}

static inline u8 fxs_g711_lin2alaw(s16 s)
{
	int v = s >> 3, mask, seg;	/* 13 bits */

	if (v >= 0) {
		mask = 0xd5;
	} else {
		mask = 0x55;
		v = -v - 1;
	}
	/* segments 0 and 1 step by 2, each further one by twice as much */
	for (seg = 7; seg > 0 && !(v & (0x10 << seg)); seg--)
		;
	v = (v >> (seg < 2 ? 1 : seg)) & 0x0f;
	return (seg << 4 | v) ^ mask;
}

static inline s16 fxs_g711_alaw2lin(u8 a)
{
	int seg, v;

	a ^= 0x55;
	seg = (a >> 4) & 7;
	v = (a & 0x0f) << 4;
	if (seg == 0)
		v += 8;
	else
		v = (v + 0x108) << (seg - 1);
	return (a & 0x80) ? v : -v;
}

#endif /* _FXS_G711_H */
