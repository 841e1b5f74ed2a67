// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_emodel.c - the simplified G.107 E-model against hand-computed
 * points.
 */
#include <math.h>

#include "dsp/emodel.h"
#include "unit.h"

#define NEAR(got, want, tol)						\
	CHECK(fabs((got) - (want)) <= (tol), "%s: got %.4f, want %.4f", \
	      #got, (double)(got), (double)(want))

static double r_of(double ta, double ppl, double bpl)
{
	struct emodel_input in = {
		.ta_ms = ta, .ppl = ppl, .burst_r = 1.0,
		.ie = EMODEL_IE_G711, .bpl = bpl,
	};

	return emodel_r(&in);
}

UNIT_TEST(emodel_mos_curve)
{
	/* The default R: 1 + 3.262 + 7e-6 * 93.2 * 33.2 * 6.8 = 4.409 */
	NEAR(emodel_mos(93.2), 4.4093, 0.0005);
	NEAR(r_of(0, 0, EMODEL_BPL_G711_PLC), 93.2, 1e-9);
	NEAR(emodel_mos(r_of(20, 0, EMODEL_BPL_G711_PLC)), 4.4093, 0.0005);
	/* End points and clamping. */
	NEAR(emodel_mos(0), 1.0, 1e-12);
	NEAR(emodel_mos(-20), 1.0, 1e-12);
	NEAR(emodel_mos(100), 4.5, 1e-12);
	NEAR(emodel_mos(120), 4.5, 1e-12);
	NEAR(emodel_mos(6.5), 1.0, 1e-12);	/* formula dips below 1 */
	NEAR(emodel_mos(60), 3.1, 1e-9);	/* the cubic term vanishes */
	NEAR(emodel_mos(50), 1 + 1.75 + 7e-6 * 50 * -10 * 50, 1e-9);
	/* monotonic over the useful range */
	for (int r = 7; r < 100; r++)
		CHECK(emodel_mos(r + 1) > emodel_mos(r), "MOS not rising at %d", r);
}

UNIT_TEST(emodel_delay)
{
	NEAR(emodel_idd(0), 0.0, 1e-12);
	NEAR(emodel_idd(100), 0.0, 1e-12);
	/* Ta = 150 ms: X = log2(1.5) = 0.58496,
	 * 25 ((1 + X^6)^(1/6) - 3 (1 + (X/3)^6)^(1/6) + 2) = 0.16353 */
	NEAR(emodel_idd(150), 0.16353, 0.0001);
	NEAR(emodel_mos(r_of(150, 0, EMODEL_BPL_G711_PLC)), 4.4061, 0.0005);
	/* Ta = 200 ms: X = 1: 25 (2^(1/6) - 3 (1 + 3^-6)^(1/6) + 2) = 3.0444 */
	NEAR(emodel_idd(200), 3.0444, 0.0005);
	/* Ta = 400 ms: X = 2: 25 (65^(1/6) - 3 (1 + (2/3)^6)^(1/6) + 2) */
	NEAR(emodel_idd(400), 25 * (pow(65, 1 / 6.0) -
				    3 * pow(1 + pow(2 / 3.0, 6), 1 / 6.0) + 2),
	     1e-9);
	NEAR(emodel_idd(400), 24.070, 0.001);
	CHECK(emodel_idd(300) > emodel_idd(200), "Idd not rising");
	/* One-way delay estimate. */
	NEAR(emodel_one_way_ms(100, 40, EMODEL_DEVICE_MS), 110, 1e-9);
	NEAR(emodel_one_way_ms(-1, 40, EMODEL_DEVICE_MS), 60, 1e-9);
}

UNIT_TEST(emodel_loss)
{
	/* 2 % random loss with concealment: Ie,eff = 95 * 2 / 27.1 = 7.0111,
	 * R = 86.189, MOS = 4.2348 */
	NEAR(emodel_ie_eff(0, 2, 1, EMODEL_BPL_G711_PLC), 7.0111, 0.0005);
	NEAR(r_of(0, 2, EMODEL_BPL_G711_PLC), 86.1889, 0.0005);
	NEAR(emodel_mos(r_of(0, 2, EMODEL_BPL_G711_PLC)), 4.2348, 0.0005);
	/* Without concealment it is much worse: 95 * 2 / 6.3 = 30.159 */
	NEAR(emodel_ie_eff(0, 2, 1, EMODEL_BPL_G711), 30.159, 0.001);
	NEAR(emodel_mos(r_of(0, 2, EMODEL_BPL_G711)), 3.2560, 0.0005);
	/* 5 %: 95 * 5 / 30.1 = 15.781, R = 77.419 */
	NEAR(r_of(0, 5, EMODEL_BPL_G711_PLC), 77.4193, 0.0005);
	/* Bursty loss hurts more; BurstR below 1 is taken as 1. */
	CHECK(emodel_ie_eff(0, 2, 2, EMODEL_BPL_G711_PLC) >
	      emodel_ie_eff(0, 2, 1, EMODEL_BPL_G711_PLC), "burst");
	NEAR(emodel_ie_eff(0, 2, 0.5, EMODEL_BPL_G711_PLC),
	     emodel_ie_eff(0, 2, 1, EMODEL_BPL_G711_PLC), 1e-12);
	/* Clamped: total loss gives Ie,eff = 95 * 100 / 125.1 at most. */
	NEAR(emodel_ie_eff(0, 150, 1, EMODEL_BPL_G711_PLC),
	     95 * 100 / 125.1, 1e-9);
	NEAR(emodel_ie_eff(0, -3, 1, EMODEL_BPL_G711_PLC), 0, 1e-12);
	/* Delay and loss together. */
	NEAR(r_of(150, 2, EMODEL_BPL_G711_PLC), 86.1889 - 0.16353, 0.0005);
}
