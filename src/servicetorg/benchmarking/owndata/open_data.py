"""The municipality's own shared figures as open data: the front desk's key figures and the survey
figures, registered through ``benchmarking.open_data``.

**One choice publishes.** A shared figure (see :func:`.services.shared_indicators`) is in the
municipality's open data only while the municipality has chosen to publish it at
/staff/statistikk/egne-tall/ — the same choice that names its value in the benchmark. A value in
open data is public, so publishing it there while withholding it from the comparison would make the
rule of three (:mod:`.selectors`) protect nothing. The municipality's own indicators (a unit's
survey figures, its own measurements) are not shared figures and are published as before.
"""

from __future__ import annotations

from servicetorg.core.opendata import Dataset, vocab
from servicetorg.indicators.open_data import FRONT_DESK, SURVEYS, files, modified_of, temporal_of

from .models import Publication
from .services import shared_indicators


def withheld(municipality):
    """The shared figures the municipality has not chosen to publish (a subquery)."""
    published = Publication.objects.filter(municipality=municipality, published=True).values("indicator_id")
    return shared_indicators().exclude(pk__in=published).order_by().values("pk")


DATASETS = [
    Dataset(
        key="servicetorget",
        position=40,
        title={
            "nb": "Servicetorgets nøkkeltall",
            "nn": "Nøkkeltal for servicetorget",
            "en": "The service desk's key figures",
        },
        description={
            "nb": "Henvendelser til servicetorget per år: andel besvart innen fristen, andel ferdigbehandlet "
            "i skranken, median svartid og flere.",
            "nn": "Førespurnader til servicetorget per år: del svart innan fristen, del ferdig handsama "
            "i skranken, median svartid og fleire.",
            "en": "Inquiries to the service desk per year: share answered within the deadline, share "
            "resolved at the desk, median time to reply and more.",
        },
        distributions=files(
            "servicetorget", FRONT_DESK, "Servicetorgets nøkkeltall", "Service desk figures", withheld
        ),
        themes=("GOVE",),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("servicetorg", "henvendelser", "svartid"), "en": ("service desk",)},
        frequency="ANNUAL",
        concepts=("indikator", "servicetorg", "henvendelse"),
        temporal=temporal_of(FRONT_DESK, withheld),
        modified=modified_of(FRONT_DESK, withheld),
        conforms_to=(vocab.JSON_STAT,),
    ),
    Dataset(
        key="brukerundersokelser",
        position=50,
        title={
            "nb": "Resultater fra brukerundersøkelser",
            "nn": "Resultat frå brukarundersøkingar",
            "en": "User survey results",
        },
        description={
            "nb": "Tall fra kommunens brukerundersøkelser som er publisert som indikatorer (bare tall over "
            "anonymitetsgrensen).",
            "nn": "Tal frå brukarundersøkingane til kommunen som er publiserte som indikatorar.",
            "en": "Figures from the municipality's user surveys published as indicators (only figures "
            "above the anonymity threshold).",
        },
        distributions=files("brukerundersokelser", SURVEYS, "Brukerundersøkelser", "User surveys", withheld),
        themes=("GOVE", "SOCI"),
        los_themes=("demokrati-og-innbyggerrettigheter",),
        keywords={"nb": ("brukerundersøkelse", "brukertilfredshet"), "en": ("user survey",)},
        frequency="ANNUAL",
        concepts=("indikator", "brukerundersokelse"),
        temporal=temporal_of(SURVEYS, withheld),
        modified=modified_of(SURVEYS, withheld),
        conforms_to=(vocab.JSON_STAT,),
    ),
]
