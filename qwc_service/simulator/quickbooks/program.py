"""A fake QuickBooks Desktop: the request processor the Web Connector simulator talks to.

It answers qbXML request message sets from a ``Company`` the way QuickBooks 2014 does —
status codes, iterators, error handling per ``onError`` — and keeps what QBWC itself writes
into a company file: the FileID stamp and the AppLock, both private data extensions on the
Company object under the application's OwnerID.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from lxml import etree

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.context import Context, Handler, IteratorStore, Response
from qwc_service.simulator.quickbooks.documents import (
    El,
    RequestSet,
    parse_request_set,
    render_document,
    texts_of,
)
from qwc_service.simulator.quickbooks.faults import Faults
from qwc_service.simulator.quickbooks.host import company_ret, host_ret, preferences_ret
from qwc_service.simulator.quickbooks.invoice_writes import invoice_mod, txn_void
from qwc_service.simulator.quickbooks.money_writes import (
    ar_refund_credit_card_add,
    credit_memo_add,
    deposit_add,
)
from qwc_service.simulator.quickbooks.object_queries import (
    ITEM_QUERY_SPEC,
    OBJECT_ITERABLE_REQUESTS,
    OBJECT_QUERY_SPECS,
)
from qwc_service.simulator.quickbooks.payment_writes import receive_payment_add
from qwc_service.simulator.quickbooks.queries import (
    ITERABLE_REQUESTS,
    QUERY_SPECS,
    list_deleted_query,
    query_handler,
    txn_deleted_query,
)
from qwc_service.simulator.quickbooks.recovery import Application, MessageSets, RecoveryOptions
from qwc_service.simulator.quickbooks.status import (
    CONNECT_HRESULT,
    CONNECT_MESSAGE,
    OK,
    PARSE_ERROR_HRESULT,
    PARSE_ERROR_MESSAGE,
    UNSUPPORTED_REQUEST,
    QbxmlParseError,
    QuickBooksNotRunning,
    RequestFailed,
    invalid_request_id,
)
from qwc_service.simulator.quickbooks.writes import (
    customer_add,
    customer_mod,
    invoice_add,
    list_del,
    txn_del,
)

__all__ = [
    "CONNECT_HRESULT",
    "CONNECT_MESSAGE",
    "PARSE_ERROR_HRESULT",
    "PARSE_ERROR_MESSAGE",
    "FakeQuickBooks",
    "FileIdConflict",
    "QbxmlParseError",
    "QuickBooksNotRunning",
    "SessionAlreadyOpen",
    "load_qbxml_schema",
]

FILE_ID = "FileID"
APP_LOCK = "AppLock"
REQUEST_ID_MAX = 50
# Field lengths the schema enforces; QuickBooks rejects the whole set before running any of it.
MAX_LENGTHS = (
    ("CustomerAddRq/CustomerAdd/Name", 41),
    ("CustomerModRq/CustomerMod/Name", 41),
    ("CustomerModRq/CustomerMod/EditSequence", 16),
    ("InvoiceAddRq/InvoiceAdd/RefNumber", 11),
    ("ReceivePaymentAddRq/ReceivePaymentAdd/RefNumber", 20),
)
_DOTNET_EPOCH = datetime(1, 1, 1)


class FileIdConflict(Exception):
    """The company file already carries another FileID for this OwnerID (QBWC1039)."""

    def __init__(self, owner_id: str, existing: str) -> None:
        super().__init__(f"OwnerID {owner_id} already stamped with FileID {existing}")
        self.owner_id = owner_id
        self.existing = existing


class SessionAlreadyOpen(Exception):
    """``begin_session`` while another session is still open."""


def load_qbxml_schema(path: str | Path) -> etree.XMLSchema:
    """Compile the qbXML XSD (``qbxmlops130.xsd``) for strict request checking."""
    return etree.XMLSchema(etree.parse(str(path)))


def _host_query(ctx: Context, rq: etree._Element) -> Response:
    return Response("HostQueryRs", OK, [host_ret(ctx.company)])


def _company_query(ctx: Context, rq: etree._Element) -> Response:
    # Private data extensions come back only for the OwnerIDs asked for.
    return Response("CompanyQueryRs", OK, [company_ret(ctx.company, texts_of(rq, "OwnerID"))])


def _preferences_query(ctx: Context, rq: etree._Element) -> Response:
    return Response("PreferencesQueryRs", OK, [preferences_ret()])


# The requests of the hand-built objects, and what QBWC and a sync of them need.
HANDLERS: dict[str, Handler] = {
    **{tag: query_handler(spec) for tag, spec in QUERY_SPECS.items()},
    "ItemQueryRq": query_handler(ITEM_QUERY_SPEC),
    "ListDeletedQueryRq": list_deleted_query,
    "TxnDeletedQueryRq": txn_deleted_query,
    "CustomerAddRq": customer_add,
    "CustomerModRq": customer_mod,
    "InvoiceAddRq": invoice_add,
    "ReceivePaymentAddRq": receive_payment_add,
    "CreditMemoAddRq": credit_memo_add,
    "DepositAddRq": deposit_add,
    "ARRefundCreditCardAddRq": ar_refund_credit_card_add,
    "InvoiceModRq": invoice_mod,
    "TxnVoidRq": txn_void,
    "ListDelRq": list_del,
    "TxnDelRq": txn_del,
    "HostQueryRq": _host_query,
    "CompanyQueryRq": _company_query,
    "PreferencesQueryRq": _preferences_query,
}


# The queries of every other registry object, generated records and all.
OBJECT_HANDLERS: dict[str, Handler] = {
    tag: query_handler(spec) for tag, spec in OBJECT_QUERY_SPECS.items()
}
_ITERABLE = ITERABLE_REQUESTS | OBJECT_ITERABLE_REQUESTS | {"ItemQueryRq"}


class FakeQuickBooks:
    """QuickBooks with one company file open, driven one session at a time.

    ``running`` False means QuickBooks is not running (or has no file open): sessions and
    requests then fail with ``QuickBooksNotRunning`` (HRESULT ``CONNECT_HRESULT``). Pass the
    compiled qbXML schema as ``schema`` to reject requests QuickBooks' own schema would.

    ``process`` also works outside ``begin_session``/``end_session`` (handy in tests); the
    iterators it opens then last until the next session starts or ends.

    Message-set recovery (``recovery.py``) keeps its records in ``message_sets``, per the
    application the session was begun for; ``recovery`` says how (``RecoveryOptions``).
    ``faults`` arms lost answers, refusals and switched-off features (``faults.py``).
    """

    CONNECT_HRESULT = CONNECT_HRESULT
    CONNECT_MESSAGE = CONNECT_MESSAGE

    def __init__(
        self,
        company: Company,
        *,
        running: bool = True,
        max_iterators: int = 50,
        schema: etree.XMLSchema | None = None,
        recovery: RecoveryOptions | None = None,
    ) -> None:
        self.company = company
        self.message_sets = MessageSets(recovery)
        self.faults = Faults()
        self._application = Application()
        self.running = running
        self.schema = schema
        self.requests_processed = 0
        #: The requestID of every request run, in order (what qbsdklog.txt would show).
        self.request_log: list[str | None] = []
        self._iterators = IteratorStore(max_iterators, seed=company.company_name)
        self._session_machine: str | None = None
        self._locked_owners: list[str] = []

    # ------------------------------------------------------------------ what QBWC reads
    @property
    def company_file(self) -> str:
        """The open company file's path (``strCompanyFileName``)."""
        return self.company.file_path

    @property
    def qbxml_version(self) -> tuple[int, int]:
        """``(qbXMLMajorVers, qbXMLMinorVers)``: the highest version this QuickBooks speaks."""
        return self.company.max_qbxml_version

    @property
    def country(self) -> str:
        """``qbXMLCountry``."""
        return self.company.country

    @property
    def open_iterators(self) -> int:
        """How many iterators the current session holds."""
        return len(self._iterators)

    # ------------------------------------------------------------------ FileID stamp
    def stamp_file_id(self, owner_id: str, file_id: str) -> None:
        """Stamp the .qwc's FileID into the company file under its OwnerID, as QBWC does when
        an application is added; ``FileIdConflict`` if another FileID is already there."""
        existing = self.file_id_for(owner_id)
        if existing is not None and existing.upper() != file_id.upper():
            raise FileIdConflict(owner_id, existing)
        self.company.set_data_ext(owner_id, FILE_ID, file_id)

    def remove_file_id(self, owner_id: str) -> None:
        """Remove the FileID stamp of an OwnerID (what Intuit's "Remove Stamp" tool does)."""
        for key in [k for k in self.company.data_extensions if k[0].upper() == owner_id.upper()]:
            if key[1] == FILE_ID:
                del self.company.data_extensions[key]

    def file_id_for(self, owner_id: str) -> str | None:
        """The FileID stamped under ``owner_id``, if any."""
        return self.company.data_ext(owner_id, FILE_ID)

    # ------------------------------------------------------------------ sessions
    @property
    def session_open(self) -> bool:
        """Whether a request-processor session is open."""
        return self._session_machine is not None

    def begin_session(
        self, machine_name: str, owner_id: str | None = None, app_name: str = ""
    ) -> None:
        """Open a session for QBWC on ``machine_name`` and take its AppLock
        (``LOCKED:<MACHINE>:<.NET ticks>``) under ``owner_id``, or under every stamped
        OwnerID when none is given. ``app_name`` and ``owner_id`` name the application whose
        message-set recovery records the session reads and writes."""
        self._require_running()
        if self._session_machine is not None:
            raise SessionAlreadyOpen(f"a session for {self._session_machine} is still open")
        self._session_machine = machine_name
        self._application = Application(app_name, owner_id or "")
        self._iterators.clear()
        owners = [owner_id] if owner_id else self._stamped_owners()
        ticks = self._dotnet_ticks()
        for owner in owners:
            self.company.set_data_ext(owner, APP_LOCK, f"LOCKED:{machine_name}:{ticks}")
        self._locked_owners = owners

    def end_session(self) -> None:
        """Close the session: iterators are gone and the AppLock reads ``UNLOCKED:<MACHINE>``."""
        machine = self._session_machine
        self._iterators.clear()
        if machine is not None:
            for owner in self._locked_owners:
                self.company.set_data_ext(owner, APP_LOCK, f"UNLOCKED:{machine}")
        self._session_machine = None
        self._locked_owners = []
        self._application = Application()

    @property
    def application(self) -> Application:
        """The application the open session runs for (empty outside a session)."""
        return self._application

    def forget_message_sets(self) -> None:
        """Lose every message-set recovery record, as when QuickBooks is restarted."""
        self.message_sets.forget()

    def _stamped_owners(self) -> list[str]:
        return sorted({owner for owner, name in self.company.data_extensions if name == FILE_ID})

    def _dotnet_ticks(self) -> int:
        # DateTime.Now.Ticks: 100-nanosecond intervals since 0001-01-01, local time.
        local = self.company.clock.now().replace(tzinfo=None)
        return (local - _DOTNET_EPOCH) // timedelta(microseconds=1) * 10

    def _require_running(self) -> None:
        if not self.running:
            raise QuickBooksNotRunning()

    # ------------------------------------------------------------------ requests
    def hcp_response(self, owner_id: str | None = None) -> str:
        """The strHCPResponse document: Host, Company (with the DataExtRet of ``owner_id``,
        or of every owner) and Preferences queries, requestIDs 0, 1 and 2."""
        ctx = self._context()
        owners = None if owner_id is None else [owner_id]
        responses = [
            Response("HostQueryRs", OK, [host_ret(ctx.company)]).to_el("0"),
            Response("CompanyQueryRs", OK, [company_ret(ctx.company, owners)]).to_el("1"),
            Response("PreferencesQueryRs", OK, [preferences_ret()]).to_el("2"),
        ]
        return render_document(responses)

    def process(self, request_xml: str) -> str:
        """Run a qbXML request message set and return the response message set.

        Raises ``QbxmlParseError`` (HRESULT 0x80040400) when QuickBooks would reject the set as
        a whole, and ``QuickBooksNotRunning`` when QuickBooks is not running.
        """
        self._require_running()
        request_set = parse_request_set(
            request_xml, self.company.supported_qbxml_versions, self.schema
        )
        _precheck(request_set.requests)
        answer = self.message_sets.answer(
            self._application, request_set, lambda: self._run(request_set)
        )
        return render_document(answer.responses, answer.attrs)

    def _run(self, request_set: RequestSet) -> list[El]:
        include_data = request_set.response_data != "includeNone"
        ctx = self._context()
        out: list[El] = []
        for rq in request_set.requests:
            response = self._answer(ctx, rq)
            self.requests_processed += 1
            self.request_log.append(rq.get("requestID"))
            out.append(response.to_el(rq.get("requestID"), include_data=include_data))
            if request_set.on_error == "stopOnError" and response.status.is_error:
                break
        return out

    def _context(self) -> Context:
        return Context(company=self.company, iterators=self._iterators)

    def _answer(self, ctx: Context, rq: etree._Element) -> Response:
        rs_tag = rq.tag[:-2] + "Rs"
        request_id = rq.get("requestID")
        if request_id is not None and len(request_id) > REQUEST_ID_MAX:
            return Response(rs_tag, invalid_request_id(request_id))
        name = rq.tag[:-2]
        refused = self.faults.refusal_for(name)
        if refused is not None:
            return Response(rs_tag, refused)
        handler = HANDLERS.get(rq.tag) or OBJECT_HANDLERS.get(rq.tag)
        if handler is None:
            return Response(rs_tag, UNSUPPORTED_REQUEST)
        try:
            return handler(ctx, rq)
        except RequestFailed as failed:
            return Response(rs_tag, failed.status)


def _precheck(requests: list[etree._Element]) -> None:
    """Schema-level checks QuickBooks makes before running anything."""
    for rq in requests:
        mode = rq.get("iterator")
        if mode is not None:
            if rq.tag not in _ITERABLE:
                raise QbxmlParseError(f"{rq.tag} does not take an iterator")
            if mode not in ("Start", "Continue", "Stop"):
                raise QbxmlParseError(f"iterator={mode!r} is not Start, Continue or Stop")
    for rq in requests:
        for path, limit in MAX_LENGTHS:
            tag, _, rest = path.partition("/")
            if rq.tag != tag:
                continue
            for node in rq.findall(rest):
                if len(node.text or "") > limit:
                    raise QbxmlParseError(f"{path} is longer than {limit} characters")
