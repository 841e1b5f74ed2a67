/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vqreport.h - the body of an RFC 6035 voice quality report
 * (application/vq-rtcpxr, "VQSessionReport: CallTerm"), built from plain
 * strings and numbers: no I/O, no allocation.  The Line fills it at a
 * call's end; sip_agent_publish_vq() carries it (Event: vq-rtcpxr).
 */
#ifndef FXSD_LINE_VQREPORT_H
#define FXSD_LINE_VQREPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/**
 * struct vq_report - one call's report (LocalMetrics only)
 * @call_id, @local_id, @remote_id, @orig_id: Call-ID and the name-addrs
 * @local_group, @remote_group: NULL/"" leaves RemoteGroup out
 * @local_ip, @remote_ip, @local_port, @remote_port, @local_ssrc,
 *	@remote_ssrc: the RTP endpoints
 * @local_mac: NULL/"" leaves LocalMAC out
 * @start, @stop: UTC times of the media
 * @pt, @pd, @sr, @fd, @fo, @fpp, @pps, @plc, @ssup: SessionDesc
 * @jba, @jbr, @jbn, @jbm, @jbx: JitterBuffer (ms)
 * @nlr, @jdr: network loss and discard rate, percent
 * @bld, @bd, @gld, @gd, @gmin: burst/gap densities (percent), ms
 * @rtd, @esd, @sowd, @iaj, @maj: delays and jitter, ms
 * @sl, @nl, @rerl: dBm0, dBm0, dB
 * @rlq, @rcq: R factors; @moslq, @moscq: MOS
 * @dialog_id: Call-ID;to-tag=..;from-tag=..
 */
struct vq_report {
	const char *call_id, *local_id, *remote_id, *orig_id;
	const char *local_group, *remote_group;
	const char *local_ip, *remote_ip;
	unsigned local_port, remote_port;
	uint32_t local_ssrc, remote_ssrc;
	const char *local_mac;
	time_t start, stop;
	unsigned pt;
	const char *pd;
	unsigned sr, fd, fo, fpp, pps, plc;
	int ssup;
	unsigned jba, jbr, jbn, jbm, jbx;
	double nlr, jdr;
	double bld, gld;
	unsigned bd, gd, gmin;
	unsigned rtd, esd, sowd, iaj, maj;
	int sl, nl, rerl;
	unsigned rlq, rcq;
	double moslq, moscq;
	const char *dialog_id;
};

/* Write the body (CRLF line ends, NUL-terminated) into @buf; returns
 * its length, or -ENOBUFS when @len is too small, -EINVAL when a
 * mandatory string is NULL or holds a CR or LF. */
int vq_report_build(const struct vq_report *r, char *buf, size_t len);

#endif
