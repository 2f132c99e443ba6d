"""Staff forms of surveys. They only validate input; services.py does the work."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicetorg.catalogue.models import Service
from servicetorg.core.models import Municipality, Unit
from servicetorg.core.validators import validate_upload_size

from . import figure_targets, services
from .models import BackgroundKind, QuestionKind, Section, Survey

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _MunicipalityScoped:
    """Limit the service, unit and previous-round choices to one municipality."""

    def _limit(self, municipality_ids, exclude_survey=None):
        if "service" in self.fields:
            self.fields["service"].queryset = Service.objects.filter(
                municipality_id__in=municipality_ids
            ).order_by("name")
        if "unit" in self.fields:
            self.fields["unit"].queryset = Unit.objects.filter(municipality_id__in=municipality_ids).order_by(
                "name"
            )
        if "previous_round" in self.fields:
            qs = Survey.objects.filter(municipality_id__in=municipality_ids).order_by("-closes_on")
            if exclude_survey is not None:
                qs = qs.exclude(pk=exclude_survey.pk)
            self.fields["previous_round"].queryset = qs


class SurveyForm(_MunicipalityScoped, forms.ModelForm):
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none(), label=_("Municipality"))

    class Meta:
        model = Survey
        fields = list(services.SURVEY_FIELDS)  # the service layer's list: one place
        widgets = {
            "opens_on": DATE_WIDGET,
            "closes_on": DATE_WIDGET,
            "introduction": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipality_ids, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["municipality"]
            self._limit([self.instance.municipality_id], exclude_survey=self.instance)
        else:
            self.fields["municipality"].queryset = Municipality.objects.filter(pk__in=municipality_ids)
            if len(municipality_ids) == 1:
                self.fields["municipality"].initial = next(iter(municipality_ids))
            self._limit(municipality_ids)
        for name in ("service", "unit"):
            self.fields[name].help_text = _("Leave both empty for a survey of the whole municipality.")

    def _post_clean(self):  # validation with the municipality happens in services.py
        pass


class TemplateSurveyForm(_MunicipalityScoped, forms.Form):
    template = forms.ChoiceField(label=_("Questionnaire template"))
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none(), label=_("Municipality"))
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Empty: the template's title.")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Survey._meta.get_field("kind").choices)
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(), label=_("Service surveyed"), required=False
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit surveyed"), required=False)
    access = forms.ChoiceField(label=_("Access"), choices=Survey._meta.get_field("access").choices)
    opens_on = forms.DateField(label=_("Opens on"), widget=DATE_WIDGET)
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE_WIDGET)

    def __init__(self, *args, municipality_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(t["key"], t["title"]) for t in services.available_templates()]
        self.fields["municipality"].queryset = Municipality.objects.filter(pk__in=municipality_ids)
        if len(municipality_ids) == 1:
            self.fields["municipality"].initial = next(iter(municipality_ids))
        self.fields["opens_on"].initial = timezone.localdate()
        self._limit(municipality_ids)

    def clean(self):
        data = super().clean()
        m = data.get("municipality")
        for name in ("service", "unit"):
            if m and data.get(name) and data[name].municipality_id != m.pk:
                self.add_error(name, _("Choose one of the municipality's own."))
        return data


class SectionForm(forms.ModelForm):
    class Meta:
        model = Section
        fields = ["title", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 2})}


class QuestionForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.none(), label=_("Section"), required=False)
    code = forms.SlugField(
        label=_("Code"),
        max_length=30,
        required=False,
        help_text=_("Short name for exports, e.g. q5a. Empty: automatic."),
    )
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    options = forms.CharField(
        label=_("Alternatives or scale points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line, in order; they get the codes 1, 2, 3 … "
            "For a scale, e.g. I stor grad … I liten grad."
        ),
    )
    dont_know = forms.CharField(
        label=_("“Don't know” alternative outside the scale"),
        max_length=200,
        required=False,
        help_text=_("e.g. Vet ikke / uaktuelt. Counted apart, never in percentages or means."),
    )
    background = forms.ChoiceField(
        label=_("Background question"), choices=BackgroundKind.choices, required=False
    )
    required = forms.BooleanField(label=_("Must be answered"), required=False)
    min_value = forms.FloatField(label=_("Lowest number"), required=False)
    max_value = forms.FloatField(label=_("Highest number"), required=False)

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = survey.sections.all()

    def option_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]


class InvitationForm(forms.Form):
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=10000, initial=50)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        validators=[validate_upload_size],
        help_text=_(
            "First line: question codes. Alternatives by their codes; several in one cell separated by |."
        ),
    )
    skip_bad_rows = forms.BooleanField(
        label=_("Import the good rows even if some rows are bad"), required=False
    )


class CrosstabForm(forms.Form):
    question = forms.ChoiceField(label=_("Question"))
    by = forms.ChoiceField(label=_("By background question"))

    def __init__(self, *args, choice_questions, background_questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [(q.pk, f"{q.code} – {q.text[:80]}") for q in choice_questions]
        self.fields["by"].choices = [(q.pk, f"{q.code} – {q.text[:80]}") for q in background_questions]


class IndicatorForm(forms.Form):
    question = forms.ChoiceField(label=_("Question"))
    indicator = forms.ChoiceField(label=_("Indicator"))
    statistic = forms.ChoiceField(
        label=_("Figure"), choices=[("mean", _("Mean")), ("share", _("Share of answers (%)"))]
    )
    chosen = forms.CharField(
        label=_("Alternatives counted in the share"),
        required=False,
        help_text=_("Codes separated by commas, e.g. 5,6 for “share answering 5 or 6”."),
    )
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), label=_("Unit"), required=False)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = [
            (q.pk, f"{q.code} – {q.text[:80]}") for q in survey.questions.all() if q.is_scale or q.is_choice
        ]
        target = figure_targets.indicator_target()
        indicators = target.choices(survey.municipality) if target is not None else []
        self.fields["indicator"].choices = [(i.pk, label) for i, label in indicators]
        self._indicators = {str(i.pk): i for i, _label in indicators}
        self.fields["unit"].queryset = Unit.objects.filter(municipality=survey.municipality)
        self.fields["unit"].initial = survey.unit_id
        self.fields["year"].initial = survey.year

    def clean_indicator(self):
        return self._indicators[self.cleaned_data["indicator"]]

    def clean_chosen(self):
        raw = self.cleaned_data.get("chosen", "")
        try:
            return [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError as exc:
            raise forms.ValidationError(_("Write the codes as whole numbers separated by commas.")) from exc


class QuestionEditForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.none(), label=_("Section"), required=False)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Help text"), max_length=300, required=False)
    options = forms.CharField(
        label=_("Alternatives or scale points"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "One per line. When the question has answers, they can be renamed but not added or removed."
        ),
    )
    dont_know = forms.CharField(
        label=_("“Don't know” alternative outside the scale"), max_length=200, required=False
    )
    required = forms.BooleanField(label=_("Must be answered"), required=False)
    min_value = forms.FloatField(label=_("Lowest number"), required=False)
    max_value = forms.FloatField(label=_("Highest number"), required=False)

    def __init__(self, *args, question, **kwargs):
        options = list(question.options.all())
        initial = {
            "section": question.section_id,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "min_value": question.min_value,
            "max_value": question.max_value,
            "options": "\n".join(o.label for o in options if not o.excluded),
            "dont_know": next((o.label for o in options if o.excluded), ""),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["section"].queryset = question.survey.sections.all()
        if not question.is_choice:
            del self.fields["options"], self.fields["dont_know"]
        if question.kind != QuestionKind.NUMBER:
            del self.fields["min_value"], self.fields["max_value"]

    def option_list(self) -> list[str] | None:
        if "options" not in self.fields:
            return None
        return [line.strip() for line in self.cleaned_data.get("options", "").splitlines() if line.strip()]
