"""Writes: Add, Mod, Void and Delete requests sent to QuickBooks, each at most once."""
