"""The per-pupil budget (elevsjekk): each school's budget for the next school year from its pupils.

For a :class:`BudgetModel` (a municipality's school year: a rate per pupil for grades 1–7 and for
grades 8–10, a base grant per school, common costs shared by pupils) and its :class:`BudgetSchool`
rows (the pupils continuing in the school's other grades, special allocations with their reason)::

    budget = pupils 1–7 × rate 1–7 + pupils 8–10 × rate 8–10
             + base grant
             + common costs × the school's pupils ÷ all pupils
             + special allocations

where a stage's pupils are the continuing pupils plus the pupils placed at the school in the current
run of each of the year's rounds that has been allocated (allocated, published or finished; offered
or accepted seats, not declined ones), plus a what-if's extra pupils. The rates and grants are whole
kroner, so only the shares of the common costs are rounded: each is rounded down to whole kroner,
and the kroner left over go one each to the schools with the largest fractions (the largest
remainder method), so the shares add up to exactly the common costs. :func:`compute` returns every
part of the formula per school, so the page and the spreadsheet can show the formula with its numbers.

A school appears when it has a row in the model or has pupils placed in one of the year's rounds
(then with no continuing pupils and no special allocation until the office fills them in).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from servicetorg.core.exports import safe_cell
from servicetorg.core.permissions import Perm, filtered, require

from .models import (
    AllocationRun,
    BudgetModel,
    BudgetSchool,
    Placement,
    PlacementState,
    Round,
    RoundState,
    RunKind,
    School,
    Stage,
    stage_of,
)

#: Rounds whose placements count: the allocation has been run.
COUNTED_ROUND_STATES = (RoundState.ALLOCATED, RoundState.PUBLISHED, RoundState.FINISHED)
#: Seats that count as pupils: offered (not yet answered) or accepted.
COUNTED_PLACEMENTS = (PlacementState.OFFERED, PlacementState.ACCEPTED)
#: What a what-if may add to (or, negative, take from) a stage of one school.
MAX_EXTRA = 2000
MODEL_FIELDS = ("rate_primary", "rate_secondary", "base_grant", "common_costs")
SCHOOL_FIELDS = ("continuing_primary", "continuing_secondary", "special_allocation", "special_reason")


# --- Reading ------------------------------------------------------------------------------------------


def models_for(user):
    """The budget models the user may read (SCHOOL_READ), newest year first."""
    return filtered(BudgetModel.objects.select_related("municipality"), user, Perm.SCHOOL_READ).order_by(
        "-school_year", "municipality__name"
    )


def counted_rounds(model: BudgetModel):
    """The year's rounds whose current run counts."""
    return Round.objects.filter(
        municipality_id=model.municipality_id,
        school_year=model.school_year,
        state__in=COUNTED_ROUND_STATES,
    ).order_by("grade", "name", "pk")


def what_if_runs(model: BudgetModel):
    """The what-if runs of the counted rounds (one may stand in for its round's current run)."""
    return (
        AllocationRun.objects.filter(round__in=counted_rounds(model), kind=RunKind.WHAT_IF)
        .select_related("round")
        .order_by("round__grade", "round__name", "-pk")
    )


# --- Changing -----------------------------------------------------------------------------------------


def _clean(obj) -> None:
    try:
        obj.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


@transaction.atomic
def create_model(*, municipality, school_year: int, user, **amounts) -> BudgetModel:
    """A school year's budget model, with a row for each active school of the municipality (its
    continuing pupils and special allocations to fill in)."""
    require(user, Perm.SCHOOL_ADMINISTER, municipality.pk)
    unknown = set(amounts) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    model = BudgetModel(municipality=municipality, school_year=school_year, **amounts)
    _clean(model)
    if BudgetModel.objects.filter(municipality=municipality, school_year=school_year).exists():
        raise ValidationError({"school_year": _("There is already a budget for this school year.")})
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError as exc:
        raise ValidationError({"school_year": _("There is already a budget for this school year.")}) from exc
    schools = School.objects.filter(municipality=municipality, active=True).order_by("name")
    BudgetSchool.objects.bulk_create([BudgetSchool(model=model, school=s) for s in schools])
    return model


@transaction.atomic
def update_model(model: BudgetModel, *, user, **amounts) -> BudgetModel:
    """Change the model's rates, base grant and common costs."""
    require(user, Perm.SCHOOL_ADMINISTER, model.municipality_id)
    unknown = set(amounts) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    model = BudgetModel.objects.select_for_update().get(pk=model.pk)
    for name, value in amounts.items():
        setattr(model, name, value)
    _clean(model)
    model.save()
    return model


@transaction.atomic
def update_schools(model: BudgetModel, rows: dict[int, dict], *, user) -> None:
    """Set the schools' inputs: ``rows`` maps a school id (of the model's municipality) to its
    continuing pupils per stage and special allocation with its reason. A school without a row gets
    one."""
    require(user, Perm.SCHOOL_ADMINISTER, model.municipality_id)
    schools = set(
        School.objects.filter(municipality_id=model.municipality_id, pk__in=list(rows)).values_list(
            "pk", flat=True
        )
    )
    if set(rows) - schools:
        raise ValidationError(_("A school of another municipality cannot be in this budget."))
    existing = {r.school_id: r for r in BudgetSchool.objects.select_for_update().filter(model=model)}
    errors: dict[str, list] = {}
    for school_id, values in rows.items():
        unknown = set(values) - set(SCHOOL_FIELDS)
        if unknown:
            raise TypeError(f"unknown fields: {sorted(unknown)}")
        row = existing.get(school_id) or BudgetSchool(model=model, school_id=school_id)
        for name, value in values.items():
            setattr(row, name, value)
        if row.special_allocation and not (row.special_reason or "").strip():
            errors.setdefault("special_reason", []).append(
                _("Say what each special allocation is for (it is shown beside the amount).")
            )
            continue
        try:
            _clean(row)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
            continue
        row.save()
    if errors:
        transaction.set_rollback(True)
        raise ValidationError(errors)


# --- Computing ----------------------------------------------------------------------------------------


@dataclass
class SchoolBudget:
    """One school's budget with every part of the formula."""

    school_id: int
    name: str
    continuing_primary: int = 0
    continuing_secondary: int = 0
    placed_primary: int = 0
    placed_secondary: int = 0
    extra_primary: int = 0
    extra_secondary: int = 0
    special_allocation: Decimal = Decimal(0)
    special_reason: str = ""
    in_model: bool = True  # has a row in the model (else only placed pupils bring it here)
    # filled by compute()
    pupils_primary: int = 0
    pupils_secondary: int = 0
    amount_primary: Decimal = Decimal(0)
    amount_secondary: Decimal = Decimal(0)
    base_grant: Decimal = Decimal(0)
    share: Decimal = Decimal(0)  # the school's pupils ÷ all pupils (exact, for display)
    common_exact: Decimal = Decimal(0)  # common costs × share, before rounding
    common_share: Decimal = Decimal(0)  # whole kroner
    rounded_up: bool = False  # got one of the kroner left over by rounding down
    total: Decimal = Decimal(0)

    @property
    def pupils(self) -> int:
        return self.pupils_primary + self.pupils_secondary

    @property
    def placed(self) -> int:
        return self.placed_primary + self.placed_secondary


@dataclass
class Budget:
    model: BudgetModel
    schools: list[SchoolBudget]
    rounds: list[dict] = field(default_factory=list)  # {round, run} that counted
    what_if_run: AllocationRun | None = None
    extra: dict[int, dict[str, int]] = field(default_factory=dict)
    pupils_primary: int = 0
    pupils_secondary: int = 0
    amount_primary: Decimal = Decimal(0)
    amount_secondary: Decimal = Decimal(0)
    base_grants: Decimal = Decimal(0)
    common_shared: Decimal = Decimal(0)
    special: Decimal = Decimal(0)
    total: Decimal = Decimal(0)
    #: Kroner left over after rounding every share down, given one each to the largest fractions.
    remainder: int = 0
    remainder_schools: list[str] = field(default_factory=list)
    #: The common costs could not be shared (no pupils at all): they are in no school's budget.
    unshared: Decimal = Decimal(0)

    @property
    def pupils(self) -> int:
        return self.pupils_primary + self.pupils_secondary

    @property
    def is_what_if(self) -> bool:
        return bool(self.what_if_run) or any(any(v.values()) for v in self.extra.values())


def _placed(runs: list[int]) -> dict[tuple[int, str], int]:
    """(school id, stage) -> pupils placed in ``runs`` (one query)."""
    counts = (
        Placement.objects.filter(run_id__in=runs, school__isnull=False, state__in=COUNTED_PLACEMENTS)
        .values("school_id", "run__round__grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out: dict[tuple[int, str], int] = {}
    for row in counts:
        key = (row["school_id"], stage_of(row["run__round__grade"]))
        out[key] = out.get(key, 0) + row["n"]
    return out


def share_common_costs(common: Decimal, pupils: list[int]) -> tuple[list[Decimal], list[Decimal], list[int]]:
    """Split ``common`` (whole kroner) by ``pupils``: each share rounded down to whole kroner, then the
    kroner left over one each to the largest fractions (ties: the earlier in the list). Returns the
    exact shares, the whole-kroner shares (summing to ``common`` when anyone has pupils) and the
    indexes that got a leftover krone."""
    total = sum(pupils)
    if total == 0:
        return [Decimal(0)] * len(pupils), [Decimal(0)] * len(pupils), []
    common = int(common)
    exact = [Decimal(common) * p / total for p in pupils]
    # integer arithmetic, so no rounding of the exact share can tip a floor over a whole krone
    floors, fractions = zip(*(divmod(common * p, total) for p in pupils), strict=True)
    whole = [Decimal(f) for f in floors]
    left = common - sum(floors)
    order = sorted(range(len(pupils)), key=lambda i: (-fractions[i], i))
    lucky = sorted(order[:left])
    for i in lucky:
        whole[i] += 1
    return exact, whole, lucky


def compute(
    model: BudgetModel,
    *,
    user,
    extra: dict[int, dict[str, int]] | None = None,
    what_if_run: AllocationRun | None = None,
) -> Budget:
    """The budget of every school (see the module's note). ``extra`` ({school id: {stage: pupils}})
    adds pupils to (or takes them from) a school's stage; ``what_if_run`` (a what-if run of one of the
    counted rounds) stands in for its round's current run. Neither changes anything stored."""
    require(user, Perm.SCHOOL_READ, model.municipality_id)
    extra = {int(k): dict(v) for k, v in (extra or {}).items()}
    for values in extra.values():
        for stage, n in values.items():
            if stage not in Stage.values or abs(int(n)) > MAX_EXTRA:
                raise ValidationError(_("A what-if changes a school by at most 2 000 pupils per stage."))
    rounds = list(counted_rounds(model))
    current = dict(AllocationRun.objects.filter(round__in=rounds, current=True).values_list("round_id", "pk"))
    if what_if_run is not None:
        if what_if_run.kind != RunKind.WHAT_IF or what_if_run.round_id not in {r.pk for r in rounds}:
            raise ValidationError(_("Choose a what-if run of one of this school year's allocated rounds."))
        current[what_if_run.round_id] = what_if_run.pk
    runs_by_pk = {
        r.pk: r
        for r in AllocationRun.objects.filter(pk__in=list(current.values())).only("pk", "kind", "label")
    }
    used = [{"round": r, "run": runs_by_pk.get(current.get(r.pk))} for r in rounds]
    placed = _placed(list(current.values()))

    lines: dict[int, SchoolBudget] = {}
    for row in BudgetSchool.objects.filter(model=model).select_related("school"):
        lines[row.school_id] = SchoolBudget(
            school_id=row.school_id,
            name=row.school.name,
            continuing_primary=row.continuing_primary,
            continuing_secondary=row.continuing_secondary,
            special_allocation=Decimal(row.special_allocation),
            special_reason=row.special_reason,
        )
    missing = {school_id for school_id, _stage in placed} | set(extra)
    missing -= set(lines)
    if missing:
        for school in School.objects.filter(municipality_id=model.municipality_id, pk__in=missing):
            lines[school.pk] = SchoolBudget(school_id=school.pk, name=school.name, in_model=False)
    ordered = sorted(lines.values(), key=lambda s: (s.name, s.school_id))

    rate = {Stage.PRIMARY: Decimal(model.rate_primary), Stage.LOWER_SECONDARY: Decimal(model.rate_secondary)}
    for line in ordered:
        line.placed_primary = placed.get((line.school_id, Stage.PRIMARY), 0)
        line.placed_secondary = placed.get((line.school_id, Stage.LOWER_SECONDARY), 0)
        wanted = extra.get(line.school_id, {})
        line.extra_primary = int(wanted.get(Stage.PRIMARY, 0))
        line.extra_secondary = int(wanted.get(Stage.LOWER_SECONDARY, 0))
        line.pupils_primary = max(0, line.continuing_primary + line.placed_primary + line.extra_primary)
        line.pupils_secondary = max(
            0, line.continuing_secondary + line.placed_secondary + line.extra_secondary
        )
        line.amount_primary = line.pupils_primary * rate[Stage.PRIMARY]
        line.amount_secondary = line.pupils_secondary * rate[Stage.LOWER_SECONDARY]
        line.base_grant = Decimal(model.base_grant)

    exact, whole, lucky = share_common_costs(Decimal(model.common_costs), [s.pupils for s in ordered])
    all_pupils = sum(s.pupils for s in ordered)
    for i, line in enumerate(ordered):
        line.share = Decimal(line.pupils) / all_pupils if all_pupils else Decimal(0)
        line.common_exact = exact[i]
        line.common_share = whole[i]
        line.rounded_up = i in lucky
        line.total = (
            line.amount_primary + line.amount_secondary + line.base_grant + line.common_share
        ) + line.special_allocation

    budget = Budget(model=model, schools=ordered, rounds=used, what_if_run=what_if_run, extra=extra)
    budget.pupils_primary = sum(s.pupils_primary for s in ordered)
    budget.pupils_secondary = sum(s.pupils_secondary for s in ordered)
    budget.amount_primary = sum((s.amount_primary for s in ordered), Decimal(0))
    budget.amount_secondary = sum((s.amount_secondary for s in ordered), Decimal(0))
    budget.base_grants = sum((s.base_grant for s in ordered), Decimal(0))
    budget.common_shared = sum((s.common_share for s in ordered), Decimal(0))
    budget.special = sum((s.special_allocation for s in ordered), Decimal(0))
    budget.total = sum((s.total for s in ordered), Decimal(0))
    budget.remainder = len(lucky)
    budget.remainder_schools = [ordered[i].name for i in lucky]
    budget.unshared = Decimal(model.common_costs) - budget.common_shared
    return budget


# --- Spreadsheet --------------------------------------------------------------------------------------


def _cell(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value is None or isinstance(value, int | float):
        return value
    return safe_cell(str(value))


def table(budget: Budget) -> list[list]:
    """The spreadsheet's rows: the model's inputs, the formula, one row per school with the formula's
    columns, and the total."""
    model = budget.model
    rows: list[list] = [
        [_("Per-pupil budget (elevsjekk)"), str(model.municipality), _("School year"), model.school_year],
        [_("Rate per pupil, grades 1–7 (NOK)"), model.rate_primary],
        [_("Rate per pupil, grades 8–10 (NOK)"), model.rate_secondary],
        [_("Base grant per school (NOK)"), model.base_grant],
        [_("Common costs shared by pupils (NOK)"), model.common_costs],
        [
            _("Formula"),
            _(
                "pupils 1–7 × rate 1–7 + pupils 8–10 × rate 8–10 + base grant + common costs × the "
                "school's pupils ÷ all pupils + special allocations"
            ),
        ],
        [_("Rounding"), rounding_note(budget)],
    ]
    if budget.is_what_if:
        rows.append([_("What-if"), what_if_note(budget)])
    rows.append([])
    rows.append(
        [
            _("School"),
            _("Continuing pupils 1–7"),
            _("Placed pupils 1–7"),
            _("What-if pupils 1–7"),
            _("Pupils 1–7"),
            _("Pupils 1–7 × rate (NOK)"),
            _("Continuing pupils 8–10"),
            _("Placed pupils 8–10"),
            _("What-if pupils 8–10"),
            _("Pupils 8–10"),
            _("Pupils 8–10 × rate (NOK)"),
            _("Base grant (NOK)"),
            _("Pupils"),
            _("Share of all pupils"),
            _("Share of common costs (NOK)"),
            _("Special allocations (NOK)"),
            _("What the special allocations are for"),
            _("Budget (NOK)"),
        ]
    )
    for s in budget.schools:
        rows.append(
            [
                s.name,
                s.continuing_primary,
                s.placed_primary,
                s.extra_primary,
                s.pupils_primary,
                s.amount_primary,
                s.continuing_secondary,
                s.placed_secondary,
                s.extra_secondary,
                s.pupils_secondary,
                s.amount_secondary,
                s.base_grant,
                s.pupils,
                float(round(s.share, 6)),
                s.common_share,
                s.special_allocation,
                s.special_reason,
                s.total,
            ]
        )
    rows.append(
        [
            _("Total"),
            sum(s.continuing_primary for s in budget.schools),
            sum(s.placed_primary for s in budget.schools),
            sum(s.extra_primary for s in budget.schools),
            budget.pupils_primary,
            budget.amount_primary,
            sum(s.continuing_secondary for s in budget.schools),
            sum(s.placed_secondary for s in budget.schools),
            sum(s.extra_secondary for s in budget.schools),
            budget.pupils_secondary,
            budget.amount_secondary,
            budget.base_grants,
            budget.pupils,
            1.0 if budget.pupils else 0.0,
            budget.common_shared,
            budget.special,
            "",
            budget.total,
        ]
    )
    return rows


def rounding_note(budget: Budget) -> str:
    if budget.unshared:
        return _("No school has pupils, so the common costs (NOK %(amount)s) are not shared out.") % {
            "amount": budget.unshared
        }
    if not budget.remainder:
        return _("Every share of the common costs came out in whole kroner; nothing was rounded.")
    return ngettext(
        "Each share of the common costs is rounded down to whole kroner; the %(n)s krone left over "
        "went to the school with the largest fraction (%(schools)s), so the shares add up to exactly "
        "the common costs.",
        "Each share of the common costs is rounded down to whole kroner; the %(n)s kroner left over "
        "went one each to the schools with the largest fractions (%(schools)s), so the shares add up "
        "to exactly the common costs.",
        budget.remainder,
    ) % {"n": budget.remainder, "schools": ", ".join(budget.remainder_schools)}


def what_if_note(budget: Budget) -> str:
    parts = []
    if budget.what_if_run is not None:
        parts.append(
            _("the what-if run “%(label)s” in place of the round's current run")
            % {"label": budget.what_if_run.label or budget.what_if_run.pk}
        )
    names = {s.school_id: s.name for s in budget.schools}
    for school_id, values in sorted(budget.extra.items(), key=lambda kv: names.get(kv[0], "")):
        for stage, label in ((Stage.PRIMARY, _("grades 1–7")), (Stage.LOWER_SECONDARY, _("grades 8–10"))):
            n = int(values.get(stage, 0))
            if n:
                parts.append(
                    _("%(school)s: %(n)s pupils in %(stage)s")
                    % {
                        "school": names.get(school_id, school_id),
                        "n": f"+{n}" if n > 0 else f"−{-n}",
                        "stage": label,
                    }
                )
    return "; ".join(parts)


def as_xlsx(budget: Budget) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Per-pupil budget")[:31]
    rows = table(budget)
    for row in rows:
        sheet.append([_cell(c) for c in row])
    header = next(i for i, row in enumerate(rows, start=1) if row and row[0] == _("School"))
    for cell in sheet[header]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header + 1, max_row=sheet.max_row):
        row[13].number_format = "0.00%"
        for index in (5, 10, 11, 14, 15, 17):
            row[index].number_format = "#,##0"
    sheet.column_dimensions["A"].width = 32
    sheet.freeze_panes = sheet.cell(row=header + 1, column=2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
