"""Arguments that Keras 3 writes into layer configs for features kerasish does not implement.

Quantization and LoRA cut across many layers (Dense, EinsumDense, Embedding, convolutions), so
they are handled here, at load time, rather than in each layer file: a config that leaves them
at their inert value loads without them; one that uses them is refused with the layer named.
"""

import inspect

INERT_VALUES = {"quantization_config": None, "lora_rank": None, "lora_alpha": None}


def without_inert_arguments(cls, config):
    """`config` less the entries `cls` does not take whose values leave the feature off."""
    accepted = inspect.signature(cls.__init__).parameters
    unused = [key for key in INERT_VALUES if key in config and key not in accepted]
    for key in unused:
        if config[key] != INERT_VALUES[key]:
            raise ValueError(
                f"Layer {config.get('name')!r} ({cls.__name__}) was saved with {key}={config[key]!r}: "
                f"kerasish does not implement {key.split('_')[0]}; only {key}="
                f"{INERT_VALUES[key]!r} can be loaded"
            )
    return {key: value for key, value in config.items() if key not in unused}
