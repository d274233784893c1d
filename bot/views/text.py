"""Making user-typed text safe to put back into Slack mrkdwn, and fitting it into Slack's limits.

Escaping turns one character into up to five (`<` becomes `&lt;`), so text that fits a form
field may no longer fit a block once escaped: long user text is split over several sections
(`split_mrkdwn`) or shortened (`clip`), never cut inside an entity or a `<...>` token.
"""

from __future__ import annotations

import re

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

SECTION_LIMIT = 3000  # Slack's limit on a section's text
ELLIPSIS = "…"
# What must stay whole: an entity (`&lt;`), or a link, mention or date (`<@U123>`).
_UNIT = re.compile(r"&[a-z]+;|<[^<>\n]{1,400}>|.", re.DOTALL)


def plural(count: int, singular: str, many: str | None = None) -> str:
    """`1 pair`, `2 pairs`, `4,812 people` (with `many` for irregular plurals)."""
    word = singular if count == 1 else (many or singular + "s")
    return f"{count:,} {word}"


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control sequences in message text.

    After this, `<!channel>` or `<@U123>` typed by a user displays literally and notifies nobody.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in a slash command's text, for a name typed
    there; never use the result in a message without escaping it again."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _units(mrkdwn: str) -> list[str]:
    return _UNIT.findall(mrkdwn)


def clip(mrkdwn: str, limit: int = SECTION_LIMIT) -> str:
    """`mrkdwn` shortened to at most `limit` characters, ending in "…" when it was cut."""
    if len(mrkdwn) <= limit:
        return mrkdwn
    kept, size = [], 0
    for unit in _units(mrkdwn):
        if size + len(unit) > limit - len(ELLIPSIS):
            break
        kept.append(unit)
        size += len(unit)
    return "".join(kept) + ELLIPSIS


def split_mrkdwn(mrkdwn: str, limit: int = SECTION_LIMIT) -> list[str]:
    """`mrkdwn` in pieces of at most `limit` characters, cut at line ends where it can be."""
    if len(mrkdwn) <= limit:
        return [mrkdwn]
    pieces: list[str] = []
    current = ""
    for line in mrkdwn.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        current = ""
        for unit in _units(line):
            if len(current) + len(unit) > limit:
                pieces.append(current)
                current = ""
            current += unit
    if current:
        pieces.append(current)
    return pieces


def escaped_chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """User text escaped, in pieces that each fit a section (never cut inside an entity)."""
    return split_mrkdwn(escape(text), limit)


def sections(mrkdwn: str) -> list[SectionBlock]:
    """As many sections as `mrkdwn` needs (user text, once escaped, can outgrow one)."""
    return [SectionBlock(text=MarkdownTextObject(text=piece)) for piece in split_mrkdwn(mrkdwn)]
