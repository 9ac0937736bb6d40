"""The connections list: each state with its reason, counted at the top, filtered, sorted."""

from __future__ import annotations

from typing import Any

import lxml.html

from qwc_service.app import QwcApp
from qwc_service.simulator.dataset import generate_company
from qwc_service.simulator.quickbooks import FakeQuickBooks
from tests.admin.browser import Browser, Page
from tests.admin.helpers import add_machine, create_connection, run_machine
from tests.factories import enqueue


def _counts(page: Page) -> dict[str, int]:
    links = page.element("state-counts").xpath(".//a[@data-state]")
    return {a.get("data-state"): int(a.find_class("count")[0].text) for a in links}


def _rows(page: Page) -> list[tuple[str, str, str]]:
    """(name, state, reason) of each row, in order."""
    tree = lxml.html.fromstring(page.reply.body)
    rows: list[Any] = tree.xpath("//table[@id='connections']/tbody/tr")
    return [
        (
            row.xpath("./td[1]/a")[0].text_content(),
            row.get("data-state"),
            " ".join(row.find_class("reason")[0].text_content().split()),
        )
        for row in rows
    ]


def _href(page: Page, xpath: str) -> str:
    found: list[str] = lxml.html.fromstring(page.reply.body).xpath(xpath)
    assert len(found) == 1, xpath
    return found[0]


def _three_states(app: QwcApp, browser: Browser) -> None:
    synced = create_connection(browser, "Alpha Synced")
    machine = add_machine(browser, synced)
    enqueue(app, synced)
    quickbooks = FakeQuickBooks(generate_company(customers=2, invoices=0))
    assert run_machine(app, machine.username, machine.password, quickbooks).outcome == "completed"
    idle = create_connection(browser, "Mid Idle")
    machine = add_machine(browser, idle)
    assert run_machine(app, machine.username, machine.password, quickbooks).outcome == "none"
    create_connection(browser, "Zeta Waiting")


def test_list_counts_each_state_and_gives_reasons(app: QwcApp, signed_in: Browser) -> None:
    """A login with nothing to do is waiting for QuickBooks, not connected; counts add up."""
    _three_states(app, signed_in)
    page = signed_in.get("/admin")
    counts = _counts(page)
    assert counts["connected"] == 1
    assert counts["waiting_for_quickbooks"] == 1 and counts["waiting_for_first_sync"] == 1
    assert counts["error"] == counts["stale"] == counts["wrong_company_file"] == 0
    assert page.text_of("count-all") == "all 3"
    rows = _rows(page)
    assert [name for name, _, _ in rows] == ["Alpha Synced", "Mid Idle", "Zeta Waiting"]
    states = {name: (state, reason) for name, state, reason in rows}
    assert states["Mid Idle"][0] == "waiting_for_quickbooks"
    assert "had no work" in states["Mid Idle"][1]
    assert states["Zeta Waiting"] == (
        "waiting_for_first_sync",
        "No machine yet: add one and send its setup link to the customer.",
    )
    assert states["Alpha Synced"][0] == "connected"
    assert states["Alpha Synced"][1].startswith("QuickBooks answered")


def test_filter_and_sort_links(app: QwcApp, signed_in: Browser) -> None:
    """A count links to its state's connections; attention order puts waiting before working."""
    _three_states(app, signed_in)
    page = signed_in.get("/admin")
    connected = signed_in.get(
        _href(page, "//nav[@id='state-counts']/a[@data-state='connected']/@href")
    )
    assert connected.status == 200
    assert [row[0] for row in _rows(connected)] == ["Alpha Synced"]
    assert connected.text_of("state-filter") == "connected"
    assert "current" in connected.element("state-counts").xpath(".//a[@data-state='connected']")[
        0
    ].get("class")
    empty = signed_in.get(_href(page, "//nav[@id='state-counts']/a[@data-state='stale']/@href"))
    assert empty.text_of("no-connections") == "No connection is stale."

    attention = signed_in.get(_href(page, "//p[@id='sort']/a[@data-sort='attention']/@href"))
    assert [row[0] for row in _rows(attention)] == ["Mid Idle", "Zeta Waiting", "Alpha Synced"]
    assert [row[1] for row in _rows(attention)] == [
        "waiting_for_quickbooks",
        "waiting_for_first_sync",
        "connected",
    ]
    # Filters and sort survive a search, and the search narrows the counts.
    found = signed_in.get("/admin?q=alpha&sort=attention&state=connected")
    assert [row[0] for row in _rows(found)] == ["Alpha Synced"]
    assert found.text_of("count-all") == "all 1"
    assert _href(found, "//p[@id='sort']/a[@data-sort='name']/@href") == (
        "/admin?q=alpha&state=connected"
    )


def test_unknown_state_or_sort_is_a_400_page(signed_in: Browser) -> None:
    """A state or sort the list does not know is refused with the choices."""
    page = signed_in.get("/admin?state=happy")
    assert page.status == 400 and "waiting_for_first_sync" in page.text_of("error-message")
    assert signed_in.get("/admin?sort=random").status == 400
