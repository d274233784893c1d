"""The gateway to Slack's Web API: reading people's profiles, posting, sharing files, showing
views. Nothing here touches the database; callers commit first and call these after."""
