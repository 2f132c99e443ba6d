"""Issue 24 §1: a sensitive service's case opens with its link *and* a one-time code sent to the phone
or e-mail on the case. The service: codes expire, are used once, die after five wrong tries, work
only in the session and for the case that asked, are stored hashed, are sent at most once a minute
per session and five times an hour per case, through the outbox, saying nothing of the case. The
pages: reading, files and answering need the code; the verification ends after 30 idle minutes;
services that are not sensitive open as before."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from servicetorg.core.choices import Channel
from servicetorg.core.models import OutboxChannel, OutboxMessage
from servicetorg.core.permissions import CITIZEN
from servicetorg.inquiries import public_views, services
from servicetorg.inquiries.models import CaseCode, InquiryMessage
from servicetorg.inquiries.services import case_codes
from servicetorg.inquiries.services.case_codes import CodeRefused, check_code, send_code

pytestmark = pytest.mark.django_db

SECRET_TEXT = "angst og alkohol"
SESSION = "binding-of-her-session"
OTHER_SESSION = "binding-of-another-session"


def _register(service, *, phone="912 34 567", email="kari@example.no", subject="Hjelp"):
    return services.register(
        municipality=service.municipality,
        channel=Channel.WEB_FORM,
        service=service,
        subject=subject,
        body=f"Jeg sliter med {SECRET_TEXT}.",
        contact_name="Kari",
        contact_email=email,
        contact_phone=phone,
        user=CITIZEN,
        to_responsible_unit=True,
    )


@pytest.fixture
def sensitive(service):
    service.sensitive = True
    service.save(update_fields=["sensitive"])
    return service


@pytest.fixture
def case(sensitive):
    return _register(sensitive)


def _sent_code(row: CaseCode) -> str:
    message = OutboxMessage.objects.get(key=f"inquiries.case-code:{row.pk}")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- The service ------------------------------------------------------------------------------------


def test_the_code_goes_through_the_outbox_says_nothing_of_the_case_and_is_stored_hashed(case):
    inquiry = case.inquiry
    row = send_code(inquiry, channel="sms", binding=SESSION, user=CITIZEN)
    message = OutboxMessage.objects.get(key=f"inquiries.case-code:{row.pk}")
    assert message.channel == OutboxChannel.SMS and message.recipients == ["+4791234567"]
    code = _sent_code(row)
    for secret in (SECRET_TEXT, "Hjelp", inquiry.reference, "/sak/", inquiry.service.name):
        assert secret not in message.body, (secret, message.body)
    assert "10 minutter" in message.body
    stored = " ".join(str(v) for v in CaseCode.objects.filter(pk=row.pk).values().get().values())
    assert code not in stored and SESSION not in stored
    assert row.expires_at - row.created_at == timedelta(minutes=10)


def test_by_email_when_she_gave_no_phone(sensitive):
    inquiry = _register(sensitive, phone="").inquiry
    assert [d.channel for d in case_codes.destinations(inquiry)] == ["email"]
    with pytest.raises(CodeRefused) as refused:
        send_code(inquiry, channel="sms", binding=SESSION, user=CITIZEN)
    assert refused.value.reason == "no_contact"
    row = send_code(inquiry, channel="email", binding=SESSION, user=CITIZEN)
    message = OutboxMessage.objects.get(key=f"inquiries.case-code:{row.pk}")
    assert message.channel == OutboxChannel.EMAIL and message.recipients == ["kari@example.no"]
    assert inquiry.reference not in message.subject + message.body and SECRET_TEXT not in message.body
    assert check_code(inquiry, binding=SESSION, code=_sent_code(row), user=CITIZEN).ok


def test_a_code_is_used_once(case):
    row = send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN)
    code = _sent_code(row)
    assert check_code(case.inquiry, binding=SESSION, code=code, user=CITIZEN).ok
    again = check_code(case.inquiry, binding=SESSION, code=code, user=CITIZEN)
    assert not again.ok and again.reason == "expired"


def test_a_code_expires_after_ten_minutes(case):
    now = timezone.now()
    row = send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now)
    code = _sent_code(row)
    late = check_code(case.inquiry, binding=SESSION, code=code, user=CITIZEN, now=now + timedelta(minutes=10))
    assert not late.ok and late.reason == "expired"
    in_time = check_code(
        case.inquiry, binding=SESSION, code=code, user=CITIZEN, now=now + timedelta(minutes=9)
    )
    assert in_time.ok


def test_five_wrong_tries_kill_the_code_and_a_new_one_is_needed(case):
    now = timezone.now()
    row = send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now)
    code = _sent_code(row)
    answers = [check_code(case.inquiry, binding=SESSION, code=_wrong(code), user=CITIZEN) for _ in range(5)]
    assert [(a.reason, a.left) for a in answers] == [
        ("wrong", 4),
        ("wrong", 3),
        ("wrong", 2),
        ("wrong", 1),
        ("locked", 0),
    ]
    # The right code no longer helps.
    assert check_code(case.inquiry, binding=SESSION, code=code, user=CITIZEN).reason == "locked"
    assert case_codes.live_code(case.inquiry, binding=SESSION) is None
    fresh = send_code(
        case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now + timedelta(minutes=2)
    )
    assert check_code(case.inquiry, binding=SESSION, code=_sent_code(fresh), user=CITIZEN).ok


def test_another_session_cannot_use_the_code(case):
    row = send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN)
    code = _sent_code(row)
    stolen = check_code(case.inquiry, binding=OTHER_SESSION, code=code, user=CITIZEN)
    assert not stolen.ok and stolen.reason == "none"
    assert check_code(case.inquiry, binding="", code=code, user=CITIZEN).reason == "none"
    assert check_code(case.inquiry, binding=SESSION, code=code, user=CITIZEN).ok


def test_another_case_cannot_use_the_code(case, sensitive):
    other = _register(sensitive, subject="Noe annet").inquiry
    row = send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN)
    code = _sent_code(row)
    assert not check_code(other, binding=SESSION, code=code, user=CITIZEN).ok
    # Even a code of the other case's own in the same session is its own: the first still works.
    send_code(other, channel="sms", binding=SESSION, user=CITIZEN)
    assert not check_code(other, binding=SESSION, code=code, user=CITIZEN).ok
    assert check_code(case.inquiry, binding=SESSION, code=code, user=CITIZEN).ok


def test_only_the_newest_code_of_a_session_counts(case):
    now = timezone.now()
    first = send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now)
    second = send_code(
        case.inquiry, channel="email", binding=SESSION, user=CITIZEN, now=now + timedelta(minutes=1)
    )
    old = _sent_code(first)
    if old != _sent_code(second):
        assert not check_code(case.inquiry, binding=SESSION, code=old, user=CITIZEN).ok
    assert check_code(case.inquiry, binding=SESSION, code=_sent_code(second), user=CITIZEN).ok


def test_resending_is_limited_per_session_and_per_case(case):
    now = timezone.now()
    send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now)
    with pytest.raises(CodeRefused) as soon:
        send_code(case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now + timedelta(seconds=30))
    assert soon.value.reason == "wait" and 0 < soon.value.wait <= 31
    for minute in range(1, 5):
        send_code(
            case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=now + timedelta(minutes=minute)
        )
    # Five in the hour: a sixth from any session waits until the first is an hour old.
    with pytest.raises(CodeRefused) as flood:
        send_code(
            case.inquiry, channel="sms", binding=OTHER_SESSION, user=CITIZEN, now=now + timedelta(minutes=10)
        )
    assert flood.value.reason == "too_many" and flood.value.wait > 49 * 60
    send_code(
        case.inquiry, channel="sms", binding=OTHER_SESSION, user=CITIZEN, now=now + timedelta(minutes=61)
    )
    assert OutboxMessage.objects.filter(key__startswith="inquiries.case-code:").count() == 6


def test_a_service_needs_its_actor(case):
    with pytest.raises(TypeError):
        send_code(case.inquiry, channel="sms", binding=SESSION, user=None)
    with pytest.raises(TypeError):
        check_code(case.inquiry, binding=SESSION, code="123456", user=None)


def test_codes_go_a_day_after_and_with_the_anonymised_case(case):
    from servicetorg.core.permissions import SYSTEM
    from servicetorg.inquiries.personal_data import anonymise
    from servicetorg.privacy.retention import purge

    old = send_code(
        case.inquiry, channel="sms", binding=SESSION, user=CITIZEN, now=timezone.now() - timedelta(days=2)
    )
    new = send_code(case.inquiry, channel="sms", binding=OTHER_SESSION, user=CITIZEN)
    purge(user=SYSTEM)
    assert list(CaseCode.objects.values_list("pk", flat=True)) == [new.pk]
    assert old.pk != new.pk
    anonymise([case.inquiry.pk])
    assert not CaseCode.objects.exists()


# --- The pages --------------------------------------------------------------------------------------


def _link(registered) -> str:
    return reverse(
        "inquiries_public:case", kwargs={"reference": registered.inquiry.reference, "token": registered.token}
    )


def _page(registered) -> str:
    return reverse("inquiries_public:case-query", kwargs={"reference": registered.inquiry.reference})


def _code_page(registered) -> str:
    return reverse("inquiries_public:case-code", kwargs={"reference": registered.inquiry.reference})


def _ask_for_code(client, registered, channel="sms") -> str:
    response = client.post(_code_page(registered), {"action": "send", "send-channel": channel})
    assert response.status_code == 302, response.content.decode()
    row = CaseCode.objects.filter(inquiry=registered.inquiry).latest("created_at")
    return _sent_code(row)


def test_not_sensitive_services_open_with_the_link_as_before(client, service):
    registered = _register(service)
    response = client.get(_link(registered), follow=True)
    assert response.status_code == 200 and "Hjelp" in response.content.decode()
    assert response.redirect_chain[-1][0] == _page(registered)
    assert client.get(_code_page(registered)).status_code == 302


def test_the_link_alone_opens_no_sensitive_case(client, case):
    inquiry = case.inquiry
    services.citizen_message(inquiry, text=f"Mer om {SECRET_TEXT}", attachments=[], user=CITIZEN)
    response = client.get(_link(case), follow=True)
    assert response.redirect_chain[-1][0] == _code_page(case)
    page = response.content.decode()
    assert SECRET_TEXT not in page and "Hjelp" not in page
    assert 'autocomplete="one-time-code"' not in page  # no code sent yet: the page offers one
    assert "•• •• •• 67" in page and "k•••@example.no" in page
    # Answering without the code adds nothing.
    before = InquiryMessage.objects.filter(inquiry=inquiry).count()
    assert client.post(_page(case), {"text": "Hei"}).status_code == 302
    assert InquiryMessage.objects.filter(inquiry=inquiry).count() == before
    # Nor does a client without the link reach even the code page.
    from django.test import Client

    assert Client().get(_code_page(case)).status_code == 404


def test_with_the_code_she_reads_and_answers_and_another_browser_cannot_use_it(client, case):
    client.get(_link(case))
    code = _ask_for_code(client, case)
    page = client.get(_code_page(case)).content.decode()
    assert 'autocomplete="one-time-code"' in page and 'inputmode="numeric"' in page
    # Another browser with the same link gets its own page: her code does not work there.
    from django.test import Client

    thief = Client()
    thief.get(_link(case))
    stolen = thief.post(_code_page(case), {"action": "verify", "code": code})
    assert stolen.status_code == 400
    assert thief.get(_page(case)).status_code == 302
    # Wrong, then right.
    wrong = client.post(_code_page(case), {"action": "verify", "code": _wrong(code)})
    assert wrong.status_code == 400 and "4 ganger til" in wrong.content.decode()
    assert 'id="error-summary"' in wrong.content.decode()
    right = client.post(_code_page(case), {"action": "verify", "code": code})
    assert right.status_code == 302 and right["Location"] == _page(case)
    page = client.get(_page(case))
    assert page.status_code == 200 and "Hjelp" in page.content.decode()
    assert client.post(_page(case), {"text": "Takk for svaret"}).status_code == 302
    assert InquiryMessage.objects.filter(inquiry=case.inquiry, text="Takk for svaret").exists()


def test_the_verification_ends_after_thirty_idle_minutes(client, case, monkeypatch):
    client.get(_link(case))
    code = _ask_for_code(client, case)
    client.post(_code_page(case), {"action": "verify", "code": code})
    clock = {"now": public_views.time.time()}

    class Clock:
        @staticmethod
        def time():
            return clock["now"]

    monkeypatch.setattr(public_views, "time", Clock)
    clock["now"] += 29 * 60
    assert client.get(_page(case)).status_code == 200  # in use: another 30 minutes from here
    clock["now"] += 29 * 60
    assert client.get(_page(case)).status_code == 200
    clock["now"] += 31 * 60
    response = client.get(_page(case))
    assert response.status_code == 302 and response["Location"] == _code_page(case)


def test_a_dead_code_on_the_page_asks_for_a_new_one(client, case):
    client.get(_link(case))
    code = _ask_for_code(client, case)
    for _ in range(4):
        client.post(_code_page(case), {"action": "verify", "code": _wrong(code)})
    last = client.post(_code_page(case), {"action": "verify", "code": _wrong(code)})
    page = last.content.decode()
    assert last.status_code == 400 and "Be om en ny kode" in page and 'name="action" value="send"' in page
    assert client.post(_code_page(case), {"action": "verify", "code": code}).status_code == 400
    assert client.get(_page(case)).status_code == 302
