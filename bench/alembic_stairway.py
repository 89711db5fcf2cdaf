#!/usr/bin/python3
"""alembic_stairway.py: the anchor of bench_stairway.sh.

    /usr/bin/python3 bench/alembic_stairway.py DIR N [--run]

Writes an Alembic project into DIR (alembic.ini, env.py and N linear
revisions, revision i creating table t<i> and its index through
op.execute, the same SQL as the migrate history of the benchmark) and,
with --run, does the stairway pytest-alembic's "up/down consistency" test
does, in this one Python process: for every revision, `alembic upgrade
+1`, `downgrade -1`, `upgrade +1` (alembic.command, as the CLI calls it),
against DIR/app.db. Prints the seconds the stairway took and checks that
all N tables exist at the end. Needs Debian's python3-alembic (1.8.1).
"""
import os
import sys
import time

ENV_PY = '''from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(config.get_main_option("sqlalchemy.url"))
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
'''

REVISION = '''"""create t{i}"""
from alembic import op

revision = "{rev}"
down_revision = {down}


def upgrade():
    op.execute("CREATE TABLE t{i} (id INTEGER PRIMARY KEY, "
               "name TEXT NOT NULL, v INTEGER)")
    op.execute("CREATE INDEX ix_t{i}_name ON t{i}(name)")


def downgrade():
    op.execute("DROP TABLE t{i}")
'''


def write_project(top, n):
    """The project: alembic.ini, env.py, script.py.mako, N revisions."""
    versions = os.path.join(top, "alembic", "versions")
    os.makedirs(versions, exist_ok=True)
    with open(os.path.join(top, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = alembic\n"
                "sqlalchemy.url = sqlite:///app.db\n")
    with open(os.path.join(top, "alembic", "env.py"), "w") as f:
        f.write(ENV_PY)
    with open(os.path.join(top, "alembic", "script.py.mako"), "w") as f:
        f.write("# unused\n")
    for i in range(1, n + 1):
        rev = "r%04d" % i
        down = '"r%04d"' % (i - 1) if i > 1 else "None"
        with open(os.path.join(versions, rev + "_t%d.py" % i), "w") as f:
            f.write(REVISION.format(i=i, rev=rev, down=down))


def stairway(top, n):
    """upgrade +1, downgrade -1, upgrade +1 for each of the N revisions."""
    from alembic import command
    from alembic.config import Config
    os.chdir(top)
    if os.path.exists("app.db"):
        os.remove("app.db")
    cfg = Config("alembic.ini")
    start = time.time()
    for _ in range(n):
        command.upgrade(cfg, "+1")
        command.downgrade(cfg, "-1")
        command.upgrade(cfg, "+1")
    took = time.time() - start
    import sqlite3
    db = sqlite3.connect("app.db")
    got = db.execute("SELECT count(*) FROM sqlite_schema WHERE type='table'"
                     " AND name GLOB 't[0-9]*'").fetchone()[0]
    if got != n:
        sys.exit("alembic_stairway: expected %d tables, got %d" % (n, got))
    print("%.3f" % took)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: alembic_stairway.py DIR N [--run]")
    write_project(sys.argv[1], int(sys.argv[2]))
    if "--run" in sys.argv[3:]:
        import logging
        logging.disable(logging.CRITICAL)
        stairway(sys.argv[1], int(sys.argv[2]))
