#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# e2e.sh - benchmarks through the real driver, run inside the VM:
#
#   tests/vm/run --loop-args ports=1 -- bench/e2e.sh      (make bench-e2e)
#
# 1. Echo canceller end to end: for the 8 hybrid models of bench/echo_sim.h
#    at ERL 6 and 3 dB (set on the loopback board's echo model, 5 ms bulk
#    delay), a far end (sipp + tests/daemon/rtpeer) plays 12 s of the
#    CSS-like source at -10 dBm0 into a call with the silent phone; the
#    audio it gets back is the echo left by fxsd's canceller and residual
#    suppressor.  ERLE per 500 ms window (tests/daemon/analyze erle).
# 2. One-way delay through the driver: the handset says a burst, rtpeer
#    notes when it arrives (mouth -> RTP); rtpeer sends a burst, the
#    handset notes when it reaches the earpiece (RTP -> earpiece).  Times
#    are CLOCK_MONOTONIC in the same guest, so both ends share a clock.
#    Each call also prints its jitter buffer's delay (the mean over the
#    call, from fxsd's "Call quality" line) and what the earpiece side
#    took beyond it (the target: <= 30 ms).
#
# Options: --cushion N sets fxsd's play_cushion_frames (default 2);
# --delay-only skips part 1, --echo-only part 2.
#
# Under TCG emulation every figure includes the emulator's own slowness.
set -u
cd "$(dirname "$0")/.." || exit 1
cushion=2
parts="echo delay"
while [ $# -gt 0 ]; do
	case $1 in
	--cushion) cushion=$2; shift ;;
	--delay-only) parts=delay ;;
	--echo-only) parts=echo ;;
	*) echo "usage: e2e.sh [--cushion N] [--delay-only|--echo-only]" >&2; exit 2 ;;
	esac
	shift
done
[ -c /dev/fxs0 ] || { echo "no /dev/fxs0: run in the VM"; exit 2; }
work=$(mktemp -d /tmp/fxs-bench.XXXXXX)
HS=tests/daemon/handset
AN=tests/daemon/analyze
fxsd_pid=

cleanup() {
	[ -n "$fxsd_pid" ] && kill "$fxsd_pid" 2>/dev/null
	pkill -x sipp 2>/dev/null
	pkill -x rtpeer 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

cat >"$work/fxsd.conf" <<EOF
[global]
sip_port = 5060
rtp_port_min = 20000
rtp_port_max = 20100

[port 0]
user = 1000
domain = 127.0.0.1:5090
register = no
disconnect_open_loop_ms = 0
play_cushion_frames = $cushion
EOF
daemon/fxsd -c "$work/fxsd.conf" >"$work/fxsd.log" 2>&1 &
fxsd_pid=$!
sleep 2
bench/e2e_signals "$work"

# call SECS PLAY [ARGS...]: a call from rtpeer's far end; the handset
# answers; rtpeer's output in $work/peer.log, its recording $work/rx.raw
call_start() {
	local secs=$1 play=$2

	tests/daemon/rtpeer 7000 --play "$play" --record "$work/rx.raw" \
		--secs "$secs" >"$work/peer.log" 2>&1 &
	peer=$!
	sipp 127.0.0.1:5060 -sf tests/sipp/media_call_in.xml -s 1000 \
		-i 127.0.0.1 -p 5090 -key rtpport 7000 -nostdin -m 1 \
		-timeout 120 >/dev/null 2>&1 &
	sipp_pid=$!
	$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
}

call_end() {
	wait "$peer"
	$HS 0 hangup >/dev/null
	wait "$sipp_pid"
	sleep 1.5
}

grep -q "gives no echo reference" "$work/fxsd.log" &&
	echo "# the driver gives no echo reference: fxsd uses the audio it wrote"
echo "# play_cushion_frames = $cushion"
case $parts in *echo*)
echo "== echo canceller end to end (fxsd + driver + loopback echo model)"
echo "hybrid ERL  disp   ERLE@1s  ERLE@3s ERLE@10s   t(20dB)"
for erl in 6 3; do
	for k in 0 1 2 3 4 5 6 7; do
		$HS 0 echo on "$erl" 5 "$work/hybrid-$k.taps" >/dev/null
		call_start 11 "$work/css.raw"
		call_end
		r=$($AN erle "$work/css.raw" "$work/rx.raw" "$erl" | tail -n 1)
		set -- $r
		printf "%-6s %-4s %-5s %8.1f %8.1f %8.1f %8.2fs\n" "$k" "$erl" \
			"$((8 + k))" "$2" "$4" "$6" "$8"
	done
done
grep "Echo canceller:" "$work/fxsd.log" | sed 's/^/# /'
;; esac
case $parts in *delay*)

echo "== one-way delay through the driver (ptime 20 ms)"
$HS 0 echo off >/dev/null
# far end: 3 s of silence, then a 200 ms burst of 1 kHz
sox -n -r 8000 -b 16 -e signed -c 1 -t raw "$work/burst.raw" \
	synth 3 sine 1000 vol 0 : synth 0.2 sine 1000 vol 0.6 2>/dev/null
for i in 1 2 3 4 5; do
	call_start 6 "$work/burst.raw"
	sleep 0.8
	m=$($HS 0 burst 200 | sed -n 's/.* at \([0-9]*\) ms$/\1/p')
	e=$($HS 0 onset 4000 | sed -n 's/.* at \([0-9]*\) ms$/\1/p')
	call_end
	rx=$(sed -n 's/.*first loud packet received at \([0-9]*\) ms$/\1/p' "$work/peer.log")
	tx=$(sed -n 's/.*first loud packet sent at \([0-9]*\) ms$/\1/p' "$work/peer.log")
	# the call's jitter buffer delay (its mean), from fxsd's journal
	jb=$(sed -n 's/.*Call quality: .*jitter buffer \([0-9.]*\) ms.*/\1/p' \
		"$work/fxsd.log" | tail -n 1)
	echo "call $i: mouth -> RTP $((rx - m)) ms, RTP -> earpiece $((e - tx)) ms," \
		"jitter buffer ${jb:-?} ms, earpiece beyond the buffer" \
		"$(awk -v d=$((e - tx)) -v b="${jb:-0}" 'BEGIN { printf "%.0f", d - b }') ms"
done
;; esac
