"""Where the bundled ontology, shapes, data and queries are.

A source checkout keeps them at the top level (ontology/, data/, queries/, each marked by a
`.ots-kg-resource` file); an installed wheel carries the same folders inside the package as
ots_kg/_ontology, _data, _queries.

Which copy is the bundled graph: the checkout the package runs from (an editable install),
else the checkout the working folder is in, else the package's own copy. The middle rule is
for a contributor who installed with `pip install .`, edited data/ and runs `ots-kg
validate` in the checkout: the installed copy is the graph as it was at install time, so
validating it would pass their mistake and name files under site-packages.
"""

from __future__ import annotations

import os
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_NAMES = {"ontology": "_ontology", "data": "_data", "queries": "_queries"}
_MARKER = ".ots-kg-resource"


def _is_checkout(folder: Path) -> bool:
    return all((folder / name / _MARKER).is_file() for name in _NAMES)


def checkout_root() -> Path | None:
    """The source checkout whose files are the bundled graph, if any (see the module's rule)."""
    if _is_checkout(_HERE.parent):
        return _HERE.parent
    try:
        here = Path(os.getcwd())
    except OSError:  # the working folder was removed
        return None
    for folder in (here, *here.parents):
        if _is_checkout(folder):
            return folder
    return None


def resource_dir(name: str) -> Path:
    """The folder of one bundled resource kind: in the checkout, else in the installed package."""
    root = checkout_root()
    return root / name if root is not None else _HERE / _NAMES[name]


def ontology_file() -> Path:
    return resource_dir("ontology") / "ots.ttl"


def shapes_file() -> Path:
    return resource_dir("ontology") / "shapes.ttl"


def data_dir() -> Path:
    return resource_dir("data")


def queries_dir() -> Path:
    return resource_dir("queries")


def sources_dir() -> Path:
    """The shared source documents beside the checkout (../shared/sources); without a
    checkout, a path beside the package that is normally not there."""
    return (checkout_root() or _HERE.parent).parent / "shared" / "sources"
