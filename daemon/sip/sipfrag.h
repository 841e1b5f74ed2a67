/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sipfrag.h - what transfer reads and writes (RFC 3515 REFER, RFC 3891
 * Replaces, RFC 3420 message/sipfrag): pure functions, no I/O, no
 * allocation, no logging (unit-tested and fuzzed).
 */
#ifndef FXSD_SIP_SIPFRAG_H
#define FXSD_SIP_SIPFRAG_H

#include <stdbool.h>
#include <stddef.h>

/* Longest sipfrag body, Refer-To and Replaces value looked at. */
#define SIP_SIPFRAG_MAX		1024
#define SIP_REFER_TO_MAX	1024
#define SIP_REPLACES_MAX	512
/* Sizes of the fields (NUL included). */
#define SIP_REPLACES_FIELD	128

/**
 * struct sip_replaces - a Replaces header value (RFC 3891):
 *	call-id;to-tag=..;from-tag=..[;early-only]
 * @call_id: the Call-ID of the dialog to replace
 * @to_tag: the tag of the receiver of the Replaces in that dialog
 * @from_tag: the tag of the other party
 * @early_only: only an early dialog may be replaced
 */
struct sip_replaces {
	char call_id[SIP_REPLACES_FIELD];
	char to_tag[SIP_REPLACES_FIELD];
	char from_tag[SIP_REPLACES_FIELD];
	bool early_only;
};

/*
 * The status code of the message/sipfrag body @body of @len bytes (no NUL
 * needed): its first line must be a status line "SIP/2.0 NNN reason"
 * (NNN 100-699; the reason may be empty; CRLF or LF or the end of the
 * body ends it); what follows is not looked at.  Returns 0 with the code
 * in *@ret_code, or -EBADMSG (also for a NUL or more than
 * SIP_SIPFRAG_MAX bytes).
 */
int sipfrag_status(const char *body, size_t len, int *ret_code);

/*
 * A Refer-To value (RFC 3515 2.1): name-addr ("display" <URI>, params
 * after '>' ignored) or a bare addr-spec without ';' params.  The URI's
 * scheme must be sip, sips or tel (case-insensitive); it may not hold
 * blanks, '<', '>', '"' or control characters.  Its headers part (after
 * '?') is taken apart: the URI without it goes to @uri, the value of a
 * Replaces header (one at most), %-unescaped, to @replaces ("" when none;
 * other headers are dropped).  Returns 0, -EBADMSG (malformed, a bad
 * escape, a second Replaces, an unescaped value with a NUL or control
 * character) or -ENAMETOOLONG (a part does not fit its buffer, or the
 * value is longer than SIP_REFER_TO_MAX).
 */
int refer_to_parse(const char *value, char *uri, size_t urilen,
		   char *replaces, size_t replen);

/*
 * A Replaces value (RFC 3891 6.1): call-id (word["@"word], no blanks)
 * then ;to-tag=, ;from-tag= (each once, required) and ;early-only in any
 * order, other parameters ignored, blanks around ';' and '=' allowed,
 * parameter names case-insensitive.  Returns 0, -EBADMSG or
 * -ENAMETOOLONG.
 */
int replaces_parse(const char *value, struct sip_replaces *ret);

/*
 * The Replaces header of a Refer-To URI for the dialog @call_id with
 * @to_tag and @from_tag: "call-id;to-tag=..;from-tag=.." escaped as a URI
 * header value (RFC 3261 25.1 hvalue: every character but unreserved ones
 * and "[]/?:+$" as %XX, so ';' is %3B, '=' %3D, '@' %40).  Returns 0 or
 * -ENAMETOOLONG.
 */
int replaces_escape(const char *call_id, const char *to_tag,
		    const char *from_tag, char *out, size_t len);

#endif /* FXSD_SIP_SIPFRAG_H */
