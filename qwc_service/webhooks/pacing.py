"""How often the deliverer looks for due events when none is waiting.

Apart from :mod:`qwc_service.webhooks.worker` so that the command line can show it as a
default without loading the database.
"""

from __future__ import annotations

#: Seconds between looks at the outbox while nothing is due.
POLL_SECONDS = 2.0
