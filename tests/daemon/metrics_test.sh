#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# metrics_test.sh - fxsd's metrics endpoint scraped by a real Prometheus,
# inside the VM (tests/vm/run -- tests/vm/suites metrics=...; the calls
# boot runs it after the other call suites):
#
#   - fxsd (ASan build) with [metrics] listen = 127.0.0.1:9108 answers
#     GET /metrics; promtool check metrics passes on the text (idle and in
#     a call); other paths, methods and malformed requests get 404/405/400;
#   - Prometheus (Debian's, its storage in the scratch directory, on
#     127.0.0.1:9090) scrapes fxsd every second during and after a call the
#     phone makes to sipp (-rtp_echo); PromQL through its HTTP API sees the
#     call up, then one outgoing answered call, and the call's MOS in one
#     histogram bucket, the one that holds the MOS fxsd logged at the
#     call's end (fxsctl's during the call is printed; the estimate moves
#     while the call goes on).
#
# Exit 4 (skip) without /dev/fxs0, sipp, prometheus or promtool.  Ends with
# "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
[ -c /dev/fxs0 ] || { echo "SKIP: no /dev/fxs0"; exit 4; }
for t in sipp prometheus promtool curl; do
	command -v $t >/dev/null || { echo "SKIP: no $t"; exit 4; }
done

work=$(mktemp -d /tmp/fxs-metrics.XXXXXX)
. tests/daemon/lib.sh
fxsd_pid=
prom_pid=
URL=http://127.0.0.1:9108/metrics
PROM=http://127.0.0.1:9090

cleanup() {
	[ -n "${prom_pid:-}" ] && kill "$prom_pid" 2>/dev/null
	[ -n "${fxsd_pid:-}" ] && kill "$fxsd_pid" 2>/dev/null
	[ -n "${dbus_pid:-}" ] && kill "$dbus_pid" 2>/dev/null
	pkill -x sipp 2>/dev/null
	wait 2>/dev/null
}
trap cleanup EXIT

show_logs() {
	echo "--- fxsd log (last 20 lines)"
	tail -n 20 "$work/fxsd.log"
	echo "--- prometheus log (last 10 lines)"
	tail -n 10 "$work/prometheus.log" 2>/dev/null
}

# status_is CODE CURL-ARGS...: the endpoint answers CODE
status_is() {
	local want=$1 got

	shift
	got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@")
	echo "HTTP $got"
	[ "$got" = "$want" ]
}

# raw_status CODE BYTES: BYTES (printf format) sent as they are
raw_status() {
	python3 - "$1" "$2" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", 9108), timeout=10)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    data += d
print(data.split(b"\r\n")[0].decode())
sys.exit(data.startswith(b"HTTP/1.1 " + sys.argv[1].encode() + b" ") is False)
EOF
}

# promtool_ok NAME: scrape into $work/NAME.txt, promtool check metrics on it
promtool_ok() {
	curl -sf --max-time 10 "$URL" >"$work/$1.txt" || return 1
	echo "$(wc -l <"$work/$1.txt") lines"
	promtool check metrics <"$work/$1.txt"
}

# query EXPR: the PromQL instant query's result as "labels value" lines
query() {
	curl -s --max-time 10 "$PROM/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "success", r
for s in r["data"]["result"]:
    m = dict(s["metric"])
    m.pop("__name__", None)
    print(",".join("%s=%s" % kv for kv in sorted(m.items())), s["value"][1])
'
}

# query_is EXPR VALUE: the query gives exactly one sample, VALUE
query_is() {
	local out

	out=$(query "$1") || return 1
	[ "$(wc -l <<<"$out")" = 1 ] && [ "${out##* }" = "$2" ]
}

call_conf
cat >>"$work/fxsd.conf" <<EOF

[metrics]
listen = 127.0.0.1:9108
EOF
start_fxsd

# --- the endpoint alone
check "GET /metrics: 200" status_is 200 "$URL"
check "the text format by default" \
	bash -c "curl -s -D - -o /dev/null $URL | grep -qi '^Content-Type: text/plain; version=0.0.4'"
check "OpenMetrics when asked: its content type, # EOF at the end" \
	bash -c "curl -s -D $work/om.h -H 'Accept: application/openmetrics-text; version=1.0.0' $URL >$work/om.txt &&
		grep -qi '^Content-Type: application/openmetrics-text' $work/om.h &&
		[ \"\$(tail -n 1 $work/om.txt)\" = '# EOF' ]"
check "promtool check metrics passes (idle)" promtool_ok idle
check "the idle port: attached, no call, registration none" \
	bash -c "grep -qx 'fxs_port_attached{port=\"0\"} 1' $work/idle.txt &&
		grep -qx 'fxs_active_calls{port=\"0\"} 0' $work/idle.txt &&
		grep -qx 'fxs_registration_state{port=\"0\",state=\"none\"} 1' $work/idle.txt"
check "HEAD /metrics: 200" status_is 200 -I "$URL"
check "GET /: 404" status_is 404 http://127.0.0.1:9108/
check "POST /metrics: 405" status_is 405 -X POST -d x "$URL"
check "a malformed request: 400" raw_status 400 'GET /metrics\r\n\r\n'
check "a TLS hello: 400" raw_status 400 '\x16\x03\x01\x02\x00\x01\x00'
check "HTTP/2.0: 505" raw_status 505 'GET /metrics HTTP/2.0\r\n\r\n'

# --- Prometheus
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: fxsd
    static_configs:
      - targets: ['127.0.0.1:9108']
EOF
prometheus --config.file="$work/prometheus.yml" \
	--storage.tsdb.path="$work/prometheus" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn \
	>"$work/prometheus.log" 2>&1 &
prom_pid=$!
check "Prometheus is ready" until_ok 120 curl -sf -o /dev/null "$PROM/-/ready"
check "Prometheus scrapes fxsd (up == 1)" until_ok 60 query_is 'up{job="fxsd"}' 1

sipp_bg out -sf tests/sipp/ata_call_out.xml -i 127.0.0.1 -p 5070 \
	-mp 6020 -rtp_echo
check "lifting the handset gives dial tone" $HS 0 lift
check "pulse-dialling 2345" $HS 0 dial 2345
check "state in-call once the far end answers" wait_state in-call 10
check "audio both ways" talk 0
check "promtool check metrics passes (in a call)" promtool_ok call
check "in the call: RTP counted, jitter shown" \
	bash -c "grep -q '^fxs_rtp_jitter_seconds{port=\"0\"} ' $work/call.txt &&
		awk '/^fxs_rtp_packets_received_total\{port=\"0\"\}/ { exit !(\$2 > 0) }' $work/call.txt"
check "PromQL during the call: fxs_active_calls == 1" \
	until_ok 30 query_is 'fxs_active_calls{port="0"}' 1
live=$(daemon/fxsctl --json calls 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["mos"])' 2>/dev/null)
echo "# MOS during the call (fxsctl): ${live:-?}"
check "hanging up sends BYE" $HS 0 hangup
check "far end saw INVITE, ACK and BYE" sipp_wait "$sp" out
check "state idle after the call" wait_state idle 3
mos=$(sed -n 's/.*Call quality: MOS \([0-9.]*\),.*/\1/p' "$work/fxsd.log" | tail -n 1)
echo "# MOS at the end of the call (fxsd's log): ${mos:-?}"
check "PromQL after the call: fxs_active_calls == 0" \
	until_ok 30 query_is 'fxs_active_calls{port="0"}' 0
check "PromQL: the call count is 1" \
	until_ok 30 query_is 'sum(fxs_calls_total{port="0"})' 1
check "PromQL: it was outgoing and answered" \
	query_is 'fxs_calls_total{port="0",direction="outgoing",result="answered"}' 1
check "PromQL: one MOS observed" query_is 'fxs_call_mos_count{port="0"}' 1

# the call's bucket: the lowest le whose cumulative count is 1
query 'fxs_call_mos_bucket{port="0"}' >"$work/buckets" 2>&1
sum=$(query 'fxs_call_mos_sum{port="0"}' 2>/dev/null | awk '{ print $2 }')
bucket=$(python3 - "$work/buckets" "${sum:-nan}" "${mos:-nan}" <<'EOF'
import sys
les = []
for line in open(sys.argv[1]):
    labels, v = line.split()
    le = dict(kv.split("=", 1) for kv in labels.split(","))["le"]
    les.append((float(le), float(v)))
les.sort()
hit = [i for i, (le, v) in enumerate(les) if v == 1][0]
lo = les[hit - 1][0] if hit else float("-inf")
hi = les[hit][0]
print("%g %g" % (lo, hi))
s, m = float(sys.argv[2]), float(sys.argv[3])
# the histogram's sum is the MOS logged (to its 3 decimals), in (lo, hi]
sys.exit(not (lo < s <= hi and abs(s - m) <= 0.0005 and
              all(v == 0 for le, v in les[:hit]) and
              all(v == 1 for le, v in les[hit:])))
EOF
)
status=$?
echo "# MOS sum in Prometheus: ${sum:-?}; its bucket: (${bucket/ /, }]"
if [ $status = 0 ]; then
	ok "PromQL: the call's MOS bucket (${bucket/ /, }] holds its MOS ${sum} (logged: ${mos})"
else
	sed 's/^/# /' "$work/buckets"
	not_ok "PromQL: the call's MOS bucket" "sum ${sum:-?}, logged ${mos:-?}, bucket '${bucket:-?}'"
fi
check "the driver's hook events: the call's off-hook and on-hook counted" \
	bash -c "curl -s $URL >$work/hook.txt &&
		awk '/^fxs_hook_events_total\\{port=\"0\",event=\"(offhook|onhook)\"\\}/ { n += (\$2 >= 1) } END { exit n != 2 }' $work/hook.txt"
check "promtool check metrics passes (after the call)" promtool_ok after

# --- reload: a new address; one in use (Prometheus's) is refused with the
# file and line, and the old one kept
hdr=$(grep -n '^\[metrics\]' "$work/fxsd.conf" | cut -d: -f1)
sed -i 's/^listen = .*/listen = 127.0.0.1:9090/' "$work/fxsd.conf"
kill -HUP "$fxsd_pid"
check "reload to an address in use: refused, naming fxsd.conf:$hdr" \
	until_ok 10 grep -qF "$work/fxsd.conf:$hdr: [metrics] listen = 127.0.0.1:9090: Address already in use; still listening on 127.0.0.1:9108" "$work/fxsd.log"
check "... and the endpoint stays on 127.0.0.1:9108" status_is 200 "$URL"
sed -i 's/^listen = .*/listen = 127.0.0.1:9109/' "$work/fxsd.conf"
kill -HUP "$fxsd_pid"
check "reload to 127.0.0.1:9109: it answers there" \
	until_ok 10 status_is 200 http://127.0.0.1:9109/metrics
check "... and no longer on 9108" status_is 000 "$URL"

kill "$prom_pid" 2>/dev/null
wait "$prom_pid" 2>/dev/null
prom_pid=
stop_fxsd

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
