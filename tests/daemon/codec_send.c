// SPDX-License-Identifier: GPL-2.0-only
/*
 * codec_send - send a raw recording through fxsd's RTP session in one of
 * its codecs, paced in real time, for a decoder of another origin to
 * receive (tests/daemon/codec_ffmpeg.sh).
 *
 *	codec_send CODEC PT PORT FILE
 *
 * CODEC is a config name (pcmu, pcma, opus, g722, g729), PT the payload
 * type, PORT the UDP port on 127.0.0.1, FILE signed 16-bit 8 kHz mono.
 * PORT "-": no RTP, the encoded frames go to stdout back to back, at
 * once (a raw G.729 or G.722 bit stream).
 * Opus goes with FEC on, G.729 without Annex B (every frame sent).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-event.h>

#include "media/codec.h"
#include "media/rtp.h"

#define FRAME	160

static int encode_file(int c, FILE *f)
{
	struct codec_params p;
	struct codec *s;
	int16_t pcm[FRAME];
	uint8_t out[CODEC_PAYLOAD_MAX];
	int k;

	codec_params_default(c, &p);
	p.annexb = false;
	if (codec_new(c, &p, &s) < 0)
		return 1;
	while (fread(pcm, sizeof(pcm[0]), FRAME, f) == FRAME) {
		k = codec_encode(s, pcm, FRAME, out, sizeof(out));
		if (k < 0 || fwrite(out, 1, k, stdout) != (size_t)k)
			return 1;
	}
	codec_free(s);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	sd_event *e = NULL;
	struct rtp_session *s = NULL;
	struct codec_params p;
	struct timespec next;
	int16_t pcm[FRAME];
	FILE *f;
	int c, r;

	if (argc != 5) {
		fprintf(stderr, "usage: codec_send CODEC PT PORT FILE\n");
		return 2;
	}
	c = codec_from_string(argv[1]);
	if (c < 0) {
		fprintf(stderr, "unknown codec %s\n", argv[1]);
		return 2;
	}
	f = fopen(argv[4], "rb");
	if (f && strcmp(argv[3], "-") == 0)
		return encode_file(c, f);
	if (!f) {
		perror(argv[4]);
		return 1;
	}
	codec_params_default(c, &p);
	p.fec = true;
	p.annexb = false;
	r = sd_event_new(&e);
	if (r >= 0)
		r = rtp_session_new(e, "127.0.0.1", 0, 0, NULL, NULL, &s);
	if (r >= 0)
		r = rtp_session_set_remote_codec(s, "127.0.0.1", atoi(argv[3]), c,
						 atoi(argv[2]), &p, -1, 20);
	if (r < 0) {
		fprintf(stderr, "RTP session: %s\n", strerror(-r));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (fread(pcm, sizeof(pcm[0]), FRAME, f) == FRAME) {
		r = rtp_session_send(s, pcm, FRAME);
		if (r < 0)
			fprintf(stderr, "send: %s\n", strerror(-r));
		next.tv_nsec += 20000000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_nsec -= 1000000000;
			next.tv_sec++;
		}
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
	fclose(f);
	rtp_session_free(s);
	sd_event_unref(e);
	return 0;
}
