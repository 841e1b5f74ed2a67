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
#     the phone hears the call-waiting tone; the handset, a Type II phone
#     (handset cpe), hears the alerting signal (2130+2750 Hz) after it and
#     acknowledges with DTMF D; the caller ID spill that follows (Bell 202)
#     decoded by minimodem from the earpiece holds B's number and name;
#     A is inaudible from the tone to the end of the spill, and hears
#     nothing of the D (fxsd keeps it); a third caller gets 486;
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
#   caller ID on call waiting, no ACK: as above with a phone that does not
#     acknowledge (not Type II): the alert, no spill, A back after the
#     window; the waiting caller gives up (CANCEL).
#   caller ID on call waiting, ETSI: fxsd restarted with tone_country =
#     DE: the German call-waiting tone (425 Hz), the DT-AS, the ACK D,
#     the V.23 spill decoded by minimodem (1300/2100 Hz), A inaudible.
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

# cw_audio FILE SAS-HZ MARK SPACE yes|no: the earpiece's recording of a
# call-waiting alert: the SAS (SAS-HZ), the CAS (2130+2750 Hz), the FSK
# spill (at least 8 blocks, after the block that may hold the CAS's end,
# with half their power from 200 Hz below the lower of MARK and SPACE to
# 200 Hz above the higher; "no": there must be none).  A (700 Hz, about -11 dBFS
# when heard) is muted: below -45 dBFS (Hann-windowed Goertzel) in every
# 20 ms block from the SAS to the spill (no spill: to 200 ms after the
# CAS, inside the ACK's window), and below -30 dBFS over the spill as one
# window (the FSK's own sidebands put about -46 dBFS at 700 Hz there);
# and it is heard again after it
cw_audio() {
	python3 - "$@" <<'EOF2'
import math, struct, sys
path, sas_f, mark, space, want_fsk = sys.argv[1], *map(float, sys.argv[2:5]), sys.argv[5] == "yes"
data = open(path, "rb").read()
x = struct.unpack("<%dh" % (len(data) // 2), data[:len(data) // 2 * 2])
def goertzel(b, f):
    c = 2 * math.cos(2 * math.pi * f / 8000)
    s1 = s2 = 0.0
    for v in b:
        s1, s2 = v + c * s1 - s2, s1
    return s1 * s1 + s2 * s2 - c * s1 * s2
def share(b, f, tot):
    return goertzel(b, f) / (tot * len(b) / 2) if tot > len(b) * 100 else 0
HANN = [0.5 - 0.5 * math.cos(2 * math.pi * (n + 0.5) / 160) for n in range(160)]
def dbfs(b, f):      # the level of a sine at f in the block (Hann), dBFS
    amp = 2 * math.sqrt(max(goertzel([v * w for v, w in zip(b, HANN)], f), 1e-9)) / 80
    return 20 * math.log10(amp / 32768 + 1e-12)
blocks = [x[i:i + 160] for i in range(0, len(x) - 159, 160)]
rows = []
for b in blocks:
    tot = sum(v * v for v in b)
    rows.append((share(b, sas_f, tot), share(b, 2130, tot) > 0.3 and share(b, 2750, tot) > 0.3,
                 sum(share(b, f, tot) for f in range(int(min(mark, space)) - 200, int(max(mark, space)) + 250, 50)),
                 dbfs(b, 700), share(b, 700, tot)))
sas = [i for i, r in enumerate(rows) if r[0] > 0.3]
cas = [i for i, r in enumerate(rows) if r[1]]
if not sas or not cas:
    print("no SAS (%d blocks) or no CAS (%d blocks)" % (len(sas), len(cas)))
    sys.exit(1)
fsk = [i for i, r in enumerate(rows) if i > cas[-1] + 1 and r[2] > 0.5]
print("SAS from %d ms (%d blocks), CAS %d-%d ms, FSK blocks %d%s" %
      (sas[0] * 20, len(sas), cas[0] * 20, cas[-1] * 20 + 20, len(fsk),
       " (%d-%d ms)" % (fsk[0] * 20, fsk[-1] * 20 + 20) if fsk else ""))
if want_fsk and len(fsk) < 8:
    print("no spill after the CAS")
    sys.exit(1)
if not want_fsk and fsk:
    print("a spill after the CAS, though nothing acknowledged it")
    sys.exit(1)
def level(seg, f):   # a sine at f over the whole segment (Hann), dBFS
    n = len(seg)
    w = [0.5 - 0.5 * math.cos(2 * math.pi * (k + 0.5) / n) for k in range(n)]
    return 20 * math.log10(2 * math.sqrt(max(goertzel([v * u for v, u in zip(seg, w)], f), 1e-9)) / (n / 2) / 32768 + 1e-12)
end = fsk[-1] if fsk else cas[-1] + 10
quiet_to = fsk[0] if fsk else end
before = [r[3] for r in rows[:max(sas[0] - 1, 0)]]
muted = [r[3] for r in rows[sas[0] + 1:quiet_to]]
spill = level(x[fsk[0] * 160:(fsk[-1] + 1) * 160], 700) if fsk else -200
after = [i for i, r in enumerate(rows) if i > end + 1 and r[4] > 0.3]
print("A (700 Hz) before the alert: %.1f dBFS at most; from the SAS to the spill (blocks %d-%d): %.1f dBFS at most; over the spill: %.1f dBFS; heard again at %s ms" %
      (max(before) if before else float("nan"), sas[0] + 1, quiet_to - 1, max(muted), spill,
       after[0] * 20 if after else "never"))
sys.exit(0 if max(muted) < -45 and spill < -30 and after else 1)
EOF2
}
# cw_spill FILE NUMBER NAME [MINIMODEM-ARGS]: minimodem finds in the
# recording a caller ID message (MDMF / ETSI call set-up 0x80) with a good
# checksum whose number (parameter 0x02) and name (0x07) are NUMBER, NAME
cw_spill() {
	local f=$1 num=$2 name=$3

	shift 3
	sox -t raw -r 8000 -e signed -b 16 -c 1 "$f" "$f.wav" &&
	minimodem --rx 1200 "$@" -q -f "$f.wav" >"$f.bytes" 2>/dev/null
	python3 - "$f.bytes" "$num" "$name" <<'EOF2'
import sys
b = open(sys.argv[1], "rb").read()
for i in range(len(b)):
    if b[i] != 0x80 or i + 2 + b[i + 1] >= len(b):
        continue
    msg = b[i:i + 3 + b[i + 1]]
    if sum(msg) % 256:
        continue
    p, got = msg[2:-1], {}
    while len(p) >= 2:
        got[p[0]] = p[2:2 + p[1]].decode("ascii", "replace")
        p = p[2 + p[1]:]
    print("caller ID message:", got)
    sys.exit(0 if got.get(2) == sys.argv[2] and got.get(7) == sys.argv[3] else 1)
print("no caller ID message in", b.hex())
sys.exit(1)
EOF2
}

# --- call waiting, flash to take it, flash to swap back
log0=$(wc -l <"$work/fxsd.log")
peer a cw_a.xml 5070 6060 a
check "call waiting: the phone rings for A" $HS 0 wait-ring 15000
$HS 0 lift >/dev/null
check "call waiting: in a call with A" wait_state in-call 15
check "call waiting: the phone hears A (700 Hz)" hears 700
# the handset is a Type II phone: it records the earpiece and answers the
# alerting signal with D
hs_bg 0 cpe 6000 "$work/cw_bell.raw" D >"$work/cw_bell.cpe"
cpe=$hs_pid
peer b cw_b.xml 5072 6062 b
wait $cpe
sed 's/^/# /' "$work/cw_bell.cpe"
# the tone: a 440 Hz burst of about 300 ms (US), then the CAS, the ACK and
# the spill, the far party muted meanwhile
check "call waiting: the phone hears the call-waiting tone (440 Hz), the CAS after it, the spill after the ACK; A inaudible throughout" \
	cw_audio "$work/cw_bell.raw" 440 1200 2200 yes
check "caller ID on call waiting: the handset heard the CAS and keyed D" \
	grep -q "ACK D keyed" "$work/cw_bell.cpe"
check "caller ID on call waiting: fxsd took the D as the ACK and kept it from A" \
	logged 5 "DTMF D .*taken by caller ID on call waiting"
check "caller ID on call waiting: fxsd sent the spill after it" \
	logged 5 "spill sent after the phone.s acknowledgement D"
check "caller ID on call waiting: minimodem (Bell 202) decodes B's number and name" \
	cw_spill "$work/cw_bell.raw" 2002 "Second Caller"
check "caller ID on call waiting: the D never went to A" \
	sh -c "! tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -qE 'DTMF D \\([0-9]+ ms\\), sent'"
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
hs_bg 0 record-line 5000 "$work/mwi_on.raw" >"$work/mwi_on.obs"
rec=$hs_pid
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
		hs_bg 0 record-tone 2700 "$work/dialtone.raw" >/dev/null
		rec=$hs_pid
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
hs_bg 0 record-line 5000 "$work/mwi_off.raw" >"$work/mwi_off.obs"
rec=$hs_pid
$HS 0 hangup >/dev/null
wait $rec
check "message waiting: after hanging up the lamp spill turns the lamp off (VI 0x00)" \
	lamp_spill "$work/mwi_off.raw" 0x00
check "message waiting: the dial tone is steady again" dial_tone_is --continuous

# --- caller ID on call waiting: a phone that does not acknowledge; then
# the ETSI variant.  cw_waiting CASE ACK SAS-HZ MARK SPACE [MINIMODEM..]:
# A (media_call_in.xml, 700 Hz) calls and is answered; W (call_in_cancel:
# 2003 "Waiting Caller") calls and gives up after 6 s; the handset
# acknowledges with ACK (or none) and records the alert
cw_waiting() {
	local name=$1 ack=$2 sas=$3 mark=$4 space=$5

	shift 5
	log0=$(wc -l <"$work/fxsd.log")
	$RTPEER 6060 --play "$work/a.raw" --secs 60 >"$work/$name-a.rtpeer" 2>&1 &
	peers+=" $!"
	sipp_bg "$name-a" 127.0.0.1:5060 -sf tests/sipp/media_call_in.xml -s 1000 \
		-i 127.0.0.1 -p 5070 -mp 7000 -key rtpport 6060
	sp_a=$sp
	check "$name: the phone rings for A" $HS 0 wait-ring 15000
	$HS 0 lift >/dev/null
	check "$name: in a call with A" wait_state in-call 15
	check "$name: the phone hears A (700 Hz)" hears 700
	hs_bg 0 cpe 6000 "$work/$name.raw" "$ack" >"$work/$name.cpe"
	cpe=$hs_pid
	sipp_bg "$name-w" 127.0.0.1:5060 -sf tests/sipp/call_in_cancel.xml -s 1000 \
		-i 127.0.0.1 -p 5072 -mp 7020 -key cnum 2003 -key cname "Waiting Caller"
	sp_w=$sp
	wait $cpe
	sed 's/^/# /' "$work/$name.cpe"
	if [ "$ack" = none ]; then
		check "$name: the alert and no spill; A inaudible in the ACK's window, back after it" \
			cw_audio "$work/$name.raw" "$sas" "$mark" "$space" no
		check "$name: fxsd heard no acknowledgement and sent no spill" \
			logged 5 "no acknowledgement, no spill"
	else
		check "$name: the SAS ($sas Hz), the DT-AS, the spill after the ACK; A inaudible throughout" \
			cw_audio "$work/$name.raw" "$sas" "$mark" "$space" yes
		check "$name: the handset heard the DT-AS and keyed $ack" \
			grep -q "ACK $ack keyed" "$work/$name.cpe"
		check "$name: fxsd sent the spill after the acknowledgement" \
			logged 5 "spill sent after the phone.s acknowledgement $ack"
		check "$name: minimodem decodes the waiting caller's number and name" \
			cw_spill "$work/$name.raw" 2003 "Waiting Caller" "$@"
	fi
	check "$name: the waiting caller gives up (CANCEL, 487)" sipp_wait "$sp_w" "$name-w"
	$HS 0 hangup >/dev/null
	check "$name: A's scenario passes (the phone's BYE)" sipp_wait "$sp_a" "$name-a"
	wait_state idle 10 >/dev/null
	peers_end
}
cw_waiting cidcw-no-ack none 440 1200 2200

stop_fxsd

# the same boot, fxsd again with the German tones and ETSI caller ID
kill "$dbus_pid" 2>/dev/null
dbus_pid=
rm -f "$work/system_bus_socket"
sed -i 's/^tone_country = US$/tone_country = DE/' "$work/fxsd.conf"
start_fxsd
cw_waiting cidcw-etsi D 425 1300 2100 -M 1300 -S 2100

stop_fxsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
