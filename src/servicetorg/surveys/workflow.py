"""The survey's transition table: draft → published → closed; nothing goes back.

A closed survey cannot be published again (its answers and invitation codes belong to that round:
start a new round instead), and a draft cannot be closed (it never took answers).
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.workflow import Workflow

from .models import Survey, SurveyState

PUBLISH = "publish"
CLOSE = "close"

WORKFLOW = Workflow.declare(
    _("the survey"),
    model=Survey,
    states=SurveyState.choices,
    actions={PUBLISH: _("Publish"), CLOSE: _("Close")},
    table={
        (SurveyState.DRAFT, PUBLISH): SurveyState.PUBLISHED,
        (SurveyState.PUBLISHED, CLOSE): SurveyState.CLOSED,
    },
)
