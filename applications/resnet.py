"""ResNet18/34/50/101/152 with Keras's signatures and layer names.

Two conventions, set by the weights: "keras" (ResNet v1 as in keras.applications: stride on the first
1x1 conv of a bottleneck, conv biases, BN epsilon 1.001e-5) and "torchvision" (v1.5: stride on the 3x3
conv, no conv biases, BN epsilon 1e-5). Layer names are Keras's in both, so Keras files load by name
and torchvision keys map onto them (see `torchvision_keys`).
"""

from kerasish import layers

from .imagenet_utils import decode_predictions, preprocess_input  # noqa: F401  (Keras module API)
from .model_builder import bn_axis, build_application

STAGES = {
    "resnet18": ("basic", (2, 2, 2, 2)),
    "resnet34": ("basic", (3, 4, 6, 3)),
    "resnet50": ("bottleneck", (3, 4, 6, 3)),
    "resnet101": ("bottleneck", (3, 4, 23, 3)),
    "resnet152": ("bottleneck", (3, 8, 36, 3)),
}
EPSILON = {"keras": 1.001e-5, "torchvision": 1e-5}
MOMENTUM = {"keras": 0.99, "torchvision": 0.9}  # torch momentum 0.1 is Keras momentum 0.9


def _conv_bn(x, filters, kernel, stride, name, convention, relu=True):
    """Conv + BN (+ ReLU). torchvision pads a strided 3x3 symmetrically, so pad explicitly there."""
    keras = convention == "keras"
    padding = "same" if kernel > 1 else "valid"
    if kernel > 1 and (stride > 1 or not keras):
        x = layers.ZeroPadding2D(kernel // 2, name=f"{name}_pad")(x)
        padding = "valid"
    x = layers.Conv2D(filters, kernel, strides=stride, padding=padding, use_bias=keras, name=f"{name}_conv")(x)
    x = layers.BatchNormalization(
        axis=bn_axis(), momentum=MOMENTUM[convention], epsilon=EPSILON[convention], name=f"{name}_bn"
    )(x)
    return layers.Activation("relu", name=f"{name}_relu")(x) if relu else x


def _bottleneck(x, filters, stride, shortcut, name, convention):
    first, second = (stride, 1) if convention == "keras" else (1, stride)
    if shortcut:
        residual = _conv_bn(x, 4 * filters, 1, stride, f"{name}_0", convention, relu=False)
    else:
        residual = x
    x = _conv_bn(x, filters, 1, first, f"{name}_1", convention)
    x = _conv_bn(x, filters, 3, second, f"{name}_2", convention)
    x = _conv_bn(x, 4 * filters, 1, 1, f"{name}_3", convention, relu=False)
    x = layers.Add(name=f"{name}_add")([residual, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _basic(x, filters, stride, shortcut, name, convention):
    residual = _conv_bn(x, filters, 1, stride, f"{name}_0", convention, relu=False) if shortcut else x
    x = _conv_bn(x, filters, 3, stride, f"{name}_1", convention)
    x = _conv_bn(x, filters, 3, 1, f"{name}_2", convention, relu=False)
    x = layers.Add(name=f"{name}_add")([residual, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _features(model_name):
    kind, counts = STAGES[model_name]
    block = _bottleneck if kind == "bottleneck" else _basic

    def features(x, convention):
        x = layers.ZeroPadding2D(3, name="conv1_pad")(x)
        x = layers.Conv2D(64, 7, strides=2, use_bias=convention == "keras", name="conv1_conv")(x)
        x = layers.BatchNormalization(
            axis=bn_axis(), momentum=MOMENTUM[convention], epsilon=EPSILON[convention], name="conv1_bn"
        )(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
        # zero padding equals torch's -inf padding here: the input follows a ReLU
        x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
        for stage, count in enumerate(counts):
            filters = 64 * 2**stage
            for index in range(count):
                stride = 2 if stage > 0 and index == 0 else 1
                shortcut = index == 0 and (kind == "bottleneck" or stage > 0)
                x = block(x, filters, stride, shortcut, f"conv{stage + 2}_block{index + 1}", convention)
        return x

    return features


def _head(x, classes, classifier_activation, convention):
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)


def torchvision_keys(model):
    """{keras layer name: (kind, torch prefix, extra)} for the layers that hold weights."""
    mapping = {
        "conv1_conv": ("conv", "conv1", None),
        "conv1_bn": ("bn", "bn1", None),
        "predictions": ("dense", "fc", None),
    }
    for layer in model.layers:
        parts = layer.name.split("_")
        if len(parts) == 4 and parts[0].startswith("conv") and parts[1].startswith("block"):
            stage, block, index, kind = int(parts[0][4:]), int(parts[1][5:]), parts[2], parts[3]
            if kind not in ("conv", "bn"):
                continue
            prefix = f"layer{stage - 1}.{block - 1}."
            prefix += ("downsample.0" if kind == "conv" else "downsample.1") if index == "0" else f"{kind}{index}"
            mapping[layer.name] = (kind, prefix, None)
    return mapping


def _constructor(model_name, default_name):
    def constructor(
        include_top=True,
        weights="imagenet",
        input_tensor=None,
        input_shape=None,
        pooling=None,
        classes=1000,
        classifier_activation="softmax",
        name=default_name,
    ):
        return build_application(
            model_name,
            _features(model_name),
            _head,
            torchvision_keys,
            include_top=include_top,
            weights=weights,
            input_tensor=input_tensor,
            input_shape=input_shape,
            pooling=pooling,
            classes=classes,
            classifier_activation=classifier_activation,
            name=name,
        )

    constructor.__name__ = constructor.__qualname__ = default_name.replace("resnet", "ResNet")
    constructor.__doc__ = (
        f"{constructor.__name__} (Keras signature); weights: None, 'imagenet', 'keras', "
        "'torchvision' or a path to a .h5 or .pth file."
    )
    return constructor


ResNet18 = _constructor("resnet18", "resnet18")
ResNet34 = _constructor("resnet34", "resnet34")
ResNet50 = _constructor("resnet50", "resnet50")
ResNet101 = _constructor("resnet101", "resnet101")
ResNet152 = _constructor("resnet152", "resnet152")
