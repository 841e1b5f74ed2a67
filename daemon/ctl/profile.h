/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * profile.h - the pure parts of provisioning (README, "Provisioning"):
 * the URL template, the retry schedule, the response headers kept as
 * validators.  No I/O, no logging; ctl/provision.c is the edge.
 */
#ifndef FXSD_CTL_PROFILE_H
#define FXSD_CTL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

/* Longest ETag / Last-Modified value kept (longer ones are not kept). */
#define PROFILE_ETAG_MAX	255
#define PROFILE_DATE_MAX	63

/**
 * struct profile_validators - what the server said of the profile we hold
 * @etag: the ETag value as sent (quotes and W/ included), "" none
 * @last_modified: the Last-Modified value as sent, "" none
 */
struct profile_validators {
	char etag[PROFILE_ETAG_MAX + 1];
	char last_modified[PROFILE_DATE_MAX + 1];
};

/*
 * Expand @tmpl into @buf: "{mac}" becomes @mac, "{serial}" @serial and
 * "{port}" @port (decimal), each value percent-encoded outside RFC 3986's
 * unreserved characters; "{{" and "}}" give '{' and '}'.  -EINVAL for
 * another "{name}" or a lone brace, -ENODATA when a placeholder's value
 * is NULL or "" (or @port < 0), -ENOBUFS when @buf is too small.
 */
int profile_expand_url(const char *tmpl, const char *mac, const char *serial,
		       int port, char *buf, size_t len);

/*
 * @url without its user information ("https://u:p@h/x" -> "https://h/x"),
 * for messages: the URL may carry the credentials of the server.
 */
void profile_url_redact(const char *url, char *buf, size_t len);

/*
 * The delay before retry number @failures (1 = the first retry) in ms:
 * d = min(@max_s, @min_s * 2^(@failures - 1)) s, then a point in
 * [d/2, d] chosen by @rnd (any 32-bit random number): "equal jitter", so
 * a fleet that failed together spreads out while each unit still backs
 * off.  @failures 0 gives 0.
 */
uint64_t profile_backoff_ms(unsigned failures, unsigned min_s, unsigned max_s,
			    uint32_t rnd);

/*
 * One header line of a response as libcurl hands it (@len bytes, the
 * line end included or not, not NUL-terminated).  A status line
 * ("HTTP/...") starts a new response (a redirect's, a 100's): @v is
 * cleared and 1 returned.  "ETag:" and "Last-Modified:" (names
 * case-insensitive) fill @v when the value is printable ASCII without
 * control characters and fits; any other line is ignored.  Returns 0,
 * or 1 for a status line.
 */
int profile_header_line(const char *line, size_t len,
			struct profile_validators *v);

/*
 * @addr (@n bytes) as lowercase hex without separators into @buf (2n+1
 * bytes at least); -ENOBUFS when it does not fit.
 */
int profile_format_mac(const unsigned char *addr, size_t n, char *buf,
		       size_t len);

/*
 * The first line of @text (a file's content: a DMI serial, a machine id,
 * a URL file) without blanks around it, into @buf; -ENODATA when it is
 * empty, -ENOBUFS when too long.
 */
int profile_first_line(const char *text, char *buf, size_t len);

#endif /* FXSD_CTL_PROFILE_H */
