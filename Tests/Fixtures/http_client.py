"""Real-client checks of skillhost's HTTP server, with Python's http.client.

Usage: http_client.py MODE HOST PORT [ARGUMENT]; prints one JSON object.

  slow      sends a request's head one byte a second on one connection while another
            connection makes ordinary requests; reports both outcomes and when they came
  pipeline  sends three requests in one write on one connection and reads the three
            responses with http.client, in order
  raw       sends the bytes of ARGUMENT (a Python expression of bytes) and reads the answer
            until the server closes; with ARGUMENT prefixed "eof:", shuts down writing first
  crowd     holds ARGUMENT idle connections open, makes one more request (expected: refused),
            then closes them and makes another (expected: served)
  stream    reads a streamed response and reports when each chunk arrived
  session   makes two requests on one connection, a GET and a POST of ARGUMENT (a path;
            /echo by default); reports the answers, whether the second reused the first's
            socket, and (over TLS) the version, cipher and certificate

With HTTP_CLIENT_CAFILE set to a PEM file, every connection is TLS, verified against it.
"""
import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time


class _SharedReader:
    """A buffered reader that several responses read in turn; closing one leaves it open."""

    def __init__(self, reader):
        self._reader = reader

    def __getattr__(self, name):
        return getattr(self._reader, name)

    def close(self):
        pass


class _PipelinedSocket:
    """What http.client.HTTPResponse needs of a socket: one reader shared by every response."""

    def __init__(self, sock):
        self._reader = _SharedReader(sock.makefile("rb"))

    def makefile(self, *args, **kwargs):
        return self._reader


CAFILE = os.environ.get("HTTP_CLIENT_CAFILE")


def connect(host, port, timeout):
    """A socket to the server: TLS when HTTP_CLIENT_CAFILE is set."""
    sock = socket.create_connection((host, port), timeout=timeout)
    if CAFILE:
        return ssl.create_default_context(cafile=CAFILE).wrap_socket(sock, server_hostname=host)
    return sock


def http_connection(host, port, timeout):
    """An http.client connection to the server: HTTPS when HTTP_CLIENT_CAFILE is set."""
    if CAFILE:
        return http.client.HTTPSConnection(host, port, timeout=timeout, context=ssl.create_default_context(cafile=CAFILE))
    return http.client.HTTPConnection(host, port, timeout=timeout)


def response_on(sock_like, method="GET"):
    response = http.client.HTTPResponse(sock_like, method=method)
    response.begin()
    return {"status": response.status, "headers": dict(response.getheaders()), "body": response.read().decode("latin-1")}


def get(host, port, path, timeout=10):
    connection = http_connection(host, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return {"status": response.status, "body": response.read().decode("latin-1")}
    finally:
        connection.close()


def slow(host, port):
    started = time.monotonic()
    outcome = {}

    def crawl():
        connection = http_connection(host, port, timeout=30)
        connection.connect()
        head = b"GET /echo HTTP/1.1\r\nHost: slow\r\nX-Padding: " + b"p" * 40 + b"\r\n\r\n"
        try:
            for byte in head:
                connection.sock.sendall(bytes([byte]))
                time.sleep(1)
        except OSError:
            pass
        try:
            answer = response_on(connection.sock)
            outcome["slow"] = {"status": answer["status"], "body": answer["body"], "at": time.monotonic() - started}
        except (OSError, http.client.HTTPException) as error:
            outcome["slow"] = {"error": repr(error), "at": time.monotonic() - started}

    crawler = threading.Thread(target=crawl)
    crawler.start()
    time.sleep(0.5)
    others = []
    for index in range(3):
        answer = get(host, port, f"/echo?other={index}")
        others.append({"status": answer["status"], "at": time.monotonic() - started})
    crawler.join()
    outcome["others"] = others
    return outcome


def pipeline(host, port):
    sock = connect(host, port, timeout=10)
    sock.sendall(b"GET /echo?n=1 HTTP/1.1\r\nHost: p\r\n\r\n"
                 b"POST /echo?n=2 HTTP/1.1\r\nHost: p\r\nContent-Length: 5\r\n\r\nhello"
                 b"GET /echo?n=3 HTTP/1.1\r\nHost: p\r\nConnection: close\r\n\r\n")
    shared = _PipelinedSocket(sock)
    responses = [response_on(shared) for _ in range(3)]
    sock.close()
    return {"responses": responses}


def raw(host, port, argument):
    shut = argument.startswith("eof:")
    data = eval(argument[4:] if shut else argument, {})
    sock = connect(host, port, timeout=20)
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    if shut:
        sock.shutdown(socket.SHUT_WR)
    answer = b""
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                break
            answer += piece
    except (ConnectionResetError, ssl.SSLError):
        pass
    sock.close()
    status_line = answer.split(b"\r\n", 1)[0].decode("latin-1")
    return {"status_line": status_line, "response": answer.decode("latin-1")}


def crowd(host, port, argument):
    idle = [connect(host, port, timeout=10) for _ in range(int(argument))]
    time.sleep(0.3)
    try:
        refused = get(host, port, "/echo?crowded")
        refused_outcome = {"status": refused["status"], "body": refused["body"]}
    except (OSError, http.client.HTTPException) as error:
        refused_outcome = {"error": repr(error)}
    retry_after = None
    sock = connect(host, port, timeout=10)
    sock.sendall(b"GET /echo HTTP/1.1\r\nHost: c\r\n\r\n")
    try:
        retry_after = response_on(_PipelinedSocket(sock))["headers"].get("Retry-After")
    except (OSError, http.client.HTTPException):
        pass
    sock.close()
    for connection in idle:
        connection.close()
    served = None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        served = get(host, port, "/echo?after")["status"]
        if served == 200:
            break
        time.sleep(0.1)
    return {"refused": refused_outcome, "retry_after": retry_after, "served_after": served}


def stream(host, port):
    started = time.monotonic()
    connection = http_connection(host, port, timeout=20)
    connection.request("GET", "/stream", headers={"Accept": "text/event-stream"})
    response = connection.getresponse()
    chunks = []
    while True:
        piece = response.read1(65536)
        if not piece:
            break
        chunks.append({"text": piece.decode(), "at": time.monotonic() - started})
    return {"status": response.status, "headers": dict(response.getheaders()), "chunks": chunks}


def session(host, port, path):
    connection = http_connection(host, port, timeout=20)
    connection.request("GET", path + "?first")
    first = connection.getresponse()
    first_body = first.read().decode("latin-1")
    sock = connection.sock
    connection.request("POST", path + "?second", body=b"second body")
    second = connection.getresponse()
    outcome = {"statuses": [first.status, second.status], "bodies": [first_body, second.read().decode("latin-1")],
               "reused": connection.sock is sock}
    if CAFILE:
        outcome["tls_version"] = sock.version()
        outcome["cipher"] = sock.cipher()[0]
        outcome["subject"] = dict(item for field in sock.getpeercert()["subject"] for item in field)
    connection.close()
    return outcome


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    argument = sys.argv[4] if len(sys.argv) > 4 else ""
    modes = {"slow": lambda: slow(host, port), "pipeline": lambda: pipeline(host, port),
             "raw": lambda: raw(host, port, argument), "crowd": lambda: crowd(host, port, argument),
             "stream": lambda: stream(host, port), "session": lambda: session(host, port, argument or "/echo")}
    print(json.dumps(modes[mode]()))


if __name__ == "__main__":
    main()
