"""`alembic upgrade head` from empty, on both databases, and no drift between models and
migrations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, insert, inspect, select, text

import models
from models.db import make_engine
from models.migrate import alembic_config, is_at_head, upgrade_to_head
from tests.conftest import BACKENDS, postgres_url


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    # A schema of its own, so the shared test schema is left alone.
    admin = make_engine(postgres_url())
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS migration_check CASCADE"))
        conn.execute(text("CREATE SCHEMA migration_check"))
    engine = make_engine(postgres_url(), connect_args={"options": "-c search_path=migration_check"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA migration_check CASCADE"))
    admin.dispose()


def test_upgrade_head_from_empty_matches_the_models(empty_engine: Engine) -> None:
    assert not is_at_head(empty_engine)
    upgrade_to_head(empty_engine)
    assert is_at_head(empty_engine)
    tables = set(inspect(empty_engine).get_table_names())
    assert set(models.Base.metadata.tables) <= tables
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        drift = compare_metadata(context, models.Base.metadata)
    assert drift == [], f"models and migrations disagree: {drift}"


def test_downgrade_to_base_and_back(empty_engine: Engine) -> None:
    upgrade_to_head(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade_to_head(empty_engine)
    assert is_at_head(empty_engine)


def test_upgrade_is_idempotent(empty_engine: Engine) -> None:
    upgrade_to_head(empty_engine)
    upgrade_to_head(empty_engine)
    assert is_at_head(empty_engine)


def test_migrate_takes_a_database_url_with_percent_escapes(tmp_path: Path) -> None:
    # A "%" in a path (or a percent-escaped password) must not upset Alembic's INI-style config.
    folder = tmp_path / "100%"
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'mentorbot.db'}")
    upgrade_to_head(engine)
    assert is_at_head(engine)
    engine.dispose()
    assert (folder / "mentorbot.db").exists()


def test_upgrading_gives_existing_sessions_and_check_ins_their_program(
    empty_engine: Engine,
) -> None:
    config = alembic_config()
    with empty_engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0007")
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    stamp = {"created_at": at, "updated_at": at}
    with empty_engine.begin() as conn:
        tables = MetaData()
        tables.reflect(conn)

        def add(table: str, /, **values: object) -> None:
            conn.execute(insert(tables.tables[table]).values(**values))

        add("workspaces", team_id="T0MIG", **stamp)
        for program in (1, 2):
            add(
                "programs",
                id=program,
                team_id="T0MIG",
                name=f"Program {program}",
                status="open" if program == 2 else "closed",
                signup_open=True,
                cadence="biweekly",
                **stamp,
            )
            for person in (2 * program - 1, 2 * program):
                add(
                    "participants",
                    id=person,
                    team_id="T0MIG",
                    program_id=program,
                    slack_user_id=f"U0P{person}",
                    status="active",
                    role="mentor" if person % 2 else "mentee",
                    department="Sales",
                    location="Lisbon",
                    job_title="Analyst",
                    career_stage="0-2",
                    personality="ambivert",
                    cadence="biweekly",
                    mentee_capacity=1,
                    consented_at=at,
                    **stamp,
                )
            add("pairs", id=program, team_id="T0MIG", program_id=program, status="active", **stamp)
            add(
                "mentoring_sessions",
                id=program,
                pair_id=program,
                starts_at=at,
                minutes=45,
                status="happened",
                scheduled_by=f"U0P{program}",
                **stamp,
            )
            add(
                "check_ins",
                id=program,
                session_id=program,
                participant_id=2 * program,
                side="mentee",
                outcome="happened",
                **stamp,
            )
    upgrade_to_head(empty_engine)
    with empty_engine.connect() as conn:
        for model in (models.MentoringSession, models.CheckIn):
            rows = conn.execute(select(model.id, model.program_id).order_by(model.id)).all()
            assert [tuple(row) for row in rows] == [(1, 1), (2, 2)], model.__tablename__
