#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# data_test.sh - fax and modem calls through fxsd, measured; run inside the
# VM in the media boot (tests/vm/run --loop-args ports=6 -- tests/vm/suites
# ... data=tests/daemon/data_test.sh), port 0 only.
#
#   1. Answer tones (ITU-T G.164/G.165): the far end (tests/daemon/rtpeer)
#      plays 3.6 s of 2100 Hz, then speech, to the phone, whose line echoes
#      it (hybrid ERL 6 dB).  With phase reversals every 450 ms (/ANS, a
#      V.34-style modem) fxsd must turn its echo canceller off for the rest
#      of the call: the speech after the tone comes back to the far end at
#      the line's echo level (less than 10 dB below ERL).  Without reversals
#      (ANS, a fax's CED) the canceller stays on: the same echo is reduced
#      by 15 dB or more.  Each call is a data call from the tone to its end
#      in the journal.  The tones are sox's (450 ms segments started 180
#      degrees apart), not fxsd's.
#
# Exit 4 (skip) without /dev/fxs0 or sipp.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }

work=$(mktemp -d /tmp/fxs-data.XXXXXX)
. tests/daemon/lib.sh
AN=tests/daemon/analyze
fxsd_pid=
peer_pid=

cleanup() {
	[ -n "$fxsd_pid" ] && kill "$fxsd_pid" 2>/dev/null
	[ -n "$peer_pid" ] && kill "$peer_pid" 2>/dev/null
	[ -n "${dbus_pid:-}" ] && kill "$dbus_pid" 2>/dev/null
	pkill -x sipp 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

cat >"$work/fxsd.conf" <<CONF
[global]
sip_port = 5060
rtp_port_min = 20000
rtp_port_max = 20100
tone_country = US

[port 0]
user = 1000
domain = 127.0.0.1:5090
register = no
disconnect_open_loop_ms = 0
CONF

private_bus
# The plain build: timing matters here.
"${FXSD:-daemon/fxsd}" -c "$work/fxsd.conf" -v >"$work/fxsd.log" 2>&1 &
fxsd_pid=$!
check "fxsd attaches /dev/fxs0" \
	until_ok 20 grep -q "Attached /dev/fxs0" "$work/fxsd.log"

# --- 1. answer tones and the echo canceller -------------------------------
echo "# $(date +%T) answer tones"
RAW="-t raw -r 8000 -e signed -b 16 -c 1"
# ans_tone FILE PR: 3.6 s of 2100 Hz at -12 dBFS in 8 segments of 450 ms;
# PR=1: each segment starts 180 degrees from the last (phase reversals)
ans_tone() {
	local segs=() i

	for i in 0 1 2 3 4 5 6 7; do
		segs+=("|sox -n -p synth 0.45 sine 2100 0 $(($2 * (i % 2) * 50)) gain -12")
	done
	sox "${segs[@]}" $RAW "$1"
}
espeak-ng -v en-us -s 150 -w "$work/speech.wav" \
	"The quick brown fox jumps over the lazy dog. A telephone line carries the voice of the caller, and an echo of it comes back." 2>/dev/null
sox "$work/speech.wav" $RAW "$work/speech.raw" rate 8000 norm -6 trim 0 6 2>/dev/null
for pr in 0 1; do
	ans_tone "$work/tone$pr.raw" $pr
	sox $RAW "$work/tone$pr.raw" $RAW "$work/speech.raw" $RAW "$work/play$pr.raw"
done
check "test signals made with sox and espeak-ng (3.6 s of tone, then 6 s of speech)" \
	test "$(stat -c %s "$work/play1.raw")" -ge 150000

$HS 0 echo on 6 5 >/dev/null
# answer_call PR RTPPORT: the far end calls, plays play$PR.raw; the phone
# answers; at the end its recording is rx$PR.raw
answer_call() {
	local pr=$1 port=$2 n0

	n0=$(grep -c "ended: echo canceller" "$work/fxsd.log")
	tests/daemon/rtpeer "$port" --play "$work/play$pr.raw" --record "$work/rx$pr.raw" \
		--secs 100 >"$work/rtpeer$pr.log" 2>&1 &
	peer_pid=$!
	sipp_bg data$pr 127.0.0.1:5060 -sf tests/sipp/media_call_in.xml -s 1000 \
		-i 127.0.0.1 -p 5090 -key rtpport "$port"
	$HS 0 wait-ring 10000 >/dev/null
	$HS 0 lift >/dev/null
	wait_state in-call 5 0 >/dev/null
	# the tone and the speech, 9.6 s from the first packet
	until_ok 20 grep -q "first packet from" "$work/rtpeer$pr.log"
	sleep 10.5
	kill -TERM "$peer_pid"
	wait "$peer_pid"
	peer_pid=
	$HS 0 hangup >/dev/null
	sipp_wait "$sp" data$pr || return 1
	wait_state idle 3 0 >/dev/null
	until_ok 5 test "$(grep -c "ended: echo canceller" "$work/fxsd.log")" -gt "$n0"
}
# came_back PR: dB by which the echo of the speech (from 2 s into it, when
# the canceller has had time) is below the line's echo (far end - ERL 6 dB)
came_back() {
	local f r

	f=$($AN level "$work/speech.raw" 2000 5500 | awk '{print $2}')
	r=$($AN level "$work/rx$1.raw" 5600 9100 | awk '{print $2}')
	awk -v f="$f" -v r="$r" 'BEGIN { printf "%.1f\n", f - 6 - r }'
}

check "ANS (no phase reversals) from the far end: a data call, answered, hung up" \
	answer_call 0 7010
check "ANS: the journal names it, the canceller stays on" \
	sh -c "grep 'ANS from the far end: a data call' '$work/fxsd.log' | grep -vq 'echo canceller off'"
d0=$(came_back 0)
echo "# ANS: the speech after the tone came back ${d0} dB below the line's echo"
check "ANS: the canceller still works after the tone: echo reduced by 15 dB or more" \
	awk -v d="$d0" 'BEGIN { exit !(d >= 15) }'

check "/ANS (phase reversals) from the far end: a data call, answered, hung up" \
	answer_call 1 7012
check "/ANS: the journal says the canceller went off, and back on at the call's end" \
	sh -c "grep -q '/ANS from the far end: .*the echo canceller off' '$work/fxsd.log' &&
		grep -q 'Data call (/ANS) ended' '$work/fxsd.log'"
d1=$(came_back 1)
echo "# /ANS: the speech after the tone came back ${d1} dB below the line's echo"
check "/ANS: the canceller is off for the rest of the call: the echo comes back (less than 10 dB below the line's)" \
	awk -v d="$d1" 'BEGIN { exit !(d < 10 && d > -10) }'

kill "$fxsd_pid"
wait "$fxsd_pid"
rc=$?
fxsd_pid=
check "fxsd exits cleanly on SIGTERM" test "$rc" -eq 0

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
