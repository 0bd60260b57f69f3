"""/api/v1/. Kept free of imports: DRF loads framework.py while its own views module is importing."""
