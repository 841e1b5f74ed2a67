#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# prov_test.sh - provisioning end to end, inside the VM (tests/vm/run --
# tests/vm/suites prov=...; the calls boot runs it after dialing):
#
#   an HTTPS server of the test's own (tests/daemon/prov_server.py: a CA
#   and a certificate for 127.0.0.1 made here with openssl; ETag,
#   Last-Modified, 304, a request log with CLOCK_MONOTONIC times) serves
#   the profile of port 0, whose forward_no_answer_secs (fxsctl --json
#   status) shows which profile fxsd runs with:
#
#   - the first fetch at start is applied; its URL has {serial} and {port}
#     expanded; the user and password in the URL reach neither the log
#     nor fxsctl;
#   - an unchanged profile costs one 304 per resync (If-None-Match with
#     the ETag it got), a changed one is picked up by the next resync;
#   - during a call, a NOTIFY check-sync from the registrar's address
#     (sipp) gets 200 and a fetch; the call goes on (audio both ways),
#     the new setting comes after it; the same NOTIFY from 127.0.0.2 (a
#     stranger) gets 403 and no fetch;
#   - a broken profile is refused with its line (URL:3:) in the log and
#     fxsctl provisioning, a truncated one as unreachable, a 503 as
#     http-error: the last good profile stays, and the passwords of the
#     profiles never reach the log;
#   - the retries after those failures follow the backoff schedule
#     (retry_min 1, retry_max 4: waits in [0.5,1], [1,2], [2,4], [2,4] ...
#     s), measured between the server's request times;
#   - fxsd restarted with the server down runs with the saved profile.
#
# Exit 4 (skip) without /dev/fxs0, sipp, openssl or python3.  Ends with
# "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
for t in sipp openssl python3; do
	command -v $t >/dev/null || { echo "SKIP: no $t"; exit 4; }
done

work=$(mktemp -d /tmp/fxs-prov.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
srv_pid=
PORT=8443
LOG=$work/req.log
SECRET_URL=fleetpw7
CTL=daemon/fxsctl

cleanup() {
	[ -n "${srv_pid:-}" ] && kill "$srv_pid" 2>/dev/null
	[ -n "${fxsd_pid:-}" ] && kill "$fxsd_pid" 2>/dev/null
	[ -n "${dbus_pid:-}" ] && kill "$dbus_pid" 2>/dev/null
	pkill -x sipp 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

show_logs() {
	echo "--- fxsd log (last 25 lines)"
	tail -n 25 "$work/fxsd.log"
	echo "--- server request log (last 10 lines)"
	tail -n 10 "$LOG" 2>/dev/null
}

# --- the server: a test CA, a certificate for 127.0.0.1 (EC: fast
# under TCG)
mkdir -p "$work/srv" "$work/state"
ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
if ! { openssl req -x509 $ec -keyout "$work/ca.key" -out "$work/ca.pem" \
		-days 2 -subj /CN=fxs-prov-test-ca &&
	openssl req $ec -keyout "$work/srv.key" -out "$work/srv.csr" \
		-subj /CN=127.0.0.1 &&
	printf 'subjectAltName=IP:127.0.0.1\n' >"$work/ext" &&
	openssl x509 -req -in "$work/srv.csr" -CA "$work/ca.pem" \
		-CAkey "$work/ca.key" -CAcreateserial -out "$work/srv.pem" \
		-days 2 -extfile "$work/ext"; } >"$work/openssl.log" 2>&1; then
	cat "$work/openssl.log"
	echo "not ok the test CA"
	exit 1
fi

start_server() {
	python3 tests/daemon/prov_server.py $PORT "$work/srv.pem" \
		"$work/srv.key" "$work/srv" "$LOG" >"$work/srv.log" 2>&1 &
	srv_pid=$!
	check "the HTTPS server is up" until_ok 20 grep -q listening "$work/srv.log"
}

# profile SECS [LINE]: the profile of port 0: forward_no_answer_secs and
# a password; LINE goes after them (line 4)
profile() {
	printf '[port 0]\npassword = "prov-s3cret-%s"\nforward_no_answer_secs = %s\n%s' \
		"$1" "$1" "${2:-}" >"$work/srv/profile.conf.new"
	mv "$work/srv/profile.conf.new" "$work/srv/profile.conf"
}
mode() { echo "$1" >"$work/srv/mode"; }

# secs_is N: port 0's forward_no_answer_secs, as fxsctl shows it
secs() {
	$CTL --json status 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)[0]["forward_no_answer_secs"])' 2>/dev/null
}
secs_is() { [ "$(secs)" = "$1" ]; }

# prov FIELD: a field of fxsctl --json provisioning
prov() {
	$CTL --json provisioning 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)[sys.argv[1]])' "$1" 2>/dev/null
}
prov_is() { [ "$(prov "$1")" = "$2" ]; }

# requests [STATUS]: how many requests (with that status) the server had
requests() {
	if [ -n "${1:-}" ]; then
		awk -v s="$1" '$3 == s { n++ } END { print n + 0 }' "$LOG" 2>/dev/null
	else
		awk 'END { print NR + 0 }' "$LOG" 2>/dev/null
	fi
}
more_than() { [ "$(requests "${2:-}")" -gt "$1" ]; }

# notify SCENARIO ADDRESS: a check-sync NOTIFY from ADDRESS:5072
notify() {
	sipp 127.0.0.1:5060 -sf "tests/sipp/$1.xml" -s 1000 -i "$2" -p 5072 \
		-mp 7100 -nostdin -m 1 -timeout 30 -timeout_error \
		>"$work/$1.out" 2>&1
}

# the serial fxsd puts in the URL: DMI's product serial, else the
# machine id (README, "Provisioning"), percent-encoded
serial=$(python3 - <<'EOF'
import urllib.parse
def first(p):
    try:
        return open(p).read().strip().split("\n")[0].strip()
    except OSError:
        return ""
s = first("/sys/class/dmi/id/product_serial") or first("/etc/machine-id")
print(urllib.parse.quote(s, safe="-._~"))
EOF
)
echo "# serial: $serial"

profile 21
mode ok
start_server
call_conf
cat >>"$work/fxsd.conf" <<EOF

[provisioning]
url = https://fleet:$SECRET_URL@127.0.0.1:$PORT/ata/{serial}/{port}.conf
ca_file = $work/ca.pem
resync_interval = 3
retry_min = 1
retry_max = 4
timeout = 10
state_dir = $work/state
EOF
start_fxsd

# --- the first fetch
check "the profile fetched at start is applied (forward_no_answer_secs 21)" \
	until_ok 30 secs_is 21
check "its URL: /ata/<serial>/0.conf" \
	bash -c "head -n 1 $LOG | grep -qF ' /ata/$serial/0.conf 200 INM=- '"
check "fxsctl provisioning: a profile held and when, the URL without its password" \
	bash -c "$CTL provisioning | tee /dev/stderr | grep -q '^Profile: *held' &&
		$CTL provisioning | grep -q '^URL: *https://127.0.0.1:$PORT/ata/$serial/0.conf\$' &&
		! $CTL --json provisioning | grep -q '\"last_applied_usec\":0,'"
check "the profile is kept in state_dir, 0600 (written off the loop)" \
	until_ok 10 bash -c "[ \"\$(stat -c %a $work/state/profile.conf)\" = 600 ] &&
		cmp $work/state/profile.conf $work/srv/profile.conf"

# --- resync
check "unchanged: a 304 per resync (If-None-Match: the ETag)" \
	until_ok 20 more_than 1 304
check "... every request after the first was conditional" \
	bash -c "awk 'NR > 1 && \$4 == \"INM=-\" { exit 1 }' $LOG"
check "... and the profile was sent once" test "$(requests 200)" = 1
profile 22
check "changed: picked up by a resync (forward_no_answer_secs 22)" \
	until_ok 20 secs_is 22

# --- check-sync during a call: resync off, then a call
sed -i 's/^resync_interval = 3$/resync_interval = 0/' "$work/fxsd.conf"
n=$(grep -c 'Reload: .*applied' "$work/fxsd.log")
kill -HUP "$fxsd_pid"
check "reload with resync_interval = 0" \
	until_ok 10 bash -c "[ \$(grep -c 'Reload: .*applied' $work/fxsd.log) -gt $n ]"
check "fxsctl provisioning: no next fetch planned" \
	until_ok 10 prov_is next_fetch_usec 0
sipp_bg out -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6020 -rtp_echo
check "lifting the handset gives dial tone" $HS 0 lift
check "pulse-dialling 2345" $HS 0 dial 2345
check "state in-call once the far end answers" wait_state in-call 15
profile 23
n=$(requests)
check "check-sync NOTIFY from the registrar's address: 200" \
	notify check_sync 127.0.0.1
check "... it makes fxsd fetch the profile" until_ok 15 more_than "$n"
check "... which waits for the call to end" \
	until_ok 15 grep -q 'Reload: ports in a call change when their call ends' "$work/fxsd.log"
check "the call goes on: audio both ways" talk 0
check "... with the old setting meanwhile (22)" secs_is 22
n=$(requests)
check "check-sync NOTIFY from 127.0.0.2 (a stranger): 403" \
	notify check_sync_stranger 127.0.0.2
check "... and no fetch" test "$(requests)" = "$n"
check "hanging up sends BYE" $HS 0 hangup
check "far end saw INVITE, ACK and BYE" sipp_wait "$sp" out
check "after the call the new profile rules (forward_no_answer_secs 23)" \
	until_ok 15 secs_is 23

# --- failures: a broken profile, a truncated one, 503; the backoff
first=$(($(requests) + 1))
profile 24 'forward_no_answer_secs = 9999
'
# line 4 repeats the key: "duplicate key" at :4:
check "fxsctl provisioning resync" $CTL provisioning resync
check "a broken profile is refused: fxsctl shows invalid, at line 4" \
	until_ok 15 bash -c "$CTL --json provisioning | grep -q '\"result\":\"invalid\"' &&
		$CTL provisioning | grep -qF 'Error:        https://127.0.0.1:$PORT/ata/$serial/0.conf:4: duplicate key'"
check "... the log names the line too" \
	grep -qF "/ata/$serial/0.conf:4: duplicate key 'forward_no_answer_secs'" "$work/fxsd.log"
check "... the last good profile stays (23)" secs_is 23
# (the mode first: a retry in between must not find a good profile)
mode truncate
profile 25
check "a truncated profile: unreachable" \
	until_ok 15 bash -c "[ \$(awk '\$3 == \"trunc\"' $LOG | wc -l) -gt 0 ] &&
		$CTL --json provisioning | grep -q '\"result\":\"unreachable\"'"
check "... the last good profile stays (23)" secs_is 23
mode 503
check "503: http-error, HTTP 503, the failures counted" \
	until_ok 20 bash -c "[ \$(awk '\$3 == 503' $LOG | wc -l) -ge 3 ] &&
		$CTL --json provisioning | grep -q '\"result\":\"http-error\",\"http_status\":503'"
check "... the last good profile stays (23)" secs_is 23
# the waits between the failed fetches, against the schedule: retry k
# waits d = min(4, 2^(k-1)) s, jittered into [d/2, d]; a fetch adds its
# own time (a TLS handshake under TCG) to the next interval
check "the retries back off: waits within [d/2, d + 1.5 s], d = 1, 2, 4, 4 ... s" \
	awk -v first="$first" '
		NR < first { next }
		{ t[++n] = $1 }
		END {
			if (n < 5) { print "only " n " failed fetches"; exit 1 }
			bad = 0
			for (k = 1; k < n; k++) {
				d = 2 ^ (k - 1); if (d > 4) d = 4
				w = (t[k + 1] - t[k]) / 1000
				printf "retry %d: %.3f s (d = %d s)\n", k, w, d
				if (w < d / 2 - 0.05 || w > d + 1.5) bad = 1
			}
			exit bad
		}' "$LOG"

# --- restarted with the server down
kill "$srv_pid"
wait "$srv_pid" 2>/dev/null
srv_pid=
kill "$fxsd_pid"
wait "$fxsd_pid"
rc=$?
fxsd_pid=
check "fxsd exits cleanly on SIGTERM" test "$rc" -eq 0
check "fxsd ran clean under the sanitizers" \
	bash -c "! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' $work/fxsd.log"
mv "$work/fxsd.log" "$work/fxsd-1.log"
"${FXSD:-tests/daemon/fxsd-asan}" -c "$work/fxsd.conf" -v >"$work/fxsd.log" 2>&1 &
fxsd_pid=$!
check "restarted with the server down: the saved profile is used" \
	until_ok 20 grep -q 'Provisioning: the saved profile .* is in use' "$work/fxsd.log"
check "... its setting rules (forward_no_answer_secs 23)" until_ok 20 secs_is 23
check "... fxsctl provisioning: unreachable, a profile held" \
	until_ok 20 bash -c "$CTL --json provisioning | grep -q '\"result\":\"unreachable\"' &&
		$CTL --json provisioning | grep -q '\"have_profile\":true'"
check "no password reached the log (the URL's, the profiles')" \
	bash -c "! grep -qE '$SECRET_URL|prov-s3cret' $work/fxsd-1.log $work/fxsd.log"
stop_fxsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
