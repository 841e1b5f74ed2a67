#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/install_test.sh - `make install` into a scratch DESTDIR, on the host.
#
# Installs twice, with the default PREFIX (/usr) and with PREFIX=/usr/local,
# each time into a fresh `mktemp -d` DESTDIR, and checks:
#   - every file of the install layout is there, with mode 0755 (programs)
#     or 0644 (everything else), and nothing else was installed;
#   - installed data files are byte for byte the sources (the voice
#     menu's prompts: what the build spoke into build/prompts/; the
#     Cockpit page: every file of cockpit/);
#   - the installed unit's ExecStart= runs the installed fxsd, and the unit
#     differs from systemd/fxsd.service in that line only;
#   - the installed fxsd accepts the installed example configuration
#     (fxsd --check-config -c);
#   - `man -l` renders every installed man page, and groff finds nothing to
#     warn about in them.
# Prints "ok ..." / "not ok ..." per check and "N passed, M failed"; exits 0
# only if everything passed.  Needs daemon/fxsd and daemon/fxsctl (make
# builds them if they are missing).

set -u
top=$(cd "$(dirname "$0")/.." && pwd) || exit 1
cd "$top" || exit 1

# The layout under test is the Makefile's default one.
unset DESTDIR PREFIX SBINDIR BINDIR SYSCONFDIR SYSTEMDUNITDIR UDEVRULESDIR \
	SYSUSERSDIR DBUSPOLICYDIR DOCDIR INCLUDEDIR MANDIR INSTALL COCKPITDIR

pass=0
fail=0
scratch=()

cleanup() {
	local d

	for d in "${scratch[@]}"; do
		rm -rf -- "$d"
	done
}
trap cleanup EXIT

ok() {
	echo "ok $*"
	pass=$((pass + 1))
}

not_ok() {
	echo "not ok $*"
	fail=$((fail + 1))
}

# check DESCRIPTION COMMAND...: ok if COMMAND succeeds
check() {
	local what=$1

	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what"
	fi
}

# mode_is FILE MODE: FILE is a regular file with exactly MODE (octal)
mode_is() {
	[ -f "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %a "$1")" = "$2" ]
}

# unit_diff_ok SOURCE INSTALLED SBINDIR: only ExecStart= may differ, and
# it must be the source's with /usr/sbin/fxsd replaced by SBINDIR/fxsd
unit_diff_ok() {
	diff <(grep -v '^ExecStart=' "$1") <(grep -v '^ExecStart=' "$2" 2>/dev/null) >/dev/null &&
		[ "$(grep '^ExecStart=' "$1" | sed "s|^ExecStart=/usr/sbin/fxsd |ExecStart=$3/fxsd |")" = \
		  "$(grep '^ExecStart=' "$2")" ]
}

# man_renders PAGE: man -l exits 0 and the output has a NAME section and the
# page's own name
man_renders() {
	local out name

	name=$(basename "$1")
	name=${name%.*}
	out=$(MANWIDTH=80 man -l "$1" 2>&1) || return 1
	grep -q '^NAME' <<<"$out" && grep -qF "$name" <<<"$out"
}

# groff_clean PAGE: no warnings at all from groff -ww
groff_clean() {
	local out

	out=$(groff -man -Tutf8 -ww -z "$1" 2>&1) || return 1
	[ -z "$out" ] || { echo "$out" >&2; return 1; }
}

# run_install LABEL PREFIX|"" : one `make install` and all checks on it
run_install() {
	local label=$1 prefix=$2 dest p sbindir unit f expected actual exec lang name
	local -a make_args programs data

	dest=$(mktemp -d) || { not_ok "$label: mktemp -d"; return; }
	scratch+=("$dest")
	make_args=(install "DESTDIR=$dest")
	[ -n "$prefix" ] && make_args+=("PREFIX=$prefix")
	p=${prefix:-/usr}
	sbindir=$p/sbin

	if make -s "${make_args[@]}" >"$dest.log" 2>&1; then
		ok "$label: make ${make_args[*]}"
	else
		sed 's/^/# /' "$dest.log"
		not_ok "$label: make ${make_args[*]}"
		rm -f "$dest.log"
		return
	fi
	rm -f "$dest.log"

	programs=("$p/sbin/fxsd" "$p/bin/fxsctl")
	# installed path:source
	data=("$p/lib/systemd/system/fxsd.service:systemd/fxsd.service"
	      "$p/lib/systemd/system/fxsd-metrics.socket:systemd/fxsd-metrics.socket"
	      "$p/lib/udev/rules.d/60-fxs.rules:systemd/60-fxs.rules"
	      "$p/lib/sysusers.d/fxsd.conf:systemd/fxsd.sysusers"
	      "$p/share/dbus-1/system.d/org.fxs.fxsd.conf:systemd/org.fxs.fxsd.conf"
	      "$p/share/doc/fxs/fxs-modules.conf:systemd/fxs-modules.conf"
	      "/etc/fxsd/fxsd.conf.example:systemd/fxsd.conf.example"
	      "$p/include/linux/fxs.h:include/uapi/linux/fxs.h"
	      "$p/include/linux/fxs_loop.h:include/uapi/linux/fxs_loop.h"
	      "$p/share/man/man1/fxsctl.1:man/fxsctl.1"
	      "$p/share/man/man5/fxsd.conf.5:man/fxsd.conf.5"
	      "$p/share/man/man8/fxsd.8:man/fxsd.8")
	# the Cockpit page
	for f in cockpit/*; do
		data+=("$p/share/cockpit/fxs/${f##*/}:$f")
	done
	# the voice menu's prompts, spoken at build time (prompts/LANG.txt)
	for f in prompts/*.txt; do
		lang=${f##*/}
		lang=${lang%.txt}
		while IFS='	' read -r name _; do
			case $name in '#'*|'') continue ;; esac
			data+=("$p/share/fxs/prompts/$lang/$name.sln:build/prompts/$lang/$name.sln")
		done <"$f"
	done

	for f in "${programs[@]}"; do
		check "$label: $f installed, mode 0755" mode_is "$dest$f" 755
	done
	check "$label: installed fxsd is the built daemon/fxsd" \
		cmp -s daemon/fxsd "$dest$p/sbin/fxsd"
	check "$label: installed fxsctl is the built daemon/fxsctl" \
		cmp -s daemon/fxsctl "$dest$p/bin/fxsctl"
	for f in "${data[@]}"; do
		check "$label: ${f%%:*} installed, mode 0644" \
			mode_is "$dest${f%%:*}" 644
		case ${f%%:*} in
		*/fxsd.service) continue ;;
		esac
		check "$label: ${f%%:*} is ${f#*:}" cmp -s "${f#*:}" "$dest${f%%:*}"
	done

	expected=$(for f in "${programs[@]}" "${data[@]%%:*}"; do echo "$f"; done | sort)
	actual=$(cd "$dest" && find . ! -type d | sed 's|^\.||' | sort)
	if [ "$expected" = "$actual" ]; then
		ok "$label: nothing else installed ($(wc -l <<<"$actual") files)"
	else
		diff <(echo "$expected") <(echo "$actual") | sed 's/^/# /'
		not_ok "$label: installed files are exactly the expected ones"
	fi

	unit=$dest$p/lib/systemd/system/fxsd.service
	exec=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit" 2>/dev/null)
	if [ "$exec" = "$sbindir/fxsd" ] && [ -x "$dest$exec" ]; then
		ok "$label: unit ExecStart= runs the installed $exec"
	else
		not_ok "$label: unit ExecStart= is '$exec', want $sbindir/fxsd (installed, executable)"
	fi
	check "$label: unit differs from systemd/fxsd.service only in ExecStart=" \
		unit_diff_ok systemd/fxsd.service "$unit" "$sbindir"

	if out=$("$dest$p/sbin/fxsd" --check-config -c "$dest/etc/fxsd/fxsd.conf.example" 2>&1); then
		ok "$label: fxsd --check-config accepts the example config ($out)"
	else
		echo "# $out"
		not_ok "$label: fxsd --check-config -c /etc/fxsd/fxsd.conf.example"
	fi

	for f in "$p/share/man/man1/fxsctl.1" "$p/share/man/man5/fxsd.conf.5" \
		 "$p/share/man/man8/fxsd.8"; do
		check "$label: man -l renders $f" man_renders "$dest$f"
		if command -v groff >/dev/null; then
			check "$label: groff -ww finds no warnings in $f" \
				groff_clean "$dest$f"
		fi
	done
}

if ! command -v man >/dev/null; then
	echo "install_test: man is missing (apt-get install man-db)" >&2
fi

run_install "PREFIX=/usr (default)" ""
run_install "PREFIX=/usr/local" /usr/local

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
