# SPDX-License-Identifier: GPL-2.0-only
#
# interop_tls.sh - SIP over TLS against kamailio's tls module: sourced by
# tests/daemon/interop_test.sh in its VM boot, after its UDP cases, with
# its helpers and its kamailio (started with -A WITH_TLS, see tls_setup)
# and baresip still running.
#
#   tls_setup   (before kamailio starts) a test CA made here with openssl,
#               a second CA nobody trusts, and server certificates for
#               localhost: good (kamailio's 127.0.0.1:5091), for another
#               name (5092), expired (5093), from the untrusted CA (5094)
#   tls_cases   fxsd (port 0 = 1000, transport = tls, tls_ca_file = the
#               test CA) registers at localhost:5091 through the 401;
#               baresip (UDP) calls it, kamailio sending the INVITE down
#               fxsd's own connection; the phone calls baresip through the
#               407; then fxsd against each bad certificate: refused, the
#               verifier's reason in one log line and in fxsctl status
#               (D-Bus TransportError), nothing sent in clear

# make_pki DIR: the CAs and the certificates (one P-256 key for the servers)
make_pki() {
	local d=$1 ec="-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"

	mkdir -p "$d" && (
	cd "$d" || exit 1
	for ca in ca other-ca; do
		openssl req -x509 $ec -keyout $ca.key -out $ca.pem -days 2 \
			-subj "/CN=fxs test $ca" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" || exit 1
	done
	openssl req -new $ec -keyout server.key -out server.csr \
		-subj "/CN=localhost" || exit 1
	printf 'subjectAltName=DNS:localhost\n' >good.ext
	printf 'subjectAltName=DNS:sip.wrong.test\n' >wrong.ext
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -extfile good.ext -out good.pem &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
		-CAcreateserial -days 2 -extfile wrong.ext -out wrong-host.pem &&
	openssl x509 -req -in server.csr -CA other-ca.pem -CAkey other-ca.key \
		-CAcreateserial -days 2 -extfile good.ext -out unknown-ca.pem ||
		exit 1
	# expired: openssl ca writes the dates given, in the past
	mkdir -p ca.db && : >ca.db/index.txt && echo 01 >ca.db/serial
	cat >ca.cnf <<EOF
[ca]
default_ca = test
[test]
dir = $PWD/ca.db
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
default_md = sha256
policy = any
[any]
commonName = supplied
EOF
	openssl ca -batch -notext -config ca.cnf -cert ca.pem -keyfile ca.key \
		-in server.csr -out expired.pem -extfile good.ext \
		-startdate 20200101000000Z -enddate 20200102000000Z
	) >"$d/openssl.log" 2>&1
}

# tls_setup: sets $KAM_TLS_ARGS for kamailio (empty without its tls module)
tls_setup() {
	local pki=$work/pki port cert

	KAM_TLS_ARGS=()
	tls_ok=0
	[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] || return 0
	make_pki "$pki" || { cat "$pki/openssl.log"; return 0; }
	: >"$work/tls.cfg"
	for port in default 5091 5092 5093 5094; do
		case $port in
		default|5091) cert=good ;;
		5092) cert=wrong-host ;;
		5093) cert=expired ;;
		5094) cert=unknown-ca ;;
		esac
		[ "$port" = default ] && profile=default ||
			profile=127.0.0.1:$port
		cat >>"$work/tls.cfg" <<EOF
[server:$profile]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $pki/$cert.pem
private_key = $pki/server.key

EOF
	done
	printf '[client:default]\nverify_certificate = no\nrequire_certificate = no\n' \
		>>"$work/tls.cfg"
	KAM_TLS_ARGS=(-A WITH_TLS -A "TLS_CONFIG=\"$work/tls.cfg\"")
	tls_ok=1
}

tls_conf() {	# tls_conf PORT: fxsd.conf for kamailio's TLS port PORT
	cat >"$work/fxsd.conf" <<EOF
[global]
sip_port = 5060
rtp_port_min = 20000
rtp_port_max = 20100
tone_country = US

[port 0]
user = 1000
password = secret
domain = localhost:$1
transport = tls
tls_ca_file = $work/pki/ca.pem
register = yes
expires = 60
disconnect_open_loop_ms = 0
digit_map = { 2xxx | x.T }
interdigit_short_ms = 1500
EOF
}

tls_fxsd_start() {	# a new fxsd, its log the new $work/fxsd.log
	[ -f "$work/fxsd.log" ] &&
		cat "$work/fxsd.log" >>"$work/fxsd-earlier.log"
	"${FXSD:-tests/daemon/fxsd-asan}" -c "$work/fxsd.conf" -v \
		>"$work/fxsd.log" 2>&1 &
	fxsd_pid=$!
}

tls_fxsd_stop() {
	stop "$fxsd_pid" 10
	fxsd_pid=
}

fxsctl_says() {	# fxsctl_says REGEX: fxsctl status shows it
	daemon/fxsctl status >"$work/fxsctl.out" 2>&1
	grep -E -- "$1" "$work/fxsctl.out" || { cat "$work/fxsctl.out"; false; }
}

# refused PORT REASON-REGEX: fxsd against kamailio's PORT refuses the
# certificate, says why once per try, and fxsctl shows it
tls_refused() {
	local port=$1 why=$2 n

	tls_conf "$port"
	tls_fxsd_start
	check "TLS $port: fxsd refuses the certificate ($why)" \
		wait_grep 20 "TLS connection .* to 127.0.0.1:$port: certificate of localhost refused: ($why)" \
		"$work/fxsd.log"
	check "TLS $port: the registration fails (503)" \
		wait_grep 5 "Registration failed \(status 503" "$work/fxsd.log"
	n=$(grep -cE "certificate of localhost refused" "$work/fxsd.log")
	check "TLS $port: one line says why per attempt (2 s apart at least)" \
		test "$n" -ge 1 -a "$n" -le 2
	check "TLS $port: fxsctl status shows the reason" \
		until_ok 5 fxsctl_says "transport: certificate of localhost refused: ($why)"
	check "TLS $port: kamailio saw no SIP message from fxsd" \
		sh -c "! grep -qE 'REGISTER .* from 127.0.0.1:[0-9]+ .From sip:1000@localhost:$port' '$work/kamailio.log'"
	tls_fxsd_stop
}

tls_cases() {
	if [ "$tls_ok" != 1 ]; then
		echo "# SKIP TLS cases: no kamailio tls module or no openssl"
		return 0
	fi
	private_bus

	# --- register over TLS (digest), calls both ways on the connection
	tls_conf 5091
	tls_fxsd_start
	check "TLS: fxsd attaches /dev/fxs0" \
		wait_grep 20 "Attached /dev/fxs0" "$work/fxsd.log"
	check "TLS: fxsd registers at localhost:5091 through the 401" \
		wait_grep 20 "Registration registered \(status 200" "$work/fxsd.log"
	check "TLS: kamailio challenged the REGISTER that came over TLS" \
		grep -E "REGISTER for sip:1000@localhost:5091: challenge" \
		"$work/kamailio.log"
	check "TLS: kamailio's location table has 1000 with ;transport=tls" \
		registered 1000 "sip:fx[0-9a-f]{16}@127.0.0.1:5060;transport=tls" 3
	check "TLS: fxsctl status shows no transport error" \
		sh -c "daemon/fxsctl status | grep -q registered &&
			! daemon/fxsctl status | grep -q transport:"

	call_mark
	check "TLS: baresip dials sip:1000@127.0.0.1:5090" \
		bs dial sip:1000@127.0.0.1:5090
	check "TLS: the INVITE down fxsd's TLS connection rings the phone" \
		$HS 0 wait-ring 15000
	check "TLS: fxsd: incoming call from 2000" \
		wait_grep 2 "Incoming call from .*2000@" "$work/fxsd.log"
	check "TLS: state ringing" wait_state ringing 2
	check "TLS: lifting the handset answers" $HS 0 lift
	check "TLS: state in-call after the ACK" wait_state in-call 5
	check "TLS: baresip's call is established" \
		wait_grep 5 "Call established" "$work/baresip.log" "$bs_mark"
	check "TLS: the handset hears baresip's 1 kHz tone" $HS 0 hear 1000 2000
	check "TLS: baresip hangs up" bs hangup
	check "TLS: BYE over TLS: state disconnected" wait_state disconnected 5
	check "TLS: hanging up returns to idle" $HS 0 hangup
	check "TLS: state idle" wait_state idle 3
	check "TLS: no connection to fxsd was opened (no TLS listener needed)" \
		sh -c "! grep -qE 'TLS connection [0-9]+ from' '$work/fxsd.log'"

	call_mark
	check "TLS: lifting the handset gives dial tone" $HS 0 lift
	check "TLS: dial tone at the earpiece" $HS 0 hear 440 600
	check "TLS: pulse-dialling 2000" $HS 0 dial 2000
	check "TLS: kamailio challenged the INVITE from 1000 (407)" \
		wait_grep 5 "INVITE from sip:1000@localhost:5091: challenge" \
		"$work/kamailio.log" "$kam_mark"
	check "TLS: state in-call once baresip answers" wait_state in-call 10
	check "TLS: baresip's call is established" \
		wait_grep 5 "Call established" "$work/baresip.log" "$bs_mark"
	check "TLS: the handset hears baresip's 1 kHz tone" $HS 0 hear 1000 2000
	check "TLS: hanging up sends BYE" $HS 0 hangup
	check "TLS: state idle after the outgoing call" wait_state idle 3
	check "TLS: baresip got the BYE" \
		wait_grep 3 "Call with sip:1000@.* terminated" "$work/baresip.log" \
		"$bs_mark"
	tls_fxsd_stop

	# --- bad certificates
	tls_refused 5092 "hostname mismatch"
	tls_refused 5093 "certificate has expired"
	tls_refused 5094 "unable to get local issuer certificate|unable to verify the first certificate"
	[ -n "${dbus_pid:-}" ] && kill "$dbus_pid" 2>/dev/null
}
