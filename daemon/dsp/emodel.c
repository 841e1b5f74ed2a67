// SPDX-License-Identifier: GPL-2.0-only
/*
 * emodel.c - simplified ITU-T G.107 E-model.  See emodel.h.
 */
#include <math.h>

#include "dsp/emodel.h"

double emodel_idd(double ta_ms)
{
	double x;

	if (!(ta_ms > 100.0))
		return 0.0;
	x = log10(ta_ms / 100.0) / log10(2.0);
	return 25.0 * (pow(1.0 + pow(x, 6.0), 1.0 / 6.0) -
		       3.0 * pow(1.0 + pow(x / 3.0, 6.0), 1.0 / 6.0) + 2.0);
}

double emodel_ie_eff(double ie, double ppl, double burst_r, double bpl)
{
	if (!(ppl > 0.0))
		ppl = 0.0;
	if (ppl > 100.0)
		ppl = 100.0;
	if (!(burst_r >= 1.0))
		burst_r = 1.0;
	if (ppl == 0.0)
		return ie;
	return ie + (95.0 - ie) * ppl / (ppl / burst_r + bpl);
}

double emodel_r(const struct emodel_input *in)
{
	return EMODEL_R_DEFAULT - emodel_idd(in->ta_ms) -
	       emodel_ie_eff(in->ie, in->ppl, in->burst_r, in->bpl);
}

double emodel_mos(double r)
{
	double mos;

	if (!(r > 0.0))
		return 1.0;
	if (r >= 100.0)
		return 4.5;
	mos = 1.0 + 0.035 * r + 7e-6 * r * (r - 60.0) * (100.0 - r);
	return mos < 1.0 ? 1.0 : mos > 4.5 ? 4.5 : mos;
}

double emodel_one_way_ms(double rtt_ms, double jitter_buffer_ms,
			 double device_ms)
{
	double t = device_ms;

	if (rtt_ms > 0.0)
		t += rtt_ms / 2.0;
	if (jitter_buffer_ms > 0.0)
		t += jitter_buffer_ms;
	return t;
}
