/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * t30term.h - a spandsp T.30 terminal set up the way the fax tests use it,
 * shared by tests/daemon/line_fax.c (line_test) and tests/daemon/t38fax.c.
 */
#ifndef FXS_TEST_T30TERM_H
#define FXS_TEST_T30TERM_H

#include <spandsp.h>

/* phase E: the T.30 result code into *(int *)@user */
static inline void t30term_phase_e(t30_state_t *s, void *user, int code)
{
	(void)s;
	*(int *)user = code;
}

/*
 * Send the TIFF @tx (when not NULL) or receive into the TIFF @rx, with
 * ECM and T.4 1D/2D and T.6; the result goes to *@result, -1 until then.
 */
static inline void t30term_setup(t30_state_t *t, const char *tx,
				 const char *rx, int *result)
{
	if (tx)
		t30_set_tx_file(t, tx, -1, -1);
	else
		t30_set_rx_file(t, rx, -1);
	t30_set_ecm_capability(t, 1);
	t30_set_supported_compressions(t, T30_SUPPORT_T4_1D_COMPRESSION |
				       T30_SUPPORT_T4_2D_COMPRESSION |
				       T30_SUPPORT_T6_COMPRESSION);
	t30_set_phase_e_handler(t, t30term_phase_e, result);
	*result = -1;
}

#endif
