"""An immutable, hashable mapping that pydantic validates and serialises as a dict.

Why: a frozen pydantic model holding a ``dict`` can still be changed in place
(``model.numbering["x"] = ...``); every mapping reachable from the protocol
model is a :class:`FrozenMap` instead, so the model is immutable all the way down.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["FrozenMap"]

K = TypeVar("K")
V = TypeVar("V")


class FrozenMap(Mapping[K, V], Generic[K, V]):
    """A read-only mapping (no ``__setitem__``, no reachable mutable dict), kept in insertion order."""

    __slots__ = ("_index", "_items")
    _items: tuple[tuple[K, V], ...]
    _index: MappingProxyType[K, int]

    def __init__(self, items: Mapping[K, V] | None = None) -> None:
        pairs = tuple((items or {}).items())
        object.__setattr__(self, "_items", pairs)
        object.__setattr__(self, "_index", MappingProxyType({k: i for i, (k, _) in enumerate(pairs)}))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("FrozenMap is immutable")

    def __getitem__(self, key: K) -> V:
        return self._items[self._index[key]][1]

    def __iter__(self) -> Iterator[K]:
        return (k for k, _ in self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return dict(self._items) == dict(other.items())
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenMap({dict(self._items)!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        args = getattr(source, "__args__", None)
        key_schema = handler.generate_schema(args[0]) if args else core_schema.any_schema()
        value_schema = handler.generate_schema(args[1]) if args else core_schema.any_schema()
        dict_schema = core_schema.dict_schema(key_schema, value_schema)

        def unwrap(value: Any) -> Any:
            return dict(value.items()) if isinstance(value, FrozenMap) else value

        return core_schema.no_info_after_validator_function(
            FrozenMap,
            core_schema.no_info_before_validator_function(unwrap, dict_schema),
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda m: dict(m.items()), return_schema=dict_schema
            ),
        )
