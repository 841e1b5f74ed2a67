/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * g711.h - ITU-T G.711 mu-law and A-law companding of 16-bit linear PCM.
 *
 * Pure code: no I/O, no logging, no allocation.  The classic segment
 * (chord) algorithm, byte-exact with the ITU-T G.191 reference: the 16-bit
 * sample is truncated to 14 bits (mu-law) or 13 bits (A-law), negative
 * values by one's complement, so that -1 encodes as "negative zero"
 * (mu-law 0x7F, A-law 0x55) and decoding returns the middle of the
 * quantisation interval, scaled back to 16 bits:
 *
 *	mu-law: encode(0) = 0xFF, decode(0x80) = 32124, decode(0x00) = -32124
 *	A-law:  encode(0) = 0xD5, decode(0xD5) = 8,     decode(0xAA) = 32256
 *
 * The codes are the ones on the wire (mu-law bits inverted, A-law with
 * even bits inverted), so they go straight into an RTP payload.
 */
#ifndef FXSD_G711_H
#define FXSD_G711_H

#include <stddef.h>
#include <stdint.h>

/* The static RTP payload types (RFC 3551), also used to name the law. */
#define G711_PT_PCMU	0
#define G711_PT_PCMA	8

enum g711_law {
	G711_ULAW = G711_PT_PCMU,
	G711_ALAW = G711_PT_PCMA,
};

uint8_t g711_ulaw_encode(int16_t s);
int16_t g711_ulaw_decode(uint8_t c);
uint8_t g711_alaw_encode(int16_t s);
int16_t g711_alaw_decode(uint8_t c);

/*
 * Encode / decode @n samples with @law (G711_ULAW or G711_ALAW, i.e. the
 * payload type).  @in and @out must not overlap.  Return 0, or -EINVAL
 * for an unknown law (nothing written).
 */
int g711_encode(int law, const int16_t *in, uint8_t *out, size_t n);
int g711_decode(int law, const uint8_t *in, int16_t *out, size_t n);

#endif /* FXSD_G711_H */
