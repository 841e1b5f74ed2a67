#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# slic_call_test.sh - fxsd's calls on the Si3215 driver over the simulated
# chip, in the VM: the fxs_si3215 driver bound to fxs_si3215_sim handset=0
# (SPI registers in strict mode, the INT line, PCM on the simulated TDM bus,
# the loopback handset model on its line), fxsd (ASan build) and sipp as
# the far end, which echoes the audio it gets.
#
#   1. the far end calls: the phone rings (the chip's ring, seen by the
#      handset on the line), the person lifts (ring trip), talks and hears
#      it back (cross-correlation, through the chip's PCM both ways), the
#      far end hangs up, reorder tone, hang up
#   2. the phone pulse-dials 2345 (hook edges through the chip's
#      loop-closure interrupt), talks, hangs up: BYE
#   3. DTMF keyed on the phone, detected by fxsd in the audio the chip
#      carried
#   4. caller ID (Bell 202, US) in the first silence of the ring, sent on
#      the chip's on-hook transmission, decoded by minimodem from what
#      the on-hook phone recorded
#   and the SPI messages a second the driver made while the call talked
#   (a "#" line; bench/RESULTS.md has the bench's figures), and no access
#   strict mode refused.
#
# On the loopback board (tests/vm/run's default) it swaps the board for
# this suite: fxs_loop is unloaded, the simulated chip and its driver
# loaded, and fxs_loop ports=2 loaded back at the end.  With
# tests/vm/run --board si3215 the chip is already there.
#
# Part of `make check` (tests/check), in the VM boot of call_test.sh.
# Exit 4 (skip) without the modules.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
SIM=/sys/devices/platform/fxs_si3215_sim
[ -f driver/fxs_si3215.ko ] && [ -f driver/fxs_si3215_sim.ko ] ||
	{ echo "SKIP: driver/fxs_si3215.ko, fxs_si3215_sim.ko not built"; exit 4; }

work=$(mktemp -d /tmp/fxs-slic.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
swapped=0

wait_dev() {
	until_ok 10 test -c "$1"
}

restore_board() {
	[ "$swapped" = 1 ] || return 0
	swapped=0
	rmmod fxs_si3215 2>/dev/null
	rmmod fxs_si3215_sim 2>/dev/null
	insmod driver/fxs_loop.ko ports=2
}
trap 'cleanup; restore_board' EXIT

# ---- the board ----------------------------------------------------------
if [ "$(cat /sys/class/fxs/fxs0/board 2>/dev/null)" != si3215 ]; then
	[ ! -d /sys/module/fxs_loop ] || rmmod fxs_loop ||
		{ echo "rmmod fxs_loop failed"; exit 1; }
	swapped=1
	insmod driver/fxs_si3215_sim.ko handset=0 &&
		insmod driver/fxs_si3215.ko ||
		{ echo "insmod of the simulated chip and its driver failed"; exit 1; }
fi
check "/dev/fxs0 appears" wait_dev /dev/fxs0
check "/dev/fxs_hs0 appears" wait_dev /dev/fxs_hs0
check "/dev/fxs0 is the Si3215 driver's port" \
	test "$(cat /sys/class/fxs/fxs0/board)" = si3215
v0=$(cat "$SIM/violations")

call_conf
start_fxsd

# spi_during CMD...: CMD, and the driver's SPI messages a second meanwhile
# in $spi_rate
spi_during() {
	local c0 c1 t0 r

	c0=$(cat "$SIM/spi_transfers")
	now_ms
	t0=$now
	"$@"
	r=$?
	c1=$(cat "$SIM/spi_transfers")
	now_ms
	spi_rate=$(( (c1 - c0) * 1000 / (now - t0 + 1) ))
	return $r
}

# ---- 1. the far end calls the phone: the chip rings it, ring trip, the
# audio through the chip's PCM both ways -----------------------------------
call_in_case spi_during talk 0
echo "# SPI while the call talked: $spi_rate messages/s"

# ---- 2. the phone pulse-dials out (loop-closure interrupts) --------------
call_out_case
check "the pulses made 2345" grep -q "Dialled 2345, calling 2345" "$work/fxsd.log"

# ---- 3. DTMF from the phone, detected in the audio the chip carried ----
call_out_dtmf_case

# ---- 4. caller ID in the first silence (the chip's on-hook transmission)
callerid_case

stop_fxsd
check "no SPI access strict mode refused during the calls" \
	test "$(cat "$SIM/violations")" = "$v0"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
