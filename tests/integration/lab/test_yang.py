# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every YANG module of the lab passes pyang (project models with --strict)."""

import pathlib
import subprocess
import sys

import pytest

YANG = pathlib.Path(__file__).resolve().parents[3] / "yang"
PATH = f"{YANG}:{YANG / 'openconfig'}:/usr/share/yuma/modules/ietf"
# Not yang/ itself: pyang searches a path recursively and would find the current release's modules.
PATH_2016 = f"{YANG / 'openconfig-2016'}:/usr/share/yuma/modules/ietf"


@pytest.mark.parametrize("module", sorted(p.name for p in YANG.glob("*.yang")))
def test_project_model_is_strictly_valid(module: str) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "pyang", "--strict", "-p", PATH, str(YANG / module)],
        capture_output=True, text=True, check=False,
    )
    assert res.returncode == 0 and not res.stderr.strip(), res.stderr


@pytest.mark.parametrize(
    "module",
    [
        "openconfig/openconfig-vlan.yang",
        "openconfig/openconfig-interfaces.yang",
        "openconfig/openconfig-if-ethernet.yang",
        "openconfig/openconfig-network-instance.yang",
        "lab/openconfig-network-instance.yang",
    ],
)
def test_vendored_openconfig_has_no_errors(module: str) -> None:
    """The upstream release (yang/openconfig) and the lab's form of what netconfd cannot load."""
    res = subprocess.run(
        [sys.executable, "-m", "pyang", "-p", PATH, str(YANG / module)],
        capture_output=True, text=True, check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "error" not in res.stderr.lower()


@pytest.mark.parametrize("module", ["openconfig-vlan.yang", "openconfig-interfaces.yang"])
def test_openconfig_2016_platform_models_load(module: str) -> None:
    res = subprocess.run(
        [sys.executable, "-m", "pyang", "-p", PATH_2016, str(YANG / "openconfig-2016" / module)],
        capture_output=True, text=True, check=False,
    )
    assert res.returncode == 0, res.stderr
    assert "error" not in res.stderr.lower()


@pytest.mark.parametrize(
    "module", ["qsafe-encryptor.yang", "qsafe-key-stream.yang", "qsafe-optical-switch.yang"]
)
def test_device_models_pass_pyang_lint(module: str) -> None:
    """The project's device models follow RFC 8407 too (pyang --strict --lint: canonical statement
    order, a reference on every revision), as a standard module would."""
    res = subprocess.run(
        [sys.executable, "-m", "pyang", "--strict", "--lint", "-p", PATH, str(YANG / module)],
        capture_output=True, text=True, check=False,
    )
    assert res.returncode == 0 and not res.stderr.strip(), res.stderr
