"""Citizen pages: the published strategy, progress, follow-up reports and the consultation form."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from servicetorg.core.forms import apply_validation_error
from servicetorg.core.permissions import CITIZEN
from servicetorg.core.portal import portal_municipality
from servicetorg.core.security import throttle_post

from . import selectors, services
from .forms import CommentForm
from .models import Strategy
from .reports import adopted_body, report_context
from .status import RULE_TEXT
from .views import pdf_response


def _municipality(request):
    municipality = portal_municipality(request)
    if municipality is None:
        raise Http404
    return municipality


def strategy_home(request):
    municipality = _municipality(request)
    strategy = selectors.current_public_strategy(municipality)
    progress = None
    if strategy is not None:
        year = min(max(timezone.localdate().year, strategy.period.start_year), strategy.period.end_year)
        progress = selectors.build_followup(strategy, year, with_charts=False)
    return render(
        request,
        "strategy/public/home.html",
        {
            "strategy": strategy,
            "progress": progress,
            "rule_text": RULE_TEXT,
            "consultations": selectors.in_consultation(municipality),
            "ended_consultations": selectors.ended_consultations(municipality)[:10],
            "reports": selectors.published_reports(municipality).defer("adopted_body", "adopted_pdf")[:10],
            "revisions": selectors.revisions_of(strategy).filter(state__in=selectors.PUBLIC_STATES)
            if strategy
            else [],
        },
    )


def strategy_revision(request, pk):
    municipality = _municipality(request)
    strategy = get_object_or_404(
        selectors.strategy_tree(
            Strategy.objects.filter(municipality=municipality, state__in=selectors.PUBLIC_STATES)
        ),
        pk=pk,
    )
    return render(
        request,
        "strategy/public/revision.html",
        {"strategy": strategy, "status_rows": selectors.status_rows(strategy)},
    )


def _public_report(request, pk):
    municipality = _municipality(request)
    return get_object_or_404(
        selectors.published_reports(municipality).select_related("strategy__municipality"), pk=pk
    )


def report_page(request, pk):
    report = _public_report(request, pk)
    if report.adopted_body:  # the report as the council adopted it (rendered by us at adoption)
        body, body_language = adopted_body(report, get_language())
        context = {
            "report": report,
            "strategy": report.strategy,
            "snapshot": mark_safe(body),  # noqa: S308
            "snapshot_language": body_language,
        }
    else:
        context = report_context(report)
    return render(request, "strategy/public/report.html", context)


def report_pdf(request, pk):
    return pdf_response(_public_report(request, pk))


@throttle_post("comment")
def consultation(request, pk):
    """The draft out for consultation with the comment form; after the deadline (or once adopted) the
    same page stays up read-only with the published comments and the municipality's answers.

    A comment posted after the deadline is refused by the service; the form comes back with the text
    kept and the reason, so nothing typed is lost.
    """
    municipality = _municipality(request)
    strategy = get_object_or_404(selectors.strategy_tree(selectors.consultations(municipality)), pk=pk)
    is_open = strategy.consultation_open()
    form = None
    if request.method == "POST":
        form = CommentForm(request.POST, strategy=strategy)
        if form.is_valid():
            try:
                services.submit_comment(
                    strategy, **form.cleaned_data, language=request.LANGUAGE_CODE, user=CITIZEN
                )
            except ValidationError as error:
                apply_validation_error(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your comment will be published when it has been read by the municipality."),
                )
                return redirect("strategy_public:consultation", pk=strategy.pk)
        elif not is_open:
            form.add_error(None, services.consultation_closed_message(strategy))
        strategy.refresh_from_db(fields=["state", "consultation_deadline"])
        is_open = strategy.consultation_open()
    elif is_open:
        form = CommentForm(strategy=strategy)
    return render(
        request,
        "strategy/public/consultation.html",
        {
            "strategy": strategy,
            "is_open": is_open,
            "form": form,
            "comments": selectors.approved_comments(strategy),
            "status_rows": selectors.status_rows(strategy),
        },
        status=400 if form is not None and form.errors else 200,
    )
