"""The fødselsnummer of an inquiry: encrypted at rest with a keyed digest (core/crypto.py), and
never in the history table, the logs or a debug page."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db.models import CharField
from django.db.models.functions import Cast

from servicetorg.core import crypto
from servicetorg.core.choices import Channel
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Inquiry

pytestmark = pytest.mark.django_db
FNR = "15076500565"


@pytest.fixture
def register(municipality, service, desk_worker):
    service.requires_national_id = True
    service.save()

    def registered(**fields):
        fields = {"channel": Channel.PHONE, "subject": "Søknad", "national_id": FNR, **fields}
        return services.register(municipality=municipality, service=service, user=desk_worker, **fields)

    return registered


def stored(inquiry_id):
    """The columns as stored (the cast skips the field's decryption)."""
    raw = Cast("national_id", output_field=CharField())
    rows = Inquiry.objects.filter(pk=inquiry_id).annotate(raw=raw)
    return rows.values_list("raw", "national_id_digest").get()


def test_the_model_stores_ciphertext_and_digest_and_reads_plain(register):
    inquiry = register().inquiry
    raw = stored(inquiry.pk)
    assert raw[0].startswith("gAAAAA") and FNR not in raw[0]
    assert raw[1] == crypto.national_id_digest(FNR)
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert again.national_id == FNR and again.masked_national_id() == "150765*****"
    assert list(Inquiry.objects.filter(national_id_digest=crypto.national_id_digest(FNR))) == [again]
    again.national_id = ""
    again.save()
    assert Inquiry.objects.filter(pk=inquiry.pk, national_id="", national_id_digest="").exists()


def test_rotate_field_keys_command(register, settings):
    inquiry = register().inquiry
    old = settings.FIELD_ENCRYPTION_KEYS[0]
    before = stored(inquiry.pk)
    new = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    settings.NATIONAL_ID_HASH_KEY = "a-new-hash-key-of-at-least-32-characters"
    call_command("rotate_field_keys", verbosity=0)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    again = Inquiry.objects.get(pk=inquiry.pk)
    assert again.national_id == FNR
    assert again.national_id_digest == crypto.national_id_digest(FNR)
    assert stored(inquiry.pk)[0] != before[0]


# --- Never in the history, the logs or a debug page -----------------------------------------------

SPACED = "150765 00565"


def _every_table_as_text() -> str:
    """Every row of every table of the project's database, as PostgreSQL (or SQLite) writes it."""
    from django.db import connection

    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")  # noqa: S608
            texts += [repr(row) for row in cursor.fetchall()]
    return "\n".join(texts)


def _intake_through_every_door(client, municipality, service, desk_worker, client_key):
    """The contact form, the desk's form and the API, each with the number."""
    from tests.inquiries.conftest import keyed

    service.requires_national_id = True
    service.save()
    contact = {"subject": "Søknad", "body": "Hei", "contact_name": "Ola", "contact_email": "o@ex.no"}
    response = client.post(f"/kontakt/{service.slug}/", {**contact, "national_id": SPACED})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(desk_worker)
    desk = {"municipality": municipality.pk, "channel": Channel.PHONE, "service": service.name}
    desk |= {"subject": "Telefon", "outcome": "open", "national_id": FNR, "contact_email": "k@ex.no"}
    desk |= {"receipt": "email"}
    response = client.post("/staff/henvendelser/ny/", desk)
    assert response.status_code == 302, response.context["form"].errors
    client.logout()
    api = {"municipality": municipality.pk, "channel": "email", "subject": "API", "service": service.pk}
    response = keyed(client_key).post("/api/inquiries/inquiries/", {**api, "national_id": FNR}, format="json")
    assert response.status_code == 201, response.content
    assert Inquiry.objects.filter(national_id_digest=crypto.national_id_digest(FNR)).count() == 3


def test_the_number_is_nowhere_in_plain_text_nor_in_the_logs(
    client, municipality, service, desk_worker, client_key, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level("DEBUG")
    with django_capture_on_commit_callbacks(execute=True):
        _intake_through_every_door(client, municipality, service, desk_worker, client_key)
    stored = _every_table_as_text()
    assert FNR not in stored and SPACED not in stored
    # The history has neither the number nor its digest.
    history = repr(list(Inquiry.history.values()))
    assert "national_id" not in history and crypto.national_id_digest(FNR) not in history
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records and FNR not in logged and SPACED not in logged


def test_no_number_on_a_debug_page_or_in_an_error_report(
    municipality, service, desk_worker, client_key, settings, monkeypatch, caplog
):
    """An error while the number is on its way in: the technical 500 page (DEBUG) and the report that
    would be mailed to ADMINS show neither the posted number nor any variable holding it."""
    from django.test import Client
    from django.views.debug import ExceptionReporter

    from tests.inquiries.conftest import keyed

    settings.DEBUG = True
    service.requires_national_id = True
    service.save()

    def broken(inquiry, user, claim=None):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "insert", broken)  # the API calls it
    monkeypatch.setattr(services.intake, "insert", broken)  # register() calls it there
    client = Client(raise_request_exception=False)
    contact = {"subject": "Søknad", "body": "Hei", "contact_name": "Ola", "contact_email": "o@ex.no"}
    contact["national_id"] = SPACED
    pages = [client.post(f"/kontakt/{service.slug}/", contact)]
    client.force_login(desk_worker)
    desk = {"municipality": municipality.pk, "channel": Channel.PHONE, "service": service.name}
    desk |= {"subject": "Telefon", "outcome": "open", "national_id": FNR}
    pages.append(client.post("/staff/henvendelser/ny/", desk))
    api = keyed(client_key)
    api.raise_request_exception = False
    body = {"municipality": municipality.pk, "channel": "email", "subject": "API", "service": service.pk}
    pages.append(api.post("/api/inquiries/inquiries/", {**body, "national_id": FNR}, format="json"))
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 500 and "the database went away" in html
        assert "Traceback" in html or "Request information" in html  # the technical page
        assert FNR not in html and SPACED not in html
    # What django.request hands AdminEmailHandler: the same filter's text report.
    errors = [r for r in caplog.records if r.name == "django.request" and r.exc_info]
    assert len(errors) == 3
    for record in errors:
        report = ExceptionReporter(record.request, *record.exc_info).get_traceback_text()
        assert "the database went away" in report and FNR not in report and SPACED not in report
