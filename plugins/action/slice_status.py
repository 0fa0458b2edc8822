# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs qsafe.slicing.slice_status on the controller: reads the registry and the key hosts' stream
status (NETCONF, inventory connection variables), returns the report and prints it as tables or JSON.
The report and the tables come from module_utils/registry/status.py."""

from __future__ import annotations

import datetime as dt
import json
import time

from ansible.utils.display import Display
from ansible_collections.qsafe.slicing.plugins.module_utils.planning.ietf import ietf_from_records
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.backend import (
    RegistryError,
    open_registry,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import (
    STATUS_ARGUMENT_SPEC,
    format_report,
    key_stream_rows,
    parse_key_streams,
    status_report,
)
from ansible_collections.qsafe.slicing.plugins.plugin_utils._device_action import NetconfDeviceAction

display = Display()
KS_FILTER = '<key-streams xmlns="urn:qsafe:yang:key-stream"/>'
READS, READ_GAP_S = 4, 0.4


class ActionModule(NetconfDeviceAction):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(STATUS_ARGUMENT_SPEC)

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        result = super(NetconfDeviceAction, self).run(tmp, task_vars)  # ActionBase set-up only
        _validation, args = self.validate_argument_spec(argument_spec=STATUS_ARGUMENT_SPEC)
        config = {k: args[k] for k in ("dsn", "path", "state_dir") if args.get(k)}
        try:
            with open_registry(**config) as registry:
                records = registry.list()
                stale = [r["id"] for r in registry.stale()]
                report_args = {
                    "reservations": registry.reservations(),
                    "stale": stale,
                    "lock_holder": registry.lock_holder(),
                    "backend": registry.describe(),
                }
        except RegistryError as exc:
            result.update(failed=True, msg=f"slice registry: {type(exc).__name__}: {exc}")
            return result
        if args.get("slice_id"):
            records = [r for r in records if r["id"] == args["slice_id"]]
        streams, error = self._key_streams(args, task_vars)
        report = status_report(
            records, topology=args["topology"], key_streams=streams, key_streams_error=error, **report_args
        )
        text = format_report(report)
        if args["format"] == "text":
            display.display(text)
        elif args["format"] == "json":
            display.display(json.dumps(report, indent=2, sort_keys=True))
        elif args["format"] == "ietf":
            result["ietf"] = ietf_from_records(records)
            display.display(json.dumps(result["ietf"], indent=2))
        result.update(changed=False, status=report, text=text)
        return result

    def _key_streams(self, args, task_vars):
        """Rows of key_stream_rows() from every key host, or (None, why not).

        The two ends of a stream write their status a moment apart after each rotation; a read that
        falls between them is taken again (up to READS times, READ_GAP_S apart) so that "ends agree"
        reports a disagreement that lasts, not the instant of a rotation."""
        sessions = {}
        try:
            for host in args["key_hosts"]:
                conn = self._device_connection(host, {"netconf_timeout": args["netconf_timeout"]}, task_vars)
                sessions[host] = conn.open()
            for attempt in range(READS):
                by_host = {
                    host: parse_key_streams(session.get_config("running", ("subtree", KS_FILTER)))
                    for host, session in sessions.items()
                }
                rows = key_stream_rows(by_host, dt.datetime.now(dt.UTC))
                if all(row["agree"] for row in rows) or attempt == READS - 1:
                    return rows, None
                time.sleep(READ_GAP_S)
        except Exception as exc:  # noqa: BLE001 - reported in the report, the registry view still shown
            return None, f"{type(exc).__name__}: {str(exc)[:200]}"
        finally:
            for session in sessions.values():
                session.close()
        return [], None
