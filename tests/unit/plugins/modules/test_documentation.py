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
    APPLY_SPEC,
    COMMON_SPEC,
    CONNECTION_SPEC,
    module_kwargs,
)
from ansible_collections.qsafe.slicing.plugins.module_utils.devices.transaction import StepResult

DEVICE_MODULES = sorted([*MODULE_HANDLERS, "device_step", "device_steps", "netconf_confirm"])
DOC_KEYS = ("type", "required", "default", "choices", "elements")


def _doc_options(text: str) -> dict:
    return yaml.safe_load(text).get("options") or {}


def _documented(module) -> dict:
    """The module's options with its doc fragments merged in, as ansible-doc merges them."""
    doc = yaml.safe_load(module.DOCUMENTATION)
    options: dict = {}
    for name in doc.get("extends_documentation_fragment", []):
        assert name.startswith("qsafe.slicing.netconf_device"), name
        var = name.rsplit(".", 1)[1].upper() if name.count(".") == 3 else "DOCUMENTATION"
        for option, spec in _doc_options(getattr(ModuleDocFragment, var)).items():
            options[option] = dict(spec)
    for option, spec in (doc.get("options") or {}).items():
        options[option] = {**options.get(option, {}), **spec}
    return options


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
    spec = module_kwargs(name)["argument_spec"]
    assert _shape(_documented(module)) == _shape(spec)


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
    fragment = {
        **_doc_options(ModuleDocFragment.DOCUMENTATION),
        **_doc_options(ModuleDocFragment.APPLY),
        **_doc_options(ModuleDocFragment.CONNECTION),
    }
    assert _shape(fragment) == _shape({**COMMON_SPEC, **CONNECTION_SPEC})
    assert _shape(_doc_options(ModuleDocFragment.APPLY)) == _shape(APPLY_SPEC)


@pytest.mark.parametrize("name", sorted(MODULE_HANDLERS))
def test_one_device_modules_return_what_device_step_returns(name):
    """ansible-doc reads RETURN from each module file (no fragments): the copies may not drift."""
    module = importlib.import_module(f"ansible_collections.qsafe.slicing.plugins.modules.{name}")
    step = importlib.import_module("ansible_collections.qsafe.slicing.plugins.modules.device_step")
    assert yaml.safe_load(module.RETURN) == yaml.safe_load(step.RETURN)


def test_documented_returns_are_the_result_keys():
    step = importlib.import_module("ansible_collections.qsafe.slicing.plugins.modules.device_step")
    documented = set(yaml.safe_load(step.RETURN))
    result = StepResult(True, "sw-1", "s", "l2_switch", "vlan", "present").to_result(diff=True)
    assert set(result) <= documented
    assert {"error_tag", "error_path"} <= documented


def test_slice_status_options_are_its_argspec():
    from ansible_collections.qsafe.slicing.plugins.module_utils.registry.status import STATUS_ARGUMENT_SPEC
    from ansible_collections.qsafe.slicing.plugins.modules import slice_status

    assert _shape(_documented(slice_status)) == _shape(STATUS_ARGUMENT_SPEC)
