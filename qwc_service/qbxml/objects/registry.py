"""Looking objects up in the generated catalog: by name, by plural, by ``…Ret`` element."""

from __future__ import annotations

from qwc_service.qbxml.objects.catalog import OBJECTS
from qwc_service.qbxml.objects.specs import Category, ObjectSpec

__all__ = ["OBJECTS", "all_objects", "find_object", "object_for_ret", "object_named", "objects_in"]

_BY_NAME = {spec.name: spec for spec in OBJECTS}
# Names and plurals, lower-cased: "CreditMemo", "creditmemo" and "credit_memos" all match.
_BY_WORD = {
    **{spec.name.lower(): spec for spec in OBJECTS},
    **{spec.plural.lower(): spec for spec in OBJECTS},
}
# An item kind's Ret names the kind, not Item, whose query returns every kind.
_BY_RET = {ret.element: spec for spec in OBJECTS if not spec.kinds for ret in spec.rets}


def all_objects() -> tuple[ObjectSpec, ...]:
    """Every object of the registry: lists, Item and its kinds, transactions, singletons."""
    return OBJECTS


def objects_in(*categories: Category) -> tuple[ObjectSpec, ...]:
    """The objects of the given categories, in registry order."""
    return tuple(spec for spec in OBJECTS if spec.category in categories)


def object_named(name: str) -> ObjectSpec:
    """The object called exactly ``name`` (``CreditMemo``); KeyError otherwise."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"no qbXML object is called {name!r}") from None


def find_object(text: str) -> ObjectSpec:
    """The object ``text`` names, by name or plural in any case (``CreditMemo``,
    ``credit_memos``); KeyError otherwise."""
    try:
        return _BY_WORD[text.strip().lower()]
    except KeyError:
        raise KeyError(
            f"unknown object {text!r}; use a qbXML name such as CreditMemo or a plural "
            "such as credit_memos"
        ) from None


def object_for_ret(element: str) -> ObjectSpec:
    """The object a ``…Ret`` element holds (``ItemServiceRet`` is the ItemService kind);
    KeyError otherwise."""
    try:
        return _BY_RET[element]
    except KeyError:
        raise KeyError(f"no qbXML object is returned as {element!r}") from None
