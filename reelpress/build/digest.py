"""Canonical digests of records: the keys of the build graph.

A value is encoded canonically (dict items sorted; dataclasses by field, tagged with
their type; sets sorted by the digests of their members), then hashed with BLAKE2b. The
common case goes through the standard library's C JSON encoder (a view of 5,000 cards is
digested in milliseconds); values it cannot take (dicts with keys of mixed types) go
through an unambiguous byte stream of type tags and lengths. Two values with the same
digest are the same for every template that could read them, so an output key made from
the exact context a template receives cannot leave out an input. `repr()` is never used:
it is neither canonical (dict order, set order) nor complete (objects without one).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import hashlib
import io
import json
import pickle
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any, Protocol

DIGEST_SIZE = 16
Memo = dict[int, tuple[Any, bytes]]  # id -> (the record, its encoding)


class Digestible(Protocol):
    """A value that is not plain data (a lazy body, a link maker) says what it stands for."""

    def digest_parts(self) -> object: ...


def _encode(value: Any, out: list[bytes], memo: Memo | None = None) -> None:
    # order matters: bool before int, str subclasses (Markup) by their text
    if value is None:
        out.append(b"N")
    elif isinstance(value, bool):
        out.append(b"T" if value else b"F")
    elif isinstance(value, int | float):
        text = repr(value).encode()
        out.append(b"i" if isinstance(value, int) else b"f")
        out.append(len(text).to_bytes(4, "big") + text)
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
        out.append(b"s" + len(data).to_bytes(8, "big"))
        out.append(data)
    elif isinstance(value, bytes):
        out.append(b"b" + len(value).to_bytes(8, "big"))
        out.append(value)
    elif (parts := getattr(type(value), "digest_parts", None)) is not None:
        if memo is not None and (known := memo.get(id(value))) is not None:
            out.append(known[1])
            return
        inner: list[bytes] = []
        _encode(parts(value), inner, memo)
        encoded = (b"D" + type(value).__qualname__.encode() + b"\0"
                   + hashlib.blake2b(b"".join(inner), digest_size=DIGEST_SIZE).digest())
        if memo is not None:  # the value is kept with it: its id cannot be reused meanwhile
            memo[id(value)] = (value, encoded)
        out.append(encoded)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        out.append(b"C" + type(value).__qualname__.encode() + b"\0")
        fields = dataclasses.fields(value)
        out.append(len(fields).to_bytes(4, "big"))
        for item in fields:
            _encode(item.name, out, memo)
            _encode(getattr(value, item.name), out, memo)
    elif isinstance(value, Mapping):
        items = sorted((digest(key), key, item) for key, item in value.items())
        out.append(b"M" + len(items).to_bytes(8, "big"))
        for _, key, item in items:
            _encode(key, out, memo)
            _encode(item, out, memo)
    elif isinstance(value, list | tuple):
        out.append(b"L" + len(value).to_bytes(8, "big"))
        for item in value:
            _encode(item, out, memo)
    elif isinstance(value, set | frozenset):
        members = sorted(digest(item) for item in value)
        out.append(b"S" + len(members).to_bytes(8, "big"))
        out.extend(member.encode() for member in members)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        out.append(b"t" + value.isoformat().encode() + b"\0")
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            out.append(str(value.utcoffset()).encode() + b"\0")
    elif isinstance(value, enum.Enum):
        out.append(b"E" + type(value).__qualname__.encode() + b"\0")
        _encode(value.value, out, memo)
    elif isinstance(value, PurePath):
        _encode(value.as_posix(), out, memo)
    else:
        raise TypeError(f"cannot digest a {type(value).__qualname__}: make it a frozen "
                        "dataclass or give it digest_parts()")


def _plain(value: Any) -> Any:
    """What the JSON encoder writes for a value that is not JSON: tagged so that no
    plain list can be taken for it."""
    if (parts := getattr(type(value), "digest_parts", None)) is not None:
        return ["\0D", type(value).__qualname__, parts(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return ["\0C", type(value).__qualname__,
                {item.name: getattr(value, item.name) for item in dataclasses.fields(value)}]
    if isinstance(value, set | frozenset):
        return ["\0S", sorted(digest(item) for item in value)]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        offset = value.utcoffset() if isinstance(value, dt.datetime) else None
        return ["\0t", value.isoformat(), str(offset) if offset is not None else None]
    if isinstance(value, enum.Enum):
        return ["\0E", type(value).__qualname__, value.value]
    if isinstance(value, PurePath):
        return value.as_posix()
    if isinstance(value, bytes):
        return ["\0b", value.hex()]
    if isinstance(value, Mapping):
        return ["\0M", dict(value)]
    raise TypeError(f"cannot digest a {type(value).__qualname__}: make it a frozen "
                    "dataclass or give it digest_parts()")


_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, check_circular=False,
                         separators=(",", ":"), default=_plain)
# The C encoder `_JSON.encode` makes afresh on every call, made once: a view's digest is
# some 40 calls, and the setup was half of each (0.3 CPU-s of a cold build at 5,000).
_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)  # CPython's C accelerator
_ENCODE = (None if _C_ENCODER is None else _C_ENCODER(
    None, _plain, json.encoder.encode_basestring, None, ":", ",", True, False, True))


def _canonical_json(values: tuple[Any, ...]) -> str:
    """`_JSON.encode(values)`, through the encoder made once when there is one."""
    if _ENCODE is None:
        return _JSON.encode(values)
    return "".join(_ENCODE(values, 0))


def digest(*values: Any, memo: Memo | None = None) -> str:
    """The hex digest of `values`, canonical across processes and runs. `memo` (by object
    id, for one build whose records stay alive) encodes a record met again only once."""
    if memo is None:
        try:
            text = _canonical_json(values)
        except (TypeError, ValueError):  # keys JSON cannot sort: the byte stream below
            pass
        else:
            return hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                                   digest_size=DIGEST_SIZE).hexdigest()
    out: list[bytes] = [b"B"]
    for value in values:
        _encode(value, out, memo)
    return hashlib.blake2b(b"".join(out), digest_size=DIGEST_SIZE).hexdigest()


_STRING = json.encoder.encode_basestring  # what the encoder above writes for a str


def short_digest(value: Any) -> str:
    """`digest(value)[:16]`, with the encoder's setup skipped for a string, the most
    common part of a view (some 30 of an article's 45)."""
    if type(value) is str:
        text = "[" + _STRING(value) + "]"
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"),
                               digest_size=DIGEST_SIZE).hexdigest()[:16]
    return digest(value)[:16]


def record_digest(*values: Any) -> str:
    """A quick digest of picklable records, for keys that are only a shortcut: pickle
    (without its memo, so shared objects do not change the bytes) is exact, so different
    records never share a digest; equal records almost always do (a dict built in another
    order would not), and a miss only costs the canonical check that follows it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: the bytes depend on values, not on object identity
    pickler.dump(values)
    return hashlib.blake2b(buffer.getvalue(), digest_size=DIGEST_SIZE).hexdigest()
