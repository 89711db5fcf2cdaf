#!/bin/sh
# alembic_chain.sh DIR [N]: an Alembic project in DIR (made afresh) whose
# N revisions (default 200) form one line, each creating a table tI and
# an index on it, against the database DIR/app.db. Then:
#   cd DIR && /usr/bin/python3 -m alembic upgrade head
# Debian 12's python3-alembic; nothing else is needed.
set -e
dir=$1
n=${2:-200}
[ -n "$dir" ] || { echo "usage: alembic_chain.sh DIR [N]" >&2; exit 2; }
rm -rf "$dir"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
cd "$dir"
/usr/bin/python3 -m alembic init -t generic migrations >/dev/null
sed -i "s|^sqlalchemy.url = .*|sqlalchemy.url = sqlite:///$dir/app.db|" \
  alembic.ini
i=1
parent=None
while [ "$i" -le "$n" ]; do
  rev=$(printf 'r%04d' "$i")
  {
    printf '"""create t%d\n\nRevision ID: %s\n"""\n' "$i" "$rev"
    printf 'from alembic import op\n\n'
    printf "revision = '%s'\n" "$rev"
    printf 'down_revision = %s\n' "$parent"
    printf 'branch_labels = None\ndepends_on = None\n\n'
    printf 'def upgrade():\n'
    printf '    op.execute("CREATE TABLE t%d (id INTEGER PRIMARY KEY, ' "$i"
    printf 'name TEXT NOT NULL, v INTEGER)")\n'
    printf '    op.execute("CREATE INDEX ix_t%d_name ON t%d(name)")\n\n' \
      "$i" "$i"
    printf 'def downgrade():\n    op.execute("DROP TABLE t%d")\n' "$i"
  } > "migrations/versions/${rev}_t$i.py"
  parent="'$rev'"
  i=$((i+1))
done
