"""The layout of Intuit's reference material and the names of the files tests run over.

Only names live here: the files are opened through the ``reference`` fixture, so collecting the
tests never touches the disk. ``tests/test_reference_files.py`` checks each list against its
folder, so a file added there is not silently left out.
"""

from __future__ import annotations

#: What the ``reference`` fixture expects to find in the reference folder.
REFERENCE_LAYOUT = (
    "QBWebConnectorSvc.wsdl",
    "captures",
    "qbxml-samples",
    "qbxml-schema",
    "samples",
)

_HCP = "HCP-HostQueryRs-CompanyQueryRs-PreferencesQueryRs-"
PREMIER_HCP = f"{_HCP}QBPremier2012-johnballantyne-qbws.xml"
MALFORMED_HCP = f"{_HCP}QBPro2014-MALFORMED-qbwc-qbwc.xml"
FRAGMENT_SAMPLE = "ReceivePaymentRet-fragment-LinkedTxn-consolibyte-quickbooks-php.xml"
SOAP_SAMPLE = "receiveResponseXML-SOAP-ItemServiceAddRs-3100-consolibyte-quickbooks-php.xml"
PRO2014_CAPTURE = "strHCPResponse-QuickBooksPro2014-qbwc-gem-test_helper.xml"

#: Every ``*.xml`` file in qbxml-samples/.
QBXML_SAMPLES = (
    "AccountQueryRs-qbwc-qbxml.xml",
    "CreditMemoAddRs-jwachira-quickbooks-sync.xml",
    "CustomerAddRs-3100-NameInUse-Error-jwachira-quickbooks-sync.xml",
    "CustomerAddRs-qbwc-qbwc.xml",
    "CustomerAddRs-qbwc-qbxml.xml",
    "CustomerModRs-3200-EditSequence-Error-jwachira-quickbooks-sync.xml",
    "CustomerModRs-530-Warn-jwachira-quickbooks-sync.xml",
    "CustomerQueryRs-3120-ObjectNotFound-Error-qbwc-qbwc.xml",
    "CustomerQueryRs-500-Warn-qbwc-qbwc.xml",
    "CustomerQueryRs-InvoiceQueryRs-iterator-first-page-jwachira-quickbooks-sync.xml",
    "CustomerQueryRs-empty-statusCode0-jwachira-quickbooks-sync.xml",
    "CustomerQueryRs-iterator-last-page-jwachira-quickbooks-sync.xml",
    "CustomerQueryRs-iterator-qbwc-qbxml.xml",
    "CustomerQueryRs-qbwc-qbxml.xml",
    PREMIER_HCP,
    MALFORMED_HCP,
    "InvoiceQueryRs-InvoiceLineRet-jwachira-quickbooks-sync.xml",
    "ItemInventoryAddRs-qbwc-qbxml.xml",
    "ItemQueryRs-ItemServiceRet-jwachira-quickbooks-sync.xml",
    "ListDelRs-Customer-jwachira-quickbooks-sync.xml",
    "MultiRs-Customer-Invoice-Item-QueryRs-jwachira-quickbooks-sync.xml",
    "PurchaseOrderQueryRs-iterator-DataExtRet-qbwc-qbxml.xml",
    "ReceivePaymentAddRs-consolibyte-wiki.xml",
    "ReceivePaymentAddRs-minimal-jwachira-quickbooks-sync.xml",
    "ReceivePaymentQueryRs-qbwc-qbxml.xml",
    FRAGMENT_SAMPLE,
    "SalesReceiptAddRs-qbwc-qbxml.xml",
    SOAP_SAMPLE,
)
#: The samples that are not a complete, well-formed QBXML response document.
NOT_RESPONSES = frozenset({MALFORMED_HCP, FRAGMENT_SAMPLE, SOAP_SAMPLE})
#: Every sample that is a complete, well-formed QBXML response document.
RESPONSE_SAMPLES = tuple(name for name in QBXML_SAMPLES if name not in NOT_RESPONSES)

#: Every ``*-request-RECONSTRUCTED-document-style.xml`` file in captures/.
RECONSTRUCTED_REQUESTS = tuple(
    f"{method}-request-RECONSTRUCTED-document-style.xml"
    for method in (
        "authenticate",
        "clientVersion",
        "closeConnection",
        "connectionError",
        "getInteractiveURL",
        "getLastError",
        "interactiveDone",
        "interactiveRejected",
        "receiveResponseXML-hresult-error",
        "sendRequestXML",
        "serverVersion",
    )
)

FLOWLINK_QWC = "flowlink-quickbooks_desktop_integration.sample.qwc"
CONSOLIBYTE_QWC = "consolibyte-quickbooks-php.docs.web_connector.example.qwc"
INTUIT_HTTPS_QWC = "IntuitDeveloper-QBXML_SDK_Samples.WCWebService.HTTPSWebService.qwc"
INTUIT_HTTP_QWC = "IntuitDeveloper-QBXML_SDK_Samples.WCWebService.HTTPWebService.qwc"
#: Every ``*.qwc`` file in samples/.
QWC_SAMPLES = (
    "IntuitDeveloper-QBXML_SDK_Samples.WCECommSample.TestService.qwc",
    INTUIT_HTTPS_QWC,
    INTUIT_HTTP_QWC,
    CONSOLIBYTE_QWC,
    FLOWLINK_QWC,
    "holmes2136-ShopCart.QBExporter.qwc",
    "moumita-ray-quickbooks-xml.customer_import.qwc",
)

#: Every capture starts with a comment header, then a line like this; the payload follows it.
PAYLOAD_MARKER = b"<!-- ====="


def capture_payload(data: bytes) -> bytes:
    """The payload of a capture file: every byte after its marker line."""
    end = 0
    for line in data.splitlines(keepends=True):
        end += len(line)
        if line.startswith(PAYLOAD_MARKER) and line.rstrip().endswith(b"===== -->"):
            return data[end:]
    raise AssertionError("the capture has no payload marker line")
