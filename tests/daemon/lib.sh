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

sipp_bg() {	# sipp_bg NAME ARGS...: far end in the background, pid in $sp
	local name=$1

	shift
	sipp "$@" -nostdin -m 1 -timeout 180 -timeout_error \
		-trace_err -error_file "$work/$name.err" \
		>"$work/$name.out" 2>&1 &
	sp=$!
}

sipp_wait() {	# sipp_wait PID NAME: the far end's scenario passed
	if wait "$1"; then
		return 0
	fi
	echo "sipp $2 failed:"
	tail -n 20 "$work/$2.err" "$work/$2.out" 2>/dev/null
	return 1
}

# fxsd_state [PORT]: the port's last logged state change
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
