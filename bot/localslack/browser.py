"""The local workspace in a browser: the page, what each person sees, and what they do.

`LocalWorkspace` is the emulator plus the routes the page uses:

- `GET /` and `/static/…`: the page;
- `GET /demo/api/screen?as=U…&conv=…`: what that person sees (sidebar, conversation or App
  Home, their open modal), drawn by `render`;
- `GET /demo/api/wait?since=N`: returns once the workspace has changed (long poll);
- `POST /demo/api/do`: something a person does (a command, a click, a form, a skip ahead),
  sent to the app exactly as Slack sends it;
- `GET /demo/files/F…`: a shared file (charts inline, CSV and .ics downloaded).
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx

from bot.localslack import render
from bot.localslack.driver import SlackDriver
from bot.localslack.emulator import Reply, SlackEmulator
from bot.localslack.state import BOT_USER_ID, Conversation, Message, dm_channel

logger = logging.getLogger(__name__)

APP_NAME = "Reverse Mentoring"
WAIT_SECONDS = 20.0
JSON = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


@dataclass(frozen=True)
class Skip:
    """How the page's "Skip ahead" moves the clock: `skip(what)` returns what happened."""

    choices: tuple[tuple[str, str], ...]  # (key, label)
    skip: Callable[[str], str]
    now: Callable[[], datetime]


class LocalWorkspace(SlackEmulator):
    """The emulator, with the page and the people who use it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.driver: SlackDriver | None = None
        self.skipper: Skip | None = None
        self.coordinators: set[str] = set()
        self._acting = threading.Lock()

    # -- routes ---------------------------------------------------------------------------------
    def extra_route(
        self, method: str, path: str, query: str, raw: bytes, headers: Any
    ) -> Reply | None:
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        if method == "GET" and path in ("/", "/index.html"):
            return self._static("index.html")
        if method == "GET" and path.startswith("/static/"):
            return self._static(path.removeprefix("/static/"))
        if method == "GET" and path == "/demo/api/screen":
            return _json(self.screen(params.get("as", ""), params.get("conv", "")))
        if method == "GET" and path == "/demo/api/wait":
            since = int(params.get("since", "0") or 0)
            return _json({"version": self.wait_changed(since, WAIT_SECONDS)})
        if method == "POST" and path == "/demo/api/do":
            try:
                request = json.loads(raw or b"{}")
                return _json(self.do(request))
            except (ValueError, KeyError, TypeError) as error:
                return _json({"ok": False, "error": f"bad request: {error}"}, status=400)
        if method == "GET" and path.startswith("/demo/files/"):
            return self._file(path.removeprefix("/demo/files/"))
        return None

    @staticmethod
    def _static(name: str) -> Reply:
        if "/" in name or name.startswith("."):
            return 404, {}, b"not found"
        try:
            body = resources.files("bot.localslack").joinpath("static", name).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return 404, {}, b"not found"
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return 200, {"Content-Type": f"{kind}; charset=utf-8", "Cache-Control": "no-store"}, body

    def _file(self, file_id: str) -> Reply:
        upload = self.uploads.get(file_id)
        if upload is None or upload.content is None:
            return 404, {}, b"not found"
        kind = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        headers = {"Content-Type": kind}
        if not kind.startswith("image/"):
            headers["Content-Disposition"] = f'attachment; filename="{upload.filename}"'
        return 200, headers, upload.content

    # -- what a person sees ---------------------------------------------------------------------
    def _now(self) -> datetime:
        return self.skipper.now() if self.skipper else datetime.fromtimestamp(self.clock(), UTC)

    def _context(self, viewer: str, errors: dict[str, str] | None = None) -> render.RenderContext:
        person = self.users.get(viewer)
        channels = {
            c.id: c.name
            for c in self.state.conversations.values()
            if c.kind == "channel" and c.name
        }
        return render.RenderContext(
            viewer_tz=person.tz if person else "UTC",
            now=self._now(),
            users={uid: u.display_name for uid, u in self.users.items()},
            channels=channels,
            errors=errors or {},
        )

    def _title(self, conversation: Conversation, viewer: str) -> str:
        if conversation.kind == "channel":
            return f"#{conversation.name or conversation.id}"
        if conversation.kind == "im":
            return f"{APP_NAME} · Messages"
        others = [self._name(u) for u in conversation.members if u != viewer]
        return ", ".join(others) or "Group"

    def _visible(self, conversation: Conversation, viewer: str) -> bool:
        if conversation.kind == "channel":
            return True
        return viewer in conversation.members

    def _time(self, ts: str, viewer: str) -> str:
        person = self.users.get(viewer)
        try:
            zone = ZoneInfo(person.tz if person else "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        moment = datetime.fromtimestamp(float(ts.split(".")[0]), UTC).astimezone(zone)
        return f"{moment:%a %d %b, %H:%M}"

    def _message(self, message: Message, viewer: str, ctx: render.RenderContext) -> dict[str, Any]:
        author = APP_NAME if message.user == BOT_USER_ID else self._name(message.user)
        files = []
        for file_id in message.files:
            upload = self.uploads.get(file_id)
            if upload is not None:
                kind = mimetypes.guess_type(upload.filename)[0] or ""
                files.append(
                    {
                        "id": file_id,
                        "name": upload.filename,
                        "title": upload.title or upload.filename,
                        "image": kind.startswith("image/"),
                        "url": f"/demo/files/{file_id}",
                    }
                )
        try:
            body = render.message_body(message.text, message.blocks, ctx)
        except render.UnsupportedBlock as error:
            body = _cannot_draw("message", error)
        return {
            "ts": message.ts,
            "author": author,
            "app": message.user == BOT_USER_ID,
            "time": self._time(message.ts, viewer),
            "html": body,
            "ephemeral": message.only_for is not None,
            "edited": message.edited,
            "files": files,
        }

    def _name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return user.display_name if user else user_id

    def screen(self, viewer: str, conv: str) -> dict[str, Any]:
        """Everything `viewer` sees with `conv` open ("home" for the app's Home tab)."""
        with self._cond:
            state = self.state
            if viewer not in self.users:
                viewer = next(iter(self.users), "")
            ctx = self._context(viewer)
            conversations = [
                c
                for c in state.conversations.values()
                if self._visible(c, viewer) and c.kind != "im"
            ]
            sidebar = {
                "channels": [
                    {"id": c.id, "name": self._title(c, viewer)}
                    for c in sorted(conversations, key=lambda c: c.name)
                    if c.kind == "channel"
                ],
                "groups": [
                    {"id": c.id, "name": self._title(c, viewer)}
                    for c in conversations
                    if c.kind == "mpim"
                ],
                "app_dm": dm_channel(viewer) if viewer else "",
            }
            shown: dict[str, Any] = {"id": conv, "title": "", "messages": [], "home": None}
            if conv == "home":
                home = self.views.get(f"VHOME{viewer}")
                shown["title"] = f"{APP_NAME} · Home"
                shown["home"] = self._draw_view(home, viewer) if home else None
            else:
                conversation = state.conversations.get(conv) or (
                    state.dm(viewer) if conv == dm_channel(viewer) else None
                )
                if conversation is not None and self._visible(conversation, viewer):
                    shown["title"] = self._title(conversation, viewer)
                    shown["kind"] = conversation.kind
                    shown["messages"] = [
                        self._message(m, viewer, ctx)
                        for m in state.messages.get(conversation.id, [])
                        if m.only_for in (None, viewer)
                    ]
            stack = state.stacks.get(viewer, [])
            modal = self.views.get(stack[-1]) if stack else None
            return {
                "version": state.version,
                "clock": self._clock_label(viewer),
                "me": viewer,
                "coordinator": viewer in self.coordinators,
                "people": [
                    {
                        "id": u.id,
                        "name": u.display_name,
                        "title": u.title,
                        "tz": u.tz,
                        "coordinator": u.id in self.coordinators,
                    }
                    for u in self.users.values()
                    if not u.is_bot
                ],
                "skips": [
                    {"key": k, "label": label}
                    for k, label in (self.skipper.choices if self.skipper else ())
                ],
                "sidebar": sidebar,
                "conversation": shown,
                "modal": self._draw_modal(modal, viewer) if modal else None,
                "depth": len(stack),
            }

    def _clock_label(self, viewer: str) -> str:
        person = self.users.get(viewer)
        try:
            zone = ZoneInfo(person.tz if person else "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo("UTC")
        moment = self._now().astimezone(zone)
        return f"{moment:%A %d %B %Y, %H:%M} ({zone.key})"

    def _draw_view(self, view: dict[str, Any], viewer: str) -> str:
        errors = self.state.view_errors.get(str(view.get("id")), {})
        try:
            return render.view(view, self._context(viewer, errors))
        except render.UnsupportedBlock as error:
            return (
                f'<div class="unsupported">This view has {error}, which the demo cannot draw.</div>'
            )

    def _draw_modal(self, view: dict[str, Any], viewer: str) -> dict[str, Any]:
        return {
            "id": view["id"],
            "title": render.text_object(view.get("title"), self._context(viewer)),
            "submit": render.text_object(view["submit"], self._context(viewer))
            if view.get("submit")
            else None,
            "close": render.text_object(view.get("close") or "Cancel", self._context(viewer)),
            "html": self._draw_view(view, viewer),
        }

    # -- what a person does ---------------------------------------------------------------------
    def do(self, request: dict[str, Any]) -> dict[str, Any]:
        """One thing a person does, as Slack would send it to the app; returns a note for the
        page (`said`: a line to show, if any)."""
        op, user = str(request["op"]), str(request.get("as", ""))
        if op == "skip":
            if self.skipper is None:
                return {"ok": False, "said": "The clock cannot move here."}
            with self._acting:
                moved = self.skipper.skip(str(request["what"]))
            with self._cond:
                self._changed()
            return {"ok": True, "said": moved}
        if user not in self.users:
            return {"ok": False, "said": "Choose who you are first."}
        driver = self.driver
        if driver is None:
            return {"ok": False, "said": "The app is not running."}
        handler = getattr(self, f"_do_{op}", None)
        if handler is None:
            return {"ok": False, "said": f"Nothing to do for {op!r}."}
        try:
            said: str | None = handler(driver, user, request)
        except httpx.HTTPError as error:
            logger.warning("the app did not answer a %s: %s", op, error)
            said = "The app did not answer. Is it still running?"
        with self._cond:
            self._changed()
        return {"ok": True, "said": said}

    def _ephemeral(self, user: str, channel: str, payload: dict[str, Any]) -> None:
        public = payload.get("response_type") == "in_channel"
        with self._cond:
            self.state.conversation(channel)
            self.state.post(
                Message(
                    ts=self._ts(),
                    channel=channel,
                    user=BOT_USER_ID,
                    text=str(payload.get("text") or ""),
                    blocks=list(payload.get("blocks") or []),
                    only_for=None if public else user,
                )
            )

    def _do_type(self, driver: SlackDriver, user: str, request: dict[str, Any]) -> str | None:
        """Something typed in the composer: a slash command, or a message to the others."""
        channel, text = str(request["channel"]), str(request["text"]).strip()
        if not text:
            return None
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            if command != "/mentoring":
                return f"{command} is not a command here. Try /mentoring help."
            answer = driver.command(user, self._escaped(rest.strip()), channel_id=channel)
            if answer.status_code != 200:
                return f"The app answered {answer.status_code}."
            if answer.content:
                payload = answer.json()
                if payload.get("text") or payload.get("blocks"):
                    self._ephemeral(user, channel, payload)
            return None
        with self._cond:
            self.state.conversation(channel)
            self.state.post(Message(ts=self._ts(), channel=channel, user=user, text=text))
        return None

    def _escaped(self, text: str) -> str:
        """A command's text as Slack sends it with escaping on: `#general` and `@maya` become
        `<#C…|general>` and `<@U…|maya>`."""
        channels = {
            c.name: c.id
            for c in self.state.conversations.values()
            if c.kind == "channel" and c.name
        }
        handles = {u.name: u.id for u in self.users.values()}

        def channel(found: re.Match[str]) -> str:
            name = found.group(1)
            return f"<#{channels[name]}|{name}>" if name in channels else found.group(0)

        def person(found: re.Match[str]) -> str:
            name = found.group(1)
            return f"<@{handles[name]}|{name}>" if name in handles else found.group(0)

        text = re.sub(r"(?<![\w<])#([a-z0-9_-]+)", channel, text)
        return re.sub(r"(?<![\w<])@([a-z0-9._-]+)", person, text)

    def _do_action(self, driver: SlackDriver, user: str, request: dict[str, Any]) -> str | None:
        """A button clicked or a menu chosen: in a message, the App Home, or a modal."""
        action = dict(request["action"])
        action.setdefault("action_ts", f"{self.clock():.6f}")
        where = request["where"]
        if where == "message":
            channel, ts = str(request["channel"]), str(request["ts"])
            with self._cond:
                found = self.state.find(channel, ts)
                message = {
                    "type": "message",
                    "ts": ts,
                    "user": found.user if found else BOT_USER_ID,
                    "text": found.text if found else "",
                    "blocks": found.blocks if found else [],
                }
            driver.act_in_message(user, action, message=message, channel_id=channel)
        elif where == "home":
            driver.act_in_home(user, action)
        else:
            view = self.views.get(str(request["view_id"]))
            if view is None:
                return "That window is closed."
            driver.act_in_view(user, view, action, state_values=request.get("state") or {})
        return None

    def _do_submit(self, driver: SlackDriver, user: str, request: dict[str, Any]) -> str | None:
        view_id = str(request["view_id"])
        view = self.views.get(view_id)
        if view is None:
            return "That window is closed."
        answer = driver.submit_view(user, view, state_values=request.get("state") or {})
        if answer.status_code != 200:
            return f"The app answered {answer.status_code}."
        reply = answer.json() if answer.content else {}
        action = reply.get("response_action")
        with self._cond:
            state = self.state
            if action == "errors":
                state.view_errors[view_id] = {
                    str(k): str(v) for k, v in reply.get("errors", {}).items()
                }
            elif action == "update":
                self.views[view_id] = {**reply["view"], "id": view_id, "hash": self._next_id("h")}
                state.view_errors.pop(view_id, None)
            elif action == "push":
                pushed = self._next_id("V")
                self.views[pushed] = {**reply["view"], "id": pushed, "hash": self._next_id("h")}
                state.open_modal(user, pushed, push=True)
            elif action == "clear":
                state.stacks[user] = []
            else:
                state.close_modal(user, view_id)
        return None

    def _do_close(self, driver: SlackDriver, user: str, request: dict[str, Any]) -> str | None:
        view = self.views.get(str(request["view_id"]))
        if view is None:
            return None
        if view.get("notify_on_close"):
            driver.close_view(user, view)  # closes it here and tells the app
        else:
            self.close_view(str(view["id"]))
        return None

    def _do_home(self, driver: SlackDriver, user: str, request: dict[str, Any]) -> str | None:
        driver.event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": dm_channel(user),
                "tab": "home",
                "event_ts": f"{self.clock():.6f}",
            }
        )
        return None


def _cannot_draw(what: str, error: Exception) -> str:
    return f'<div class="unsupported">This {what} has {error}, which the demo cannot draw.</div>'


def _json(payload: dict[str, Any], status: int = 200) -> Reply:
    return status, JSON, json.dumps(payload).encode()
