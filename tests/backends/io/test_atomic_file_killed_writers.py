"""Temporary files of killed writers: a writer killed by SIGKILL mid-write leaves its temporary file,
and the next save to the same target removes it, but never the file of a live concurrent writer."""

import os
import signal
import subprocess
import sys
import time

import pytest

from kerasish.backends.io import atomic_file
from kerasish.backends.io.atomic_file import atomic_path, write_text_atomically

pytestmark = pytest.mark.skipif(os.name == "nt", reason="SIGKILL and pid checks are POSIX")

WRITER = """
import contextlib, os, sys, time
from kerasish.backends.io.atomic_file import atomic_path
target, release, nested = sys.argv[1], sys.argv[2], sys.argv[3] == "nested"


@contextlib.contextmanager
def saving(target):
    with atomic_path(target) as temporary:
        if not nested:
            yield temporary
            return
        with atomic_path(temporary) as inner:
            yield inner


with saving(target) as temporary:
    with open(temporary, "w") as file:
        file.write("half written by " + str(os.getpid()))
        file.flush()
    print(temporary, flush=True)
    while not os.path.exists(release):  # paused mid-write until released (or killed)
        time.sleep(0.01)
    with open(temporary, "a") as file:
        file.write(", finished")
"""


def start_paused_writer(target, release, nested=False):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(target), str(release), "nested" if nested else "-"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
    )
    temporary = process.stdout.readline().strip()
    assert temporary and os.path.exists(temporary), process.communicate()
    return process, temporary


# the nested case adds only the outer save to the same clean-up: it runs in the full suite
@pytest.mark.parametrize(
    "nested", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["save", "save inside a save"]
)
def test_the_next_save_removes_a_killed_writers_file_and_keeps_a_live_writers(tmp_path, nested):
    target = tmp_path / "model.weights.h5"
    write_text_atomically(target, "previous")
    killed, killed_temporary = start_paused_writer(target, tmp_path / "never", nested)
    live, live_temporary = start_paused_writer(target, tmp_path / "release")
    try:
        os.kill(killed.pid, signal.SIGKILL)
        killed.wait(timeout=30)
        assert os.path.exists(killed_temporary) and target.read_text() == "previous"
        assert len(os.listdir(tmp_path)) == 3  # the target and one temporary file per writer

        write_text_atomically(target, "next")
        assert target.read_text() == "next"
        assert not os.path.exists(killed_temporary)
        assert os.path.exists(live_temporary)
    finally:
        (tmp_path / "release").touch()
        live.wait(timeout=30)
    assert live.returncode == 0
    assert target.read_text().endswith(", finished")
    assert sorted(os.listdir(tmp_path)) == ["model.weights.h5", "release"]


def test_only_stale_temporaries_of_the_same_target_are_removed(tmp_path):
    target = tmp_path / "a.keras"
    alive_and_fresh = tmp_path / f".kerasish-tmp-{os.getpid()}-0123456789ab-a.keras"
    alive_but_old = tmp_path / f".kerasish-tmp-{os.getpid()}-ba9876543210-a.keras"
    other_target = tmp_path / ".kerasish-tmp-999999999-0123456789ab-b.keras"
    not_ours = tmp_path / ".tmp-999999999-0123456789ab-a.keras"
    for path in (alive_and_fresh, alive_but_old, other_target, not_ours):
        path.write_text("x")
    old = time.time() - atomic_file.STALE_AFTER_SECONDS - 60
    os.utime(alive_but_old, (old, old))
    with atomic_path(target) as temporary:
        with open(temporary, "w") as file:
            file.write("saved")
    assert sorted(os.listdir(tmp_path)) == sorted(["a.keras", alive_and_fresh.name, other_target.name, not_ours.name])


def test_a_save_inside_a_save_writes_into_the_outer_temporary(tmp_path):
    target = tmp_path / "model.keras"
    with atomic_path(target) as outer:
        with atomic_path(outer) as inner:
            assert inner == outer
            with open(inner, "w") as file:
                file.write("whole")
        assert not target.exists()
    assert target.read_text() == "whole" and os.listdir(tmp_path) == ["model.keras"]
