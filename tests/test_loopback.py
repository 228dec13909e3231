"""The loopback listener the guard tests rely on: it must see a connection when one is made."""

from __future__ import annotations

import socket
import time

from loopback import LoopbackListener


def test_the_listener_counts_each_connection_it_is_offered() -> None:
    with LoopbackListener() as listener:
        assert listener.connections == 0
        with socket.create_connection(("127.0.0.1", listener.port), timeout=5):
            pass
        deadline = time.monotonic() + 5
        while listener.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert listener.connections == 1
        assert listener.url == f"http://127.0.0.1:{listener.port}/"
