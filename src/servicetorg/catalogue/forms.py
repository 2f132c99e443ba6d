from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicetorg.core.choices import Channel
from servicetorg.core.models import Municipality, Unit

from .models import (
    LimitUnit,
    PromiseKind,
    Service,
    ServiceArea,
    ServiceDescription,
    ServiceLadder,
    ServiceState,
)
from .services import DESCRIPTION_FIELDS, SERVICE_FIELDS, normalise_search_words


class ServiceForm(forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Where citizens can use the service."),
    )

    class Meta:
        model = Service
        fields = list(SERVICE_FIELDS)
        widgets = {
            "review_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "search_words": forms.Textarea(attrs={"rows": 2}),
            "search_words_en": forms.Textarea(attrs={"rows": 2, "lang": "en"}),
        }

    def __init__(self, *args, municipality: Municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        self.instance.municipality = municipality
        self.fields["area"].queryset = ServiceArea.objects.filter(municipality=municipality)
        self.fields["responsible_unit"].queryset = Unit.objects.filter(municipality=municipality)

    def _clean_words(self, name: str) -> str:
        try:
            return normalise_search_words(self.cleaned_data.get(name, ""), field=name)
        except ValidationError as error:
            raise ValidationError(error.message_dict[name]) from error

    def clean_search_words(self) -> str:
        return self._clean_words("search_words")

    def clean_search_words_en(self) -> str:
        return self._clean_words("search_words_en")


class DescriptionForm(forms.ModelForm):
    class Meta:
        model = ServiceDescription
        fields = list(DESCRIPTION_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 3, "maxlength": 600})}


class PromiseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Promise"), choices=[("", "—"), *PromiseKind.choices], required=False)
    limit_value = forms.IntegerField(label=_("Limit"), min_value=1, max_value=520, required=False)
    limit_unit = forms.ChoiceField(label=_("Unit"), choices=LimitUnit.choices, initial=LimitUnit.WORKING_DAYS)
    text = forms.CharField(label=_("Promise in plain words"), max_length=300, required=False)
    guarantee = forms.CharField(
        label=_("Guarantee if the promise is broken"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    compensation_amount = forms.DecimalField(
        label=_("Compensation (NOK)"), min_value=0, max_digits=10, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("kind") and not data.get("limit_value"):
            self.add_error("limit_value", _("Give the limit for this promise."))
        if not data.get("kind") and data.get("limit_value"):
            self.add_error("kind", _("Choose what is promised."))
        return data


class BasePromiseFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        kinds = [f.cleaned_data.get("kind") for f in self.forms if f.cleaned_data.get("kind")]
        if len(kinds) != len(set(kinds)):
            raise forms.ValidationError(_("A description has at most one promise of each kind."))

    def promises(self) -> list[dict]:
        return [
            {k: v for k, v in f.cleaned_data.items()}
            for f in self.forms
            if f.cleaned_data.get("kind") and not f.cleaned_data.get("DELETE")
        ]


PromiseFormSet = forms.formset_factory(
    PromiseForm, formset=BasePromiseFormSet, extra=0, max_num=3, validate_max=True
)


def promise_formset(data=None, promises=None) -> BasePromiseFormSet:
    initial = [
        {
            k: getattr(p, k)
            for k in ("kind", "limit_value", "limit_unit", "text", "guarantee", "compensation_amount")
        }
        for p in (promises or [])
    ]
    initial += [{} for _ in range(3 - len(initial))]
    return PromiseFormSet(data=data, initial=initial, prefix="promises")


class ServiceFilterForm(forms.Form):
    q = forms.CharField(label=_("Name contains"), required=False)
    area = forms.ModelChoiceField(
        label=_("Service area"), queryset=ServiceArea.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Unit.objects.none(), required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All")), *ServiceState.choices], required=False
    )
    ladder_level = forms.TypedChoiceField(
        label=_("Service ladder level"),
        choices=[("", _("All")), *ServiceLadder.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    review_overdue = forms.BooleanField(label=_("Only overdue for review"), required=False)

    def __init__(self, *args, municipality_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = ServiceArea.objects.all()
        units = Unit.objects.all()
        if municipality_ids is not None:
            areas = areas.filter(municipality_id__in=municipality_ids)
            units = units.filter(municipality_id__in=municipality_ids)
        self.fields["area"].queryset = areas
        self.fields["unit"].queryset = units


class ReviewForm(forms.Form):
    next_review = forms.DateField(label=_("Next review"), widget=forms.DateInput(attrs={"type": "date"}))
