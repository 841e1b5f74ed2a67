/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * line_fax.h - spandsp's fax terminals for the line test layer (apart
 * from line_test.c: spandsp's g711.h and fxsd's cannot meet): a fax
 * machine on the phone's audio, and a T.38 terminal at the far end with
 * fxsd's UDPTL (media/udptl.h) around its IFPs.  ECM, T.4 1D/2D and T.6,
 * as faxpeer's.
 */
#ifndef LINE_FAX_H
#define LINE_FAX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct phone_fax;
struct far_fax;

/* A calling fax machine sending @tx (TIFF-F); NULL on failure. */
struct phone_fax *phone_fax_new(const char *tx);
void phone_fax_free(struct phone_fax *f);
/* One frame of its audio out (@n samples, padded with silence), one in. */
void phone_fax_tx(struct phone_fax *f, int16_t *out, size_t n);
void phone_fax_rx(struct phone_fax *f, const int16_t *in, size_t n);
/* The T.30 completion code, -1 before phase E. */
int phone_fax_result(const struct phone_fax *f);

/* A UDPTL packet of the far end's terminal for the line. */
typedef void (*far_fax_send_fn)(void *opaque, const uint8_t *pkt, size_t len);

/* An answering T.38 terminal receiving into @rx; NULL on failure. */
struct far_fax *far_fax_new(const char *rx, far_fax_send_fn send,
			    void *opaque);
void far_fax_free(struct far_fax *f);
/* A UDPTL packet from the line. */
void far_fax_packet(struct far_fax *f, const uint8_t *pkt, size_t len);
/* @n samples of time passed (its timers, the reorder stash). */
void far_fax_tick(struct far_fax *f, size_t n);
int far_fax_result(const struct far_fax *f);

/* T30_ERR_OK; the code's text. */
bool fax_result_ok(int code);
const char *fax_result_str(int code);

#endif
