"""A strict reading of the evidence pack's HTML: balanced tags, nothing fetched from outside."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# SVG elements written self-closed (<rect .../>) are complete in themselves.
URL_ATTRIBUTES = {"src", "href", "xlink:href", "action", "formaction", "poster", "data"}


class Checker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._attributes(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self._attributes(tag, attrs)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()

    def _attributes(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>: event handler attribute")
            if name in URL_ATTRIBUTES and value and not value.startswith("#"):
                self.problems.append(f"<{tag} {name}={value!r}>: reference outside the file")
        if tag == "script":
            self.problems.append("<script>: the pack runs no script")
        if tag in ("link", "iframe", "object", "embed", "img"):
            self.problems.append(f"<{tag}>: the pack loads nothing")


def html_problems(html: str) -> list[str]:
    checker = Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed: {checker.stack}")
    if "@import" in html or "url(" in html:
        problems.append("CSS fetches a resource")
    return problems
