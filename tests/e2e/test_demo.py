"""`mentorbot demo` as a command: it serves the local workspace on this machine only, refuses to
start beside a real Slack token, starts over when asked, and the app inside it is the
unchanged app (no demo code in its handlers or services)."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from bot.config import ConfigError
from bot.localslack.demo import refuse_real_slack, start_demo
from bot.services import sessions as session_rules
from bot.services.pairs import create_pair
from models import OutboxMessage, Participant, Poll
from models.enums import OutboxState, PairStatus, Role
from tests.support import REPO_ROOT


def _environment() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    return {**clean, "PYTHONUNBUFFERED": "1"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "demo",
            "--port",
            "0",
            "--database",
            str(tmp_path / "d.db"),
        ],
        cwd=tmp_path,
        env=_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "open http://" in line, line
    url = line.split("open ", 1)[1].split("/ ", 1)[0]
    yield url, process
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)


def test_the_demo_serves_the_workspace_on_this_machine_only(
    served: tuple[str, subprocess.Popen[str]], tmp_path: Path
) -> None:
    url, process = served
    assert urlparse(url).hostname == "127.0.0.1"
    page = httpx.get(url + "/", timeout=10)
    assert page.status_code == 200 and "Northwind" in page.text and "/static/app.js" in page.text
    screen = httpx.get(
        url + "/demo/api/screen", params={"as": "U0DANA", "conv": "C0GENERAL"}
    ).json()
    assert screen["coordinator"] is True
    assert len(screen["people"]) == 17
    assert {c["name"] for c in screen["sidebar"]["channels"]} == {"#general", "#mentoring"}
    # The app answers the workspace's people, through the workspace's signed requests.
    answer = httpx.post(
        url + "/demo/api/do",
        json={"op": "type", "as": "U0DANA", "channel": "C0GENERAL", "text": "/mentoring help"},
        timeout=10,
    ).json()
    assert answer["ok"] is True
    screen = httpx.get(
        url + "/demo/api/screen", params={"as": "U0DANA", "conv": "C0GENERAL"}
    ).json()
    [help_message] = screen["conversation"]["messages"]
    assert help_message["ephemeral"] and "/mentoring join" in help_message["html"]
    # Only Dana sees her answer.
    others = httpx.get(url + "/demo/api/screen", params={"as": "U0ZOE", "conv": "C0GENERAL"}).json()
    assert others["conversation"]["messages"] == []
    assert (tmp_path / "d.db").exists()
    assert process.poll() is None  # still serving


def test_a_real_slack_token_in_the_environment_stops_the_demo(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is set"):
        refuse_real_slack({"SLACK_BOT_TOKEN": "xoxb-123-real"})
    refuse_real_slack({"SLACK_SIGNING_SECRET": "", "PATH": "/bin"})
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo", "--port", "0"],
        cwd=tmp_path,
        env={**_environment(), "SLACK_BOT_TOKEN": "xoxb-123-real"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN is set: the demo runs a local workspace" in done.stderr
    assert not (tmp_path / "mentorbot-demo.db").exists()


def test_fresh_starts_over_and_otherwise_the_demo_carries_on(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    demo = start_demo(database=database, port=0)
    try:
        demo.workspace.do(
            {
                "op": "type",
                "as": "U0DANA",
                "channel": "C0GENERAL",
                "text": "/mentoring poll #general",
            }
        )
        assert "Skipped ahead" in demo.jobs.skip("day")
        moved = demo.jobs.clock.now()
    finally:
        demo.close()
    again = start_demo(database=database, port=0)
    try:
        assert again.jobs.clock.now() >= moved  # the clock carries on where it was
        with again.jobs.session_factory() as s:
            assert s.scalar(select(func.count()).select_from(Poll)) == 1
        assert "No session is booked yet" in again.jobs.skip("session")
    finally:
        again.close()
    fresh = start_demo(database=database, port=0, fresh=True)
    try:
        with fresh.jobs.session_factory() as s:
            assert s.scalar(select(func.count()).select_from(Poll)) == 0
            # The cast's first sign-ups only.
            assert s.scalar(select(func.count()).select_from(Participant)) == 10
        assert fresh.jobs.clock.now() < moved
    finally:
        fresh.close()


def test_no_demo_code_in_the_apps_handlers_or_services() -> None:
    for folder in ("bot/handlers", "bot/services", "bot/views", "bot/jobs"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom):
                    names = [node.module or ""]
                assert not any(n.startswith("bot.localslack") for n in names), path


def test_the_page_is_served_as_the_package_ships_it() -> None:
    from importlib import resources

    static = resources.files("bot.localslack").joinpath("static")
    assert {p.name for p in static.iterdir()} >= {"index.html", "app.js", "app.css"}
    page = static.joinpath("index.html").read_text()
    assert "/static/app.js" in page and "/static/app.css" in page


def test_skipping_to_a_session_waits_for_check_ins_held_over_the_weekend(tmp_path: Path) -> None:
    demo = start_demo(database=tmp_path / "demo.db", port=0)
    try:
        now = demo.jobs.clock.now()
        with demo.jobs.session_factory.begin() as s:
            people = s.scalars(select(Participant).order_by(Participant.id)).all()
            mentor = next(p for p in people if p.role == Role.MENTOR)
            mentee = next(p for p in people if p.role == Role.MENTEE and p.timezone)
            pair = create_pair(s, mentor=mentor, mentee=mentee, status=PairStatus.ACTIVE, now=now)
            # Next Friday, 19:30 in the mentee's zone: their check-in waits for Monday morning.
            local = now.astimezone(ZoneInfo(mentee.timezone or "UTC"))
            friday = local.date() + timedelta(days=(4 - local.weekday()) % 7 or 7)
            starts = datetime.combine(friday, time(19, 30), local.tzinfo)
            session_rules.schedule(
                s,
                pair=pair,
                user_id=mentor.slack_user_id,
                starts_at=starts.astimezone(UTC),
                minutes=45,
                agenda="",
                now=now,
            )
            mentee_user = mentee.slack_user_id
        assert "Skipped ahead" in demo.jobs.skip("session")
        with demo.jobs.session_factory() as s:
            [state] = s.scalars(
                select(OutboxMessage.state).where(
                    OutboxMessage.channel == mentee_user,
                    OutboxMessage.dedupe_key.like("checkin:first:%"),
                )
            ).all()
        assert state == OutboxState.SENT
        arrived = demo.jobs.clock.now().astimezone(ZoneInfo(mentee.timezone or "UTC"))
        assert arrived.weekday() == 0 and arrived.hour == 8  # Monday morning, not the weekend
    finally:
        demo.close()
