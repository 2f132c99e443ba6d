"""Forms of the school office's application and appeal pages (the edge: types and bounds only; the
rules are in applications.py, application_imports.py and appeals.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .application_imports import address_index, normal
from .models import AppealState, SchoolApplicationState


class ApplicationFilterForm(forms.Form):
    """The list's filters (``?onske=&plassert=&tilstand=``)."""

    onske = forms.TypedChoiceField(label=_("Wished school"), required=False, coerce=int, empty_value=None)
    plassert = forms.ChoiceField(label=_("Placed at (current run)"), required=False)
    tilstand = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        school_choices = [(s.pk, s.name) for s in schools]
        self.fields["onske"].choices = [("", _("Any"))] + school_choices
        self.fields["plassert"].choices = [("", _("Any")), ("ingen", _("No seat"))] + [
            (str(pk), name) for pk, name in school_choices
        ]
        self.fields["tilstand"].choices = [("", _("Any"))] + list(SchoolApplicationState.choices)


class ApplicationForm(forms.Form):
    """The school office registers (or changes) a child's application: the same fields as Min side,
    plus the special-needs school of an individual decision."""

    child_national_id = forms.CharField(
        label=_("Child's national identity number"),
        max_length=13,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    name = forms.CharField(label=_("Child's name"), max_length=200)
    address = forms.CharField(
        label=_("Home address"), max_length=200, help_text=_("As in the municipality's address list.")
    )
    postcode = forms.CharField(
        label=_("Postcode"), max_length=4, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    contact_email = forms.CharField(label=_("Guardian's e-mail"), max_length=254, required=False)
    contact_phone = forms.CharField(label=_("Guardian's mobile"), max_length=30, required=False)
    special_needs_school = forms.TypedChoiceField(
        label=_("School named by a special-needs decision"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Only with an individual decision. Never shown to other families or on a public page."),
    )

    def __init__(self, *args, round_, schools, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        choices = [(s.pk, s.name) for s in schools]
        self.wish_names = []
        for i in range(1, round_.wishes + 1):
            self.fields[f"wish_{i}"] = forms.TypedChoiceField(
                label=_("Wish %(n)s") % {"n": i},
                required=i == 1,
                coerce=int,
                empty_value=None,
                choices=[("", "—")] + choices,
            )
            self.fields[f"sibling_{i}"] = forms.BooleanField(
                label=_("A sibling attends this school"), required=False
            )
            self.wish_names.append((f"wish_{i}", f"sibling_{i}"))
        self.fields["special_needs_school"].choices = [("", _("None"))] + choices
        if editing:
            del self.fields["child_national_id"]
        self.order_fields(
            ["child_national_id", "name", "address", "postcode"]
            + [n for pair in self.wish_names for n in pair]
            + ["contact_email", "contact_phone", "special_needs_school"]
        )

    def wish_pairs(self):
        return [(self[w], self[s]) for w, s in self.wish_names]

    def other_fields(self):
        wish_fields = {n for pair in self.wish_names for n in pair}
        return [self[n] for n in self.fields if n not in wish_fields]

    def clean(self):
        data = super().clean()
        if data.get("address") and data.get("postcode") is not None:
            found = address_index(self.round.municipality_id, postcodes=[data["postcode"].strip()])
            # an address not in the list goes on as id 0: the service says so beside its other
            # messages, so the office sees everything wrong at once
            data["address_id"] = found.get((normal(data["address"]), data["postcode"].strip()), 0)
        wishes, siblings = [], []
        for wish, sibling in self.wish_names:
            school = data.get(wish)
            if school:
                wishes.append(school)
                if data.get(sibling):
                    siblings.append(school)
            elif data.get(sibling):
                self.add_error(sibling, _("Give the school first."))
        data["wishes"] = wishes
        data["siblings"] = siblings
        return data

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        out = {
            "name": data["name"],
            "address": data["address_id"],
            "wishes": data["wishes"],
            "siblings": data["siblings"],
            "contact_email": data.get("contact_email", ""),
            "contact_phone": data.get("contact_phone", ""),
            "special_needs_school": data.get("special_needs_school"),
        }
        if "child_national_id" in data:
            out["child_national_id"] = data["child_national_id"]
        return out


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, comma or semicolon, a header row. At most 2 MB and 20 000 rows."),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False
    )


class AppealFilterForm(forms.Form):
    tilstand = forms.ChoiceField(label=_("State"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tilstand"].choices = [("", _("Any"))] + list(AppealState.choices)


class _Radios(forms.RadioSelect):
    def id_for_label(self, id_, index="0"):
        return f"{id_}_{index}" if id_ else ""  # the error summary links to the first choice


class AppealAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=_Radios,
        choices=[("uphold", _("Uphold the appeal")), ("reject", _("Do not uphold the appeal"))],
    )
    answer = forms.CharField(
        label=_("Written answer to the family"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("The reasons in plain words. The family reads it on Min side."),
    )
