"""Word pools for generated companies, and unique-name makers built on them.

Some generated names deliberately carry XML-special characters (``&``, ``<``, ``"``, ``'``)
and Latin-1 letters, because those are what break escaping in real integrations; nothing
here goes beyond Latin-1, which is all QuickBooks Desktop (US) can store.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Container
from decimal import Decimal

from qwc_service.simulator.quickbooks.records import Address, ItemKind

FIRST_NAMES = (
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Carlos", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty",
    "Mark", "Sandra", "Paul", "Ashley", "Steven", "Emily", "Andrew", "Michelle", "Kenji",
    "Amélie", "José", "Zoë", "Søren", "Renée",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "O'Brien", "Müller", "Núñez", "Åberg",
)  # fmt: skip
TRADES = (
    "Plumbing", "Bakery", "Landscaping", "Electric", "Roofing", "Dental", "Catering",
    "Auto Repair", "Design", "Consulting", "Hardware", "Florist", "Printing", "Cleaning",
    "Builders", "Veterinary", "Coffee", "Law Office", "Fitness", "Outfitters",
)  # fmt: skip
PLACES = (
    "Bayview", "Redwood", "Harbor", "Summit", "Lakeside", "Pinecrest", "Riverside", "Oak Hill",
    "Granite", "Sunset", "Maple", "Cedar Creek", "Northgate", "Willow", "Golden Gate",
)  # fmt: skip
CORP_SUFFIXES = ("LLC", "Inc.", "Co.", "Ltd.", "Group", "Partners")
SPECIAL_CUSTOMER_NAMES = (
    "Smith & Sons",
    "Café Olé",
    'The "Best" Bakery',
    "O'Brien <Design> Studio",
    "Müller Bäckerei GmbH",
    "Señor Frío Cooling",
    "Zoë's Crème Brûlée",
    "AT&T Field Office #12",
    "Björk & Høst ApS",
    "Ångström Optics",
)
STREETS = (
    "Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park",
    "Sunset", "Mission", "Market", "Broadway", "Ocean", "Valley", "Church", "Spring",
)  # fmt: skip
STREET_KINDS = ("St", "Ave", "Blvd", "Rd", "Way", "Ln", "Dr")
CITIES = (
    ("San Mateo", "CA", "94401"), ("Palo Alto", "CA", "94301"), ("Portland", "OR", "97214"),
    ("Seattle", "WA", "98101"), ("Boise", "ID", "83702"), ("Reno", "NV", "89501"),
    ("Phoenix", "AZ", "85004"), ("Denver", "CO", "80202"), ("Austin", "TX", "78701"),
    ("Chicago", "IL", "60601"), ("Storrs", "CT", "06268"), ("Burlington", "VT", "05401"),
    ("Middlefield", "CA", "94471"), ("Eugene", "OR", "97401"), ("Tucson", "AZ", "85701"),
)  # fmt: skip
SERVICE_PRODUCTS = (
    "Consulting", "Installation", "Design Hours", "Repairs", "Site Visit", "Training",
    "Maintenance", "Labor", "Delivery", "Setup Fee", "Support Plan", "Inspection",
)  # fmt: skip
GOODS = (
    "Widget", "Gadget", "Cabinet", "Faucet", "Door Hinge", "Lamp", "Shelf", "Bracket", "Panel",
    "Valve", "Fan", "Filter", "Cable", "Switch", "Sprocket", "Gasket", "Tile", "Mirror",
)  # fmt: skip
GOODS_VARIANTS = ("Small", "Large", "Blue", "Oak", "Steel", "Brass", "Deluxe", "Basic", "XL")
SPECIAL_ITEM_NAMES = (
    "Bolts & Nuts (100)",
    "Crème Brûlée Kit",
    'Pipe 3/4" <Copper>',
    "Café Table, Oak",
    "Señal Booster",
)
MEMOS = (
    "Thank you for your business!",
    "Net 30 - please remit to the address above",
    "Delivered to the café on the 3rd floor",
    "Prices in US$ & taxes excluded",
    'Quote #"A-17" <approved>',
    "Rush order per Zoë",
)


def _fit(base: str, suffix: str, limit: int) -> str:
    return base[: limit - len(suffix)].rstrip() + suffix


def free_name(base: str, limit: int, taken: Container[str]) -> str:
    """``base``, or ``base 2``, ``base 3`` … trimmed to ``limit``: the first whose casefold is
    not in ``taken``."""
    candidate = _fit(base, "", limit)
    n = 1
    while candidate.casefold() in taken:
        n += 1
        candidate = _fit(base, f" {n}", limit)
    return candidate


class UniqueNames:
    """Hands out names unique (case-insensitively) within one list, never over ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._taken: set[str] = set()

    def claim(self, base: str) -> str:
        """``base`` if free, else ``base 2``, ``base 3`` … trimmed to fit the limit."""
        candidate = _fit(base, "", self.limit)
        n = 1
        while candidate.casefold() in self._taken:
            n += 1
            candidate = _fit(base, f" {n}", self.limit)
        self._taken.add(candidate.casefold())
        return candidate


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only (for generated e-mail addresses)."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def customer_base_name(rng: random.Random, index: int) -> tuple[str, bool]:
    """A customer name and whether it is a business (special names on every 7th slot)."""
    special = index // 7
    if index % 7 == 2 and special < len(SPECIAL_CUSTOMER_NAMES):
        return SPECIAL_CUSTOMER_NAMES[special], True
    pattern = rng.randrange(5)
    last = rng.choice(LAST_NAMES)
    if pattern == 0:
        return f"{rng.choice(FIRST_NAMES)} {last}", False
    if pattern == 1:
        return f"{last} {rng.choice(TRADES)}", True
    if pattern == 2:
        return f"{last} & {rng.choice(LAST_NAMES)}", True
    if pattern == 3:
        return f"{rng.choice(PLACES)} {rng.choice(TRADES)} {rng.choice(CORP_SUFFIXES)}", True
    return f"{rng.choice(PLACES)} {rng.choice(TRADES)}", True


def random_address(rng: random.Random) -> Address:
    """A plausible US street address."""
    city, state, postal = rng.choice(CITIES)
    lines = [f"{rng.randint(10, 9999)} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"]
    if rng.random() < 0.2:
        lines.append(f"Suite {rng.randint(1, 40) * 10}")
    return Address(lines=tuple(lines), city=city, state=state, postal_code=postal)


def random_phone(rng: random.Random) -> str:
    """A fictional (555) US phone number."""
    return f"({rng.randint(201, 989)}) 555-{rng.randint(100, 9999):04d}"


def item_base(rng: random.Random, index: int) -> tuple[str, ItemKind]:
    """An item name and kind (special names on every 7th slot)."""
    special = index // 7
    roll = rng.random()
    kind: ItemKind = "Service" if roll < 0.4 else "NonInventory" if roll < 0.7 else "Inventory"
    if index % 7 == 3 and special < len(SPECIAL_ITEM_NAMES):
        return SPECIAL_ITEM_NAMES[special], "Inventory" if kind == "Service" else kind
    if kind == "Service":
        return rng.choice(SERVICE_PRODUCTS), kind
    return f"{rng.choice(GOODS)}, {rng.choice(GOODS_VARIANTS)}", kind


def item_price(rng: random.Random, kind: ItemKind) -> Decimal:
    """An hourly rate for services, a shelf price for goods."""
    if kind == "Service":
        return Decimal(rng.choice((45, 60, 75, 85, 95, 120, 150))).quantize(Decimal("0.01"))
    return Decimal(rng.randint(199, 49999)) / 100


# Names for the lists generated from the registry; past the end of a pool names repeat
# with a number ("Freight 2"), and lists without a pool are named after their label.
LIST_WORDS: dict[str, tuple[str, ...]] = {
    "Account": (
        "Office Supplies", "Rent Expense", "Utilities", "Telephone", "Insurance Expense",
        "Repairs & Maintenance", "Advertising", "Bank Service Charges", "Payroll Expenses",
        "Accounts Payable", "Savings", "Petty Cash", "Loan Payable", "Owner's Equity",
        "Interest Income", "Freight Income", "Travel & Ent", "Professional Fees",
    ),
    "BillingRate": ("Standard Rate", "Senior Rate", "After Hours", "Weekend Rate"),
    "Class": ("Residential", "Commercial", "Remodel", "New Construction", "Overhead"),
    "Currency": (
        "Canadian Dollar", "Euro", "British Pound Sterling", "Mexican Peso", "Japanese Yen",
        "Swiss Franc", "Australian Dollar",
    ),
    "CustomerMsg": (
        "Thank you for your business.", "Please remit to above address.",
        "We appreciate your prompt payment.", "It's been a pleasure working with you!",
    ),
    "CustomerType": ("Commercial", "Residential", "Referral", "From advertisement", "Retail"),
    "DateDrivenTerms": ("Due 10th", "Due 15th", "Due end of month", "2% 10th Net 25th"),
    "InventorySite": ("Main Warehouse", "Drop Ship", "Truck 1", "Back Room", "Store Front"),
    "JobType": ("New Construction", "Remodel", "Repair", "Inspection", "Installation"),
    "OtherName": ("Owner Draw", "Petty Cash Box", "State Revenue Dept", "Landlord"),
    "PaymentMethod": ("Wire Transfer", "Money Order", "PayPal", "Gift Card", "Debit Card"),
    "PayrollItemNonWage": ("Federal Withholding", "Medicare Company", "Social Security",
                           "Health Insurance", "401(k) Employee"),
    "PayrollItemWage": ("Salary", "Hourly Rate", "Overtime Rate", "Sick Salary", "Bonus"),
    "PriceLevel": ("Wholesale", "Preferred", "Contractor", "Holiday Sale", "Employee"),
    "SalesTaxCode": ("Tax", "Non", "Out", "Res", "Gov", "Wh"),
    "ShipMethod": ("UPS", "FedEx", "USPS", "DHL", "Freight", "Pickup", "Courier"),
    "StandardTerms": ("Net 15", "Net 30", "Net 60", "Due on receipt", "1% 10 Net 30"),
    "Template": ("Intuit Service Invoice", "Intuit Product Invoice", "Custom Estimate",
                 "Packing Slip", "Custom Sales Receipt"),
    "UnitOfMeasureSet": ("Count by the each", "Weight in pounds", "Length in feet",
                         "Volume in gallons", "Time in hours"),
    "Vehicle": ("Ford F-150", "Chevy Van", "Toyota Tacoma", "Box Truck", "Honda Civic"),
    "VendorType": ("Materials", "Subcontractors", "Suppliers", "Service Providers", "Tax agency"),
    "WorkersCompCode": ("5403 Carpentr", "8810 Clerical", "5183 Plumbing", "5190 Electric"),
    "ItemOtherCharge": ("Freight", "Handling", "Permit Fee", "Reimb Expense", "Rush Charge"),
    "ItemInventoryAssembly": ("Cabinet Set", "Door Kit", "Lamp Assembly", "Shelf Unit"),
    "ItemFixedAsset": ("Delivery Truck", "Forklift", "Office Computer", "Table Saw"),
    "ItemSubtotal": ("Subtotal", "Materials Subtotal", "Labor Subtotal"),
    "ItemDiscount": ("Discount 10%", "Contractor Discount", "Early Payment", "Promo"),
    "ItemPayment": ("Deposit", "Retainer", "Down Payment"),
    "ItemSalesTax": ("San Tomas", "East Bayshore", "City Tax", "County Tax", "State Tax"),
    "ItemSalesTaxGroup": ("Combined Tax", "Bay Area Tax", "Metro Tax"),
    "ItemGroup": ("Door Install Pack", "Tune-up Package", "Starter Kit", "Bath Remodel"),
}  # fmt: skip
VENDOR_WORDS = ("Supply", "Wholesale", "Distributors", "Lumber", "Rentals", "Services")


def person_name(rng: random.Random) -> tuple[str, str]:
    """A first and last name."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def entity_name(rng: random.Random, object_name: str) -> str:
    """A name for a generated vendor, employee or other name."""
    first, last = person_name(rng)
    if object_name == "Vendor":
        return f"{rng.choice(PLACES)} {rng.choice(VENDOR_WORDS)}"
    return f"{first} {last}"
