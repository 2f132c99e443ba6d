"""Production refuses what would make it unsafe or wrong (issue 18 §1), and the first-start commands
of docs/operations.md create a real installation without the demo."""

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from servicetorg.core.choices import Role
from servicetorg.core.models import Membership, Municipality
from tests.core.test_security import PRINT_SETTINGS, PRODUCTION_ENV, ROOT, _run


def _without(*names):
    return {k: v for k, v in PRODUCTION_ENV.items() if k not in names}


@pytest.mark.parametrize(
    "key",
    ["dev-only-insecure-key-change-me", "short-but-random-Zx9!pQ2@rT5#vB8$", "a" * 60],
    ids=["development key", "shorter than 50", "one character repeated"],
)
def test_production_refuses_a_development_or_weak_key(key):
    result = _run(PRINT_SETTINGS, {**PRODUCTION_ENV, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY is the development key or too weak" in result.stderr


def test_production_refuses_to_start_without_the_portal_address():
    result = _run(PRINT_SETTINGS, _without("PORTAL_BASE_URL"))
    assert result.returncode != 0
    assert "PORTAL_BASE_URL must be set" in result.stderr


def test_development_keeps_its_local_portal_address():
    code = "from django.conf import settings as s; print(s.PORTAL_BASE_URL)"
    result = _run(f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='servicetorg.settings'; {code}",
                  {"SERVICETORG_DEV": "1"})  # fmt: skip
    assert result.stdout.strip() == "http://127.0.0.1:8000"


@pytest.mark.slow  # a manage.py process
def test_load_demo_refuses_production_unless_told_it_is_a_demo_installation():
    result = _run(["load_demo", "--only", "none"], PRODUCTION_ENV, manage=True)
    assert result.returncode != 0
    assert "load_demo refuses to run with production settings" in result.stderr


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_gunicorn_refuses_several_workers_without_a_shared_cache():
    refusal = _gunicorn_conf().unshared_cache_refusal
    assert "without CACHE_URL" in refusal(2, {})
    assert refusal(1, {}) is None  # one process counts correctly on its own
    assert refusal(4, {"CACHE_URL": "redis://127.0.0.1:6379/1"}) is None
    assert refusal(4, {"SERVICETORG_DEV": "1"}) is None


def test_gunicorn_behind_a_proxy_listens_where_only_the_proxy_reaches_it():
    refusal = _gunicorn_conf().forgeable_address_refusal
    assert "could forge X-Forwarded-For" in refusal(["0.0.0.0:8000"], {"TRUSTED_PROXIES": "1"})
    assert "10.0.0.5:8000" in refusal(["unix:/run/s.sock", "10.0.0.5:8000"], {"TRUSTED_PROXIES": "1"})
    assert (
        refusal(["unix:/run/servicetorg/gunicorn.sock", "127.0.0.1:8000"], {"TRUSTED_PROXIES": "1"}) is None
    )
    assert refusal(["0.0.0.0:8000"], {}) is None  # no proxy trusted: X-Forwarded-For is not read


def test_gunicorn_itself_stops_with_the_message(tmp_path):
    env = {**_without("CACHE_URL"), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    started = time.monotonic()
    result = subprocess.run(
        [str(gunicorn), "-w", "2", "-b", "127.0.0.1:0", "servicetorg.wsgi:application"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode != 0
    assert "refuses to start 2 worker processes without CACHE_URL" in result.stderr
    assert time.monotonic() - started < 30


# --- First start: the municipality, its units and the first administrator -----------------------------

LARVIK = ["--number", "3805", "--name", "Larvik", "--organization-number", "921000006"]
KARI = ["--username", "kari", "--email", "kari@larvik.kommune.no"]


@pytest.mark.django_db
def test_create_municipality_with_units_and_again_changes_nothing_twice():
    args = ["--number", "3805", "--name", "Larvik", "--organization-number", "921000006"]
    units = ["--unit", "servicetorget:Servicetorget", "--unit", "teknisk:Teknisk drift"]
    call_command("create_municipality", *args, *units)
    call_command("create_municipality", *args, "--unit", "teknisk:Teknisk drift og vann")
    municipality = Municipality.objects.get(number="3805")
    assert municipality.name == "Larvik"
    assert sorted(municipality.units.values_list("slug", "name")) == [
        ("servicetorget", "Servicetorget"),
        ("teknisk", "Teknisk drift og vann"),
    ]


@pytest.mark.django_db
def test_create_municipality_reports_bad_values_and_writes_nothing():
    with pytest.raises(CommandError, match="number"):
        call_command("create_municipality", "--number", "38x5", "--name", "X", "--organization-number", "1")
    with pytest.raises(CommandError, match="short-name:Name"):
        call_command(
            "create_municipality", "--number", "3805", "--name", "L", "--organization-number", "921000006",
            "--unit", "no-colon",
        )  # fmt: skip
    assert not Municipality.objects.exists()


@pytest.mark.django_db
def test_first_administrator_has_a_confirmed_second_factor(monkeypatch, capsys, production_hashers):
    call_command("create_municipality", *LARVIK)
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", "Fjord-lys-og-granskog-19")
    call_command(
        "create_administrator", "--username", "kari", "--email", "kari@larvik.kommune.no",
        "--municipality", "3805", "--password-env", "FIRST_ADMIN_PASSWORD", "--no-qr",
    )  # fmt: skip
    user = get_user_model().objects.get(username="kari")
    assert user.is_superuser and user.check_password("Fjord-lys-og-granskog-19")
    assert user.password.startswith("pbkdf2_sha256$")  # production's hasher, not the tests' MD5
    assert Membership.objects.filter(user=user, role=Role.ADMIN, municipality__number="3805").exists()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    printed = capsys.readouterr().out
    assert device.config_url in printed
    assert device.verify_token(totp(device.bin_key))  # the printed key is the one the log-in checks


@pytest.mark.django_db
def test_first_administrator_refuses_a_weak_password_and_an_existing_user(monkeypatch, production_hashers):
    call_command("create_municipality", *LARVIK)
    monkeypatch.setenv("PW", "password1234")
    with pytest.raises(CommandError):
        call_command("create_administrator", *KARI, "--municipality", "3805", "--password-env", "PW")
    assert not get_user_model().objects.filter(username="kari").exists()
    with pytest.raises(CommandError, match="No municipality"):
        call_command("create_administrator", *KARI, "--municipality", "1234", "--password-env", "PW")


def test_the_production_module_named_directly_ignores_the_development_switch():
    """Settings split (issue 19 §6): a deployment that names conf.production cannot be turned into
    development by SERVICETORG_DEV=1 in its environment: it still refuses the development key."""
    code = "import django; from django.conf import settings as s; print(s.DEBUG)"
    env = {"SERVICETORG_DEV": "1", "DJANGO_SETTINGS_MODULE": "servicetorg.conf.production"}
    result = _run(code, env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    development = _run(code, {"SERVICETORG_DEV": "1", "DJANGO_SETTINGS_MODULE": "servicetorg.settings"})
    assert development.stdout.strip() == "True"
