"""Changes a simulated company file refuses, named after the condition."""

from __future__ import annotations

from decimal import Decimal


class CompanyError(Exception):
    """A change the company file refuses."""


class NameInUse(CompanyError):
    """Another list element already has this name (names are case-insensitive)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the name {name!r} is already in use")
        self.name = name


class RecordNotFound(CompanyError):
    """No record with this ID (or name) exists."""

    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(f"{kind} {ref!r} does not exist")
        self.kind = kind
        self.ref = ref


class RecordInUse(CompanyError):
    """The record is referenced by transactions and cannot be deleted."""

    def __init__(self, kind: str, ref: str) -> None:
        super().__init__(f"{kind} {ref!r} is in use")
        self.kind = kind
        self.ref = ref


class AmountExceedsBalance(CompanyError):
    """A payment would apply more to an invoice than the invoice still owes."""

    def __init__(self, txn_id: str, amount: Decimal, balance: Decimal) -> None:
        super().__init__(f"cannot apply {amount} to invoice {txn_id!r}, which owes {balance}")
        self.txn_id = txn_id
        self.amount = amount
        self.balance = balance


class AppliedExceedsTotal(CompanyError):
    """The amounts applied to invoices add up to more than the payment itself."""

    def __init__(self, applied: Decimal, total: Decimal) -> None:
        super().__init__(f"applied {applied} exceeds the payment total {total}")
        self.applied = applied
        self.total = total
