"""timeseries_dataset_from_array: batches of sliding windows over a timeseries, with the target at each
window's start."""

import numpy

from kerasish.utils.sample_batches import SampleBatches


def timeseries_dataset_from_array(
    data,
    targets,
    sequence_length,
    sequence_stride=1,
    sampling_rate=1,
    batch_size=128,
    shuffle=False,
    seed=None,
    start_index=None,
    end_index=None,
    format="tf",
):
    """Keras's `timeseries_dataset_from_array`: window `i` holds
    `data[start + i * sequence_stride + j * sampling_rate]` for `j < sequence_length` (counted from
    `start_index`, up to `end_index` exclusive), and its target is `targets[start + i * sequence_stride]`
    (`targets=None`: windows only). Windows are shuffled when `shuffle`, in a new order each epoch.
    Returns a PyDataset of batches of `batch_size` windows (`None`: single windows)."""
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= len(data):
            raise ValueError(
                "`start_index` must be lower than the length of the data. "
                f"Received: start_index={start_index}, for data of length {len(data)}"
            )
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(
                "`end_index` must be higher than `start_index`. "
                f"Received: start_index={start_index}, and end_index={end_index} "
            )
        if end_index >= len(data):
            raise ValueError(
                "`end_index` must be lower than the length of the data. "
                f"Received: end_index={end_index}, for data of length {len(data)}"
            )
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    for name, value in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if value <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={value}")
        if value >= len(data):
            raise ValueError(
                f"`{name}` must be lower than the length of the data. "
                f"Received: {name}={value}, for data of length {len(data)}"
            )
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')
    start_index = start_index or 0
    end_index = end_index or len(data)
    count = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        count = min(count, len(targets))
    starts = numpy.arange(0, max(count, 0), sequence_stride)
    if shuffle:
        if seed is None:
            seed = numpy.random.randint(1e6)
        numpy.random.RandomState(seed).shuffle(starts)
    steps = numpy.asarray(data[start_index:end_index])
    offsets = numpy.arange(sequence_length) * sampling_rate
    window_targets = None if targets is None else numpy.asarray(targets[start_index:end_index])[starts]
    return SampleBatches(
        starts, window_targets, lambda start: steps[start + offsets], batch_size, shuffle, seed, class_names=None
    )
