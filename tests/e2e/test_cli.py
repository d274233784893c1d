"""The `mentorbot` command as an operator runs it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from models.db import make_engine
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.fakesocket import FakeSocketModeServer, help_command
from tests.support import REPO_ROOT, Scrape, eventually, free_port

APP_TOKEN = "xapp-1-A0MENTOR-123-abc"


def mentorbot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "MENTORBOT_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'bot.db'}", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def http_env(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    """A bot that Slack reaches over HTTP (signed requests), calling Slack's API at `api_url`."""
    return mentorbot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=api_url,
        **extra,
    )


def socket_env(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    """A bot in Socket Mode: it opens a websocket to Slack with the app-level token."""
    return mentorbot_env(
        tmp_path,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=APP_TOKEN,
        SLACK_API_URL=api_url,
        **extra,
    )


def mentorbot(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_run_without_slack_settings_says_what_is_missing_in_one_line(tmp_path: Path) -> None:
    result = mentorbot("run", env=mentorbot_env(tmp_path))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN" in lines[0] and "SLACK_SIGNING_SECRET" in lines[0]
    assert "manifest.yml" in lines[0]
    assert "Traceback" not in result.stderr


def test_run_with_only_the_signing_secret_missing_names_just_that(tmp_path: Path) -> None:
    result = mentorbot("run", env=mentorbot_env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN))
    assert result.returncode != 0
    assert "SLACK_SIGNING_SECRET is not set" in result.stderr
    assert "SLACK_BOT_TOKEN" not in result.stderr


def test_bare_mentorbot_prints_its_help_and_version_is_one_line(tmp_path: Path) -> None:
    bare = mentorbot(env=mentorbot_env(tmp_path))
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.startswith("usage: mentorbot")
    assert "demo" in bare.stdout and "migrate" in bare.stdout
    version = mentorbot("--version", env=mentorbot_env(tmp_path))
    assert version.returncode == 0
    assert re.fullmatch(r"mentorbot \d+\.\d+\.\d+\S*\n", version.stdout), version.stdout


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("not a url", 2, "DATABASE_URL is not a database URL"),
        ("mysqlish://db/x", 2, "DATABASE_URL names a database this install cannot use"),
        ("postgresql://u:hunter2@127.0.0.1:9/x", 1, "could not use the database in DATABASE_URL"),
    ],
)
def test_a_bad_database_url_is_one_line_without_the_password(
    tmp_path: Path, url: str, code: int, says: str
) -> None:
    result = mentorbot("migrate", env=mentorbot_env(tmp_path, DATABASE_URL=url))
    assert result.returncode == code
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert says in lines[0]
    assert "hunter2" not in result.stderr


def test_migrate_creates_the_schema(tmp_path: Path) -> None:
    env = mentorbot_env(tmp_path)
    result = mentorbot("migrate", env=env)
    assert result.returncode == 0, result.stderr
    engine = make_engine(env["DATABASE_URL"])
    assert {"workspaces", "programs", "participants"} <= set(inspect(engine).get_table_names())
    engine.dispose()


@dataclass
class Run:
    process: subprocess.Popen[str]
    output: str = ""


@contextmanager
def running(env: dict[str, str], port: int, *args: str) -> Iterator[Run]:
    """`mentorbot run` in a subprocess, once it answers /healthz; stopped with SIGTERM after."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "run", *args],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    run = Run(process)

    def listening() -> bool:
        assert process.poll() is None, process.stdout.read() if process.stdout else ""
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
        return True

    try:
        eventually(
            listening, 30, every=0.1, ignoring=(httpx.TransportError,), what="the bot listening"
        )
        yield run
    finally:
        process.send_signal(signal.SIGTERM)
        run.output = process.communicate(timeout=20)[0]


def test_run_serves_healthz_and_slack_then_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    with FakeSlack() as slack:
        env = http_env(tmp_path, slack.api_url, PORT=str(port))
        with running(env, port) as run:
            response = httpx.get(f"http://127.0.0.1:{port}/healthz")
            assert response.status_code == 200 and response.json() == {"status": "ok"}
            # Slack's endpoint is there and insists on a signature.
            assert httpx.post(f"http://127.0.0.1:{port}/slack/events").status_code == 401
            # It checked its token with Slack (auth.test) on the way up, and migrated.
            assert slack.calls_to("auth.test")[0].token == BOT_TOKEN
            assert "participants" in inspect(make_engine(env["DATABASE_URL"])).get_table_names()
    assert run.process.returncode == 0, run.output
    assert BOT_TOKEN not in run.output and SIGNING_SECRET not in run.output


def test_socket_mode_connects_with_the_app_token_and_serves_no_unsigned_http(
    tmp_path: Path,
) -> None:
    port = free_port()
    with FakeSlack() as slack:
        env = socket_env(tmp_path, slack.api_url, PORT=str(port))
        with running(env, port, "--no-scheduler") as run:
            opened = slack.wait_for("apps.connections.open")[0]
            assert opened.token == APP_TOKEN
            assert httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
            assert httpx.get(f"http://127.0.0.1:{port}/readyz").json() == {"status": "ready"}
            assert httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 200
            assert httpx.post(f"http://127.0.0.1:{port}/slack/events").status_code == 404
    assert "xapp-1-A0MENTOR" not in run.output and BOT_TOKEN not in run.output


def test_socket_mode_answers_over_the_websocket_and_counts_each_request(
    tmp_path: Path,
) -> None:
    port = free_port()
    with FakeSlack() as slack, FakeSocketModeServer() as socket_end:
        slack.socket_url = socket_end.url
        env = socket_env(tmp_path, slack.api_url, PORT=str(port), LOG_FORMAT="json")
        with running(env, port, "--no-scheduler") as run:
            assert socket_end.connected.wait(20), run.output
            command = help_command(slack)
            socket_end.send(
                {
                    "envelope_id": "env-1",
                    "type": "slash_commands",
                    "payload": command,
                    "accepts_response_payload": True,
                }
            )
            answer = socket_end.answer_to("env-1")
            # The help answers the command in the ack, over the socket.
            assert "/mentoring" in json.dumps(answer["payload"])
            metrics = Scrape(httpx.get(f"http://127.0.0.1:{port}/metrics").text)
            assert metrics("mentorbot_slack_requests_total", type="command", outcome="2xx") == 1
            assert metrics("mentorbot_slack_ack_seconds_count", type="command") == 1
    lines = [json.loads(line) for line in run.output.splitlines() if line.startswith("{")]
    summary = [line for line in lines if line["message"].startswith("slack command: 200")]
    assert len(summary) == 1 and summary[0]["team_id"] == slack.team_id
    assert summary[0]["request_id"]
    assert "xapp-1-A0MENTOR" not in run.output and BOT_TOKEN not in run.output


def test_run_with_json_logs_is_ready_counts_requests_and_logs_each_line_as_json(
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with FakeSlack() as slack:
        env = http_env(tmp_path, slack.api_url, PORT=str(port), LOG_FORMAT="json")
        with running(env, port) as run:
            for _ in range(3):
                assert httpx.get(f"{base}/readyz").json() == {"status": "ready"}
            driver = SlackDriver(base, SIGNING_SECRET, slack)
            response = driver.command("U0ALICE", "help")
            driver.close()
            assert response.status_code == 200
            metrics = Scrape(httpx.get(f"{base}/metrics").text)
            assert metrics("mentorbot_slack_requests_total", type="command", outcome="2xx") == 1
            assert metrics("mentorbot_outbox_pending") == 0
            # The in-process scheduler's dispatcher (every 5 s) is timed too.
            eventually(
                lambda: Scrape(httpx.get(f"{base}/metrics").text)(
                    "mentorbot_job_duration_seconds_count", job="dispatch_outbox"
                ),
                15,
                every=0.5,
                what="the dispatcher's first timed pass",
            )
    assert run.process.returncode == 0, run.output
    entries = [json.loads(line) for line in run.output.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    [answered] = [e for e in entries if e["message"].startswith("slack command: 200")]
    assert answered["request_id"] == response.headers["x-request-id"]
    assert answered["team_id"] == slack.team_id
    # At INFO the scheduler and the readiness probe are quiet: no line per job run, no
    # Alembic lines per /readyz (only the start-up migration's own).
    assert not [e for e in entries if e["logger"].startswith("apscheduler")]
    assert not [e for e in entries if e["message"].startswith("job dispatch_outbox finished")]
    contexts = [e for e in entries if e["message"].startswith("Context impl")]
    assert len(contexts) == 1, contexts
    assert BOT_TOKEN not in run.output and SIGNING_SECRET not in run.output


def test_jobs_run_once_runs_and_exits(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        env = http_env(tmp_path, slack.api_url)
        assert mentorbot("migrate", env=env).returncode == 0
        result = mentorbot("jobs", "run-once", env=env)
    assert result.returncode == 0, result.stderr
    assert "ran " in result.stderr


def test_a_bad_token_is_reported_in_one_line(tmp_path: Path) -> None:
    with FakeSlack() as slack:
        from tests.fakeslack import Failure

        slack.fail("auth.test", Failure(error="invalid_auth"))
        env = mentorbot_env(
            tmp_path,
            SLACK_BOT_TOKEN="xoxb-wrong",
            SLACK_SIGNING_SECRET="x",
            SLACK_API_URL=slack.api_url,
            PORT=str(free_port()),
        )
        result = mentorbot("run", "--no-scheduler", env=env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "SLACK_BOT_TOKEN" in result.stderr.strip().splitlines()[-1]
    assert "xoxb-wrong" not in result.stderr


def test_slack_out_of_reach_at_start_is_reported_in_one_line(tmp_path: Path) -> None:
    # Nothing listens on this port: Bolt's token check at start-up cannot connect.
    unreachable = f"http://127.0.0.1:{free_port()}/api/"
    env = http_env(tmp_path, unreachable, PORT=str(free_port()))
    result = mentorbot("run", "--no-scheduler", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("mentorbot: could not reach Slack at " + unreachable), last
    assert BOT_TOKEN not in result.stderr
