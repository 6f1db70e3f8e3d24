"""The one HTTP client for talking to stores (SPARQL query endpoints and Graph Store
endpoints): Basic and Digest auth, a User-Agent, and every failure as one line with the
status and a hint a user can act on.

Standard library only (urllib): Digest is what Virtuoso's authenticated endpoints ask for
(`WWW-Authenticate: Digest realm="SPARQL"`), and urllib answers either challenge.

What a hostile or broken store cannot do to the client:
- hold it past `timeout`: the limit is a deadline for the whole request (connection,
  headers, body, auth retry and redirects), not a limit per read; a watchdog shuts the
  socket down when it passes, so a server that drips one byte a second is cut on time;
- fill its memory: the answer is read in chunks and refused once it passes `max_bytes`
  (a Content-Length over the cap is refused before reading);
- learn the credentials from a redirect: they go only to the origin (scheme, host, port)
  of the URL asked, never to a redirect target elsewhere;
- turn a POST or PUT into a body-less GET: 307/308 are followed with method and body,
  301/302/303 after a request with a body fail with one line naming the new address.
"""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import OtsKgError

HINTS = {
    401: "the store wants credentials: give --user and --password (Basic and Digest both work)",
    403: "the store refused this request for these credentials",
    404: "no such endpoint: check the URL's path",
    405: "this URL does not take this request: check the URL's path",
    406: "the store cannot answer in the formats asked for",
    415: "the store does not take this request's media type: is the URL the right kind of endpoint "
    "(a SPARQL query endpoint for query, a Graph Store endpoint for push)?",
}


class HttpError(OtsKgError):
    """A store answered with an error status or could not be reached; the message is one line."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Answer:
    status: int
    content_type: str  # the media type alone, lower case, without parameters
    body: bytes


def media_type(header: str | None) -> str:
    """`text/turtle; charset=utf-8` -> `text/turtle`."""
    return (header or "").split(";")[0].strip().lower()


class _Redirect(Exception):
    """A 3xx answer, handed up to be followed (or refused) by HttpClient."""

    def __init__(self, error: urllib.error.HTTPError) -> None:
        super().__init__(error.code)
        self.error = error


def _drain(exc: urllib.error.HTTPError, limit: int = 65536) -> bytes:
    """At most `limit` bytes of an error answer's body (a hostile body can be endless)."""
    try:
        return exc.read(limit) if exc.fp is not None else b""
    except (OSError, http.client.HTTPException, ValueError):
        return b""
    finally:
        exc.close()


def first_line(body: bytes | str, limit: int = 200) -> str:
    """The first non-empty line of a server's error text (HTML tags stripped roughly)."""
    import re

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = re.sub(r"<[^>]+>", " ", text)
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())[:limit]
    return ""


MAX_ANSWER = 512 * 1024 * 1024  # bytes: far above any answer ots-kg asks for, far below what hurts
MAX_REDIRECTS = 5
_CHUNK = 1 << 16
_KEEP_BODY = (307, 308)
_REDIRECTS = (301, 302, 303, 307, 308)


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in: what credentials belong to."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port


class _Deadline:
    """A watchdog for one request: when the time is up it shuts down every socket the request
    opened, so a read blocked on a dripping server returns at once."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            self.expired = True
            raise TimeoutError("deadline passed")
        return left

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            self._shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            self._shut(sock)

    @staticmethod
    def _shut(sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def cancel(self) -> None:
        self._timer.cancel()


class _WatchedHTTP(urllib.request.HTTPHandler):
    """Opens connections whose socket the current request's deadline can shut down."""

    def __init__(self, client: HttpClient) -> None:
        super().__init__()
        self.client = client

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self.client._connection(http.client.HTTPConnection), req)


class _WatchedHTTPS(urllib.request.HTTPSHandler):
    def __init__(self, client: HttpClient) -> None:
        super().__init__()
        self.client = client

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(self.client._connection(http.client.HTTPSConnection), req, context=self._context)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as HTTPError: HttpClient decides what to follow and with which headers."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class HttpClient:
    """Requests to one store with the user's credentials.

    Auth is answered, not volunteered: the first 401 tells the scheme (Basic, or Digest as
    Virtuoso asks), and later requests carry the answer up front. Before the first request
    with a body a bodiless HEAD learns the challenge, because a store that refuses a large
    unauthenticated upload closes the connection mid-body instead of answering 401.
    Credentials only ever go to the origin of the URL the caller asked for.
    """

    def __init__(
        self,
        *,
        timeout: float,
        user: str | None = None,
        password: str | None = None,
        user_agent: str,
        max_bytes: int = MAX_ANSWER,
    ) -> None:
        if not 0 < timeout < float("inf"):
            raise HttpError(f"timeout must be a positive number of seconds, not {timeout}")
        if max_bytes < 1:
            raise HttpError(f"the answer size cap must be at least 1 byte, not {max_bytes}")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.user = user
        self.user_agent = user_agent
        self._deadline: _Deadline | None = None
        self._opener = urllib.request.build_opener(_WatchedHTTP(self), _WatchedHTTPS(self), _NoRedirect())
        self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self._password = password or ""
        self._digest = urllib.request.HTTPDigestAuthHandler(self._passwords)
        self._challenge: tuple[str, dict[str, str]] | None = None  # (scheme, parameters)
        self._probed = False

    def _connection(self, kind: type[http.client.HTTPConnection]) -> Callable[..., http.client.HTTPConnection]:
        """A connection factory for urllib: each connection's socket is watched by the
        deadline, and no single wait is longer than the time left."""
        deadline = self._deadline

        def connect(host: str, timeout: float | None = None, **kwargs: Any) -> http.client.HTTPConnection:
            left = deadline.left() if deadline else timeout
            connection = kind(host, timeout=left, **kwargs)
            plain_connect = connection.connect

            def watched_connect() -> None:
                plain_connect()
                if deadline:
                    deadline.watch(connection.sock)

            connection.connect = watched_connect  # type: ignore[method-assign]
            return connection

        return connect

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        *,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> Answer:
        """One request, done within `timeout` seconds in all; an error status, a failed
        connection, an answer over the size cap or a redirect that cannot be followed
        safely raises HttpError (one line)."""
        deadline = self._deadline = _Deadline(self.timeout)
        try:
            return self._send(method, url, body, content_type, accept)
        except HttpError:
            if deadline.expired:
                raise HttpError(f"{url}: no complete answer within {self.timeout:g} s (--timeout)") from None
            raise
        finally:
            deadline.cancel()
            self._deadline = None

    def _send(self, method: str, url: str, body: bytes | None, content_type: str | None, accept: str | None) -> Answer:
        if self.user is not None:
            self._passwords.add_password(None, url, self.user, self._password)  # type: ignore[arg-type]
            if body and self._challenge is None and not self._probed:
                self._probed = True
                try:
                    self._send("HEAD", url, None, None, None)
                except HttpError:
                    pass  # the real request reports what is wrong
        headers = {"User-Agent": self.user_agent}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        home = origin(url)
        target = url
        for _hop in range(MAX_REDIRECTS + 1):
            with_credentials = origin(target) == home
            try:
                return self._exchange(method, target, body, headers, with_credentials)
            except _Redirect as redirect:
                target = self._follow(method, target, body, redirect)
        raise HttpError(f"{url}: more than {MAX_REDIRECTS} redirects")

    def _exchange(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], with_credentials: bool
    ) -> Answer:
        """One URL: the request, the auth retry a 401 calls for (same origin only)."""
        try:
            return self._open(urllib.request.Request(url, data=body, method=method, headers=headers), with_credentials)
        except urllib.error.HTTPError as exc:
            if exc.code in _REDIRECTS:
                raise _Redirect(exc) from None
            if exc.code == 401 and self.user is not None and with_credentials and self._learn(exc):
                try:
                    request = urllib.request.Request(url, data=body, method=method, headers=headers)
                    return self._open(request, with_credentials)
                except urllib.error.HTTPError as again:
                    if again.code in _REDIRECTS:
                        raise _Redirect(again) from None
                    exc = again
                except (urllib.error.URLError, OSError, http.client.HTTPException) as failure:
                    raise HttpError(f"{url}: {_connection_failure(failure)}") from None
            raise HttpError(self._status_message(method, url, exc, with_credentials), exc.code) from None
        except ValueError as exc:  # a malformed URL
            raise HttpError(f"{url}: {first_line(str(exc))}") from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise HttpError(f"{url}: {_connection_failure(exc)}") from None

    def _follow(self, method: str, url: str, body: bytes | None, redirect: _Redirect) -> str:
        """Where a redirect leads, if it can be followed without changing the request."""
        exc = redirect.error
        location = exc.headers.get("Location") if exc.headers else None
        _drain(exc)
        if not location:
            raise HttpError(f"{url}: {method} answered HTTP {exc.code} {exc.reason} without a Location", exc.code)
        target = urllib.parse.urljoin(url, location)
        if urllib.parse.urlsplit(target).scheme.lower() not in ("http", "https"):
            raise HttpError(f"{url}: redirected to {target}, which is not an http(s) address", exc.code)
        if method not in ("GET", "HEAD") and exc.code not in _KEEP_BODY:
            raise HttpError(
                f"{url}: {method} answered HTTP {exc.code} {exc.reason} to {target}; not followed, because "
                f"HTTP {exc.code} would turn the {method} into a GET without its body: use that URL",
                exc.code,
            )
        return target

    def _open(self, request: urllib.request.Request, with_credentials: bool = True) -> Answer:
        authorization = self._authorization(request) if with_credentials else None
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
        left = self._deadline.left() if self._deadline else self.timeout
        with self._opener.open(request, timeout=left) as response:
            content_type = media_type(response.headers.get("Content-Type"))
            return Answer(response.status, content_type, self._read(request.full_url, response))

    def _read(self, url: str, response: Any) -> bytes:
        """The body in chunks, refused as soon as it passes the size cap."""
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise HttpError(f"{url}: the answer is {int(declared)} bytes, over the {self.max_bytes}-byte cap")
        chunks: list[bytes] = []
        size = 0
        while True:
            if self._deadline:
                self._deadline.left()
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_bytes:
                raise HttpError(f"{url}: the answer is over the {self.max_bytes}-byte cap; stopped reading")
            chunks.append(chunk)
        if self._deadline and self._deadline.expired:
            raise TimeoutError("deadline passed")  # the watchdog cut the body short
        return b"".join(chunks)

    def _learn(self, exc: urllib.error.HTTPError) -> bool:
        """Remember the scheme a 401 asks for; False when there is nothing new to try."""
        header = exc.headers.get("WWW-Authenticate", "") if exc.headers else ""
        scheme, _, rest = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme not in ("basic", "digest"):
            return False
        params = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(rest)))
        new = (scheme, params)
        if self._challenge == new and scheme == "basic":
            return False  # the same Basic challenge again: the credentials are wrong
        stale = self._challenge is not None and self._challenge[0] == "digest" and params.get("stale") != "true"
        if stale and self._challenge == new:
            return False
        self._challenge = new
        return True

    def _authorization(self, request: urllib.request.Request) -> str | None:
        if self.user is None or self._challenge is None:
            return None
        scheme, params = self._challenge
        if scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self._password}".encode()).decode()
            return f"Basic {token}"
        answer = self._digest.get_authorization(request, params)
        return f"Digest {answer}" if answer else None

    def _status_message(self, method: str, url: str, exc: urllib.error.HTTPError, with_credentials: bool = True) -> str:
        detail = first_line(_drain(exc))
        hint = HINTS.get(exc.code)
        if exc.code == 401 and not with_credentials:
            hint = "a redirect led to another origin, and credentials are never sent across origins"
        elif exc.code == 401 and self.user is not None:
            hint = "the store refused these credentials: check --user and --password"
        if exc.code in (400, 500) or not hint:
            hint = detail or hint or ""
        elif detail and exc.code not in (401, 404, 406, 415):
            hint = f"{hint} ({detail})"
        return f"{url}: {method} answered HTTP {exc.code} {exc.reason}" + (f": {hint}" if hint else "")


def _connection_failure(exc: BaseException) -> str:
    """A refused, reset or timed-out connection in a few words."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (is the store running at this address and port?)"
    if isinstance(reason, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError)):
        return "the store closed the connection"
    if isinstance(reason, http.client.IncompleteRead):
        return "the store closed the connection in the middle of the answer"
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "no answer within the time limit (--timeout)"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    text = first_line(str(reason)) or type(reason).__name__
    return f"cannot connect ({text})"
