// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_callerid.c - libFuzzer target: on-hook caller ID
 * (daemon/dsp/callerid.c).  fxsd has no caller-ID decoder: the data that
 * reaches this module are the caller's number and name, taken from the
 * From / P-Asserted-Identity of an INVITE (line.c), and the call's time.
 * This target hands the encoder arbitrary ones, as a peer could send
 * them, and checks what goes onto the line.
 *
 * Input: a mode byte (bit 0: ETSI, else Bell 202; bit 1: MDMF; bit 2:
 * no time), 8 bytes of time_t, a number-reason byte, a name-reason
 * byte, then the number's 32 bytes and the name's 64 bytes (shorter
 * input: the rest are zero), all taken as they are (not necessarily
 * NUL-terminated, which the encoder must refuse).
 *
 * Checked besides memory safety: a message that is built has the
 * length and checksum its header and last byte claim; an MDMF
 * message's parameters tile it exactly, the number parameter is the
 * number, the name parameter a prefix of the name, both printable; the
 * FSK has exactly callerid_samples_needed() samples within the
 * amplitude.
 */
#include <errno.h>
#include <stdbool.h>

#include "dsp/callerid.h"
#include "fuzz.h"

static void check_mdmf(const uint8_t *m, size_t n, const struct callerid_info *in)
{
	size_t off = 2, end = n - 1;

	while (off < end) {
		uint8_t type, len;

		fuzz_assert(off + 2 <= end);
		type = m[off];
		len = m[off + 1];
		off += 2;
		fuzz_assert(off + len <= end);
		for (size_t i = 0; i < len; i++)
			fuzz_assert(m[off + i] >= 0x20 && m[off + i] <= 0x7e);
		if (type == CALLERID_PARAM_NUMBER)
			fuzz_assert(len == strlen(in->number) &&
				    memcmp(m + off, in->number, len) == 0);
		else if (type == CALLERID_PARAM_NAME)
			fuzz_assert(len <= strlen(in->name) &&
				    memcmp(m + off, in->name, len) == 0);
		else
			fuzz_assert(type == CALLERID_PARAM_DATETIME ||
				    type == CALLERID_PARAM_NUMBER_ABSENT ||
				    type == CALLERID_PARAM_NAME_ABSENT);
		off += len;
	}
	fuzz_assert(off == end);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t raw[1 + 8 + 2 + 32 + 64] = { 0 };
	struct callerid_info info;
	enum callerid_std std;
	uint8_t msg[CALLERID_MSG_MAX];
	int16_t *pcm;
	size_t need;
	unsigned sum = 0;
	bool mdmf;
	int n, k;

	memcpy(raw, data, size < sizeof(raw) ? size : sizeof(raw));
	std = raw[0] & 1 ? CALLERID_ETSI : CALLERID_BELL202;
	mdmf = raw[0] & 2;
	memcpy(&info.when, raw + 1, sizeof(info.when));
	if (raw[0] & 4)
		info.when = (time_t)-1;
	info.number_reason = (char)raw[9];
	info.name_reason = (char)raw[10];
	memcpy(info.number, raw + 11, sizeof(info.number));
	memcpy(info.name, raw + 43, sizeof(info.name));

	n = callerid_message(std, mdmf, &info, msg, sizeof(msg));
	if (n < 0)
		return 0;
	fuzz_assert(n >= 3 && n <= CALLERID_MSG_MAX);
	fuzz_assert(msg[1] == n - 3);
	for (k = 0; k < n; k++)
		sum += msg[k];
	fuzz_assert((sum & 0xff) == 0);
	if (msg[0] == CALLERID_MSG_MDMF)
		check_mdmf(msg, (size_t)n, &info);
	else
		fuzz_assert(msg[0] == CALLERID_MSG_SDMF && std == CALLERID_BELL202 &&
			    !mdmf);

	need = callerid_samples_needed(std, (size_t)n);
	fuzz_assert(need > 0);
	pcm = malloc(need * sizeof(*pcm));
	fuzz_assert(pcm);
	fuzz_assert(callerid_modulate(std, msg, (size_t)n, pcm, need) == (int)need);
	for (size_t i = 0; i < need; i++)
		fuzz_assert(pcm[i] >= -CALLERID_AMPLITUDE &&
			    pcm[i] <= CALLERID_AMPLITUDE);
	fuzz_assert(callerid_modulate(std, msg, (size_t)n, pcm, need - 1) == -ENOSPC);
	free(pcm);
	return 0;
}
