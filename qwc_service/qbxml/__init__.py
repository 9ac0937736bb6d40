"""qbXML: hardened parsing, request building, response and HCP reading, versions, explanations."""
