#!/usr/bin/python3
"""sqla_schema.py: write schema.sql from an app's SQLAlchemy models.

The bridge from Flask-SQLAlchemy / SQLAlchemy models to migrate's
autogenerate: the app's MetaData is "created" on a mock SQLite engine, so
SQLAlchemy's own DDL compiler for the SQLite dialect writes every CREATE
TABLE and CREATE INDEX, and the DDL() statements an app attaches with
event.listen(table, "after_create", DDL(...)) (triggers, views) come out
in the same order create_all() would run them.

    /usr/bin/python3 tools/sqla_schema.py app/models.py:db -o schema.sql
    sqlite3-migrate app.db '.migrate new --autogenerate -m "add phone"'

MODULE is a file path or a dotted module name; ATTR (default: the first
of db, metadata, Base that exists) is a MetaData or anything with a
.metadata (a Flask-SQLAlchemy SQLAlchemy object, a declarative base).
Needs SQLAlchemy 1.4 (Debian 12: python3-sqlalchemy; Flask apps also
python3-flask-sqlalchemy).
"""
import argparse
import importlib
import importlib.util
import os
import sys

import sqlalchemy
from sqlalchemy import MetaData, create_mock_engine


def load_module(spec):
    """Import MODULE (a .py path or a dotted name) and return it."""
    if spec.endswith(".py") or os.sep in spec:
        path = os.path.abspath(spec)
        sys.path.insert(0, os.path.dirname(path))
        name = os.path.splitext(os.path.basename(path))[0]
        mspec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(mspec)
        sys.modules[name] = module
        mspec.loader.exec_module(module)
        return module
    return importlib.import_module(spec)


def find_metadata(module, attr):
    """The MetaData named by attr in module (or found by the defaults)."""
    names = [attr] if attr else ["db", "metadata", "Base"]
    for name in names:
        obj = getattr(module, name, None)
        if isinstance(obj, MetaData):
            return obj
        if isinstance(getattr(obj, "metadata", None), MetaData):
            return obj.metadata
    raise SystemExit("sqla_schema: no MetaData found as %s in %s"
                     % (" or ".join(names), module.__name__))


def schema_sql(metadata):
    """Every DDL statement create_all() would run on SQLite, as text."""
    out = []

    def dump(sql, *multiparams, **params):
        text = str(sql.compile(dialect=engine.dialect)).strip()
        if text:
            out.append(text + ";\n")

    engine = create_mock_engine("sqlite://", dump)
    metadata.create_all(engine, checkfirst=False)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(
        description="Write schema.sql from SQLAlchemy models (SQLite DDL).")
    ap.add_argument("models", help="MODULE[:ATTR], e.g. app/models.py:db")
    ap.add_argument("-o", "--output", default="-",
                    help="file to write (default: standard output)")
    args = ap.parse_args()
    spec, _, attr = args.models.partition(":")
    sql = ("-- Written by tools/sqla_schema.py from %s (SQLAlchemy %s)\n"
           % (args.models, sqlalchemy.__version__))
    sql += schema_sql(find_metadata(load_module(spec), attr or None))
    if args.output == "-":
        sys.stdout.write(sql)
    else:
        with open(args.output, "w") as f:
            f.write(sql)


if __name__ == "__main__":
    main()
