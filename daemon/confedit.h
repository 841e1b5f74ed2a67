/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * confedit.h - the configuration file as text: list its keys, change one
 * key of one section, leaving every other line (comments, order, blank
 * lines) as it was.  Pure code, no I/O; the judge of a file is still
 * config.c (config_parse_string()): these functions only find lines.
 *
 * Sections are named as in their header with the blanks normalised:
 * "[ port  1 ]" is "port 1".  Keys before any header have section "".
 */
#ifndef FXSD_CONFEDIT_H
#define FXSD_CONFEDIT_H

#include <stdbool.h>
#include <stddef.h>

#define CONFEDIT_NAME_MAX	63	/* section names and keys */

/*
 * Call @fn for each "key = value" line of @text (@len bytes), in order,
 * with the value unquoted (config.h's rules) and the line's number (from
 * 1).  A line that is neither a comment, a header nor an assignment is
 * skipped.  Stops at @fn's first negative return and returns it; else 0.
 */
typedef int (*confedit_fn)(const char *section, const char *key,
			   const char *value, unsigned line, void *ud);
int confedit_scan(const char *text, size_t len, confedit_fn fn, void *ud);

/*
 * A copy of @text (@len bytes) where @key of [@section] is @value: its
 * line replaced, or a new line after the section's last assignment (a new
 * section at the end when there is none); @value "" removes the key.
 * Values are quoted when they need it.  Returns 0 and a NUL-terminated
 * heap string in *@ret; -EINVAL when @section or @key is not a name
 * (letters, digits, '_'; a section may hold single spaces) or @value holds
 * a control character or is longer than a line may be; -ENOMEM.
 */
int confedit_set(const char *text, size_t len, const char *section,
		 const char *key, const char *value, char **ret);

/* Whether @key's value is a secret (password): never shown, only set. */
bool confedit_secret(const char *key);

#endif /* FXSD_CONFEDIT_H */
