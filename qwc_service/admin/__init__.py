"""The admin pages: server-rendered HTML for the vendor's operators."""
