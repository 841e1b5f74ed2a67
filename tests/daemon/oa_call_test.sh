#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# oa_call_test.sh - offer/answer (RFC 3264) and RTP source checks through
# the real stack, run inside the VM (tests/vm/run --
# tests/daemon/oa_call_test.sh): the fxs and fxs_loop modules, fxsd, sipp
# for the far end's signalling and tests/daemon/rtp_farend.py (or sipp's
# echo) for its media.  The setup is call_test.sh's (lib.sh).  The loopback
# handset (tests/daemon/handset) is the person at the phone.
#
# Part of `make check`: tests/check runs it in the VM boot of call_test.sh
# and flood_test.sh (tests/vm/suites).  Everything it waits for is a
# condition with a bound, and the far end hangs up only when the phone
# does, so a loaded machine makes it slower, not wrong.
#
# Exit 4 (skip) without /dev/fxs0 or sipp.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }

work=$(mktemp -d /tmp/fxs-oa.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
trap cleanup EXIT

call_conf
start_fxsd

# --- offer/answer (RFC 3264) and whose RTP counts.  The far end's
# media is tests/daemon/rtp_farend.py, which echoes what fxsd sends and
# logs every packet it gets as "MS PORT PT LEN" in $work/NAME.rtp; fxsd's
# own count of the packets it took comes from fxsctl.  (The handset's
# cross-correlation needs sipp's fast echo: the late offer call uses it.)
FAREND=tests/daemon/rtp_farend.py
CTL=daemon/fxsctl
# oa_call NAME SCENARIO FARENDARGS...: the far end calls with SCENARIO
# (-key fport/fport2/fport3 = 6060/6062/6064), media on the ports in
# FARENDARGS (none: sipp echoes on 6060 itself); the phone answers; pid of
# sipp in $sp, of the far end's media in $fe; fxsd's log lines before the
# call in $log0
oa_call() {
	local name=$1 scen=$2 echo="-mp 6100"

	shift 2
	# each case from an idle, on-hook port, whatever the one before left
	$HS 0 hangup >/dev/null
	wait_state idle 10 >/dev/null
	log0=$(wc -l <"$work/fxsd.log")
	fe=
	if [ $# -gt 0 ]; then
		python3 "$FAREND" "$work/$name.rtp" 60 "$@" \
			>"$work/$name.farend" 2>&1 &
		fe=$!
	else
		echo="-mp 6060 -rtp_echo"
	fi
	# shellcheck disable=SC2086
	sipp_bg "$name" 127.0.0.1:5060 -sf "tests/sipp/$scen" -s 1000 \
		-i 127.0.0.1 -p 5070 $echo -key fport 6060 \
		-key fport2 6062 -key fport3 6064
	$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
}
# oa_end NAME: the phone hangs up once the case has measured what it
# needs (the far end waits for that BYE, so a slow machine shortens no
# call); stop the media
oa_end() {
	$HS 0 hangup >/dev/null
	check "$1: the scenario passes (SDP checked), the phone's BYE" \
		sipp_wait "$sp" "$1"
	wait_state idle 5 >/dev/null
	if [ -n "$fe" ]; then
		kill -TERM "$fe" 2>/dev/null
		wait "$fe" || sed 's/^/# far end: /' "$work/$1.farend"
	fi
}
# rtp_count NAME PORT [PT]: packets the far end got on PORT (with PT)
rtp_count() {
	awk -v p="$2" -v t="${3:-}" '$2 == p && (t == "" || $3 == t) { n++ }
		END { print n + 0 }' "$work/$1.rtp"
}
# logged SECONDS PATTERN: an extended regex shows up in fxsd's log of
# this call (after its first $log0 lines) within SECONDS
logged() {
	until_ok "$1" sh -c "tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -qE -- '$2'"
}
# rtp_received: the RTP packets fxsd took in the call so far (fails when
# there is no call)
rtp_received() {
	$CTL --json calls | python3 -c "
import json, sys
c = json.load(sys.stdin)
sys.exit('no call') if not c else print(c[0]['rtp_received'])"
}
# rtp_over N SINCE: sets $rx; more than N since SINCE.  Adds "MS:COUNT"
# (ms since $t0) to $polls.
rtp_over() {
	local now

	rx=$(rtp_received 2>/dev/null)
	now_ms
	polls+=" $((now - t0)):${rx:--}"
	[ -n "$rx" ] && [ $((rx - $2)) -gt "$1" ]
}
# rtp_received_over N [SINCE]: fxsd takes more than N RTP packets in the
# call (since it had taken SINCE) within 20 s; prints what each look
# found, when
rtp_received_over() {
	local t0 now r polls=

	now_ms
	t0=$now
	until_ok 20 rtp_over "$1" "${2:-0}" && r=0 || r=1
	echo "fxsd took $((${rx:-0} - ${2:-0})) RTP packets; ms:count since the first look:$polls"
	return $r
}

# 10a. a stranger's RTP packets during set-up take nothing over: the far
# end echoes only 300 ms after fxsd's first packet, and a stranger sends
# 3 packets to fxsd's RTP port the moment it starts sending (before this
# was fixed, fxsd took the stranger's and ignored the far end for good)
oa_call stranger_rtp ata_call_far.xml 6060 --delay 300 --stranger 3
check "stranger RTP: in a call" wait_state in-call 15
check "stranger RTP: fxsd takes the SDP's far end's packets" \
	rtp_received_over 100
oa_end stranger_rtp
check "stranger RTP: fxsd sent to the SDP's address all along" \
	test "$(rtp_count stranger_rtp 6060)" -ge 100

# 10b. a dynamic payload type: 96 PCMA/8000 answered as 96, sent as 96,
# the far end's 96 taken
oa_call dynpt ata_dynamic_pt.xml 6060
check "dynamic PT: in a call" wait_state in-call 15
check "dynamic PT: fxsd takes the far end's PT 96 packets" \
	rtp_received_over 100
oa_end dynpt
echo "# dynamic PT: the far end got $(rtp_count dynpt 6060 96) packets with PT 96, $(rtp_count dynpt 6060 8) with PT 8"
check "dynamic PT: fxsd sends A-law as 96, never as 8" sh -c \
	"[ $(rtp_count dynpt 6060 96) -ge 100 ] && [ $(rtp_count dynpt 6060 8) -eq 0 ]"

# 10c. late offer: no SDP in the INVITE, ours in the 200, the answer in
# the ACK starts the media (sipp echoes on the port that answer names)
oa_call late ata_late_offer.xml
check "late offer: in a call" wait_state in-call 15
# the phone is in-call when it answers; the media waits for the ACK
check "late offer: the ACK's answer starts the media" \
	logged 15 "Media 127.0.0.1:6060 .*, sending"
check "late offer: audio both ways" talk 0
oa_end late

# 10d. hold and resume: the re-INVITE with a=sendonly (new port 6062) is
# answered recvonly and fxsd stops sending; the one with a=sendrecv (new
# port 6064) resumes it there
oa_call hold ata_hold.xml 6060 6062 6064
check "hold: in a call" wait_state in-call 15
# while on hold nothing is sent, so the far end echoes nothing: what
# fxsd took by then is what it took before the resume
check "hold: the re-INVITE with a=sendonly stops the sending" \
	logged 15 "Media 127.0.0.1:6062 .*, not sending \(hold\)"
rtp_received_over 0 >/dev/null
held=$rx
check "hold: the re-INVITE with a=sendrecv resumes it" \
	logged 15 "Media 127.0.0.1:6064 .*, sending"
check "hold: after the resume fxsd takes the far end's packets again" \
	rtp_received_over 100 "${held:-0}"
oa_end hold
awk '{ n[$2]++; if (!($2 in a)) a[$2] = $1; z[$2] = $1 }
	END { for (p in n) printf "# port %s: %d packets, %d-%d ms\n", p, n[p], a[p], z[p] }' \
	"$work/hold.rtp"
check "hold: nothing sent while on hold (not to the hold address)" \
	test "$(rtp_count hold 6062)" -eq 0
check "hold: the resume moved the RTP to the new address" \
	test "$(rtp_count hold 6064)" -ge 100
check "hold: no packet for 2 s and more between hold and resume" awk '
	$2 == 6060 { last = $1 } $2 == 6064 && !first { first = $1 }
	END { exit !(first && first - last >= 2000) }' "$work/hold.rtp"

# 10e. an offer without a codec we take: 488 with a Warning, no ring
sipp_bg nocodec 127.0.0.1:5060 -sf tests/sipp/uac_no_codec.xml -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6100
check "no usable codec: 488 with Warning 305" sipp_wait "$sp" nocodec
check "no usable codec: the phone does not ring" sh -c "! $HS 0 wait-ring 1500"
check "no usable codec: state idle" wait_state idle 1

stop_fxsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
