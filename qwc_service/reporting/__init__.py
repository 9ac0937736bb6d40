"""Reports that read across domains: connection health, server status, metric gauges."""
