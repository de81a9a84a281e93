"""Ingestion layer: one dlt pipeline per source system, loading raw data into the warehouse.

Run ``python -m ingestion`` (``make ingest``); ``ingestion.runner.run`` is the same from Python.
"""
