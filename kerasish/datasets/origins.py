"""Where the dataset files are downloaded from, and the hashes they must have.

`KERASISH_DATASETS_URL` (e.g. `http://127.0.0.1:8000/mirror`), when set, replaces the folder of every
origin: a file is then fetched from `$KERASISH_DATASETS_URL/<its file name>`. Use it for a local
mirror; the tests use it to serve generated files from 127.0.0.1.
"""

import os
import posixpath
import urllib.parse

GOOGLEAPIS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
TORONTO = "https://www.cs.toronto.edu/~kriz/"

# The hashes Keras checks (sha256 unless 32 characters: md5); None where Keras checks none.
FILE_HASHES = {
    "mnist.npz": "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    "cifar-10-python.tar.gz": "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    "cifar-100-python.tar.gz": "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
    "imdb.npz": "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    "imdb_word_index.json": "bfafd718b763782e994055a2d397834f",
    "boston_housing.npz": "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    "california_housing.npz": "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
    "reuters.npz": "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    "reuters_word_index.json": "4d44cc38712099c9e383dc6e5f11a921",
}


def origin(url):
    """`url`, or the same file name under `$KERASISH_DATASETS_URL` when that is set."""
    mirror = os.environ.get("KERASISH_DATASETS_URL")
    if not mirror:
        return url
    return f"{mirror.rstrip('/')}/{posixpath.basename(urllib.parse.urlsplit(url).path)}"


def file_hash(url):
    return FILE_HASHES.get(posixpath.basename(urllib.parse.urlsplit(url).path))
