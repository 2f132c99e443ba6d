"""The transition table of a user-choice scheme, in core's workflow helper.

``draft → adopted`` by the council's decision (``adopt``); an adopted scheme gets a new version
(``new_version``: a draft copy, the adopted one keeps its state until the copy is adopted);
``end`` is internal: adopting a version ends the one it replaces, never offered to a user.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.permissions import Perm
from servicetorg.core.workflow import Workflow

from .models import Scheme, SchemeState

ADOPT = "adopt"
NEW_VERSION = "new_version"
END = "end"

SCHEME_TRANSITIONS: dict[tuple[str, str], str] = {
    (SchemeState.DRAFT, ADOPT): SchemeState.ADOPTED,
    (SchemeState.ADOPTED, NEW_VERSION): SchemeState.ADOPTED,
    (SchemeState.ADOPTED, END): SchemeState.ENDED,
}

ACTION_LABELS = {
    ADOPT: _("Record the council's adoption"),
    NEW_VERSION: _("New version"),
    END: _("End"),
}

#: The permission each action needs (the roles matrix, core.permissions); None: SYSTEM only.
ACTION_PERMS: dict[str, Perm | None] = {
    ADOPT: Perm.CHOICE_ADMINISTER,
    NEW_VERSION: Perm.CHOICE_ADMINISTER,
    END: None,  # internal: when the version that replaces it is adopted
}

SCHEME_WORKFLOW = Workflow.declare(
    _("the scheme"),
    model=Scheme,
    states=SchemeState.choices,
    actions=ACTION_LABELS,
    table=SCHEME_TRANSITIONS,
    internal={END},
)
