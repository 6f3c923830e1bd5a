"""Control characters: refused where text is typed, removed where stored text is shown."""

import re

# C0 controls and DEL, except tab, line feed and carriage return: no use in text, invalid in XML 1.0.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def first_control_character(text: str) -> str | None:
    found = CONTROL_CHARACTER.search(text or "")
    return found.group() if found else None


def without_control_characters(text: str | None) -> str:
    """``text`` with its control characters removed (text stored by raw SQL, a restore, an import)."""
    return CONTROL_CHARACTER.sub("", text or "")
