"""The documentation site's choices: which extra types get a page, which card groups are drawn.

Why a module of its own: ``site_data`` (which classes get a page) and ``docs`` (what a type's map
draws) share these constants; a type page itself is the class card (``answers.show_sheet``).
"""

from __future__ import annotations

#: Types documented although they are not subclasses of calcinosis cutis (matched by label).
EXTRA_TYPE_LABELS = ("osteoma cutis",)

#: The card's groups (``answers.show_groups.GROUPS``) drawn in a type's map, and their role.
MAP_ROLES = {
    "sites": "site",
    "causes": "cause",
    "associated diseases": "disease",
}

#: (documented type IRIs, asserted (child, parent) edges, defined (child, parent) edges)
Hierarchy = tuple[list[str], list[tuple[str, str]], list[tuple[str, str]]]
