"""Form helpers shared by every module's staff pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Municipality


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a domain ValidationError (from services.py) on the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class MunicipalityChoiceForm(forms.Form):
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=Municipality.objects.none())

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = queryset


def chosen_municipality(request, choices) -> tuple[Municipality | None, MunicipalityChoiceForm]:
    """The municipality a page creates a record in, for a user who may do so in ``choices``: the one
    the request names (``municipality``, by GET or POST, only from ``choices``), the only one, or None
    — then the page renders ``staff/choose_municipality.html`` with the returned chooser, and its form
    carries the choice on as a hidden ``municipality`` field. Never the first of several."""
    chooser = MunicipalityChoiceForm(request.POST or request.GET or None, queryset=choices)
    if chooser.is_bound and chooser.is_valid():
        return chooser.cleaned_data["municipality"], chooser
    only = list(choices[:2])
    return (only[0] if len(only) == 1 else None), chooser
