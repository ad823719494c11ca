"""Caffe's learning-rate policies (`SGDSolver::GetLearningRate`) as Keras schedules of the optimizer's
iteration, counted from 0 as Caffe's `iter_`:

    fixed      base_lr
    step       base_lr * gamma ^ floor(iter / stepsize)           ExponentialDecay(staircase=True)
    exp        base_lr * gamma ^ iter                             ExponentialDecay(decay_steps=1)
    inv        base_lr * (1 + gamma * iter) ^ (-power)            InverseDecay (below; Keras has power 1 only)
    multistep  base_lr * gamma ^ (number of stepvalues <= iter)   PiecewiseConstantDecay
    poly       base_lr * (1 - iter / max_iter) ^ power            PolynomialDecay(end_learning_rate=0)
    cosine     base_lr * (1 + cos(pi * iter / max_iter)) / 2      CosineDecay (not in BVLC Caffe; Keras's)
"""

from kerasish import ops
from kerasish.backend import floatx
from kerasish.optimizers.schedules import (
    CosineDecay,
    ExponentialDecay,
    LearningRateSchedule,
    PiecewiseConstantDecay,
    PolynomialDecay,
)
from kerasish.saving import register_keras_serializable

POLICIES = ("fixed", "step", "exp", "inv", "multistep", "poly", "cosine")
_NEEDS = {
    "step": ("gamma", "stepsize"),
    "exp": ("gamma",),
    "inv": ("gamma", "power"),
    "multistep": ("gamma", "stepvalue"),
    "poly": ("power",),
}


@register_keras_serializable(package="kerasish")  # a model saved with it reloads with its optimizer
class InverseDecay(LearningRateSchedule):
    """Caffe's "inv": initial_learning_rate * (1 + gamma * step) ** (-power)."""

    def __init__(self, initial_learning_rate, gamma, power, name="InverseDecay"):
        self.initial_learning_rate, self.gamma, self.power, self.name = initial_learning_rate, gamma, power, name

    def __call__(self, step):
        step = ops.cast(step, floatx())
        return self.initial_learning_rate * ops.power(1.0 + self.gamma * step, -float(self.power))

    def get_config(self):
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "gamma": self.gamma,
            "power": self.power,
            "name": self.name,
        }


def learning_rate(config, max_iter):
    """The optimizer's `learning_rate` for the solver section: a number for "fixed", else a schedule."""
    solver = config.solver
    policy, base_lr = solver["lr_policy"], solver["base_lr"]
    if policy not in POLICIES:
        raise config.error("solver.lr_policy", f"unknown policy {policy!r}; the policies are {', '.join(POLICIES)}")
    for key in _NEEDS.get(policy, ()):
        if solver[key] is None:
            raise config.error(f"solver.{key}", f"lr_policy {policy!r} needs solver.{key}")
    gamma, power = solver["gamma"], solver["power"]
    if policy == "fixed":
        return base_lr
    if policy == "step":
        if solver["stepsize"] < 1:
            raise config.error(
                "solver.stepsize", f"must be a positive number of iterations, received {solver['stepsize']}"
            )
        return ExponentialDecay(base_lr, solver["stepsize"], gamma, staircase=True)
    if policy == "exp":
        return ExponentialDecay(base_lr, 1, gamma)
    if policy == "inv":
        return InverseDecay(base_lr, gamma, power)
    if policy == "multistep":
        steps = solver["stepvalue"]
        if not steps or any(later <= earlier for earlier, later in zip(steps, steps[1:])) or steps[0] < 1:
            raise config.error("solver.stepvalue", f"must be increasing positive iterations, received {steps}")
        # Caffe moves to the next rate at iter == stepvalue; Keras's boundary is inclusive below
        rates = [base_lr * gamma**passed for passed in range(len(steps) + 1)]
        return PiecewiseConstantDecay([step - 1 for step in steps], rates)
    if policy == "poly":
        return PolynomialDecay(base_lr, max_iter, end_learning_rate=0.0, power=power)
    return CosineDecay(base_lr, max_iter)
