#!/usr/bin/python3
"""alembic_compare.py: the anchor of bench_diff.sh, Alembic's autogenerate
comparison on the same two schemas.

    alembic_compare.py FROM.db TARGET.db RUNS

The target MetaData is reflected from TARGET.db once, untimed (in an app
it comes from the models). Then, RUNS times, Alembic's
compare_metadata() compares it with FROM.db through SQLAlchemy
reflection, as `alembic revision --autogenerate` does, with type and
server-default comparison on. Prints "WALL CPU CHANGES": the best
wall-clock and the best CPU (user+system) seconds of compare_metadata(),
and the number of differences Alembic reported.
"""
import sys
import time

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, create_engine


def main():
    src, target, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    meta = MetaData()
    meta.reflect(bind=create_engine("sqlite:///" + target))
    best, cpu, n = None, None, 0
    for _ in range(runs):
        engine = create_engine("sqlite:///" + src)
        start, cstart = time.perf_counter(), time.process_time()
        with engine.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={
                "compare_type": True, "compare_server_default": True})
            diffs = compare_metadata(ctx, meta)
        t = time.perf_counter() - start
        c = time.process_time() - cstart
        engine.dispose()
        n = len(diffs)
        best = t if best is None or t < best else best
        cpu = c if cpu is None or c < cpu else cpu
    print("%.3f %.3f %d" % (best, cpu, n))


if __name__ == "__main__":
    main()
