"""gunicorn's settings that belong to the project (it reads ./gunicorn.conf.py from where it starts).

The access log (when ``--access-logfile`` turns it on) is written without case links' tokens and
fødselsnumre: servicetorg.core.redaction (docs/operations.md, docs/security.md V7).
"""

import os

logger_class = "servicetorg.core.redaction.GunicornLogger"

_TRUE = {"1", "true", "yes", "on"}


def unshared_cache_refusal(workers: int, environ) -> str | None:
    """Why gunicorn must not start, or None: throttles and log-in lock-outs are counted in the cache,
    and without ``CACHE_URL`` each worker process counts alone (two workers let 25 of 25 contact posts
    through a limit of 20). Development (``SERVICETORG_DEV=1``) may run several workers without it."""
    development = environ.get("SERVICETORG_DEV", "").lower() in _TRUE
    if workers > 1 and not environ.get("CACHE_URL") and not development:
        return (
            f"Servicetorg refuses to start {workers} worker processes without CACHE_URL: throttles and "
            "log-in lock-outs would be counted per process. Set CACHE_URL=redis://host:6379/1 "
            "(docs/operations.md), or run one worker (-w 1)."
        )
    return None


_LOCAL = ("unix:", "127.", "localhost:", "[::1]:")


def forgeable_address_refusal(binds, environ) -> str | None:
    """Why gunicorn must not start, or None: with ``TRUSTED_PROXIES`` set, the client address is read
    from X-Forwarded-For; if gunicorn also listens where others can reach it past the proxy, anyone
    can send a new address with each request and the log-in lock-out and the throttles never catch
    them (issue 18 §2.7). Behind a proxy, listen on a unix socket or the loopback only."""
    if int(environ.get("TRUSTED_PROXIES", "0") or 0) <= 0:
        return None
    exposed = [bind for bind in binds if not bind.startswith(_LOCAL)]
    if exposed:
        return (
            f"Servicetorg refuses to listen on {', '.join(exposed)} with TRUSTED_PROXIES set: clients "
            "that reach gunicorn past the proxy could forge X-Forwarded-For. Bind to a unix socket "
            "or 127.0.0.1 behind the proxy (deploy/systemd/servicetorg-web.service)."
        )
    return None


def on_starting(server):
    refusal = unshared_cache_refusal(server.cfg.workers, os.environ) or forgeable_address_refusal(
        server.cfg.bind, os.environ
    )
    if refusal:
        raise SystemExit(refusal)
