#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# features_test.sh - two calls on one line through the real stack, run
# inside the VM (tests/vm/run -- tests/daemon/features_test.sh): the fxs
# and fxs_loop modules, fxsd, sipp instances as the far ends' signalling
# and tests/daemon/rtpeer as their media, each far end playing its own
# tone (A 700 Hz, B 1300 Hz), so that which party the phone hears is
# measured at the earpiece by the loopback handset.
#
#   call waiting: A calls and is answered; B calls: B gets 180 (not 486),
#     the phone hears the call-waiting tone; a third caller gets 486;
#     a flash takes B (200) and holds A (re-INVITE a=sendonly); the phone
#     hears B; a flash swaps back (B held, A resumed); the phone hears A;
#     B hangs up while held; the phone hangs up on A.
#   recall: A calls and is answered; a flash holds A and gives dial tone;
#     the phone hangs up: it rings back; lifting it takes A back (re-INVITE
#     a=sendrecv); the phone hears A.
#   3-way call: A calls and is answered; a flash holds A; the phone
#     dials C (2002) who answers; a flash joins the three: the phone hears
#     A and C, A's recording holds C (and not A itself), C's holds A;
#     hanging up ends both.
#   attended transfer: A calls and is answered; a flash holds A; the phone
#     dials C, who answers; the phone hangs up: A gets a REFER whose
#     Refer-To carries Replaces of C's dialog, answers 202 and NOTIFYs 200;
#     fxsd then ends both calls (BYE to A and C).
#   blind transfer: the same, but the phone hangs up while C rings: A
#     gets a REFER to C's number without Replaces; C gets our CANCEL.
#   failed transfer: as the blind one, but A's NOTIFY says 486: the phone
#     rings for A, lifting it takes A back (a=sendrecv) and hears A.
#   transferred: A calls and is answered, then REFERs the ATA to C; the
#     ATA calls C (the phone still hears A), C answers: A gets NOTIFY 100
#     then 200 and the ATA's BYE; the phone hears C.
#   message waiting: an unsolicited NOTIFY (message-summary) says 2 new
#     messages: the on-hook lamp spill, decoded by minimodem from the
#     earpiece, turns the lamp on (MDMF 0x82, visual indicator 0xff);
#     fxsctl shows the count; lifting gives the stutter dial tone (10
#     interruptions of 100 ms, then steady: analyze); "no", sent while
#     the phone is off hook, turns the lamp off (0x00) once it is hung
#     up, and the dial tone is steady again.
#
# Part of `make check` (tests/check), in the VM boot of call_test.sh.
# Exit 4 (skip) without /dev/fxs0 or sipp.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }

work=$(mktemp -d /tmp/fxs-features.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
peers=
cleanup() {
	[ -n "${fxsd_pid:-}" ] && kill "$fxsd_pid" 2>/dev/null
	[ -n "${dbus_pid:-}" ] && kill "$dbus_pid" 2>/dev/null
	# shellcheck disable=SC2086
	[ -n "$peers" ] && kill $peers 2>/dev/null
	pkill -x sipp 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

call_conf
# the far ends call from ports of their own (5070, 5072, 5074): only
# 5070 is the "provider"
echo "allow_unknown_callers = yes" >>"$work/fxsd.conf"
start_fxsd
RTPEER=tests/daemon/rtpeer

# the far ends' voices: 120 s of a steady tone each, about -10 dBm0
python3 - "$work" <<'EOF'
import math, struct, sys
for name, f in (("a", 700), ("b", 1300)):
    with open(f"{sys.argv[1]}/{name}.raw", "wb") as out:
        out.write(b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * f * n / 8000)))
                           for n in range(8000 * 120)))
EOF

# peer NAME SCENARIO SIPPORT MEDIAPORT TONE: a far end calls the phone;
# sipp's pid in $sp_NAME, rtpeer's added to $peers (sipp's own media
# ports, unused, are 7000 + 10 per SIP port above 5070: it binds a few)
peer() {
	local name=$1 scen=$2 port=$3 mport=$4

	$RTPEER "$mport" --play "$work/$5.raw" --secs 150 \
		>"$work/$name.rtpeer" 2>&1 &
	peers+=" $!"
	sipp_bg "$name" 127.0.0.1:5060 -sf "tests/sipp/$scen" -s 1000 \
		-i 127.0.0.1 -p "$port" -mp $((7000 + (port - 5070) * 10)) -key fport "$mport"
	eval "sp_$name=\$sp"
}
# logged SECONDS PATTERN: an extended regex in fxsd's log since $log0
logged() {
	until_ok "$1" sh -c "tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -qE -- '$2'"
}
# hears FREQ: the phone hears FREQ Hz in most of 1.5 s, within 10 s (the
# re-INVITE and the far end's first packets take a moment)
hears() {
	until_ok 10 $HS 0 hear "$1" 1500 60
}

# --- call waiting, flash to take it, flash to swap back
log0=$(wc -l <"$work/fxsd.log")
peer a cw_a.xml 5070 6060 a
check "call waiting: the phone rings for A" $HS 0 wait-ring 15000
$HS 0 lift >/dev/null
check "call waiting: in a call with A" wait_state in-call 15
check "call waiting: the phone hears A (700 Hz)" hears 700
peer b cw_b.xml 5072 6062 b
# the tone: a 440 Hz burst of about 300 ms (US), the far party muted
# meanwhile; listened for over the next 4 s
check "call waiting: the phone hears the call-waiting tone (440 Hz)" \
	$HS 0 hear 440 4000 4
check "call waiting: fxsd keeps B waiting" logged 10 "Call waiting: .*2002"
sipp_bg c 127.0.0.1:5060 -sf tests/sipp/cw_c.xml -s 1000 \
	-i 127.0.0.1 -p 5074 -mp 7040 -key fport 6064
check "call waiting: a third caller gets 486" sipp_wait "$sp" c
$HS 0 flash >/dev/null
check "call waiting: a flash takes B (fxsd's feature machine: held)" \
	logged 10 "Feature call-waiting => held on flash-talking"
check "call waiting: fxsd holds A" logged 15 "Holding the call with .*2001"
check "call waiting: the phone hears B (1300 Hz)" hears 1300
check "call waiting: and no longer A" sh -c "! $HS 0 hear 700 1000 30"
$HS 0 flash >/dev/null
check "call waiting: a second flash swaps back: the phone hears A" hears 700
check "call waiting: B was held, then hung up: one call left" \
	logged 20 "Feature held => single on other-ended"
check "call waiting: B's scenario passes (180, 200, held, BYE)" \
	sipp_wait "$sp_b" b
$HS 0 hangup >/dev/null
check "call waiting: A's scenario passes (held, resumed, the phone's BYE)" \
	sipp_wait "$sp_a" a
wait_state idle 10 >/dev/null

# --- hold, hang up, rung back
log0=$(wc -l <"$work/fxsd.log")
peer r cw_a.xml 5070 6066 a
check "recall: the phone rings for A" $HS 0 wait-ring 15000
$HS 0 lift >/dev/null
check "recall: in a call with A" wait_state in-call 15
$HS 0 flash >/dev/null
check "recall: a flash holds A and gives dial tone" \
	logged 10 "in-call -> dial-tone on flash-talking"
check "recall: the phone hears dial tone (350+440 Hz)" \
	until_ok 10 $HS 0 hear 350 1000 60
$HS 0 hangup >/dev/null
check "recall: hanging up with A on hold rings the phone" \
	$HS 0 wait-ring 10000
$HS 0 lift >/dev/null
check "recall: lifting takes A back" \
	logged 10 "Feature recall => single on offhook"
check "recall: the phone hears A (700 Hz)" hears 700
$HS 0 hangup >/dev/null
check "recall: A's scenario passes (held, resumed, the phone's BYE)" \
	sipp_wait "$sp_r" r
wait_state idle 10 >/dev/null

# --- the 3-way call
# heard FILE FREQ: how many 20 ms blocks of a far end's recording hold
# FREQ Hz strongly (Goertzel power over 30 % of the block's)
heard() {
	python3 - "$1" "$2" <<'EOF2'
import math, struct, sys
data = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(data) // 2), data[:len(data) // 2 * 2])
f = float(sys.argv[2])
c = 2 * math.cos(2 * math.pi * f / 8000)
hits = 0
for i in range(0, len(x) - 160, 160):
    s1 = s2 = tot = 0.0
    for v in x[i:i + 160]:
        s1, s2 = v + c * s1 - s2, s1
        tot += v * v
    if tot > 160 * 100 and (s1 * s1 + s2 * s2 - c * s1 * s2) / (tot * 80) > 0.3:
        hits += 1
print(hits)
EOF2
}
# two_parties CASE A-SCENARIO A-MEDIAPORT [A-RECORD C-RECORD]: C (sipp
# on 5070 with $C_SCEN, default conf_c.xml, the number 2002, media 6064
# playing 1300 Hz) waits for the
# phone's call; A (sipp on 5072 with A-SCENARIO, media A-MEDIAPORT playing
# 700 Hz) calls the phone, which answers; the media ends recorded to the
# files given.  sipp's pids in $sp_a and $sp_c.
two_parties() {
	local name=$1 scen=$2 aport=$3

	log0=$(wc -l <"$work/fxsd.log")
	$RTPEER 6064 --play "$work/b.raw" ${5:+--record "$5"} --secs 120 \
		>"$work/$name-c.rtpeer" 2>&1 &
	peers+=" $!"
	$RTPEER "$aport" --play "$work/a.raw" ${4:+--record "$4"} --secs 120 \
		>"$work/$name-a.rtpeer" 2>&1 &
	peers+=" $!"
	sipp_bg "$name-c" -sf "tests/sipp/${C_SCEN:-conf_c.xml}" -i 127.0.0.1 -p 5070 \
		-mp 7000 -key fport 6064
	sp_c=$sp
	sipp_bg "$name-a" 127.0.0.1:5060 -sf "tests/sipp/$scen" -s 1000 \
		-i 127.0.0.1 -p 5072 -mp 7020 -key fport "$aport"
	sp_a=$sp
	check "$name: the phone rings for A" $HS 0 wait-ring 15000
	$HS 0 lift >/dev/null
	check "$name: in a call with A" wait_state in-call 15
}
# hold_and_dial_c CASE [STATE WHAT]: a flash holds A and gives dial tone;
# the phone dials 2002 and the call reaches STATE (default: C answers)
hold_and_dial_c() {
	$HS 0 flash >/dev/null
	check "$1: a flash holds A and gives dial tone" \
		logged 10 "in-call -> dial-tone on flash-talking"
	$HS 0 dial 2002 >/dev/null
	check "$1: ${3:-C answers the number dialled}" \
		wait_state "${2:-in-call}" 20
}
# blind_transfer CASE: A held, C (blind_c.xml) ringing, the phone hangs
# up: A gets a REFER to C's number
blind_transfer() {
	hold_and_dial_c "$1" ringback "C rings"
	$HS 0 hangup >/dev/null
	check "$1: hanging up while C rings sends A a REFER to C's number" \
		logged 10 "Blind transfer of .*2001.* to 2002"
}
# c_cancelled CASE: C's scenario (blind_c.xml) passed; the line is idle
c_cancelled() {
	check "$1: C's scenario passes (180, the ATA's CANCEL, 487)" \
		sipp_wait "$sp_c" "$1-c"
	wait_state idle 10 >/dev/null
	peers_end
}
# peers_end: the far ends' media stop
peers_end() {
	# shellcheck disable=SC2086
	kill $peers 2>/dev/null
	# shellcheck disable=SC2086
	wait $peers 2>/dev/null
	peers=
}
two_parties 3-way cw_a.xml 6070 "$work/a3.rec" "$work/c3.rec"
hold_and_dial_c 3-way
check "3-way: the phone hears C (1300 Hz)" hears 1300
$HS 0 flash >/dev/null
check "3-way: a flash joins the three" \
	logged 10 "Feature held => conference on flash-join"
check "3-way: the phone hears A (700 Hz)" hears 700
check "3-way: the phone hears C (1300 Hz) at the same time" \
	until_ok 10 $HS 0 hear 1300 1500 60
sleep 3	# the far ends' recordings of the conference
$HS 0 hangup >/dev/null
check "3-way: hanging up ends both: A's scenario passes (held, resumed, BYE)" \
	sipp_wait "$sp_a" 3-way-a
check "3-way: C's scenario passes (answered, BYE)" sipp_wait "$sp_c" 3-way-c
wait_state idle 10 >/dev/null
peers_end
a_c=$(heard "$work/a3.rec" 1300)
a_a=$(heard "$work/a3.rec" 700)
c_a=$(heard "$work/c3.rec" 700)
echo "# A's recording: C's 1300 Hz in $a_c blocks, its own 700 Hz in $a_a; C's: A's 700 Hz in $c_a"
check "3-way: A hears C (1300 Hz in 2 s and more of A's recording)" \
	test "${a_c:-0}" -ge 100
check "3-way: A does not hear itself" test "${a_a:-0}" -lt $((${a_c:-0} / 4 + 1))
check "3-way: C hears A (700 Hz in 2 s and more of C's recording)" \
	test "${c_a:-0}" -ge 100

# --- attended transfer on hang-up
two_parties transfer xfer_a.xml 6072
hold_and_dial_c transfer
$HS 0 hangup >/dev/null
check "transfer: hanging up talking to C sends A a REFER (attended)" \
	logged 10 "Attended transfer of .*2001.* to "
check "transfer: A's NOTIFY (sipfrag 200) completes it" \
	logged 20 "Feature transfer => single on refer-ok"
check "transfer: A's scenario passes (held, REFER with Replaces, 202, NOTIFY, the BYE)" \
	sipp_wait "$sp_a" transfer-a
check "transfer: C's scenario passes (answered, the BYE)" \
	sipp_wait "$sp_c" transfer-c
wait_state idle 10 >/dev/null
peers_end

# --- blind transfer on hang-up (C still ringing)
C_SCEN=blind_c.xml two_parties blind xfer_blind_a.xml 6076
blind_transfer blind
check "blind: A's NOTIFY (sipfrag 200) completes it" \
	logged 20 "Feature transfer => single on refer-ok"
check "blind: A's scenario passes (held, REFER without Replaces, 202, NOTIFY, the BYE)" \
	sipp_wait "$sp_a" blind-a
c_cancelled blind

# --- a transfer that fails: the phone rings for the held call
C_SCEN=blind_c.xml two_parties failed xfer_fail_a.xml 6078
blind_transfer failed
check "failed: A's NOTIFY 486 fails it: the phone rings for A" \
	logged 20 "Feature transfer => recall on refer-failed"
check "failed: the phone rings" $HS 0 wait-ring 10000
$HS 0 lift >/dev/null
check "failed: lifting takes A back" logged 10 "Feature recall => single on offhook"
check "failed: the phone hears A (700 Hz)" hears 700
$HS 0 hangup >/dev/null
check "failed: A's scenario passes (held, REFER, 202, NOTIFY 486, resumed, the BYE)" \
	sipp_wait "$sp_a" failed-a
c_cancelled failed

# --- the far end transfers us (REFER received)
two_parties transferred refer_in_a.xml 6074
check "transferred: A's REFER makes fxsd call C" \
	logged 15 "Transferred by .*2001.* to sip:2002@"
check "transferred: C answers: the phone talks to C" \
	logged 20 "Feature transferred => single on other-answered"
check "transferred: the phone hears C (1300 Hz)" hears 1300
check "transferred: A's scenario passes (202, NOTIFY 100 then 200, the BYE)" \
	sipp_wait "$sp_a" transferred-a
$HS 0 hangup >/dev/null
check "transferred: C's scenario passes (answered, the phone's BYE)" \
	sipp_wait "$sp_c" transferred-c
wait_state idle 10 >/dev/null
peers_end

# --- message waiting
# notify WAITING COUNTS: the provider's NOTIFY, answered 200
notify() {
	sipp 127.0.0.1:5060 -sf tests/sipp/mwi_notify.xml -s 1000 -i 127.0.0.1 \
		-p 5070 -mp 7000 -key waiting "$1" -key counts "$2" -nostdin -m 1 \
		-timeout 30 -timeout_error >"$work/notify.out" 2>&1
}
# lamp_spill FILE BYTE: minimodem (Bell 202, 1200 baud) finds in the
# recording an MDMF message-waiting message (0x82) with a good checksum
# whose visual indicator (parameter 0x0b) is BYTE
lamp_spill() {
	sox -t raw -r 8000 -e signed -b 16 -c 1 "$1" "$1.wav" &&
	minimodem --rx 1200 -q -f "$1.wav" >"$1.bytes" 2>/dev/null
	python3 - "$1.bytes" "$2" <<'EOF2'
import sys
b = open(sys.argv[1], "rb").read()
want = int(sys.argv[2], 0)
for i in range(len(b)):
    if b[i] != 0x82 or i + 2 + b[i + 1] >= len(b):
        continue
    msg = b[i:i + 3 + b[i + 1]]
    if sum(msg) % 256:
        continue
    p = msg[2:-1]
    while len(p) >= 2:
        if p[0] == 0x0B and p[1] == 1:
            print("visual indicator 0x%02x" % p[2])
            sys.exit(0 if p[2] == want else 1)
        p = p[2 + p[1]:]
print("no MDMF message-waiting message in", b.hex())
sys.exit(1)
EOF2
}
log0=$(wc -l <"$work/fxsd.log")
$HS 0 record-line 5000 "$work/mwi_on.raw" >"$work/mwi_on.obs" &
rec=$!
check "message waiting: the provider's NOTIFY gets 200" notify yes "2/1 (0/0)"
wait $rec
check "message waiting: fxsd takes it" logged 5 "Messages waiting: yes \(2 new, 1 old\)"
check "message waiting: the lamp spill turns the lamp on (minimodem: 0x82, VI 0xff)" \
	lamp_spill "$work/mwi_on.raw" 0xff
check "message waiting: fxsctl shows 2 new messages" sh -c \
	"daemon/fxsctl --json status | grep -q '\"messages_waiting\":true,\"new_messages\":2'"
# dial_tone_is ANALYZE-ARGS...: the dial tone from lifting the handset,
# recorded from the silence before it, measured by analyze; a recording
# with a gap fxsd caused (an underrun: late under emulation) is made
# again, up to 3 times
dial_tone_is() {
	local try u0 rec

	for try in 1 2 3; do
		u0=$(underruns 0)
		$HS 0 record-tone 2700 "$work/dialtone.raw" >/dev/null &
		rec=$!
		sleep 0.5
		$HS 0 lift >/dev/null
		wait $rec
		$HS 0 hangup >/dev/null
		wait_state idle 10 >/dev/null
		tests/daemon/analyze tone "$work/dialtone.raw" --freqs 350,440 "$@" &&
			return 0
		[ "$(underruns 0)" -gt "$u0" ] || return 1
		echo "# fxsd was late (underruns): measuring again"
	done
	return 1
}
stutter=$(printf '100,%.0s' $(seq 19))100
check "message waiting: stutter dial tone (350+440 Hz, 10 x 100 ms off, then steady)" \
	dial_tone_is --once "$stutter"
# this NOTIFY comes while the phone is off hook: the lamp waits, and goes
# once the phone is hung up (its retry outlives the dial tone's timers)
$HS 0 lift >/dev/null
check "message waiting: the NOTIFY that none wait gets 200 (off hook)" \
	notify no "0/1 (0/0)"
$HS 0 record-line 5000 "$work/mwi_off.raw" >"$work/mwi_off.obs" &
rec=$!
sleep 0.3
$HS 0 hangup >/dev/null
wait $rec
check "message waiting: after hanging up the lamp spill turns the lamp off (VI 0x00)" \
	lamp_spill "$work/mwi_off.raw" 0x00
check "message waiting: the dial tone is steady again" dial_tone_is --continuous

stop_fxsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
