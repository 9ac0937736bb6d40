"""API tokens: the vendor's bearer secrets for the API and the admin pages, stored hashed."""
