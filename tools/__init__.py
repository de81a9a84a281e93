"""Project tooling for analysts and CI: metadata guardrails (check_project) and the read-only marts snapshot (publish).

Run from the repository root: `python -m tools.check_project`, `python -m tools.publish` (or the make targets
`make check` and `make publish`).
"""
