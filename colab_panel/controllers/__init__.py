"""Controllers: `traitlets.HasTraits` objects holding each tab's state; actions are verb methods."""
