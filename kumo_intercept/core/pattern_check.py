"""Checking a pattern's JSON text the way AWS does, so refusals carry AWS's exact wording and location.

AWS compiles patterns with event-ruler's streaming compiler on top of a Jackson parser: a refusal is
the compiler's reason followed by where the parser stood, e.g.

    "source" must be an object or an array
     at [Source: (String)"{"source": "aws.ec2"}"; line: 1, column: 13]

Where the parser stands follows Jackson's rules, which this module reproduces: after a field name it
has already read the start of the value; a string token is read lazily (only its opening quote,
until the compiler asks for its text); numbers and literals are read whole.

``check_pattern_text(text)`` raises ``PatternError`` with that full message, or returns None.
"""

from __future__ import annotations

from typing import Any

from .patterns import OR_KEY, RESERVED_IN_OR, PatternError

_WS = " \t\r\n"
_SOURCE_LIMIT = 500

START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY = "{", "}", "[", "]"
FIELD_NAME, STRING, NUMBER_INT, NUMBER_FLOAT = "name", "string", "int", "float"
TRUE, FALSE, NULL = "true", "false", "null"
_NUMERIC = (NUMBER_INT, NUMBER_FLOAT)



class _Parser:
    """A Jackson-like pull parser over the text, tracking the input position as Jackson does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.stack: list[list[Any]] = []   # [kind ("obj"/"arr"), has_values]
        self.stash: str | None = None      # the value token read along with a field name
        self.incomplete = False            # current token is a string whose body is unread
        self.token: str | None = None
        self.value: Any = None             # text of the current token (when known)
        self.name: str | None = None

    # -- errors ---------------------------------------------------------------------------------
    def location(self) -> str:
        text = self.text
        line = text.count("\n", 0, self.pos) + 1
        column = self.pos - (text.rfind("\n", 0, self.pos) + 1) + 1
        if len(text) > _SOURCE_LIMIT:
            source = f'(String)"{text[:_SOURCE_LIMIT]}"[truncated {len(text) - _SOURCE_LIMIT} chars]'
        else:
            source = f'(String)"{text}"'
        return f"[Source: {source}; line: {line}, column: {column}]"

    def barf(self, message: str) -> None:
        raise PatternError(f"{message}\n at {self.location()}")

    def _unexpected(self, expecting: str) -> None:
        if self.pos >= len(self.text):
            self.barf(f"Unexpected end-of-input: {expecting}")
        char = self.text[self.pos]
        self.pos += 1
        self.barf(f"Unexpected character ('{char}' (code {ord(char)})): {expecting}")

    # -- lexing ---------------------------------------------------------------------------------
    def _skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        self.pos = pos

    def _read_string(self) -> str:
        """The string body from the current position (just past the opening quote)."""
        text = self.text
        out: list[str] = []
        pos = self.pos
        while True:
            if pos >= len(text):
                self.pos = pos
                self.barf("Unexpected end-of-input: was expecting closing quote for a string value")
            char = text[pos]
            if char == '"':
                self.pos = pos + 1
                return "".join(out)
            if char == "\\":
                escape = text[pos + 1:pos + 2]
                if escape == "u":
                    out.append(chr(int(text[pos + 2:pos + 6], 16)))
                    pos += 6
                    continue
                out.append({"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}.get(escape, escape))
                pos += 2
                continue
            out.append(char)
            pos += 1

    def _start_value(self) -> str:
        self._skip_ws()
        text, pos = self.text, self.pos
        if pos >= len(text):
            self._unexpected("expected a value")
        char = text[pos]
        if char == '"':
            self.pos = pos + 1
            self.incomplete = True
            self.value = None
            return STRING
        if char in "{[":
            self.pos = pos + 1
            return char
        if char == "-" or char.isdigit():
            end = pos + 1
            while end < len(text) and (text[end].isdigit() or text[end] in ".eE+-"):
                end += 1
            literal = text[pos:end]
            try:
                float(literal)
            except ValueError:
                self.pos = end
                self.barf(f"Unexpected character in number: {literal}")
            self.pos = end
            self.value = literal
            return NUMBER_FLOAT if any(c in literal for c in ".eE") else NUMBER_INT
        for word in (TRUE, FALSE, NULL):
            if text.startswith(word, pos):
                self.pos = pos + len(word)
                self.value = word
                return word
        self._unexpected("expected a valid value (JSON String, Number, Array, Object or token 'null', "
                         "'true' or 'false')")
        return ""  # unreachable

    def _enter(self, token: str) -> None:
        if token == START_OBJECT:
            self.stack.append(["obj", False])
        elif token == START_ARRAY:
            self.stack.append(["arr", False])

    def next(self) -> str | None:
        if self.stash is not None:
            token, self.stash = self.stash, None
            self._enter(token)
            self.token = token
            return token
        if self.incomplete:
            self._read_string()
            self.incomplete = False
        if not self.stack:
            self._skip_ws()
            if self.pos >= len(self.text):
                self.token = None
                return None
            token = self._start_value()
            self._enter(token)
            self.token = token
            return token
        frame = self.stack[-1]
        self._skip_ws()
        text = self.text
        closer = "}" if frame[0] == "obj" else "]"
        if self.pos < len(text) and text[self.pos] == closer:
            self.pos += 1
            self.stack.pop()
            self.token = END_OBJECT if closer == "}" else END_ARRAY
            return self.token
        if frame[1]:
            if self.pos >= len(text) or text[self.pos] != ",":
                kind = "OBJECT" if frame[0] == "obj" else "ARRAY"
                self._unexpected(f"was expecting comma to separate {kind} entries")
            self.pos += 1
            self._skip_ws()
        frame[1] = True
        if frame[0] == "obj":
            if self.pos >= len(text) or text[self.pos] != '"':
                self._unexpected("was expecting double-quote to start field name")
            self.pos += 1
            self.name = self._read_string()
            self._skip_ws()
            if self.pos >= len(text) or text[self.pos] != ":":
                self._unexpected("was expecting a colon to separate field name and value")
            self.pos += 1
            self.stash = self._start_value()
            self.token = FIELD_NAME
            return FIELD_NAME
        token = self._start_value()
        self._enter(token)
        self.token = token
        return token

    def text_value(self) -> str:
        """The current token's text (completing a lazily read string, as Jackson's getText does)."""
        if self.token == STRING and self.incomplete:
            self.value = self._read_string()
            self.incomplete = False
        if self.token in (START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY):
            return self.token
        if self.token == FIELD_NAME:
            return self.name or ""
        return "" if self.value is None else str(self.value)


# -- event-ruler's JsonRuleCompiler, checks only --------------------------------------------------------
def check_pattern_text(text: str) -> None:
    """Raise PatternError (with AWS's location suffix) if event-ruler would refuse ``text``."""
    parser = _Parser(text)
    if parser.next() != START_OBJECT:
        parser.barf("Filter is not an object")
    _object(parser, inside_or=False)
    if parser.next() is not None:
        parser._unexpected("expected end of input")


def _object(parser: _Parser, inside_or: bool) -> None:
    present = False
    while parser.next() != END_OBJECT:
        present = True
        name = parser.name or ""
        if name == OR_KEY:
            _or(parser)
            continue
        if inside_or and name in RESERVED_IN_OR:
            parser.barf(f"{name} is Ruler reserved fieldName which cannot be used inside {OR_KEY}.")
        token = parser.next()
        if token == START_OBJECT:
            _object(parser, inside_or)
        elif token == START_ARRAY:
            _rules(parser)
        else:
            parser.barf(f'"{name}" must be an object or an array')
    if not present:
        parser.barf("Empty objects are not allowed")


def _or(parser: _Parser) -> None:
    if parser.next() != START_ARRAY:
        parser.barf(f"It must be an Array followed with {OR_KEY}.")
    count = 0
    while (token := parser.next()) != END_ARRAY:
        count += 1
        if token == START_OBJECT:
            _object(parser, inside_or=True)
        else:
            parser.barf(f"Only JSON object is allowed in array of {OR_KEY} relationship.")
    if count < 2:
        parser.barf(f"There must have at least 2 Objects in {OR_KEY} relationship.")


def _rules(parser: _Parser) -> None:
    count = 0
    while (token := parser.next()) != END_ARRAY:
        count += 1
        if token == START_OBJECT:
            _expression(parser)
        elif token == STRING:
            parser.text_value()
        elif token in _NUMERIC or token in (TRUE, FALSE, NULL):
            pass
        else:
            parser.barf("Match value must be String, number, true, false, or null")
    if count == 0:
        parser.barf("Empty arrays are not allowed")


def _end_of_expression(parser: _Parser) -> None:
    if parser.next() != END_OBJECT:
        parser.barf("Only one key allowed in match expression")


def _string_operand(parser: _Parser, what: str) -> None:
    """``"text"`` or ``{"equals-ignore-case": "text"}`` (prefix and suffix take both)."""
    token = parser.next()
    if token == START_OBJECT and what in ("prefix", "suffix"):
        if parser.next() != FIELD_NAME or parser.name != "equals-ignore-case":
            parser.barf(f"Unsupported {what} pattern: {parser.name}")
        if parser.next() != STRING:
            parser.barf("equals-ignore-case match pattern must be a string")
        parser.text_value()
        _end_of_expression(parser)
        return
    if token != STRING:
        parser.barf(f"{what} match pattern must be a string")
    parser.text_value()


def _expression(parser: _Parser) -> None:
    if parser.next() != FIELD_NAME:
        parser.barf("Match expression name not found")
    name = parser.name
    if name in ("exactly", "prefix", "suffix", "equals-ignore-case", "wildcard"):
        _string_operand(parser, "exact" if name == "exactly" else name)
        _end_of_expression(parser)
    elif name == "numeric":
        if parser.next() != START_ARRAY:
            parser.barf("Value of numeric must be an array.")
        _numeric(parser)
        if parser.next() != END_OBJECT:
            parser.barf("Too many elements in numeric expression")
    elif name == "anything-but":
        _anything_but(parser)
    elif name == "exists":
        if parser.next() not in (TRUE, FALSE):
            parser.barf("exists match pattern must be either true or false.")
        _end_of_expression(parser)
    elif name == "cidr":
        if parser.next() != STRING:
            parser.barf("prefix match pattern must be a string")
        parser.text_value()
        _end_of_expression(parser)
    else:
        parser.barf(f"Unrecognized match type {name}")


def _numeric(parser: _Parser) -> None:
    if parser.next() != STRING:
        parser.barf(f"Invalid member in numeric match: {parser.text_value()}")
    operator = parser.text_value()
    token = parser.next()
    if operator in ("=", "<", "<="):
        if token not in _NUMERIC:
            parser.barf(f"Value of {'equals' if operator == '=' else operator} must be numeric")
        if parser.next() != END_ARRAY:
            parser.barf("Too many elements in numeric expression")
        return
    if operator not in (">", ">="):
        parser.barf(f"Unrecognized numeric range operator: {operator}")
    if token not in _NUMERIC:
        parser.barf(f"Value of {operator} must be numeric")
    bottom = float(parser.value)
    token = parser.next()
    if token == END_ARRAY:
        return
    if token != STRING:
        parser.barf(f"Bad value in numeric range: {parser.text_value()}")
    top_operator = parser.text_value()
    if top_operator not in ("<", "<="):
        parser.barf(f"Bad numeric range operator: {top_operator}")
    if parser.next() not in _NUMERIC:
        parser.barf(f"Value of {top_operator} must be numeric")
    top = float(parser.value)
    if parser.next() != END_ARRAY:
        parser.barf("Too many terms in numeric range expression")
    if bottom >= top:
        parser.barf("Bottom must be less than top")


def _anything_but(parser: _Parser) -> None:
    ignore_case = False
    token = parser.next()
    if token == START_OBJECT:
        if parser.next() != FIELD_NAME:
            parser.barf("Anything-But expression name not found")
        operator = parser.name
        if operator == "equals-ignore-case":
            ignore_case = True
            token = parser.next()
        elif operator == "wildcard":
            token = parser.next()
            if token == START_ARRAY:
                while (item := parser.next()) != END_ARRAY:
                    if item != STRING:
                        parser.barf("wildcard match pattern must be a string")
                    parser.text_value()
            elif token == STRING:
                parser.text_value()
            else:
                parser.barf("wildcard match pattern must be a string")
            _end_of_expression(parser)
            _end_of_expression(parser)
            return
        else:
            if operator not in ("prefix", "suffix"):
                parser.barf(f"Unsupported anything-but pattern: {operator}")
            if parser.next() != STRING:
                parser.barf("prefix/suffix match pattern must be a string")
            if not parser.text_value():
                parser.barf("Null prefix/suffix not allowed")
            _end_of_expression(parser)
            _end_of_expression(parser)
            return
    if token not in (START_ARRAY, STRING, NUMBER_INT, NUMBER_FLOAT):
        parser.barf("Value of anything-but must be an array or single string/number value.")
    if token == START_ARRAY:
        has_number = has_string = False
        while (item := parser.next()) != END_ARRAY:
            if item == STRING:
                parser.text_value()
                has_string = True
            elif item in _NUMERIC and not ignore_case:
                has_number = True
            elif ignore_case:
                parser.barf("Inside anything-but/equals-ignore-case list, numberic|start|null|boolean is not "
                            "supported.")
            else:
                parser.barf("Inside anything but list, start|null|boolean is not supported.")
        if not ignore_case and has_number == has_string:
            parser.barf("Inside anything but list, either all values are number or string, mixed type is not "
                        "supported")
    elif ignore_case and token != STRING:
        parser.barf("Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.")
    elif token == STRING:
        parser.text_value()
    if parser.next() != END_OBJECT:
        parser.barf("Too many elements in numeric expression")
    if ignore_case and parser.next() != END_OBJECT:
        parser.barf("Too many elements in numeric expression")
