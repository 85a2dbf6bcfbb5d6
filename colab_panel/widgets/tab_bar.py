"""`TabBar`: the panel's tab buttons; the page switches pages itself (js/tab_bar.js).

Why not `ipywidgets.Tab`: Colab renders third-party widgets through its custom widget manager,
whose front end (@jupyter-widgets/controls 4.0.0-alpha.3) reads a Tab's titles from `titles`
while Colab's kernel (ipywidgets 7.7.1) sends `_titles`, so the Tab's view fails and the panel
has no tabs (colabtools#3105, #3571; tests/browser/colab shows it). Why not core toggle
buttons: the switch would be made by the kernel, which answers a click only after the running
cell ends, and the Monitor must open while training runs.
"""

from __future__ import annotations

import anywidget
import traitlets

from colab_panel.widgets.static import static_path


class TabBar(anywidget.AnyWidget):
    _esm = static_path("tab_bar.js")
    titles = traitlets.List(traitlets.Unicode()).tag(sync=True)
    selected_index = traitlets.Int(0).tag(sync=True)
