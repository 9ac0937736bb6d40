"""Scheduled incremental syncs: schedules, daily windows and the queries they send."""
