"""lscplan: an Integrated Care System's five-year plan from validated YAML sources."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("lscplan")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0"
