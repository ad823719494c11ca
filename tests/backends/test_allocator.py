"""The process-wide malloc tuning applied when training or inference starts (never at `import kerasish`):
on by default, off with KERASISH_MALLOC_TUNING=0, a no-op without glibc. Each case runs in a fresh
interpreter because the setting is process-wide and applied once."""

import os
import subprocess
import sys

import pytest

from kerasish.backends import allocator

GLIBC = (
    getattr(os, "confstr", None)
    and os.confstr_names.get("CS_GNU_LIBC_VERSION") is not None
    and (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")
)

# Page faults of touching a freshly allocated 128 MiB array for the second time: above glibc's largest
# dynamic mmap threshold (32 MiB), so untuned every allocation is a new mapping faulted in again, at
# least one fault per 2 MiB (huge) page; tuned, the freed block is reused without a fault.
SECOND_TOUCH_FAULTS = """
import resource, numpy, kerasish
from kerasish.backends import allocator
imported = allocator.applied
model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(numpy.zeros((4, 2), "float32"), numpy.zeros((4, 1), "float32"), epochs=1, verbose=0)
def touch():
    numpy.ones(32 * 2 ** 20, dtype="float32")
touch()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
touch()
print(imported, allocator.applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

# The same for a step's working set larger than 1 GiB in blocks below the mmap threshold (ResNet-50 training
# at batch 32 frees ~3.4 GB at the end of each step): freed together they make a free heap top above any
# trim threshold, which glibc would hand back to the kernel, and the next step would fault it all in again.
WORKING_SET_FAULTS = """
import resource, numpy, kerasish
model = kerasish.Sequential([kerasish.Input((2,)), kerasish.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(numpy.zeros((4, 2), "float32"), numpy.zeros((4, 1), "float32"), epochs=1, verbose=0)
def step():
    blocks = [numpy.ones(96 * 2 ** 20, dtype="float32") for _ in range(3)]
    del blocks
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _run(setting):
    environment = dict(os.environ)
    environment.pop(allocator.ENVIRONMENT_VARIABLE, None)
    if setting is not None:
        environment[allocator.ENVIRONMENT_VARIABLE] = setting
    done = subprocess.run(
        [sys.executable, "-c", SECOND_TOUCH_FAULTS], capture_output=True, text=True, env=environment, check=True
    )
    imported, applied, faults = done.stdout.split()
    return imported == "True", applied == "True", int(faults)


@pytest.mark.skipif(not GLIBC, reason="malloc tuning applies to glibc only")
def test_applied_by_fit_not_by_import_and_freed_buffers_stay_mapped():
    imported, applied, faults = _run(None)
    assert not imported and applied
    assert faults < 32


@pytest.mark.slow  # allocates 1.1 GiB twice in a fresh interpreter
@pytest.mark.skipif(not GLIBC, reason="malloc tuning applies to glibc only")
def test_a_freed_working_set_above_a_gibibyte_stays_mapped():
    environment = dict(os.environ)
    environment.pop(allocator.ENVIRONMENT_VARIABLE, None)
    done = subprocess.run(
        [sys.executable, "-c", WORKING_SET_FAULTS], capture_output=True, text=True, env=environment, check=True
    )
    assert int(done.stdout) < 64


@pytest.mark.skipif(not GLIBC, reason="malloc tuning applies to glibc only")
def test_opt_out_leaves_the_allocator_alone():
    imported, applied, faults = _run("0")
    assert not imported and not applied
    assert faults >= 64


def test_without_glibc_it_is_a_no_op(monkeypatch):
    monkeypatch.setattr(allocator, "applied", False)
    monkeypatch.setattr(allocator.os, "confstr", lambda name: None)
    monkeypatch.delenv(allocator.ENVIRONMENT_VARIABLE, raising=False)
    assert allocator.tune() is False
    assert allocator.applied is False
