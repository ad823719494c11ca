"""The `kerasish` command line: parses the arguments, loads the configuration and runs a subcommand.
A configuration or data error prints a message naming the file and the key, and exits with status 2."""

import argparse
import sys

from kerasish.backends.io.read_errors import UnreadableFileError
from kerasish.cli import commands
from kerasish.cli.config import ConfigError, load


def parser():
    main_parser = argparse.ArgumentParser(
        prog="kerasish",
        description="Train, evaluate, predict with, export and summarise a model described by a configuration file.",
    )
    subcommands = main_parser.add_subparsers(dest="command", required=True)

    def subcommand(name, help):
        sub = subcommands.add_parser(name, help=help)
        sub.add_argument("config", help="a .toml, .json or .yaml configuration")
        sub.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="SECTION.KEY=VALUE",
            help="override a configuration value (repeatable), e.g. --set solver.base_lr=0.01",
        )
        return sub

    subcommand("train", "train, resuming from the run's last checkpoint")
    for name, help in (
        ("evaluate", "evaluate the trained model on the test data"),
        ("predict", "write the trained model's predictions to a .npy file"),
        ("export", "export the trained model to ONNX"),
    ):
        sub = subcommand(name, help)
        sub.add_argument("--model", help="a .keras model instead of the run's model.keras")
        if name == "predict":
            sub.add_argument("--input", help="a .npy or .npz file of inputs (default: the test data)")
            sub.add_argument("--output", help="the .npy file to write (default: <run>/predictions.npy)")
        if name == "export":
            sub.add_argument("--output", help="the .onnx file to write (default: <run>/model.onnx)")
            sub.add_argument("--opset-version", type=int, help="the ONNX opset (default: the exporter's)")
    subcommand("summary", "print the model's layers and parameter counts")
    return main_parser


def main(argv=None):
    arguments = parser().parse_args(argv)
    try:
        config = load(arguments.config, arguments.set)
        if arguments.command == "train":
            commands.train(config)
        elif arguments.command == "evaluate":
            commands.evaluate(config, arguments.model)
        elif arguments.command == "predict":
            commands.predict(config, arguments.input, arguments.output, arguments.model)
        elif arguments.command == "export":
            commands.export(config, arguments.output, arguments.opset_version, arguments.model)
        else:
            commands.summary(config)
    except (ConfigError, UnreadableFileError) as error:
        print(f"kerasish {arguments.command}: error: {error}", file=sys.stderr)
        return 2
    return 0
