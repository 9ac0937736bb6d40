"""Webhook endpoints, the event outbox, and signed delivery with retries."""
