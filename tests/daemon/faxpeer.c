// SPDX-License-Identifier: GPL-2.0-only
/*
 * faxpeer - fax terminals for the data tests, on spandsp's T.30 engine
 * (the fax modems, T.4/T.6 coding and TIFF-F files are spandsp's and
 * libtiff's, none of fxsd's).
 *
 *   faxpeer mkdoc FILE PAGES      write a PAGES-page TIFF-F test document
 *                                 (1728 x 1100 pels, 204 x 196 dpi, T.4 2D;
 *                                 each page a different pattern of text-like
 *                                 blocks and rules)
 *   faxpeer compare A B           compare the pages of two TIFF files pixel
 *                                 by pixel (decoded scanlines): prints
 *                                 "faxpeer: N pages, M equal"; exit 0 when
 *                                 they have the same pages and all are equal
 *   faxpeer handset N FILE [SECS] the calling fax on the loopback handset
 *                                 /dev/fxs_hsN (the call already up): sends
 *                                 FILE, the earpiece its ears, the
 *                                 mouthpiece its voice, at the line's pace
 *   faxpeer rtp PORT FILE [SECS] [LOSS_PCT [JITTER_MS [SEED]]]
 *                                 the answering fax behind a G.711 (PCMU)
 *                                 RTP endpoint on 127.0.0.1:PORT (symmetric:
 *                                 it answers the first packet's source),
 *                                 receiving into FILE.  What it sends is
 *                                 impaired: LOSS_PCT % of the packets lost
 *                                 at random, each sent 0..JITTER_MS late
 *                                 (so some overtake others): what fxsd's
 *                                 jitter buffer must cope with.  Received
 *                                 audio plays out 150 ms behind the first
 *                                 packet, by timestamp
 *
 *   faxpeer rtpcall PORT PEER FILE [SECS [LOSS_PCT [JITTER_MS [SEED]]]]
 *                                 the calling fax sending FILE the same way
 *                                 from PORT to the rtp one at PEER (a check
 *                                 of the far end without fxsd)
 *   faxpeer t38 PORT FILE [SECS [LOSS_PCT [JITTER_MS [SEED]]]]
 *                                 the answering fax as a T.38 terminal
 *                                 (spandsp's t38_terminal) behind UDPTL on
 *                                 127.0.0.1:PORT, receiving into FILE: it
 *                                 answers the first packet's source, with
 *                                 redundancy 3 (UDPTL framing by fxsd's
 *                                 daemon/media/udptl.c, held up to 60 ms
 *                                 for reordering, as fxsd's gateway does;
 *                                 tshark checks that framing in the t38
 *                                 suite).  LOSS_PCT % of the packets are
 *                                 lost each way (what it sends, and what
 *                                 it takes of fxsd's), what it sends
 *                                 0..JITTER_MS late; its 10th packet to
 *                                 the peer is always lost (a T.38 call
 *                                 is short one way: 1 % of 100 may be
 *                                 none).  Prints the packets
 *                                 and IFPs too: "faxpeer: sent N packets
 *                                 (L lost on purpose), received M (K lost
 *                                 on purpose); IFPs recovered R, lost Q"
 *
 * The terminals use ECM (T.30 Annex A error correction: what loss spoils
 * is sent again, so the pages arrive exactly) and V.17/V.29/V.27ter.  Each
 * ends at T.30 phase E or after SECS (default 180) seconds and prints
 * "faxpeer: result CODE (TEXT), N pages, R bit/s"; exit 0 when CODE is
 * T30_ERR_OK.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <tiffio.h>
#include <spandsp.h>	/* its G.711 too: none of fxsd's code here */

#include "media/udptl.h"	/* T.38 mode only: the UDPTL framing */
#include "t30term.h"

#define FRAME		160
#define WIDTH		1728
#define LENGTH		1100
#define RX_DELAY	1200	/* samples: 150 ms */
#define RING		(8000 * 4)
#define MAXQ		64

static int result = -1;	/* T.30's completion code at phase E */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- documents ---- */

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

static int mkdoc(const char *path, int pages)
{
	TIFF *t = TIFFOpen(path, "w");
	uint8_t row[WIDTH / 8];

	if (!t)
		return 1;
	for (int p = 0; p < pages; p++) {
		TIFFSetField(t, TIFFTAG_IMAGEWIDTH, WIDTH);
		TIFFSetField(t, TIFFTAG_IMAGELENGTH, LENGTH);
		TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
		TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
		TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_CCITTFAX3);
		TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, GROUP3OPT_2DENCODING | GROUP3OPT_FILLBITS);
		TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
		TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_LSB2MSB);
		TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
		TIFFSetField(t, TIFFTAG_XRESOLUTION, 204.0);
		TIFFSetField(t, TIFFTAG_YRESOLUTION, 196.0);
		TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
		TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, LENGTH);
		TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
		TIFFSetField(t, TIFFTAG_PAGENUMBER, p, pages);
		rnd_state = 1000u + (uint32_t)p;
		for (int y = 0; y < LENGTH; y++) {
			memset(row, 0, sizeof(row));
			if (y % 200 == 10 + 20 * p)	/* a rule */
				memset(row + 10, 0xff, sizeof(row) - 20);
			else if ((y / 16) % 8 == 1)	/* a "line of text": words */
				for (int x = 12; x < 120 + 20 * p; x++)
					if (x % 8 < 5)
						row[x] = (uint8_t)(0x81 ^ ((x * 7 + y / 16 + p) & 0x3c));
			if (TIFFWriteScanline(t, row, (uint32_t)y, 0) < 0) {
				TIFFClose(t);
				return 1;
			}
		}
		TIFFWriteDirectory(t);
	}
	TIFFClose(t);
	return 0;
}

static int compare(const char *a, const char *b)
{
	TIFF *ta = TIFFOpen(a, "r"), *tb = TIFFOpen(b, "r");
	int pages = 0, equal = 0, more_a, more_b;

	if (!ta || !tb) {
		fprintf(stderr, "faxpeer: cannot open %s or %s\n", a, b);
		return 1;
	}
	do {
		uint32_t wa = 0, wb = 0, la = 0, lb = 0;
		bool same;

		TIFFGetField(ta, TIFFTAG_IMAGEWIDTH, &wa);
		TIFFGetField(tb, TIFFTAG_IMAGEWIDTH, &wb);
		TIFFGetField(ta, TIFFTAG_IMAGELENGTH, &la);
		TIFFGetField(tb, TIFFTAG_IMAGELENGTH, &lb);
		same = wa == wb && la == lb;
		if (same) {
			tmsize_t sa = TIFFScanlineSize(ta), sb = TIFFScanlineSize(tb);
			uint8_t *ra = malloc((size_t)sa), *rb = malloc((size_t)sb);

			same = ra && rb && sa == sb;
			for (uint32_t y = 0; same && y < la; y++)
				same = TIFFReadScanline(ta, ra, y, 0) >= 0 &&
				       TIFFReadScanline(tb, rb, y, 0) >= 0 &&
				       !memcmp(ra, rb, (size_t)sa);
			free(ra);
			free(rb);
		}
		printf("faxpeer: page %d: %ux%u and %ux%u, %s\n", pages + 1, wa, la,
		       wb, lb, same ? "equal" : "DIFFERENT");
		pages++;
		equal += same;
		more_a = TIFFReadDirectory(ta);
		more_b = TIFFReadDirectory(tb);
	} while (more_a && more_b);
	TIFFClose(ta);
	TIFFClose(tb);
	printf("faxpeer: %d pages, %d equal%s\n", pages, equal,
	       more_a != more_b ? ", and a different number of pages" : "");
	return pages == equal && more_a == more_b ? 0 : 1;
}

/* ---- the terminal ---- */

/* T.30 as every test terminal has it (t30term.h), and our identity */
static void setup_t30(t30_state_t *t, bool calling, const char *file)
{
	t30term_setup(t, calling ? file : NULL, file, &result);
	t30_set_tx_ident(t, calling ? "FXS HANDSET" : "FXS FAR END");
}

static fax_state_t *terminal(bool calling, const char *file)
{
	fax_state_t *f = fax_init(NULL, calling);
	t30_state_t *t;

	if (!f)
		return NULL;
	t = fax_get_t30_state(f);
	fax_set_transmit_on_idle(f, 1);
	setup_t30(t, calling, file);
	t30_set_supported_modems(t, T30_SUPPORT_V27TER | T30_SUPPORT_V29 |
				 T30_SUPPORT_V17);
	return f;
}

static int report_t30(t30_state_t *t)
{
	t30_stats_t st;

	t30_get_transfer_statistics(t, &st);
	printf("faxpeer: result %d (%s), %d pages, %d bit/s\n", result,
	       result >= 0 ? t30_completion_code_to_str(result) : "no end",
	       st.pages_tx > st.pages_rx ? st.pages_tx : st.pages_rx, st.bit_rate);
	fflush(stdout);
	return result == T30_ERR_OK ? 0 : 1;
}

static int report(fax_state_t *f)
{
	return report_t30(fax_get_t30_state(f));
}

/* The calling fax at the loopback handset: one frame in, one frame out. */
static int handset(const char *port, const char *file, unsigned secs)
{
	char path[64];
	int16_t in[FRAME], out[FRAME];
	fax_state_t *f;
	uint64_t end = now_ns() + secs * 1000000000ull, tail = 0;
	int hs;

	snprintf(path, sizeof(path), "/dev/fxs_hs%s", port);
	hs = open(path, O_RDWR);
	if (hs < 0) {
		perror(path);
		return 2;
	}
	f = terminal(true, file);
	if (!f)
		return 2;
	while (now_ns() < end && (!tail || now_ns() < tail)) {
		int got = 0;

		while (got < FRAME) {
			ssize_t n = read(hs, in + got, (FRAME - got) * sizeof(*in));

			if (n < 0 && errno != EINTR)
				return 2;
			if (n > 0)
				got += (int)(n / 2);
		}
		fax_rx(f, in, FRAME);
		memset(out, 0, sizeof(out));
		fax_tx(f, out, FRAME);
		if (write(hs, out, sizeof(out)) < 0 && errno != EAGAIN)
			return 2;
		if (result >= 0 && !tail)
			tail = now_ns() + 500000000ull;
	}
	return report(f);
}

struct pending {
	uint64_t due;
	size_t len;
	uint8_t pkt[12 + FRAME];
};

static double frand(void)
{
	return (double)(rnd() & 0xffffff) / 0x1000000;
}

/* A UDP socket bound to 127.0.0.1:@port; -1 (said) when it cannot be. */
static int loopback_socket(const char *port)
{
	struct sockaddr_in me = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)atoi(port)),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	if (s < 0 || bind(s, (struct sockaddr *)&me, sizeof(me)) < 0) {
		perror("faxpeer: bind");
		if (s >= 0)
			close(s);
		return -1;
	}
	return s;
}

/* How late the path delivers a packet: 0..@jitter_ms, in ns (random(),
 * the jitter's own sequence apart from the loss's rnd()). */
static uint64_t jitter_ns(unsigned jitter_ms)
{
	return jitter_ms ? (uint64_t)((double)random() / RAND_MAX * jitter_ms * 1e6) : 0;
}

static int rtp(const char *port, const char *file, unsigned secs, double loss,
	       unsigned jitter_ms, unsigned seed, const char *call)
{
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	static int16_t ring[RING];
	static bool have[RING];
	static struct pending q[MAXQ];
	uint8_t buf[2048];
	fax_state_t *f;
	uint64_t t, end, tail = 0;
	uint32_t ts0 = 0, ssrc = 0x4641580a, ts = 0;
	uint16_t seq = 1;
	int64_t play = -RX_DELAY;
	bool first = true;
	unsigned sent = 0, dropped_tx = 0, got = 0, late = 0;
	int s = loopback_socket(port);

	rnd_state = seed;
	srandom(seed);	/* the jitter's, apart from the loss's */
	if (s < 0)
		return 2;
	f = terminal(call != NULL, file);
	if (!f)
		return 2;
	if (call) {
		peer = (struct sockaddr_in){ .sin_family = AF_INET,
			.sin_port = htons((uint16_t)atoi(call)),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		plen = sizeof(peer);
		goto run;
	}
	printf("faxpeer: listening on port %s, loss %.1f %%, jitter %u ms\n",
	       port, loss, jitter_ms);
	fflush(stdout);
	{
		struct pollfd p = { .fd = s, .events = POLLIN };

		if (poll(&p, 1, 30000) <= 0 ||
		    recvfrom(s, buf, sizeof(buf), MSG_PEEK, (struct sockaddr *)&peer, &plen) < 0) {
			fprintf(stderr, "faxpeer: no RTP within 30 s\n");
			return 1;
		}
	}
run:
	t = now_ns();
	end = t + secs * 1000000000ull;
	while (now_ns() < end && (!tail || now_ns() < tail)) {
		int16_t pcm[FRAME];
		struct timespec when;
		ssize_t n;

		/* receive everything that came */
		while ((n = recv(s, buf, sizeof(buf), MSG_DONTWAIT)) > 12) {
			size_t hl = 12 + 4 * (buf[0] & 0x0f);
			uint32_t pts = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 |
				       (uint32_t)buf[6] << 8 | buf[7];
			int pt = buf[1] & 0x7f;
			int64_t at;

			if ((buf[0] & 0xc0) != 0x80 || (pt != 0 && pt != 8) ||
			    (size_t)n <= hl)
				continue;
			got++;
			if (first) {
				ts0 = pts;
				first = false;
			}
			at = (int32_t)(pts - ts0);
			if (at < play) {
				late++;
				continue;
			}
			for (size_t i = 0; i < (size_t)n - hl && at + (int64_t)i < play + RING; i++) {
				uint8_t b = buf[hl + i];
				size_t k = (size_t)(at + (int64_t)i) % RING;

				ring[k] = pt == 0 ? ulaw_to_linear(b) : alaw_to_linear(b);
				have[k] = true;
			}
		}
		/* play out one frame, by timestamp, behind the first packet */
		for (int i = 0; i < FRAME; i++, play++) {
			size_t k = (size_t)(play >= 0 ? play : 0) % RING;

			pcm[i] = play >= 0 && have[k] ? ring[k] : 0;
			if (play >= 0)
				have[k] = false;
		}
		if (!first)
			fax_rx(f, pcm, FRAME);
		/* send one frame, lost or late as the path decides */
		memset(pcm, 0, sizeof(pcm));
		fax_tx(f, pcm, FRAME);
		if (frand() * 100 < loss) {
			dropped_tx++;
		} else {
			for (int i = 0; i < MAXQ; i++) {
				if (q[i].len)
					continue;
				q[i].pkt[0] = 0x80;
				q[i].pkt[1] = 0;
				q[i].pkt[2] = (uint8_t)(seq >> 8);
				q[i].pkt[3] = (uint8_t)seq;
				q[i].pkt[4] = (uint8_t)(ts >> 24);
				q[i].pkt[5] = (uint8_t)(ts >> 16);
				q[i].pkt[6] = (uint8_t)(ts >> 8);
				q[i].pkt[7] = (uint8_t)ts;
				q[i].pkt[8] = (uint8_t)(ssrc >> 24);
				q[i].pkt[9] = (uint8_t)(ssrc >> 16);
				q[i].pkt[10] = (uint8_t)(ssrc >> 8);
				q[i].pkt[11] = (uint8_t)ssrc;
				for (int j = 0; j < FRAME; j++)
					q[i].pkt[12 + j] = linear_to_ulaw(pcm[j]);
				q[i].len = 12 + FRAME;
				q[i].due = t + jitter_ns(jitter_ms);
				break;
			}
		}
		seq++;
		ts += FRAME;
		/* the next tick; what falls due before it goes out */
		t += 20000000ull;
		for (;;) {
			uint64_t next = t;
			int at = -1;

			for (int i = 0; i < MAXQ; i++)
				if (q[i].len && q[i].due < next) {
					next = q[i].due;
					at = i;
				}
			when.tv_sec = (time_t)(next / 1000000000ull);
			when.tv_nsec = (long)(next % 1000000000ull);
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL);
			if (at < 0)
				break;
			sendto(s, q[at].pkt, q[at].len, 0, (struct sockaddr *)&peer, plen);
			q[at].len = 0;
			sent++;
		}
		if (result >= 0 && !tail)
			tail = now_ns() + 1000000000ull;
	}
	printf("faxpeer: sent %u packets (%u lost on purpose), received %u (%u too late to play)\n",
	       sent, dropped_tx, got, late);
	return report(f);
}

/* ---- T.38 ---- */

#define T38_TICK_NS	10000000ull	/* 10 ms: spandsp's timers, the stash */

struct t38_pending {
	uint64_t due;
	size_t len;
	uint8_t pkt[UDPTL_PACKET_MAX];
};

static struct {
	int s;
	struct sockaddr_in peer;
	bool have_peer;
	double loss;
	unsigned jitter_ms;
	uint64_t now;		/* CLOCK_MONOTONIC ns */
	struct udptl_tx tx;
	struct t38_pending q[MAXQ];
	unsigned sent, dropped_tx, unsent, got, dropped_rx, to_peer;
	t38_terminal_state_t *term;
} tp;

/* spandsp's IFP out: in a UDPTL packet, @count times, lost or late */
static int t38_out(t38_core_state_t *s, void *user, const uint8_t *buf,
		   int len, int count)
{
	uint8_t p[UDPTL_PACKET_MAX];
	int n;

	(void)s;
	(void)user;
	n = udptl_tx_packet(&tp.tx, buf, (size_t)len, p, sizeof(p));
	for (int i = 0; n > 0 && i < (count < 1 ? 1 : count); i++) {
		int k;

		if (frand() * 100 < tp.loss) {
			tp.dropped_tx++;
			continue;
		}
		for (k = 0; k < MAXQ && tp.q[k].len; k++)
			;
		if (k == MAXQ) {
			tp.dropped_tx++;
			continue;
		}
		tp.q[k].due = tp.now + jitter_ns(tp.jitter_ms);
		tp.q[k].len = (size_t)n;
		memcpy(tp.q[k].pkt, p, (size_t)n);
	}
	return 0;
}

static void t38_ifp(void *opaque, uint16_t seq, const uint8_t *ifp, size_t len)
{
	(void)opaque;
	t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(tp.term), ifp,
			       (int)len, seq);
}

/* What fell due goes out (to the peer once it is known). */
static void t38_flush(void)
{
	for (int k = 0; k < MAXQ; k++) {
		if (!tp.q[k].len || tp.q[k].due > tp.now)
			continue;
		if (!tp.have_peer)
			tp.unsent++;
		else if (++tp.to_peer == 10)	/* a short call loses one too */
			tp.dropped_tx++;
		else if (sendto(tp.s, tp.q[k].pkt, tp.q[k].len, 0,
				(struct sockaddr *)&tp.peer, sizeof(tp.peer)) > 0)
			tp.sent++;
		tp.q[k].len = 0;
	}
}

static int t38(const char *port, const char *file, unsigned secs, double loss,
	       unsigned jitter_ms, unsigned seed)
{
	struct udptl_jb jb;
	uint64_t t0, next, end, tail = 0;

	rnd_state = seed;
	srandom(seed);
	tp.loss = loss;
	tp.jitter_ms = jitter_ms;
	tp.s = loopback_socket(port);
	if (tp.s < 0)
		return 2;
	tp.term = t38_terminal_init(NULL, false, t38_out, NULL);
	if (!tp.term)
		return 2;
	setup_t30(t38_terminal_get_t30_state(tp.term), false, file);
	udptl_tx_init(&tp.tx, 3);
	udptl_jb_init(&jb, 60 * 1000000ull);
	printf("faxpeer: T.38 on port %s, loss %.1f %% each way, jitter %u ms\n",
	       port, loss, jitter_ms);
	t0 = tp.now = now_ns();
	next = t0 + T38_TICK_NS;
	end = t0 + secs * 1000000000ull;
	while (tp.now < end && (!tail || tp.now < tail)) {
		struct pollfd pfd = { .fd = tp.s, .events = POLLIN };
		int wait_ms = (int)((next > tp.now ? next - tp.now : 0) / 1000000);
		uint8_t buf[2048];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n;

		if (poll(&pfd, 1, wait_ms) > 0) {
			while ((n = recvfrom(tp.s, buf, sizeof(buf), MSG_DONTWAIT,
					     (struct sockaddr *)&from, &flen)) > 0) {
				tp.now = now_ns();
				if (!tp.have_peer) {
					tp.peer = from;
					tp.have_peer = true;
					printf("faxpeer: first packet from port %u\n",
					       ntohs(from.sin_port));
				}
				tp.got++;
				if (frand() * 100 < loss) {
					tp.dropped_rx++;
					continue;
				}
				(void)udptl_jb_put(&jb, buf, (size_t)n, tp.now,
						   t38_ifp, NULL);
				flen = sizeof(from);
			}
		}
		tp.now = now_ns();
		while (tp.now >= next) {
			t38_terminal_send_timeout(tp.term, (int)(T38_TICK_NS / 125000));
			udptl_jb_tick(&jb, tp.now, t38_ifp, NULL);
			next += T38_TICK_NS;
		}
		t38_flush();
		if (result >= 0 && !tail)
			tail = tp.now + 1000000000ull;
	}
	printf("faxpeer: sent %u packets (%u lost on purpose, %u before the peer was known), received %u (%u lost on purpose); IFPs recovered %llu, lost %llu\n",
	       tp.sent, tp.dropped_tx, tp.unsent, tp.got, tp.dropped_rx,
	       (unsigned long long)jb.rx.recovered,
	       (unsigned long long)jb.rx.lost);
	return report_t30(t38_terminal_get_t30_state(tp.term));
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 4 && !strcmp(argv[1], "mkdoc"))
		return mkdoc(argv[2], atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "compare"))
		return compare(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "handset"))
		return handset(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 180);
	if (argc >= 4 && !strcmp(argv[1], "rtp"))
		return rtp(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 180,
			   argc > 5 ? atof(argv[5]) : 0, argc > 6 ? (unsigned)atoi(argv[6]) : 0,
			   argc > 7 ? (unsigned)atoi(argv[7]) : 1, NULL);
	/* the calling fax over RTP, to PEER (a host check of the far end) */
	if (argc >= 5 && !strcmp(argv[1], "rtpcall"))
		return rtp(argv[2], argv[4], argc > 5 ? (unsigned)atoi(argv[5]) : 180,
			   argc > 6 ? atof(argv[6]) : 0, argc > 7 ? (unsigned)atoi(argv[7]) : 0,
			   argc > 8 ? (unsigned)atoi(argv[8]) : 2, argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "t38"))
		return t38(argv[2], argv[3], argc > 4 ? (unsigned)atoi(argv[4]) : 180,
			   argc > 5 ? atof(argv[5]) : 0, argc > 6 ? (unsigned)atoi(argv[6]) : 0,
			   argc > 7 ? (unsigned)atoi(argv[7]) : 1);
	fprintf(stderr, "usage: faxpeer mkdoc FILE PAGES | compare A B | handset N FILE [SECS] | rtp PORT FILE [SECS [LOSS [JITTER [SEED]]]] | t38 PORT FILE [SECS [LOSS [JITTER [SEED]]]]\n");
	return 2;
}
