"""Exceptions raised while reading or writing qbXML.

Every exception here derives from :class:`QbxmlError`, itself a ``ValueError``, so a caller that
handles untrusted input can catch one type and turn it into a message for a person.
"""

from __future__ import annotations

__all__ = [
    "InvalidQbxml",
    "MalformedXml",
    "QbxmlError",
    "UnsafeXml",
    "UnsupportedQbxmlVersion",
]


class QbxmlError(ValueError):
    """Base class: the text handed to us is not usable qbXML."""


class MalformedXml(QbxmlError):
    """The text is not well-formed XML (or cannot be decoded at all)."""


class UnsafeXml(QbxmlError):
    """The document declares a DOCTYPE or entities; it is refused without being expanded."""


class InvalidQbxml(QbxmlError):
    """The XML is well-formed but is not the qbXML request or response that was expected."""


class UnsupportedQbxmlVersion(QbxmlError):
    """QuickBooks only speaks qbXML versions older than the oldest one this service sends."""
