"""`/readyz`: ready only while the database answers and has every migration applied.

A load balancer sends traffic to a replica only while it is ready, so these tests take the
database away for real (a moved SQLite file, a Postgres connection through a proxy that is
stopped, a server that never answers) and check that the answer follows.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
from alembic import command
from sqlalchemy import Engine, make_url, text

from bot.readiness import ReadinessCheck
from bot.web import make_wsgi_app
from models.db import make_engine, make_probe_engine
from models.migrate import alembic_config, script_directory, upgrade_to_head
from tests.conftest import Backend, RunningBot, postgres_url
from tests.support import free_port, served

READY = {"status": "ready"}
UNREACHABLE = {"status": "not ready", "reason": "database unreachable"}
BEHIND = {"status": "not ready", "reason": "migrations behind"}


@contextmanager
def health_server(database_url: str) -> Iterator[str]:
    """The health-only server (as in Socket Mode) checking `database_url`; yields /readyz."""
    check = ReadinessCheck(make_probe_engine(database_url))
    with served(make_wsgi_app(None, readiness=check), threads=2) as url:
        yield f"{url}/readyz"


def readyz(url: str) -> tuple[int, dict[str, str]]:
    response = httpx.get(url, timeout=8)
    return response.status_code, response.json()


def test_ready_on_a_migrated_database(bot: RunningBot) -> None:
    response = bot.driver.http.get(f"{bot.url}/readyz")
    assert response.status_code == 200
    assert response.json() == READY
    # Liveness stays as it was.
    assert bot.driver.http.get(f"{bot.url}/healthz").json() == {"status": "ok"}


class TcpProxy:
    """Forwards connections on a local port to `target` until stopped; can start again on the
    same port, as a database server coming back would."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            for sock in self._open:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def test_not_ready_while_the_database_is_gone_and_ready_again_when_it_is_back(
    backend: Backend, engine: Engine, tmp_path: Path
) -> None:
    if backend.name == "sqlite":
        db_file = Path(engine.url.database or "")
        engine.dispose()
        moved = tmp_path / "elsewhere"
        moved.mkdir()
        with health_server(f"sqlite:///{db_file}") as url:
            assert readyz(url) == (200, READY)
            for path in db_file.parent.glob(db_file.name + "*"):  # with any -wal / -shm
                path.rename(moved / path.name)
            assert readyz(url) == (503, UNREACHABLE)
            assert not db_file.exists()  # the check did not leave an empty database behind
            for path in moved.iterdir():
                path.rename(db_file.parent / path.name)
            assert readyz(url) == (200, READY)
        return
    real = make_url(postgres_url())
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.start()
    through_proxy = real.set(host="127.0.0.1", port=proxy.port)
    try:
        with health_server(through_proxy.render_as_string(hide_password=False)) as url:
            assert readyz(url) == (200, READY)
            proxy.stop()
            assert readyz(url) == (503, UNREACHABLE)
            proxy.start()
            assert readyz(url) == (200, READY)
    finally:
        proxy.stop()


def test_not_ready_when_nothing_listens_where_the_database_should_be() -> None:
    with health_server(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/mentorbot") as url:
        assert readyz(url) == (503, UNREACHABLE)


def test_a_database_that_never_answers_gives_not_ready_instead_of_a_hung_probe() -> None:
    # The TCP handshake completes (the kernel's backlog) but no server ever speaks.
    with (
        socket.create_server(("127.0.0.1", 0)) as silent,
        health_server(
            f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/mentorbot"
        ) as url,
    ):
        # readyz() gives up after 8 s; the check answers after its own few seconds.
        assert readyz(url) == (503, UNREACHABLE)
        assert readyz(url) == (503, UNREACHABLE)


def previous_revision() -> str:
    head = script_directory().get_revision("head")
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


def migrate_to(engine: Engine, revision: str) -> None:
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@contextmanager
def scratch_database(backend: Backend, tmp_path: Path) -> Iterator[str]:
    """An empty database of the backend under test, apart from the shared test one."""
    if backend.name == "sqlite":
        yield f"sqlite:///{tmp_path / 'behind.db'}"
        return
    # Its own schema in the test database, found first on the search path.
    admin = make_engine(postgres_url())
    with admin.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS readyz_behind CASCADE"))
        connection.execute(text("CREATE SCHEMA readyz_behind"))
    url = make_url(postgres_url()).update_query_dict({"options": "-csearch_path=readyz_behind"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA readyz_behind CASCADE"))
        admin.dispose()


def test_not_ready_until_the_last_migration_is_applied(backend: Backend, tmp_path: Path) -> None:
    with scratch_database(backend, tmp_path) as database_url:
        engine = make_engine(database_url)
        with health_server(database_url) as url:
            # Postgres: an empty schema, reachable with nothing migrated; SQLite: no file yet.
            assert readyz(url) == (503, BEHIND if backend.name == "postgresql" else UNREACHABLE)
            migrate_to(engine, previous_revision())
            assert readyz(url) == (503, BEHIND)
            upgrade_to_head(engine)  # what `mentorbot migrate` does
            assert readyz(url) == (200, READY)
        engine.dispose()


def test_a_schema_from_a_newer_release_is_not_ready(backend: Backend, tmp_path: Path) -> None:
    with scratch_database(backend, tmp_path) as database_url:
        engine = make_engine(database_url)
        upgrade_to_head(engine)
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
        with health_server(database_url) as url:
            status, body = readyz(url)
        engine.dispose()
    assert status == 503
    assert body == {"status": "not ready", "reason": "database schema is newer than this release"}


def test_the_health_only_server_answers_readiness_and_metrics_but_not_slack() -> None:
    # As in Socket Mode, where Slack's requests come over the websocket.
    with health_server("sqlite:///no/such/dir/mentorbot.db") as url:
        base = url.removesuffix("/readyz")
        assert httpx.get(base + "/healthz").json() == {"status": "ok"}
        assert readyz(url) == (503, UNREACHABLE)
        metrics = httpx.get(base + "/metrics")
        assert metrics.status_code == 200
        assert "# TYPE mentorbot_slack_requests_total counter" in metrics.text
        assert httpx.post(base + "/slack/events").status_code == 404
