#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# call_test.sh - end-to-end calls through the real stack, run inside the VM
# (tests/vm/run -- tests/daemon/call_test.sh): the fxs and fxs_loop modules,
# fxsd, and sipp as the far end over UDP on 127.0.0.1.  The loopback
# handset (tests/daemon/handset) is the person at the phone.  sipp runs with
# -rtp_echo, so what the handset says comes back to its earpiece only if
# audio flows both ways: phone -> fxsd -> RTP -> far end -> RTP -> fxsd ->
# phone.
#
# Exit 4 (skip) without /dev/fxs0 or sipp.  Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }

work=$(mktemp -d /tmp/fxs-call.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
trap cleanup EXIT

# key_captured NAME DIGIT MEDIA_PORT: key DIGIT on the phone while dumpcap
# records the RTP fxsd sends to the far end's MEDIA_PORT for 4 s, into
# $work/NAME.pcap
key_captured() {
	local dp

	# dumpcap starts fast (tshark takes long to load under emulation).
	# It prints "Capturing on" before it opens the interface; the file
	# gets its header once the capture runs: wait for that (a packet sent
	# in between was lost, the event's first among them, on a slow VM)
	rm -f "$work/$1.pcap"
	dumpcap -q -i lo -f "udp dst port $3" -a duration:4 \
		-w "$work/$1.pcap" >"$work/$1.dumpcap" 2>&1 &
	dp=$!
	until_ok 10 test -s "$work/$1.pcap" ||
		echo "# dumpcap: no capture file within 10 s"
	$HS 0 dtmf "$2" >/dev/null
	wait "$dp"
}

# rtp_fields NAME: one tshark run over $work/NAME.pcap (it loads slowly
# under emulation) writes a line per packet to $work/NAME.rtp: payload
# type, event id, end bit, timestamp, marker, payload (hex; the event
# fields are empty for audio)
rtp_fields() {
	tshark -r "$work/$1.pcap" -o rtp.heuristic_rtp:TRUE -Y rtp -T fields \
		-e rtp.p_type -e rtpevent.event_id -e rtpevent.end_of_event \
		-e rtp.timestamp -e rtp.marker -e rtp.payload \
		>"$work/$1.rtp" 2>/dev/null
}

# events NAME: the telephone-events of $work/NAME.rtp (event id, end bit,
# timestamp, marker)
events() {
	awk -F'\t' '$2 != "" { print $2 "\t" $3 "\t" $4 "\t" $5 }' "$work/$1.rtp"
}

# inband NAME LOW HIGH: decode the PCMU packets of $work/NAME.rtp and
# count those that carry the DTMF pair LOW+HIGH Hz: louder than -50 dBFS,
# each tone above 20 % of the packet's power (a digit alone gives 50 %
# each, also in a packet it fills only in part; speech and silence
# nowhere near).  Prints "AUDIO_PACKETS DIGIT_PACKETS" on its last line.
inband() {
	python3 - "$work/$1.rtp" "$2" "$3" <<'EOF'
import math, sys

def ulaw(u):	# G.711 mu-law to linear
    u = ~u & 0xff
    t = (((u & 0x0f) << 3) + 0x84) << ((u & 0x70) >> 4)
    return 0x84 - t if u & 0x80 else t - 0x84

def share(x, f, tot):	# Goertzel power at f over the total
    c = 2 * math.cos(2 * math.pi * f / 8000)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - c * s1 * s2) / (tot * len(x) / 2)

n, hits = 0, []
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if len(f) < 6 or f[0] != "0" or not f[5]:
        continue
    x = [ulaw(b) for b in bytes.fromhex(f[5].replace(":", ""))]
    n += 1
    tot = sum(v * v for v in x)
    if tot >= len(x) * 100 and all(share(x, float(hz), tot) > 0.2
                                   for hz in sys.argv[2:4]):
        hits.append(n)
print("audio packets with the digit: %s of %d" % (hits, n))
print(n, len(hits))
EOF
}

call_conf
start_fxsd

# --- 1. the far end calls the phone; the phone answers; audio; far-end BYE
call_in_case

# --- 2. the phone calls out by pulse dialling; far end answers; phone BYE
call_out_case

# --- 2b. the same with DTMF keyed on the phone (in-band detection)
call_out_dtmf_case

# --- 3. the far end refuses: busy, unknown number, unavailable
# fail_scenario CODE REASON: a far end that answers an INVITE with CODE
fail_scenario() {
	cat <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="far end answers $1">
  <recv request="INVITE" timeout="60000"/>
  <send><![CDATA[
      SIP/2.0 $1 $2
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]f$1
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
  <recv request="ACK" timeout="10000"/>
</scenario>
EOF
}

for spec in "486|Busy Here|busy" "404|Not Found|reorder" "503|Service Unavailable|reorder"; do
	IFS='|' read -r code reason state <<<"$spec"
	fail_scenario "$code" "$reason" >"$work/f$code.xml"
	sipp_bg "f$code" -sf "$work/f$code.xml" -i 127.0.0.1 -p 5070
	$HS 0 lift >/dev/null && $HS 0 dial 2345 >/dev/null
	check "$code $reason: far end got the INVITE and the ACK" sipp_wait "$sp" "f$code"
	check "$code $reason: state $state" wait_state "$state" 5
	# US busy and reorder are both 480+620 Hz (0.5/0.5 and 0.25/0.25)
	check "$code $reason: $state tone at the earpiece" $HS 0 hear 480 2000 30
	$HS 0 hangup >/dev/null
	check "$code $reason: idle after hanging up" wait_state idle 3
done

# --- 4. an INVITE from an address that is not the registrar or proxy
cat >"$work/stranger.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="stranger">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:scanner@[local_ip]:[local_port]>;tag=[pid]s
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:scanner@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="403"/>
  <send><![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:scanner@[local_ip]:[local_port]>;tag=[pid]s
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
</scenario>
EOF
sipp_bg stranger 127.0.0.1:5060 -sf "$work/stranger.xml" -s 1000 \
	-i 127.0.0.2 -p 5070
check "an INVITE from a stranger gets 403" sipp_wait "$sp" stranger
check "the stranger does not ring the phone" sh -c "! $HS 0 wait-ring 1500"
check "state idle after the stranger" wait_state idle 1

# --- 5. the far end gives up while ringing (CANCEL)
cat >"$work/cancel.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="caller cancels">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]c
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:2000@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=far 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" timeout="10000"/>
  <pause milliseconds="2500"/>
  <send><![CDATA[
      CANCEL sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]c
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 CANCEL
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv response="200"/>
  <recv response="487"/>
  <send><![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      [last_Via:]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]c
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
</scenario>
EOF
sipp_bg cancel 127.0.0.1:5060 -sf "$work/cancel.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6004
check "INVITE rings the phone" $HS 0 wait-ring 10000
check "CANCEL gets 200 and the INVITE 487" sipp_wait "$sp" cancel
check "state idle after CANCEL" wait_state idle 3
check "the ring stopped after CANCEL" sh -c "! $HS 0 wait-ring 1500"

# --- 5b. caller ID between the first and the second ring (Bell 202, US)
callerid_case

# --- 6. the port goes away in a call, and comes back
cat >"$work/in_wait_bye.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="far end calls, the ATA ends the call">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]h
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:2000@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=far 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" timeout="10000"/>
  <recv response="200" timeout="30000" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]h
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv request="BYE" timeout="60000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
</scenario>
EOF
sipp_bg hotplug 127.0.0.1:5060 -sf "$work/in_wait_bye.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6006
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "state in-call before the port is removed" wait_state in-call 5
echo 0 >/sys/devices/platform/fxs_loop/remove_port
check "removing the port in a call sends BYE" sipp_wait "$sp" hotplug
check "fxsd detached the removed port" grep -q "Detached" "$work/fxsd.log"
echo 1 >/sys/devices/platform/fxs_loop/add_port
for _ in $(seq 50); do
	[ "$(grep -c "Attached /dev/fxs0" "$work/fxsd.log")" -ge 2 ] && break
	sleep 0.1
done
check "fxsd attaches the port again when it comes back" \
	test "$(grep -c "Attached /dev/fxs0" "$work/fxsd.log")" -ge 2
check "the port works again: lift gives dial tone" \
	sh -c "$HS 0 lift && $HS 0 hear 440 600 && $HS 0 hangup"
check "idle after that hang-up" wait_state idle 3

# --- 5c. DTMF keyed in a call goes out as RFC 4733 telephone-events
sed -e 's|<recv request="BYE" timeout="30000"/>|<recv request="BYE" timeout="60000"/>|' \
	-e 's|m=audio \[media_port\] RTP/AVP 0$|m=audio [media_port] RTP/AVP 0 101\n      a=rtpmap:101 telephone-event/8000|' \
	"$work/in_wait_bye.xml" >"$work/dtmf_call.xml"
sipp_bg dtmfcall 127.0.0.1:5060 -sf "$work/dtmf_call.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6020
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "RFC 4733: in a call with telephone-event" wait_state in-call 5
key_captured rfc4733 7 6020
rtp_fields rfc4733
events rfc4733 >"$work/events.txt"
sed 's/^/# tshark: /' "$work/events.txt" | head -12
check "RFC 4733: the phone's 7 goes out as telephone-events (tshark)" \
	grep -qP '^7\t' "$work/events.txt"
check "RFC 4733: the end packet is sent exactly 3 times" \
	test "$(grep -cP '^7\t(1|True)\t' "$work/events.txt")" -eq 3
check "RFC 4733: one timestamp for the whole event, marker on the first" \
	sh -c "test \$(cut -f3 '$work/events.txt' | sort -u | wc -l) -eq 1 && head -n1 '$work/events.txt' | cut -f4 | grep -qE '1|True'"
# No doubled DTMF: the tone must not also go out in the audio.  The
# detector needs about 30 ms of it, so what came before (the packets
# before the one it was recognised in) leaks: at most 2 packets.  Sent
# untouched, the 80 ms tone fills 4 or 5 packets (section 9 shows the
# same decoder finding it in-band); cut only at the front, more than 2.
inband rfc4733 852 1209 >"$work/inband.txt"
sed 's/^/# /' "$work/inband.txt" | head -n 1
check "RFC 4733: no in-band copy of the 7 beside the events (at most the 2 packets before it was recognised)" \
	awk 'END { exit !($1 >= 100 && $2 <= 2) }' "$work/inband.txt"
$HS 0 hangup >/dev/null
check "RFC 4733: the call ends with BYE" sipp_wait "$sp" dtmfcall
wait_state idle 3 >/dev/null

# --- 7. reload (SIGHUP) in a call: a broken file is refused, a good one
# waits for the call to end
sipp_bg reload 127.0.0.1:5060 -sf "$work/in_wait_bye.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6008
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "state in-call before the reloads" wait_state in-call 5
cp "$work/fxsd.conf" "$work/fxsd.conf.good"
printf '[port 0]\nuser = 1000\npasword = typo\n' >"$work/fxsd.conf"
kill -HUP "$fxsd_pid"
check "a broken file is refused with file and line" until_ok 10 \
	grep -q "Reload failed, keeping the running configuration: $work/fxsd.conf:3: unknown key 'pasword'" "$work/fxsd.log"
check "the call survives the broken reload" wait_state in-call 1
# the changed account: another name, and it now registers at 127.0.0.1:5080
call_sp=$sp
sipp_bg registrar -sf tests/sipp/reg_ok.xml -i 127.0.0.1 -p 5080 \
	-key expires 3600
reg_sp=$sp
sp=$call_sp
sed -e 's/^user = 1000$/user = 1000\ndisplay_name = "Reloaded"/' \
	-e 's/^register = no$/register = yes\nregistrar = 127.0.0.1:5080/' \
	"$work/fxsd.conf.good" >"$work/fxsd.conf"
attached=$(grep -c "Attached /dev/fxs0" "$work/fxsd.log")
kill -HUP "$fxsd_pid"
check "a changed account waits for the call to end" until_ok 10 \
	grep -q "ports in a call change when their call ends" "$work/fxsd.log"
check "the call survives the good reload" wait_state in-call 1
$HS 0 hangup >/dev/null
check "hanging up ends the call (BYE)" sipp_wait "$sp" reload
for _ in $(seq 100); do
	grep -q "Reload: .* applied" "$work/fxsd.log" && break
	sleep 0.1
done
check "after the call the port restarts with the new account" \
	grep -q "Reload: \[port 0\] changed, restarting it" "$work/fxsd.log"
check "and is attached again" \
	test "$(grep -c "Attached /dev/fxs0" "$work/fxsd.log")" -gt "$attached"
check "the changed account registers at its new registrar" \
	sipp_wait "$reg_sp" registrar
check "fxsd reports the registration" \
	grep -q "Registration registered (status 200" "$work/fxsd.log"

# --- 8. fxsctl over the D-Bus API
CTL=daemon/fxsctl
check "fxsctl status lists port 0, present and idle" \
	sh -c "$CTL status | grep -E '^0 +present +onhook +[a-z]+ +idle'"
check "fxsctl --json ports parses" sh -c "$CTL --json ports | python3 -c '
import json, sys
p = json.load(sys.stdin)
assert p[0][\"port\"] == 0 and p[0][\"state\"] == \"idle\", p'"
check "fxsctl ring 0 2 rings the phone" sh -c "$CTL ring 0 2 && $HS 0 wait-ring 3000"
sleep 2.5
check "the test ring stops by itself" sh -c "! $HS 0 wait-ring 1000"
sipp_bg ctl 127.0.0.1:5060 -sf "$work/in_wait_bye.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6010 -rtp_echo
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
wait_state in-call 5 >/dev/null
$HS 0 talk 1000 >/dev/null
check "fxsctl calls shows the call, its codec and RTP both ways" \
	sh -c "$CTL --json calls | python3 -c '
import json, sys
c = json.load(sys.stdin)
assert len(c) == 1 and c[0][\"state\"] == \"in-call\" and c[0][\"codec\"] == \"PCMU\", c
assert \"2000@127.0.0.1\" in c[0][\"remote\"], c
assert c[0][\"rtp_sent\"] > 20 and c[0][\"rtp_received\"] > 20, c'"
check "another user may read the ports" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups $CTL ports
check "but may not hang up" \
	sh -c "! setpriv --reuid=nobody --regid=nogroup --clear-groups $CTL hangup 0"
check "fxsctl hangup 0 ends the call with BYE" $CTL hangup 0
check "the far end got the BYE" sipp_wait "$sp" ctl
$HS 0 hangup >/dev/null
wait_state idle 3 >/dev/null
cp "$work/fxsd.conf" "$work/fxsd.conf.keep"
echo "[port 0" >"$work/fxsd.conf"
check "fxsctl reload refuses a broken file" sh -c "! $CTL reload"
cp "$work/fxsd.conf.keep" "$work/fxsd.conf"
check "fxsctl reload accepts the good one" $CTL reload

# --- 9. DTMF transport per port (dtmf_mode): rfc4733 falling back to
# in-band, the far end's telephone-events, SIP INFO both ways, in-band

# reload_port0: SIGHUP with a changed [port 0]; it is made anew (idle) and
# attached again, as for any other per-port key
reload_port0() {
	local n i

	n=$(grep -c "Attached /dev/fxs0" "$work/fxsd.log")
	kill -HUP "$fxsd_pid"
	for i in $(seq 100); do
		[ "$(grep -c "Attached /dev/fxs0" "$work/fxsd.log")" -gt "$n" ] &&
			return 0
		sleep 0.1
	done
	echo "port 0 was not restarted"
	return 1
}

# 9a. rfc4733 (the default) with a far end that offers no telephone-event
sipp_bg note 127.0.0.1:5060 -sf "$work/in_wait_bye.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6022
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "no telephone-event: in a call" wait_state in-call 5
key_captured note 7 6022
rtp_fields note
inband note 852 1209 >"$work/note.txt"
sed 's/^/# /' "$work/note.txt" | head -n 1
check "no telephone-event: fxsd says it falls back to in-band (debug)" \
	grep -q "The far end has no telephone-event: keyed DTMF goes in-band" "$work/fxsd.log"
check "no telephone-event: the 7 goes in-band, whole (3 or more packets)" \
	awk 'END { exit !($1 >= 100 && $2 >= 3) }' "$work/note.txt"
check "no telephone-event: and as no events" \
	test "$(events note | wc -l)" -eq 0
$HS 0 hangup >/dev/null
check "no telephone-event: the call ends with BYE" sipp_wait "$sp" note
wait_state idle 3 >/dev/null

# 9b. the far end's telephone-events (sipp's recording of a 1) are played
# to the phone; their echo from the line is no key of the phone's
sed 's|^  <recv request="BYE" timeout="60000"/>$|  <pause milliseconds="2000"/>\n  <nop><action><exec play_pcap_audio="/usr/share/sip-tester/dtmf_2833_1.pcap"/></action></nop>\n&|' \
	"$work/dtmf_call.xml" >"$work/events_in.xml"
sipp_bg eventsin 127.0.0.1:5060 -sf "$work/events_in.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6028
# the 1 (697+1209 Hz) comes 2 s after the ACK; it sounds from its first
# packet to its end packet, 140 ms later: about 7 blocks, 4 needed.  The
# listening starts before the answer, so that a slow start of the
# listener on a loaded machine cannot miss it.
$HS 0 wait-ring 10000 >/dev/null
hs_bg 0 hear 697 8000 1 >"$work/eventsin.hear" 2>&1
hear_pid=$hs_pid
$HS 0 lift >/dev/null
check "far-end events: in a call with telephone-event" wait_state in-call 5
heard() {	# heard PID FILE: the listener in the background heard it
	local r=0

	wait "$1" || r=$?
	cat "$2"
	return "$r"
}
check "far-end events: the 1 is played to the phone" \
	heard "$hear_pid" "$work/eventsin.hear"
check "far-end events: fxsd logs the 1" \
	grep -qE "Far-end DTMF 1 \([0-9]+ ms\)$" "$work/fxsd.log"
check "far-end events: its echo from the line is not sent back as a key" \
	sh -c "! grep -E 'DTMF 1 \([0-9]+ ms\), sent' '$work/fxsd.log'"
$HS 0 hangup >/dev/null
check "far-end events: the call ends with BYE" sipp_wait "$sp" eventsin
wait_state idle 3 >/dev/null

# 9c. dtmf_mode = info: the phone's 5 goes to the far end in SIP INFO; the
# far end's INFOs: 9 (application/dtmf-relay) and # (application/dtmf) are
# played to the phone, text/plain gets 415, malformed bodies 400, an INFO
# for another dialog 481.
sed 's/^interdigit_short_ms = 1500$/&\ndtmf_mode = info/' \
	"$work/fxsd.conf.good" >"$work/fxsd.conf"
check "dtmf_mode = info: the reload restarts port 0" reload_port0
# info_request CSEQ TO_TAG CONTENT_TYPE BODY: an INFO in the call's dialog
info_request() {
	cat <<EOF
  <send retrans="500"><![CDATA[
      INFO [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]i
      To: <sip:[service]@[remote_ip]:[remote_port]>$2
      Call-ID: [call_id]
      CSeq: $1 INFO
      Max-Forwards: 70
      Content-Type: $3
      Content-Length: [len]

      $4
  ]]></send>
EOF
}
{
	cat <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="DTMF in SIP INFO, both ways">
  <send retrans="500"><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]i
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 1 INVITE
      Contact: <sip:2000@[local_ip]:[local_port]>
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=far 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [media_ip]
      t=0 0
      m=audio [media_port] RTP/AVP 0 101
      a=rtpmap:101 telephone-event/8000
  ]]></send>
  <recv response="100" optional="true"/>
  <recv response="180" timeout="10000"/>
  <recv response="200" timeout="30000" rrs="true"/>
  <send><![CDATA[
      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:2000@[local_ip]:[local_port]>;tag=[pid]i
      To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <recv request="INFO" timeout="30000">
    <action>
      <ereg regexp="^ *application/dtmf-relay" search_in="hdr"
            header="Content-Type:" check_it="true" assign_to="ct"/>
      <ereg regexp="Signal=5" search_in="body" check_it="true"
            assign_to="signal"/>
      <ereg regexp="Duration=[0-9]+" search_in="body" check_it="true"
            assign_to="duration"/>
      <log message="fxsd's INFO: [$ct], [$signal], [$duration]"/>
    </action>
  </recv>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
  <pause milliseconds="6000"/>
EOF
	info_request 2 '[peer_tag_param]' application/dtmf-relay \
		'Signal=9
      Duration=160'
	echo '  <recv response="200"/>'
	# the 9 plays in full before the # replaces it
	echo '  <pause milliseconds="500"/>'
	info_request 3 '[peer_tag_param]' text/plain 'Signal=1'
	echo '  <recv response="415"/>'
	info_request 4 '[peer_tag_param]' application/dtmf-relay 'Signal=8x'
	echo '  <recv response="400"/>'
	info_request 5 '[peer_tag_param]' application/dtmf-relay 'Duration=160'
	echo '  <recv response="400"/>'
	info_request 6 '[peer_tag_param]' application/dtmf '88'
	echo '  <recv response="400"/>'
	info_request 7 '[peer_tag_param]' application/dtmf '#'
	echo '  <recv response="200"/>'
	# last: sipp takes the to-tag of this 481 for [peer_tag_param]
	info_request 8 ';tag=nosuchdialog' application/dtmf-relay 'Signal=8'
	echo '  <recv response="481"/>'
	cat <<'EOF'
  <recv request="BYE" timeout="60000"/>
  <send><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0
  ]]></send>
</scenario>
EOF
} >"$work/info.xml"
sipp_bg info 127.0.0.1:5060 -sf "$work/info.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6024 -trace_logs -log_file "$work/info.sipplog"
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "INFO: in a call" wait_state in-call 5
key_captured info 5 6024
# the far end sends its 9 6 s after our 5, the capture took 4 s from just
# before the 5: listen 4 s from now.  A 9 (852+1477 Hz) puts half its
# power at 852 Hz in every 20 ms block it fills, and an 80-160 ms digit
# fills at least 3 of them: 2 of the 200 blocks (1 %) are enough; silence
# and the # count for none.
check "INFO: the far end's 9 (SIP INFO) is played to the phone" \
	$HS 0 hear 852 4000 1
rtp_fields info
check "INFO: fxsd sent the keyed 5 in SIP INFO" \
	grep -qE "DTMF 5 \([0-9]+ ms\), sent in SIP INFO" "$work/fxsd.log"
check "INFO: and no telephone-events" test "$(events info | wc -l)" -eq 0
inband info 770 1336 >"$work/info.txt"
sed 's/^/# /' "$work/info.txt" | head -n 1
check "INFO: the 5's tone is cut from the audio (at most the 2 packets before it was recognised)" \
	awk 'END { exit !($1 >= 100 && $2 <= 2) }' "$work/info.txt"
$HS 0 hangup >/dev/null
check "INFO: the far end got Signal=5 in application/dtmf-relay, and 200, 415, 400, 400, 400, 200, 481 to its INFOs" \
	sipp_wait "$sp" info
sed 's/^/# sipp: /' "$work/info.sipplog" 2>/dev/null | head -n 2
# what was played: exactly the 9 and the #, none of the refused ones
check "INFO: exactly the 9 and the # were played, nothing of the 415/400/481 ones" \
	test "$(sed -n 's/.*Far-end DTMF \(.\) ([0-9]* ms, SIP INFO)$/\1/p' "$work/fxsd.log" | tr -d '\n')" = "9#"
wait_state idle 3 >/dev/null

# 9d. dtmf_mode = inband: the tone stays in the audio, no events (the far
# end offers telephone-event), no INFO (the scenario would fail on one)
sed 's/^interdigit_short_ms = 1500$/&\ndtmf_mode = inband/' \
	"$work/fxsd.conf.good" >"$work/fxsd.conf"
check "dtmf_mode = inband: the reload restarts port 0" reload_port0
sipp_bg inband 127.0.0.1:5060 -sf "$work/dtmf_call.xml" -s 1000 \
	-i 127.0.0.1 -p 5070 -mp 6026
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "in-band: in a call with telephone-event" wait_state in-call 5
key_captured inband 7 6026
rtp_fields inband
inband inband 852 1209 >"$work/inband7.txt"
sed 's/^/# /' "$work/inband7.txt" | head -n 1
check "in-band: the 7 is in the audio, whole (3 or more packets)" \
	awk 'END { exit !($1 >= 100 && $2 >= 3) }' "$work/inband7.txt"
check "in-band: no telephone-events" test "$(events inband | wc -l)" -eq 0
$HS 0 hangup >/dev/null
check "in-band: the call ends with BYE, no INFO came" sipp_wait "$sp" inband
wait_state idle 3 >/dev/null

# --- 10. events lost: with fxsd stopped, the phone flashes until the
# driver's event queue (64) is full, then hangs up; that ON-HOOK is lost
# with the rest.  fxsd, told of the loss, reads the hook again, so the line
# goes idle rather than sitting in dial tone with the phone on hook.
n0=$(wc -l <"$work/fxsd.log")
$HS 0 lift >/dev/null
# (dial tone may already have given way to reorder on a slow VM: the
# off-hook is what counts)
check "lost events: fxsd takes the phone off hook" until_ok 5 \
	sh -c "tail -n +$((n0 + 1)) '$work/fxsd.log' | grep -q 'idle -> dial-tone on offhook'"
kill -STOP "$fxsd_pid"
for i in $(seq 80); do
	$HS 0 flash 150 >/dev/null
	sleep 0.1	# a make long enough (debounce 40 ms) to end each flash
done
$HS 0 hangup >/dev/null
sleep 1.5	# a break over flash_max_ms (1000): the hang-up, while stopped
kill -CONT "$fxsd_pid"
check "lost events: fxsd logs the driver events lost" \
	until_ok 10 grep -q "driver events lost" "$work/fxsd.log"
check "lost events: the hang-up among them is read from the hook (idle)" \
	wait_state idle 10
check "lost events: and says so" \
	grep -q "The phone is on hook now: its hook event was lost" "$work/fxsd.log"

stop_fxsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
