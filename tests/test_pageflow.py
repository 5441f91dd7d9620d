"""Page flow (pdf.page_flow): how full each laid-out page is and whether a heading ends
one, measured on made-up pages, then on every document of the bundled and starter
plans as a build lays them out (``bundled_build``, ``starter_build``: once a session)."""

from __future__ import annotations

import pytest

from lscplan import formats, pdf, render

CSS = """<style>@page { size: A5; margin: 10mm; } body { margin: 0; font-size: 10pt; }
p { margin: 0; line-height: 5mm; } h2 { margin: 0; line-height: 5mm; font-size: 10pt; }
.new { break-before: page; } .cover { page: cover; break-after: page; }</style>"""


def laid_out(body: str, style: str = "") -> tuple[pdf.Page, ...]:
    html = (f"<!DOCTYPE html><html lang='en'><head><title>t</title>{CSS}<style>{style}"
            f"</style></head><body>{body}</body></html>")
    rendered = formats.Rendered("t", "t", html, "0" * 64, 1573776000,
                                (str(render.templates_dir()),))
    return pdf.layout(rendered).flow


def lines(n: int) -> str:
    return "".join(f"<p>Line {i}.</p>" for i in range(n))


# An A5 page, less its margins, holds 190 mm: 38 lines of 5 mm.


@pytest.mark.pdf
def test_a_captioned_table_kept_together_but_taller_than_a_page_lays_out():
    # WeasyPrint fails to tag such a table (its caption left alone at a page's foot):
    # issue 23's workforce by_place on seven staff groups. It breaks between rows.
    rows = "".join(f"<tr><th scope='row'>Row {i}</th><td>{i}</td></tr>" for i in range(60))
    table = (f"<table style='break-inside: avoid'><caption>Caption</caption><thead><tr>"
             f"<th scope='col'>a</th><th scope='col'>b</th></tr></thead><tbody>{rows}</tbody>"
             "</table>")
    flow = laid_out(lines(20) + table)
    assert len(flow) >= 2


@pytest.mark.pdf
def test_a_page_less_than_a_fifth_full_is_a_fault_only_inside_a_section():
    # 45 lines then a new section: page 2 has seven lines (18%) but ends its section
    flow = laid_out(lines(45) + "<section class='new'>" + lines(10) + "</section>")
    assert [(p.number, p.section_ends) for p in flow] == [(1, False), (2, True), (3, True)]
    assert flow[0].fill > 0.95 and flow[1].fill == pytest.approx(7 / 38, abs=0.01)
    assert pdf.flow_faults(flow) == []
    # three lines, then a page broken by force: a section of one page, 8% full
    flow = laid_out(lines(3) + "<p class='new'>After the break.</p>" + lines(50))
    assert [p.section_ends for p in flow] == [True, False, True]  # a forced break starts one
    flow = laid_out(lines(3) + "<p style='break-after: page'>Before.</p>" + lines(50))
    assert [p.section_ends for p in flow] == [True, False, True]
    assert pdf.flow_faults(flow) == []
    # a section of many pages whose last page holds a line or two is a fault too
    flow = laid_out("<section>" + lines(77) + "</section><section class='new'>"
                    + lines(5) + "</section>")
    assert pdf.flow_faults(flow) == ["page 3 is 3% full: its section's last lines, "
                                     "pushed over the page"]


@pytest.mark.pdf
def test_a_named_page_starts_a_section():
    flow = laid_out("<div class='cover'><p>Cover</p></div>" + lines(10))
    assert [p.section_ends for p in flow] == [True, True]
    assert pdf.flow_faults(flow) == []


@pytest.mark.pdf
def test_a_heading_that_ends_a_page_is_a_fault():
    body = lines(37) + "<h2>Stranded <em>heading</em></h2>" + lines(5)
    flow = laid_out(body, "h2 { break-after: auto; }")
    assert flow[0].last_heading == "Stranded heading"
    assert pdf.flow_faults(flow) == ["page 1 ends with the heading \u201cStranded heading\u201d"]
    # kept with what follows, it goes over the page: the page ends with a line of text
    flow = laid_out(body, "h2 { break-after: avoid; }")
    assert [p.last_heading for p in flow] == [None, None]
    assert pdf.flow_faults(flow) == []


@pytest.mark.pdf
def test_a_heading_with_one_line_under_it_at_a_pages_foot_is_stranded():
    """Issue 28: the submission's page 12 ended with a portfolio's heading, its kicker
    and its one-line lede, the narrative over the page; the last line was not the
    heading's, so the test passed. A heading group (``<hgroup>``) is read as one
    heading, and a heading with fewer than ``UNDER_HEADING`` (3) lines under it is stranded:
    the starter's "Our priorities" and "In your area" ended pages with their two-line
    intros, their tables over the page."""
    group = ("<section><hgroup style='break-after: auto'><h2>Grouped</h2><p>Kicker.</p>"
             "<p>Lede.</p></hgroup>" + lines(5) + "</section>")
    flow = laid_out(lines(35) + group)
    assert flow[0].last_heading == "Grouped"
    assert pdf.flow_faults(flow) == ["page 1 ends with the heading \u201cGrouped\u201d"]
    one_under = "<section><h2>Alone</h2>" + lines(6) + "</section>"
    flow = laid_out(lines(36) + one_under, "h2 { break-after: auto; } p { orphans: 1; }")
    assert flow[0].last_heading == "Alone"
    flow = laid_out(lines(35) + one_under, "h2 { break-after: auto; } p { orphans: 1; }")
    assert flow[0].last_heading == "Alone"  # two lines: an intro, its table over the page
    # three lines under it are enough; so is one that ends what it heads
    flow = laid_out(lines(34) + one_under, "h2 { break-after: auto; } p { orphans: 1; }")
    assert flow[0].last_heading is None
    short = "<section><h2>Short</h2>" + lines(1) + "</section><section>" + lines(9) + "</section>"
    flow = laid_out(lines(36) + short, "h2 { break-after: auto; }")
    assert len(flow) == 2 and flow[0].last_heading is None
    # the stylesheet keeps a heading group with the lines under it
    flow = laid_out(lines(35) + group.replace(" style='break-after: auto'", ""),
                    "hgroup { break-inside: avoid; break-after: avoid; }")
    assert [p.last_heading for p in flow] == [None, None]


@pytest.mark.pdf
def test_out_of_flow_boxes_do_not_fill_a_page():
    flow = laid_out("<div style='position: fixed; bottom: 0'>Band</div>"
                    "<p>One line.</p>")
    assert flow[0].fill == pytest.approx(1 / 38, abs=0.01)


def faults(build) -> dict[str, list[str]]:
    return {d.id: pdf.flow_faults(d.flow) for d in build.result.documents if d.flow}


@pytest.mark.pdf
def test_no_document_of_the_bundled_plan_has_a_page_flow_fault(bundled_build):
    found = faults(bundled_build)
    assert len(found) == len(bundled_build.result.documents)  # every PDF measured
    assert found == {doc: [] for doc in found}


@pytest.mark.pdf
def test_no_document_of_the_starter_plan_has_a_page_flow_fault(starter_build):
    found = faults(starter_build)
    assert len(found) == len(starter_build.result.documents)
    assert found == {doc: [] for doc in found}


@pytest.mark.pdf
def test_a_running_header_on_two_lines_and_a_squeezed_cell_are_faults():
    title = "A title far too long for the running header of the page it heads"
    style = ("@page { @top-left { content: string(t); width: 40%; font-size: 8pt; } }"
             "h1 { string-set: t content(); font-size: 10pt; margin: 0; }")
    cell = "<table><tr><td style='width: 12mm'>" + "Word " * 40 + "</td><td>1</td></tr></table>"
    flow = laid_out(f"<h1>{title}</h1>" + lines(3) + cell, style)
    assert flow[0].margin_lines > 1 and flow[0].cell_lines > pdf.LONG_CELL
    assert pdf.flow_faults(flow) == [
        f"page 1: a running header or footer takes {flow[0].margin_lines} lines",
        f"page 1: a table cell takes {flow[0].cell_lines} lines"]
    one_line = style.replace("width: 40%;", "width: 40%; white-space: nowrap; "
                             "overflow: hidden; text-overflow: ellipsis;")
    flow = laid_out(f"<h1>{title}</h1>" + lines(3), one_line)
    assert flow[0].margin_lines == 1 and pdf.flow_faults(flow) == []


@pytest.mark.pdf
def test_a_page_left_half_empty_by_a_block_kept_whole_is_a_fault():
    """The reviewers' half-empty pages: 15 lines, then a block of 30 kept whole, which
    leaves page 1 39% full while its section goes on."""
    block = "<div style='break-inside: avoid'>" + lines(30) + "</div>"
    flow = laid_out(lines(15) + block)
    assert flow[0].fill == pytest.approx(15 / 38, abs=0.01) and not flow[0].section_ends
    assert pdf.flow_faults(flow) == [f"page 1 is {flow[0].fill:.0%} full, and its section "
                                     "goes on over the page"]
    assert pdf.flow_faults(laid_out(lines(20) + block)) == []  # 53%: not a fault


@pytest.mark.pdf
def test_a_list_among_numbered_paragraphs_is_lettered_not_numbered():
    """Issue 28: a board paper's list under paragraph 8 was numbered 1 to 11, then came
    paragraph 9. A list in a paper's body is lettered a), b) ... (one in it i), ii) ...),
    with no bullet before a letter."""
    body = ("<div class='paper-body'><p class='numbered'><span class='para-number'>8."
            "</span> Challenges:</p><ol type='a'><li>First</li><li>Second<ol><li>Inner</li>"
            "</ol></li></ol><ol><li>Third</li></ol><p class='numbered'><span "
            "class='para-number'>9.</span> Next.</p></div>")
    html = ("<!DOCTYPE html><html lang='en'><head><title>t</title><link rel='stylesheet' "
            f"href='style.css'></head><body>{body}</body></html>")
    rendered = formats.Rendered("t", "t", html, "0" * 64, 1573776000,
                                (str(render.templates_dir()),))
    document, _data = pdf._laid_out(rendered)
    words: list[str] = []

    def walk(box) -> None:  # into list markers too, which are out of the flow
        words.extend([box.text] if hasattr(box, "text") else [])
        for child in getattr(box, "children", ()):
            walk(child)

    walk(document.pages[0]._page_box)
    text = " ".join(" ".join(words).split())
    assert "a) First b) Second i) Inner a) Third" in text, text
    assert "•" not in text and "1." not in text


@pytest.mark.pdf
def test_a_numbered_paragraphs_first_line_starts_where_its_others_do():
    """Issue 28: the Morecambe Bay paper's paragraphs began a space to the right of their
    following lines (the space after the hanging number was outside its box)."""
    from lscplan import narrative

    text = "Word " * 60
    parts = narrative.to_parts(text, numbered="paragraphs")
    body = ("<section class='paper-body'>" + "".join(p for p in parts if isinstance(p, str))
            + "</section>")
    html = ("<!DOCTYPE html><html lang='en'><head><title>t</title><link rel='stylesheet' "
            f"href='style.css'></head><body>{body}</body></html>")
    rendered = formats.Rendered("t", "t", html, "0" * 64, 1573776000,
                                (str(render.templates_dir()),))
    document, _data = pdf._laid_out(rendered)
    from weasyprint.formatting_structure import boxes

    starts = []
    for line in document.pages[0]._page_box.descendants():
        if isinstance(line, boxes.LineBox):
            texts = [b for b in line.descendants() if isinstance(b, boxes.TextBox)
                     and b.text.strip() and b.element_tag == "p"]
            if texts:  # where the line's first letter is: a leading space pushes it on
                starts.append((round(texts[0].position_x, 1), texts[0].text[:1].isspace()))
    assert len(starts) >= 3 and len(set(starts)) == 1, starts
