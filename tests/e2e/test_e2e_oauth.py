"""Many workspaces: OAuth installs against the fake Slack, isolation, uninstall and purge, and
rotating tokens refreshed when they expire."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.fernet import Fernet
from freezegun import freeze_time
from pydantic import SecretStr
from slack_bolt import App
from slack_sdk import WebClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import create_app
from bot.config import Settings
from bot.installations import installation_store, team_clients
from bot.jobs import JobContext
from bot.jobs.retention import purge_uninstalled
from bot.services import outbox
from bot.services.enrollment import save_profile
from bot.web import make_wsgi_app
from models import OutboxMessage, Participant, Workspace, bots, installations
from models.enums import OutboxState
from models.slack_oauth import TOKEN_COLUMNS
from tests.conftest import COORDINATOR, SIGNING_SECRET
from tests.driver import SlackDriver
from tests.factories import MENTOR
from tests.fakeslack import TOKEN_LIFETIME_SECONDS, ApiCall, FakeSlack
from tests.support import served

ONE, TWO = "T0ONE", "T0TWO"
UNINSTALLED_AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
# Past the life of a rotating access token.
PAST_EXPIRY = timedelta(seconds=TOKEN_LIFETIME_SECONDS, hours=1)


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
    with served(make_wsgi_app(app)) as url:
        yield OAuthBot(app, url, settings, session_factory, engine, slack)
    app.listener_runner.listener_executor.shutdown(wait=True)


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


# -- Slack's token rotation -----------------------------------------------------------------


@pytest.fixture
def rotating(oauth_bot: OAuthBot) -> Iterator[OAuthBot]:
    """The bot installed into workspace ONE, with Slack's token rotation on for the app."""
    oauth_bot.slack.token_rotation = True
    assert install(oauth_bot, ONE, "One Inc").status_code == 200
    yield oauth_bot


def stored_tokens(bot: OAuthBot) -> list[str]:
    """Every token value as the database holds it, installation and bot rows alike."""
    values = []
    with bot.engine.connect() as conn:
        for table in (installations, bots):
            columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
            for row in conn.execute(select(*columns)):
                values += [value for value in row if value is not None]
    return values


def assert_encrypted(bot: OAuthBot, *plain: str) -> None:
    values = stored_tokens(bot)
    assert values
    for value in values:
        assert value.startswith("enc:") and "xox" not in value
        assert not any(token in value for token in plain)


def home_opened(bot: OAuthBot, user: str, event_id: str) -> ApiCall:
    """The person opens the App Home; the view Slack got for them."""
    before = len(bot.slack.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home"}
    driver = bot.driver(ONE)
    try:
        assert driver.event({**event, "event_ts": "1.1"}, event_id=event_id).status_code == 200
    finally:
        driver.close()
    return bot.slack.wait_for("views.publish", count=before + 1)[-1]


def refreshes(bot: OAuthBot) -> list[ApiCall]:
    return [
        c
        for c in bot.slack.calls_to("oauth.v2.access")
        if c.args.get("grant_type") == "refresh_token"
    ]


def current_pair(bot: OAuthBot) -> tuple[str, str]:
    """The workspace's access and refresh token, decrypted, as the app will next use them."""
    store = installation_store(bot.settings, bot.engine)
    found = store.find_installation(enterprise_id=None, team_id=ONE)
    assert found is not None and found.bot_token and found.bot_refresh_token
    bot_row = store.find_bot(enterprise_id=None, team_id=ONE)
    assert bot_row is not None
    assert (bot_row.bot_token, bot_row.bot_refresh_token) == (
        found.bot_token,
        found.bot_refresh_token,
    )
    return found.bot_token, found.bot_refresh_token


def test_an_expired_token_is_refreshed_on_the_next_request_and_used_from_then_on(
    rotating: OAuthBot,
) -> None:
    slack = rotating.slack
    first_token, first_refresh = current_pair(rotating)
    assert first_token.startswith("xoxe.xoxb-") and first_refresh.startswith("xoxe-1-")
    assert_encrypted(rotating, first_token, first_refresh)

    # While the token is fresh, requests use it and nothing is refreshed.
    assert home_opened(rotating, "U0ANN", "Ev0FRESH").token == first_token
    assert refreshes(rotating) == []

    with freeze_time(datetime.now(UTC) + PAST_EXPIRY, tick=True):
        published = home_opened(rotating, "U0ANN", "Ev0EXPIRED")
        [refresh] = refreshes(rotating)
        # Slack's refresh grant: the app's credentials and the refresh token from the install.
        assert refresh.token == "client-credentials"
        assert refresh.args["refresh_token"] == first_refresh
        new_token, new_refresh = current_pair(rotating)
        assert new_token != first_token and new_refresh != first_refresh
        assert new_token in slack.issued_tokens
        # The Home was published with the new token (the Authorization header Slack saw), and
        # nothing after the refresh was sent with the expired one.
        assert published.token == new_token and published.ok
        after = slack.calls[slack.calls.index(refresh) + 1 :]
        assert after and all(c.token == new_token for c in after)
        assert all(c.response.get("error") != "token_expired" for c in slack.calls)
        assert_encrypted(rotating, first_token, first_refresh, new_token, new_refresh)

        # The next request finds the new pair stored and refreshes nothing.
        assert home_opened(rotating, "U0BEN", "Ev0AFTER").token == new_token
        assert len(refreshes(rotating)) == 1


def test_a_token_refreshed_for_scheduled_messages_is_the_one_requests_use(
    rotating: OAuthBot,
) -> None:
    """The scheduler refreshes an expiring token before sending; the refresh token it used is
    then revoked, so requests must carry on from the pair it stored, not the install's."""
    first_token, first_refresh = current_pair(rotating)
    clients = team_clients(rotating.settings, rotating.engine)
    assert clients is not None
    with freeze_time(datetime.now(UTC) + PAST_EXPIRY, tick=True):
        client = clients(ONE)
        assert client is not None and client.token != first_token
        assert client.token == current_pair(rotating)[0]
        client.chat_postMessage(channel="U0ANN", text="A reminder")
        assert rotating.slack.calls_to("chat.postMessage")[-1].token == client.token
        published = home_opened(rotating, "U0ANN", "Ev0AFTERJOB")
        assert published.token == client.token and published.ok
        assert [c.args["refresh_token"] for c in refreshes(rotating)] == [first_refresh]
        assert_encrypted(rotating, first_token, first_refresh, client.token)
