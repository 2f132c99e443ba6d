"""Staff pages of providers and applications, the provider's portal, and the citizen pages
(comparison, profile, application form): tenancy, provider isolation, downloads, query counts."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from servicetorg.choice import providers
from servicetorg.choice.models import (
    Application,
    ApplicationDocument,
    ApplicationState,
    Provider,
    SupplementaryService,
)
from servicetorg.core.choices import Role
from servicetorg.core.permissions import SYSTEM
from tests.factories import make_service

from .conftest import build_scheme
from .provider_helpers import (
    ORGNRS,
    PDF,
    apply_public,
    approved_provider,
    local,
    make_decision,
    provider_user,
    sample_pdf,
    visit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path, monkeypatch):
    from django.core.files.storage import storages

    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "attachments")},
        },
    }
    monkeypatch.setattr(ApplicationDocument._meta.get_field("file"), "storage", storages["attachments"])


@pytest.fixture
def scheme(municipality):
    return build_scheme(municipality, adopt=True, supplementary_services=True)


def test_the_administration_decides_from_the_queue(client, scheme, administration, storage):
    application = apply_public(scheme, documents=[sample_pdf()])
    client.force_login(administration)
    page = client.get(reverse("choice:application-list"))
    assert page.status_code == 200 and "Omsorg AS" in page.content.decode()
    detail = client.get(reverse("choice:application-detail", args=[application.pk]))
    body = detail.content.decode()
    assert 'value="approve"' in body and 'value="reject"' in body and 'value="suspend"' not in body
    document = application.documents.get()
    download = client.get(reverse("choice:application-document", args=[application.pk, document.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF
    refused = client.post(reverse("choice:application-decide", args=[application.pk]), {"action": "reject"})
    assert refused.status_code == 400
    done = client.post(
        reverse("choice:application-decide", args=[application.pk]),
        {"action": "approve", "approve-reason": ""},
    )
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    again = client.post(reverse("choice:application-decide", args=[application.pk]), {"action": "approve"})
    assert again.status_code == 400  # the table refuses a second approval


def test_overdue_applications_are_marked(client, scheme, administration):
    application = apply_public(scheme)
    Application.objects.filter(pk=application.pk).update(decide_by=timezone.localdate() - timedelta(days=1))
    client.force_login(administration)
    assert 'data-color="danger"' in client.get(reverse("choice:application-list")).content.decode()


def test_a_reader_sees_document_names_but_cannot_download(client, scheme, make_staff, storage):
    application = apply_public(scheme, documents=[sample_pdf()])
    document = application.documents.get()
    client.force_login(make_staff(Role.COUNCIL, scheme.municipality))
    assert (
        "attest.pdf"
        in client.get(reverse("choice:application-detail", args=[application.pk])).content.decode()
    )
    assert (
        client.get(reverse("choice:application-document", args=[application.pk, document.pk])).status_code
        == 403
    )
    assert client.post(reverse("choice:application-decide", args=[application.pk]), {}).status_code == 403


def test_another_municipalitys_rows_do_not_exist(client, scheme, other_staff, storage):
    application = apply_public(scheme, documents=[sample_pdf()])
    provider = application.provider
    client.force_login(other_staff)
    for url in (
        reverse("choice:provider-detail", args=[provider.pk]),
        reverse("choice:provider-edit", args=[provider.pk]),
        reverse("choice:application-detail", args=[application.pk]),
        reverse("choice:application-document", args=[application.pk, application.documents.get().pk]),
        reverse("choice:portal-provider", args=[provider.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url
    assert client.get(reverse("choice:provider-detail", args=[provider.pk])).status_code == 404
    assert "Omsorg AS" not in client.get(reverse("choice:provider-list")).content.decode()


def test_a_provider_user_reads_nothing_of_another_provider(client, scheme):
    own = approved_provider(scheme)
    other = approved_provider(scheme, orgnr=ORGNRS[1], name="Annen AS")
    item = SupplementaryService.objects.create(provider=other, name="Vask")
    client.force_login(provider_user(own))
    assert client.get(reverse("choice:portal-home")).status_code == 302
    assert client.get(reverse("choice:portal-provider", args=[own.pk])).status_code == 200
    for url in (
        reverse("choice:portal-provider", args=[other.pk]),
        reverse("choice:portal-profile", args=[other.pk]),
        reverse("choice:portal-apply", args=[other.pk]),
        reverse("choice:portal-supplementary-create", args=[other.pk]),
        reverse("choice:portal-supplementary-edit", args=[other.pk, item.pk]),
        reverse("choice:portal-supplementary-edit", args=[own.pk, item.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(reverse("choice:portal-supplementary-delete", args=[other.pk, item.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("choice:portal-profile", args=[other.pk]), {"capacity_users": 1}).status_code
        == 404
    )
    # the staff registry is not hers either
    assert client.get(reverse("choice:provider-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("choice:provider-list")).status_code == 403


def test_the_provider_edits_her_profile_and_supplementary_services(client, scheme):
    provider = approved_provider(scheme)
    client.force_login(provider_user(provider))
    response = client.post(
        reverse("choice:portal-profile", args=[provider.pk]),
        {
            "profile": "Vi er små",
            "languages": "norsk, arabisk",
            "districts": "Vest",
            "capacity_users": "12",
            "capacity_hours_per_month": "300",
            "email": "ny@omsorg.example",
        },
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.capacity_users == 12 and provider.email == "ny@omsorg.example"
    response = client.post(
        reverse("choice:portal-supplementary-create", args=[provider.pk]),
        {"name": "Hagearbeid", "price": "400 kr"},
    )
    assert response.status_code == 302
    assert provider.supplementary_services.get().name == "Hagearbeid"


def test_the_provider_applies_to_another_scheme_with_documents(client, scheme, municipality, storage):
    provider = approved_provider(scheme)
    second = build_scheme(municipality, service=make_service(municipality, slug="andre"), adopt=True)
    client.force_login(provider_user(provider))
    page = client.get(reverse("choice:portal-apply", args=[provider.pk]))
    assert page.status_code == 200
    upload = SimpleUploadedFile("kvalitet.pdf", PDF, content_type="application/pdf")
    response = client.post(
        reverse("choice:portal-apply", args=[provider.pk]),
        {"scheme": second.pk, "competence": "Fagbrev", "quality_assurance": "ISO", "documents": [upload]},
    )
    assert response.status_code == 302
    application = Application.objects.get(scheme=second)
    assert application.documents.get().name == "kvalitet.pdf"


def test_administration_adds_and_removes_a_member(client, scheme, administration, make_staff):
    provider = approved_provider(scheme)
    member = make_staff(Role.PROVIDER, scheme.municipality)
    client.force_login(administration)
    client.post(reverse("choice:provider-member-add", args=[provider.pk]), {"member": member.pk})
    link = provider.members.get()
    assert client.get(reverse("choice:provider-detail", args=[provider.pk])).status_code == 200
    client.post(reverse("choice:provider-member-remove", args=[provider.pk, link.pk]))
    assert not provider.members.exists()


# --- Citizen pages ------------------------------------------------------------------------------


def test_the_public_application_form_and_its_receipt(client, scheme, storage):
    url = reverse("choice_public:apply", args=[scheme.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"organization_number": "987654300", "name": "X", "email": "x@example.no"})
    assert bad.status_code == 400
    assert "987654300" in bad.content.decode() and "error-summary" in bad.content.decode()
    upload = SimpleUploadedFile("attest.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url,
        {
            "organization_number": ORGNRS[0],
            "name": "Omsorg AS",
            "email": "post@omsorg.example",
            "languages": "norsk",
            "documents": [upload],
        },
    )
    assert response.status_code == 302
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200 and "Omsorg AS" in receipt.content.decode()
    application = Application.objects.get()
    assert application.documents.count() == 1
    assert Provider.objects.get().languages == "norsk"


def test_the_comparison_page_and_profile(client, scheme, django_assert_max_num_queries):
    today = timezone.localdate()
    providers_ = [
        approved_provider(scheme, orgnr=ORGNRS[i], name=f"Leverandør {i}", districts="Øst" if i else "Vest")
        for i in range(4)
    ]
    decision = make_decision(scheme)
    for i, provider in enumerate(providers_):
        for day in range(1, 8):
            visit(provider, decision, local(today - timedelta(days=day)), f"h{day % (i + 1)}")
    SupplementaryService.objects.create(provider=providers_[0], name="Vindusvask", price="450 kr")
    url = reverse("choice_public:providers", args=[scheme.pk])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert all(p.name in body for p in providers_)
    assert "Vindusvask" not in body  # supplementary services only on the profile
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    for i in range(4, 6):
        approved_provider(scheme, orgnr=ORGNRS[i], name=f"Leverandør {i}")
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(many)  # no query per provider
    east = client.get(url, {"bydel": "Øst"}).content.decode()
    assert "Leverandør 0" not in east and "Leverandør 1" in east
    profile = client.get(
        reverse("choice_public:provider", args=[scheme.pk, providers_[0].pk])
    ).content.decode()
    assert "Vindusvask" in profile and 'id="h-supplementary"' in profile


def test_a_suspended_or_foreign_provider_has_no_public_profile(client, scheme, other_municipality, settings):
    settings.PORTAL_MUNICIPALITY = scheme.municipality.number
    provider = approved_provider(scheme)
    providers.suspend(provider.applications.get(), user=SYSTEM, reason="Tilsyn")
    assert client.get(reverse("choice_public:provider", args=[scheme.pk, provider.pk])).status_code == 404
    foreign = build_scheme(other_municipality, adopt=True)
    assert client.get(reverse("choice_public:providers", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("choice_public:apply", args=[foreign.pk])).status_code == 404


def test_supplementary_services_are_hidden_where_the_scheme_does_not_allow_them(client, municipality):
    strict = build_scheme(municipality, adopt=True)
    provider = approved_provider(strict)
    SupplementaryService.objects.create(provider=provider, name="Vindusvask")
    page = client.get(reverse("choice_public:provider", args=[strict.pk, provider.pk])).content.decode()
    assert "Vindusvask" not in page


def test_the_administration_registers_a_framework_winners_application(client, municipality, administration):
    from datetime import date

    from servicetorg.choice.models import Mode

    framework = build_scheme(
        municipality, mode=Mode.FRAMEWORK, agreement_ends_on=date(2028, 1, 1), provider_count=3, adopt=True
    )
    provider = providers.create_provider(
        municipality=municipality, user=SYSTEM, name="Vinner AS", organization_number=ORGNRS[4]
    )
    client.force_login(administration)
    url = reverse("choice:provider-register-application", args=[provider.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"scheme": framework.pk, "competence": "Fra konkurransen"})
    assert response.status_code == 302
    assert Application.objects.get(provider=provider).scheme == framework
    # the provider's own user could not: a framework scheme takes no applications from providers
    user = provider_user(provider)
    client.force_login(user)
    assert client.get(reverse("choice:portal-apply", args=[provider.pk])).status_code == 200
    assert "Vinner" in client.get(reverse("choice:portal-provider", args=[provider.pk])).content.decode()
