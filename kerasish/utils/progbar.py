"""Progbar: Keras's progress bar, live (tqdm) only on a terminal, and one clean line when it finishes.

The live bar is cut to the terminal's width so that it can be redrawn in place; when it finishes it is
erased and the complete line (every metric) is printed, the same line a log file gets.

Keras redraws with `\\b`/`\\r` whenever "posix" is in sys.modules, which fills log files with control
characters; here liveness is decided by `sys.stdout.isatty()` alone (and interactive logging being on).
"""

import math
import sys
import time

from kerasish.utils.io_utils import can_draw_live, print_msg


class Progbar:
    """Displays a progress bar.

    Args:
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: 0 (silent), 1 (a live bar on a terminal, otherwise one line at the end), 2 (one line at
            the end).
        interval: Minimum visual progress update interval (in seconds).
        stateful_metrics: Names of metrics shown as given; all others are averaged over the steps.
        stateless_metrics: Names of metrics to average; all others are shown as given. Give at most one
            of the two.
        unit_name: Display name for step counts (usually "step" or "sample").
    """

    def __init__(
        self,
        target,
        width=20,
        verbose=1,
        interval=0.05,
        stateful_metrics=None,
        stateless_metrics=None,
        unit_name="step",
    ):
        if stateful_metrics is not None and stateless_metrics is not None:
            raise ValueError(
                "Progbar: only one of `stateful_metrics` or `stateless_metrics` can be provided, "
                f"received stateful_metrics={stateful_metrics!r} and "
                f"stateless_metrics={stateless_metrics!r}"
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics is not None else None
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics is not None else None
        if self.stateful_metrics is None and self.stateless_metrics is None:
            self.stateful_metrics = set()
        self._live = verbose == 1 and can_draw_live()
        self._bar = None
        self._seen_so_far = 0
        self._values = {}
        self._start = time.time()
        self._time_after_first_step = None

    def update(self, current, values=None, finalize=None):
        """Move to step `current`; `values` is a list of `(name, value_for_last_step)` pairs."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._accumulate(current, values or [], finalize)
        self._seen_so_far = current
        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self._live:
            self._draw_live(current, time_per_unit, finalize)
        if self.verbose and finalize:
            elapsed = f"{now - self._start:.0f}s"
            print_msg(f"{self._count(current)} - {elapsed}{self._format_time(time_per_unit)}{self._metrics_text()}")

    def add(self, n, values=None):
        self.update(self._seen_so_far + n, values)

    def _accumulate(self, current, values, finalize):
        for name, value in values:
            if self.stateful_metrics is not None:
                averaged = name not in self.stateful_metrics
            else:
                averaged = name in self.stateless_metrics
            if not averaged or finalize:
                self._values[name] = [value, 1]
                continue
            weight = max(current - self._seen_so_far, 1)
            total, count = self._values.get(name, [0.0, 0])
            self._values[name] = [total + value * weight, count + weight]

    def _draw_live(self, current, time_per_unit, finalize):
        if finalize:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
            return
        if self._bar is None:
            from tqdm import tqdm  # only a live bar needs it: importing it costs more than this module

            self._bar = tqdm(
                total=self.target,
                file=sys.stdout,
                mininterval=self.interval,
                colour="green",
                leave=False,
                ascii=" ━",
                bar_format="{n_fmt}/{total_fmt} {bar:%d} {elapsed}{desc}" % self.width,
            )
        self._bar.set_description_str(self._format_time(time_per_unit) + self._metrics_text(), refresh=False)
        self._bar.update(current - self._bar.n)

    def _count(self, current):
        if self.target is None or self.target <= 0:
            return f"{current}/Unknown"
        digits = int(math.log10(self.target)) + 1
        return f"{current:{digits}d}/{self.target}"

    def _metrics_text(self):
        text = ""
        for name, (total, count) in self._values.items():
            average = total / max(1, count)
            text += f" - {name}: {average:.4f}" if abs(average) > 1e-3 else f" - {name}: {average:.4e}"
        return text

    def _format_time(self, time_per_unit):
        if time_per_unit >= 1 or time_per_unit == 0:
            return f" {time_per_unit:.0f}s/{self.unit_name}"
        if time_per_unit >= 1e-3:
            return f" {time_per_unit * 1e3:.0f}ms/{self.unit_name}"
        return f" {time_per_unit * 1e6:.0f}us/{self.unit_name}"

    def _estimate_step_duration(self, current, now):
        """Seconds per step, leaving out the first (compiling, warming up) step once there are others."""
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            duration = (now - self._time_after_first_step) / (current - 1)
        else:
            duration = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return duration
