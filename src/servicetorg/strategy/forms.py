from django import forms
from django.utils.translation import gettext_lazy as _

from servicetorg.benchmarking.owndata.peers import PeerKind, PeerStatistic
from servicetorg.catalogue.models import ServiceArea
from servicetorg.core.models import Unit
from servicetorg.indicators.selectors import indicators_for_municipality

from .models import (
    ConsultationComment,
    FocusArea,
    FollowUpReport,
    Goal,
    Instrument,
    Measure,
    MeasureStatus,
    ModerationState,
    StatusSection,
    Strategy,
)
from .services import REPORT_FIELDS, STRATEGY_FIELDS

DATE = forms.DateInput(attrs={"type": "date"})
#: A date and time in Norwegian time (the site's time zone); shown back in the same format.
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StrategyCreateForm(forms.ModelForm):
    municipality = forms.ModelChoiceField(queryset=None, label=_("Municipality"))
    start_year = forms.IntegerField(
        label=_("First year of the election period"),
        min_value=2000,
        max_value=2100,
        help_text=_("The period runs for four years."),
    )

    class Meta:
        model = Strategy
        fields = ["municipality", "start_year", "title", "introduction", "short_version"]

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities


class StrategyForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = list(STRATEGY_FIELDS)  # the service layer's list: one place
        widgets = {"consultation_deadline": DATETIME}


class FocusAreaForm(forms.ModelForm):
    class Meta:
        model = FocusArea
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class _StrategyBound:
    def _bind(self, strategy):
        if "focus_area" in self.fields:
            self.fields["focus_area"].queryset = FocusArea.objects.filter(strategy=strategy)
        if "responsible_unit" in self.fields:
            self.fields["responsible_unit"].queryset = Unit.objects.filter(
                municipality_id=strategy.municipality_id
            )
        if "goal" in self.fields:
            self.fields["goal"].queryset = Goal.objects.filter(focus_area__strategy=strategy)
        if "instrument" in self.fields:
            self.fields["instrument"].queryset = Instrument.objects.filter(strategy=strategy)


class GoalForm(_StrategyBound, forms.ModelForm):
    focus_area = forms.ModelChoiceField(queryset=FocusArea.objects.none(), label=_("Focus area"))

    class Meta:
        model = Goal
        fields = ["focus_area", "title", "description", "kind", "perspective", "responsible_unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self._bind(strategy)


class GoalIndicatorForm(forms.Form):
    indicator = forms.ModelChoiceField(queryset=None, label=_("Indicator"))
    baseline_year = forms.IntegerField(label=_("Baseline year"), min_value=1990, max_value=2100)
    baseline_value = forms.DecimalField(
        localize=True,
        label=_("Baseline"),
        required=False,
        help_text=_("Empty: taken from the indicator's value that year."),
    )

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators_for_municipality(strategy.municipality_id)
        self.fields["baseline_year"].initial = strategy.period.start_year - 1
        for year in strategy.period.years:
            self.fields[f"target_{year}"] = forms.DecimalField(
                localize=True,
                label=_("Target %(year)s") % {"year": year},
                required=False,
                max_digits=16,
                decimal_places=4,
            )
        self.years = strategy.period.years

    def targets(self) -> dict:
        return {
            year: self.cleaned_data[f"target_{year}"]
            for year in self.years
            if self.cleaned_data.get(f"target_{year}") is not None
        }


class TargetForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=())
    value = forms.DecimalField(
        localize=True,
        label=_("Target"),
        max_digits=16,
        decimal_places=4,
        required=False,
        help_text=_("A fixed number; leave empty for a target relative to a peer group."),
    )
    peers = forms.ChoiceField(
        label=_("Or relative to a peer group"),
        required=False,
        choices=[("", _("No: a fixed number")), *PeerKind.choices],
        help_text=_(
            "Only for an indicator with official statistics (KOSTRA): the target is the peer group's "
            "statistic in the year."
        ),
    )
    peer_statistic = forms.ChoiceField(
        label=_("Better than the peer group's"),
        required=False,
        choices=[("", "–"), *PeerStatistic.choices],
    )
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in strategy.period.years]


class InstrumentForm(forms.ModelForm):
    class Meta:
        model = Instrument
        fields = ["kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class StatusSectionForm(forms.ModelForm):
    class Meta:
        model = StatusSection
        fields = ["service_area", "resources", "volume", "quality", "indicators"]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in ("resources", "volume", "quality")}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = ServiceArea.objects.filter(
            municipality_id=strategy.municipality_id
        )
        self.fields["indicators"].queryset = indicators_for_municipality(strategy.municipality_id)
        self.fields["indicators"].required = False


class MeasureForm(_StrategyBound, forms.ModelForm):
    focus_area = forms.ModelChoiceField(queryset=FocusArea.objects.none(), label=_("Focus area"))
    milestone_title = forms.CharField(label=_("First milestone"), max_length=200, required=False)
    milestone_due = forms.DateField(label=_("Milestone due"), required=False, widget=DATE)

    class Meta:
        model = Measure
        fields = [
            "focus_area",
            "goal",
            "instrument",
            "title",
            "description",
            "responsible_unit",
            "start_date",
            "due_date",
        ]
        widgets = {"start_date": DATE, "due_date": DATE, "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self._bind(strategy)

    def clean(self):
        data = super().clean()
        if bool(data.get("milestone_title")) != bool(data.get("milestone_due")):
            self.add_error("milestone_due", _("Give both the milestone and its date, or neither."))
        return data


class ProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    completed_on = forms.DateField(label=_("Completed on"), required=False, widget=DATE)


class TransitionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    adopted_on = forms.DateField(label=_("Adopted on"), required=False, widget=DATE)
    case_reference = forms.CharField(label=_("Council case reference"), max_length=60, required=False)
    consultation_deadline = forms.DateTimeField(
        label=_("Consultation deadline"), required=False, widget=DATETIME
    )


class RollForm(forms.Form):
    revision_note = forms.CharField(
        label=_("What this revision is for"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ModerationForm(forms.ModelForm):
    class Meta:
        model = ConsultationComment
        fields = ["moderation", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moderation"].choices = ModerationState.choices


class ReportCreateForm(forms.Form):
    as_of_year = forms.TypedChoiceField(label=_("Results up to and including"), coerce=int, choices=())

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["as_of_year"].choices = [(y, str(y)) for y in strategy.period.years]


class ReportForm(forms.ModelForm):
    class Meta:
        model = FollowUpReport
        fields = list(REPORT_FIELDS)
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("summary", "short_version", "changes")}

    def __init__(self, *args, goals=(), notes=None, **kwargs):
        super().__init__(*args, **kwargs)
        notes = notes or {}
        self.goal_fields = []
        for goal in goals:
            name = f"note_{goal.pk}"
            self.fields[name] = forms.CharField(
                label=_("Reasons for misses and changes: %(goal)s") % {"goal": goal.title},
                required=False,
                initial=notes.get(goal.pk, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.goal_fields.append(name)

    def goal_notes(self) -> dict:
        return {int(name.split("_", 1)[1]): self.cleaned_data[name] for name in self.goal_fields}


class CommentForm(forms.ModelForm):
    class Meta:
        model = ConsultationComment
        fields = ["name", "email", "role", "focus_area", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, strategy, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(strategy=strategy)
        self.fields["focus_area"].required = False
        self.fields["focus_area"].empty_label = _("The strategy as a whole")
