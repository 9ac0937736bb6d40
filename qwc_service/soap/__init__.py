"""The SOAP endpoint: the Spyne service and WSDL, behind a guard that screens every envelope."""
