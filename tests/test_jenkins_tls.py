"""TLS: verification is on by default; a CA bundle makes a private certificate trusted.

A small HTTPS server on loopback with a throwaway self-signed certificate (made with the
`openssl` command) answers like Jenkins' root `api/json`.
"""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from triage.errors import JenkinsUnreachable
from triage.jenkins.client import JenkinsClient
from triage.jenkins.http import HttpSettings


class _Root(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        body = json.dumps({"_class": "hudson.model.Hudson", "jobs": []}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("X-Jenkins", "2.479.3")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def https(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is not installed")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Root)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{httpd.server_address[1]}/jenkins/", str(cert)
    finally:
        httpd.shutdown()
        httpd.server_close()


def _client(url, **settings):
    return JenkinsClient("tls", url, "alice", "token",
                         HttpSettings(timeout=(5.0, 5.0), retries=0, **settings))


def test_unknown_certificate_is_refused_by_default(https):
    url, _ = https
    with pytest.raises(JenkinsUnreachable, match="TLS verification failed .*--ca-bundle"):
        _client(url).probe()


def test_ca_bundle_trusts_the_private_certificate(https):
    url, cert = https
    assert _client(url, ca_bundle=cert).probe()["version"] == "2.479.3"


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verification_can_be_turned_off_explicitly(https):
    url, _ = https
    assert _client(url, verify=False).probe()["jobs"] == 0
