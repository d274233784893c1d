"""Coordinator report benchmark: `program_stats` + `stats_blocks` on one large program.

    python bench/stats.py                  # 10,000 participants, 5,000 pairs, 100,000 sessions
    python bench/stats.py --quick          # 1,000 / 500 / 10,000
    python bench/stats.py --sqlite-only
    python bench/stats.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/NAME

A synthetic program (a year of it: participants with learn topics and self-ratings, pairs in
every state, sessions held, cancelled by either side, missed and upcoming, check-ins with
ratings, topics and some private notes, goals, midpoint and final surveys, an interest poll
with votes) is written with bulk Core inserts into a temporary SQLite file (WAL, as
`make_engine` sets it) and into Postgres.

WARNING: on Postgres this DROPS the public schema of the target database (by default
test_statsbench on 127.0.0.1), recreates it and migrates it to head: everything in that
database is wiped. Postgres tables are then VACUUM ANALYZEd, as autovacuum would have done on a
live database; SQLite gets no ANALYZE, as the app never runs one.

Each database's report (`program_stats` + `stats_blocks`) is run once untimed (warm), then five
times; the table shows the median and the slowest run against a 300 ms target, then the same for
each part timed alone (participation, pairs, sessions, outcomes: sessions and outcomes each
include the check-in pass that the full report runs once for both).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, Table, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from bench.postgres import ensure_database, wipe_and_migrate  # noqa: E402
from bot.services.stats import (  # noqa: E402
    _outcomes,
    _pairs,
    _participation,
    _sessions,
    program_stats,
)
from bot.services.topics import CATALOG, TopicKind  # noqa: E402
from bot.views.stats import stats_blocks  # noqa: E402
from models import (  # noqa: E402
    Base,
    CheckIn,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    ParticipantTopic,
    Poll,
    PollVote,
    Program,
    SurveyResponse,
    Workspace,
)
from models.db import make_engine, make_session_factory  # noqa: E402
from models.migrate import upgrade_to_head  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_statsbench"
TARGET_MS = 300
RUNS = 5
TEAM = "T0BENCH"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
START = NOW - timedelta(days=365)
CHUNK = 10_000

DIGITAL = [t.key for t in CATALOG if t.kind == TopicKind.DIGITAL]
BUSINESS = [t.key for t in CATALOG if t.kind == TopicKind.BUSINESS]
DEPARTMENTS = [
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "Legal",
    "Operations",
    "Human Resources",
    "Customer Success",
    "Product",
    "Procurement",
    "Research",
    "Communications",
]
DEPARTMENT_WEIGHTS = [14, 12, 9, 8, 3, 11, 5, 10, 8, 4, 6, 3]
# (city, IANA zone, weight): the Americas, EMEA, Asia-Pacific.
CITIES = [
    ("San Francisco", "America/Los_Angeles", 4),
    ("Denver", "America/Denver", 2),
    ("Chicago", "America/Chicago", 3),
    ("New York", "America/New_York", 6),
    ("Toronto", "America/Toronto", 4),
    ("São Paulo", "America/Sao_Paulo", 2),
    ("London", "Europe/London", 7),
    ("Lisbon", "Europe/Lisbon", 3),
    ("Paris", "Europe/Paris", 6),
    ("Berlin", "Europe/Berlin", 5),
    ("Madrid", "Europe/Madrid", 4),
    ("Athens", "Europe/Athens", 3),
    ("Nairobi", "Africa/Nairobi", 2),
    ("Dubai", "Asia/Dubai", 2),
    ("Bengaluru", "Asia/Kolkata", 6),
    ("Singapore", "Asia/Singapore", 5),
    ("Shanghai", "Asia/Shanghai", 3),
    ("Tokyo", "Asia/Tokyo", 3),
    ("Sydney", "Australia/Sydney", 2),
    ("Melbourne", "Australia/Melbourne", 1),
]
JOB_TITLES = {
    "mentor": ["Analyst", "Associate", "Developer", "Designer", "Coordinator", "Specialist"],
    "mentee": ["Director", "Vice President", "Head of Unit", "Senior Manager", "Partner"],
    "both": ["Manager", "Team Lead", "Product Owner", "Senior Specialist"],
}
STAGES = {
    "mentor": (["0-2", "3-5", "6-10"], [55, 35, 10]),
    "mentee": (["3-5", "6-10", "11-20", "20+"], [5, 20, 40, 35]),
    "both": (["0-2", "3-5", "6-10", "11-20"], [10, 30, 40, 20]),
}
AT_RISK_REASONS = [
    "2 sessions in a row cancelled or missed (cancelled by the reverse mentor: 2)",
    "2 sessions in a row cancelled or missed (cancelled by the mentee: 1; missed with no "
    "check-in: 1)",
    "3 sessions cancelled or missed in the program (cancelled by the mentee: 3)",
    "silent: no session booked for 30 days",
    "silent: no session booked for 45 days",
]
ENDED_REASONS = ["mentor left", "mentee left", "ended by a coordinator", "not a good fit"]


@dataclass
class Data:
    """Rows per table, in insertion order, and the figures that describe them."""

    tables: list[tuple[Table, list[dict[str, Any]]]]
    program_id: int
    participants: int
    pairs: int
    sessions: int

    def rows(self) -> int:
        return sum(len(rows) for _, rows in self.tables)

    def count(self, model: type[Base]) -> int:
        table = _table(model)
        return next(len(rows) for t, rows in self.tables if t is table)


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def _stamp(at: datetime) -> dict[str, datetime]:
    return {"created_at": at, "updated_at": at}


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = max((end - start).total_seconds(), 0.0)
    return start + timedelta(seconds=rng.uniform(0, seconds))


PROGRAM_ID = 1


def topic_row(
    team: str, participant_id: int, direction: str, key: str, rating: int | None
) -> dict[str, Any]:
    """A participant_topics row (bench/rounds.py seeds its programs with these too)."""
    return {
        "team_id": team,
        "participant_id": participant_id,
        "direction": direction,
        "topic": key,
        "self_rating": rating,
    }


def _number(rows: list[dict[str, Any]]) -> None:
    """Ids in insertion order, for rows built before all of them are known."""
    for n, row in enumerate(rows, start=1):
        row["id"] = n


def _workspace_rows() -> list[dict[str, Any]]:
    return [{"team_id": TEAM, "name": "Bench Corp", **_stamp(START)}]


def _program_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": PROGRAM_ID,
            "team_id": TEAM,
            "name": "Reverse mentoring 2025-26",
            "status": "open",
            "signup_open": True,
            "cadence": "biweekly",
            "starts_on": START.date(),
            "ends_on": (NOW + timedelta(days=60)).date(),
            "session_minutes": 45,
            "planned_sessions": 20,
            "announcement_channel": "C0ANNOUNCE",
            "separate_departments": True,
            "weekly_digest": True,
            **_stamp(START),
        }
    ]


def _poll_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": 1,
            "team_id": TEAM,
            "program_id": PROGRAM_ID,
            "channel_id": "C0ALL",
            "message_ts": "1700000000.000100",
            "status": "closed",
            "created_by": "U0COORD",
            "closed_at": START + timedelta(days=21),
            **_stamp(START - timedelta(days=14)),
        }
    ]


class _Program:
    """The rows `generate` returns, built stage by stage from one random stream.

    Every stage draws from that stream, so the stages run in a fixed order (people, pairs,
    sessions, goals and surveys, poll votes) and each keeps its draws in the order they always
    had: moving a single draw would change the program a seed gives.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.people: list[dict[str, Any]] = []
        self.topics: list[dict[str, Any]] = []
        self.learns: dict[int, list[tuple[str, int]]] = {}  # (topic, self-rating) per person
        self.pairs: list[dict[str, Any]] = []
        self.by_id: dict[int, dict[str, Any]] = {}
        self.windows: dict[int, tuple[datetime, datetime]] = {}  # introduced pairs' active spans
        self.sessions: list[dict[str, Any]] = []
        self.checkins: list[dict[str, Any]] = []
        self.goals: list[dict[str, Any]] = []
        self.surveys: list[dict[str, Any]] = []
        self.votes: list[dict[str, Any]] = []

    # -- people and their topics ------------------------------------------------------------

    def add_people(self, count: int) -> None:
        """Reverse mentors, mentees and some who do both, each with learn and teach topics."""
        for pid in range(1, count + 1):
            role = self._add_person(pid)
            self._add_topics(pid, role)
        _number(self.topics)

    def _add_person(self, pid: int) -> str:
        rng = self.rng
        role = rng.choices(["mentor", "mentee", "both"], [45, 45, 10])[0]
        city, zone, _ = rng.choices(CITIES, [c[2] for c in CITIES])[0]
        stages, stage_weights = STAGES[role]
        joined = _between(rng, START, NOW - timedelta(days=7))
        left = rng.random() < 0.04
        self.people.append(
            {
                "id": pid,
                "team_id": TEAM,
                "program_id": PROGRAM_ID,
                "slack_user_id": f"U{pid:08d}",
                "status": "left" if left else "active",
                "role": role,
                "department": rng.choices(DEPARTMENTS, DEPARTMENT_WEIGHTS)[0],
                "location": city,
                "job_title": rng.choice(JOB_TITLES[role]),
                "career_stage": rng.choices(stages, stage_weights)[0],
                "personality": rng.choice(["introvert", "ambivert", "extrovert"]),
                "cadence": rng.choices(["weekly", "biweekly", "monthly"], [2, 6, 2])[0],
                "mentee_capacity": rng.choices([1, 2, 3], [6, 3, 1])[0] if role != "mentee" else 1,
                "timezone": zone if rng.random() < 0.97 else None,
                "consented_at": joined,
                "paused_until": NOW + timedelta(days=rng.randint(3, 30))
                if not left and rng.random() < 0.03
                else None,
                "left_at": _between(rng, joined, NOW) if left else None,
                **_stamp(joined),
            }
        )
        return role

    def _add_topics(self, pid: int, role: str) -> None:
        rng = self.rng
        # Mentees learn digital topics and teach business ones; reverse mentors the reverse.
        learn_pool = BUSINESS if role == "mentor" else DIGITAL
        teach_pool = DIGITAL if role == "mentor" else BUSINESS
        wanted = rng.sample(learn_pool, rng.randint(1, 3))
        self.learns[pid] = []
        for key in wanted:
            rating = rng.choices([1, 2, 3, 4], [30, 35, 25, 10])[0]
            self.learns[pid].append((key, rating))
            self.topics.append(topic_row(TEAM, pid, "learn", key, rating))
        for key in rng.sample(teach_pool, rng.randint(1, 3)):
            self.topics.append(topic_row(TEAM, pid, "teach", key, None))

    # -- pairs ------------------------------------------------------------------------------

    def add_pairs(self, count: int) -> None:
        """Mentees once each, reverse mentors up to a few times; most active."""
        mentor_pool = [p["id"] for p in self.people if p["role"] != "mentee"]
        mentee_pool = [p["id"] for p in self.people if p["role"] != "mentor"]
        if len(mentee_pool) < count:
            raise SystemExit(f"{count} pairs need more than {len(mentee_pool)} possible mentees")
        mentees = self.rng.sample(mentee_pool, count)
        for pair_id, mentee in enumerate(mentees, start=1):
            self.pairs.append(self._pair(pair_id, mentee, mentor_pool))
        self.by_id = {p["id"]: p for p in self.pairs}

    def _pair(self, pair_id: int, mentee: int, mentor_pool: list[int]) -> dict[str, Any]:
        rng = self.rng
        mentor = rng.choice(mentor_pool)
        while mentor == mentee:
            mentor = rng.choice(mentor_pool)
        status = rng.choices(
            ["proposed", "active", "at_risk", "completed", "ended"], [2, 72, 8, 6, 12]
        )[0]
        created = _between(rng, START, NOW - timedelta(days=45))
        intro = None if status == "proposed" else created + timedelta(hours=rng.randint(1, 72))
        ended = (
            _between(rng, intro + timedelta(days=30), NOW)
            if intro and status in ("completed", "ended")
            else None
        )
        delivery = (
            rng.choice(["user_not_found", "account_inactive", "channel_not_found"])
            if status == "active" and rng.random() < 0.01
            else None
        )
        at_risk_since = (
            _between(rng, NOW - timedelta(days=60), NOW) if status == "at_risk" else None
        )
        if intro is not None:
            self.windows[pair_id] = (intro, ended or NOW + timedelta(days=30))
        return {
            "id": pair_id,
            "team_id": TEAM,
            "program_id": PROGRAM_ID,
            # Someone who asked to be forgotten leaves their side empty.
            "mentor_id": None if rng.random() < 0.002 else mentor,
            "mentee_id": mentee,
            "status": status,
            "ended_at": ended,
            "ended_reason": rng.choice(ENDED_REASONS) if status == "ended" else None,
            "score": round(rng.uniform(0.4, 1.0), 3),
            "reasons": ["both want Generative AI", "crosses departments"],
            "pinned": rng.random() < 0.02,
            "intro_channel": f"G{pair_id:08d}" if intro else None,
            "intro_sent_at": intro,
            "at_risk_since": at_risk_since,
            "at_risk_reason": rng.choice(AT_RISK_REASONS) if status == "at_risk" else None,
            "delivery_problem": delivery,
            **_stamp(created),
        }

    # -- sessions and check-ins -------------------------------------------------------------

    def add_sessions(self, count: int) -> None:
        """Spread over each introduced pair's span, in proportion to its length."""
        introduced = list(self.windows)
        spans = [(self.windows[p][1] - self.windows[p][0]).total_seconds() for p in introduced]
        owners = self.rng.choices(introduced, spans, k=count)
        for session_id, pair_id in enumerate(owners, start=1):
            self._add_session(session_id, pair_id)
        _number(self.checkins)

    def _add_session(self, session_id: int, pair_id: int) -> None:
        rng = self.rng
        pair = self.by_id[pair_id]
        first, last = self.windows[pair_id]
        starts = _between(rng, first, last).replace(second=0, microsecond=0)
        status, cancelled_by, cancel_reason, cancelled_at = self._session_outcome(starts)
        booker = pair["mentor_id"] or pair["mentee_id"]
        self.sessions.append(
            {
                "id": session_id,
                "pair_id": pair_id,
                "program_id": pair["program_id"],
                "starts_at": starts,
                "minutes": rng.choice([30, 45, 45, 60]),
                "agenda": "Walk through a first prompt" if rng.random() < 0.4 else None,
                "status": status,
                "version": rng.choices([1, 2, 3], [85, 12, 3])[0],
                "scheduled_by": f"U{booker:08d}",
                "cancelled_by": cancelled_by,
                "cancel_reason": cancel_reason,
                "cancelled_at": cancelled_at,
                **_stamp(min(starts, NOW) - timedelta(days=rng.randint(1, 14))),
            }
        )
        answered = starts + timedelta(hours=rng.randint(1, 48))
        if status == "happened" and rng.random() < 0.88:
            sides = rng.choices([("mentor", "mentee"), ("mentee",), ("mentor",)], [60, 25, 15])[0]
            for side in sides:
                self._check_in(session_id, pair, side, "happened", answered)
        elif status == "missed" and cancel_reason == "rescheduled":
            side = rng.choice(["mentor", "mentee"])
            self._check_in(session_id, pair, side, "rescheduled", answered)
        elif status == "cancelled" and starts <= NOW and rng.random() < 0.2:
            self._check_in(session_id, pair, cancelled_by or "mentee", "cancelled", answered)

    def _session_outcome(
        self, starts: datetime
    ) -> tuple[str, str | None, str | None, datetime | None]:
        """(status, cancelled_by, cancel_reason, cancelled_at) of a session starting then."""
        rng = self.rng
        cancelled_by = cancel_reason = cancelled_at = None
        if starts > NOW:
            status = rng.choices(["scheduled", "cancelled"], [90, 10])[0]
        else:
            status = rng.choices(["happened", "cancelled", "missed", "scheduled"], [68, 17, 8, 3])[
                0
            ]
        if status == "cancelled":
            cancelled_by = rng.choices(["mentor", "mentee", None], [45, 45, 10])[0]
            cancelled_at = starts - timedelta(hours=rng.randint(1, 96))
            cancel_reason = rng.choice(["", "travel", "sick", "clash with a board meeting"])
        elif status == "missed" and rng.random() < 0.35:
            cancel_reason = "rescheduled"
        return status, cancelled_by, cancel_reason, cancelled_at

    def _check_in(
        self, session_id: int, pair: dict[str, Any], side: str, outcome: str, at: datetime
    ) -> None:
        rng = self.rng
        person = pair[f"{side}_id"]
        if person is None:
            return
        happened = outcome == "happened"
        note = rng.random() < 0.12
        self.checkins.append(
            {
                "session_id": session_id,
                "program_id": pair["program_id"],
                "participant_id": person,
                "side": side,
                "outcome": outcome,
                "rating": rng.choices([1, 2, 3, 4, 5], [3, 5, 17, 40, 35])[0]
                if happened and rng.random() < 0.95
                else None,
                "topics": self._covered(pair) if happened and rng.random() < 0.9 else None,
                "learned": "Prompting for first drafts"
                if happened and rng.random() < 0.3
                else None,
                "private_note": "felt rushed; raise it next time" if note else None,
                "follow_up": "Try it on the monthly report" if rng.random() < 0.1 else None,
                **_stamp(at),
            }
        )

    def _covered(self, pair: dict[str, Any]) -> list[str]:
        """Mostly what the two want to learn, now and then something else from the catalog."""
        rng = self.rng
        wanted = [
            key for side in ("mentee_id", "mentor_id") for key, _ in self.learns.get(pair[side], [])
        ]
        keys = sorted(set(wanted)) or DIGITAL
        picked = rng.sample(keys, min(len(keys), rng.choices([1, 2, 3], [5, 3, 2])[0]))
        if rng.random() < 0.15:
            picked.append(rng.choice([k for k in DIGITAL + BUSINESS if k not in picked]))
        return picked

    # -- goals and surveys ------------------------------------------------------------------

    def add_goals_and_surveys(self) -> None:
        """Goals for every introduced pair; midpoint and final surveys from a few thousand."""
        for pair_id, (first, last) in self.windows.items():
            pair = self.by_id[pair_id]
            finished = pair["status"] in ("completed", "ended")
            for side in ("mentee", "mentor"):
                person = pair[f"{side}_id"]
                if person is None:
                    continue
                self._add_goals(pair_id, side, person, first, finished)
                self._add_surveys(pair_id, person, first, last, finished)
        _number(self.goals)
        _number(self.surveys)

    def _add_goals(
        self, pair_id: int, side: str, person: int, first: datetime, finished: bool
    ) -> None:
        rng = self.rng
        goals = rng.randint(1, 3) if side == "mentee" else rng.randint(0, 1)
        for key, _ in self.learns[person][:goals]:
            self.goals.append(
                {
                    "pair_id": pair_id,
                    "side": side,
                    "topic": key,
                    "text": f"Get comfortable with {key.replace('_', ' ')}",
                    "target_date": (first + timedelta(days=120)).date(),
                    "status": rng.choices(
                        ["open", "achieved", "dropped"],
                        [30, 55, 15] if finished else [70, 25, 5],
                    )[0],
                    **_stamp(first + timedelta(days=3)),
                }
            )

    def _add_surveys(
        self, pair_id: int, person: int, first: datetime, last: datetime, finished: bool
    ) -> None:
        rng = self.rng
        midpoint_due = first + timedelta(days=90)
        kinds = []
        if midpoint_due <= min(last, NOW) and rng.random() < 0.4:
            kinds.append(("midpoint", midpoint_due))
        if finished and rng.random() < 0.5:
            kinds.append(("final", last))
        for kind, at in kinds:
            growth = 1 if kind == "midpoint" else 2
            self.surveys.append(
                {
                    "pair_id": pair_id,
                    "participant_id": person,
                    "kind": kind,
                    "effectiveness": rng.choices([1, 2, 3, 4, 5], [3, 7, 20, 40, 30])[0],
                    "ratings": {
                        key: min(5, rating + rng.randint(0, growth))
                        for key, rating in self.learns[person]
                    },
                    "would_recommend": rng.random() < 0.85,
                    **_stamp(at),
                }
            )

    # -- the interest poll ------------------------------------------------------------------

    def add_poll_votes(self, participants: int) -> None:
        """Most participants voted, and many colleagues who never signed up."""
        rng = self.rng
        votes: list[tuple[str, str]] = []
        voters = [p for p in self.people if rng.random() < 0.8]
        for person in voters:
            answer = {"mentor": "mentor", "mentee": "mentee"}.get(person["role"], "more")
            if rng.random() < 0.25:
                answer = "more"
            votes.append((person["slack_user_id"], answer))
        for n in range(int(participants * 0.6)):
            votes.append(
                (f"W{n:08d}", rng.choices(["mentor", "mentee", "more", "no"], [8, 8, 24, 60])[0])
            )
        self.votes = [
            {
                "id": n,
                "team_id": TEAM,
                "poll_id": 1,
                "slack_user_id": user,
                "answer": answer if rng.random() < 0.98 else None,
                "followed_up_at": START + timedelta(days=2) if rng.random() < 0.3 else None,
                **_stamp(START - timedelta(days=10)),
            }
            for n, (user, answer) in enumerate(votes, start=1)
        ]


def generate(participants: int, pairs: int, sessions: int, seed: int = 1) -> Data:
    """A year-old program of the given size, reproducible for a given seed."""
    program = _Program(random.Random(seed))
    program.add_people(participants)
    program.add_pairs(pairs)
    program.add_sessions(sessions)
    program.add_goals_and_surveys()
    program.add_poll_votes(participants)
    return Data(
        tables=[
            (_table(Workspace), _workspace_rows()),
            (_table(Program), _program_rows()),
            (_table(Participant), program.people),
            (_table(ParticipantTopic), program.topics),
            (_table(Poll), _poll_rows()),
            (_table(PollVote), program.votes),
            (_table(Pair), program.pairs),
            (_table(MentoringSession), program.sessions),
            (_table(CheckIn), program.checkins),
            (_table(Goal), program.goals),
            (_table(SurveyResponse), program.surveys),
        ],
        program_id=PROGRAM_ID,
        participants=participants,
        pairs=pairs,
        sessions=sessions,
    )


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def load(engine: Engine, data: Data) -> None:
    """Bulk-insert every table, then bring Postgres to where a live database would be."""
    with engine.begin() as conn:
        for table, rows in data.tables:
            for chunk in _chunks(rows):
                conn.execute(insert(table), chunk)
        if engine.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind; move them past the rows.
            for table, rows in data.tables:
                if rows and "id" in table.c:
                    conn.execute(
                        select(
                            func.setval(
                                func.pg_get_serial_sequence(table.name, "id"),
                                select(func.max(table.c.id)).scalar_subquery(),
                            )
                        )
                    )
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))


def sqlite_engine(directory: str) -> Engine:
    engine = make_engine(f"sqlite:///{directory}/stats-bench.db")
    upgrade_to_head(engine)
    return engine


def postgres_engine(url: str) -> Engine:
    """The database at `url`, wiped: its public schema dropped, recreated and migrated."""
    ensure_database(url)
    engine = make_engine(url)
    wipe_and_migrate(engine)
    return engine


def _timed(
    factory: sessionmaker[Session], program_id: int, work: Callable[..., Any]
) -> list[float]:
    """One untimed run, then RUNS timed ones (ms), each in a fresh session."""
    times = []
    for run in range(RUNS + 1):
        with factory() as db:
            program = db.get(Program, program_id)
            assert program is not None
            started = time.perf_counter()
            work(db, program)
            elapsed = (time.perf_counter() - started) * 1000
        if run:
            times.append(elapsed)
    return times


def report(db: Session, program: Program) -> None:
    stats_blocks(program_stats(db, program=program, now=NOW))


PARTS: list[tuple[str, Callable[[Session, Program], object]]] = [
    ("participation", _participation),
    ("pairs", _pairs),
    ("sessions", lambda db, program: _sessions(db, program, NOW)),
    ("outcomes", lambda db, program: _outcomes(db, program, NOW)),
]


def measure(name: str, engine: Engine, data: Data) -> list[dict[str, Any]]:
    started = time.perf_counter()
    load(engine, data)
    load_s = time.perf_counter() - started
    factory = make_session_factory(engine)
    rows = []
    for part, work in [("report", report), *PARTS]:
        times = _timed(factory, data.program_id, work)
        row: dict[str, Any] = {"bench": "stats", "database": name}
        if part == "report":
            row |= {
                "participants": data.participants,
                "pairs": data.pairs,
                "sessions": data.sessions,
                "check_ins": data.count(CheckIn),
                "rows": data.rows(),
                "load_s": round(load_s, 1),
            }
        else:
            row["part"] = part
        row |= {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
        if part == "report":
            row["target_ms"] = TARGET_MS
        rows.append(row)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 / 500 / 10,000")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help="Postgres database to WIPE and fill (default: %(default)s)",
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip Postgres")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    size = (1_000, 500, 10_000) if args.quick else (10_000, 5_000, 100_000)
    started = time.perf_counter()
    data = generate(*size, seed=args.seed)
    print(
        f"generated {data.rows():,} rows ({data.participants:,} participants, "
        f"{data.pairs:,} pairs, {data.sessions:,} sessions, "
        f"{data.count(CheckIn):,} check-ins, {data.count(Goal):,} goals, "
        f"{data.count(SurveyResponse):,} survey responses, "
        f"{data.count(PollVote):,} poll votes) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    results = []
    with tempfile.TemporaryDirectory() as directory:
        results += measure("sqlite", sqlite_engine(directory), data)
    if not args.sqlite_only:
        results += measure("postgresql", postgres_engine(args.database_url), data)

    print(f"\n{'database':<11} {'part':<16} {'median ms':>10} {'max ms':>8}  target (max)")
    for row in results:
        if "part" in row:
            label, verdict = f"  {row['part']}", ""
        else:
            label = "report"
            verdict = f"{TARGET_MS} {'ok' if row['max_ms'] <= TARGET_MS else 'OVER'}"
        line = f"{row['database']:<11} {label:<16} {row['median_ms']:>10.1f} {row['max_ms']:>8.1f}"
        print(f"{line}  {verdict}".rstrip())
    print(
        "(each part timed alone: sessions and outcomes both include the check-in pass, which "
        "the report runs once)"
    )
    for row in results:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
