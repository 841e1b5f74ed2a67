/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * api.h - fxsd's D-Bus API on the system bus: the names and the interface,
 * all a client (fxsctl) needs; no daemon internals.
 *
 * Name org.fxs.fxsd.  Object /org/fxs/fxsd, interface org.fxs.Manager1:
 *   Reload()                     re-read the configuration (as SIGHUP)
 *   ListPorts() -> a(iso)        index, call state, object path
 *   Provisioning() -> (s url, s result, i http_status, s error,
 *     t last_fetch_usec, t last_applied_usec, t next_fetch_usec,
 *     u failures, u fetches, b have_profile)
 *                                the last profile fetch (README,
 *                                "Provisioning"): url without user info;
 *                                result none|applied|unchanged|
 *                                not-modified|invalid|http-error|
 *                                unreachable|no-url; error "" after a
 *                                success, else "URL:LINE: ..." or curl's
 *                                or "HTTP 404"; times CLOCK_REALTIME µs,
 *                                0 never/none; error
 *                                org.fxs.Error.NoProvisioning without url
 *   Resync()                     fetch the profile now (as check-sync)
 *   ReadConfig() -> a(sss)       the configuration file's keys as written:
 *                                section ("port 0"), key, value; secrets
 *                                (password) as "" (write-only)
 *   ValidateConfig(s text) -> as check @text as the configuration file:
 *                                its "FILE:LINE: message" errors, none
 *                                when good; never writes
 *   EditConfig(a(sss) edits, b write) -> a(sss) errors
 *                                set key = value in [section] of the file
 *                                (value "" removes the key), check the
 *                                whole result; errors (section, key of the
 *                                line named or "", "FILE:LINE: message");
 *                                with @write and no error the file is
 *                                replaced and reloaded, else untouched
 * Only root and group fxsadmin may call what reads the configuration or
 * changes anything (systemd/org.fxs.fxsd.conf).
 * Objects /org/fxs/fxsd/port/N, interface org.fxs.Port1:
 *   properties Index i, Attached b, Hook s, Registration s,
 *     TransportError s (why the last TLS connection failed, "" if not),
 *     CallState s,
 *     RemoteParty s, Codec s, RtpPacketsSent t, RtpPacketsReceived t,
 *     RtpLost x, JitterMs d, ErleDb d, Mos d (PropertiesChanged on change;
 *     for the RTP numbers, ErleDb and Mos once a second while in a call)
 *     DoNotDisturb b, AnonymousReject b, ForwardAll s, ForwardBusy s,
 *     ForwardNoAnswer s ("" off), ForwardNoAnswerSeconds u
 *   Hangup()                     end the call
 *   Ring(u seconds)              ring the idle phone, for a test
 *   SetDoNotDisturb(b on)        the run-time services (from the config
 *   SetAnonymousReject(b on)     at start; a changed port config resets
 *   SetForward(s kind, s target) them): kind all|busy|no-answer, target
 *                                a number or URI, "" for off
 *   signal StateChanged(s call_state, s registration)
 * The bus address comes from DBUS_SYSTEM_BUS_ADDRESS when set.
 */
#ifndef FXSD_CTL_API_H
#define FXSD_CTL_API_H

#define FXSD_BUS_NAME		"org.fxs.fxsd"
#define FXSD_BUS_PATH		"/org/fxs/fxsd"
#define FXSD_BUS_PORT_PREFIX	"/org/fxs/fxsd/port"
#define FXSD_BUS_MANAGER_IFACE	"org.fxs.Manager1"
#define FXSD_BUS_PORT_IFACE	"org.fxs.Port1"

#endif /* FXSD_CTL_API_H */
