#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# codec_ffmpeg.sh - what fxsd's encoders send, decoded by another decoder.
#
# For Opus, G.722 and G.729 (and PCMU as a control): sox makes a two-tone
# recording (440 + 1130 Hz with a slow swell), tests/daemon/codec_send
# sends it through fxsd's own RTP session (media/rtp.c, media/codec.c) in
# real time to 127.0.0.1, and ffmpeg receives the RTP stream as an SDP
# file describes it (the rtpmap fxsd offers) and decodes it with
# libavcodec's native decoders ("opus", "g722", "g729": its own code, not
# libopus, spandsp or bcg729).  The decoded audio must correlate with the
# recording (normalised cross-correlation at the best lag): that checks
# the bit streams, the payload framing and the RTP clocks (48 kHz for
# Opus, 8000 for G.722) with code we did not write.
#
# Host only (no VM), about 40 s.  G.729 goes as a raw file (ffmpeg's RTP
# input has no G.729 decoder to name): its bit stream, not its RTP framing.  Without ffmpeg or sox: a SKIP line and "0 passed".
set -u
cd "$(dirname "$0")/../.." || exit 1

for t in ffmpeg sox python3; do
	command -v "$t" >/dev/null ||
		{ echo "# SKIP: no $t"; echo "0 passed, 0 failed"; exit 0; }
done
[ -x tests/daemon/codec_send ] || make -s tests/daemon/codec_send || exit 1

work=$(mktemp -d)
ff_pid=
cleanup() {
	[ -n "$ff_pid" ] && kill "$ff_pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

pass=0
fail=0

# 5 s of two tones, -14 dBFS each, swelling at 0.5 Hz
sox -n -r 8000 -c 1 -b 16 -e signed-integer "$work/said.raw" \
	synth 5 sine 440 sine 1130 tremolo 0.5 40 vol 0.4 || exit 1

free_port() {	# an even UDP port nobody has on 127.0.0.1
	python3 -c 'import socket
while True:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]; s.close()
    if p % 2 == 0: print(p); break'
}

# correlate SAID HEARD: the best normalised cross-correlation (lags 0-250 ms)
correlate() {
	python3 - "$1" "$2" <<'PY'
import array, math, sys
said = array.array("h", open(sys.argv[1], "rb").read())
heard = array.array("h", open(sys.argv[2], "rb").read())
if len(heard) < 8000 * 3:
    print("only %.2f s decoded" % (len(heard) / 8000)); sys.exit(1)

def ncc(a, b):
    den = math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))
    return sum(x * y for x, y in zip(a, b)) / den if den else 0.0

# where 2 s from the middle of what was heard lie in what was said (the
# stream starts when ffmpeg hears it: up to 1.5 s in): the best of a
# 100 ms window at every offset (known to within the tones' common period
# of 100 ms), then the whole 2 s there
h = heard[8000:8000 * 3]
best, off = -2.0, 0
for o in range(0, 12000):
    c = ncc(said[o:o + 800], h[:800])
    if c > best:
        best, off = c, o
c = ncc(said[off:off + len(h)], h)
print("correlation %.3f at offset %d samples" % (c, off))
sys.exit(0 if c > 0.9 else 1)
PY
}

check() {	# NAME PT RTPMAP
	local name=$1 pt=$2 rtpmap=$3 port out msg
	port=$(free_port)
	out="$work/$name.raw"
	cat >"$work/$name.sdp" <<SDP
v=0
o=- 1 1 IN IP4 127.0.0.1
s=fxsd codec test
c=IN IP4 127.0.0.1
t=0 0
m=audio $port RTP/AVP $pt
a=rtpmap:$pt $rtpmap
SDP
	timeout 30 ffmpeg -nostdin -hide_banner -loglevel error \
		-protocol_whitelist file,udp,rtp -analyzeduration 100000 \
		-i "$work/$name.sdp" \
		-t 4 -ar 8000 -ac 1 -f s16le "$out" &
	ff_pid=$!
	# ffmpeg listens once its socket is bound
	for _ in $(seq 100); do
		ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && break
		read -r -t 0.1 <> <(:) || true
	done
	tests/daemon/codec_send "$name" "$pt" "$port" "$work/said.raw"
	wait "$ff_pid"
	ff_pid=
	if msg=$(correlate "$work/said.raw" "$out" 2>&1); then
		echo "ok $name ($rtpmap, ffmpeg's decoder): $msg"
		pass=$((pass + 1))
	else
		echo "not ok $name ($rtpmap, ffmpeg's decoder): $msg"
		fail=$((fail + 1))
	fi
}

# G.729: ffmpeg's RTP input names no decoder for it; its raw demuxer
# takes the 10-byte frames back to back (what codec_send writes with "-")
check_file() {	# NAME FORMAT
	local name=$1 fmt=$2 msg
	tests/daemon/codec_send "$name" 0 - "$work/said.raw" >"$work/$name.bit" &&
	ffmpeg -nostdin -hide_banner -loglevel error -f "$fmt" \
		-i "$work/$name.bit" -ar 8000 -ac 1 -f s16le "$work/$name.raw"
	if msg=$(correlate "$work/said.raw" "$work/$name.raw" 2>&1); then
		echo "ok $name (raw $fmt, ffmpeg's decoder): $msg"
		pass=$((pass + 1))
	else
		echo "not ok $name (raw $fmt, ffmpeg's decoder): $msg"
		fail=$((fail + 1))
	fi
}

check pcmu 0 PCMU/8000
check opus 111 opus/48000/2
check g722 9 G722/8000
check_file g729 g729

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
