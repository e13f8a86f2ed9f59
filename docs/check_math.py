"""Check that the built HTML documentation renders its mathematics offline.

Usage::

    python docs/check_math.py docs/_build/html

For every ``.html`` file under the given directory:

- the text a reader sees (everything outside ``<script>`` and ``<style>``
  elements and outside the ``math`` elements that Sphinx writes for MathJax
  to render) must not hold the TeX delimiters ``\\(``, ``\\)``, ``\\[`` or
  ``\\]``: there they would show as raw LaTeX;
- a page with ``math`` elements must load MathJax, and every MathJax script
  a page loads must be a local file under the build's ``_static`` folder, not
  an ``http(s)://`` address, so that the formulas render with no network.

Exits with status 1 and lists each offending file and snippet, or prints a
one-line summary and exits with status 0.
"""

import argparse
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

DELIMITERS = ("\\(", "\\)", "\\[", "\\]")
SNIPPET = 40  # characters of context either side of a raw delimiter


class _PageScanner(HTMLParser):
    """Collect a page's visible text, its math elements and its scripts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = []  # (line, text) outside script, style and math
        self.scripts = []  # the src of every <script src=...>
        self.n_math = 0
        self._skip_tag = None  # the tag whose element is being skipped
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        classes = (attrs.get("class") or "").split()
        if tag in ("script", "style"):
            self._skip_tag, self._skip_depth = tag, 1
        elif "math" in classes:
            self.n_math += 1
            self._skip_tag, self._skip_depth = tag, 1

    def handle_startendtag(self, tag, attrs):
        # <br/>, <img/>, <script src=... /> and the like hold no text.
        if tag == "script":
            src = dict(attrs).get("src")
            if src:
                self.scripts.append(src)

    def handle_endtag(self, tag):
        if self._skip_tag is not None and tag == self._skip_tag:
            self._skip_depth -= 1
            if self._skip_depth == 0:
                self._skip_tag = None

    def handle_data(self, data):
        if self._skip_tag is None:
            self.text.append((self.getpos()[0], data))


def _is_mathjax(src):
    return "mathjax" in src.lower()


def check_page(path, root):
    """Return the problems of one HTML page, as lines of text."""
    scanner = _PageScanner()
    scanner.feed(path.read_text(encoding="utf-8", errors="replace"))
    scanner.close()
    rel = path.relative_to(root)
    problems = []

    for line, data in scanner.text:
        for delim in DELIMITERS:
            start = data.find(delim)
            while start != -1:
                snippet = data[max(0, start - SNIPPET):start + SNIPPET]
                snippet = " ".join(snippet.split())
                problems.append(f"{rel}:{line}: raw {delim} in text: \"{snippet}\"")
                start = data.find(delim, start + len(delim))

    mathjax = [src for src in scanner.scripts if _is_mathjax(src)]
    if scanner.n_math and not mathjax:
        problems.append(
            f"{rel}: {scanner.n_math} math elements but no MathJax script"
        )
    static = (root / "_static").resolve()
    for src in mathjax:
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            problems.append(f"{rel}: MathJax loaded from the network: {src}")
            continue
        target = (path.parent / parts.path).resolve()
        if not target.is_relative_to(static):
            problems.append(f"{rel}: MathJax script not under _static: {src}")
        elif not target.is_file():
            problems.append(f"{rel}: MathJax script missing from the build: {src}")
    return problems, scanner.n_math


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", type=Path, help="the Sphinx HTML output folder")
    args = parser.parse_args(argv)
    root = args.html_dir.resolve()
    pages = sorted(root.rglob("*.html"))
    if not pages:
        print(f"check_math: no .html files under {root}", file=sys.stderr)
        return 1

    problems, n_math, n_math_pages = [], 0, 0
    for page in pages:
        page_problems, page_math = check_page(page, root)
        problems.extend(page_problems)
        n_math += page_math
        n_math_pages += bool(page_math)

    if problems:
        print(f"check_math: {len(problems)} problem(s) in {root}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"check_math: {len(pages)} pages, {n_math} math elements on "
          f"{n_math_pages} pages, MathJax local: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
