#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench/slic.sh - the Si3215 driver's timing on the simulated chip, from
# the handset on its line (bench/slic_bench), in the VM:
#   tests/vm/run -- bench/slic.sh          (make bench-slic)
# Once with the chip's INT line wired (hook by IRQ), once polled (irq=0).
# fxs_loop is unloaded meanwhile and loaded back (ports=2) at the end.
# Results go in bench/RESULTS.md ("The Si3215 on the simulated chip").

cd "$(dirname "$0")/.." || exit 1
SIM=/sys/devices/platform/fxs_si3215_sim
status=0

wait_dev() {
	i=0
	while [ ! -c "$1" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -c "$1" ]
}

[ ! -d /sys/module/fxs_loop ] || rmmod fxs_loop || exit 1
for irq in 1 0; do
	echo "# fxs_si3215 on fxs_si3215_sim irq=$irq"
	insmod driver/fxs_si3215_sim.ko handset=0 irq=$irq || exit 1
	insmod driver/fxs_si3215.ko || exit 1
	if wait_dev /dev/fxs0 && wait_dev /dev/fxs_hs0; then
		bench/slic_bench 0 "$SIM" || status=1
		echo "# strict-mode violations: $(cat "$SIM/violations")"
	else
		echo "# no /dev/fxs0, /dev/fxs_hs0"
		status=1
	fi
	rmmod fxs_si3215 || status=1
	rmmod fxs_si3215_sim || status=1
done
insmod driver/fxs_loop.ko ports=2 || status=1
exit $status
