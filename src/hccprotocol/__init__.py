"""hccprotocol: computable, auditable decisions for the Lin 2023 HAIC + lenvatinib (+ PD-1) protocol."""

from __future__ import annotations

import functools


@functools.cache
def _version() -> str:
    # Read on first use: importlib.metadata costs ~40 ms, a sixth of the `hccprotocol --help` budget.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hccprotocol")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        return "0+unknown"


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _version()
    raise AttributeError(f"module 'hccprotocol' has no attribute {name!r}")
