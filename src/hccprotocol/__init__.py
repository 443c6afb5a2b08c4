"""hccprotocol: computable, auditable decisions for the Lin 2023 HAIC + lenvatinib (+ PD-1) protocol."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("hccprotocol")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"
