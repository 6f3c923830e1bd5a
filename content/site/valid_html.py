"""Sanitized HTML made valid: what nh3 keeps, written back so that it obeys HTML's content models.

nh3 keeps only allowed tags and attributes, but what it returns can still be invalid HTML that
a checker (and a screen reader) trips over: a list inside ``<em>``, an ``<li>`` outside a list,
a table row wider than the first, a summary that is not first in its details, a width of
"100%", an address with a space in its host, a link with no text. ``repair`` reads nh3's output
(well-formed: every element is closed) into a small tree and writes it back valid: an element
where its content model forbids it is unwrapped (its content kept), an attribute with an invalid
value is dropped, and a few things a valid, accessible fragment needs are added (an empty
``alt``, a focusable scroll box around tables and code, demoted headings, prefixed footnote ids).
"""

import re
from dataclasses import dataclass
from functools import cache
from html import escape, unescape
from typing import NamedTuple

from content.site.html_values import clean_url, strip_controls

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
VOID = {"br", "hr", "img", "wbr", "input"}
TRANSPARENT = {"a", "ins", "del"}  # their content model is their parent's
PHRASING = {"abbr", "b", "bdi", "br", "cite", "code", "em", "i", "img", "kbd", "mark", "q", "s", "samp"}
PHRASING |= {"small", "span", "strong", "sub", "sup", "u", "var", "wbr"} | TRANSPARENT
# Elements whose content is phrasing only (summary may add headings).
PHRASING_CONTENT = (PHRASING - TRANSPARENT - VOID) | HEADINGS | {"p", "pre", "summary"}
TABLE_PARTS = {"caption", "thead", "tbody", "tfoot", "tr", "td", "th"}
FLOW = {"blockquote", "details", "div", "hr", "li", "ol", "p", "pre", "summary", "table", "ul"} | HEADINGS
TAGS = PHRASING | FLOW | TABLE_PARTS
# Where an element may stand (any parent when not listed).
PARENTS = {
    "li": {"ul", "ol"},
    "summary": {"details"},
    "caption": {"table"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "tr": {"table", "thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
}
# What a table part may hold; text in it (but white space) is dropped.
TABLE_CHILDREN = {
    "table": {"caption", "thead", "tbody", "tfoot", "tr"},
    "thead": {"tr"},
    "tbody": {"tr"},
    "tfoot": {"tr"},
    "tr": {"td", "th"},
}
# Attributes nh3 keeps; ``repair`` then checks their values.
ATTRIBUTES = {
    "*": {"title"},
    "a": {"href", "id"},
    "img": {"src", "alt", "width", "height"},
    "ol": {"start", "type"},
    "li": {"id"},
    "code": {"class"},
    "th": {"align", "scope"},
    "td": {"align"},
    "details": {"open"},
}
# A task list item's checkbox, which nh3 would drop, stands for these private-use characters until
# ``repair`` puts it back in its list item (rendering.py marks them): unchecked, checked.
TASK_MARKS = {"\ue010": False, "\ue011": True}
_UNCHECKED, _CHECKED = TASK_MARKS
INTEGER = re.compile(r"-?[0-9]{1,9}")
DIMENSION = re.compile(r"[0-9]{1,5}")
NEVER = re.compile(r"(?!)")
CODE_CLASS = re.compile(r"language-[^\s]{1,60}")
FOOTNOTE_ID = re.compile(r"(fn|fnref)-\S{1,100}")


class Element:
    __slots__ = ("attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str | None], children: list | None = None):
        self.tag, self.attrs, self.children = tag, attrs, children if children is not None else []


# nh3's output, as html5ever writes it: tags with double-quoted attribute values, text escaped.
_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)((?:\s+[^\s"=/>]+(?:="[^"]*")?)*)\s*/?>|([^<]+)|<')
_ATTRIBUTE = re.compile(r'([^\s"=/>]+)(?:="([^"]*)")?')


def parse(html: str) -> Element:
    """A tree of nh3's output; text stays escaped as it was (attribute values are unescaped later)."""
    root = Element("", {})
    stack = [root]
    for match in _TOKEN.finditer(html):
        closing, tag, attributes, text = match.groups()
        if text is not None or tag is None:
            stack[-1].children.append("&lt;" if text is None else text)
        elif closing:
            for depth in range(len(stack) - 1, 0, -1):
                if stack[depth].tag == tag:
                    del stack[depth:]
                    break
        else:
            element = Element(tag, dict(_ATTRIBUTE.findall(attributes)) if attributes else {})
            stack[-1].children.append(element)
            if tag not in VOID:
                stack.append(element)
    return root


class _Context(NamedTuple):
    parent: str = ""
    phrasing: bool = False  # only phrasing content may stand here
    headings: bool = True  # headings may stand here (not in a table header cell)
    tables: bool = True  # tables may stand here (not in a caption)
    interactive: bool = True  # links and details may stand here (not in a link or a summary)


@dataclass
class _Options:
    min_heading: int
    id_prefix: str
    ids: set
    last_heading: int


@cache
def _allowed_here(tag: str, context: _Context) -> bool:
    if tag not in TAGS or (tag in PARENTS and context.parent not in PARENTS[tag]):
        return False
    if context.parent in TABLE_CHILDREN:
        return tag in TABLE_CHILDREN[context.parent]
    if context.phrasing and tag not in PHRASING and not (tag in HEADINGS and context.parent == "summary"):
        return False
    if tag in HEADINGS and not context.headings:
        return False
    if tag == "table" and not context.tables:
        return False
    return not (tag in ("a", "details") and not context.interactive)


@cache
def _child_context(tag: str, context: _Context) -> _Context:
    if tag in TRANSPARENT:
        return context._replace(parent=tag, interactive=context.interactive and tag != "a")
    return context._replace(
        parent=tag,
        phrasing=tag in PHRASING_CONTENT,
        headings=context.headings and tag != "th",
        tables=context.tables and tag != "caption",
        interactive=context.interactive and tag != "summary",
    )


def _fix(node, context: _Context, options: _Options, out: list) -> None:
    """Append to ``out`` the node fixed for where it stands (``context``): itself, its content, or nothing."""
    if isinstance(node, str):
        if not (context.parent in TABLE_CHILDREN and node.strip()):
            out.append(node)
        return
    if not _allowed_here(node.tag, context):
        for child in node.children:
            _fix(child, context, options, out)
        return
    children, child_context = [], _child_context(node.tag, context)
    for child in node.children:
        _fix(child, child_context, options, children)
    out.extend(_complete(Element(node.tag, _attributes(node, context, options), children), context, options))


def _attributes(node: Element, context: _Context, options: _Options) -> dict[str, str | None]:
    tag, attrs, kept = node.tag, node.attrs, {}
    for name, value in attrs.items():
        value = unescape(value)
        if name in ("title", "alt"):
            kept[name] = value
        elif name in ("href", "src"):
            url = clean_url(value)
            if url is not None and url.startswith(("#fn-", "#fnref-")):
                url = f"#{options.id_prefix}.{url[1:]}"
            if url is not None:
                kept[name] = url
        elif name == "id" and FOOTNOTE_ID.fullmatch(value) and f"{options.id_prefix}.{value}" not in options.ids:
            kept[name] = f"{options.id_prefix}.{value}"
            options.ids.add(kept[name])
        elif (DIMENSION if name in ("width", "height") else INTEGER if name == "start" else NEVER).fullmatch(value):
            kept[name] = str(int(value))
        elif (
            (name == "type" and value in ("1", "a", "A", "i", "I"))
            or (name == "scope" and value in ("row", "col", "rowgroup", "colgroup"))
            or (name == "class" and tag == "code" and CODE_CLASS.fullmatch(value))
        ):
            kept[name] = value
        elif name == "align" and value.lower() in ("left", "center", "right"):
            kept["class"] = f"align-{value.lower()}"
        elif name == "open":
            kept[name] = None
        elif name == "rel" and tag == "a":  # set by nh3
            kept[name] = value
    if tag == "img":
        kept.setdefault("alt", "")
    if tag == "pre" and context.interactive:
        kept["tabindex"] = "0"  # a long line scrolls: keyboard users must reach it
    return kept


def _text(node) -> str:
    if isinstance(node, str):
        return unescape(node)
    if node.tag == "img":
        return node.attrs.get("alt") or ""
    return "".join(_text(child) for child in node.children)


def _complete(element: Element, context: _Context, options: _Options) -> list:
    """What an element needs once its children are fixed."""
    tag = element.tag
    if tag == "img" and not element.attrs.get("src"):
        return []
    if tag in HEADINGS:  # never above min_heading, never more than one level below the heading before
        level = max(options.min_heading, min(int(tag[1]), options.last_heading + 1, 6))
        element.tag, options.last_heading = f"h{level}", level
    elif tag == "li" and context.interactive and element.children and _starts_with_mark(element.children[0]):
        _task_checkbox(element)
    elif tag in ("ul", "ol"):
        element.children = _wrap_loose(element.children, "li")
    elif tag == "details":
        _summary_first(element)
    elif tag == "a" and "href" not in element.attrs:
        element.attrs.pop("rel", None)  # nh3's, for links only
    elif tag == "a" and not _text(element).strip():
        if element.children:
            element.attrs["aria-label"] = element.attrs["href"]
        else:
            element.children = [escape(element.attrs["href"], quote=False)]
    elif tag == "table":
        _normalize_table(element)
        if context.interactive:
            return [Element("div", {"class": "table-scroll", "tabindex": "0"}, [element])]
    return [element]


def _starts_with_mark(node) -> bool:
    return isinstance(node, str) and node[:1] in TASK_MARKS


def _task_checkbox(item: Element) -> None:
    """A disabled checkbox with an accessible name in place of the list item's task mark (in its first
    paragraph when the list is loose)."""
    text = item.children[0]
    checked = TASK_MARKS[text[0]]
    label = "Completed task" if checked else "Incomplete task"
    attrs = {"type": "checkbox", **({"checked": None} if checked else {}), "disabled": None, "aria-label": label}
    item.attrs["class"] = "task-list-item"
    rest = item.children[1:]
    if not text[1:].strip() and rest and isinstance(rest[0], Element) and rest[0].tag == "p":  # a loose list
        rest[0].children[0:0] = [Element("input", attrs), " "]
        item.children = rest
    else:
        item.children[0:1] = [Element("input", attrs), text[1:]]


def _wrap_loose(children: list, tag: str) -> list:
    """Runs of children that are not ``tag`` elements (white space aside) wrapped in one."""
    result, run = [], []
    for child in [*children, None]:
        loose = child is not None and not (isinstance(child, Element) and child.tag == tag)
        if loose and (run or not isinstance(child, str) or child.strip()):
            run.append(child)
            continue
        if run:
            result.append(Element(tag, {}, run))
            run = []
        if child is not None:
            result.append(child)
    return result


def _summary_first(details: Element) -> None:
    """Only a summary that comes first stays one (any other gives up its content); without one,
    details gets the summary browsers show by default."""
    children, summary = [], None
    for child in details.children:
        if not (isinstance(child, Element) and child.tag == "summary"):
            children.append(child)
        elif summary is None and not any(isinstance(before, Element) or before.strip() for before in children):
            summary = child
            children.append(child)
        else:
            children.extend(child.children)
    if summary is None:
        children.insert(0, Element("summary", {}, ["Details"]))
    details.children = children


def _normalize_table(table: Element) -> None:
    """caption, thead, bodies, tfoot in that order, one each at most; every row as wide as the widest."""
    parts = {"caption": [], "thead": [], "tfoot": [], "body": []}
    for child in table.children:
        if isinstance(child, Element):
            slot = child.tag if child.tag in parts else "body"
            if slot != "body" and parts[slot]:  # a second caption is dropped, a second head or foot is a body
                if slot == "caption":
                    continue
                child.tag, slot = "tbody", "body"
            parts[slot].append(child)
    body = parts["body"]
    if any(part.tag == "tr" for part in body) and any(part.tag == "tbody" for part in body):
        body = _wrap_loose(body, "tbody")
    table.children = [*parts["caption"], *parts["thead"], *body, *parts["tfoot"]]
    rows = [row for part in table.children for row in ([part] if part.tag == "tr" else part.children)]
    rows = [row for row in rows if isinstance(row, Element) and row.tag == "tr"]
    cells = [[cell for cell in row.children if isinstance(cell, Element)] for row in rows]
    width = max((len(row) for row in cells), default=0)
    if width == 0:  # rows without cells are errors: a table of such rows is left empty
        table.children = [part for part in table.children if part.tag == "caption"]
        return
    has_data = any(cell.tag == "td" for row in cells for cell in row)
    for row, row_cells in zip(rows, cells, strict=True):
        row.children.extend(Element("td", {}) for _ in range(width - len(row_cells)))
        if not has_data:  # header cells with no data cells are plain cells
            for cell in row_cells:
                cell.tag = "td"


def _serialize(nodes: list, out: list) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(node)  # escaped as nh3 wrote it, or by whoever made the node
            continue
        attrs = "".join(
            f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in node.attrs.items()
        )
        out.append(f"<{node.tag}{attrs}>")
        if node.tag not in VOID:
            _serialize(node.children, out)
            out.append(f"</{node.tag}>")


def repair(html: str, *, min_heading: int = 1, id_prefix: str = "content") -> str:
    """nh3's output as valid HTML for a flow context (a ``<div>``): see the module's docstring.

    ``min_heading``: the highest heading level the fragment may use (h1 and h2 become h3 at 3).
    ``id_prefix``: footnote ids and links to them get it, so that several fragments on one page
    never share an id.
    """
    options = _Options(min_heading=min_heading, id_prefix=id_prefix, ids=set(), last_heading=min_heading - 1)
    nodes, out = [], []
    for child in parse(strip_controls(html)).children:
        _fix(child, _Context(), options, nodes)
    _serialize(nodes, out)
    return "".join(out).replace(_UNCHECKED, "").replace(_CHECKED, "")  # marks left where no checkbox may stand
