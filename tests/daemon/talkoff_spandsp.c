// SPDX-License-Identifier: GPL-2.0-only
/*
 * talkoff_spandsp.c - spandsp's DTMF receiver, the independent reference
 * of talkoff.c (a file of its own: spandsp's headers and fxsd's g711.h
 * name the same constants).  Default parameters: the receiver as
 * Asterisk, FreeSWITCH and others use it.
 */
#include <stdint.h>
#include <stdlib.h>

#include <spandsp.h>

struct rx {
	char *ret;
	size_t max;
	int n;
};

static void on_digits(void *user_data, const char *digits, int len)
{
	struct rx *rx = user_data;

	for (int i = 0; i < len; i++, rx->n++)
		if ((size_t)rx->n + 1 < rx->max)
			rx->ret[rx->n] = digits[i];
}

int spandsp_dtmf(const int16_t *pcm, size_t n, char *ret, size_t max);

int spandsp_dtmf(const int16_t *pcm, size_t n, char *ret, size_t max)
{
	struct rx rx = { .ret = ret, .max = max, .n = 0 };
	dtmf_rx_state_t *s = dtmf_rx_init(NULL, on_digits, &rx);

	if (!s || !max)
		return -1;
	for (size_t j = 0; j < n; j += 80)
		dtmf_rx(s, pcm + j, (int)(n - j < 80 ? n - j : 80));
	dtmf_rx_free(s);
	ret[(size_t)rx.n + 1 < max ? (size_t)rx.n : max - 1] = '\0';
	return rx.n;
}
