"""SeparableConv1D, SeparableConv2D: a depthwise convolution followed by a 1x1 (pointwise) convolution."""

from kerasish import ops
from kerasish.layers.convolutional.base_convolution import (
    BaseConvolution,
    add_kernel,
    check_positive,
    kernel_arguments,
    serialize_kernel_arguments,
)


class SeparableConv(BaseConvolution):
    def __init__(
        self,
        rank,
        depth_multiplier,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            rank,
            kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            activation=activation,
            use_bias=use_bias,
            bias_initializer=bias_initializer,
            bias_regularizer=bias_regularizer,
            activity_regularizer=activity_regularizer,
            bias_constraint=bias_constraint,
            **kwargs,
        )
        self.depth_multiplier = check_positive(depth_multiplier, "depth_multiplier")
        self.filters = check_positive(filters, "filters")
        vars(self).update(
            kernel_arguments("depthwise", depthwise_initializer, depthwise_regularizer, depthwise_constraint)
        )
        vars(self).update(
            kernel_arguments("pointwise", pointwise_initializer, pointwise_regularizer, pointwise_constraint)
        )

    def build(self, input_shape):
        channels = self.check_input_channels(input_shape)
        self.depthwise_kernel = add_kernel(
            self, "depthwise", "depthwise_kernel", self.kernel_size + (channels, self.depth_multiplier)
        )
        self.pointwise_kernel = add_kernel(
            self, "pointwise", "pointwise_kernel", (1,) * self.rank + (channels * self.depth_multiplier, self.filters)
        )
        self.add_bias(self.filters)

    def convolve(self, inputs):
        return ops.separable_conv(
            inputs,
            self.depthwise_kernel,
            self.pointwise_kernel,
            strides=self.strides,
            padding=self.padding,
            data_format=self.data_format,
            dilation_rate=self.dilation_rate,
        )

    def compute_output_shape(self, input_shape):
        return self.windowed_output_shape(input_shape, self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            **serialize_kernel_arguments(self, "depthwise"),
            **serialize_kernel_arguments(self, "pointwise"),
        }


class SeparableConv1D(SeparableConv):
    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            1,
            depth_multiplier,
            filters,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            depthwise_initializer,
            pointwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            pointwise_regularizer,
            bias_regularizer,
            activity_regularizer,
            depthwise_constraint,
            pointwise_constraint,
            bias_constraint,
            **kwargs,
        )


class SeparableConv2D(SeparableConv):
    def __init__(
        self,
        filters,
        kernel_size,
        strides=(1, 1),
        padding="valid",
        data_format=None,
        dilation_rate=(1, 1),
        depth_multiplier=1,
        activation=None,
        use_bias=True,
        depthwise_initializer="glorot_uniform",
        pointwise_initializer="glorot_uniform",
        bias_initializer="zeros",
        depthwise_regularizer=None,
        pointwise_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        depthwise_constraint=None,
        pointwise_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(
            2,
            depth_multiplier,
            filters,
            kernel_size,
            strides,
            padding,
            data_format,
            dilation_rate,
            activation,
            use_bias,
            depthwise_initializer,
            pointwise_initializer,
            bias_initializer,
            depthwise_regularizer,
            pointwise_regularizer,
            bias_regularizer,
            activity_regularizer,
            depthwise_constraint,
            pointwise_constraint,
            bias_constraint,
            **kwargs,
        )
