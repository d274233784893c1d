"""A connection the database dropped while it sat in the pool (a restart, an idle timeout) is
replaced before a request uses it; one in steady use is not pinged before each transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from models import db
from tests.conftest import TEST_DATABASE_URL, postgres_url

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="a Postgres server drops it")


def _backend_pid(engine: db.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_dropped_connection_is_replaced_once_it_has_idled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = db.make_engine(postgres_url(), pool_size=1, max_overflow=0)
    killer = db.make_engine(postgres_url())
    try:
        pooled = _backend_pid(engine)
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pooled})
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # it has idled long enough
        replaced = _backend_pid(engine)  # would raise "terminating connection" without a ping
        assert replaced != pooled
    finally:
        engine.dispose()
        killer.dispose()


def test_a_connection_in_steady_use_is_not_pinged(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = db.make_engine(postgres_url(), pool_size=1, max_overflow=0)
    pings: list[object] = []
    real_ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(c) or real_ping(c))
    try:
        for _ in range(5):
            _backend_pid(engine)
        assert pings == []
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)
        _backend_pid(engine)
        assert len(pings) == 1
    finally:
        engine.dispose()
