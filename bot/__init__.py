"""Reverse Mentoring for Slack."""
