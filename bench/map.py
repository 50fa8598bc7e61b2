"""The dispatcher's map with 10,000 vehicles and 10,000 open 12345 orders: server time and
bytes for the page and each GeoJSON feed (best of 5, through the Flask test client).

Targets: the page under 0.3 s and under 2 MB; the feeds are fetched by the page's script
every 5 seconds (vehicles, incidents) or 30 seconds (orders, when that layer is on).
Run: .venv/bin/python bench/map.py [--vehicles 10000] [--orders 10000]
"""

import argparse
import gzip
import random
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import EAST, NORTH, SOUTH, WEST, prepared_app, synthetic_fleet  # noqa: E402

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def fill(app, vehicles: int, orders: int) -> None:
    """Bulk rows with SQLAlchemy Core: one station, the vehicles and open orders."""
    from sqlalchemy import select

    from hotline.models import Category, WorkOrder
    from hotline.plugins import db

    rng = random.Random(10)
    with app.app_context():
        synthetic_fleet(db.session, rng, vehicles, NOW)
        category_id = db.session.scalar(select(Category.id).where(Category.code == "0401"))
        db.session.execute(
            WorkOrder.__table__.insert(),
            [
                {
                    "number": f"M{i:09d}",
                    "version": 1,
                    "channel": "phone",
                    "order_type": "complaint",
                    "category_id": category_id,
                    "description": "bench",
                    "state": "routed",
                    "lon": rng.uniform(WEST, EAST),
                    "lat": rng.uniform(SOUTH, NORTH),
                    "time_limit": 15,
                    "due_at": NOW,
                    "created_at": NOW,
                    "updated_at": NOW,
                    "synthetic": True,
                }
                for i in range(orders)
            ],
        )
        db.session.commit()


def measure(client, url: str) -> tuple[float, int, int]:
    """Best of 5: seconds, bytes, gzip bytes."""
    best, body = float("inf"), b""
    for _ in range(5):
        start = time.perf_counter()
        response = client.get(url)
        best = min(best, time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        body = response.data
    return best, len(body), len(gzip.compress(body, 6))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--vehicles", type=int, default=10_000)
    parser.add_argument("--orders", type=int, default=10_000)
    args = parser.parse_args()
    _env, app = prepared_app(Path(tempfile.mkdtemp(prefix="hotline-map-")))
    fill(app, args.vehicles, args.orders)
    from hotline.core.accounts.roles import Role
    from hotline.plugins import db
    from hotline.services.accounts import users

    with app.app_context():
        users.create_user(
            db.session,
            username="mapper",
            display_name="Bench",
            role=Role.EMS_DISPATCHER.value,
            password="bench password 123",  # noqa: S106 - the bench account's
            hash_method="scrypt:1024:8:1",
            now=NOW,
        )
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    client.post(
        "/login", data={"username": "mapper", "password": "bench password 123", "csrf_token": token}
    )
    print(f"{args.vehicles:,} vehicles, {args.orders:,} open orders")
    print(f"{'url':<36} {'ms':>8} {'bytes':>11} {'gzip':>10}")
    for url in (
        "/ems/map",
        "/api/v1/map/vehicles.geojson",
        "/api/v1/map/incidents.geojson",
        "/api/v1/map/orders.geojson",
        "/api/v1/map/places.geojson",
    ):
        seconds, size, zipped = measure(client, url)
        print(f"{url:<36} {seconds * 1000:8.1f} {size:11,} {zipped:10,}")
    print("targets: the page under 300 ms and under 2 MB")
    browser_figures(app)


PAN = """async () => {
  const map = window.hotlineMap;
  const times = [];
  for (let i = 0; i < 30; i++) {
    const start = performance.now();
    map.panBy([i % 2 ? 80 : -80, 40], {animate: false});
    await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return {median: times[15], worst: times[29]};
}"""


def browser_figures(app) -> None:
    """In the Debian Chromium: time until 10,000 vehicles are drawn, and frame times while
    panning with the vehicles and the 10,000 orders on the map."""
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{base}/login")
        page.fill("input[name=username]", "mapper")
        page.fill("input[name=password]", "bench password 123")
        page.click("main button[type=submit]")
        start = time.perf_counter()
        page.goto(f"{base}/ems/map")
        page.locator("#map-status").filter(has_text="/").wait_for(timeout=60000)
        loaded = time.perf_counter() - start
        page.evaluate(PAN)  # warm-up: the first frames include compiling and caching
        vehicles_only = page.evaluate(PAN)
        page.locator(".leaflet-control-layers-overlays input").nth(2).check()
        while page.evaluate("() => Object.keys(window.hotlineMap._layers).length") < 20000:
            time.sleep(0.05)
        with_orders = page.evaluate(PAN)
        browser.close()
    server.shutdown()
    print(
        f"Chromium: page + 10,000 vehicles drawn in {loaded * 1000:.0f} ms; pan frame "
        f"median {vehicles_only['median']:.0f} ms (worst {vehicles_only['worst']:.0f}); with "
        f"10,000 orders too: median {with_orders['median']:.0f} ms "
        f"(worst {with_orders['worst']:.0f})"
    )


if __name__ == "__main__":
    main()
