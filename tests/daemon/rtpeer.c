// SPDX-License-Identifier: GPL-2.0-only
/*
 * rtpeer - the far end's media for the media tests: a plain RTP endpoint
 * on a UDP port, written for the tests (sipp does the signalling).
 *
 *   rtpeer PORT [--play FILE] [--record FILE] [--secs N] [--law u|a]
 *          [--event-pt PT] [--digits STRING]
 *
 * It waits for the first RTP packet from the ATA and answers to its source
 * address (symmetric RTP).  From then on, for --secs seconds (default 20):
 *   - it sends one 20 ms packet every 20 ms: the next 160 samples of
 *     --play (raw s16 8 kHz), silence once the file has ended;
 *   - on SIGUSR1 it sends --digits as RFC 4733 telephone-events (payload
 *     type --event-pt, default 101): each digit 100 ms (updates every
 *     20 ms, marker on the first, the end packet three times), 100 ms
 *     apart; no audio packets while an event is sent;
 *   - it records the received audio to --record (raw s16), each packet at
 *     the place its RTP timestamp gives, relative to the first packet
 *     (missing packets leave silence);
 *   - it prints every telephone-event it receives ("event 5 ...").
 * SIGTERM ends it early.  At the end it prints
 *   "rtpeer: N packets received, M lost, K events: DIGITS".
 * For delay measurements it also prints the CLOCK_MONOTONIC time (ms) at
 * which it sent and received the first packet with a loud sample
 * (|x| > 4000): "rtpeer: first loud packet sent at T ms" / "received".
 * Exit 1 if no packet came within 30 s.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "media/g711.h"

#define RATE		8000
#define FRAME		160
#define EVENT_FRAMES	5	/* 100 ms */
#define GAP_FRAMES	5

static volatile sig_atomic_t go_digits, stop;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		go_digits = 1;
	else
		stop = 1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int event_code(char d)
{
	static const char keys[] = "0123456789*#ABCD";
	const char *k = d ? strchr(keys, d) : NULL;

	return k ? (int)(k - keys) : -1;
}

struct peer {
	int fd;
	struct sockaddr_in to;
	uint16_t seq;
	uint32_t ts, ssrc;
	int law;
};

static void send_rtp(struct peer *p, int pt, int marker, uint32_t ts,
		     const uint8_t *payload, size_t len)
{
	uint8_t pkt[12 + FRAME];

	pkt[0] = 0x80;
	pkt[1] = (uint8_t)((marker ? 0x80 : 0) | pt);
	pkt[2] = p->seq >> 8;
	pkt[3] = p->seq & 0xff;
	pkt[4] = ts >> 24;
	pkt[5] = ts >> 16;
	pkt[6] = ts >> 8;
	pkt[7] = ts & 0xff;
	pkt[8] = p->ssrc >> 24;
	pkt[9] = p->ssrc >> 16;
	pkt[10] = p->ssrc >> 8;
	pkt[11] = p->ssrc & 0xff;
	memcpy(pkt + 12, payload, len);
	p->seq++;
	if (sendto(p->fd, pkt, 12 + len, 0, (struct sockaddr *)&p->to,
		   sizeof(p->to)) < 0)
		perror("rtpeer: sendto");
}

int main(int argc, char **argv)
{
	const char *play = NULL, *record = NULL, *digits = "";
	int16_t *src = NULL, *rec = NULL;
	size_t src_len = 0, src_pos = 0, rec_cap, rec_len = 0;
	unsigned secs = 20, event_pt = 101, received = 0, events = 0;
	char heard[64] = "";
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct peer p = { .ssrc = 0x5eed1234, .seq = 1000, .ts = 160000,
			  .law = 0 };
	int rtcp, i, have_first = 0, dig_pos = -1, dig_frame = 0;
	int loud_sent = 0, loud_received = 0;
	uint32_t ts0 = 0, last_ev_ts = 0, dig_ts = 0, max_seq = 0, min_seq = 0;
	uint64_t next = 0, end = 0, deadline;
	struct sigaction sa = { .sa_handler = on_signal };

	if (argc < 2) {
		fprintf(stderr, "usage: rtpeer PORT [--play F] [--record F] [--secs N] [--law u|a] [--event-pt PT] [--digits S]\n");
		return 2;
	}
	addr.sin_port = htons((uint16_t)atoi(argv[1]));
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--play"))
			play = argv[i + 1];
		else if (!strcmp(argv[i], "--record"))
			record = argv[i + 1];
		else if (!strcmp(argv[i], "--secs"))
			secs = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--law"))
			p.law = argv[i + 1][0] == 'a';
		else if (!strcmp(argv[i], "--event-pt"))
			event_pt = (unsigned)atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--digits"))
			digits = argv[i + 1];
		else
			return 2;
	}
	if (i != argc)
		return 2;
	if (play) {
		FILE *f = fopen(play, "rb");
		long sz;

		if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0) {
			perror(play);
			return 2;
		}
		rewind(f);
		src_len = (size_t)sz / 2;
		src = malloc(src_len * 2 + 1);
		if (!src || fread(src, 2, src_len, f) != src_len)
			return 2;
		fclose(f);
	}
	rec_cap = (size_t)(secs + 2) * RATE;
	rec = calloc(rec_cap, sizeof(*rec));
	if (!rec)
		return 2;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	p.fd = socket(AF_INET, SOCK_DGRAM, 0);
	rtcp = socket(AF_INET, SOCK_DGRAM, 0);
	if (p.fd < 0 || bind(p.fd, (struct sockaddr *)&addr, sizeof(addr))) {
		perror("rtpeer: bind");
		return 2;
	}
	/* the RTCP port too, so the ATA's reports find a socket */
	addr.sin_port = htons(ntohs(addr.sin_port) + 1);
	if (rtcp < 0 || bind(rtcp, (struct sockaddr *)&addr, sizeof(addr)))
		perror("rtpeer: bind RTCP");
	printf("rtpeer: listening on port %s\n", argv[1]);
	fflush(stdout);

	deadline = now_ns() + 30000000000ull;
	while (!stop) {
		struct pollfd pfd[2] = { { .fd = p.fd, .events = POLLIN },
					 { .fd = rtcp, .events = POLLIN } };
		uint64_t t = now_ns();
		int timeout;

		if (!have_first && t > deadline) {
			printf("rtpeer: no RTP within 30 s\n");
			return 1;
		}
		if (have_first && t >= end)
			break;
		if (have_first && t >= next) {
			uint8_t pay[FRAME];

			if (go_digits && dig_pos < 0 && digits[0]) {
				dig_pos = 0;
				dig_frame = 0;
				go_digits = 0;
			}
			if (dig_pos >= 0 && dig_frame < EVENT_FRAMES) {
				int code = event_code(digits[dig_pos]);
				unsigned dur;

				if (!dig_frame)
					dig_ts = p.ts;
				dig_frame++;
				dur = dig_frame * FRAME;
				pay[0] = (uint8_t)(code < 0 ? 0 : code);
				pay[1] = (dig_frame == EVENT_FRAMES ? 0x80 : 0) | 10;
				pay[2] = dur >> 8;
				pay[3] = dur & 0xff;
				send_rtp(&p, (int)event_pt, dig_frame == 1, dig_ts, pay, 4);
				if (dig_frame == EVENT_FRAMES) {
					send_rtp(&p, (int)event_pt, 0, dig_ts, pay, 4);
					send_rtp(&p, (int)event_pt, 0, dig_ts, pay, 4);
				}
			} else {
				int16_t pcm[FRAME];
				int k;

				for (k = 0; k < FRAME; k++) {
					pcm[k] = src_pos < src_len ? src[src_pos++] : 0;
					if (!loud_sent && abs(pcm[k]) > 4000) {
						loud_sent = 1;
						printf("rtpeer: first loud packet sent at %llu ms\n",
						       (unsigned long long)(now_ns() / 1000000));
						fflush(stdout);
					}
				}
				g711_encode(p.law ? G711_ALAW : G711_ULAW, pcm, pay, FRAME);
				send_rtp(&p, p.law ? 8 : 0, 0, p.ts, pay, FRAME);
				if (dig_pos >= 0 && ++dig_frame >= EVENT_FRAMES + GAP_FRAMES) {
					dig_frame = 0;
					if (!digits[++dig_pos])
						dig_pos = -1;
				}
			}
			p.ts += FRAME;
			next += 20000000ull;
			continue;
		}
		timeout = have_first ? (int)((next - t) / 1000000) : 100;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR)
			return 2;
		if (pfd[1].revents & POLLIN) {
			uint8_t junk[1500];

			if (recv(rtcp, junk, sizeof(junk), 0) < 0)
				perror("rtpeer: RTCP");
		}
		if (pfd[0].revents & POLLIN) {
			uint8_t pkt[1500];
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(p.fd, pkt, sizeof(pkt), 0,
					     (struct sockaddr *)&from, &fl);
			size_t hl;
			uint32_t ts;
			uint16_t seq;
			int pt;

			if (n < 12 || (pkt[0] >> 6) != 2)
				continue;
			hl = 12 + 4 * (pkt[0] & 0x0f);
			if (pkt[0] & 0x10) {
				if ((size_t)n < hl + 4)
					continue;
				hl += 4 + 4 * ((pkt[hl + 2] << 8) | pkt[hl + 3]);
			}
			if ((size_t)n < hl)
				continue;
			if (pkt[0] & 0x20)
				n -= pkt[n - 1];
			if ((size_t)n < hl)
				continue;
			pt = pkt[1] & 0x7f;
			seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
			ts = (uint32_t)pkt[4] << 24 | pkt[5] << 16 | pkt[6] << 8 | pkt[7];
			if (!have_first) {
				have_first = 1;
				p.to = from;
				ts0 = ts;
				min_seq = max_seq = seq;
				next = now_ns();
				end = next + (uint64_t)secs * 1000000000ull;
				printf("rtpeer: first packet from %s:%u at %llu ms\n",
				       inet_ntoa(from.sin_addr), ntohs(from.sin_port),
				       (unsigned long long)(next / 1000000));
				fflush(stdout);
			}
			received++;
			if ((int16_t)(seq - max_seq) > 0)
				max_seq = seq;
			if ((int16_t)(seq - min_seq) < 0)
				min_seq = seq;
			if (pt == (int)event_pt && (size_t)n >= hl + 4) {
				int end_bit = pkt[hl + 1] >> 7;

				if (!events || ts != last_ev_ts) {
					static const char keys[] = "0123456789*#ABCD";
					char d = pkt[hl] < 16 ? keys[pkt[hl]] : '?';
					size_t hl2 = strlen(heard);

					events++;
					last_ev_ts = ts;
					if (hl2 + 1 < sizeof(heard)) {
						heard[hl2] = d;
						heard[hl2 + 1] = '\0';
					}
					printf("event %c\n", d);
					fflush(stdout);
				}
				(void)end_bit;
			} else if (pt == 0 || pt == 8) {
				size_t pos = (uint32_t)(ts - ts0), k, len = (size_t)n - hl;
				int16_t pcm[FRAME * 4];

				if (len > FRAME * 4 || pos + len > rec_cap)
					continue;
				g711_decode(pt, pkt + hl, pcm, len);
				for (k = 0; k < len; k++) {
					rec[pos + k] = pcm[k];
					if (!loud_received && abs(pcm[k]) > 4000) {
						loud_received = 1;
						printf("rtpeer: first loud packet received at %llu ms\n",
						       (unsigned long long)(now_ns() / 1000000));
						fflush(stdout);
					}
				}
				if (pos + len > rec_len)
					rec_len = pos + len;
			}
		}
	}
	if (record) {
		FILE *f = fopen(record, "wb");

		if (!f || fwrite(rec, 2, rec_len, f) != rec_len || fclose(f)) {
			perror(record);
			return 2;
		}
	}
	printf("rtpeer: %u packets received, %d lost, %u events: %s\n", received,
	       have_first ? (int)(uint16_t)(max_seq - min_seq) + 1 - (int)received : 0,
	       events, heard);
	free(src);
	free(rec);
	return have_first ? 0 : 1;
}
