#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/callgrind.sh - instructions per channel-second of one full-duplex
# phone channel (bench/channel_bench), counted by valgrind's callgrind.
#
#   bench/callgrind.sh [SECONDS]        (default 12 s of audio)
#
# Only the channel's own work is counted: callgrind collects inside
# chan_tick() alone (--toggle-collect), i.e. the RTP and PCM wakeups with
# everything they call (rtp.c, jitter.c, g711.c, echo.c and speexdsp,
# dtmf.c, rfc4733.c, libsystemd's event loop, libc), not the simulated
# phone and network around them.  Two calls, of SECONDS and of 2 s, are
# counted and subtracted, so that what the first frames of a call cost
# differently (empty jitter buffer, fresh canceller) drops out:
#
#   Ir per channel-second = (Ir(SECONDS) - Ir(2 s)) / (SECONDS - 2)
#
# The same difference per function (inclusive) gives the breakdown.  Then
# the whole program is counted for SECONDS and for 0 s (process start, the
# test signals and the call's setup and teardown): the difference per
# second is the channel plus the simulation around it.
#
# Instructions are user space only: the kernel's side of the six system
# calls per frame (epoll_wait, recvfrom, read, sendto, write) is not in
# them; bench/channel_bench's CPU time has it.
#
# Skips (exit 0, with a message) when valgrind is not installed.

set -eu
cd "$(dirname "$0")/.."

long=${1:-12}
short=2
bin=bench/channel_bench

if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
	echo "callgrind.sh: valgrind is not installed, skipping (apt-get install valgrind)"
	exit 0
fi
if [ ! -x "$bin" ]; then
	echo "callgrind.sh: $bin is missing: make $bin" >&2
	exit 1
fi
if ! [ "$long" -gt "$short" ] 2>/dev/null; then
	echo "callgrind.sh: SECONDS must be an integer above $short" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME SECONDS [valgrind options]: callgrind output in $tmp/NAME.out,
# its inclusive profile in $tmp/NAME.txt
run() {
	local name=$1 s=$2

	shift 2
	valgrind --tool=callgrind "$@" --callgrind-out-file="$tmp/$name.out" \
		"$bin" -n -r 1 -s "$s" >"$tmp/$name.log" 2>&1 || {
		echo "callgrind.sh: valgrind $bin -s $s failed:" >&2
		cat "$tmp/$name.log" >&2
		exit 1
	}
	callgrind_annotate --inclusive=yes --threshold=100 "$tmp/$name.out" \
		>"$tmp/$name.txt"
}

# total NAME: the Ir of the whole output file
total() {
	awk '/^(summary|totals):/ { print $2; exit }' "$tmp/$1.out"
}

# inclusive NAME FUNCTION: its inclusive Ir (0 when it never ran)
inclusive() {
	awk -v f=":$2" '
		{ for (i = 2; i <= NF; i++)
			if (substr($i, length($i) - length(f) + 1) == f) {
				gsub(",", "", $1); print $1; found = 1; exit
			} }
		END { if (!found) print 0 }' "$tmp/$1.txt"
}

run long "$long" --toggle-collect=chan_tick
run short "$short" --toggle-collect=chan_tick
run whole "$long"
run setup 0

per_s() {
	echo $(( ($1 - $2) / (long - short) ))
}

ch=$(per_s "$(total long)" "$(total short)")
echo "# callgrind ($(valgrind --version)): one full-duplex channel, $bin -n -r 1"
echo "# (PCMU, echo tail 64 ms with suppression, 5 ms jitter, 1 % loss)"
printf "# chan_tick: %d Ir for %d s of audio, %d Ir for %d s\n" \
	"$(total long)" "$long" "$(total short)" "$short"
printf "%-58s %12s %7s\n" "per channel-second (inclusive Ir)" "Ir/ch-s" "share"
row() {
	printf "%-58s %12d %6.1f %%\n" "$1" "$2" \
		"$(awk -v a="$2" -v b="$ch" 'BEGIN { print 100 * a / b }')"
}
rest=$ch
# FUNCTION:LABEL; a label starting with a space is part of the one above
for f in echo_canceller_process:"echo canceller (echo.c, speexdsp)" \
	 speex_echo_cancellation:" - MDF adaptive filter" \
	 dtmf_detect:"in-band DTMF detector" \
	 rtp_session_send:"RTP send (G.711 encode, header, sendto)" \
	 rtp_session_playout:"playout (jitter get, concealment)" \
	 chan_rx_wakeup:"RTP receive (event loop, recvfrom, parse, decode, put)" \
	 chan_rtcp_wakeup:"RTCP (one report per 5 s)"; do
	fn=${f%%:*}
	label=${f#*:}
	v=$(per_s "$(inclusive long "$fn")" "$(inclusive short "$fn")")
	row "$label" "$v"
	[ "${label# }" != "$label" ] || rest=$((rest - v))
done
row "PCM wakeup's event loop, read, write, ERLE, the rest" "$rest"
printf "%-58s %12d\n" "total (chan_tick)" "$ch"
printf "# Ir per channel-second: %d (%.1f M)\n" "$ch" \
	"$(awk -v a="$ch" 'BEGIN { print a / 1e6 }')"
printf "# whole program: %d Ir for 0 s (start, signals, call setup), %d for %d s: %d Ir per second with the phone and network simulation\n" \
	"$(total setup)" "$(total whole)" "$long" \
	$(( ($(total whole) - $(total setup)) / long ))
