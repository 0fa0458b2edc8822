# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key-script rotation on the lab's real cards and key hosts (NETCONF) with the real KMEs.

The streams are configured on the key hosts over NETCONF as provisioning would do; the two
daemons reconcile from that config and rotate the ch2 (dh) keys of tce-ch2-a / tce-ch2-b.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET  # noqa: S405
from pathlib import Path

import pytest
from qsafe_kms.key_script import ENC_NS, KS_NS, KeyScriptDaemon, commit, spawn, terminate

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
    cards = [NetconfSession.from_lab(card, desc).connect() for *_head, card, _kme in ends]
    samples = []
    try:
        deadline = time.monotonic() + 6 * PERIOD + 2
        while time.monotonic() < deadline:
            samples.append((time.monotonic(), _banks(cards[0]), _banks(cards[1])))
            time.sleep(0.25)
        states = [d.state() for d in daemons]
        # Status on the key host carries key IDs and counts, never key material.
        with NetconfSession.from_lab("keys-a", desc) as s:
            status_xml = s.get_config(filter=f'<key-streams xmlns="{KS_NS}"/>')
    finally:
        for d in daemons:
            d.stop()
        for c in cards:
            c.close()
        _delete_streams(desc, "ks-ch2")
    prim, sec = (s["streams"]["ks-ch2"] for s in states)
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
