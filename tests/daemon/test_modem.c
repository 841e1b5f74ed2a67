// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_modem.c - the fax/modem signal detector (dsp/modem.c) on signals
 * made by other programs: sox synthesises the answer tones (phase
 * reversals as 450 ms segments started 180 degrees apart, AM with sox's
 * amod), CNG and Bell ANS; minimodem the V.21 channel 2 HDLC flags (sync:
 * no start or stop bits); espeak-ng speech and the tone plans must not
 * trigger it.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dsp/modem.h"
#include "dsp/tone.h"
#include "unit.h"

#define RAW	"-t raw -r 8000 -e signed -b 16 -c 1"

static char tmpdir[64];

static int make_tmpdir(void)
{
	strcpy(tmpdir, "/tmp/fxsd-modem.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static void remove_tmpdir(void)
{
	char path[512];
	struct dirent *de;
	DIR *dir = opendir(tmpdir);

	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", tmpdir, de->d_name);
		unlink(path);
	}
	if (dir)
		closedir(dir);
	rmdir(tmpdir);
}

static int16_t *read_raw(const char *path, size_t *ret_n)
{
	FILE *f = fopen(path, "rb");
	int16_t *pcm = NULL;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0) {
		rewind(f);
		pcm = malloc((size_t)len);
		if (pcm && fread(pcm, 1, (size_t)len, f) != (size_t)len) {
			free(pcm);
			pcm = NULL;
		}
		*ret_n = (size_t)len / 2;
	}
	fclose(f);
	return pcm;
}

/*
 * Run the shell command @cmd (it writes $D/out.raw, $D the temporary
 * directory) and the detector over the result in 20 ms frames.  Returns
 * the strongest signal, its time in *@ret_ms; -1 when the command failed,
 * -2 when modem_detector_tone() disagrees.
 */
static int detect_cmd(const char *cmd, unsigned *ret_ms)
{
	char sh[4096], path[128];
	struct modem_detector *d;
	int16_t *pcm;
	size_t n = 0;
	int best = MODEM_TONE_NONE;

	snprintf(sh, sizeof(sh), "D=%s; %s", tmpdir, cmd);
	if (system(sh) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/out.raw", tmpdir);
	pcm = read_raw(path, &n);
	unlink(path);
	if (!pcm || modem_detector_new(&d) < 0) {
		free(pcm);
		return -1;
	}
	*ret_ms = 0;
	for (size_t i = 0; i + 160 <= n; i += 160) {
		enum modem_tone t = modem_detector_process(d, pcm + i, 160);

		if (t != MODEM_TONE_NONE) {
			best = t;
			*ret_ms = (unsigned)((i + 160) / 8);
		}
	}
	if (modem_detector_tone(d) != (enum modem_tone)best)
		best = -2;	/* the state disagrees with the reports */
	modem_detector_free(d);
	free(pcm);
	return best;
}

/* sox, answer tone: @pr phase reversals every 450 ms, @am 15 Hz AM
 * (20 %: the envelope 0.8..1.2), @level_db dBFS, @secs long */
static void ans_cmd(char *cmd, size_t sz, bool pr, bool am, int level_db,
		    double freq, int secs)
{
	size_t len = 0;
	int segs = (int)(secs / 0.45);

	len += (size_t)snprintf(cmd + len, sz - len, "sox");
	for (int i = 0; i < segs && len < sz; i++) {
		/* each segment restarts the AM where the last left it:
		 * 6.75 periods of 15 Hz in 450 ms */
		len += (size_t)snprintf(cmd + len, sz - len,
			" \"|sox -n -p synth 0.45 sine %.0f 0 %d%s%d gain %d\"",
			freq, pr ? (i % 2) * 50 : 0,
			am ? " synth 0.45 sine amod 15 67 " : " remix 1 #",
			am ? (i * 75) % 100 : 0, level_db);
	}
	snprintf(cmd + len, sz - len, " " RAW " $D/out.raw");
}

UNIT_TEST(modem_answer_tones)
{
	static const struct {
		bool pr, am;
		enum modem_tone want;
	} c[] = {
		{ false, false, MODEM_TONE_ANS },
		{ true, false, MODEM_TONE_ANS_PR },
		{ false, true, MODEM_TONE_ANSAM },
		{ true, true, MODEM_TONE_ANSAM_PR },
	};
	char cmd[4096];
	unsigned ms;

	CHECK(make_tmpdir() == 0, "mkdtemp: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		for (int level = -30; level <= -6; level += 12) {
			int t;

			ans_cmd(cmd, sizeof(cmd), c[i].pr, c[i].am, level, 2100, 3);
			t = detect_cmd(cmd, &ms);
			if (t != (int)c[i].want)
				remove_tmpdir();
			CHECK(t == (int)c[i].want, "%s%s at %d dBFS: got %s, want %s",
			      c[i].pr ? "phase reversals" : "no reversals",
			      c[i].am ? ", AM" : "", level,
			      t < 0 ? "(sox failed)" : modem_tone_to_string(t),
			      modem_tone_to_string(c[i].want));
			/* G.164: the tone recognised within its first 2 s
			 * (one reversal or more for /ANS) */
			if (ms > 2000)
				remove_tmpdir();
			CHECK(ms <= 2000, "%s at %d dBFS recognised after %u ms",
			      modem_tone_to_string(t), level, ms);
		}
	/* 2100 Hz +-15 Hz is ANS, 2225 +-15 Hz Bell ANS; 30 Hz off neither */
	static const struct {
		int freq;
		enum modem_tone want;
	} f[] = {
		{ 2086, MODEM_TONE_ANS }, { 2114, MODEM_TONE_ANS },
		{ 2070, MODEM_TONE_NONE }, { 2130, MODEM_TONE_NONE },
		{ 2160, MODEM_TONE_NONE }, { 2195, MODEM_TONE_NONE },
		{ 2211, MODEM_TONE_BELL_ANS }, { 2239, MODEM_TONE_BELL_ANS },
		{ 2255, MODEM_TONE_NONE },
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int t;

		snprintf(cmd, sizeof(cmd), "sox -n " RAW " $D/out.raw synth 3 sine %d gain -12",
			 f[i].freq);
		t = detect_cmd(cmd, &ms);
		if (t != (int)f[i].want)
			remove_tmpdir();
		CHECK(t == (int)f[i].want, "%d Hz: got %s, want %s", f[i].freq,
		      t < 0 ? "(sox failed)" : modem_tone_to_string(t),
		      modem_tone_to_string(f[i].want));
	}
	remove_tmpdir();
	CHECK(modem_tone_disables_ec(MODEM_TONE_ANS_PR) &&
	      modem_tone_disables_ec(MODEM_TONE_ANSAM_PR) &&
	      !modem_tone_disables_ec(MODEM_TONE_ANS) &&
	      !modem_tone_disables_ec(MODEM_TONE_ANSAM) &&
	      !modem_tone_disables_ec(MODEM_TONE_CNG) &&
	      !modem_tone_disables_ec(MODEM_TONE_V21), "disables_ec table");
}

UNIT_TEST(modem_fax_signals)
{
	static const struct {
		const char *what, *cmd;
		enum modem_tone want;
	} c[] = {
		{ "CNG (0.5 s on, 3 s off, twice)",
		  "sox -n " RAW " $D/out.raw synth 0.5 sine 1100 gain -15 pad 0 3 repeat 1",
		  MODEM_TONE_CNG },
		{ "steady 1100 Hz (no CNG)",
		  "sox -n " RAW " $D/out.raw synth 3 sine 1100 gain -15",
		  MODEM_TONE_NONE },
		{ "Bell ANS 2225 Hz",
		  "sox -n " RAW " $D/out.raw synth 3 sine 2225 gain -12",
		  MODEM_TONE_BELL_ANS },
		{ "V.21 ch 2 HDLC flags",
		  "head -c 40 /dev/zero | tr '\\0' '\\176' | minimodem --tx -f $D/v.wav "
		  "-R 8000 -M 1650 -S 1850 --startbits 0 --stopbits 0 300 && "
		  "sox $D/v.wav " RAW " $D/out.raw gain -6",
		  MODEM_TONE_V21 },
		{ "V.21 ch 2 random bytes (no flags)",
		  "head -c 40 /dev/urandom | minimodem --tx -f $D/v.wav "
		  "-R 8000 -M 1650 -S 1850 --startbits 0 --stopbits 0 300 && "
		  "sox $D/v.wav " RAW " $D/out.raw gain -6",
		  MODEM_TONE_NONE },
		{ "V.23 caller ID (1300/2100 Hz FSK)",
		  "head -c 60 /dev/urandom | minimodem --tx -f $D/v.wav -R 8000 "
		  "-M 1300 -S 2100 1200 && sox $D/v.wav " RAW " $D/out.raw gain -6",
		  MODEM_TONE_NONE },
		{ "a 100 ms 2100 Hz blip",
		  "sox -n " RAW " $D/out.raw synth 0.1 sine 2100 gain -12 pad 0 1",
		  MODEM_TONE_NONE },
		{ "white noise",
		  "sox -n " RAW " $D/out.raw synth 4 whitenoise gain -15",
		  MODEM_TONE_NONE },
		{ "DTMF 0-9 (sox)",
		  "for f in '941 1336' '697 1209' '697 1336' '697 1477' '770 1209' "
		  "'770 1336' '770 1477' '852 1209' '852 1336' '852 1477'; do set -- $f; "
		  "sox -n -p synth 0.1 sine $1 sine $2 remix - gain -10 pad 0 0.1; done | "
		  "sox -t sox - " RAW " $D/out.raw",
		  MODEM_TONE_NONE },
		{ "speech (espeak-ng)",
		  "espeak-ng -s 150 -w $D/s.wav 'The quick brown fox jumps over the lazy dog. "
		  "She sells sea shells by the sea shore; eleven, twelve, twenty one hundred.' "
		  ">/dev/null 2>&1 && sox $D/s.wav " RAW " $D/out.raw",
		  MODEM_TONE_NONE },
	};
	unsigned ms;

	CHECK(make_tmpdir() == 0, "mkdtemp: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int t = detect_cmd(c[i].cmd, &ms);

		if (t != (int)c[i].want)
			remove_tmpdir();
		CHECK(t == (int)c[i].want, "%s: got %s (at %u ms), want %s",
		      c[i].what, t < 0 ? "(command failed)" : modem_tone_to_string(t),
		      ms, modem_tone_to_string(c[i].want));
	}
	remove_tmpdir();
}

/* Every tone of every country's plan, 8 s of it: no data signal. */
UNIT_TEST(modem_tone_plans_quiet)
{
	static int16_t buf[8 * 8000];
	struct modem_detector *d;

	CHECK(modem_detector_new(&d) == 0, "new");
	for (int c = 0; c < _TONE_COUNTRY_MAX; c++)
		for (int t = 0; t < _TONE_ID_MAX; t++) {
			struct tonegen g = { 0 };
			enum modem_tone got;

			if (tonegen_start(&g, (enum tone_country)c, (enum tone_id)t) < 0)
				continue;
			tonegen_fill(&g, buf, sizeof(buf) / sizeof(buf[0]));
			modem_detector_reset(d);
			modem_detector_process(d, buf, sizeof(buf) / sizeof(buf[0]));
			got = modem_detector_tone(d);
			if (got != MODEM_TONE_NONE)
				modem_detector_free(d);
			CHECK(got == MODEM_TONE_NONE, "%s %s: %s",
			      tone_country_to_string((enum tone_country)c),
			      tone_id_to_string((enum tone_id)t),
			      modem_tone_to_string(got));
		}
	modem_detector_free(d);
}

/* A call's signal only rises, and a reset forgets it. */
UNIT_TEST(modem_reset)
{
	static int16_t buf[3 * 8000];
	struct modem_detector *d;
	struct tonegen g = { 0 };

	CHECK(modem_detector_new(&d) == 0, "new");
	for (size_t i = 0; i < sizeof(buf) / sizeof(buf[0]); i++) {
		/* 2225 Hz, by hand */
		static double ph;

		buf[i] = (int16_t)(8000 * __builtin_sin(ph));
		ph += 2 * 3.14159265358979 * 2225 / 8000;
	}
	modem_detector_process(d, buf, sizeof(buf) / sizeof(buf[0]));
	CHECK_INT(modem_detector_tone(d), MODEM_TONE_BELL_ANS);
	modem_detector_reset(d);
	CHECK_INT(modem_detector_tone(d), MODEM_TONE_NONE);
	tonegen_start(&g, TONE_COUNTRY_US, TONE_DIAL);
	tonegen_fill(&g, buf, sizeof(buf) / sizeof(buf[0]));
	CHECK_INT(modem_detector_process(d, buf, sizeof(buf) / sizeof(buf[0])),
		  MODEM_TONE_NONE);
	modem_detector_free(d);
}
