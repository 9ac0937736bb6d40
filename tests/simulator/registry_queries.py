"""Queries built from the object registry alone, and the fake QuickBooks' validated answers."""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

from qwc_service.qbxml.objects.specs import ObjectSpec
from qwc_service.simulator.quickbooks import FakeQuickBooks


def query(
    spec: ObjectSpec,
    values: Mapping[str, str] | None = None,
    *,
    since: str | None = None,
    iterator: str | None = None,
    iterator_id: str | None = None,
) -> str:
    """The object's ``…QueryRq`` with ``values`` as children, in the order the schema fixes;
    ``since`` goes in FromModifiedDate at the path the registry gives."""
    request = spec.query
    root = etree.Element(request.request)
    if iterator is not None:
        root.set("iterator", iterator)
    if iterator_id is not None:
        root.set("iteratorID", iterator_id)
    children = dict(values or {})
    modified = request.modified_since[0] if since is not None else None
    if modified is not None:
        children[modified] = ""
    for name in request.in_order(children):
        node = etree.SubElement(root, name)
        if name == modified and since is not None:
            for inner in request.modified_since[1:]:
                node = etree.SubElement(node, inner)
            node.text = since
        else:
            node.text = children[name]
    return etree.tostring(root, encoding="unicode")


def everything(spec: ObjectSpec) -> dict[str, str]:
    """What a full mirror asks for: inactive records too, lines, links and custom fields."""
    request = spec.query
    values = {}
    if request.active_status:
        values["ActiveStatus"] = "All"
    if request.line_items_flag:
        values[request.line_items_flag] = "true"
    if request.include_linked_txns:
        values["IncludeLinkedTxns"] = "true"
    if request.owner_id:
        values["OwnerID"] = "0"
    return values


def message_set(*bodies: str) -> str:
    """A qbXML 13.0 request message set holding ``bodies``."""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>\n'
        f'<QBXML><QBXMLMsgsRq onError="continueOnError">{"".join(bodies)}</QBXMLMsgsRq></QBXML>'
    )


def ask(qb: FakeQuickBooks, schema: etree.XMLSchema, body: str) -> etree._Element:
    """The ``…Rs`` answering ``body``, after checking the whole response against the schema."""
    root = etree.fromstring(qb.process(message_set(body)).encode("utf-8"))
    assert schema.validate(root), (body, schema.error_log.last_error)
    (rs,) = root.find("QBXMLMsgsRs")
    return rs


def ids(rs: etree._Element, spec: ObjectSpec) -> list[str]:
    """The ListID or TxnID of every record an ``…Rs`` returns, in order."""
    return [ret.findtext(spec.identity or "") for ret in rs]
