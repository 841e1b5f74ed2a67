/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mwi.h - the message-summary body of RFC 3842 (message waiting): a pure
 * parser, no I/O, no allocation, no logging (unit-tested and fuzzed).
 */
#ifndef FXSD_SIP_MWI_H
#define FXSD_SIP_MWI_H

#include <stddef.h>

#include "sip/sip.h"

/* Longest message-summary body looked at (larger ones are refused). */
#define SIP_MWI_BODY_MAX	4096
/* Largest message count accepted in a summary line. */
#define SIP_MWI_COUNT_MAX	999999

/*
 * Parse the application/simple-message-summary body @body of @len bytes
 * (no NUL needed after it) into *@ret.  Lines end in CRLF or LF; header
 * names are case-insensitive, blanks around ':' '/' '(' ')' are allowed.
 * Required: one "Messages-Waiting: yes|no".  Optional: one
 * "Message-Account: URI" (kept as given, at most SIP_CALLER_FIELD_MAX - 1
 * characters), and summary lines "Class: new/old [(urgent_new/urgent_old)]"
 * for the classes Voice-Message, Fax-Message, Pager-Message,
 * Multimedia-Message, Text-Message and None (counts 0-SIP_MWI_COUNT_MAX;
 * the Voice-Message counts are reported, the others checked and
 * ignored).  Other header lines are ignored, and so is everything after
 * the first empty line (the optional message headers).  A class given
 * twice, a second Messages-Waiting or Message-Account, a NUL, a line
 * without ':' or a body longer than SIP_MWI_BODY_MAX: -EBADMSG.
 * Returns 0 or -EBADMSG (*@ret is then undefined).
 */
int mwi_parse(const char *body, size_t len, struct sip_mwi *ret);

#endif /* FXSD_SIP_MWI_H */
