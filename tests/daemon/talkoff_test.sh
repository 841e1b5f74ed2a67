#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# tests/daemon/talkoff_test.sh - DTMF talk-off on the host: fxsd's in-band
# DTMF detector (daemon/dsp/dtmf.c) must report no digit in more than 30
# minutes of synthetic speech.
#
# The speech is made afresh on every run (nothing is cached): espeak-ng
# reads tests/daemon/talkoff_text.txt in 14 voices (male, female, klatt
# and very high-pitched variants, pitch -p 30..99, speed -s 140..230) to
# WAV files; sox resamples them to 8 kHz 16-bit linear; the tool
# tests/daemon/talkoff (talkoff.c: fxsd's detector linked in) brings each
# to an active speech level of -10 dBm0, then of -20 dBm0, passes it
# through G.711 mu-law as a line would, and counts the digits.
#
#   talkoff_test.sh           the test: "ok"/"not ok" lines, then
#                             "N passed, M failed"
#   talkoff_test.sh --bench   also spandsp's receiver on the same audio,
#                             digits per voice and level (bench/RESULTS.md)
#
# TALKOFF_VOICES, when set, replaces the voice list: lines of "voice pitch
# speed" (bench/talkoff.sh measures a second, held-out set that way).
#
# Work files go to build/talkoff/ (removed at the end).  About 20 s of
# wall time on 2 cores.

set -u
cd "$(dirname "$0")/../.." || exit 1

bench=0
[ "${1:-}" = --bench ] && bench=1

pass=0
fail=0
ok() { echo "ok $*"; pass=$((pass + 1)); }
notok() { echo "not ok $*"; fail=$((fail + 1)); }

# voice pitch speed: espeak-ng's voice+variant, -p (0-99), -s (words/min)
voices=(
	"en-us+m1 40 160"
	"en+m3 50 175"
	"en-gb+m7 30 150"
	"en+m2 99 180"
	"en+klatt 50 170"
	"en-us+klatt2 70 190"
	"en+f1 50 170"
	"en+f2 60 180"
	"en-us+f3 70 165"
	"en+f4 80 200"
	"en-gb+f5 90 155"
	"en+f3 99 230"
	"en-us+f4 99 140"
	"en+Tweaky 85 175"
)
if [ -n "${TALKOFF_VOICES:-}" ]; then
	mapfile -t voices < <(grep -v '^[[:space:]]*$' <<<"$TALKOFF_VOICES")
fi

tool=tests/daemon/talkoff
text=tests/daemon/talkoff_text.txt
if [ ! -x "$tool" ]; then
	notok "tests/daemon/talkoff is built (make tests/daemon/talkoff)"
	echo "$pass passed, $fail failed"
	exit 1
fi
for prog in espeak-ng sox; do
	if ! command -v "$prog" >/dev/null; then
		notok "$prog is installed"
		echo "$pass passed, $fail failed"
		exit 1
	fi
done

mkdir -p build
work=$(mktemp -d build/talkoff.XXXXXX) || exit 1
trap 'rm -rf "$work"' EXIT

# speech: every voice in parallel, two at a time
files=()
gen_failed=
for i in "${!voices[@]}"; do
	read -r v p s <<<"${voices[$i]}"
	files+=("$work/$i.raw")
	(espeak-ng -v "$v" -p "$p" -s "$s" -f "$text" -w "$work/$i.wav" &&
		sox -R -G "$work/$i.wav" -t raw -r 8000 -c 1 -b 16 -e signed-integer \
			"$work/$i.raw" && rm -f "$work/$i.wav") >/dev/null 2>&1 &
	if (((i + 1) % 2 == 0)); then
		wait -n || gen_failed=1
		wait -n || gen_failed=1
	fi
done
while wait -n; do :; done
for f in "${files[@]}"; do
	[ -s "$f" ] || gen_failed=1
done
if [ -n "$gen_failed" ]; then
	notok "espeak-ng and sox made speech in every voice"
	echo "$pass passed, $fail failed"
	exit 1
fi
seconds=$(($(cat "${files[@]}" | wc -c) / 16000))
if [ "$seconds" -ge 1800 ] && [ "${#voices[@]}" -ge 12 ]; then
	ok "speech: $seconds s in ${#voices[@]} voices (at least 30 min, 12 voices)"
else
	notok "speech: $seconds s in ${#voices[@]} voices (at least 30 min, 12 voices)"
fi

args=()
[ "$bench" = 1 ] && args=(--spandsp)
for level in -10 -20; do
	out=$("$tool" --level "$level" "${args[@]}" "${files[@]}")
	st=$?
	if [ "$bench" = 1 ]; then
		for i in "${!voices[@]}"; do
			read -r v p s <<<"${voices[$i]}"
			line=$(grep "^$work/$i.raw " <<<"$out")
			printf '%-14s -p %-2s -s %-3s %4s dBm0 %6ss  %s\n' "$v" "$p" "$s" \
				"$level" "$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$line")" \
				"$(sed 's/.*\(fxsd=.*\)/\1/' <<<"$line")"
		done
		grep '^total' <<<"$out"
	fi
	if [ "$st" = 0 ]; then
		ok "no talk-off at $level dBm0: $(grep '^total' <<<"$out")"
	else
		notok "no talk-off at $level dBm0: $(grep '^total' <<<"$out")"
		grep -v '^total' <<<"$out" | grep -v 'fxsd=0 ' | sed "s|^$work/|# voice file |"
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
