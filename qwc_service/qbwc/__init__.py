"""The Web Connector exchange: a session from login to close, and the handlers of each job kind."""
