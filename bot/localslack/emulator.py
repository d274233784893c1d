"""Slack's Web API on 127.0.0.1: answers like Slack, keeps the workspace's state, records every
call, and fails on demand.

It refuses what Slack refuses (a trigger older than 3 seconds or used twice, a file shared to a
user id, a message with blocks and no text), and can answer any call with a Slack error code,
`429 Retry-After` or `5xx`: the next calls of a method, or its Nth from now. Subclasses add
checks (`check_call`, `check_blocks`: the test suite checks Slack's own method descriptions)
and routes (`extra_route`: the demo's browser UI).
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlparse

from bot.localslack.state import (
    BOT_ID,
    BOT_USER_ID,
    Message,
    ResponseContext,
    SlackUser,
    UploadedFile,
    WorkspaceState,
    dm_channel,
    group_dm_id,
)

logger = logging.getLogger(__name__)

VIEW_METHODS = {"views.open", "views.update", "views.push", "views.publish"}
CLIENT_CREDENTIAL_METHODS = {"oauth.v2.access"}
MESSAGE_METHODS = {"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.scheduleMessage"}
TOKEN_LIFETIME_SECONDS = 43200  # Slack's rotating access tokens last 12 hours
# Slack honours a trigger_id for 3 seconds: views.open or views.push after that is refused.
TRIGGER_SECONDS = 3.0
TRIGGER_METHODS = {"views.open", "views.push"}
SCOPES = "commands,chat:write,users:read,mpim:write,files:write,im:write"

Reply = tuple[int, dict[str, str], bytes]


def new_trigger_id(n: int, issued_at: float) -> str:
    """A trigger_id that carries when Slack issued it, as `<n>.<epoch ms>.<tag>`, so the
    emulator (in this process or another) can tell how old it is."""
    return f"{n}.{int(issued_at * 1000)}.trigger"


def trigger_age(trigger_id: str, now: float) -> float | None:
    """Seconds since the trigger was issued; None for an id no Slack would have issued."""
    parts = trigger_id.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) < 10**12:
        return None
    return now - int(parts[1]) / 1000


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
class Failure:
    error: str | None = None  # a Slack error code in an HTTP 200 {"ok": false} answer
    status: int = 200  # or an HTTP status (429, 500...)
    retry_after: int | None = None


class _QuietServer(ThreadingHTTPServer):
    """A browser that goes away mid-request (a long poll, a closed tab) is not an error."""

    # Each Web API call comes on a connection of its own (the SDK keeps none open): with the
    # standard backlog of 5, a burst of calls has connections refused and retried a second
    # later, a delay that Slack itself never adds.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        logger.debug("request from %s ended early", client_address, exc_info=True)


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


class SlackEmulator:
    """Start with `with SlackEmulator() as slack:`; point SLACK_API_URL at `slack.api_url`.

    `clock` stamps messages and ages tokens (the demo moves it); `wall_clock` ages triggers,
    which always age in real seconds.
    """

    def __init__(
        self,
        team_id: str = "T0TEAM1",
        team_name: str = "Acme",
        *,
        clock: Callable[[], float] = lambda: time.time(),
        wall_clock: Callable[[], float] = lambda: time.time(),
        host: str = "127.0.0.1",
        port: int = 0,
        poll_interval: float = 0.5,
    ) -> None:
        """`poll_interval`: how often the server looks for its shutdown; a test suite that
        starts and stops one a test wants it short."""
        self.team_id, self.team_name = team_id, team_name
        self.clock, self.wall_clock = clock, wall_clock
        self.calls: list[ApiCall] = []
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self._responses_seen = 0
        self.violations: list[str] = []
        self.users: dict[str, SlackUser] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, UploadedFile] = {}  # by file id, from files.getUploadURLExternal
        self.state = WorkspaceState()
        self._failures: dict[str, deque[Failure]] = defaultdict(deque)
        # Failures for one particular call of a method: method -> {call number: failure}.
        self._failures_at: dict[str, dict[int, Failure]] = defaultdict(dict)
        self._seen: dict[str, int] = defaultdict(int)  # calls of each method so far
        self.closed_views: set[str] = set()
        self._exchanged_triggers: set[str] = set()
        self._trigger_users: dict[str, str] = {}  # trigger -> the person who caused it
        self._response_contexts: dict[str, ResponseContext] = {}
        self.oauth_codes: dict[str, tuple[str, str, str]] = {}
        self.issued_tokens: dict[str, str] = {}  # bot token -> the workspace it was issued for
        # Token rotation (off unless a test turns it on): installs then issue expiring access
        # tokens with a refresh token, which oauth.v2.access exchanges once for a new pair.
        self.token_rotation = False
        self.token_expires_at: dict[str, float] = {}  # access token -> when Slack refuses it
        self.refresh_tokens: dict[str, str] = {}  # unused refresh token -> its workspace
        self._ids = itertools.count(1)
        self._cond = threading.Condition()
        self._server = _QuietServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": poll_interval}, daemon=True
        )
        self.closed_port = 9  # discard: nothing accepts websocket connections there
        self.socket_url: str | None = None  # a Socket Mode server's, when one is run

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> SlackEmulator:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    # -- what Slack issues when a person acts --------------------------------------------------
    def issue_trigger(self, user_id: str | None = None) -> str:
        trigger = new_trigger_id(next(self._ids), self.wall_clock())
        if user_id is not None:
            with self._cond:
                self._trigger_users[trigger] = user_id
        return trigger

    def issue_response_url(self, context: ResponseContext) -> str:
        key = f"r{next(self._ids)}"
        with self._cond:
            self._response_contexts[key] = context
        return self.response_url(key)

    # -- controls -----------------------------------------------------------------------------
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
            user = self.state.modal_of(view_id)
            if user is not None:
                self.state.close_modal(user, view_id)
            self._changed()

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
        """Wait until `count` successful calls of `method` match; the app answers Slack first and
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
        when the caller last looked)."""
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

    def wait_changed(self, since: int, timeout: float) -> int:
        """The state's version, once it is past `since` (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.state.version <= since:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            return self.state.version

    def dms_to(self, user_id: str) -> list[ApiCall]:
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if c.ok and c.args.get("channel") in (user_id, dm_channel(user_id))
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
        return dm_channel(user_id)

    # -- hooks for subclasses -------------------------------------------------------------------
    def check_call(self, method: str, args: dict[str, Any], *, has_bearer_token: bool) -> list[str]:
        """Problems with a call beyond Slack's own rules here (none by default)."""
        return []

    def check_blocks(self, blocks: Any) -> list[str]:
        """Problems with blocks posted to a response_url (none by default)."""
        return []

    def extra_route(
        self, method: str, path: str, query: str, raw: bytes, headers: Any
    ) -> Reply | None:
        """A request to a path other than Slack's; None: not found."""
        return None

    def _changed(self) -> None:
        """Call with the lock held: the workspace changed."""
        self.state.version += 1
        self._cond.notify_all()

    # -- the server ---------------------------------------------------------------------------
    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        emulator = self

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
                reply: Reply | None
                if url.path.startswith("/api/"):
                    reply = emulator._api(url.path[5:], url.query, raw, self.headers)
                elif url.path.startswith("/response/"):
                    reply = emulator._response_url(url.path[10:], raw)
                elif url.path.startswith("/upload/") and self.command == "POST":
                    reply = emulator._upload(url.path[8:], raw)
                else:
                    reply = emulator.extra_route(
                        self.command, url.path, url.query, raw, self.headers
                    )
                status, headers, body = reply or (404, {}, b"not found")
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    def _response_url(self, key: str, raw: bytes) -> Reply:
        payload = json.loads(raw or b"{}")
        problems = self.check_blocks(payload["blocks"]) if "blocks" in payload else []
        with self._cond:
            self.violations.extend(f"response_url: {p}" for p in problems)
            self.responses.append(payload)
            context = self._response_contexts.get(key)
            if context is not None:
                self._respond(context, payload)
            self._changed()
        return 200, {"Content-Type": "text/plain"}, b"ok"

    def _respond(self, context: ResponseContext, payload: dict[str, Any]) -> None:
        """A response_url's answer, as Slack shows it (the lock is held)."""
        state = self.state
        original = state.find(context.channel, context.message_ts) if context.message_ts else None
        if payload.get("delete_original") and original is not None:
            state.remove(original.channel, original.ts)
            return
        text, blocks = str(payload.get("text") or ""), list(payload.get("blocks") or [])
        if payload.get("replace_original") and original is not None:
            original.text, original.blocks, original.edited = text, blocks, True
            return
        public = payload.get("response_type") == "in_channel"
        state.post(
            Message(
                ts=self._ts(),
                channel=context.channel,
                user=BOT_USER_ID,
                text=text,
                blocks=blocks,
                only_for=None if public else context.user,
            )
        )

    def _upload(self, file_id: str, raw: bytes) -> Reply:
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

    def _api(self, method: str, query: str, raw: bytes, headers: Any) -> Reply:
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
            # OAuth exchanges authenticate the app, not a bot.
            token = "client-credentials"  # noqa: S105 (a label, not a secret)
        call = ApiCall(method=method, args=args, token=token)
        problems = self._rules(method, args) + self.check_call(
            method, args, has_bearer_token=bool(auth)
        )
        extra_headers = self._answer_call(call, problems)
        with self._cond:
            self.calls.append(call)
            self._changed()
        body = json.dumps(call.response).encode()
        return call.status, {"Content-Type": "application/json", **extra_headers}, body

    def _answer_call(self, call: ApiCall, problems: list[str]) -> dict[str, str]:
        """Set the call's status and answer as Slack would; returns extra response headers."""
        method, args, token = call.method, call.args, call.token
        with self._cond:
            self._seen[method] += 1
            failure = self._failures_at[method].pop(self._seen[method], None)
            if failure is None and self._failures[method]:
                failure = self._failures[method].popleft()
        if not token:
            self.violations.append(f"{method}: called without a token")
            call.response = {"ok": False, "error": "not_authed"}
        elif problems:
            self.violations.extend(problems)
            call.response = {"ok": False, "error": "invalid_arguments", "problems": problems}
        elif self.clock() >= self.token_expires_at.get(token, float("inf")):
            call.response = {"ok": False, "error": "token_expired"}
        elif failure is not None:
            return self._fail(call, failure)
        elif method in TRIGGER_METHODS and (refusal := self._trigger_refusal(args)):
            call.response = {"ok": False, "error": refusal}
        else:
            call.response = self._answer(method, args)
        return {}

    @staticmethod
    def _fail(call: ApiCall, failure: Failure) -> dict[str, str]:
        if failure.status == 200:
            call.response = {"ok": False, "error": failure.error}
            return {}
        call.status = failure.status
        call.response = {
            "ok": False,
            "error": "ratelimited" if failure.status == 429 else "fatal_error",
        }
        return {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}

    @staticmethod
    def _rules(method: str, args: dict[str, Any]) -> list[str]:
        """Calls Slack refuses whatever its method descriptions say."""
        problems = []
        if method in MESSAGE_METHODS and "blocks" in args and not args.get("text"):
            problems.append(f"{method}: blocks without a `text` fallback for notifications")
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
        age = trigger_age(trigger, self.wall_clock())
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
        return f"{int(self.clock())}.{next(self._ids):06d}"

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
                "scope": SCOPES,
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
            "scope": SCOPES,
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
            self.token_expires_at[token] = self.clock() + TOKEN_LIFETIME_SECONDS
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
        # Socket Mode: unless a websocket server is run, nothing listens at this address and
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
                "real_name": user.display_name,
                "deleted": user.deleted,
                "tz": user.tz,
                "tz_label": user.tz,
                "tz_offset": user.tz_offset,
                "is_admin": user.is_admin,
                "is_owner": user.is_owner,
                "is_bot": user.is_bot,
                "profile": {
                    "real_name": user.display_name,
                    "display_name": user.name,
                    "title": user.title,
                },
            },
        }

    def _answer_chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args["channel"])
        with self._cond:
            if channel[:1] in ("U", "W"):
                channel = self.state.dm(channel).id  # posting to a user id lands in the app's DM
            self.state.conversation(channel)
            message = self.state.post(
                Message(
                    ts=self._ts(),
                    channel=channel,
                    user=BOT_USER_ID,
                    text=str(args.get("text", "")),
                    blocks=list(_decoded(args.get("blocks")) or []),
                )
            )
        return {"ok": True, "channel": channel, "ts": message.ts, "message": self._shown(message)}

    def _answer_chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args["channel"]), str(args["ts"])
        if channel[:1] in ("U", "W"):
            channel = dm_channel(channel)
        with self._cond:
            message = self.state.find(channel, ts)
            if message is None:  # posted before this emulator started (a seeded poll, say)
                message = self.state.post(Message(ts=ts, channel=channel, user=BOT_USER_ID))
            message.text = str(args.get("text", message.text))
            if "blocks" in args:
                message.blocks = list(_decoded(args["blocks"]) or [])
            message.edited = True
        return {"ok": True, "channel": channel, "ts": ts, "message": self._shown(message)}

    @staticmethod
    def _shown(message: Message) -> dict[str, Any]:
        shown: dict[str, Any] = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "ts": message.ts,
            "text": message.text,
        }
        if message.blocks:
            shown["blocks"] = message.blocks
        return shown

    def _answer_chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            message = self.state.post(
                Message(
                    ts=self._ts(),
                    channel=str(args["channel"]),
                    user=BOT_USER_ID,
                    text=str(args.get("text", "")),
                    blocks=list(_decoded(args.get("blocks")) or []),
                    only_for=str(args["user"]),
                )
            )
        return {"ok": True, "message_ts": message.ts}

    def _answer_conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(args.get("users", "")).split(",") if u]
        with self._cond:
            if len(users) == 1:
                return {"ok": True, "channel": {"id": self.state.dm(users[0]).id}}
            conversation = self.state.conversation(group_dm_id(users), kind="mpim")
            conversation.members = sorted(users)
        return {"ok": True, "channel": {"id": conversation.id}}

    def _answer_files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        file_id = self._next_id("F")
        with self._cond:
            self.uploads[file_id] = UploadedFile(
                id=file_id, filename=str(args["filename"]), length=int(args["length"])
            )
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _answer_files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        files = _decoded(args["files"])
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
            if channel:
                self.state.conversation(str(channel))
                self.state.post(
                    Message(
                        ts=self._ts(),
                        channel=str(channel),
                        user=BOT_USER_ID,
                        text=str(args.get("initial_comment") or ""),
                        files=[str(f["id"]) for f in files],
                    )
                )
            self._cond.notify_all()
        return {"ok": True, "files": shared}

    def _store_view(self, args: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        view = dict(_decoded(args["view"]))
        view_id = view_id or self._next_id("V")
        stored = {**view, "id": view_id, "hash": self._next_id("h"), "state": {"values": {}}}
        with self._cond:
            self.views[view_id] = stored
            self.state.view_errors.pop(view_id, None)
        return {"ok": True, "view": stored}

    def _answer_views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._store_view(args)
        with self._cond:
            user = self._trigger_users.get(str(args.get("trigger_id")))
            if user is not None:
                self.state.open_modal(user, answer["view"]["id"], push=False)
        return answer

    def _answer_views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._store_view(args)
        with self._cond:
            user = self._trigger_users.get(str(args.get("trigger_id")))
            if user is not None:
                self.state.open_modal(user, answer["view"]["id"], push=True)
        return answer

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
