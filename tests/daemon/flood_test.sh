#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# flood_test.sh - strangers flood fxsd while the phones are in use, run
# inside the VM (tests/vm/run -- tests/daemon/flood_test.sh; two loopback
# ports).  fxsd (the plain build, as in production) has two accounts:
#
#   port 0, user 1000 on UDP 5060: a call from 127.0.0.1 is in progress
#           when the flood starts, and goes on through it;
#   port 1, user 1001 on UDP 5062: registered at 127.0.0.1:5080, which
#           grants 8 s (a refresh every 4 s); during the flood it gets a
#           call from 127.0.0.1 and then places one to 127.0.0.1.
#
# 127.0.0.1 is the registrar and proxy.  The strangers are 127.0.0.2-9,
# each at a fixed rate and capped in count and time (FLOOD_SECS, 300 s at
# most: a safety bound well past the legitimate calls' worst case on a
# loaded machine, about 140 s; the test stops them as soon as those calls
# are done, and checks that they were still flooding then).
# They run at nice 19: they stand for machines elsewhere on the network,
# and in this 2-CPU emulated VM at normal priority the Python scanners
# alone would starve the far end's sipp and the handset of CPU:
#
#   .2  sipp: INVITE to 1000@:5060, 4/s, never ACKed
#   .3  sipp: INVITE to 1001@:5062, 4/s, never ACKed
#   .4  sipp: OPTIONS to :5060, 4/s
#   .5  sipp: REGISTER for 1001 to :5062, 4/s
#   .6  sipp: malformed datagrams to :5062 (headers that do not end, a
#       request line that does not parse), 2 x 2/s
#   .7  svmap: an OPTIONS and an INVITE scan of :5060-5069 (15 s each)
#   .8  svwar: an INVITE extension scan 1000-1299 of :5062, a REGISTER
#       one of :5060 (20 s each)
#   .9  svcrack: REGISTER password guessing for 1001 at :5062 (30 s)
#   .10 sipp: INVITE to made-up users (9<n>) at :5062, 4/s, never ACKed
#
# and ghost calls from the provider's own address (a scanner that spoofs
# it, or one the provider lets through), which port 1 (contact_token and
# ring_holdoff_ms) must keep from ringing:
#
#   .1  sipp: INVITE to made-up users at :5062 (ghost_scan.xml), 4/s for
#       10 s: 404 to each (neither the Contact's token nor 1001), none
#       makes a call state;
#   .1  sipp: INVITE to 1001 at :5062 cancelled as soon as its 180 comes
#       (ghost_cancel.xml), 4 in turn: 180, 487, and no ring (the hold-off
#       is 2 s here: under TCG a busy sipp answers the 180 late; it is
#       given a minute, since one killed between its INVITE and CANCEL
#       would leave a real call ringing);
#
# while port 0's call goes on and the scan runs into port 1's next call.
#
# (Today's agent-wide cap of 64 transactions, each held 32 s by a
# stranger's request, is full after a few seconds of this; a flood at
# tens of requests a second per address only makes the VM's emulated CPU
# the bottleneck.)
#
# svwar and svcrack (sipvicious 0.3.3) ignore --bindingip and send from
# an unbound socket, so they are aimed at 127.0.0.8/9 themselves (fxsd
# listens on every address) and the VM's loopback routes to 127.0.0.2-9
# prefer those addresses as source: every stranger's datagram leaves from
# its own address, never from 127.0.0.1.
#
# While the flood runs:
#   - the call in progress keeps its audio both ways (the handset's
#     noise comes back from sipp's RTP echo: normalised cross-correlation
#     above 0.5), before and after the other call, and it ends with a BYE
#     that reaches the far end;
#   - the registrar's INVITE rings port 1, the call connects, has audio
#     both ways and ends with the far end's BYE;
#   - port 1 places a call (DTMF 2345): INVITE, answer, audio, BYE;
#   - port 1 keeps refreshing its registration (a REGISTER every 4 s
#     reaches the registrar);
#   - the on-hook phone never rings for a stranger (the handset's ringer
#     observations, before and after the legitimate call);
#   - fxsd's peak resident memory (VmHWM) stays under MEM_LIMIT_KB, and
#     grows by at most MEM_GROWTH_KB over the flood;
#   - from the flood's start to its exit fxsd writes (stdout and stderr,
#     what the journal would get, at its default log level) at most
#     LOG_PER_MIN lines per minute of flood (a minute at least is
#     counted), and of them at most LOG_STRANGER_BURST plus
#     LOG_STRANGER_PER_MIN a minute name a stranger or went to stdout
#     (libosip2's parser complaints).
#
# Exit 4 (skip) without /dev/fxs1, sipp or sipvicious.  Ends with
# "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs1 ] || { echo "SKIP: no /dev/fxs1"; exit 4; }
command -v sipp >/dev/null || { echo "SKIP: no sipp"; exit 4; }
command -v svwar >/dev/null || { echo "SKIP: no sipvicious"; exit 4; }

FLOOD_SECS=300		# the strangers' cap in time (count: rate x this)
MEM_LIMIT_KB=32768	# fxsd's VmHWM at the end of the flood
MEM_GROWTH_KB=4096	# VmRSS growth over the flood
LOG_PER_MIN=150		# lines fxsd writes per minute of flood
LOG_STRANGER_BURST=40	# of which about the strangers or on stdout: this
LOG_STRANGER_PER_MIN=60	# many, and this many a minute (two ports)

work=$(mktemp -d /tmp/fxs-flood.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
reg_pid=
flood_pids=()
t_start=$(date +%s)

cleanup() {
	local p

	for p in "${flood_pids[@]}" $reg_pid; do
		kill "$p" 2>/dev/null
	done
	[ -n "$fxsd_pid" ] && kill "$fxsd_pid" 2>/dev/null
	pkill -x sipp 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

# sipp_wait_for PID NAME SECONDS: sipp_wait, but give up after SECONDS
# (the scenarios' own timeouts are minutes long)
sipp_wait_for() {
	local end=$((SECONDS + $3))

	while [ "$SECONDS" -lt "$end" ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.2
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		echo "sipp $2 did not end within $3 s:"
		tail -n 20 "$work/$2.err" "$work/$2.out" 2>/dev/null
		return 1
	fi
	sipp_wait "$1" "$2"
}

# mem NAME: fxsd's VmRSS or VmHWM in kB
mem() {
	sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB$/\1/p" "/proc/$fxsd_pid/status"
}

# registers: REGISTER requests the registrar has received so far
registers() {
	grep -c '^REGISTER sip:' "$work/registrar.msg" 2>/dev/null
}

# reg_gap_ms FROM: the longest time in ms between two REGISTERs reaching
# the registrar, counted from the REGISTER number FROM on (sipp's message
# trace stamps each message "----... YYYY-MM-DD HH:MM:SS.us")
reg_gap_ms() {
	awk -v from="$1" '
		/^-----/ { split($NF, t, ":"); ts = t[1] * 3600 + t[2] * 60 + t[3] }
		/^REGISTER sip:/ {
			n++
			if (n > from && have && ts - last > gap) gap = ts - last
			if (n >= from) { last = ts; have = 1 }
		}
		END { printf "%d\n", gap * 1000 }' "$work/registrar.msg"
}

# lines: what fxsd has written so far (stderr and stdout)
lines() {
	cat "$work/fxsd.log" "$work/fxsd.out" | wc -l
}

# ---------------------------------------------------------------- set-up
cat >"$work/fxsd.conf" <<EOF
[global]
sip_port = 5060
rtp_port_min = 20000
rtp_port_max = 20100
tone_country = US

[port 0]
user = 1000
domain = 127.0.0.1:5070
register = no
disconnect_open_loop_ms = 0

[port 1]
user = 1001
domain = 127.0.0.1:5072
registrar = 127.0.0.1:5080
register = yes
disconnect_open_loop_ms = 0
digit_map = { 2xxx | x.T }
interdigit_short_ms = 1500
contact_token = yes
ring_holdoff_ms = 2000
EOF

# the strangers' addresses are their own sources on the loopback
for n in 2 3 4 5 6 7 8 9 10; do
	ip route replace local 127.0.0.$n dev lo table local scope host \
		src 127.0.0.$n
done

# The registrar: a 200 granting 8 s to every REGISTER, each logged (and
# the token fxsd's Contact carries with it).  One
# sipp call answers them all: they share a Call-ID, and sipp would drop
# those of a call it has just ended.
cat >"$work/registrar.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="registrar granting 8 s, for ever">
  <label id="1"/>
  <recv request="REGISTER"/>
  <send next="1"><![CDATA[
      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:];tag=[pid]reg
      [last_Call-ID:]
      [last_CSeq:]
      [last_Contact:];expires=8
      Content-Length: 0
  ]]></send>
</scenario>
EOF
sipp -sf "$work/registrar.xml" -i 127.0.0.1 -p 5080 -mp 7000 -m 1 \
	-timeout 600 -nostdin -trace_msg -message_file "$work/registrar.msg" \
	>"$work/registrar.out" 2>&1 &
reg_pid=$!

"${FXSD:-daemon/fxsd}" -c "$work/fxsd.conf" >"$work/fxsd.out" 2>"$work/fxsd.log" &
fxsd_pid=$!
for _ in $(seq 100); do
	grep -q "Registration registered" "$work/fxsd.log" && break
	sleep 0.1
done
check "fxsd attaches both ports" sh -c "grep -q 'Attached /dev/fxs0' '$work/fxsd.log' &&
	grep -q 'Attached /dev/fxs1' '$work/fxsd.log'"
check "port 1 registers at 127.0.0.1:5080" \
	grep -q "Registration registered (status 200, expires 8)" "$work/fxsd.log"
token=$(sed -n 's/^Contact: <sip:\([^@]*\)@.*/\1/p' "$work/registrar.msg" | head -n 1)
check "port 1 registers a Contact token, not its user ($token)" \
	sh -c "echo '$token' | grep -qx 'fx[0-9a-f]\{16\}'"

# The call in progress: 127.0.0.1 calls port 0, the phone answers
cat >"$work/held.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="a call through the flood, the ATA ends it">
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
  <recv response="180" optional="true"/>
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
  <recv request="BYE" timeout="300000"/>
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
# (sipp_bg's 3 minutes may not be enough for the whole test on a busy machine)
sipp 127.0.0.1:5060 -sf "$work/held.xml" -s 1000 -i 127.0.0.1 -p 5070 \
	-mp 6000 -rtp_echo -nostdin -m 1 -timeout 900 -timeout_error \
	-trace_err -error_file "$work/held.err" >"$work/held.out" 2>&1 &
held_sp=$!
$HS 0 wait-ring 10000 >/dev/null && $HS 0 lift >/dev/null
check "port 0: a call is in progress before the flood" wait_state in-call 5 0
check "port 0: audio both ways before the flood" talk 0

# ---------------------------------------------------------------- flood
# stranger_request METHOD USER: a scenario sending one METHOD per call,
# no ACK, no retransmission, never waiting for an answer
stranger_request() {
	local body='' ct=''

	if [ "$1" = INVITE ]; then
		ct='Content-Type: application/sdp'
		body='v=0
      o=scanner 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      m=audio 9 RTP/AVP 0 8'
	fi
	cat <<EOF
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="stranger $1 flood">
  <send><![CDATA[
      $1 sip:$2@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:$2@[remote_ip]>;tag=[pid]s[call_number]
      To: <sip:$2@[remote_ip]>
      Call-ID: [call_id]
      CSeq: 1 $1
      Contact: <sip:scanner@[local_ip]:[local_port]>
      Max-Forwards: 70
      User-Agent: friendly-scanner
      $ct
      Content-Length: [len]

      $body
  ]]></send>
</scenario>
EOF
}
stranger_request INVITE 1000 >"$work/invite0.xml"
stranger_request INVITE 1001 >"$work/invite1.xml"
stranger_request OPTIONS 1000 >"$work/options0.xml"
stranger_request REGISTER 1001 >"$work/register1.xml"
stranger_request INVITE '9[call_number]' >"$work/invite_rand.xml"
# libosip2 refuses both: the first's headers never end for it (a To
# without its '<', a CSeq number with a letter), the second's request
# line has no SIP URI
cat >"$work/malformed.xml" <<'EOF'
<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="malformed datagrams">
  <send><![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:scanner@[local_ip]:[local_port]>;tag=[call_number]m
      To: sip:[service]@[remote_ip]:[remote_port]>>;;;=
      Call-ID: [call_id]
      CSeq: 1x INVITE
      Max-Forwards: 70
      Content-Length: 0
  ]]></send>
  <send><![CDATA[
      NOTIFY scanner SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:scanner@[local_ip]:[local_port]>;tag=[call_number]m
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
      CSeq: 2 NOTIFY
      Content-Length: 0
  ]]></send>
</scenario>
EOF

# flood NAME SOURCE TARGET RATE: a sipp stranger at RATE calls/s for at
# most FLOOD_SECS, in the background
flood() {
	nice -n 19 sipp "$3" -sf "$work/$1.xml" -s scanner -i "$2" -p 5100 -mp 7100 -r "$4" \
		-m $(($4 * FLOOD_SECS)) -timeout "$FLOOD_SECS" -nostdin \
		>"$work/$1.out" 2>&1 &
	flood_pids+=($!)
}

# in_turn CMD1 CMD2: run two commands one after the other, in the
# background; SIGTERM ends the one running
in_turn() {
	(
		trap 'kill $child 2>/dev/null; exit' TERM
		sh -c "$1" & child=$!
		wait $child
		sh -c "$2" & child=$!
		wait $child
	) &
	flood_pids+=($!)
}

lines0=$(lines)
rss0=$(mem VmRSS)
regs0=$(registers)
t0=$(date +%s)
echo "# flood starts: fxsd VmRSS $rss0 kB, VmHWM $(mem VmHWM) kB, $lines0 lines written, $regs0 REGISTERs so far"
flood invite0 127.0.0.2 127.0.0.1:5060 4
flood invite1 127.0.0.3 127.0.0.1:5062 4
flood options0 127.0.0.4 127.0.0.1:5060 4
flood register1 127.0.0.5 127.0.0.1:5062 4
flood malformed 127.0.0.6 127.0.0.1:5062 2
# sipvicious, paced by its select timeout (-t 0.05: at most 20 requests a
# second; by default it spins)
in_turn "nice -n 19 timeout -k 5 15 svmap -t 0.05 -b 127.0.0.7 -p5060-5069 127.0.0.7" \
	"nice -n 19 timeout -k 5 15 svmap -t 0.05 -b 127.0.0.7 -p5060-5069 -m INVITE -e 1001 127.0.0.7" \
	>"$work/svmap.out" 2>&1
in_turn "nice -n 19 timeout -k 5 20 svwar -t 0.05 -m INVITE -e1000-1299 --force -p 5062 127.0.0.8" \
	"nice -n 19 timeout -k 5 20 svwar -t 0.05 -e1000-1299 --force -p 5060 127.0.0.8" \
	>"$work/svwar.out" 2>&1
nice -n 19 timeout -k 5 30 svcrack -t 0.05 -u 1001 -r 1000-9999 -p 5062 127.0.0.9 \
	>"$work/svcrack.out" 2>&1 &
flood_pids+=($!)
flood invite_rand 127.0.0.10 127.0.0.1:5062 4

# the strangers' INVITEs are arriving, and the provider's address sends
# ghost calls: port 1, on-hook, must stay silent
rings1=$(grep -c '^fxsd: fxs1 .*-> ringing on' "$work/fxsd.log")
sipp 127.0.0.1:5062 -sf tests/sipp/ghost_scan.xml -i 127.0.0.1 -p 5076 \
	-mp 6012 -r 4 -m 40 -timeout 60 -timeout_error -nostdin \
	-trace_err -error_file "$work/ghost_scan.err" >"$work/ghost_scan.out" 2>&1 &
scan_sp=$!
sipp 127.0.0.1:5062 -sf tests/sipp/ghost_cancel.xml -s 1001 -i 127.0.0.1 \
	-p 5078 -mp 6016 -r 2 -l 1 -m 4 -timeout 90 -timeout_error -nostdin \
	-trace_err -error_file "$work/ghost_cancel.err" >"$work/ghost_cancel.out" 2>&1 &
cancel_sp=$!
# the ringer, watched for 8 s at least and as long as the ghost calls go
# on (a minute at most), in 2 s windows
ghost_rang=0
end=$((SECONDS + 8))
while [ "$SECONDS" -lt "$end" ] || { kill -0 "$cancel_sp" 2>/dev/null &&
	[ "$SECONDS" -lt $((end + 52)) ]; }; do
	$HS 1 ring-cadence 2000 >>"$work/ring1.out" 2>&1 && ghost_rang=1
done
check "port 1: 4 INVITEs cancelled at their 180 each get 487 (sipp scenario passes)" \
	sipp_wait_for "$cancel_sp" ghost_cancel 5
check "port 1 does not ring for the strangers nor the ghost calls (ringer observations)" \
	sh -c "test $ghost_rang -eq 0 || { grep -v silent '$work/ring1.out'; false; }"
rings=$(($(grep -c '^fxsd: fxs1 .*-> ringing on' "$work/fxsd.log") - rings1))
check "port 1: only the 4 cancelled INVITEs made a call ($rings), none of the scan's" \
	test "$rings" -eq 4
check "port 1 is idle after the ghost calls" wait_state idle 20 1
check "port 0: the call in progress keeps its audio in the flood" talk 0

# The registrar's INVITE reaches port 1
sipp_bg legit_in 127.0.0.1:5062 -sf tests/sipp/ata_call_in.xml -s 1001 \
	-i 127.0.0.1 -p 5074 -mp 6004 -rtp_echo
in_sp=$sp
check "port 1: the registrar's INVITE rings the phone in the flood" \
	$HS 1 wait-ring 10000
$HS 1 lift >/dev/null
check "port 1: the call connects" wait_state in-call 5 1
check "port 1: audio both ways on the call received in the flood" talk 1
check "port 1: the far end's BYE ends it (sipp scenario passes)" \
	sipp_wait_for "$in_sp" legit_in 15
$HS 1 hangup >/dev/null
check "port 1: idle after the call" wait_state idle 5 1
check "port 1: 40 INVITEs to made-up users from the provider's address each got 404, none rang (sipp scenario passes)" \
	sipp_wait_for "$scan_sp" ghost_scan 60

# port 1 places a call
sipp_bg legit_out -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5072 \
	-mp 6008 -rtp_echo
out_sp=$sp
$HS 1 lift >/dev/null
$HS 1 dtmf 2345 >/dev/null
check "port 1: the call placed in the flood connects" wait_state in-call 10 1
check "port 1: audio both ways on the call placed in the flood" talk 1
$HS 1 hangup >/dev/null
check "port 1: hanging up sends BYE (sipp saw INVITE, ACK and BYE)" \
	sipp_wait_for "$out_sp" legit_out 10
check "port 1: idle after the call placed" wait_state idle 5 1
check "port 1 still does not ring for the strangers (3 s)" \
	sh -c "! $HS 1 ring-cadence 3000"

check "port 0: the call in progress still has its audio" talk 0
$HS 0 hangup >/dev/null
check "port 0: hanging up sends BYE to the far end (sipp scenario passes)" \
	sipp_wait_for "$held_sp" held 10

# the flood ran through all of that
alive=0
for p in "${flood_pids[@]:0:5}"; do
	kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
done
t1=$(date +%s)
check "the sipp strangers were still flooding at the end ($alive of 5)" \
	test "$alive" -eq 5
stop_pids "${flood_pids[@]}"
flood_pids=()
secs=$((t1 - t0))
sent=0
for f in invite0 invite1 options0 register1 malformed invite_rand; do
	n=$(sed -n 's/^ *Outgoing calls created *| *[0-9]* *| *\([0-9]*\) *$/\1/p' \
		"$work/$f.out" | tail -n 1)
	echo "# sipp $f: ${n:-?} scenarios sent"
	[ "$f" = malformed ] && n=$((${n:-0} * 2))
	sent=$((sent + ${n:-0}))
done
echo "# svmap, svwar, svcrack (last lines):"
tail -n 2 "$work/svmap.out" "$work/svwar.out" "$work/svcrack.out" | sed 's/^/#   /'

regs=$(($(registers) - regs0))
echo "# the flood lasted $secs s: $sent datagrams from sipp's strangers, $regs REGISTERs from port 1 reached the registrar"
# The registration must never lapse: every refresh (due 4 s after the
# last 200) reaches the registrar within the 8 s it granted.  On the old
# code the stranger's transactions filled the table and no re-REGISTER
# went out at all.
gap=$(reg_gap_ms "$regs0")
echo "# the longest time between two REGISTERs in the flood: $gap ms"
check "port 1 refreshed its registration through the flood ($regs in $secs s, none more than 8 s apart: $gap ms)" \
	sh -c "test $regs -ge $((secs / 8)) && test $gap -lt 8000 ||
		{ grep Registration '$work/fxsd.log' | tail -n 5; false; }"

rss1=$(mem VmRSS)
hwm1=$(mem VmHWM)
echo "# after the flood: fxsd VmRSS $rss1 kB (was $rss0 kB), VmHWM $hwm1 kB"
check "fxsd's peak memory stays under $MEM_LIMIT_KB kB (VmHWM $hwm1 kB)" \
	test "$hwm1" -le "$MEM_LIMIT_KB"
check "fxsd's memory grows by at most $MEM_GROWTH_KB kB in the flood ($((rss1 - rss0)) kB)" \
	test $((rss1 - rss0)) -le "$MEM_GROWTH_KB"

kill "$fxsd_pid"
wait "$fxsd_pid"
rc=$?
fxsd_pid=
check "fxsd exits cleanly on SIGTERM" test "$rc" -eq 0
# stdout is a file: whatever was buffered is written at exit, and
# nothing comes after the flood but the shutdown's few lines
n=$(($(lines) - lines0))
echo "# fxsd wrote $n lines from the flood's start to its exit ($(wc -l <"$work/fxsd.out") on stdout); most frequent:"
cat "$work/fxsd.log" "$work/fxsd.out" | tail -n "$n" |
	sed -E 's/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/#   /'
mins=$(((secs + 59) / 60))
check "fxsd writes at most $LOG_PER_MIN lines per minute of flood ($n in $secs s)" \
	test "$n" -le $((LOG_PER_MIN * mins))
# what the strangers made it write: lines naming them, and whatever went
# to stdout (libosip2's complaints)
ns=$(($(tail -n "$((n - $(wc -l <"$work/fxsd.out")))" "$work/fxsd.log" |
	grep -cE '127\.0\.0\.([2-9]|10)([^0-9]|$)') + $(wc -l <"$work/fxsd.out")))
check "at most $LOG_STRANGER_BURST + $LOG_STRANGER_PER_MIN a minute about the strangers or on stdout ($ns in $secs s)" \
	test "$ns" -le $((LOG_STRANGER_BURST + LOG_STRANGER_PER_MIN * secs / 60))

echo "# $(($(date +%s) - t_start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
