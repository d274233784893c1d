"""Block Kit validation at a fraction of its cost, with the same checks.

slack_sdk validates each block, element and text object every time it turns one into a dict
(`to_dict`, which Bolt's ack() and the Web API client call for every message and view). To find
an object's validators it lists every attribute of the object and reads each one, which is
three quarters of what rendering a message costs. Validators are methods of the class (marked by
slack_sdk's `JsonValidator`), so here they are found once per class; the same validators then
run, in the same (alphabetical) order, and fail the same way.
"""

from __future__ import annotations

from slack_sdk.models.basic_objects import JsonObject

_VALIDATORS: dict[type, tuple[str, ...]] = {}


def validators_of(cls: type) -> tuple[str, ...]:
    """Names of the class's validator methods, alphabetically, as slack_sdk would run them."""
    found = _VALIDATORS.get(cls)
    if found is None:
        found = tuple(
            name
            for name in dir(cls)
            if not name.startswith("__")
            and callable(method := getattr(cls, name, None))
            and hasattr(method, "validator")
        )
        _VALIDATORS[cls] = found  # a race computes the same tuple twice, harmlessly
    return found


def _validate_json(self: JsonObject) -> None:
    for name in validators_of(type(self)):
        getattr(self, name)()


def speed_up_validation() -> None:
    """Have every slack_sdk model look up its validators by class (safe to call again)."""
    JsonObject.validate_json = _validate_json  # type: ignore[method-assign]
