"""Controlled vocabularies DCAT-AP-NO asks for (EU Publications Office authority tables, IANA, LOS)."""

from rdflib import Namespace

EU = "http://publications.europa.eu/resource/authority/"
DATA_THEME = Namespace(EU + "data-theme/")
FREQUENCY = Namespace(EU + "frequency/")
FILE_TYPE = Namespace(EU + "file-type/")
LICENCE = Namespace(EU + "licence/")
LANGUAGE = Namespace(EU + "language/")
ACCESS_RIGHT = Namespace(EU + "access-right/")
COUNTRY = Namespace(EU + "country/")
IANA_MEDIA_TYPE = "https://www.iana.org/assignments/media-types/"
LOS_THEME = Namespace("https://psi.norge.no/los/tema/")

PUBLIC = ACCESS_RIGHT["PUBLIC"]
NORWEGIAN_BOKMAL = LANGUAGE["NOB"]
NORWEGIAN_NYNORSK = LANGUAGE["NNO"]
ENGLISH = LANGUAGE["ENG"]
NORWAY = COUNTRY["NOR"]

#: Human names of the licences a municipality can choose (core.choices.OpenDataLicense), with the
#: licence text people can read.
LICENCE_PAGES = {
    "NLOD_2_0": "https://data.norge.no/nlod/no/2.0",
    "CC_BY_4_0": "https://creativecommons.org/licenses/by/4.0/",
}

#: Specifications the platform's files conform to.
DCAT_AP_NO = "https://data.norge.no/specification/dcat-ap-no"
CPSV_AP_NO = "https://data.norge.no/specification/cpsv-ap-no"
SKOS_AP_NO = "https://data.norge.no/specification/skos-ap-no-begrep"
JSON_STAT = "https://json-stat.org/full/"
OPEN311 = "http://wiki.open311.org/GeoReport_v2/"
OPENAPI_3 = "https://spec.openapis.org/oas/v3.0.3"


def media_type(value: str) -> str:
    """IANA media type IRI, as DCAT-AP-NO wants dcat:mediaType."""
    return IANA_MEDIA_TYPE + value.split(";")[0].strip()
