"""The texts behind :mod:`qwc_service.qbxml.explain`: titles and fixes, keyed by code.

Titles say what happened in a few words; fixes say what a person does next and where. Keep both
short: they are joined into one line of at most 300 characters.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HRESULTS", "QBWC_CODES", "STATUS_CODES", "Entry"]


@dataclass(frozen=True)
class Entry:
    """One row: title, fix, whether an unchanged retry later may work, optional severity."""

    title: str
    fix: str
    retryable: bool = False
    severity: str | None = None


_OPEN_QB = "Open QuickBooks with the company file on that computer"

HRESULTS: dict[str, Entry] = {
    "0x80040400": Entry(
        "QuickBooks could not parse the request XML",
        "The request is not valid qbXML for this QuickBooks version (element order, unknown "
        "element or bad characters). Correct it; sending it again unchanged will fail again.",
    ),
    "0x80040401": Entry(
        "Could not access QuickBooks",
        "Check that QuickBooks opens normally for the Windows user running the Web Connector, "
        "then run the update again.",
        retryable=True,
    ),
    "0x80040402": Entry(
        "QuickBooks hit an unexpected error",
        "Restart QuickBooks and run the update again; qbsdklog.txt on that computer has details.",
        retryable=True,
    ),
    "0x80040403": Entry(
        "QuickBooks could not open the company file",
        "Check the company file path set for this connection, or clear it so the file already "
        "open in QuickBooks is used.",
    ),
    "0x80040406": Entry(
        "The company file name is not valid",
        "Set the full path of an existing .QBW file for this connection, or clear it.",
    ),
    "0x80040408": Entry(
        "Could not start QuickBooks",
        f"{_OPEN_QB}, close any dialogs, and allow this application to log in automatically "
        "(Edit > Preferences > Integrated Applications).",
    ),
    "0x8004040A": Entry(
        "A different company file is open in QuickBooks",
        "Close it and open the company file this connection belongs to, then run the update.",
    ),
    "0x8004040D": Entry(
        "The QuickBooks session ticket is no longer valid",
        "Run the update again; the Web Connector opens a new QuickBooks session.",
        retryable=True,
    ),
    "0x80040410": Entry(
        "The company file is open in the other single-user/multi-user mode",
        "Switch QuickBooks to the mode the application needs (File menu) or close the file, "
        "then run the update again.",
    ),
    "0x80040414": Entry(
        "A dialog box is open in QuickBooks",
        "Close every open window and message in QuickBooks, then run the update again.",
    ),
    "0x80040416": Entry(
        "QuickBooks is not running",
        f"{_OPEN_QB}, or set the company file path for this connection.",
    ),
    "0x80040417": Entry(
        "No company file is open and none was named",
        f"{_OPEN_QB}, or set the company file path for this connection.",
    ),
    "0x80040418": Entry(
        "This application has not been given access to the company file",
        "Log in to QuickBooks as Admin, open the company file and accept the access prompt for "
        "this application.",
    ),
    "0x8004041A": Entry(
        "QuickBooks denies this application access",
        "As Admin, allow it again in Edit > Preferences > Integrated Applications.",
    ),
    "0x8004041D": Entry(
        "This application may not log in to QuickBooks automatically",
        "As Admin, allow automatic login for it in Edit > Preferences > Integrated Applications.",
    ),
    "0x80040420": Entry(
        "The QuickBooks user refused this application access",
        "Run the update again and accept the access prompt in QuickBooks.",
    ),
    "0x80040422": Entry(
        "Another application is using the company file in single-user mode",
        "Wait for it to finish, or close it, and run the update again.",
        retryable=True,
    ),
    "0x80040424": Entry(
        "QuickBooks had not finished starting up",
        "Wait until QuickBooks has fully opened the company file and run the update again.",
        retryable=True,
    ),
}

STATUS_CODES: dict[int, Entry] = {
    0: Entry("Status OK", "Nothing to do."),
    1: Entry("No matching records", "Nothing to do: the query found nothing to return."),
    500: Entry(
        "Some of the requested records were not found",
        "The rest were returned; check the names or IDs QuickBooks lists in its message.",
    ),
    501: Entry(
        "A record cannot be shown in this qbXML version",
        "Ask for a newer qbXML version if QuickBooks supports one.",
    ),
    510: Entry("A record could not be returned", "Read QuickBooks' message for which one."),
    530: Entry(
        "A field was ignored: this QuickBooks does not support it",
        "The request was processed without it; drop the field for this QuickBooks edition.",
    ),
    531: Entry(
        "A value was ignored: this QuickBooks does not support it",
        "The request was processed without it; use a value this QuickBooks edition supports.",
    ),
    550: Entry("The notes were not saved", "Re-enter the notes in QuickBooks if needed."),
    560: Entry(
        "A deprecated field was used",
        "The request was processed; move to the field that replaces it.",
    ),
    570: Entry(
        "The transaction could not be linked to a closed transaction",
        "Link it by hand in QuickBooks if needed.",
    ),
    600: Entry(
        "Error recovery found no earlier state to report",
        "Nothing to do unless the earlier request is missing in QuickBooks.",
    ),
    1000: Entry(
        "QuickBooks had an internal error",
        "Run the update again; if it repeats, restart QuickBooks.",
    ),
    1010: Entry(
        "QuickBooks was not available to process the request",
        "Run the update again later.",
        retryable=True,
    ),
    1030: Entry(
        "QuickBooks does not support this request",
        "Use a request this QuickBooks edition and qbXML version support.",
    ),
    1060: Entry(
        "The requestID is invalid or too long",
        "requestIDs must be 50 characters at most; fix the request.",
    ),
    3000: Entry("An object ID in the request is invalid", "Correct the ListID or TxnID sent."),
    3010: Entry(
        "A true/false value in the request is invalid",
        "Send true or false for that field.",
    ),
    3020: Entry("A date in the request is invalid", "Send dates as YYYY-MM-DD."),
    3030: Entry(
        "A date range in the request is invalid",
        "Make sure the From date is not after the To date.",
    ),
    3031: Entry(
        "A text range in the request is invalid",
        "Make sure the From value sorts before the To value.",
    ),
    3100: Entry(
        "The name is already in use in QuickBooks",
        "Use a different name, or update the existing record instead of adding a new one.",
    ),
    3120: Entry(
        "The record named in the request does not exist in QuickBooks",
        "Check the ListID/TxnID or name; the record may have been deleted.",
    ),
    3140: Entry(
        "The request refers to a record that does not exist in QuickBooks",
        "Create the referenced customer, item or account first, or correct the reference.",
    ),
    3150: Entry(
        "A required element is missing from the request",
        "Add the element QuickBooks names in its message.",
    ),
    3170: Entry(
        "QuickBooks could not modify the record",
        "Another user changed or holds it; the request can be sent again shortly.",
        retryable=True,
    ),
    3175: Entry(
        "The record or list is locked by another user",
        "Send the request again shortly; it goes through once the lock is released.",
        retryable=True,
    ),
    3176: Entry(
        "The record is in use by another user",
        "Send the request again shortly; it goes through once the record is free.",
        retryable=True,
    ),
    3180: Entry(
        "The record could not be saved because it is in use",
        "Send the request again shortly; it goes through once the record is free.",
        retryable=True,
    ),
    3200: Entry(
        "The record changed in QuickBooks since it was read (stale EditSequence)",
        "Read the record again and re-apply the change with its current EditSequence.",
    ),
    3210: Entry(
        "A field has a value QuickBooks will not accept",
        "Read QuickBooks' message for the field and rule (e.g. paying more than is due).",
    ),
    3250: Entry(
        "This feature is not enabled in this QuickBooks company file",
        "Turn the feature on in QuickBooks preferences, or stop sending that request.",
    ),
    3260: Entry(
        "The QuickBooks user lacks permission for this action",
        "Give the user this application logs in as the needed rights in QuickBooks.",
    ),
    3261: Entry(
        "This application may not access personal data",
        "As Admin, allow access to personal data for it in Integrated Applications.",
    ),
    3391: Entry(
        "The query iterator expired or is unknown",
        "Start the query again from the beginning (iterator=Start) in the current session.",
    ),
    9001: Entry(
        "QuickBooks reported error 9001",
        "No documented meaning; read QuickBooks' message and keep the request for support.",
    ),
}

_NEVER_FAULT = (
    "The service must answer every call with a SOAP reply, quickly; check the service's logs "
    "for an exception or timeout at that time."
)

QBWC_CODES: dict[str, Entry] = {
    "QBWC1000": Entry(
        "AppURL and AppSupport are on different domains",
        "Re-issue the .qwc file with both URLs on this service's host name.",
    ),
    "QBWC1001": Entry(
        "AppURL is an IP address",
        "Re-issue the .qwc file with the service's DNS name in AppURL.",
    ),
    "QBWC1002": Entry(
        "AppSupport is an IP address",
        "Re-issue the .qwc file with the service's DNS name in AppSupport.",
    ),
    "QBWC1003": Entry(
        "The AppSupport page did not answer with HTTP 200",
        "Make sure the support URL in the .qwc file opens in a browser on that computer.",
    ),
    "QBWC1004": Entry(
        "The AppSupport page could not be reached",
        "Make sure the support URL in the .qwc file opens in a browser on that computer.",
    ),
    "QBWC1005": Entry(
        "The Web Connector cannot create its log file",
        "Run the Web Connector as a user who may write to its folder.",
    ),
    "QBWC1006": Entry(
        "The Web Connector cannot write its log file",
        "Run the Web Connector as a user who may write to its folder.",
    ),
    "QBWC1007": Entry(
        "Connecting to QuickBooks failed",
        "Open QuickBooks with the company file and run the update again.",
    ),
    "QBWC1008": Entry(
        "Connecting to QuickBooks failed on the second try",
        "Open QuickBooks with the company file and run the update again.",
    ),
    "QBWC1009": Entry(
        "Connecting to QuickBooks was cancelled",
        "Run the update again and answer QuickBooks' prompts.",
    ),
    "QBWC1010": Entry(
        "The service URL is not https",
        "Use the https .qwc file; only localhost may use http.",
    ),
    "QBWC1011": Entry(
        "The application is missing from the Web Connector's settings",
        "Remove it from the Web Connector and add the .qwc file again.",
    ),
    "QBWC1012": Entry(
        "Authentication failed with an error",
        "Check that the service is reachable over https with a certificate Windows trusts; "
        "then check the service's logs for the authenticate call.",
    ),
    "QBWC1013": Entry(
        "The Web Connector could not connect to QuickBooks during the update",
        f"{_OPEN_QB}, close any dialogs, and run the update again.",
    ),
    "QBWC1014": Entry(
        "The Web Connector could not read QuickBooks' host and company information",
        "Restart QuickBooks and the Web Connector, then run the update again.",
    ),
    "QBWC1015": Entry(
        "Closing the connection to QuickBooks failed",
        "Usually harmless; restart QuickBooks if the next update also fails.",
    ),
    "QBWC1016": Entry(
        "No application was selected for update",
        "Tick the box next to the application in the Web Connector, then click Update Selected.",
        severity="info",
    ),
    "QBWC1017": Entry(
        "Some applications in the update failed",
        "Look at the status of each application in the Web Connector.",
        severity="warning",
    ),
    "QBWC1022": Entry(
        "Connecting to QuickBooks to check the FileID failed",
        f"{_OPEN_QB} and add the .qwc file again.",
    ),
    "QBWC1023": Entry(
        "Checking the company file's FileID failed",
        f"{_OPEN_QB} and add the .qwc file again.",
    ),
    "QBWC1024": Entry(
        "Connecting to QuickBooks to stamp the FileID failed",
        f"{_OPEN_QB} and add the .qwc file again.",
    ),
    "QBWC1025": Entry(
        "Stamping the FileID into the company file failed",
        f"{_OPEN_QB} and add the .qwc file again.",
    ),
    "QBWC1026": Entry(
        "The FileID could not be added; it may already be in use",
        "Use the .qwc file already issued for this company file, or ask for one with a new FileID.",
    ),
    "QBWC1027": Entry(
        "The FileID in the company file could not be read or written",
        f"{_OPEN_QB} as Admin and add the .qwc file again.",
    ),
    "QBWC1030": Entry(
        "No password is set for this application in the Web Connector",
        "Enter the connection's password in the Web Connector's Password column.",
    ),
    "QBWC1031": Entry(
        "A scheduled update finished with errors",
        "Open the Web Connector's log to see which step failed.",
        severity="warning",
    ),
    "QBWC1032": Entry(
        "The application is missing from the Web Connector's settings",
        "Remove it from the Web Connector and add the .qwc file again.",
    ),
    "QBWC1033": Entry(
        "The Web Connector cannot write its log file (QWCLog.txt)",
        "Run the Web Connector as a user who may write to its folder.",
    ),
    "QBWC1034": Entry(
        "The Web Connector could not apply AuthFlags",
        "Re-issue the .qwc file; AuthFlags must be a hex mask such as 0xF.",
    ),
    "QBWC1035": Entry(
        "The .qwc file points at localhost",
        "Use a .qwc file with the service's public https address.",
    ),
    "QBWC1036": Entry("The clientVersion call failed", _NEVER_FAULT),
    "QBWC1037": Entry(
        "The service refused or warned about this Web Connector version",
        "Install the Web Connector version the message asks for.",
    ),
    "QBWC1038": Entry(
        "The master-key prompt was cancelled",
        "Run the update again and enter the Web Connector's master key.",
    ),
    "QBWC1039": Entry(
        "The application could not be added (missing .qwc element or OwnerID/FileID clash)",
        "Use the .qwc file issued for this company file; if the file carries another FileID "
        "for this OwnerID, remove that stamp or ask for a matching .qwc.",
    ),
    "QBWC1040": Entry(
        "The password set in the Web Connector is wrong",
        "Enter the connection's current password in the Web Connector's Password column.",
    ),
    "QBWC1041": Entry("The sendRequestXML call failed", _NEVER_FAULT),
    "QBWC1042": Entry("The receiveResponseXML call failed", _NEVER_FAULT),
    "QBWC1043": Entry("The getLastError call failed", _NEVER_FAULT),
    "QBWC1044": Entry("The closeConnection call failed", _NEVER_FAULT),
    "QBWC1045": Entry("The connectionError call failed", _NEVER_FAULT),
    "QBWC1046": Entry("The clientVersion reply could not be read", _NEVER_FAULT),
    "QBWC1048": Entry(
        "The Web Connector could not verify the server certificate",
        "The CertURL must open without a login; re-issue the .qwc file without CertURL.",
    ),
    "QBWC1051": Entry(
        "The application was not added: the service URL is not https",
        "Use the https .qwc file and a certificate Windows trusts.",
    ),
    "QBWC1085": Entry(
        "The Web Connector had trouble with its log file",
        "Close the Web Connector, rename QWCLog.txt in its folder, and start it again.",
    ),
}
