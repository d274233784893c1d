"""Slack's end of Socket Mode, over a real websocket on 127.0.0.1.

Enough of RFC 6455 for one client: the opening handshake, text frames both ways (the client's
masked, ours not), ping answered with pong, and close. After the handshake it says `hello`, as
Slack does; `send` then hands the app an envelope and `answer_to` waits for the app's reply.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from typing import Any

from tests.fakeslack import FakeSlack

HANDSHAKE_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def help_command(slack: FakeSlack) -> dict[str, Any]:
    """`/mentoring help` typed by U0ALICE, as a Socket Mode envelope's payload carries it."""
    return {
        "token": "legacy-verification-token",
        "team_id": slack.team_id,
        "channel_id": "C0GENERAL",
        "user_id": "U0ALICE",
        "command": "/mentoring",
        "text": "help",
        "api_app_id": "A0MENTOR",
        "trigger_id": "1.2.3",
        "response_url": slack.response_url("socket"),
    }


class FakeSocketModeServer:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link"
        self.connected = threading.Event()
        self._client: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._answers: dict[str, dict[str, Any]] = {}
        self._answered = threading.Condition()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> FakeSocketModeServer:
        return self

    def __exit__(self, *_: object) -> None:
        self._closed = True
        self._listener.close()
        if self._client is not None:
            self._client.close()

    # -- what tests do --------------------------------------------------------------------------
    def send(self, envelope: dict[str, Any]) -> None:
        self._write(TEXT, json.dumps(envelope).encode())

    def answer_to(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        with self._answered:
            if not self._answered.wait_for(lambda: envelope_id in self._answers, timeout):
                raise AssertionError(f"the app did not answer envelope {envelope_id}")
            return self._answers[envelope_id]

    # -- the connection ------------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._client = client
            try:
                self._handshake(client)
                self.send({"type": "hello", "num_connections": 1, "connection_info": {}})
                self.connected.set()
                self._read_frames(client)
            except OSError:
                pass
            finally:
                client.close()

    def _handshake(self, client: socket.socket) -> None:
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = client.recv(4096)
            if not chunk:
                raise OSError("closed during the handshake")
            request += chunk
        headers = dict(
            line.split(": ", 1) for line in request.decode().split("\r\n")[1:] if ": " in line
        )
        key = {k.lower(): v for k, v in headers.items()}["sec-websocket-key"].strip()
        accept = base64.b64encode(hashlib.sha1((key + HANDSHAKE_GUID).encode()).digest())
        client.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )

    def _read_frames(self, client: socket.socket) -> None:
        while True:
            first, second = self._exactly(client, 2)
            opcode, length = first & 0x0F, second & 0x7F
            if length == 126:
                (length,) = struct.unpack("!H", self._exactly(client, 2))
            elif length == 127:
                (length,) = struct.unpack("!Q", self._exactly(client, 8))
            mask = self._exactly(client, 4) if second & 0x80 else b"\0\0\0\0"
            data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._exactly(client, length)))
            if opcode == CLOSE:
                return
            if opcode == PING:
                self._write(PONG, data)
            elif opcode == TEXT:
                message = json.loads(data)
                with self._answered:
                    self._answers[message["envelope_id"]] = message
                    self._answered.notify_all()

    def _write(self, opcode: int, data: bytes) -> None:
        if len(data) < 126:
            header = struct.pack("!BB", 0x80 | opcode, len(data))
        elif len(data) < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, len(data))
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, len(data))
        assert self._client is not None, "no client connected"
        with self._send_lock:
            self._client.sendall(header + data)

    @staticmethod
    def _exactly(client: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = client.recv(size - len(data))
            if not chunk:
                raise OSError("connection closed")
            data += chunk
        return data
