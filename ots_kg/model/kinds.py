"""The one table of node kinds: which classes make a node an event, a state, …; how the
kind is named in words, whether it gets a documentation page, and its colour in charts."""

from __future__ import annotations

from dataclasses import dataclass

from .prefixes import PREFIXES

_P = PREFIXES


@dataclass(frozen=True)
class Kind:
    name: str
    roots: tuple[str, ...]  # class IRIs; a node is of the first kind one of its classes falls under
    plural: str
    page: str | None = None  # the list page of the documentation site, if the kind has pages
    heading: str | None = None
    colour: str | None = None  # in the network chart


# First match wins (a committee is a mechanism before it is an org unit).
KINDS: tuple[Kind, ...] = (
    Kind("event", (_P["schema"] + "Event",), "events", "events.html", "Events"),
    Kind("mechanism", (_P["ots"] + "Mechanism",), "mechanisms", "mechanisms.html", "Mechanisms", "#27ae60"),
    Kind(
        "organ",
        (_P["ots"] + "PrincipalOrgan", _P["org"] + "OrganizationalUnit"),
        "organs",
        "organisations.html",
        "Organisations",
        "#c0392b",
    ),
    Kind(
        "organisation",
        (
            _P["ots"] + "Organization",
            _P["ots"] + "AffiliatedOrganization",
            _P["ots"] + "Institution",
            _P["org"] + "Organization",
        ),
        "organisations",
        "organisations.html",
        "Organisations",
        "#7f8c8d",
    ),
    Kind("state", (_P["ots"] + "State",), "states", "states.html", "States", "#2471a3"),
    Kind("document", (_P["ots"] + "Document",), "documents", "documents.html", "Documents"),
    Kind("person", (_P["ots"] + "Person", _P["schema"] + "Person"), "people", "people.html", "People"),
    Kind("post", (_P["org"] + "Post",), "posts"),
    Kind("place", (_P["schema"] + "City", _P["schema"] + "Place"), "places", "places.html", "Places"),
    Kind(
        "area",
        (_P["ots"] + "AreaOfCooperation", _P["skos"] + "ConceptScheme"),
        "areas",
        "areas.html",
        "Areas",
        "#8e44ad",
    ),
    Kind("membership", (_P["org"] + "Membership",), "memberships"),
    Kind("claim", (_P["ots"] + "Claim",), "claims"),
    Kind("aggregate", (_P["ots"] + "StatedAggregate",), "stated counts"),
    Kind("source", (_P["ots"] + "SourceDocument",), "sources"),
    Kind("passage", (_P["ots"] + "Passage",), "passages"),
    Kind("time", (_P["time"] + "Interval", _P["time"] + "Instant"), "time spans"),
)
OTHER = Kind("other", (), "other nodes")
BY_NAME: dict[str, Kind] = {k.name: k for k in (*KINDS, OTHER)}
AFFILIATED_COLOUR = "#e67e22"  # the network chart tells affiliated organisations apart
