"""``python -m servicetorg.testidp``: the test identity provider for `make run` (development only)."""

from __future__ import annotations

import argparse
import os


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m servicetorg.testidp",
        description="TestID: a local OpenID Connect provider that behaves like ID-porten. For "
        "development and tests only; it signs in anyone with a synthetic number.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9400)
    parser.add_argument(
        "--frontchannel-logout-uri",
        default="",
        help="the relying party's front-channel logout URI, loaded by /frontchannel "
        "(make run: http://127.0.0.1:8000/min-side/frontchannel-logout/)",
    )
    args = parser.parse_args(argv)
    import werkzeug.serving

    from .app import make_app, set_issuer

    # authlib accepts plain http only on loopback addresses; this is a development server anyway.
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
    app = make_app(frontchannel_logout_uri=args.frontchannel_logout_uri)
    server = werkzeug.serving.make_server(args.host, args.port, app, threaded=True)
    issuer = f"http://{args.host}:{server.server_port}"  # --port 0: the port it was given
    set_issuer(app, issuer)
    print(
        f"TestID: a TEST identity provider for development only (not ID-porten), issuer {issuer}",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
