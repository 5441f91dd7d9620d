"""``python -m lscplan``."""

from .cli import main

main()
