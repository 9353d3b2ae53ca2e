#!/usr/bin/env python3
"""Starts a llama.cpp model server of its own for one test, and guards it.

    <venv>/bin/python guarded_model_server.py --model PATH --log FILE

picks a free port on 127.0.0.1, starts `python -m llama_cpp.server` there (output to
--log), waits until GET /v1/models answers (at most --timeout seconds), and prints
"PORT <port> PID <server pid>" as its first line of stdout. It then waits for its stdin
to reach end of file (the test closed it, or the test process died) or for SIGTERM, and
kills the server with SIGKILL: a crashed test never leaves a model server behind. A test
may kill the server itself (to simulate a crash) by its pid; the guard stays until its
stdin closes. If the server cannot start, the guard prints "FAILED <reason>" and exits 1.
Python 3 standard library only (run with the model server's venv python).
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url + "/v1/models", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="the GGUF file to serve")
    parser.add_argument("--log", required=True, help="where the server's output goes")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for it")
    options = parser.parse_args()

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(options.log, "ab") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", options.model,
             "--host", "127.0.0.1", "--port", str(port),
             # Otherwise a new request breaks off a streamed answer in progress.
             "--interrupt_requests", "false"],
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)

    def stop(*_):
        if server.poll() is None:
            server.kill()
        server.wait()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    deadline = time.monotonic() + options.timeout
    while not answers(url):
        if server.poll() is not None:
            print(f"FAILED the server exited with status {server.returncode}; see {options.log}", flush=True)
            sys.exit(1)
        if time.monotonic() > deadline:
            server.kill()
            print(f"FAILED no answer from {url}/v1/models within {options.timeout} s; see {options.log}", flush=True)
            sys.exit(1)
        time.sleep(0.2)
    print(f"PORT {port} PID {server.pid}", flush=True)

    while sys.stdin.buffer.read(4096):
        pass
    stop()


if __name__ == "__main__":
    main()
