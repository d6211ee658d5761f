"""Test helpers of the dossier API: clients with tokens, and a fake SMS gateway on loopback."""

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from wagtail_satisfaction.models import ApiClient


def make_api_client(*units, name="Phần mềm một cửa", token=None):
    """An API client bound to ``units``; its clear token is ``client.token``."""
    client = ApiClient(name=name)
    client.token = client.set_token(token)
    client.save()
    client.units.set(units)
    return client


class FakeGateway:
    """A real HTTP server on 127.0.0.1 (port 0) that answers like an SMS gateway.

    It records every request (path, headers, body) and answers ``reply`` (a status and a JSON
    body); a body whose recipient starts with ``0999`` is refused as an unknown number.
    """

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.status, self.reply = 200, {"status": "ok"}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    body = json.loads(raw.decode())
                else:
                    body = dict(urllib.parse.parse_qsl(raw.decode()))
                with gateway.lock:
                    gateway.requests.append({"path": self.path, "headers": dict(self.headers),
                                             "body": body})
                status, reply = gateway.status, gateway.reply
                if str(body.get("to", "")).startswith(("0999", "84999")):
                    status, reply = 200, {"status": "error", "message": "unknown number"}
                data = json.dumps(reply).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def messages(self):
        return [request["body"] for request in self.requests]


def sms_backend_settings(url, **options):
    return {"CLASS": "wagtail_satisfaction.channels.backends.HttpSmsBackend",
            "OPTIONS": {"URL": url, "AUTH": {"TYPE": "bearer", "TOKEN": "gw-secret"},
                        "BODY_TEMPLATE": {"to": "{to}", "text": "{text}", "from": "{sender}"},
                        "SENDER": "SOKHCN",
                        "SUCCESS": {"STATUS": [200], "JSON_FIELD": "status", "EQUALS": "ok"},
                        **options}}


@pytest.fixture
def sms_gateway(settings):
    """Start the fake gateway and make it the site's SMS backend (email stays as it is)."""
    gateway = FakeGateway().start()
    settings.WAGTAIL_SATISFACTION_MESSAGE_BACKENDS = {
        "email": {"CLASS": "wagtail_satisfaction.channels.backends.EmailBackend",
                  "OPTIONS": {}},
        "sms": sms_backend_settings(gateway.url),
    }
    try:
        yield gateway
    finally:
        gateway.stop()
