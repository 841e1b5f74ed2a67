// SPDX-License-Identifier: GPL-2.0-only
/*
 * jitter.c - adaptive playout buffer with G.711 Appendix I style
 * concealment, on speexdsp's JitterBuffer.  See jitter.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_jitter.h>

#include "media/jitter.h"

#define PLC_HIST	390	/* samples of history (48.75 ms) */
#define PLC_PMIN	40	/* pitch period range: 200 Hz ... */
#define PLC_PMAX	120	/* ... 66.7 Hz */
#define PLC_CORR	160	/* correlation window, 20 ms */
#define PLC_UNIT	80	/* 10 ms */
#define PLC_MUTE	480	/* silent after 60 ms */
#define PLC_JOIN_MAX	80	/* longest cross-fade, 10 ms */
#define JITTER_MAX_MISSING 20	/* speexdsp resets after more misses */
#define JITTER_MAX_DROPOUT 3000	/* sequence jump taken as a restart */
#define JITTER_MAX_MISORDER 100	/* RFC 3550 A.1 */
#define JITTER_RING	8192	/* samples kept for the fixed mode (1 s) */

/* Concealment state: history of the output and the pitch buffer. */
struct plc {
	int16_t hist[PLC_HIST];	/* the last PLC_HIST samples played */
	bool active;		/* synthesising, or to be joined */
	bool silent;		/* the pitch buffer is all zero */
	unsigned pitch;
	unsigned nper;		/* periods in use: 1, 2, 3 */
	unsigned idx;		/* in pbuf: [3P - nper P, 3P) */
	unsigned erased;	/* samples synthesised in this erasure */
	int16_t pbuf[3 * PLC_PMAX];
};

struct jitter {
	JitterBuffer *jb;

	/* the source */
	bool have_src;
	uint32_t ssrc;
	uint16_t max_seq;
	uint32_t max_ts;		/* its RTP timestamp, as sent */
	uint32_t max_span;
	uint64_t window;		/* bit i: max_seq - i seen */
	uint32_t ts_off;		/* added to the sender's timestamps */
	bool have_high;
	uint32_t high_end;		/* end of the newest audio received */

	/* playout */
	bool playing;			/* speexdsp synced on a packet */
	unsigned missing_run;		/* consecutive misses (as speexdsp) */
	uint32_t consumed_end;		/* timeline handed out so far */
	int16_t fifo[2 * JITTER_SPAN_MAX];	/* handed out, not yet played */
	size_t fifo_len;
	uint32_t pending;		/* synthetic samples owed (insertion) */
	bool splice;			/* the next audio is discontinuous */
	uint32_t clock;			/* samples requested by jitter_get() */
	bool have_arrival;
	uint32_t arrival_clock;		/* clock of the last tick with arrivals */
	bool burst;			/* this tick's arrivals end a stall */
	uint64_t played;		/* packets played (for delay_mean) */
	unsigned loud_ticks;		/* ticks since the delay could move */
	struct plc plc;

	/* the current jitter_get() */
	int16_t *out;
	size_t out_n;
	size_t out_pos;

	struct jitter_stats st;
	char pkt[JITTER_SPAN_MAX * sizeof(int16_t)];

	/* The last second of received audio by timeline position (every
	 * mode: the fixed mode starts from it); tag[i] is the position
	 * ring[i] holds. */
	int16_t ring[JITTER_RING];
	uint32_t tag[JITTER_RING];
	bool fixed;			/* data call: fixed delay, no PLC */
	bool fixed_run;			/* playing from the ring */
	uint32_t fixed_play;		/* timeline position played next */
};

/* ---- concealment ---- */

static void plc_push(struct plc *p, const int16_t *x, size_t n)
{
	if (n >= PLC_HIST) {
		memcpy(p->hist, x + n - PLC_HIST, sizeof(p->hist));
		return;
	}
	memmove(p->hist, p->hist + n, (PLC_HIST - n) * sizeof(*p->hist));
	memcpy(p->hist + PLC_HIST - n, x, n * sizeof(*x));
}

/* The pitch period of the history: the lag that maximises the normalised
 * correlation of the last PLC_CORR samples with the ones before. */
static unsigned plc_pitch(const struct plc *p)
{
	const int16_t *x = p->hist + PLC_HIST - PLC_CORR;
	double best = 0.0;
	unsigned lag = PLC_PMIN;

	for (unsigned t = PLC_PMIN; t <= PLC_PMAX; t++) {
		double c = 0.0, e = 0.0, score;

		for (unsigned i = 0; i < PLC_CORR; i++) {
			c += (double)x[i] * x[(int)i - (int)t];
			e += (double)x[(int)i - (int)t] * x[(int)i - (int)t];
		}
		if (c <= 0.0 || e <= 0.0)
			continue;
		score = c / sqrt(e);
		if (score > best) {
			best = score;
			lag = t;
		}
	}
	return lag;
}

/* Start synthesising from the history. */
static void plc_begin(struct plc *p)
{
	unsigned i;

	p->active = true;
	p->erased = 0;
	p->nper = 1;
	p->silent = true;
	for (i = PLC_HIST - PLC_CORR - PLC_PMAX; i < PLC_HIST; i++)
		if (p->hist[i]) {
			p->silent = false;
			break;
		}
	if (p->silent) {
		p->pitch = PLC_PMIN;
		p->idx = 2 * PLC_PMIN;
		return;
	}
	p->pitch = plc_pitch(p);
	memcpy(p->pbuf, p->hist + PLC_HIST - 3 * p->pitch,
	       3 * p->pitch * sizeof(*p->pbuf));
	p->idx = 2 * p->pitch;
}

static int16_t plc_sample(struct plc *p)
{
	unsigned e = p->erased, per = p->pitch;
	double g;
	int16_t s;

	if (p->silent)
		s = 0;
	else {
		/* Widen the repeated stretch (less buzzy), keeping the phase. */
		if ((e == PLC_UNIT && p->nper == 1) ||
		    (e == 2 * PLC_UNIT && p->nper == 2)) {
			p->nper++;
			p->idx -= per;
		}
		s = p->pbuf[p->idx];
		if (++p->idx >= 3 * per)
			p->idx = 3 * per - p->nper * per;
	}
	if (e < PLC_UNIT)
		g = 1.0;
	else if (e < PLC_MUTE)
		g = (double)(PLC_MUTE - e) / (PLC_MUTE - PLC_UNIT);
	else
		g = 0.0;
	if (p->erased < UINT32_MAX)
		p->erased++;
	return (int16_t)lrint(s * g);
}

/* Cross-fade the synthetic signal into the @n real samples @x. */
static void plc_join(struct plc *p, int16_t *x, size_t n)
{
	size_t len, i;

	if (!p->active)
		return;
	p->active = false;
	if (p->silent)
		return;		/* nothing was playing: nothing to join */
	len = p->pitch / 4;
	if (p->erased > PLC_UNIT)
		len += 32 * ((p->erased - 1) / PLC_UNIT);
	if (len > PLC_JOIN_MAX)
		len = PLC_JOIN_MAX;
	if (len > n)
		len = n;
	for (i = 0; i < len; i++) {
		double w = (double)(i + 1) / (double)(len + 1);
		double y = (1.0 - w) * plc_sample(p) + w * x[i];

		x[i] = (int16_t)lrint(y);
	}
}

/* ---- output ---- */

/* Play @n samples: into the caller's frame, the rest into the FIFO. */
static void sink(struct jitter *j, const int16_t *x, size_t n)
{
	size_t take = j->out_n - j->out_pos;

	plc_push(&j->plc, x, n);
	if (take > n)
		take = n;
	memcpy(j->out + j->out_pos, x, take * sizeof(*x));
	j->out_pos += take;
	x += take;
	n -= take;
	if (n > sizeof(j->fifo) / sizeof(*j->fifo) - j->fifo_len)
		n = sizeof(j->fifo) / sizeof(*j->fifo) - j->fifo_len;
	memcpy(j->fifo + j->fifo_len, x, n * sizeof(*x));
	j->fifo_len += n;
}

static void emit_synthetic(struct jitter *j, size_t n)
{
	int16_t buf[JITTER_SPAN_MAX];

	if (!j->plc.active)
		plc_begin(&j->plc);
	while (n > 0) {
		size_t c = n < JITTER_SPAN_MAX ? n : JITTER_SPAN_MAX;

		if (j->plc.silent)
			memset(buf, 0, c * sizeof(*buf));
		else
			for (size_t i = 0; i < c; i++)
				buf[i] = plc_sample(&j->plc);
		/* keep the erasure count going across silence */
		if (j->plc.silent && j->plc.erased < UINT32_MAX - c)
			j->plc.erased += (unsigned)c;
		sink(j, buf, c);
		n -= c;
	}
}

static void emit_audio(struct jitter *j, const int16_t *x, size_t n)
{
	int16_t buf[JITTER_SPAN_MAX];

	memcpy(buf, x, n * sizeof(*x));
	if (j->splice && !j->plc.active)
		plc_begin(&j->plc);
	j->splice = false;
	plc_join(&j->plc, buf, n);
	sink(j, buf, n);
}

/* ---- the buffer ---- */

struct jitter *jitter_new(void)
{
	struct jitter *j = calloc(1, sizeof(*j));
	spx_int32_t v;

	if (!j)
		return NULL;
	j->jb = jitter_buffer_init(JITTER_DELAY_STEP);
	if (!j->jb) {
		free(j);
		return NULL;
	}
	memset(j->tag, 0xff, sizeof(j->tag));
	/* Lose exactly what is missing, not a multiple of the step. */
	v = 1;
	jitter_buffer_ctl(j->jb, JITTER_BUFFER_SET_CONCEALMENT_SIZE, &v);
	/* Calling it turns speexdsp's own adjustment at every tick off:
	 * jitter_get() adjusts where it is not heard (quiet_tick()). */
	jitter_buffer_update_delay(j->jb, NULL, NULL);
	return j;
}

struct jitter *jitter_free(struct jitter *j)
{
	if (!j)
		return NULL;
	jitter_buffer_destroy(j->jb);
	free(j);
	return NULL;
}

static void jitter_restart(struct jitter *j)
{
	jitter_buffer_reset(j->jb);
	/* (keeps speexdsp's adjustment at every tick off) */
	jitter_buffer_update_delay(j->jb, NULL, NULL);
	j->loud_ticks = 0;
	j->have_src = false;
	j->have_high = false;
	j->playing = false;
	j->missing_run = 0;
	j->ts_off = 0;
	j->window = 0;
	/* What was already handed out still plays; the next audio joins. */
	j->splice = true;
	j->fixed_run = false;
	memset(j->tag, 0xff, sizeof(j->tag));
}

void jitter_reset(struct jitter *j)
{
	if (!j)
		return;
	jitter_restart(j);
	j->st.resets++;
}

/* Sequence bookkeeping of a packet from the current source.  Returns
 * false for a duplicate.  *@jump: the timestamp does not follow the
 * sequence number. */
static bool track_seq(struct jitter *j, uint16_t seq, uint32_t ts, size_t n,
		      bool *jump)
{
	int16_t d = (int16_t)(seq - j->max_seq);
	int32_t err;

	*jump = false;
	if (d == 0)
		return false;		/* the newest, again */
	if (d < 0 && d > -JITTER_MAX_MISORDER) {
		/* reordered, or a duplicate of an older one */
		if (d <= -JITTER_DUP_WINDOW)
			return true;	/* too old to tell; surely late */
		if (j->window & (1ull << -d))
			return false;
		j->window |= 1ull << -d;
		return true;
	}
	if (d > 0 && d <= JITTER_MAX_DROPOUT) {
		err = (int32_t)(ts - (j->max_ts + (uint32_t)d * j->max_span));
		*jump = err < -JITTER_JUMP_BACK || err > JITTER_JUMP_FWD;
		j->window = d >= 64 ? 1 : (j->window << d) | 1;
	} else {
		*jump = true;		/* the sequence restarted */
		j->window = 1;
	}
	j->max_seq = seq;
	j->max_ts = ts;
	j->max_span = (uint32_t)n;
	return true;
}

int jitter_put(struct jitter *j, uint32_t ssrc, uint16_t seq, uint32_t ts,
	       const int16_t *pcm, size_t n)
{
	JitterBufferPacket pkt;
	bool jump = false, late = false;
	uint32_t its;

	if (!j || !pcm || n == 0 || n > JITTER_SPAN_MAX)
		return -EINVAL;
	j->st.packets++;
	if (j->have_src && ssrc != j->ssrc)
		jitter_reset(j);
	/* speexdsp starts over by itself after too many misses */
	if (j->missing_run > JITTER_MAX_MISSING) {
		j->playing = false;
		j->missing_run = 0;
		j->have_high = false;
		j->splice = true;
	}
	if (!j->have_src) {
		j->have_src = true;
		j->ssrc = ssrc;
		j->max_seq = seq;
		j->max_ts = ts;
		j->max_span = (uint32_t)n;
		j->window = 1;
		j->ts_off = 0;
	} else if (!track_seq(j, seq, ts, n, &jump)) {
		j->st.duplicates++;
		return JITTER_PUT_DUPLICATE;
	}

	if (jump) {
		/* Continue where the newest audio ends (or at the playout
		 * point, if that is later). */
		uint32_t target = j->have_high ? j->high_end : ts + j->ts_off;

		if (j->playing && (int32_t)(target - j->consumed_end) < 0)
			target = j->consumed_end;
		/* the fixed mode keeps its delay */
		if (j->fixed_run &&
		    (int32_t)(target - (j->fixed_play + JITTER_FIXED_MIN)) < 0)
			target = j->fixed_play + JITTER_FIXED_MIN;
		j->ts_off = target - ts;
		j->st.ts_jumps++;
	}
	its = ts + j->ts_off;
	if (j->playing && (int32_t)(its + (uint32_t)n - j->consumed_end) <= 0)
		late = true;
	if (!j->have_high || (int32_t)(its + (uint32_t)n - j->high_end) > 0) {
		j->high_end = its + (uint32_t)n;
		j->have_high = true;
	}

	/* Into the ring, unless it is no longer wanted (or too far ahead) */
	if ((!j->fixed_run || (int32_t)(its + (uint32_t)n - j->fixed_play) > 0) &&
	    (!j->playing ||
	     (int32_t)(its + (uint32_t)n - j->consumed_end) < JITTER_RING))
		for (size_t i = 0; i < n; i++) {
			uint32_t at = its + (uint32_t)i;

			j->ring[at % JITTER_RING] = pcm[i];
			j->tag[at % JITTER_RING] = at;
		}
	if (j->fixed) {
		if (late) {
			j->st.late++;
			return JITTER_PUT_LATE;
		}
		return JITTER_PUT_OK;
	}

	/*
	 * A stall: nothing for STALL_GAP, then the held packets all at once.
	 * Those already late are lost; teaching speexdsp their lateness would
	 * hold its delay up for its whole history (~20 s) for a one-off
	 * event, so they stay out.  Other late packets still go in: speexdsp
	 * learns the delay from them.
	 */
	if (!j->have_arrival || j->clock != j->arrival_clock) {
		j->burst = j->have_arrival &&
			   j->clock - j->arrival_clock >= JITTER_STALL_GAP;
		j->arrival_clock = j->clock;
		j->have_arrival = true;
	}
	if (late && j->burst) {
		j->st.late++;
		j->st.stall_late++;
		return JITTER_PUT_LATE;
	}
	memset(&pkt, 0, sizeof(pkt));
	pkt.data = (char *)pcm;
	pkt.len = (spx_uint32_t)(n * sizeof(*pcm));
	pkt.timestamp = its;
	pkt.span = (spx_uint32_t)n;
	pkt.sequence = seq;
	pkt.user_data = j->clock;	/* when it came, in playout time */
	jitter_buffer_put(j->jb, &pkt);
	if (late) {
		j->st.late++;
		return JITTER_PUT_LATE;
	}
	return JITTER_PUT_OK;
}

/*
 * The fixed mode: what was handed out first, then the ring from where
 * speexdsp stood (at least JITTER_FIXED_MIN behind the newest audio);
 * missing samples are silence.
 */
static int fixed_get(struct jitter *j, int16_t *pcm, size_t n)
{
	size_t pos = 0, missing = 0, got = 0;

	j->st.frames++;
	j->pending = 0;
	if (j->fifo_len > 0) {
		pos = n < j->fifo_len ? n : j->fifo_len;
		memcpy(pcm, j->fifo, pos * sizeof(*pcm));
		memmove(j->fifo, j->fifo + pos, (j->fifo_len - pos) * sizeof(*pcm));
		j->fifo_len -= pos;
		got = pos;
	}
	if (!j->fixed_run && pos < n && j->have_high) {
		uint32_t start = j->playing ? j->consumed_end :
			j->high_end - JITTER_FIXED_MIN;

		if ((int32_t)(j->high_end - start) < JITTER_FIXED_MIN)
			start = j->high_end - JITTER_FIXED_MIN;
		j->fixed_play = start;
		j->fixed_run = true;
		j->playing = true;
	}
	for (; pos < n; pos++) {
		uint32_t at = j->fixed_play;
		size_t k = at % JITTER_RING;

		if (!j->fixed_run) {
			pcm[pos] = 0;
			continue;
		}
		if (j->tag[k] == at) {
			pcm[pos] = j->ring[k];
			got++;
		} else {
			pcm[pos] = 0;
			missing++;
		}
		j->fixed_play++;
	}
	j->clock += (uint32_t)n;
	if (!j->fixed_run)
		return got ? JITTER_AUDIO : JITTER_IDLE;
	j->consumed_end = j->fixed_play;
	j->st.delay = j->high_end - j->fixed_play;
	if (missing) {
		j->st.samples_concealed += missing;
		j->st.frames_concealed++;
		return JITTER_CONCEALED;
	}
	j->st.frames_audio++;
	return JITTER_AUDIO;
}

void jitter_set_fixed(struct jitter *j, bool on)
{
	if (!j || j->fixed == on)
		return;
	j->fixed = on;
	if (!on) {
		/* speexdsp learns the timeline again from the next packet */
		jitter_restart(j);
		j->pending = 0;
	}
}

bool jitter_fixed(const struct jitter *j)
{
	return j && j->fixed;
}

/*
 * Whether speexdsp may move the delay now: the last frame played was
 * quiet (a pause, comfort noise), nothing of a packet is still to play,
 * or the audio has not been quiet for JITTER_LOUD_MAX ticks (a tone,
 * music: adjust anyway).
 */
static bool quiet_tick(struct jitter *j)
{
	double e = 0.0;

	for (unsigned i = PLC_HIST - PLC_CORR; i < PLC_HIST; i++)
		e += (double)j->plc.hist[i] * j->plc.hist[i];
	if (e > (double)JITTER_QUIET_RMS * JITTER_QUIET_RMS * PLC_CORR &&
	    ++j->loud_ticks < JITTER_LOUD_MAX)
		return false;
	if (j->fifo_len > 0 || j->pending > 0)
		return false;
	j->loud_ticks = 0;
	return true;
}

int jitter_get(struct jitter *j, int16_t *pcm, size_t n)
{
	bool audio = false, synthetic = false, loss = false;
	size_t drop_counted = 0;

	if (!j || !pcm || n == 0 || n > JITTER_FRAME_MAX)
		return -EINVAL;
	if (j->fixed)
		return fixed_get(j, pcm, n);
	j->out = pcm;
	j->out_n = n;
	j->out_pos = 0;
	j->st.frames++;
	if (quiet_tick(j)) {
		int opt = jitter_buffer_update_delay(j->jb, NULL, NULL);

		if (opt > 0) {
			/* speexdsp moved past @opt samples: dropped */
			j->st.samples_dropped += (uint64_t)opt;
			drop_counted = (size_t)opt;
			j->splice = true;
		}
	}

	/* What was handed out before: synthetic samples owed, or audio. */
	if (j->pending > 0) {
		size_t c = j->pending < n ? j->pending : n;

		emit_synthetic(j, c);
		j->pending -= (uint32_t)c;
		j->st.samples_inserted += c;
		synthetic = true;
	}
	if (j->fifo_len > 0 && j->out_pos < n) {
		size_t c = n - j->out_pos;

		if (c > j->fifo_len)
			c = j->fifo_len;
		memcpy(pcm + j->out_pos, j->fifo, c * sizeof(*pcm));
		memmove(j->fifo, j->fifo + c, (j->fifo_len - c) * sizeof(*pcm));
		j->fifo_len -= c;
		j->out_pos += c;
		audio = true;
	}

	while (j->out_pos < n) {
		size_t need = n - j->out_pos;
		JitterBufferPacket pkt;
		spx_int32_t off = 0;
		int r;

		memset(&pkt, 0, sizeof(pkt));
		pkt.data = j->pkt;
		pkt.len = sizeof(j->pkt);
		r = jitter_buffer_get(j->jb, &pkt, (spx_int32_t)need, &off);
		if (r == JITTER_BUFFER_OK) {
			size_t cnt = pkt.len / sizeof(int16_t), skip = 0;
			int16_t x[JITTER_SPAN_MAX];

			j->playing = true;
			j->missing_run = 0;
			if (cnt > JITTER_SPAN_MAX)
				cnt = JITTER_SPAN_MAX;
			memcpy(x, j->pkt, cnt * sizeof(*x));
			if (off > 0) {
				/* a hole before this packet */
				emit_synthetic(j, (size_t)off);
				j->st.samples_concealed += (size_t)off;
				synthetic = loss = true;
			} else if (off < 0) {
				/* the buffer shrank: skip the start */
				skip = (size_t)-off;
				if (skip > cnt)
					skip = cnt;
				/* (part of a drop counted above) */
				j->st.samples_dropped += skip > drop_counted ?
							 skip - drop_counted : 0;
				drop_counted = 0;
				j->splice = true;
			}
			if (skip < cnt) {
				/* how long it waited: from the tick it came
				 * in to the one that starts playing it */
				uint32_t wait = j->clock + (uint32_t)j->out_pos +
						(uint32_t)j->fifo_len -
						pkt.user_data;

				j->st.delay = wait;
				j->st.delay_avg += (wait - j->st.delay_avg) / 16.0;
				j->played++;
				j->st.delay_mean += (wait - j->st.delay_mean) /
						    (double)j->played;
				emit_audio(j, x + skip, cnt - skip);
				audio = true;
			}
		} else if (r == JITTER_BUFFER_INSERTION && pkt.span > 0) {
			size_t c = pkt.span < need ? pkt.span : need;

			/* the buffer grows: play synthetic audio */
			j->missing_run++;
			emit_synthetic(j, c);
			j->pending = pkt.span - (uint32_t)c;
			j->st.samples_inserted += c;
			synthetic = true;
		} else if (!j->playing || pkt.span != need) {
			/* nothing to sync on: the history fades out */
			emit_synthetic(j, need);
		} else {
			j->missing_run++;
			emit_synthetic(j, need);
			j->st.samples_concealed += need;
			synthetic = loss = true;
		}
	}

	if (j->playing)
		j->consumed_end = (uint32_t)jitter_buffer_get_pointer_timestamp(j->jb);
	j->clock += (uint32_t)n;
	/* the tick: tell speexdsp what we still hold */
	jitter_buffer_remaining_span(j->jb,
				     (spx_uint32_t)(j->fifo_len + j->pending));

	if (loss)
		j->st.frames_concealed++;
	if (synthetic)
		return JITTER_CONCEALED;
	if (audio) {
		j->st.frames_audio++;
		return JITTER_AUDIO;
	}
	return JITTER_IDLE;
}

void jitter_get_stats(const struct jitter *j, struct jitter_stats *ret)
{
	*ret = j->st;
}
