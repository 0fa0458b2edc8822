# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Key material on a card: the key script can write it, nobody can read it back, the operator cannot
write it, and key IDs and the rest of the bank stay readable (docs/lab.md, "Key material and the
key-bank agent"). The banks live in the card's key-bank agent (lab.json `key_bank_port`)."""

from __future__ import annotations

import base64
import os
import pathlib

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.errors import NetconfOperationError
from qsafe_lab.device import ram_root

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
    """Every way to read the bank: unfiltered and filtered, get-config and get (the key-bank agent has
    no candidate)."""
    banks = f'<encryptor xmlns="{ENC}"><key-banks/></encryptor>'
    leaf = f'<encryptor xmlns="{ENC}"><key-banks><bank><key-material/></bank></key-banks></encryptor>'
    xpath = ("xpath", "/*[local-name()='encryptor']/*[local-name()='key-banks']")
    return {
        "get-config running": s.get_config("running"),
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
    with lab.session(DEVICE, identity="keyscript", key_bank=True) as s:
        s.edit_config(_bank(key, key_id), target="running")
        _assert_unreadable(s, key, key_id, "keyscript")
    with lab.session(DEVICE, key_bank=True) as s:
        _assert_unreadable(s, key, key_id, "operator")
        assert "<name>current</name>" in s.get_config("running")  # the rest of the banks is readable
    # Nothing the lab keeps on disk or in its RAM dir (logs, startup files, backups, fault files)
    # holds the key.
    for root in (pathlib.Path(lab.lab_dir), ram_root(pathlib.Path(lab.lab_dir))):
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(f.encode() in data for f in _forms(key)) and key not in data, path


@pytest.mark.parametrize("key_bank", [True, False], ids=["key-bank agent", "card"])
def test_operator_cannot_write_key(lab, key_bank):
    key, key_id = os.urandom(32), "kid-operator"
    with lab.session(DEVICE, key_bank=key_bank) as s:
        with pytest.raises(NetconfOperationError) as err:
            s.edit_config(_bank(key, key_id, bank="current"), target="running" if key_bank else "candidate")
        assert err.value.error_tag == "access-denied" and err.value.operation == "edit-config"
        for form in _forms(key):
            assert form not in str(err.value)
        if not key_bank:
            s.discard_changes()
        assert "kid-operator" not in s.get_config("running")  # nothing of the edit was applied


def test_operator_cannot_write_the_key_banks_at_all(lab):
    """Only the key script writes the key-bank agent (the operator has no edit-config there)."""
    with lab.session(DEVICE, key_bank=True) as s:
        cfg = (f'<encryptor xmlns="{ENC}"><key-banks><bank><name>current</name>'
               "<bytes-protected>42</bytes-protected></bank></key-banks></encryptor>")
        with pytest.raises(NetconfOperationError) as err:
            s.edit_config(cfg, target="running")
        assert err.value.error_tag == "access-denied"
        assert "<bytes-protected>42</bytes-protected>" not in s.get_config("running")
