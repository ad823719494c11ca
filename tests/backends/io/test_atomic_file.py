import os

import pytest

from kerasish.backends.io.atomic_file import atomic_path, write_text_atomically


def test_the_file_appears_whole_and_the_temporary_keeps_the_suffix(tmp_path):
    target = tmp_path / "sub" / "model.weights.h5"
    with atomic_path(target) as temporary:
        assert temporary.endswith("model.weights.h5") and os.path.dirname(temporary) == str(target.parent)
        with open(temporary, "w") as file:
            file.write("new")
        assert not target.exists()
    assert target.read_text() == "new" and os.listdir(target.parent) == ["model.weights.h5"]


def test_an_error_keeps_the_previous_file_and_removes_the_temporary(tmp_path):
    target = tmp_path / "log.json"
    write_text_atomically(target, "old")
    with pytest.raises(RuntimeError, match="crash"):
        with atomic_path(target) as temporary:
            with open(temporary, "w") as file:
                file.write("half")
            raise RuntimeError("crash")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["log.json"]


def test_a_folder_replaces_the_previous_folder_and_an_error_leaves_it(tmp_path):
    target = tmp_path / "extracted"
    target.mkdir()
    (target / "old.txt").write_text("old")
    with pytest.raises(RuntimeError, match="crash"):
        with atomic_path(target) as temporary:
            os.makedirs(temporary)
            raise RuntimeError("crash")
    assert os.listdir(tmp_path) == ["extracted"] and os.listdir(target) == ["old.txt"]
    with atomic_path(target) as temporary:
        os.makedirs(temporary)
        with open(os.path.join(temporary, "new.txt"), "w") as file:
            file.write("new")
    assert os.listdir(tmp_path) == ["extracted"] and os.listdir(target) == ["new.txt"]
