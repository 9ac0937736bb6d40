"""Content for a generated record, read off the registry's element tree of its ``…Ret``.

Every required element is there, optional ones often enough that a sync meets them, values
have the element's type, enumerations come from the schema and text fits its maxLength.
Elements keep the schema's order, and each choice gets one alternative
(:mod:`.choices`). A ``…Ref`` names a record of the company when one exists; an
aggregate naming a transaction (``LinkedTxn``, ``AppliedToTxnRet``) names one of the
company's transactions of a type it allows. Everything comes from the random generator
passed in, so a seed gives the same record every time.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from qwc_service.qbxml.objects.specs import ElementSpec, RetSpec, ValueType
from qwc_service.simulator.quickbooks.choices import pick_alternatives
from qwc_service.simulator.quickbooks.documents import x_group, x_leaf, x_ref
from qwc_service.simulator.quickbooks.names import (
    CITIES,
    MEMOS,
    PLACES,
    STREET_KINDS,
    STREETS,
    TRADES,
    ascii_slug,
    person_name,
    random_phone,
)
from qwc_service.simulator.quickbooks.objects import CUSTOM_FIELDS, DYNAMIC, line_tags, ref_targets
from qwc_service.simulator.quickbooks.records import (
    format_amount,
    format_datetime,
    format_price,
    format_quantity,
    make_txn_id,
)

__all__ = ["ENTITY_REFS", "Filler", "Sources"]

# Refs that say whose record it is: what an EntityFilter matches.
ENTITY_REFS = ("CustomerRef", "VendorRef", "PayeeEntityRef", "EntityRef")
# Optional elements a record always has when their parent is there.
_ALWAYS = frozenset(
    {
        "Name", "FullName", "IsActive", "Sublevel", "TxnNumber", "TxnDate", "RefNumber",
        "ItemRef", "AccountRef", "Amount", "TotalAmount", "Quantity", "TxnLineID", "Initial",
        "AccountType", "TxnID", "TxnType", "Desc",
    }
)  # fmt: skip
# Top-level refs a record of that kind always has: made when the company has none yet.
_TOP_REFS = frozenset(
    {
        *ENTITY_REFS, "VehicleRef", "ItemServiceRef", "ItemInventoryAssemblyRef",
        "TransferFromAccountRef", "TransferToAccountRef", "BankAccountRef",
        "CreditCardAccountRef", "DepositToAccountRef", "SalesRepEntityRef",
    }
)  # fmt: skip
# Never generated: hierarchy (generated lists are flat), custom fields inside lines (a
# record's own custom fields are added separately) and links to single lines.
_SKIPPED = frozenset({"ParentRef", "ParentSiteRef", "DataExt", CUSTOM_FIELDS, "TxnLineDetail"})
_WORD = re.compile(r"[A-Z][a-z]+|[A-Z]+(?![a-z])|\d+")
_CURRENCY_CODES = ("CAD", "EUR", "GBP", "MXN", "JPY", "CHF", "AUD")


class _Named(Protocol):
    @property
    def list_id(self) -> str: ...
    @property
    def full_name(self) -> str: ...


class _Txn(Protocol):
    @property
    def txn_id(self) -> str: ...
    @property
    def txn_date(self) -> date | None: ...
    @property
    def ref_number(self) -> str | None: ...


class Sources(Protocol):
    """What a generated record may name, from the company it is made in."""

    def pick_ref(self, targets: Sequence[str], rng: random.Random) -> _Named | None:
        """A record of one of the ``targets`` objects, if the company has any."""
        ...

    def pick_txn(self, types: Sequence[str], rng: random.Random) -> tuple[str, _Txn] | None:
        """``(object name, record)`` of a transaction of one of the ``types`` named."""
        ...

    def ensure_one(self, targets: Sequence[str], at: datetime) -> None:
        """Make a record of one of ``targets`` when there is none."""
        ...

    def new_line_id(self, at: datetime) -> str:
        """A new TxnLineID."""
        ...


class Filler:
    """Generates the parts of one record at time ``at``; ``fixed`` gives some top-level values
    (Name, TxnDate, RefNumber…) instead of generating them."""

    def __init__(
        self,
        company: Sources,
        rng: random.Random,
        at: datetime,
        fixed: Mapping[str, str],
    ) -> None:
        self.company = company
        self.rng = rng
        self.at = at
        self.fixed = fixed
        self.entity_id: str | None = None

    # ----------------------------------------------------------------- the Ret
    def ret_parts(self, ret: RetSpec) -> list[tuple[str, str]]:
        """``(tag, xml)`` for every top-level element of ``ret`` the record has, in order."""
        picked = pick_alternatives(ret.element, _names(ret.elements), self.rng)
        lines = line_tags(ret.element)
        first_lines = {c.elements[0] for c in ret.collections}
        parts: list[tuple[str, str]] = []
        for element in ret.elements:
            name = element.name
            leader = picked.leaders.get(name)
            if name in DYNAMIC or name == CUSTOM_FIELDS:
                parts.append((name, ""))
            elif name in picked.dropped or (leader and all(tag != leader for tag, _ in parts)):
                continue
            elif name in self.fixed:
                parts.append((name, x_leaf(name, self.fixed[name])))
            elif name in lines:
                count = self.rng.randint(1, 3) if name in first_lines else self._maybe(0.3)
                parts += [(name, xml) for xml in self._repeat(element, count)]
            elif element.repeats:
                parts += [(name, xml) for xml in self._repeat(element, self._maybe(0.3))]
            elif self._wanted(element, top=True, forced=name in picked.forced):
                xml = self._element(element, top=True)
                if xml:
                    parts.append((name, xml))
        return parts

    def _maybe(self, chance: float) -> int:
        return 1 if self.rng.random() < chance else 0

    def _wanted(self, element: ElementSpec, *, top: bool, forced: bool = False) -> bool:
        if element.min_occurs > 0 or forced or element.name in _ALWAYS:
            return True
        if top and element.name in _TOP_REFS:
            return True
        if element.name in _SKIPPED:
            return False
        chance = 0.5 if element.type is ValueType.AGGREGATE else 0.65
        return self.rng.random() < chance

    def _repeat(self, element: ElementSpec, count: int) -> list[str]:
        count = max(count, element.min_occurs)
        if element.max_occurs is not None:
            count = min(count, element.max_occurs)
        found = (self._element(element, top=False) for _ in range(count))
        return [xml for xml in found if xml]

    # ----------------------------------------------------------------- one element
    def _element(self, element: ElementSpec, *, top: bool) -> str | None:
        if element.name in _SKIPPED:
            return None
        if element.type is ValueType.REF:
            return self._ref(element, top=top)
        if element.type is ValueType.AGGREGATE:
            return self._aggregate(element)
        return x_leaf(element.name, self._leaf(element))

    def _aggregate(
        self, element: ElementSpec, fixed: Mapping[str, str] | None = None
    ) -> str | None:
        names = _names(element.children)
        if fixed is None and "TxnID" in names and "TxnType" in names:
            return self._txn_link(element)
        fixed = fixed or {}
        picked = pick_alternatives(element.name, names, self.rng)
        forced = picked.forced
        inner: list[str] = []
        made: set[str] = set()
        for child in element.children:
            leader = picked.leaders.get(child.name)
            if child.name in picked.dropped or (leader and leader not in made):
                continue
            if child.name in fixed:
                inner.append(x_leaf(child.name, fixed[child.name]))
                continue
            if child.repeats:
                wanted = child.min_occurs or self._maybe(0.4) + self._maybe(0.2)
                found = self._repeat(child, wanted)
            elif self._wanted(child, top=False, forced=child.name in forced):
                xml = self._element(child, top=False)
                found = [xml] if xml else []
            else:
                continue
            if not found and (child.min_occurs > 0 or child.name in forced):
                return None  # a required child cannot be made: leave the parent out
            if found:
                made.add(child.name)
            inner += found
        return x_group(element.name, *inner) or None

    def _txn_link(self, element: ElementSpec) -> str | None:
        """An aggregate naming a transaction: one of the company's, of a type it allows."""
        found = self.company.pick_txn(element.child("TxnType").values, self.rng)
        if found is None:
            return None
        object_name, txn = found
        day = txn.txn_date or self.at.date()
        fixed = {"TxnID": txn.txn_id, "TxnType": object_name, "TxnDate": day.isoformat()}
        if txn.ref_number is not None:
            fixed["RefNumber"] = txn.ref_number[: _limit(element, "RefNumber")]
        return self._aggregate(element, fixed)

    def _ref(self, element: ElementSpec, *, top: bool) -> str | None:
        targets = ref_targets(element.name)
        if not targets:
            return None
        record = self.company.pick_ref(targets, self.rng)
        if record is None and top and (element.min_occurs > 0 or element.name in _TOP_REFS):
            self.company.ensure_one(targets, self.at)
            record = self.company.pick_ref(targets, self.rng)
        if record is None:
            return None
        if top and element.name in ENTITY_REFS and self.entity_id is None:
            self.entity_id = record.list_id
        full_name = record.full_name[: _limit(element, "FullName")]
        return x_ref(element.name, record.list_id, full_name)

    # ----------------------------------------------------------------- leaves
    def _leaf(self, element: ElementSpec) -> str:
        rng = self.rng
        kind = element.type
        if kind is ValueType.ENUM:
            return rng.choice(element.values)
        if kind is ValueType.TEXT:
            text = self._text(element.name) or "x"
            return text[: element.max_length] if element.max_length else text
        if kind is ValueType.ID:
            if element.name == "TxnLineID":
                return self.company.new_line_id(self.at)
            return make_txn_id(rng.randint(1, 0xFFFF), self.at)
        if kind is ValueType.AMOUNT:
            return format_amount(Decimal(rng.randint(100, 250000)) / 100)
        if kind is ValueType.PRICE:
            return format_price(Decimal(rng.randint(100, 50000)) / 100)
        if kind is ValueType.QUANTITY:
            return str(rng.randint(1, 24))
        if kind is ValueType.PERCENT:
            return format_quantity(Decimal(rng.randint(0, 2500)) / 100)
        if kind is ValueType.FLOAT:
            return format_quantity(Decimal(rng.randint(50, 150)) / 100)
        if kind is ValueType.INT:
            return _integer(element.name, rng)
        if kind is ValueType.BOOLEAN:
            return "true" if rng.random() < 0.3 else "false"
        if kind is ValueType.DATE:
            offset = 30 if element.name.endswith("DueDate") else -rng.randint(0, 60)
            return (self.at.date() + timedelta(days=offset)).isoformat()
        if kind is ValueType.DATETIME:
            return format_datetime(self.at)
        if kind is ValueType.DURATION:
            return f"PT{rng.randint(0, 8)}H{rng.choice((0, 15, 30, 45))}M0S"
        if kind is ValueType.GUID:
            if element.name == "OwnerID":
                return "0"
            hexes = f"{rng.getrandbits(128):032X}"
            return f"{{{hexes[:8]}-{hexes[8:12]}-{hexes[12:16]}-{hexes[16:20]}-{hexes[20:]}}}"
        raise ValueError(f"{element.name} is not a leaf")

    def _text(self, name: str) -> str:
        """Text that reads like what QuickBooks would hold in an element called ``name``."""
        rng = self.rng
        if name == "Addr1":
            return f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
        if name.startswith("Addr"):
            return f"Suite {rng.randint(1, 40) * 10}"
        if name in ("City", "State", "PostalCode"):
            city, state, postal = rng.choice(CITIES)
            return {"City": city, "State": state, "PostalCode": postal}[name]
        if name == "Country":
            return "US"
        if name in ("Phone", "AltPhone", "Fax", "Mobile", "Pager"):
            return random_phone(rng)
        if name in ("Email", "Cc"):
            first, last = person_name(rng)
            return f"{ascii_slug(first)}.{ascii_slug(last)}@example.com"
        if name == "CompanyName":
            return f"{rng.choice(PLACES)} {rng.choice(TRADES)}"
        if name in ("FirstName", "LastName", "Contact", "AltContact", "PrintAs", "Name"):
            first, last = person_name(rng)
            return {"FirstName": first, "LastName": last}.get(name, f"{first} {last}")
        if name == "MiddleName":
            return f"{rng.choice('ABCDEJKLMRST')}."
        if name in ("Memo", "Notes", "Desc", "ItemDesc", "SalesDesc", "PurchaseDesc", "Note"):
            return rng.choice(MEMOS)
        if name == "CurrencyCode":
            return rng.choice(_CURRENCY_CODES)
        if name in ("AccountNumber", "BankNumber", "BarCodeValue", "RefNumber", "CheckNumber"):
            return str(rng.randint(1000, 99999999))
        if name in ("UnitOfMeasure", "Unit", "Abbreviation"):
            return rng.choice(("ea", "hr", "lb", "ft", "box"))
        # Otherwise the element's own words and a number: "Resale Number 17".
        words = " ".join(_WORD.findall(name)) or name
        return f"{words} {rng.randint(1, 99)}"


_NAMES: dict[int, tuple[tuple[ElementSpec, ...], tuple[str, ...]]] = {}


def _names(elements: tuple[ElementSpec, ...]) -> tuple[str, ...]:
    """The names of a tuple of the registry's elements, worked out once per tuple."""
    # Keyed by identity: hashing a frozen element tree would cost more than the names.
    found = _NAMES.get(id(elements))
    if found is None or found[0] is not elements:
        found = _NAMES[id(elements)] = (elements, tuple(e.name for e in elements))
    return found[1]


def _integer(name: str, rng: random.Random) -> str:
    # The registry carries no numeric bounds; these are the schema's few (months, days).
    if name == "Sublevel":
        return "0"
    if name.endswith("Month"):
        return str(rng.randint(1, 12))
    if "DayOfMonth" in name:
        return str(rng.randint(1, 28))
    if name.endswith("Year"):
        return str(rng.randint(2015, 2020))
    return str(rng.randint(1, 100))


def _limit(element: ElementSpec, child: str) -> int | None:
    try:
        return element.child(child).max_length
    except KeyError:
        return None
