"""Filling a company with generated records of the registry's objects, deterministically.

Objects are made in an order that puts the lists a record names before it (vendors before
bills, items before price levels), spread over the company's time span; then some records
are saved again and some list elements made inactive, so modified-date and ActiveStatus
filters have something to find. Each object draws from its own seeded random generator, so
asking for more of one object leaves the others' content as it was.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType

from qwc_service.qbxml.objects.registry import find_object
from qwc_service.qbxml.objects.specs import ElementSpec, ObjectSpec, ValueType
from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.objects import (
    HAND_BUILT_ITEM_KINDS,
    generated_objects,
    ref_targets,
)
from qwc_service.simulator.quickbooks.records import ItemKind

__all__ = ["EVERY_TYPE", "Counts", "creation_order", "populate", "read_counts"]

# A few records of every generated object: a company a full sync of everything can run on.
EVERY_TYPE: Mapping[str, int] = MappingProxyType({spec.name: 3 for spec in generated_objects()})
CUSTOM_FIELD_NAMES = ("Region", "Contract #", "Account Manager", "Priority", "Rep Code")
REGIONS = ("North", "South", "East", "West", "Central")


# The hand-built objects and the generate_company argument that counts them.
_HAND_BUILT_COUNTS = {
    "Customer": "customers",
    "Item": "items",
    "Invoice": "invoices",
    "ReceivePayment": "payments",
}


@dataclass(frozen=True)
class Counts:
    """How many records of which objects a company is asked for, sorted by who makes them.

    ``arguments`` overrides generate_company's own (``customers``, ``items``…);
    ``item_kinds`` asks for more hand-built items of one kind (``Service``…);
    ``generated`` counts the objects made from the registry.
    """

    arguments: Mapping[str, int]
    item_kinds: Mapping[ItemKind, int]
    generated: Mapping[str, int]


def read_counts(counts: Mapping[str, int]) -> Counts:
    """Sort ``counts``, keyed by object name or plural (``Bill``, ``bills``); ValueError for
    a name the registry does not know, a single document, or a negative count."""
    arguments: dict[str, int] = {}
    item_kinds: dict[ItemKind, int] = {}
    generated: dict[str, int] = {}
    known = {spec.name for spec in generated_objects()}
    for word, count in counts.items():
        try:
            spec = find_object(word)
        except KeyError as exc:
            raise ValueError(str(exc.args[0])) from None
        if count < 0:
            raise ValueError(f"cannot make {count} records of {spec.name}")
        if spec.name in _HAND_BUILT_COUNTS:
            arguments[_HAND_BUILT_COUNTS[spec.name]] = count
        elif spec.name in HAND_BUILT_ITEM_KINDS:
            item_kinds[HAND_BUILT_ITEM_KINDS[spec.name]] = count
        elif spec.name in known:
            generated[spec.name] = count
        else:
            raise ValueError(f"{spec.name} is a single document: every company has one")
    return Counts(arguments, item_kinds, generated)


def populate(
    company: Company,
    counts: Mapping[str, int],
    *,
    seed: int,
    start: datetime,
    end: datetime,
) -> None:
    """Add ``counts[name]`` records of each generated object named (registry names)."""
    order = [spec for spec in creation_order() if counts.get(spec.name, 0) > 0]
    total = sum(counts[spec.name] for spec in order)
    if not total:
        return
    # Records are made over the first nine tenths of the span, edits in the last tenth.
    edits_from = start + (end - start) * 9 / 10
    step = (edits_from - start) / total
    made: list[tuple[ObjectSpec, str]] = []
    index = 0
    for spec in order:
        rng = random.Random(f"{seed}:{spec.name}")
        for _ in range(counts[spec.name]):
            at = (start + step * index).replace(microsecond=0)
            index += 1
            fields = _custom_fields(rng) if spec.custom_fields else []
            record = company.add_object(spec.name, rng=rng, at=at, custom_fields=fields)
            made.append((spec, record.id))
    _edit(company, made, random.Random(f"{seed}:edits"), edits_from, end)


def _custom_fields(rng: random.Random) -> list[tuple[str, str, str, str]]:
    # Public custom fields (OwnerID 0) on some records, as users define them in QuickBooks.
    if rng.random() >= 0.4:
        return []
    names = rng.sample(CUSTOM_FIELD_NAMES, rng.randint(1, 2))
    return [
        ("0", name, "STR255TYPE", f"{rng.choice(REGIONS)} {rng.randint(1, 99)}") for name in names
    ]


def _edit(
    company: Company,
    made: list[tuple[ObjectSpec, str]],
    rng: random.Random,
    start: datetime,
    end: datetime,
) -> None:
    chosen = [(spec, record_id) for spec, record_id in made if rng.random() < 0.2]
    if not chosen:
        return
    step = (end - start) / (len(chosen) + 1)
    for n, (spec, record_id) in enumerate(chosen, start=1):
        at = (start + step * n).replace(microsecond=0)
        if spec.query.active_status and spec.ret.has("IsActive") and rng.random() < 0.5:
            company.set_active(spec.name, record_id, False, at=at)
        else:
            company.touch(spec.name, record_id, at=at)


def creation_order() -> tuple[ObjectSpec, ...]:
    """Every generated object, each after the generated objects its records name."""
    specs = {spec.name: spec for spec in generated_objects()}
    done: dict[str, ObjectSpec] = {}
    visiting: set[str] = set()

    def visit(spec: ObjectSpec) -> None:
        if spec.name in done or spec.name in visiting:
            return  # a cycle (an item naming an item) is broken where it closes
        visiting.add(spec.name)
        for target in sorted(_named_objects(spec)):
            if target in specs and target != spec.name:
                visit(specs[target])
        visiting.discard(spec.name)
        done[spec.name] = spec

    for spec in specs.values():
        visit(spec)
    return tuple(done.values())


def _named_objects(spec: ObjectSpec) -> set[str]:
    found: set[str] = set()

    def walk(elements: tuple[ElementSpec, ...]) -> None:
        for element in elements:
            if element.type is ValueType.REF:
                found.update(ref_targets(element.name))
            elif element.type is ValueType.AGGREGATE:
                walk(element.children)

    for ret in spec.rets:
        walk(ret.elements)
    return found
