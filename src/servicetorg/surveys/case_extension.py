"""The satisfaction question on the citizen's closed case: the case extension that surveys registers
with inquiries (``inquiries/case_extensions.py``), and its page.

The case page shows a small panel (the question, or thanks once answered); the form posts to
:func:`answer_page`, which checks the case link as the case page does and stores the anonymous answer
through ``services/satisfaction.py``. On an error that page shows the question again with the
field errors and what was typed; on success it goes back to the case page.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.security import throttle_post
from servicetorg.inquiries.models import Inquiry
from servicetorg.inquiries.public_views import case_in_session

from .services import satisfaction

#: The standard scale's labels (stored in bokmål, as the survey module stores every option) in the
#: citizen's language: the nynorsk and English case pages showed them in bokmål (issue 24 point 8).
SCALE_LABELS = dict(
    zip(
        satisfaction.SCALE,
        [
            _("Very dissatisfied"),
            _("Dissatisfied"),
            _("Neither satisfied nor dissatisfied"),
            _("Satisfied"),
            _("Very satisfied"),
        ],
        strict=True,
    )
)


class _ScaleSelect(forms.RadioSelect):
    def id_for_label(self, id_, index=None):
        return id_  # the fieldset (surveys/satisfaction/_fields.html): where the error summary links


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer you got?"),
        coerce=int,
        widget=_ScaleSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything else about the answer? (optional)"),
        help_text=_("Do not write your name or other details about yourself: the answer is anonymous."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        question = survey.questions.get(code=satisfaction.RATING)
        rating = self.fields["rating"]
        assert isinstance(rating, forms.TypedChoiceField)
        rating.choices = [(o.value, SCALE_LABELS.get(o.label, o.label)) for o in question.options.all()]


def _case(request, reference: str) -> Inquiry:
    """The case this session opened with its link (no token in the form: review 2 §2.9)."""
    inquiry = case_in_session(request, reference)
    if inquiry is None:
        raise Http404
    return inquiry


class SatisfactionExtension:
    """What surveys adds to a closed case (registered in ``SurveysConfig.ready``)."""

    name = "surveys.satisfaction"

    def case_closed(self, inquiry: Inquiry, *, user) -> None:
        satisfaction.case_closed(inquiry, user=user)

    def closing_note(self, inquiry: Inquiry, case_link: str) -> str:
        if satisfaction.for_case(inquiry) is None:
            return ""
        return gettext(
            "How satisfied are you with the answer you got? Answer one question on the case page, "
            "anonymously (it takes half a minute): %(link)s"
        ) % {"link": f"{case_link}#tilfredshet"}

    def case_panel(self, request, inquiry: Inquiry, token: str) -> str:
        question = satisfaction.for_case(inquiry)
        if question is None:
            return ""
        return render_to_string(
            "surveys/satisfaction/_case_panel.html",
            {
                "question": question,
                "form": None if question.answered else SatisfactionForm(survey=question.survey),
                "action": reverse("surveys_public:satisfaction"),
                "reference": inquiry.reference,
            },
            request=request,
        )


@never_cache
@throttle_post("survey")
def answer_page(request):
    """POST only: the case's reference comes in the body; the case opens on the session's mark, as
    the token-free case page does, and the answer goes back there (no token in any URL)."""
    if request.method != "POST":
        return redirect("inquiries_public:lookup")
    inquiry = _case(request, request.POST.get("reference", ""))
    question = satisfaction.for_case(inquiry)
    case_url = reverse("inquiries_public:case-query", kwargs={"reference": inquiry.reference})
    if question is None:
        raise Http404
    if question.answered:
        return redirect(case_url + "#tilfredshet")
    form = SatisfactionForm(request.POST, survey=question.survey)
    if form.is_valid():
        try:
            satisfaction.answer(
                inquiry,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                user=CITIZEN,
            )
        except ValidationError as error:
            if getattr(error, "code", None) == "used":
                messages.info(request, error.messages[0])
                return redirect(case_url + "#tilfredshet")
            apply_validation_error(form, error)
        else:
            messages.success(request, gettext("Thank you for your answer!"))
            return redirect(case_url + "#tilfredshet")
    return render(
        request,
        "surveys/satisfaction/answer.html",
        {
            "inquiry": inquiry,
            "form": form,
            "case_url": case_url,
            "action": reverse("surveys_public:satisfaction"),
            "reference": inquiry.reference,
        },
        status=400 if form.errors else 200,
    )
