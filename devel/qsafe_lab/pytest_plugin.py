# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""pytest fixtures for the lab, importable by every test suite.

Use in a conftest.py:  `from qsafe_lab.pytest_plugin import lab, lab_faults  # noqa: F401`
`lab` (session scope) starts the whole inventory in a temp dir on free ports and always stops
it; it yields a LabHandle with the lab.json dict and a session() factory.
"""

from __future__ import annotations

import json
import pathlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from qsafe_lab.faults import Faults
from qsafe_lab.lab import Lab, key_bank_session


@dataclass
class LabHandle:
    lab: Lab
    desc: dict[str, Any]
    faults: Faults

    @property
    def lab_dir(self) -> pathlib.Path:
        return self.lab.lab_dir

    @property
    def lab_json(self) -> pathlib.Path:
        return self.lab.lab_json

    def session(self, device: str, identity: str = "operator", key_bank: bool = False, **kwargs: Any) -> Any:
        """An unconnected NetconfSession to device (use `with lab.session(...) as s:`); with key_bank,
        to the encryptor card's key-bank agent instead (docs/lab.md)."""
        from ansible_collections.qsafe.slicing.plugins.module_utils.netconf.session import NetconfSession

        if key_bank:
            return key_bank_session(device, self.desc, identity, **kwargs)
        return NetconfSession.from_lab(device, self.desc, identity=identity, **kwargs)


@pytest.fixture(scope="session")
def lab() -> Iterator[LabHandle]:
    # Short base dir: unix socket paths must stay under 108 bytes.
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="qlab-", dir="/tmp"))
    the_lab = Lab(tmp / "lab")
    try:
        the_lab.up()
        yield LabHandle(the_lab, json.loads(the_lab.lab_json.read_text()), Faults(the_lab.lab_dir))
    finally:
        the_lab.down()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def lab_faults(lab: LabHandle) -> Iterator[Faults]:
    """The lab's fault injector, cleared after the test."""
    lab.faults.clear()
    try:
        yield lab.faults
    finally:
        lab.faults.clear()
