# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared loaders for the AWX tests: the templates-as-code files and the two filter plugins."""

from __future__ import annotations

import importlib.util
import pathlib
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
AWX_DIR = ROOT / "extensions" / "awx"


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads Ansible's `!unsafe` tag as a plain string (as AWX receives it)."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load_yaml(path: pathlib.Path) -> Any:
    return yaml.load(path.read_text(), Loader=_Loader)  # noqa: S506 - SafeLoader subclass


def load_plugin(relative: str) -> ModuleType:
    path = AWX_DIR / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def job_templates() -> list[dict[str, Any]]:
    return load_yaml(AWX_DIR / "job_templates.yml")["qsafe_awx_job_templates"]


@pytest.fixture(scope="session")
def credential_types() -> list[dict[str, Any]]:
    return load_yaml(AWX_DIR / "credential_types.yml")["qsafe_awx_credential_types"]


@pytest.fixture(scope="session")
def survey_filter() -> ModuleType:
    return load_plugin("playbooks/filter_plugins/survey_to_descriptor.py")


@pytest.fixture(scope="session")
def awx_api() -> ModuleType:
    return load_plugin("filter_plugins/awx_api.py")


# The lab (real NETCONF devices + KMS, temp dir, free ports), for the ansible-runner job tests.
from qsafe_lab.pytest_plugin import lab, lab_faults  # noqa: E402, F401


@pytest.fixture(scope="session")
def pg_server():
    """One throw-away PostgreSQL on 127.0.0.1 (tests/integration/pg_server.py), removed at the end."""
    from tests.integration.pg_server import PgServer

    with PgServer() as server:
        yield server
