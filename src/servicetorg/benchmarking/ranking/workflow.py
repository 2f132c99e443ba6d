"""The transition table of a ranking run (core's workflow helper): ``draft → published``.

A draft may be recomputed away (a new run), a published run is frozen: its weights, inputs and
results stay as they were published and recompute byte-identically.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.workflow import Workflow

from .models import RankingRun, RankingRunState

PUBLISH = "publish"

RUN_WORKFLOW = Workflow.declare(
    _("the ranking run"),
    model=RankingRun,
    states=RankingRunState.choices,
    actions={PUBLISH: _("Publish the ranking")},
    table={(RankingRunState.DRAFT, PUBLISH): RankingRunState.PUBLISHED},
)
