// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_config.c - libFuzzer target: the configuration file
 * (/etc/fxsd/fxsd.conf, daemon/config.c).
 *
 * config_load() reads the file into a buffer and hands it, with its
 * length (NUL bytes included), to the static parse_buffer(); this file
 * #includes config.c to call that with the input as the file's bytes.
 * The input is copied into a buffer of exactly its size plus the NUL
 * config_load() adds, so ASan sees any read past the end.
 *
 * Checked besides memory safety: a configuration that parses dumps
 * (config_dump()) to text that parses again and dumps to the same text,
 * as config.h promises.
 */
#include "../../daemon/config.c"

#include "fuzz.h"

static char *dump(const struct fxsd_config *c, size_t *ret_len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, ret_len);

	fuzz_assert(f);
	fuzz_assert(config_dump(c, f) == 0);
	fuzz_assert(fclose(f) == 0);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fxsd_config *c = NULL, *c2 = NULL;
	char err[256];
	char *text;

	if (size > CONFIG_FILE_MAX)
		return 0;
	text = fuzz_strndup(data, size);
	if (parse_buffer(text, size, "fuzz.conf", &c, err, sizeof(err)) == 0) {
		size_t n1, n2;
		char *d1 = dump(c, &n1), *d2;

		fuzz_assert(strlen(d1) == n1);
		if (parse_buffer(d1, n1, "dump.conf", &c2, err, sizeof(err)) != 0) {
			fprintf(stderr, "the dump does not parse: %s\n%s", err, d1);
			abort();
		}
		d2 = dump(c2, &n2);
		if (n1 != n2 || memcmp(d1, d2, n1) != 0) {
			fprintf(stderr, "dump 1:\n%s\ndump 2:\n%s", d1, d2);
			abort();
		}
		free(d1);
		free(d2);
		config_free(c2);
	} else {
		fuzz_assert(strnlen(err, sizeof(err)) < sizeof(err));
	}
	config_free(c);
	free(text);
	return 0;
}
