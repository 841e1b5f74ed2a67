#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""rtp_farend.py - the far end's media for the offer/answer call tests.

  rtp_farend.py LOG SECS PORT [PORT...] [--delay MS] [--stranger N]

Binds 127.0.0.1:PORT for each PORT (the addresses the far end's SDP
names) and, for SECS seconds (or until SIGTERM), echoes every RTP packet back to where it
came from, on the socket it came in on (symmetric RTP), so that what the
handset says comes back to its earpiece only if audio flows both ways.
--delay MS: echo nothing until MS after the first packet came.
--stranger N: when the first packet comes, a stranger (another socket)
sends N valid RTP packets to its source at once: the one packet of a
scanner that used to take a call's audio over.
Writes one line per packet received to LOG: "MS PORT PT LEN" (ms since
the start, the local port, the payload type).  Exit 1 if nothing came.
"""
import select
import signal
import socket
import struct
import sys
import time


def main():
    args = sys.argv[1:]
    delay = 0
    stranger = 0
    if "--delay" in args:
        i = args.index("--delay")
        delay = int(args[i + 1]) / 1000.0
        del args[i:i + 2]
    if "--stranger" in args:
        i = args.index("--stranger")
        stranger = int(args[i + 1])
        del args[i:i + 2]
    log, secs, ports = args[0], float(args[1]), [int(p) for p in args[2:]]
    socks = {}
    for p in ports:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", p))
        socks[s] = p
    t0 = time.monotonic()
    first = None
    lines = []
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    while time.monotonic() - t0 < secs and not stop:
        try:
            ready, _, _ = select.select(list(socks), [], [], 0.1)
        except InterruptedError:
            continue
        for s in ready:
            try:
                data, src = s.recvfrom(2048)
            except OSError:
                continue
            now = time.monotonic()
            if len(data) < 12 or data[0] >> 6 != 2:
                continue
            pt = data[1] & 0x7f
            lines.append("%d %d %d %d" % ((now - t0) * 1000, socks[s], pt,
                                          len(data)))
            if first is None:
                first = now
                if stranger:
                    st = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    st.bind(("127.0.0.1", 0))
                    for k in range(stranger):
                        hdr = struct.pack("!BBHII", 0x80, data[1] & 0x7f,
                                          1000 + k, 160 * k, 0x5ca4)
                        st.sendto(hdr + b"\xff" * 160, src)
                    st.close()
            if now - first >= delay:
                s.sendto(data, src)
    with open(log, "w") as f:
        f.write("\n".join(lines) + ("\n" if lines else ""))
    return 0 if lines else 1


if __name__ == "__main__":
    sys.exit(main())
