"""`set_random_seed` makes model initialisation repeatable, from the first model of a fresh interpreter on (as in
Keras), whatever kerasish imports on first use in between."""

import subprocess
import sys

_TWO_MODELS = """
import kerasish
def build():
    kerasish.utils.set_random_seed(3)
    inputs = kerasish.Input((12,))
    hidden = kerasish.layers.Dense(16, activation="relu")(inputs)
    model = kerasish.Model(inputs, kerasish.layers.Dense(4)(hidden))
    model.summary()
    return [weight.numpy() for weight in model.weights]
first, second = build(), build()
print(all((a == b).all() for a, b in zip(first, second)))
"""


def test_the_first_model_after_set_random_seed_is_initialised_as_the_next_ones():
    # a fresh interpreter: what kerasish imports on first use (kerasish.Model, rich for the summary) happens
    # between the seeding and the first layers only there
    done = subprocess.run([sys.executable, "-c", _TWO_MODELS], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-1] == "True"
