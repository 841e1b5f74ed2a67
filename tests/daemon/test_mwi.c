// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_mwi.c - unit tests for daemon/sip/mwi.c, the message-summary body
 * of RFC 3842 (examples after its section 7 and what Asterisk sends).
 */
#include <errno.h>
#include <string.h>

#include "sip/mwi.h"
#include "unit.h"

static int parse(const char *s, struct sip_mwi *m)
{
	return mwi_parse(s, strlen(s), m);
}

UNIT_TEST(mwi_rfc3842_example)
{
	struct sip_mwi m;
	const char *b = "Messages-Waiting: yes\r\n"
			"Message-Account: sip:alice@vmail.example.com\r\n"
			"Voice-Message: 2/8 (0/2)\r\n";

	CHECK_INT(parse(b, &m), 0);
	CHECK(m.waiting, "waiting");
	CHECK(m.voice, "voice line");
	CHECK_INT(m.new_msgs, 2);
	CHECK_INT(m.old_msgs, 8);
	CHECK_INT(m.urgent_new, 0);
	CHECK_INT(m.urgent_old, 2);
	CHECK_STR(m.account, "sip:alice@vmail.example.com");
}

UNIT_TEST(mwi_status_only_and_no)
{
	struct sip_mwi m;

	CHECK_INT(parse("Messages-Waiting: no\r\n", &m), 0);
	CHECK(!m.waiting && !m.voice, "no, no counts");
	CHECK_STR(m.account, "");
	/* LF line ends, case, blanks, no final line end */
	CHECK_INT(parse("messages-waiting:YES\nvoice-message :  3 / 1", &m), 0);
	CHECK(m.waiting && m.voice, "yes with counts");
	CHECK_INT(m.new_msgs, 3);
	CHECK_INT(m.old_msgs, 1);
	CHECK_INT(m.urgent_new, 0);
}

UNIT_TEST(mwi_other_classes_and_extensions)
{
	struct sip_mwi m;
	const char *b = "Messages-Waiting: yes\r\n"
			"Fax-Message: 1/0\r\n"
			"X-Vendor: whatever\r\n"
			"Voice-Message: 0/0 ( 0 / 0 )\r\n"
			"\r\n"
			"To: <sip:alice@example.com>\r\n"
			"garbage without a colon\r\n";

	CHECK_INT(parse(b, &m), 0);
	CHECK(m.waiting && m.voice, "parsed");
	CHECK_INT(m.new_msgs, 0);
}

UNIT_TEST(mwi_malformed)
{
	static const char *const bad[] = {
		"",
		"\r\n",
		"Voice-Message: 1/2\r\n",			/* no status */
		"Messages-Waiting: maybe\r\n",
		"Messages-Waiting: yes\r\nMessages-Waiting: no\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/x\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: -1/2\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/2 (3/4\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/2 (3)\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/2 junk\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1000000/2\r\n",
		"Messages-Waiting: yes\r\nVoice-Message: 1/2\r\nVoice-Message: 1/2\r\n",
		"Messages-Waiting: yes\r\nno colon here\r\n",
		"Messages-Waiting: yes\r\n: value\r\n",
		"Messages-Waiting: yes\r\nMessage-Account:\r\n",
	};
	struct sip_mwi m;
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(parse(bad[i], &m) == -EBADMSG, "accepted: \"%s\"", bad[i]);
}

UNIT_TEST(mwi_bounds)
{
	char b[SIP_MWI_BODY_MAX + 64];
	struct sip_mwi m;
	size_t n;

	/* the largest count passes, a NUL inside fails */
	CHECK_INT(parse("Messages-Waiting: yes\nVoice-Message: 999999/0\n", &m), 0);
	CHECK_INT(m.new_msgs, 999999);
	CHECK_INT(mwi_parse("Messages-Waiting: yes\n\0", 23, &m), -EBADMSG);
	/* an account that does not fit */
	n = (size_t)snprintf(b, sizeof(b), "Messages-Waiting: yes\nMessage-Account: ");
	memset(b + n, 'a', SIP_CALLER_FIELD_MAX);
	b[n + SIP_CALLER_FIELD_MAX] = '\0';
	CHECK_INT(parse(b, &m), -EBADMSG);
	b[n + SIP_CALLER_FIELD_MAX - 1] = '\0';
	CHECK_INT(parse(b, &m), 0);
	CHECK_INT(strlen(m.account), SIP_CALLER_FIELD_MAX - 1);
	/* a body over the limit, even a valid one */
	n = (size_t)snprintf(b, sizeof(b), "Messages-Waiting: yes\n");
	memset(b + n, '\n', SIP_MWI_BODY_MAX);
	CHECK_INT(mwi_parse(b, SIP_MWI_BODY_MAX, &m), 0);
	CHECK_INT(mwi_parse(b, SIP_MWI_BODY_MAX + 1, &m), -EBADMSG);
}
