#!/bin/sh
# sqlite_utils_transform.sh DB: the change of raw_rebuild.sql through
# sqlite-utils (Debian 12's package), whose "transform" rebuilds the table.
exec sqlite-utils transform "$1" meetings \
  --not-null description --default description ''
