"""Themes: a plan's theme/ folder changes the documents' colours, logo, typeface, CSS and
templates, and reaches nothing outside the plan (lscplan.theme, lscplan.render)."""

from __future__ import annotations

import base64
import re
import shutil
import struct
import zlib
from pathlib import Path

import pytest
from helpers import render_document

from lscplan import documents, render
from lscplan.errors import PlanInvalid
from lscplan.pipeline import build, check
from lscplan.resources import fonts_dir
from lscplan.theme import Theme, contrast_ratio, load_theme
from lscplan.write import BuildOptions

PRIMARY = "#00703C"
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" '
        'viewBox="0 0 120 40"><rect width="120" height="40" fill="#00703C"/>'
        '<circle cx="20" cy="20" r="12" fill="#FFFFFF"/></svg>\n')
THEME_YAML = f"""\
name: Healthier Anywhere brand
colours:
  primary: "{PRIMARY}"
  secondary: "#004B23"
  muted: "#4B4B4B"
logo:
  file: logo.svg
  alt: Healthier Anywhere Partnership
typeface:
  family: Liberation Sans Italic
  regular: fonts/LiberationSans-Italic.ttf
  licence: fonts/LICENSE.txt
"""
PRIORITIES = """\
{% import "lscplan/partials/priorities.html.j2" as builtin %}
{% macro render(plan, caption=None) %}
<div class="brand-priorities">{{ builtin.render(plan, caption) }}</div>
<ol class="themed-priorities">
{% for pr in plan.priorities %}
<li>{{ pr.title }}</li>
{% endfor %}
</ol>
{% endmacro %}
"""
SECRET = "top-secret-outside-the-plan"


def write_theme(plan: Path, files: dict[str, str] | None = None) -> Path:
    """A theme in ``plan/theme``: theme.yaml, the logo, the font and its licence, and
    ``files`` (path relative to the theme folder -> text)."""
    theme = plan / "theme"
    (theme / "fonts").mkdir(parents=True)
    (theme / "theme.yaml").write_text(THEME_YAML, encoding="utf-8")
    (theme / "logo.svg").write_text(LOGO, encoding="utf-8")
    for name in ("LiberationSans-Italic.ttf", "LICENSE.txt"):
        shutil.copyfile(fonts_dir() / name, theme / "fonts" / name)
    for name, text in (files or {}).items():
        path = theme / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return theme


def render_all(plan_dir: Path) -> dict[str, str]:
    checked = check(plan_dir)
    assert checked.report.errors == [], checked.report.errors
    info = render.BuildInfo("1.0", None, "lscplan test")
    return {doc.id: render_document(checked.plan, doc, info, draw=False,
                                    theme=checked.theme)
            for doc in documents.for_plan(checked.plan)}


def _png() -> bytes:
    """A 1 x 1 red PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


# --- no theme ---------------------------------------------------------------------------


def test_a_plan_without_a_theme_has_none(small_plan: Path) -> None:
    checked = check(small_plan)
    assert checked.theme is None
    assert not any(f.startswith("theme/") for f in checked.sources)


def test_the_sandbox_renders_lscplans_templates_as_the_plain_environment_does(
        small_plan: Path) -> None:
    """Every built-in template runs unchanged in the sandbox a themed plan renders in."""
    checked = check(small_plan)
    info = render.BuildInfo("1.0", None, "lscplan test")
    sandbox = render._sandbox(Theme())
    sandbox.globals.update(theme=None, CSP=render.CSP, logo=render._logo(None))
    for doc in documents.for_plan(checked.plan):
        plan = documents.plan_on(checked.plan, doc)
        context = {"plan": plan, "doc": doc, "info": info,
                   "figures": render.Figures(plan, draw=False),
                   "headline_sentence": render.headline_sentence,
                   "target_sentence": render.target_sentence, **doc.context}
        plain = render.environment().get_template(doc.template).render(**context)
        assert sandbox.get_template(doc.template).render(**context) == plain, doc.id


# --- what a theme changes ---------------------------------------------------------------


def test_a_theme_changes_colours_logo_typeface_and_css(small_plan: Path) -> None:
    plain = render_all(small_plan)
    theme = write_theme(small_plan, {"style.css": "h2 { letter-spacing: 0.02em; }\n"})
    html = render_all(small_plan)
    logo = "data:image/svg+xml;base64," + base64.b64encode(
        (theme / "logo.svg").read_bytes()).decode()
    font = "data:font/ttf;base64," + base64.b64encode(
        (theme / "fonts" / "LiberationSans-Italic.ttf").read_bytes()).decode()
    for doc_id, page in html.items():
        assert page != plain[doc_id]
        assert f"--nhs-blue: {PRIMARY};" in page
        assert f".page-band {{ background: {PRIMARY}; }}" in page
        assert "font-src data:" in page and "img-src data:" in page
        assert f'url("{font}") format("truetype")' in page
        assert 'font-family: "lscplan Theme", "lscplan Sans"' in page
        # the theme's CSS comes after lscplan's own
        assert page.index("letter-spacing: 0.02em") > page.index("--nhs-blue: #005EB8;")
        assert PRIMARY not in plain[doc_id]
    for doc_id in ("ltp-submission", "public-summary", "board-governing-body-update"):
        page = html[doc_id]
        assert f'<img class="theme-logo" src="{logo}" alt="Healthier Anywhere Partnership">' in page
        assert 'class="nhs-logo"' not in page
        assert 'class="nhs-logo"' in plain[doc_id]


def test_charts_draw_in_the_themes_primary_colour(small_plan: Path) -> None:
    checked = check(small_plan)
    info = render.BuildInfo("1.0", None, "lscplan test")
    (doc,) = [d for d in documents.for_plan(checked.plan) if d.id == "ltp-submission"]
    plain = render_document(checked.plan, doc, info)
    write_theme(small_plan)
    themed = render_document(checked.plan, doc, info, theme=check(small_plan).theme)
    charts = lambda page: "".join(re.findall(r"<svg class=\"chart\".*?</svg>", page, re.S))  # noqa: E731
    assert 'stroke="#005eb8"' in charts(plain) and 'fill="#005eb8"' in charts(plain)
    assert "#005eb8" not in charts(themed)
    assert f'stroke="{PRIMARY.lower()}"' in charts(themed)
    assert charts(themed).replace(PRIMARY.lower(), "#005eb8") == charts(plain)


def test_an_override_changes_a_partials_output_and_can_wrap_lscplans(small_plan: Path) -> None:
    write_theme(small_plan, {"templates/priorities.html.j2": PRIORITIES})
    html = render_all(small_plan)
    page = html["ltp-submission"]
    assert '<ol class="themed-priorities">' in page
    # the built-in partial, reached as lscplan/partials/..., inside the theme's
    assert re.search(r'<div class="brand-priorities">\s*<table class="priorities">', page)


def test_theme_files_are_sources_of_every_document(small_plan: Path, tmp_path: Path) -> None:
    """A change to the logo (not a text file) renders the documents again."""
    theme = write_theme(small_plan)
    out = tmp_path / "out"
    options = BuildOptions(formats=["html"])
    build(small_plan, out, options)
    assert build(small_plan, out, options).built == []
    (theme / "logo.svg").write_text(LOGO.replace("#FFFFFF", "#FFB81C"), encoding="utf-8")
    rebuilt = build(small_plan, out, options).built
    assert "public-summary.html" in rebuilt
    assert base64.b64encode(LOGO.replace("#FFFFFF", "#FFB81C").encode()).decode() in (
        out / "public-summary.html").read_text(encoding="utf-8")


def test_contrast_ratio() -> None:
    assert round(contrast_ratio("#FFFFFF", "#000000"), 1) == 21.0
    assert round(contrast_ratio("#768692", "#FFFFFF"), 2) == 3.75  # README: NHS Mid Grey
    assert round(contrast_ratio("#005EB8", "#FFFFFF"), 2) == 6.38  # NHS Blue on white


# --- what a theme cannot reach -------------------------------------------------------------


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.html.j2"
    path.write_text(SECRET, encoding="utf-8")
    return path


def test_a_link_leaving_the_theme_is_refused(small_plan: Path, secret: Path,
                                              tmp_path: Path) -> None:
    templates = write_theme(small_plan) / "templates"
    templates.mkdir()
    (templates / "priorities.html.j2").symlink_to(secret)
    (small_plan / "theme" / "logo.svg").unlink()
    (small_plan / "theme" / "logo.svg").symlink_to(secret)
    checked = check(small_plan)
    found = [(d.rule, d.location.file) for d in checked.report.errors]
    assert ("theme-file", "theme/templates/priorities.html.j2") in found
    assert ("theme-file", "theme/logo.svg") in found
    assert checked.theme is None
    assert not any(SECRET in "\n".join(lines) for lines in checked.sources.values())
    with pytest.raises(PlanInvalid):
        build(small_plan, tmp_path / "out", BuildOptions(formats=["html"]))
    assert not (tmp_path / "out" / "ltp-submission.html").exists()


def test_a_logo_referring_within_itself_is_used(small_plan: Path) -> None:
    theme = write_theme(small_plan)
    (theme / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="g"/></defs>'
        '<rect fill="url(#g)" width="10" height="10"/><use href="#g"/>'
        '<image href="data:image/png;base64,iVBORw0KGgo="/></svg>', encoding="utf-8")
    assert load_theme(small_plan).theme.logo is not None


def test_a_link_inside_the_theme_is_used(small_plan: Path) -> None:
    theme = write_theme(small_plan)
    (theme / "brand.svg").write_text(LOGO, encoding="utf-8")
    (theme / "logo.svg").unlink()
    (theme / "logo.svg").symlink_to(theme / "brand.svg")
    assert load_theme(small_plan).theme.logo is not None


@pytest.mark.parametrize("hostile", [
    # names made at render time, past what check can see
    "{% set p = '../' ~ '../secret.html.j2' %}{% include p %}",
    "{% set p = '" + "/" + "{secret}' %}{% include p %}",
    "{{ ''|attr('__cla' ~ 'ss__') }}",
    "{{ (plan|attr('__in' ~ 'it__')) }}",
])
def test_an_override_failing_at_render_time_is_located_and_reads_nothing(
        small_plan: Path, secret: Path, tmp_path: Path, hostile: str) -> None:
    hostile = hostile.replace("{secret}", str(secret).lstrip("/"))
    write_theme(small_plan, {"templates/vision.html.j2": (
        '{% macro render(plan, level=3, id="vision") %}\n<p>before</p>\n'
        + hostile + "\n{% endmacro %}\n")})
    checked = check(small_plan)
    assert checked.report.errors == []
    out = tmp_path / "out"
    with pytest.raises(PlanInvalid) as raised:
        build(small_plan, out, BuildOptions(formats=["html"]))
    (found,) = raised.value.report.errors
    assert (found.rule, found.location.file, found.location.line) == (
        "theme-template", "theme/templates/vision.html.j2", 3)
    assert found.location.column == 1
    assert "sandbox" in found.message or "template" in found.message
    assert SECRET not in found.message
    assert not out.exists() or not any(out.glob("*.html"))


ENDLESS = ("{% for i in range(100000) %}{% for j in range(100000) %}{% for k in "
           "range(100000) %}{% endfor %}{% endfor %}{% endfor %}")


def test_a_template_that_never_finishes_is_stopped_at_its_line(
        small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loop of 10^15 steps passes check (nothing is rendered there); the build stops
    it at the time bound and names the template and line, writing nothing."""
    monkeypatch.setenv("LSCPLAN_RENDER_SECONDS", "10")  # lscplan's own: 1.3 s, idle
    write_theme(small_plan, {"templates/vision.html.j2": (
        '{% macro render(plan, level=3, id="vision") %}\n<p>before</p>\n'
        + ENDLESS + "\n{% endmacro %}\n")})
    assert check(small_plan).report.errors == []
    out = tmp_path / "out"
    with pytest.raises(PlanInvalid) as raised:
        build(small_plan, out, BuildOptions(formats=["html"]))
    (found,) = raised.value.report.errors
    assert (found.rule, found.location.file, found.location.line) == (
        "theme-template", "theme/templates/vision.html.j2", 3)
    assert found.message.startswith("this template did not finish within 10 s")
    assert not out.exists() or not any(out.glob("*.html"))


def test_a_template_that_fills_the_memory_is_stopped_at_its_line(
        small_plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A text grown a megabyte at a time with ``~`` (each step allowed by size) is
    stopped once the process has grown past the memory bound (64 MB here), long before
    the 100 GB the loop would reach, at the template's line. (A loop that could finish
    between two looks at the memory, as doubling a text nine times can on a fast
    machine, would be stopped after it, outside the template.)"""
    monkeypatch.setenv("LSCPLAN_RENDER_MEMORY_MB", "64")
    write_theme(small_plan, {"templates/vision.html.j2": (
        '{% macro render(plan, level=3, id="vision") %}\n<p>before</p>\n'
        "{% set ns = namespace(s='') %}\n"
        "{% for i in range(100000) %}{% set ns.s = ns.s ~ ('x' * 1000000) %}{% endfor %}\n"
        "{% endmacro %}\n")})
    with pytest.raises(PlanInvalid) as raised:
        build(small_plan, tmp_path / "out", BuildOptions(formats=["html"]))
    (found,) = raised.value.report.errors
    assert (found.rule, found.location.file, found.location.line) == (
        "theme-template", "theme/templates/vision.html.j2", 4)
    assert found.message.startswith("this template made more than 64 MB while rendering")


def test_the_time_bound_takes_back_a_stop_that_comes_too_late() -> None:
    """A block that ends as its bound passes is not stopped afterwards."""
    import time

    for _ in range(50):
        try:
            with render.time_bound(0.001):
                time.sleep(0.001)
        except render.RenderStopped:
            pass  # stopped within the block: as it should be
        sum(range(100_000))  # a stop left pending would be raised here
    with pytest.raises(render.RenderStopped), render.time_bound(0.05):
        while True:
            pass


def test_drawing_charts_does_not_count_against_the_time_bound() -> None:
    """lscplan's own work inside a render (matplotlib drawing a chart, seconds when
    the chart cache is cold) pauses the bound and is never stopped half-way."""
    import time

    with render.time_bound(0.2):
        for _ in range(3):
            with render.unbounded():
                time.sleep(0.3)
    sum(range(100_000))


@pytest.mark.parametrize(("expression", "said"), [
    ("'x' * 10**10", "would make 10,000,000,000 items"),
    ("[0] * 2000000", "would make 2,000,000 items"),
    ("2 ** 100000000", "2 ** 100000000 is a number past the 4,096 bits"),
])
def test_a_step_that_would_fill_the_memory_is_refused(small_plan: Path, tmp_path: Path,
                                                      expression: str, said: str) -> None:
    """One ``*`` or ``**`` that would take gigabytes runs in C, where no time bound
    reaches: the sandbox refuses it by the size of what it makes."""
    write_theme(small_plan, {"templates/vision.html.j2": (
        '{% macro render(plan, level=3, id="vision") %}\n<p>before</p>\n'
        "{{ " + expression + " }}\n{% endmacro %}\n")})
    with pytest.raises(PlanInvalid) as raised:
        build(small_plan, tmp_path / "out", BuildOptions(formats=["html"]))
    (found,) = raised.value.report.errors
    assert (found.rule, found.location.line) == ("theme-template", 3)
    assert said in found.message


def test_the_loader_refuses_every_way_out(small_plan: Path, secret: Path) -> None:
    write_theme(small_plan, {"templates/own.html.j2": "<p>own</p>"})
    theme = load_theme(small_plan).theme
    env = render.themed_environment(theme)
    assert env.get_template("own.html.j2").render() == "<p>own</p>"
    assert "<style" not in env.get_template("lscplan/partials/figure.html.j2").render()
    for name in ("../secret.html.j2", str(secret), "partials/../../secret.html.j2",
                 "C:\\secret", "file:///etc/passwd", "./own.html.j2", "", "/etc/passwd"):
        with pytest.raises(Exception, match="template") as raised:
            env.get_template(name)
        assert SECRET not in str(raised.value)


@pytest.mark.parametrize("svg", [
    '<!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><image href="file:///etc/passwd"/></svg>',
    '<svg><use xlink:href = "other.svg#logo"/></svg>',
    '<svg><rect style="fill: url(https://example.org/x)"/></svg>',
])
def test_a_dangerous_logo_or_font_is_refused(small_plan: Path, svg: str) -> None:
    theme = write_theme(small_plan)
    (theme / "logo.svg").write_text(svg, encoding="utf-8")
    (theme / "fonts" / "LiberationSans-Italic.ttf").write_bytes(b"not a font at all")
    found = {(d.rule, d.location.line) for d in check(small_plan).report.errors}
    assert found == {("theme-file", 7), ("theme-file", 11)}


_SVG_NS = 'xmlns="http://www.w3.org/2000/svg"'


@pytest.mark.parametrize(("svg", "said"), [
    (f'<svg {_SVG_NS} onload="alert(1)"><rect width="1" height="1"/></svg>',
     "has an event handler (onload= on <svg>)"),
    (f'<svg {_SVG_NS}><rect onClick="alert(1)" width="1" height="1"/></svg>',
     "has an event handler (onClick= on <rect>)"),
    (f'<svg {_SVG_NS} xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script>'
     "</svg>", "holds a script"),
    (f'<svg {_SVG_NS}><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>'
     "</svg>", "holds <script> of http://www.w3.org/1999/xhtml"),
    (f'<svg {_SVG_NS}><style>@import "http://example.org/x.css";</style></svg>',
     "imports another stylesheet (@import)"),
    (f'<svg {_SVG_NS}><style><![CDATA[rect {{ fill: url("https://example.org/p") }}]]>'
     "</style></svg>", "would fetch url('https://example.org/p')"),
    (f'<svg {_SVG_NS}><rect fill="url(https://example.org/p)"/></svg>',
     "refers to another file (url(https://example.org/p))"),
    (f'<svg {_SVG_NS}><foreignObject><div/></foreignObject></svg>', "holds <foreignObject>"),
    (f'<svg {_SVG_NS}><set attributeName="href" to="javascript:alert(1)"/></svg>',
     "holds <set>"),
    (f'<svg {_SVG_NS}><a href="https://example.org"><rect/></a></svg>', "holds <a>"),
    (f'<?xml-stylesheet href="http://example.org/x.css"?><svg {_SVG_NS}/>',
     "holds a processing instruction"),
    ('<svg><rect/></svg>', "its first element is not <svg xmlns="),
    (f'<svg {_SVG_NS}><rect></svg>', "not well-formed XML"),
    ('<!-- <svg> --><html/>', "its first element is not <svg"),
])
def test_an_svg_logo_is_read_by_an_xml_parser_and_an_allow_list(small_plan: Path, svg: str,
                                                                said: str) -> None:
    theme = write_theme(small_plan)
    (theme / "logo.svg").write_text(svg, encoding="utf-8")
    (found,) = check(small_plan).report.errors
    assert (found.rule, found.location.file, found.location.line) == (
        "theme-file", "theme/theme.yaml", 7)
    assert found.message.startswith("the logo 'logo.svg' ")
    assert said in found.message


def test_an_svg_logo_from_a_drawing_program_is_used(small_plan: Path) -> None:
    """Inkscape's own elements and attributes, metadata, a style, a gradient and xlink
    within the file: a picture, used."""
    theme = write_theme(small_plan)
    (theme / "logo.svg").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!-- made in Inkscape -->\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" width="120" height="40" '
        'inkscape:version="1.3">'
        '<sodipodi:namedview id="nv" inkscape:zoom="2"/>'
        '<metadata><rdf:RDF><dc:title>Logo</dc:title></rdf:RDF></metadata>'
        '<style>.a { fill: #005EB8 } .b { fill: url(#g) }</style>'
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '</defs><rect class="a" width="120" height="40" style="stroke: url(#g)"/>'
        '<use xlink:href="#g"/><text x="4" y="30">Logo</text></svg>', encoding="utf-8")
    assert check(small_plan).report.errors == []


def _png_of(width: int, height: int) -> bytes:
    """A PNG header claiming ``width`` x ``height`` (IHDR, checksummed), then no pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8,
                                                              2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def _jpeg_of(width: int, height: int) -> bytes:
    import struct

    frame = struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"
    return (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00"
            b"\x01\x00\x01\x00\x00" + b"\xff\xc0" + struct.pack(">H", 2 + len(frame))
            + frame + b"\xff\xd9")


@pytest.mark.parametrize(("name", "data", "said"), [
    ("logo.png", _png_of(30000, 30000), "is too large an image"),
    ("logo.png", _png_of(5000, 100), "is 5,000 x 100 pixels"),
    ("logo.png", _png_of(4096, 4096), "is 4,096 x 4,096 pixels"),
    ("logo.jpg", _jpeg_of(10000, 5000), "is 10,000 x 5,000 pixels"),
    ("logo.jpg", _jpeg_of(30000, 30000), "is too large an image"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "is not a PNG image"),
    ("logo.jpg", b"\xff\xd8\xff" + b"\0" * 40, "is not a JPEG image"),
    ("logo.png", _jpeg_of(100, 40), "is not a PNG image"),
], ids=["png-30000", "png-wide", "png-4096", "jpeg-10000", "jpeg-30000", "png-broken",
        "jpeg-broken", "jpeg-named-png"])
def test_a_logo_image_is_bounded_by_its_header(small_plan: Path, name: str, data: bytes,
                                               said: str) -> None:
    theme = write_theme(small_plan)
    (theme / name).write_bytes(data)
    yaml = (theme / "theme.yaml").read_text(encoding="utf-8")
    (theme / "theme.yaml").write_text(yaml.replace("logo.svg", name), encoding="utf-8")
    (found,) = check(small_plan).report.errors
    assert (found.rule, found.location.line) == ("theme-file", 7)
    assert said in found.message and name in found.message


def test_a_small_png_logo_is_used(small_plan: Path) -> None:
    theme = write_theme(small_plan)
    (theme / "logo.png").write_bytes(_png())
    yaml = (theme / "theme.yaml").read_text(encoding="utf-8")
    (theme / "theme.yaml").write_text(yaml.replace("logo.svg", "logo.png"), encoding="utf-8")
    assert check(small_plan).report.errors == []


@pytest.mark.parametrize(("data", "said"), [
    (b"\x00\x01\x00\x00" + b"\x00" * 8, "it has no cmap, head, hhea"),  # 12 bytes, no tables
    (b"OTTO" + b"\x00" * 8, "it has no cmap"),
    (b"wOFF" + b"\x00" * 40, "is not a font lscplan can read"),
], ids=["truetype-header", "opentype-header", "woff-header"])
def test_a_font_is_opened_with_fonttools(small_plan: Path, data: bytes, said: str) -> None:
    theme = write_theme(small_plan)
    (theme / "fonts" / "LiberationSans-Italic.ttf").write_bytes(data)
    (found,) = check(small_plan).report.errors
    assert (found.rule, found.location.line) == ("theme-file", 11)
    assert found.message.startswith("the font 'fonts/LiberationSans-Italic.ttf' is not a font")
    assert said in found.message


def test_files_that_are_not_templates_are_left_alone_with_a_warning(small_plan: Path) -> None:
    write_theme(small_plan, {"templates/notes.txt": "hello"})
    warned = [d for d in check(small_plan).report.warnings if d.rule == "theme-template"]
    assert [d.location.file for d in warned] == ["theme/templates/notes.txt"]


# --- the PDF ------------------------------------------------------------------------------


@pytest.mark.pdf
def test_the_pdf_is_in_the_themes_colours_and_typeface_and_fetches_nothing_outside(
        small_plan: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader

    outside = tmp_path / "outside.png"
    outside.write_bytes(_png())
    # a document template of the theme's, building on lscplan's, showing files outside
    write_theme(small_plan, {"templates/public-summary.html.j2": (
        '{% extends "lscplan/public-summary.html.j2" %}\n{% block content %}\n'
        f'<img src="{outside.as_uri()}" alt="">\n<img src="../../outside.png" alt="">\n'
        "{{ super() }}\n{% endblock %}\n")})
    out = tmp_path / "out"
    build(small_plan, out, BuildOptions(only=["public-summary"], formats=["pdf"], jobs=1))
    reader = PdfReader(out / "public-summary.pdf")
    fonts = {str(f.get_object()["/BaseFont"]).split("+")[-1] for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert "lscplan-Theme" in fonts
    content = "".join(page.get_contents().get_data().decode("latin-1") for page in reader.pages)
    red, green, blue = (int(PRIMARY[i:i + 2], 16) / 255 for i in (1, 3, 5))
    assert f"{red:g} {green:.6f} {blue:.6f} rg" in content  # #00703C fills the bands
    assert not any(page.images for page in reader.pages)  # the outside PNG was not read


@pytest.mark.parametrize("base", [
    "<!DOCTYPE html>\n<html><head><script>alert(1)</script>\n"
    '<meta http-equiv="Content-Security-Policy" content="{{ CSP }}"></head>'
    "<body>{% block content %}{% endblock %}</body></html>\n",
    "<!DOCTYPE html>\n<html><head><title>x</title></head>"
    "<body>{% block content %}{% endblock %}</body></html>\n",
])
def test_a_theme_cannot_drop_the_content_security_policy(small_plan: Path, tmp_path: Path,
                                                          base: str) -> None:
    write_theme(small_plan, {"templates/base.html.j2": base})
    with pytest.raises(PlanInvalid) as raised:
        build(small_plan, tmp_path / "out", BuildOptions(formats=["html"]))
    (found,) = raised.value.report.errors
    assert (found.rule, found.location.file, found.location.line) == (
        "theme-template", "theme/templates/base.html.j2", 1)
    assert "Content-Security-Policy" in found.message


def test_a_base_building_on_lscplans_keeps_the_policy(small_plan: Path) -> None:
    write_theme(small_plan, {"templates/base.html.j2": (
        '{% extends "lscplan/base.html.j2" %}\n'
        '{% block body_class %}document branded{% endblock %}\n')})
    for page in render_all(small_plan).values():
        assert render.keeps_policy(page)
