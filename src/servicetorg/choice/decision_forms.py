"""Forms of the decisions and choices pages. They bound the input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import USER_REASONS
from .models import BANDS, Band, PriceModel, SwitchReason

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HOURLY_BANDS = BANDS[PriceModel.HOURLY]


def _hours_fields():
    return {
        f"hours_{band}": forms.DecimalField(
            label=_("Hours per week: %(band)s") % {"band": Band(band).label},
            required=False,
            min_value=0,
            max_value=168,
            decimal_places=2,
            max_digits=5,
        )
        for band in HOURLY_BANDS
    }


class _HoursMixin:
    """Hours per week by band (hourly schemes) or a care level (daily schemes)."""

    def add_hours(self):
        for name, field in _hours_fields().items():
            self.fields[name] = field
        self.fields["care_level"] = forms.ChoiceField(
            label=_("Care level (schemes priced per day)"),
            required=False,
            choices=[("", "–"), *[(b.value, b.label) for b in BANDS[PriceModel.DAILY]]],
        )

    def hours(self) -> dict:
        return {band: self.cleaned_data.get(f"hours_{band}") for band in HOURLY_BANDS}


class DecisionForm(_HoursMixin, forms.Form):
    scheme = forms.ModelChoiceField(queryset=None, label=_("Scheme"))
    unit = forms.ModelChoiceField(queryset=None, label=_("Ordering unit"), required=False)
    national_id = forms.CharField(label=_("National identity number"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=200)
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    case_reference = forms.CharField(label=_("Case reference"), max_length=60, required=False)
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, required=False)
    contact_email = forms.EmailField(
        label=_("E-mail for letters"),
        required=False,
        max_length=254,
        help_text=_("Optional. Without an e-mail or mobile number, letters are printed and posted."),
    )
    contact_phone = forms.CharField(label=_("Mobile for SMS"), max_length=20, required=False)

    def __init__(self, *args, schemes, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes
        self.fields["unit"].queryset = units
        self.add_hours()


class NewVersionForm(_HoursMixin, forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, required=False)
    case_reference = forms.CharField(label=_("Case reference"), max_length=60, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_hours()


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("Last day of the decision"), widget=DATE)


class ChooseForm(forms.Form):
    provider = forms.ModelChoiceField(
        queryset=None, label=_("Provider"), empty_label=None, widget=forms.RadioSelect
    )
    next_provider = forms.ModelChoiceField(
        queryset=None,
        label=_("Next choice, should this provider leave the scheme (optional)"),
        required=False,
    )
    reason = forms.ChoiceField(
        label=_("Why switch? (optional)"),
        required=False,
        choices=[("", "–"), *[(r.value, SwitchReason(r).label) for r in USER_REASONS]],
    )
    reason_text = forms.CharField(label=_("In your own words (optional)"), max_length=500, required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers
        self.fields["next_provider"].queryset = providers


class WithdrawForm(forms.Form):
    effective_on = forms.DateField(label=_("Takes effect on (the users move this day)"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
