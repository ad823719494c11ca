"""FeatureSpace: Keras's one-stop preprocessing of structured data (a dict of named columns) into one
feature vector (or a dict of encoded features), built on the preprocessing layers.

It sits with the layers in the import tiers (it builds them) and `kerasish.utils` re-exports it lazily.
Calling it runs the preprocessors eagerly on arrays (as Keras runs it inside `tf.data`), so it fits a
data pipeline: `dataset.map`-style code becomes `feature_space(batch)`; `get_inputs()` and
`get_encoded_features()` give the same computation on symbolic inputs, for a model that takes the raw
columns.
"""

import numpy

from kerasish import layers, ops
from kerasish.backends.symbolic import any_symbolic
from kerasish.utils.naming import auto_name

FEATURE_OUTPUT_MODES = ("int", "one_hot", "float")
CROSS_OUTPUT_MODES = ("int", "one_hot")


class Cross:
    """A crossing of features (their hashed combination into `crossing_dim` bins)."""

    def __init__(self, feature_names, crossing_dim, output_mode="one_hot"):
        if output_mode not in CROSS_OUTPUT_MODES:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot'}. "
                f"Received: output_mode={output_mode}"
            )
        self.feature_names = tuple(feature_names)
        self.crossing_dim = crossing_dim
        self.output_mode = output_mode

    @property
    def name(self):
        return "_X_".join(self.feature_names)

    def get_config(self):
        return {"feature_names": self.feature_names, "crossing_dim": self.crossing_dim, "output_mode": self.output_mode}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class Feature:
    """A column: its dtype ("float32", "int32" or "string"), the layer that preprocesses it, and how the
    result is encoded ("float", "int", or "one_hot")."""

    def __init__(self, dtype, preprocessor, output_mode):
        if output_mode not in FEATURE_OUTPUT_MODES:
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of {'int', 'one_hot', 'float'}. "
                f"Received: output_mode={output_mode}"
            )
        if isinstance(preprocessor, dict):
            preprocessor = layers.deserialize(preprocessor)
        self.dtype = dtype
        self.preprocessor = preprocessor
        self.output_mode = output_mode

    def get_config(self):
        return {
            "dtype": self.dtype,
            "preprocessor": layers.serialize(self.preprocessor),
            "output_mode": self.output_mode,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def _cardinality(name, preprocessor):
    if isinstance(preprocessor, (layers.IntegerLookup, layers.StringLookup)):
        return preprocessor.vocabulary_size()
    if isinstance(preprocessor, layers.CategoryEncoding):
        return preprocessor.num_tokens
    if isinstance(preprocessor, layers.Discretization):
        return preprocessor.num_bins or len(preprocessor.bin_boundaries) + 1
    if isinstance(preprocessor, (layers.HashedCrossing, layers.Hashing)):
        return preprocessor.num_bins
    raise ValueError(
        f"Feature '{name}' has `output_mode='one_hot'`. However it isn't a standard feature and the dimensionality "
        "of its output space is not known, thus it cannot be one-hot encoded. Try using `output_mode='int'`."
    )


def _columns(data):
    """A column (or a batch) as an array of rank >= 2: scalars become (1, 1), vectors (n, 1)."""
    if any_symbolic(data):
        return data
    array = numpy.asarray(data.numpy() if hasattr(data, "numpy") else data)
    if array.dtype.kind == "U":
        array = array.astype(object)
    return array.reshape(1, 1) if array.ndim == 0 else array[:, None] if array.ndim == 1 else array


class FeatureSpace(layers.Layer):
    """`FeatureSpace(features, output_mode="concat", crosses=None, crossing_dim=32, hashing_dim=32,
    num_discretization_bins=32)`: `features` maps each column name to a `Feature` (see the class methods
    `float`, `float_rescaled`, `float_normalized`, `float_discretized`, `integer_categorical`,
    `string_categorical`, `integer_hashed`, `string_hashed`, `feature`) or to one of those names as a
    string. `adapt(data)` fits the preprocessors that learn (a dict of arrays or lists, or an iterable of
    such dicts: a PyDataset, a DataLoader); calling it on a dict of columns gives one float vector per
    sample (`"concat"`: the features in sorted name order, then the crosses) or a dict of them.
    """

    @classmethod
    def cross(cls, feature_names, crossing_dim, output_mode="one_hot"):
        return Cross(feature_names, crossing_dim, output_mode=output_mode)

    @classmethod
    def feature(cls, dtype, preprocessor, output_mode):
        return Feature(dtype, preprocessor, output_mode)

    @classmethod
    def float(cls, name=None):
        name = name or auto_name("float")
        return Feature("float32", layers.Identity(name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_rescaled(cls, scale=1.0, offset=0.0, name=None):
        name = name or auto_name("float_rescaled")
        return Feature("float32", layers.Rescaling(scale=scale, offset=offset, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_normalized(cls, name=None):
        name = name or auto_name("float_normalized")
        return Feature("float32", layers.Normalization(axis=-1, name=f"{name}_preprocessor"), "float")

    @classmethod
    def float_discretized(cls, num_bins, bin_boundaries=None, output_mode="one_hot", name=None):
        name = name or auto_name("float_discretized")
        preprocessor = layers.Discretization(
            num_bins=num_bins, bin_boundaries=bin_boundaries, name=f"{name}_preprocessor"
        )
        return Feature("float32", preprocessor, output_mode)

    @classmethod
    def integer_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or auto_name("integer_categorical")
        preprocessor = layers.IntegerLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("int32", preprocessor, output_mode)

    @classmethod
    def string_categorical(cls, max_tokens=None, num_oov_indices=1, output_mode="one_hot", name=None):
        name = name or auto_name("string_categorical")
        preprocessor = layers.StringLookup(
            name=f"{name}_preprocessor", max_tokens=max_tokens, num_oov_indices=num_oov_indices
        )
        return Feature("string", preprocessor, output_mode)

    @classmethod
    def string_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or auto_name("string_hashed")
        return Feature("string", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    @classmethod
    def integer_hashed(cls, num_bins, output_mode="one_hot", name=None):
        name = name or auto_name("integer_hashed")
        return Feature("int32", layers.Hashing(name=f"{name}_preprocessor", num_bins=num_bins), output_mode)

    def __init__(
        self,
        features,
        output_mode="concat",
        crosses=None,
        crossing_dim=32,
        hashing_dim=32,
        num_discretization_bins=32,
        name=None,
    ):
        super().__init__(name=name)
        if not features:
            raise ValueError("The `features` argument cannot be None or empty.")
        if output_mode not in ("dict", "concat"):
            raise ValueError(
                f"Invalid value for argument `output_mode`. Expected one of {{'dict', 'concat'}}. "
                f"Received: output_mode={output_mode}"
            )
        self.crossing_dim = crossing_dim
        self.hashing_dim = hashing_dim
        self.num_discretization_bins = num_discretization_bins
        self.output_mode = output_mode
        self.features = {name: self._standardize_feature(name, value) for name, value in features.items()}
        self.crosses = [self._standardize_cross(cross, set(features)) for cross in crosses or []]
        self.crosses_by_name = {cross.name: cross for cross in self.crosses}
        self.preprocessors = {name: feature.preprocessor for name, feature in self.features.items()}
        self.crossers = {
            cross.name: layers.HashedCrossing(cross.crossing_dim, name=cross.name) for cross in self.crosses
        }
        self.inputs = None
        self.encoded_features = None
        self._encoders = None
        self._is_adapted = False

    def _standardize_feature(self, name, feature):
        if isinstance(feature, Feature):
            return feature
        if isinstance(feature, dict):
            return Feature.from_config(feature.get("config", feature))
        makers = {
            "float": lambda: self.float(name=name),
            "float_normalized": lambda: self.float_normalized(name=name),
            "float_rescaled": lambda: self.float_rescaled(name=name),
            "float_discretized": lambda: self.float_discretized(self.num_discretization_bins, name=name),
            "integer_categorical": lambda: self.integer_categorical(name=name),
            "string_categorical": lambda: self.string_categorical(name=name),
            "integer_hashed": lambda: self.integer_hashed(self.hashing_dim, name=name),
            "string_hashed": lambda: self.string_hashed(self.hashing_dim, name=name),
        }
        if feature not in makers:
            raise ValueError(f"Invalid feature type: {feature}. Expected a Feature or one of {sorted(makers)}")
        return makers[feature]()

    def _standardize_cross(self, cross, feature_names):
        if isinstance(cross, dict):
            return Cross.from_config(cross.get("config", cross))
        if isinstance(cross, Cross):
            return cross
        if not self.crossing_dim:
            raise ValueError(
                "When specifying `crosses`, the argument `crossing_dim` (dimensionality of the crossing space) "
                "should be specified as well."
            )
        unknown = [key for key in cross if key not in feature_names]
        if unknown:
            raise ValueError(
                "All features referenced in the `crosses` argument should be present in the `features` dict. "
                f"Received unknown features: {cross}"
            )
        return Cross(cross, crossing_dim=self.crossing_dim)

    def _adaptable(self):
        names = []
        for name, preprocessor in self.preprocessors.items():
            if isinstance(preprocessor, layers.Normalization) and getattr(preprocessor, "input_mean", None) is not None:
                continue
            # given boundaries, nothing to learn (Keras adapts it anyway, and Discretization refuses)
            if isinstance(preprocessor, layers.Discretization) and preprocessor.num_bins is None:
                continue
            if hasattr(preprocessor, "adapt"):
                names.append(name)
        return names

    def adapt(self, dataset):
        """Fit the preprocessors that learn (normalization statistics, vocabularies, bin boundaries)."""
        if isinstance(dataset, dict):
            columns = {name: _columns(values) for name, values in dataset.items()}
        elif hasattr(dataset, "__iter__") and not isinstance(dataset, (str, bytes)):
            batches = [batch[0] if isinstance(batch, tuple) else batch for batch in dataset]
            if not batches or not all(isinstance(batch, dict) for batch in batches):
                raise ValueError(
                    "`adapt()` can only be called on a dict of arrays/lists or on a dataset of such dicts. "
                    f"Received instead: {dataset} (of type {type(dataset)})"
                )
            columns = {name: numpy.concatenate([_columns(batch[name]) for batch in batches]) for name in batches[0]}
        else:
            raise ValueError(
                "`adapt()` can only be called on a dict of arrays/lists or on a dataset of such dicts. "
                f"Received instead: {dataset} (of type {type(dataset)})"
            )
        for name in self._adaptable():
            if name not in columns:
                raise ValueError(f"`adapt()` received no column '{name}'; it holds {sorted(columns)}")
            self.preprocessors[name].adapt(columns[name])
        self._is_adapted = True
        self.built = True

    def _check_if_adapted(self):
        if not self._is_adapted:
            if self._adaptable():
                raise ValueError(
                    "You need to call `.adapt(dataset)` on the FeatureSpace before you can start using it."
                )
            self._is_adapted = True

    def _merge(self, preprocessed, crossed):
        if self._encoders is None:
            self._encoders = {}
            specs = {**self.features, **self.crosses_by_name}
            for name, spec in specs.items():
                if spec.output_mode == "one_hot":
                    preprocessor = self.preprocessors.get(name) or self.crossers[name]
                    self._encoders[name] = layers.CategoryEncoding(
                        num_tokens=_cardinality(name, preprocessor), output_mode="multi_hot"
                    )
                elif self.output_mode == "concat" and spec.output_mode == "int":
                    raise ValueError(
                        f"Cannot concatenate features because feature '{name}' has not been encoded (its "
                        "`output_mode` is 'int'). Consider using `output_mode='dict'`."
                    )
        names = sorted(preprocessed) + sorted(crossed)
        values = {**preprocessed, **crossed}
        encoded = {
            name: self._encoders[name](values[name]) if name in self._encoders else values[name] for name in names
        }
        if self.output_mode == "dict":
            return encoded
        return ops.concatenate([ops.cast(encoded[name], "float32") for name in names], axis=-1)

    def _compute(self, data):
        preprocessed = {name: self.preprocessors[name](data[name]) for name in self.features}
        crossed = {
            cross.name: self.crossers[cross.name]([preprocessed[name] for name in cross.feature_names])
            for cross in self.crosses
        }
        return self._merge(preprocessed, crossed)

    def get_inputs(self):
        """One `kerasish.Input((1,))` per column, of the column's dtype, by name."""
        self._check_if_adapted()
        if self.inputs is None:
            self.inputs = {
                name: layers.Input(shape=(1,), dtype=feature.dtype, name=name)
                for name, feature in self.features.items()
            }
        return self.inputs

    def get_encoded_features(self):
        """The encoded features computed from `get_inputs()`: what the FeatureSpace gives, symbolically."""
        if self.encoded_features is None:
            self.encoded_features = self._compute(self.get_inputs())
        return self.encoded_features

    def __call__(self, data):
        self._check_if_adapted()
        if not isinstance(data, dict):
            raise ValueError(
                f"A FeatureSpace can only be called with a dict. Received: data={data} (of type {type(data)})"
            )
        missing = sorted(set(self.features) - set(data))
        if missing:
            raise ValueError(f"FeatureSpace: the data lacks the column(s) {missing}; it holds {sorted(data)}")
        single = not any_symbolic(data) and all(numpy.ndim(value) == 0 for value in data.values())
        merged = self._compute({name: _columns(value) for name, value in data.items()})
        if single:  # one sample given as scalars: the batch of one is removed again
            if self.output_mode == "concat":
                return merged[0]
            return {name: value[0] for name, value in merged.items()}
        return merged

    def get_config(self):
        return {
            "name": self.name,
            "features": {name: feature.get_config() for name, feature in self.features.items()},
            "output_mode": self.output_mode,
            "crosses": [cross.get_config() for cross in self.crosses],
            "crossing_dim": self.crossing_dim,
            "hashing_dim": self.hashing_dim,
            "num_discretization_bins": self.num_discretization_bins,
        }

    @classmethod
    def from_config(cls, config):
        return cls(**config)
