"""A small cookie-keeping browser that calls the WSGI application in-process."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import lxml.html

from tests.api.client import Reply, WsgiApp, call_wsgi

FORM = "application/x-www-form-urlencoded"


@dataclass
class Page:
    """One reply, with its HTML parsed when it has a body."""

    reply: Reply

    @property
    def status(self) -> int:
        """The HTTP status."""
        return self.reply.status

    @property
    def headers(self) -> dict[str, str]:
        """The headers, lower-case names."""
        return self.reply.headers

    @property
    def text(self) -> str:
        """The body as text."""
        return self.reply.body.decode("utf-8")

    @property
    def location(self) -> str | None:
        """Where a redirect points."""
        return self.reply.headers.get("location")

    def element(self, element_id: str) -> Any:
        """The element with this id (AssertionError when there is none)."""
        found = lxml.html.fromstring(self.reply.body).get_element_by_id(element_id, None)
        assert found is not None, f"no #{element_id} in the page"
        return found

    def text_of(self, element_id: str) -> str:
        """The text inside the element with this id, whitespace squeezed."""
        return " ".join(self.element(element_id).text_content().split())

    def csrf(self) -> str | None:
        """The CSRF value of the page's first form, if it has one."""
        values = lxml.html.fromstring(self.reply.body).xpath("//input[@name='csrf']/@value")
        return str(values[0]) if values else None


@dataclass
class Browser:
    """Keeps the admin cookie between requests and the CSRF value of the last page."""

    app: WsgiApp
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str | None = None

    def _request(
        self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] | None = None
    ) -> Page:
        parts = urlsplit(path)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        page = Page(call_wsgi(self.app, method, parts.path, parts.query, sent, body))
        self._keep_cookie(page.headers.get("set-cookie"))
        if page.reply.body and page.headers.get("content-type", "").startswith("text/html"):
            self.csrf = page.csrf() or self.csrf
        return page

    def _keep_cookie(self, header: str | None) -> None:
        if not header:
            return
        name, _, rest = header.partition("=")
        value = rest.split(";", 1)[0]
        if "Max-Age=0" in header or not value:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def get(self, path: str) -> Page:
        """GET a path (with its query string)."""
        return self._request("GET", path)

    def post(self, path: str, form: Mapping[str, str] | None = None, *, csrf: bool = True) -> Page:
        """POST a form; the CSRF value of the last page is added unless ``csrf`` is False."""
        fields = dict(form or {})
        if csrf and self.csrf is not None and "csrf" not in fields:
            fields["csrf"] = self.csrf
        body = urlencode(fields).encode()
        return self._request("POST", path, body, {"Content-Type": FORM})

    def follow(self, page: Page) -> Page:
        """GET where a redirect points."""
        assert page.status == 303, (page.status, page.text[:500])
        assert page.location is not None
        return self.get(page.location)
