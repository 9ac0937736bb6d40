"""The SOAP endpoint: a guard that screens every envelope and answers each call, and the
Spyne service that serves the WSDL."""
