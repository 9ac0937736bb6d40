"""WSGI plumbing the apps share: one router, request, reply and error; page headers; access log."""
