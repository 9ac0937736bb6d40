"""A real HTTP receiver per test, stopped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver_factory() -> Iterator[Callable[..., Receiver]]:
    """Start receivers with the given answers; all are stopped at the end of the test."""
    started: list[Receiver] = []

    def start(*statuses: int, **kwargs: object) -> Receiver:
        receiver = Receiver(tuple(statuses), **kwargs).start()  # type: ignore[arg-type]
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()
