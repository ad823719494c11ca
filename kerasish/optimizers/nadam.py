"""Nadam (Keras 3): Adam with Nesterov momentum and the momentum schedule
u_t = beta_1 * (1 - 0.5 * 0.96^t), whose running product is kept in a Variable."""

from kerasish import ops

from .optimizer import Optimizer


class Nadam(Optimizer):
    def __init__(
        self,
        learning_rate=0.001,
        beta_1=0.9,
        beta_2=0.999,
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
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self._momentums, self._velocities = self.add_optimizer_variables(variables, ["momentum", "velocity"])
        dtype = variables[0].dtype if variables else None
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype, name="u_product")

    def _momentum_at(self, step):
        return self.beta_1 * (1.0 - 0.5 * ops.power(0.96, step))

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        step = ops.cast(self.iterations + 1, self._u_product.dtype)
        self.assign(self._u_product, self._u_product * self._momentum_at(step))
        super()._backend_update_step(grads, trainable_variables, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        u_t, u_next = self._momentum_at(step), self._momentum_at(step + 1.0)
        u_product = ops.cast(self._u_product, dtype)
        u_product_next = u_product * u_next
        beta_2_power = ops.power(ops.cast(self.beta_2, dtype), step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        self.assign_add(m, (gradient - m) * (1.0 - self.beta_1))
        self.assign_add(v, (ops.square(gradient) - v) * (1.0 - self.beta_2))
        m_hat = u_next * m / (1.0 - u_product_next) + (1.0 - u_t) * gradient / (1.0 - u_product)
        v_hat = v / (1.0 - beta_2_power)
        self.assign_sub(variable, m_hat * learning_rate / (ops.sqrt(v_hat) + self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
