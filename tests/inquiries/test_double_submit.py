"""One-time tokens: a double submit of the contact form or the desk's form registers one inquiry."""

import contextlib
import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from servicetorg.core import once
from servicetorg.core.choices import Channel
from servicetorg.core.models import FormSubmission
from servicetorg.inquiries.models import Inquiry

CONTACT = {"subject": "Søknad", "body": "Når får vi svar?", "contact_name": "Ola", "contact_email": "o@ex.no"}


def token_of(response) -> str:
    return re.search(r'name="once_token" value="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
def test_contact_double_submit_shows_the_first_receipt(client, municipality, service):
    url = reverse("inquiries_public:contact")
    token = token_of(client.get(url))
    first = client.post(url, {**CONTACT, "once_token": token})
    receipt = client.get(first["Location"]).content.decode()
    # The browser sends the form again (double click, back + resend), from a fresh session even.
    again = Client().post(url, {**CONTACT, "once_token": token}, follow=True)
    assert Inquiry.objects.count() == 1
    reference = Inquiry.objects.get().reference
    assert reference in receipt and reference in again.content.decode()
    assert again.context["link"] == client.get(first["Location"]).context["link"]
    # A new page gets a new token: a second, deliberate inquiry is registered.
    client.post(url, {**CONTACT, "once_token": token_of(client.get(url))})
    assert Inquiry.objects.count() == 2


@pytest.mark.django_db
def test_contact_form_error_keeps_token_and_stores_no_secret(client, municipality, service):
    url = reverse("inquiries_public:contact")
    token = token_of(client.get(url))
    invalid = client.post(url, {**CONTACT, "subject": "", "once_token": token})
    assert invalid.status_code == 200 and token_of(invalid) == token
    assert not FormSubmission.objects.exists()
    client.post(url, {**CONTACT, "once_token": token})
    stored = FormSubmission.objects.get()
    inquiry = Inquiry.objects.get()
    assert inquiry.reference not in stored.sealed_result and token not in stored.token_hash
    # A post without a token (an old page) still works, unprotected.
    assert client.post(url, CONTACT).status_code == 302 and Inquiry.objects.count() == 2


@pytest.mark.django_db
def test_desk_double_submit_registers_once(client, municipality, service, unit, desk_worker):
    client.force_login(desk_worker)
    url = reverse("inquiries:register")
    token = token_of(client.get(url))
    data = {
        "municipality": municipality.pk,
        "channel": Channel.PHONE,
        "subject": "Søknadsfrist",
        "outcome": "forwarded",
        "unit": unit.pk,
        "once_token": token,
    }
    first = client.post(url, data)
    second = client.post(url, data)
    inquiry = Inquiry.objects.get()
    assert first["Location"] == second["Location"] == reverse("inquiries:detail", args=[inquiry.pk])


@pytest.mark.django_db(transaction=True)
def test_concurrent_twins_run_once(municipality):
    """Two requests with one token at the same moment: the second waits, then gets the first result."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them anyway)")

    class Request:
        method = "POST"
        POST = {"once_token": once.new_token()}

    runs, results, barrier = [], [], threading.Barrier(2)

    def action():
        runs.append(1)
        time.sleep(0.5)  # the twin's claim waits meanwhile on the unique index
        return {"n": len(runs)}

    def submit():
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            results.append(once.submit_once(Request, "test.twins", action))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(runs) == 1
    assert sorted(first for _result, first in results) == [False, True]
    assert all(result == {"n": 1} for result, _first in results)


@pytest.mark.django_db
def test_tokens_expire(municipality):
    from datetime import timedelta

    from django.utils import timezone

    FormSubmission.objects.create(token_hash="a" * 64, scope="x")
    assert once.purge(timezone.now() + timedelta(hours=23)) == 0
    assert once.purge(timezone.now() + timedelta(hours=25)) == 1
