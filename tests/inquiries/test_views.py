"""Staff and citizen pages, tenant isolation, query counts, exports."""

import pytest
from django.test import Client
from django.urls import reverse

from servicetorg.core.choices import Channel, Role
from servicetorg.core.permissions import CITIZEN, SYSTEM
from servicetorg.inquiries import services
from servicetorg.inquiries.models import Compensation, DailyStat, Inquiry, State
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def inquiry(municipality, service, desk_worker):
    return services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="Plass i barnehage",
        service=service,
        user=desk_worker,
    ).inquiry


def test_register_page_keyboard_flow(client, municipality, service, unit, desk_worker):
    client.force_login(desk_worker)
    url = reverse("inquiries:register")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "municipality": municipality.pk,
            "channel": Channel.PHONE,
            "service": service.name.lower(),
            "subject": "Søknadsfrist",
            "outcome": "forwarded",
            "unit": unit.pk,
        },
    )
    inquiry = Inquiry.objects.get()
    assert response.status_code == 302
    assert inquiry.service == service and inquiry.unit == unit and inquiry.state == State.ROUTED


def test_register_errors_are_field_level(client, municipality, desk_worker):
    client.force_login(desk_worker)
    response = client.post(
        reverse("inquiries:register"),
        {
            "municipality": municipality.pk,
            "channel": "fax",
            "service": "Finnes ikke",
            "subject": "",
            "outcome": "forwarded",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"channel", "service", "subject", "unit"} <= set(errors)
    assert not Inquiry.objects.exists()


def test_register_unknown_service_allowed(client, municipality, desk_worker):
    client.force_login(desk_worker)
    client.post(
        reverse("inquiries:register"),
        {
            "municipality": municipality.pk,
            "channel": Channel.COUNTER,
            "subject": "Hvor er bussen?",
            "outcome": "resolve",
        },
    )
    inquiry = Inquiry.objects.get()
    assert inquiry.service is None and inquiry.state == State.CLOSED
    assert DailyStat.objects.get(handling="resolved_at_desk").received == 1
    assert sum(DailyStat.objects.values_list("received", flat=True)) == 1


def test_queue_lists_and_counts_queries(
    client, municipality, service, desk_worker, django_assert_max_num_queries
):
    for n in range(12):
        services.register(
            municipality=municipality,
            channel=Channel.EMAIL,
            subject=f"Sak {n}",
            service=service,
            user=desk_worker,
        )
    client.force_login(desk_worker)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("inquiries:queue"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 12


def test_detail_actions(client, inquiry, unit, case_officer):
    client.force_login(case_officer)
    url = reverse("inquiries:detail", args=[inquiry.pk])
    assert client.get(url).status_code == 200
    client.post(reverse("inquiries:act", args=[inquiry.pk, "take"]))
    response = client.post(reverse("inquiries:act", args=[inquiry.pk, "reply"]), {"reply-text": "Svar"})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.state == State.REPLIED
    # A refused transition is a message, not a 500.
    response = client.post(reverse("inquiries:act", args=[inquiry.pk, "take"]), follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])
    # Bad form input: 400 with the form error.
    response = client.post(
        reverse("inquiries:act", args=[inquiry.pk, "preliminary"]), {"preliminary-reason": ""}
    )
    assert response.status_code == 400


def test_council_sees_aggregates_only(client, municipality, inquiry):
    """Council members read the dashboard, never an inquiry with the citizen's personal data."""
    council = make_staff(Role.COUNCIL, municipality)
    client.force_login(council)
    assert client.get(reverse("inquiries:dashboard")).status_code == 200
    assert client.get(reverse("inquiries:queue")).status_code == 403
    assert client.get(reverse("inquiries:detail", args=[inquiry.pk])).status_code == 404
    assert client.post(reverse("inquiries:act", args=[inquiry.pk, "take"])).status_code == 404


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("inquiries:detail", "pk", "get"),
        ("inquiries:act", "pk-take", "post"),
        ("inquiries:act", "pk-reply", "post"),
    ],
)
def test_other_tenant_gets_404(client, inquiry, other_staff, name, args, method):
    client.force_login(other_staff)
    url_args = [inquiry.pk] if args == "pk" else [inquiry.pk, args.split("-")[1]]
    response = getattr(client, method)(reverse(name, args=url_args), {"reply-text": "x"})
    assert response.status_code == 404
    inquiry.refresh_from_db()
    assert inquiry.state == State.NEW


def test_other_tenant_sees_nothing_in_lists(client, inquiry, other_staff, other_municipality):
    client.force_login(other_staff)
    assert client.get(reverse("inquiries:queue")).context["page"].paginator.count == 0
    response = client.get(reverse("inquiries:dashboard"))
    assert response.context["municipality"] == other_municipality
    assert response.context["board"].total == 0
    response = client.get(reverse("inquiries:dashboard"), {"municipality": inquiry.municipality_id})
    assert response.context["board"].total == 0  # invalid choice falls back to own municipality
    assert client.get(reverse("inquiries:compensations")).context["page"].paginator.count == 0


def test_anonymous_and_citizen_refused(client, municipality, inquiry):
    assert client.get(reverse("inquiries:queue")).status_code == 302
    citizen = make_staff(Role.CITIZEN, municipality)
    client.force_login(citizen)
    for name in ("inquiries:queue", "inquiries:register", "inquiries:dashboard", "inquiries:rules"):
        assert client.get(reverse(name)).status_code == 403


def test_dashboard_and_exports(client, municipality, inquiry, unit_leader, django_assert_max_num_queries):
    client.force_login(unit_leader)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("inquiries:dashboard"))
    assert response.status_code == 200
    assert response.context["board"].total == 1
    assert b'<img src="data:image/svg+xml;base64,' in response.content  # CSP allows no inline <style>
    csv = client.get(reverse("inquiries:dashboard-export", args=["csv"]))
    assert csv["Content-Type"].startswith("text/csv")
    assert "Barnehageplass" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("inquiries:dashboard-export", args=["xlsx"]))
    assert xlsx.content[:2] == b"PK"
    assert client.get(reverse("inquiries:dashboard-export", args=["pdf"])).status_code == 404
    assert (
        client.get(reverse("inquiries:dashboard"), {"start": "2026-05-01", "end": "2026-01-01"}).status_code
        == 200
    )


def test_desk_worker_cannot_see_dashboard(client, desk_worker):
    client.force_login(desk_worker)
    assert client.get(reverse("inquiries:dashboard")).status_code == 403


def test_channel_rules_page(client, municipality, administration, desk_worker, other_staff):
    client.force_login(desk_worker)
    assert client.get(reverse("inquiries:rules")).status_code == 403
    client.force_login(administration)
    data = {c: 3 for c in Channel.values}
    data["letter"] = 0
    response = client.post(reverse("inquiries:rules"), data)
    assert response.status_code == 200 and "letter" in response.context["form"].errors
    data["letter"] = 10
    assert client.post(reverse("inquiries:rules"), data).status_code == 302
    assert municipality.channel_rules.get(channel="letter").working_days == 10
    client.force_login(other_staff)
    assert client.get(reverse("inquiries:rules"), {"kommune": municipality.pk}).status_code == 403


def test_compensation_settle_page(client, municipality, inquiry, administration, other_staff):
    services.mark_breaches(inquiry.reply_deadline.replace(year=inquiry.reply_deadline.year + 1), user=SYSTEM)
    compensation = Compensation.objects.get()
    client.force_login(other_staff)
    assert (
        client.post(reverse("inquiries:settle", args=[compensation.pk]), {"state": "paid"}).status_code == 404
    )
    client.force_login(administration)
    response = client.get(reverse("inquiries:compensations"))
    assert response.context["page"].paginator.count == 1
    client.post(reverse("inquiries:settle", args=[compensation.pk]), {"state": "paid"})
    compensation.refresh_from_db()
    assert compensation.state == "paid"


# --- Citizen pages ---------------------------------------------------------------------------------


def test_citizen_contact_receipt_and_follow_up(client, municipality, service, case_officer):
    url = reverse("inquiries_public:contact-service", args=[service.slug])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "subject": "Søknad",
            "body": "Når får vi svar?",
            "contact_name": "Ola",
            "contact_email": "ola@example.no",
        },
    )
    assert response.status_code == 302
    receipt = client.get(response["Location"])
    inquiry = Inquiry.objects.get()
    assert inquiry.channel == Channel.WEB_FORM and inquiry.service == service
    assert inquiry.reference in receipt.content.decode()
    link = receipt.context["link"]
    link_url = link.split("testserver")[1]
    # The link opens the case and goes on to the address without the token.
    opened = client.get(link_url)
    case_url = f"/sak/{inquiry.reference}/"
    assert opened.status_code == 302 and opened["Location"] == case_url
    page = client.get(case_url)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    services.reply(inquiry, text="Du får svar i morgen.", user=case_officer)
    assert "Du får svar i morgen." in client.get(case_url).content.decode()
    assert client.post(case_url, {"text": "Takk!"})["Location"] == case_url
    inquiry.refresh_from_db()
    assert inquiry.state == State.IN_PROGRESS
    assert inquiry.messages.filter(kind="citizen", text="Takk!").exists()
    # Query-string form of the link works too; a wrong token is a 404; without the link, a 404.
    token = link_url.rstrip("/").split("/")[-1]
    fresh = Client()
    assert fresh.get(f"/sak/{inquiry.reference}/").status_code == 404
    assert fresh.get(f"/sak/{inquiry.reference}/?token={token}")["Location"] == case_url
    assert fresh.get(case_url).status_code == 200
    assert Client().get(f"/sak/{inquiry.reference}/feil/").status_code == 404


def test_general_contact_form_validation(client, municipality, service):
    response = client.post(
        reverse("inquiries_public:contact"), {"subject": "", "contact_email": "ikke-epost"}
    )
    assert response.status_code == 200
    assert {"subject", "body", "contact_name", "contact_email"} <= set(response.context["form"].errors)
    response = client.post(
        reverse("inquiries_public:contact"),
        {"subject": "Hei", "body": "Spørsmål", "contact_name": "Kari", "service": ""},
    )
    assert response.status_code == 302
    assert Inquiry.objects.get().service is None


def test_unknown_service_contact_page_404(client, municipality):
    assert client.get("/kontakt/finnes-ikke/").status_code == 404


def test_wrong_national_id_is_a_field_error_and_nothing_typed_is_lost(client, municipality, unit):
    from tests.factories import make_service

    service = make_service(municipality, unit=unit, slug="bostotte", name="Bostøtte")
    service.requires_national_id = True
    service.save()
    url = reverse("inquiries_public:contact-service", args=[service.slug])
    typed = {
        "subject": "Bostøtte for mars",
        "body": "Jeg har fått nytt arbeid og lurer på om bostøtten endres.",
        "contact_name": "Kari Nordmann",
        "contact_email": "kari@example.no",
        "national_id": "12345678901",
    }
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"national_id"}
    assert "Dette er ikke et gyldig fødselsnummer." in html
    # The message is tied to the field, and everything she typed is still there.
    assert (
        'id="id_national_id_error"' in html
        and 'aria-describedby="id_national_id_helptext id_national_id_error"' in html
    )
    for value in (
        "Bostøtte for mars",
        "Jeg har fått nytt arbeid",
        "Kari Nordmann",
        "kari@example.no",
        "12345678901",
    ):
        assert value in html
    assert not Inquiry.objects.exists()
    # A valid number with spaces is accepted and stored compact.
    response = client.post(url, {**typed, "national_id": "150190 00181"})
    assert response.status_code == 302
    assert Inquiry.objects.get().national_id == "15019000181"


def test_case_page_forms_post_with_their_origin(client, municipality, service):
    """The case page's secret must not leak to other sites, but its own forms must pass CSRF's Origin
    check: same-origin, not no-referrer (which makes a browser send Origin: null)."""
    registered = services.register(
        municipality=municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject="Hei",
        body="Tekst",
        user=CITIZEN,
    )
    response = client.get(f"/sak/{registered.inquiry.reference}/{registered.token}/")
    assert response["Referrer-Policy"] == "same-origin"


def test_service_page_offers_ask_about_this_service(client, municipality, service):
    html = client.get(f"/tjenester/{service.slug}/").content.decode()
    assert f'href="/kontakt/{service.slug}/">Spør om denne tjenesten</a>' in html


def test_the_service_form_repeats_the_promise(client, municipality, unit):
    from tests.factories import make_service

    service = make_service(
        municipality,
        unit=unit,
        slug="snomaking",
        name="Snømåking",
        promises=[
            {
                "kind": "reply",
                "limit_value": 3,
                "limit_unit": "working_days",
                "text": "Vi svarer på meldinger om brøyting innen tre virkedager.",
                "guarantee": "Du får beskjed om hvorfor.",
            }
        ],
    )
    response = client.get(f"/kontakt/{service.slug}/")
    html = response.content.decode()
    promise = html.index('id="reply-promise"')
    assert promise < html.index('<form method="post"')
    assert "Vi svarer innen 3 virkedager." in html
    assert "Vi svarer på meldinger om brøyting innen tre virkedager." in html
    assert "Du får beskjed om hvorfor." in html
    assert "Skriver du i dag, får du svar innen" in html


def test_web_inquiry_for_a_known_service_goes_to_its_units_queue(client, municipality, service, unit):
    response = client.post(
        reverse("inquiries_public:contact-service", args=[service.slug]),
        {"subject": "Plass", "body": "Når?", "contact_name": "Ola"},
    )
    assert response.status_code == 302
    inquiry = Inquiry.objects.get()
    assert inquiry.state == State.ROUTED and inquiry.unit == unit
    assert inquiry.messages.filter(text__contains="Sendt rett til tjenestens ansvarlige enhet").exists()
    # Without a known service it stays with the desk.
    client.post(
        reverse("inquiries_public:contact"), {"subject": "Hei", "body": "Noe", "contact_name": "Kari"}
    )
    general = Inquiry.objects.get(subject="Hei")
    assert general.state == State.NEW and general.unit is None


def test_queue_counters_follow_the_whose_filter(client, municipality, service, desk_worker, make_staff):
    other = make_staff(Role.DESK_WORKER, municipality)
    for n, user in enumerate([desk_worker, desk_worker, other]):
        services.register(
            municipality=municipality, channel=Channel.PHONE, subject=f"Sak {n}", service=service, user=user
        )
    client.force_login(desk_worker)
    everyone = client.get(reverse("inquiries:queue"))
    mine = client.get(reverse("inquiries:queue"), {"hvem": "mine"})
    assert everyone.context["counts"]["all"] == everyone.context["page"].paginator.count == 3
    assert mine.context["counts"]["all"] == mine.context["page"].paginator.count == 2


def test_unrouted_backlog_is_not_confused_with_a_unit_called_servicetorget(
    client, municipality, service, desk_worker, administration
):
    from tests.factories import UnitFactory

    desk_unit = UnitFactory(municipality=municipality, name="Servicetorget", slug="servicetorget")
    services.register(municipality=municipality, channel=Channel.PHONE, subject="Åpen", user=desk_worker)
    services.register(
        municipality=municipality,
        channel=Channel.PHONE,
        subject="Sendt",
        user=desk_worker,
        route_to=desk_unit,
    )
    client.force_login(administration)
    backlog = dict(client.get(reverse("inquiries:dashboard")).context["board"].backlog)
    assert backlog == {"Servicetorget": 1, "Ikke sendt til enhet (i servicetorget)": 1}


def _session_store_text() -> str:
    from django.contrib.sessions.models import Session

    return "\n".join(repr(s.get_decoded()) + s.session_data for s in Session.objects.all())


def test_case_token_neither_in_the_session_nor_in_the_logs(client, municipality, service, caplog, settings):
    """The receipt and an opened case keep a mark in the session, never the token; no log line of
    the requests (Django's request and server loggers, the security log) carries it."""
    import logging

    from servicetorg.core.redaction import REDACTED

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    caplog.set_level(logging.DEBUG)
    url = reverse("inquiries_public:contact-service", args=[service.slug])
    contact = {"subject": "Søknad", "body": "Hei", "contact_name": "Ola", "contact_email": "o@ex.no"}
    receipt = client.get(client.post(url, contact)["Location"])
    inquiry = Inquiry.objects.get()
    link = receipt.context["link"].split("testserver")[1]
    token = link.rstrip("/").split("/")[-1]
    assert inquiry.check_token(token)
    client.get(link, follow=True)
    client.get(f"/sak/{inquiry.reference}/?token={token}", follow=True)
    looked_up = Client().post("/sak/", {"reference": inquiry.reference.lower(), "token": token})
    assert looked_up["Location"] == f"/sak/{inquiry.reference}/"
    wrong = Client().post("/sak/", {"reference": inquiry.reference, "token": "feil"})
    assert wrong.status_code == 400 and wrong.context["form"].non_field_errors()
    Client().get(f"/sak/{inquiry.reference}/{token}x/")  # a wrong token: a 404, logged by django.request
    sessions = _session_store_text()
    assert sessions and token not in sessions and inquiry.token_hash not in sessions
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert f"/sak/{inquiry.reference}/{REDACTED}" in logged  # the 404 was logged, without its token
    assert token not in logged
    # What django.server (runserver) and gunicorn would write, through the same filter.
    from servicetorg.core.redaction import RedactingFilter, redact

    record = logging.LogRecord(
        "django.server", 20, "", 0, '"%s" %s %s', (f"GET {link} HTTP/1.1", 302, 0), None
    )
    RedactingFilter().filter(record)
    assert token not in record.getMessage() and inquiry.reference in record.getMessage()
    assert token not in redact(f"GET /sak/{inquiry.reference}/?token={token}&x=1 HTTP/1.1")


def test_gunicorn_access_log_has_no_case_token():
    from types import SimpleNamespace

    from gunicorn.config import Config

    from servicetorg.core.redaction import GunicornLogger

    logger = GunicornLogger(Config())
    path = "/sak/ABCD-EFGH/s3cr3t-token_x/"
    request = SimpleNamespace(headers=[], method="GET", path=path, query="", version=(1, 1))
    environ = {"RAW_URI": path, "REQUEST_METHOD": "GET", "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1"}
    response = SimpleNamespace(status="302 Found", response_length=0, sent=0, headers=[])
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1))
    assert "s3cr3t" not in repr(atoms) and "/sak/ABCD-EFGH/" in atoms["r"]


def test_close_asks_for_confirmation_first_without_javascript(client, inquiry, unit, case_officer):
    """Issue 24 §9: "Lukk" closed a case at once. Now its post shows a confirmation page (a plain
    form, no script); only "Ja, lukk saken" closes it."""
    client.force_login(case_officer)
    client.post(reverse("inquiries:act", args=[inquiry.pk, "take"]))
    client.post(reverse("inquiries:act", args=[inquiry.pk, "reply"]), {"reply-text": "Svar"})
    detail = client.get(reverse("inquiries:detail", args=[inquiry.pk])).content.decode()
    assert reverse("inquiries:act", args=[inquiry.pk, "close"]) in detail
    asked = client.post(reverse("inquiries:act", args=[inquiry.pk, "close"]))
    inquiry.refresh_from_db()
    assert asked.status_code == 200 and inquiry.state == State.REPLIED
    page = asked.content.decode()
    assert f"Lukke sak {inquiry.reference}?" in page
    assert 'name="confirm" value="yes"' in page and "Ja, lukk saken" in page
    assert reverse("inquiries:detail", args=[inquiry.pk]) in page  # "Nei, gå tilbake"
    done = client.post(reverse("inquiries:act", args=[inquiry.pk, "close"]), {"confirm": "yes"})
    inquiry.refresh_from_db()
    assert done.status_code == 302 and inquiry.state == State.CLOSED
