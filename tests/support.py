"""Small helpers for tests of any kind: waiting for what the app does after it answers, a free
port, and reading back what it serves (Prometheus text, PNGs, ephemeral answers)."""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
import waitress
from prometheus_client.parser import text_string_to_metric_families

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[1]  # the checkout: where the app is run from

POLL_SECONDS = 0.02
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def eventually(
    check: Callable[[], T],
    timeout: float = 5.0,
    *,
    every: float = POLL_SECONDS,
    ignoring: tuple[type[Exception], ...] = (),
    what: str = "condition",
) -> T:
    """The first truthy result of `check`, called until it gives one or `timeout` seconds pass.

    The app answers first and works after (listeners, the scheduler, a subprocess starting up),
    so a test waits for the effect it expects rather than for a fixed time. Exceptions in
    `ignoring` count as "not yet"; any other one (a failed assertion) ends the wait at once.
    `every`: how long between looks, longer when each look costs a request.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
            if result:
                return result
        except ignoring:
            pass
        assert time.monotonic() < deadline, f"{what} not reached within {timeout}s"
        time.sleep(every)


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(wsgi_app: Any, threads: int = 4) -> Iterator[str]:
    """`wsgi_app` served over real HTTP by the production server (waitress) on a free port;
    yields its base URL, and stops the server after."""
    server = waitress.create_server(wsgi_app, host="127.0.0.1", port=0, threads=threads)
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
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)
        # Its worker threads too: left waiting, a whole run's would add up to thousands.
        server.task_dispatcher.shutdown()


class Scrape:
    """A `/metrics` page, read the way Prometheus reads it; call it for one sample's value."""

    def __init__(self, text: str) -> None:
        self.samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def __call__(self, name: str, **labels: str) -> float | None:
        return self.samples.get((name, frozenset(labels.items())))


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (which must come first)."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def ephemeral_text(response: httpx.Response) -> str:
    """What a command's answer shows, text and blocks, once checked that only its sender sees
    it."""
    body: dict[str, Any] = response.json()
    assert body["response_type"] == "ephemeral"
    return str(body["text"]) + json.dumps(body.get("blocks", []))
