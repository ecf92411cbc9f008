#!/usr/bin/env python3
"""End to end: three Scribe replicas on one PostgreSQL database, one of them killed under load.

Usage: replicas_e2e.py <path to scribe>    (ctest: e2e.replicas, with $SCRIBE_TEST_POSTGRES_DIR
naming the server tests/support/postgres_server started)

Issue 9's multi-replica test. Three `scribe serve` processes, each in a work folder of its own and
on a port of its own, share a fresh database in the test PostgreSQL server, one Slack
configuration, and one tests/support/fake_slack.py (Slack's Web API over real TLS, which records
every call). They start at the same moment, so that their migrations run at once. Requests are
signed and shaped as Slack sends them (tests/support/slack_driver.py, /work/shared/PROTOCOLS.md
sections 1-3) and spread round-robin over the replicas, as a load balancer without health checks
would, in two workspaces:

  - notes: `/incident note <unique text>` into each workspace's long-running incident;
  - flags: reaction_added on a new message each, with a unique event_id;
  - duplicates: the same event (same event_id, byte-identical signed body) sent to two replicas
    at the same moment (two connections opened first, both requests written once a barrier lets
    them go, as when Slack's retry races the original), and one message flagged by two people
    through two replicas at the same moment (two event_ids, one timeline entry);
  - churn: incidents opened and closed in fresh channels throughout. Closing starts the
    postmortem: the questions are posted at once, one reminder after postmortem.remind_after (3
    s here) and an automatic draft after postmortem.draft_after (12 s here, far enough after the
    reminder that a reminder delayed by a dead replica's lease still finds no draft and is due).

A few seconds in, one replica is killed with SIGKILL, in the middle of a postmortem job: Slack is
scripted to store the next chat.postMessage and never answer it (an incident is closed to bring
one about), and the replica that made that call (found from the fake's connection and /proc) is
the one killed, its job leased, one of its messages in Slack but not acknowledged. Whatever it had
claimed stays leased for jobs.lease (4 s here) and is then taken over by the others (the test
finds those jobs: leased at the kill and still untouched once a live replica would have finished
or handed back its own). Requests sent to the dead replica are refused (or cut while in flight)
and count as not acknowledged; the load goes on through the others. Later it is started again and
takes traffic again. When the load stops and the queues drain (no job pending, timers included),
the test shows:

  - every acknowledged note, flag, open and close is stored exactly once (timeline_entries by text
    and by message_ref; incidents by channel), and nothing unacknowledged is stored twice;
  - each duplicated delivery made one entry (with both flaggers when two people flagged);
  - every outbox message reached Slack exactly once, per the fake's call record: one successful
    reactions.add (the :memo: confirmation) per flagged message, and every chat.postMessage
    metadata key ("<job key>#<n>": the postmortem's questions, reminders and drafts) posted once;
  - each closed incident got its questions, exactly one reminder and one automatic draft;
  - the jobs the dead replica held were taken over and done, and the message Slack stored without
    answering was not posted again;
  - incident numbers are unique and gap-free per workspace; no job was given up; every
    acknowledgement came within Slack's 3 s.

It prints what it measured: requests and acknowledgements per replica, the duplicates, the kill
and restart moments, and how many reminders came due while a replica was dead.
REPLICAS_E2E_KEEP=1 keeps the work folder (each replica's scribe.log, calls.json) and the database.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import secrets
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import (POSTGRES_DIR_VARIABLE, Results, Scribe, finish_run, group,  # noqa: E402
                        http_get, last_lines, poll, run_scenario, test_store)
from slack_driver import Prepared, SlackDriver  # noqa: E402

REPLICAS = 3
CLOSER = 1                  # closes the incident whose questions are cut short (hang_a_post)
LEASE_SECONDS = 4           # jobs.lease: a dead replica's claims come back this soon
REMIND_AFTER, DRAFT_AFTER = 3, 12
QUESTIONS = [("impact", "What was the impact?"), ("actions", "What will we do?")]
LOAD_SECONDS = 24.0
KILL_AT = 7.0               # seconds into the load
RESTART_AT = 15.0
DRAIN_TIMEOUT = DRAFT_AFTER + 45.0

BOT_TOKEN = "xoxb-replicas-" + secrets.token_hex(8)
BOT_USER_ID, BOT_ID = "BSCRIBE", "B_SCRIBE"
WORKSPACES = ("T_REPA", "T_REPB")
AUTHOR, AUTHOR_NAME = "U_AUTHOR", "dana"
FLAGGERS = ("U_FLAG1", "U_FLAG2")
POST_EVENT_TYPE = "scribe_post"

R = Results()


def load_channel(ws: str) -> str:
    return f"C_{ws[2:]}_LOAD"


def new_ts(counter=itertools.count(1), lock=threading.Lock()) -> str:
    with lock:
        micros = int(time.time() * 1_000_000) + next(counter)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def reply_text(body: str) -> str:
    """The text of a slash command's JSON answer; "" if it is not one."""
    try:
        answer = json.loads(body)
    except ValueError:
        return ""
    return str(answer.get("text", "")) if isinstance(answer, dict) else ""


def metadata_key(params: dict) -> str | None:
    meta = params.get("metadata")
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except ValueError:
            return None
    if not isinstance(meta, dict) or meta.get("event_type") != POST_EVENT_TYPE:
        return None
    return (meta.get("event_payload") or {}).get("key")


def hanging_client_port() -> int | None:
    """The client's port of the connection the fake holds without an answer (a scripted hang),
    read from the fake's handler thread in this process (FakeHandler._hang)."""
    for frame in sys._current_frames().values():
        while frame is not None:
            if frame.f_code.co_name == "_hang":
                address = getattr(frame.f_locals.get("self"), "client_address", None)
                if address:
                    return address[1]
            frame = frame.f_back
    return None


def socket_owner(local_port: int, remote_port: int, pids) -> int | None:
    """Which of `pids` holds the TCP connection 127.0.0.1:local_port -> :remote_port (from
    /proc/net/tcp and the processes' file descriptors)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == local_port and \
                    int(remote.rsplit(":", 1)[1], 16) == remote_port:
                inodes.add(f"socket:[{inode}]")
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") in inodes:
                    return pid
            except OSError:
                continue
    return None


class Sent:
    """One request as the test sent it, and what came back (status None: refused, reset or no
    answer: not acknowledged)."""

    __slots__ = ("kind", "key", "replica", "status", "text", "at", "seconds")

    def __init__(self, kind, key, replica, status, text, at, seconds):
        self.kind, self.key, self.replica, self.status = kind, key, replica, status
        self.text, self.at, self.seconds = text, at, seconds


class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-replicas-")
        self.secret = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=BOT_TOKEN, bot_user_id=BOT_USER_ID, bot_id=BOT_ID,
                              team_id=WORKSPACES[0])
        self.db = None
        self.replicas: list[Scribe] = []
        self.lock = threading.Lock()
        self.sent: list[Sent] = []
        self.round_robin = itertools.count()
        self.stop_event = threading.Event()
        self.started = 0.0                       # monotonic start of the load
        self.killed_at = self.restarted_at = None
        self.load_incidents: dict[str, int] = {}   # workspace -> incident id of its load channel
        self.load_numbers: dict[str, int] = {}     # workspace -> that incident's number
        self.note_workspace: dict[str, str] = {}   # note text -> its workspace
        self.duplicates: list[dict] = []
        self.churn: list[dict] = []              # one per churn channel: ws, channel, acks
        self.threads: list[threading.Thread] = []
        self.orphans: list[dict] = []            # the jobs the killed replica held
        self.victim = CLOSER                     # the replica killed (chosen in hang_a_post)
        self.hung_key: str | None = None         # the message Slack stored without answering

    # ---- the replicas ------------------------------------------------------------------------

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        questions = "[" + ", ".join(f'{{id: "{i}", text: "{t}"}}' for i, t in QUESTIONS) + "]"
        env.update({
            "SCRIBE_SERVER_LISTEN": "127.0.0.1:0",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.secret,
            "SCRIBE_SLACK_BOT_TOKEN": BOT_TOKEN,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_SLACK_API_TIMEOUT": "3s",
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_JOBS_LEASE": f"{int(LEASE_SECONDS * 1000)}ms",
            "SCRIBE_POSTMORTEM_QUESTIONS": questions,
            "SCRIBE_POSTMORTEM_REMIND_AFTER": f"{REMIND_AFTER}s",
            "SCRIBE_POSTMORTEM_DRAFT_AFTER": f"{DRAFT_AFTER}s",
        })
        return env

    def start_all(self) -> bool:
        group(f"{REPLICAS} replicas start at the same moment on one database")
        env = self.env()
        for i in range(REPLICAS):
            folder = os.path.join(self.work, f"replica-{i}")
            os.makedirs(folder)
            self.replicas.append(Scribe(self.binary, folder, env))
        outcomes: list = [None] * REPLICAS

        def start(i: int) -> None:
            outcomes[i] = self.replicas[i].start()
        starters = [threading.Thread(target=start, args=(i,)) for i in range(REPLICAS)]
        for t in starters:
            t.start()
        for t in starters:
            t.join(30)
        ok = True
        for i, outcome in enumerate(outcomes):
            ok &= R.check(f"replica {i} starts", outcome and outcome[0],
                          f"{outcome}; its log:\n{last_lines(self.replicas[i].log(), 15)}")
        if not ok:
            return False
        ports = [r.port for r in self.replicas]
        R.check("each replica listens on a port of its own", len(set(ports)) == REPLICAS, ports)
        versions = self.db.rows("SELECT version FROM schema_migrations ORDER BY version")
        numbers = [v["version"] for v in versions]
        R.check("the migrations ran once each, though three replicas started at once",
                numbers == list(range(1, len(numbers) + 1)) and numbers, numbers)
        return True

    def url(self, i: int) -> str | None:
        replica = self.replicas[i]
        return replica.url() if replica.port else None

    # ---- sending -------------------------------------------------------------------------------

    def post(self, i: int, prepared: Prepared, headers: dict,
             barrier: threading.Barrier | None = None) -> tuple[int | None, str, float]:
        """One request to replica `i` on a fresh connection: (status or None, body, seconds).
        With a barrier, the connection is opened first and the request written once every party
        has its connection."""
        url = self.url(i)
        conn = None
        connected = False
        if url:
            parts = urllib.parse.urlsplit(url)
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
            try:
                conn.connect()
                connected = True
            except OSError:
                pass
        if barrier is not None:
            try:
                barrier.wait(5)
            except threading.BrokenBarrierError:
                pass
        if not connected:
            if conn is not None:
                conn.close()
            time.sleep(0.02)
            return None, "", 0.0
        all_headers = {"Content-Type": prepared.content_type,
                       "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
        all_headers.update(headers)
        started = time.monotonic()
        try:
            conn.request("POST", prepared.path, body=prepared.body, headers=all_headers)
            r = conn.getresponse()
            body = r.read().decode("utf-8", "replace")
            return r.status, body, time.monotonic() - started
        except (OSError, http.client.HTTPException):
            return None, "", time.monotonic() - started
        finally:
            conn.close()

    def send(self, driver: SlackDriver, prepared: Prepared, kind: str, key: str,
             replica: int | None = None) -> Sent:
        i = next(self.round_robin) % REPLICAS if replica is None else replica
        headers = dict(prepared.extra_headers)
        headers.update(driver.sign(prepared.body))
        status, text, seconds = self.post(i, prepared, headers)
        record = Sent(kind, key, i, status, text, time.monotonic() - self.started, seconds)
        with self.lock:
            self.sent.append(record)
        return record

    def driver(self, ws: str) -> SlackDriver:
        # The URL is chosen per request (post()); the driver builds and signs.
        return SlackDriver("http://127.0.0.1:1", self.secret,
                           response_url_for=self.fake.response_url, team_id=ws,
                           bot_user_id=BOT_USER_ID, bot_id=BOT_ID)

    def flag_event(self, driver: SlackDriver, channel: str, ts: str, flagger: str,
                   event_id: str) -> Prepared:
        return driver.event_callback(driver.reaction_added(flagger, "pushpin", channel, ts,
                                                           item_user=AUTHOR), event_id=event_id)

    # ---- the load ------------------------------------------------------------------------------

    def notes_loop(self, index: int) -> None:
        drivers = {ws: self.driver(ws) for ws in WORKSPACES}
        n = 0
        while not self.stop_event.is_set():
            n += 1
            ws = WORKSPACES[(index + n) % len(WORKSPACES)]
            text = f"replicas-note-{index}-{n}"
            self.note_workspace[text] = ws
            self.send(drivers[ws], drivers[ws].slash_command(f"note {text}", load_channel(ws),
                                                             "inc-load", AUTHOR, AUTHOR_NAME),
                      "note", text)

    def flags_loop(self, index: int) -> None:
        drivers = {ws: self.driver(ws) for ws in WORKSPACES}
        n = 0
        while not self.stop_event.is_set():
            n += 1
            ws = WORKSPACES[(index + n) % len(WORKSPACES)]
            channel = load_channel(ws)
            ts = new_ts()
            self.fake.add_message(channel, ts, AUTHOR, f"flagged message {index} {n}")
            self.send(drivers[ws], self.flag_event(drivers[ws], channel, ts, FLAGGERS[0],
                                                   f"EvREPF{index}X{n:06d}"),
                      "flag", f"{channel}/{ts}")

    def duplicates_loop(self) -> None:
        drivers = {ws: self.driver(ws) for ws in WORKSPACES}
        n = 0
        while not self.stop_event.is_set():
            n += 1
            ws = WORKSPACES[n % len(WORKSPACES)]
            d = drivers[ws]
            channel = load_channel(ws)
            ts = new_ts()
            self.fake.add_message(channel, ts, AUTHOR, f"flagged twice at once {n}")
            first = next(self.round_robin) % REPLICAS
            pair = (first, (first + 1) % REPLICAS)
            if n % 2:
                # One event, delivered twice: identical bytes, identical signature.
                kind = "same event"
                event = self.flag_event(d, channel, ts, FLAGGERS[0], f"EvREPDUP{n:06d}")
                signed = dict(event.extra_headers)
                signed.update(d.sign(event.body))
                requests = [(event, signed), (event, signed)]
            else:
                # Two people flag one message, each through another replica.
                kind = "two flaggers"
                requests = []
                for k, flagger in enumerate(FLAGGERS):
                    event = self.flag_event(d, channel, ts, flagger, f"EvREPTWO{n:06d}F{k}")
                    signed = dict(event.extra_headers)
                    signed.update(d.sign(event.body))
                    requests.append((event, signed))
            barrier = threading.Barrier(2)
            statuses: list = [None, None]

            def deliver(k: int) -> None:
                statuses[k] = self.post(pair[k], requests[k][0], requests[k][1], barrier)[0]
            twins = [threading.Thread(target=deliver, args=(k,)) for k in range(2)]
            for t in twins:
                t.start()
            for t in twins:
                t.join(20)
            at = time.monotonic() - self.started
            with self.lock:
                self.duplicates.append({"kind": kind, "ref": f"{channel}/{ts}", "ts": ts,
                                        "channel": channel, "replicas": pair,
                                        "statuses": list(statuses), "at": at,
                                        "event_ids": [r[0].event_id for r in requests]})
                for k in range(2):
                    self.sent.append(Sent("duplicate", f"{channel}/{ts}", pair[k], statuses[k],
                                          "", at, 0.0))
            time.sleep(0.15)

    def until_answered(self, driver: SlackDriver, make, kind: str,
                       key: str) -> tuple[Sent | None, int]:
        """Sends a command until some replica answers it (a person trying again when a command
        failed): the answered attempt (or None) and the number of attempts."""
        for attempt in range(1, 13):
            sent = self.send(driver, make(), kind, key)
            if sent.status is not None:
                return sent, attempt
        return None, 12

    def churn_loop(self, ws: str) -> None:
        d = self.driver(ws)
        n = 0
        while not self.stop_event.is_set():
            n += 1
            channel = f"C_{ws[2:]}_PM{n:03d}"
            name = f"inc-drill-{n}"
            self.fake.add_message(channel, new_ts(), AUTHOR, "something is off")
            record = {"ws": ws, "channel": channel, "opened": None, "closed": None}
            with self.lock:
                self.churn.append(record)
            record["opened"], record["open_attempts"] = self.until_answered(
                d, lambda: d.slash_command(f"open Drill {n}", channel, name, AUTHOR, AUTHOR_NAME),
                "open", channel)
            time.sleep(0.3)
            # Messages flagged just before the close: their events are processed after it, often
            # on another replica, and still belong to this incident (the flag rule, issue 16).
            for k in range(3):
                ts = new_ts()
                self.fake.add_message(channel, ts, AUTHOR, f"flagged before the close {n}.{k}")
                self.send(d, self.flag_event(d, channel, ts, FLAGGERS[k % len(FLAGGERS)],
                                             f"EvREPC{ws[2:]}{n:04d}F{k}"),
                          "flag before close", f"{channel}/{ts}")
            # Closed whatever the stop says: a churn incident is never left open.
            record["closed"], record["close_attempts"] = self.until_answered(
                d, lambda: d.slash_command("close Drill over", channel, name, AUTHOR, AUTHOR_NAME),
                "close", channel)
            record["closed_at"] = time.monotonic() - self.started
            self.stop_event.wait(1.2)

    # ---- the run -------------------------------------------------------------------------------

    def open_load_incidents(self) -> bool:
        for k, ws in enumerate(WORKSPACES):
            d = self.driver(ws)
            sent = self.send(d, d.slash_command("open Load drill", load_channel(ws), "inc-load",
                                                AUTHOR, AUTHOR_NAME), "open", load_channel(ws), k)
            if not R.check(f"{ws}: the load incident is opened", sent.status == 200
                           and " opened by " in sent.text, (sent.status, sent.text)):
                return False
            inc = self.db.incident(load_channel(ws))
            self.load_incidents[ws] = inc["id"]
            self.load_numbers[ws] = inc["number"]
        return True

    def run_load(self) -> None:
        group(f"load for {LOAD_SECONDS:g} s round-robin over {REPLICAS} replicas; at {KILL_AT:g} s "
              f"SIGKILL the replica whose chat.postMessage Slack stored and left unanswered; "
              f"restart it at {RESTART_AT:g} s")
        self.started = time.monotonic()
        targets = [(self.notes_loop, (i,)) for i in range(4)]
        targets += [(self.flags_loop, (i,)) for i in range(2)]
        targets += [(self.duplicates_loop, ())]
        targets += [(self.churn_loop, (ws,)) for ws in WORKSPACES]
        self.threads = [threading.Thread(target=f, args=a, daemon=True) for f, a in targets]
        for t in self.threads:
            t.start()
        time.sleep(max(0.0, self.started + KILL_AT - time.monotonic()))
        self.victim = self.hang_a_post()
        victim = self.replicas[self.victim]
        pending = self.pending()
        leased_before = self.leased()
        victim.kill()
        killed_wall = time.time()
        self.killed_at = time.monotonic() - self.started
        with self.lock:
            acked = sum(1 for s in self.sent if s.status == 200)
        print(f"    SIGKILL replica {self.victim} (pid {victim.proc.pid}) at {self.killed_at:.2f} s, "
              f"{acked} requests acknowledged so far, {pending} jobs pending", flush=True)
        R.check("the call Slack held was the dead replica's: it ended with the process",
                poll(lambda: self.fake.hanging == 0, timeout=2), self.fake.hanging)
        self.find_orphans(leased_before, killed_wall)
        time.sleep(max(0.0, self.started + RESTART_AT - time.monotonic()))
        ok, why = victim.start()
        self.restarted_at = time.monotonic() - self.started
        R.check(f"replica {self.victim} starts again after SIGKILL", ok,
                f"{why}; its log:\n{last_lines(victim.log_since_start(), 15)}")
        print(f"    replica {self.victim} restarted at {self.restarted_at:.2f} s on port "
              f"{victim.port}", flush=True)
        time.sleep(max(0.0, self.started + LOAD_SECONDS - time.monotonic()))
        self.stop_event.set()
        for t in self.threads:
            t.join(60)
        R.check("every load thread ended", not any(t.is_alive() for t in self.threads))

    def hang_a_post(self) -> int:
        """Has Slack store the next chat.postMessage and never answer it, and returns the replica
        that made that call: the one to kill, so that it dies in the middle of a postmortem job,
        its lease held, one message in Slack but not acknowledged. The call is brought about by
        closing an incident through replica CLOSER, whose postmortem worker the close wakes at
        once; whichever replica makes the next post (those questions, or another incident's
        reminder or draft) is the one chosen."""
        ws = WORKSPACES[0]
        d = self.driver(ws)
        channel = f"C_{ws[2:]}_CRASH"
        self.fake.add_message(channel, new_ts(), AUTHOR, "the one that crashes")
        opened = self.send(d, d.slash_command("open Crash drill", channel, "inc-crash", AUTHOR,
                                              AUTHOR_NAME), "open", channel, 0)
        R.check("the crash incident is opened", opened.status == 200, (opened.status, opened.text))
        self.fake.script("chat.postMessage", [{"kind": "stored_then_hang", "seconds": 30}])
        closed = self.send(d, d.slash_command("close Crash drill over", channel, "inc-crash",
                                              AUTHOR, AUTHOR_NAME), "close", channel, CLOSER)
        R.check(f"the crash incident is closed through replica {CLOSER}", closed.status == 200,
                (closed.status, closed.text))
        found = poll(self.hanging_replica, timeout=10)
        if not R.check("Slack stored a chat.postMessage and holds the call unanswered, and the "
                       "replica that made it is known", found):
            return CLOSER
        replica, call = found
        self.hung_key = metadata_key(call["params"])
        print(f"    Slack stored {self.hung_key!r} in {call['params'].get('channel')} and holds "
              f"replica {replica}'s call unanswered", flush=True)
        return replica

    def hanging_replica(self) -> tuple[int, dict] | None:
        """(replica, call) for the chat.postMessage the fake holds unanswered, or None yet."""
        hung = [c for c in self.fake.calls("chat.postMessage")
                if c["outcome"].startswith("stored_then_hang")]
        if not hung or self.fake.hanging < 1:
            return None
        port = hanging_client_port()
        pids = {r.proc.pid: i for i, r in enumerate(self.replicas) if r.running()}
        owner = socket_owner(port, self.fake.port, pids) if port else None
        return (pids[owner], hung[0]) if owner else None

    def leased(self) -> dict[int, int]:
        """The pending jobs someone holds a lease on now: id -> lease_until."""
        now = int(time.time() * 1e6)
        return {j["id"]: j["lease_until"] for j in self.db.rows(
            "SELECT id, lease_until FROM jobs WHERE state = 'pending' AND lease_until > ?", (now,))}

    def find_orphans(self, leased_before: dict[int, int], killed_wall: float) -> None:
        """The jobs the dead replica held. A live replica hands back what it has not run once half
        the lease is gone and records what it ran (no call hangs on the live ones: the one
        scripted hang was the dead replica's), so a little later a lease taken before the kill
        that is still pending and unchanged is the dead replica's."""
        time.sleep(max(0.0, killed_wall + LEASE_SECONDS / 2 + 0.3 - time.time()))
        ids = list(leased_before)
        rows = self.db.rows(f"SELECT id, queue, key, state, lease_until FROM jobs WHERE id IN "
                            f"({', '.join('?' for _ in ids)})", ids) if ids else []
        self.orphans = [j for j in rows if j["state"] == "pending"
                        and j["lease_until"] == leased_before[j["id"]]]
        counts = {}
        for job in self.orphans:
            counts[job["queue"]] = counts.get(job["queue"], 0) + 1
        print(f"    {len(leased_before)} jobs leased at the kill; {len(self.orphans)} of them still "
              f"untouched {LEASE_SECONDS / 2 + 0.3:g} s later, the dead replica's {counts}",
              flush=True)
        if self.hung_key:
            job = self.hung_key.rsplit("#", 1)[0]
            R.check(f"the dead replica held the job of the unanswered message ({job})",
                    any(j["queue"] == "slack.postmortem" and j["key"] == job
                        for j in self.orphans), [j["key"] for j in self.orphans
                                                 if j["queue"] == "slack.postmortem"])

    def pending(self) -> int:
        return self.db.rows("SELECT COUNT(*) AS n FROM jobs WHERE state = 'pending'")[0]["n"]

    # ---- the checks ----------------------------------------------------------------------------

    def report_load(self) -> None:
        group("what the load did")
        sent = list(self.sent)
        acked = [s for s in sent if s.status == 200]
        print(f"    {len(sent)} requests, {len(acked)} acknowledged "
              f"(~{len(acked) / LOAD_SECONDS:.0f}/s), "
              f"{sum(1 for s in sent if s.status is None)} refused or cut", flush=True)
        for i in range(REPLICAS):
            mine = [s for s in sent if s.replica == i]
            ok = [s for s in mine if s.status == 200]
            kinds = {k: sum(1 for s in ok if s.kind == k)
                     for k in ("note", "flag", "duplicate", "open", "close")}
            print(f"    replica {i}: {len(mine)} sent, {len(ok)} acknowledged {kinds}, "
                  f"{sum(1 for s in mine if s.status is None)} unanswered", flush=True)
        slowest = max((s.seconds for s in acked), default=0.0)
        print(f"    slowest acknowledgement {slowest:.2f} s", flush=True)
        R.check("every acknowledgement came within Slack's 3 s", slowest < 3.0, f"{slowest:.2f} s")
        R.check("the load was real: hundreds of acknowledged requests", len(acked) >= 300,
                len(acked))
        R.check("no request got an error status (only 200, or no answer from a dead replica)",
                all(s.status in (200, None) for s in sent),
                sorted({s.status for s in sent if s.status not in (200, None)}))
        for i in range(REPLICAS):
            R.check(f"replica {i} acknowledged requests",
                    any(s.replica == i and s.status == 200 for s in sent))
        dead = [s for s in sent if s.replica == self.victim and self.killed_at + 0.2 < s.at
                and s.at + s.seconds < self.restarted_at - 0.2]
        R.check(f"while replica {self.victim} was down, nothing sent to it was acknowledged",
                dead and all(s.status is None for s in dead), len(dead))
        after = [s for s in sent if s.replica == self.victim and s.at > self.restarted_at + 0.5]
        R.check(f"after its restart, replica {self.victim} acknowledged requests again",
                any(s.status == 200 for s in after), len(after))
        survivors = [s for s in sent if s.replica != self.victim and self.killed_at < s.at
                     < self.restarted_at]
        R.check("the survivors acknowledged requests while it was down",
                sum(1 for s in survivors if s.status == 200) >= 50,
                sum(1 for s in survivors if s.status == 200))

    def check_drained(self) -> bool:
        group("the queues drain (timers included)")
        started = time.monotonic()
        drained = poll(lambda: self.pending() == 0, timeout=DRAIN_TIMEOUT, interval=0.5)
        print(f"    drained {time.monotonic() - started:.1f} s after the load stopped", flush=True)
        left = self.db.rows("SELECT queue, key, attempts, run_after, lease_until, last_error "
                            "FROM jobs WHERE state = 'pending' ORDER BY id")
        R.check("no job is pending: every inbox, outbox and postmortem job ran", drained, left[:5])
        failed = self.db.rows("SELECT queue, key, attempts, last_error FROM jobs "
                              "WHERE state = 'failed'")
        R.check("no job was given up", not failed, failed[:5])
        if R.check(f"replica {self.victim} held jobs when it was killed", self.orphans):
            ids = [j["id"] for j in self.orphans]
            states = self.db.rows(f"SELECT id, state FROM jobs WHERE id IN "
                                  f"({', '.join('?' for _ in ids)})", ids)
            R.check(f"the {len(ids)} jobs it held were taken over and done",
                    len(states) == len(ids) and all(j["state"] == "done" for j in states),
                    [j for j in states if j["state"] != "done"][:5])
        again = self.db.rows("SELECT queue, COUNT(*) AS n FROM jobs WHERE attempts > 1 "
                             "GROUP BY queue ORDER BY queue")
        print(f"    jobs claimed more than once (taken over, handed back or retried): "
              f"{ {r['queue']: r['n'] for r in again} }", flush=True)
        # The Web API calls of the last jobs have answered by now.
        R.check("no Web API call is still in flight",
                poll(lambda: all(c["outcome"] != "pending" for c in self.fake.calls()), 10))
        return bool(drained)

    def check_requests(self) -> None:
        group("every acknowledged request is stored exactly once")
        entries = self.db.all_entries()
        by_text: dict[str, list[dict]] = {}
        by_ref: dict[str, list[dict]] = {}
        for e in entries:
            by_text.setdefault(e["text"], []).append(e)
            if e["message_ref"]:
                by_ref.setdefault(e["message_ref"], []).append(e)
        notes = [s for s in self.sent if s.kind == "note"]
        acked = [s for s in notes if s.status == 200]
        wrong = [s.key for s in acked if len(by_text.get(s.key, [])) != 1]
        R.check(f"each of the {len(acked)} acknowledged notes is in the timeline exactly once",
                not wrong, [(k, len(by_text.get(k, []))) for k in wrong[:5]])
        R.check("no note is stored twice, acknowledged or not",
                all(len(by_text.get(s.key, [])) <= 1 for s in notes))
        unacked = [s for s in notes if s.status != 200]
        print(f"    notes: {len(acked)} acknowledged, {len(unacked)} not "
              f"({sum(1 for s in unacked if by_text.get(s.key))} of those stored anyway)",
              flush=True)
        R.check("every acknowledged note is in its workspace's load incident",
                all(by_text[s.key][0]["incident_id"] in self.load_incidents.values()
                    for s in acked if len(by_text.get(s.key, [])) == 1))
        R.check("every acknowledgement of a note says it was noted in the load incident",
                all(reply_text(s.text).startswith(f"Noted in INC-{self.load_numbers[ws]} ")
                    for s in acked for ws in [self.note_workspace[s.key]]),
                [(s.key, s.text[:80]) for s in acked
                 if not reply_text(s.text).startswith("Noted in ")][:3])
        R.check("each note says who wrote it and came from a command",
                all(by_text[s.key][0]["source"] == "command" and
                    by_text[s.key][0]["author_id"] == AUTHOR
                    for s in acked if len(by_text.get(s.key, [])) == 1))

        flags = [s for s in self.sent if s.kind == "flag"]
        acked = [s for s in flags if s.status == 200]
        wrong = [s.key for s in acked if len(by_ref.get(s.key, [])) != 1]
        R.check(f"each of the {len(acked)} acknowledged flags is an entry exactly once",
                not wrong, [(k, len(by_ref.get(k, []))) for k in wrong[:5]])
        R.check("no message is an entry twice", all(len(v) == 1 for v in by_ref.values()),
                [k for k, v in by_ref.items() if len(v) != 1][:5])
        inbox = {j["key"]: j for j in self.db.rows("SELECT key, state FROM jobs "
                                                   "WHERE queue = 'slack.inbox'")}
        acked_events = [e for d in self.duplicates for e, st in zip(d["event_ids"], d["statuses"])
                        if st == 200]
        R.check("every acknowledged duplicate's event is one inbox job, done",
                all(inbox.get(e, {}).get("state") == "done" for e in acked_events),
                [e for e in acked_events if inbox.get(e, {}).get("state") != "done"][:5])

        group("flags made right before their incident closed")
        incident_of = {i["channel"]: i for i in self.db.incidents()}
        early = [s for s in self.sent if s.kind == "flag before close" and s.status == 200]
        wrong = [s.key for s in early
                 if len(by_ref.get(s.key, [])) != 1 or
                 by_ref[s.key][0]["incident_id"] != incident_of[s.key.split("/")[0]]["id"]]
        R.check(f"each of the {len(early)} acknowledged flags made just before a close is one "
                f"entry, in the incident it was made in", early and not wrong,
                [(k, by_ref.get(k)) for k in wrong[:3]])
        late = [s for s in early if len(by_ref.get(s.key, [])) == 1 and
                by_ref[s.key][0]["recorded_at"] >= incident_of[s.key.split("/")[0]]["closed_at"]]
        print(f"    {len(late)} of them were recorded after their incident had closed", flush=True)

        group("duplicated deliveries")
        counts = {"same event": [0, 0], "two flaggers": [0, 0]}
        for d in self.duplicates:
            counts[d["kind"]][0] += 1
            counts[d["kind"]][1] += sum(1 for st in d["statuses"] if st == 200)
        for kind, (n, acks) in counts.items():
            print(f"    {kind}: {n} delivered to two replicas at once, {acks} of {2 * n} "
                  f"deliveries acknowledged", flush=True)
        both = [d for d in self.duplicates if d["statuses"] == [200, 200]]
        R.check("most duplicated deliveries were acknowledged by both replicas",
                len(both) >= len(self.duplicates) // 2 and len(both) >= 10,
                (len(both), len(self.duplicates)))
        acked = [d for d in self.duplicates if 200 in d["statuses"]]
        wrong = [d["ref"] for d in acked if len(by_ref.get(d["ref"], [])) != 1]
        R.check(f"each of the {len(acked)} acknowledged duplicated deliveries made exactly one "
                f"entry", not wrong, [(k, len(by_ref.get(k, []))) for k in wrong[:5]])
        flaggers = {}
        for row in self.db.rows("SELECT entry_id, flagged_by FROM entry_flags"):
            flaggers.setdefault(row["entry_id"], set()).add(row["flagged_by"])
        two = [d for d in both
               if d["kind"] == "two flaggers" and len(by_ref.get(d["ref"], [])) == 1]
        wrong = [d["ref"] for d in two if flaggers.get(by_ref[d["ref"]][0]["id"]) != set(FLAGGERS)]
        R.check(f"each of the {len(two)} messages flagged by two people at once is one entry "
                f"with both flaggers", two and not wrong,
                [(r, flaggers.get(by_ref[r][0]["id"])) for r in wrong[:5]])
        same = [d for d in both if d["kind"] == "same event" and len(by_ref.get(d["ref"], [])) == 1]
        wrong = [d["ref"] for d in same if flaggers.get(by_ref[d["ref"]][0]["id"]) != {FLAGGERS[0]}]
        R.check(f"each of the {len(same)} events delivered twice at once is one entry, one flag",
                same and not wrong, wrong[:5])

        group("incidents: every acknowledged open and close, numbers gap-free per workspace")
        incidents = self.db.incidents()
        by_channel: dict[str, list[dict]] = {}
        for inc in incidents:
            by_channel.setdefault(inc["channel"], []).append(inc)
        opened = [c for c in self.churn if c["opened"] and c["opened"].status == 200]
        R.check(f"{len(self.churn)} incidents were opened and closed during the load, each "
                f"acknowledged", len(self.churn) >= 10 and len(opened) == len(self.churn)
                and all(c["closed"] and c["closed"].status == 200 for c in self.churn),
                [(c["channel"], c["opened"] and c["opened"].status,
                  c["closed"] and c["closed"].status) for c in self.churn
                 if not (c["opened"] and c["closed"])][:5])
        wrong = [c["channel"] for c in self.churn if len(by_channel.get(c["channel"], [])) != 1]
        R.check("each churn channel has exactly one incident", not wrong,
                [(ch, len(by_channel.get(ch, []))) for ch in wrong[:5]])
        wrong = []
        for c in self.churn:
            found = by_channel.get(c["channel"], [])
            if len(found) != 1 or not c["opened"] or not c["closed"]:
                continue
            label = f"INC-{found[0]['number']}"
            opened, closed = reply_text(c["opened"].text), reply_text(c["closed"].text)
            # After an attempt that got no answer (and may have been stored), the next one finds
            # the command done already.
            if not (opened.startswith(f"{label} opened by ") or
                    (c["open_attempts"] > 1 and opened.startswith(f"{label} (Drill"))):
                wrong.append((c["channel"], opened[:60]))
            if not (closed.startswith(f"{label} closed by ") or
                    (c["close_attempts"] > 1 and closed.startswith("There is no open incident"))):
                wrong.append((c["channel"], closed[:60]))
        R.check("each open and close was answered for the channel's incident", not wrong,
                wrong[:5])
        wrong = [c["channel"] for c in self.churn
                 if [i["status"] for i in by_channel.get(c["channel"], [])] != ["closed"]]
        R.check("each of them is closed", not wrong, wrong[:5])
        for ws in WORKSPACES:
            numbers = sorted(i["number"] for i in incidents if i["workspace"] == ws)
            R.check(f"{ws}: incident numbers 1..{len(numbers)}, each once", numbers ==
                    list(range(1, len(numbers) + 1)), numbers)
        R.check("the load incidents are still open",
                all(self.db.rows("SELECT status FROM incidents WHERE id = ?", (i,))[0]["status"]
                    == "open" for i in self.load_incidents.values()))

    def check_outbox(self) -> None:
        group("every outbox message reached Slack exactly once")
        calls = self.fake.calls()
        R.check("every Web API call carried the bot token", all(c["authorized"] for c in calls),
                [c["method"] for c in calls if not c["authorized"]][:5])
        adds: dict[str, list[str]] = {}
        for c in calls:
            if c["method"] == "reactions.add":
                p = c.get("params") or {}
                adds.setdefault(f"{p.get('channel')}/{p.get('timestamp')}", []).append(c["outcome"])
        entries = [e for e in self.db.all_entries() if e["source"] == "reaction"]
        wrong = [e["message_ref"] for e in entries
                 if adds.get(e["message_ref"], []).count("ok") != 1]
        R.check(f"each of the {len(entries)} flagged entries got exactly one successful "
                f"reactions.add", not wrong, [(r, adds.get(r)) for r in wrong[:5]])
        R.check("no message got a successful reactions.add twice",
                all(o.count("ok") <= 1 for o in adds.values()),
                [(r, o) for r, o in adds.items() if o.count("ok") > 1][:5])
        others = sorted({o for outcomes in adds.values() for o in outcomes if o != "ok"})
        R.check("the other reactions.add answers are only already_reacted (a job run again "
                "after its replica died)", set(others) <= {"ok_false:already_reacted"}, others)
        repeats = sum(len(o) - 1 for o in adds.values())
        print(f"    reactions.add: {sum(len(o) for o in adds.values())} calls for {len(adds)} "
              f"messages ({repeats} repeated)", flush=True)
        wrong = [e["message_ref"] for e in entries
                 if self.fake.reactions_on(*e["message_ref"].split("/", 1)).get("memo", [])
                 != [BOT_USER_ID]]
        R.check("each flagged message carries Scribe's :memo: once", not wrong, wrong[:5])
        outbox = self.db.rows("SELECT key, state FROM jobs WHERE queue = 'slack.outbox'")
        R.check("one confirmation job per flagged entry, and no other outbox job",
                sorted(j["key"] for j in outbox) == sorted(f"react:{e['id']}" for e in entries),
                (len(outbox), len(entries)))

        posts: dict[str, list[dict]] = {}
        for c in calls:
            if c["method"] == "chat.postMessage":
                posts.setdefault(metadata_key(c.get("params") or {}) or "", []).append(c)
        R.check("every chat.postMessage carries a scribe_post key", "" not in posts,
                len(posts.get("", [])))
        # A message Slack stored without answering (the scripted hang) was delivered too.
        delivered = ("ok", "stored_then_hang")
        twice = {k: [c["outcome"] for c in v] for k, v in posts.items()
                 if sum(1 for c in v if c["outcome"] in delivered) != 1}
        R.check(f"each of the {len(posts)} message keys reached Slack exactly once",
                not twice, list(twice.items())[:5])
        hung = [c for c in calls if c["method"] == "chat.postMessage"
                and c["outcome"].startswith("stored_then_hang")]
        if R.check("one chat.postMessage was stored by Slack and never answered", len(hung) == 1,
                   len(hung)):
            key = metadata_key(hung[0]["params"])
            R.check(f"that message ({key}) was not posted again when its job ran again",
                    [c["outcome"] for c in posts.get(key, [])] == ["stored_then_hang"],
                    [c["outcome"] for c in posts.get(key, [])])
            job = self.db.rows("SELECT attempts, state FROM jobs WHERE queue = 'slack.postmortem' "
                               "AND key = ?", (key.rsplit("#", 1)[0],))
            R.check("its job ran again and is done", job and job[0]["state"] == "done"
                    and job[0]["attempts"] >= 2, job)
        print(f"    chat.postMessage: {sum(len(v) for v in posts.values())} calls for "
              f"{len(posts)} keys", flush=True)

        group("the postmortem of each closed incident: questions, one reminder, one draft")
        closed = [i for i in self.db.incidents() if i["status"] == "closed"]
        by_channel: dict[str, dict] = {}
        for ch in {m["params"].get("channel") for v in posts.values() for m in v}:
            by_channel[ch] = [metadata_key(m) for m in self.fake.bot_messages(ch)]
        ask_wrong, remind_wrong, draft_wrong, channel_wrong = [], [], [], []
        due_while_dead = 0
        for inc in closed:
            keys = by_channel.get(inc["channel"], [])
            asks = sorted(k for k in keys if k and k.startswith(f"ask {inc['id']}#"))
            if asks != sorted(f"ask {inc['id']}#{n}" for n in range(1, len(QUESTIONS) + 2)):
                ask_wrong.append((inc["channel"], asks))
            reminders = [k for k in keys if k and k.startswith(f"remind {inc['id']}#")]
            if reminders != [f"remind {inc['id']}#1"]:
                remind_wrong.append((inc["channel"], reminders))
            drafts = [k for k in keys if k and k.startswith(f"draft {inc['id']} ")]
            expected = [f"draft {inc['id']} timer#{n}" for n in range(1, len(drafts) + 1)]
            stored = self.db.drafts(inc["id"])
            if not drafts or sorted(drafts) != sorted(expected) or len(stored) != 1:
                draft_wrong.append((inc["channel"], drafts, len(stored)))
            if len(keys) != len(set(keys)):
                channel_wrong.append(inc["channel"])
            due = (inc["closed_at"] / 1e6) + REMIND_AFTER
            if self.wall(self.killed_at) <= due <= self.wall(self.restarted_at):
                due_while_dead += 1
        R.check(f"each of the {len(closed)} closed incidents had its introduction and "
                f"{len(QUESTIONS)} questions posted once each", closed and not ask_wrong,
                ask_wrong[:5])
        R.check("each closed incident's reminder was posted exactly once", not remind_wrong,
                remind_wrong[:5])
        R.check("each closed incident's automatic draft was posted once and stored once",
                not draft_wrong, draft_wrong[:5])
        R.check("no key twice among Scribe's messages in any channel", not channel_wrong,
                channel_wrong[:5])
        print(f"    {len(closed)} postmortems; {due_while_dead} reminders came due while replica "
              f"{self.victim} was down", flush=True)
        R.check("some reminders came due while a replica was dead", due_while_dead >= 1,
                due_while_dead)
        asked = self.db.rows("SELECT incident_id, COUNT(*) AS n, COUNT(message_ref) AS posted "
                             "FROM postmortem_questions GROUP BY incident_id")
        R.check("every question records the message that asked it",
                all(r["n"] == len(QUESTIONS) and r["posted"] == r["n"] for r in asked)
                and len(asked) == len(closed), asked[:5])

    def wall(self, at: float) -> float:
        """A moment of the load (seconds after it started) as wall-clock time."""
        return time.time() - (time.monotonic() - self.started - at)

    def check_replicas(self) -> None:
        group("the replicas at the end")
        for i, replica in enumerate(self.replicas):
            status = None
            if replica.running():
                try:
                    status = http_get(replica.url(), "/readyz")[0]
                except OSError:
                    pass
            R.check(f"replica {i} is running and ready", status == 200, status)
            log = replica.log()
            R.check(f"replica {i} logged no error", ' level=error ' not in log
                    and 'level="error"' not in log,
                    [line for line in log.splitlines() if "error" in line][:3])

    def finish(self) -> None:
        self.stop_event.set()
        for replica in self.replicas:
            replica.kill()
        configured = {name: value for name, value in self.env_used.items()
                      if name.startswith("SCRIBE_") and name.endswith(("_SECRET", "_TOKEN"))}
        password = urllib.parse.urlsplit(self.db.url).password if self.db else None
        if password:
            configured["the password in SCRIBE_STORAGE_URL"] = urllib.parse.unquote(password)
        logs = [r.log() for r in self.replicas]
        leaked = [(i, name) for i, log in enumerate(logs) for name, value in configured.items()
                  if value in log]
        R.check(f"none of the {len(configured)} configured secrets is in a replica's log",
                not leaked, leaked)
        if R.failed:
            for i, replica in enumerate(self.replicas):
                print(f"--- the last lines of replica {i}'s log ({replica.log_path})", flush=True)
                print(last_lines(replica.log(), 25), flush=True)

    def run(self) -> None:
        self.env_used: dict = {}
        try:
            if not os.environ.get(POSTGRES_DIR_VARIABLE):
                R.fail(f"several replicas need PostgreSQL: set {POSTGRES_DIR_VARIABLE} to the "
                       f"folder of tests/support/postgres_server start")
                return
            self.db = test_store(self.work, "replicas.db")
            self.fake.start()
            self.fake.add_user(AUTHOR, AUTHOR_NAME)
            for f in FLAGGERS:
                self.fake.add_user(f, f.lower())
            for ws in WORKSPACES:
                self.fake.add_message(load_channel(ws), new_ts(), AUTHOR, "load channel")
            self.env_used = self.env()
            if not self.start_all() or not self.open_load_incidents():
                return
            self.run_load()
            self.report_load()
            self.check_drained()
            self.check_requests()
            self.check_outbox()
            self.check_replicas()
        except Exception:
            R.fail("the scenario ran to its end", traceback.format_exc())
        finally:
            self.finish()
            finish_run(R, None, self.fake, self.work, "REPLICAS_E2E_KEEP",
                       {"calls.json": self.fake.calls, "sent.json": lambda: [
                           {k: getattr(s, k) for k in Sent.__slots__} for s in self.sent]},
                       store=self.db)


if __name__ == "__main__":
    sys.exit(run_scenario(sys.argv, R, Scenario))
