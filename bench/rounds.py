"""A round of matching at a real program's size, end to end: what a coordinator waits for.

    python bench/rounds.py                  # 2,000 and 10,000 people
    python bench/rounds.py --quick          # 1,000
    python bench/rounds.py --sizes 5000 --slack-ms 50

The app is served as `mentorbot run` serves it (waitress) on a temporary SQLite file, against
the fake Slack of the tests (in this process; `--slack-ms` adds Slack's own time per Web API
call), with a synthetic program of N people (bulk-inserted). A coordinator then:

- types `/mentoring match`: time from the command to the review window opening (Slack refuses
  `views.open` once its trigger is 3 s old), and to the window filled with the proposal (the
  solve, in the background);
- clicks *Review the proposal* in the App Home: time to the window opening with it;
- clicks *Publish*: time to the window showing "0 of P introductions sent" (the transaction
  that publishes and queues every message);
- then the dispatcher runs pass after pass until every introduction and note is delivered:
  seconds and messages a second, and whether each pair was introduced exactly once.

Ends with one JSON line per size.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import waitress  # noqa: E402
from pydantic import SecretStr  # noqa: E402
from slack_sdk import WebClient  # noqa: E402
from sqlalchemy import Engine, func, insert, select  # noqa: E402

from bench.stats import (  # noqa: E402
    BUSINESS,
    CITIES,
    DEPARTMENT_WEIGHTS,
    DEPARTMENTS,
    DIGITAL,
    STAGES,
    topic_row,
)
from bot.app import create_app  # noqa: E402
from bot.cli import HTTP_THREADS  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.jobs.dispatcher import dispatch  # noqa: E402
from bot.web import make_wsgi_app  # noqa: E402
from models import OutboxMessage, Participant, ParticipantTopic, Program, Workspace  # noqa: E402
from models.db import make_engine, make_session_factory  # noqa: E402
from models.enums import OutboxState  # noqa: E402
from models.migrate import upgrade_to_head  # noqa: E402
from tests.driver import SlackDriver  # noqa: E402
from tests.fakeslack import FakeSlack  # noqa: E402

TEAM = "T0ROUNDS"
COORDINATOR = "U0COORDINATOR"
SIGNING_SECRET = "rounds-bench-signing-secret-0123456789"  # noqa: S105 (only this bench uses it)
BOT_TOKEN = "xoxb-rounds-bench"  # noqa: S105 (only the fake Slack sees it)
TRIGGER_SECONDS = 3.0
CHUNK = 5_000


def populate(engine: Engine, people: int, seed: int = 1) -> None:
    """An open program with `people` active participants: reverse mentors, mentees, both."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    stamp = {"created_at": now, "updated_at": now}
    rows: list[dict[str, Any]] = []
    topics: list[dict[str, Any]] = []
    for pid in range(1, people + 1):
        role = rng.choices(["mentor", "mentee", "both"], [45, 45, 10])[0]
        city, zone, _ = rng.choices(CITIES, [c[2] for c in CITIES])[0]
        stages, weights = STAGES[role]
        rows.append(
            {
                "id": pid,
                "team_id": TEAM,
                "program_id": 1,
                "slack_user_id": f"U{pid:08d}",
                "status": "active",
                "role": role,
                "department": rng.choices(DEPARTMENTS, DEPARTMENT_WEIGHTS)[0],
                "location": city,
                "job_title": "Analyst" if role == "mentor" else "Director",
                "career_stage": rng.choices(stages, weights)[0],
                "personality": rng.choice(["introvert", "ambivert", "extrovert"]),
                "cadence": rng.choice(["weekly", "biweekly", "monthly"]),
                "mentee_capacity": rng.choice([1, 2]) if role != "mentee" else 1,
                "timezone": zone,
                "consented_at": now,
                **stamp,
            }
        )
        learn, teach = (BUSINESS, DIGITAL) if role == "mentor" else (DIGITAL, BUSINESS)
        for key in rng.sample(learn, rng.randint(1, 3)):
            topics.append(topic_row(TEAM, pid, "learn", key, rng.randint(1, 4)))
        for key in rng.sample(teach, rng.randint(1, 3)):
            topics.append(topic_row(TEAM, pid, "teach", key, None))
    with engine.begin() as conn:
        conn.execute(insert(Workspace), [{"team_id": TEAM, "name": "Rounds Corp", **stamp}])
        conn.execute(
            insert(Program),
            [{"id": 1, "team_id": TEAM, "name": "Reverse mentoring", "status": "open", **stamp}],
        )
        for table, batch in ((Participant, rows), (ParticipantTopic, topics)):
            for start in range(0, len(batch), CHUNK):
                conn.execute(insert(table), batch[start : start + CHUNK])


class Served:
    """The app over HTTP on 127.0.0.1 with the fake Slack, as the tests run it."""

    def __init__(self, engine: Engine, slack: FakeSlack) -> None:
        settings = Settings(
            slack_bot_token=SecretStr(BOT_TOKEN),
            slack_signing_secret=SecretStr(SIGNING_SECRET),
            slack_api_url=slack.api_url,
            database_url=engine.url.render_as_string(hide_password=False),
            mentorbot_coordinators=COORDINATOR,
        )
        self.factory = make_session_factory(engine)
        self.app = create_app(settings, self.factory)
        self.server = waitress.create_server(
            make_wsgi_app(self.app), host="127.0.0.1", port=0, threads=HTTP_THREADS
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        url = f"http://127.0.0.1:{self.server.effective_port}"
        self.driver = SlackDriver(url, SIGNING_SECRET, slack, team_id=TEAM)

    def close(self) -> None:
        self.driver.close()
        self.app.listener_runner.listener_executor.shutdown(wait=True)
        with contextlib.suppress(OSError, ValueError):  # waitress closing under its loop
            self.server.close()


def _click(served: Served, view: dict[str, Any], action_id: str) -> None:
    served.driver.interactive(
        {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": COORDINATOR, "team_id": TEAM},
            "api_app_id": "A0MENTOR",
            "container": {"type": "view", "view_id": view["id"]},
            "trigger_id": served.driver._trigger_id(),
            "view": view,
            "actions": [{"action_id": action_id, "block_id": "b", "action_ts": "1.0"}],
        }
    )


def measure(size: int, slack_ms: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory, FakeSlack(team_id=TEAM) as slack:
        engine = make_engine(f"sqlite:///{directory}/rounds.db")
        upgrade_to_head(engine)
        populate(engine, size)
        slack.add_user(COORDINATOR)
        if slack_ms:
            api = slack._api

            def slow_api(*args: Any) -> Any:
                time.sleep(slack_ms / 1000)
                return api(*args)

            slack._api = slow_api  # type: ignore[method-assign]
        served = Served(engine, slack)
        try:
            return _round(served, slack, size)
        finally:
            served.close()
            engine.dispose()


def _round(served: Served, slack: FakeSlack, size: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"bench": "rounds", "size": size}
    sent = time.time()
    served.driver.command(COORDINATOR, "match")
    opened = slack.wait_for("views.open", timeout=30)[-1]
    view_id = opened.response["view"]["id"]
    figures["open_ms"] = round((opened.at - sent) * 1000, 1)
    filled = slack.wait_for(
        "views.update",
        lambda c: c.args["view_id"] == view_id and "match_publish" in json.dumps(c.view),
        timeout=600,
    )[-1]
    figures["filled_s"] = round(filled.at - sent, 2)
    review = slack.views[view_id]
    figures["pairs"] = int(
        json.dumps(review).split(" pairs proposed")[0].rsplit(": ", 1)[-1].replace(",", "")
    )

    # The App Home's button opens the ready proposal on a fresh trigger.
    program_id = json.loads(review["private_metadata"])["program_id"]
    before = len(slack.calls_to("views.open"))
    sent = time.time()
    served.driver.block_action(COORDINATOR, "open_proposal", value=str(program_id))
    reopened = slack.wait_for("views.open", count=before + 1, timeout=30)[-1]
    figures["reopen_ms"] = round((reopened.at - sent) * 1000, 1)

    before_updates = len(slack.calls_to("views.update"))
    sent = time.time()
    _click(served, review, "match_publish")
    published = slack.wait_for("views.update", count=before_updates + 1, timeout=60)[-1]
    figures["publish_ms"] = round((published.at - sent) * 1000, 1)

    client = WebClient(token=BOT_TOKEN, base_url=slack.api_url)
    started = time.perf_counter()
    while True:
        dispatch(served.factory, client, now=datetime.now(UTC), batch=50, max_batches=1000)
        with served.factory() as db_session:
            waiting = db_session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING)))
            )
        if not waiting:
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    with served.factory() as db_session:
        delivered = db_session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.SENT, OutboxMessage.round_id.is_not(None))
        )
    intros = Counter(
        c.args["channel"]
        for c in slack.calls_to("chat.postMessage")
        if c.ok and c.args["channel"].startswith("G")
    )
    figures["deliver_s"] = round(seconds, 2)
    figures["messages"] = int(delivered or 0)
    figures["messages_per_s"] = round((delivered or 0) / seconds, 1) if seconds else None
    figures["introduced_once"] = len(intros) == figures["pairs"] and set(intros.values()) <= {1}
    figures["within_trigger"] = figures["open_ms"] < TRIGGER_SECONDS * 1000
    figures["violations"] = len(slack.violations)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1,000 people only")
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated pool sizes")
    parser.add_argument("--slack-ms", type=float, default=0.0, help="Slack's time per call")
    args = parser.parse_args()
    sizes = [1000] if args.quick else [int(s) for s in args.sizes.split(",")]
    results = [measure(size, args.slack_ms) for size in sizes]
    header = (
        f"{'people':>8} {'open ms':>8} {'filled s':>9} {'reopen ms':>10} {'publish ms':>11} "
        f"{'pairs':>6} {'messages':>9} {'deliver s':>10} {'msg/s':>7} {'once':>5}"
    )
    print(header)
    for r in results:
        print(
            f"{r['size']:>8,} {r['open_ms']:>8} {r['filled_s']:>9} {r['reopen_ms']:>10} "
            f"{r['publish_ms']:>11} {r['pairs']:>6,} {r['messages']:>9,} {r['deliver_s']:>10} "
            f"{r['messages_per_s']:>7} {'yes' if r['introduced_once'] else 'NO':>5}"
        )
    print(
        f"(Slack refuses views.open after {TRIGGER_SECONDS:.0f} s; fake Slack +{args.slack_ms} ms)"
    )
    for r in results:
        print(json.dumps(r))


if __name__ == "__main__":
    main()
