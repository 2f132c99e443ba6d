"""The catalogue's two status models, every (state, action) pair through the services."""

import pytest

from servicetorg.catalogue import services
from servicetorg.catalogue.models import Service, ServiceDescription, ServiceState, VersionState
from servicetorg.catalogue.workflow import (
    ARCHIVE,
    EDIT,
    PUBLISH,
    SERVICE_WORKFLOW,
    VERSION_WORKFLOW,
    WITHDRAW,
)
from servicetorg.core.permissions import SYSTEM
from servicetorg.core.workflow import TransitionRefused
from tests.factories import make_service

EXPECTED_SERVICE = {
    (ServiceState.DRAFT, PUBLISH): ServiceState.PUBLISHED,
    (ServiceState.PUBLISHED, PUBLISH): ServiceState.PUBLISHED,
    (ServiceState.ARCHIVED, PUBLISH): ServiceState.PUBLISHED,
    (ServiceState.PUBLISHED, WITHDRAW): ServiceState.ARCHIVED,
}
EXPECTED_VERSION = {
    (VersionState.DRAFT, EDIT): VersionState.DRAFT,
    (VersionState.DRAFT, PUBLISH): VersionState.PUBLISHED,
}


def _service_in(state, municipality):
    service = make_service(municipality, publish=state != ServiceState.DRAFT)
    if state == ServiceState.ARCHIVED:
        services.withdraw(service, user=SYSTEM)
    service.refresh_from_db()
    assert service.state == state
    return service


@pytest.mark.parametrize(("state", "action"), SERVICE_WORKFLOW.pairs())
def test_every_service_pair(state, action, municipality):
    service = _service_in(state, municipality)
    expected = EXPECTED_SERVICE.get((state, action))
    if action == PUBLISH:
        call = lambda: services.publish(services.ensure_draft(service, user=SYSTEM), user=SYSTEM)  # noqa: E731
    else:
        call = lambda: services.withdraw(service, user=SYSTEM)  # noqa: E731
    if expected is None:
        with pytest.raises(TransitionRefused):
            call()
        assert Service.objects.get(pk=service.pk).state == state
    else:
        call()
        service.refresh_from_db()
        assert service.state == expected
        assert (service.published_version_id is not None) == (expected == ServiceState.PUBLISHED)


def _version_in(state, municipality):
    service = make_service(municipality, publish=state != VersionState.DRAFT)
    version = service.versions.get()
    if state == VersionState.ARCHIVED:
        services.publish(services.ensure_draft(service, user=SYSTEM), user=SYSTEM)
        version.refresh_from_db()
    assert version.state == state
    return version


@pytest.mark.parametrize(("state", "action"), VERSION_WORKFLOW.pairs())
def test_every_version_pair(state, action, municipality):
    version = _version_in(state, municipality)
    expected = EXPECTED_VERSION.get((state, action))
    calls = {
        EDIT: lambda: services.save_draft(version, description={"summary": "Endret tekst."}, user=SYSTEM),
        PUBLISH: lambda: services.publish(version, user=SYSTEM),
        ARCHIVE: None,  # internal: only publish and withdraw archive a version
    }
    if action == ARCHIVE:
        assert not VERSION_WORKFLOW.allows(state, action)
        assert VERSION_WORKFLOW.actions_from(state) == [a for (s, a) in EXPECTED_VERSION if s == state]
        return
    if expected is None:
        with pytest.raises(TransitionRefused):
            calls[action]()
        stored = ServiceDescription.objects.get(pk=version.pk)
        assert stored.state == state
        assert stored.summary != "Endret tekst."
    else:
        calls[action]()
        assert ServiceDescription.objects.get(pk=version.pk).state == expected


def test_publishing_a_new_version_archives_the_old_one(municipality):
    service = make_service(municipality)
    first = service.versions.get()
    second = services.publish(services.ensure_draft(service, user=SYSTEM), user=SYSTEM)
    first.refresh_from_db()
    assert (first.state, second.state) == (VersionState.ARCHIVED, VersionState.PUBLISHED)
    service.refresh_from_db()
    assert service.published_version == second
