"""lscplan: an Integrated Care System's five-year plan from validated YAML sources."""


def __getattr__(name: str) -> str:
    # Read lazily: importlib.metadata costs more than the rest of ``lscplan check``.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("lscplan")
        except PackageNotFoundError:  # pragma: no cover - a bare checkout
            return "0.0.0"
    raise AttributeError(name)
