"""The Optimizer base class (Keras 3's BaseOptimizer).

`apply(grads, trainable_variables)` runs, in Keras's order: drop missing gradients, unscale
(`loss_scale_factor`), clip (`clipnorm` | `clipvalue` | `global_clipnorm`), decoupled weight decay,
each subclass's `update_step`, the moving average (`use_ema`), variable constraints, then
`iterations += 1`. Every state change is `Variable.assign` of a value computed with ops, and nothing
branches in Python on a tensor's value, so a traced static step contains the whole update. Run eagerly,
the update is all or nothing: an exception or a Ctrl-C part-way puts every variable back as it was
before the step (a compiled static step is all or nothing too: see backends/static/function.py).
"""

import re
import warnings

import numpy

from kerasish import ops
from kerasish.backend import floatx
from kerasish.backends.variable import Variable, all_or_nothing
from kerasish.distribution.collectives import reduce_gradients
from kerasish.utils.naming import auto_name

from .schedules import learning_rate_schedule


class Optimizer:
    def __init__(
        self,
        learning_rate,
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
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=2)
        if kwargs:
            raise ValueError(f"Argument(s) not recognized: {kwargs}")
        if gradient_accumulation_steps:
            raise ValueError(
                f"{type(self).__name__}: gradient_accumulation_steps={gradient_accumulation_steps} "
                "is not supported by kerasish; accumulate gradients in the training step instead"
            )
        if use_ema and not 0 <= ema_momentum <= 1:
            raise ValueError(f"`ema_momentum` must be in the range [0, 1]. Received: ema_momentum={ema_momentum}")
        if (
            use_ema
            and ema_overwrite_frequency
            and (not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1)
        ):
            raise ValueError(
                "`ema_overwrite_frequency` must be an integer >= 1 or None. "
                f"Received: ema_overwrite_frequency={ema_overwrite_frequency}"
            )
        if sum(a is not None for a in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}"
            )
        self.name = name or auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables = []
        self._trainable_variables = []
        self._indices = {}
        self._constrained = True  # whether a variable it was built with has a constraint (see build)
        self._exclude_from_weight_decay = set()
        self._exclude_from_weight_decay_pattern = None
        self._iterations = self.add_variable((), initializer="zeros", dtype="int64", name="iteration")
        self._learning_rate = self._standardize_learning_rate(learning_rate)

    # ----- state ---------------------------------------------------------------------------

    def _standardize_learning_rate(self, learning_rate):
        if isinstance(learning_rate, learning_rate_schedule.LearningRateSchedule) or callable(learning_rate):
            return learning_rate
        if not isinstance(learning_rate, (float, numpy.floating)):
            raise ValueError(
                "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, "
                "or a callable (that takes in the current iteration value and returns the "
                f"corresponding learning rate value). Received instead: learning_rate={learning_rate!r}"
            )
        return self.add_variable((), initializer=float(learning_rate), dtype=floatx(), name="learning_rate")

    def add_variable(self, shape, initializer="zeros", dtype=None, aggregation="none", layout=None, name=None):
        """A non-trainable optimizer Variable; `initializer` is "zeros", "ones", a number or a
        callable `initializer(shape, dtype)`."""
        if not callable(initializer):
            fill = {"zeros": 0, "ones": 1}.get(initializer, initializer)
            initializer = _filled(fill)
        variable = Variable(initializer, shape=tuple(shape), dtype=dtype or floatx(), trainable=False, name=name)
        variable.path = f"{self.name}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_variable_from_reference(self, reference_variable, name=None, initializer="zeros"):
        """A slot shaped like `reference_variable`, named `<its path with _>_<name>` as in Keras."""
        prefix = str(getattr(reference_variable, "path", reference_variable.name)).replace("/", "_")
        return self.add_variable(
            reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=f"{prefix}_{name or 'var'}",
        )

    def add_optimizer_variables(self, trainable_variables, name, initializer="zeros"):
        """One slot per variable for each name: a list for one name, a tuple of lists for several (with one
        initializer for all, or a list of one per name), made variable by variable as in Keras."""
        names = [name] if isinstance(name, str) else list(name)
        initializers = list(initializer) if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        slots = tuple([] for _ in names)
        for variable in trainable_variables:
            for position, slot_name in enumerate(names):
                slots[position].append(self.add_variable_from_reference(variable, slot_name, initializers[position]))
        return slots[0] if isinstance(name, str) else slots

    def build(self, variables):
        """Create the slots for `variables`; subclasses call super().build first, then add theirs."""
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(variables, "average")
        self._indices = {variable: index for index, variable in enumerate(variables)}
        self._trainable_variables = list(variables)
        self._constrained = any(variable.constraint is not None for variable in variables)
        self.built = True

    def _get_variable_index(self, variable):
        return self._indices[variable]

    @property
    def variables(self):
        return list(self._variables)

    @property
    def iterations(self):
        return self._iterations

    @property
    def learning_rate(self):
        return self._get_current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        if isinstance(learning_rate, learning_rate_schedule.LearningRateSchedule) or callable(learning_rate):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = learning_rate
        elif isinstance(self._learning_rate, Variable):
            self._learning_rate.assign(learning_rate)
        elif isinstance(self._learning_rate, learning_rate_schedule.LearningRateSchedule):
            raise TypeError(
                "This optimizer was created with a `LearningRateSchedule` object as its `learning_rate` "
                "constructor argument, hence its learning rate is not settable. If you need the "
                "learning rate to be settable, you should instantiate the optimizer with a float "
                "`learning_rate` argument."
            )
        else:
            self._learning_rate = self._standardize_learning_rate(learning_rate)

    def _get_current_learning_rate(self):
        if isinstance(self._learning_rate, learning_rate_schedule.LearningRateSchedule):
            return self._learning_rate(self._iterations)
        if isinstance(self._learning_rate, Variable):
            return self._learning_rate
        return self._learning_rate()

    def set_weights(self, weights):
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                "calling `set_weights()`."
            )
        for variable, weight in zip(self.variables, weights):
            if tuple(variable.shape) != tuple(numpy.shape(weight)):
                raise ValueError(
                    f"Optimizer variable {variable.path} has shape {variable.shape} not compatible "
                    f"with provided weight shape {tuple(numpy.shape(weight))}."
                )
            variable.assign(weight)

    def save_own_variables(self, store):
        for index, variable in enumerate(self.variables):
            store[str(index)] = variable.numpy()

    def load_own_variables(self, store):
        if len(store.keys()) != len(self.variables):
            warnings.warn(
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self.variables)} variables whereas the saved optimizer has {len(store.keys())} "
                "variables.",
                stacklevel=2,
            )
            return
        for index, variable in enumerate(self.variables):
            variable.assign(store[str(index)])

    # ----- applying gradients --------------------------------------------------------------

    def apply_gradients(self, grads_and_vars):
        grads, trainable_variables = zip(*grads_and_vars)
        self.apply(grads, trainable_variables)
        return self._iterations

    def apply(self, grads, trainable_variables=None):
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be built on "
                    "a list of variables. Call `optimizer.build(trainable_variables)` first."
                )
            if len(grads) != len(self._trainable_variables):
                raise ValueError(
                    f"When passing `grads` as a list of gradient tensors, the gradients must match "
                    f"`optimizer.variables` one-to-one. Received a list of {len(grads)} gradients, but "
                    f"the optimizer is tracking {len(self._trainable_variables)} trainable variables."
                )
            trainable_variables = self._trainable_variables
        else:
            trainable_variables = list(trainable_variables)
            if not self.built:
                self.build(trainable_variables)
            if self._trainable_variables != trainable_variables:  # the usual call passes them all, in order
                self._check_variables_are_known(trainable_variables)
        if any(g is None for g in grads):
            grads, trainable_variables = self._filter_empty_gradients(grads, trainable_variables)
        grads = reduce_gradients(grads)  # averaged over the processes under a DataParallel distribution
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        grads = self._clip_gradients(grads)
        with all_or_nothing(self._variables + self._trainable_variables):
            self._apply_weight_decay(trainable_variables)
            self._backend_update_step(grads, trainable_variables, self.learning_rate)
            if self.use_ema:
                self._update_model_variables_moving_average(self._trainable_variables)
                if self.ema_overwrite_frequency:
                    overwrite = ops.equal(ops.mod(self._iterations + 1, self.ema_overwrite_frequency), 0)
                    for variable, average in zip(self._trainable_variables, self._model_variables_moving_average):
                        variable.assign(ops.where(overwrite, average, variable))
            if self._constrained:  # a variable's constraint is set when it is created: known since build
                for variable in trainable_variables:
                    if variable.constraint is not None:
                        variable.assign(variable.constraint(variable))
            self._iterations.assign_add(1)

    def _check_variables_are_known(self, variables):
        for variable in variables:
            if variable not in self._indices:
                raise ValueError(
                    f"Unknown variable: {variable}. This optimizer can only be called for the variables "
                    "it was originally built with. When working with a new set of variables, you "
                    "should recreate a new optimizer instance."
                )

    def _filter_empty_gradients(self, grads, variables):
        kept = [(g, v) for g, v in zip(grads, variables) if g is not None]
        if not kept:
            raise ValueError(
                f"No gradients provided for any variable (optimizer '{self.name}', variables "
                f"{[v.path for v in variables]})."
            )
        missing = [v.path for g, v in zip(grads, variables) if g is None]
        if missing:
            warnings.warn(
                f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                "`model.compile()`, did you forget to provide a `loss` argument?",
                stacklevel=3,
            )
        return [g for g, _ in kept], [v for _, v in kept]

    def accepts_pending_products(self):
        """Whether `apply` may be given a variable's gradient as a PendingProduct (its update then one BLAS call:
        backends/product_updates.py). Only plain SGD says yes."""
        return False

    def _backend_update_step(self, grads, trainable_variables, learning_rate):
        if isinstance(learning_rate, Variable):  # read once: each update_step's cast to its dtype is then free
            learning_rate = ops.cast(learning_rate, learning_rate.dtype)
        for grad, variable in zip(grads, trainable_variables):
            self.update_step(grad, variable, learning_rate)

    def update_step(self, gradient, variable, learning_rate):
        raise NotImplementedError(
            f"{type(self).__name__} must implement update_step(gradient, variable, learning_rate)"
        )

    def assign(self, variable, value):
        variable.assign(value)

    def assign_add(self, variable, value):
        variable.assign(variable + value)

    def assign_sub(self, variable, value):
        variable.assign(variable - value)

    def scale_loss(self, loss):
        return loss if self.loss_scale_factor is None else loss * self.loss_scale_factor

    # ----- clipping, weight decay, moving average ------------------------------------------

    def _clip_gradients(self, grads):
        if self.clipnorm and self.clipnorm > 0:
            return [self._clip_by_norm(g) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)
        if self.clipvalue and self.clipvalue > 0:
            return [ops.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def _clip_by_norm(self, values):
        squares = ops.sum(ops.square(values), keepdims=True)
        positive = ops.greater(squares, 0.0)
        norm = ops.where(positive, ops.sqrt(ops.where(positive, squares, ops.ones_like(squares))), squares)
        return values * self.clipnorm / ops.maximum(norm, self.clipnorm)

    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_from_weight_decay = set(var_list or ())
        self._exclude_from_weight_decay_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable):
        if variable in self._exclude_from_weight_decay:
            return False
        pattern = self._exclude_from_weight_decay_pattern
        return pattern is None or pattern.search(variable.name) is None

    def _apply_weight_decay(self, variables):
        if self.weight_decay is None:
            return
        for variable in variables:
            if self._use_weight_decay(variable):
                learning_rate = ops.cast(self.learning_rate, variable.dtype)
                variable.assign(variable - variable * self.weight_decay * learning_rate)

    def _update_model_variables_moving_average(self, trainable_variables):
        not_first_step = ops.cast(ops.not_equal(self._iterations, 0), "float32")
        for variable, average in zip(trainable_variables, self._model_variables_moving_average):
            momentum = ops.cast(not_first_step * self.ema_momentum, variable.dtype)
            average.assign(momentum * average + (1.0 - momentum) * variable)

    def finalize_variable_values(self, var_list):
        """With use_ema, set the model's variables to their moving averages (Keras calls this after fit)."""
        if self.use_ema:
            for variable, average in zip(var_list, self._model_variables_moving_average):
                variable.assign(average)

    # ----- config ----------------------------------------------------------------------------

    def get_config(self):
        if isinstance(self._learning_rate, learning_rate_schedule.LearningRateSchedule):
            learning_rate = learning_rate_schedule.serialize(self._learning_rate)
        elif isinstance(self._learning_rate, Variable):
            learning_rate = float(self._learning_rate.numpy())
        else:
            learning_rate = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": learning_rate,
            "weight_decay": self.weight_decay,
            "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm,
            "clipvalue": self.clipvalue,
            "use_ema": self.use_ema,
            "ema_momentum": self.ema_momentum,
            "ema_overwrite_frequency": self.ema_overwrite_frequency,
            "loss_scale_factor": self.loss_scale_factor,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if isinstance(config.get("learning_rate"), dict):
            config = {
                **config,
                "learning_rate": learning_rate_schedule.deserialize(config["learning_rate"], custom_objects),
            }
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def _filled(value):
    def initializer(shape, dtype):
        return ops.full(shape, value, dtype=dtype)

    return initializer


def global_norm(values):
    total = None
    for value in values:
        squares = ops.sum(ops.square(value))
        total = squares if total is None else total + squares
    return ops.sqrt(total)


def clip_by_global_norm(values, clip_norm):
    """Scale every gradient by clip_norm / max(global norm, clip_norm); a NaN norm makes them all NaN."""
    norm = global_norm(values)
    scale = clip_norm * ops.minimum(1.0 / norm, 1.0 / clip_norm) + (norm - norm)
    return [value * scale for value in values]
