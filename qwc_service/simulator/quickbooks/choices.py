"""The schema's choices among the elements of the ``…Ret`` aggregates.

The registry lists a Ret's elements in order, each alternative of a choice as an optional
element, so it cannot say that ``Rate`` and ``RatePercent`` exclude each other. These are
the choices of qbxmlops130.xsd between alternatives that do not repeat (the repeating ones,
such as ``InvoiceLineRet`` or ``InvoiceLineGroupRet``, may be mixed freely); a test checks
the table against the schema. A generated record takes one alternative of each.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

__all__ = ["CHOICES", "Choice", "Picked", "pick_alternatives"]


@dataclass(frozen=True)
class Choice:
    """Alternatives that exclude each other, each the elements it brings.

    The first element of an alternative leads it: the others come only after it (a price
    level's CurrencyRef belongs to its per-item prices). ``parent`` limits the choice to one
    aggregate (None: wherever the alternatives meet); ``required`` means the schema wants
    one alternative whenever the parent is there.
    """

    alternatives: tuple[tuple[str, ...], ...]
    parent: str | None = None
    required: bool = False


CHOICES: tuple[Choice, ...] = (
    Choice((("SalesOrPurchase",), ("SalesAndPurchase",))),
    Choice((("Price",), ("PricePercent",))),
    Choice((("Rate",), ("RatePercent",))),
    Choice((("MarkupRate",), ("MarkupRatePercent",))),
    Choice((("DiscountRate",), ("DiscountRatePercent",))),
    Choice((("SerialNumber", "SerialNumberAddedOrRemoved"), ("LotNumber",))),
    Choice((("FixedBillingRate",), ("BillingRatePerItemRet",))),
    Choice((("ClearEarnings",), ("Earnings",))),
    Choice((("PriceLevelFixedPercentage",), ("PriceLevelPerItemRet", "CurrencyRef"))),
    Choice((("APAccountRef",), ("LiabilityAccountRef",))),
    Choice((("Amount",), ("RatePercent",)), parent="DiscountLineRet"),
    Choice((("Amount",), ("RatePercent",)), parent="SalesTaxLineRet"),
    Choice((("CustomRate",), ("CustomRatePercent",)), required=True),
    Choice((("CustomPrice",), ("CustomPricePercent",)), required=True),
)


@dataclass(frozen=True)
class Picked:
    """What the choices of one aggregate leave: the alternatives not taken (``dropped``),
    what a required choice needs (``forced``) and, for each element that follows the lead of
    its alternative, that leading element (``leaders``)."""

    dropped: frozenset[str]
    forced: frozenset[str]
    leaders: dict[str, str]


def pick_alternatives(parent: str, names: tuple[str, ...], rng: random.Random) -> Picked:
    """Take one alternative of each choice among ``names``, the children of ``parent``."""
    dropped: set[str] = set()
    forced: set[str] = set()
    leaders: dict[str, str] = {}
    for present, required in _choices_among(parent, names):
        # The first alternative is the common one (an amount rather than a percentage).
        taken = present[0] if rng.random() < 0.75 else rng.choice(present[1:])
        for alternative in present:
            if alternative is not taken:
                dropped.update(alternative)
        leaders.update((name, taken[0]) for name in taken[1:])
        if required:
            forced.update(n for n in taken if n in names)
    return Picked(frozenset(dropped), frozenset(forced - dropped), leaders)


@cache
def _choices_among(
    parent: str, names: tuple[str, ...]
) -> tuple[tuple[tuple[tuple[str, ...], ...], bool], ...]:
    """The choices that apply to these children: the alternatives present, and whether the
    choice is required."""
    found = []
    for choice in CHOICES:
        if choice.parent not in (None, parent):
            continue
        present = tuple(alt for alt in choice.alternatives if any(n in names for n in alt))
        if len(present) >= 2:
            found.append((present, choice.required))
    return tuple(found)
