"""Connectionist temporal classification, as Keras's `ops.ctc_loss` and `ops.ctc_decode`.

`ctc_loss` is one primitive: the forward algorithm in log space over the label states of each
sequence, the recursion of Keras's own backends (optax's `ctc_loss_with_forward_probs`): a blank
state before each label and after the last one, an emit state per label, forbidden transitions
weighted by LOG_EPSILON rather than -inf (so a label sequence too long for its frames has a large
finite loss, as in Keras). Its gradient is a second primitive, `ctc_loss_grad`, which reruns the
forward pass, runs the backward one (the same transitions, transposed) and returns d loss / d logits
from the state occupancies; it has no gradient of its own. Frames at or past `output_length` keep
the states unchanged and get no gradient.

`ctc_decode` (no gradient) gives two results, so it is two primitives over one decoder: the paths and
the scores. Greedy decoding runs on the array library; beam search (prefix beam search, which keeps
for each prefix the probability of ending in a label and of ending in a blank) runs on the host.
"""

import numpy

from .. import device
from ..kernels import softmax as kernels
from .checks import check_range
from .registry import export, ops, primitive, result_dtype

LOG_EPSILON = -1e5
PAD = -1  # the class of an empty place in a decoded path
STRATEGIES = ("greedy", "beam_search")


# ----- shapes ------------------------------------------------------------------------------------


def _same_batch(name, shapes, labels):
    known = {shape[0] for shape in shapes if shape[0] is not None}
    if len(known) > 1:
        listed = ", ".join(f"{label}.shape={tuple(shape)}" for label, shape in zip(labels, shapes))
        raise ValueError(f"{name}: the arguments must have the same batch size (first dimension). Received: {listed}")
    return known.pop() if known else None


def _loss_shapes(shapes, mask_index):
    target, output, target_length, output_length = (tuple(shape) for shape in shapes)
    expected = {
        "target": ("(batch_size, max_length)", 2),
        "output": ("(batch_size, max_length, num_classes)", 3),
        "target_length": ("(batch_size,)", 1),
        "output_length": ("(batch_size,)", 1),
    }
    for (label, (layout, rank)), shape in zip(expected.items(), (target, output, target_length, output_length)):
        if len(shape) != rank:
            raise ValueError(f"ctc_loss: argument `{label}` must have shape {layout}. Received: {label}.shape={shape}")
    batch = _same_batch("ctc_loss", shapes, tuple(expected))
    classes = output[2]
    if classes is not None and not 0 <= mask_index < classes:
        raise ValueError(
            f"ctc_loss: mask_index={mask_index} is not a class of `output` (num_classes={classes}, "
            f"output.shape={output})"
        )
    return batch


def _float(dtype):
    return result_dtype(dtype, numpy.float32)


def _loss_infer(shapes, dtypes, mask_index):
    return (_loss_shapes(shapes, mask_index),), _float(dtypes[1])


def _grad_infer(shapes, dtypes, mask_index):
    _loss_shapes(shapes, mask_index)
    return tuple(shapes[1]), _float(dtypes[1])


# ----- the forward and backward passes ----------------------------------------------------------


def _prepare(xp, target, output, target_length, output_length, mask_index):
    dtype = _float(output.dtype)
    logprobs = kernels.log_softmax(xp, output.astype(dtype, copy=False), -1)
    batch, steps, classes = logprobs.shape
    labels = xp.clip(target.astype(numpy.int64), 0, classes - 1)  # padding places are never reached
    # repeat[b, n]: label n equals label n + 1, so a blank must separate them
    repeat = xp.zeros(target.shape, dtype=dtype)
    if target.shape[1] > 1:
        repeat[:, :-1] = target[:, :-1] == target[:, 1:]
    # padding[t, b]: frame t is past sequence b's length
    padding = xp.arange(steps)[:, None] >= output_length.astype(numpy.int64)[None, :]
    emissions = xp.take_along_axis(logprobs, xp.broadcast_to(labels[:, None, :], (batch, steps, labels.shape[1])), 2)
    blanks = logprobs[:, :, mask_index : mask_index + 1]
    return logprobs, labels, repeat, padding, emissions, blanks


def _forward_states(xp, repeat, padding, emissions, blanks):
    """The log-probabilities of the blank states (B, N+1) and emit states (B, N) before the first frame
    and after each frame."""
    batch, steps, count = emissions.shape
    dtype = emissions.dtype
    phi = xp.full((batch, count + 1), LOG_EPSILON, dtype=dtype)
    phi[:, 0] = 0.0
    emit = xp.full((batch, count), LOG_EPSILON, dtype=dtype)
    phis, emits = [phi], [emit]
    for step in range(steps):
        emission, blank, pad = emissions[:, step], blanks[:, step], padding[step][:, None]
        # emit -> next blank state without a frame, unless the next label repeats this one
        before = xp.concatenate([phi[:, :1], xp.logaddexp(phi[:, 1:], emit + LOG_EPSILON * repeat)], axis=1)
        next_emit = xp.logaddexp(before[:, :-1], emit) + emission
        next_phi = before + blank
        # emit -> next blank state with a blank frame, where the next label repeats this one
        next_phi[:, 1:] = xp.logaddexp(next_phi[:, 1:], emit + blank + LOG_EPSILON * (1.0 - repeat))
        phi, emit = xp.where(pad, phi, next_phi), xp.where(pad, emit, next_emit)
        phis.append(phi)
        emits.append(emit)
    return phis, emits


def _final(xp, phi, emit, target_length):
    """log p(target | output): the last blank state, or the last label's emit state."""
    ends = xp.concatenate([phi[:, :1], xp.logaddexp(phi[:, 1:], emit)], axis=1)
    return xp.take_along_axis(ends, target_length.astype(numpy.int64)[:, None], 1)[:, 0]


def _ctc_loss_forward(xp, target, output, target_length, output_length, mask_index):
    _, _, repeat, padding, emissions, blanks = _prepare(xp, target, output, target_length, output_length, mask_index)
    phis, emits = _forward_states(xp, repeat, padding, emissions, blanks)
    return -_final(xp, phis[-1], emits[-1], target_length)


def _ctc_loss_grad_forward(xp, target, output, target_length, output_length, mask_index):
    logprobs, labels, repeat, padding, emissions, blanks = _prepare(
        xp, target, output, target_length, output_length, mask_index
    )
    _, steps, classes = logprobs.shape
    count = labels.shape[1]
    occupancy = xp.zeros(logprobs.shape, dtype=logprobs.dtype)  # of each class at each frame
    phis, emits = _forward_states(xp, repeat, padding, emissions, blanks)
    total = _final(xp, phis[-1], emits[-1], target_length)[:, None]
    # the backward variables after the last frame: 0 at the two end states, -inf elsewhere
    length = target_length.astype(numpy.int64)[:, None]
    beta_phi = xp.where(xp.arange(count + 1)[None, :] == length, 0.0, -numpy.inf).astype(logprobs.dtype)
    beta_emit = xp.where(xp.arange(count)[None, :] == length - 1, 0.0, -numpy.inf).astype(logprobs.dtype)
    skip = xp.logaddexp(LOG_EPSILON * repeat, LOG_EPSILON * (1.0 - repeat))  # emit n -> blank n + 1
    chosen = (labels[:, :, None] == xp.arange(classes)[None, None, :]).astype(logprobs.dtype)
    for step in range(steps - 1, -1, -1):
        pad = padding[step][:, None]
        occupancy_phi = xp.where(pad, 0.0, xp.exp(phis[step + 1] + beta_phi - total))
        occupancy_emit = xp.where(pad, 0.0, xp.exp(emits[step + 1] + beta_emit - total))
        occupancy[:, step] += xp.einsum("bn,bnk->bk", occupancy_emit, chosen)
        occupancy[:, step, mask_index] += occupancy_phi.sum(axis=1)
        # back through this frame's emission and transitions
        after_phi = beta_phi + blanks[:, step]
        after_emit = beta_emit + emissions[:, step]
        previous_phi = after_phi.copy()
        previous_phi[:, :-1] = xp.logaddexp(after_phi[:, :-1], after_emit)
        previous_emit = xp.logaddexp(after_phi[:, 1:] + skip, after_emit)
        if count > 1:
            previous_emit[:, :-1] = xp.logaddexp(
                previous_emit[:, :-1], after_emit[:, 1:] + LOG_EPSILON * repeat[:, :-1]
            )
        beta_phi, beta_emit = xp.where(pad, beta_phi, previous_phi), xp.where(pad, beta_emit, previous_emit)
    # d(-log p)/d logits = softmax * (total occupancy of the frame) - occupancy of each class
    return xp.exp(logprobs) * occupancy.sum(axis=2, keepdims=True) - occupancy


def _ctc_loss_vjp(g, inputs, output, needs, mask_index):
    if not needs[1]:
        return None, None, None, None
    return None, ops.reshape(g, (-1, 1, 1)) * _ctc_loss_grad(*inputs, mask_index=mask_index), None, None


_ctc_loss = primitive("ctc_loss", _ctc_loss_forward, _ctc_loss_vjp, _loss_infer, saves=(0, 1, 2, 3))
_ctc_loss_grad = primitive("ctc_loss_grad", _ctc_loss_grad_forward, None, _grad_infer)


def _checked(target, output, target_length, output_length):
    """The arguments, with their values checked when the op runs: lengths within the padded sizes,
    labels (within each target's length) among the classes."""
    labels, (steps, classes) = tuple(target.shape)[1], tuple(output.shape)[1:]
    if steps is not None:
        output_length = check_range(
            output_length,
            low=0,
            high=steps + 1,
            message=f"ctc_loss: output_length {{value}} is outside [0, {steps}] (output.shape[1], the number of "
            "frames; output_length shape {shape})",
            error="ValueError",
        )
    if labels is not None:
        target_length = check_range(
            target_length,
            low=0,
            high=labels + 1,
            message=f"ctc_loss: target_length {{value}} is outside [0, {labels}] (target.shape[1], the padded "
            "label length; target_length shape {shape})",
            error="ValueError",
        )
        if classes is not None:
            counted = ops.less(ops.expand_dims(ops.arange(labels, dtype="int32"), 0), ops.expand_dims(target_length, 1))
            target = check_range(
                ops.where(counted, target, 0),
                low=0,
                high=classes,
                message=f"ctc_loss: label {{value}} is not a class of `output`: labels within each target's "
                f"length must be in [0, {classes}) (target shape {{shape}})",
                error="ValueError",
            )
    return target, target_length, output_length


@export
def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """The CTC loss of each sequence: -log p(target | output), `output` being logits (B, T, K)."""
    target = ops.convert_to_tensor(target, dtype="int32")
    output = ops.convert_to_tensor(output)
    target_length = ops.convert_to_tensor(target_length, dtype="int32")
    output_length = ops.convert_to_tensor(output_length, dtype="int32")
    mask_index = int(mask_index)
    _loss_shapes([tuple(x.shape) for x in (target, output, target_length, output_length)], mask_index)
    target, target_length, output_length = _checked(target, output, target_length, output_length)
    return _ctc_loss(target, output, target_length, output_length, mask_index=mask_index)


# ----- decoding ----------------------------------------------------------------------------------


def _greedy(xp, inputs, lengths, merge_repeated, mask_index):
    batch, steps, _ = inputs.shape
    indices = xp.argmax(inputs, axis=-1).astype(numpy.int32)
    past = xp.arange(steps)[None, :] >= lengths.astype(numpy.int64)[:, None]
    indices = xp.where(past, mask_index, indices)
    scores = -xp.where(past, 0.0, inputs.max(axis=-1)).sum(axis=1, keepdims=True)
    if merge_repeated and steps > 1:
        repeated = xp.zeros(indices.shape, dtype=bool)
        repeated[:, 1:] = indices[:, 1:] == indices[:, :-1]
        indices = xp.where(repeated, mask_index, indices)
    blank = indices == mask_index
    # the labels first, in their order, then the blanks (-1)
    order = xp.argsort(xp.where(blank, steps, xp.arange(steps)[None, :]), axis=1)
    paths = xp.take_along_axis(xp.where(blank, PAD, indices), order, axis=1)
    return paths[None].astype(numpy.int32), scores.astype(inputs.dtype)


def _prefix_beam_search(logprobs, length, beam_width, top_paths, mask_index):
    """One sequence (T, K) of log-probabilities: the `top_paths` most probable label sequences and
    their log-probabilities. Each beam is a prefix with the log-probabilities of its paths that end in
    a label and in a blank; each frame, every beam stays (a blank, or its last label held) or grows by
    one label (after a blank only, where the label repeats its last one), all classes at once."""
    steps, classes = logprobs.shape
    prefixes, label, blank = [()], numpy.array([-numpy.inf]), numpy.array([0.0])
    every_class = numpy.arange(classes)
    for step in range(min(max(int(length), 1), steps)):
        frame = logprobs[step]
        either = numpy.logaddexp(label, blank)
        last = numpy.array([prefix[-1] if prefix else -1 for prefix in prefixes])
        stay_blank = either + frame[mask_index]
        stay_label = numpy.where(last >= 0, label + frame[last.clip(0)], -numpy.inf)
        repeats = last[:, None] == every_class[None, :]
        grow = numpy.where(repeats, blank[:, None], either[:, None]) + frame[None, :]
        grow[:, mask_index] = -numpy.inf
        # a grown prefix that is already a beam adds to that beam
        position = {prefix: index for index, prefix in enumerate(prefixes)}
        for index, prefix in enumerate(prefixes):
            parent = position.get(prefix[:-1]) if prefix else None
            if parent is not None:
                stay_label[index] = numpy.logaddexp(stay_label[index], grow[parent, prefix[-1]])
                grow[parent, prefix[-1]] = -numpy.inf
        totals = numpy.concatenate([numpy.logaddexp(stay_label, stay_blank), grow.ravel()])
        chosen = [c for c in numpy.argsort(-totals, kind="stable")[:beam_width] if totals[c] > -numpy.inf]
        beams = len(prefixes)
        grown = [divmod(c - beams, classes) for c in chosen if c >= beams]
        kept = [c for c in chosen if c < beams]
        prefixes = [prefixes[c] for c in kept] + [prefixes[row] + (int(cls),) for row, cls in grown]
        label = numpy.array([stay_label[c] for c in kept] + [grow[row, cls] for row, cls in grown])
        blank = numpy.array([stay_blank[c] for c in kept] + [-numpy.inf] * len(grown))
    totals = numpy.logaddexp(label, blank)
    best = numpy.argsort(-totals, kind="stable")[:top_paths]
    return [(prefixes[index], float(totals[index])) for index in best]


def _beam_search(xp, inputs, lengths, beam_width, top_paths, mask_index):
    batch, steps, _ = inputs.shape
    logprobs = device.to_numpy(kernels.log_softmax(xp, inputs, -1))
    lengths = device.to_numpy(lengths)
    paths = numpy.full((top_paths, batch, steps), PAD, dtype=numpy.int32)
    scores = numpy.full((batch, top_paths), -numpy.inf, dtype=logprobs.dtype)
    for sequence in range(batch):
        found = _prefix_beam_search(logprobs[sequence], lengths[sequence], beam_width, top_paths, mask_index)
        for rank, (prefix, score) in enumerate(found):
            paths[rank, sequence, : len(prefix)] = prefix
            scores[sequence, rank] = score
    return xp.asarray(paths), xp.asarray(scores)


def _decode(xp, inputs, lengths, strategy, beam_width, top_paths, merge_repeated, mask_index):
    inputs = inputs.astype(_float(inputs.dtype), copy=False)
    if strategy == "greedy":
        return _greedy(xp, inputs, lengths, merge_repeated, mask_index)
    return _beam_search(xp, inputs, lengths, beam_width, top_paths, mask_index)


def _decode_shapes(shapes, strategy, top_paths):
    inputs, lengths = (tuple(shape) for shape in shapes)
    if len(inputs) != 3 or len(lengths) != 1:
        raise ValueError(
            "ctc_decode: `inputs` must have shape (batch_size, max_length, num_classes) and "
            f"`sequence_lengths` shape (batch_size,). Received: inputs.shape={inputs}, "
            f"sequence_lengths.shape={lengths}"
        )
    batch = _same_batch("ctc_decode", shapes, ("inputs", "sequence_lengths"))
    return (1 if strategy == "greedy" else top_paths), batch, inputs[1]


def _paths_infer(shapes, dtypes, strategy, beam_width, top_paths, merge_repeated, mask_index):
    return _decode_shapes(shapes, strategy, top_paths), numpy.dtype("int32")


def _scores_infer(shapes, dtypes, strategy, beam_width, top_paths, merge_repeated, mask_index):
    paths, batch, _ = _decode_shapes(shapes, strategy, top_paths)
    return (batch, paths), _float(dtypes[0])


_ctc_decode_paths = primitive(
    "ctc_decode_paths", lambda xp, *arrays, **attrs: _decode(xp, *arrays, **attrs)[0], None, _paths_infer
)
_ctc_decode_scores = primitive(
    "ctc_decode_scores", lambda xp, *arrays, **attrs: _decode(xp, *arrays, **attrs)[1], None, _scores_infer
)


@export
def ctc_decode(
    inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1, merge_repeated=True, mask_index=0
):
    """(paths, scores): paths (top_paths, batch, max_length) of labels, -1 past each path's end (greedy:
    one path, and its score is minus the sum of each frame's largest logit); scores (batch, top_paths),
    for beam search the log-probability of each path."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Invalid strategy {strategy}. Supported values are 'greedy' and 'beam_search'.")
    for label, value in (("beam_width", beam_width), ("top_paths", top_paths)):
        if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)) or value < 1:
            raise ValueError(f"ctc_decode: `{label}` must be a positive integer. Received: {label}={value!r}")
    if strategy == "beam_search" and top_paths > beam_width:
        raise ValueError(f"ctc_decode: `top_paths` ({top_paths}) cannot be larger than `beam_width` ({beam_width})")
    inputs = ops.convert_to_tensor(inputs)
    sequence_lengths = ops.convert_to_tensor(sequence_lengths, dtype="int32")
    classes = tuple(inputs.shape)[-1] if len(inputs.shape) == 3 else None
    if classes is not None and not 0 <= int(mask_index) < classes:
        raise ValueError(
            f"ctc_decode: mask_index={mask_index} is not a class of `inputs` (num_classes={classes}, "
            f"inputs.shape={tuple(inputs.shape)})"
        )
    attrs = dict(
        strategy=strategy,
        beam_width=int(beam_width),
        top_paths=int(top_paths),
        merge_repeated=bool(merge_repeated),
        mask_index=int(mask_index),
    )
    return _ctc_decode_paths(inputs, sequence_lengths, **attrs), _ctc_decode_scores(inputs, sequence_lengths, **attrs)
