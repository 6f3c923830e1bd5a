"""``strip_controls`` on long texts (a whole page) looks at UTF-8 bytes first: it must take out exactly what the
regular expression takes out, whatever the text."""

import random

from content.site.html_values import CONTROLS, strip_controls

LONG = "A page of text · with a middle dot, é, — and 日本語 " * 20  # longer than the short-text path


def controls() -> list[str]:
    return [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF and CONTROLS.fullmatch(chr(cp))]


def test_every_control_character_is_taken_out_of_a_long_text():
    found = controls()
    assert len(found) == 29 + 1 + 32 + 32 + 2 * 17  # C0 (less tab, LF, CR), DEL, C1; U+FDD0-EF; U+nFFFE/F
    for character in found:
        assert strip_controls(LONG + character + LONG) == LONG + LONG, hex(ord(character))


def test_characters_that_share_bytes_with_controls_are_kept():
    # Same lead bytes as a control character (C2, EF, F0-F4) or the same last bytes (BF BE, BF BF).
    neighbours = "\xa0\xbf\ufdc0\ufdcf\ufdf0\ufffd\ufeff\U00010ffe\U0001fffd\U0010fffd\U0001f680\t\n\r"
    assert strip_controls(LONG + neighbours) == LONG + neighbours


def test_long_texts_agree_with_the_expression():
    rng = random.Random(18)
    ranges = [(0, 0x300), (0xFDC0, 0x10000), (0x10000, 0x110000)]
    for _ in range(500):
        text = "".join(chr(rng.randrange(*rng.choice(ranges))) for _ in range(rng.randint(500, 800)))
        text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")  # no lone surrogates
        assert strip_controls(text) == CONTROLS.sub("", text)
