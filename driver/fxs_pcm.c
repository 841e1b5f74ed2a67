// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs_pcm: the PCM-bus glue between a TDM highway (a SoC's TDM or I2S
 * controller, an ASoC DAI, the simulated Si3215's bus) and the core's
 * ports.  A bus driver registers a struct fxs_pcm_bus; a board binds its
 * port to a timeslot of it in a law (fxs_pcm_slot_get()) and starts and
 * stops that slot from its pcm_start and pcm_stop ops.  The bus driver
 * hands the core each block of the highway: fxs_pcm_bus_tx() writes the
 * running slots' samples to send, fxs_pcm_bus_rx() takes the samples
 * received.  The core converts between the law and the port's linear
 * samples and calls fxs_port_pcm_tx() and fxs_port_pcm_rx() once per
 * port frame (see fxs_board.h).
 */

#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "fxs_board.h"
#include "fxs_g711.h"

#define PCM_RATE	8000
#define PCM_MAX_FRAME	160	/* 20 ms */
#define PCM_BLOCK_DIV	80	/* a bus block divides 10 ms */

/**
 * struct fxs_pcm_slot - a port's timeslot on a bus
 * @bus: the bus, NULL once it went away; fxs_pcm_mutex
 * @port: the port
 * @slot: first byte of the sample in a highway frame
 * @law: the samples' coding
 * @node: entry in the bus's @slots (fxs_pcm_mutex) list
 * @run_node: entry in its @running list (its lock)
 * @started: the slot runs; fxs_pcm_mutex
 * @frame: samples per port frame
 * @txpos: the next sample of @tx to send; the bus's block context only
 * @rxpos: the next sample of @rx to fill; likewise
 * @tx: the port frame being sent
 * @rx: the port frame being received
 */
struct fxs_pcm_slot {
	struct fxs_pcm_bus *bus;
	struct fxs_port *port;
	unsigned int slot;
	enum fxs_pcm_law law;
	struct list_head node;
	struct list_head run_node;
	bool started;
	unsigned int frame;
	unsigned int txpos, rxpos;
	s16 tx[PCM_MAX_FRAME], rx[PCM_MAX_FRAME];
};

static DEFINE_MUTEX(fxs_pcm_mutex);	/* the buses, their slots, start/stop */
static LIST_HEAD(fxs_pcm_buses);

/* ---- timeslot coding ---- */

/* sample @s into highway frame @hw at byte @slot in @law */
void fxs_pcm_encode(enum fxs_pcm_law law, s16 s, u8 *hw, unsigned int slot)
{
	switch (law) {
	case FXS_PCM_ALAW:
		hw[slot] = fxs_g711_lin2alaw(s);
		break;
	case FXS_PCM_ULAW:
		hw[slot] = fxs_g711_lin2ulaw(s);
		break;
	case FXS_PCM_LINEAR:
		hw[slot] = (u16)s >> 8;
		hw[slot + 1] = (u16)s & 0xff;
		break;
	}
}
EXPORT_SYMBOL_GPL(fxs_pcm_encode);

s16 fxs_pcm_decode(enum fxs_pcm_law law, const u8 *hw, unsigned int slot)
{
	switch (law) {
	case FXS_PCM_ALAW:
		return fxs_g711_alaw2lin(hw[slot]);
	case FXS_PCM_ULAW:
		return fxs_g711_ulaw2lin(hw[slot]);
	case FXS_PCM_LINEAR:
		break;
	}
	return (s16)(hw[slot] << 8 | hw[slot + 1]);
}
EXPORT_SYMBOL_GPL(fxs_pcm_decode);

/* ---- the bus side ---- */

int fxs_pcm_bus_register(struct fxs_pcm_bus *bus)
{
	struct fxs_pcm_bus *b;
	int ret = 0;

	if (!bus->name || !bus->ops || !bus->ops->start || !bus->ops->stop ||
	    !bus->slots || bus->slots > FXS_PCM_MAX_SLOTS)
		return -EINVAL;
	INIT_LIST_HEAD(&bus->slot_list);
	INIT_LIST_HEAD(&bus->running);
	spin_lock_init(&bus->lock);
	bus->users = 0;
	mutex_lock(&fxs_pcm_mutex);
	list_for_each_entry(b, &fxs_pcm_buses, node)
		if (!strcmp(b->name, bus->name))
			ret = -EEXIST;
	if (!ret)
		list_add_tail(&bus->node, &fxs_pcm_buses);
	mutex_unlock(&fxs_pcm_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(fxs_pcm_bus_register);

static void fxs_pcm_slot_stop_locked(struct fxs_pcm_slot *s)
{
	struct fxs_pcm_bus *bus = s->bus;
	unsigned long flags;

	lockdep_assert_held(&fxs_pcm_mutex);
	if (!s->started)
		return;
	/* after the unlock the bus's block context never sees the slot */
	spin_lock_irqsave(&bus->lock, flags);
	list_del(&s->run_node);
	spin_unlock_irqrestore(&bus->lock, flags);
	s->started = false;
	if (!--bus->users)
		bus->ops->stop(bus);
}

void fxs_pcm_bus_unregister(struct fxs_pcm_bus *bus)
{
	struct fxs_pcm_slot *s, *tmp;

	mutex_lock(&fxs_pcm_mutex);
	list_for_each_entry_safe(s, tmp, &bus->slot_list, node) {
		/* a board still bound: its audio stops, its slot is orphaned */
		WARN_ON_ONCE(1);
		fxs_pcm_slot_stop_locked(s);
		list_del(&s->node);
		s->bus = NULL;
	}
	list_del(&bus->node);
	mutex_unlock(&fxs_pcm_mutex);
}
EXPORT_SYMBOL_GPL(fxs_pcm_bus_unregister);

void fxs_pcm_bus_tx(struct fxs_pcm_bus *bus, u8 *hw, unsigned int n)
{
	struct fxs_pcm_slot *s;
	unsigned long flags;
	unsigned int i;

	if (WARN_ON_ONCE(!n || PCM_BLOCK_DIV % n))
		return;
	spin_lock_irqsave(&bus->lock, flags);
	list_for_each_entry(s, &bus->running, run_node) {
		for (i = 0; i < n; i++) {
			if (!s->txpos)
				fxs_port_pcm_tx(s->port, s->tx, s->frame);
			fxs_pcm_encode(s->law, s->tx[s->txpos],
				       hw + i * bus->slots, s->slot);
			if (++s->txpos == s->frame)
				s->txpos = 0;
		}
	}
	spin_unlock_irqrestore(&bus->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_pcm_bus_tx);

void fxs_pcm_bus_rx(struct fxs_pcm_bus *bus, const u8 *hw, unsigned int n)
{
	struct fxs_pcm_slot *s;
	unsigned long flags;
	unsigned int i;

	if (WARN_ON_ONCE(!n || PCM_BLOCK_DIV % n))
		return;
	spin_lock_irqsave(&bus->lock, flags);
	list_for_each_entry(s, &bus->running, run_node) {
		for (i = 0; i < n; i++) {
			s->rx[s->rxpos] = fxs_pcm_decode(s->law,
							 hw + i * bus->slots,
							 s->slot);
			if (++s->rxpos == s->frame) {
				s->rxpos = 0;
				fxs_port_pcm_rx(s->port, s->rx, s->frame);
			}
		}
	}
	spin_unlock_irqrestore(&bus->lock, flags);
}
EXPORT_SYMBOL_GPL(fxs_pcm_bus_rx);

/* ---- the board side ---- */

struct fxs_pcm_slot *fxs_pcm_slot_get(const char *name, struct fxs_port *port,
				      unsigned int slot, enum fxs_pcm_law law)
{
	unsigned int width = law == FXS_PCM_LINEAR ? 2 : 1;
	struct fxs_pcm_bus *bus = NULL, *b;
	struct fxs_pcm_slot *s, *o;
	int ret = 0;

	if (law > FXS_PCM_LINEAR)
		return ERR_PTR(-EINVAL);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&fxs_pcm_mutex);
	list_for_each_entry(b, &fxs_pcm_buses, node)
		if (!strcmp(b->name, name))
			bus = b;
	if (!bus) {
		ret = -EPROBE_DEFER;
		goto out;
	}
	if (slot + width > bus->slots) {
		ret = -ERANGE;
		goto out;
	}
	list_for_each_entry(o, &bus->slot_list, node) {
		unsigned int ow = o->law == FXS_PCM_LINEAR ? 2 : 1;

		if (slot < o->slot + ow && o->slot < slot + width)
			ret = -EBUSY;
	}
	if (ret)
		goto out;
	s->bus = bus;
	s->port = port;
	s->slot = slot;
	s->law = law;
	list_add_tail(&s->node, &bus->slot_list);
out:
	mutex_unlock(&fxs_pcm_mutex);
	if (ret) {
		kfree(s);
		return ERR_PTR(ret);
	}
	return s;
}
EXPORT_SYMBOL_GPL(fxs_pcm_slot_get);

void fxs_pcm_slot_put(struct fxs_pcm_slot *s)
{
	mutex_lock(&fxs_pcm_mutex);
	if (s->bus) {
		fxs_pcm_slot_stop_locked(s);
		list_del(&s->node);
	}
	mutex_unlock(&fxs_pcm_mutex);
	kfree(s);
}
EXPORT_SYMBOL_GPL(fxs_pcm_slot_put);

int fxs_pcm_slot_start(struct fxs_pcm_slot *s, unsigned int period_ms)
{
	unsigned int frame = period_ms * (PCM_RATE / 1000);
	struct fxs_pcm_bus *bus;
	unsigned long flags;
	int ret = 0;

	if (!frame || frame > PCM_MAX_FRAME || frame % PCM_BLOCK_DIV)
		return -EINVAL;
	mutex_lock(&fxs_pcm_mutex);
	bus = s->bus;
	if (!bus) {
		ret = -ENODEV;
		goto out;
	}
	if (s->started) {
		ret = -EBUSY;
		goto out;
	}
	s->frame = frame;
	s->txpos = 0;
	s->rxpos = 0;
	spin_lock_irqsave(&bus->lock, flags);
	list_add_tail(&s->run_node, &bus->running);
	spin_unlock_irqrestore(&bus->lock, flags);
	s->started = true;
	if (!bus->users++) {
		ret = bus->ops->start(bus);
		if (ret) {
			spin_lock_irqsave(&bus->lock, flags);
			list_del(&s->run_node);
			spin_unlock_irqrestore(&bus->lock, flags);
			s->started = false;
			bus->users--;
		}
	}
out:
	mutex_unlock(&fxs_pcm_mutex);
	return ret;
}
EXPORT_SYMBOL_GPL(fxs_pcm_slot_start);

void fxs_pcm_slot_stop(struct fxs_pcm_slot *s)
{
	mutex_lock(&fxs_pcm_mutex);
	if (s->bus)
		fxs_pcm_slot_stop_locked(s);
	mutex_unlock(&fxs_pcm_mutex);
}
EXPORT_SYMBOL_GPL(fxs_pcm_slot_stop);
