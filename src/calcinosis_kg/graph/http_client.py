"""The one HTTP client of the project: ``query --endpoint``, ``check --endpoint`` and ``push``.

Why our own on ``http.client`` rather than urllib or rdflib's SPARQLStore: urllib's timeout is
per socket read (a reply trickling a byte a second never ends), it reads bodies without a size
limit, follows redirects to any host with the same request, and its auth handlers send Basic
credentials without being asked over plain HTTP; rdflib's SPARQLStore has no timeout at all.
Here every exchange (connect, send, status line, headers, body) ends at one deadline: a watchdog
shuts the socket down when it passes. Answers are read up to ``CALCINOSIS_KG_MAX_RESPONSE_MB``.
Redirects are never followed (the error names where it pointed). Credentials go only to the
origin they were given for and only in answer to the scheme the server asks for: Digest, or
Basic over https (over plain http only with ``basic_over_http``, the CLI's
``--basic-auth-over-http``). Messages name the server without user info, query or fragment,
use the standard reason phrase rather than the server's, and show a line of the server's error
body only for a request that carried no credentials (a store may echo the request's headers).
No proxy variable is read: only the host the user named is contacted.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import os
import re
import socket
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import IO, Any

from calcinosis_kg.core.errors import CalcinosisKGError, InputError

#: the largest answer read, in MB (environment variable of the same name raises it)
MAX_RESPONSE_MB = 64
CHUNK = 64 * 1024
_UNSAFE_URL = re.compile(r"[\x00-\x20\x7f-\uffff]")


@dataclass(frozen=True)
class Credentials:
    """A user and password (``repr`` hides the password); ``origin`` (``scheme://host:port``,
    see ``origin``) is the only server they are sent to (None: any URL the user named)."""

    user: str
    password: str = field(repr=False)
    origin: str | None = None


class RemoteError(CalcinosisKGError):
    """A remote server refused, could not be reached or answered badly (one line, no
    credentials)."""


@dataclass(frozen=True)
class Response:
    """One HTTP answer, read whole within the size limit (the body is empty when not wanted)."""

    status: int
    headers: dict[str, str]
    body: bytes


def public(url: str) -> str:
    """``url`` without user info, query or fragment: what messages may show."""
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<malformed URL>"
    if ":" in host:
        host = f"[{host}]"
    if port:
        host += f":{port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


def origin(url: str) -> str:
    """``scheme://host:port`` of a checked URL (the port always written)."""
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


def check_url(url: str, what: str = "URL") -> urllib.parse.SplitResult:
    """``url`` split, or ``InputError``: http(s) only, a host, a valid port, no user info, no
    space, control or non-ASCII character (percent-encode them)."""
    shown = public(url) if not _UNSAFE_URL.search(url) else repr(url[:80])
    if _UNSAFE_URL.search(url):
        raise InputError(
            f"{what} {shown}: spaces, control and non-ASCII characters are refused "
            "in URLs (percent-encode them)"
        )
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InputError(f"{what} {shown}: malformed URL ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise InputError(f"{what} {shown}: only http:// and https:// URLs")
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"{what} {public(url)}: credentials in the URL are refused (use --user "
            "and --password-env)"
        )
    if not parts.hostname:
        raise InputError(f"{what} {shown}: no host")
    if port == 0:
        raise InputError(f"{what} {shown}: port 0")
    return parts


def max_response_bytes() -> int:
    """``CALCINOSIS_KG_MAX_RESPONSE_MB`` (default ``MAX_RESPONSE_MB``) in bytes."""
    raw = os.environ.get("CALCINOSIS_KG_MAX_RESPONSE_MB", "").strip()
    try:
        value = int(raw) if raw else MAX_RESPONSE_MB
    except ValueError:
        raise InputError(
            f"CALCINOSIS_KG_MAX_RESPONSE_MB={raw!r}: expected a whole number"
        ) from None
    if value <= 0:
        raise InputError(f"CALCINOSIS_KG_MAX_RESPONSE_MB={raw!r}: must be more than 0")
    return value * 1024 * 1024


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "unknown status"


def _first_line(body: bytes) -> str:
    for line in body[:4000].decode("utf-8", "replace").splitlines():
        if line.strip():
            return " ".join(line.split())[:300]
    return ""


class _Watchdog:
    """Shuts a socket down when the deadline passes: blocked reads and writes end at once."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.fired = True
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _connector(seconds: float) -> Callable[..., socket.socket]:
    """``socket.create_connection`` whose name resolution also ends within ``seconds``."""

    def connect(
        address: tuple[str, int], timeout: float | None = None, source_address: object = None
    ) -> socket.socket:
        host, port = address
        found: list[object] = []
        worker = threading.Thread(target=lambda: found.append(_lookup(host, port)), daemon=True)
        started = time.monotonic()
        worker.start()
        worker.join(seconds)
        if not found:
            raise TimeoutError(f"resolving {host} took more than {seconds:.3g} s")
        addresses = found[0]
        if isinstance(addresses, OSError):
            raise addresses
        assert isinstance(addresses, list)
        error: OSError = OSError("no address")
        for family, kind, proto, _, sockaddr in addresses:
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(max(seconds - (time.monotonic() - started), 0.001))
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        raise error

    return connect


def _lookup(host: str, port: int) -> list[tuple[Any, ...]] | OSError:
    try:
        return socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    except OSError as exc:
        return exc


@dataclass
class Client:
    """HTTP with one deadline per exchange (``timeout`` seconds, and never past ``deadline``,
    a ``time.monotonic()`` value), a size limit on answers, no redirects, and credentials sent
    only in answer to a challenge of their origin."""

    timeout: float = 60.0
    credentials: Credentials | None = None
    basic_over_http: bool = False
    deadline: float | None = None

    def _seconds(self, url: str) -> float:
        left = self.timeout
        if self.deadline is not None:
            left = min(left, self.deadline - time.monotonic())
        if left <= 0:
            raise RemoteError(f"{public(url)}: timed out (the deadline passed)")
        return left

    def _exchange(
        self,
        method: str,
        url: str,
        body: bytes | IO[bytes] | None,
        headers: Mapping[str, str],
        body_wanted: bool = True,
    ) -> Response:
        """One request and its answer, within the deadline; network failures as RemoteError."""
        parts = check_url(url)
        seconds = self._seconds(url)
        limit = max_response_bytes()
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.hostname or "", parts.port, timeout=seconds)
        # name resolution under the deadline too (getaddrinfo itself has no timeout)
        connection._create_connection = _connector(seconds)  # type: ignore[attr-defined]
        target = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
        watchdog: _Watchdog | None = None
        started = time.monotonic()
        try:
            connection.connect()
            assert connection.sock is not None
            watchdog = _Watchdog(connection.sock, seconds - (time.monotonic() - started))
            connection.putrequest(method, target, skip_accept_encoding=True)
            for name, value in headers.items():
                connection.putheader(name, value)
            if isinstance(body, bytes):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders()
            try:
                if isinstance(body, bytes):
                    connection.send(body)
                elif body is not None:
                    while chunk := body.read(CHUNK):
                        connection.send(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered before the end of the body (a 413, a 401): read it
            response = connection.getresponse()
            answer = {k: v for k, v in response.getheaders()}  # the last of repeated names
            answer["www-authenticate-all"] = "\n".join(
                response.headers.get_all("WWW-Authenticate") or []
            )
            if not body_wanted:
                self._in_time(watchdog, url, seconds)
                return Response(response.status, answer, b"")
            declared = response.getheader("Content-Length", "").strip()
            if declared.isascii() and declared.isdigit() and int(declared[:20]) > limit:
                raise RemoteError(
                    f"{public(url)}: the answer declares more bytes than the "
                    f"{limit // 2**20} MB read "
                    "(CALCINOSIS_KG_MAX_RESPONSE_MB)"
                )
            data = bytearray()
            while chunk := response.read(CHUNK):
                data += chunk
                if len(data) > limit:
                    raise RemoteError(
                        f"{public(url)}: the answer is larger than the "
                        f"{limit // 2**20} MB read (CALCINOSIS_KG_MAX_RESPONSE_MB)"
                    )
            self._in_time(watchdog, url, seconds)
            return Response(response.status, answer, bytes(data))
        except RemoteError:
            raise
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if (watchdog is not None and watchdog.fired) or isinstance(exc, TimeoutError):
                raise RemoteError(
                    f"{public(url)}: timed out after {seconds:.3g} s (--timeout)"
                ) from None
            if isinstance(exc, http.client.LineTooLong):
                raise RemoteError(
                    f"{public(url)}: malformed HTTP answer (a line longer than 64 KB)"
                ) from None
            if isinstance(exc, http.client.HTTPException | ValueError):
                raise RemoteError(
                    f"{public(url)}: malformed HTTP answer ({type(exc).__name__})"
                ) from None
            reason = exc.strerror or type(exc).__name__
            raise RemoteError(f"cannot reach {public(url)}: {reason}") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            connection.close()

    @staticmethod
    def _in_time(watchdog: _Watchdog, url: str, seconds: float) -> None:
        """Raise if the watchdog fired: a shut-down socket reads as a short, clean end."""
        if watchdog.fired:
            raise RemoteError(f"{public(url)}: timed out after {seconds:.3g} s (--timeout)")

    def _may_authenticate(self, url: str) -> bool:
        if self.credentials is None:
            return False
        return self.credentials.origin is None or self.credentials.origin == origin(url)

    def _authorization(self, method: str, url: str, challenges: str) -> str:
        """The Authorization header answering ``challenges`` (WWW-Authenticate values)."""
        assert self.credentials is not None
        offered = {
            value.strip().split(" ", 1)[0].lower(): value.strip()
            for value in challenges.split("\n")
            if value.strip()
        }
        if "digest" in offered:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, self.credentials.user, self.credentials.password)
            handler = urllib.request.HTTPDigestAuthHandler(manager)
            params = offered["digest"].split(" ", 1)[1] if " " in offered["digest"] else ""
            try:
                fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(params))
                value = handler.get_authorization(
                    urllib.request.Request(url, method=method), fields
                )
            except (ValueError, KeyError, OSError):  # urllib: URLError for qop="auth-int"
                value = None
            if value:
                return f"Digest {value}"
            raise RemoteError(
                f"{public(url)}: asks for a Digest authentication this client cannot answer"
            )
        if "basic" in offered:
            if urllib.parse.urlsplit(url).scheme != "https" and not self.basic_over_http:
                raise RemoteError(
                    f"{public(url)}: asks for Basic authentication over plain "
                    "http, which would send the password in clear: use https, or "
                    "--basic-auth-over-http to send it anyway"
                )
            token = base64.b64encode(
                f"{self.credentials.user}:{self.credentials.password}".encode()
            ).decode()
            return f"Basic {token}"
        raise RemoteError(
            f"{public(url)}: HTTP 401: asks for an authentication scheme this "
            "client does not speak (Digest or Basic)"
        )

    def send(
        self,
        method: str,
        url: str,
        body: bytes | IO[bytes] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) of a 2xx answer; anything else is a one-line RemoteError.

        A streamed body (a seekable file) is preceded, when credentials are set, by a body-less
        probe that collects the server's challenge, so the body is normally sent once."""
        check_url(url)
        headers = dict(headers or {})
        streamed = body is not None and not isinstance(body, bytes)
        if streamed:
            assert body is not None and not isinstance(body, bytes)
            size = os.fstat(body.fileno()).st_size - body.tell()
            headers = {k: v for k, v in headers.items() if k.lower() != "content-length"}
            headers["Content-Length"] = str(size)
            start = body.tell()
        authorised = False
        if streamed and self._may_authenticate(url):
            probe = self._exchange("GET", url, None, {}, body_wanted=False)
            if probe.status == 401 and probe.headers["www-authenticate-all"]:
                headers["Authorization"] = self._authorization(
                    method, url, probe.headers["www-authenticate-all"]
                )
                authorised = True
        answer = self._exchange(method, url, body, headers)
        if (
            answer.status == 401
            and not authorised
            and self._may_authenticate(url)
            and answer.headers["www-authenticate-all"]
        ):
            headers["Authorization"] = self._authorization(
                method, url, answer.headers["www-authenticate-all"]
            )
            authorised = True
            if streamed:
                assert body is not None and not isinstance(body, bytes)
                body.seek(start)
            answer = self._exchange(method, url, body, headers)
        self._raise_for_status(answer, url, authorised)
        return answer.status, answer.headers, answer.body

    def _raise_for_status(self, answer: Response, url: str, authorised: bool) -> None:
        status = answer.status
        if 200 <= status < 300:
            return
        if 300 <= status < 400:
            target = answer.headers.get("Location", "")
            where = (
                f" to {public(urllib.parse.urljoin(url, target))}"
                if target and not _UNSAFE_URL.search(target)
                else ""
            )
            raise RemoteError(
                f"{public(url)}: HTTP {status} {_phrase(status)}: redirected"
                f"{where}; redirects are not followed (give that URL itself)"
            )
        if status in (401, 403):
            hint = (
                "check --user and the password variable"
                if self._may_authenticate(url)
                else "credentials are sent only to the store named with --store"
                if self.credentials
                else "no credentials were given"
            )
            raise RemoteError(
                f"{public(url)}: HTTP {status} {_phrase(status)}: not authorised ({hint})"
            )
        # the body of an answer to a request that carried credentials may echo them
        detail = "" if authorised else _first_line(answer.body)
        raise RemoteError(
            f"{public(url)}: HTTP {status} {_phrase(status)}" + (f": {detail}" if detail else "")
        )
