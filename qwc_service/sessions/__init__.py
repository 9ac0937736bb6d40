"""Web Connector sessions: logins, tickets, login throttling and the connection lease."""
