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

TEST_BINS := tests/kernel/fxs_test tests/demo/fxs-demo tests/daemon/unit_test

# The daemon's pure modules (no I/O), unit-tested on the host under ASan/UBSan.
DAEMON_PURE := daemon/config.c daemon/digitmap.c daemon/digest.c daemon/fsm.c daemon/sdp.c
UNIT_SRCS := tests/daemon/unit_main.c tests/daemon/test_config.c \
	tests/daemon/test_digitmap.c tests/daemon/test_digest.c tests/daemon/test_fsm.c \
	tests/daemon/test_sdp.c

.PHONY: all modules user check demo clean checkpatch sparse

all: modules user

modules:
	@test -n "$(KDIR)" || { echo "No kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: $(TEST_BINS)

tests/kernel/fxs_test: tests/kernel/*.c tests/kernel/*.h include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ tests/kernel/*.c -lm -lpthread

tests/demo/fxs-demo: tests/demo/fxs-demo.c include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ $< -lm

tests/daemon/unit_test: $(UNIT_SRCS) $(DAEMON_PURE) $(wildcard daemon/*.h) tests/daemon/unit.h
	$(CC) $(CFLAGS) $(WARN) $(SAN) -Idaemon -o $@ $(UNIT_SRCS) $(DAEMON_PURE) -lcrypto

# The main job: the loopback board in a VM, handset and port doing their thing.
demo: all
	tests/vm/run -- tests/demo/fxs-demo

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
