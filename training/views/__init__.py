"""The training pages, one module per concern."""
