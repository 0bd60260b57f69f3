"""The job board in the browser, one module per sub-domain."""
