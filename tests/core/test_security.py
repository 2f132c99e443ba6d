"""Security controls (issue 11): settings that fail closed, CSP, log-in throttling (django-axes), MFA
(django-otp), password rules and change, session time-outs, no-store, the security log, API docs."""

import base64
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from servicetorg.core.choices import Role
from servicetorg.core.security import SESSION_AUTH_AT, SESSION_SEEN_AT
from tests.factories import make_staff

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pass-for-tests-1"
PRODUCTION_ENV = {
    # The production variables README's Configuration documents.
    "SECRET_KEY": "k" * 20 + "-Zx9!pQ2@rT5#vB8$nM1%wE4^yU7&iO3*aS6",
    "FIELD_ENCRYPTION_KEYS": "q0HIhgG6IPfL4jVbq2Q3A9yLgu3lnq_ek2d5fx5NrrI=",
    "NATIONAL_ID_HASH_KEY": "h" * 20 + "-a8Kd0qL3mZ7xV2pR9tN4wB6",
    "ALLOWED_HOSTS": "servicetorg.fjordvik.kommune.no",
    "CSRF_TRUSTED_ORIGINS": "https://servicetorg.fjordvik.kommune.no",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "TRUSTED_PROXIES": "1",
    "CACHE_URL": "redis://127.0.0.1:6379/11",
    "PORTAL_BASE_URL": "https://servicetorg.fjordvik.kommune.no",
}


def _run(code_or_args, env_extra, *, manage=False):
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests
    unset = (
        "SERVICETORG_DEV", "SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE", "FIELD_ENCRYPTION_KEYS",
        "NATIONAL_ID_HASH_KEY", "PORTAL_BASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE",
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(env_extra)
    env["PYTHONPATH"] = str(ROOT / "src")
    args = [sys.executable, str(ROOT / "manage.py"), *code_or_args] if manage else [sys.executable, "-c"]
    if not manage:
        args.append(code_or_args)
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


# --- Settings fail closed ---------------------------------------------------------------------------

PRINT_SETTINGS = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'servicetorg.settings');"
    "from django.conf import settings as s; print(s.DEBUG, s.SESSION_COOKIE_NAME, s.MFA_REQUIRED)"
)


def test_without_a_key_production_refuses_to_start():
    result = _run(PRINT_SETTINGS, {})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_without_the_field_encryption_keys_production_refuses_to_start():
    for missing in ("FIELD_ENCRYPTION_KEYS", "NATIONAL_ID_HASH_KEY"):
        env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
        result = _run(PRINT_SETTINGS, env)
        assert result.returncode != 0
        assert "FIELD_ENCRYPTION_KEYS (Fernet keys) and NATIONAL_ID_HASH_KEY" in result.stderr


def test_with_a_key_debug_is_off_unless_asked_for():
    keys = ("SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "NATIONAL_ID_HASH_KEY", "PORTAL_BASE_URL")
    result = _run(PRINT_SETTINGS, {k: PRODUCTION_ENV[k] for k in keys})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "__Host-sessionid", "True"]


def test_development_is_asked_for_explicitly():
    result = _run(PRINT_SETTINGS, {"SERVICETORG_DEV": "1"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "sessionid", "False"]


@pytest.mark.slow  # a manage.py process
def test_check_deploy_is_clean_with_the_documented_production_variables():
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, manage=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# --- Headers ------------------------------------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"


def test_style_elements_carry_the_nonce_of_the_header(client, municipality):
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    response = client.get(reverse("inquiries:dashboard"))
    nonce = response["Content-Security-Policy"].split("'nonce-", 1)[1].split("'", 1)[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()


def test_no_template_has_inline_scripts_handlers_or_style_attributes():
    offending = []
    for path in (ROOT / "src/servicetorg").rglob("*.html"):
        if path.name in ("report_pdf.html", "report_document.html"):  # WeasyPrint's, never a browser's
            continue
        if "testidp" in path.parts:  # TestID's own Flask pages (development only): not under our CSP
            continue
        text = path.read_text()
        for needle in (" style=", " onclick=", " onchange=", " onsubmit=", "javascript:", "<script>"):
            if needle in text:
                offending.append(f"{path.relative_to(ROOT)}: {needle.strip()}")
        if "<style" in text and '<style nonce="{{ CSP_NONCE }}">' not in text:
            offending.append(f"{path.relative_to(ROOT)}: <style> without nonce")
    assert not offending


def test_staff_and_case_pages_are_not_stored(client, municipality):
    client.force_login(make_staff(Role.ADMINISTRATION, municipality))
    assert "no-store" in client.get(reverse("core:staff-home"))["Cache-Control"]
    client.logout()
    assert "no-store" in client.get("/sak/ABCD-EFGH/secret/")["Cache-Control"]
    assert "no-store" not in client.get("/").get("Cache-Control", "")


def test_api_docs_come_from_the_sidecar_without_inline_script(client, db):
    page = client.get(reverse("api-docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


# --- Log-in throttling (django-axes) -----------------------------------------------------------------


def _login(client, username, password):
    return client.post(reverse("core:login"), {"username": username, "password": password})


@override_settings(AXES_FAILURE_LIMIT=5)
def test_wrong_passwords_lock_the_log_in_even_for_the_right_one(client, municipality, caplog):
    user = make_staff(Role.DESK_WORKER, municipality, username="kari")
    for _ in range(5):
        assert _login(client, "kari", "wrong-password-x").status_code in (200, 429)
    response = _login(client, "kari", PASSWORD)
    assert response.status_code == 429
    assert "låst" in response.content.decode()  # Norwegian by default
    assert "_auth_user_id" not in client.session
    assert any("log-in failed user=kari" in r.getMessage() for r in caplog.records)
    # Another user name from the same address is not locked out.
    other = make_staff(Role.DESK_WORKER, municipality, username="ola")
    assert _login(client, other.username, PASSWORD).status_code == 302
    assert user.pk


def _basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def test_a_staff_password_is_no_api_credential(client, municipality, settings):
    """Issue 18 §2.1: with MFA on, ``Authorization: Basic`` with the right password read every
    inquiry and withdrew services. Staff passwords open nothing on the API now."""
    settings.MFA_REQUIRED = True
    user = make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    user.is_superuser = True
    user.save()
    for path in ("/api/catalogue/services/", "/api/inquiries/inquiries/"):
        response = client.get(path, HTTP_AUTHORIZATION=_basic("radmann", PASSWORD))
        assert response.status_code in (401, 403), path
        assert "Basic" not in response.get("WWW-Authenticate", "")
    response = client.post(
        "/api/catalogue/services/",
        {},
        HTTP_AUTHORIZATION=_basic("radmann", PASSWORD),
        HTTP_ORIGIN="https://x.no",
    )
    assert response.status_code in (401, 403)


def test_a_session_without_the_second_factor_reads_no_api(client, municipality, settings):
    settings.MFA_REQUIRED = True
    user = make_staff(Role.ADMINISTRATION, municipality, username="radmann")
    client.force_login(user)  # the password step only
    assert client.get("/api/inquiries/inquiries/").status_code == 403
    device = TOTPDevice.objects.create(user=user, confirmed=True)
    client.post(reverse("core:mfa"), {"otp_token": _code_for(device.bin_key)})
    assert client.get("/api/inquiries/inquiries/").status_code == 200


def test_one_key_serves_one_channel(client, municipality):
    """An Open311 key (embedded in public apps) opens no REST API; a REST key posts no Open311."""
    from servicetorg.inquiries import services as inquiry_services

    admin = make_staff(Role.ADMINISTRATION, municipality, username="it")
    account = make_staff(Role.DESK_WORKER, municipality, username="system-intake")
    _open311, open311_key = inquiry_services.create_api_client(
        municipality=municipality, name="App", user=admin
    )
    _rest, rest_key = inquiry_services.create_api_client(
        municipality=municipality, name="Fiks", user=admin, service_account=account
    )
    url = "/api/inquiries/inquiries/"
    assert client.get(url, HTTP_AUTHORIZATION=f"Api-Key {rest_key}").status_code == 200
    refused = client.get(url, HTTP_AUTHORIZATION=f"Api-Key {open311_key}")
    assert refused.status_code in (401, 403) and refused.json()["detail"] == "Ugyldig API-nøkkel."
    post = {"jurisdiction_id": municipality.number, "service_code": "x", "description": "Hull i veien"}
    refused = client.post("/api/open311/v2/requests.json", {**post, "api_key": rest_key})
    assert refused.status_code == 403 and b"Invalid api_key" in refused.content


# --- Passwords ---------------------------------------------------------------------------------------


def test_password_change_page_enforces_length_and_common_passwords(client, municipality, production_hashers):
    user = make_staff(Role.DESK_WORKER, municipality, username="kari")
    client.force_login(user)
    url = reverse("core:password-change")
    assert client.get(url).status_code == 200
    short = "kort-pass1"
    short = client.post(url, {"old_password": PASSWORD, "new_password1": short, "new_password2": short})
    assert short.status_code == 400 and "12" in short.content.decode()
    common = client.post(
        url, {"old_password": PASSWORD, "new_password1": "qwerty123456", "new_password2": "qwerty123456"}
    )
    assert common.status_code == 400
    good = "Fjorden ligger blank i dag"
    response = client.post(url, {"old_password": PASSWORD, "new_password1": good, "new_password2": good})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(good) and user.password.startswith("pbkdf2_sha256$")  # as production stores it
    assert client.get(reverse("core:staff-home")).status_code == 200  # still logged in here


def test_production_hashes_passwords_with_pbkdf2_and_only_the_tests_with_md5():
    """The test settings' MD5 (servicetorg/conf/ci.py) must never reach a real installation."""
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'servicetorg.settings');"
        "django.setup(); from django.contrib.auth.hashers import make_password; print(make_password('x'))"
    )
    for env in (PRODUCTION_ENV, {"SERVICETORG_DEV": "1"}):
        result = _run(code, env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("pbkdf2_sha256$1000000$")  # Django 5.2: a million rounds
    from django.contrib.auth.hashers import make_password

    assert make_password("x").startswith("md5$")


# --- MFA (django-otp) --------------------------------------------------------------------------------


def _code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@override_settings(MFA_REQUIRED=True)
def test_first_log_in_enrols_a_device_then_staff_pages_open(client, municipality):
    make_staff(Role.DESK_WORKER, municipality, username="kari")
    response = _login(client, "kari", PASSWORD)
    assert response.status_code == 302
    staff = client.get(reverse("core:staff-home"))
    assert staff.status_code == 302 and staff.url.startswith(reverse("core:mfa"))
    enrol = client.get(staff.url, follow=True)
    assert enrol.request["PATH_INFO"] == reverse("core:mfa-enrol")
    assert b"<svg" in enrol.content  # the QR code
    assert not TOTPDevice.objects.filter(user__username="kari").exists()  # nothing stored before confirming
    key = _enrol_key(enrol)
    wrong_code = "000000" if _code_for(key) != "000000" else "111111"
    wrong = client.post(reverse("core:mfa-enrol"), {"otp_token": wrong_code})
    assert wrong.status_code == 400
    assert _enrol_key(wrong) == key  # a wrong code keeps this attempt's secret
    ok = client.post(reverse("core:mfa-enrol"), {"otp_token": _code_for(key)})
    assert ok.status_code == 302
    assert client.get(reverse("core:staff-home")).status_code == 200
    assert TOTPDevice.objects.get(user__username="kari").confirmed


def _enrol_key(response) -> bytes:
    return base64.b32decode(response.context["secret"].replace(" ", ""))


def _code_for(key: bytes) -> str:
    return f"{totp(key):06d}"


@override_settings(MFA_REQUIRED=True)
def test_a_secret_read_before_the_owner_enrols_is_worthless_and_she_is_told(municipality):
    """Review 2 §2.6: someone with the password opened the enrolment page first; the owner later
    confirmed the same key. Now each attempt draws its own secret in its own session, nothing is
    stored before confirmation, and the owner gets an e-mail when a second factor is enrolled."""
    from django.test import Client

    from servicetorg.core.models import OutboxMessage

    owner = make_staff(Role.CASE_OFFICER, municipality, username="kari")
    attacker, victim = Client(), Client()
    _login(attacker, "kari", PASSWORD)
    stolen = _enrol_key(attacker.get(reverse("core:mfa-enrol")))
    assert not TOTPDevice.objects.filter(user=owner).exists()
    _login(victim, "kari", PASSWORD)
    first = _enrol_key(victim.get(reverse("core:mfa-enrol")))
    mine = _enrol_key(victim.get(reverse("core:mfa-enrol")))  # a new secret per attempt
    assert len({stolen, first, mine}) == 3
    # Her confirmation binds only the secret of her own session.
    assert victim.post(reverse("core:mfa-enrol"), {"otp_token": _code_for(mine)}).status_code == 302
    device = TOTPDevice.objects.get(user=owner)
    assert device.bin_key == mine
    # The attacker's secret opens nothing: not on the code page, not by confirming his attempt.
    assert attacker.post(reverse("core:mfa-enrol"), {"otp_token": _code_for(stolen)}).status_code == 302
    assert TOTPDevice.objects.filter(user=owner).count() == 1
    if _code_for(stolen) != _code_for(mine):
        assert attacker.post(reverse("core:mfa"), {"otp_token": _code_for(stolen)}).status_code == 400
    assert attacker.get(reverse("core:staff-home")).status_code == 302
    # She is told, through the outbox.
    notice = OutboxMessage.objects.get(key=f"mfa-enrolled:{device.pk}")
    assert notice.recipients == [owner.email]
    assert "kari" in notice.body


@override_settings(MFA_REQUIRED=True)
def test_enrolled_user_gives_a_code_and_admin_and_api_wait_for_it(client, municipality):
    user = make_staff(Role.ADMINISTRATION, municipality, username="kari", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    assert _login(client, "kari", PASSWORD).status_code == 302
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin.url.startswith(reverse("core:mfa"))
    api = client.get("/api/catalogue/services/")
    assert api.status_code == 403
    response = client.post(reverse("core:mfa") + "?next=/admin/", {"otp_token": _code(device)})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/catalogue/services/").status_code == 200


@override_settings(MFA_REQUIRED=True)
def test_a_wrong_code_is_refused_and_logged(client, municipality, caplog):
    user = make_staff(Role.DESK_WORKER, municipality, username="kari")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _login(client, "kari", PASSWORD)
    wrong = "123456" if _code(device) != "123456" else "654321"
    response = client.post(reverse("core:mfa"), {"otp_token": wrong})
    assert response.status_code == 400
    assert client.get(reverse("core:staff-home")).status_code == 302
    assert any("mfa failed user=kari" in r.getMessage() for r in caplog.records)


# --- Sessions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, age", [(SESSION_SEEN_AT, 31 * 60), (SESSION_AUTH_AT, 11 * 3600)], ids=["idle", "absolute"]
)
def test_sessions_time_out(client, municipality, field, age):
    client.force_login(make_staff(Role.DESK_WORKER, municipality))
    assert client.get(reverse("core:staff-home")).status_code == 200
    session = client.session
    session[field] = int(time.time()) - age
    if field == SESSION_AUTH_AT:
        session[SESSION_SEEN_AT] = int(time.time())
    session.save()
    response = client.get(reverse("core:staff-home"))
    assert response.status_code == 302 and response.url.startswith(reverse("core:login"))
    assert "_auth_user_id" not in client.session


# --- Security log -------------------------------------------------------------------------------------


def test_refusals_and_reads_of_personal_data_are_logged(client, municipality, other_municipality, caplog):
    from servicetorg.core.permissions import CITIZEN
    from servicetorg.inquiries import services as inquiry_services

    registered = inquiry_services.register(
        municipality=municipality, channel="web_form", subject="Hei", contact_name="Kari N", user=CITIZEN
    )
    staff = make_staff(Role.ADMINISTRATION, municipality, username="leser")
    client.force_login(staff)
    assert client.get(reverse("inquiries:detail", args=[registered.inquiry.pk])).status_code == 200
    assert any("personal data read view=inquiries:detail" in r.getMessage() for r in caplog.records)
    client.force_login(make_staff(Role.COUNCIL, other_municipality, username="nabo"))
    client.post(reverse("inquiries:register"), {})
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused status=403")]
    assert refused and "user=nabo" in refused[-1]
    # The case link's secret never reaches the log.
    client.logout()
    client.get(f"/sak/{registered.inquiry.reference}/{registered.token}/")
    assert not any(registered.token in r.getMessage() for r in caplog.records)


@override_settings(
    AXES_FAILURE_LIMIT=5,
    LOGIN_FAILURE_LIMITS={"login_address": (8, 3600), "login_username": (6, 3600)},
)
def test_password_spraying_is_locked_per_address_and_per_user_name(municipality, caplog):
    """Review 2 §2.7: lock-out was only per user name + address. One password tried on many user
    names from one address, or one user name from many addresses, never tripped it."""
    from django.test import Client

    for i in range(12):
        make_staff(Role.DESK_WORKER, municipality, username=f"ansatt{i}")
    sprayer = Client(REMOTE_ADDR="10.9.0.1")
    answers = [_login(sprayer, f"ansatt{i}", "Sommer2026!").status_code for i in range(10)]
    assert answers[:8] == [200] * 8 and answers[8:] == [429, 429]  # four per pair never locks axes
    assert "for mange mislykkede innlogginger" in _login(sprayer, "ansatt11", PASSWORD).content.decode()
    # Another address logs in as before.
    assert _login(Client(REMOTE_ADDR="10.9.0.2"), "ansatt11", PASSWORD).status_code == 302
    # One user name from many addresses (each under axes' pair limit).
    codes = [
        _login(Client(REMOTE_ADDR=f"10.8.0.{i}"), "ansatt10", "feil-passord").status_code for i in range(7)
    ]
    assert codes[:6] == [200] * 6 and codes[6] == 429
    assert any("log-in locked scope=login_username" in r.getMessage() for r in caplog.records)


def test_permissions_policy_denies_features_and_allows_geolocation_only_where_the_map_asks(
    client, municipality
):
    """Review 2 §2.9: no Permissions-Policy header. Now on every answer; geolocation for this site
    only on the pages whose map has "Use my position"."""
    home = client.get("/")
    policy = home["Permissions-Policy"]
    assert "geolocation=()" in policy and "camera=()" in policy and "microphone=()" in policy
    from tests.factories import make_service

    service = make_service(municipality, slug="veg", name="Veg")
    contact = client.get(reverse("inquiries_public:contact-service", args=[service.slug]))
    assert "geolocation=(self)" in contact["Permissions-Policy"]
    assert "camera=()" in contact["Permissions-Policy"]
    assert "geolocation=()" in client.get("/finnes-ikke/")["Permissions-Policy"]  # a 404 too


@pytest.mark.parametrize(
    "weak",
    ["passordpassord", "Passord2026!!", "Sommer2026!!!", "qwertyqwerty1", "abcabcabcabc", "aaaaaaaabbbb",
     "velkommen1234", "Fjordvik12345", "iloveyouiloveyou"],
)  # fmt: skip
def test_weak_passwords_built_from_common_words_are_refused(municipality, weak):
    """Review 2 §2.9: ``passordpassord`` passed. A Norwegian list beside Django's, repetitions and
    common words with digits added are refused; a sentence of ordinary words is not."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = make_staff(Role.DESK_WORKER, municipality, username="kari")
    with pytest.raises(ValidationError):
        validate_password(weak, user)
    validate_password("Fjorden ligger blank i dag", user)
    validate_password("katten drikker kald kaffe", user)


@override_settings(
    MFA_REQUIRED=True,
    AUTHENTICATION_BACKENDS=[
        "servicetorg.core.oidc.MunicipalOIDCBackend",
        "django.contrib.auth.backends.ModelBackend",
    ],
    OIDC_RP_CLIENT_ID="servicetorg",
    OIDC_RP_CLIENT_SECRET="x",
    OIDC_RP_SIGN_ALGO="RS256",
    OIDC_OP_TOKEN_ENDPOINT="https://idp.example/token",
    OIDC_OP_USER_ENDPOINT="https://idp.example/userinfo",
    OIDC_OP_JWKS_ENDPOINT="https://idp.example/jwks",
    OIDC_MFA_ACR_VALUES=("idporten-loa-high",),
    OIDC_MFA_AMR_VALUES=("mfa", "otp"),
)
def test_an_idp_log_in_without_an_asserted_second_factor_asks_for_the_code(client, municipality):
    """Review 2 §2.9: OIDC staff log-ins skipped MFA without checking acr/amr."""
    from servicetorg.core import oidc

    assert oidc.asserts_mfa({"acr": "idporten-loa-high"}) and oidc.asserts_mfa({"amr": ["pwd", "otp"]})
    assert not oidc.asserts_mfa({"acr": "idporten-loa-substantial", "amr": ["pwd"]})
    assert not oidc.asserts_mfa({})
    user = make_staff(Role.DESK_WORKER, municipality, username="kari")
    client.force_login(user, backend="servicetorg.core.oidc.MunicipalOIDCBackend")
    assert client.get(reverse("core:staff-home")).status_code == 302  # password-only IdP: TOTP asked
    session = client.session
    session[oidc.SESSION_IDP_MFA] = oidc.asserts_mfa({"acr": "idporten-loa-high"})
    session.save()
    assert client.get(reverse("core:staff-home")).status_code == 200
