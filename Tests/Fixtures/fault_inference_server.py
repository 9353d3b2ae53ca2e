#!/usr/bin/env python3
"""A fake OpenAI-compatible inference server that misbehaves on purpose.

Used by the InferenceDriver tests to exercise every failure path of the client
without a real model. Python 3 standard library only.

    python3 fault_inference_server.py --port 0 --mode stall

binds 127.0.0.1, prints "PORT <n>" as its first line of stdout, and serves until
it is killed or its stdin reaches end of file (so a crashed test never leaves it
behind).

Modes (what POST /v1/completions does):
  ok          a valid completion whose text echoes the start of the prompt
  error500    HTTP 500 with a JSON error body; the body echoes the request's
              Authorization header, as a careless proxy might, so tests can check
              that clients keep secrets out of their error messages
  garbage     HTTP 200 whose body is not JSON
  wrongshape  HTTP 200 with JSON that has no "choices"
  stall       reads the request, never answers, and counts the client hanging up
  slow        answers like "ok" after --delay seconds
  noaccept    listens but never accepts, with its accept queue already full, so
              new connections hang in the TCP handshake (a connect timeout)

GET /stats returns JSON: requests seen per path, the last completion request
(path, JSON body, Authorization header) and how many clients hung up during a
stall.
"""

import argparse
import json
import select
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Stats:
    """Counters shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests_by_path = {}
        self.last_completion_request = None
        self.stall_client_disconnects = 0

    def record_request(self, path):
        with self.lock:
            self.requests_by_path[path] = self.requests_by_path.get(path, 0) + 1

    def record_completion(self, path, body, authorization):
        with self.lock:
            self.last_completion_request = {
                "path": path,
                "body": body,
                "authorization": authorization,
            }

    def record_stall_disconnect(self):
        with self.lock:
            self.stall_client_disconnects += 1

    def snapshot(self):
        with self.lock:
            return {
                "requests_by_path": dict(self.requests_by_path),
                "last_completion_request": self.last_completion_request,
                "stall_client_disconnects": self.stall_client_disconnects,
            }


def completion_body(request):
    """A valid OpenAI text completion that echoes the start of the prompt."""
    prompt = str(request.get("prompt", ""))
    text = " echo: " + prompt[:40]
    return {
        "id": "cmpl-fault-server",
        "object": "text_completion",
        "created": 0,
        "model": request.get("model") or "fault-server-model",
        "choices": [{"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}],
        "usage": {
            "prompt_tokens": len(prompt.split()),
            "completion_tokens": len(text.split()),
            "total_tokens": len(prompt.split()) + len(text.split()),
        },
    }


def make_handler(mode, delay, stats, shutting_down):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):
            pass  # keep test output clean

        def send_json(self, status, payload, indent=None):
            self.send_bytes(status, json.dumps(payload, indent=indent).encode(), "application/json")

        def send_bytes(self, status, body, content_type):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            stats.record_request(self.path)
            if self.path == "/stats":
                self.send_json(200, stats.snapshot())
            else:
                self.send_json(404, {"error": {"message": "not found: " + self.path}})

        def do_POST(self):
            stats.record_request(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                request = json.loads(raw or b"{}")
            except ValueError:
                self.send_json(400, {"error": {"message": "request body is not JSON"}})
                return
            authorization = self.headers.get("Authorization")
            stats.record_completion(self.path, request, authorization)

            if self.path != "/v1/completions":
                self.send_json(404, {"error": {"message": "not found: " + self.path}})
            elif mode == "ok":
                self.send_json(200, completion_body(request))
            elif mode == "error500":
                message = "internal error while serving a request with Authorization: %s" % authorization
                self.send_json(500, {"error": {"message": message, "type": "server_error"}}, indent=4)
            elif mode == "garbage":
                self.send_bytes(200, b"<html>definitely not JSON</html>", "text/html")
            elif mode == "wrongshape":
                self.send_json(200, {"object": "text_completion", "model": "fault-server-model"})
            elif mode == "stall":
                self.stall_until_client_leaves()
            elif mode == "slow":
                if not shutting_down.wait(delay):
                    self.send_json(200, completion_body(request))

        def stall_until_client_leaves(self):
            """Never answer; return once the client closes its end of the connection."""
            while not shutting_down.is_set():
                readable, _, _ = select.select([self.connection], [], [], 0.05)
                if readable and not self.connection.recv(1024):
                    stats.record_stall_disconnect()
                    return

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", default="ok",
                        choices=["ok", "error500", "garbage", "wrongshape", "stall", "slow", "noaccept"])
    parser.add_argument("--delay", type=float, default=2.0, help="seconds to wait in slow mode")
    arguments = parser.parse_args()

    if arguments.mode == "noaccept":
        # Linux keeps at most one unaccepted connection with a backlog of 0; once this
        # one fills the queue, further SYNs are dropped and connect() hangs.
        listener = socket.create_server(("127.0.0.1", arguments.port), backlog=0)
        queue_filler = socket.create_connection(listener.getsockname())
        print("PORT %d" % listener.getsockname()[1], flush=True)
        sys.stdin.buffer.read()
        queue_filler.close()
        return

    stats = Stats()
    shutting_down = threading.Event()
    handler = make_handler(arguments.mode, arguments.delay, stats, shutting_down)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    print("PORT %d" % server.server_address[1], flush=True)
    sys.stdin.buffer.read()  # returns at end of file: our parent is gone or done with us
    shutting_down.set()
    server.shutdown()


if __name__ == "__main__":
    main()
