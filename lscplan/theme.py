"""A plan's own look: the folder ``theme/`` beside its YAML files, read and checked.

A theme may hold ``theme.yaml`` (colours, a logo, a typeface: ``schemas/theme.schema.json``),
``style.css`` (added after lscplan's own stylesheet) and ``templates/NAME.html.j2``
(each replacing lscplan's template or partial of that name, or a template of the
theme's own). ``load_theme`` reads all of it once, into memory, and checks it as
``check`` checks plan files: every problem a located diagnostic (``schema`` for
theme.yaml's fields, ``theme-file``, ``theme-css``, ``theme-template``,
``theme-contrast``). Nothing of the theme is read from disk after that, so what the
render stage sees is what was checked.

What a theme may reach: files inside its own folder (a link leading out of it is
refused); CSS that fetches nothing (no ``url()`` but ``data:``, no ``@import``); and
templates that run in Jinja's sandbox (``render``), whose loader knows only the
theme's templates and lscplan's, by name.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Location, error, warning
from .load import THEME_FOLDER, SourceFile, read_source
from .resources import templates_dir
from .theme_template import Template

FOLDER = THEME_FOLDER
THEME_FILE = f"{FOLDER}/theme.yaml"
STYLE_FILE = f"{FOLDER}/style.css"
TEMPLATES = f"{FOLDER}/templates"

MAX_FILES = 200
MAX_TEXT = 512 * 1024  # style.css, a template
MAX_LOGO = 1024 * 1024
MAX_FONT = 5 * 1024 * 1024
MAX_LICENCE = 256 * 1024

#: lscplan's own colours, by the names theme.yaml gives them.
DEFAULT_COLOURS = {
    "primary": "#005EB8",  # NHS Blue
    "secondary": "#003087",  # NHS Dark Blue
    "accent": "#FFB81C",  # NHS Warm Yellow
    "text": "#212B32",
    "muted": "#425563",  # NHS Dark Grey
    "tint": "#E8F1FA",
}

_LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg"}
_FONT_TYPES = {".ttf": ("font/ttf", "truetype"), ".otf": ("font/otf", "opentype"),
               ".woff": ("font/woff", "woff"), ".woff2": ("font/woff2", "woff2")}
_FACES = (("regular", "normal", "normal"), ("bold", "bold", "normal"),
          ("italic", "normal", "italic"), ("bold_italic", "bold", "italic"))


# --- what a theme is -------------------------------------------------------------------


@dataclass(frozen=True)
class Logo:
    uri: str  # a data: URL: the HTML stays self-contained
    alt: str = ""


@dataclass(frozen=True)
class Face:
    weight: str
    style: str
    uri: str
    format: str


@dataclass(frozen=True)
class Typeface:
    family: str
    faces: tuple[Face, ...]


@dataclass(frozen=True)
class Theme:
    """What the render stage uses of a theme (plain values only: templates see it)."""

    colours: tuple[tuple[str, str], ...] = ()
    logo: Logo | None = None
    typeface: Typeface | None = None
    css: str = ""
    templates: tuple[Template, ...] = ()
    digest: str = ""

    @property
    def palette(self) -> dict[str, str]:
        """Every colour: the theme's, and lscplan's where the theme gives none."""
        return {**DEFAULT_COLOURS, **dict(self.colours)}

    def template(self, name: str) -> Template | None:
        return next((t for t in self.templates if t.name == name), None)


@dataclass
class Loaded:
    """``load_theme``'s result: the theme (None when the plan has none, or when it has
    errors), the diagnostics, and the theme's text files as lines (for showing them)."""

    theme: Theme | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, list[str]] = field(default_factory=dict)


# --- reading the folder ---------------------------------------------------------------


class _Reader:
    def __init__(self, plan_dir: Path):
        self.plan = plan_dir.resolve()
        self.root = self.plan / FOLDER
        self.diagnostics: list[Diagnostic] = []
        self.sources: dict[str, list[str]] = {}
        self.used: dict[str, bytes] = {}  # relative path -> bytes, for the digest

    def fail(self, rule: str, message: str, where: Location) -> None:
        self.diagnostics.append(error(rule, message, where))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.plan).as_posix()

    def links_leaving(self) -> None:
        """Every link in the theme folder that leads outside it is refused, used or not."""
        count = 0
        for top, dirs, files in os.walk(self.root):
            for name in sorted(dirs + files):
                path = Path(top) / name
                count += 1
                if path.is_symlink() and not path.resolve().is_relative_to(self.root):
                    self.fail("theme-file", "this is a link to a file outside the theme "
                              "folder; a theme's files must live inside it",
                              Location(self.rel(path)))
            dirs[:] = [d for d in dirs if not (Path(top) / d).is_symlink()]
            if count > MAX_FILES:
                self.fail("theme-file", f"the theme folder holds more than {MAX_FILES} files; "
                          "a theme needs a few", Location(FOLDER))
                return

    def read(self, rel: str, limit: int, where: Location, what: str) -> bytes | None:
        """The bytes of the theme's file ``rel`` (relative to the theme folder), or a
        diagnostic at ``where`` (a theme.yaml field, or the file itself)."""
        path = self.root / rel
        shown = f"{FOLDER}/{rel}"
        try:
            info = os.lstat(path)
            if stat.S_ISLNK(info.st_mode):
                if not path.resolve().is_relative_to(self.root):
                    return None  # reported by links_leaving
                info = os.stat(path)
            if not path.resolve().is_relative_to(self.root):
                self.fail("theme-file", f"{shown} is outside the theme folder", where)
                return None
            if not stat.S_ISREG(info.st_mode):
                self.fail("theme-file", f"{shown} is not a regular file", where)
                return None
            if info.st_size > limit:
                self.fail("theme-file", f"{shown} is {info.st_size:,} bytes; {what} is "
                          f"limited to {limit:,}", where)
                return None
            data = path.read_bytes()
        except FileNotFoundError:
            self.fail("theme-file", f"the theme has no file {shown}", where)
            return None
        except OSError as exc:
            self.fail("theme-file", f"cannot read {shown}: {exc.strerror}", where)
            return None
        self.used[shown] = data
        return data

    def text(self, rel: str, what: str) -> str | None:
        shown = f"{FOLDER}/{rel}"
        data = self.read(rel, MAX_TEXT, Location(shown), what)
        if data is None:
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.fail("theme-file", f"this file is not UTF-8 text (byte 0x{data[exc.start]:02x} "
                      f"at line {line}); save it as UTF-8", Location(shown, line, 1))
            return None
        self.sources[shown] = text.splitlines()
        return text


def load_theme(plan_dir: Path) -> Loaded:
    """Read and check the plan's theme folder (``plan_dir/theme``), if it has one."""
    reader = _Reader(plan_dir)
    root = reader.root
    if not os.path.lexists(root):
        return Loaded(None)
    if root.is_symlink() or not root.is_dir():
        reader.fail("theme-file", "theme must be a folder inside the plan folder, not a "
                    "link or a file", Location(FOLDER))
        return Loaded(None, reader.diagnostics)
    reader.links_leaving()
    settings = _settings(reader)
    css = _stylesheet(reader)
    templates = _templates(reader)
    if any(d.severity == "error" for d in reader.diagnostics):
        return Loaded(None, reader.diagnostics, reader.sources)
    digest = hashlib.sha256()
    for name in sorted(reader.used):
        digest.update(name.encode() + b"\0" + reader.used[name] + b"\0")
    theme = Theme(css=css or "", templates=templates, digest=digest.hexdigest(), **settings)
    return Loaded(theme, reader.diagnostics, reader.sources)


# --- theme.yaml -----------------------------------------------------------------------


def _settings(reader: _Reader) -> dict[str, Any]:
    """The colours, logo and typeface of theme.yaml (an empty dict without one)."""
    from .validate.schema import validate_file

    if not os.path.lexists(reader.root / "theme.yaml"):
        return {}
    source = SourceFile(THEME_FILE, "theme")
    found = read_source(reader.plan, source)
    if source.text:
        reader.sources[THEME_FILE] = source.text.splitlines()
        reader.used[THEME_FILE] = source.text.encode()
    if source.ok:
        found += validate_file(source)
    reader.diagnostics += found
    if not source.ok or any(d.severity == "error" for d in found):
        return {}
    data = source.data
    colours = tuple(sorted((data.get("colours") or {}).items()))
    reader.diagnostics += contrast(dict(colours), source)
    return {"colours": colours, "logo": _logo(reader, source, data.get("logo")),
            "typeface": _typeface(reader, source, data.get("typeface"))}


def _logo(reader: _Reader, source: SourceFile, logo: Mapping | None) -> Logo | None:
    if not logo:
        return None
    rel, where = logo["file"], source.location("/logo/file")
    mime = _LOGO_TYPES.get(Path(rel).suffix.lower())
    if mime is None:
        reader.fail("theme-file", f"the logo {rel!r} is not an SVG, PNG or JPEG file "
                    "(.svg, .png, .jpg)", where)
        return None
    data = reader.read(rel, MAX_LOGO, where, "a logo")
    if data is None:
        return None
    problem = _image_problem(data, mime)
    if problem:
        reader.fail("theme-file", f"the logo {rel!r} {problem}", where)
        return None
    return Logo(_data_uri(mime, data), logo.get("alt", ""))


#: The largest logo, in pixels a side and in all (read from the image's header before
#: anything is decoded): a logo is shown a few centimetres wide.
MAX_LOGO_SIDE = 4096
MAX_LOGO_PIXELS = 4096 * 2048


def _image_problem(data: bytes, mime: str) -> str | None:
    """Why a logo cannot be used: a PNG or JPEG that is not one, or too large (its
    dimensions read from its header, never decoded); an SVG that is not one by an
    XML parser, or holds anything but the allow-listed picture (``_svg_problem``)."""
    if mime == "image/svg+xml":
        return _svg_problem(data)
    import warnings

    from PIL import Image

    kind = "PNG" if mime == "image/png" else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as image:
                width, height = image.size
                image.verify()  # the chunks' checksums, the markers: nothing decoded
    except Image.DecompressionBombError:  # raised only while Pillow has a limit
        return f"is too large an image (over {(Image.MAX_IMAGE_PIXELS or 0) * 2:,} pixels)"
    except Exception:  # Pillow raises many kinds on a file that is not an image
        return f"is not a {kind} image"
    if max(width, height) > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
        return (f"is {width:,} x {height:,} pixels: a logo may be at most "
                f"{MAX_LOGO_SIDE:,} pixels a side and {MAX_LOGO_PIXELS:,} in all")
    return None


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
#: What a logo may be drawn with: SVG's shapes, text, paint servers, clipping,
#: masking and filters; never a script, a link, an animation (which can set a link)
#: or a foreign object.
_SVG_ELEMENTS = frozenset((
    "svg", "g", "defs", "symbol", "use", "title", "desc", "metadata", "style", "switch",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan",
    "textPath", "image", "linearGradient", "radialGradient", "stop", "pattern", "clipPath",
    "mask", "marker", "filter", "feBlend", "feColorMatrix", "feComponentTransfer",
    "feComposite", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
    "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR", "feGaussianBlur",
    "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"))
#: Namespaces of what drawing programs write beside the picture (Inkscape, Sodipodi,
#: the RDF of <metadata>): inert, kept.
_SVG_EDITORS = frozenset({
    "http://www.inkscape.org/namespaces/inkscape",
    "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/",
    "http://creativecommons.org/ns#", "http://web.resource.org/cc/"})
_URL = re.compile(r"url\(\s*['\"]?\s*([^)'\"]*)", re.IGNORECASE)


def _inside(reference: str) -> bool:
    """A reference a logo may make: to itself (#id) or a data: image."""
    reference = reference.strip().lower()
    return reference.startswith("#") or reference.startswith(("data:image/png",
                                                               "data:image/jpeg"))


def _svg_problem(data: bytes) -> str | None:
    """Why an SVG logo cannot be used, reading it with an XML parser (expat, namespaces
    resolved): a DOCTYPE, an entity or a processing instruction; a first element that
    is not SVG's ``<svg>``; an element not on the allow-list (``_SVG_ELEMENTS``, in
    SVG's namespace, so ``<s:script>`` is a script); an event handler (``on*``); a
    reference other than #id or a data: image (``href``, ``src``, ``url()``); a style
    that fetches (``@import``, ``url()``)."""
    from xml.parsers import expat

    elements = 0
    styles: list[list[str]] = []  # each <style> element's text, each style= attribute
    in_style = False

    def refuse(message: str) -> None:
        raise _Refused(message)

    def doctype(*_: Any) -> None:
        refuse("declares a DOCTYPE or entities, which lscplan does not read in a logo")

    def instruction(target: str, _data: str) -> None:
        refuse(f"holds a processing instruction (<?{target} ...?>); a logo is a picture")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal elements, in_style
        space, _, local = name.rpartition(" ")
        elements += 1
        problem = _svg_element_problem(space, local, elements == 1) or next(
            filter(None, (_svg_attribute_problem(local, key, value)
                          for key, value in attrs.items())), None)
        if problem:
            refuse(problem)
        styles.extend([f"x {{{value}}}"] for key, value in attrs.items()
                      if key.rpartition(" ")[2] == "style")
        in_style = space == _SVG and local == "style"
        if in_style:
            styles.append([])

    def text(chunk: str) -> None:
        if in_style:
            styles[-1].append(chunk)

    def end(_name: str) -> None:
        nonlocal in_style
        in_style = False

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except _Refused as refused:
        return str(refused)
    except expat.ExpatError as exc:
        return (f"is not an SVG image: not well-formed XML "
                f"({expat.errors.messages[exc.code]}, line {exc.lineno})")
    for style in styles:
        for message in _svg_css_problems("".join(style)):
            return f"has a style that {message}"
    return None


def _svg_element_problem(space: str, local: str, first: bool) -> str | None:
    """Why a logo may not hold this element (its namespace and local name)."""
    if first and (space, local) != (_SVG, "svg"):
        return f"is not an SVG image: its first element is not <svg xmlns=\"{_SVG}\">"
    if space != _SVG and space not in _SVG_EDITORS:
        return f"holds <{local}> of {space or 'no namespace'}: a logo holds SVG only"
    if space == _SVG and local not in _SVG_ELEMENTS:
        return (f"holds {'a script' if local == 'script' else f'<{local}>'}; a logo is "
                "a picture (SVG's shapes, text, gradients, clipping and filters)")
    return None


_ELSEWHERE = ("; a logo holds everything it shows (references within it, #id, and "
              "data: images only)")


def _svg_attribute_problem(element: str, key: str, value: str) -> str | None:
    """Why a logo's element may not have this attribute (its namespaced key, its value)."""
    attr_space, _, attr = key.rpartition(" ")
    if attr.lower().startswith("on"):
        return f"has an event handler ({attr}= on <{element}>); a logo is a picture"
    if attr_space and attr_space not in (_XLINK, *_SVG_EDITORS):
        return f"has the attribute {attr} of {attr_space}: a logo holds SVG only"
    if attr in ("href", "src") and not _inside(value):
        return f"refers to another file ({attr}={value[:60]!r}){_ELSEWHERE}"
    for target in _URL.findall(value):
        if not _inside(target):
            return f"refers to another file (url({target[:60]})){_ELSEWHERE}"
    return None


def _svg_css_problems(text: str) -> Iterator[str]:
    """What an SVG logo's CSS may not do: ``@import``, or fetch anything but a part
    of the logo (``url(#id)``) or a data: image."""
    import tinycss2

    for node in _walk(tinycss2.parse_stylesheet(text, skip_comments=True)):
        kind = getattr(node, "type", "")
        if kind == "at-rule" and node.lower_at_keyword == "import":
            yield "imports another stylesheet (@import): a logo fetches nothing"
        elif kind == "url" and not _inside(node.value):
            yield f"would fetch url({node.value}): a logo fetches nothing"
        elif kind == "function" and node.lower_name in _FETCHING:
            target = next((t.value for t in node.arguments if t.type in ("string", "url")),
                          "")
            if not _inside(target):
                yield f"would fetch {node.name}({target!r}): a logo fetches nothing"


class _Refused(Exception):
    """An SVG logo is refused: the message says why."""


def _typeface(reader: _Reader, source: SourceFile, typeface: Mapping | None
              ) -> Typeface | None:
    if not typeface:
        return None
    licence = typeface["licence"]
    reader.read(licence, MAX_LICENCE, source.location("/typeface/licence"), "a licence")
    faces = []
    for key, weight, style in _FACES:
        if key not in typeface:
            continue
        rel, where = typeface[key], source.location(f"/typeface/{key}")
        kind = _FONT_TYPES.get(Path(rel).suffix.lower())
        if kind is None:
            reader.fail("theme-file", f"the font {rel!r} is not a .ttf, .otf, .woff or "
                        ".woff2 file", where)
            continue
        data = reader.read(rel, MAX_FONT, where, "a font")
        if data is None:
            continue
        problem = _font_problem(data)
        if problem:
            reader.fail("theme-file", f"the font {rel!r} {problem}", where)
            continue
        faces.append(Face(weight, style, _data_uri(kind[0], data), kind[1]))
    return Typeface(typeface["family"], tuple(faces))


#: The tables every font a document can be set in has (OpenType's required tables),
#: and its outlines: TrueType's or CFF's.
_FONT_TABLES = ("cmap", "head", "hhea", "hmtx", "maxp", "name", "post")
_OUTLINES = (("glyf", "loca"), ("CFF ",), ("CFF2",))


def _font_problem(data: bytes) -> str | None:
    """Why a font cannot be used: not a font fontTools reads (its required tables and
    outlines present, its header, character map and glyph count parsed), or one whose
    licence forbids embedding it in a document (OS/2 ``fsType`` "restricted")."""
    from fontTools.ttLib import TTFont

    try:
        font = TTFont(io.BytesIO(data), lazy=True)
        missing = [t for t in _FONT_TABLES if t not in font]
        if not any(all(t in font for t in outline) for outline in _OUTLINES):
            missing.append("glyf or CFF")
        if missing:
            return (f"is not a font lscplan can read: it has no {', '.join(missing)} "
                    "table" + ("s" if len(missing) > 1 else ""))
        glyphs = font["maxp"].numGlyphs
        font["head"].unitsPerEm  # noqa: B018  (each read parses its table)
        font["cmap"].getBestCmap()
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
    except Exception:  # fontTools raises many kinds on a broken file
        return "is not a font lscplan can read"
    if not glyphs:
        return "is not a font lscplan can read: it has no glyphs"
    if fs_type & 0x000F == 0x0002:
        return "may not be embedded in a document (its licence is 'restricted')"
    return None


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


# --- colours ------------------------------------------------------------------------------


def _luminance(colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast_ratio(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#RRGGBB`` colours."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


#: (colour, the one it is read against, what it is): text the documents set on them.
_PAIRS = (("primary", "#FFFFFF", "white text on the primary colour (bands, table headings)"),
          ("secondary", "#FFFFFF", "headings in the secondary colour on white"),
          ("text", "#FFFFFF", "body text on white"),
          ("muted", "#FFFFFF", "small text in the muted colour on white (footers, notes)"),
          ("accent", "text", "body text on the accent colour (the draft mark)"),
          ("tint", "text", "body text on the tint (the vision, total rows)"))


def contrast(colours: Mapping[str, str], source: SourceFile) -> list[Diagnostic]:
    """theme-contrast: each colour the theme sets, against what is read on or beside
    it, reaches WCAG AA's 4.5:1 (a warning; an error under ``--strict``)."""
    palette = {**DEFAULT_COLOURS, **colours}
    found = []
    for name, other, what in _PAIRS:
        if name not in colours:
            continue
        against = palette.get(other, other)
        ratio = contrast_ratio(palette[name], against)
        if ratio < 4.5:
            found.append(warning(
                "theme-contrast", f"{what}: {palette[name]} against {against} has contrast "
                f"{ratio:.2f}:1, below the 4.5:1 that WCAG AA asks of text",
                source.location(f"/colours/{name}")))
    return found


# --- style.css ------------------------------------------------------------------------

#: CSS functions that fetch what they name.
_FETCHING = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"}


def _stylesheet(reader: _Reader) -> str | None:
    if not os.path.lexists(reader.root / "style.css"):
        return None
    text = reader.text("style.css", "a stylesheet")
    if text is None:
        return None
    problems = list(css_problems(text))
    for line, column, message in problems:
        reader.fail("theme-css", message, Location(STYLE_FILE, line, column))
    return None if problems else text


def css_problems(text: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, message) for what a theme's CSS may not do: fetch anything (a
    ``url()`` that is not ``data:``, ``@import``) or end the ``<style>`` element it is
    placed in (``</style``)."""
    import tinycss2

    for match in re.finditer(r"</style", text, re.IGNORECASE):
        line = text.count("\n", 0, match.start()) + 1
        column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        yield line, column, ("'</style' would end the stylesheet inside the document; "
                             "remove it")
    for node in _walk(tinycss2.parse_stylesheet(text, skip_comments=True)):
        kind = getattr(node, "type", "")
        where = (node.source_line, node.source_column)
        if kind == "at-rule" and node.lower_at_keyword == "import":
            yield (*where, "@import fetches another stylesheet; put its rules in "
                   "theme/style.css itself")
        elif kind == "url" and not node.value.strip().lower().startswith("data:"):
            yield (*where, f"url({node.value}) would fetch a file: a theme's CSS fetches "
                   "nothing (use theme.yaml's logo and typeface, or a data: URL)")
        elif kind == "function" and node.lower_name in _FETCHING:
            target = next((t.value for t in node.arguments if t.type in ("string", "url")),
                          "")
            if not target.strip().lower().startswith("data:"):
                yield (*where, f"{node.name}({target!r}) would fetch a file: a theme's CSS "
                       "fetches nothing (use theme.yaml's logo and typeface, or a data: URL)")
        elif kind == "error":
            yield (*where, f"this is not valid CSS: {node.message}")


def _walk(nodes: Any) -> Iterator[Any]:
    for node in nodes or ():
        yield node
        for name in ("prelude", "content", "arguments"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                yield from _walk(inner)


# --- templates ----------------------------------------------------------------------------


def builtin_name(name: str) -> str | None:
    """The name of lscplan's template a theme template ``NAME.html.j2`` replaces: a
    document template (``base.html.j2``) or a partial (``partials/NAME.html.j2``)."""
    root = templates_dir()
    for candidate in (name, f"partials/{name}"):
        if (root / candidate).is_file():
            return candidate
    return None


def _templates(reader: _Reader) -> tuple[Template, ...]:
    folder = reader.root / "templates"
    if not folder.is_dir() or folder.is_symlink():
        if os.path.lexists(folder):
            reader.fail("theme-file", "theme/templates must be a folder", Location(TEMPLATES))
        return ()
    found = []
    for entry in sorted(folder.iterdir()):
        rel = f"{TEMPLATES}/{entry.name}"
        if not entry.name.endswith(".html.j2") or entry.is_dir():
            reader.diagnostics.append(warning(
                "theme-template", "lscplan uses only the templates NAME.html.j2 directly "
                "in theme/templates; this one is left alone", Location(rel)))
            continue
        text = reader.text(f"templates/{entry.name}", "a template")
        if text is None:
            continue
        name = builtin_name(entry.name) or entry.name
        found.append(Template(name, text, str(entry.absolute()), rel))
    templates = tuple(found)
    if templates:
        from .sandbox import template_problems  # Jinja: only for a theme with templates

        for template, line, column, message in template_problems(templates):
            lines = reader.sources.get(template.file, [])
            column = column or (len(lines[line - 1]) - len(lines[line - 1].lstrip()) + 1
                                if 0 < line <= len(lines) else 1)
            reader.fail("theme-template", message, Location(template.file, line, column))
    return templates
