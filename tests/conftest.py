"""Fixtures: a migrated database (SQLite always, Postgres when TEST_DATABASE_URL is set), the
fake Slack, the bot served over real HTTP, and a driver that signs requests like Slack."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

import models
from bot.app import create_app
from bot.config import Settings
from bot.metrics import Metrics
from bot.readiness import ReadinessCheck
from bot.web import make_wsgi_app
from models.db import make_engine, make_probe_engine, make_session_factory
from models.migrate import upgrade_to_head
from tests import contract
from tests.driver import SlackDriver
from tests.factories import BOOKED_AT, SeededPair, seed_pair
from tests.fakeslack import FakeSlack
from tests.support import served
from tests.txguard import UNGUARDED, TransactionGuard

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-1111-2222-testtoken"
COORDINATOR = "U0COORD"  # named in MENTORBOT_COORDINATORS
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])


def postgres_url() -> str:
    assert TEST_DATABASE_URL
    return Settings(database_url=TEST_DATABASE_URL).database_url


def reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


@dataclass
class Backend:
    name: str
    url: str
    engine: Engine | None = None  # shared, for Postgres


@pytest.fixture(scope="session", params=BACKENDS)
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Backend]:
    """A database migrated to head once per session; tests get a clean copy of it."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("db") / "template.db"
        engine = make_engine(f"sqlite:///{template}")
        upgrade_to_head(engine)
        engine.dispose()
        yield Backend("sqlite", str(template))
        return
    engine = make_engine(postgres_url())
    reset_postgres(engine)
    upgrade_to_head(engine)
    yield Backend("postgresql", postgres_url(), engine)
    engine.dispose()


@pytest.fixture
def engine(backend: Backend, tmp_path: Path) -> Iterator[Engine]:
    if backend.name == "sqlite":
        db_file = tmp_path / "test.db"
        shutil.copy(backend.url, db_file)
        engine = make_engine(f"sqlite:///{db_file}")
        yield engine
        engine.dispose()
        return
    assert backend.engine is not None
    yield backend.engine
    tables = ", ".join(t.name for t in models.Base.metadata.sorted_tables)
    with backend.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def db_session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """The test's own session, for setting up and looking at what the app stored; it does not
    count as a transaction the app left open (tests/txguard.py)."""
    with session_factory(info={UNGUARDED: True}) as session:
        yield session


@pytest.fixture(scope="session")
def transaction_guard() -> Iterator[TransactionGuard]:
    guard = TransactionGuard()
    undo = guard.install()
    yield guard
    undo()


@pytest.fixture(autouse=True)
def no_slack_call_inside_a_transaction(transaction_guard: TransactionGuard) -> Iterator[None]:
    """Fails any test during which a Slack call was made with a transaction open (on any
    thread: the bot's listeners and jobs included)."""
    yield
    found = transaction_guard.take_violations()
    assert not found, "Slack called inside a database transaction:\n" + "\n".join(found)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API; fails the test if the bot broke Slack's contract."""
    with FakeSlack() as fake:
        yield fake
    assert fake.violations == [], "calls that break Slack's contract:\n" + "\n".join(
        fake.violations
    )


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    """The bot's Slack client, for running jobs and flows directly against the fake Slack."""
    return WebClient(token=BOT_TOKEN, base_url=slack.api_url)


@pytest.fixture
def pair(session_factory: sessionmaker[Session]) -> SeededPair:
    """A published pair, introduced a week before its session is booked (tests/factories.py)."""
    return seed_pair(session_factory, now=BOOKED_AT - timedelta(days=7))


@pytest.fixture
def settings(slack: FakeSlack, engine: Engine) -> Settings:
    return Settings(
        slack_bot_token=SecretStr(BOT_TOKEN),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=slack.api_url,
        database_url=engine.url.render_as_string(hide_password=False),
        mentorbot_coordinators=COORDINATOR,
    )


class MutableClock:
    """The bot's clock: real time unless a test sets it."""

    def __init__(self) -> None:
        self.frozen: datetime | None = None

    def set(self, when: datetime) -> None:
        self.frozen = when

    def __call__(self) -> datetime:
        return self.frozen or datetime.now(UTC)


@dataclass
class RunningBot:
    app: App
    url: str
    driver: SlackDriver
    slack: FakeSlack
    session_factory: sessionmaker[Session]
    clock: MutableClock
    settings: Settings
    metrics: Metrics


@pytest.fixture
def bot(
    settings: Settings, session_factory: sessionmaker[Session], slack: FakeSlack
) -> Iterator[RunningBot]:
    """The bot served over real HTTP by the production server, talking to the fake Slack."""
    clock = MutableClock()
    app = create_app(settings, session_factory, clock=clock)
    probe_engine = make_probe_engine(settings.database_url)
    metrics = Metrics()
    metrics.watch_outbox(probe_engine, clock)
    wsgi_app = make_wsgi_app(app, readiness=ReadinessCheck(probe_engine), metrics=metrics)
    with served(wsgi_app) as url:
        driver = SlackDriver(url, SIGNING_SECRET, slack)
        yield RunningBot(
            app=app,
            url=url,
            driver=driver,
            slack=slack,
            session_factory=session_factory,
            clock=clock,
            settings=settings,
            metrics=metrics,
        )
        driver.close()
    # Let listeners still working after their ack finish before the database goes away.
    app.listener_runner.listener_executor.shutdown(wait=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if contract.available():
        return
    skip = pytest.mark.skip(reason=contract.MISSING_REASON)
    for item in items:
        if "needs_contract" in item.keywords:
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_contract: reads ../shared/slack-contract")


def pytest_report_header() -> str:
    if contract.available():
        return f"slack contract: {contract.CONTRACT_DIR}"
    return f"slack contract: checks of Slack calls skipped: {contract.MISSING_REASON}"
