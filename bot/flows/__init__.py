"""Use cases: each owns its transaction, calls the services, and returns what to show and the
Slack effects to run once it has committed (messages, files, App Home refreshes, views).

Handlers parse a request, call one flow, answer Slack, then run the effects; jobs call flows
too. No flow calls Slack while its transaction is open.
"""
