"""Query filters: the parts of ``*QueryRq`` that narrow a list or transaction query.

List queries carry ``ActiveStatus``, ``FromModifiedDate``/``ToModifiedDate`` (direct
children), ``NameFilter``/``NameRangeFilter`` and, for customers, ``TotalBalanceFilter``.
Transaction queries carry ``ModifiedDateRangeFilter`` or ``TxnDateRangeFilter``,
``EntityFilter``, ``RefNumberFilter``/``RefNumberRangeFilter`` and, for invoices,
``PaidStatus``. Account, currency and class filters are accepted and match everything: the
simulated company has one A/R account, one currency and no classes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from lxml import etree

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.documents import (
    child,
    read_date,
    read_datetime,
    read_decimal,
    text_of,
    texts_of,
)
from qwc_service.simulator.quickbooks.records import ZERO
from qwc_service.simulator.quickbooks.status import (
    INVALID_DATE_RANGE,
    RequestFailed,
    Status,
    element_not_found,
    unsupported_enum,
)

Predicate = Callable[[Any], bool]


class Filters:
    """Predicates to apply, candidate IDs to start from (``None``: all), and a warning."""

    def __init__(self) -> None:
        self.predicates: list[Predicate] = []
        self.candidates: list[str] | None = None
        self.warning: Status | None = None

    def matches(self, record: Any) -> bool:
        """Whether ``record`` passes every predicate."""
        return all(p(record) for p in self.predicates)


def _at_least(attr: str, bound: date) -> Predicate:
    # A record without the value (a VehicleMileage has no TxnDate) is outside any range.
    def check(record: Any) -> bool:
        value = getattr(record, attr)
        return value is not None and bool(value >= bound)

    return check


def _at_most(attr: str, bound: date) -> Predicate:
    def check(record: Any) -> bool:
        value = getattr(record, attr)
        return value is not None and bool(value <= bound)

    return check


def modified_range(node: etree._Element, tz: tzinfo, filters: Filters) -> None:
    """``FromModifiedDate``/``ToModifiedDate`` below ``node``, on TimeModified."""
    start = read_datetime(node, "FromModifiedDate", tz, end_of_day=False)
    end = read_datetime(node, "ToModifiedDate", tz, end_of_day=True)
    if start is not None and end is not None and start > end:
        raise RequestFailed(INVALID_DATE_RANGE)
    if start is not None:
        filters.predicates.append(_at_least("time_modified", start))
    if end is not None:
        filters.predicates.append(_at_most("time_modified", end))


def text_match(criterion: str, needle: str, hay: str) -> bool:
    """A ``MatchCriterion`` (StartsWith, Contains, EndsWith) of a name or RefNumber filter."""
    if criterion == "StartsWith":
        return hay.startswith(needle)
    if criterion == "EndsWith":
        return hay.endswith(needle)
    return needle in hay


def range_match(low: str | None, high: str | None, value: str) -> bool:
    """Whether ``value`` is within a name or RefNumber range (either end may be open)."""
    # RefNumbers are mostly numbers: compare numerically when all parts are digits.
    if all(v is None or v.isdigit() for v in (low, high)) and value.isdigit():
        if low is not None and int(value) < int(low):
            return False
        return high is None or int(value) <= int(high)
    if low is not None and value < low.casefold():
        return False
    return high is None or value <= high.casefold() or value.startswith(high.casefold())


def active_status(rq: etree._Element, filters: Filters, default: str = "ActiveOnly") -> None:
    """``ActiveStatus``: absent, QuickBooks returns active list elements only."""
    status = text_of(rq, "ActiveStatus") or default
    if status == "ActiveOnly":
        filters.predicates.append(lambda r: r.is_active)
    elif status == "InactiveOnly":
        filters.predicates.append(lambda r: not r.is_active)


def name_filters(rq: etree._Element, filters: Filters) -> None:
    """``NameFilter`` and ``NameRangeFilter`` of a list query, on FullName."""
    name_filter = child(rq, "NameFilter")
    if name_filter is not None:
        criterion = text_of(name_filter, "MatchCriterion") or "Contains"
        needle = (text_of(name_filter, "Name") or "").casefold()
        filters.predicates.append(lambda r: text_match(criterion, needle, r.full_name.casefold()))
    name_range = child(rq, "NameRangeFilter")
    if name_range is not None:
        low, high = text_of(name_range, "FromName"), text_of(name_range, "ToName")
        filters.predicates.append(lambda r: range_match(low, high, r.full_name.casefold()))


def list_filters(rq: etree._Element, tz: tzinfo, *, with_balance: bool) -> Filters:
    """Filters of a list query (customers, items)."""
    filters = Filters()
    active_status(rq, filters)
    modified_range(rq, tz, filters)
    name_filters(rq, filters)
    balance = child(rq, "TotalBalanceFilter")
    if balance is not None and with_balance:
        operator = text_of(balance, "Operator") or "Equal"
        amount = read_decimal(balance, "Amount") or ZERO
        compare: dict[str, Predicate] = {
            "LessThan": lambda r: r.total_balance < amount,
            "LessThanEqual": lambda r: r.total_balance <= amount,
            "Equal": lambda r: r.total_balance == amount,
            "GreaterThan": lambda r: r.total_balance > amount,
            "GreaterThanEqual": lambda r: r.total_balance >= amount,
        }
        filters.predicates.append(compare.get(operator, compare["Equal"]))
    return filters


def txn_filters(rq: etree._Element, company: Company, tz: tzinfo, *, paid_status: bool) -> Filters:
    """Filters of a transaction query (invoices, received payments)."""
    filters = Filters()
    modified = child(rq, "ModifiedDateRangeFilter")
    if modified is not None:
        modified_range(modified, tz, filters)
    txn_dates = child(rq, "TxnDateRangeFilter")
    if txn_dates is not None:
        txn_date_range(txn_dates, company.clock.now().date(), filters)
    entity = child(rq, "EntityFilter")
    if entity is not None:
        filters.candidates = _entity_txn_ids(entity, company)
    ref_number_filters(rq, filters)
    paid = text_of(rq, "PaidStatus") if paid_status else None
    if paid == "PaidOnly":
        filters.predicates.append(lambda r: r.is_paid)
    elif paid == "NotPaidOnly":
        filters.predicates.append(lambda r: not r.is_paid)
    return filters


def ref_number_filters(rq: etree._Element, filters: Filters) -> None:
    """``RefNumberFilter`` and ``RefNumberRangeFilter`` of a transaction query."""
    ref_filter = child(rq, "RefNumberFilter")
    if ref_filter is not None:
        criterion = text_of(ref_filter, "MatchCriterion") or "Contains"
        needle = (text_of(ref_filter, "RefNumber") or "").casefold()
        filters.predicates.append(
            lambda r: (
                r.ref_number is not None and text_match(criterion, needle, r.ref_number.casefold())
            )
        )
    ref_range = child(rq, "RefNumberRangeFilter")
    if ref_range is not None:
        low, high = text_of(ref_range, "FromRefNumber"), text_of(ref_range, "ToRefNumber")
        filters.predicates.append(
            lambda r: r.ref_number is not None and range_match(low, high, r.ref_number.casefold())
        )


def _entity_txn_ids(entity: etree._Element, company: Company) -> list[str]:
    # Customers have no jobs here, so "WithChildren" matches the customer alone.
    list_ids = texts_of(entity, "ListID") + texts_of(entity, "ListIDWithChildren")
    for name in texts_of(entity, "FullName") + texts_of(entity, "FullNameWithChildren"):
        customer = company.customer_by_name(name)
        if customer is None:
            raise RequestFailed(element_not_found(name))
        list_ids.append(customer.list_id)
    found: dict[str, None] = {}
    for list_id in list_ids:
        if list_id not in company.customers:
            raise RequestFailed(element_not_found(list_id))
        found.update(dict.fromkeys(company.txn_ids_for_customer(list_id)))
    return list(found)


def txn_date_range(node: etree._Element, today: date, filters: Filters) -> None:
    """A ``TxnDateRangeFilter``: dates or a ``DateMacro``, on TxnDate."""
    macro = text_of(node, "DateMacro")
    if macro is not None:
        span = date_macro_range(macro, today)
        if span is None:
            filters.warning = unsupported_enum(macro, "DateMacro")
            return
        start, end = span
    else:
        start, end = read_date(node, "FromTxnDate"), read_date(node, "ToTxnDate")
        if start is not None and end is not None and start > end:
            raise RequestFailed(INVALID_DATE_RANGE)
    if start is not None:
        filters.predicates.append(_at_least("txn_date", start))
    if end is not None:
        filters.predicates.append(_at_most("txn_date", end))


def date_macro_range(macro: str, today: date) -> tuple[date | None, date | None] | None:
    """The dates a ``DateMacro`` stands for, relative to the company's today (``None``:
    a macro this implementation does not evaluate)."""
    month_start = today.replace(day=1)
    last_month_end = month_start - timedelta(days=1)
    week_start = today - timedelta(days=(today.weekday() + 1) % 7)  # weeks start on Sunday
    spans: dict[str, tuple[date | None, date | None]] = {
        "All": (None, None),
        "Today": (today, today),
        "Yesterday": (today - timedelta(days=1), today - timedelta(days=1)),
        "ThisWeek": (week_start, week_start + timedelta(days=6)),
        "ThisWeekToDate": (week_start, today),
        "LastWeek": (week_start - timedelta(days=7), week_start - timedelta(days=1)),
        "ThisMonth": (month_start, _month_end(today)),
        "ThisMonthToDate": (month_start, today),
        "LastMonth": (last_month_end.replace(day=1), last_month_end),
        "ThisCalendarYear": (date(today.year, 1, 1), date(today.year, 12, 31)),
        "ThisCalendarYearToDate": (date(today.year, 1, 1), today),
        "LastCalendarYear": (date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    }
    return spans.get(macro)


def _month_end(day: date) -> date:
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return next_month - timedelta(days=1)


def deleted_range(rq: etree._Element, tz: tzinfo) -> tuple[datetime | None, datetime | None]:
    """``DeletedDateRangeFilter`` bounds of a ListDeleted/TxnDeleted query."""
    node = child(rq, "DeletedDateRangeFilter")
    if node is None:
        return None, None
    start = read_datetime(node, "FromDeletedDate", tz, end_of_day=False)
    end = read_datetime(node, "ToDeletedDate", tz, end_of_day=True)
    if start is not None and end is not None and start > end:
        raise RequestFailed(INVALID_DATE_RANGE)
    return start, end
