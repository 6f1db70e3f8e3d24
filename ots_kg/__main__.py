"""`python -m ots_kg` runs the CLI."""

from .cli import main

main()
