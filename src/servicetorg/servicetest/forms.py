"""Forms of the kommunetest's pages: they check the input; services.py decides."""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Device, ItemChannel, Protocol, Question, ReplyKind

MAX_REPLIES = 3
MAX_CALLS = 2


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = ["channel", "area", "text", "answer_key", "rubric", "service", "fix_field", "active"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "answer_key": forms.Textarea(attrs={"rows": 3}),
            "rubric": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        from servicetorg.catalogue.models import Service

        self.fields["service"].queryset = Service.objects.filter(municipality=municipality).order_by("name")
        self.fields["fix_field"].help_text = _("For a web question: e.g. price, application_url, contact.")

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ProtocolForm(forms.ModelForm):
    class Meta:
        model = Protocol
        fields = ["version", "description", "weight_web", "weight_phone", "weight_email"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=160)
    protocol = forms.ModelChoiceField(label=_("Protocol"), queryset=Protocol.objects.none())
    seed = forms.IntegerField(
        label=_("Sampling seed"),
        min_value=0,
        max_value=2_000_000_000,
        help_text=_("Recorded with the round."),
    )
    per_band = forms.IntegerField(label=_("Regions per size band"), min_value=1, max_value=50, initial=2)
    questions = forms.ModelMultipleChoiceField(
        label=_("Questions"),
        queryset=Question.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = Protocol.objects.filter(municipality=municipality)
        self.fields["questions"].queryset = Question.objects.filter(municipality=municipality, active=True)


class RegionForm(forms.Form):
    code = forms.CharField(label=_("Region code"), min_length=4, max_length=4)
    name = forms.CharField(label=_("Name (if not in the register)"), max_length=120, required=False)


class TesterForm(forms.Form):
    tester = forms.ModelChoiceField(label=_("Tester"), queryset=None)
    home_code = forms.CharField(label=_("Her own municipality (code)"), min_length=4, max_length=4)

    def __init__(self, *args, testers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tester"].queryset = testers


def _local(day, clock) -> datetime | None:
    if day is None or clock is None:
        return None
    return timezone.make_aware(datetime.combine(day, clock))


class CriteriaMixin:
    def add_criteria(self, rubric: list[str], met: list[bool] | None = None):
        met = met or []
        for i, criterion in enumerate(rubric):
            self.fields[f"criterion_{i}"] = forms.BooleanField(
                label=criterion, required=False, initial=i < len(met) and met[i]
            )

    def criteria_met(self, rubric: list[str]) -> list[bool]:
        return [bool(self.cleaned_data.get(f"criterion_{i}")) for i in range(len(rubric))]


class EmailItemForm(CriteriaMixin, forms.Form):
    """The e-mail sent, up to three replies (receipt, preliminary, answer), the rubric and evidence."""

    sent_date = forms.DateField(label=_("Date sent"), widget=forms.DateInput(attrs={"type": "date"}))
    sent_time = forms.TimeField(label=_("Time sent"), widget=forms.TimeInput(attrs={"type": "time"}))
    inquiry_reference = forms.CharField(
        label=_("The municipality's reference (if given)"), max_length=40, required=False
    )

    def __init__(self, *args, rubric, met=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(MAX_REPLIES):
            self.fields[f"reply_{i}_kind"] = forms.ChoiceField(
                label=_("Reply %(n)s: kind") % {"n": i + 1},
                choices=[("", _("(none)")), *ReplyKind.choices],
                required=False,
            )
            self.fields[f"reply_{i}_date"] = forms.DateField(
                label=_("Reply %(n)s: date") % {"n": i + 1},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"reply_{i}_time"] = forms.TimeField(
                label=_("Reply %(n)s: time") % {"n": i + 1},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
            self.fields[f"reply_{i}_promised"] = forms.DateField(
                label=_("Reply %(n)s: answer promised by (preliminary reply)") % {"n": i + 1},
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        self.add_criteria(rubric, met)
        self.fields["evidence"] = forms.CharField(
            label=_("Evidence (the answer as received)"),
            widget=forms.Textarea(attrs={"rows": 5}),
            required=False,
            max_length=20000,
        )
        self.rubric = rubric

    def clean(self):
        data = super().clean()
        for i in range(MAX_REPLIES):
            if data.get(f"reply_{i}_kind") and not (
                data.get(f"reply_{i}_date") and data.get(f"reply_{i}_time")
            ):
                self.add_error(f"reply_{i}_date", _("Give the date and time of the reply."))
        return data

    def values(self) -> dict:
        d = self.cleaned_data
        replies = [
            {
                "kind": d[f"reply_{i}_kind"],
                "at": _local(d[f"reply_{i}_date"], d[f"reply_{i}_time"]),
                "promised_by": d.get(f"reply_{i}_promised"),
            }
            for i in range(MAX_REPLIES)
            if d.get(f"reply_{i}_kind")
        ]
        return {
            "sent_at": _local(d["sent_date"], d["sent_time"]),
            "replies": replies,
            "criteria_met": self.criteria_met(self.rubric),
            "evidence": d.get("evidence", ""),
            "inquiry_reference": d.get("inquiry_reference", ""),
        }


class PhoneItemForm(CriteriaMixin, forms.Form):
    """Up to two calls (date, time, the stopwatch's wait, answered), the handling and evidence."""

    def __init__(self, *args, rubric, met=None, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(MAX_CALLS):
            required = i == 0
            self.fields[f"call_{i}_date"] = forms.DateField(
                label=_("Call %(n)s: date") % {"n": i + 1},
                required=required,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"call_{i}_time"] = forms.TimeField(
                label=_("Call %(n)s: time") % {"n": i + 1},
                required=required,
                widget=forms.TimeInput(attrs={"type": "time"}),
            )
            self.fields[f"call_{i}_wait"] = forms.IntegerField(
                label=_("Call %(n)s: wait in seconds") % {"n": i + 1},
                min_value=0,
                max_value=3600,
                required=required,
                widget=forms.NumberInput(attrs={"data-stopwatch-target": str(i)}),
            )
            self.fields[f"call_{i}_answered"] = forms.BooleanField(
                label=_("Call %(n)s: someone answered") % {"n": i + 1}, required=False
            )
        self.add_criteria(rubric, met)
        self.fields["transfers"] = forms.IntegerField(
            label=_("Transfers"), min_value=0, max_value=20, initial=0
        )
        self.fields["callback_promised"] = forms.BooleanField(
            label=_("A call-back was promised"), required=False
        )
        self.fields["callback_kept"] = forms.BooleanField(
            label=_("The call-back came as promised"), required=False
        )
        self.fields["evidence"] = forms.CharField(
            label=_("Evidence (notes from the call)"),
            widget=forms.Textarea(attrs={"rows": 5}),
            required=False,
            max_length=20000,
        )
        self.rubric = rubric

    def values(self) -> dict:
        d = self.cleaned_data
        calls = []
        for i in range(MAX_CALLS):
            at = _local(d.get(f"call_{i}_date"), d.get(f"call_{i}_time"))
            if at is not None and d.get(f"call_{i}_wait") is not None:
                calls.append(
                    {"at": at, "wait_seconds": d[f"call_{i}_wait"], "answered": d.get(f"call_{i}_answered")}
                )
        return {
            "calls": calls,
            "criteria_met": self.criteria_met(self.rubric),
            "transfers": d.get("transfers") or 0,
            "callback_promised": d.get("callback_promised", False),
            "callback_kept": d.get("callback_kept", False),
            "evidence": d.get("evidence", ""),
        }


class WebCheckForm(forms.Form):
    device = forms.ChoiceField(label=_("Device"), choices=Device.choices, widget=forms.RadioSelect)
    found = forms.BooleanField(label=_("I found the right answer"), required=False)
    seconds = forms.IntegerField(
        label=_("Seconds used (the timer stops at 120)"),
        min_value=0,
        max_value=600,
        widget=forms.NumberInput(attrs={"data-timer-target": "1"}),
    )
    url = forms.URLField(label=_("Where it was found"), required=False, max_length=200)
    evidence = forms.CharField(
        label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("device", "found", "seconds", "url", "evidence")}


class AssignForm(forms.Form):
    tester = forms.ModelChoiceField(label=_("Tester"), queryset=None)

    def __init__(self, *args, testers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tester"].queryset = testers


class MeasureForm(forms.Form):
    focus_area = forms.ModelChoiceField(label=_("Focus area of the strategy"), queryset=None)
    title = forms.CharField(label=_("Measure"), max_length=250, required=False)

    def __init__(self, *args, focus_areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = focus_areas


CHANNEL_FORMS = {ItemChannel.EMAIL: EmailItemForm, ItemChannel.PHONE: PhoneItemForm}
OPENING = time(9, 30)
