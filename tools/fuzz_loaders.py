"""Long fuzz runs of kerasish's file readers, for the record (the test suite runs a fixed budget).

    python tools/fuzz_loaders.py --format pth --count 100000 [--seed 0] [--seconds 180]

Each format's entry in FORMATS yields (mutated case, check) pairs; a check returns an outcome
("loaded", "refused") or raises AssertionError on a broken contract (a raw exception, a hang, a
memory blow-up, wrong values). The run stops after `--count` cases or `--seconds`, whichever comes
first, and prints the counts and every finding.
"""

import argparse
import collections
import itertools
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def pth_cases(seed, folder):
    from tests.security import crafted_pth

    path = os.path.join(folder, "mutated.pth")
    streams = [crafted_pth.mutations(seed, "zip"), crafted_pth.mutations(seed + 1, "legacy")]
    for case in itertools.chain.from_iterable(zip(*streams)):
        yield case.how, lambda case=case: crafted_pth.outcome(case, path)


def keras_file_cases(fmt):
    """`.keras`, `.weights.h5`, legacy `.h5` or static-function cases; a check gives one outcome per
    load of the format, joined ("loaded+refused": load_weights loaded, load_model refused)."""

    def cases(seed, folder):
        from tests.security import mutated_keras_files

        material = mutated_keras_files.material(os.path.join(folder, "valid"))
        for case in mutated_keras_files.mutations(seed, fmt, material):
            yield case.how, lambda case=case: "+".join(mutated_keras_files.outcome(case, material, folder))

    return cases


FORMATS = {"pth": pth_cases, **{fmt: keras_file_cases(fmt) for fmt in ("keras", "weights", "legacy", "static")}}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=sorted(FORMATS), required=True)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seconds", type=float, default=float("inf"))
    arguments = parser.parse_args(argv)
    counts, findings = collections.Counter(), []
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        for how, check in itertools.islice(FORMATS[arguments.format](arguments.seed, folder), arguments.count):
            try:
                counts[check()] += 1
            except AssertionError as finding:
                counts["finding"] += 1
                findings.append(f"{how}: {finding}")
            if time.monotonic() - start > arguments.seconds:
                break
    tried = sum(counts.values())
    print(
        f"{arguments.format}: {tried} mutated files in {time.monotonic() - start:.0f} s (seed {arguments.seed}): "
        + ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
    )
    for finding in findings:
        print(f"FINDING {finding}")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
