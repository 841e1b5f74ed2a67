#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# dialing_test.sh - what the person dials, through the real stack, run
# inside the VM (tests/vm/run -- tests/daemon/dialing_test.sh): the fxs
# and fxs_loop modules, fxsd, sipp as the far ends, the loopback handset
# as the person.
#
#   *67: keyed on dial tone, taken as the privacy code at once (no
#     inter-digit wait), confirmed, dial tone again; the number dialled
#     then goes out private: the far end (tests/sipp/ata_private.xml)
#     challenges it (401) and checks both INVITEs: From "Anonymous"
#     <sip:anonymous@anonymous.invalid>, Privacy: id, the port's AOR only
#     in P-Preferred-Identity, the port's own credentials.
#   *70: the next call has no call waiting: a second caller during it
#     gets 486 (tests/sipp/cw_c.xml); that call is not private (the *67
#     was spent).  The call after it waits again: a second caller gets
#     180 and the call-waiting alert, until its CANCEL.
#   an unknown code (*55): reorder, at once.
#   codes that change a setting: *78/*79 (do not disturb on/off, shown on
#     D-Bus), *72 with a number (forward-all-on 2345), *73: confirmed,
#     then dial tone, and the setting changed.
#   hotline = 2345: lifting the phone dials at once: fxsd is in trying
#     within 1.5 s, and the phone hears no dial tone (350 Hz).
#   warm_line = 2345, warm_line_secs = 3: dial tone meanwhile, the call
#     3 s after lifting.
#
# Part of `make check` (tests/check), in the VM boot of call_test.sh.
# Exit 4 (skip) without /dev/fxs0 or sipp.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }

work=$(mktemp -d /tmp/fxs-dialing.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
trap cleanup EXIT

# dial_conf LINES...: call_conf's port 0 with a password, callers from
# any address (the second callers come from ports of their own), and
# LINES
dial_conf() {
	call_conf
	printf '%s\n' "password = s3cret" "allow_unknown_callers = yes" "$@" \
		>>"$work/fxsd.conf"
}
# logged SECONDS PATTERN: an extended regex in fxsd's log since $log0
logged() {
	until_ok "$1" sh -c "tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -qE -- '$2'"
}
mark() {
	log0=$(wc -l <"$work/fxsd.log")
}
# priv_wait PID: the private call's far end passed; else its error
# lines first (the message it quotes is long)
priv_wait() {
	wait "$1" && return 0
	echo "sipp priv failed:"
	grep -E '^[0-9-]+	[0-9:.]+	' "$work/priv.err" | head -n 5
	return 1
}
# reconf LINES...: dial_conf LINES, then SIGHUP; the port restarts and
# attaches its device again
reconf() {
	dial_conf "$@"
	mark
	kill -HUP "$fxsd_pid"
	logged 10 "Reload: .* applied" && logged 10 "Attached /dev/fxs0"
}
# code KEYS ACTION: lift, key KEYS (DTMF), fxsd takes them as the star
# code with ACTION at once, confirms, dial tone again
code() {
	$HS 0 lift >/dev/null
	$HS 0 hear 440 400 >/dev/null
	$HS 0 dtmf "$1" >/dev/null
	logged 5 "star code \\$2" &&
		logged 5 "dialing -> confirm on dial-code" &&
		logged 5 "confirm -> dial-tone on timer-tone"
}

dial_conf
start_fxsd

# --- *67: the next call private
mark
sipp_bg priv -sf tests/sipp/ata_private.xml -i 127.0.0.1 -p 5070 \
	-mp 6002 -rtp_echo
sp_priv=$sp
check "*67: taken at once, confirmed, dial tone again" code '*67' "*67, privacy$"
check "*67: dial tone (350+440 Hz) after the confirmation" $HS 0 hear 440 600
check "*67: pulse-dialling 2345" $HS 0 dial 2345
check "*67: fxsd makes the call private" logged 5 "The call to 2345 is private"
check "*67: in a call once the far end answers (after its 401)" \
	wait_state in-call 15
check "*67: audio both ways" talk 0
$HS 0 hangup >/dev/null
check "*67: the far end saw From anonymous, Privacy: id, P-Preferred-Identity, our credentials" \
	priv_wait "$sp_priv"
wait_state idle 5 >/dev/null

# --- *70: no call waiting in the next call; then it waits again
mark
sipp_bg a70 -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6012 -rtp_echo
sp_a=$sp
check "*70: taken at once, confirmed, dial tone again" code '*70' "*70, cw-cancel$"
$HS 0 dial 2345 >/dev/null
check "*70: in a call" wait_state in-call 15
check "*70: this call is not private (*67 was for one call)" \
	sh -c "! tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -q 'is private'"
sipp_bg b70 127.0.0.1:5060 -sf tests/sipp/cw_c.xml -s 1000 \
	-i 127.0.0.1 -p 5074 -mp 7040 -key fport 6064
check "*70: a second caller during the call gets 486" sipp_wait "$sp" b70
$HS 0 hangup >/dev/null
check "*70: the far end's call passes (INVITE, ACK, BYE)" sipp_wait "$sp_a" a70
wait_state idle 5 >/dev/null

mark
sipp_bg a2 -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6022 -rtp_echo
sp_a=$sp
$HS 0 lift >/dev/null
$HS 0 hear 440 400 >/dev/null
$HS 0 dial 2345 >/dev/null
check "after *70: the next call is up" wait_state in-call 15
sipp_bg b2 127.0.0.1:5060 -sf tests/sipp/call_in_cancel.xml -s 1000 \
	-i 127.0.0.1 -p 5074 -mp 7040 -key cnum 2004 -key cname "Second Caller"
check "after *70: a second caller waits again (call waiting)" \
	logged 10 "Call waiting: "
check "after *70: its scenario passes (180, its CANCEL, 487)" sipp_wait "$sp" b2
$HS 0 hangup >/dev/null
check "after *70: the far end's call passes" sipp_wait "$sp_a" a2
wait_state idle 5 >/dev/null

# --- an unknown code
mark
$HS 0 lift >/dev/null
$HS 0 hear 440 400 >/dev/null
$HS 0 dtmf '*55' >/dev/null
check "*55 (no such code): fxsd says so" logged 5 "Dialled \\*5: no such star code"
check "*55: state reorder" wait_state reorder 5
# US reorder: 480+620 Hz, 0.25 s on, 0.25 s off
check "*55: reorder tone at the earpiece" $HS 0 hear 480 2000 30
$HS 0 hangup >/dev/null
wait_state idle 5 >/dev/null

# --- codes that change a setting: confirmed, and the setting changed (D-Bus)
mark
check "*78: taken at once, confirmed, dial tone again" code '*78' "*78, dnd-on$"
check "*78: do not disturb is on" logged 5 "Star code dnd-on$"
check "*78: D-Bus shows it (fxsctl --json)" \
	sh -c 'daemon/fxsctl --json status | grep -qF "\"dnd\":true"'

$HS 0 hangup >/dev/null
wait_state idle 5 >/dev/null
mark
check "*72 2345: the number collected by the digit map, confirmed, dial tone" \
	code '*722345' "*72, forward-all-on 2345$"
check "*72 2345: forward all is set" logged 5 "Star code forward-all-on 2345$"
$HS 0 hangup >/dev/null
wait_state idle 5 >/dev/null
mark
check "*79: confirmed" code '*79' "*79, dnd-off$"
check "*79: D-Bus shows do not disturb off" \
	sh -c 'daemon/fxsctl --json status | grep -qF "\"dnd\":false"'
$HS 0 hangup >/dev/null
wait_state idle 5 >/dev/null
mark
check "*73: confirmed" code '*73' "*73, forward-all-off$"
check "*73: forward all is off" logged 5 "Star code forward-all-off$"
$HS 0 hangup >/dev/null
wait_state idle 5 >/dev/null

# --- hotline
check "hotline = 2345: fxsd restarts the port with it" reconf "hotline = 2345"
sipp_bg hot -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6032 -rtp_echo
sp_hot=$sp
now_ms
t0=$now
$HS 0 lift >/dev/null
check "hotline: fxsd dials 2345 on lifting" \
	logged 5 "idle -> trying on offhook-hotline"
now_ms
echo "# hotline: trying logged $((now - t0)) ms after lifting"
check "hotline: within 1.5 s of lifting" test $((now - t0)) -le 1500
check "hotline: no dial tone (350 Hz) at the earpiece" \
	sh -c "! $HS 0 hear 350 1000 10"
check "hotline: in a call" wait_state in-call 15
$HS 0 hangup >/dev/null
check "hotline: the far end's call passes" sipp_wait "$sp_hot" hot
wait_state idle 5 >/dev/null

# --- warm line
check "warm_line = 2345, 3 s: fxsd restarts the port with it" \
	reconf "warm_line = 2345" "warm_line_secs = 3"
sipp_bg warm -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6042 -rtp_echo
sp_warm=$sp
now_ms
t0=$now
$HS 0 lift >/dev/null
check "warm line: dial tone meanwhile" $HS 0 hear 440 1000
check "warm line: still dial tone after 1 s" test "$(fxsd_state)" = dial-tone
check "warm line: fxsd dials 2345 when nothing was dialled" \
	logged 8 "dial-tone -> trying on timer-warm-line"
now_ms
echo "# warm line: trying logged $((now - t0)) ms after lifting"
check "warm line: not before 3 s" test $((now - t0)) -ge 3000
check "warm line: in a call" wait_state in-call 15
$HS 0 hangup >/dev/null
check "warm line: the far end's call passes" sipp_wait "$sp_warm" warm
wait_state idle 5 >/dev/null

stop_fxsd
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
