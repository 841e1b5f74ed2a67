#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# bench/talkoff.sh - DTMF talk-off: digits that fxsd's in-band detector and
# spandsp's receiver report in espeak-ng speech, per voice and level
# (bench/RESULTS.md, "DTMF talk-off").  First the 14 voices of the host
# test (tests/daemon/talkoff_test.sh), then 12 held-out voices the
# detector was not tuned on (other variants, German, French, Spanish and
# Dutch voices reading the same English text).  Needs make
# tests/daemon/talkoff.

cd "$(dirname "$0")/.." || exit 1
echo "== the test's voices"
tests/daemon/talkoff_test.sh --bench
st=$?
echo "== held-out voices"
TALKOFF_VOICES="en+f5 99 260
en-us+m4 99 170
en+m6 75 200
en+f1 90 120
en+klatt3 85 180
en+klatt4 95 160
de+f2 70 170
fr+m4 60 170
es+f5 80 180
nl+f3 90 170
en+Annie 80 170
en+belinda 90 175" tests/daemon/talkoff_test.sh --bench || st=1
exit $st
