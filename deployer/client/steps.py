"""Retry-safe step shapes: check-then-act creates, tolerant deletes, and paged reads.

Each runs under the transport's retry policy as a whole, so a lookup made inside an attempt
shares the attempt budget and the deadline with the request it guards.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deployer.client.generations import JsonDict
from deployer.client.transport import Transport
from deployer.core.errors import ApiError, TransportError

PAGE_SIZE = 100


def create_checked(
    http: Transport,
    method: str,
    path: str,
    form: Mapping[str, Any],
    *,
    lookup: Callable[[], JsonDict | None],
    exists_code: int,
) -> JsonDict:
    """Check-then-act: on every retried attempt, adopt the object a lost answer created.

    Only transport failures are retried, so attempt 2+ means an earlier POST may have landed:
    look first, and read a "name exists" answer on a retried attempt the same way.
    """

    def attempt(number: int) -> JsonDict:
        if number > 1:
            found = lookup()
            if found is not None:
                return found
        try:
            data = http.once(method, path, form)
        except ApiError as exc:
            found = lookup() if number > 1 and exc.code == exists_code else None
            if found is None:
                raise
            return found
        if not isinstance(data, dict):
            raise TransportError(f"{method} {path}: the answer carries no created object")
        return data

    return http.policy.run(attempt, f"{method} {path}")


def delete_tolerant(http: Transport, path: str, not_found_code: int) -> None:
    """DELETE; "not found" on a retried attempt means the lost first answer had deleted it."""

    def attempt(number: int) -> None:
        try:
            http.once("DELETE", path)
        except ApiError as exc:
            if not (number > 1 and exc.code == not_found_code):
                raise

    http.policy.run(attempt, f"DELETE {path}")


def paged(http: Transport, path: str, params: Mapping[str, Any]) -> list[JsonDict]:
    """Every row of a PageInfo endpoint (pages of 100, until `totalPage`)."""
    rows: list[JsonDict] = []
    page_no = 1
    while True:
        query = {**params, "pageNo": page_no, "pageSize": PAGE_SIZE}
        page = http.call("GET", path, query) or {}
        rows.extend(page.get("totalList") or [])
        if page_no >= int(page.get("totalPage") or 1):
            return rows
        page_no += 1
