# Copyright: (c) 2026, qsafe.slicing contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each device module's documented options are the argument spec derived from its step handler.

The handler declares its fields once (devices/*.py); the module's argspec is derived from them and
this test keeps the hand-written DOCUMENTATION (which carries the descriptions) equal to it.
"""

from __future__ import annotations

import importlib

import pytest
import yaml
from ansible_collections.qsafe.slicing.plugins.doc_fragments.netconf_device import ModuleDocFragment
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.handlers import MODULE_HANDLERS
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.module import (
    COMMON_SPEC,
    CONNECTION_SPEC,
    module_kwargs,
)

DEVICE_MODULES = sorted([*MODULE_HANDLERS, "device_step"])
DOC_KEYS = ("type", "required", "default", "choices", "elements")


def _doc_options(text: str) -> dict:
    return yaml.safe_load(text).get("options") or {}


def _shape(options: dict) -> dict:
    """name -> the keys an argument spec and its documentation must agree on."""
    out = {}
    for name, option in options.items():
        shape = {k: option[k] for k in DOC_KEYS if option.get(k) not in (None, False)}
        out[name] = shape
    return out


@pytest.mark.parametrize("name", DEVICE_MODULES)
def test_module_options_are_the_derived_argspec(name):
    module = importlib.import_module(f"ansible_collections.qsafe.slicing.plugins.modules.{name}")
    documented = _doc_options(module.DOCUMENTATION)
    documented.update(_doc_options(ModuleDocFragment.DOCUMENTATION))
    documented.update(_doc_options(ModuleDocFragment.CONNECTION))
    spec = module_kwargs(name)["argument_spec"]
    assert _shape(documented) == _shape(spec)


@pytest.mark.parametrize("name", sorted(MODULE_HANDLERS))
def test_state_present_requirements_are_documented(name):
    """A field required only for state=present says so in its description."""
    module = importlib.import_module(f"ansible_collections.qsafe.slicing.plugins.modules.{name}")
    documented = _doc_options(module.DOCUMENTATION)
    for _key, _value, fields in MODULE_HANDLERS[name].required_if():
        for field in fields:
            text = " ".join(documented[field]["description"]) if isinstance(
                documented[field]["description"], list) else documented[field]["description"]
            assert "Required when O(state=present)" in text, field


def test_shared_options_come_from_one_fragment():
    fragment = {**_doc_options(ModuleDocFragment.DOCUMENTATION), **_doc_options(ModuleDocFragment.CONNECTION)}
    assert _shape(fragment) == _shape({**COMMON_SPEC, **CONNECTION_SPEC})
