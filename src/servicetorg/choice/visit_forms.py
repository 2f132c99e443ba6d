"""Forms of the visit, attestation, settlement and deviation pages (the edge: types and bounds only;
the rules are in visits.py and settlement.py)."""

from datetime import date, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Band

MOMENT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MOMENT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]


def decision_label(decision) -> str:
    """How a provider names a decision without reading its health data: its number and case reference."""
    return f"#{decision.pk}" + (f" ({decision.case_reference})" if decision.case_reference else "")


class DecisionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return decision_label(obj)


class VisitForm(forms.Form):
    decision = DecisionChoiceField(label=_("User (decision)"), queryset=None)
    starts_at = forms.DateTimeField(label=_("Start"), widget=MOMENT, input_formats=MOMENT_FORMATS)
    ends_at = forms.DateTimeField(label=_("End"), widget=MOMENT, input_formats=MOMENT_FORMATS)
    staff_pseudonym = forms.CharField(
        label=_("Helper (pseudonym)"), max_length=40, help_text=_("Never the helper's full name.")
    )
    external_id = forms.CharField(label=_("Your visit id (optional)"), max_length=64, required=False)

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions


class CorrectForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Start"), widget=MOMENT, input_formats=MOMENT_FORMATS)
    ends_at = forms.DateTimeField(label=_("End"), widget=MOMENT, input_formats=MOMENT_FORMATS)
    staff_pseudonym = forms.CharField(label=_("Helper (pseudonym)"), max_length=40)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: decision, start, end, helper, visit_id. At most 2 MB and 20 000 rows."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Register the good rows even if some rows are bad"), required=False
    )


class ProofForm(forms.Form):
    proof = forms.CharField(
        label=_("Proof"), max_length=200, help_text=_("E.g. the electronic key log of the visit.")
    )


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%m.%Y", "%Y-%m-%d"]

    def to_python(self, value):
        result = super().to_python(value)
        return result.replace(day=1) if result else result


class ComputeForm(forms.Form):
    scheme = forms.ModelChoiceField(label=_("Scheme"), queryset=None)
    month = MonthField(label=_("Month"))

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class DeviationForm(forms.Form):
    decision = forms.IntegerField(min_value=1)
    month = MonthField()
    band = forms.ChoiceField(choices=[(b.value, b.label) for b in Band])


class CitizenVisitForm(forms.Form):
    visit = forms.IntegerField(min_value=1)
    action = forms.ChoiceField(choices=[("attest", _("Attest")), ("dispute", _("Dispute"))])


def month_of(value: str | None, default: date) -> date:
    """``?maned=yyyy-mm`` as the first of that month (``default`` if missing or unreadable)."""
    try:
        return datetime.strptime(value or "", "%Y-%m").date()  # noqa: DTZ007 - a month, not a time
    except ValueError:
        return default
