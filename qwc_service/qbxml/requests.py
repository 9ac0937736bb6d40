"""qbXML request documents: checking, stamping with a requestID, building, schema validation.

Every request leaves this module in one form::

    <?xml version="1.0" encoding="utf-8"?>
    <?qbxml version="13.0"?>
    <QBXML>...</QBXML>

with an ASCII-only body: anything outside ASCII becomes a numeric character reference, so the
bytes are the same whether the Web Connector treats the text as UTF-8 or Latin-1.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from qwc_service.qbxml.errors import InvalidQbxml
from qwc_service.qbxml.versions import DEFAULT_VERSION, format_version, parse_version
from qwc_service.qbxml.xmlsafe import local_name, parse_document

__all__ = [
    "MAX_REQUEST_ID_LENGTH",
    "ON_ERROR_VALUES",
    "SCHEMA_FILE",
    "RequestSet",
    "build_request",
    "load_schema",
    "schema_errors",
    "serialize_request",
    "stamp_request_id",
    "validate_request",
]

# QuickBooks answers a longer requestID with status 1060.
MAX_REQUEST_ID_LENGTH = 50
# "rollbackOnError" is in the XSD's enumeration but QuickBooks rejects it.
ON_ERROR_VALUES = ("stopOnError", "continueOnError")
SCHEMA_FILE = "qbxmlops130.xsd"

_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass(frozen=True)
class RequestSet:
    """What a checked request document asks QuickBooks to do."""

    version: str | None
    on_error: str
    request_names: tuple[str, ...]


def validate_request(text: str) -> RequestSet:
    """Check that ``text`` is a qbXML request message set and describe it.

    Checks the envelope QuickBooks insists on (``QBXML`` > ``QBXMLMsgsRq`` with a usable
    ``onError`` and at least one ``*Rq`` element), not the contents of each request; use
    :func:`schema_errors` for that. Raises :class:`InvalidQbxml` (or the XML errors of
    :func:`~qwc_service.qbxml.xmlsafe.parse_document`).
    """
    return _describe(parse_document(text))


def stamp_request_id(
    text: str,
    request_id: str,
    *,
    version: str | None = None,
    fallback_version: str | None = None,
) -> str:
    """Return ``text`` re-serialised with ``requestID`` set on every request element.

    Existing requestIDs are overwritten. The qbxml processing instruction becomes ``version``
    when given, else keeps the document's own, else ``fallback_version``, else 13.0. Raises
    ValueError for an empty requestID or one longer than 50 characters, and
    :class:`InvalidQbxml` for a document that :func:`validate_request` refuses.
    """
    if not request_id:
        raise ValueError("requestID must not be empty")
    if len(request_id) > MAX_REQUEST_ID_LENGTH:
        raise ValueError(
            f"requestID is {len(request_id)} characters; QuickBooks accepts at most "
            f"{MAX_REQUEST_ID_LENGTH}"
        )
    root = parse_document(text)
    described = _describe(root)
    chosen = version or described.version or fallback_version or DEFAULT_VERSION
    for request in _requests_of(root):
        request.set("requestID", request_id)
    return serialize_request(root, chosen)


def build_request(
    *requests: Any, on_error: str = "stopOnError", version: str = DEFAULT_VERSION
) -> str:
    """Wrap request elements (lxml elements or their XML text) into a full request document.

    Elements are copied, never moved out of the caller's tree. Raises ValueError for an unknown
    ``on_error`` or version, or when no request is given, and :class:`InvalidQbxml` for an
    element that is not an un-namespaced ``*Rq`` element.
    """
    if on_error not in ON_ERROR_VALUES:
        raise ValueError(f"onError must be one of {', '.join(ON_ERROR_VALUES)}, not {on_error!r}")
    if not requests:
        raise ValueError("build_request needs at least one request element")
    root = etree.Element("QBXML")
    messages = etree.SubElement(root, "QBXMLMsgsRq", onError=on_error)
    for request in requests:
        element = parse_document(request) if isinstance(request, str) else copy.deepcopy(request)
        _check_request_element(element)
        element.tail = None
        messages.append(element)
    return serialize_request(root, version)


def serialize_request(root: Any, version: str) -> str:
    """Serialise a ``QBXML`` element with our prolog and an ASCII-only body."""
    normalized = format_version(parse_version(version))
    body = etree.tostring(root, encoding="us-ascii", xml_declaration=False, with_tail=False)
    return f'{_DECLARATION}<?qbxml version="{normalized}"?>\n{body.decode("ascii")}'


@lru_cache(maxsize=4)
def load_schema(xsd_dir: Path) -> etree.XMLSchema:
    """Compile the qbXML 13.0 schema found in ``xsd_dir`` (cached per directory).

    The four XSD files include one another by relative path, so they must sit together.
    """
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    tree = etree.parse(str(Path(xsd_dir) / SCHEMA_FILE), parser)
    return etree.XMLSchema(tree)


def schema_errors(text: str, schema: etree.XMLSchema) -> list[str]:
    """Validate a request (or response) against ``schema``; [] when it is valid.

    Each entry reads ``line N: message``. A document that cannot be parsed raises the errors of
    :func:`~qwc_service.qbxml.xmlsafe.parse_document` instead.
    """
    root = parse_document(text)
    if schema.validate(root.getroottree()):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


def _describe(root: Any) -> RequestSet:
    """Check the request envelope below ``root`` and summarise it."""
    if root.tag != "QBXML":
        name = local_name(root)
        where = " in an XML namespace" if name == "QBXML" else ""
        raise InvalidQbxml(f"expected a <QBXML> request but the root element is <{name}>{where}")
    messages = root.find("QBXMLMsgsRq")
    if messages is None:
        if root.find("QBXMLMsgsRs") is not None:
            raise InvalidQbxml("this is a qbXML response (<QBXMLMsgsRs>), not a request")
        raise InvalidQbxml("<QBXML> has no <QBXMLMsgsRq> element holding the requests")
    on_error = messages.get("onError")
    if on_error is None:
        raise InvalidQbxml(
            '<QBXMLMsgsRq> needs an onError attribute: "stopOnError" or "continueOnError"'
        )
    if on_error == "rollbackOnError":
        raise InvalidQbxml(
            'onError="rollbackOnError" is rejected by QuickBooks, which never rolls back '
            'requests; use "stopOnError" or "continueOnError"'
        )
    if on_error not in ON_ERROR_VALUES:
        raise InvalidQbxml(
            f'onError="{on_error}" is not a qbXML value; use "stopOnError" or "continueOnError"'
        )
    requests = _requests_of(root)
    # A status check of message-set error recovery names an earlier set and asks nothing.
    if not requests and messages.get("oldMessageSetID") is None:
        raise InvalidQbxml("<QBXMLMsgsRq> contains no requests")
    for request in requests:
        _check_request_element(request)
    return RequestSet(
        version=_version_of(root),
        on_error=on_error,
        request_names=tuple(request.tag for request in requests),
    )


def _requests_of(root: Any) -> list[Any]:
    """The element children of ``QBXMLMsgsRq`` (comments and PIs skipped)."""
    return list(root.find("QBXMLMsgsRq").iterchildren(tag=etree.Element))


def _check_request_element(element: Any) -> None:
    """Refuse anything but an un-namespaced element whose name ends in ``Rq``."""
    name = local_name(element)
    if element.tag != name or not name.endswith("Rq") or name == "QBXMLMsgsRq":
        raise InvalidQbxml(
            f"<{name}> is not a qbXML request element (request names end in Rq and carry "
            "no namespace)"
        )


def _version_of(root: Any) -> str | None:
    """The version named by the ``<?qbxml version="…"?>`` instruction before the root."""
    for node in root.itersiblings(preceding=True):
        if isinstance(node, etree._ProcessingInstruction) and node.target == "qbxml":
            value = node.get("version")
            if value is None:
                return None
            try:
                return format_version(parse_version(value))
            except ValueError:
                raise InvalidQbxml(
                    f'<?qbxml version="{value}"?> does not name a version like 13.0'
                ) from None
    return None
