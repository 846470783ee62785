"""What every plot in the window is: a View, registered by name in gradviz.plots.PLOTS.

The window makes each registered view, binds it to the app's model (model.py) and lays it
out; the frame clock (frames.py) calls :meth:`View.draw` when there is something new and
the view is on screen, with the engine thread paused while it sets plot data, and prepares
its widgets for painting between frames (native.NativePaint).  So a new plot is a module
with a View and one entry in PLOTS, and its author need not know about the GIL.
"""

from __future__ import annotations


class View:
    """Mixin for a plot's widget.  Override what the plot needs:

    - ``on_run(model)``: a new run began (new config, plane, problem): drop the old run's
      drawing at once and set up for the new one;
    - ``on_landscape(model)``, ``on_variance(model)``, ``on_slice(model)``: those reports
      changed;
    - ``draw(model)``: draw the newest state (model.latest, model.series …).
    """

    every_frame = False     # drawn at every frame while running (else about 5 times a second)

    def bind(self, model) -> None:
        self.model = model
        model.runChanged.connect(self._run_changed)
        model.landscapeChanged.connect(self._landscape_changed)
        model.varianceChanged.connect(self._variance_changed)
        model.sliceChanged.connect(self._slice_changed)
        self.on_run(model)

    def _run_changed(self) -> None:
        self.on_run(self.model)

    def _landscape_changed(self) -> None:
        self.on_landscape(self.model)

    def _variance_changed(self) -> None:
        self.on_variance(self.model)

    def _slice_changed(self) -> None:
        self.on_slice(self.model)

    def on_run(self, model) -> None:
        pass

    def on_landscape(self, model) -> None:
        pass

    def on_variance(self, model) -> None:
        pass

    def on_slice(self, model) -> None:
        pass

    def draw(self, model) -> None:
        pass

    def painted(self) -> list:
        """The plot widgets (native.NativePaint) the frame clock prepares for painting;
        a view of plain Qt widgets has none."""
        return [self] if hasattr(self, "prepare_on_paint") else []

    def export_widget(self):
        """The widget an export renders."""
        return self
