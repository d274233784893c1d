"""Launch day: a crowd signs up at once, through the real form, and every form must open.

    python bench/load.py --launch               # 25 and 50 people, SQLite and Postgres
    python bench/load.py --launch --quick       # 25 people, SQLite only, 8 s
    python bench/load.py --launch --people 50 --seconds 20 --databases sqlite
    python bench/load.py --launch --repeat 3    # each figure the median of 3 runs

Each simulated person signs up as people do on the day a program is announced: they type
`/mentoring join`, the form opens (views.open, on the command's trigger), they choose the topics
they want to learn and the form is drawn again with a rating for each (views.update), they
submit it, and their confirmation DM arrives. Then a new person takes their place, until the
run's time is up. One action in HOME_SHARE is an App Home opened instead (views.publish). The
fake Slack refuses views.open on a trigger older than 3 seconds, as Slack does: a late form is
an error, never a silent success.

The app is served by waitress exactly as `mentorbot run` serves it (one process, HTTP_THREADS
threads, no scheduler), on a fresh SQLite file or on Postgres (--database-url, default the
BENCH_DATABASE_URL environment variable, else test_launch on 127.0.0.1: *** IT IS WIPED ***).
The people and the fake Slack share one child process, on the same cores as the app. The same
crowd then runs against a bare Bolt app that only acks the command and opens a static form.

Printed per run: acknowledgements (p50/p99 ms), trigger to views.open (p50/p99/max ms), forms
opened later than 3 s (refused, or never opened), sign-ups completed per second, and errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from slack_bolt import App  # noqa: E402

from bench.load import BOT_TOKEN, SIGNING_SECRET, bare_bolt_app  # noqa: E402
from bench.postgres import wiped_database  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.localslack.emulator import TRIGGER_SECONDS  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.migrate import upgrade_to_head  # noqa: E402

TEAM = "T0LAUNCH"
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_launch"
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
HOME_SHARE = 0.2  # of a person's turns: the App Home opened instead of signing up
WAIT = 10.0  # seconds a person waits for the form, its re-render or their DM before giving up
CONFIRMED = "signed up for reverse mentoring"
FORM = {
    "role": "mentee",
    "job_title": "Director",
    "department": "Finance",
    "location": "London",
    "career_stage": "11-20",
    "teach_topics": ["strategy"],
    "learn_topics": ["generative_ai", "social_media"],
    "personality": "introvert",
    "cadence": "biweekly",
    "consent": ["agree"],
}


# -- the crowd and the fake Slack, in a child process ---------------------------------------------


@dataclass
class Tally:
    acks_ms: list[float] = field(default_factory=list)
    signups: int = 0
    homes: int = 0
    no_form: int = 0
    errors: list[str] = field(default_factory=list)


class Watch:
    """What each person is waiting for from the fake Slack, told as it arrives (no polling)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.forms: dict[str, dict[str, Any]] = {}  # person -> their form as last drawn
        self.owner: dict[str, str] = {}  # view id -> person
        self.confirmed: set[str] = set()

    def saw(self, method: str, args: dict[str, Any], answer: dict[str, Any], person: str | None):
        with self._cond:
            view = answer.get("view") if answer.get("ok") else None
            if method == "views.open" and person and view:
                self.owner[view["id"]] = person
                self.forms[person] = view
            elif method == "views.update" and view and view["id"] in self.owner:
                self.forms[self.owner[view["id"]]] = view
            elif method == "chat.postMessage" and CONFIRMED in str(args.get("text")):
                self.confirmed.add(str(args.get("channel")))
            self._cond.notify_all()

    def wait(self, check: Callable[[], Any]) -> Any:
        with self._cond:
            return self._cond.wait_for(check, timeout=WAIT)


def _watch(slack: Any) -> Watch:
    watch = Watch()
    answer = slack._answer

    def watched(method: str, args: dict[str, Any]) -> dict[str, Any]:
        result = answer(method, args)
        person = slack._trigger_users.get(str(args.get("trigger_id")))
        watch.saw(method, args, result, person)
        return result

    slack._answer = watched
    return watch


def _person(
    driver: Any, slack: Any, watch: Watch, tally: Tally, seat: str, until: float, mode: str
) -> None:
    """One seat in the crowd: person after person signs up (or, in "open" mode, only opens the
    form), and now and then someone opens the App Home instead."""
    rng, turn = random.Random(seat), 0
    while time.monotonic() < until:
        turn += 1
        user = f"U0{seat}T{turn:04d}"  # a new person each turn, never seen in an earlier run
        slack.add_user(user, tz=rng.choice(ZONES))
        try:
            if rng.random() < HOME_SHARE:
                sent = time.perf_counter()
                answer = driver.event({"type": "app_home_opened", "user": user, "tab": "home"})
                tally.acks_ms.append((time.perf_counter() - sent) * 1000)
                tally.homes += answer.status_code == 200
                continue
            _sign_up(driver, watch, tally, user, only_open=mode == "open")
        except Exception as failure:
            tally.errors.append(f"{type(failure).__name__}: {failure}"[:200])


def _sign_up(driver: Any, watch: Watch, tally: Tally, user: str, *, only_open: bool) -> None:
    sent = time.perf_counter()
    answer = driver.command(user, "join")
    tally.acks_ms.append((time.perf_counter() - sent) * 1000)
    form = watch.wait(lambda: watch.forms.get(user))
    if not form:
        tally.no_form += 1
        return
    if only_open:
        tally.signups += 1
        return
    driver.view_action(user, form, "learn_topics", {"learn_topics": FORM["learn_topics"]})
    drawn = watch.wait(lambda: (f := watch.forms.get(user)) and f["hash"] != form["hash"] and f)
    if not drawn:
        tally.errors.append("the form was not drawn again after the topics were chosen")
        return
    inputs = {**FORM, **{f"rating:{t}": "2" for t in FORM["learn_topics"]}}
    sent = time.perf_counter()
    answer = driver.submit_view(user, drawn, inputs)
    tally.acks_ms.append((time.perf_counter() - sent) * 1000)
    if answer.status_code != 200 or answer.content.strip():
        tally.errors.append(f"submission answered {answer.status_code} {answer.text[:80]}")
        return
    if watch.wait(lambda: user in watch.confirmed):
        tally.signups += 1
    else:
        tally.errors.append("no confirmation DM")


def _crowd(conn: Connection, people: int, seconds: float) -> None:
    from bot.localslack.emulator import SlackEmulator
    from tests.driver import SlackDriver

    logging.disable(logging.WARNING)
    # Slack's behaviour (late triggers refused included) without the suite's contract checks:
    # the tests hold every call to Slack's method descriptions, and here, on the same cores,
    # checking each form's blocks would cost more than drawing them.
    with SlackEmulator(team_id=TEAM, team_name="Launch") as slack:
        watch = _watch(slack)
        conn.send(slack.api_url)
        run = 0
        while (task := conn.recv()) is not None:
            bot_url, mode = task
            run += 1
            driver = SlackDriver(bot_url, SIGNING_SECRET, slack)
            driver.http.timeout = 30.0
            tally, started = Tally(), time.monotonic()
            until = started + seconds
            threads = [
                threading.Thread(
                    target=_person,
                    args=(driver, slack, watch, tally, f"R{run}P{n:03d}", until, mode),
                )
                for n in range(people)
            ]
            calls_before = len(slack.calls)
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            opens = [c for c in slack.calls[calls_before:] if c.method == "views.open"]
            conn.send(_row(tally, opens, elapsed, started_at=time.time() - elapsed))
            driver.close()


def _trigger_age(call: Any) -> float:
    issued_ms = int(str(call.args.get("trigger_id", "0.0")).split(".")[1])
    return float(call.at) - issued_ms / 1000


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)


def _row(tally: Tally, opens: list[Any], elapsed: float, started_at: float) -> dict[str, Any]:
    ages = [_trigger_age(c) * 1000 for c in opens]
    # After the first rush (everyone's first command at the same moment):
    steady = [_trigger_age(c) * 1000 for c in opens if c.at > started_at + 3]
    return {
        "ack_p50_ms": _pct(tally.acks_ms, 0.5),
        "ack_p99_ms": _pct(tally.acks_ms, 0.99),
        "open_p50_ms": _pct(ages, 0.5),
        "open_p99_ms": _pct(ages, 0.99),
        "open_max_ms": round(max(ages), 1) if ages else None,
        "open_p99_after_rush_ms": _pct(steady, 0.99),
        "opens": len(opens),
        "opens_late": tally.no_form
        + sum(1 for c in opens if c.ok and _trigger_age(c) > TRIGGER_SECONDS),
        "signups": tally.signups,
        "signups_per_s": round(tally.signups / elapsed, 1),
        "homes": tally.homes,
        "errors": len(tally.errors),
        "first_errors": sorted(set(tally.errors))[:3],
    }


# -- the app, in this process ---------------------------------------------------------------------

STATIC_FORM = {
    "type": "modal",
    "callback_id": "static",
    "title": {"type": "plain_text", "text": "Join"},
    "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "A static form."}}],
}


def _database(kind: str, args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    """A fresh database of this kind, migrated to head; its URL."""
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="launch-")) / "mentorbot.db"
        url = f"sqlite:///{path}"
        upgrade_to_head(make_engine(url))
        return url
    url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    wiped_database(url, parser, force=args.force).dispose()
    return url


def _announce(sessions: Any) -> None:
    """Launch day comes after a coordinator has opened the program for sign-up."""
    from datetime import UTC, datetime

    from bot.services.programs import get_or_create_open_program

    with sessions.begin() as db_session:
        get_or_create_open_program(db_session, team_id=TEAM, now=datetime.now(UTC))


def _run(conn: Connection, app: App, mode: str, *, profile: bool = False) -> dict[str, Any]:
    from bench.load import Served, ThreadProfiles, print_profile

    profiles = ThreadProfiles() if profile else None
    with Served(app) as served:
        if profiles:
            profiles.__enter__()
        conn.send((served.url, mode))
        row = dict(conn.recv())
    if profiles:
        profiles.__exit__()
        print_profile(profiles.stats(), row["signups"])
    return row


def _mentorbot_run(
    conn: Connection,
    kind: str,
    api_url: str,
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
) -> dict[str, Any]:
    """One run of the app as `mentorbot run` serves it, on a fresh database of this kind."""
    url = _database(kind, args, parser)
    settings = Settings(
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=api_url,
        database_url=url,
    )
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    _announce(sessions)
    try:
        return _run(conn, create_app(settings, sessions), "signup", profile=args.profile)
    finally:
        engine.dispose()


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Each figure's median over runs (a shared 2-core machine varies from run to run)."""
    if len(runs) == 1:
        return runs[0]
    row = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, int | float):
            values = sorted(r[key] for r in runs if r[key] is not None)
            row[key] = values[len(values) // 2] if values else None
    row["first_errors"] = sorted({e for r in runs for e in r["first_errors"]})[:3]
    row["runs"] = len(runs)
    return row


def arguments() -> tuple[argparse.ArgumentParser, argparse.Namespace]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="25 people, SQLite, 8 s")
    parser.add_argument("--people", default="25,50", help="crowd sizes, e.g. 25,50")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each run")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--database-url", default=None, help="Postgres to use (WIPED)")
    parser.add_argument("--force", action="store_true", help="wipe even with others connected")
    parser.add_argument("--profile", action="store_true", help="where the app's time goes")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each row; each figure is their median"
    )
    return parser, parser.parse_args()


COLUMNS = (
    ("ack_p50_ms", "ack p50"),
    ("ack_p99_ms", "ack p99"),
    ("open_p50_ms", "open p50"),
    ("open_p99_ms", "open p99"),
    ("open_max_ms", "open max"),
    ("opens_late", "late"),
    ("signups_per_s", "done/s"),
    ("errors", "errors"),
)


def _print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'database':<9} {'people':>6} {'app':<9}" + "".join(f"{t:>10}" for _, t in COLUMNS))
    for row in rows:
        cells = "".join(f"{'-' if row[k] is None else row[k]:>10}" for k, _ in COLUMNS)
        print(f"{row['database']:<9} {row['people']:>6} {row['app']:<9}{cells}")


def _targets(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        if row["app"] != "mentorbot" or row["people"] != 50:
            continue
        met = (
            row["opens_late"] == 0
            and (row["open_p99_ms"] or 0) <= 1000
            and row["signups_per_s"] >= 20
        )
        print(
            f"target at 50 people on {row['database']}: no late form, open p99 <= 1 s, "
            f">= 20 sign-ups/s: {'met' if met else 'NOT met'}"
        )


def main() -> None:
    parser, args = arguments()
    sizes = [25] if args.quick else [int(n) for n in args.people.split(",")]
    kinds = ["sqlite"] if args.quick else [k.strip() for k in args.databases.split(",")]
    seconds = 8.0 if args.quick else args.seconds
    rows: list[dict[str, Any]] = []
    logging.basicConfig(level=logging.ERROR)
    for people in sizes:
        context = multiprocessing.get_context("spawn")
        conn, child = context.Pipe()
        crowd = context.Process(target=_crowd, args=(child, people, seconds), daemon=True)
        crowd.start()
        api_url = conn.recv()
        for kind in kinds:
            row = _median(
                [_mentorbot_run(conn, kind, api_url, args, parser) for _ in range(args.repeat)]
            )
            rows.append({"database": kind, "people": people, "app": "mentorbot", **row})
            print(json.dumps(rows[-1]), flush=True)
        row = _median(
            [
                _run(conn, bare_bolt_app(api_url, form=STATIC_FORM), "open")
                for _ in range(args.repeat)
            ]
        )
        rows.append({"database": "-", "people": people, "app": "bare Bolt", **row})
        print(json.dumps(rows[-1]), flush=True)
        conn.send(None)
        crowd.join(30)
    print()
    print(
        (f"median of {args.repeat} runs of " if args.repeat > 1 else "")
        + f"{seconds:g} s a run; times in ms; 'late': forms not opened within "
        f"{TRIGGER_SECONDS:g} s of the command; 'done/s': sign-ups confirmed by DM a second "
        "(the bare app: forms opened a second)"
    )
    _print_table(rows)
    _targets(rows)


if __name__ == "__main__":
    main()
