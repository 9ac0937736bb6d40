"""The JSON API for the vendor's application, and the OpenAPI document of its routes."""
