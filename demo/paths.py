"""Where every generated file lives, relative to one DATA_DIR."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = "./data"


def data_dir_from_env(value: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: an explicit value, else $DATA_DIR, else ./data."""
    return Path(value or os.environ.get("DATA_DIR") or DEFAULT_DATA_DIR)


@dataclass(frozen=True)
class SourcePaths:
    """The layout of the demo source systems under DATA_DIR/sources."""

    data_dir: Path

    @property
    def sources(self) -> Path:
        return self.data_dir / "sources"

    @property
    def oltp_sqlite(self) -> Path:
        return self.sources / "shop.sqlite"

    @property
    def reviews(self) -> Path:
        return self.sources / "documents" / "reviews"

    @property
    def lake(self) -> Path:
        return self.sources / "lake"

    @property
    def events(self) -> Path:
        return self.lake / "events"

    @property
    def inventory(self) -> Path:
        return self.lake / "inventory_snapshots"

    @property
    def fx_rates(self) -> Path:
        return self.lake / "fx_rates"

    @property
    def nginx_logs(self) -> Path:
        return self.sources / "logs" / "nginx"

    @property
    def adplatform(self) -> Path:
        return self.sources / "adplatform"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / ".demo_state"

    @property
    def manifest(self) -> Path:
        return self.data_dir / "manifest.json"
