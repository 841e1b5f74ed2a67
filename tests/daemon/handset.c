// SPDX-License-Identifier: GPL-2.0-only
/*
 * handset - a person at the loopback board's phone, for end-to-end tests.
 *
 *   handset N wait-ring MS        wait until the phone rings (exit 1 if not)
 *   handset N lift | hangup       move the hook switch
 *   handset N flash [MS]          a hook flash: break the loop for MS
 *                                 (default 500) and close it again
 *   handset N dial DIGITS         pulse-dial (60 ms break, 40 ms make)
 *   handset N dtmf DIGITS         key DTMF tones into the mouthpiece
 *                                 (80 ms tone, 80 ms pause, about -10 dBm0)
 *   handset N hear FREQ MS [PCT]  listen: exit 0 if FREQ Hz is strong at the
 *                                 earpiece in at least PCT % (default 50)
 *                                 of the 20 ms blocks of MS milliseconds
 *   handset N talk MS             say MS of noise into the mouthpiece and
 *                                 check that it comes back at the earpiece
 *                                 (a far end that echoes audio): exit 0 if
 *                                 the normalised cross-correlation of what
 *                                 was said and what was heard peaks above
 *                                 0.5 at some delay up to 1 s (fxsd lets
 *                                 the queue to the phone grow with its
 *                                 late wake-ups, on a loaded machine to
 *                                 a few hundred ms).  Noise,
 *                                 not a tone: an echo canceller can't
 *                                 predict it, so it can't take it away.
 *   handset N quiet MS            exit 0 if the earpiece stays silent
 *   handset N record MS FILE      save MS of earpiece audio (raw s16 8 kHz)
 *   handset N record-line MS FILE record as "record" does and print the
 *                                 line observations meanwhile, with their
 *                                 time from the start of the recording:
 *                                 "obs polarity 1 at 120 ms", "obs ring-on
 *                                 at 1500 ms", "obs linefeed 4 at ..."
 *   handset N record-tone MS FILE wait (up to 15 s) for 300 ms of silence
 *                                 and then a sound; save MS of earpiece
 *                                 audio from 200 ms before it began
 *   handset N ring-cadence MS     watch the ringer for MS and print the on
 *                                 and off times seen (exit 1 if no ring)
 *   handset N say FILE            say a raw s16 8 kHz file into the
 *                                 mouthpiece, in real time; prints the
 *                                 CLOCK_MONOTONIC times (ms) of its start
 *                                 and end on the line
 *   handset N echo on|off [ERL_DB [DELAY_MS [TAPS]]]
 *                                 the line's hybrid echo: loss, bulk delay,
 *                                 and the impulse response after it (file
 *                                 of Q15 numbers; default: the board's)
 *   handset N burst MS            say a loud 1 kHz burst now; print the
 *                                 CLOCK_MONOTONIC time (ms) it starts
 *   handset N onset MS            listen up to MS; print the time the first
 *                                 loud sample (|x| > 4000) reached the
 *                                 earpiece (exit 1 if none)
 *   handset N cpe MS FILE ACK     a Type II (caller ID on call waiting)
 *                                 phone: record MS of the earpiece to FILE
 *                                 and listen for the CPE alerting signal
 *                                 (CAS / off-hook DT-AS, 2130 + 2750 Hz);
 *                                 when it ends, key the acknowledgement
 *                                 ACK (a DTMF digit, 60 ms) into the
 *                                 mouthpiece at once, as the phone would
 *                                 (GR-30: within 100 ms); ACK "none": a
 *                                 phone that cannot show the data.  Prints
 *                                 "handset: CAS from X to Y ms" (times in
 *                                 the recording) and "handset: ACK D keyed
 *                                 at Z ms"; exit 1 if no CAS was heard.
 *                                 Detection: a Goertzel per 20 ms block;
 *                                 the block is CAS when it is above
 *                                 -50 dBFS and 2130 Hz and 2750 Hz each
 *                                 hold over 30 % of its power (a CAS
 *                                 block gives about 50 % each; one tone,
 *                                 FSK or speech gives one at most); two
 *                                 such blocks in a row are the CAS, and
 *                                 the first block after them without it is
 *                                 its end.
 *
 * N is the port number (/dev/fxs_hsN).  Every command prints what it saw.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fxs.h>
#include <linux/fxs_loop.h>

#define RATE	8000
#define BLOCK	160	/* 20 ms analysis blocks */

static int hs;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Power of @f in a block relative to the block's total power (0..1). */
static double tone_share(const int16_t *x, int n, double f)
{
	double w = 2 * M_PI * f / RATE, c = 2 * cos(w), s1 = 0, s2 = 0, tot = 0;
	int i;

	for (i = 0; i < n; i++) {
		double s0 = x[i] + c * s1 - s2;

		s2 = s1;
		s1 = s0;
		tot += (double)x[i] * x[i];
	}
	if (tot < n * 100.0)	/* below about -50 dBFS: silence */
		return 0;
	return (s1 * s1 + s2 * s2 - c * s1 * s2) / (tot * n / 2);
}

/*
 * Drop what the earpiece queued before now: the command listens from here.
 * With FXS_HS_READY=PATH in the environment, PATH is then created, so a
 * script that started the command in the background (lib.sh hs_bg) can
 * wait for it before it makes the sound the command is to hear.
 */
static void listening(void)
{
	const char *ready = getenv("FXS_HS_READY");
	int fd;

	ioctl(hs, FXS_HS_IOC_FLUSH);
	if (!ready)
		return;
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0)
		close(fd);
}

static int read_block(int16_t *b)
{
	int got = 0;

	while (got < BLOCK) {
		ssize_t n = read(hs, b + got, (BLOCK - got) * sizeof(*b));

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += n / 2;
	}
	return 0;
}

/* Count blocks where @f dominates, over @ms; optionally talk @f meanwhile. */
static int listen_for(double f, int ms, int talk, int *ret_blocks)
{
	int16_t b[BLOCK], say[BLOCK];
	int i, blocks = ms / 20, hits = 0;
	static double phase;

	listening();
	for (i = 0; i < blocks; i++) {
		if (talk) {
			int k;

			for (k = 0; k < BLOCK; k++) {
				say[k] = (int16_t)(6000 * sin(phase));
				phase += 2 * M_PI * f / RATE;
			}
			if (write(hs, say, sizeof(say)) < 0)
				return -1;
		}
		if (read_block(b) < 0)
			return -1;
		hits += tone_share(b, BLOCK, f) > 0.3;
	}
	*ret_blocks = blocks;
	return hits;
}

#define TALK_MAX_LAG	(RATE * 1000 / 1000)

/* Say noise, hear it back, find it by cross-correlation. */
static int talk(int ms)
{
	size_t n = (size_t)ms * RATE / 1000, got = 0, heard_len = n + TALK_MAX_LAG;
	int16_t *said = calloc(n, sizeof(*said));
	int16_t *heard = calloc(heard_len, sizeof(*heard));
	double best = 0, es = 0;
	size_t i, lag, best_lag = 0;
	unsigned seed = 12345;

	if (!said || !heard)
		return 1;
	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		said[i] = (int16_t)((int)((seed >> 16) & 0x3fff) - 0x2000);
		es += (double)said[i] * said[i];
	}
	listening();
	/* Speak frame by frame while listening, as a person would. */
	while (got < heard_len) {
		int16_t b[BLOCK];
		size_t k = got < n ? got : 0;

		if (got < n && write(hs, said + k, BLOCK * sizeof(*said)) < 0)
			return 1;
		if (read_block(b) < 0)
			return 1;
		memcpy(heard + got, b, sizeof(b) > (heard_len - got) * 2 ?
		       (heard_len - got) * 2 : sizeof(b));
		got += BLOCK;
	}
	for (lag = 0; lag < TALK_MAX_LAG; lag++) {
		double c = 0, eh = 0;

		for (i = 0; i < n && i + lag < heard_len; i++) {
			c += (double)said[i] * heard[i + lag];
			eh += (double)heard[i + lag] * heard[i + lag];
		}
		c = eh > 0 ? c / sqrt(es * eh) : 0;
		if (c > best) {
			best = c;
			best_lag = lag;
		}
	}
	printf("handset: what was said came back after %zu ms, correlation %.2f\n",
	       best_lag / 8, best);
	free(said);
	free(heard);
	return best > 0.5 ? 0 : 1;
}

/* Say a file into the mouthpiece at the line's pace. */
static int say(const char *path)
{
	FILE *f = fopen(path, "rb");
	int16_t buf[BLOCK * 8];
	uint64_t start, n_total = 0;
	size_t n;

	if (!f) {
		perror(path);
		return 1;
	}
	listening();
	start = now_ms();
	while ((n = fread(buf, sizeof(buf[0]), BLOCK * 8, f)) > 0) {
		size_t off = 0;

		n_total += n;
		while (off < n) {
			struct pollfd p = { .fd = hs, .events = POLLOUT };
			ssize_t w;

			if (poll(&p, 1, 1000) <= 0) {
				fclose(f);
				return 1;
			}
			w = write(hs, buf + off, (n - off) * sizeof(buf[0]));
			if (w < 0 && errno != EAGAIN && errno != EINTR) {
				fclose(f);
				return 1;
			}
			if (w > 0)
				off += w / 2;
		}
	}
	fclose(f);
	/* the queue (up to 2 s) drains at the sample clock */
	while (now_ms() < start + n_total / 8)
		usleep(10000);
	printf("handset: said %s from %llu to %llu ms\n", path,
	       (unsigned long long)start,
	       (unsigned long long)(start + n_total / 8));
	return 0;
}

static int block_loud(const int16_t *b)
{
	int k;

	for (k = 0; k < BLOCK; k++)
		if (abs(b[k]) > 300)
			return 1;
	return 0;
}

#define PRE_BLOCKS	10	/* 200 ms kept before the sound */

static int record_tone(int ms, const char *path)
{
	int16_t pre[PRE_BLOCKS][BLOCK], b[BLOCK];
	int i, quiet = 0, blocks = ms / 20, n = 0, wait = 15000 / 20;
	FILE *f;

	listening();
	for (;;) {
		if (!wait--) {
			printf("handset: no sound after a silence within 15 s\n");
			return 1;
		}
		if (read_block(b) < 0)
			return 1;
		if (quiet >= 15 && block_loud(b))
			break;
		quiet = block_loud(b) ? 0 : quiet + 1;
		memcpy(pre[n++ % PRE_BLOCKS], b, sizeof(b));
	}
	f = fopen(path, "wb");
	if (!f)
		return 1;
	for (i = 0; i < PRE_BLOCKS; i++)
		fwrite(pre[(n + i) % PRE_BLOCKS], sizeof(b), 1, f);
	for (i = PRE_BLOCKS; i < blocks; i++) {
		if (fwrite(b, sizeof(b), 1, f) != 1 || read_block(b) < 0) {
			fclose(f);
			return 1;
		}
	}
	fclose(f);
	printf("handset: recorded %d ms of the earpiece from a sound\n", blocks * 20);
	return 0;
}

/* A DTMF digit, 60 ms at about -10 dBm0 per tone, into @buf; samples. */
static int dtmf_digit(char digit, int16_t *buf, int max)
{
	static const char keys[] = "123A456B789C*0#D";
	static const double lo[] = { 697, 770, 852, 941 };
	static const double hi[] = { 1209, 1336, 1477, 1633 };
	const char *k = digit ? strchr(keys, digit) : NULL;
	int i, n = 60 * RATE / 1000;

	if (!k || n > max)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (int16_t)(5000 * (sin(2 * M_PI * lo[(k - keys) / 4] * i / RATE) +
					  sin(2 * M_PI * hi[(k - keys) % 4] * i / RATE)));
	return n;
}

/* The Type II phone: see "cpe" above. */
static int cpe(int ms, const char *path, const char *ack)
{
	int16_t b[BLOCK], tone[RATE / 10];
	int i, blocks = ms / 20, run = 0, cas_from = -1, cas_to = -1, acked = -1;
	int n_ack = 0;
	FILE *f;

	if (strcmp(ack, "none") &&
	    (strlen(ack) != 1 || (n_ack = dtmf_digit(ack[0], tone, RATE / 10)) < 0))
		return 2;
	f = fopen(path, "wb");
	if (!f)
		return 1;
	listening();
	for (i = 0; i < blocks; i++) {
		bool cas;

		if (read_block(b) < 0 || fwrite(b, sizeof(b), 1, f) != 1) {
			fclose(f);
			return 1;
		}
		cas = tone_share(b, BLOCK, 2130) > 0.3 &&
		      tone_share(b, BLOCK, 2750) > 0.3;
		if (cas && ++run == 2 && cas_from < 0)
			cas_from = (i - 1) * 20;
		if (!cas && run >= 2 && cas_to < 0) {
			cas_to = i * 20;
			if (n_ack > 0 &&
			    write(hs, tone, n_ack * sizeof(tone[0])) ==
			    (ssize_t)(n_ack * sizeof(tone[0])))
				acked = i * 20 + 20;
		}
		if (!cas)
			run = 0;
	}
	fclose(f);
	if (cas_from < 0) {
		printf("handset: no CAS in %d ms\n", blocks * 20);
		return 1;
	}
	printf("handset: CAS from %d to %d ms\n", cas_from, cas_to);
	if (acked >= 0)
		printf("handset: ACK %s keyed at %d ms\n", ack, acked);
	else
		printf("handset: no ACK keyed\n");
	return 0;
}

static int hook(int offhook)
{
	struct fxs_hs_hook h = { .offhook = offhook };

	if (ioctl(hs, FXS_HS_IOC_HOOK, &h) || ioctl(hs, FXS_HS_IOC_WAIT))
		return -1;
	printf("handset: %s\n", offhook ? "lifted" : "hung up");
	return 0;
}

int main(int argc, char **argv)
{
	char path[64];
	const char *cmd;

	if (argc < 3) {
		fprintf(stderr, "usage: handset N wait-ring|lift|hangup|dial|hear|talk|quiet ...\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/fxs_hs%s", argv[1]);
	hs = open(path, O_RDWR);
	if (hs < 0) {
		fprintf(stderr, "handset: %s: %s\n", path, strerror(errno));
		return 2;
	}
	cmd = argv[2];
	if (!strcmp(cmd, "wait-ring") && argc == 4) {
		uint64_t end = now_ms() + atoi(argv[3]);
		struct fxs_hs_state st;

		while (now_ms() < end) {
			if (!ioctl(hs, FXS_HS_IOC_GET_STATE, &st) && st.ringing) {
				printf("handset: the phone rings\n");
				return 0;
			}
			usleep(10000);
		}
		printf("handset: no ring within %s ms\n", argv[3]);
		return 1;
	}
	if (!strcmp(cmd, "lift"))
		return hook(1) ? 1 : 0;
	if (!strcmp(cmd, "hangup"))
		return hook(0) ? 1 : 0;
	if (!strcmp(cmd, "flash") && (argc == 3 || argc == 4)) {
		struct fxs_hs_flash f = {
			.break_ms = argc == 4 ? atoi(argv[3]) : 500,
		};

		if (ioctl(hs, FXS_HS_IOC_FLASH, &f) || ioctl(hs, FXS_HS_IOC_WAIT)) {
			perror("handset: flash");
			return 1;
		}
		printf("flash %u ms\n", f.break_ms);
		return 0;
	}
	if (!strcmp(cmd, "dial") && argc == 4) {
		const char *d;

		for (d = argv[3]; *d; d++) {
			struct fxs_hs_dial dial = { .digit = *d - '0',
						    .break_ms = 60, .make_ms = 40 };

			if (*d < '0' || *d > '9' || ioctl(hs, FXS_HS_IOC_DIAL, &dial) ||
			    ioctl(hs, FXS_HS_IOC_WAIT))
				return 1;
			usleep(400000);	/* inter-digit pause */
		}
		printf("handset: dialled %s\n", argv[3]);
		return 0;
	}
	if (!strcmp(cmd, "dtmf") && argc == 4) {
		static const char keys[] = "123A456B789C*0#D";
		static const double lo[] = { 697, 770, 852, 941 };
		static const double hi[] = { 1209, 1336, 1477, 1633 };
		static int16_t buf[RATE * 4];
		const char *d;
		size_t n = 0, i;

		for (d = argv[3]; *d && n + 1280 < sizeof(buf) / 2; d++) {
			const char *k = strchr(keys, *d);

			if (!k || !*d)
				return 2;
			for (i = 0; i < 640; i++, n++)
				buf[n] = (int16_t)(5000 * (sin(2 * M_PI * lo[(k - keys) / 4] * i / RATE) +
							  sin(2 * M_PI * hi[(k - keys) % 4] * i / RATE)));
			for (i = 0; i < 640; i++, n++)
				buf[n] = 0;
		}
		if (write(hs, buf, n * sizeof(buf[0])) != (ssize_t)(n * sizeof(buf[0])))
			return 1;
		usleep(n * 125 + 200000);	/* until it has been said */
		printf("handset: keyed %s\n", argv[3]);
		return 0;
	}
	if (!strcmp(cmd, "cpe") && argc == 6)
		return cpe(atoi(argv[3]), argv[4], argv[5]);
	if (!strcmp(cmd, "talk") && argc == 4)
		return talk(atoi(argv[3]));
	if (!strcmp(cmd, "hear") && (argc == 5 || argc == 6)) {
		int pct = argc == 6 ? atoi(argv[5]) : 50;
		int blocks, hits = listen_for(atof(argv[3]), atoi(argv[4]),
					      0, &blocks);

		if (hits < 0)
			return 1;
		printf("handset: %s Hz strong in %d of %d blocks at the earpiece (need %d %%)\n",
		       argv[3], hits, blocks, pct);
		return hits * 100 >= blocks * pct ? 0 : 1;
	}
	if (!strcmp(cmd, "record") && argc == 5) {
		int16_t b[BLOCK];
		int i, blocks = atoi(argv[3]) / 20;
		FILE *f = fopen(argv[4], "wb");

		if (!f)
			return 1;
		listening();
		for (i = 0; i < blocks; i++) {
			if (read_block(b) < 0 || fwrite(b, sizeof(b), 1, f) != 1)
				return 1;
		}
		fclose(f);
		printf("handset: recorded %d ms of the earpiece\n", blocks * 20);
		return 0;
	}
	if (!strcmp(cmd, "record-line") && argc == 5) {
		static const char *const names[] = {
			[FXS_HS_OBS_RING_ON] = "ring-on",
			[FXS_HS_OBS_RING_OFF] = "ring-off",
			[FXS_HS_OBS_LINEFEED] = "linefeed",
			[FXS_HS_OBS_POLARITY] = "polarity",
		};
		struct timespec ts;
		struct fxs_hs_obs_batch ob;
		int16_t b[BLOCK];
		int i, blocks = atoi(argv[3]) / 20;
		uint64_t t0;
		uint32_t k;
		FILE *f = fopen(argv[4], "wb");

		if (!f)
			return 1;
		listening();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0 = (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
		for (i = 0; i < blocks; i++) {
			if (read_block(b) < 0 || fwrite(b, sizeof(b), 1, f) != 1)
				return 1;
			while (!ioctl(hs, FXS_HS_IOC_GET_OBS, &ob) && ob.count) {
				for (k = 0; k < ob.count; k++) {
					uint32_t t = ob.obs[k].type;

					printf("obs %s", t < 5 && names[t] ? names[t] : "?");
					if (t == FXS_HS_OBS_LINEFEED || t == FXS_HS_OBS_POLARITY)
						printf(" %u", ob.obs[k].value);
					printf(" at %lld ms\n", (long long)
					       (ob.obs[k].timestamp_ns - t0) / 1000000);
				}
			}
		}
		fclose(f);
		printf("handset: recorded %d ms of the earpiece\n", blocks * 20);
		return 0;
	}
	if (!strcmp(cmd, "record-tone") && argc == 5)
		return record_tone(atoi(argv[3]), argv[4]);
	if (!strcmp(cmd, "ring-cadence") && argc == 4) {
		uint64_t end = now_ms() + atoi(argv[3]), last = 0;
		struct fxs_hs_obs_batch b;
		int seen = 0;
		uint32_t i;

		listening();
		printf("handset: ringer");
		while (now_ms() < end) {
			if (ioctl(hs, FXS_HS_IOC_GET_OBS, &b))
				return 1;
			for (i = 0; i < b.count; i++) {
				uint32_t t = b.obs[i].type;

				if (t != FXS_HS_OBS_RING_ON && t != FXS_HS_OBS_RING_OFF)
					continue;
				if (last)
					printf(" %s %llu ms", t == FXS_HS_OBS_RING_ON ?
					       "off" : "on", (unsigned long long)
					       ((b.obs[i].timestamp_ns - last) / 1000000));
				last = b.obs[i].timestamp_ns;
				seen++;
			}
			usleep(20000);
		}
		printf("%s\n", seen ? "" : " silent");
		return seen ? 0 : 1;
	}
	if (!strcmp(cmd, "say") && argc == 4)
		return say(argv[3]);
	if (!strcmp(cmd, "burst") && argc == 4) {
		int16_t b[RATE];
		int i, n = atoi(argv[3]) * 8;

		if (n <= 0 || n > RATE)
			return 2;
		for (i = 0; i < n; i++)
			b[i] = (int16_t)(12000 * sin(2 * M_PI * 1000 * i / RATE));
		listening();
		printf("handset: burst at %llu ms\n", (unsigned long long)now_ms());
		if (write(hs, b, n * 2) != n * 2)
			return 1;
		usleep(n * 125);
		return 0;
	}
	if (!strcmp(cmd, "onset") && argc == 4) {
		uint64_t end = now_ms() + atoi(argv[3]);
		int16_t b[8];

		listening();
		while (now_ms() < end) {
			ssize_t n = read(hs, b, sizeof(b));
			int i;

			for (i = 0; i < n / 2; i++)
				if (abs(b[i]) > 4000) {
					printf("handset: loud at the earpiece at %llu ms\n",
					       (unsigned long long)now_ms());
					return 0;
				}
		}
		printf("handset: nothing loud at the earpiece\n");
		return 1;
	}
	if (!strcmp(cmd, "echo") && argc >= 4 && argc <= 7) {
		struct fxs_hs_echo e = { .enable = !strcmp(argv[3], "on") };

		e.erl_cdb = argc > 4 ? (uint32_t)(atof(argv[4]) * 100) : 900;
		e.delay_us = argc > 5 ? (uint32_t)(atof(argv[5]) * 1000) : 5000;
		if (argc > 6) {
			FILE *f = fopen(argv[6], "r");
			int v;

			if (!f)
				return 1;
			while (e.ntaps < FXS_HS_MAX_TAPS && fscanf(f, "%d", &v) == 1)
				e.taps[e.ntaps++] = (int16_t)v;
			fclose(f);
		}
		if (ioctl(hs, FXS_HS_IOC_SET_ECHO, &e))
			return 1;
		printf("handset: line echo %s, ERL %.2f dB, delay %u us\n",
		       e.enable ? "on" : "off", e.erl_cdb / 100.0, e.delay_us);
		return 0;
	}
	if (!strcmp(cmd, "quiet") && argc == 4) {
		int16_t b[BLOCK];
		int i, k, loud = 0, blocks = atoi(argv[3]) / 20;

		listening();
		for (i = 0; i < blocks; i++) {
			if (read_block(b) < 0)
				return 1;
			for (k = 0; k < BLOCK; k++)
				if (abs(b[k]) > 300) {
					loud++;
					break;
				}
		}
		printf("handset: %d of %d blocks with sound\n", loud, blocks);
		return loud ? 1 : 0;
	}
	fprintf(stderr, "handset: bad command\n");
	return 2;
}
