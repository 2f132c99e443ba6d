"""Forms of the ranking's staff pages: a new method, and a method's weights (one field per catalogue
indicator and per sector, bounded)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servicetorg.indicators.models import MAX_YEAR, MIN_YEAR

from .selectors import sector_label
from .services import MAX_WEIGHT


class MethodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=4000, widget=forms.Textarea
    )
    year = forms.IntegerField(
        label=_("Data year"),
        required=False,
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=_("Empty: the latest year with figures."),
    )

    def __init__(self, *args, municipalities=None, **kwargs):
        """``municipalities``: where a new method may be made; asked first when there are several."""
        super().__init__(*args, **kwargs)
        if municipalities is not None and len(municipalities[:2]) > 1:
            field = forms.ModelChoiceField(label=_("Municipality"), queryset=municipalities)
            self.fields["municipality"] = field
            self.order_fields(["municipality"])


def _weight_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, min_value=0, max_value=MAX_WEIGHT, decimal_places=2, max_digits=6, required=False
    )


class WeightsForm(MethodForm):
    """The method's name and year, a weight per sector and per indicator (0 or empty: left out)."""

    def __init__(self, *args, indicators, method, **kwargs):
        initial = {"name": method.name, "description": method.description, "year": method.year}
        super().__init__(*args, initial=initial, **kwargs)
        self.indicators = list(indicators)
        self.sectors = sorted({i.sector for i in self.indicators}, key=sector_label)
        for sector in self.sectors:
            self.fields[f"sector__{sector}"] = _weight_field(sector_label(sector))
            self.initial[f"sector__{sector}"] = method.sector_weights.get(sector, 0)
        for indicator in self.indicators:
            self.fields[f"weight__{indicator.code}"] = _weight_field(indicator.name)
            self.initial[f"weight__{indicator.code}"] = method.indicator_weights.get(indicator.code, 0)

    def groups(self):
        """Per sector: its weight field and its indicators' fields (for the template)."""
        return [
            (
                sector_label(sector),
                self[f"sector__{sector}"],
                [(i, self[f"weight__{i.code}"]) for i in self.indicators if i.sector == sector],
            )
            for sector in self.sectors
        ]

    def weights(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        return (
            {i.code: float(data.get(f"weight__{i.code}") or 0) for i in self.indicators},
            {s: float(data.get(f"sector__{s}") or 0) for s in self.sectors},
        )
