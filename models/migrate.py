"""Run Alembic programmatically against an engine (used by `mentorbot migrate` and the tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, inspect, text

import migrations

VERSION_TABLE = "alembic_version"
MIGRATIONS_DIR = Path(migrations.__file__).parent


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # The config is an INI file underneath, where "%" starts an interpolation: a URL with
        # percent-escapes (a password, query options) must have them doubled.
        url = engine.url.render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_to_head(engine: Engine) -> None:
    """Apply every migration not yet applied."""
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def is_at_head(engine: Engine) -> bool:
    """True when the database has every migration applied."""
    heads = set(script_directory().get_heads())
    with engine.connect() as connection:
        current = applied_revisions(connection)
    return current == heads


def applied_revisions(connection: Connection) -> set[str]:
    """The revisions recorded in the database, read directly: Alembic's MigrationContext logs
    two INFO lines each time it is made, too chatty for a readiness probe polled every second."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return set()
    rows = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608
    return {row[0] for row in rows}


SchemaState = Literal["current", "behind", "unknown"]


def schema_state(connection: Connection, script: ScriptDirectory) -> SchemaState:
    """Where the database stands against this release's migrations: at head, behind (some
    not applied yet), or at a revision this release does not know (a newer one migrated it)."""
    current = applied_revisions(connection)
    if current == set(script.get_heads()):
        return "current"
    try:
        known = all(script.get_revision(revision) is not None for revision in current)
    except CommandError:  # alembic's "no such revision"
        known = False
    return "behind" if known else "unknown"
