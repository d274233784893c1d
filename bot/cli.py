"""The `mentorbot` command: run, demo, migrate, jobs run-once."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from importlib import metadata
from types import FrameType
from urllib.error import URLError

from pydantic import ValidationError
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from bot.config import ConfigError, Settings
from models.db import make_engine, make_probe_engine, make_session_factory
from models.migrate import upgrade_to_head

logger = logging.getLogger("mentorbot")

HTTP_THREADS = 16


class SlackUnreachableError(Exception):
    """Slack's Web API did not answer at start-up: worth retrying, unlike a bad setting."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorbot", description="Reverse Mentoring for Slack")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = commands.add_parser(
        "run", help="serve Slack (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)"
    )
    run.add_argument("--port", type=int, help="HTTP port (default: PORT or 3000)")
    run.add_argument("--host", default="0.0.0.0", help="HTTP address to bind (default: 0.0.0.0)")  # noqa: S104
    run.add_argument(
        "--no-scheduler", action="store_true", help="serve Slack only; run jobs elsewhere"
    )
    run.add_argument(
        "--no-migrate", action="store_true", help="do not upgrade the database on start"
    )
    demo = commands.add_parser(
        "demo", help="try the app in a browser: a local Slack workspace, no Slack account needed"
    )
    demo.add_argument("--port", type=int, default=3000, help="the page's port (default: 3000)")
    demo.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine)"
    )
    demo.add_argument("--fresh", action="store_true", help="start over with a new demo database")
    demo.add_argument(
        "--database", help="the demo's SQLite file (default: mentorbot-demo.db, here)"
    )
    commands.add_parser("migrate", help="upgrade the database in DATABASE_URL to the latest schema")
    jobs = commands.add_parser("jobs", help="scheduled jobs")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", metavar="COMMAND")
    jobs_commands.add_parser("run-once", help="run every scheduled job once, then exit")
    commands.add_parser(
        "generate-token-key", help="print a new key for MENTORBOT_TOKEN_KEYS (OAuth installs)"
    )
    commands.add_parser(
        "rotate-token-key",
        help="re-encrypt every stored Slack token with the first key of MENTORBOT_TOKEN_KEYS",
    )
    return parser


def _version() -> str:
    try:
        return metadata.version("mentorbot")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None


def _secrets(settings: Settings) -> list[str]:
    values = (
        settings.slack_bot_token,
        settings.slack_signing_secret,
        settings.slack_app_token,
        settings.slack_client_secret,
        settings.mentorbot_token_keys,
    )
    return [v.get_secret_value() for v in values if v is not None]


def _stop_on_sigterm() -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def cmd_migrate(settings: Settings) -> int:
    engine = make_engine(settings.database_url)
    upgrade_to_head(engine)
    logger.info("database is at the latest schema")
    return 0


def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here so `mentorbot migrate` does not load the Slack stack.
    from bot.app import create_app, make_web_client
    from bot.metrics import Metrics
    from bot.readiness import ReadinessCheck
    from bot.scheduler import build_scheduler
    from bot.services.matching.engine import warm_up
    from bot.web import make_wsgi_app

    settings.require_slack()
    engine = make_engine(settings.database_url)
    if not args.no_migrate:
        upgrade_to_head(engine)
    session_factory = make_session_factory(engine)
    try:
        app = create_app(settings, session_factory)
    except BoltError as error:
        raise ConfigError(f"Slack refused the bot token ({error}); check SLACK_BOT_TOKEN") from None
    except (URLError, TimeoutError, ConnectionError) as error:
        # Bolt checks the token with auth.test before serving; say so in one line, not a
        # traceback, so an orchestrator's restart loop shows why.
        reason = error.reason if isinstance(error, URLError) else error
        raise SlackUnreachableError(
            f"could not reach Slack at {settings.slack_api_url} to check the bot token"
            f" ({reason}); check the network or SLACK_API_URL"
        ) from None

    # Readiness and the outbox gauges use their own unpooled, quick-to-give-up connections.
    probe_engine = make_probe_engine(settings.database_url)
    readiness = ReadinessCheck(probe_engine)
    metrics = Metrics()
    metrics.watch_outbox(probe_engine)

    # Matching's compiled passes load (or compile, on a new machine) while nobody waits.
    threading.Thread(target=warm_up, name="matching-warm-up", daemon=True).start()
    scheduler = None
    if not args.no_scheduler:
        scheduler = build_scheduler(
            settings, session_factory, make_web_client(settings), metrics=metrics
        )
        scheduler.start()
    _stop_on_sigterm()
    try:
        import waitress

        port = args.port or settings.port
        if settings.socket_mode:
            from bot.socket_mode import MeteredSocketModeHandler

            assert settings.slack_app_token is not None
            logger.info(
                "connecting to Slack in Socket Mode; health, readiness and metrics on port %d",
                port,
            )
            MeteredSocketModeHandler(
                app,
                settings.slack_app_token.get_secret_value(),
                metrics=metrics,
                web_client=WebClient(base_url=settings.slack_api_url),
            ).connect()
            wsgi_app = make_wsgi_app(None, readiness=readiness, metrics=metrics)
        else:
            logger.info("serving Slack on http://%s:%d/slack/events", args.host, port)
            wsgi_app = make_wsgi_app(app, readiness=readiness, metrics=metrics)
        waitress.serve(wsgi_app, host=args.host, port=port, threads=HTTP_THREADS, ident="mentorbot")
    except KeyboardInterrupt:
        logger.info("stopping")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
    return 0


def cmd_jobs_run_once(settings: Settings) -> int:
    from bot.app import make_web_client
    from bot.scheduler import run_once

    settings.require_slack()
    engine = make_engine(settings.database_url)
    names = run_once(settings, make_session_factory(engine), make_web_client(settings))
    logger.info("ran %d job(s): %s", len(names), ", ".join(names) or "none scheduled")
    return 0


def cmd_rotate_token_key(settings: Settings) -> int:
    from bot.installations import installation_store

    if not settings.oauth or settings.mentorbot_token_keys is None:
        raise ConfigError(
            "rotate-token-key needs SLACK_CLIENT_ID and MENTORBOT_TOKEN_KEYS (OAuth installs)"
        )
    rows = installation_store(settings, make_engine(settings.database_url)).rotate_key()
    logger.info("re-encrypted the tokens of %d stored rows with the newest key", rows)
    return 0


def cmd_generate_token_key() -> int:
    from cryptography.fernet import Fernet

    print(Fernet.generate_key().decode())  # noqa: T201
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from bot.localslack import demo
    from bot.logging_setup import configure_logging

    configure_logging("WARNING", [], "text")
    return demo.main(port=args.port, host=args.host, fresh=args.fresh, database=args.database)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "jobs" and args.jobs_command is None:
        parser.parse_args(["jobs", "--help"])
    try:
        return _dispatch(args)
    except OPERATOR_ERRORS as error:
        message, code = _explain(error)
        # One line for the operator instead of a traceback.
        print(f"mentorbot: {message}", file=sys.stderr)  # noqa: T201
        return code


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "demo":
        return cmd_demo(args)
    settings = _settings()
    from bot.logging_setup import configure_logging

    configure_logging(settings.log_level, _secrets(settings), settings.log_format)
    commands: dict[str, Callable[[], int]] = {
        "migrate": lambda: cmd_migrate(settings),
        "run": lambda: cmd_run(settings, args),
        "generate-token-key": cmd_generate_token_key,
        "rotate-token-key": lambda: cmd_rotate_token_key(settings),
        "jobs": lambda: cmd_jobs_run_once(settings),
    }
    return commands[args.command]()


OPERATOR_ERRORS = (
    ConfigError,
    SlackApiError,
    SlackUnreachableError,
    ArgumentError,
    OperationalError,
)


def _explain(error: Exception) -> tuple[str, int]:
    """What went wrong in the operator's terms, and the exit code: 2 for a setting to fix,
    1 for something outside (Slack, the database server) that may come right by itself."""
    if isinstance(error, SlackApiError):
        return f"Slack answered {error.response.get('error')}", 1
    if isinstance(error, NoSuchModuleError):
        return f"DATABASE_URL names a database this install cannot use ({error})", 2
    if isinstance(error, ArgumentError):
        # The parser's message repeats the URL, password included; name the setting instead.
        return "DATABASE_URL is not a database URL", 2
    if isinstance(error, OperationalError):
        reason = str(error.orig or error).strip().splitlines()[0]
        return f"could not use the database in DATABASE_URL: {reason}", 1
    return str(error), 2 if isinstance(error, ConfigError) else 1


if __name__ == "__main__":
    sys.exit(main())
