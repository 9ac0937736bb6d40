"""The setup and support pages as a customer sees them: the brand, its contact, the file
name, and what to know on a shared server."""

from __future__ import annotations

from collections.abc import Iterator

import lxml.html
import pytest
from lxml import etree

from qwc_service.app import QwcApp, create_app
from qwc_service.config import Settings
from qwc_service.setup.content import SHARED_SERVER, TROUBLESHOOTING
from tests.api.client import call_wsgi
from tests.factories import make_connection
from tests.setup.helpers import add_linked_machine, element_attribute, element_text
from tests.setup.install_helpers import issue_link

BRAND = {
    "brand_name": "Acme Payments",
    "brand_support_url": "https://help.acme.example/qbwc",
    "brand_support_email": "support@acme.example",
    "brand_support_phone": "+1 (555) 010-2000",
    "brand_logo_url": "https://cdn.acme.example/brand/logo.png",
}
CONTACT = (
    "Need help? Contact Acme Payments: https://help.acme.example/qbwc / "
    "support@acme.example / +1 (555) 010-2000"
)


@pytest.fixture
def branded(settings: Settings) -> Iterator[QwcApp]:
    """The application with every QWC_BRAND_* setting given."""
    application = create_app(settings.with_overrides(**BRAND))
    yield application
    application.engine.dispose()


def _img_src(policy: str) -> str:
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    return directives["img-src"]


def test_setup_page_carries_the_brand_its_logo_and_contact(branded: QwcApp) -> None:
    """Header with logo and name, the "Need help?" line with each contact as a link, the
    title, and a CSP that lets the logo's origin (only it) serve images."""
    machine = add_linked_machine(branded, make_connection(branded, "Browser Widgets Inc"))
    page = call_wsgi(branded, "GET", machine.page)
    assert page.status == 200
    assert element_text(page.body, "brand-name") == "Acme Payments"
    assert element_attribute(page.body, "brand-logo", "src") == BRAND["brand_logo_url"]
    assert element_text(page.body, "brand-contact") == CONTACT
    hrefs = {
        kind: element_attribute(page.body, f"brand-support-{kind}", "href")
        for kind in ("url", "email", "phone")
    }
    assert hrefs == {
        "url": "https://help.acme.example/qbwc",
        "email": "mailto:support@acme.example",
        "phone": "tel:+15550102000",
    }
    title = lxml.html.fromstring(page.body).findtext(".//title")
    assert title is not None and title.endswith(" · Acme Payments")
    assert "with Acme Payments" in element_text(page.body, "lead")
    policy = page.headers["content-security-policy"]
    assert _img_src(policy) == "'self' data: https://cdn.acme.example"


def test_unbranded_page_names_the_app_and_allows_no_other_image_origin(app: QwcApp) -> None:
    """Without QWC_BRAND_*: the app's name, no logo, and who to ask."""
    machine = add_linked_machine(app, make_connection(app))
    page = call_wsgi(app, "GET", machine.page)
    assert element_text(page.body, "brand-name") == "qwc-service"
    assert lxml.html.fromstring(page.body).get_element_by_id("brand-logo", None) is None
    assert element_text(page.body, "brand-contact") == (
        "Need help? Contact qwc-service, the company that sent you this link."
    )
    assert _img_src(page.headers["content-security-policy"]) == "'self' data:"


def test_refusal_pages_carry_the_brand_and_nothing_of_the_machine(branded: QwcApp) -> None:
    """A link that does not work still shows whose it is and how to reach them."""
    machine = add_linked_machine(branded, make_connection(branded, "Browser Widgets Inc"))
    reply = call_wsgi(branded, "GET", f"/setup/{'x' * 43}")
    assert reply.status == 404
    assert element_text(reply.body, "brand-name") == "Acme Payments"
    assert element_text(reply.body, "brand-contact") == CONTACT
    assert _img_src(reply.headers["content-security-policy"]).endswith("https://cdn.acme.example")
    for secret in (machine.password, machine.username, "Browser Widgets Inc"):
        assert secret.encode() not in reply.body


def test_download_is_named_and_labelled_like_the_application(branded: QwcApp) -> None:
    """Button label, download attribute and Content-Disposition carry the readable name, and
    the page names the AppName QuickBooks will ask about."""
    machine = add_linked_machine(branded, make_connection(branded, "Browser Widgets Inc"))
    page = call_wsgi(branded, "GET", machine.page).body
    file_name = "Acme Payments - Browser Widgets Inc (Front office PC).qwc"
    assert element_text(page, "download-qwc") == f"Download {file_name}"
    assert element_attribute(page, "download-qwc", "download") == file_name
    download = call_wsgi(branded, "GET", machine.page + "/qwc")
    assert download.headers["content-disposition"] == f'attachment; filename="{file_name}"'
    root = etree.fromstring(download.body, etree.XMLParser(resolve_entities=False))
    app_name = root.findtext("AppName")
    assert app_name == "Acme Payments - Browser Widgets Inc (Front office PC)"
    assert element_text(page, "application-name") == app_name
    assert machine.username not in file_name


def test_app_support_stays_on_this_server_and_names_the_brand(branded: QwcApp) -> None:
    """The .qwc's AppSupport is this server's /support (the Web Connector wants AppURL's
    host), and that page names the brand and links its contact."""
    machine = add_linked_machine(branded, make_connection(branded))
    qwc = etree.fromstring(call_wsgi(branded, "GET", machine.page + "/qwc").body)
    assert qwc.findtext("AppSupport") == f"{branded.settings.public_url}/support"
    support = call_wsgi(branded, "GET", "/support")
    assert support.status == 200
    document = lxml.html.fromstring(support.body)
    assert document.findtext(".//h1") == "Acme Payments"
    assert element_text(support.body, "brand-contact") == (
        "Contact Acme Payments: https://help.acme.example/qbwc / support@acme.example / "
        "+1 (555) 010-2000"
    )
    links = document.get_element_by_id("brand-contact").findall(".//a")
    assert [a.get("href") for a in links] == [
        "https://help.acme.example/qbwc",
        "mailto:support@acme.example",
        "tel:+15550102000",
    ]


def test_unbranded_support_page_says_who_to_ask(app: QwcApp) -> None:
    """Without a brand contact the support page names the company that gave the file."""
    support = call_wsgi(app, "GET", "/support")
    assert element_text(support.body, "brand-contact") == (
        "Contact qwc-service, the company that gave you the .qwc file."
    )


def test_shared_server_guidance_comes_in_the_order_it_happens(app: QwcApp) -> None:
    """Own Windows login, same permission level, a sync user, keep it running, and Admin in
    single-user mode only the first time: in that order, in their own section."""
    machine = add_linked_machine(app, make_connection(app))
    page = call_wsgi(app, "GET", machine.page).body
    items = lxml.html.fromstring(page).get_element_by_id("guidance").findall("li")
    titles = [" ".join(item.findtext("strong").split()) for item in items]
    assert titles == [g.title for g in SHARED_SERVER]
    texts = [" ".join(item.text_content().split()) for item in items]
    for text, must in zip(
        texts,
        (
            "own Windows login",
            "as administrator",
            "already signed in",
            "Startup folder",
            "single-user mode",
        ),
        strict=True,
    ):
        assert must in text
    assert "awake" in texts[3] and "only once" in texts[4]
    assert element_attribute(page, "shared-server", "id") == "shared-server"


def test_troubleshooting_is_a_section_of_its_own(app: QwcApp) -> None:
    """The codes are listed under "If a message appears", after the steps, which link there."""
    machine = add_linked_machine(app, make_connection(app))
    page = call_wsgi(app, "GET", machine.page).body
    document = lxml.html.fromstring(page)
    steps = " ".join(document.find_class("steps")[0].text_content().split())
    section = element_text(page, "troubleshooting")
    assert section.startswith("If a message appears")
    for trouble in TROUBLESHOOTING:
        for code in trouble.codes:
            assert code in section and code not in steps
    assert document.xpath("//ol[@class='steps']//a[@href='#troubleshooting']")


def test_install_page_carries_the_brand_and_lets_its_logo_show(branded: QwcApp) -> None:
    """The installation page has the same brand header and contact as the setup page, and
    its CSP allows the logo's origin."""
    page = call_wsgi(branded, "GET", issue_link(branded, make_connection(branded)))
    assert page.status == 200
    assert element_text(page.body, "brand-name") == "Acme Payments"
    assert element_attribute(page.body, "brand-logo", "src") == BRAND["brand_logo_url"]
    assert element_text(page.body, "brand-contact") == CONTACT
    assert _img_src(page.headers["content-security-policy"]) == (
        "'self' data: https://cdn.acme.example"
    )
