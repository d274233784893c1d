"""Dispatch benchmark: one scheduler pass over a large outbox, and dispatcher throughput.

    python bench/dispatch.py            # 100,000 upcoming sessions; 2,000 messages to send
    python bench/dispatch.py --quick    # 5,000 upcoming sessions; 300 messages
    python bench/dispatch.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME

*** WARNING: THIS WIPES THE DATABASE IT RUNS AGAINST. ***
It runs `DROP SCHEMA public CASCADE` on the Postgres database given by --database-url (default:
the BENCH_DATABASE_URL environment variable, else test_dispatch on 127.0.0.1), migrates it to head
and fills it with synthetic data. Never point it at a database whose contents you want to keep.
It refuses while anyone else is connected to that database (--force wipes it all the same).

1. Scheduler pass. One workspace, one program, N/4 published pairs, N sessions on weekday
   half-hour slots over the next 60 days, N/8 past ones (the last 30 days) and N/20 cancelled
   ones, each with the 8 outbox rows `sessions.plan_messages` queues (24 h and 1 h reminders,
   check-in prompt and re-ask, for both people), all bulk-inserted. Rows due before the clock
   are sent; rows due exactly at it are pending, as when the dispatcher wakes on a half-hour.
   Then every job in `bot.jobs.JOBS` runs once at that clock, timed, twice over: pass 1 catches
   up (closes missed sessions, queues nudges), pass 2 is the steady state. For the dispatcher
   the timed part is finding due work (`outbox.claim_due`, one batch, rolled back so both passes
   see the same rows); its queries are EXPLAINed to show whether they use an index.
2. Dispatcher throughput. M nudges, due now, to M distinct channels, added to that same large
   outbox, drained through a fake Slack Web API on 127.0.0.1 (tests/fakeslack.py, run in a child
   process as Slack is remote) by `dispatcher.dispatch` loops in 1 and in 4 threads, one engine
   with a pool for all threads; every channel must receive exactly one chat.postMessage. The
   fake Slack alone (no database) is timed too, as a ceiling: it checks every call against
   Slack's method descriptions, which costs more than the network round trip it stands in for.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import Engine, event, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench.postgres import wiped_database  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.jobs import JOBS, JobContext  # noqa: E402
from bot.jobs.dispatcher import BATCH, dispatch  # noqa: E402
from bot.services import outbox  # noqa: E402
from bot.services.local_time import outside_quiet_hours  # noqa: E402
from bot.services.pair_health import MISSED_AFTER  # noqa: E402
from bot.services.sessions import (  # noqa: E402
    CHECKIN_AFTER_END,
    CHECKIN_REASK_AFTER,
    REMINDER_LEADS,
)
from bot.views import health as health_views  # noqa: E402
from models import (  # noqa: E402
    CheckIn,
    MentoringSession,
    OutboxMessage,
    Pair,
    Participant,
    Program,
    Workspace,
)
from models.db import make_engine, make_session_factory  # noqa: E402
from models.enums import (  # noqa: E402
    Cadence,
    CareerStage,
    CheckInOutcome,
    OutboxState,
    PairStatus,
    ParticipantStatus,
    Personality,
    ProgramStatus,
    Role,
    SessionStatus,
    Side,
)
from tests.fakeslack import FakeSlack  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_dispatch"
NOW = datetime(2030, 3, 5, 10, 0, tzinfo=UTC)  # a Tuesday, on a half-hour slot
SEND_NOW = NOW - timedelta(minutes=1)  # throughput runs: before anything part 1 left due
TEAM = "T0BENCH1"
COORDINATOR = "U0COORD1"
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
MINUTES = (30, 45, 60)
MISSED_BACKLOG = 0.05  # share of long-past sessions nobody checked in on (closed by pass 1)
CHUNK = 2_000  # sessions per bulk-insert transaction
THREADS = (1, 4)
FAKE_TOKEN = "xoxb-bench"  # noqa: S105 (only the fake Slack sees it)


def fake_client(slack: RemoteFakeSlack) -> WebClient:
    return WebClient(token=FAKE_TOKEN, base_url=slack.api_url)


def _serve_fake_slack(conn: Connection) -> None:
    """The child process: a FakeSlack that answers questions about its calls over a pipe."""
    with FakeSlack(team_id=TEAM) as slack:
        conn.send(slack.api_url)
        while True:
            command, *args = conn.recv()
            if command == "stop":
                conn.send(None)
                return
            if command == "count":
                conn.send(len(slack.calls))
            elif command == "posts":
                calls = slack.calls[args[0] :]
                conn.send(
                    [(c.args.get("channel"), c.ok) for c in calls if c.method == "chat.postMessage"]
                )
            elif command == "violations":
                conn.send(list(slack.violations))


class RemoteFakeSlack:
    """tests.fakeslack.FakeSlack in a child process, as Slack is remote: its work (recording
    and checking every call) does not compete with the dispatcher threads for this process."""

    def __enter__(self) -> RemoteFakeSlack:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve_fake_slack, args=(child,), daemon=True)
        self._process.start()
        self.api_url: str = self._conn.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._ask("stop")
        self._process.join(10)

    def _ask(self, *command: Any) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def call_count(self) -> int:
        return int(self._ask("count"))

    def posts_since(self, first: int) -> list[tuple[str | None, bool]]:
        """(channel, ok) of every chat.postMessage from call number `first` on."""
        return list(self._ask("posts", first))

    def violations(self) -> list[str]:
        return list(self._ask("violations"))


# -- seeding ----------------------------------------------------------------------------------


def slots(first: date, last: date) -> list[datetime]:
    """Weekday half-hours from 09:00 to 16:30 UTC."""
    found = []
    day = first
    while day <= last:
        if day.weekday() < 5:
            for half in range(18, 34):
                found.append(
                    datetime(day.year, day.month, day.day, tzinfo=UTC)
                    + timedelta(minutes=30 * half)
                )
        day += timedelta(days=1)
    return found


def person_row(pid: int, user: str, role: Role, zone: str) -> dict[str, Any]:
    return {
        "id": pid,
        "team_id": TEAM,
        "program_id": 1,
        "slack_user_id": user,
        "status": ParticipantStatus.ACTIVE,
        "role": role,
        "department": "Engineering" if role == Role.MENTOR else "Finance",
        "location": "London",
        "job_title": "Analyst",
        "career_stage": CareerStage.EARLY if role == Role.MENTOR else CareerStage.SENIOR,
        "personality": Personality.AMBIVERT,
        "cadence": Cadence.BIWEEKLY,
        "mentee_capacity": 1,
        "timezone": zone,
        "consented_at": NOW - timedelta(days=60),
        "created_at": NOW - timedelta(days=60),
        "updated_at": NOW - timedelta(days=60),
    }


def outbox_rows(
    session: dict[str, Any], people: list[tuple[int, str, str]], team: str
) -> Iterator[dict[str, Any]]:
    """The rows plan_messages queues for a session, in the state they would be in at NOW."""
    sid, version, starts = session["id"], session["version"], session["starts_at"]
    ends = starts + timedelta(minutes=session["minutes"])
    booked = session["created_at"]
    stop = session["cancelled_at"] if session["status"] == SessionStatus.CANCELLED else None
    for pid, user, zone in people:
        base = {"session_id": sid, "version": version}
        planned = [
            ("reminder", f"reminder:{lead}:{sid}:v{version}:{pid}", {"lead": lead}, starts - before)
            for lead, before in REMINDER_LEADS.items()
        ]
        first = outside_quiet_hours(ends + CHECKIN_AFTER_END, zone)
        for ask, due in (("first", first), ("reask", first + CHECKIN_REASK_AFTER)):
            planned.append(
                (
                    "checkin",
                    f"checkin:{ask}:{sid}:v{version}:{pid}",
                    {"ask": ask},
                    outside_quiet_hours(due, zone),
                )
            )
        for kind, key, extra, due in planned:
            if stop is not None and due >= stop:
                state, sent_at = OutboxState.CANCELLED, None
            elif due < NOW:
                state, sent_at = OutboxState.SENT, due + timedelta(seconds=2)
            else:
                state, sent_at = OutboxState.PENDING, None
            yield {
                "team_id": team,
                "dedupe_key": key,
                "kind": kind,
                "channel": user,
                "payload": {**base, **extra, "participant_id": pid},
                "due_at": due,
                "state": state,
                "attempts": 1 if sent_at else 0,
                "sent_at": sent_at,
                "message_ts": f"{int(sent_at.timestamp())}.{sid:06d}" if sent_at else None,
                "pair_id": session["pair_id"],
                "session_id": sid,
                "created_at": booked,
                "updated_at": sent_at or stop or booked,
            }


def _program_row() -> dict[str, Any]:
    return {
        "id": 1,
        "team_id": TEAM,
        "name": "Bench cohort",
        "status": ProgramStatus.OPEN,
        "signup_open": False,
        "cadence": Cadence.BIWEEKLY,
        "starts_on": NOW.date() - timedelta(days=60),
        "ends_on": NOW.date() + timedelta(days=120),
    }


def pair_row(pair_id: int, nudge_pair: int) -> dict[str, Any]:
    """Pair `pair_id` of mentor 2 * id - 1 and mentee 2 * id, introduced 45 days ago."""
    return {
        "id": pair_id,
        "team_id": TEAM,
        "program_id": 1,
        "mentor_id": 2 * pair_id - 1,
        "mentee_id": 2 * pair_id,
        "status": PairStatus.ACTIVE,
        "score": 0.5,
        "pinned": False,
        "intro_channel": f"G{pair_id:08d}" if pair_id != nudge_pair else None,
        "intro_sent_at": NOW - timedelta(days=45),
        "created_at": NOW - timedelta(days=45),
        "updated_at": NOW - timedelta(days=45),
    }


def people_and_pairs(
    rng: random.Random, nudge_pair: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Pairs 1 to `nudge_pair`, each with its own reverse mentor and mentee."""
    people, pairs = [], []
    for pair_id in range(1, nudge_pair + 1):
        zones = rng.choice(ZONES), rng.choice(ZONES)
        people.append(person_row(2 * pair_id - 1, f"UM{pair_id:07d}", Role.MENTOR, zones[0]))
        people.append(person_row(2 * pair_id, f"UE{pair_id:07d}", Role.MENTEE, zones[1]))
        pairs.append(pair_row(pair_id, nudge_pair))
    return people, pairs


def session_plan(
    rng: random.Random,
    upcoming: int,
    pairs: int,
    active_pairs: int,
    future: list[datetime],
    past: list[datetime],
) -> list[tuple[datetime, int, SessionStatus]]:
    """(starts_at, pair, status) for every session, in id order."""
    plan: list[tuple[datetime, int, SessionStatus]] = []
    for _ in range(upcoming):
        plan.append((rng.choice(future), rng.randint(1, active_pairs), SessionStatus.SCHEDULED))
    for _ in range(upcoming // 8):
        plan.append((rng.choice(past), rng.randint(1, pairs), SessionStatus.HAPPENED))
    for _ in range(upcoming // 20):
        when = rng.choice(past if rng.random() < 0.5 else future)
        plan.append((when, rng.randint(1, pairs), SessionStatus.CANCELLED))
    return plan


def session_row(
    rng: random.Random,
    sid: int,
    planned: tuple[datetime, int, SessionStatus],
    user_of: dict[int, str],
) -> dict[str, Any]:
    """The session as stored at NOW: a planned past one may still be open, or overdue."""
    starts, pair_id, status = planned
    minutes = rng.choice(MINUTES)
    booked = min(starts, NOW) - timedelta(days=rng.randint(3, 20))
    cancelled_at = None
    if status == SessionStatus.HAPPENED:
        overdue = starts + timedelta(minutes=minutes) + MISSED_AFTER <= NOW
        if not overdue:
            status = SessionStatus.SCHEDULED  # check-ins still open
        elif rng.random() < MISSED_BACKLOG:
            status = SessionStatus.SCHEDULED  # nobody checked in: pass 1 closes it
    elif status == SessionStatus.CANCELLED:
        cancelled_at = min(starts, NOW) - timedelta(hours=rng.randint(2, 48))
    return {
        "id": sid,
        "pair_id": pair_id,
        "program_id": 1,
        "starts_at": starts,
        "minutes": minutes,
        "status": status,
        "version": 1,
        "scheduled_by": user_of[2 * pair_id],
        "cancelled_by": rng.choice(list(Side)) if cancelled_at else None,
        "cancelled_at": cancelled_at,
        "created_at": booked,
        "updated_at": cancelled_at or booked,
    }


def checkin_rows(rng: random.Random, session: dict[str, Any]) -> list[dict[str, Any]]:
    """Both people's check-ins on a session that happened, two hours after it started."""
    pair_id, answered = session["pair_id"], session["starts_at"] + timedelta(hours=2)
    return [
        {
            "session_id": session["id"],
            "program_id": 1,
            "participant_id": pid,
            "side": side,
            "outcome": CheckInOutcome.HAPPENED,
            "rating": rng.randint(3, 5),
            "created_at": answered,
            "updated_at": answered,
        }
        for pid, side in ((2 * pair_id - 1, Side.MENTOR), (2 * pair_id, Side.MENTEE))
    ]


def insert_sessions(
    engine: Engine,
    rng: random.Random,
    plan: list[tuple[datetime, int, SessionStatus]],
    people: list[dict[str, Any]],
) -> Counter[str]:
    """Sessions with their outbox rows and check-ins, CHUNK sessions a transaction; counts of
    sessions by status, of outbox rows and of check-ins."""
    zone_of = {p["id"]: p["timezone"] for p in people}
    user_of = {p["id"]: p["slack_user_id"] for p in people}
    counts: Counter[str] = Counter()
    for start in range(0, len(plan), CHUNK):
        sessions: list[dict[str, Any]] = []
        rows: list[dict[str, Any]] = []
        checkins: list[dict[str, Any]] = []
        for sid, planned in enumerate(plan[start : start + CHUNK], start=start + 1):
            session = session_row(rng, sid, planned, user_of)
            sessions.append(session)
            counts[session["status"]] += 1
            pair_id = session["pair_id"]
            both = [(pid, user_of[pid], zone_of[pid]) for pid in (2 * pair_id - 1, 2 * pair_id)]
            rows.extend(outbox_rows(session, both, TEAM))
            if session["status"] == SessionStatus.HAPPENED:
                checkins.extend(checkin_rows(rng, session))
        with engine.begin() as conn:
            conn.execute(insert(MentoringSession), sessions)
            conn.execute(insert(OutboxMessage), rows)
            if checkins:
                conn.execute(insert(CheckIn), checkins)
        counts["outbox"] += len(rows)
        counts["check_ins"] += len(checkins)
    return counts


def settle(engine: Engine) -> None:
    """Where a live database would be: sequences past the explicit ids, statistics gathered."""
    with engine.begin() as conn:
        for model in (Participant, Pair, MentoringSession, Program):
            sequence = func.pg_get_serial_sequence(model.__tablename__, "id")
            conn.execute(select(func.setval(sequence, func.max(model.id))))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def seed(engine: Engine, upcoming: int, seed_value: int) -> dict[str, Any]:
    """Bulk-insert the synthetic program; returns what was inserted."""
    rng = random.Random(seed_value)
    pairs = max(upcoming // 4, 10)
    active_pairs = pairs - max(pairs // 20, 1)  # the rest have nothing booked: silent
    nudge_pair = pairs + 1  # published, no sessions, no intro channel: part 2's nudges
    future = [s for s in slots(NOW.date(), NOW.date() + timedelta(days=60)) if s > NOW]
    past = [s for s in slots(NOW.date() - timedelta(days=30), NOW.date()) if s < NOW]
    started = time.perf_counter()
    people, pair_rows = people_and_pairs(rng, nudge_pair)
    with engine.begin() as conn:
        conn.execute(insert(Workspace), [{"team_id": TEAM, "name": "Bench"}])
        conn.execute(insert(Program), [_program_row()])
        conn.execute(insert(Participant), people)
        conn.execute(insert(Pair), pair_rows)
    plan = session_plan(rng, upcoming, pairs, active_pairs, future, past)
    counts = insert_sessions(engine, rng, plan, people)
    settle(engine)
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "pairs": pairs,
        "silent_pairs": pairs - active_pairs,
        "nudge_pair": nudge_pair,
        "sessions": len(plan),
        "by_status": {str(k): v for k, v in counts.items() if isinstance(k, SessionStatus)},
        "outbox_rows": counts["outbox"],
        "check_ins": counts["check_ins"],
    }


# -- part 1: the scheduler pass ----------------------------------------------------------------


def due_count(factory: sessionmaker[Session], now: datetime) -> int:
    with factory() as db:
        return int(
            db.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at <= now
                )
            )
            or 0
        )


def state_counts(factory: sessionmaker[Session]) -> dict[str, int]:
    with factory() as db:
        missed = db.scalar(
            select(func.count(MentoringSession.id)).where(
                MentoringSession.status == SessionStatus.MISSED
            )
        )
        at_risk = db.scalar(select(func.count(Pair.id)).where(Pair.status == PairStatus.AT_RISK))
        nudges = db.scalar(
            select(func.count(OutboxMessage.id)).where(OutboxMessage.kind == "nudge")
        )
        return {"missed": missed or 0, "at_risk": at_risk or 0, "nudges": nudges or 0}


def claim_due_once(factory: sessionmaker[Session]) -> int:
    """The dispatcher's search for due work: one claim, rolled back."""
    with factory() as db:
        claimed = outbox.claim_due(db, now=NOW, limit=BATCH)
        db.rollback()
    return len(claimed)


def scheduler_pass(
    factory: sessionmaker[Session], settings: Settings, client: WebClient
) -> dict[str, float]:
    timings: dict[str, float] = {}
    for job in JOBS:
        started = time.perf_counter()
        if job.name == "dispatch_outbox":
            claim_due_once(factory)
        else:
            job.run(JobContext(settings=settings, session_factory=factory, client=client, now=NOW))
        timings[job.name] = round(time.perf_counter() - started, 4)
    return timings


def explain_claim(engine: Engine, factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    """EXPLAIN ANALYZE the SELECTs claim_due sends, exactly as sent."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM outbox" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        claim_due_once(factory)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    plans = []
    for statement, parameters in captured:
        with engine.connect() as conn:
            lines = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters
            ).scalars()
            plans.append((statement, "\n".join(lines)))
            conn.rollback()
    return plans


def uses_index(plan: str, index: str) -> bool:
    return any(
        index in line and ("Index Scan" in line or "Index Only Scan" in line)
        for line in plan.splitlines()
    )


def plan_ms(plan: str) -> float | None:
    for line in plan.splitlines():
        if line.strip().startswith("Execution Time:"):
            return float(line.split(":")[1].split()[0])
    return None


# -- part 2: throughput ------------------------------------------------------------------------


def enqueue_nudges(
    factory: sessionmaker[Session], channels: list[str], pair_id: int, tag: str
) -> None:
    with factory.begin() as db:
        for channel in channels:
            outbox.enqueue(
                db,
                team_id=TEAM,
                dedupe_key=f"nudge:bench:{tag}:{channel}",
                kind="nudge",
                channel=channel,
                payload={"pair_id": pair_id, "days": 20},
                due_at=SEND_NOW,
                now=SEND_NOW,
                pair_id=pair_id,
            )


def in_threads(threads: int, work: Any) -> float:
    """Run work(index) in `threads` threads started together; the wall time."""
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


def throughput(
    url: str, slack: RemoteFakeSlack, *, threads: int, messages: int, pair_id: int, offset: int
) -> dict[str, Any]:
    engine = make_engine(url, pool_size=threads + 2)
    factory = make_session_factory(engine)
    channels = [f"U{offset + i:07d}" for i in range(messages)]
    enqueue_nudges(factory, channels, pair_id, tag=str(offset))
    first_call = slack.call_count()
    sent = Counter[str]()
    passes = Counter[str]()

    def drain(_index: int) -> None:
        client = fake_client(slack)
        while True:
            report = dispatch(factory, client, now=SEND_NOW)
            passes["passes"] += 1
            sent["sent"] += report.sent
            sent["other"] += report.handled - report.sent
            if not report.handled:
                return

    seconds = in_threads(threads, drain)
    posts = slack.posts_since(first_call)
    per_channel = Counter(channel for channel, ok in posts if ok)
    exactly_once = (
        set(per_channel) == set(channels)
        and all(n == 1 for n in per_channel.values())
        and len(posts) == messages
    )
    with factory() as db:
        rows_sent = db.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.dedupe_key.like(f"nudge:bench:{offset}:%"),
                OutboxMessage.state == OutboxState.SENT,
            )
        )
    engine.dispose()
    return {
        "bench": "dispatch",
        "measure": "throughput",
        "threads": threads,
        "messages": messages,
        "seconds": round(seconds, 3),
        "per_second": round(messages / seconds, 1),
        "exactly_once": exactly_once and rows_sent == messages,
        "posts": len(posts),
        "max_per_channel": max(per_channel.values(), default=0),
        "rows_sent": rows_sent,
        "not_sent": sent["other"],
    }


def fake_slack_alone(slack: RemoteFakeSlack, *, threads: int, messages: int) -> dict[str, Any]:
    """chat.postMessage straight at the fake, no database: the ceiling for the runs above."""
    text_, blocks = health_views.nudge(pair_id=1, days=20)
    per_thread = messages // threads

    def post(index: int) -> None:
        client = fake_client(slack)
        for i in range(per_thread):
            client.chat_postMessage(channel=f"C{index:02d}{i:06d}", text=text_, blocks=blocks)

    seconds = in_threads(threads, post)
    return {
        "bench": "dispatch",
        "measure": "fake_slack_alone",
        "threads": threads,
        "messages": per_thread * threads,
        "seconds": round(seconds, 3),
        "per_second": round(per_thread * threads / seconds, 1),
    }


# -- main --------------------------------------------------------------------------------------


def arguments() -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL),
        help="Postgres database to WIPE and fill (default: BENCH_DATABASE_URL or test_dispatch)",
    )
    parser.add_argument("--sessions", type=int, help="upcoming sessions to seed")
    parser.add_argument("--messages", type=int, help="messages per throughput run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--force", action="store_true", help="wipe even while others are connected to it"
    )
    return parser, parser.parse_args()


def print_seeded(seeded: dict[str, Any]) -> None:
    statuses = ", ".join(f"{v:,} {k}" for k, v in sorted(seeded["by_status"].items()))
    print(
        f"seeded in {seeded['seconds']} s: {seeded['sessions']:,} sessions ({statuses}), "
        f"{seeded['pairs']:,} pairs ({seeded['silent_pairs']:,} with nothing booked), "
        f"{seeded['outbox_rows']:,} outbox rows, {seeded['check_ins']:,} check-ins"
    )


def print_scheduler_passes(
    upcoming: int,
    passes: list[dict[str, float]],
    dues: list[int],
    changes: list[dict[str, int]],
    totals: list[float],
) -> None:
    print(f"\nscheduler pass at {NOW:%Y-%m-%d %H:%M} UTC, {upcoming:,} upcoming sessions")
    print(f"{'job':<34} {'pass 1 s':>9} {'pass 2 s':>9}")
    for name in passes[0]:
        label = f"{name} (claim_due)" if name == "dispatch_outbox" else name
        print(f"{label:<34} {passes[0][name]:>9.3f} {passes[1][name]:>9.3f}")
    print(f"{'total':<34} {totals[0]:>9.3f} {totals[1]:>9.3f}")
    print(f"{'due rows before the pass':<34} {dues[0]:>9,} {dues[1]:>9,}")
    for key, label in (
        ("missed", "sessions missed after"),
        ("nudges", "nudges queued after"),
        ("at_risk", "pairs at risk after"),
    ):
        print(f"{label:<34} {changes[0][key]:>9,} {changes[1][key]:>9,}")


def print_claim_plans(plans: list[tuple[str, str]], index_scan: bool) -> None:
    print(f"\nclaim_due's due-rows query uses ix_outbox_state_due_at: {index_scan}")
    for number, (_statement, plan) in enumerate(plans, 1):
        title = "due rows" if number == 1 else "busy channels"
        print(f"  EXPLAIN ANALYZE, query {number} of claim_due ({title}):")
        print("\n".join("    " + line for line in plan.splitlines()))


def scheduler_part(
    engine: Engine,
    factory: sessionmaker[Session],
    settings: Settings,
    client: WebClient,
    upcoming: int,
    seeded: dict[str, Any],
) -> list[dict[str, Any]]:
    """Part 1, printed: two scheduler passes at NOW and claim_due's query plans; a row a pass."""
    passes, dues, changes = [], [], []
    for _ in range(2):
        dues.append(due_count(factory, NOW))
        passes.append(scheduler_pass(factory, settings, client))
        changes.append(state_counts(factory))
    plans = explain_claim(engine, factory)
    due_plan = plans[0][1] if plans else ""
    index_scan = uses_index(due_plan, "ix_outbox_state_due_at")
    totals = [round(sum(p.values()), 4) for p in passes]
    print_scheduler_passes(upcoming, passes, dues, changes, totals)
    print_claim_plans(plans, index_scan)
    return [
        {
            "bench": "dispatch",
            "measure": "scheduler_pass",
            "pass": number,
            "sessions": upcoming,
            "all_sessions": seeded["sessions"],
            "outbox_rows": seeded["outbox_rows"],
            "due": due,
            "seconds": timings,
            "jobs": passed,
            "index_scan": index_scan,
            "due_query_ms": plan_ms(due_plan),
            "busy_query_ms": plan_ms(plans[1][1]) if len(plans) > 1 else None,
        }
        for number, (passed, due, timings) in enumerate(zip(passes, dues, totals, strict=True), 1)
    ]


def throughput_part(
    url: str, slack: RemoteFakeSlack, messages: int, seeded: dict[str, Any]
) -> list[dict[str, Any]]:
    """Part 2, printed: the dispatcher in 1 and 4 threads, then the fake Slack alone."""
    print(
        f"\ndispatcher throughput: {messages:,} nudges to distinct channels, in an outbox of "
        f"{seeded['outbox_rows']:,}+ rows"
    )
    print(f"{'run':<22} {'threads':>7} {'messages':>9} {'seconds':>8} {'msg/s':>8} {'once':>6}")
    results = []
    for number, threads in enumerate(THREADS, 1):
        row = throughput(
            url,
            slack,
            threads=threads,
            messages=messages,
            pair_id=seeded["nudge_pair"],
            offset=number * 1_000_000,
        )
        results.append(row)
        print(
            f"{'dispatcher':<22} {threads:>7} {messages:>9,} {row['seconds']:>8.2f} "
            f"{row['per_second']:>8.1f} {row['exactly_once']!s:>6}"
        )
    for threads in THREADS:
        row = fake_slack_alone(slack, threads=threads, messages=messages)
        results.append(row)
        print(
            f"{'fake Slack alone':<22} {threads:>7} {row['messages']:>9,} "
            f"{row['seconds']:>8.2f} {row['per_second']:>8.1f} {'-':>6}"
        )
    checks = [r for r in results if r["measure"] == "throughput"]
    print(
        "every message sent exactly once (one chat.postMessage per channel, every row sent): "
        f"{all(r['exactly_once'] for r in checks)}"
    )
    return results


def main() -> None:
    parser, args = arguments()
    url = Settings(database_url=args.database_url).database_url
    if not url.startswith("postgresql"):
        parser.error("this bench needs Postgres (FOR UPDATE SKIP LOCKED)")
    upcoming = args.sessions or (5_000 if args.quick else 100_000)
    messages = args.messages or (300 if args.quick else 2_000)

    engine = wiped_database(url, parser, force=args.force)
    factory = make_session_factory(engine)
    seeded = seed(engine, upcoming, args.seed)
    print_seeded(seeded)

    settings = Settings(database_url=url, mentorbot_coordinators=COORDINATOR)
    with RemoteFakeSlack() as slack:
        results = scheduler_part(engine, factory, settings, fake_client(slack), upcoming, seeded)
        results += throughput_part(url, slack, messages, seeded)
        violations = slack.violations()
        if violations:
            print(f"fake Slack contract violations: {violations[:3]}")
    engine.dispose()
    for row in results:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
