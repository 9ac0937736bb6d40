"""Pages for the customer's people: a machine's setup page, a connection's install page."""
