"""The one label source: every enum member and every error code reads in Chinese and English."""

import ast
import importlib
import pkgutil
import re
from enum import Enum
from pathlib import Path

import pytest
from flask_babel import force_locale

import hotline.core
from hotline import labels
from hotline.core.accounts.permissions import Permission
from hotline.core.accounts.privacy import CallerVisibility

ROOT = Path(__file__).resolve().parents[2]
# Enums that never reach a person's eyes: how a page decides, not what it shows.
INTERNAL = {Permission, CallerVisibility}
CJK = re.compile(r"[\u4e00-\u9fff]")
# The error classes whose first argument or `errors` dict values are error codes.
ERROR_CALLS = {
    "ServiceError",
    "NotFound",
    "Forbidden",
    "Conflict",
    "ValidationFailed",
    "TransitionError",
    "VehicleTransitionError",
}


def core_enums() -> set[type[Enum]]:
    found = set()
    for module in pkgutil.walk_packages(hotline.core.__path__, "hotline.core."):
        for value in vars(importlib.import_module(module.name)).values():
            if (
                isinstance(value, type)
                and issubclass(value, Enum)
                and value.__module__.startswith("hotline.core")
            ):
                found.add(value)
    return found - INTERNAL


def _strings(node: ast.AST) -> set[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Dict):
        return {s for v in node.values for s in _strings(v)}
    return set()


def error_codes() -> set[str]:
    """Codes passed to the service and rule errors, or put into an `errors` dict, anywhere."""
    codes = set()
    for path in (ROOT / "hotline").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in ERROR_CALLS and node.args:
                    codes |= _strings(node.args[0])
            elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                target = node.targets[0]
                if isinstance(target, ast.Subscript) and getattr(target.value, "id", "") in {
                    "errors",
                    "problems",
                }:
                    codes |= _strings(node.value)
    return codes


def _both(text) -> tuple[str, str]:
    with force_locale("zh"):
        zh = str(text)
    with force_locale("en"):
        en = str(text)
    return zh, en


def test_every_core_enum_is_labelled_member_by_member(app):
    registered = labels.registered()
    enums = core_enums()
    assert len(enums) >= 15
    for enum in enums:
        assert enum in registered, f"{enum.__module__}.{enum.__name__} has no labels"
        assert set(registered[enum]) == {m.value for m in enum}, enum


@pytest.mark.parametrize("enum", sorted(core_enums(), key=lambda e: e.__name__))
def test_each_label_reads_in_chinese_and_in_english(app, enum):
    with app.test_request_context():
        for value, text in labels.registered()[enum].items():
            zh, en = _both(text)
            assert en.strip(), (enum, value)
            assert CJK.search(zh), (enum, value, zh)


def test_every_error_code_has_a_message_in_both_languages(app):
    codes = error_codes()
    assert len(codes) > 30
    missing = sorted(codes - set(labels.ERROR_LABELS))
    assert missing == []
    with app.test_request_context():
        for code in codes:
            zh, en = _both(labels.ERROR_LABELS[code])
            assert en.strip() and CJK.search(zh), (code, zh)


def test_a_stale_label_fails_at_import():
    with pytest.raises(ValueError):
        labels.register(Permission, {"no_such_permission": "x"})


def test_reports_read_labels_in_chinese_whatever_the_language(app):
    from hotline.core.orders.intake import OrderType

    with app.test_request_context(), force_locale("en"):
        assert labels.chinese(OrderType, "tip_off") == "举报"
        assert labels.label(OrderType.TIP_OFF) == "Report"
