# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vendor the upstream OpenConfig models the lab's devices use, unmodified, at one release.

Copies the modules named in ROOTS and everything they import or include (transitively) from a
checkout of github.com/openconfig/public at one tag into yang/openconfig/ (flat: netconfd and
yanglint search one directory), with the repository's LICENSE, and writes yang/openconfig/README.md
naming the release, its commit and each file's upstream path. Files are copied byte for byte.

  .venv/bin/python devel/tools/vendor_openconfig.py --repo PATH_TO_openconfig_public --tag v5.9.0
"""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "yang" / "openconfig"
# The modules the device kinds use (see docs/devices.md); imports follow.
ROOTS = (
    "openconfig-network-instance",
    "openconfig-interfaces",
    "openconfig-if-ethernet",
    "openconfig-vlan",
    "openconfig-platform",
    "openconfig-platform-transceiver",
    "openconfig-terminal-device",
    "openconfig-transport-line-connectivity",
)
DEPENDS = re.compile(r"^\s*(?:import|include)\s+\"?([\w.-]+)\"?\s*[{;]", re.MULTILINE)


def closure(files: dict[str, pathlib.Path], roots: tuple[str, ...]) -> list[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in files:
            raise SystemExit(f"{name}: not found in the release")
        seen.add(name)
        todo.extend(DEPENDS.findall(files[name].read_text()))
    return sorted(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", required=True, help="a git clone of github.com/openconfig/public")
    parser.add_argument("--tag", required=True)
    args = parser.parse_args()
    commit = subprocess.check_output(
        ["git", "-C", args.repo, "rev-parse", f"{args.tag}^{{commit}}"], text=True
    ).strip()
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(
            ["git", "-C", args.repo, "archive", commit, "release/models", "third_party/ietf", "LICENSE"],
            check=True, capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        base = pathlib.Path(tmp)
        files = {p.stem.split("@")[0]: p for p in base.rglob("*.yang")}
        names = closure(files, ROOTS)
        OUT.mkdir(parents=True, exist_ok=True)
        for old in OUT.glob("*.yang"):
            old.unlink()
        rows = []
        for name in names:
            src = files[name]
            (OUT / src.name).write_bytes(src.read_bytes())
            rows.append(f"| `{name}` | `{src.relative_to(base)}` |")
        (OUT / "LICENSE").write_bytes((base / "LICENSE").read_bytes())
    (OUT / "README.md").write_text(
        f"""# OpenConfig YANG models, vendored unmodified

Release `{args.tag}` of github.com/openconfig/public, commit `{commit}`: the modules the lab's
devices use ({", ".join(f"`{r}`" for r in ROOTS)}) and everything they import or include, copied
byte for byte (flat, so netconfd and yanglint search one directory) by
`devel/tools/vendor_openconfig.py --repo <clone> --tag {args.tag}`. Licence: Apache-2.0
(`LICENSE`, the repository's own); the `third_party/ietf` modules carry the IETF Trust's notice in
their descriptions.

Never edit these files. What the lab's netconfd cannot compile is described in docs/lab.md
("YANG models on the lab's netconfd") with the form the lab loads instead (`yang/lab/`); the
devices' instance data is checked against these files with yanglint
(`tests/integration/lab/test_upstream_models.py`).

| module | upstream path |
|---|---|
{chr(10).join(rows)}
"""
    )
    print(f"{len(names)} modules of {args.tag} ({commit}) in {OUT}")


if __name__ == "__main__":
    main()
