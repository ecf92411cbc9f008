#!/usr/bin/env python3
"""End to end in a real browser: the playground, the incident pages, the JSON API and signing in.

Usage: browser_e2e.py <path to scribe>   (ctest: e2e.browser; exit 0 when every check passes)
       browser_e2e.py --selftest         (ctest: e2e.browser_selftest: the browser set-up alone)

Debian's headless Chromium (/usr/bin/chromium) is driven through Selenium 4 (python3-selenium, for
Debian's /usr/bin/python3) and Debian's chromedriver (/usr/bin/chromedriver), given explicitly so
that Selenium Manager never looks for a driver on the network. `scripts/install-deps --tests`
installs the three. The browser is started with --lang=en-US and its time zone set to Asia/Kolkata
(UTC+05:30), so the local times the pages' script writes differ from the UTC ones and can be
checked. Console messages are collected through `goog:loggingPrefs` {"browser": "ALL"}; a SEVERE
one (a script error, a failed load, a Content-Security-Policy violation) fails the page's check.

The real `scribe serve` runs as a child process on 127.0.0.1:0 with a fresh SQLite file (or, with
SCRIBE_TEST_POSTGRES_DIR set, a fresh PostgreSQL database) and no chat platform configured, so the playground is on (config: web.playground "auto"). The contract
under test is the one adapters/playground/playground_page.hpp (ids and classes of the playground),
adapters/web/incident_pages.hpp (the list, the incident page, the JSON API) and
adapters/site/access.hpp (the token, /signin, the session cookie) document.

The run:
  1. The playground, as three people (alice, bob, carol): the name asked once, before anything
     else, and kept; `/incident open` with a <script> in the title, messages (one with <b>, one
     of two lines written with Shift+Enter and sent with Enter), two flagged with the 📌 button
     and confirmed with Scribe's 📝, one flagged by carol before she wrote anything, a note, an
     @scribe mention, `/incident close` answered with the close's facts and one introduction; the
     eight default questions (the only messages that offer a thread) answered in their threads
     through each question's "Answer in thread" link (one answer blameful, one with an action
     item); the view after every send (the newest message, or the reply in its thread, on
     screen), new posts arriving without moving what is being read, the composer's size on a
     phone; the draft appears in a second tab without a reload (the page polls).
  2. The incident list and its filters; 3. the incident page: entries in the database's timeline
     order with UTC and local times, the figure, the draft, the wording review, the download;
  4. escaping on every page; 5. /api/incidents and /api/incidents/INC-1 against the database;
  6. no SEVERE console message after any page load;
  7. a restart with SCRIBE_WEB_TOKEN: pages go to /signin, a wrong token is refused, the right one
     signs in with an HttpOnly Secure cookie, the API wants the Bearer token, the playground works,
     signing out forgets the session;
  8. the Review a text page: from the list's link, the blameful example of BLAMELESS.md posted
     through the form, both people and the drama marked inline with the rewrites, the blameless
     line left alone;
  9. a restart without the token, and an incident in plain words (INC-2) whose playground and
     page are the README's screenshots (docs/images/);
  10. screenshots (wide, full height; one phone-sized) into $SCRIBE_ARTEFACTS_DIR, by default
     <the directory of scribe>/artefacts/browser, which is kept; the README's in its docs/ folder.
     On failure the page's HTML, a screenshot and Scribe's log are saved there too.

Every check prints on failure; the last line is "N passed, M failed". BROWSER_E2E_KEEP=1 keeps the
temporary directory (scribe.log, the database, console.json).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from scribe_e2e import (Results, Scribe, finish_run, group, http_get, http_request,  # noqa: E402
                        run_scenario, test_store)

try:
    from selenium import webdriver
    from selenium.common.exceptions import (ElementClickInterceptedException,
                                            NoSuchElementException,
                                            StaleElementReferenceException, TimeoutException,
                                            WebDriverException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait
    SELENIUM_MISSING = ""
except ImportError as error:  # pragma: no cover - reported by main()
    SELENIUM_MISSING = str(error)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TIME_ZONE, TIME_ZONE_OFFSET = "Asia/Kolkata", timedelta(hours=5, minutes=30)
WIDE = (1280, 900)
PHONE = (390, 844)
MAX_SHOT_HEIGHT = 12000          # a full-page screenshot is cut here
WAIT = 15.0                      # seconds for anything the page or Scribe does on its own

WORKSPACE = "local"              # the playground's workspace (playground_channel.hpp)
FLAG, RECORDED = "\U0001F4CC", "\U0001F4DD"   # 📌 a person's flag, 📝 Scribe's confirmation
QUESTION = re.compile(r"^Question (\d+) of (\d+) · (\S+)")
KEYS_HINT = "Enter sends; Shift+Enter for a new line"   # in the composer's placeholder
RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

# config/options.cpp: default_postmortem_questions(), in order.
DEFAULT_QUESTION_IDS = ["impact", "detection", "went_well", "went_wrong", "lucky", "learned",
                        "factors", "actions"]
TITLE = "Checkout is failing <script>window.pwned=1</script>"
BLAMEFUL = "Bob should have checked the config before the deploy."
ACTION = "Add an alert on pool saturation @alice by 2026-12-15"
ANSWERS = {   # question id -> (who answers, the answer)
    "impact": ("alice", "Checkout failed for about 40 minutes for most customers in the EU."),
    "detection": ("bob", "The 502 alert fired at 10:02 and support tickets followed."),
    "went_well": ("alice", "The rollback took five minutes once we decided on it."),
    "went_wrong": ("bob", BLAMEFUL),
    "lucky": ("alice", "It happened outside the evening sales peak."),
    "learned": ("bob", "The pool size is set per region and was not raised with the traffic."),
    "factors": ("alice", "A config change halved the pool; traffic grew; no saturation alert."),
    "actions": ("alice", ACTION),
}

# BLAMELESS.md's blameful example, and a blameless line.
REVIEW_TEXT = ("dylanone@ did not bother to set up alerting for our storage cluster. Of course we "
               "ran out of space and this disaster ensued! It took hours to fix the service "
               "because annatwo@ did not know how to recognize storage exhaustion.\n"
               "Dana paged the team at 10:02.")

R = Results()


def env_without_scribe() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}


def exception_text() -> str:
    """The current exception's traceback, without chromedriver's native stack (addresses only)."""
    return re.sub(r"\nStacktrace:\n(#\d+ .*\n?)*", "\n", traceback.format_exc()).rstrip()


def short(text, n: int = 600) -> str:
    """`text` on one line (a page's lines joined with " | "), cut at `n` characters."""
    text = re.sub(r"\s*\n\s*", " | ", str(text).strip())
    return text if len(text) <= n else text[:n] + f"... ({len(text)} characters)"


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------

# One snapshot of the playground's messages, taken in one script call: the page's script replaces
# the list every time it changes, so element handles held across calls go stale.
MESSAGES_JS = r"""
function one(li) {
  var body = li.querySelector(':scope > .body');
  var q = function (sel) { var e = li.querySelector(sel); return e ? e.innerText : null; };
  var parent = li.parentElement;
  return {
    id: li.id,
    num: Number(li.getAttribute('data-id')),
    bot: li.classList.contains('bot'),
    author: q(':scope > .meta .author'),
    body: body ? body.innerText.trim() : null,
    reactions: q(':scope > .actions .reactions') || '',
    pinned: !!li.querySelector(':scope > .actions button.pin.pinned'),
    has_pin: !!li.querySelector(':scope > .actions form.pin button.pin'),
    has_reply: !!li.querySelector(':scope > .actions a.reply'),
    thread: parent && parent.classList.contains('thread')
        ? Number(parent.closest('li.message').getAttribute('data-id')) : null,
    headings: body ? Array.from(body.querySelectorAll('h1, h2, h3')).map(function (h) {
      return h.innerText; }) : [],
    tags: body ? Array.from(body.querySelectorAll('*')).map(function (e) {
      return e.tagName.toLowerCase(); }) : []
  };
}
return Array.from(document.querySelectorAll('#messages li.message')).map(one);
"""

# Where message `id` is on screen: its top, whether all of it is between the top of the window
# and the top of the composer (sticky at the bottom, so it covers what is under it), and whether
# its end is (for a message taller than that space, a draft).
PLACE_JS = r"""
var el = document.getElementById(arguments[0]);
if (!el) return null;
var box = el.getBoundingClientRect();
var form = document.querySelector('#composer, #name-form');
var limit = form ? form.getBoundingClientRect().top : window.innerHeight;
return {top: box.top, bottom: box.bottom, visible: box.top >= -1 && box.bottom <= limit + 1,
        end_visible: box.bottom > 0 && box.bottom <= limit + 1};
"""


class Browser:
    """Headless Chromium through Selenium, with the console collected and screenshots saved."""

    def __init__(self, artefacts: str):
        self.artefacts = artefacts
        self.console: list[dict] = []   # every console message seen, with the page it came from
        self.shots: list[str] = []
        self.favicon_errors: list[str] = []
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                    f"--window-size={WIDE[0]},{WIDE[1]}", "--lang=en-US",
                    # Hermetic: no update checks, sync, translation or other background traffic.
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-default-apps", "--no-first-run",
                    "--disable-features=Translate,OptimizationHints,MediaRouter"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        # An explicit chromedriver: Selenium Manager (which would download one) never runs.
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(30)
        self.set_time_zone()

    def set_time_zone(self) -> None:
        """The current tab's time zone (a DevTools override lives per tab, across navigations)."""
        self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": TIME_ZONE})

    def stop(self) -> None:
        try:
            self.driver.quit()
        except Exception:  # noqa: BLE001 - the browser may be gone already
            pass

    # ---- waiting ---------------------------------------------------------------------------

    def until(self, condition, timeout: float = WAIT):
        """condition() until it is truthy (stale or missing elements count as not yet); that
        value, or None after `timeout` seconds."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,
                                                     NoSuchElementException)
                                 ).until(lambda _d: condition())
        except TimeoutException:
            return None

    def wait_loaded(self) -> bool:
        return bool(self.until(
            lambda: self.driver.execute_script("return document.readyState") == "complete"))

    # ---- the console -----------------------------------------------------------------------

    def drain_console(self) -> list[dict]:
        entries = self.driver.get_log("browser")
        url = self.driver.current_url
        self.console.extend({"page": url, **e} for e in entries)
        return entries

    def check_console(self, what: str, allowed: tuple[str, ...] = ()) -> bool:
        """No SEVERE console message since the last look, except ones containing an `allowed`
        text (a page answered with 401 on purpose logs its status)."""
        severe = [e["message"] for e in self.drain_console()
                  if e.get("level") == "SEVERE" and not any(a in e["message"] for a in allowed)]
        # The browser asks for /favicon.ico by itself: one check at the end says whether it is
        # there, rather than one failure per page.
        self.favicon_errors += [m for m in severe if "/favicon.ico" in m]
        severe = [m for m in severe if "/favicon.ico" not in m]
        return R.check(f"no console errors: {what}", not severe, "\n      ".join(severe))

    # ---- navigating ------------------------------------------------------------------------

    def open(self, url: str, what: str, allowed: tuple[str, ...] = ()) -> bool:
        """Loads `url`, waits for the document and checks the console."""
        self.driver.get(url)
        loaded = self.wait_loaded()
        R.check(f"{what} loads", loaded, self.driver.current_url)
        self.check_console(what, allowed)
        return loaded

    def new_document_loaded(self) -> bool:
        """Whether the window holds a document other than the one click_and_load marked, fully
        loaded. While the browser navigates, chromedriver may answer a script with an error
        (no execution context, a node that left the document): that is "not yet"."""
        try:
            return self.driver.execute_script(
                "return window.__scribeE2eOldDocument !== true "
                "&& document.readyState === 'complete'")
        except WebDriverException:
            return False

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def exists(self, css: str) -> bool:
        return len(self.find_all(css)) > 0

    def text(self, css: str) -> str | None:
        found = self.find_all(css)
        return found[0].text if found else None

    def click(self, css: str) -> None:
        """Clicks the element as a person would: scrolled to the middle of the window first, so
        that the composer (sticky at the bottom of the playground) does not cover it. Retried
        when the page's script replaced the element in between."""
        for attempt in range(5):
            try:
                element = self.find(css)
                self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})",
                                           element)
                element.click()
                return
            except (StaleElementReferenceException, ElementClickInterceptedException):
                if attempt == 4:
                    raise
                time.sleep(0.1)

    def click_and_load(self, css: str, what: str, allowed: tuple[str, ...] = ()) -> bool:
        """Clicks something that loads a new document (a link, a form's button), waits for it
        and checks the console."""
        self.driver.execute_script("window.__scribeE2eOldDocument = true;")
        self.click(css)
        loaded = bool(self.until(self.new_document_loaded))
        R.check(f"{what}: a new page loads", loaded, self.driver.current_url)
        self.check_console(what, allowed)
        return loaded

    def type_into(self, css: str, text: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(text)

    def summary(self) -> str:
        """Where the window is and what its page says, for a failed check."""
        return f"{self.path()}: {short(self.text('body'))}"

    def path(self) -> str:
        url = urllib.parse.urlsplit(self.driver.current_url)
        return url.path + (f"?{url.query}" if url.query else "")

    # ---- screenshots -----------------------------------------------------------------------

    def screenshot(self, name: str, size: tuple[int, int] = WIDE, full_page: bool = True,
                   mobile: bool = False) -> str:
        """A PNG of the page at `size` (as tall as the page when `full_page`), through DevTools'
        device metrics, so the viewport is exactly that size (and a phone's when `mobile`)."""
        width, height = size

        def emulate(h: int) -> None:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": h, "deviceScaleFactor": 2 if mobile else 1,
                "mobile": mobile})

        emulate(height)
        if full_page:
            full = self.driver.execute_script(
                "return Math.max(document.documentElement.scrollHeight, "
                "document.body ? document.body.scrollHeight : 0)")
            emulate(max(height, min(int(full), MAX_SHOT_HEIGHT)))
        path = os.path.join(self.artefacts, name + ".png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.driver.save_screenshot(path)
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        self.shots.append(path)
        return path

    def as_phone(self, on: bool) -> None:
        """The window as a phone's screen (PHONE, touch, 2x), or back to the desktop's."""
        if on:
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True})
        else:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def overflows_sideways_on_phone(self) -> int:
        """How many CSS pixels the page is wider than a phone's screen (0: no sideways
        scrolling), measured with the phone's metrics emulated."""
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True})
        try:
            return int(self.driver.execute_script(
                "return Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"))
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def save_failure(self, name: str) -> None:
        """The page as it is now, for a failed run: its HTML and a screenshot."""
        try:
            os.makedirs(self.artefacts, exist_ok=True)
            with open(os.path.join(self.artefacts, name + ".html"), "w", encoding="utf-8") as f:
                f.write(f"<!-- {self.driver.current_url} -->\n" + self.driver.page_source)
            self.screenshot(name)
        except Exception as e:  # noqa: BLE001 - best effort after a failure
            print(f"could not save the failing page: {e}", flush=True)


def selenium_problem() -> str:
    """Why the browser cannot run here, or ""."""
    if SELENIUM_MISSING:
        return (f"Selenium is not importable by {sys.executable} ({SELENIUM_MISSING}). The "
                "browser tests run with Debian's /usr/bin/python3 and its python3-selenium: "
                "run scripts/install-deps --tests")
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not os.access(path, os.X_OK):
            return f"{path} is missing: install Debian's {package} (scripts/install-deps --tests)"
    return ""


def artefacts_dir(default_base: str) -> str:
    return os.environ.get("SCRIBE_ARTEFACTS_DIR") or os.path.join(default_base, "artefacts",
                                                                   "browser")


# ---------------------------------------------------------------------------------------------
# The scenario
# ---------------------------------------------------------------------------------------------

class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-browser-e2e-")
        self.db = test_store(self.work, "scribe.db")
        self.artefacts = artefacts_dir(os.path.dirname(binary))
        self.token = secrets.token_hex(16)
        self.scribe: Scribe | None = None
        self.browser: Browser | None = None
        self.msg: dict[str, int] = {}        # what a message is -> its number on the page
        self.questions: dict[str, int] = {}  # question id -> the number of the message asking it

    def env(self, token: str = "") -> dict:
        env = env_without_scribe()
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_LOG_LEVEL": "debug",
        })
        if token:
            env["SCRIBE_WEB_TOKEN"] = token
        return env

    def url(self, path: str) -> str:
        return self.scribe.url() + path

    def run(self) -> None:
        os.makedirs(self.artefacts, exist_ok=True)
        for old in os.listdir(self.artefacts):   # this run's screenshots only
            if old.endswith((".png", ".html", ".log")):
                os.remove(os.path.join(self.artefacts, old))
        started = time.monotonic()
        try:
            self.scribe = Scribe(self.binary, self.work, self.env())
            ok, why = self.scribe.start()
            if not R.check("scribe serve starts", ok, why):
                return
            self.browser = Browser(self.artefacts)
            # Each part goes on after an earlier one failed: one broken page hides nothing else.
            for part in (self.playground, self.incident_list, self.incident_page, self.json_api,
                         self.review_page, self.signed_in, self.readme_screenshots):
                try:
                    part()
                except Exception:  # noqa: BLE001 - a surprise is a failed check, page saved
                    R.fail(f"{part.__name__} ran to its end", exception_text())
                    self.browser.save_failure(f"failure-{part.__name__}")
        except Exception:  # noqa: BLE001
            R.fail("the scenario ran to its end", exception_text())
        finally:
            self.finish(time.monotonic() - started)

    def finish(self, seconds: float) -> None:
        browser = self.browser
        if browser is not None:
            try:
                browser.drain_console()
            except Exception:  # noqa: BLE001 - the browser may be gone
                pass
            if R.failed:
                browser.save_failure("failure-last-page")
            R.check("the browser's own request for /favicon.ico logs no error (a 404 is a "
                    "console error on every page)", not browser.favicon_errors,
                    short(sorted(set(browser.favicon_errors))))
        if R.failed and self.scribe is not None:
            shutil.copy(self.scribe.log_path, os.path.join(self.artefacts, "scribe.log"))
        if browser is not None and browser.shots:
            print(f"screenshots in {self.artefacts}:", flush=True)
            for shot in browser.shots:
                print(f"  {os.path.basename(shot)}", flush=True)
        print(f"the run took {seconds:.1f} s", flush=True)

        class _NoFake:
            def stop(self):
                if browser is not None:
                    browser.stop()

        finish_run(R, self.scribe, _NoFake(), self.work, "BROWSER_E2E_KEEP",
                   {"console.json": lambda: browser.console if browser else []}, store=self.db)

    # ---- the playground --------------------------------------------------------------------

    def messages(self) -> list[dict]:
        return self.browser.driver.execute_script(MESSAGES_JS)

    def message(self, num: int) -> dict | None:
        return next((m for m in self.messages() if m["num"] == num), None)

    def place(self, num: int) -> dict | None:
        return self.browser.driver.execute_script(PLACE_JS, f"m{num}")

    def become(self, author: str) -> None:
        """Makes `author` the name this browser writes and flags under: through the form the page
        shows until it knows a name, or the composer's "Change name"."""
        b = self.browser
        if b.text("#viewer") == author:
            return
        if not b.exists("form#name-form"):
            b.click_and_load("#rename", f"Change name, to write as {author}")
        if not R.check(f"the page asks for the name, to write as {author}",
                       b.exists("form#name-form #author"), b.summary()):
            return
        b.type_into("#author", author)
        b.click_and_load("#start", f"giving the name {author}")
        R.check(f"the page writes as {author} now, and keeps the thread it was in",
                b.text("#viewer") == author and ("thread=" in b.path()) == b.exists("#replying-to"),
                b.summary())

    def say(self, author: str, text: str, what: str, thread: int | None = None,
            with_keys: bool = False) -> int | None:
        """Types `text` as `author` into the composer and sends it (with the Send button, or with
        the Enter key when `with_keys`, a "\n" in `text` typed as Shift+Enter); the number of the
        message as the page shows it after the redirect, or None. Checks that the message is on
        screen then, and in a channel message also the newest one."""
        b = self.browser
        self.become(author)
        if with_keys:
            box = b.find("#text")
            box.clear()
            for i, line in enumerate(text.split("\n")):
                if i:
                    box.send_keys(Keys.SHIFT, Keys.ENTER, Keys.SHIFT)
                box.send_keys(line)
            b.driver.execute_script("window.__scribeE2eOldDocument = true;")
            box.send_keys(Keys.ENTER)
            R.check(f"Enter sends {what}: a new page loads", bool(b.until(b.new_document_loaded)),
                    b.driver.current_url)
            b.check_console(f"sending {what}")
        else:
            b.type_into("#text", text)
            if not b.click_and_load("#send", f"sending {what}"):
                return None
        if thread is not None:
            R.check(f"after {what} the page stays in the thread",
                    f"thread={thread}" in b.path() and b.exists("#replying-to"), b.path())
        R.check(f"no error shown after {what}", not b.exists("#error"), b.text("#error") or "")
        mine = [m for m in self.messages()
                if not m["bot"] and m["author"] == author and m["body"] == text
                and m["thread"] == thread]
        R.check(f"{what} is on the page as written, by {author}", mine,
                f"{b.path()}: " + (short([(m["author"], m["body"]) for m in self.messages()[-5:]])
                                   if b.exists("#messages") else short(b.text("body"))))
        if not mine:
            return None
        num = mine[-1]["num"]
        channel = [m for m in self.messages() if m["thread"] is None]
        # In the channel, Scribe's answer to a command comes with the page; what its jobs post
        # later (the questions after a close) may fill the screen and push the message up.
        if thread is not None or sum(m["num"] > num for m in channel) <= 1:
            R.check(f"after {what} it is on screen, above the composer",
                    (self.place(num) or {}).get("visible"), f"{b.path()}: {self.place(num)}")
        if thread is None:
            R.check(f"after {what} the newest message ends on screen (the page opens at the newest)",
                    (self.place(channel[-1]["num"]) or {}).get("end_visible"),
                    f"#m{channel[-1]['num']}: {self.place(channel[-1]['num'])}")
        return num

    def bot_reply_after(self, num: int | None) -> dict | None:
        if num is None:
            return None
        return next((m for m in self.messages() if m["bot"] and m["num"] > num
                     and m["thread"] is None), None)

    def flag(self, num: int | None, who: str, what: str) -> None:
        """Clicks the 📌 button of message `num` (as `who`, the name this browser last wrote
        with) and checks Scribe's 📝 on it."""
        b = self.browser
        if num is None:
            R.fail(f"flag {what}: the message was not posted")
            return
        b.click_and_load(f"#m{num} > .actions form.pin button.pin", f"flagging {what}")
        R.check(f"the 📌 redirect comes back to the message ({what})",
                b.driver.current_url.endswith(f"/playground#m{num}"), b.driver.current_url)
        m = self.message(num)
        R.check(f"{what} shows Scribe's 📝 and {who}'s 📌 (button pressed)",
                m and RECORDED in m["reactions"] and FLAG in m["reactions"] and m["pinned"],
                short(m))

    def playground(self) -> None:
        group("1. the playground: an incident, flags, the questions and the draft")
        b = self.browser
        b.open(self.url("/playground"), "the playground")
        for css in ("#messages", "form#name-form", "#author", "#start"):
            R.check(f"the playground has {css}", b.exists(css))
        R.check("a first visit asks for a name before offering the composer",
                not b.exists("form#composer"), b.summary())
        R.check("the playground starts empty", not self.messages(), short(self.messages()))
        self.become("alice")
        for css in ("form#composer", "#text", "#send", "#viewer", "#rename"):
            R.check(f"once named, the playground has {css}", b.exists(css))
        R.check("the composer's placeholder says how Enter and Shift+Enter work",
                KEYS_HINT in (b.find("#text").get_attribute("placeholder") or ""),
                b.find("#text").get_attribute("placeholder"))

        opened = self.say("alice", f"/incident open {TITLE}", "/incident open")
        self.msg["open"] = opened
        reply = self.bot_reply_after(opened)
        R.check("Scribe answers /incident open with INC-1 (li.message.bot)",
                reply and "INC-1" in reply["body"] and reply["author"] == "Scribe", short(reply))
        self.check_escaped_title_in_playground(opened)

        self.msg["errors"] = self.say("alice", "errors at 502 since 10:02", "alice's first message")
        self.msg["pool"] = self.say("bob", "db pool exhausted <b>bold?</b>",
                                    "bob's message with <b>")
        pool = self.message(self.msg["pool"]) if self.msg["pool"] else None
        R.check("<b> in a message is text, not an element",
                pool and "<b>bold?</b>" in pool["body"] and "b" not in pool["tags"], short(pool))
        for name in ("errors", "pool"):
            m = self.message(self.msg[name]) if self.msg[name] else None
            R.check(f"a person's message has a 📌 button and no thread (only questions offer "
                    f"one) ({name})", m and m["has_pin"] and not m["has_reply"] and not m["pinned"],
                    short(m))
        two_lines = self.say("bob", "pool at 100/100\nqueue growing", "two lines with Shift+Enter",
                             with_keys=True)
        m = self.message(two_lines) if two_lines else None
        R.check("Shift+Enter made a second line of the same message",
                m and m["body"] == "pool at 100/100\nqueue growing", short(m))
        # bob wrote last, so the 📌 buttons flag as bob (the name cookie).
        self.flag(self.msg["errors"], "bob", "alice's message")
        self.flag(self.msg["pool"], "bob", "bob's message")
        # carol only gives her name: her first act is a 📌, and it counts.
        self.become("carol")
        self.flag(self.msg["errors"], "carol", "alice's message, by carol before she wrote")
        m = self.message(self.msg["errors"]) if self.msg["errors"] else None
        R.check("carol's 📌 is the second on alice's message", m and f"{FLAG} 2" in m["reactions"],
                short(m))

        note = self.say("alice", "/incident note rolled back the deploy", "/incident note")
        reply = self.bot_reply_after(note)
        R.check("Scribe answers /incident note", reply is not None, short(self.messages()[-3:]))
        mention = self.say("bob", "@scribe pool is back to normal at 10:41", "an @scribe mention")
        self.msg["mention"] = mention
        m = self.message(mention) if mention else None
        R.check("a message mentioning @scribe gets Scribe's 📝", m and RECORDED in m["reactions"],
                short(m))

        closed = self.say("alice", "/incident close rolled back", "/incident close")
        reply = self.bot_reply_after(closed)
        R.check("Scribe answers /incident close with the close's facts only",
                reply is not None and reply["body"].startswith("INC-1 closed by alice")
                and "question" not in reply["body"], short(self.messages()[-3:]))

        # The questions are posted by the postmortem worker: the page's poll shows them.
        def asked():
            found = {}
            for m in self.messages():
                q = QUESTION.match(m["body"] or "") if m["bot"] else None
                if q:
                    found[q.group(3)] = (int(q.group(1)), int(q.group(2)), m["num"])
            return found if len(found) >= len(DEFAULT_QUESTION_IDS) else None

        found = b.until(asked) or {}
        R.check("Scribe asks the eight default questions, one bot message each, in order",
                sorted(found, key=lambda k: found[k][0]) == DEFAULT_QUESTION_IDS
                and all(total == 8 for _, total, _ in found.values()),
                short([m["body"][:40] for m in self.messages() if m["bot"]]))
        self.questions = {qid: num for qid, (_, _, num) in found.items()}
        b.check_console("the playground while the questions arrive")
        if not self.questions:
            return
        after_close = [m for m in self.messages() if m["bot"] and m["thread"] is None
                       and closed is not None and m["num"] > closed]
        intros = [m for m in after_close if "questions follow" in (m["body"] or "")]
        R.check("one introduction before the questions, not two",
                len(intros) == 1 and intros[0]["num"] < min(self.questions.values()),
                short([m["body"][:60] for m in after_close]))
        threads = sorted(m["num"] for m in self.messages() if m["has_reply"])
        R.check("only the eight questions offer a thread (Answer in thread)",
                threads == sorted(self.questions.values()), f"{threads} vs {self.questions}")
        b.screenshot("playground-questions", full_page=False)
        self.check_no_jump()
        self.check_phone_composer()

        ids = [q for q in DEFAULT_QUESTION_IDS if q in self.questions]
        for qid in ids[:-1]:
            self.answer(qid)
        # A second tab watches the channel while the last answer is sent in the first: the draft
        # must appear there by the page's polling, without a reload.
        first = b.driver.current_window_handle
        b.driver.switch_to.new_window("tab")
        b.set_time_zone()
        watcher = b.driver.current_window_handle
        b.open(self.url("/playground"), "the playground in a second tab")
        b.driver.execute_script("window.__scribeE2eSameDocument = true;")
        b.driver.switch_to.window(first)
        self.answer(ids[-1])
        b.driver.switch_to.window(watcher)

        def draft():
            return next((m for m in self.messages()
                         if m["bot"] and any("Postmortem" in h for h in m["headings"])), None)

        posted = b.until(draft)
        R.check("the draft appears in the other tab without a reload",
                posted is not None and b.driver.execute_script(
                    "return window.__scribeE2eSameDocument === true"),
                short([m["body"][:60] for m in self.messages()[-3:]]))
        b.check_console("the playground in the second tab, after the draft")
        if posted:
            self.check_draft_message(posted)
        b.driver.close()
        b.driver.switch_to.window(first)
        R.check("the draft shows in the first tab too", b.until(draft) is not None)
        R.check("window.pwned is undefined on the playground",
                b.driver.execute_script("return typeof window.pwned") == "undefined")
        b.check_console("the playground after the draft")
        b.screenshot("playground")

    def check_escaped_title_in_playground(self, opened: int | None) -> None:
        b = self.browser
        m = self.message(opened) if opened else None
        R.check("the <script> typed into the playground is shown as text",
                m and "<script>window.pwned=1</script>" in m["body"] and "script" not in m["tags"],
                short(m))
        R.check("the playground has no <script> element besides its own files",
                all(s.get_attribute("src") for s in b.find_all("script")),
                short([s.get_attribute("outerHTML") for s in b.find_all("script")]))
        R.check("window.pwned is undefined after /incident open",
                b.driver.execute_script("return typeof window.pwned") == "undefined")

    def check_no_jump(self) -> None:
        """What another person posts appears without moving what this one is reading, and
        follows the bottom for someone who is there."""
        b = self.browser
        older = self.msg.get("errors")
        if older is None:
            return
        b.driver.execute_script(
            "document.getElementById(arguments[0]).scrollIntoView({block: 'center'})", f"m{older}")
        before = self.place(older)
        n = len(self.messages())
        self.post_as("dave", "dave joins the channel")
        arrived = b.until(lambda: len(self.messages()) > n)
        after = self.place(older)
        R.check("a new post while an older message is read: it appears without a reload",
                arrived, short(self.messages()[-2:]))
        R.check("a new post while an older message is read: nothing moves on screen",
                before and after and abs(after["top"] - before["top"]) <= 2, f"{before} -> {after}")
        b.driver.execute_script("window.scrollTo(0, document.documentElement.scrollHeight)")
        n = len(self.messages())
        self.post_as("dave", "dave is at the bottom too")
        b.until(lambda: len(self.messages()) > n)
        newest = self.messages()[-1]
        R.check("a new post while at the bottom: it comes into view",
                newest["body"] == "dave is at the bottom too"
                and b.until(lambda: (self.place(newest["num"]) or {}).get("visible")),
                f"{short(newest)} {self.place(newest['num'])}")
        b.check_console("the playground while others post")

    def post_as(self, who: str, text: str) -> None:
        """Another person's message, sent past this browser (the form's POST itself)."""
        form = urllib.parse.urlencode({"author": who, "text": text}).encode("utf-8")
        status, _, body = http_request(self.scribe.url(), "POST", "/playground/messages", form,
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        R.check(f"{who} posts {text!r} (303)", status == 303, f"{status}: {short(body)}")

    def check_phone_composer(self) -> None:
        """On a phone's screen the composer is small and covers none of the 📌 buttons."""
        b = self.browser
        b.as_phone(True)
        try:
            b.open(self.url("/playground"), "the playground on a phone")
            height, screen = b.driver.execute_script(
                "return [document.getElementById('composer').getBoundingClientRect().height, "
                "window.innerHeight]")
            R.check("on a phone the composer takes at most a sixth of the screen",
                    height <= screen / 6, f"{height:.0f} of {screen} px")
            covered = b.driver.execute_script("""
                var form = document.getElementById('composer').getBoundingClientRect();
                return Array.from(document.querySelectorAll('button.pin')).filter(function (p) {
                  var r = p.getBoundingClientRect();
                  if (r.bottom <= 0 || r.top >= window.innerHeight) return false;
                  var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                  return hit !== p && !p.contains(hit);
                }).map(function (p) { return p.closest('li.message').id; });""")
            R.check("on a phone no 📌 button on screen is under the composer", not covered,
                    short(covered))
            b.screenshot("playground-phone", PHONE, full_page=False, mobile=True)
        finally:
            b.as_phone(False)

    def answer(self, qid: str) -> None:
        """Follows the question's "Answer in thread" link and answers there."""
        b = self.browser
        num = self.questions[qid]
        who, text = ANSWERS[qid]
        if not b.click_and_load(f"#m{num} > .actions a.reply", f"the reply link of {qid}"):
            return
        R.check(f"the reply link of {qid} opens its thread with #replying-to, saying it answers",
                f"thread={num}" in b.path() and b.exists("#replying-to")
                and qid in (b.text("#replying-to") or "")
                and "answers" in (b.text("#replying-to") or ""),
                f"{b.path()}: {b.text('#replying-to')}")
        R.check(f"the thread of {qid} opens at its question",
                (self.place(num) or {}).get("top", -9) >= -2, str(self.place(num)))
        answered = self.say(who, text, f"the answer to {qid}", thread=num)
        m = self.message(answered) if answered else None
        R.check(f"the answer to {qid} is in the question's thread with Scribe's 📝",
                m and m["thread"] == num and RECORDED in m["reactions"], short(m))

    def check_draft_message(self, posted: dict) -> None:
        body = posted["body"]
        R.check("the draft is rendered from Markdown (headings)",
                len(posted["headings"]) >= 3 and {"h1", "h2"} <= set(posted["tags"]),
                short(posted["headings"]))
        missing = [qid for qid, (_, text) in ANSWERS.items() if text not in body]
        R.check("the draft holds every answer", not missing, f"missing: {missing}\n{short(body)}")
        R.check("the title's <script> is text in the draft, not an element",
                "<script>window.pwned=1</script>" in body and "script" not in posted["tags"],
                short(posted["headings"]))
        R.check("the draft names INC-1", "INC-1" in posted["headings"][0] if posted["headings"]
                else False, short(posted["headings"]))

    # ---- the incident list -----------------------------------------------------------------

    def incident_list(self) -> None:
        group("2. the incident list and its filters")
        b = self.browser
        b.open(self.url("/"), "the incident list")
        rows = b.find_all("table#incidents tr.incident")
        inc1 = [r for r in rows if r.get_attribute("data-id") == "INC-1"]
        R.check("table#incidents has a tr.incident for INC-1", len(inc1) == 1,
                b.summary())
        if inc1:
            row = inc1[0]
            R.check("INC-1 is closed in the list", row.get_attribute("data-status") == "closed"
                    and "closed" in row.text, row.text)
            channel = row.find_element(By.CSS_SELECTOR, "td.channel").text
            R.check("the playground's channel is named once in the list, not "
                    "'playground · playground'", channel == "playground", channel)
            title = row.find_element(By.CSS_SELECTOR, "td.title")
            R.check("the title's <script> is text in the list",
                    "<script>window.pwned=1</script>" in title.text
                    and not title.find_elements(By.CSS_SELECTOR, "*"), title.text)
        R.check("window.pwned is undefined on the list",
                b.driver.execute_script("return typeof window.pwned") == "undefined")
        R.check("the list's local times are filled in",
                all(t.text.strip() for t in b.find_all("time.local")),
                short([t.get_attribute("outerHTML") for t in b.find_all("time.local")]))
        b.screenshot("incidents")

        b.click_and_load("a[href='/?status=open']", "the Open filter")
        R.check("the Open filter is /?status=open and hides INC-1",
                b.path() == "/?status=open" and not b.exists("tr.incident[data-id='INC-1']")
                and b.exists("#no-incidents"), b.summary())
        b.click_and_load("a[href='/?status=closed']", "the Closed filter")
        R.check("the Closed filter is /?status=closed and shows INC-1",
                b.path() == "/?status=closed"
                and b.exists("tr.incident[data-id='INC-1'][data-status='closed']"),
                b.summary())
        b.open(self.url("/?status=nonsense"), "the list with a bad filter",
               allowed=("status of 400",))
        R.check("a bad filter is explained on the page", b.exists(".error"), b.summary())

        b.open(self.url("/"), "the incident list again")
        b.screenshot("incidents-phone", PHONE, mobile=True)
        overflow = b.overflows_sideways_on_phone()
        R.check("the list does not scroll sideways on a phone (the table scrolls in its box)",
                overflow == 0, f"{overflow} px too wide")

    # ---- the incident page -----------------------------------------------------------------

    def incident_page(self) -> None:
        group("3. the incident page")
        b = self.browser
        b.open(self.url("/"), "the incident list, to follow its link")
        if not b.exists("tr.incident[data-id='INC-1'] td.id a"):
            R.fail("the list links INC-1")
            return
        b.click_and_load("tr.incident[data-id='INC-1'] td.id a", "the link to INC-1")
        R.check("the link leads to /incidents/INC-1?workspace=local",
                b.path() == f"/incidents/INC-1?workspace={WORKSPACE}", b.path())
        inc = self.db.incident("playground")
        if not R.check("INC-1 is in the database", inc is not None):
            return
        db_entries = self.db.rows("SELECT * FROM timeline_entries WHERE incident_id = ? "
                                  "ORDER BY occurred_at, id", (inc["id"],))
        shown = b.driver.execute_script("""
            return Array.from(document.querySelectorAll('ol#entries > li.entry')).map(li => ({
              text: (li.querySelector('.text') || {}).textContent,
              author: (li.querySelector('.author') || {}).textContent,
              utc: (li.querySelector('time.utc') || {}).textContent,
              local: (li.querySelector('time.local') || {}).textContent,
              at: (li.querySelector('time.utc') || {getAttribute: () => null})
                    .getAttribute('datetime'),
              elements: li.querySelectorAll('.text *').length}));""")
        R.check("the entries are the database's timeline, in its order (occurred_at, id)",
                [e["text"] for e in shown] == [e["text"] for e in db_entries],
                f"page: {short([e['text'] for e in shown])}\n      "
                f"db:   {short([e['text'] for e in db_entries])}")
        R.check("each entry names its author as the database does",
                [e["author"] for e in shown] == [e["author_name"] for e in db_entries],
                short([e["author"] for e in shown]))
        for expected in ("errors at 502 since 10:02", "db pool exhausted <b>bold?</b>",
                         "rolled back the deploy", "@scribe pool is back to normal at 10:41"):
            R.check(f"the timeline holds {expected!r} as text",
                    any(expected in e["text"] and e["elements"] == 0 for e in shown),
                    short([e["text"] for e in shown]))
        R.check("every entry has a time.utc with a datetime", shown and all(
            e["utc"] and e["at"] and RFC3339_Z.match(e["at"]) for e in shown), short(shown))
        R.check("every entry's time.local is filled in by the page's script",
                shown and all((e["local"] or "").strip() for e in shown), short(shown))
        if shown and shown[0]["at"]:
            at = datetime.fromisoformat(shown[0]["at"].replace("Z", "+00:00"))
            local = at.astimezone(timezone(TIME_ZONE_OFFSET))
            clock = f"{local.hour % 12 or 12}:{local.minute:02d}:{local.second:02d}"
            R.check(f"time.local is the viewer's zone ({TIME_ZONE}, en-US)",
                    clock in shown[0]["local"], f"{shown[0]['local']!r} lacks {clock}")

        marks = b.find_all("figure#timeline-axis .mark")
        R.check("the figure has one .mark per entry", len(marks) == len(db_entries),
                f"{len(marks)} marks, {len(db_entries)} entries")
        R.check("the figure marks when INC-1 opened and closed",
                len(b.find_all("figure#timeline-axis .opened")) == 1
                and len(b.find_all("figure#timeline-axis .closed")) == 1,
                short(b.find("figure#timeline-axis").get_attribute("innerHTML")
                      if b.exists("figure#timeline-axis") else "no figure#timeline-axis"))

        title = b.text("h1#incident-title") or ""
        R.check("the title's <script> is text on the incident page",
                "<script>window.pwned=1</script>" in title
                and not b.find_all("h1#incident-title script"), title)
        R.check("window.pwned is undefined on the incident page",
                b.driver.execute_script("return typeof window.pwned") == "undefined")
        R.check("no <b> element came from the timeline",
                not b.find_all("ol#entries b, section#postmortem .draft b"),
                short([e.get_attribute("outerHTML") for e in b.find_all("ol#entries b")]))

        R.check("the playground's channel is named once on the page",
                (b.text("dd.channel") or "").startswith("playground (workspace")
                and "·" not in b.text("dd.channel"), b.text("dd.channel") or "")
        drafts = self.db.drafts(inc["id"])
        draft = b.text("section#postmortem .draft") or ""
        R.check("section#postmortem shows the rendered draft (headings, the answers)",
                b.find_all("section#postmortem .draft h3")
                and all(text in draft for _, text in ANSWERS.values()), short(draft))
        headings = [h.text for h in b.find_all("h1, h2, h3, h4, h5, h6")]
        R.check("the page says 'Postmortem draft' once: the draft's own title is left out",
                sum("Postmortem draft" in h for h in headings) == 1, short(headings))
        R.check("the wording review appears once, as the page's section",
                sum("Wording review" in h for h in headings) == 1
                and b.exists("section#review h2"), short(headings))
        R.check("the page shows the latest draft's version",
                drafts and b.text("#draft-version") == str(drafts[-1]["version"]),
                f"{b.text('#draft-version')} vs {[d['version'] for d in drafts]}")
        findings = [f.text for f in b.find_all("section#review li.finding")]
        R.check("section#review lists a finding for the blameful answer",
                any("should have" in f for f in findings), short(findings))
        link = b.find_all("a#download")
        if R.check("the draft has a#download", link):
            href = urllib.parse.urlsplit(link[0].get_attribute("href"))
            status, headers, body = http_get(self.scribe.url(), href.path + "?" + href.query)
            R.check("a#download gives the latest draft's Markdown, as stored",
                    status == 200 and drafts and body.decode("utf-8") == drafts[-1]["markdown"],
                    f"{status} {headers.get('content-type')}: {short(body)}")
        b.screenshot("incident")
        b.screenshot("incident-phone", PHONE, mobile=True)
        overflow = b.overflows_sideways_on_phone()
        R.check("the incident page does not scroll sideways on a phone",
                overflow == 0, f"{overflow} px too wide")
        b.check_console("the incident page after the screenshots")

    # ---- the Review a text page -------------------------------------------------------------

    def review_page(self) -> None:
        group("8. the Review a text page")
        b = self.browser
        b.open(self.url("/"), "the incident list, to follow its review link")
        if not R.check("the incident list links the review page", b.exists("#review-link a"),
                       b.summary()):
            return
        b.click_and_load("#review-link a", "the link to the review page")
        R.check("the link leads to /review with its form", b.path() == "/review"
                and b.exists("form#review-form textarea#review-text"), b.summary())
        b.type_into("textarea#review-text", REVIEW_TEXT)
        b.type_into("input#review-people", "Dana")
        b.click_and_load("form#review-form button[type=submit]", "sending the review form")
        R.check("the form posts to /review and the page shows the result",
                b.path() == "/review" and b.exists("section#review-result"), b.summary())
        R.check("the summary counts blame and advice", "blame" in (b.text("#review-summary") or "")
                and "advice" in (b.text("#review-summary") or ""), b.text("#review-summary"))
        marks = [m.text for m in b.find_all("#review-marked mark.finding-blame")]
        R.check("both people's words are marked inline as blame",
                any(m.startswith("dylanone@") for m in marks)
                and any(m.startswith("annatwo@") for m in marks), marks)
        R.check("the drama is marked as advice",
                any("disaster" in m.text for m in b.find_all("#review-marked mark.finding-advice")))
        rewrites = [r.text for r in b.find_all("#review-marked ins.rewrite-inline")]
        R.check("each flagged sentence is followed by its rewrite, naming neither person",
                len(rewrites) == 3 and any("Alerting was not set up" in r for r in rewrites)
                and not any("dylanone" in r or "annatwo" in r for r in rewrites), rewrites)
        R.check("the blameless line is not marked",
                "Dana paged the team" in (b.text("#review-marked") or "")
                and not any("Dana" in m for m in marks), marks)
        R.check("the list below has one li.finding per mark", len(b.find_all(
            "ol#review-findings li.finding")) == len(b.find_all("#review-marked mark")))
        R.check("the text stays in the form to edit", "dylanone@" in
                (b.find("textarea#review-text").get_attribute("value") or ""))
        b.screenshot("review")
        b.screenshot("review-phone", PHONE, mobile=True)
        overflow = b.overflows_sideways_on_phone()
        R.check("the review page does not scroll sideways on a phone", overflow == 0,
                f"{overflow} px too wide")
        b.check_console("the review page after the screenshots")

    # ---- the JSON API ----------------------------------------------------------------------

    def json_api(self) -> None:
        group("5. the JSON API")
        inc = self.db.incident("playground")
        status, headers, body = http_get(self.scribe.url(), "/api/incidents")
        listed = json.loads(body) if status == 200 else {}
        R.check("GET /api/incidents answers JSON",
                status == 200 and headers.get("content-type", "").startswith("application/json"),
                f"{status} {headers.get('content-type')}: {short(body)}")
        items = listed.get("incidents", [])
        R.check("/api/incidents lists INC-1", [i.get("id") for i in items] == ["INC-1"],
                short(listed))
        if items:
            self.check_incident_fields("/api/incidents", items[0], inc)

        status, headers, body = http_get(self.scribe.url(),
                                         f"/api/incidents/INC-1?workspace={WORKSPACE}")
        if not R.check("GET /api/incidents/INC-1?workspace=local answers 200", status == 200,
                       f"{status}: {short(body)}"):
            return
        one = json.loads(body)
        self.check_incident_fields("/api/incidents/INC-1", one, inc)
        entries = self.db.rows("SELECT * FROM timeline_entries WHERE incident_id = ? "
                               "ORDER BY occurred_at, id", (inc["id"],))
        timeline = one.get("timeline")
        R.check("timeline is the database's, in its order",
                isinstance(timeline, list) and [e.get("text") for e in timeline]
                == [e["text"] for e in entries], short(timeline))
        for e in timeline or []:
            if not R.check("a timeline entry has at, recorded_at, author, text, source, link",
                           {"at", "recorded_at", "author", "text", "source", "link"} <= set(e)
                           and RFC3339_Z.match(e["at"]) and RFC3339_Z.match(e["recorded_at"])
                           and isinstance(e["author"], dict) and e["author"].get("name"),
                           short(e)):
                break
        pm = one.get("postmortem") or {}
        drafts = self.db.drafts(inc["id"])
        R.check("postmortem.version and .markdown are the latest draft's",
                drafts and pm.get("version") == drafts[-1]["version"]
                and pm.get("markdown") == drafts[-1]["markdown"], short(pm))
        questions = pm.get("questions") or []
        R.check("postmortem.questions are the eight, in order",
                [q.get("id") for q in questions] == DEFAULT_QUESTION_IDS,
                short([q.get("id") for q in questions]))
        for q in questions:
            who, text = ANSWERS.get(q.get("id"), ("", ""))
            answers = q.get("answers") or []
            R.check(f"postmortem question {q.get('id')} has text and the answer given",
                    q.get("text") and any(
                        a.get("text") == text and RFC3339_Z.match(a.get("at", ""))
                        and (a.get("author") or {}).get("name") == who for a in answers),
                    short(q))
        actions = pm.get("actions") or []
        R.check("postmortem.actions has the action with owner @alice and due 2026-12-15",
                any("alert on pool saturation" in a.get("text", "") and "alice" in
                    (a.get("owner") or "") and a.get("due") == "2026-12-15" for a in actions),
                short(actions))
        review = pm.get("review") or []
        R.check("postmortem.review quotes the blameful sentence with a rule and a suggestion",
                any("should have" in r.get("quote", "") and r.get("rule") and r.get("suggestion")
                    for r in review), short(review))

    def check_incident_fields(self, where: str, item: dict, inc: dict) -> None:
        keys = {"id", "title", "severity", "status", "platform", "channel", "opened_at",
                "closed_at", "opened_by", "closed_by"}
        R.check(f"{where}: the documented fields", keys <= set(item),
                f"missing {sorted(keys - set(item))}")
        R.check(f"{where}: INC-1's values", item.get("id") == "INC-1"
                and item.get("title") == TITLE and item.get("status") == "closed"
                and item.get("platform") == "playground" and item.get("channel") == "playground"
                and (item.get("opened_by") or {}).get("name") == "alice"
                and (item.get("closed_by") or {}).get("name") == "alice", short(item))
        R.check(f"{where}: times are RFC 3339 in UTC (Z)",
                all(isinstance(item.get(k), str) and RFC3339_Z.match(item[k])
                    for k in ("opened_at", "closed_at")),
                f"{item.get('opened_at')!r} {item.get('closed_at')!r}")
        if inc and isinstance(item.get("opened_at"), str) and RFC3339_Z.match(item["opened_at"]):
            at = datetime.fromisoformat(item["opened_at"].replace("Z", "+00:00"))
            micros = int(at.timestamp() * 1_000_000)
            R.check(f"{where}: opened_at is the database's (to the second)",
                    abs(micros - inc["opened_at"]) < 1_000_000,
                    f"{item['opened_at']} vs {inc['opened_at']}")

    # ---- with a token ----------------------------------------------------------------------

    def signed_in(self) -> None:
        group("7. with SCRIBE_WEB_TOKEN: signing in")
        b = self.browser
        rc, _ = self.scribe.terminate()
        R.check("scribe stops on SIGTERM", rc == 0, f"exit code {rc}")
        self.scribe.env = self.env(self.token)
        ok, why = self.scribe.start()
        if not R.check("scribe serve starts again with a web token", ok, why):
            return
        pages = {"/": "the list", f"/incidents/INC-1?workspace={WORKSPACE}": "the incident page",
                 "/playground": "the playground"}
        for path, what in pages.items():
            b.open(self.url(path), f"{what} without signing in")
            R.check(f"{what} sends the browser to /signin with the way back",
                    b.path().startswith("/signin?next=")
                    and urllib.parse.parse_qs(urllib.parse.urlsplit(b.path()).query).get(
                        "next") == [path], b.path())
            R.check(f"{what}: the sign-in form (form#signin, input[name=token])",
                    b.exists("form#signin input[name=token]"), b.summary())
            R.check(f"{what}: no incident data before signing in",
                    "Checkout" not in b.driver.page_source, b.summary())
        b.screenshot("signin", full_page=False)
        b.screenshot("signin-phone", PHONE, full_page=False, mobile=True)

        # Signing in from the incident page's redirect: a wrong token first.
        b.open(self.url(f"/incidents/INC-1?workspace={WORKSPACE}"), "the incident page, to sign in")
        b.type_into("form#signin input[name=token]", "0" * 32)
        b.click_and_load("form#signin button, form#signin input[type=submit]", "a wrong token",
                         allowed=("status of 401",))
        R.check("a wrong token shows an error on the sign-in page",
                b.exists("form#signin") and b.exists(".error"), b.summary())
        R.check("a wrong token sets no session cookie",
                not any(c["name"] == "scribe_session" for c in b.driver.get_cookies()),
                short(b.driver.get_cookies()))
        b.open(self.url("/"), "the list after a wrong token")
        R.check("after a wrong token the list still wants a sign-in",
                b.path().startswith("/signin"), b.path())

        b.open(self.url(f"/incidents/INC-1?workspace={WORKSPACE}"), "the incident page, to sign in")
        b.type_into("form#signin input[name=token]", self.token)
        b.click_and_load("form#signin button, form#signin input[type=submit]", "the right token")
        R.check("the right token leads back to the incident page",
                b.path() == f"/incidents/INC-1?workspace={WORKSPACE}"
                and b.exists("ol#entries"), b.path())
        cookies = {c["name"]: c for c in b.driver.get_cookies()}
        session = cookies.get("scribe_session")
        R.check("signing in sets scribe_session, HttpOnly and Secure (Chromium keeps Secure "
                "cookies from http://127.0.0.1)",
                session and session.get("httpOnly") is True and session.get("secure") is True,
                short(list(cookies.values())))
        R.check("the session cookie is not the token itself",
                session and self.token not in session.get("value", ""), short(session))
        R.check("scripts cannot read the session cookie",
                "scribe_session" not in b.driver.execute_script("return document.cookie"))
        b.open(self.url("/"), "the list, signed in")
        R.check("signed in, the list shows INC-1", b.exists("tr.incident[data-id='INC-1']"),
                b.summary())
        R.check("signed in, the pages offer to sign out", b.exists("form#signout"))

        b.open(self.url("/playground"), "the playground, signed in")
        R.check("signed in, the playground shows the channel",
                len(self.messages()) > 10, f"{len(self.messages())} messages")
        self.say("alice", "signed in and still writing", "a message while signed in")

        status, headers, _ = http_get(self.scribe.url(), "/api/incidents")
        R.check("/api/incidents without the token: 401 with WWW-Authenticate",
                status == 401 and "www-authenticate" in headers, f"{status} {headers}")
        status, _, _ = http_get(self.scribe.url(), "/api/incidents",
                                {"Authorization": "Bearer " + "0" * 32})
        R.check("/api/incidents with a wrong Bearer token: 401", status == 401, str(status))
        status, _, body = http_get(self.scribe.url(), "/api/incidents",
                                   {"Authorization": "Bearer " + self.token})
        R.check("/api/incidents with the Bearer token: 200 and INC-1",
                status == 200 and b"INC-1" in body, f"{status}: {short(body)}")
        b.check_console("the playground, signed in, at the end")

        b.open(self.url("/"), "the list, to sign out")
        b.click_and_load("form#signout button", "signing out")
        R.check("signing out leads to /signin and forgets the session",
                b.path().startswith("/signin")
                and not any(c["name"] == "scribe_session" for c in b.driver.get_cookies()),
                f"{b.path()} {short(b.driver.get_cookies())}")
        b.open(self.url("/"), "the list after signing out")
        R.check("after signing out the list wants a sign-in again",
                b.path().startswith("/signin"), b.path())


    # ---- the README's screenshots -------------------------------------------------------------

    def readme_screenshots(self) -> None:
        """An incident as a reader would run one (the checks above use hostile text), for
        docs/images/: the playground after the close, and the incident's page."""
        group("8. the README's screenshots")
        b = self.browser
        rc, _ = self.scribe.terminate()
        R.check("scribe stops on SIGTERM", rc == 0, f"exit code {rc}")
        self.scribe.env = self.env()
        ok, why = self.scribe.start()
        if not R.check("scribe serve starts again without a web token", ok, why):
            return
        b.open(self.url("/playground"), "the playground, for the README")
        opened = self.say("alice", "/incident open Checkout returns 502 in eu-west", "INC-2 open")
        errors = self.say("alice", "error rate at 40% on /pay since 10:02", "INC-2's first sign")
        self.say("bob", "/incident sev 2", "INC-2 sev")
        pool = self.say("bob", "db pool exhausted on eu-west-2 (100/100)", "INC-2's cause")
        self.flag(errors, "bob", "INC-2's first sign")
        self.flag(pool, "bob", "INC-2's cause")
        self.say("alice", "/incident note rolled back deploy 4812", "INC-2 note")
        self.say("alice", "@scribe 502s gone since 10:41", "INC-2 mention")
        self.say("alice", "/incident close rolled back deploy 4812", "INC-2 close")
        asked = b.until(lambda: sum(1 for m in self.messages()
                                    if m["bot"] and QUESTION.match(m["body"] or "")
                                    and opened is not None and m["num"] > opened) >= 8)
        R.check("INC-2's questions are asked", asked, short(self.messages()[-3:]))
        b.open(self.url("/playground"), "the playground with INC-2's questions")
        b.screenshot("docs/playground", full_page=False)
        self.say("bob", "/incident draft", "INC-2 draft")
        R.check("INC-2's draft is posted", b.until(lambda: any(
            m["bot"] and m["headings"] and "INC-2" in m["headings"][0] for m in self.messages())),
            short(self.messages()[-2:]))
        b.open(self.url(f"/incidents/INC-2?workspace={WORKSPACE}"), "INC-2's page")
        R.check("INC-2's page shows its draft", b.exists("section#postmortem .draft"), b.summary())
        b.screenshot("docs/incident", full_page=False)


# ---------------------------------------------------------------------------------------------
# --selftest: the browser set-up alone, against a few pages served here
# ---------------------------------------------------------------------------------------------

SELFTEST_CSP = "default-src 'none'; script-src 'self'; style-src 'self'"
SELFTEST_PAGES = {
    "/clean": ("text/html", "<!DOCTYPE html><html><head><title>clean</title>"
                            "<script defer src='/app.js'></script></head><body><p id='out'></p>"
                            "<time class='local' datetime='2026-01-02T03:04:05Z'></time>"
                            "<p>\U0001F4DD \U0001F4CC</p></body></html>"),
    "/inline": ("text/html", "<!DOCTYPE html><html><head><title>inline</title></head><body>"
                             "<script>window.inline = 1;</script><p>inline</p></body></html>"),
    "/app.js": ("text/javascript",
                "document.getElementById('out').textContent = 'ran';"
                "var t = document.querySelector('time.local');"
                "t.textContent = new Date(t.getAttribute('datetime')).toLocaleString();"),
}


class SelftestHandler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/login":
            self.send_response(303)
            self.send_header("Set-Cookie", "probe=1; Path=/; HttpOnly; Secure; SameSite=Strict")
            self.send_header("Location", "/clean")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        page = SELFTEST_PAGES.get(self.path)
        if page is None:
            self.send_error(404)
            return
        body = page[1].encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", page[0] + "; charset=utf-8")
        self.send_header("Content-Security-Policy", SELFTEST_CSP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def selftest() -> int:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SelftestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    artefacts = artefacts_dir(os.path.join(tempfile.gettempdir(), "scribe-browser-selftest"))
    browser = None
    try:
        started = time.monotonic()
        browser = Browser(artefacts)
        R.check("Chromium starts through chromedriver within 15 s",
                time.monotonic() - started < 15, f"{time.monotonic() - started:.1f} s")
        d = browser.driver
        browser.open(base + "/clean", "a page with an external script")
        R.check("an external script runs under the CSP",
                browser.until(lambda: d.find_element(By.ID, "out").text == "ran"))
        local = d.find_element(By.CSS_SELECTOR, "time.local").text
        R.check(f"the time zone is {TIME_ZONE} and the locale en-US",
                local == "1/2/2026, 8:34:05 AM", repr(local))
        d.get(base + "/inline")
        browser.wait_loaded()
        entries = browser.drain_console()
        R.check("an inline script is blocked by the CSP",
                d.execute_script("return typeof window.inline") == "undefined")
        R.check("the CSP violation is a SEVERE console message (what the pages' checks catch)",
                any(e["level"] == "SEVERE" and "Content Security Policy" in e["message"]
                    for e in entries), short(entries))
        d.get(base + "/missing")
        browser.wait_loaded()
        R.check("a 404 page is a SEVERE console message",
                any(e["level"] == "SEVERE" and "404" in e["message"]
                    for e in browser.drain_console()))
        browser.open(base + "/login", "a redirect that sets a Secure HttpOnly cookie")
        probe = next((c for c in d.get_cookies() if c["name"] == "probe"), None)
        R.check("Chromium keeps a Secure HttpOnly cookie from http://127.0.0.1",
                probe and probe.get("secure") is True and probe.get("httpOnly") is True,
                short(d.get_cookies()))
        shot = browser.screenshot("selftest-phone", PHONE, full_page=False, mobile=True)
        with open(shot, "rb") as f:
            header = f.read(24)
            R.check("a phone-sized screenshot is a PNG of 780x1688 pixels (390x844 at 2x)",
                    header[:8] == b"\x89PNG\r\n\x1a\n" and header[16:24]
                    == (780).to_bytes(4, "big") + (1688).to_bytes(4, "big"), short(header))
        R.check("the phone emulation is cleared after the screenshot",
                d.execute_script("return window.innerWidth") >= WIDE[0] - 40,
                str(d.execute_script("return window.innerWidth")))
    except Exception:  # noqa: BLE001
        R.fail("the selftest ran to its end", exception_text())
    finally:
        if browser is not None:
            browser.stop()
        server.shutdown()
    print(f"{R.passed} passed, {R.failed} failed")
    return 0 if R.failed == 0 else 1


def main(argv: list[str]) -> int:
    problem = selenium_problem()
    if problem:
        print(f"FAIL: {problem}", file=sys.stderr)
        return 1
    if argv[1:] == ["--selftest"]:
        return selftest()
    return run_scenario(argv, R, Scenario)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
