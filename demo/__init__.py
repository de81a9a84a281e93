"""The demo company's source systems: a deterministic generator and a stand-in ad platform API.

Delete this package when you point the project at your own sources; nothing in `ingestion/` or the
dbt project imports it.
"""
