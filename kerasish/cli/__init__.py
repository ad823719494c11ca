"""kerasish.cli: `kerasish train|evaluate|predict|export|summary CONFIG`, training from a configuration
file without code, as Caffe's `caffe train --solver`."""
