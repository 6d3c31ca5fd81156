"""Reading a schedule from a file or an http(s) URL: a timeout, a size cap, no other schemes
(redirects included), and a clear message when it cannot be read."""

import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TIMEOUT = 15


class SourceError(Exception):
    """The schedule could not be read; the message says why, for the editor."""


def max_bytes() -> int:
    return int(getattr(settings, "SCHEDULE_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def is_url(source: str) -> bool:
    return "://" in source


def read_source(source: str, *, timeout: float | None = None, limit: int | None = None) -> bytes:
    limit = limit if limit is not None else max_bytes()
    if is_url(source):
        return fetch(source, timeout=timeout or DEFAULT_TIMEOUT, limit=limit)
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > limit:
            raise SourceError(f"The file is {size} bytes; the limit is {limit} bytes.")
        return path.read_bytes()
    except OSError as error:
        raise SourceError(f"Cannot read {source}: {error.strerror or error}.") from error


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 5

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme not in ("http", "https"):
            raise SourceError(f"Refused a redirect to {newurl[:100]}: only http(s) is fetched.")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, *, timeout: float, limit: int) -> bytes:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceError(f"Only http(s) URLs are fetched, not “{url[:100]}”.")
    opener = urllib.request.build_opener(_HttpOnlyRedirects)
    request = urllib.request.Request(
        url,
        headers={
            "User-Agent": "Confnotes schedule import",
            "Accept": "application/json, application/xml, text/xml",
        },
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise SourceError(f"{url} is {length} bytes; the limit is {limit} bytes.")
            data = response.read(limit + 1)
    except urllib.error.HTTPError as error:
        raise SourceError(f"{url} answered {error.code} {error.reason}.") from error
    except urllib.error.URLError as error:
        raise SourceError(f"{url} cannot be reached: {error.reason}.") from error
    except TimeoutError as error:
        raise SourceError(f"{url} did not answer within {timeout:g} seconds.") from error
    except OSError as error:
        raise SourceError(f"{url} cannot be read: {error}.") from error
    if len(data) > limit:
        raise SourceError(f"{url} is over the limit of {limit} bytes.")
    return data
