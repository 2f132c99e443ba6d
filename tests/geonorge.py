"""A local stand-in for Kartverket's address register (Geonorge's ``/adresser/v1/sok``), for tests.

A real HTTP server on 127.0.0.1 (a socket, a thread) that answers as the register does: JSON with
``metadata`` and ``adresser[]`` (``adressetekst``, ``postnummer``, ``poststed`` in capitals,
``kommunenummer``, ``representasjonspunkt{epsg, lat, lon}``), filtered by ``kommunenummer``, at most
``treffPerSide`` hits, ``sok`` matched word by word (a trailing ``*`` makes the last word a prefix),
``fuzzy=true`` matching addresses that look alike. The application's real client
(servicetorg.core.addresses) talks to it over HTTP; a test sets ``register.mode`` to make it slow,
fail with a 500, answer what is not JSON or not the register's shape, or ignore the municipality.
"""

from __future__ import annotations

import difflib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def address(text, postcode, place, number, lat, lon, **extra) -> dict:
    """One entry as the register writes it (with a few of the fields the application does not use)."""
    street, _, house = text.rpartition(" ")
    return {
        "adressenavn": street,
        "adressetekst": text,
        "adressetilleggsnavn": None,
        "adressekode": 1000 + len(street),
        "nummer": int("".join(c for c in house if c.isdigit()) or 0),
        "bokstav": "".join(c for c in house if c.isalpha()),
        "kommunenummer": number,
        "kommunenavn": {"3805": "LARVIK", "3804": "SANDEFJORD"}.get(number, "FJORDVIK"),
        "gardsnummer": 1,
        "bruksnummer": 1,
        "festenummer": 0,
        "undernummer": 0,
        "bruksenhetsnummer": [],
        "objtype": "Vegadresse",
        "poststed": place,
        "postnummer": postcode,
        "adressetekstutenadressetilleggsnavn": text,
        "stedfestingverifisert": True,
        "representasjonspunkt": {"epsg": "EPSG:4258", "lat": lat, "lon": lon},
        "oppdateringsdato": "2026-11-02T10:33:12",
        **extra,
    }


#: Addresses in Larvik (3805) and its neighbour Sandefjord (3804): real street names, made-up points.
ADDRESSES = [
    address("Storgata 1", "3256", "LARVIK", "3805", 59.053621, 10.029876),
    address("Storgata 10", "3256", "LARVIK", "3805", 59.054310, 10.031002),
    address("Storgata 12B", "3256", "LARVIK", "3805", 59.054512, 10.031344),
    address("Storgata 1", "3210", "SANDEFJORD", "3804", 59.130942, 10.222711),
    address("Kongegata 4", "3256", "LARVIK", "3805", 59.049816, 10.035412),
    address("Bøkeskogen 2", "3258", "LARVIK", "3805", 59.061204, 10.040101),
    address("Torstrandgata 7", "3263", "LARVIK", "3805", 59.047533, 10.046890),
]


def _words(text: str) -> list[str]:
    return [w for w in text.casefold().replace(",", " ").split() if w]


def matches(entry: dict, sok: str, fuzzy: bool) -> bool:
    haystack = _words(f"{entry['adressetekst']} {entry['postnummer']} {entry['poststed']}")
    if fuzzy:
        wanted = sok.casefold().strip()
        return difflib.SequenceMatcher(None, wanted, entry["adressetekst"].casefold()).ratio() >= 0.75
    query = _words(sok)
    if not query:
        return False
    *whole, last = query
    prefix = last.endswith("*")
    last = last.rstrip("*")
    if any(word not in haystack for word in whole):
        return False
    return any(w.startswith(last) for w in haystack) if prefix else last in haystack


class Register:
    """The server's state, shared with the handler: what it holds, how it behaves, what it was asked."""

    def __init__(self):
        self.addresses = list(ADDRESSES)
        self.mode = "ok"  # ok | slow | error | not-json | wrong-shape | ignore-municipality | refuse
        self.delay = 0.0
        self.requests: list[dict] = []
        self.url = ""

    def answer(self, params: dict) -> tuple[int, str, bytes]:
        if self.mode == "slow":
            time.sleep(self.delay)
        if self.mode == "error":
            return 503, "text/html", b"<html><body>Service Unavailable</body></html>"
        if self.mode == "refuse":
            return 400, "application/json", b'{"code": 400, "message": "ugyldig sok"}'
        if self.mode == "not-json":
            return 200, "application/json", b'{"adresser": [{"adressetekst": "Storgata 1", '
        if self.mode == "wrong-shape":
            return 200, "application/json", json.dumps({"adresser": "Storgata 1"}).encode()
        sok = params.get("sok", "")
        number = params.get("kommunenummer", "")
        per_page = int(params.get("treffPerSide", "10"))
        fuzzy = params.get("fuzzy", "false") == "true"
        hits = [
            a
            for a in self.addresses
            if matches(a, sok, fuzzy)
            and (self.mode == "ignore-municipality" or not number or a["kommunenummer"] == number)
        ]
        page = hits[:per_page]
        body = {
            "metadata": {
                "side": 0,
                "sokeStreng": f"sok={sok}",
                "totaltAntallTreff": len(hits),
                "treffPerSide": per_page,
                "viserFra": 0,
                "viserTil": len(page),
                "asciiKompatibel": True,
            },
            "adresser": page,
        }
        return 200, "application/json; charset=utf-8", json.dumps(body, ensure_ascii=False).encode()


class _Handler(BaseHTTPRequestHandler):
    register: Register

    def do_GET(self):  # noqa: N802 (http.server's name)
        parts = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.register.requests.append({"path": parts.path, "params": params, "headers": dict(self.headers)})
        if parts.path != "/adresser/v1/sok":
            status, kind, body = 404, "text/plain", b"not found"
        else:
            status, kind, body = self.register.answer(params)
        try:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (a time-out test)
            pass

    def log_message(self, *args):
        pass


def start() -> tuple[Register, ThreadingHTTPServer]:
    register = Register()
    handler = type("Handler", (_Handler,), {"register": register})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    register.url = f"http://127.0.0.1:{server.server_port}/adresser/v1"
    return register, server
