/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * fxs.h - userspace ABI of the FXS (analog phone port) core
 *
 * Every FXS port of every board appears as /dev/fxsN (class "fxs").
 *
 * The control descriptor (open("/dev/fxsN")):
 *   - read() returns whole struct fxs_event records, oldest first; a buffer
 *     smaller than one record is rejected with -EINVAL; with O_NONBLOCK an
 *     empty queue gives -EAGAIN; poll() reports EPOLLIN when events wait.
 *   - the ioctls below control the line (feed, ring, hook timing) and open
 *     the audio stream.
 *
 * Audio has a descriptor of its own, returned by FXS_IOC_PCM_OPEN, not the
 * control descriptor.  Reason: the event queue and the sample stream have
 * different record sizes, rates and blocking rules; keeping them apart lets
 * a daemon poll both in one loop without a multiplexed framing format, lets
 * a media thread own the audio descriptor, and keeps one device node (one
 * udev rule, one permission) per port.  The audio descriptor carries
 * signed 16-bit native-endian linear samples at 8000 samples/s:
 *   - read() returns only whole frames (period_ms * 8 samples each) of
 *     audio from the line (the phone's mouthpiece); it blocks until one
 *     frame is ready (-EAGAIN with O_NONBLOCK); a buffer smaller than one
 *     frame is rejected with -EINVAL.  If nobody reads, new frames are
 *     dropped and counted as overruns.
 *   - write() queues audio for the line (the phone's earpiece); the length
 *     must be a multiple of 2 bytes; it blocks while the queue is full
 *     (-EAGAIN with O_NONBLOCK) and may be short.  When the queue runs dry
 *     the line plays silence and, once the stream has been written to at
 *     least once, an underrun is counted (a stream nobody wrote to yet
 *     plays silence without an underrun).
 *   - with FXS_PCM_MODE_REFERENCE, read() returns with each captured frame
 *     what the line sent to the phone over the same instants, the echo
 *     canceller's exact reference (see there).
 *   - the board's clock paces both directions; the stream runs from
 *     FXS_IOC_PCM_OPEN until the audio descriptor is closed.
 *
 * Ownership: a port has one owner at a time.  While any descriptor of the
 * port (control or audio) is open, a further open() fails with -EBUSY.
 * When the owner's last descriptor is closed, whatever the reason
 * (including SIGKILL), the ring stops, the stream stops and the line feed
 * returns to FXS_LINEFEED_FORWARD.
 *
 * When the owner's last descriptor is closed the hook timing also returns
 * to its defaults (see struct fxs_hook_timing): each owner sets its own.
 *
 * Read-only descriptors: a control descriptor opened O_RDONLY may read
 * events, poll and use the queries (FXS_IOC_GET_INFO, FXS_IOC_GET_HOOK,
 * FXS_IOC_GET_LINEFEED, FXS_IOC_GET_TIMING, FXS_IOC_GET_COUNTERS); every
 * other ioctl of this header (the ones that change the line, the ring, the
 * timing or open the audio stream) fails with -EBADF, as write() does on
 * such a descriptor, and changes nothing.  A read-only descriptor still
 * makes its opener the port's owner.
 *
 * Removal: when the board goes away while descriptors are open, queued
 * events (ending with FXS_EVENT_PORT_REMOVED) can still be read; after that
 * every read, write and ioctl fails with -ENODEV and poll() reports
 * EPOLLHUP | EPOLLERR.  PORT_REMOVED cannot be lost: the queue keeps room
 * for it, and for an FXS_EVENT_OVERFLOW before it when events were lost;
 * nothing is queued after it.
 *
 * Timestamps are CLOCK_MONOTONIC nanoseconds.  Hook and ring-trip events
 * carry the time of the edge the board saw, not of its report; an edge a
 * board reports stamped before one it reported already counts as
 * simultaneous with that one.
 */
#ifndef _UAPI_LINUX_FXS_H
#define _UAPI_LINUX_FXS_H

#include <linux/ioctl.h>
#include <linux/types.h>

/** FXS_NAME_SIZE - size of the name fields, including the NUL */
#define FXS_NAME_SIZE		32
/** FXS_RING_MAX_PAIRS - number of on/off pairs a ring cadence may hold */
#define FXS_RING_MAX_PAIRS	8

/**
 * enum fxs_event_type - what a struct fxs_event reports
 * @FXS_EVENT_OFFHOOK: the handset was lifted; @timestamp_ns is the edge
 *	that began the stable off-hook period (reported after the debounce).
 * @FXS_EVENT_ONHOOK: the handset was hung up; @timestamp_ns is the start
 *	of the break (reported once the break exceeds the flash window).
 * @FXS_EVENT_FLASH: a hook flash; @timestamp_ns is the start of the break,
 *	@value the break length in ms.
 * @FXS_EVENT_DIGIT: a pulse-dialled digit; @value is the digit 0..9
 *	(ten pulses give 0); @timestamp_ns is the start of its first break.
 * @FXS_EVENT_RING_ON: the ring voltage was switched on (a burst began).
 * @FXS_EVENT_RING_OFF: the ring voltage was switched off, or the cadence
 *	ended; @value is 0 at the end of a burst of a cadence that goes on;
 *	1 when the cadence ended in a ring-trip (the phone went off-hook
 *	while it ran, in a burst or in a silent part; @timestamp_ns is then
 *	the edge the board reported); 2 when it was stopped (FXS_IOC_RING_STOP,
 *	a new FXS_IOC_RING_START, the owner's close, the removal).  Every
 *	cadence ends with exactly one RING_OFF of value 1 or 2, also when the
 *	voltage was already off (after a RING_OFF of value 0).
 * @FXS_EVENT_OVERFLOW: the event queue was full; @value events were lost
 *	before this one (their sequence numbers are missing too).
 * @FXS_EVENT_PCM_UNDERRUN: the line ran out of audio to play and played
 *	silence; reported once per run of underruns, @value is the total count.
 *	Not before the stream's first write: the silence a stream starts
 *	with is no underrun.
 * @FXS_EVENT_PCM_OVERRUN: audio from the line was dropped because nobody
 *	read it; reported once per run of overruns, @value is the total count.
 * @FXS_EVENT_PORT_REMOVED: the board removed the port; the last event,
 *	never lost (see Removal above).
 * @FXS_EVENT_POWER_ALARM: the board shut the line down to protect itself
 *	(a power alarm: a transistor too hot, a thermal shutdown): the line
 *	is open (FXS_IOC_GET_LINEFEED says FXS_LINEFEED_OPEN), a ring that
 *	ran ended (RING_OFF value 2, before this event); it stays open until
 *	the owner sets a line feed again.  @value: the board's cause bits
 *	(Si3215: its power alarm interrupt bits, 0x04 Q1 ... 0x80 Q6).
 *	Older kernels never report it; programs that predate it ignore it.
 *
 * Types are stable numbers; new ones are only ever added.
 */
enum fxs_event_type {
	FXS_EVENT_OFFHOOK = 1,
	FXS_EVENT_ONHOOK = 2,
	FXS_EVENT_FLASH = 3,
	FXS_EVENT_DIGIT = 4,
	FXS_EVENT_RING_ON = 5,
	FXS_EVENT_RING_OFF = 6,
	FXS_EVENT_OVERFLOW = 7,
	FXS_EVENT_PCM_UNDERRUN = 8,
	FXS_EVENT_PCM_OVERRUN = 9,
	FXS_EVENT_PORT_REMOVED = 10,
	FXS_EVENT_POWER_ALARM = 11,
};

/**
 * struct fxs_event - one event read from the control descriptor
 * @timestamp_ns: CLOCK_MONOTONIC time of what the event reports, in ns
 * @seq: sequence number; it grows by one for every event the port
 *	produced, lost ones included, so a gap shows a loss
 * @type: one of &enum fxs_event_type
 * @value: event-specific value, see &enum fxs_event_type
 * @padding: reserved, zero
 */
struct fxs_event {
	__aligned_u64 timestamp_ns;
	__u32 seq;
	__u32 type;
	__u32 value;
	__u32 padding[3];
};

/** FXS_CAP_PULSE - the port reports pulse-dialled digits */
#define FXS_CAP_PULSE		(1U << 0)
/** FXS_CAP_RING - the port has a ring generator */
#define FXS_CAP_RING		(1U << 1)
/** FXS_CAP_REVERSE - the port can reverse the line polarity */
#define FXS_CAP_REVERSE		(1U << 2)
/** FXS_CAP_OHT - the port supports on-hook transmission */
#define FXS_CAP_OHT		(1U << 3)
/** FXS_CAP_PCM - the port carries 8 kHz linear audio */
#define FXS_CAP_PCM		(1U << 4)

/**
 * struct fxs_port_info - FXS_IOC_GET_INFO
 * @board: NUL-terminated name of the board driver
 * @index: N of /dev/fxsN
 * @caps: FXS_CAP_* flags
 * @rate: sample rate in Hz (8000)
 * @periods: bit n set when a frame period of n ms is supported
 * @padding: reserved, zero
 */
struct fxs_port_info {
	char board[FXS_NAME_SIZE];
	__u32 index;
	__u32 caps;
	__u32 rate;
	__u32 periods;
	__u32 padding[8];
};

/**
 * enum fxs_linefeed - the state the SLIC drives the line in
 * @FXS_LINEFEED_OPEN: open loop, no battery (power denial / disconnect
 *	supervision); the hook state cannot be sensed
 * @FXS_LINEFEED_FORWARD: idle / forward active, normal polarity
 * @FXS_LINEFEED_REVERSE: reverse polarity (battery reversal)
 * @FXS_LINEFEED_OHT: on-hook transmission, forward polarity: audio reaches
 *	the phone while it is on-hook (caller ID)
 * @FXS_LINEFEED_OHT_REVERSE: on-hook transmission, reverse polarity
 */
enum fxs_linefeed {
	FXS_LINEFEED_OPEN = 0,
	FXS_LINEFEED_FORWARD = 1,
	FXS_LINEFEED_REVERSE = 2,
	FXS_LINEFEED_OHT = 3,
	FXS_LINEFEED_OHT_REVERSE = 4,
};

/**
 * struct fxs_linefeed_req - FXS_IOC_SET_LINEFEED / FXS_IOC_GET_LINEFEED
 * @mode: one of &enum fxs_linefeed
 * @padding: reserved, zero
 */
struct fxs_linefeed_req {
	__u32 mode;
	__u32 padding[3];
};

/**
 * struct fxs_hook_state - FXS_IOC_GET_HOOK
 * @offhook: 1 when the debounced hook state is off-hook
 * @ringing: 1 while a ring cadence is running
 * @since_ns: CLOCK_MONOTONIC time of the edge that began that hook state,
 *	0 if none was seen
 * @padding: reserved, zero
 */
struct fxs_hook_state {
	__u32 offhook;
	__u32 ringing;
	__aligned_u64 since_ns;
	__u32 padding[4];
};

/**
 * struct fxs_ring_cadence - FXS_IOC_RING_START
 * @pairs: number of on/off pairs used in @on_off_ms, 1..FXS_RING_MAX_PAIRS
 * @flags: reserved, zero
 * @on_off_ms: on time, off time, on time, ... in ms; each on time is
 *	10..10000, each off time 0..10000; the sequence repeats until
 *	FXS_IOC_RING_STOP, a ring-trip or the owner's last close
 * @padding: reserved, zero
 *
 * Invalid values give -EINVAL; ringing a port that is off-hook gives
 * -EBUSY.  Starting a new cadence replaces the running one.
 */
struct fxs_ring_cadence {
	__u32 pairs;
	__u32 flags;
	__u32 on_off_ms[2 * FXS_RING_MAX_PAIRS];
	__u32 padding[4];
};

/**
 * struct fxs_hook_timing - FXS_IOC_GET_TIMING / FXS_IOC_SET_TIMING, in ms
 * @debounce_ms: off-hook must be stable this long to count (default 40)
 * @pulse_break_min_ms: shortest pulse break; shorter breaks are contact
 *	bounce and ignored (default 30)
 * @pulse_break_max_ms: longest pulse break (default 80)
 * @pulse_make_min_ms: shortest make between pulses (default 30)
 * @pulse_make_max_ms: longest make between pulses of one digit; a longer
 *	make ends the digit (default 80)
 * @interdigit_ms: a digit is reported when no pulse follows for this long
 *	(default 300)
 * @flash_min_ms: shortest flash break; must exceed @pulse_break_max_ms
 *	(default 100)
 * @flash_max_ms: longest flash break; a longer break is a hang-up
 *	(default 1000)
 * @padding: reserved, zero
 *
 * Breaks between @pulse_break_max_ms and @flash_min_ms are ignored.  Every
 * value is 1..10000 and the orderings above must hold, else -EINVAL.  The
 * timing returns to the defaults when the owner's last descriptor closes.
 */
struct fxs_hook_timing {
	__u32 debounce_ms;
	__u32 pulse_break_min_ms;
	__u32 pulse_break_max_ms;
	__u32 pulse_make_min_ms;
	__u32 pulse_make_max_ms;
	__u32 interdigit_ms;
	__u32 flash_min_ms;
	__u32 flash_max_ms;
	__u32 padding[8];
};

/**
 * struct fxs_pcm_open - FXS_IOC_PCM_OPEN
 * @period_ms: frame period, 10 or 20
 * @flags: O_NONBLOCK and/or O_CLOEXEC for the new descriptor, nothing else
 * @fd: out: the audio descriptor
 * @mode: FXS_PCM_MODE_* flags, 0 for the plain stream
 * @padding: reserved, zero
 *
 * Starts the stream; it stops when the returned descriptor is closed.  Only
 * one stream per port at a time (-EBUSY).  A kernel older than @mode
 * rejects a non-zero @mode with -EINVAL (it was reserved then), so a
 * program can ask for FXS_PCM_MODE_REFERENCE and fall back on -EINVAL.
 */
struct fxs_pcm_open {
	__u32 period_ms;
	__u32 flags;
	__s32 fd;
	__u32 mode;
	__u32 padding[4];
};

/**
 * FXS_PCM_MODE_REFERENCE - read() returns each captured frame with the
 *	echo canceller's reference
 *
 * With this mode a read returns whole records of 2 * period_ms * 8
 * samples: first the frame captured from the line (as without the mode),
 * then the frame that was on the transmit side of the line (to the
 * phone's earpiece) at the same sample instants, by the board's clock:
 * sample i of the second half was being sent while sample i of the first
 * half was being received.  Where the play queue ran dry, the second half
 * holds the silence that was sent.  A line echo therefore appears in the
 * first half at the hybrid's own delay behind the second half, whatever
 * the depth of the play queue and whenever the reader wakes up.  A buffer
 * smaller than one record is rejected with -EINVAL; poll() reports EPOLLIN
 * when one record is ready; the capture queue holds as many records as
 * the plain stream holds frames; FXS_IOC_PCM_DELAY's @capture still
 * counts captured samples (one per record sample pair).  write() is
 * unchanged.
 */
#define FXS_PCM_MODE_REFERENCE	(1U << 0)

/**
 * struct fxs_pcm_delay - FXS_IOC_PCM_DELAY, on the audio descriptor: what
 *	its queues hold now, in samples
 * @play: written and not yet played (the earpiece side's delay)
 * @capture: captured and not yet read
 * @padding: reserved, zero
 *
 * An underrun plays silence in place of audio that comes later, so it
 * adds its length to @play for good; a writer that wants a steady delay
 * (an echo canceller does) drops audio when @play grows.
 */
struct fxs_pcm_delay {
	__u32 play;
	__u32 capture;
	__u32 padding[6];
};

/**
 * struct fxs_counters - FXS_IOC_GET_COUNTERS; totals since the port appeared
 * @events: events produced
 * @events_lost: events lost to a full queue
 * @offhooks: off-hook events
 * @onhooks: on-hook events
 * @flashes: flash events
 * @digits: pulse digits
 * @bounces: breaks ignored as bounce or out of every window
 * @ring_bursts: ring bursts started
 * @ring_trips: ring-trips
 * @pcm_frames: audio frames exchanged with the board
 * @pcm_underruns: frames played with missing audio (after the stream's
 *	first write)
 * @pcm_overruns: frames from the line dropped
 * @reserved: reserved, zero
 */
struct fxs_counters {
	__aligned_u64 events;
	__aligned_u64 events_lost;
	__aligned_u64 offhooks;
	__aligned_u64 onhooks;
	__aligned_u64 flashes;
	__aligned_u64 digits;
	__aligned_u64 bounces;
	__aligned_u64 ring_bursts;
	__aligned_u64 ring_trips;
	__aligned_u64 pcm_frames;
	__aligned_u64 pcm_underruns;
	__aligned_u64 pcm_overruns;
	__aligned_u64 reserved[8];
};

/*
 * ioctl code 0xF5, numbers 0x00-0x1f; the line it needs in
 * Documentation/userspace-api/ioctl/ioctl-number.rst:
 * 0xF5  00-1F  uapi/linux/fxs.h  FXS (analog telephone) ports, /dev/fxsN
 * (see Documentation/userspace-api/ioctl/ioctl-number-fxs.rst in this tree)
 */
#define FXS_IOC_MAGIC		0xF5

/* Port info and capabilities. */
#define FXS_IOC_GET_INFO	_IOR(FXS_IOC_MAGIC, 0x00, struct fxs_port_info)
/* Debounced hook state. */
#define FXS_IOC_GET_HOOK	_IOR(FXS_IOC_MAGIC, 0x01, struct fxs_hook_state)
/* Line feed. */
#define FXS_IOC_SET_LINEFEED	_IOW(FXS_IOC_MAGIC, 0x02, struct fxs_linefeed_req)
#define FXS_IOC_GET_LINEFEED	_IOR(FXS_IOC_MAGIC, 0x03, struct fxs_linefeed_req)
/* Ringing. */
#define FXS_IOC_RING_START	_IOW(FXS_IOC_MAGIC, 0x04, struct fxs_ring_cadence)
#define FXS_IOC_RING_STOP	_IO(FXS_IOC_MAGIC, 0x05)
/* Hook switch timing. */
#define FXS_IOC_GET_TIMING	_IOR(FXS_IOC_MAGIC, 0x06, struct fxs_hook_timing)
#define FXS_IOC_SET_TIMING	_IOW(FXS_IOC_MAGIC, 0x07, struct fxs_hook_timing)
/* Audio stream. */
#define FXS_IOC_PCM_OPEN	_IOWR(FXS_IOC_MAGIC, 0x08, struct fxs_pcm_open)
/* Counters. */
#define FXS_IOC_GET_COUNTERS	_IOR(FXS_IOC_MAGIC, 0x09, struct fxs_counters)
/* Queued audio, on the audio descriptor only. */
#define FXS_IOC_PCM_DELAY	_IOR(FXS_IOC_MAGIC, 0x0a, struct fxs_pcm_delay)
/*
 * Drop the audio written and not played yet, on the audio descriptor only:
 * the line plays silence from its next frame on, until more is written.
 * The capture side is untouched.  A writer that queues a signal ahead (a
 * tone against its own late wake-ups) ends it on time with this.
 */
#define FXS_IOC_PCM_DROP	_IO(FXS_IOC_MAGIC, 0x0b)

#endif /* _UAPI_LINUX_FXS_H */
