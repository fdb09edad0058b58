"""An HTTP forwarder in front of a real server that misbehaves on chosen
requests, for fault tests: the request reaches the real server, then the
answer is replaced by an error or lost."""

import http.server
import re
import threading

import requests

from tests.functional import servers

HOP_BY_HOP = {'connection', 'content-length', 'content-encoding',
              'keep-alive', 'transfer-encoding'}


class FaultProxy:

    def __init__(self, target_url):
        self.target = target_url.rstrip('/')
        self.port = servers.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.auth_url = self.url + '/v3'
        self.faults = []  # (method, path regex, 'error' | 'drop')
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _forward(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in HOP_BY_HOP | {'host'}}
                upstream = requests.request(
                    self.command, proxy.target + self.path, data=body,
                    headers=headers, timeout=60, allow_redirects=False)
                fault = proxy.fault_for(self.command, self.path)
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
