"""What a request handler works with: the company, the session's iterators, and its answer."""

from __future__ import annotations

import random
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.documents import El
from qwc_service.simulator.quickbooks.status import OK, Status


@dataclass
class Response:
    """One ``*Rs``: status, the records it returns, and iterator attributes when iterating."""

    tag: str
    status: Status = OK
    children: list[El] = field(default_factory=list)
    iterator_remaining: int | None = None
    iterator_id: str | None = None

    def to_el(self, request_id: str | None, *, include_data: bool = True) -> El:
        """The ``*Rs`` element, attributes in the order QuickBooks writes them."""
        attrs = [] if request_id is None else [("requestID", request_id)]
        attrs += [
            ("statusCode", str(self.status.code)),
            ("statusSeverity", self.status.severity),
            ("statusMessage", self.status.message),
        ]
        if self.iterator_remaining is not None:
            attrs.append(("iteratorRemainingCount", str(self.iterator_remaining)))
        if self.iterator_id is not None:
            attrs.append(("iteratorID", self.iterator_id))
        return El(self.tag, children=self.children if include_data else [], attrs=attrs)


@dataclass
class QueryIterator:
    """A query's matching IDs, snapshotted at ``iterator="Start"``, and how far it has got."""

    iterator_id: str
    rq_tag: str
    ids: list[str]
    position: int = 0

    @property
    def remaining(self) -> int:
        """IDs not handed out yet."""
        return len(self.ids) - self.position

    def take(self, count: int) -> list[str]:
        """The next ``count`` IDs."""
        page = self.ids[self.position : self.position + count]
        self.position += len(page)
        return page


class IteratorStore:
    """The open iterators of one QuickBooks session.

    When more than ``limit`` are open the oldest is dropped, so continuing it later answers
    3391, the same as an iterator that expired.
    """

    def __init__(self, limit: int, seed: str) -> None:
        if limit < 1:
            raise ValueError("at least one iterator must be allowed")
        self._limit = limit
        # Seeded, so a scripted run hands out the same iteratorIDs every time.
        self._rng = random.Random(seed)
        self._open: OrderedDict[str, QueryIterator] = OrderedDict()

    def __len__(self) -> int:
        return len(self._open)

    def start(self, rq_tag: str, ids: list[str]) -> QueryIterator:
        """Open an iterator over ``ids``."""
        while len(self._open) >= self._limit:
            self._open.popitem(last=False)
        iterator_id = "{" + str(uuid.UUID(int=self._rng.getrandbits(128), version=4)) + "}"
        opened = QueryIterator(iterator_id, rq_tag, ids)
        self._open[iterator_id] = opened
        return opened

    def get(self, iterator_id: str, rq_tag: str) -> QueryIterator | None:
        """The open iterator with this ID, if it belongs to this kind of query."""
        found = self._open.get(iterator_id)
        return found if found is not None and found.rq_tag == rq_tag else None

    def release(self, iterator_id: str) -> None:
        """Forget an iterator (on Stop, or once it has handed out everything)."""
        self._open.pop(iterator_id, None)

    def clear(self) -> None:
        """Forget every iterator (the session ended)."""
        self._open.clear()


@dataclass
class Context:
    """Everything one request handler may touch."""

    company: Company
    iterators: IteratorStore


Handler = Callable[[Context, etree._Element], Response]
