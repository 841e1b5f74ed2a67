# fxs - the one entry point: make, make check, make clean
#
# KDIR is the kernel build tree the modules are built against: the running
# kernel's, else the newest installed Debian linux-headers-*-amd64.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(patsubst %/Makefile,%,$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64/Makefile)))))
export KDIR

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
UAPI := -Iinclude/uapi

TEST_BINS := tests/kernel/fxs_test tests/demo/fxs-demo tests/daemon/unit_test \
	tests/daemon/handset tests/daemon/fxsd-asan

# fxsd, the SIP user agent daemon
FXSD_SRCS := daemon/main.c daemon/line.c daemon/log.c daemon/sip.c daemon/sdp.c \
	daemon/digest.c daemon/digitmap.c daemon/config.c daemon/fsm.c \
	daemon/rtp.c daemon/g711.c daemon/tone.c daemon/bus.c daemon/jitter.c \
	daemon/emodel.c daemon/echo.c daemon/dtmf.c daemon/callerid.c
FXSD_PKGS := libosip2 libsystemd libudev
FXSD_CFLAGS = -Idaemon $(UAPI) $(shell pkg-config --cflags $(FXSD_PKGS))
FXSD_LIBS = $(shell pkg-config --libs $(FXSD_PKGS)) -lcrypto -lspeexdsp -lm

# The daemon's modules unit-tested on the host under ASan/UBSan (rtp.c with
# real sockets on 127.0.0.1).
DAEMON_PURE := daemon/config.c daemon/digitmap.c daemon/digest.c daemon/fsm.c daemon/sdp.c \
	daemon/g711.c daemon/tone.c daemon/rtp.c daemon/echo.c daemon/callerid.c \
	daemon/dtmf.c daemon/rfc4733.c daemon/jitter.c daemon/emodel.c
UNIT_SRCS := tests/daemon/unit_main.c tests/daemon/test_config.c \
	tests/daemon/test_digitmap.c tests/daemon/test_digest.c tests/daemon/test_fsm.c \
	tests/daemon/test_sdp.c tests/daemon/test_g711.c tests/daemon/test_tone.c \
	tests/daemon/test_rtp.c tests/daemon/test_echo.c tests/daemon/test_callerid.c \
	tests/daemon/test_dtmf.c tests/daemon/test_rfc4733.c tests/daemon/test_jitter.c \
	tests/daemon/test_emodel.c

.PHONY: all modules user check demo bench clean checkpatch sparse

all: modules user daemon/fxsd daemon/fxsctl

modules:
	@test -n "$(KDIR)" || { echo "No kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: $(TEST_BINS)

tests/kernel/fxs_test: tests/kernel/*.c tests/kernel/*.h include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ tests/kernel/*.c -lm -lpthread

tests/demo/fxs-demo: tests/demo/fxs-demo.c include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ $< -lm

tests/daemon/unit_test: $(UNIT_SRCS) $(DAEMON_PURE) $(wildcard daemon/*.h) tests/daemon/unit.h
	$(CC) $(CFLAGS) $(WARN) $(SAN) -Idaemon $(shell pkg-config --cflags libsystemd) \
		-o $@ $(UNIT_SRCS) $(DAEMON_PURE) -lcrypto $(shell pkg-config --libs libsystemd) \
		-lspeexdsp -lm

daemon/fxsd: $(FXSD_SRCS) $(wildcard daemon/*.h) include/uapi/linux/fxs.h
	$(CC) $(CFLAGS) $(WARN) $(FXSD_CFLAGS) -o $@ $(FXSD_SRCS) $(FXSD_LIBS)

daemon/fxsctl: daemon/fxsctl.c daemon/bus.h
	$(CC) $(CFLAGS) $(WARN) $(FXSD_CFLAGS) -o $@ daemon/fxsctl.c $(shell pkg-config --libs libsystemd)

# The same daemon under AddressSanitizer and UBSan, for the call tests.
tests/daemon/fxsd-asan: $(FXSD_SRCS) $(wildcard daemon/*.h) include/uapi/linux/fxs.h
	$(CC) $(CFLAGS) $(WARN) $(SAN) $(FXSD_CFLAGS) -o $@ $(FXSD_SRCS) $(FXSD_LIBS)

tests/daemon/handset: tests/daemon/handset.c include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ $< -lm

bench/echo_bench: bench/echo_bench.c bench/echo_sim.h daemon/echo.c daemon/echo.h
	$(CC) $(CFLAGS) $(WARN) -Idaemon -Ibench -o $@ bench/echo_bench.c daemon/echo.c -lspeexdsp -lm

bench/jitter_bench: bench/jitter_bench.c daemon/jitter.c daemon/jitter.h
	$(CC) $(CFLAGS) $(WARN) -Idaemon -o $@ bench/jitter_bench.c daemon/jitter.c -lspeexdsp -lm

# Benchmarks; results are written down in bench/RESULTS.md.
bench: bench/echo_bench bench/jitter_bench
	bench/echo_bench
	bench/jitter_bench

# The main job: real calls end to end on the loopback board, in a VM.
demo: all
	tests/vm/run -- tests/demo/demo.sh

check: all
	tests/check

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" modules

checkpatch:
	tests/checkpatch

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	rm -f $(TEST_BINS)
	rm -rf build
