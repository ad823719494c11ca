"""Adafactor (Keras 3; Shazeer and Stern, 2018): the second moment of a matrix (the last two axes) kept as
its row and column means, `r` and `c`; vectors keep a full `velocity`. The step is clipped by its RMS
(`clip_threshold`) and scaled by max(epsilon_2, RMS(w)) * min(lr, 1 / sqrt(t))."""

from kerasish import ops

from .optimizer import Optimizer


def _rms(x):
    return ops.sqrt(ops.mean(ops.square(x)))


class Adafactor(Optimizer):
    def __init__(
        self,
        learning_rate=0.001,
        beta_2_decay=-0.8,
        epsilon_1=1e-30,
        epsilon_2=1e-3,
        clip_threshold=1.0,
        relative_step=True,
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
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def build(self, variables):
        """Per variable: `r` (shape[:-1]) and `c` (shape[:-2] + shape[-1:]) for matrices, as Keras names
        them (after the variable), and a `velocity` for every variable."""
        if self.built:
            return
        super().build(variables)
        self._r, self._c, self._v = [], [], []
        for variable in variables:
            shape = tuple(variable.shape)
            if len(shape) < 2:  # Keras keeps two unused scalars here, outside its path: so do we, for its files
                for slots in (self._r, self._c):
                    slots.append(self.add_variable((), dtype=variable.dtype, name=variable.name))
                    slots[-1].path = variable.name
            else:
                self._r.append(self.add_variable(shape[:-1], dtype=variable.dtype, name=variable.name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=variable.dtype, name=variable.name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def update_step(self, gradient, variable, learning_rate):
        dtype = variable.dtype
        learning_rate = ops.cast(learning_rate, dtype)
        gradient = ops.cast(gradient, dtype)
        step = ops.cast(self.iterations + 1, dtype)
        if not callable(self._learning_rate) and self.relative_step:
            learning_rate = ops.minimum(learning_rate, 1 / ops.sqrt(step))
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho = ops.minimum(learning_rate, 1 / ops.sqrt(step))
        alpha = ops.maximum(ops.cast(self.epsilon_2, dtype), _rms(variable)) * rho
        squared = ops.square(gradient) + self.epsilon_1
        beta_2 = 1 - ops.power(step, self.beta_2_decay)
        if len(variable.shape) >= 2:
            self.assign(r, beta_2 * r + (1 - beta_2) * ops.mean(squared, axis=-1))
            self.assign(c, beta_2 * c + (1 - beta_2) * ops.mean(squared, axis=-2))
            self.assign(v, ops.expand_dims(r / ops.mean(r, axis=-1, keepdims=True), -1) * ops.expand_dims(c, -2))
        else:
            self.assign(v, beta_2 * v + (1 - beta_2) * squared)
        update = gradient / ops.sqrt(v)
        update = update / ops.maximum(ops.cast(1.0, dtype), _rms(update) / self.clip_threshold)
        self.assign_sub(variable, alpha * update)

    def get_config(self):
        return {
            **super().get_config(),
            "beta_2_decay": self.beta_2_decay,
            "epsilon_1": self.epsilon_1,
            "epsilon_2": self.epsilon_2,
            "clip_threshold": self.clip_threshold,
            "relative_step": self.relative_step,
        }
