# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NETCONF subsystem relay with fault injection; sshd runs it (forced command) for every session.

Why a relay: the lab must make a chosen device reject a chosen edit or drop a session mid-step,
without SIL code in netconfd. The relay sits between sshd and yuma123's `netconf-subsystem`, sees
cleartext NETCONF in both directions (1.0 and 1.1 framing), and before forwarding each client RPC
consults the device's fault file (JSON, see devel/qsafe_lab/faults.py). No fault file: pure pass-through.

It also sets the NETCONF user name (USER for netconf-subsystem) from --netconf-user: the SSH key
chooses the NACM identity (operator or key script), see docs/lab.md.

Standard library only; started with `python -I -S` to keep session start-up cheap.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET  # noqa: S405 - input is the client's own NETCONF RPC
from xml.sax.saxutils import escape, quoteattr

EOM = b"]]>]]>"
BASE11 = b"urn:ietf:params:netconf:base:1.1"
NC_NS = "urn:ietf:params:xml:ns:netconf:base:1.0"


class Framer:
    """Split a byte stream into NETCONF messages; 1.0 (]]>]]>) until `chunked` is set (RFC 6242)."""

    def __init__(self) -> None:
        self.buf = b""
        self.chunked = False
        self.messages = 0  # complete messages seen so far
        self.hello_hook = None  # called with the first message (hello); True -> chunked from then on

    def feed(self, data: bytes) -> list[bytes]:
        """Complete message payloads, without framing."""
        out: list[bytes] = []
        self.buf += data
        while True:
            msg = self._next()
            if msg is None:
                return out
            self.messages += 1
            if self.messages == 1 and self.hello_hook is not None and self.hello_hook(msg):
                self.chunked = True
            out.append(msg)

    def _next(self) -> bytes | None:
        if not self.chunked:
            i = self.buf.find(EOM)
            if i < 0:
                return None
            msg, self.buf = self.buf[:i], self.buf[i + len(EOM) :]
            return msg
        pos, parts = 0, []
        while True:
            m = re.compile(rb"\n#(\d+)\n|\n##\n").match(self.buf, pos)
            if not m:
                return None
            if m.group(0) == b"\n##\n":
                self.buf = self.buf[m.end() :]
                return b"".join(parts)
            size = int(m.group(1))
            if len(self.buf) < m.end() + size:
                return None
            parts.append(self.buf[m.end() : m.end() + size])
            pos = m.end() + size



def frame(msg: bytes, chunked: bool) -> bytes:
    if chunked:
        return b"\n#%d\n%s\n##\n" % (len(msg), msg)
    return msg + EOM


CAP11 = re.compile(
    rb"<(?:[\w.-]+:)?capability>\s*urn:ietf:params:netconf:base:1\.1\s*</(?:[\w.-]+:)?capability>"
)


def rpc_info(msg: bytes) -> tuple[str, dict[str, str]]:
    """(operation name, rpc attributes) of a client message; ('', {}) if it is not an <rpc>."""
    try:
        root = ET.fromstring(msg)  # noqa: S314
    except ET.ParseError:
        return "", {}
    if not root.tag.endswith("rpc") or len(root) == 0:
        return "", {}
    return root[0].tag.rsplit("}", 1)[-1], dict(root.attrib)


def take_fault(path: str, operation: str, msg: bytes, rpc_count: int) -> dict | None:
    """The first fault rule matching this RPC, consuming one of its `times` (file locked)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "r+") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            rules = json.load(f).get("rules", [])
        except ValueError:
            return None
        text = msg.decode("utf-8", "replace")
        for i, rule in enumerate(rules):
            if rule.get("operation") and rule["operation"] != operation:
                continue
            if rule.get("match") and not re.search(rule["match"], text):
                continue
            if rule.get("after_rpcs") is not None and rpc_count <= int(rule["after_rpcs"]):
                continue
            times = rule.get("times")
            if times is not None:
                if times <= 1:
                    rules.pop(i)
                else:
                    rule["times"] = times - 1
                f.seek(0)
                f.truncate()
                json.dump({"rules": rules}, f)
            return rule
    return None


def error_reply(attrs: dict[str, str], rule: dict) -> bytes:
    attr = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items() if not k.startswith("{"))
    path = f"<error-path>{escape(rule['error_path'])}</error-path>" if rule.get("error_path") else ""
    return (
        f'<rpc-reply xmlns="{NC_NS}"{attr}><rpc-error>'
        f"<error-type>{escape(rule.get('error_type', 'application'))}</error-type>"
        f"<error-tag>{escape(rule.get('error_tag', 'operation-failed'))}</error-tag>"
        f"<error-severity>error</error-severity>{path}"
        f"<error-message xml:lang=\"en\">{escape(rule.get('message', 'injected fault'))}</error-message>"
        f"</rpc-error></rpc-reply>"
    ).encode()


PROBE_ID = b"qsafe-relay-probe-"
PROBE = (
    b'<rpc xmlns="urn:ietf:params:xml:ns:netconf:base:1.0" message-id="qsafe-relay-probe-%d"><get-config>'
    b'<source><running/></source><filter type="subtree"><nacm xmlns="urn:ietf:params:xml:ns:yang:'
    b'ietf-netconf-acm"><enable-nacm/></nacm></filter></get-config></rpc>'
)


class Relay:
    """Pump messages both ways; consult the fault file before forwarding each client RPC.

    netconfd race worked around here (measured: ~3 in 50-80 sessions whose first RPC follows the
    hello within a millisecond or two, as the session layer's direct send does): an RPC that reaches
    netconfd before it has switched to chunked framing after the client's hello sits unanswered
    until more input arrives on that session. So the relay holds client RPCs until netconfd has
    answered one probe RPC of its own (a tiny get-config, re-sent with growing pauses until
    answered: each re-send is the "more input" that unsticks a stalled one); probe replies are not
    forwarded. Costs about one round trip (~1 ms) per session. (Offering netconfd base:1.0 only
    is worse: it then closes some such sessions outright.)
    """

    def __init__(self, child: subprocess.Popen, fault_file: str) -> None:
        self.child = child
        self.fault_file = fault_file
        self.lock = threading.Lock()
        self.up = Framer()  # client -> relay: 1.0, chunked after the client's hello if it offers 1.1
        self.down = Framer()  # netconfd -> relay: 1.0, chunked after its hello if the client chose 1.1
        self.client_11 = False
        self.server_hello = threading.Event()
        self.ready = threading.Event()  # netconfd answered a probe: client RPCs may pass
        self.probes = 0
        self.rpcs = 0
        self.drop_after_reply = False
        self.out = sys.stdout.buffer
        self.up.hello_hook = self._client_hello

    def _client_hello(self, msg: bytes) -> bool:
        self.client_11 = bool(CAP11.search(msg))
        return self.client_11

    def write_client(self, msg: bytes, hello: bool = False) -> None:
        """Send one message to the client: chunked after the hellos if the client chose 1.1."""
        with self.lock:
            self.out.write(frame(msg, self.client_11 and not hello))
            self.out.flush()

    def write_server(self, msg: bytes, hello: bool = False) -> None:
        self.child.stdin.write(frame(msg, self.client_11 and not hello))
        self.child.stdin.flush()

    def _wait_ready(self) -> None:
        """Probe until netconfd has answered once (see the class docstring)."""
        if self.ready.is_set():
            return
        self.server_hello.wait(30)
        # netconfd sends nothing after its hello until it gets an RPC: safe to switch framing now.
        self.down.chunked = self.client_11
        wait = 0.005
        while not self.ready.is_set():
            self.probes += 1
            self.write_server(PROBE % self.probes)
            self.ready.wait(wait)
            wait = min(wait * 2, 0.5)

    def close(self) -> None:
        """Drop the session: the client sees the SSH channel close."""
        if self.child.poll() is None:
            self.child.kill()
        os._exit(0)

    def server_to_client(self) -> None:
        src = self.child.stdout
        while True:
            data = os.read(src.fileno(), 65536)
            if not data:
                self.close()
            for msg in self.down.feed(data):
                if not self.server_hello.is_set():
                    self.write_client(msg, hello=True)
                    self.server_hello.set()
                    continue
                if PROBE_ID in msg[:300]:
                    self.ready.set()
                    continue
                if self.drop_after_reply and b"rpc-reply" in msg[:200]:
                    self.close()
                self.write_client(msg)

    def client_to_server(self) -> None:
        hello_done = False  # (not up.messages: one read may hold the hello and the first RPC)
        stdin = sys.stdin.buffer.fileno()
        while True:
            data = os.read(stdin, 65536)
            if not data:
                self.child.stdin.close()
                return
            for msg in self.up.feed(data):
                if not hello_done:
                    hello_done = True
                    self.write_server(msg, hello=True)
                    continue
                self._wait_ready()
                self.rpcs += 1
                op, attrs = rpc_info(msg)
                rule = take_fault(self.fault_file, op, msg, self.rpcs) if op else None
                if rule:
                    action = rule.get("action", "reject")
                    if action == "reject":
                        self.write_client(error_reply(attrs, rule))
                        continue
                    if action == "drop":
                        self.close()
                    if action == "drop-after-reply":
                        self.drop_after_reply = True
                self.write_server(msg)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sock", required=True)
    ap.add_argument("--port", required=True)
    ap.add_argument("--faults", required=True)
    ap.add_argument("--netconf-user", required=True)
    ap.add_argument("--subsystem", default="/usr/sbin/netconf-subsystem")
    a = ap.parse_args()
    # A subsystem request runs the forced command with SSH_ORIGINAL_COMMAND = the Subsystem line.
    if os.environ.get("SSH_ORIGINAL_COMMAND", a.subsystem) not in (a.subsystem, "netconf"):
        sys.stderr.write("only the netconf subsystem is available\n")
        sys.exit(1)
    if os.isatty(0):
        # The client asked for a PTY (scrapli's default transport does): in raw mode the terminal
        # neither echoes nor translates bytes, so NETCONF passes through it unchanged. Set before
        # netconfd's hello goes out (TCSANOW keeps input already there); a client that writes
        # before it has the server's hello may see that early input echoed by the terminal.
        import termios
        import tty

        tty.setraw(0, termios.TCSANOW)
    env = dict(os.environ, USER=a.netconf_user)
    child = subprocess.Popen(  # noqa: S603
        [a.subsystem, f"--ncxserver-sockname={a.port}@{a.sock}"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
        bufsize=0,
    )
    relay = Relay(child, a.faults)
    threading.Thread(target=relay.server_to_client, daemon=True).start()
    try:
        relay.client_to_server()
        child.wait(timeout=5)
    finally:
        if child.poll() is None:
            child.kill()
        os._exit(0)


if __name__ == "__main__":
    main()
