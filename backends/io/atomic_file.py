"""atomic_path: write a file (or a folder) under a temporary name beside it, then move it into place in one step.

The one atomic-write helper of kerasish: it lives in backends/ so that every tier can use it.

A crash or an error while writing leaves the previous file (if any) untouched and no partial file.
The temporary name is `.kerasish-tmp-<pid>-<random>-<name>`: it ends with the target's own name, so
writers that check suffixes (`.weights.h5`, `.keras`) accept it, and it names the writing process,
so a writer killed before it could clean up (kill -9) is recognised: the next save to the same
target removes the temporary files of that target whose process is gone, or that nobody has
written to for `STALE_AFTER_SECONDS` (their pid may have been reused). A live concurrent writer's
file is kept. A save inside a save (ModelCheckpoint's atomic_path around `model.save`, which has
its own) writes straight into the outer temporary file, so there is one file to clean, not two.
"""

import contextlib
import os
import re
import shutil
import time
import uuid

PREFIX = ".kerasish-tmp-"
TEMPORARY = re.compile(re.escape(PREFIX) + r"\d+-[0-9a-f]{12}-.+")
STALE_AFTER_SECONDS = 24 * 3600


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; on success it replaces `path`, on error it is removed.
    A folder written there replaces the folder at `path` (removed first: that step is not atomic)."""
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    if TEMPORARY.fullmatch(name):  # already an atomic_path temporary (a save inside a save): the outer one
        yield path  # moves it into place, and a killed writer leaves one recognisable file
        return
    os.makedirs(directory, exist_ok=True)
    _remove_stale_temporaries(directory, name)
    temporary = os.path.join(directory, f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:12]}-{name}")
    try:
        yield temporary
        if os.path.isdir(temporary) and os.path.isdir(path):
            shutil.rmtree(path)
        os.replace(temporary, path)
    finally:
        if os.path.isdir(temporary):
            shutil.rmtree(temporary)
        elif os.path.exists(temporary):
            os.remove(temporary)


def _remove_stale_temporaries(directory, name):
    """Remove the temporary files that killed writers left for the target `name` in `directory`."""
    pattern = re.compile(re.escape(PREFIX) + r"(\d+)-[0-9a-f]{12}-" + re.escape(name))
    now = time.time()
    with os.scandir(directory) as entries:
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            if match is None or entry.is_symlink():
                continue
            try:
                idle = now - entry.stat(follow_symlinks=False).st_mtime
                if idle > STALE_AFTER_SECONDS or not _process_alive(int(match.group(1))):
                    shutil.rmtree(entry.path) if entry.is_dir(follow_symlinks=False) else os.remove(entry.path)
            except FileNotFoundError:  # its writer finished (or another cleaner was first)
                pass


def _process_alive(pid):
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process there: rely on the age alone
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def write_text_atomically(path, text):
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path, data):
    with atomic_path(path) as temporary:
        with open(temporary, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
