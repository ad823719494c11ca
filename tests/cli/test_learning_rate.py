"""Caffe's lr policies as schedules, against a transcription of Caffe's SGDSolver::GetLearningRate."""

import json
import math

import numpy
import pytest

from kerasish.cli import config as run_config
from kerasish.cli.config import ConfigError
from kerasish.cli.learning_rate import learning_rate

ITERATIONS = [0, 1, 9, 10, 11, 99, 100, 101, 150, 299, 300]
MAX_ITER = 300


def caffe_rate(policy, iteration, base_lr=0.1, gamma=0.5, power=0.75, stepsize=10, stepvalue=(10, 100, 150)):
    """GetLearningRate, with multistep's current_step_ advanced from 0 as the solver does every iteration."""
    if policy == "fixed":
        return base_lr
    if policy == "step":
        return base_lr * gamma ** math.floor(iteration / stepsize)
    if policy == "exp":
        return base_lr * gamma**iteration
    if policy == "inv":
        return base_lr * (1 + gamma * iteration) ** (-power)
    if policy == "multistep":
        current_step = 0
        for it in range(iteration + 1):
            if current_step < len(stepvalue) and it >= stepvalue[current_step]:
                current_step += 1
        return base_lr * gamma**current_step
    if policy == "poly":
        return base_lr * (1 - iteration / MAX_ITER) ** power
    return base_lr * 0.5 * (1 + math.cos(math.pi * iteration / MAX_ITER))  # cosine (not in BVLC Caffe)


def solver_config(tmp_path, **solver):
    path = tmp_path / "solver.json"
    path.write_text(json.dumps({"solver": solver}))
    return run_config.load(str(path))


@pytest.mark.parametrize("policy", ["fixed", "step", "exp", "inv", "multistep", "poly", "cosine"])
def test_each_policy_follows_caffe_at_every_iteration_checked(tmp_path, policy):
    gamma = 0.99 if policy == "exp" else 0.5  # keep exp's rates above float32's smallest
    config = solver_config(
        tmp_path,
        lr_policy=policy,
        base_lr=0.1,
        gamma=gamma,
        power=0.75,
        stepsize=10,
        stepvalue=[10, 100, 150],
        max_iter=MAX_ITER,
    )
    schedule = learning_rate(config, MAX_ITER)
    got = [float(numpy.asarray(schedule(numpy.int64(i)) if callable(schedule) else schedule)) for i in ITERATIONS]
    expected = [caffe_rate(policy, i, gamma=gamma) for i in ITERATIONS]
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-9)  # float32 rates


@pytest.mark.parametrize(
    "policy, missing", [("step", "stepsize"), ("inv", "power"), ("multistep", "stepvalue"), ("exp", "gamma")]
)
def test_a_policy_without_its_fields_names_them(tmp_path, policy, missing):
    fields = {"gamma": 0.5, "power": 1.0, "stepsize": 10, "stepvalue": [5]}
    del fields[missing]
    config = solver_config(tmp_path, lr_policy=policy, max_iter=10, **fields)
    with pytest.raises(ConfigError, match=f"solver.json: solver.{missing}: lr_policy '{policy}' needs"):
        learning_rate(config, 10)


def test_unknown_policy_and_bad_stepvalues(tmp_path):
    with pytest.raises(ConfigError, match="solver.lr_policy: unknown policy 'steps'; the policies are fixed"):
        learning_rate(solver_config(tmp_path, lr_policy="steps"), 10)
    with pytest.raises(ConfigError, match=r"solver.stepvalue: must be increasing positive iterations"):
        learning_rate(solver_config(tmp_path, lr_policy="multistep", gamma=0.1, stepvalue=[20, 10]), 10)


def test_a_model_trained_with_the_inv_policy_reloads_with_its_optimizer(tmp_path):
    import kerasish
    from kerasish.cli.learning_rate import InverseDecay

    model = kerasish.Sequential([kerasish.Input((3,)), kerasish.layers.Dense(2)])
    schedule = InverseDecay(0.1, gamma=0.001, power=0.75)
    model.compile(optimizer=kerasish.optimizers.SGD(learning_rate=schedule), loss="mse")
    model.fit(numpy.ones((4, 3), "float32"), numpy.ones((4, 2), "float32"), epochs=1, verbose=0)
    model.save(tmp_path / "inv.keras")
    restored = kerasish.saving.load_model(tmp_path / "inv.keras")  # compile=True: the optimizer comes back
    config = restored.optimizer.get_config()["learning_rate"]
    assert config["class_name"] == "InverseDecay" and config["config"]["power"] == 0.75
    assert float(restored.optimizer.learning_rate) == pytest.approx(float(model.optimizer.learning_rate))
