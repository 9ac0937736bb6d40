"""The SOAP parameters that may be too large to parse twice, declared once.

QuickBooks' answer in receiveResponseXML can be 50 MB or more, and the messages beside it
are free text of any length. The guard takes such arguments out of the envelope it hands
the SOAP stack and passes them beside it; the service puts them back before a method runs.
Both read this table, so no parameter can be carried without being put back.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Final

#: The environ key under which the guard hands carried arguments to the service.
CARRIED_KEY: Final = "qwc.carried_arguments"

#: Operation name -> the names of its parameters that may be carried.
CARRIED_PARAMETERS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        "sendRequestXML": frozenset({"strHCPResponse"}),
        "receiveResponseXML": frozenset({"response", "message"}),
        "connectionError": frozenset({"message"}),
    }
)


def carried_parameters(operation: str) -> frozenset[str]:
    """The parameters of ``operation`` that may be carried (none for most operations)."""
    return CARRIED_PARAMETERS.get(operation, frozenset())


def carried_arguments(environ: Mapping[str, Any]) -> Mapping[str, str]:
    """The arguments the guard carried for this request, by parameter name."""
    carried: Mapping[str, str] = environ.get(CARRIED_KEY) or {}
    return carried
