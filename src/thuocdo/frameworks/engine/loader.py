"""Safe YAML reading for criteria sets.

Files over 5 MB are refused before parsing; bytes must be UTF-8 (a BOM is stripped); YAML
anchors and aliases are refused outright (a criteria set has no need for them, and refusing
them stops "billion laughs" bombs at the first alias); nesting depth and node count are
bounded; duplicate mapping keys are reported. Returns plain Python data plus a map from
problem paths to line numbers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from .messages import Problem

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 100_000  # the largest built-in set has about 1,500; a bomb costs time per node

try:  # libyaml parser (C) with our own guarded composer on top
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - pure-Python fallback
    from yaml.parser import Parser as _PyParserBase
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, _PyParserBase):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            _PyParserBase.__init__(self)


class _LimitExceededError(Exception):
    def __init__(self, code: str, line: int | None, **params: Any) -> None:
        self.code = code
        self.line = line
        self.params = params
        super().__init__(code)


class _GuardedComposer(Composer):
    """Composer that refuses anchors/aliases and bounds depth and node count."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, AliasEvent):
            raise _LimitExceededError("yaml.alias_not_allowed", line)
        if (
            isinstance(event, ScalarEvent | SequenceStartEvent | MappingStartEvent)
            and event.anchor is not None
        ):
            raise _LimitExceededError("yaml.alias_not_allowed", line)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _LimitExceededError("yaml.too_many_nodes", line, limit=MAX_NODES)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _LimitExceededError("yaml.too_deep", line, limit=MAX_DEPTH)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(_GuardedComposer, _Parser, SafeConstructor, Resolver):
    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        _GuardedComposer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)


def read_bounded(fh: BinaryIO, limit: int = MAX_BYTES) -> bytes:
    """Read at most ``limit + 1`` bytes in small chunks (so a caller can tell "too large"
    without holding more, and pipes and empty files need no size up front)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = fh.read(min(65536, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


@dataclass
class Loaded:
    """Parsed YAML data, the line of every path, and problems met while reading."""

    data: Any = None
    lines: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # paths of scalars read as None


def decode(raw: bytes, source_name: str) -> tuple[str | None, list[Problem]]:
    """Check size and encoding; returns NFC text or problems."""
    if len(raw) > MAX_BYTES:
        return None, [
            Problem(source_name, "", "file.too_large", {"size": len(raw), "limit": MAX_BYTES})
        ]
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(source_name, "", "file.not_utf8", {"offset": exc.start}, line)]
    return unicodedata.normalize("NFC", text), []


def load_yaml(text: str | bytes, source_name: str) -> Loaded:
    """Parse YAML safely into plain data; all problems are returned, nothing is raised."""
    if isinstance(text, bytes):
        decoded, problems = decode(text, source_name)
        if decoded is None:
            return Loaded(problems=problems)
        text = decoded
    else:
        # A character is 1 to 4 bytes: decide from the length alone when it can, so an
        # oversized text is refused without another copy of it.
        too_large = len(text) > MAX_BYTES or (
            len(text) * 4 > MAX_BYTES and len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES
        )
        if too_large:
            size = (
                len(text) if len(text) > MAX_BYTES else len(text.encode("utf-8", "surrogatepass"))
            )
            return Loaded(
                problems=[
                    Problem(source_name, "", "file.too_large", {"size": size, "limit": MAX_BYTES})
                ]
            )
        text = unicodedata.normalize("NFC", text.removeprefix("\ufeff"))
    if not text.strip():
        return Loaded(problems=[Problem(source_name, "", "file.empty")])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except _LimitExceededError as exc:
        return Loaded(problems=[Problem(source_name, "", exc.code, exc.params, exc.line)])
    except yaml.YAMLError as exc:
        return Loaded(problems=[_yaml_problem(exc, source_name)])
    finally:
        loader.dispose()
    out = Loaded()
    if node is None:
        out.problems.append(Problem(source_name, "", "file.empty"))
        return out
    try:
        out.data = _convert(node, "", loader, out, source_name)
    except yaml.YAMLError as exc:
        out.problems.append(_yaml_problem(exc, source_name))
        out.data = None
    return out


def _yaml_problem(exc: yaml.YAMLError, source_name: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if "nesting depth" in str(reason):
        # PyYAML >= 6.0.3 stops deep flow collections in its scanner, before our composer.
        return Problem(source_name, "", "yaml.too_deep", {"limit": MAX_DEPTH}, line)
    return Problem(source_name, "", "yaml.syntax", {"error": str(reason)}, line)


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"})


def _convert(node: Node, path: str, loader: _Loader, out: Loaded, source_name: str) -> Any:
    out.lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, ScalarNode) and node.tag not in _PLAIN_TAGS:
        out.problems.append(
            Problem(
                source_name,
                path,
                "yaml.tag_not_allowed",
                {"tag": node.tag},
                node.start_mark.line + 1,
            )
        )
        return None
    if isinstance(node, ScalarNode):
        try:
            return loader.construct_object(node, deep=True)
        except ValueError as exc:  # an int over Python's 4,300-digit limit, a bad date
            line = node.start_mark.line + 1
            if node.tag == "tag:yaml.org,2002:int":
                out.problems.append(Problem(source_name, path, "number.too_large", {}, line))
            else:
                out.problems.append(
                    Problem(source_name, path, "yaml.syntax", {"error": str(exc)}, line)
                )
            out.unreadable.add(path)
            return None
    if isinstance(node, SequenceNode):
        return [
            _convert(child, _join(path, i), loader, out, source_name)
            for i, child in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                line = key_node.start_mark.line + 1
                out.problems.append(Problem(source_name, path, "yaml.alias_not_allowed", {}, line))
                continue
            key = (
                _convert(key_node, path, loader, out, source_name)
                if isinstance(key_node, ScalarNode)
                else None
            )
            line = key_node.start_mark.line + 1
            if isinstance(key, bool) or not isinstance(key, str | int | float):
                out.problems.append(
                    Problem(source_name, path, "yaml.bad_key", {"got": key_node.tag}, line)
                )
                continue
            key = unicodedata.normalize("NFC", str(key)) if not isinstance(key, str) else key
            if key == "<<":
                out.problems.append(Problem(source_name, path, "yaml.alias_not_allowed", {}, line))
                continue
            if key in result:
                out.problems.append(
                    Problem(source_name, _join(path, key), "yaml.duplicate_key", {"key": key}, line)
                )
                continue
            result[key] = _convert(value_node, _join(path, key), loader, out, source_name)
        return result
    return None  # pragma: no cover
