"""Building the Bolt app. Nothing here runs at import time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy.orm import Session, sessionmaker

from bot import acks, saved_changes
from bot.config import Settings
from bot.deps import Deps, utc_clock
from bot.flows.lifecycle import installed as workspace_installed
from bot.flows.poll_messages import PollMessages
from bot.handlers import (
    closing,
    commands,
    concerns,
    coordinators,
    edge,
    errors,
    goals,
    home,
    inbound,
    lifecycle,
    listen,
    matching,
    pair_fixes,
    participation,
    polls,
    programs,
    sessions,
    signup,
    stats,
    surveys,
)
from bot.installations import (
    SCOPES,
    EncryptedInstallationStore,
    installation_store,
    oauth_settings,
)
from bot.slack_retry import with_modal_retry
from bot.views.validation import speed_up_validation

logger = logging.getLogger(__name__)

# Threads that run listeners (Bolt's default is 5). A request is acknowledged only once its
# listener starts, and listeners keep their thread after ack() while they wait on Slack (views,
# Home, poll message updates), so with 5 those waits held up everyone's acks: at 50 people
# clicking every ~3 s and Slack taking 150 ms a call, p99 ack was ~2 s (bench/load.py).
LISTENER_THREADS = 16


class _IgnoreEnvTokenWarning(logging.Filter):
    """Bolt reads SLACK_BOT_TOKEN itself and warns that the client we built from it wins."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


_ENV_TOKEN_WARNING = _IgnoreEnvTokenWarning()


def make_web_client(settings: Settings) -> WebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return with_modal_retry(WebClient(token=token, base_url=settings.slack_api_url))


def create_app(
    settings: Settings,
    session_factory: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] = utc_clock,
) -> App:
    """The Bolt app with every feature's listeners registered."""
    settings.require_slack()
    speed_up_validation()
    # Listeners run here, and keep running after the ack; each in a copy of its request's
    # context, so that their log lines carry the request's id and workspace (bot.log_context).
    executor = acks.ListenerPool(max_workers=LISTENER_THREADS)
    app, store = _bolt_app(settings, session_factory, executor)
    deps = Deps(
        settings=settings,
        session_factory=session_factory,
        clock=clock,
        background=executor.background,
        later=executor.later,
        poll_messages=PollMessages(session_factory),
    )
    acks.register(app, executor)
    listen.inject(app, deps)
    saved_changes.register(app)
    errors.register(app)
    inbound.register(app)
    _register_features(app, store)
    return app


def _bolt_app(
    settings: Settings, session_factory: sessionmaker[Session], executor: acks.ListenerPool
) -> tuple[App, EncryptedInstallationStore | None]:
    """Bolt's app for one workspace (a bot token), or many (OAuth, with their store)."""
    bolt_logger = logging.getLogger("bot.bolt")
    bolt_logger.addFilter(_ENV_TOKEN_WARNING)  # adding the same filter twice is a no-op
    common: dict[str, Any] = {
        "signing_secret": (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        ),
        "logger": bolt_logger,
        "listener_executor": executor,
        # A request no listener matches (a button from an old message, an event we do not
        # subscribe to) goes to the error handler, which answers it politely.
        "raise_error_for_unhandled_request": True,
        # A request missing what Slack always sends is dropped before anything runs.
        "before_authorize": edge.drop_incomplete,
    }
    if not settings.oauth:
        app = App(
            client=make_web_client(settings),
            # Socket Mode traffic arrives over an authenticated websocket, not signed HTTP.
            request_verification_enabled=not settings.socket_mode,
            **common,
        )
        return app, None
    # Many workspaces: each request is authorised with its workspace's installed token.
    store = installation_store(settings, session_factory.kw["bind"])

    def installed(installation: Installation) -> None:
        if installation.team_id:
            workspace_installed(
                session_factory, team_id=installation.team_id, name=installation.team_name
            )

    app = App(
        client=with_modal_retry(WebClient(base_url=settings.slack_api_url)),
        oauth_settings=oauth_settings(settings, store, SCOPES, on_installed=installed),
        **common,
    )
    return app, store


def _register_features(app: App, store: EncryptedInstallationStore | None) -> None:
    # Sub-commands in the order `/mentoring help` lists them.
    commands.register(
        app,
        commands.CommandRouter(
            [
                *signup.COMMANDS,
                *participation.COMMANDS,
                *coordinators.COMMANDS,
                *programs.COMMANDS,
                *polls.COMMANDS,
                *matching.COMMANDS,
                *pair_fixes.COMMANDS,
                *goals.COMMANDS,
                *sessions.COMMANDS,
                *concerns.COMMANDS,
                *stats.COMMANDS,
                *stats.EXPORT_COMMANDS,
            ]
        ),
    )
    for feature in (signup, participation, programs, polls, matching, goals, sessions):
        listen.register(app, feature.LISTENERS)
    for listeners in (
        surveys.LISTENERS,
        concerns.LISTENERS,
        home.LISTENERS,
        closing.LISTENERS,
        pair_fixes.LISTENERS,
    ):
        listen.register(app, listeners)
    listen.register(app, lifecycle.listeners(store))
