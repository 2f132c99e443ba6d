"""Address search in Kartverket's open address register (Geonorge's "adresser" REST API, no key).

Called **server-side** only: the browser asks this site (the contact form's address field,
``inquiries_public:address-search``), this site asks Geonorge, so the Content-Security-Policy's
``connect-src`` stays ``'self'`` and the citizen's typing goes to no third party from her browser.

``GET {ADDRESS_SEARCH_URL}/sok?sok=…&kommunenummer=…&treffPerSide=…&fuzzy=…`` answers
``{"metadata": {...}, "adresser": [{"adressetekst": "Storgata 1", "postnummer": "3256",
"poststed": "LARVIK", "kommunenummer": "3805", "representasjonspunkt": {"epsg": "EPSG:4258",
"lat": 59.05, "lon": 10.03}, ...}]}`` (EPSG:4258, ETRS89: WGS 84 to within centimetres here).

Settings (docs/operations.md, "Address search"): ``ADDRESS_SEARCH_URL`` (empty turns the search
off), ``ADDRESS_SEARCH_TIMEOUT`` (seconds), ``ADDRESS_SEARCH_CACHE_SECONDS`` (how long an answer is
reused), ``ADDRESS_SEARCH_MUNICIPALITY`` (search this municipality number instead of the portal's:
for a demo municipality whose number is made up). Answers are cached; after a failure (time-out,
connection refused, 5xx) the register is left alone for :data:`PAUSE_AFTER_FAILURE` seconds, so a
register that is down costs each keystroke nothing rather than a worker's time-out. Every failure
is an :class:`AddressSearchError`, which the pages turn into a plain message: she can still mark
the place on the map or describe it in words.
"""

import hashlib
import json
import logging
import re
import time
from dataclasses import asdict, dataclass

import requests
from django.conf import settings
from django.core.cache import cache

from .maps import in_norway

log = logging.getLogger(__name__)

GEONORGE_ADDRESSES = "https://ws.geonorge.no/adresser/v1"
#: A query shorter than this gives no suggestions (too many hits to be of use).
MIN_QUERY_LENGTH = 3
MAX_QUERY_LENGTH = 100
#: The most suggestions asked for (``treffPerSide``).
MAX_HITS = 8
#: An answer larger than this is not the register's (a page of 8 addresses is a few kB).
MAX_ANSWER_BYTES = 512 * 1024
#: Seconds without asking the register after it failed.
PAUSE_AFTER_FAILURE = 30

# Small words of place names written in lower case ("Bø i Telemark", "Nes på Hedmarken").
_SMALL_WORDS = {"i", "på", "og", "ved", "under", "over"}


class AddressSearchError(Exception):
    """The register gave no usable answer: turned off, time-out, refused, an error, not its JSON."""


@dataclass(frozen=True)
class Address:
    """One address of the register: ``text`` is its street address ("Storgata 1"), ``place`` its
    postal place as written in letters ("Larvik"); ``lat``/``long`` its representation point."""

    text: str
    postcode: str
    place: str
    municipality_number: str
    lat: float
    long: float

    @property
    def label(self) -> str:
        """ "Storgata 1, 3256 Larvik": what the address field and the case show."""
        where = " ".join(part for part in (self.postcode, self.place) if part)
        return f"{self.text}, {where}" if where else self.text

    def as_json(self) -> dict:
        return {**asdict(self), "label": self.label}


def _place_name(value: str) -> str:
    """The register writes postal places in capitals ("BØ I TELEMARK"); a page writes "Bø i Telemark"."""
    words = str(value or "").strip().lower().split()
    return " ".join(
        word
        if i and word in _SMALL_WORDS
        else "-".join(part[:1].upper() + part[1:] for part in word.split("-"))
        for i, word in enumerate(words)
    )


def enabled() -> bool:
    return bool(getattr(settings, "ADDRESS_SEARCH_URL", ""))


def municipality_number(municipality) -> str:
    """The municipality number to search in: the municipality's own, unless ADDRESS_SEARCH_MUNICIPALITY
    says another (the demo's Fjordvik, 3999, is in no register)."""
    return getattr(settings, "ADDRESS_SEARCH_MUNICIPALITY", "") or municipality.number


def normalise(text: str) -> str:
    """The query as sent and as cached: one space between words, at most MAX_QUERY_LENGTH characters."""
    return " ".join(str(text or "").split())[:MAX_QUERY_LENGTH]


def _cache_key(*parts) -> str:
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()
    return f"addresses:{digest}"


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception:  # noqa: BLE001 (a cache that does not answer: ask the register)
        log.warning("address search: the cache does not answer", exc_info=True)
        return None


def _cache_set(key, value, seconds) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:  # noqa: BLE001
        log.warning("address search: the cache does not answer", exc_info=True)


def _parse(payload, number: str) -> list[Address]:
    """The addresses of an answer, in its order; entries without a usable point, or in another
    municipality than asked for, are left out. Anything but the register's shape is an error."""
    if not isinstance(payload, dict) or not isinstance(payload.get("adresser"), list):
        raise AddressSearchError("the answer has no list 'adresser'")
    found: list[Address] = []
    for entry in payload["adresser"]:
        if not isinstance(entry, dict):
            continue
        point = entry.get("representasjonspunkt")
        text = entry.get("adressetekst")
        if not isinstance(point, dict) or not isinstance(text, str) or not text.strip():
            continue
        try:
            lat, long = float(point["lat"]), float(point["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        if not in_norway(lat, long):
            continue
        where = str(entry.get("kommunenummer") or "")
        if where and where != number:
            continue  # the filter is the register's; this keeps it if the register does not
        found.append(
            Address(
                text=" ".join(text.split()),
                postcode=str(entry.get("postnummer") or ""),
                place=_place_name(entry.get("poststed") or ""),
                municipality_number=where or number,
                lat=round(lat, 6),
                long=round(long, 6),
            )
        )
    return found


def _fetch(url: str, params: dict) -> bytes | None:
    """The body of the register's answer; None for a 4xx (the register refused this query, which
    says nothing about the register being up). ADDRESS_SEARCH_TIMEOUT bounds the whole exchange,
    not only each read."""
    timeout = float(getattr(settings, "ADDRESS_SEARCH_TIMEOUT", 3))
    deadline = time.monotonic() + timeout
    try:
        with requests.get(
            url,
            params=params,
            timeout=timeout,
            headers={"Accept": "application/json", "User-Agent": "Servicetorg (kommunal selvbetjening)"},
            stream=True,
        ) as response:
            if response.status_code >= 500:
                raise AddressSearchError(f"the register answered {response.status_code}")
            if response.status_code != 200:
                log.info("address search: the register answered %s", response.status_code)
                return None
            body = bytearray()
            for chunk in response.iter_content(chunk_size=16384):
                body += chunk
                if len(body) > MAX_ANSWER_BYTES:
                    raise AddressSearchError(f"an answer over {MAX_ANSWER_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise AddressSearchError(f"no whole answer in {timeout:g} s")
            return bytes(body)
    except requests.RequestException as exc:  # time-out, connection refused or broken, bad encoding
        raise AddressSearchError(exc.__class__.__name__) from exc


def search(
    text: str, *, municipality_number: str, limit: int = MAX_HITS, fuzzy: bool = False
) -> list[Address]:
    """Addresses of one municipality matching ``text`` (the register's own ranking). Cached for
    ADDRESS_SEARCH_CACHE_SECONDS. Raises :class:`AddressSearchError` when the register gives no
    usable answer (or search is turned off)."""
    base = getattr(settings, "ADDRESS_SEARCH_URL", "").rstrip("/")
    if not base:
        raise AddressSearchError("address search is turned off (ADDRESS_SEARCH_URL is empty)")
    query = normalise(text)
    limit = max(1, min(int(limit), MAX_HITS))
    if not query:
        return []
    key = _cache_key(base, municipality_number, limit, fuzzy, query.casefold())
    cached = _cache_get(key)
    if cached is not None:
        return [Address(**entry) for entry in cached]
    pause_key = _cache_key("paused", base)
    if _cache_get(pause_key):
        raise AddressSearchError("the register failed a moment ago")
    params = {
        "sok": query,
        "kommunenummer": municipality_number,
        "treffPerSide": str(limit),
        "side": "0",
        "fuzzy": "true" if fuzzy else "false",
        "utkoordsys": "4258",
    }
    try:
        body = _fetch(f"{base}/sok", params)
        if body is None:
            return []
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise AddressSearchError("the answer is not JSON") from exc
        found = _parse(payload, municipality_number)
    except AddressSearchError as exc:
        _cache_set(pause_key, 1, PAUSE_AFTER_FAILURE)
        log.warning("address search failed: %s", exc)
        raise
    seconds = int(getattr(settings, "ADDRESS_SEARCH_CACHE_SECONDS", 600))
    if seconds > 0:
        _cache_set(key, [asdict(a) for a in found], seconds)
    return found


def suggest(text: str, *, municipality_number: str, limit: int = MAX_HITS) -> list[Address]:
    """Suggestions as she types: addresses beginning with what she typed (a trailing wildcard), and
    if none, those like it (the register's fuzzy search: "Storgt 1", "Kongens gate")."""
    query = normalise(text).rstrip("*").strip()
    if len(query) < MIN_QUERY_LENGTH:
        return []
    found = search(f"{query}*", municipality_number=municipality_number, limit=limit)
    if not found:
        found = search(query, municipality_number=municipality_number, limit=limit, fuzzy=True)
    return found


def _key(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.casefold()).strip()


def locate(text: str, *, municipality_number: str) -> Address | None:
    """The register's address when what she typed *is* one ("storgata 1", "Storgata 1, 3256 Larvik"),
    else None (a description, "the bus stop by the school", stays words: no guess puts a pin on
    the wrong street). None too when the register does not answer: the form goes through without."""
    query = normalise(text)
    if len(query) < MIN_QUERY_LENGTH:
        return None
    street, _, rest = query.partition(",")
    postcode = re.search(r"\b\d{4}\b", rest)
    try:
        found = search(street, municipality_number=municipality_number, limit=5)
    except AddressSearchError:
        return None
    for address in found:
        if _key(address.text) == _key(street) and (postcode is None or postcode.group() == address.postcode):
            return address
    return None
