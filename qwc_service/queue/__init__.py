"""The durable job queue: enqueue, claim under a lease, complete, cancel and retry."""
