"""`colab-panel demo`: the panel served on 127.0.0.1 by Voila, with no Google account needed."""
