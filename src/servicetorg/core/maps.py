"""Maps on pages (Leaflet, from npm): the tile server, its attribution and where a map starts.

Settings (docs/operations.md, "Maps"): ``MAP_TILE_URL`` (a Leaflet URL template, Kartverket's open
WMTS cache by default), ``MAP_TILE_ATTRIBUTION`` and ``MAP_ZOOM``. An empty map starts at the
municipality's centre (``Municipality.center_latitude``/``center_longitude``), else at ``MAP_CENTER``
("lat,long") if that is set, else over the whole of Norway. The Content-Security-Policy lets images
come from the tile server's origin (:func:`tile_origin`, used by conf/base.py).
"""

import math
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

from django.conf import settings

KARTVERKET_TILES = "https://cache.kartverket.no/v1/wmts/1.0.0/topo/default/webmercator/{z}/{y}/{x}.png"
KARTVERKET_ATTRIBUTION = "© Kartverket"
DEFAULT_ZOOM = 13
#: Where a map starts when neither the municipality nor MAP_CENTER says: mainland Norway, whole.
NORWAY_CENTER = (65.0, 13.0)
NORWAY_ZOOM = 4
#: Places must be in Norway (mainland, Svalbard and the sea around): the bounding box, in degrees.
LATITUDE_RANGE = (Decimal("57.5"), Decimal("81.0"))
LONGITUDE_RANGE = (Decimal("4.0"), Decimal("35.0"))


def in_norway(lat, long) -> bool:
    """Whether (lat, long), in decimal degrees, is inside :data:`LATITUDE_RANGE` and
    :data:`LONGITUDE_RANGE`."""
    try:
        lat, long = Decimal(str(lat)), Decimal(str(long))
    except ArithmeticError:
        return False
    return LATITUDE_RANGE[0] <= lat <= LATITUDE_RANGE[1] and LONGITUDE_RANGE[0] <= long <= LONGITUDE_RANGE[1]


def tile_origin(url: str) -> str:
    """The origin tiles come from, as a CSP source: ``https://cache.kartverket.no``. A ``{s}``
    subdomain placeholder becomes a wildcard (``https://*.tile.example.org``); a relative URL
    (tiles served by this site) needs no source of its own ("")."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.rsplit("@", 1)[-1]
    if "{" in host:
        labels = host.split(".")
        host = ".".join("*" if "{" in label else label for label in labels)
        if host.count("*") != 1 or not host.startswith("*."):
            host = host.split("*.", 1)[-1]
    return f"{parts.scheme}://{host}"


def parse_center(value: str) -> tuple[float, float] | None:
    """``"59.9139,10.7522"`` → (59.9139, 10.7522); None for anything else (empty, not two numbers,
    outside Norway)."""
    try:
        lat, long = (float(part) for part in value.split(","))
    except (AttributeError, ValueError):
        return None
    if not in_norway(lat, long):
        return None
    return lat, long


def map_settings(municipality=None) -> dict:
    """What a page's map needs (read by static/js/location-map.js from data attributes): an empty
    map starts at the municipality's centre, else at MAP_CENTER, else over all of Norway."""
    zoom = getattr(settings, "MAP_ZOOM", DEFAULT_ZOOM)
    center = municipality.center if municipality is not None else None
    if center is None:
        center = parse_center(getattr(settings, "MAP_CENTER", ""))
    if center is None:
        center, zoom = NORWAY_CENTER, NORWAY_ZOOM
    return {
        "tile_url": getattr(settings, "MAP_TILE_URL", KARTVERKET_TILES),
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", KARTVERKET_ATTRIBUTION),
        "lat": center[0],
        "long": center[1],
        "zoom": zoom,
    }


def utm33(lat: float, long: float) -> tuple[float, float]:
    """(easting, northing) in EUREF89 UTM zone 33 (EPSG:25833), the projection norgeskart.no's links
    use, from WGS 84 degrees (EUREF89 and WGS 84 differ by centimetres here). Krüger's series to
    the third order: millimetres within the zone's reach over Norway."""
    a, f, k0, lon0 = 6378137.0, 1 / 298.257222101, 0.9996, math.radians(15)
    n = f / (2 - f)
    big_a = a / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = (n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16, 13 * n**2 / 48 - 3 * n**3 / 5, 61 * n**3 / 240)
    phi, lam = math.radians(lat), math.radians(long) - lon0
    c = 2 * math.sqrt(n) / (1 + n)
    t = math.sinh(math.atanh(math.sin(phi)) - c * math.atanh(c * math.sin(phi)))
    xi = math.atan2(t, math.cos(lam))
    eta = math.atanh(math.sin(lam) / math.sqrt(1 + t * t))
    east = eta + sum(al * math.cos(2 * j * xi) * math.sinh(2 * j * eta) for j, al in enumerate(alpha, 1))
    north = xi + sum(al * math.sin(2 * j * xi) * math.cosh(2 * j * eta) for j, al in enumerate(alpha, 1))
    return 500000 + k0 * big_a * east, k0 * big_a * north


def norgeskart_url(lat, long, zoom: int = 15) -> str:
    """A link to the place on norgeskart.no (Kartverket's map), marked."""
    east, north = utm33(float(lat), float(long))
    params = {
        "project": "norgeskart",
        "layers": "1002",
        "zoom": str(zoom),
        "lat": f"{north:.2f}",
        "lon": f"{east:.2f}",
        "markerLat": f"{north:.2f}",
        "markerLon": f"{east:.2f}",
    }
    return "https://norgeskart.no/#!?" + urlencode(params)
