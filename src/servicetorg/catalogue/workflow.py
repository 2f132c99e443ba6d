"""Transition tables of the catalogue: the service on the portal, and each description version.

A service is published when one of its description versions is; it can be withdrawn from the portal
and published again with a new version. A description version is edited only as a draft, published
once, and archived (internally) when a newer version is published or the service is withdrawn.
"""

from django.utils.translation import gettext_lazy as _

from servicetorg.core.workflow import Workflow

from .models import Service, ServiceDescription, ServiceState, VersionState

PUBLISH = "publish"
WITHDRAW = "withdraw"
EDIT = "edit"
ARCHIVE = "archive"

SERVICE_WORKFLOW = Workflow.declare(
    _("the service"),
    model=Service,
    states=ServiceState.choices,
    actions={PUBLISH: _("Publish"), WITHDRAW: _("Withdraw")},
    table={
        (ServiceState.DRAFT, PUBLISH): ServiceState.PUBLISHED,
        (ServiceState.PUBLISHED, PUBLISH): ServiceState.PUBLISHED,  # a newer version replaces the old
        (ServiceState.ARCHIVED, PUBLISH): ServiceState.PUBLISHED,
        (ServiceState.PUBLISHED, WITHDRAW): ServiceState.ARCHIVED,
    },
)

VERSION_WORKFLOW = Workflow.declare(
    _("the description"),
    model=ServiceDescription,
    states=VersionState.choices,
    actions={EDIT: _("Edit"), PUBLISH: _("Publish"), ARCHIVE: _("Archive")},
    table={
        (VersionState.DRAFT, EDIT): VersionState.DRAFT,
        (VersionState.DRAFT, PUBLISH): VersionState.PUBLISHED,
        (VersionState.PUBLISHED, ARCHIVE): VersionState.ARCHIVED,
    },
    internal={ARCHIVE},
)
