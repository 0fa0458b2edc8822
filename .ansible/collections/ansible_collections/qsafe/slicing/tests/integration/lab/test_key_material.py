# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key material on a card: the key script can write it, nobody can read it back, the operator cannot
write it, and key IDs and the rest of the bank stay readable (docs/lab.md, "Key material")."""

from __future__ import annotations

import base64
import os
import pathlib

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError

pytestmark = pytest.mark.lab

ENC = "urn:qsafe:yang:encryptor"
DEVICE = "tce-ch5-b"


def _bank(key: bytes, key_id: str, bank: str = "next") -> str:
    return (f'<encryptor xmlns="{ENC}"><key-banks><bank><name>{bank}</name><key-id>{key_id}</key-id>'
            f"<key-material>{base64.b64encode(key).decode()}</key-material></bank></key-banks></encryptor>")


def _forms(key: bytes) -> list[str]:
    """Every text form in which the key could show up in a reply."""
    b64 = base64.b64encode(key).decode()
    return [b64, b64.rstrip("="), key.hex(), key.hex().upper()]


def _all_reads(s) -> dict[str, str]:
    """Every way to read the bank: unfiltered and filtered, get-config and get, running and candidate."""
    banks = f'<encryptor xmlns="{ENC}"><key-banks/></encryptor>'
    leaf = f'<encryptor xmlns="{ENC}"><key-banks><bank><key-material/></bank></key-banks></encryptor>'
    xpath = ("xpath", "/*[local-name()='encryptor']/*[local-name()='key-banks']")
    return {
        "get-config running": s.get_config("running"),
        "get-config candidate": s.get_config("candidate"),
        "get-config running banks": s.get_config("running", banks),
        "get-config running key leaf": s.get_config("running", leaf),
        "get-config running xpath": s.get_config("running", xpath),
        "get": s.manager.get().data_xml,
        "get banks": s.manager.get(filter=("subtree", banks)).data_xml,
        "get key leaf": s.manager.get(filter=("subtree", leaf)).data_xml,
    }


def _assert_unreadable(s, key: bytes, key_id: str, who: str) -> None:
    for name, reply in _all_reads(s).items():
        for form in _forms(key):
            assert form not in reply, f"{who}: {name} returned the key"
        if name != "get-config running key leaf" and name != "get key leaf":
            assert f"<key-id>{key_id}</key-id>" in reply, f"{who}: {name} hides the key ID"


def test_key_script_writes_key_nobody_reads_it(lab):
    key, key_id = os.urandom(32), f"kid-{os.urandom(4).hex()}"
    with lab.session(DEVICE, identity="keyscript") as s:
        res = s.transaction(_bank(key, key_id))
        assert res.committed, "the key script's key write was not committed"
        _assert_unreadable(s, key, key_id, "keyscript")
    with lab.session(DEVICE) as s:
        _assert_unreadable(s, key, key_id, "operator")
        assert "<name>current</name>" in s.get_config("running")  # the rest of the banks is readable
    # Nothing the lab keeps on disk (logs, startup copies, fault files) holds the key.
    for path in pathlib.Path(lab.lab_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(f.encode() in data for f in _forms(key)) and key not in data, path


def test_operator_cannot_write_key(lab):
    key, key_id = os.urandom(32), "kid-operator"
    with lab.session(DEVICE) as s:
        with pytest.raises(NetconfOperationError) as err:
            s.transaction(_bank(key, key_id, bank="current"))
        assert err.value.error_tag == "access-denied" and err.value.operation == "edit-config"
        for form in _forms(key):
            assert form not in str(err.value)
        assert "kid-operator" not in s.get_config("running")  # nothing of the edit was applied


def test_operator_can_still_write_other_bank_fields(lab):
    with lab.session(DEVICE) as s:
        cfg = (f'<encryptor xmlns="{ENC}"><key-banks><bank><name>current</name>'
               "<bytes-protected>42</bytes-protected></bank></key-banks></encryptor>")
        assert s.transaction(cfg).committed
        assert "<bytes-protected>42</bytes-protected>" in s.get_config("running")
