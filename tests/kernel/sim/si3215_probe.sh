#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tests/kernel/sim/si3215_probe.sh - the fxs_si3215 driver on the simulated
# chip (fxs_si3215_sim): it binds unchanged and registers a port with no
# access strict mode refuses; a lifted handset reaches the port's hook
# state through the IRQ; each injected fault makes the probe fail with one
# message of the driver's and no port; unbind/bind while the port is open;
# both modules unload.  Run by tests/kernel/run (board si3215) as root in
# the VM with fxs.ko loaded and fxs_si3215.ko, fxs_si3215_sim.ko not.
# TAP output, then "N passed, M failed".

cd "$(dirname "$0")/../../.." || exit 1

SIM_KO=${FXS_SIM_KO:-driver/fxs_si3215_sim.ko}
DRV_KO=${FXS_SI3215_KO:-driver/fxs_si3215.ko}
SIM=/sys/devices/platform/fxs_si3215_sim
DRV=/sys/bus/spi/drivers/fxs_si3215

n=0
pass=0
fail=0
failed=0
mark=0

say() { echo "# $*"; }
bad() { say "$*"; failed=1; }

# result NAME: print the TAP line of the case just run
result() {
	n=$((n + 1))
	if [ "$failed" = 0 ]; then
		echo "ok $n $1"
		pass=$((pass + 1))
	else
		echo "not ok $n $1"
		fail=$((fail + 1))
	fi
	failed=0
}

# wait_for SECONDS CMD...: until CMD succeeds, polling every 20 ms
wait_for() {
	t=$(($1 * 50))
	shift
	while ! "$@" 2>/dev/null; do
		t=$((t - 1))
		[ $t -gt 0 ] || return 1
		sleep 0.02
	done
}

# port: the fxsN the chip's port is, "" for none
port() {
	for d in "/sys/bus/spi/devices/$spi"/fxs/fxs*; do
		[ -d "$d" ] && { echo "${d##*/}"; return; }
	done
	echo ""
}

has_port() { [ -n "$(port)" ]; }
hook_is() { [ "$(cat "/sys/class/fxs/$p/hook")" = "$1" ]; }

# kmsg_mark: a line in the kernel log; since_mark: what came after it
kmsg_mark() {
	mark=$((mark + 1))
	echo "si3215_probe: mark $mark" >/dev/kmsg
}
since_mark() {
	dmesg | sed -n "/si3215_probe: mark $mark\$/,\$p"
}

irq_count() {
	awk -v dev="$spi" '$NF == dev { s = 0; for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print s }' /proc/interrupts
}

# whatever happens, leave the modules unloaded for the next suite
cleanup() {
	[ -z "${holder:-}" ] || kill "$holder" 2>/dev/null
	[ ! -d /sys/module/fxs_si3215 ] || rmmod fxs_si3215
	[ ! -d /sys/module/fxs_si3215_sim ] || rmmod fxs_si3215_sim
}
trap cleanup EXIT
holder=""

# unbind: the driver lets go of the chip, if it holds it
unbind() {
	[ ! -e "/sys/bus/spi/devices/$spi/driver" ] || echo "$spi" >"$DRV/unbind"
}

echo "TAP version 13"

# ---- the driver binds to the simulated chip
insmod "$SIM_KO" || { echo "Bail out! insmod $SIM_KO"; exit 1; }
spi=""
for d in "$SIM"/spi_master/spi*/spi*.0; do
	[ -d "$d" ] && spi=${d##*/}
done
[ -n "$spi" ] || { echo "Bail out! no SPI device under $SIM"; rmmod fxs_si3215_sim; exit 1; }
kmsg_mark
insmod "$DRV_KO" || bad "insmod $DRV_KO failed"
wait_for 5 has_port || bad "no port after 5 s"
p=$(port)
[ -z "$p" ] || [ "$(cat "/sys/class/fxs/$p/board")" = si3215 ] ||
	bad "board is $(cat "/sys/class/fxs/$p/board")"
v=$(cat "$SIM/violations")
[ "$v" = 0 ] || bad "the driver made $v accesses strict mode refused"
since_mark | grep -q "$spi: Si3215 on $p, hook by IRQ" ||
	bad "no \"Si3215 on $p, hook by IRQ\" in the log"
say "probe: $(cat "$SIM/spi_transfers") SPI messages"
result si3215_probe

# ---- the software node's properties, read back from the chip's registers
# reg N: direct register N; ireg N: indirect register N (hex, lower case)
reg() { tr ' ' '\n' <"$SIM/regs" | sed -n "$(($1 + 1))p"; }
ireg() { tr ' ' '\n' <"$SIM/iregs" | sed -n "$(($1 + 1))p"; }
expect_reg() { # N HEX WHAT
	v=$(reg "$1")
	[ "$v" = "$2" ] || bad "$3: register $1 is $v, expected $2"
}
expect_ireg() { # N HEX WHAT
	v=$(ireg "$1")
	[ "$v" = "$2" ] || bad "$3: indirect register $1 is $v, expected $2"
}
expect_reg 71 01 "loop current 23 mA"
expect_reg 72 20 "on-hook voltage 48 V"
expect_reg 74 32 "battery 75 V"
expect_reg 1 18 "PCM format linear"
expect_reg 64 01 "line feed forward active"
expect_reg 96 00 "calibration done"
expect_reg 22 ff "loop closure, ring trip and power alarm interrupts enabled"
# cos(2 pi 20/1000) in Q15 is 0x7efe (rounded)
v=$((0x$(ireg 20)))
if [ "$v" -lt $((0x7efb)) ] || [ "$v" -gt $((0x7eff)) ]; then
	bad "ring oscillator 20 Hz: indirect register 20 is $(ireg 20), expected 7efe +- 2"
fi
expect_ireg 21 53ff "ring amplitude 63 V of 96"
expect_ireg 28 1000 "loop closure threshold"
expect_ireg 29 3600 "ring trip threshold"
result si3215_props_in_registers

# ---- lifting the handset reaches the port through the IRQ
irq0=$(irq_count)
echo 1 >"$SIM/offhook"
wait_for 2 hook_is offhook || bad "hook is $(cat "/sys/class/fxs/$p/hook") 2 s after the lift"
echo 0 >"$SIM/offhook"
wait_for 3 hook_is onhook || bad "hook is $(cat "/sys/class/fxs/$p/hook") 3 s after hanging up"
irq1=$(irq_count)
if [ -z "$irq0" ] || [ -z "$irq1" ] || [ "$irq1" -lt $((irq0 + 2)) ]; then
	bad "IRQ count went from '$irq0' to '$irq1', expected 2 more"
fi
v=$(cat "$SIM/violations")
[ "$v" = 0 ] || bad "$v accesses strict mode refused"
result si3215_hook_irq

# ---- each fault: the probe fails with one message of the driver's, no port
for f in absent wrong-id no-cal eio; do
	unbind
	echo "$f" >"$SIM/fault"
	kmsg_mark
	if echo "$spi" >"$DRV/bind" 2>/dev/null; then
		bad "fault $f: bind succeeded"
	fi
	has_port && bad "fault $f: a port $(port) is there"
	[ -e "/sys/bus/spi/devices/$spi/driver" ] && bad "fault $f: the driver stayed bound"
	msgs=$(since_mark | grep -c "fxs_si3215 $spi: ")
	[ "$msgs" = 1 ] || bad "fault $f: $msgs messages from the driver, expected 1"
	since_mark | grep "fxs_si3215 $spi: " | sed 's/^/# /'
	echo none >"$SIM/fault"
	echo "$spi" >"$DRV/bind" 2>/dev/null || bad "fault $f: no bind after the fault went"
	has_port || bad "fault $f: no port after the fault went"
	result "si3215_fault_$f"
done

# ---- unbind and bind while the port is open
p=$(port)
if [ -n "$p" ]; then
	# a process holding the port open (its owner) meanwhile
	sleep 60 <>"/dev/$p" &
	holder=$!
	sleep 0.2
	echo "$spi" >"$DRV/unbind" || bad "unbind with the port open failed"
	has_port && bad "the port is still there after unbind"
	echo "$spi" >"$DRV/bind" || bad "bind after unbind failed"
	has_port || bad "no port after bind"
	kill "$holder"
	wait "$holder" 2>/dev/null
	holder=""
else
	bad "no port to open"
fi
v=$(cat "$SIM/violations")
[ "$v" = 0 ] || bad "$v accesses strict mode refused"
result si3215_rebind_open

# ---- both modules unload
rmmod fxs_si3215 || bad "rmmod fxs_si3215 failed"
rmmod fxs_si3215_sim || bad "rmmod fxs_si3215_sim failed"
result si3215_unload

# ---- no INT wired: the driver polls the hook
if insmod "$SIM_KO" irq=0; then
	spi=""
	for d in "$SIM"/spi_master/spi*/spi*.0; do
		[ -d "$d" ] && spi=${d##*/}
	done
	kmsg_mark
	insmod "$DRV_KO" || bad "insmod $DRV_KO failed"
	wait_for 5 has_port || bad "no port after 5 s"
	p=$(port)
	since_mark | grep -q "$spi: Si3215 on $p, hook polled" ||
		bad "no \"Si3215 on $p, hook polled\" in the log"
	echo 1 >"$SIM/offhook"
	wait_for 2 hook_is offhook || bad "polled: hook is $(cat "/sys/class/fxs/$p/hook") 2 s after the lift"
	echo 0 >"$SIM/offhook"
	wait_for 3 hook_is onhook || bad "polled: hook is $(cat "/sys/class/fxs/$p/hook") 3 s after hanging up"
	v=$(cat "$SIM/violations")
	[ "$v" = 0 ] || bad "$v accesses strict mode refused"
	rmmod fxs_si3215 || bad "rmmod fxs_si3215 failed"
	rmmod fxs_si3215_sim || bad "rmmod fxs_si3215_sim failed"
else
	bad "insmod $SIM_KO irq=0 failed"
fi
result si3215_hook_polled

echo "1..$n"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
