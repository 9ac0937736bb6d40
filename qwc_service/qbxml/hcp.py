"""Reading the HCP response: the Host, Company and Preferences answers QuickBooks sends once.

The Web Connector passes ``strHCPResponse`` on the first sendRequestXML of a session. From it we
learn which qbXML versions the request processor speaks (HostRet) and which company file we are
talking to: the Web Connector stamps the .qwc FileID into the company file as a private data
extension named ``FileID`` under the application's OwnerID, and also keeps its ``AppLock`` there.

The reader is deliberately lenient because nothing in it is acted on record by record:

* empty text, or prose such as the QBPOS sentence "HOSTQUERY/COMPANYQUERY/PREFQUERY is currently
  not supported in QBPOS." gives ``Hcp(None, None)``;
* a document that is not well-formed is re-read with libxml2's recovery mode (entities still
  unexpanded, DOCTYPE still refused) and whatever Host/Company data survives is returned, with
  ``recovered=True``; if nothing survives, ``Hcp(None, None, recovered=True)``;
* a document with a DOCTYPE is refused unread: ``Hcp(None, None, refused=True)``.

:func:`parse_hcp` never raises: the first sendRequestXML of a session must be answered whatever
QuickBooks (or anyone else) put in ``strHCPResponse``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from qwc_service.qbxml.errors import MalformedXml, UnsafeXml
from qwc_service.qbxml.xmlsafe import parse_document, parse_document_recovering

__all__ = ["CompanyInfo", "Hcp", "HostInfo", "file_id_for", "normalize_guid", "parse_hcp"]

FILE_ID_EXT = "FileID"
APP_LOCK_EXT = "AppLock"


@dataclass(frozen=True)
class HostInfo:
    """What HostRet says about the QuickBooks product and its request processor."""

    product_name: str | None
    major_version: int | None
    minor_version: int | None
    country: str | None
    supported_versions: tuple[str, ...]
    is_automatic_login: bool | None
    qb_file_mode: str | None


@dataclass(frozen=True)
class CompanyInfo:
    """The company file's names and the data extensions the Web Connector keeps in it.

    ``file_id_stamps`` and ``app_locks`` map an OwnerID (upper-cased, braces kept) to the value
    of the ``FileID`` / ``AppLock`` data extension stored under it.
    """

    company_name: str | None
    legal_company_name: str | None
    file_id_stamps: dict[str, str] = field(default_factory=dict)
    app_locks: dict[str, str] = field(default_factory=dict)

    @property
    def app_lock(self) -> str | None:
        """The first AppLock value seen (one per application OwnerID), if any."""
        return next(iter(self.app_locks.values()), None)


@dataclass(frozen=True)
class Hcp:
    """The parts of an HCP response this service uses; either part may be missing.

    ``recovered`` is set when the text was not well-formed and was read in recovery mode;
    ``refused`` when it carried a DOCTYPE and was not read at all.
    """

    host: HostInfo | None
    company: CompanyInfo | None
    recovered: bool = False
    refused: bool = False


def parse_hcp(text: str) -> Hcp:
    """Read an ``strHCPResponse`` leniently; never raises (see the module notes)."""
    if not text or not text.strip():
        return Hcp(None, None)
    if not text.lstrip("\ufeff \t\r\n").startswith("<"):
        return Hcp(None, None)
    recovered = False
    try:
        root = parse_document(text)
    except UnsafeXml:
        return Hcp(None, None, refused=True)
    except MalformedXml:
        recovered = True
        try:
            root = parse_document_recovering(text)
        except UnsafeXml:
            return Hcp(None, None, recovered=True, refused=True)
    if root is None or root.tag != "QBXML":
        return Hcp(None, None, recovered)
    host_ret = next(root.iter("HostRet"), None)
    company_ret = next(root.iter("CompanyRet"), None)
    return Hcp(
        host=None if host_ret is None else _host_info(host_ret),
        company=None if company_ret is None else _company_info(company_ret),
        recovered=recovered,
    )


def file_id_for(hcp: Hcp, owner_id: str) -> str | None:
    """The FileID stamped in the company file under ``owner_id`` (GUIDs compared loosely)."""
    if hcp.company is None:
        return None
    wanted = _guid_key(owner_id)
    for stamped_owner, file_id in hcp.company.file_id_stamps.items():
        if _guid_key(stamped_owner) == wanted:
            return file_id
    return None


def normalize_guid(value: str) -> str:
    """Upper-case a GUID and trim surrounding space, keeping (not adding) its braces."""
    return value.strip().upper()


def _guid_key(value: str) -> str:
    """Comparison key for GUIDs written with or without braces, in any case."""
    return value.strip().strip("{}").strip().upper()


def _host_info(host_ret: Any) -> HostInfo:
    """Build :class:`HostInfo` from a HostRet element."""
    versions = tuple(
        text for node in host_ret.iter("SupportedQBXMLVersion") if (text := _text(node))
    )
    return HostInfo(
        product_name=_child_text(host_ret, "ProductName"),
        major_version=_as_int(_child_text(host_ret, "MajorVersion")),
        minor_version=_as_int(_child_text(host_ret, "MinorVersion")),
        country=_child_text(host_ret, "Country"),
        supported_versions=versions,
        is_automatic_login=_as_bool(_child_text(host_ret, "IsAutomaticLogin")),
        qb_file_mode=_child_text(host_ret, "QBFileMode"),
    )


def _company_info(company_ret: Any) -> CompanyInfo:
    """Build :class:`CompanyInfo` from a CompanyRet element and its DataExtRet children."""
    stamps: dict[str, str] = {}
    locks: dict[str, str] = {}
    # iter(), not direct children: in a recovered document the DataExtRet elements may have
    # been nested into one another.
    for ext in company_ret.iter("DataExtRet"):
        owner = _child_text(ext, "OwnerID")
        name = _child_text(ext, "DataExtName")
        value = _child_text(ext, "DataExtValue")
        if owner is None or value is None:
            continue
        if name == FILE_ID_EXT:
            stamps.setdefault(normalize_guid(owner), value)
        elif name == APP_LOCK_EXT:
            locks.setdefault(normalize_guid(owner), value)
    return CompanyInfo(
        company_name=_child_text(company_ret, "CompanyName"),
        legal_company_name=_child_text(company_ret, "LegalCompanyName"),
        file_id_stamps=stamps,
        app_locks=locks,
    )


def _child_text(parent: Any, name: str) -> str | None:
    """Stripped text of the first direct child called ``name``; None when absent or empty."""
    child = parent.find(name)
    return None if child is None else _text(child)


def _text(node: Any) -> str | None:
    """Stripped text of one element; None when it is empty."""
    text = (node.text or "").strip()
    return text or None


def _as_int(text: str | None) -> int | None:
    """Parse a non-negative decimal, or None."""
    return int(text) if text is not None and text.isascii() and text.isdigit() else None


def _as_bool(text: str | None) -> bool | None:
    """Parse qbXML's ``true``/``false`` (any case), or None."""
    if text is None:
        return None
    return {"true": True, "false": False}.get(text.lower())
