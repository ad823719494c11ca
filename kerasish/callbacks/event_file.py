"""Writing TensorBoard event files with the `tensorboard` package's own writer and summary builders, which
need neither TensorFlow nor a TensorFlow-shaped API: the records are those `tf.summary` writes (scalars
and histograms as tensors under the "scalars"/"histograms" plugins, the model config under
"graph_keras_model"), so TensorBoard shows them as it shows Keras's."""

import time

INSTALL_HINT = "The TensorBoard callback needs the `tensorboard` package: pip install 'kerasish[tensorboard]'"


def require_tensorboard():
    """The modules the writer uses; an ImportError saying what to install when tensorboard is missing."""
    try:
        from tensorboard.compat.proto import event_pb2, summary_pb2
        from tensorboard.plugins.histogram import summary_v2 as histogram_summary
        from tensorboard.plugins.scalar import summary_v2 as scalar_summary
        from tensorboard.summary.writer.event_file_writer import EventFileWriter
        from tensorboard.util import tensor_util
    except ImportError as error:
        raise ImportError(f"{INSTALL_HINT} ({error})") from error
    return {
        "event_pb2": event_pb2,
        "summary_pb2": summary_pb2,
        "histogram_summary": histogram_summary,
        "scalar_summary": scalar_summary,
        "EventFileWriter": EventFileWriter,
        "tensor_util": tensor_util,
    }


class EventFile:
    """One run's event file in `log_dir` (created when missing): `scalar`, `histogram`, `keras_model`."""

    HISTOGRAM_BUCKETS = 30  # tf.summary.histogram's default

    def __init__(self, log_dir):
        self._tensorboard = require_tensorboard()
        self._writer = self._tensorboard["EventFileWriter"](log_dir)

    def _add(self, summary, step):
        event = self._tensorboard["event_pb2"].Event(wall_time=time.time(), step=int(step), summary=summary)
        self._writer.add_event(event)

    def scalar(self, tag, value, step):
        self._add(self._tensorboard["scalar_summary"].scalar_pb(tag, float(value)), step)

    def histogram(self, tag, values, step):
        summary = self._tensorboard["histogram_summary"].histogram_pb(tag, values, buckets=self.HISTOGRAM_BUCKETS)
        self._add(summary, step)

    def keras_model(self, tag, json_string, step):
        """The model's JSON config, which TensorBoard's graph plugin draws as Keras's conceptual graph."""
        summary_pb2 = self._tensorboard["summary_pb2"]
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="graph_keras_model", content=b"1")
        )
        tensor = self._tensorboard["tensor_util"].make_tensor_proto(json_string)
        self._add(
            summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, metadata=metadata, tensor=tensor)]), step
        )

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()
