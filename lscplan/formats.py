"""The output formats a document can be written in, declared once.

A ``Format`` is a file extension (also the document's key in the manifest) and a
``produce`` function that turns a ``Rendered`` document into an ``Output`` (bytes,
and a page count when the format has pages). The build loop (``write``) knows
nothing else about any format: it renders each document's HTML once, hands it to
the ``produce`` of every format the document declares and the build wants, stages
the bytes as ``<doc-id>.<name>`` and records them in the manifest.

To add a format (as the workbook, ``XLSX``, was added):

1. write ``produce(rendered: Rendered) -> Output``; ``rendered.plan`` and
   ``rendered.document`` give it the typed plan and the document when it is made
   from the plan rather than from the HTML;
2. declare it here, ``XLSX = Format("xlsx", produce, from_html=False)``, and add it
   to ``FORMATS`` (the order is the order files are reported in);
3. list ``"xlsx"`` in the ``formats`` of the documents that produce it
   (``documents.py``).

``pooled=True`` runs ``produce`` in worker processes, for formats that take seconds
(PDF layout): ``produce`` must then be a module-level function, and it receives the
``Rendered`` without ``plan`` and ``document`` (only what pickles cheaply).
``from_html=True`` says the output depends on nothing but the HTML (and the
renderers' versions), so it is kept while the document's HTML is unchanged even when
its sources changed; a format made from the plan says ``from_html=False`` and is
produced again whenever the document's sources change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import pdf
from .outputs import Output, Rendered  # also imported from here by the formats' modules


@dataclass(frozen=True)
class Format:
    name: str
    produce: Callable[[Rendered], Output]
    pooled: bool = False
    from_html: bool = True
    paged: bool = False  # its output's page count is the document's ``pages``

    def file(self, doc_id: str) -> str:
        return f"{doc_id}.{self.name}"


def _html(rendered: Rendered) -> Output:
    return Output(rendered.html.encode("utf-8"))


def _xlsx(rendered: Rendered) -> Output:
    from . import workbook  # openpyxl is loaded when a workbook is written

    return workbook.produce(rendered)


def _docx(rendered: Rendered) -> Output:
    from . import word  # python-docx is loaded when a Word file is written

    return word.produce(rendered)


HTML = Format("html", _html)
PDF = Format("pdf", pdf.layout, pooled=True, paged=True)
XLSX = Format("xlsx", _xlsx, from_html=False)
#: Word, made from the HTML (``lscplan.word``): board papers and the public summary.
DOCX = Format("docx", _docx)

#: Every format, by name, in the order a document's files are reported.
FORMATS: dict[str, Format] = {f.name: f for f in (HTML, PDF, XLSX, DOCX)}
