"""Running the test identity provider: on a thread for tests, or as a process (``__main__``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import werkzeug.serving

from .app import make_app, set_issuer


@contextmanager
def run_in_thread(port: int = 0, *, host: str = "127.0.0.1", **kwargs: Any) -> Iterator[str]:
    """Serve the test identity provider on a background thread; yields its issuer, the base URL
    (e.g. ``http://127.0.0.1:40123``). ``port=0`` takes a free port; other keywords go to
    ``make_app``. The server stops when the block ends.

    >>> with run_in_thread() as issuer:  # doctest: +SKIP
    ...     requests.get(issuer + "/.well-known/openid-configuration")
    """
    app = make_app(**kwargs)
    server = werkzeug.serving.make_server(host, port, app, threaded=True)
    base_url = f"http://{host}:{server.server_port}"
    set_issuer(app, kwargs.get("issuer") or base_url)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
