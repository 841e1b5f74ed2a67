#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tests/system/cockpit_test.sh - fxs's Cockpit page in a real browser, in
# the VM booted with systemd as PID 1 (after tests/system/run, same boot):
#
#   tests/vm/run --systemd -- tests/vm/suites cockpit=tests/system/cockpit_test.sh
#
# fxsd runs as the system service with the project's unit, D-Bus policy
# and sysusers file; cockpit-ws (Debian's) serves the installed page on
# 127.0.0.1:9090; two users log in with their passwords (PAM): alice, in
# group fxsadmin, and bob, in no group.  tests/system/cockpit_test.py
# drives headless Chromium with Selenium: alice sees port 0 registered and
# idle, then ringing and in call while sipp calls it and the loopback
# handset answers (the call's codec and packet counts, updated live),
# hangs up from the page (confirmed; sipp gets the BYE), sees the call in
# the last calls; a bad domain is shown next to its field and nothing is
# written; register = no is saved, written and applied (the registration
# shown changes); bob sees the status only and the bus refuses his
# Hangup.  The screenshot taken in the call is printed base64 on "# png:"
# lines (the VM's files are thrown away): tests/system/screenshot turns a
# log into the PNG (docs/cockpit.png).
#
# Exit 4 (skip) without cockpit-ws, chromium, chromedriver or selenium.
set -u
cd "$(dirname "$0")/../.." || exit 1

if [ "${FXS_VM:-}" != 1 ] || [ "$(cat /proc/1/comm 2>/dev/null)" != systemd ]; then
	echo "$0: run me in the VM: tests/vm/run --systemd -- tests/vm/suites cockpit=$0" >&2
	exit 2
fi
for f in /usr/lib/cockpit/cockpit-ws /usr/bin/chromium /usr/bin/chromedriver; do
	[ -x $f ] || { echo "SKIP: no $f"; exit 4; }
done
/usr/bin/python3 -c 'import selenium' 2>/dev/null || { echo "SKIP: no python3-selenium"; exit 4; }
[ -x daemon/fxsd ] && [ -x tests/daemon/handset ] || { echo "daemon/fxsd or tests/daemon/handset not built" >&2; exit 2; }

# ------------------------------------------------------------------ setup ---
mkdir -p /etc/sysusers.d /etc/udev/rules.d /etc/fxsd /etc/dbus-1/system.d
install -m 755 daemon/fxsd /usr/sbin/fxsd
install -m 644 systemd/fxsd.service /etc/systemd/system/fxsd.service
# the unit as shipped: no drop-in an earlier suite of this boot left
# (tests/system/run's 3 s watchdog killed fxsd under the browser's load)
rm -rf /etc/systemd/system/fxsd.service.d
systemctl daemon-reload
install -m 644 systemd/60-fxs.rules /etc/udev/rules.d/60-fxs.rules
install -m 644 systemd/fxsd.sysusers /etc/sysusers.d/fxsd.conf
install -m 644 systemd/org.fxs.fxsd.conf /etc/dbus-1/system.d/org.fxs.fxsd.conf
for f in cockpit/*; do
	install -D -m 644 "$f" "/usr/share/cockpit/fxs/${f##*/}"
done
systemd-sysusers
systemctl try-reload-or-restart dbus.service
udevadm control --reload
udevadm trigger --settle --subsystem-match=fxs
# users may log in once boot is over (pam_nologin): this boot is a test
systemctl start systemd-user-sessions.service 2>/dev/null
rm -f /run/nologin
useradd -m -G fxsadmin alice && useradd -m bob &&
	printf 'alice:alice-pw1\nbob:bob-pw1\n' | chpasswd || exit 2

# a registrar for port 0 (5080: tests/system/run's may still be on 5070;
# its RTP port is sipp's default 6000: the caller's is 6100)
sipp -sf tests/sipp/reg_ok.xml -i 127.0.0.1 -p 5080 -key expires 3600 \
	-m 1000 -nostdin >/tmp/fxs-cockpit-registrar.log 2>&1 &
registrar=$!
# fxsd may write its file (EditConfig): the directory is group fxs's
cat > /etc/fxsd/fxsd.conf <<'EOF'
; tests/system/cockpit_test.sh
[port 0]
user = 1000
password = "s3cret#1"
domain = 127.0.0.1:5080
register = yes
; the test's caller is sipp on 127.0.0.1:5072, not the registrar
allow_unknown_callers = yes
EOF
chgrp fxs /etc/fxsd /etc/fxsd/fxsd.conf
chmod 770 /etc/fxsd
chmod 660 /etc/fxsd/fxsd.conf
systemctl reset-failed fxsd 2>/dev/null
systemctl restart fxsd || { systemctl --no-pager status fxsd; exit 2; }
echo "# fxsd's watchdog: $(systemctl show -P WatchdogUSec fxsd) (the unit's own)"

# our own cockpit-ws on plain HTTP (not the package's cockpit.socket,
# which the host's systemd may have enabled)
systemctl stop cockpit.socket cockpit.service 2>/dev/null
# cockpit-session has 30 s to log a user in by default: PAM and the
# bridge's start took longer under emulation on a loaded machine
# ("session timed out during authentication"); 150 s here
mkdir -p /tmp/fxs-cockpit-xdg/cockpit
printf '[basic]\ntimeout = 150\n' >/tmp/fxs-cockpit-xdg/cockpit/cockpit.conf
XDG_CONFIG_DIRS=/tmp/fxs-cockpit-xdg \
	/usr/lib/cockpit/cockpit-ws --no-tls --address 127.0.0.1 --port 9090 \
	>/tmp/fxs-cockpit-ws.log 2>&1 &
ws=$!

/usr/bin/python3 tests/system/cockpit_test.py
rc=$?
if [ $rc != 0 ]; then
	echo "# cockpit-ws:"; tail -n 20 /tmp/fxs-cockpit-ws.log | sed 's/^/#   /'
	echo "# fxsd:"; journalctl -u fxsd --no-pager -o short-monotonic -n 60 | sed 's/^/#   /'
	echo "# sipp:"; cat /tmp/fxs-cockpit-sipp.log /tmp/fxs-cockpit-sipp.err 2>/dev/null | tail -n 20 | sed 's/^/#   /'
	echo "# sipp's messages (the last 60 lines):"
	tail -n 60 /tmp/fxs-cockpit-sipp.msg 2>/dev/null | sed 's/^/#   /'
fi
kill $ws $registrar 2>/dev/null
systemctl stop fxsd
exit $rc
