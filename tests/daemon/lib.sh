# SPDX-License-Identifier: GPL-2.0-only
#
# lib.sh - what the end-to-end daemon tests share (sourced, not run).
# The caller sets $work (a scratch directory) before sourcing, and reads
# $pass and $fail at the end.  fxsd's log is $work/fxsd.log.

pass=0
fail=0
HS=tests/daemon/handset

ok() {
	echo "ok $1"
	pass=$((pass + 1))
}

# show_logs: what a failed case prints; a script with more daemons than
# fxsd defines its own after sourcing this file
show_logs() {
	echo "--- fxsd log (last 30 lines)"
	tail -n 30 "$work/fxsd.log"
}

not_ok() {
	echo "not ok $1: $2"
	fail=$((fail + 1))
	show_logs
}

# check NAME CMD...: one test case
check() {
	local name=$1

	shift
	# not in a subshell: sipp_wait must see its own children
	if "$@" >"$work/check.out" 2>&1; then
		sed 's/^/# /' "$work/check.out" | head -n 3
		ok "$name"
	else
		sed 's/^/# /' "$work/check.out" | head -n 12
		not_ok "$name" "'$*' failed"
	fi
}

# sipp_bg NAME ARGS...: far end in the background, pid in $sp.  With
# "-p PORT" it returns once sipp has bound PORT (up to 10 s), so a call
# made to it at once finds it listening: a fixed sleep is a guess the
# loaded VM can lose.
sipp_bg() {
	local name=$1 port= a prev=

	shift
	for a in "$@"; do
		[ "$prev" = -p ] && port=$a
		prev=$a
	done
	sipp "$@" -nostdin -m 1 -timeout 180 -timeout_error \
		-trace_err -error_file "$work/$name.err" \
		>"$work/$name.out" 2>&1 &
	sp=$!
	[ -n "$port" ] || return 0
	until_ok 10 sipp_bound "$port" ||
		echo "# sipp $name: port $port not bound within 10 s" >&2
}
sipp_bound() {	# sipp_bound PORT: a socket bound to PORT (UDP or listening TCP)
	[ -n "$(ss -Hlnut "sport = :$1")" ]
}

sipp_wait() {	# sipp_wait PID NAME: the far end's scenario passed
	if wait "$1"; then
		return 0
	fi
	echo "sipp $2 failed:"
	tail -n 20 "$work/$2.err" "$work/$2.out" 2>/dev/null
	return 1
}

now_ms() {	# sets $now to the wall clock in ms (no fork: the VM is slow)
	now=${EPOCHREALTIME/[.,]/}
	now=$((now / 1000))
}

# until_ok SECONDS CMD...: run CMD every 0.1 s until it succeeds; fail once
# SECONDS have passed (measured by the clock: each try may take a while
# under TCG)
until_ok() {
	local now end

	now_ms
	end=$((now + $1 * 1000))
	shift
	while :; do
		"$@" && return 0
		now_ms
		[ "$now" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# underruns PORT: frames the driver played on the port with audio missing
# (fxsd wrote too late), so far
underruns() {
	cat "/sys/class/fxs/fxs$1/counters/pcm_underruns"
}

# talk PORT: audio both ways, measured by the handset (what it says comes
# back through the far end's RTP echo, cross-correlated, at a delay up to
# 400 ms).  Under emulation on a loaded machine a 2 s window now and then
# comes back spoilt by late frames, so a second window is measured before
# the check fails.  A window in which the driver played frames with audio
# missing (underruns: fxsd wrote too late, and what it wrote then came
# later than the handset looks) measured a late machine, not a wrong
# answer: up to 4 windows are measured while each failed one had
# underruns.  Every failed window is printed with its underruns.
talk() {
	local i u n

	for i in 1 2 3 4; do
		u=$(underruns "$1")
		$HS "$1" talk 2000 && return 0
		n=$(($(underruns "$1") - u))
		echo "# window $i failed, with $n underruns on fxs$1"
		[ "$i" -ge 2 ] && [ "$n" -eq 0 ] && return 1
	done
	return 1
}

# hs_bg ARGS...: the handset command ARGS in the background, its pid in
# $hs_pid; returns once it listens (its earpiece queue flushed, so what it
# records starts now).  A sleep after "&" is a guess the loaded VM can
# lose: the sound the command is to hear then starts before it listens.
hs_bg() {
	local ready="$work/hs-ready.$BASHPID.$RANDOM"

	rm -f "$ready"
	FXS_HS_READY=$ready $HS "$@" &
	hs_pid=$!
	if ! until_ok 10 test -e "$ready"; then
		echo "# handset $* did not start listening within 10 s" >&2
		return 1
	fi
	rm -f "$ready"
}

# call_in_case [TALK...]: cases.  The far end (sipp, which echoes RTP)
# calls port 0: the phone rings, the handset answers, TALK (default "talk
# 0") measures audio both ways, the far end hangs up, reorder tone (US),
# the handset hangs up.
call_in_case() {
	[ $# -gt 0 ] || set -- talk 0
	sipp_bg in 127.0.0.1:5060 -sf tests/sipp/ata_call_in.xml -s 1000 \
		-i 127.0.0.1 -p 5070 -mp 6000 -rtp_echo
	check "incoming INVITE rings the phone" $HS 0 wait-ring 10000
	check "state ringing" wait_state ringing 2
	check "lifting the handset answers" $HS 0 lift
	check "state in-call after the ACK" wait_state in-call 5
	check "audio both ways (what is said comes back from the far end)" "$@"
	check "far end hangs up: BYE answered, sipp scenario passes" \
		sipp_wait "$sp" in
	check "state disconnected (phone still off-hook)" wait_state disconnected 3
	# US reorder: 480+620 Hz, 0.25 s on, 0.25 s off
	check "reorder tone after the far end hung up" $HS 0 hear 480 2000 30
	check "hanging up returns to idle" $HS 0 hangup
	check "state idle" wait_state idle 3
}

# call_out_case: cases.  Port 0's phone lifts (dial tone), pulse-dials
# 2345, the far end (sipp, RTP echo) answers, they talk, the phone hangs
# up (BYE).
call_out_case() {
	sipp_bg out -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
		-mp 6002 -rtp_echo
	check "lifting the handset gives dial tone" $HS 0 lift
	check "dial tone (350+440 Hz) at the earpiece" $HS 0 hear 440 600
	check "pulse-dialling 2345" $HS 0 dial 2345
	check "state in-call once the far end answers" wait_state in-call 10
	check "audio both ways on the outgoing call" talk 0
	check "hanging up sends BYE" $HS 0 hangup
	check "far end saw INVITE, ACK and BYE" sipp_wait "$sp" out
	check "state idle after the outgoing call" wait_state idle 3
}

# call_out_dtmf_case: cases.  As call_out_case, the number keyed in DTMF
# (fxsd detects it in the phone's audio).
call_out_dtmf_case() {
	local mark

	sipp_bg outdtmf -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
		-mp 6012 -rtp_echo
	check "DTMF: lifting the handset" $HS 0 lift
	check "DTMF: dial tone" $HS 0 hear 440 600
	mark=$(wc -l <"$work/fxsd.log")
	check "DTMF: keying 2345" $HS 0 dtmf 2345
	check "DTMF: fxsd detected 2345 in the phone's audio" until_ok 10 \
		sh -c "tail -n +$((mark + 1)) '$work/fxsd.log' | grep -q 'Dialled 2345, calling 2345'"
	check "DTMF: state in-call once the far end answers" wait_state in-call 10
	check "DTMF: audio both ways" talk 0
	check "DTMF: hanging up sends BYE" $HS 0 hangup
	check "DTMF: far end saw INVITE, ACK and BYE" sipp_wait "$sp" outdtmf
	check "DTMF: idle again" wait_state idle 3
}

# callerid_case: cases.  A caller with a name and number rings port 0 and
# gives up after 6 s; the on-hook phone records the first silence, where
# minimodem must decode the caller ID (Bell 202, US) fxsd sent.
callerid_case() {
	sipp_bg cid 127.0.0.1:5060 -sf tests/sipp/call_in_cancel.xml -s 1000 \
		-i 127.0.0.1 -p 5070 -mp 6014 -key cnum 5551234567 \
		-key cname "JOHN DOE"
	$HS 0 wait-ring 10000 >/dev/null
	check "caller ID: the on-hook phone records the line during the first silence" \
		$HS 0 record 4200 "$work/cid.raw"
	sox -t raw -r 8000 -e signed -b 16 -c 1 "$work/cid.raw" "$work/cid.wav" 2>/dev/null
	minimodem --rx callerid -q -f "$work/cid.wav" >"$work/cid.txt" 2>&1
	sed 's/^/# minimodem: /' "$work/cid.txt"
	check "caller ID: minimodem decodes the caller's number" \
		grep -q "Phone: 555-123-4567" "$work/cid.txt"
	check "caller ID: minimodem decodes the caller's name" \
		grep -q "Name:  JOHN DOE" "$work/cid.txt"
	check "caller ID: minimodem decodes today's date" \
		grep -q "Time:  $(date +%m/%d)" "$work/cid.txt"
	check "caller ID: the caller gives up (CANCEL, 487)" sipp_wait "$sp" cid
	check "caller ID: state idle" wait_state idle 5
}

# fxsd_state [PORT]: the port's last logged state change
# stop_pids PID...: SIGTERM, up to 10 s for them to go, then SIGKILL to
# what is left; reaps them.  A background job that ignores SIGTERM (or a
# timeout(1) whose child does) must not hold the suite until the VM's
# own timeout.
stop_pids() {
	local p i left

	[ $# -gt 0 ] || return 0
	kill "$@" 2>/dev/null
	for i in $(seq 100); do
		left=
		for p; do
			kill -0 "$p" 2>/dev/null && left="$left $p"
		done
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		echo "# still running 10 s after SIGTERM, killed:$left"
		ps -o pid=,stat=,args= -p "${left# }" 2>/dev/null | sed 's/^/#   /'
		kill -KILL $left 2>/dev/null
		sleep 1
	fi
	# reap; one that even SIGKILL left (stuck in the kernel) is not waited for
	for p; do
		case " $left " in
		*" $p "*) kill -0 "$p" 2>/dev/null && continue ;;
		esac
		wait "$p" 2>/dev/null
	done
	return 0
}

fxsd_state() {
	grep -E "${1:+^fxsd: fxs$1[^0-9]}" "$work/fxsd.log" |
		sed -n 's/.*: [a-z-]* -> \([a-z-]*\) on [a-z-]*$/\1/p' | tail -n 1
}

wait_state() {	# wait_state STATE SECONDS [PORT]
	local i

	for i in $(seq $((${2} * 10))); do
		[ "$(fxsd_state "${3:-}")" = "$1" ] && return 0
		sleep 0.1
	done
	echo "state is '$(fxsd_state "${3:-}")', expected '$1'"
	return 1
}

# private_bus: a system bus of our own at $work/system_bus_socket with
# fxsd's real policy file; sets DBUS_SYSTEM_BUS_ADDRESS and $dbus_pid.
private_bus() {
	mkdir -p "$work/dbus.d"
	cp systemd/org.fxs.fxsd.conf "$work/dbus.d/"
	cat >"$work/bus.conf" <<EOF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$work/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_destination="org.freedesktop.DBus"/>
    <allow send_type="signal"/>
    <allow receive_type="*"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
  </policy>
  <includedir>$work/dbus.d</includedir>
</busconfig>
EOF
	chmod 755 "$work"
	dbus_pid=$(dbus-daemon --config-file="$work/bus.conf" --fork --print-pid)
	export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$work/system_bus_socket"
}

# call_conf: $work/fxsd.conf for the call tests: port 0 is user 1000,
# unregistered, its calls go to sipp at 127.0.0.1:5070
call_conf() {
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
digit_map = { 2xxx | x.T }
interdigit_short_ms = 1500
EOF
}

# cleanup: the EXIT trap of a script that runs fxsd, the private bus and
# sipp; a script with more to stop defines its own after sourcing this
cleanup() {
	[ -n "${fxsd_pid:-}" ] && kill "$fxsd_pid" 2>/dev/null
	[ -n "${dbus_pid:-}" ] && kill "$dbus_pid" 2>/dev/null
	pkill -x sipp 2>/dev/null
	wait 2>/dev/null
}

# start_fxsd: a private bus, then fxsd ($FXSD, else the ASan build) on
# $work/fxsd.conf, logging at debug level to $work/fxsd.log; its pid in
# $fxsd_pid.  A case: it attaches /dev/fxs0 (within 20 s).
start_fxsd() {
	private_bus
	"${FXSD:-tests/daemon/fxsd-asan}" -c "$work/fxsd.conf" -v \
		>"$work/fxsd.log" 2>&1 &
	fxsd_pid=$!
	check "fxsd attaches /dev/fxs0" \
		until_ok 20 grep -q "Attached /dev/fxs0" "$work/fxsd.log"
}

# stop_fxsd: SIGTERM to fxsd.  Cases: it exits with 0, and no sanitizer
# reported anything in its log.
stop_fxsd() {
	local rc

	kill "$fxsd_pid"
	wait "$fxsd_pid"
	rc=$?
	fxsd_pid=
	check "fxsd exits cleanly on SIGTERM" test "$rc" -eq 0
	if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$work/fxsd.log"; then
		not_ok "fxsd ran clean under the sanitizers" "see the log"
	else
		ok "fxsd ran clean under the sanitizers"
	fi
}
