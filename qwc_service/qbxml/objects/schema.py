"""Reading Intuit's qbXML XSD: named declarations, and content models flattened to particles.

The qbXML schema uses a small part of XML Schema: global and local elements, model groups,
sequences and choices, named and anonymous simple types restricting the types of
``qbxmltypes130.xsd``, and a few ``simpleContent`` extensions. This module resolves those into
:class:`Particle` lists (an element with the occurrences it has where it is used) and
:class:`SimpleFacts` (the qbXML base type, length limit and enumeration of a leaf).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from qwc_service.qbxml.objects.specs import ValueType

__all__ = ["BASE_TYPES", "REF_CHILDREN", "ROOT_FILE", "Particle", "SchemaReader", "SimpleFacts"]

#: What each of qbXML's base types holds.
BASE_TYPES = {
    "STRTYPE": ValueType.TEXT,
    "UUIDTYPE": ValueType.TEXT,
    "MACROTYPE": ValueType.TEXT,
    "IDTYPE": ValueType.ID,
    "AMTTYPE": ValueType.AMOUNT,
    "PRICETYPE": ValueType.PRICE,
    "QUANTYPE": ValueType.QUANTITY,
    "PERCENTTYPE": ValueType.PERCENT,
    "FLOATTYPE": ValueType.FLOAT,
    "INTTYPE": ValueType.INT,
    "BOOLTYPE": ValueType.BOOLEAN,
    "DATETYPE": ValueType.DATE,
    "DATETIMETYPE": ValueType.DATETIME,
    "TIMEINTERVALTYPE": ValueType.DURATION,
    "GUIDTYPE": ValueType.GUID,
    "ENUMTYPE": ValueType.ENUM,
}
#: The children of an aggregate that names another object (a ``…Ref``).
REF_CHILDREN = {"ListID", "FullName"}


ROOT_FILE = "qbxmlops130.xsd"

_XSD = "{http://www.w3.org/2001/XMLSchema}"
_VERSION = re.compile(r"qbXML version (\d+\.\d+)")


@dataclass(frozen=True)
class Particle:
    """An element as used in one content model: its declaration and effective occurrences.

    ``min_occurs`` and ``max_occurs`` multiply through the enclosing sequences, choices and
    groups; an element that is one alternative of a choice is optional. ``max_occurs`` is
    None when unbounded. ``choice`` numbers the choice with several alternatives the element
    belongs to (None outside one), so alternatives can be grouped.
    """

    name: str
    declaration: Any
    min_occurs: int
    max_occurs: int | None
    choice: int | None


@dataclass(frozen=True)
class SimpleFacts:
    """A leaf element's type: its qbXML base type, length limit and allowed values."""

    base: str
    max_length: int | None
    values: tuple[str, ...]


class SchemaReader:
    """The declarations of the root XSD file and of every file it includes."""

    def __init__(self, schema_dir: Path) -> None:
        self.elements: dict[str, Any] = {}
        self.groups: dict[str, Any] = {}
        self.complex_types: dict[str, Any] = {}
        self.simple_types: dict[str, Any] = {}
        self.version = ""
        self._choices = 0
        self._load(Path(schema_dir), ROOT_FILE, set())
        # The named types built on XML Schema's own (those of qbxmltypes130.xsd) are the
        # qbXML base types every leaf comes down to.
        self.base_types = frozenset(
            name for name, node in self.simple_types.items() if _is_base_type(node)
        )

    def _load(self, folder: Path, name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        parser = etree.XMLParser(no_network=True, resolve_entities=False, remove_comments=False)
        tree = etree.parse(str(folder / name), parser)
        root = tree.getroot()
        if name == ROOT_FILE:
            self.version = _version_in(tree)
        tables = {
            "element": self.elements,
            "group": self.groups,
            "complexType": self.complex_types,
            "simpleType": self.simple_types,
        }
        for node in root.iterchildren(tag=etree.Element):
            local = etree.QName(node).localname
            if local == "include":
                self._load(folder, node.get("schemaLocation"), seen)
            elif local in tables:
                tables[local][node.get("name")] = node

    def element(self, name: str) -> Any:
        """The global declaration of element ``name``; KeyError when there is none."""
        return self.elements[name]

    def message(self, name: str) -> Any:
        """The declaration of a request or response (``…Rq``/``…Rs``) in the message sets."""
        for particle in self._messages(name[-2:]):
            if particle.name == name:
                return particle.declaration
        raise KeyError(name)

    def message_names(self, suffix: str) -> tuple[str, ...]:
        """The names of every request (``Rq``) or response (``Rs``) of both message sets."""
        return tuple(p.name for p in self._messages(suffix))

    def _messages(self, suffix: str) -> list[Particle]:
        """The children of the company message set and of the subscription message set."""
        holders = (f"QBXMLMsgs{suffix}", f"QBXMLSubscriptionMsgs{suffix}")
        return [p for holder in holders for p in self.children(self.element(holder))]

    def complex_type(self, declaration: Any) -> Any | None:
        """The complexType of an element declaration (named or inline), or None for a leaf."""
        inline = declaration.find(f"{_XSD}complexType")
        if inline is not None:
            return inline
        type_name = declaration.get("type")
        if type_name in self.complex_types:
            return self.complex_types[type_name]
        return None

    def is_leaf(self, declaration: Any) -> bool:
        """Whether the element holds text (a simple type, possibly with attributes)."""
        complex_type = self.complex_type(declaration)
        return complex_type is None or complex_type.find(f"{_XSD}simpleContent") is not None

    def attributes(self, declaration: Any) -> tuple[str, ...]:
        """The names of the attributes a complex element's type declares."""
        complex_type = self.complex_type(declaration)
        if complex_type is None:
            return ()
        # The type's own attributes, not those of elements declared inside it.
        own = [*complex_type.findall(f"{_XSD}attribute")]
        own += complex_type.findall(f"{_XSD}simpleContent/{_XSD}extension/{_XSD}attribute")
        return tuple(a.get("name") for a in own)

    def children(self, declaration: Any) -> list[Particle]:
        """The child elements of an element, in schema order, with effective occurrences."""
        complex_type = self.complex_type(declaration)
        if complex_type is None or complex_type.find(f"{_XSD}simpleContent") is not None:
            return []
        particles: list[Particle] = []
        self._choices = 0
        for node in complex_type.iterchildren(tag=etree.Element):
            self._walk(node, 1, 1, None, particles)
        return particles

    def simple_facts(self, declaration: Any) -> SimpleFacts:
        """The qbXML base type, maxLength and enumeration of a leaf element."""
        complex_type = self.complex_type(declaration)
        if complex_type is not None:
            extension = complex_type.find(f"{_XSD}simpleContent/{_XSD}extension")
            return self._facts_of_type_name(extension.get("base"))
        inline = declaration.find(f"{_XSD}simpleType")
        if inline is not None:
            return self._facts_of_simple_type(inline)
        return self._facts_of_type_name(declaration.get("type"))

    def default(self, declaration: Any) -> str | None:
        """The default value an element declaration names, if any."""
        value = declaration.get("default")
        return None if value is None else str(value)

    def _facts_of_type_name(self, name: str) -> SimpleFacts:
        node = self.simple_types[name]
        if name in self.base_types:
            return SimpleFacts(name, _max_length(node.find(f"{_XSD}restriction")), ())
        return self._facts_of_simple_type(node)

    def _facts_of_simple_type(self, node: Any) -> SimpleFacts:
        restriction = node.find(f"{_XSD}restriction")
        if restriction is None:
            raise ValueError(f"unsupported simple type at line {node.sourceline}")
        base = self._facts_of_type_name(restriction.get("base"))
        values = tuple(f.get("value") for f in restriction.findall(f"{_XSD}enumeration"))
        length = _max_length(restriction)
        return SimpleFacts(
            base.base,
            base.max_length if length is None else length,
            values or base.values,
        )

    def _walk(
        self,
        node: Any,
        min_factor: int,
        max_factor: int | None,
        choice: int | None,
        out: list[Particle],
    ) -> None:
        local = etree.QName(node).localname
        own_min, own_max = _occurs(node)
        low = min_factor * own_min
        high = None if max_factor is None or own_max is None else max_factor * own_max
        if local == "element":
            ref = node.get("ref")
            declaration = self.elements[ref] if ref else node
            out.append(Particle(ref or node.get("name"), declaration, low, high, choice))
        elif local == "group":
            group = self.groups[node.get("ref")]
            for child in group.iterchildren(tag=etree.Element):
                self._walk(child, low, high, choice, out)
        elif local == "sequence":
            for child in node.iterchildren(tag=etree.Element):
                self._walk(child, low, high, choice, out)
        elif local == "choice":
            alternatives = list(node.iterchildren(tag=etree.Element))
            if len(alternatives) > 1:
                self._choices += 1
                choice, low = self._choices, 0
            for child in alternatives:
                self._walk(child, low, high, choice, out)
        elif local not in ("attribute", "annotation"):
            raise ValueError(f"unsupported XSD construct <{local}> at line {node.sourceline}")


def _occurs(node: Any) -> tuple[int, int | None]:
    """A particle's own minOccurs and maxOccurs (None when unbounded)."""
    low = int(node.get("minOccurs", "1"))
    high = node.get("maxOccurs", "1")
    return low, None if high == "unbounded" else int(high)


def _max_length(restriction: Any) -> int | None:
    """The maxLength facet of a restriction, if it has one."""
    facet = None if restriction is None else restriction.find(f"{_XSD}maxLength")
    return None if facet is None else int(facet.get("value"))


def _is_base_type(node: Any) -> bool:
    """Whether a named simple type is a union, or restricts a type of XML Schema itself."""
    restriction = node.find(f"{_XSD}restriction")
    return restriction is None or str(restriction.get("base")).startswith("xsd:")


def _version_in(tree: Any) -> str:
    """The qbXML version the header comment of the root file names."""
    for node in tree.getroot().itersiblings(preceding=True):
        if isinstance(node, etree._Comment):
            found = _VERSION.search(node.text or "")
            if found:
                return found.group(1)
    raise ValueError(f"{ROOT_FILE} names no qbXML version in its header")
