"""GetRandomPassword: the character classes AWS draws from, and a password from the seeded generator.

Facts from the GetRandomPassword API reference: the default length is 32; punctuation is
``!"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~``; ``RequireEachIncludedType`` (default true) puts at least one
character of every included class in the password.
"""

from __future__ import annotations

import string
from ...api import secretsmanager
from ...core.errors import AwsError
from ...core.ids import IdGenerator

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
DEFAULT_LENGTH = 32


def _classes(params: secretsmanager.GetRandomPasswordRequest) -> list[str]:
    """The included character classes, each without the excluded characters."""
    excluded = set(params.get("ExcludeCharacters", ""))
    chosen = []
    for flag, chars in (("ExcludeLowercase", string.ascii_lowercase), ("ExcludeUppercase", string.ascii_uppercase),
                        ("ExcludeNumbers", string.digits), ("ExcludePunctuation", PUNCTUATION)):
        if not params.get(flag, False):
            chosen.append(chars)
    if params.get("IncludeSpace", False):
        chosen.append(" ")
    return [kept for kept in ("".join(c for c in chars if c not in excluded) for chars in chosen) if kept]


def _index(ids: IdGenerator, n: int) -> int:
    """A uniform index below ``n`` from the seeded generator (n <= 4096)."""
    return int.from_bytes(ids.bytes(4), "big") % n


def random_password(params: secretsmanager.GetRandomPasswordRequest, ids: IdGenerator) -> str:
    length = params.get("PasswordLength", DEFAULT_LENGTH)
    classes = _classes(params)
    if not classes:
        raise AwsError("InvalidParameterException",
                       "No characters remain to choose from: every character class is excluded.",
                       fields={"Message": "No characters remain to choose from: every character class is excluded."})
    required = classes if params.get("RequireEachIncludedType", True) else []
    if len(required) > length:
        message = "The password length is too short to include a character of each required type."
        raise AwsError("InvalidParameterException", message, fields={"Message": message})
    alphabet = "".join(classes)
    chars = [chars[_index(ids, len(chars))] for chars in required]
    chars += [alphabet[_index(ids, len(alphabet))] for _ in range(length - len(chars))]
    for i in range(len(chars) - 1, 0, -1):  # Fisher-Yates, so the required characters land anywhere
        j = _index(ids, i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)
