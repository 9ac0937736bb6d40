"""The benchmark command: ``python bench/run.py [--quick] [--json]``."""
