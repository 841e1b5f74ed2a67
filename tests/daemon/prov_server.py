#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# prov_server.py - the provisioning server of tests/daemon/prov_test.sh:
# HTTPS (python's http.server in an ssl context) on 127.0.0.1.
#
#   prov_server.py PORT CERT KEY DIR LOG
#
# GET of any path serves DIR/profile.conf with an ETag (the SHA-1 of the content) and a
# Last-Modified (the file's mtime); If-None-Match that names the ETag, or
# (without If-None-Match) If-Modified-Since not before the mtime, gets 304.
# DIR/mode changes what every request gets: "ok" (or no file) as above,
# "503" a 503, "truncate" a 200 whose Content-Length promises more than is
# sent before the connection closes.  Each request is appended to LOG as
# "MONOTONIC_MS PATH STATUS INM=... IMS=..." (STATUS "trunc" for a
# truncated 200), the time taken when the
# request came (CLOCK_MONOTONIC, the clock fxsd plans with).
import email.utils
import hashlib
import http.server
import os
import ssl
import sys
import time

PORT, CERT, KEY, DIR, LOG = sys.argv[1:6]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, status):
        with open(LOG, "a") as f:
            f.write("%d %s %s INM=%s IMS=%s\n" % (
                self.t_ms, self.path, status,
                (self.headers.get("If-None-Match") or "-").replace(" ", "_"),
                (self.headers.get("If-Modified-Since") or "-").replace(" ", "_")))

    def do_GET(self):
        self.t_ms = int(time.clock_gettime(time.CLOCK_MONOTONIC) * 1000)
        try:
            mode = open(os.path.join(DIR, "mode")).read().strip()
        except OSError:
            mode = "ok"
        name = os.path.join(DIR, "profile.conf")
        if mode == "503":
            self.record(503)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        try:
            body = open(name, "rb").read()
            mtime = os.stat(name).st_mtime
        except OSError:
            self.record(404)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        etag = '"%s"' % hashlib.sha1(body).hexdigest()
        lm = email.utils.formatdate(mtime, usegmt=True)
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        fresh = False
        if inm is not None:
            fresh = etag in [t.strip() for t in inm.split(",")]
        elif ims is not None:
            try:
                fresh = int(mtime) <= email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                fresh = False
        if mode == "ok" and fresh:
            self.record(304)
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", lm)
            self.end_headers()
            return
        self.record("trunc" if mode == "truncate" else 200)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", lm)
        if mode == "truncate":
            self.send_header("Content-Length", str(len(body) + 100))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(PORT)), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("listening", flush=True)
srv.serve_forever()
