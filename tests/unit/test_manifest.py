"""manifest.yml creates this app: valid against Slack's manifest schema, least privilege."""

from __future__ import annotations

import jsonschema
import pytest
import yaml

from tests import contract
from tests.support import REPO_ROOT

MANIFEST = REPO_ROOT / "manifest.yml"
# Every scope the app asks for, and the feature that needs it. Adding a scope means adding it here.
ALLOWED_BOT_SCOPES = {
    "commands": "/mentoring",
    "chat:write": "DMs to participants",
    "users:read": "time zones from users.info",
    "mpim:write": "group DMs introducing pairs",
    "files:write": "calendar invites (.ics), CSV exports and chart images (files_upload_v2)",
    # files.completeUploadExternal shares into a channel id, never a user id: exports and
    # charts need conversations.open on the coordinator's DM first.
    "im:write": "the coordinator's DM id (conversations.open) for exports and charts",
}


def load() -> dict:
    return yaml.safe_load(MANIFEST.read_text())


@pytest.mark.needs_contract
def test_manifest_is_valid_against_slacks_schema() -> None:
    schema = contract.load_json("manifest/manifest.schema.1.0.0.json")
    errors = list(jsonschema.Draft7Validator(schema).iter_errors(load()))
    assert errors == [], [e.message for e in errors]


def test_manifest_asks_only_for_the_scopes_the_app_uses() -> None:
    scopes = set(load()["oauth_config"]["scopes"]["bot"])
    assert scopes == set(ALLOWED_BOT_SCOPES)
    assert "user" not in load()["oauth_config"]["scopes"]


def test_the_oauth_install_asks_for_exactly_the_manifests_scopes() -> None:
    from bot.installations import SCOPES

    manifest = yaml.safe_load(MANIFEST.read_text())
    assert set(SCOPES) == set(manifest["oauth_config"]["scopes"]["bot"])
    assert manifest["oauth_config"]["redirect_urls"][0].endswith("/slack/oauth_redirect")
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)


def test_manifest_points_slack_at_the_bots_endpoints() -> None:
    manifest = load()
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/mentoring"
    assert command["url"].endswith("/slack/events")
    assert manifest["settings"]["interactivity"]["request_url"].endswith("/slack/events")
    assert manifest["settings"]["event_subscriptions"]["request_url"].endswith("/slack/events")
    assert "app_home_opened" in manifest["settings"]["event_subscriptions"]["bot_events"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["features"]["bot_user"]["display_name"]
