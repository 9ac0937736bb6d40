"""The choices the schema cannot make: which objects the registry covers and what we call them.

Everything else about an object is read from the schema. The generator fails when the schema
has a query this module neither covers nor leaves out, or an item kind it does not name.
"""

from __future__ import annotations

__all__ = ["AGGREGATE_QUERIES", "ITEM", "LEFT_OUT", "NAMES"]

# Object name -> (user-facing name, snake_case plural), in the registry's order. The
# plurals the server used before the registry (customers, items, invoices, payments) stay.
NAMES: dict[str, tuple[str, str]] = {
    # Lists
    "Account": ("Account", "accounts"),
    "BillingRate": ("Billing rate", "billing_rates"),
    "Class": ("Class", "classes"),
    "Currency": ("Currency", "currencies"),
    "Customer": ("Customer", "customers"),
    "CustomerMsg": ("Customer message", "customer_messages"),
    "CustomerType": ("Customer type", "customer_types"),
    "DateDrivenTerms": ("Date-driven terms", "date_driven_terms"),
    "Employee": ("Employee", "employees"),
    "InventorySite": ("Inventory site", "inventory_sites"),
    "JobType": ("Job type", "job_types"),
    "OtherName": ("Other name", "other_names"),
    "PaymentMethod": ("Payment method", "payment_methods"),
    "PayrollItemNonWage": ("Payroll non-wage item", "payroll_non_wage_items"),
    "PayrollItemWage": ("Payroll wage item", "payroll_wage_items"),
    "PriceLevel": ("Price level", "price_levels"),
    "SalesRep": ("Sales rep", "sales_reps"),
    "SalesTaxCode": ("Sales tax code", "sales_tax_codes"),
    "ShipMethod": ("Shipping method", "ship_methods"),
    "StandardTerms": ("Standard terms", "standard_terms"),
    "Template": ("Template", "templates"),
    "UnitOfMeasureSet": ("Unit of measure set", "unit_of_measure_sets"),
    "Vehicle": ("Vehicle", "vehicles"),
    "Vendor": ("Vendor", "vendors"),
    "VendorType": ("Vendor type", "vendor_types"),
    "WorkersCompCode": ("Workers' comp code", "workers_comp_codes"),
    # Items: the list, then each kind ItemQueryRs returns
    "Item": ("Item", "items"),
    "ItemService": ("Service item", "service_items"),
    "ItemNonInventory": ("Non-inventory item", "non_inventory_items"),
    "ItemOtherCharge": ("Other charge item", "other_charge_items"),
    "ItemInventory": ("Inventory item", "inventory_items"),
    "ItemInventoryAssembly": ("Inventory assembly item", "inventory_assembly_items"),
    "ItemFixedAsset": ("Fixed asset item", "fixed_asset_items"),
    "ItemSubtotal": ("Subtotal item", "subtotal_items"),
    "ItemDiscount": ("Discount item", "discount_items"),
    "ItemPayment": ("Payment item", "payment_items"),
    "ItemSalesTax": ("Sales tax item", "sales_tax_items"),
    "ItemSalesTaxGroup": ("Sales tax group item", "sales_tax_group_items"),
    "ItemGroup": ("Group item", "group_items"),
    # Transactions
    "ARRefundCreditCard": ("Credit card refund", "ar_refund_credit_cards"),
    "Bill": ("Bill", "bills"),
    "BillPaymentCheck": ("Bill payment by check", "bill_payment_checks"),
    "BillPaymentCreditCard": ("Bill payment by credit card", "bill_payment_credit_cards"),
    "BuildAssembly": ("Assembly build", "build_assemblies"),
    "Charge": ("Statement charge", "charges"),
    "Check": ("Check", "checks"),
    "CreditCardCharge": ("Credit card charge", "credit_card_charges"),
    "CreditCardCredit": ("Credit card credit", "credit_card_credits"),
    "CreditMemo": ("Credit memo", "credit_memos"),
    "Deposit": ("Deposit", "deposits"),
    "Estimate": ("Estimate", "estimates"),
    "InventoryAdjustment": ("Inventory adjustment", "inventory_adjustments"),
    "Invoice": ("Invoice", "invoices"),
    "ItemReceipt": ("Item receipt", "item_receipts"),
    "JournalEntry": ("Journal entry", "journal_entries"),
    "PurchaseOrder": ("Purchase order", "purchase_orders"),
    "ReceivePayment": ("Payment", "payments"),
    "SalesOrder": ("Sales order", "sales_orders"),
    "SalesReceipt": ("Sales receipt", "sales_receipts"),
    "SalesTaxPaymentCheck": ("Sales tax payment", "sales_tax_payment_checks"),
    "TimeTracking": ("Time entry", "time_entries"),
    "Transfer": ("Transfer", "transfers"),
    "TransferInventory": ("Inventory transfer", "inventory_transfers"),
    "VehicleMileage": ("Vehicle mileage", "vehicle_mileage"),
    "VendorCredit": ("Vendor credit", "vendor_credits"),
    # One document per company file
    "Company": ("Company", "company"),
    "Preferences": ("Preferences", "preferences"),
}

# The object whose query returns every item kind.
ITEM = "Item"

# Queries returning objects that have their own queries, so the registry reads those.
AGGREGATE_QUERIES: dict[str, str] = {
    "EntityQueryRq": "customers, employees, other names and vendors, without custom fields",
    "TermsQueryRq": "standard and date-driven terms",
    "TransactionQueryRq": "a summary row of every kind of transaction",
}

_REPORT = "a report, not a stored object"
_SUBSCRIPTION = "an event subscription, not company data"
_COMPUTED = "computed by QuickBooks from other objects when asked"

# Every other query of the schema, and why the registry leaves it out.
LEFT_OUT: dict[str, str] = {
    **dict.fromkeys(
        (
            "AgingReportQueryRq",
            "BudgetSummaryReportQueryRq",
            "CustomDetailReportQueryRq",
            "CustomSummaryReportQueryRq",
            "GeneralDetailReportQueryRq",
            "GeneralSummaryReportQueryRq",
            "JobReportQueryRq",
            "PayrollDetailReportQueryRq",
            "PayrollSummaryReportQueryRq",
            "TimeReportQueryRq",
        ),
        _REPORT,
    ),
    **dict.fromkeys(
        (
            "DataEventSubscriptionQueryRq",
            "UIEventSubscriptionQueryRq",
            "UIExtensionSubscriptionQueryRq",
            "DataEventRecoveryInfoQueryRq",
        ),
        _SUBSCRIPTION,
    ),
    **dict.fromkeys(
        (
            "BillToPayQueryRq",
            "ItemAssembliesCanBuildQueryRq",
            "PayrollLastPeriodQueryRq",
            "ReceivePaymentToDepositQueryRq",
            "SalesTaxPayableQueryRq",
        ),
        _COMPUTED,
    ),
    "ToDoQueryRq": "the To-Do list is not synced",
    "LeadQueryRq": "the Lead list is not synced",
    "ListDeletedQueryRq": "read as the deletions of each list",
    "TxnDeletedQueryRq": "read as the deletions of each transaction",
    "HostQueryRq": "the QuickBooks product, read from each session's HCP response",
    "CompanyActivityQueryRq": "the times of the file's last restore and condense",
    "AccountTaxLineInfoQueryRq": "the tax-form lines QuickBooks ships with, not company data",
    "Form1099CategoryAccountMappingQueryRq": "a setting of the 1099 wizard",
    "BarCodeQueryRq": "finds an item by bar code; items carry their BarCodeValue",
    "DataExtDefQueryRq": "custom field definitions, not in the first set of objects",
    "ItemSitesQueryRq": "per-site inventory quantities, not in the first set of objects",
    "SalesTaxReturnQueryRq": "sales tax return forms, not in the first set of objects",
    "SalesTaxReturnLineQueryRq": "sales tax return lines, not in the first set of objects",
}
