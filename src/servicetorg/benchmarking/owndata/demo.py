"""Demo of the own figures: the demo municipality publishes its front-desk figures and the standard
survey's index in the benchmark (idempotent). Called by benchmarking's demo after the indicator
store's demo has recorded the figures."""

from servicetorg.core.permissions import SYSTEM

from . import services


def load(municipality, *, seed: int = 0) -> None:
    for indicator in services.shared_indicators().filter(values__municipality=municipality).distinct():
        services.set_publication(municipality, indicator, published=True, user=SYSTEM)
