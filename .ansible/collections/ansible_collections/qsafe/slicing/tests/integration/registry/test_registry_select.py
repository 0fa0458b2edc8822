# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backend selection precedence (pure: the environment is passed in)."""

from __future__ import annotations

import os

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    BackendUnavailable,
    open_registry,
    select_backend,
)

DSN = "host=db.example user=qsafe dbname=reg"


@pytest.mark.parametrize(
    ("kwargs", "env", "expected"),
    [
        ({"dsn": DSN, "path": "/x.db"}, {"QSAFE_REGISTRY_PATH": "/y.db"}, ("postgresql", DSN)),
        ({"path": "/x.db"}, {"QSAFE_REGISTRY_DSN": DSN}, ("sqlite", "/x.db")),
        ({}, {"QSAFE_REGISTRY_DSN": DSN, "QSAFE_REGISTRY_PATH": "/y.db"}, ("postgresql", DSN)),
        ({"dsn": ""}, {"QSAFE_REGISTRY_PATH": "/y.db"}, ("sqlite", "/y.db")),
        (
            {"state_dir": "/srv/state"},
            {"QSAFE_STATE_DIR": "/other"},
            ("sqlite", "/srv/state/registry.sqlite3"),
        ),
        ({}, {"QSAFE_STATE_DIR": "/other"}, ("sqlite", "/other/registry.sqlite3")),
        ({"project_dir": "/work/proj"}, {}, ("sqlite", "/work/proj/.state/registry.sqlite3")),
    ],
)
def test_precedence(kwargs, env, expected):
    assert select_backend(**kwargs, environ=env) == expected


def test_default_is_the_state_dir_under_the_working_directory(tmp_path, monkeypatch):
    for name in ("QSAFE_REGISTRY_DSN", "QSAFE_REGISTRY_PATH", "QSAFE_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    with open_registry() as reg:
        assert reg.describe() == f"sqlite:{tmp_path}/.state/registry.sqlite3"
    assert os.path.exists(tmp_path / ".state" / "registry.sqlite3")


def test_unreachable_postgres_is_a_clear_error_without_the_password(pg_server):
    dsn = f"host=127.0.0.1 port={pg_server.port} user=postgres dbname=no_such_db password=hunter2"
    with pytest.raises(BackendUnavailable) as err:
        open_registry(dsn=dsn)
    message = str(err.value)
    assert message.startswith(
        f"cannot reach the registry at postgresql://postgres@127.0.0.1:{pg_server.port}/no_such_db:"
    )
    assert "hunter2" not in message
