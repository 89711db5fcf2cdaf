# pkgIndex.tcl of a build tree: the extension is migrate.so at the top of
# the tree, above this directory. ("make install" writes its own copy,
# naming the installed extension.)
package ifneeded migrate 1.0 [list apply {{dir} {
  namespace eval ::migrate {}
  set ::migrate::library [file join [file dirname $dir] migrate]
  source [file join $dir migrate.tcl]
}} $dir]
