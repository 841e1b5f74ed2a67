// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_dtmf.c - unit tests of dtmf.c against ITU-T Q.24 as DESIGN.md states
 * it: all 16 digits; +-1.5 % frequency deviation accepted and +-3.5 %
 * rejected on every tone of every digit; twist (high minus low) -8 / +4 dB
 * accepted, -12 / +8 dB rejected; 40 ms accepted, 23 ms rejected; 10 ms drop-outs bridged,
 * 30 ms pauses not; every digit of 100-digit random sequences at 15 dB S/N
 * from -25 to -3 dBm0; no talk-off in over 60 s of espeak-ng speech; the
 * generator, checked by the detector and by multimon-ng.
 *
 * The test signals are synthesised here, independently of dtmf.c's
 * generator, from the frequency table written out again below.  Audio is
 * fed in pseudo-random chunk sizes.  Speech and multimon-ng run as
 * external programs on files in a temporary directory under /tmp; when
 * they are missing the cases fail.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsp/dtmf.h"
#include "unit.h"

#define RATE		8000
#define MS(x)		((size_t)(x) * RATE / 1000)
#define PEAK_0DBM0	22786.0		/* -3.14 dBFS */

static const char keypad[] = "123A456B789C*0#D";
static const double low_hz[4] = { 697, 770, 852, 941 };
static const double high_hz[4] = { 1209, 1336, 1477, 1633 };

static void freqs(char digit, double *fl, double *fh)
{
	int i = (int)(strchr(keypad, digit) - keypad);

	*fl = low_hz[i / 4];
	*fh = high_hz[i % 4];
}

/* ---- deterministic randomness ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t s)
{
	rng_state = s * 0x9e3779b97f4a7c15ull + 1;
}

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static double rng_unit(void)		/* (0, 1) */
{
	return (rng() + 0.5) / 4294967296.0;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

/* ---- signals (double buffers, converted at the end) ---- */

static double sine_power(double dbm0)
{
	return PEAK_0DBM0 * PEAK_0DBM0 / 2.0 * pow(10.0, dbm0 / 10.0);
}

/* Add a tone pair: total level @dbm0, @twist = high - low in dB. */
static void add_pair(double *buf, size_t n, double fl, double fh, double dbm0,
		     double twist)
{
	double total = sine_power(dbm0);
	double hs = 1.0 / (1.0 + pow(10.0, -twist / 10.0));
	double al = sqrt(2.0 * total * (1.0 - hs)), ah = sqrt(2.0 * total * hs);
	double pl = 2.0 * M_PI * rng_unit(), ph = 2.0 * M_PI * rng_unit();

	for (size_t i = 0; i < n; i++)
		buf[i] += al * sin(2.0 * M_PI * fl * i / RATE + pl) +
			  ah * sin(2.0 * M_PI * fh * i / RATE + ph);
}

static void add_noise(double *buf, size_t n, double power)
{
	double sd = sqrt(power);

	for (size_t i = 0; i < n; i++)
		buf[i] += sd * gauss();
}

static int16_t *to_pcm(const double *buf, size_t n)
{
	int16_t *pcm = malloc(n * sizeof(*pcm));

	for (size_t i = 0; pcm && i < n; i++) {
		double v = lrint(buf[i]);

		pcm[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
	return pcm;
}

/* ---- running the detector ---- */

struct evlog {
	struct dtmf_event ev[256];
	unsigned n;
	int bad;			/* start/end out of order */
	char open;			/* digit started, not ended */
};

static void on_event(void *userdata, const struct dtmf_event *ev)
{
	struct evlog *log = userdata;

	if (log->n < 256)
		log->ev[log->n++] = *ev;
	if (!ev->end) {
		if (log->open)
			log->bad++;
		log->open = ev->digit;
	} else {
		if (log->open != ev->digit)
			log->bad++;
		log->open = 0;
	}
}

/*
 * Feed @n samples in random chunks (1-240 samples) plus 200 ms of silence
 * to flush; the digits go to @out (NUL-terminated, up to @max - 1).
 * Returns the number of digits, or -1 when the return value of
 * dtmf_detect() and the events disagree.
 */
static int run(const int16_t *pcm, size_t n, char *out, size_t max,
	       struct evlog *log)
{
	static struct dtmf_detector d;
	static const int16_t zero[MS(200)];
	size_t pos = 0, k = 0;
	unsigned ends = 0;

	memset(log, 0, sizeof(*log));
	dtmf_detector_init(&d, on_event, log);
	while (pos < n) {
		size_t c = 1 + rng() % 240;

		if (c > n - pos)
			c = n - pos;
		k += (size_t)dtmf_detect(&d, pcm + pos, c, out + k, max - 1 - k);
		pos += c;
	}
	k += (size_t)dtmf_detect(&d, zero, MS(200), out + k, max - 1 - k);
	out[k] = '\0';
	for (unsigned i = 0; i < log->n; i++)
		ends += log->ev[i].end;
	if (ends != k || log->bad || log->open)
		return -1;
	return (int)k;
}

/* One tone pair of @ms after @lead samples of silence; the detected digits. */
static int run_tone(double fl, double fh, double dbm0, double twist, size_t lead,
		    size_t len, char *out, size_t max)
{
	size_t n = lead + len + MS(50);
	double *buf = calloc(n, sizeof(*buf));
	int16_t *pcm;
	struct evlog log;
	int r;

	if (!buf)
		return -1;
	add_pair(buf + lead, len, fl, fh, dbm0, twist);
	pcm = to_pcm(buf, n);
	free(buf);
	if (!pcm)
		return -1;
	r = run(pcm, n, out, max, &log);
	free(pcm);
	return r;
}

UNIT_TEST(dtmf_digit_table)
{
	unsigned lo, hi;
	double fl, fh;

	CHECK_STR(dtmf_digits, keypad);
	for (const char *p = keypad; *p; p++) {
		freqs(*p, &fl, &fh);
		CHECK_INT(dtmf_digit_freqs(*p, &lo, &hi), 0);
		CHECK(lo == fl && hi == fh, "%c: %u+%u", *p, lo, hi);
	}
	CHECK_INT(dtmf_digit_freqs('b', &lo, &hi), 0);
	CHECK(lo == 770 && hi == 1633, "b: %u+%u", lo, hi);
	CHECK_INT(dtmf_digit_freqs('E', &lo, &hi), -EINVAL);
	CHECK_INT(dtmf_digit_freqs('\0', &lo, &hi), -EINVAL);
}

UNIT_TEST(dtmf_all_digits_nominal)
{
	size_t n = 16 * MS(120);
	double *buf = calloc(n, sizeof(*buf));
	int16_t *pcm;
	struct evlog log;
	char out[64];
	double fl, fh;
	int r;

	CHECK(buf, "calloc");
	rng_seed(1);
	for (unsigned i = 0; i < 16; i++) {
		freqs(keypad[i], &fl, &fh);
		add_pair(buf + i * MS(120) + MS(30), MS(60), fl, fh, -10.0, 0.0);
	}
	pcm = to_pcm(buf, n);
	free(buf);
	CHECK(pcm, "malloc");
	r = run(pcm, n, out, sizeof(out), &log);
	free(pcm);
	CHECK(r >= 0, "events and returned digits disagree");
	CHECK_STR(out, keypad);
	CHECK_INT(log.n, 32);
}

/* Every digit, each tone in turn off by +-@rel (and both together). */
static int deviation_case(double rel, int *bad_digit, int *bad_case)
{
	char out[16];
	double fl, fh;

	for (int i = 0; i < 16; i++) {
		freqs(keypad[i], &fl, &fh);
		const double dev[8][2] = {
			{ 1 + rel, 1 }, { 1 - rel, 1 }, { 1, 1 + rel }, { 1, 1 - rel },
			{ 1 + rel, 1 + rel }, { 1 - rel, 1 - rel },
			{ 1 + rel, 1 - rel }, { 1 - rel, 1 + rel },
		};

		for (int c = 0; c < 8; c++) {
			int r = run_tone(fl * dev[c][0], fh * dev[c][1], -10.0, 0.0,
					 MS(20) + rng() % DTMF_HOP, MS(60), out,
					 sizeof(out));

			if (rel < 0.02 ? (r != 1 || out[0] != keypad[i]) : r != 0) {
				*bad_digit = keypad[i];
				*bad_case = c;
				return -1;
			}
		}
	}
	return 0;
}

UNIT_TEST(dtmf_deviation_1_5_accepted)
{
	int d = 0, c = 0;

	rng_seed(2);
	CHECK(deviation_case(0.015, &d, &c) == 0,
	      "digit %c, deviation case %d not detected", d, c);
}

UNIT_TEST(dtmf_deviation_3_5_rejected)
{
	int d = 0, c = 0;

	rng_seed(3);
	CHECK(deviation_case(0.035, &d, &c) == 0,
	      "digit %c, deviation case %d detected", d, c);
}

/*
 * Twist, high group minus low group in dB.  Lines lose more at high
 * frequencies, so a receiver must take the low group up to 8 dB louder
 * (normal twist, -8 here) and the high group up to 4 dB louder (reverse
 * twist, +4); 4 dB beyond either edge it must refuse.  The mirrored
 * window (high up to 8 dB louder, low only 4) is what this test rejects:
 * +8 must fail and -8 pass.
 */
UNIT_TEST(dtmf_twist)
{
	static const struct { double twist; bool accept; } cases[] = {
		{ 0.0, true }, { -8.0, true }, { 4.0, true }, { -4.0, true },
		{ 2.0, true }, { -12.0, false }, { 8.0, false }, { -16.0, false },
		{ 12.0, false },
	};
	char out[16];
	double fl, fh;

	rng_seed(4);
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++)
		for (int i = 0; i < 16; i++) {
			freqs(keypad[i], &fl, &fh);
			for (double lvl = -20.0; lvl <= -5.0; lvl += 15.0) {
				int r = run_tone(fl, fh, lvl, cases[c].twist,
						 MS(20) + rng() % DTMF_HOP, MS(80),
						 out, sizeof(out));

				if (cases[c].accept)
					CHECK(r == 1 && out[0] == keypad[i],
					      "twist %+.0f dB at %.0f dBm0, digit %c: got \"%s\"",
					      cases[c].twist, lvl, keypad[i],
					      r >= 0 ? out : "?");
				else
					CHECK(r == 0, "twist %+.0f dB at %.0f dBm0, digit %c: got \"%s\"",
					      cases[c].twist, lvl, keypad[i],
					      r >= 0 ? out : "?");
			}
		}
}

/* The twist edges at the Q.24 duration and in noise: 40 ms tones at
 * -8 and +4 dB with 15 dB S/N are all detected. */
UNIT_TEST(dtmf_twist_edges_short_noisy)
{
	char out[16];
	double fl, fh;

	rng_seed(13);
	for (double tw = -8.0; tw <= 4.0; tw += 12.0)
		for (int i = 0; i < 16; i++) {
			size_t lead = MS(20) + rng() % DTMF_HOP, n = lead + MS(90);
			double *buf = calloc(n, sizeof(*buf));
			struct evlog log;
			int16_t *pcm;
			int r;

			CHECK(buf, "calloc");
			freqs(keypad[i], &fl, &fh);
			add_pair(buf + lead, MS(40), fl, fh, -20.0, tw);
			add_noise(buf, n, sine_power(-20.0 - 15.0));
			pcm = to_pcm(buf, n);
			free(buf);
			CHECK(pcm, "malloc");
			r = run(pcm, n, out, sizeof(out), &log);
			free(pcm);
			CHECK(r == 1 && out[0] == keypad[i],
			      "40 ms %c, twist %+.0f, 15 dB S/N: got \"%s\"", keypad[i], tw,
			      r >= 0 ? out : "?");
		}
}

UNIT_TEST(dtmf_duration)
{
	char out[16];
	double fl, fh;

	rng_seed(5);
	for (int i = 0; i < 16; i++) {
		freqs(keypad[i], &fl, &fh);
		/* every alignment of the tone to the detector's frames */
		for (size_t off = 0; off < DTMF_HOP; off += 4) {
			int r = run_tone(fl, fh, -10.0, 0.0, MS(20) + off, MS(40),
					 out, sizeof(out));

			CHECK(r == 1 && out[0] == keypad[i],
			      "40 ms %c at offset %zu: got \"%s\"", keypad[i], off,
			      r >= 0 ? out : "?");
			r = run_tone(fl, fh, -10.0, 0.0, MS(20) + off, MS(23), out,
				     sizeof(out));
			CHECK(r == 0, "23 ms %c at offset %zu: got \"%s\"", keypad[i],
			      off, r >= 0 ? out : "?");
		}
	}
}

/* A tone of 60 ms, a gap of @gap_ms (silence), 60 ms more (phase kept). */
static int run_gap(char digit, unsigned gap_ms, size_t lead, char *out, size_t max)
{
	size_t n = lead + MS(120 + gap_ms) + MS(50);
	double *buf = calloc(n, sizeof(*buf));
	int16_t *pcm;
	struct evlog log;
	double fl, fh;
	int r;

	if (!buf)
		return -1;
	freqs(digit, &fl, &fh);
	add_pair(buf + lead, MS(120 + gap_ms), fl, fh, -10.0, 0.0);
	memset(buf + lead + MS(60), 0, MS(gap_ms) * sizeof(*buf));
	pcm = to_pcm(buf, n);
	free(buf);
	if (!pcm)
		return -1;
	r = run(pcm, n, out, max, &log);
	free(pcm);
	return r;
}

UNIT_TEST(dtmf_dropout)
{
	char out[16], want[3];

	rng_seed(6);
	for (int i = 0; i < 16; i++)
		for (size_t off = 0; off < DTMF_HOP; off += 13) {
			int r = run_gap(keypad[i], 10, MS(20) + off, out, sizeof(out));

			want[0] = want[1] = keypad[i];
			want[2] = '\0';
			CHECK(r == 1 && out[0] == keypad[i],
			      "10 ms drop-out in %c, offset %zu: got \"%s\"", keypad[i],
			      off, r >= 0 ? out : "?");
			r = run_gap(keypad[i], 30, MS(20) + off, out, sizeof(out));
			CHECK(r == 2 && strcmp(out, want) == 0,
			      "30 ms gap in %c, offset %zu: got \"%s\"", keypad[i], off,
			      r >= 0 ? out : "?");
		}
}

/*
 * 100 random digits, 50 ms tone / 50 ms pause, at @dbm0, in white noise
 * 15 dB below the signal (both tones) over the whole stream.
 */
static int noise_run(double dbm0, double snr_db, double twist, char *want,
		     char *got, size_t max)
{
	const size_t slot = MS(100);
	size_t n = 100 * slot + MS(50);
	double *buf = calloc(n, sizeof(*buf));
	int16_t *pcm;
	struct evlog log;
	double fl, fh;
	int r;

	if (!buf)
		return -1;
	for (unsigned i = 0; i < 100; i++) {
		want[i] = keypad[rng() % 16];
		freqs(want[i], &fl, &fh);
		add_pair(buf + i * slot + MS(25), MS(50), fl, fh, dbm0, twist);
	}
	want[100] = '\0';
	add_noise(buf, n, sine_power(dbm0 - snr_db));
	pcm = to_pcm(buf, n);
	free(buf);
	if (!pcm)
		return -1;
	r = run(pcm, n, got, max, &log);
	free(pcm);
	return r;
}

UNIT_TEST(dtmf_noise_15db)
{
	char want[101], got[128];

	rng_seed(7);
	for (double lvl = -25.0; lvl <= -3.0; lvl += 5.5) {
		int r = noise_run(lvl, 15.0, 0.0, want, got, sizeof(got));

		CHECK(r >= 0, "%.1f dBm0: events and returned digits disagree", lvl);
		CHECK(strcmp(got, want) == 0, "%.1f dBm0:\n got  %s\n want %s",
		      lvl, got, want);
	}
	/* and with the twist limits at the lowest level */
	for (double tw = -8.0; tw <= 4.0; tw += 12.0) {
		int r = noise_run(-25.0, 15.0, tw, want, got, sizeof(got));

		CHECK(r >= 0 && strcmp(got, want) == 0,
		      "-25 dBm0 twist %+.0f:\n got  %s\n want %s", tw, got, want);
	}
}

/* ---- external programs ---- */

static char tmpdir[64];

static int make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/fxsd-dtmf.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void remove_tmpdir(void)
{
	char path[512];
	struct dirent *de;
	DIR *dir = opendir(tmpdir);

	while (dir && (de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	if (rmdir(tmpdir) < 0)
		fprintf(stderr, "could not remove %s: %s\n", tmpdir, strerror(errno));
}

static int16_t *read_raw(const char *path, size_t *ret_n)
{
	FILE *f = fopen(path, "rb");
	int16_t *pcm = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (pcm = malloc((size_t)len))) {
		*ret_n = fread(pcm, sizeof(*pcm), (size_t)len / 2, f);
	}
	fclose(f);
	return pcm;
}

static const char *const speech_text[] = {
	"The quick brown fox jumps over the lazy dog. Please call me back at "
	"your earliest convenience, and remember to bring the documents we "
	"discussed yesterday afternoon. How are you today? I am fine, thank you "
	"very much. Would you like some tea or coffee? Yes please, with a little "
	"milk and no sugar.",
	"Once upon a time, in a small village near the mountains, there lived "
	"an old clockmaker who repaired watches for everyone in the valley. "
	"Every morning he opened his shop at seven o'clock and whistled a "
	"cheerful tune while the kettle boiled. Children pressed their noses "
	"against the window to watch the tiny gears turning.",
	"Telephone networks carry voices across great distances. Engineers "
	"design signalling so that speech never triggers the switching "
	"equipment by mistake, which is called talk-off. She sells sea shells by "
	"the sea shore. Peter Piper picked a peck of pickled peppers. Around the "
	"rugged rock the ragged rascal ran.",
	"Weather forecast for the weekend: sunny spells in the morning, "
	"turning cloudy later with a chance of thunderstorms in the east. "
	"Temperatures will reach twenty three degrees. Winds light and "
	"variable. Oh! Really? Wow, that is amazing. Hmm, let me think about "
	"it for a moment, one, two, three, four, five, six, seven, eight, nine.",
};

static const struct { const char *voice; unsigned speed; } speech_voice[] = {
	{ "en-us", 140 }, { "en", 170 }, { "en-gb+f4", 200 },
	{ "en-us+f3", 160 }, { "en-us+m3", 180 }, { "en+klatt", 150 },
};

UNIT_TEST(dtmf_talkoff_speech)
{
	char path[128], cmd[512], out[64];
	size_t total = 0;
	unsigned talkoff = 0;
	FILE *f;

	CHECK(make_tmpdir() == 0, "mkdtemp: %s", strerror(errno));
	rng_seed(8);
	for (unsigned v = 0; v < 6; v++) {
		size_t n = 0;
		int16_t *pcm;
		struct evlog log;

		snprintf(path, sizeof(path), "%s/text%u.txt", tmpdir, v);
		f = fopen(path, "w");
		if (!f)
			break;
		fprintf(f, "%s\n%s\n", speech_text[v % 4], speech_text[(v + 1) % 4]);
		fclose(f);
		snprintf(cmd, sizeof(cmd),
			 "espeak-ng -v %s -s %u -w %s/s%u.wav -f %s >/dev/null 2>&1 && "
			 "sox %s/s%u.wav -t raw -r 8000 -c 1 -b 16 -e signed-integer "
			 "%s/s%u.raw 2>/dev/null",
			 speech_voice[v].voice, speech_voice[v].speed, tmpdir, v, path,
			 tmpdir, v, tmpdir, v);
		if (system(cmd) != 0) {
			remove_tmpdir();
			CHECK(0, "espeak-ng/sox failed (installed?): %s", cmd);
		}
		snprintf(path, sizeof(path), "%s/s%u.raw", tmpdir, v);
		pcm = read_raw(path, &n);
		if (!pcm) {
			remove_tmpdir();
			CHECK(0, "no speech in %s", path);
		}
		total += n;
		/* at the speaker's level, 12 dB lower and 6 dB higher */
		for (int g = -12; g <= 6; g += 9) {
			double k = pow(10.0, g / 20.0);
			int16_t *s = malloc(n * sizeof(*s));

			for (size_t i = 0; s && i < n; i++) {
				double x = lrint(pcm[i] * k);

				s[i] = (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : x);
			}
			if (s) {
				int r = run(s, n, out, sizeof(out), &log);

				talkoff += r < 0 ? 1 : (unsigned)r;
				if (r > 0)
					fprintf(stderr, "talk-off: voice %s gain %d: \"%s\"\n",
						speech_voice[v].voice, g, out);
			}
			free(s);
		}
		free(pcm);
	}
	remove_tmpdir();
	CHECK(total >= 60 * RATE, "only %.1f s of speech", (double)total / RATE);
	CHECK(talkoff == 0, "%u digits detected in %.1f s of speech", talkoff,
	      (double)total / RATE);
}

/* ---- generator ---- */

UNIT_TEST(dtmf_gen_basics)
{
	struct dtmf_gen g = { 0 };
	int16_t a[2000], b[2000];
	double p = 0.0, want;
	size_t pos = 0, n;

	CHECK(!dtmf_gen_active(&g), "zero-filled generator active");
	CHECK_INT(dtmf_gen_start(&g, 'E', -10.0, 0.0, 100), -EINVAL);
	CHECK(!dtmf_gen_active(&g), "active after a bad digit");
	CHECK_INT(dtmf_gen_start(&g, '5', 10.0, 0.0, 100), -EINVAL);
	/* one piece vs odd-sized pieces: the same samples (phase-continuous) */
	CHECK_INT(dtmf_gen_start(&g, '5', -6.0, 0.0, 1600), 0);
	CHECK_INT(dtmf_gen_fill(&g, a, 2000), 1600);
	CHECK(!dtmf_gen_active(&g), "still active after its duration");
	for (size_t i = 1600; i < 2000; i++)
		CHECK(a[i] == 0, "sample %zu after the end: %d", i, a[i]);
	memset(&g, 0, sizeof(g));
	CHECK_INT(dtmf_gen_start(&g, '5', -6.0, 0.0, 1600), 0);
	rng_seed(9);
	while (pos < 2000) {
		n = 1 + rng() % 77;
		if (n > 2000 - pos)
			n = 2000 - pos;
		dtmf_gen_fill(&g, b + pos, n);
		pos += n;
	}
	CHECK(memcmp(a, b, sizeof(a)) == 0, "chunked output differs");
	/* level: total power of the pair */
	for (size_t i = 0; i < 1600; i++)
		p += (double)a[i] * a[i];
	p /= 1600;
	want = sine_power(-6.0);
	CHECK(fabs(10.0 * log10(p / want)) < 0.1, "level %.2f dB off",
	      10.0 * log10(p / want));
	/* forever until stopped */
	CHECK_INT(dtmf_gen_start(&g, 'D', 0.0, 8.0, 0), 0);
	CHECK_INT(dtmf_gen_fill(&g, a, 2000), 2000);
	CHECK(dtmf_gen_active(&g), "stopped by itself");
	dtmf_gen_stop(&g);
	CHECK_INT(dtmf_gen_fill(&g, a, 10), 0);
}

/* The generator's sequence, as one buffer. */
static int16_t *gen_sequence(const char *digits, double dbm0, double twist,
			     size_t on, size_t off, size_t *ret_n)
{
	size_t n = strlen(digits) * (on + off) + off;
	int16_t *pcm = calloc(n, sizeof(*pcm));
	struct dtmf_gen g = { 0 };

	for (size_t i = 0; pcm && digits[i]; i++) {
		int16_t *p = pcm + off + i * (on + off);
		size_t done = 0;

		if (dtmf_gen_start(&g, digits[i], dbm0, twist, (uint32_t)on) < 0) {
			free(pcm);
			return NULL;
		}
		while (done < on + off) {	/* odd pieces */
			size_t c = 1 + rng() % 200;

			if (c > on + off - done)
				c = on + off - done;
			if (p + done + c > pcm + n)
				c = (size_t)(pcm + n - (p + done));
			dtmf_gen_fill(&g, p + done, c);
			done += c;
		}
	}
	*ret_n = n;
	return pcm;
}

UNIT_TEST(dtmf_gen_roundtrip)
{
	static const struct { double dbm0, twist; size_t on; } cases[] = {
		{ -10.0, 0.0, MS(50) }, { 0.0, 0.0, MS(40) }, { -25.0, 0.0, MS(60) },
		{ 0.0, -8.0, MS(50) }, { -20.0, 4.0, MS(50) }, { 3.0, 2.0, MS(100) },
	};
	struct evlog log;
	char out[64];
	size_t n;

	rng_seed(10);
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		int16_t *pcm = gen_sequence(keypad, cases[c].dbm0, cases[c].twist,
					    cases[c].on, MS(50), &n);
		int r;

		CHECK(pcm, "gen_sequence");
		r = run(pcm, n, out, sizeof(out), &log);
		free(pcm);
		CHECK(r >= 0, "events and returned digits disagree");
		CHECK(strcmp(out, keypad) == 0, "%.0f dBm0 twist %+.0f: got \"%s\"",
		      cases[c].dbm0, cases[c].twist, out);
	}
}

UNIT_TEST(dtmf_gen_multimon)
{
	char path[128], cmd[512], line[256], got[64];
	size_t n, k = 0;
	int16_t *pcm;
	FILE *f;
	int st;

	CHECK(make_tmpdir() == 0, "mkdtemp: %s", strerror(errno));
	rng_seed(11);
	pcm = gen_sequence(keypad, -10.0, 2.0, MS(70), MS(70), &n);
	CHECK(pcm, "gen_sequence");
	snprintf(path, sizeof(path), "%s/gen.raw", tmpdir);
	f = fopen(path, "wb");
	if (f) {
		fwrite(pcm, sizeof(*pcm), n, f);
		fclose(f);
	}
	free(pcm);
	snprintf(cmd, sizeof(cmd),
		 "sox -t raw -r 8000 -e signed -b 16 -c 1 %s -t raw -r 22050 "
		 "%s/gen22k.raw 2>/dev/null && multimon-ng -q -t raw -a DTMF "
		 "%s/gen22k.raw 2>/dev/null", path, tmpdir, tmpdir);
	f = popen(cmd, "r");
	if (!f) {
		remove_tmpdir();
		CHECK(0, "popen: %s", strerror(errno));
	}
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "DTMF: ", 6) == 0 && k < sizeof(got) - 1)
			got[k++] = line[6];
	got[k] = '\0';
	st = pclose(f);
	remove_tmpdir();
	CHECK(st == 0, "sox/multimon-ng failed (installed?), status %d", st);
	CHECK_STR(got, keypad);
}

UNIT_TEST(dtmf_event_timestamps)
{
	struct evlog log;
	char out[16];
	double fl, fh;

	rng_seed(12);
	for (unsigned t = 0; t < 40; t++) {
		size_t lead = MS(100) + rng() % 800, len = MS(40) + rng() % MS(400);
		size_t n = lead + len + MS(100);
		double *buf = calloc(n, sizeof(*buf));
		int16_t *pcm;
		char digit = keypad[rng() % 16];
		int r;

		CHECK(buf, "calloc");
		freqs(digit, &fl, &fh);
		add_pair(buf + lead, len, fl, fh, -15.0, 0.0);
		add_noise(buf, n, sine_power(-15.0 - 20.0));
		pcm = to_pcm(buf, n);
		free(buf);
		CHECK(pcm, "malloc");
		r = run(pcm, n, out, sizeof(out), &log);
		free(pcm);
		CHECK(r == 1 && log.n == 2, "%zu samples of %c: %d digits, %u events",
		      len, digit, r, log.n);
		CHECK(!log.ev[0].end && log.ev[1].end, "start then end");
		CHECK(log.ev[0].digit == digit && log.ev[1].digit == digit,
		      "digit %c/%c", log.ev[0].digit, log.ev[1].digit);
		CHECK(llabs((long long)log.ev[1].start - (long long)lead) <= (long long)MS(8),
		      "start %llu, tone began at %zu",
		      (unsigned long long)log.ev[1].start, lead);
		CHECK(llabs((long long)log.ev[1].duration - (long long)len) <= (long long)MS(10),
		      "duration %u, tone lasted %zu", log.ev[1].duration, len);
	}
}
