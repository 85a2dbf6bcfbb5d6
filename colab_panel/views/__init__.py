"""Views: ipywidgets only. Each takes its controller, binds to its traits and holds no state."""
