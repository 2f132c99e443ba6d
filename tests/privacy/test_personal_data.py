"""Right of access and erasure: one person's data of one municipality, found by e-mail, phone or
fødselsnummer; exported without anyone else's; erased so that the statistics stay; logged without
the personal data; refused to the roles that do not hold it."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from servicetorg.catalogue.models import Service
from servicetorg.core.choices import Role
from servicetorg.core.models import OutboxMessage
from servicetorg.core.permissions import SYSTEM
from servicetorg.inquiries import rollups, selectors
from servicetorg.inquiries.models import Inquiry, InquiryMessage
from servicetorg.privacy import access as personal_data
from servicetorg.privacy.models import PrivacyAction, PrivacyLog
from servicetorg.privacy.retention import kinds
from servicetorg.strategy.models import ConsultationComment
from tests.factories import make_service, make_staff
from tests.privacy.test_retention import inquiry, outbox, strategy_with_comments

URL = "/staff/personvern/innsyn-og-sletting/"
KARI_FNR = "15076500565"  # a valid test number (python-stdnum checks both control digits)


def _fnr_service(municipality):
    service = make_service(municipality, slug="bostotte", name="Bostøtte")
    Service.objects.filter(pk=service.pk).update(requires_national_id=True)
    service.refresh_from_db()
    return service


@pytest.fixture
def people(municipality, other_municipality):
    w = {
        "kari_mail": inquiry(municipality, email="Kari@Example.no", contact_phone="", body="Min søknad"),
        "kari_phone": inquiry(municipality, email="", contact_phone="+47 912 34 567", closed_days_ago=10),
        "kari_fnr": inquiry(
            municipality, email="", contact_phone="", national_id=KARI_FNR, service=_fnr_service(municipality)
        ),
        "per": inquiry(municipality, email="per@example.no", contact_phone="99887766", body="Pers sak"),
        "kari_elsewhere": inquiry(other_municipality, email="kari@example.no", body="Nabokommunen"),
    }
    outbox(municipality, "kari-mail", to="kari@example.no")
    outbox(municipality, "per-mail", to="per@example.no")
    outbox(other_municipality, "kari-other", to="kari@example.no")
    strategy_with_comments(
        municipality, deadline_days_ago=-10, start_year=2024, emails=("kari@example.no", "per@example.no")
    )
    return w


def _keys(found):
    return {f.holding.key: sorted(r.pk for r in f.records) for f in found if f.records}


def test_search_by_each_identifier_in_one_municipality_only(people, municipality):
    admin = make_staff(Role.ADMINISTRATION, municipality)
    by_mail = personal_data.search(municipality, personal_data.person(email=" kari@EXAMPLE.no "), user=admin)
    keys = _keys(by_mail)
    assert keys["inquiries.inquiry"] == [people["kari_mail"].pk]
    assert len(keys["core.outbox"]) >= 1 and len(keys["strategy.comments"]) == 1
    assert all("per@example.no" not in json.dumps(r.fields, default=str) for f in by_mail for r in f.records)
    by_phone = personal_data.search(municipality, personal_data.person(phone="91234567"), user=admin)
    assert _keys(by_phone)["inquiries.inquiry"] == [people["kari_phone"].pk]
    by_fnr = personal_data.search(municipality, personal_data.person(national_id=KARI_FNR), user=admin)
    assert _keys(by_fnr)["inquiries.inquiry"] == [people["kari_fnr"].pk]
    # Logged: the criteria's names and the counts, never the values.
    entries = PrivacyLog.objects.filter(action=PrivacyAction.SEARCH)
    assert [e.detail["by"] for e in entries.order_by("pk")] == [["email"], ["phone"], ["national_id"]]
    dumped = json.dumps([(e.detail, e.counts, e.actor) for e in entries])
    assert "kari" not in dumped.lower() and "91234567" not in dumped and KARI_FNR not in dumped


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({}, "email"),
        ({"email": "kari@"}, "email"),
        ({"phone": "12ab"}, "phone"),
        ({"national_id": "15076500566"}, "national_id"),
    ],
)
def test_bad_input_gives_field_errors(fields, field):
    with pytest.raises(ValidationError) as error:
        personal_data.person(**fields)
    assert field in error.value.error_dict


@pytest.mark.parametrize("role", [Role.DESK_WORKER, Role.CASE_OFFICER, Role.UNIT_LEADER, Role.COUNCIL])
def test_roles_without_the_permission_are_refused(municipality, role):
    user = make_staff(role, municipality)
    who = personal_data.person(email="kari@example.no")
    for call in (personal_data.search, personal_data.erase):
        with pytest.raises(PermissionDenied):
            call(municipality, who, user=user)


def test_another_municipality_is_refused(people, municipality, other_municipality):
    other_admin = make_staff(Role.ADMINISTRATION, other_municipality)
    with pytest.raises(PermissionDenied):
        personal_data.search(municipality, personal_data.person(email="kari@example.no"), user=other_admin)


def test_erasure_anonymises_inquiries_deletes_the_rest_and_keeps_statistics(people, municipality):
    admin = make_staff(Role.ADMIN, municipality)
    rollups.rebuild(municipality.pk)
    start, end = timezone.localdate() - timedelta(days=30), timezone.localdate()
    before = rollups.current(municipality.pk), asdict(selectors.dashboard(municipality.pk, start, end))
    counts = personal_data.erase(municipality, personal_data.person(email="kari@example.no"), user=admin)
    assert (
        counts["inquiries.inquiry"] == 1 and counts["strategy.comments"] == 1 and counts["core.outbox"] >= 1
    )
    kari = Inquiry.objects.get(pk=people["kari_mail"].pk)
    assert kari.anonymised_at and kari.contact_email == "" and kari.body == ""
    assert not InquiryMessage.objects.filter(inquiry=kari).exists()
    assert not Inquiry.history.filter(id=kari.pk).exists()
    # Per, and Kari's data in the other municipality, are untouched.
    per = Inquiry.objects.get(pk=people["per"].pk)
    assert per.contact_email == "per@example.no" and InquiryMessage.objects.filter(inquiry=per).exists()
    assert Inquiry.objects.get(pk=people["kari_elsewhere"].pk).contact_email == "kari@example.no"
    assert (
        OutboxMessage.objects.filter(key="kari-other").exists()
        and OutboxMessage.objects.filter(key="per-mail").exists()
    )
    assert not OutboxMessage.objects.filter(key="kari-mail").exists()
    assert list(ConsultationComment.objects.values_list("email", flat=True)) == ["per@example.no"]
    # Statistics stay; a recount agrees.
    after = rollups.current(municipality.pk), asdict(selectors.dashboard(municipality.pk, start, end))
    assert after == before
    assert rollups.rebuild(municipality.pk) == 0
    # Nothing left to find; the erasure is logged with counts only.
    assert not _keys(
        personal_data.search(municipality, personal_data.person(email="kari@example.no"), user=admin)
    )
    entry = PrivacyLog.objects.get(action=PrivacyAction.ERASE)
    assert entry.user == admin and entry.counts == counts and "kari" not in json.dumps(entry.detail)


# --- The page ----------------------------------------------------------------------------------


def test_page_search_export_and_erase(client, people, municipality):
    admin = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(admin)
    assert client.get(URL).status_code == 200
    data = {"municipality": municipality.number, "email": "kari@example.no", "phone": "", "national_id": ""}
    page = client.post(URL, {**data, "action": "search"})
    assert page.status_code == 200
    html = page.content.decode()
    assert people["kari_mail"].reference in html and people["per"].reference not in html

    exported = client.post(URL, {**data, "action": "json"})
    assert exported["Content-Disposition"].startswith("attachment;")
    assert "no-store" in exported["Cache-Control"]
    body = json.loads(exported.content)
    text = json.dumps(body, ensure_ascii=False)
    assert "Min søknad" in text and people["kari_mail"].reference in text
    assert "per@example.no" not in text and "Pers sak" not in text and "Nabokommunen" not in text

    readable = client.post(URL, {**data, "action": "html"}).content.decode()
    assert "Min søknad" in readable and "Pers sak" not in readable

    confirm = client.post(URL, {**data, "action": "confirm"})
    assert confirm.status_code == 200 and 'value="erase"' in confirm.content.decode()
    refused = client.post(URL, {**data, "action": "erase"})  # the box not ticked
    assert refused.status_code == 400
    assert Inquiry.objects.get(pk=people["kari_mail"].pk).anonymised_at is None
    done = client.post(URL, {**data, "action": "erase", "confirmed": "yes"})
    assert done.status_code == 302
    assert Inquiry.objects.get(pk=people["kari_mail"].pk).anonymised_at is not None
    log = client.get(URL).content.decode()  # the log names what was found, not the data
    assert "E-post og SMS til personen: " in log and "kari@example.no" not in log
    assert [e.action for e in PrivacyLog.objects.order_by("pk")] == [
        "search",
        "export",
        "export",
        "search",
        "search",
        "erase",
    ]


def test_page_keeps_what_was_typed_on_an_error(client, municipality):
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    page = client.post(
        URL, {"municipality": municipality.number, "email": "kari@", "phone": "91234567", "action": "search"}
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'value="kari@"' in html and 'value="91234567"' in html


def test_page_never_shows_another_municipalitys_data(client, people, municipality, other_municipality):
    """An administration user of the other municipality who names this one is refused (a post) or
    gets her own (the page's choice by address)."""
    client.force_login(make_staff(Role.ADMINISTRATION, other_municipality))
    data = {"municipality": municipality.number, "email": "kari@example.no", "action": "json"}
    assert client.post(URL, data).status_code == 403
    body = json.loads(client.post(URL, {**data, "municipality": other_municipality.number}).content)
    text = json.dumps(body, ensure_ascii=False)
    assert "Nabokommunen" in text and "Min søknad" not in text
    assert client.get(f"{URL}?kommune={municipality.number}").context["municipality"] == other_municipality


def test_retention_page_saves_and_refuses_bad_periods(client, municipality):
    client.force_login(make_staff(Role.ADMIN, municipality))
    url = reverse("privacy:retention")
    page = client.get(url)
    assert page.status_code == 200 and "inquiries.closed" in page.content.decode()
    form = {
        "municipality": municipality.number,
        **{k.key: str(k.default_days) for k in kinds() if k.per_municipality},  # every kind the page has
        "inquiries.closed": "365",
        "strategy.comments": "365",
        "surveys.invitations": "90",
        "core.outbox": "30",
        "citizens.relations": "365",
        **{k.key: str(k.default_days) for k in kinds() if k.key.startswith("choice.")},
    }
    assert client.post(url, form).status_code == 302
    from servicetorg.privacy.retention import period_days

    assert period_days(municipality, "inquiries.closed") == 365
    bad = client.post(url, {**form, "inquiries.closed": "5", "core.outbox": "abc"})
    assert bad.status_code == 400
    html = bad.content.decode()
    assert 'value="5"' in html and 'value="abc"' in html
    assert period_days(municipality, "inquiries.closed") == 365


def test_retention_page_refused_to_administration(client, municipality):
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    assert client.get(reverse("privacy:retention")).status_code == 403
    assert SYSTEM  # the nightly purge acts as SYSTEM (core.tasks)


def test_attachments_are_listed_in_the_export_and_go_with_erasure(people, municipality):
    from servicetorg.inquiries.models import Attachment, AttachmentSource

    admin = make_staff(Role.ADMINISTRATION, municipality)
    kari = people["kari_mail"]
    Attachment.objects.create(
        municipality=municipality,
        inquiry=kari,
        source=AttachmentSource.OPEN311,
        media_url="https://example.no/bilde.jpg",
        name="hull-i-veien.jpg",
        size=1234,
    )
    who = personal_data.person(email="kari@example.no")
    exported = personal_data.as_json(
        municipality, personal_data.export(municipality, who, user=admin, fmt="json"), timezone.now()
    )
    assert "hull-i-veien.jpg" in json.dumps(exported)
    personal_data.erase(municipality, who, user=admin)
    assert not Attachment.objects.filter(inquiry=kari).exists()


def test_the_export_carries_no_live_case_link(municipality):
    """Review: the receipt e-mail in the outbox holds the case link with its secret; the export (held
    by the staff member who handles the request, then handed over) showed it, and with it anyone
    holding the file could open the case as the citizen, write in it and answer its survey."""
    admin = make_staff(Role.ADMINISTRATION, municipality)
    sent = outbox(municipality, "receipt", to="kari@example.no")
    OutboxMessage.objects.filter(pk=sent.pk).update(
        body="Følg saken: https://fjordvik.example/sak/AB12-CD34/0123456789abcdef0123456789abcdef/\n"
        "Eller: https://fjordvik.example/sak/AB12-CD34/?token=0123456789abcdef0123456789abcdef"
    )
    who = personal_data.person(email="kari@example.no")
    found = personal_data.export(municipality, who, user=admin, fmt="json")
    text = json.dumps(personal_data.as_json(municipality, found, timezone.now()), ensure_ascii=False)
    assert "0123456789abcdef" not in text
    assert "/sak/AB12-CD34/" in text  # the reference stays: the person can ask for a new link


def test_a_post_for_a_municipality_the_user_may_not_act_in_is_refused_not_redirected(
    client, people, municipality, other_municipality
):
    """Review: the page fell back to the user's first municipality when the posted one was not hers,
    so an erasure posted for another municipality (a stale form after a role was withdrawn, or a
    tampered one) erased the same person's records in her own."""
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    data = {"municipality": other_municipality.number, "email": "kari@example.no", "confirmed": "yes"}
    for action in ("erase", "json", "search"):
        assert client.post(URL, {**data, "action": action}).status_code == 403
    assert Inquiry.objects.get(pk=people["kari_mail"].pk).contact_email != ""
    assert not PrivacyLog.objects.exists()
    # Choosing by the address still falls back to her own municipality (a page, nothing done).
    assert client.get(URL, {"kommune": other_municipality.number}).status_code == 200


def test_sensitive_records_are_exported_in_full_only_by_the_handling_unit(
    client, municipality, tmp_path, settings, monkeypatch
):
    """Review 2 §2.4: the administration read walled sensitive inquiries (full text, phone, attachment
    name) through the access export although the inquiry page is a 404 for it. Now its export
    withholds them (reference, date, unit, where the unit exports it); the handling unit exports the
    record in full, with its files in the zip; the log names which records went out."""
    import io
    import zipfile

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from servicetorg.inquiries.models import Attachment, AttachmentSource
    from tests.factories import UnitFactory

    settings.STORAGES = {
        **settings.STORAGES,
        "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "att"), "base_url": "/no-public-url/"},
        },
    }
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", storages["attachments"])
    helse = UnitFactory(municipality=municipality, name="Psykisk helse")
    service = make_service(municipality, unit=helse, slug="rus", name="Psykisk helse- og rustjenester")
    Service.objects.filter(pk=service.pk).update(sensitive=True)
    service.refresh_from_db()
    walled = inquiry(
        municipality, service=service, body="Jeg trenger hjelp med rus", contact_phone="41234567"
    )
    plain = inquiry(municipality, body="Hull i veien")
    for case, name, content in ((walled, "journal.pdf", b"%PDF-walled"), (plain, "veien.jpg", b"JPEG-plain")):
        attachment = Attachment(
            municipality=municipality,
            inquiry=case,
            source=AttachmentSource.CITIZEN,
            name=name,
            size=len(content),
        )
        attachment.file.save(name, ContentFile(content), save=True)
    data = {"municipality": municipality.number, "email": "kari@example.no", "phone": "", "national_id": ""}

    admin = make_staff(Role.ADMINISTRATION, municipality)
    client.force_login(admin)
    assert client.get(reverse("inquiries:detail", args=[walled.pk])).status_code == 404
    for fmt in ("json", "html", "zip"):
        response = client.post(URL, {**data, "action": fmt})
        assert response.status_code == 200
        if fmt == "zip":
            archive = zipfile.ZipFile(io.BytesIO(response.content))
            text = (
                archive.read("personopplysninger.json").decode()
                + archive.read("personopplysninger.html").decode()
            )
            files = {n: archive.read(n) for n in archive.namelist() if n.startswith("vedlegg/")}
            assert list(files.values()) == [b"JPEG-plain"]  # the readable record's file, not the walled one
        else:
            text = response.content.decode()
        assert "Hull i veien" in text and walled.reference in text
        for secret in ("Jeg trenger hjelp med rus", "41234567", "journal.pdf"):
            assert secret not in text, (fmt, secret)
    record_url = reverse("privacy:personal-data-record", args=["inquiries.inquiry", walled.pk])
    assert record_url in text
    entry = PrivacyLog.objects.filter(action=PrivacyAction.EXPORT).latest("pk")
    assert entry.detail["withheld"] == [f"inquiries.inquiry:{walled.pk}"]
    assert f"inquiries.inquiry:{plain.pk}" in entry.detail["records"]
    assert "Jeg trenger" not in json.dumps(entry.detail)
    # The administration may not export it alone either.
    assert client.get(record_url).status_code == 404
    assert client.post(record_url, {"action": "zip"}).status_code == 404

    # The handling unit exports it in full, with its file, and the export is logged.
    officer = make_staff(Role.CASE_OFFICER, municipality, unit=helse)
    client.force_login(officer)
    assert client.get(record_url).status_code == 200
    response = client.post(record_url, {"action": "zip"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert "Jeg trenger hjelp med rus" in archive.read("personopplysninger.json").decode()
    assert [archive.read(n) for n in archive.namelist() if n.startswith("vedlegg/")] == [b"%PDF-walled"]
    entry = PrivacyLog.objects.filter(action=PrivacyAction.EXPORT).latest("pk")
    assert entry.user == officer and entry.detail["records"] == [f"inquiries.inquiry:{walled.pk}"]
    # Another unit's case officer: nothing.
    other = make_staff(Role.CASE_OFFICER, municipality, unit=UnitFactory(municipality=municipality))
    client.force_login(other)
    assert client.get(record_url).status_code == 404
