"""Who may read the answers: the Host check (DNS rebinding) and CORS.

Why: served case data are patient data. A web page on any site may send requests to a server on
the reader's machine; two things keep it from reading the answers. CORS: when case data (a DATA
graph) is served, no ``Access-Control-Allow-Origin`` is sent unless the origin is allowed
(``--allow-origin``; ``*`` opens it to every site); with the ontology only, any origin may read.
Host: a DNS-rebinding page reaches the server under the attacker's own host name, so a request
is answered only when its ``Host`` names this server: an IP literal, ``localhost`` (or a name
under ``.localhost``), or a name given with ``--allow-host`` (``*`` turns the check off). An IP
literal is safe to accept: rebinding needs a name.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

#: request headers a CORS preflight is granted (what browsers and SPARQL clients send)
ALLOWED_HEADERS = (
    "Accept",
    "Accept-Language",
    "Authorization",
    "Cache-Control",
    "Content-Language",
    "Content-Type",
    "If-Modified-Since",
    "If-None-Match",
    "Origin",
    "Pragma",
    "Range",
    "X-Requested-With",
)
EXPOSED = "X-Row-Limit, X-Rows-Truncated, X-Query-Timeout, X-Result-Rows, Retry-After"


@dataclass(frozen=True)
class Access:
    """The rules of one server: ``private`` when it serves case data."""

    private: bool
    origins: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()

    def host_allowed(self, host: str | None) -> bool:
        """True when the ``Host`` header names this server (or there is none: HTTP/1.0)."""
        if not host or "*" in self.hosts:
            return True
        return _named(host, self.hosts)

    def cors(self, origin: str | None) -> dict[str, str]:
        """The CORS headers of an answer to a request from ``origin``."""
        if not self.private or "*" in self.origins:
            return {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": EXPOSED}
        if origin and origin in self.origins:
            return {
                "Access-Control-Allow-Origin": origin,
                "Vary": "Origin",
                "Access-Control-Expose-Headers": EXPOSED,
            }
        return {"Vary": "Origin"}

    def preflight(self, origin: str | None, headers: Mapping[str, str]) -> dict[str, str]:
        """The headers of the answer to a CORS preflight (OPTIONS)."""
        out = self.cors(origin)
        if "Access-Control-Allow-Origin" in out:
            out.update(
                {
                    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                    "Access-Control-Allow-Headers": ", ".join(ALLOWED_HEADERS),
                    "Access-Control-Max-Age": "86400",
                }
            )
        return out


@functools.lru_cache(maxsize=1024)  # a client names the server the same way every time
def _named(host: str, hosts: tuple[str, ...]) -> bool:
    name = _host_name(host)
    if name is None:
        return False
    if name == "localhost" or name.endswith(".localhost") or name in hosts:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def _host_name(host: str) -> str | None:
    """The name part of a Host header, lower case, without the port; None if malformed."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        return host[1:end] if end > 0 else None
    name, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
    if port and not port.isdigit():
        return None
    return name.rstrip(".") or None
