#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# menu_test.sh - the voice menu on the phone, through the real stack, run
# inside the VM (tests/vm/run -- tests/daemon/menu_test.sh): the fxs and
# fxs_loop modules, fxsd (ASan build) with the prompts the build spoke
# (build/prompts), the loopback handset as the person.  What the earpiece
# heard is recorded by the handset and checked by tests/daemon/analyze
# (cross-correlation against the prompt files, in order), not by fxsd.
#
#   *** then 1: the menu, then "the IP address is 1 2 7 dot 0 dot 0 dot 1"
#     (fxsd's address towards its unregistered far end on loopback).
#   7: a key the menu has not: the error prompt, then the menu again.
#   hanging up leaves the menu.
#   the registrar is down (transport = tcp to a closed port: refused at
#     once, so fxsd's registration fails with 503): lifting the phone
#     says "the phone service is not available.  No answer from 1 2 7
#     dot 0 dot 0 dot 1.  Check the server address", then dial tone.
#
# Part of `make check` (tests/check), in the VM boot of call_test.sh.
# Exit 4 (skip) without /dev/fxs0 or the prompts.  Ends with "N passed,
# M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
[ -f build/prompts/en/menu.sln ] || { echo "SKIP: no build/prompts (make prompts)"; exit 4; }

work=$(mktemp -d /tmp/fxs-menu.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
trap cleanup EXIT
AN=tests/daemon/analyze
PROMPTS=build/prompts/en

# menu_conf LINES...: call_conf with the build's prompts and LINES in
# port 0
menu_conf() {
	call_conf
	sed -i "s|^\[global\]$|[global]\nprompt_dir = $PWD/build/prompts|" \
		"$work/fxsd.conf"
	printf '%s\n' "$@" >>"$work/fxsd.conf"
}
mark() {
	log0=$(wc -l <"$work/fxsd.log")
}
# logged SECONDS PATTERN: an extended regex in fxsd's log since $log0
logged() {
	until_ok "$1" sh -c "tail -n +$((log0 + 1)) '$work/fxsd.log' | grep -qE -- '$2'"
}
# key KEY PATTERN: key KEY (DTMF) over what the menu says; a key the
# line did not take (PATTERN not logged within 4 s) is keyed once more,
# as a person would
key() {
	mark
	$HS 0 dtmf "$1" >/dev/null
	logged 4 "$2" && return 0
	echo "# key $1 not taken within 4 s: keyed again"
	$HS 0 dtmf "$1" >/dev/null
}
# heard FILE NAME...: the prompts NAME... in FILE, in order
heard() {
	local f=$1

	shift
	$AN prompts "$f" "$PROMPTS" "$@"
}

menu_conf
start_fxsd

# ---- the menu: *** then 1, the address -----------------------------------
mark
$HS 0 lift >/dev/null
check "off hook: dial tone" $HS 0 hear 440 400
$HS 0 dtmf "***" >/dev/null
check "*** opens the voice menu" logged 5 "dialing -> voice-menu on dial-menu"
check "the menu's greeting is said" logged 5 "Voice menu: saying menu"
# record from before the key: the address replaces the greeting
hs_bg 0 record 14000 "$work/key1.raw" >/dev/null
rec=$hs_pid
key 1 "Voice menu: saying ip-address"
check "1 (over the greeting): fxsd says the address" \
	logged 1 "Voice menu: saying ip-address"
wait "$rec"
check "1: the earpiece heard 'the IP address is 1 2 7 dot 0 dot 0 dot 1'" \
	heard "$work/key1.raw" ip-address 1 2 7 dot 0 dot 0 dot 1

# ---- a wrong key ------------------------------------------------------------
hs_bg 0 record 8000 "$work/key7.raw" >/dev/null
rec=$hs_pid
key 7 "Voice menu: saying invalid-key"
wait "$rec"
check "7: the earpiece heard the error prompt, then the menu begins" \
	heard "$work/key7.raw" invalid-key
check "7: still in the menu" test "$(fxsd_state 0)" = voice-menu
mark
$HS 0 hangup >/dev/null
check "on hook: the menu is left" logged 5 "voice-menu -> idle on onhook"

# ---- the registrar is down: the announcement --------------------------------
menu_conf "transport = tcp" "registrar = 127.0.0.1:5099"
sed -i 's/^register = no$/register = yes/' "$work/fxsd.conf"
mark
kill -HUP "$fxsd_pid"
check "reload: the port registers over TCP" \
	logged 10 "Reload: .* applied"
check "the registration fails (connection refused)" \
	logged 20 "Registration failed \(status 503"
mark
hs_bg 0 record 14000 "$work/unavailable.raw" >/dev/null
rec=$hs_pid
$HS 0 lift >/dev/null
check "off hook: the announcement, not dial tone" \
	logged 5 "idle -> announce on offhook-unavailable"
wait "$rec"
check "the earpiece heard why and what to check" \
	heard "$work/unavailable.raw" unavailable no-answer-from 1 2 7 dot 0 dot 0 dot 1 check-server
check "then dial tone (local and emergency numbers still work)" \
	logged 10 "announce -> dial-tone on prompt-done"
check "the phone hears dial tone after it" $HS 0 hear 440 400
$HS 0 hangup >/dev/null

stop_fxsd
echo "# menu_test: ${SECONDS} s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
