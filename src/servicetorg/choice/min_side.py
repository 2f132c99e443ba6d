"""User choice on the citizen's Min side (issue 21): her care decisions — or those of the person a
recorded relation lets her act for — with the provider now, a coming switch and its date, and her
place on waiting lists; a page to choose or switch (``/min-side/brukervalg/<id>/velg/``) with the
effective date shown before she confirms, and a receipt.

Decisions are health data: they are shown only at ``assurance.CARE`` (high), and every read is
logged (decision_selectors). Nobody acts for another person without a valid relation: the viewer's
subject is the only person whose decisions are found.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicetorg.citizens import assurance, panels
from servicetorg.citizens.decorators import citizen_required, login_url
from servicetorg.core.permissions import CITIZEN

from . import choices, decision_selectors, notice, selectors
from .decision_views import choose_page
from .models import Choice, ChoiceState, DecisionState, WaitingEntry, WaitingState

CITIZEN_AS = decision_selectors.CITIZEN


def comparison_url(scheme) -> str:
    """The public comparison of the scheme's providers (built by the providers' part of issue 21)."""
    return f"/brukervalg/{scheme.pk}/leverandorer/"


def _rows(viewer, *, where: str):
    today = timezone.localdate()
    decisions = list(
        decision_selectors.citizen_decisions(viewer)
        .filter(state=DecisionState.IN_FORCE)
        .order_by("valid_from")
    )
    decision_selectors.log_reads(decisions, where=where, viewer=viewer)
    rows = []
    for decision in decisions:
        waiting = list(
            WaitingEntry.objects.filter(decision=decision, state=WaitingState.WAITING).select_related(
                "provider"
            )
        )
        for entry in waiting:
            entry.position = choices.waiting_position(entry)
        rows.append(
            {
                "decision": decision,
                "current": choices.current_choice(decision, today),
                "pending": list(choices.pending_choices(decision, today)),
                "waiting": waiting,
                "notice_text": notice.describe(decision.scheme),
                "comparison_url": comparison_url(decision.scheme),
            }
        )
    return rows


def _panel(request, viewer) -> str:
    if not assurance.satisfies(viewer.signed_in.level, assurance.CARE):
        if not selectors.public_schemes(viewer.municipality).exists():
            return ""
        return render_to_string(
            "choice/public/_min_side_step_up.html",
            {"login_url": login_url(reverse("citizens:home"), assurance.CARE)},
            request=request,
        )
    rows = _rows(viewer, where="min-side:panel")
    if not rows:
        return ""
    return render_to_string("choice/public/_min_side.html", {"rows": rows, "viewer": viewer}, request=request)


PANEL = panels.Panel(
    name="choice",
    title=gettext_lazy("User choice"),
    title_for_other=gettext_lazy("User choice of %(name)s"),
    render=_panel,
    empty=gettext_lazy("You have no decisions with a choice of provider."),
    position=30,
)


@citizen_required(assurance.CARE)
def choose(request, pk):
    viewer = request.viewer
    decision = decision_selectors.read_decision(pk, where="min-side:choose", as_=CITIZEN_AS, viewer=viewer)
    if decision.state != DecisionState.IN_FORCE:
        messages.error(request, _("The decision is no longer in force."))
        return redirect("citizens:home")

    def done(outcome):
        return redirect("choice_public:min-side-receipt", pk=decision.pk)

    return choose_page(
        request,
        decision,
        template="choice/public/min_side_choose.html",
        done=done,
        user=CITIZEN,
        viewer=viewer,
        extra={"comparison_url": comparison_url(decision.scheme), "viewer": viewer},
    )


@citizen_required(assurance.CARE)
def receipt(request, pk):
    viewer = request.viewer
    decision = decision_selectors.read_decision(pk, where="min-side:receipt", as_=CITIZEN_AS, viewer=viewer)
    today = timezone.localdate()
    waiting = list(
        WaitingEntry.objects.filter(decision=decision, state=WaitingState.WAITING).select_related("provider")
    )
    for entry in waiting:
        entry.position = choices.waiting_position(entry)
    return render(
        request,
        "choice/public/min_side_receipt.html",
        {
            "decision": decision,
            "current": choices.current_choice(decision, today),
            "pending": list(choices.pending_choices(decision, today)),
            "waiting": waiting,
            "viewer": viewer,
            "notice_text": notice.describe(decision.scheme),
        },
    )


@require_POST
@citizen_required(assurance.CARE)
def cancel(request, pk, choice_pk):
    """She cancels a switch not yet in effect: her provider now goes on serving."""
    viewer = request.viewer
    decision = decision_selectors.read_decision(pk, where="min-side:cancel", as_=CITIZEN_AS, viewer=viewer)
    choice = get_object_or_404(Choice, pk=choice_pk, decision=decision, state=ChoiceState.CURRENT)
    try:
        choices.cancel_switch(choice, user=CITIZEN, viewer=viewer)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The switch was cancelled."))
    return redirect("citizens:home")
