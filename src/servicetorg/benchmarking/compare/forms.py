import re

from django import forms
from django.utils.translation import gettext_lazy as _

from servicetorg.core.validators import validate_upload_size
from servicetorg.indicators.models import MAX_YEAR, MIN_YEAR

from .models import SavedPeerGroup


class KlassUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Klass 112 file (CSV)"),
        validators=[validate_upload_size],
        help_text=_(
            "The correspondence between the KOSTRA groups and the municipalities, as Klass downloads it "
            "(columns sourceCode, sourceName, targetCode, targetName)."
        ),
    )
    year = forms.IntegerField(
        label=_("First statistics year"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR,
        help_text=_("The grouping applies to this year's figures and later ones, until a newer grouping."),
    )
    version = forms.CharField(label=_("Version"), max_length=200, required=False)
    skip_bad_lines = forms.BooleanField(label=_("Save the good lines even if some are bad"), required=False)


class PeerGroupForm(forms.Form):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))
    name = forms.CharField(label=_("Name"), max_length=120)
    codes = forms.CharField(
        label=_("Municipality numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Four-digit numbers in use today, separated by commas, spaces or lines."),
    )

    def __init__(self, *args, municipalities, group: SavedPeerGroup | None = None, **kwargs):
        if group is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "municipality": group.municipality_id,
                "name": group.name,
                "codes": ", ".join(group.codes),
            }
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        only = list(municipalities[:2])
        if group is None and len(only) == 1:
            self.fields["municipality"].initial = only[0].pk
        if group is not None:
            self.fields["municipality"].disabled = True

    def clean_codes(self):
        return [c for c in re.split(r"[\s,;]+", self.cleaned_data["codes"]) if c]
