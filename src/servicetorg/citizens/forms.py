from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RelationKind


class RelationForm(forms.Form):
    municipality = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    representative_national_id = forms.CharField(
        label=_("National identity number of the representative"),
        help_text=_("The parent, guardian, relative or attorney who will act. 11 digits."),
        max_length=13,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Give the representative's national identity number.")},
    )
    subject_national_id = forms.CharField(
        label=_("National identity number of the person represented"),
        help_text=_("The child or the care user. 11 digits."),
        max_length=13,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Give the national identity number of the person represented.")},
    )
    subject_name = forms.CharField(
        label=_("Name of the person represented"),
        help_text=_("Shown to the representative on My page."),
        max_length=200,
        error_messages={"required": _("Give the name of the person represented.")},
    )
    valid_from = forms.DateField(
        label=_("Valid from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the first day."), "invalid": _("Give a date (dd.mm.yyyy).")},
    )
    valid_until = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        help_text=_("Empty: until it is ended. A guardianship usually ends when the child turns 18."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Give a date (dd.mm.yyyy).")},
    )
    note = forms.CharField(
        label=_("Basis (optional)"),
        help_text=_(
            "Where the municipality knows it from, e.g. the population register or a power of attorney."
        ),
        max_length=500,
        required=False,
    )


class EndRelationForm(forms.Form):
    municipality = forms.CharField(widget=forms.HiddenInput)
    relation = forms.IntegerField(widget=forms.HiddenInput)
    valid_until = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Give the last day."), "invalid": _("Give a date (dd.mm.yyyy).")},
    )
