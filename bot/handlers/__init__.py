"""Bolt listeners: parse, ack, call a service, render a view. One module per feature."""
