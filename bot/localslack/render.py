"""Block Kit and Slack's mrkdwn, drawn as HTML for the local workspace's browser UI.

Every block and element the app sends is drawn; anything else raises `UnsupportedBlock`, so
the test suite (which draws everything the app sends) finds a gap before a visitor does.
Interactive elements carry `data-*` attributes that the page's script turns back into the
payloads Slack would send (`block_actions`, `view.state.values`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class UnsupportedBlock(ValueError):
    """A block or element type the UI cannot draw."""


BLOCK_TYPES = frozenset({"section", "header", "divider", "context", "actions", "image", "input"})
ELEMENT_TYPES = frozenset(
    {
        "button",
        "overflow",
        "image",
        "plain_text_input",
        "number_input",
        "static_select",
        "multi_static_select",
        "radio_buttons",
        "checkboxes",
        "datepicker",
        "timepicker",
        "users_select",
        "multi_users_select",
        "conversations_select",
        "channels_select",
    }
)


EMOJI = {
    "warning": "⚠️",
    "white_check_mark": "✅",
    "wave": "👋",
    "tada": "🎉",
    "pushpin": "📌",
    "lock": "🔒",
    "handshake": "🤝",
    "calendar": "📅",
    "alarm_clock": "⏰",
    "bar_chart": "📊",
    "memo": "📝",
    "speech_balloon": "💬",
    "star": "⭐",
    "sparkles": "✨",
    "bulb": "💡",
    "x": "❌",
    "heavy_check_mark": "✔️",
    "raised_hands": "🙌",
    "seedling": "🌱",
    "rocket": "🚀",
}


@dataclass
class RenderContext:
    """Who is looking, and the names behind the ids they see."""

    viewer_tz: str = "UTC"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    users: Mapping[str, str] = field(default_factory=dict)  # user id -> display name
    channels: Mapping[str, str] = field(default_factory=dict)  # channel id -> name
    errors: Mapping[str, str] = field(default_factory=dict)  # block id -> inline error

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.viewer_tz)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


def _attr(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return html.escape(text, quote=True)


# -- mrkdwn ----------------------------------------------------------------------------------------

_SPECIAL = re.compile(r"<([^<>\n]{1,600})>")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?!\s)([^_\n]+?)(?<!\s)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?!\s)([^~\n]+?)(?<!\s)~(?![\w~])")
_EMOJI = re.compile(r":([a-z0-9_+-]+):")
_PLACEHOLDER = "\x00{}\x00"
_PLACEHELD = re.compile("\x00(\\d+)\x00")


def _plain_escape(slack_text: str) -> str:
    """Slack's text escapes `&`, `<` and `>`; HTML needs `"` too: undo Slack's, do HTML's."""
    return html.escape(
        slack_text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"), quote=False
    )


def _date(stamp: int, pattern: str, ctx: RenderContext) -> str:
    moment = datetime.fromtimestamp(stamp, UTC).astimezone(ctx.zone())
    today = ctx.now.astimezone(ctx.zone()).date()
    day = moment.date()
    relative = {
        today: "Today",
        today + timedelta(days=1): "Tomorrow",
        today - timedelta(days=1): "Yesterday",
    }.get(day)
    long = f"{moment:%A, %B} {moment.day}, {moment.year}"
    short = f"{moment:%b} {moment.day}, {moment.year}"
    values = {
        "date_num": f"{moment:%Y-%m-%d}",
        "date": f"{moment:%B} {moment.day}, {moment.year}",
        "date_short": short,
        "date_long": long,
        "date_pretty": relative or f"{moment:%B} {moment.day}, {moment.year}",
        "date_short_pretty": relative or short,
        "date_long_pretty": relative or long,
        "time": f"{moment:%H:%M}",
        "time_secs": f"{moment:%H:%M:%S}",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), pattern)


def _special(token: str, ctx: RenderContext) -> str:
    """One `<...>` of Slack's: a mention, a channel, a date, a broadcast or a link."""
    target, _, label = token.partition("|")
    if target.startswith("@"):
        name = ctx.users.get(target[1:]) or label or target[1:]
        return f'<span class="mention">@{html.escape(name)}</span>'
    if target.startswith("#"):
        name = ctx.channels.get(target[1:]) or label or target[1:]
        return f'<span class="mention">#{html.escape(name)}</span>'
    if target.startswith("!date^"):
        parts = target.split("^")
        try:
            shown = _date(int(parts[1]), parts[2] if len(parts) > 2 else "{date}", ctx)
        except (IndexError, ValueError, OverflowError):
            shown = label
        return f'<time class="date" title="{_attr(ctx.viewer_tz)}">{html.escape(shown)}</time>'
    if target.startswith("!"):
        return f'<span class="mention">@{html.escape(target[1:].split("^")[0])}</span>'
    if target.startswith(("http://", "https://", "mailto:")):
        text = _plain_escape(label) if label else html.escape(target)
        return f'<a href="{_attr(target)}" target="_blank" rel="noopener">{text}</a>'
    return _plain_escape(f"<{token}>")


def mrkdwn(text: str, ctx: RenderContext) -> str:
    """Slack's mrkdwn as HTML: bold, italic, strike, code, quotes, links, mentions, dates."""
    held: list[str] = []

    def hold(fragment: str) -> str:
        held.append(fragment)
        return _PLACEHOLDER.format(len(held) - 1)

    text = _CODE_BLOCK.sub(lambda m: hold(f"<pre>{_plain_escape(m.group(1))}</pre>"), text)
    text = _CODE.sub(lambda m: hold(f"<code>{_plain_escape(m.group(1))}</code>"), text)
    text = _SPECIAL.sub(lambda m: hold(_special(m.group(1), ctx)), text)
    out = _plain_escape(text)
    out = _BOLD.sub(r"<b>\1</b>", out)
    out = _ITALIC.sub(r"<i>\1</i>", out)
    out = _STRIKE.sub(r"<s>\1</s>", out)
    out = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), out)
    lines = []
    for line in out.split("\n"):
        if line.startswith("&gt; ") or line == "&gt;":
            line = f'<span class="quote">{line[5:]}</span>'
        lines.append(line)
    out = "<br>".join(lines)
    for _ in range(3):  # held fragments may hold others (a mention in a link's label)
        out = _PLACEHELD.sub(lambda m: held[int(m.group(1))], out)
    return out


def text_object(obj: Any, ctx: RenderContext) -> str:
    if isinstance(obj, str):
        return html.escape(obj)
    if not isinstance(obj, dict):
        return ""
    raw = str(obj.get("text", ""))
    if obj.get("type") == "mrkdwn":
        return mrkdwn(raw, ctx)
    shown = html.escape(raw)
    if obj.get("emoji", True):
        shown = _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), shown)
    return shown


# -- elements --------------------------------------------------------------------------------------


def _plain(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else str(obj or "")


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found += group.get("options", [])
    return found


def _option_tags(element: dict[str, Any], selected: set[str], ctx: RenderContext) -> str:
    def one(option: dict[str, Any]) -> str:
        value = str(option.get("value", ""))
        chosen = " selected" if value in selected else ""
        return (
            f'<option value="{_attr(value)}"{chosen}>{html.escape(_plain(option["text"]))}</option>'
        )

    if element.get("option_groups"):
        return "".join(
            f'<optgroup label="{_attr(_plain(group.get("label")))}">'
            + "".join(one(o) for o in group.get("options", []))
            + "</optgroup>"
            for group in element["option_groups"]
        )
    return "".join(one(o) for o in element.get("options") or [])


def _data(element: dict[str, Any], block_id: str) -> str:
    attrs = {
        "data-type": element["type"],
        "data-action-id": element.get("action_id", ""),
        "data-block-id": block_id,
    }
    if element.get("confirm"):
        attrs["data-confirm"] = json.dumps(element["confirm"])
    return " ".join(f'{k}="{_attr(v)}"' for k, v in attrs.items())


def button(element: dict[str, Any], block_id: str, ctx: RenderContext) -> str:
    style = element.get("style")
    classes = "btn" + (f" btn-{style}" if style in ("primary", "danger") else "")
    value = f' data-value="{_attr(element["value"])}"' if "value" in element else ""
    if element.get("url"):
        return (
            f'<a class="{classes}" href="{_attr(element["url"])}" target="_blank" '
            f'rel="noopener">{text_object(element["text"], ctx)}</a>'
        )
    return (
        f'<button class="{classes}" {_data(element, block_id)}{value}>'
        f"{text_object(element['text'], ctx)}</button>"
    )


def overflow(element: dict[str, Any], block_id: str, ctx: RenderContext) -> str:
    items = "".join(
        f'<button class="menu-item" {_data(element, block_id)} '
        f'data-value="{_attr(o["value"])}" data-text="{_attr(_plain(o["text"]))}">'
        f"{html.escape(_plain(o['text']))}</button>"
        for o in element.get("options", [])
    )
    return (
        f'<details class="overflow"><summary>⋯</summary><div class="menu">{items}</div></details>'
    )


def _option(value: str, label: str, chosen: bool) -> str:
    selected = " selected" if chosen else ""
    return f'<option value="{_attr(value)}"{selected}>{html.escape(label)}</option>'


def _placeholder(element: dict[str, Any]) -> str:
    return _attr(_plain(element.get("placeholder")))


def _choice_items(
    element: dict[str, Any], kind: str, name: str, selected: set[str], ctx: RenderContext
) -> str:
    items = []
    for option in _options(element):
        value = str(option.get("value", ""))
        checked = " checked" if value in selected else ""
        description = (
            f'<span class="hint">{text_object(option["description"], ctx)}</span>'
            if option.get("description")
            else ""
        )
        items.append(
            f'<label class="choice"><input type="{kind}" name="{_attr(name)}" '
            f'value="{_attr(value)}" data-text="{_attr(_plain(option["text"]))}"{checked}> '
            f"{text_object(option['text'], ctx)}{description}</label>"
        )
    return "".join(items)


def form_element(
    element: dict[str, Any], block_id: str, ctx: RenderContext, *, dispatch: bool = False
) -> str:
    """An element that holds a value: in an input block (`dispatch`: one whose changes are
    sent at once, as `dispatch_action` asks), or in an actions block or accessory."""
    kind = str(element.get("type"))
    data = _data(element, block_id)
    if dispatch:
        data += ' data-dispatch="1"'
    render = _FORM_ELEMENTS.get(kind)
    if render is None:
        raise UnsupportedBlock(f"element type {kind!r}")
    return render(element, data, block_id, ctx)


def _text_input(element: dict[str, Any], data: str, _block_id: str, _ctx: RenderContext) -> str:
    limits = f' maxlength="{int(element["max_length"])}"' if element.get("max_length") else ""
    hint = _placeholder(element)
    if element.get("multiline"):
        value = html.escape(str(element.get("initial_value", "")))
        return f'<textarea {data} rows="3" placeholder="{hint}"{limits}>{value}</textarea>'
    initial = _attr(element.get("initial_value", ""))
    return f'<input type="text" {data} value="{initial}" placeholder="{hint}"{limits}>'


def _number_input(element: dict[str, Any], data: str, _block_id: str, _ctx: RenderContext) -> str:
    initial = _attr(element.get("initial_value", ""))
    bounds = "".join(
        f' {attr}="{_attr(element[key])}"'
        for key, attr in (("min_value", "min"), ("max_value", "max"))
        if key in element
    )
    step = "" if element.get("is_decimal_allowed") else ' step="1"'
    return f'<input type="number" {data} value="{initial}"{bounds}{step}>'


def _chosen_values(element: dict[str, Any]) -> set[str]:
    if "initial_options" in element:
        return {str(o.get("value")) for o in element.get("initial_options") or []}
    return {str((element.get("initial_option") or {}).get("value", ""))}


def _static_select(element: dict[str, Any], data: str, _block_id: str, ctx: RenderContext) -> str:
    chosen = _chosen_values(element)
    if element.get("type") == "multi_static_select":
        return f'<select multiple size="5" {data}>{_option_tags(element, chosen, ctx)}</select>'
    blank = (
        ""
        if element.get("initial_option")
        else f'<option value="">{_placeholder(element) or "Choose…"}</option>'
    )
    return f"<select {data}>{blank}{_option_tags(element, chosen, ctx)}</select>"


def _choices(element: dict[str, Any], data: str, block_id: str, ctx: RenderContext) -> str:
    kind_html = "radio" if element.get("type") == "radio_buttons" else "checkbox"
    name = f"{block_id}/{element.get('action_id', '')}"
    items = _choice_items(element, kind_html, name, _chosen_values(element), ctx)
    return f'<div class="choices" {data}>{items}</div>'


def _date_picker(element: dict[str, Any], data: str, _block_id: str, _ctx: RenderContext) -> str:
    return f'<input type="date" {data} value="{_attr(element.get("initial_date", ""))}">'


def _time_picker(element: dict[str, Any], data: str, _block_id: str, _ctx: RenderContext) -> str:
    return f'<input type="time" {data} value="{_attr(element.get("initial_time", ""))}">'


def _users_select(element: dict[str, Any], data: str, _block_id: str, ctx: RenderContext) -> str:
    chosen = set(element.get("initial_users") or []) | {element.get("initial_user", "")}
    people = "".join(
        _option(uid, name, uid in chosen)
        for uid, name in sorted(ctx.users.items(), key=lambda item: item[1])
    )
    multiple = ' multiple size="5"' if str(element.get("type")).startswith("multi") else ""
    blank = "" if multiple else '<option value="">Choose someone…</option>'
    return f"<select{multiple} {data}>{blank}{people}</select>"


def _channel_select(element: dict[str, Any], data: str, _block_id: str, ctx: RenderContext) -> str:
    chosen = {element.get("initial_conversation") or element.get("initial_channel") or ""}
    rooms = "".join(
        _option(cid, f"#{name}", cid in chosen)
        for cid, name in sorted(ctx.channels.items(), key=lambda item: item[1])
    )
    return f'<select {data}><option value="">Choose a channel…</option>{rooms}</select>'


_FORM_ELEMENTS: dict[str, Callable[[dict[str, Any], str, str, RenderContext], str]] = {
    "plain_text_input": _text_input,
    "number_input": _number_input,
    "static_select": _static_select,
    "multi_static_select": _static_select,
    "radio_buttons": _choices,
    "checkboxes": _choices,
    "datepicker": _date_picker,
    "timepicker": _time_picker,
    "users_select": _users_select,
    "multi_users_select": _users_select,
    "conversations_select": _channel_select,
    "channels_select": _channel_select,
}


def element(item: dict[str, Any], block_id: str, ctx: RenderContext) -> str:
    kind = item.get("type")
    if kind == "button":
        return button(item, block_id, ctx)
    if kind == "overflow":
        return overflow(item, block_id, ctx)
    if kind == "image":
        source, alt = _attr(item.get("image_url", "")), _attr(item.get("alt_text", ""))
        return f'<img class="thumb" src="{source}" alt="{alt}">'
    return form_element(item, block_id, ctx)


# -- blocks ----------------------------------------------------------------------------------------


def block(raw: dict[str, Any], ctx: RenderContext) -> str:
    kind = raw.get("type")
    block_id = str(raw.get("block_id", ""))
    if kind == "section":
        parts = []
        if raw.get("text"):
            parts.append(f'<div class="text">{text_object(raw["text"], ctx)}</div>')
        if raw.get("fields"):
            cells = "".join(f"<div>{text_object(f, ctx)}</div>" for f in raw["fields"])
            parts.append(f'<div class="fields">{cells}</div>')
        accessory = (
            f'<div class="accessory">{element(raw["accessory"], block_id, ctx)}</div>'
            if raw.get("accessory")
            else ""
        )
        return (
            f'<div class="block section"><div class="body">{"".join(parts)}</div>{accessory}</div>'
        )
    if kind == "header":
        return f'<div class="block header">{text_object(raw["text"], ctx)}</div>'
    if kind == "divider":
        return '<hr class="block divider">'
    if kind == "context":
        items = "".join(
            element(e, block_id, ctx)
            if e.get("type") == "image"
            else f"<span>{text_object(e, ctx)}</span>"
            for e in raw.get("elements", [])
        )
        return f'<div class="block context">{items}</div>'
    if kind == "actions":
        items = "".join(element(e, block_id, ctx) for e in raw.get("elements", []))
        return f'<div class="block actions">{items}</div>'
    if kind == "image":
        title = (
            f'<div class="caption">{text_object(raw["title"], ctx)}</div>'
            if raw.get("title")
            else ""
        )
        return (
            f'<figure class="block image">{title}<img src="{_attr(raw.get("image_url", ""))}" '
            f'alt="{_attr(raw.get("alt_text", ""))}"></figure>'
        )
    if kind == "input":
        inner = form_element(
            raw["element"], block_id, ctx, dispatch=bool(raw.get("dispatch_action"))
        )
        optional = '<span class="optional"> (optional)</span>' if raw.get("optional") else ""
        hint = f'<div class="hint">{text_object(raw["hint"], ctx)}</div>' if raw.get("hint") else ""
        error = ctx.errors.get(block_id)
        shown_error = f'<div class="error" role="alert">{html.escape(error)}</div>' if error else ""
        classes = "block input" + (" has-error" if error else "")
        return (
            f'<div class="{classes}" data-input="1" data-block-id="{_attr(block_id)}">'
            f'<label class="label">{text_object(raw["label"], ctx)}{optional}</label>'
            f"{inner}{hint}{shown_error}</div>"
        )
    raise UnsupportedBlock(f"block type {kind!r}")


def blocks(items: list[dict[str, Any]], ctx: RenderContext) -> str:
    return "".join(block(b, ctx) for b in items)


def message_body(text: str, items: list[dict[str, Any]], ctx: RenderContext) -> str:
    """A message as Slack shows it: its blocks, or its text when it has none."""
    if items:
        return blocks(items, ctx)
    body = f'<div class="text">{mrkdwn(text, ctx)}</div>'
    return f'<div class="block section"><div class="body">{body}</div></div>'


def view(raw: dict[str, Any], ctx: RenderContext) -> str:
    """A modal's or App Home's blocks (title and buttons are drawn by the page)."""
    return blocks(list(raw.get("blocks") or []), ctx)
