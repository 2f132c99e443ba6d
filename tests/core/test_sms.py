"""SMS gateway: LINK Mobility's HTTP API against a local server, the file backend, and the outbox."""

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.test import override_settings

from servicetorg.core import outbox, sms
from servicetorg.core.models import OutboxState


class Gateway(BaseHTTPRequestHandler):
    """LINK Mobility's /sms/send as documented: Basic auth, JSON in, JSON with resultCode out."""

    requests: list = []
    answers: list = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        Gateway.requests.append(
            {"path": self.path, "headers": dict(self.headers), "json": json.loads(self.rfile.read(length))}
        )
        status, body = Gateway.answers.pop(0) if Gateway.answers else (200, {})
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway():
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    Gateway.requests, Gateway.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def backend(url, **extra):
    return sms.LinkMobilityBackend(
        url=url,
        username="fjordvik",
        password="hemmelig",
        platform_id="COOL",
        platform_partner_id="30978",
        sender="Fjordvik",
        **extra,
    )


def test_linkmobility_request_format_and_answer(gateway):
    Gateway.answers = [(200, {"messageId": "Ab12", "resultCode": 1005, "description": "Queued"})]
    reference = backend(gateway).send(sms.Sms(to="912 34 567", body="Svar på sak ABC"))
    assert reference == "Ab12"
    [request] = Gateway.requests
    assert request["path"] == "/sms/send"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"fjordvik:hemmelig").decode()
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert request["json"] == {
        "source": "Fjordvik",
        "destination": "+4791234567",
        "userData": "Svar på sak ABC",
        "platformId": "COOL",
        "platformPartnerId": "30978",
        "useDeliveryReport": False,
    }


@pytest.mark.parametrize(
    ("answer", "permanent"),
    [
        ((400, {"description": "Invalid destination"}), True),
        ((401, {"description": "Unauthorized"}), True),
        ((429, {"description": "Too many requests"}), False),
        ((503, {"description": "Unavailable"}), False),
        ((200, {"resultCode": 1001, "description": "Something failed"}), False),
    ],
)
def test_linkmobility_errors(gateway, answer, permanent):
    Gateway.answers = [answer]
    with pytest.raises(sms.SmsError) as error:
        backend(gateway).send(sms.Sms(to="+4791234567", body="x"))
    assert error.value.permanent is permanent


def test_linkmobility_unreachable_is_temporary():
    with pytest.raises(sms.SmsError) as error:
        backend("http://127.0.0.1:9", timeout=2).send(sms.Sms(to="+4791234567", body="x"))
    assert not error.value.permanent


def test_numbers():
    assert sms.normalise_number("0047 912 34 567") == "+4791234567"
    assert sms.normalise_number("+46 70 123 45 67") == "+46701234567"
    for bad in ("", "123", "ring meg", "+47 9123 4567 8901 2345"):
        with pytest.raises(sms.SmsError):
            sms.normalise_number(bad)


@pytest.mark.django_db
def test_outbox_sends_sms_through_the_configured_gateway(
    gateway, municipality, django_capture_on_commit_callbacks
):
    Gateway.answers = [(503, {}), (200, {"messageId": "M1", "resultCode": 1005})]
    with override_settings(
        SMS_BACKEND="servicetorg.core.sms.LinkMobilityBackend",
        SMS_LINKMOBILITY_URL=gateway,
        SMS_LINKMOBILITY_USERNAME="u",
        SMS_LINKMOBILITY_PASSWORD="p",
        SMS_LINKMOBILITY_PLATFORM_ID="COOL",
        SMS_LINKMOBILITY_PLATFORM_PARTNER_ID="1",
        SMS_SENDER="Fjordvik",
    ):
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox.enqueue_sms(municipality=municipality, to="91234567", body="Hei", key="t.sms:1")
        message.refresh_from_db()
        assert message.state == OutboxState.PENDING and "HTTP 503" in message.last_error
        type(message).objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
        assert outbox.deliver(message.pk) == OutboxState.SENT
    message.refresh_from_db()
    assert message.provider_reference == "M1" and message.recipients == ["+4791234567"]
    assert len(Gateway.requests) == 2


@pytest.mark.django_db
def test_file_backend_writes_one_line_per_message(tmp_path, municipality, django_capture_on_commit_callbacks):
    path = tmp_path / "sms.jsonl"
    settings = override_settings(SMS_BACKEND="servicetorg.core.sms.FileBackend", SMS_FILE_PATH=str(path))
    with settings, django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue_sms(municipality=municipality, to="+4791234567", body="Hei", key="t.sms:2")
        outbox.enqueue_sms(municipality=municipality, to="+4791234567", body="Hei", key="t.sms:2")
    [line] = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["to"] == "+4791234567" and json.loads(line)["reference"] == "t.sms:2"
