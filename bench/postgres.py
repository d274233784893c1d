"""The bench scripts' scratch Postgres databases: created on first use, wiped before each run."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from models.db import make_engine
from models.migrate import upgrade_to_head


def ensure_database(url: str) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    target = make_url(url)
    name = target.database
    if not name:
        raise SystemExit(f"no database named in {target.render_as_string(hide_password=True)}")
    # CREATE DATABASE cannot run in a transaction, so this talks to the maintenance database.
    server = make_engine(target.set(database="postgres").render_as_string(hide_password=False))
    try:
        with server.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                quoted = conn.dialect.identifier_preparer.quote(name)
                conn.execute(text(f"CREATE DATABASE {quoted}"))
                print(f"created database {name}")
    finally:
        server.dispose()


def other_connections(engine: Engine) -> int:
    """Sessions other than ours on this database: someone may be using what we would wipe."""
    with engine.connect() as conn:
        query = text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(conn.scalar(query) or 0)


def wipe_and_migrate(engine: Engine) -> None:
    """Drop everything in the public schema, then migrate the empty schema to head."""
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade_to_head(engine)


def wiped_database(url: str, parser: argparse.ArgumentParser, *, force: bool) -> Engine:
    """The database at `url` (created if need be), wiped and migrated to head.

    Refuses, as a usage error, while anyone else is connected to it, unless `force`: they may be
    using what this would wipe.
    """
    ensure_database(url)
    engine = make_engine(url)
    others = other_connections(engine)
    if others and not force:
        parser.error(f"{others} other connection(s) to this database; --force wipes it anyway")
    print(f"wiping and migrating {engine.url.render_as_string(hide_password=True)}")
    wipe_and_migrate(engine)
    return engine
