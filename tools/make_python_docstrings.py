"""Make kerasish/datasets/data/python_docstrings.csv.gz, the small text-classification data set bundled
with kerasish (see kerasish/datasets/python_docstrings.py): the first paragraph of the docstring of each
public function, class and method of 70 standard-library modules, labelled with the topic of its module
(files, networking, text, numbers). Run with the Python whose standard library it should read (the
committed file was made with CPython 3.11):

    python tools/make_python_docstrings.py
"""

import csv
import gzip
import importlib
import inspect
import io
import os

import numpy

TOPICS = {
    "files": [
        "os",
        "os.path",
        "shutil",
        "pathlib",
        "glob",
        "fnmatch",
        "tempfile",
        "filecmp",
        "stat",
        "io",
        "zipfile",
        "tarfile",
        "gzip",
        "bz2",
        "lzma",
        "fileinput",
        "linecache",
        "mmap",
    ],
    "network": [
        "socket",
        "ssl",
        "urllib.request",
        "urllib.parse",
        "urllib.robotparser",
        "http.client",
        "http.server",
        "http.cookies",
        "http.cookiejar",
        "email.message",
        "email.utils",
        "email.header",
        "smtplib",
        "ftplib",
        "poplib",
        "imaplib",
        "ipaddress",
        "mimetypes",
        "xmlrpc.client",
        "socketserver",
        "selectors",
    ],
    "text": [
        "string",
        "re",
        "textwrap",
        "difflib",
        "unicodedata",
        "codecs",
        "html",
        "html.parser",
        "locale",
        "gettext",
        "shlex",
        "stringprep",
        "tokenize",
        "json",
        "csv",
        "configparser",
    ],
    "numbers": [
        "math",
        "cmath",
        "statistics",
        "decimal",
        "fractions",
        "random",
        "numbers",
        "operator",
        "bisect",
        "heapq",
        "array",
        "itertools",
        "colorsys",
    ],
}
OUTPUT = os.path.join(os.path.dirname(__file__), "..", "kerasish", "datasets", "data", "python_docstrings.csv.gz")


def first_paragraph(text):
    paragraph = inspect.cleandoc(text).split("\n\n")[0]
    return " ".join(paragraph.split())


def public_objects(module):
    root = module.__name__.split(".")[0].lstrip("_")
    for name in sorted(dir(module)):
        if name.startswith("_"):
            continue
        value = getattr(module, name, None)
        owner = (getattr(value, "__module__", None) or "").lstrip("_")
        if not (inspect.isroutine(value) or inspect.isclass(value)) or not owner.startswith(root):
            continue
        yield value
        if inspect.isclass(value):
            for member_name, member in sorted(vars(value).items()):
                if not member_name.startswith("_") and inspect.isroutine(member):
                    yield member


def rows():
    seen = set()
    for label, modules in enumerate(TOPICS.values()):
        for module_name in modules:
            for value in public_objects(importlib.import_module(module_name)):
                doc = getattr(value, "__doc__", None)
                if not isinstance(doc, str):
                    continue
                text = first_paragraph(doc)
                if 20 <= len(text) <= 600 and text not in seen:
                    seen.add(text)
                    yield label, text


def main():
    table = list(rows())
    order = numpy.random.default_rng(1337).permutation(len(table))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["label", "text"])
    writer.writerows(table[i] for i in order)
    with gzip.GzipFile(OUTPUT, "wb", mtime=0) as file:
        file.write(buffer.getvalue().encode("utf-8"))
    counts = numpy.bincount([label for label, _ in table])
    print(f"{len(table)} docstrings, per topic {dict(zip(TOPICS, counts.tolist()))}, {os.path.getsize(OUTPUT)} bytes")


if __name__ == "__main__":
    main()
