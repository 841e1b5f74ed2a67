# fxs - the one entry point: make, make check, make clean
#
# KDIR is the kernel build tree the modules are built against: the running
# kernel's, else the newest installed Debian linux-headers-*-amd64.

KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(patsubst %/Makefile,%,$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64/Makefile)))))
export KDIR

CC ?= cc
CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Werror
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer
UAPI := -Iinclude/uapi

TEST_BINS := tests/kernel/fxs_test tests/kernel/sim/si3215_regs tests/demo/fxs-demo tests/daemon/unit_test \
	tests/daemon/handset tests/daemon/fxsd-asan tests/daemon/rtpeer tests/daemon/faxpeer \
	tests/daemon/analyze bench/e2e_signals tests/daemon/line_test tests/daemon/talkoff \
	tests/daemon/codec_send bench/slic_bench tests/daemon/t38fax

# fxsd, the SIP user agent daemon: daemon/ by layer (README, "The daemon's
# layers").  Each source is named once, in its layer's list; fxsd, its ASan
# build, the unit tests, the SIP test, the benchmarks and the fuzz targets
# take theirs from these lists.  Objects go to build/obj/<variant>/ with
# dependency files (-MMD): fxsd for daemon/fxsd and daemon/fxsctl, asan for
# the ASan/UBSan builds, fuzz (clang, libFuzzer) for the fuzz targets.
DAEMON_MAIN_SRCS := daemon/main.c daemon/log.c daemon/config.c daemon/confedit.c
DAEMON_SIP_SRCS := daemon/sip/agent.c daemon/sip/policy.c daemon/sip/resolve.c \
	daemon/sip/transport.c daemon/sip/transport_tcp.c daemon/sip/tls.c \
	daemon/sip/transaction.c \
	daemon/sip/message.c daemon/sip/auth.c daemon/sip/register.c \
	daemon/sip/dialog.c daemon/sip/invite.c daemon/sip/info.c daemon/sip/digest.c \
	daemon/sip/mwi.c daemon/sip/subscribe.c daemon/sip/sipfrag.c daemon/sip/refer.c
DAEMON_SIP_SRCS += daemon/sip/reinvite.c daemon/sip/timer.c daemon/sip/prack.c \
	daemon/sip/caller.c daemon/sip/nat.c daemon/sip/stun.c daemon/sip/publish.c
DAEMON_MEDIA_SRCS := daemon/media/rtp.c daemon/media/jitter.c daemon/media/sdp.c \
	daemon/media/g711.c daemon/media/codec.c daemon/media/mixer.c daemon/media/srtp.c \
	daemon/media/rtcpxr.c daemon/media/udptl.c daemon/media/t38gw.c
DAEMON_DSP_SRCS := daemon/dsp/echo.c daemon/dsp/dtmf.c daemon/dsp/tone.c \
	daemon/dsp/callerid.c daemon/dsp/rfc4733.c daemon/dsp/emodel.c daemon/dsp/modem.c
DAEMON_PORT_SRCS := daemon/port/port.c
DAEMON_LINE_SRCS := daemon/line/line.c daemon/line/fsm.c daemon/line/feature.c daemon/line/cidcw.c \
	daemon/line/digitmap.c daemon/line/starcode.c daemon/line/menu.c daemon/line/vqreport.c
DAEMON_CTL_SRCS := daemon/ctl/bus.c daemon/ctl/metrics.c daemon/ctl/openmetrics.c \
	daemon/ctl/provision.c daemon/ctl/profile.c daemon/ctl/filesave.c
FXSCTL_SRCS := daemon/ctl/fxsctl.c

FXSD_SRCS := $(DAEMON_MAIN_SRCS) $(DAEMON_SIP_SRCS) $(DAEMON_MEDIA_SRCS) \
	$(DAEMON_DSP_SRCS) $(DAEMON_PORT_SRCS) $(DAEMON_LINE_SRCS) $(DAEMON_CTL_SRCS)
# The modules that do their work without the loop's edges (the device, the
# SIP agent, D-Bus, logging): unit-tested on the host under ASan/UBSan
# (media/rtp.c with real sockets on 127.0.0.1).
DAEMON_EDGE_SRCS := daemon/main.c daemon/log.c daemon/line/line.c \
	$(filter-out daemon/sip/digest.c daemon/sip/mwi.c daemon/sip/sipfrag.c daemon/sip/caller.c daemon/sip/stun.c,$(DAEMON_SIP_SRCS)) $(DAEMON_PORT_SRCS) \
	$(filter-out daemon/ctl/openmetrics.c daemon/ctl/profile.c,$(DAEMON_CTL_SRCS))
DAEMON_PURE := $(filter-out $(DAEMON_EDGE_SRCS),$(FXSD_SRCS))

# media/codec.c: Opus, G.722 (spandsp), G.729 (bcg729); speexdsp's
# resampler (no .pc needed: -lspeexdsp below)
CODEC_PKGS := opus spandsp libbcg729
CODEC_LIBS = $(shell pkg-config --libs $(CODEC_PKGS)) -lspeexdsp
# what links media/sdp.c or media/rtp.c needs for the codec table
CODEC_SRCS := daemon/media/codec.c daemon/media/g711.c
FXSD_PKGS := libosip2 libsystemd libudev libcares libcurl $(CODEC_PKGS)
DAEMON_INC := -Idaemon
FXSD_CFLAGS = $(DAEMON_INC) $(UAPI) $(shell pkg-config --cflags $(FXSD_PKGS))
FXSD_LIBS = $(shell pkg-config --libs $(FXSD_PKGS)) -lssl -lsrtp2 -lcrypto -lspeexdsp -lspandsp -lm

UNIT_SRCS := tests/daemon/unit_main.c tests/daemon/test_config.c \
	tests/daemon/test_digitmap.c tests/daemon/test_digest.c tests/daemon/test_fsm.c \
	tests/daemon/test_sdp.c tests/daemon/test_g711.c tests/daemon/test_tone.c \
	tests/daemon/test_rtp.c tests/daemon/test_echo.c tests/daemon/test_callerid.c \
	tests/daemon/test_dtmf.c tests/daemon/test_rfc4733.c tests/daemon/test_jitter.c \
	tests/daemon/test_emodel.c tests/daemon/test_feature.c tests/daemon/test_mwi.c \
	tests/daemon/test_sipfrag.c tests/daemon/test_mixer.c tests/daemon/test_metrics.c \
	tests/daemon/test_caller.c tests/daemon/test_starcode.c tests/daemon/test_cidcw.c \
	tests/daemon/test_srtp.c tests/daemon/test_stun.c tests/daemon/test_menu.c \
	tests/daemon/test_profile.c tests/daemon/test_modem.c tests/daemon/test_codec.c \
	tests/daemon/test_rtcpxr.c tests/daemon/test_vqreport.c tests/daemon/test_confedit.c \
	tests/daemon/test_udptl.c tests/daemon/test_kernel_g711.c

# $(call objs,VARIANT,SOURCES): the objects of SOURCES in build/obj/VARIANT
objs = $(patsubst %.c,build/obj/$(1)/%.o,$(2))
DEPFLAGS = -MMD -MP

build/obj/fxsd/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(FXSD_CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/obj/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SAN) $(FXSD_CFLAGS) $(DEPFLAGS) -c -o $@ $<

.PHONY: all modules user check check-kdebug demo bench bench-e2e clean checkpatch sparse install \
	install-modules fuzz fuzz-build

all: modules user daemon/fxsd daemon/fxsctl prompts

# The voice menu's prompts (daemon/line/menu.h), spoken at build time by
# espeak-ng from prompts/LANG.txt ("NAME<TAB>TEXT" lines) into
# build/prompts/LANG/NAME.sln: 8 kHz, 16-bit signed little-endian mono
# (sox resamples espeak-ng's 22.05 kHz, trims the silence around each,
# leaving 120 ms after it, and sets its peak to -6 dBFS: speech at about
# -26 dBFS RMS, -23 dBm0, the nominal level, so that a key pressed over a
# prompt is not lost in its echo).  fxsd reads them from prompt_dir
# ([global], default /usr/share/fxs/prompts); `make install` puts them there.
PROMPT_LANGS := en
PROMPT_STAMPS := $(patsubst %,build/prompts/%/.stamp,$(PROMPT_LANGS))
.PHONY: prompts
prompts: $(PROMPT_STAMPS)

build/prompts/%/.stamp: prompts/%.txt Makefile
	@rm -rf build/prompts/$* && mkdir -p build/prompts/$*
	@grep -v '^#' $< | while IFS='	' read -r name text; do \
		[ -n "$$name" ] || continue; \
		espeak-ng -v $* -s 150 -w build/prompts/$*/$$name.wav "$$text" && \
		sox build/prompts/$*/$$name.wav -r 8000 -b 16 -c 1 -e signed-integer \
			-t raw build/prompts/$*/$$name.sln \
			silence 1 0.02 0.5% reverse silence 1 0.02 0.5% reverse \
			norm -6 pad 0 0.12 && \
		rm -f build/prompts/$*/$$name.wav || exit 1; \
	done
	@echo "  PROMPTS build/prompts/$* ($$(ls build/prompts/$* | wc -l) files)"
	@touch $@

modules:
	@test -n "$(KDIR)" || { echo "No kernel build tree: install linux-headers-amd64 or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

user: $(TEST_BINS)

tests/kernel/fxs_test: tests/kernel/*.c tests/kernel/*.h include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ tests/kernel/*.c -lm -lpthread

tests/kernel/sim/si3215_regs: tests/kernel/sim/si3215_regs.c
	$(CC) $(CFLAGS) $(WARN) -o $@ $<

bench/slic_bench: bench/slic_bench.c include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ $<

tests/demo/fxs-demo: tests/demo/fxs-demo.c include/uapi/linux/fxs.h include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ $< -lm

tests/daemon/unit_test: $(call objs,asan,$(UNIT_SRCS) $(DAEMON_PURE))
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lsrtp2 -lcrypto $(shell pkg-config --libs libsystemd) \
		$(CODEC_LIBS) -lm

daemon/fxsd: $(call objs,fxsd,$(FXSD_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(FXSD_LIBS)

daemon/fxsctl: $(call objs,fxsd,$(FXSCTL_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(shell pkg-config --libs libsystemd)

# The same daemon under AddressSanitizer and UBSan, for the call tests.
tests/daemon/fxsd-asan: $(call objs,asan,$(FXSD_SRCS))
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(FXSD_LIBS)

# The line test layer (tests/daemon/line_test.c): one Line of fxsd with
# its real line/, sip/, media/ and dsp/ in-process, the fake port of
# tests/daemon/fake_port.c linked in place of port/ (no kernel), a far end
# scripted over UDP on 127.0.0.1.  Built under ASan/UBSan into
# build/obj/line, where the REFER's NOTIFY deadline is 2 s, not 32 s.
LINE_TEST_SRCS := tests/daemon/line_test.c tests/daemon/fake_port.c tests/daemon/line_fax.c \
	tests/daemon/unit_main.c daemon/log.c daemon/config.c $(DAEMON_SIP_SRCS) \
	$(DAEMON_MEDIA_SRCS) $(DAEMON_DSP_SRCS) $(DAEMON_LINE_SRCS)
LINE_TEST_DEFS := -DSIP_REFER_FIRST_MS=2000

build/obj/line/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WARN) $(SAN) $(FXSD_CFLAGS) $(LINE_TEST_DEFS) -Itests/daemon $(DEPFLAGS) -c -o $@ $<

tests/daemon/line_test: $(call objs,line,$(LINE_TEST_SRCS))
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(FXSD_LIBS)

# The SIP agent against sipp (tests/daemon/sip_test.sh builds and runs it).
SIP_TEST_SRCS := tests/daemon/sip_test.c $(DAEMON_SIP_SRCS) daemon/media/sdp.c $(CODEC_SRCS) daemon/line/vqreport.c

tests/daemon/sip_test: $(call objs,asan,$(SIP_TEST_SRCS))
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(shell pkg-config --libs libosip2 libsystemd libcares) -lssl -lcrypto \
		$(CODEC_LIBS)

# The talk-off tool (tests/daemon/talkoff_test.sh, bench/RESULTS.md): fxsd's
# DTMF detector over speech, spandsp's receiver beside it as the reference.
# Optimised, no sanitizers: it reads an hour of audio per run.
tests/daemon/talkoff: $(call objs,fxsd,tests/daemon/talkoff.c tests/daemon/talkoff_spandsp.c \
		daemon/dsp/dtmf.c daemon/media/g711.c)
	$(CC) $(CFLAGS) -o $@ $^ -lspandsp -lm

tests/daemon/handset: tests/daemon/handset.c include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -o $@ $< -lm

tests/daemon/faxpeer: tests/daemon/faxpeer.c tests/daemon/t30term.h daemon/media/udptl.c \
		include/uapi/linux/fxs_loop.h
	$(CC) $(CFLAGS) $(WARN) $(UAPI) -Idaemon -o $@ tests/daemon/faxpeer.c \
		daemon/media/udptl.c -lspandsp -ltiff -lm

# a fax through fxsd's T.38 gateway, spandsp's terminals at both ends
tests/daemon/t38fax: $(call objs,asan,tests/daemon/t38fax.c daemon/media/t38gw.c daemon/media/udptl.c)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lspandsp -ltiff -lm

tests/daemon/rtpeer: $(call objs,fxsd,tests/daemon/rtpeer.c daemon/media/g711.c)
	$(CC) $(CFLAGS) -o $@ $^

# fxsd's RTP session and codecs, sending a file (tests/daemon/codec_ffmpeg.sh)
tests/daemon/codec_send: $(call objs,fxsd,tests/daemon/codec_send.c daemon/media/rtp.c daemon/media/rtcpxr.c \
		daemon/media/jitter.c daemon/media/srtp.c daemon/media/sdp.c $(CODEC_SRCS) \
		daemon/dsp/rfc4733.c daemon/dsp/emodel.c)
	$(CC) $(CFLAGS) -o $@ $^ $(shell pkg-config --libs libsystemd) -lsrtp2 -lcrypto $(CODEC_LIBS) -lm

tests/daemon/analyze: tests/daemon/analyze.c
	$(CC) $(CFLAGS) $(WARN) -o $@ $< -lm

bench/e2e_signals: bench/e2e_signals.c bench/echo_sim.h
	$(CC) $(CFLAGS) $(WARN) -Ibench -o $@ $< -lm

# The benchmarks' own files find bench/echo_sim.h next to them.
bench/echo_bench: $(call objs,fxsd,bench/echo_bench.c daemon/dsp/echo.c)
	$(CC) $(CFLAGS) -o $@ $^ -lspeexdsp -lm

bench/jitter_bench: $(call objs,fxsd,bench/jitter_bench.c daemon/media/jitter.c)
	$(CC) $(CFLAGS) -o $@ $^ -lspeexdsp -lm

# One full-duplex channel as fxsd runs it: the daemon's media and dsp
# modules, an RTP session on 127.0.0.1 and sd-event.
CHANNEL_SRCS := bench/channel_bench.c daemon/media/rtp.c daemon/media/rtcpxr.c daemon/media/srtp.c daemon/media/sdp.c $(CODEC_SRCS) \
	daemon/media/jitter.c daemon/dsp/echo.c daemon/dsp/dtmf.c daemon/dsp/rfc4733.c \
	daemon/dsp/emodel.c

bench/channel_bench: $(call objs,fxsd,$(CHANNEL_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(shell pkg-config --libs libsystemd) -lsrtp2 $(CODEC_LIBS) -lm

# CPU per channel of each codec: encode + decode of 20 ms frames.
bench/codec_bench: $(call objs,fxsd,bench/codec_bench.c $(CODEC_SRCS))
	$(CC) $(CFLAGS) -o $@ $^ $(CODEC_LIBS) -lm

# libFuzzer targets (tests/fuzz/fuzz_<name>.c), built with clang under
# ASan and UBSan into build/fuzz.  `make fuzz` runs a campaign of
# FUZZ_SECONDS (default 300) per target (FUZZ_TARGETS="sip sdp" for some,
# FUZZ_JOBS=N for N at once); `make check` replays the seed corpus and
# fuzzs each target for a few seconds (tests/fuzz/run --check).
FUZZ_CC ?= clang-14
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS_ALL := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
# what each target links besides its own file (which may #include one)
FUZZ_SRCS_sip := daemon/sip/digest.c daemon/media/sdp.c $(CODEC_SRCS) daemon/sip/mwi.c \
	daemon/sip/sipfrag.c daemon/sip/caller.c daemon/sip/tls.c \
	daemon/sip/nat.c daemon/sip/stun.c
FUZZ_SRCS_info := $(filter-out daemon/sip/info.c,$(DAEMON_SIP_SRCS))
FUZZ_SRCS_srv := $(DAEMON_SIP_SRCS)
FUZZ_SRCS_sdp := daemon/media/sdp.c $(CODEC_SRCS)
FUZZ_SRCS_digest := daemon/sip/digest.c
FUZZ_SRCS_rtp := daemon/media/srtp.c daemon/media/rtcpxr.c daemon/media/sdp.c $(CODEC_SRCS) daemon/media/jitter.c daemon/dsp/rfc4733.c \
	daemon/dsp/emodel.c
FUZZ_SRCS_rfc4733 := daemon/dsp/rfc4733.c
FUZZ_SRCS_digitmap := daemon/line/digitmap.c
FUZZ_SRCS_callerid := daemon/dsp/callerid.c
FUZZ_SRCS_mwi := daemon/sip/mwi.c
FUZZ_SRCS_sipfrag := daemon/sip/sipfrag.c
FUZZ_SRCS_metrics := daemon/ctl/openmetrics.c
FUZZ_SRCS_stun := daemon/sip/stun.c
FUZZ_SRCS_profile := daemon/ctl/profile.c daemon/config.c
FUZZ_SRCS_confedit := daemon/confedit.c
FUZZ_SRCS_udptl := daemon/media/udptl.c

build/obj/fuzz/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(WARN) $(FXSD_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# .SECONDEXPANSION: each target's own list
.SECONDEXPANSION:
build/fuzz/fuzz_%: $$(call objs,fuzz,tests/fuzz/fuzz_%.c $$(FUZZ_SRCS_$$*))
	@mkdir -p build/fuzz
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ $(FXSD_LIBS)

fuzz-build: $(FUZZ_TARGETS_ALL:%=build/fuzz/fuzz_%)

fuzz:
	tests/fuzz/run $(FUZZ_TARGETS)

# Benchmarks; results are written down in bench/RESULTS.md.  callgrind.sh
# skips (with a message) when valgrind is not installed.
bench: bench/echo_bench bench/jitter_bench bench/channel_bench tests/daemon/talkoff \
	bench/codec_bench
	bench/codec_bench
	bench/echo_bench
	bench/jitter_bench
	bench/channel_bench
	bench/talkoff.sh
	bench/callgrind.sh

# Benchmarks through the real driver and fxsd, in the VM (several minutes).
bench-e2e: all
	tests/vm/run --loop-args ports=1 -- bench/e2e.sh

# The Si3215 driver's hook and ring timing and SPI load on the simulated
# chip, in the VM (about a minute).
bench-slic: all
	tests/vm/run -- bench/slic.sh

# The main job: real calls end to end on the loopback board, in a VM;
# BOARD=si3215: the same on the Si3215 driver over the simulated chip.
BOARD ?= loop
demo: all
	tests/vm/run --systemd --board $(BOARD) -- tests/demo/demo.sh

check: all
	tests/check

# The kernel suite on a debug kernel (KASAN, UBSAN, lockdep, DEBUG_OBJECTS,
# kmemleak, ...) built from Debian's linux-source with tests/vm/kdebug.config
# into build/kdebug (the first build takes long: see README), the modules
# built against it in build/kdebug/fxs; fails on any report of the kernel.
check-kdebug: tests/kernel/fxs_test
	tests/vm/kdebug

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 CF="-D__CHECK_ENDIAN__" modules

checkpatch:
	tests/checkpatch

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean || true
	rm -f $(TEST_BINS) tests/daemon/sip_test
	rm -rf build

# ---- make install / make install-modules ----------------------------------
#
#   make install [DESTDIR=/tmp/stage] [PREFIX=/usr]
#
# PREFIX defaults to /usr; DESTDIR is prepended to every path.  Each
# directory below can be overridden on the command line.
#
#   $(SBINDIR)/fxsd, $(BINDIR)/fxsctl                     mode 0755
#   $(SYSTEMDUNITDIR)/fxsd.service                       mode 0644 (all below)
#   $(SYSTEMDUNITDIR)/fxsd-metrics.socket  the metrics endpoint, not enabled
#   $(UDEVRULESDIR)/60-fxs.rules
#   $(SYSUSERSDIR)/fxsd.conf                             (systemd/fxsd.sysusers)
#   $(DBUSPOLICYDIR)/org.fxs.fxsd.conf
#   $(DOCDIR)/fxs-modules.conf    an example for /etc/modules-load.d, not enabled
#   $(SYSCONFDIR)/fxsd/fxsd.conf.example                 (never fxsd.conf itself)
#   $(INCLUDEDIR)/linux/fxs.h, fxs_loop.h
#   $(MANDIR)/man1/fxsctl.1, man5/fxsd.conf.5, man8/fxsd.8
#   $(COCKPITDIR)/manifest.json, index.html, fxs.js, fxs.css  the Cockpit page
#
# The unit goes to $(PREFIX)/lib/systemd/system, i.e. /usr/lib/systemd/system
# for PREFIX=/usr.  Debian 12's systemd.pc still says /lib/systemd/system, but
# Debian 12 is merged-/usr (/lib is a link to /usr/lib) and its systemd loads
# units from both, and /usr/lib/systemd/system is where Debian 13 and upstream
# systemd put them.  For a split-/usr system pass
# SYSTEMDUNITDIR=/lib/systemd/system.  The unit runs /usr/sbin/fxsd; for
# another SBINDIR the installed copy's ExecStart= is rewritten to match.
#
# With PREFIX=/usr/local, systemd, udev and sysusers find their files under
# /usr/local/lib as well, but dbus-daemon reads policies only from
# /usr/share/dbus-1/system.d and /etc/dbus-1/system.d: pass
# DBUSPOLICYDIR=/etc/dbus-1/system.d in that case.  fxsd always reads
# /etc/fxsd/fxsd.conf, so SYSCONFDIR stays /etc whatever PREFIX is.
#
# make install-modules installs driver/fxs.ko and driver/fxs_loop.ko for the
# kernel of KDIR under $(DESTDIR)/lib/modules/<release>/ (kbuild's
# modules_install, which also runs depmod); see dkms.conf for DKMS.

PREFIX ?= /usr
SBINDIR ?= $(PREFIX)/sbin
BINDIR ?= $(PREFIX)/bin
SYSCONFDIR ?= /etc
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
UDEVRULESDIR ?= $(PREFIX)/lib/udev/rules.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DBUSPOLICYDIR ?= $(PREFIX)/share/dbus-1/system.d
DOCDIR ?= $(PREFIX)/share/doc/fxs
INCLUDEDIR ?= $(PREFIX)/include
MANDIR ?= $(PREFIX)/share/man
PROMPTDIR ?= $(PREFIX)/share/fxs/prompts
# Cockpit finds packages in share/cockpit of every XDG data directory
# (/usr/share and /usr/local/share by default)
COCKPITDIR ?= $(PREFIX)/share/cockpit/fxs
COCKPIT_FILES := cockpit/manifest.json cockpit/index.html cockpit/fxs.js cockpit/fxs.css
INSTALL ?= install

install: daemon/fxsd daemon/fxsctl prompts
	$(INSTALL) -D -m 0755 daemon/fxsd $(DESTDIR)$(SBINDIR)/fxsd
	$(INSTALL) -D -m 0755 daemon/fxsctl $(DESTDIR)$(BINDIR)/fxsctl
	@mkdir -p build/install
	sed -e 's|^ExecStart=/usr/sbin/fxsd |ExecStart=$(SBINDIR)/fxsd |' \
		systemd/fxsd.service > build/install/fxsd.service
	@grep -q '^ExecStart=$(SBINDIR)/fxsd ' build/install/fxsd.service || \
		{ echo "install: could not set ExecStart= in fxsd.service" >&2; exit 1; }
	$(INSTALL) -D -m 0644 build/install/fxsd.service $(DESTDIR)$(SYSTEMDUNITDIR)/fxsd.service
	$(INSTALL) -D -m 0644 systemd/fxsd-metrics.socket $(DESTDIR)$(SYSTEMDUNITDIR)/fxsd-metrics.socket
	$(INSTALL) -D -m 0644 systemd/60-fxs.rules $(DESTDIR)$(UDEVRULESDIR)/60-fxs.rules
	$(INSTALL) -D -m 0644 systemd/fxsd.sysusers $(DESTDIR)$(SYSUSERSDIR)/fxsd.conf
	$(INSTALL) -D -m 0644 systemd/org.fxs.fxsd.conf $(DESTDIR)$(DBUSPOLICYDIR)/org.fxs.fxsd.conf
	$(INSTALL) -D -m 0644 systemd/fxs-modules.conf $(DESTDIR)$(DOCDIR)/fxs-modules.conf
	$(INSTALL) -D -m 0644 systemd/fxsd.conf.example $(DESTDIR)$(SYSCONFDIR)/fxsd/fxsd.conf.example
	$(INSTALL) -D -m 0644 include/uapi/linux/fxs.h $(DESTDIR)$(INCLUDEDIR)/linux/fxs.h
	$(INSTALL) -D -m 0644 include/uapi/linux/fxs_loop.h $(DESTDIR)$(INCLUDEDIR)/linux/fxs_loop.h
	$(INSTALL) -D -m 0644 man/fxsctl.1 $(DESTDIR)$(MANDIR)/man1/fxsctl.1
	$(INSTALL) -D -m 0644 man/fxsd.conf.5 $(DESTDIR)$(MANDIR)/man5/fxsd.conf.5
	$(INSTALL) -D -m 0644 man/fxsd.8 $(DESTDIR)$(MANDIR)/man8/fxsd.8
	for f in $(COCKPIT_FILES); do \
		$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(COCKPITDIR)/$${f##*/} || exit 1; \
	done
	for lang in $(PROMPT_LANGS); do \
		for f in build/prompts/$$lang/*.sln; do \
			$(INSTALL) -D -m 0644 $$f $(DESTDIR)$(PROMPTDIR)/$$lang/$${f##*/} || exit 1; \
		done; \
	done

install-modules: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) modules_install
# ---- end of make install ---------------------------------------------------

# The objects' dependency files, last: a rule read from them must not
# become the default goal.
-include $(shell find build/obj -name '*.d' 2>/dev/null)
