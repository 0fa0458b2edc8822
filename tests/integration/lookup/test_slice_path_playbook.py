# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The slice_path lookup through a real ansible-playbook run (the contract's shape and errors as a
play sees them: templated terms, keyword options, a rescued failure). The same checks without
Ansible's process run fast in tests/unit/plugins/lookup/test_slice_path.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_lookup_contract_playbook(repo_root: Path):
    env = dict(
        os.environ,
        ANSIBLE_COLLECTIONS_PATH=str(repo_root / ".venv" / "collections"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
    )
    playbook = repo_root / "tests" / "playbooks" / "lookup_contract.yml"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("ansible-playbook")), str(playbook)],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "failed=0" in result.stdout
    assert "rescued=1" in result.stdout
