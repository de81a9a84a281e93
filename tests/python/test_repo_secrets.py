"""No secret in the repository: the secrets file is ignored, and no tracked file holds a credential.

Every file `git ls-files` lists is scanned for private keys, well-known token formats (AWS, GitHub,
Slack, Google, Stripe), URLs with a password, and settings such as ``api_token = "..."`` whose value is
not a placeholder. Test fixtures (obviously fake tokens under tests/) are exempt from the settings rule
only. `test_the_scan_flags_planted_secrets` shows each rule fires (its samples are assembled at run
time, so this file does not match itself).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_PLACEHOLDER = re.compile(
    r"^(|\.\.\.|x+|\*+|password|pass|passwd|secret|changeme|change-me|token|your[-_a-z]*|example[-_a-z]*|"
    r"dummy|placeholder|redacted|none|null|\$.*|<.*>|\{.*\}|\$\{.*\})$",
    re.IGNORECASE,
)
_KEY_FORMATS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{40,})\b"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{16,}"),
}
_URL_PASSWORD = re.compile(r"[a-z][a-z0-9+.-]*://[^\s:/@'\"]+:([^\s@/'\"]+)@", re.IGNORECASE)
_SETTING = re.compile(
    r"""^\s*[-\w.]*(api_token|api_key|token|secret|password|passwd|credentials)\s*[:=]\s*(?P<quote>["'])(?P<value>.*?)(?P=quote)\s*(#.*)?$""",
    re.IGNORECASE,
)
_SECRET_FILES = re.compile(r"(^|/)(secrets\.toml|\.env(\..+)?|id_(rsa|ed25519|ecdsa)|.+\.(pem|key|p12|pfx))$")


def tracked_files() -> list[str]:
    """Paths of the files git tracks in this checkout."""
    done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    return [path for path in done.stdout.decode().split("\0") if path]


def suspicious_lines(path: str, text: str) -> list[str]:
    """`path:line: what` for every line of ``text`` that looks like a real secret."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{path}:{number}"
        found += [f"{where}: {name}" for name, pattern in _KEY_FORMATS.items() if pattern.search(line)]
        found += [
            f"{where}: password in a URL"
            for match in _URL_PASSWORD.finditer(line)
            if not _PLACEHOLDER.match(match.group(1))
        ]
        setting = _SETTING.match(line)
        if setting and not path.startswith("tests/") and not _PLACEHOLDER.match(setting.group("value")):
            found.append(f"{where}: a secret setting with a literal value")
    return found


def test_the_secrets_file_is_ignored_and_untracked() -> None:
    ignored = subprocess.run(["git", "check-ignore", "-q", ".dlt/secrets.toml"], cwd=REPO, check=False)
    assert ignored.returncode == 0, ".dlt/secrets.toml must be listed in .gitignore"
    files = tracked_files()
    assert ".dlt/secrets.toml.example" in files  # the documented template is committed instead
    assert [path for path in files if _SECRET_FILES.search(path)] == []


def test_no_tracked_file_holds_a_secret() -> None:
    found = []
    for path in tracked_files():
        file = REPO / path
        if not file.is_file():  # deleted in the working tree, not yet committed
            continue
        data = file.read_bytes()
        if b"\0" in data[:8192]:  # binary
            continue
        found += suspicious_lines(path, data.decode("utf-8", errors="replace"))
    assert found == []


def test_the_scan_flags_planted_secrets() -> None:
    key = "-----BEGIN " + "RSA PRIVATE KEY-----"
    aws = "AKIA" + "Q" * 16
    planted = {
        "private key": key,
        "AWS access key id": f"aws_access_key_id={aws}",
        "password in a URL": "credentials = postgresql://loader:" + "Xy7-pw" + "@warehouse:5432/analytics",
        "a secret setting with a literal value": "api_token = " + '"' + "a8f2c9e1" + '"',
    }
    for what, line in planted.items():
        assert any(what in hit for hit in suspicious_lines(".dlt/config.toml", line)), what
    placeholders = [
        "# credentials = " + '"postgresql://user:password@host:5432/shop"',
        "api_token = " + '"..."',
        'password = "${PGPASSWORD}"',
    ]
    assert [hit for line in placeholders for hit in suspicious_lines(".dlt/config.toml", line)] == []
