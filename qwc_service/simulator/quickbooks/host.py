"""HostRet, CompanyRet and PreferencesRet: what QBWC puts in strHCPResponse.

Shapes follow the two real strHCPResponse captures (QuickBooks Premier 2012 and Pro 2014):
the same SubscribedServices list, DataExtRet entries under the application's OwnerID, and a
PreferencesRet with the defaults of a fresh US company file.
"""

from __future__ import annotations

from collections.abc import Iterable

from qwc_service.simulator.quickbooks.company import Company
from qwc_service.simulator.quickbooks.documents import El, group, leaf

SUBSCRIBED_SERVICES = (
    ("QuickBooks Online Banking", "banking.qb"),
    ("QuickBooks Online Billing", "billing.qb"),
    ("QuickBooks Online Billing Level 1 Service", "qbob1.qbn"),
    ("QuickBooks Online Billing Level 2 Service", "qbob2.qbn"),
    ("QuickBooks Online Billing Payment Service", "qbobpay.qbn"),
    ("QuickBooks Bill Payment", "billpay.qb"),
    ("QuickBooks Online Billing Paper Mailing Service", "qbobpaper.qbn"),
    ("QuickBooks Payroll Service", "payroll.qb"),
    ("QuickBooks Basic Payroll Service", "payrollbsc.qb"),
    ("QuickBooks Basic Disk Payroll Service", "payrollbscdisk.qb"),
    ("QuickBooks Deluxe Payroll Service", "payrolldlx.qb"),
    ("QuickBooks Premier Payroll Service", "payrollprm.qb"),
    ("Basic Plus Federal", "basic_plus_fed.qb"),
    ("Basic Plus Federal and State", "basic_plus_fed_state.qb"),
    ("Basic Plus Direct Deposit", "basic_plus_dd.qb"),
    ("Merchant Account Service", "mas.qbn"),
)

PREFERENCES: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("AccountingPreferences", (
        ("IsUsingAccountNumbers", "false"), ("IsRequiringAccounts", "true"),
        ("IsUsingClassTracking", "false"), ("IsUsingAuditTrail", "true"),
        ("IsAssigningJournalEntryNumbers", "true"),
    )),
    ("FinanceChargePreferences", (
        ("AnnualInterestRate", "0.00"), ("MinFinanceCharge", "0.00"), ("GracePeriod", "0"),
        ("IsAssessingForOverdueCharges", "false"), ("CalculateChargesFrom", "DueDate"),
        ("IsMarkedToBePrinted", "false"),
    )),
    ("JobsAndEstimatesPreferences", (
        ("IsUsingEstimates", "true"), ("IsUsingProgressInvoicing", "false"),
        ("IsPrintingItemsWithZeroAmounts", "false"),
    )),
    ("MultiCurrencyPreferences", (("IsMultiCurrencyOn", "false"),)),
    ("MultiLocationInventoryPreferences", (
        ("IsMultiLocationInventoryAvailable", "false"),
        ("IsMultiLocationInventoryEnabled", "false"),
    )),
    ("PurchasesAndVendorsPreferences", (
        ("IsUsingInventory", "true"), ("DaysBillsAreDue", "10"),
        ("IsAutomaticallyUsingDiscounts", "false"),
    )),
    ("ReportsPreferences", (
        ("AgingReportBasis", "AgeFromDueDate"), ("SummaryReportBasis", "Accrual"),
    )),
)  # fmt: skip


def host_ret(company: Company) -> El:
    """``HostRet``: product, version, and every qbXML version this QuickBooks accepts."""
    return El(
        "HostRet",
        children=[
            El("ProductName", company.product_name),
            El("MajorVersion", company.major_version),
            El("MinorVersion", company.minor_version),
            El("Country", company.country),
            *(El("SupportedQBXMLVersion", v) for v in company.supported_qbxml_versions),
            El("IsAutomaticLogin", "false"),
            El("QBFileMode", "SingleUser"),
        ],
    )


def data_ext_ret(owner_id: str, name: str, value: str) -> El:
    """A ``DataExtRet`` of type STR255TYPE (the type QBWC uses for FileID and AppLock)."""
    return El(
        "DataExtRet",
        children=[
            El("OwnerID", owner_id),
            El("DataExtName", name),
            El("DataExtType", "STR255TYPE"),
            El("DataExtValue", value),
        ],
    )


def company_ret(company: Company, owner_ids: Iterable[str] | None) -> El:
    """``CompanyRet`` with DataExtRet for the given OwnerIDs (every owner when ``None``)."""
    address = company.address
    addr_children: list[El | None] = []
    block: list[El | None] = []
    if address is not None:
        addr_children = [
            *(leaf(f"Addr{i}", line) for i, line in enumerate(address.lines[:5], start=1)),
            leaf("City", address.city),
            leaf("State", address.state),
            leaf("PostalCode", address.postal_code),
            leaf("Country", address.country),
        ]
        block = [leaf(f"Addr{i}", line) for i, line in enumerate(address.block(), start=1)]
    services = [
        El("Service", children=[El("Name", n), El("Domain", d), El("ServiceStatus", "Never")])
        for n, d in SUBSCRIBED_SERVICES
    ]
    return El(
        "CompanyRet",
        children=[
            El("IsSampleCompany", "false"),
            El("CompanyName", company.company_name),
            El("LegalCompanyName", company.legal_name),
            group("Address", *addr_children),
            group("AddressBlock", *block),
            group("LegalAddress", *addr_children),
            leaf("Phone", company.phone),
            leaf("Email", company.email),
            El("FirstMonthFiscalYear", "January"),
            El("FirstMonthIncomeTaxYear", "January"),
            El("CompanyType", "WholesaleDistributionandSales"),
            El("EIN", "12-3456789"),
            El("TaxForm", "Form1120"),
            El("SubscribedServices", children=services),
            El("AccountantCopy", children=[El("AccountantCopyExists", "false")]),
            *(data_ext_ret(o, n, v) for o, n, v in company.data_exts_for(owner_ids)),
        ],
    )


def preferences_ret() -> El:
    """A ``PreferencesRet`` of a plain US company file."""
    sections = [
        El(section, children=[El(tag, value) for tag, value in fields])
        for section, fields in PREFERENCES
    ]
    sales = El(
        "SalesAndCustomersPreferences",
        children=[
            El("IsTrackingReimbursedExpensesAsIncome", "false"),
            El("IsAutoApplyingPayments", "true"),
            El("PriceLevels", children=[
                El("IsUsingPriceLevels", "true"), El("IsRoundingSalesPriceUp", "true"),
            ]),
        ],
    )  # fmt: skip
    tail = [
        El("TimeTrackingPreferences", children=[El("FirstDayOfWeek", "Monday")]),
        El("CurrentAppAccessRights", children=[
            El("IsAutomaticLoginAllowed", "false"), El("IsPersonalDataAccessAllowed", "false"),
        ]),
        El("ItemsAndInventoryPreferences", children=[
            El("EnhancedInventoryReceivingEnabled", "false"),
            El("IsTrackingSerialOrLotNumber", "None"),
            El("FIFOEnabled", "false"),
            El("IsRSBEnabled", "false"),
            El("IsBarcodeEnabled", "false"),
        ]),
    ]  # fmt: skip
    return El("PreferencesRet", children=[*sections, sales, *tail])
