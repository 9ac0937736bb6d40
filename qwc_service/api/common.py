"""Inputs many routes share: identifiers in paths, paging parameters."""

from __future__ import annotations

from qwc_service.api.fields import Field

MAX_PAGE = 500

CONNECTION_ID = Field("connection_id", "string", "The Connection ID.", max_length=32)
USERNAME = Field("username", "string", "The machine's Web Connector username.", max_length=64)
JOB_ID = Field("job_id", "integer", "The job's id.", minimum=1)
LIMIT = Field(
    "limit", "integer", "How many items a page holds.", minimum=1, maximum=MAX_PAGE, default=100
)
AFTER = Field(
    "after",
    "integer",
    "The cursor: next_after of the page before (items with a greater id).",
    minimum=0,
)
