"""Seeded fuzzing of the `.keras`, `.weights.h5`, legacy `.h5` and static-function loaders, with a
fixed budget (issue 11).

Each mutated file (bit flips, overwritten bytes, truncation, shape and dtype of a dataset, links
and external storage put in place of a dataset, attributes, zip header fields and members) must
either load with values the file holds or be refused with a kerasish error (a ValueError naming the
file) within 5 seconds and 64 MB; a refused `load_weights` leaves the model as it was, and nothing
loaded holds the bytes of a file outside the one loaded. `tools/fuzz_loaders.py --format keras
--count N` (weights, legacy, static) runs the same cases for longer.
"""

import collections
import itertools

import pytest

from tests.security import mutated_keras_files

CASES = {"keras": 100, "weights": 100, "legacy": 100, "static": 200}


@pytest.fixture(scope="module")
def material(tmp_path_factory):
    return mutated_keras_files.material(tmp_path_factory.mktemp("valid_files"))


@pytest.mark.slow
@pytest.mark.parametrize("fmt", mutated_keras_files.FORMATS)
def test_every_mutated_file_loads_as_it_means_or_is_refused(material, tmp_path, fmt):
    outcomes = collections.Counter()
    for case in itertools.islice(mutated_keras_files.mutations(seed=11, fmt=fmt, material=material), CASES[fmt]):
        outcomes.update(mutated_keras_files.outcome(case, material, tmp_path))
    # the budget reaches both sides of the contract
    assert outcomes["loaded"] > 10 and outcomes["refused"] > 10, outcomes
