"""Forms of the school office's pages: a round's rules and seats, a school, a what-if. They check
the input's shape; the services (rounds.py, allocate.py) check the rules."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import allocate
from .models import Priority, Round, RoundSchool, School, TieBreak
from .rounds import ROUND_FIELDS, SCHOOL_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
#: The priority groups a round may put in order (everyone else is «others», always last).
GROUP_CHOICES = [("", _("(none)"))] + [(p.value, p.label) for p in Priority if p != Priority.OTHER]
PRIORITY_SLOTS = 3


class RoundForm(forms.ModelForm):
    """A draft's rules. The published priority order is chosen as the 1st, 2nd and 3rd group."""

    class Meta:
        model = Round
        fields = [f for f in ROUND_FIELDS if f != "priorities"]
        widgets = {"opens_on": DATE, "closes_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(self.instance.priorities or []) if self.instance.pk else list(Round().priorities)
        if not self.instance.pk and not current:
            current = [Priority.SPECIAL_NEEDS, Priority.CATCHMENT, Priority.SIBLING]
        ordinal = [_("First priority group"), _("Second priority group"), _("Third priority group")]
        for index in range(PRIORITY_SLOTS):
            self.fields[f"priority_{index + 1}"] = forms.ChoiceField(
                label=ordinal[index],
                choices=GROUP_CHOICES,
                required=False,
                initial=current[index] if index < len(current) else "",
                help_text=_(
                    "Everyone not in a chosen group comes last, as «others»; the lottery breaks ties."
                )
                if index == PRIORITY_SLOTS - 1
                else "",
            )
        self.order_fields(
            [
                *[
                    f
                    for f in self.fields
                    if not f.startswith("priority_") and f not in ("tie_break", "guarantee")
                ]
            ]
            + [f"priority_{i + 1}" for i in range(PRIORITY_SLOTS)]
            + ["tie_break", "guarantee"]
        )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"priority_{i + 1}") for i in range(PRIORITY_SLOTS)]
        data["priorities"] = [code for code in chosen if code]
        return data

    def _post_clean(self):
        pass  # the service validates the whole round (Round.full_clean)

    def values(self) -> dict:
        """The round's fields for the service."""
        return {name: self.cleaned_data[name] for name in ROUND_FIELDS if name in self.cleaned_data}

    def show_error(self, error: ValidationError) -> None:
        """A service's error on the form: the priority order's on its first field."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, errors in error.error_dict.items():
            name = "priority_1" if name == "priorities" else name
            self.add_error(name if name in self.fields else None, errors)


class RoundCreateForm(RoundForm):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        self.order_fields(["municipality", *[f for f in self.fields if f != "municipality"]])


class SeatForm(forms.Form):
    """One school's seats in the round: empty or 0 leaves the school out."""

    seats = forms.IntegerField(label=_("Seats"), required=False, min_value=0, max_value=2000)
    class_size = forms.IntegerField(label=_("Pupils per class"), min_value=1, max_value=40, initial=25)

    def __init__(self, *args, school: School, row: RoundSchool | None, **kwargs):
        initial = {"seats": row.seats, "class_size": row.class_size} if row else {"class_size": 25}
        super().__init__(*args, initial=initial, **kwargs)
        self.school = school
        self.fields["seats"].label = _("Seats at %(school)s") % {"school": school.name}
        self.fields["class_size"].label = _("Pupils per class at %(school)s") % {"school": school.name}
        self.fields["seats"].widget.attrs["class"] = "input-short"
        self.fields["class_size"].widget.attrs["class"] = "input-short"


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = list(SCHOOL_FIELDS)
        widgets = {"profile": forms.Textarea(attrs={"rows": 8})}

    def _post_clean(self):
        pass  # the service validates the school (and its name within the municipality)


class SchoolCreateForm(SchoolForm):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
        self.order_fields(["municipality"])


EXTRA_CLASSES = "extra_classes"
DROP_SIBLING = "drop_sibling"
TIE_BREAK = "tie_break"
BOSTON = allocate.FIRST_WISH_FIRST


class _Radios(forms.RadioSelect):
    def id_for_label(self, id_, index="0"):
        return f"{id_}_{index}" if id_ else ""  # the error summary links to the first choice


class WhatIfForm(forms.Form):
    """One of the council's what-ifs, each a full re-run beside the current result."""

    kind = forms.ChoiceField(label=_("What if"), widget=_Radios)
    school = forms.ModelChoiceField(
        label=_("School (for more classes)"), queryset=School.objects.none(), required=False
    )
    classes = forms.IntegerField(
        label=_("Number of extra classes"), min_value=1, max_value=10, initial=1, required=False
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.round = round_
        self.seats = {row.school_id: row for row in round_.schools.select_related("school")}
        self.fields["school"].queryset = School.objects.filter(pk__in=self.seats).order_by("name")
        other = TieBreak.SINGLE if round_.tie_break == TieBreak.PER_SCHOOL else TieBreak.PER_SCHOOL
        self.other_tie_break = other
        choices = [(EXTRA_CLASSES, _("More classes at one school"))]
        if Priority.SIBLING in round_.priorities:
            choices.append((DROP_SIBLING, _("Drop the sibling priority")))
        choices.append(
            (
                TIE_BREAK,
                _("Per-school lotteries (a new lottery number at each school)")
                if other == TieBreak.PER_SCHOOL
                else _("One lottery number per applicant, used at every school"),
            )
        )
        choices.append((BOSTON, _("First wish first (the Boston rule), for comparison")))
        self.fields["kind"].choices = choices

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == EXTRA_CLASSES:
            school, classes = data.get("school"), data.get("classes")
            if school is None:
                self.add_error("school", _("Choose the school that gets more classes."))
            if not classes:
                self.add_error("classes", _("Give the number of extra classes."))
            if school is not None and classes:
                class_size = self.seats[school.pk].class_size
                data["variant"] = {"extra_seats": {str(school.pk): classes * class_size}}
                data["label"] = ngettext(
                    "+%(n)s class (%(seats)s seats) at %(school)s",
                    "+%(n)s classes (%(seats)s seats) at %(school)s",
                    classes,
                ) % {
                    "n": classes,
                    "seats": classes * class_size,
                    "school": school.name,
                }
        elif kind == DROP_SIBLING:
            data["variant"] = {"drop": [Priority.SIBLING.value]}
            data["label"] = str(_("Without the sibling priority"))
        elif kind == TIE_BREAK:
            data["variant"] = {"tie_break": self.other_tie_break.value}
            data["label"] = str(TieBreak(self.other_tie_break).label)
        elif kind == BOSTON:
            data["variant"] = {"rule": allocate.FIRST_WISH_FIRST}
            data["label"] = str(_("First wish first (the Boston rule)"))
        return data


class AddressImportForm(forms.Form):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: address, postcode, latitude, longitude, primary_school, secondary_school and "
            "optionally district (comma or semicolon, UTF-8). Schools by their names in the registry."
        ),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        if municipalities.count() == 1:
            self.fields["municipality"].initial = municipalities.first()
