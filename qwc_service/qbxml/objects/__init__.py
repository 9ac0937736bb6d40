"""The object registry: every object qbXML 13.0 can query or write, and what the schema says.

``catalog.py`` is generated from Intuit's XSD by ``generate.py`` (``python -m
qwc_service.qbxml.objects.generate --schema-dir DIR``); ``names.py`` holds the choices the
schema cannot make (which objects, and what we call them); ``registry.py`` looks objects up.
The same command generates ``writes_catalog.py``, each object's Add and Mod requests and the
generic void and delete requests, which ``writes.py`` looks up.
This package imports none of them, so the generator runs even when a catalog is stale.
"""
