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
# without redundancy the same path leaves some missing.  Every packet of
# one fax (a pcap) is read by tshark's UDPTL/T.38 and T.30 decoders: all
# decode, none malformed, the sequence numbers in order, redundancy in
# them, the T.30 messages of a fax inside.  About 10 seconds.
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

# the wire, read by another's decoder: tshark (Wireshark's UDPTL/T.38 and
# T.30 dissectors) over every packet of a fax with loss, both ways
if command -v tshark >/dev/null; then
	pcap=$work/t38.pcap
	T38FAX_PCAP=$pcap tests/daemon/t38fax phone "$work/doc.tif" "$work/rx1.tif" 1 20 7 >"$work/pcap.log" 2>&1
	D=(-d udp.port==4000,t38 -d udp.port==4002,t38)
	total=$(tshark -r "$pcap" 2>/dev/null | wc -l)
	decoded=$(tshark -r "$pcap" "${D[@]}" -Y t38.seq_number 2>/dev/null | wc -l)
	# (its T.4 reassembly flags a one-packet non-ECM message, the TCF:
	# about the IFPs' content, spandsp's, not their framing)
	bad=$(tshark -r "$pcap" "${D[@]}" -Y '(t38.malformed || _ws.malformed || _ws.expert.severity == error) && !(_ws.expert.message contains "END OF FRAGMENT W/OUT ANY FRAGMENT DATA")' 2>/dev/null | wc -l)
	if [ "$total" -gt 500 ] && [ "$decoded" -eq "$total" ] && [ "$bad" -eq 0 ]; then
		ok "tshark decodes all $total UDPTL packets as T.38, none malformed"
	else
		not_ok "tshark: $decoded of $total packets decoded as T.38, $bad malformed"
	fi
	# the gateway's sequence numbers from 0, each 0 (a repeat) or 1 on;
	# redundancy in the packets
	steps=$(tshark -r "$pcap" "${D[@]}" -Y 'udp.srcport == 4000' -T fields -e t38.seq_number 2>/dev/null |
		awk 'NR == 1 { bad = ($1 != 0); p = $1; next }
		     { d = $1 - p; if (d < 0 || d > 1) bad = 1; p = $1 }
		     END { print (bad ? "bad" : "ok"), p }')
	red=$(tshark -r "$pcap" "${D[@]}" -Y 'udp.srcport == 4000 && t38.secondary_ifp_packets == 3' 2>/dev/null | wc -l)
	if [ "${steps%% *}" = ok ] && [ "$red" -gt 100 ]; then
		ok "tshark: the gateway's sequence numbers run 0..${steps#* } in order, $red packets with 3 secondary IFPs"
	else
		not_ok "tshark: the gateway's sequence numbers ($steps), packets with 3 secondary IFPs: $red"
	fi
	# T.30 inside: DIS, CFR and MCF from the far end, DCS from the phone's
	# fax (through the gateway's demodulators)
	fcf() { tshark -r "$pcap" "${D[@]}" -Y "udp.srcport == $1 && t30.FacsimileControl == $2" 2>/dev/null | wc -l; }
	dis=$(fcf 4002 0x01) cfr=$(fcf 4002 0x21) mcf=$(fcf 4002 0x31) dcs=$(fcf 4000 0x41)
	if [ "$dis" -gt 0 ] && [ "$cfr" -gt 0 ] && [ "$mcf" -gt 0 ] && [ "$dcs" -gt 0 ]; then
		ok "tshark's T.30 decoder: DIS, CFR, MCF from the far end, DCS through the gateway"
	else
		not_ok "tshark's T.30 decoder: DIS $dis, CFR $cfr, MCF $mcf, DCS $dcs"
	fi
else
	echo "# no tshark: the wire not checked by another decoder"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
