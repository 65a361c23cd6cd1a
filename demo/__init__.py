"""The demo: synthetic data for any ICB's system, generated from the calibration in
``fixtures/demo/`` and loaded through the real ingest pipeline by ``manage.py load_demo``.
Nothing in the product imports it."""
