"""Talk to someone else's triple store: every call with a timeout, credentials never shown.

Why a module of its own: rdflib's SPARQLStore has no timeout and urllib's digest handler re-sends
a request body it has already consumed, so a streamed Graph Store PUT needs its own handshake: a
body-less probe collects the server's challenge (Digest, as Virtuoso's
``/sparql-graph-crud-auth`` sends, or Basic) and the PUT carries the computed Authorization.
Messages name the server without user info and never include a header or the password.
``CappedRemoteEngine`` is ``graph``'s RemoteEngine plus this client and a loud failure when the
server says it cut the result (Virtuoso's ``X-SPARQL-MaxRows``: a silent cap at 10 000 rows).
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from calcinosis_kg.core.errors import CalcinosisKGError, InputError
from calcinosis_kg.graph.engines import RemoteEngine


@dataclass(frozen=True)
class Credentials:
    """A user and password (``repr`` hides the password)."""

    user: str
    password: str = field(repr=False)


def public(url: str) -> str:
    """``url`` without user info, query or fragment: what messages may show."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


class RemoteError(CalcinosisKGError):
    """A remote store refused or could not be reached (message without credentials)."""


@dataclass
class Client:
    """HTTP with a timeout on every call and optional Basic/Digest credentials."""

    timeout: float = 60.0
    credentials: Credentials | None = None

    def _opener(self, url: str) -> urllib.request.OpenerDirector:
        handlers: list[urllib.request.BaseHandler] = []
        if self.credentials:
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, self.credentials.user, self.credentials.password)
            handlers += [urllib.request.HTTPDigestAuthHandler(manager),
                         urllib.request.HTTPBasicAuthHandler(manager)]
        return urllib.request.build_opener(*handlers)

    def send(self, method: str, url: str, body: bytes | IO[bytes] | None = None,
             headers: Mapping[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body); a streamed body (a file) is sent once, authenticated first."""
        parts = urllib.parse.urlsplit(url)
        if parts.username or parts.password:
            raise RemoteError(f"{public(url)}: credentials in the URL are refused (use --user "
                              "and --password-env)")
        if parts.scheme not in ("http", "https"):
            raise RemoteError(f"{public(url)}: only http:// and https:// URLs")
        headers = dict(headers or {})
        streamed = body is not None and not isinstance(body, bytes)
        if streamed and self.credentials:
            headers["Authorization"] = self._authorization(method, url)
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        opener = urllib.request.build_opener() if streamed else self._opener(url)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip().splitlines()
            if exc.code in (401, 403):
                raise RemoteError(f"{public(url)}: HTTP {exc.code}: not authorised (check --user "
                                  "and the password variable)") from None
            raise RemoteError(f"{public(url)}: HTTP {exc.code}: "
                              f"{detail[0][:300] if detail else exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise RemoteError(f"cannot reach {public(url)}: {reason}") from None

    def _authorization(self, method: str, url: str) -> str:
        """The Authorization header for one request, from a body-less probe's challenge."""
        assert self.credentials is not None
        probe = urllib.request.Request(url, method="GET")
        try:
            with urllib.request.build_opener().open(probe, timeout=self.timeout):
                challenge = ""
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "") if exc.code == 401 else ""
        except (urllib.error.URLError, OSError) as exc:
            raise RemoteError(f"cannot reach {public(url)}: {getattr(exc, 'reason', exc)}"
                              ) from None
        scheme = challenge.split(" ", 1)[0].lower()
        if scheme == "digest":
            manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            manager.add_password(None, url, self.credentials.user, self.credentials.password)
            handler = urllib.request.HTTPDigestAuthHandler(manager)
            chal = urllib.request.parse_keqv_list(
                urllib.request.parse_http_list(challenge.split(" ", 1)[1]))
            value = handler.get_authorization(
                urllib.request.Request(url, method=method), chal)
            if value:
                return f"Digest {value}"
        token = base64.b64encode(
            f"{self.credentials.user}:{self.credentials.password}".encode()).decode()
        return f"Basic {token}"

    def select(self, endpoint: str, text: str) -> tuple[dict[str, Any], dict[str, str]]:
        """SPARQL JSON results of a query POSTed to ``endpoint`` (and the response headers)."""
        body = urllib.parse.urlencode({"query": text}).encode()
        _, headers, payload = self.send(
            "POST", endpoint, body, {"Content-Type": "application/x-www-form-urlencoded",
                                     "Accept": "application/sparql-results+json"})
        try:
            data = json.loads(payload)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise RemoteError(f"{public(endpoint)} did not answer with SPARQL JSON results")
        check_row_cap(data, headers, endpoint)
        return data, headers


def check_row_cap(data: Mapping[str, Any], headers: Mapping[str, str], endpoint: str) -> None:
    """Fail loudly when the server says it cut the answer (``X-SPARQL-MaxRows``) and it did."""
    cap = next((v for k, v in headers.items() if k.lower() == "x-sparql-maxrows"), None)
    rows = len(data.get("results", {}).get("bindings", []))
    if cap is not None and cap.strip().isdigit() and rows >= int(cap):
        raise RemoteError(f"{public(endpoint)} cut the answer at {cap} rows (X-SPARQL-MaxRows): "
                          "the result is incomplete; raise the server's row limit "
                          "(Virtuoso: ResultSetMaxRows in virtuoso.ini) or add LIMIT/OFFSET")


class CappedRemoteEngine(RemoteEngine):
    """``RemoteEngine`` with timeouts, credentials and the row-cap check of ``Client``."""

    def __init__(self, endpoint: str, timeout: float = 60.0,
                 credentials: Credentials | None = None) -> None:
        super().__init__(endpoint, timeout)
        self.client = Client(timeout, credentials)

    def _post(self, text: str, source: str) -> dict[str, Any]:
        try:
            return self.client.select(self.endpoint, text)[0]
        except RemoteError as exc:
            if ": HTTP 400" in str(exc):
                raise InputError(str(exc), source) from None
            raise
