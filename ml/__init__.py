"""The churn model trained from the warehouse (continuous training, issue 14).

- `dataset`: the point-in-time training set (mrt_customer_snapshots_weekly), its time-based split,
  fingerprint and the demo's oracle;
- `model`: the candidate (gradient-boosted trees) and the baseline (logistic regression), and metrics;
- `gate`: the quality gate that decides whether a candidate becomes the champion;
- `registry`: MLflow (SQLite backend under DATA_DIR/mlflow): runs, the registered model, its alias;
- `train`, `score`, `ct`: the `make train`, `make score` and `make ct` steps (`python -m ml --help`).
"""
