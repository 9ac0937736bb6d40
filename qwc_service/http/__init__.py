"""WSGI plumbing the apps share: page headers, templates, the redacting access log."""
