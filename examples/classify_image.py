"""Classify one image with a pretrained network and print the top-5 ImageNet classes.

    python examples/classify_image.py photo.png                      # ResNet50, Keras weights
    python examples/classify_image.py photo.png --model ResNet18     # torchvision weights
    python examples/classify_image.py photo.png --weights my.pth     # a local .h5 or .pth file

Weights download once into ~/.kerasish/models. The preprocessing follows the weights (model.meta).
"""

import argparse

import numpy

import kerasish as keras
from kerasish.applications.imagenet_utils import decode_predictions, preprocess_input


def main(image_path, model_name="ResNet50", weights="imagenet"):
    model = getattr(keras.applications, model_name)(weights=weights)
    image = keras.utils.load_img(image_path, target_size=(224, 224))
    batch = preprocess_input(keras.utils.img_to_array(image)[None], mode=model.meta["preprocessing"])
    predictions = model.predict(batch, verbose=0)
    if model.meta["source"] == "torchvision":  # torchvision heads give logits
        predictions = numpy.asarray(keras.ops.softmax(predictions))
    top5 = decode_predictions(predictions, top=5)[0]
    for wordnet_id, name, score in top5:
        print(f"{name:30s} {wordnet_id}  {score:.4f}")
    return top5


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("image")
    parser.add_argument("--model", default="ResNet50")
    parser.add_argument("--weights", default="imagenet")
    arguments = parser.parse_args()
    main(arguments.image, arguments.model, arguments.weights)
