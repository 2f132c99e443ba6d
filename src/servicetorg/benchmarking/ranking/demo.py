"""The demo's ranking (called by benchmarking/demo.py after the demo figures): Fjordvik's method
«Kommunebarometer (demo)» — every KOSTRA service indicator and sector weighing 1 — with one published
run over the synthetic figures, so /statistikk/rangering/ has something to show. Idempotent: a method
with a published run is left as it is."""

from __future__ import annotations

from servicetorg.core.permissions import SYSTEM

from . import services
from .models import RankingMethod, RankingRunState

NAME = "Kommunebarometer (demo)"


def load(municipality, *, seed: int = 1) -> RankingMethod | None:
    method = RankingMethod.objects.filter(municipality=municipality, name=NAME).first()
    if method is not None and method.runs.filter(state=RankingRunState.PUBLISHED).exists():
        return method
    if method is None:
        weights, sectors = services.default_weights()
        if not weights:
            return None  # no catalogue yet
        method = services.create_method(
            municipality=municipality,
            user=SYSTEM,
            name=NAME,
            description="Alle KOSTRA-indikatorene og sektorene veier like mye. Demotall, ikke SSBs.",
        )
    try:
        ranking = services.run(method, user=SYSTEM)
    except services.ValidationError:
        return method  # no figures yet
    services.publish(ranking, user=SYSTEM)
    return method
