"""Hostile .pth files (issue 11, findings 1, 3 and 4): every view is checked against its storage,
visited objects are remembered, storages and zip members are capped; each refusal is a PthError that
names the file (and the tensor, where there is one)."""

import os
import tracemalloc
import zipfile

import numpy
import pytest

from kerasish.backends.io.torch_pth import PICKLE_LIMIT, PthError, load_pth

from . import crafted_pth
from .crafted_pth import Tensor
from .time_limit import within

CONTAINERS = ["zip", "legacy"]


def load(path):
    with within(10):
        return load_pth(path)


def refused(path, pattern):
    with pytest.raises(PthError, match=pattern) as error:
        load(path)
    assert str(path) in str(error.value)
    return str(error.value)


@pytest.mark.parametrize("container", CONTAINERS)
@pytest.mark.parametrize(
    "size, stride, offset, pattern",
    [
        ((1024,), (-1,), 7, "a stride of tensor 'layer.weight' is -1"),
        ((2, 2), (1, -3), 4, "a stride of tensor 'layer.weight' is -3"),
        ((3,), (1,), -1, "the storage offset of tensor 'layer.weight' is -1"),
        ((8,), (2,), 0, "tensor 'layer.weight' .* runs past its storage of 8 elements"),
        ((4,), (1,), 6, "tensor 'layer.weight' .* at offset 6 runs past"),
        ((9,), (1,), 0, "tensor 'layer.weight' of size \\(9,\\), .* runs past"),
        ((), (), 8, "tensor 'layer.weight' of size \\(\\), .* at offset 8 runs past"),
        ((2**62, 2), (1, 2**62), 0, "tensor 'layer.weight' .* runs past"),
        ((2**63,), (1,), 0, "a dimension of tensor 'layer.weight' is 9223372036854775808"),
        ((2.0,), (1,), 0, "a dimension of tensor 'layer.weight' is 2.0"),
    ],
)
def test_a_view_outside_its_storage_is_refused(tmp_path, container, size, stride, offset, pattern):
    storages = {"0": numpy.arange(8, dtype="<f4")}
    path = crafted_pth.write(
        tmp_path / "w.pth", {"layer.weight": Tensor("0", size, stride, offset)}, storages, container
    )
    refused(path, pattern)


@pytest.mark.parametrize("container", CONTAINERS)
def test_views_that_fit_read_as_torch_defines_them(tmp_path, container):
    tensors, storages = crafted_pth.base_case()
    tensors["ones"] = Tensor("1", (3, 1, 2), (0, 99, 4), offset=1)  # broadcast and a size-1 dim's stride
    state = load(crafted_pth.write(tmp_path / "w.pth", tensors, storages, container))
    for name, tensor in tensors.items():
        expected = crafted_pth.reference(tensor, storages)
        assert state[name].dtype == expected.dtype and state[name].shape == expected.shape
        numpy.testing.assert_array_equal(state[name], expected)


def test_a_stride_rewritten_after_construction_is_checked_too(tmp_path):
    refused(crafted_pth.rebuilt_stride(tmp_path / "w.pth", -1), "a stride of tensor 'w' is -1")


def test_nested_shared_lists_are_walked_once(tmp_path):
    path = crafted_pth.nested_shared_lists(tmp_path / "lists.pth", levels=40)
    assert os.path.getsize(path) < 2000
    state = load(path)["lists"]  # 2**40 steps without a memo of visited objects
    assert state[0] is state[1]
    leaf = state
    for _ in range(40):
        leaf = leaf[0]
    numpy.testing.assert_array_equal(leaf[0], numpy.ones(2, "float32"))


def test_a_far_memo_index_costs_no_memory(tmp_path):
    path = crafted_pth.far_memo_index(tmp_path / "memo.pth", 2**24)
    tracemalloc.start()
    try:
        state = load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # the C unpickler's memo array alone would take 256 MB
    assert list(state) == list(crafted_pth.base_case()[0])


def test_a_declared_bytearray_is_refused_before_allocating(tmp_path):
    path = crafted_pth.declared_bytearray(tmp_path / "bytearray.pth", 2**28)
    tracemalloc.start()
    try:
        refused(path, "opcode b'\\\\x96' is not allowed in a weights file")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_a_structure_that_contains_itself_is_refused(tmp_path):
    refused(crafted_pth.self_containing_list(tmp_path / "cycle.pth"), "contains itself at 'cycle\\[0\\]'")


def test_deep_nesting_is_refused_without_a_recursion_error(tmp_path):
    refused(crafted_pth.deep_nesting(tmp_path / "deep.pth"), "nested more than 100 deep")


def test_a_storage_declared_larger_than_the_file_is_refused_before_reading(tmp_path):
    storages = {"0": numpy.arange(8, dtype="<f4")}
    path = crafted_pth.write(tmp_path / "w.pth", {"w": Tensor("0", (4,), (1,), numel=2**40)}, storages)
    refused(path, "storages declare 4398046511104 bytes, more than the .* bytes allowed")


def test_a_legacy_storage_count_larger_than_the_file_is_refused(tmp_path):
    storages = {"0": numpy.arange(8, dtype="<f4")}
    tensors = {"w": Tensor("0", (4,), (1,), numel=2**40)}
    path = tmp_path / "w.pth"
    path.write_bytes(
        crafted_pth.legacy_bytes(crafted_pth.state_pickle(tensors, storages), storages, counts={"0": 2**40})
    )
    refused(path, "storages declare .* more than the .* bytes allowed")


def test_a_deflated_storage_inflates_only_within_the_cap(tmp_path):
    path = crafted_pth.deflated_storage(tmp_path / "deflated.pth", 4 << 20)  # 16 MB in well under 2 MB
    assert os.path.getsize(path) < 2 << 20
    refused(path, "storages declare 16777216 bytes, more than the .* bytes allowed")
    state = load_pth(path, max_bytes=16 << 20)  # a caller that needs that much reads it
    assert state["w"].shape == (4 << 20,) and set(numpy.unique(state["w"])) == {0, 1, 2, 3}


def test_a_storage_member_larger_than_its_storage_is_refused(tmp_path):
    storages = {"0": numpy.arange(8, dtype="<f4")}
    path = crafted_pth.write(tmp_path / "w.pth", {"w": Tensor("0", (4,), (1,), numel=4)}, storages)
    refused(path, "member 'archive/data/0' is refused: it declares 32 bytes, more than the 16 bytes")


def test_an_oversized_pickle_member_is_refused_before_inflating(tmp_path):
    path = crafted_pth.padded_pickle(tmp_path / "padded.pth", PICKLE_LIMIT + (16 << 20))
    assert os.path.getsize(path) < PICKLE_LIMIT // 100
    refused(path, f"member 'archive/data.pkl' is refused: it declares .* bytes, more than the {PICKLE_LIMIT}")


def test_storage_members_compressed_other_than_torch_does_are_refused(tmp_path):
    tensors, storages = crafted_pth.base_case()
    path = crafted_pth.write_zip(
        tmp_path / "w.pth", crafted_pth.state_pickle(tensors, storages), storages, zipfile.ZIP_BZIP2
    )
    refused(path, "compression method 12 is not one of")


def test_views_adding_up_far_beyond_the_storages_are_refused(tmp_path):
    path = crafted_pth.many_views(tmp_path / "views.pth", count=1000, elements=65536)
    refused(path, "views add up to more than 4 times")


@pytest.mark.parametrize("container", CONTAINERS)
def test_a_storage_declared_twice_with_different_sizes_is_refused(tmp_path, container):
    storages = {"0": numpy.arange(8, dtype="<f4")}
    tensors = {"a": Tensor("0", (4,), (1,)), "b": Tensor("0", (4,), (1,), numel=6)}
    refused(crafted_pth.write(tmp_path / "w.pth", tensors, storages, container), "declared twice")


def test_a_file_that_holds_no_dict_is_refused(tmp_path):
    refused(
        crafted_pth.write_zip(tmp_path / "list.pth", crafted_pth.PROTOCOL_2 + crafted_pth.plain([1, 2]) + b".", {}),
        "it holds a list, not a state dict",
    )


def test_a_missing_storage_is_refused(tmp_path):
    tensors = {"w": Tensor("7", (2,), (1,), numel=2)}
    path = crafted_pth.write_zip(tmp_path / "w.pth", crafted_pth.state_pickle(tensors, {"7": numpy.zeros(2)}), {})
    refused(path, "storage '7' is missing from the archive")
