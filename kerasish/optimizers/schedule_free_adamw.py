"""ScheduleFreeAdamW (Keras 3; Defazio et al., 2024): AdamW without a learning-rate schedule. The
`momentum` slot holds the base iterate z (starting at the weights); the weights are the interpolation
y = (1 - beta_1) z + beta_1 x of z and the running average x, which `update_step` recovers from y."""

from kerasish import ops

from .optimizer import Optimizer


class ScheduleFreeAdamW(Optimizer):
    def __init__(
        self,
        learning_rate=0.0025,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        warmup_steps=0,
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
        self.beta_1, self.beta_2, self.epsilon, self.warmup_steps = beta_1, beta_2, epsilon, warmup_steps

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        for momentum, variable in zip(self._momentums, variables):
            self.assign(momentum, ops.copy(variable))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = ops.cast(self.beta_1, dtype), ops.cast(self.beta_2, dtype)
        if self.warmup_steps > 0:
            learning_rate = learning_rate * ops.minimum(step / ops.cast(self.warmup_steps, dtype), 1.0)
        index = self._get_variable_index(variable)
        z, velocity = self._momentums[index], self._velocities[index]
        z_old = ops.copy(z)
        self.assign_add(velocity, (ops.square(gradient) - velocity) * (1 - beta_2))
        denominator = ops.sqrt(velocity / (1 - ops.power(beta_2, step))) + ops.cast(self.epsilon, dtype)
        self.assign_sub(z, learning_rate * gradient / denominator)
        weight = 1.0 / step
        x_old = (variable - (1 - beta_1) * z_old) / beta_1
        x_new = (1 - weight) * x_old + weight * z
        self.assign(variable, (1 - beta_1) * z + beta_1 * x_new)

    def get_config(self):
        return {
            **super().get_config(),
            "beta_1": self.beta_1,
            "beta_2": self.beta_2,
            "epsilon": self.epsilon,
            "warmup_steps": self.warmup_steps,
        }
