"""Many workspaces: OAuth installs against the fake Slack, isolation, uninstall and purge."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import waitress
from cryptography.fernet import Fernet
from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.config import Settings
from bot.jobs import JobContext
from bot.jobs.retention import purge_uninstalled
from bot.services import outbox
from bot.services.enrollment import save_profile
from bot.web import make_wsgi_app
from models import OutboxMessage, Participant, Workspace, bots, installations
from models.enums import OutboxState
from tests.conftest import COORDINATOR, SIGNING_SECRET
from tests.driver import SlackDriver
from tests.fakeslack import FakeSlack
from tests.test_enrollment import MENTOR

ONE, TWO = "T0ONE", "T0TWO"
UNINSTALLED_AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@dataclass
class OAuthBot:
    app: App
    url: str
    settings: Settings
    session_factory: sessionmaker[Session]
    engine: Engine
    slack: FakeSlack

    def driver(self, team_id: str) -> SlackDriver:
        return SlackDriver(self.url, SIGNING_SECRET, self.slack, team_id=team_id)


@pytest.fixture
def oauth_bot(
    slack: FakeSlack, engine: Engine, session_factory: sessionmaker[Session]
) -> Iterator[OAuthBot]:
    settings = Settings(
        slack_client_id="111.222",
        slack_client_secret=SecretStr("client-secret-for-tests"),
        mentorbot_token_keys=SecretStr(Fernet.generate_key().decode()),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        slack_api_url=slack.api_url,
        database_url=engine.url.render_as_string(hide_password=False),
        mentorbot_coordinators=COORDINATOR,
    )
    assert settings.oauth
    app = create_app(settings, session_factory)
    server = waitress.create_server(make_wsgi_app(app), host="127.0.0.1", port=0, threads=4)
    closing = threading.Event()

    def serve() -> None:
        try:
            server.run()
        except (OSError, ValueError):
            # Closing the listening socket under waitress's select loop ends it this way.
            if not closing.is_set():
                raise

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield OAuthBot(
        app, f"http://127.0.0.1:{server.effective_port}", settings, session_factory, engine, slack
    )
    closing.set()
    server.close()
    app.listener_runner.listener_executor.shutdown(wait=True)
    thread.join(timeout=5)


def install(bot: OAuthBot, team_id: str, name: str) -> httpx.Response:
    """What an admin does: open the install page, approve in Slack, come back."""
    with httpx.Client(base_url=bot.url, timeout=10) as browser:
        page = browser.get("/slack/install")
        assert page.status_code == 200
        state = re.search(r"state=([^&\"]+)", page.text)
        assert state, page.text
        # The state cookie is `Secure`: a browser sends it back over HTTPS, as here by hand.
        cookie = page.headers["set-cookie"].split(";")[0]
        code = f"code-{team_id}"
        bot.slack.authorize_install(code, team_id, name, f"U0ADMIN{team_id[-1]}")
        return browser.get(
            "/slack/oauth_redirect",
            params={"code": code, "state": state[1]},
            headers={"Cookie": cookie},
        )


def enrol(bot: OAuthBot, team_id: str, *users: str) -> None:
    with bot.session_factory.begin() as db_session:
        for user in users:
            save_profile(
                db_session,
                team_id=team_id,
                user_id=user,
                profile=MENTOR,
                timezone=None,
                now=UNINSTALLED_AT - timedelta(days=3),
            )


def test_two_workspaces_install_and_stay_apart(oauth_bot: OAuthBot) -> None:
    assert install(oauth_bot, ONE, "One Inc").status_code == 200
    assert install(oauth_bot, TWO, "Two Ltd").status_code == 200
    with oauth_bot.engine.connect() as conn:
        stored = conn.execute(select(bots.c.team_id, bots.c.bot_token)).all()
        install_rows = conn.execute(select(installations.c.bot_token)).all()
    assert {team for team, _ in stored} == {ONE, TWO}
    # Tokens are encrypted at rest: nothing token-shaped in the database.
    for _, token in stored:
        assert token.startswith("enc:") and "xoxb" not in token
    assert all("xoxb" not in (row[0] or "") for row in install_rows)
    with oauth_bot.session_factory.begin() as db_session:
        assert db_session.get(Workspace, ONE).name == "One Inc"

    enrol(oauth_bot, ONE, "U0ANN", "U0BEN")
    enrol(oauth_bot, TWO, "U0CAT", "U0DAN", "U0EVA")

    # Each workspace's coordinator sees its own program only, through its own token.
    for team, people in ((ONE, 2), (TWO, 3)):
        driver = oauth_bot.driver(team)
        assert driver.command(COORDINATOR, "stats").status_code == 200
        report = oauth_bot.slack.wait_for_response()
        assert f"Sign-ups: *{people}*" in str(report["blocks"]), report
        driver.close()
    # Someone of workspace two asking in workspace one is a stranger there.
    driver = oauth_bot.driver(ONE)
    status = driver.command("U0CAT", "status").text
    assert "You haven't joined" in status and "0 poll answers" in status
    # Every call the bot made carried a token Slack issued at install, never another.
    bot_calls = [c for c in oauth_bot.slack.calls if c.method != "oauth.v2.access"]
    assert bot_calls and all(c.token in oauth_bot.slack.issued_tokens for c in bot_calls)
    driver.close()


def test_uninstall_deletes_tokens_at_once_and_data_after_retention(oauth_bot: OAuthBot) -> None:
    install(oauth_bot, ONE, "One Inc")
    install(oauth_bot, TWO, "Two Ltd")
    enrol(oauth_bot, ONE, "U0ANN")
    enrol(oauth_bot, TWO, "U0CAT")
    with oauth_bot.session_factory.begin() as db_session:
        for team in (ONE, TWO):
            outbox.enqueue(
                db_session,
                team_id=team,
                dedupe_key=f"test:{team}",
                kind="nudge",
                channel="U0ANN",
                payload={"pair_id": 0, "days": 1},
                due_at=UNINSTALLED_AT + timedelta(days=1),
                now=UNINSTALLED_AT,
            )
    driver = oauth_bot.driver(ONE)
    response = driver.event({"type": "app_uninstalled"}, event_id="Ev0UNINSTALL")
    assert response.status_code == 200
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    while datetime.now(UTC) < deadline:  # the listener works after Slack's ack
        with oauth_bot.engine.connect() as conn:
            left = conn.execute(select(bots.c.team_id)).scalars().all()
            done = conn.execute(
                select(Workspace.uninstalled_at).where(Workspace.team_id == ONE)
            ).scalar()
        if ONE not in left and done is not None:
            break
    assert left == [TWO]  # workspace one's tokens are gone at once, two's stay
    with oauth_bot.engine.connect() as conn:
        assert ONE not in conn.execute(select(installations.c.team_id)).scalars().all()

    with oauth_bot.session_factory.begin() as db_session:
        states = {m.team_id: m.state for m in db_session.scalars(select(OutboxMessage))}
        uninstalled = db_session.get(Workspace, ONE).uninstalled_at
    assert states == {ONE: OutboxState.CANCELLED, TWO: OutboxState.PENDING}
    assert uninstalled is not None

    def purge_at(when: datetime) -> dict[str, int]:
        purge_uninstalled(
            JobContext(oauth_bot.settings, oauth_bot.session_factory, WebClient(), when)
        )
        with oauth_bot.session_factory.begin() as db_session:
            return dict(
                db_session.execute(
                    select(Participant.team_id, func.count()).group_by(Participant.team_id)
                ).all()
            )

    assert purge_at(uninstalled + timedelta(days=29)) == {ONE: 1, TWO: 1}
    assert purge_at(uninstalled + timedelta(days=31)) == {TWO: 1}
    with oauth_bot.session_factory.begin() as db_session:
        assert db_session.get(Workspace, ONE) is None
        assert db_session.get(Workspace, TWO) is not None
        assert [m.team_id for m in db_session.scalars(select(OutboxMessage))] == [TWO]
    driver.close()


def test_rotating_the_key_re_encrypts_every_token(oauth_bot: OAuthBot) -> None:
    from bot.installations import installation_store

    install(oauth_bot, ONE, "One Inc")
    old_key = oauth_bot.settings.mentorbot_token_keys
    assert old_key is not None
    new_key = Fernet.generate_key().decode()
    both = oauth_bot.settings.model_copy(
        update={"mentorbot_token_keys": SecretStr(f"{new_key},{old_key.get_secret_value()}")}
    )
    assert installation_store(both, oauth_bot.engine).rotate_key() == 2  # installation + bot
    only_new = oauth_bot.settings.model_copy(update={"mentorbot_token_keys": SecretStr(new_key)})
    bot = installation_store(only_new, oauth_bot.engine).find_bot(enterprise_id=None, team_id=ONE)
    assert bot is not None and bot.bot_token in oauth_bot.slack.issued_tokens
