"""A machine's setup page and .qwc download, for the person at that computer."""
