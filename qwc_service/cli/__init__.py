"""The ``qwc-service`` command line: one click group, a module per command group."""
