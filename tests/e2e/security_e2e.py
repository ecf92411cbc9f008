#!/usr/bin/env python3
"""End to end: authentication, isolation between workspaces and rooms, and secrets kept out of
everything Scribe writes, against the real `scribe serve`.

Usage: security_e2e.py <path to scribe>    (ctest: e2e.security; exit 0 when every check passes)

What runs: tests/support/fake_slack.py (Slack's Web API over TLS) and
tests/support/fake_homeserver.py (a Matrix homeserver), then one `scribe serve` with Slack,
Matrix, web.token and the playground all configured, each secret a distinctive random value.

Groups:
  1. Slack signing (/work/shared/PROTOCOLS.md section 1): forged, stale (+301 s, -301 s),
     unsigned, without the timestamp, version v1=, replayed with a changed body, upper-case hex, a
     truncated signature -> 401 each, and no trace: every table of the database and the fake's
     call record are unchanged. Timestamps exactly 300 s off (either way) are accepted.
  2. Matrix (PROTOCOLS.md section 7): transactions without a token -> 401 M_MISSING_TOKEN; a wrong
     Bearer, a wrong ?access_token=, header and query that disagree, the as_token -> 403
     M_FORBIDDEN; no trace; a txnId refused once is still processed when it comes with the token.
  3. Web (config/scribe.example.yaml web.token; adapters/web/access.cpp): pages without the token
     -> 303 to /signin, /api/*, /metrics and /playground/messages -> 401; a wrong Bearer, a
     token in the query, the raw token as the session cookie -> refused; the right Bearer, the
     cookie from /signin -> 200.
  4. Isolation: Slack workspaces T1 and T2 both with channel C1, and T1's C2; notes, severity,
     flags (reaction_added / reaction_removed) and closing in one never change another's
     incident (the database and `/incident status`). Two Matrix rooms likewise.
  5. Secrets: after everything (and SIGTERM), each secret (on PostgreSQL, the password in
     storage.url too) and its obvious derivations (upper case, base64, percent-encoded, a
     12-character prefix) are searched in Scribe's log (stdout
     and stderr), every HTTP response captured, the /metrics body, the database files (on
     PostgreSQL: every row of the run's database); and each platform's fake must never have
     received another platform's secret.

Every check prints on failure; the last line is "N passed, M failed". SECURITY_E2E_KEEP=1 keeps
the work directory.
"""

from __future__ import annotations

import base64
import glob
import json
import os
import secrets
import sys
import tempfile
import time
import traceback
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))

from fake_homeserver import FakeHomeserver  # noqa: E402
from fake_slack import FakeSlack  # noqa: E402
from scribe_e2e import (Results, Scribe, finish_run, free_port, group, http_request,  # noqa: E402
                        last_lines, poll, run_scenario, test_store)
from slack_driver import Reply, SlackDriver  # noqa: E402

T1, T2 = "T1", "T2"
C1, C2 = "C1", "C2"
BOT_USER_ID, BOT_ID = "BSCRIBE", "B_SCRIBE"
FLAG, CONFIRM = "pushpin", "memo"
MX_SERVER = "localhost"
MX_BOT = f"@scribe:{MX_SERVER}"
ROOM_A, ROOM_B = "!alpha:localhost", "!bravo:localhost"
ALICE, BOB = "@alice:localhost", "@bob:localhost"
TXN = "/_matrix/app/v1/transactions/"
POLL = 10.0

R = Results()


class CapturingDriver(SlackDriver):
    """A SlackDriver that keeps every answer Scribe gave (for the secrets search)."""

    def __init__(self, captured: list, *args, **kw):
        super().__init__(*args, **kw)
        self.captured = captured

    def new_event_id(self) -> str:
        # Unique across drivers: two drivers' counters would give the same id in the same second,
        # and Scribe (rightly) drops an event_id it has seen.
        return f"Ev{self.team_id}{secrets.token_hex(8).upper()}"

    def post(self, path, body, content_type, headers=None) -> Reply:
        reply = super().post(path, body, content_type, headers)
        self.captured.append((f"POST {path}", reply.status, reply.headers, reply.body))
        return reply


class Scenario:
    def __init__(self, binary: str):
        self.binary = binary
        self.work = tempfile.mkdtemp(prefix="scribe-security-e2e-")
        self.started_at = time.monotonic()
        # Distinctive secrets: random, so that a hit anywhere is a leak and never a coincidence.
        self.signing_secret = secrets.token_hex(16)
        self.bot_token = "xoxb-" + secrets.token_hex(16)
        self.as_token = secrets.token_hex(16)
        self.hs_token = secrets.token_hex(16)
        self.web_token = secrets.token_hex(16)
        self.fake = FakeSlack(bot_token=self.bot_token, bot_user_id=BOT_USER_ID, bot_id=BOT_ID,
                              team_id=T1)
        self.hs = FakeHomeserver(as_token=self.as_token, hs_token=self.hs_token,
                                 appservice_id="scribe", sender_localpart="scribe",
                                 server_name=MX_SERVER, retry_initial=0.05, retry_max=0.5)
        self.db = test_store(self.work, "scribe.db")
        self.scribe: Scribe | None = None
        self.port: int | None = None
        self.captured: list[tuple[str, int, dict, bytes]] = []   # (what, status, headers, body)
        self.d1: CapturingDriver | None = None
        self.d2: CapturingDriver | None = None
        self.metrics_body = b""
        self.cookie = ""

    # ---- set-up ----------------------------------------------------------------------------

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRIBE_")}
        env.update({
            "SCRIBE_SERVER_LISTEN": f"127.0.0.1:{self.port}",
            "SCRIBE_SERVER_PUBLIC_URL": f"http://127.0.0.1:{self.port}",
            "SCRIBE_STORAGE_URL": self.db.url,
            "SCRIBE_SLACK_SIGNING_SECRET": self.signing_secret,
            "SCRIBE_SLACK_BOT_TOKEN": self.bot_token,
            "SCRIBE_SLACK_API_BASE_URL": self.fake.api_url,
            "SCRIBE_SLACK_API_TIMEOUT": "2s",
            "SCRIBE_TLS_CA_FILE": self.fake.ca_file,
            "SCRIBE_MATRIX_HOMESERVER_URL": self.hs.url,
            "SCRIBE_MATRIX_SERVER_NAME": MX_SERVER,
            "SCRIBE_MATRIX_AS_TOKEN": self.as_token,
            "SCRIBE_MATRIX_HS_TOKEN": self.hs_token,
            "SCRIBE_MATRIX_API_TIMEOUT": "3s",
            "SCRIBE_WEB_TOKEN": self.web_token,
            "SCRIBE_WEB_PLAYGROUND": "true",
            # debug: the most Scribe ever writes, so the secrets search sees all of it
            "SCRIBE_LOG_LEVEL": "debug",
        })
        return env

    def start(self) -> bool:
        group("start: fake Slack, fake homeserver, scribe serve with every secret set")
        self.fake.start()
        self.hs.start()
        self.port = free_port()
        self.scribe = Scribe(self.binary, self.work, self.env())
        ok, why = self.scribe.start()
        if not R.check("scribe serve starts with Slack, Matrix, web.token and the playground", ok,
                       f"{why}; its log:\n{last_lines(self.scribe.log(), 20)}"):
            return False
        self.hs.set_appservice_url(self.scribe.url())
        common = dict(response_url_for=self.fake.response_url, bot_user_id=BOT_USER_ID,
                      bot_id=BOT_ID)
        self.d1 = CapturingDriver(self.captured, self.scribe.url(), self.signing_secret,
                                  team_id=T1, team_domain="one", **common)
        self.d2 = CapturingDriver(self.captured, self.scribe.url(), self.signing_secret,
                                  team_id=T2, team_domain="two", **common)
        for uid, name in (("U_A", "anna"), ("U_B", "ben"), ("U_C", "cleo")):
            self.fake.add_user(uid, name, display_name=name.title())
        return True

    # ---- helpers ---------------------------------------------------------------------------

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, dict, bytes]:
        status, answer_headers, data = http_request(self.scribe.url(), method, path, body, headers)
        self.captured.append((f"{method} {path}", status, answer_headers, data))
        return status, answer_headers, data

    def db_state(self) -> dict:
        """Every row of every table (the whole database as Scribe left it)."""
        state = {}
        for name in self.db.tables():
            # Sorted: PostgreSQL gives rows in no fixed order (an update moves a row).
            state[name] = sorted((tuple(r.values()) for r in self.db.rows(f'SELECT * FROM "{name}"')),
                                 key=repr)
        return state

    @staticmethod
    def state_diff(before: dict, after: dict) -> dict:
        diff = {}
        for table in sorted(set(before) | set(after)):
            b, a = before.get(table, []), after.get(table, [])
            if b != a:
                diff[table] = {"added": [r for r in a if r not in b][:3],
                               "removed": [r for r in b if r not in a][:3]}
        return diff

    def slack_calls(self) -> list[dict]:
        return [c for c in self.fake.calls() if c["method"] != "auth.test"]

    def hs_calls(self) -> list[dict]:
        return self.hs.calls()

    def incident(self, workspace: str, channel: str) -> dict | None:
        found = self.db.rows("SELECT * FROM incidents WHERE workspace = ? AND channel = ? "
                             "ORDER BY id DESC", (workspace, channel))
        return found[0] if found else None

    def entries_of(self, inc: dict | None) -> list[tuple]:
        if not inc:
            return []
        return [(e["id"], e["source"], e["text"], e.get("message_ref")) for e in self.db.entries(inc["id"])]

    @staticmethod
    def reply_text(reply: Reply) -> str:
        try:
            return str(reply.json().get("text", ""))
        except (ValueError, AttributeError):
            return reply.text

    @staticmethod
    def aligned_now() -> int:
        """Now in whole seconds, taken early in a second: Scribe, which floors its own clock the
        same way, then sees the same second."""
        while time.time() % 1.0 > 0.3:
            time.sleep(0.05)
        return int(time.time())

    # ---- 1. Slack signing ------------------------------------------------------------------

    def g_slack_signing(self) -> None:
        group("Slack: refused requests get 401 and leave no trace")
        d = self.d1
        # An incident that legitimate requests use afterwards (the ±300 s boundary).
        reply = d.send(d.slash_command("open Signing boundary", "C_SIG", "sig", "U_A", "anna"))
        R.check("a signed /incident open: 200", reply.status == 200, reply)
        time.sleep(0.5)
        before_db, before_calls, before_hs = self.db_state(), len(self.slack_calls()), len(self.hs_calls())

        cmd = d.slash_command("open FORGED-INCIDENT", "C_FORGE", "forge", "U_MALLORY", "mallory",
                              response_id="forged-cmd", trigger_id="FORGED.trigger")
        note = d.slash_command("note FORGED-NOTE", "C_SIG", "sig", "U_MALLORY", "mallory",
                               response_id="forged-note")
        help_cmd = d.slash_command("help", "C_FORGE", "forge", "U_MALLORY", "mallory")
        mention = d.event_callback(d.app_mention("U_MALLORY", f"<@{BOT_USER_ID}> FORGED-MENTION",
                                                 "C_SIG", SlackDriver.now_ts()))
        action = d.message_action("add_to_timeline", {"type": "message", "user": "U_MALLORY",
                                                      "ts": "1500000000.000002", "text": "FORGED-ACTION"},
                                  "C_SIG", "sig", "U_MALLORY", "mallory", response_id="forged-act",
                                  trigger_id="FORGED.trigger.2")

        def with_signature(req, transform):
            headers = dict(d.sign(req.body))
            headers["X-Slack-Signature"] = transform(headers["X-Slack-Signature"])
            return d.post(req.path, req.body, req.content_type, headers)

        def signed_other_ts(req):
            """Signed for one timestamp, sent with another (both fresh)."""
            now = int(time.time())
            headers = {"X-Slack-Request-Timestamp": str(now),
                       "X-Slack-Signature": d.sign(req.body, timestamp=str(now - 1))["X-Slack-Signature"]}
            return d.post(req.path, req.body, req.content_type, headers)

        cases = []
        for label, req in (("slash open", cmd), ("slash note", note), ("event app_mention", mention),
                           ("interaction message_action", action)):
            cases += [
                (f"{label}: signed with the wrong secret", lambda q=req: d.send_forged(q)),
                (f"{label}: timestamp 301 s old", lambda q=req: d.send_stale(q, -301)),
                (f"{label}: timestamp 301 s ahead", lambda q=req: d.send_stale(q, +301)),
                (f"{label}: unsigned", lambda q=req: d.send_unsigned(q)),
                (f"{label}: no timestamp header", lambda q=req: d.send_without_timestamp(q)),
                (f"{label}: version prefix v1=", lambda q=req: d.send_bad_version(q)),
                (f"{label}: hex digits in upper case", lambda q=req: with_signature(
                    q, lambda s: "v0=" + s[3:].upper())),
                (f"{label}: signature truncated by one digit", lambda q=req: with_signature(
                    q, lambda s: s[:-1])),
                (f"{label}: signature 'v0=' only", lambda q=req: with_signature(q, lambda s: "v0=")),
                (f"{label}: signed for another timestamp", lambda q=req: signed_other_ts(q)),
            ]
        cases += [
            ("slash: replayed signature (of 'help') with a changed body (open FORGED)",
             lambda: d.send_replayed(help_cmd, cmd.body)),
            ("slash: the signed body plus trailing bytes",
             lambda: d.send_replayed(note, note.body + b"&text=FORGED-APPENDED")),
            ("event: the signing secret sent as the signature",
             lambda: with_signature(mention, lambda s: self.signing_secret)),
        ]
        echoed = []
        for what, fn in cases:
            reply = fn()
            R.check(f"Slack {what}: 401", reply.status == 401, reply)
            if b"FORGED" in reply.body:
                echoed.append(what)
        R.check("no refused Slack request has its content echoed back", not echoed, echoed)
        time.sleep(1.0)   # anything wrongly enqueued would have been processed by now
        diff = self.state_diff(before_db, self.db_state())
        R.check("refused Slack requests: every table of the database unchanged", not diff,
                json.dumps(diff, default=str)[:800])
        calls = self.slack_calls()[before_calls:]
        R.check("refused Slack requests: no Web API call at all", not calls,
                [(c["method"], c["params"]) for c in calls][:5])
        R.check("refused Slack requests: no Matrix call either", len(self.hs_calls()) == before_hs)
        R.check("refused Slack requests: 'FORGED' nowhere in the database",
                "FORGED" not in json.dumps(self.db_state(), default=str))

        group("Slack: the 5-minute window's edges are accepted")
        for offset in (-300, +300, -299, +299):
            now = self.aligned_now()
            req = d.slash_command(f"note boundary {offset:+d}", "C_SIG", "sig", "U_A", "anna")
            reply = d.send(req, timestamp=str(now + offset))
            R.check(f"signed note with a timestamp exactly {offset:+d} s from now: 200 'Noted'",
                    reply.status == 200 and "Noted in" in self.reply_text(reply), reply)

    # ---- 2. Matrix -------------------------------------------------------------------------

    def mx_event(self, room: str, sender: str, body: str) -> dict:
        return {"type": "m.room.message", "room_id": room, "sender": sender,
                "event_id": "$" + secrets.token_urlsafe(16), "origin_server_ts": int(time.time() * 1000),
                "content": {"msgtype": "m.text", "body": body}, "unsigned": {"age": 1}}

    def mx_put(self, txn: str, events: list, header: str | None, query: str | None,
               path: str = TXN) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if header is not None:
            headers["Authorization"] = header
        target = path + urllib.parse.quote(txn, safe="")
        if query is not None:
            target += "?access_token=" + urllib.parse.quote(query, safe="")
        status, _, data = self.request("PUT", target, json.dumps({"events": events}).encode(), headers)
        try:
            parsed = json.loads(data.decode())
        except ValueError:
            parsed = {"raw": data[:200]}
        return status, parsed

    def mx_command(self, room: str, sender: str, text: str) -> dict:
        return self.hs.send_event(room, sender, "m.room.message", {"msgtype": "m.text", "body": text})

    def mx_replies(self, room: str, event: dict) -> list[dict]:
        out = []
        for e in self.hs.sent_by_bot(room, "m.room.message"):
            rel = (e.get("content") or {}).get("m.relates_to") or {}
            if (rel.get("m.in_reply_to") or {}).get("event_id") == event["event_id"]:
                out.append(e)
        return out

    def g_matrix(self) -> None:
        group("Matrix: rooms A and B, Scribe invited into both")
        for room in (ROOM_A, ROOM_B):
            self.hs.create_room(room, members={ALICE: "Alice", BOB: "Bob"}, join_rule="invite")
            self.hs.invite(room, MX_BOT, ALICE)
        joined = poll(lambda: MX_BOT in self.hs.members(ROOM_A) and MX_BOT in self.hs.members(ROOM_B),
                      POLL)
        R.check("Scribe joins both rooms", joined)
        for room, title in ((ROOM_A, "Alpha room"), (ROOM_B, "Bravo room")):
            ev = self.mx_command(room, ALICE, f"!incident open {title}")
            R.check(f"!incident open in {room}: answered", poll(lambda e=ev, r=room: self.mx_replies(r, e), POLL))
        inc_a = poll(lambda: self.incident(MX_SERVER, ROOM_A), POLL)
        inc_b = poll(lambda: self.incident(MX_SERVER, ROOM_B), POLL)
        R.check("Matrix: an incident per room", inc_a and inc_b and inc_a["id"] != inc_b["id"],
                (inc_a, inc_b))

        group("Matrix: refused transactions leave no trace")
        time.sleep(0.5)
        before_db, before_hs, before_slack = self.db_state(), len(self.hs_calls()), len(self.slack_calls())
        forged = [self.mx_event(ROOM_A, BOB, "!incident note FORGED-MX-NOTE"),
                  self.mx_event("!forged:localhost", BOB, "!incident open FORGED-MX-OPEN")]
        wrong = secrets.token_hex(16)
        cases = [
            ("no token", None, None, 401, "M_MISSING_TOKEN"),
            ("a wrong Bearer token", f"Bearer {wrong}", None, 403, "M_FORBIDDEN"),
            ("a wrong ?access_token=", None, wrong, 403, "M_FORBIDDEN"),
            ("the right Bearer, a wrong ?access_token=", f"Bearer {self.hs_token}", wrong, 403,
             "M_FORBIDDEN"),
            ("a wrong Bearer, the right ?access_token=", f"Bearer {wrong}", self.hs_token, 403,
             "M_FORBIDDEN"),
            ("the as_token as Bearer", f"Bearer {self.as_token}", None, 403, "M_FORBIDDEN"),
            ("the hs_token with a character more", f"Bearer {self.hs_token}x", None, 403, "M_FORBIDDEN"),
            ("a prefix of the hs_token", f"Bearer {self.hs_token[:-1]}", None, 403, "M_FORBIDDEN"),
            ("an empty Bearer", "Bearer ", None, None, None),
            ("Basic auth with the hs_token",
             "Basic " + base64.b64encode(f"x:{self.hs_token}".encode()).decode(), None, None, None),
        ]
        txn_ids = []
        for i, (what, header, query, want, errcode) in enumerate(cases):
            txn = f"forged-{i}"
            txn_ids.append(txn)
            status, parsed = self.mx_put(txn, forged, header, query)
            if want is None:
                R.check(f"Matrix transaction with {what}: 401 or 403",
                        status in (401, 403) and parsed.get("errcode") in ("M_MISSING_TOKEN", "M_FORBIDDEN",
                                                                          "M_UNKNOWN_TOKEN"),
                        (status, parsed))
            else:
                R.check(f"Matrix transaction with {what}: {want} {errcode}",
                        status == want and parsed.get("errcode") == errcode, (status, parsed))
        status, parsed = self.mx_put("forged-legacy", forged, None, None, path="/transactions/")
        R.check("Matrix legacy /transactions/ without a token: 401 M_MISSING_TOKEN",
                status == 401 and parsed.get("errcode") == "M_MISSING_TOKEN", (status, parsed))
        for what, method, path in (("users", "GET", "/_matrix/app/v1/users/" + urllib.parse.quote(MX_BOT)),
                                   ("rooms", "GET", "/_matrix/app/v1/rooms/%23x%3Alocalhost"),
                                   ("ping", "POST", "/_matrix/app/v1/ping")):
            status, _, data = self.request(method, path, b"{}" if method == "POST" else None,
                                           {"Authorization": f"Bearer {wrong}",
                                            "Content-Type": "application/json"})
            R.check(f"Matrix {what} with a wrong token: 403", status == 403, (status, data[:200]))
        time.sleep(1.0)
        diff = self.state_diff(before_db, self.db_state())
        R.check("refused Matrix transactions: every table of the database unchanged", not diff,
                json.dumps(diff, default=str)[:800])
        R.check("refused Matrix transactions: Scribe made no Client-Server call",
                len(self.hs_calls()) == before_hs,
                [(c["http_method"], c["path"]) for c in self.hs_calls()[before_hs:]][:5])
        R.check("refused Matrix transactions: no Slack call either", len(self.slack_calls()) == before_slack)

        # The txnId of a refused attempt is not burnt: the homeserver's real delivery still counts.
        real = self.mx_event(ROOM_A, BOB, "!incident note delivered after a refused attempt")
        status, parsed = self.mx_put(txn_ids[1], [real], f"Bearer {self.hs_token}", None)
        R.check("the txnId of a refused attempt, sent again with the hs_token: 200 {}",
                status == 200 and parsed == {}, (status, parsed))
        R.check("... and its note is recorded in room A's incident",
                poll(lambda: any("delivered after a refused attempt" in (e[2] or "")
                                 for e in self.entries_of(inc_a)), POLL), self.entries_of(inc_a))

        group("Matrix: isolation between rooms A and B")
        b_before = self.entries_of(self.incident(MX_SERVER, ROOM_B))
        ev = self.mx_command(ROOM_A, ALICE, "!incident note only in room A")
        poll(lambda: self.mx_replies(ROOM_A, ev), POLL)
        ev = self.mx_command(ROOM_A, ALICE, "!incident sev 1")
        poll(lambda: self.mx_replies(ROOM_A, ev), POLL)
        R.check("Matrix: a note and sev in room A recorded in A",
                any("only in room A" in (e[2] or "") for e in self.entries_of(self.incident(MX_SERVER, ROOM_A))))
        R.check("Matrix: room B's timeline unchanged by room A's note and sev",
                self.entries_of(self.incident(MX_SERVER, ROOM_B)) == b_before)
        inc_b_now = self.incident(MX_SERVER, ROOM_B)
        R.check("Matrix: room B's severity and status unchanged",
                inc_b_now and (inc_b_now["severity"], inc_b_now["status"]) == (inc_b["severity"], inc_b["status"]),
                (inc_b, inc_b_now))
        ev = self.mx_command(ROOM_B, BOB, "!incident status")
        got = poll(lambda: self.mx_replies(ROOM_B, ev), POLL)
        text = (got[0].get("content") or {}).get("body", "") if got else ""
        R.check("Matrix: !incident status in room B names B's incident, not A's",
                "Bravo room" in text and "Alpha room" not in text, text)

    # ---- 3. Web ----------------------------------------------------------------------------

    def g_web(self) -> None:
        group("web: the token guards pages, the API, /metrics and the playground")
        wrong = secrets.token_hex(16)
        status, headers, _ = self.request("POST", "/signin",
                                          urllib.parse.urlencode({"token": wrong, "next": "/"}).encode(),
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        R.check("POST /signin with a wrong token: 401, no cookie", status == 401 and
                "set-cookie" not in headers, (status, headers))
        status, headers, _ = self.request("POST", "/signin",
                                          urllib.parse.urlencode({"token": self.web_token,
                                                                  "next": "/"}).encode(),
                                          {"Content-Type": "application/x-www-form-urlencoded"})
        cookie = headers.get("set-cookie", "").split(";")[0]
        R.check("POST /signin with the token: 303 and a session cookie", status == 303 and "=" in cookie,
                (status, headers))
        self.cookie = cookie
        cookie_name, _, cookie_value = cookie.partition("=")
        R.check("the session cookie is not the raw token", cookie_value != self.web_token
                and self.web_token not in cookie)

        inc = self.incident(T1, C1) or {"number": 1}
        label = f"INC-{inc['number']}"
        # A draft, so that the export has something to serve to the right credentials.
        reply = self.d1.send(self.d1.slash_command("draft", C1, "general", "U_A", "anna"))
        R.check("/incident draft in T1/C1: 200", reply.status == 200, reply)
        poll(lambda: self.db.drafts(inc["id"]) if "id" in inc else None, POLL)
        export = f"/incidents/{label}/postmortem.md?workspace={T1}"
        pages = ["/", f"/incidents/{label}?workspace={T1}", "/playground"]
        apis = ["/api/incidents", f"/api/incidents/{label}?workspace={T1}", "/metrics",
                "/playground/messages", export]
        bearer = {"Authorization": f"Bearer {self.web_token}"}
        refusals = [
            ("no token", {}),
            ("a wrong Bearer", {"Authorization": f"Bearer {wrong}"}),
            ("the token as Basic auth", {"Authorization": "Basic " + base64.b64encode(
                f"scribe:{self.web_token}".encode()).decode()}),
            ("the token without 'Bearer'", {"Authorization": self.web_token}),
            ("a Bearer with the token plus one character", {"Authorization": f"Bearer {self.web_token}0"}),
            ("a Bearer with a prefix of the token", {"Authorization": f"Bearer {self.web_token[:-1]}"}),
            ("the raw token as the session cookie", {"Cookie": f"{cookie_name}={self.web_token}"}),
            ("a forged session cookie", {"Cookie": f"{cookie_name}={'0' * len(cookie_value)}"}),
            ("an empty session cookie", {"Cookie": f"{cookie_name}="}),
        ]
        for path in pages + apis:
            for what, headers in refusals:
                status, answer, data = self.request("GET", path, None, headers)
                if path in pages:
                    ok = status == 303 and answer.get("location", "").startswith("/signin")
                    want = "303 to /signin"
                else:
                    ok = status == 401
                    want = "401"
                R.check(f"GET {path} with {what}: {want}", ok, (status, answer.get("location"), data[:120]))
                if ok and status == 401 and path not in pages:
                    R.check(f"GET {path} with {what}: WWW-Authenticate: Bearer",
                            answer.get("www-authenticate", "").startswith("Bearer"), answer)
            sep = "&" if "?" in path else "?"
            for param in ("token", "access_token"):
                status, _, _ = self.request("GET", f"{path}{sep}{param}={self.web_token}")
                R.check(f"GET {path} with the token as ?{param}=: refused (303/401)",
                        status in (303, 401), status)
            status, _, data = self.request("GET", path, None, bearer)
            R.check(f"GET {path} with the right Bearer: 200", status == 200, (status, data[:200]))
            if path == "/metrics" and status == 200:
                self.metrics_body = data
            status, _, data = self.request("GET", path, None, {"Cookie": cookie})
            R.check(f"GET {path} with the session cookie from /signin: 200", status == 200,
                    (status, data[:200]))
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        body = urllib.parse.urlencode({"author": "mallory", "text": "/incident open FORGED-PLAYGROUND"}).encode()
        status, _, _ = self.request("POST", "/playground/messages", body, form)
        R.check("POST /playground/messages without the token: 401", status == 401, status)
        status, _, _ = self.request("POST", "/playground/messages", body,
                                    {**form, "Authorization": f"Bearer {wrong}"})
        R.check("POST /playground/messages with a wrong Bearer: 401", status == 401, status)
        status, _, _ = self.request("POST", "/playground/messages", body,
                                    {**form, "Cookie": cookie, "Origin": "https://evil.example"})
        R.check("POST /playground/messages with the cookie but from another origin: 403", status == 403,
                status)
        R.check("refused playground posts are not stored", "FORGED-PLAYGROUND" not in
                json.dumps(self.db_state(), default=str))
        status, _, _ = self.request("GET", "/healthz")
        R.check("GET /healthz without a token: 200 (public)", status == 200, status)

    # ---- 4. Slack isolation ----------------------------------------------------------------

    def g_slack_isolation(self) -> None:
        group("Slack isolation: T1/C1, T2/C1 (the same channel id), T1/C2")
        d1, d2 = self.d1, self.d2
        opened = {}
        for d, team, ch, title in ((d1, T1, C1, "Alpha one"), (d2, T2, C1, "Bravo two"),
                                   (d1, T1, C2, "Charlie three")):
            reply = d.send(d.slash_command(f"open {title}", ch, "general", "U_A", "anna"))
            R.check(f"open in {team}/{ch}: 200 'opened'", reply.status == 200 and
                    "opened by" in self.reply_text(reply), reply)
            opened[(team, ch)] = self.incident(team, ch)
        a, b, c = opened[(T1, C1)], opened[(T2, C1)], opened[(T1, C2)]
        if not R.check("three distinct incidents in the database", a and b and c and
                       len({a["id"], b["id"], c["id"]}) == 3, (a, b, c)):
            return
        R.check("T1/C1 and T2/C1 keep their own titles",
                (a["title"], b["title"]) == ("Alpha one", "Bravo two"), (a["title"], b["title"]))

        def snapshot():
            return {k: (self.incident(*k), self.entries_of(self.incident(*k))) for k in opened}

        def status_text(d, ch):
            return self.reply_text(d.send(d.slash_command("status", ch, "general", "U_B", "ben")))

        before = snapshot()
        reply = d1.send(d1.slash_command("note only for alpha", C1, "general", "U_B", "ben"))
        R.check("note in T1/C1: 'Noted in'", "Noted in" in self.reply_text(reply), reply)
        reply = d1.send(d1.slash_command("sev 1", C2, "general", "U_B", "ben"))
        R.check("sev 1 in T1/C2: 200", reply.status == 200, reply)
        after = snapshot()
        R.check("T2/C1: neither its row nor its timeline changed by T1's note and sev",
                after[(T2, C1)] == before[(T2, C1)], (before[(T2, C1)], after[(T2, C1)]))
        R.check("T1/C1's note is in T1/C1 only",
                any(e[2] == "only for alpha" for e in after[(T1, C1)][1])
                and not any(e[2] == "only for alpha" for k in ((T2, C1), (T1, C2)) for e in after[k][1]))
        R.check("T1/C2's severity changed, T1/C1's and T2/C1's did not",
                after[(T1, C2)][0]["severity"] != before[(T1, C2)][0]["severity"]
                and after[(T1, C1)][0]["severity"] == before[(T1, C1)][0]["severity"]
                and after[(T2, C1)][0]["severity"] == before[(T2, C1)][0]["severity"],
                {k: (before[k][0]["severity"], after[k][0]["severity"]) for k in opened})
        for d, team, ch, mine, others in ((d1, T1, C1, "Alpha one", ("Bravo two", "Charlie three")),
                                          (d2, T2, C1, "Bravo two", ("Alpha one", "Charlie three")),
                                          (d1, T1, C2, "Charlie three", ("Alpha one", "Bravo two"))):
            text = status_text(d, ch)
            R.check(f"/incident status in {team}/{ch} names its own incident only",
                    mine in text and not any(o in text for o in others), text)

        group("Slack isolation: a flag in T1/C1 and reactions from T2 on the same channel/ts")
        ts = SlackDriver.now_ts()
        self.fake.add_message(C1, ts, "U_C", "the database is on fire")
        reply = d1.send(d1.event_callback(d1.reaction_added("U_C", FLAG, C1, ts, "U_C")))
        R.check("T1 reaction_added pushpin: 200", reply.status == 200, reply)
        flagged = poll(lambda: [e for e in self.entries_of(self.incident(T1, C1)) if e[1] == "reaction"], POLL)
        if not R.check("T1's flag is recorded in T1/C1", flagged, self.entries_of(self.incident(T1, C1))):
            return
        poll(lambda: any(c["method"] == "reactions.add" and c["params"].get("timestamp") == ts
                         for c in self.slack_calls()), POLL)
        t1_before = self.entries_of(self.incident(T1, C1))
        t2_before = self.entries_of(self.incident(T2, C1))
        # T2 removes "its" pushpin from C1/ts: the message T1 flagged has the same channel and ts.
        reply = d2.send(d2.event_callback(d2.reaction_removed("U_C", FLAG, C1, ts, "U_C")))
        R.check("T2 reaction_removed on the same channel/ts: 200", reply.status == 200, reply)
        # Barrier: a T2 note is processed synchronously; events are asynchronous, so wait too.
        time.sleep(2.0)
        R.check("T2's reaction_removed leaves T1/C1's flagged entry in place",
                self.entries_of(self.incident(T1, C1)) == t1_before,
                (t1_before, self.entries_of(self.incident(T1, C1))))
        removes = [c for c in self.slack_calls() if c["method"] == "reactions.remove"
                   and c["params"].get("timestamp") == ts]
        R.check("T2's reaction_removed does not take back T1's confirmation", not removes, removes)
        # T2 flags the same channel/ts: at most T2's own incident gets an entry; T1's is untouched.
        reply = d2.send(d2.event_callback(d2.reaction_added("U_B", FLAG, C1, ts, "U_C")))
        R.check("T2 reaction_added on the same channel/ts: 200", reply.status == 200, reply)
        time.sleep(2.0)
        R.check("T2's reaction_added does not change T1/C1's timeline",
                self.entries_of(self.incident(T1, C1)) == t1_before,
                (t1_before, self.entries_of(self.incident(T1, C1))))
        t2_after = self.entries_of(self.incident(T2, C1))
        new_t2 = [e for e in t2_after if e not in t2_before]
        R.check("T2's flag lands, if anywhere, in T2/C1 only (at most one entry)",
                len(new_t2) <= 1, new_t2)
        print(f"note: T2's pushpin on the same channel/ts made {len(new_t2)} entry in T2/C1", flush=True)
        # Now T2 removes its flag: T1's entry must still stay.
        reply = d2.send(d2.event_callback(d2.reaction_removed("U_B", FLAG, C1, ts, "U_C")))
        time.sleep(2.0)
        R.check("T2 removing its own flag leaves T1/C1's entry in place",
                [e for e in self.entries_of(self.incident(T1, C1))] == t1_before)

        group("Slack isolation: closing T2/C1 leaves T1's incidents open")
        reply = d2.send(d2.slash_command("close", C1, "general", "U_A", "anna"))
        R.check("close in T2/C1: 200", reply.status == 200, reply)
        closed = poll(lambda: (self.incident(T2, C1) or {}).get("status") == "closed", POLL)
        R.check("T2/C1 is closed", closed, self.incident(T2, C1))
        R.check("T1/C1 and T1/C2 stay open",
                self.incident(T1, C1)["status"] == "open" and self.incident(T1, C2)["status"] == "open",
                (self.incident(T1, C1), self.incident(T1, C2)))
        text = status_text(d1, C1)
        R.check("/incident status in T1/C1 after T2/C1 closed: still Alpha one, open",
                "Alpha one" in text and "open" in text, text)
        text = status_text(d2, C1)
        R.check("/incident status in T2/C1 after closing: no open incident", "no open incident" in text.lower(),
                text)
        reply = d1.send(d1.slash_command("note after the other workspace closed", C1, "general", "U_B", "ben"))
        R.check("a note in T1/C1 still lands in Alpha one", "Noted in" in self.reply_text(reply) and
                any(e[2] == "after the other workspace closed" for e in self.entries_of(self.incident(T1, C1))),
                reply)

    def g_postmortem_isolation(self) -> None:
        group("Slack isolation: a closed incident's postmortem (T1/C3) and T2 on the same channel")
        d1, d2 = self.d1, self.d2
        reply = d1.send(d1.slash_command("open Delta four", "C3", "general", "U_A", "anna"))
        delta = self.incident(T1, "C3")
        if not R.check("open Delta in T1/C3", reply.status == 200 and delta, reply):
            return
        reply = d1.send(d1.slash_command("close", "C3", "general", "U_A", "anna"))
        R.check("close Delta: 200", reply.status == 200, reply)
        questions = poll(lambda: (lambda q: q if q and all(r["message_ref"] for r in q) else None)(
            self.db.questions(delta["id"])), POLL)
        if not R.check("Delta's questions are posted (message_ref set)", questions,
                       self.db.questions(delta["id"])):
            return
        q_channel, _, q_ts = questions[0]["message_ref"].partition("/")

        def thread_answer(d, user, text):
            ts = self.fake.new_ts()
            self.fake.add_message(q_channel, ts, user, text, thread_ts=q_ts)
            return d.send(d.event_callback(d.thread_reply(q_channel, ts, q_ts, user, text,
                                                          parent_user_id=BOT_USER_ID)))

        reply = thread_answer(d2, "U_B", "FOREIGN answer from T2")
        R.check("T2 thread reply under T1's question ts (same channel id): acked 200",
                reply.status == 200, reply)
        reply = thread_answer(d1, "U_A", "answer from T1")
        poll(lambda: any(a["text"] == "answer from T1" for a in self.db.answers(delta["id"])), POLL)
        time.sleep(0.5)
        texts = [a["text"] for a in self.db.answers(delta["id"])]
        R.check("T1's own thread reply is an answer for Delta (the control)", "answer from T1" in texts,
                texts)
        R.check("T2's thread reply under the same channel/ts is NOT an answer for T1's Delta",
                "FOREIGN answer from T2" not in texts, texts)

        # The 'Answer in a form' button, clicked from T2 with Delta's id as its value.
        intro = {"type": "message", "ts": q_ts, "text": "questions"}
        click = d2.block_actions("postmortem_answer_form", str(delta["id"]), "U_B", "ben", q_channel,
                                 "general", intro, team_id=T2)
        trigger = SlackDriver.trigger_of(click)
        reply = d2.send(click)
        R.check("T2 click on T1's form button: acked", reply.status == 200, reply)
        control = d1.block_actions("postmortem_answer_form", str(delta["id"]), "U_A", "anna", q_channel,
                                   "general", intro, team_id=T1)
        d1.send(control)
        poll(lambda: [v for v in self.fake.views() if v["trigger_id"] == SlackDriver.trigger_of(control)],
             POLL)
        R.check("T1's click opens the form (the control)",
                [v for v in self.fake.views() if v["trigger_id"] == SlackDriver.trigger_of(control)])
        R.check("T2's click opens no form for T1's incident",
                not [v for v in self.fake.views() if v["trigger_id"] == trigger])

    # ---- 5. Secrets ------------------------------------------------------------------------

    def secret_forms(self) -> dict[str, list[tuple[str, str]]]:
        out = {}
        configured = [("slack.signing_secret", self.signing_secret),
                      ("slack.bot_token", self.bot_token),
                      ("matrix.as_token", self.as_token),
                      ("matrix.hs_token", self.hs_token),
                      ("web.token", self.web_token)]
        if self.db.password:
            configured.append(("the password in storage.url", self.db.password))
        for name, value in configured:
            core = value[5:] if value.startswith("xoxb-") else value
            out[name] = [
                ("raw", value),
                ("upper case", value.upper()),
                ("base64", base64.b64encode(value.encode()).decode().rstrip("=")),
                ("percent-encoded", urllib.parse.quote(value, safe="")),
                ("hex of the bytes", value.encode().hex()),
                ("12-character prefix", core[:12]),
                ("12-character suffix", core[-12:]),
            ]
        return out

    def g_secrets(self) -> None:
        group("secrets: never in anything Scribe wrote")
        # An error path or two more, whose bodies are searched too.
        self.request("GET", "/api/incidents", None, {"Authorization": f"Bearer {self.web_token}x"})
        self.request("PUT", TXN + "final", b"not json", {"Authorization": f"Bearer {self.hs_token}",
                                                         "Content-Type": "application/json"})
        if self.scribe.running():
            rc, _ = self.scribe.terminate()
            R.check("SIGTERM: exit 0", rc == 0, rc)
        sources: list[tuple[str, bytes]] = []
        with open(self.scribe.log_path, "rb") as f:
            sources.append(("scribe.log (stdout and stderr)", f.read()))
        for what, status, headers, body in self.captured:
            sources.append((f"response to {what} ({status})",
                            json.dumps(headers).encode() + b"\n" + body))
        sources.append(("/metrics body", self.metrics_body))
        echoes = []
        if self.db.is_sqlite:
            for path in glob.glob(self.db.path + "*"):
                with open(path, "rb") as f:
                    sources.append((os.path.basename(path), f.read()))
        else:
            # The server's files hold every test's databases; this run's is read through SQL.
            print("note: on PostgreSQL every row of every table is searched instead of the database "
                  "files", flush=True)
            sources.append(("the PostgreSQL database (every row of every table)",
                            json.dumps(self.db_state(), default=repr).encode()))
        other_files = [p for p in glob.glob(os.path.join(self.work, "**"), recursive=True)
                       if os.path.isfile(p) and not (self.db.is_sqlite and p.startswith(self.db.path))
                       and p != self.scribe.log_path]
        for path in other_files:
            with open(path, "rb") as f:
                sources.append((os.path.relpath(path, self.work), f.read()))
        R.check("the /metrics body was captured", len(self.metrics_body) > 0)
        R.check("Scribe's log is not empty", len(sources[0][1]) > 1000, len(sources[0][1]))
        hits = []
        for secret_name, forms in self.secret_forms().items():
            for form_name, needle in forms:
                n = needle.encode()
                for where, data in sources:
                    if n in data or n.lower() in data.lower() and form_name != "base64":
                        i = data.lower().find(n.lower())
                        hit = (f"{secret_name} ({form_name}) in {where}: "
                               f"...{data[max(0, i - 80):i + len(n) + 40]!r}...")
                        # A redirect's next= repeating the URL the client itself sent (with the
                        # token in its query) is the client's own text, not a leak.
                        if where.startswith("response to ") and needle.lower() in where.lower():
                            echoes.append(hit)
                        else:
                            hits.append(hit)
        R.check("no secret, nor a derivation of one, in Scribe's log, responses, /metrics or files",
                not hits, "\n      ".join(hits[:12]))
        if echoes:
            print(f"note: {len(echoes)} responses repeat a secret the request itself carried in its "
                  "URL (the sign-in redirect's next=), e.g.\n      " + echoes[0], flush=True)
        # Each platform's secrets stay with that platform.
        slack_seen = json.dumps(self.fake.calls()).encode()
        hs_seen = json.dumps(self.hs.calls(), default=str).encode()
        cross = []
        for name, value in (("matrix.as_token", self.as_token), ("matrix.hs_token", self.hs_token),
                            ("web.token", self.web_token), ("slack.signing_secret", self.signing_secret)):
            if value.encode() in slack_seen:
                cross.append(f"{name} reached the fake Slack")
        for name, value in (("slack.bot_token", self.bot_token), ("slack.signing_secret", self.signing_secret),
                            ("web.token", self.web_token), ("matrix.hs_token", self.hs_token)):
            if value.encode() in hs_seen:
                cross.append(f"{name} reached the fake homeserver")
        if self.db.password:
            for fake, seen in (("the fake Slack", slack_seen), ("the fake homeserver", hs_seen)):
                if self.db.password.encode() in seen:
                    cross.append(f"the password in storage.url reached {fake}")
        R.check("no secret was sent to the other platform (or hs_token to the homeserver)", not cross, cross)
        log = sources[0][1].decode("utf-8", "replace")
        config_lines = [line for line in log.splitlines() if 'msg="configuration"' in line or "msg=configuration" in line]
        R.check("the configuration log line exists and names the secret keys without their values",
                config_lines and "signing_secret" in config_lines[0], config_lines[:1])

    # ---- run -------------------------------------------------------------------------------

    def run(self) -> None:
        try:
            if not self.start():
                return
            for step in (self.g_slack_signing, self.g_matrix, self.g_slack_isolation,
                         self.g_postmortem_isolation, self.g_web):
                try:
                    step()
                except Exception:  # a broken step is a failure; the others still run
                    R.fail(f"{step.__name__} raised", traceback.format_exc())
            try:
                self.g_secrets()
            except Exception:
                R.fail("g_secrets raised", traceback.format_exc())
            print(f"runtime: {time.monotonic() - self.started_at:.1f} s", flush=True)
        finally:
            finish_run(R, self.scribe, self.fake, self.work, "SECURITY_E2E_KEEP",
                       {"calls.json": self.fake.calls,
                        "hs_calls.json": lambda: json.loads(json.dumps(self.hs.calls(), default=str))},
                       store=self.db)
            self.hs.stop()


def main(argv: list[str]) -> int:
    return run_scenario(argv, R, Scenario)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
