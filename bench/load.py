"""Load benchmark: how fast the app acknowledges Slack with many people using it at once.

    python bench/load.py                # 50 people, 20 s per run, against the app and bare Bolt
    python bench/load.py --quick        # 10 people, 5 s per run
    python bench/load.py --users 100 --seconds 30 --think 0,2
    python bench/load.py --profile      # and where the app's time goes
    python bench/load.py --slack-ms 150 # the fake Slack takes 150 ms a call, as Slack may
    python bench/load.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME
    python bench/load.py --launch       # launch day: a crowd signs up at once (bench/launch.py)

*** WARNING: THIS WIPES THE DATABASE IT RUNS AGAINST. ***
It runs `DROP SCHEMA public CASCADE` on the Postgres database given by --database-url (default:
the BENCH_DATABASE_URL environment variable, else test_load on 127.0.0.1), migrates it to head
and seeds it: one workspace, its open program, N enrolled participants (default 500, through the
enrollment service; the first is a coordinator), published pairs for 60% of them (with their
group DMs), and an open interest poll. It refuses while anyone else is connected to that
database (--force wipes it all the same).

The app is built by `create_app` and served by waitress exactly as `mentorbot run` serves it
(`make_wsgi_app`, HTTP_THREADS threads), in this process, without the scheduler (as with
`--no-scheduler`), pointed at the fake Slack Web API (tests/fakeslack.py) in a child process, as
Slack is remote (it answers at once unless --slack-ms says otherwise; listeners wait on it after
their ack, holding one of the app's listener threads). The load comes from another child
process: C simulated people (a thread and a keep-alive httpx client each), each sending requests
signed exactly as Slack signs them, one after the other, for D seconds after a warm-up:

    /mentoring status     25%   answered in the ack (database read)
    /mentoring help       15%   answered in the ack
    /mentoring schedule   15%   acked, then the form opens (views.open); paired people only
    App Home pause/resume 20%   acked, then the pause is saved and the Home republished
    poll vote             25%   acked, then the vote is counted and the poll message updated

Each request is timed from sending to Slack's ack (the HTTP response). An error is a non-2xx
answer, no answer, an ack later than Slack's 3 seconds, or an ack whose body is an error
(Bolt's or the app's apology). Work left after the acks (views.open, views.publish, chat.update,
response_url posts...) is drained before the next run; failures there are counted from the log.

Each load runs at several paces (--think, default 0, 1 and 3 s): the mean pause (exponential)
between one person's ack and their next request. At 0 every person sends again as soon as they
are acked, so C requests are always in flight: that measures capacity, and by Little's law the
latency is then C / throughput. At 1 or 3 s it is C people at a (busy) human pace.

The same load is then sent to a bare Bolt app that only acknowledges (one `/mentoring` command
listener and one listener for every action, each calling ack()), same signing secret, same
waitress thread count, so the ratio shows what the app's own work costs. CPU use of the server,
the load generator, the fake Slack and this database's Postgres backends is read from /proc;
the rest of the machine's busy time is other processes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import logging
import multiprocessing
import os
import pstats
import random
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import waitress  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from slack_bolt import Ack, App  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import Connection as Connection_  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bench.postgres import wiped_database  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.cli import HTTP_THREADS  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.handlers.errors import APOLOGY  # noqa: E402
from bot.services.enrollment import save_profile  # noqa: E402
from bot.services.pairs import create_pair  # noqa: E402
from bot.services.polls import start_poll, tally  # noqa: E402
from bot.services.profile import ProfileInput  # noqa: E402
from bot.views.polls import poll_message  # noqa: E402
from bot.web import EVENTS_PATH, make_wsgi_app  # noqa: E402
from models import Program  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.enums import (  # noqa: E402
    Cadence,
    CareerStage,
    PairStatus,
    Personality,
    PollAnswer,
    Role,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_load"
TEAM = "T0LOAD01"
POLL_CHANNEL = "C0LOADPOLL"
POLL_TS = "1700000000.000100"
SIGNING_SECRET = "load-bench-signing-secret-0123456789"  # noqa: S105 (only this bench uses it)
BOT_TOKEN = "xoxb-load-bench"  # noqa: S105 (only the fake Slack sees it)
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
TOPICS = ("generative_ai", "social_media", "leadership")
SLACK_ACK_LIMIT = 3.0  # seconds: Slack shows the person an error after this
PAIRED_SHARE = 0.6
MIX = (("status", 25), ("help", 15), ("schedule", 15), ("home_toggle", 20), ("poll_vote", 25))
HISTOGRAM_MS = (10, 25, 50, 100, 200, 300, 500, 1000, 3000)
PACES = (0.0, 1.0, 3.0)  # back to back, then a busy and a calmer human pace
TARGET_P99_MS = 300


# -- the fake Slack, in a child process ----------------------------------------------------------


def _serve_fake_slack(conn: Connection, users: list[tuple[str, str]], latency: float) -> None:
    from tests.fakeslack import FakeSlack

    with FakeSlack(team_id=TEAM, team_name="Load") as slack:
        for user_id, zone in users:
            slack.add_user(user_id, tz=zone)
        if latency:
            # Slack's own time per Web API call and response_url post (each on its own thread).
            api, response_url = slack._api, slack._response_url

            def slow_api(*args: Any) -> Any:
                time.sleep(latency)
                return api(*args)

            def slow_response_url(*args: Any) -> Any:
                time.sleep(latency)
                return response_url(*args)

            slack._api, slack._response_url = slow_api, slow_response_url
        conn.send((slack.api_url, slack.base_url))
        while True:
            command = conn.recv()
            if command == "stop":
                conn.send(None)
                return
            if command == "count":
                conn.send(len(slack.calls) + len(slack.responses))
            elif command == "summary":
                methods = Counter(c.method for c in slack.calls)
                failed = Counter(c.method for c in slack.calls if not c.ok)
                conn.send(
                    {
                        "methods": dict(methods),
                        "failed": dict(failed),
                        "responses": len(slack.responses),
                        "violations": list(slack.violations[:5]),
                        "violation_count": len(slack.violations),
                        "cpu_s": sum(os.times()[:2]),
                    }
                )


class RemoteFakeSlack:
    """tests.fakeslack.FakeSlack in a child process (as in bench/dispatch.py): its work does not
    compete with the app's threads for this process's interpreter."""

    def __init__(self, users: list[tuple[str, str]], *, latency: float = 0.0) -> None:
        self._users = users
        self._latency = latency
        self.latency_ms = round(latency * 1000, 1)

    def __enter__(self) -> RemoteFakeSlack:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve_fake_slack, args=(child, self._users, self._latency), daemon=True
        )
        self._process.start()
        self.api_url, self.base_url = self._conn.recv()
        self.pid = self._process.pid
        return self

    def __exit__(self, *exc: object) -> None:
        self._ask("stop")
        self._process.join(10)

    def _ask(self, command: str) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def count(self) -> int:
        return int(self._ask("count"))

    def summary(self) -> dict[str, Any]:
        return dict(self._ask("summary"))


# -- seeding --------------------------------------------------------------------------------------


def profile(role: Role, rng: random.Random) -> ProfileInput:
    teach, learn = rng.sample(TOPICS, 2)
    return ProfileInput(
        role=role,
        department=rng.choice(("Engineering", "Finance", "Marketing", "Sales")),
        location=rng.choice(("London", "Lisbon", "Berlin", "Pune")),
        job_title="Analyst" if role == Role.MENTOR else "Director",
        career_stage=CareerStage.EARLY if role == Role.MENTOR else CareerStage.SENIOR,
        teach_topics=[teach],
        learn_topics=[learn],
        self_ratings={learn: rng.randint(1, 3)},
        personality=rng.choice(list(Personality)),
        cadence=Cadence.BIWEEKLY,
        mentee_capacity=1,
        do_not_match=[],
        consent=True,
    )


@dataclass
class Seeded:
    people: list[tuple[str, str]]  # (slack user id, time zone)
    paired: set[str]
    pairs: int
    poll_id: int
    poll_message: dict[str, Any]
    seconds: float


def seed(factory: sessionmaker[Session], participants: int, seed_value: int) -> Seeded:
    """Enrol everyone through the enrollment service, pair 60% of them, open a poll."""
    rng = random.Random(seed_value)
    started = time.perf_counter()
    now = datetime.now(UTC) - timedelta(days=30)
    people = [(f"U0L{i:06d}", rng.choice(ZONES)) for i in range(participants)]
    pair_count = int(participants * PAIRED_SHARE) // 2
    with factory.begin() as db:
        enrolled = []
        for index, (user_id, zone) in enumerate(people):
            role = Role.MENTOR if index % 2 == 0 else Role.MENTEE
            enrolled.append(
                save_profile(
                    db,
                    team_id=TEAM,
                    user_id=user_id,
                    profile=profile(role, rng),
                    timezone=zone,
                    now=now,
                ).participant
            )
        paired = set()
        for number in range(pair_count):
            mentor, mentee = enrolled[2 * number], enrolled[2 * number + 1]
            pair = create_pair(db, mentor=mentor, mentee=mentee, status=PairStatus.ACTIVE, now=now)
            pair.intro_channel = f"G0L{number:06d}"
            pair.intro_sent_at = now
            paired.update((mentor.slack_user_id, mentee.slack_user_id))
        program = db.get(Program, enrolled[0].program_id)
        assert program is not None
        program.signup_open = False  # enrollment is done; the pairs are published
        poll = start_poll(
            db, team_id=TEAM, channel_id=POLL_CHANNEL, created_by=people[0][0], now=now
        )
        poll.message_ts = POLL_TS
        text_, blocks = poll_message(poll.id, tally(db, poll_id=poll.id), closed=False)
        message = {
            "type": "message",
            "user": "UBOTMENTOR",
            "bot_id": "BMENTOR",
            "ts": POLL_TS,
            "text": text_,
            "blocks": [block.to_dict() for block in blocks],
        }
        poll_id = poll.id
    return Seeded(
        people=people,
        paired=paired,
        pairs=pair_count,
        poll_id=poll_id,
        poll_message=message,
        seconds=round(time.perf_counter() - started, 1),
    )


# -- the load: a child process of simulated people ------------------------------------------------


@dataclass(frozen=True)
class Plan:
    bot_url: str
    slack_base_url: str
    users: list[str]
    paired: frozenset[str]
    poll_id: int
    poll_message: dict[str, Any]
    seconds: float
    warmup: float
    think: float
    seed: int


@dataclass
class Person:
    """One simulated person: what they send next, and what they believe about their pause."""

    user_id: str
    paired: bool
    rng: random.Random
    paused: bool = False
    kinds: list[str] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for kind, weight in MIX:
            if kind == "schedule" and not self.paired:
                kind = "help"  # the unpaired have nothing to schedule
            self.kinds.append(kind)
            self.weights.append(weight)

    def next_kind(self) -> str:
        return self.rng.choices(self.kinds, self.weights)[0]


class Requests:
    """Slack's requests, built and signed as Slack builds and signs them (see tests/driver.py)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._ids = iter(range(1, 1 << 62))
        self._lock = threading.Lock()

    def _next(self) -> int:
        with self._lock:
            return next(self._ids)

    def _trigger_id(self) -> str:
        # The issue time travels in the id, as the fake Slack (another process) reads it.
        return f"{self._next()}.{int(time.time() * 1000)}.trigger"

    def _user(self, user_id: str) -> dict[str, Any]:
        return {
            "id": user_id,
            "username": user_id.lower(),
            "name": user_id.lower(),
            "team_id": TEAM,
        }

    def command(self, user_id: str, command_text: str) -> bytes:
        return urlencode(
            {
                "token": "legacy-verification-token",
                "team_id": TEAM,
                "team_domain": "acme",
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/mentoring",
                "text": command_text,
                "api_app_id": "A0MENTOR",
                "is_enterprise_install": "false",
                "response_url": f"{self.plan.slack_base_url}/response/cmd{self._next()}",
                "trigger_id": self._trigger_id(),
            }
        ).encode()

    def _interactive(self, payload: dict[str, Any]) -> bytes:
        return urlencode({"payload": json.dumps(payload)}).encode()

    def _block_actions(self, user_id: str, action: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "acme"},
            "user": self._user(user_id),
            "api_app_id": "A0MENTOR",
            "token": "legacy-verification-token",
            "trigger_id": self._trigger_id(),
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
            "is_enterprise_install": False,
        }

    def home_button(self, user_id: str, *, pause: bool) -> bytes:
        action: dict[str, Any] = {
            "type": "button",
            "action_id": "pause" if pause else "resume",
            "block_id": "actions",
            "text": {"type": "plain_text", "text": "Pause for 2 weeks" if pause else "Resume"},
        }
        if pause:
            action["value"] = "2"
        payload = self._block_actions(user_id, action)
        payload["container"] = {"type": "view", "view_id": f"VHOME{user_id}"}
        return self._interactive(payload)

    def vote(self, user_id: str, answer: str) -> bytes:
        poll_id = self.plan.poll_id
        payload = self._block_actions(
            user_id,
            {
                "type": "button",
                "action_id": f"poll_vote_{answer}",
                "block_id": f"poll_answers:{poll_id}",
                "value": f"{poll_id}:{answer}",
                "text": {"type": "plain_text", "text": answer},
            },
        )
        payload["container"] = {
            "type": "message",
            "message_ts": POLL_TS,
            "channel_id": POLL_CHANNEL,
            "is_ephemeral": False,
        }
        payload["channel"] = {"id": POLL_CHANNEL, "name": "polls"}
        payload["message"] = self.plan.poll_message
        payload["response_url"] = f"{self.plan.slack_base_url}/response/act{self._next()}"
        return self._interactive(payload)

    def body_for(self, person: Person, kind: str) -> bytes:
        if kind in ("status", "help", "schedule"):
            return self.command(person.user_id, kind)
        if kind == "home_toggle":
            body = self.home_button(person.user_id, pause=not person.paused)
            person.paused = not person.paused
            return body
        return self.vote(person.user_id, person.rng.choice(list(PollAnswer)))


def ack_problem(kind: str, status: int, body: bytes, strict: bool) -> str:
    """Why this ack is an error for the person who sent the request, or ''."""
    if not 200 <= status < 300:
        return f"http_{status}"
    if not body:
        return "no_reply" if strict and kind in ("status", "help") else ""
    try:
        reply = json.loads(body)
    except ValueError:
        return "not_json"
    if not isinstance(reply, dict):
        return "not_json"
    if "error" in reply or APOLOGY in str(reply.get("text", "")):
        return "error_body"
    if strict and kind in ("status", "help") and reply.get("response_type") != "ephemeral":
        return "no_reply"
    return ""


Sample = tuple[str, float, float, str]  # kind, sent at (s from start), ack ms, problem


def _generate(conn: Connection, plan: Plan, strict: bool) -> None:
    """The child process: one thread per person, each with its own keep-alive HTTP client."""
    import httpx

    from tests.driver import slack_signature

    requests = Requests(plan)
    people = [
        Person(user, user in plan.paired, random.Random(f"{plan.seed}:{user}"))
        for user in plan.users
    ]
    barrier = threading.Barrier(len(people) + 1)
    samples: list[list[Sample]] = [[] for _ in people]
    url = plan.bot_url + EVENTS_PATH
    start = 0.0

    def run(index: int) -> None:
        person = people[index]
        found = samples[index]
        with httpx.Client(timeout=10) as client:
            barrier.wait()
            stop = start + plan.warmup + plan.seconds
            while True:
                sent = time.perf_counter()
                if sent >= stop:
                    return
                kind = person.next_kind()
                body = requests.body_for(person, kind)
                timestamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Slack-Request-Timestamp": timestamp,
                    "X-Slack-Signature": slack_signature(SIGNING_SECRET, timestamp, body),
                }
                sent = time.perf_counter()
                try:
                    response = client.post(url, content=body, headers=headers)
                    acked = time.perf_counter()
                    problem = ack_problem(kind, response.status_code, response.content, strict)
                except httpx.HTTPError as error:
                    acked = time.perf_counter()
                    problem = type(error).__name__
                if not problem and acked - sent > SLACK_ACK_LIMIT:
                    problem = "later_than_3s"
                offset = sent - start - plan.warmup
                if offset >= 0:
                    found.append((kind, offset, (acked - sent) * 1000, problem))
                if plan.think:
                    time.sleep(person.rng.expovariate(1 / plan.think))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(people))]
    for thread in threads:
        thread.start()
    cpu_before = sum(os.times()[:2])
    start = time.perf_counter()
    barrier.wait()
    conn.send("started")
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    conn.send("finished")
    conn.recv()  # the parent has read this process's CPU time while it still runs
    conn.send(
        {
            "samples": [s for found in samples for s in found],
            "cpu_s": sum(os.times()[:2]) - cpu_before,
            "wall_s": wall,
        }
    )


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a process has used so far, from /proc; None if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


class CpuWindow:
    """Cores used by each process over the measured window (the warm-up left out), from /proc.

    Postgres is the backends serving this database (other databases on the same server are
    "other processes"): they come and go with the connection pool, so they are listed a few times
    a second and each is counted from when it was first seen. Whatever else runs on the machine
    shows as the difference to the machine's busy time.
    """

    def __init__(
        self, named: dict[str, int | None], *, database_url: str, start_after: float
    ) -> None:
        self._named = {name: pid for name, pid in named.items() if pid}
        self._engine = make_engine(database_url, poolclass=NullPool)
        self._stop = threading.Event()
        self._first: dict[int, float] = {}
        self._last: dict[int, float] = {}
        self._begin: tuple[float, tuple[int, int], dict[str, float]] | None = None
        self._thread = threading.Thread(target=self._watch, args=(start_after,), daemon=True)
        self._thread.start()

    def _named_cpu(self) -> dict[str, float]:
        return {name: _process_cpu(pid) or 0.0 for name, pid in self._named.items()}

    def _backends(self, conn: Connection_) -> list[int]:
        query = text(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return [int(pid) for pid in conn.scalars(query)]

    def _sample_postgres(self, conn: Connection_, *, first: bool) -> None:
        for pid in self._backends(conn):
            used = _process_cpu(pid)
            if used is None:
                continue
            if pid not in self._first:
                self._first[pid] = used if first else 0.0
            self._last[pid] = used

    def _watch(self, start_after: float) -> None:
        if self._stop.wait(start_after):
            return
        with self._engine.connect() as conn:
            self._sample_postgres(conn, first=True)
            self._begin = (time.perf_counter(), _machine_ticks(), self._named_cpu())
            while not self._stop.wait(0.2):
                self._sample_postgres(conn, first=False)
                conn.rollback()
            self._sample_postgres(conn, first=False)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join()
        self._engine.dispose()
        if self._begin is None:
            return {}
        started, ticks, named = self._begin
        wall = time.perf_counter() - started
        busy, total = (now - then for now, then in zip(_machine_ticks(), ticks, strict=True))
        cores = {
            name: round((used - named[name]) / wall, 2) for name, used in self._named_cpu().items()
        }
        postgres = sum(self._last[pid] - self._first[pid] for pid in self._last)
        cores["Postgres"] = round(postgres / wall, 2)
        machine = (os.cpu_count() or 1) * busy / total if total else float("nan")
        cores["other processes"] = round(max(machine - sum(cores.values()), 0.0), 2)
        cores["machine"] = round(machine, 2)
        return cores


def send_load(
    plan: Plan, *, strict: bool, slack_pid: int | None, database_url: str
) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_generate, args=(child, plan, strict), daemon=True)
    process.start()
    assert parent.recv() == "started"
    window = CpuWindow(
        {"server": os.getpid(), "load generator": process.pid, "fake Slack": slack_pid},
        database_url=database_url,
        start_after=plan.warmup,
    )
    assert parent.recv() == "finished"
    cpu = window.stop()
    parent.send("go on")
    result = parent.recv()
    process.join(30)
    return {**result, "cpu": cpu}


# -- the servers ----------------------------------------------------------------------------------


class LogCounter(logging.Handler):
    """Counts what the server logs (WARNING and up) instead of printing it under load."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.first: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        key = f"{record.levelname} {record.name}: {message[:60]}"
        if record.name == "waitress.queue":
            key = f"{record.levelname} waitress.queue: Task queue depth is N"
        self.counts[key] += 1
        self.first.setdefault(key, message[:300])

    def failures(self) -> int:
        return sum(n for key, n in self.counts.items() if key.startswith(("ERROR", "CRITICAL")))


def bare_bolt_app(api_url: str, *, form: dict[str, Any] | None = None) -> App:
    """A Bolt app that only acknowledges (and opens `form` on a command's trigger, if given):
    the floor for any Bolt app on this server."""
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=SIGNING_SECRET,
        logger=logging.getLogger("bench.bare_bolt"),
    )

    @app.command("/mentoring")
    def on_command(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        if form is not None:
            client.views_open(trigger_id=body["trigger_id"], view=form)

    @app.action(re.compile(".*"))
    def on_action(ack: Ack) -> None:
        ack()

    return app


class Served:
    """A Bolt app on waitress as `mentorbot run` serves it, on a free port of 127.0.0.1."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.server = waitress.create_server(
            make_wsgi_app(app), host="127.0.0.1", port=0, threads=HTTP_THREADS, ident="mentorbot"
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        try:
            self.server.run()
        except (OSError, ValueError):
            if not self._closing.is_set():
                raise

    def __enter__(self) -> Served:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.server.close()
        self.app.listener_runner.listener_executor.shutdown(wait=True)
        self._thread.join(timeout=5)


def drain(slack: RemoteFakeSlack, timeout: float = 120.0) -> float:
    """Wait until the work left after the acks has stopped reaching the fake Slack."""
    started = time.perf_counter()
    last, quiet = slack.count(), 0
    while time.perf_counter() - started < timeout and quiet < 4:
        time.sleep(0.25)
        now = slack.count()
        quiet = quiet + 1 if now == last else 0
        last = now
    return time.perf_counter() - started - 1.0


# -- --profile: where the app's time goes ------------------------------------------------------

WAITS = ("acquire", "sleep", "select", "poll", "recv", "recv_into", "wait", "accept", "get")


class ListenerTimes:
    """For each kind of request: how long its listener waited for one of Bolt's listener threads
    (its ack cannot come before), how long the listener ran (ack and the work after it), and the
    CPU time it used. Bolt runs every listener on one pool (bot.app.LISTENER_THREADS)."""

    def __init__(self, app: App) -> None:
        self._current = threading.local()
        self._lock = threading.Lock()
        self.rows: dict[str, list[tuple[float, float, float]]] = {}
        runner = app.listener_runner
        self._executor = runner.listener_executor
        runner.listener_executor = self

        @app.middleware
        def note_kind(body: dict[str, Any], next: Callable[[], Any]) -> Any:
            self._current.kind = request_kind(body)
            return next()

    def submit(self, work: Callable[[], Any]) -> Any:
        kind, submitted = getattr(self._current, "kind", "other"), time.perf_counter()

        def timed() -> Any:
            started, cpu = time.perf_counter(), time.thread_time()
            try:
                return work()
            finally:
                row = (started - submitted, time.perf_counter() - started, time.thread_time() - cpu)
                with self._lock:
                    self.rows.setdefault(kind, []).append(row)

        return self._executor.submit(timed)

    def shutdown(self, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait)

    def print(self) -> None:
        print(
            f"  {'listener for':<13} {'count':>6} {'waited ms':>10} {'ran ms':>8} {'CPU ms':>7}"
            "   (means; waited = before one of Bolt's listener threads was free)"
        )
        for kind, rows in sorted(self.rows.items()):
            n = len(rows)
            waited, ran, cpu = (1000 * sum(r[i] for r in rows) / n for i in range(3))
            print(f"  {kind:<13} {n:>6,} {waited:>10.1f} {ran:>8.1f} {cpu:>7.1f}")


def request_kind(body: dict[str, Any]) -> str:
    if "command" in body:
        return str(body.get("text") or "help").split()[0]
    action = str((body.get("actions") or [{}])[0].get("action_id", ""))
    if action in ("pause", "resume"):
        return "home_toggle"
    return "poll_vote" if action.startswith("poll_vote_") else action or "other"


class ThreadProfiles:
    """cProfile in every thread started while it is on, timed in CPU time of that thread."""

    def __init__(self) -> None:
        self._profiles: list[cProfile.Profile] = []

    def _start(self, *_args: Any) -> None:
        profile = cProfile.Profile(time.thread_time)
        self._profiles.append(profile)
        profile.enable()

    def __enter__(self) -> ThreadProfiles:
        threading.setprofile(self._start)
        return self

    def __exit__(self, *exc: object) -> None:
        threading.setprofile(None)

    def stats(self) -> pstats.Stats:
        stats = pstats.Stats(self._profiles[0])
        for profile in self._profiles[1:]:
            stats.add(profile)
        return stats


def _where(filename: str, function: str) -> str:
    """The package a function belongs to, for a CPU breakdown."""
    if filename == "~":
        return "waiting" if any(w in function for w in WAITS) else "builtins"
    for part in ("/bot/", "/models/"):
        if part in filename and "site-packages" not in filename:
            return "the app (bot/, models/)"
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    return "stdlib " + Path(filename).stem


def print_profile(stats: pstats.Stats, requests: int) -> None:
    raw: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats
    by_package: Counter[str] = Counter()
    hot: list[tuple[float, str]] = []
    for (filename, line, function), (_cc, _nc, tottime, cumtime, _callers) in raw.items():
        where = _where(filename, function)
        by_package[where] += tottime
        if where != "waiting" and where.startswith("the app"):
            hot.append(
                (cumtime, f"{Path(filename).parent.name}/{Path(filename).name}:{line} {function}")
            )
    by_package.pop("waiting", None)
    total = sum(by_package.values())
    print(
        f"  server CPU by package (cProfile in thread CPU time, {total:.1f} s for {requests:,} "
        f"requests, {1000 * total / max(requests, 1):.1f} ms each with the profiler's overhead):"
    )
    for where, seconds in by_package.most_common(10):
        print(f"    {where:<28} {100 * seconds / total:>5.1f}%")
    print("  the app's functions by CPU time including what they call (top 15):")
    for cumtime, name in sorted(hot, reverse=True)[:15]:
        print(f"    {100 * cumtime / total:>5.1f}%  {name}")
    own = sorted(
        (
            (tottime, f"{_where(filename, function)} {Path(filename).name}:{line} {function}")
            for (filename, line, function), (_cc, _nc, tottime, *_rest) in raw.items()
            if _where(filename, function) != "waiting"
        ),
        reverse=True,
    )
    print("  functions by their own CPU time (top 15):")
    for tottime, name in own[:15]:
        print(f"    {100 * tottime / total:>5.1f}%  {name}")


# -- figures --------------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted values."""
    if not values:
        return float("nan")
    rank = max(1, min(len(values), round(share * len(values) + 0.5)))
    return values[rank - 1]


def summarize(target: str, users: int, seconds: float, samples: list[Sample]) -> dict[str, Any]:
    times = sorted(ms for _kind, _at, ms, _problem in samples)
    problems = Counter(problem for *_rest, problem in samples if problem)
    return {
        "bench": "load",
        "target": target,
        "users": users,
        "seconds": seconds,
        "requests": len(samples),
        "per_second": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(times, 0.50), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "max_ms": round(times[-1], 1) if times else None,
        "errors": sum(problems.values()),
        "error_kinds": dict(problems),
    }


def by_kind(samples: list[Sample]) -> dict[str, dict[str, float]]:
    kinds: dict[str, list[float]] = {}
    for kind, _at, ms, _problem in samples:
        kinds.setdefault(kind, []).append(ms)
    found = {}
    for kind, _weight in MIX:
        times = sorted(kinds.get(kind, []))
        if times:
            found[kind] = {
                "requests": len(times),
                "p50_ms": round(percentile(times, 0.50), 1),
                "p99_ms": round(percentile(times, 0.99), 1),
            }
    return found


def histogram(samples: list[Sample]) -> list[tuple[str, int]]:
    rows, lower = [], 0
    for upper in HISTOGRAM_MS:
        n = sum(1 for *_r, ms, _p in samples if lower <= ms < upper)
        rows.append((f"{lower}-{upper} ms", n))
        lower = upper
    rows.append((f">= {lower} ms", sum(1 for *_r, ms, _p in samples if ms >= lower)))
    return rows


@dataclass
class Run:
    row: dict[str, Any]
    kinds: dict[str, dict[str, float]]
    samples: list[Sample]
    cpu: dict[str, float]
    slack: dict[str, Any]
    logs: LogCounter
    drained_s: float


def run_target(
    target: str, app: App, slack: RemoteFakeSlack, plan: Plan, *, strict: bool, database_url: str
) -> Run:
    logs = LogCounter()
    root = logging.getLogger()
    root.handlers[:] = [logs]
    root.setLevel(logging.INFO)  # mentorbot run's default LOG_LEVEL
    before = slack.summary()
    with Served(app) as served:
        load = send_load(
            replace(plan, bot_url=served.url),
            strict=strict,
            slack_pid=slack.pid,
            database_url=database_url,
        )
        drained = drain(slack)
    after = slack.summary()
    methods = Counter(after["methods"])
    methods.subtract(before["methods"])
    refused = Counter(after["failed"])
    refused.subtract(before["failed"])
    samples = load["samples"]
    row = summarize(target, len(plan.users), plan.seconds, samples)
    row["think_s"] = plan.think
    row["slack_ms"] = slack.latency_ms
    row["failed_after_ack"] = logs.failures()
    return Run(
        row=row,
        kinds=by_kind(samples),
        samples=samples,
        cpu=load["cpu"],
        slack={
            "methods": {m: n for m, n in sorted(methods.items()) if n},
            "responses": after["responses"] - before["responses"],
            "refused": {m: n for m, n in sorted(refused.items()) if n},
            "violations": after["violations"],
            "violation_count": after["violation_count"] - before["violation_count"],
        },
        logs=logs,
        drained_s=round(max(drained, 0.0), 1),
    )


def print_run(run: Run) -> None:
    row = run.row
    target = "the app" if row["target"] == "app" else "a bare Bolt app (ack only)"
    think = row["think_s"]
    pace = "back to back" if not think else f"{think:g} s mean pause between requests"
    print(
        f"\n{target}: {row['users']} people, {pace}, {row['seconds']:g} s measured "
        f"(waitress, {HTTP_THREADS} threads)"
    )
    print(f"  {'request':<13} {'count':>7} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, figures in run.kinds.items():
        print(
            f"  {kind:<13} {figures['requests']:>7,} {figures['p50_ms']:>8.1f} "
            f"{figures['p99_ms']:>8.1f}"
        )
    print(
        f"  {'all':<13} {row['requests']:>7,} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f}"
        f"   p95 {row['p95_ms']:.1f} ms, max {row['max_ms']} ms, {row['per_second']:.1f} req/s"
    )
    print("  acks: " + ", ".join(f"{label} {n:,}" for label, n in histogram(run.samples) if n))
    kinds = f" {row['error_kinds']}" if row["error_kinds"] else ""
    print(
        f"  errors in acks: {row['errors']}{kinds}; "
        f"listener failures after the ack: {row['failed_after_ack']}"
    )
    if run.cpu:
        cores = ", ".join(f"{name} {n:.2f}" for name, n in run.cpu.items())
        print(f"  CPU, cores of {os.cpu_count()}: {cores}")
    if run.slack["methods"]:
        calls = ", ".join(f"{m} {n:,}" for m, n in run.slack["methods"].items())
        print(
            f"  work after the acks reached the fake Slack (drained {run.drained_s} s after "
            f"the load): {calls}, response_url posts {run.slack['responses']:,}"
        )
    if run.slack["refused"]:
        print(f"  calls the fake Slack refused: {run.slack['refused']}")
    if run.slack["violation_count"]:
        print(f"  fake Slack contract violations: {run.slack['violation_count']}")
        for violation in run.slack["violations"]:
            print(f"    {violation}")
    for key, count in run.logs.counts.most_common(5):
        print(f"  log: {count:>6,} x {key}")


def ratio_row(app: dict[str, Any], bare: dict[str, Any]) -> dict[str, Any]:
    return {
        "bench": "load",
        "measure": "app_over_bare_bolt",
        "users": app["users"],
        "seconds": app["seconds"],
        "think_s": app["think_s"],
        "p50": round(app["p50_ms"] / bare["p50_ms"], 2),
        "p99": round(app["p99_ms"] / bare["p99_ms"], 2),
        "per_second": round(app["per_second"] / bare["per_second"], 2),
    }


def arguments() -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10 people for 5 s")
    parser.add_argument("--users", type=int, help="simulated people at once (default 50)")
    parser.add_argument("--seconds", type=float, help="measured seconds per run (default 20)")
    parser.add_argument(
        "--think",
        default=",".join(f"{t:g}" for t in PACES),
        help="mean pauses between one person's requests, in s, comma-separated; "
        "one run of each target per pause (default: %(default)s)",
    )
    parser.add_argument("--participants", type=int, default=500, help="enrolled people to seed")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="Postgres database to WIPE and fill (default: BENCH_DATABASE_URL or test_load)",
    )
    parser.add_argument(
        "--slack-ms",
        type=float,
        default=0.0,
        help="Slack's own time per Web API call, added by the fake (default 0: answers at once)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then one more run of the app, back to back, timing its listeners and profiling "
        "the server (cProfile in thread CPU time); its latencies carry the profiler's overhead",
    )
    parser.add_argument(
        "--force", action="store_true", help="wipe even while others are connected to it"
    )
    return parser, parser.parse_args()


def seed_database(url: str, parser: argparse.ArgumentParser, args: argparse.Namespace) -> Seeded:
    """The database at `url` wiped, migrated and seeded (as the module's docstring says)."""
    engine = wiped_database(url, parser, force=args.force)
    seeded = seed(make_session_factory(engine), args.participants, args.seed)
    engine.dispose()
    print(
        f"seeded in {seeded.seconds} s: {len(seeded.people):,} participants, "
        f"{seeded.pairs:,} published pairs, one open poll"
    )
    return seeded


def choose_people(seeded: Seeded, users: int, seed_value: int) -> list[str]:
    """The coordinator (enrolled too: their App Home carries the dashboard), then others."""
    everyone = [user for user, _zone in seeded.people]
    return [everyone[0], *random.Random(seed_value).sample(everyone[1:], users - 1)]


def run_paces(
    settings: Settings, slack: RemoteFakeSlack, base: Plan, paces: list[float], url: str
) -> list[Run]:
    """The app, then the bare Bolt app, at each pace: runs in that order, each printed."""
    runs: list[Run] = []
    for think in paces:
        plan = replace(base, think=think)
        # A fresh app (and connection pool) per run, as a restarted server would have.
        app_engine = make_engine(url)
        app = create_app(settings, make_session_factory(app_engine))
        runs.append(run_target("app", app, slack, plan, strict=True, database_url=url))
        app_engine.dispose()
        print_run(runs[-1])
        bare = bare_bolt_app(slack.api_url)
        runs.append(run_target("bare_bolt", bare, slack, plan, strict=False, database_url=url))
        print_run(runs[-1])
    return runs


def profiled_run(settings: Settings, slack: RemoteFakeSlack, base: Plan, url: str) -> None:
    """The app once more, back to back, with its listeners timed and its server profiled."""
    app_engine = make_engine(url)
    app = create_app(settings, make_session_factory(app_engine))
    listeners = ListenerTimes(app)
    with ThreadProfiles() as profiles:
        profiled = run_target(
            "app", app, slack, replace(base, think=0.0), strict=True, database_url=url
        )
    app_engine.dispose()
    print("\nprofiled (figures slowed by the profiler):", end="")
    print_run(profiled)
    listeners.print()
    print_profile(profiles.stats(), profiled.row["requests"])


def print_comparison(runs: list[Run]) -> list[dict[str, Any]]:
    """Every run in one table, then the app against bare Bolt at each pace; those ratios."""
    print(
        f"\n{'target':<10} {'pause s':>7} {'users':>5} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'errors':>6}"
    )
    for run in runs:
        row = run.row
        print(
            f"{row['target']:<10} {row['think_s']:>7g} {row['users']:>5} {row['per_second']:>7.1f} "
            f"{row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['p99_ms']:>7.1f} {row['errors']:>6}"
        )
    ratios = [ratio_row(app.row, bare.row) for app, bare in zip(runs[::2], runs[1::2], strict=True)]
    for ratio in ratios:
        print(
            f"app / bare Bolt, pause {ratio['think_s']:g} s: p50 x{ratio['p50']}, "
            f"p99 x{ratio['p99']}, throughput x{ratio['per_second']}"
        )
    return ratios


def print_targets(app_runs: list[Run]) -> None:
    for run in app_runs:
        row = run.row
        met = row["p99_ms"] < TARGET_P99_MS and row["errors"] == 0
        print(
            f"target (p99 ack < {TARGET_P99_MS} ms, no errors) at {row['users']} people, "
            f"pause {row['think_s']:g} s: {'met' if met else 'MISSED'}"
        )
        if row["think_s"] == 0:
            # Little's law: with every person always waiting, mean latency = people / throughput.
            needed = row["users"] / (TARGET_P99_MS / 1000)
            print(
                f"  back to back, {row['users']} requests are always in flight: even a mean ack "
                f"under {TARGET_P99_MS} ms needs over {needed:.0f} req/s; "
                f"this run served {row['per_second']:.1f}"
            )


def main() -> None:
    if "--launch" in sys.argv:  # the launch-day mix: bench/launch.py
        sys.argv.remove("--launch")
        from bench.launch import main as launch_day

        launch_day()
        return
    parser, args = arguments()
    users = args.users or (10 if args.quick else 50)
    seconds = args.seconds or (5.0 if args.quick else 20.0)
    warmup = 1.0 if args.quick else 3.0
    paces = [float(t) for t in args.think.split(",") if t.strip()]
    url = Settings(database_url=args.database_url).database_url
    if not url.startswith("postgresql"):
        parser.error("this bench needs Postgres")
    if not 1 <= users <= args.participants:
        parser.error("simulated people must be from 1 to the number of participants")

    seeded = seed_database(url, parser, args)
    chosen = choose_people(seeded, users, args.seed)
    slack_time = f"{args.slack_ms:g} ms per call" if args.slack_ms else "at once"
    print(
        f"{users} simulated people ({sum(u in seeded.paired for u in chosen)} in a pair, "
        f"one of them a coordinator); each run: {warmup:g} s warm-up, then {seconds:g} s "
        f"measured; the fake Slack answers {slack_time}"
    )

    with RemoteFakeSlack(seeded.people, latency=args.slack_ms / 1000) as slack:
        settings = Settings(
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_api_url=slack.api_url,
            database_url=url,
            mentorbot_coordinators=chosen[0],
        )
        base = Plan(
            bot_url="",  # each run serves the app afresh and sets this
            slack_base_url=slack.base_url,
            users=chosen,
            paired=frozenset(seeded.paired),
            poll_id=seeded.poll_id,
            poll_message=seeded.poll_message,
            seconds=seconds,
            warmup=warmup,
            think=0.0,
            seed=args.seed,
        )
        runs = run_paces(settings, slack, base, paces, url)
        if args.profile:
            profiled_run(settings, slack, base, url)

    ratios = print_comparison(runs)
    print_targets(runs[::2])
    for run in runs:
        row = {k: v for k, v in run.row.items() if k != "error_kinds"}
        print(json.dumps(row))
    for ratio in ratios:
        print(json.dumps(ratio))


if __name__ == "__main__":
    main()
