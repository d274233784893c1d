"""A local Slack workspace: Slack's Web API and the requests Slack sends an app, on 127.0.0.1.

The test suite runs the app against it (with Slack's own method descriptions checked on every
call), and `mentorbot demo` puts it in a browser: people, channels, DMs, modals and the App
Home, drawn from the same state. The app cannot tell it from Slack: it talks to it only
through `SLACK_API_URL` and signed requests to `/slack/events`.
"""
