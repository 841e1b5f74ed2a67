#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# demo.sh - the main job, run by `make demo` inside the VM booted with
# systemd as PID 1: the loopback board's phone, fxsd started as the real
# unit (udev rule, sysusers, D-Bus policy), and a SIP far end (sipp, which
# echoes the audio it gets) make two real calls over UDP on 127.0.0.1.
#
#   1. the driver alone: lift, dial, ring, ring-trip, a tone to the earpiece
#   2. the far end calls the phone; it rings; the person answers and talks;
#      the far end hangs up
#   3. the person lifts the phone, pulse-dials 2345, talks, hangs up
#
# Without systemd as PID 1 (plain `tests/vm/run`) fxsd is started directly.
set -u
cd "$(dirname "$0")/../.." || exit 1
HS=tests/daemon/handset
CTL=daemon/fxsctl
work=$(mktemp -d /tmp/fxs-demo.XXXXXX)
chmod 755 "$work"
fxsd_pid=
under_systemd=0
[ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && under_systemd=1
trap '[ -n "$fxsd_pid" ] && kill $fxsd_pid 2>/dev/null; pkill -x sipp; wait' EXIT

say() { printf '\n== %s\n' "$*"; }
step() { printf '   %-44s' "$1"; shift; if out=$("$@" 2>&1); then echo "${out##*: }"; else echo "FAILED: $out"; failed=1; fi; }
failed=0

say "1. The driver and the loopback handset"
tests/demo/fxs-demo || failed=1

conf=$(cat <<EOF
[global]
sip_port = 5060
rtp_port_min = 20000
rtp_port_max = 20100
tone_country = US

[port 0]
user = 1000
display_name = "Kitchen phone"
domain = 127.0.0.1:5070
register = no
digit_map = { 2xxx | x.T }
EOF
)
if [ "$under_systemd" = 1 ]; then
	say "fxsd as a system service"
	mkdir -p /etc/sysusers.d /etc/udev/rules.d /etc/fxsd /etc/dbus-1/system.d
	install -m 755 daemon/fxsd /usr/sbin/fxsd
	install -m 644 systemd/fxsd.service /etc/systemd/system/fxsd.service
	install -m 644 systemd/60-fxs.rules /etc/udev/rules.d/60-fxs.rules
	install -m 644 systemd/fxsd.sysusers /etc/sysusers.d/fxsd.conf
	install -m 644 systemd/org.fxs.fxsd.conf /etc/dbus-1/system.d/org.fxs.fxsd.conf
	echo "$conf" >/etc/fxsd/fxsd.conf
	systemd-sysusers
	systemctl try-reload-or-restart dbus.service
	systemctl daemon-reload
	udevadm control --reload
	udevadm trigger --settle --subsystem-match=fxs
	systemctl start fxsd || failed=1
	echo "   /dev/fxs0: $(stat -c '%G %a' /dev/fxs0); fxsd: $(systemctl show -P ActiveState fxsd), user $(ps -o user= -C fxsd)"
	echo "   status: $(systemctl show -P StatusText fxsd)"
else
	echo "$conf" >"$work/fxsd.conf"
	daemon/fxsd -c "$work/fxsd.conf" >"$work/fxsd.log" 2>&1 &
	fxsd_pid=$!
	sleep 1
fi

say "2. A far end (sipp at 127.0.0.1:5070) calls the phone"
sipp 127.0.0.1:5060 -sf tests/sipp/ata_call_in.xml -s 1000 -i 127.0.0.1 \
	-p 5070 -mp 6000 -rtp_echo -m 1 -nostdin -timeout 60 -timeout_error \
	>"$work/in.out" 2>&1 &
sp=$!
t0=$(date +%s%N)
step "the phone rings; the ringer does" $HS 0 ring-cadence 6500
step "the person lifts the handset" $HS 0 lift
t1=$(date +%s%N)
echo "   time from INVITE to answer: $(( (t1 - t0) / 1000000 )) ms"
step "says something, hears it back over RTP" $HS 0 talk 2000
echo "   fxsctl calls:"
$CTL calls | sed 's/^/     /'
wait $sp && echo "   the far end hung up (BYE answered)" || { echo "   far end FAILED"; failed=1; }
step "the person hears reorder tone" $HS 0 hear 480 2000 20
step "and hangs up" $HS 0 hangup
sleep 1.5	# a break shorter than 1 s would be a hook flash

say "3. The phone calls out: pulse-dialling 2345"
sipp -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 -mp 6002 -rtp_echo \
	-m 1 -nostdin -timeout 60 -timeout_error >"$work/out.out" 2>&1 &
sp=$!
sleep 0.5
step "lift: dial tone" sh -c "$HS 0 lift && $HS 0 hear 440 600"
step "dial 2345" $HS 0 dial 2345
sleep 3
step "says something, hears it back over RTP" $HS 0 talk 2000
echo "   fxsctl calls --json:"
$CTL --json calls | sed 's/^/     /'
step "hangs up" $HS 0 hangup
wait $sp && echo "   the far end saw INVITE, ACK and BYE" || { echo "   far end FAILED"; failed=1; }
sleep 1.5

say "fxsctl status"
$CTL status | sed 's/^/   /'

say "What fxsd logged"
if [ "$under_systemd" = 1 ]; then
	journalctl -u fxsd -o cat --no-pager | sed 's/^/   /'
else
	kill "$fxsd_pid"
	wait "$fxsd_pid"
	fxsd_pid=
	sed 's/^fxsd: /   /' "$work/fxsd.log"
fi

[ "$failed" = 0 ] && say "demo finished: both calls carried audio both ways" ||
	say "demo FAILED"
exit "$failed"
