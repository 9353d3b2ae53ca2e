#!/usr/bin/env python3
"""A fake OpenAI-compatible inference server that misbehaves on purpose.

Used by the InferenceDriver tests to exercise every failure path of the client
without a real model. Python 3 standard library only.

    python3 fault_inference_server.py --port 0 --mode stall

binds 127.0.0.1, prints "PORT <n>" as its first line of stdout, and serves until
it is killed or its stdin reaches end of file (so a crashed test never leaves it
behind).

Routes:
  POST /v1/completions       a prompt ("prompt"); the text echoes its start
  POST /v1/chat/completions  a chat ("messages"); the content echoes the start of
                             the last message
  GET  /v1/models            the model list: 200 in every mode but "unhealthy"
  GET  /stats                JSON: requests seen per path, the last completion
                             request (path, JSON body, Authorization header), and
                             how many clients hung up (in a stall, or mid-stream)
  POST /control              JSON {"mode": ..., "fail_first": n, "retry_after": ...,
                             "chunk_delay": s, "framing": ..., "stream_usage": bool}:
                             changes the behaviour while running; every key is
                             optional; the count of failed requests restarts at 0

A completion request with "stream": true is answered with server-sent events
(text/event-stream): a comment, one "data:" event per word of the text, a
final event with the finish reason, a usage event when the request asks for
one ("stream_options": {"include_usage": true}) unless --no-stream-usage, and
"data: [DONE]". Streams are always sent with chunked transfer encoding unless
--framing close.

Modes (what completion requests get):
  ok          a valid completion
  error500    HTTP 500 with a JSON error body; the body echoes the request's
              Authorization header, as a careless proxy might, so tests can check
              that clients keep secrets out of their error messages
  garbage     HTTP 200 whose body is not JSON
  wrongshape  HTTP 200 with JSON that has no "choices"
  stall       reads the request, never answers, and counts the client hanging up
  slow        answers like "ok" after --delay seconds
  ratelimit   HTTP 429 with "Retry-After: <--retry-after>"
  unavailable HTTP 503
  halfstream  a streamed request gets two events, then the connection is closed;
              a non-streamed one gets half of its body, then the same
  nochat      like "ok", but a chat gets empty content and 0 completion tokens
              (what a base model without a chat template answers)
  unhealthy   HTTP 503 on every route, /v1/models included (not /stats, /control)
  noaccept    listens but never accepts, with its accept queue already full, so
              new connections hang in the TCP handshake (a connect timeout)

--fail-first N gives the mode's behaviour to the first N completion requests
only; later ones are answered like "ok".

--framing says how 200 answers end: "length" (Content-Length; streams are
chunked anyway), "chunked" (chunked transfer encoding) or "close" (no length:
the body ends when the connection closes).
"""

import argparse
import json
import select
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODES = ["ok", "error500", "garbage", "wrongshape", "stall", "slow", "ratelimit", "unavailable",
         "halfstream", "nochat", "unhealthy", "noaccept"]
FRAMINGS = ["length", "chunked", "close"]
COMPLETION_PATHS = ["/v1/completions", "/v1/chat/completions"]
MODEL = "fault-server-model"


class ClientHungUp(Exception):
    """The client closed its end of the connection."""


class Behaviour:
    """What the server does, changeable at run time through POST /control."""

    def __init__(self, arguments):
        self.lock = threading.Lock()
        self.mode = arguments.mode
        self.fail_first = arguments.fail_first
        self.retry_after = arguments.retry_after
        self.chunk_delay = arguments.chunk_delay
        self.framing = arguments.framing
        self.stream_usage = not arguments.no_stream_usage
        self.delay = arguments.delay
        self.failed = 0

    def update(self, changes):
        """Applies a /control body; returns an error message, or None."""
        with self.lock:
            if "mode" in changes:
                if changes["mode"] not in MODES or changes["mode"] == "noaccept":
                    return "unknown mode %r" % changes["mode"]
                self.mode = changes["mode"]
            if "framing" in changes:
                if changes["framing"] not in FRAMINGS:
                    return "unknown framing %r" % changes["framing"]
                self.framing = changes["framing"]
            self.fail_first = changes.get("fail_first", self.fail_first)
            self.retry_after = str(changes.get("retry_after", self.retry_after))
            self.chunk_delay = float(changes.get("chunk_delay", self.chunk_delay))
            self.stream_usage = bool(changes.get("stream_usage", self.stream_usage))
            self.failed = 0
            return None

    def mode_for_next_completion(self):
        """The mode a completion request gets: "ok" once --fail-first requests have failed."""
        with self.lock:
            if self.fail_first is None:
                return self.mode
            if self.failed < self.fail_first:
                self.failed += 1
                return self.mode
            return "ok"

    def current_mode(self):
        with self.lock:
            return self.mode


class Stats:
    """Counters shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests_by_path = {}
        self.last_completion_request = None
        self.stall_client_disconnects = 0
        self.client_disconnects = 0

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

    def record_disconnect(self, during_stall):
        with self.lock:
            self.client_disconnects += 1
            if during_stall:
                self.stall_client_disconnects += 1

    def snapshot(self):
        with self.lock:
            return {
                "requests_by_path": dict(self.requests_by_path),
                "last_completion_request": self.last_completion_request,
                "stall_client_disconnects": self.stall_client_disconnects,
                "client_disconnects": self.client_disconnects,
            }


def echo_text(path, request):
    """The generated text: " echo: " and the start of the prompt or of the last message."""
    if path == "/v1/chat/completions":
        messages = request.get("messages") or [{}]
        source = str(messages[-1].get("content", ""))
    else:
        source = str(request.get("prompt", ""))
    return " echo: " + source[:40]


def words(text):
    """`text` cut before each space, so that the pieces concatenate back to it."""
    pieces = []
    for index, character in enumerate(text):
        if character == " " or index == 0:
            pieces.append(character)
        else:
            pieces[-1] += character
    return pieces


def usage(request, text):
    prompt = str(request.get("prompt", "")) if "prompt" in request else json.dumps(request.get("messages"))
    prompt_tokens = len(prompt.split())
    completion_tokens = len(text.split())
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


def completion_body(path, request, text):
    """A valid OpenAI text or chat completion holding `text`."""
    model = request.get("model") or MODEL
    if path == "/v1/chat/completions":
        choice = {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        kind = "chat.completion"
    else:
        choice = {"index": 0, "text": text, "finish_reason": "stop", "logprobs": None}
        kind = "text_completion"
    return {
        "id": "cmpl-fault-server",
        "object": kind,
        "created": 0,
        "model": model,
        "choices": [choice],
        "usage": usage(request, text),
    }


def stream_events(path, request, text, with_usage):
    """The JSON objects of a streamed completion holding `text`, without [DONE]."""
    model = request.get("model") or MODEL
    chat = path == "/v1/chat/completions"

    def event(piece, finish_reason):
        if chat:
            delta = {} if piece is None else {"content": piece}
            choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
        else:
            choice = {"index": 0, "text": piece or "", "finish_reason": finish_reason, "logprobs": None}
        return {"id": "cmpl-fault-server", "object": "chunk", "created": 0, "model": model, "choices": [choice]}

    events = [event(piece, None) for piece in words(text)]
    events.append(event(None, "stop"))
    options = request.get("stream_options") or {}
    if with_usage and options.get("include_usage"):
        events.append({"id": "cmpl-fault-server", "object": "chunk", "created": 0, "model": model,
                       "choices": [], "usage": usage(request, text)})
    return events


def make_handler(behaviour, stats, shutting_down):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # chunked transfer encoding needs it

        def log_message(self, format, *args):
            pass  # keep test output clean

        # Sending

        def send_json(self, status, payload, indent=None, headers=None, framing="length"):
            body = json.dumps(payload, indent=indent).encode()
            self.send_bytes(status, body, "application/json", headers, framing)

        def send_bytes(self, status, body, content_type, headers=None, framing="length"):
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if framing == "length":
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif framing == "chunked":
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                half = len(body) // 2
                for part in (body[:half], body[half:]):
                    if part:
                        self.write_chunk(part)
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

        def write_chunk(self, data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

        def close_abruptly(self):
            """Ends the connection now, in the middle of an answer."""
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True

        def pause(self, seconds, during_stall=False):
            """Waits `seconds` (forever if None), or raises ClientHungUp once the client leaves."""
            waited = 0.0
            while not shutting_down.is_set() and (seconds is None or waited < seconds):
                step = 0.05 if seconds is None else min(0.05, seconds - waited)
                readable, _, _ = select.select([self.connection], [], [], step)
                waited += step
                if readable:
                    try:
                        data = self.connection.recv(1024)
                    except OSError:
                        data = b""
                    if not data:
                        stats.record_disconnect(during_stall)
                        raise ClientHungUp()

        # Routes

        def do_GET(self):
            stats.record_request(self.path)
            if self.path == "/stats":
                self.send_json(200, stats.snapshot())
            elif behaviour.current_mode() == "unhealthy":
                self.send_unavailable()
            elif self.path == "/v1/models":
                self.send_json(200, {"object": "list", "data": [{"id": MODEL, "object": "model"}]})
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
            if self.path == "/control":
                error = behaviour.update(request)
                if error:
                    self.send_json(400, {"error": {"message": error}})
                else:
                    self.send_json(200, {"mode": behaviour.current_mode()})
                return
            authorization = self.headers.get("Authorization")
            stats.record_completion(self.path, request, authorization)
            if behaviour.current_mode() == "unhealthy":
                self.send_unavailable()
            elif self.path not in COMPLETION_PATHS:
                self.send_json(404, {"error": {"message": "not found: " + self.path}})
            else:
                try:
                    self.answer_completion(behaviour.mode_for_next_completion(), request, authorization)
                except ClientHungUp:
                    self.close_connection = True
                except (BrokenPipeError, ConnectionResetError):
                    stats.record_disconnect(during_stall=False)
                    self.close_connection = True

        def send_unavailable(self):
            self.send_json(503, {"error": {"message": "the server is unavailable", "type": "unavailable"}})

        def answer_completion(self, mode, request, authorization):
            chat = self.path == "/v1/chat/completions"
            text = "" if mode == "nochat" and chat else echo_text(self.path, request)
            streamed = request.get("stream") is True
            if mode == "error500":
                message = "internal error while serving a request with Authorization: %s" % authorization
                self.send_json(500, {"error": {"message": message, "type": "server_error"}}, indent=4)
            elif mode == "garbage":
                self.send_bytes(200, b"<html>definitely not JSON</html>", "text/html")
            elif mode == "wrongshape":
                self.send_json(200, {"object": "text_completion", "model": MODEL})
            elif mode == "stall":
                self.pause(None, during_stall=True)
            elif mode == "ratelimit":
                self.send_json(429, {"error": {"message": "too many requests", "type": "rate_limit"}},
                               headers={"Retry-After": behaviour.retry_after})
            elif mode == "unavailable":
                self.send_unavailable()
            elif mode == "halfstream" and not streamed:
                body = json.dumps(completion_body(self.path, request, text)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_abruptly()
            else:
                if mode == "slow":
                    self.pause(behaviour.delay)
                if streamed:
                    self.stream(request, text, cut_after=2 if mode == "halfstream" else None)
                else:
                    self.send_json(200, completion_body(self.path, request, text), framing=behaviour.framing)

        def stream(self, request, text, cut_after):
            """Sends `text` as server-sent events; closes the connection after `cut_after` events."""
            chunked = behaviour.framing != "close"
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()

            def send(data):
                if chunked:
                    self.write_chunk(data)
                else:
                    self.wfile.write(data)

            send(b": fault server stream\n\n")
            events = stream_events(self.path, request, text, behaviour.stream_usage)
            for index, event in enumerate(events):
                if cut_after is not None and index == cut_after:
                    self.close_abruptly()
                    return
                if index > 0 and behaviour.chunk_delay > 0:
                    self.pause(behaviour.chunk_delay)
                send(b"data: " + json.dumps(event).encode() + b"\n\n")
            send(b"data: [DONE]\n\n")
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--mode", default="ok", choices=MODES)
    parser.add_argument("--delay", type=float, default=2.0, help="seconds to wait in slow mode")
    parser.add_argument("--fail-first", type=int, default=None,
                        help="only the first N completion requests get the mode's behaviour")
    parser.add_argument("--retry-after", default="1", help="the Retry-After header in ratelimit mode")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between streamed events")
    parser.add_argument("--framing", default="length", choices=FRAMINGS, help="how 200 answers end")
    parser.add_argument("--no-stream-usage", action="store_true",
                        help="never send a usage event in streams, as llama-cpp-python does")
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
    handler = make_handler(Behaviour(arguments), stats, shutting_down)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    print("PORT %d" % server.server_address[1], flush=True)
    sys.stdin.buffer.read()  # returns at end of file: our parent is gone or done with us
    shutting_down.set()
    server.shutdown()


if __name__ == "__main__":
    main()
