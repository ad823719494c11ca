"""BaseConvolution: what every convolution layer shares — window arguments, bias, activation, config."""

from kerasish import activations, constraints, initializers, ops, regularizers
from kerasish.layers.arguments import (
    conv_output_length,
    standardize_data_format,
    standardize_padding,
    standardize_tuple,
)
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer


class BaseConvolution(Layer):
    """Subclasses add their kernels in `build` (after `check_input_channels`) and compute `convolve`."""

    def __init__(
        self,
        rank,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        bias_initializer="zeros",
        bias_regularizer=None,
        activity_regularizer=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.rank = rank
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.bias_initializer = initializers.get(bias_initializer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=rank + 2)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )

    @property
    def channel_axis(self):
        return 1 if self.data_format == "channels_first" else -1

    def check_input_channels(self, input_shape):
        """The input's channel count, which must be known; later inputs must have the same."""
        channels = input_shape[self.channel_axis]
        if channels is None:
            raise ValueError(
                f"the channel dimension of the inputs should be defined (data_format="
                f"{self.data_format!r}), got input shape {tuple(input_shape)}"
            )
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={self.channel_axis: channels})
        return channels

    def add_bias(self, filters):
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    # True where `convolve` adds the bias itself (Conv: in the product's result, without a pass of its own)
    convolve_adds_bias = False

    def call(self, inputs):
        outputs = self.convolve(inputs)
        if self.bias is not None and not self.convolve_adds_bias:
            shape = (
                (1, -1) + (1,) * self.rank if self.data_format == "channels_first" else (1,) * (self.rank + 1) + (-1,)
            )
            outputs = ops.add(outputs, ops.reshape(self.bias, shape))
        return self.activation(outputs)

    def spatial_axes(self):
        return range(2, self.rank + 2) if self.data_format == "channels_first" else range(1, self.rank + 1)

    def output_shape_for(self, input_shape, filters, length_of):
        """input_shape with the spatial axes mapped by `length_of(length, axis index)` and `filters` channels."""
        shape = list(input_shape)
        for i, axis in enumerate(self.spatial_axes()):
            shape[axis] = length_of(input_shape[axis], i)
            if shape[axis] is not None and shape[axis] <= 0:
                raise ValueError(
                    f"Computed output size would be negative. Received `inputs shape="
                    f"{tuple(input_shape)}`, `kernel_size={self.kernel_size}`, "
                    f"`dilation_rate={self.dilation_rate}`, `padding={self.padding!r}`"
                )
        shape[self.channel_axis] = filters
        return tuple(shape)

    def windowed_output_shape(self, input_shape, filters):
        return self.output_shape_for(
            input_shape,
            filters,
            lambda length, i: conv_output_length(
                length, self.kernel_size[i], self.padding, self.strides[i], self.dilation_rate[i]
            ),
        )

    def get_config(self):
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
        }


def kernel_arguments(prefix, initializer, regularizer, constraint):
    """The initializer, regularizer and constraint of a kernel, resolved, keyed as in the layer's config."""
    return {
        f"{prefix}_initializer": initializers.get(initializer),
        f"{prefix}_regularizer": regularizers.get(regularizer),
        f"{prefix}_constraint": constraints.get(constraint),
    }


def serialize_kernel_arguments(layer, prefix):
    return {
        f"{prefix}_initializer": initializers.serialize(getattr(layer, f"{prefix}_initializer")),
        f"{prefix}_regularizer": regularizers.serialize(getattr(layer, f"{prefix}_regularizer")),
        f"{prefix}_constraint": constraints.serialize(getattr(layer, f"{prefix}_constraint")),
    }


def add_kernel(layer, prefix, name, shape):
    return layer.add_weight(
        name=name,
        shape=shape,
        initializer=getattr(layer, f"{prefix}_initializer"),
        regularizer=getattr(layer, f"{prefix}_regularizer"),
        constraint=getattr(layer, f"{prefix}_constraint"),
    )


def check_positive(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(
            f"Invalid value for argument `{name}`. Expected a strictly positive value. Received {name}={value}."
        )
    return value
