// SPDX-License-Identifier: GPL-2.0-only
/*
 * fxs.js - the Cockpit page of fxsd: its ports and calls, live from the
 * D-Bus API's signals (org.fxs.fxsd, daemon/ctl/api.h), the settings of
 * each port (checked by fxsd before it writes), the actions.  What a user
 * may do is the bus policy's decision (systemd/org.fxs.fxsd.conf): when
 * fxsd refuses ReadConfig the page shows the status only.
 */
"use strict";

const BUS_PATH = "/org/fxs/fxsd";
const MANAGER = "org.fxs.Manager1";
const PORT = "org.fxs.Port1";
const LAST_CALLS = 10;

/* [key, label, kind]: kind "text", "password" (write-only) or a list of
 * choices ("" first: fxsd's default) */
const FIELDS = [
    ["user", "User", "text"],
    ["auth_user", "Authentication user", "text"],
    ["password", "Password", "password"],
    ["display_name", "Display name", "text"],
    ["domain", "Domain", "text"],
    ["registrar", "Registrar", "text"],
    ["register", "Register", ["", "yes", "no"]],
    ["transport", "Transport", ["", "udp", "tcp", "tls"]],
    ["codecs", "Codecs", "text"],
    ["tone_country", "Tone country", ["", "us", "uk", "de", "fr", "cn"]],
    ["digit_map", "Digit map", "text"],
];

const client = cockpit.dbus("org.fxs.fxsd", { bus: "system" });
const ports = client.proxies(PORT, BUS_PATH);
const lastCalls = [];
const inCall = {};	/* path -> the last numbers seen during its call */
let admin = false;
let config = [];	/* ReadConfig's [section, key, value] */

const $ = id => document.getElementById(id);

function say(text, isError) {
    const s = $("status");
    s.textContent = text;
    s.className = isError ? "error" : "";
}

function errorText(ex) {
    if (ex && ex.name === "org.freedesktop.DBus.Error.AccessDenied")
        return "Not allowed (group fxsadmin only)";
    return ex && ex.message ? ex.message : String(ex);
}

function cell(row, label, text, cls) {
    const td = row.insertCell();
    td.dataset.label = label;
    td.textContent = text;
    if (cls)
        td.className = cls;
    return td;
}

function fixed(x, digits) {
    return typeof x === "number" && x > 0 ? x.toFixed(digits) : "–";
}

/* The confirmation dialog: resolves true when the user confirms. */
function confirmAction(text) {
    const d = $("confirm");
    $("confirm-text").textContent = text;
    return new Promise(resolve => {
        d.addEventListener("close", () => resolve(d.returnValue === "ok"),
                           { once: true });
        d.returnValue = "cancel";
        d.showModal();
        $("confirm-cancel").focus();
    });
}

function act(question, done, call) {
    confirmAction(question).then(yes => {
        if (!yes)
            return;
        call().then(() => say(done))
                .catch(ex => say(errorText(ex), true));
    });
}

function button(text, label, id, onclick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.id = id;
    b.setAttribute("aria-label", label);
    b.addEventListener("click", onclick);
    return b;
}

function sortedPorts() {
    return Object.keys(ports).map(p => ports[p])
            .filter(p => p.valid)
            .sort((a, b) => a.Index - b.Index);
}

let shownPorts = "";

function renderPorts() {
    const body = $("ports").tBodies[0];
    const focused = document.activeElement && document.activeElement.id;
    /* rebuilt only when what it shows changed (not for a call's numbers) */
    const shown = JSON.stringify([admin, sortedPorts().map(p =>
        [p.Index, p.Attached, p.Hook, p.Registration, p.TransportError,
         p.CallState, p.RemoteParty])]);

    if (shown === shownPorts)
        return;
    shownPorts = shown;
    body.textContent = "";
    for (const p of sortedPorts()) {
        const row = body.insertRow();
        const n = p.Index;
        let reg = p.Registration;

        row.id = "port-" + n;
        if (p.TransportError)
            reg += " (" + p.TransportError + ")";
        cell(row, "Port", String(n));
        cell(row, "Device", p.Attached ? "/dev/fxs" + n : "absent");
        cell(row, "Hook", p.Hook);
        cell(row, "Registration", reg,
             "registration" + (p.Registration === "failed" ? " reg-failed" : ""));
        cell(row, "State", p.CallState, "state state-" + p.CallState);
        cell(row, "Remote party", p.RemoteParty || "–", "remote");
        const actions = cell(row, "Actions", "", "admin");
        actions.hidden = !admin;
        if (!admin)
            continue;
        if (p.CallState === "idle" && p.Attached)
            actions.appendChild(button("Ring test", "Ring port " + n, "ring-" + n, () =>
                act("Ring the phone on port " + n + " for 5 seconds?",
                    "Port " + n + " rings",
                    () => client.call(p.path, PORT, "Ring", [5]))));
        if (p.CallState !== "idle")
            actions.appendChild(button("Hang up", "Hang up port " + n, "hangup-" + n, () =>
                act("End the call on port " + n + "?", "Port " + n + ": call ended",
                    () => client.call(p.path, PORT, "Hangup", []))));
    }
    if (focused && $(focused))
        $(focused).focus();
}

function renderCalls() {
    const body = $("calls").tBodies[0];
    let n = 0;

    body.textContent = "";
    for (const p of sortedPorts()) {
        if (!p.Codec)
            continue;
        const row = body.insertRow();
        row.id = "call-" + p.Index;
        cell(row, "Port", String(p.Index));
        cell(row, "Remote party", p.RemoteParty || "–");
        cell(row, "Codec", p.Codec, "codec");
        cell(row, "Packets sent / received", p.RtpPacketsSent + " / " + p.RtpPacketsReceived, "packets");
        cell(row, "Lost", String(p.RtpLost));
        cell(row, "Jitter (ms)", fixed(p.JitterMs, 1));
        cell(row, "ERLE (dB)", fixed(p.ErleDb, 1));
        cell(row, "MOS", fixed(p.Mos, 2), "mos");
        n++;
    }
    $("no-calls").hidden = n > 0;

    const last = $("last").tBodies[0];
    last.textContent = "";
    for (const c of lastCalls) {
        const row = last.insertRow();
        cell(row, "Ended", c.ended.toLocaleTimeString());
        cell(row, "Port", String(c.port));
        cell(row, "Remote party", c.remote || "–");
        cell(row, "Codec", c.codec);
        cell(row, "Lost", String(c.lost));
        cell(row, "Jitter (ms)", fixed(c.jitter, 1));
        cell(row, "MOS", fixed(c.mos, 2));
    }
}

/* A call is a port with a codec: its numbers are kept until it ends. */
function trackCall(p) {
    if (p.Codec) {
        inCall[p.path] = { port: p.Index, remote: p.RemoteParty, codec: p.Codec,
                           lost: p.RtpLost, jitter: p.JitterMs, mos: p.Mos };
    } else if (inCall[p.path]) {
        const c = inCall[p.path];
        delete inCall[p.path];
        c.ended = new Date();
        lastCalls.unshift(c);
        lastCalls.length = Math.min(lastCalls.length, LAST_CALLS);
    }
}

function render() {
    renderPorts();
    renderCalls();
}

/* ---- settings ---- */

function configValue(section, key) {
    const e = config.find(c => c[0] === section && c[1] === key);
    return e ? e[2] : "";
}

function fieldId(n, key) {
    return "f-" + n + "-" + key;
}

function renderSettings() {
    const box = $("settings");
    const sections = config.map(c => c[0]).filter(s => /^port [0-9]+$/.test(s));

    box.textContent = "";
    for (const section of [...new Set(sections)]) {
        const n = section.split(" ")[1];
        const fs = document.createElement("fieldset");
        const legend = document.createElement("legend");
        legend.textContent = "Port " + n;
        fs.appendChild(legend);
        for (const [key, label, kind] of FIELDS) {
            const div = document.createElement("div");
            const lab = document.createElement("label");
            const err = document.createElement("span");
            let input;

            div.className = "field";
            lab.textContent = label;
            lab.htmlFor = fieldId(n, key);
            if (Array.isArray(kind)) {
                input = document.createElement("select");
                const value = configValue(section, key);
                for (const choice of kind.includes(value) ? kind : [...kind, value]) {
                    const o = document.createElement("option");
                    o.value = choice;
                    o.textContent = choice || "(default)";
                    input.appendChild(o);
                }
            } else {
                input = document.createElement("input");
                input.type = kind;
            }
            input.id = fieldId(n, key);
            input.name = key;
            if (kind === "password") {
                input.autocomplete = "new-password";
                input.placeholder = configValue(section, key) === "" &&
                    config.some(c => c[0] === section && c[1] === key)
                    ? "set (not shown); type to change" : "not set";
                input.dataset.orig = "";
            } else {
                input.value = configValue(section, key);
                input.dataset.orig = input.value;
            }
            err.id = "e-" + n + "-" + key;
            err.className = "error";
            err.setAttribute("aria-live", "polite");
            input.setAttribute("aria-describedby", err.id);
            div.append(lab, input, err);
            fs.appendChild(div);
        }
        const general = document.createElement("p");
        general.id = "e-" + n;
        general.className = "error";
        general.setAttribute("aria-live", "polite");
        fs.appendChild(general);
        fs.appendChild(button("Save and apply", "Save and apply port " + n + "'s settings",
                              "save-" + n, () => save(section, n)));
        box.appendChild(fs);
    }
}

function clearErrors(n) {
    for (const [key] of FIELDS) {
        $("e-" + n + "-" + key).textContent = "";
        $(fieldId(n, key)).removeAttribute("aria-invalid");
    }
    $("e-" + n).textContent = "";
}

function save(section, n) {
    const edits = [];

    clearErrors(n);
    for (const [key, , kind] of FIELDS) {
        const value = $(fieldId(n, key)).value;
        if (kind === "password" ? value !== "" : value !== $(fieldId(n, key)).dataset.orig)
            edits.push([section, key, value]);
    }
    if (!edits.length) {
        say("Port " + n + ": nothing changed");
        return;
    }
    client.call(BUS_PATH, MANAGER, "EditConfig", [edits, true])
            .then(([errors]) => {
                if (!errors.length) {
                    say("Port " + n + ": settings saved and applied");
                    return loadConfig();
                }
                say("Port " + n + ": nothing written, the settings have an error", true);
                for (const [s, key, message] of errors) {
                    const input = s === section && $(fieldId(n, key));
                    if (input) {
                        $("e-" + n + "-" + key).textContent = message;
                        input.setAttribute("aria-invalid", "true");
                        input.focus();
                    } else {
                        $("e-" + n).textContent = message;
                    }
                }
            })
            .catch(ex => say(errorText(ex), true));
}

function loadConfig() {
    return client.call(BUS_PATH, MANAGER, "ReadConfig", [])
            .then(([entries]) => {
                admin = true;
                config = entries;
                renderSettings();
            })
            .catch(ex => {
                admin = false;
                if (ex.name !== "org.freedesktop.DBus.Error.AccessDenied")
                    say("Cannot read the configuration: " + errorText(ex), true);
            })
            .then(() => {
                document.querySelectorAll(".admin").forEach(e => { e.hidden = !admin });
                $("readonly").hidden = admin;
                render();
            });
}

$("reload").addEventListener("click", () =>
    act("Reload fxsd's configuration file? Ports in a call change when their call ends.",
        "Configuration reloaded",
        () => client.call(BUS_PATH, MANAGER, "Reload", [])));

ports.addEventListener("changed", (ev, p) => { trackCall(p); render() });
ports.addEventListener("added", render);
ports.addEventListener("removed", render);
client.addEventListener("close", (ev, options) =>
    say("fxsd is not reachable: " + (options.problem || "closed"), true));

ports.wait(() => {
    sortedPorts().forEach(trackCall);
    say(sortedPorts().length + " port(s)");
    document.body.dataset.ready = "1";
    loadConfig();
});
