"""SGD with optional (Nesterov) momentum, as Keras 3 writes it:
m = momentum * m - lr * g;  w += m  (Nesterov: w += momentum * m - lr * g)."""

from kerasish import ops
from kerasish.backends.dispatch import traced
from kerasish.backends.primitives.optimizer_updates import sgd_update

from .optimizer import Optimizer


class SGD(Optimizer):
    def __init__(
        self,
        learning_rate=0.01,
        momentum=0.0,
        nesterov=False,
        weight_decay=None,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            learning_rate=learning_rate,
            name=name,
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            **kwargs,
        )
        if not isinstance(momentum, float) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r}")
        self.momentum, self.nesterov = momentum, nesterov

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.momentums = self.add_optimizer_variables(variables, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient, variable, learning_rate):
        learning_rate = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        if traced(gradient):  # the static plan fuses these ops itself and updates in place
            self._composite_update_step(gradient, variable, learning_rate)
            return
        if self.momentum == 0:
            self.assign(variable, sgd_update(variable, gradient, learning_rate))
            return
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, sgd_update(m, gradient, learning_rate, self.momentum))
        if self.nesterov:
            self.assign_add(variable, sgd_update(m, gradient, learning_rate, self.momentum))
        else:
            self.assign_add(variable, m)

    def _composite_update_step(self, gradient, variable, learning_rate):
        if self.momentum == 0:
            self.assign_sub(variable, gradient * learning_rate)
            return
        m = self.momentums[self._get_variable_index(variable)]
        self.assign(m, m * self.momentum - gradient * learning_rate)
        if self.nesterov:
            self.assign_add(variable, m * self.momentum - gradient * learning_rate)
        else:
            self.assign_add(variable, m)

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}
