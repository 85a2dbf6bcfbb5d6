"""The kernel's loopback HTTP server that pages in Colab's port proxy (chart, transfers) talk to."""
