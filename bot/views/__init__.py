"""Block Kit builders: pure functions returning slack_sdk.models objects."""
