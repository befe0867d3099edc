"""A str -> int map held as two arrays, for indexes a process holds many of.

A workspace's own segment of the library (bot.library.overlay) has thousands of terms and
features; as dicts they cost each workspace over 100 KB, a thousand workspaces 100 MB. Held as
sorted 64-bit hashes and values (12 bytes a key), as `matcher._Owners` holds names. A collision
of two 64-bit hashes is left to chance: about one in a billion for a segment's keys.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterator, Mapping


class HashedIds:
    """Keys to ids, looked up by hash; the keys themselves are not kept."""

    def __init__(self, ids: Mapping[str, int]):
        pairs = sorted((hash(key), value) for key, value in ids.items())
        self._hashes = array("q", (h for h, _ in pairs))
        self._values = array("I", (v for _, v in pairs))

    def _at(self, key: str) -> int:
        h = hash(key)
        i = bisect_left(self._hashes, h)
        return i if i < len(self._hashes) and self._hashes[i] == h else -1

    def get(self, key: str, default: int | None = None) -> int | None:
        i = self._at(key)
        return self._values[i] if i >= 0 else default

    def __getitem__(self, key: str) -> int:
        i = self._at(key)
        if i < 0:
            raise KeyError(key)
        return self._values[i]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._at(key) >= 0

    def __len__(self) -> int:
        return len(self._hashes)

    def hashed_items(self) -> Iterator[tuple[int, int]]:
        """(hash of a key, its id) for every key."""
        return zip(self._hashes, self._values)


def hashed_items(ids: Mapping[str, int] | HashedIds) -> Iterator[tuple[int, int]]:
    """(hash of a key, its id) for every key of a dict or a HashedIds."""
    if isinstance(ids, HashedIds):
        return ids.hashed_items()
    return ((hash(key), value) for key, value in ids.items())
