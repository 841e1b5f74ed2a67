// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vqreport.c - the RFC 6035 VQSessionReport body: every mandatory
 * line in its place and form, the optional ones, bad input.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "line/vqreport.h"
#include "unit.h"

static const struct vq_report sample = {
	.call_id = "abc123@192.0.2.10",
	.local_id = "<sip:100@example.net>",
	.remote_id = "<sip:200@example.net>",
	.orig_id = "<sip:100@example.net>",
	.local_group = "fxsd-port1",
	.local_ip = "192.0.2.10", .local_port = 10000, .local_ssrc = 0x1a2b3c4d,
	.remote_ip = "192.0.2.20", .remote_port = 6000, .remote_ssrc = 0xcafe0001,
	.start = 1096395823, .stop = 1096395962,	/* 2004-09-28 */
	.pt = 0, .pd = "PCMU", .sr = 8000, .fd = 20, .fo = 0, .fpp = 1,
	.pps = 50, .plc = 3, .ssup = 0,
	.jba = 3, .jbr = 0, .jbn = 40, .jbm = 80, .jbx = 200,
	.nlr = 4.3, .jdr = 1.0,
	.bld = 25.0, .bd = 120, .gld = 2.0, .gd = 3000, .gmin = 16,
	.rtd = 45, .esd = 70, .sowd = 22, .iaj = 3, .maj = 12,
	.sl = -20, .nl = -70, .rerl = 52,
	.rlq = 88, .rcq = 85, .moslq = 4.2, .moscq = 4.04,
	.dialog_id = "abc123@192.0.2.10;to-tag=t1;from-tag=f1",
};

UNIT_TEST(vqreport_mandatory_fields)
{
	static const char *const lines[] = {
		"VQSessionReport: CallTerm\r\n",
		"CallID: abc123@192.0.2.10\r\n",
		"LocalID: <sip:100@example.net>\r\n",
		"RemoteID: <sip:200@example.net>\r\n",
		"OrigID: <sip:100@example.net>\r\n",
		"LocalGroup: fxsd-port1\r\n",
		"LocalAddr: IP=192.0.2.10 PORT=10000 SSRC=0x1a2b3c4d\r\n",
		"RemoteAddr: IP=192.0.2.20 PORT=6000 SSRC=0xcafe0001\r\n",
		"LocalMetrics:\r\n",
		"Timestamps: START=2004-09-28T18:23:43Z STOP=2004-09-28T18:26:02Z\r\n",
		"SessionDesc: PT=0 PD=PCMU SR=8000 FD=20 FO=0 FPP=1 PPS=50 PLC=3 SSUP=off\r\n",
		"JitterBuffer: JBA=3 JBR=0 JBN=40 JBM=80 JBX=200\r\n",
		"PacketLoss: NLR=4.3 JDR=1.0\r\n",
		"BurstGapLoss: BLD=25.0 BD=120 GLD=2.0 GD=3000 GMIN=16\r\n",
		"Delay: RTD=45 ESD=70 SOWD=22 IAJ=3 MAJ=12\r\n",
		"Signal: SL=-20 NL=-70 RERL=52\r\n",
		"QualityEst: RLQ=88 RCQ=85 MOSLQ=4.2 MOSCQ=4.0\r\n",
		"DialogID: abc123@192.0.2.10;to-tag=t1;from-tag=f1\r\n",
	};
	char buf[2048], want[2048] = "";
	int n;

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		strcat(want, lines[i]);
	n = vq_report_build(&sample, buf, sizeof(buf));
	CHECK_INT(n, (int)strlen(want));
	CHECK_STR(buf, want);
	CHECK(!strstr(buf, "RemoteGroup") && !strstr(buf, "LocalMAC"),
	      "optional lines present");
	/* exactly as long as needed: fits with the NUL, not without */
	CHECK_INT(vq_report_build(&sample, buf, strlen(want) + 1), n);
	CHECK_INT(vq_report_build(&sample, buf, strlen(want)), -ENOBUFS);
}

UNIT_TEST(vqreport_optional_and_bad)
{
	struct vq_report r = sample;
	char buf[2048];

	r.remote_group = "pbx";
	r.local_mac = "02:00:00:00:00:01";
	r.ssup = 1;
	CHECK(vq_report_build(&r, buf, sizeof(buf)) > 0, "build");
	CHECK(strstr(buf, "\r\nLocalGroup: fxsd-port1\r\nRemoteGroup: pbx\r\n"),
	      "RemoteGroup: %s", buf);
	CHECK(strstr(buf, "SSRC=0x1a2b3c4d\r\nLocalMAC: 02:00:00:00:00:01\r\n"
		      "RemoteAddr: "), "LocalMAC: %s", buf);
	CHECK(strstr(buf, " SSUP=on\r\n"), "SSUP");
	r = sample;
	r.call_id = NULL;
	CHECK_INT(vq_report_build(&r, buf, sizeof(buf)), -EINVAL);
	r = sample;
	r.remote_id = "<sip:x@y>\r\nInjected: 1";
	CHECK_INT(vq_report_build(&r, buf, sizeof(buf)), -EINVAL);
	r = sample;
	r.local_mac = "a\nb";
	CHECK_INT(vq_report_build(&r, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(vq_report_build(NULL, buf, sizeof(buf)), -EINVAL);
	CHECK_INT(vq_report_build(&sample, NULL, 0), -ENOBUFS);
}
