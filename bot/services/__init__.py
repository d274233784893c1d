"""Domain rules. No Slack imports here: services take a db_session and `now`."""
