"""Forms of providers and applications. They read and bound the input; providers.py decides."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from servicetorg.core.choices import Role
from servicetorg.inquiries.attachments import AttachmentsField

from .models import Application, Provider, SupplementaryService
from .providers import PROFILE_FIELDS, SUPPLEMENTARY_FIELDS

TEXT = forms.Textarea(attrs={"rows": 4})


class ProfileForm(forms.ModelForm):
    """What a provider's own users keep up to date."""

    class Meta:
        model = Provider
        fields = list(PROFILE_FIELDS)
        widgets = {"profile": TEXT}
        help_texts = {
            "languages": _("Comma-separated, e.g. norsk, engelsk, polsk."),
            "districts": _("Comma-separated; leave empty if you serve the whole municipality."),
        }

    def _post_clean(self):
        pass  # the service validates the provider


class ApplicationForm(forms.ModelForm):
    """A provider's application (the part every applicant fills in) with its documents."""

    documents = AttachmentsField(label=_("Documents (certificates, quality system, insurance)"))

    class Meta:
        model = Application
        fields = ["competence", "quality_assurance"]
        widgets = {"competence": TEXT, "quality_assurance": TEXT}
        help_texts = {
            "competence": _("The staff's education and experience, and how you keep it up."),
            "quality_assurance": _("Your quality system: deviations, complaints, internal control."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].help_text = self.fields["documents"].limits_text

    def _post_clean(self):
        pass


class PublicApplicationForm(ApplicationForm):
    """The public form: who the provider is, then the application."""

    organization_number = forms.CharField(
        label=_("Organisation number"),
        max_length=20,
        help_text=_("Nine digits, from the Brønnøysund Register Centre."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("The provider's name"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("The receipt and the decision are sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    profile = forms.CharField(label=_("About the provider"), max_length=4000, required=False, widget=TEXT)
    languages = forms.CharField(label=_("Languages spoken"), max_length=200, required=False)
    districts = forms.CharField(
        label=_("Districts served"),
        max_length=400,
        required=False,
        help_text=_("Comma-separated; leave empty if you serve the whole municipality."),
    )
    fixed_helper = forms.BooleanField(label=_("We offer a fixed helper"), required=False)
    capacity_users = forms.IntegerField(
        label=_("Capacity (users)"), min_value=0, max_value=100000, required=False
    )
    capacity_hours_per_month = forms.IntegerField(
        label=_("Capacity (hours per month)"), min_value=0, max_value=1000000, required=False
    )

    field_order = [
        "organization_number",
        "name",
        "email",
        "phone",
        "profile",
        "languages",
        "districts",
        "fixed_helper",
        "capacity_users",
        "capacity_hours_per_month",
        "competence",
        "quality_assurance",
        "documents",
    ]

    def profile_values(self) -> dict:
        data = self.cleaned_data
        values = {n: data.get(n) for n in ("profile", "languages", "districts", "fixed_helper")}
        values["capacity_users"] = data.get("capacity_users") or 0
        values["capacity_hours_per_month"] = data.get("capacity_hours_per_month") or 0
        return values


class ApplyForm(ApplicationForm):
    """A provider's own user applies to another scheme (the provider is known)."""

    scheme = forms.ModelChoiceField(queryset=None, label=_("Scheme"))
    field_order = ["scheme", "competence", "quality_assurance", "documents"]

    def __init__(self, *args, schemes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = schemes


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=4000, required=False, widget=TEXT)
    effective_on = forms.DateField(
        label=_("Takes effect on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Suspension only; empty: today."),
    )

    def __init__(self, *args, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        if action != "suspend":
            del self.fields["effective_on"]
        if action in ("reject", "suspend"):
            self.fields["reason"].required = True


class SupplementaryForm(forms.ModelForm):
    class Meta:
        model = SupplementaryService
        fields = list(SUPPLEMENTARY_FIELDS)
        widgets = {"description": TEXT}

    def _post_clean(self):
        pass


class ProviderCreateForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["name", "organization_number", "unit", "email", "phone", "survey"]
        help_texts = {
            "organization_number": _("Empty for a municipal unit: the municipality's number is used.")
        }

    def __init__(self, *args, units, surveys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["survey"].queryset = surveys
        self.fields["organization_number"].required = False
        self.fields["organization_number"].validators = []

    def _post_clean(self):
        pass


class RegistryForm(forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["name", "organization_number", "survey"]

    def __init__(self, *args, surveys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].queryset = surveys
        self.fields["organization_number"].validators = []

    def _post_clean(self):
        pass


class MemberForm(forms.Form):
    member = forms.ModelChoiceField(queryset=None, label=_("User with the provider role"))

    def __init__(self, *args, municipality_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            get_user_model()
            .objects.filter(memberships__municipality_id=municipality_id, memberships__role=Role.PROVIDER)
            .distinct()
            .order_by("username")
        )
