"""Regular expressions and wildcards matched in time linear in the text, whatever the pattern.

User patterns (CloudWatch Logs ``%regex%`` filters, Logs Insights ``like /…/`` and ``parse /…/``,
SSM ``AllowedPattern``, EventBridge and SNS ``wildcard``) are run against every event. Python's ``re``
backtracks, so ``(a+)+$`` against thirty ``a`` and a ``!`` takes minutes; AWS's engines do not hang.
``Regex`` compiles the pattern to a Thompson NFA. ``search(text)`` (yes/no) runs it as a lazily built
DFA (each set of NFA states met is a DFA state, cached): every character of the text costs one step,
never a retry. ``find(text)`` gives the match with its groups, the same as ``re.search``: a DFA
answers first (the pattern read backwards, run over the reversed text, which also finds where the
leftmost match starts; the forward one when the pattern has ``^`` or ``$``), then a Pike VM (the
NFA's threads run side by side in the order backtracking would try them, each with its capture
positions) finds the leftmost-first match from that start in one pass, each
character costing at most a bound set by the pattern (threads, at most one per instruction, times
the instructions each reaches), never a retry. A repeated group that matched nothing keeps that empty
round's capture and ends the repetition, as in ``re``.

Supported: literals and escapes (``\\n \\t \\xhh \\uhhhh``, ``\\.`` …), ``.``, classes ``[a-z]`` ``[^…]``,
``\\d \\w \\s`` and their negations, ``^`` and ``$`` (text start and end), groups ``(…)`` ``(?:…)``
``(?P<name>…)`` ``(?<name>…)`` (captured, named or not), ``|``, ``* + ?`` and their lazy forms,
``{m}`` ``{m,}`` ``{m,n}``, and a leading ``(?i)``. A possessive ``*+`` is read as greedy.
Back-references, look-around, ``\\b``, a repeated or bad group name need backtracking or are wrong and
raise ``RegexError``, as does a pattern that would compile too large.

``Wildcard`` matches ``*``-only patterns by finding their literal pieces left to right."""

from __future__ import annotations

from typing import Any, Callable, Union

__all__ = ["RegexError", "Regex", "RegexMatch", "Wildcard"]

CharTest = Callable[[str], bool]
#: AST nodes: ("char", test) ("cat", [nodes]) ("alt", [nodes]) ("repeat", node, min, max|None)
#: ("bol",) ("eol",) ("empty",)
Node = tuple[Any, ...]
#: a match's capture positions: group k starts at slot 2k and ends at slot 2k+1 (None: not reached)
Slots = tuple[Union[int, None], ...]
#: the most NFA instructions a pattern may compile to (counted repetitions expand)
MAX_PROGRAM = 20_000
#: the most DFA states kept; past it the cache starts over (each step stays bounded by the NFA size)
MAX_DFA_STATES = 4_096
_NO_ROW: dict[str, frozenset[int]] = {}  # a DFA state not met yet has no transitions


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
        #: the name of each capturing group, in the order their ``(`` stand (None: unnamed)
        self.group_names: list[str | None] = []

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
            greedy = self.peek() != "?"
            if self.peek() in ("?", "+"):  # lazy (changes only the captures) or possessive (read as greedy)
                self.pos += 1
            node = ("repeat", node, low, high, greedy)

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
        capturing, name = True, None
        if self.peek() == "?":
            self.pos += 1
            kind = self.take()
            if kind == "P" and self.peek() == "<":
                self.pos += 1
                name = self.group_name()
            elif kind == "<" and self.peek() not in ("=", "!"):
                name = self.group_name()
            elif kind == ":":
                capturing = False
            else:
                raise self.fail("look-around and inline flags are not supported")
        if capturing:
            self.group_names.append(name)
            index = len(self.group_names)
        node = self.alternation()
        if self.take() != ")":
            raise self.fail("missing )")
        return ("group", index, node) if capturing else node

    def group_name(self) -> str:
        """The name of a ``(?<name>…)`` group, read up to its ``>``."""
        end = self.text.find(">", self.pos)
        if end == -1:
            raise self.fail("unterminated group name")
        name = self.text[self.pos:end]
        if not name.isidentifier():
            raise self.fail(f"bad group name {name!r}")
        if name in self.group_names:
            raise self.fail(f"redefinition of group name {name!r}")
        self.pos = end + 1
        return name

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
# instructions: ("char", test) ("split", preferred, other) ("jmp", to) ("star", preferred, other, exit)
# ("loop", star, next) ("save", slot) ("bol",) ("eol",) ("match",). A split's first target is the path a
# backtracking engine tries first. ``star`` opens an optional round of a repetition (one target its
# body, the other ``exit``, past the repetition); ``loop`` ends the body and goes on to ``next`` (the
# star again for ``*``, the next optional copy for ``{m,n}``); ``save`` records a group's edge.


class _Compiler:
    def __init__(self) -> None:
        self.program: list[list[Any]] = []

    def emit(self, *instruction: object) -> int:
        if len(self.program) >= MAX_PROGRAM:
            raise RegexError("pattern too complex")
        self.program.append(list(instruction))
        return len(self.program) - 1

    def pattern(self, tree: Node) -> None:
        """The whole pattern as group 0 (slots 0 and 1: where the match starts and ends)."""
        self.node(("group", 0, tree))
        self.emit("match")

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
                self.node(branch)
                jumps.append(self.emit("jmp", 0))
                self.branch(split, split + 1, len(self.program), greedy=True)
            self.node(branches[-1])
            for jump in jumps:
                self.program[jump][1] = len(self.program)
        elif kind == "group":
            self.emit("save", 2 * node[1])
            self.node(node[2])
            self.emit("save", 2 * node[1] + 1)
        elif kind == "repeat":
            self.repeat(node[1], node[2], node[3], node[4])

    def branch(self, split: int, into: int, past: int, greedy: bool) -> None:
        """Points ``split`` at ``into`` and ``past``, the preferred one first."""
        self.program[split][1], self.program[split][2] = (into, past) if greedy else (past, into)

    def repeat(self, node: Node, low: int, high: int | None, greedy: bool) -> None:
        """``low`` copies of ``node``, then a ``*`` (``high`` None) or ``high - low`` optional copies,
        each skipping to past the last one."""
        for _ in range(low):
            self.node(node)
        if high is None:
            star = self.optional(node)
            self.program[-1][2] = star  # the loop goes back for another round
            self.finish(star, greedy)
            return
        stars = [self.optional(node) for _ in range(high - low)]
        for star in stars:
            self.finish(star, greedy)

    def optional(self, node: Node) -> int:
        """A ``star`` then ``node`` then its ``loop`` (going on to what follows); returns the star."""
        star = self.emit("star", 0, 0, 0)
        self.node(node)
        loop = self.emit("loop", star, 0)
        self.program[loop][2] = loop + 1
        return star

    def finish(self, star: int, greedy: bool) -> None:
        """Points a ``star`` of a repetition that ends here at its body and past the repetition."""
        self.program[star][3] = len(self.program)
        self.branch(star, star + 1, len(self.program), greedy)


def _anchored(node: Node) -> bool:
    """Whether the tree holds a ``^`` or ``$``."""
    kind = node[0]
    if kind in ("bol", "eol"):
        return True
    if kind in ("cat", "alt"):
        return any(_anchored(item) for item in node[1])
    return kind in ("repeat", "group") and _anchored(node[1] if kind == "repeat" else node[2])


def _reversed(node: Node) -> Node:
    """The tree of the pattern read backwards (it matches the reversed texts); groups are dropped."""
    kind = node[0]
    if kind == "cat":
        return ("cat", [_reversed(item) for item in reversed(node[1])])
    if kind == "alt":
        return ("alt", [_reversed(item) for item in node[1]])
    if kind == "repeat":
        return ("repeat", _reversed(node[1]), *node[2:])
    if kind == "group":
        return _reversed(node[2])
    return node


class Regex:
    """A compiled pattern; ``search(text)`` says whether it matches anywhere in ``text``."""

    def __init__(self, pattern: str, ignore_case: bool = False) -> None:
        self.pattern = pattern
        parser = _Parser(pattern, ignore_case)
        tree = parser.parse()
        self._load(tree, tuple(parser.group_names))
        #: the parsed pattern until ``find`` first needs ``_backwards`` (built from it then)
        self._tree: Node | None = tree
        self._backwards: Regex | None = None

    @classmethod
    def _from_tree(cls, tree: Node) -> Regex:
        regex = cls.__new__(cls)
        regex.pattern = ""
        regex._load(tree, ())
        regex._tree, regex._backwards = None, None
        return regex

    def _backwards_pattern(self) -> Regex | None:
        """The pattern read backwards (None with ``^`` or ``$``): run over the reversed text, it finds
        where the leftmost match starts, so captures are sought from there only."""
        if self._tree is not None:
            if not _anchored(self._tree):
                self._backwards = Regex._from_tree(_reversed(self._tree))
            self._tree = None
        return self._backwards

    def _load(self, tree: Node, group_names: tuple[str | None, ...]) -> None:
        compiler = _Compiler()
        compiler.pattern(tree)
        self._program = [tuple(instruction) for instruction in compiler.program]
        self.group_names: tuple[str | None, ...] = group_names
        self._unset: Slots = (None,) * (2 * len(self.group_names) + 2)
        #: (pc, at text start, ``$`` holds) -> what ``_walk`` found from there
        self._follows: dict[tuple[int, bool, bool], tuple[tuple[int, tuple[int, ...]], ...]] = {}
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
            elif kind in ("split", "star"):
                stack.append(op[1])
                stack.append(op[2])
            elif kind == "jmp":
                stack.append(op[1])
            elif kind == "loop":
                stack.append(op[2])
            elif kind == "save":
                stack.append(pc + 1)
            elif kind == "bol":
                if at_start:
                    stack.append(pc + 1)
            elif kind == "eol":
                if at_end:
                    stack.append(pc + 1)
            else:  # match
                out.add(-1)
        return frozenset(out)

    def _learn(self, state: frozenset[int], char: str) -> frozenset[int]:
        """The DFA state after ``state`` reads ``char``, computed and cached (the hot loops look the
        cache up themselves and call this on a miss)."""
        transitions = self._transitions
        row = transitions.get(state)
        if row is None:
            if len(transitions) >= MAX_DFA_STATES:
                transitions.clear()
            row = transitions[state] = {}
        following = row[char] = self._step(state, char)
        return following

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
            following = transitions.get(state, _NO_ROW).get(char)
            if following is None:
                following = self._learn(state, char)
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


    # -- captures: a Pike VM over the same program ---------------------------------------------
    def find(self, text: str) -> RegexMatch | None:
        """The match ``re.search`` finds (leftmost, then the path a backtracking engine tries first)
        with its groups, or None. A DFA answers first, so a text without a match costs no capture run:
        the backwards pattern's over the reversed text, which also tells where the leftmost match
        starts (the furthest its matches reach), so only that start is run for captures; a pattern
        with ``^`` or ``$`` asks the forward DFA and tries every start."""
        backwards = self._backwards_pattern()
        if backwards is None:
            slots = self._capture_run(text, 0, every_start=True) if self.search(text) else None
        else:
            reach = backwards._furthest_match(text[::-1])
            slots = self._capture_run(text, len(text) - reach, every_start=False) if reach is not None else None
        return RegexMatch(text, slots, self.group_names) if slots is not None else None

    def _furthest_match(self, text: str) -> int | None:
        """Where the last-ending match in ``text`` ends (any start), or None; for patterns without ``$``."""
        transitions = self._transitions
        state = self._start_text
        furthest = 0 if -1 in state else None
        for index, char in enumerate(text, 1):
            following = transitions.get(state, _NO_ROW).get(char)
            if following is None:
                following = self._learn(state, char)
            state = following
            if -1 in state:
                furthest = index
        return furthest

    def _capture_run(self, text: str, position: int, every_start: bool) -> Slots | None:
        """A Pike VM from ``position`` (and, with ``every_start``, from each later one until a match):
        the NFA's threads advance together a character at a time, each carrying the
        capture positions of its path, kept in priority order. At most one thread waits at each
        instruction (a lower-priority one reaching a taken instruction is dropped: it could only repeat
        the higher one's future), so a character costs a bound set by the pattern. A thread reaching
        ``match`` drops all lower-priority ones; the higher ones run on and may still replace it."""
        length = len(text)
        threads: list[tuple[int, Slots]] = []
        seen: set[int] = set()
        matched: Slots | None = None
        starting = True
        while True:
            if starting:  # a match may start here, at the lowest priority
                start = self._spread(0, self._unset, position, self._at_end(text, position), seen, threads)
                matched = start if start is not None else matched
                starting = every_start and matched is None
            if position == length or (not threads and not starting):
                return matched
            char = text[position]
            position += 1
            at_end = self._at_end(text, position)
            waiting, threads, seen = threads, [], set()
            for pc, slots in waiting:
                if self._program[pc][1](char):
                    reached = self._spread(pc + 1, slots, position, at_end, seen, threads)
                    if reached is not None:
                        matched = reached
                        starting = False
                        break

    @staticmethod
    def _at_end(text: str, position: int) -> bool:
        """Whether ``$`` holds at ``position``: the end, or before a final newline (as in ``re``)."""
        return position == len(text) or (position == len(text) - 1 and text[position] == "\n")

    def _spread(self, pc: int, slots: Slots, position: int, at_end: bool, seen: set[int],
                threads: list[tuple[int, Slots]]) -> Slots | None:
        """Adds to ``threads`` those ``pc`` leads to without reading (but none at an instruction in
        ``seen``); returns the slots of a match reached, after which nothing of lower priority is added."""
        for target, saved in self._follow(pc, position == 0, at_end):
            if target in seen:
                continue
            seen.add(target)
            if saved:
                updated = list(slots)
                for slot in saved:
                    updated[slot] = position
                here = tuple(updated)
            else:
                here = slots
            if target < 0:
                return here
            threads.append((target, here))
        return None

    def _follow(self, pc: int, at_start: bool, at_end: bool) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """The ``char`` instructions (and ``-1``: match) reached from ``pc`` without reading, in
        priority order, each with the slots saved on the way there (cached)."""
        key = (pc, at_start, at_end)
        follow = self._follows.get(key)
        if follow is None:
            follow = self._follows[key] = self._walk(pc, at_start, at_end)
        return follow

    def _walk(self, pc: int, at_start: bool, at_end: bool) -> tuple[tuple[int, tuple[int, ...]], ...]:
        """Depth first, the preferred branch on top: the order backtracking tries. A path also carries
        the optional rounds (``star``) it entered in this walk and is still in (a stack: they nest); a
        body that comes back to its ``loop`` with its round entered here matched nothing, and like
        ``re`` the path then leaves the repetition, keeping that empty round's captures. A (pc, entered)
        pair met again is dropped: the first path to it is the preferred one, the later ones would only
        repeat its future."""
        program = self._program
        visited: set[tuple[int, tuple[int, ...]]] = set()
        out: list[tuple[int, tuple[int, ...]]] = []
        stack: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(pc, (), ())]
        while stack:
            pc, entered, saved = stack.pop()
            if (pc, entered) in visited:
                continue
            visited.add((pc, entered))
            op = program[pc]
            kind = op[0]
            if kind == "char":
                out.append((pc, saved))
            elif kind == "match":
                out.append((-1, saved))
            elif kind == "split":
                stack.append((op[2], entered, saved))
                stack.append((op[1], entered, saved))
            elif kind == "star":
                for target in (op[2], op[1]):
                    stack.append((target, entered if target == op[3] else entered + (pc,), saved))
            elif kind == "jmp":
                stack.append((op[1], entered, saved))
            elif kind == "loop":
                star = op[1]
                empty_round = bool(entered) and entered[-1] == star
                stack.append((program[star][3], entered[:-1], saved) if empty_round else (op[2], entered, saved))
            elif kind == "save":
                stack.append((pc + 1, entered, saved + (op[1],)))
            elif (kind == "bol" and at_start) or (kind == "eol" and at_end):
                stack.append((pc + 1, entered, saved))
        return tuple(out)

class RegexMatch:
    """What ``Regex.find`` found: like ``re.Match``, group 0 is the whole match, 1… the ``(…)`` groups
    in the order they open, None for a group that took no part."""

    def __init__(self, text: str, slots: Slots, names: tuple[str | None, ...]) -> None:
        self.text = text
        self.slots = slots
        self.names = names

    def span(self, index: int = 0) -> tuple[int, int] | None:
        start, end = self.slots[2 * index], self.slots[2 * index + 1]
        return (start, end) if start is not None and end is not None else None

    def group(self, index: int = 0) -> str | None:
        span = self.span(index)
        return self.text[span[0]:span[1]] if span is not None else None

    def groups(self) -> tuple[str | None, ...]:
        return tuple(self.group(index) for index in range(1, len(self.names) + 1))

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(index) for index, name in enumerate(self.names, 1) if name is not None}

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
