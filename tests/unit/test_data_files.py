"""Every definition file is read strictly: a key written twice is refused, not resolved to the last one."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from hccprotocol.eligibility.compile import load_rules
from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.protocol import load_protocol


def shipped(package: str, name: str) -> str:
    return resources.files(package).joinpath(name).read_text(encoding="utf-8")


def test_site_protocol_copy_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "site-protocol.yaml"
    copy.write_text(shipped("hccprotocol.data.protocol", "haic-lenvatinib-pd1.yaml") + '\nversion: "9.9.9"\n')
    with pytest.raises(ProtocolDefinitionError, match="'version' appears twice"):
        load_protocol(str(copy))


def test_unchanged_site_copy_loads(tmp_path: Path) -> None:
    copy = tmp_path / "site-protocol.yaml"
    copy.write_text(shipped("hccprotocol.data.protocol", "haic-lenvatinib-pd1.yaml"))
    assert load_protocol(str(copy)).id == "haic-lenvatinib-pd1"


def test_rule_file_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "rules.yaml"
    text = shipped("hccprotocol.data.rules", "lin-2023-eligibility.yaml")
    id_line = next(line for line in text.splitlines() if line.startswith("id:"))
    copy.write_text(f"{text}\n{id_line}\n")
    # the model's loader names the line of the repeated key and of its first occurrence
    with pytest.raises(ProtocolDefinitionError, match=r"rules.yaml:\d+: id: duplicate key 'id' \(first given on line"):
        load_rules(str(copy))


def test_invalid_site_copy_names_the_offending_key(tmp_path: Path) -> None:
    copy = tmp_path / "site-protocol.yaml"
    copy.write_text(
        shipped("hccprotocol.data.protocol", "haic-lenvatinib-pd1.yaml").replace(
            "includes_pd1: true", "includes_pd1: maybe"
        )
    )
    with pytest.raises(ProtocolDefinitionError) as info:
        load_protocol(str(copy))
    assert any(issue.path == "includes_pd1" for issue in info.value.issues)
