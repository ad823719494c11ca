"""image/text/audio_dataset_from_directory: Keras's indexing, labels, splits and shuffling, batches that
`fit` trains on (both engines), and clear errors."""

import os
import wave

import numpy
import pytest

import kerasish
from kerasish import utils
from kerasish.utils import directory_dataset
from kerasish.utils.image_utils import write_png

RNG = numpy.random.default_rng(7)


@pytest.fixture
def image_folder(tmp_path):
    """cat/ (4 images, one in a nested folder), dog/ (3), .hidden/ (ignored), and a non-image file."""
    images = {}
    for name, count in (("cat", 4), ("dog", 3)):
        os.makedirs(tmp_path / name / "nested")
        for index in range(count):
            relative = f"{name}/nested/{index}.png" if index == 3 else f"{name}/{index}.png"
            image = RNG.integers(0, 256, size=(5 + index, 6, 3), dtype=numpy.uint8)
            write_png(str(tmp_path / relative), image)
            images[str(tmp_path / relative)] = image
    os.makedirs(tmp_path / ".hidden")
    write_png(str(tmp_path / ".hidden" / "x.png"), images[str(tmp_path / "cat/0.png")])
    (tmp_path / "dog" / "notes.txt").write_text("not an image")
    return tmp_path, images


def test_inferred_labels_follow_the_sorted_class_folders(image_folder):
    folder, images = image_folder
    dataset = utils.image_dataset_from_directory(folder, image_size=(5, 6), batch_size=3, shuffle=False)
    assert dataset.class_names == ["cat", "dog"] and len(dataset) == 3
    assert [os.path.relpath(p, folder) for p in dataset.file_paths] == [
        "cat/0.png", "cat/1.png", "cat/2.png", "cat/nested/3.png", "dog/0.png", "dog/1.png", "dog/2.png"
    ]  # fmt: skip
    batches = list(dataset)
    x, y = batches[0]
    assert x.shape == (3, 5, 6, 3) and x.dtype == numpy.float32 and y.dtype == numpy.int32
    numpy.testing.assert_array_equal(x[0], images[str(folder / "cat/0.png")])
    assert numpy.concatenate([y for _, y in batches]).tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_the_same_files_and_order_as_keras_index_directory(image_folder):
    pytest.importorskip("keras")
    from keras.src.utils import dataset_utils

    folder, _ = image_folder
    formats = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
    for arguments in ({"shuffle": False}, {"shuffle": True, "seed": 3}, {"class_names": ["dog", "cat"], "seed": 4}):
        ours = directory_dataset.index_directory(str(folder), "inferred", formats, verbose=False, **arguments)
        theirs = dataset_utils.index_directory(str(folder), "inferred", formats, verbose=False, **arguments)
        assert ours[0] == theirs[0] and ours[2] == theirs[2]
        numpy.testing.assert_array_equal(ours[1], theirs[1])
        for subset in ("training", "validation"):
            split = directory_dataset.training_or_validation_split(ours[0], ours[1], 0.3, subset)
            expected = dataset_utils.get_training_or_validation_split(theirs[0], theirs[1], 0.3, subset)
            assert split[0] == expected[0]


@pytest.mark.parametrize(
    "label_mode, shape, dtype",
    [("int", (7,), "int32"), ("categorical", (7, 2), "float32"), ("binary", (7, 1), "float32")],
)
def test_label_modes(image_folder, label_mode, shape, dtype):
    folder, _ = image_folder
    dataset = utils.image_dataset_from_directory(folder, label_mode=label_mode, image_size=(4, 4), batch_size=7, seed=1)
    _, y = dataset[0]
    assert y.shape == shape and y.dtype == dtype
    if label_mode == "categorical":
        assert (y.sum(axis=1) == 1).all() and y[:, 1].sum() == 3


def test_no_labels_given_labels_and_color_modes(image_folder):
    folder, _ = image_folder
    images_only = utils.image_dataset_from_directory(folder, labels=None, image_size=(4, 4), color_mode="grayscale")
    # without inferred labels the whole folder is walked, hidden sub-folders included, as Keras does
    assert images_only[0].shape == (8, 4, 4, 1) and images_only.class_names is None
    given = utils.image_dataset_from_directory(folder / "cat", labels=[0, 1, 0, 1], image_size=(4, 4), shuffle=False)
    assert given.class_names == ["0", "1"] and given[0][1].tolist() == [0, 1, 0, 1]
    rgba = utils.image_dataset_from_directory(
        folder, image_size=(4, 4), color_mode="rgba", data_format="channels_first"
    )
    assert rgba[0][0].shape == (7, 4, 4, 4) and (rgba[0][0][:, 3] == 255).all()


def test_validation_split_both_parts_are_disjoint_and_cover_the_files(image_folder):
    folder, _ = image_folder
    training, validation = utils.image_dataset_from_directory(
        folder, image_size=(4, 4), validation_split=0.3, subset="both", seed=11
    )
    assert len(training.file_paths) == 5 and len(validation.file_paths) == 2
    assert set(training.file_paths) | set(validation.file_paths) == set(
        utils.image_dataset_from_directory(folder, image_size=(4, 4), shuffle=False).file_paths
    )
    same = utils.image_dataset_from_directory(
        folder, image_size=(4, 4), validation_split=0.3, subset="validation", seed=11
    )
    assert same.file_paths == validation.file_paths


def test_each_epoch_shuffles_anew_but_reproducibly(image_folder):
    folder, _ = image_folder

    def epochs(seed):
        dataset = utils.image_dataset_from_directory(folder, image_size=(4, 4), batch_size=7, seed=seed)
        return [tuple(dataset[0][0][:, 0, 0, 0]) for _ in range(2) if not dataset.on_epoch_end()]

    first, second = epochs(5)
    assert sorted(first) == sorted(second) and epochs(5) == [first, second]


def test_fit_trains_on_an_image_dataset(image_folder, engine):
    folder, _ = image_folder
    dataset = utils.image_dataset_from_directory(folder, image_size=(8, 8), batch_size=4, seed=2)
    model = kerasish.Sequential(
        [
            kerasish.Input((8, 8, 3)),
            kerasish.layers.Rescaling(1 / 255),
            kerasish.layers.Flatten(),
            kerasish.layers.Dense(2),
        ]
    )
    model.compile(
        optimizer="adam", loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True), backend=engine
    )
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and numpy.isfinite(history.history["loss"]).all()
    assert model.predict(dataset, verbose=0).shape == (7, 2)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"label_mode": "sparse"}, "`label_mode` argument must be one of"),
        ({"color_mode": "cmyk"}, "Received: color_mode=cmyk"),
        ({"image_size": (3, 3, 3)}, "Expected a tuple of 2 integers"),
        ({"interpolation": "area"}, "Received: interpolation=area"),
        ({"validation_split": 0.2, "subset": "training"}, "you must provide a `seed` argument"),
        ({"validation_split": 1.5, "subset": "training", "seed": 1}, "`validation_split` must be between 0 and 1"),
        ({"subset": "training"}, "If `subset` is set, `validation_split` must be set"),
        ({"class_names": ["cow"]}, "Expected: \\['cat', 'dog'\\]"),
        ({"labels": [0, 1]}, "len\\(labels\\) is 2 while we found 8 files"),
        ({"labels": "folders"}, "Received: labels=folders"),
        ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one of"),
    ],
)
def test_bad_arguments_are_clear_errors(image_folder, arguments, message):
    folder, _ = image_folder
    with pytest.raises(ValueError, match=message):
        utils.image_dataset_from_directory(folder, **arguments)


def test_binary_needs_two_classes_and_an_empty_folder_is_an_error(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    with pytest.raises(ValueError, match="there must be exactly 2 class_names"):
        utils.image_dataset_from_directory(tmp_path, label_mode="binary")
    with pytest.raises(ValueError, match="No images found in directory"):
        utils.image_dataset_from_directory(tmp_path)
    with pytest.raises(ValueError, match="Could not find directory"):
        utils.image_dataset_from_directory(tmp_path / "missing")


def test_a_jpeg_without_pillow_names_the_file(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "PIL", None)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    dataset = utils.image_dataset_from_directory(tmp_path, image_size=(2, 2))
    with pytest.raises(ValueError, match="photo.jpg: cannot be read as an image .* pip install pillow"):
        dataset[0]


def _link_folder(tmp_path):
    """data/a/ holds one file and links to a file and a folder outside data/, a link to a file inside it,
    and (below a linked folder inside) a link back up to data/ (a cycle when links are followed)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    (outside / "more").mkdir()
    (outside / "more" / "also.txt").write_text("not yours either")
    data = tmp_path / "data"
    (data / "a" / "real").mkdir(parents=True)
    (data / "a" / "real" / "own.txt").write_text("yours")
    os.symlink(outside / "secret.txt", data / "a" / "leak.txt")
    os.symlink(outside / "more", data / "a" / "leak_folder")
    os.symlink(data / "a" / "real" / "own.txt", data / "a" / "alias.txt")
    os.symlink(data, data / "a" / "real" / "up")
    os.symlink(outside, data / "b")
    return data


@pytest.mark.parametrize("follow_links", [False, True])
def test_links_never_lead_out_of_the_folder_nor_round_a_cycle(tmp_path, follow_links):
    data = _link_folder(tmp_path)
    with pytest.warns(UserWarning, match="outside"):
        paths, labels, class_names = directory_dataset.index_directory(
            str(data), "inferred", (".txt",), shuffle=False, follow_links=follow_links, verbose=False
        )
    assert class_names == ["a", "b"] and labels.tolist() == [0, 0]
    assert [os.path.relpath(path, data) for path in paths] == ["a/alias.txt", "a/real/own.txt"]


def test_a_file_over_the_size_cap_is_refused_naming_it(text_folder, monkeypatch):
    monkeypatch.setattr(directory_dataset, "FILE_LIMIT", 8)
    dataset = utils.text_dataset_from_directory(text_folder, batch_size=None, shuffle=False)
    assert dataset[0][0] == "bad film"
    with pytest.raises(ValueError, match=r"pos/2.txt: 14 bytes, more than the 8 bytes"):
        dataset[4]


@pytest.fixture
def text_folder(tmp_path):
    for name, texts in (("neg", ["bad film", "awful"]), ("pos", ["great", "loved it", "fine ünïcode"])):
        (tmp_path / name).mkdir()
        for index, text in enumerate(texts):
            (tmp_path / name / f"{index}.txt").write_text(text, encoding="utf-8")
    return tmp_path


def test_text_dataset(text_folder):
    dataset = utils.text_dataset_from_directory(text_folder, batch_size=2, shuffle=False, max_length=6)
    assert dataset.class_names == ["neg", "pos"] and len(dataset) == 3
    texts = [t for x, _ in dataset for t in x]
    assert texts == ["bad fi", "awful", "great", "loved ", "fine ü"]
    x, y = dataset[0]
    assert x.dtype == object and y.tolist() == [0, 0]
    single = utils.text_dataset_from_directory(text_folder, batch_size=None, shuffle=False, label_mode="binary")
    assert single[4] == ("fine ünïcode", numpy.array([1.0], "float32"))


def test_text_dataset_feeds_text_vectorization(text_folder, engine):
    dataset = utils.text_dataset_from_directory(text_folder, batch_size=5, seed=3)
    vectorize = kerasish.layers.TextVectorization(output_mode="int", output_sequence_length=3)
    vectorize.adapt(dataset[0][0])
    assert vectorize(dataset[0][0]).shape == (5, 3)


def write_wav(path, samples, rate=8000, width=2):
    with wave.open(str(path), "wb") as file:
        file.setnchannels(samples.shape[1])
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(samples.astype({1: "u1", 2: "<i2", 4: "<i4"}[width]).tobytes())


def test_audio_dataset_pads_each_batch_or_cuts_to_the_length(tmp_path):
    (tmp_path / "yes").mkdir()
    (tmp_path / "no").mkdir()
    write_wav(tmp_path / "yes" / "a.wav", numpy.array([[16384], [-32768], [0]]))
    write_wav(tmp_path / "no" / "b.wav", numpy.array([[8192], [8192], [8192], [8192], [8192]]))
    write_wav(tmp_path / "no" / "c.wav", numpy.array([[128 + 64], [0]]), width=1)
    dataset = utils.audio_dataset_from_directory(tmp_path, batch_size=3, shuffle=False)
    x, y = dataset[0]
    assert dataset.class_names == ["no", "yes"] and y.tolist() == [0, 0, 1]
    assert x.shape == (3, 5, 1) and x.dtype == numpy.float32
    numpy.testing.assert_allclose(x[:, :, 0], [[0.25] * 5, [0.5, -1.0, 0, 0, 0], [0.5, -1.0, 0, 0, 0]])
    cut = utils.audio_dataset_from_directory(tmp_path, batch_size=3, shuffle=False, output_sequence_length=2)
    assert cut[0][0].shape == (3, 2, 1)
    with pytest.raises(ValueError, match="sampled at 8000 Hz, not sampling_rate=16000"):
        utils.audio_dataset_from_directory(tmp_path, sampling_rate=16000)[0]
    with pytest.raises(ValueError, match="kerasish has no ragged tensors"):
        utils.audio_dataset_from_directory(tmp_path, ragged=True)


def test_audio_matches_scipy_wav_decoding(tmp_path):
    wavfile = pytest.importorskip("scipy.io.wavfile")
    samples = RNG.integers(-32768, 32767, size=(50, 2)).astype("<i2")
    wavfile.write(tmp_path / "x.wav", 16000, samples)
    from kerasish.utils.audio_dataset_utils import read_wav

    audio, rate = read_wav(str(tmp_path / "x.wav"))
    assert rate == 16000
    numpy.testing.assert_array_equal(audio, samples / 32768.0)
