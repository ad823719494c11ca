"""Engine agreement, long run: random programs (the generator of
tests/backends/test_engine_agreement_property.py) run on the dynamic and the static engine.

    python tools/engine_agreement.py --count 5000 --seed 1000

Prints each disagreement or error (with the program, which `program(seed)` rebuilds) and a summary:
programs tried, agreed, disagreed, failed with an error.
"""

import argparse
import os
import sys
import time
import traceback
import warnings

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.backends.test_engine_agreement_property import Disagreement, program, run  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="how many programs to try")
    parser.add_argument("--seed", type=int, default=0, help="the first program's seed (then seed + 1, ...)")
    parser.add_argument("--verbose", action="store_true", help="print the traceback of each error")
    arguments = parser.parse_args(argv)
    disagreed, failed = [], []
    start = time.perf_counter()
    for seed in range(arguments.seed, arguments.seed + arguments.count):
        if (seed - arguments.seed) % 500 == 0 and seed > arguments.seed:
            print(
                f"... {seed - arguments.seed} programs, {len(disagreed)} disagree, {len(failed)} error "
                f"({time.perf_counter() - start:.0f} s)",
                flush=True,
            )
        description = program(seed)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                run(description)
        except Disagreement as error:
            disagreed.append(seed)
            print(f"DISAGREE {error}", flush=True)
        except Exception as error:  # noqa: BLE001 - every failure is reported, none stops the run
            failed.append(seed)
            print(f"ERROR program {description}: {type(error).__name__}: {error}", flush=True)
            if arguments.verbose:
                traceback.print_exc()
    seconds = time.perf_counter() - start
    print(
        f"{arguments.count} programs (seeds {arguments.seed}..{arguments.seed + arguments.count - 1}) in "
        f"{seconds:.0f} s: {arguments.count - len(disagreed) - len(failed)} agree, {len(disagreed)} disagree, "
        f"{len(failed)} error"
    )
    return 1 if disagreed or failed else 0


if __name__ == "__main__":
    sys.exit(main())
