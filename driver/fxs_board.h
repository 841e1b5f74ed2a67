/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * fxs_board.h - what an FXS board driver (a SLIC chip, the loopback board)
 * implements and calls.  The fxs core owns everything userspace sees.
 *
 * Life of a port: fxs_port_alloc() -> fxs_port_register() -> ... ->
 * fxs_port_deregister() -> fxs_port_put().  After fxs_port_deregister()
 * returns the core never calls the board's ops again, even while
 * userspace still holds the port open; the memory (including the board's
 * private area) lives until the last reference is dropped.
 */
#ifndef _FXS_BOARD_H
#define _FXS_BOARD_H

#include <linux/device.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/fxs.h>

struct fxs_port;

/**
 * struct fxs_port_ops - what a board does for the core
 *
 * fxs_port_register() refuses (-EINVAL) a port whose ops lack one it needs:
 * @set_linefeed always, @set_ring with FXS_CAP_RING, @pcm_start and
 * @pcm_stop with FXS_CAP_PCM.  The core never calls an op the port's caps
 * do not need (RING_START and PCM_OPEN give -EOPNOTSUPP there).
 *
 * Every op is called in process context and may sleep, so a board behind
 * a sleeping bus (a SLIC on SPI or I2C) talks to its chip from inside the
 * op.  The core never calls two ops of a port at once (one mutex per port
 * around them all), but they come from different threads: an ioctl's, a
 * closing process's, the port's worker.  An op must not wait for anything
 * the core does under that mutex (no fxs_port_deregister() from an op).
 *
 * @set_linefeed: drive the line in an enum fxs_linefeed mode; may report a
 *	hook edge from inside
 * @set_ring: switch the ring voltage on or off; called from the port's
 *	worker (a real-time kthread) soon after the switch is due, in the
 *	order the cadence makes them, every one (they alternate on and off;
 *	only a worker stalled for four whole bursts loses the oldest pairs).
 *	@ts_ns is the CLOCK_MONOTONIC time the switch was due: a cadence
 *	timer's expiry, the ring-trip's hook edge, or the time of the stop;
 *	the RING_ON/RING_OFF events carry the same time.  A board that
 *	records its line may use it; a chip just switches now.  The cadence
 *	timer runs on its schedule, not on the worker's latency, so bursts
 *	keep their length as long as that latency does not vary.  RING_START
 *	and RING_STOP return once the board made their switch.  May report
 *	a hook edge; returns 0 or a negative errno (logged, ratelimited)
 * @pcm_start: start the board's audio clock with frames of @period_ms;
 *	from then on the board calls fxs_port_pcm_tx() and fxs_port_pcm_rx()
 *	once per frame, in that order and from the same context, for the
 *	same sample instants: the frame handed to fxs_port_pcm_rx() must have
 *	been received from the line while the frame taken by the
 *	fxs_port_pcm_tx() just before was being sent, sample for sample (a
 *	board whose two directions are skewed by a fixed number of samples
 *	compensates for it), so the core can hand userspace the echo
 *	canceller's exact reference
 * @pcm_stop: stop the audio clock; when it returns, no more calls come
 */
struct fxs_port_ops {
	int (*set_linefeed)(struct fxs_port *port, u32 mode);
	int (*set_ring)(struct fxs_port *port, bool on, u64 ts_ns);
	int (*pcm_start)(struct fxs_port *port, unsigned int period_ms);
	void (*pcm_stop)(struct fxs_port *port);
};

struct fxs_port *fxs_port_alloc(struct device *parent,
				const struct fxs_port_ops *ops,
				const char *board, u32 caps, size_t priv_size);
int fxs_port_register(struct fxs_port *port);
void fxs_port_deregister(struct fxs_port *port);
void fxs_port_get(struct fxs_port *port);
void fxs_port_put(struct fxs_port *port);
void *fxs_port_priv(struct fxs_port *port);
int fxs_port_index(struct fxs_port *port);
struct device *fxs_port_dev(struct fxs_port *port);

/*
 * Raw hook switch edge seen by the board at @ts_ns (CLOCK_MONOTONIC), the
 * time of the edge itself, not of the report; any context.  Edges stamped
 * before one reported already count as simultaneous with it.
 */
void fxs_port_hook_edge(struct fxs_port *port, bool offhook, u64 ts_ns);
/*
 * The board shut the line down (open) to protect itself at @ts_ns: a power
 * alarm, a thermal shutdown; @cause is the board's own bits (non-zero).
 * Any context.  The core ends a ring that runs (the board's set_ring(off)
 * follows from the worker and must leave the line open), records the
 * feed as open and queues FXS_EVENT_POWER_ALARM; the line stays open
 * until its owner sets a feed (or closes the port).
 */
void fxs_port_power_alarm(struct fxs_port *port, u32 cause, u64 ts_ns);
/* Fill @buf with @n samples to send to the line; any context. */
void fxs_port_pcm_tx(struct fxs_port *port, s16 *buf, unsigned int n);
/* Hand @n samples received from the line to the core; any context. */
void fxs_port_pcm_rx(struct fxs_port *port, const s16 *buf, unsigned int n);

/*
 * PCM bus: how frames on a TDM highway reach fxs_port_pcm_tx() and
 * fxs_port_pcm_rx() (driver/fxs_pcm.c).  A SLIC's codec puts each line's
 * audio in a timeslot of an 8 kHz frame, in a law (A-law, mu-law, or
 * 16-bit linear big-endian over two slots); the controller on the SoC's
 * side (a TDM or I2S controller, an ASoC DAI, the simulated Si3215's bus)
 * moves whole highway frames.  The controller's driver registers a
 * struct fxs_pcm_bus; the SLIC's board driver binds its port to a slot
 * (fxs_pcm_slot_get(), typically named by a device property), starts it
 * in its pcm_start op after enabling the chip's PCM, and stops it in
 * pcm_stop.  The core converts between the law and the port's linear
 * samples and calls the port's pcm_tx/pcm_rx once per port frame, so a
 * board on a bus gets the pcm_start contract above for free.
 *
 * A bus driver:
 *  - sets @name, @ops and @slots (bytes in a highway frame, <=
 *    FXS_PCM_MAX_SLOTS) and calls fxs_pcm_bus_register() before the
 *    boards that name it probe (they get -EPROBE_DEFER until then), and
 *    fxs_pcm_bus_unregister() after they are gone;
 *  - on @start (the first slot started; process context, may sleep)
 *    starts its frame clock and DMA, on @stop (the last one stopped)
 *    stops them; when @stop returns no block call comes any more;
 *  - for every block of @n highway frames (@n divides 80: 1, 2, 4, 5,
 *    8, 10, 16, 20, 40 or 80 frames, 10 ms at most), in one context (a
 *    DMA period interrupt, a timer): fxs_pcm_bus_tx() on the block it is
 *    about to send (the core writes its running slots' bytes, leaving
 *    the others as they are) and then fxs_pcm_bus_rx() on the block
 *    received over the same frames.  A controller whose receive DMA lags
 *    its transmit by whole frames realigns them first: the echo
 *    canceller's reference depends on it.
 *
 * A SoC TDM/I2S controller in a DMA-ring driver does exactly that in its
 * period interrupt with @n = the period in frames.  An ASoC DAI is
 * driven through a small machine driver: a PCM substream per direction
 * opened on the DAI link (hw_params: 8000 Hz, @slots channels of
 * S8/U8, or S16_BE for linear; the TDM slot mask from
 * snd_soc_dai_set_tdm_slot()), started on @start, its period callback
 * calling the two block functions on the ring's current period.
 */
#define FXS_PCM_MAX_SLOTS	128

/* how a sample sits in its timeslot */
enum fxs_pcm_law {
	FXS_PCM_ALAW,
	FXS_PCM_ULAW,
	FXS_PCM_LINEAR,	/* s16, big-endian, two slots */
};

struct fxs_pcm_bus;

/**
 * struct fxs_pcm_bus_ops - what a bus driver does for the core
 * @start: start the highway's frame clock and block calls; may sleep
 * @stop: stop them; when it returns, no block call runs or comes
 */
struct fxs_pcm_bus_ops {
	int (*start)(struct fxs_pcm_bus *bus);
	void (*stop)(struct fxs_pcm_bus *bus);
};

/**
 * struct fxs_pcm_bus - a TDM highway
 * @name: what boards name it by (unique)
 * @ops: its ops
 * @slots: bytes in a highway frame
 * @node, @slot_list, @running, @lock, @users: the core's
 */
struct fxs_pcm_bus {
	const char *name;
	const struct fxs_pcm_bus_ops *ops;
	unsigned int slots;

	struct list_head node;
	struct list_head slot_list;
	struct list_head running;
	spinlock_t lock;	/* @running, against the block calls */
	unsigned int users;
};

int fxs_pcm_bus_register(struct fxs_pcm_bus *bus);
void fxs_pcm_bus_unregister(struct fxs_pcm_bus *bus);
/* @hw: @n frames of @bus->slots bytes, sample-major; any context */
void fxs_pcm_bus_tx(struct fxs_pcm_bus *bus, u8 *hw, unsigned int n);
void fxs_pcm_bus_rx(struct fxs_pcm_bus *bus, const u8 *hw, unsigned int n);

struct fxs_pcm_slot;
/* @port's audio at byte @slot of bus @name; ERR_PTR(-EPROBE_DEFER) before it */
struct fxs_pcm_slot *fxs_pcm_slot_get(const char *name, struct fxs_port *port,
				      unsigned int slot, enum fxs_pcm_law law);
/* stops it first */
void fxs_pcm_slot_put(struct fxs_pcm_slot *slot);
/* from pcm_start: frames of @period_ms (10 or 20) from the next block */
int fxs_pcm_slot_start(struct fxs_pcm_slot *slot, unsigned int period_ms);
/* from pcm_stop: when it returns, no more pcm_tx/pcm_rx for the port */
void fxs_pcm_slot_stop(struct fxs_pcm_slot *slot);

/* a sample in a timeslot of highway frame @hw, for a chip model */
void fxs_pcm_encode(enum fxs_pcm_law law, s16 s, u8 *hw, unsigned int slot);
s16 fxs_pcm_decode(enum fxs_pcm_law law, const u8 *hw, unsigned int slot);

#endif /* _FXS_BOARD_H */
