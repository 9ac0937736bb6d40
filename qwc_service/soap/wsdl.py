"""The WSDL served at ``GET /qbwc?wsdl``: the service described the way Intuit describes it.

Spyne 2.14 has no setting for what a client generated from its WSDL needs to match the Web
Connector: it sets each ``soapAction`` to the bare operation name, names each message after
its element and each part after its message, names portType, binding and service after the
application, and makes every parameter optional and nillable. A client generated from that
(.NET svcutil, SoapUI, zeep) sends a SOAPAction no Web Connector sends. So the document is
written here once, at start-up, with the shapes of Intuit's own WSDL
(``QBWebConnectorSvc.wsdl``, an ASP.NET web service) and the parameters of the operations
Spyne serves, so that the two cannot disagree:

* the operations Intuit publishes, in Intuit's order; ``soapAction`` is the namespace followed
  by the operation's name, document/literal;
* messages ``<operation>SoapIn`` and ``<operation>SoapOut``, each with the one part
  ``parameters`` holding the operation's element (request) or ``<operation>Response``;
* each element an anonymous sequence typed the way .NET's XmlSerializer types it: a string or
  an array may be left out (``minOccurs="0"``), an int may not (``minOccurs="1"``), the
  strings inside an array may be nil;
* portType and binding ``TroubleshootWebServiceFSSoap``, service ``TroubleshootWebServiceFS``,
  its one port at the server's own URL.

Intuit also publishes a SOAP 1.2 binding; this server answers a SOAP 1.2 envelope with a
VersionMismatch fault, so only the SOAP 1.1 binding is described. The interactive-mode
operations are answered (see :mod:`qwc_service.soap.service`) but, as in Intuit's WSDL, not
described.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from lxml import etree
from spyne.model.complex import Array

XSD: Final = "http://www.w3.org/2001/XMLSchema"
WSDL: Final = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP11: Final = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP_OVER_HTTP: Final = "http://schemas.xmlsoap.org/soap/http"

PORT_TYPE: Final = "TroubleshootWebServiceFSSoap"
BINDING: Final = PORT_TYPE
SERVICE: Final = "TroubleshootWebServiceFS"
PORT: Final = PORT_TYPE

#: The operations Intuit's WSDL describes, in its order.
PUBLISHED_OPERATIONS: Final = (
    "serverVersion",
    "clientVersion",
    "authenticate",
    "connectionError",
    "sendRequestXML",
    "receiveResponseXML",
    "getLastError",
    "closeConnection",
)


@dataclass(frozen=True)
class XsdType:
    """An XML Schema built-in type, and whether .NET makes it a value type (never left out)."""

    name: str
    value_type: bool


#: The Spyne primitives the service uses, by their XML Schema name. Another type fails at
#: start-up rather than being described in a way Intuit's clients would not expect.
_PRIMITIVES: Final = {
    "string": XsdType("string", value_type=False),
    "int": XsdType("int", value_type=True),
}


def _primitive(kind: Any) -> XsdType:
    name = kind.get_type_name()
    xsd_type = _PRIMITIVES.get(name) if kind.get_namespace() == XSD else None
    if xsd_type is None:
        raise TypeError(f"no WSDL description for the parameter type {name!r}")
    return xsd_type


class _Writer:
    """Builds one document; named types are written once, after their first use, as .NET does."""

    def __init__(self, namespace: str, location: str) -> None:
        self.namespace = namespace
        self.location = location
        self.root = etree.Element(
            self._wsdl("definitions"),
            nsmap={"s": XSD, "soap": WSDL_SOAP11, "tns": namespace, "wsdl": WSDL},
            targetNamespace=namespace,
        )
        types = etree.SubElement(self.root, self._wsdl("types"))
        self.schema = etree.SubElement(
            types, f"{{{XSD}}}schema", elementFormDefault="qualified", targetNamespace=namespace
        )
        self.named_types: set[str] = set()

    @staticmethod
    def _wsdl(tag: str) -> str:
        return f"{{{WSDL}}}{tag}"

    def element(self, name: str, fields: Iterable[tuple[str, Any]]) -> None:
        """A top-level element: an anonymous sequence of ``fields`` (name, Spyne type)."""
        element = etree.SubElement(self.schema, f"{{{XSD}}}element", name=name)
        complex_type = etree.SubElement(element, f"{{{XSD}}}complexType")
        pending: list[Any] = []
        fields = list(fields)
        if fields:
            sequence = etree.SubElement(complex_type, f"{{{XSD}}}sequence")
            for field_name, kind in fields:
                if issubclass(kind, Array):
                    self._field(sequence, field_name, f"tns:{kind.get_type_name()}", required=False)
                    pending.append(kind)
                else:
                    xsd_type = _primitive(kind)
                    self._field(
                        sequence, field_name, f"s:{xsd_type.name}", required=xsd_type.value_type
                    )
        for array in pending:
            self._array(array)

    @staticmethod
    def _field(
        sequence: etree._Element,
        name: str,
        type_name: str,
        *,
        required: bool,
        repeated: bool = False,
        nillable: bool = False,
    ) -> None:
        field = etree.SubElement(sequence, f"{{{XSD}}}element")
        field.set("minOccurs", "1" if required else "0")
        field.set("maxOccurs", "unbounded" if repeated else "1")
        field.set("name", name)
        if nillable:
            field.set("nillable", "true")
        field.set("type", type_name)

    def _array(self, array: Any) -> None:
        """``ArrayOfX``: any number of X, each possibly nil (strings only, as the service needs)."""
        name = array.get_type_name()
        if name in self.named_types:
            return
        self.named_types.add(name)
        ((item_name, item),) = array._type_info.items()
        xsd_type = _primitive(item)
        if xsd_type.value_type:
            raise TypeError(f"no WSDL description for an array of {xsd_type.name}")
        complex_type = etree.SubElement(self.schema, f"{{{XSD}}}complexType", name=name)
        sequence = etree.SubElement(complex_type, f"{{{XSD}}}sequence")
        self._field(
            sequence,
            item_name,
            f"s:{xsd_type.name}",
            required=False,
            repeated=True,
            nillable=True,
        )

    def messages(self, operation: str, request: str, response: str) -> None:
        for suffix, element in (("SoapIn", request), ("SoapOut", response)):
            message = etree.SubElement(self.root, self._wsdl("message"), name=operation + suffix)
            etree.SubElement(
                message, self._wsdl("part"), name="parameters", element=f"tns:{element}"
            )

    def port_type(self, operations: Iterable[str]) -> None:
        port_type = etree.SubElement(self.root, self._wsdl("portType"), name=PORT_TYPE)
        for operation in operations:
            item = etree.SubElement(port_type, self._wsdl("operation"), name=operation)
            etree.SubElement(item, self._wsdl("input"), message=f"tns:{operation}SoapIn")
            etree.SubElement(item, self._wsdl("output"), message=f"tns:{operation}SoapOut")

    def binding(self, operations: Iterable[str]) -> None:
        binding = etree.SubElement(
            self.root, self._wsdl("binding"), name=BINDING, type=f"tns:{PORT_TYPE}"
        )
        etree.SubElement(binding, f"{{{WSDL_SOAP11}}}binding", transport=SOAP_OVER_HTTP)
        for operation in operations:
            item = etree.SubElement(binding, self._wsdl("operation"), name=operation)
            etree.SubElement(
                item,
                f"{{{WSDL_SOAP11}}}operation",
                soapAction=self.namespace + operation,
                style="document",
            )
            for direction in ("input", "output"):
                body = etree.SubElement(item, self._wsdl(direction))
                etree.SubElement(body, f"{{{WSDL_SOAP11}}}body", use="literal")

    def service(self) -> None:
        service = etree.SubElement(self.root, self._wsdl("service"), name=SERVICE)
        port = etree.SubElement(service, self._wsdl("port"), name=PORT, binding=f"tns:{BINDING}")
        etree.SubElement(port, f"{{{WSDL_SOAP11}}}address", location=self.location)

    def document(self) -> bytes:
        data: bytes = etree.tostring(
            self.root, xml_declaration=True, encoding="utf-8", pretty_print=True
        )
        return data


def wsdl_document(application: Any, location: str) -> bytes:
    """The WSDL of a Spyne ``application``, its one port at ``location``.

    Raises if the application lacks one of :data:`PUBLISHED_OPERATIONS` or uses a parameter
    type this description does not know.
    """
    methods = {
        name: descriptor
        for service in application.services
        for name, descriptor in service.public_methods.items()
    }
    missing = [name for name in PUBLISHED_OPERATIONS if name not in methods]
    if missing:
        raise LookupError(f"the SOAP service lacks the operations {missing}")
    writer = _Writer(application.tns, location)
    for name in PUBLISHED_OPERATIONS:
        for message in (methods[name].in_message, methods[name].out_message):
            writer.element(message.get_type_name(), message._type_info.items())
    for name in PUBLISHED_OPERATIONS:
        request, response = methods[name].in_message, methods[name].out_message
        writer.messages(name, request.get_type_name(), response.get_type_name())
    writer.port_type(PUBLISHED_OPERATIONS)
    writer.binding(PUBLISHED_OPERATIONS)
    writer.service()
    return writer.document()
