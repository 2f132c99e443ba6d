"""Demo data of benchmarking: the register (as on every installation) and the demo's own fictional
municipality in it, marked so every page can say it is not one of Statistics Norway's codes."""

from .models import Region, RegionKind
from .registry import load_registry


def load(municipality, *, seed: int) -> None:
    load_registry()
    Region.objects.update_or_create(
        code=municipality.number,
        defaults={
            "name": municipality.name,
            "kind": RegionKind.MUNICIPALITY,
            "county_code": municipality.number[:2],
            "county_name": Region.objects.filter(code=f"EKA{municipality.number[:2]}")
            .values_list("name", flat=True)
            .first()
            or "",
            "fictional": True,
        },
    )
