"""Test data of the school office's pages (applications, appeals, budget), beside the shared
school_factories.py: a run with placements written straight into the database, a budget model."""

from __future__ import annotations

from decimal import Decimal

from servicetorg.choice.schools import lottery
from servicetorg.choice.schools.models import (
    AllocationRun,
    BudgetModel,
    BudgetSchool,
    Placement,
    PlacementState,
    RunKind,
)

from .school_factories import application


def placed_run(round_, placed: dict, *, address_, kind=RunKind.MAIN, current=True, label="", state=None):
    """A run of ``round_`` placing ``placed[school]`` new applicants at each school (first wish)."""
    run = AllocationRun.objects.create(
        round=round_,
        kind=kind,
        label=label,
        seed_hash=round_.seed_hash or lottery.seed_hash("x"),
        input_hash="0" * 64,
        current=current,
    )
    for school_, n in placed.items():
        for _ in range(n):
            app = application(round_, address_, [school_])
            Placement.objects.create(
                run=run,
                application=app,
                school=school_,
                wish_rank=1,
                lottery=1,
                state=state or PlacementState.OFFERED,
            )
    return run


def budget_model(municipality, *, year=2027, rows=None, **amounts) -> BudgetModel:
    """A model with the given amounts (whole kroner) and rows {school: dict of BudgetSchool fields}."""
    values = {
        "rate_primary": Decimal(80_000),
        "rate_secondary": Decimal(95_000),
        "base_grant": Decimal(500_000),
        "common_costs": Decimal(1_000_000),
    }
    values.update({k: Decimal(v) for k, v in amounts.items()})
    model = BudgetModel.objects.create(municipality=municipality, school_year=year, **values)
    for school_, fields in (rows or {}).items():
        BudgetSchool.objects.create(model=model, school=school_, **fields)
    return model
