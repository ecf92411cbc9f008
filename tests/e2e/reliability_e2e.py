#!/usr/bin/env python3
"""End to end: nothing Scribe acknowledged is lost, through crashes, a full disk and a shutdown.

Usage: reliability_e2e.py <path to scribe>      (ctest: e2e.reliability)

Follows /work/shared/PROTOCOLS.md sections 1-5 through tests/support/slack_driver.py (signed
requests exactly as Slack sends them) and tests/support/fake_slack.py (Slack's Web API over real
TLS, which records every call and keeps reactions as Slack does). The real binary runs on a fixed
loopback port, so that load generators keep their address across restarts.

1. Crash loop: several threads send signed `/incident note` commands and reaction_added events
   (each flagging a new message, with a unique event_id) as fast as Scribe takes them, while the
   test kills Scribe with SIGKILL at random moments and restarts it, several times. Some
   acknowledged events are sent again as Slack's retries (X-Slack-Retry-Num), before and after a
   crash. Afterwards every acknowledged note is in the timeline exactly once, every acknowledged
   flag is an entry exactly once, and Slack saw exactly one successful reactions.add (the :memo:
   confirmation) per flagged message, with the fake holding that reaction once.
2. Full disk: the file size limit of the running process is lowered below what the next write
   needs (prlimit, RLIMIT_FSIZE: the kernel then fails the write with EFBIG as on a full disk).
   Requests get 503 with Retry-After and a reason, /healthz says 503, the process stays up; when
   the limit is lifted, the same requests succeed, and nothing refused was half stored.
   On PostgreSQL (SCRIBE_TEST_POSTGRES_DIR set) Scribe writes no file, so the same checks run
   with the database unreachable instead: the run's database refuses connections and Scribe's
   are ended (the server, shared with other tests, stays up), then it is reachable again.
3. A failing Web API: reactions.add answers garbage, 429 with Retry-After, 500, then hangs past
   slack.api_timeout, then works: the event is acknowledged at once, notes keep being acknowledged
   within Slack's 3 s, and the confirmation is made exactly once when the API recovers.
4. Shutdown: SIGTERM under load. Scribe exits 0 within server.shutdown_timeout plus a second;
   requests in flight finish (2xx) or are refused before they are read (a closed connection),
   never a 5xx; everything acknowledged is stored.

The postmortem's posting through failures is covered by tests/e2e/postmortem_e2e.py; Matrix's
transactions redelivered across a restart by tests/e2e/matrix_e2e.py.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import (Results, Scribe, finish_run, free_port, group, http_get, poll,  # noqa: E402
                        run_scenario, skip, test_store)
from slack_driver import SlackDriver  # noqa: E402

BOT_TOKEN = "xoxb-reliability"
BOT_USER_ID = "BSCRIBE"
TEAM_ID = "T_REL"
CHANNEL, CHANNEL_NAME = "C_REL", "inc-reliability"
AUTHOR, AUTHOR_NAME = "U_AUTHOR", "dana"
FLAGGER = "U_FLAGGER"
CRASHES = 4
SHUTDOWN_TIMEOUT = 3.0
LEASE = "4s"        # a job cut by SIGKILL runs again this soon after the restart

R = Results()


def new_ts(counter=iter(range(1, 10**9))) -> str:
    micros = int(time.time() * 1_000_000) + next(counter)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class Load:
    """Threads sending signed requests until stopped; each request and its answer recorded."""

    def __init__(self, scenario: "Scenario", note_threads: int, flag_threads: int, tag: str):
        self.s = scenario
        self.tag = tag
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.notes: dict[str, int | None] = {}      # note text -> HTTP status, None: no answer
        self.flags: dict[str, int | None] = {}      # message ts -> status of its event
        self.acked_events: list = []                 # (Prepared, ts) of acknowledged events
        self.statuses: list[int | None] = []
        self.seconds: list[float] = []              # how long each answered request took
        self.threads = [threading.Thread(target=self.notes_loop, args=(i,), daemon=True)
                        for i in range(note_threads)]
        self.threads += [threading.Thread(target=self.flags_loop, args=(i,), daemon=True)
                         for i in range(flag_threads)]

    def start(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(30)

    def send(self, driver: SlackDriver, prepared) -> int | None:
        try:
            reply = driver.send(prepared)
            with self.lock:
                self.seconds.append(reply.seconds)
            return reply.status
        except OSError:
            time.sleep(0.02)      # Scribe is down: connection refused or reset
            return None

    def notes_loop(self, index: int) -> None:
        driver = self.s.driver()
        n = 0
        while not self.stop_event.is_set():
            n += 1
            text = f"{self.tag}-note-{index}-{n}"
            status = self.send(driver, driver.slash_command(f"note {text}", CHANNEL, CHANNEL_NAME,
                                                            AUTHOR, AUTHOR_NAME))
            with self.lock:
                self.notes[text] = status
                self.statuses.append(status)

    def flags_loop(self, index: int) -> None:
        driver = self.s.driver()
        n = 0
        while not self.stop_event.is_set():
            n += 1
            ts = new_ts()
            self.s.fake.add_message(CHANNEL, ts, AUTHOR, f"{self.tag} message {index} {ts}")
            # Unique across threads: Slack's event ids are, and Scribe keeps one event per id.
            prepared = driver.event_callback(
                driver.reaction_added(FLAGGER, "pushpin", CHANNEL, ts, item_user=AUTHOR),
                event_id=f"Ev{self.tag.upper()}{index}X{n:07d}")
            status = self.send(driver, prepared)
            with self.lock:
                self.flags[ts] = status
                self.statuses.append(status)
                if status == 200:
                    self.acked_events.append((prepared, ts))

    def count(self, status: int | None) -> int:
        with self.lock:
            return sum(1 for s in self.statuses if s == status)


class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-reliability-")
        self.secret = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, bot_user_id=BOT_USER_ID, team_id=TEAM_ID)
        self.port = free_port()
        self.scribe: Scribe | None = None
        self.db = test_store(self.work, os.path.join("data", "scribe.db"))
        self.loads: list[Load] = []

    def driver(self) -> SlackDriver:
        return SlackDriver(f"http://127.0.0.1:{self.port}", self.secret,
                           response_url_for=self.fake.response_url, team_id=TEAM_ID,
                           bot_user_id=BOT_USER_ID, timeout=10.0)

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": f"127.0.0.1:{self.port}",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SERVER_SHUTDOWN_TIMEOUT": f"{int(SHUTDOWN_TIMEOUT)}s",
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_SLACK_API_TIMEOUT": "2s",
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_JOBS_LEASE": LEASE,
        })
        return env

    def start_scribe(self, why: str) -> bool:
        ok, reason = self.scribe.start()
        return R.check(f"Scribe starts ({why})", ok, reason)

    # ---- 1. crash loop ---------------------------------------------------------------------

    def crash_loop(self) -> None:
        group(f"crash loop: SIGKILL {CRASHES} times under load, restart each time")
        load = Load(self, note_threads=6, flag_threads=2, tag="crash").start()
        self.loads.append(load)
        rng = random.Random(7)
        driver = self.driver()
        retried_before = retried_after = 0
        for crash in range(CRASHES):
            time.sleep(rng.uniform(1.0, 2.5))
            with load.lock:
                earlier = list(load.acked_events)
            # Slack's retry of an acknowledged event, before the crash.
            if earlier:
                prepared, _ = rng.choice(earlier)
                retry = driver.event_callback(prepared_event(prepared), event_id=prepared.event_id,
                                              retry_num=1)
                retried_before += load.send(driver, retry) == 200
            self.scribe.kill()
            time.sleep(rng.uniform(0.1, 0.5))
            if not self.start_scribe(f"after SIGKILL {crash + 1}"):
                break
            if earlier:
                prepared, _ = rng.choice(earlier)
                retry = driver.event_callback(prepared_event(prepared), event_id=prepared.event_id,
                                              retry_num=2, retry_reason="http_error")
                retried_after += load.send(driver, retry) == 200
        time.sleep(1.0)
        load.stop()
        acked = load.count(200)
        seconds = max(1.0, CRASHES * 1.75 + 1.0)
        print(f"    {acked} requests acknowledged (~{acked / seconds:.0f}/s), "
              f"{load.count(None)} unanswered while Scribe was down, "
              f"{retried_before} + {retried_after} retries acknowledged", flush=True)
        R.check("the load was real: hundreds of acknowledged requests", acked >= 300, acked)
        R.check("no request got an error status (only 200 or no answer while down)",
                all(s in (200, None) for s in load.statuses),
                sorted({s for s in load.statuses if s not in (200, None)}))
        self.check_exactly_once(load)

    def check_exactly_once(self, load: Load) -> None:
        def drained():
            rows = self.db.rows("SELECT COUNT(*) AS n FROM jobs WHERE queue LIKE 'slack.%' AND "
                                "state = 'pending'")
            return rows[0]["n"] == 0
        R.check("every inbox and outbox job is done after the last restart (leases taken over)",
                poll(drained, timeout=60, interval=0.25))
        failed = self.db.rows("SELECT queue, key, last_error FROM jobs WHERE state = 'failed'")
        R.check("no job was given up", not failed, failed[:3])

        entries = self.db.all_entries()
        texts: dict[str, int] = {}
        refs: dict[str, int] = {}
        for e in entries:
            texts[e["text"]] = texts.get(e["text"], 0) + 1
            if e["message_ref"]:
                refs[e["message_ref"]] = refs.get(e["message_ref"], 0) + 1
        acked_notes = [t for t, s in load.notes.items() if s == 200]
        missing = [t for t in acked_notes if texts.get(t, 0) != 1]
        R.check(f"each of the {len(acked_notes)} acknowledged notes is in the timeline exactly once",
                not missing, missing[:5])
        R.check("no note is in the timeline twice, acknowledged or not",
                all(texts.get(t, 0) <= 1 for t in load.notes))
        acked_flags = [ts for ts, s in load.flags.items() if s == 200]
        missing = [ts for ts in acked_flags if refs.get(f"{CHANNEL}/{ts}", 0) != 1]
        R.check(f"each of the {len(acked_flags)} acknowledged flags is an entry exactly once",
                not missing, missing[:5])
        ok_adds: dict[str, int] = {}
        for call in self.fake.calls("reactions.add"):
            if call.get("outcome") == "ok":
                ts = (call.get("params") or {}).get("timestamp", "")
                ok_adds[ts] = ok_adds.get(ts, 0) + 1
        wrong = [ts for ts in acked_flags if ok_adds.get(ts, 0) != 1]
        R.check("Slack saw exactly one successful reactions.add per acknowledged flag",
                not wrong, [(ts, ok_adds.get(ts, 0)) for ts in wrong[:5]])
        wrong = [ts for ts in acked_flags
                 if self.fake.reactions_on(CHANNEL, ts).get("memo", []) != [BOT_USER_ID]]
        R.check("each flagged message carries Scribe's :memo: once", not wrong, wrong[:5])

    # ---- 2. a full disk, or an unreachable database ---------------------------------------

    def full_disk(self) -> None:
        group("full disk: writes fail with EFBIG (RLIMIT_FSIZE lowered on the running process)")
        pid = self.scribe.proc.pid
        driver = self.driver()
        wal = os.path.join(self.work, "data", "scribe.db-wal")
        before = len(self.db.all_entries())
        limit = os.path.getsize(wal)
        subprocess.run(["prlimit", f"--pid={pid}", f"--fsize={limit}:unlimited"], check=True)
        self.refused_while_broken(driver, "disk-full", "the disk is full")
        R.check("nothing refused was stored", len(self.db.all_entries()) == before)

        subprocess.run(["prlimit", f"--pid={pid}", "--fsize=unlimited"], check=True)
        status, _, body = http_get(self.scribe.url(), "/healthz")
        R.check("/healthz answers 200 once the disk has room again", status == 200, (status, body))
        self.taken_again(driver, "disk-full", "the disk has room again")

    def database_unreachable(self) -> None:
        group("unreachable database: the run's PostgreSQL database refuses connections, Scribe's "
              "are ended")
        driver = self.driver()
        # Concurrent notes first, so that Scribe holds several connections when they are ended.
        warm = self.concurrent_notes("before-unreachable", rounds=2)
        R.check("concurrent notes before are all taken", all(st == 200 for st in warm.values()),
                sorted((t, st) for t, st in warm.items() if st != 200))
        before = len(self.db.all_entries())
        ended = self.db.refuse_connections(True)
        print(f"    {ended} of Scribe's connections ended", flush=True)
        try:
            self.refused_while_broken(driver, "unreachable", "the database is unreachable")
        finally:
            self.db.refuse_connections(False)
        R.check("/healthz answers 200 once the database is reachable again",
                poll(lambda: http_get(self.scribe.url(), "/healthz")[0] == 200, timeout=15,
                     interval=0.25))
        R.check("nothing refused was stored", len(self.db.all_entries()) == before)
        self.taken_again(driver, "unreachable", "the database is reachable again")
        # Every connection Scribe held was ended by the server: none may be used again as if it
        # were alive, whichever request gets it. Concurrent bursts reach each pooled connection.
        statuses = self.concurrent_notes("after-unreachable", rounds=3)
        R.check("concurrent notes right after are all taken (no ended connection is used again)",
                all(st == 200 for st in statuses.values()),
                sorted((t, st) for t, st in statuses.items() if st != 200))
        texts = [e["text"] for e in self.db.all_entries()]
        R.check("each of those notes is stored once",
                all(texts.count(t) == 1 for t, st in statuses.items() if st == 200))

    def refused_while_broken(self, driver, prefix: str, state: str) -> None:
        """Five notes sent while the store cannot write (`state`, for the checks' names): each gets
        503 with a reason and Retry-After, /healthz says 503, and Scribe keeps running."""
        refused = [driver.send(driver.slash_command(f"note {prefix}-{i}", CHANNEL, CHANNEL_NAME,
                                                    AUTHOR, AUTHOR_NAME)) for i in range(5)]
        R.check(f"notes get 503 while {state}",
                all(r.status == 503 for r in refused), [r.status for r in refused])
        R.check("the 503 says what is wrong and when to come back",
                all("storage unavailable" in r.text and r.header("Retry-After") for r in refused),
                refused[0])
        status, _, body = http_get(self.scribe.url(), "/healthz")
        R.check(f"/healthz answers 503 while {state}", status == 503, (status, body))
        R.check("Scribe is still running", self.scribe.running())

    def taken_again(self, driver, prefix: str, state: str) -> None:
        """Once the store writes again (`state`), the first refused note sent again is taken and
        stored once, and the other refused ones are not stored."""
        again = driver.send(driver.slash_command(f"note {prefix}-0", CHANNEL, CHANNEL_NAME,
                                                 AUTHOR, AUTHOR_NAME))
        R.check(f"the same note is taken once {state}", again.status == 200, again)
        texts = [e["text"] for e in self.db.all_entries()]
        R.check("it is stored once; the refused others are not",
                texts.count(f"{prefix}-0") == 1 and f"{prefix}-1" not in texts)

    def concurrent_notes(self, prefix: str, rounds: int) -> dict[str, int | None]:
        """`rounds` times, 8 notes sent at once; note text -> HTTP status (None: no answer)."""
        statuses: dict[str, int | None] = {}

        def note(text: str) -> None:
            d = self.driver()
            try:
                statuses[text] = d.send(d.slash_command(f"note {text}", CHANNEL, CHANNEL_NAME,
                                                        AUTHOR, AUTHOR_NAME)).status
            except OSError as e:
                statuses[text] = None
                print(f"    {text}: {e}", flush=True)
        for burst in range(rounds):
            threads = [threading.Thread(target=note, args=(f"{prefix}-{burst}-{i}",))
                       for i in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        return statuses

    # ---- 3. a failing Web API -------------------------------------------------------------

    def failing_api(self) -> None:
        group("a failing Web API: garbage, 429, 500, a hang, then success, while acks stay fast")
        self.fake.script("reactions.add", [{"kind": "garbage"}, {"kind": "429", "retry_after": 1},
                                           {"kind": "500"}, {"kind": "hang", "seconds": 30}])
        load = Load(self, note_threads=2, flag_threads=0, tag="failing").start()
        self.loads.append(load)
        driver = self.driver()
        ts = new_ts()
        self.fake.add_message(CHANNEL, ts, AUTHOR, "flagged while the API fails")
        started = time.monotonic()
        reply = driver.send(driver.event_callback(
            driver.reaction_added(FLAGGER, "pushpin", CHANNEL, ts, item_user=AUTHOR),
            event_id="EvFAILINGAPI0001"))
        R.check("the event is acknowledged at once", reply.status == 200 and
                time.monotonic() - started < 1.0, (reply.status, time.monotonic() - started))

        def outcomes():
            return [c["outcome"] for c in self.fake.calls("reactions.add")
                    if (c.get("params") or {}).get("timestamp") == ts]
        R.check("the confirmation arrives once the API recovers",
                poll(lambda: "ok" in outcomes(), timeout=40), outcomes())
        load.stop()
        R.check("after garbage, 429, 500 and a hang, exactly one successful call",
                outcomes() == ["garbage", "429", "500", "hang", "ok"], outcomes())
        with load.lock:
            slowest = max(load.seconds, default=0.0)
        R.check("notes kept being acknowledged meanwhile, all of them",
                load.count(200) > 0 and all(st == 200 for st in load.statuses),
                sorted({st for st in load.statuses if st != 200}))
        R.check("no ack took longer than Slack's 3 s meanwhile", slowest < 3.0, f"{slowest:.2f} s")

    # ---- 4. shutdown under load ------------------------------------------------------------

    def shutdown(self) -> None:
        group("shutdown: SIGTERM under load")
        load = Load(self, note_threads=6, flag_threads=0, tag="term").start()
        self.loads.append(load)
        time.sleep(1.5)
        started = time.monotonic()
        self.scribe.proc.send_signal(signal.SIGTERM)
        try:
            code = self.scribe.proc.wait(SHUTDOWN_TIMEOUT + 5)
        except subprocess.TimeoutExpired:
            code = None
        took = time.monotonic() - started
        time.sleep(0.3)
        load.stop()
        R.check(f"Scribe exits 0 within server.shutdown_timeout + 1 s ({took:.2f} s)",
                code == 0 and took <= SHUTDOWN_TIMEOUT + 1.0, (code, took))
        R.check("no request in flight got a 5xx",
                all(s in (200, None) for s in load.statuses),
                sorted({s for s in load.statuses if s not in (200, None)}))
        texts = {e["text"] for e in self.db.all_entries()}
        acked = [t for t, s in load.notes.items() if s == 200]
        R.check(f"every one of the {len(acked)} acknowledged notes is stored",
                acked and all(t in texts for t in acked))
        R.check("the stop was logged as a drain", "http server drained" in self.scribe.log()
                or "shutting down" in self.scribe.log())

    def run(self) -> None:
        try:
            self.fake.start()
            self.fake.add_user(AUTHOR, AUTHOR_NAME)
            self.fake.add_user(FLAGGER, "flagger")
            self.scribe = Scribe(self.binary, self.work, self.env())
            if not self.start_scribe("first start"):
                return
            driver = self.driver()
            opened = driver.send(driver.slash_command("open Reliability drill", CHANNEL,
                                                      CHANNEL_NAME, AUTHOR, AUTHOR_NAME))
            if not R.check("an incident is opened", opened.status == 200, opened):
                return
            # The full disk first: RLIMIT_FSIZE fails only writes that grow a file, and SQLite's
            # write-ahead log grows until its first checkpoint, after which it is rewritten in place.
            if self.db.is_sqlite:
                self.full_disk()
            else:
                skip("full disk (RLIMIT_FSIZE on Scribe's process)",
                     "on PostgreSQL the server writes the files, not Scribe")
                self.database_unreachable()
            self.crash_loop()
            self.failing_api()
            self.shutdown()
        except Exception:
            R.fail("the scenario ran to its end", traceback.format_exc())
        finally:
            for load in self.loads:
                load.stop_event.set()
            finish_run(R, self.scribe, self.fake, self.work, "RELIABILITY_E2E_KEEP",
                       {"calls.json": lambda: self.fake.calls()}, store=self.db)


def prepared_event(prepared) -> dict:
    """The event inside an envelope that was sent, to send it again with the same event_id."""
    import json
    return json.loads(prepared.body)["event"]


if __name__ == "__main__":
    if shutil.which("prlimit") is None and not os.environ.get("SCRIBE_TEST_POSTGRES_DIR"):
        print("reliability_e2e: prlimit (util-linux) is needed", file=sys.stderr)
        sys.exit(1)
    sys.exit(run_scenario(sys.argv, R, Scenario))
