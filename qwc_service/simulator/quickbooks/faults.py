"""Faults a test asks the fake QuickBooks and the simulated Web Connector to make.

* **Lost answers** (:meth:`Faults.lose`): the answer to a request set never reaches the server,
  after QuickBooks applied it or before QuickBooks saw it. The Web Connector simulator carries
  them out (``connector.WebConnector``); see :class:`Loss` for what each looks like on the wire.
* **Refusals** (:meth:`Faults.refuse`): a write answers 3170, 3175 or 3180 (record in use or
  locked by another user) and changes nothing, a given number of times.
* **Features switched off** (:meth:`Faults.disable`): a request answers 3250.

A rule names the request it targets (``"DepositAdd"``; None means any write: an Add, Mod,
Del or Void; :data:`EMPTY_SET` a set without requests, such as the message-set status check)
and which of the matching request sets it hits: the ``nth`` one counted from when the rule
was made, and ``times`` sets in a row from there.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from qwc_service.simulator.quickbooks.status import Status, feature_disabled, record_locked

__all__ = ["EMPTY_SET", "Faults", "Loss", "is_write", "request_names"]

#: What a rule names to target request sets without requests (the status check, a clear).
EMPTY_SET = "(no requests)"

_REQUEST_TAG = re.compile(r"<([A-Za-z0-9]+)Rq[\s/>]")
_WRITE_SUFFIXES = ("Add", "Mod", "Del", "Void")


class Loss(enum.StrEnum):
    """How the answer to a request set goes missing."""

    #: QuickBooks applies the set; the connection drops before receiveResponseXML reaches the
    #: server (QBWC1042). The server has handed the set out and never hears back.
    AFTER_DROPPED = "after_dropped"
    #: QuickBooks applies the set, then its request processor fails while answering: the Web
    #: Connector sends receiveResponseXML with no response and HRESULT 0x80040402.
    AFTER_ERROR = "after_error"
    #: QuickBooks never sees the set: the sendRequestXML reply is lost on the way back to
    #: the Web Connector (QBWC1041). To the server this looks like AFTER_DROPPED.
    BEFORE_DROPPED = "before_dropped"
    #: QuickBooks never sees the set: the Web Connector cannot reach it and sends
    #: receiveResponseXML with no response and HRESULT 0x80040401.
    BEFORE_ERROR = "before_error"
    #: QuickBooks parses nothing and applies nothing: HRESULT 0x80040400.
    PARSE_ERROR = "parse_error"

    @property
    def applied(self) -> bool:
        """Whether QuickBooks applied the set before the answer was lost."""
        return self in (Loss.AFTER_DROPPED, Loss.AFTER_ERROR)

    @property
    def dropped(self) -> bool:
        """Whether the session ends without receiveResponseXML."""
        return self in (Loss.AFTER_DROPPED, Loss.BEFORE_DROPPED)


def request_names(request_xml: str) -> list[str]:
    """The request names of a set, without ``Rq`` (``["ReceivePaymentAdd"]``)."""
    return [name for name in _REQUEST_TAG.findall(request_xml) if name != "QBXMLMsgs"]


def is_write(name: str) -> bool:
    """Whether a request (``…Add``, ``…Mod``, ``…Del``, ``TxnVoid``) changes the company."""
    return name.endswith(_WRITE_SUFFIXES)


@dataclass
class _Rule:
    request: str | None
    nth: int
    times: int
    seen: int = 0

    def __post_init__(self) -> None:
        if self.nth < 1 or self.times < 1:
            raise ValueError("nth and times count from 1")
        if self.request is not None:
            self.request = self.request.removesuffix("Rq")

    def matches(self, names: list[str]) -> bool:
        if self.request is None:
            return any(is_write(name) for name in names)
        if self.request == EMPTY_SET:
            return not names
        return self.request in names

    def hit(self, names: list[str]) -> bool:
        """Count a matching set; True when this one is among those the rule targets."""
        if not self.matches(names):
            return False
        self.seen += 1
        return self.nth <= self.seen < self.nth + self.times

    @property
    def spent(self) -> bool:
        return self.seen >= self.nth + self.times - 1


class Faults:
    """The faults armed on one fake QuickBooks; each rule fires on its targets, then ends."""

    def __init__(self) -> None:
        self._losses: list[tuple[_Rule, Loss]] = []
        self._refusals: list[tuple[_Rule, int]] = []
        self._disabled: set[str] = set()
        #: Every loss carried out: ``(request names, loss)``, in order.
        self.lost: list[tuple[tuple[str, ...], Loss]] = []

    def lose(
        self, loss: Loss | str, *, request: str | None = None, nth: int = 1, times: int = 1
    ) -> None:
        """Lose the answer to the ``nth`` request set (and ``times - 1`` more) carrying
        ``request`` (any write when None)."""
        self._losses.append((_Rule(request, nth, times), Loss(loss)))

    def refuse(
        self, code: int = 3180, *, request: str | None = None, nth: int = 1, times: int = 1
    ) -> None:
        """Answer ``code`` (3170, 3175 or 3180: in use or locked) to matching writes."""
        if code not in (3170, 3175, 3180):
            raise ValueError("a record in use or locked is 3170, 3175 or 3180")
        self._refusals.append((_Rule(request, nth, times), code))

    def disable(self, request: str) -> None:
        """Answer 3250 (feature not enabled) to every ``request`` from now on."""
        self._disabled.add(request.removesuffix("Rq"))

    def enable(self, request: str) -> None:
        """Undo :meth:`disable`."""
        self._disabled.discard(request.removesuffix("Rq"))

    def clear(self) -> None:
        """Disarm everything."""
        self._losses.clear()
        self._refusals.clear()
        self._disabled.clear()

    # -- what the simulator asks -------------------------------------------------------------
    def loss_for(self, request_xml: str) -> Loss | None:
        """The loss this request set meets, if any (counts the set against every rule)."""
        names = request_names(request_xml)
        found: Loss | None = None
        for rule, loss in self._losses:
            if rule.hit(names) and found is None:
                found = loss
        self._losses = [(r, x) for r, x in self._losses if not r.spent]
        if found is not None:
            self.lost.append((tuple(names), found))
        return found

    def refusal_for(self, name: str) -> Status | None:
        """The status a write request meets instead of being carried out, if any."""
        if name in self._disabled:
            return feature_disabled(name)
        found: Status | None = None
        for rule, code in self._refusals:
            if rule.hit([name]) and found is None:
                found = record_locked(code, name)
        self._refusals = [(r, c) for r, c in self._refusals if not r.spent]
        return found
