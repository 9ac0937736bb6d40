"""The object registry: every object qbXML 13.0 can query, and what the schema says of it.

``catalog.py`` is generated from Intuit's XSD by ``generate.py`` (``python -m
qwc_service.qbxml.objects.generate --schema-dir DIR``); ``names.py`` holds the choices the
schema cannot make (which objects, and what we call them); ``registry.py`` looks objects up.
This package imports none of them, so the generator runs even when the catalog is stale.
"""
