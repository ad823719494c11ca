"""The pretrained weight sets that exist, with where they come from and how they must be used.

Each source carries its conventions (`meta`): the architecture variant it was trained with and
the preprocessing its inputs need, so a model loaded from it cannot be fed the wrong way.
Hashes are the published ones: MD5 for Keras files, the SHA-256 prefix in torchvision file names.
"""

import dataclasses

KERAS_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
TORCHVISION_BASE = "https://download.pytorch.org/models/"


@dataclasses.dataclass(frozen=True)
class WeightSource:
    model: str
    source: str  # "keras" or "torchvision"
    url: str
    file_hash: str
    hash_algorithm: str  # "md5" (Keras) or "sha256" prefix (torchvision)
    include_top: bool

    @property
    def file_name(self):
        return self.url.rsplit("/", 1)[-1]

    @property
    def meta(self):
        return CONVENTIONS[self.source]


CONVENTIONS = {
    "keras": {
        "source": "keras",
        "preprocessing": "caffe",
        "file_format": "h5",
        "resnet": "v1 (stride on the first 1x1 conv, conv biases, BN epsilon 1.001e-5)",
    },
    "torchvision": {
        "source": "torchvision",
        "preprocessing": "torch",
        "file_format": "pth",
        "resnet": "v1.5 (stride on the 3x3 conv, no conv biases, BN epsilon 1e-5)",
    },
}


def _keras(model, folder, name, md5, include_top):
    return WeightSource(model, "keras", f"{KERAS_BASE}{folder}/{name}", md5, "md5", include_top)


def _torchvision(model, name):
    return WeightSource(
        model, "torchvision", f"{TORCHVISION_BASE}{name}", name.rsplit("-", 1)[1].split(".")[0], "sha256", True
    )


SOURCES = [
    _keras(
        "resnet50", "resnet", "resnet50_weights_tf_dim_ordering_tf_kernels.h5", "2cb95161c43110f7111970584f804107", True
    ),
    _keras(
        "resnet50",
        "resnet",
        "resnet50_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "4d473c1dd8becc155b73f8504c6f6626",
        False,
    ),
    _keras(
        "resnet101",
        "resnet",
        "resnet101_weights_tf_dim_ordering_tf_kernels.h5",
        "f1aeb4b969a6efcfb50fad2f0c20cfc5",
        True,
    ),
    _keras(
        "resnet101",
        "resnet",
        "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "88cf7a10940856eca736dc7b7e228a21",
        False,
    ),
    _keras(
        "resnet152",
        "resnet",
        "resnet152_weights_tf_dim_ordering_tf_kernels.h5",
        "100835be76be38e30d865e96f2aaae62",
        True,
    ),
    _keras(
        "resnet152",
        "resnet",
        "resnet152_weights_tf_dim_ordering_tf_kernels_notop.h5",
        "ee4c566cf9a93f14d82f913c2dc6dd0c",
        False,
    ),
    _keras("vgg16", "vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels.h5", "64373286793e3c8b2b4e3219cbf3544b", True),
    _keras(
        "vgg16", "vgg16", "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", "6d6bbae143d832006294945121d1f1fc", False
    ),
    _keras("vgg19", "vgg19", "vgg19_weights_tf_dim_ordering_tf_kernels.h5", "cbe5617147190e668d6c5d5026f83318", True),
    _keras(
        "vgg19", "vgg19", "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", "253f8cb515780f3b799900260a226db6", False
    ),
    _torchvision("alexnet", "alexnet-owt-7be5be79.pth"),
    _torchvision("vgg16", "vgg16-397923af.pth"),
    _torchvision("vgg19", "vgg19-dcbb9e9d.pth"),
    _torchvision("resnet18", "resnet18-f37072fd.pth"),
    _torchvision("resnet34", "resnet34-b627a593.pth"),
    _torchvision("resnet50", "resnet50-0676ba61.pth"),
    _torchvision("resnet101", "resnet101-63fe2227.pth"),
    _torchvision("resnet152", "resnet152-394f9c45.pth"),
]

# "imagenet" means the model's usual source: Keras's where Keras publishes the model, else torchvision's.
DEFAULT_SOURCE = {
    "alexnet": "torchvision",
    "resnet18": "torchvision",
    "resnet34": "torchvision",
    "resnet50": "keras",
    "resnet101": "keras",
    "resnet152": "keras",
    "vgg16": "keras",
    "vgg19": "keras",
}


def find(model, source, include_top):
    """The weight set for a model; torchvision files hold the top too and serve include_top=False."""
    for candidate in SOURCES:
        if (
            candidate.model == model
            and candidate.source == source
            and (candidate.include_top == include_top or source == "torchvision")
        ):
            return candidate
    available = sorted({s.source for s in SOURCES if s.model == model})
    raise ValueError(f"No {source!r} weights exist for {model}; available sources: {', '.join(available)}")
