"""A client-side load balancer: each call goes to a randomly chosen server."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from qwc_service.simulator.transport import HttpClientTransport, HttpReply


class RandomServerTransport:
    """Sends every request to one of ``bases`` at random, as a round-robin-less balancer."""

    def __init__(self, bases: Sequence[str], seed: int = 0) -> None:
        self._bases = [urlsplit(base) for base in bases]
        self._random = random.Random(seed)
        self._http = HttpClientTransport()
        self.calls_per_server = [0] * len(bases)

    def _pick(self, url: str) -> str:
        index = self._random.randrange(len(self._bases))
        self.calls_per_server[index] += 1
        parts, base = urlsplit(url), self._bases[index]
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))

    def post(self, url: str, headers: Mapping[str, str], body: bytes) -> HttpReply:
        """POST to a random server."""
        return self._http.post(self._pick(url), headers, body)

    def get(self, url: str) -> HttpReply:
        """GET from a random server."""
        return self._http.get(self._pick(url))

    def close(self) -> None:
        """Close every kept-alive connection."""
        self._http.close()
