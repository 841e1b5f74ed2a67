#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/daemon/layers_test.sh - the layer rules of daemon/ (README, "The
# daemon's layers"), checked on the #include lines and identifiers of every
# file under daemon/:
#   - each layer includes only the headers of the layers below it:
#       sip/    sip/
#       dsp/    dsp/
#       media/  media/ dsp/
#       port/   port/
#       line/   line/ sip/sip.h media/ dsp/ port/ log.h config.h
#       ctl/    ctl/ line/ log.h config.h confedit.h; fxsctl.c only ctl/api.h
#       log.[ch], config.[ch], confedit.[ch]: no layer; main.c (the wiring): any
#   - libosip2 is included only inside sip/ (never by sip.h, its API), no
#     osip_ identifier appears outside sip/, and outside sip/ only sip.h
#     is included from it;
#   - only port/ includes the kernel's ABI (<linux/fxs*.h>);
#   - c-ares (<ares*.h>) is included only by sip/resolve.c, and no
#     blocking name lookup is called anywhere (res_*query/search,
#     gethostbyname*, getnameinfo; getaddrinfo only in resolve.c's
#     resolve_numeric(), with AI_NUMERICHOST): names go through c-ares
#     on the loop;
#   - the call and feature machines (line/fsm.[ch], line/feature.[ch])
#     include nothing of the daemon but their own headers, no sd-event,
#     and neither allocate nor log; the caller-ID-on-call-waiting
#     sequencer (line/cidcw.[ch]) likewise, with dsp/callerid.h beside
#     its own header.
# Prints "ok ..." / "not ok ..." per rule and "N passed, M failed".
# Runs on the host in well under a second; needs only grep and sed.

set -u
cd "$(dirname "$0")/../.." || exit 1

pass=0
fail=0

# check DESCRIPTION OFFENDERS: ok when OFFENDERS (lines) is empty
check() {
	if [ -z "$2" ]; then
		echo "ok $1"
		pass=$((pass + 1))
	else
		echo "not ok $1"
		printf '# %s\n' "${2//$'\n'/$'\n'# }"
		fail=$((fail + 1))
	fi
}

# includes FILE...: "file:line:header" for each #include "..." (quoted)
includes() {
	grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$@" /dev/null |
		sed -E 's/^([^:]*):([0-9]+):.*"([^"]*)".*/\1:\2:\3/'
}

# sys_includes FILE...: "file:line:header" for each #include <...>
sys_includes() {
	grep -HnE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<' "$@" /dev/null |
		sed -E 's/^([^:]*):([0-9]+):.*<([^>]*)>.*/\1:\2:\3/'
}

# layer_rule LAYER ALLOWED_REGEX: every quoted include of daemon/LAYER/
# matches ALLOWED_REGEX
layer_rule() {
	local layer=$1 allowed=$2 files

	files=$(find "daemon/$layer" -name '*.[ch]' | sort)
	if [ -z "$files" ]; then
		check "$layer/: exists" "daemon/$layer has no sources"
		return
	fi
	# shellcheck disable=SC2086
	check "$layer/ includes only $3" \
		"$(includes $files | grep -vE ":($allowed)\$")"
}

all=$(find daemon -name '*.[ch]' | sort)

layer_rule sip 'sip/[a-z_0-9]+\.h' "sip/"
layer_rule dsp 'dsp/[a-z_0-9]+\.h' "dsp/"
layer_rule media '(media|dsp)/[a-z_0-9]+\.h' "media/ and dsp/"
layer_rule port 'port/[a-z_0-9]+\.h' "port/"
layer_rule line '(line|media|dsp|port)/[a-z_0-9]+\.h|sip/sip\.h|log\.h|config\.h' \
	"line/, sip/sip.h, media/, dsp/, port/, log.h, config.h"
layer_rule ctl '(ctl|line)/[a-z_0-9]+\.h|log\.h|config\.h|confedit\.h' "ctl/, line/, log.h, config.h, confedit.h"

check "ctl/fxsctl.c includes only ctl/api.h, and ctl/api.h nothing of the daemon" \
	"$(includes daemon/ctl/fxsctl.c daemon/ctl/api.h | grep -vE '^daemon/ctl/fxsctl\.c:[0-9]+:ctl/api\.h$')"
# shellcheck disable=SC2086
check "log.[ch], config.[ch] and confedit.[ch] include no layer" \
	"$(includes daemon/log.[ch] daemon/config.[ch] daemon/confedit.[ch] | grep -vE ':(log|config|confedit)\.h$')"

# shellcheck disable=SC2086
check "libosip2 is included only inside sip/, and not by sip/sip.h" \
	"$(sys_includes $all | grep -E ':osip(parser)?2/' | grep -vE '^daemon/sip/' ;
	   sys_includes daemon/sip/sip.h | grep -E ':osip(parser)?2/';
	   includes daemon/sip/sip.h | grep -vE ':[0-9]+:sip/sip\.h$')"
# shellcheck disable=SC2046
check "no osip_ identifier outside sip/" \
	"$(grep -HnwE 'osip_[a-z_0-9]+' $(echo "$all" | grep -v '^daemon/sip/') /dev/null)"
# shellcheck disable=SC2086
check "outside sip/ only sip/sip.h is included from sip/" \
	"$(includes $all | grep -vE '^daemon/sip/' | grep -E ':sip/' | grep -vE ':sip/sip\.h$')"
# shellcheck disable=SC2086
check "only port/ includes the kernel's ABI (<linux/fxs*.h>)" \
	"$(sys_includes $all | grep -E ':linux/fxs' | grep -vE '^daemon/port/')"
# shellcheck disable=SC2086
check "c-ares is included only by sip/resolve.c" \
	"$(sys_includes $all | grep -E ':ares[a-z_]*\.h$' | grep -vE '^daemon/sip/resolve\.c:')"
# shellcheck disable=SC2086
check "no blocking name lookup in the daemon (getaddrinfo only numeric, in sip/resolve.c)" \
	"$(grep -HnE '\b(res_n?(query|search|querydomain)|gethostbyname[a-z0-9_]*|gethostbyaddr[a-z_]*|getnameinfo|getaddrinfo_a)[[:space:]]*\(' $all /dev/null;
	   grep -HnE '\bgetaddrinfo[[:space:]]*\(' $all /dev/null | grep -vE '^daemon/sip/resolve\.c:';
	   grep -q 'AI_NUMERICSERV | AI_NUMERICHOST' daemon/sip/resolve.c ||
		echo 'daemon/sip/resolve.c: getaddrinfo() without AI_NUMERICHOST')"

fsm="daemon/line/fsm.c daemon/line/fsm.h daemon/line/feature.c daemon/line/feature.h"
# shellcheck disable=SC2086
check "the call and feature machines (line/fsm.[ch], line/feature.[ch]) include nothing of the daemon but their headers, no sd-event" \
	"$(includes $fsm | grep -vE ':line/(fsm|feature)\.h$'; sys_includes $fsm | grep -E ':systemd/')"
# shellcheck disable=SC2086
check "the call and feature machines neither allocate nor log" \
	"$(grep -HnE '\b(malloc|calloc|realloc|free|strdup|log_[a-z]+|syslog|sd_journal_[a-z]+)[[:space:]]*\(' $fsm /dev/null)"
cidcw="daemon/line/cidcw.c daemon/line/cidcw.h"
# shellcheck disable=SC2086
check "the call-waiting caller ID sequencer (line/cidcw.[ch]) includes only its header and dsp/callerid.h, no sd-event, and neither allocates nor logs" \
	"$(includes $cidcw | grep -vE ':(line/cidcw|dsp/callerid)\.h$'; sys_includes $cidcw | grep -E ':systemd/'
	   grep -HnE '\b(malloc|calloc|realloc|free|strdup|log_[a-z]+|syslog|sd_journal_[a-z]+)[[:space:]]*\(' $cidcw /dev/null)"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
