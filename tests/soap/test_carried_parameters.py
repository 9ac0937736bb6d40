"""The carried parameters: declared once, each a string parameter of its operation, none lost."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from lxml import etree
from spyne import Unicode

from qwc_service.app import QwcApp
from qwc_service.qbwc.exchange import WebConnectorExchange
from qwc_service.soap.application import build_soap_app
from qwc_service.soap.guard import CARRY_ABOVE_CHARS, contract_of, guard_soap
from qwc_service.soap.parameters import CARRIED_KEY, CARRIED_PARAMETERS, carried_parameters
from qwc_service.soap.service import QBWebConnectorSvc
from tests.soap_client import SoapClient

WSDL = "http://schemas.xmlsoap.org/wsdl/"
XS = "http://www.w3.org/2001/XMLSchema"
# serverVersion takes no arguments and interactive mode is not offered: these call nothing.
PASS_NOTHING = frozenset(
    {
        "serverVersion",
        "getInteractiveURL",
        "interactiveDone",
        "isInteractiveDone",
        "interactiveRejected",
    }
)


class _Recording:
    """The real exchange, noting the arguments of every call the SOAP service makes."""

    def __init__(self, exchange: WebConnectorExchange) -> None:
        self._exchange = exchange
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._exchange, name)

        def record(*args: Any) -> Any:
            self.calls.append((name, args))
            return method(*args)

        return record


def _wsdl_parameters(client: SoapClient) -> dict[str, dict[str, str]]:
    """Each operation's parameters and their XML Schema types, read from the served WSDL."""
    reply = client.transport.get("http://localhost/qbwc?wsdl")
    assert reply.status == 200
    root = etree.fromstring(reply.body)
    operations = {op.get("name") for op in root.iterfind(f"{{{WSDL}}}portType/{{{WSDL}}}operation")}
    elements = {
        e.get("name"): e for e in root.iterfind(f"{{{WSDL}}}types/{{{XS}}}schema/{{{XS}}}element")
    }
    fields = f"{{{XS}}}complexType/{{{XS}}}sequence/{{{XS}}}element"
    return {
        name: {e.get("name"): _clark(e, e.get("type")) for e in elements[name].iterfind(fields)}
        for name in operations
    }


def _clark(element: Any, qname: str) -> str:
    """A QName attribute value as {namespace}name, whatever prefix the document chose."""
    prefix, _, local = qname.rpartition(":")
    return f"{{{element.nsmap[prefix or None]}}}{local}"


def _spyne_parameters() -> dict[str, dict[str, Any]]:
    """Each operation's parameters and their Spyne types, from the service definitions."""
    return {
        d.in_message.get_type_name(): dict(d.in_message._type_info)
        for d in QBWebConnectorSvc.public_methods.values()
    }


def test_every_carried_parameter_is_a_string_parameter_of_its_operation(app: QwcApp) -> None:
    """Each declared (operation, parameter) is in the served WSDL and the service as a string."""
    wsdl = _wsdl_parameters(SoapClient(app))
    spyne = _spyne_parameters()
    assert CARRIED_PARAMETERS
    for operation, names in CARRIED_PARAMETERS.items():
        assert names, operation
        for name in names:
            assert wsdl[operation][name] == f"{{{XS}}}string", (operation, name)
            assert issubclass(spyne[operation][name], Unicode), (operation, name)


def _large(operation: str, name: str) -> str:
    # Markup and non-ASCII text: what is carried must come back exactly as sent.
    return f"{operation}.{name}: Zoë & <Søn> " + "x" * CARRY_ABOVE_CHARS


def _arguments(operation: str, types: dict[str, Any]) -> list[str | int]:
    return [
        _large(operation, name) if issubclass(kind, Unicode) else 13 for name, kind in types.items()
    ]


def _flatten(calls: Iterable[tuple[str, tuple[Any, ...]]]) -> list[Any]:
    return [value for _, args in calls for value in args]


def test_every_string_argument_reaches_the_exchange_whole(app: QwcApp) -> None:
    """Large arguments of every operation arrive whole: exactly the declared ones are carried."""
    recording = _Recording(app.exchange)
    soap_app = build_soap_app(cast(WebConnectorExchange, recording), app.settings.soap_url)
    carried_by_call: list[set[str]] = []

    def noting_carried(environ: dict[str, Any], start_response: Any) -> Any:
        carried_by_call.append(set(environ.get(CARRIED_KEY) or {}))
        return soap_app(environ, start_response)

    client = SoapClient(
        guard_soap(
            noting_carried,
            max_body_bytes=app.settings.max_body_bytes,
            contract=contract_of(soap_app),
        )
    )
    for operation, types in _spyne_parameters().items():
        recording.calls.clear()
        arguments = _arguments(operation, types)
        client.call(operation, *arguments)
        assert carried_by_call[-1] == carried_parameters(operation), operation
        received = _flatten(recording.calls)
        assert bool(received) == (operation not in PASS_NOTHING), operation
        if operation in PASS_NOTHING:
            assert not carried_parameters(operation)
            continue
        for value in arguments:
            if isinstance(value, str):
                assert value in received, (operation, value[:40])
