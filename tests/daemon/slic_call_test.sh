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

# ---- 1. the far end calls the phone -------------------------------------
sipp_bg in 127.0.0.1:5060 -sf tests/sipp/ata_call_in.xml -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6000 -rtp_echo
check "incoming INVITE: the chip rings the phone" $HS 0 wait-ring 10000
check "state ringing" wait_state ringing 2
check "lifting the handset answers (ring trip)" $HS 0 lift
check "state in-call after the ACK" wait_state in-call 5
check "audio both ways through the chip's PCM (what is said comes back)" \
	spi_during talk 0
echo "# SPI while the call talked: $spi_rate messages/s"
check "far end hangs up: BYE answered, sipp scenario passes" sipp_wait "$sp" in
check "state disconnected (phone still off-hook)" wait_state disconnected 3
check "reorder tone after the far end hung up" $HS 0 hear 480 2000 30
check "hanging up returns to idle" $HS 0 hangup
check "state idle" wait_state idle 3

# ---- 2. the phone pulse-dials out ---------------------------------------
sipp_bg out -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6002 -rtp_echo
check "lifting the handset gives dial tone" $HS 0 lift
check "dial tone (350+440 Hz) at the earpiece" $HS 0 hear 440 600
check "pulse-dialling 2345 (loop-closure interrupts)" $HS 0 dial 2345
check "the pulses made 2345" until_ok 10 \
	grep -q "Dialled 2345, calling 2345" "$work/fxsd.log"
check "state in-call after 200 OK" wait_state in-call 10
check "audio both ways in the outgoing call" talk 0
check "hanging up sends BYE" $HS 0 hangup
check "far end saw INVITE, ACK and BYE" sipp_wait "$sp" out
check "state idle" wait_state idle 3

# ---- 3. DTMF from the phone, through the chip ---------------------------
sipp_bg outdtmf -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6012 -rtp_echo
check "DTMF: lifting the handset" $HS 0 lift
check "DTMF: dial tone" $HS 0 hear 440 600
mark=$(wc -l <"$work/fxsd.log")
check "DTMF: keying 2345" $HS 0 dtmf 2345
check "DTMF: fxsd detected 2345 in the chip's audio" until_ok 10 \
	sh -c "tail -n +$((mark + 1)) '$work/fxsd.log' | grep -q 'Dialled 2345, calling 2345'"
check "DTMF: state in-call" wait_state in-call 10
check "DTMF: hanging up sends BYE" $HS 0 hangup
check "DTMF: far end saw INVITE, ACK and BYE" sipp_wait "$sp" outdtmf

stop_fxsd
check "no SPI access strict mode refused during the calls" \
	test "$(cat "$SIM/violations")" = "$v0"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
