# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key-script rotation on the lab's real cards and key hosts (NETCONF) with the real KMEs.

The streams are configured on the key hosts over NETCONF as provisioning would do; the two
daemons reconcile from that config and rotate the ch2 (dh) keys of tce-ch2-a / tce-ch2-b.
"""

from __future__ import annotations

import base64
import re
import socket
import time
import urllib.request
import xml.etree.ElementTree as ET  # noqa: S405
from pathlib import Path

import pytest
from qsafe_kms import key_script
from qsafe_kms.client import KmsClient
from qsafe_kms.key_script import ENC_NS, KS_NS, KeyScriptDaemon, commit, serve_metrics, spawn, terminate
from qsafe_lab.device import ram_root
from qsafe_lab.lab import key_bank_session

pytestmark = [pytest.mark.lab, pytest.mark.slow]

PERIOD = 2


def _stream_xml(lab_desc, role, local, peer, card, kme, ch="ch2", method="dh"):
    return (
        f'<key-streams xmlns="{KS_NS}"><stream><name>ks-{ch}</name><channel>{ch}</channel>'
        f"<method>{method}</method>"
        f"<role>{role}</role><kme-url>{lab_desc['kms']['kmes'][kme]['url']}</kme-url>"
        f"<local-sae-id>{local}</local-sae-id><peer-sae-id>{peer}</peer-sae-id><card>{card}</card>"
        f"<refresh-interval>{PERIOD}</refresh-interval></stream></key-streams>"
    )


def _banks(session):
    """Key IDs per bank. Unfiltered read: this netconfd answers any filter that reaches the banks
    with nothing, because a bank holds the read-denied key-material leaf (see docs/lab.md)."""
    root = ET.fromstring(session.get_config())  # noqa: S314
    return {
        b.findtext(f"{{{ENC_NS}}}name"): b.findtext(f"{{{ENC_NS}}}key-id")
        for b in root.iter(f"{{{ENC_NS}}}bank")
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scrape(port: int) -> dict[tuple[str, tuple], float]:
    """GET http://127.0.0.1:port/metrics and parse the text format: (sample name, labels) -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:  # noqa: S310
        text = reply.read().decode()
    assert "key-material" not in text and "qsafe_key_rotations_total" in text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _delete_streams(desc, name):
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    for host in ("keys-a", "keys-b"):
        with NetconfSession.from_lab(host, desc) as s:
            commit(
                s,
                f'<key-streams xmlns="{KS_NS}" xmlns:nc="urn:ietf:params:xml:ns:netconf:base:1.0">'
                f'<stream nc:operation="delete"><name>{name}</name></stream></key-streams>',
            )


def test_rotation_on_lab_cards_without_gap(lab, tmp_path):
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    desc = lab.desc
    assert "kms" in desc, "the lab did not start the KMEs (qsafe_kms.lab_hook)"
    ends = [
        ("keys-a", "primary", "sae-ch2-a", "sae-ch2-b", "tce-ch2-a", "kme-a"),
        ("keys-b", "secondary", "sae-ch2-b", "sae-ch2-a", "tce-ch2-b", "kme-b"),
    ]
    for host, role, local, peer, card, kme in ends:
        with NetconfSession.from_lab(host, desc) as s:
            commit(s, _stream_xml(desc, role, local, peer, card, kme))
    daemons = [KeyScriptDaemon(h, desc, tmp_path / "handoff", poll_s=0.5).start() for h, *_rest in ends]
    ports = [_free_port() for _ in daemons]
    servers = [serve_metrics(d, port)[0] for d, port in zip(daemons, ports, strict=True)]
    cards = [key_bank_session(card, desc, "operator").connect() for *_head, card, _kme in ends]
    samples = []
    try:
        deadline = time.monotonic() + 6 * PERIOD + 2
        while time.monotonic() < deadline:
            samples.append((time.monotonic(), _banks(cards[0]), _banks(cards[1])))
            time.sleep(0.25)
        states = [d.state() for d in daemons]
        scraped = [_scrape(port) for port in ports]
        # Status on the key host carries key IDs and counts, never key material.
        with NetconfSession.from_lab("keys-a", desc) as s:
            status_xml = s.get_config(filter=f'<key-streams xmlns="{KS_NS}"/>')
    finally:
        for server in servers:
            server.shutdown()
        for d in daemons:
            d.stop()
        for c in cards:
            c.close()
        _delete_streams(desc, "ks-ch2")
    prim, sec = (s["streams"]["ks-ch2"] for s in states)
    # Prometheus metrics scraped over HTTP say what the daemons' state said (sampled just before).
    for (host, role, *_rest), metrics, state in zip(ends, scraped, (prim, sec), strict=True):
        labels = (("host", host), ("method", "dh"), ("role", role), ("stream", "ks-ch2"))
        assert state["rotations"] <= metrics[("qsafe_key_rotations_total", labels)] <= state["rotations"] + 1
        failures = metrics[("qsafe_key_rotation_failures_total", labels)]
        assert state["failures"] <= failures <= state["failures"] + 1
        assert 0 <= metrics[("qsafe_key_age_seconds", labels)] < PERIOD * 2
        served = metrics[("qsafe_keys_served_total", (("host", host), ("method", "dh")))]
        assert served >= state["rotations"] >= 4
        assert metrics[("qsafe_key_streams", (("host", host),))] == 1
    assert prim["last_error"] == "" and sec["last_error"] == "", (prim, sec)
    assert prim["rotations"] >= 4 and abs(prim["rotations"] - sec["rotations"]) <= 1, (prim, sec)
    # Once the first key became current, both cards always have a current and a next key: no gap.
    started = [i for i, (_t, a, b) in enumerate(samples) if a.get("current") and b.get("current")]
    assert started, samples[-1]
    seen = set()
    for _t, a, b in samples[started[0] :]:
        assert a.get("current") and a.get("next") and b.get("next"), (a, b)
        assert a["current"] != a["next"]
        seen.add(a["current"])
    assert len(seen) >= 3  # the current key really changed over the run
    # The ends agree on the current key, except between the secondary's commit and the primary's,
    # when the secondary is exactly one key ahead: its current is the primary's next.
    for _t, a, b in samples[started[0] :]:
        assert b["current"] in (a["current"], a["next"]), (a, b)
    # Rotations were periodic: the current key ID changed every PERIOD s (no missed period).
    changes = [
        t
        for (t, a, _b), (_t0, prev, _b0) in zip(samples[1:], samples[:-1], strict=True)
        if a.get("current") != prev.get("current") and prev.get("current")
    ]
    gaps = [b - a for a, b in zip(changes, changes[1:], strict=False)]
    assert gaps and max(gaps) < PERIOD * 1.6, gaps
    assert "<rotations>" in status_xml
    assert re.search(r"<current-key-id>[0-9a-f-]{36}</current-key-id>", status_xml)
    assert "key-material" not in status_xml


def test_daemon_processes_follow_the_key_host_config(lab, tmp_path):
    """The deployment path: one daemon process per key host, driven only by the hosts' stream config."""
    import json

    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    desc = lab.desc
    ends = [
        ("keys-a", "primary", "sae-ch3-a", "sae-ch3-b", "tce-ch3-a", "kme-a"),
        ("keys-b", "secondary", "sae-ch3-b", "sae-ch3-a", "tce-ch3-b", "kme-b"),
    ]
    run_dir = tmp_path / "ks"
    try:
        procs = spawn(lab.lab_json, ["keys-a", "keys-b"], run_dir, poll_s=0.5)
        assert spawn(lab.lab_json, ["keys-a", "keys-b"], run_dir, poll_s=0.5) == procs  # idempotent
        for host, role, local, peer, card, kme in ends:
            with NetconfSession.from_lab(host, desc) as s:
                commit(s, _stream_xml(desc, role, local, peer, card, kme, ch="ch3", method="qra"))
        state = {}
        deadline = time.monotonic() + 5 * PERIOD + 4
        while time.monotonic() < deadline:
            time.sleep(0.5)
            state = {
                h: json.loads(Path(v["state_file"]).read_text())
                for h, v in procs.items()
                if Path(v["state_file"]).exists()
            }
            if all(
                state.get(h, {}).get("streams", {}).get("ks-ch3", {}).get("rotations", 0) >= 3 for h in procs
            ):
                break
        for host in procs:
            st = state[host]["streams"]["ks-ch3"]
            assert st["rotations"] >= 3 and st["last_error"] == "", json.dumps(state)
        # Removing the stream from the key hosts stops it (the daemon reconciles from the config).
        _delete_streams(desc, "ks-ch3")
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            time.sleep(0.5)
            state = {h: json.loads(Path(v["state_file"]).read_text()) for h, v in procs.items()}
            if all("ks-ch3" not in state[h]["streams"] for h in procs):
                break
        assert all("ks-ch3" not in state[h]["streams"] for h in procs), json.dumps(state)
    finally:
        terminate(run_dir)
    assert not (run_dir / "keyscripts.json").exists()


class _RecordingKmsClient(KmsClient):
    """The key scripts' ETSI 014 client, keeping a copy of every key the KMEs deliver (test only)."""

    delivered: list[bytes] = []

    def enc_keys(self, *args, **kwargs):
        keys = super().enc_keys(*args, **kwargs)
        self.delivered.extend(k.key for k in keys)
        return keys

    def dec_keys(self, *args, **kwargs):
        keys = super().dec_keys(*args, **kwargs)
        self.delivered.extend(k.key for k in keys)
        return keys


def test_rotation_continues_while_a_confirmed_commit_is_pending_on_the_card(lab, tmp_path, monkeypatch):
    """Issue 13 item 7: a slice's confirmed commit held open on both cards for > 2 refresh periods
    (a slow provisioning run) does not pause key rotation there; cancelling it leaves the keys.
    Issue 17 item 6: no key delivered meanwhile is in any file of the lab, its RAM dir (where
    netconfd writes backup-cfg.xml at a confirmed commit) or the test's temp dir."""
    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    monkeypatch.setattr(key_script, "KmsClient", _RecordingKmsClient)
    _RecordingKmsClient.delivered = []
    desc = lab.desc
    ends = [
        ("keys-a", "primary", "sae-ch4-a", "sae-ch4-b", "tce-ch4-a", "kme-a"),
        ("keys-b", "secondary", "sae-ch4-b", "sae-ch4-a", "tce-ch4-b", "kme-b"),
    ]
    for host, role, local, peer, card, kme in ends:
        with NetconfSession.from_lab(host, desc) as s:
            commit(s, _stream_xml(desc, role, local, peer, card, kme, ch="ch4", method="qkd"))
    daemons = [KeyScriptDaemon(h, desc, tmp_path / "handoff", poll_s=0.5).start() for h, *_rest in ends]
    slices = [NetconfSession.from_lab(card, desc).connect() for *_head, card, _kme in ends]
    readers = [key_bank_session(card, desc, "operator").connect() for *_head, card, _kme in ends]
    persist = "slow-slice-under-test"
    try:
        deadline = time.monotonic() + 4 * PERIOD + 4
        while time.monotonic() < deadline and not all(_banks(r).get("current") for r in readers):
            time.sleep(0.25)
        assert all(_banks(r).get("current") for r in readers), "rotation never started"
        # A provisioning step's confirmed commit on both cards, left pending (persisted, long timeout).
        for s in slices:
            s.edit_config(
                f'<encryptor xmlns="{ENC_NS}"><client-ports><client-port><name>c7</name>'
                "<description>slow slice</description></client-port></client-ports></encryptor>"
            )
            s.commit(confirmed=True, timeout=120, persist=persist)
        before = [d.state()["streams"]["ks-ch4"]["rotations"] for d in daemons]
        seen = [set(), set()]
        held_until = time.monotonic() + 3 * PERIOD + 1
        while time.monotonic() < held_until:
            for i, r in enumerate(readers):
                seen[i].add(_banks(r).get("current"))
            time.sleep(0.25)
        after = [d.state()["streams"]["ks-ch4"] for d in daemons]
        # Still pending: the card refuses a lock while the slice's confirmed commit is open.
        for s in slices:
            with pytest.raises(Exception, match="in-use|confirmed"):
                s.lock()
        for s in slices:
            s.cancel_commit(persist_id=persist)
        # Rolling the slice back does not roll the keys back (they are not in the card's config).
        assert all(_banks(r).get("current") for r in readers)
    finally:
        for d in daemons:
            d.stop()
        for c in (*slices, *readers):
            c.close()
        _delete_streams(desc, "ks-ch4")
    for b, st in zip(before, after, strict=True):
        assert st["rotations"] - b >= 2, (before, after)
    assert all(len(s) >= 3 for s in seen), seen  # the current key changed >= 2 times while pending
    keys = _RecordingKmsClient.delivered
    assert len(keys) >= 8, len(keys)
    forms = [f for k in keys for f in (k, base64.b64encode(k), k.hex().encode(), k.hex().upper().encode())]
    found = []
    for root in (Path(lab.lab_dir), ram_root(Path(lab.lab_dir)), tmp_path):
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                data = path.read_bytes()
                found += [str(path) for f in forms if f in data]
    assert not found, f"delivered keys at rest in {sorted(set(found))}"


def test_slice_status_shows_both_ends_of_a_rotating_stream(lab, tmp_path):
    """slice_status.yml reads the stream status the daemons write on both key hosts: method, rotations,
    key age, and both ends on the same key ID."""
    import json

    from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

    from tests.integration.provisioning.harness import run_playbook

    desc = lab.desc
    ends = [
        ("keys-a", "primary", "sae-ch2-a", "sae-ch2-b", "tce-ch2-a", "kme-a"),
        ("keys-b", "secondary", "sae-ch2-b", "sae-ch2-a", "tce-ch2-b", "kme-b"),
    ]
    run_dir = tmp_path / "ks"
    try:
        procs = spawn(lab.lab_json, ["keys-a", "keys-b"], run_dir, poll_s=0.5)
        for host, role, local, peer, card, kme in ends:
            with NetconfSession.from_lab(host, desc) as s:
                commit(s, _stream_xml(desc, role, local, peer, card, kme))
        deadline = time.monotonic() + 8 * PERIOD
        while time.monotonic() < deadline:
            time.sleep(0.5)
            files = [Path(v["state_file"]) for v in procs.values()]
            states = [json.loads(f.read_text()) for f in files if f.exists()]
            if len(states) == 2 and all(
                st.get("streams", {}).get("ks-ch2", {}).get("rotations", 0) >= 2 for st in states
            ):
                break
        as_json = {"format": "json"}
        run = run_playbook("slice_status.yml", lab.lab_dir, tmp_path / "state", as_json, timeout=240)
    finally:
        terminate(run_dir)
        _delete_streams(desc, "ks-ch2")
    assert run.rc == 0, run.stdout[-3000:]
    block = re.search(r"^\{\n.*?^\}$", run.stdout, re.S | re.M)
    report = json.loads(block.group(0))
    assert "key_streams_error" not in report, report.get("key_streams_error")
    (row,) = [k for k in report["key_streams"] if k["stream"] == "ks-ch2"]
    assert set(row["ends"]) == {"keys-a", "keys-b"} and row["method"] == "dh"
    assert row["rotations"] >= 2, row
    assert row["agree"] is True and re.fullmatch(r"[0-9a-f-]{36}", row["current_key_id"]), row
    assert 0 <= row["key_age_s"] < 4 * PERIOD, row
