# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Registry fixtures: every test that takes `registry_config` runs on SQLite and on a real PostgreSQL.

`pg_server` (session) starts one throw-away PostgreSQL cluster; `pg_dsn` gives each test a
fresh database in it. Missing server binaries make these fixtures fail, never skip: the
PostgreSQL path is what AWX deployments use and must be tested wherever it can be.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import open_registry

from tests.integration.pg_server import PgServer

WORKER = os.path.join(os.path.dirname(__file__), "registry_worker.py")


@pytest.fixture(scope="session")
def pg_server():
    with PgServer() as server:
        yield server


@pytest.fixture
def pg_dsn(pg_server):
    return pg_server.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_config(request, tmp_path) -> dict:
    """Keyword arguments for open_registry(), one backend per parametrisation."""
    if request.param == "sqlite":
        return {"path": str(tmp_path / "state" / "registry.sqlite3")}
    return {"dsn": request.getfixturevalue("pg_dsn")}


@pytest.fixture
def registry(registry_config):
    reg = open_registry(**registry_config)
    yield reg
    reg.close()


class Worker:
    """One registry_worker.py process; killed and reaped by the `spawn_worker` fixture."""

    def __init__(self, config: dict, **job):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen(
            [sys.executable, WORKER, json.dumps({**config, **job})],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    def line(self) -> str:
        text = self.proc.stdout.readline()
        if not text:
            raise AssertionError(f"worker exited ({self.proc.wait()}): {self.proc.stderr.read()}")
        return text.strip()

    def json(self) -> dict:
        return json.loads(self.line())

    def send(self, text: str = "go") -> None:
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            stream.close()


@pytest.fixture
def spawn_worker(registry_config):
    workers: list[Worker] = []

    def spawn(**job) -> Worker:
        worker = Worker(registry_config, **job)
        workers.append(worker)
        return worker

    yield spawn
    for worker in workers:
        worker.stop()
