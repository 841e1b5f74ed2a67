// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz.c - random ioctls on an open /dev/fxs0; afterwards the port still
 * works and nothing leaked.
 *
 * Commands: 50 % the valid FXS_IOC_* numbers, 25 % random numbers with the
 * 0xF5 magic (random direction, size, number), 25 % random 32-bit values
 * (minus the VFS's own generic ioctls, which act on the file or on the
 * devtmpfs inode rather than on the driver: FIONBIO, FIFREEZE,
 * FS_IOC_SETFLAGS and friends).  Arguments: a 4 KiB buffer of random bytes
 * or of a valid structure with one field scrambled, NULL, small integers,
 * an unmapped page, a kernel address.  Raw syscalls are used so that the
 * sanitizers do not inspect the wild pointers.
 *
 * FXS_FUZZ_SEED and FXS_FUZZ_ITERS override the seed (printed) and the
 * count (100000).
 */
#include "harness.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#define ARG_SIZE	4096
#define CANARY_SIZE	64

static const unsigned long valid_cmds[] = {
	FXS_IOC_GET_INFO, FXS_IOC_GET_HOOK, FXS_IOC_SET_LINEFEED,
	FXS_IOC_GET_LINEFEED, FXS_IOC_RING_START, FXS_IOC_RING_STOP,
	FXS_IOC_GET_TIMING, FXS_IOC_SET_TIMING, FXS_IOC_PCM_OPEN,
	FXS_IOC_GET_COUNTERS,
};

/* ioctl types the VFS handles itself for any file */
static bool vfs_generic(unsigned long cmd)
{
	switch (_IOC_TYPE(cmd)) {
	case 0x00:	/* FIBMAP, FIGETBSZ */
	case 0x12:	/* block layer */
	case 0x15:	/* FS_IOC_GETFSUUID, FS_IOC_GETFSSYSFSPATH */
	case 'T':	/* FIONBIO, FIOASYNC, FIOCLEX, FIONREAD, FIOQSIZE... */
	case 'X':	/* FIFREEZE, FITHAW, FS_IOC_FS[GS]ETXATTR */
	case 'f':	/* FS_IOC_[GS]ETFLAGS, FS_IOC_FIEMAP */
	case 0x94:	/* FICLONE, FICLONERANGE, FIDEDUPERANGE */
		return true;
	}
	return false;
}

static uint32_t rnd(uint32_t *s)
{
	return prng_next(s);
}

/* a plausible structure for cmd, then maybe one word scrambled */
static void fill_struct(unsigned long cmd, unsigned char *buf, uint32_t *s)
{
	size_t size = _IOC_SIZE(cmd), i;

	memset(buf, 0, size);
	if (cmd == FXS_IOC_SET_LINEFEED) {
		struct fxs_linefeed_req r = { .mode = rnd(s) % 6 };

		memcpy(buf, &r, sizeof(r));
	} else if (cmd == FXS_IOC_RING_START) {
		struct fxs_ring_cadence c = { .pairs = 1 + rnd(s) % FXS_RING_MAX_PAIRS };

		for (i = 0; i < 2 * c.pairs; i++)
			c.on_off_ms[i] = i % 2 ? rnd(s) % 200 : 10 + rnd(s) % 200;
		memcpy(buf, &c, sizeof(c));
	} else if (cmd == FXS_IOC_SET_TIMING) {
		struct fxs_hook_timing t = fxs_default_timing;

		memcpy(buf, &t, sizeof(t));
	} else if (cmd == FXS_IOC_PCM_OPEN) {
		static const uint32_t flags[] = {
			0, O_NONBLOCK, O_CLOEXEC, O_NONBLOCK | O_CLOEXEC,
		};
		struct fxs_pcm_open o = {
			.period_ms = rnd(s) % 2 ? 10 : 20,
			.flags = flags[rnd(s) % 4],
		};

		memcpy(buf, &o, sizeof(o));
	}
	if (size >= 4 && rnd(s) % 2) {
		uint32_t v = rnd(s) % 3 ? rnd(s) % 12000 : rnd(s);

		memcpy(buf + 4 * (rnd(s) % (size / 4)), &v, 4);
	}
}

static void fuzz_ioctl(void)
{
	struct port *p = port_setup(0);
	const char *env_seed = getenv("FXS_FUZZ_SEED");
	const char *env_iters = getenv("FXS_FUZZ_ITERS");
	uint32_t seed, s;
	long iters, i, opened = 0, ok = 0;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	unsigned char *buf, *hole, canary[CANARY_SIZE];
	struct fxs_port_info info;
	struct fxs_hook_timing t;
	struct fxs_hs_state st;
	int fds;

	seed = env_seed ? (uint32_t)strtoul(env_seed, NULL, 0) :
			  (uint32_t)time(NULL) ^ (uint32_t)getpid();
	iters = env_iters ? strtol(env_iters, NULL, 0) : 100000;
	tinfo("fuzz seed %u (FXS_FUZZ_SEED=%u reproduces), %ld ioctls", seed,
	      seed, iters);
	s = seed;

	buf = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECKF(buf != MAP_FAILED, "mmap: %s", errname(errno));
	hole = buf + 3 * pg;
	CHECK_OK(munmap(hole, pg));
	for (i = 0; i < CANARY_SIZE; i++)
		canary[i] = (unsigned char)rnd(&s);
	memcpy(buf + ARG_SIZE, canary, CANARY_SIZE);
	fds = count_open_fds();

	for (i = 0; i < iters; i++) {
		uint32_t pick = rnd(&s) % 4, apick = rnd(&s) % 8;
		unsigned long cmd, arg;
		long r;

		if (pick < 2) {
			cmd = valid_cmds[rnd(&s) % ARRAY_SIZE(valid_cmds)];
		} else if (pick == 2) {
			cmd = _IOC(rnd(&s) % 4, 0xF5, rnd(&s) & 0xff,
				   rnd(&s) & _IOC_SIZEMASK);
		} else {
			do {
				cmd = rnd(&s);
			} while (vfs_generic(cmd));
		}

		if (apick < 4) {
			arg = (unsigned long)buf;
			if (apick < 2 && _IOC_SIZE(cmd) <= ARG_SIZE) {
				fill_struct(cmd, buf, &s);
			} else if (i % 64 == 0 || apick == 3) {
				size_t k;

				for (k = 0; k < ARG_SIZE; k += 4) {
					uint32_t v = rnd(&s);

					memcpy(buf + k, &v, 4);
				}
			}
		} else if (apick == 4) {
			arg = 0;
		} else if (apick == 5) {
			arg = rnd(&s) % 4096;
		} else if (apick == 6) {
			arg = (unsigned long)hole + rnd(&s) % pg;
		} else {
			arg = 0xffffffff81000000UL + (rnd(&s) & 0xfff000);
		}

		r = sys_ioctl(p->ctl, cmd, arg);
		if (r >= 0)
			ok++;
		if (r == 0 && cmd == FXS_IOC_PCM_OPEN) {
			struct fxs_pcm_open o;

			CHECKF(arg == (unsigned long)buf,
			       "PCM_OPEN succeeded with argument %#lx", arg);
			memcpy(&o, buf, sizeof(o));
			CHECKF(o.fd >= 0 && close(o.fd) == 0,
			       "PCM_OPEN succeeded but fd %d cannot be closed",
			       o.fd);
			opened++;
		}
		CHECKF(!memcmp(buf + ARG_SIZE, canary, CANARY_SIZE),
		       "ioctl %#lx wrote past the 4 KiB argument (iteration %ld)",
		       cmd, i);
	}
	tinfo("%ld ioctls succeeded, %ld audio streams opened and closed", ok,
	      opened);

	/* the port still works and nothing leaked */
	IOCTL(p->ctl, FXS_IOC_RING_STOP, NULL);
	set_linefeed(p, FXS_LINEFEED_FORWARD);
	set_timing(p, &fxs_default_timing);
	get_timing(p, &t);
	CHECKF(!memcmp(&t, &fxs_default_timing, sizeof(t)),
	       "timing not back to the defaults");
	memset(&info, 0, sizeof(info));
	IOCTL(p->ctl, FXS_IOC_GET_INFO, &info);
	CHECK_EQ(info.index, 0);
	CHECK_EQ(count_open_fds(), fds);
	hs_state(p, &st);
	CHECK_EQ(st.pcm_running, 0);
	CHECK_EQ(st.ringing, 0);
	pcm_close(p, pcm_open(p, 20, O_CLOEXEC));
	/* the classifier still works (an OVERFLOW may come first) */
	drain_events(p, NULL, 0);
	hs_hook(p, 1, 0, 0, NULL);
	wait_event(p, FXS_EVENT_OFFHOOK, 1500, NULL);
	munmap(buf, 3 * pg);
}

static const struct fxs_case cases[] = {
	CASE_T(fuzz_ioctl, 180),
};
DEFINE_SUITE(fuzz_suite, cases);
