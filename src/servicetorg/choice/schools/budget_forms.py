"""Forms of the per-pupil budget pages (the edge: types and bounds; budget.py decides)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .budget import MAX_EXTRA
from .models import BudgetModel, BudgetSchool, Stage

MONEY = {"min_value": 0, "max_digits": 12, "decimal_places": 0}


class BudgetModelForm(forms.ModelForm):
    """A school year's model: the rates, the base grant and the common costs (and, when created, the
    municipality if the user serves several, and the year)."""

    class Meta:
        model = BudgetModel
        fields = ["school_year", "rate_primary", "rate_secondary", "base_grant", "common_costs"]

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        if municipalities is not None and len(municipalities) > 1:
            self.fields["municipality"] = forms.ModelChoiceField(
                label=_("Municipality"), queryset=municipalities, empty_label=None
            )
            self.order_fields(["municipality", *self.Meta.fields])
        if self.instance.pk:
            del self.fields["school_year"]
        for name in ("rate_primary", "rate_secondary", "base_grant", "common_costs"):
            self.fields[name].widget.attrs.update({"inputmode": "numeric", "step": "1"})

    def validate_unique(self):
        """The service says whether the year is taken (with its own message)."""


class SchoolInputsForm(forms.ModelForm):
    """One school's inputs (prefix ``school-<id>``)."""

    class Meta:
        model = BudgetSchool
        fields = ["continuing_primary", "continuing_secondary", "special_allocation", "special_reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("continuing_primary", "continuing_secondary"):
            self.fields[name].max_value = 100_000
            self.fields[name].widget.attrs.update({"max": 100_000})
        self.fields["special_allocation"].widget.attrs.update({"inputmode": "numeric", "step": "1"})

    def validate_unique(self):
        """One row per school: the page gives each school its own form."""


def stages_of(school) -> list[str]:
    """The stages a school teaches (from its grades)."""
    out = []
    if school.first_grade <= 7:
        out.append(Stage.PRIMARY)
    if school.last_grade >= 8:
        out.append(Stage.LOWER_SECONDARY)
    return out


class WhatIfForm(forms.Form):
    """What if: a what-if run in place of its round's current run, and pupils more (or fewer) at some
    schools. Read from the query string (``?hva-om=1&...``): nothing is stored."""

    run = forms.TypedChoiceField(label=_("What-if run"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, schools, runs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [("", _("None: the rounds' current runs"))] + [
            (r.pk, f"{r.round.name}: {r.label or r.pk}") for r in runs
        ]
        self.runs = {r.pk: r for r in runs}
        self.school_fields: list[tuple] = []
        for school in schools:
            names = []
            for stage in stages_of(school):
                name = f"plus-{school.pk}-{stage}"
                label = _("grades 1–7") if stage == Stage.PRIMARY else _("grades 8–10")
                self.fields[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    min_value=-MAX_EXTRA,
                    max_value=MAX_EXTRA,
                    widget=forms.NumberInput(attrs={"step": 1}),
                )
                names.append(self[name])
            self.school_fields.append((school, names))

    def extra_pupils(self) -> dict[int, dict[str, int]]:
        out: dict[int, dict[str, int]] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("plus-") and value:
                _plus, school_id, stage = name.split("-", 2)
                out.setdefault(int(school_id), {})[stage] = value
        return out

    def run_object(self):
        return self.runs.get(self.cleaned_data.get("run"))
