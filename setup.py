"""Packages live in three top-level folders; backends/ and applications/ install inside kerasish.

Sub-folders are found as namespace packages too, so data folders (applications/data) ship their
files through the package-data patterns in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

ROOTS = {"kerasish": "kerasish", "kerasish.backends": "backends", "kerasish.applications": "applications"}


def packages():
    names = []
    for name, folder in ROOTS.items():
        names.append(name)
        names += [f"{name}.{child}" for child in find_namespace_packages(folder, exclude=["*__pycache__*"])]
    return names


setup(packages=packages(), package_dir=ROOTS)
