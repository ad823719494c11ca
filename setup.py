"""Packages live in three top-level folders; backends/ and applications/ install inside kerasish."""
from setuptools import find_packages, setup

ROOTS = {"kerasish": "kerasish", "kerasish.backends": "backends", "kerasish.applications": "applications"}


def packages():
    names = []
    for name, folder in ROOTS.items():
        names.append(name)
        names += [f"{name}.{child}" for child in find_packages(folder)]
    return names


setup(packages=packages(), package_dir=ROOTS)
