"""qwc-service: a server for the QuickBooks Web Connector."""

__version__ = "0.1.0"
