"""Workflow diagrams, drawn by ``transitions``' GraphMachine with graphviz.

Kept apart from the engine (as ``transitions`` keeps ``extensions/diagrams.py`` apart from its
core): the engine never needs graphviz, and everything else works without it installed.
"""

from __future__ import annotations

import shutil

from panelflow.workflows.definitions import WorkflowDef
from panelflow.workflows.machine import machine_config


class DiagramUnavailable(RuntimeError):
    """Graphviz is not installed; the message says how to install it."""


def render_svg(workflow: WorkflowDef, current: str | None = None) -> str:
    """The workflow as an SVG document; ``current`` highlights a case's state."""
    if shutil.which("dot") is None:
        raise DiagramUnavailable(
            "drawing diagrams needs graphviz: install it with 'apt-get install graphviz'"
        )
    from transitions.extensions import GraphMachine

    class _Drawing:
        """A throwaway model: the diagram machine needs one to draw its current state."""

    class _TopDown(GraphMachine):
        # Top to bottom reads like a procedure and fits a page column.
        machine_attributes = {  # noqa: RUF012 - the library's own class attribute
            **GraphMachine.machine_attributes,
            "rankdir": "TB",
        }

        def _init_graphviz_engine(self, graph_engine: str) -> type:
            graph = super()._init_graphviz_engine(graph_engine)

            class _Wrapped(graph):  # type: ignore[misc, valid-type]
                # One guard per line, so long conditions do not stretch the drawing.
                def _transition_label(self, tran: dict[str, object]) -> str:
                    label: str = super()._transition_label(tran)
                    return label.replace(" [", "\n[").replace(" & ", " &\n")

            return _Wrapped

    model = _Drawing()
    _TopDown(
        model=model,
        title=workflow.title,
        graph_engine="graphviz",
        show_conditions=True,
        **machine_config(workflow),
    )
    if current is not None and current in workflow.states:
        model.state = current  # type: ignore[attr-defined]
    graph = model.get_graph(force_new=True)  # type: ignore[attr-defined]
    svg: bytes = graph.pipe(format="svg")
    return svg.decode("utf-8")
