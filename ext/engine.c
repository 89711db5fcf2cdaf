/*
** engine.c: placeholder until the engine module lands; registers nothing yet.
*/
#include "mig_int.h"

int migEngineInit(sqlite3 *db){
  UNUSED(db);
  return SQLITE_OK;
}
