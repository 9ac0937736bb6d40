"""A machine's .qwc names: its AppName, its AppDescription and the file a customer downloads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.connections import service
from qwc_service.connections.qwc_names import (
    APP_DESCRIPTION_MAX,
    APP_NAME_MAX,
    FILE_NAME_MAX,
    machine_number,
    qwc_names,
    windows_file_name,
)
from qwc_service.db import unit_of_work
from qwc_service.qbwc.operations import revoke_machine
from tests.factories import make_connection, make_machine

BRAND = "Acme Payments"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def branded(settings: Settings) -> Iterator[QwcApp]:
    """The application with QWC_BRAND_NAME set."""
    application = create_app(settings.with_overrides(brand_name=BRAND))
    yield application
    application.engine.dispose()


def _qwc(path: Path | None) -> dict[str, str]:
    """The elements of a written .qwc file, parsed as XML (so it must be well-formed)."""
    assert path is not None
    root = etree.parse(str(path)).getroot()
    return {child.tag: (child.text or "") for child in root}


def _app_name(app: QwcApp, username: str) -> str:
    """The AppName of a machine's .qwc as rendered now from the database."""
    with unit_of_work(app.session_factory) as db:
        machine = service.get_machine(db, username)
        return service.qwc_spec(app.settings, machine.connection, machine).app_name


def test_app_name_is_brand_connection_and_label(branded: QwcApp) -> None:
    """AppName reads "{brand} - {connection} ({label})": no random tag, nothing else."""
    machine = make_machine(branded, make_connection(branded, "Browser Widgets Inc"))
    qwc = _qwc(machine.qwc_path)
    assert qwc["AppName"] == "Acme Payments - Browser Widgets Inc (Front office PC)"
    assert machine.username.rsplit("-", 1)[-1] not in qwc["AppName"]
    assert qwc["AppDescription"] == "Syncs Browser Widgets Inc with Acme Payments"


def test_brand_is_the_app_name_when_unset(app: QwcApp) -> None:
    """Without QWC_BRAND_NAME the AppName starts with QWC_APP_NAME."""
    machine = make_machine(app, make_connection(app, "Browser Widgets Inc"))
    qwc = _qwc(machine.qwc_path)
    assert qwc["AppName"] == "qwc-service - Browser Widgets Inc (Front office PC)"
    assert qwc["AppDescription"] == "Syncs Browser Widgets Inc with qwc-service"


def test_machines_sharing_a_label_are_numbered_in_the_order_they_were_added(
    branded: QwcApp,
) -> None:
    """Labels equal but for case and spacing get " #2", " #3" by machine id; the first has
    none, numbers survive revoking, and another connection counts on its own."""
    connection_id = make_connection(branded, "Browser Widgets Inc")
    labels = ["Front office PC", "Back office", "front office pc", "Front  office PC "]
    machines = [make_machine(branded, connection_id, label) for label in labels]
    names = [_qwc(m.qwc_path)["AppName"] for m in machines]
    assert names == [
        "Acme Payments - Browser Widgets Inc (Front office PC)",
        "Acme Payments - Browser Widgets Inc (Back office)",
        "Acme Payments - Browser Widgets Inc (front office pc) #2",
        "Acme Payments - Browser Widgets Inc (Front office PC) #3",
    ]
    with unit_of_work(branded.session_factory) as db:
        revoke_machine(db, machines[0].username)
    later = make_machine(branded, connection_id, "FRONT OFFICE PC")
    assert _qwc(later.qwc_path)["AppName"].endswith("(FRONT OFFICE PC) #4")
    # Rendered again (a setup page, a download), every name is what it was.
    assert [_app_name(branded, m.username) for m in machines] == names

    other = make_machine(branded, make_connection(branded, "Other Co"), "Front office PC")
    assert _qwc(other.qwc_path)["AppName"] == "Acme Payments - Other Co (Front office PC)"


def test_long_names_are_cut_in_the_connection_part_never_the_number(branded: QwcApp) -> None:
    """Past the limits the connection's name ends in "...", the label is cut at 50, the
    number stays, the whole fits 200 UTF-16 units, and the cut is the same every time."""
    connection_id = make_connection(branded, "Wide " + "W" * 195)
    label = "Seat " + "s" * 195
    first, second = (make_machine(branded, connection_id, label) for _ in range(2))
    one, two = (_qwc(m.qwc_path)["AppName"] for m in (first, second))
    assert two == one + " #2"
    assert one.startswith("Acme Payments - Wide WWW") and one.endswith("s...)")
    head, _, tail = one.partition(" (")
    assert head.endswith("W...") and len(head) == len("Acme Payments - ") + 99
    assert len(tail) == 50 + 1
    assert _units(two) <= APP_NAME_MAX
    assert _app_name(branded, second.username) == two

    emoji = make_connection(branded, "😀" * 150)
    name = _qwc(make_machine(branded, emoji, "PC").qwc_path)["AppName"]
    assert _units(name) <= APP_NAME_MAX and name.endswith("😀... (PC)")


def test_app_name_is_one_clean_line(branded: QwcApp) -> None:
    """A backslash (it would nest a registry key) becomes "/"; control and format
    characters become spaces, so the .qwc stays well-formed XML."""
    connection_id = make_connection(branded, "Smith\\Jones\tLtd\u200b & <Co>")
    machine = make_machine(branded, connection_id, "PC\x01 1\n")
    qwc = _qwc(machine.qwc_path)
    assert qwc["AppName"] == "Acme Payments - Smith/Jones Ltd & <Co> (PC 1)"
    assert "\\" not in qwc["AppDescription"]


def test_app_description_keeps_the_brand_and_fits_80(branded: QwcApp) -> None:
    """A long connection name is cut in the AppDescription; the brand is whole."""
    machine = make_machine(branded, make_connection(branded, "Browser Widgets " * 10))
    description = _qwc(machine.qwc_path)["AppDescription"]
    assert _units(description) <= APP_DESCRIPTION_MAX
    assert description.startswith("Syncs Browser Widgets")
    assert description.endswith("... with Acme Payments")


def test_machine_number_counts_earlier_matching_labels_only() -> None:
    """A machine's number depends on the machines before it, not on those after."""
    machines = [(1, "PC"), (3, "Laptop"), (4, " pc"), (9, "PC"), (12, "Pc")]
    assert [machine_number(i, machines) for i, _ in machines] == [1, 1, 2, 3, 4]


def test_file_name_is_the_app_name_made_safe_for_windows() -> None:
    """The download is named like the AppName, its Windows-unsafe characters replaced."""
    names = qwc_names(BRAND, 'Smith/Jones: "Best" <Ltd> | a?b*c', "Front office PC", 2)
    assert names.file_name == (
        "Acme Payments - Smith-Jones- 'Best' (Ltd) - a-b-c (Front office PC) #2.qwc"
    )
    assert qwc_names(BRAND, "Browser Widgets Inc", "Front office PC", 1).file_name == (
        "Acme Payments - Browser Widgets Inc (Front office PC).qwc"
    )


def test_long_file_names_keep_label_and_number() -> None:
    """A file name is cut to 150 units in the connection's part, keeping the ending."""
    names = qwc_names("B" * 40, "C" * 200, "L" * 80, 12)
    assert _units(names.file_name) <= FILE_NAME_MAX
    assert names.file_name.endswith("L...) #12.qwc")
    assert "C..." in names.file_name


@pytest.mark.parametrize(
    ("stem", "extension", "expected"),
    [
        ('a<b>c:d"e/f\\g|h?i*j', ".qwc", "a(b)c-d'e-f-g-h-i-j.qwc"),
        ("tab\there\x00\x1f", ".qwc", "tab here.qwc"),
        ("CON", ".qwc", "_CON.qwc"),
        ("nul", ".txt", "_nul.txt"),
        ("COM1 ", ".qwc", "_COM1.qwc"),
        ("LPT9.tar", ".gz", "_LPT9.tar.gz"),
        ("COM²", "", "_COM²"),
        ("CONSOLE", ".qwc", "CONSOLE.qwc"),
        ("ends with dots...", "", "ends with dots"),
        ("  spaced   out  ", ".qwc", "spaced out.qwc"),
        ("", ".qwc", "file.qwc"),
        ("Café ☕ Zürich", ".qwc", "Café ☕ Zürich.qwc"),
        ("Cafe\u0301", ".qwc", "Café.qwc"),
    ],
)
def test_windows_file_name(stem: str, extension: str, expected: str) -> None:
    """Unsafe and control characters, reserved device names, trailing dots and spaces."""
    assert windows_file_name(stem, extension) == expected


def test_windows_file_name_bounds_length_without_splitting_characters() -> None:
    """The bound counts UTF-16 units; a character outside the BMP is never cut in half."""
    name = windows_file_name("a" * 5 + "😀" * 100, ".qwc", limit=20)
    assert _units(name) <= 20 and name.endswith(".qwc")
    name.encode("utf-8")  # no lone surrogate
    assert windows_file_name("x" * 400, ".qwc").startswith("x" * 100)
    assert _units(windows_file_name("x" * 400, ".qwc")) <= FILE_NAME_MAX
