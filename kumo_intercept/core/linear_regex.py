"""Regular expressions and wildcards matched in time linear in the text, whatever the pattern.

User patterns (CloudWatch Logs ``%regex%`` filters, Logs Insights ``like /…/``, EventBridge and SNS
``wildcard``) are run against every event. Python's ``re`` backtracks, so ``(a+)+$`` against thirty
``a`` and a ``!`` takes minutes; AWS's engines do not hang. ``Regex`` compiles the pattern to a
Thompson NFA and runs it as a lazily built DFA (each set of NFA states met is a DFA state, cached):
every character of the text costs one step, never a retry.

Supported: literals and escapes (``\\n \\t \\xhh \\uhhhh``, ``\\.`` …), ``.``, classes ``[a-z]`` ``[^…]``,
``\\d \\w \\s`` and their negations, ``^`` and ``$`` (text start and end), groups ``(…)`` ``(?:…)``
``(?P<name>…)`` (matched, not captured), ``|``, ``* + ?`` (lazy forms too: the answer is the same),
``{m}`` ``{m,}`` ``{m,n}``, and a leading ``(?i)``. Back-references, look-around and ``\\b`` need
backtracking and raise ``RegexError``, as does a pattern that would compile too large.

``Wildcard`` matches ``*``-only patterns by finding their literal pieces left to right.
"""

from __future__ import annotations

from typing import Any, Callable, Union

__all__ = ["RegexError", "Regex", "Wildcard"]

CharTest = Callable[[str], bool]
#: AST nodes: ("char", test) ("cat", [nodes]) ("alt", [nodes]) ("repeat", node, min, max|None)
#: ("bol",) ("eol",) ("empty",)
Node = tuple[Any, ...]
#: the most NFA instructions a pattern may compile to (counted repetitions expand)
MAX_PROGRAM = 20_000
#: the most DFA states kept; past it the cache starts over (each step stays bounded by the NFA size)
MAX_DFA_STATES = 4_096


class RegexError(ValueError):
    """A pattern this matcher cannot run (bad syntax or a construct that needs backtracking)."""


_DIGIT: CharTest = str.isdigit
_SPACE: CharTest = lambda c: c in " \t\n\r\f\v"  # noqa: E731


def _word(c: str) -> bool:
    return c == "_" or c.isalnum()


_CLASS_ESCAPES: dict[str, CharTest] = {
    "d": _DIGIT, "D": lambda c: not c.isdigit(), "w": _word, "W": lambda c: not _word(c),
    "s": _SPACE, "S": lambda c: not _SPACE(c),
}
_CHAR_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b", "0": "\x00"}


class _Parser:
    def __init__(self, pattern: str, ignore_case: bool) -> None:
        self.text = pattern
        self.pos = 0
        self.ignore_case = ignore_case

    def fail(self, reason: str) -> RegexError:
        return RegexError(f"{reason} at position {self.pos} of {self.text!r}")

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def take(self) -> str:
        char = self.peek()
        if not char:
            raise self.fail("unexpected end of pattern")
        self.pos += 1
        return char

    def parse(self) -> Node:
        if self.text.startswith("(?i)"):
            self.ignore_case = True
            self.pos = 4
        node = self.alternation()
        if self.pos != len(self.text):
            raise self.fail("unbalanced parenthesis")
        return node

    def alternation(self) -> Node:
        branches = [self.concatenation()]
        while self.peek() == "|":
            self.pos += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            items.append(self.repetition())
        return ("cat", items) if items else ("empty",)

    def repetition(self) -> Node:
        node = self.atom()
        while True:
            char = self.peek()
            if char in ("*", "+", "?"):
                self.pos += 1
                low, high = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
            elif char == "{" and self._counted():
                low, high = self._bounds()
            else:
                return node
            if node[0] in ("bol", "eol", "empty"):
                raise self.fail("nothing to repeat")
            if self.peek() in ("?", "+"):  # lazy or possessive: same yes/no answer
                self.pos += 1
            node = ("repeat", node, low, high)

    def _counted(self) -> bool:
        end = self.text.find("}", self.pos)
        body = self.text[self.pos + 1:end] if end != -1 else ""
        low, _, high = body.partition(",")
        return bool(low.isdigit() and (high == "" or high.isdigit()))

    def _bounds(self) -> tuple[int, int | None]:
        end = self.text.index("}", self.pos)
        body = self.text[self.pos + 1:end]
        self.pos = end + 1
        low_text, comma, high_text = body.partition(",")
        low = int(low_text)
        high = int(high_text) if high_text else (None if comma else low)
        if high is not None and high < low:
            raise self.fail("min repeat greater than max repeat")
        return low, high

    def atom(self) -> Node:
        char = self.take()
        if char == "(":
            return self.group()
        if char == "[":
            return ("char", self.char_class())
        if char == ".":
            return ("char", lambda c: c != "\n")
        if char == "^":
            return ("bol",)
        if char == "$":
            return ("eol",)
        if char == "\\":
            return ("char", self.escape(in_class=False))
        if char in ("*", "+", "?"):
            raise self.fail("nothing to repeat")
        return ("char", self.literal(char))

    def group(self) -> Node:
        if self.peek() == "?":
            self.pos += 1
            kind = self.take()
            if kind == "P" and self.peek() == "<":
                end = self.text.find(">", self.pos)
                if end == -1:
                    raise self.fail("unterminated group name")
                self.pos = end + 1
            elif kind == "<" and self.peek() not in ("=", "!"):
                end = self.text.find(">", self.pos)
                if end == -1:
                    raise self.fail("unterminated group name")
                self.pos = end + 1
            elif kind != ":":
                raise self.fail("look-around and inline flags are not supported")
        node = self.alternation()
        if self.take() != ")":
            raise self.fail("missing )")
        return node

    def literal(self, char: str) -> CharTest:
        if self.ignore_case and char.lower() != char.upper():
            folded = char.casefold()
            return lambda c: c.casefold() == folded
        return char.__eq__

    def escape(self, in_class: bool) -> CharTest:
        char = self.take()
        if char in _CLASS_ESCAPES:
            return _CLASS_ESCAPES[char]
        if char in _CHAR_ESCAPES:
            return self.literal(_CHAR_ESCAPES[char])
        if char in ("x", "u"):
            width = 2 if char == "x" else 4
            digits = self.text[self.pos:self.pos + width]
            if len(digits) != width or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise self.fail(f"bad \\{char} escape")
            self.pos += width
            return self.literal(chr(int(digits, 16)))
        if char.isdigit() or (char.isalpha() and not in_class):
            raise self.fail(f"\\{char} is not supported")
        return self.literal(char)

    def char_class(self) -> CharTest:
        negated = self.peek() == "^"
        if negated:
            self.pos += 1
        tests: list[CharTest] = []
        ranges: list[tuple[str, str]] = []
        first = True
        while True:
            char = self.take()
            if char == "]" and not first:
                break
            first = False
            if char == "\\":
                escape_at = self.pos
                test = self.escape(in_class=True)
                escaped = self.text[escape_at]
                if escaped in _CLASS_ESCAPES:
                    tests.append(test)
                    continue
                low = self._escaped_char(escape_at)
            else:
                low = char
            if self.peek() == "-" and self.text[self.pos + 1:self.pos + 2] not in ("]", ""):
                self.pos += 1
                high = self.take()
                if high == "\\":
                    escape_at = self.pos
                    self.escape(in_class=True)
                    high = self._escaped_char(escape_at)
                if high < low:
                    raise self.fail("bad character range")
                ranges.append((low, high))
            else:
                ranges.append((low, low))
        ignore_case = self.ignore_case

        def member(c: str) -> bool:
            for low, high in ranges:
                if low <= c <= high or (ignore_case and (low <= c.lower() <= high or low <= c.upper() <= high)):
                    return True
            return any(test(c) for test in tests)

        return (lambda c: not member(c)) if negated else member

    def _escaped_char(self, at: int) -> str:
        """The character an escape inside a class stands for (``\\n``, ``\\x41``, ``\\]`` …)."""
        char = self.text[at]
        if char in _CHAR_ESCAPES:
            return _CHAR_ESCAPES[char]
        if char in ("x", "u"):
            return chr(int(self.text[at + 1:self.pos], 16))
        return char


# -- compiling to a Thompson NFA -------------------------------------------------------------
# instructions: ("char", test) ("split", a, b) ("jmp", a) ("bol",) ("eol",) ("match",)
Instruction = Union[tuple[str], tuple[str, CharTest], tuple[str, int], tuple[str, int, int]]


class _Compiler:
    def __init__(self) -> None:
        self.program: list[list[Any]] = []

    def emit(self, *instruction: object) -> int:
        if len(self.program) >= MAX_PROGRAM:
            raise RegexError("pattern too complex")
        self.program.append(list(instruction))
        return len(self.program) - 1

    def node(self, node: Node) -> None:
        kind = node[0]
        if kind == "char":
            self.emit("char", node[1])
        elif kind in ("bol", "eol"):
            self.emit(kind)
        elif kind == "cat":
            for item in node[1]:
                self.node(item)
        elif kind == "alt":
            jumps = []
            branches = node[1]
            for branch in branches[:-1]:
                split = self.emit("split", 0, 0)
                self.program[split][1] = split + 1
                self.node(branch)
                jumps.append(self.emit("jmp", 0))
                self.program[split][2] = len(self.program)
            self.node(branches[-1])
            for jump in jumps:
                self.program[jump][1] = len(self.program)
        elif kind == "repeat":
            self.repeat(node[1], node[2], node[3])

    def repeat(self, node: Node, low: int, high: int | None) -> None:
        for _ in range(low):
            self.node(node)
        if high is None:
            split = self.emit("split", 0, 0)
            self.program[split][1] = split + 1
            self.node(node)
            self.emit("jmp", split)
            self.program[split][2] = len(self.program)
            return
        splits = []
        for _ in range(high - low):
            split = self.emit("split", 0, 0)
            self.program[split][1] = split + 1
            splits.append(split)
            self.node(node)
        for split in splits:
            self.program[split][2] = len(self.program)


class Regex:
    """A compiled pattern; ``search(text)`` says whether it matches anywhere in ``text``."""

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        self.pattern = pattern
        tree = _Parser(pattern, ignore_case).parse()
        compiler = _Compiler()
        compiler.node(tree)
        compiler.emit("match")
        self._program = [tuple(instruction) for instruction in compiler.program]
        self._start_text = self._closure((0,), at_start=True)
        self._has_eol = any(op[0] == "eol" for op in self._program)
        #: DFA state (frozenset of NFA pcs waiting on a character) -> {char: next state}
        self._transitions: dict[frozenset[int], dict[str, frozenset[int]]] = {}

    def _closure(self, pcs: tuple[int, ...] | list[int], at_start: bool, at_end: bool = False) -> frozenset[int]:
        """The instructions reachable from ``pcs`` without reading a character: the ``char`` ones
        (waiting) plus ``-1`` if ``match`` is reachable."""
        program = self._program
        seen: set[int] = set()
        out: set[int] = set()
        stack = list(pcs)
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op = program[pc]
            kind = op[0]
            if kind == "char":
                out.add(pc)
            elif kind == "split":
                stack.append(op[1])
                stack.append(op[2])
            elif kind == "jmp":
                stack.append(op[1])
            elif kind == "bol":
                if at_start:
                    stack.append(pc + 1)
            elif kind == "eol":
                if at_end:
                    stack.append(pc + 1)
            else:  # match
                out.add(-1)
        return frozenset(out)

    def _step(self, state: frozenset[int], char: str) -> frozenset[int]:
        program = self._program
        following = [pc + 1 for pc in state if pc >= 0 and program[pc][1](char)]
        following.append(0)  # a match may also start after this character
        return self._closure(following, at_start=False)

    def search(self, text: str) -> bool:
        transitions = self._transitions
        state = self._start_text
        if -1 in state:
            return True
        # the states before the last and the one-but-last characters: ``$`` also holds before a
        # final newline (as in Java and Python), and only ``$`` can make a match at the end
        previous: frozenset[int] | None = None
        earlier: frozenset[int] | None = None
        for char in text:
            row = transitions.get(state)
            if row is None:
                if len(transitions) >= MAX_DFA_STATES:
                    transitions.clear()
                row = transitions[state] = {}
            following = row.get(char)
            if following is None:
                following = row[char] = self._step(state, char)
            earlier, previous, state = previous, state, following
            if -1 in state:
                return True
        if not self._has_eol:
            return False
        if self._matches_at(previous, text[-1:]):
            return True
        return text.endswith("\n") and self._matches_at(earlier, text[-2:-1])

    def _matches_at(self, before: frozenset[int] | None, char: str) -> bool:
        """Whether a match ends here with ``$`` holding, ``before`` being the state ahead of ``char``
        (None with no character: the start of the text)."""
        if before is None:
            return -1 in self._closure((0,), at_start=True, at_end=True)
        program = self._program
        following = [pc + 1 for pc in before if pc >= 0 and program[pc][1](char)]
        following.append(0)
        return -1 in self._closure(following, at_start=False, at_end=True)


class Wildcard:
    """A pattern whose only operator is ``*`` (any run of characters), given as its literal pieces:
    ``"a*b*c"`` is ``Wildcard(["a", "b", "c"])``. ``fullmatch(text)`` finds the pieces left to right,
    each at its first place after the previous one (a greedy choice that is always right for ``*``)."""

    def __init__(self, pieces: list[str], ignore_case: bool = False) -> None:
        if not pieces:
            raise ValueError("a wildcard has at least one piece")
        self.ignore_case = ignore_case
        self.pieces = [piece.casefold() for piece in pieces] if ignore_case else list(pieces)

    def fullmatch(self, text: str) -> bool:
        if self.ignore_case:
            text = text.casefold()
        pieces = self.pieces
        first, last = pieces[0], pieces[-1]
        if len(pieces) == 1:
            return text == first
        if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
            return False
        position, end = len(first), len(text) - len(last)
        for piece in pieces[1:-1]:
            found = text.find(piece, position, end)
            if found == -1:
                return False
            position = found + len(piece)
        return True
