// SPDX-License-Identifier: GPL-2.0
/*
 * si3215_regs - the simulated Si3215 (fxs_si3215_sim) checked at register
 * level from userspace, through spidev bound to its chip select:
 *
 *   si3215_regs /dev/spidevB.C /sys/devices/platform/fxs_si3215_sim
 *
 * Reset values and part ID, the indirect-register handshake, what strict
 * mode refuses (each forbidden access counted once in "violations"), the
 * calibration that ends only when started in the datasheet's order, loop
 * closure with its interrupt status, each injected fault.  TAP output;
 * exit 0 when every case passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/spi/spidev.h>

static int spi = -1;
static const char *simdir;
static int ncase, nfail;
static int case_failed;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	case_failed = 1;
}

#define CHECK(cond, ...) do { if (!(cond)) fail(__VA_ARGS__); } while (0)

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* one access under one chip select: control byte, data byte */
static int xfer(uint8_t ctl, uint8_t out, uint8_t *in)
{
	uint8_t tx[2] = { ctl, out }, rx[2] = { 0, 0 };
	struct spi_ioc_transfer t = {
		.tx_buf = (uintptr_t)tx,
		.rx_buf = (uintptr_t)rx,
		.len = 2,
		.speed_hz = 4000000,
		.bits_per_word = 8,
	};

	if (ioctl(spi, SPI_IOC_MESSAGE(1), &t) < 0)
		return -errno;
	if (in)
		*in = rx[1];
	return 0;
}

static int rd(uint8_t reg)
{
	uint8_t v = 0;
	int ret = xfer(0x80 | reg, 0, &v);

	if (ret) {
		fail("read of register %u: %s", reg, strerror(-ret));
		return -1;
	}
	return v;
}

static void wr(uint8_t reg, uint8_t val)
{
	int ret = xfer(reg & 0x7f, val, NULL);

	if (ret)
		fail("write of register %u: %s", reg, strerror(-ret));
}

static long sim_attr(const char *name)
{
	char path[512], buf[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", simdir, name);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		fail("%s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	return strtol(buf, NULL, 0);
}

static void sim_set(const char *name, const char *val)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", simdir, name);
	f = fopen(path, "w");
	if (!f || fputs(val, f) < 0 || fclose(f)) {
		fail("writing %s to %s: %s", val, path, strerror(errno));
		return;
	}
}

/* poll IAS until the indirect access is done */
static void ias_wait(void)
{
	int i;

	for (i = 0; i < 10; i++)
		if (rd(31) == 0)
			return;
	fail("IAS still busy after 10 reads");
}

static void iwr(uint8_t addr, uint16_t v)
{
	ias_wait();
	wr(28, v & 0xff);
	wr(29, v >> 8);
	wr(30, addr);
}

static int ird(uint8_t addr)
{
	ias_wait();
	wr(30, addr);
	ias_wait();
	return rd(28) | rd(29) << 8;
}

/* wait up to @ms for register @reg to satisfy (value & mask) == want */
static int wait_reg(uint8_t reg, uint8_t mask, uint8_t want, int ms)
{
	int64_t end = now_ms() + ms;
	int v;

	do {
		v = rd(reg);
		if (v >= 0 && (v & mask) == want)
			return v;
		usleep(2000);
	} while (now_ms() < end);
	return -1;
}

static void c_reset_values(void)
{
	CHECK(rd(0) == 0x85, "ID reads 0x%02x, expected 0x85 (Si3215 rev E)", rd(0));
	CHECK(rd(1) == 0x88, "PCM mode resets to 0x%02x, expected 0x88", rd(1));
	CHECK(rd(8) == 0x02, "loopback resets to 0x%02x, expected 0x02", rd(8));
	CHECK(rd(11) == 0x33, "hybrid resets to 0x%02x, expected 0x33", rd(11));
	CHECK(rd(14) == 0x10, "power-down resets to 0x%02x, expected 0x10", rd(14));
	CHECK(rd(64) == 0x00, "line feed resets to 0x%02x, expected 0 (open)", rd(64));
	CHECK(rd(82) == 0x00, "VBAT reads 0x%02x with the converter down", rd(82));
	CHECK(sim_attr("violations") == 0, "violations: %ld", sim_attr("violations"));
}

static void c_indirect_roundtrip(void)
{
	iwr(28, 0x1234);
	iwr(29, 0xbeef);
	CHECK(ird(28) == 0x1234, "IR28 reads 0x%04x, expected 0x1234", ird(28));
	CHECK(ird(29) == 0xbeef, "IR29 reads 0x%04x, expected 0xbeef", ird(29));
	CHECK(sim_attr("violations") == 0, "violations: %ld", sim_attr("violations"));
}

/* each forbidden access is refused and counted once */
static void c_strict(void)
{
	long v0 = sim_attr("violations");

	wr(0, 0x00);
	CHECK(rd(0) == 0x85, "a write to the read-only ID register went through");
	CHECK(sim_attr("violations") == v0 + 1, "write to RO: %ld violations, expected %ld",
	      sim_attr("violations"), v0 + 1);
	rd(7);
	CHECK(sim_attr("violations") == v0 + 2, "reserved read: %ld violations, expected %ld",
	      sim_attr("violations"), v0 + 2);
	ias_wait();
	wr(30, 28);		/* a read of IR28 ... */
	wr(30, 29);		/* ... and another IAA before IAS was polled */
	CHECK(sim_attr("violations") == v0 + 3, "IAA while busy: %ld violations, expected %ld",
	      sim_attr("violations"), v0 + 3);
	rd(28);			/* IDA before IAS was polled */
	CHECK(sim_attr("violations") == v0 + 4, "IDA while busy: %ld violations, expected %ld",
	      sim_attr("violations"), v0 + 4);
	ias_wait();
	wr(64, 4);		/* ringing, not calibrated */
	CHECK((rd(64) & 7) == 0, "ringing accepted before calibration");
	CHECK(sim_attr("violations") == v0 + 5, "early ringing: %ld violations, expected %ld",
	      sim_attr("violations"), v0 + 5);
}

/* the calibration started before the converter is up never ends */
static void c_cal_out_of_order(void)
{
	long v0 = sim_attr("violations");

	wr(97, 0x1f);
	wr(96, 0x5f);
	CHECK(sim_attr("violations") == v0 + 1, "early calibration: %ld violations, expected %ld",
	      sim_attr("violations"), v0 + 1);
	CHECK(wait_reg(96, 0xff, 0, 200) < 0, "a calibration started out of order ended");
}

static void power_up(void)
{
	wr(92, 0xc0);
	wr(93, 0x19);
	wr(14, 0x00);
}

/* converter, interrupts masked, line open: the calibration ends */
static void c_cal_in_order(void)
{
	long v0 = sim_attr("violations");
	int v;

	power_up();
	v = wait_reg(82, 0xff, 0xc7, 500);
	CHECK(v >= 0, "VBAT never reached 0xc7 (75 V), reads 0x%02x", rd(82));
	wr(21, 0);
	wr(22, 0);
	wr(23, 0);
	wr(64, 0);
	wr(97, 0x1f);
	wr(96, 0x5f);
	CHECK(wait_reg(96, 0xff, 0, 500) >= 0, "calibration did not end within 500 ms");
	CHECK(sim_attr("violations") == v0, "violations: %ld, expected %ld",
	      sim_attr("violations"), v0);
}

/* loop closure: status, interrupt status bit, write 1 to clear */
static void c_loop_closure(void)
{
	wr(22, 0x03);
	wr(64, 1);		/* forward active */
	CHECK(rd(64) == 0x11, "line feed reads 0x%02x, expected 0x11", rd(64));
	sim_set("offhook", "1");
	CHECK((rd(68) & 3) == 1, "hook status 0x%02x, expected loop closed", rd(68));
	CHECK(rd(19) & 2, "no loop closure interrupt status");
	wr(19, 2);
	CHECK(!(rd(19) & 2), "loop closure status not cleared by writing 1");
	sim_set("offhook", "0");
	CHECK((rd(68) & 3) == 0, "hook status 0x%02x after hanging up", rd(68));
	CHECK(rd(19) & 2, "no loop closure interrupt at the hang-up");
	wr(19, 0xff);
	wr(64, 4);		/* ringing, calibrated now */
	CHECK(rd(64) == 0x44, "line feed reads 0x%02x, expected 0x44 (ringing)", rd(64));
	sim_set("offhook", "1");
	CHECK((rd(68) & 3) == 2, "hook status 0x%02x, expected ring trip", rd(68));
	CHECK(rd(19) & 1, "no ring trip interrupt status");
	sim_set("offhook", "0");
	wr(64, 0);
	wr(19, 0xff);
	wr(22, 0);
}

static void c_faults(void)
{
	uint8_t v;

	sim_set("fault", "absent");
	CHECK(rd(0) == 0xff, "absent chip: ID reads 0x%02x, expected 0xff", rd(0));
	sim_set("fault", "wrong-id");
	CHECK(rd(0) == 0x05, "wrong ID: reads 0x%02x, expected 0x05", rd(0));
	sim_set("fault", "eio");
	CHECK(xfer(0x80, 0, &v) == -EIO, "eio: the transfer did not fail with EIO");
	sim_set("fault", "no-cal");
	wr(21, 0);
	wr(22, 0);
	wr(23, 0);
	wr(64, 0);
	wr(96, 0x5f);
	CHECK(wait_reg(96, 0xff, 0, 200) < 0, "no-cal: the calibration ended");
	sim_set("fault", "none");
	CHECK(rd(0) == 0x85, "after the faults: ID reads 0x%02x", rd(0));
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "sim_reset_values", c_reset_values },
	{ "sim_indirect_roundtrip", c_indirect_roundtrip },
	{ "sim_strict", c_strict },
	{ "sim_cal_out_of_order", c_cal_out_of_order },
	{ "sim_cal_in_order", c_cal_in_order },
	{ "sim_loop_closure", c_loop_closure },
	{ "sim_faults", c_faults },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: si3215_regs /dev/spidevB.C SIM_SYSFS_DIR\n");
		return 2;
	}
	simdir = argv[2];
	spi = open(argv[1], O_RDWR | O_CLOEXEC);
	if (spi < 0) {
		fprintf(stderr, "si3215_regs: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		case_failed = 0;
		cases[i].fn();
		ncase++;
		if (case_failed)
			nfail++;
		printf("%s %zu %s\n", case_failed ? "not ok" : "ok", i + 1,
		       cases[i].name);
	}
	close(spi);
	printf("%d passed, %d failed\n", ncase - nfail, nfail);
	return nfail ? 1 : 0;
}
