"""A current ClickHouse engine (chDB, ClickHouse as a library, from PyPI) behind the few endpoints of
ClickHouse's HTTP interface that @clickhouse/client uses, on loopback: GET /ping, and POST / with the
statement in the body or in ?query= (insert data in the body), ?database=, ?query_id= and any other
parameter applied as a setting for that statement, as the server does. Errors answer 500 with the
engine's own "Code: N. DB::Exception" text and X-ClickHouse-Exception-Code.

For SQL compatibility runs only (scripts/clickhouse-current): the integration tests run against the
stack's real ClickHouse 18.16 server; this runs the same SQL on the current engine. One statement at
a time; no authentication (loopback, throwaway data directory).
  python chdb-http.py PORT DATA_DIR     (PORT 0: any free port; the URL is printed on the first line)
"""
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from chdb import session

NOT_SETTINGS = {'query', 'database', 'query_id', 'default_format', 'user', 'password', 'session_id', 'session_timeout', 'compress', 'decompress', 'enable_http_compression', 'wait_end_of_query'}
SETTING_NAME = re.compile(r'^[A-Za-z_][A-Za-z0-9_]*$')
ERROR_CODE = re.compile(r'Code: (\d+)\.')

engine = session.Session(sys.argv[2])
lock = threading.Lock()


def literal(value):
    return value if re.fullmatch(r'-?\d+(\.\d+)?', value) else "'" + value.replace('\\', '\\\\').replace("'", "\\'") + "'"


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        self.send_header('Content-Type', 'text/plain; charset=UTF-8')
        self.send_header('Content-Length', str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        if self.headers.get('Transfer-Encoding', '').lower() == 'chunked':
            chunks = []
            while True:
                size = int(self.rfile.readline().strip().split(b';')[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return b''.join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get('Content-Length') or 0)
        return self.rfile.read(length) if length else b''

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path == '/ping':
            return self.reply(200, b'Ok.\n')
        self.run(url, b'')

    def do_POST(self):
        self.run(urllib.parse.urlparse(self.path), self.body())

    def run(self, url, body):
        params = {name: values[-1] for name, values in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        text = params['query'] + '\n' + body.decode('utf-8') if 'query' in params else body.decode('utf-8')
        settings = [(name, value) for name, value in params.items() if name not in NOT_SETTINGS and SETTING_NAME.match(name)]
        query_id = params.get('query_id', '')
        with lock:
            try:
                engine.query('USE ' + '`' + params.get('database', 'default').replace('`', '\\`') + '`')
                for name, value in settings:
                    engine.query(f'SET {name} = {literal(value)}')
                try:
                    result = engine.query(text)
                finally:
                    for name, _ in settings:
                        engine.query(f'SET {name} = DEFAULT')
                out = result.bytes() if result is not None else b''
                self.reply(200, out, [('X-ClickHouse-Query-Id', query_id), ('X-ClickHouse-Summary', '{}')])
            except Exception as error:  # the engine's own message, as the server sends it
                message = str(error)
                code = ERROR_CODE.search(message)
                sys.stderr.write(f'{message.splitlines()[0][:500] if message else "error"}\n  in: {" ".join(text.split())[:500]}\n')
                sys.stderr.flush()
                self.reply(500, message.encode('utf-8'), [('X-ClickHouse-Exception-Code', code.group(1) if code else '1001'), ('X-ClickHouse-Query-Id', query_id)])


server = ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Handler)
print(f'http://127.0.0.1:{server.server_address[1]}', flush=True)
server.serve_forever()
