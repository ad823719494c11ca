"""Approximate quantiles for `Discretization.adapt`, as Keras computes them: each batch is reduced to a
weighted summary of about 1/epsilon values, summaries are merged and compressed, and the bin boundaries
are read off the final summary. Host numpy, float32 like Keras."""

import numpy


def empty_summary():
    return numpy.array([[], []], dtype="float32")


def summarize(values, epsilon):
    """A (2, n) summary of `values`: sorted values at a stride of about len/(1/epsilon), each with its weight."""
    values = numpy.sort(numpy.reshape(values, [-1]))
    step = max(values.size * epsilon, 1)
    boundaries = values[int(step - 1) :: int(step)]
    return numpy.stack([boundaries, numpy.ones_like(boundaries) * step])


def merge_summaries(previous, summary, epsilon):
    merged = numpy.concatenate((previous, summary), axis=1)
    merged = numpy.take(merged, numpy.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)


def compress_summary(summary, epsilon):
    """The summary re-sampled at the cumulative-weight fractions epsilon, 2·epsilon, ..., 1."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + numpy.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    new_bins = numpy.interp(percents, fractions, summary[0])
    cumulative = numpy.interp(percents, fractions, cumulative)
    new_weights = cumulative - numpy.concatenate((numpy.array([0]), cumulative[:-1]))
    return numpy.stack((new_bins, new_weights)).astype("float32")


def bin_boundaries(summary, num_bins):
    return compress_summary(summary, 1.0 / num_bins)[0, :-1]
