/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * fxs_loop.h - test control plane of the simulated handset on a test
 * board's line: the fxs_loop loopback board's, the simulated Si3215's
 * (fxs_si3215_sim handset=N)
 *
 * The loopback board simulates a SLIC with a telephone handset on every
 * port.  Port /dev/fxsN has a handset node /dev/fxs_hsN:
 *   - write() puts signed 16-bit 8 kHz samples into the mouthpiece; they
 *     reach the line (the /dev/fxsN audio stream) while the handset is
 *     off-hook, one sample per sample clock; the length must be even.
 *   - read() returns what the earpiece received, as signed 16-bit 8 kHz
 *     samples, one per sample clock while the port's audio stream runs
 *     (silence while the phone is on-hook and the feed is not on-hook
 *     transmission); it blocks until a sample is there (-EAGAIN with
 *     O_NONBLOCK).  When nobody reads, the oldest samples are dropped.
 *   - the ioctls below move the hook switch and read line observations.
 * The handset node may be opened by several processes at once.  A
 * descriptor opened O_RDONLY only looks: FXS_HS_IOC_HOOK, _FLASH, _DIAL,
 * _EDGE, _SET_ECHO and _FLUSH give -EBADF on it.
 *
 * Hook actions run on a kernel timer with exact timings.  The ioctl that
 * starts one returns at once, with the planned edge times; an action asked
 * for while another still runs starts when that one has finished (the
 * ioctl waits for it).  FXS_HS_IOC_WAIT waits for the running action.
 *
 * Ports are added and removed at run time through the board device:
 *   echo 1 > /sys/devices/platform/fxs_loop/add_port
 *   echo N > /sys/devices/platform/fxs_loop/remove_port   (N of /dev/fxsN)
 */
#ifndef _UAPI_LINUX_FXS_LOOP_H
#define _UAPI_LINUX_FXS_LOOP_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** FXS_HS_MAX_TAPS - longest echo impulse response, in samples (16 ms) */
#define FXS_HS_MAX_TAPS		128
/** FXS_HS_OBS_BATCH - observations returned by one FXS_HS_IOC_GET_OBS */
#define FXS_HS_OBS_BATCH	16

/**
 * struct fxs_hs_hook - FXS_HS_IOC_HOOK: lift or replace the handset
 * @offhook: 1 to lift, 0 to replace
 * @bounce_count: contact bounces before the contact settles (0..8)
 * @bounce_us: length of each bounce half-period, 100..10000 us
 * @padding: reserved, zero
 * @start_ns: out: CLOCK_MONOTONIC time of the first edge
 * @end_ns: out: time the contact settles (the last edge)
 */
struct fxs_hs_hook {
	__u32 offhook;
	__u32 bounce_count;
	__u32 bounce_us;
	__u32 padding;
	__aligned_u64 start_ns;
	__aligned_u64 end_ns;
};

/**
 * struct fxs_hs_flash - FXS_HS_IOC_FLASH: break the loop for @break_ms,
 *	or any on-hook interval; the handset must be off-hook
 * @break_ms: length of the break, 1..10000 ms
 * @padding: reserved, zero
 * @start_ns: out: time the break starts
 * @end_ns: out: time the loop closes again
 */
struct fxs_hs_flash {
	__u32 break_ms;
	__u32 padding[3];
	__aligned_u64 start_ns;
	__aligned_u64 end_ns;
};

/**
 * struct fxs_hs_dial - FXS_HS_IOC_DIAL: dial one digit with a rotary dial;
 *	the handset must be off-hook
 * @digit: 0..9 (ten breaks for 0)
 * @break_ms: length of each break, 1..1000 ms
 * @make_ms: length of each make between breaks, 1..1000 ms
 * @bounce_count: contact bounces at every edge (0..8)
 * @bounce_us: bounce half-period, 100..10000 us
 * @padding: reserved, zero
 * @start_ns: out: time the first break starts
 * @end_ns: out: time the last break ends
 */
struct fxs_hs_dial {
	__u32 digit;
	__u32 break_ms;
	__u32 make_ms;
	__u32 bounce_count;
	__u32 bounce_us;
	__u32 padding[3];
	__aligned_u64 start_ns;
	__aligned_u64 end_ns;
};

/**
 * enum fxs_hs_obs_type - what the handset saw on the line
 * @FXS_HS_OBS_RING_ON: ring voltage switched on; value: its frequency in
 *	mHz where the board models it (the simulated Si3215: what its ring
 *	oscillator is programmed for), else 0 (the loopback board)
 * @FXS_HS_OBS_RING_OFF: ring voltage switched off
 * @FXS_HS_OBS_LINEFEED: line feed changed; value is the enum fxs_linefeed
 * @FXS_HS_OBS_POLARITY: polarity changed; value 1 for reversed
 */
enum fxs_hs_obs_type {
	FXS_HS_OBS_RING_ON = 1,
	FXS_HS_OBS_RING_OFF = 2,
	FXS_HS_OBS_LINEFEED = 3,
	FXS_HS_OBS_POLARITY = 4,
};

/**
 * struct fxs_hs_obs - one timestamped line observation
 * @timestamp_ns: CLOCK_MONOTONIC time in ns
 * @type: one of &enum fxs_hs_obs_type
 * @value: see &enum fxs_hs_obs_type
 */
struct fxs_hs_obs {
	__aligned_u64 timestamp_ns;
	__u32 type;
	__u32 value;
};

/**
 * struct fxs_hs_obs_batch - FXS_HS_IOC_GET_OBS: take the oldest
 *	observations out of the handset's queue (256 deep); never blocks
 * @count: out: number of entries filled in @obs
 * @lost: out: observations dropped because the queue was full
 * @obs: out: the observations, oldest first
 */
struct fxs_hs_obs_batch {
	__u32 count;
	__u32 lost;
	struct fxs_hs_obs obs[FXS_HS_OBS_BATCH];
};

/**
 * struct fxs_hs_echo - FXS_HS_IOC_SET_ECHO / FXS_HS_IOC_GET_ECHO: the
 *	hybrid echo model, earpiece signal added back into the mouthpiece
 * @enable: 1 to add echo (default), 0 for none
 * @delay_us: bulk delay, 0..64000 us (default 5000)
 * @erl_cdb: echo return loss in hundredths of a dB, 0..6000 (default 900)
 * @ntaps: length of @taps used, 0..FXS_HS_MAX_TAPS; 0 keeps the default
 *	dispersive response of about 2 ms
 * @taps: impulse response in Q15 after the bulk delay; it is scaled so
 *	that its energy is one before the ERL is applied
 * @padding: reserved, zero
 */
struct fxs_hs_echo {
	__u32 enable;
	__u32 delay_us;
	__u32 erl_cdb;
	__u32 ntaps;
	__s16 taps[FXS_HS_MAX_TAPS];
	__u32 padding[4];
};

/**
 * struct fxs_hs_state - FXS_HS_IOC_GET_STATE
 * @offhook: 1 when the handset is off its cradle
 * @ringing: 1 while ring voltage is on
 * @linefeed: the current enum fxs_linefeed
 * @pcm_running: 1 while the port's audio stream runs
 * @ear_dropped: earpiece samples dropped because nobody read them
 * @late_ns: the most a hook edge of an action (hook, flash, dial) was made
 *	after its planned time since the last FXS_HS_IOC_FLUSH: the edge is
 *	still stamped with the planned time, but a board that reads its
 *	status later (the simulated Si3215) may see two edges as one; a test
 *	whose stimulus came late may run again
 * @padding: reserved, zero
 */
struct fxs_hs_state {
	__u32 offhook;
	__u32 ringing;
	__u32 linefeed;
	__u32 pcm_running;
	__aligned_u64 ear_dropped;
	__aligned_u64 late_ns;
	__u32 padding[2];
};

/**
 * struct fxs_hs_edge - FXS_HS_IOC_EDGE: move the hook switch at once and
 *	have the board report the edge stamped @ago_ns before now, the way a
 *	board that reports late (or from two contexts, out of order) does
 * @offhook: 1 to close the loop (lift), 0 to open it
 * @padding: reserved, zero
 * @ago_ns: how long before now the edge is stamped, 0..10 s
 * @ts_ns: out: the timestamp given to the core
 * @reserved: reserved, zero
 *
 * Waits for a running hook action first, like the other actions.
 */
struct fxs_hs_edge {
	__u32 offhook;
	__u32 padding;
	__aligned_u64 ago_ns;
	__aligned_u64 ts_ns;
	__u32 reserved[4];
};

/*
 * ioctl code 0xF7, numbers 0x00-0x1f; the line it needs in
 * Documentation/userspace-api/ioctl/ioctl-number.rst:
 * 0xF7  00-1F  uapi/linux/fxs_loop.h  fxs_loop test board handset, /dev/fxs_hsN
 */
#define FXS_HS_IOC_MAGIC	0xF7

#define FXS_HS_IOC_HOOK		_IOWR(FXS_HS_IOC_MAGIC, 0x00, struct fxs_hs_hook)
#define FXS_HS_IOC_FLASH	_IOWR(FXS_HS_IOC_MAGIC, 0x01, struct fxs_hs_flash)
#define FXS_HS_IOC_DIAL		_IOWR(FXS_HS_IOC_MAGIC, 0x02, struct fxs_hs_dial)
/* Block until the running hook action has finished. */
#define FXS_HS_IOC_WAIT		_IO(FXS_HS_IOC_MAGIC, 0x03)
#define FXS_HS_IOC_GET_OBS	_IOR(FXS_HS_IOC_MAGIC, 0x04, struct fxs_hs_obs_batch)
#define FXS_HS_IOC_SET_ECHO	_IOW(FXS_HS_IOC_MAGIC, 0x05, struct fxs_hs_echo)
#define FXS_HS_IOC_GET_ECHO	_IOR(FXS_HS_IOC_MAGIC, 0x06, struct fxs_hs_echo)
#define FXS_HS_IOC_GET_STATE	_IOR(FXS_HS_IOC_MAGIC, 0x07, struct fxs_hs_state)
/* Drop queued mouthpiece and earpiece audio and all observations. */
#define FXS_HS_IOC_FLUSH	_IO(FXS_HS_IOC_MAGIC, 0x08)
/* A raw edge stamped in the past (see struct fxs_hs_edge). */
#define FXS_HS_IOC_EDGE		_IOWR(FXS_HS_IOC_MAGIC, 0x10, struct fxs_hs_edge)

#endif /* _UAPI_LINUX_FXS_LOOP_H */
