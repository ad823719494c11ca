"""docs/keras-compatibility.md is what tools/keras_compatibility.py writes from today's namespaces."""

import importlib.util
import json
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parent.parent / "tools" / "keras_compatibility.py"
_spec = importlib.util.spec_from_file_location("keras_compatibility", TOOL)
keras_compatibility = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(keras_compatibility)


def test_the_page_is_up_to_date():
    assert keras_compatibility.main(["--check"]) == 0, "run: python tools/keras_compatibility.py"


def test_every_name_is_supported_not_applicable_or_missing_with_totals():
    listing = json.loads(keras_compatibility.NAMES_FILE.read_text())
    table = keras_compatibility.classify(listing["names"])
    for namespace, rows in table.items():
        assert len(rows) == len(listing["names"][namespace])
        assert {status for _, status, _ in rows} <= {"supported", "not applicable", "missing"}
    assert all(reason for rows in table.values() for _, status, reason in rows if status == "not applicable")


@pytest.mark.skipif(importlib.util.find_spec("keras") is None, reason="needs real Keras")
def test_the_committed_list_is_the_installed_keras_names():
    listing = json.loads(keras_compatibility.NAMES_FILE.read_text())
    fresh = keras_compatibility.keras_names()
    if fresh["keras_version"] != listing["keras_version"]:
        pytest.skip(f"Keras {fresh['keras_version']} installed; the list is of {listing['keras_version']}")
    assert fresh == listing
