"""timeseries_dataset_from_array: windows and targets by Keras's definition, shuffling, bounds, errors."""

import numpy
import pytest

import kerasish
from kerasish import utils


def windows_by_definition(data, targets, sequence_length, sequence_stride, sampling_rate, start_index, end_index):
    steps = data[start_index:end_index]
    count = len(steps) - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = range(0, count, sequence_stride)
    x = [steps[s : s + sequence_length * sampling_rate : sampling_rate] for s in starts]
    y = None if targets is None else [targets[start_index:end_index][s] for s in starts]
    return x, y


@pytest.mark.parametrize(
    "sequence_length, sequence_stride, sampling_rate, start_index, end_index, batch_size",
    [(3, 1, 1, None, None, 4), (4, 2, 3, 2, 40, 5), (5, 3, 2, None, 33, None), (2, 1, 1, 10, None, 128)],
)
def test_windows_and_targets(sequence_length, sequence_stride, sampling_rate, start_index, end_index, batch_size):
    data = numpy.arange(50 * 2, dtype="float32").reshape(50, 2)
    targets = numpy.arange(50) * 10
    dataset = utils.timeseries_dataset_from_array(
        data,
        targets,
        sequence_length,
        sequence_stride=sequence_stride,
        sampling_rate=sampling_rate,
        batch_size=batch_size,
        start_index=start_index,
        end_index=end_index,
    )
    if batch_size is None:
        x = [window for window, _ in dataset]
        y = [target for _, target in dataset]
    else:
        x = [w for batch, _ in dataset for w in batch]
        y = [t for _, batch in dataset for t in batch]
        assert all(len(batch) <= batch_size for batch, _ in dataset)
    expected_x, expected_y = windows_by_definition(
        data, targets, sequence_length, sequence_stride, sampling_rate, start_index or 0, end_index
    )
    numpy.testing.assert_array_equal(numpy.stack(x), numpy.stack(expected_x))
    assert y == expected_y


def test_without_targets_and_shuffled():
    data = numpy.arange(20)
    plain = [tuple(w) for batch in utils.timeseries_dataset_from_array(data, None, 4, batch_size=3) for w in batch]
    dataset = utils.timeseries_dataset_from_array(data, None, 4, batch_size=3, shuffle=True, seed=1)
    first = [tuple(w) for batch in dataset for w in batch]
    second = [tuple(w) for batch in dataset for w in batch]
    assert sorted(first) == sorted(plain) == sorted(second) and first != plain and first != second
    again = [
        tuple(w)
        for batch in utils.timeseries_dataset_from_array(data, None, 4, batch_size=3, shuffle=True, seed=1)
        for w in batch
    ]
    assert again == first


def test_fit_on_windows(engine):
    rng = numpy.random.default_rng(0)
    series = rng.normal(size=(60, 3)).astype("float32")
    dataset = utils.timeseries_dataset_from_array(series[:-5], series[5:, :1], 5, batch_size=16)
    model = kerasish.Sequential([kerasish.Input((5, 3)), kerasish.layers.Flatten(), kerasish.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", backend=engine)
    assert numpy.isfinite(model.fit(dataset, epochs=1, verbose=0).history["loss"]).all()


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"start_index": -1}, "`start_index` must be 0 or greater"),
        ({"start_index": 10}, "`start_index` must be lower than the length of the data"),
        ({"start_index": 4, "end_index": 3}, "`end_index` must be higher than `start_index`"),
        ({"end_index": 10}, "`end_index` must be lower than the length"),
        ({"sampling_rate": 0}, "`sampling_rate` must be higher than 0"),
        ({"sequence_stride": 10}, "`sequence_stride` must be lower than the length"),
        ({"format": "torch"}, 'should be either "tf" or "grain"'),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        utils.timeseries_dataset_from_array(numpy.arange(10), None, 2, **arguments)
