"""alembic_batch.py DB: the change of raw_rebuild.sql done the Alembic way,
op.batch_alter_table (Debian 12's python3-alembic with SQLAlchemy 1.4),
inside one process so that only the operation itself is timed:
    /usr/bin/python3 bench/anchors/alembic_batch.py DB
"""
import sys

import sqlalchemy
from alembic.migration import MigrationContext
from alembic.operations import Operations


def main(path):
    engine = sqlalchemy.create_engine("sqlite:///" + path)
    with engine.begin() as conn:
        ops = Operations(MigrationContext.configure(conn))
        with ops.batch_alter_table("meetings") as batch:
            batch.alter_column("description",
                               existing_type=sqlalchemy.Text(),
                               nullable=False, server_default="")


if __name__ == "__main__":
    main(sys.argv[1])
