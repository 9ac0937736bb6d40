"""The setup page through a real gunicorn: the page, the file, a refusal, and clean logs."""

from __future__ import annotations

import re
import unicodedata
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from qwc_service.app import create_app
from qwc_service.config import Settings
from qwc_service.serving import ServerProcess
from tests.factories import make_connection
from tests.setup.helpers import add_linked_machine, element_attribute, element_text, expire_link


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Referer": url})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, {k.lower(): v for k, v in reply.headers.items()}, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_setup_page_over_http_keeps_the_token_out_of_every_log(
    settings: Settings, tmp_path: Path
) -> None:
    """Page, .qwc and an expired link over HTTP; no log line, access or app, holds a token."""
    log_path = tmp_path / "gunicorn.log"
    process = ServerProcess(settings, workers=2, log_path=log_path, env={"QWC_ACCESS_LOG": "-"})
    process.settings = settings.with_overrides(
        public_url=f"http://localhost:{process.port}", log_level="info", log_format="json"
    )
    with process:
        app = create_app(process.settings)
        try:
            connection_id = make_connection(app, "Acme Widgets")
            machine = add_linked_machine(app, connection_id)
            stale = add_linked_machine(app, connection_id, "Old PC")
            expire_link(app, stale.token)

            status, headers, page = _get(process.url + machine.page)
            assert status == 200, page[:500]
            assert headers["referrer-policy"] == "no-referrer"
            assert headers["cache-control"] == "no-store"
            assert element_text(page, "password") == machine.password

            status, headers, qwc = _get(process.url + machine.page + "/qwc")
            assert status == 200
            assert f"<UserName>{machine.username}</UserName>".encode() in qwc
            assert headers["content-disposition"].endswith(
                '"qwc-service - Acme Widgets (Front office PC).qwc"'
            )

            status, _, refusal = _get(process.url + stale.page)
            assert status == 410 and b"expired" in refusal
        finally:
            app.engine.dispose()
    log = log_path.read_text(errors="replace")
    assert "setup_page_opened" in log and "setup_link_refused" in log
    assert "GET /setup/[redacted]" in log
    for secret in (machine.token, stale.token, machine.password):
        assert secret not in log


def test_download_over_http_has_a_readable_windows_safe_name(
    settings: Settings, tmp_path: Path
) -> None:
    """Over gunicorn, a long connection name with Windows-unsafe characters, accents and an
    emoji, on a machine labelled like a device: the file name the browser takes (filename*)
    is the one the page shows, safe for Windows, and its ASCII stand-in is plain ASCII."""
    process = ServerProcess(settings, workers=1, log_path=tmp_path / "gunicorn.log")
    process.settings = settings.with_overrides(
        public_url=f"http://localhost:{process.port}", brand_name="Acme Payments"
    )
    with process:
        app = create_app(process.settings)
        try:
            name = 'Smith\\Jones: "Café" <Ltd> | ☕ ' + "Widgets " * 20
            machine = add_linked_machine(app, make_connection(app, name), "CON")
            status, _, page = _get(process.url + machine.page)
            assert status == 200
            status, headers, qwc = _get(process.url + machine.page + "/qwc")
            assert status == 200
        finally:
            app.engine.dispose()
    shown = element_attribute(page, "download-qwc", "download")
    assert element_text(page, "download-qwc") == f"Download {shown}"
    disposition = headers["content-disposition"]
    disposition.encode("ascii")
    extended = re.search(r"filename\*=UTF-8''([^;\s]+)", disposition)
    assert extended is not None, disposition
    file_name = unquote(extended.group(1), errors="strict")
    assert file_name == shown
    assert file_name.startswith("Acme Payments - Smith-Jones- 'Café' (Ltd) - ☕ Widgets")
    assert file_name.endswith("... (CON).qwc")
    assert not set('<>:"/\\|?*') & set(file_name)
    assert not any(unicodedata.category(c).startswith("C") for c in file_name)
    assert len(file_name.encode("utf-16-le")) // 2 <= 150
    fallback = re.search(r'filename="([^"]*)"', disposition)
    assert fallback is not None and fallback.group(1).startswith("Acme Payments - Smith-Jones")
    app_name = etree.fromstring(qwc).findtext("AppName")
    assert app_name is not None and app_name.startswith('Acme Payments - Smith/Jones: "Café"')
    assert element_text(page, "application-name") == app_name
