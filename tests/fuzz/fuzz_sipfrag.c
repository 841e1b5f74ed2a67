// SPDX-License-Identifier: GPL-2.0-only
/*
 * fuzz_sipfrag.c - libFuzzer target: what transfer reads from the
 * network (daemon/sip/sipfrag.c).  The first byte picks the parser:
 *   0  sipfrag_status() on the rest, as a body (pointer and length, no
 *      NUL after it)
 *   1  refer_to_parse() on the rest as a string (a header value), then
 *      replaces_parse() on the Replaces it found
 *   2  replaces_parse() on the rest
 *   3  replaces_escape() of three parts of the rest (split at NULs), then
 *      the Refer-To it makes read back
 *
 * Checked besides memory safety: a status is 100-699; what refer_to_parse
 * gives fits its buffers and is NUL-terminated, its URI has a sip, sips or
 * tel scheme and no blank; fields of an accepted Replaces are non-empty
 * (but early-only); an escaped Replaces reads back to the same three
 * parts when they hold no control characters.
 */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include "sip/sipfrag.h"

#include "fuzz.h"

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char uri[300], rep[SIP_REPLACES_MAX + 1], esc[4 * SIP_REPLACES_MAX];
	struct sip_replaces r;
	char *s;
	int code, ret;

	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		s = malloc(size - 1 ? size - 1 : 1);
		fuzz_assert(s);
		memcpy(s, data + 1, size - 1);
		ret = sipfrag_status(s, size - 1, &code);
		fuzz_assert(ret == 0 ? code >= 100 && code <= 699 :
			    ret == -EBADMSG);
		free(s);
		break;
	case 1:
		s = fuzz_strndup(data + 1, size - 1);
		ret = refer_to_parse(s, uri, sizeof(uri), rep, sizeof(rep));
		if (ret == 0) {
			fuzz_assert(strlen(uri) < sizeof(uri) &&
				    strlen(rep) < sizeof(rep));
			fuzz_assert(strncasecmp(uri, "sip:", 4) == 0 ||
				    strncasecmp(uri, "sips:", 5) == 0 ||
				    strncasecmp(uri, "tel:", 4) == 0);
			fuzz_assert(!strpbrk(uri, " \t<>\""));
			if (replaces_parse(rep, &r) == 0)
				fuzz_assert(r.call_id[0] && r.to_tag[0] &&
					    r.from_tag[0]);
		} else {
			fuzz_assert(ret == -EBADMSG || ret == -ENAMETOOLONG);
		}
		free(s);
		break;
	case 2:
		s = fuzz_strndup(data + 1, size - 1);
		ret = replaces_parse(s, &r);
		if (ret == 0)
			fuzz_assert(r.call_id[0] && r.to_tag[0] && r.from_tag[0]);
		else
			fuzz_assert(ret == -EBADMSG || ret == -ENAMETOOLONG);
		free(s);
		break;
	default: {
		const char *cid, *tt, *ft;
		char refer_to[sizeof(esc) + 32];

		s = fuzz_strndup(data + 1, size - 1);
		cid = s;
		tt = cid + strlen(cid) + 1 <= s + size - 1 ? cid + strlen(cid) + 1 : "";
		ft = *tt && tt + strlen(tt) + 1 <= s + size - 1 ? tt + strlen(tt) + 1 : "";
		if (strlen(cid) > 100 || strlen(tt) > 100 || strlen(ft) > 100) {
			free(s);
			break;
		}
		ret = replaces_escape(cid, tt, ft, esc, sizeof(esc));
		fuzz_assert(ret == 0);
		fuzz_assert(!strpbrk(esc, " ;=@<>\"&"));
		snprintf(refer_to, sizeof(refer_to), "<sip:x@y?Replaces=%s>", esc);
		ret = refer_to_parse(refer_to, uri, sizeof(uri), rep, sizeof(rep));
		if (!has_ctl(cid) && !has_ctl(tt) && !has_ctl(ft)) {
			char want[400];

			fuzz_assert(ret == 0);
			snprintf(want, sizeof(want), "%s;to-tag=%s;from-tag=%s",
				 cid, tt, ft);
			fuzz_assert(strcmp(rep, want) == 0);
		}
		free(s);
		break;
	}
	}
	return 0;
}
