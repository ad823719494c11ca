"""audio_dataset_from_directory: a dataset of audio batches (and labels) from a folder of class folders of
`.wav` files, decoded with the standard library's `wave` module (PCM, 8/16/24/32-bit)."""

import wave

import numpy

from kerasish.utils import directory_dataset

ALLOWED_FORMATS = (".wav",)
_SCALES = {1: 128.0, 2: 32768.0, 3: 8388608.0, 4: 2147483648.0}


def read_wav(path):
    """`(samples, rate)`: float32 `(frames, channels)` in [-1, 1), as `tf.audio.decode_wav` gives them."""
    try:
        with wave.open(path, "rb") as file:
            width, channels, rate = file.getsampwidth(), file.getnchannels(), file.getframerate()
            frames = file.readframes(file.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"{path}: not a PCM WAV file that can be read ({error})") from error
    if width == 1:  # 8-bit WAV is unsigned
        values = numpy.frombuffer(frames, numpy.uint8).astype(numpy.float32) - 128.0
    elif width == 3:
        raw = numpy.frombuffer(frames, numpy.uint8).reshape(-1, 3)
        values = (
            raw[:, 0].astype(numpy.int32) | raw[:, 1].astype(numpy.int32) << 8 | raw[:, 2].astype(numpy.int32) << 16
        )
        values = numpy.where(values >= 1 << 23, values - (1 << 24), values).astype(numpy.float32)
    else:
        values = numpy.frombuffer(frames, {2: "<i2", 4: "<i4"}[width]).astype(numpy.float32)
    return (values / _SCALES[width]).reshape(-1, channels), rate


def _fit_length(audio, length):
    if len(audio) >= length:
        return audio[:length]
    return numpy.concatenate([audio, numpy.zeros((length - len(audio), audio.shape[1]), audio.dtype)])


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
):
    """Keras's `audio_dataset_from_directory`: batches of float32 audio `(batch, frames, channels)` in
    [-1, 1) and their labels (`label_mode` as in `image_dataset_from_directory`). Each clip is cut or
    zero-padded to `output_sequence_length`, or else the clips of a batch are zero-padded to its longest.
    `sampling_rate`, when given, must be every file's rate (kerasish does not resample: a file at another
    rate is an error naming it). `ragged=True` is refused: kerasish has no ragged tensors."""
    directory_dataset.check_labels_argument(labels, class_names, "audio")
    directory_dataset.check_label_mode(label_mode)
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if ragged:
        raise ValueError("`ragged=True` is not supported: kerasish has no ragged tensors (batches are zero-padded).")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError(f"`sampling_rate` should have an integer value. Received: sampling_rate={sampling_rate}")
        if sampling_rate <= 0:
            raise ValueError(f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}")
    if output_sequence_length is not None and (
        not isinstance(output_sequence_length, int) or output_sequence_length < 1
    ):
        raise ValueError(
            f"`output_sequence_length` must be a positive integer or None. Received: {output_sequence_length}"
        )
    if labels is None or label_mode is None:
        labels, label_mode = None, None

    def load(path):
        audio, rate = read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(
                f"{path}: sampled at {rate} Hz, not sampling_rate={sampling_rate}; kerasish does not resample audio"
            )
        return _fit_length(audio, output_sequence_length) if output_sequence_length is not None else audio

    def collate(clips):
        longest = max(len(clip) for clip in clips)
        return numpy.stack([_fit_length(clip, longest) for clip in clips])

    return directory_dataset.from_directory(
        directory,
        labels,
        label_mode,
        class_names,
        ALLOWED_FORMATS,
        load,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        "audio files",
        collate=collate,
    )
