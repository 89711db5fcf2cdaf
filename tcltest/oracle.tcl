# oracle.tcl: an independent model of a table, to check the alter engine
# against. It shares no code with ext/: it reads a table back through
# SQLite's PRAGMAs (and, for what no PRAGMA shows, CHECK constraints and
# column collations, through its own small reading of the CREATE TABLE
# text), and it computes what a table must look like after a request as
# "the model before, with only the asked change" (oracle_expect).
#
#   set m [oracle_model db t]          the table as it is
#   set e [oracle_expect $m $op...]    what it must become (or "refuse")
#   oracle_diff $e [oracle_model db t] "" when equal, else the first
#                                      difference, named
#
# An op is a list: {add NAME DEFLIST} (DEFLIST: type notnull dflt coll),
# {rename OLD NEW}, {move COL AFTER-COL-or-""}, {drop COL},
# {notnull COL 0|1}, {default COL EXPR-or-""}, {noop},
# {type COL TYPE CONV ?COLLATION?} (CONV: old quoted value -> new).

# dict get with a default (Tcl 8.6 has no dict getdef).
proc odget {d k def} {
  if {[dict exists $d $k]} { return [dict get $d $k] }
  return $def
}

# ---------------------------------------------------------------- tokens
# Cut SQL into tokens {TYPE TEXT}: id, qid, str, num, op (comments and
# whitespace dropped).
proc otok {sql} {
  set out {}
  set n [string length $sql]
  set i 0
  while {$i < $n} {
    set c [string index $sql $i]
    if {[string is space $c]} { incr i; continue }
    if {$c eq "-" && [string index $sql $i+1] eq "-"} {
      set j [string first "\n" $sql $i]
      set i [expr {$j < 0 ? $n : $j+1}]
      continue
    }
    if {$c eq "/" && [string index $sql $i+1] eq "*"} {
      set j [string first "*/" $sql $i+2]
      set i [expr {$j < 0 ? $n : $j+2}]
      continue
    }
    if {$c in {' \" `}} {
      set j [expr {$i+1}]
      while {$j < $n} {
        if {[string index $sql $j] eq $c} {
          if {[string index $sql $j+1] eq $c} { incr j 2; continue }
          break
        }
        incr j
      }
      lappend out [list [expr {$c eq "'" ? "str" : "qid"}] \
                       [string range $sql $i $j]]
      set i [expr {$j+1}]
      continue
    }
    if {$c eq "\["} {
      set j [string first "\]" $sql $i]
      if {$j < 0} { set j $n }
      lappend out [list qid [string range $sql $i $j]]
      set i [expr {$j+1}]
      continue
    }
    if {[regexp -start $i {\A[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*} \
           $sql w]} {
      if {[string match -nocase x $w] && [string index $sql $i+1] eq "'"} {
        set j [string first "'" $sql $i+2]
        lappend out [list str [string range $sql $i $j]]
        set i [expr {$j+1}]
        continue
      }
      lappend out [list id $w]
      incr i [string length $w]
      continue
    }
    if {[regexp -start $i {\A(0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?)} \
           $sql w] && $w ne ""} {
      lappend out [list num $w]
      incr i [string length $w]
      continue
    }
    if {[regexp -start $i {\A(\|\||<=|>=|<>|!=|==|<<|>>|->>|->)} $sql w]} {
      lappend out [list op $w]
      incr i [string length $w]
      continue
    }
    lappend out [list op $c]
    incr i
  }
  return $out
}

# The name a name token stands for (quotes removed, lower case).
proc oname {tok} {
  lassign $tok type text
  if {$type eq "qid" || $type eq "str"} {
    set q [string index $text 0]
    set text [string range $text 1 end-1]
    if {$q ne "\["} { set text [string map [list $q$q $q] $text] }
  }
  return [string tolower $text]
}

# Tokens as one normalised Tcl list: names lower case and unquoted.
proc onorm {toks} {
  set out {}
  foreach t $toks {
    if {[lindex $t 0] in {id qid}} { lappend out [oname $t] } \
    else { lappend out [lindex $t 1] }
  }
  return $out
}

# The tokens of a CHECK expression as one normalised list, as SQLite
# reads them: a double-quoted name that is no column of the table (names:
# lower case, rowid names included when they reach the rowid) and
# neither qualifies nor is qualified nor names a function or collation
# is a string (SQLite's double-quoted-string rule), written as one.
proc onormck {toks names} {
  set out {}
  set n [llength $toks]
  for {set i 0} {$i < $n} {incr i} {
    set t [lindex $toks $i]
    set x [lindex $t 1]
    if {[lindex $t 0] eq "qid" && [string index $x 0] eq "\""
        && [oname $t] ni $names
        && [lindex $toks $i+1 1] ni {. (}
        && [lindex $toks $i-1 1] ne "."
        && !($i > 0 && [oiskw [lindex $toks $i-1] COLLATE])} {
      set v [string map {\"\" \" ' ''} [string range $x 1 end-1]]
      lappend out '$v'
      continue
    }
    if {[lindex $t 0] in {id qid}} { lappend out [oname $t] } \
    else { lappend out $x }
  }
  return $out
}

# The expression of a "column|name|expr" CHECK entry, as a list.
proc ocheckexpr {c} { join [lrange [split $c |] 2 end] | }

# Split tokens at top-level commas: a list of token lists.
proc osplit {toks} {
  set items {}
  set cur {}
  set depth 0
  foreach t $toks {
    set x [lindex $t 1]
    if {[lindex $t 0] eq "op"} {
      if {$x eq "("} { incr depth }
      if {$x eq ")"} { incr depth -1 }
      if {$x eq "," && $depth == 0} { lappend items $cur; set cur {}; continue }
    }
    lappend cur $t
  }
  lappend items $cur
  return $items
}

# Index of the ")" matching the "(" at index i of toks.
proc omatch {toks i} {
  set i [expr $i]
  set depth 0
  for {} {$i < [llength $toks]} {incr i} {
    set x [lindex $toks $i 1]
    if {[lindex $toks $i 0] ne "op"} continue
    if {$x eq "("} { incr depth }
    if {$x eq ")" && [incr depth -1] == 0} { return $i }
  }
  return [llength $toks]
}

proc oiskw {tok kw} {
  expr {[lindex $tok 0] eq "id" && [string equal -nocase [lindex $tok 1] $kw]}
}

# The body items of a CREATE TABLE text: a list of token lists.
proc obody {sql} {
  set toks [otok $sql]
  for {set i 0} {$i < [llength $toks]} {incr i} {
    if {[lindex $toks $i] eq {op (}} break
  }
  set j [omatch $toks $i]
  return [osplit [lrange $toks [expr {$i+1}] [expr {$j-1}]]]
}

# What the text says that no PRAGMA shows: CHECK constraints (a sorted
# list of "column|name|expr", column empty for table constraints) and
# the collation of each column (dict, lower-case column -> collation).
# names: the names a CHECK can reach (see onormck).
proc otext {sql names} {
  set checks {}
  set coll [dict create]
  foreach item [obody $sql] {
    set first [lindex $item 0]
    set bTable [expr {[oiskw $first CONSTRAINT] || [oiskw $first PRIMARY]
        || [oiskw $first UNIQUE] || [oiskw $first CHECK]
        || [oiskw $first FOREIGN]}]
    set col [expr {$bTable ? "" : [oname $first]}]
    set name ""
    set n [llength $item]
    for {set i [expr {$bTable ? 0 : 1}]} {$i < $n} {incr i} {
      set t [lindex $item $i]
      if {[lindex $t 1] eq "("} { set i [omatch $item $i]; continue }
      if {[oiskw $t CONSTRAINT]} { set name [oname [lindex $item $i+1]]; incr i; continue }
      if {[oiskw $t CHECK] && [lindex $item $i+1 1] eq "("} {
        set j [omatch $item $i+1]
        lappend checks "$col|$name|[onormck [lrange $item [expr {$i+2}] [expr {$j-1}]] $names]"
        set name ""
        set i $j
        continue
      }
      if {!$bTable && [oiskw $t COLLATE]} {
        dict set coll $col [string tolower [oname [lindex $item $i+1]]]
        incr i
        continue
      }
      if {[lindex $t 0] eq "id" && [string toupper [lindex $t 1]] in
          {PRIMARY NOT NULL UNIQUE DEFAULT REFERENCES AS GENERATED FOREIGN}} {
        set name ""
      }
    }
  }
  return [list [lsort $checks] $coll]
}

# ----------------------------------------------------------------- model
# The model of table t on connection db (a dict; see the header).
proc oracle_model {db t} {
  set m [dict create name $t]
  set sql [$db one {SELECT sql FROM sqlite_schema WHERE type='table' AND name=$t}]
  set names [string tolower [$db eval {SELECT name FROM pragma_table_xinfo($t)}]]
  set wr [$db one {SELECT wr FROM pragma_table_list WHERE name=$t
                   AND schema='main'}]
  if {!$wr} { lappend names rowid _rowid_ oid }
  lassign [otext $sql $names] checks coll
  set cols {}
  $db eval "SELECT name, type, \"notnull\" AS nn, dflt_value AS d, pk, hidden
            FROM pragma_table_xinfo(\$t) ORDER BY cid" r {
    set c [odget $coll [string tolower $r(name)] ""]
    lappend cols [list $r(name) $r(type) $r(nn) $r(d) $r(pk) $r(hidden) $c]
  }
  dict set m cols $cols
  dict set m checks $checks
  $db eval {SELECT wr, strict FROM pragma_table_list WHERE name=$t
            AND schema='main'} r {
    dict set m wr $r(wr)
    dict set m strict $r(strict)
  }
  dict set m autoinc [expr {[lsearch -nocase -exact \
      [lmap x [otok $sql] {lindex $x 1}] AUTOINCREMENT] >= 0}]
  set seq {}
  if {[$db exists {SELECT 1 FROM sqlite_schema WHERE name='sqlite_sequence'}]} {
    set seq [$db eval {SELECT seq FROM sqlite_sequence WHERE name=$t}]
  }
  dict set m seq $seq
  # Indexes: automatic ones by what they index, others by name and SQL.
  set idx {}
  set autoname [dict create]
  $db eval {SELECT name, "unique" AS u, origin, partial
            FROM pragma_index_list($t)} r {
    set key {}
    $db eval {SELECT name AS c, "desc" AS d, coll AS k FROM
              pragma_index_xinfo($r(name)) WHERE key ORDER BY seqno} ix {
      lappend key [list $ix(c) $ix(d) [string tolower $ix(k)]]
    }
    if {$r(origin) eq "c"} {
      set isql [$db one {SELECT sql FROM sqlite_schema WHERE name=$r(name)}]
      lappend idx [list index $r(name) $r(u) $r(partial) $key $isql]
    } else {
      lappend idx [list $r(origin) $r(u) $key]
      dict set autoname $r(name) "$r(origin)$key"
    }
  }
  dict set m indexes [lsort $idx]
  set fks {}
  $db eval {SELECT id, "table" AS p, group_concat("from", ',') AS f,
              group_concat(coalesce("to", ''), ',') AS tt, on_update AS u,
              on_delete AS d, match AS mm
            FROM (SELECT * FROM pragma_foreign_key_list($t) ORDER BY id, seq)
            GROUP BY id} r {
    lappend fks [list [string tolower $r(p)] $r(f) $r(tt) $r(u) $r(d) $r(mm)]
  }
  dict set m fks [lsort $fks]
  dict set m triggers [$db eval {SELECT name, sql FROM sqlite_schema
      WHERE type='trigger' AND tbl_name=$t ORDER BY name}]
  dict set m views [$db eval {SELECT name, sql FROM sqlite_schema
      WHERE type='view' ORDER BY name}]
  set stat {}
  if {[$db exists {SELECT 1 FROM sqlite_schema WHERE name='sqlite_stat1'}]} {
    $db eval {SELECT idx, stat FROM sqlite_stat1 WHERE tbl=$t} r {
      lappend stat [list [odget $autoname $r(idx) $r(idx)] $r(stat)]
    }
  }
  dict set m stat [lsort $stat]
  lassign [oracle_rows $db $t [dict get $m wr] $cols] rowids rows
  dict set m _rowids $rowids
  dict set m rows $rows
  return $m
}

# Every row of t in rowid (or primary key) order, values quoted,
# generated columns left out: {ROWIDS ROWS}, ROWIDS 1 when each row
# starts with its rowid. A rowid table whose columns shadow all of
# rowid, _rowid_ and oid has rows without rowids (no SQL reaches them;
# a plain scan still goes in rowid order).
proc oracle_rows {db t wr cols} {
  set sel {}
  set lnames {}
  foreach c $cols {
    lappend lnames [string tolower [lindex $c 0]]
    if {[lindex $c 5] == 0} {
      lappend sel "quote(\"[string map {\" \"\"} [lindex $c 0]]\")"
    }
  }
  if {![llength $sel]} { return {0 {}} }
  set rid ""
  if {!$wr} {
    foreach r {rowid _rowid_ oid} {
      if {$r ni $lnames} { set rid $r; break }
    }
  }
  set q "SELECT [expr {$rid eq {} ? {} : "$rid, "}][join $sel ,] FROM\
         \"[string map {\" \"\"} $t]\""
  if {$rid ne ""} { append q " ORDER BY $rid" }
  set pk [lsort -integer -index 4 [lmap c $cols {
    if {[lindex $c 4] == 0} continue; set c }]]
  if {$wr && [llength $pk]} {
    append q " ORDER BY [join [lmap c $pk {
      string cat \" [string map {\" \"\"} [lindex $c 0]] \" }] ,]"
  }
  return [list [expr {$rid ne ""}] [$db eval $q]]
}

# -------------------------------------------------------------- expected
proc ocolidx {cols name} {
  set i 0
  foreach c $cols {
    if {[string equal -nocase [lindex $c 0] $name]} { return $i }
    incr i
  }
  return -1
}

# The model m after op (see the header), or "refuse".
proc oracle_expect {m op} {
  set cols [dict get $m cols]
  switch -- [lindex $op 0] {
    noop { return $m }
    add {
      lassign $op - name def
      lassign $def type nn dflt coll value
      lappend cols [list $name $type $nn $dflt 0 0 $coll]
      dict set m cols $cols
      dict set m rows [oracle_rows_add $m $value]
      return $m
    }
    rename {
      lassign $op - old new
      set i [ocolidx $cols $old]
      lset cols $i 0 $new
      dict set m cols $cols
      set idx {}
      foreach x [dict get $m indexes] {
        if {[lindex $x 0] eq "index"} {
          # The SQL changes as SQLite rewrites it: compared natively.
          set k [lmap c [lindex $x 4] { ocolrename $c $old $new }]
          lappend idx [lreplace $x 4 5 $k -]
        } else {
          lappend idx [lreplace $x 2 2 [lmap c [lindex $x 2] {
            ocolrename $c $old $new }]]
        }
      }
      dict set m indexes [lsort $idx]
      set fks {}
      foreach f [dict get $m fks] {
        set from [lmap c [split [lindex $f 1] ,] {
          expr {[string equal -nocase $c $old] ? $new : $c} }]
        set f [lreplace $f 1 1 [join $from ,]]
        if {[lindex $f 0] eq [string tolower [dict get $m name]]} {
          set to [lmap c [split [lindex $f 2] ,] {
            expr {[string equal -nocase $c $old] ? $new : $c} }]
          set f [lreplace $f 2 2 [join $to ,]]
        }
        lappend fks $f
      }
      dict set m fks [lsort $fks]
      # SQLite's rename writes the new name for a rowid name that reaches
      # an INTEGER PRIMARY KEY being renamed (the rowid is that column).
      set also {}
      set pk [lmap c $cols { if {[lindex $c 4] == 0} continue; set c }]
      if {![dict get $m wr] && [llength $pk] == 1
          && [string equal -nocase [lindex $pk 0 0] $new]
          && [string equal -nocase [lindex $pk 0 1] INTEGER]} {
        set lnames [lmap c $cols { string tolower [lindex $c 0] }]
        foreach r {rowid _rowid_ oid} {
          if {$r ni $lnames} { lappend also $r }
        }
      }
      dict set m checks [lsort [lmap c [dict get $m checks] {
        ocheckrename $c [concat [list $old] $also] $new }]]
      dict set m triggers -
      dict set m views -
      set stat {}
      foreach s [dict get $m stat] {
        set k [lindex $s 0]
        if {[string match {[pu]*} $k]} {
          set k "[string index $k 0][lmap c [string range $k 1 end] {
            ocolrename $c $old $new }]"
        }
        lappend stat [list $k [lindex $s 1]]
      }
      dict set m stat [lsort $stat]
      return $m
    }
  }
  set i [ocolidx $cols [lindex $op 1]]
  switch -- [lindex $op 0] {
    drop {
      set col [lindex $op 1]
      if {[llength $cols] == 1 || [ocoluses $m $col]} { return refuse }
      set lc [string tolower $col]
      dict set m rows [orows_map $m {lreplace $r $i $i}]
      dict set m cols [lreplace $cols $i $i]
      dict set m indexes [lsort [lmap x [dict get $m indexes] {
        if {[lindex $x 0] ne "index" && [ohascol [lindex $x 2] $col]} continue
        set x }]]
      dict set m fks [lsort [lmap f [dict get $m fks] {
        if {[lsearch -nocase -exact [split [lindex $f 1] ,] $col]>=0} continue
        set f }]]
      dict set m checks [lsort [lmap c [dict get $m checks] {
        lassign [split $c |] ccol
        if {$ccol eq $lc} continue
        if {$ccol eq "" && [lsearch -exact [ocheckexpr $c] $lc]>=0} continue
        set c }]]
      dict set m stat [lsort [lmap x [dict get $m stat] {
        if {[string match {[pu]*} [lindex $x 0]]
         && [ohascol [string range [lindex $x 0] 1 end] $col]} continue
        set x }]]
      return $m
    }
    notnull {
      lassign $op - col b
      if {$b && [ohasnull $m $i]} { return refuse }
      lset cols $i 2 $b
      dict set m cols $cols
      return $m
    }
    default {
      lassign $op - col e
      lset cols $i 3 $e
      dict set m cols $cols
      return $m
    }
    type {
      lassign $op - col type conv coll
      if {[string tolower $col] in [odget $m _retyped {}]} { return refuse }
      dict lappend m _retyped [string tolower $col]
      lset cols $i 1 $type
      if {$coll ne ""} {
        # The new collation replaces the column's, and that of the index
        # keys that take it from the column (none names its own here).
        set coll [string tolower $coll]
        lset cols $i 6 $coll
        dict set m indexes [lsort [lmap x [dict get $m indexes] {
          set k [expr {[lindex $x 0] eq "index" ? 4 : 2}]
          if {[lindex $x 0] eq "index"
              && [lsearch -nocase [lmap t [otok [lindex $x 5]] {
                    lindex $t 1 }] COLLATE] >= 0} { set x } else {
            lreplace $x $k $k [lmap c [lindex $x $k] {
              if {[string equal -nocase [lindex $c 0] $col]} {
                lset c 2 $coll }
              set c }]
          }
        }]]
        dict set m stat [lsort [lmap x [dict get $m stat] {
          set k [lindex $x 0]
          if {[string match {[pu]*} $k]} {
            set k "[string index $k 0][lmap c [string range $k 1 end] {
              if {[string equal -nocase [lindex $c 0] $col]} {
                lset c 2 $coll }
              set c }]"
          }
          list $k [lindex $x 1]
        }]]
      }
      dict set m cols $cols
      dict set m rows [orows_map $m {lreplace $r $i $i [dict get $conv [lindex $r $i]]}]
      return $m
    }
    move {
      lassign $op - col after
      set c [lindex $cols $i]
      set cols [lreplace $cols $i $i]
      set j [expr {$after eq "" ? 0 : [ocolidx $cols $after]+1}]
      dict set m cols [linsert $cols $j $c]
      dict set m rows [orows_map $m {
        set v [lindex $r $i]
        linsert [lreplace $r $i $i] $j $v }]
      return $m
    }
    addcheck {
      lassign $op - name expr bad
      if {$bad} { return refuse }
      # A constraint name already taken is refused (DROP CONSTRAINT could
      # not tell the two apart).
      foreach c [dict get $m checks] {
        if {[lindex [split $c |] 1] eq [string tolower $name]} { return refuse }
      }
      dict set m checks [lsort [concat [dict get $m checks] \
          [list "|[string tolower $name]|[onorm [otok $expr]]"]]]
      return $m
    }
    dropcons {
      set name [string tolower [lindex $op 1]]
      dict set m checks [lsort [lmap c [dict get $m checks] {
        if {[lindex [split $c |] 1] eq $name} continue
        set c }]]
      return $m
    }
  }
  error "oracle_expect: unknown op $op"
}

# True if column col is part of the primary key, or an index, a trigger
# or a view names it (then DROP COLUMN must be refused).
proc ocoluses {m col} {
  set lc [string tolower $col]
  foreach c [dict get $m cols] {
    if {[string equal -nocase [lindex $c 0] $col] && [lindex $c 4]} { return 1 }
  }
  set sqls {}
  foreach x [dict get $m indexes] {
    if {[lindex $x 0] eq "index"} { lappend sqls [lindex $x 5] }
  }
  foreach {n q} [concat [dict get $m triggers] [dict get $m views]] {
    lappend sqls $q
  }
  foreach q $sqls {
    foreach t [otok $q] {
      if {[lindex $t 0] in {id qid} && [oname $t] eq $lc} { return 1 }
    }
  }
  return 0
}

# True if column i (of the non-generated ones) holds a NULL in some row.
proc ohasnull {m i} {
  set bNull 0
  orows_map $m { if {[lindex $r $i] eq "NULL"} { set bNull 1 }; set r }
  return $bNull
}

# True if the index key list k (of {col desc coll}) has column col.
proc ohascol {k col} {
  foreach c $k { if {[string equal -nocase [lindex $c 0] $col]} { return 1 } }
  return 0
}

# The rows of m, each (a list of its column values, rowid left out)
# passed through script (r: the values, i/j: from the caller).
proc orows_map {m script} {
  set n 0
  foreach c [dict get $m cols] { if {[lindex $c 5] == 0} { incr n } }
  set bRowid [dict get $m _rowids]
  set step [expr {$bRowid ? $n+1 : $n}]
  set rows [dict get $m rows]
  set out {}
  for {set k 0} {$k < [llength $rows]} {incr k $step} {
    set row [lrange $rows $k [expr {$k+$step-1}]]
    if {$bRowid} { set rowid [lindex $row 0]; set row [lrange $row 1 end] }
    set r $row
    set new [uplevel 1 [list set r $r]; uplevel 1 $script]
    if {$bRowid} { lappend out $rowid }
    lappend out {*}$new
  }
  return $out
}

proc ocolrename {c old new} {
  if {[string equal -nocase [lindex $c 0] $old]} { lset c 0 $new }
  return $c
}

# A "column|name|expr" CHECK entry with column old renamed new: names in
# the expression that are the column (not before "(" or ".") change.
# olds: the column's old name, then other names that reach it.
proc ocheckrename {c olds new} {
  lassign [split $c |] col name
  set w [ocheckexpr $c]
  set old [lindex $olds 0]
  set olds [string tolower $olds]
  if {[string equal -nocase $col $old]} { set col [string tolower $new] }
  set out {}
  for {set i 0} {$i < [llength $w]} {incr i} {
    set x [lindex $w $i]
    set nx [lindex $w $i+1]
    if {[string tolower $x] in $olds && $nx ne "(" && $nx ne "."} {
      set x [string tolower $new]
    }
    lappend out $x
  }
  return "$col|$name|$out"
}

# The rows with one more value, quoted, at the end of each.
proc oracle_rows_add {m value} {
  set cols [dict get $m cols]
  set n 0
  foreach c $cols { if {[lindex $c 5] == 0} { incr n } }
  incr n -1
  if {[dict get $m _rowids]} { incr n }
  set rows [dict get $m rows]
  set out {}
  for {set i 0} {$i < [llength $rows]} {incr i $n} {
    lappend out {*}[lrange $rows $i [expr {$i+$n-1}]] $value
  }
  return $out
}

# "" if model a equals model b, else the first key that differs, with
# both values. A value "-" in a is not compared.
proc oracle_diff {a b} {
  foreach k [dict keys $a] {
    set x [dict get $a $k]
    if {[string index $k 0] eq "_"} continue
    if {$x eq "-"} continue
    if {![dict exists $b $k]} { return "$k: missing" }
    set y [dict get $b $k]
    if {$k eq "indexes"} {
      set y [lsort [lmap i $y {
        if {[lindex $i 0] eq "index" && [lsearch -exact $x [lreplace $i 5 5 -]]>=0} {
          lreplace $i 5 5 -
        } else { set i }
      }]]
    }
    if {$k eq "rows" && [dict get $a _rowids] != [dict get $b _rowids]} {
      # One side cannot read its rowids: compare the values only.
      if {[dict get $a _rowids]} { set x [orows_strip $a] }
      if {[dict get $b _rowids]} { set y [orows_strip $b] }
    }
    if {$x ne $y} { return "$k: expected {$x} got {$y}" }
  }
  return ""
}

# The rows of m (which start with their rowids) without the rowids.
proc orows_strip {m} {
  set n 1
  foreach c [dict get $m cols] { if {[lindex $c 5] == 0} { incr n } }
  set out {}
  set rows [dict get $m rows]
  for {set k 0} {$k < [llength $rows]} {incr k $n} {
    lappend out {*}[lrange $rows [expr {$k+1}] [expr {$k+$n-1}]]
  }
  return $out
}
