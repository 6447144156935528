"""Review of ``storysite check --report``: the curation dashboard as the curation editor and the
data-protection officer read it every morning."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys

from tests.conftest import BUILD_EPOCH, REPO, memory


def test_a_report_cut_short_by_a_full_disk_leaves_the_earlier_report_whole(make_site, tmp_path) -> None:
    site = make_site({"content/memories/a.md": memory("A")})
    report = tmp_path / "r.html"
    assert site.check("--report", str(report)).exit_code == 0
    before = report.read_bytes()
    for number in range(60):
        site.write(f"content/memories/m{number:02}.md", memory(f"Souvenir numéro {number}"))
    limit = len(before) + 1000  # the new report is much longer: its write fails midway

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG)

    env = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": BUILD_EPOCH}
    done = subprocess.run([sys.executable, "-m", "storysite", "check", str(site.root), "--report", str(report)],
                          env=env, capture_output=True, text=True, preexec_fn=small_disk, check=False)
    assert done.returncode == 2, done.stderr
    assert "cannot write" in done.stderr
    assert report.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["r.html"]  # no temporary left
    # Written in full, it replaces the earlier report and keeps its permissions.
    report.chmod(0o640)
    assert site.check("--report", str(report)).exit_code == 0
    assert "Souvenir numéro 59" in report.read_text() and report.stat().st_mode & 0o777 == 0o640
