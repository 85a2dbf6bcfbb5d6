"""Our few anywidget front ends. Their JavaScript lives in `js/` (shipped as `colab_panel/static/`)."""
