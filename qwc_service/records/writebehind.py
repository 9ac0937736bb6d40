"""Writing one batch on a second thread while the next one is read.

A big response is read and stored in batches. Storing a batch is partly waiting for the
database, during which the reading thread can parse the next batch: psycopg lets other
Python threads run while it waits. One write runs at a time, and the caller waits for it
before it touches its unit of work (``db``) itself, so ``db`` is only ever used by one
thread at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait

__all__ = ["WriteBehind"]


class WriteBehind:
    """Runs the writes handed to it one at a time on a thread of its own.

    :meth:`wait` returns once the write in flight is done and raises what it raised;
    :meth:`close` waits without raising (the caller is already handling an error, or has
    waited) and stops the thread. The thread is started by the first write only.
    """

    def __init__(self) -> None:
        self._executor: ThreadPoolExecutor | None = None
        self._running: Future[None] | None = None

    def submit(self, write: Callable[[], None]) -> None:
        """Start ``write`` once the write before it is done."""
        self.wait()
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="qwc-write")
        self._running = self._executor.submit(write)

    def wait(self) -> None:
        """Wait for the write in flight, if any; re-raise its error."""
        running, self._running = self._running, None
        if running is not None:
            running.result()

    def close(self) -> None:
        """Wait for the write in flight, whatever its outcome, and stop the thread."""
        running, self._running = self._running, None
        if running is not None:
            wait([running])
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None
