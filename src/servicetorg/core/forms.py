"""Form helpers shared by every module's staff pages."""

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
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
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset


def chosen_municipality(request, choices) -> tuple[Municipality | None, MunicipalityChoiceForm]:
    """The municipality a page creates a record in, for a user who may do so in ``choices``: the one
    the request names (``municipality``: the POST field on a POST, else the query), or her only one.
    None — the page answers with :func:`render_chooser` — when she has several and named none, or
    named one she may not choose (the chooser says so; never silently another, never the first of
    several). The page's forms carry the choice on as a hidden ``municipality`` field."""
    data = request.POST if request.method == "POST" else request.GET
    named = "municipality" in data
    chooser = MunicipalityChoiceForm(data if named or request.method == "POST" else None, queryset=choices)
    if chooser.is_bound:
        if chooser.is_valid():
            return chooser.cleaned_data["municipality"], chooser
        if named:
            return None, chooser
    only = list(choices[:2])
    return (only[0] if len(only) == 1 else None), chooser


def render_chooser(request, chooser: MunicipalityChoiceForm, title) -> HttpResponse:
    """Step one of creating a record for a user of several municipalities: which one (400 when the
    request named none or one she may not choose)."""
    context = {"chooser": chooser, "title": title}
    status = 400 if chooser.is_bound else 200
    return render(request, "staff/choose_municipality.html", context, status=status)
