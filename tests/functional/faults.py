# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""An HTTP forwarder in front of a real server that misbehaves on chosen
requests, for fault tests: the request reaches the real server, then the
answer is replaced by an error, lost, or late. It can also serve HTTPS with
a self-signed certificate."""

import datetime
import http.server
import ipaddress
import re
import ssl
import tempfile
import threading
import time

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography import x509
from cryptography.x509.oid import NameOID
import requests

from harness import servers

HOP_BY_HOP = {'connection', 'content-length', 'content-encoding',
              'keep-alive', 'transfer-encoding'}


def self_signed_certificate():
    """Return ``(certificate PEM, key PEM)`` for 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = x509.CertificateBuilder().subject_name(name).issuer_name(
        name).public_key(key.public_key()).serial_number(
        x509.random_serial_number()).not_valid_before(
        now - datetime.timedelta(minutes=5)).not_valid_after(
        now + datetime.timedelta(days=1)).add_extension(
        x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
        critical=False).add_extension(
        x509.BasicConstraints(ca=True, path_length=None),
        critical=True).sign(key, hashes.SHA256())
    return (cert.public_bytes(serialization.Encoding.PEM).decode(),
            key.private_bytes(serialization.Encoding.PEM,
                              serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()).decode())


class FaultProxy:

    def __init__(self, target_url, tls=False):
        self.target = target_url.rstrip('/')
        self.port = servers.free_port()
        self.url = '%s://127.0.0.1:%d' % ('https' if tls else 'http',
                                          self.port)
        self.auth_url = self.url + '/v3'
        # (method, path regex, 'error' | 'drop' | ('hang', seconds))
        self.faults = []
        self.certificate = None
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy.fault_for(self.command, self.path)
                if isinstance(fault, tuple) and fault[0] == 'hang':
                    time.sleep(fault[1])
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_BY_HOP | {'host'}}
                upstream = requests.request(
                    self.command, proxy.target + self.path, data=body,
                    headers=headers, timeout=60, allow_redirects=False)
                if fault == 'drop':
                    # The server acted; its answer is lost on the way.
                    self.close_connection = True
                    return
                if fault == 'error':
                    return self._send(500, {}, b'{"error": {"code": 500, '
                                      b'"title": "Internal Server Error", '
                                      b'"message": "Injected failure."}}')
                self._send(upstream.status_code, upstream.headers,
                           upstream.content)

            def _send(self, status, headers, content):
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in HOP_BY_HOP | {'content-type'}:
                        self.send_header(key, value)
                self.send_header('Content-Length', str(len(content)))
                self.send_header('Content-Type', headers.get(
                    'Content-Type', 'application/json'))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = \
                _forward

        self.server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', self.port), Handler)
        if tls:
            self.certificate, key = self_signed_certificate()
            with tempfile.NamedTemporaryFile('w') as cert_file, \
                    tempfile.NamedTemporaryFile('w') as key_file:
                cert_file.write(self.certificate)
                key_file.write(key)
                cert_file.flush()
                key_file.flush()
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert_file.name, key_file.name)
            self.server.socket = context.wrap_socket(
                self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def fault_for(self, method, path):
        for fault_method, pattern, fault in self.faults:
            if fault_method == method and re.fullmatch(pattern, path):
                return fault
        return None

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
