from django import forms
from django.utils.translation import gettext_lazy as _

from servicetorg.core.models import Unit
from servicetorg.core.validators import validate_upload_size

from .models import MAX_YEAR, MIN_YEAR, Indicator, Source


class IndicatorForm(forms.ModelForm):
    municipality = forms.ModelChoiceField(
        queryset=None,
        label=_("Municipality"),
        required=False,
        empty_label=_("National (shared by all municipalities)"),
    )

    class Meta:
        model = Indicator
        fields = [
            "municipality",
            "code",
            "name",
            "description",
            "unit_of_measure",
            "direction",
            "source",
            "aspect",
            "kostra_table",
            "kostra_code",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, municipalities, allow_national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.allow_national = allow_national

    def clean_municipality(self):
        municipality = self.cleaned_data.get("municipality")
        if municipality is None and not self.allow_national:
            raise forms.ValidationError(_("Only an administrator can create national indicators."))
        return municipality


class ValueForm(forms.Form):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))
    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(), label=_("Unit"), required=False, empty_label=_("The whole municipality")
    )
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    value = forms.DecimalField(localize=True, label=_("Value"), max_digits=16, decimal_places=4)
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OWN)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.fields["unit"].queryset = Unit.objects.filter(municipality__in=municipalities)


class CsvImportForm(forms.Form):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))
    file = forms.FileField(
        label=_("CSV file"),
        validators=[validate_upload_size],
        help_text=_("Columns: indicator (code), year, value, and optionally unit (short name) and note."),
    )
    source = forms.ChoiceField(label=_("Source"), choices=Source.choices, initial=Source.OWN)
    skip_bad_rows = forms.BooleanField(label=_("Import the good rows even if some are bad"), required=False)

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class JsonStatImportForm(forms.Form):
    file = forms.FileField(
        label=_("JSON-stat 2 file from Statistics Norway"),
        validators=[validate_upload_size],
        help_text=_("Values are imported for your municipalities only."),
    )
    skip_bad_rows = forms.BooleanField(label=_("Import the good values even if some are bad"), required=False)
