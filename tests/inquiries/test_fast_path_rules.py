"""The rules the intake's fast path depends on are checked, and the fast path can be switched off.

inquiries/fast_path.py turns each rule into an error of ``manage.py check``; these tests run that
check on the real configuration (so adding, say, a post_save receiver to Inquiry fails here) and
show that each rule does catch what it is about.
"""

import pytest
from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.test import override_settings

from servicetorg.inquiries import api, fast_path, services, sql
from servicetorg.inquiries.models import (
    ApiClient,
    DailyStat,
    IdempotencyRecord,
    Inquiry,
    InquiryMessage,
)
from tests.inquiries.conftest import keyed

URL = "/api/inquiries/inquiries/"


@pytest.fixture(autouse=True)
def fast_path_on(settings):
    """The rules are checked while the fast path is on, whatever the run's INQUIRIES_FAST_INTAKE says."""
    settings.INQUIRIES_FAST_INTAKE = True


def error_ids():
    return [error.id for error in fast_path.fast_path_rules()]


def test_the_real_configuration_keeps_every_rule():
    assert error_ids() == []


@pytest.mark.parametrize("signal", [post_save, pre_save])
@pytest.mark.parametrize("model", [Inquiry, InquiryMessage, IdempotencyRecord, DailyStat])
def test_a_save_receiver_on_a_model_the_statement_writes_breaks_the_rules(signal, model):
    def receiver(sender, **kwargs):
        pass

    signal.connect(receiver, sender=model, dispatch_uid="test-fast-path-receiver")
    try:
        assert error_ids() == ["inquiries.E001"]
        assert "receiver" in fast_path.signal_receivers()[0]
    finally:
        signal.disconnect(dispatch_uid="test-fast-path-receiver", sender=model)
    assert error_ids() == []


def test_the_history_receiver_is_the_one_allowed():
    receivers = post_save._live_receivers(Inquiry)[0]
    assert len(receivers) == 1 and fast_path._is_history_receiver(receivers[0])


def test_the_middleware_comes_right_after_security():
    middleware = list(settings.MIDDLEWARE)
    position = middleware.index(fast_path.MIDDLEWARE)
    assert middleware[0] == "django.middleware.security.SecurityMiddleware"
    assert set(middleware[:position]) <= set(fast_path.ALLOWED_BEFORE)
    later = {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    }
    assert later <= set(middleware[position + 1 :])


@pytest.mark.parametrize(
    "middleware",
    [
        lambda m: (
            [m[0], *[x for x in m if x == "django.contrib.sessions.middleware.SessionMiddleware"]]
            + [x for x in m[1:] if x != "django.contrib.sessions.middleware.SessionMiddleware"]
        ),
        lambda m: [x for x in m if x != "django.middleware.security.SecurityMiddleware"],
        lambda m: [fast_path.MIDDLEWARE, *[x for x in m if x != fast_path.MIDDLEWARE]],
    ],
    ids=["sessions-first", "no-security", "fast-path-first"],
)
def test_a_misplaced_middleware_breaks_the_rules(middleware):
    with override_settings(MIDDLEWARE=middleware(list(settings.MIDDLEWARE))):
        assert "inquiries.E002" in error_ids()


def test_a_constrained_foreign_key_on_a_derived_row_breaks_the_rules(monkeypatch):
    field = DailyStat._meta.get_field("municipality")
    monkeypatch.setattr(field, "db_constraint", True)
    assert error_ids() == ["inquiries.E003"]


def test_switched_off_there_is_nothing_to_check():
    with override_settings(INQUIRIES_FAST_INTAKE=False):

        def receiver(sender, **kwargs):
            pass

        post_save.connect(receiver, sender=Inquiry, dispatch_uid="test-fast-path-off")
        try:
            assert error_ids() == []
        finally:
            post_save.disconnect(dispatch_uid="test-fast-path-off", sender=Inquiry)


@pytest.mark.django_db
def test_switched_off_the_viewset_and_the_orm_answer(client_key, municipality, monkeypatch):
    """INQUIRIES_FAST_INTAKE = False: the middleware is not used and insert() takes the ORM path."""
    taken, one_statement = [], []
    monkeypatch.setattr(api, "direct_intake", lambda request: taken.append(request))
    monkeypatch.setattr(sql, "insert_inquiry", lambda *args: one_statement.append(args))
    account = ApiClient.objects.get().user
    data = {"municipality": municipality.pk, "channel": "email", "subject": "Spørsmål om plass"}
    with override_settings(INQUIRIES_FAST_INTAKE=False):
        response = keyed(client_key).post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="off-1")
        registered = services.prepare(municipality=municipality, channel="phone", subject="Hei", user=account)
        assert services.insert(registered.inquiry, user=account) is True
    assert response.status_code == 201
    assert taken == [] and one_statement == []  # neither part of the fast path ran
    assert Inquiry.objects.count() == 2 and registered.inquiry.pk is not None
    assert IdempotencyRecord.objects.get(key="off-1").response["id"] == response.json()["id"]
