"""A fake Slack Web API on 127.0.0.1: records calls, answers like Slack, and injects failures.

Every call is checked against Slack's method descriptions (tests/contract.py); every block and
view is round-tripped through slack_sdk.models. Problems are collected in `violations`, which
the fixtures assert is empty after each test.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from freezegun.api import real_time

from tests import contract

BOT_USER_ID = "UBOTMENTOR"
BOT_ID = "BMENTOR"
VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
# Methods the shared contract copy lacks, with Slack's documented required arguments.
METHODS_BEYOND_CONTRACT = {"apps.connections.open": []}
CLIENT_CREDENTIAL_METHODS = {"oauth.v2.access"}
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
TOKEN_LIFETIME_SECONDS = 43200  # Slack's rotating access tokens last 12 hours
# Slack honours a trigger_id for 3 seconds: views.open or views.push after that is refused.
TRIGGER_SECONDS = 3.0
TRIGGER_METHODS = {"views.open", "views.push"}


def wall_clock() -> float:
    """Real seconds since the epoch, even under freezegun: a trigger ages in real time."""
    return float(real_time())


def new_trigger_id(n: int, issued_at: float | None = None) -> str:
    """A trigger_id that carries when Slack issued it, as `<n>.<epoch ms>.<tag>`, so the fake
    (in this process or another) can tell how old it is."""
    issued = wall_clock() if issued_at is None else issued_at
    return f"{n}.{int(issued * 1000)}.trigger"


def trigger_age(trigger_id: str) -> float | None:
    """Seconds since the trigger was issued; None for an id no Slack would have issued."""
    parts = trigger_id.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) < 10**12:
        return None
    return wall_clock() - int(parts[1]) / 1000


@dataclass
class ApiCall:
    method: str
    args: dict[str, Any]
    token: str | None
    response: dict[str, Any] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        blocks = self.args.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    @property
    def view(self) -> dict[str, Any]:
        view = self.args.get("view") or {}
        return json.loads(view) if isinstance(view, str) else view


@dataclass
class UploadedFile:
    """A file uploaded the files_upload_v2 way; `channel` is set once it is shared."""

    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    initial_comment: str | None = None


@dataclass
class Failure:
    error: str | None = None  # a Slack error code in an HTTP 200 {"ok": false} answer
    status: int = 200  # or an HTTP status (429, 500...)
    retry_after: int | None = None


@dataclass
class SlackUser:
    id: str
    name: str
    tz: str = "Europe/London"
    tz_offset: int = 0
    is_admin: bool = False
    is_owner: bool = False
    deleted: bool = False
    is_bot: bool = False


class FakeSlack:
    """Start with `with FakeSlack() as slack:`; point SLACK_API_URL at `slack.api_url`."""

    def __init__(self, team_id: str = "T0TEAM1", team_name: str = "Acme") -> None:
        self.team_id, self.team_name = team_id, team_name
        self.calls: list[ApiCall] = []
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self._responses_seen = 0
        self.violations: list[str] = []
        self.users: dict[str, SlackUser] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, UploadedFile] = {}  # by file id, from files.getUploadURLExternal
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        # Failures for one particular call of a method: method -> {call number: failure}.
        self._failures_at: dict[str, dict[int, Failure]] = defaultdict(dict)
        self._seen: dict[str, int] = defaultdict(int)  # calls of each method so far
        self.closed_views: set[str] = set()
        self._exchanged_triggers: set[str] = set()
        self.oauth_codes: dict[str, tuple[str, str, str]] = {}
        self.issued_tokens: dict[str, str] = {}  # bot token -> the workspace it was issued for
        # Token rotation (off unless a test turns it on): installs then issue expiring access
        # tokens with a refresh token, which oauth.v2.access exchanges once for a new pair.
        self.token_rotation = False
        self.token_expires_at: dict[str, float] = {}  # access token -> when Slack refuses it
        self.refresh_tokens: dict[str, str] = {}  # unused refresh token -> its workspace
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.closed_port = 9  # discard: nothing accepts websocket connections there
        self.socket_url: str | None = None  # a FakeSocketModeServer's, when a test runs one

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    # -- test controls ------------------------------------------------------------------------
    def add_user(self, user_id: str, name: str | None = None, **fields: Any) -> SlackUser:
        user = SlackUser(id=user_id, name=name or user_id.lower(), **fields)
        self.users[user_id] = user
        return user

    def fail(self, method: str, *failures: Failure) -> None:
        """Answer the next calls of `method` with these failures, in order."""
        with self._cond:
            self._failures[method].extend(failures)

    def fail_call(self, method: str, n: int, failure: Failure) -> None:
        """Answer the `n`th call of `method` from now on (1: the next one) with `failure`;
        the calls before and after it are answered as usual."""
        assert n >= 1
        with self._cond:
            self._failures_at[method][self._seen[method] + n] = failure

    def close_view(self, view_id: str) -> None:
        """The person closed the modal: Slack no longer updates it."""
        with self._cond:
            self.views.pop(view_id, None)
            self.closed_views.add(view_id)

    def calls_to(self, method: str) -> list[ApiCall]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] = lambda _c: True,
        *,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[ApiCall]:
        """Wait until `count` successful calls of `method` match; the bot answers Slack first and
        works after, so effects arrive a moment later."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [c for c in self.calls if c.method == method and c.ok and predicate(c)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [(c.method, c.response.get("error")) for c in self.calls]
                    raise AssertionError(
                        f"expected {count} {method} call(s) within {timeout}s; calls: {seen}"
                    )
                self._cond.wait(remaining)

    def wait_for_response(self, count: int | None = None, timeout: float = 5.0) -> dict[str, Any]:
        """The latest post to a response_url, once there are `count` (default: one more than
        when the test last looked)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            wanted = count if count is not None else self._responses_seen + 1
            while len(self.responses) < wanted:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.responses)} response_url posts, not {wanted}")
                self._cond.wait(remaining)
            self._responses_seen = len(self.responses)
            return self.responses[-1]

    def dms_to(self, user_id: str) -> list[ApiCall]:
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if c.ok and c.args.get("channel") in (user_id, self.dm_channel(user_id))
        ]

    @property
    def files(self) -> list[UploadedFile]:
        """Files whose upload was completed (files.completeUploadExternal), in upload order."""
        with self._cond:
            return [f for f in self.uploads.values() if f.channel is not None]

    def wait_for_file(
        self, predicate: Callable[[UploadedFile], bool] = lambda _f: True, timeout: float = 5.0
    ) -> UploadedFile:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                found = [f for f in self.uploads.values() if f.channel is not None and predicate(f)]
                if found:
                    return found[-1]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no file shared within {timeout}s: {self.uploads}")
                self._cond.wait(remaining)

    @staticmethod
    def dm_channel(user_id: str) -> str:
        return "D" + user_id[1:]

    # -- the server ---------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_GET(self) -> None:
                self._dispatch()

            def do_POST(self) -> None:
                self._dispatch()

            def _dispatch(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if url.path.startswith("/api/"):
                    status, headers, body = fake._api(url.path[5:], url.query, raw, self.headers)
                elif url.path.startswith("/response/"):
                    status, headers, body = fake._response_url(raw)
                elif url.path.startswith("/upload/") and self.command == "POST":
                    status, headers, body = fake._upload(url.path[8:], raw)
                else:
                    status, headers, body = 404, {}, b"not found"
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _response_url(self, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        payload = json.loads(raw or b"{}")
        problems = contract.check_blocks(payload["blocks"]) if "blocks" in payload else []
        with self._cond:
            self.violations.extend(f"response_url: {p}" for p in problems)
            self.responses.append(payload)
            self._cond.notify_all()
        return 200, {"Content-Type": "text/plain"}, b"ok"

    def _upload(self, file_id: str, raw: bytes) -> tuple[int, dict[str, str], bytes]:
        """The upload_url step: the bytes of a file announced by files.getUploadURLExternal."""
        with self._cond:
            upload = self.uploads.get(file_id)
            if upload is None:
                self.violations.append(f"upload to an unknown upload_url ({file_id})")
                return 404, {"Content-Type": "text/plain"}, b"not found"
            if len(raw) != upload.length:
                self.violations.append(
                    f"upload of {upload.filename}: {len(raw)} bytes sent, {upload.length} announced"
                )
            upload.content = raw
            self._cond.notify_all()
        return 200, {"Content-Type": "text/plain"}, f"OK - {len(raw)}".encode()

    def _api(
        self, method: str, query: str, raw: bytes, headers: Any
    ) -> tuple[int, dict[str, str], bytes]:
        args: dict[str, Any] = dict(parse_qsl(query))
        content_type = headers.get("Content-Type", "")
        if raw and content_type.startswith("application/json"):
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw.decode()))
        auth = headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else args.get("token")
        if method in CLIENT_CREDENTIAL_METHODS and (
            auth.startswith("Basic ") or "client_id" in args
        ):
            token = "client-credentials"  # OAuth exchanges authenticate the app, not a bot
        call = ApiCall(method=method, args=args, token=token)

        problems = self._check(method, args, has_bearer_token=bool(auth))
        with self._cond:
            self._seen[method] += 1
            failure = self._failures_at[method].pop(self._seen[method], None)
            if failure is None and self._failures[method]:
                failure = self._failures[method].popleft()
        extra_headers: dict[str, str] = {}
        if not token:
            self.violations.append(f"{method}: called without a token")
            call.response = {"ok": False, "error": "not_authed"}
        elif problems:
            self.violations.extend(problems)
            call.response = {"ok": False, "error": "invalid_arguments", "problems": problems}
        elif time.time() >= self.token_expires_at.get(token, float("inf")):
            call.response = {"ok": False, "error": "token_expired"}
        elif failure is not None and failure.status != 200:
            call.status = failure.status
            call.response = {
                "ok": False,
                "error": "ratelimited" if failure.status == 429 else "fatal_error",
            }
            if failure.retry_after is not None:
                extra_headers["Retry-After"] = str(failure.retry_after)
        elif failure is not None:
            call.response = {"ok": False, "error": failure.error}
        elif method in TRIGGER_METHODS and (refusal := self._trigger_refusal(args)):
            call.response = {"ok": False, "error": refusal}
        else:
            call.response = self._answer(method, args)
        with self._cond:
            self.calls.append(call)
            self._cond.notify_all()
        body = json.dumps(call.response).encode()
        return call.status, {"Content-Type": "application/json", **extra_headers}, body

    def _check(self, method: str, args: dict[str, Any], *, has_bearer_token: bool) -> list[str]:
        if not contract.available() or method in METHODS_BEYOND_CONTRACT:
            return []
        problems = contract.check_arguments(method, args, has_bearer_token=has_bearer_token)
        if method in MESSAGE_METHODS and "blocks" in args:
            problems += [f"{method}: {p}" for p in contract.check_blocks(args["blocks"])]
            if not args.get("text"):
                problems.append(f"{method}: blocks without a `text` fallback for notifications")
        if method in VIEW_METHODS and "view" in args:
            problems += [f"{method}: {p}" for p in contract.check_view(args["view"])]
        if method == "views.open" and not args.get("trigger_id"):
            problems.append("views.open: no trigger_id")
        if method == "files.completeUploadExternal" and str(args.get("channel_id", ""))[:1] in (
            "U",
            "W",
        ):
            # Slack answers invalid_arguments: files are shared into a conversation's id (a DM's
            # comes from conversations.open), unlike chat.postMessage, which takes a user id.
            problems.append("files.completeUploadExternal: channel_id is a user id, not a channel")
        return problems

    def _trigger_refusal(self, args: dict[str, Any]) -> str | None:
        """Slack's answer to a trigger it cannot honour: unknown, older than 3 s, or used."""
        trigger = str(args.get("trigger_id") or "")
        age = trigger_age(trigger)
        if age is None:
            return "invalid_trigger_id"
        if age > TRIGGER_SECONDS:
            return "expired_trigger_id"
        with self._cond:
            if trigger in self._exchanged_triggers:
                return "exchanged_trigger_id"
            self._exchanged_triggers.add(trigger)
        return None

    # -- answers like Slack's ----------------------------------------------------------------
    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _ts(self) -> str:
        return f"{int(time.time())}.{next(self._ids):06d}"

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_answer_" + method.replace(".", "_"), None)
        return handler(args) if handler else {"ok": True}

    def authorize_install(self, code: str, team_id: str, team_name: str, user_id: str) -> None:
        """Make `code` what Slack's consent screen returns for an install into `team_id`."""
        self.oauth_codes[code] = (team_id, team_name, user_id)

    def _answer_oauth_v2_access(self, args: dict[str, Any]) -> dict[str, Any]:
        grant = args.get("grant_type") or "authorization_code"
        if grant == "refresh_token":
            # A refresh token is good for one exchange; Slack revokes it as it answers.
            with self._cond:
                team_id = self.refresh_tokens.pop(args.get("refresh_token", ""), None)
            if team_id is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            return {
                "ok": True,
                "app_id": "A0MENTOR",
                "scope": "commands,chat:write,users:read,mpim:write,files:write,im:write",
                "token_type": "bot",
                "bot_user_id": BOT_USER_ID,
                **self._issue(team_id),
                "team": {"id": team_id, "name": self.team_name},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if grant != "authorization_code":
            return {"ok": False, "error": "invalid_grant_type"}
        found = self.oauth_codes.pop(args.get("code", ""), None)
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        team_id, team_name, user_id = found
        return {
            "ok": True,
            **self._issue(team_id),
            "token_type": "bot",
            "scope": "commands,chat:write,users:read,mpim:write,files:write,im:write",
            "bot_user_id": BOT_USER_ID,
            "app_id": "A0MENTOR",
            "team": {"id": team_id, "name": team_name},
            "enterprise": None,
            "authed_user": {"id": user_id},
            "is_enterprise_install": False,
        }

    def _issue(self, team_id: str) -> dict[str, Any]:
        """A new bot token for the workspace: with rotation on, an expiring one (`xoxe.xoxb-`)
        with its `xoxe-` refresh token, as Slack's answer puts them."""
        n = next(self._ids)
        if not self.token_rotation:
            token = f"xoxb-{team_id}-{n}-installed"
            self.issued_tokens[token] = team_id
            return {"access_token": token}
        token, refresh = f"xoxe.xoxb-{team_id}-{n}-rotating", f"xoxe-1-{team_id}-{n}-refresh"
        with self._cond:
            self.issued_tokens[token] = team_id
            self.token_expires_at[token] = time.time() + TOKEN_LIFETIME_SECONDS
            self.refresh_tokens[refresh] = team_id
        return {
            "access_token": token,
            "refresh_token": refresh,
            "expires_in": TOKEN_LIFETIME_SECONDS,
        }

    def _answer_auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.example/",
            "team": self.team_name,
            "user": "mentorbot",
            "team_id": self.team_id,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _answer_apps_connections_open(self, _args: dict[str, Any]) -> dict[str, Any]:
        # Socket Mode: unless a test serves the websocket, nothing listens at this address and
        # the client keeps retrying its connection.
        return {"ok": True, "url": self.socket_url or f"ws://127.0.0.1:{self.closed_port}/link"}

    def _answer_users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(args.get("user", ""))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {
            "ok": True,
            "user": {
                "id": user.id,
                "team_id": self.team_id,
                "name": user.name,
                "real_name": user.name.title(),
                "deleted": user.deleted,
                "tz": user.tz,
                "tz_label": user.tz,
                "tz_offset": user.tz_offset,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_bot": user.is_bot,
                "profile": {"real_name": user.name.title(), "display_name": user.name},
            },
        }

    def _message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = args["channel"]
        if channel[:1] in ("U", "W"):
            channel = self.dm_channel(channel)  # posting to a user id lands in the app's DM
        ts = self._ts()
        message = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": ts,
            "text": args.get("text", ""),
        }
        if "blocks" in args:
            message["blocks"] = (
                json.loads(args["blocks"]) if isinstance(args["blocks"], str) else args["blocks"]
            )
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    _answer_chat_postMessage = _message
    _answer_chat_update = _message

    def _answer_chat_postEphemeral(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._ts()}

    def _answer_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        if len(users) == 1:
            return {"ok": True, "channel": {"id": self.dm_channel(users[0])}}
        # A group DM's id is the same for the same people, whatever their order.
        digest = hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:10].upper()
        return {"ok": True, "channel": {"id": "G" + digest}}

    def _answer_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        with self._cond:
            self.uploads[file_id] = UploadedFile(
                id=file_id, filename=str(args["filename"]), length=int(args["length"])
            )
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _answer_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args["files"]
        files = json.loads(files) if isinstance(files, str) else files
        channel = args.get("channel_id") or args.get("channels")
        with self._cond:
            uploads = [self.uploads.get(f["id"]) for f in files]
            if any(u is None or u.content is None for u in uploads):
                return {"ok": False, "error": "file_not_found"}
            shared = []
            for upload, sent in zip(uploads, files, strict=True):
                assert upload is not None
                upload.title = sent.get("title") or upload.filename
                upload.channel = str(channel) if channel else ""  # "": uploaded, kept private
                upload.initial_comment = args.get("initial_comment")
                shared.append({"id": upload.id, "title": upload.title, "name": upload.filename})
            self._cond.notify_all()
        return {"ok": True, "files": shared}

    def _store_view(self, args: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view = args["view"]
        view = json.loads(view) if isinstance(view, str) else dict(view)
        view_id = view_id or self._next_id("V")
        stored = {**view, "id": view_id, "hash": self._next_id("h"), "state": {"values": {}}}
        with self._cond:
            self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _answer_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._store_view(args)

    _answer_views_push = _answer_views_open

    def _answer_views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        view_id = args.get("view_id")
        current = self.views.get(view_id or "")
        if current is None:
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != current["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        return self._store_view(args, view_id)

    def _answer_views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._store_view(args, "VHOME" + str(args.get("user_id")))
