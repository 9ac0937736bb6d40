"""The served ``?wsdl`` against Intuit's WSDL: every operation, message, element and type."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from spyne import Application, ServiceBase, Unicode, rpc
from spyne.protocol.soap import Soap11

from qwc_service.app import QwcApp, create_app
from qwc_service.soap.direct import NAMESPACE
from qwc_service.soap.wsdl import wsdl_document
from tests.factories import make_test_settings
from tests.hostile.harness import call, environ

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD = "http://www.w3.org/2001/XMLSchema"
INTUIT_WSDL = "QBWebConnectorSvc.wsdl"
PUBLIC_URL = "https://qwc.example.com"

QName = tuple[str, str]


@dataclass(frozen=True)
class Field:
    """One element of a sequence, as a client generator reads it."""

    name: str
    type: QName
    min_occurs: str
    max_occurs: str
    nillable: str


@dataclass(frozen=True)
class Message:
    """A message, its one part, the part's element and that element's fields."""

    name: str
    part: str
    element: QName
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class OperationShape:
    """Everything a client generated from the WSDL needs to call one operation."""

    soap_action: str
    style: str
    body_use: tuple[str, str]
    input: Message
    output: Message


@dataclass(frozen=True)
class Description:
    """A WSDL read the way a client generator reads it, SOAP 1.1 binding only."""

    namespace: str
    element_form: str
    port_type: str
    soap11_bindings: tuple[str, ...]
    service: str
    ports: tuple[tuple[str, QName, str], ...]
    operations: dict[str, OperationShape]
    types: dict[QName, tuple[Field, ...]]


def _qname(element: Any, value: str) -> QName:
    prefix, _, local = value.rpartition(":")
    return (element.nsmap[prefix or None], local)


def _sequence(complex_type: Any) -> tuple[Field, ...]:
    return tuple(
        Field(
            name=field.get("name"),
            type=_qname(field, field.get("type")),
            # XML Schema's defaults, so an omitted attribute compares equal to a written one.
            min_occurs=field.get("minOccurs", "1"),
            max_occurs=field.get("maxOccurs", "1"),
            nillable=field.get("nillable", "false"),
        )
        for field in complex_type.iterfind(f"{{{XSD}}}sequence/{{{XSD}}}element")
    )


def _describe(document: bytes) -> Description:
    root = etree.fromstring(document)
    namespace = root.get("targetNamespace")
    schema = root.find(f"{{{WSDL}}}types/{{{XSD}}}schema")
    types = {
        (namespace, complex_type.get("name")): _sequence(complex_type)
        for complex_type in schema.iterfind(f"{{{XSD}}}complexType")
    }
    # An element's type is anonymous (as ASP.NET writes it) or named (as other toolkits do).
    elements = {
        (namespace, element.get("name")): (
            types[_qname(element, element.get("type"))]
            if element.get("type")
            else _sequence(element.find(f"{{{XSD}}}complexType"))
        )
        for element in schema.iterfind(f"{{{XSD}}}element")
    }
    messages = {}
    for message in root.iterfind(f"{{{WSDL}}}message"):
        (part,) = message.iterfind(f"{{{WSDL}}}part")
        element = _qname(part, part.get("element"))
        messages[(namespace, message.get("name"))] = Message(
            message.get("name"), part.get("name"), element, elements[element]
        )
    (port_type,) = root.iterfind(f"{{{WSDL}}}portType")
    bindings = [
        binding
        for binding in root.iterfind(f"{{{WSDL}}}binding")
        if binding.find(f"{{{SOAP11}}}binding") is not None
    ]
    operations: dict[str, OperationShape] = {}
    for binding in bindings:
        assert _qname(binding, binding.get("type")) == (namespace, port_type.get("name"))
        assert binding.find(f"{{{SOAP11}}}binding").get("transport") == (
            "http://schemas.xmlsoap.org/soap/http"
        )
        for operation in binding.iterfind(f"{{{WSDL}}}operation"):
            name = operation.get("name")
            soap_operation = operation.find(f"{{{SOAP11}}}operation")
            abstract = port_type.find(f"{{{WSDL}}}operation[@name='{name}']")
            input_message = abstract.find(f"{{{WSDL}}}input")
            output_message = abstract.find(f"{{{WSDL}}}output")
            operations[name] = OperationShape(
                soap_action=soap_operation.get("soapAction"),
                style=soap_operation.get("style"),
                body_use=(
                    operation.find(f"{{{WSDL}}}input/{{{SOAP11}}}body").get("use"),
                    operation.find(f"{{{WSDL}}}output/{{{SOAP11}}}body").get("use"),
                ),
                input=messages[_qname(input_message, input_message.get("message"))],
                output=messages[_qname(output_message, output_message.get("message"))],
            )
    (service,) = root.iterfind(f"{{{WSDL}}}service")
    ports = tuple(
        (port.get("name"), _qname(port, port.get("binding")), address.get("location"))
        for port in service.iterfind(f"{{{WSDL}}}port")
        if (address := port.find(f"{{{SOAP11}}}address")) is not None
    )
    return Description(
        namespace=namespace,
        element_form=schema.get("elementFormDefault"),
        port_type=port_type.get("name"),
        soap11_bindings=tuple(binding.get("name") for binding in bindings),
        service=service.get("name"),
        ports=ports,
        operations=operations,
        types=types,
    )


@pytest.fixture
def wsdl_app(sqlite_url: str, tmp_path: Path) -> Iterator[QwcApp]:
    """The app at a public https URL (the WSDL does not depend on the database)."""
    settings = make_test_settings(sqlite_url, tmp_path / "qwc_files").with_overrides(
        public_url=PUBLIC_URL
    )
    application = create_app(settings)
    yield application
    application.engine.dispose()


def _served(app: QwcApp, host: str = "qwc.example.com") -> bytes:
    env = {**environ(method="GET", headers={}), "QUERY_STRING": "wsdl", "HTTP_HOST": host}
    reply = call(app, env)
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/xml; charset=utf-8"
    assert int(reply.headers["content-length"]) == len(reply.body)
    return reply.body


@pytest.fixture
def ours(wsdl_app: QwcApp) -> Description:
    """The served WSDL, read."""
    return _describe(_served(wsdl_app))


@pytest.fixture
def intuits(reference: Path) -> Description:
    """Intuit's WSDL, read."""
    return _describe((reference / INTUIT_WSDL).read_bytes())


def test_every_operation_is_described_as_intuit_describes_it(
    ours: Description, intuits: Description
) -> None:
    """Operation by operation: soapAction, style, messages, parts, elements and their fields."""
    assert list(ours.operations) == list(intuits.operations)
    for name, shape in intuits.operations.items():
        assert ours.operations[name] == shape, name
        assert shape.soap_action == f"http://developer.intuit.com/{name}"
    assert ours.types == intuits.types


def test_names_and_namespace_are_intuits(ours: Description, intuits: Description) -> None:
    """portType, SOAP 1.1 binding, service and port names, namespace and element form match."""
    assert ours.namespace == intuits.namespace == "http://developer.intuit.com/"
    assert ours.element_form == intuits.element_form == "qualified"
    assert ours.port_type == intuits.port_type
    assert ours.soap11_bindings == intuits.soap11_bindings
    assert ours.service == intuits.service
    assert [port[:2] for port in ours.ports] == [port[:2] for port in intuits.ports]


def test_only_the_soap11_binding_is_described(wsdl_app: QwcApp) -> None:
    """The server speaks SOAP 1.1 only, so no SOAP 1.2 binding or port invites other calls."""
    root = etree.fromstring(_served(wsdl_app))
    assert len(root.findall(f"{{{WSDL}}}binding")) == 1
    assert len(root.findall(f"{{{WSDL}}}service/{{{WSDL}}}port")) == 1


def test_the_port_is_the_public_url_whatever_host_asked(wsdl_app: QwcApp) -> None:
    """The address is QWC_PUBLIC_URL/qbwc; a request's Host header never reaches the document."""
    first = _served(wsdl_app, host="attacker.example")
    assert _served(wsdl_app) == first
    (port,) = _describe(first).ports
    assert port[2] == f"{PUBLIC_URL}/qbwc" == wsdl_app.settings.soap_url
    assert b"attacker.example" not in first


class _OnlyServerVersion(ServiceBase):
    @rpc(_returns=Unicode)
    def serverVersion(ctx: Any) -> str:
        return ""


def test_a_service_without_an_intuit_operation_is_refused_at_start_up() -> None:
    """The document is never served short of an operation Intuit describes."""
    application = Application(
        [_OnlyServerVersion], tns=NAMESPACE, in_protocol=Soap11(), out_protocol=Soap11()
    )
    with pytest.raises(LookupError, match="authenticate"):
        wsdl_document(application, f"{PUBLIC_URL}/qbwc")
