"""`mentorbot demo`: the app and a local Slack workspace together, with a clock you can move.

The app is the one `mentorbot run` serves, unchanged: it gets a bot token the local workspace
issued, the workspace's Web API as `SLACK_API_URL`, a SQLite file of the demo's own, and the
demo's clock through `create_app(clock=…)` and the scheduler's `run_once(clock=…)`. Nothing in
the handlers or services knows it is a demo.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import SecretStr
from slack_sdk import WebClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from waitress.server import TcpWSGIServer, create_server

from bot.config import ConfigError, Settings
from bot.localslack import cast
from bot.localslack.browser import LocalWorkspace, Skip
from bot.localslack.driver import SlackDriver
from bot.services.sessions import CHECKIN_AFTER_END
from models import MentoringSession, OutboxMessage
from models.db import make_engine, make_session_factory
from models.enums import OutboxState, SessionStatus
from models.migrate import upgrade_to_head

logger = logging.getLogger(__name__)

TEAM_ID, TEAM_NAME = "T0DEMO0001", "Northwind"
# Issued by the local workspace; no Slack would accept it.
DEMO_TOKEN = "xoxb-local-demo-workspace"  # noqa: S105
# A real Slack credential in the environment means someone meant `mentorbot run`.
REAL_SLACK_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_SECRET")
DEFAULT_DATABASE = "mentorbot-demo.db"
JOB_INTERVAL_SECONDS = 3.0
# Skipping ahead runs the jobs at least this often on the way (and at each message's due time).
STEP = timedelta(hours=1)
CHANNEL_PASSES = 5  # extra dispatcher passes: one message a second per conversation
SKIPS = (
    ("hour", "1 hour"),
    ("day", "1 day"),
    ("week", "1 week"),
    ("session", "to the next session"),
)


def refuse_real_slack(environ: dict[str, str]) -> None:
    """The demo never talks to Slack: a real token in its environment is a mistake to stop."""
    present = [name for name in REAL_SLACK_SETTINGS if environ.get(name)]
    if present:
        raise ConfigError(
            f"{' and '.join(present)} {'is' if len(present) == 1 else 'are'} set: the demo runs "
            "a local workspace and never talks to Slack. Unset it, or use `mentorbot run`."
        )


class DemoClock:
    """Real time plus an offset that only grows; the offset is kept beside the database, so a
    restarted demo carries on where it was."""

    def __init__(self, saved: Path | None = None) -> None:
        self._saved = saved
        self._lock = threading.Lock()
        self._offset = timedelta()
        if saved is not None and saved.exists():
            with contextlib.suppress(ValueError, KeyError):
                self._offset = timedelta(seconds=float(json.loads(saved.read_text())["offset"]))

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    def move_to(self, when: datetime) -> None:
        with self._lock:
            self._offset = max(self._offset, when - datetime.now(UTC))
            offset = self._offset.total_seconds()
        if self._saved is not None:
            self._saved.write_text(json.dumps({"offset": offset}))


@dataclass
class DemoJobs:
    """The scheduler, on the demo's clock: every few seconds, and on the way when skipping."""

    settings: Settings
    session_factory: sessionmaker[Session]
    client: WebClient
    clock: DemoClock

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run(self) -> None:
        from bot.jobs.dispatcher import dispatch
        from bot.scheduler import run_once

        with self._lock:
            now = self.clock.now()
            run_once(self.settings, self.session_factory, self.client, clock=lambda: now)
            # Slack's pace is a message a second per conversation: send what that held back.
            for second in range(1, CHANNEL_PASSES + 1):
                if not self._due(now):
                    break
                dispatch(self.session_factory, self.client, now=now + timedelta(seconds=second))

    def _due(self, now: datetime) -> bool:
        with self.session_factory() as db_session:
            return bool(
                db_session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at <= now)
                )
            )

    def _next_due(self, after: datetime) -> datetime | None:
        with self.session_factory() as db_session:
            found = db_session.scalar(
                select(func.min(OutboxMessage.due_at)).where(
                    OutboxMessage.state == OutboxState.PENDING, OutboxMessage.due_at > after
                )
            )
            return found

    def _next_session_end(self, after: datetime) -> datetime | None:
        """Just after the next session, when both people's check-in prompts have gone out
        (a prompt that would land in someone's quiet hours waits for their morning)."""
        with self.session_factory() as db_session:
            found = db_session.execute(
                select(MentoringSession.id, MentoringSession.starts_at, MentoringSession.minutes)
                .where(
                    MentoringSession.status == SessionStatus.SCHEDULED,
                    MentoringSession.starts_at > after,
                )
                .order_by(MentoringSession.starts_at)
                .limit(1)
            ).first()
            if found is None:
                return None
            session_id, starts_at, minutes = found
            prompted = db_session.scalar(
                select(func.max(OutboxMessage.due_at)).where(
                    OutboxMessage.session_id == session_id,
                    OutboxMessage.state == OutboxState.PENDING,
                    OutboxMessage.dedupe_key.like("checkin:first:%"),
                )
            )
        ended = starts_at + timedelta(minutes=minutes) + CHECKIN_AFTER_END
        return max(ended, prompted or ended) + timedelta(minutes=1)

    def skip(self, what: str) -> str:
        """Move the clock on, running the jobs at each message's due time on the way."""
        now = self.clock.now()
        ahead = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
        if what == "session":
            target = self._next_session_end(now)
            if target is None:
                return "No session is booked yet: a pair books one with /mentoring schedule."
        elif what in ahead:
            target = now + ahead[what]
        else:
            return f"Cannot skip {what!r}."
        while now < target:
            due = self._next_due(now)
            now = min(target, now + STEP, due if due is not None else target)
            self.clock.move_to(now)
            self.run()
        return f"Skipped ahead to {target:%A %d %B, %H:%M} UTC."

    def loop(self) -> None:
        while not self._stop.wait(JOB_INTERVAL_SECONDS):
            try:
                self.run()
            except Exception:  # the next pass tries again; the demo must not stop
                logger.exception("demo jobs failed")

    def stop(self) -> None:
        self._stop.set()


@dataclass
class Demo:
    workspace: LocalWorkspace
    jobs: DemoJobs
    close: Callable[[], None]

    @property
    def url(self) -> str:
        return self.workspace.base_url


def start_demo(
    *,
    database: Path,
    port: int = 3000,
    host: str = "127.0.0.1",
    fresh: bool = False,
    workspace_class: type[LocalWorkspace] = LocalWorkspace,
) -> Demo:
    """Start the workspace, the app and the jobs; `close()` stops them. (Tests give a
    workspace class that also checks every call against Slack's method descriptions.)"""
    if fresh:
        for path in (database, database.with_suffix(".clock.json")):
            path.unlink(missing_ok=True)
    new = not database.exists()
    clock = DemoClock(database.with_suffix(".clock.json"))
    workspace = LocalWorkspace(TEAM_ID, TEAM_NAME, clock=clock.timestamp, host=host, port=port)
    workspace.issued_tokens[DEMO_TOKEN] = TEAM_ID
    cast.welcome_people(workspace)
    workspace.coordinators = {cast.COORDINATOR}
    signing_secret = secrets.token_hex(16)
    settings = Settings(
        slack_bot_token=SecretStr(DEMO_TOKEN),
        slack_signing_secret=SecretStr(signing_secret),
        slack_app_token=None,
        slack_client_id=None,
        slack_api_url=workspace.api_url,
        database_url=f"sqlite:///{database}",
        mentorbot_coordinators=cast.COORDINATOR,
    )
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    session_factory = make_session_factory(engine)
    if new:
        with session_factory.begin() as db_session:
            cast.sign_up_the_first(db_session, team_id=TEAM_ID, now=clock.now())
    workspace.__enter__()

    from bot.app import create_app, make_web_client
    from bot.web import make_wsgi_app

    app = create_app(settings, session_factory, clock=clock.now)
    server = create_server(make_wsgi_app(app), host="127.0.0.1", port=0, threads=8)
    assert isinstance(server, TcpWSGIServer)
    app_port = int(server.getsockname()[1])
    serving = threading.Thread(target=server.run, daemon=True, name="demo-app")
    serving.start()
    workspace.driver = SlackDriver(f"http://127.0.0.1:{app_port}", signing_secret, workspace)
    jobs = DemoJobs(settings, session_factory, make_web_client(settings), clock)
    workspace.skipper = Skip(choices=SKIPS, skip=jobs.skip, now=clock.now)
    looping = threading.Thread(target=jobs.loop, daemon=True, name="demo-jobs")
    looping.start()

    def close() -> None:
        jobs.stop()
        with contextlib.suppress(OSError, ValueError):
            server.close()
        server.task_dispatcher.shutdown()  # and its worker threads
        workspace.__exit__(None, None, None)
        engine.dispose()

    return Demo(workspace, jobs, close)


def main(*, port: int, host: str, fresh: bool, database: str | None) -> int:
    refuse_real_slack(dict(os.environ))
    path = Path(database or DEFAULT_DATABASE).resolve()
    demo = start_demo(database=path, port=port, host=host, fresh=fresh)
    print(  # noqa: T201
        f"Reverse Mentoring demo: open {demo.url}/ in your browser "
        f"(a local Slack workspace; data in {path}). Ctrl+C stops it.",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        demo.close()
    return 0
