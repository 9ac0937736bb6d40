"""``qwc-service records``: exact interface, one JSON document with --json, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import click
import pytest
from click.testing import CliRunner, Result

from qwc_service.app import QwcApp
from qwc_service.cli.common import CliContext
from qwc_service.cli.records import register
from qwc_service.config import Settings
from tests.factories import make_connection
from tests.records.helpers import customer_ret, invoice_ret, query_rs, response
from tests.records.test_store import store

Run = Callable[..., Result]


@pytest.fixture
def run(app: QwcApp, settings: Settings) -> Run:
    """Invoke the records command through a group wired like the main one."""

    @click.group()
    @click.pass_context
    def group(ctx: click.Context) -> None:
        ctx.obj = CliContext(settings)

    register(group)
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(group, ["records", *args])
        if ok:
            assert result.exit_code == 0, (result.output, result.stderr)
        return result

    return invoke


def test_json_lists_invoices_with_lines(app: QwcApp, run: Run) -> None:
    """--type invoices --json prints one JSON list of whole records, lines in each document."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("InvoiceQueryRs", invoice_ret("1-1"), invoice_ret("2-2"))))
    data = json.loads(run(cid, "--type", "Invoice", "--json").stdout)
    assert [row["id"] for row in data] == ["1-1", "2-2"]
    assert set(data[0]) == {"type", "id", "edit_sequence", "time_modified", "deleted", "data"}
    assert data[0]["data"]["InvoiceLineRet"][0]["Amount"] == "100.00"
    assert data[0]["time_modified"] == "2014-05-01T10:00:00-08:00"


def test_include_deleted(app: QwcApp, run: Run) -> None:
    """Deleted records show only with --include-deleted, marked deleted."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("CustomerQueryRs", customer_ret("A-1"), customer_ret("B-2"))))
    gone = (
        '<ListDelRs statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
        "<ListDelType>Customer</ListDelType><ListID>B-2</ListID>"
        "<TimeDeleted>2014-06-01T10:00:00-08:00</TimeDeleted><FullName>B</FullName></ListDelRs>"
    )
    store(app, cid, response(gone))
    live = json.loads(run(cid, "--type", "customers", "--json").stdout)
    assert [row["id"] for row in live] == ["A-1"]
    every = json.loads(run(cid, "--type", "customers", "--include-deleted", "--json").stdout)
    assert [(row["id"], row["deleted"]) for row in every] == [("A-1", False), ("B-2", True)]


def test_modified_since_filters(app: QwcApp, run: Run) -> None:
    """--modified-since keeps records modified at or after the given instant (offset honoured)."""
    cid = make_connection(app)
    rets = [
        customer_ret("A-1", modified="2014-05-01T10:00:00-08:00"),
        customer_ret("B-2", modified="2014-05-01T12:00:00-08:00"),
    ]
    store(app, cid, response(query_rs("CustomerQueryRs", *rets)))
    since = "2014-05-01T11:00:00-08:00"
    data = json.loads(run(cid, "--type", "customers", "--modified-since", since, "--json").stdout)
    assert [row["id"] for row in data] == ["B-2"]
    # Without an offset the time is UTC: 19:00 UTC is 11:00 PST.
    naive = json.loads(
        run(cid, "--type", "customers", "--modified-since", "2014-05-01T19:00:00", "--json").stdout
    )
    assert [row["id"] for row in naive] == ["B-2"]


def test_human_output(app: QwcApp, run: Run) -> None:
    """Without --json each record is one line; an empty list says so."""
    cid = make_connection(app)
    store(app, cid, response(query_rs("CustomerQueryRs", customer_ret("A-1", name="Ann"))))
    lines = run(cid, "--type", "customers").stdout.splitlines()
    assert len(lines) == 1 and "A-1" in lines[0] and "Ann" in lines[0]
    assert run(cid, "--type", "payments").stdout.strip() == "no records"


def test_errors_are_one_line(app: QwcApp, run: Run) -> None:
    """Unknown connection, bad type and bad time fail with a message and a non-zero exit."""
    missing = run("nope", "--type", "items", ok=False)
    assert missing.exit_code == 1
    assert missing.stderr.strip() == "error: no connection with id 'nope'"
    cid = make_connection(app)
    widgets = run(cid, "--type", "widgets", ok=False)
    assert widgets.exit_code == 1 and "CreditMemo" in widgets.stderr
    assert len(widgets.stderr.strip().splitlines()) == 1
    bad_time = run(cid, "--type", "items", "--modified-since", "yesterday", ok=False)
    assert bad_time.exit_code == 2 and "ISO 8601" in bad_time.stderr
