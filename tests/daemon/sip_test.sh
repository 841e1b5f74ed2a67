#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# sip_test.sh - build tests/daemon/sip_test and run it against SIPp.
#
# Every case picks free local ports itself (bind to port 0), starts its own
# sipp on 127.0.0.1 (127.0.0.2 for the "unknown source" case), over UDP or
# TCP, and checks both sides; a few cases use raw sockets, the SRV case a
# fake DNS server, the other DNS cases dnsmasq on 127.0.0.1 (skipped
# without it; the RFC 3263 cases run two sipp registrars on 127.0.0.2 and
# 127.0.0.3 behind one SRV name, with failover_timeout_ms = 300 and
# failover_probe_secs = 1, so failover and return take about 1 s each)
# and a silent one (no outside DNS needed); the RFC 4475
# case sends every message of tests/sip/rfc4475 over UDP and TCP.  The
# registrar-outage case waits for libosip2's 32 s Timer F in a child
# process while the others run (as does the 64*T1 2xx retransmission
# case), so a run takes about 75 s plus the build (the RFC 4475 case, 98
# exchanges, comes last).
# Exit 0 all passed, 1 failures, 4 skipped (no sipp / no compiler).  Logs
# of every sipp run stay in $SIP_TEST_LOGS (default: a temporary
# directory, removed on success).  SIP_TEST_ONLY=substring runs only the
# matching cases; SIP_TEST_VERBOSE=1 prints the agent's log;
# SIP_TEST_NETNS=0 keeps it out of a network namespace of its own.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

command -v "${SIPP:-sipp}" >/dev/null 2>&1 || {
	echo "SKIP: sipp not installed (apt-get install sip-tester)"
	exit 4
}
command -v cc >/dev/null 2>&1 || { echo "SKIP: no cc"; exit 4; }

logs=${SIP_TEST_LOGS:-}
own_logs=0
if [ -z "$logs" ]; then
	logs=$(mktemp -d /tmp/fxs-sip-test.XXXXXX) || exit 1
	own_logs=1
fi
mkdir -p "$logs"
cleanup() {
	[ "$own_logs" = 1 ] && [ "${keep:-0}" = 0 ] && rm -rf "$logs"
}
trap cleanup EXIT INT TERM

# the Makefile builds it: the agent's sources under ASan/UBSan
make -s tests/daemon/sip_test || exit 1

# In a network namespace of its own when possible (root, or user
# namespaces): only a loopback, and 127.0.0.1:5060, which the RFC 4475 case
# sends from, is free whatever runs on the machine.
if [ "${SIP_TEST_NETNS:-1}" = 1 ] && command -v ip >/dev/null 2>&1 &&
	unshare -n sh -c 'ip link set lo up' 2>/dev/null; then
	unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		tests/daemon/sip_test tests/sipp "$logs"
else
	tests/daemon/sip_test tests/sipp "$logs"
fi
rc=$?
if [ $rc -ne 0 ]; then
	keep=1
	echo "# sipp logs kept in $logs"
fi
exit $rc
