"""The shared router: path templates, 404 against 405 with Allow, and decoded segments."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from qwc_service.http.errors import HttpError
from qwc_service.http.reply import Reply, StartResponse
from qwc_service.http.request import Request
from qwc_service.http.routing import ANY, MethodNotAllowed, NotFound, Route, Router

Table = Router[Route[str]]


@pytest.fixture
def router() -> Table:
    """A small table: a list, one item with two methods, and a nested item."""
    return Router(
        [
            Route("GET", "/things", "list"),
            Route("POST", "/things", "create"),
            Route("GET", "/things/{thing_id}", "read"),
            Route("PATCH", "/things/{thing_id}", "change"),
            Route("GET", "/things/{thing_id}/parts/{part}", "part"),
            Route("POST", "/things/{thing_id}/archive", "archive"),
        ]
    )


def test_each_segment_matches_one_path_segment(router: Table) -> None:
    """``{name}`` takes one whole segment; literal segments must be equal."""
    match = router.match("GET", "/things/t-1/parts/wheel")
    assert (match.route.handler, match.params) == ("part", {"thing_id": "t-1", "part": "wheel"})
    assert router.match("GET", "/things/t-1").params == {"thing_id": "t-1"}
    assert router.match("POST", "/things/t-1/archive").route.handler == "archive"
    with pytest.raises(NotFound):
        router.match("GET", "/things/t-1/pieces/wheel")


def test_a_segment_never_spans_a_slash_and_is_never_empty(router: Table) -> None:
    """No parameter matches across ``/``, and an empty segment matches nothing."""
    for path in ("/things/a/b", "/things//parts/x", "/things/a/parts/b/c", "/thingsx", "/"):
        with pytest.raises(NotFound):
            router.match("GET", path)


def test_a_trailing_slash_is_ignored(router: Table) -> None:
    """``/things/`` is ``/things``."""
    assert router.match("GET", "/things/").route.handler == "list"
    assert router.match("GET", "/things/t-1//").params == {"thing_id": "t-1"}


def test_unknown_path_is_404_and_other_method_is_405_with_allow(router: Table) -> None:
    """No route for the path: 404; routes for it but not this method: 405 naming theirs."""
    with pytest.raises(NotFound) as missing:
        router.match("GET", "/nothing")
    assert (missing.value.status, missing.value.code) == (404, "not_found")
    with pytest.raises(MethodNotAllowed) as refused:
        router.match("DELETE", "/things/t-1")
    assert (refused.value.status, refused.value.code) == (405, "method_not_allowed")
    assert refused.value.allowed == ["GET", "PATCH"]
    assert refused.value.headers == (("Allow", "GET, PATCH"),)
    with pytest.raises(MethodNotAllowed) as only_post:
        router.match("GET", "/things/t-1/archive")
    assert only_post.value.headers == (("Allow", "POST"),)


@dataclass(frozen=True)
class NumberedRoute(Route[str]):
    """A route whose parameters must be whole numbers, as the API's fields convert them."""

    def bind(self, raw: dict[str, str]) -> dict[str, Any] | None:
        """The parameters as integers, or None when one is not a number."""
        if not all(value.isdigit() for value in raw.values()):
            return None
        return {name: int(value) for name, value in raw.items()}


def test_parameters_that_do_not_bind_name_no_such_path() -> None:
    """A value its route cannot take is a 404, and that route is left out of Allow."""
    router = Router(
        [
            NumberedRoute("GET", "/jobs/{job_id}", "job"),
            Route("POST", "/jobs/pause", "pause"),
            NumberedRoute("DELETE", "/jobs/{job_id}", "cancel"),
        ]
    )
    assert router.match("GET", "/jobs/42").params == {"job_id": 42}
    with pytest.raises(NotFound):
        router.match("GET", "/jobs/abc")
    with pytest.raises(MethodNotAllowed) as refused:
        router.match("GET", "/jobs/pause")
    assert refused.value.allowed == ["POST"]
    assert [route.handler for route, _ in router.routes_at("/jobs/pause")] == [
        "job",
        "pause",
        "cancel",
    ]


def test_a_mounted_application_answers_every_method_and_path_below() -> None:
    """``subtree`` with ANY: the prefix itself and everything under it, not its neighbours."""
    router = Router([Route(ANY, "/api", "api", subtree=True), Route(ANY, "/", "root")])
    for method, path in (("GET", "/api"), ("DELETE", "/api/"), ("PUT", "/api/a/b//c")):
        assert router.match(method, path).route.handler == "api"
    assert router.match("POST", "/").route.handler == "root"
    for path in ("/apix", "/x/api"):
        with pytest.raises(NotFound):
            router.match("GET", path)


def test_a_route_declared_twice_is_refused() -> None:
    """The same method and path twice is a mistake in the table, found when it is built."""
    with pytest.raises(ValueError, match="declared twice"):
        Router([Route("GET", "/a/{x}", "one"), Route("GET", "/a/{x}/", "two")])


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output clean."""


@pytest.fixture
def served(router: Table) -> Iterator[int]:
    """The table behind a real HTTP server; a reply's body is the matched parameters."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        try:
            match = router.match(request.method, request.path)
        except HttpError as exc:
            reply = Reply(exc.status, exc.code.encode(), headers=exc.headers)
        else:
            reply = Reply(200, json.dumps(match.params).encode(), "application/json")
        return reply.send(start_response)

    server = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        server.server_close()


def _get(port: int, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, target)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_percent_encoded_segments_arrive_decoded_over_http(served: int) -> None:
    """The server decodes the path; an encoded slash then separates segments like any other."""
    status, _, body = _get(served, "/things/a%20b/parts/50%25")
    assert status == 200
    assert json.loads(body) == {"thing_id": "a b", "part": "50%"}
    # WSGI hands the path over as its bytes read as Latin-1 (PEP 3333).
    status, _, body = _get(served, "/things/%E2%9C%93")
    assert status == 200
    assert json.loads(body) == {"thing_id": "✓".encode().decode("latin-1")}
    # An encoded slash is a slash: this is the path of one thing's part.
    assert json.loads(_get(served, "/things/a%2Fparts%2Fb")[2]) == {"thing_id": "a", "part": "b"}
    assert _get(served, "/things/a%2Fb/archive")[0] == 404
    status, headers, body = _get(served, "/things/a%20b", method="DELETE")
    assert (status, body) == (405, b"method_not_allowed")
    assert headers["Allow"] == "GET, PATCH"
