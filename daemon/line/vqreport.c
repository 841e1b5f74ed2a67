// SPDX-License-Identifier: GPL-2.0-only
/*
 * vqreport.c - RFC 6035 VQSessionReport (CallTerm) body.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "line/vqreport.h"

struct vb {
	char *p;
	size_t len, n;
	bool over;
};

static void vb_printf(struct vb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void vb_printf(struct vb *b, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (b->over)
		return;
	va_start(ap, fmt);
	r = vsnprintf(b->p + b->n, b->len - b->n, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= b->len - b->n) {
		b->over = true;
		return;
	}
	b->n += (size_t)r;
}

static bool ok(const char *s)
{
	return s && !strpbrk(s, "\r\n");
}

static bool opt(const char *s)
{
	return s && *s && ok(s);
}

static void ts(char *out, size_t n, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int vq_report_build(const struct vq_report *r, char *buf, size_t len)
{
	struct vb b = { .p = buf, .len = len };
	char t0[32], t1[32];

	if (!r || !ok(r->call_id) || !ok(r->local_id) || !ok(r->remote_id) ||
	    !ok(r->orig_id) || !ok(r->local_group) || !ok(r->local_ip) ||
	    !ok(r->remote_ip) || !ok(r->pd) || !ok(r->dialog_id) ||
	    (r->remote_group && !ok(r->remote_group)) ||
	    (r->local_mac && !ok(r->local_mac)))
		return -EINVAL;
	if (!buf || !len)
		return -ENOBUFS;
	ts(t0, sizeof(t0), r->start);
	ts(t1, sizeof(t1), r->stop);
	vb_printf(&b, "VQSessionReport: CallTerm\r\n");
	vb_printf(&b, "CallID: %s\r\n", r->call_id);
	vb_printf(&b, "LocalID: %s\r\n", r->local_id);
	vb_printf(&b, "RemoteID: %s\r\n", r->remote_id);
	vb_printf(&b, "OrigID: %s\r\n", r->orig_id);
	vb_printf(&b, "LocalGroup: %s\r\n", r->local_group);
	if (opt(r->remote_group))
		vb_printf(&b, "RemoteGroup: %s\r\n", r->remote_group);
	vb_printf(&b, "LocalAddr: IP=%s PORT=%u SSRC=0x%08x\r\n", r->local_ip,
		  r->local_port, r->local_ssrc);
	if (opt(r->local_mac))
		vb_printf(&b, "LocalMAC: %s\r\n", r->local_mac);
	vb_printf(&b, "RemoteAddr: IP=%s PORT=%u SSRC=0x%08x\r\n", r->remote_ip,
		  r->remote_port, r->remote_ssrc);
	vb_printf(&b, "LocalMetrics:\r\n");
	vb_printf(&b, "Timestamps: START=%s STOP=%s\r\n", t0, t1);
	vb_printf(&b, "SessionDesc: PT=%u PD=%s SR=%u FD=%u FO=%u FPP=%u PPS=%u PLC=%u SSUP=%s\r\n",
		  r->pt, r->pd, r->sr, r->fd, r->fo, r->fpp, r->pps, r->plc,
		  r->ssup ? "on" : "off");
	vb_printf(&b, "JitterBuffer: JBA=%u JBR=%u JBN=%u JBM=%u JBX=%u\r\n",
		  r->jba, r->jbr, r->jbn, r->jbm, r->jbx);
	vb_printf(&b, "PacketLoss: NLR=%.1f JDR=%.1f\r\n", r->nlr, r->jdr);
	vb_printf(&b, "BurstGapLoss: BLD=%.1f BD=%u GLD=%.1f GD=%u GMIN=%u\r\n",
		  r->bld, r->bd, r->gld, r->gd, r->gmin);
	vb_printf(&b, "Delay: RTD=%u ESD=%u SOWD=%u IAJ=%u MAJ=%u\r\n",
		  r->rtd, r->esd, r->sowd, r->iaj, r->maj);
	vb_printf(&b, "Signal: SL=%d NL=%d RERL=%d\r\n", r->sl, r->nl, r->rerl);
	vb_printf(&b, "QualityEst: RLQ=%u RCQ=%u MOSLQ=%.1f MOSCQ=%.1f\r\n",
		  r->rlq, r->rcq, r->moslq, r->moscq);
	vb_printf(&b, "DialogID: %s\r\n", r->dialog_id);
	if (b.over)
		return -ENOBUFS;
	return (int)b.n;
}
