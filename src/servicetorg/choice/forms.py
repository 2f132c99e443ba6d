from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Band, Provider, Rate, Scheme
from .services import RATE_FIELDS, SCHEME_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 4})


class SchemeForm(forms.ModelForm):
    """The fields of a draft (the service layer's list: one place)."""

    class Meta:
        model = Scheme
        fields = list(SCHEME_FIELDS)
        widgets = {
            "valid_from": DATE,
            "valid_until": DATE,
            "agreement_ends_on": DATE,
            "decision_date": DATE,
            "requirements": TEXT,
            "contract_terms": TEXT,
        }

    def __init__(self, *args, services, providers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        if "default_provider" in self.fields:
            self.fields["default_provider"].queryset = (
                providers if providers is not None else Provider.objects.none()
            )


class SchemeCreateForm(SchemeForm):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))

    class Meta(SchemeForm.Meta):
        fields = ["municipality", "service", "name", "mode", "price_model"]

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.order_fields(["municipality"])

    def clean(self):
        data = super().clean()
        municipality, service = data.get("municipality"), data.get("service")
        if municipality and service and service.municipality_id != municipality.pk:
            self.add_error("service", _("The service belongs to another municipality."))
        return data

    def _post_clean(self):
        pass  # the service validates the whole scheme (municipality included)


class RateForm(forms.ModelForm):
    """One band's rate; an empty row means no rate in this band."""

    class Meta:
        model = Rate
        fields = list(RATE_FIELDS)

    def __init__(self, *args, band, hourly, **kwargs):
        super().__init__(*args, **kwargs)
        self.band = band
        self.band_label = Band(band).label
        for field in self.fields.values():
            field.required = False
        if not hourly:
            del self.fields["minimum_minutes"]

    def _post_clean(self):
        pass  # the service checks the rate against its scheme (the sum, the band)

    def values(self) -> dict | None:
        """The rate to save, or None when the row is left empty."""
        data = self.cleaned_data
        if all(data.get(n) in (None, "") for n in self.fields):
            return None
        missing = [
            n for n in ("amount", "running_costs", "capital_costs", "common_costs") if data.get(n) is None
        ]
        for name in missing:
            self.add_error(name, _("Fill in this field, or leave the whole row empty."))
        return None if missing else {n: data.get(n) for n in RATE_FIELDS}


class AdoptForm(forms.Form):
    decision_date = forms.DateField(label=_("Date of the council's decision"), widget=DATE)
    case_reference = forms.CharField(label=_("Council case reference"), max_length=60)
