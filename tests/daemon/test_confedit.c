// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_confedit.c - the configuration as text: listing keys with their
 * unquoted values and lines, changing, adding and removing one key while
 * every other line stays as it was, and what is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "confedit.h"
#include "unit.h"

static const char sample[] =
	"# fxsd.conf\n"
	"[global]\n"
	"sip_port = 5060   ; the default\n"
	"\n"
	"[ port  0 ]\n"
	"user = 1000\n"
	"password = \"s3cr#t ;\\\"x\"\n"
	"domain = example.net # inline\n"
	"\n"
	"; port 1 follows\n"
	"[port 1]\r\n"
	"user = 1001\r\n";

struct seen {
	char text[1024];
};

static int collect(const char *section, const char *key, const char *value,
		   unsigned line, void *ud)
{
	struct seen *s = ud;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "%u [%s] %s=<%s>\n", line,
		 section, key, value);
	return 0;
}

static int stop_at_second(const char *section, const char *key,
			  const char *value, unsigned line, void *ud)
{
	(void)section;
	(void)key;
	(void)value;
	(void)ud;
	return line > 3 ? -ECANCELED : 0;
}

UNIT_TEST(confedit_scan_lists_keys)
{
	struct seen s = { "" };

	CHECK_INT(confedit_scan(sample, strlen(sample), collect, &s), 0);
	CHECK_STR(s.text,
		  "3 [global] sip_port=<5060>\n"
		  "6 [port 0] user=<1000>\n"
		  "7 [port 0] password=<s3cr#t ;\"x>\n"
		  "8 [port 0] domain=<example.net>\n"
		  "12 [port 1] user=<1001>\n");
	CHECK_INT(confedit_scan(sample, strlen(sample), stop_at_second, NULL),
		  -ECANCELED);
}

static char *set(const char *text, const char *section, const char *key,
		 const char *value, int *r)
{
	char *out = NULL;

	*r = confedit_set(text, strlen(text), section, key, value, &out);
	return out;
}

UNIT_TEST(confedit_set_replaces_adds_removes)
{
	char *out;
	int r;

	out = set(sample, "port 0", "domain", "sip.example.org", &r);
	CHECK_INT(r, 0);
	CHECK(strstr(out, "[ port  0 ]\nuser = 1000\n") &&
	      strstr(out, "\ndomain = sip.example.org\n\n; port 1 follows\n"),
	      "domain not replaced in place:\n%s", out);
	CHECK(!strstr(out, "example.net"), "old value kept:\n%s", out);
	CHECK(!strncmp(out, sample, strstr(sample, "domain") - sample),
	      "lines before changed");
	free(out);

	/* a new key goes after the section's last assignment */
	out = set(sample, "port 0", "display_name", "Kitchen #1", &r);
	CHECK_INT(r, 0);
	CHECK(strstr(out, "domain = example.net # inline\ndisplay_name = \"Kitchen #1\"\n\n"),
	      "new key not after the last one:\n%s", out);
	free(out);

	/* "" removes the line, nothing else */
	out = set(sample, "port 0", "password", "", &r);
	CHECK_INT(r, 0);
	CHECK(!strstr(out, "password") && strlen(out) ==
	      strlen(sample) - strlen("password = \"s3cr#t ;\\\"x\"\n"),
	      "password not removed alone:\n%s", out);
	free(out);

	/* a section that is not there is added at the end */
	out = set(sample, "port 2", "user", "1002", &r);
	CHECK_INT(r, 0);
	CHECK_INT(strncmp(out, sample, strlen(sample)), 0);
	CHECK_STR(out + strlen(sample), "\n[port 2]\nuser = 1002\n");
	free(out);

	/* the last line without its line break */
	out = set("[port 1]\nuser = 1", "port 1", "domain", "h", &r);
	CHECK_INT(r, 0);
	CHECK_STR(out, "[port 1]\nuser = 1\ndomain = h\n");
	free(out);
}

UNIT_TEST(confedit_set_quotes_what_needs_it)
{
	struct seen s = { "" };
	char *out;
	int r;

	out = set("[port 0]\n", "port 0", "password", " a\"b\\c;d ", &r);
	CHECK_INT(r, 0);
	CHECK_STR(out, "[port 0]\npassword = \" a\\\"b\\\\c;d \"\n");
	CHECK_INT(confedit_scan(out, strlen(out), collect, &s), 0);
	CHECK_STR(s.text, "2 [port 0] password=< a\"b\\c;d >\n");
	free(out);
}

UNIT_TEST(confedit_set_result_parses)
{
	struct fxsd_config *c = NULL;
	char *out, err[256];
	int r;

	out = set("[port 0]\nuser = 1000\ndomain = a.example\n", "port 0",
		  "password", "p#ss \"w\" ;x", &r);
	CHECK_INT(r, 0);
	r = config_parse_string(out, "t.conf", &c, err, sizeof(err));
	free(out);
	CHECK(r >= 0, "parse: %s", err);
	CHECK_STR(config_port(c, 0)->password, "p#ss \"w\" ;x");
	config_free(c);
}

UNIT_TEST(confedit_set_refuses)
{
	char *out = NULL;
	char long_value[CONFIG_LINE_MAX + 1];

	memset(long_value, 'x', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	CHECK_INT(confedit_set("", 0, "port 0", "us er", "1", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "port 0", "", "1", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "", "user", "1", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "port]0", "user", "1", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "port  0", "user", "1", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "port 0", "user", "a\nb", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "port 0", "user", "a\tb", &out), -EINVAL);
	CHECK_INT(confedit_set("", 0, "port 0", "user", long_value, &out),
		  -EINVAL);
	CHECK(!out, "output on error");
	CHECK(confedit_secret("password") && !confedit_secret("user"),
	      "secret keys");
}
