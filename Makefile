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

TEST_BINS := tests/kernel/fxs_test

.PHONY: all modules user check check-kernel clean checkpatch sparse

all: modules user

modules:
	@test -n "$(KDIR)" || { echo "No kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: $(TEST_BINS)

tests/kernel/fxs_test: tests/kernel/*.c tests/kernel/*.h include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ tests/kernel/*.c -lm -lpthread

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
