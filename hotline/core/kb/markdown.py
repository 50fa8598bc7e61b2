"""Articles' answers are Markdown; rendered to HTML that cannot run anything.

markdown-it-py (CommonMark, raw HTML off: typed tags are shown as text, and it refuses
javascript:/vbscript:/data: links) then nh3 (ammonia) on an allow-list: no script, no
style, no event handlers, links only http(s), mailto and tel or on this site, and images
only from this site (an external image would tell a third party who reads what).
"""

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

_TAGS_WORDS = (
    "a abbr b blockquote br code del em h1 h2 h3 h4 h5 h6 hr i img li ol p pre s strong sub "
    "sup table tbody td th thead tr ul"
)
TAGS = frozenset(_TAGS_WORDS.split())
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
}
_LOCAL = re.compile(r"^/(?![/\\])")  # a path on this site, not //host/… nor /\host/…


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def _attribute(element: str, attribute: str, value: str) -> str | None:
    if element == "img" and attribute == "src":
        return value if _LOCAL.match(value) else None
    return value


def render(markdown: str) -> str:
    """Safe HTML for `markdown` (to be marked safe by the caller)."""
    html = _parser().render(markdown or "")
    return nh3.clean(
        html,
        tags=set(TAGS),
        attributes={k: set(v) for k, v in ATTRIBUTES.items()},
        url_schemes={"http", "https", "mailto", "tel"},
        attribute_filter=_attribute,
        link_rel="noopener noreferrer nofollow",
    )


def plain(markdown: str) -> str:
    """The text of `markdown` without its marks (for snippets and the index)."""
    html = _parser().render(markdown or "")
    text = nh3.clean(html, tags=set())
    return re.sub(r"\s+", " ", nh3_unescape(text)).strip()


def nh3_unescape(text: str) -> str:
    """HTML entities back to characters (nh3 escapes &, < and > in text)."""
    import html

    return html.unescape(text)
