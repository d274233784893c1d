"""The demo's drawing of Block Kit and mrkdwn: every kind of block and element the app builds,
Slack's mrkdwn in the viewer's own time zone, and user text that stays text."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime

import pytest
import slack_sdk.models.blocks as sdk_blocks
from slack_sdk.models.blocks import Block, BlockElement

from bot.localslack import render
from bot.localslack.render import RenderContext, UnsupportedBlock
from tests.support import REPO_ROOT

VIEWS = REPO_ROOT / "bot" / "views"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Tuesday 24 November 2026, 20:00 UTC.
STAMP = int(datetime(2026, 11, 24, 20, 0, tzinfo=UTC).timestamp())


def _classes_used_by_the_views() -> set[type]:
    used: set[type] = set()
    for path in VIEWS.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                found = getattr(sdk_blocks, node.func.id, None)
                if isinstance(found, type) and issubclass(found, (Block, BlockElement)):
                    used.add(found)
    return used


def test_every_block_and_element_the_views_build_can_be_drawn() -> None:
    used = _classes_used_by_the_views()
    assert {c.__name__ for c in used} >= {"SectionBlock", "InputBlock", "ButtonElement"}
    blocks = {c.type for c in used if issubclass(c, Block)}
    elements = {c.type for c in used if issubclass(c, BlockElement)}
    assert blocks <= render.BLOCK_TYPES, blocks - render.BLOCK_TYPES
    assert elements <= render.ELEMENT_TYPES, elements - render.ELEMENT_TYPES


def test_a_type_it_cannot_draw_is_an_error_not_a_blank() -> None:
    with pytest.raises(UnsupportedBlock):
        render.blocks([{"type": "rich_text", "elements": []}], RenderContext())
    with pytest.raises(UnsupportedBlock):
        render.blocks(
            [{"type": "actions", "elements": [{"type": "workflow_button", "action_id": "w"}]}],
            RenderContext(),
        )


def _ctx(tz: str = "Europe/London", now: datetime = NOW) -> RenderContext:
    return RenderContext(
        viewer_tz=tz,
        now=now,
        users={"U0ANA": "Ana Silva"},
        channels={"C0GEN": "general"},
        errors={"goal": "Please keep it under 300 characters."},
    )


def test_mrkdwn_formats_as_slack_does() -> None:
    shown = render.mrkdwn(
        "*bold* _italic_ ~gone~ `a*b*c` <https://example.com|a link> <@U0ANA> <#C0GEN|x>\n"
        "&gt; quoted",
        _ctx(),
    )
    assert "<b>bold</b>" in shown and "<i>italic</i>" in shown and "<s>gone</s>" in shown
    assert "<code>a*b*c</code>" in shown  # nothing formatted inside code
    assert '<a href="https://example.com" target="_blank" rel="noopener">a link</a>' in shown
    assert "@Ana Silva" in shown and "#general" in shown
    assert '<span class="quote">quoted</span>' in shown


def test_dates_show_in_the_viewers_own_time_zone() -> None:
    text = f"<!date^{STAMP}^{{date_long_pretty}} at {{time}}|2026-11-24 20:00 UTC>"
    weeks_before = datetime(2026, 11, 1, tzinfo=UTC)
    for zone, shown in (
        ("Europe/London", "Tuesday, November 24, 2026 at 20:00"),
        ("America/New_York", "Tuesday, November 24, 2026 at 15:00"),
        ("Australia/Sydney", "Wednesday, November 25, 2026 at 07:00"),
    ):
        assert shown in render.mrkdwn(text, _ctx(zone, weeks_before))
    # "_pretty" says today, tomorrow or yesterday where it can, as Slack does.
    assert "Tomorrow at 20:00" in render.mrkdwn(text, _ctx("Europe/London", NOW))


def test_user_text_stays_text() -> None:
    # What the app sends is Slack-escaped: `<!channel>` typed by someone arrives as entities.
    shown = render.mrkdwn(
        '&lt;!channel&gt; &lt;script&gt;alert(1)&lt;/script&gt; &amp; "q"', _ctx()
    )
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "&lt;!channel&gt;" in shown and 'class="mention"' not in shown
    plain = render.text_object({"type": "plain_text", "text": "<b>not bold</b>"}, _ctx())
    assert plain == "&lt;b&gt;not bold&lt;/b&gt;"
    link = render.mrkdwn("<javascript:alert(1)|click>", _ctx())
    assert "href" not in link


def test_an_input_block_shows_its_inline_error_and_elements_carry_what_a_click_sends() -> None:
    shown = render.blocks(
        [
            {
                "type": "input",
                "block_id": "goal",
                "label": {"type": "plain_text", "text": "Your goal"},
                "element": {"type": "plain_text_input", "action_id": "goal", "multiline": True},
            },
            {
                "type": "actions",
                "block_id": "buttons",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "publish",
                        "text": {"type": "plain_text", "text": "Publish"},
                        "style": "primary",
                        "value": "7",
                        "confirm": {
                            "title": {"type": "plain_text", "text": "Sure?"},
                            "text": {"type": "plain_text", "text": "Really."},
                            "confirm": {"type": "plain_text", "text": "Yes"},
                            "deny": {"type": "plain_text", "text": "No"},
                        },
                    }
                ],
            },
        ],
        _ctx(),
    )
    assert 'role="alert">Please keep it under 300 characters.</div>' in shown
    assert 'class="block input has-error"' in shown
    button = re.search(r"<button [^>]*>Publish</button>", shown)
    assert button is not None
    assert 'class="btn btn-primary"' in button.group(0)
    assert 'data-action-id="publish"' in button.group(0) and 'data-value="7"' in button.group(0)
    assert "data-confirm=" in button.group(0)
