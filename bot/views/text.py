"""Making user-typed text safe to put back into Slack mrkdwn."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape the three characters Slack treats as control sequences in message text.

    After this, `<!channel>` or `<@U123>` typed by a user displays literally and notifies nobody.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
