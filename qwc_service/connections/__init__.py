"""Connections (one company file each), their machines, .qwc files, setup links, company lock."""
