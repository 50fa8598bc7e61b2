"""The air-gapped install: `make bundle`'s archive installs and serves with no network at all.

The bundle is built (network: PyPI and Debian; dist/cache/ makes a rebuild quick), then
tests/e2e/offline_install.py runs inside `unshare -n`, a network namespace with only `lo`:
it unpacks the archive, simulates the Debian install against the archive's repository alone
on a base system, starts a throwaway PostgreSQL there, runs install.sh, starts gunicorn and
nginx as installed and fetches pages through nginx. Both run in the background from the
start of the session (tests/e2e/bundle_job.py); this test waits for them and checks.
"""

import json
from pathlib import Path

import pytest

from tests.e2e import bundle_job

pytestmark = pytest.mark.bundle


def test_bundle_installs_and_serves_without_network(request):
    if not bundle_job.can_run():
        pytest.skip("needs root, unshare and nginx (CI runs as root with them)")
    # Started when the collection found this test, which runs last (tests/e2e/conftest.py):
    # by now it has usually finished. Started here when it was not.
    job = bundle_job.start(request.config)
    request.addfinalizer(job.stop)
    steps = job.wait()

    # `deploy/bundle.sh` from HEAD.
    build = steps["build"]
    assert build.rc == 0, build.out[-4000:] + build.err[-4000:] + job.log()
    archive = Path(build.out.strip().splitlines()[-3])
    assert archive.name.endswith("-offline.tar.gz") and archive.exists(), build.out[-2000:]
    assert "sha256: " in build.out

    inside = steps["install"]
    logs = "".join(
        f"\n--- {name}\n{path.read_text(errors='replace')[-3000:]}"
        for name in ("gunicorn.log", "scheduler.log", "nginx/error.log")
        if (path := job.install_folder / name).exists()
    )
    assert inside.rc == 0, inside.out[-6000:] + inside.err[-6000:] + logs + job.log()
    found = json.loads(inside.out.strip().splitlines()[-1])

    # No network: only the loopback interface, no route; a registry is unreachable.
    assert found["links"] == ["lo"]

    # The local repository alone satisfies the product's packages on a bare base system.
    apt = found["apt"]
    assert not apt["unmet"]
    assert {"postgresql", "postgresql-15-postgis-3", "nginx", "fonts-wqy-zenhei"} <= set(
        apt["packages"]
    )
    assert apt["base_packages"] > 30 and apt["installs"] > 50
    assert apt["installs"] <= apt["debs"]

    # pip took every wheel from the bundle, checked against the lock's hashes.
    output = found["install_output"]
    assert "Looking in links:" in output and "/wheels" in output
    assert "Downloading" not in output and "pypi.org" not in output
    processed = [line for line in output.splitlines() if line.startswith("Processing ")]
    assert processed and all("/wheels/" in line for line in processed), processed[:5]
    assert found["current"].startswith("releases/0.")

    # The first administrator, and no demo data.
    assert found["users"] == ["firstadmin:system_admin"]

    pages = found["pages"]
    assert pages["/login"]["status"] == 200 and pages["/login"]["has_password_field"]
    assert pages["/static/vendor/leaflet/leaflet.css"]["status"] == 200
    assert pages["http:/login"]["status"] == 308
    assert pages["http:/login"]["location"].startswith("https://")
    assert pages["app:/readyz"]["status"] == 200, pages  # database, schema, scheduler
    assert pages["/readyz"]["status"] == 404, pages  # not through nginx

    # Re-running upgrades: the database backed up first, a new release beside the old one;
    # --rollback puts the old one back.
    upgrade, rollback = found["upgrade"], found["rollback"]
    assert upgrade["previous"] == found["current"] != upgrade["current"]
    assert [name for name in upgrade["backups"] if name.startswith("pre-upgrade-")]
    assert rollback == {"current": found["current"], "previous": upgrade["current"]}
