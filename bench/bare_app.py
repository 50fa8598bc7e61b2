"""The floor for the intake benchmark: one INSERT per request, same server, same SQLite.

Served by bench/intake.py with the same gunicorn settings and the same engine set-up
(WAL, synchronous=FULL, BEGIN IMMEDIATE), without routing, numbering, audit or sessions.
"""

import os

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine

from hotline.sqlite import configure_sqlite, write_intent

engine = create_engine(os.environ["BENCH_DATABASE_URL"])
configure_sqlite(engine, 15000)
metadata = MetaData()
rows = Table("bare_rows", metadata, Column("id", Integer, primary_key=True), Column("v", String))
metadata.create_all(engine)
app = Flask(__name__)


@app.post("/insert")
def insert():
    """One row, one commit."""
    with write_intent(), engine.begin() as conn:
        conn.execute(rows.insert().values(v="x"))
    return "", 201
