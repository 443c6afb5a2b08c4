"""The ``hccprotocol signoff FEATURE --reviewer NAME --role ROLE`` command: append one sign-off record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["signoff_command"]


def signoff_command(
    feature: Annotated[str, typer.Argument(help="Feature file name under the features folder, e.g. eligibility.feature",
                                            show_default=False)],
    reviewer: Annotated[str, typer.Option("--reviewer", help="Name of the clinician signing", show_default=False)],
    role: Annotated[str, typer.Option("--role", help="Role, e.g. hepatologist, oncology pharmacist",
                                      show_default=False)],
    features: Annotated[
        Path | None, typer.Option("--features", help="Folder of .feature files (default: features/ of the source "
                                  "checkout found from the current folder)", show_default=False)
    ] = None,
) -> None:
    """Append a sign-off of FEATURE to signoff.yaml (reviewer, role, date, protocol version, sha256, rules)."""
    import yaml

    from hccprotocol.commands.review import find_root
    from hccprotocol.errors import OptionError
    from hccprotocol.provenance import protocol_path
    from hccprotocol.review.catalogue import PRIMARY_PROTOCOL, catalogue
    from hccprotocol.review.report import SHIPPED_PROTOCOLS
    from hccprotocol.review.signoff import append_signoff

    if not reviewer.strip() or not role.strip():
        raise OptionError("--reviewer/--role: both must name the person and their role")
    folder = features if features is not None else find_root(Path.cwd()) / "features"
    versions = {
        pid: str(yaml.safe_load(protocol_path(pid).read_text(encoding="utf-8"))["version"]) for pid in SHIPPED_PROTOCOLS
    }
    record = append_signoff(
        folder, feature, reviewer=reviewer, role=role, catalogue=catalogue(), protocols=versions,
        primary=PRIMARY_PROTOCOL, today=dt.date.today(),
    )
    typer.echo(
        f"signed {record.feature} ({record.sha256[:12]}) by {record.reviewer}, {record.role}, {record.date}; "
        f"{len(record.rules)} rules fingerprinted"
    )
