#!/usr/bin/env python3
"""Drives headless Chromium through the status page as an operator would, over the DevTools
protocol on a pipe (--remote-debugging-pipe: NUL-terminated JSON messages, the browser
reading fd 3 and writing fd 4), with nothing but the standard library.

Usage: status_page_browser.py BASE_URL TOKEN OUTPUT_DIR

It opens BASE_URL/, reads the login form, types TOKEN into its password field and submits
it, waits for the page the form leads to, reads it, and saves a screenshot as
OUTPUT_DIR/status-page.png. It prints one JSON object: what the login page showed
(login_text, has_password_field), the page it landed on (url, title, text, cookie: what
scripts see of document.cookie), and the screenshot's path and size. It exits 1 with a
message on standard error when the browser fails or takes longer than a minute.
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

DEADLINE_SECONDS = 60


class Browser:
    """A headless Chromium and one page of it, driven over the DevTools pipe."""

    def __init__(self, profile):
        to_browser_read, self.to_browser = os.pipe()
        self.from_browser, from_browser_write = os.pipe()
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        if executable is None:
            raise RuntimeError("chromium is not installed (Debian: apt-get install chromium; scripts/setup does it)")

        def descriptors_three_and_four():
            # The browser reads fd 3 and writes fd 4; dup2 clears close-on-exec.
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.log = open(os.path.join(profile, "chromium.log"), "wb")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "--window-size=1280,1000", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
            preexec_fn=descriptors_three_and_four, pass_fds=(3, 4))
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.buffer = b""
        self.next_id = 0
        self.events = []
        self.deadline = time.monotonic() + DEADLINE_SECONDS
        target = self.command("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.command("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.command("Page.enable", session=True)
        self.command("Runtime.enable", session=True)

    def send(self, message):
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_browser, data):]

    def receive(self):
        """The next message from the browser."""
        while b"\0" not in self.buffer:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.from_browser], [], [], remaining)[0]:
                raise RuntimeError(f"the browser did not answer within {DEADLINE_SECONDS} s")
            chunk = os.read(self.from_browser, 65536)
            if not chunk:
                raise RuntimeError(f"the browser closed its pipe (exit status {self.process.poll()})")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def command(self, method, params=None, session=False):
        """Sends a command and returns its result; events that arrive meanwhile are kept."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        self.send(message)
        while True:
            answer = self.receive()
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method} failed: {answer['error']}")
                return answer["result"]
            self.events.append(answer)

    def wait_for_load(self):
        """Waits for the page's next load event (any kept since the last wait counts)."""
        while True:
            while self.events:
                if self.events.pop(0).get("method") == "Page.loadEventFired":
                    return
            self.events.append(self.receive())

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self):
        try:
            self.send({"id": 0, "method": "Browser.close"})
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait()
        self.log.close()


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    base, token, output = sys.argv[1:]
    profile = tempfile.mkdtemp(prefix="status-page-chromium.")
    browser = Browser(profile)
    try:
        browser.events.clear()
        browser.command("Page.navigate", {"url": base + "/"}, session=True)
        browser.wait_for_load()
        login_text = browser.evaluate("document.body.innerText")
        has_password_field = browser.evaluate("document.querySelector('input[type=password][name=token]') !== null")
        browser.events.clear()
        browser.evaluate("document.querySelector('input[name=token]').value = %s; "
                         "document.querySelector('form').requestSubmit()" % json.dumps(token))
        browser.wait_for_load()
        screenshot = base64.b64decode(browser.command("Page.captureScreenshot", {"format": "png"}, session=True)["data"])
        path = os.path.join(output, "status-page.png")
        with open(path, "wb") as file:
            file.write(screenshot)
        print(json.dumps({
            "login_text": login_text,
            "has_password_field": has_password_field,
            "url": browser.evaluate("location.href"),
            "title": browser.evaluate("document.title"),
            "text": browser.evaluate("document.body.innerText"),
            "cookie": browser.evaluate("document.cookie"),
            "screenshot": path,
            "screenshot_bytes": len(screenshot),
        }))
    except RuntimeError as error:
        with open(os.path.join(profile, "chromium.log"), "rb") as log:
            tail = log.read()[-2000:].decode(errors="replace")
        sys.exit(f"status_page_browser: {error}\nchromium's log ends:\n{tail}")
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
