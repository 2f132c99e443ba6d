"""Surveys on the citizen's Min side (issue 20): the satisfaction question waiting on her closed
cases, and the municipality's open surveys. Invitation codes name no one (anonymity: a code is not
tied to a person), so the questions she is asked as a person are those on her own cases."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from servicetorg.citizens import panels
from servicetorg.inquiries import min_side as inquiry_cases
from servicetorg.inquiries.models import State

from . import selectors
from .services import satisfaction

#: The closed cases looked at for a waiting question (the newest; older ones are past answering).
RECENT_CLOSED = 10


def _panel(request, viewer) -> str:
    waiting = []
    if viewer.for_herself:
        closed = [i for i in inquiry_cases.cases(viewer) if i.state == State.CLOSED][:RECENT_CLOSED]
        waiting = satisfaction.waiting(closed)
    surveys = list(selectors.open_surveys(viewer.municipality)[:10])
    if not waiting and not surveys:
        return ""
    return render_to_string(
        "surveys/public/_min_side.html", {"waiting": waiting, "surveys": surveys}, request=request
    )


PANEL = panels.Panel(
    name="surveys",
    title=_("Surveys"),
    render=_panel,
    empty=_("No questions are waiting for your answer."),
    position=20,
)
