"""The one loopback listener of the tests: a TCP socket on 127.0.0.1 (a free port) whose accept
loop runs in a daemon thread and counts every connection it is offered.

Why one base: a guard is proved by a listener that must see no connection (the conftest
``connection_recorder``, the OWL API proxy of ``test_release``), and the scripted store of the
hostile ``push``/``--endpoint`` tests (``fake_store``) is the same listener answering what it
reads. ``handle`` decides what happens to a connection (here: closed at once).
"""

from __future__ import annotations

import socket
import threading


class LoopbackListener:
    """Listens on 127.0.0.1 until ``close``; ``connections`` counts the accepted connections."""

    def __init__(self, backlog: int = 16) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(backlog)
        self.sock.settimeout(0.1)  # the accept loop wakes up to see ``close``
        self.port: int = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            self.handle(conn)

    def handle(self, conn: socket.socket) -> None:
        """What to do with an accepted connection: close it (a subclass may answer first)."""
        conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()

    def __enter__(self) -> LoopbackListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
