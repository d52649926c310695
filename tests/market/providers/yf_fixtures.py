"""Offline Yahoo Finance: a requests session that serves recorded chart JSON by URL path.

Mount `fixture_session(routes)` and pass it to yfinance (or to `YFinanceProvider(session=...)`):
every https request goes to the adapter, so nothing reaches the network. An unmatched path
answers 404 with `{}`. A route value may be a list of responses, served in turn (the last one
repeats), or an exception instance to raise, which is how DNS failures and timeouts are faked.

yfinance keeps an in-process LRU cache of GET responses for past date ranges
(`yfinance.data.YfData.cache_get`); call `clear_yfinance_cache()` before every test.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import requests
import requests.adapters

DATA = Path(__file__).resolve().parents[2] / "data" / "yfinance"

Reply = tuple[int, str] | BaseException


def load(name: str) -> str:
    """The text of a recorded fixture file in tests/data/yfinance."""
    return (DATA / name).read_text(encoding="utf-8")


def chart(symbol: str) -> tuple[int, str]:
    """A 200 reply carrying the recorded chart JSON of `symbol`."""
    return 200, load(f"{symbol}.json")


RATE_LIMITED: tuple[int, str] = (429, "Too Many Requests\r\n")
NOT_FOUND: tuple[int, str] = (
    404,
    '{"chart":{"result":null,"error":{"code":"Not Found","description":"No data found"}}}',
)
CRUMB: tuple[int, str] = (200, "crumb")


class FixtureAdapter(requests.adapters.BaseAdapter):
    """Serve recorded replies by URL path; count the requests per route."""

    def __init__(self, routes: dict[str, Reply | list[Reply]]) -> None:
        super().__init__()
        self.routes = routes
        self.calls: dict[str, int] = {}
        self.paths: list[str] = []
        self.urls: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        path = urlparse(request.url).path
        self.paths.append(path)
        self.urls.append(request.url or "")
        for pattern, reply in self.routes.items():
            if re.search(pattern, path):
                n = self.calls.get(pattern, 0)
                self.calls[pattern] = n + 1
                chosen = reply[min(n, len(reply) - 1)] if isinstance(reply, list) else reply
                return _respond(request, chosen)
        return _respond(request, (404, "{}"))

    def close(self) -> None:
        pass


def _respond(request: requests.PreparedRequest, reply: Reply) -> requests.Response:
    if isinstance(reply, BaseException):
        raise reply
    code, body = reply
    response = requests.Response()
    response.request = request
    response.url = request.url or ""
    response.status_code = code
    response._content = (body if isinstance(body, str) else json.dumps(body)).encode()
    return response


def fixture_session(routes: dict[str, Reply | list[Reply]]) -> tuple[requests.Session, FixtureAdapter]:
    """A requests session whose every https and http request is answered by a FixtureAdapter."""
    adapter = FixtureAdapter({r"/v1/test/getcrumb": CRUMB, **routes})
    session = requests.Session()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session, adapter


def chart_routes(*symbols: str) -> dict[str, Reply | list[Reply]]:
    """Routes that answer the chart endpoint of each symbol with its recorded JSON."""
    return {rf"/v8/finance/chart/{re.escape(s)}$": chart(s) for s in symbols}


def info_routes() -> dict[str, Reply | list[Reply]]:
    """Routes that answer Ticker("AAPL").info from the recorded quoteSummary and quote JSON."""
    return {
        r"/v10/finance/quoteSummary/AAPL$": (200, load("AAPL_quoteSummary.json")),
        r"/v7/finance/quote": (200, load("AAPL_quote.json")),
    }


def clear_yfinance_cache() -> None:
    """Empty yfinance's in-process LRU cache of GET responses."""
    from yfinance.data import YfData

    YfData.cache_get.cache_clear()  # type: ignore[attr-defined]
