/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * caller.h - what an incoming INVITE says about its caller beyond From
 * and P-Asserted-Identity: whether the caller is anonymous (RFC 3323,
 * RFC 3325) and which ring the Alert-Info asks for (RFC 3261 20.4, the
 * alert URNs of RFC 7462).  Pure: no libosip2, no I/O, no allocation, no
 * logging (unit-tested, and fuzzed through fuzz_sip).
 */
#ifndef FXSD_SIP_CALLER_H
#define FXSD_SIP_CALLER_H

#include <stdbool.h>
#include <stddef.h>

#include "sip/sip.h"

/* The most ring tokens kept from the Alert-Info headers of one INVITE. */
#define SIP_ALERT_TOKENS_MAX	8

/*
 * The ring tokens of the Alert-Info header lines of the message whose
 * text is @msg (@len bytes, no NUL needed: the start line, the header
 * lines, up to the first empty line; what follows is not looked at).
 * Header names are case-insensitive; folded lines (a line that begins
 * with a blank continues the header) are joined; several Alert-Info lines
 * and comma-separated values count in order.  Each value gives at most
 * one token:
 *   - the value of its "info" parameter ("<http://x/y>;info=Bellcore-dr2",
 *     a bare "info=Bellcore-dr2"), quotes taken off;
 *   - else an alert URN, whole ("<urn:alert:source:external>");
 *   - else the last path segment of an http(s) URI
 *     ("<http://127.0.0.1/Bellcore-dr2>");
 *   - else a bare token, with or without angle brackets ("Bellcore-dr2",
 *     "<Bellcore-dr2>").
 * A token is 1-SIP_ALERT_TOKEN_MAX characters of letters, digits and
 * "-._~!*'+%:"; a value without one (malformed, unterminated '<' or
 * quote, other characters) is skipped.  At most SIP_ALERT_TOKENS_MAX
 * tokens go into @out, separated by one space, NUL-terminated, and only
 * whole tokens that fit in @outlen; "" when there are none.
 * Returns the number of tokens, or -EINVAL for a NULL/zero-sized @out.
 */
int alert_info_tokens(const char *msg, size_t len, char *out, size_t outlen);

/*
 * Whether a caller is anonymous: From's user is "anonymous", or its host
 * "anonymous.invalid" (RFC 3323 4.1.1.3; both case-insensitive), or the
 * request asks for privacy of its identity or headers (@privacy, the
 * Privacy header's value or NULL, holds the value "id" or "header") and
 * carries no P-Asserted-Identity (!@has_pai).  NULL strings are "".
 */
bool caller_is_anonymous(const char *from_user, const char *from_host,
			 const char *privacy, bool has_pai);

#endif /* FXSD_SIP_CALLER_H */
