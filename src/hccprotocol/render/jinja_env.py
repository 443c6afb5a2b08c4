"""The one jinja2 environment of the HTML outputs (the printable calendar, the clinician review report).

Why one: both read the package's ``render/templates`` with the same safety settings (autoescape for
HTML, ``StrictUndefined`` so a missing value fails loudly instead of printing an empty cell).
"""

from __future__ import annotations

import functools
import json

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

__all__ = ["environment"]


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("hccprotocol.render", "templates"),
        autoescape=select_autoescape(["html", "html.j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["as_json"] = lambda value: json.dumps(value, ensure_ascii=False, default=str)
    return env
