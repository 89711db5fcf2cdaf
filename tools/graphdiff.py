#!/usr/bin/python3
# graphdiff.py: differential test of migrate's revision graph against
# Alembic itself (Debian's python3-alembic, 1.8.1).
#
#   /usr/bin/python3 tools/graphdiff.py --shell ./sqlite3-migrate \
#       --ext ./migrate.so [--seed S] [--cases N] [--dir WORKDIR] [-v]
#
# Each case is a random revision graph (3-25 revisions: chains, branch
# points, several roots, merges of 2-3 heads, branch labels, depends_on on
# revisions and labels, ids sharing prefixes), written twice: as Alembic
# scripts and as migrate's .sql files; each revision creates a table
# t_<id> and its downgrade drops it. A random sequence of commands (every
# target form of the contract, invalid ones included; upgrade, downgrade,
# stamp, current, heads, history, branches) then runs through Alembic, in
# this process (alembic.command with a Config), and through migrate:
# the shell for the reports, and for the writing commands the shell or
# the SQL API (alternating by case). After each command it compares:
# success or failure and the error text, the version rows, the tables
# present, the steps run (same set, and migrate's order a valid
# topological order), and the text of heads/current/history/branches
# (comma lists inside parentheses and line order normalised, as Alembic
# prints sets in hash order).
#
# Where Alembic is known wrong (docs/migrations.md, "Where migrate differs
# from Alembic"), a rule below says what the right answer is and the case
# is counted under that documented row instead. A case stops at its first
# disagreement (the states differ from there on).
#
# migrate's invariant is checked after every command: the applied set
# (tables present) is closed under Revises and Depends On, and
# migrate_version holds exactly its heads.
#
# Prints one line per disagreeing case, then "cases N agree N documented N
# disagree N" and the count per class. Exit status 1 on any disagreement.
import argparse
import io
import logging
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile

import alembic
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from alembic.script import revision as revmod
import sqlalchemy

LABELS = ["kilo", "lima", "mike", "nova", "oscar", "papa", "romeo"]
HEX = "0123456789abcdef"


# ---------------------------------------------------------------- graphs

class Rev:
    def __init__(self, rid, parents, deps, labels):
        self.id = rid
        self.parents = parents
        self.deps = deps
        self.labels = labels


def gen_id(rng, used):
    while True:
        if used and rng.random() < 0.35:
            base = rng.choice(sorted(used))
            k = rng.randint(1, len(base) - 1)
            rid = base[:k] + "".join(rng.choice(HEX)
                                     for _ in range(rng.randint(1, 4)))
        else:
            rid = "".join(rng.choice(HEX) for _ in range(rng.randint(4, 7)))
        if len(rid) < 4 or rid in used or rid.isdigit():
            continue
        if any(u.startswith(rid) or rid.startswith(u) for u in used):
            continue
        return rid


def gen_graph(rng):
    n = rng.randint(3, 25)
    revs = []
    used = set()
    labels_free = list(LABELS)
    rng.shuffle(labels_free)
    for i in range(n):
        children = {p for r in revs for p in r.parents}
        heads = [r.id for r in revs if r.id not in children]
        x = rng.random()
        if i == 0 or x < 0.08:
            parents = []
        elif x < 0.22 and len(heads) >= 2:
            parents = rng.sample(heads, min(len(heads), rng.choice([2, 2, 3])))
        elif x < 0.45:
            parents = [rng.choice(revs).id]
        else:
            parents = [rng.choice(heads[-2:])]
        rid = gen_id(rng, used)
        used.add(rid)
        labels = []
        if labels_free and rng.random() < 0.18:
            labels.append(labels_free.pop())
        deps = []
        if revs and rng.random() < 0.15:
            # mostly revisions of other branches: a dependency on an own
            # ancestor makes Alembic's merges crash (KeyError, documented)
            anc = closure(revs, parents, False) if rng.random() < 0.9 \
                else set(parents)
            pool = [r.id for r in revs if r.id not in anc]
            pool += [l for r in revs for l in r.labels
                     if r.id not in anc]
            if pool:
                deps = rng.sample(pool, min(len(pool), rng.choice([1, 1, 2])))
        revs.append(Rev(rid, parents, deps, labels))
    return revs


def write_alembic(d, revs):
    os.makedirs(os.path.join(d, "versions"))
    with open(os.path.join(d, "env.py"), "w") as f:
        f.write(
            "from alembic import context\n"
            "eng = context.config.attributes['engine']\n"
            "with eng.connect() as conn:\n"
            "    context.configure(connection=conn)\n"
            "    with context.begin_transaction():\n"
            "        context.run_migrations()\n")

    def tup(xs):
        if not xs:
            return "None"
        if len(xs) == 1:
            return repr(xs[0])
        return repr(tuple(xs))
    for i, r in enumerate(revs):
        with open(os.path.join(d, "versions", "v%02d_%s.py" % (i, r.id)),
                  "w") as f:
            f.write('"""m_%s\n\nRevision ID: %s\n"""\n' % (r.id, r.id))
            f.write("from alembic import op\n")
            f.write("revision = %r\n" % r.id)
            f.write("down_revision = %s\n" % tup(r.parents))
            f.write("branch_labels = %s\n" % tup(r.labels))
            f.write("depends_on = %s\n" % tup(r.deps))
            f.write("def upgrade():\n    op.execute('CREATE TABLE t_%s(x)')\n"
                    % r.id)
            f.write("def downgrade():\n    op.execute('DROP TABLE t_%s')\n"
                    % r.id)


def write_migrate(d, revs):
    os.makedirs(d)
    for i, r in enumerate(revs):
        with open(os.path.join(d, "%02d_%s.sql" % (i, r.id)), "w") as f:
            f.write("-- m_%s\n--\n-- Revision ID: %s\n-- Revises: %s\n"
                    % (r.id, r.id, ", ".join(r.parents)))
            if r.labels:
                f.write("-- Branch Labels: %s\n" % ", ".join(r.labels))
            if r.deps:
                f.write("-- Depends On: %s\n" % ", ".join(r.deps))
            f.write("\n-- migrate:up\nCREATE TABLE t_%s(x);\n"
                    "-- migrate:down\nDROP TABLE t_%s;\n" % (r.id, r.id))


# -------------------------------------------------------------- commands

def gen_target(rng, revs):
    ids = [r.id for r in revs]
    labels = [l for r in revs for l in r.labels]
    n = rng.randint(1, 3)
    rid = rng.choice(ids)
    lab = rng.choice(labels) if labels else rid
    forms = [
        ("head", "head"), ("heads", "heads"), ("base", "base"),
        ("REV", rid), ("PREFIX", rid[:rng.randint(1, len(rid) - 1)]),
        ("UNKNOWN", rng.choice(["zzzz", "fff0ab", "9x9"])),
        ("+N", "+%d" % n), ("-N", "-%d" % n),
        ("REV+N", "%s+%d" % (rid, n)), ("REV-N", "%s-%d" % (rid, n)),
        ("LABEL@head", lab + "@head"), ("LABEL@heads", lab + "@heads"),
        ("LABEL@base", lab + "@base"), ("LABEL@REV", lab + "@" + rid),
        ("LABEL@+N", "%s@+%d" % (lab, n)), ("LABEL@-N", "%s@-%d" % (lab, n)),
        ("LABEL", lab), ("REV@head", rid + "@head"),
        ("NOLABEL@head", "nolabel@head"),
    ]
    w = [6, 6, 3, 8, 3, 1, 4, 4, 2, 2, 3, 2, 2, 2, 3, 3, 2, 1, 1]
    return rng.choices(forms, weights=w)[0]


def gen_commands(rng, revs):
    cmds = [("upgrade",) + (("heads", "heads") if rng.random() < 0.5
                            else gen_target(rng, revs))]
    for _ in range(rng.randint(5, 13)):
        op = rng.choices(["upgrade", "downgrade", "stamp", "current", "heads",
                          "history", "branches"],
                         weights=[6, 6, 2, 1, 1, 1, 1])[0]
        if op in ("upgrade", "downgrade", "stamp"):
            cmds.append((op,) + gen_target(rng, revs))
        else:
            cmds.append((op, op, None))
    return cmds


# ---------------------------------------------------------------- alembic

class StepLog(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self)
        self.steps = []

    def emit(self, record):
        m = re.match(r"Running (upgrade|downgrade) .*, m_(\w+)$",
                     record.getMessage())
        if m:
            self.steps.append((m.group(1), m.group(2)))


_script_cache = {}
_orig_from_config = ScriptDirectory.from_config.__func__


def _cached_from_config(cls, config):
    key = config.get_main_option("script_location")
    if key not in _script_cache:
        _script_cache[key] = _orig_from_config(cls, config)
    return _script_cache[key]


ScriptDirectory.from_config = classmethod(_cached_from_config)


class AlembicSide:
    def __init__(self, d, steplog, name="alembic.db"):
        self.dir = d
        self.db = os.path.join(d, name)
        self.cfg = Config()
        self.cfg.set_main_option("script_location", os.path.join(d, "alembic"))
        self.engine = sqlalchemy.create_engine("sqlite:///" + self.db)
        self.cfg.attributes["engine"] = self.engine
        self.steplog = steplog

    def close(self):
        self.engine.dispose()
        _script_cache.pop(self.cfg.get_main_option("script_location"), None)

    def script(self):
        return ScriptDirectory.from_config(self.cfg)

    def run(self, op, target):
        buf = io.StringIO()
        self.cfg.stdout = buf
        self.steplog.steps = []
        try:
            if op == "upgrade":
                command.upgrade(self.cfg, target)
            elif op == "downgrade":
                command.downgrade(self.cfg, target)
            elif op == "stamp":
                command.stamp(self.cfg, target)
            elif op == "current":
                command.current(self.cfg)
            elif op == "heads":
                command.heads(self.cfg)
            elif op == "history":
                command.history(self.cfg)
            elif op == "branches":
                command.branches(self.cfg)
            res = ("ok", buf.getvalue())
        except CommandError as e:
            res = ("err", str(e))
        except sqlalchemy.exc.OperationalError as e:
            res = ("sqlerr", str(e.orig))
        except Exception as e:
            res = ("crash", "%s: %s" % (type(e).__name__, e))
        return res + (list(self.steplog.steps),)

    def rows(self):
        return db_rows(self.db, "alembic_version")

    def sort_rows(self):
        """Rewrite alembic_version in id order: Alembic's "-N" with several
        current heads walks from its first row in table order, which
        depends on the history of its updates; migrate walks from the
        smallest id (docs/migrations.md)."""
        rows = self.rows()
        if len(rows) < 2:
            return
        c = sqlite3.connect(self.db)
        with c:
            c.execute("DELETE FROM alembic_version")
            c.executemany("INSERT INTO alembic_version VALUES(?)",
                          [(r,) for r in rows])
        c.close()

    def probe(self, op, target):
        """Run a command on a copy of the database: (result, tables, rows)."""
        probe = AlembicSide(self.dir, self.steplog, "probe.db")
        shutil.copyfile(self.db, probe.db)
        try:
            res = probe.run(op, target)
            return res, db_tables(probe.db), probe.rows()
        finally:
            probe.engine.dispose()


def db_rows(path, table):
    c = sqlite3.connect(path)
    try:
        return sorted(r[0] for r in c.execute(
            "SELECT version_num FROM %s" % table))
    except sqlite3.OperationalError:
        return []
    finally:
        c.close()


def db_tables(path):
    c = sqlite3.connect(path)
    try:
        return sorted(r[0][2:] for r in c.execute(
            "SELECT name FROM sqlite_schema WHERE name LIKE 't\\_%' "
            "ESCAPE '\\'"))
    finally:
        c.close()


# ---------------------------------------------------------------- migrate

class MigrateSide:
    def __init__(self, d, shell, ext, bSql):
        self.dir = d
        self.db = os.path.join(d, "migrate.db")
        self.shell = shell
        self.ext = ext
        self.bSql = bSql
        self.env = dict(os.environ)
        self.env.pop("MIGRATE_DIR", None)
        self.env["HOME"] = d
        self.last = 0

    def shell_run(self, *args):
        p = subprocess.run([self.shell, "-batch", self.db] + list(args),
                           cwd=self.dir, env=self.env, capture_output=True,
                           text=True)
        return p

    def new_steps(self):
        c = sqlite3.connect(self.db)
        try:
            rows = c.execute(
                "SELECT id, direction, revision FROM migrate_history "
                "WHERE id>? ORDER BY id", (self.last,)).fetchall()
        except sqlite3.OperationalError:
            rows = []
        finally:
            c.close()
        if rows:
            self.last = rows[-1][0]
        return [(d, r) for (_, d, r) in rows if d != "stamp"]

    def run(self, op, target):
        if op in ("upgrade", "downgrade", "stamp") and self.bSql:
            c = sqlite3.connect(self.db, isolation_level=None)
            try:
                c.enable_load_extension(True)
                c.load_extension(self.ext)
                c.execute("SELECT migrate_dir(?)",
                          (os.path.join(self.dir, "migrations"),))
                c.execute("SELECT migrate_%s(?)" % op, (target,)).fetchall()
                res = ("ok", "")
            except sqlite3.Error as e:
                res = ("err", str(e))
            finally:
                c.close()
        else:
            cmd = ".migrate " + op
            if target is not None:
                cmd += " '%s'" % target
            p = self.shell_run(cmd)
            if p.returncode == 0:
                res = ("ok", p.stdout)
            else:
                err = p.stderr.strip()
                if err.startswith("Error: "):
                    err = err[7:]
                res = ("err", err)
        if op in ("upgrade", "downgrade") and res[0] == "ok":
            res = ("ok", "")
        return res + (self.new_steps(),)

    def rows(self):
        return db_rows(self.db, "migrate_version")


# ------------------------------------------------------------ comparing

def closure(revs, ids, bDeps=True):
    """Ancestors of ids (included), through Revises and Depends On."""
    by = {r.id: r for r in revs}
    label = {l: r.id for r in revs for l in r.labels}
    out, todo = set(), list(ids)
    while todo:
        x = todo.pop()
        if x in out:
            continue
        out.add(x)
        todo.extend(by[x].parents)
        if bDeps:
            todo.extend(label.get(d, d) for d in by[x].deps)
    return out


def heads_of(revs, applied):
    """Applied revisions no applied revision revises or depends on."""
    below = set()
    for x in applied:
        below |= closure(revs, [x]) - {x}
    return sorted(set(applied) - below)


def invariant(revs, tables, rows, stamped=False):
    """None, or what is wrong with an applied set and its version rows
    (after a stamp the tables no longer tell what is applied: then the
    rows must be the heads of what they imply)."""
    if stamped:
        implied = closure(revs, rows)
        if heads_of(revs, implied) != sorted(rows):
            return "version rows %s are not an antichain" % sorted(rows)
        return None
    if set(closure(revs, tables)) != set(tables):
        return "applied set not closed: %s" % sorted(
            closure(revs, tables) - set(tables))
    if heads_of(revs, tables) != sorted(rows):
        return "version rows %s, heads of applied set %s" % (
            sorted(rows), heads_of(revs, tables))
    return None


def topo_ok(revs, steps):
    """True if the steps run in a valid order (each after what it needs)."""
    pos = {(d, r): i for i, (d, r) in enumerate(steps)}
    for (d, r), i in pos.items():
        for a in closure(revs, [r]) - {r}:
            if d == "upgrade" and pos.get(("upgrade", a), -1) > i:
                return False
            if d == "downgrade" and ("downgrade", a) in pos \
               and pos[("downgrade", a)] < i:
                return False
    return True


def norm_parens(line):
    return re.sub(r"\(([^()]*)\)",
                  lambda m: "(" + ", ".join(sorted(m.group(1).split(", ")))
                  + ")", line)


def norm_output(op, text):
    lines = [norm_parens(l) for l in text.rstrip("\n").split("\n") if l]
    if op == "branches":
        blocks, cur = [], []
        for l in lines:
            if not l.startswith(" ") and cur:
                blocks.append(cur)
                cur = []
            cur.append(l)
        if cur:
            blocks.append(cur)
        return sorted([b[0]] + sorted(b[1:]) for b in blocks)
    return sorted(lines)


# --------------------------------------------- documented differences
#
# Each rule takes (revs, alembic side, command, alembic result) and returns
# (docs row name, the corrected Alembic result to compare with) or None.

def doc_alembic_crash(revs, al, cmd, ares, mres, before):
    if ares[0] == "crash":
        return "Alembic crashes (%s) on %s %s" % (ares[1].split(":")[0],
                                                 cmd[0], cmd[1])
    return None


def label_carriers(al, label):
    """Revisions carrying branch label `label`, by Alembic's own map."""
    rm = al.script().revision_map
    return [r for r in rm._revision_map
            if isinstance(r, str) and rm._revision_map[r] is not None
            and rm._revision_map[r].revision == r
            and label in rm._revision_map[r].branch_labels]


def doc_label_base(revs, al, cmd, ares, mres, before):
    """downgrade LABEL@base reverts the revisions carrying LABEL and their
    dependents; Alembic reverts all of the branch's root."""
    op, form, target = cmd
    if op != "downgrade" or form != "LABEL@base":
        return None
    label = target.split("@")[0]
    carriers = label_carriers(al, label)
    if not carriers:
        return None
    gone = set()
    for r in revs:
        if closure(revs, [r.id]) & set(carriers):
            gone.add(r.id)
    expect = heads_of(revs, closure(revs, before) - gone)
    mrows = db_rows(os.path.join(al.dir, "migrate.db"), "migrate_version")
    if mres[0] == "ok" and mrows == expect and \
       (ares[0] != "ok" or al.rows() != expect):
        return "downgrade LABEL@base reverts the branch only"
    return None


def doc_redundant_rows(revs, al, cmd, ares, mres, before):
    """migrate never leaves a version row below another; Alembic does
    after some stamps and downgrades through Depends On."""
    op, form, target = cmd
    if ares[0] != "ok" or mres[0] != "ok":
        return None
    rows = al.rows()
    minimal = heads_of(revs, closure(revs, rows))
    mdb = os.path.join(al.dir, "migrate.db")
    if rows != minimal and db_rows(mdb, "migrate_version") == minimal \
       and (op == "stamp" or db_tables(mdb) == db_tables(al.db)):
        return "Alembic leaves redundant version rows (%s)" % op
    return None


def rewrite_label_head(al, op, form, target):
    """downgrade LABEL@head means the head of that branch (Alembic
    ignores the label): the target Alembic should have been given, or
    ('err', text)."""
    if op != "downgrade" or form not in ("LABEL@head", "REV@head",
                                         "NOLABEL@head"):
        return None
    label = target.rsplit("@", 1)[0]
    rm = al.script().revision_map
    try:
        h = rm.get_current_head(label)
    except revmod.MultipleHeads:
        return ("err", "Multiple head revisions are present for given "
                "argument '%s'; please specify a specific target revision, "
                "'<branchname>@%s' to narrow to a specific head, or 'heads' "
                "for all heads" % (target, target))
    except revmod.RevisionError:
        return ("err", "Can't locate revision identified by '%s'" % label)
    return "%s@%s" % (label, h)


def doc_stamp_multi(revs, al, cmd, ares, mres, before):
    """A stamp to several revisions (heads, LABEL@heads) moves to each only
    the rows related to it; Alembic moves all of them to the first one
    and so can lose a head."""
    op, form, target = cmd
    if op != "stamp" or ares[0] != "ok" or mres[0] != "ok":
        return None
    sd = al.script()
    rm = sd.revision_map
    dests = [r.revision for r in sd.get_revisions(target) if r is not None]
    if len(dests) < 2:
        return None
    cur = al.rows_before
    filt = {r.revision for r in rm.filter_for_lineage(
        sd.get_revisions(tuple(cur)), target, include_dependencies=True)}
    expect = heads_of(revs, closure(revs, (set(cur) - filt) | set(dests)))
    mdb = os.path.join(al.dir, "migrate.db")
    if al.rows() != expect and db_rows(mdb, "migrate_version") == expect:
        return "stamp to several revisions keeps every head"
    return None


RULES = [doc_alembic_crash, doc_label_base, doc_redundant_rows,
         doc_stamp_multi]
REWRITES = [("downgrade LABEL@head is that branch's head",
             rewrite_label_head)]


# ------------------------------------------------------------- one case

def run_case(seed, args, steplog):
    rng = random.Random(seed)
    revs = gen_graph(rng)
    cmds = gen_commands(rng, revs)
    d = tempfile.mkdtemp(prefix="gd%d_" % seed, dir=args.dir)
    try:
        write_alembic(os.path.join(d, "alembic"), revs)
        write_migrate(os.path.join(d, "migrations"), revs)
        al = AlembicSide(d, steplog)
        mg = MigrateSide(d, args.shell, args.ext, seed % 2 == 1)
        try:
            return compare_case(revs, cmds, al, mg)
        finally:
            al.close()
    finally:
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)


def compare_case(revs, cmds, al, mg):
    """(status, class, detail): status ok, documented or disagree."""
    log = []
    stamped = False
    for i, (op, form, target) in enumerate(cmds):
        before = mg.rows()
        al.sort_rows()
        al.rows_before = al.rows()
        documented = None
        for name, fn in REWRITES:
            new = fn(al, op, form, target)
            if new is None:
                continue
            pres, pt, prows = al.probe(op, target)
            if isinstance(new, tuple):
                ares = new + ([],)
            else:
                ares = al.run(op, new)
            documented = name
            break
        else:
            ares = al.run(op, target)
        mres = mg.run(op, target)
        where = "%s %s" % (op, target) if target is not None else op
        log.append(where)
        mt, mrows = db_tables(mg.db), mg.rows()
        stamped = stamped or op == "stamp"
        bad = invariant(revs, mt, mrows, stamped)
        if bad:
            return ("disagree", "invariant", "%s: %s" % (
                " ; ".join(log), bad))
        for rule in RULES:
            doc = rule(revs, al, (op, form, target), ares, mres, before)
            if doc:
                return ("documented", doc, " ; ".join(log))
        if documented:
            if (pres[0], pres[1]) == (mres[0], mres[1]) and \
               pt == mt and prows == mrows:
                documented = None
                al.engine.dispose()
                shutil.copyfile(os.path.join(al.dir, "probe.db"), al.db)
                ares = pres
            elif ares[0] == "err":
                ares = (ares[0], ares[1].replace(new, target)
                        if isinstance(new, str) else ares[1], ares[2])
                if (ares[0], ares[1]) == (mres[0], mres[1]):
                    return ("documented", documented, " ; ".join(log))
            elif isinstance(new, str):
                if db_tables(al.db) == mt and al.rows() == mrows:
                    return ("documented", documented, " ; ".join(log))
        at, arows = db_tables(al.db), al.rows()
        cls = "%s %s" % (op, form)
        if ares[0] == "sqlerr" and mres[0] == "err" and \
           re.match(r".*\.sql:\d+: (table .* already exists|no such table)",
                    mres[1]):
            # a migration failed in both (after a stamp the tables do not
            # match the version rows): how much of the command stays
            # applied differs (docs/migrations.md), so the case ends here
            return ("ok", None, None)
        if ares[0] != mres[0]:
            return ("disagree", "%s: alembic %s, migrate %s" % (
                cls, ares[0], mres[0]), "%s: alembic %r migrate %r" % (
                " ; ".join(log), ares[1], mres[1]))
        if ares[0] == "err":
            if ares[1] != mres[1]:
                return ("disagree", "%s: error text" % cls,
                        "%s: alembic %r migrate %r" % (
                            " ; ".join(log), ares[1], mres[1]))
            continue
        if at != mt or arows != mrows:
            return ("disagree", "%s: state" % cls,
                    "%s: alembic %s rows %s, migrate %s rows %s" % (
                        " ; ".join(log), at, arows, mt, mrows))
        if sorted(ares[2]) != sorted(mres[2]):
            return ("disagree", "%s: steps" % cls,
                    "%s: alembic %s migrate %s" % (
                        " ; ".join(log), ares[2], mres[2]))
        if ares[2] != mres[2] and not topo_ok(revs, mres[2]):
            return ("disagree", "%s: order" % cls,
                    "%s: alembic %s migrate %s" % (
                        " ; ".join(log), ares[2], mres[2]))
        if op in ("current", "heads", "history", "branches"):
            if norm_output(op, ares[1]) != norm_output(op, mres[1]):
                return ("disagree", "%s: output" % cls,
                        "%s:\n--- alembic\n%s--- migrate\n%s" % (
                            " ; ".join(log), ares[1], mres[1]))
    return ("ok", None, None)


def graph_text(revs):
    out = []
    for r in revs:
        s = "%s <- %s" % (r.id, ",".join(r.parents) or "base")
        if r.labels:
            s += " [%s]" % ",".join(r.labels)
        if r.deps:
            s += " deps %s" % ",".join(r.deps)
        out.append(s)
    return "; ".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--shell", required=True)
    ap.add_argument("--ext", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--dir", default=None)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    args.shell = os.path.abspath(args.shell)
    args.ext = os.path.abspath(args.ext)
    if args.ext.endswith(".so"):
        args.ext = args.ext[:-3]
    if alembic.__version__ != "1.8.1":
        print("graphdiff: Alembic 1.8.1 expected, found %s"
              % alembic.__version__)
    steplog = StepLog()
    lg = logging.getLogger("alembic.runtime.migration")
    lg.setLevel(logging.INFO)
    lg.addHandler(steplog)
    lg.propagate = False
    import warnings
    warnings.simplefilter("ignore")
    counts = {}
    n = {"ok": 0, "documented": 0, "disagree": 0}
    for k in range(args.cases):
        seed = args.seed + k
        status, cls, detail = run_case(seed, args, steplog)
        n[status] += 1
        if status != "ok":
            key = (status, cls)
            counts[key] = counts.get(key, 0) + 1
        if status == "disagree" or (args.v and status == "documented"):
            rng = random.Random(seed)
            print("case %d [%s] %s\n  graph: %s\n  %s" % (
                seed, status, cls, graph_text(gen_graph(rng)), detail))
    print("cases %d agree %d documented %d disagree %d" % (
        args.cases, n["ok"], n["documented"], n["disagree"]))
    for (status, cls), c in sorted(counts.items(), key=lambda x: -x[1]):
        print("  %5d %s %s" % (c, status, cls))
    return 1 if n["disagree"] else 0


if __name__ == "__main__":
    sys.exit(main())
