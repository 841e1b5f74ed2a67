#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# services_test.sh - the per-port services that decide what an incoming
# call does, through the real stack, run inside the VM (tests/vm/run --
# tests/daemon/services_test.sh): the fxs and fxs_loop modules, fxsd,
# sipp far ends that call the phone (tests/sipp/svc_*.xml) and check
# the answers, the loopback handset's ringer watched for rings.
#
#   the services from the config on D-Bus (fxsctl --json): anonymous
#     rejection on, the no-answer delay 4 s;
#   anonymous rejection: From anonymous@anonymous.invalid gets 433, and
#     so does "Privacy: id" without a P-Asserted-Identity; the phone
#     never rings;
#   do not disturb (fxsctl dnd 0 on, shown on D-Bus): 486, no ring; with
#     forward_busy set the call goes there instead (302, Diversion
#     reason=do-not-disturb);
#   forward all (fxsctl forward 0 all 2099): 302, Contact
#     <sip:2099@domain>, Diversion <sip:1000@domain>;reason=unconditional;
#     counter=1, no ring;
#   forward busy with call waiting off: in a call, a second caller gets
#     302 to forward_busy (reason=user-busy);
#   forward on no answer (fxsctl forward 0 no-answer 2098, 4 s): the
#     phone rings (an unknown Alert-Info: the usual 2 s burst), 302
#     (reason=no-answer) 4 s after the first ring, and it rings no more;
#   distinctive ring: Alert-Info <http://127.0.0.1/Bellcore-dr2> rings
#     800,400,800,4000 (measured at the ringer), and the caller ID
#     (minimodem) goes out in the 4 s silence, not the 400 ms one;
#     "Alert-Info: info=alert-external" rings the port's ring_alert
#     for that token (400,200,400,2000).
#
# Part of `make check` (tests/check), in the VM boot of call_test.sh.
# Exit 4 (skip) without /dev/fxs0 or sipp.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }

work=$(mktemp -d /tmp/fxs-services.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
trap cleanup EXIT
CTL=daemon/fxsctl
AN=tests/daemon/analyze

call_conf
cat >>"$work/fxsd.conf" <<EOF
allow_unknown_callers = yes
call_waiting = no
anonymous_reject = yes
forward_no_answer_secs = 4
ring_alert = alert-external 400,200,400,2000
EOF
start_fxsd

# svc NAME SCENARIO CALLER [HDR [FROMHOST [NAME]]]: a far end (sipp on
# $SVC_PORT, default 5072) calls the phone with SCENARIO; sipp's pid in
# $sp, its log (-trace_logs: the 302's headers) in $work/NAME.log
svc() {
	local port=${SVC_PORT:-5072}

	sipp_bg "$1" 127.0.0.1:5060 -sf "tests/sipp/$2" -s 1000 -i 127.0.0.1 \
		-p "$port" -mp $((7000 + (port - 5070) * 10)) -key fport 6070 \
		-key caller "$3" -key hdr "${4:-X-Svc: none}" \
		-key fromhost "${5:-127.0.0.1:$port}" \
		-key name "${6:-Caller}" -trace_logs -log_file "$work/$1.log"
}
# no_ring NAME SCENARIO CALLER [HDR [FROMHOST]]: the call's scenario
# passes and the phone does not ring meanwhile (the ringer watched for
# 3 s from before the INVITE)
no_ring() {
	local watch

	hs_bg 0 ring-cadence 3000 >"$work/$1.ring" 2>&1
	watch=$hs_pid
	svc "$@"
	check "$1: the far end's scenario passes" sipp_wait "$sp" "$1"
	wait "$watch"
	check "$1: the phone never rings" grep -q "silent" "$work/$1.ring"
}
# forwarded NAME CONTACT DIVERSION: the 302 that NAME's sipp logged
forwarded() {
	check "$1: 302 Contact: $2" grep -qF "302 Contact: $2" "$work/$1.log"
	check "$1: 302 Diversion: $3" grep -qF "302 Diversion: $3" "$work/$1.log"
}
# prop NAME VALUE: fxsctl --json shows "NAME":VALUE for port 0
prop() {
	$CTL --json status | grep -qF "\"$1\":$2"
}
# logged SECONDS PATTERN: an extended regex in fxsd's log since $log0
logged() {
	until_ok "$1" sh -c "tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -qE -- '$2'"
}
AOR="<sip:1000@127.0.0.1:5070>"

# --- the services as configured, on D-Bus
check "D-Bus: anonymous rejection on from the config" prop anonymous_reject true
check "D-Bus: do not disturb off" prop dnd false
check "D-Bus: no forwarding" prop forward_all '""'
check "D-Bus: the no-answer delay is 4 s" prop forward_no_answer_secs 4

# --- anonymous call rejection
log0=$(wc -l <"$work/fxsd.log")
no_ring anonymous svc_433.xml anonymous "X-Svc: none" anonymous.invalid
check "anonymous: fxsd's call machine rejects it" \
	logged 5 "Anonymous call rejected \(433\)"
no_ring privacy svc_433.xml 2001 "Privacy: id"

# --- do not disturb
check "DND: fxsctl dnd 0 on" $CTL dnd 0 on
check "DND: on on D-Bus" prop dnd true
log0=$(wc -l <"$work/fxsd.log")
no_ring dnd svc_486.xml 2001
check "DND: 486 from the machine's cell" logged 5 "Do not disturb: 486"
check "DND: forward_busy set (fxsctl forward 0 busy sip:vm@127.0.0.1:5099)" \
	$CTL forward 0 busy sip:vm@127.0.0.1:5099
no_ring dnd-forward svc_302.xml 2001
forwarded dnd-forward "<sip:vm@127.0.0.1:5099>" "$AOR;reason=do-not-disturb;counter=1"
check "DND: fxsctl dnd 0 off" $CTL dnd 0 off
check "DND: off on D-Bus" prop dnd false

# --- forward all
check "forward all: fxsctl forward 0 all 2099" $CTL forward 0 all 2099
check "forward all: on D-Bus" prop forward_all '"2099"'
no_ring forward-all svc_302.xml 2001
forwarded forward-all "<sip:2099@127.0.0.1:5070>" "$AOR;reason=unconditional;counter=1"
check "forward all: off" $CTL forward 0 all off
check "forward all: off on D-Bus" prop forward_all '""'

# --- forward on busy: a second caller, call waiting off
svc busy-a svc_answered.xml 2001
sp_a=$sp
check "busy: the phone rings for A" $HS 0 wait-ring 15000
$HS 0 lift >/dev/null
check "busy: in a call with A" wait_state in-call 15
SVC_PORT=5074 svc busy-b svc_302.xml 2003
check "busy: B's scenario passes (302)" sipp_wait "$sp" busy-b
forwarded busy-b "<sip:vm@127.0.0.1:5099>" "$AOR;reason=user-busy;counter=1"
$HS 0 hangup >/dev/null
check "busy: A's scenario passes (the phone's BYE)" sipp_wait "$sp_a" busy-a
wait_state idle 10 >/dev/null
check "busy: fxsctl forward 0 busy off" $CTL forward 0 busy off

# --- forward on no answer, after 4 s of ringing
check "no answer: fxsctl forward 0 no-answer 2098" $CTL forward 0 no-answer 2098
log0=$(wc -l <"$work/fxsd.log")
now_ms
t_rec=$now
hs_bg 0 record-line 10000 "$work/noanswer.raw" >"$work/noanswer.obs" 2>&1
watch=$hs_pid
svc no-answer svc_noanswer.xml 2001 "Alert-Info: <urn:alert:service:no-such-ring>"
check "no answer: the far end's scenario passes (180, then 302)" \
	sipp_wait "$sp" no-answer
now_ms
t_302=$now
wait "$watch"
sed 's/^/# /' "$work/noanswer.obs"
forwarded no-answer "<sip:2098@127.0.0.1:5070>" "$AOR;reason=no-answer;counter=1"
on1=$(sed -n 's/^obs ring-on at \([0-9]*\) ms$/\1/p' "$work/noanswer.obs" | head -n 1)
off1=$(sed -n 's/^obs ring-off at \([0-9]*\) ms$/\1/p' "$work/noanswer.obs" | head -n 1)
last_on=$(sed -n 's/^obs ring-on at \([0-9]*\) ms$/\1/p' "$work/noanswer.obs" | tail -n 1)
rang=$((t_302 - t_rec - ${on1:-0}))
echo "# first ring at ${on1:-?} ms, its burst ${off1:-?}-${on1:-?} ms; the 302 came ${rang} ms after it; last ring-on at ${last_on:-?} ms"
check "no answer: the phone rang (an unknown Alert-Info rings the usual 2000 ms burst)" \
	test -n "$on1" -a -n "$off1" -a $((off1 - on1)) -ge 1950 -a $((off1 - on1)) -le 2050
check "no answer: the 302 came 4 s after the first ring (3.8-6 s)" \
	test "$rang" -ge 3800 -a "$rang" -le 6000
check "no answer: the ringing stopped (no burst after the 302)" \
	test "${last_on:-0}" -eq "${on1:-0}"
check "no answer: fxsd forwarded it on its ringing timer" \
	logged 5 "ringing -> idle on timer-forward"
check "no answer: off" $CTL forward 0 no-answer off

# --- distinctive ring, caller ID in the long silence
now_ms
hs_bg 0 record-line 14000 "$work/dr2.raw" >"$work/dr2.obs" 2>&1
watch=$hs_pid
svc dr2 svc_ring.xml 5551234567 "Alert-Info: <http://127.0.0.1/Bellcore-dr2>" \
	127.0.0.1:5072 "JOHN DOE"
wait "$watch"
check "dr2: the far end's scenario passes (180, CANCEL, 487)" sipp_wait "$sp" dr2
# the ringer's on/off times, as ring-cadence prints them, but the last
# segment: the CANCEL may cut it short (where it falls in the cadence
# moves with ring_holdoff_ms)
seen=$(awk '/^obs ring-(on|off) at/ { t = $4; if (n++) { printf "%s", seg; seg = sprintf("%s %d ", ($2 == "ring-on" ? "off" : "on"), t - last) } last = t }' "$work/dr2.obs")
echo "# dr2 ringer: $seen"
# shellcheck disable=SC2086
check "dr2: the ringer's cadence is 800,400,800,4000 ms (within 10 ms)" \
	$AN segments --cadence 800,400,800,4000 $seen
sox -t raw -r 8000 -e signed -b 16 -c 1 "$work/dr2.raw" "$work/dr2.wav" 2>/dev/null
minimodem --rx callerid -q -f "$work/dr2.wav" >"$work/dr2.cid" 2>&1
sed 's/^/# minimodem: /' "$work/dr2.cid"
check "dr2: minimodem decodes the caller's number" grep -q "Phone: 555-123-4567" "$work/dr2.cid"
# where the spill is: the first and last 20 ms blocks with sound, against
# the second burst's end and the third burst's start
python3 - "$work/dr2.raw" >"$work/dr2.fsk" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
x = struct.unpack("<%dh" % (len(d) // 2), d[:len(d) // 2 * 2])
loud = [i for i in range(0, len(x) - 160, 160)
        if sum(v * v for v in x[i:i + 160]) > 160 * 300 ** 2]
print(loud[0] // 8 if loud else -1, loud[-1] // 8 + 20 if loud else -1)
EOF
read -r fsk0 fsk1 <"$work/dr2.fsk"
offs=($(sed -n 's/^obs ring-off at \([0-9]*\) ms$/\1/p' "$work/dr2.obs"))
ons=($(sed -n 's/^obs ring-on at \([0-9]*\) ms$/\1/p' "$work/dr2.obs"))
echo "# spill ${fsk0}-${fsk1} ms; ring-offs ${offs[*]}; ring-ons ${ons[*]}"
check "dr2: the spill starts >= 500 ms after the second burst" \
	test "${#offs[@]}" -ge 2 -a "$fsk0" -ge $((${offs[1]:-0} + 500))
check "dr2: ... and ends >= 200 ms before the third burst" \
	test "${#ons[@]}" -ge 3 -a "$fsk1" -gt 0 -a "$fsk1" -le $((${ons[2]:-0} - 200))
wait_state idle 10 >/dev/null

# a token of the port's ring_alert lines, in the bare "info=" form
hs_bg 0 ring-cadence 9000 >"$work/ext.ring" 2>&1
watch=$hs_pid
svc ext svc_ring.xml 2001 "Alert-Info: info=alert-external"
wait "$watch"
check "info=: the far end's scenario passes" sipp_wait "$sp" ext
seen=$(sed -n 's/^handset: ringer//p' "$work/ext.ring" | sed 's/ ms//g')
echo "# info=alert-external ringer: $seen"
# shellcheck disable=SC2086
check "info=: the ringer's cadence is ring_alert's 400,200,400,2000 ms" \
	$AN segments --cadence 400,200,400,2000 $seen
wait_state idle 10 >/dev/null

stop_fxsd
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
