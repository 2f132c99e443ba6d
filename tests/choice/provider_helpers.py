"""Builders of providers, applications and visits for the providers' tests (and the roles walk)."""

from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servicetorg.choice import providers
from servicetorg.choice.models import Decision, Provider, ProviderMember, Visit
from servicetorg.core.choices import Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.inquiries.attachments import check_upload
from tests.factories import make_staff

#: Valid organisation numbers (check digit) for tests.
ORGNRS = ["987654309", "987654317", "987654325", "987654333", "987654341", "987654368"]
PDF = b"%PDF-1.4\n%%EOF\n"


def sample_pdf(name="attest.pdf"):
    return check_upload(SimpleUploadedFile(name, PDF, content_type="application/pdf"))


def apply_public(scheme, orgnr=ORGNRS[0], name="Omsorg AS", email="post@omsorg.example", **kwargs):
    return providers.apply(scheme, user=CITIZEN, organization_number=orgnr, name=name, email=email, **kwargs)


def approved_provider(scheme, orgnr=ORGNRS[0], name="Omsorg AS", **profile):
    application = apply_public(scheme, orgnr=orgnr, name=name, profile=profile or None)
    providers.approve(application, user=SYSTEM)
    application.refresh_from_db()
    return application.provider


def provider_user(provider: Provider, **user_fields):
    """A user with the provider role in the provider's municipality, working for ``provider``."""
    user = make_staff(Role.PROVIDER, provider.municipality, **user_fields)
    ProviderMember.objects.create(provider=provider, user=user)
    return user


def make_decision(scheme, *, name="Kari Nordmann", district=""):
    return Decision.objects.create(
        municipality_id=scheme.municipality_id,
        scheme=scheme,
        national_id="15076500565",
        name=name,
        district=district,
        decided_on=date(2026, 1, 5),
        valid_from=date(2026, 1, 5),
    )


def visit(provider, decision, starts_at: datetime, helper: str, minutes=60, **fields):
    return Visit.objects.create(
        provider=provider,
        decision=decision,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        band="day",
        minutes=minutes,
        staff_pseudonym=helper,
        **fields,
    )


def local(day: date, hour=10) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))
