"""Adadelta (Keras 3): running means of g^2 and of the squared updates set a per-element step size;
delta = -sqrt(E[dx^2] + eps) / sqrt(E[g^2] + eps) * g; w += lr * delta."""

from kerasish import ops

from .optimizer import Optimizer


class Adadelta(Optimizer):
    def __init__(
        self,
        learning_rate=0.001,
        rho=0.95,
        epsilon=1e-7,
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
            weight_decay=weight_decay,
            clipnorm=clipnorm,
            clipvalue=clipvalue,
            global_clipnorm=global_clipnorm,
            use_ema=use_ema,
            ema_momentum=ema_momentum,
            ema_overwrite_frequency=ema_overwrite_frequency,
            loss_scale_factor=loss_scale_factor,
            gradient_accumulation_steps=gradient_accumulation_steps,
            name=name,
            **kwargs,
        )
        self.rho, self.epsilon = rho, epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            variables, ["accumulated_grad", "accumulated_delta_var"]
        )

    def update_step(self, grad, variable, learning_rate):
        learning_rate = ops.cast(learning_rate, variable.dtype)
        grad = ops.cast(grad, variable.dtype)
        index = self._get_variable_index(variable)
        accumulated_grad = self._accumulated_grads[index]
        accumulated_delta = self._accumulated_delta_vars[index]
        self.assign(accumulated_grad, self.rho * accumulated_grad + (1.0 - self.rho) * ops.square(grad))
        delta = -ops.sqrt(accumulated_delta + self.epsilon) * grad / ops.sqrt(accumulated_grad + self.epsilon)
        self.assign(accumulated_delta, self.rho * accumulated_delta + (1.0 - self.rho) * ops.square(delta))
        self.assign_add(variable, learning_rate * delta)

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}
