"""The plain pages that probes and the Web Connector fetch: /support, /health, /metrics."""
