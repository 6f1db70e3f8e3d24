"""The one HTTP client for talking to stores (SPARQL query endpoints and Graph Store
endpoints): Basic and Digest auth, a User-Agent, and every failure as one line with the
status and a hint a user can act on.

Standard library only (urllib): Digest is what Virtuoso's authenticated endpoints ask for
(`WWW-Authenticate: Digest realm="SPARQL"`), and urllib answers either challenge.
"""

from __future__ import annotations

import base64
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

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


def first_line(body: bytes | str, limit: int = 200) -> str:
    """The first non-empty line of a server's error text (HTML tags stripped roughly)."""
    import re

    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = re.sub(r"<[^>]+>", " ", text)
    for line in text.splitlines():
        if line.strip():
            return " ".join(line.split())[:limit]
    return ""


class HttpClient:
    """Requests to one store with the user's credentials.

    Auth is answered, not volunteered: the first 401 tells the scheme (Basic, or Digest as
    Virtuoso asks), and later requests carry the answer up front. Before the first request
    with a body a bodiless HEAD learns the challenge, because a store that refuses a large
    unauthenticated upload closes the connection mid-body instead of answering 401.
    """

    def __init__(
        self, *, timeout: float, user: str | None = None, password: str | None = None, user_agent: str
    ) -> None:
        self.timeout = timeout
        self.user = user
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener()
        self._passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        self._password = password or ""
        self._digest = urllib.request.HTTPDigestAuthHandler(self._passwords)
        self._challenge: tuple[str, dict[str, str]] | None = None  # (scheme, parameters)
        self._probed = False

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        *,
        content_type: str | None = None,
        accept: str | None = None,
    ) -> Answer:
        """One request; an error status or a failed connection raises HttpError (one line)."""
        if self.user is not None:
            self._passwords.add_password(None, url, self.user, self._password)  # type: ignore[arg-type]
            if body and self._challenge is None and not self._probed:
                self._probed = True
                try:
                    self.send("HEAD", url)
                except HttpError:
                    pass  # the real request reports what is wrong
        headers = {"User-Agent": self.user_agent}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        try:
            return self._open(urllib.request.Request(url, data=body, method=method, headers=headers))
        except urllib.error.HTTPError as exc:
            if exc.code == 401 and self.user is not None and self._learn(exc):
                try:
                    return self._open(urllib.request.Request(url, data=body, method=method, headers=headers))
                except urllib.error.HTTPError as again:
                    exc = again
                except (urllib.error.URLError, OSError) as failure:
                    raise HttpError(f"{url}: {_connection_failure(failure)}") from None
            raise HttpError(self._status_message(method, url, exc), exc.code) from None
        except ValueError as exc:  # a malformed URL
            raise HttpError(f"{url}: {first_line(str(exc))}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise HttpError(f"{url}: {_connection_failure(exc)}") from None

    def _open(self, request: urllib.request.Request) -> Answer:
        authorization = self._authorization(request)
        if authorization:
            request.add_unredirected_header("Authorization", authorization)
        with self._opener.open(request, timeout=self.timeout) as response:
            return Answer(response.status, media_type(response.headers.get("Content-Type")), response.read())

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

    def _status_message(self, method: str, url: str, exc: urllib.error.HTTPError) -> str:
        try:
            detail = first_line(exc.read())
        except OSError:
            detail = ""
        hint = HINTS.get(exc.code)
        if exc.code == 401 and self.user is not None:
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
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return "no answer within the time limit (--timeout)"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({reason.strerror})"
    text = first_line(str(reason)) or type(reason).__name__
    return f"cannot connect ({text})"
