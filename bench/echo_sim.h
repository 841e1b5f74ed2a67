/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * echo_sim.h - test signals and hybrid models for the echo canceller
 * benchmark and unit test: a composite-source-like signal (voiced bursts
 * with pitch glide, unvoiced noise bursts and pauses, after the shape of
 * ITU-T G.168's CSS), hybrid impulse responses of a given dispersion and
 * ERL, and level helpers in dBm0 (0 dBm0 = a sine of 3.14 dBFS below
 * full scale, as G.711 mu-law defines it).
 */
#ifndef FXS_ECHO_SIM_H
#define FXS_ECHO_SIM_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#define SIM_RATE	8000
#define SIM_MAX_TAPS	256

/* RMS of a 0 dBm0 signal in linear units. */
static inline double sim_dbm0_rms(double dbm0)
{
	return 32768.0 * pow(10, -3.14 / 20) / sqrt(2) * pow(10, dbm0 / 20);
}

static inline double sim_level_dbm0(const double *x, size_t n)
{
	double p = 0;
	size_t i;

	for (i = 0; i < n; i++)
		p += x[i] * x[i];
	p /= n;
	return 10 * log10(p / (sim_dbm0_rms(0) * sim_dbm0_rms(0)) + 1e-20);
}

static inline double sim_rand(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return ((*seed >> 8) & 0xffff) / 32768.0 - 1.0;
}

/*
 * CSS-like source at @dbm0 (active level) into @x[n]: 48 ms voiced
 * bursts (harmonics of a gliding 110-190 Hz pitch), 200 ms of noise, and
 * pauses, repeating.
 */
static inline void sim_css(double *x, size_t n, double dbm0, unsigned seed)
{
	size_t i, period = (size_t)(SIM_RATE * 0.350);
	double rms = sim_dbm0_rms(dbm0), ph = 0, lp = 0;

	for (i = 0; i < n; i++) {
		size_t t = i % period;
		double v = 0;

		if (t < SIM_RATE * 0.048) {	/* voiced */
			double f0 = 110 + 80 * (double)t / (SIM_RATE * 0.048);
			int h;

			ph += 2 * M_PI * f0 / SIM_RATE;
			for (h = 1; h <= 20 && h * f0 < 3400; h++)
				v += sin(h * ph) / h;
			v *= rms * 1.2;
		} else if (t < SIM_RATE * 0.248) {	/* unvoiced */
			lp = 0.6 * lp + sim_rand(&seed);
			v = lp * rms * 0.9;
		} else {
			v = 0;	/* pause */
		}
		x[i] = v;
	}
}

/*
 * Hybrid echo path number @k (0..7): @delay samples of bulk delay, then a
 * decaying, ringing response of @disp_ms dispersion, scaled to @erl_db.
 * Returns the number of taps written to @h.
 */
static inline size_t sim_hybrid(double *h, int k, double disp_ms,
				size_t delay, double erl_db)
{
	size_t i, len = (size_t)(disp_ms * SIM_RATE / 1000), n = delay + len;
	unsigned seed = 1234 + 77 * k;
	double e = 0, f = 300 + 150 * k, tau = len / (3.0 + k % 3);

	for (i = 0; i < n; i++)
		h[i] = 0;
	for (i = 0; i < len; i++) {
		double env = exp(-(double)i / tau);

		h[delay + i] = env * (cos(2 * M_PI * f * i / SIM_RATE) +
				      0.3 * sim_rand(&seed));
	}
	for (i = 0; i < n; i++)
		e += h[i] * h[i];
	for (i = 0; i < n; i++)
		h[i] *= pow(10, -erl_db / 20) / sqrt(e);
	return n;
}

/* y = x convolved with h (causal), n samples. */
static inline void sim_convolve(const double *x, const double *h, size_t nh,
				double *y, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		double acc = 0;

		for (k = 0; k < nh && k <= i; k++)
			acc += h[k] * x[i - k];
		y[i] = acc;
	}
}

/*
 * speexdsp's canceller takes a DC notch to the microphone signal before
 * anything else (mdf.c: second order, pole radius 0.9 at 8 kHz, costing
 * 10 dB at 100 Hz and 14 degrees of phase at 1 kHz): @y = @x through the
 * same, to tell its share of the near end's distortion from the rest.
 */
static inline void sim_speex_dc_notch(const double *x, double *y, size_t n)
{
	double r = 0.9, d = r * r + 0.7 * (1 - r) * (1 - r), m0 = 0, m1 = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double v = m0 + x[i];

		m0 = m1 + 2 * (-x[i] + r * v);
		m1 = x[i] - d * v;
		y[i] = r * v;
	}
}

static inline int16_t sim_s16(double v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)lrint(v);
}

#endif /* FXS_ECHO_SIM_H */
