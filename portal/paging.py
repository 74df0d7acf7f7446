"""Pages of lists already in memory, paginated as the database's lists are."""

from typing import Any

from flask_sqlalchemy.pagination import Pagination


class ListPage(Pagination):
    """A page of a list already in memory (built whole because its totals need every row):
    `ListPage(page=2, per_page=25, error_out=False, items=rows)`."""

    def _query_items(self) -> list[Any]:
        return self._query_args["items"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["items"])
