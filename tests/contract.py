"""Slack's own method descriptions and schemas, read from ../shared/slack-contract at test time."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

REPO_ROOT = Path(__file__).resolve().parents[1]
CONTRACT_DIR = Path(
    os.environ.get("SLACK_CONTRACT_DIR", REPO_ROOT.parent / "shared" / "slack-contract")
)
MISSING_REASON = (
    f"Slack's contract files are not at {CONTRACT_DIR} (set SLACK_CONTRACT_DIR); "
    "they sit beside the checkout in CI"
)
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
# Arguments that Slack accepts either as a JSON-encoded string or, in a JSON body, as JSON.
JSON_ARGS = {"blocks", "attachments", "view", "metadata"}


def available() -> bool:
    return (CONTRACT_DIR / "methods").is_dir()


@cache
def method_spec(method: str) -> dict[str, Any] | None:
    path = CONTRACT_DIR / "methods" / f"{method}.json"
    if not path.is_file():
        return None
    spec: dict[str, Any] = json.loads(path.read_text())
    return spec


def load_json(relative: str) -> Any:
    return json.loads((CONTRACT_DIR / relative).read_text())


def _types_of(schema: dict[str, Any]) -> set[str]:
    if "type" in schema:
        t = schema["type"]
        return set(t) if isinstance(t, list) else {t}
    types: set[str] = set()
    for option in schema.get("anyOf", []) + schema.get("oneOf", []):
        types |= _types_of(option)
    return types


def _coerce(value: Any, schema: dict[str, Any]) -> Any:
    """Form and query values arrive as strings; convert them as Slack would before type checks."""
    types = _types_of(schema)
    if isinstance(value, str):
        return _from_string(value, types)
    if isinstance(value, (list, dict)) and "string" in types:
        return json.dumps(value)
    if isinstance(value, bool) and "string" in types and "boolean" not in types:
        return "true" if value else "false"
    if isinstance(value, (int, float)) and "string" in types and not types & {"integer", "number"}:
        return str(value)
    return value


def _from_string(value: str, types: set[str]) -> Any:
    if "string" in types:
        return value
    if types & {"array", "object"}:
        # slack_sdk sends arrays such as files.completeUploadExternal's `files` JSON-encoded.
        try:
            return json.loads(value)
        except ValueError:
            return value
    if "boolean" in types and value in ("true", "false", "1", "0"):
        return value in ("true", "1")
    if "integer" in types and value.lstrip("-").isdigit():
        return int(value)
    if "number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def check_arguments(method: str, args: dict[str, Any], *, has_bearer_token: bool) -> list[str]:
    """Problems with a call's arguments according to Slack's method description."""
    spec = method_spec(method)
    if spec is None:
        return [f"{method} is not a Slack Web API method in the contract"]
    schema = spec.get("args", {})
    properties = schema.get("properties", {})
    problems = []
    if "token" in schema.get("required", []) and not has_bearer_token and "token" not in args:
        problems.append(f"{method}: no token (neither Authorization header nor argument)")
    coerced = {k: _coerce(v, properties.get(k, {})) for k, v in args.items()}
    checked_schema = {**schema, "required": [r for r in schema.get("required", []) if r != "token"]}
    for error in jsonschema.Draft7Validator(checked_schema).iter_errors(coerced):
        problems.append(f"{method}: {'.'.join(map(str, error.path)) or 'args'}: {error.message}")
    return problems


def _decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def check_blocks(blocks: Any, *, limit: int = MAX_MESSAGE_BLOCKS) -> list[str]:
    """Round-trip blocks through slack_sdk.models, which enforces Slack's documented limits."""
    blocks = _decoded(blocks)
    if not isinstance(blocks, list):
        return ["blocks is not a list"]
    problems = []
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks, over Slack's limit of {limit}")
    for index, raw in enumerate(blocks):
        try:
            block = Block.parse(raw)
            if block is None:
                problems.append(f"block {index}: unknown block type {raw.get('type')!r}")
                continue
            block.to_dict()
        except Exception as error:  # slack_sdk raises several kinds for bad blocks
            problems.append(f"block {index}: {type(error).__name__}: {error}")
    return problems


def check_view(view: Any) -> list[str]:
    view = _decoded(view)
    if not isinstance(view, dict):
        return ["view is not an object"]
    try:
        View(**view).to_dict()
    except Exception as error:
        return [f"view: {type(error).__name__}: {error}"]
    return check_blocks(view.get("blocks", []), limit=MAX_VIEW_BLOCKS)
