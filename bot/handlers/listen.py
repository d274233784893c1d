"""Listeners registered from tables, with what every listener needs done in one place, using
Bolt's own mechanisms: the app's Deps on each request's context (a global middleware), a
coordinators-only check (listener middleware), and form errors as one exception the error
handler turns into `response_action: errors`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient

from bot.deps import Deps
from bot.flows.coordinators import require_coordinator
from bot.handlers.payload import team_id_of, user_id_of
from bot.services.errors import DomainError

Kind = Literal["action", "view", "view_closed", "event"]


@dataclass(frozen=True)
class On:
    """One listener: what it answers, the function, and whether only coordinators may."""

    kind: Kind
    key: str | re.Pattern[str]
    listener: Callable[..., None]
    coordinators_only: bool = False


def action(
    key: str | re.Pattern[str], listener: Callable[..., None], *, coordinators_only: bool = False
) -> On:
    return On("action", key, listener, coordinators_only)


def view(key: str, listener: Callable[..., None], *, coordinators_only: bool = False) -> On:
    return On("view", key, listener, coordinators_only)


def view_closed(key: str, listener: Callable[..., None]) -> On:
    return On("view_closed", key, listener)


def event(key: str, listener: Callable[..., None]) -> On:
    return On("event", key, listener)


def coordinator_only(
    context: BoltContext, body: dict[str, Any], client: WebClient, next: Callable[[], Any]
) -> None:
    """Listener middleware: a click or a form proves nothing; the person is checked on the
    server, and a refusal is the answer to this very request."""
    require_coordinator(
        Deps.of(context), client, team_id=team_id_of(body), user_id=user_id_of(body)
    )
    next()


def register(app: App, listeners: Iterable[On]) -> None:
    for on in listeners:
        middleware = [coordinator_only] if on.coordinators_only else None
        getattr(app, on.kind)(on.key, middleware=middleware)(on.listener)


def inject(app: App, deps: Deps) -> None:
    """Every request's context carries the app's Deps (`Deps.of(context)`)."""

    @app.middleware
    def with_deps(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        context["deps"] = deps
        return next()


class FormErrors(DomainError):
    """A form's fields refused: shown on the form, next to each field (by block id)."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = dict(errors)


def refuse(errors: Mapping[str, str], blocks: Mapping[str, str] | None = None) -> None:
    """Raise FormErrors for these field errors (field names mapped to block ids by `blocks`,
    where they differ); nothing when there are none."""
    if errors:
        raise FormErrors({(blocks or {}).get(k, k): v for k, v in errors.items()})


def once_key(view: Mapping[str, Any]) -> str:
    """A form is saved once however often it is submitted (Slack retries, double clicks)."""
    return f"view:{view['id']}"
