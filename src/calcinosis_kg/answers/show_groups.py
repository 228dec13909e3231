"""The groups and scopes of a class card, without the card's machinery.

A module of its own so the command line can offer ``show --only GROUP`` choices without importing
rdflib (``--help`` lists every command and must stay fast).
"""

from __future__ import annotations

#: "causes" holds what a source says causes or contributes to the condition; "correlations" what it
#: says is only linked to it (RO:0003308 correlated with), never presented as a cause
GROUPS = ("causes", "correlations", "associated diseases", "sites", "composition",
          "laboratory profile", "populations", "exposures", "diagnosis", "treatments", "features",
          "other")
#: own; inherited (a universal statement of an ancestor: true of every member); subtype; ancestor
#: (an association record of an ancestor: context only, never claimed of the term)
SCOPES = ("own", "inherited", "subtype", "ancestor")
