/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * emodel.h - a call-quality estimate after the ITU-T G.107 E-model,
 * simplified for a G.711 call with echo under control.
 *
 * Pure code: no I/O, no allocation.
 *
 *	R = 93.2 - Id - Ie,eff
 *	Id = Idd(Ta): 0 for Ta <= 100 ms, else, with X = log2(Ta / 100),
 *	     25 * ((1 + X^6)^(1/6) - 3 * (1 + (X / 3)^6)^(1/6) + 2)
 *	Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl)
 *	MOS = 1 + 0.035 R + 7e-6 R (R - 60) (100 - R), 1 for R <= 0 and 4.5
 *	      for R >= 100
 *
 * G.711: Ie = 0, Bpl = 25.1 with packet-loss concealment (G.711 Appendix
 * I), 4.3 without; BurstR = 1 for random loss.  Ppl is in percent.
 * G.729: Ie = 11, Bpl = 19.0 (ITU-T G.113 Appendix I, G.729A with VAD,
 * random loss: the codec's own concealment).  G.113 gives G.722 and Opus
 * wideband figures only (Ie,WB, on the wideband R scale); heard through
 * this narrowband port (the board's 8 kHz) they are taken as G.711 with
 * concealment: media/codec.c, codec_emodel().
 */
#ifndef FXSD_EMODEL_H
#define FXSD_EMODEL_H

#define EMODEL_R_DEFAULT	93.2
#define EMODEL_IE_G711		0.0
#define EMODEL_BPL_G711_PLC	25.1
#define EMODEL_BPL_G711		4.3
#define EMODEL_IE_G729		11.0
#define EMODEL_BPL_G729		19.0
#define EMODEL_DEVICE_MS	20.0	/* the ATA's own share of Ta */

/**
 * struct emodel_input - what the estimate is made of
 * @ta_ms: absolute one-way delay, mouth to ear, in ms
 * @ppl: packet-loss probability in percent (0-100), losses the listener
 *	hears: network loss plus packets too late for the jitter buffer
 * @burst_r: burst ratio (1: random loss; > 1 bursty)
 * @ie: equipment impairment factor of the codec (G.711: 0)
 * @bpl: packet-loss robustness factor of the codec
 */
struct emodel_input {
	double ta_ms;
	double ppl;
	double burst_r;
	double ie;
	double bpl;
};

/* Delay impairment Idd for the one-way delay @ta_ms. */
double emodel_idd(double ta_ms);
/* Effective equipment impairment; @ppl in percent, clamped to 0-100;
 * @burst_r below 1 is taken as 1. */
double emodel_ie_eff(double ie, double ppl, double burst_r, double bpl);
/* The rating factor R (not clamped). */
double emodel_r(const struct emodel_input *in);
/* R to the mean opinion score, 1.0-4.5. */
double emodel_mos(double r);
/* One-way delay estimate: half the round trip (@rtt_ms < 0: unknown,
 * taken as 0) plus the jitter buffer's delay plus the device's own. */
double emodel_one_way_ms(double rtt_ms, double jitter_buffer_ms,
			 double device_ms);

#endif /* FXSD_EMODEL_H */
