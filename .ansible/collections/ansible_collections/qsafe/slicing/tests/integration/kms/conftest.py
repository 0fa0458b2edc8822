# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures: real KME processes started by the lab hook in a temp dir, stopped on teardown."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from qsafe_kms import lab_hook
from qsafe_kms.client import KmsClient
from qsafe_lab.pytest_plugin import lab  # noqa: F401 pylint: disable=unused-import

TOPOLOGY = Path(__file__).resolve().parents[3] / "inventories/testbed/group_vars/all/topology.yml"


@pytest.fixture(scope="session")
def topology() -> dict:
    return yaml.safe_load(TOPOLOGY.read_text())


class Lab:
    """The started KMEs plus helpers to build SAE clients."""

    def __init__(self, info: dict, lab_dir: Path) -> None:
        self.info, self.dir = info, lab_dir
        self._clients: list[KmsClient] = []

    def client(self, sae: str, kme: str | None = None) -> KmsClient:
        s = self.info["saes"][sae]
        url = self.info["kmes"][kme or s["kme"]]["url"]
        c = KmsClient(url, self.info["ca_cert"], s["cert"], s["key"])
        self._clients.append(c)
        return c

    def admin(self, kme: str) -> KmsClient:
        a = self.info["admin"]
        c = KmsClient(self.info["kmes"][kme]["url"], self.info["ca_cert"], a["cert"], a["key"])
        self._clients.append(c)
        return c

    def wait_pool(
        self, master: str, slave: str, count: int, timeout: float = 10.0, source: str | None = None
    ):
        c = self.client(master)
        deadline = time.monotonic() + timeout
        while True:
            st = c.status(slave)
            have = (
                st["status_extension"]["stored_key_count_by_source"][source]
                if source
                else st["stored_key_count"]
            )
            if have >= count:
                return st
            if time.monotonic() > deadline:
                raise AssertionError(f"pool {master}->{slave} {source}: {have} < {count} after {timeout} s")
            time.sleep(0.05)

    def close(self) -> None:
        for c in self._clients:
            c.close()


def _start(tmp_path_factory, topology, name, overrides=None):
    lab_dir = tmp_path_factory.mktemp(name)
    try:
        info = lab_hook.start(lab_dir, topology, overrides)
    except BaseException:
        lab_hook.stop(lab_dir)
        raise
    return Lab(info, lab_dir)


@pytest.fixture(scope="session")
def kms_lab(tmp_path_factory, topology):
    """The testbed's KMEs with default settings (all sources, QKD over the 4 testbed sections)."""
    # A short wait for reservations keeps the "unknown key_ID" cases fast.
    kms = _start(tmp_path_factory, topology, "kms-lab", {"reservation_wait_s": 0.5})
    try:
        yield kms
    finally:
        kms.close()
        lab_hook.stop(kms.dir)


@pytest.fixture(scope="session")
def scarce_lab(tmp_path_factory, topology):
    """KMEs with small pools and a QKD section (tn-2~tn-3) that produces no key at all."""
    kms = _start(
        tmp_path_factory,
        topology,
        "kms-scarce",
        {
            "pool": {"target": 32, "low": 16, "batch": 32},
            "sources": ["dh-x25519"],
            "qkd": {"rate_override_bps": [50000.0, 50000.0, 0.0, 50000.0], "tick_s": 0.05},
        },
    )
    try:
        yield kms
    finally:
        kms.close()
        lab_hook.stop(kms.dir)
