#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# ctl_test.sh - fxsd's configuration over D-Bus, on the host: fxsd (no
# device needed) on a private system bus with its real policy file, called
# with busctl:
#   - ReadConfig lists the file's keys, the password as "" (write-only);
#   - ValidateConfig: a good text gives no error, a bad one its FILE:LINE;
#   - EditConfig: a bad value is refused with its section, key and
#     FILE:LINE, and the file is left byte for byte; a good edit checked
#     without writing leaves it too; written, the file has the new value,
#     every other line (comments, the password) as it was, and fxsd
#     reloaded it;
#   - the policy: a user outside group fxsadmin (nobody) may list the
#     ports but not read or edit the configuration, reload or hang up.
# Ends with "N passed, M failed".
set -u
cd "$(dirname "$0")/../.." || exit 1
FXSD=${FXSD:-daemon/fxsd}
[ -x "$FXSD" ] || { echo "$FXSD not built" >&2; exit 2; }
command -v busctl >/dev/null && command -v dbus-daemon >/dev/null ||
	{ echo "SKIP: no busctl or dbus-daemon"; exit 4; }

work=$(mktemp -d /tmp/fxs-ctl.XXXXXX)
. tests/daemon/lib.sh
trap 'cleanup; rm -rf "$work"' EXIT
conf=$work/fxsd.conf

cat >"$conf" <<EOF
# kept as it is
[global]
sip_port = 25960 ; not 5060: the host may run another fxsd

[port 0]
user = 1000
password = "s3cr#t"
domain = 127.0.0.1:25970
register = no
EOF
cp "$conf" "$work/orig.conf"

bus() { busctl --system "$@"; }
mgr() { bus call org.fxs.fxsd /org/fxs/fxsd org.fxs.Manager1 "$@"; }
# as_nobody CMD...: CMD as user nobody, no groups
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }

private_bus
"$FXSD" -c "$conf" -v >"$work/fxsd.log" 2>&1 &
fxsd_pid=$!
check "fxsd owns org.fxs.fxsd on the private bus" \
	until_ok 10 bus status org.fxs.fxsd

# ReadConfig
out=$(mgr ReadConfig 2>&1)
echo "# ReadConfig: $out"
check "ReadConfig lists [port 0] user = 1000" \
	grep -q '"port 0" "user" "1000"' <<<"$out"
check "ReadConfig gives the password as \"\" (write-only)" \
	bash -c "grep -q '\"port 0\" \"password\" \"\"' <<<'$out' && ! grep -q s3cr <<<'$out'"

# ValidateConfig
out=$(mgr ValidateConfig s "$(cat "$conf")" 2>&1)
check "ValidateConfig of the running file: no error (is: $out)" [ "$out" = "as 0" ]
bad=$(sed 's/^register = no$/register = perhaps/' "$conf")
out=$(mgr ValidateConfig s "$bad" 2>&1)
check "ValidateConfig of a bad register: $conf:9 named (is: $out)" \
	grep -q "^as 1 \"$conf:9: " <<<"$out"

# EditConfig: a bad value
out=$(mgr EditConfig 'a(sss)b' 2 "port 0" domain "sip.example.net" \
	"port 0" register perhaps true 2>&1)
echo "# EditConfig (bad): $out"
check "EditConfig: a bad value's error names its section, key and line" \
	grep -q "^a(sss) 1 \"port 0\" \"register\" \"$conf:9: " <<<"$out"
check "EditConfig: nothing written after the error" cmp "$conf" "$work/orig.conf"
out=$(mgr EditConfig 'a(sss)b' 1 "port 0" "us er" x true 2>&1)
check "EditConfig: a key that is no name is refused (is: $out)" \
	grep -q '^a(sss) 1 "port 0" "us er" ' <<<"$out"

# EditConfig: checked only, then written
out=$(mgr EditConfig 'a(sss)b' 1 "port 0" domain "sip.example.net" false 2>&1)
check "EditConfig without write: no error (is: $out)" [ "$out" = "a(sss) 0" ]
check "EditConfig without write: nothing written" cmp "$conf" "$work/orig.conf"
out=$(mgr EditConfig 'a(sss)b' 2 "port 0" domain "127.0.0.1:25971" \
	"port 0" display_name "Kitchen #1" true 2>&1)
check "EditConfig with write: no error (is: $out)" [ "$out" = "a(sss) 0" ]
# the domain in its line, the new key after the section's last one
check "the file has the new domain and display name, the rest as it was" \
	diff <(sed 's/^domain = .*/domain = 127.0.0.1:25971/' "$work/orig.conf"
		echo 'display_name = "Kitchen #1"') "$conf"
check "fxsd logged the write and the reload" \
	until_ok 5 grep -q "EditConfig: $conf written and reloaded" "$work/fxsd.log"
check "ReadConfig shows the new domain" \
	bash -c "busctl --system call org.fxs.fxsd /org/fxs/fxsd org.fxs.Manager1 ReadConfig | grep -q '\"domain\" \"127.0.0.1:25971\"'"

# the policy
chmod 755 "$work"
check "nobody may list the ports" \
	as_nobody busctl --system call org.fxs.fxsd /org/fxs/fxsd org.fxs.Manager1 ListPorts
for m in "ReadConfig" "ValidateConfig s x" "EditConfig a(sss)b 0 true" "Reload"; do
	# shellcheck disable=SC2086 # the method and its arguments
	out=$(as_nobody busctl --system call org.fxs.fxsd /org/fxs/fxsd org.fxs.Manager1 $m 2>&1)
	check "nobody may not call ${m%% *} (is: $out)" grep -qi "access denied\|AccessDenied" <<<"$out"
done
out=$(as_nobody busctl --system call org.fxs.fxsd /org/fxs/fxsd/port/0 org.fxs.Port1 Hangup 2>&1)
check "nobody may not hang up (is: $out)" grep -qi "access denied\|AccessDenied" <<<"$out"
check "the file is still the one written" grep -q '^display_name = "Kitchen #1"$' "$conf"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
