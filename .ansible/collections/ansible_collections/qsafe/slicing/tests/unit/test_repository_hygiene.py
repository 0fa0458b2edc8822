# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Python file carries the licence header, and none cites a file outside the repository.

Empty __init__.py files are the exception: ansible-test sanity (empty-init) requires them empty.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import ROOT

HEADER = (
    "# Copyright: (c) 2026, qsafe.slicing contributors\n"
    "# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)\n"
)
# Notes that live outside the repository, and paths of one machine.
OUTSIDE = re.compile(r"\b(STYLE|PROVISIONING|DESIGN)\.md\b|\.\./shared/|/work/(main|wt|notes|shared)\b")


def python_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "--", "plugins", "extensions", "tests", "devel"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()
    return [p for p in listed if p.endswith(".py") and (ROOT / p).is_file()]


FILES = python_files()


def test_there_are_files_to_check():
    assert len(FILES) > 100


@pytest.mark.parametrize("path", FILES)
def test_licence_header_and_no_outside_citations(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    if not text.strip():
        assert path.endswith("__init__.py")
        return
    body = text.split("\n", 1)[1] if text.startswith("#!") else text
    assert body.startswith(HEADER), f"{path}: licence header missing"
    found = OUTSIDE.search(text)
    assert found is None, f"{path}: cites {found.group(0)!r}, which is not in the repository"
