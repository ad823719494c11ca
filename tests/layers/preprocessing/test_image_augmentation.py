"""Image preprocessing and augmentation layers: identity at inference, the same draws on both engines for a
seed, outputs in range, the statistics of the draws, shapes, configs, `.keras` files, gradients, training
inside a model on both engines and use on numpy batches in a data pipeline, and clear errors."""

import numpy
import pytest

import kerasish
from kerasish import layers
from kerasish.backends.dynamic import Tensor
from kerasish.data import DataLoader
from kerasish.utils.py_dataset import PyDataset
from tests.layers.keras_file_checks import check_keras_file_round_trip
from tests.layers.layer_checks import check_config_round_trip, check_gradients, check_shapes

IMAGES = (numpy.random.default_rng(0).random((4, 10, 12, 3)) * 255).astype("float32")

# constructors of every random layer (a fresh seeded layer per call); the deterministic ones are below
RANDOM = {
    "RandomFlip": lambda: layers.RandomFlip(seed=1),
    "RandomRotation": lambda: layers.RandomRotation(0.2, seed=1),
    "RandomZoom": lambda: layers.RandomZoom(0.3, 0.2, fill_mode="constant", seed=1),
    "RandomTranslation": lambda: layers.RandomTranslation(0.2, 0.1, fill_mode="wrap", seed=1),
    "RandomShear": lambda: layers.RandomShear(0.3, 0.3, interpolation="nearest", seed=1),
    "RandomCrop": lambda: layers.RandomCrop(6, 7, seed=1),
    "RandomContrast": lambda: layers.RandomContrast(0.4, seed=1),
    "RandomBrightness": lambda: layers.RandomBrightness(0.3, seed=1),
    "RandomGrayscale": lambda: layers.RandomGrayscale(0.5, seed=1),
    "RandomErasing": lambda: layers.RandomErasing((1.0, 1.0), seed=1),
    "RandomColorJitter": lambda: layers.RandomColorJitter(
        brightness_factor=0.2, contrast_factor=0.3, saturation_factor=0.5, hue_factor=0.2, seed=1
    ),
    "MixUp": lambda: layers.MixUp(alpha=2.0, seed=2),
    "CutMix": lambda: layers.CutMix(seed=1),
    "RandAugment": lambda: layers.RandAugment(num_ops=2, seed=1),
    "RandomSaturation": lambda: layers.RandomSaturation(0.7, seed=1),
    "RandomHue": lambda: layers.RandomHue(0.3, seed=1),
    "RandomColorDegeneration": lambda: layers.RandomColorDegeneration(0.6, seed=1),
    "RandomSharpness": lambda: layers.RandomSharpness(0.6, seed=1),
    "Solarization": lambda: layers.Solarization(0.3, 0.5, seed=1),
    "RandomPosterization": lambda: layers.RandomPosterization(4, seed=1),
    "RandomInvert": lambda: layers.RandomInvert((0.5, 0.5), seed=1),
    "Equalization": lambda: layers.Equalization(),
    "RandomGaussianBlur": lambda: layers.RandomGaussianBlur((1.0, 1.0), sigma=(0.5, 1.0), seed=1),
    "RandomPerspective": lambda: layers.RandomPerspective(0.9, scale=0.5, seed=1),
    "RandomElasticTransform": lambda: layers.RandomElasticTransform(seed=1),
    "AugMix": lambda: layers.AugMix(num_chains=2, chain_depth=2, seed=1),
}
DETERMINISTIC = {
    "Resizing": lambda: layers.Resizing(5, 6),
    "CenterCrop": lambda: layers.CenterCrop(6, 8),
    "AutoContrast": lambda: layers.AutoContrast(),
    "ContrastLimitedAdaptiveHistogramEqualization": lambda: layers.ContrastLimitedAdaptiveHistogramEqualization(
        tile_grid_size=(2, 3)
    ),
}
ALL = {**RANDOM, **DETERMINISTIC}
RESIZED = {"RandomCrop": (6, 7), "Resizing": (5, 6), "CenterCrop": (6, 8)}


def expected_shape(name, shape=IMAGES.shape):
    height, width = RESIZED.get(name, shape[1:3])
    return (shape[0], height, width, shape[3])


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_inference_is_the_identity(name):
    layer = RANDOM[name]()
    out = numpy.asarray(layer(IMAGES, training=False))
    if name == "RandomCrop":  # the central crop of the target aspect ratio, resized
        reference = layers.Resizing(6, 7, crop_to_aspect_ratio=True)(IMAGES)
        numpy.testing.assert_allclose(out, numpy.asarray(reference), rtol=1e-6)
    else:
        numpy.testing.assert_array_equal(out, IMAGES)


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_the_same_seed_draws_the_same_on_both_engines_and_new_draws_each_call(name):
    dynamic_layer, static_layer = RANDOM[name](), RANDOM[name]()
    step = kerasish.function(lambda x: static_layer(x, training=True), engine="static")
    first, second = (numpy.asarray(dynamic_layer(Tensor(IMAGES), training=True)) for _ in range(2))
    numpy.testing.assert_allclose(numpy.asarray(step(IMAGES)), first, rtol=1e-5, atol=1e-3)
    numpy.testing.assert_allclose(numpy.asarray(step(IMAGES)), second, rtol=1e-5, atol=1e-3)
    if name != "Equalization":  # the one layer of the list that draws nothing
        assert not numpy.allclose(first, IMAGES[:, : first.shape[1], : first.shape[2]])
        assert not numpy.array_equal(first, second)


@pytest.mark.parametrize("name", sorted(ALL))
def test_shapes_range_config_and_unbatched_images(name):
    layer = ALL[name]()
    out = check_shapes(layer, IMAGES, expected_shape(name))
    values = numpy.asarray(out)
    assert values.dtype == numpy.float32
    assert values.min() >= -1e-3 and values.max() <= 255 + 1e-3, (values.min(), values.max())
    clone = check_config_round_trip(layer)
    assert clone.get_config() == layer.get_config()
    single = numpy.asarray(ALL[name]()(IMAGES[0]))
    assert single.shape == expected_shape(name)[1:]


def test_integer_images_give_floats():
    out = layers.RandomFlip(seed=0)(IMAGES.astype("uint8"))
    assert numpy.asarray(out).dtype == numpy.float32


def test_flip_happens_about_half_the_time_and_flips_the_right_axis():
    images = numpy.broadcast_to(numpy.arange(6, dtype="float32")[None, None, :, None], (4000, 2, 6, 1))
    out = numpy.asarray(layers.RandomFlip("horizontal", seed=3)(images))
    flipped = out[:, 0, 0, 0] == 5
    assert numpy.all(flipped | (out[:, 0, 0, 0] == 0))
    numpy.testing.assert_array_equal(out[flipped], images[flipped][:, :, ::-1])
    assert abs(flipped.mean() - 0.5) < 0.04  # 4000 draws: standard error 0.008
    vertical = numpy.asarray(layers.RandomFlip("vertical", seed=3)(images))
    numpy.testing.assert_array_equal(vertical, images)  # a top-bottom flip of two equal rows


def test_grayscale_probability_and_drawn_angles_stay_in_their_ranges():
    images = numpy.random.default_rng(1).random((3000, 2, 2, 3)).astype("float32")
    out = numpy.asarray(layers.RandomGrayscale(0.3, seed=2)(images))
    gray = numpy.all(numpy.isclose(out[..., 0], out[..., 1]) & numpy.isclose(out[..., 1], out[..., 2]), axis=(1, 2))
    assert abs(gray.mean() - 0.3) < 0.04
    rotation = layers.RandomRotation((-0.1, 0.25), seed=4)
    angles = numpy.asarray(rotation.get_random_transformation(images, training=True)["angle"])
    assert angles.min() >= -36.0 and angles.max() < 90.0 and angles.max() > 80.0 and angles.min() < -30.0


def test_mix_up_and_cut_mix_mix_labels_with_the_image_weights():
    labels = numpy.eye(4, dtype="float32")
    for layer in (layers.MixUp(alpha=0.5, seed=3), layers.CutMix(seed=3)):
        out = layer({"images": IMAGES, "labels": labels})
        mixed = numpy.asarray(out["labels"])
        numpy.testing.assert_allclose(mixed.sum(axis=1), 1.0, rtol=1e-6)
        assert numpy.asarray(out["images"]).shape == IMAGES.shape
    inference = layers.MixUp(seed=3)({"images": IMAGES, "labels": labels}, training=False)
    numpy.testing.assert_array_equal(numpy.asarray(inference["labels"]), labels)


def test_cut_mix_pastes_a_rectangle_of_the_partner_image():
    images = numpy.arange(4, dtype="float32")[:, None, None, None] * numpy.ones((4, 16, 16, 1), "float32")
    layer = layers.CutMix(seed=5)
    drawn = layer.get_random_transformation(images, training=True)
    out = numpy.asarray(layer.transform_images(images, drawn))
    partners = numpy.asarray(drawn["permutation_order"])
    for i in range(4):
        if partners[i] == i:  # mixed with itself: unchanged
            numpy.testing.assert_array_equal(out[i], images[i])
            continue
        pasted = out[i, :, :, 0] != i
        assert numpy.all(out[i, :, :, 0][pasted] == partners[i])
        rows, columns = numpy.nonzero(pasted)
        if rows.size:  # a filled rectangle
            assert pasted[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1].all()
        kept = 1 - pasted.mean()
        assert abs(kept - float(numpy.asarray(drawn["mix_weight"])[i])) < 0.2


def test_channels_first_matches_channels_last():
    first = numpy.moveaxis(IMAGES, -1, 1)
    for make in (
        lambda f: layers.RandomRotation(0.2, seed=6, data_format=f),
        lambda f: layers.RandomZoom(0.2, seed=6, data_format=f),
        lambda f: layers.RandomContrast(0.5, seed=6, data_format=f),
        lambda f: layers.RandomSaturation(0.7, seed=6, data_format=f),
        lambda f: layers.Resizing(5, 7, data_format=f),
        lambda f: layers.RandomErasing(seed=6, fill_value=3.0, data_format=f),
    ):
        last = numpy.asarray(make("channels_last")(IMAGES))
        numpy.testing.assert_allclose(
            numpy.asarray(make("channels_first")(first)), numpy.moveaxis(last, -1, 1), atol=1e-3
        )


def test_gradients_through_resizing_and_random_rotation(engine):
    inputs = numpy.random.default_rng(2).random((2, 6, 7, 2))
    check_gradients(layers.Resizing(4, 9, dtype="float64"), inputs, engine)
    check_gradients(layers.CenterCrop(4, 5, dtype="float64"), inputs, engine)
    check_gradients(layers.RandomRotation(0.1, seed=1, dtype="float64"), inputs, engine, training=False)


def test_keras_file_round_trip_of_a_model_with_augmentation(tmp_path):
    inputs = kerasish.Input((10, 12, 3))
    x = layers.RandomFlip(seed=1)(inputs)
    x = layers.RandomRotation(0.1, seed=2)(x)
    x = layers.Resizing(8, 8)(x)
    model = kerasish.Model(inputs, layers.Conv2D(2, 3)(x))
    model.save(tmp_path / "augmented.keras")
    loaded = kerasish.saving.load_model(tmp_path / "augmented.keras")
    numpy.testing.assert_allclose(loaded.predict(IMAGES, verbose=0), model.predict(IMAGES, verbose=0), rtol=1e-6)
    assert [type(layer).__name__ for layer in loaded.layers[1:4]] == ["RandomFlip", "RandomRotation", "Resizing"]
    check_keras_file_round_trip(layers.RandAugment(seed=4), IMAGES, tmp_path)


def _augmented_model(engine):
    model = kerasish.Sequential(
        [
            kerasish.Input((10, 12, 3)),
            layers.Rescaling(1 / 255),
            layers.RandomFlip("horizontal", seed=1),
            layers.RandomTranslation(0.1, 0.1, seed=2),
            layers.RandomZoom(0.1, seed=3),
            layers.Conv2D(4, 3, activation="relu"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(2),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=kerasish.losses.SparseCategoricalCrossentropy(from_logits=True),
        backend=engine,
    )
    return model


def test_fit_trains_through_augmentation_on_both_engines(engine):
    labels = (IMAGES.mean(axis=(1, 2, 3)) > 127).astype("int32")
    model = _augmented_model(engine)
    flip = model.layers[1]
    start = flip.generator.state.numpy().copy()
    before = [w.copy() for w in model.get_weights()]
    history = model.fit(IMAGES, labels, batch_size=2, epochs=2, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()
    assert any(not numpy.allclose(a, b) for a, b in zip(before, model.get_weights()))
    assert flip.generator.state.numpy()[1] == start[1] + 4  # one draw per training batch, 2 batches x 2 epochs
    first = model.predict(IMAGES, verbose=0)
    numpy.testing.assert_array_equal(model.predict(IMAGES, verbose=0), first)  # no augmentation at inference


class AugmentedBatches(PyDataset):
    def __init__(self, images, labels, augment, size):
        super().__init__()
        self.images, self.labels, self.augment, self.size = images, labels, augment, size

    def __len__(self):
        return len(self.images) // self.size

    def __getitem__(self, index):
        rows = slice(index * self.size, (index + 1) * self.size)
        return numpy.asarray(self.augment(self.images[rows])), self.labels[rows]


def test_layers_augment_numpy_batches_in_a_data_pipeline(engine):
    augment = kerasish.Sequential([layers.RandomFlip(seed=1), layers.RandomContrast(0.2, seed=2)])
    batch = augment(IMAGES[:2])
    assert numpy.asarray(batch).shape == (2, 10, 12, 3) and not numpy.allclose(numpy.asarray(batch), IMAGES[:2])
    model = kerasish.Sequential([kerasish.Input((10, 12, 3)), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", backend=engine)
    history = model.fit(AugmentedBatches(IMAGES / 255, numpy.array([0, 1, 0, 1]), augment, 2), epochs=1, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()


def test_layers_augment_in_a_data_loader_collate_function(engine):
    flip = layers.RandomFlip("horizontal", seed=4)

    def collate(samples):
        images, labels = (numpy.stack(parts) for parts in zip(*samples))
        return numpy.asarray(flip(images)), labels

    samples = [(IMAGES[i] / 255, i % 2) for i in range(4)]
    batches = list(DataLoader(samples, batch_size=2, collate_fn=collate))
    assert [b[0].shape for b in batches] == [(2, 10, 12, 3)] * 2
    model = kerasish.Sequential([kerasish.Input((10, 12, 3)), layers.Flatten(), layers.Dense(2)])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", backend=engine)
    history = model.fit(DataLoader(samples, batch_size=2, collate_fn=collate), epochs=2, verbose=0)
    assert numpy.isfinite(history.history["loss"]).all()
    assert flip.generator.state.numpy()[1] == 6  # one draw per batch: 2 listed + 2 epochs x 2


@pytest.mark.parametrize("name", sorted(ALL))
def test_an_image_of_the_wrong_rank_names_the_layer_and_the_shape(name):
    layer = ALL[name]()
    with pytest.raises(ValueError, match=rf"{layer.name}.*rank 3 \(single image\) or 4.*\(10, 12\)"):
        layer(IMAGES[0, :, :, 0])


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: layers.RandomFlip("diagonal"), "unknown mode argument diagonal"),
        (lambda: layers.RandomRotation(1.5), r"range \[-1, 1\]. Received: factor=1.5"),
        (lambda: layers.RandomRotation(0.1, fill_mode="mirror"), "Unknown `fill_mode` mirror"),
        (lambda: layers.RandomZoom(-1.0), "Received: input_number=-1.0"),
        (lambda: layers.RandomContrast(2.0), r"range \[0, 1\]. Received: factor=2.0"),
        (lambda: layers.RandomGrayscale(1.5), "factor=1.5"),
        (lambda: layers.RandomBrightness(0.2, value_range=5), "value_range=5"),
        (lambda: layers.Resizing(0, 4), "height=0"),
        (lambda: layers.Resizing(4, 4, interpolation="area"), "Unknown `interpolation` area"),
        (lambda: layers.CenterCrop(4, "4"), "width='4'"),
        (lambda: layers.MixUp(alpha=0), "alpha=0"),
        (lambda: layers.RandAugment(num_ops=-1), "num_ops=-1"),
        (lambda: layers.RandomFlip(bounding_box_format="xyxy"), "bounding_box_format='xyxy'"),
    ],
)
def test_bad_arguments_quote_the_value(make, message):
    with pytest.raises((ValueError, NotImplementedError), match=message):
        make()
