"""QuickBooks' message-set error recovery: ``newMessageSetID`` and ``oldMessageSetID``.

What Intuit documents (notes ``qbxml-error-recovery.md`` §2 to §6), as the fake carries it out:

* A set carrying ``newMessageSetID`` is run and its response stored under that ID, for the
  application that sent it, together with a checksum of its requests. Sent again under the
  same ID it is not run again: the stored response comes back. The same ID with other
  content answers 9001 and runs nothing; an ID over 23 characters answers 9004.
* ``oldMessageSetID`` = ``newMessageSetID`` and no requests is the status check: the stored
  response of that set with ``messageSetStatusCode`` 0, or 9002 (no stored response) when
  QuickBooks holds no record of it.
* ``oldMessageSetID`` alone clears the record: the cleared response with 0, or 600 ("no
  cleared state to return"). ``ClearAllMessageSets`` clears every record of the application.
* The response set carries ``newMessageSetID`` and ``messageSetStatusCode`` only when the
  request set carried a recovery attribute.

Intuit leaves open what an application is, how many records it keeps, and whether a stored
response holds the ``…Ret`` data; each is a setting here (:class:`RecoveryOptions`), with
the strictest reading as the default: one record per AppName, and Rets kept.
"""

from __future__ import annotations

import enum
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from qwc_service.simulator.quickbooks.documents import El, RequestSet, render_fragment

__all__ = [
    "CLEAR_ALL",
    "ID_MAX",
    "MessageSetAnswer",
    "MessageSets",
    "RecoveryOptions",
    "RecoveryScope",
    "SetStatus",
]

CLEAR_ALL = "ClearAllMessageSets"
#: Intuit's attribute table: both IDs are at most 23 characters.
ID_MAX = 23


class SetStatus(enum.IntEnum):
    """``messageSetStatusCode`` values (Intuit's QBFC sample and status-code table)."""

    OK = 0
    NO_CLEARED_STATE = 600
    INVALID_CHECKSUM = 9001
    NO_STORED_RESPONSE = 9002
    ID_TOO_LONG = 9004


class RecoveryScope(enum.StrEnum):
    """Whose records a message-set ID is looked up among (unverified, so a setting)."""

    APP_NAME = "app_name"  # each .qwc's AppName is its own application (the default)
    OWNER_ID = "owner_id"  # every .qwc sharing an OwnerID is one application
    COMPANY = "company"  # one set of records for the whole company file


@dataclass(frozen=True)
class RecoveryOptions:
    """How the fake QuickBooks keeps recovery records.

    ``capacity`` is how many records one application keeps (a new one evicts the oldest);
    ``keep_rets`` False stores only each ``…Rs``'s status, without its ``…Ret``.
    """

    scope: RecoveryScope = RecoveryScope.APP_NAME
    capacity: int = 1
    keep_rets: bool = True

    def __post_init__(self) -> None:
        if self.capacity < 1:
            raise ValueError("an application keeps at least one recovery record")


@dataclass(frozen=True)
class Application:
    """The application a session runs for, as the .qwc names it."""

    app_name: str = ""
    owner_id: str = ""


@dataclass(frozen=True)
class StoredSet:
    """One recovery record: the checksum of the requests and the responses, rendered."""

    checksum: str
    responses: tuple[str, ...]


@dataclass(frozen=True)
class MessageSetAnswer:
    """The ``*Rs`` elements of a response set and the attributes of ``QBXMLMsgsRs``."""

    responses: list[El]
    attrs: list[tuple[str, str]]


def checksum(requests: list[etree._Element]) -> str:
    """A digest of the requests' content (canonical XML), as QuickBooks keeps one per set."""
    digest = hashlib.sha256()
    for rq in requests:
        digest.update(etree.tostring(rq, method="c14n"))
    return digest.hexdigest()


class MessageSets:
    """The recovery records of one company file."""

    def __init__(self, options: RecoveryOptions | None = None) -> None:
        self.options = options or RecoveryOptions()
        self._records: dict[str, OrderedDict[str, StoredSet]] = {}

    def _key(self, app: Application) -> str:
        scope = self.options.scope
        if scope is RecoveryScope.COMPANY:
            return ""
        if scope is RecoveryScope.OWNER_ID:
            return app.owner_id.upper()
        return app.app_name.casefold()

    def stored_ids(self, app: Application) -> list[str]:
        """The message-set IDs QuickBooks holds a record of for ``app``, oldest first."""
        return list(self._records.get(self._key(app), {}))

    def forget(self, app: Application | None = None) -> None:
        """Lose the records of one application, or of all (QuickBooks restarted)."""
        if app is None:
            self._records.clear()
        else:
            self._records.pop(self._key(app), None)

    def answer(
        self, app: Application, request_set: RequestSet, run: Callable[[], list[El]]
    ) -> MessageSetAnswer:
        """Answer a request set, running it through ``run`` only when recovery allows."""
        old, new = request_set.old_message_set_id, request_set.new_message_set_id
        if old is None and new is None:
            return MessageSetAnswer(run(), [])
        records = self._records.setdefault(self._key(app), OrderedDict())
        if any(len(i) > ID_MAX for i in (old, new) if i is not None and i != CLEAR_ALL):
            return _answer([], new, SetStatus.ID_TOO_LONG)
        if old is not None and not request_set.requests:
            if old == new:  # the status check
                found = records.get(old)
                if found is None:
                    return _answer([], new, SetStatus.NO_STORED_RESPONSE)
                return _answer(_replay(found), new, SetStatus.OK)
            if new is None:  # clear one record, or all of them
                if old == CLEAR_ALL:
                    records.clear()
                    return _answer([], None, SetStatus.OK)
                cleared = records.pop(old, None)
                if cleared is None:
                    return _answer([], None, SetStatus.NO_CLEARED_STATE)
                return _answer(_replay(cleared), None, SetStatus.OK)
        if old is not None and old != new:
            # Naming an earlier set next to a new one releases the earlier record.
            if old == CLEAR_ALL:
                records.clear()
            else:
                records.pop(old, None)
        if new is None:
            return _answer(run(), None, SetStatus.OK)
        digest = checksum(request_set.requests)
        found = records.get(new)
        if found is not None:
            if found.checksum != digest:
                return _answer([], new, SetStatus.INVALID_CHECKSUM)
            return _answer(_replay(found), new, SetStatus.OK)
        responses = run()
        self._store(records, new, StoredSet(digest, self._rendered(responses)))
        return _answer(responses, new, SetStatus.OK)

    def _store(self, records: OrderedDict[str, StoredSet], set_id: str, stored: StoredSet) -> None:
        while len(records) >= self.options.capacity:
            records.popitem(last=False)
        records[set_id] = stored

    def _rendered(self, responses: list[El]) -> tuple[str, ...]:
        if self.options.keep_rets:
            return tuple(render_fragment(rs) for rs in responses)
        return tuple(render_fragment(El(rs.tag, attrs=rs.attrs)) for rs in responses)


def _replay(stored: StoredSet) -> list[El]:
    return [El("", xml=xml) for xml in stored.responses]


def _answer(responses: list[El], new: str | None, status: SetStatus) -> MessageSetAnswer:
    attrs = [] if new is None else [("newMessageSetID", new)]
    attrs.append(("messageSetStatusCode", str(int(status))))
    return MessageSetAnswer(responses, attrs)
