"""SGD with optional (Nesterov) momentum, as Keras 3 writes it:
m = momentum * m - lr * g;  w += m  (Nesterov: w += momentum * m - lr * g)."""

from kerasish import ops
from kerasish.backends import product_updates
from kerasish.backends.dispatch import ops_run_as_given, traced
from kerasish.backends.primitives.linalg import PendingProduct
from kerasish.backends.primitives.optimizer_updates import sgd_update
from kerasish.backends.variable import Variable
from kerasish.distribution.distribution_lib import distribution

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

    def accepts_pending_products(self):
        """Without Nesterov's step (it reads the gradient twice), and with nothing that reads the gradients or
        the updated variables within `apply` (scaling, clipping, a moving average, an allreduce, a subclass's own
        step)."""
        return (
            not self.nesterov
            and self.loss_scale_factor is None
            and not (self.clipnorm or self.clipvalue or self.global_clipnorm or self.use_ema)
            and self._own_step()
            and type(self).apply is Optimizer.apply
            and distribution() is None
        )

    def _own_step(self):
        """Whether `update_step` is SGD's own (no subclass or instance replaced it)."""
        return type(self).update_step is SGD.update_step and "update_step" not in vars(self)

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if not (ops_run_as_given() and type(learning_rate) is Variable and self._own_step()):
            super()._backend_update_step(grads, trainable_variables, learning_rate)
            return
        # Eagerly, SGD's own step reads the learning rate Variable in each update op, without the op that reads
        # it once for any update_step (Optimizer._backend_update_step): nothing here assigns it, and an
        # assignment would replace its storage, not write into it
        dtype = learning_rate.dtype
        for gradient, variable in zip(grads, trainable_variables):
            rate = learning_rate if variable.dtype == dtype else ops.cast(learning_rate, variable.dtype)
            self._update(gradient, variable, rate)

    def update_step(self, gradient, variable, learning_rate):
        self._update(gradient, variable, ops.cast(learning_rate, variable.dtype))

    def _update(self, gradient, variable, learning_rate):
        """`update_step` with the learning rate in the variable's dtype (a tensor, or the learning rate Variable)."""
        if type(gradient) is PendingProduct:
            # done in place at the end of the step when gemm can, else computed here
            if variable.constraint is None and self._queued(gradient, variable, learning_rate):
                return
            gradient = gradient.value()
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

    def _queued(self, product, variable, learning_rate):
        rate = float(ops.convert_to_numpy(learning_rate))
        if self.momentum == 0:
            return product_updates.queue(variable, product, rate)
        m = self.momentums[self._get_variable_index(variable)]
        return product_updates.queue(m, product, rate, self.momentum, then_into=variable)

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
