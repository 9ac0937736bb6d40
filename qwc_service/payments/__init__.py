"""Payments written back to QuickBooks at most once per idempotency key."""
