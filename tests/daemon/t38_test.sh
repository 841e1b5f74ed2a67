#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# t38_test.sh - fax over T.38 through fxsd's gateway (daemon/media/t38gw.c
# on spandsp's t38_gateway, UDPTL with redundancy of daemon/media/udptl.c),
# on the host in simulated time (tests/daemon/t38fax): a 3-page TIFF-F
# document (tests/daemon/faxpeer mkdoc) sent from the phone's fax machine
# (spandsp's audio terminal on the gateway's audio) to a T.38 far end
# (spandsp's t38_terminal over UDPTL), and back the other way; clean, then
# with 1 % of the packets lost and each 0-20 ms late, both ways.  The
# pages received are compared pixel for pixel with the document
# (faxpeer compare); every IFP the far end was given must be the one the
# gateway sent under its number; packets must have been lost on the way
# and no IFP be missing at the receiving end (the redundancy of the next
# packets, or the repeats of the last ones, brought each back), while
# without redundancy the same path leaves some missing.  A few seconds.
set -u
cd "$(dirname "$0")/../.." || exit 1

make -s tests/daemon/t38fax tests/daemon/faxpeer || exit 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pass=0
fail=0
ok() { echo "ok $*"; pass=$((pass + 1)); }
not_ok() { echo "not ok $*"; fail=$((fail + 1)); }

if tests/daemon/faxpeer mkdoc "$work/doc.tif" 3; then
	ok "a 3-page TIFF-F document"
else
	not_ok "a 3-page TIFF-F document"
	echo "$pass passed, $fail failed"
	exit 1
fi

# fax DIR LOSS JITTER SEED: one fax, its checks
fax() {
	local dir=$1 loss=$2 jit=$3 seed=$4 log what cmp
	local lost recovered gw_lost far_lost bad

	log=$work/$dir-$loss-$jit-$seed.log
	what="$dir -> $( [ "$dir" = phone ] && echo far || echo phone ), $loss % loss, 0-$jit ms late (seed $seed)"
	rm -f "$work/rx.tif"
	if tests/daemon/t38fax "$dir" "$work/doc.tif" "$work/rx.tif" "$loss" "$jit" "$seed" >"$log" 2>&1 &&
		grep -q 'phone 0 (OK), far 0 (OK), 3 pages' "$log"; then
		ok "T.38 fax $what: both terminals OK, 3 pages"
	else
		sed 's/^/# /' "$log"
		not_ok "T.38 fax $what"
		return
	fi
	cmp=$(tests/daemon/faxpeer compare "$work/doc.tif" "$work/rx.tif" 2>&1 | tail -n 1)
	if [ "$cmp" = "faxpeer: 3 pages, 3 equal" ]; then
		ok "T.38 fax $what: the 3 pages equal pixel for pixel"
	else
		not_ok "T.38 fax $what: pages compared: $cmp"
	fi
	bad=$(sed -n 's/^t38fax: \([0-9]*\) IFPs given to the far end differ.*/\1/p' "$log")
	# where the document goes, loss matters: packets were lost on the
	# way (when asked for), yet no IFP is missing at the receiving end
	# (recovered from the next packets' redundancy, or a repeat came)
	if [ "$dir" = phone ]; then
		lost=$(sed -n 's/.*to the far end [0-9]* packets (\([0-9]*\) lost).*/\1/p' "$log")
		missing=$(sed -n 's/.*the far end recovered [0-9]*, lost \([0-9]*\).*/\1/p' "$log")
		recovered=$(sed -n 's/.*the far end recovered \([0-9]*\),.*/\1/p' "$log")
	else
		lost=$(sed -n 's/.*from it [0-9]* (\([0-9]*\) lost).*/\1/p' "$log")
		missing=$(sed -n 's/.*the gateway recovered [0-9]* IFPs, lost \([0-9]*\).*/\1/p' "$log")
		recovered=$(sed -n 's/.*the gateway recovered \([0-9]*\) IFPs.*/\1/p' "$log")
	fi
	if [ "${bad:-x}" = 0 ] && [ "${missing:-x}" = 0 ] &&
		{ [ "$loss" = 0 ] || [ "${lost:-0}" -gt 0 ]; }; then
		ok "T.38 fax $what: the IFPs to the far end intact; $lost packets lost on the way, no IFP missing ($recovered recovered from redundancy)"
	else
		not_ok "T.38 fax $what: ${bad:-?} IFPs differ, ${lost:-?} packets lost, ${missing:-?} IFPs missing"
	fi
}

fax phone 0 0 1
fax phone 1 20 7
fax phone 1 20 8
fax far 1 20 7
fax far 1 20 8

# the control: the same path without redundancy leaves IFPs missing at
# the far end (what the check above would catch)
log=$work/noredundancy.log
tests/daemon/t38fax phone "$work/doc.tif" "$work/rx0.tif" 1 20 7 0 >"$log" 2>&1
missing=$(sed -n 's/.*the far end recovered [0-9]*, lost \([0-9]*\).*/\1/p' "$log")
if [ "${missing:-0}" -gt 0 ]; then
	ok "without redundancy the same loss leaves $missing IFPs missing at the far end"
else
	sed 's/^/# /' "$log"
	not_ok "without redundancy: IFPs missing at the far end: ${missing:-?}"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
