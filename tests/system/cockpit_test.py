#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# tests/system/cockpit_test.py - the browser half of
# tests/system/cockpit_test.sh (which sets up fxsd, cockpit-ws, the users
# and the registrar): headless Chromium driven by Selenium.  Prints
# "ok - ..." / "not ok - ..." and "N passed, M failed".

import base64
import hashlib
import subprocess
import sys
import time

from selenium import webdriver
from selenium.common.exceptions import (StaleElementReferenceException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

BASE = "http://127.0.0.1:9090"
PAGE = BASE + "/cockpit/@localhost/fxs/index.html"
CONF = "/etc/fxsd/fxsd.conf"
passed = failed = 0


def result(good, what):
    global passed, failed
    print(("ok - " if good else "not ok - ") + what, flush=True)
    if good:
        passed += 1
    else:
        failed += 1
    return good


def wait_for(driver, seconds, cond, what):
    """cond(driver) polled every 0.2 s; one case"""
    t0 = time.monotonic()
    try:
        WebDriverWait(driver, seconds, poll_frequency=0.2).until(cond)
        return result(True, "%s (%.1f s)" % (what, time.monotonic() - t0))
    except (TimeoutException, WebDriverException) as e:
        result(False, "%s (waited %d s)" % (what, seconds))
        print("# " + str(e).splitlines()[0] if str(e) else "# timeout")
        return False


def text(driver, css):
    """the first match's text; None when there is none (or it was just
    replaced: the page rebuilds a table when the port changes)"""
    try:
        els = driver.find_elements(By.CSS_SELECTOR, css)
        return els[0].text.strip() if els else None
    except StaleElementReferenceException:
        return None


def text_is(css, want):
    return lambda d: text(d, css) == want


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def login(driver, user, password):
    driver.delete_all_cookies()
    driver.get(BASE + "/")
    ok = wait_for(driver, 90, lambda d: d.find_elements(By.ID, "login-user-input"),
                  "%s: the login page" % user)
    if not ok:
        return False
    driver.find_element(By.ID, "login-user-input").send_keys(user)
    driver.find_element(By.ID, "login-password-input").send_keys(password)
    driver.find_element(By.ID, "login-button").click()
    # the login page goes away (an error keeps it, with a message)
    if not wait_for(driver, 160, lambda d: not d.find_elements(By.ID, "login-user-input")
                    and d.get_cookie("cockpit"),
                    "%s logs in with the password (the shell, a session cookie)" % user):
        print("# login page says: %s" % text(driver, "#login-error-message"))
        return False
    driver.get(PAGE)
    if wait_for(driver, 90,
                lambda d: d.find_elements(By.CSS_SELECTOR, "body[data-ready='1']"),
                "%s: the fxs page is up with fxsd's ports" % user):
        return True
    print("# at %s (%s): %s" % (driver.current_url, driver.title,
                                 text(driver, "#status") or driver.page_source[:300]))
    for entry in driver.get_log("browser")[-10:]:
        print("# console: %s" % entry.get("message"))
    return False


def confirm(driver):
    WebDriverWait(driver, 10, poll_frequency=0.2).until(
        lambda d: d.find_element(By.ID, "confirm-ok").is_displayed())
    driver.find_element(By.ID, "confirm-ok").click()


def screenshot(driver):
    png = driver.get_screenshot_as_png()
    result(png[:8] == b"\x89PNG\r\n\x1a\n", "screenshot taken (%d bytes)" % len(png))
    b64 = base64.b64encode(png).decode()
    for i in range(0, len(b64), 76):
        print("# png: " + b64[i:i + 76])


def admin_case(driver):
    if not login(driver, "alice", "alice-pw1"):
        return
    wait_for(driver, 30, text_is("#port-0 .registration", "registered"),
             "port 0 is registered")
    wait_for(driver, 10, text_is("#port-0 .state", "idle"), "port 0 is idle")
    result(driver.find_element(By.ID, "readonly").get_attribute("hidden") is not None,
           "alice (fxsadmin) is not told 'status only'")

    sipp = subprocess.Popen(
        ["sipp", "127.0.0.1:5060", "-sf", "tests/sipp/cockpit_call_in.xml",
         "-s", "1000", "-i", "127.0.0.1", "-p", "5072", "-mp", "6100",
         "-rtp_echo", "-m", "1", "-nostdin", "-timeout", "200",
         "-trace_err", "-error_file", "/tmp/fxs-cockpit-sipp.err",
         "-trace_msg", "-message_file", "/tmp/fxs-cockpit-sipp.msg"],
        stdout=subprocess.DEVNULL, stderr=open("/tmp/fxs-cockpit-sipp.log", "w"))
    try:
        wait_for(driver, 30, text_is("#port-0 .state", "ringing"),
                 "sipp calls: port 0 shows ringing")
        subprocess.run(["tests/daemon/handset", "0", "lift"], check=False,
                       stdout=subprocess.DEVNULL)
        wait_for(driver, 30, text_is("#port-0 .state", "in-call"),
                 "the handset answers: port 0 shows in-call")
        wait_for(driver, 20, text_is("#call-0 .codec", "PCMU"),
                 "the call's codec is PCMU")
        first = text(driver, "#call-0 .packets")
        wait_for(driver, 20, lambda d: text(d, "#call-0 .packets") not in (None, first),
                 "the packet counts change live (was %s)" % first)
        driver.execute_script("window.scrollTo(0, 0)")
        screenshot(driver)

        driver.find_element(By.ID, "hangup-0").click()
        confirm(driver)
        wait_for(driver, 20, lambda d: text(d, "#port-0 .state") not in ("in-call", None),
                 "hang up (confirmed) from the page: port 0 leaves in-call")
        try:
            rc = sipp.wait(60)
        except subprocess.TimeoutExpired:
            rc = None
        result(rc == 0, "sipp got fxsd's BYE (sipp exit %s)" % rc)
    finally:
        if sipp.poll() is None:
            sipp.kill()
        subprocess.run(["tests/daemon/handset", "0", "hangup"], check=False,
                       stdout=subprocess.DEVNULL)
    wait_for(driver, 20, text_is("#port-0 .state", "idle"), "port 0 idle again")
    wait_for(driver, 5, lambda d: "PCMU" in (text(d, "#last tbody tr") or ""),
             "the call is in the last calls")

    # a bad value: shown at its field, nothing written
    before = sha(CONF)
    domain = driver.find_element(By.ID, "f-0-domain")
    domain.clear()
    domain.send_keys("bad domain!")
    driver.find_element(By.ID, "save-0").click()
    wait_for(driver, 20, lambda d: "domain" in (text(d, "#e-0-domain") or ""),
             "a bad domain: fxsd's error next to the domain field")
    result(domain.get_attribute("aria-invalid") == "true", "the domain field is marked invalid")
    print("# " + (text(driver, "#e-0-domain") or ""))
    result(sha(CONF) == before, "nothing written after the bad value")

    # a good one: written, reloaded, applied
    domain.clear()
    domain.send_keys("127.0.0.1:5080")
    Select(driver.find_element(By.ID, "f-0-register")).select_by_value("no")
    driver.find_element(By.ID, "save-0").click()
    wait_for(driver, 20, lambda d: "saved and applied" in (text(d, "#status") or ""),
             "register = no: saved and applied")
    with open(CONF) as f:
        conf = f.read()
    result("register = no\n" in conf and 'password = "s3cret#1"\n' in conf,
           "the file has register = no, the password kept")
    wait_for(driver, 30, lambda d: text(d, "#port-0 .registration") not in ("registered", None),
             "applied: port 0 is no longer registered (is: %s)"
             % text(driver, "#port-0 .registration"))


def viewer_case(driver):
    if not login(driver, "bob", "bob-pw1"):
        return
    wait_for(driver, 10, lambda d: d.find_element(By.ID, "readonly").is_displayed(),
             "bob (no fxsadmin) is told he sees the status only")
    result(not driver.find_elements(By.CSS_SELECTOR, "#port-0 button"),
           "bob has no action buttons")
    result(not driver.find_element(By.ID, "settings-h").is_displayed(),
           "bob sees no settings")
    err = driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        cockpit.dbus("org.fxs.fxsd", { bus: "system" })
            .call("/org/fxs/fxsd/port/0", "org.fxs.Port1", "Hangup", [])
            .then(() => done("no error"), e => done(e.name || String(e)));
    """)
    result(err == "org.freedesktop.DBus.Error.AccessDenied",
           "the bus refuses bob's Hangup (is: %s)" % err)


def main():
    opts = Options()
    opts.binary_location = "/usr/bin/chromium"
    # few processes and no background work: each costs seconds under TCG
    for a in ("--headless=new", "--no-sandbox", "--no-zygote", "--disable-gpu",
              "--disable-dev-shm-usage", "--window-size=820,1000",
              "--no-first-run", "--disable-extensions", "--disable-sync",
              "--renderer-process-limit=1", "--disable-background-networking",
              "--disable-component-update", "--disable-breakpad",
              "--disable-features=site-per-process,Translate,MediaRouter,OptimizationHints"):
        opts.add_argument(a)
    t0 = time.monotonic()
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    print("# chromium up in %.1f s" % (time.monotonic() - t0), flush=True)
    driver.set_page_load_timeout(120)
    driver.set_script_timeout(30)
    try:
        for case in (admin_case, viewer_case):
            try:
                case(driver)
            except WebDriverException as e:
                result(False, "%s: %s" % (case.__name__, str(e).splitlines()[0]))
    finally:
        driver.quit()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
