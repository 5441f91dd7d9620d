"""narrative: Markdown to safe HTML (links, images, raw HTML, heading levels)."""

from __future__ import annotations

import pytest

from lscplan.narrative import MAX_DEPTH, safe_link, to_html, to_inline_html, too_deep


def test_renders_commonmark():
    html = to_html("Teams in **neighbourhoods** work *together*.\n\n- one\n- two\n")
    assert html == ("<p>Teams in <strong>neighbourhoods</strong> work <em>together</em>.</p>\n"
                    "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n")


@pytest.mark.parametrize("url", ["https://example.org/a", "http://example.org",
                                 "mailto:team@example.nhs.uk"])
def test_keeps_http_https_and_mailto_links(url):
    assert f'<a href="{url}">x</a>' in to_html(f"[x]({url})")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)",
                                 "file:///etc/passwd", "data:text/html,hi", "vbscript:x",
                                 "ftp://example.org"])
def test_any_other_link_stays_plain_text(url):
    html = to_html(f"see [x]({url}) and <{url}>")
    assert "<a" not in html
    assert "href" not in html


def test_reference_links_are_checked_too():
    html = to_html("[x][evil]\n\n[evil]: javascript:alert(1)\n")
    assert "<a" not in html and "href" not in html


@pytest.mark.parametrize("src", ["file:///etc/passwd", "https://example.org/pixel.png",
                                 "data:image/png;base64,AAAA", "local.png"])
def test_images_become_their_alt_text(src):
    html = to_html(f"before ![a **chart**]({src}) after")
    assert html == "<p>before a chart after</p>\n"
    assert "<img" not in html and src not in html


def test_raw_html_is_text():
    html = to_html('<script>alert(1)</script>\n\nx <img src=file:///etc/passwd> y')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html


def test_headings_move_under_the_section_level():
    assert to_html("# A\n\n## B\n", level=2) == "<h3>A</h3>\n<h4>B</h4>\n"
    # the highest heading used goes just below the section, whatever its level
    assert to_html("## A\n\n### B\n", level=1) == "<h2>A</h2>\n<h3>B</h3>\n"
    # never below h6
    assert to_html("# A\n\n## B\n\n### C\n", level=4) == "<h5>A</h5>\n<h6>B</h6>\n<h6>C</h6>\n"


def test_inline_rendering_has_no_paragraph():
    assert to_inline_html("a *b* [c](mailto:x@example.org)\n") == (
        'a <em>b</em> <a href="mailto:x@example.org">c</a>')


def test_safe_link():
    assert safe_link(" HTTPS://x") and not safe_link(None) and not safe_link("//x")


def test_markdown_up_to_the_depth_limit_is_shown_in_full() -> None:
    # markdown-it drops text past its nesting limit without a word; the limit is set
    # above MAX_DEPTH, and check refuses deeper Markdown (markdown-depth).
    lists = "".join("  " * i + f"- level {i + 1}\n" for i in range(MAX_DEPTH))
    quotes = "> " * MAX_DEPTH + "the deepest quote\n"
    assert too_deep(lists) is None and too_deep(quotes) is None
    assert f"level {MAX_DEPTH}" in to_html(lists)
    assert "the deepest quote" in to_html(quotes)


def test_markdown_past_the_depth_limit_is_found_at_its_line() -> None:
    text = "Intro.\n\n" + "".join("  " * i + f"- level {i + 1}\n" for i in range(MAX_DEPTH + 3))
    assert too_deep(text) == 2 + MAX_DEPTH
    assert too_deep("Intro.\n\n1. item\n\n   " + "> " * MAX_DEPTH + "quote\n") == 4


def test_a_second_check_of_an_unchanged_plan_parses_no_markdown(monkeypatch) -> None:
    """``check`` asks several questions of every text (markers, dated passages, depth,
    what is not shown), and ``serve``, ``diff`` and ``Plan.as_of`` ask again of texts
    that did not change: each text is parsed once for all of them."""
    from markdown_it import MarkdownIt

    from lscplan.pipeline import check
    from lscplan.resources import bundled_plan_dir

    assert check(bundled_plan_dir()).report.ok()
    parsed: list[str] = []
    parse = MarkdownIt.parse
    monkeypatch.setattr(MarkdownIt, "parse",
                        lambda self, text, env=None: parsed.append(text) or parse(self, text, env))
    again = check(bundled_plan_dir())
    assert again.report.ok() and again.plan is not None
    assert parsed == []
    assert too_deep("a\n\n" + "- x\n" * 3) is None and parsed == ["a\n\n- x\n- x\n- x\n"]


def test_a_list_lettered_in_its_text_is_lettered_once():
    """ "- a) ...", "- b) ..." is a list lettered a, b, never "• a)" (the Morecambe Bay
    paper's paragraph 8); a list whose letters are not a, b, c ... in turn is left as it is."""
    html = to_html("Challenges:\n\n- a) Inequalities\n- b) Premature **mortality**\n")
    assert ('<ol type="a">\n<li>Inequalities</li>\n<li>Premature <strong>mortality</strong>'
            "</li>") in html
    assert "a)" not in html and "<ul>" not in html
    assert "<li>a) x</li>" in to_html("- a) x\n- c) y\n")
