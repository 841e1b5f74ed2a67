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
#   2. Fax over G.711 pass-through (fax = passthrough): the phone calls (pulse-dials 2000; sipp
#      answers, tests/sipp/uas_fax.xml) and a spandsp fax terminal at the
#      handset (tests/daemon/faxpeer handset: earpiece in, mouthpiece out)
#      sends a 3-page TIFF-F document (made with libtiff at test time) to
#      a spandsp terminal behind an RTP endpoint (faxpeer rtp) whose
#      packets to fxsd are 1 % lost and 0-20 ms late (reordered now and
#      then).  Both terminals end T.30 without error, every page arrives
#      and equals the one sent, pixel for pixel (decoded scanlines), and
#      fxsd's journal has the call as a data call.
#   2b. Fax over T.38 (port 2, fax = t38): the same document from the
#      handset's fax, but fxsd hears the fax and re-INVITEs to T.38 (sipp,
#      tests/sipp/uas_fax_t38.xml, checks the m=image offer and answers
#      it), and its gateway carries the fax over UDPTL to a spandsp T.38
#      terminal (faxpeer t38) that loses 1 % of the packets each way and
#      sends 0-20 ms late.  Both terminals end T.30 without error, every
#      page equals the one sent.
#   3. An alarm panel: CID_MESSAGES (default 100) Contact ID (SIA DC-05)
#      messages keyed at the handset, DTMF of 50 ms with 50 ms between
#      (tests/daemon/contactid.sh, sox), in two calls at once: port 0 sends
#      digits as RFC 4733 events (the far end, rtpeer, prints each event),
#      port 1 in band (multimon-ng decodes the far end's recording).  Every
#      message must arrive whole, with a valid checksum, none lost or
#      extra.
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
digit_map = { 2xxx }
# the G.711 case: no T.38 offer when the fax is heard (sipp's scenario
# takes none)
fax = passthrough

[port 1]
user = 1001
domain = 127.0.0.1:5091
register = no
disconnect_open_loop_ms = 0
dtmf_mode = inband

# the T.38 case (fax = t38, the default): fxsd offers T.38 when it hears
# the phone's fax
[port 2]
user = 1002
domain = 127.0.0.1:5092
register = no
disconnect_open_loop_ms = 0
digit_map = { 2xxx }
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

# --- 2. fax over G.711 ------------------------------------------------------
echo "# $(date +%T) fax"
$HS 0 echo on 6 5 >/dev/null
FP=tests/daemon/faxpeer
$FP mkdoc "$work/doc.tif" 3
check "a 3-page TIFF-F document (tiffinfo: 3 pages of 1728 pels, CCITT Group 3)" \
	sh -c "tiffinfo '$work/doc.tif' 2>/dev/null | grep -c 'Image Width: 1728' | grep -qx 3 &&
		tiffinfo '$work/doc.tif' 2>/dev/null | grep -q 'CCITT Group 3'"
# fax_call NAME PORT FAR...: cases.  Port PORT's phone calls 2000 (the
# far end's SIP is sipp's scenario NAME, already started: $sp) and the
# handset's fax sends doc.tif to the far end's fax, "faxpeer FAR..." (in
# the background; it receives into $work/NAME.tif); their output in
# $work/NAME-near.log and $work/NAME-far.log.  Both faxes must end T.30
# without error and every page equal the one sent.
fax_call() {
	local name=$1 port=$2

	shift 2
	$FP "$@" >"$work/$name-far.log" 2>&1 &
	peer_pid=$!
	$HS "$port" lift >/dev/null
	$HS "$port" dial 2000 >/dev/null
	check "$name: the phone calls the fax: in call" wait_state in-call 20 "$port"
	$FP handset "$port" "$work/doc.tif" 170 >"$work/$name-near.log" 2>&1
	sed 's/^/# handset fax: /' "$work/$name-near.log"
	wait "$peer_pid"
	peer_pid=
	sed 's/^/# far-end fax: /' "$work/$name-far.log"
	$HS "$port" hangup >/dev/null
	check "$name: the phone hangs up: BYE; the far end's scenario passes" \
		sipp_wait "$sp" "$name"
	check "$name: the handset's fax (sender) ends T.30 without error, 3 pages" \
		grep -q "result 0 (OK), 3 pages" "$work/$name-near.log"
	check "$name: the far end's fax (receiver) ends T.30 without error, 3 pages" \
		grep -q "result 0 (OK), 3 pages" "$work/$name-far.log"
	check "$name: every page arrived and equals the one sent (pixel data)" \
		$FP compare "$work/doc.tif" "$work/$name.tif"
}

n0=$(grep -c "ended: echo canceller" "$work/fxsd.log")
dc0=$(grep -c ": a data call" "$work/fxsd.log")
sipp_bg g711 -sf tests/sipp/uas_fax.xml -i 127.0.0.1 -p 5090 -key rtpport 7020
fax_call g711 0 rtp 7020 "$work/g711.tif" 170 1 20 7
check "g711: the far end lost 1 % of its packets to fxsd on purpose" \
	grep -q "sent [0-9]* packets ([1-9][0-9]* lost on purpose)" "$work/g711-far.log"
check "g711: fxsd made the fax call a data call (CNG, CED or V.21) until the call ended" \
	sh -c "test \$(grep -cE '(CNG|ANS|V.21 preamble) from the (phone|far end): a data call' '$work/fxsd.log') -gt $dc0 &&
		test \$(grep -c 'ended: echo canceller' '$work/fxsd.log') -gt $n0"
grep -E "from the (phone|far end):|Data call" "$work/fxsd.log" | tail -n 4 | sed 's/^/# /'

# --- 2b. fax over T.38 --------------------------------------------------------
echo "# $(date +%T) fax over T.38"
$HS 2 echo on 6 5 >/dev/null
# sipp checks that the re-INVITE offers m=image udptl t38 with redundancy
sipp_bg t38 -sf tests/sipp/uas_fax_t38.xml -i 127.0.0.1 -p 5092 -mp 7048 \
	-key t38port 7040
fax_call t38 2 t38 7040 "$work/t38.tif" 170 1 20 11
check "t38: the journal has the offer and the switch to UDPTL" \
	sh -c "grep -q 'fxs2 .*Fax: T.38 offered (re-INVITE)' '$work/fxsd.log' &&
		grep -q 'fxs2 .*T.38 accepted by the far end: the fax goes over UDPTL' '$work/fxsd.log'"
check "t38: packets were lost on purpose both ways" \
	grep -qE "sent [0-9]+ packets \([1-9][0-9]* lost on purpose.*received [0-9]+ \([1-9][0-9]* lost on purpose" "$work/t38-far.log"

# --- 3. Contact ID from an alarm panel, out of band and in band -----------
echo "# $(date +%T) Contact ID, ${CID_MESSAGES:-100} messages, RFC 4733 (port 0) and in band (port 1)"
tests/daemon/contactid.sh "${CID_MESSAGES:-100}" "$work"
$HS 0 echo off >/dev/null
$HS 1 echo off >/dev/null
secs=$(($(stat -c %s "$work/cid.raw") / 16000 + 60))
tests/daemon/rtpeer 7030 --record "$work/cid0.raw" --secs "$secs" >"$work/cid0.log" 2>&1 &
peer0=$!
tests/daemon/rtpeer 7032 --record "$work/cid1.raw" --secs "$secs" >"$work/cid1.log" 2>&1 &
peer1=$!
# sipp_cid NAME USER SIPPORT RTPPORT FXSDPORT: a long call in, pid in $sp
# (fxsd's port N listens on sip_port + 2 N)
sipp_cid() {
	sipp 127.0.0.1:"$5" -sf tests/sipp/cid_call_in.xml -s "$2" -i 127.0.0.1 -p "$3" \
		-key rtpport "$4" -nostdin -m 1 -timeout 600 -timeout_error \
		-trace_err -error_file "$work/$1.err" >"$work/$1.out" 2>&1 &
	sp=$!
}
sipp_cid cid0 1000 5090 7030 5060
sp0=$sp
sipp_cid cid1 1001 5091 7032 5062
sp1=$sp
$HS 0 wait-ring 10000 >/dev/null
$HS 1 wait-ring 10000 >/dev/null
$HS 0 lift >/dev/null
$HS 1 lift >/dev/null
check "port 0 in call" wait_state in-call 10 0
check "port 1 in call" wait_state in-call 10 1
until_ok 10 grep -q "first packet from" "$work/cid0.log"
until_ok 10 grep -q "first packet from" "$work/cid1.log"
$HS 0 say "$work/cid.raw" >"$work/say0.txt" &
say0=$!
$HS 1 say "$work/cid.raw" >"$work/say1.txt"
wait "$say0"
sleep 1	# the last digit's end packets and audio
kill -TERM "$peer0" "$peer1"
wait "$peer0" "$peer1"
$HS 0 hangup >/dev/null
$HS 1 hangup >/dev/null
check "port 0's call ends: BYE" sipp_wait "$sp0" cid0
check "port 1's call ends: BYE" sipp_wait "$sp1" cid1
# cid_check DIGITS: DIGITS cut into 16-digit messages, compared with the
# messages keyed, and each one's checksum
cid_check() {
	awk -v got="$1" -v want_file="$work/cid.txt" 'BEGIN {
		n = 0
		while ((getline w < want_file) > 0)
			want[n++] = w
		bad = 0
		for (i = 0; i < n; i++) {
			m = substr(got, 16 * i + 1, 16)
			s = 0
			for (j = 1; j <= 16; j++) {
				d = substr(m, j, 1)
				v = d == "0" ? 10 : d == "B" ? 11 : d == "C" ? 12 : d == "D" ? 13 : d == "*" ? 14 : d == "#" ? 15 : d + 0
				s += v
			}
			if (m != want[i] || s % 15 != 0) {
				if (bad < 5)
					printf "message %d: got %s, sent %s\n", i + 1, m, want[i]
				bad++
			}
		}
		extra = length(got) - 16 * n
		printf "%d of %d messages intact, checksums valid; %d digits extra\n", n - bad, n, extra
		exit !(bad == 0 && extra == 0)
	}'
}
oob=$(sed -n 's/^event \(.\)$/\1/p' "$work/cid0.log" | tr -d '\n')
check "RFC 4733: every Contact ID message arrives as events, intact (none lost, corrupted or extra)" \
	cid_check "$oob"
sox -D -t raw -r 8000 -e signed -b 16 -c 1 "$work/cid1.raw" -t raw -r 22050 - 2>/dev/null |
	multimon-ng -q -c -a DTMF -t raw - 2>/dev/null | sed -n 's/^DTMF: //p' | tr -d '\n' >"$work/cid1.txt"
check "in band: multimon-ng decodes every Contact ID message from the far end's audio, intact" \
	cid_check "$(cat "$work/cid1.txt")"
check "in band: no telephone-event sent" \
	grep -q "received, .* 0 events" "$work/cid1.log"

kill "$fxsd_pid"
wait "$fxsd_pid"
rc=$?
fxsd_pid=
check "fxsd exits cleanly on SIGTERM" test "$rc" -eq 0

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
